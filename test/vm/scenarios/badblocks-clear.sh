#!/bin/sh
# badblocks-clear FS: dax-admin badblocks --clear on real fsdax (no platform
# clear-error under QEMU, so the file is moved off the bad block): the file
# reads again with only the named bytes zeroed, another file keeps its
# data, the bad block is kept out of use in the quarantine directory, and
# badblocks no longer lists the file. FS: ext4, xfs (reflink) or
# xfs-noreflink (the allocator is asked for the bad block). ext4 without
# reflink cannot keep the bad block: it is reported back in free space.
. /usr/share/daxtest/lib.sh

variant=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 14

case $variant in
ext4) check mkfs make_fs ext4 "$dev" ;;
xfs) check mkfs run mkfs.xfs -q -f -m reflink=1 "$dev" ;;
xfs-noreflink) check mkfs run mkfs.xfs -q -f -m reflink=0 "$dev" ;;
esac
check mount mount -o dax=always "$dev" "$mnt"
head -c 65536 /dev/urandom >"$mnt/a"
head -c 65536 /dev/urandom >"$mnt/b"
sync
cp "$mnt/a" /tmp/a.orig
sum_b=$(sha256sum <"$mnt/b")
pa=$(phys_of "$mnt/a")
# One bad sector in the middle of a's second block: bytes 5632..6143.
echo "$((pa + 11)) 1" >"/sys/block/$disk/badblocks"
check_fails read-fails dd if="$mnt/a" of=/dev/null bs=4096 iflag=direct

dax-admin badblocks --clear "$mnt/a" --offset 5632 --length 512 >/dev/null 2>&1
check_eq refused-without-yes "2 $pa" "$? $(phys_of "$mnt/a")"
dax-admin badblocks --clear "$mnt/a" --offset 0 --length 512 --yes >/dev/null 2>&1
check_eq refused-range-not-bad 2 "$?"

# (The library's account of how it kept the bad block goes to the log.)
out=$(DAXPOLICY_LOG=debug dax-admin badblocks --clear "$mnt/a" --offset 5632 --length 512 --yes)
check_eq clear-exit-0 0 "$?"
check_eq zeroed "5632 512" "$(printf '%s' "$out" | jq -r '.zeroed[] | "\(.file_offset) \(.length)"')"
check_eq moved "moved 4096 $((pa + 8))" "$(printf '%s' "$out" | jq -r '.blocks[0] | "\(.method) \(.file_offset) \(.old_sector)"')"
q=$(printf '%s' "$out" | jq -r '.blocks[0].quarantine')
if [ "$variant" = ext4 ]; then
	check_eq no-quarantine-on-ext4 null "$q"
else
	check_eq quarantine-holds-bad-block "$((pa + 8))" "$(phys_of "$mnt/$q")"
fi
check_match moved-elsewhere '^[0-9]+$' "$(phys_of "$mnt/a" 1 | grep -vx "$((pa + 8))")"
check read-all dd if="$mnt/a" of=/tmp/a.now bs=4096 iflag=direct
# Expected: the original with exactly the bad sector zeroed.
dd if=/dev/zero of=/tmp/a.orig bs=512 seek=11 count=1 conv=notrunc 2>/dev/null
check_eq only-named-bytes-zeroed "$(sha256sum </tmp/a.orig)" "$(sha256sum </tmp/a.now)"
check_eq other-file-intact "$sum_b" "$(sha256sum <"$mnt/b")"
where=quarantined; [ "$variant" = ext4 ] && where=unallocated
after=$(dax-admin badblocks "$mnt")
check_eq scan-clean "0 0 $((pa + 11))" "$? $(printf '%s' "$after" | jq '.files | length') $(printf '%s' "$after" | jq ".$where[0].sector")"

umount "$mnt"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
