#!/bin/sh
# badblocks-dm FS: a filesystem on a device-mapper device whose two linear
# targets map its halves to the fsdax disk in swapped order, with a gap
# between them. Software badblocks written to the disk at known places of
# a file (found with filefrag on the dm device) are reported by
# dax-admin badblocks MOUNT numbered on the dm device, attributed to the
# right file offsets; an error in the gap, which the table does not map,
# is not. --clear works through the table. An unprivileged user and a striped target are refused. FS: ext4, xfs or xfs-rmapbt.
. /usr/share/daxtest/lib.sh

variant=$1
fs=${variant%%-*}
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
name=daxtest-linear
mkdir -p "$mnt"
plan 14

if ! command -v dmsetup >/dev/null || [ ! -e /dev/mapper/control ]; then
	for c in table dax mkfs mount file-in-both-targets exit-1 count first-half second-half ranges clear cleared-range-gone unprivileged striped-refused; do
		skip "$c" "no dmsetup or device-mapper in the guest"
	done
	exit 0
fi

# Two targets of L sectors (a multiple of 2 MiB): the device's first half
# is the disk's second (after a gap of G), its second half the disk's first.
size=$(sysfs "/sys/block/$disk/size")
G=4096
L=$((((size - G) / 2) / 4096 * 4096))
majmin=$(sysfs "/sys/block/$disk/dev")
table="0 $L linear $majmin $((L + G))
$L $L linear $majmin 0"
check table sh -c "printf '%s\n' '$table' | DM_DISABLE_UDEV=1 dmsetup create --noudevsync $name"
dmdev=$(DM_DISABLE_UDEV=1 dmsetup info -c --noheadings -o blkdevname "$name")
wait_for "/dev/$dmdev" 5
check_eq dax 1 "$(sysfs "/sys/block/$dmdev/queue/dax")"

# dm sector -> disk sector, as the table says.
to_disk() { if [ "$1" -lt "$L" ]; then echo $(($1 + L + G)); else echo $(($1 - L)); fi; }
# sector_at FILE BYTE: the dm sector holding byte BYTE of FILE.
sector_at() {
	filefrag -v -b512 "$1" | awk -F: -v s=$(($2 / 512)) -v b=$(($2 % 512)) '
		$1 ~ /^ *[0-9]+$/ { split($2, l, /\.\./); split($3, p, /\.\./)
			if (s >= l[1] + 0 && s <= l[2] + 0) { print p[1] + s - l[1]; exit } }'
}

check mkfs make_fs "$variant" "/dev/mapper/$name"
check mount mount -t "$fs" -o dax=always "/dev/mapper/$name" "$mnt"
# A file with data near its start and at 3/4 of the device: one place in
# each target.
far=$((L * 512 / 2 * 3 / 1048576 * 1048576))
xfs_io -f -c "falloc 0 $((far + 1048576))" -c "pwrite -q 0 65536" -c "pwrite -q $far 65536" "$mnt/big" >/dev/null
sync
s1=$(sector_at "$mnt/big" 5632)
s2=$(sector_at "$mnt/big" $((far + 8192)))
check file-in-both-targets test "${s1:-$L}" -lt "$L" -a "${s2:-0}" -ge "$L"
log "file sectors on $dmdev: $s1 $s2 (L=$L)"
echo "$(to_disk "$s1") 1" >"/sys/block/$disk/badblocks"
echo "$(to_disk "$s2") 8" >"/sys/block/$disk/badblocks"
echo "$((L + 100)) 1" >"/sys/block/$disk/badblocks"   # in the gap

out=$(dax-admin badblocks "$mnt")
check_eq exit-1 1 "$?"
# Two: the gap's error is on the disk, not on the dm device.
check_eq count "$dmdev 2" "$(printf '%s' "$out" | jq -r '"\(.dev) \(.badblock_count)"')"
check_eq first-half "$s1 1 namespace" "$(printf '%s' "$out" | jq -r '.badblocks[] | select(.offset < '"$L"') | "\(.offset) \(.length) \(.source)"')"
check_eq second-half "$s2 8" "$(printf '%s' "$out" | jq -r '.badblocks[] | select(.offset >= '"$L"') | "\(.offset) \(.length)"')"
check_eq ranges "5632 512,$((far + 8192)) 4096" \
	"$(printf '%s' "$out" | jq -r --arg f "$mnt/big" '[.files[] | select(.path == $f) | .ranges[] | "\(.file_offset) \(.length)"] | sort | join(",")')"

# --clear through the table: the file leaves the bad block; the other
# range is untouched.
check clear dax-admin badblocks --clear "$mnt/big" --offset 5632 --length 512 --yes
check_eq cleared-range-gone "$((far + 8192)) 4096" \
	"$(dax-admin badblocks "$mnt" | jq -r --arg f "$mnt/big" '[.files[] | select(.path == $f) | .ranges[] | "\(.file_offset) \(.length)"] | join(",")')"

# Reading the table needs CAP_SYS_ADMIN: an unprivileged user is told so.
out=$(su -s /bin/sh nobody -c "dax-admin badblocks $mnt" 2>&1)
check_match unprivileged "^2 .*CAP_SYS_ADMIN" "$? $out"
# A striped target is not followed: refused, not reported clean.
printf '0 8192 striped 2 8 %s 0 %s 8192\n' "$majmin" "$majmin" |
	DM_DISABLE_UDEV=1 dmsetup create --noudevsync daxtest-striped
out=$(dax-admin badblocks /dev/mapper/daxtest-striped 2>&1)
check_match striped-refused "^2 .*'striped' target" "$? $out"
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync daxtest-striped

umount "$mnt"
DM_DISABLE_UDEV=1 dmsetup remove --noudevsync "$name"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
