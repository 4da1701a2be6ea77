#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Packaging, on the host, leaving the system as it was: licence texts and
# every file's SPDX line; the kernel make builds for; make modules_install
# (into a scratch root, unsigned and signed with a throwaway key); the
# DKMS tree (dkms.conf, make dkms-source, dkms build/install/remove against
# every installed 6.1 kernel's headers, in scratch DKMS trees); make deb and
# what each package holds; the udev rules make install writes.  Prints TAP.
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

TMP=$(mktemp -d /tmp/mvgpu-packaging.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
VERSION=$(sed -n 's/^VERSION := //p' Makefile)

skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }

# --- licences --------------------------------------------------------------
for l in preferred/GPL-2.0:"Version 2, June 1991" preferred/MIT:"Permission is hereby granted, free of charge" \
	exceptions/Linux-syscall-note:"does \*not\* cover user programs"; do
	f=LICENSES/${l%%:*}
	check "$f holds the licence text" grep -q "${l#*:}" "$f"
done

# identifiers the LICENSES/ files declare valid
valid=$(sed -n 's/^Valid-License-Identifier: //p' LICENSES/preferred/* | sort -u)
exceptions=$(sed -n 's/^SPDX-Exception-Identifier: //p' LICENSES/exceptions/* | sort -u)
valid_expr() {	# an SPDX expression: every identifier and exception known?
	local w
	for w in $(echo "$1" | tr '()' '  '); do
		case $w in
		OR|AND|WITH) ;;
		*) grep -qxF -- "$w" <<<"$valid"$'\n'"$exceptions" || return 1 ;;
		esac
	done
}

# the licence each part is under (README.md, "Licences"); first match wins
expected_licence() {
	case $1 in
	include/mvgpu_uapi.h|include/mvgpu_guest_uapi.h) echo "(GPL-2.0 WITH Linux-syscall-note) OR MIT" ;;
	include/libmvgpu.h|include/libmvgpu_admin.h|lib/*|tests/unit/*|docs/api.md) echo MIT ;;
	*) echo GPL-2.0-only ;;
	esac
}

# debian/changelog, source/format and copyright have fixed formats;
# debian/copyright states the licences itself
files=$(git ls-files --cached --others --exclude-standard 2>/dev/null |
	grep -vE '^LICENSES/|^debian/(changelog|copyright|source/format)$')
[ -n "$files" ] || files=$(find . -path ./build -prune -o -path ./LICENSES -prune -o -type f -print |
	sed 's|^\./||' | grep -vE '\.(o|ko|mod|mod\.c|cmd|a|so)$|/\.|^\.git|^debian/(changelog|copyright|source/format)$')
missing="" invalid="" wrong=""
for f in $files; do
	[ -f "$f" ] || continue
	id=$(head -3 "$f" | sed -n 's/.*SPDX-License-Identifier: \(.*\)$/\1/p' | sed 's/ *\(\*\/\|-->\)$//' | head -1)
	if [ -z "$id" ]; then missing+="$f"$'\n'; continue; fi
	valid_expr "$id" || invalid+="$f: $id"$'\n'
	want=$(expected_licence "$f")
	[ "$id" = "$want" ] || wrong+="$f: $id, README says $want"$'\n'
done
expect_eq "every file has an SPDX-License-Identifier in its first lines" "" "$missing"
expect_eq "every SPDX identifier is one LICENSES/ declares" "" "$invalid"
expect_eq "every file is under the licence README.md gives its part" "" "$wrong"

# --- the kernel make builds for ---------------------------------------------
fake=$TMP/modules
for k in 6.1.0-9-amd64 6.1.0-10-amd64 6.1.0-11-amd64 6.2.0-1-amd64; do mkdir -p $fake/$k; done
for k in 6.1.0-9-amd64 6.1.0-10-amd64 6.2.0-1-amd64; do mkdir -p $fake/$k/build; done
pick() { MODULES_ROOT=$fake RUNNING=$1 tools/pick-kernel; }
expect_eq "pick-kernel: newest 6.1 by version (-10 over -9) when another kernel runs" \
	"6.1.0-10-amd64" "$(pick 6.18.44-1-amd64)"
expect_eq "pick-kernel: the running 6.1, even an older one" "6.1.0-9-amd64" "$(pick 6.1.0-9-amd64)"
expect_eq "pick-kernel: not the running 6.1 without headers (-11)" "6.1.0-10-amd64" "$(pick 6.1.0-11-amd64)"
expect_eq "pick-kernel: nothing without a 6.1" "" "$(MODULES_ROOT=$TMP/none RUNNING=6.1.0-9-amd64 tools/pick-kernel)"
out=$(MODULES_ROOT=$fake RUNNING=6.18.44-1-amd64 make -n kmod 2>&1)
expect_match "make builds for pick-kernel's choice" "-C /lib/modules/6.1.0-10-amd64/build " "$out"

# --- make modules_install ------------------------------------------------------------
KVER=$(tools/pick-kernel)
out=$(make modules_install INSTALL_MOD_PATH=$TMP/root 2>&1) && rc=0 || rc=$?
expect_eq "make modules_install INSTALL_MOD_PATH=... exits 0" 0 "$rc"
refuse "modules_install prints no signing error" grep -qiE "ssl error|sign-file" <<<"$out"
check "mvgpu.ko lands in lib/modules/$KVER/extra/" test -f $TMP/root/lib/modules/$KVER/extra/mvgpu.ko
expect_match "depmod indexed it under extra/" "^extra/mvgpu.ko:" "$(cat $TMP/root/lib/modules/$KVER/modules.dep 2>&1)"
expect_eq "without a key the module is not signed" "" "$(modinfo -F signer $TMP/root/lib/modules/$KVER/extra/mvgpu.ko 2>&1)"

openssl req -new -x509 -nodes -days 1 -newkey rsa:2048 -subj "/CN=mvgpu packaging test key/" \
	-keyout $TMP/key.pem -outform DER -out $TMP/cert.der >/dev/null 2>&1
out=$(make modules_install INSTALL_MOD_PATH=$TMP/signed MODULE_SIG_KEY=$TMP/key.pem \
	MODULE_SIG_CERT=$TMP/cert.der 2>&1) && rc=0 || rc=$?
expect_eq "make modules_install MODULE_SIG_KEY=... MODULE_SIG_CERT=... exits 0" 0 "$rc"
m=$TMP/signed/lib/modules/$KVER/extra/mvgpu.ko
expect_eq "the installed module is signed with that key, sha256" "mvgpu packaging test key sha256" \
	"$(modinfo -F signer $m 2>&1) $(modinfo -F sig_hashalgo $m 2>&1)"
out=$(make modules_install INSTALL_MOD_PATH=$TMP/nocert MODULE_SIG_KEY=$TMP/key.pem 2>&1) && rc=0 || rc=$?
expect_match "a key without MODULE_SIG_CERT is refused" "MODULE_SIG_KEY needs MODULE_SIG_CERT" "rc=$rc $out"

# --- DKMS ---------------------------------------------------------------------------------
expect_eq "dkms.conf's PACKAGE_VERSION is the Makefile's VERSION" "$VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)"
src=$TMP/src/usr/src/mvgpu-$VERSION
check "make dkms-source DESTDIR=..." make -s dkms-source DESTDIR=$TMP/src
check "the DKMS source has dkms.conf, kmod/Kbuild and the uAPI header" \
	test -f $src/dkms.conf -a -f $src/kmod/Kbuild -a -f $src/include/mvgpu_uapi.h
expect_eq "the DKMS source holds no build products" "" \
	"$(cd $src 2>/dev/null && find . -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd')"

if ! command -v dkms >/dev/null; then
	tap_result 1 "dkms is installed" "dkms not found: run make deps"
else
	usr_src_before=$(ls -d /usr/src/mvgpu-* /var/lib/dkms/mvgpu 2>/dev/null)
	kernels=$(ls -d /lib/modules/6.1.*/build 2>/dev/null | xargs -r -n1 dirname | xargs -r -n1 basename)
	[ -n "$kernels" ] || tap_result 1 "a 6.1 kernel with headers is installed" "none under /lib/modules: make deps"
	# dkms's signing key and certificate, generated by dkms, in the scratch dir
	export mok_signing_key=$TMP/mok.key mok_certificate=$TMP/mok.pub
	dk() {	# dkms on scratch trees: the system's /usr/src and /var/lib/dkms untouched
		dkms --sourcetree "$1" --dkmstree $TMP/dkms --installtree $TMP/inst "${@:2}"
	}
	mkdir -p $TMP/dkms $TMP/inst
	for k in $kernels; do
		out=$(dk $TMP/src/usr/src build -j 2 mvgpu/$VERSION -k $k 2>&1) && rc=0 || rc=$?
		tap_result $rc "dkms build mvgpu/$VERSION for $k" "$out
