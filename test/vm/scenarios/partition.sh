#!/bin/sh
# partition [START]: one partition on the fsdax device in the shared state,
# starting at START (default 1M).  Leaves PMEM=/dev/pmemNp1 in the state
# so that the following scenarios use the partition.
. /usr/share/daxtest/lib.sh

start=${1:-1M}
disk=$(state_get PMEM)
plan 5

check mkpart daxtest mkpart "$disk" "$start" 0
part=${disk}p1
wait_for "$part" 5
check partition-node test -b "$part"
check_eq partition-start "$(($(echo "$start" | sed 's/M$/ * 1048576/; s/K$/ * 1024/') / 512))" \
	"$(sysfs "/sys/class/block/${part#/dev/}/start")"
check_eq partition-number 1 "$(sysfs "/sys/class/block/${part#/dev/}/partition")"
check_eq disk-queue-dax 1 "$(sysfs "/sys/class/block/$(bdev_disk "$part")/queue/dax")"

state_set PMEM "$part"
