# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the shell test suites (sourced).
#   ok COND-EXIT "name"   via: check "name" command args...
#   expect_eq "name" expected actual
# Call tap_done at the end: it prints the plan and sets the exit code.
tap_n=0
tap_failed=0

tap_result() {	# status name [diagnostic]
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
		tap_failed=$((tap_failed + 1))
	fi
	return 0
}

# check NAME CMD...: passes when CMD exits 0
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	tap_result $rc "$name" "$out"
}

# refuse NAME CMD...: passes when CMD exits non-zero
refuse() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ $rc = 0 ]; then tap_result 1 "$name" "expected failure, got success: $out"
	else tap_result 0 "$name"; fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then tap_result 0 "$1"
	else tap_result 1 "$1" "expected: $2
actual:   $3"; fi
}

expect_match() {	# name regex text
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then tap_result 0 "$1"
	else tap_result 1 "$1" "no match for /$2/ in:
$3"; fi
}

tap_done() {
	echo "1..$tap_n"
	[ $tap_failed = 0 ]
}
