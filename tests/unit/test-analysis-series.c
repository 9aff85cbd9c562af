/* The verdict on one series (analysis/series.h) on runs whose shape is
 * known: a warm-up (db/TRENDS.md, "Warm-up"), a late onset ("Late
 * onsets"), each with its negative or positive control. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/series.h"

#define MAX_ROUNDS 721

static const long steps[] = { 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512 };

/* The shape of a run's floor: `warm` objects filled in a ramp of `ramp`
 * seconds from the start, `leak` objects per 1000 cycles, one object of
 * noise (a fixed pseudo-random sequence), and from `onset` seconds on
 * `late` objects per 1000 cycles more. */
struct shape {
	double warm, ramp, leak, onset, late;
};

/* Rounds 10 s apart of a workload at 100 cycles/s: the floor of shape s
 * under a sawtooth of 70 s (a buffer every 3.5 s, as bench's). */
static void rounds(struct gs_point *p, size_t n, const struct shape *s)
{
	unsigned long x = 1;
	for (size_t i = 0; i < n; i++) {
		double t = 10.0 * (double)i, c = 100 * t;
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		double noise = (double)((x >> 16) % 3) - 1;
		double f = floor(s->warm * fmin(t / s->ramp, 1) + s->leak * c / 1000 + noise +
				 (t > s->onset ? s->late * (c - 100 * s->onset) / 1000 : 0));
		double v = f + (double)((i * 10) % 70) / 3.5;
		p[i] = (struct gs_point){ .t = t, .c = c, .lo = v, .hi = v, .mid = v, .cnt = 1 };
	}
}

/* The verdict on the first n rounds, against the default thresholds of
 * a count (0.05 per 1000 cycles) and settings (db/TRENDS.md); their step
 * the mean spacing, as trend_runs'. */
static enum gs_verdict judge(const struct gs_point *p, size_t n, struct gs_series_result *r)
{
	static struct gs_window w[MAX_ROUNDS];
	double tl = p[n - 1].t;
	struct gs_series_params q = {
		.started = 0, .t_first = 0, .t_mid = tl / 2, .span = tl, .step = tl / (double)(n - 1), .by_cycles = 1,
		.m = 0.05 / 1000,
		.assess = 1, .min_windows = 4, .min_span_s = 60, .min_r2 = 0.5, .min_half_ratio = 1, .conf = 0.999,
		.swing_max = 0.05, .steps = steps, .nsteps = sizeof(steps) / sizeof(steps[0]),
	};
	size_t nw;
	assert_int_equal(gs_judge_series(p, n, &q, r, w, &nw), 0);
	return r->verdict;
}

/* The verdicts at each whole minute from `from` to `to` (a round count of
 * 6 m + 1: windows that hold whole minutes); the minutes whose verdict is
 * (is_ == 1) or is not (is_ == 0) v are listed in out. Their number. */
static int minutes_where(const struct gs_point *p, int from, int to, enum gs_verdict v, int is_, char *out,
			 size_t len)
{
	int n = 0;
	out[0] = '\0';
	for (int m = from; m <= to; m++) {
		struct gs_series_result r;
		if ((judge(p, (size_t)(6 * m + 1), &r) == v) != is_)
			continue;
		n++;
		size_t l = strlen(out);
		snprintf(out + l, len - l, " %d", m);
	}
	return n;
}

/* A warm-up of 100 objects in the first 5 minutes, then a flat floor:
 * before the rule the whole run's line through the ramp was leaking at
 * minutes 14, 16 and 17, then insufficient-data to 30. After it the
 * floors after the ramp are judged: never leaking, and stable once they
 * are enough (from minute 22). */
static void warm_up_then_flat_is_no_leak(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	const struct shape clean = { .warm = 100, .ramp = 300, .onset = INFINITY };
	char mins[256];
	rounds(p, 181, &clean);
	int leaking = minutes_where(p, 10, 30, GS_LEAKING, 1, mins, sizeof(mins));
	printf("warm-up then flat: leaking at %d of minutes 10 to 30:%s\n", leaking, mins);
	assert_int_equal(leaking, 0);
	struct gs_series_result r;
	assert_int_equal(judge(p, 181, &r), GS_STABLE);
	printf("at 30 min: stable %.4f, judged from window %zu of %zu\n", r.confidence, r.warm_up, r.windows);
	assert_true(r.warm_up > 0);
}

