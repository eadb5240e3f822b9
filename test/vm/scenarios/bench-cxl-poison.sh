#!/bin/sh
# bench-cxl-poison FS [REAL]: the benchmark of bench/bench-cxl-poison.sh.
# 100,000 files of 4 KiB (100 folders of 1,000) on FS (xfs or xfs-rmapbt),
# mounted with dax=always, over the CXL region's fsdax namespace (PMEM,
# from cxl-region). mkfs.xfs writes them from a prototype file: under TCG
# that takes a few minutes where creating them through the kernel took
# about eight. 1,000 of them are picked at random, one 64-byte piece of
# poison in the first page of each (at 64 x (N mod 64) bytes into the
# file), as:
#   real   the first REAL (default 126) injected by QMP from the host and
#          read by dax-admin through tracefs. QEMU 10.0 accepts 256 records
#          per memdev but answers Get Poison List in one 2 KiB mailbox
#          payload, without More Records: past 126 records it fails an
#          assertion and the guest is gone.
#   file   all 1,000 as poison records in DAXPOLICY_TEST_CXL_POISON
#   list   the same pieces' sectors as "SECTOR 1" lines for --from-list
#          (what an nvdimm's badblocks gives): the baseline
# Checked before timing: each way names exactly the picked files, and the
# CXL ways the exact 64-byte file ranges. Then bench-exec times the four
# commands in turns (median of 3) and busybox time gives the peak RSS of
# the 1,000-record run and its baseline; two rows without targets show
# what the kernel and tracefs take of the real records' time. Rows for bench_table go between
# the "==== bench" markers, "# " lines are notes. Not a timed test: its
# checks are that the paths measured are right.
. /usr/share/daxtest/lib.sh

variant=$1
real=${2:-126}
fs=${variant%%-*}
picks=1000
dev=$(state_get PMEM)
disk=$(bdev_name "$dev")
mnt=/mnt/pmem
w=/tmp/bench-cxl
mkdir -p "$mnt" "$w"
plan 12
da=/usr/libexec/daxtest/dax-admin	# the real binary, not the capturing wrapper
[ -x "$da" ] || da=$(command -v dax-admin)

# The chain (lib.sh's cxl_geometry): data, base, ways, gran and per
# position dpa0_P, mem_P, qdev_P.
cxl_geometry "$disk"
rname=${region##*/}

now() { cut -d' ' -f1 /proc/uptime; }

# The prototype: folders d0 ... d99 of files f0 ... f999, each a copy of
# one 4 KiB file (mkfs.xfs(8), -p).
t0=$(now)
head -c 4096 /dev/zero >"$w/src"
awk -v src="$w/src" 'BEGIN {
	print "/dev/null"; print "0 0"; print "d--755 0 0"
	for (d = 0; d < 100; d++) {
		print "d" d " d--755 0 0"
		for (f = 0; f < 1000; f++) print "f" f " ---644 0 0 " src
		print "$"
	}
	print "$"
}' >"$w/proto"
rmapbt=0; [ "$variant" = xfs-rmapbt ] && rmapbt=1
check mkfs mkfs.xfs -q -f -m rmapbt=$rmapbt -p "$w/proto" "$dev"
t1=$(now)
check mount mount -t "$fs" -o dax=always "$dev" "$mnt"
check_eq files 100000 "$(find "$mnt" -type f | wc -l)"

# The picks: "PATH FIRST-SECTOR" of 1,000 random files (filefrag, split on
# ':' as lib.sh's phys_of), then the poison piece of each: PATH OFFSET
# MEMDEV QEMU-ID DPA SECTOR.
find "$mnt" -type f | shuf -n $picks >"$w/picked"
xargs filefrag -v -b512 <"$w/picked" | awk -F: '
	/^File size of / { f = $0; sub(/^File size of /, "", f); sub(/ is [0-9]+ .*/, "", f); next }
	$1 ~ /^ *0$/ { s = $3; sub(/\.\..*/, "", s); print f, s + 0 }' >"$w/sectors"
n=0
# shellcheck disable=SC2154 # m, q and d0 are set by eval
while read -r path sector; do
	off=$((n % 64 * 64))
	h=$((data + sector * 512 + off - base))
	p=$((h / gran % ways))
	eval "m=\$mem_$p q=\$qdev_$p d0=\$dpa0_$p"
	echo "$path $off $m $q $((d0 + h / gran / ways * gran + h % gran)) $(((sector * 512 + off) / 512))"
	n=$((n + 1))
done <"$w/sectors" >"$w/pieces"
check_eq picks "$picks" "$(cut -d' ' -f1 "$w/pieces" | sort -u | wc -l)"
awk -v r="$rname" '{ printf "memdev=%s region=%s trace_type=List dpa=0x%x dpa_length=0x40 flags=\n", $3, r, $5 }' \
	"$w/pieces" >"$w/records"
awk '{ print $6, 1 }' "$w/pieces" >"$w/list-all"
head -n "$real" "$w/pieces" >"$w/pieces-real"
awk '{ print $6, 1 }' "$w/pieces-real" >"$w/list-real"

