#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Trap and fault path of mvgpu next to the kernel's own mdev samples, in
# one sandbox VM boot (bench/run): mtty (a serial port) and mbochs (a
# display with a 64 MiB memory BAR), built from Debian's linux-source-6.1
# by bench/build-samples into build/samples/.  Without them only mvgpu is
# measured.  Every figure is a ratio to something measured in the same
# run: trap ops over a 4-byte pread of /dev/zero, first touch over
# anonymous memory; the absolute numbers are for the record.
set -euo pipefail
rows=()
cls=/sys/class/mdev_bus
if [ -f build/samples/mtty.ko ] && insmod build/samples/mtty.ko 2>/dev/null; then
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >$cls/mtty/mdev_supported_types/mtty-1/create
	# BAR0 (the UART's I/O ports) at offset 4, no VRAM
	out=$(build/bench/trap_bench mtty "$u" 0 4 -1)
	printf '%s\n' "$out" | grep -v '^ROW'
	rows+=("$(printf '%s\n' "$out" | grep '^ROW')")
	echo 1 >/sys/bus/mdev/devices/$u/remove
	rmmod mtty
fi
if [ -f build/samples/mbochs.ko ] && insmod build/samples/mbochs.ko 2>/dev/null; then
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >$cls/mbochs/mdev_supported_types/mbochs-large/create
	# the MMIO BAR (BAR2) at offset 0, the 64 MiB memory BAR (BAR0)
	out=$(build/bench/trap_bench mbochs "$u" 2 0 0)
	printf '%s\n' "$out" | grep -v '^ROW'
	rows+=("$(printf '%s\n' "$out" | grep '^ROW')")
	echo 1 >/sys/bus/mdev/devices/$u/remove
	rmmod mbochs
fi
out=$(build/bench/trap_bench)
printf '%s\n' "$out" | grep -v '^ROW'
rows+=("$(printf '%s\n' "$out" | grep '^ROW')")

echo
echo "Side by side (x floor: ops/s over 4-byte preads of /dev/zero in the same run)"
printf '%-8s %9s %9s %12s %12s %10s %9s %11s %11s %12s\n' "device" "cfg rd" "BAR rd" "BAR wr+rd" \
	"touch pg/s" "BAR ms" "pg/fault" "touch/anon" "memcpy/anon" "floor ops/s"
for r in "${rows[@]}"; do
	# shellcheck disable=SC2086
	set -- $r
	printf '%-8s %9s %9s %12s %12s %10s %9s %11s %11s %12s\n' "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "${11}"
done
