#!/bin/sh
# badblocks-killpoints FS: dax-admin badblocks --clear cannot lose data on
# real fsdax (software badblocks; no platform clear-error under QEMU, so
# every repair moves the block). The repair is killed (SIGKILL, through the
# test-only DAXPOLICY_TEST_KILL_AT=N) before each step it takes, counted
# until a run completes; after each kill `dax-admin badblocks` must report
# every interrupted repair (repair_interrupted, exit 1), `--finish` (and a
# new --clear when nothing had changed yet) completes it, and the whole
# file must equal its contents before the error with only the bad sector
# zeroed; `dax-admin monitor` reports the first interrupted repair (the file
# and the command that finishes it). Then a writer appends and fsyncs records while --clear runs:
# refused without --force; with it, repaired where the bad block never
# becomes free (reflink; exchange-range), refused with the reason and the
# writer named elsewhere (the move would free the bad block, and the writer
# could be handed it); no fsynced record is lost either way.
# FS: ext4, xfs (reflink), xfs-noreflink, or xfs-exchange (no reflink, the
# exchange-range feature: Linux 6.10 and later; skipped where the kernel
# cannot mount it).
. /usr/share/daxtest/lib.sh

variant=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
mkdir -p "$mnt"
plan 10

# The exchange-range feature (incompat bit 0x40): mkfs.xfs -i exchange=1
# (xfsprogs 6.10), else set with xfs_db.
mkfs_exchange() {
	mkfs.xfs -q -f -m reflink=0 -i exchange=1 "$dev" 2>/dev/null && return 0
	mkfs.xfs -q -f -m reflink=0 "$dev" || return 1
	f=$(xfs_db -c 'sb 0' -c 'print features_incompat' "$dev" | awk '{ print $3 }')
	xfs_db -x -c 'sb 0' -c "write -d features_incompat $(printf '%#x' $((f | 0x40)))" "$dev" >/dev/null 2>&1
}
case $variant in
ext4) check mkfs make_fs ext4 "$dev" ;;
xfs) check mkfs run mkfs.xfs -q -f -m reflink=1 "$dev" ;;
xfs-noreflink) check mkfs run mkfs.xfs -q -f -m reflink=0 "$dev" ;;
xfs-exchange)
	check mkfs mkfs_exchange
	if ! mount -o dax=always "$dev" "$mnt" 2>/dev/null; then
		why="kernel $(uname -r) cannot mount an XFS with exchange-range (Linux 6.10)"
		for c in mount monitor-repair-interrupted kill-points-held kill-points-counted completed-run writer-refused \
			 writer-refused-records-kept writer-force-exit writer-force-records-kept; do
			skip "$c" "$why"
		done
		exit 0
	fi
	umount "$mnt" ;;
esac
check mount mount -o dax=always "$dev" "$mnt"
head -c 65536 /dev/urandom >/tmp/a.orig
cp /tmp/a.orig /tmp/a.want
dd if=/dev/zero of=/tmp/a.want bs=512 seek=11 count=1 conv=notrunc 2>/dev/null
want=$(sha256sum </tmp/a.want)

# Software badblocks are forgotten only when the namespace is re-enabled:
# a fresh start for each kill point.
fresh() {
	umount "$mnt"
	ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
	ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
	wait_for "$dev" 5
	mount -o dax=always "$dev" "$mnt"
}
# A copy of the original with one bad sector in its second block.
place() {
	rm -f "$mnt/a"
	cp /tmp/a.orig "$mnt/a"
	sync
	pa=$(phys_of "$mnt/a")
	echo "$((pa + 11)) 1" >"/sys/block/$disk/badblocks"
}
clear_a() {
	dax-admin badblocks --clear "$mnt/a" --offset 5632 --length 512 --yes "$@"
}

