/* Reading tests/fixtures/NAME in cmocka tests (run from the repository root). */
#ifndef GS_TEST_FIXTURE_H
#define GS_TEST_FIXTURE_H

#include <stdio.h>

#include "common/util.h"

static inline char *fixture(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	char *text = read_text_file(path, NULL);
	assert_non_null(text);
	return text;
}

#endif
