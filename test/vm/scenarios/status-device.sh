#!/bin/sh
# status-device EXPECT-STATE EXPECT-CODE|- [FS MOUNT-MODE]: the verdict for the
# device in the shared state (and, with FS, for a directory on it mounted
# with MOUNT-MODE) has EXPECT-STATE and, unless "-", the reason EXPECT-CODE.
# For raw namespaces, virtio-pmem and partitions.
. /usr/share/daxtest/lib.sh

want_state=$1
want_code=$2
fs=${3:-}
mode=${4:-always}
dev=$(state_get PMEM)
[ -n "$dev" ] || dev=$(ls /dev/pmem* 2>/dev/null | head -n 1)
mnt=/mnt/pmem
mkdir -p "$mnt"
[ -n "$fs" ] && plan 7 || plan 4

codes() { printf '%s' "$1" | jq -r '[.reasons[].code] | join(",")'; }

j=$(dax-admin status "$dev")
check_eq device-type device "$(printf '%s' "$j" | jq -r .type)"
check_eq device-dax-capable "$(sysfs "/sys/class/block/$(bdev_disk "$dev")/queue/dax" | sed 's/1/true/; s/0/false/')" \
	"$(printf '%s' "$j" | jq -r .device.dax_capable)"
if [ -z "$fs" ]; then
	check_eq device-state "$want_state" "$(printf '%s' "$j" | jq -r .state)"
	[ "$want_code" = - ] && pass device-reason || check_match device-reason "(^|,)$want_code(,|\$)" "$(codes "$j")"
	exit 0
fi
mkfs_and_mount() { make_fs "$fs" "$dev" >/dev/null && mount -t "$fs" -o "dax=$mode" "$dev" "$mnt"; }
check mount-fs mkfs_and_mount
mkdir -p "$mnt/d"
daxtest create "$mnt/d/file" 1M >/dev/null
j=$(dax-admin status "$mnt/d/file")
check_eq file-state "$want_state" "$(printf '%s' "$j" | jq -r .state)"
[ "$want_code" = - ] && pass file-reason || check_match file-reason "(^|,)$want_code(,|\$)" "$(codes "$j")"
want=0
[ "$want_state" = active ] || want=1
dax-admin check -q --require=direct "$mnt/d/file"
rc=$?
# 'direct' holds for an active file even when MAP_SYNC does not.
check_eq check-direct "$want" "$rc"
want=1
daxtest mapsync "$mnt/d/file" | grep -q '^map_sync=1' && want=0
dax-admin check -q --require=sync "$mnt/d/file"
check_eq check-sync "$want" "$?"
umount "$mnt"
