#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz tier: build the libFuzzer targets (build.sh) and run each for a
# bounded time from its committed seed corpus (corpus/TARGET/), adding what
# it finds to a working corpus in the build directory.
# Usage: test/fuzz/run.sh BUILD-DIR [TARGET...]
#   DAXPOLICY_FUZZ_SECONDS  seconds per target (default 30)
# Exit: 0 no crash, 1 a target crashed or did not build, 77 cannot run here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILD-DIR [TARGET...]}" && pwd)
shift
out=$build/fuzz
seconds=${DAXPOLICY_FUZZ_SECONDS:-30}
pass=0 failed=0

why=$("$here/build.sh" "$build" "$out" 2>&1)
case $? in
0) ;;
77) echo "SKIP: fuzz: $why"; echo "fuzz: 0 passed, 0 failed, 1 skipped"; exit 77 ;;
*) printf '%s\n' "$why" | tail -20; echo "FAIL: fuzz: the targets do not build"
   echo "fuzz: 0 passed, 1 failed, 0 skipped"; exit 1 ;;
esac

if [ $# -eq 0 ]; then
	for d in "$here"/corpus/*/; do set -- "$@" "$(basename "$d")"; done
fi
# The parsers that read files get theirs on tmpfs when there is one.
tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$@"; do
	bin=$out/fuzz-$t log=$out/$t.log work=$out/corpus/$t
	mkdir -p "$work" "$out/crashes"
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz/$t: no target $bin"; failed=$((failed + 1)); continue
	fi
	# stderr of the parsers (their error messages) is closed; libFuzzer
	# and the sanitizers report on a copy of it.
	DAXPOLICY_FUZZ_TMP=$tmp nice "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=2 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$t-" "$work" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "PASS: fuzz/$t: ${runs:-?} inputs in ${seconds} s, corpus $(find "$work" -type f | wc -l) files"
		pass=$((pass + 1))
	else
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -8
		echo "FAIL: fuzz/$t: exit status $rc (log $log, input in $out/crashes/)"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $pass passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
