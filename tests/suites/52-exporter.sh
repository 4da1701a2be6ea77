#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mvgpu-exporter against Debian's Prometheus: it serves /metrics (404 and
# 405 elsewhere), promtool check metrics finds no problem, Prometheus
# scrapes it on loopback every second and its HTTP API shows a vGPU's busy
# seconds rising while mvgpuctl run drives it (and an idle one's not), the
# GPU's meter totals stay monotonic when a vGPU is removed, with its usage
# record left unacknowledged; faults by kind rise by exactly a faulty run's
# counts and VRAM in use follows a client; systemd-analyze verify passes
# its unit (54-systemd runs it under systemd).
# vmrun: --timeout 300 --params num_gpus=1
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
X=$PWD/build/bin/mvgpu-exporter
TMP=$(mktemp -d)
LISTEN=127.0.0.1:9400
URL=http://$LISTEN/metrics
PROM=http://127.0.0.1:9090
xpid="" ppid="" rpid=""

cleanup() {
	local p
	for p in $rpid $ppid $xpid; do kill "$p" 2>/dev/null; done
	for p in $rpid $ppid $xpid; do wait "$p" 2>/dev/null; done
	for u in ${A:-} ${B:-}; do "$M" remove "$u" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT

wait_for() {	# TRIES CMD...: every 0.25 s
	local i n=$1
	shift
	for i in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	return 1
}

# http METHOD URL: "$code" and the body in $TMP/body
http() {
	code=$(curl -s -o "$TMP/body" -w '%{http_code}' -X "$1" "$2") || code="curl failed ($?)"
}

# sample NAME LABELS: the value of one sample in $TMP/body, or "none"
sample() {
	local want=$1
	[ -n "$2" ] && want="$1{$2}"
	awk -v want="$want" '$1 == want { print $2; found = 1 } END { if (!found) print "none" }' "$TMP/body"
}

# promq QUERY: the first result's value through Prometheus's HTTP API, or "none"
promq() {
	curl -s -G "$PROM/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)["data"]["result"]
    print(r[0]["value"][1] if r else "none")
except Exception as e:
    print("error: %r" % e)
'
}

# a > b for decimals
gt() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null; }
ge() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null; }

ip link set lo up

# --- the systemd unit, as make install writes it -------------------------------------
sed "s|@BINDIR@|$(dirname "$X")|" tools/exporter/mvgpu-exporter.service >"$TMP/mvgpu-exporter.service"
out=$(systemd-analyze verify "$TMP/mvgpu-exporter.service" 2>&1) && rc=0 || rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_result 0 "systemd-analyze verify finds no problem in the unit"
else tap_result 1 "systemd-analyze verify finds no problem in the unit" "exit $rc: $out"; fi

A=$("$M" create --type mvgpu-4 --parent mvgpu0)
B=$("$M" create --type mvgpu-4 --parent mvgpu0)
expect_match "two vGPUs created" "^[0-9a-f-]{36}$" "$A
$B"

# --- the exporter ---------------------------------------------------------------
out=$("$X" --listen 127.0.0.1:notaport 2>&1) && rc=0 || rc=$?
expect_eq "--listen with a bad port exits 2" 2 "$rc"
expect_match "--listen with a bad port says what it wants" "ADDR:PORT" "$out"

mkdir -p "$TMP/empty"
out=$("$X" --once --sysfs-root "$TMP/empty" 2>&1) && rc=0 || rc=$?
expect_eq "--once without the module exits 0" 0 "$rc"
expect_match "without the module: mvgpu_up 0" "^mvgpu_up 0$" "$out"

"$X" --listen $LISTEN 2>"$TMP/exporter.err" &
xpid=$!
if wait_for 80 curl -sf -o /dev/null $URL; then tap_result 0 "the exporter serves $URL"
else tap_result 1 "the exporter serves $URL" "$(cat "$TMP/exporter.err")"; fi

http GET $URL
expect_eq "GET /metrics is 200" 200 "$code"
cp "$TMP/body" "$TMP/first.prom"
expect_eq "mvgpu_up is 1" 1 "$(sample mvgpu_up "")"
expect_match "every family has HELP" "^# HELP mvgpu_vgpu_busy_seconds_total " "$(cat "$TMP/body")"
expect_match "every family has TYPE" "^# TYPE mvgpu_vgpu_busy_seconds_total counter$" "$(cat "$TMP/body")"
expect_match "vGPU A has its gpu, vgpu and type labels" \
	"^mvgpu_vgpu_vram_bytes\\{gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\"\\} [0-9]+$" "$(cat "$TMP/body")"
