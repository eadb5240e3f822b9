# SPDX-License-Identifier: GPL-2.0-or-later
# Assertions for the host tier. Each check prints one line:
#   PASS: host/<name>    FAIL: host/<name>: <why>    SKIP: host/<name>: <why>
# and the tier ends with "host: N passed, N failed, N skipped".

H_PASS=0 H_FAIL=0 H_SKIP=0
H_PREFIX=${H_PREFIX:-host}

pass() { echo "PASS: $H_PREFIX/$1"; H_PASS=$((H_PASS + 1)); }
fail() { echo "FAIL: $H_PREFIX/$1: $2"; H_FAIL=$((H_FAIL + 1)); }
skip() { echo "SKIP: $H_PREFIX/$1: $2"; H_SKIP=$((H_SKIP + 1)); }

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# check_match NAME EXTENDED-REGEX ACTUAL
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "'$3' does not match /$2/"; fi
}

# check_status NAME EXPECTED-STATUS CMD... : the command's exit status
check_status() {
	local name=$1 want=$2 got out
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $got, expected $want: $(printf '%s' "$out" | head -3 | tr '\n' ' ')"; fi
}

summary() {
	echo "$H_PREFIX: $H_PASS passed, $H_FAIL failed, $H_SKIP skipped"
	[ "$H_FAIL" -eq 0 ]
}
