/* Parsers for the fences source (sources/fences.c), pure for unit tests
 * and fuzzers. */
#ifndef GS_FENCES_PARSE_H
#define GS_FENCES_PARSE_H

#include <stdint.h>

/* debugfs dma_buf/bufinfo since 5.19 (dma_resv_describe): one
 * "\t<usage> fence:<driver> <timeline> seq N [un]signalled" line per
 * fence in a buffer's reservation object. Counts them and the
 * unsignalled ones; -EINVAL without the "Total N objects" line. */
int parse_bufinfo_fences(const char *text, uint64_t *fences, uint64_t *unsignalled);

/* What an open fd is: FD_DRM only from what names the device
 * (sources/proc-walk.c). */
enum fd_kind { FD_OTHER, FD_DMABUF, FD_SYNC_FILE, FD_DRM };
/* The kind its /proc/PID/fd link names: a dma-buf ("/dmabuf:NAME", or
 * "anon_inode:dmabuf" before 5.3's dma-buf filesystem), a sync_file, or
 * FD_OTHER. */
enum fd_kind fd_link_kind(const char *link);

#endif
