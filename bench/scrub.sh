#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The cost of scrubbing a 4 GiB vGPU when its last opener closes, and what
# the admin sees meanwhile: runs in the sandbox VM (bench/run starts it with
# num_gpus=2 vram_mb=4096).  A 4 GiB vGPU (mvgpu-1 on mvgpu0) is opened
# and closed by a raw VFIO client; while its VRAM is zeroed, a loop reads
# another vGPU's sysfs state and runs `mvgpuctl list`, and reports the
# slowest of each.  The scrub time comes from the vGPU's own statistic
# mvgpu/scrub_last_ns.
set -euo pipefail
big=$(cat /proc/sys/kernel/random/uuid)
small=$(cat /proc/sys/kernel/random/uuid)
echo "$big" >/sys/class/mvgpu/mvgpu0/mdev_supported_types/mvgpu-1/create
echo "$small" >/sys/class/mvgpu/mvgpu1/mdev_supported_types/mvgpu-8/create
dev=/sys/bus/mdev/devices
size=$(cat $dev/$big/mvgpu/vram_size)

python3 tests/lib/vfio_hold.py "$big" 600 >/tmp/hold.out &
hold=$!
while ! grep -q open /tmp/hold.out 2>/dev/null; do sleep 0.1; done

now_us() { local s; s=$(cat /proc/uptime); echo "${s%% *}" | awk '{ printf "%d", $1 * 1000000 }'; }
max_state=0 max_list=0 n=0
kill -TERM $hold
t_close=$(now_us)
while kill -0 $hold 2>/dev/null; do
	t0=$(date +%s%N)
	cat $dev/$small/mvgpu/state >/dev/null
	t1=$(date +%s%N)
	build/bin/mvgpuctl list >/dev/null
	t2=$(date +%s%N)
	d1=$(((t1 - t0) / 1000)); d2=$(((t2 - t1) / 1000))
	[ $d1 -gt $max_state ] && max_state=$d1
	[ $d2 -gt $max_list ] && max_list=$d2
	n=$((n + 1))
done
wait $hold || true
scrub_ns=$(cat $dev/$big/mvgpu/scrub_last_ns)
awk -v b="$size" -v ns="$scrub_ns" -v n="$n" -v ms="$max_state" -v ml="$max_list" 'BEGIN {
	printf "scrub at close: %.0f MiB in %.1f ms = %.2f GiB/s (TCG guest; native is faster)\n",
		b / 1048576, ns / 1e6, b / ns * 1e9 / 1073741824
	printf "meanwhile, %d rounds: slowest sysfs state read %.1f ms, slowest mvgpuctl list %.1f ms\n",
		n, ms / 1000, ml / 1000
}'
echo "$big" >/dev/null
echo 1 >$dev/$big/remove
echo 1 >$dev/$small/remove
