#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CXL poison to files at 100,000 files: dax-admin badblocks on XFS (rmapbt,
# dax=always) over the fsdax namespace of a CXL pmem region, in the 6.12
# QEMU guest (TCG) of the vm group bench/vm-groups/cxl-poison.sh, whose
# scenario test/vm/scenarios/bench-cxl-poison.sh does the work:
#   - 126 poison records injected by QMP, read by dax-admin through tracefs
#     as in production, beside --from-list with the same sectors (126 is
#     what QEMU 10.0 can list: it keeps up to 256 records per memdev but
#     answers Get Poison List in one 2 KiB mailbox payload and fails an
#     assertion, killing the guest, past 126);
#   - 1,000 records fed through DAXPOLICY_TEST_CXL_POISON (the DPAs of 1,000
#     random files' first pages), beside --from-list with the same sectors,
#     and the peak RSS of both.
# --from-list is the nvdimm path (what a pmem disk's badblocks list gives):
# the same filesystem, the same attribution, so each ratio is what CXL adds
# (triggering and reading the poison lists, parsing, the DPA-to-disk
# arithmetic, narrowing each hit to its 64 bytes). The target, 1.5x, says
# that the CXL work must stay small beside the filesystem walk that both
# share: 1,000 records are a few thousand arithmetic steps and one tracefs
# read, so anything near the walk's cost is a fault (a per-record scan of
# the tree, a quadratic merge). Memory has the same 1.5x: a record is tens
# of bytes. Each way is checked in the guest before it is timed (every
# picked file named, the CXL ways with their exact 64-byte ranges); a failed
# check fails the benchmark.
# As root (and unless BENCH_NVDIMM=0) the nvdimm figure of
# bench/bench-badblocks.sh follows, on this host: --from-list with 1,000
# sectors on a loop XFS (rmapbt) of 100,000 files, beside filefrag.
# Takes about ten minutes on a loaded 2-core machine: the guest runs under
# TCG, and writing the 100,000 files (mkfs.xfs -p) is most of it.
# Usage: bench/bench-cxl-poison.sh [BUILD-DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
build=${1:-$top/build}
"$top/scripts/build.sh" "$build"
"$top/scripts/install-deps.sh"
build=$(cd "$build" && pwd)
mkdir -p "$build/vm"
make -C "$build" -s bench/bench-exec vm-stage >"$build/vm/bench-make.log" 2>&1 ||
	{ tail -20 "$build/vm/bench-make.log" >&2; exit 1; }
stage="$build/vm/stage"
bindir=$(dirname "$(find "$stage" -path '*/bin/dax-admin' -type f | head -n 1)")
"$build/libtool" --mode=install install -m 755 "$build/bench/bench-exec" "$bindir/bench-exec" >/dev/null 2>&1

DAXTEST_VM_KERNELS=6.12 DAXTEST_VM_GROUPS="$top/bench/vm-groups" \
	bash "$top/test/vm/run.sh" "$build" cxl-poison >"$build/vm/bench-cxl-poison.log" 2>&1 || {
	grep -E '^(FAIL|SKIP)' "$build/vm/bench-cxl-poison.log" >&2
	tail -5 "$build/vm/bench-cxl-poison.log" >&2
	exit 1
}
grep -q '^PASS: .*bench-cxl-poison-xfs-rmapbt/umount' "$build/vm/bench-cxl-poison.log" || {
	echo "bench-cxl-poison: the guest did not run the benchmark (see $build/vm/bench-cxl-poison.log)" >&2
	exit 1
}
rows=$(sed -n '/==== bench: begin/,/==== bench: end/p' "$build/vm/logs/6.12/cxl-poison.log" | tr -d '\r' |
	grep -v -e '==== bench' -e '^@@DAXTEST' -e '^\[[0-9 .]*\] ')
echo "== CXL poison to files in the QEMU guest (TCG, kernel 6.12): $(grep -m1 '^# vm-6.12/cxl-poison:' "$build/vm/bench-cxl-poison.log" | sed 's/.*: //')"
grep '^# ' <<<"$rows" || true
rc=0
grep -v '^# ' <<<"$rows" | bench_table || rc=1
if [ "$(id -u)" -eq 0 ] && [ "${BENCH_NVDIMM:-1}" != 0 ]; then
	echo
	echo "== the nvdimm figure on this host: badblocks --from-list (1,000 bad sectors) vs filefrag -v -b512, loop xfs rmapbt"
	BENCH_FS=xfs-rmapbt BENCH_FILES=100000 bash "$top/bench/bench-badblocks.sh" "$build" 2>/dev/null
fi
exit $rc
