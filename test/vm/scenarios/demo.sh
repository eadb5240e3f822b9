#!/bin/sh
# demo: what an administrator sees. Makes an fsdax namespace, an XFS with
# dax=inode on it, one DAX directory and one plain directory, and shows
# ndctl list and dax-admin on them. Its checks keep the demo honest.
. /usr/share/daxtest/lib.sh

plan 5
show() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "==== demo: begin"
show ndctl list -N -R
dev=/dev/$(ndctl list -N | jq -r 'if type == "array" then .[0] else . end | .blockdev')
mkdir -p /mnt/pmem
mkfs.xfs -q -f "$dev" && mount -o dax=inode "$dev" /mnt/pmem
mkdir -p /mnt/pmem/db /mnt/pmem/logs
daxtest setflag /mnt/pmem/db >/dev/null
daxtest create /mnt/pmem/db/table 8M >/dev/null
daxtest create /mnt/pmem/logs/app.log 1M >/dev/null
show dax-admin status --brief /mnt/pmem/db /mnt/pmem/db/table /mnt/pmem/logs /mnt/pmem/logs/app.log "$dev"
show dax-admin status -u /mnt/pmem/db/table
show dax-admin status /mnt/pmem/logs
show dax-admin check --require=sync /mnt/pmem/db/table /mnt/pmem/logs/app.log >/dev/null
echo "(exit status $?)"
mkdir /mnt/pmem/wal
show dax-admin set-dir --sync /mnt/pmem/wal
show dax-admin get-dir /mnt/pmem/wal
# A media error in the middle of the table: which bytes are lost?
disk=${dev#/dev/}
p=$(filefrag -v -b512 /mnt/pmem/db/table | awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 + 0 }')
echo "$((p + 1001)) 1" >"/sys/block/$disk/badblocks"
show dax-admin badblocks /mnt/pmem
echo "==== demo: end"

check_eq db-table-dax true "$(dax-admin status /mnt/pmem/db/table | jq -r .dax)"
check_eq logs-not-dax false "$(dax-admin status /mnt/pmem/logs/app.log | jq -r .dax)"
check_eq logs-reason dax_flag_not_set "$(dax-admin status /mnt/pmem/logs | jq -r '.reasons[0].code')"
dax-admin check -q --require=sync /mnt/pmem/db/table
check_eq db-check-sync 0 "$?"
check_eq badblock-in-table "/mnt/pmem/db/table 512512" \
	"$(dax-admin badblocks /mnt/pmem | jq -r '.files[0] | "\(.path) \(.ranges[0].file_offset)"')"
umount /mnt/pmem