expect_eq "vGPU A's state is closed" 1 \
	"$(sample mvgpu_vgpu_state "gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\",state=\"closed\"")"
expect_eq "vGPU A's VRAM is the type's" \
	"$(cat /sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-4/mvgpu/vram_size)" \
	"$(sample mvgpu_vgpu_vram_bytes "gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\"")"
expect_eq "vGPU A's engine share is 1/4" 0.25 \
	"$(sample mvgpu_vgpu_engine_share_ratio "gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\"")"
expect_eq "the GPU's policy is a label of mvgpu_gpu_info" 1 \
	"$(sample mvgpu_gpu_info "gpu=\"mvgpu0\",backend=\"software\",policy=\"best_effort\"")"
"$M" set "$A" weight=7 >/dev/null
http GET $URL
expect_eq "a knob set with mvgpuctl shows at the next scrape" 7 \
	"$(sample mvgpu_vgpu_weight "gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\"")"

out=$(promtool check metrics <"$TMP/first.prom" 2>&1) && rc=0 || rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_result 0 "promtool check metrics finds no problem"
else tap_result 1 "promtool check metrics finds no problem" "exit $rc: $out"; fi

http GET http://$LISTEN/
expect_eq "GET / is 404" 404 "$code"
http GET http://$LISTEN/metrics/x
expect_eq "GET /metrics/x is 404" 404 "$code"
http POST $URL
expect_eq "POST /metrics is 405" 405 "$code"
hdrs=$(curl -s -o /dev/null -D - -X PUT $URL)
expect_match "PUT /metrics is 405 with Allow: GET, HEAD" "^Allow: GET, HEAD" "$(printf '%s' "$hdrs" | tr -d '\r')"

# --- Prometheus scrapes it ------------------------------------------------------
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mvgpu
    static_configs:
      - targets: ['$LISTEN']
EOF
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn 2>"$TMP/prometheus.err" &
ppid=$!
if wait_for 240 curl -sf -o /dev/null $PROM/-/ready; then tap_result 0 "Prometheus is ready"
else tap_result 1 "Prometheus is ready" "$(tail -5 "$TMP/prometheus.err")"; fi
up_ok() { [ "$(promq 'up{job="mvgpu"}')" = 1 ]; }
if wait_for 80 up_ok; then tap_result 0 "Prometheus scrapes the exporter (up == 1)"
else tap_result 1 "Prometheus scrapes the exporter (up == 1)" "$(curl -s $PROM/api/v1/targets)"; fi

