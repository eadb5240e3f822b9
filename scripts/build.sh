#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Configure and build into a build directory (default: build/ in the tree).
# Usage: scripts/build.sh [BUILD-DIR [CONFIGURE-ARGS...]]
# Re-running reuses the existing configuration when the arguments match.
# A tree configured in place (./configure run in it, as README's "Building by
# hand") is built in place: scripts/default-build-dir.sh names it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ]; then
	(cd "$top" && autoreconf -fi >/dev/null 2>&1) || { cd "$top" && autoreconf -fi; exit 1; }
fi
stamp="$build/.configure-args"
if [ "$build" = "$top" ] && [ -f "$top/Makefile" ] && [ ! -f "$stamp" ]; then
	: # configured in place by hand (README's order): keep that configuration
elif [ "$build" != "$top" ] && [ -f "$top/config.status" ]; then
	echo "build.sh: $top is configured in place (./configure was run there), so it cannot" >&2
	echo "build.sh: also be built in $build; run 'make distclean' in $top first" >&2
	exit 1
elif [ ! -f "$build/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
	(cd "$build" && "$top/configure" --prefix=/usr --sysconfdir=/etc --localstatedir=/var "$@" >configure.out) ||
		{ tail -n 20 "$build/configure.out" "$build/config.log" >&2; exit 1; }
	printf '%s' "$*" >"$stamp"
fi
make -C "$build" -j"$(nproc)" >"$build/make.out" 2>&1 || { tail -40 "$build/make.out" >&2; exit 1; }
