#!/bin/sh
# cxl-region [WAYS [SIZE]]: a persistent-memory region on CXL memdevs mem0 ...
# (WAYS-way interleave, default one: mem0 alone, granularity 256), an fsdax
# namespace on it, and DAX on ext4 there. SIZE: each memdev's persistent
# bytes as the group's DEVICES give them (default 512 MiB).
# Leaves PMEM=/dev/pmemN in the shared state.
. /usr/share/daxtest/lib.sh

ways=${1:-1}
mems=
i=0
while [ "$i" -lt "$ways" ]; do mems="$mems mem$i"; i=$((i + 1)); done
plan 9

check memdev test -e /sys/bus/cxl/devices/mem0
check_eq memdev-pmem-size "${2:-536870912}" "$(cxl list -m mem0 | jq -r 'if type == "array" then .[0] else . end | .pmem_size')"
# shellcheck disable=SC2086
check create-region cxl create-region -m -t pmem -d decoder0.0 -w "$ways" -g 256 $mems
region=$(ls -d /sys/bus/nd/devices/region* 2>/dev/null | head -n1)
region=${region##*/}
check_match nd-region '^region[0-9]+$' "$region"
check create-namespace ndctl create-namespace -r "$region" -m fsdax
dev=$(ndctl list -N -r "$region" | jq -r 'if type == "array" then .[0] else . end | .blockdev')
check block-device test -b "/dev/$dev"
check_eq queue-dax 1 "$(cat "/sys/block/$dev/queue/dax")"
state_set PMEM "/dev/$dev"
check mount sh -c "mkfs.ext4 -q -F -b 4096 /dev/$dev && mkdir -p /mnt/pmem && mount -o dax=always /dev/$dev /mnt/pmem"
check_eq statx-dax dax=1 "$(daxtest create /mnt/pmem/f 4096 >/dev/null; daxtest statx-dax /mnt/pmem/f)"
unmount_all