# Real poison: every request at once to the host (qmp-watch.py), then wait
# until the devices list them all.
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
t=/sys/kernel/tracing/instances/daxtest-bench
mkdir -p "$t" && echo 1 >"$t/events/cxl/cxl_poison/enable"
listed() {
	: >"$t/trace"
	for _m in $(cut -d' ' -f3 "$w/pieces-real" | sort -u); do
		echo 1 >"/sys/bus/cxl/devices/$_m/trigger_poison_list"
	done
	grep -c "trace_type=List" "$t/trace"
}
inject_all() {
	while read -r _p _o _m _q _d _s; do
		printf '@@DAXTEST qmp cxl-inject-poison %s 0x%x 64\n' "$_q" "$_d" >&9
	done <"$w/pieces-real"
	_i=0
	while [ "$(listed)" -lt "$real" ]; do
		_i=$((_i + 1))
		[ $_i -gt 150 ] && { echo "only $(listed) of $real records listed"; return 1; }
		sleep 2
	done
	! grep -q "trace_type=List.*Overflow" "$t/trace"
}
check inject inject_all
rmdir "$t" 2>/dev/null

# What each way names: "PATH FILE-OFFSET+LENGTH" for the CXL ways (64-byte
# ranges), "PATH" for --from-list (whole sectors), as a checksum.
named() { jq -r '.files[] | "\(.path) \([.ranges[] | "\(.file_offset)+\(.length)"] | join(","))"' | sort | md5sum; }
paths() { jq -r '.files[].path' | sort | md5sum; }
want_real=$(awk '{ print $1, $2 "+64" }' "$w/pieces-real" | sort | md5sum)
want_all=$(awk '{ print $1, $2 "+64" }' "$w/pieces" | sort | md5sum)
check_eq real-named "$want_real" "$("$da" badblocks "$mnt" | named)"
check_eq file-named "$want_all" "$(DAXPOLICY_TEST_CXL_POISON=$w/records "$da" badblocks "$mnt" | named)"
check_eq list-real-named "$(cut -d' ' -f1 "$w/pieces-real" | sort | md5sum)" \
	"$("$da" badblocks --from-list "$w/list-real" "$mnt" | paths)"
check_eq list-all-named "$(cut -d' ' -f1 "$w/pieces" | sort | md5sum)" \
	"$("$da" badblocks --from-list "$w/list-all" "$mnt" | paths)"

# shellcheck disable=SC2046 # four numbers
set -- $(bench-exec 3 "$da" badblocks "$mnt" -- \
	"$da" badblocks --from-list "$w/list-real" "$mnt" -- \
	env DAXPOLICY_TEST_CXL_POISON="$w/records" "$da" badblocks "$mnt" -- \
	"$da" badblocks --from-list "$w/list-all" "$mnt")
check_eq timed 4 "$#"
rss() { busybox time -f %M -o "$w/rss" "$@" >/dev/null 2>&1; tail -n 1 "$w/rss"; }
rss_file=$(DAXPOLICY_TEST_CXL_POISON=$w/records rss "$da" badblocks "$mnt")
rss_list=$(rss "$da" badblocks --from-list "$w/list-all" "$mnt")
check_match rss-read '^[0-9]+ [0-9]+$' "$rss_file $rss_list"

# Where the real records' time goes, by hand (3 times each, shell): the
# device's part (trigger the list, read the kernel's events back from a
# trace instance) and making and removing a trace instance.
reps() {
	_n=$1
	shift
	_a=$(now)
	_i=0
	while [ $_i -lt "$_n" ]; do "$@" >/dev/null; _i=$((_i + 1)); done
	awk -v a="$_a" -v b="$(now)" -v n="$_n" 'BEGIN { printf "%.1f", (b - a) * 1000 / n }'
}
instance() { mkdir "$t-x" && echo 1 >"$t-x/events/cxl/cxl_poison/enable" && rmdir "$t-x"; }
mkdir -p "$t" && echo 1 >"$t/events/cxl/cxl_poison/enable"
t_list=$(reps 3 listed)
rmdir "$t"
t_inst=$(reps 3 instance)

ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }
echo "==== bench: begin"
echo "# $variant, dax=always, on the fsdax namespace of CXL $rname ($ways way(s)): 100,000 files of 4 KiB written in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s"
printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
	"badblocks, $real CXL records injected by QMP (tracefs)" "$(ms "$1")" ms \
	"--from-list, the same $real sectors" "$(ms "$2")" 1.50 \
	"badblocks, $picks CXL records (DAXPOLICY_TEST_CXL_POISON)" "$(ms "$3")" ms \
	"--from-list, the same $picks sectors" "$(ms "$4")" 1.50 \
	"peak RSS, $picks CXL records" "$rss_file" KiB \
	"--from-list, the same $picks sectors" "$rss_list" 1.50 \
	"by hand: trigger the list, read $real records back" "$t_list" ms \
	"badblocks, $real CXL records (tracefs)" "$(ms "$1")" - \
	"by hand: make a trace instance, enable cxl_poison, remove it" "$t_inst" ms \
	"badblocks, $real CXL records (tracefs)" "$(ms "$1")" -
echo "==== bench: end"
rm -rf "$w"
check umount umount "$mnt"
