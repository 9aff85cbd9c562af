/* gemsoak merge: combine the databases of many soak machines into one for
 * fleet-wide queries. Every run keeps its host name and gets a run_props
 * fact `merged_from`. A run already present (same host and start) gets
 * what the source has more of it (a soak merged while it ran goes on in
 * its source: new ticks and their samples, events, the stop, the probe's
 * pauses, its rollups and facts as they are now); one with nothing new is
 * left alone, so merging again is harmless. Rollups are copied as they
 * are (the raw samples they came from may be pruned already). The runs'
 * verdicts and their history travel too (schema 9 on), and the findings
 * made of them (14 on); a run whose verdicts are missing or older than
 * its last tick (an older gemsoak's, one stopped before it judged) is
 * judged by the engine at the end, its findings with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "analysis/verdicts.h"
#include "cli/commands.h"
#include "db/store.h"

static int exec_sql(sqlite3 *db, const char *what, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "gemsoak merge: %s: %s\n", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* The single number sql gives into *n; 0, or -1. */
static int count_of(sqlite3 *db, const char *sql, int *n)
{
	sqlite3_stmt *s = cli_prepare(db, sql);
	if (!s)
		return -1;
	int r = sqlite3_step(s) == SQLITE_ROW ? 0 : -1;
	*n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return r;
}

/* The runs of `src` that main holds and that have more in src than in
 * main: ticks or events main lacks, or a stop. Mapped in temp.run_map
 * (fresh 0) and their stop copied; their number in *updated. */
static int map_held_runs(sqlite3 *db, const char *in, int *updated)
{
	static const char sql[] =
		"INSERT INTO temp.run_map SELECT r.id, m.id, 0 FROM src.runs r"
		" JOIN main.runs m ON m.hostname = r.hostname AND m.started = r.started"
		" WHERE r.id NOT IN (SELECT old FROM temp.run_map) AND ((m.stopped IS NULL AND r.stopped IS NOT NULL)"
		"  OR EXISTS (SELECT 1 FROM src.ticks k WHERE k.run_id = r.id AND NOT EXISTS"
		"   (SELECT 1 FROM main.ticks t WHERE t.run_id = m.id AND t.t = k.t))"
		"  OR EXISTS (SELECT 1 FROM src.events e WHERE e.run_id = r.id AND NOT EXISTS"
		"   (SELECT 1 FROM main.events x WHERE x.run_id = m.id AND x.t = e.t AND x.source = e.source"
		"    AND x.kind = e.kind AND x.message = e.message)));"
		"UPDATE main.runs SET stopped = (SELECT r.stopped FROM src.runs r JOIN temp.run_map p ON p.old = r.id"
		" WHERE p.new = main.runs.id)"
		" WHERE stopped IS NULL AND id IN (SELECT new FROM temp.run_map WHERE fresh = 0)";
	return exec_sql(db, in, sql) || count_of(db, "SELECT COUNT(*) FROM temp.run_map WHERE fresh = 0", updated)
		       ? -1 : 0;
}

/* Copy the runs of `src` that main does not have; fills temp.run_map
 * (fresh 1). */
static int copy_runs(sqlite3 *db, const char *in, int *copied)
{
	if (exec_sql(db, "run map", "DROP TABLE IF EXISTS temp.run_map;"
				    "CREATE TEMP TABLE run_map (old INTEGER PRIMARY KEY, new INTEGER, fresh INTEGER)"))
		return -1;
	sqlite3_stmt *sel = cli_prepare(db,
		"SELECT id FROM src.runs r WHERE NOT EXISTS (SELECT 1 FROM main.runs m"
		" WHERE m.hostname = r.hostname AND m.started = r.started) ORDER BY id");
	sqlite3_stmt *ins = cli_prepare(db,
		"INSERT INTO main.runs(started, stopped, hostname, kernel_release, kernel_version, device, driver,"
		" capabilities, config_path, config_text, gemsoak_version)"
		" SELECT started, stopped, hostname, kernel_release, kernel_version, device, driver, capabilities,"
		" config_path, config_text, gemsoak_version FROM src.runs WHERE id = ?");
	sqlite3_stmt *map = cli_prepare(db, "INSERT INTO temp.run_map VALUES (?, ?, 1)");
	sqlite3_stmt *prop = cli_prepare(db, "INSERT OR REPLACE INTO main.run_props VALUES (?, 'merged_from', ?)");
	int r = sel && ins && map && prop ? 0 : -1;
	*copied = 0;
	while (r == 0 && sqlite3_step(sel) == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(sel, 0);
		sqlite3_bind_int64(ins, 1, old);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			r = -1;
			break;
		}
		sqlite3_reset(ins);
		int64_t new_id = sqlite3_last_insert_rowid(db);
		sqlite3_bind_int64(map, 1, old);
		sqlite3_bind_int64(map, 2, new_id);
		sqlite3_bind_int64(prop, 1, new_id);
		sqlite3_bind_text(prop, 2, in, -1, SQLITE_STATIC);
		if (sqlite3_step(map) != SQLITE_DONE || sqlite3_step(prop) != SQLITE_DONE)
			r = -1;
		sqlite3_reset(map);
		sqlite3_reset(prop);
		(*copied)++;
	}
	if (r)
		fprintf(stderr, "gemsoak merge: %s: runs: %s\n", in, sqlite3_errmsg(db));
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_finalize(map);
	sqlite3_finalize(prop);
	return r;
}

