#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VRAM paths of a PCI-backed vGPU beside a software one, in one
# sandbox VM boot with a bochs-display (bench/run: vmrun --bochs 1).  The
# same mvgpu-8 vGPU benchmark (build/bench/trap_bench) runs on the
# software GPU and on the bochs GPU: first touch of the whole VRAM BAR
# (faults of the fault handler, with fault-around) and memcpy into the
# mapped BAR, each a ratio to anonymous memory measured in the same
# process; then the bochs figures over the software ones.  A bochs vGPU's
# mapping is the device's BAR, write-combining; the software GPU's is host
# pages.  Under TCG the "device" is guest RAM to QEMU, so these ratios show
# mvgpu's own cost of the PCI path (PFN mappings, I/O memory helpers), not
# what a real GPU's aperture would give.
set -euo pipefail
M=build/bin/mvgpuctl
addr=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x1111 ] && { addr=$(basename "$d"); break; }
done
[ -n "$addr" ] || { echo "bench/pci.sh: no bochs-display (vmrun --bochs 1)" >&2; exit 1; }
"$M" bind "$addr"

soft=$(MVGPU_BENCH_NAME=software build/bench/trap_bench)
printf '%s\n' "$soft" | grep -v '^ROW'
pci=$(MVGPU_BENCH_NAME=bochs MVGPU_TEST_PARENT=$addr build/bench/trap_bench)
printf '%s\n' "$pci" | grep -v '^ROW'
"$M" unbind "$addr"

echo
echo "VRAM of an mvgpu-8 vGPU (32 MiB), software GPU and bochs-display GPU side by side"
printf '%-9s %12s %9s %9s %11s %11s\n' backend "touch pg/s" "BAR ms" pg/fault touch/anon memcpy/anon
for out in "$soft" "$pci"; do
	# ROW name cfg bar wr touch ms pg/fault touch_x cp_x floor
	# shellcheck disable=SC2046
	set -- $(printf '%s\n' "$out" | grep '^ROW')
	printf '%-9s %12s %9s %9s %11s %11s\n' "$2" "$6" "$7" "$8" "$9" "${10}"
done
# shellcheck disable=SC2046
set -- $(printf '%s\n' "$soft" | grep '^ROW') $(printf '%s\n' "$pci" | grep '^ROW')
awk -v st="$6" -v sc="${10}" -v pt="${17}" -v pc="${21}" 'BEGIN {
	printf "bochs / software: first touch pages/s %.2f, memcpy into VRAM (each over anonymous memory) %.2f\n",
	       pt / st, pc / sc }'
