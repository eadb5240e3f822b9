#!/bin/sh
# kernel-caps FS [cxl]: dax-admin kernel on real fsdax (with cxl: on the
# fsdax device of a CXL region made by cxl-region). What it probes is compared
# with the guest kernel's version landmarks (mount ids unique from 6.8,
# file_getattr from 6.17), so that 6.1 and 6.12 must answer differently,
# and with what the guest itself shows (sysfs, the mounted filesystem).
. /usr/share/daxtest/lib.sh

fs=$1
cxl=${2:-}
dev=$(state_get PMEM)
mnt=/mnt/pmem
mkdir -p "$mnt"
if [ -n "$cxl" ]; then plan 16; else plan 14; fi

# at_least MAJOR MINOR: the running kernel is at least that version.
at_least() {
	_r=$(uname -r)
	_maj=${_r%%.*}
	_min=${_r#*.}
	_min=${_min%%[!0-9]*}
	[ "$_maj" -gt "$1" ] || { [ "$_maj" -eq "$1" ] && [ "$_min" -ge "$2" ]; }
}
yes_if() { if "$@"; then echo yes; else echo no; fi; }
cap() { printf '%s\n' "$out" | jq -r --arg c "$1" --arg f "$2" '.capabilities[$c][$f]'; }

check mkfs make_fs "$fs" "$dev"
check mount mount -t "${fs%%-*}" -o dax=always "$dev" "$mnt"
out=$(dax-admin kernel "$mnt")
printf '%s\n' "$out" | sed 's/^/    /'
check_eq release "$(uname -r)" "$(printf '%s\n' "$out" | jq -r .kernel)"
check_eq map-sync yes "$(cap map_sync state)"
check_eq statx-dax 0x200000 "$(cap statx_dax value)"
check_eq mount-id-unique "$(yes_if at_least 6 8)" "$(cap mount_id_unique state)"
check_eq file-getattr "$(yes_if at_least 6 17)" "$(cap file_getattr state)"
check_eq getfsmap "yes ${fs%%-*}" "$(cap getfsmap state) $(cap getfsmap value)"
check_eq dax-inode yes "$(cap "dax_inode_${fs%%-*}" state)"
check_eq xfs-reflink-dax "$(yes_if at_least 6 0)" "$(cap xfs_reflink_dax state)"
check_eq device-dax "$(yes_if test -d /sys/bus/dax)" "$(cap device_dax state)"
# No CXL bus: no; a bus (cxl_core is built into Debian's kernels) without
# memory devices: nothing to ask; memdevs: QEMU's type-3 device lists poison.
if [ ! -d /sys/bus/cxl ]; then
	want=no
elif ls -d /sys/bus/cxl/devices/mem* >/dev/null 2>&1; then
	want=yes
else
	want=unknown
fi
check_eq cxl-poison-list "$want" "$(cap cxl_poison_list state)"
# A DAX mapping was made in the mount, and userfaultfd refuses it (it
# handles anonymous, shmem and hugetlbfs memory only).
check_eq userfaultfd-dax no "$(cap userfaultfd_dax state)"
check_contains userfaultfd-dax-reason "$mnt" "$(cap userfaultfd_dax reason)"
if [ -n "$cxl" ]; then
	# debugfs is mounted by /init: the memdev's inject_poison is there.
	check_eq cxl-poison-inject "yes 1" "$(cap cxl_poison_inject state) $(cap cxl_poison_inject value)"
	check trigger-poison-list sh -c 'echo 1 > /sys/bus/cxl/devices/mem0/trigger_poison_list'
fi
unmount_all