$(cat $TMP/dkms/mvgpu/$VERSION/build/make.log 2>/dev/null | tail -20)"
		m=$TMP/dkms/mvgpu/$VERSION/$k/$(uname -m)/module/mvgpu.ko
		expect_eq "dkms built mvgpu.ko for $k" "$k" "$(modinfo -F vermagic $m 2>&1 | cut -d' ' -f1)"
		expect_eq "dkms signed it with its key (Secure Boot)" "DKMS module signing key" "$(modinfo -F signer $m 2>&1)"
		mkdir -p $TMP/inst/$k
		if [ "$(id -u)" = 0 ]; then
			out=$(dk $TMP/src/usr/src install --no-depmod mvgpu/$VERSION -k $k 2>&1) && rc=0 || rc=$?
			tap_result $rc "dkms install mvgpu/$VERSION for $k" "$out"
			check "dkms installs it under updates/dkms/" test -f $TMP/inst/$k/updates/dkms/mvgpu.ko
		else
			skip "dkms install mvgpu/$VERSION for $k" "needs root"
		fi
	done
	out=$(dk $TMP/src/usr/src build mvgpu/$VERSION -k 6.18.0-1-amd64 2>&1) && rc=0 || rc=$?
	expect_eq "dkms skips a kernel other than 6.1 (BUILD_EXCLUSIVE, exit 77)" 77 "$rc"
	out=$(dk $TMP/src/usr/src remove mvgpu/$VERSION --all --no-depmod 2>&1) && rc=0 || rc=$?
	tap_result $rc "dkms remove mvgpu/$VERSION --all" "$out"
	expect_eq "nothing of mvgpu left in the DKMS tree" "" "$(ls $TMP/dkms)"

	# dkms add of a checkout (the committed tree) copies it where DKMS looks
	if git archive HEAD >$TMP/checkout.tar 2>/dev/null; then
		mkdir -p $TMP/checkout && tar -xf $TMP/checkout.tar -C $TMP/checkout
		out=$(dk $TMP/added add $TMP/checkout 2>&1) && rc=0 || rc=$?
		tap_result $rc "dkms add of a checkout" "$out"
		check "it copies the tree to SOURCETREE/mvgpu-$VERSION" test -f $TMP/added/mvgpu-$VERSION/kmod/Kbuild
		dk $TMP/added remove mvgpu/$VERSION --all --no-depmod >/dev/null 2>&1
	fi

	# the guest driver joins the DKMS build once guest/ has a Kbuild
	gsrc=$TMP/gsrc/usr/src/mvgpu-$VERSION
	make -s dkms-source DESTDIR=$TMP/gsrc
	if [ ! -f guest/Kbuild ]; then	# until the guest driver lands: a stand-in
		mkdir -p $gsrc/guest
		echo 'obj-m := mvgpu_guest.o' >$gsrc/guest/Kbuild
		cat >$gsrc/guest/mvgpu_guest.c <<-'C'
		// SPDX-License-Identifier: GPL-2.0-only
		#include <linux/module.h>
		MODULE_LICENSE("GPL");
		C
	fi
	k=$(echo "$kernels" | head -1)
	out=$(dk $TMP/gsrc/usr/src build -j 2 mvgpu/$VERSION -k $k 2>&1) && rc=0 || rc=$?
	tap_result $rc "dkms build with guest/ in the tree" "$out"
	expect_eq "it builds both modules" "mvgpu.ko mvgpu_guest.ko" \
		"$(ls $TMP/dkms/mvgpu/$VERSION/$k/$(uname -m)/module 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	dk $TMP/gsrc/usr/src remove mvgpu/$VERSION --all --no-depmod >/dev/null 2>&1
	expect_eq "the system's /usr/src and /var/lib/dkms are as they were" "$usr_src_before" \
		"$(ls -d /usr/src/mvgpu-* /var/lib/dkms/mvgpu 2>/dev/null)"
