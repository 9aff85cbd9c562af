# gemsoak — soak tester for DRM/GEM buffer-sharing leaks.
#
#   make            build gemsoakd and gemsoak into build/
#   make check      the whole test suite (installs its Debian packages first)
#   make check-quick  the contributor's loop: unit and host model tests, no root
#   make demo       run the daemon on a real kernel and print leak_trends
#   make soak       a soak of hours on the real kernel (CONFIG= HOURS= DB=)
#   make install    PREFIX=/usr/local DESTDIR=
#
# One non-recursive Makefile; each area adds its sources and tests through
# a small fragment (*/module.mk) so the data flow stays visible in the tree.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
DATADIR     ?= $(PREFIX)/share/gemsoak
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
DESTDIR     ?=

B           := build
VERSION     := 0.1.0
CC          ?= cc
PKG_CONFIG  ?= pkg-config
PKGS        := libevent libdrm sqlite3 inih libsystemd
# Libraries only gemsoakd links (the origins source's BPF loader).
DAEMON_PKGS := libbpf

CFLAGS      ?= -O2 -g
WARNFLAGS   := -std=c11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
               -Wstrict-prototypes -Wmissing-prototypes
PKG_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(PKGS) $(DAEMON_PKGS) 2>/dev/null)
PKG_LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS   = $(WARNFLAGS) -D_GNU_SOURCE -I. -I$(B)/gen $(PKG_CFLAGS) $(CFLAGS) \
               -DGS_DATADIR='"$(DATADIR)"' -DGS_VERSION='"$(VERSION)"' -MMD -MP
ALL_LDLIBS   = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

# The first goal, so plain `make` builds the programs (its prerequisites
# are given below, once every module has added its sources).
all:

# Sources shared by the daemon, the CLI and the tests.
COMMON_SRCS :=
# gemsoakd only (its main() lives in daemon/main.c).
DAEMON_SRCS :=
# gemsoak CLI only (its main() lives in cli/gemsoak.c).
CLI_SRCS    :=
# Scripts `make check` runs after the unit tests; each must exit 0.
CHECK_SCRIPTS :=
# Generated C files (embedded SQL).
GEN_SRCS    :=

include common/module.mk
include device/module.mk
include binder/module.mk
include workloads/module.mk
include sources/module.mk
include bpf/module.mk
include db/module.mk
include analysis/module.mk
include daemon/module.mk
include cli/module.mk
include kernel/module.mk
include systemd/module.mk

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

COMMON_OBJS := $(call obj,$(COMMON_SRCS) $(GEN_SRCS))
DAEMON_OBJS := $(call obj,$(DAEMON_SRCS))
CLI_OBJS    := $(call obj,$(CLI_SRCS))

# Tests link the objects above, so they come last.
include tests/module.mk
include tests/fuzz/module.mk
include bench/module.mk
.SECONDARY:

.PHONY: all deps build-deps check check-quick demo soak install uninstall clean bench unit vm-initramfs
all: $(B)/gemsoakd $(B)/gemsoak

# Before compiling anything: are the compiler and the PKGS there? If not,
# tools/build-deps.sh names the Debian packages and how to install them.
build-deps:
	@PKG_CONFIG="$(PKG_CONFIG)" CC="$(CC)" BPF_CLANG="$(BPF_CLANG)" BPFTOOL="$(BPFTOOL)" \
		tools/build-deps.sh $(PKGS) $(DAEMON_PKGS)

$(B)/obj/%.o: %.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/$(B)/gen/%.o: $(B)/gen/%.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/gemsoakd: $(DAEMON_OBJS) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS) 2>/dev/null)

