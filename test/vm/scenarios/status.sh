#!/bin/sh
# status FS MODE [1k]: dax-admin status and check on FS mounted
# with dax=MODE on the device in the shared state. Every verdict is compared
# with the kernel's own answer (statx, a MAP_SYNC mapping) and the device
# facts with 'ndctl list' from the same guest.
. /usr/share/daxtest/lib.sh

fs=$1
mode=$2
small_blocks=${3:-}
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 27

if [ "$small_blocks" = 1k ]; then
	check mkfs mkfs.ext4 -q -F -b 1024 "$dev"
else
	check mkfs make_fs "$fs" "$dev"
fi
# A 1 KiB-block ext4 cannot be mounted dax=always: mount dax=inode then.
if ! mount -t "$fs" -o "dax=$mode" "$dev" "$mnt" 2>/dev/null; then
	fail mount "mount -o dax=$mode $dev failed"
	exit 0
fi
pass mount
mkdir -p "$mnt/flagged" "$mnt/plain"
daxtest setflag "$mnt/flagged" >/dev/null
daxtest create "$mnt/flagged/file" 4M >/dev/null
daxtest create "$mnt/plain/file" 4M >/dev/null

st() { dax-admin status "$1"; }
field() { printf '%s' "$1" | jq -r "$2"; }
codes() { printf '%s' "$1" | jq -r '[.reasons[].code] | join(",")'; }
yesno() { [ "$1" = 1 ] && echo true || echo false; }

# Files: dax and map_sync must be the kernel's answer.
for f in flagged plain; do
	j=$(st "$mnt/$f/file")
	kernel_dax=$(daxtest statx-dax "$mnt/$f/file" | sed 's/dax=//')
	kernel_sync=$(daxtest mapsync "$mnt/$f/file" | sed 's/map_sync=\([01]\).*/\1/')
	check_eq "$f-file-dax-is-kernel" "$(yesno "$kernel_dax")" "$(field "$j" .dax)"
	check_eq "$f-file-map-sync-is-kernel" "$(yesno "$kernel_sync")" "$(field "$j" .map_sync)"
	check_eq "$f-file-probed" probed "$(field "$j" .map_sync_evidence)"
	eval "${f}_json=\$j"
done

# Expected verdicts follow the mount mode and the flags.
reason=
case $mode:$small_blocks in
*:1k) state_flagged=unsupported state_plain=unsupported reason=block_size_mismatch ;;
always:*) state_flagged=active state_plain=active ;;
inode:*) state_flagged=active state_plain=inactive reason=dax_flag_not_set ;;
never:*) state_flagged=unsupported state_plain=unsupported reason=mount_dax_never ;;
esac
check_eq flagged-state "$state_flagged" "$(field "$flagged_json" .state)"
check_eq plain-state "$state_plain" "$(field "$plain_json" .state)"
if [ -n "$reason" ]; then
	check_match plain-reason "(^|,)$reason(,|\$)" "$(codes "$plain_json")"
else
	check_eq plain-no-error "" "$(printf '%s' "$plain_json" | jq -r '[.reasons[] | select(.severity == "error") | .code] | join(",")')"
fi

# Directories: the verdict for new files, observed with --tmpfile.
for d in flagged plain; do
	j=$(dax-admin status --tmpfile "$mnt/$d")
	new=$(daxtest tmpfile "$mnt/$d" | sed 's/.*dax=//')
	check_eq "$d-dir-dax-is-new-file" "$(yesno "$new")" "$(field "$j" .dax)"
	check_eq "$d-dir-type" directory "$(field "$j" .type)"
done

# Mount facts.
j=$flagged_json
check_eq mount-target "$mnt" "$(field "$j" .mount.target)"
check_eq mount-fstype "$fs" "$(field "$j" .mount.fstype)"
check_eq mount-dax-mode "$mode" "$(field "$j" .mount.dax_mode)"
check_eq block-size "$(stat -f -c %S "$mnt")" "$(field "$j" .mount.block_size)"

# Device facts against ndctl list.
blk=${dev#/dev/}
disk=$(bdev_disk "$dev")
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
check_eq device-name "$blk" "$(field "$j" .device.name)"
check_eq device-kind pmem "$(field "$j" .device.kind)"
check_eq device-dax-capable true "$(field "$j" .device.dax_capable)"
check_eq namespace "$ns" "$(field "$j" .device.namespace)"
check_eq namespace-mode "$(ns_field "$ns" mode)" "$(field "$j" .device.mode)"
check_eq namespace-align "$(ns_field "$ns" align)" "$(field "$j" .device.align)"
region=$(ndctl list -R -n "$ns" 2>/dev/null | jq -r 'if type == "array" then .[0] else . end | .dev // empty')
[ -n "$region" ] || region=$(basename "$(dirname "$(readlink -f "/sys/bus/nd/devices/$ns")")")
check_eq region "$region" "$(field "$j" .device.region)"

# check: its exit status follows the verdict.
want=1
[ "$(field "$flagged_json" .map_sync)" = true ] && want=0
dax-admin check --require=direct,sync "$mnt/flagged/file" >/dev/null 2>&1
check_eq check-exit "$want" "$?"
umount "$mnt"
