#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Containers through CDI: mvgpuctl cdi writes a spec that names every vGPU
# with its device nodes and MVGPU_UUID; Debian's podman (crun, no registry:
# an image imported from a tarball holding mvgpuctl and its libraries)
# runs mvgpuctl run on the vGPU it was given, with no UUID on the command
# line, and that container cannot open another vGPU.
# The sandbox has no cgroup file system mounted and no systemd: the suite
# mounts cgroup2 and runs podman with cgroupfs, the file events backend and
# the vfs storage driver in a temporary directory (overlay on the guest's
# overlay root is refused).
# vmrun: --timeout 300 --params num_gpus=1
. tests/lib/tap.sh
set -o pipefail

M=$PWD/build/bin/mvgpuctl
TMP=$(mktemp -d)
SPEC=/etc/cdi/mvgpu.json
IMG=localhost/mvgpu-cdi-test
P=(podman --root "$TMP/store" --runroot "$TMP/run" --storage-driver vfs
   --cgroup-manager cgroupfs --events-backend file --runtime crun)

cleanup() {
	for u in ${A:-} ${B:-}; do "$M" remove "$u" >/dev/null 2>&1; done
	rm -f "$SPEC"
	rm -rf "$TMP"
}
trap cleanup EXIT

# pod ARGS...: podman run --rm --network none ARGS; sets $out and $rc
pod() {
	out=$("${P[@]}" run --rm --network none "$@" 2>&1) && rc=0 || rc=$?
}

A=$("$M" create --type mvgpu-4 --parent mvgpu0)
B=$("$M" create --type mvgpu-4 --parent mvgpu0)
expect_match "two vGPUs created" "^[0-9a-f-]{36}$" "$A
$B"

# --- the spec ---------------------------------------------------------------------
mkdir -p /etc/cdi
out=$("$M" cdi --output $SPEC 2>&1) && rc=0 || rc=$?
expect_eq "cdi --output exits 0" 0 "$rc"
expect_eq "cdi --output leaves no temporary file" "" "$(ls /etc/cdi/*.tmp 2>/dev/null)"
expect_eq "cdi prints the same spec it writes" "$(cat $SPEC)" "$("$M" cdi)"
res=$(A=$A B=$B python3 - $SPEC <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
want = {}
for u in (os.environ["A"], os.environ["B"]):
    grp = os.path.basename(os.readlink("/sys/bus/mdev/devices/%s/iommu_group" % u))
    want[u] = grp
errs = []
if s.get("cdiVersion") != "0.5.0": errs.append("cdiVersion %r" % s.get("cdiVersion"))
if s.get("kind") != "mvgpu.org/vgpu": errs.append("kind %r" % s.get("kind"))
common = [n["path"] for n in s["containerEdits"]["deviceNodes"]]
if common != ["/dev/vfio/vfio"]: errs.append("common nodes %r" % common)
devs = {d["name"]: d["containerEdits"] for d in s["devices"]}
if sorted(devs) != sorted(want): errs.append("devices %r, want %r" % (sorted(devs), sorted(want)))
for u, grp in want.items():
    e = devs.get(u, {})
    nodes = [n["path"] for n in e.get("deviceNodes", [])]
    if nodes != ["/dev/vfio/" + grp]: errs.append("%s: nodes %r, want /dev/vfio/%s" % (u, nodes, grp))
    if e.get("env") != ["MVGPU_UUID=" + u]: errs.append("%s: env %r" % (u, e.get("env")))
    for p in nodes + common:
        if not os.path.exists(p): errs.append("%s does not exist" % p)
print("; ".join(errs) if errs else "ok")
EOF
)
expect_eq "the spec is JSON naming each vGPU with its group's node and MVGPU_UUID" ok "$res"

# --- podman -----------------------------------------------------------------------
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
R=$TMP/rootfs
mkdir -p "$R"/usr/bin "$R"/proc "$R"/sys "$R"/dev "$R"/tmp "$R"/etc
cp "$M" "$R"/usr/bin/
for lib in $(ldd "$M" | grep -o '/[^ ]*'); do
	mkdir -p "$R$(dirname "$lib")"
	cp -L "$lib" "$R$lib"
done
tar -C "$R" -cf "$TMP/image.tar" .
out=$("${P[@]}" import "$TMP/image.tar" $IMG 2>&1) && rc=0 || rc=$?
expect_eq "podman imports the image from a tarball" 0 "$rc"

pod --device "mvgpu.org/vgpu=$A" $IMG /usr/bin/mvgpuctl run --workload gemm --seconds 1
expect_eq "podman run --device mvgpu.org/vgpu=A: mvgpuctl run gemm passes" 0 "$rc"
expect_match "it ran on A, named by MVGPU_UUID only" "^run: gemm on $A " "$out"
expect_match "every result matched" "^result: PASSED" "$out"

pod --device "mvgpu.org/vgpu=$A" $IMG /usr/bin/mvgpuctl run "$B" --workload gemm --seconds 1
if [ "$rc" != 0 ]; then tap_result 0 "the container given A cannot open B"
else tap_result 1 "the container given A cannot open B" "exit 0: $out"; fi
expect_match "and says B's group is not in the container" "does not exist here" "$out"

pod --device "mvgpu.org/vgpu=$B" $IMG /usr/bin/mvgpuctl run --workload copy --seconds 1
expect_eq "a container given B runs copy on B" 0 "$rc"
expect_match "it ran on B" "^run: copy on $B " "$out"

pod $IMG /usr/bin/mvgpuctl run --workload gemm --seconds 1
if [ "$rc" = 2 ]; then tap_result 0 "without a vGPU, run in a container exits 2"
else tap_result 1 "without a vGPU, run in a container exits 2" "exit $rc: $out"; fi

pod --device "mvgpu.org/vgpu=00000000-0000-4000-8000-000000000000" $IMG /usr/bin/mvgpuctl list
if [ "$rc" != 0 ]; then tap_result 0 "podman refuses a vGPU the spec does not name"
else tap_result 1 "podman refuses a vGPU the spec does not name" "exit 0: $out"; fi

tap_done
