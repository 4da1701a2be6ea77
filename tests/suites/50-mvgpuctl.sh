#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mvgpuctl, the operator CLI: every command's human output and its --json
# checked against sysfs, every documented error with its exit code, top
# (plain and on a pseudo-terminal), run with each workload, and the module
# not loaded (by --sysfs-root, and for real with rmmod at the end).
# Two GPUs, so that create's choice of parent and --parent can be seen.
# vmrun: --timeout 600 --params num_gpus=2
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
HOLD="python3 $PWD/tests/lib/vfio_hold.py"
DEV=/sys/bus/mdev/devices
CLS=/sys/class/mvgpu
TMP=$(mktemp -d)
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

# ctl ARGS...: run mvgpuctl; sets $out, $err and $rc
ctl() {
	out=$("$M" "$@" 2>"$TMP/err") && rc=0 || rc=$?
	err=$(cat "$TMP/err")
}

# ctl_as_nobody ARGS...: the same as an unprivileged user
ctl_as_nobody() {
	out=$($NOBODY "$M" "$@" 2>"$TMP/err") && rc=0 || rc=$?
	err=$(cat "$TMP/err")
}

# expect_rc NAME CODE [STDERR-REGEX]: the last ctl exited CODE (and said so)
expect_rc() {
	local diag="exit $rc, expected $2
stdout: $out
stderr: $err"
	if [ "$rc" != "$2" ]; then
		tap_result 1 "$1" "$diag"
	elif [ -n "${3:-}" ] && ! printf '%s\n' "$err" | grep -Eq -- "$3"; then
		tap_result 1 "$1" "stderr does not match /$3/
$diag"
	else
		tap_result 0 "$1"
	fi
}

# jcheck NAME PYTHON-EXPR: $out parses as JSON (j) and EXPR holds.
# rd(path) reads a sysfs file, rdi(path) as an integer; env is os.environ.
jcheck() {
	local res
	res=$(printf '%s' "$out" | python3 -c '
import json, os, re, sys
def rd(p):
    with open(p) as f:
        return f.read().strip()
def rdi(p):
    return int(rd(p))
env = os.environ
try:
    j = json.load(sys.stdin)
except ValueError as e:
    print("not JSON: %s" % e); sys.exit(0)
try:
    print("yes" if eval("(" + sys.argv[1] + ")") else "no: %s" % sys.argv[1])
except Exception as e:
    print("error: %r in %s" % (e, sys.argv[1]))
' "$2" 2>&1)
	if [ "$res" = yes ]; then tap_result 0 "$1"
	else tap_result 1 "$1" "$res
$out"; fi
}

# wait_for CMD...: poll until CMD succeeds, at most 60 s; no timing assertion
wait_for() {
	local i
	for i in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

is_state() { [ "$(cat $DEV/$1/mvgpu/state 2>/dev/null)" = "$2" ]; }
vgpu_count() { ls $DEV | wc -l; }
sysfs_knobs() { echo "$(cat $DEV/$1/mvgpu/weight) $(cat $DEV/$1/mvgpu/priority) $(cat $DEV/$1/mvgpu/cap)"; }
gpu_policy() { echo "$(cat $CLS/$1/scheduler) $(cat $CLS/$1/timeslice_us)"; }
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
unknown=0badc0de-0000-4000-8000-000000000000

# --- help and the man page ----------------------------------------------------
ctl --help
expect_rc "--help exits 0" 0
for c in list types create remove set policy stats top run; do
	expect_match "--help lists the $c command" "^  $c " "$out"
done
for code in 0 1 2 3 4 5 6 7 8; do
	expect_match "--help documents exit code $code" "^  $code  " "$out"
done
ctl create --help
expect_rc "create --help exits 0" 0
expect_match "create --help explains --type" "--type TYPE +mvgpu-1, mvgpu-2, mvgpu-4 \.\.\. mvgpu-64" "$out"
expect_match "create --help has the exit codes" "5  no capacity" "$out"
ctl help remove
expect_match "help remove explains --no-wait" "--no-wait" "$out"
man_out=$(MANWIDTH=100 man -l docs/mvgpuctl.1 2>&1)
expect_match "man -l docs/mvgpuctl.1 renders the NAME section" "mvgpuctl - " "$man_out"
expect_match "the man page has the exit status table" "^ +5 +No capacity" "$man_out"
refuse "the man page renders without troff warnings" \
	sh -c "MANWIDTH=100 man --warnings -l docs/mvgpuctl.1 2>&1 >/dev/null | grep ."

# --- list and types on an empty system ----------------------------------------
ctl list
expect_rc "list exits 0" 0
expect_match "list shows mvgpu0 with its backend, VRAM, policy and parent" \
	"^mvgpu0 +software +256 MiB +256 MiB +best_effort +10 ms +0% 0% +2 +0 +mvgpu0$" "$out"
expect_match "list shows mvgpu1" "^mvgpu1 +software" "$out"
for d in 1 2 4 8; do
	expect_match "list shows type mvgpu-$d on mvgpu0 with its availability" \
		"^mvgpu-$d +mvgpu0 +mvgpu 1/$d \\([0-9]+ MiB\\) +$((256 / d)) MiB .* $d +$d$" "$out"
done
expect_match "list says there are no vGPUs" "^No vGPUs" "$out"

ctl list --json
expect_rc "list --json exits 0" 0
jcheck "list --json: one entry per GPU in sysfs" \
	'sorted(g["name"] for g in j["gpus"]) == sorted(os.listdir("/sys/class/mvgpu"))'
jcheck "list --json: GPU facts equal sysfs" \
	'all(g["backend"] == rd("/sys/class/mvgpu/%s/backend" % g["name"]) and
	     g["vram_size"] == rdi("/sys/class/mvgpu/%s/vram_size" % g["name"]) and
	     g["vram_free"] == rdi("/sys/class/mvgpu/%s/vram_free" % g["name"]) and
	     g["engines"] == rdi("/sys/class/mvgpu/%s/engines" % g["name"]) and
	     "[%s]" % g["scheduler"] in rd("/sys/class/mvgpu/%s/scheduler" % g["name"]) and
	     g["policies"] == ["best_effort", "equal_share", "fixed_share"] and
	     g["timeslice_us"] == rdi("/sys/class/mvgpu/%s/timeslice_us" % g["name"]) and
	     len(g["engine_utilization"]) == g["engines"] and g["vgpus"] == 0 and
	     g["vram_releasing"] == 0
	     for g in j["gpus"])'
jcheck "list --json: every type with its sysfs availability and description" \
	'all([t["name"] for t in g["types"]] == ["mvgpu-1", "mvgpu-2", "mvgpu-4", "mvgpu-8", "mvgpu-16", "mvgpu-32", "mvgpu-64"] and
	     all(t["available_instances"] == rdi("/sys/class/mdev_bus/%s/mdev_supported_types/%s/available_instances" % (g["name"], t["name"])) and
	         t["description"] == rd("/sys/class/mdev_bus/%s/mdev_supported_types/%s/description" % (g["name"], t["name"])) and
	         t["vram_size"] == g["vram_size"] // t["divisor"] and
	         t["share_permille"] == 1000 // t["divisor"] and t["max_instances"] == t["divisor"]
	         for t in g["types"]) for g in j["gpus"])'
