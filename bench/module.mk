# Synthetic databases (bench/synth.c) for the detector evaluation, the
# size/speed benchmark (`make bench`) and the CLI tests.
SYNTH_SRCS := bench/synth.c bench/series.c
$(B)/gemsoak-synth: $(call obj,$(SYNTH_SRCS)) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)
all: $(B)/gemsoak-synth

BENCH_DAYS ?= 30
bench: $(B)/gemsoak-synth $(B)/gemsoak
	bench/detector-eval.sh
	bench/size-speed.sh $(BENCH_DAYS)
