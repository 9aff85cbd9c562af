COMMON_SRCS += workloads/registry.c workloads/worker.c workloads/flink-share.c workloads/canary.c
# The buffer-sharing catalog and its helpers (also linked into the fuzz targets).
WORKLOAD_CATALOG_SRCS := workloads/fd-pass.c workloads/layout.c workloads/prng.c
WORKLOAD_CATALOG_SRCS += workloads/promises.c workloads/close-order.c \
	workloads/race.c workloads/prime-share.c workloads/self-import.c \
	workloads/export-close-race.c workloads/flink-close-race.c workloads/x-restart.c \
	workloads/display-server.c workloads/child.c
WORKLOAD_CATALOG_SRCS += workloads/buffer-queue.c workloads/bq-allocator.c workloads/bq-producer.c \
	workloads/bq-consumer.c workloads/bq-fences.c workloads/bq-binder.c
COMMON_SRCS += $(WORKLOAD_CATALOG_SRCS)
COMMON_SRCS += workloads/context-churn.c
