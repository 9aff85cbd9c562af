/* The origins of the live GEM objects and dma-bufs, traced in the kernel
 * (bpf/origins.bpf.c, loaded with libbpf from the first round on): each round
 * reads the live-object map and groups it by kind, workload, process name
 * and creation stack into ctx->origins, which the sampler stores
 * (db/origins.h). A workload is the one whose process group made the
 * object, else the one whose worker name ("gs:NAME", cut to 15
 * characters) made it, else the process name. Stacks are symbolized from
 * /proc/kallsyms once per stack id.
 *
 * Where BPF cannot run (no CAP_BPF/CAP_PERFMON, lockdown, no BTF, a
 * kernel without the hooked functions, a device that is not the running
 * kernel's, as under the kernel model) the round after the load says why
 * and the source stays unavailable: the load is not tried again.
 *
 * The load runs in a thread of its own: libbpf parses the kernel's BTF
 * (megabytes) for it, which takes seconds in a slow guest, and the rounds
 * must not wait for that (a daemon stopped within those seconds had
 * recorded nothing). The rounds before it is done have no origins. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "bpf/origins.h"
#include "origins.skel.h" /* build/gen: bpftool gen skeleton of bpf/origins.bpf.c */
#include "common/util.h"
#include "sources/kallsyms.h"
#include "sources/sources.h"
#include "sources/workers.h"

#define DRM_MAJOR 226
#define READ_CHUNK 4096

/* One traced object as the grouping needs it. */
struct traced {
	uint32_t kind;
	int workload;      /* index in the workers view, -1: none */
	int32_t stack_id;
	char comm[16];
	uint64_t size;
};

/* A symbolized stack, kept by id: the stack map never reuses an id for
 * another stack (no BPF_F_REUSE_STACKID). */
struct stack_text {
	int32_t id;
	char *text;
};

static struct {
	struct origins_bpf *skel;
	int error;                 /* the load's -errno: said once, not tried again */
	char why[400];
	char libbpf_said[256];     /* libbpf's last warning, for the reason */
	struct traced *obj;
	size_t cap;
	struct stack_text *stacks;
	size_t nstacks, capstacks;
} g;

/* libbpf's messages go to the reason of a failed load, not to stderr:
 * its first warning, which names the program and the cause (the later
 * ones say that the step failed). */
static int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN || g.libbpf_said[0])
		return 0;
	vsnprintf(g.libbpf_said, sizeof(g.libbpf_said), fmt, ap);
	g.libbpf_said[strcspn(g.libbpf_said, "\n")] = '\0';
	return 0;
}

/* 0 when the device under test is a DRM node of the running kernel (or
 * unknown), else -ENODEV with why: the model's device has no kernel. */
