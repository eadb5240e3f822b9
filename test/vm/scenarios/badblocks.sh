#!/bin/sh
# badblocks FS: software badblocks written to /sys/block/DISK/badblocks at
# known places of known files (found with filefrag) on real fsdax are
# mapped by dax-admin badblocks to the right file, byte offset and length,
# numbered like the device's own list and 'ndctl list -M'. Then a
# platform-reported error (machine check) of one sector, a sector of
# the superblock, one in free space and one range over two files. Works on a partition too (the filesystem's sectors are
# shifted by the partition start). FS: ext4, xfs (no rmapbt: FIEMAP walk)
# or xfs-rmapbt (owners from GETFSMAP).
. /usr/share/daxtest/lib.sh

variant=$1
fs=${variant%%-*}
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 17

start=$(bdev_start "$dev")

check mkfs make_fs "$variant" "$dev"
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
check_eq numbering "$((pa + 11)) 1 namespace" "$(printf '%s' "$out" | jq -r '.badblocks[0] | "\(.offset) \(.length) \(.source)"')"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
check_eq sector-in-page "5632 512" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/a" '.files[] | select(.path == $f) | .ranges[0] | "\(.file_offset) \(.length)"')"
check_eq block-of-b "61440 4096" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/b" '.files[] | select(.path == $f) | .ranges[0] | "\(.file_offset) \(.length)"')"
check_eq same-as-sysfs "$(cat "/sys/block/$disk/badblocks" | tr '\n' ' ')" \
	"$(printf '%s' "$out" | jq -r '.badblocks[] | "\(.offset) \(.length)"' | tr '\n' ' ')"
check_eq disk "$disk" "$(printf '%s' "$out" | jq -r .dev)"

# A platform-reported error (machine check) on one sector of a: the same
# place in 'ndctl list -M' and in dax-admin's answer.
inject_mce "$(pmem_phys "$disk" $((pa + 40)))" 9
wait_badblocks "$disk" 3
out=$(dax-admin badblocks "$mnt")
# (Software badblocks are not in ndctl's list: it shows platform errors.)
ndctl_bb=$(ndctl list -M -n "$ns" | jq -r '(if type == "array" then .[0] else . end) | .badblocks[] | "\(.offset) \(.length)"')
check_eq mce-in-ndctl "$((pa + 40)) 1" "$ndctl_bb"
check_contains same-as-ndctl "$ndctl_bb" "$(printf '%s' "$out" | jq -r '.badblocks[] | "\(.offset) \(.length)"')"
check_eq mce-file-range "20480 512" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/a" '.files[] | select(.path == $f) | .ranges[] | select(.sector == '$((pa + 40))') | "\(.file_offset) \(.length)"')"
# Rebinding the NVDIMM root forgets platform errors (and the software ones).
umount "$mnt"
clear_platform_errors
wait_for "$dev" 10
check remount mount -t "$fs" -o dax=always "$dev" "$mnt"

# The first sector of the filesystem (its superblock) is metadata; XFS
# without rmapbt cannot tell: unattributed.
list=metadata; [ "$variant" = xfs ] && list=unattributed
check_eq superblock-$list "$start 1" \
	"$(echo "$start 1" | dax-admin badblocks --from-list - "$mnt" | jq -r ".$list[0] | \"\\(.sector) \\(.sectors)\"")"

# A sector 5/16 into the filesystem, where nothing was written: free space.
free=$((start + $(sysfs "/sys/class/block/$(bdev_name "$dev")/size") * 5 / 16))
check_eq free-space "$free 1" \
	"$(echo "$free 1" | dax-admin badblocks --from-list - "$mnt" | jq -r '.unallocated[0] | "\(.sector) \(.sectors)"')"
# One range over the end of a and the start of b, which lie side by side.
if [ "$pb" -eq $((pa + 128)) ]; then
	check_eq range-spans-two-files "$mnt/a 61440+4096,$mnt/b 0+4096" \
		"$(echo "$((pa + 120)) 16" | dax-admin badblocks --from-list - "$mnt" | jq -r '[.files[] | "\(.path) \(.ranges[0].file_offset)+\(.ranges[0].length)"] | sort | join(",")')"
else
	skip range-spans-two-files "a and b do not lie side by side ($pa, $pb)"
fi

# A disk with no filesystem mounted: its bad ranges, unattributed.
umount "$mnt"
echo "$((start + 100)) 1" >"/sys/block/$disk/badblocks"
check_eq device-no-fs "null $((start + 100)) 1" \
	"$(dax-admin badblocks "/dev/$disk" | jq -r '"\(.mount) \(.unattributed[0].sector) \(.unattributed[0].sectors)"')"

# Clear the software badblocks: disable and enable the namespace.
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