# The CLI links the shared objects as an archive, so it gets only what it
# uses (not the daemon's config reader, workload registry or device checks).
$(B)/libgemsoak.a: $(COMMON_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/gemsoak: $(CLI_OBJS) $(B)/libgemsoak.a
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Debian packages the build, the tests and the demo need; installs only
# what is missing (apt-get update first), so it is cheap when all is there.
deps:
	@tools/install-deps.sh

# The scripts run two at a time (CHECK_JOBS); those in CHECK_ALONE with
# nothing beside them: they load both CPUs (the fuzzers, the ASan build,
# two guests at once) or judge how fast the guest leaks. Everything a
# script builds is built first, so that no two makes race.
CHECK_JOBS ?= 2
CHECK_ALONE := tests/integration/build-flags.sh tests/integration/vm-seeds.sh \
	tests/integration/vm-leak-guard.sh tests/integration/sanitizers.sh \
	tests/integration/fuzz-short.sh
# The longest start first, so that the two lanes end together.
CHECK_FIRST := $(CHECK_ALONE) tests/integration/vm-xorg.sh tests/integration/vm-systemd.sh \
	tests/integration/vm-buffer-queue.sh tests/integration/model-probe.sh \
	tests/integration/model-verdicts.sh tests/integration/vm-crash-safety.sh \
	tests/integration/vm-valgrind.sh tests/integration/vm-process-group.sh
check: deps
	$(MAKE) all unit vm-initramfs vm-display-tools model $(BENCH_BINS) $(B)/gemsoak-synth
	@JOBS=$(CHECK_JOBS) ALONE="$(CHECK_ALONE)" tests/run-scripts.sh \
		$(filter $(CHECK_SCRIPTS),$(CHECK_FIRST)) $(filter-out $(CHECK_FIRST),$(CHECK_SCRIPTS))

# The loop a contributor runs: no root, no apt, no VM, a few minutes on
# two cores. The build, the unit tests, the static checks and the kernel
# model's host tests (gs-model-igt's sequences once, not three times);
# each script is also in CHECK_SCRIPTS, which CI runs whole.
CHECK_QUICK_SCRIPTS := tests/integration/device-layers.sh tests/integration/build-deps.sh \
	tests/integration/shellcheck.sh tests/integration/cppcheck.sh \
	tests/integration/config-errors.sh tests/integration/workload-docs.sh \
	tests/integration/metric-docs.sh \
	tests/integration/model-igt.sh tests/integration/model-seeds.sh \
	tests/integration/model-ioctl-faults.sh tests/integration/model-store-refused.sh \
	tests/integration/model-device-vanish.sh tests/integration/model-origins.sh
check-quick:
	$(MAKE) all unit model
	@RUNS=1 tests/run-scripts.sh $(CHECK_QUICK_SCRIPTS)

# The demo: on the host when it has a DRM device with GEM, else under qemu.
# BUG=NNN: on the real kernel with seed NNN's bug put back (kernel/bugs/).
ifneq ($(BUG),)
CONFIG  ?= configs/seeds.conf
endif
CONFIG  ?= configs/demo.conf
SECONDS ?= 120
DB      ?= $(B)/demo.db
# tools/demo.sh installs the packages and builds itself, one line each.
demo:
	+@BUG="$(BUG)" tools/demo.sh "$(CONFIG)" "$(SECONDS)" "$(DB)"

# make soak CONFIG=FILE HOURS=N [BUG=NNN] [LATE=FILE LATE_AFTER=MIN] DB=FILE:
# a soak of hours on the real kernel under qemu (tools/soak.sh); a config
# with a real display server (display-server `server =`) in the display-stack VM.
HOURS ?= 2
soak: deps
	$(MAKE) all
	@BUG="$(BUG)" LATE="$(LATE)" LATE_AFTER="$(LATE_AFTER)" tools/soak.sh "$(CONFIG)" "$(HOURS)" "$(DB)"

clean:
	rm -rf $(B)/obj $(B)/gen $(B)/gemsoakd $(B)/gemsoak $(B)/libgemsoak.a $(B)/tests $(B)/vm

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
include tests/model/module.mk
