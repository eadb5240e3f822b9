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
expect help-unknown-command 2 '' '^dax-admin help: nosuch: no such command' -- help nosuch
if [ -e /dev/full ]; then
	"$DAX_ADMIN" --version >/dev/full 2>"$err"; got=$?
	if [ "$got" -eq 1 ] && grep -q 'write error' "$err"; then
		echo "PASS: stdout-write-error"; pass=$((pass + 1))
	else
		echo "FAIL: stdout-write-error: exit $got"; fail=$((fail + 1))
	fi
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