static int device_is_kernels(const struct source_ctx *ctx)
{
	struct stat st;
	if (!ctx->device || (stat(ctx->device, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == DRM_MAJOR))
		return 0;
	snprintf(g.why, sizeof(g.why), "%s is not a DRM device node of the running kernel (the kernel model:"
		 " its objects are not the kernel's, nothing to trace)", ctx->device);
	return -ENODEV;
}

/* Start fn in a thread with every signal blocked (they are the event
 * loop's); false when no thread could be made. */
static bool thread_start(pthread_t *t, void *(*fn)(void *))
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bool started = pthread_create(t, NULL, fn, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

/* Load and attach the program, its map bounded to max live objects; 0
 * or -errno with g.why filled. Runs in the loader's thread: it touches
 * g.skel, g.why and g.libbpf_said only, which no round reads before the
 * thread is done. */
static int load(uint32_t max)
{
	libbpf_set_print(keep_libbpf_message);
	const char *step = "open";
	g.skel = origins_bpf__open();
	int r = g.skel ? bpf_map__set_max_entries(g.skel->maps.live, max) : -errno;
	if (!r) {
		step = "load";
		r = origins_bpf__load(g.skel);
	}
	if (!r) {
		step = "attach to dma_buf_export, dma_buf_release, drm_gem_object_init,"
		       " drm_gem_private_object_init, drm_gem_object_release";
		r = origins_bpf__attach(g.skel);
	}
	if (!r)
		return 0;
	r = r < 0 ? r : -EINVAL;
	snprintf(g.why, sizeof(g.why), "cannot %s the BPF program: %s%s%s%.120s", step, strerror(-r),
		 r == -EPERM ? " (it needs root, CAP_SYS_ADMIN or CAP_BPF with CAP_PERFMON, and no kernel lockdown)" : "",
		 g.libbpf_said[0] ? "; libbpf: " : "", g.libbpf_said);
	origins_bpf__destroy(g.skel);
	g.skel = NULL;
	return r;
}

/* The workload that made an object: the workers view's workload whose
 * process group it is, else the one whose worker name it has; -1. */
static int workload_of(const struct workers_view *w, int32_t pgid, const char *comm)
{
	if (!w)
		return -1;
	for (size_t i = 0; i < w->n; i++)
		if (pgid > 0 && w->wl[i].pgid == pgid)
			return (int)i;
	if (strncmp(comm, "gs:", 3) != 0)
		return -1;
	int found = -1;
	size_t len = strnlen(comm + 3, 12);
	for (size_t i = 0; i < w->n; i++) {
		if (strncmp(w->wl[i].name, comm + 3, len) != 0)
			continue;
		if (found >= 0)
			return -1; /* two workloads' names start alike: say the process name */
		found = (int)i;
	}
	return found;
}

/* Read the live-object map into g.obj; the count, or -errno. */
static long read_live(const struct workers_view *w)
{
	static __u64 keys[READ_CHUNK];
	static struct origin_val vals[READ_CHUNK];
	int fd = bpf_map__fd(g.skel->maps.live);
	__u64 batch = 0;
	size_t n = 0;
	for (bool first = true, done = false; !done; first = false) {
		__u32 count = READ_CHUNK;
		int r = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &count, NULL);
		if (r < 0 && errno != ENOENT)
			return -errno;
		done = r < 0;
		if (n + count > g.cap) {
			size_t cap = (n + count) * 2;
			struct traced *o = realloc(g.obj, cap * sizeof(*o));
			if (!o)
				return -ENOMEM;
			g.obj = o;
			g.cap = cap;
		}
		for (__u32 i = 0; i < count; i++, n++) {
			struct traced *o = &g.obj[n];
			o->kind = vals[i].kind;
			o->stack_id = vals[i].stack_id;
			memcpy(o->comm, vals[i].comm, sizeof(o->comm));
			o->comm[sizeof(o->comm) - 1] = '\0';
			o->workload = workload_of(w, vals[i].pgid, o->comm);
			o->size = vals[i].size;
		}
	}
	return (long)n;
}

static int by_group(const void *pa, const void *pb)
{
	const struct traced *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->workload != b->workload)
		return a->workload < b->workload ? -1 : 1;
	if (a->stack_id != b->stack_id)
		return a->stack_id < b->stack_id ? -1 : 1;
	return strcmp(a->comm, b->comm);
}

static const char *stack_known(int32_t id)
{
	for (size_t i = 0; i < g.nstacks; i++)
		if (g.stacks[i].id == id)
			return g.stacks[i].text;
	return NULL;
}

