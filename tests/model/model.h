/* A userspace model of the DRM core's and i915's object-lifetime rules,
 * with each seed fix switchable. One big lock stands for the kernel's
 * dev->object_name_lock / struct_mutex; the code paths that the unfixed
 * kernels ran with that lock dropped drop it here too (and yield, so real
 * concurrent callers reach the window).
 *
 * Files per concern: objects.c (objects, handles, files), flink.c,
 * prime.c (dma-bufs, the per-file PRIME cache), i915.c (contexts, address
 * spaces, VMAs, execbuf), debugfs.c (the files the daemon reads),
 * hotplug.c (the driver unbound and bound again),
 * model-server.c (sockets, threads, releases). */
#ifndef GS_MODEL_H
#define GS_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The seed fixes the model can leave out (see tests/model/README.md). */
enum model_fix {
	FIX_000_HANDLE_HOLDS_DMABUF,  /* prime cache entries go with the handle */
	FIX_001_DMABUF_LINK_LOCKED,   /* obj->dma_buf and prime cache under the lock */
	FIX_002_GEM_OPEN_ATOMIC,      /* name lookup + handle creation atomic; no flink without handles */
	FIX_004_CONTEXT_VMA_CLEANUP,  /* unbind a VM's VMAs when its context goes */
	FIX_COUNT
};

struct m_vm;
struct m_dmabuf;

/* The lowest free id >= 1, as idr_alloc(.., 1, 0) gives (GEM names). */
struct m_ida {
	uint64_t *bits;
	uint32_t words;
	uint32_t hint;            /* every id below it is taken */
};

struct m_vma {
	struct m_obj *obj;
	struct m_vm *vm;          /* holds a reference on vm */
	uint64_t offset;
	bool ggtt;                /* in the global GTT (scan-out), not a PPGTT */
	int open_count;           /* lookup entries (context, handle) that use it */
	struct m_vma *next_in_obj;
	struct m_vma *next_in_vm; /* the VM's nodes by offset (drm_mm) */
};

struct m_obj {
	uint32_t id;
	uint64_t size;
	int refcount;
	int handle_count;
	uint32_t name;            /* flink name, 0 = none; holds a reference */
	struct m_dmabuf *dma_buf; /* obj->dma_buf link; holds a dma-buf reference */
	bool fbcon;               /* the console's framebuffer, owned by the kernel */
	struct m_vma *vmas;
	int memfd;                /* its pages once mapped (-1 before): shared by every mapping */
	struct m_obj *next;
};

struct m_handle {
	uint32_t handle;
	struct m_obj *obj;        /* holds a reference */
	struct m_handle *next;
};

/* Per-file PRIME cache entry (drm_prime_file_private): holds a dma-buf ref. */
struct m_prime {
	struct m_dmabuf *dmabuf;
	uint32_t handle;
	struct m_prime *next;
};

struct m_vm {
	uint32_t id;
	int refcount;             /* its context(s) and each VMA */
	struct m_vma *nodes;      /* the bound VMAs by offset: holes are reused */
	struct m_vm *next;
};

/* A context's handle → VMA lookup (i915_lut_handle): execbuf adds it,
 * GEM_CLOSE of the handle closes the VMA through it. */
struct m_lut {
	uint32_t handle;
	struct m_obj *obj;
	struct m_lut *next;
};

struct m_ctx {
	uint32_t id;              /* 0 = the file's default context */
	struct m_vm *vm;          /* holds a reference */
	struct m_lut *luts;
	struct m_ctx *next;
};

struct m_file {
	uint32_t id;
	pid_t pid;
	char comm[17];
	int server_end;           /* hang-up = the last close of the file */
	ino_t client_ino;         /* the processes' end: /proc/PID/fdinfo of it is this file's */
	int busy;                 /* ioctls in flight: the release waits for them */
	bool hung_up, released;
	bool unplugged;           /* its device was unbound: every ioctl ENODEV */
	bool interrupted;         /* --interrupt: its last ioctl was refused, serve the retry */
	struct m_handle *handles;
	uint32_t free_hint;       /* every handle below it is taken */
	struct m_prime *prime;
	struct m_ctx *contexts;
	uint32_t next_ctx;
	struct m_file *next;
};

/* One set of user fds of a dma-buf (one export): a socketpair whose hang-up
 * drops that reference. */
struct m_dmabuf_fd {
	uint32_t id;
	struct m_dmabuf *dmabuf;
	int server_end;
	ino_t client_ino;
	struct m_dmabuf_fd *next;
};

struct m_dmabuf {
	uint32_t id;
	struct m_obj *obj;        /* holds an object reference */
	int refcount;             /* user fd sets, handle link, prime cache entries */
	struct m_dmabuf *next;
};

