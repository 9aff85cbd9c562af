# The kernel model (test infrastructure): gs-model-server, the LD_PRELOAD
# shim that sends a device's ioctls to it, and the direct seed tests.
MODEL_CORE_SRCS := tests/model/state.c tests/model/objects.c tests/model/flink.c \
                   tests/model/prime.c tests/model/i915.c tests/model/debugfs.c \
                   tests/model/hotplug.c
MODEL_SRCS := tests/model/model-server.c $(MODEL_CORE_SRCS)
MODEL_SERVER := $(B)/tests/gs-model-server
MODEL_SHIM   := $(B)/tests/gs-model-shim.so

$(MODEL_SERVER): $(call obj,$(MODEL_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread

$(B)/obj/pic/tests/model/%.o: tests/model/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(MODEL_SHIM): $(B)/obj/pic/tests/model/shim.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^ -ldl

.PHONY: model
model: $(MODEL_SERVER) $(MODEL_SHIM)

# The direct seed tests: run under the shim by tests/integration/model-seeds.sh.
$(B)/tests/gs-model-seeds: $(B)/obj/tests/model/test-seeds.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

model: $(B)/tests/gs-model-seeds

# igt's leak and race sequences: run under the shim by tests/integration/model-igt.sh.
$(B)/tests/gs-model-igt: $(B)/obj/tests/model/test-igt.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

model: $(B)/tests/gs-model-igt

# A process that is not a worker keeping objects on a DRM file of its own.
$(B)/tests/gs-model-holder: $(B)/obj/tests/model/holder.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

model: $(B)/tests/gs-model-holder
CHECK_SCRIPTS += tests/integration/model-igt.sh
CHECK_SCRIPTS += tests/integration/model-seeds.sh
CHECK_SCRIPTS += tests/integration/model-device-vanish.sh
CHECK_SCRIPTS += tests/integration/model-ioctl-faults.sh

# The model's rules, one sequence at a time, in a cmocka test.
$(B)/tests/test-model: $(call obj,$(MODEL_CORE_SRCS))
