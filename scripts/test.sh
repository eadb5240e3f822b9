#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: installs what is missing, builds, and runs every tier.
#   unit      Check suites and CLI checks, no root needed (make check)
#   host      root integration tests on loop-mounted ext4 and xfs
#   unit-san  unit tier again, built with AddressSanitizer + UBSan
#   host-san  host tier again with the sanitizer build
#   unit-tsan unit tier again, built with ThreadSanitizer
#   dist      make distcheck
#   package   Debian packages from debian/: built, unpacked, run, lintian
#   fuzz      libFuzzer targets of every parser, DAXPOLICY_FUZZ_SECONDS (30) each
#   vm        real fsdax in QEMU guests with emulated NVDIMMs, on the 6.1 and
#             6.12 guest kernels (test/vm/README.md)
# Usage: scripts/test.sh [TIER...]      (default: all tiers, in that order)
# Each tier prints its own "TIER: N passed, N failed, N skipped" line; the
# last line sums them. Exit status 0 only when nothing failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$("$top/scripts/default-build-dir.sh")
build_san=${DAXPOLICY_BUILD_SAN:-$top/build-san}
build_tsan=${DAXPOLICY_BUILD_TSAN:-$top/build-tsan}
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit host unit-san host-san unit-tsan dist package fuzz vm)

total_pass=0 total_fail=0 total_skip=0
summary=()
start=$SECONDS

note() { printf '\n==== %s\n' "$*"; }

# record TIER PASS FAIL SKIP
record() {
	summary+=("$(printf '%-9s %s passed, %s failed, %s skipped' "$1:" "$2" "$3" "$4")")
	total_pass=$((total_pass + $2)) total_fail=$((total_fail + $3)) total_skip=$((total_skip + $4))
}

# Tally the PASS:/FAIL:/ERROR:/SKIP: lines of a log into a tier's counts.
record_from_log() {
	local tier=$1 log=$2 p f s
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -cE '^(FAIL|ERROR|XPASS): ' "$log")
	s=$(grep -c '^SKIP: ' "$log")
	record "$tier" "$p" "$f" "$s"
}

unit_tier() { # TIER BUILD-DIR
	local tier=$1 dir=$2 log
	log="$dir/unit-tier.log"
	make -C "$dir" -j"$(nproc)" check >"$log" 2>&1
	grep -E '^(PASS|FAIL|ERROR|SKIP|XPASS|XFAIL): ' "$log"
	# Show the individual failures from the per-test logs.
	grep -hE '^(FAIL|.*:[0-9]+:[EF]:)' "$dir"/test/unit/*.log 2>/dev/null | head -40
	if ! grep -qE '^# TOTAL: *[1-9]' "$log"; then
		echo "FAIL: $tier: make check ran no test"; tail -30 "$log"
		echo "FAIL: $tier" >>"$log"
	fi
	record_from_log "$tier" "$log"
}

host_tier() { # TIER BUILD-DIR
	local tier=$1 dir=$2 log rc
	log="$dir/host-tier.log"
	bash "$top/test/host/run.sh" "$dir" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ]; then
		record "$tier" 0 0 1
	else
		[ "$rc" -eq 0 ] || grep -q '^FAIL: ' "$log" || echo "FAIL: $tier: exit status $rc" | tee -a "$log"
		record_from_log "$tier" "$log"
	fi
}

dist_tier() {
	local log="$build/distcheck.log"
	if make -C "$build" distcheck DISTCHECK_CONFIGURE_FLAGS= >"$log" 2>&1; then
		echo "PASS: dist: make distcheck"; record dist 1 0 0
	else
		tail -30 "$log"; echo "FAIL: dist: make distcheck (see $log)"; record dist 0 1 0
	fi
}

package_tier() {
	local log="$build/package-tier.log" rc
	bash "$top/test/package/run.sh" "$build" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ]; then
		record package 0 0 1
	else
		[ "$rc" -eq 0 ] || grep -q '^FAIL: ' "$log" || echo "FAIL: package: exit status $rc" | tee -a "$log"
		record_from_log package "$log"
	fi
}

fuzz_tier() {
	local log="$build/fuzz-tier.log" rc
	bash "$top/test/fuzz/run.sh" "$build" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ]; then
		record fuzz 0 0 1
	else
		[ "$rc" -eq 0 ] || grep -q '^FAIL: ' "$log" || echo "FAIL: fuzz: exit status $rc" | tee -a "$log"
		record_from_log fuzz "$log"
	fi
}

vm_tier() {
	local log="$build/vm-tier.log" rc
	if ! make -C "$build" vm-stage >"$build/vm-install.log" 2>&1; then
		tail -20 "$build/vm-install.log"; echo "FAIL: vm: staging install"; record vm 0 1 0; return
	fi
	bash "$top/test/vm/run.sh" "$build" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 77 ]; then
		record vm 0 0 1
	else
		[ "$rc" -eq 0 ] || grep -q '^FAIL: ' "$log" || echo "FAIL: vm: exit status $rc" | tee -a "$log"
		record_from_log vm "$log"
	fi
}

note "dependencies"
"$top/scripts/install-deps.sh" || exit 1
note "build ($build)"
"$top/scripts/build.sh" "$build" || exit 1
for tier in "${tiers[@]}"; do
	if [[ $tier == *-san || $tier == unit-tsan ]] && [ -f "$top/config.status" ]; then
		note "tier: $tier"
		echo "SKIP: $tier: the tree is configured in place; its sanitizer build needs 'make distclean' there"
		record "$tier" 0 0 1
		continue
	fi
	if [[ $tier == *-san && -z ${san_built:-} ]]; then
		note "sanitizer build ($build_san)"
		"$top/scripts/build.sh" "$build_san" --enable-sanitizers || exit 1
		san_built=1
	fi
	if [[ $tier == unit-tsan ]]; then
		note "ThreadSanitizer build ($build_tsan)"
		"$top/scripts/build.sh" "$build_tsan" --enable-tsan || exit 1
	fi
	note "tier: $tier"
	case $tier in
	unit) unit_tier unit "$build" ;;
	host) host_tier host "$build" ;;
	unit-san) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		unit_tier unit-san "$build_san" ;;
	host-san) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		host_tier host-san "$build_san" ;;
	unit-tsan) TSAN_OPTIONS=halt_on_error=1 unit_tier unit-tsan "$build_tsan" ;;
	dist) dist_tier ;;
	package) package_tier ;;
	fuzz) fuzz_tier ;;
	vm) vm_tier ;;
	*) echo "unknown tier '$tier' (unit host unit-san host-san unit-tsan dist package fuzz vm)" >&2; exit 2 ;;
	esac
done

note "summary ($((SECONDS - start)) s)"
printf '%s\n' "${summary[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