jcheck "list --json: no vGPUs" 'j["vgpus"] == []'

# --- create -------------------------------------------------------------------
ctl create --type mvgpu-4 --parent mvgpu0
expect_rc "create --type mvgpu-4 --parent mvgpu0 exits 0" 0
export u4=$out
expect_match "create prints the new UUID" "$uuid_re" "$u4"
check "the vGPU exists in sysfs" test -d "$DEV/$u4/mvgpu"
expect_eq "it is an mvgpu-4" "mvgpu-4" "$(basename "$(readlink $DEV/$u4/mdev_type)")"
expect_eq "it is on mvgpu0" "mvgpu0" "$(cat $DEV/$u4/mvgpu/gpu)"

ctl create --type 2
expect_rc "create --type 2 (no parent) exits 0" 0
u2=$out
expect_eq "without --parent, the GPU with the most free VRAM (mvgpu1) is chosen" \
	"mvgpu1" "$(cat $DEV/$u2/mvgpu/gpu 2>&1)"
expect_eq "--type 2 means mvgpu-2" "mvgpu-2" "$(basename "$(readlink $DEV/$u2/mdev_type)")"

given=ABCDEF01-2345-4678-9ABC-DEF012345678
ctl create --type 1/8 --parent 0 --uuid $given
expect_rc "create --type 1/8 --parent 0 --uuid U exits 0" 0
export u8=abcdef01-2345-4678-9abc-def012345678
expect_eq "create prints the given UUID in lower case" "$u8" "$out"
expect_eq "--type 1/8 means mvgpu-8" "mvgpu-8" "$(basename "$(readlink $DEV/$u8/mdev_type)")"
expect_eq "--parent 0 means mvgpu0" "mvgpu0" "$(cat $DEV/$u8/mvgpu/gpu 2>&1)"

# free now: mvgpu0 256-64-32 = 160 MiB, mvgpu1 256-128 = 128 MiB
ctl create --json --type 8
expect_rc "create --json exits 0" 0
jcheck "create --json: uuid, type and GPU as sysfs has them" \
	're.match(r"[0-9a-f-]{36}$", j["uuid"]) is not None and j["type"] == "mvgpu-8" and
	 os.path.basename(os.readlink("/sys/bus/mdev/devices/%s/mdev_type" % j["uuid"])) == "mvgpu-8" and
	 j["gpu"] == rd("/sys/bus/mdev/devices/%s/mvgpu/gpu" % j["uuid"]) == "mvgpu0"'
u8b=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["uuid"])')
check "the --json vGPU exists" test -d "$DEV/$u8b"
expect_eq "create --json picked the GPU with the most free VRAM (mvgpu0)" "mvgpu0" "$(cat $DEV/$u8b/mvgpu/gpu 2>&1)"

