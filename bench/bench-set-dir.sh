#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dax-admin set-dir --direct --recursive against xfs_io -c 'chattr -R +x' on
# the same 100,000-file tree, on loop-mounted ext4 and xfs, in one run, with
# cold caches (dropped before each run: inodes are read from the device) and
# warm ones; then checks that both left the same flags (a dry run finds
# nothing to change). Beside them, the kernel floor (bench/set-flag-floor:
# only the flag-changing calls -- read the flags, write them back with DAX
# set, by name -- on a list of the same files made before the caches are
# dropped, on as many threads), and dax-admin's time as a ratio to it
# (target: 1.15x at most). What dax-admin pays beyond the floor is mostly
# its safety: each file opened and its type and link count checked on the
# descriptor before its flag changes.
# Usage: bench/bench-set-dir.sh BUILD-DIR [FILES]     (root)
set -euo pipefail
build=$(cd "${1:?usage: bench-set-dir.sh BUILD-DIR [FILES]}" && pwd)
files=${2:-100000}
. "$(dirname "$0")/lib.sh"
bench_stage bench-set-dir
make -C "$build" -s bench/set-flag-floor >/dev/null
floor="$build/bench/set-flag-floor"

# make_tree DIR: FILES empty files, 1,000 per directory.
make_tree() {
	local dir=$1 d
	for ((d = 0; d < files / 1000; d++)); do
		mkdir -p "$dir/d$d"
		(cd "$dir/d$d" && seq -f 'f%g' 1000 | xargs touch)
	done
}

caches() { # cold|warm DIR: drop every cache, or read every inode of DIR
	sync
	if [ "$1" = cold ]; then
		echo 3 >/proc/sys/vm/drop_caches
	else
		find "$2" >/dev/null
	fi
}

# floor_seconds cold|warm DIR: the floor's own timing of its calls.
floor_seconds() {
	local list="$scratch/floor-dirs"
	seq -f "$2/d%g" 0 $((files / 1000 - 1)) >"$list"   # the names make_tree gave
	caches "$1" "$2"
	"$floor" "$list" 1000 f
}

seconds() { # cold|warm CMD... -> wall seconds
	local start end
	caches "$1" "${@: -1}"
	shift
	start=$(date +%s%N)
	"$@" >/dev/null
	end=$(date +%s%N)
	echo "scale=3; ($end - $start) / 1000000000" | bc
}

printf '%-6s %-6s %8s %12s %14s %8s %10s %9s %s\n' fs cache files "xfs_io (s)" "dax-admin (s)" speedup \
	"floor (s)" "vs floor" "same flags"
for fs in ext4 xfs; do
	img="$scratch/$fs.img"
	truncate -s 4G "$img"
	if [ $fs = ext4 ]; then mkfs.ext4 -q -F -N $((files * 7 + 4000)) "$img"; else mkfs.xfs -q -f "$img"; fi
	loop=$(losetup --find --show "$img")
	loops+=("$loop")
	mnt="$scratch/mnt-$fs"
	mkdir -p "$mnt"
	mount -o dax=inode "$loop" "$mnt"
	mounts+=("$mnt")
	for cache in cold warm; do
		make_tree "$mnt/$cache-a"
		make_tree "$mnt/$cache-b"
		make_tree "$mnt/$cache-c"
		t_xfs_io=$(seconds $cache xfs_io -c 'chattr -R +x' "$mnt/$cache-a")
		t_ours=$(seconds $cache "$dax_admin" set-dir --direct --recursive --allow-ineffective "$mnt/$cache-b" 2>/dev/null)
		t_floor=$(floor_seconds $cache "$mnt/$cache-c")
		# Same result: a dry run over each tree finds no file left to flag.
		same=yes
		for t in a b; do
			left=$("$dax_admin" set-dir --direct --recursive --dry-run "$mnt/$cache-$t" |
				jq '[.changed[] | select(test("/f[0-9]+$"))] | length')
			[ "$left" = 0 ] || same=no
		done
		printf '%-6s %-6s %8d %12s %14s %7.2fx %10s %8.2fx %s\n' $fs $cache "$files" "$t_xfs_io" "$t_ours" \
			"$(echo "$t_xfs_io / $t_ours" | bc -l)" "$t_floor" "$(echo "$t_ours / $t_floor" | bc -l)" "$same"
		[ $same = yes ] || exit 1
	done
done
