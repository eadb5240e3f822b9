#!/bin/sh
# Write labels to a labelled NVDIMM and create a named fsdax namespace.
# Leaves PMEM=/dev/pmemN in the shared state.
. /usr/share/daxtest/lib.sh

name=daxtest-ns
plan 10

# A blank label area behaves like a label-less DIMM until labels are written.
check_eq initial-mode raw "$(ns_field namespace0.0 mode)"
check disable-region ndctl disable-region all
check init-labels ndctl init-labels -f all
check enable-region ndctl enable-region all
check_eq available-size 1073741824 \
	"$(nd_list -R | jq -r 'select(.dev == "region0") | .available_size')"

check create-namespace ndctl create-namespace -r region0 -m fsdax -n "$name"
ns=$(nd_list -N | jq -r --arg n "$name" 'select(.name == $n) | .dev')
dev=$(ns_field "$ns" blockdev)
check_eq mode fsdax "$(ns_field "$ns" mode)"
# Only a labelled namespace can carry a name; the label holds the
# namespace uuid (ndctl list shows the uuid of the fsdax info block).
check_eq label "$name $(sysfs "/sys/bus/nd/devices/$ns/uuid")" \
	"$(ndctl read-labels -j nmem0 2>/dev/null | jq -r '(if type == "array" then .[0] else . end) | .label[0] | "\(.name) \(.uuid)"')"
check block-device test -b "/dev/$dev"
check_eq queue-dax 1 "$(sysfs "/sys/block/$dev/queue/dax")"

state_set PMEM "/dev/$dev"
