/* The device a benchmark program drives: the one given, or gemsoakd's
 * `auto` choice, probed as the daemon probes it. */
#ifndef GS_BENCH_DEVICE_H
#define GS_BENCH_DEVICE_H

#include "device/device.h"

/* Fill dev for path (NULL: auto); on failure print "PROG: why" and exit 2. */
void bench_device(const char *prog, const char *path, struct gs_device *dev);

#endif
