# Parsers and sources: the parsers are in COMMON_SRCS so unit tests and
# fuzzers link them; collection needs the daemon's supervisor.
PARSER_SRCS := sources/batch.c sources/kept-files.c sources/gem-names.c sources/drm-clients.c \
               sources/dmabuf.c sources/meminfo.c sources/self.c
COMMON_SRCS += $(PARSER_SRCS)
DAEMON_SRCS += sources/workload-counters.c sources/table.c
PARSER_SRCS += sources/i915-objects.c sources/i915-gtt.c
COMMON_SRCS += sources/i915-objects.c sources/i915-gtt.c
PARSER_SRCS += sources/slabinfo.c sources/i915-contexts.c
COMMON_SRCS += sources/slabinfo.c sources/i915-contexts.c
PARSER_SRCS += sources/fdinfo-parse.c
COMMON_SRCS += sources/fdinfo-parse.c
DAEMON_SRCS += sources/fdinfo.c
DAEMON_SRCS += sources/i915-quiesce.c
PARSER_SRCS += sources/binder.c sources/fences.c
COMMON_SRCS += sources/binder.c sources/fences.c
PARSER_SRCS += sources/holders-parse.c
COMMON_SRCS += sources/holders-parse.c
DAEMON_SRCS += sources/holders.c
PARSER_SRCS += sources/drm-framebuffers.c
COMMON_SRCS += sources/drm-framebuffers.c
