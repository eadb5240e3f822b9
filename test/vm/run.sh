#!/bin/bash
# Run the VM test tier: boot stock Debian kernels under QEMU with emulated
# persistent memory, once per group and kernel, and report every check.
#
#   test/vm/run.sh BUILD [GROUP...]
#
# BUILD is the build tree; the project is expected to be installed with
# DESTDIR=$BUILD/vm/stage (whatever is there is copied into the guest).
# GROUP names test/vm/groups/GROUP.sh (or $DAXTEST_VM_GROUPS/GROUP.sh); no
# GROUP runs them all.  Every group runs on every kernel of
# DAXTEST_VM_KERNELS (default 6.1 and 6.12) unless the group's KERNELS
# says otherwise; DAXTEST_VM_JOBS guests run at once (default: the number
# of CPUs), longest first by the previous run's times.
#
# Output: one "PASS: vm-<kernel>/<group>/<check>", "FAIL: ...: detail" or
# "SKIP: ...: reason" line per check, in kernel and group order, and a final
# "vm: N passed, N failed, N skipped".  Exit status 0 when nothing failed,
# 1 otherwise, 77 when the tier cannot run on this host at all.  See
# vm-common.sh for environment variables.

set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-common.sh
. "$here/vm-common.sh"
# Groups live in test/vm/groups; DAXTEST_VM_GROUPS names another folder
# (the benchmarks keep theirs in bench/).
groups_dir=${DAXTEST_VM_GROUPS:-$here/groups}

usage() {
	echo "usage: $0 BUILD [GROUP...]" >&2
	echo "groups: $(cd "$groups_dir" && ls -- *.sh | sed 's/\.sh$//' | tr '\n' ' ')" >&2
	exit 2
}

[ $# -ge 1 ] || usage
case $1 in -h | --help) usage ;; esac
tier_start=$(vm_now)
vm_setup "$1" || exit 2
shift

groups=()
if [ $# -eq 0 ]; then
	for f in "$groups_dir"/*.sh; do
		g=${f##*/}
		groups+=("${g%.sh}")
	done
else
	for g in "$@"; do
		[ -f "$groups_dir/$g.sh" ] || { echo "vm: no group '$g'" >&2; usage; }
		groups+=("$g")
	done
fi

vm_prepare_common
rc=$?
if [ $rc -eq 2 ]; then
	exit 2
elif [ $rc -ne 0 ]; then
	echo "SKIP: vm: $VM_SKIP_REASON"
	echo "vm: 0 passed, 0 failed, 1 skipped"
	exit 77
fi

# Prepare each kernel; one that cannot be had skips its groups.
kernels=()
skipped_kernels=0
while read -r label pkg; do
	start=$(vm_now)
	vm_prepare_kernel "$label" "$pkg"
	rc=$?
	if [ $rc -eq 2 ]; then
		exit 2
	elif [ $rc -ne 0 ]; then
		for g in "${groups[@]}"; do
			vm_result SKIP "vm-$label/$g" "$VM_SKIP_REASON"
		done
		skipped_kernels=$((skipped_kernels + 1))
		continue
	fi
	kernels+=("$label")
	echo "# vm-$label: kernel $VM_KVER ($VM_KPKG), accel $VM_ACCEL, prepared in $(vm_elapsed "$start")s"
