#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dax-admin set-dir --direct --recursive against xfs_io -c 'chattr -R +x' on
# the same 100,000-file tree, on loop-mounted ext4 and xfs, with cold caches
# (dropped before each run: inodes are read from the device) and warm ones
# (directories read before the run). Beside them, the kernel floor
# (bench/set-flag-floor: only the flag-changing calls -- read the flags,
# write them back with DAX set, by name -- on a list of the same files made
# beforehand, on as many threads; its time includes opening each directory
# once, which with cold caches reads the directory's inode as any tool
# must), and dax-admin's time as a ratio to it
# (target: 1.15x at most) and to xfs_io (target: at least 1.4x faster, where
# it stood before the walker was made safe against renames and hard links).
# What dax-admin pays beyond the floor is mostly its safety: each file
# opened and its type and link count checked on the descriptor before its
# flag changes, and the directories walked.
#
# One run on a shared machine moves by 30% and more, so each figure is the
# median of ROUNDS rounds (7 unless BENCH_ROUNDS says otherwise). In each
# round the flags are taken off all three trees again and the three tools
# take turns, in a different order each round. A dry run afterwards checks
# that dax-admin and xfs_io left no file unflagged.
# Usage: bench/bench-set-dir.sh BUILD-DIR [FILES]     (root)
set -euo pipefail
build=$(cd "${1:?usage: bench-set-dir.sh BUILD-DIR [FILES]}" && pwd)
files=${2:-100000}
rounds=${BENCH_ROUNDS:-7}
. "$(dirname "$0")/lib.sh"
bench_stage bench-set-dir
make -C "$build" -s bench/set-flag-floor >/dev/null
floor="$build/bench/set-flag-floor"

# make_tree DIR: FILES empty files, 1,000 per directory, and the list of the
# directories for the floor in DIR.dirs.
make_tree() {
	local dir=$1 d
	for ((d = 0; d < files / 1000; d++)); do
		mkdir -p "$dir/d$d"
		(cd "$dir/d$d" && seq -f 'f%g' 1000 | xargs touch)
	done
	seq -f "$dir/d%g" 0 $((files / 1000 - 1)) >"$dir.dirs"
}

# caches cold|warm DIR: drop every cache, or read every directory of DIR. A
# cold run then reads the programs once (their text is not what is timed).
# First the filesystem is frozen and thawed, which writes its journal back:
# a run must not pay for the inodes the one before it changed.
caches() {
	sync
	fsfreeze --freeze "$mnt" && fsfreeze --unfreeze "$mnt"
	if [ "$1" = cold ]; then
		echo 3 >/proc/sys/vm/drop_caches
		"$dax_admin" --version >/dev/null
		xfs_io -V >/dev/null
		"$floor" /dev/null 1 f >/dev/null
	else
		find "$2" >/dev/null
	fi
}

# run_one TOOL cold|warm DIR -> seconds: TOOL's wall time (dax-admin,
# xfs_io), or the floor's own timing of its calls.
run_one() {
	local start end
	caches "$2" "$3"
	case $1 in
	floor) "$floor" "$3.dirs" 1000 f; return ;;
	xfs_io) start=$(date +%s%N); xfs_io -c 'chattr -R +x' "$3" >/dev/null ;;
	dax-admin) start=$(date +%s%N)
		"$dax_admin" set-dir --direct --recursive --allow-ineffective "$3" >/dev/null 2>&1 ;;
	esac
	end=$(date +%s%N)
	printf '%.3f\n' "$(echo "($end - $start) / 1000000000" | bc -l)"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

tools=(xfs_io dax-admin floor)
dir_of() { case $1 in xfs_io) echo a ;; dax-admin) echo b ;; floor) echo c ;; esac; }
rows=()
for fs in ext4 xfs; do
	img="$scratch/$fs.img"
	truncate -s 4G "$img"
	if [ $fs = ext4 ]; then mkfs.ext4 -q -F -N $((files * 4 + 4000)) "$img"; else mkfs.xfs -q -f "$img"; fi
	loop=$(losetup --find --show "$img")
	loops+=("$loop")
	mnt="$scratch/mnt-$fs"
	mkdir -p "$mnt"
	mount -o dax=inode "$loop" "$mnt"
	mounts+=("$mnt")
	for t in a b c; do make_tree "$mnt/$t"; done
	for cache in cold warm; do
		declare -A times=()
		for ((r = 0; r < rounds; r++)); do
			for t in a b c; do "$floor" "$mnt/$t.dirs" 1000 f clear >/dev/null; done
			for ((i = 0; i < 3; i++)); do
				tool=${tools[(i + r) % 3]}
				times[$tool]+="$(run_one "$tool" $cache "$mnt/$(dir_of "$tool")") "
			done
		done
		# Same result: a dry run over each tree finds no file left to flag.
		for t in a b; do
			left=$("$dax_admin" set-dir --direct --recursive --dry-run "$mnt/$t" |
				jq '[.changed[] | select(test("/f[0-9]+$"))] | length')
			[ "$left" = 0 ] || { echo "bench-set-dir: $fs: $left files of $mnt/$t left unflagged" >&2; exit 1; }
		done
		for tool in "${tools[@]}"; do
			echo "$fs $cache $tool: ${times[$tool]}" >&2
			declare "m_${tool//-/_}=$(tr ' ' '\n' <<<"${times[$tool]}" | grep . | median)"
		done
		label="set-dir --recursive, $fs $cache, $files files (median of $rounds)"
		rows+=("$(bench_row "$label" "$m_dax_admin" s "kernel floor" "$m_floor" 1.15)")
		rows+=("$(bench_row "$label" "$m_dax_admin" s "xfs_io -c 'chattr -R +x'" "$m_xfs_io" 0.71)")
		unset times
	done
done
printf '%s\n' "${rows[@]}" | bench_table