/* Positive control: the same warm-up under a leak of 0.1 per 1000 cycles
 * (twice the threshold). Before the rule the halves' slopes of the whole
 * run read the ramp in the first half only, and from minute 30 the leak
 * was insufficient-data again; after it, leaking at every minute from 15
 * to 40. */
static void warm_up_then_leak_is_leaking(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	const struct shape leak = { .warm = 100, .ramp = 300, .leak = 0.1, .onset = INFINITY };
	char mins[256];
	rounds(p, 241, &leak);
	int missed = minutes_where(p, 15, 40, GS_LEAKING, 0, mins, sizeof(mins));
	struct gs_series_result r;
	judge(p, 241, &r);
	printf("warm-up then a leak of 0.1: not leaking at %d of minutes 15 to 40:%s; at 40 min %.3f per 1000"
	       " cycles (robust)\n", missed, mins, r.u_slope * 1000);
	assert_int_equal(missed, 0);
	assert_true(fabs(r.u_slope * 1000 - 0.1) < 0.02);
}

/* Flat for 40 minutes, then a leak of 0.2 per 1000 cycles (4 times the
 * threshold: an object every 50 s). Before, the whole run's floors were
 * stable at 9 of the minutes 46 to 55 (6 to 15 minutes after the onset),
 * Mann-Kendall reading the flat stretch; now never from minute 46 (the
 * floors after the changepoint rise at m or faster), and leaking from
 * minute 72 on, as before. */
static void late_onset_is_never_stable(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	const struct shape onset = { .onset = 2400, .late = 0.2 };
	char mins[256], leak_mins[256];
	rounds(p, 481, &onset);
	int stable = minutes_where(p, 46, 80, GS_STABLE, 1, mins, sizeof(mins));
	int leaking = minutes_where(p, 40, 80, GS_LEAKING, 1, leak_mins, sizeof(leak_mins));
	printf("late onset at 40 min: stable at %d of minutes 46 to 80:%s; leaking at %d minutes:%s\n", stable, mins,
	       leaking, leak_mins);
	assert_int_equal(stable, 0);
	struct gs_series_result r;
	assert_int_equal(judge(p, 481, &r), GS_LEAKING);
}

/* Negative control: the same run without the onset is never leaking and
 * stable at every minute from 40 to 80. */
static void flat_run_stays_stable(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	const struct shape flat = { .onset = INFINITY };
	char mins[256];
	rounds(p, 481, &flat);
	int not_stable = minutes_where(p, 40, 80, GS_STABLE, 0, mins, sizeof(mins));
	int leaking = minutes_where(p, 10, 80, GS_LEAKING, 1, mins + 128, 128);
	printf("flat: not stable at %d of minutes 40 to 80:%s; leaking at %d of minutes 10 to 80\n", not_stable,
	       mins, leaking);
	assert_int_equal(leaking, 0);
	assert_int_equal(not_stable, 0);
}

/* The late canary's clean hour as recorded (tests/corpus/late-canary):
 * gem.flink_refcount, the names flink-share has in flight, over its
 * first 20.7 minutes: the time, the workloads' cycles and the value of
 * each of its 120 samples. The guest stalled from minute 10 (29,072
 * cycles then, 32,565 at the end). */
