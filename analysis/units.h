/* Quantities in words a person reads: bytes in KiB/MiB/GiB, counts in
 * k/M/G, never exponent notation (the CLI's tables, the report, the
 * gate's messages, the findings). Pure functions (analysis/analysis.h). */
#ifndef GS_ANALYSIS_UNITS_H
#define GS_ANALYSIS_UNITS_H

#include <stddef.h>

/* Write v of unit ("bytes", "kB", "count" or anything else, taken as a
 * count) into buf: "512 bytes", "3.2 MiB", "2.7k", "41", "0.25". sign
 * non-zero puts "+" before a positive value. NAN gives "-". Three
 * significant digits at most, and never an exponent. Returns buf. */
char *gs_quantity(char *buf, size_t len, double v, const char *unit, int sign);

/* gs_quantity of a rate per hour followed by "/h" ("+3.2 MiB/h"). */
char *gs_rate_per_hour(char *buf, size_t len, double per_hour, const char *unit);

/* A plain number with k/M/G for thousands and above ("10k", "1.5M",
 * "200", "0.5"), never an exponent; NAN gives "-". Returns buf. */
char *gs_count(char *buf, size_t len, double v);

#endif
