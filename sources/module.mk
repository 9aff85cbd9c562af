# Sources. The parsers, each with its collect function, are in COMMON_SRCS
# so unit tests and fuzzers link them; so are the walk over procfs and the
# sources that use it (sources/proc-walk.c), and the workload counters' source,
# which reads only the workers view. The table of sources and the sources
# only the daemon's sampler runs are in DAEMON_SRCS.
PARSER_SRCS := sources/batch.c sources/kept-files.c sources/gem-names.c sources/drm-clients.c \
               sources/dmabuf.c sources/meminfo.c sources/self.c \
               sources/i915-objects.c sources/i915-gtt.c sources/slabinfo.c sources/i915-contexts.c \
               sources/fdinfo-parse.c sources/binder.c sources/fences.c sources/holders-parse.c \
               sources/drm-framebuffers.c sources/drop-caches.c sources/proc-walk.c sources/fdinfo.c sources/holders.c
COMMON_SRCS += $(PARSER_SRCS)
COMMON_SRCS += sources/workload-counters.c
DAEMON_SRCS += sources/table.c sources/i915-quiesce.c
# The origins of live objects, traced with BPF (bpf/): the daemon links
# libbpf; the symbolizer is pure and unit-tested.
COMMON_SRCS += sources/kallsyms.c
DAEMON_SRCS += sources/origins.c
CHECK_SCRIPTS += tests/integration/model-origins.sh tests/integration/vm-origins.sh
