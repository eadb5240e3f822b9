#!/bin/sh
# cxl-poison FS: media errors of a CXL memdev mapped to files. Poison is
# injected by QMP from the host (the guest asks on its result channel, the
# host's qmp-watch.py sends cxl-inject-poison) at DPAs computed here from
# filefrag of known files: 64 bytes inside a page of a, 512 bytes across a
# page boundary of b, 64 bytes of the superblock area, 64 bytes of free
# space. dax-admin badblocks must name exactly those files and 64-byte
# ranges, the metadata and the free space, with source cxl, the memdev and
# the DPAs. Under TCG a read of poison succeeds: the mapping is tested,
# not the fault. The poison is cleared (debugfs) at the end. FS: ext4, xfs
# (FIEMAP walk) or xfs-rmapbt (GETFSMAP owners). Needs PMEM from
# cxl-region.
. /usr/share/daxtest/lib.sh

variant=$1
fs=${variant%%-*}
dev=$(state_get PMEM)
disk=$(bdev_name "$dev")
mnt=/mnt/pmem
memdev=mem0
mkdir -p "$mnt"
plan 15

# The chain of the one-way region: pmem disk byte B is HPA data + B, and
# DPA dpa0 + (HPA - base).
pfn=$(readlink -f "/sys/block/$disk/device")
data=$(cat "$pfn/resource")
region=$(ls -d /sys/bus/cxl/devices/region* | head -n1)
base=$(cat "$region/resource")
dpa0=
for d in /sys/bus/cxl/devices/decoder*; do
	[ -e "$d/dpa_resource" ] && [ "$(cat "$d/region" 2>/dev/null)" = "${region##*/}" ] &&
		dpa0=$(cat "$d/dpa_resource")
done
dpa_of() { printf '0x%x' $((dpa0 + data + $1 - base)); }

# A private trace instance to see the device's list.
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
t=/sys/kernel/tracing/instances/daxtest
mkdir -p "$t" && echo 1 >"$t/events/cxl/cxl_poison/enable"
listed() {
	: >"$t/trace"
	echo 1 >"/sys/bus/cxl/devices/$memdev/trigger_poison_list"
	grep -q "trace_type=List .*dpa=$1 dpa_length=$2 " "$t/trace"
}
# inject DISK-BYTE LENGTH: ask the host, then wait for the device to list it
# (run in a subshell by check: the list of what was asked is kept by note).
injected=
note() { injected="$injected $(dpa_of "$1"):$2"; }
inject() {
	_dpa=$(dpa_of "$1")
	printf '@@DAXTEST qmp cxl-inject-poison cxl-pmem0 %s %s\n' "$_dpa" "$2" >&9
	_i=0
	while ! listed "$_dpa" "$(printf '0x%x' "$2")"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && { log "poison $_dpa+$2 never listed"; return 1; }
		sleep 0.2
	done
}
clear_all() {
	for _r in $injected; do
		_d=${_r%%:*}
		_n=${_r#*:}
		_o=0
		while [ $_o -lt "$_n" ]; do
			printf '0x%x' $((_d + _o)) >"/sys/kernel/debug/cxl/$memdev/clear_poison"
			_o=$((_o + 64))
		done
	done
	: >"$t/trace"
	echo 1 >"/sys/bus/cxl/devices/$memdev/trigger_poison_list"
	! grep -q "trace_type=List" "$t/trace"
}

check mkfs make_fs "$variant" "$dev"
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
daxtest create "$mnt/a" 65536 >/dev/null
daxtest create "$mnt/b" 65536 >/dev/null
daxtest create "$mnt/c" 65536 >/dev/null
sync
pa=$(phys_of "$mnt/a")
pb=$(phys_of "$mnt/b")
size=$(sysfs "/sys/class/block/$disk/size")
free=$((size * 512 * 5 / 16 / 4096 * 4096 + 192))
log "a at sector $pa, b at $pb; data $data, region base $base, DPA base $dpa0"

# 64 bytes inside page 3 of a, at byte 128 of it: a 12416+64.
note $((pa * 512 + 3 * 4096 + 128)) 64
check inject-in-page inject $((pa * 512 + 3 * 4096 + 128)) 64
# 512 bytes across the boundary of pages 4 and 5 of b: b 20224+512.
note $((pb * 512 + 5 * 4096 - 256)) 512
check inject-across-pages inject $((pb * 512 + 5 * 4096 - 256)) 512
# 64 bytes of the filesystem's first sector (its superblock): metadata.
note 64 64
check inject-metadata inject 64 64
# 64 bytes 5/16 into the filesystem, where nothing was written: free.
note "$free" 64
check inject-free inject "$free" 64

out=$(dax-admin badblocks "$mnt")
check_eq exit-1 1 "$?"
check_eq files "$mnt/a 12416+64;$mnt/b 20224+512" \
	"$(printf '%s' "$out" | jq -r '[.files[] | "\(.path) \([.ranges[] | "\(.file_offset)+\(.length)"] | join(","))"] | sort | join(";")')"
list=metadata; [ "$variant" = xfs ] && list=unattributed
check_eq superblock-$list "0 1" "$(printf '%s' "$out" | jq -r ".$list[0] | \"\\(.sector) \\(.sectors)\"")"
check_eq free-space "$((free / 512)) 1" \
	"$(printf '%s' "$out" | jq -r '.unallocated[0] | "\(.sector) \(.sectors)"')"
check_eq source-memdev-dpa "$(for r in $injected; do printf '%s %d %d\n' "$memdev" "${r%%:*}" "${r#*:}"; done | sort | tr '\n' ';')" \
	"$(printf '%s' "$out" | jq -r '.badblocks[] | select(.source == "cxl") | .poison[] | "\(.memdev) \(.dpa) \(.dpa_length)"' | sort | tr '\n' ';')"
check_eq bytes "$((pa * 512 + 12416)) 64" \
	"$(printf '%s' "$out" | jq -r --argjson s "$((pa * 512 + 12416))" '.badblocks[].poison[]? | select(.byte_offset == $s) | "\(.byte_offset) \(.bytes)"')"
# The scan left no tracefs instance behind.
check_eq no-instance-left "" "$(ls /sys/kernel/tracing/instances | grep daxpolicy)"
# Without root it cannot read the lists: a refusal that says why, never clean.
# (util-linux's setpriv, a group tool: busybox's cannot change the user.)
if /usr/bin/setpriv --help 2>&1 | grep -q reuid; then
	err=$(/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups dax-admin badblocks "$mnt" 2>&1 >/dev/null)
	rc=$?
	check_match not-root-refused "exit [2-9].*[Cc][Xx][Ll]" "exit $rc $(printf "%s" "$err" | tr "\n" " ")"
else
	skip not-root-refused "no util-linux setpriv in the guest"
fi
check clear-poison clear_all
unmount_all
