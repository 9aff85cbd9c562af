COMMON_SRCS += workloads/registry.c workloads/worker.c workloads/flink-share.c workloads/canary.c
COMMON_SRCS += workloads/promises.c workloads/share.c workloads/close-order.c workloads/race.c
COMMON_SRCS += workloads/prime-share.c workloads/self-import.c workloads/export-close-race.c
COMMON_SRCS += workloads/flink-close-race.c workloads/x-restart.c
