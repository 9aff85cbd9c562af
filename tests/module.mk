# Unit tests (cmocka), one binary per tests/unit/test-*.c, linked with the
# shared sources; then the test scripts (tests/run-scripts.sh).
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done

# The initramfs the real-kernel tests boot (tests/vm/): its /init and the
# script that runs the host's job, and what builds it.
VM_INIT_FILES := tests/vm/init.sh tests/vm/share-job.sh tests/vm/mkinitramfs.sh
$(B)/vm/initramfs.cpio.gz: $(B)/gemsoakd $(B)/gemsoak $(VM_INIT_FILES)
	@mkdir -p $(dir $@)
	tests/vm/mkinitramfs.sh "$$(tests/vm/fetch-kernel.sh)" $@ $(B)/gemsoakd $(B)/gemsoak /usr/bin/sqlite3
vm-initramfs: $(B)/vm/initramfs.cpio.gz

# The same with drm.ko and vgem.ko rebuilt from Debian's source, stock and
# with each seed's bug put back (kernel/bugs/), chosen at boot with
# gs.modules=NAME, and virtio_gpu for a second real driver
# (tests/integration/vm-seeds.sh).
BUG_PATCHES := $(wildcard kernel/bugs/[0-9][0-9][0-9]-*.patch)
$(B)/vm/initramfs-bugs.cpio.gz: $(B)/gemsoakd $(B)/gemsoak $(VM_INIT_FILES) \
		kernel/bugs/build-modules.sh $(BUG_PATCHES)
	@mkdir -p $(dir $@)
	variants=$$(kernel/bugs/build-modules.sh | sed 's/ /=/') && \
	GS_INITRAMFS_MODULES=virtio-gpu GS_INITRAMFS_VARIANTS="$$variants" \
		tests/vm/mkinitramfs.sh "$$(tests/vm/fetch-kernel.sh)" $@ $(B)/gemsoakd $(B)/gemsoak /usr/bin/sqlite3
vm-initramfs: $(B)/vm/initramfs-bugs.cpio.gz

# The same with valgrind's memcheck, for tests/integration/vm-valgrind.sh;
# kept apart from the image the other tests boot. memcheck needs ld.so's
# symbols, which Debian ships apart (libc6-dbg), found by build id.
VALGRIND_FILES := $(addprefix /usr/libexec/valgrind/,memcheck-amd64-linux \
	vgpreload_core-amd64-linux.so vgpreload_memcheck-amd64-linux.so default.supp)
$(B)/vm/initramfs-valgrind.cpio.gz: $(B)/gemsoakd $(VM_INIT_FILES)
	@mkdir -p $(dir $@)
	id=$$(readelf -n /lib64/ld-linux-x86-64.so.2 | awk '/Build ID/ { print $$3 }'); \
	ldso_debug=/usr/lib/debug/.build-id/$$(echo $$id | cut -c1-2)/$$(echo $$id | cut -c3-).debug; \
	GS_INITRAMFS_FILES="$(VALGRIND_FILES) $$ldso_debug" tests/vm/mkinitramfs.sh "$$(tests/vm/fetch-kernel.sh)" \
		$@ $(B)/gemsoakd /usr/bin/sqlite3 /usr/bin/valgrind.bin
vm-initramfs: $(B)/vm/initramfs-valgrind.cpio.gz

# The unit tests and gemsoakd built with ASan and UBSan (build/asan/).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
unit-sanitize:
	$(MAKE) B=$(B)/asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" unit $(B)/asan/gemsoakd

# Longer fault injection than make check does (issue-sized numbers:
# SOAK_KILLS daemon SIGKILLs, SOAK_FAULTS worker faults).
SOAK_KILLS  ?= 500
SOAK_FAULTS ?= 10000
soak-faults: all vm-initramfs
	CRASH_KILLS=$(SOAK_KILLS) GS_FAULTS=$(SOAK_FAULTS) tests/run-scripts.sh \
		tests/integration/vm-crash-safety.sh tests/integration/vm-fault-storm.sh
.PHONY: soak-faults

# The display-stack VM (tests/vm-display/): the positive control's helper
# and weston's launcher.
$(B)/vm-display/gs-%: tests/vm-display/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARNFLAGS) -D_GNU_SOURCE $(PKG_CFLAGS) $(CFLAGS) -o $@ $<
vm-display-tools: $(B)/vm-display/gs-fb-keeper $(B)/vm-display/gs-weston-launch
.PHONY: vm-display-tools

# The test scripts of this area, in the order `make check` runs them.
CHECK_SCRIPTS += tests/integration/config-errors.sh
CHECK_SCRIPTS += tests/integration/model-verdicts.sh
CHECK_SCRIPTS += tests/integration/model-probe.sh
CHECK_SCRIPTS += tests/integration/model-findings.sh
CHECK_SCRIPTS += tests/integration/model-findings-prime.sh
CHECK_SCRIPTS += tests/integration/model-rate.sh
CHECK_SCRIPTS += tests/integration/model-fdinfo.sh
CHECK_SCRIPTS += tests/integration/bench-cleanup.sh
CHECK_SCRIPTS += tests/integration/synth-rollups.sh
CHECK_SCRIPTS += tests/integration/model-proc-walk.sh
CHECK_SCRIPTS += tests/integration/model-x-restart.sh
CHECK_SCRIPTS += tests/integration/corpus-replay.sh
CHECK_SCRIPTS += tests/integration/vm-flink-share.sh
CHECK_SCRIPTS += tests/integration/vm-canary.sh
CHECK_SCRIPTS += tests/integration/vm-worker-restart.sh
CHECK_SCRIPTS += tests/integration/vm-disk-full.sh
CHECK_SCRIPTS += tests/integration/vm-store-readonly.sh
CHECK_SCRIPTS += tests/integration/vm-crash-safety.sh
CHECK_SCRIPTS += tests/integration/vm-process-group.sh
CHECK_SCRIPTS += tests/integration/vm-valgrind.sh
CHECK_SCRIPTS += tests/integration/vm-store-locks.sh
CHECK_SCRIPTS += tests/integration/vm-user.sh
CHECK_SCRIPTS += tests/integration/vm-fault-storm.sh
CHECK_SCRIPTS += tests/integration/vm-store-removed.sh
CHECK_SCRIPTS += tests/integration/vm-buffer-queue.sh
CHECK_SCRIPTS += tests/integration/vm-buffer-queue-late.sh
CHECK_SCRIPTS += tests/integration/model-buffer-queue-refused.sh
CHECK_SCRIPTS += tests/integration/sanitizers.sh
CHECK_SCRIPTS += tests/integration/fuzz-short.sh
CHECK_SCRIPTS += tests/integration/vm-workloads.sh
CHECK_SCRIPTS += tests/integration/vm-anomalies.sh
CHECK_SCRIPTS += tests/integration/workload-docs.sh
CHECK_SCRIPTS += tests/integration/metric-docs.sh
CHECK_SCRIPTS += tests/integration/vm-xorg.sh

# The corpus replay (tests/corpus/): a recorded run judged by the engine
# round by round.
$(B)/tests/gemsoak-replay: $(B)/obj/tests/corpus/replay.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
all: $(B)/tests/gemsoak-replay
