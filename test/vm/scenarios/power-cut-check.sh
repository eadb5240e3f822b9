#!/bin/sh
# power-cut-check FS: second boot of the power-cut group, on the NVDIMM the
# first boot left at the power cut. For every kill point power-cut-arm
# armed on FS: the media error comes back (the emulated NVDIMM's software
# list of bad sectors does not survive a reboot; real media keep theirs, so
# the same disk sector is written to /sys/block/DISK/badblocks again before
# the mount), the filesystem mounts (log replay), `dax-admin badblocks`
# exits 1 and reports as repair_interrupted exactly the intent records in
# .dax-badblocks, which must be there whenever the steps before the cut had
# written one (it was fsynced); `--finish` (then `--clear`, when the file
# still maps the bad sector) completes the repair, and the whole file's
# sha256 equals the one before the error with only the bad sector zeroed,
# its size unchanged and nothing left to report.
. /usr/share/daxtest/lib.sh

variant=$1
plan 3

sdev=$(nd_list -N | jq -r 'select(.name == "pc-state") | .blockdev')
dd if="/dev/$sdev" bs=65536 count=1 2>/dev/null | tr -d '\0' | sed '/^END$/q' |
	awk -v v="$variant" '$1 == v' >"/tmp/pc-$variant"
n=$(wc -l <"/tmp/pc-$variant")
check_match state-read '^[1-9][0-9]*$' "$n"

held=0 bad=""
while read -r _ k name sector want expect how what; do
	m=/mnt/pc/$variant-$k
	mkdir -p "$m"
	dev=$(nd_list -N | jq -r --arg n "$name" 'select(.name == $n) | .blockdev')
	if [ -z "$dev" ] || ! wait_for "/dev/$dev" 5; then
		bad="$bad k=$k:no-namespace"
		continue
	fi
	echo "$sector 1" >"/sys/block/$dev/badblocks"
	if ! mount -t "${variant%%-*}" -o dax=always "/dev/$dev" "$m"; then
		bad="$bad k=$k:mount"
		continue
	fi
	scan=$(dax-admin badblocks "$m" 2>/dev/null)
	src=$?
	records=$(find "$m/.dax-badblocks" -name '*.intent' 2>/dev/null | wc -l)
	reported=$(printf '%s' "$scan" | jq '[.reasons[] | select(.code == "repair_interrupted")] | length')
	ok=1
	if [ "$records $reported $src" != "$expect $expect 1" ]; then
		bad="$bad k=$k:records-$records-reported-$reported-of-$expect-exit-$src"
		ok=0
	fi
	dax-admin badblocks --finish "$m" --yes >/dev/null 2>&1 || { bad="$bad k=$k:finish"; ok=0; }
	if [ "$(dax-admin badblocks "$m" 2>/dev/null | jq '.files | length')" != 0 ]; then
		dax-admin badblocks --clear "$m/a" --offset 5632 --length 512 --yes >/dev/null 2>&1 ||
			{ bad="$bad k=$k:clear"; ok=0; }
	fi
	after=$(dax-admin badblocks "$m" 2>/dev/null)
	if [ "$(sha256sum <"$m/a" | cut -d' ' -f1)" != "$want" ] || [ "$(stat -c %s "$m/a")" != 65536 ] ||
	   [ "$(printf '%s' "$after" | jq '(.files | length) + (.reasons | length)')" != 0 ]; then
		bad="$bad k=$k:data"
		ok=0
	fi
	[ $ok = 1 ] && held=$((held + 1))
	log "kill point $k ($how before $what): $records record(s), $reported reported, exit $src; $([ $ok = 1 ] && echo held || echo BROKEN)"
	umount "$m"
done <"/tmp/pc-$variant"
log "$variant: $n power-cut kill points, $held held"
check_eq kill-points-held "$n ''" "$held '$bad'"
check_match kill-points-counted '^([4-9]|[1-3][0-9])$' "$n"
