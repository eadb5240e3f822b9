#!/bin/sh
# dax-admin's global behaviour: version, help, exit statuses, error format.
set -u
DAX_ADMIN="$top_builddir/daxctl-ext/dax-admin"
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect NAME STATUS STDOUT-REGEX STDERR-REGEX -- ARGS...
expect() {
	name=$1 want=$2 out_re=$3 err_re=$4
	shift 5
	"$DAX_ADMIN" "$@" >"$out" 2>"$err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $name: exit $got, expected $want"; sed 's/^/  stderr: /' "$err"
		fail=$((fail + 1)); return
	fi
	if [ -n "$out_re" ] && ! grep -Eq "$out_re" "$out"; then
		echo "FAIL: $name: stdout does not match /$out_re/"; sed 's/^/  stdout: /' "$out"
		fail=$((fail + 1)); return
	fi
	if [ -n "$err_re" ] && ! grep -Eq "$err_re" "$err"; then
		echo "FAIL: $name: stderr does not match /$err_re/"; sed 's/^/  stderr: /' "$err"
		fail=$((fail + 1)); return
	fi
	echo "PASS: $name"; pass=$((pass + 1))
}

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/config.h")
expect version-option 0 "^dax-admin $version \\(libdaxpolicy $version\\)$" '' -- --version
expect version-command 0 "^dax-admin $version " '' -- version
expect version-extra-arg 2 '' '^dax-admin version: takes no arguments' -- version x
expect help-option 0 '^usage: dax-admin' '' -- --help
expect help-lists-commands 0 '^  version ' '' -- help
expect no-command 2 '' '^usage: dax-admin' --
expect unknown-command 2 '' "^dax-admin: 'frobnicate' is not a command" -- frobnicate
expect unknown-option 2 '' 'usage: dax-admin' -- --bogus
expect kernel-json 0 '"mount_id_unique": \{' '' -- kernel
expect kernel-brief 0 '^map_sync +(yes|no|unknown) +probe ' '' -- kernel --brief
expect kernel-two-dirs 2 '' '^dax-admin kernel: takes at most one directory' -- kernel / /
expect help-unknown-command 2 '' '^dax-admin help: nosuch: no such command' -- help nosuch
if [ -e /dev/full ]; then
	"$DAX_ADMIN" --version >/dev/full 2>"$err"; got=$?
	if [ "$got" -eq 1 ] && grep -q 'write error' "$err"; then
		echo "PASS: stdout-write-error"; pass=$((pass + 1))
	else
		echo "FAIL: stdout-write-error: exit $got"; fail=$((fail + 1))
	fi
fi
# Every command's -h: one line per option, from the table that parses them.
# Each long option of its manual page's OPTIONS is there, and each option it
# lists is in the manual page, which has EXAMPLES.
for cmd in $("$DAX_ADMIN" --list-commands); do
	page="$top_srcdir/man/dax-admin-$cmd.1"
	"$DAX_ADMIN" "$cmd" -h >"$out" 2>"$err"; got=$?
	missing= undocumented=
	for o in $(awk '/^\.SH OPTIONS/ { f = 1; next } /^\.SH/ { f = 0 } f' "$page" |
		grep -o '\\-\\-[a-z][a-z-]*' | sed 's/\\//g' | sort -u); do
		grep -Eq "^  (-., |    )$o( |$)" "$out" || missing="$missing $o"
	done
	for o in $(sed -n 's/^  \(-., \|    \)\(--[a-z-]*\).*/\2/p' "$out"); do
		[ "$o" = --help ] || grep -q -- "\\\\-\\\\-${o#--}" "$page" || undocumented="$undocumented $o"
	done
	if ! grep -q '^\.SH EXAMPLES' "$page"; then
		echo "FAIL: help-option-$cmd: $page has no EXAMPLES"; fail=$((fail + 1))
	elif [ "$got" -ne 0 ] || ! grep -q "^usage: dax-admin $cmd" "$out"; then
		echo "FAIL: help-option-$cmd: '$cmd -h' exit $got"; fail=$((fail + 1))
	elif [ -n "$missing" ]; then
		echo "FAIL: help-option-$cmd: '$cmd -h' lacks$missing (in $page)"; fail=$((fail + 1))
	elif [ -n "$undocumented" ]; then
		echo "FAIL: help-option-$cmd: $page lacks$undocumented"; fail=$((fail + 1))
	else
		echo "PASS: help-option-$cmd"; pass=$((pass + 1))
	fi
done

# 'help CMD' without the manual: the same text as 'CMD -h', exit 0.
"$DAX_ADMIN" monitor -h >"$out.h" 2>/dev/null
MANPATH=/nonexistent/man "$DAX_ADMIN" help monitor >"$out" 2>"$err"; got=$?
if [ "$got" -eq 0 ] && sed -n '/^usage:/,/ --help /p' "$out" | cmp -s - "$out.h"; then
	echo "PASS: help-without-manual"; pass=$((pass + 1))
else
	echo "FAIL: help-without-manual: exit $got"; sed 's/^/  stdout: /' "$out"; sed 's/^/  stderr: /' "$err"
	fail=$((fail + 1))
fi
rm -f "$out.h"
# ... and with it, the manual page.
if command -v man >/dev/null; then
	mandir=$(mktemp -d)
	mkdir "$mandir/man1"
	cp "$top_srcdir/man/dax-admin-status.1" "$mandir/man1/"
	MANPATH=$mandir MANPAGER=cat PAGER=cat MANWIDTH=80 "$DAX_ADMIN" help status >"$out" 2>"$err"; got=$?
	rm -rf "$mandir"
	if [ "$got" -eq 0 ] && grep -q 'DESCRIPTION' "$out" && ! grep -q 'not installed' "$out"; then
		echo "PASS: help-with-manual"; pass=$((pass + 1))
	else
		echo "FAIL: help-with-manual: exit $got"; sed 's/^/  stderr: /' "$err"; fail=$((fail + 1))
	fi
else
	echo "SKIP: help-with-manual: man missing (apt-get install man-db)"
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
