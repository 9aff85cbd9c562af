/* self-import's message to the partner process (with one dma-buf fd),
 * shared with bench/raw-prime, which sends the same one in its bare loop. */
#ifndef GS_SELF_IMPORT_H
#define GS_SELF_IMPORT_H

#include <stdint.h>

struct self_passed {
	uint32_t seq;
	uint64_t size;
};

#endif
