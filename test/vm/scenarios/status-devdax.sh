#!/bin/sh
# status-devdax: a namespace reconfigured to devdax has no block device and
# no filesystem; dax-admin status (no path, and by name) still reports it,
# with its character device, as DAX-capable.
. /usr/share/daxtest/lib.sh

ns=${1:-namespace0.0}
plan 7

check create-devdax ndctl create-namespace -f -e "$ns" -m devdax
chardev=$(ns_field "$ns" chardev)
[ -n "$chardev" ] || chardev=$(nd_list -N -n "$ns" | jq -r '.daxregion.devices[0].chardev // empty')
check char-device test -c "/dev/$chardev"
j=$(dax-admin status "$ns")
check_eq by-name-mode devdax "$(printf '%s' "$j" | jq -r .device.mode)"
check_eq by-name-dax-dev "$chardev" "$(printf '%s' "$j" | jq -r .device.dax_dev)"
check_eq by-name-dax true "$(printf '%s' "$j" | jq -r .dax)"
check_match by-name-reason '(^|,)namespace_devdax_mode(,|$)' "$(printf '%s' "$j" | jq -r '[.reasons[].code] | join(",")')"
check_eq listed "$ns" "$(dax-admin status | jq -r '.[] | select(.type == "device") | .device.namespace')"
