#!/bin/sh
# The public header, the version script and the built library must name the
# same exported functions: nothing exported by accident, nothing documented
# that is missing; and libdaxpolicy(3) lists them all.
set -eu
header="$top_srcdir/include/daxpolicy/libdaxpolicy.h"
symfile="$top_srcdir/libdaxpolicy/libdaxpolicy.sym"
lib="$top_builddir/libdaxpolicy/.libs/libdaxpolicy.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Function declarations: an identifier daxpolicy_* directly followed by "(".
grep -v '^#define' "$header" | grep -o 'daxpolicy_[a-z0-9_]*(' | tr -d '(' | sort -u >"$tmp/header"
grep -E '^[[:space:]]+daxpolicy_[a-z0-9_]+;' "$symfile" | tr -d ' \t;' | sort -u >"$tmp/sym"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/lib"

status=0
if ! diff -u "$tmp/header" "$tmp/sym"; then
	echo "FAIL: header and version script differ" >&2
	status=1
fi
if ! diff -u "$tmp/sym" "$tmp/lib"; then
	echo "FAIL: version script and exported symbols differ" >&2
	status=1
fi
# libdaxpolicy(3) names every one of them (its FUNCTIONS section).
grep -o 'daxpolicy_[a-z0-9_]*' "$top_srcdir/man/libdaxpolicy.3" | sort -u >"$tmp/man"
if comm -23 "$tmp/sym" "$tmp/man" | grep .; then
	echo "FAIL: functions above are missing from man/libdaxpolicy.3" >&2
	status=1
fi
[ "$(wc -l <"$tmp/lib")" -gt 0 ] || { echo "FAIL: no exported symbol found" >&2; status=1; }
exit $status
