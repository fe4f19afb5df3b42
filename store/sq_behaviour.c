/*
 * sq_behaviour.c - behaviour reports in the SQLite store (issue 8): one row
 * per (file, sandbox) holding the rendered `file_behaviour` attributes, and
 * the file's `sandbox_verdicts` kept beside its other columns so the file
 * document shows them.  Ids are VirusTotal's "<sha256>_<sandbox name>".
 *
 * SPDX-License-Identifier: MIT
 */
#include "sq_int.h"

const char sq_schema_v5[] =
	"CREATE TABLE behaviours(id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, sandbox TEXT NOT NULL,"
	"  date INTEGER NOT NULL, report TEXT NOT NULL);"
	"CREATE INDEX behaviours_sha256 ON behaviours(sha256, date);"
	"ALTER TABLE files ADD COLUMN sandbox_verdicts TEXT;";

static int
run(struct sq_store *s, const char *sql, const char *what, const char *a, const char *b,
    const char *c, int64_t n, const char *d)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_dberr(s, what);
	sq_bind_text(st, 1, a);
	sq_bind_text(st, 2, b);
	sq_bind_text(st, 3, c);
	sqlite3_bind_int64(st, 4, n);
	sq_bind_text(st, 5, d);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? PN_OK : sq_dberr(s, what);
}

static int
put_tx(struct sq_store *s, const char *sha256, const char *sandbox, int64_t date,
    const char *report, const char *verdict)
{
	char *id = pn_xasprintf("%s_%s", sha256, sandbox);
	int rc;

	rc = run(s, "INSERT INTO behaviours(id, sha256, sandbox, date, report)"
	    " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET date = excluded.date,"
	    " report = excluded.report", "behaviour put", id, sha256, sandbox, date, report);
	free(id);
	if (rc == PN_OK && verdict)
		rc = run(s, "UPDATE files SET sandbox_verdicts = json_set(coalesce(sandbox_verdicts,"
		    " '{}'), '$.' || json_quote(?2), json(?3)) WHERE sha256 = ?1", "sandbox verdicts",
		    sha256, sandbox, verdict, 0, NULL);
	if (rc == PN_OK)
		rc = sq_rerender(s, sha256);
	return rc;
}

int
sq_behaviour_put(struct pn_store *ps, const char *sha256, const char *sandbox, int64_t date,
    const char *report, const char *verdict)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, put_tx(s, sha256, sandbox, date, report, verdict));
}

int
sq_behaviour_list(struct pn_store *ps, const char *sha256, const char *id, char ***ids,
    char ***reports, size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*ids = *reports = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT id, report FROM behaviours WHERE (?1 IS NULL OR"
	    " sha256 = ?1) AND (?2 IS NULL OR id = ?2) ORDER BY date DESC, id LIMIT 64", -1, &st,
	    NULL) != SQLITE_OK)
		return sq_dberr(s, "behaviour list");
	sq_bind_text(st, 1, sha256);
	sq_bind_text(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*ids = pn_xrealloc(*ids, cap * sizeof(**ids));
			*reports = pn_xrealloc(*reports, cap * sizeof(**reports));
		}
		(*ids)[*n] = sq_dup_col(st, 0);
		(*reports)[*n] = sq_dup_col(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? PN_OK : sq_dberr(s, "behaviour list");
}