/* Everything that hangs off the mapped runs and main lacks: the ticks
 * of times main has none of (with their samples), the events it has not,
 * the configs it has not, and, as the source has them now, the rollups
 * (unless main's bucket holds more samples), the facts and the probe's
 * pauses. Tick ids are shifted past main's so samples keep pointing at
 * their ticks. The rollup trigger is off meanwhile: the source's rollups
 * are copied instead. The probe's pauses exist from schema 7 on,
 * run_configs from 11, events.repeats from 12 (before, each row is one). */
static int copy_data(sqlite3 *db, int version, const char *trigger_sql)
{
	char sql[6144];
	const char *pauses = version >= 7 ?
		"INSERT OR REPLACE INTO main.probe_pauses SELECT m.new, p.workload, p.t_start, p.t_end"
		" FROM src.probe_pauses p JOIN temp.run_map m ON m.old = p.run_id;" : "";
	/* A run's configs from schema 11 on; before, its one config from its start. */
	const char *configs = version >= 11 ?
		"INSERT INTO main.run_configs SELECT m.new, c.t, c.config_text FROM src.run_configs c"
		" JOIN temp.run_map m ON m.old = c.run_id WHERE NOT EXISTS (SELECT 1 FROM main.run_configs x"
		"  WHERE x.run_id = m.new AND x.t = c.t AND x.config_text = c.config_text);" :
		"INSERT INTO main.run_configs SELECT m.new, r.started, r.config_text FROM src.runs r"
		" JOIN temp.run_map m ON m.old = r.id"
		" WHERE NOT EXISTS (SELECT 1 FROM main.run_configs x WHERE x.run_id = m.new);";
	const char *repeats = version >= 12 ? "e.repeats" : "1";
	snprintf(sql, sizeof(sql),
		"INSERT OR IGNORE INTO main.metrics(name, unit) SELECT name, unit FROM src.metrics;"
		"CREATE TEMP TABLE IF NOT EXISTS tick_off AS SELECT 0 AS off;"
		"UPDATE temp.tick_off SET off = (SELECT COALESCE(MAX(id), 0) FROM main.ticks);"
		"DROP TABLE IF EXISTS temp.new_ticks;"
		"CREATE TEMP TABLE new_ticks AS SELECT k.id AS old, m.new AS run, m.fresh AS fresh"
		" FROM src.ticks k JOIN temp.run_map m ON m.old = k.run_id"
		" WHERE NOT EXISTS (SELECT 1 FROM main.ticks t WHERE t.run_id = m.new AND t.t = k.t);"
		"DROP TRIGGER main.samples_rollup;"
		"INSERT INTO main.ticks(id, run_id, t, cycles)"
		" SELECT k.id + (SELECT off FROM temp.tick_off), n.run, k.t, k.cycles"
		" FROM temp.new_ticks n JOIN src.ticks k ON k.id = n.old;"
		"INSERT INTO main.samples(metric_id, tick_id, value)"
		" SELECT mm.id, s.tick_id + (SELECT off FROM temp.tick_off), s.value FROM src.samples s"
		" JOIN temp.new_ticks n ON n.old = s.tick_id"
		" JOIN src.metrics sm ON sm.id = s.metric_id JOIN main.metrics mm ON mm.name = sm.name;"
		"INSERT OR REPLACE INTO main.rollups SELECT m.new, w.width, mm.id, w.bucket, w.vmin, w.vmax, w.vsum, w.n,"
		" w.t0, w.t1, w.c0, w.c1, w.first, w.last FROM src.rollups w"
		" JOIN temp.run_map m ON m.old = w.run_id"
		" JOIN src.metrics sm ON sm.id = w.metric_id JOIN main.metrics mm ON mm.name = sm.name"
		" WHERE NOT EXISTS (SELECT 1 FROM main.rollups x WHERE x.run_id = m.new AND x.width = w.width"
		"  AND x.metric_id = mm.id AND x.bucket = w.bucket AND x.n > w.n);"
		"INSERT INTO main.events(run_id, t, severity, source, kind, message, repeats)"
		" SELECT m.new, e.t, e.severity, e.source, e.kind, e.message, %s FROM src.events e"
		" JOIN temp.run_map m ON m.old = e.run_id"
		" WHERE NOT EXISTS (SELECT 1 FROM main.events x WHERE x.run_id = m.new AND x.t = e.t"
		"  AND x.source = e.source AND x.kind = e.kind AND x.message = e.message)"
		" ORDER BY e.id;"
		"INSERT OR REPLACE INTO main.run_props SELECT m.new, p.key, p.value FROM src.run_props p"
		" JOIN temp.run_map m ON m.old = p.run_id WHERE p.key <> 'merged_from';"
		"%s%s%s;", repeats, pauses, configs, trigger_sql);
	return exec_sql(db, "copy", sql);
}