# --- list and types with vGPUs ------------------------------------------------
ctl list
expect_match "list shows the mvgpu-4 vGPU: type, GPU, state, owner, VRAM, weight 16, priority, cap" \
	"^$u4 +mvgpu-4 +mvgpu0 +closed +- +64 MiB +16 +normal +none$" "$out"
expect_match "list shows the mvgpu-2 vGPU with weight 32" "^$u2 +mvgpu-2 +mvgpu1 +closed +- +128 MiB +32 +normal +none$" "$out"
expect_match "list shows the mvgpu-8 vGPU with weight 8" "^$u8 +mvgpu-8 +mvgpu0 +closed +- +32 MiB +8 +normal +none$" "$out"
expect_match "list counts mvgpu0's vGPUs and its free VRAM" "^mvgpu0 +software +256 MiB +128 MiB .* 3 +mvgpu0$" "$out"
ctl list --json
jcheck "list --json: every vGPU in sysfs, once" \
	'sorted(v["uuid"] for v in j["vgpus"]) == sorted(os.listdir("/sys/bus/mdev/devices"))'
jcheck "list --json: each vGPU's type, GPU, state, owner and knobs equal sysfs" \
	'all(v["type"] == os.path.basename(os.readlink("/sys/bus/mdev/devices/%s/mdev_type" % v["uuid"])) and
	     v["gpu"] == rd("/sys/bus/mdev/devices/%s/mvgpu/gpu" % v["uuid"]) and
	     v["state"] == rd("/sys/bus/mdev/devices/%s/mvgpu/state" % v["uuid"]) == "closed" and
	     v["owner"] is None and
	     v["weight"] == rdi("/sys/bus/mdev/devices/%s/mvgpu/weight" % v["uuid"]) and
	     v["priority"] == rd("/sys/bus/mdev/devices/%s/mvgpu/priority" % v["uuid"]) and
	     v["cap"] == rdi("/sys/bus/mdev/devices/%s/mvgpu/cap" % v["uuid"]) and
	     v["vram_size"] == rdi("/sys/bus/mdev/devices/%s/mvgpu/vram_size" % v["uuid"])
	     for v in j["vgpus"])'
jcheck "list --json: vram_free and vGPU counts follow" \
	'[(g["name"], g["vram_free"], g["vgpus"]) for g in j["gpus"]] ==
	 [("mvgpu0", 128 << 20, 3), ("mvgpu1", 128 << 20, 1)]'

ctl types
expect_rc "types exits 0" 0
expect_match "types shows mvgpu-4 on mvgpu0 with 2 available" "^mvgpu-4 +mvgpu0 .* 4 +2$" "$out"
expect_match "types shows mvgpu-1 on mvgpu1 with 0 available" "^mvgpu-1 +mvgpu1 .* 1 +0$" "$out"
ctl types --parent mvgpu1
expect_rc "types --parent mvgpu1 exits 0" 0
expect_match "types --parent mvgpu1 shows mvgpu1's types" "^mvgpu-2 +mvgpu1 .* 2 +1$" "$out"
refuse "types --parent mvgpu1 leaves mvgpu0 out" grep -q mvgpu0 <<<"$out"
ctl types --json --parent 1
jcheck "types --json --parent 1: mvgpu1's seven types, availability as in sysfs" \
	'[t["name"] for t in j["types"]] == ["mvgpu-1", "mvgpu-2", "mvgpu-4", "mvgpu-8", "mvgpu-16", "mvgpu-32", "mvgpu-64"] and
	 all(t["gpu"] == "mvgpu1" and t["available_instances"] ==
	     rdi("/sys/class/mdev_bus/mvgpu1/mdev_supported_types/%s/available_instances" % t["name"])
	     for t in j["types"])'

# --- set ----------------------------------------------------------------------
ctl set $u4 weight=7 priority=high cap=30
expect_rc "set weight=7 priority=high cap=30 exits 0" 0
expect_eq "set wrote the three knobs" "7 high 30" "$(sysfs_knobs $u4)"
ctl set $u4 cap=50%
expect_rc "set cap=50% exits 0" 0
expect_eq "set cap=50% wrote 50, the rest kept" "7 high 50" "$(sysfs_knobs $u4)"
ctl list
expect_match "list shows the new knobs" "^$u4 .* 7 +high +50%$" "$out"
ctl set $u4 weight=0 cap=10
expect_rc "set weight=0 cap=10 is a bad argument (exit 2)" 2 "weight must be an integer in 1..1000"
expect_eq "set changed nothing when one value was bad (all or nothing)" "7 high 50" "$(sysfs_knobs $u4)"
ctl set $u4 cap=10 priority=urgent
expect_rc "set priority=urgent is refused (exit 2)" 2 "priority must be normal or high"
expect_eq "set changed nothing, not even the valid cap=10" "7 high 50" "$(sysfs_knobs $u4)"
ctl set $u4 weight=1001
expect_rc "set weight=1001 is refused (exit 2)" 2 "1\.\.1000"
ctl set $u4 cap=101
expect_rc "set cap=101 is refused (exit 2)" 2 "0\.\.100"
ctl set $u4 color=red
expect_rc "set of an unknown knob is refused (exit 2)" 2 "unknown knob 'color'"
ctl set $u4 weight=5 weight=6
expect_rc "set of a knob twice is refused (exit 2)" 2 "given twice"
ctl set $u4
expect_rc "set without knobs is refused (exit 2)" 2 "nothing to set"
expect_eq "none of the refused sets changed anything" "7 high 50" "$(sysfs_knobs $u4)"
ctl set $unknown weight=5
expect_rc "set on an unknown UUID exits 4" 4 "no vGPU with UUID $unknown"
ctl set not-a-uuid weight=5
expect_rc "set on a malformed UUID exits 2" 2 "not a UUID"
ctl set $u4 weight=16 priority=normal cap=0
expect_eq "set puts the defaults back" "16 normal 0" "$(sysfs_knobs $u4)"

