#!/bin/sh
# cxl-clear FS: dax-admin badblocks --clear on a CXL region. Poison (64
# bytes, injected in the guest through debugfs) in a known file's block.
# Under TCG a read of poison succeeds and a write leaves it listed, so a
# read-back cannot tell; the repair must clear the poison through the
# kernel (debugfs clear_poison) and call the block cleared only when a
# fresh poison list holds none of it. Then: only the poisoned 64 bytes are
# zeroed, another file keeps its data, the poison list is empty, and a
# second scan is clean. With clear_poison hidden (an empty directory
# mounted over debugfs's cxl), the block must be moved and the bad block
# kept out of use (quarantined; on ext4, back in free space) as on nvdimm.
# With a clear_poison that takes the write and does nothing (a plain file
# mounted in its place: a device that ignores the clear), the fresh list
# still holds the poison, so the block must be moved too.
# FS: ext4 or xfs. Needs PMEM from cxl-region (one way).
. /usr/share/daxtest/lib.sh

variant=$1
dev=$(state_get PMEM)
disk=$(bdev_name "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 22

# The chain (lib.sh's cxl_geometry), one way: position 0's memdev and DPA.
cxl_geometry "$disk"
mem=$mem_0
dpa0=$dpa0_0
dbg=/sys/kernel/debug/cxl/$mem
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
t=/sys/kernel/tracing/instances/daxtest-clear
mkdir -p "$t" && echo 1 >"$t/events/cxl/cxl_poison/enable"
# The memdev's poison list, one "DPA LENGTH" line per record.
poison_list() {
	: >"$t/trace"
	echo 1 >"/sys/bus/cxl/devices/$mem/trigger_poison_list"
	grep "memdev=$mem .*trace_type=List" "$t/trace" | sed 's/.* dpa=\(0x[0-9a-f]*\) dpa_length=\(0x[0-9a-f]*\) .*/\1 \2/'
}
# sector_at FILE BYTE: the disk sector holding that byte of FILE (its extents
# by filefrag -v -b512; a file may lie in several).
sector_at() {
	filefrag -v -b512 "$1" | awk -F: -v s=$(($2 / 512)) '$1 ~ /^ *[0-9]+$/ {
		split($2, l, "[.][.]"); split($3, p, "[.][.]")
		if (s >= l[1] + 0 && s <= l[2] + 0) print p[1] + s - l[1] }'
}
# inject DISK-BYTE: 64 bytes of poison there (one way: DPA = dpa0 + HPA - base).
inject() {
	printf '0x%x' $((dpa0 + data + $1 - base)) >"$dbg/inject_poison"
}

case $variant in
ext4) check mkfs make_fs ext4 "$dev" ;;
xfs) check mkfs run mkfs.xfs -q -f -m reflink=1 "$dev" ;;
esac
check mount mount -o dax=always "$dev" "$mnt"
head -c 65536 /dev/urandom >"$mnt/a"
head -c 65536 /dev/urandom >"$mnt/b"
head -c 65536 /dev/urandom >"$mnt/c"
head -c 65536 /dev/urandom >"$mnt/d"
sync
cp "$mnt/a" /tmp/a.orig
cp "$mnt/c" /tmp/c.orig
cp "$mnt/d" /tmp/d.orig
sum_b=$(sha256sum <"$mnt/b")
pa=$(sector_at "$mnt/a" 12288)	# a's fourth block
pc=$(sector_at "$mnt/c" 8192)	# c's third block
pd=$(sector_at "$mnt/d" 8192)	# d's third block
log "a's block 12288 at sector $pa, c's block 8192 at $pc, d's at $pd"

# 64 bytes in page 3 of a, at byte 128 of it: a 12416+64.
check inject-a inject $((pa * 512 + 128))
check_eq listed "$(printf '0x%x 0x40' $((dpa0 + data + pa * 512 + 128 - base)))" "$(poison_list)"
out=$(dax-admin badblocks "$mnt")
check_eq scan-names-a "1 $mnt/a 12416+64" "$? $(printf '%s' "$out" | jq -r '.files[] | "\(.path) \(.ranges[0].file_offset)+\(.ranges[0].length)"')"

