#!/bin/sh
# Two NVDIMMs give two regions; each gets its own fsdax namespace and
# filesystem, and both are DAX at the same time.
. /usr/share/daxtest/lib.sh

plan 14

check_eq region-count 2 "$(nd_list -R | jq -s length)"
devs=
for r in 0 1; do
	ns=namespace$r.0
	check "create-$ns" ndctl create-namespace -f -e "$ns" -m fsdax
	dev=$(ns_field "$ns" blockdev)
	check_eq "$ns-queue-dax" 1 "$(sysfs "/sys/block/$dev/queue/dax")"
	check_match "$ns-region" "/region$r/" "$(readlink -f "/sys/block/$dev")"
	devs="$devs $dev"
done
# shellcheck disable=SC2086
set -- $devs
check distinct-devices test -n "${2:-}" -a "${1:-}" != "${2:-}"

mkdir -p /mnt/pmem-a /mnt/pmem-b
make_fs ext4 "/dev/$1"
make_fs xfs "/dev/$2"
check mount-ext4 mount -t ext4 -o dax=always "/dev/$1" /mnt/pmem-a
check mount-xfs mount -t xfs -o dax=always "/dev/$2" /mnt/pmem-b
run daxtest create /mnt/pmem-a/file 2M
run daxtest create /mnt/pmem-b/file 2M
check_eq ext4-statx dax=1 "$(daxtest statx-dax /mnt/pmem-a/file)"
check_eq xfs-statx dax=1 "$(daxtest statx-dax /mnt/pmem-b/file)"
check_eq ext4-map-sync "map_sync=1 sf=1" "$(daxtest mapsync /mnt/pmem-a/file)"
check_eq xfs-map-sync "map_sync=1 sf=1" "$(daxtest mapsync /mnt/pmem-b/file)"
unmount_all
