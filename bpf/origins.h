/* What the origins BPF program (bpf/origins.bpf.c) and its reader
 * (sources/origins.c) share: the live-object map's key and value, the
 * kinds, the bounds. Plain fixed-width types only: both the BPF target
 * and the host compile it. */
#ifndef GS_BPF_ORIGINS_H
#define GS_BPF_ORIGINS_H

#include <linux/types.h>

/* Live objects traced at once, unless the loader sets another bound
 * (gemsoakd's [daemon] origins_objects). Past it new objects are counted
 * as untraced (ORIGINS_STAT_UNTRACED) and the reader says so once. */
#define ORIGINS_MAX_OBJECTS 65536
/* Distinct creation stacks kept (a stack map's buckets), and the frames
 * kept of each: what a reader needs to see the ioctl that made it. */
#define ORIGINS_MAX_STACKS 4096
#define ORIGINS_STACK_DEPTH 20
/* dma_buf_export calls in flight (entry to return), per thread. */
#define ORIGINS_MAX_PENDING 1024

enum origin_kind { ORIGIN_DMABUF = 0, ORIGIN_GEM = 1 };

/* Slots of the stats array map. */
enum origin_stat {
	ORIGINS_STAT_UNTRACED = 0, /* objects not kept: the map was full */
	ORIGINS_STAT_NO_STACK = 1, /* objects kept without their stack */
	ORIGINS_STAT_COUNT = 2,
};

/* The value kept per live object, keyed by the object's address (__u64). */
struct origin_val {
	__u64 size;      /* bytes */
	__u64 ts;        /* bpf_ktime_get_ns() at creation */
	__s32 tgid, pid; /* the creating process and thread */
	__s32 pgid;      /* its process group (a workload's, for gemsoakd's workers) */
	__s32 stack_id;  /* in the stacks map; negative: not recorded */
	__u32 kind;      /* enum origin_kind */
	char comm[16];   /* the creating thread's name */
};

#endif