fi

# --- make deb ------------------------------------------------------------------------------
expect_eq "debian/changelog's version is the Makefile's VERSION" "$VERSION" \
	"$(dpkg-parsechangelog -l debian/changelog -S Version 2>&1)"
debs=$TMP/deb	# not build/deb: leave the developer's packages alone
out=$(make deb DEB_DIR=$debs 2>&1) && rc=0 || rc=$?
tap_result $rc "make deb builds the packages" "$(tail -30 <<<"$out")"
arch=$(dpkg --print-architecture)
contents() { dpkg-deb -c "$debs/$1" 2>&1 | awk '{ print $6 }' | sed 's|^\./|/|' | grep -v '/$'; }
expect_match "libmvgpu1 holds the shared library" "^/usr/lib/[^/]+/libmvgpu\.so\.$VERSION$" \
	"$(contents libmvgpu1_${VERSION}_$arch.deb)"
out=$(contents libmvgpu-dev_${VERSION}_$arch.deb)
for f in /usr/include/libmvgpu.h /usr/include/mvgpu_uapi.h "/usr/lib/[^/]+/libmvgpu\.so" \
	"/usr/lib/[^/]+/pkgconfig/libmvgpu\.pc"; do
	expect_match "libmvgpu-dev holds $f" "^$f$" "$out"
