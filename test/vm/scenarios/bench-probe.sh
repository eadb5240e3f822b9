#!/bin/sh
# bench-probe: run the probe benchmark (bench/bench-probe, staged by
# bench/run.sh --vm) on a file of an XFS dax=always mount. Not a timed test:
# its one check is that the benchmark ran.
. /usr/share/daxtest/lib.sh

plan 1
dev=$(state_get PMEM)
mkdir -p /mnt/pmem
mkfs.xfs -q -f "$dev" && mount -o dax=always "$dev" /mnt/pmem
daxtest create /mnt/pmem/file 4M >/dev/null
echo "==== bench: begin"
bench-probe /mnt/pmem/file 200000
rc=$?
echo
bench-map /mnt/pmem/file 20000 || rc=$?
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
start=$(uptime_cs)
for i in 1 2 3 4 5 6 7 8 9 10; do dax-admin status /mnt/pmem/file >/dev/null; done
end=$(uptime_cs)
echo "dax-admin status FILE: $(((end - start) * 10 / 10)) ms per run (10 runs)"
echo "==== bench: end"
check_eq bench-ran 0 "$rc"
umount /mnt/pmem
