/* Every metric is declared once (sources/, struct metric_decl): the
 * declarations are unique, and they agree with the thresholds a new
 * database gets: a metric declared judged has an assessed threshold row,
 * one declared recorded has not, and every threshold and holder row names
 * a declared metric. The docs and real samples are held to the same list
 * by tests/integration/metric-docs.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db/store.h"
#include "sources/sources.h"
#include "tmp-db.h"

#define MAX_DECLS 256

/* The declared names, as a sample would hold them: an upper-case part
 * (NAME, OWNER) becomes "x". */
struct names {
	char name[MAX_DECLS][METRIC_NAME_MAX];
	bool judged[MAX_DECLS];
	size_t n;
};

static void example_name(const char *decl, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = decl; *p && o + 1 < len;) {
		size_t part = strcspn(p, ".");
		bool upper = part > 0;
		for (size_t i = 0; i < part; i++)
			upper = upper && ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_');
		if (upper)
			o += (size_t)snprintf(out + o, len - o, "x");
		else
			o += (size_t)snprintf(out + o, len - o, "%.*s", (int)part, p);
		p += part;
		if (*p == '.' && o + 1 < len) {
			out[o++] = '.';
			p++;
		}
	}
	out[o < len ? o : len - 1] = '\0';
}

static void collect(const struct metric_decl *m, void *arg)
{
	struct names *ns = arg;
	assert_true(ns->n < MAX_DECLS);
	example_name(m->name, ns->name[ns->n], METRIC_NAME_MAX);
	ns->judged[ns->n] = m->judged;
	ns->n++;
}

static void declared_once(void **state)
{
	static struct names ns;
	ns.n = 0;
	metrics_each(collect, &ns);
	printf("%zu metrics declared\n", ns.n);
	assert_true(ns.n > 50);
	for (size_t i = 0; i < ns.n; i++)
		for (size_t j = i + 1; j < ns.n; j++)
			if (strcmp(ns.name[i], ns.name[j]) == 0)
				fail_msg("%s is declared twice", ns.name[i]);
}

/* The assess of the threshold row that applies to name (the longest
 * matching pattern, as the view metric_thresholds picks it). */
static int assessed(sqlite3 *db, const char *name)
{
	sqlite3_stmt *s;
	static const char sql[] = "SELECT assess FROM trend_thresholds WHERE ?1 GLOB pattern "
				  "ORDER BY length(pattern) DESC, pattern LIMIT 1";
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int a = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return a;
}

static bool declared(const struct names *ns, const char *glob, sqlite3 *db)
{
	for (size_t i = 0; i < ns->n; i++) {
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT ?1 GLOB ?2", -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_text(s, 1, ns->name[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, glob, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		bool match = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (match)
			return true;
	}
	return false;
}

static void thresholds_agree(void **state)
{
	static struct names ns;
	ns.n = 0;
	metrics_each(collect, &ns);
	struct store *st;
	char err[256];
	assert_int_equal(store_open(dbpath, &st, err, sizeof(err)), 0);
	sqlite3 *db = store_db(st);
	int wrong = 0;
	for (size_t i = 0; i < ns.n; i++) {
		if (assessed(db, ns.name[i]) != ns.judged[i]) {
			bool j = ns.judged[i];
			printf("%s: declared %s, its threshold row says %s\n", ns.name[i],
			       j ? "judged" : "recorded", j ? "not assessed" : "assessed");
			wrong++;
		}
	}
	/* Every row of the thresholds and holders names a declared metric
	 * (a GLOB pattern: at least one). */
	static const char *const named[] = {
		"SELECT pattern FROM trend_thresholds",
		"SELECT metric FROM trend_holders UNION SELECT kernel_metric FROM trend_holders "
		"UNION SELECT process_metric FROM trend_holders",
	};
	int rows = 0;
	for (size_t q = 0; q < sizeof(named) / sizeof(named[0]); q++) {
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(db, named[q], -1, &s, NULL), SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *glob = (const char *)sqlite3_column_text(s, 0);
			if (!*glob)
				continue; /* a holder split with no side */
			rows++;
			if (!declared(&ns, glob, db)) {
				printf("%s: in the database's tables, declared by no source\n", glob);
				wrong++;
			}
		}
		sqlite3_finalize(s);
	}
	store_close(st);
	printf("%zu declarations, %d threshold and holder names: %d disagree\n", ns.n, rows, wrong);
	assert_int_equal(wrong, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(declared_once),
		cmocka_unit_test_setup_teardown(thresholds_agree, setup, teardown),
	};
	return cmocka_run_group_tests_name("metric declarations", tests, NULL, NULL);
}
