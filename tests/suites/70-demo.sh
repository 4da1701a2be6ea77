#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo, in its short mode (as CI runs it): the demo exits 0, leaves no
# vGPU, and its final tables make sense: four tenants, each with an
# achieved share of the engine close to its configured one (weight / sum),
# throughput, no faults and no errors; then a faulting tenant with faults,
# next to neighbours with none, which keep their weighted share.
# The checks read the summary the demo writes for scripts and compare it
# with the tables it prints.
# vmrun: --params engines=1 --timeout 300
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
DEV=/sys/bus/mdev/devices
TMP=$(mktemp -d)
SUM=$TMP/summary
TOL=5	# points of share; generous for a few seconds under emulation

# field KIND NAME KEY: the value of KEY in the summary record "KIND name=NAME"
# (NAME "-" for a record without a name)
field() {
	awk -v kind="$1" -v name="$2" -v key="$3" '
		$1 != kind { next }
		{ n = "-"; v = ""
		  for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "name") n = kv[2]
			if (kv[1] == key) v = substr($i, length(key) + 2)
		  }
		  if (n == name) { print v; exit } }' "$SUM"
}

# holds NAME AWK-CONDITION VAR=VALUE...: the condition on the values holds
holds() {
	local name=$1 cond=$2 res a vars=()
	shift 2
	for a in "$@"; do vars+=(-v "$a"); done
	if res=$(awk "${vars[@]}" "BEGIN { exit !($cond) }" 2>&1); then
		tap_result 0 "$name"
	else
		tap_result 1 "$name" "does not hold: $cond ($*) $res"
	fi
}

# --- the demo refuses a GPU that has vGPUs: it removes only its own ----------
u=$("$M" create --type 8)
out=$(MVGPU_DEMO_SUMMARY=$SUM tools/demo/demo.sh --short 2>&1) && rc=0 || rc=$?
expect_eq "the demo refuses to start when vGPUs exist (exit 1)" 1 "$rc"
expect_match "it says why" "there are vGPUs already" "$out"
check "it left the existing vGPU alone" test -d "$DEV/$u"
"$M" remove "$u"

