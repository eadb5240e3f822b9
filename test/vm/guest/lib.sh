# shellcheck shell=sh disable=SC2034
# Guest-side test library (busybox ash), sourced by /init and by every
# scenario script.
#
# A scenario declares how many checks it will report, then reports each one:
#
#   . /usr/share/daxtest/lib.sh
#   plan 2
#   check mount mount -o dax=always /dev/pmem0 /mnt/pmem
#   check_eq statx dax=1 "$(daxtest statx-dax /mnt/pmem/f)"
#
# Result lines start with "@@DAXTEST " and go to file descriptor 9 (the
# second serial port, opened by /init) and to stdout (the console), e.g.
#   @@DAXTEST plan dax-always-ext4 7
#   @@DAXTEST pass dax-always-ext4/mount
#   @@DAXTEST fail dax-always-ext4/statx expected 'dax=1', got 'dax=0'
#   @@DAXTEST skip dax-admin-version/version dax-admin is not installed
# The host counts a planned check that never got reported as a failure.

DAXTEST_TAG='@@DAXTEST'
DAXTEST_STATE=/run/daxtest/state
DAXTEST_SHARE=/usr/share/daxtest
: "${SCENARIO:=manual}"

_emit() {
	printf '%s %s\n' "$DAXTEST_TAG" "$*"
	printf '%s %s\n' "$DAXTEST_TAG" "$*" 2>/dev/null >&9
}

_oneline() {
	printf '%s' "$*" | tr '\n\r\t' '   ' | cut -c1-400
}

# Free-form progress on the console.
log() {
	printf '[%s] %s\n' "$SCENARIO" "$*"
}

plan() {
	_emit plan "$SCENARIO" "$1"
}

pass() {
	_emit pass "$SCENARIO/$1"
	return 0
}

fail() {
	_name=$1
	shift
	_emit fail "$SCENARIO/$_name" "$(_oneline "$*")"
	return 1
}

skip() {
	_name=$1
	shift
	_emit skip "$SCENARIO/$_name" "$(_oneline "$*")"
	return 0
}

# Run a command and log it with its output; returns its exit status.
run() {
	log "+ $*"
	"$@"
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1
	shift
	log "check $_name: $*"
	_out=$("$@" 2>&1)
	_rc=$?
	[ -n "$_out" ] && printf '%s\n' "$_out" | sed 's/^/    /'
	if [ $_rc -eq 0 ]; then
		pass "$_name"
	else
		fail "$_name" "'$*' exited $_rc: $_out"
	fi
}

# check_fails NAME CMD...: passes when CMD exits non-zero.
check_fails() {
	_name=$1
	shift
	log "check $_name (must fail): $*"
	_out=$("$@" 2>&1)
	_rc=$?
	[ -n "$_out" ] && printf '%s\n' "$_out" | sed 's/^/    /'
	if [ $_rc -ne 0 ]; then
		pass "$_name"
	else
		fail "$_name" "'$*' unexpectedly succeeded: $_out"
	fi
}

check_eq() {
	log "check $1: '$3' = '$2'"
	if [ "$3" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# check_contains NAME NEEDLE TEXT (fixed string)
check_contains() {
	log "check $1: contains '$2'"
	case $3 in
	*"$2"*) pass "$1" ;;
	*) fail "$1" "'$2' not found in: $3" ;;
	esac
}

# check_lacks NAME NEEDLE TEXT (fixed string)
check_lacks() {
	log "check $1: lacks '$2'"
	case $3 in
	*"$2"*) fail "$1" "'$2' unexpectedly found in: $3" ;;
	*) pass "$1" ;;
	esac
}

# check_match NAME ERE TEXT
check_match() {
	log "check $1: matches /$2/"
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "no match for /$2/ in: $3"
	fi
}

# State shared between the scenarios of one boot.
state_set() {
	mkdir -p "${DAXTEST_STATE%/*}"
	{ grep -v "^$1=" "$DAXTEST_STATE" 2>/dev/null; echo "$1=$2"; } >"$DAXTEST_STATE.new"
	mv "$DAXTEST_STATE.new" "$DAXTEST_STATE"
}

