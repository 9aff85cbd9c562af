# Unit tests (cmocka), one binary per tests/unit/test-*.c, linked with the
# shared sources; then the test scripts (tests/run-scripts.sh).
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do $$t; done

# The initramfs the real-kernel tests boot (tests/vm/).
$(B)/vm/initramfs.cpio.gz: $(B)/gemsoakd tests/vm/init.sh tests/vm/mkinitramfs.sh
	@mkdir -p $(dir $@)
	tests/vm/mkinitramfs.sh "$$(tests/vm/fetch-kernel.sh)" $@ $(B)/gemsoakd
vm-initramfs: $(B)/vm/initramfs.cpio.gz

CHECK_SCRIPTS += tests/integration/config-errors.sh
CHECK_SCRIPTS += tests/integration/vm-flink-share.sh
CHECK_SCRIPTS += tests/integration/vm-canary.sh
CHECK_SCRIPTS += tests/integration/vm-worker-restart.sh
CHECK_SCRIPTS += tests/integration/vm-disk-full.sh
CHECK_SCRIPTS += tests/integration/vm-crash-safety.sh

# The unit tests and gemsoakd built with ASan and UBSan (build/asan/).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
unit-sanitize:
	$(MAKE) B=$(B)/asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" unit $(B)/asan/gemsoakd

CHECK_SCRIPTS += tests/integration/sanitizers.sh
CHECK_SCRIPTS += tests/integration/fuzz-short.sh
CHECK_SCRIPTS += tests/integration/vm-workloads.sh
CHECK_SCRIPTS += tests/integration/vm-anomalies.sh
CHECK_SCRIPTS += tests/integration/workload-docs.sh
