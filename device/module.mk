COMMON_SRCS += device/device.c device/gem.c
