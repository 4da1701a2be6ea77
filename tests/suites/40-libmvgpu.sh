#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# libmvgpu against real vGPUs (C tests): every library call checked bit
# for bit, fences from several threads, faults and reset, ring limits and
# every error path; the management half (tests/kernel/admin_test.c).
# Then the library as a user gets it: the example of docs/api.md built
# with pkg-config against the shared library and run on a vGPU, and the
# shared library exporting exactly the public API.
# vmrun: --timeout 600
. tests/lib/tap.sh
set -o pipefail

build/tests/libmvgpu_test || true
build/tests/admin_test || true

# --- the docs/api.md example, built with pkg-config ---------------------------
work=$(mktemp -d)
sed -n '/^```c$/,/^```$/p' docs/api.md | sed -n '1,/^```$/p' | sed '1d;$d' >"$work/fill.c"
expect_match "docs/api.md has a complete example program" "int main" "$(cat "$work/fill.c")"
pc() { PKG_CONFIG_PATH=build pkg-config --define-variable=libdir="$PWD/build" \
	--define-variable=includedir="$PWD/include" "$@" libmvgpu; }
expect_eq "pkg-config knows libmvgpu's version" "1.0.0" "$(pc --modversion 2>&1)"
expect_match "pkg-config --static adds -lpthread" "-lmvgpu .*-lpthread|-lpthread.*-lmvgpu" \
	"$(pc --static --libs 2>&1)"
# shellcheck disable=SC2046
check "the example builds with pkg-config against libmvgpu.so" \
	cc -Wall -Wextra -Werror -o "$work/fill" "$work/fill.c" $(pc --cflags --libs)
expect_match "the example is linked to the shared library" "libmvgpu\.so\.1" \
	"$(LD_LIBRARY_PATH=build ldd "$work/fill" 2>&1)"

u=$(cat /proc/sys/kernel/random/uuid)
echo "$u" >/sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-4/create
out=$(LD_LIBRARY_PATH=build "$work/fill" "$u" 2>&1)
expect_match "the example fills a buffer on a vGPU and reads it back" \
	"^ok: 1048576 bytes filled, fence 1$" "$out"
out=$(LD_LIBRARY_PATH=build "$work/fill" "$(cat /proc/sys/kernel/random/uuid)" 2>&1)
expect_match "the example explains a missing vGPU" \
	"no vGPU with UUID .*: create one with mvgpuctl create or mdevctl start" "$out"
expect_eq "the vGPU is closed again after the example" "closed" \
	"$(cat /sys/bus/mdev/devices/$u/mvgpu/state)"
echo 1 >/sys/bus/mdev/devices/$u/remove

# --- the management example of docs/api.md ----------------------------------
sed -n '/^\/\* vgpus\.c:/,/^```$/p' docs/api.md | sed '$d' >"$work/vgpus.c"
expect_match "docs/api.md has a complete management example" "mvgpu_admin_usage" \
	"$(cat "$work/vgpus.c")"
# shellcheck disable=SC2046
check "the management example builds with pkg-config against libmvgpu.so" \
	cc -Wall -Wextra -Werror -o "$work/vgpus" "$work/vgpus.c" $(pc --cflags --libs)
out=$(LD_LIBRARY_PATH=build "$work/vgpus" 2>&1)
expect_match "the management example lists the GPU" "^mvgpu0: 256 MiB VRAM, 256 MiB free, 0 vGPUs$" "$out"
expect_match "the management example creates a vGPU on mvgpu0" "^created [0-9a-f-]{36} \(mvgpu-4\) on mvgpu0$" "$out"
expect_match "the management example samples rates" "^busy 0\.0%, 0 commands/s over 0\.[0-9]+ s$" "$out"
expect_match "the management example bills the removed vGPU" \
	"^bill [0-9a-f-]{36}: 0 ns of engine, 0 commands, [1-9][0-9]* byte-seconds of VRAM$" "$out"
expect_eq "the management example left no vGPU behind" "" "$(ls /sys/bus/mdev/devices)"
expect_eq "the management example acknowledged the record" "" "$(cat /sys/class/mvgpu/mvgpu0/usage)"
rm -rf "$work"

# --- exports: the MVGPU_API functions of the header, nothing else ------------
api=$(sed -n 's/^MVGPU_API [^(]*[ *]\(mvgpu_[a-z0-9_]*\)(.*/\1/p' include/libmvgpu.h \
	include/libmvgpu_admin.h | sort)
exported=$(nm -D --defined-only build/libmvgpu.so | awk '{print $3}' | sort)
expect_eq "libmvgpu.so exports exactly the MVGPU_API functions" "$api" "$exported"
expect_match "the header declares the whole API" "mvgpu_submit" "$api"
expect_eq "the soname is libmvgpu.so.1" "libmvgpu.so.1" \
	"$(objdump -p build/libmvgpu.so | awk '/SONAME/ {print $2}')"

tap_done