# --- policy -------------------------------------------------------------------
ctl policy mvgpu0
expect_rc "policy GPU (show) exits 0" 0
expect_match "policy GPU shows the policy and time slice" "^mvgpu0: scheduler best_effort, time slice 10 ms" "$out"
ctl policy mvgpu0 fixed_share --timeslice 0.5
expect_rc "policy mvgpu0 fixed_share --timeslice 0.5 exits 0" 0
expect_eq "policy wrote the policy and 500 us" "best_effort equal_share [fixed_share] 500" "$(gpu_policy mvgpu0)"
expect_eq "policy left mvgpu1 alone" "[best_effort] equal_share fixed_share 10000" "$(gpu_policy mvgpu1)"
ctl policy 0 --json
jcheck "policy --json shows what sysfs has" \
	'j == {"gpu": "mvgpu0", "scheduler": "fixed_share", "timeslice_us": 500}'
ctl policy mvgpu0 equal_share
expect_rc "policy with only a policy exits 0" 0
expect_eq "policy alone keeps the time slice" "best_effort [equal_share] fixed_share 500" "$(gpu_policy mvgpu0)"
ctl policy mvgpu0 --timeslice 100
expect_rc "policy with only --timeslice 100 exits 0" 0
expect_eq "--timeslice alone keeps the policy; 100 ms is 100000 us" "best_effort [equal_share] fixed_share 100000" "$(gpu_policy mvgpu0)"
ctl policy mvgpu0 --timeslice 0.1
expect_eq "--timeslice 0.1 is 100 us" "best_effort [equal_share] fixed_share 100" "$(gpu_policy mvgpu0)"
for bad in "round_robin" "best_effort --timeslice 0.05" "best_effort --timeslice 100.5" \
	"best_effort --timeslice 0.0005" "best_effort --timeslice abc" "best_effort --timeslice -1"; do
	# shellcheck disable=SC2086
	ctl policy mvgpu0 $bad
	expect_rc "policy mvgpu0 $bad is refused (exit 2)" 2
	expect_eq "policy mvgpu0 $bad changed nothing" "best_effort [equal_share] fixed_share 100" "$(gpu_policy mvgpu0)"
done
ctl policy mvgpu0 best_effort --timeslice 0.0005
expect_match "a time slice below the resolution says so" "resolution" "$err"
ctl policy mvgpu9 best_effort
expect_rc "policy on an unknown GPU exits 4" 4 "no GPU named 'mvgpu9'"
ctl policy mvgpu0 best_effort --timeslice 10
expect_eq "policy back to the defaults" "[best_effort] equal_share fixed_share 10000" "$(gpu_policy mvgpu0)"

# --- stats --------------------------------------------------------------------
ctl stats $u4
expect_rc "stats UUID exits 0" 0
expect_match "stats names the vGPU, its type and GPU" "^vGPU $u4 \\(mvgpu-4 on mvgpu0, closed\\)" "$out"
expect_match "stats shows busy time in human units" "^  busy +0 ns$" "$out"
expect_match "stats shows bytes in human units" "^  bytes +0 B$" "$out"
expect_match "stats shows the longest wait in slices" "^  max wait +0 slices$" "$out"
expect_match "stats shows VRAM faults in pages" "^  vram faults +0 pages$" "$out"
ctl stats
expect_rc "stats (all) exits 0" 0
expect_eq "stats (all) shows every vGPU" "4" "$(grep -c '^vGPU ' <<<"$out")"
ctl stats --json
jcheck "stats --json: every vGPU, each counter equal to sysfs" \
	'sorted(v["uuid"] for v in j["vgpus"]) == sorted(os.listdir("/sys/bus/mdev/devices")) and
	 all(sorted(v["stats"]) == sorted(os.listdir("/sys/bus/mdev/devices/%s/mvgpu_stats" % v["uuid"])) and
	     all(n == rdi("/sys/bus/mdev/devices/%s/mvgpu_stats/%s" % (v["uuid"], k)) for k, n in v["stats"].items())
	     for v in j["vgpus"])'
ctl stats $u8 --json
jcheck "stats UUID --json: just that vGPU" '[v["uuid"] for v in j["vgpus"]] == [env["u8"]]' 
ctl stats $unknown
expect_rc "stats on an unknown UUID exits 4" 4 "no vGPU with UUID"

