#!/bin/sh
# enforce FS: real databases under the LD_PRELOAD enforcer in a sync-policy
# directory on real fsdax: sqlite3 with memory-mapped I/O and an LMDB
# program with MDB_WRITEMAP get MAP_SYNC mappings ("sf") and read their
# data back. Remounted dax=never (a non-DAX setup), sqlite3 fails loudly in
# enforce mode and runs with a warning in warn mode. A direct-policy
# directory: its file opens and maps on real DAX; after the remount the open
# fails with EOPNOTSUPP and a message naming the direct policy in enforce
# mode, and goes ahead with a warning in warn mode.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 15

enforcer=$(ls /usr/lib/libdaxpolicy-enforce.so /usr/local/lib/libdaxpolicy-enforce.so \
	/usr/lib/*/libdaxpolicy-enforce.so 2>/dev/null | head -n 1)
check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=inode "$dev" "$mnt"
mkdir "$mnt/db" "$mnt/direct"
dax-admin set-dir --sync "$mnt/db" >/dev/null
dax-admin set-dir --direct "$mnt/direct" >/dev/null
head -c 8192 /dev/zero >"$mnt/direct/f"
check_eq direct-dax-opens "open=ok mmap=ok" "$(LD_PRELOAD=$enforcer enforce-cases open "$mnt/direct/f" 2>&1)"

# sqlite3 reads through its mapping; .shell looks at its own smaps.
out=$(LD_PRELOAD=$enforcer sqlite3 "$mnt/db/test.sqlite" \
	"PRAGMA mmap_size=4194304;" "CREATE TABLE t(x);" "INSERT INTO t VALUES(7),(8),(9);" \
	"SELECT sum(x) FROM t;" \
	".shell awk '/test.sqlite/ { m = 1 } m && /^VmFlags/ { print; exit }' /proc/\$PPID/smaps" 2>&1)
check_match sqlite-data '^24$' "$out"
check_match sqlite-sf 'VmFlags:.* sf' "$out"
check_eq sqlite-readback 24 "$(sqlite3 "$mnt/db/test.sqlite" 'SELECT sum(x) FROM t;')"
# Without the enforcer, the same mapping is an ordinary one.
out=$(sqlite3 "$mnt/db/test.sqlite" "PRAGMA mmap_size=4194304;" "SELECT sum(x) FROM t;" \
	".shell awk '/test.sqlite/ { m = 1 } m && /^VmFlags/ { print; exit }' /proc/\$PPID/smaps" 2>&1)
flags=$(printf '%s\n' "$out" | grep VmFlags)
check_eq without-enforcer-no-sf "mapped=1 sf=0" \
	"mapped=$(printf '%s\n' "$flags" | grep -c VmFlags) sf=$(printf '%s\n' "$flags" | grep -c ' sf')"

if command -v lmdb-writemap >/dev/null; then
	mkdir "$mnt/db/lmdb"
	check_eq lmdb "ok sf=1 keys=1000" "$(LD_PRELOAD=$enforcer lmdb-writemap "$mnt/db/lmdb" 1000)"
else
	fail lmdb "lmdb-writemap is not in the guest (liblmdb-dev missing at build time)"
fi

# The same directory on a mount that cannot do DAX.
umount "$mnt"
mount -t "$fs" -o dax=never "$dev" "$mnt"
err=$(LD_PRELOAD=$enforcer sqlite3 "$mnt/db/test.sqlite" "SELECT sum(x) FROM t;" 2>&1)
check_eq enforce-fails 1 "$?"
check_match enforce-message "test.sqlite: the sync policy of $mnt/db is not met" "$err"
check_eq warn-runs 24 "$(DAXPOLICY_ENFORCE=warn LD_PRELOAD=$enforcer sqlite3 "$mnt/db/test.sqlite" 'SELECT sum(x) FROM t;' 2>/dev/null)"
out=$(LD_PRELOAD=$enforcer enforce-cases open "$mnt/direct/f" 2>/tmp/direct.err)
check_eq direct-enforce-refused "open=EOPNOTSUPP" "$out"
check_match direct-enforce-message "$mnt/direct/f: the direct policy of $mnt/direct is not met\$" "$(cat /tmp/direct.err)"
out=$(DAXPOLICY_ENFORCE=warn LD_PRELOAD=$enforcer enforce-cases open "$mnt/direct/f" 2>/tmp/direct.err)
check_eq direct-warn-goes-ahead "open=ok mmap=ok" "$out"
check_match direct-warn-message "the direct policy of $mnt/direct is not met \\(warn mode: going ahead\\)" "$(cat /tmp/direct.err)"
umount "$mnt"
