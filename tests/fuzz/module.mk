# libFuzzer targets (clang): `make fuzz` runs each for FUZZ_SECONDS;
# `make check` runs a short bounded pass (tests/integration/fuzz-short.sh).
FUZZ_TARGETS  := config gem-names clients bufinfo meminfo i915-objects i915-gtt slabinfo i915-contexts fdinfo binder fences framebuffers
FUZZ_BINS     := $(patsubst %,$(B)/fuzz/fuzz-%,$(FUZZ_TARGETS))
FUZZ_SRCS     := $(PARSER_SRCS) daemon/config.c common/util.c common/metric-batch.c workloads/registry.c \
                 workloads/context-churn.c device/i915.c device/kms.c \
                 workloads/worker.c workloads/flink-share.c workloads/canary.c \
                 device/device.c device/ioctl.c device/gem.c
FUZZ_SRCS     += device/master.c daemon/privilege.c $(WORKLOAD_CATALOG_SRCS)
FUZZ_SRCS     += device/fence.c binder/parcel.c binder/binder.c common/fork-clean.c common/spawn.c
FUZZ_CFLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS  ?= 300

fuzz_id_config := 1
fuzz_id_gem-names := 2
fuzz_id_clients := 3
fuzz_id_bufinfo := 4
fuzz_id_meminfo := 5
fuzz_id_i915-objects := 6
fuzz_id_i915-gtt := 7
fuzz_id_slabinfo := 8
fuzz_id_i915-contexts := 9
fuzz_id_fdinfo := 10
fuzz_id_binder := 11
fuzz_id_fences := 12
fuzz_id_framebuffers := 13

$(B)/fuzz/fuzz-%: tests/fuzz/fuzz-input.c $(FUZZ_SRCS)
	@mkdir -p $(dir $@)
	clang $(WARNFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(FUZZ_CFLAGS) -DFUZZ_TARGET=$(fuzz_id_$*) \
		-DGS_VERSION='"$(VERSION)"' -o $@ $^ $(ALL_LDLIBS)

fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)
