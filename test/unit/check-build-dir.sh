#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/build.sh and scripts/default-build-dir.sh (used by demo.sh and
# test.sh) in both of README's orders: a fresh tree builds in build/, a tree
# configured in place by hand is built in place, and an out-of-tree build of
# such a tree is refused with a message saying what to do. On a stand-in
# tree whose configure and Makefile only leave marks: no real build here.
set -u
pass=0 fail=0
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/scripts"
cp "$top_srcdir/scripts/build.sh" "$top_srcdir/scripts/default-build-dir.sh" "$tree/scripts/"
: >"$tree/configure.ac"
cat >"$tree/configure" <<'CONF'
#!/bin/sh
if [ -n "${CONFIGURE_FAILS:-}" ]; then
	echo "configure: error: libfoo not found"
	exit 1
fi
if [ -f "$(dirname "$0")/config.status" ] && [ "$(dirname "$0")" != . ]; then
	echo 'configure: error: source directory already configured; run "make distclean" there first' >&2
	exit 1
fi
printf 'all:\n\ttouch built\n' >Makefile
: >config.status
CONF
chmod +x "$tree/configure"
touch -d '1 hour ago' "$tree/configure.ac"

ok() { echo "PASS: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }

unset DAXPOLICY_BUILD
# A clean tree: build/ in it.
dir=$("$tree/scripts/default-build-dir.sh")
[ "$dir" = "$tree/build" ] && ok "clean tree: build dir is build/" || bad "clean tree: build dir is '$dir'"
if "$tree/scripts/build.sh" "$dir" >/dev/null 2>&1 && [ -f "$tree/build/built" ]; then
	ok "clean tree: built in build/"
else
	bad "clean tree: not built in build/"
fi
rm -rf "$tree/build" "$tree/config.status" "$tree/Makefile"
# A configure that fails: its last lines are shown.
if CONFIGURE_FAILS=1 "$tree/scripts/build.sh" "$tree/build" >/dev/null 2>"$tree/err"; then
	bad "failing configure: build.sh succeeded"
elif grep -q 'libfoo not found' "$tree/err" && ! grep -qi 'usage\|invalid' "$tree/err"; then
	ok "failing configure: its error is shown"
else
	bad "failing configure: error not shown"; sed 's/^/  /' "$tree/err"
fi
rm -rf "$tree/build"

# README's order: ./configure in the tree first.
(cd "$tree" && ./configure)
dir=$("$tree/scripts/default-build-dir.sh")
[ "$dir" = "$tree" ] && ok "configured in place: build dir is the tree" || bad "configured in place: build dir is '$dir'"
if "$tree/scripts/build.sh" "$dir" >/dev/null 2>"$tree/err" && [ -f "$tree/built" ]; then
	ok "configured in place: built in place"
else
	bad "configured in place: not built"; sed 's/^/  /' "$tree/err"
fi
if "$tree/scripts/build.sh" "$tree/build-san" >/dev/null 2>"$tree/err"; then
	bad "configured in place: an out-of-tree build was not refused"
elif grep -q "make distclean" "$tree/err" && ! grep -qi 'usage\|invalid' "$tree/err"; then
	ok "configured in place: out-of-tree build refused, saying what to do"
else
	bad "configured in place: out-of-tree build failed unclearly"; sed 's/^/  /' "$tree/err"
fi
[ "$(DAXPOLICY_BUILD=/x "$tree/scripts/default-build-dir.sh")" = /x ] &&
	ok "DAXPOLICY_BUILD wins" || bad "DAXPOLICY_BUILD ignored"
for script in demo.sh test.sh; do
	grep -q '^build=$("$top/scripts/default-build-dir.sh")$' "$top_srcdir/scripts/$script" &&
		ok "$script takes its build dir from default-build-dir.sh" ||
		bad "$script does not take its build dir from default-build-dir.sh"
done
echo "build-dir: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
