#!/bin/sh
# cxl-poison FS [WAYS]: media errors of a CXL memdev mapped to files. Poison is
# injected by QMP from the host (the guest asks on its result channel, the
# host's qmp-watch.py sends cxl-inject-poison) at DPAs computed here from
# filefrag of known files: 64 bytes inside a page of a, 512 bytes across a
# page boundary of b, 64 bytes of the superblock area, 64 bytes of free
# space; on an interleaved region (WAYS, default 1, is only said in the
# name: the region's geometry is read) each piece goes to the memdev that
# holds its granule. dax-admin badblocks must name exactly those files and 64-byte
# ranges, the metadata and the free space, with source cxl, the memdev and
# the DPAs. Under TCG a read of poison succeeds: the mapping is tested,
# not the fault. dax-admin monitor reports poison injected while it
# runs (polled at --interval) with the file hit. The poison is cleared (debugfs) at the end. FS: ext4, xfs
# (FIEMAP walk) or xfs-rmapbt (GETFSMAP owners). Needs PMEM from
# cxl-region.
. /usr/share/daxtest/lib.sh

variant=$1
fs=${variant%%-*}
dev=$(state_get PMEM)
disk=$(bdev_name "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 19

# The chain (lib.sh's cxl_geometry): data, base, ways, gran and per
# position dpa0_P, mem_P, qdev_P.
cxl_geometry "$disk"

# A private trace instance to see the devices' lists.
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
t=/sys/kernel/tracing/instances/daxtest
mkdir -p "$t" && echo 1 >"$t/events/cxl/cxl_poison/enable"
listed() { # MEMDEV DPA LENGTH
	: >"$t/trace"
	echo 1 >"/sys/bus/cxl/devices/$1/trigger_poison_list"
	grep -q "memdev=$1 .*trace_type=List .*dpa=$(printf '0x%x' "$2") dpa_length=$(printf '0x%x' "$3") " "$t/trace"
}
# want DISK-BYTE LENGTH: the pieces of poison (one per granule) that make
# those disk bytes, "MEMDEV QEMU-ID DPA LENGTH" lines, into $pending and
# $all (outside check: it runs its command in a subshell).
pending=/tmp/cxl-poison.pending
all=/tmp/cxl-poison.all
: >"$all"
want() {
	: >"$pending"
	_b=$1
	_n=$2
	_pm= _pd=0 _pn=0
	while [ "$_n" -gt 0 ]; do
		_h=$((data + _b - base))
		_in=$((_h % gran))
		_k=$((gran - _in))
		[ "$_k" -gt "$_n" ] && _k=$_n
		_p=$((_h / gran % ways))
		eval "_m=\$mem_$_p _q=\$qdev_$_p _d0=\$dpa0_$_p"
		_d=$((_d0 + _h / gran / ways * gran + _in))
		if [ "$_m" = "$_pm" ] && [ $((_pd + _pn)) -eq "$_d" ]; then
			_pn=$((_pn + _k))	# the same memdev, right after: one record
		else
			[ -n "$_pm" ] && echo "$_pm $_pq $_pd $_pn" >>"$pending"
			_pm=$_m _pq=$_q _pd=$_d _pn=$_k
		fi
		_b=$((_b + _k))
		_n=$((_n - _k))
	done
	echo "$_pm $_pq $_pd $_pn" >>"$pending"
	cat "$pending" >>"$all"
}
# Ask the host for the pending pieces, then wait for the devices to list them.
inject() {
	while read -r _m _q _d _n; do
		printf '@@DAXTEST qmp cxl-inject-poison %s 0x%x %s\n' "$_q" "$_d" "$_n" >&9
		_i=0
		while ! listed "$_m" "$_d" "$_n"; do
			_i=$((_i + 1))
			[ $_i -gt 100 ] && { log "poison $_m $_d+$_n never listed"; return 1; }
			sleep 0.2
		done
	done <"$pending"
}
clear_all() {
	while read -r _m _q _d _n; do
		_o=0
		while [ $_o -lt "$_n" ]; do
			printf '0x%x' $((_d + _o)) >"/sys/kernel/debug/cxl/$_m/clear_poison"
			_o=$((_o + 64))
		done
	done <"$all"
	: >"$t/trace"
	for _m in $(cut -d' ' -f1 "$all" | sort -u); do
		echo 1 >"/sys/bus/cxl/devices/$_m/trigger_poison_list"
	done
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
log "a at sector $pa, b at $pb; data $data, region base $base, $ways way(s) of $gran bytes"

# 64 bytes inside page 3 of a, at byte 128 of it: a 12416+64.
want $((pa * 512 + 3 * 4096 + 128)) 64
check inject-in-page inject
# 512 bytes across the boundary of pages 4 and 5 of b: b 20224+512.
want $((pb * 512 + 5 * 4096 - 256)) 512
check inject-across-pages inject
# 64 bytes of the filesystem's first sector (its superblock): metadata.
want 64 64
check inject-metadata inject
# 64 bytes 5/16 into the filesystem, where nothing was written: free.
want "$free" 64
check inject-free inject

out=$(DAXPOLICY_LOG=info dax-admin badblocks "$mnt")
check_eq exit-1 1 "$?"
check_eq files "$mnt/a 12416+64;$mnt/b 20224+512" \
	"$(printf '%s' "$out" | jq -r '[.files[] | "\(.path) \([.ranges[] | "\(.file_offset)+\(.length)"] | join(","))"] | sort | join(";")')"
list=metadata; [ "$variant" = xfs ] && list=unattributed
check_eq superblock-$list "0 1" "$(printf '%s' "$out" | jq -r ".$list[0] | \"\\(.sector) \\(.sectors)\"")"
check_eq free-space "$((free / 512)) 1" \
	"$(printf '%s' "$out" | jq -r '.unallocated[0] | "\(.sector) \(.sectors)"')"
check_eq source-memdev-dpa "$(cut -d' ' -f1,3,4 "$all" | sort | tr '\n' ';')" \
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
# monitor: poison is not notified, the lists are polled at --interval; new
# poison on c (one 64-byte record in page 2) is reported with the file hit.
pc=$(phys_of "$mnt/c")
dax-admin monitor --interval 1 --count 1 --timeout 120 "$mnt" >/tmp/cxl-monitor.out 2>/tmp/cxl-monitor.err &
mon=$!
_i=0
while ! grep -q watching /tmp/cxl-monitor.err && kill -0 "$mon" 2>/dev/null && [ $_i -lt 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
want $((pc * 512 + 2 * 4096 + 256)) 64
check monitor-inject inject
wait "$mon"
check_eq monitor-exit-0 0 "$?"
sed 's/^/    monitor: /' /tmp/cxl-monitor.err
# As badblocks reports it: the 64 bytes, source cxl, the record's memdev and DPA.
check_eq monitor-file-hit "new $mnt/c 8448 64 cxl" \
	"$(jq -r '"\(.event) \(.files[0].path) \(.files[0].ranges[0].file_offset) \(.files[0].ranges[0].length) \(.source)"' /tmp/cxl-monitor.out)"
check_eq monitor-memdev-dpa "$(cut -d' ' -f1,3,4 "$pending")" \
	"$(jq -r '.poison[] | "\(.memdev) \(.dpa) \(.dpa_length)"' /tmp/cxl-monitor.out)"
check clear-poison clear_all
unmount_all
