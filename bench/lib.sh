# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the benchmarks that time dax-admin on loop mounts (root).

# bench_stage NAME: as root, install the build in $build into a scratch
# directory ($scratch) and set dax_admin to the installed binary, its library
# on LD_LIBRARY_PATH: not libtool's wrapper script, whose start-up would be
# timed too. The mount points a benchmark adds to mounts[] and the loop
# devices it adds to loops[] are undone on exit, and $scratch removed.
bench_stage() {
	[ "$(id -u)" -eq 0 ] || { echo "$1: needs root (loop mounts)" >&2; exit 77; }
	scratch=$(mktemp -d /tmp/daxpolicy-bench.XXXXXX)
	make -C "$build" -s install DESTDIR="$scratch/stage" >/dev/null
	dax_admin=$(find "$scratch/stage" -name dax-admin -type f | head -n 1)
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
