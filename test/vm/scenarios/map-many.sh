#!/bin/sh
# map-many FS: 100,000 live 4 KiB daxpolicy_mmap(SYNC) mappings of one file
# on FS with dax=always, under the default soft limit of 1,024 descriptors
# (daxmanymaps). The registry holds no descriptor per mapping (the 511th
# mapping used to fail with EMFILE), and the SIGBUS lookup still resolves a
# bad sector under the last mapping, from inside the handler. 100,000
# mappings are more than the default vm.max_map_count (65,530): it is
# raised for the run and put back.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
field() { printf '%s\n' "$2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
start=$(bdev_start "$dev")

plan 8
check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
daxtest create "$mnt/m" 65536 >/dev/null
sync
pa=$(($(phys_of "$mnt/m") + start))
# Page 1 of m (bytes 4096-8191): sector 9, bytes 4608-5119.
echo "$((pa + 9)) 1" >"/sys/block/$disk/badblocks"
old_max=$(cat /proc/sys/vm/max_map_count)
echo 262144 >/proc/sys/vm/max_map_count
out=$(daxmanymaps "$mnt/m" 100000 4700)
rc=$?
echo "$old_max" >/proc/sys/vm/max_map_count
log "$out"
check_eq exit 0 "$rc"
check_eq mapped 100000 "$(field mapped "$out")"
# stdin, stdout, stderr and the guest's result port (9): none is the
# registry's.
fds=$(field fds "$out")
check fds-few test "${fds:-99}" -le 4
check_eq lookup 4700 "$(field lookup "$out")"
check_eq handler "media $mnt/m 4700 4096+4096 $disk 0" \
	"$(bus_media_code "$(field code "$out")") $(field path "$out") $(field offset "$out") $(field range "$out") $(field disk "$out") $(field err "$out")"
check_eq bad "$((pa + 9))+1@4608+512" "$(field bad "$out")"

# As in sigbus: disable and enable the namespace for the next filesystem
# (the emulated NVDIMM keeps the sector in the disk's list, but mkfs and
# mount work again).
umount "$mnt"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
