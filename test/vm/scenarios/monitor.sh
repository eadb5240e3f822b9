#!/bin/sh
# monitor FS: dax-admin monitor runs in the background while media errors
# appear at known places of known files (found with filefrag):
#  (a) software badblocks written to /sys/block/DISK/badblocks: one JSON
#      line each, naming the file and byte range, numbered like the disk's
#      list; an error next to a known one is reported for its new sector
#      only; a restart with the same --state reports nothing again, a
#      fresh state records what is there as "present";
#  (b) a platform error (machine check, one sector): reported at once
#      although --interval is 60 s, with the offset of 'ndctl list -M';
#  (c) after the platform forgot the error, the log still names the file
#      and a restarted monitor (same state) reports nothing; unmounting the filesystem
#      under the monitor stops it with a message.
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
log=/tmp/monitor-$fs.log
state=/tmp/monitor-$fs.state
out=/tmp/monitor-$fs.out
err=/tmp/monitor-$fs.err
mkdir -p "$mnt"
rm -f "$log" "$state" "$state.fresh"
plan 37

uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# field N JQ: a field of line N of the monitor's output
field() { sed -n "${1}p" "$out" | jq -r "$2"; }

# start_monitor ARGS...: dax-admin monitor in the background (MON), once it
# says it is watching.
start_monitor() {
	: >"$out"
	: >"$err"
	dax-admin monitor "$@" >"$out" 2>"$err" &
	MON=$!
	_i=0
	while ! grep -q watching "$err" && kill -0 "$MON" 2>/dev/null && [ $_i -lt 150 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sed 's/^/    monitor: /' "$err"
}

# wait_monitor SECONDS: its exit status, or 124 when it had to be killed.
wait_monitor() {
	_i=0
	while kill -0 "$MON" 2>/dev/null && [ $_i -lt $(($1 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$MON" 2>/dev/null; then
		kill "$MON"
		wait "$MON"
		return 124
	fi
	wait "$MON"
}

# wait_lines N SECONDS: until the output has N lines.
wait_lines() {
	_i=0
	while [ "$(wc -l <"$out")" -lt "$1" ] && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

remount() {
	umount "$mnt"
	ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
	ndctl disable-namespace "$ns" >/dev/null && ndctl enable-namespace "$ns" >/dev/null
	wait_for "$dev" 10 && mount -t "$fs" -o dax=always "$dev" "$mnt"
}

check mkfs make_fs "$fs" "$dev"
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
daxtest create "$mnt/a" 65536 >/dev/null
daxtest create "$mnt/b" 65536 >/dev/null
sync
pa=$(phys_of "$mnt/a")
pb=$(phys_of "$mnt/b")

# Without a mount point it finds the pmem filesystems itself.
check_match finds-pmem-mounts "^dax-admin monitor: $mnt: watching $disk " \
	"$(dax-admin monitor --timeout 0 2>&1 >/dev/null)"

# (a) Software badblocks are not notified: found at the next interval.
start_monitor --interval 1 --count 2 --state "$state" --log "$log" "$mnt"
check_match a-watching "$mnt: watching $disk \\(0 bad ranges listed\\)" "$(cat "$err")"
echo "$((pa + 11)) 1" >"/sys/block/$disk/badblocks"
wait_lines 1 15
check_eq a-one-line 1 "$(wc -l <"$out")"
check_eq a-event "new $disk $mnt sysfs" "$(field 1 '"\(.event) \(.dev) \(.mount) \(.source)"')"
check_eq a-same-as-sysfs "$(cat "/sys/block/$disk/badblocks")" "$(field 1 '"\(.offset) \(.length)"')"
check_eq a-file "$mnt/a $(stat -c %i "$mnt/a") 5632 512" \
	"$(field 1 '.files[0] | "\(.path) \(.inode) \(.ranges[0].file_offset) \(.ranges[0].length)"')"
check_match a-time '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$(field 1 .time)"
# The next sector: the disk's list merges it with the first, the monitor
# reports only what is new.
echo "$((pa + 12)) 1" >"/sys/block/$disk/badblocks"
wait_monitor 15
check_eq a-count-2-exit-0 0 "$?"
check_eq a-merged-in-sysfs "$((pa + 11)) 2" "$(cat "/sys/block/$disk/badblocks")"
check_eq a-only-new-sector "$((pa + 12)) 1 $mnt/a 6144 512" \
	"$(field 2 '"\(.offset) \(.length) \(.files[0].path) \(.files[0].ranges[0].file_offset) \(.files[0].ranges[0].length)"')"
check_eq a-log-is-output "$(cat "$out")" "$(cat "$log")"
check_eq a-log-mode 600 "$(stat -c %a "$log")"
check_eq a-state-mode 600 "$(stat -c %a "$state")"
check_eq a-state-records "$(jq -c '{event, dev, offset, length}' "$log")" "$(jq -c '{event, dev, offset, length}' "$state")"

# Restarted with the same state: what is recorded is not reported again.
start_monitor --interval 1 --timeout 2 --state "$state" --log "$log" "$mnt"
wait_monitor 15
check_eq a-restart-exit-0 0 "$?"
check_eq a-restart-silent "" "$(cat "$out")"
check_eq a-restart-log-kept 2 "$(wc -l <"$log")"
# A fresh state records what is there as "present" (one range now).
start_monitor --timeout 0 --state "$state.fresh" "$mnt"
wait_monitor 15
check_eq a-fresh-state-present "present $((pa + 11)) 2 5632 1024" \
	"$(field 1 '"\(.event) \(.offset) \(.length) \(.files[0].ranges[0].file_offset) \(.files[0].ranges[0].length)"')"
# --count not reached before --timeout: exit 1; SIGTERM: exit 0.
dax-admin monitor --interval 1 --count 1 --timeout 1 "$mnt" >/dev/null 2>&1
check_eq a-timeout-before-count-exit-1 1 "$?"
start_monitor --interval 1 "$mnt"
kill -TERM "$MON"
wait_monitor 10
check_eq a-sigterm-exit-0 0 "$?"

check remount-clears-software-badblocks remount
check_eq no-badblocks-left "" "$(cat "/sys/block/$disk/badblocks")"

# (b) A platform error in one sector of b: the badblocks attributes wake
# the monitor; the 60 s interval would be too late for the 30 s wait.
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
start_monitor --interval 60 --count 1 --state "$state" --log "$log" "$mnt"
check_match b-watching "watching $disk \\(0 bad ranges listed\\)" "$(cat "$err")"
t0=$(uptime_ms)
inject_mce "$(pmem_phys "$disk" $((pb + 20)))" 9
wait_monitor 30
rc=$?
log "platform error reported after $(($(uptime_ms) - t0)) ms"
check_eq b-woken-by-poll 0 "$rc"
check_eq b-file "$mnt/b 10240 512" \
	"$(field 1 '.files[0] | "\(.path) \(.ranges[0].file_offset) \(.ranges[0].length)"')"
check_eq b-same-as-ndctl "$(ndctl list -M -n "$ns" | jq -r 'if type == "array" then .[0] else . end | .badblocks[0] | "\(.offset) \(.length)"')" \
	"$(field 1 '"\(.offset) \(.length)"')"
check_eq b-logged 3 "$(wc -l <"$log")"
# Still listed by the platform, already in the log: not reported again.
start_monitor --interval 1 --timeout 2 --state "$state" --log "$log" "$mnt"
wait_monitor 15
check_eq b-restart-silent "0 " "$? $(cat "$out")"

# (c) The platform forgets the error; the log and the state do not.
umount "$mnt"
check clear-platform-errors clear_platform_errors
wait_for "$dev" 10
check_eq c-gone-from-sysfs "" "$(cat "/sys/block/$disk/badblocks" 2>&1)"
check c-mount mount -t "$fs" -o dax=always "$dev" "$mnt"
start_monitor --interval 1 --timeout 2 --state "$state" --log "$log" "$mnt"
wait_monitor 15
check_eq c-restart-silent "0 " "$? $(cat "$out")"
check_eq c-log-names-file "$mnt/b 10240" \
	"$(tail -n 1 "$log" | jq -r '"\(.files[0].path) \(.files[0].ranges[0].file_offset)"')"
# Unmounted under the monitor: said, and nothing is left to watch.
start_monitor --interval 1 "$mnt"
umount "$mnt"
wait_monitor 15
check_eq unmounted-exit-1 1 "$?"
check_match unmounted-message "$mnt: no longer mounted; stopped watching it" "$(cat "$err")"