# --- top ----------------------------------------------------------------------
ctl top -n 2
expect_rc "top -n 2 exits 0" 0
expect_eq "top -n 2 prints two snapshots" "2" "$(grep -c '^snapshot [12] of 2' <<<"$out")"
expect_eq "each snapshot has both GPUs" "4" "$(grep -cE '^mvgpu[01] +best_effort' <<<"$out")"
expect_eq "each snapshot has every vGPU" "2" "$(grep -cE "^$u4 +mvgpu0 +mvgpu-4 +closed +0\\.0% +0\\.0%" <<<"$out")"
ctl top
expect_rc "top with stdout not a terminal exits 0" 0
expect_eq "top with stdout not a terminal prints one plain snapshot" "1" "$(grep -c '^snapshot 1 of 1' <<<"$out")"
ctl top -n 1 --json
expect_rc "top -n 1 --json exits 0" 0
jcheck "top --json: GPUs, engines and every vGPU with rates" \
	'j["snapshot"] == 1 and j["interval_ns"] > 0 and
	 [g["name"] for g in j["gpus"]] == ["mvgpu0", "mvgpu1"] and
	 all(len(g["engine_utilization_pct"]) == g["engines"] == 2 for g in j["gpus"]) and
	 sorted(v["uuid"] for v in j["vgpus"]) == sorted(os.listdir("/sys/bus/mdev/devices")) and
	 all(v["share_pct"] == 0 and v["busy_ns"] == 0 and v["commands_per_s"] == 0 for v in j["vgpus"])'
ctl top -n 0
expect_rc "top -n 0 is refused (exit 2)" 2 "number of snapshots"
ctl top -n x
expect_rc "top -n x is refused (exit 2)" 2

# on a terminal: a screen that q or Ctrl-C leaves with the terminal restored
cat >"$TMP/top.sh" <<EOF
trap : INT	# Ctrl-C is for top; the shell carries on after it
stty -g >$TMP/tty.before
$M top
echo "rc=\$?" >$TMP/top.rc
stty -g >$TMP/tty.after
EOF
# keys go in once top has drawn its first screen
(wait_for grep -q "every 1 s" "$TMP/top.log"; printf q) | timeout 60 script -qfec "sh $TMP/top.sh" "$TMP/top.log" >/dev/null 2>&1
expect_eq "top on a terminal quits on q with exit 0" "rc=0" "$(cat $TMP/top.rc 2>&1)"
check "top on a terminal drew a screen with the vGPUs" grep -q "$u4" "$TMP/top.log"
check "top used the alternate screen and left it" sh -c \
	"grep -q \$(printf '\\033\\[?1049h') $TMP/top.log && grep -q \$(printf '\\033\\[?1049l') $TMP/top.log"
expect_eq "top restored the terminal settings" "$(cat $TMP/tty.before 2>&1)" "$(cat $TMP/tty.after 2>&1)"
rm -f "$TMP/top.rc" "$TMP/tty.after" "$TMP/top.log"
(wait_for grep -q "every 1 s" "$TMP/top.log"; printf '\003') | timeout 60 script -qfec "sh $TMP/top.sh" "$TMP/top.log" >/dev/null 2>&1
expect_eq "top on a terminal quits on Ctrl-C with exit 0" "rc=0" "$(cat $TMP/top.rc 2>&1)"
expect_eq "top restored the terminal settings after Ctrl-C" "$(cat $TMP/tty.before 2>&1)" "$(cat $TMP/tty.after 2>&1)"

# --- an open vGPU: owner, remove --no-wait, remove waits ------------------------
$HOLD $u4 >"$TMP/hold.out" 2>&1 &
export hold=$!
check "a VFIO client opens the vGPU" wait_for is_state $u4 open
ctl list
expect_match "list shows the vGPU open by the client's pid and command" "^$u4 +mvgpu-4 +mvgpu0 +open +$hold python3 " "$out"
ctl list --json
jcheck "list --json: state open and the owner as in sysfs" \
	'[(v["state"], v["owner"]) for v in j["vgpus"] if v["uuid"] == env["u4"]] ==
	 [("open", {"pid": int(env["hold"]), "comm": "python3"})] and
	 rd("/sys/bus/mdev/devices/%s/mvgpu/owner" % env["u4"]) == env["hold"] + " python3"'
ctl stats $u4
expect_match "stats says who has it open" "open by python3 \\(pid $hold\\)" "$out"
ctl remove --no-wait $u4
expect_rc "remove --no-wait of an open vGPU exits 7" 7 "is open by python3 \\(pid $hold\\).*leave out --no-wait"
check "remove --no-wait left the vGPU alone" test -d "$DEV/$u4"
expect_eq "the client still has it open" "open" "$(cat $DEV/$u4/mvgpu/state)"
free_before=$(cat $CLS/mvgpu0/vram_free)
"$M" remove $u4 >"$TMP/rm.out" 2>"$TMP/rm.err" &
rmpid=$!
check "remove of an open vGPU says on stderr that it waits" \
	wait_for grep -q "removal waits until that client closes it" "$TMP/rm.err"
