#!/bin/sh
# dax-inode FS: with dax=inode, FS_XFLAG_DAX on a directory makes new files
# in it DAX, files elsewhere are not DAX and refuse MAP_SYNC, and flagging
# an open file only takes effect once it has been closed.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 16

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
# ext4 shows dax=inode, XFS shows nothing for its default mode.
mode=$(mnt_superopts "$mnt" | tr ',' '\n' | sed -n 's/^dax=//p')
check_eq mount-mode inode "${mode:-inode}"

mkdir -p "$mnt/dax" "$mnt/plain"
check_eq set-dir-flag xflag_dax=1 "$(daxtest setflag "$mnt/dax")"
check_eq plain-dir-flag xflag_dax=0 "$(daxtest getflag "$mnt/plain")"
check_eq tmpfile-probe "xflag_dax=1 dax=1" "$(daxtest tmpfile "$mnt/dax")"

run daxtest create "$mnt/dax/file" 4M
run daxtest create "$mnt/plain/file" 4M
check_eq inherited-flag xflag_dax=1 "$(daxtest getflag "$mnt/dax/file")"
check_eq flagged-statx dax=1 "$(daxtest statx-dax "$mnt/dax/file")"
check_eq flagged-map-sync "map_sync=1 sf=1" "$(daxtest mapsync "$mnt/dax/file")"
check_eq plain-statx dax=0 "$(daxtest statx-dax "$mnt/plain/file")"
check_eq plain-map-sync "map_sync=0 errno=95" "$(daxtest mapsync "$mnt/plain/file")"

# Pending: the flag is set while the file is open; S_DAX changes only
# after the last close lets the inode be evicted.
hold_open "$mnt/plain/file"
check_eq pending-flag xflag_dax=1 "$(daxtest setflag "$mnt/plain/file")"
check_eq pending-statx dax=0 "$(daxtest statx-dax "$mnt/plain/file")"
release_held
check_eq after-close-statx dax=1 "$(daxtest statx-dax "$mnt/plain/file")"
check_eq verify "verify=ok size=4194304" "$(daxtest verify "$mnt/plain/file")"
check umount umount "$mnt"
unmount_all
