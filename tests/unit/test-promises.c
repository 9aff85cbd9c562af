/* The kernel's promises: each check fires on a violated state, passes on a
 * kept one, and a worker's broken promise or undocumented errno reaches
 * the daemon as an anomaly message naming the step, handle and errno. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "workloads/close-order.h"
#include "workloads/promises.h"

static void reimport_gives_same_handle(void **state)
{
	assert_true(same_handle_on_reimport(5, 5));
	assert_false(same_handle_on_reimport(5, 6));
}

static void reexport_gives_same_dmabuf(void **state)
{
	assert_true(same_dmabuf_on_reexport(1234, 1234));
	assert_false(same_dmabuf_on_reexport(1234, 1235));
}

static void reflink_gives_same_name(void **state)
{
	assert_true(same_name_on_reflink(7, 7));
	assert_false(same_name_on_reflink(7, 8)); /* seed 002: a second name */
}

static void reimport_after_close(void **state)
{
	assert_true(reimport_after_close_works(0));
	assert_false(reimport_after_close_works(-ENOENT));
	assert_false(reimport_after_close_works(-EINVAL));
}

static void sizes(void **state)
{
	assert_true(size_matches(4096, 4096));
	assert_true(size_matches(5000, 8192));   /* rounded to pages */
	assert_false(size_matches(8192, 4096));  /* smaller */
	assert_false(size_matches(4096, 1 << 20));
}

static void closed_handle_is_gone(void **state)
{
	assert_true(handle_gone(-ENOENT));
	assert_false(handle_gone(0));            /* still exports: leaked handle */
	assert_false(handle_gone(-EINVAL));
}

static void master_after_restarts(void **state)
{
	assert_true(master_after_restart(0));
	assert_false(master_after_restart(-EBUSY)); /* a stale master holds the device */
	assert_false(master_after_restart(-EACCES));
}

static void documented_errnos(void **state)
{
	/* Racing GEM_CLOSE: only losing the race is fine. */
	assert_true(errno_allowed(GS_IOC_PRIME_EXPORT, RACE_CLOSE, -ENOENT));
	assert_true(errno_allowed(GS_IOC_OPEN, RACE_CLOSE, -ENOENT));
	assert_true(errno_allowed(GS_IOC_FLINK, RACE_CLOSE, -ENOENT));
	assert_true(errno_allowed(GS_IOC_CLOSE, RACE_CLOSE, -EINVAL));
	assert_true(errno_allowed(GS_IOC_PRIME_IMPORT, RACE_CLOSE, 0));
	assert_false(errno_allowed(GS_IOC_PRIME_EXPORT, RACE_CLOSE, -EINVAL));
	assert_false(errno_allowed(GS_IOC_PRIME_EXPORT, RACE_CLOSE, -EBADF));
	assert_false(errno_allowed(GS_IOC_CLOSE, RACE_CLOSE, -ENOENT));
	assert_false(errno_allowed(GS_IOC_PRIME_IMPORT, RACE_CLOSE, -ENOENT)); /* the fd holds it */
	assert_false(errno_allowed(GS_IOC_OPEN, RACE_CLOSE, -EINVAL));
	/* Outside a race no error is documented. */
	assert_false(errno_allowed(GS_IOC_PRIME_EXPORT, RACE_NONE, -ENOENT));
	assert_false(errno_allowed(GS_IOC_AUTH_MAGIC, RACE_NONE, -EINVAL));
	assert_true(errno_allowed(GS_IOC_AUTH_MAGIC, RACE_NONE, 0));
}

