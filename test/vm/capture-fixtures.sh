#!/bin/bash
# Capture sysfs/procfs fixture trees from real guests.
#
#   test/vm/capture-fixtures.sh BUILD [NAME...]
#
# For each test/vm/capture/NAME.sh (all when none given) boot a guest with
# that device setup, run its scenarios (which end with "capture"), read the
# tar stream the guest wrote to its output disk and replace
# test/fixtures/NAME/ with the tree (DAXTEST_FIXTURES_DIR overrides the
# destination).  A setup whose checks fail leaves the old tree in place.

set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm-common.sh
. "$here/vm-common.sh"

[ $# -ge 1 ] || { echo "usage: $0 BUILD [NAME...]" >&2; exit 2; }
start=$(vm_now)
vm_setup "$1" || exit 2
shift
dest=${DAXTEST_FIXTURES_DIR:-$here/../fixtures}
mkdir -p "$dest" || exit 2
dest=$(cd "$dest" && pwd)

names=()
if [ $# -eq 0 ]; then
	for f in "$here"/capture/*.sh; do
		n=${f##*/}
		names+=("${n%.sh}")
	done
else
	for n in "$@"; do
		[ -f "$here/capture/$n.sh" ] || { echo "no capture setup '$n'" >&2; exit 2; }
		names+=("$n")
	done
fi

vm_prepare
rc=$?
if [ $rc -ne 0 ]; then
	[ $rc -eq 2 ] && exit 2
	echo "SKIP: vm: $VM_SKIP_REASON"
	exit 77
fi

failed=0
for n in "${names[@]}"; do
	vm_load_group "$here/capture/$n.sh" || { failed=1; continue; }
	# A setup for other kernels (KERNELS) boots the first of them; one
	# that needs QEMU from backports (QEMU=backports) gets it.
	if ! vm_group_runs_here; then
		want=${GROUP_KERNELS%% *}
		if ! vm_select_kernel "$want"; then
			pkg=$(DAXTEST_VM_KERNELS=$want vm_kernel_list | awk '{ print $2 }')
			vm_prepare_kernel "$want" "$pkg" ||
				{ echo "SKIP: capture/$n: kernel $want: $VM_SKIP_REASON"; continue; }
		fi
	fi
	if [ "$GROUP_QEMU" = backports ]; then
		vm_qemu_backports || { echo "SKIP: capture/$n: $VM_SKIP_REASON"; continue; }
	else
		vm_qemu_host
	fi
	GROUP_OUTPUT_DISK=${GROUP_OUTPUT_DISK:-64M}
	fail_before=$VM_FAIL
	vm_boot "capture-$n" || { echo "FAIL: capture/$n: cannot set up the guest"; failed=1; continue; }
	vm_report "capture-$n"
	if [ "$VM_FAIL" -ne "$fail_before" ]; then
		echo "FAIL: capture/$n: guest checks failed, $dest/$n left unchanged"
		failed=1
		continue
	fi
	tmp=$(mktemp -d "$dest/.capture-$n.XXXXXX")
	if ! tar -xf "$(vm_work_dir "capture-$n")/output.img" -C "$tmp" ||
	   [ ! -d "$tmp/tree/sys" ]; then
		echo "FAIL: capture/$n: no tree on the output disk"
		rm -rf "$tmp"
		failed=1
		continue
	fi
	# git keeps no empty directories (a driver with nothing bound, an
	# empty holders/): list them so that tests can recreate them.
	(cd "$tmp/tree" && find . -mindepth 1 -type d -empty | sed 's|^\./||' |
		LC_ALL=C sort) >"$tmp/tree/EMPTY_DIRS"
	rm -rf "${dest:?}/$n"
	mv "$tmp/tree" "$dest/$n"
	rm -rf "$tmp" "$(vm_work_dir "capture-$n")/output.img"
	echo "captured $n: $(find "$dest/$n" -type f | wc -l) files, $(find "$dest/$n" -type l | wc -l) links, $(find "$dest/$n" -type f -exec cat {} + | wc -c) bytes"
done
echo "# capture: total wall time $(vm_elapsed "$start")s (accel $VM_ACCEL)"
exit $failed
