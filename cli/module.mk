CLI_SRCS += cli/gemsoak.c
