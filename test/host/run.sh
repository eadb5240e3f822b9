#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host tier: root integration tests on loop-mounted ext4 and xfs, which are
# never DAX-capable. Every scenario in test/host/*.test runs in a fresh
# scratch area with the helpers of lib.sh and setup.sh.
# Usage: test/host/run.sh BUILD-DIR [SCENARIO...]
# Exit: 0 all passed, 1 something failed, 77 the tier cannot run here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILD-DIR [SCENARIO...]}" && pwd)
shift
. "$here/lib.sh"

cannot_run() { echo "SKIP: host: $1"; echo "host: 0 passed, 0 failed, 1 skipped"; exit 77; }
[ "$(id -u)" -eq 0 ] || cannot_run "needs root (loop devices and mounts)"
[ -e /dev/loop-control ] || cannot_run "no /dev/loop-control: loop devices unavailable"
command -v mkfs.xfs >/dev/null || cannot_run "mkfs.xfs missing (apt-get install xfsprogs)"

DAX_ADMIN="$BUILD/daxctl-ext/dax-admin"
DAXTEST="$BUILD/test/helpers/daxtest"
SCRATCH=$(mktemp -d /tmp/daxpolicy-host.XXXXXX)
ENFORCER="$BUILD/libdaxpolicy/.libs/libdaxpolicy-enforce.so"
export DAX_ADMIN DAXTEST SCRATCH ENFORCER BUILD
. "$here/setup.sh"
trap 'teardown_all' EXIT

if [ $# -eq 0 ]; then
	set -- "$here"/*.test
fi
for t in "$@"; do
	echo "# $(basename "$t")"
	. "$t"
	teardown_all
done
summary
