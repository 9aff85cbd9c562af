COMMON_SRCS += common/log.c common/util.c common/defaults.c
CHECK_SCRIPTS += tests/integration/build-flags.sh
