/* Running git on a kernel tree: fork/exec with an argv array (never a
 * shell), output captured for messages and parsing. */
#ifndef GS_KERNEL_GIT_H
#define GS_KERNEL_GIT_H

#include <stdbool.h>

struct git_result {
	int status;   /* git's exit status; -1 when it could not run */
	char *out;    /* its stdout, NUL-terminated (never NULL after git_run) */
	char *err;    /* its stderr */
};

/* Run `git -C DIR ARGS...` (ARGS NULL-terminated). Returns the exit status. */
int git_run(const char *dir, const char *const args[], struct git_result *r);
void git_result_free(struct git_result *r);

/* The same, output discarded: true when git exits 0. */
bool git_ok(const char *dir, const char *const args[]);

/* DIR is the top of a git work tree. */
bool git_is_repo(const char *dir);
/* ID names a commit object DIR's repository has. */
bool git_has_commit(const char *dir, const char *id);
/* HEAD's commit id into head[41]; false without one. */
bool git_head(const char *dir, char head[41]);

#endif
