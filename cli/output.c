#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli/output.h"
#include "common/util.h"

/* Names of an already open descriptor: written in place, like "-". */
static bool names_open_fd(const char *path)
{
	return strncmp(path, "/dev/fd/", 8) == 0 || strncmp(path, "/proc/self/fd/", 14) == 0 ||
	       strcmp(path, "/dev/stdout") == 0 || strcmp(path, "/dev/stderr") == 0;
}

/* A temp file next to target (the rename must stay on one filesystem),
 * with the target's mode, or the usual one for a new file. */
static int open_temp(struct cli_out *o, const char *target, const struct stat *old)
{
	char *copy = strdup(target);
	if (!copy)
		return -1;
	char *base = basename(copy);
	char dirbuf[4096];
	snprintf(dirbuf, sizeof(dirbuf), "%s", target);
	char *dir = dirname(dirbuf);
	bool fits = fmt_ok(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, base);
	free(copy);
	if (!fits) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		return -1;
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, old ? old->st_mode & 07777 : 0666 & ~mask);
	return fd;
}

int cli_out_open(struct cli_out *o, const char *target, bool force, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->target = target;
	if (strcmp(target, "-") == 0) {
		o->f = stdout;
		o->is_stdout = true;
		return 0;
	}
	struct stat st, lst;
	bool exists = stat(target, &st) == 0;
	bool link = lstat(target, &lst) == 0 && S_ISLNK(lst.st_mode);
	if ((exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) || names_open_fd(target)) {
		/* A device, FIFO or pipe: write into it, never replace it. */
		o->f = fopen(target, "w");
		if (!o->f) {
			fprintf(stderr, "gemsoak %s: %s: %s\n", cmd, target, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "gemsoak %s: %s: is a directory\n", cmd, target);
		return -1;
	}
	if (link && !force) {
		fprintf(stderr, "gemsoak %s: %s: a symbolic link; not replaced (name the file it points"
			" to, or --force to replace the link)\n", cmd, target);
		return -1;
	}
	int fd = open_temp(o, target, exists && !link ? &st : NULL);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		fprintf(stderr, "gemsoak %s: %s: cannot write next to it: %s\n", cmd, target, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		return -1;
	}
	return 0;
}

int cli_out_close(struct cli_out *o, bool ok, const char *cmd)
{
	int e = 0;
	if (fflush(o->f) || ferror(o->f))
		e = errno ? errno : EIO;
	if (!o->is_stdout && fclose(o->f) && !e)
		e = errno;
	o->f = NULL;
	if (ok && !e && o->tmp[0] && rename(o->tmp, o->target))
		e = errno;
	if (o->tmp[0] && (!ok || e))
		unlink(o->tmp);
	if (e)
		fprintf(stderr, "gemsoak %s: %s: cannot write: %s\n", cmd, o->target, strerror(e));
	return ok && !e ? 0 : -1;
}

void cli_markup_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? ' ' : *s, f);
		}
	}
}

int cli_html_table(FILE *f, sqlite3_stmt *s)
{
	int cols = sqlite3_column_count(s), rc;
	fputs("<table><tr>", f);
	for (int i = 0; i < cols; i++) {
		fputs("<th>", f);
		cli_markup_text(f, sqlite3_column_name(s, i));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *second = (const char *)sqlite3_column_text(s, 1);
		fprintf(f, "<tr%s>", second && strcmp(second, "leaking") == 0 ? " class=\"leak\"" : "");
		for (int i = 0; i < cols; i++) {
			fputs("<td>", f);
			cli_markup_text(f, (const char *)sqlite3_column_text(s, i));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	return rc;
}
