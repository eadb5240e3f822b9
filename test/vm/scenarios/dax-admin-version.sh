#!/bin/sh
# The installed dax-admin runs in the guest (libraries and loader found).
. /usr/share/daxtest/lib.sh

plan 1
if ! command -v dax-admin >/dev/null; then
	skip version "dax-admin is not in the staged install"
	exit 0
fi
out=$(dax-admin --version 2>&1)
rc=$?
log "dax-admin --version: $out"
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '[0-9]'; then
	pass version
else
	fail version "dax-admin --version exited $rc: $out"
fi
