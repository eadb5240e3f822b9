#!/bin/sh
# power-cut-arm FS [commit] [K...]: arm one power-cut kill point per step of
# a repair on FS (ext4, xfs with reflink, xfs-noreflink), each on its own
# 64 MiB fsdax namespace (only kill points K when given). With "commit",
# the filesystem is committed (syncfs) once the repair has stopped: the cut
# then comes after a background journal commit could have made every change
# so far durable, not only those the repair made durable itself. First a whole repair on a spare namespace counts the steps S
# (DAXPOLICY_LOG=debug logs each); then for k = 1..S+1 a namespace gets a
# filesystem, a 64 KiB file of random bytes made durable (sync), its sha256
# taken, a software bad sector at byte 5632 (sector 11 of the file), and
# `dax-admin badblocks --clear` started with DAXPOLICY_TEST_STOP_AT=k: it
# stops (SIGSTOP) just before step k and waits there for the power cut
# (k = S+1: the repair has finished, the cut comes after it). One line per
# kill point goes to /tmp/pc-state for power-cut-check: namespace, k, the
# bad sector, the sha256 wanted afterwards (bad sector zeroed), the
# record count the cut must leave, the step it stopped before.
# XFS is made at 60 MiB with the configuration fstests uses (TEST_DIR,
# TEST_DEV, QA_CHECK_FS set; mkfs.xfs refuses under 300 MB otherwise).
. /usr/share/daxtest/lib.sh

variant=$1
shift
mode="cut"
if [ "${1:-}" = commit ]; then
	mode=commit
	shift
fi
only=" $* "   # kill points to arm (default: all)
real=/usr/libexec/daxtest/dax-admin
[ -x "$real" ] || real=$(command -v dax-admin)
plan 3

# mkns NAME: a 64 MiB fsdax namespace; prints its block device.
mkns() {
	ndctl create-namespace -r region0 -m fsdax -s 64M -n "$1" | jq -r '.blockdev // empty'
}
mkfs_mount() { # DEV MNT
	case $variant in
	ext4) mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 "/dev/$1" ;;
	xfs) TEST_DIR=/tmp TEST_DEV=/dev/$1 QA_CHECK_FS=1 mkfs.xfs -q -f -m reflink=1 "/dev/$1" ;;
	xfs-noreflink) TEST_DIR=/tmp TEST_DEV=/dev/$1 QA_CHECK_FS=1 mkfs.xfs -q -f -m reflink=0 "/dev/$1" ;;
	esac >/dev/null || return 1
	mkdir -p "$2"
	case $variant in
	ext4) mount -t ext4 -o dax=always,commit=3600 "/dev/$1" "$2" ;;
	*) mount -t xfs -o dax=always "/dev/$1" "$2" ;;
	esac
}
# place DEV MNT: the file, durable, then its bad sector; sets SECTOR and
# WANT (the file's sha256 with that sector zeroed).
place() {
	head -c 65536 /dev/urandom >/tmp/pc.want &&
		cp /tmp/pc.want "$2/a" && cp /tmp/pc.want "/tmp/pc-orig-$(wc -l </tmp/pc-state)" &&
		sync -f "$2/a" || return 1
	dd if=/dev/zero of=/tmp/pc.want bs=512 seek=11 count=1 conv=notrunc 2>/dev/null
	WANT=$(sha256sum </tmp/pc.want | cut -d' ' -f1)
	SECTOR=$(($(phys_of "$2/a") + 11))
	echo "$SECTOR 1" >"/sys/block/$1/badblocks"
}
clear_a() { # MNT
	"$real" badblocks --clear "$1/a" --offset 5632 --length 512 --yes
}

# The steps of a whole repair.
c=$variant-$mode-count
dev=$(mkns "pc-$c") && mkfs_mount "$dev" "/mnt/pc/$c" && place "$dev" "/mnt/pc/$c"
DAXPOLICY_LOG=debug clear_a "/mnt/pc/$c" >/dev/null 2>/tmp/pc-count.log
rc=$?
steps=$(grep -c 'repair step' /tmp/pc-count.log)
sed -n 's/.*repair step \([0-9]*\): /step \1: /p' /tmp/pc-count.log
check_eq count-run "0 yes" "$rc $([ "$steps" -ge 3 ] && echo yes || echo "no ($steps steps)")"
umount "/mnt/pc/$c"

armed=0 bad=""
k=1
while [ "$k" -le $((steps + 1)) ]; do
	name=pc-$variant-$mode-$k m=/mnt/pc/$variant-$mode-$k
	case $only in "  " | *" $k "*) ;; *) k=$((k + 1)); continue ;; esac
	if ! dev=$(mkns "$name") || ! mkfs_mount "$dev" "$m" || ! place "$dev" "$m"; then
		bad="$bad k=$k:setup"
		k=$((k + 1))
		continue
	fi
	DAXPOLICY_LOG=debug DAXPOLICY_TEST_STOP_AT=$k "$real" badblocks --clear "$m/a" --offset 5632 \
		--length 512 --yes >/dev/null 2>"/tmp/pc-$variant-$k.log" &
	pid=$!
	i=0 st=
	while [ $i -lt 600 ]; do
		st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)
		case $st in T | Z | "") break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$st" = T ] && [ $mode = commit ]; then
		# What a background journal commit would make durable just
		# before the cut: everything the repair did so far.
		# (syncfs through the mount point: opening the file would break
		# the stopped repair's lease and wait)
		sync -f "$m"
		how=stopped-committed
	elif [ "$st" = T ]; then
		how=stopped
	elif [ "$st" = Z ] || [ -z "$st" ]; then
		wait "$pid"
		how=exit-$?
	else
		kill -KILL "$pid"
		wait "$pid"
		how=hung
	fi
	# The record exists at the cut when the steps before k wrote it and
	# did not remove it yet.
	expect=$(sed -n 's/.*repair step \([0-9]*\): //p' "/tmp/pc-$variant-$k.log" | head -n $((k - 1)) |
		awk '/^write the intent record/ { r = 1 } /^remove the intent record/ { r = 0 } END { print r + 0 }')
	what=$(sed -n "s/.*repair step $k: //p" "/tmp/pc-$variant-$k.log" | tr ' ' '_')
	[ $k -le "$steps" ] && [ "${how%-committed}" != stopped ] && bad="$bad k=$k:$how"
	[ $k -gt "$steps" ] && [ "$how" != exit-0 ] && bad="$bad k=$k:$how"
	echo "$variant $k $name $SECTOR $WANT $expect $how ${what:-after_the_last_step}" >>/tmp/pc-state
	log "kill point $k: $how before '${what:-after the last step}', sector $SECTOR, record expected: $expect"
	armed=$((armed + 1))
	k=$((k + 1))
done
[ "$only" = "  " ] || armed=$((steps + 1))
check_eq armed "$((steps + 1)) ''" "$armed '$bad'"
check_match steps-counted '^([3-9]|[1-3][0-9])$' "$steps"
