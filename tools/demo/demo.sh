#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The mvgpu demo, the part that runs inside the sandbox VM (tools/demo/run
# boots the VM and runs this as root from the repository root, with
# mvgpu.ko loaded as "engines=1").
#
#   tools/demo/demo.sh [--short] [--seconds S] [--live] [--cols C --rows R]
#
# Carves the GPU into four vGPUs of mixed types, gives them weights 4:3:2:1,
# runs four tenants side by side while `mvgpuctl top` watches, compares
# each tenant's configured share of the engine with the share it got, then
# lets one tenant fault in a loop next to the others, and removes every
# vGPU.  Uses only mvgpuctl, sysfs and standard tools.
#
#   --short       CI mode: MVGPU_DEMO_SECONDS, else 6 s, for the first run
#   --seconds S   the first run's length (default 20, or MVGPU_DEMO_SECONDS);
#                 the fault scene takes about half as long
#   --live        the terminal is a real one: show top full-screen
#   --cols, --rows  its size (the VM's serial line does not know it)
#
# Besides the tables it prints, it writes a summary for scripts to
# $MVGPU_DEMO_SUMMARY (default /tmp/mvgpu-demo-summary), one record per
# line, "KIND key=value ...":
#   shares seconds=S window_s=W engine_util_pct=U max_gap_points=G
#   tenant name=A type=T weight=W workload=fill configured_pct=C
#          achieved_pct=P bytes_per_s=B waited_ns=N faults=F errors=E
#          result=PASSED|FAILED   (waited_ns: the time it had work queued
#          while the engine served the others, from the driver's wait_ns)
#   isolation window_s=W faulty=D
#   neighbour name=A weight=W workload=fill share_alone_pct=S0
#          share_with_pct=S1 min_share_pct=M bytes_per_s_alone=B0
#          bytes_per_s_with=B1 faults=F errors=E result=PASSED|FAILED
#   faulty name=D faults=F fault_cycles=N share_with_pct=S errors=E
#          result=PASSED|FAILED
#   cleanup vgpus_left=N
#   end status=ok|failed
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

M=$PWD/build/bin/mvgpuctl
DEV=/sys/bus/mdev/devices
GPU=mvgpu0
CLS=/sys/class/mvgpu/$GPU
SUMMARY=${MVGPU_DEMO_SUMMARY:-/tmp/mvgpu-demo-summary}

seconds=${MVGPU_DEMO_SECONDS:-}
short=0 live=0 cols="" rows=""
while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=1; shift ;;
	--seconds) seconds=$2; shift 2 ;;
	--live) live=1; shift ;;
	--cols) cols=$2; shift 2 ;;
	--rows) rows=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
if [ -z "$seconds" ]; then
	seconds=20
	[ $short = 1 ] && seconds=6
fi
case "$seconds" in
''|*[!0-9]*) echo "demo: --seconds wants whole seconds, 4 or more" >&2; exit 2 ;;
esac
[ "$seconds" -ge 4 ] || { echo "demo: --seconds wants 4 or more" >&2; exit 2; }
# the fault scene: a window alone, then a window next to the faulty tenant
iso=$((seconds / 4))
[ $iso -ge 3 ] || iso=3

# The four tenants: letter, type, weight, an easy-to-spot UUID
NAMES=(A B C D)
TYPES=(mvgpu-2 mvgpu-4 mvgpu-8 mvgpu-8)
WEIGHTS=(4 3 2 1)
UUIDS=(a0000000-0000-4000-8000-00000000000a b0000000-0000-4000-8000-00000000000b
       c0000000-0000-4000-8000-00000000000c d0000000-0000-4000-8000-00000000000d)
WSUM=10

TMP=$(mktemp -d /tmp/mvgpu-demo.XXXXXX)
pids=()
samplers=()
created=()
status=failed
t_begin=$(date +%s%N)

