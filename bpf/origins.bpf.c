/* The origins of live GEM objects and dma-bufs, traced in the kernel:
 * every object made is kept in a bounded hash map, keyed by its address,
 * with the process, thread, process group, name, kernel stack, size and
 * time that made it, and removed when the kernel releases it. What stays
 * in the map is what is alive; sources/origins.c reads it each round.
 *
 * Hook points, Debian's 6.1 (docs/ORIGINS.md says what breaks elsewhere):
 *   dma_buf_export (entry: the stack; return: the dma_buf made),
 *   dma_buf_release (the dentry's d_release: the last reference gone),
 *   drm_gem_object_init, drm_gem_private_object_init (entry),
 *   drm_gem_object_release (entry).
 * Plain kprobes read the arguments; the few struct fields read are
 * declared here with preserve_access_index, so libbpf relocates them
 * against the running kernel's BTF (CO-RE) instead of this file's layout. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/origins.h"

/* The kernel lends bpf_probe_read_kernel (CO-RE reads) and the stack
 * helpers only to programs of a GPL-compatible license. */
char LICENSE[] SEC("license") = "GPL";

/* The fields read, as the kernel names them; CO-RE finds their offsets. */
struct dma_buf {
	unsigned long size; /* size_t */
} __attribute__((preserve_access_index));
struct dentry {
	void *d_fsdata;
} __attribute__((preserve_access_index));
struct upid {
	int nr;
} __attribute__((preserve_access_index));
struct pid {
	struct upid numbers[1];
} __attribute__((preserve_access_index));
struct signal_struct {
	struct pid *pids[4];
} __attribute__((preserve_access_index));
struct task_struct {
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

#define PIDTYPE_PGID 2 /* enum pid_type, unchanged since 4.19 */
#define MAX_ERRNO 4095

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* memory follows the objects alive */
	__uint(max_entries, ORIGINS_MAX_OBJECTS);
	__type(key, __u64);
	__type(value, struct origin_val);
} live SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, ORIGINS_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ORIGINS_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

/* dma_buf_export's stack, from its entry to its return, per thread (LRU:
 * a thread that died in between leaves nothing behind for good). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ORIGINS_MAX_PENDING);
	__type(key, __u64);
	__type(value, __s32);
} pending SEC(".maps");

/* The object drm_gem_object_init is making, per thread: the
 * drm_gem_private_object_init it calls then keeps nothing of its own, so
 * that one path gives one stack (the outer one's). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ORIGINS_MAX_PENDING);
	__type(key, __u64);
	__type(value, __u64);
} gem_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ORIGINS_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
}

/* Keep the object at addr as made now by the current thread, with the
 * stack stack_id (negative: none). A full map counts it as untraced. */
static __always_inline void keep(__u64 addr, __u32 kind, __u64 size, __s32 stack_id)
{
	struct origin_val v = {};
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	v.size = size;
	v.ts = bpf_ktime_get_ns();
	v.tgid = id >> 32;
	v.pid = (__u32)id;
	v.pgid = BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	v.stack_id = stack_id;
	v.kind = kind;
	bpf_get_current_comm(v.comm, sizeof(v.comm));
	if (stack_id < 0)
		count(ORIGINS_STAT_NO_STACK);
	/* BPF_ANY: an address freed without a release we saw is taken over
	 * by its new object. */
	if (bpf_map_update_elem(&live, &addr, &v, BPF_ANY))
		count(ORIGINS_STAT_UNTRACED);
}

SEC("kprobe/dma_buf_export")
int BPF_KPROBE(dma_buf_export_entry)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s32 stack_id = bpf_get_stackid(ctx, &stacks, 0);

	bpf_map_update_elem(&pending, &id, &stack_id, BPF_ANY);
	return 0;
}

SEC("kretprobe/dma_buf_export")
int BPF_KRETPROBE(dma_buf_export_return, struct dma_buf *dmabuf)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s32 *stack_id = bpf_map_lookup_elem(&pending, &id);
	__s32 sid = stack_id ? *stack_id : -1;

	bpf_map_delete_elem(&pending, &id);
	/* An ERR_PTR is not an object. */
	if (!dmabuf || (unsigned long)dmabuf >= (unsigned long)-MAX_ERRNO)
		return 0;
	keep((__u64)(unsigned long)dmabuf, ORIGIN_DMABUF, BPF_CORE_READ(dmabuf, size), sid);
	return 0;
}

SEC("kprobe/dma_buf_release")
int BPF_KPROBE(dma_buf_release, struct dentry *dentry)
{
	__u64 addr = (__u64)(unsigned long)BPF_CORE_READ(dentry, d_fsdata);

	if (addr)
		bpf_map_delete_elem(&live, &addr);
	return 0;
}

/* Both initialisers take (dev, obj, size). Drivers call either:
 * drm_gem_object_init (shmem-backed objects) calls the private one, which
 * it may also have inlined, so both are hooked. */
SEC("kprobe/drm_gem_object_init")
int BPF_KPROBE(drm_gem_object_init, void *dev, void *obj, unsigned long size)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 addr = (__u64)(unsigned long)obj;

	keep(addr, ORIGIN_GEM, size, bpf_get_stackid(ctx, &stacks, 0));
	bpf_map_update_elem(&gem_outer, &id, &addr, BPF_ANY);
	return 0;
}

SEC("kprobe/drm_gem_private_object_init")
int BPF_KPROBE(drm_gem_private_object_init, void *dev, void *obj, unsigned long size)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 addr = (__u64)(unsigned long)obj;
	__u64 *outer = bpf_map_lookup_elem(&gem_outer, &id);

	if (outer && *outer == addr) {
		bpf_map_delete_elem(&gem_outer, &id);
		return 0; /* kept by drm_gem_object_init, with its stack */
	}
	keep(addr, ORIGIN_GEM, size, bpf_get_stackid(ctx, &stacks, 0));
	return 0;
}

SEC("kprobe/drm_gem_object_release")
int BPF_KPROBE(drm_gem_object_release, void *obj)
{
	__u64 addr = (__u64)(unsigned long)obj;

	bpf_map_delete_elem(&live, &addr);
	return 0;
}
