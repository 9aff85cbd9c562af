COMMON_SRCS += daemon/config.c daemon/config-dir.c daemon/reload-plan.c daemon/backlog.c daemon/privilege.c daemon/leak-guard.c
DAEMON_SRCS += daemon/reload.c
DAEMON_SRCS += daemon/main.c daemon/server.c daemon/supervisor.c daemon/worker.c daemon/sampler.c
DAEMON_SRCS += daemon/run-continue.c daemon/retention.c
CHECK_SCRIPTS += tests/integration/vm-run-continuation.sh
CHECK_SCRIPTS += tests/integration/leak-guard.sh
CHECK_SCRIPTS += tests/integration/run-continuation.sh
CHECK_SCRIPTS += tests/integration/daemon-signals.sh