check "remove is still waiting while the client has the vGPU open" kill -0 $rmpid
expect_eq "the VRAM is not given back while remove waits" "$free_before" "$(cat $CLS/mvgpu0/vram_free)"
ctl list
expect_match "list accounts for the VRAM of the vGPU whose removal waits" \
	"^mvgpu0: 64 MiB of VRAM held by vGPUs being removed" "$out"
ctl list --json
jcheck "list --json: vram_releasing is that vGPU's VRAM" \
	'[(g["name"], g["vram_releasing"]) for g in j["gpus"]] == [("mvgpu0", 64 << 20), ("mvgpu1", 0)]'
kill $hold
wait $hold
wait $rmpid && rc=0 || rc=$?
expect_eq "remove returns 0 once the client closed the vGPU" "0" "$rc"
check "the vGPU is gone" test ! -e "$DEV/$u4"
expect_eq "its 64 MiB of VRAM are free again" "$((free_before + (64 << 20)))" "$(cat $CLS/mvgpu0/vram_free)"
expect_match "remove said when it was done" "vGPU $u4 removed" "$(cat $TMP/rm.err)"

# --- remove -------------------------------------------------------------------
ctl remove $u8b
expect_rc "remove of a closed vGPU exits 0" 0
expect_eq "remove of a closed vGPU is silent" "" "$out$err"
check "the removed vGPU is gone" test ! -e "$DEV/$u8b"
ctl remove $u8b
expect_rc "remove of an unknown UUID exits 4" 4 "no vGPU with UUID $u8b"
ctl remove 12345
expect_rc "remove of a malformed UUID exits 2" 2 "'12345' is not a UUID"
ctl remove
expect_rc "remove without a UUID exits 2" 2 "which vGPU"

# --- no capacity --------------------------------------------------------------
"$M" remove $u8
"$M" remove $u2
expect_eq "every vGPU removed" "0" "$(vgpu_count)"
ctl create --type 1
expect_rc "a first whole-GPU vGPU fits" 0
ua=$out
ctl create --type 1
expect_rc "a second whole-GPU vGPU fits" 0
ub=$out
expect_eq "the two went to different GPUs" "mvgpu0 mvgpu1" \
	"$(cat $DEV/$ua/mvgpu/gpu $DEV/$ub/mvgpu/gpu | sort | tr '\n' ' ' | sed 's/ $//')"
ctl create --type 8
expect_rc "create when no GPU has room exits 5" 5 "no capacity: no GPU can take another mvgpu-8"
expect_match "the no-capacity message says what to do" "remove a vGPU .* or pick a smaller type" "$err"
ctl create --type 8 --parent mvgpu1
expect_rc "create on a full --parent exits 5" 5 "no capacity: mvgpu1 cannot take another mvgpu-8"
expect_eq "nothing was created" "2" "$(vgpu_count)"
"$M" remove $ua
"$M" remove $ub

# --- bad usage ----------------------------------------------------------------
ctl frobnicate
expect_rc "an unknown command exits 2" 2 "unknown command 'frobnicate'"
ctl
expect_rc "no command exits 2" 2 "no command given"
ctl list --bogus
expect_rc "an unknown option exits 2" 2 "unknown option '--bogus'"
ctl list extra
expect_rc "an extra argument exits 2" 2 "unexpected argument 'extra'"
ctl create
expect_rc "create without --type exits 2" 2 "--type"
ctl create --type 3
expect_rc "create --type 3 exits 2" 2 "no GPU offers type '3'"
ctl create --type mvgpu-x
expect_rc "create --type mvgpu-x exits 2" 2 "not a type"
ctl create --type 4 --uuid nope
expect_rc "create --uuid with a malformed UUID exits 2" 2 "'nope' is not a UUID"
ctl create --type 4 --parent mvgpu7
expect_rc "create --parent of an unknown GPU exits 4" 4 "no GPU named 'mvgpu7'"
ctl create --type 4 --uuid $unknown
ctl create --type 4 --uuid $unknown
expect_rc "create with a UUID in use exits 2" 2 "exists already"
"$M" remove $unknown
ctl create --type
expect_rc "an option without its value exits 2" 2 "needs a value"
expect_eq "no vGPU left by the usage tests" "0" "$(vgpu_count)"

# --- permission: an unprivileged user can look but not touch ------------------
u=$("$M" create --type 4)
ctl_as_nobody list
expect_rc "list as an unprivileged user exits 0" 0
ctl_as_nobody create --type 4
expect_rc "create as an unprivileged user exits 6" 6 "permission denied.*run mvgpuctl as root"
expect_eq "nothing was created" "1" "$(vgpu_count)"
ctl_as_nobody set $u weight=9 cap=20
expect_rc "set as an unprivileged user exits 6" 6 "permission denied"
expect_eq "set as an unprivileged user changed nothing" "16 normal 0" "$(sysfs_knobs $u)"
ctl_as_nobody policy mvgpu0 equal_share --timeslice 1
expect_rc "policy as an unprivileged user exits 6" 6 "permission denied"
expect_eq "policy as an unprivileged user changed nothing" "[best_effort] equal_share fixed_share 10000" "$(gpu_policy mvgpu0)"
ctl_as_nobody remove $u
expect_rc "remove as an unprivileged user exits 6" 6 "permission denied"
check "the vGPU is still there" test -d "$DEV/$u"

