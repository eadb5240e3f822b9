# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the benchmarks: staging dax-admin for loop-mount runs (root),
# and the one table every figure is printed in.

# bench_stage NAME: as root, install the build in $build into a scratch
# directory ($scratch) and set dax_admin to the installed binary, its library
# on LD_LIBRARY_PATH: not libtool's wrapper script, whose start-up would be
# timed too. The mount points a benchmark adds to mounts[] and the loop
# devices it adds to loops[] are undone on exit, and $scratch removed.
bench_stage() {
	[ "$(id -u)" -eq 0 ] || { echo "$1: needs root (loop mounts)" >&2; exit 77; }
	scratch=$(mktemp -d /tmp/daxpolicy-bench.XXXXXX)
	make -C "$build" -s install DESTDIR="$scratch/stage" >/dev/null
	dax_admin=$(find "$scratch/stage" -path '*/bin/dax-admin' -type f | head -n 1)
	LD_LIBRARY_PATH="$(dirname "$(find "$scratch/stage" -name 'libdaxpolicy.so.*' | head -n 1)")"
	export LD_LIBRARY_PATH
	mounts=() loops=()
	trap bench_cleanup EXIT
}

bench_cleanup() {
	for m in "${mounts[@]}"; do umount "$m"; done
	for l in "${loops[@]}"; do losetup -d "$l"; done
	rm -rf "$scratch"
}

# Every figure in one table. A row is six tab-separated fields: FIGURE,
# VALUE, UNIT, BASELINE (what it is compared with), BASELINE VALUE, TARGET
# (the largest VALUE / BASELINE VALUE allowed, or "-" for a figure shown
# without one). bench_row prints one; a benchmark program may print them
# itself.
bench_row() { # FIGURE VALUE UNIT BASELINE BASELINE-VALUE TARGET
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@"
}

# bench_table < ROWS: a Markdown table with the ratio and MET/MISSED for
# each row that has a target, then "targets: N met, N missed". Returns 1
# when a target is missed.
bench_table() {
	awk -F'\t' '
	function num(v) {   # 1234567 -> 1,234,567; fractions kept
		if (v !~ /^[0-9]+$/) return v
		while (v ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", v)
		return v
	}
	BEGIN {
		print "| figure | value | baseline | ratio | target | verdict |"
		print "|---|---:|---|---:|---:|---|"
	}
	NF >= 6 {
		ratio = $5 > 0 ? $2 / $5 : 0
		if ($6 == "-") { target = "-"; verdict = "-" }
		else {
			target = sprintf("<= %.2fx", $6)
			verdict = sprintf("%.2f", ratio) + 0 <= $6 + 0 ? "MET" : "MISSED"
			if (verdict == "MET") met++; else missed++
		}
		printf "| %s | %s %s | %s: %s %s | %.2fx | %s | %s |\n", $1, num($2), $3, $4, num($5), $3, ratio, target, verdict
	}
	END {
		printf "\ntargets: %d met, %d missed\n", met, missed
		exit missed > 0
	}'
}
