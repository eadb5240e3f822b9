#!/bin/sh
# status-all: 'dax-admin status' without a path lists every mount that could
# be DAX and the namespaces nothing mounts. Runs after two-regions, which
# left two fsdax namespaces: mount one, leave the other.
. /usr/share/daxtest/lib.sh

plan 8

set -- $(nd_list -N | jq -r .blockdev | sort)
check_eq two-pmem-disks 2 "$#"
mkdir -p /mnt/pmem-a
check mount mount -t ext4 -o dax=inode "/dev/$1" /mnt/pmem-a
j=$(dax-admin status)
check_eq is-array array "$(printf '%s' "$j" | jq -r type)"
check_eq mounted-listed "/dev/$1" \
	"$(printf '%s' "$j" | jq -r '.[] | select(.mount.target == "/mnt/pmem-a") | .mount.source')"
check_eq root-not-listed 0 "$(printf '%s' "$j" | jq '[.[] | select(.mount.target == "/")] | length')"
ns=$(nd_list -N | jq -r --arg b "$2" 'select(.blockdev == $b) | .dev')
check_eq unmounted-namespace-listed "$ns" \
	"$(printf '%s' "$j" | jq -r --arg b "$2" '.[] | select(.type == "device" and .device.name == $b) | .device.namespace')"
check_eq unmounted-mounted-once 1 \
	"$(printf '%s' "$j" | jq --arg b "$1" '[.[] | select(.device.name == $b)] | length')"
check_match brief-line "^/mnt/pmem-a: inactive dax=no" "$(dax-admin status --brief | grep '^/mnt/pmem-a')"
umount /mnt/pmem-a
