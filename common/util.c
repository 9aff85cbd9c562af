#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/util.h"

/* debugfs and procfs files report size 0, so read until EOF, but never
 * more than `limit` bytes (EFBIG), and only from a regular file: a FIFO
 * would block and a device (a link to /dev/zero) would never end
 * (GS_ENOTREG). */
static char *read_fd_all(int fd, size_t limit, bool text, size_t *len)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		return NULL;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		errno = GS_ENOTREG;
		return NULL;
	}
	/* A file that says its size (not debugfs or procfs) is refused
	 * before anything of it is read. */
	if ((uint64_t)sb.st_size > limit) {
		errno = EFBIG;
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		if (n > limit) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (n + 1 >= cap) {
			/* Room for one byte past the limit tells "too large". */
			cap = cap * 2 > limit + 2 ? limit + 2 : cap * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (text && memchr(buf, '\0', n)) {
		free(buf);
		errno = EILSEQ;
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int open_regular(const char *path)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat(fd, &sb) != 0)
		sb.st_mode = 0;
	if (!S_ISREG(sb.st_mode)) {
		int e = S_ISDIR(sb.st_mode) ? EISDIR : GS_ENOTREG;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static char *read_path(const char *path, size_t limit, bool text, size_t *len)
{
	int fd = open_regular(path);
	if (fd < 0)
		return NULL;
	char *buf = read_fd_all(fd, limit, text, len);
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

char *read_file_limit(const char *path, size_t limit, size_t *len)
{
	return read_path(path, limit, false, len);
}

char *read_text_file(const char *path, size_t *len)
{
	return read_path(path, GS_TEXT_LIMIT, true, len);
}

char *read_text_fd(int fd, size_t *len)
{
	return read_fd_all(fd, GS_TEXT_LIMIT, true, len);
}

const char *read_error(int err, char *buf, size_t len)
{
	if (err == EFBIG)
		snprintf(buf, len, "larger than the read cap; not read");
	else if (err == GS_ENOTREG)
		snprintf(buf, len, "not a regular file (a FIFO, device or socket); refused");
	else if (err == EILSEQ)
		snprintf(buf, len, "contains NUL bytes: not text");
	else
		snprintf(buf, len, "%s", strerror(err));
	return buf;
}

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_realtime(void) { return clock_seconds(CLOCK_REALTIME); }
double now_monotonic(void) { return clock_seconds(CLOCK_MONOTONIC); }

bool parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Number followed by an optional unit from the table; the unit multiplies. */
struct unit { const char *suffix; int64_t mult; };

static bool parse_with_units(const char *s, const struct unit *units, int64_t min,
			     int64_t max, int64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno)
		return false;
	int64_t mult = 0;
	for (const struct unit *u = units; u->suffix; u++) {
		if (strcasecmp(end, u->suffix) == 0) {
			mult = u->mult;
			break;
		}
	}
	if (!mult || v > INT64_MAX / mult)
		return false;
	v *= mult;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_size(const char *s, int64_t min, int64_t max, int64_t *out)
{
	static const struct unit units[] = {
		{ "", 1 }, { "K", 1 << 10 }, { "KiB", 1 << 10 }, { "M", 1 << 20 },
		{ "MiB", 1 << 20 }, { "G", 1 << 30 }, { "GiB", 1 << 30 }, { NULL, 0 },
	};
	return parse_with_units(s, units, min, max, out);
}

bool parse_duration_ms(const char *s, int64_t min, int64_t max, int64_t *out)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 }, { NULL, 0 },
	};
	return parse_with_units(s, units, min, max, out);
}

bool parse_milli(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long whole = strtoll(s, &end, 10);
	if (errno || whole > INT64_MAX / 1000)
		return false;
	int64_t v = whole * 1000, place = 100;
	if (*end == '.') {
		/* at least one digit after the point, at most three */
		if (!isdigit((unsigned char)end[1]))
			return false;
		for (end++; isdigit((unsigned char)*end); end++, place /= 10) {
			if (place == 0)
				return false;
			v += (*end - '0') * place;
		}
	}
	if (*end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

const char *fmt_milli(int64_t v, char *buf, size_t len)
{
	if (v % 1000 == 0) {
		snprintf(buf, len, "%lld", (long long)(v / 1000));
		return buf;
	}
	int n = snprintf(buf, len, "%lld.%03lld", (long long)(v / 1000), (long long)(v % 1000));
	/* a fraction is there: only its trailing zeros go */
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	return buf;
}

bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

const char *line_copy(const char *s, char *buf, size_t size)
{
	const char *nl = strchr(s, '\n');
	size_t len = nl ? (size_t)(nl - s) : strlen(s);
	len = len < size - 1 ? len : size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return nl ? nl + 1 : NULL;
}

bool mem_contains(const char *s, size_t len, const char *needle)
{
	return s && memmem(s, len, needle, strlen(needle)) != NULL;
}

bool fmt_ok(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

size_t lower_bound_i64(const void *base, size_t n, size_t size, size_t key_offset, int64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t k;
		memcpy(&k, (const char *)base + mid * size + key_offset, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
