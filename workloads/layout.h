/* Process layouts: the socketpairs a workload's processes talk over,
 * made in the daemon before forking (wl_type.setup, .fds, .teardown). */
#ifndef GS_LAYOUT_H
#define GS_LAYOUT_H

#include "workloads/workload.h"

/* Layout "pairs": `pairs` socketpairs; process 2k and 2k+1 hold the two
 * ends of pair k. Layout "star": process 0 (the hub) holds one end of a
 * socketpair per other process, which holds the other end. Both return
 * NULL (errno set) on failure. */
void *layout_pairs_setup(int pairs);
void *layout_star_setup(int spokes);
/* wl_type.fds and wl_type.teardown for either layout. */
int layout_fds(void *chan, const struct wl_config *cfg, int index, int *fds, int max);
void layout_teardown(void *chan);

#endif
