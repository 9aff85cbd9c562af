# `make bench`: throughput against the raw-ioctl limit, observation cost
# and footprint on the real kernel (VM), store and query speed on the
# host (bench/run.sh: table on stdout and in docs/PERFORMANCE.md); the
# detector evaluation and the size/speed of a generated month of data.
BENCH_BINS := $(B)/bench/raw-flink $(B)/bench/raw-prime $(B)/bench/hold-objects $(B)/bench/hold-fds $(B)/bench/store-bench

$(B)/bench/%: $(B)/obj/bench/%.o $(B)/obj/bench/bench-device.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Synthetic databases (bench/synth.c) for the detector evaluation, the
# size/speed benchmark and the CLI tests.
SYNTH_SRCS := bench/synth.c bench/series.c bench/rollup-writer.c
$(B)/gemsoak-synth: $(call obj,$(SYNTH_SRCS)) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
all: $(B)/gemsoak-synth

# The parsers of the files a leak grows, at 10,000 and 40,000 rows.
$(B)/bench/parse-bench: $(B)/obj/bench/parse-bench.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

BENCH_DAYS ?= 30
BENCH_ENGINE_DAYS ?= 11h 1 7 30 90
bench: deps
	$(MAKE) all vm-initramfs model $(BENCH_BINS) $(B)/bench/parse-bench $(B)/bench/engine-bench
	@mkdir -p $(B)/bench
	$(B)/bench/parse-bench
	bench/detector-eval.sh > $(B)/bench/detector.txt; s=$$?; cat $(B)/bench/detector.txt; exit $$s
	bench/size-speed.sh $(BENCH_DAYS) > $(B)/bench/size-speed.txt; s=$$?; cat $(B)/bench/size-speed.txt; exit $$s
	bench/engine.sh $(BENCH_ENGINE_DAYS) > $(B)/bench/engine.txt; s=$$?; cat $(B)/bench/engine.txt; exit $$s
	@BENCH_DAYS=$(BENCH_DAYS) bench/run.sh

# The stored verdicts (leak_trends) against a full judgement now, on any databases.
$(B)/bench/verdict-diff: $(B)/obj/bench/verdict-diff.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
all: $(B)/bench/verdict-diff

# The engine's cost on a generated run (bench/engine.sh, `make bench`).
$(B)/bench/engine-bench: $(B)/obj/bench/engine-bench.o $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
all: $(B)/bench/engine-bench
