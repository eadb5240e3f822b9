#!/bin/sh
# set-dir-refused FS MOUNT-MODE CODE: on FS mounted with dax=MOUNT-MODE on
# the device in the shared state (or the first pmem), set-dir --direct fails
# with reason CODE and leaves the directory as it was.
. /usr/share/daxtest/lib.sh

fs=$1
mode=$2
code=$3
dev=$(state_get PMEM)
[ -n "$dev" ] || dev=$(ls /dev/pmem* 2>/dev/null | head -n 1)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 5

mkfs_and_mount() { make_fs "$fs" "$dev" >/dev/null && mount -t "$fs" -o "dax=$mode" "$dev" "$mnt"; }
check mount mkfs_and_mount
mkdir "$mnt/d"
err=$(dax-admin set-dir --direct "$mnt/d" 2>&1 >/dev/null)
check_eq exit-1 1 "$?"
check_match reason "$code: " "$err"
check_eq flag-undone xflag_dax=0 "$(daxtest getflag "$mnt/d")"
check_eq record-undone inherit "$(dax-admin get-dir "$mnt/d" | jq -r .policy)"
umount "$mnt"