busy_a="mvgpu_vgpu_busy_seconds_total{vgpu=\"$A\"}"
busy_b="mvgpu_vgpu_busy_seconds_total{vgpu=\"$B\"}"
"$M" run "$A" --workload fill --seconds 8 >"$TMP/run.out" 2>&1 &
rpid=$!
seen=()
for i in $(seq 40); do
	v=$(promq "$busy_a")
	case "$v" in none|error*) ;; *) seen+=("$v") ;; esac
	[ ${#seen[@]} -ge 4 ] && gt "${seen[-1]}" "${seen[0]}" && gt "${seen[-1]}" 0 && break
	sleep 1
done
if [ ${#seen[@]} -ge 2 ] && gt "${seen[-1]}" "${seen[0]}"; then
	tap_result 0 "Prometheus's API shows A's busy seconds rising while it runs (${seen[*]})"
else
	tap_result 1 "Prometheus's API shows A's busy seconds rising while it runs" "values seen: ${seen[*]:-none}"
fi
wait $rpid && rc=0 || rc=$?
rpid=""
expect_eq "mvgpuctl run on A passes" 0 "$rc"
expect_eq "idle vGPU B's busy seconds stay 0" 0 "$(promq "$busy_b")"
v=$(promq "rate(${busy_a}[5s])")
expect_match "PromQL rate() over A's busy seconds is a number" "^[0-9.e+-]+$" "$v"

# --- faults by kind and VRAM in use, as the kernel counts them -----------------
lb="gpu=\"mvgpu0\",vgpu=\"$B\",type=\"mvgpu-4\""
kinds="unmapped out_of_range bad_opcode bad_command dma bus_master read_only"
http GET $URL
expect_eq "B has one mvgpu_vgpu_faults_total series per kind" 7 \
	"$(grep -c "^mvgpu_vgpu_faults_total{$lb,kind=\"[a-z_]*\"} " "$TMP/body")"
expect_eq "B's vram_used is 0 while nobody has opened it" 0 \
	"$(sample mvgpu_vgpu_vram_used_bytes "$lb")"
declare -A f0
for k in $kinds; do f0[$k]=$(sample mvgpu_vgpu_faults_total "$lb,kind=\"$k\""); done
"$M" run "$B" --workload faulty --seconds 2 --json >"$TMP/faulty.json" 2>"$TMP/faulty.err" && rc=0 || rc=$?
expect_eq "mvgpuctl run --workload faulty on B passes" 0 "$rc"
http GET $URL
"$M" stats "$B" --json >"$TMP/stats.json"
for k in $kinds; do
	n=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["fault_codes"].get(sys.argv[2], 0))' \
		"$TMP/faulty.json" "${k^^}" 2>&1)
	expect_eq "exporter: B's faults of kind $k rose by the run's $n" "$((${f0[$k]} + n))" \
		"$(sample mvgpu_vgpu_faults_total "$lb,kind=\"$k\"")"
	expect_eq "library (mvgpuctl stats --json): B's faults_$k equals sysfs" \
		"$(cat /sys/bus/mdev/devices/$B/mvgpu_meter/faults_$k)" \
		"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["vgpus"][0]["meter"]["faults_" + sys.argv[2]])' "$TMP/stats.json" "$k" 2>&1)"
done
expect_eq "the kinds add up to the metered faults" \
	"$(sample mvgpu_vgpu_meter_faults_total "$lb")" \
	"$(awk -v p="mvgpu_vgpu_faults_total{$lb,kind=" 'index($1, p) == 1 { s += $2 } END { print s + 0 }' "$TMP/body")"
expect_eq "B's vram_used is back to 0 after its client closed it (scrubbed)" 0 \
	"$(sample mvgpu_vgpu_vram_used_bytes "$lb")"
# VRAM in use while a client holds B (mvgpuctl run writes its buffers)
"$M" run "$B" --workload fill --seconds 6 >"$TMP/run-b.out" 2>&1 &
rpid=$!
used_ok() {
	http GET $URL
	gt "$(sample mvgpu_vgpu_vram_used_bytes "$lb")" 0
}
if wait_for 80 used_ok; then
	tap_result 0 "B's vram_used is above 0 while mvgpuctl run uses it ($(sample mvgpu_vgpu_vram_used_bytes "$lb"))"
else
	tap_result 1 "B's vram_used is above 0 while mvgpuctl run uses it" "got $(sample mvgpu_vgpu_vram_used_bytes "$lb")"
fi
gpu_used=$(sample mvgpu_gpu_vram_used_bytes 'gpu="mvgpu0"')
if ge "$gpu_used" "$(sample mvgpu_vgpu_vram_used_bytes "$lb")"; then
	tap_result 0 "the GPU's vram_used covers B's ($gpu_used)"
else
	tap_result 1 "the GPU's vram_used covers B's" "GPU $gpu_used, B $(sample mvgpu_vgpu_vram_used_bytes "$lb")"
fi
wait $rpid && rc=0 || rc=$?
rpid=""
expect_eq "mvgpuctl run on B passes" 0 "$rc"
http GET $URL
expect_eq "B's vram_used is 0 again after the run" 0 "$(sample mvgpu_vgpu_vram_used_bytes "$lb")"
expect_eq "the GPU's vram_used is 0 with every vGPU closed" 0 \
	"$(sample mvgpu_gpu_vram_used_bytes 'gpu="mvgpu0"')"

# --- counters across a removal --------------------------------------------------
http GET $URL
before_engine=$(sample mvgpu_gpu_meter_engine_seconds_total 'gpu="mvgpu0"')
before_cmds=$(sample mvgpu_gpu_meter_commands_total 'gpu="mvgpu0"')
before_removed=$(sample mvgpu_removed_vgpus_total 'gpu="mvgpu0"')
a_cmds=$(sample mvgpu_vgpu_meter_commands_total "gpu=\"mvgpu0\",vgpu=\"$A\",type=\"mvgpu-4\"")
if gt "$a_cmds" 0; then tap_result 0 "A's metered commands are counted ($a_cmds)"
else tap_result 1 "A's metered commands are counted" "got $a_cmds"; fi
"$M" remove "$A" >/dev/null
removed=$A
A=""
http GET $URL
expect_eq "the removed vGPU's series are gone" none \
	"$(sample mvgpu_vgpu_meter_commands_total "gpu=\"mvgpu0\",vgpu=\"$removed\",type=\"mvgpu-4\"")"
after_engine=$(sample mvgpu_gpu_meter_engine_seconds_total 'gpu="mvgpu0"')
after_cmds=$(sample mvgpu_gpu_meter_commands_total 'gpu="mvgpu0"')
if ge "$after_engine" "$before_engine" && ge "$after_cmds" "$before_cmds"; then
	tap_result 0 "the GPU's meter totals do not go back when A is removed"
else
	tap_result 1 "the GPU's meter totals do not go back when A is removed" \
		"engine seconds $before_engine -> $after_engine, commands $before_cmds -> $after_cmds"
fi
expect_eq "removed vGPUs counted: one more" $((before_removed + 1)) \
	"$(sample mvgpu_removed_vgpus_total 'gpu="mvgpu0"')"
expect_eq "the removed total of commands is A's" "$a_cmds" \
	"$(sample mvgpu_removed_commands_total 'gpu="mvgpu0"')"
http GET $URL
expect_eq "a second scrape does not count the record again" $((before_removed + 1)) \
	"$(sample mvgpu_removed_vgpus_total 'gpu="mvgpu0"')"
expect_match "the exporter left A's usage record unacknowledged" "uuid=$removed " \
	"$(cat /sys/class/mvgpu/mvgpu0/usage)"
sleep 3
expect_eq "PromQL resets() of the GPU's engine seconds is 0" 0 \
	"$(promq 'resets(mvgpu_gpu_meter_engine_seconds_total{gpu="mvgpu0"}[1m])')"
expect_eq "no scrape error counted" 0 "$(sample mvgpu_exporter_scrape_errors_total "")"

# --- B's faults by kind go into its usage record -------------------------------
http GET $URL
want="" got=""
for k in $kinds; do want+="$k=$(sample mvgpu_vgpu_faults_total "$lb,kind=\"$k\"") "; done
"$M" remove "$B" >/dev/null
removed_b=$B
B=""
rec=$(grep "uuid=$removed_b " /sys/class/mvgpu/mvgpu0/usage)
for k in $kinds; do
	v=$(printf '%s\n' "$rec" | tr ' ' '\n' | sed -n "s/^faults_$k=//p")
	got+="$k=${v:-0} "
done
expect_eq "B's usage record carries its faults by kind (a kind left out is 0)" "$want" "$got"
refuse "a kind B never had (bus_master) is left out of its record" grep -q "faults_bus_master=" <<<"$rec"
http GET $URL
bad=""
for k in $kinds; do
	b=$(sed -n "s/.*\b$k=\([0-9]*\) .*/\1/p" <<<"$want")
	g=$(sample mvgpu_gpu_faults_total "gpu=\"mvgpu0\",kind=\"$k\"")
	{ [ "$g" = none ] || [ "$g" -lt "$b" ]; } && bad+="$k: GPU $g < B's $b; "
done
expect_eq "the GPU's faults by kind (mvgpu_gpu_faults_total) still hold removed B's" "" "$bad"
"$M" usage --no-ack --json >"$TMP/usage.json"
expect_eq "mvgpuctl usage --json (the library) reads the kinds from the record" "$want" \
	"$(python3 -c 'import json, sys
r = [r for r in json.load(open(sys.argv[1]))["records"] if r["uuid"] == sys.argv[2]][0]["meter"]
print("".join("%s=%d " % (k, r["faults_" + k]) for k in sys.argv[3].split()))' "$TMP/usage.json" "$removed_b" "$kinds" 2>&1)"

tap_done
