#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Stands in for dax-admin in the test tiers (host and vm guest, so plain
# POSIX sh): runs the real binary ($DAX_ADMIN_REAL) and keeps a copy of every
# JSON document it prints as $DAX_ADMIN_CAPTURE/XXXXXX.COMMAND.json, for
# test/schema/validate.py. Commands that stream (monitor), print no JSON
# (help, version, --brief, --quiet, metrics) or are asked for help run as
# they are.
real=${DAX_ADMIN_REAL:?}
dir=${DAX_ADMIN_CAPTURE:?}
cmd=
for a in "$@"; do
	case $a in
	-h | --help | -b | --brief | -q | --quiet) exec "$real" "$@" ;;
	-*) ;;
	*) [ -n "$cmd" ] || cmd=$a ;;
	esac
done
case $cmd in
status | check | get-dir | set-dir | badblocks | kernel) ;;
*) exec "$real" "$@" ;;
esac
out=$(mktemp "$dir/XXXXXX" 2>/dev/null) || exec "$real" "$@"
"$real" "$@" >"$out"
rc=$?
cat "$out"
if [ -s "$out" ]; then
	mv "$out" "$out.$cmd.json"
else
	rm -f "$out"
fi
exit $rc