static const double stall_t[] = {
	0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 101, 110, 120, 130, 140, 150,
	160, 170, 180, 190, 202, 210, 220, 230, 240, 250, 260, 270, 280, 290, 300, 310,
	320, 330, 340, 350, 360, 370, 380, 390, 400, 410, 420, 430, 440, 450, 460, 470,
	480, 490, 500, 510, 520, 530, 540, 550, 560, 570, 580, 590, 600, 610, 623, 631,
	641, 650, 661, 670, 680, 692, 700, 710, 720, 730, 740, 750, 760, 770, 780, 790,
	800, 810, 820, 831, 842, 851, 872, 885, 895, 905, 922, 927, 935, 946, 955, 973,
	983, 989, 995, 1005, 1026, 1043, 1060, 1074, 1087, 1092, 1100, 1111, 1121, 1131, 1141, 1150,
	1160, 1170, 1181, 1191, 1200, 1210, 1220, 1242,
};
static const double stall_c[] = {
	0, 920, 1890, 2822, 3896, 4801, 5553, 6237, 6781, 6904, 6987, 7074,
	7266, 7692, 8357, 9286, 10133, 10838, 11283, 11560, 11722, 11958, 12238, 12865,
	13333, 13991, 14482, 15098, 16080, 16521, 17046, 17524, 18154, 18601, 19206, 19471,
	19807, 20338, 20668, 20992, 21398, 21765, 22005, 22251, 22698, 23118, 23383, 23892,
	24345, 24560, 24941, 25314, 25713, 26201, 26552, 26838, 27243, 27679, 28119, 28417,
	28780, 29072, 29180, 29191, 29266, 29322, 29362, 29385, 29399, 29460, 29481, 29530,
	29587, 29628, 29737, 29932, 30137, 30528, 31029, 31276, 31408, 31749, 31800, 31818,
	31824, 31830, 31839, 31856, 31885, 31909, 31938, 31963, 31979, 31992, 32011, 32025,
	32032, 32038, 32058, 32071, 32086, 32098, 32119, 32131, 32142, 32151, 32161, 32178,
	32191, 32230, 32246, 32256, 32267, 32283, 32331, 32353, 32421, 32523, 32542, 32565,
};
static const double stall_v[] = {
	0, 5, 4, 5, 0, 6, 3, 5, 4, 5, 5, 5, 5, 6, 5, 3, 6, 4, 5, 4, 5, 6, 5, 4, 4, 1, 5, 5, 4, 6,
	6, 5, 6, 5, 5, 4, 4, 5, 6, 6, 5, 6, 6, 5, 5, 2, 5, 5, 6, 5, 4, 6, 6, 5, 6, 5, 6, 5, 6, 5,
	4, 3, 3, 4, 4, 4, 3, 6, 6, 5, 4, 5, 5, 6, 5, 3, 4, 3, 4, 3, 4, 6, 5, 5, 4, 6, 3, 6, 4, 4,
	2, 4, 6, 4, 5, 6, 5, 6, 5, 5, 5, 5, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5, 6, 5, 5, 5, 4, 5, 4, 5,
};

/* That series, with `keep` objects kept per 1000 cycles on top. */
static size_t stalled_run(struct gs_point *p, double keep)
{
	size_t n = sizeof(stall_t) / sizeof(stall_t[0]);
	for (size_t i = 0; i < n; i++) {
		double v = stall_v[i] + floor(keep * stall_c[i] / 1000);
		p[i] = (struct gs_point){ .t = stall_t[i], .c = stall_c[i], .lo = v, .hi = v, .mid = v, .cnt = 1 };
	}
	return n;
}

/* db/TRENDS.md, "Halves": the count filled from 0 in its first minutes
 * and gained one in the stall, whose windows bunch on the cycles, so
 * that the second half of the time held 3,000 of the 32,000 cycles and
 * its one step read as 0.33 per 1000 against the threshold's 0.05:
 * leaking at 0.9992 before the halves of the work. Split on the cycles,
 * its second half rises by less than a step: not leaking. Positive
 * control: the same run keeping one object per 4000 cycles (8 in all)
 * is leaking. */
