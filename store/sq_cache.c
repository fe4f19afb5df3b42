/*
 * sq_cache.c - the engine result cache of the SQLite store (schema step
 * sq_schema_cache): one row per (sha256, engine) holding the verdict the
 * engine gave at a given engine version and signature version.  A rescan
 * takes the rows whose version and signature version are still current
 * and re-runs only the other engines (analysis/job.c).
 *
 * Only the latest verdict of an engine is kept per file: a put replaces
 * it.  Timeouts and failures are never cached (the caller filters).
 *
 * Ownership: pn_store_verdict_cache_get returns a new array freed with
 * pn_cached_verdicts_free.
 * Limits: PN_CACHE_MAX_ROWS rows read per file.
 * Errors: PN_EINTERNAL on a database error (logged), PN_EBUSY when locked.
 *
 * SPDX-License-Identifier: MIT
 */
#include "sq_int.h"

#define PN_CACHE_MAX_ROWS 256

static const char cache_sql[] =
	"CREATE TABLE IF NOT EXISTS verdict_cache ("
	" sha256 TEXT NOT NULL,"
	" engine TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" sigver TEXT NOT NULL,"
	" category TEXT NOT NULL,"
	" result TEXT,"
	" method TEXT,"
	" details TEXT,"
	" date INTEGER NOT NULL,"
	" PRIMARY KEY (sha256, engine)) WITHOUT ROWID;";

int
sq_schema_cache(struct sq_store *s)
{
	return sq_exec_sql(s, cache_sql);
}

void
pn_cached_verdicts_free(struct pn_cached_verdict *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].result);
		free(v[i].method);
		free(v[i].details);
	}
	free(v);
}

int
sq_verdict_cache_get(struct pn_store *ps, const char *sha256, struct pn_cached_verdict **out,
    size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st;
	struct pn_cached_verdict *v = NULL;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT engine, version, sigver, category, result, method,"
	    " details, date FROM verdict_cache WHERE sha256 = ?", -1, &st, NULL) != SQLITE_OK)
		return sq_dberr(s, "cache get");
	sq_bind_text(st, 1, sha256);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && cnt < PN_CACHE_MAX_ROWS) {
		struct pn_cached_verdict *c;
		v = pn_xrealloc(v, (cnt + 1) * sizeof(*v));
		c = &v[cnt++];
		memset(c, 0, sizeof(*c));
		sq_copy_col(st, 0, c->engine, sizeof(c->engine));
		sq_copy_col(st, 1, c->version, sizeof(c->version));
		sq_copy_col(st, 2, c->sigver, sizeof(c->sigver));
		sq_copy_col(st, 3, c->category, sizeof(c->category));
		c->result = sq_dup_col(st, 4);
		c->method = sq_dup_col(st, 5);
		c->details = sq_dup_col(st, 6);
		c->date = sqlite3_column_int64(st, 7);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = sq_dberr(s, "cache get");
		sqlite3_finalize(st);
		pn_cached_verdicts_free(v, cnt);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = cnt;
	return PN_OK;
}

int
sq_verdict_cache_put(struct pn_store *ps, const char *sha256, const struct pn_cached_verdict *v,
    size_t n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (n == 0)
		return PN_OK;
	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO verdict_cache (sha256, engine,"
	    " version, sigver, category, result, method, details, date)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return sq_end_tx(s, sq_dberr(s, "cache put"));
	for (i = 0; i < n && rc == PN_OK; i++) {
		sqlite3_reset(st);
		sq_bind_text(st, 1, sha256);
		sq_bind_text(st, 2, v[i].engine);
		sq_bind_text(st, 3, v[i].version);
		sq_bind_text(st, 4, v[i].sigver);
		sq_bind_text(st, 5, v[i].category);
		sq_bind_text(st, 6, v[i].result);
		sq_bind_text(st, 7, v[i].method);
		sq_bind_text(st, 8, v[i].details);
		sqlite3_bind_int64(st, 9, v[i].date);
		rc = sq_exec_step(s, st, "cache put");
	}
	sqlite3_finalize(st);
	return sq_end_tx(s, rc);
}
