# The binder client (not DRM: /dev/binder), beside device/ on the layer
# above the kernel; device/device.c probes it for GS_CAP_BINDER.
COMMON_SRCS += binder/parcel.c binder/binder.c
