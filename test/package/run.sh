#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Package tier: build the Debian packages of debian/ from a copy of the tree
# (dpkg-buildpackage -us -uc -b, out of the way under BUILD-DIR/package),
# unpack them into a scratch root, run the packaged dax-admin, build
# examples/wal.c from the -dev package with pkg-config, and run lintian:
# errors fail, warnings are listed.
# Usage: test/package/run.sh BUILD-DIR
# Exit: 0 all passed, 1 something failed, 77 the tier cannot run here.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILD-DIR}" && pwd)
work=$BUILD/package
pass=0 fail=0

ok() { echo "PASS: package: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: package: $1"; fail=$((fail + 1)); }
cannot_run() { echo "SKIP: package: $1"; echo "package: 0 passed, 0 failed, 1 skipped"; exit 77; }
finish() { echo "package: $pass passed, $fail failed, 0 skipped"; [ "$fail" -eq 0 ]; exit; }
timed() { # LABEL COMMAND...: run, and say how long it took
	local t0=$SECONDS rc
	"${@:2}"; rc=$?
	echo "# $1: $((SECONDS - t0)) s"
	return "$rc"
}

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null ||
		cannot_run "$tool missing (apt-get install dpkg-dev debhelper lintian)"
done
[ -d "$top/debian" ] || cannot_run "no debian/ in $top"

# The tree as it is (committed or not, ignored files aside), without builds.
rm -rf "$work"
mkdir -p "$work/src" "$work/root"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
	(cd "$top" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$work/src"
fi

# The unit tier has run the tests already: nocheck (and no debug symbol
# packages) keep this tier short.
if (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=$(nproc)" \
	timed dpkg-buildpackage nice dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
	grep '^# dpkg-buildpackage' "$work/build.log"
else
	tail -40 "$work/build.log"
	bad "dpkg-buildpackage -us -uc -b (see $work/build.log)"
	finish
fi
las=$(cd "$work/src/debian/tmp" && find . -name '*.la')
if [ -n "$las" ]; then bad "make install installs libtool archives: $las"; else ok "make install installs no .la"; fi
for p in libdaxpolicy1 libdaxpolicy-dev libdaxpolicy-enforce dax-admin; do
	deb=$(ls "$work/${p}_"*.deb 2>/dev/null | head -1)
	if [ -n "$deb" ]; then ok "$p built"; else bad "$p: no ${p}_*.deb"; continue; fi
	dpkg-deb -c "$deb" >"$work/$p.contents"
	if grep -q '\.la$' "$work/$p.contents"; then
		bad "$p installs libtool archives: $(grep -o '[^ ]*\.la$' "$work/$p.contents" | tr '\n' ' ')"
	fi
	dpkg-deb -x "$deb" "$work/root"
done

# Who gets what.
contains() { # PACKAGE PATH-REGEX WHAT
	if grep -Eq "$2" "$work/$1.contents" 2>/dev/null; then ok "$1 has $3"; else bad "$1 lacks $3"; fi
}
contains libdaxpolicy1 '/libdaxpolicy\.so\.1( |$)' "libdaxpolicy.so.1"
contains libdaxpolicy-dev '/include/daxpolicy/libdaxpolicy\.h$' "the header"
contains libdaxpolicy-dev '/pkgconfig/libdaxpolicy\.pc$' "the pkg-config file"
contains libdaxpolicy-dev '/examples/wal\.c$' "examples/wal.c"
contains libdaxpolicy-enforce '/libdaxpolicy-enforce\.so$' "the enforcer"
contains dax-admin '/usr/bin/dax-admin$' "dax-admin"
contains dax-admin '/man1/dax-admin-status\.1' "its manual pages"
[ -f "$top/completion/dax-admin" ] &&
	contains dax-admin '/bash-completion/completions/dax-admin$' "its bash completion"

# The packaged tool and library, from the scratch root.
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$work/root/usr/lib/$ma
version=$(cd "$work/src" && dpkg-parsechangelog -S Version | sed 's/-[^-]*$//')
out=$(LD_LIBRARY_PATH=$libdir "$work/root/usr/bin/dax-admin" --version 2>&1)
if [ "$out" = "dax-admin $version (libdaxpolicy $version)" ]; then
	ok "dax-admin --version: $out"
else
	bad "dax-admin --version: '$out', expected 'dax-admin $version (libdaxpolicy $version)'"
fi
if LD_LIBRARY_PATH=$libdir ldd "$work/root/usr/bin/dax-admin" | grep -q "=> $libdir/libdaxpolicy.so.1 "; then
	ok "dax-admin runs on the packaged libdaxpolicy.so.1"
else
	bad "dax-admin does not resolve libdaxpolicy.so.1 in the package"
fi

# An application built against the -dev package, as its README says.
wal_src=$(ls "$work/root/usr/share/doc/libdaxpolicy-dev/examples/wal.c"* 2>/dev/null | head -1)
case $wal_src in *.gz) gzip -dc "$wal_src" >"$work/wal.c"; wal_src=$work/wal.c ;; esac
if [ -z "$wal_src" ]; then
	bad "no examples/wal.c in libdaxpolicy-dev"
elif flags=$(PKG_CONFIG_SYSROOT_DIR=$work/root PKG_CONFIG_LIBDIR=$libdir/pkgconfig \
		pkg-config --cflags --libs libdaxpolicy) &&
	cc -Wall -Werror -o "$work/wal" "$wal_src" $flags 2>"$work/wal.log"; then
	if LD_LIBRARY_PATH=$libdir ldd "$work/wal" | grep -q "=> $libdir/libdaxpolicy.so.1 " &&
		LD_LIBRARY_PATH=$libdir "$work/wal" 2>&1 | grep -q 'wal append'; then
		ok "examples/wal.c builds with pkg-config against libdaxpolicy-dev ($flags)"
	else
		bad "wal built, but does not run on the packaged library"
	fi
else
	cat "$work/wal.log"
	bad "examples/wal.c does not build against libdaxpolicy-dev"
fi

# lintian: errors fail the tier, warnings are shown.
changes=$(ls "$work"/*.changes | head -1)
timed lintian lintian --no-tag-display-limit "$changes" >"$work/lintian.log" 2>&1
grep -E '^[EWI]: ' "$work/lintian.log" | sed 's/^/# lintian: /'
errors=$(grep -c '^E: ' "$work/lintian.log")
grep '^# lintian:' "$work/lintian.log"
if [ "$errors" -eq 0 ]; then
	ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log") warnings)"
else
	bad "lintian: $errors errors (see $work/lintian.log)"
fi
finish
