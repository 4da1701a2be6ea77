# mvgpu top-level build.
#
#   make            build the kernel module, libmvgpu, mvgpuctl, tests, benches
#   make deps       install what is missing with apt (needs root or sudo)
#   make test       deps + build + every suite; ends with "N passed, N failed"
#   make demo       deps + build + the sandbox VM demo
#   make bench      the benchmarks, in the sandbox VM
#   make lint       checkpatch --strict on kmod/, cppcheck on userspace
#   make install    PREFIX=/usr/local DESTDIR= (library, headers, CLI, exporter,
#                   its systemd unit, man page)
#   make modules_install   mvgpu.ko into /lib/modules/$(KVER)/updates, depmod

KVER ?= $(notdir $(lastword $(sort $(wildcard /lib/modules/6.1.*-amd64))))
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
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
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNITS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCHES := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
WORKLOAD_SRCS := $(wildcard tools/workload/*.c)
WORKLOAD_OBJS := $(WORKLOAD_SRCS:%.c=$(B)/%.o)

.PHONY: all kmod lib tools tests unit benches deps test demo bench lint \
	install modules_install uninstall clean selftest-module

all: kmod selftest-module $(if $(LIB_SRCS),lib) $(if $(CTL_SRCS),tools) tests unit benches

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

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

$(B)/tests/%: tests/kernel/%.c $(TEST_COMMON_OBJS) $(WORKLOAD_OBJS) $(LIBMVGPU_A)
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

lint:
	tools/lint

install: lib tools
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

modules_install: kmod
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_DIR=updates modules_install
	depmod $(KVER)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmvgpu.so* $(DESTDIR)$(LIBDIR)/libmvgpu.a \
		$(DESTDIR)$(INCLUDEDIR)/libmvgpu.h $(DESTDIR)$(INCLUDEDIR)/mvgpu_uapi.h \
		$(DESTDIR)$(INCLUDEDIR)/libmvgpu_admin.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libmvgpu.pc $(DESTDIR)$(BINDIR)/mvgpuctl \
		$(DESTDIR)$(BINDIR)/mvgpu-exporter \
		$(DESTDIR)$(SYSTEMDUNITDIR)/mvgpu-exporter.service \
		$(DESTDIR)$(MANDIR)/man1/mvgpuctl.1

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/selftest clean
	rm -rf $(B)
