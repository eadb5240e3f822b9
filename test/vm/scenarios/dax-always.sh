#!/bin/sh
# dax-always FS: FS mounted with dax=always on the fsdax device in the
# shared state gives DAX files with working MAP_SYNC mappings.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 10

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
check_match mountinfo '(^|,)dax=always(,|$)' "$(mnt_superopts "$mnt")"
check create daxtest create "$mnt/file" 8M
check_eq statx-dax dax=1 "$(daxtest statx-dax "$mnt/file")"
check_eq map-sync "map_sync=1 sf=1" "$(daxtest mapsync "$mnt/file")"
# The per-file flag does not matter with dax=always.
check_eq no-flag-needed xflag_dax=0 "$(daxtest getflag "$mnt/file")"
check umount umount "$mnt"
check remount mount -t "$fs" -o dax=always "$dev" "$mnt"
check_eq verify "verify=ok size=8388608" "$(daxtest verify "$mnt/file")"
unmount_all