/* SQL: the source's verdicts of mapped run m (of temp.run_map) are
 * taken, main having none made at a later tick. */
#define TAKES_VERDICTS(m) \
	" NOT EXISTS (SELECT 1 FROM main.verdicts x WHERE x.run_id = " m ".new" \
	"  AND x.t > (SELECT MAX(t) FROM src.verdicts v WHERE v.run_id = " m ".old))"

/* The mapped runs' verdicts as the source has them (unless main's were
 * made at a later tick) and their history, from schema 9 on; from 14 on,
 * what they were judged with and the findings made of them, which
 * replace main's as a set (a run's findings are its latest verdicts').
 * From an older source, whose runs have no findings (13: a basis, but no
 * findings), the runs are judged again at the end, findings and all:
 * taken without findings, their findings would be none. */
static int copy_verdicts(sqlite3 *db, int version)
{
	char sql[2048];
	if (version < 9)
		return 0;
	/* the samples they were judged on from schema 20 on; before, none:
	 * such a run is judged again when read (gs_stale_runs) */
	snprintf(sql, sizeof(sql),
		"INSERT OR REPLACE INTO main.verdict_basis(run_id, basis, samples) SELECT m.new, b.basis, %s"
		" FROM src.verdict_basis b JOIN temp.run_map m ON m.old = b.run_id WHERE" TAKES_VERDICTS("m") ";"
		"DELETE FROM main.findings WHERE run_id IN (SELECT m.new FROM temp.run_map m"
		" WHERE EXISTS (SELECT 1 FROM src.verdicts v WHERE v.run_id = m.old) AND" TAKES_VERDICTS("m") ");"
		"INSERT INTO main.findings(run_id, id, t, workload, holder, per_kcycle, per_hour, unit, lead_metric,"
		" metrics, onset, confidence, attribution, summary, next)"
		" SELECT m.new, f.id, f.t, f.workload, f.holder, f.per_kcycle, f.per_hour, f.unit, f.lead_metric,"
		" f.metrics, f.onset, f.confidence, f.attribution, f.summary, f.next FROM src.findings f"
		" JOIN temp.run_map m ON m.old = f.run_id WHERE" TAKES_VERDICTS("m"), version >= 20 ? "b.samples" : "NULL");
	if (version >= 14 && exec_sql(db, "verdict basis and findings", sql))
		return -1;
	return exec_sql(db, "verdicts",
		"INSERT OR REPLACE INTO main.verdicts SELECT m.new, mm.id, v.t, v.cycles, v.samples, v.span_s,"
		" v.first_value, v.last_value, v.slope_per_hour, v.slope_per_kcycle, v.mean_per_hour,"
		" v.mean_per_kcycle, v.robust_slope, v.per, v.windows, v.window_s, v.r2, v.half1_slope,"
		" v.half2_slope, v.verdict, v.workload, v.slope_per_kcycle_workload, v.holder, v.confidence,"
		" v.attribution, v.scope, v.threshold, v.bound, v.max_value FROM src.verdicts v"
		" JOIN temp.run_map m ON m.old = v.run_id"
		" JOIN src.metrics sm ON sm.id = v.metric_id JOIN main.metrics mm ON mm.name = sm.name"
		" WHERE NOT EXISTS (SELECT 1 FROM main.verdicts x WHERE x.run_id = m.new AND x.metric_id = mm.id"
		"  AND x.t > v.t);"
		"INSERT OR IGNORE INTO main.verdict_history SELECT m.new, mm.id, h.t, h.cycles, h.old_verdict,"
		" h.new_verdict, h.confidence, h.robust_slope FROM src.verdict_history h"
		" JOIN temp.run_map m ON m.old = h.run_id"
		" JOIN src.metrics sm ON sm.id = h.metric_id JOIN main.metrics mm ON mm.name = sm.name");
}

