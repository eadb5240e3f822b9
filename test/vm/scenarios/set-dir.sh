#!/bin/sh
# set-dir FS: dax-admin set-dir and get-dir on real fsdax with dax=inode:
# the policy takes effect for new files (the kernel's statx and MAP_SYNC
# say so), non-empty directories are refused, --recursive reports a file
# held open as pending with its holder and it becomes DAX once closed.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 21

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
mkdir "$mnt/db" "$mnt/cache" "$mnt/tree"

check set-direct dax-admin set-dir --direct "$mnt/db"
daxtest create "$mnt/db/f" 1M >/dev/null
check_eq direct-statx dax=1 "$(daxtest statx-dax "$mnt/db/f")"
check_eq direct-map-sync "map_sync=1 sf=1" "$(daxtest mapsync "$mnt/db/f")"

check set-page-cache dax-admin set-dir --page-cache "$mnt/cache"
daxtest create "$mnt/cache/f" 1M >/dev/null
check_eq page-cache-statx dax=0 "$(daxtest statx-dax "$mnt/cache/f")"

check_fails non-empty-refused dax-admin set-dir --sync "$mnt/db"
check set-sync dax-admin set-dir --sync --force "$mnt/db"
mkdir "$mnt/db/sub"
check_eq sync-get-dir "sync $mnt/db" "$(dax-admin get-dir "$mnt/db/sub" | jq -r '"\(.effective_policy) \(.source)"')"
check_eq sync-status "sync" "$(dax-admin status "$mnt/db/sub" | jq -r .policy)"
check_eq sync-new-files "true true" "$(dax-admin get-dir "$mnt/db/sub" | jq -r '"\(.new_files.dax) \(.new_files.map_sync)"')"

# --recursive on a tree with a file held open.
mkdir -p "$mnt/tree/a"
daxtest create "$mnt/tree/a/open" 1M >/dev/null
daxtest create "$mnt/tree/a/closed" 1M >/dev/null
hold_open "$mnt/tree/a/open"
out=$(dax-admin set-dir --direct --recursive "$mnt/tree")
check_eq recursive-exit 0 "$?"
check_eq recursive-pending "$mnt/tree/a/open" "$(printf '%s' "$out" | jq -r '.pending[0].path')"
check_eq recursive-holder "$HOLDER" "$(printf '%s' "$out" | jq -r '.pending[0].pids[0]')"
check_eq recursive-closed-dax dax=1 "$(daxtest statx-dax "$mnt/tree/a/closed")"
check_eq pending-not-yet dax=0 "$(daxtest statx-dax "$mnt/tree/a/open")"
release_held
check_eq pending-after-close dax=1 "$(daxtest statx-dax "$mnt/tree/a/open")"

# A symlink to a directory outside is not followed; a mount inside is not
# entered.
mkdir -p /tmp/outside "$mnt/tree2/m"
ln -s /tmp/outside "$mnt/tree2/link"
mount -t tmpfs tmpfs "$mnt/tree2/m"
out=$(dax-admin set-dir --direct --recursive "$mnt/tree2")
check_eq no-follow 0 "$(printf '%s' "$out" | jq '[.changed[], .unchanged[] | select(test("link"))] | length')"
check_eq mount-skipped "$mnt/tree2/m" "$(printf '%s' "$out" | jq -r '.skipped[0].path')"
umount "$mnt/tree2/m"

check_eq clear "inherit" "$(dax-admin set-dir --clear --force "$mnt/db" >/dev/null; dax-admin get-dir "$mnt/db" | jq -r .policy)"
umount "$mnt"
