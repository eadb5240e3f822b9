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
# Each line keeps its number: the original file of line i is at 1 MiB +
# i * 64 KiB.
dd if="/dev/$sdev" bs=65536 count=1 2>/dev/null | tr -d '\0' | sed '/^END$/q' |
	awk -v v="$variant" '$1 == v { print NR - 1, $0 }' >"/tmp/pc-$variant"
n=$(wc -l <"/tmp/pc-$variant")
nd_list -N >/tmp/pc-namespaces
check_match state-read '^[1-9][0-9]*$' "$n"

held=0 bad=""
while read -r line _ k name sector want expect how what; do
	m=/mnt/pc/${name#pc-}
	mkdir -p "$m"
	dev=$(jq -r --arg n "$name" 'select(.name == $n) | .blockdev' /tmp/pc-namespaces)
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
	# A repair that had finished leaves a clean file (exit 0).
	xrc=1
	[ "$how" = exit-0 ] && xrc=0
	if [ "$records $reported $src" != "$expect $expect $xrc" ]; then
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
		# What differs from the original (sector 11 = bytes 5633-6144 of cmp).
		dd if="/dev/$sdev" of=/tmp/pc.orig bs=65536 skip=$((16 + line)) count=1 2>/dev/null
		log "k=$k: size $(stat -c %s "$m/a"), left to report: $(printf '%s' "$after" | jq -c '[.files[].path, .reasons[].code]')"
		log "k=$k: bytes differing from the original (cmp -l: offset+1, was, is):"
		cmp -l /tmp/pc.orig "$m/a" 2>&1 | awk 'NR == 1 { f = $0 } { n++; l = $0 } END { print "    " n + 0 " bytes, first: " f ", last: " l }'
		filefrag -v "$m/a" 2>&1 | sed 's/^/    /'
	fi
	[ $ok = 1 ] && held=$((held + 1))
	log "$(cut -d' ' -f1 /proc/uptime)s: kill point $k ($how before $what): $records record(s), $reported reported, exit $src; $([ $ok = 1 ] && echo held || echo BROKEN)"
	umount "$m"
done <"/tmp/pc-$variant"
log "$variant: $n power-cut kill points, $held held"
check_eq kill-points-held "$n ''" "$held '$bad'"
check_match kill-points-counted '^([4-9]|[1-3][0-9])$' "$n"
