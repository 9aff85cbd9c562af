#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/kallsyms.h"

void ksyms_line(const char *line, struct ksym_want *w, size_t n)
{
	/* By hand, not sscanf: a pass reads some 150,000 lines, and only the
	 * rare line that becomes a best is worth copying a name from. */
	char *end;
	unsigned long long addr = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || addr == 0)
		return;
	char type = end[1];
	if ((type != 't' && type != 'T' && type != 'w' && type != 'W') || end[2] != ' ')
		return;
	const char *name = end + 3;
	size_t len = strcspn(name, " \t\n");
	if (!len)
		return;
	if (len >= KSYM_NAME_MAX)
		len = KSYM_NAME_MAX - 1; /* cut, never overflows */
	for (size_t i = 0; i < n; i++) {
		if (addr <= w[i].addr && addr > w[i].sym) {
			w[i].sym = addr;
			memcpy(w[i].name, name, len);
			w[i].name[len] = '\0';
		}
	}
}

int ksyms_resolve(const char *path, struct ksym_want *w, size_t n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOFBF, 65536); /* 16 times fewer reads of the kernel's 10 MB */
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
