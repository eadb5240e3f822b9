#!/bin/sh
# virtio-pmem is an asynchronous DAX device: files are DAX, MAP_SYNC is
# refused with EOPNOTSUPP.
. /usr/share/daxtest/lib.sh

mnt=/mnt/pmem
mkdir -p "$mnt"
plan 15

check_eq bus-provider virtio-pmem "$(nd_list -B | jq -r .provider)"
dev=/dev/$(nd_list -N | jq -r .blockdev | head -n 1)
check block-device test -b "$dev"
check_eq queue-dax 1 "$(sysfs "/sys/block/${dev#/dev/}/queue/dax")"

for fs in ext4 xfs; do
	check "$fs-mkfs" make_fs "$fs" "$dev"
	check "$fs-mount" mount -t "$fs" -o dax=always "$dev" "$mnt"
	check "$fs-create" daxtest create "$mnt/file" 1M
	check_eq "$fs-statx" dax=1 "$(daxtest statx-dax "$mnt/file")"
	check_eq "$fs-map-sync" "map_sync=0 errno=95" "$(daxtest mapsync "$mnt/file")"
	check "$fs-umount" umount "$mnt"
done
unmount_all
