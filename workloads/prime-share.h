/* prime-share's messages between exporter and importer, shared with
 * bench/raw-prime, which sends the same ones in its bare loop. */
#ifndef GS_PRIME_SHARE_H
#define GS_PRIME_SHARE_H

#include <stdint.h>

#include "workloads/close-order.h"

#define PRIME_SHARE_MAX_OBJECTS 32

/* exporter → importer, with one dma-buf fd per object */
struct prime_offer {
	uint32_t seq;
	uint32_t n;
	uint64_t size;
	uint8_t order[CLOSE_STEPS];
};

/* importer → exporter: close your handles now; and back: done */
struct prime_note {
	uint32_t seq;
};

#endif
