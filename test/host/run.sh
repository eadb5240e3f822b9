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
ENFORCER="$BUILD/enforce/.libs/libdaxpolicy-enforce.so"
# Every JSON document dax-admin prints here is kept and checked against
# schemas/ at the end (test/schema/).
SCHEMA_CAPTURE=$(mktemp -d /tmp/daxpolicy-json.XXXXXX) && chmod 1777 "$SCHEMA_CAPTURE"
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	DAX_ADMIN_REAL=$DAX_ADMIN DAX_ADMIN_CAPTURE=$SCHEMA_CAPTURE
	export DAX_ADMIN_REAL DAX_ADMIN_CAPTURE
	DAX_ADMIN="$here/../schema/capture.sh"
fi
export DAX_ADMIN DAXTEST SCRATCH ENFORCER BUILD
. "$here/setup.sh"
trap 'teardown_all; rm -rf "$SCHEMA_CAPTURE"' EXIT

if [ $# -eq 0 ]; then
	set -- "$here"/*.test
fi
for t in "$@"; do
	echo "# $(basename "$t")"
	. "$t"
	teardown_all
done
echo "# schemas"
if [ -n "${DAX_ADMIN_CAPTURE:-}" ]; then
	while IFS= read -r line; do
		case $line in
		PASS:*) pass "${line#PASS: host/}" ;;
		FAIL:*) line=${line#FAIL: host/}; fail "${line%%: *}" "${line#*: }" ;;
		SKIP:*) line=${line#SKIP: host/}; skip "${line%%: *}" "${line#*: }" ;;
		esac
	done < <(/usr/bin/python3 "$here/../schema/validate.py" "$here/../../schemas" "$SCHEMA_CAPTURE" host 2>&1)
else
	skip schema "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
fi
summary
