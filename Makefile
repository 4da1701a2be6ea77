# SPDX-License-Identifier: GPL-2.0-only
# mvgpu top-level build.
#
#   make            build the kernel modules (host, guest), libmvgpu, mvgpuctl, tests, benches
#   make deps       install what is missing with apt (needs root or sudo)
#   make test       deps + build + every suite; ends with "N passed, N failed"
#   make demo       deps + build + the sandbox VM demo
#   make bench      the benchmarks, in the sandbox VM
#   make soak       fuzzer + race storm for SOAK_SECONDS (default 300), not in CI
#   make lint       checkpatch --strict on kmod/ guest/, no mutual calls between
#                   kmod/ files (tools/kmod-calls), cppcheck on userspace
#   make install    PREFIX=/usr/local DESTDIR= (library, headers, CLI, exporter,
#                   its systemd unit, man page, udev rules; without DESTDIR
#                   also the tenant group)
#   make modules_install   mvgpu.ko into /lib/modules/$(KVER)/extra, depmod;
#                   signed when MODULE_SIG_KEY and MODULE_SIG_CERT are given
#   make dkms-source       the module sources for DKMS, into
#                   $(DESTDIR)/usr/src/mvgpu-$(VERSION)
#   make deb        Debian packages (debian/) built from a copy of the tree,
#                   into build/deb/
#
# KVER: the running kernel when it is a 6.1 with headers, else the newest
# installed 6.1 by version order (tools/pick-kernel).

VERSION := 1.0.0
ifeq ($(origin KVER),undefined)
KVER := $(shell tools/pick-kernel)
endif
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# udev reads rules from /usr/local/lib/udev and /usr/lib/udev, not other prefixes
UDEVDIR ?= $(PREFIX)/lib/udev
MDEVCTL ?= $(or $(shell command -v mdevctl),/usr/bin/mdevctl)
TENANT_GROUP ?= mvgpu
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

B := build
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -D_GNU_SOURCE -Iinclude \
	-Itools/workload
LDLIBS_UUID := -luuid

SOVERSION := 1
LIBVERSION := 1.0.0

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
LIB_PIC_OBJS := $(LIB_SRCS:%.c=$(B)/pic/%.o)

