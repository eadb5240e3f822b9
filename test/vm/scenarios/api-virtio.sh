#!/bin/sh
# api-virtio: on virtio-pmem (asynchronous DAX) a file meets "direct" but
# not "sync"; a sync directory policy makes daxpolicy_open refuse and leave
# no file behind. Its disk keeps a list of bad sectors (empty): a scan
# answers, exit 0.
. /usr/share/daxtest/lib.sh

dev=$(ls /dev/pmem* | head -n 1)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 8

mkfs_and_mount() { make_fs ext4 "$dev" >/dev/null && mount -o dax=always "$dev" "$mnt"; }
check mount mkfs_and_mount
daxtest create "$mnt/f" 1M >/dev/null
check_eq require-direct ok "$(daxapi require "$mnt/f" direct)"
check_match map-sync-refused "^refused (.*,)?async_dax_no_map_sync(,|$)" "$(daxapi map "$mnt/f" sync)"
check_eq map-direct "ok sf=0" "$(daxapi map "$mnt/f" direct)"
mkdir "$mnt/db"
dax-admin set-dir --sync --allow-ineffective "$mnt/db" >/dev/null 2>&1
check_eq policy-get-dir sync "$(dax-admin get-dir "$mnt/db" | jq -r .policy)"
check_match policy-open-refused '^refused .*async_dax_no_map_sync.* exists=0$' "$(daxapi open "$mnt/db/new" none)"
check_eq scan-empty-list "ok ranges=0" "$(daxapi scan "$mnt")"
check_eq badblocks-empty-list-exit-0 0 "$(dax-admin badblocks "$mnt" >/dev/null; echo $?)"
umount "$mnt"
