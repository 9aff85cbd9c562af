/* Kernel addresses to names, from /proc/kallsyms, for the frames of the
 * origins' stacks (sources/origins.c). Names are looked up only for the
 * addresses asked, in one pass over the file, so nothing of its 10 MB is
 * kept between lookups. */
#ifndef GS_SOURCES_KALLSYMS_H
#define GS_SOURCES_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#define KSYM_NAME_MAX 128

/* One address to name: the text symbol nearest at or below it. */
struct ksym_want {
	uint64_t addr;
	uint64_t sym;                /* the symbol's address; 0: none found yet */
	char name[KSYM_NAME_MAX];
};

/* Take one line of kallsyms ("ADDR TYPE NAME [MODULE]") into the wants:
 * a text symbol (t, T, w, W) at or below a want's address and above its
 * best so far becomes its best. Other lines, and addresses of 0 (what a
 * reader without CAP_SYSLOG sees), are ignored. */
void ksyms_line(const char *line, struct ksym_want *w, size_t n);
/* Resolve the wants from the kallsyms file at path: 0, or -errno. */
int ksyms_resolve(const char *path, struct ksym_want *w, size_t n);
/* The frame as text: "NAME+0xOFF", or "0xADDR" without a symbol. */
void ksym_format(const struct ksym_want *w, char *buf, size_t len);

#endif