CTL_SRCS := $(wildcard tools/mvgpuctl/*.c)
CTL_OBJS := $(CTL_SRCS:%.c=$(B)/%.o)

EXPORTER_SRCS := $(wildcard tools/exporter/*.c)
EXPORTER_OBJS := $(EXPORTER_SRCS:%.c=$(B)/%.o)
EXPORTER_METRICS_OBJ := $(B)/tools/exporter/metrics.o
LDLIBS_MHD := -lmicrohttpd

TEST_COMMON_SRCS := $(wildcard tests/common/*.c)
TEST_COMMON_OBJS := $(TEST_COMMON_SRCS:%.c=$(B)/%.o)
KTEST_SRCS := $(wildcard tests/kernel/*_test.c)
KTESTS := $(KTEST_SRCS:tests/kernel/%.c=$(B)/tests/%)
CONF_SRCS := $(wildcard tests/conformance/*_test.c)
KTESTS += $(CONF_SRCS:tests/conformance/%.c=$(B)/tests/%)
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNITS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCHES := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
WORKLOAD_SRCS := $(wildcard tools/workload/*.c)
WORKLOAD_OBJS := $(WORKLOAD_SRCS:%.c=$(B)/%.o)

.PHONY: all kmod guest guest-tests lib tools tests unit benches deps test demo bench soak lint \
	install install-udev modules_install dkms-source deb uninstall clean selftest-module

all: kmod guest selftest-module $(if $(LIB_SRCS),lib) $(if $(CTL_SRCS),tools) tests unit benches \
	guest-tests

kmod:
	@test -n "$(KVER)" || { echo "no Debian 6.1 kernel headers under /lib/modules: make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

# the guest driver, for the same Debian kernel (the nested guest runs it)
guest:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/guest modules

selftest-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/selftest modules

lib: $(B)/libmvgpu.so $(B)/libmvgpu.a $(B)/libmvgpu.pc

$(B)/%.o: %.c $(wildcard include/*.h lib/*.h tests/common/*.h tools/mvgpuctl/*.h tools/workload/*.h tools/exporter/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/pic/%.o: %.c $(wildcard include/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(B)/libmvgpu.so.$(LIBVERSION): $(LIB_PIC_OBJS)
	$(CC) -shared -Wl,-soname,libmvgpu.so.$(SOVERSION) -o $@ $^ -lpthread

$(B)/libmvgpu.so: $(B)/libmvgpu.so.$(LIBVERSION)
	ln -sf libmvgpu.so.$(LIBVERSION) $(B)/libmvgpu.so.$(SOVERSION)
	ln -sf libmvgpu.so.$(LIBVERSION) $@

$(B)/libmvgpu.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIBVERSION)|'

$(B)/libmvgpu.pc: lib/libmvgpu.pc.in
	@mkdir -p $(B)
	$(PC_SED) $< >$@

tools: $(B)/bin/mvgpuctl $(B)/bin/mvgpu-exporter

# static link: the CLI works wherever it is copied, inside the VM included
$(B)/bin/mvgpuctl: $(CTL_OBJS) $(WORKLOAD_OBJS) $(B)/libmvgpu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(CTL_OBJS) $(WORKLOAD_OBJS) $(B)/libmvgpu.a -lpthread -lm

# libmvgpu static, libmicrohttpd from the system
$(B)/bin/mvgpu-exporter: $(EXPORTER_OBJS) $(B)/libmvgpu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(EXPORTER_OBJS) $(B)/libmvgpu.a $(LDLIBS_MHD) -lpthread

tests: $(KTESTS)

LIBMVGPU_A := $(if $(LIB_SRCS),$(B)/libmvgpu.a)

# programs for the nested guest's initramfs (tests/suites/80-guest.sh):
# static, so they need nothing from the guest but its kernel
GUEST_TEST_SRCS := $(wildcard tests/guest/*_test.c)
GUEST_TESTS := $(GUEST_TEST_SRCS:tests/guest/%.c=$(B)/guest/%)
guest-tests: $(GUEST_TESTS) $(if $(CTL_SRCS),$(B)/guest/mvgpuctl) \
	$(B)/guest/guest_bench

$(B)/guest/guest_bench: bench/guest_bench.c $(LIBMVGPU_A) $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $< $(LIBMVGPU_A) -lpthread

$(B)/guest/mvgpuctl: $(CTL_OBJS) $(WORKLOAD_OBJS) $(B)/libmvgpu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(CTL_OBJS) $(WORKLOAD_OBJS) $(B)/libmvgpu.a -lpthread -lm

$(B)/guest/%: tests/guest/%.c $(LIBMVGPU_A) $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $< $(LIBMVGPU_A) -lpthread

$(B)/tests/%: tests/kernel/%.c $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/common -o $@ $< $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A) \
		-lcmocka $(LDLIBS_UUID) -lpthread -lm

# the backend conformance test (tests/conformance/, docs/backend.md)
$(B)/tests/%: tests/conformance/%.c $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/common -o $@ $< $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A) \
		-lcmocka $(LDLIBS_UUID) -lpthread -lm

unit: $(UNITS)

# unit tests compile the library sources in, to reach its internals
$(B)/unit/%: tests/unit/%.c $(LIB_SRCS) $(wildcard lib/*.h include/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib -o $@ $< $(LIB_SRCS) -lcmocka -lpthread

benches: $(BENCHES)

# the exporter's scrape against a fake sysfs tree: no kernel needed
$(B)/bench/exporter_bench: bench/exporter_bench.c $(EXPORTER_METRICS_OBJ) $(B)/libmvgpu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools/exporter -o $@ $< $(EXPORTER_METRICS_OBJ) $(B)/libmvgpu.a -lpthread

$(B)/bench/%: bench/%.c $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/common -o $@ $< $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A) \
		-lcmocka $(LDLIBS_UUID) -lpthread -lm

deps:
	@tools/install-deps

test: deps
	$(MAKE) all
	tests/run-all

demo: deps
	$(MAKE) all
	tools/demo/run

bench: deps
	$(MAKE) all
	bench/run

SOAK_SECONDS ?= 300
soak: deps
	$(MAKE) all
	tests/vm/vmrun --timeout $$(($(SOAK_SECONDS) + 600)) -- SOAK_SECONDS=$(SOAK_SECONDS) tests/soak.sh

lint: kmod
	tools/lint

install: lib tools install-udev
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/libmvgpu.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libmvgpu.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/libmvgpu.so.$(SOVERSION)
	ln -sf libmvgpu.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/libmvgpu.so
	install -m 0644 $(B)/libmvgpu.a $(DESTDIR)$(LIBDIR)/
	install -m 0644 include/libmvgpu.h include/libmvgpu_admin.h \
		include/mvgpu_uapi.h $(DESTDIR)$(INCLUDEDIR)/
	$(PC_SED) lib/libmvgpu.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/libmvgpu.pc
	install -m 0755 $(B)/bin/mvgpuctl $(B)/bin/mvgpu-exporter $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|' tools/exporter/mvgpu-exporter.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/mvgpu-exporter.service
	install -m 0644 docs/mvgpuctl.1 $(DESTDIR)$(MANDIR)/man1/

UDEV_SED = sed -e 's|@MDEVCTL@|$(MDEVCTL)|g' -e 's|@GROUP@|$(TENANT_GROUP)|g'

# The rules, and without DESTDIR the tenant group they name (udev ignores
# a GROUP= it cannot resolve) and a reload of the running udevd
install-udev:
	install -d $(DESTDIR)$(UDEVDIR)/rules.d
	$(UDEV_SED) udev/60-mvgpu.rules.in >$(DESTDIR)$(UDEVDIR)/rules.d/60-mvgpu.rules
ifeq ($(DESTDIR),)
	getent group $(TENANT_GROUP) >/dev/null || groupadd --system $(TENANT_GROUP)
	udevadm control --reload 2>/dev/null || true
endif

# Modules and where they go: kbuild's place for external modules, extra/.
# Kbuild's own modules_install would sign with the kernel's build key,
# which a distribution's headers do not ship (sign-file SSL errors), so the
# files are installed here and signed with the key given, if any.
# (the guest driver joins here, guest/mvgpu_guest.ko, with its build target)
KMODS := kmod/mvgpu.ko
INSTALL_MOD_PATH ?=
MOD_DIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra
MODULE_SIG_KEY ?=
MODULE_SIG_CERT ?=
SIGN_FILE ?= $(KDIR)/scripts/sign-file
SIG_HASH = $(or $(shell sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' $(KDIR)/.config 2>/dev/null),sha256)

modules_install: kmod
	install -d $(MOD_DIR)
	install -m 0644 $(KMODS) $(MOD_DIR)/
ifneq ($(MODULE_SIG_KEY),)
	@test -n "$(MODULE_SIG_CERT)" || { echo "MODULE_SIG_KEY needs MODULE_SIG_CERT" >&2; exit 1; }
	for m in $(notdir $(KMODS)); do \
		$(SIGN_FILE) $(SIG_HASH) $(MODULE_SIG_KEY) $(MODULE_SIG_CERT) $(MOD_DIR)/$$m || exit 1; \
	done
endif
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

# What a -dkms package ships in /usr/src/mvgpu-VERSION: dkms.conf and the
# module sources (guest/ too, once it exists)
DKMS_SRC = $(DESTDIR)/usr/src/mvgpu-$(VERSION)
DKMS_FILES = dkms.conf kmod/Kbuild $(wildcard kmod/*.c kmod/*.h) include/mvgpu_uapi.h \
	$(wildcard include/mvgpu_guest_uapi.h) \
	$(wildcard guest/Kbuild guest/*.c guest/*.h) $(wildcard LICENSES/*/*)