static void stall_step_is_no_leak(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	struct gs_series_result r;
	size_t n = stalled_run(p, 0);
	enum gs_verdict v = judge(p, n, &r);
	printf("a step in a stall: %s at 20.7 min (p_up %.4f), the halves of the work rose %.2f and %.2f steps\n",
	       gs_verdict_name(v), r.p_up, r.steps1, r.steps2);
	assert_int_not_equal(v, GS_LEAKING);
	n = stalled_run(p, 0.25);
	v = judge(p, n, &r);
	printf("keeping 0.25 per 1000 cycles: %s, the halves of the work rose %.2f and %.2f steps\n",
	       gs_verdict_name(v), r.steps1, r.steps2);
	assert_int_equal(v, GS_LEAKING);
}

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* A run judged round after round through kept window searches (struct
 * gs_window_search), its last point lowered now and then as a minute
 * rollup's and one older point changed as by a round written late, gets
 * at every round the result of a search over every window; and what the
 * searches kept of the windows they summed. */
static void kept_search_is_the_full_search(void **state)
{
	static struct gs_point p[MAX_ROUNDS];
	static struct gs_window w[MAX_ROUNDS + GS_SEARCH_TAIL];
	enum { NSTEPS = sizeof(steps) / sizeof(steps[0]) };
	struct gs_window_search search[NSTEPS] = { 0 };
	const struct shape leak = { .warm = 30, .ramp = 600, .leak = 0.1, .onset = 1e9 };
	rounds(p, MAX_ROUNDS, &leak);
	size_t judged = 0, summed = 0, ratios = 0;
	for (size_t n = 2; n <= MAX_ROUNDS; n++) {
		if (n % 3 == 0) {
			p[n - 1].lo -= 2; /* the minute's minimum falls */
			for (size_t s = 0; s < NSTEPS; s++)
				gs_window_search_changed(&search[s], n - 1);
		}
		if (n == 400) {
			p[n - 30].lo -= 5; /* a round written late */
			for (size_t s = 0; s < NSTEPS; s++)
				gs_window_search_changed(&search[s], n - 30);
		}
		struct gs_series_result a, b;
		double tl = p[n - 1].t;
		struct gs_series_params q = {
			.started = 0, .t_first = 0, .t_mid = tl / 2, .span = tl, .step = 10, .by_cycles = 1,
			.m = 0.05 / 1000, .assess = 1, .min_windows = 4, .min_span_s = 60, .min_r2 = 0.5,
			.min_half_ratio = 1, .conf = 0.999, .swing_max = 0.05, .steps = steps, .nsteps = NSTEPS,
		};
		size_t nw;
		assert_int_equal(gs_judge_series(p, n, &q, &b, w, &nw), 0);
		double full[NSTEPS];
		for (size_t s = 0; s < NSTEPS; s++)
			full[s] = gs_window_ratio(p, n, &q, s, w);
		q.search = search;
		for (size_t s = 0; s < NSTEPS; s++, ratios++)
			if (!same(gs_window_ratio(p, n, &q, s, w), full[s]))
				fail_msg("round %zu, window of %ld rounds: another ratio kept than in full", n, steps[s]);
		assert_int_equal(gs_judge_series(p, n, &q, &a, w, &nw), 0);
		if (a.k != b.k || !same(a.w, b.w) || a.windows != b.windows || !same(a.bu, b.bu) || !same(a.r2, b.r2) ||
		    !same(a.u_slope, b.u_slope) || !same(a.p_up, b.p_up) || !same(a.p_below, b.p_below) ||
		    a.verdict != b.verdict || !same(a.confidence, b.confidence))
			fail_msg("round %zu: window %ld kept, %ld in full", n, a.k, b.k);
		judged++;
	}
	for (size_t s = 0; s < NSTEPS; s++)
		summed += search[s].nsummed;
	printf("%zu judgements and %zu ratios through kept searches the same as in full; the searches kept the sums"
	       " of %zu windows at the end, %zu bytes each\n", judged, ratios, summed, sizeof(search[0]));
	assert_true(summed > MAX_ROUNDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(warm_up_then_flat_is_no_leak),
		cmocka_unit_test(warm_up_then_leak_is_leaking),
		cmocka_unit_test(late_onset_is_never_stable),
		cmocka_unit_test(flat_run_stays_stable),
		cmocka_unit_test(stall_step_is_no_leak),
		cmocka_unit_test(kept_search_is_the_full_search),
	};
	return cmocka_run_group_tests_name("analysis-series", tests, NULL, NULL);
}