# --- the demo, short -----------------------------------------------------------
out=$(MVGPU_DEMO_SUMMARY=$SUM tools/demo/demo.sh --short 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" >"$TMP/demo.out"
expect_eq "tools/demo/demo.sh --short exits 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/demo.out"
sed 's/^/# summary: /' "$SUM"	# the numbers, for the log
expect_eq "it leaves no vGPU behind" "" "$(ls $DEV)"
expect_eq "its summary ends with status ok" "end status=ok" "$(tail -1 "$SUM" 2>&1)"
for h in "1. The GPU" "2. Carve four vGPUs" "3. Four tenants side by side" \
	"4. Configured share vs achieved share" "5. A tenant goes bad" "6. Remove the vGPUs"; do
	expect_match "the output has the step '$h'" "^== $h" "$out"
done
expect_match "it shows mvgpuctl top with the four vGPUs busy" \
	"^    d0000000-0000-4000-8000-00000000000d +mvgpu0 +mvgpu-8 +open +[0-9.]+%" "$out"
expect_eq "short mode runs the tenants for 6 s" 6 "$(field shares - seconds)"

# --- the final table: configured vs achieved share -----------------------------
expect_eq "four tenants in the summary" "A B C D" \
	"$(awk '$1 == "tenant" { sub("name=", "", $2); printf "%s%s", s, $2; s = " " }' "$SUM")"
types=(mvgpu-2 mvgpu-4 mvgpu-8 mvgpu-8)
weights=(4 3 2 1)
maxgap=0
i=0
for t in A B C D; do
	conf=$(field tenant $t configured_pct)
	ach=$(field tenant $t achieved_pct)
	expect_eq "tenant $t: type ${types[$i]}, weight ${weights[$i]}" \
		"${types[$i]} ${weights[$i]}" "$(field tenant $t type) $(field tenant $t weight)"
	holds "tenant $t: configured share is weight / 10" "c == 10 * w" c="$conf" w="${weights[$i]}"
	holds "tenant $t: achieved share between 0 and 100" "a > 0 && a < 100" a="$ach"
	holds "tenant $t: achieved share within $TOL points of the configured one" \
		"a - c <= t && c - a <= t" a="$ach" c="$conf" t=$TOL
	holds "tenant $t: throughput > 0" "b > 0" b="$(field tenant $t bytes_per_s)"
	expect_eq "tenant $t: no faults, no errors, PASSED" "0 0 PASSED" \
		"$(field tenant $t faults) $(field tenant $t errors) $(field tenant $t result)"
	expect_match "tenant $t: the printed table has its row with the same share" \
		"^    $t +${types[$i]} +${weights[$i]} +$conf% +$ach% +[-+][0-9.]+ +[0-9.]+ [KMG]i?B/s +0 +PASSED \\(0 errors\\)$" "$out"
	maxgap=$(awk -v a="$ach" -v c="$conf" -v m="$maxgap" \
		'BEGIN { g = a - c; if (g < 0) g = -g; printf "%.1f", (g > m ? g : m) }')
	i=$((i + 1))
done
holds "the shares add up to 100%" "s >= 99.5 && s <= 100.5" \
	s="$(awk '$1 == "tenant" { for (i = 2; i <= NF; i++) if ($i ~ /^achieved_pct=/) s += substr($i, 14) } END { print s }' "$SUM")"
expect_eq "the largest gap reported is the largest of the tenants' gaps" \
	"$maxgap" "$(field shares - max_gap_points)"
expect_match "the demo prints the largest gap" \
	"Largest gap between configured and achieved share: $maxgap points" "$out"
# The shares mean something only if the four contended for the engine: each
# had work queued while it served the others.  (How busy the engine was
# against the clock depends on the host's load, so it is printed, not judged.)
for t in A B C D; do
	holds "tenant $t waited for the engine while the others ran (wait_ns grew)" "w > 0" \
		w="$(field tenant $t waited_ns)"
done
holds "the engine's utilisation is reported, above 0 and at most 100%" "u > 0 && u <= 100" \
	u="$(field shares - engine_util_pct)"

# --- the fault scene -------------------------------------------------------------
holds "the faulting tenant D got faults" "f > 0" f="$(field faulty D faults)"
holds "D's run reports its fault cycles" "n > 0" n="$(field faulty D fault_cycles)"
expect_eq "D: every bad command faulted as expected and D recovered (0 errors, PASSED)" \
	"0 PASSED" "$(field faulty D errors) $(field faulty D result)"
holds "D took no more than its weighted share of the engine (1/8, + $TOL points)" \
	"s <= 12.5 + t" s="$(field faulty D share_with_pct)" t=$TOL
for t in A B; do
	expect_eq "neighbour $t: no faults, no errors, PASSED" "0 0 PASSED" \
		"$(field neighbour $t faults) $(field neighbour $t errors) $(field neighbour $t result)"
	holds "neighbour $t kept at least its weighted share next to D (- $TOL points)" \
		"s >= m - t" s="$(field neighbour $t share_with_pct)" m="$(field neighbour $t min_share_pct)" t=$TOL
	holds "neighbour $t had throughput alone and next to D" "a > 0 && b > 0" \
		a="$(field neighbour $t bytes_per_s_alone)" b="$(field neighbour $t bytes_per_s_with)"
	expect_match "neighbour $t: the printed table shows 0 faults and PASSED" \
		"^    $t +[0-9]+ +neighbour +.* 0 +PASSED \\(0 errors\\)$" "$out"
done
expect_match "the printed table shows D's faults" \
	"^    D +1 +faulty +.* $(field faulty D faults) +PASSED" "$out"
for t in A B C; do
	expect_match "the driver's fault counters: none for $t" "^    $t  0$" "$out"
done
expect_match "the driver's fault counters: D's" "^    D  [1-9][0-9]*$" "$out"
expect_eq "the summary says no vGPU was left" "0" "$(field cleanup - vgpus_left)"

rm -rf "$TMP"
tap_done
