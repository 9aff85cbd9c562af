/* The analysis layer: what decides that a metric leaks, as C a person can
 * read and test piece by piece (the method and its reasons: db/TRENDS.md).
 *
 * Contract of the layer:
 *  - it sits below the daemon and the CLI and above the store: it may read
 *    the store's tables; nothing in db/, sources/ or common/ includes it;
 *  - its numeric kernels (analysis/stats.h, analysis/floors.h,
 *    analysis/period.h, analysis/changepoint.h, analysis/onset.h) are
 *    pure functions of their arguments: no global state, no allocation
 *    unless a function says so, no I/O, the same numbers from the same
 *    inputs, so every verdict can be reproduced from the database alone;
 *  - each kernel computes what the leak_trends view (db/views/) computes
 *    for the same step, and says which of its CTEs that is; a kernel's
 *    unit test (tests/unit/test-analysis-*.c) checks it on known vectors.
 * Missing values (SQL NULL) are NAN; callers test them with isnan(). */
#ifndef GS_ANALYSIS_H
#define GS_ANALYSIS_H

#include "analysis/changepoint.h"
#include "analysis/floors.h"
#include "analysis/onset.h"
#include "analysis/period.h"
#include "analysis/stats.h"

#endif