# ---------------------------------------------------------------- output
if [ $live = 1 ]; then
	B=$(printf '\033[1m') N=$(printf '\033[0m')
	[ -n "$cols" ] && [ -n "$rows" ] && stty cols "$cols" rows "$rows" 2>/dev/null
else
	B="" N=""
fi

heading() {	# heading TEXT
	printf '\n%s== %s ==%s\n\n' "$B" "$1" "$N"
}

say() {		# say LINE...: explanation lines
	printf '%s\n' "$@"
}

# show ARGS...: print the command as an operator would type it, run it,
# indent its output
show() {
	printf '%s$ mvgpuctl %s%s\n' "$B" "$*" "$N"
	"$M" "$@" 2>&1 | sed 's/^/    /; s/ *$//'
	return "${PIPESTATUS[0]}"
}

die() {
	local f
	printf '\ndemo: %s\n' "$*" >&2
	# what the tenants said, if any ran
	for f in "$TMP"/*.err; do
		[ -s "$f" ] && sed "s|^|demo: $(basename "$f" .err): |" "$f" >&2
	done
	exit 1
}

record() {	# record KIND key=value...: a line of the summary file
	printf '%s\n' "$*" >>"$SUMMARY"
}

# ---------------------------------------------------------------- cleanup
stop_tenants() {
	local p
	for p in ${pids[@]+"${pids[@]}"} ${samplers[@]+"${samplers[@]}"}; do
		kill -INT "$p" 2>/dev/null
	done
	for p in ${pids[@]+"${pids[@]}"} ${samplers[@]+"${samplers[@]}"}; do
		wait "$p" 2>/dev/null
	done
	pids=() samplers=()
}

cleanup() {
	local u
	stop_tenants
	for u in ${created[@]+"${created[@]}"}; do
		[ -e "$DEV/$u" ] && "$M" remove "$u" >/dev/null 2>&1
	done
	rm -rf "$TMP"
	[ $status = ok ] || record "end status=failed"
}
trap cleanup EXIT
trap 'printf "\ndemo: interrupted\n" >&2; exit 130' INT TERM

# ---------------------------------------------------------------- helpers
now_ns() { date +%s%N; }

sleep_until() {	# sleep_until NS (CLOCK_REALTIME, as date +%s%N)
	local left=$(($1 - $(now_ns)))
	[ $left -gt 0 ] && sleep "$(awk -v n=$left 'BEGIN { printf "%.3f", n / 1e9 }')"
	return 0
}

stat_of() {	# stat_of UUID COUNTER
	cat "$DEV/$1/mvgpu_stats/$2" 2>/dev/null || echo 0
}

# snap: "TIME ENGINE_BUSY busy bytes faults (for each tenant)", the
# counters read by one process, the time the middle of that read
snap() {
	local u files=() t0 t1 vals
	for u in "${UUIDS[@]}"; do
		files+=("$DEV/$u/mvgpu_stats/busy_ns" "$DEV/$u/mvgpu_stats/bytes"
			"$DEV/$u/mvgpu_stats/faults" "$DEV/$u/mvgpu_stats/wait_ns")
	done
	t0=$(now_ns)
	vals=$(cat "$CLS/engine_busy_ns" "${files[@]}" 2>/dev/null | tr '\n' ' ')
	t1=$(now_ns)
	printf '%s %s\n' $(((t0 + t1) / 2)) "$vals"
}

# snap_at NS FILE: take a snapshot at NS into FILE, in the background, so
# that what is shown meanwhile does not move the measurement windows
snap_at() {
	( sleep_until "$1"; snap >"$2" ) &
	samplers+=($!)
}

wait_samplers() {
	local p
	for p in ${samplers[@]+"${samplers[@]}"}; do wait "$p"; done
	samplers=()
}

# deltas S0 S1: per tenant "busy_ns bytes faults wait_ns", then "ns engine_ns"
deltas() {
	printf '%s\n%s\n' "$1" "$2" | awk '
		NR == 1 { for (i = 1; i <= NF; i++) a[i] = $i }
		NR == 2 { for (i = 3; i <= NF; i += 4)
				print $i - a[i], $(i + 1) - a[i + 1], $(i + 2) - a[i + 2],
				      $(i + 3) - a[i + 3]
			  print $1 - a[1], $2 - a[2] }'
}

# the value of "key": N in a run's --json output
json_num() {	# json_num FILE KEY
	sed -n "s/^ *\"$2\": \\([0-9.]*\\),\\{0,1\\}\$/\\1/p" "$1" 2>/dev/null | head -1
}

# PASSED or FAILED for a finished run: its exit code and its errors
run_result() {	# run_result RC FILE
	local errors
	errors=$(json_num "$2" errors)
	if [ "$1" = 0 ] && [ "${errors:-x}" = 0 ]; then echo PASSED; else echo FAILED; fi
}

fmt_rate() {	# fmt_rate BYTES_PER_S: "812 MiB/s", "1.21 GiB/s"
	awk -v b="$1" 'BEGIN {
		if (b >= 1073741824) printf "%.2f GiB/s", b / 1073741824
		else if (b >= 1048576) printf "%.0f MiB/s", b / 1048576
		else if (b >= 1024) printf "%.0f KiB/s", b / 1024
		else printf "%.0f B/s", b }'
}

# start_tenant I WORKLOAD SECONDS TAG: mvgpuctl run in the background
start_tenant() {
	"$M" run "${UUIDS[$1]}" --workload "$2" --seconds "$3" --json \
		>"$TMP/$4.$1.json" 2>"$TMP/$4.$1.err" &
	pids[$1]=$!
}

# wait_tenant I TAG: wait for it; its exit code into $TMP/TAG.I.rc
wait_tenant() {
	local rc=0
	wait "${pids[$1]}" || rc=$?
	echo $rc >"$TMP/$2.$1.rc"
	unset "pids[$1]"
}

# wait until each vGPU given by index has used engine time (at most 10 s)
wait_running() {
	local i deadline=$(($(now_ns) + 10000000000)) all
	while :; do
		all=1
		for i in "$@"; do
			[ "$(stat_of "${UUIDS[$i]}" busy_ns)" != "$(cat "$TMP/busy0.$i")" ] || all=0
		done
		[ $all = 1 ] && return 0
		[ "$(now_ns)" -lt $deadline ] || return 1
		sleep 0.1
	done
}

mark_busy() {	# remember each tenant's busy_ns, for wait_running
	local i
	for i in 0 1 2 3; do stat_of "${UUIDS[$i]}" busy_ns >"$TMP/busy0.$i"; done
}

# top_plain: one plain top snapshot, indented
top_plain() {
	printf '%s$ mvgpuctl top -n 1%s\n' "$B" "$N"
	"$M" top -n 1 2>&1 | sed '/^snapshot /{N;d}; s/^/    /; s/ *$//'
}

: >"$SUMMARY"
[ -x "$M" ] || die "no $M: run make first"
[ -d "$CLS" ] || die "mvgpu is not loaded (no $CLS): run me through tools/demo/run"
[ "$(cat "$CLS/engines")" = 1 ] ||
	die "this demo wants a GPU with one engine (load mvgpu with engines=1)"
[ -z "$(ls "$DEV" 2>/dev/null)" ] || die "there are vGPUs already; the demo wants an empty GPU"

# ================================================================= intro
total_est=$((seconds + 2 * iso + 10))
printf '%smvgpu demo%s\n' "$B" "$N"
say "" \
"mvgpu splits one physical GPU into several virtual GPUs (vGPUs). Each vGPU" \
"is a standard VFIO device that a VM, a container or a program can own, with" \
"its own part of the VRAM, a share of the GPU's engine time, and faults that" \
"stay its own." \
"" \
"Where this runs: a sandbox, a QEMU virtual machine (pure software emulation)" \
"booting Debian's own 6.1 kernel with the mvgpu.ko module loaded. mvgpu's" \
"backend here is its software reference GPU: one GPU, mvgpu0, with 256 MiB" \
"of VRAM and a single engine (the module was loaded with engines=1), so a" \
"tenant's share of the engine is simply its share of the GPU's time." \
"" \
"What happens (about $total_est s):" \
"  1. look at the GPU and the vGPU types it offers" \
"  2. carve it into four vGPUs of mixed types and give them weights" \
"  3. run four tenants side by side for $seconds s and watch 'mvgpuctl top'" \
"  4. compare each tenant's configured share with the share it got" \
"  5. make one tenant fault in a loop next to the others" \
"  6. remove the vGPUs" \
"" \
"Every command shown is mvgpuctl, the operator's CLI (build/bin/mvgpuctl)." \
"The tenants are 'mvgpuctl run', a program that drives a vGPU through" \
"libmvgpu, as any user of a vGPU would, and checks the results it gets."

# ================================================================ step 1
heading "1. The GPU and the vGPU types it offers"
say "One physical GPU. A vGPU type mvgpu-N is 1/N of it: 1/N of its VRAM and, by" \
    "default, 1/N of its engine time (SHARE). AVAILABLE says how many more of" \
    "each type fit." ""
show list || die "mvgpuctl list failed"

# ================================================================ step 2
heading "2. Carve four vGPUs and give them weights"
say "Four vGPUs of mixed types that together take all 256 MiB:" ""
for i in 0 1 2 3; do
	created+=("${UUIDS[$i]}")
	show create --type "${TYPES[$i]}" --parent $GPU --uuid "${UUIDS[$i]}" ||
		die "mvgpuctl create failed"
done
say "" "(Each vGPU has a UUID; these are chosen to be easy to spot: a0000000-... is" \
    "tenant A, b0000000-... tenant B, and so on. Without --uuid, create makes one.)" "" \
    "The policy is best_effort (the default): when several vGPUs have work, the" \
    "engine is split in proportion to their weights. The weights set here are" \
    "4:3:2:1, unlike the types' 4:2:1:1, to show that VRAM size and engine share" \
    "are separate knobs:" ""
for i in 0 1 2 3; do
	show set "${UUIDS[$i]}" weight="${WEIGHTS[$i]}" || die "mvgpuctl set failed"
done
say ""
{
	printf 'TENANT  TYPE     WEIGHT  CONFIGURED SHARE (weight / sum of weights)\n'
	for i in 0 1 2 3; do
		printf '%-6s  %-7s  %6s  %s\n' "${NAMES[$i]}" "${TYPES[$i]}" "${WEIGHTS[$i]}" \
			"$(awk -v w="${WEIGHTS[$i]}" -v s=$WSUM 'BEGIN { printf "%d/%d = %.0f%%", w, s, 100 * w / s }')"
	done
} | sed 's/^/    /'
say ""
show list || die "mvgpuctl list failed"

# ================================================================ step 3
heading "3. Four tenants side by side for $seconds s"
say "Each tenant runs 'mvgpuctl run UUID --workload fill --seconds $seconds': it keeps" \
    "its vGPU busy all the time (three batches of 16 fills of 1 MiB always" \
    "queued) and checks a sample of every buffer it filled. All four want the" \
    "engine all the time, so how it is split is up to mvgpu's scheduler." ""
for i in 0 1 2 3; do
	printf '%s$ mvgpuctl run %s --workload fill --seconds %s &%s\n' "$B" "${UUIDS[$i]}" "$seconds" "$N"
done
mark_busy
t0=$(now_ns)
for i in 0 1 2 3; do start_tenant $i fill "$seconds" p1; done
wait_running 0 1 2 3 || die "the tenants did not start within 10 s"
sleep 0.5
s0=$(snap)
t_end=$((t0 + seconds * 1000000000 - 300000000))	# before the first one stops
snap_at $t_end "$TMP/p1.s1"

say "" "What 'mvgpuctl top' shows, per vGPU: SHARE, its part of the engine time used" \
    "in the last second (configured: A 40%, B 30%, C 20%, D 10%); BUSY, the same" \
    "against the clock; BYTES/S, its throughput; WAIT, the time it had work" \
    "queued while the engine served the others; FAULTS." ""
if [ $live = 1 ]; then
	# full screen until 2.5 s before the end
	left=$(( (t_end - $(now_ns)) / 1000000000 - 2 ))
	if [ $left -ge 2 ]; then
		say "(top, full screen, for $left s)"
		sleep 1
		timeout --foreground -s INT "$left" "$M" top
		say "The last second, as top saw it:" ""
	fi
	top_plain
elif [ "$seconds" -ge 9 ]; then
	# two snapshots, a third and two thirds of the way
	sleep_until $((t0 + seconds * 1000000000 / 3))
	say "After $((seconds / 3)) s:"
	top_plain
	say ""
	sleep_until $((t0 + seconds * 2000000000 / 3))
	say "After $((seconds * 2 / 3)) s:"
	top_plain
else
	top_plain
fi
wait_samplers
s1=$(cat "$TMP/p1.s1")
for i in 0 1 2 3; do wait_tenant $i p1; done

# ================================================================ step 4
heading "4. Configured share vs achieved share"
deltas "$s0" "$s1" >"$TMP/p1.delta"
window_ns=$(sed -n '5p' "$TMP/p1.delta" | awk '{ print $1 }')
engine_ns=$(sed -n '5p' "$TMP/p1.delta" | awk '{ print $2 }')
total_busy=$(sed -n '1,4p' "$TMP/p1.delta" | awk '{ s += $1 } END { print s }')
window_s=$(awk -v n="$window_ns" 'BEGIN { printf "%.1f", n / 1e9 }')
util=$(awk -v e="$engine_ns" -v n="$window_ns" 'BEGIN { u = 100 * e / n; printf "%.1f", (u > 100 ? 100 : u) }')
say "Measured by the driver (busy_ns, bytes and faults in" \
    "/sys/bus/mdev/devices/UUID/mvgpu_stats/) over the $window_s s when all four ran;" \
    "the engine was busy $util% of that time." ""
maxgap=-1 maxgap_name="" fail=0
{
	printf 'TENANT  TYPE     WEIGHT  CONFIGURED  ACHIEVED   GAP  THROUGHPUT  FAULTS  CHECK\n'
	for i in 0 1 2 3; do
		read -r busy bytes faults waited <<<"$(sed -n "$((i + 1))p" "$TMP/p1.delta")"
		conf=$(awk -v w="${WEIGHTS[$i]}" -v s=$WSUM 'BEGIN { printf "%.1f", 100 * w / s }')
		ach=$(awk -v b="$busy" -v t="$total_busy" 'BEGIN { printf "%.1f", (t ? 100 * b / t : 0) }')
		gap=$(awk -v a="$ach" -v c="$conf" 'BEGIN { printf "%+.1f", a - c }')
		bps=$(awk -v b="$bytes" -v n="$window_ns" 'BEGIN { printf "%.0f", b * 1e9 / n }')
		rc=$(cat "$TMP/p1.$i.rc")
		result=$(run_result "$rc" "$TMP/p1.$i.json")
		errors=$(json_num "$TMP/p1.$i.json" errors)
		[ "$result" = PASSED ] || fail=1
		printf '%-6s  %-7s  %6s  %9s%%  %7s%%  %4s  %10s  %6s  %s\n' "${NAMES[$i]}" \
			"${TYPES[$i]}" "${WEIGHTS[$i]}" "$conf" "$ach" "$gap" "$(fmt_rate "$bps")" \
			"$faults" "$result (${errors:-?} errors)"
		record "tenant name=${NAMES[$i]} type=${TYPES[$i]} weight=${WEIGHTS[$i]} workload=fill configured_pct=$conf achieved_pct=$ach bytes_per_s=$bps waited_ns=$waited faults=$faults errors=${errors:-unknown} result=$result"
		if awk -v g="$gap" -v m="$maxgap" 'BEGIN { g = g < 0 ? -g : g; exit !(g > m) }'; then
			maxgap=$(awk -v g="$gap" 'BEGIN { printf "%.1f", (g < 0 ? -g : g) }')
			maxgap_name=${NAMES[$i]}
		fi
	done
} >"$TMP/p1.table"
sed 's/^/    /' "$TMP/p1.table"
record "shares seconds=$seconds window_s=$window_s engine_util_pct=$util max_gap_points=$maxgap"
ratio=$(awk -v a="$(sed -n 1p "$TMP/p1.delta" | awk '{ print $2 }')" \
	    -v d="$(sed -n 4p "$TMP/p1.delta" | awk '{ print $2 }')" \
	    'BEGIN { printf "%.1f", (d ? a / d : 0) }')
say "" "CONFIGURED is weight / sum of weights; ACHIEVED is the tenant's part of the" \
    "engine time the four used; THROUGHPUT is the bytes it filled per second;" \
    "CHECK is what 'mvgpuctl run' found checking its results." "" \
    "${B}Largest gap between configured and achieved share: $maxgap points (tenant $maxgap_name).${N}"
if awk -v g="$maxgap" 'BEGIN { exit !(g <= 2) }'; then
	say "The scheduler split the engine as configured. A (weight 4) filled ${ratio}x as" \
	    "many bytes as D (weight 1)."
else
	say "More than 2 points: over a short run on a busy machine that can happen." \
	    "A (weight 4) filled ${ratio}x as many bytes as D (weight 1)."
fi
if [ $fail != 0 ]; then
	say "" "${B}A tenant's check FAILED; what the tenants said:${N}"
	cat "$TMP"/p1.*.err | sed 's/^/    /'
fi

# ================================================================ step 5
heading "5. A tenant goes bad"
say "A and B fill as before, C sits idle. After $iso s, tenant D starts sending" \
    "commands its vGPU must refuse: addresses past its VRAM or where nothing is" \
    "mapped, writes to its read-only command ring, garbage opcodes, huge sizes," \
    "a DMA from host memory it never mapped ('mvgpuctl run --workload faulty')." \
    "Each one faults; the driver stops D's context, and only D's; D resets its" \
    "vGPU, checks that it works again, and sends the next one." ""
ab=$((2 * iso + 3))
for i in 0 1; do
	printf '%s$ mvgpuctl run %s --workload fill --seconds %s &%s\n' "$B" "${UUIDS[$i]}" $ab "$N"
done
printf '%s$ sleep %s; mvgpuctl run %s --workload faulty --seconds %s%s\n' "$B" $iso "${UUIDS[3]}" $iso "$N"
mark_busy
for i in 0 1; do start_tenant $i fill $ab p2; done
wait_running 0 1 || die "the tenants did not start within 10 s"
sleep 0.5
s0=$(snap)
ta=$(echo "$s0" | awk '{ print $1 }')
snap_at $((ta + iso * 1000000000)) "$TMP/p2.s1"
snap_at $((ta + 2 * iso * 1000000000)) "$TMP/p2.s2"
# D starts once the first window is measured
while [ ! -s "$TMP/p2.s1" ]; do sleep 0.05; done
start_tenant 3 faulty $iso p2
say "" "While D faults (its FAULTS column counts them):" ""
sleep 0.5
top_plain
wait_samplers
s1=$(cat "$TMP/p2.s1")
s2=$(cat "$TMP/p2.s2")
for i in 0 1 3; do wait_tenant $i p2; done

deltas "$s0" "$s1" >"$TMP/p2a.delta"
deltas "$s1" "$s2" >"$TMP/p2b.delta"
iso_window=$(sed -n '5p' "$TMP/p2b.delta" | awk '{ printf "%.1f", $1 / 1e9 }')
record "isolation window_s=$iso_window faulty=D"
tot_a=$(sed -n '1,4p' "$TMP/p2a.delta" | awk '{ s += $1 } END { print s }')
tot_b=$(sed -n '1,4p' "$TMP/p2b.delta" | awk '{ s += $1 } END { print s }')
ns_a=$(sed -n '5p' "$TMP/p2a.delta" | awk '{ print $1 }')
ns_b=$(sed -n '5p' "$TMP/p2b.delta" | awk '{ print $1 }')
# with D busy too, a neighbour is owed at least weight / (4 + 3 + 1)
busy_wsum=$((WEIGHTS[0] + WEIGHTS[1] + WEIGHTS[3]))
say "" "Each tenant alone (the $iso s before D started) and with D faulting next to it" \
    "(the $iso s after):" ""
fail2=0 kept_low=0 owed_low=0 kept="" owed=""
{
	printf '%-27s%-18s%s\n' "" "ENGINE SHARE" THROUGHPUT
	printf '%-6s  %6s  %-9s  %6s  %7s   %-10s  %-10s  %6s  %s\n' TENANT WEIGHT ROLE \
		ALONE "WITH D" ALONE "WITH D" FAULTS CHECK
	for i in 0 1 3; do
		read -r busy_a bytes_a faults_a _ <<<"$(sed -n "$((i + 1))p" "$TMP/p2a.delta")"
		read -r busy_b bytes_b faults_b _ <<<"$(sed -n "$((i + 1))p" "$TMP/p2b.delta")"
		sh_a=$(awk -v b="$busy_a" -v t="$tot_a" 'BEGIN { printf "%.1f", (t ? 100 * b / t : 0) }')
		sh_b=$(awk -v b="$busy_b" -v t="$tot_b" 'BEGIN { printf "%.1f", (t ? 100 * b / t : 0) }')
		bps_a=$(awk -v b="$bytes_a" -v n="$ns_a" 'BEGIN { printf "%.0f", b * 1e9 / n }')
		bps_b=$(awk -v b="$bytes_b" -v n="$ns_b" 'BEGIN { printf "%.0f", b * 1e9 / n }')
		rc=$(cat "$TMP/p2.$i.rc")
		result=$(run_result "$rc" "$TMP/p2.$i.json")
		errors=$(json_num "$TMP/p2.$i.json" errors)
		faults=$((faults_a + faults_b))
		if [ $i = 3 ]; then
			cycles=$(json_num "$TMP/p2.3.json" operations)
			[ "$result" = PASSED ] && [ "$faults" -gt 0 ] || fail2=1
			printf '%-6s  %6s  %-9s  %5s%%  %6s%%   %-10s  %-10s  %6s  %s\n' D \
				"${WEIGHTS[3]}" faulty "$sh_a" "$sh_b" - - "$faults" \
				"$result (${errors:-?} errors)"
			record "faulty name=D faults=$faults fault_cycles=${cycles:-0} share_with_pct=$sh_b errors=${errors:-unknown} result=$result"
			d_faults=$faults d_share=$sh_b
			continue
		fi
		[ "$result" = PASSED ] && [ "$faults" = 0 ] || fail2=1
		min=$(awk -v w="${WEIGHTS[$i]}" -v s=$busy_wsum 'BEGIN { printf "%.1f", 100 * w / s }')
		printf '%-6s  %6s  %-9s  %5s%%  %6s%%   %-10s  %-10s  %6s  %s\n' "${NAMES[$i]}" \
			"${WEIGHTS[$i]}" neighbour "$sh_a" "$sh_b" "$(fmt_rate "$bps_a")" \
			"$(fmt_rate "$bps_b")" "$faults" "$result (${errors:-?} errors)"
		record "neighbour name=${NAMES[$i]} weight=${WEIGHTS[$i]} workload=fill share_alone_pct=$sh_a share_with_pct=$sh_b min_share_pct=$min bytes_per_s_alone=$bps_a bytes_per_s_with=$bps_b faults=$faults errors=${errors:-unknown} result=$result"
		pct=$(awk -v a="$bps_a" -v b="$bps_b" 'BEGIN { printf "%.0f", (a ? 100 * b / a : 0) }')
		[ "$pct" -ge 90 ] || kept_low=1
		kept+="${kept:+, }${NAMES[$i]} $pct%"
		owed+="${owed:+,\n}  ${NAMES[$i]} $sh_b% (owed at least $min%)"
		awk -v s="$sh_b" -v m="$min" 'BEGIN { exit !(s >= m - 1) }' || owed_low=1
	done
} >"$TMP/p2.table"
sed 's/^/    /' "$TMP/p2.table"
codes=$(sed -n '/"fault_codes"/,/}/p' "$TMP/p2.3.json" |
	sed -n 's/^ *"\([A-Z_]*\)": \([0-9]*\),*$/\1 \2/p' | paste -sd, - | sed 's/,/, /g')
d_max=$(awk -v w="${WEIGHTS[3]}" -v s=$busy_wsum 'BEGIN { printf "%.1f", 100 * w / s }')
say "" "${B}D: ${d_faults:-0} faults in $iso_window s${N}, each caught by the driver, reset by D and" \
    "followed by a check that its vGPU works again. By kind:" "  ${codes:-none}" \
    "D got ${d_share:-0}% of the engine: while A and B are busy, its weight caps it at $d_max%." \
    "" "${B}A and B: no fault and no wrong result.${N}"
if [ $owed_low = 0 ]; then
	say "Each kept at least its weighted share of the engine:"
else
	say "Their share of the engine next to D, not all of what their weight owes them:"
fi
printf '%b\n' "$owed."
if [ $kept_low = 0 ]; then
	say "They kept their throughput too: with D / alone, $kept."
else
	say "Their throughput with D / alone: $kept. The software GPU's engine is a" \
	    "kernel thread sharing the VM's two CPUs with every process, D's included," \
	    "so it runs slower while the machine is busier; the engine shares above are" \
	    "what the scheduler decides."
fi
say "" "The driver counts faults per vGPU (mvgpu_stats/faults in sysfs); after both" \
    "runs they read:" ""
for i in 0 1 2 3; do
	printf '    %s  %s\n' "${NAMES[$i]}" "$(stat_of "${UUIDS[$i]}" faults)"
done
if [ $fail2 != 0 ]; then
	say "" "${B}A check FAILED in the fault scene; what the tenants said:${N}"
	cat "$TMP"/p2.*.err | sed 's/^/    /'
fi

# ================================================================ step 6
heading "6. Remove the vGPUs"
for i in 0 1 2 3; do
	show remove "${UUIDS[$i]}" || die "mvgpuctl remove failed"
done
left=$(ls "$DEV" 2>/dev/null | wc -l)
record "cleanup vgpus_left=$left"
say "" "No vGPU left; $GPU has $(($(cat "$CLS/vram_free") >> 20)) MiB of its 256 MiB free again" \
    "(a removed vGPU's VRAM is scrubbed before it is given back)."

t_done=$(now_ns)
if [ $fail = 0 ] && [ $fail2 = 0 ] && [ "$left" = 0 ]; then
	status=ok
	record "end status=ok"
	say "" "${B}Demo done in $(( (t_done - t_begin) / 1000000000 )) s inside the VM: every check passed.${N}"
	exit 0
fi
say "" "${B}Demo done, but a check failed (see above).${N}"
exit 1