static void close_orders(void **state)
{
	uint8_t o[CLOSE_STEPS];
	assert_int_equal(close_order_parse("fd,importer,exporter", o), 0);
	assert_int_equal(o[0], CLOSE_FD);
	assert_int_equal(o[2], CLOSE_EXPORTER);
	assert_int_equal(close_order_parse("exporter, fd, importer", o), 0);
	assert_int_equal(o[0], CLOSE_EXPORTER);
	assert_int_equal(close_order_parse("fd,fd,exporter", o), -1);
	assert_int_equal(close_order_parse("fd,importer", o), -1);
	assert_int_equal(close_order_parse("fd,importer,exporter,fd", o), -1);
	assert_null(close_order_check("cycle"));
	assert_null(close_order_check("random"));
	assert_null(close_order_check(""));
	assert_non_null(close_order_check("backwards"));
	/* "cycle" walks through six different orders, seed 000's first. */
	uint8_t seen[6][CLOSE_STEPS];
	for (unsigned k = 0; k < 6; k++) {
		close_order_nth(k, seen[k]);
		for (unsigned j = 0; j < k; j++)
			assert_memory_not_equal(seen[k], seen[j], CLOSE_STEPS);
	}
	assert_int_equal(seen[0][0], CLOSE_FD);
	assert_int_equal(seen[0][1], CLOSE_IMPORTER);
	assert_int_equal(seen[0][2], CLOSE_EXPORTER);
}

/* The seed decides the random close orders, the same every run. */
static void seeded_choices_repeat(void **state)
{
	const struct wl_type *t = wl_type_find("prime-share");
	struct wl_config a = { .type = t }, b = { .type = t };
	a.val[wl_key_index(t, "seed")] = 42;
	b.val[wl_key_index(t, "seed")] = 43;
	struct wl_proc pa = { .cfg = &a, .index = 0 }, pb = { .cfg = &b, .index = 0 };
	struct close_order x, y, z;
	close_order_init(&x, &pa, "random");
	close_order_init(&y, &pa, "random");
	close_order_init(&z, &pb, "random");
	int differ = 0;
	for (uint32_t c = 0; c < 64; c++) {
		uint8_t ox[CLOSE_STEPS], oy[CLOSE_STEPS], oz[CLOSE_STEPS];
		close_order_next(&x, c, ox);
		close_order_next(&y, c, oy);
		close_order_next(&z, c, oz);
		assert_memory_equal(ox, oy, CLOSE_STEPS);
		differ += memcmp(ox, oz, CLOSE_STEPS) != 0;
	}
	assert_true(differ > 0);
	/* A fixed order is kept; "cycle" follows the cycle number. */
	uint8_t o[CLOSE_STEPS], n[CLOSE_STEPS];
	close_order_init(&x, &pa, "importer,exporter,fd");
	close_order_next(&x, 5, o);
	assert_int_equal(o[0], CLOSE_IMPORTER);
	close_order_init(&x, &pa, "cycle");
	close_order_next(&x, 8, o);
	close_order_nth(2, n);
	assert_memory_equal(o, n, CLOSE_STEPS);
}

/* A worker wired to a socketpair standing in for the daemon. */
struct rig {
	struct wl_config cfg;
	struct wl_counters ctr;
	struct wl_proc p;
	int sv[2];
};

static int rig_setup(void **state)
{
	static struct rig r;
	memset(&r, 0, sizeof(r));
	r.cfg.type = wl_type_find("self-import");
	assert_non_null(r.cfg.type);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, r.sv), 0);
	r.p = (struct wl_proc){ .cfg = &r.cfg, .index = 3, .ctr = &r.ctr, .report_fd = r.sv[0] };
	*state = &r;
	return 0;
}

static int rig_teardown(void **state)
{
	struct rig *r = *state;
	close(r->sv[0]);
	close(r->sv[1]);
	return 0;
}

static bool next_report(struct rig *r, struct wl_msg *m)
{
	return recv(r->sv[1], m, sizeof(*m), MSG_DONTWAIT) == (ssize_t)sizeof(*m);
}

static void broken_promise_is_reported(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	assert_true(wl_promise(&r->p, "same_handle_on_reimport", same_handle_on_reimport(4, 4), "x"));
	assert_false(next_report(r, &m));
	assert_false(wl_promise(&r->p, "same_handle_on_reimport", same_handle_on_reimport(4, 9),
				"cycle %u: imported as handle %u, then as %u", 17u, 4u, 9u));
	assert_true(next_report(r, &m));
	assert_int_equal(m.index, 3);
	assert_string_equal(m.kind, "promise");
	assert_string_equal(m.text, "same_handle_on_reimport violated: cycle 17: imported as handle 4, then as 9");
}

