#!/bin/sh
# bench-probe: run the benchmarks staged by bench/run.sh --vm (bench-probe,
# bench-map, bench-exec timing dax-admin status) on a file of an XFS
# dax=always mount. Not a timed test:
# its one check is that the benchmark ran.
. /usr/share/daxtest/lib.sh

plan 1
dev=$(state_get PMEM)
mkdir -p /mnt/pmem
mkfs.xfs -q -f "$dev" && mount -o dax=always "$dev" /mnt/pmem
daxtest create /mnt/pmem/file 4M >/dev/null
echo "==== bench: begin"
# Rows for bench_table (bench/lib.sh), and one "status" line of three times.
bench-probe /mnt/pmem/file 20000
rc=$?
bench-map /mnt/pmem/file 30 || rc=$?
t=$(bench-exec 10 dax-admin status /mnt/pmem/file -- ndctl list -- \
	xfs_io -c 'statx -r' /mnt/pmem/file) || rc=$?
echo "status" $t
echo "==== bench: end"
check_eq bench-ran 0 "$rc"
umount /mnt/pmem
