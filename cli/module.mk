CLI_SRCS += cli/gemsoak.c cli/args.c
CLI_SRCS += cli/cmd-anomalies.c
CLI_SRCS += cli/cli.c cli/judge.c cli/daemon-state.c cli/cmd-status.c cli/cmd-trends.c cli/cmd-gate.c cli/cmd-events.c cli/cmd-runs.c
CLI_SRCS += cli/cmd-compare.c
CLI_SRCS += cli/cmd-report.c cli/plot.c
CLI_SRCS += cli/cmd-findings.c cli/findings.c
# Plots are drawn with cairo (only the CLI links it).
$(B)/obj/cli/plot.o: override CFLAGS += $(shell $(PKG_CONFIG) --cflags cairo fontconfig 2>/dev/null)
$(B)/gemsoak: override LDLIBS += $(shell $(PKG_CONFIG) --libs cairo fontconfig 2>/dev/null) -lm
CLI_SRCS += cli/cmd-export.c cli/prometheus.c cli/cmd-merge.c cli/output.c cli/format.c
CHECK_SCRIPTS += tests/integration/cli.sh
CHECK_SCRIPTS += tests/integration/report-browser.sh
CHECK_SCRIPTS += tests/integration/gate.sh
CHECK_SCRIPTS += tests/integration/cli-conventions.sh
CHECK_SCRIPTS += tests/integration/cli-signals.sh
$(B)/tests/test-cli-args: $(B)/obj/cli/args.o
CHECK_SCRIPTS += tests/integration/merge.sh
CLI_SRCS += cli/cmd-origins.c cli/origins.c
