# SPDX-License-Identifier: GPL-2.0-or-later
# Scratch filesystems for host scenarios: loop-mounted images under $SCRATCH.
# The functions set globals (not stdout) so that teardown knows what to undo.

H_MOUNTS=()
H_LOOPS=()

# mount_loop NAME FSTYPE SIZE MOUNT-OPTIONS [MKFS-ARGS...]
# Makes an image, a loop device and a mount; sets DEV and MNT. Status 0/1.
mount_loop() {
	local name=$1 fstype=$2 size=$3 opts=$4 img
	shift 4
	img="$SCRATCH/$name.img"
	MNT="$SCRATCH/mnt-$name"
	truncate -s "$size" "$img" || return 1
	case $fstype in
	ext4) mkfs.ext4 -q -F "$@" "$img" || return 1 ;;
	xfs) mkfs.xfs -q -f "$@" "$img" || return 1 ;;
	*) echo "mount_loop: unknown fstype $fstype" >&2; return 1 ;;
	esac
	DEV=$(losetup --find --show "$img") || return 1
	H_LOOPS+=("$DEV")
	mkdir -p "$MNT"
	mount -t "$fstype" ${opts:+-o "$opts"} "$DEV" "$MNT" || return 1
	H_MOUNTS+=("$MNT")
}

teardown_all() {
	local m d
	for m in "${H_MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	for d in "${H_LOOPS[@]}"; do losetup -d "$d" 2>/dev/null; done
	H_MOUNTS=() H_LOOPS=()
	rm -rf "${SCRATCH:?}"/*
}
