/* The kernel fix series parser: a good series, the shipped one, and a
 * FILE:LINE message for each kind of mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/series.h"

#define ID_A "219b47339ced80ca580bb6ce7d1636166984afa7"
#define ID_B "319c933c71f3dbdb2b3274d1634d3494c70efa06"

static const char good[] =
	"# two fixes\n"
	"fix first\n"
	"\tcommit    " ID_A "\n"
	"\tsubject   drm/prime: keep a reference (v6)\n"
	"\trelease   v3.10\n"
	"\tfiles     drivers/gpu/drm/drm_gem.c drivers/gpu/drm/drm_prime.c\n"
	"\tworkload  prime-share (igt prime_self_import)\n"
	"\tsignature drivers/gpu/drm/drm_prime.c drm_prime_add_buf_handle get_dma_buf(dma_buf)\n"
	"\n"
	"fix second\n"
	"commit d0b2c5334f41bd\n"
	"subject drm/prime: Always add exported buffers to the handle cache\n"
	"release v3.12\n"
	"files drivers/gpu/drm/drm_prime.c\n"
	"requires first\n"
	"workload prime-self-import\n"
	"patch patches/0002.patch\n"
	"signature drivers/gpu/drm/drm_gem.c - drm_gem_object_exported_dma_buf_free(\n"
	"signature drivers/gpu/drm/drm_prime.c f a ... b\n";

static void parses_every_field(void **state)
{
	struct gs_series s;
	char err[512] = "";
	int rc = gs_series_parse(good, "/etc/gemsoak/kernel/series", &s, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(s.n, 2);
	const struct gs_fix *a = &s.fixes[0], *b = &s.fixes[1];
	assert_string_equal(a->name, "first");
	assert_string_equal(a->commit, ID_A);
	assert_string_equal(a->subject, "drm/prime: keep a reference (v6)");
	assert_int_equal(a->rel_major, 3);
	assert_int_equal(a->rel_minor, 10);
	assert_int_equal(a->n_files, 2);
	assert_string_equal(a->files[1], "drivers/gpu/drm/drm_prime.c");
	assert_string_equal(a->workload, "prime-share (igt prime_self_import)");
	assert_int_equal(a->n_sigs, 1);
	assert_string_equal(a->sigs[0].func, "drm_prime_add_buf_handle");
	assert_string_equal(a->sigs[0].text, "get_dma_buf(dma_buf)");
	assert_int_equal(a->sigs[0].line, 8);
	assert_null(a->patch);
	assert_int_equal(a->line, 2);

	assert_string_equal(b->commit, "d0b2c5334f41bd");
	assert_int_equal(b->n_requires, 1);
	assert_string_equal(b->requires[0], "first");
	assert_string_equal(b->patch, "/etc/gemsoak/kernel/patches/0002.patch");
	assert_int_equal(b->n_sigs, 2);
	assert_null(b->sigs[0].func);
	assert_string_equal(b->sigs[1].text, "a ... b");
	assert_ptr_equal(gs_series_find(&s, "second"), b);
	assert_null(gs_series_find(&s, "third"));
	gs_series_free(&s);
}

static void shipped_series_parses(void **state)
{
	struct gs_series s;
	char err[512] = "";
	int rc = gs_series_load("kernel/series", &s, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	assert_true(s.n >= 6);
	const struct gs_fix *f = gs_series_find(&s, "prime-dma-buf-link");
	assert_non_null(f);
	assert_string_equal(f->commit, ID_B);
	assert_non_null(f->patch);
	for (size_t i = 0; i < s.n; i++)
		assert_true(s.fixes[i].n_sigs > 0);
	gs_series_free(&s);
}

/* TEXT must be rejected with "series:LINE: ..." containing NEEDLE. */
static void expect_error(const char *text, int line, const char *needle)
{
	struct gs_series s;
	char err[512] = "", prefix[64];
	snprintf(prefix, sizeof(prefix), "series:%d: ", line);
	int rc = gs_series_parse(text, "series", &s, err, sizeof(err));
	if (rc != -1 || strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle)) {
		print_error("series:\n%s\nexpected '%s...%s', got rc %d: '%s'\n", text, prefix, needle, rc, err);
		fail();
	}
}

#define HEAD "fix a\ncommit " ID_A "\nsubject s\nrelease v3.12\nfiles f.c\nworkload w\n"

static void bad_input_names_file_and_line(void **state)
{
	expect_error("", 0, "no 'fix NAME' stanza");
	expect_error("# nothing\n\n", 2, "no 'fix NAME' stanza");
	expect_error("commit " ID_A "\n", 1, "'commit' before the first 'fix NAME' line");
	expect_error("fix\n", 1, "fix: missing NAME");
	expect_error("fix two words\n", 1, "expected one NAME");
	expect_error(HEAD "colour blue\n", 7, "unknown key 'colour'");
	expect_error(HEAD "subject again\n", 7, "subject given twice");
	expect_error(HEAD "commit " ID_B "\n", 7, "commit given twice");
	expect_error("fix a\ncommit 12345\n", 2, "'12345' is not a lower-case commit id");
	expect_error("fix a\ncommit 219B47339CED\n", 2, "is not a lower-case commit id");
	expect_error("fix a\ncommit " ID_A "0\n", 2, "is not a lower-case commit id");
	expect_error("fix a\nrelease 3.12\n", 2, "'3.12' is not a mainline release like v3.12");
	expect_error("fix a\nrelease v3.12-rc1\n", 2, "not a mainline release");
	expect_error("fix a\nworkload\n", 2, "workload: missing value");
	expect_error(HEAD "requires b\n", 7, "requires: 'b' is not a fix earlier in the series");
	expect_error(HEAD "requires a\n", 7, "requires: 'a' is not a fix earlier");
	expect_error(HEAD "signature f.c\n", 7, "signature: expected PATH FUNCTION TEXT");
	expect_error(HEAD "signature f.c fn\n", 7, "signature: expected PATH FUNCTION TEXT");
	expect_error(HEAD "signature ../f.c fn x\n", 7, "must be a path inside the tree");
	expect_error(HEAD "signature /f.c fn x\n", 7, "must be a path inside the tree");
	expect_error(HEAD "patch p\npatch q\n", 8, "patch given twice");
	expect_error(HEAD "fix a\n", 7, "fix a: defined twice");
	/* An incomplete fix is reported at its "fix" line. */
	expect_error("\nfix a\ncommit " ID_A "\nfix b\n", 2, "fix a: no 'subject' line");
	expect_error("fix a\ncommit " ID_A "\nsubject s\nrelease v3.12\nworkload w\n", 1, "no 'files' line");
	expect_error("fix a\nsubject s\n", 1, "fix a: no 'commit' line");
	expect_error(HEAD "fix b\ncommit " ID_B "\nsubject s\nrelease v4.4\nfiles f.c\n", 7, "fix b: no 'workload' line");
}

static void missing_file(void **state)
{
	struct gs_series s;
	char err[512] = "";
	assert_int_equal(gs_series_load("/nonexistent/series", &s, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/series:0: cannot read the fix series: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_field),
		cmocka_unit_test(shipped_series_parses),
		cmocka_unit_test(bad_input_names_file_and_line),
		cmocka_unit_test(missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
