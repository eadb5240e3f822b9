#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks, each printed beside its baseline in one run.
# Usage: bench/run.sh [BUILD-DIR] [FILE]   on this machine (FILE defaults to
#                                          a file in /tmp; name a file on a
#                                          DAX mount to measure there); as
#                                          root also set-dir --recursive
#                                          against xfs_io on 100,000 files,
#                                          and badblocks against filefrag
#        bench/run.sh --vm [BUILD-DIR]     the probe on a DAX file in the
#                                          QEMU guest
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
vm=
if [ "${1:-}" = --vm ]; then
	vm=1
	shift
fi
build=${1:-$top/build}
"$top/scripts/build.sh" "$build"
"$top/scripts/install-deps.sh"
make -C "$build" -s bench/bench-probe bench/bench-map bench/bench-open >/dev/null

if [ -n "$vm" ]; then
	stage="$build/vm/stage"
	make -C "$build" -s vm-stage >/dev/null
	bindir=$(dirname "$(find "$stage" -name dax-admin -type f | head -n 1)")
	for b in bench-probe bench-map; do
		"$build/libtool" --mode=install install -m 755 "$build/bench/$b" \
			"$bindir/$b" >/dev/null 2>&1
	done
	DAXTEST_VM_GROUPS="$top/bench/vm-groups" bash "$top/test/vm/run.sh" "$build" probe \
		>"$build/vm/bench-run.log" 2>&1 || { tail -20 "$build/vm/bench-run.log"; exit 1; }
	echo "== in the guest (real fsdax, XFS dax=always, TCG emulation)"
	sed -n '/==== bench: begin/,/==== bench: end/p' "$build/vm/logs/probe.log" |
		tr -d '\r' | grep -v -e '==== bench' -e '^@@DAXTEST' -e '^\[[0-9 .]*\] '
	exit 0
fi
file=${2:-}
if [ -z "$file" ]; then
	file=$(mktemp /tmp/daxpolicy-bench.XXXXXX)
	trap 'rm -f "$file"' EXIT
	head -c 65536 /dev/zero >"$file"
fi
echo "== fd probe vs bare statx ($file)"
"$build/bench/bench-probe" "$file"
echo
echo "== requirement API (MAP_SYNC lines need a file on a DAX mount)"
"$build/bench/bench-map" "$file"
echo
echo "== open()+close() outside policy directories, with and without the enforcer"
plain=$("$build/bench/bench-open" "$file")
enforced=$(LD_PRELOAD="$build/libdaxpolicy/.libs/libdaxpolicy-enforce.so" \
	LD_LIBRARY_PATH="$build/libdaxpolicy/.libs" "$build/bench/bench-open" "$file")
printf '%-44s %10s %8s\n' operation ns/call "x plain"
printf '%-44s %10s %8.2f\n' "open+close (baseline)" "$plain" 1
printf '%-44s %10s %8.2f\n' "open+close, libdaxpolicy-enforce.so" "$enforced" "$(echo "$enforced / $plain" | bc -l)"
echo
echo "== dax-admin status wall time (20 runs)"
start=$(date +%s%N)
for _ in $(seq 20); do "$build/daxctl-ext/dax-admin" status "$file" >/dev/null; done
end=$(date +%s%N)
printf '%-44s %10.2f ms\n' "dax-admin status FILE" "$(echo "($end - $start) / 20 / 1000000" | bc -l)"
if [ "$(id -u)" -eq 0 ]; then
	echo
	echo "== set-dir --direct --recursive vs xfs_io -c 'chattr -R +x' (loop ext4 and xfs)"
	bash "$top/bench/bench-set-dir.sh" "$build" 100000 2>/dev/null
	echo
	echo "== badblocks --from-list (1,000 bad sectors) vs filefrag -v -b512 (loop ext4, xfs rmapbt)"
	bash "$top/bench/bench-badblocks.sh" "$build" 2>/dev/null
fi
