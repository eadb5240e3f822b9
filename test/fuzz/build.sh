#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets with clang (AddressSanitizer and UBSan) from
# the real sources: the library's and dax-admin's own files, compiled into
# two archives, and one small driver per parser (test/fuzz/fuzz-*.c). A
# driver that needs a parser's static functions compiles that source file
# in (#include "cmd-badblocks.c"); the archive's copy is then not linked.
# Needs a configured build directory for config.h.
# Usage: test/fuzz/build.sh BUILD-DIR OUT-DIR
# Exit: 0 built, 1 a build error, 77 clang or its fuzzer runtime missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: build.sh BUILD-DIR OUT-DIR}" && pwd)
out=${2:?usage: build.sh BUILD-DIR OUT-DIR}
cc=${FUZZ_CC:-clang}
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)

command -v "$cc" >/dev/null || { echo "$cc is not installed (apt-get install clang)"; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
	echo "$cc cannot link a libFuzzer program (apt-get install libclang-rt-14-dev): $(head -n 1 "$out/probe.log")"
	exit 77
fi
[ -f "$build/config.h" ] || { echo "$build/config.h missing: configure first (scripts/build.sh)"; exit 1; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
pkgs="libndctl libdaxctl libcxl libkmod mount json-c uuid libtracefs libtraceevent"
cflags="-I$top/include -I$build -I$top/libdaxpolicy -I$top/daxctl-ext -I$top/test/fuzz \
	$(pkg-config --cflags $pkgs) -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-gnu-variable-sized-type-not-at-end \
	-DMONITOR_STATE_DIR=\"/var/lib/dax-admin\""
libs="$(pkg-config --libs $pkgs) -lpthread -ldl -lm"

# compile OBJ SRC [FLAGS...]: only when the source or a header is newer.
compile() {
	local obj=$1 src=$2
	shift 2
	if [ ! -f "$obj" ] || [ -n "$(find "$src" "$top/libdaxpolicy" "$top/daxctl-ext" "$top/include" \
		"$top/test/fuzz" -name '*.h' -newer "$obj" -print -quit)" ] || [ "$src" -nt "$obj" ]; then
		# shellcheck disable=SC2086
		"$cc" $san -fsanitize=fuzzer-no-link $cflags "$@" -c "$src" -o "$obj"
	fi
}

archive() { # NAME SRC-DIR [FLAGS-FOR-FILE...]
	local name=$1 dir=$2 objs=() f obj
	mkdir -p "$out/obj/$name"
	for f in "$top/$dir"/*.c; do
		obj="$out/obj/$name/$(basename "${f%.c}").o"
		if [ "$(basename "$f")" = dax-admin.c ]; then
			compile "$obj" "$f" -Dmain=dax_admin_main   # the fuzzer has the main()
		else
			compile "$obj" "$f"
		fi
		objs+=("$obj")
	done
	rm -f "$out/lib$name.a"
	ar rcs "$out/lib$name.a" "${objs[@]}"
}

archive daxpolicy libdaxpolicy
archive dax-admin daxctl-ext
compile "$out/obj/fuzz-common.o" "$top/test/fuzz/fuzz-common.c"
for f in "$top"/test/fuzz/fuzz-*.c; do
	name=$(basename "${f%.c}")
	[ "$name" != fuzz-common ] || continue
	compile "$out/obj/$name.o" "$f"
	# shellcheck disable=SC2086
	"$cc" $san -fsanitize=fuzzer "$out/obj/$name.o" "$out/obj/fuzz-common.o" \
		"$out/libdax-admin.a" "$out/libdaxpolicy.a" $libs -o "$out/$name"
done