static void undocumented_errno_is_reported(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	assert_int_equal(wl_ioctl_result(&r->p, GS_IOC_PRIME_EXPORT, RACE_CLOSE, -ENOENT, "export-vs-close", 12), -ENOENT);
	assert_false(next_report(r, &m)); /* counted, not an anomaly */
	assert_int_equal(r->ctr.errors[GS_IOC_PRIME_EXPORT][ENOENT], 1);
	wl_ioctl_result(&r->p, GS_IOC_PRIME_EXPORT, RACE_CLOSE, -EBADF, "export-vs-close", 12);
	assert_true(next_report(r, &m));
	assert_string_equal(m.kind, "unexpected-errno");
	assert_non_null(strstr(m.text, "export-vs-close: PRIME_HANDLE_TO_FD on 12 returned EBADF"));
	assert_int_equal(r->ctr.errors[GS_IOC_PRIME_EXPORT][EBADF], 1);
}

static void test_hook_violates_once(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	int k = wl_key_index(r->cfg.type, "test_hook_violate");
	assert_true(k >= 0);
	strcpy(r->cfg.str[k], "handle_gone");
	assert_true(wl_promise(&r->p, "reimport_after_close_works", true, "not named"));
	assert_false(next_report(r, &m));
	assert_false(wl_promise(&r->p, "handle_gone", true, "handle %u", 5u));
	assert_true(next_report(r, &m));
	assert_string_equal(m.text, "handle_gone violated (test hook): handle 5");
	assert_true(wl_promise(&r->p, "handle_gone", true, "handle %u", 5u)); /* once only */
	assert_false(next_report(r, &m));
	r->cfg.str[k][0] = '\0';
}

/* A starved machine makes late events by the hundred: they are capped on
 * their own, and a broken promise among them is still recorded. */
static void late_events_do_not_crowd_out_anomalies(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	int late = 0;
	for (int i = 0; i < 3 * ANOMALY_BURST; i++) {
		wl_late(&r->p, "frame %d: late", i);
		while (next_report(r, &m)) {
			assert_string_equal(m.kind, "late");
			late++;
		}
	}
	print_message("    %d of %d late events recorded\n", late, 3 * ANOMALY_BURST);
	assert_int_equal(late, ANOMALY_BURST);
	wl_anomaly(&r->p, "promise", "fence_signals violated: never signalled");
	assert_true(next_report(r, &m));
	assert_string_equal(m.kind, "promise");
	assert_string_equal(m.text, "fence_signals violated: never signalled");
}

/* A kernel that breaks a promise every cycle: a burst is recorded, then
 * the rate is capped, and the next record counts what was left out. */
static void anomalies_are_rate_limited(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	int recorded = 0;
	for (int i = 0; i < 3 * ANOMALY_BURST; i++) {
		wl_anomaly(&r->p, "promise", "violation %d", i);
		while (next_report(r, &m))
			recorded++;
	}
	/* The earlier tests of this process used a few of the burst. */
	assert_true(recorded <= ANOMALY_BURST);
	assert_true(recorded >= ANOMALY_BURST - 10);
	usleep(300000);
	wl_anomaly(&r->p, "promise", "one more");
	assert_true(next_report(r, &m));
	char expect[96];
	snprintf(expect, sizeof(expect), "one more (and %d anomalies not recorded before this one)",
		 3 * ANOMALY_BURST - recorded);
	assert_string_equal(m.text, expect);
}

/* x-restart's short-lived children share their worker's hook and cap. */
static void children_share_the_state(void **state)
{
	struct rig *r = *state;
	struct wl_msg m;
	wl_anomaly_share();
	int k = wl_key_index(r->cfg.type, "test_hook_violate");
	strcpy(r->cfg.str[k], "handle_gone");
	for (int child = 0; child < 2; child++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(wl_promise(&r->p, "handle_gone", true, "child %d", child) ? 0 : 1);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(WEXITSTATUS(status), child == 0 ? 1 : 0); /* fired in the first only */
	}
	assert_true(next_report(r, &m));
	assert_string_equal(m.text, "handle_gone violated (test hook): child 0");
	assert_false(next_report(r, &m));
	r->cfg.str[k][0] = '\0';
}