k=1 held=0 broken=""
while [ $k -le 40 ]; do
	place
	DAXPOLICY_TEST_KILL_AT=$k sh -c 'dax-admin badblocks --clear "$1" --offset 5632 --length 512 --yes' \
		sh "$mnt/a" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 0 ] && break
	[ $rc -eq 137 ] || { broken="$broken k=$k:exit-$rc"; break; }
	scan=$(dax-admin badblocks "$mnt" 2>/dev/null); src=$?
	records=$(find "$mnt/.dax-badblocks" -name '*.intent' 2>/dev/null | wc -l)
	reported=$(printf '%s' "$scan" | jq '[.reasons[] | select(.code == "repair_interrupted")] | length')
	[ "$records" = "$reported" ] && [ $src -eq 1 ] || broken="$broken k=$k:reported-$reported-of-$records-exit-$src"
	# The monitor watching the filesystem says it too, once: the file and
	# the command that finishes the repair.
	if [ "$records" -gt 0 ] && [ -z "${monitor_checked:-}" ]; then
		monitor_checked=1
		monitored=$(dax-admin monitor --timeout 2 "$mnt" 2>/dev/null |
			jq -r 'select(.event == "repair_interrupted") | "\(.file) \(.command)"')
		check_eq monitor-repair-interrupted "$mnt/a dax-admin badblocks --finish $mnt --yes" "$monitored"
	fi
	dax-admin badblocks --finish "$mnt" --yes >/dev/null 2>&1 || broken="$broken k=$k:finish-failed"
	# Killed before anything changed: the file still has its bad bytes.
	if [ "$(dax-admin badblocks "$mnt" 2>/dev/null | jq '.files | length')" != 0 ]; then
		clear_a >/dev/null 2>&1 || broken="$broken k=$k:clear-after-failed"
	fi
	after=$(dax-admin badblocks "$mnt" 2>/dev/null)
	if [ "$(sha256sum <"$mnt/a")" = "$want" ] && [ "$(stat -c %s "$mnt/a")" = 65536 ] &&
	   [ "$(printf '%s' "$after" | jq '(.files | length) + (.reasons | length)')" = 0 ]; then
		held=$((held + 1))
	else
		broken="$broken k=$k:data"
	fi
	log "kill point $k: $records record(s) reported, finished"
	fresh
	k=$((k + 1))
done
log "$variant: $((k - 1)) kill points, $held held"
check_eq kill-points-held "$((k - 1)) ''" "$held '$broken'"
check_match kill-points-counted '^([5-9]|[1-3][0-9])$' "$((k - 1))"
check_eq completed-run "$want 0" "$(sha256sum <"$mnt/a") $(dax-admin badblocks "$mnt" | jq '.files | length')"

# A writer appending and fsyncing 64-byte records during --clear.
for mode in refused force; do
	fresh
	place
	daxtest append "$mnt/a" 120 >/tmp/writer.out &
	writer=$!
	i=0
	while ! grep -q writing /tmp/writer.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ $mode = force ]; then
		clear_a --force >/tmp/writer.json 2>/tmp/writer.err
		rc=$?
		case $variant in
		xfs|xfs-exchange)
			check_eq writer-force-exit 0 "$rc"
			head_want=$want ;;
		*)
			# The move would free the bad block for an instant: refused,
			# the writer named, the block as it was (still bad).
			check_eq writer-force-exit "1 force_unsafe $writer 1" \
				"$rc $(jq -r '"\(.code) \(.holders | map(tostring) | join(","))"' </tmp/writer.json) $(grep -c "pid $writer (daxtest).*frees the bad block" /tmp/writer.err)"
			head_want=unchanged ;;
		esac
	else
		clear_a >/dev/null 2>/tmp/writer.err
		rc=$?
		check_eq writer-refused "1 1" "$rc $(grep -c "pid $writer (daxtest)" /tmp/writer.err)"
		head_want=$(sha256sum </tmp/a.orig)
	fi
	sleep 1
	kill $writer
	wait $writer
	n=$(awk '/^appended/ { print $2 }' /tmp/writer.out)
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "record %010d%46s\n", i, "" }' >/tmp/records
	log "writer ($mode): $n records fsynced"
	if [ $mode = force ] && [ "$head_want" != unchanged ]; then
		head -c 65536 "$mnt/a" >/tmp/a.head
		check_eq writer-force-records-kept "$((65536 + 64 * n)) $(sha256sum </tmp/records) $head_want" \
			"$(stat -c %s "$mnt/a") $(dd if="$mnt/a" bs=65536 skip=1 2>/dev/null | sha256sum) $(sha256sum </tmp/a.head)"
	else
		# The bad sector still cannot be read: compare around it.
		dd if="$mnt/a" of=/tmp/a.head bs=4096 count=1 2>/dev/null
		dd if="$mnt/a" of=/tmp/a.rest bs=4096 skip=2 count=14 2>/dev/null
		check_eq writer-$mode-records-kept "$((65536 + 64 * n)) $(sha256sum </tmp/records) $(head -c 4096 /tmp/a.orig | sha256sum) $(tail -c +8193 /tmp/a.orig | sha256sum)" \
			"$(stat -c %s "$mnt/a") $(dd if="$mnt/a" bs=65536 skip=1 2>/dev/null | sha256sum) $(sha256sum </tmp/a.head) $(sha256sum </tmp/a.rest)"
	fi
done

umount "$mnt"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
wait_for "$dev" 5
