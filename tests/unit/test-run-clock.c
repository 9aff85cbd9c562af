/* A run's own clock (daemon/run-clock.c): it follows the boot clock from
 * its anchor, whatever the wall clock does, and says each step once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/run-clock.h"

static void steps_are_said_not_followed(void **state)
{
	struct run_clock c;
	/* a run begun at wall 1000 s, boot 50 s */
	run_clock_init(&c, 1000, 50, 1000, 50);
	assert_float_equal(run_clock_at(&c, 60), 1010, 1e-9);
	assert_float_equal(run_clock_step(&c, 1010.4, 60), 0, 0); /* jitter, slewing */
	/* stepped back one day: the run's time goes on */
	double step = run_clock_step(&c, 1020 - 86400, 70);
	print_message("stepped back: %.0f s, run time %.0f at boot 70\n", step, run_clock_at(&c, 70));
	assert_float_equal(step, -86400, 1e-6);
	assert_float_equal(run_clock_at(&c, 70), 1020, 1e-9);
	assert_float_equal(run_clock_step(&c, 1030 - 86400, 80), 0, 0); /* said once */
	/* forward two days from there */
	assert_float_equal(run_clock_step(&c, 1040 + 86400, 90), 2 * 86400, 1e-6);
	assert_float_equal(run_clock_at(&c, 90), 1040, 1e-9);
}

/* A restart in the same boot takes the recorded anchor: the gap is the
 * boot clock's, the wall clock's step while the daemon was down is the
 * base of the next check, not a step to say again. */
static void a_continued_run_keeps_its_anchor(void **state)
{
	struct run_clock c;
	run_clock_init(&c, 1000, 50, 1200 - 86400, 250);
	assert_float_equal(run_clock_at(&c, 250), 1200, 1e-9);
	assert_float_equal(run_clock_step(&c, 1210 - 86400, 260), 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steps_are_said_not_followed),
		cmocka_unit_test(a_continued_run_keeps_its_anchor),
	};
	return cmocka_run_group_tests_name("run-clock", tests, NULL, NULL);
}