state_get() {
	sed -n "s/^$1=//p" "$DAXTEST_STATE" 2>/dev/null | tail -n 1
}

# ndctl prints an object for one result and an array for several.
nd_list() {
	ndctl list "$@" | jq -c 'if type == "array" then .[] else . end'
}

# ns_field NAMESPACE FIELD: one field of "ndctl list -N" for a namespace.
ns_field() {
	ndctl list -N -n "$1" | jq -r "if type == \"array\" then .[0] else . end | .$2 // empty"
}

sysfs() {
	cat "$1" 2>/dev/null || echo "(unreadable: $1)"
}

# Block device name (pmem0) of a device node or partition (pmem0p1).
bdev_name() {
	_b=${1#/dev/}
	echo "$_b"
}

# The whole-disk name behind a block device (pmem0p1 -> pmem0).
bdev_disk() {
	_b=$(bdev_name "$1")
	if [ -e "/sys/class/block/$_b/partition" ]; then
		_p=$(readlink -f "/sys/class/block/$_b/..")
		echo "${_p##*/}"
	else
		echo "$_b"
	fi
}

# bdev_start DEVICE: where a partition starts on its disk, in sectors (0 for
# a whole disk).
bdev_start() {
	_b=$(bdev_name "$1")
	if [ -e "/sys/class/block/$_b/partition" ]; then
		cat "/sys/class/block/$_b/start"
	else
		echo 0
	fi
}

# phys_of FILE [EXTENT]: the first sector of an extent of FILE (the first
# by default) on its block device (filefrag -v -b512).
phys_of() {
	# Split on ':' (large offsets run the columns together).
	filefrag -v -b512 "$1" | awk -F: -v e="${2:-0}" '$1 ~ /^ *[0-9]+$/ && $1 + 0 == e { sub(/\.\..*/, "", $3); print $3 + 0 }'
}

wait_for() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 10)) ] && return 1
		sleep 0.1
	done
}

# make_fs FS DEVICE: a filesystem with the page-sized blocks DAX needs.
make_fs() {
	case $1 in
	ext4) run mkfs.ext4 -q -F -b 4096 "$2" ;;
	xfs) run mkfs.xfs -q -f -m rmapbt=0 "$2" ;;
	xfs-rmapbt) run mkfs.xfs -q -f -m rmapbt=1 "$2" ;;
	*) echo "make_fs: unknown filesystem $1" >&2; return 2 ;;
	esac
}

# Fields of /proc/self/mountinfo for a mount point.
mnt_fstype() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); t = $(i + 1) } END { print t }' /proc/self/mountinfo
}

mnt_superopts() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); o = $(i + 3) } END { print o }' /proc/self/mountinfo
}

mnt_source() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); s = $(i + 2) } END { print s }' /proc/self/mountinfo
}

# Kernel messages since the last dmesg_mark.
dmesg_mark() {
	DMESG_MARK=$(dmesg | wc -l)
}

dmesg_since() {
	dmesg | tail -n +$((${DMESG_MARK:-0} + 1))
}

