#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# dax-admin's JSON output on this machine's filesystems, checked against the
# schemas in schemas/ (every command that prints JSON without needing root or
# pmem, under -u too), and the schemas' teeth: damaged documents must fail.
set -u
DAX_ADMIN="$top_builddir/daxctl-ext/dax-admin"
schemas="$top_srcdir/schemas"
validate() { /usr/bin/python3 "$top_srcdir/test/schema/validate.py" "$schemas" - "$1"; }
pass=0 fail=0
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: schemas: python3-jsonschema is not installed (apt-get install python3-jsonschema)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir" "$tmp/$(printf 'bad\377name')"
echo data >"$tmp/dir/file"

# valid NAME SCHEMA ARGS... : the output of dax-admin ARGS must match SCHEMA
valid() {
	name=$1 schema=$2
	shift 2
	"$DAX_ADMIN" "$@" >"$tmp/out" 2>/dev/null
	if [ ! -s "$tmp/out" ]; then
		echo "FAIL: $name: no output"; fail=$((fail + 1)); return
	fi
	if validate "$schema" <"$tmp/out" 2>"$tmp/why"; then
		echo "PASS: $name"; pass=$((pass + 1))
	else
		echo "FAIL: $name: $(head -3 "$tmp/why" | tr '\n' ' ')"; fail=$((fail + 1))
	fi
}

# invalid NAME SCHEMA SED-EXPR : the last output, damaged by SED-EXPR, must not match
invalid() {
	sed "$3" "$tmp/out" >"$tmp/bad"
	if cmp -s "$tmp/out" "$tmp/bad"; then
		echo "FAIL: $1: the damage did not apply"; fail=$((fail + 1))
	elif validate "$2" <"$tmp/bad" 2>/dev/null; then
		echo "FAIL: $1: a damaged document passed the schema"; fail=$((fail + 1))
	else
		echo "PASS: $1"; pass=$((pass + 1))
	fi
}

valid status-file status status "$tmp/dir/file"
invalid status-dax-not-boolean status 's/"dax": false/"dax": "no"/'
invalid status-missing-reasons status '/"reasons"/s/"reasons"/"reason_list"/'
valid status-human status status -u "$tmp/dir"
valid status-several status status "$tmp/dir" "$tmp/dir/file"
valid status-missing status status "$tmp/nonexistent"
invalid status-failure-errno status 's/"errno": 2/"errno": "ENOENT"/'
valid status-missing-and-found status status "$tmp/nonexistent" "$tmp/dir"
valid status-invalid-utf8 status status "$tmp/$(printf 'bad\377name')"
valid check-one check check --require=sync "$tmp/dir/file"
# One path gives an object, several an array, in every command.
if [ "$(head -c1 "$tmp/out")" = "{" ]; then
	echo "PASS: check-one-is-object"; pass=$((pass + 1))
else
	echo "FAIL: check-one-is-object: $(head -c40 "$tmp/out")"; fail=$((fail + 1))
fi
valid check-several check check --require=direct,huge "$tmp/dir" "$tmp/dir/file"
valid get-dir get-dir get-dir "$tmp/dir"
invalid get-dir-policy-name get-dir 's/"policy": "inherit"/"policy": "dax"/'
valid get-dir-missing get-dir get-dir "$tmp/dir" "$tmp/nonexistent"

valid kernel kernel kernel "$tmp/dir"
invalid kernel-state-name kernel '0,/"state": "[a-z]*"/s//"state": "maybe"/'
invalid kernel-missing-capability kernel 's/"map_sync"/"map_synced"/'
echo "schemas: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
