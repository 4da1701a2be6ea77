# SPDX-License-Identifier: GPL-2.0-only
# Nested guests for tests/suites/80-guest.sh and bench/guest_run (sourced).
# Needs $work (a directory not under /tmp) holding initrd.gz from
# tests/guest/mkinitramfs.
#
#   guest_start NAME "UUID..." APPEND [QEMU-ARG...]   sets $qemu_pid
#   guest_wait_for NAME PATTERN COUNT SECONDS         console shows PATTERN
#   guest_say NAME LINE                               to its 2nd serial port
#   guest_qmp NAME COMMAND                            one QMP command
guest_kver=$(basename "$(ls -d /lib/modules/6.1.*-amd64 | sort -V | tail -1)")
qemu_pid=

guest_start() {
	local name=$1 uuids=$2 append=$3 u
	local devs=()
	shift 3
	for u in $uuids; do
		devs+=(-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$u")
	done
	: >"$work/$name.console"
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 512 -smp 1 \
		-nodefaults -display none -vga none -no-user-config \
		-kernel "/boot/vmlinuz-$guest_kver" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 $append" \
		-serial "file:$work/$name.console" \
		-serial "unix:$work/$name.ctl,server=on,wait=off" \
		-qmp "unix:$work/$name.qmp,server=on,wait=off" \
		"$@" "${devs[@]}" 2>"$work/$name.err" &
	qemu_pid=$!
}

guest_wait_for() {
	local i
	for ((i = 0; i < $4; i++)); do
		[ "$(tr -d '\r' <"$work/$1.console" | grep -c "$2")" -ge "$3" ] && return 0
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 1
	done
	return 1
}

guest_say() {
	python3 - "$work/$1.ctl" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
s.close()
PY
}

guest_qmp() {
	python3 - "$work/$1.qmp" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ("qmp_capabilities", sys.argv[2]):
    f.write(json.dumps({"execute": cmd}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            break
print(json.dumps(r))
PY
}