# --- run ----------------------------------------------------------------------
for w in gemm copy mixed dma; do
	ctl run $u --workload $w --seconds 2
	expect_rc "run --workload $w --seconds 2 exits 0" 0
	expect_match "run $w: operations reported" "^  operations +[1-9][0-9]* \\(" "$out"
	expect_match "run $w: bytes and throughput reported" "^  bytes +[0-9.]+ [KMG]?i?B \\([0-9.]+ [KMG]?i?B/s\\)" "$out"
	expect_match "run $w: no errors" "^  errors +0 \\(0 mismatches, 0 faults\\)" "$out"
	expect_match "run $w: passed" "^result: PASSED" "$out"
	expect_eq "run $w: no progress line when stderr is not a terminal" "" "$err"
done
cmds_before=$(cat $DEV/$u/mvgpu_stats/commands)
ctl run $u --workload mixed --seconds 2 --json
expect_rc "run --json exits 0" 0
export cmds_before u
jcheck "run --json: operations of both kinds, bytes, no errors" \
	'j["ok"] is True and j["errors"] == j["mismatches"] == j["faults"] == 0 and
	 j["operations"] == j["gemm_operations"] + j["copy_operations"] > 0 and
	 j["bytes"] > 0 and j["workload"] == "mixed" and j["uuid"] == env["u"]'
jcheck "run --json: the vGPU counted at least the run's commands" \
	'0 < j["commands"] <= rdi("/sys/bus/mdev/devices/%s/mvgpu_stats/commands" % env["u"]) - int(env["cmds_before"])'
expect_eq "the vGPU is closed after run" "closed" "$(cat $DEV/$u/mvgpu/state)"
faults_before=$(cat $DEV/$u/mvgpu_stats/faults)
ctl run $u --workload gemm --seconds 1 --inject-fault
expect_rc "run with a fault exits 8" 8 "vGPU fault BAD_OPCODE"
expect_match "run reports the fault in its summary" "^  errors +1 \\(0 mismatches, 1 faults\\)" "$out"
expect_match "run with a fault failed" "^result: FAILED" "$out"
expect_eq "the vGPU counted the fault" "$((faults_before + 1))" "$(cat $DEV/$u/mvgpu_stats/faults)"

# fill: batches kept in flight, sampled checks
ctl run $u --workload fill --seconds 2
expect_rc "run --workload fill --seconds 2 exits 0" 0
expect_match "run fill: batches of fills reported" "^  operations +[1-9][0-9]* \\([0-9.]+/s: batches of 16 fills of 1 MiB\\)" "$out"
expect_match "run fill: no errors" "^  errors +0 \\(0 mismatches, 0 faults\\)" "$out"
expect_match "run fill: passed" "^result: PASSED, every sampled word held its fill pattern" "$out"

# faulty: a tenant that faults in a loop, next to a neighbour that must not
"$M" create --type 8 --parent "$(cat $DEV/$u/mvgpu/gpu)" >"$TMP/nb.uuid"
nb=$(cat "$TMP/nb.uuid")
nb_faults0=$(cat $DEV/$nb/mvgpu_stats/faults)
u_faults0=$(cat $DEV/$u/mvgpu_stats/faults)
"$M" run $nb --workload mixed --seconds 4 --json >"$TMP/nb.out" 2>"$TMP/nb.err" &
nbpid=$!
check "the neighbour starts using engine time" \
	wait_for sh -c "[ \$(cat $DEV/$nb/mvgpu_stats/busy_ns) -gt 0 ]"
ctl run $u --workload faulty --seconds 2 --json
expect_rc "run --workload faulty --seconds 2 exits 0" 0
jcheck "run faulty --json: faults > 0, each one an expected kind, no errors, ok" \
	'j["workload"] == "faulty" and j["faults"] > 0 and j["faults"] == j["operations"] and
	 j["faults"] == sum(j["fault_codes"].values()) and
	 set(j["fault_codes"]) <= {"OUT_OF_RANGE", "UNMAPPED", "READ_ONLY", "BAD_OPCODE", "BAD_COMMAND", "DMA"} and
	 j["errors"] == j["mismatches"] == 0 and j["ok"] is True'
faulty_n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"])')
expect_eq "the vGPU counted each of the run's faults" "$((u_faults0 + faulty_n))" "$(cat $DEV/$u/mvgpu_stats/faults)"
wait $nbpid && rc=0 || rc=$?
expect_eq "the neighbour's run next to the faulty one exits 0" "0" "$rc"
out=$(cat "$TMP/nb.out")
jcheck "the neighbour had operations and 0 errors" \
	'j["operations"] > 0 and j["errors"] == j["faults"] == j["mismatches"] == 0 and j["ok"] is True'
