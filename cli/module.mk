CLI_SRCS += cli/gemsoak.c
CLI_SRCS += cli/cli.c cli/cmd-status.c cli/cmd-trends.c cli/cmd-events.c cli/cmd-runs.c
CLI_SRCS += cli/cmd-compare.c
