#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (completion/dax-admin), sourced into bash and asked as
# bash asks it: COMP_WORDS and COMP_CWORD set, the function called. Commands,
# every option of every command (compared with the command's -h), option
# values and paths. Run bare and, where installed, under bash-completion.
set -u
DAX_ADMIN="$top_builddir/daxctl-ext/dax-admin"
COMPLETION="$top_srcdir/completion/dax-admin"
pass=0 fail=0 skip=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/adir" "$scratch/adir2"
: >"$scratch/alpha"

# complete WORD... : the completions of the last word, sorted, one a line;
# the words split as bash splits them (--opt=value is "--opt" "=" "value").
complete_words() {
	COMP_WORDS=("$DAX_ADMIN" "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_LINE=${COMP_LINE// = /=}
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_dax_admin
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | LC_ALL=C sort
}

# expect NAME EXPECTED-LINES -- WORD...
expect() {
	local name="$mode: $1" want=$2 got
	shift 3
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		echo "PASS: $name"; pass=$((pass + 1))
	else
		echo "FAIL: $name: completing '$*'"
		echo "  expected: $(echo "$want" | tr '\n' ' ')"
		echo "  got:      $(echo "$got" | tr '\n' ' ')"
		fail=$((fail + 1))
	fi
}

run_checks() {
	# shellcheck source=/dev/null
	. "$COMPLETION"
	local commands cmd want
	commands=$("$DAX_ADMIN" --list-commands | LC_ALL=C sort)
	for cmd in status check set-dir get-dir badblocks monitor help version; do
		if ! grep -qx "$cmd" <<<"$commands"; then
			echo "FAIL: $mode: command $cmd not offered"; fail=$((fail + 1))
		fi
	done
	expect "every command" "$commands" -- ''
	expect "a command by prefix" "set-dir" -- se
	expect "global options" "--help
--version" -- --
	expect "help: command names" "badblocks" -- help ba
	for cmd in $commands; do
		# The options the command's own -h lists, one per line.
		want=$("$DAX_ADMIN" "$cmd" -h | sed -n 's/^  \(-., \|    \)\(--[a-z-]*\).*/\2/p' | LC_ALL=C sort)
		if [ -z "$want" ]; then
			echo "FAIL: $mode: $cmd -h lists no option"; fail=$((fail + 1)); continue
		fi
		expect "$cmd: options as in -h" "$want" -- "$cmd" --
	done
	expect "options by prefix" "--recursive" -- set-dir --sync --rec
	expect "check --require values" "direct" -- check --require di
	expect "check --require=LIST, second item" "direct,huge
direct,sync" -- check --require = direct,
	expect "check --require=LIST, no item twice" "sync,direct
sync,huge" -- check --require = sync,
	expect "status: files and directories" "$scratch/adir
$scratch/adir2
$scratch/alpha" -- status "$scratch/a"
	expect "set-dir: directories only" "$scratch/adir
$scratch/adir2" -- set-dir --sync "$scratch/a"
	expect "get-dir: directories only" "$scratch/adir
$scratch/adir2" -- get-dir "$scratch/a"
	expect "badblocks --from-list FILE" "$scratch/alpha" -- badblocks --from-list "$scratch/al"
	expect "badblocks -l FILE (short option)" "$scratch/alpha" -- badblocks -l "$scratch/al"
	expect "monitor --interval: no words" "" -- monitor --interval ''
}

mode=bare
( run_checks; echo "$pass $fail" >"$scratch/counts" )
read -r pass fail <"$scratch/counts"
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
	mode=bash-completion
	( . "$bc"; pass=0 fail=0; run_checks; echo "$pass $fail" >"$scratch/counts" )
	read -r p f <"$scratch/counts"
	pass=$((pass + p)) fail=$((fail + f))
else
	echo "SKIP: bash-completion: $bc missing (apt-get install bash-completion)"; skip=1
fi
echo "completion: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
