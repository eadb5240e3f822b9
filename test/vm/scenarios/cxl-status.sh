#!/bin/sh
# cxl-status [WAYS]: dax-admin status on a file of the fsdax namespace on a
# CXL region (made by cxl-region or cxl-region-2way) names the CXL chain,
# compared field by field with what 'cxl list' and 'ndctl list' print in the
# same guest: region, ways, granularity, resource, size, and per position
# the endpoint decoder, memdev, serial, DPA range and health.
. /usr/share/daxtest/lib.sh

ways=${1:-1}
dev=$(state_get PMEM)
mnt=/mnt/pmem
plan $((12 + 6 * ways))

# First element when cxl list prints an array.
first() { jq -c 'if type == "array" then .[0] else . end'; }

check mount sh -c "mkdir -p $mnt && mount -o dax=always $dev $mnt"
check file daxtest create "$mnt/f" 65536
out=$(dax-admin status "$mnt/f")
printf '%s\n' "$out" | jq -c .device | sed 's/^/    /'
cxl=$(printf '%s\n' "$out" | jq -c .device.cxl)
ndr=$(printf '%s\n' "$out" | jq -r .device.region)
region=$(cxl list -R -T | first)
printf '    cxl list -R -T: %s\n' "$region"
rname=$(printf '%s\n' "$region" | jq -r .region)

f() { printf '%s\n' "$cxl" | jq -r "$1"; }
r() { printf '%s\n' "$region" | jq -r "$1"; }
check_match cxl-object '^\{' "$cxl"
check_eq region "$rname" "$(f .region)"
check_eq ways "$(r .interleave_ways)" "$(f .interleave_ways)"
check_eq ways-expected "$ways" "$(f .interleave_ways)"
check_eq granularity "$(r .interleave_granularity)" "$(f .interleave_granularity)"
check_eq resource "$(r .resource)" "$(f .resource)"
check_eq size "$(r .size)" "$(f .size)"
check_eq persistence-domain \
	"$(ndctl list -R -r "$ndr" | first | jq -r .persistence_domain)" "$(f .persistence_domain)"
check_eq brief "cxl $rname x$ways" \
	"$(dax-admin status --brief "$mnt/f" | grep -o "cxl $rname x[0-9]*")"

pos=0
while [ "$pos" -lt "$ways" ]; do
	m=$(r ".mappings[] | select(.position == $pos)")
	md=$(printf '%s\n' "$m" | jq -r .memdev)
	dec=$(printf '%s\n' "$m" | jq -r .decoder)
	mem=$(cxl list -m "$md" -H | first)
	d=$(cxl list -D -d "$dec" | first)
	printf '    position %s: %s %s\n' "$pos" "$mem" "$d"
	g() { printf '%s\n' "$cxl" | jq -r --argjson p "$pos" ".mappings[] | select(.position == \$p) | $1"; }
	check_eq "memdev-$pos" "$md" "$(g .memdev)"
	check_eq "decoder-$pos" "$dec" "$(g .decoder)"
	check_eq "serial-$pos" "$(printf '%s\n' "$mem" | jq -r '.serial | tonumber')" "$(g .serial)"
	check_eq "dpa-$pos" "$(printf '%s\n' "$d" | jq -r '"\(.dpa_resource) \(.dpa_size)"')" \
		"$(g '"\(.dpa_resource) \(.dpa_size)"')"
	# Health as cxl list -H shows it; where the device does not answer
	# Get Health Info (cxl list then shows none), null with the reason.
	check_eq "health-$pos" \
		"$(printf '%s\n' "$mem" | jq -r 'if .health then .health |
			"\(.media_normal) \(.life_used_percent) \(.dirty_shutdowns)" else "unavailable" end')" \
		"$(g 'if .health then .health |
			"\(.media_status == "normal") \(.life_used_percent) \(.dirty_shutdowns)"
			elif (.health_error // "") != "" then "unavailable" else "no reason" end')"
	check_eq "host-$pos" "$(printf '%s\n' "$mem" | jq -r .host)" "$(g .host)"
	pos=$((pos + 1))
done

# Elsewhere (the guest's root, not on pmem) there is no "cxl" key.
check_eq no-cxl-elsewhere false "$(dax-admin status / | jq '.device | has("cxl")')"
unmount_all
