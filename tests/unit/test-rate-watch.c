/* The below-rate watch (daemon/rate-watch.c): a workload far below its
 * cap over a full window is said once when it falls there and once when
 * it is back, never every round; no cap, a pause or a restarted counter
 * never makes it below, and pauses in turn do not keep the window from
 * being full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/rate-watch.h"

struct tally {
	int below, back;
	double below_s, per_s;
};

/* rounds rounds of dt s at per_s cycles/s from *t and *c, on workload w. */
static void feed_every(struct rate_watch *rw, const char *w, int64_t cap, double *t, uint64_t *c, double per_s,
		       int rounds, double dt, bool paused, struct tally *n)
{
	for (int i = 0; i < rounds; i++) {
		*t += dt;
		*c += (uint64_t)(per_s * dt);
		double rate, below_s;
		int r = rate_watch_round(rw, w, cap, *t, *c, paused, &rate, &below_s);
		assert_true(r >= 0);
		n->below += r == RATE_BELOW;
		n->back += r == RATE_BACK;
		if (r == RATE_BACK)
			n->below_s = below_s;
		if (r == RATE_BELOW)
			n->per_s = rate;
	}
}

/* Rounds of 1 s, against a window of 12 s. */
static void feed(struct rate_watch *rw, const char *w, int64_t cap, double *t, uint64_t *c, double per_s,
		 int rounds, bool paused, struct tally *n)
{
	rw->window_s = 12;
	feed_every(rw, w, cap, t, c, per_s, rounds, 1.0, paused, n);
}

static void below_once_then_back_once(void **state)
{
	struct rate_watch rw = { 0 };
	struct tally n = { 0 };
	double t = 0;
	uint64_t c = 0;
	feed(&rw, "canary", 100, &t, &c, 100, 30, false, &n);
	assert_int_equal(n.below, 0);
	/* 2.6 cycles/s for 60 rounds: one event, when the window is all slow */
	feed(&rw, "canary", 100, &t, &c, 3, 60, false, &n);
	assert_int_equal(n.below, 1);
	assert_true(n.per_s < 50);
	/* half-way back (60 of 100) is not back yet */
	feed(&rw, "canary", 100, &t, &c, 60, 30, false, &n);
	assert_int_equal(n.back, 0);
	feed(&rw, "canary", 100, &t, &c, 100, 30, false, &n);
	assert_int_equal(n.below, 1);
	assert_int_equal(n.back, 1);
	assert_true(n.below_s > 60);
	rate_watch_free(&rw);
}

static void no_work_is_below(void **state)
{
	struct rate_watch rw = { 0 };
	struct tally n = { 0 };
	double t = 0;
	uint64_t c = 0;
	feed(&rw, "xorg", 2, &t, &c, 0, 12, false, &n);
	assert_int_equal(n.below, 0); /* 11 s of the 12 s window so far */
	feed(&rw, "xorg", 2, &t, &c, 0, 1, false, &n);
	assert_int_equal(n.below, 1);
	assert_true(n.per_s == 0);
	rate_watch_free(&rw);
}

/* Rounds that come late (5 s apart on a busy machine) do not shorten the
 * window: the event waits for 12 s of them, not for a number of rounds. */
static void late_rounds_keep_the_window(void **state)
{
	struct rate_watch rw = { .window_s = 12 };
	struct tally n = { 0 };
	double t = 0;
	uint64_t c = 0;
	feed_every(&rw, "w", 100, &t, &c, 1, 3, 5.0, false, &n);
	assert_int_equal(n.below, 0); /* 10 s */
	feed_every(&rw, "w", 100, &t, &c, 1, 1, 5.0, false, &n);
	assert_int_equal(n.below, 1); /* 15 s */
	assert_true(n.per_s > 0.9 && n.per_s < 1.1);
	rate_watch_free(&rw);
}

static void never_below_without_cap_or_when_paused(void **state)
{
	struct rate_watch rw = { 0 };
	struct tally n = { 0 };
	double t = 0;
	uint64_t c = 0;
	feed(&rw, "free", 0, &t, &c, 0, 40, false, &n);
	assert_int_equal(n.below, 0);
	/* paused by the guard or the probe: no cycles, not below */
	feed(&rw, "paused", 100, &t, &c, 100, 20, false, &n);
	feed(&rw, "paused", 100, &t, &c, 0, 40, true, &n);
	/* the pause is left out of the window: at its rate again after it */
	feed(&rw, "paused", 100, &t, &c, 100, 20, false, &n);
	assert_int_equal(n.below, 0);
	rate_watch_free(&rw);
}

/* The probe's pauses in turn in a short run: paused 3 rounds in every
 * 12, as often as the window is long. A slow workload is still found
 * below its rate (its running time fills the window), one at its rate
 * is not. */
static void paused_in_turn_still_judged(void **state)
{
	struct rate_watch rw = { 0 };
	struct tally slow = { 0 }, fast = { 0 };
	double ts = 0, tf = 0;
	uint64_t cs = 0, cf = 0;
	for (int k = 0; k < 10; k++) {
		feed(&rw, "slow", 100, &ts, &cs, 3, 9, false, &slow);
		feed(&rw, "slow", 100, &ts, &cs, 0, 3, true, &slow);
		feed(&rw, "fast", 100, &tf, &cf, 100, 9, false, &fast);
		feed(&rw, "fast", 100, &tf, &cf, 0, 3, true, &fast);
	}
	const struct rate_track *tr = rate_watch_find(&rw, "fast");
	print_message("paused 3 rounds in 12: slow below %d time(s) at %.1f cycles/s; fast below %d time(s),"
		      " %.1f cycles/s\n", slow.below, slow.per_s, fast.below, tr->per_s);
	assert_int_equal(slow.below, 1);
	assert_true(slow.per_s > 2 && slow.per_s < 4);
	assert_int_equal(fast.below, 0);
	assert_true(tr->per_s > 99 && tr->per_s < 101);
	rate_watch_free(&rw);
}

static void restarted_counter_starts_the_window_again(void **state)
{
	struct rate_watch rw = { 0 };
	struct tally n = { 0 };
	double t = 0;
	uint64_t c = 100000;
	feed(&rw, "w", 100, &t, &c, 100, 20, false, &n);
	c = 0; /* the workload started anew: its counters from 0 */
	feed(&rw, "w", 100, &t, &c, 100, 20, false, &n);
	assert_int_equal(n.below, 0);
	const struct rate_track *tr = rate_watch_find(&rw, "w");
	assert_non_null(tr);
	assert_true(tr->per_s > 99 && tr->per_s < 101);
	assert_null(rate_watch_find(&rw, "other"));
	rate_watch_free(&rw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(below_once_then_back_once),
		cmocka_unit_test(no_work_is_below),
		cmocka_unit_test(late_rounds_keep_the_window),
		cmocka_unit_test(never_below_without_cap_or_when_paused),
		cmocka_unit_test(paused_in_turn_still_judged),
		cmocka_unit_test(restarted_counter_starts_the_window_again),
	};
	return cmocka_run_group_tests_name("rate-watch", tests, NULL, NULL);
}
