#!/bin/sh
# Capture the sysfs/procfs tree (guest/capture-fixtures.sh) and write it as
# a tar stream to the output disk that the host attached.
. /usr/share/daxtest/lib.sh

plan 3
out=/tmp/fixture
rm -rf "$out"
check capture sh "$DAXTEST_SHARE/capture-fixtures.sh" "$out/tree"

disk=
for b in /sys/block/vd*; do
	[ "$(cat "$b/serial" 2>/dev/null)" = "${DAXTEST_OUTPUT_SERIAL:-none}" ] && disk=/dev/${b##*/}
done
check output-disk test -b "$disk"
check write-tar sh -c "cd '$out' && tar -cf '$disk' tree && sync"
