#!/bin/sh
# A namespace left in raw mode is not DAX-capable: XFS falls back silently,
# ext4 refuses dax=always, and the per-directory flag does nothing.
. /usr/share/daxtest/lib.sh

ns=namespace0.0
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 15

check_eq mode raw "$(ns_field "$ns" mode)"
dev=/dev/$(ns_field "$ns" blockdev)
check block-device test -b "$dev"
check_eq queue-dax 0 "$(sysfs "/sys/block/${dev#/dev/}/queue/dax")"

check mkfs-xfs make_fs xfs "$dev"
dmesg_mark
check xfs-mount-always mount -t xfs -o dax=always "$dev" "$mnt"
check_contains xfs-fallback-message "DAX unsupported by block device" "$(dmesg_since)"
# XFS records the fallback in its mount options.
mode=$(mnt_superopts "$mnt" | tr ',' '\n' | sed -n 's/^dax=//p')
check_eq xfs-mount-mode never "$mode"
run daxtest create "$mnt/file" 1M
check_eq xfs-statx dax=0 "$(daxtest statx-dax "$mnt/file")"
check_eq xfs-map-sync "map_sync=0 errno=95" "$(daxtest mapsync "$mnt/file")"
check xfs-umount umount "$mnt"

check mkfs-ext4 make_fs ext4 "$dev"
check_fails ext4-mount-always mount -t ext4 -o dax=always "$dev" "$mnt"
check ext4-mount-inode mount -t ext4 -o dax=inode "$dev" "$mnt"
mkdir -p "$mnt/dax"
check_eq ext4-flag-accepted xflag_dax=1 "$(daxtest setflag "$mnt/dax")"
check_eq ext4-flagged-new-file "xflag_dax=1 dax=0" "$(daxtest tmpfile "$mnt/dax")"
unmount_all
