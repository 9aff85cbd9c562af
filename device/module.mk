COMMON_SRCS += device/ioctl.c device/gem.c
COMMON_SRCS += device/master.c
COMMON_SRCS += device/i915.c
COMMON_SRCS += device/kms.c
COMMON_SRCS += device/fence.c
COMMON_SRCS += device/device.c
CHECK_SCRIPTS += tests/integration/device-layers.sh
