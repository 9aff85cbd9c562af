/* kernel apply: one route per fix, chosen by where the fix can be found;
 * any failure restores the tree to where it started, so a tree is never
 * left half-applied or mid-am. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "kernel/apply.h"
#include "kernel/git.h"

enum route { ROUTE_NONE, ROUTE_CHERRY_PICK, ROUTE_UPSTREAM, ROUTE_PATCH_FILE };

struct run {
	const struct gs_tree *t;
	const struct gs_series *s;
	const struct gs_apply_opts *o;
	char orig[41];
	bool *have;       /* per fix: present, applied or (dry run) would be */
};

static enum route pick_route(const struct run *r, const struct gs_fix *f)
{
	if (git_has_commit(r->t->dir, f->commit))
		return ROUTE_CHERRY_PICK;
	if (r->o->upstream && git_has_commit(r->o->upstream, f->commit))
		return ROUTE_UPSTREAM;
	if (f->patch && access(f->patch, R_OK) == 0)
		return ROUTE_PATCH_FILE;
	return ROUTE_NONE;
}

static void describe_route(const struct run *r, const struct gs_fix *f, enum route rt,
			   char *buf, size_t len)
{
	switch (rt) {
	case ROUTE_CHERRY_PICK:
		snprintf(buf, len, "git cherry-pick -x %.12s", f->commit);
		break;
	case ROUTE_UPSTREAM:
		snprintf(buf, len, "git format-patch %.12s from %s | git am -3", f->commit, r->o->upstream);
		break;
	case ROUTE_PATCH_FILE:
		snprintf(buf, len, "git am -3 %s", f->patch);
		break;
	case ROUTE_NONE:
		snprintf(buf, len, "no source: the tree's repository lacks %.12s%s%s",
			 f->commit, r->o->upstream ? ", so does " : "; give --upstream GITDIR",
			 r->o->upstream ? r->o->upstream : "");
		break;
	}
}

/* The files a failed cherry-pick or am stopped on: unmerged paths, else
 * the "patch failed: FILE:LINE" lines git printed; "" when git named none
 * (it failed for another reason, such as no committer identity). */
static void conflict_files(const char *dir, const struct git_result *failed, char *buf, size_t len)
{
	buf[0] = '\0';
	struct git_result r;
	const char *args[] = { "diff", "--name-only", "--diff-filter=U", NULL };
	if (git_run(dir, args, &r) == 0 && r.out[0]) {
		for (char *p = r.out; *p; p++)
			if (*p == '\n' && p[1])
				*p = ' ';
		r.out[strcspn(r.out, "\n")] = '\0';
		snprintf(buf, len, "%s", r.out);
	}
	git_result_free(&r);
	/* What git prints about the file when no merge was attempted. */
	static const struct { const char *before, *end; } says[] = {
		{ "patch failed: ", "\n" },
		{ "lacking or useless (", ")\n" },
		{ "Merge conflict in ", "\n" },
	};
	const char *streams[] = { failed->err, failed->out };
	for (size_t k = 0; k < 2 * ARRAY_SIZE(says) && !buf[0]; k++) {
		const char *text = streams[k % 2];
		const char *p = strstr(text, says[k / 2].before);
		if (p) {
			p += strlen(says[k / 2].before);
			snprintf(buf, len, "%.*s", (int)strcspn(p, says[k / 2].end), p);
		}
	}
}

/* Put the tree back where the run started: abort the operation in
 * progress, then reset to the starting HEAD (the tree was clean). */
static void restore(const struct run *r, enum route rt)
{
	const char *cp_abort[] = { "cherry-pick", "--abort", NULL };
	const char *am_abort[] = { "am", "--abort", NULL };
	git_ok(r->t->dir, rt == ROUTE_CHERRY_PICK ? cp_abort : am_abort);
	const char *reset[] = { "reset", "-q", "--hard", r->orig, NULL };
	git_ok(r->t->dir, reset);
}

/* format-patch from the upstream clone into a temporary mbox. */
static char *upstream_mbox(const struct run *r, const struct gs_fix *f)
{
	struct git_result g;
	const char *args[] = { "format-patch", "-1", "--stdout", f->commit, NULL };
	if (git_run(r->o->upstream, args, &g) != 0 || !g.out[0]) {
		fprintf(stderr, "gemsoak kernel apply: %s: git format-patch %.12s failed: %s",
			r->o->upstream, f->commit, g.err);
		git_result_free(&g);
		return NULL;
	}
	char tmpl[] = "/tmp/gemsoak-fix-XXXXXX";
	int fd = mkstemp(tmpl);
	bool ok = fd >= 0;
	size_t len = strlen(g.out);
	if (ok)
		ok = write(fd, g.out, len) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	git_result_free(&g);
	if (!ok) {
		fprintf(stderr, "gemsoak kernel apply: cannot write %s: %s\n", tmpl, strerror(errno));
		unlink(tmpl);
		return NULL;
	}
	return strdup(tmpl);
}

