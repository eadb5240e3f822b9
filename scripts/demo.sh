#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: build dax-admin and show it at work on real DAX.
# On a machine with fsdax pmem mounted, dax-admin runs right here. Otherwise
# (the default on machines without persistent memory) it boots Debian's
# stock kernel under QEMU with an emulated NVDIMM, makes an fsdax namespace
# and shows 'ndctl list' and dax-admin in the guest.
# Usage: scripts/demo.sh [--host|--vm]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$("$top/scripts/default-build-dir.sh")
where=${1:-auto}

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" "$build"

host_pmem_mounts() {
	awk '$9 ~ /^\/dev\/pmem/ || $10 ~ /^\/dev\/pmem/ { print $5 }' /proc/self/mountinfo
}

if [ "$where" = --host ] || { [ "$where" = auto ] && [ -n "$(host_pmem_mounts)" ]; }; then
	echo "== dax-admin on this machine's persistent memory"
	command -v ndctl >/dev/null && ndctl list -N -R
	"$build/daxctl-ext/dax-admin" status --brief
	"$build/daxctl-ext/dax-admin" status -u
	exit 0
fi

echo "== no fsdax mount here: booting a QEMU guest with an emulated NVDIMM"
make -C "$build" vm-stage >/dev/null
status=0
# One guest kernel is enough for the demo: the first of DAXTEST_VM_KERNELS
# (Debian 12's own, 6.1, by default).
kernel=${DAXTEST_VM_KERNELS:-6.1}
kernel=${kernel%% *}
DAXTEST_VM_KERNELS=$kernel bash "$top/test/vm/run.sh" "$build" demo \
	>"$build/vm/demo-run.log" 2>&1 || status=$?
log="$build/vm/logs/${kernel%%=*}/demo.log"
if [ -f "$log" ]; then
	# The guest's console between the demo markers, minus the test plumbing.
	sed -n '/==== demo: begin/,/==== demo: end/p' "$log" | tr -d '\r' |
		grep -v -e '^@@DAXTEST' -e '==== demo:' -e '^\[[0-9 .]*\] '
fi
echo
grep -E '^(PASS|FAIL|SKIP|vm:)' "$build/vm/demo-run.log" | grep -v '^PASS' || true
exit "$status"
