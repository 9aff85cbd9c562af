COMMON_SRCS += common/log.c common/util.c
CHECK_SCRIPTS += tests/integration/build-flags.sh