/* Keep text as stack id's; 0 or -ENOMEM. */
static int stack_keep(int32_t id, const char *text)
{
	if (g.nstacks == g.capstacks) {
		size_t cap = g.capstacks ? g.capstacks * 2 : 16;
		struct stack_text *s = realloc(g.stacks, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		g.stacks = s;
		g.capstacks = cap;
	}
	char *copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	g.stacks[g.nstacks++] = (struct stack_text){ id, copy };
	return 0;
}

#define LEARN_MAX (READ_CHUNK / ORIGINS_STACK_DEPTH)

/* The stacks being named: a pass over kallsyms takes seconds in a slow
 * guest (the kernel generating the file), so it runs in a thread of its
 * own and the sampling round goes on; the groups of a stack not named yet
 * wait for a later round. The round's thread hands the frames over and
 * reads them back only while no pass runs (running, done). */
static struct {
	pthread_t thread;
	bool running;
	atomic_bool done;
	int32_t ids[LEARN_MAX];
	size_t nids, first[LEARN_MAX + 1];
	struct ksym_want want[LEARN_MAX * ORIGINS_STACK_DEPTH];
	size_t nwant;
	char path[256];
} sym;

static void *sym_main(void *arg)
{
	ksyms_resolve(sym.path, sym.want, sym.nwant); /* unreadable: the frames stay addresses */
	atomic_store(&sym.done, true);
	return arg;
}

/* Keep the texts of a finished pass; 0 or -ENOMEM. */
static int sym_collect(void)
{
	for (size_t k = 0; k < sym.nids; k++) {
		char buf[ORIGIN_STACK_MAX] = "";
		size_t len = 0;
		for (size_t i = sym.first[k]; i < sym.first[k + 1] && len < sizeof(buf); i++) {
			char frame[KSYM_NAME_MAX + 24];
			ksym_format(&sym.want[i], frame, sizeof(frame));
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i > sym.first[k] ? "\n" : "", frame);
		}
		if (stack_keep(sym.ids[k], len ? buf : "(the stack map had no frames for it)"))
			return -ENOMEM;
	}
	sym.nids = 0;
	return 0;
}

/* Hand up to LEARN_MAX stacks of the sorted objects that are not named
 * yet to a pass (a negative id, no stack, is named at once); the number
 * handed, or -ENOMEM. */
static int sym_gather(const struct source_ctx *ctx, size_t n)
{
	sym.nids = sym.nwant = 0;
	for (size_t i = 0; i < n && sym.nids < LEARN_MAX; i++) {
		int32_t id = g.obj[i].stack_id;
		if (stack_known(id))
			continue;
		if (id < 0) {
			if (stack_keep(id, "(no stack: the stack map was full or the stack unreadable)"))
				return -ENOMEM;
			continue;
		}
		bool again = false; /* sorted by kind and workload first: an id may come back */
		for (size_t k = 0; k < sym.nids && !again; k++)
			again = sym.ids[k] == id;
		if (again)
			continue;
		__u64 ips[ORIGINS_STACK_DEPTH] = { 0 };
		sym.first[sym.nids] = sym.nwant;
		sym.ids[sym.nids++] = id;
		if (bpf_map_lookup_elem(bpf_map__fd(g.skel->maps.stacks), &id, ips) == 0)
			for (size_t f = 0; f < ORIGINS_STACK_DEPTH && ips[f]; f++)
				sym.want[sym.nwant++] = (struct ksym_want){ .addr = ips[f] };
	}
	sym.first[sym.nids] = sym.nwant;
	snprintf(sym.path, sizeof(sym.path), "%s/kallsyms", ctx->procfs);
	return (int)sym.nids;
}

/* Take a finished pass's names, and start one for the stacks not named
 * yet (signals blocked in the thread: they are the event loop's). Without
 * a thread the pass runs here. 0 or -ENOMEM. */
static int stacks_learn(const struct source_ctx *ctx, size_t n)
{
	if (sym.running) {
		if (!atomic_load(&sym.done))
			return 0;
		pthread_join(sym.thread, NULL);
		sym.running = false;
		if (sym_collect())
			return -ENOMEM;
	}
	int r = sym_gather(ctx, n);
	if (r <= 0)
		return r;
	atomic_store(&sym.done, false);
	sym.running = thread_start(&sym.thread, sym_main);
	if (sym.running)
		return 0;
	sym_main(NULL);
	return sym_collect();
}

