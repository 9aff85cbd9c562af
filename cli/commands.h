/* The gemsoak commands, one per cli/cmd-*.c file. */
#ifndef GS_CLI_COMMANDS_H
#define GS_CLI_COMMANDS_H

#include "cli/cmd.h"

extern const struct cmd_entry cmd_status, cmd_findings, cmd_trends, cmd_events, cmd_runs, cmd_compare,
	cmd_report, cmd_export, cmd_merge, cmd_anomalies, cmd_gate, cmd_kernel_check_entry,
	cmd_kernel_apply_entry, cmd_origins;

#endif
