#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sources/kallsyms.h"

void ksyms_line(const char *line, struct ksym_want *w, size_t n)
{
	unsigned long long addr;
	char type, name[KSYM_NAME_MAX];
	/* %127s: KSYM_NAME_MAX - 1; a longer name is cut, never overflows. */
	if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3 || addr == 0)
		return;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return;
	for (size_t i = 0; i < n; i++) {
		if (addr <= w[i].addr && addr > w[i].sym) {
			w[i].sym = addr;
			snprintf(w[i].name, sizeof(w[i].name), "%s", name);
		}
	}
}

int ksyms_resolve(const char *path, struct ksym_want *w, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char line[512];
	while (fgets(line, sizeof(line), f))
		ksyms_line(line, w, n);
	int r = ferror(f) ? -EIO : 0;
	fclose(f);
	return r;
}

void ksym_format(const struct ksym_want *w, char *buf, size_t len)
{
	if (w->sym)
		snprintf(buf, len, "%s+0x%" PRIx64, w->name, w->addr - w->sym);
	else
		snprintf(buf, len, "0x%" PRIx64, w->addr);
}