dkms-source:
	rm -rf $(DKMS_SRC)
	for f in $(filter-out %.mod.c,$(DKMS_FILES)); do \
		install -D -m 0644 $$f $(DKMS_SRC)/$$f || exit 1; \
	done

# dpkg-buildpackage writes next to the tree it builds, so build a clean copy
DEB_DIR ?= $(B)/deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/mvgpu-$(VERSION)
	tar -c --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' \
		--exclude=Module.symvers --exclude=modules.order . | \
		tar -x -C $(DEB_DIR)/mvgpu-$(VERSION)
	cd $(DEB_DIR)/mvgpu-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls $(DEB_DIR)/*.deb

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmvgpu.so* $(DESTDIR)$(LIBDIR)/libmvgpu.a \
		$(DESTDIR)$(INCLUDEDIR)/libmvgpu.h $(DESTDIR)$(INCLUDEDIR)/mvgpu_uapi.h \
		$(DESTDIR)$(INCLUDEDIR)/libmvgpu_admin.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libmvgpu.pc $(DESTDIR)$(BINDIR)/mvgpuctl \
		$(DESTDIR)$(BINDIR)/mvgpu-exporter \
		$(DESTDIR)$(SYSTEMDUNITDIR)/mvgpu-exporter.service \
		$(DESTDIR)$(MANDIR)/man1/mvgpuctl.1 $(DESTDIR)$(UDEVDIR)/rules.d/60-mvgpu.rules

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/guest clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/selftest clean
	rm -rf $(B)