out=$(DAXPOLICY_LOG=debug dax-admin badblocks --clear "$mnt/a" --offset 12416 --length 64 --yes)
check_eq clear-exit-0 0 "$?"
check_eq zeroed "12416 64" "$(printf '%s' "$out" | jq -r '.zeroed[] | "\(.file_offset) \(.length)"')"
check_eq cleared-in-place "cleared 12288 $pa" \
	"$(printf '%s' "$out" | jq -r '.blocks[0] | "\(.method) \(.file_offset) \(.old_sector)"')"
# The device's own list: nothing left.
check_eq poison-list-empty "" "$(poison_list)"
cp "$mnt/a" /tmp/a.now
dd if=/dev/zero of=/tmp/a.orig bs=64 seek=194 count=1 conv=notrunc 2>/dev/null
check_eq only-poisoned-64-zeroed "$(sha256sum </tmp/a.orig)" "$(sha256sum </tmp/a.now)"
check_eq other-file-intact "$sum_b" "$(sha256sum <"$mnt/b")"
after=$(dax-admin badblocks "$mnt")
check_eq second-scan-clean "0 0" "$? $(printf '%s' "$after" | jq '.files | length')"

# Clearing not offered: the block is moved, the bad one kept out of use.
check inject-c inject $((pc * 512 + 256))
mount -t tmpfs none /sys/kernel/debug/cxl
out=$(DAXPOLICY_LOG=debug dax-admin badblocks --clear "$mnt/c" --offset 8448 --length 64 --yes)
rc=$?
umount /sys/kernel/debug/cxl
check_eq unoffered-moved "0 moved $pc" "$rc $(printf '%s' "$out" | jq -r '.blocks[0] | "\(.method) \(.old_sector)"')"
cp "$mnt/c" /tmp/c.now
dd if=/dev/zero of=/tmp/c.orig bs=64 seek=132 count=1 conv=notrunc 2>/dev/null
check_eq unoffered-only-64-zeroed "$(sha256sum </tmp/c.orig)" "$(sha256sum </tmp/c.now)"
where=quarantined; [ "$variant" = ext4 ] && where=unallocated
after=$(dax-admin badblocks "$mnt")
check_eq unoffered-scan-clean "0 0 $pc" \
	"$? $(printf '%s' "$after" | jq '.files | length') $(printf '%s' "$after" | jq ".$where[0].sector")"

# Clearing offered but without effect: the write is taken, the poison stays.
dpa_d=$((dpa0 + data + pd * 512 + 256 - base))
check inject-d inject $((pd * 512 + 256))
mount -t tmpfs none /sys/kernel/debug/cxl
mkdir "/sys/kernel/debug/cxl/$mem" && : >"/sys/kernel/debug/cxl/$mem/clear_poison"
out=$(DAXPOLICY_LOG=debug dax-admin badblocks --clear "$mnt/d" --offset 8448 --length 64 --yes)
rc=$?
written=$(cat "/sys/kernel/debug/cxl/$mem/clear_poison")
umount /sys/kernel/debug/cxl
check_eq ineffective-clear-asked "$(printf '0x%x' "$dpa_d")" "$written"
check_eq ineffective-moved "0 moved $pd" "$rc $(printf '%s' "$out" | jq -r '.blocks[0] | "\(.method) \(.old_sector)"')"
cp "$mnt/d" /tmp/d.now
dd if=/dev/zero of=/tmp/d.orig bs=64 seek=132 count=1 conv=notrunc 2>/dev/null
check_eq ineffective-only-64-zeroed "$(sha256sum </tmp/d.orig)" "$(sha256sum </tmp/d.now)"
after=$(dax-admin badblocks "$mnt")
check_eq ineffective-still-listed-no-file "$(printf '0x%x 0x40' "$dpa_d") 0" \
	"$(poison_list | grep "$(printf '0x%x' "$dpa_d")") $(printf '%s' "$after" | jq '.files | length')"
# Leave the device clean for what follows.
printf '0x%x' $((dpa0 + data + pc * 512 + 256 - base)) >"$dbg/clear_poison"
printf '0x%x' "$dpa_d" >"$dbg/clear_poison"
check_eq cleanup-list-empty "" "$(poison_list)"
rmdir "$t" 2>/dev/null
unmount_all
