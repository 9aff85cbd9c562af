CLI_SRCS += cli/gemsoak.c
CLI_SRCS += cli/cmd-anomalies.c
