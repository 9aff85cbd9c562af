/* Small helpers shared by the daemon, its workers, the CLI and the tests. */
#ifndef GS_UTIL_H
#define GS_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Reads refuse what is not a regular file with this errno (a FIFO would
 * block, a device such as /dev/zero never ends). */
#define GS_ENOTREG EMEDIUMTYPE
/* The most a source read takes: gem_names with millions of leaked names
 * still fits. */
#define GS_TEXT_LIMIT (256u << 20)

/* Open a regular file read-only without blocking; -1 with errno set
 * (GS_ENOTREG, EISDIR for what is not one). */
int open_regular(const char *path);

/* Read a whole (proc/debugfs) text file into a NUL-terminated malloc'd
 * buffer, at most GS_TEXT_LIMIT bytes. NULL with errno set on failure:
 * EFBIG past the cap, GS_ENOTREG/EISDIR for what is not a regular file,
 * EILSEQ for NUL bytes in it. *len gets the length. */
char *read_text_file(const char *path, size_t *len);
/* The same from an open file's current offset to its end. */
char *read_text_fd(int fd, size_t *len);

/* Read a whole regular file of at most `limit` bytes; same contract but
 * NUL bytes allowed, for config and SQL text. */
char *read_file_limit(const char *path, size_t limit, size_t *len);

/* What a read's errno means, for messages ("larger than the read cap..."). */
const char *read_error(int err, char *buf, size_t len);

double now_realtime(void);   /* seconds since the epoch */
double now_monotonic(void);  /* seconds, CLOCK_MONOTONIC */

/* Parse helpers: whole-string, range-checked. Return false on bad input. */
/* The first of the n elements of size bytes at base, sorted by the int64_t
 * at key_offset in each, whose key is not below key: n when none is. */
size_t lower_bound_i64(const void *base, size_t n, size_t size, size_t key_offset, int64_t key);

bool parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "4096", "64K", "2M", "1G" (binary multiples) */
bool parse_size(const char *s, int64_t min, int64_t max, int64_t *out);
/* "30", "30s", "5m", "2h", "1d"; result in milliseconds */
bool parse_duration_ms(const char *s, int64_t min, int64_t max, int64_t *out);
/* "100", "2.5", "0.05": a decimal of at most three places, in thousandths
 * (min and max too): "0.05" is 50 */
bool parse_milli(const char *s, int64_t min, int64_t max, int64_t *out);
/* v (>= 0) thousandths as parse_milli reads them: "100", "2.5", "0.05";
 * buf (room for 24 characters) is returned. */
const char *fmt_milli(int64_t v, char *buf, size_t len);
/* yes/no/true/false/on/off/1/0 */
bool parse_bool(const char *s, bool *out);

/* Whether the len bytes at s contain needle. memmem behind a function of
 * its own: gcc 12 at -O1 with the sanitizers sees a NULL line pointer in
 * the parsers' loops that cannot happen (-Wnonnull). */
bool mem_contains(const char *s, size_t len, const char *needle);

/* Copy the line at s (to its '\n' or the end of the text) into buf, cut
 * to size - 1 bytes and NUL-terminated, so that sscanf reads one line:
 * on the text itself glibc's sscanf measures all the rest of it, which
 * makes a loop over lines quadratic. Returns the next line, or NULL. */
const char *line_copy(const char *s, char *buf, size_t size);

/* snprintf that reports truncation as failure. */
bool fmt_ok(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
