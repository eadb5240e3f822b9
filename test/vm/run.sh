#!/bin/bash
# Run the VM test tier: boot a stock Debian kernel under QEMU with emulated
# persistent memory, once per group, and report every check.
#
#   test/vm/run.sh BUILD [GROUP...]
#
# BUILD is the build tree; the project is expected to be installed with
# DESTDIR=$BUILD/vm/stage (whatever is there is copied into the guest).
# GROUP names test/vm/groups/GROUP.sh (or $DAXTEST_VM_GROUPS/GROUP.sh); no
# GROUP runs them all.
#
# Output: one "PASS: vm/<group>/<check>", "FAIL: ...: detail" or
# "SKIP: ...: reason" line per check and a final "vm: N passed, N failed,
# N skipped".  Exit status 0 when nothing failed, 1 otherwise, 77 when the
# tier cannot run on this host.  See vm-common.sh for environment variables.

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

vm_prepare
rc=$?
if [ $rc -eq 2 ]; then
	exit 2
elif [ $rc -ne 0 ]; then
	echo "SKIP: vm: $VM_SKIP_REASON"
	echo "vm: 0 passed, 0 failed, 1 skipped"
	exit 77
fi
echo "# vm: kernel $VM_KVER ($VM_KPKG), accel $VM_ACCEL, prepared in $(vm_elapsed "$tier_start")s"

for g in "${groups[@]}"; do
	if ! vm_load_group "$groups_dir/$g.sh"; then
		vm_result FAIL "vm/$g/group" "cannot load $here/groups/$g.sh"
		continue
	fi
	if ! vm_boot "$g"; then
		vm_result FAIL "vm/$g/boot" "cannot set up the guest"
		continue
	fi
	vm_report "$g"
	echo "# vm/$g: ${VM_BOOT_SECONDS}s, log $VM_LOGS/$g.log"
done

# The JSON documents the guests' dax-admin printed, against schemas/.
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	while IFS= read -r line; do
		case $line in
		PASS:*) vm_result PASS "${line#PASS: }" ;;
		FAIL:*) line=${line#FAIL: }; vm_result FAIL "${line%%: *}" "${line#*: }" ;;
		SKIP:*) line=${line#SKIP: }; vm_result SKIP "${line%%: *}" "${line#*: }" ;;
		esac
	done < <(/usr/bin/python3 "$here/../schema/validate.py" "$here/../../schemas" "$VM_LOGS/json" vm 2>&1)
else
	vm_result SKIP vm/schema "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
fi

echo "# vm: total wall time $(vm_elapsed "$tier_start")s (accel $VM_ACCEL)"
echo "vm: $VM_PASS passed, $VM_FAIL failed, $VM_SKIP skipped"
[ "$VM_FAIL" -eq 0 ]
