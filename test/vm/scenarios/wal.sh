#!/bin/sh
# wal FS: the example write-ahead log (examples/wal) appends through a
# MAP_SYNC mapping on real fsdax and its records survive an unmount.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 6

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
mkdir "$mnt/db"
dax-admin set-dir --sync "$mnt/db" >/dev/null
check_eq append "appended 1000" "$(wal append "$mnt/db" 1000)"
check_eq append-more "appended 500" "$(wal append "$mnt/db" 500)"
umount "$mnt" && mount -t "$fs" -o dax=inode "$dev" "$mnt"
check_eq verify-after-remount "verified 1500" "$(wal verify "$mnt/db")"
check_eq log-is-dax dax=1 "$(daxtest statx-dax "$mnt/db/wal.log")"
umount "$mnt"
