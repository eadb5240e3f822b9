#!/bin/sh
# badblocks FS: software badblocks written to /sys/block/DISK/badblocks at
# known places of known files (found with filefrag) on real fsdax are
# mapped by dax-admin badblocks to the right file, byte offset and length,
# numbered like the device's own list. Works on a partition too (the
# filesystem's sectors are shifted by the partition start).
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 9

phys_of() { filefrag -v -b512 "$1" | awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 + 0 }'; }
start=0
[ -e "/sys/class/block/${dev#/dev/}/partition" ] && start=$(cat "/sys/class/block/${dev#/dev/}/start")

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
daxtest create "$mnt/a" 65536 >/dev/null
daxtest create "$mnt/b" 65536 >/dev/null
sync
pa=$(($(phys_of "$mnt/a") + start))
pb=$(($(phys_of "$mnt/b") + start))
echo "$((pa + 11)) 1" >"/sys/block/$disk/badblocks"
echo "$((pb + 120)) 8" >"/sys/block/$disk/badblocks"
check_fails read-fails-at-bad-sector dd if="$mnt/a" of=/dev/null bs=512 skip=11 count=1 iflag=direct

out=$(dax-admin badblocks "$mnt")
check_eq exit-1 1 "$?"
check_eq numbering "$((pa + 11)) 1 sysfs" "$(printf '%s' "$out" | jq -r '.badblocks[0] | "\(.offset) \(.length) \(.source)"')"
check_eq sector-in-page "5632 512" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/a" '.files[] | select(.path == $f) | .ranges[0] | "\(.file_offset) \(.length)"')"
check_eq block-of-b "61440 4096" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/b" '.files[] | select(.path == $f) | .ranges[0] | "\(.file_offset) \(.length)"')"
check_eq same-as-sysfs "$(cat "/sys/block/$disk/badblocks" | tr '\n' ' ')" \
	"$(printf '%s' "$out" | jq -r '.badblocks[] | "\(.offset) \(.length)"' | tr '\n' ' ')"
check_eq disk "$disk" "$(printf '%s' "$out" | jq -r .dev)"

# Clear the software badblocks: disable and enable the namespace.
umount "$mnt"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
