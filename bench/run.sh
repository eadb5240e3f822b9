#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks, every figure beside its baseline and its target in one table
# (bench_table, bench/lib.sh); exits 1 when a target is missed.
# Usage: bench/run.sh [BUILD-DIR] [FILE]   on this machine (FILE defaults to
#                                          a file in /tmp; name a file on a
#                                          DAX mount to measure there -- it
#                                          is extended to 512 MiB); as root
#                                          also set-dir --recursive against
#                                          xfs_io on 100,000 files, and
#                                          badblocks against filefrag
#        bench/run.sh --vm [BUILD-DIR]     the same table on a real fsdax
#                                          file in the QEMU guest, and
#                                          set-dir --recursive on 10,000
#                                          files there beside the kernel
#                                          floor (a few
#                                          minutes: run it before submitting
#                                          a change to map.c, sigbus*.c or
#                                          the probe)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
vm=
if [ "${1:-}" = --vm ]; then
	vm=1
	shift
fi
build=${1:-$top/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)   # libtool installs only to absolute paths
"$top/scripts/build.sh" "$build"
"$top/scripts/install-deps.sh"
make -C "$build" -s bench/bench-probe bench/bench-map bench/bench-open bench/bench-exec bench/set-flag-floor >/dev/null

# status_rows NS-DAX-ADMIN NS-NDCTL NS-XFS_IO: dax-admin status beside the
# two tools that show the same facts.
status_rows() {
	local ms=() v
	for v in "$@"; do ms+=("$(echo "scale=2; $v / 1000000" | bc)"); done
	bench_row "dax-admin status FILE" "${ms[0]}" ms "ndctl list" "${ms[1]}" 1.50
	bench_row "dax-admin status FILE" "${ms[0]}" ms "xfs_io -c 'statx -r' FILE" "${ms[2]}" -
}

if [ -n "$vm" ]; then
	stage="$build/vm/stage"
	make -C "$build" -s vm-stage >/dev/null
	bindir=$(dirname "$(find "$stage" -path '*/bin/dax-admin' -type f | head -n 1)")
	for b in bench-probe bench-map bench-exec set-flag-floor; do
		"$build/libtool" --mode=install install -m 755 "$build/bench/$b" \
			"$bindir/$b" >/dev/null 2>&1
	done
	# A loaded machine boots the emulated guest slowly: more time than a test.
	# One guest kernel: the first of DAXTEST_VM_KERNELS (6.1 by default).
	kernel=${DAXTEST_VM_KERNELS:-6.1}
	kernel=${kernel%% *}
	DAXTEST_VM_KERNELS=$kernel DAXTEST_VM_TIMEOUT=${DAXTEST_VM_TIMEOUT:-1200} \
		DAXTEST_VM_GROUPS="$top/bench/vm-groups" \
		bash "$top/test/vm/run.sh" "$build" probe \
		>"$build/vm/bench-run.log" 2>&1 || { tail -20 "$build/vm/bench-run.log"; exit 1; }
	echo "== in the guest (real fsdax, XFS dax=always; set-dir on XFS dax=inode; TCG emulation, kernel ${kernel%%=*})"
	sed -n '/==== bench: begin/,/==== bench: end/p' "$build/vm/logs/${kernel%%=*}/probe.log" | tr -d '\r' |
		grep -v -e '==== bench' -e '^@@DAXTEST' -e '^\[[0-9 .]*\] ' | {
		while IFS= read -r line; do
			case $line in
			status\ *) read -r _ a b c <<<"$line"; status_rows "$a" "$b" "$c" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done
	} | bench_table
	exit
fi
file=${2:-}
if [ -z "$file" ]; then
	file=$(mktemp /tmp/daxpolicy-bench.XXXXXX)
	trap 'rm -f "$file"' EXIT
	head -c 65536 /dev/zero >"$file"
fi
echo "== $file (MAP_SYNC rows need a file on a DAX mount; elsewhere they compare MAP_SHARED)"
rc=0
{
	"$build/bench/bench-probe" "$file"
	"$build/bench/bench-map" "$file"
	plain=$("$build/bench/bench-open" "$file")
	enforced=$(LD_PRELOAD="$build/enforce/.libs/libdaxpolicy-enforce.so" \
		LD_LIBRARY_PATH="$build/libdaxpolicy/.libs" "$build/bench/bench-open" "$file")
	bench_row "open+close, libdaxpolicy-enforce.so" "$enforced" ns "open+close" "$plain" -
	# The real binary, not libtool's wrapper script.
	mapfile -t t < <(LD_LIBRARY_PATH="$build/libdaxpolicy/.libs" "$build/bench/bench-exec" 20 \
		"$build/daxctl-ext/.libs/dax-admin" status "$file" -- ndctl list -- \
		xfs_io -c 'statx -r' "$file")
	status_rows "${t[@]}"
} | bench_table || rc=1
if [ "$(id -u)" -eq 0 ]; then
	echo
	echo "== set-dir --direct --recursive vs xfs_io -c 'chattr -R +x' (loop ext4 and xfs)"
	bash "$top/bench/bench-set-dir.sh" "$build" 100000 2>/dev/null || rc=1
	echo
	echo "== badblocks --from-list (1,000 bad sectors) vs filefrag -v -b512 (loop ext4, xfs rmapbt)"
	bash "$top/bench/bench-badblocks.sh" "$build" 2>/dev/null || rc=1
fi
exit $rc
