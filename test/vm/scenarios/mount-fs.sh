#!/bin/sh
# mount-fs FS MODE DEVICE MOUNT: make FS on /dev/DEVICE and leave it mounted
# on /mnt/MOUNT with dax=MODE (MODE "default" gives no dax option).
. /usr/share/daxtest/lib.sh

fs=$1 mode=$2 dev=/dev/$3 mnt=/mnt/$4
mkdir -p "$mnt"
plan 2

check mkfs make_fs "$fs" "$dev"
if [ "$mode" = default ]; then
	check mount mount -t "$fs" "$dev" "$mnt"
else
	check mount mount -t "$fs" -o "dax=$mode" "$dev" "$mnt"
fi
