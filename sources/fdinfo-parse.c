/* /proc/PID/fdinfo/FD of a DRM file (Documentation/gpu/drm-usage-stats.rst):
 * "drm-driver: i915", "drm-client-id: 7" and per memory region
 * "drm-total-<region>: <n> [KiB|MiB]" (every buffer the file has a handle
 * to), "drm-shared-<region>:" (buffers with handles in other files too),
 * "drm-resident-<region>:" (backing store present). Summed over regions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sources/sources.h"

/* "<n>", "<n> KiB" or "<n> MiB" in bytes. */
static bool parse_amount(const char *v, uint64_t *bytes)
{
	unsigned long long n;
	char unit[8] = "";
	int k = sscanf(v, " %llu %7s", &n, unit);
	if (k < 1 || !COUNT_OK(n) || (k == 2 && unit[0] && n > (unsigned long long)INT64_MAX >> 20))
		return false;
	if (k == 1 || unit[0] == '\0')
		*bytes = n;
	else if (strcmp(unit, "KiB") == 0)
		*bytes = n << 10;
	else if (strcmp(unit, "MiB") == 0)
		*bytes = n << 20;
	else
		return false;
	return true;
}

int parse_drm_fdinfo(const char *text, struct drm_fdinfo *out)
{
	memset(out, 0, sizeof(*out));
	bool driver = false;
	for (const char *l = text; *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		char line[160];
		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), l);
		l += len + (eol ? 1 : 0);
		char *colon = strchr(line, ':');
		if (strncmp(line, "drm-", 4) != 0 || !colon)
			continue;
		*colon = '\0';
		const char *key = line + 4, *val = colon + 1;
		uint64_t *sum = NULL;
		if (strcmp(key, "driver") == 0)
			driver = true;
		else if (strcmp(key, "client-id") == 0)
			sscanf(val, " %llu", (unsigned long long *)&out->client_id);
		else if (strncmp(key, "total-", 6) == 0)
			sum = &out->total;
		else if (strncmp(key, "shared-", 7) == 0)
			sum = &out->shared;
		else if (strncmp(key, "resident-", 9) == 0)
			sum = &out->resident;
		uint64_t bytes;
		if (sum && parse_amount(val, &bytes)) {
			*sum += bytes;
			out->has_memory = true;
		}
	}
	return driver ? 0 : -ENOENT;
}
