#!/bin/sh
# power-cut: the end of the power-cut group's first boot. Writes what the
# power-cut-arm scenarios recorded to the pc-state namespace (synchronously:
# only that namespace is flushed), then asks the host to cut the power
# while every armed repair waits at its step.
. /usr/share/daxtest/lib.sh

plan 2
sdev=$(nd_list -N | jq -r 'select(.name == "pc-state") | .blockdev')
log "state: $(wc -l </tmp/pc-state) kill points armed"
# The text first; from 1 MiB on, the original file of each kill point, in
# the order of the lines (for the second boot to show what differs).
check write-state sh -c "{ cat /tmp/pc-state; echo END; } | dd of=/dev/$sdev bs=4096 conv=sync,fsync 2>/dev/null &&
	i=0 && while [ -f /tmp/pc-orig-\$i ]; do
		dd if=/tmp/pc-orig-\$i of=/dev/$sdev bs=65536 seek=\$((16 + i)) conv=fsync 2>/dev/null || exit 1
		i=\$((i + 1))
	done"
check_eq state-readable "$(cat /tmp/pc-state; echo END)" "$(dd if="/dev/$sdev" bs=65536 count=1 2>/dev/null | tr -d '\0' | sed '/^END$/q')"
power_cut 120
