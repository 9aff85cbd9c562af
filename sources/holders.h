/* Who holds the buffers (sources/holders.c): parsers for the per-buffer
 * rows of gem_names and dma_buf/bufinfo, pure so tests can feed them. */
#ifndef GS_SOURCES_HOLDERS_H
#define GS_SOURCES_HOLDERS_H

#include <stddef.h>
#include <stdint.h>

/* gem_names rows split by handle count: a name whose object has a handle
 * is held by an open DRM file; one with none is held only by the kernel. */
struct gem_holders {
	uint64_t held, unheld, held_bytes, unheld_bytes;
};
int parse_gem_names_holders(const char *text, struct gem_holders *out);

/* One dma-buf of bufinfo: its inode and size. */
struct dmabuf_row {
	uint64_t ino, size;
};
/* The buffers of dma_buf/bufinfo (kernels whose header has an "ino"
 * column, 5.x+): up to max rows into rows, the count in *n (all rows,
 * even past max). -ENOENT when the header has no ino column. */
int parse_dmabuf_rows(const char *text, struct dmabuf_row *rows, size_t max, size_t *n);

#endif
