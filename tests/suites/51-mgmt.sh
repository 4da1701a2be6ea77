#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mvgpuctl's management commands over libmvgpu's management half: --parent
# filters, --json from the commands that change things, help --help, the
# meter in stats, usage records that survive removal and are acknowledged
# once, snapshot as a --sysfs-root, the VM name of a QEMU owner, and run
# on a vGPU removed under it.
# vmrun: --timeout 600 --params num_gpus=2
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
DEV=/sys/bus/mdev/devices
CLS=/sys/class/mvgpu
TMP=$(mktemp -d)

ctl() {
	out=$("$M" "$@" 2>"$TMP/err") && rc=0 || rc=$?
	err=$(cat "$TMP/err")
}

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

# jcheck NAME PYTHON-EXPR: $out is JSON (j) and EXPR holds
jcheck() {
	local res
	res=$(printf '%s' "$out" | python3 -c '
import json, os, sys
def rd(p):
    with open(p) as f:
        return f.read().strip()
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

wait_for() {
	local i
	for i in $(seq 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
is_state() { [ "$(cat $DEV/$1/mvgpu/state 2>/dev/null)" = "$2" ]; }
has_commands() { [ "$(cat $DEV/$1/mvgpu_stats/commands 2>/dev/null)" -gt 0 ] 2>/dev/null; }
# a removal has reached mvgpu: the GPU counts the vGPU's VRAM as releasing
is_releasing() { [ "$(cat $CLS/$1/vram_releasing 2>/dev/null)" -gt 0 ] 2>/dev/null; }

# --- help ---------------------------------------------------------------------
ctl help --help
expect_rc "help --help exits 0" 0
expect_match "help --help explains help" "^usage: mvgpuctl help \\[COMMAND\\]" "$out"
ctl --help
expect_match "--help: exit 6 covers run, as the man page" "^  6  permission denied: changing anything \\(and opening a vGPU for$" "$out"
expect_match "--help: exit 7 covers run, bind and unbind, as the man page" \
	"^  7  the vGPU is open by a client \\(remove --no-wait, run\\); bind: another$" "$out"
for c in usage snapshot; do
	expect_match "--help lists the $c command" "^  $c " "$out"
done

# --- two GPUs, a vGPU on each -----------------------------------------------------
ctl create --type mvgpu-4 --parent mvgpu0
u0=$out
ctl create --type mvgpu-8 --parent mvgpu1
u1=$out
export u0 u1
check "two vGPUs made" test -d "$DEV/$u0" -a -d "$DEV/$u1"

ctl list --parent mvgpu1
expect_rc "list --parent exits 0" 0
expect_match "list --parent mvgpu1 shows mvgpu1" "^mvgpu1 +software" "$out"
refuse "list --parent mvgpu1 leaves mvgpu0 out" grep -q "^mvgpu0 " <<<"$out"
expect_match "list --parent mvgpu1 shows its vGPU" "^$u1 +mvgpu-8 +mvgpu1 " "$out"
refuse "list --parent mvgpu1 leaves the other vGPU out" grep -q "^$u0" <<<"$out"
ctl list --parent 1 --json
jcheck "list --parent --json: one GPU, its vGPU" \
	'[g["name"] for g in j["gpus"]] == ["mvgpu1"] and [v["uuid"] for v in j["vgpus"]] == [env["u1"]]'
ctl list --parent mvgpu7
expect_rc "list --parent of an unknown GPU exits 4" 4 "no GPU named 'mvgpu7'"

ctl stats --parent mvgpu0 --json
jcheck "stats --parent --json: that GPU's vGPU with its meter, as sysfs" \
	'[v["uuid"] for v in j["vgpus"]] == [env["u0"]] and
	 sorted(j["vgpus"][0]["meter"]) == sorted(os.listdir("/sys/bus/mdev/devices/%s/mvgpu_meter" % env["u0"])) and
	 j["vgpus"][0]["meter"]["vram_byte_s"] > 0 and j["vgpus"][0]["meter"]["commands"] == 0'
ctl stats "$u0"
expect_match "stats shows the meter" "^  VRAM held +[0-9]+ byte-seconds$" "$out"

# --- --json from the commands that change things -------------------------------
ctl set "$u0" weight=7 --json
expect_rc "set --json exits 0" 0
jcheck "set --json says it worked" 'j == {"command": "set", "ok": True, "uuid": env["u0"]}'
expect_eq "set --json did set" "7" "$(cat $DEV/$u0/mvgpu/weight)"
ctl policy mvgpu1 equal_share --timeslice 0.5 --json
jcheck "policy --json shows what it set" \
	'j == {"gpu": "mvgpu1", "scheduler": "equal_share", "timeslice_us": 500}'
ctl policy mvgpu1 best_effort --timeslice 10
expect_rc "policy back to best_effort" 0

# --- snapshot -------------------------------------------------------------------
ctl list
live=$out
ctl snapshot "$TMP/snap"
expect_rc "snapshot exits 0" 0
expect_match "snapshot says what it copied" "2 GPUs and 2 vGPUs copied to" "$out"
check "the snapshot keeps mdev_type a link" test -L "$TMP/snap/bus/mdev/devices/$u0/mdev_type"
ctl --sysfs-root "$TMP/snap" list
expect_rc "list on the snapshot exits 0" 0
expect_eq "list on the snapshot equals the live list" "$live" "$out"
ctl --sysfs-root "$TMP/snap" stats "$u1" --json
jcheck "stats on the snapshot: the vGPU's counters" \
	'j["vgpus"][0]["uuid"] == env["u1"] and j["vgpus"][0]["stats"]["commands"] == 0'
cp -rL "$TMP/snap" "$TMP/snap2" 2>/dev/null
ctl --sysfs-root "$TMP/snap2" list --json
jcheck "a cp -rL copy of a snapshot still names each vGPU's type" \
	'sorted(v["type"] for v in j["vgpus"]) == ["mvgpu-4", "mvgpu-8"]'

# --- the VM name of a QEMU owner ------------------------------------------------
python3 -c '
import ctypes, runpy, sys
ctypes.CDLL(None).prctl(15, b"qemu-system-x86", 0, 0, 0)
sys.argv = ["vfio_hold.py", sys.argv[1], "600"]
runpy.run_path("tests/lib/vfio_hold.py", run_name="__main__")
' "$u1" -name guest=tenant-a,debug-threads=on >"$TMP/hold.out" 2>&1 &
hold=$!
check "a QEMU-like client opens the vGPU" wait_for is_state "$u1" open
ctl list
expect_match "list names the VM of a QEMU owner" "^$u1 +mvgpu-8 +mvgpu1 +open +$hold qemu-system-x86 \\(VM tenant-a\\) " "$out"
ctl list --json
jcheck "list --json: the owner's vm" \
	'[v["owner"] for v in j["vgpus"] if v["uuid"] == env["u1"]] == [{"pid": '"$hold"', "comm": "qemu-system-x86", "vm": "tenant-a"}]'
ctl stats "$u1"
expect_match "stats names the VM" "open by qemu-system-x86 \\(pid $hold, VM tenant-a\\)" "$out"
kill $hold
wait $hold 2>/dev/null

# --- usage: records survive removal, are acknowledged once ---------------------
"$M" usage >/dev/null 2>&1	# start from none
ctl remove "$u1" --json
expect_rc "remove --json exits 0" 0
jcheck "remove --json says it worked" 'j == {"command": "remove", "ok": True, "uuid": env["u1"]}'
ctl usage --no-ack --json
jcheck "usage --json: its meter, VRAM held > 0, nothing acknowledged" \
	'[(r["uuid"], r["gpu"], r["type"]) for r in j["records"]] == [(env["u1"], "mvgpu1", "mvgpu-8")] and
	 j["records"][0]["meter"]["vram_byte_s"] > 0 and j["acknowledged"] is False'
ctl usage
expect_rc "usage exits 0" 0
expect_match "usage prints the record" "^mvgpu1 +[0-9]+ +$u1 +mvgpu-8 " "$out"
ctl usage
expect_match "usage acknowledged it: the next run has none" "^No usage records" "$out"
expect_eq "and the kernel dropped it" "" "$(cat $CLS/mvgpu1/usage)"

# --- run on a vGPU removed under it ------------------------------------------
# No race with the end of the run: it has --seconds to spare, the removal is
# seen to have begun (the vGPU left the bus, its attributes with it, and
# mvgpu counts its VRAM as releasing while remove waits for the client) and
# only then is run told to stop (SIGINT), so it always reads its counters
# after they went.
"$M" run "$u0" --workload fill --seconds 600 >"$TMP/run.out" 2>"$TMP/run.err" &
run=$!
check "run opened the vGPU" wait_for is_state "$u0" open
check "run's commands complete" wait_for has_commands "$u0"
"$M" remove "$u0" >"$TMP/rm.out" 2>"$TMP/rm.err" &
remover=$!
check "remove of the vGPU run holds begins: its VRAM is releasing" wait_for is_releasing mvgpu0
check "and the vGPU left the bus" test ! -e "$DEV/$u0"
check "and it waits for the client" kill -0 $remover
kill -INT $run
wait $run
rc=$?
out=$(cat "$TMP/run.out")
err=$(cat "$TMP/run.err")
expect_rc "run whose vGPU was removed exits 4" 4 "was removed during the run: its counters went with it"
wait $remover
rc=$?
out=$(cat "$TMP/rm.out")
err=$(cat "$TMP/rm.err")
expect_rc "remove of the vGPU run holds exits 0 once run closed it" 0
expect_eq "and its VRAM was released" 0 "$(cat $CLS/mvgpu0/vram_releasing)"
ctl usage --json
jcheck "its work is in its usage record: nothing lost" \
	'[r["uuid"] for r in j["records"]] == [env["u0"]] and j["records"][0]["meter"]["commands"] > 0 and
	 j["records"][0]["meter"]["engine_ns"] > 0'

rm -rf "$TMP"
tap_done