/* Judge the runs whose verdicts did not come up to their last tick. */
static int judge_stale(sqlite3 *db)
{
	char err[512];
	if (gs_store_stale_verdicts(db, 0, NULL, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "gemsoak merge: %s\n", err);
	return -1;
}

/* The origins of the mapped runs' objects (db/origins.h), from inputs that
 * have them: each stack once, by its text (ids differ between databases),
 * and the rows main lacks. 0, or -1 after a message. */
static int copy_origins(sqlite3 *db)
{
	if (sqlite3_exec(db, "SELECT 1 FROM src.object_origins LIMIT 0", NULL, NULL, NULL) != SQLITE_OK)
		return 0; /* an input older than the origins */
	return exec_sql(db, "origins",
		"INSERT OR IGNORE INTO main.origin_stacks(stack) SELECT stack FROM src.origin_stacks;"
		"INSERT INTO main.object_origins(run_id, t, kind, workload, comm, stack_id, alive, alive_bytes)"
		" SELECT m.new, o.t, o.kind, o.workload, o.comm, ms.id, o.alive, o.alive_bytes"
		" FROM src.object_origins o JOIN temp.run_map m ON m.old = o.run_id"
		" JOIN src.origin_stacks ss ON ss.id = o.stack_id JOIN main.origin_stacks ms ON ms.stack = ss.stack"
		" WHERE NOT EXISTS (SELECT 1 FROM main.object_origins x WHERE x.run_id = m.new AND x.t = o.t"
		"  AND x.kind = o.kind AND x.workload = o.workload AND x.comm = o.comm AND x.stack_id = ms.id);");
}
/* The columns of trend_thresholds: since schema 4, and since 6. */
#define THRESHOLD_COLUMNS_4 "pattern, assess, min_windows, min_span_s, min_per_kcycle, min_per_hour, min_r2, " \
	"min_half_ratio"
#define THRESHOLD_COLUMNS_6 THRESHOLD_COLUMNS_4 ", scope, bound_setting"

/* A run's verdicts come from its database's trend_thresholds and
 * trend_settings (window_s aside: the floor window is found from the data,
 * and the rollups travel as they are). Into an output that has no run
 * yet, the first input's are taken; into one with runs, an input judged
 * by others would get other verdicts after the merge, so it is refused,
 * naming what differs. 0, or -1 after a message. */
static int same_judgement(sqlite3 *db, const char *in, const char *out, int version)
{
	const char *cols = version >= 6 ? THRESHOLD_COLUMNS_6 : THRESHOLD_COLUMNS_4;
	char sql[2048];
	sqlite3_stmt *s = cli_prepare(db, "SELECT COUNT(*) FROM main.runs");
	if (!s)
		return -1;
	int runs = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (runs < 0)
		return -1;
	if (runs == 0) {
		/* rows only the output has (a pattern of a newer schema) stay */
		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO main.trend_thresholds(%s) SELECT %s FROM src.trend_thresholds;"
			 "INSERT OR REPLACE INTO main.trend_settings SELECT key, value FROM src.trend_settings", cols, cols);
		return exec_sql(db, "thresholds", sql);
	}
	snprintf(sql, sizeof(sql),
		"WITH a AS (SELECT %s FROM src.trend_thresholds),"
		" b AS (SELECT %s FROM main.trend_thresholds),"
		" sa AS (SELECT key, value FROM src.trend_settings WHERE key <> 'window_s'),"
		" sb AS (SELECT key, value FROM main.trend_settings WHERE key <> 'window_s')"
		" SELECT group_concat(what, ', ') FROM (SELECT DISTINCT what FROM ("
		"  SELECT 'threshold ' || pattern AS what FROM (SELECT * FROM a EXCEPT SELECT * FROM b)"
		"  UNION ALL SELECT 'threshold ' || pattern FROM (SELECT * FROM b EXCEPT SELECT * FROM a)"
		"  UNION ALL SELECT 'setting ' || key FROM (SELECT * FROM sa EXCEPT SELECT * FROM sb)"
		"  UNION ALL SELECT 'setting ' || key FROM (SELECT * FROM sb EXCEPT SELECT * FROM sa)) ORDER BY what)",
		cols, cols);
	s = cli_prepare(db, sql);
	if (!s)
		return -1;
	int r = sqlite3_step(s) == SQLITE_ROW ? 0 : -1;
	const char *diff = r == 0 ? (const char *)sqlite3_column_text(s, 0) : NULL;
	if (diff) {
		fprintf(stderr, "gemsoak merge: %s: judged by other trend thresholds than %s (%s): its runs'"
			" verdicts would change; not merged (merge it into a new database, or give both the same"
			" trend_thresholds and trend_settings)\n", in, out, diff);
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

static int merge_one(sqlite3 *db, const char *in, const char *out, const char *trigger_sql)
{
	char uri[4200];
	if (cli_file_uri(in, "mode=ro", uri, sizeof(uri))) {
		fprintf(stderr, "gemsoak merge: %s: file name too long\n", in);
		return -1;
	}
	sqlite3_stmt *s = cli_prepare(db, "ATTACH DATABASE ? AS src");
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "gemsoak merge: %s: %s\n", in, sqlite3_errmsg(db));
		return -1;
	}
	int copied = 0, updated = 0, ticks = 0, r = -1;
	int version = cli_schema_version(db, "src");
	/* The source must be a gemsoak database with rollups (schema 4 on). */
	if (version > store_known_version())
		fprintf(stderr, "gemsoak merge: %s: database schema version %d is newer than this"
			" gemsoak (%d); not merged\n", in, version, store_known_version());
	else if (sqlite3_exec(db, "SELECT 1 FROM src.rollups, src.run_props LIMIT 0", NULL, NULL, NULL) != SQLITE_OK)
		fprintf(stderr, "gemsoak merge: %s: not a gemsoak database (or older than this gemsoak): %s\n",
			in, sqlite3_errmsg(db));
	else if (exec_sql(db, "begin", "BEGIN IMMEDIATE") == 0) {
		r = same_judgement(db, in, out, version) || copy_runs(db, in, &copied) ||
				    map_held_runs(db, in, &updated) || copy_data(db, version, trigger_sql) ||
				    copy_verdicts(db, version) || copy_origins(db) ||
				    count_of(db, "SELECT COUNT(*) FROM temp.new_ticks WHERE fresh = 0", &ticks) ? -1 : 0;
		exec_sql(db, r ? "rollback" : "commit", r ? "ROLLBACK" : "COMMIT");
	}
	exec_sql(db, "detach", "DETACH DATABASE src");
	if (r == 0)
		printf("%s: %d run(s) merged, %d run(s) updated, +%d ticks\n", in, copied, updated, ticks);
	return r;
}

static int merge_exec(struct cli *c)
{
	int r;
	const char *out = c->argv[0];
	/* The store creates (or migrates) the output's schema. */
	struct store *st;
	char err[1024];
	if (store_open(out, &st, err, sizeof(err))) {
		fprintf(stderr, "gemsoak merge: %s\n", err);
		return CMD_ERROR;
	}
	store_close(st);
	c->db_path = out;
	sqlite3 *db = cli_open(c, true);
	sqlite3_stmt *s = db ? cli_prepare(db, "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
					       " AND name = 'samples_rollup'") : NULL;
	char *trigger = NULL;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		trigger = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	r = trigger ? 0 : -1;
	for (int i = 1; r == 0 && i < c->argc; i++)
		r = merge_one(db, c->argv[i], out, trigger);
	if (r == 0)
		r = judge_stale(db);
	free(trigger);
	sqlite3_close(db);
	return r ? CMD_ERROR : CMD_OK;
}

const struct cmd_entry cmd_merge = {
	.name = "merge",
	.summary = "Combine the databases of many machines into OUT.db, keeping each run's host",
	.args = "OUT.db IN.db...",
	.min_args = 2,
	.max_args = -1,
	.exec = merge_exec,
};