struct model {
	pthread_mutex_t lock;
	bool fix[FIX_COUNT];
	bool full_ppgtt;
	int minor;
	long window_us;           /* how long the unfixed paths drop the lock */
	bool modern_debugfs;      /* i915 files in the 5.x/6.x layouts, not 4.x */
	bool fdinfo_memory;       /* fdinfo with the memory keys of 6.5+ (drm_show_memory_stats) */
	bool no_pwrite;           /* refuse PWRITE, as discrete GPUs do */
	bool unplugged;           /* the driver is unbound: no node, no dri/N */
	bool interrupt;           /* every ioctl's first attempt fails with EINTR or EAGAIN */
	unsigned interrupts;      /* how many: even ones EINTR, odd ones EAGAIN */
	bool no_flink, no_prime;  /* a driver without GEM names / without PRIME */
	struct m_obj *objs;
	struct m_file *files;
	struct m_dmabuf *dmabufs;
	struct m_dmabuf_fd *dmabuf_fds;
	struct m_vm *vms;
	struct m_obj *fbcon;      /* the console's framebuffer (MODE_GETFB of fb 1) */
	struct m_ida names;
	uint32_t next_obj, next_file, next_dmabuf, next_dmabuf_fd, next_vm;
	uint64_t total_vmas_created;
	bool dirty;
	/* server callbacks (model-server.c) */
	void (*watch_fd)(int fd, uint32_t id, bool is_file);
};

extern struct model M;

/* state.c: the model, all fixes in, and the race windows of the unfixed
 * code: drop the lock, let others run. */
void model_init(void);
void model_window(void);
uint32_t ida_alloc(struct m_ida *ida);
void ida_free(struct m_ida *ida, uint32_t id);

/* Everything below runs with M.lock held; the ioctls return 0 or -errno.
 * objects.c */
struct m_obj *obj_new(uint64_t size);
void obj_get(struct m_obj *o);
void obj_put(struct m_obj *o);
struct m_file *file_new(pid_t pid, int server_end);
struct m_file *file_find(uint32_t id);
void file_release(struct m_file *f);
struct m_handle *handle_find(struct m_file *f, uint32_t handle);
uint32_t handle_create(struct m_file *f, struct m_obj *o);
int handle_delete(struct m_file *f, uint32_t handle);
int gem_create_ioctl(struct m_file *f, uint64_t size, uint32_t *handle);
int gem_close_ioctl(struct m_file *f, uint32_t handle);

/* flink.c */
int flink_ioctl(struct m_file *f, uint32_t handle, uint32_t *name);
int gem_open_ioctl(struct m_file *f, uint32_t name, uint32_t *handle, uint64_t *size);
/* with the lock held: the last handle is gone */
void flink_name_drop(struct m_obj *o);

/* prime.c */
int prime_handle_to_fd_ioctl(struct m_file *f, uint32_t handle, int *client_fd);
int prime_fd_to_handle_ioctl(struct m_file *f, int fd, uint32_t *handle);
void prime_handle_gone(struct m_file *f, struct m_obj *o, uint32_t handle);
void prime_last_handle_gone(struct m_obj *o);
void prime_file_release(struct m_file *f);
void dmabuf_put(struct m_dmabuf *d);
void dmabuf_fd_release(struct m_dmabuf_fd *fdset);
struct m_dmabuf_fd *dmabuf_fd_find(uint32_t id);
int dmabuf_count(uint64_t *bytes);
int dmabuf_size_of_fd(int fd, uint64_t *size);
struct m_obj *dmabuf_obj_of_fd(int fd);

/* i915.c (with the lock held) */
void mi915_file_open(struct m_file *f);
void mi915_file_release(struct m_file *f);
void mi915_obj_free(struct m_obj *o);
/* GEM_CLOSE of handle (of o) on f: drop its lookups, close unused VMAs. */
void mi915_handle_close(struct m_file *f, uint32_t handle, struct m_obj *o);
/* The file is going: its contexts' lookups go, the VMAs stay bound. */
void mi915_file_drop_luts(struct m_file *f);
/* Pin o for scan-out: a VMA in the global GTT (the console's framebuffer). */
void mi915_pin_scanout(struct m_obj *o);
int mi915_getparam(int32_t param, int32_t *value);
/* The object's pages as a memfd (made on first use), or -errno. */
int obj_memfd(struct m_obj *o);
int mi915_context_create(struct m_file *f, uint32_t *id);
int mi915_context_destroy(struct m_file *f, uint32_t id);
/* handles[n], ctx id; offsets[] come in as the presumed addresses (tried
 * first, as eb_pin_vma does) and go out as each object's address in ctx's VM */
int mi915_execbuf(struct m_file *f, uint32_t ctx, const uint32_t *handles, uint64_t *offsets, uint32_t n);

/* debugfs.c: dri/N only while the device is plugged */
void debugfs_write_all(const char *dir);
/* The file at rel (under the debugfs dir) as it is now, into out: 0,
 * -ENOENT (dri/N while unplugged), 1 when rel is not one of the model's. */
int debugfs_render(const char *rel, FILE *out);
/* /proc/PID/fdinfo/FD of DRM file f: 6.1's i915 keys (driver, pdev,
 * client id, engines), and with M.fdinfo_memory the memory keys. */
void fdinfo_render(const struct m_file *f, FILE *out);
/* dri/N with every file (and the i915_gem_drop_caches gemsoakd writes) */
void debugfs_add_device(const char *dir);
void debugfs_remove_device(const char *dir);

/* hotplug.c: drm_dev_unplug() and a rebind (SIGUSR1, SIGUSR2 to the server) */
void model_unplug(const char *debugfs_dir);
void model_replug(const char *debugfs_dir);

#endif
