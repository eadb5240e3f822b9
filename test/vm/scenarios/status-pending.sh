#!/bin/sh
# status-pending FS: a file whose DAX flag is set while it is held open is
# reported pending with dax_pending, and active once every holder closed it.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 7

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
daxtest create "$mnt/file" 1M >/dev/null
hold_open "$mnt/file"
daxtest setflag "$mnt/file" >/dev/null
j=$(dax-admin status "$mnt/file")
check_eq pending-state pending "$(printf '%s' "$j" | jq -r .state)"
check_eq pending-dax "$(daxtest statx-dax "$mnt/file" | sed 's/dax=0/false/; s/dax=1/true/')" \
	"$(printf '%s' "$j" | jq -r .dax)"
check_match pending-reason '(^|,)dax_pending(,|$)' "$(printf '%s' "$j" | jq -r '[.reasons[].code] | join(",")')"
release_held
j=$(dax-admin status "$mnt/file")
check_eq after-close-state active "$(printf '%s' "$j" | jq -r .state)"
check_eq after-close-map-sync true "$(printf '%s' "$j" | jq -r .map_sync)"
umount "$mnt"
