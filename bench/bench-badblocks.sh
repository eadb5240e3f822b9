#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dax-admin badblocks --from-list (1,000 bad sectors, each inside a different
# file) on loop-mounted ext4 and XFS with rmapbt holding 10,000 and 100,000
# 4 KiB files, beside two baselines run in the same go:
#   per-file  'filefrag -v -b512 FILE' once per file found by find (the method
#             of ndctl's own tests; only on the 10,000-file trees: it takes
#             minutes)
#   batched   'find -type f -exec filefrag -v -b512 {} +' (which does not
#             even intersect the extents with the bad sectors)
# Warm caches. dax-admin must report every one of the 1,000 files (checked).
# The targets (3x on ext4, 10x on XFS with rmapbt) are for 100,000 files:
# with 10,000, a tenth of all files is bad and the baseline takes a few
# tens of milliseconds, of which starting a process takes about four.
# On XFS with rmapbt it is also run with 10 bad sectors, to show that its
# time follows the number of bad ranges, not of files.
# Usage: bench/bench-badblocks.sh BUILD-DIR     (root)
set -euo pipefail
build=$(cd "${1:?usage: bench-badblocks.sh BUILD-DIR}" && pwd)
. "$(dirname "$0")/lib.sh"
bench_stage bench-badblocks

# make_tree DIR FILES: FILES files of 4 KiB, 1,000 per directory.
make_tree() {
	local d
	for ((d = 0; d < $2 / 1000; d++)); do
		mkdir -p "$1/d$d"
		head -c 4096000 /dev/zero | (cd "$1/d$d" && split -b 4096 -a 3 - f)
	done
}

# bad_list DIR COUNT: one bad sector inside each of COUNT random files (the
# first sector of the file's first extent plus 0..7), as "SECTOR 1" lines.
bad_list() {
	find "$1" -type f | shuf -n "$2" --random-source=<(yes) |
		xargs filefrag -v -b512 | awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 + (n++ % 8), 1 }'
}

seconds() { # RUNS CMD... -> wall seconds, the best of RUNS, warm
	local best="" start end t runs=$1
	shift
	sync
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		end=$(date +%s%N)
		t=$(((end - start) / 1000000))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "scale=3; $best / 1000" | bc
}

per_file() { find "$1" -type f | while read -r f; do filefrag -v -b512 "$f"; done; }
batched() { find "$1" -type f -exec filefrag -v -b512 {} +; }

printf '%-11s %7s %6s %11s %11s %14s %14s %7s\n' fs files ranges "per-file(s)" "batched(s)" "dax-admin(s)" "vs batched" target
for fs in ${BENCH_FS:-ext4 xfs-rmapbt}; do
	img="$scratch/$fs.img"
	truncate -s 2G "$img"
	if [ $fs = ext4 ]; then mkfs.ext4 -q -F -b 4096 "$img"; else mkfs.xfs -q -f -m rmapbt=1 "$img"; fi
	loop=$(losetup --find --show "$img")
	loops+=("$loop")
	mnt="$scratch/mnt-$fs"
	mkdir -p "$mnt"
	mount "$loop" "$mnt"
	mounts+=("$mnt")
	target=3; [ $fs = xfs-rmapbt ] && target=10
	for files in ${BENCH_FILES:-10000 100000}; do
		rm -rf "$mnt"/t*   # the scan covers the whole filesystem: one tree at a time
		tree="$mnt/t$files"
		make_tree "$tree" $files
		sync
		for ranges in 1000 10; do
			[ $ranges = 10 ] && [ $fs != xfs-rmapbt ] && continue
			bad_list "$tree" $ranges >"$scratch/list"
			# Every bad sector lies in a different file: all must be named.
			found=$({ "$dax_admin" badblocks --from-list "$scratch/list" "$tree" || true; } | jq '.files | length')
			if [ "$found" != "$ranges" ]; then
				echo "bench-badblocks: $fs: dax-admin named $found files, expected $ranges" >&2
				exit 1
			fi
			t_ours=$(seconds 3 "$dax_admin" badblocks --from-list "$scratch/list" "$tree")
			t_batch=$(seconds 3 batched "$tree")
			t_per=-
			[ $files = 10000 ] && [ $ranges = 1000 ] && t_per=$(seconds 1 per_file "$tree")
			want=-; [ $files = 100000 ] && [ $ranges = 1000 ] && want=${target}x
			printf '%-11s %7d %6d %11s %11s %14s %13.1fx %7s\n' $fs $files $ranges "$t_per" "$t_batch" "$t_ours" \
				"$(echo "$t_batch / ($t_ours + 0.0005)" | bc -l)" "$want"
		done
	done
done
