COMMON_SRCS += common/log.c common/util.c common/defaults.c common/metric-batch.c common/about.c common/config-files.c common/fork-clean.c common/spawn.c common/origin-rows.c
CHECK_SCRIPTS += tests/integration/build-flags.sh
CHECK_SCRIPTS += tests/integration/build-deps.sh
CHECK_SCRIPTS += tests/integration/shellcheck.sh
CHECK_SCRIPTS += tests/integration/cppcheck.sh
