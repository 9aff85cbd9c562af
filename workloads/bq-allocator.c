/* buffer-queue's process 0: gralloc, which allocates buffers and answers
 * with the dma-buf fd in an fd array (a native_handle, as gralloc's HIDL
 * allocator does), and the context manager (the service manager, handle
 * 0), which keeps the compositor's registration. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "workloads/buffer-queue.h"
#include "workloads/promises.h"

/* Allocate one buffer and send it back as a native handle. */
static void gralloc_alloc(struct wl_proc *p, struct binder *b, int fd, const struct binder_in *in)
{
	const struct bq_alloc *req = binder_in_data(in, 0, sizeof(*req));
	uint32_t h;
	int dmabuf = -1;
	int r = req ? gem_create(fd, p->dev->kind, req->size, &h) : -EPROTO;
	if (r) {
		if (req)
			wl_count_error(p, GS_IOC_CREATE, r);
		bq_reply_status(b, in, r);
		return;
	}
	r = wl_ioctl_result(p, GS_IOC_PRIME_EXPORT, RACE_NONE, prime_export(fd, h, &dmabuf), "gralloc-export", h);
	struct binder_txn t;
	binder_txn_init(&t);
	struct bq_alloc_reply rep = { .status = r, .ino = r ? 0 : bq_inode_of(dmabuf) };
	binder_txn_put(&t, &rep, sizeof(rep));
	if (!r)
		binder_txn_put_fd_array(&t, &dmabuf, 1);
	binder_reply(b, in, &t);
	/* The driver took its own reference to the file while replying: the
	 * allocator keeps nothing of the buffer, as gralloc's allocator does. */
	if (dmabuf >= 0)
		close(dmabuf);
	gem_close(fd, h);
}

void bq_allocator_run(struct wl_proc *p)
{
	int fd = wl_open_client(p, NULL);
	struct binder b;
	bq_open_binder(p, &b);
	/* The previous context manager's node goes in the driver's deferred
	 * work after its process died: give it a moment. */
	int r = -EBUSY;
	for (int tries = 0; tries < 50 && (r = binder_become_manager(&b)) == -EBUSY; tries++)
		usleep(20000);
	if (r) {
		wl_report(p, "device", "cannot become the context manager of %s: %s (does another process, "
			  "a service manager or another buffer-queue workload, hold it?)", BINDER_DEFAULT_DEVICE,
			  strerror(-r));
		wl_exit(p, WL_EXIT_DEVICE);
	}
	bool registered = false;
	uint32_t consumer = 0;
	uint64_t cookie = 0;
	while (!wl_should_stop(p)) {
		struct binder_event ev;
		r = binder_next(&b, 200, &ev);
		if (r == -ETIME)
			continue;
		if (r) {
			wl_anomaly(p, "protocol", "allocator: reading binder returns: %s", strerror(-r));
			wl_exit(p, 3);
		}
		if (ev.kind == BEV_DEATH) {
			/* The compositor died: forget it, as servicemanager does. */
			if (registered && ev.cookie == cookie) {
				binder_unwatch_death(&b, consumer, cookie);
				binder_release(&b, consumer);
				registered = false;
			}
			binder_death_done(&b, ev.cookie);
			continue;
		}
		if (ev.kind != BEV_TRANSACTION)
			continue;
		if (ev.in.flags & TF_ONE_WAY) {
			binder_free(&b, &ev.in);
			continue;
		}
		uint32_t h;
		switch (ev.in.code) {
		case SM_ADD:
			if (binder_in_handle(&ev.in, &h)) {
				bq_reply_status(&b, &ev.in, -EINVAL);
				break;
			}
			binder_acquire(&b, h); /* before the buffer's own reference goes */
			if (registered && consumer != h) {
				binder_unwatch_death(&b, consumer, cookie);
				binder_release(&b, consumer);
			}
			if (!registered || consumer != h)
				binder_watch_death(&b, h, ++cookie);
			else
				binder_release(&b, h); /* registered again: one reference is enough */
			consumer = h;
			registered = true;
			bq_reply_status(&b, &ev.in, 0);
			break;
		case SM_GET: {
			struct binder_txn t;
			binder_txn_init(&t);
			struct bq_status st = { .status = registered ? 0 : -ENOENT };
			binder_txn_put(&t, &st, sizeof(st));
			if (registered)
				binder_txn_put_handle(&t, consumer);
			binder_reply(&b, &ev.in, &t);
			break;
		}
		case GRALLOC_ALLOC:
			gralloc_alloc(p, &b, fd, &ev.in);
			break;
		default:
			bq_reply_status(&b, &ev.in, -EINVAL);
		}
		binder_flush(&b);
		bq_check_dropped(p, &b);
	}
	wl_exit(p, 0);
}
