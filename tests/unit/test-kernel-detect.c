/* Source signatures: finding a C function's body in kernel-style code and
 * matching "A ... B" texts in order; deciding by a running release; the
 * counters the behavioural probes read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/detect.h"
#include "kernel/probe.h"

static const char src[] =
	"static int helper(int x);\n"
	"/* helper(1) is called below */\n"
	"int\n"
	"drm_gem_flink_ioctl(struct drm_device *dev, void *data,\n"
	"\t\t    struct drm_file *file_priv)\n"
	"{\n"
	"\tmutex_lock(&dev->object_name_lock);\n"
	"\tif (obj->handle_count == 0)\n"
	"\t\thelper(1);\n"
	"\tmutex_unlock(&dev->object_name_lock);\n"
	"}\n"
	"\n"
	"static int helper(int x)\n"
	"{\n"
	"\treturn x;\n"
	"}\n";

static void finds_function_bodies(void **state)
{
	size_t len;
	const char *body = gs_c_function_body(src, "drm_gem_flink_ioctl", &len);
	assert_non_null(body);
	assert_true(strncmp(body, "{\n\tmutex_lock", 13) == 0);
	assert_true(body[len - 1] == '}');
	assert_non_null(memmem(body, len, "handle_count == 0", 17));
	assert_null(memmem(body, len, "return x", 8));

	/* The prototype and the call are not the definition. */
	body = gs_c_function_body(src, "helper", &len);
	assert_non_null(body);
	assert_true(strncmp(body, "{\n\treturn x;\n}", len) == 0);

	assert_null(gs_c_function_body(src, "drm_gem_open_ioctl", &len));
	assert_null(gs_c_function_body(src, "flink_ioctl", &len)); /* not a suffix match */
}

static void matches_pieces_in_order(void **state)
{
	size_t len = strlen(src);
	assert_true(gs_sig_text_matches(src, len, "handle_count == 0"));
	assert_true(gs_sig_text_matches(src, len, "mutex_lock( ... handle_count ... mutex_unlock("));
	assert_false(gs_sig_text_matches(src, len, "mutex_unlock( ... handle_count"));
	assert_false(gs_sig_text_matches(src, len, "handle_count == 1"));
	/* Matching is bounded by the body, not the whole file. */
	size_t blen;
	const char *body = gs_c_function_body(src, "helper", &blen);
	assert_false(gs_sig_text_matches(body, blen, "handle_count"));
}

static void decides_by_release(void **state)
{
	struct gs_fix f = { .name = "x", .rel_major = 3, .rel_minor = 12 };
	struct gs_verdict v;
	gs_detect_by_release("6.1.0-56-amd64", &f, &v);
	assert_int_equal(v.state, FIX_PRESENT);
	gs_detect_by_release("3.12.0", &f, &v);
	assert_int_equal(v.state, FIX_PRESENT);
	gs_detect_by_release("3.10.108-android", &f, &v);
	assert_int_equal(v.state, FIX_MISSING);
	assert_non_null(strstr(v.how, "3.10.108-android < v3.12"));
	gs_detect_by_release("weird", &f, &v);
	assert_int_equal(v.state, FIX_UNKNOWN);
}

/* The counters the probes compare before and after their race. */
static void probe_counters(void **state)
{
	assert_int_equal(gs_probe_count("flink-close-race",
					"  name     size handles refcount\n"
					"     1     4096       0        1\n"
					"     7     4096       1        2\n"), 2);
	assert_int_equal(gs_probe_count("flink-close-race", "  name     size handles refcount\n"), 0);
	assert_int_equal(gs_probe_count("flink-close-race", "garbage\n"), -1);
	assert_int_equal(gs_probe_count("export-close-race",
					"\nDma-buf Objects:\nsize\tflags\tmode\tcount\texp_name\n"
					"00004096\t00000002\t00080007\t00000001\tvgem\n"
					"\tAttached Devices:\nTotal 0 devices attached\n\n"
					"\nTotal 1 objects, 4096 bytes\n"), 1);
	assert_int_equal(gs_probe_count("export-close-race", "no total here\n"), -1);
	assert_int_equal(gs_probe_count("no-such-race", "Total 1 objects, 4096 bytes\n"), -1);
	assert_true(gs_probe_known("flink-close-race"));
	assert_false(gs_probe_known("flink"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_function_bodies),
		cmocka_unit_test(matches_pieces_in_order),
		cmocka_unit_test(decides_by_release),
		cmocka_unit_test(probe_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
