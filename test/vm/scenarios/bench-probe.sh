#!/bin/sh
# bench-probe: run the benchmarks staged by bench/run.sh --vm (bench-probe,
# bench-map, bench-exec timing dax-admin status) on a file of an XFS
# dax=always mount, then set-dir --direct --recursive on 10,000 files of an
# XFS dax=inode mount, where the flag takes effect (so each changed file is
# also looked at for pending), beside the kernel floor (set-flag-floor) on
# another 10,000. Not a timed test: its checks are that the benchmarks ran
# and that the last set-dir changed every file, which became DAX.
. /usr/share/daxtest/lib.sh

plan 3
da=/usr/libexec/daxtest/dax-admin	# the real binary, not the capturing wrapper
dev=$(state_get PMEM)
mkdir -p /mnt/pmem
mkfs.xfs -q -f "$dev" && mount -o dax=always "$dev" /mnt/pmem
daxtest create /mnt/pmem/file 4M >/dev/null
echo "==== bench: begin"
# Rows for bench_table (bench/lib.sh), and one "status" line of three times.
bench-probe /mnt/pmem/file 20000
rc=$?
bench-map /mnt/pmem/file 30 || rc=$?
t=$(bench-exec 10 "$da" status /mnt/pmem/file -- ndctl list -- \
	xfs_io -c 'statx -r' /mnt/pmem/file) || rc=$?
echo "status" $t
umount /mnt/pmem

mkfs.xfs -q -f "$dev" && mount -o dax=inode "$dev" /mnt/pmem
for t in a b; do
	for d in 0 1 2 3 4 5 6 7 8 9; do
		mkdir -p /mnt/pmem/$t/d$d
		(cd /mnt/pmem/$t/d$d && seq 1 1000 | sed 's/^/f/' | xargs touch)
		echo "/mnt/pmem/$t/d$d"
	done >/tmp/$t.dirs
done
ours= floor=
for r in 1 2 3; do
	set-flag-floor /tmp/a.dirs 1000 f clear >/dev/null
	set-flag-floor /tmp/b.dirs 1000 f clear >/dev/null
	sync
	ours="$ours $(bench-exec 1 "$da" set-dir --direct --recursive /mnt/pmem/a)" || rc=$?
	floor="$floor $(set-flag-floor /tmp/b.dirs 1000 f)" || rc=$?
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
printf 'set-dir --recursive, 10,000 files, real fsdax (median of 3)\t%s\tms\tkernel floor\t%s\t-\n' \
	"$(echo "$ours" | median | awk '{ printf "%.1f", $1 / 1e6 }')" \
	"$(echo "$floor" | median | awk '{ printf "%.1f", $1 * 1e3 }')"
echo "==== bench: end"
check_eq bench-ran 0 "$rc"
set-flag-floor /tmp/a.dirs 1000 f clear >/dev/null
dax-admin set-dir --direct --recursive /mnt/pmem/a >/tmp/set-dir.json
check_eq set-dir-changed-all "10000 0" "$(jq -r '"\(.counts.changed) \(.counts.pending)"' /tmp/set-dir.json)"
check_eq set-dir-dax "dax=1 dax=1" "$(daxtest statx-dax /mnt/pmem/a/d0/f1) $(daxtest statx-dax /mnt/pmem/a/d9/f1000)"
umount /mnt/pmem
