#!/bin/sh
# monitor-service FS: dax-admin monitor as dax-admin-monitor.service runs it
# (--wait --syslog, the default state under /var/lib/dax-admin, the log
# under /var/log/dax-admin), on real fsdax:
#  (a) started before any pmem filesystem is mounted, it says it waits and
#      keeps running; the filesystem mounted later is watched at once
#      (the mount table wakes it: --interval is 10 s);
#  (b) a new error: one JSON line on stdout and in the log, one record in
#      the state, one structured message in syslog (busybox syslogd);
#  (c) the log rotated (renamed, then SIGHUP): the next error (in a file
#      whose name holds a newline and a quote, escaped in syslog) goes to a
#      new log, the old one keeps the first; restarted with the same state,
#      nothing is reported again although the log is new;
#  (d) unmounted under --wait: it says it waits, keeps running, and watches
#      the filesystem again when it is mounted again;
#  (e) dax-admin metrics with those bad sectors: files affected (2) and bytes
#      lost, DAX state, the fsdax namespace, 'promtool check metrics'; a
#      pmem mount with dax=never is "expected" and not DAX (the alert).
. /usr/share/daxtest/lib.sh

fs=$1
dev=$(state_get PMEM)
disk=$(bdev_disk "$dev")
mnt=/mnt/pmem
logdir=/var/log/dax-admin
log=$logdir/monitor.log
statefile=/var/lib/dax-admin/monitor.state
out=/tmp/service-$fs.out
err=/tmp/service-$fs.err
msgs=/tmp/service-$fs.messages
plan 51

uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
# wait_grep PATTERN FILE SECONDS
wait_grep() {
	_i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null && [ $_i -lt $(($3 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
# wait_lines N FILE SECONDS
wait_lines() {
	_i=0
	while [ "$(wc -l <"$2" 2>/dev/null || echo 0)" -lt "$1" ] && [ $_i -lt $(($3 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
alive() { kill -0 "$MON" 2>/dev/null && echo yes || echo no; }
stop_monitor() {
	kill -TERM "$MON" 2>/dev/null
	wait "$MON"
}
start_service() {
	: >"$out"
	: >"$err"
	dax-admin monitor --wait --syslog --interval 10 --log "$log" "$@" >"$out" 2>"$err" &
	MON=$!
}

unmount_all
rm -rf /var/lib/dax-admin "$logdir" "$msgs"
mkdir -p /var/lib /var/log "$mnt"
# syslog(3) goes to /dev/log: busybox syslogd writes it to $msgs.
busybox syslogd -n -O "$msgs" &
SYSLOGD=$!
wait_for /dev/log 5
check mkfs make_fs "$fs" "$dev"

# (a) Nothing mounted yet.
start_service
wait_grep 'waiting for one' "$err" 10
check_match a-says-waiting 'no filesystem on persistent memory is mounted; waiting for one' "$(cat "$err")"
sleep 1
check_eq a-still-running yes "$(alive)"
check_eq a-state-dir-0700 700 "$(stat -c %a /var/lib/dax-admin)"
check_eq a-log-dir-0700 700 "$(stat -c %a "$logdir")"
check_eq a-state-file-0600 600 "$(stat -c %a "$statefile")"
t0=$(uptime_ms)
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
wait_grep "mounted; watching $disk" "$err" 8
dt=$(($(uptime_ms) - t0))
log "late mount seen after $dt ms"
check_match a-late-mount-watched "dax-admin monitor: $mnt: mounted; watching $disk" "$(cat "$err")"
check_eq a-late-mount-by-poll yes "$([ "$dt" -lt 8000 ] && echo yes)"

# (b) A new error in file a.
daxtest create "$mnt/a" 65536 >/dev/null
sync
pa=$(phys_of "$mnt/a")
echo "$((pa + 3)) 1" >"/sys/block/$disk/badblocks"
wait_lines 1 "$out" 30
check_eq b-one-line 1 "$(wc -l <"$out")"
check_eq b-event "new $disk $((pa + 3)) 1 $mnt/a 1536 512" \
	"$(head -n 1 "$out" | jq -r '"\(.event) \(.dev) \(.offset) \(.length) \(.files[0].path) \(.files[0].ranges[0].file_offset) \(.files[0].ranges[0].length)"')"
check_eq b-log-is-output "$(cat "$out")" "$(cat "$log")"
check_eq b-log-mode 600 "$(stat -c %a "$log")"
check_eq b-state-record "new $disk $((pa + 3)) 1" "$(jq -r '"\(.event) \(.dev) \(.offset) \(.length)"' "$statefile")"
check_eq b-state-no-files null "$(jq -c .files "$statefile")"
wait_grep 'media error' "$msgs" 5
check_match b-syslog "dax-admin-monitor\\[$MON\\]: media error: event=new device=$disk sector=$((pa + 3)) sectors=1 mount=\"$mnt\" file=\"$mnt/a\" offset=1536 length=512" \
	"$(cat "$msgs")"
check_eq b-syslog-one-message 1 "$(grep -c 'media error' "$msgs")"

# (c) Rotation: rename, SIGHUP, the next error goes to the new log.
mv "$log" "$log.1"
kill -HUP "$MON"
wait_grep 'log reopened' "$err" 5
check_match c-reopened "$log: log reopened" "$(cat "$err")"
check_eq c-new-log "600 0" "$(stat -c '%a %s' "$log" 2>&1)"
check_eq c-running-after-hup yes "$(alive)"
# The second error hits a file whose name holds a newline and a quote:
# syslog gets them escaped, on one line.
weird="$mnt/$(printf 'evil\nname"q')"
daxtest create "$weird" 65536 >/dev/null
sync
pw=$(phys_of "$weird")
echo "$((pw + 2)) 1" >"/sys/block/$disk/badblocks"
wait_lines 2 "$out" 30
check_eq c-second-event "$((pw + 2)) 1024" "$(sed -n 2p "$out" | jq -r '"\(.offset) \(.files[0].ranges[0].file_offset)"')"
check_eq c-new-log-has-second "$((pw + 2))" "$(jq -r .offset "$log")"
wait_grep 'evil' "$msgs" 5
check_match c-syslog-escaped "media error: event=new device=$disk sector=$((pw + 2)) sectors=1 mount=\"$mnt\" file=\"$mnt/evil\\\\x0aname\\\\x22q\" offset=1024 length=512" \
	"$(cat "$msgs")"
check_eq c-syslog-no-forged-line 0 "$(grep -c '^name' "$msgs")"
check_eq c-old-log-kept-first "$((pa + 3))" "$(jq -r .offset "$log.1")"
check_eq c-state-has-both 2 "$(wc -l <"$statefile")"
stop_monitor
check_eq c-sigterm-exit-0 0 "$?"
rm -f "$log" "$log.1"
start_service --timeout 3
wait "$MON"
check_eq c-restart-exit-0 0 "$?"
check_eq c-restart-silent "" "$(cat "$out")"
check_eq c-restart-new-log-empty "0" "$(stat -c %s "$log")"

# (d) Unmounted and mounted again under --wait.
start_service
wait_grep "watching $disk" "$err" 10
umount "$mnt"
wait_grep 'waiting for one' "$err" 8
check_match d-unmounted-said "$mnt: no longer mounted; stopped watching it" "$(cat "$err")"
check_match d-waits-again 'waiting for one' "$(cat "$err")"
sleep 1
check_eq d-still-running yes "$(alive)"
check d-remount mount -t "$fs" -o dax=always "$dev" "$mnt"
wait_grep "mounted; watching $disk" "$err" 8
check_match d-watched-again "$mnt: mounted; watching $disk" "$(cat "$err")"
check_eq d-nothing-reported "" "$(cat "$out")"
stop_monitor
check_eq d-sigterm-exit-0 0 "$?"

# (e) Metrics: two bad sectors in file a.
mkdir -p /tmp/textfile
check metrics-output dax-admin metrics --output /tmp/textfile/dax-admin.prom
prom=/tmp/textfile/dax-admin.prom
metric() { grep "^$1{mount=\"$mnt\"}" "$prom" | awk '{ print $2 }'; }
check_eq e-files-affected 2 "$(metric daxadmin_mount_files_affected)"
check_eq e-bytes-lost 1024 "$(metric daxadmin_mount_bytes_lost)"
check_eq e-bad-sectors 2 "$(metric daxadmin_mount_bad_sectors)"
check_eq e-scan-success 1 "$(metric daxadmin_mount_badblocks_scan_success)"
check_eq e-dax 1 "$(metric daxadmin_mount_dax)"
check_eq e-map-sync 1 "$(metric daxadmin_mount_map_sync)"
check_eq e-expected 1 "$(metric daxadmin_mount_dax_expected)"
check_match e-state-active "^daxadmin_mount_dax_state\\{mount=\"$mnt\",state=\"active\"\\} 1$" "$(cat "$prom")"
ns=$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .dev')
check_match e-namespace "^daxadmin_namespace_info\\{namespace=\"$ns\",region=\"region[0-9]+\",mode=\"fsdax\",device=\"$disk\",persistence_domain=\"[a-z_]+\"\\} 1$" \
	"$(cat "$prom")"
check_eq e-namespace-size "$(nd_list -N | jq -r --arg b "$disk" 'select(.blockdev == $b) | .size')" \
	"$(grep "^daxadmin_namespace_size_bytes{namespace=\"$ns\"}" "$prom" | awk '{ print $2 }')"
if command -v promtool >/dev/null; then
	check_eq e-promtool-check-metrics "0 " "$(promtool check metrics <"$prom" 2>&1; echo "$? ")" 
else
	skip e-promtool-check-metrics "promtool is not in the guest (apt-get install prometheus on the host)"
fi
# A pmem mount with dax=never: asked for (on pmem) and not DAX.
umount "$mnt"
check e-mount-never mount -t "$fs" -o dax=never "$dev" "$mnt"
dax-admin metrics >"$prom"
check_eq e-never-expected-not-dax "1 0" "$(metric daxadmin_mount_dax_expected) $(metric daxadmin_mount_dax)"
umount "$mnt"
kill "$SYSLOGD" 2>/dev/null
wait "$SYSLOGD" 2>/dev/null
exit 0
