#!/bin/sh
# badblocks-reflink: on XFS with reflink, a bad sector in an extent shared
# by two files is reported for both owners, marked shared.
. /usr/share/daxtest/lib.sh

dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 5

mkfs_and_mount() { mkfs.xfs -q -f -m reflink=1 "$dev" && mount -o dax=always "$dev" "$mnt"; }
check mount mkfs_and_mount
daxtest create "$mnt/orig" 65536 >/dev/null
check reflink xfs_io -f -c "reflink $mnt/orig" "$mnt/copy"
sync
check_eq same-blocks "$(phys_of "$mnt/orig")" "$(phys_of "$mnt/copy")"
p=$(phys_of "$mnt/orig")
echo "$((p + 20)) 1" >"/sys/block/$disk/badblocks"
out=$(dax-admin badblocks "$mnt")
check_eq both-owners "$mnt/copy $mnt/orig" \
	"$(printf '%s' "$out" | jq -r '[.files[].path] | sort | join(" ")')"
check_eq shared-at-same-offset "10240 512 true,10240 512 true" \
	"$(printf '%s' "$out" | jq -r '[.files[].ranges[0] | "\(.file_offset) \(.length) \(.shared)"] | join(",")')"
umount "$mnt"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
