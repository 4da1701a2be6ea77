#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make soak: hostile tenants for a while, then proof that nothing was lost.
# Runs inside the sandbox VM (see the Makefile's soak target):
#   SOAK_SECONDS (default 300) of rounds, each a fuzz run with a new seed,
#   the racing lifecycle test and the stalled-DMA / hostile-tenant tests
#   (one after the other: each cleans up every vGPU when it ends); then
#   every vGPU is removed and the kernel's slab and free
#   memory are compared with the start.  The harness then unloads the
#   module and fails the run on any kernel warning.
set -u
secs=${SOAK_SECONDS:-300}
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
free_kb() { awk '/^MemFree:/ { print $2 }' /proc/meminfo; }
settle() { sync; echo 3 >/proc/sys/vm/drop_caches; sleep 1; }

settle
slab0=$(slab_kb) free0=$(free_kb)
end=$(($(date +%s) + secs))
round=0 bad=0
while [ "$(date +%s)" -lt "$end" ]; do
	round=$((round + 1))
	seed=$((RANDOM * 32768 + RANDOM))
	MVGPU_FUZZ_SEED=$seed MVGPU_FUZZ_ITERATIONS=20000 build/tests/fuzz_test >/tmp/fuzz.log 2>&1
	fr=$?
	build/tests/race_test >/tmp/race.log 2>&1
	rr=$?
	build/tests/hardening_test >/tmp/hard.log 2>&1
	h=$?
	echo "# round $round: fuzz seed $seed exit $fr, race exit $rr, hardening exit $h"
	if [ $fr != 0 ] || [ $rr != 0 ] || [ $h != 0 ]; then
		bad=$((bad + 1))
		grep -h "not ok\|ERROR\|error" /tmp/fuzz.log /tmp/race.log /tmp/hard.log | head -5
	fi
done
for d in /sys/bus/mdev/devices/*; do
	[ -e "$d/remove" ] && echo 1 >"$d/remove"
done
settle
slab1=$(slab_kb) free1=$(free_kb)
left=$(ls /sys/bus/mdev/devices | wc -l)
echo "1..3"
[ $bad = 0 ] && echo "ok 1 - $round rounds, none failed" || echo "not ok 1 - $bad of $round rounds failed"
[ "$left" = 0 ] && echo "ok 2 - every vGPU removed" || echo "not ok 2 - $left vGPUs left"
# slab may grow a little (caches of the VFS and VFIO); a leak per call grows with the run
if [ $((slab1 - slab0)) -lt 4096 ]; then
	echo "ok 3 - slab $slab0 -> $slab1 kB, free memory $free0 -> $free1 kB"
else
	echo "not ok 3 - slab grew from $slab0 to $slab1 kB (free $free0 -> $free1 kB)"
fi
