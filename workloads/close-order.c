#include <string.h>

#include "workloads/close-order.h"

static const char *const step_names[CLOSE_STEPS] = { "fd", "importer", "exporter" };

int close_order_parse(const char *value, uint8_t out[CLOSE_STEPS])
{
	char copy[64];
	if (strlen(value) >= sizeof(copy))
		return -1;
	strcpy(copy, value);
	bool seen[CLOSE_STEPS] = { false };
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		int s = 0;
		while (s < CLOSE_STEPS && strcmp(w, step_names[s]) != 0)
			s++;
		if (s == CLOSE_STEPS || seen[s] || n == CLOSE_STEPS)
			return -1;
		seen[s] = true;
		out[n++] = (uint8_t)s;
	}
	return n == CLOSE_STEPS ? 0 : -1;
}

const char *close_order_check(const char *value)
{
	uint8_t o[CLOSE_STEPS];
	if (!*value || strcmp(value, "cycle") == 0 || strcmp(value, "random") == 0 ||
	    close_order_parse(value, o) == 0)
		return NULL;
	return "is not a close order (cycle, random, or fd, importer and exporter in some order, e.g. fd,importer,exporter)";
}

void close_order_nth(unsigned k, uint8_t out[CLOSE_STEPS])
{
	static const uint8_t perms[6][CLOSE_STEPS] = {
		{ CLOSE_FD, CLOSE_IMPORTER, CLOSE_EXPORTER }, /* seed 000's sequence */
		{ CLOSE_FD, CLOSE_EXPORTER, CLOSE_IMPORTER },
		{ CLOSE_IMPORTER, CLOSE_FD, CLOSE_EXPORTER },
		{ CLOSE_IMPORTER, CLOSE_EXPORTER, CLOSE_FD },
		{ CLOSE_EXPORTER, CLOSE_FD, CLOSE_IMPORTER },
		{ CLOSE_EXPORTER, CLOSE_IMPORTER, CLOSE_FD },
	};
	memcpy(out, perms[k % 6], CLOSE_STEPS);
}

void close_order_init(struct close_order *co, const struct wl_proc *p, const char *value)
{
	memset(co, 0, sizeof(*co));
	prng_init(&co->rand, p);
	if (strcmp(value, "random") == 0)
		co->mode = 1;
	else if (*value && strcmp(value, "cycle") != 0 && close_order_parse(value, co->fixed) == 0)
		co->mode = 2;
}

void close_order_next(struct close_order *co, uint32_t cycle, uint8_t out[CLOSE_STEPS])
{
	if (co->mode == 2)
		memcpy(out, co->fixed, CLOSE_STEPS);
	else
		close_order_nth(co->mode == 1 ? prng_below(&co->rand, 6) : cycle, out);
}
