COMMON_SRCS += common/log.c common/util.c common/defaults.c common/metric-batch.c
CHECK_SCRIPTS += tests/integration/build-flags.sh
CHECK_SCRIPTS += tests/integration/build-deps.sh
CHECK_SCRIPTS += tests/integration/shellcheck.sh
CHECK_SCRIPTS += tests/integration/cppcheck.sh