# Unmount whatever a scenario left mounted below /mnt.
unmount_all() {
	for _m in $(awk '$5 ~ /^\/mnt\// { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$_m" 2>/dev/null || umount -l "$_m"
	done
}

# hold_open FILE: keep FILE open in a background process (until
# release_held) and wait until it really is open. Sets HOLDER.
hold_open() {
	_hold_out=/tmp/hold.$$.$(date +%s%N)
	daxtest hold "$1" 600 >"$_hold_out" &
	HOLDER=$!
	_i=0
	while ! grep -q held "$_hold_out" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f "$_hold_out"
}

release_held() {
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null
}

# pmem_phys DISK SECTOR: the physical address of a sector of a pmem disk
# (the disk's data starts at its pfn device's resource for fsdax, at the
# namespace's resource for raw).
pmem_phys() {
	_ns=$(nd_list -N | jq -r --arg b "$1" 'select(.blockdev == $b) | .dev')
	_res=""
	for _p in /sys/bus/nd/devices/pfn*; do
		[ "$(cat "$_p/namespace" 2>/dev/null)" = "$_ns" ] && _res=$(cat "$_p/resource")
	done
	[ -n "$_res" ] || _res=$(cat "/sys/bus/nd/devices/$_ns/resource")
	echo $((_res + $2 * 512))
}

# inject_mce PHYS [LSB]: a platform-reported uncorrected memory error at a
# physical address, as real hardware reports it (machine check through
# mce-inject; the nfit driver adds it to the region's and the disk's
# badblocks). LSB 9 makes it one 512-byte sector, 12 (default) a 4 KiB page.
inject_mce() {
	[ -d /sys/kernel/debug/mce-inject ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	_d=/sys/kernel/debug/mce-inject
	[ -d $_d ] || { echo "inject_mce: no $_d" >&2; return 1; }
	echo sw >$_d/flags
	echo 0 >$_d/cpu
	echo 0xbc0000000008009f >$_d/status
	printf '0x%x\n' $((0x80 | ${2:-12})) >$_d/misc
	printf '0x%x\n' "$1" >$_d/addr
	echo 4 >$_d/bank
}

# wait_badblocks DISK COUNT: until the disk lists at least COUNT bad ranges
# (platform errors arrive asynchronously).
wait_badblocks() {
	_i=0
	while [ "$(wc -l <"/sys/block/$1/badblocks")" -lt "$2" ]; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && return 1
		sleep 0.1
	done
}

# clear_platform_errors: forget platform-reported errors by rebinding the
# NVDIMM root device to the nfit driver (the data stays).
clear_platform_errors() {
	_acpi=$(basename "$(readlink -f /sys/bus/acpi/drivers/nfit/ACPI0012:00)")
	echo "$_acpi" >/sys/bus/acpi/drivers/nfit/unbind
	echo "$_acpi" >/sys/bus/acpi/drivers/nfit/bind
}

# The si_code of a SIGBUS from a media error on a DAX mapping, as "media":
# BUS_ADRERR (2) on 6.1; BUS_MCEERR_AR (4) on 6.12, where the DAX fault path
# reports a bad sector as hardware poison. Anything else is printed as is.
bus_media_code() {
	case $1 in
	2 | 4) echo media ;;
	*) echo "$1" ;;
	esac
}

# power_cut [SECONDS]: ask the host to cut the power (it kills QEMU: no
# unmount, no sync) and wait for it. The scenario counts as finished; the
# group's BOOT2 scenarios then run on the same persistent memory.
power_cut() {
	_emit "done" "$SCENARIO" 0
	_emit power-cut "$SCENARIO"
	sleep "${1:-120}"
	fail power-cut "the host did not cut the power within ${1:-120}s"
}

# cxl_geometry DISK: the CXL chain under pmem disk DISK, in variables: data
# (the host physical address of the disk's byte 0), region (the CXL
# region's sysfs folder), base (its address), ways, gran, and for each
# position P of the interleave dpa0_P (where the region starts in the
# memdev's DPAs), mem_P (the memdev) and qdev_P (QEMU's device id, from the
# serial number: sn=N+1 for cxl-pmemN, test/vm/vm-common.sh). Disk byte B
# is region offset H = data + B - base; granule H / gran is on position
# (H / gran) % ways, at DPA dpa0 + (H / gran / ways) * gran + H % gran.
cxl_geometry() {
	data=$(cat "$(readlink -f "/sys/block/$1/device")/resource")
	region=$(ls -d /sys/bus/cxl/devices/region* | head -n1)
	base=$(cat "$region/resource")
	ways=$(cat "$region/interleave_ways")
	gran=$(cat "$region/interleave_granularity")
	_p=0
	while [ "$_p" -lt "$ways" ]; do
		_dec=$(cat "$region/target$_p")
		_m=$(readlink -f "$(dirname "$(readlink -f "/sys/bus/cxl/devices/$_dec")")/uport")
		_m=${_m##*/}	# the endpoint port's memdev
		eval "dpa0_$_p=$(cat "/sys/bus/cxl/devices/$_dec/dpa_resource")"
		eval "mem_$_p=$_m"
		eval "qdev_$_p=cxl-pmem$(($(cat "/sys/bus/cxl/devices/$_m/serial") - 1))"
		_p=$((_p + 1))
	done
}