done < <(vm_kernel_list)
if [ ${#kernels[@]} -eq 0 ]; then
	echo "vm: $VM_PASS passed, $VM_FAIL failed, $VM_SKIP skipped"
	exit 77
fi

# One job per kernel and group.  Each writes its result lines to its own
# file; they are printed in order at the end.
timings=$VM_DIR/timings
declare -A last=()
if [ -f "$timings" ]; then
	while read -r k g t _; do
		last["$k/$g"]=$t
	done <"$timings"
fi
# A group never timed: 15 s per scenario (about what one takes under TCG).
estimate() {
	(
		SCENARIOS=
		# shellcheck disable=SC1090
		. "$groups_dir/$1.sh" >/dev/null 2>&1
		# shellcheck disable=SC2086
		set -- $SCENARIOS
		echo $(($# * 15))
	)
}
jobs_list=()
for g in "${groups[@]}"; do
	est=$(estimate "$g")
	for k in "${kernels[@]}"; do
		jobs_list+=("${last[$k/$g]:-$est} $k $g")
	done
done
# Longest first (by the previous run), so that the last job to start is short.
mapfile -t jobs_list < <(printf '%s\n' "${jobs_list[@]}" | sort -s -t' ' -k1,1nr)

run_job() { # LABEL GROUP
	local k=$1 g=$2 start

	if ! vm_select_kernel "$k"; then
		vm_result FAIL "vm-$k/$g" "kernel $k was not prepared"
		return 0
	fi
	start=$(vm_now)
	if ! vm_load_group "$groups_dir/$g.sh"; then
		vm_result FAIL "vm-$k/$g/group" "cannot load $groups_dir/$g.sh"
		return 0
	fi
	if ! vm_group_runs_here; then
		vm_result SKIP "vm-$k/$g" "${GROUP_KERNELS_REASON:-the group runs on kernels $GROUP_KERNELS only}"
		return 0
	fi
	if [ "$GROUP_QEMU" = backports ]; then
		if ! vm_qemu_backports; then
			vm_result SKIP "vm-$k/$g" "$VM_SKIP_REASON"
			return 0
		fi
	else
		vm_qemu_host
	fi
	if ! vm_boot "$g"; then
		vm_result FAIL "vm-$k/$g/boot" "cannot set up the guest"
		return 0
	fi
	vm_report "$g"
	echo "# vm-$k/$g: ${VM_BOOT_SECONDS}s (QEMU CPU ${VM_BOOT_CPU:-?}s), log $(vm_log_file "$g")"
	echo "@@TIME $k $g $(vm_elapsed "$start") ${VM_BOOT_CPU:-0}"
}

njobs=${DAXTEST_VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$njobs" -ge 1 ] 2>/dev/null || njobs=1
out_dir=$VM_DIR/out
rm -rf "$out_dir"
mkdir -p "$out_dir"
echo "# vm: ${#jobs_list[@]} guests, $njobs at a time"
declare -A pid_job=()
running=0
for j in "${jobs_list[@]}"; do
	read -r _ k g <<<"$j"
	if [ "$running" -ge "$njobs" ]; then
		wait -n -p done_pid
		echo "# vm: done ${pid_job[$done_pid]}"
		running=$((running - 1))
	fi
	run_job "$k" "$g" >"$out_dir/$k.$g.out" 2>&1 &
	pid_job[$!]="vm-$k/$g"
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n -p done_pid
	echo "# vm: done ${pid_job[$done_pid]}"
	running=$((running - 1))
done

: >"$timings.new"
for k in "${kernels[@]}"; do
	for g in "${groups[@]}"; do
		f=$out_dir/$k.$g.out
		[ -f "$f" ] || continue
		grep -v '^@@TIME ' "$f"
		sed -n 's/^@@TIME //p' "$f" >>"$timings.new"
		VM_PASS=$((VM_PASS + $(grep -c '^PASS: ' "$f")))
		VM_FAIL=$((VM_FAIL + $(grep -c '^FAIL: ' "$f")))
		VM_SKIP=$((VM_SKIP + $(grep -c '^SKIP: ' "$f")))
	done
	awk -v k="$k" '$1 == k { s += $3; c += $4 }
		END { printf "# vm-%s: guests took %.0fs in all (QEMU CPU %.0fs)\n", k, s, c }' "$timings.new"
	# The JSON documents the guests' dax-admin printed, against schemas/.
	if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		while IFS= read -r line; do
			case $line in
			PASS:*) vm_result PASS "${line#PASS: }" ;;
			FAIL:*) line=${line#FAIL: }; vm_result FAIL "${line%%: *}" "${line#*: }" ;;
			SKIP:*) line=${line#SKIP: }; vm_result SKIP "${line%%: *}" "${line#*: }" ;;
			esac
		done < <(/usr/bin/python3 "$here/../schema/validate.py" "$here/../../schemas" \
				"$VM_LOGS/$k/json" "vm-$k" 2>&1)
	else
		vm_result SKIP "vm-$k/schema" "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
	fi
done
# Keep the times of groups not run this time.
if [ -f "$timings" ]; then
	awk 'NR == FNR { seen[$1 " " $2] = 1; next } !(($1 " " $2) in seen)' \
		"$timings.new" "$timings" >>"$timings.new"
fi
mv "$timings.new" "$timings"

echo "# vm: total wall time $(vm_elapsed "$tier_start")s ($njobs at a time, kernels ${kernels[*]})"
echo "vm: $VM_PASS passed, $VM_FAIL failed, $VM_SKIP skipped"
[ "$VM_FAIL" -eq 0 ]
