#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Print the build directory the scripts use: $DAXPOLICY_BUILD if set; else
# the source tree itself when it has been configured in place (README's
# "autoreconf -fi && ./configure && make"); else build/ in the tree.
# Usage: scripts/default-build-dir.sh
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${DAXPOLICY_BUILD:-}" ]; then
	echo "$DAXPOLICY_BUILD"
elif [ -f "$top/config.status" ]; then
	echo "$top"
else
	echo "$top/build"
fi