/* One row per group of the sorted objects; 0 or -ENOMEM. */
static int put_groups(const struct source_ctx *ctx, size_t n)
{
	const struct workers_view *w = ctx->workers;
	for (size_t i = 0; i < n;) {
		const struct traced *o = &g.obj[i];
		const char *stack = stack_known(o->stack_id);
		if (!stack) { /* being named: the group waits for a later round */
			while (i < n && by_group(o, &g.obj[i]) == 0)
				i++;
			continue;
		}
		struct origin_row *row = origin_rows_add(ctx->origins);
		if (!row)
			return -ENOMEM;
		row->kind = o->kind == ORIGIN_DMABUF ? "dma-buf" : "gem";
		snprintf(row->workload, sizeof(row->workload), "%s", o->workload >= 0 ? w->wl[o->workload].name : o->comm);
		snprintf(row->comm, sizeof(row->comm), "%s", o->comm);
		snprintf(row->stack, sizeof(row->stack), "%s", stack);
		for (; i < n && by_group(o, &g.obj[i]) == 0; i++) {
			row->alive++;
			row->alive_bytes += g.obj[i].size;
		}
	}
	return 0;
}

/* The load's thread (see the header): started by the first round, its
 * result taken by the first round after it is done. */
static struct {
	pthread_t thread;
	bool tried, running, taken; /* running: a thread to join */
	atomic_bool done;
	int result;
	uint32_t max;
	double took;       /* seconds */
} loader;

static void *loader_main(void *arg)
{
	double t0 = now_monotonic();
	loader.result = load(loader.max);
	loader.took = now_monotonic() - t0;
	atomic_store(&loader.done, true);
	return arg;
}

/* 0 once the program is loaded, -errno when it cannot be (g.error and
 * g.why set), 1 while the load runs. g.skel is not read while it runs.
 * The round that takes a successful load says how long it took (ready_s). */
static int load_step(const struct source_ctx *ctx)
{
	if (!loader.tried) {
		loader.tried = true;
		if ((g.error = device_is_kernels(ctx)) != 0) {
			loader.taken = true;
			return g.error;
		}
		loader.max = ctx->origins_max;
		loader.running = thread_start(&loader.thread, loader_main);
		if (!loader.running)
			loader_main(NULL); /* no thread: the round waits for the load */
	}
	if (loader.taken)
		return g.error;
	if (!atomic_load(&loader.done))
		return 1;
	if (loader.running)
		pthread_join(loader.thread, NULL);
	loader.running = false;
	loader.taken = true;
	g.error = loader.result;
	if (!g.error)
		ctx->origins->ready_s = loader.took > 0 ? loader.took : 1e-9;
	return g.error;
}

static int collect_origins(const struct source_ctx *ctx, struct metric_batch *b, char *why, size_t whylen)
{
	if (!ctx->origins || !ctx->origins_max)
		return SOURCE_NO_DATA;
	int loaded = load_step(ctx);
	if (loaded > 0)
		return SOURCE_NO_DATA;
	if (g.error) {
		snprintf(why, whylen, "%s", g.why);
		return g.error;
	}
	long n = read_live(ctx->workers);
	if (n < 0) {
		snprintf(why, whylen, "cannot read the BPF map of live objects: %s", strerror((int)-n));
		return (int)n;
	}
	qsort(g.obj, (size_t)n, sizeof(*g.obj), by_group);
	int r = stacks_learn(ctx, (size_t)n);
	if (!r)
		r = put_groups(ctx, (size_t)n);
	if (r) {
		ctx->origins->n = 0;
		return r;
	}
	__u32 slot = ORIGINS_STAT_UNTRACED;
	__u64 untraced = 0;
	bpf_map_lookup_elem(bpf_map__fd(g.skel->maps.stats), &slot, &untraced);
	ctx->origins->untraced = untraced;
	ctx->origins->bound = ctx->origins_max;
	ctx->origins->taken = true;
	return 0;
}

/* Its rows go to object_origins, not to samples: no metric of its own. */
const struct source source_origins = { "origins", collect_origins, NULL };