expect_eq "the neighbour's vGPU counted no fault" "$nb_faults0" "$(cat $DEV/$nb/mvgpu_stats/faults)"
"$M" remove $nb
ctl run $u --workload faulty --seconds 1
expect_rc "run faulty (text) exits 0" 0
expect_match "run faulty: the faults line counts them by kind" \
	"^  faults +[1-9][0-9]*, each reset \\(.*BAD_OPCODE [0-9]+" "$out"
expect_match "run faulty: no errors" "^  errors +0 " "$out"
expect_match "run faulty: passed" "^result: PASSED, every bad command faulted as expected" "$out"
ctl run $u --workload faulty --seconds 1 --inject-fault
expect_rc "run faulty with --inject-fault is refused (exit 2)" 2 "faulty faults all the time"
ctl run --help
expect_match "run --help documents the fill workload" "--workload fill" "$out"
expect_match "run --help documents the faulty workload" "--workload faulty" "$out"

ctl run $unknown --workload gemm --seconds 1
expect_rc "run on an unknown UUID exits 4" 4 "no vGPU with UUID"
ctl run $u --workload fft --seconds 1
expect_rc "run with an unknown workload exits 2" 2 "unknown workload 'fft'"
ctl run $u --workload gemm
expect_rc "run without --seconds exits 2" 2 "--seconds"
ctl run $u --workload gemm --seconds 0
expect_rc "run --seconds 0 exits 2" 2 "0.001..3600"
ctl run $u --seconds 1
expect_rc "run without --workload exits 2" 2 "--workload"
ctl_as_nobody run $u --workload gemm --seconds 1
expect_rc "run as an unprivileged user exits 6" 6 "permission denied"
$HOLD $u >/dev/null 2>&1 &
hold=$!
wait_for is_state $u open
ctl run $u --workload gemm --seconds 1
expect_rc "run on a vGPU another client has open exits 7" 7 "in use"
kill $hold
wait $hold

# top while a workload runs: its vGPU has all of its GPU's engine time
"$M" create --type 8 --parent mvgpu0 >"$TMP/idle.uuid"
idle=$(cat "$TMP/idle.uuid")
busy0=$(cat $DEV/$u/mvgpu_stats/busy_ns)
"$M" run $u --workload gemm --seconds 8 >"$TMP/run.out" 2>&1 &
runpid=$!
check "the workload starts using engine time" \
	wait_for sh -c "[ \$(cat $DEV/$u/mvgpu_stats/busy_ns) -gt $busy0 ]"
ctl top -n 2 --json
expect_rc "top -n 2 --json during a run exits 0" 0
expect_eq "top -n 2 --json prints two lines" "2" "$(printf '%s\n' "$out" | wc -l)"
out=$(printf '%s\n' "$out" | tail -1)
export idle
jcheck "top: the running vGPU has 100% of the engine time used on mvgpu0, and is busy" \
	'[(v["share_pct"], v["busy_pct"] > 0, v["commands_per_s"] > 0) for v in j["vgpus"] if v["uuid"] == env["u"]] == [(100.0, True, True)]'
jcheck "top: the idle vGPU has none" \
	'[(v["share_pct"], v["busy_ns"]) for v in j["vgpus"] if v["uuid"] == env["idle"]] == [(0.0, 0)]'
jcheck "top: mvgpu0's engines show use, mvgpu1's none" \
	'[(g["name"], g["utilization_pct"] > 0) for g in j["gpus"]] == [("mvgpu0", True), ("mvgpu1", False)]'
wait $runpid && rc=0 || rc=$?
expect_eq "the 8 s gemm run passed" "0" "$rc"
"$M" remove $idle
"$M" remove $u
expect_eq "every vGPU removed" "0" "$(vgpu_count)"

# --- the module not loaded -----------------------------------------------------
mkdir -p "$TMP/empty"
for c in "list" "types" "create --type 4" "remove $unknown" "set $unknown weight=1" \
	"policy mvgpu0" "stats" "top -n 1" "run $unknown --workload gemm --seconds 1"; do
	# shellcheck disable=SC2086
	ctl --sysfs-root "$TMP/empty" $c
	expect_rc "$c with no module (--sysfs-root an empty dir) exits 3" 3 \
		"the mvgpu module is not loaded .*modprobe mvgpu"
done
out=$(MVGPU_SYSFS_ROOT="$TMP/empty" "$M" list 2>&1) && rc=0 || rc=$?
expect_eq "MVGPU_SYSFS_ROOT points mvgpuctl elsewhere too (exit 3)" "3" "$rc"
check "rmmod mvgpu" rmmod mvgpu
ctl list
expect_rc "list after rmmod exits 3" 3 "not loaded \\(/sys/class/mvgpu does not exist\\)"
ctl create --type 4
expect_rc "create after rmmod exits 3" 3 "not loaded"
check "insmod mvgpu again" insmod "$MVGPU_KO" num_gpus=2
ctl list
expect_rc "list works again after insmod" 0

rm -rf "$TMP"
tap_done