/* Apply one fix by ROUTE; 0 on success, 2 after a failure (reported, tree restored). */
static int apply_one(struct run *r, const struct gs_fix *f, enum route rt)
{
	char *mbox = NULL;
	if (rt == ROUTE_UPSTREAM && !(mbox = upstream_mbox(r, f)))
		return 2;
	const char *pick[] = { "cherry-pick", "-x", f->commit, NULL };
	const char *am[] = { "am", "-3", mbox ? mbox : f->patch, NULL };
	struct git_result g;
	int st = git_run(r->t->dir, rt == ROUTE_CHERRY_PICK ? pick : am, &g);
	if (mbox) {
		unlink(mbox);
		free(mbox);
	}
	if (st == 0) {
		git_result_free(&g);
		return 0;
	}
	char files[1024];
	conflict_files(r->t->dir, &g, files, sizeof(files));
	restore(r, rt);
	const char *how = rt == ROUTE_CHERRY_PICK ? "git cherry-pick --abort" : "git am --abort";
	if (files[0]) {
		fprintf(r->o->out, "  %-28s CONFLICT in %s\n", f->name, files);
		fprintf(stderr, "gemsoak kernel apply: fix %s (%.12s \"%s\") does not apply to %s: conflict in %s; "
			"%s, tree back at %.12s\n", f->name, f->commit, f->subject, r->t->dir, files, how, r->orig);
	} else {
		fprintf(r->o->out, "  %-28s FAILED (git, see below)\n", f->name);
		fprintf(stderr, "gemsoak kernel apply: fix %s (%.12s \"%s\"): git failed in %s; "
			"%s, tree back at %.12s\n", f->name, f->commit, f->subject, r->t->dir, how, r->orig);
	}
	fprintf(stderr, "git said:\n%s%s", g.out, g.err);
	git_result_free(&g);
	return 2;
}

/* The first requirement of F that is not (to be) present, or NULL. */
static const char *blocked_by(const struct run *r, const struct gs_fix *f)
{
	for (size_t i = 0; i < f->n_requires; i++) {
		const struct gs_fix *q = gs_series_find(r->s, f->requires[i]);
		if (q && !r->have[q - r->s->fixes])
			return q->name;
	}
	return NULL;
}

static bool tree_ready(struct run *r)
{
	const char *dir = r->t->dir;
	if (!r->t->git) {
		fprintf(stderr, "gemsoak kernel apply: %s is not the top of a git work tree; apply commits "
			"each fix, so it needs one (git init; git add -A; git commit)\n", dir);
		return false;
	}
	if (!git_head(dir, r->orig)) {
		fprintf(stderr, "gemsoak kernel apply: %s: the repository has no commit yet\n", dir);
		return false;
	}
	struct git_result g;
	const char *status[] = { "status", "--porcelain", "--untracked-files=no", NULL };
	int st = git_run(dir, status, &g);
	bool clean = st == 0 && g.out[0] == '\0';
	if (!clean)
		fprintf(stderr, "gemsoak kernel apply: %s has uncommitted changes (git status); commit or stash "
			"them first\n%s%s", dir, g.out, g.err);
	git_result_free(&g);
	return clean;
}

int gs_apply_series(const struct gs_tree *t, const struct gs_series *s,
		    const struct gs_apply_opts *o)
{
	struct run r = { .t = t, .s = s, .o = o };
	if (!tree_ready(&r))
		return 2;
	r.have = calloc(s->n ? s->n : 1, sizeof(*r.have));
	if (!r.have)
		abort();
	fprintf(o->out, "gemsoak kernel apply%s: tree %s (HEAD %.12s)\n",
		o->dry_run ? " --dry-run" : "", t->dir, r.orig);
	fprintf(o->out, "series: %s (gemsoak %s)\n", s->path, GS_VERSION);
	int applied = 0, present = 0, missing = 0, rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		const struct gs_fix *f = &s->fixes[i];
		struct gs_verdict v;
		gs_detect_in_tree(t, f, &v);
		if (v.state == FIX_PRESENT) {
			r.have[i] = true;
			present++;
			fprintf(o->out, "  %-28s present     %s\n", f->name, v.how);
			continue;
		}
		const char *need = blocked_by(&r, f);
		if (need) {
			missing++;
			fprintf(o->out, "  %-28s missing     blocked: needs %s, which is missing\n", f->name, need);
			continue;
		}
		enum route rt = pick_route(&r, f);
		char how[1024];
		describe_route(&r, f, rt, how, sizeof(how));
		if (rt == ROUTE_NONE) {
			missing++;
			fprintf(o->out, "  %-28s missing     %s\n", f->name, how);
			continue;
		}
		if (o->dry_run) {
			r.have[i] = true;
			applied++;
			fprintf(o->out, "  %-28s would apply %s\n", f->name, how);
			continue;
		}
		rc = apply_one(&r, f, rt);
		if (rc != 0)
			break;
		r.have[i] = true;
		applied++;
		char head[41] = "";
		git_head(t->dir, head);
		fprintf(o->out, "  %-28s applied     %s -> %.12s\n", f->name, how, head);
		gs_detect_in_tree(t, f, &v);
		if (v.state != FIX_PRESENT)
			fprintf(o->out, "  %-28s warning     applied, but check cannot see it: %s\n", f->name, v.how);
	}
	free(r.have);
	if (rc != 0) {
		fprintf(o->out, "result: stopped; nothing applied (tree at %.12s)\n", r.orig);
		return rc;
	}
	fprintf(o->out, "result: %d %s, %d already present, %d missing\n", applied,
		o->dry_run ? "would be applied" : "applied", present, missing);
	return missing ? 1 : 0;
}
