#!/bin/sh
# capture-fixtures.sh OUTDIR
#
# Copy the sysfs and procfs files a DAX library reads into OUTDIR, as a tree
# with sys/ and proc/ at its top:
#   - /sys/bus/nd (devices, drivers) and /sys/class/nd,
#   - the /sys/devices subtrees of every nd bus (regions, namespaces, pfn,
#     btt and dax devices, dimms, the pmem block devices and partitions),
#     plus the attributes of the directories above each bus,
#   - /sys/block, /sys/class/block and /sys/dev/block entries of those
#     block devices,
#   - /proc/self/mountinfo, /proc/modules, /proc/filesystems,
#   - on CXL: /sys/bus/cxl and the trees of its devices, and 'cxl list -vvv'.
# Readable attributes become regular files holding what was read;
# write-only or failing attributes are left out; symlinks stay relative and
# any that would not resolve inside the tree are dropped.

set -u
out=${1:?usage: capture-fixtures.sh OUTDIR}
max_size=65536

mkdir -p "$out" || exit 2

copy_file() {
	# sysfs reports 4096 for every attribute, so read and then measure
	_dst=$out$1
	if head -c $((max_size + 1)) "$1" >"$_dst.tmp" 2>/dev/null &&
		[ "$(wc -c <"$_dst.tmp")" -le $max_size ]; then
		mv "$_dst.tmp" "$_dst"
	else
		rm -f "$_dst.tmp"
	fi
}

copy_link() {
	_t=$(readlink "$1")
	case $_t in
	/*) return 0 ;;	# sysfs links are relative; anything else is not ours
	esac
	[ -e "$out$1" ] || [ -L "$out$1" ] || ln -s "$_t" "$out$1"
}

copy_entry() {
	if [ -L "$1" ]; then
		mkdir -p "$out${1%/*}"
		copy_link "$1"
	elif [ -d "$1" ]; then
		mkdir -p "$out$1"
	elif [ -f "$1" ]; then
		mkdir -p "$out${1%/*}"
		copy_file "$1"
	fi
}

# Everything below DIR, without following links and without power/.
copy_tree() {
	find "$1" -name power -type d -prune -o -print | while read -r _p; do
		copy_entry "$_p"
	done
}

# The entries of DIR itself (files and links, no subdirectories).
copy_dir_flat() {
	mkdir -p "$out$1"
	for _p in "$1"/*; do
		[ -d "$_p" ] && [ ! -L "$_p" ] && continue
		copy_entry "$_p"
	done
}

# nd buses and everything under them
for bus in /sys/bus/nd/devices/ndbus*; do
	[ -e "$bus" ] || continue
	real=$(readlink -f "$bus")
	copy_tree "$real"
	# the directories above the bus (ACPI0012:00, a virtio device, ...)
	d=${real%/*}
	while [ "$d" != /sys/devices ] && [ "$d" != /sys ] && [ -n "$d" ]; do
		copy_dir_flat "$d"
		d=${d%/*}
	done
done

copy_tree /sys/bus/nd
copy_tree /sys/class/nd

# CXL (what libcxl reads): /sys/bus/cxl, the tree of every CXL device (the
# root ports with their decoders, regions and the nd bus under a pmem
# region; the memdevs under their PCI devices) and the attributes of the
# directories above each. Firmware upload directories are left out.
if [ -d /sys/bus/cxl ]; then
	copy_tree /sys/bus/cxl
	for d in /sys/bus/cxl/devices/*; do
		[ -e "$d" ] || continue
		real=$(readlink -f "$d")
		[ -e "$out$real" ] && continue
		find "$real" \( -name power -o -name firmware \) -type d -prune -o -print |
			while read -r _p; do copy_entry "$_p"; done
		p=${real%/*}
		while [ "$p" != /sys/devices ] && [ "$p" != /sys ] && [ -n "$p" ]; do
			copy_dir_flat "$p"
			p=${p%/*}
		done
	done
	# What cxl list makes of it, for the unit tests to compare with.
	cxl list -vvv >"$out/cxl-list.json" 2>/dev/null || echo '[]' >"$out/cxl-list.json"
fi

# Block and character devices (libndctl finds a bus through
# /sys/dev/char): only the ones that live under a captured tree.
for dir in /sys/block /sys/class/block /sys/dev/block /sys/dev/char; do
	mkdir -p "$out$dir"
	for p in "$dir"/*; do
		[ -L "$p" ] || continue
		copy_link "$p"
	done
done

mkdir -p "$out/proc/self"
cat /proc/self/mountinfo >"$out/proc/self/mountinfo"
cat /proc/modules >"$out/proc/modules"
cat /proc/filesystems >"$out/proc/filesystems"
# What ndctl itself makes of this tree, for the unit tests to compare with.
ndctl list -N >"$out/ndctl-list.json" 2>/dev/null || echo '[]' >"$out/ndctl-list.json"

# Drop links whose target is not in the tree.  Repeat: removing one link
# can break another that went through it.
while :; do
	find "$out" -type l >/tmp/capture-links
	n=0
	while read -r l; do
		if [ ! -e "$l" ]; then
			rm -f "$l"
			n=$((n + 1))
		fi
	done </tmp/capture-links
	[ $n -eq 0 ] && break
done
rm -f /tmp/capture-links

echo "captured $(find "$out" -type f | wc -l) files, $(find "$out" -type l | wc -l) links, $(du -sk "$out" | cut -f1) KiB"
