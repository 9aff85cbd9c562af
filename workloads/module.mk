COMMON_SRCS += workloads/registry.c workloads/worker.c workloads/flink-share.c workloads/canary.c
COMMON_SRCS += workloads/context-churn.c
