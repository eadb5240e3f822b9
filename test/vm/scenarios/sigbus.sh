#!/bin/sh
# sigbus CASE FS: a bus error on a DAX mapping, looked up from inside the
# SIGBUS handler by daxpolicy_sigbus_lookup() (daxsigbus prints what it
# found), on FS with dax=always.
#   badblock  software badblocks at known sectors (found with filefrag) in
#             the middle of a page of a known file: a load anywhere in that
#             page -> BUS_ADRERR; the lookup names the file, the file offset
#             of the load, and the bad sectors with their file offsets.
#             Through daxpolicy_mmap() and through a plain mmap(2) from a
#             file offset, registered by hand.
#   hwpoison  madvise(MADV_HWPOISON) on a page of a daxpolicy_mmap()
#             mapping -> BUS_MCEERR_AR during the call; the lookup names
#             the file and the page. The page stays poisoned: the file is
#             left in place so that nothing reuses it.
. /usr/share/daxtest/lib.sh

case=$1
fs=$2
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"

# field NAME LINE: the value of NAME= in a daxsigbus line
field() { printf '%s\n' "$2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
start=$(bdev_start "$dev")

case $case in
badblock)
	plan 13
	check mkfs make_fs "$fs" "$dev"
	check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
	daxtest create "$mnt/a" 65536 >/dev/null
	daxtest create "$mnt/b" 65536 >/dev/null
	sync
	pa=$(($(phys_of "$mnt/a") + start))
	pb=$(($(phys_of "$mnt/b") + start))
	# Page 1 of a (bytes 4096-8191): sector 11 and sectors 14-15.
	echo "$((pa + 11)) 1" >"/sys/block/$disk/badblocks"
	echo "$((pa + 14)) 2" >"/sys/block/$disk/badblocks"
	# Page 2 of b (bytes 8192-12287): sector 20.
	echo "$((pb + 20)) 1" >"/sys/block/$disk/badblocks"
	log "a at sector $pa, b at sector $pb; badblocks: $(tr '\n' ' ' <"/sys/block/$disk/badblocks")"

	out=$(daxsigbus touch "$mnt/a" 4200)
	check_eq lib-exit 0 "$?"
	log "$out"
	check_eq lib-code media "$(bus_media_code "$(field code "$out")")"
	check_eq lib-path "$mnt/a" "$(field path "$out")"
	check_eq lib-offset 4200 "$(field offset "$out")"
	check_eq lib-range 4096+4096 "$(field range "$out")"
	check_eq lib-disk "$disk 0" "$(field disk "$out") $(field err "$out")"
	check_eq lib-bad "$((pa + 11))+1@5632+512,$((pa + 14))+2@7168+1024" "$(field bad "$out")"

	# A plain mapping of b from file offset 4096, registered by hand.
	out=$(daxsigbus touch-plain "$mnt/b" 9000 4096)
	check_eq plain-exit 0 "$?"
	log "$out"
	check_eq plain-where "media $mnt/b 9000 8192+4096" \
		"$(bus_media_code "$(field code "$out")") $(field path "$out") $(field offset "$out") $(field range "$out")"
	check_eq plain-bad "$((pb + 20))+1@10240+512" "$(field bad "$out")"
	# Outside the bad page: no bus error at all.
	out=$(daxsigbus touch "$mnt/a" 100)
	check_eq good-page "1 no sigbus" "$? $out"

	# Clear the software badblocks: disable and enable the namespace.
	umount "$mnt"
	ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
	ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
	wait_for "$dev" 5
	;;
hwpoison)
	plan 9
	check mkfs make_fs "$fs" "$dev"
	check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
	daxtest create "$mnt/h" 65536 >/dev/null
	sync
	check_eq dax dax=1 "$(daxtest statx-dax "$mnt/h")"
	dmesg_mark
	out=$(daxsigbus poison "$mnt/h" 12300 4096)
	check_eq exit 0 "$?"
	log "$out"
	check_eq code 4 "$(field code "$out")"
	check_eq path "$mnt/h" "$(field path "$out")"
	# A memory failure reports the address of the page, not of the load.
	check_eq offset-and-page "12288 12288+4096" "$(field offset "$out") $(field range "$out")"
	# MADV_HWPOISON marks the page only; the disk's list stays empty.
	check_eq no-bad-sectors "0 " "$(field err "$out") $(field bad "$out")"
	check_contains recovered "recovery action for dax page: Recovered" "$(dmesg_since)"
	# The page stays poisoned and a new filesystem would not know: the
	# hwpoison cases come last in their group.
	umount "$mnt"
	;;
*)
	plan 1
	fail usage "unknown case '$case'"
	;;
esac