/* Fences a waiter saw late, 1 s bound and vgem's 10 s expiry: the
 * measured case (a starved producer) is late, never broken; a fence its
 * signaller went past, one the kernel did not signal in the signal call,
 * and one never signalled at all are broken promises. */
static void late_fences_are_late_not_broken(void **state)
{
	const double bound = 1.0, expiry = 11.0;
	/* The producer starved 1.8 s between queueing and signalling; the
	 * kernel signalled the fence inside its signal call. */
	struct fence_seen starved = { .came = 100, .now = 102, .signalled = 101.8, .signaller = 101.8001,
				      .known = true };
	assert_int_equal(fence_fate(&starved, bound, expiry), FENCE_LATE);
	/* Still starved: nothing to decide yet, even past the bound. */
	struct fence_seen waiting = { .came = 100, .now = 103, .known = true };
	assert_int_equal(fence_fate(&waiting, bound, expiry), FENCE_PENDING);
	/* Starved past vgem's expiry: vgem signalled it first; decided when
	 * the producer runs again, which makes it late. */
	struct fence_seen expired = { .came = 100, .now = 110.5, .signalled = 110, .known = true };
	assert_int_equal(fence_fate(&expired, bound, expiry), FENCE_PENDING);
	expired.signaller = 112;
	assert_int_equal(fence_fate(&expired, bound, expiry), FENCE_LATE);
	/* The record overwritten by thousands of later frames: late. */
	struct fence_seen forgotten = { .came = 100, .now = 104, .signalled = 103, .went_on = true };
	assert_int_equal(fence_fate(&forgotten, bound, expiry), FENCE_LATE);
}

static void fences_never_signalled_are_broken(void **state)
{
	const double bound = 1.0, expiry = 11.0;
	/* The producer went on to later frames without signalling it (the
	 * unsignalled_every control, a job that never completes). */
	struct fence_seen skipped = { .came = 100, .now = 101.2, .went_on = true, .known = true };
	assert_int_equal(fence_fate(&skipped, bound, expiry), FENCE_UNSIGNALLED);
	skipped.signalled = 110; /* ... and vgem expired it */
	assert_int_equal(fence_fate(&skipped, bound, expiry), FENCE_UNSIGNALLED);
	/* Signalled by the kernel 3 s after the producer's signal call returned. */
	struct fence_seen lost = { .came = 100, .now = 105, .signalled = 104.5, .signaller = 101.5, .known = true };
	assert_int_equal(fence_fate(&lost, bound, expiry), FENCE_SIGNAL_LOST);
	/* ... or not at all, the bound after it. */
	lost.signalled = 0;
	assert_int_equal(fence_fate(&lost, bound, expiry), FENCE_SIGNAL_LOST);
	lost.now = 102;
	assert_int_equal(fence_fate(&lost, bound, expiry), FENCE_PENDING);
	/* Not signalled 11 s after it came, past vgem's expiry of every fence. */
	struct fence_seen never = { .came = 100, .now = 111.5 };
	assert_int_equal(fence_fate(&never, bound, expiry), FENCE_NEVER);
	never.now = 110.5;
	assert_int_equal(fence_fate(&never, bound, expiry), FENCE_PENDING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reimport_gives_same_handle),
		cmocka_unit_test(late_fences_are_late_not_broken),
		cmocka_unit_test(fences_never_signalled_are_broken),
		cmocka_unit_test(reexport_gives_same_dmabuf),
		cmocka_unit_test(reflink_gives_same_name),
		cmocka_unit_test(reimport_after_close),
		cmocka_unit_test(sizes),
		cmocka_unit_test(closed_handle_is_gone),
		cmocka_unit_test(master_after_restarts),
		cmocka_unit_test(documented_errnos),
		cmocka_unit_test(close_orders),
		cmocka_unit_test(seeded_choices_repeat),
		cmocka_unit_test_setup_teardown(broken_promise_is_reported, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(undocumented_errno_is_reported, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_hook_violates_once, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(late_events_do_not_crowd_out_anomalies, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(anomalies_are_rate_limited, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(children_share_the_state, rig_setup, rig_teardown),
	};
	return cmocka_run_group_tests_name("promises", tests, NULL, NULL);
}
