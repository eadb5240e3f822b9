#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks, each printed beside its baseline in one run.
# Usage: bench/run.sh [BUILD-DIR] [FILE]   (FILE defaults to a file in /tmp;
# pass a file on a DAX mount to measure there)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
"$top/scripts/build.sh" "$build"
make -C "$build" -s bench/bench-probe >/dev/null
file=${2:-}
if [ -z "$file" ]; then
	file=$(mktemp /tmp/daxpolicy-bench.XXXXXX)
	trap 'rm -f "$file"' EXIT
	head -c 65536 /dev/zero >"$file"
fi
echo "== fd probe vs bare statx ($file)"
"$build/bench/bench-probe" "$file"
echo
echo "== dax-admin status wall time (20 runs)"
start=$(date +%s%N)
for _ in $(seq 20); do "$build/daxctl-ext/dax-admin" status "$file" >/dev/null; done
end=$(date +%s%N)
printf '%-44s %10.2f ms\n' "dax-admin status FILE" "$(echo "($end - $start) / 20 / 1000000" | bc -l)"
