#!/bin/sh
# api FS: the requirement API of libdaxpolicy (through test/helpers/daxapi)
# on FS with dax=inode: requirements met on DAX files with real MAP_SYNC
# (smaps "sf"), refused with the right reason elsewhere, MADV_SYNC in place,
# and no stray file left by a refused create. The scan of a pmem disk
# with an empty list of bad sectors is an answer (exit 0), not a refusal.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 16

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
mkdir "$mnt/dax" "$mnt/plain"
daxtest setflag "$mnt/dax" >/dev/null
daxtest create "$mnt/dax/f" 1M >/dev/null
daxtest create "$mnt/plain/f" 1M >/dev/null

check_eq require-sync ok "$(daxapi require "$mnt/dax/f" sync)"
check_eq map-sync-sf "ok sf=1" "$(daxapi map "$mnt/dax/f" sync)"
check_eq map-plain-refused "refused dax_flag_not_set" "$(daxapi map "$mnt/plain/f" sync)"
check_eq require-direct-refused "refused dax_flag_not_set" "$(daxapi require "$mnt/plain/f" direct)"
check_eq madv-sync "ok same_addr=1 same_data=1 sf=1" "$(daxapi madv-sync "$mnt/dax/f")"
check_eq madv-sync-refused-intact "refused dax_flag_not_set intact=1" "$(daxapi madv-sync "$mnt/plain/f")"
check_eq madv-direct ok "$(daxapi madv-direct "$mnt/dax/f")"
check_eq open-refused-no-stray "refused dax_flag_not_set exists=0" "$(daxapi open "$mnt/plain/new" direct)"
check_eq open-created ok "$(daxapi open "$mnt/dax/new" sync)"
check_eq created-is-dax dax=1 "$(daxtest statx-dax "$mnt/dax/new")"
# The administrator's DAXPOLICY_REQUIRE raises a requirement-free call.
check_eq env-require "refused dax_flag_not_set" "$(DAXPOLICY_REQUIRE=sync daxapi map "$mnt/plain/f" none)"
# A sync directory policy raises daxpolicy_open's requirement.
dax-admin set-dir --sync "$mnt/dax/sub" >/dev/null 2>&1 || { mkdir "$mnt/dax/sub"; dax-admin set-dir --sync "$mnt/dax/sub" >/dev/null; }
check_eq policy-sync-open ok "$(daxapi open "$mnt/dax/sub/new" none)"
check_eq scan-empty-list "ok ranges=0" "$(daxapi scan "$mnt")"
check_eq badblocks-empty-list-exit-0 0 "$(dax-admin badblocks "$mnt" >/dev/null; echo $?)"
umount "$mnt"
