# `make bench`: throughput against the raw-ioctl limit, observation cost
# and footprint on the real kernel (VM), store and query speed on the
# host; the table goes to stdout and docs/PERFORMANCE.md (bench/run.sh).
BENCH_BINS := $(B)/bench/raw-flink $(B)/bench/hold-objects $(B)/bench/store-bench

$(B)/bench/%: $(B)/obj/bench/%.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

bench: deps
	$(MAKE) all vm-initramfs $(BENCH_BINS)
	@bench/run.sh
