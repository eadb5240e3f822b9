#!/bin/sh
# Convert the raw namespace of a label-less NVDIMM to fsdax.
#   ns-fsdax-labelless [NAMESPACE]    (default namespace0.0)
# Leaves PMEM=/dev/pmemN in the shared state.
. /usr/share/daxtest/lib.sh

ns=${1:-namespace0.0}
plan 8

# Without labels the whole region is one namespace in raw mode.
check_eq initial-mode raw "$(ns_field "$ns" mode)"
dev=$(ns_field "$ns" blockdev)
check_eq raw-queue-dax 0 "$(sysfs "/sys/block/$dev/queue/dax")"

check create-namespace ndctl create-namespace -f -e "$ns" -m fsdax
dev=$(ns_field "$ns" blockdev)
check_eq mode fsdax "$(ns_field "$ns" mode)"
check block-device test -b "/dev/$dev"
check_eq queue-dax 1 "$(sysfs "/sys/block/$dev/queue/dax")"
check_eq map-align "dev 2097152" "$(ns_field "$ns" map) $(ns_field "$ns" align)"
# The fsdax block device hangs off the pfn device that claimed the namespace.
check_match under-pfn "/pfn[0-9]+\.[0-9]+/block/$dev\$" "$(readlink -f "/sys/block/$dev")"

state_set PMEM "/dev/$dev"
