# The analysis layer (analysis/analysis.h): the verdicts' numeric kernels,
# linked into the daemon, the CLI and the unit tests.
COMMON_SRCS += analysis/stats.c analysis/floors.c analysis/period.c analysis/changepoint.c analysis/onset.c analysis/series.c \
	analysis/probe.c analysis/run.c analysis/verdicts.c analysis/units.c analysis/findings.c analysis/finding-words.c \
	analysis/finding-brief.c analysis/findings-store.c analysis/finding-origin.c \
	analysis/lows.c analysis/lows-store.c