done
out=$(contents mvgpu-tools_${VERSION}_$arch.deb)
for f in /usr/bin/mvgpuctl /usr/lib/udev/rules.d/60-mvgpu.rules /usr/share/man/man1/mvgpuctl.1.gz; do
	expect_match "mvgpu-tools holds $f" "^$f$" "$out"
done
expect_match "mvgpu-tools' rules run /usr/bin/mdevctl" 'RUN\+="/usr/bin/mdevctl start-parent-mdevs' \
	"$(dpkg-deb --fsys-tarfile $debs/mvgpu-tools_${VERSION}_$arch.deb 2>&1 | tar -xO ./usr/lib/udev/rules.d/60-mvgpu.rules 2>&1)"
expect_match "mvgpu-tools creates the group mvgpu when configured" "addgroup --system --quiet mvgpu" \
	"$(dpkg-deb -I $debs/mvgpu-tools_${VERSION}_$arch.deb postinst 2>&1)"
d=$debs/mvgpu-dkms_${VERSION}_all.deb
expect_match "mvgpu-dkms depends on dkms" "^dkms" "$(dpkg-deb -f $d Depends 2>&1)"
expect_match "mvgpu-dkms has dkms add, build and install the module when configured" \
	"DKMS_NAME=mvgpu" "$(dpkg-deb -I $d postinst 2>&1)"
refuse "only mvgpu-dkms depends on dkms" \
	grep -q dkms <<<"$(for p in libmvgpu1 libmvgpu-dev mvgpu-tools; do dpkg-deb -f $debs/${p}_${VERSION}_$arch.deb Depends; done)"
if command -v dkms >/dev/null && [ -n "$kernels" ]; then
	mkdir -p $TMP/debroot && dpkg-deb -x $d $TMP/debroot
	k=$(echo "$kernels" | head -1)
	out=$(dk $TMP/debroot/usr/src build -j 2 mvgpu/$VERSION -k $k 2>&1) && rc=0 || rc=$?
	tap_result $rc "dkms builds mvgpu.ko for $k from mvgpu-dkms's /usr/src" "$out"
	dk $TMP/debroot/usr/src remove mvgpu/$VERSION --all --no-depmod >/dev/null 2>&1
fi

# --- the udev rules make install writes ---------------------------------------------------
out=$(make -s install DESTDIR=$TMP/dest PREFIX=/usr 2>&1) && rc=0 || rc=$?
expect_eq "make install DESTDIR=... PREFIX=/usr exits 0" 0 "$rc"
rules=$TMP/dest/usr/lib/udev/rules.d/60-mvgpu.rules
check "the udev rules land in /usr/lib/udev/rules.d" test -f $rules
refuse "every placeholder in the rules is filled in" grep -q @ $rules
expect_match "the rules run the mdevctl on PATH" "RUN\\+=\"$(command -v mdevctl || echo /usr/bin/mdevctl) start-parent-mdevs" \
	"$(cat $rules 2>&1)"
expect_match "the rules give the vGPUs' VFIO groups to group mvgpu" 'GROUP="mvgpu", MODE="0660"' "$(cat $rules 2>&1)"
out=$(make -s install DESTDIR=$TMP/dest2 PREFIX=/usr TENANT_GROUP=vgpu-users 2>&1)
expect_match "TENANT_GROUP names another group" 'GROUP="vgpu-users"' "$(cat $TMP/dest2/usr/lib/udev/rules.d/60-mvgpu.rules 2>&1)"

tap_done
