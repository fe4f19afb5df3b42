/*
 * store_sqlite.c - the embedded store: one SQLite database in WAL mode
 * under the data directory (DATA/panoptes.db).
 *
 * Several processes share it: the server (one connection per HTTP thread)
 * and every worker.  Writers take the database lock with BEGIN IMMEDIATE and
 * wait up to PN_SQLITE_BUSY_MS for it.  Every submission is committed with
 * synchronous=FULL by default, so an acknowledged upload survives a crash.
 *
 * Statements are prepared once per connection and cached (sq_stmt()).
 * The schema is created or migrated on open (migrate()); its version is
 * PRAGMA user_version.
 *
 * Errors: PN_EINTERNAL with the SQLite message logged; PN_EBUSY when the
 * lock could not be had in time; PN_ENOTFOUND for missing rows.
 *
 * SPDX-License-Identifier: MIT
 */
#include "sq_int.h"
#include "render.h"
#include "b64.h"
#include "pn_limits.h"

#include <errno.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#define PN_SQLITE_BUSY_MS 15000

enum {
	Q_USER_COUNT,
	Q_FILE_BY_SHA256, Q_FILE_BY_MD5, Q_FILE_BY_SHA1, Q_FILE_INSERT, Q_FILE_ROW,
	Q_FILE_SUBMITTED, Q_FILE_SET_DOC, Q_SOURCE_ADD, Q_SUB_ADD, Q_JOB_QUEUED_FOR,
	Q_ANALYSIS_EXISTS, Q_ANALYSIS_ADD, Q_JOB_ADD, Q_ANALYSIS_GET,
	Q_JOB_CLAIM, Q_JOB_CLAIM_BEHAVIOUR, Q_BEHAVIOUR_JOB_ADD, Q_JOB_WAITING, Q_JOB_WAITING_BEHAVIOUR, Q_ANALYSIS_SET_STATUS, Q_ANALYSIS_DONE, Q_FILE_SET_ANALYSIS,
	Q_FILE_SET_DETAILS, Q_JOB_DELETE, Q_JOBS_OF_WORKER, Q_JOB_REQUEUE,
	Q_JOBS_RESET, Q_JOBS_QUEUED, Q_JOBS_OVERDUE, Q_EDGE_ADD, Q_EDGE_LIST, Q_EDGE_COUNT,
	Q_ANALYSES_LIST, Q_ANALYSES_COUNT, Q_SUBS_LIST, Q_SUBS_COUNT, Q_RES_LIST, Q_RES_COUNT,
	Q_TOKEN_ADD, Q_TOKEN_TAKE, Q_ENGINE_PUT, Q_ENGINE_LIST,
	Q__COUNT
};

/*
 * A relationship's target file or URL is listed only when the viewer may see it
 * (?6 = the viewer's group, NULL = sees everything): a private archive that
 * contains a file must not show up as that file's parent for another group.
 */
#define EDGE_VISIBLE "(?6 IS NULL OR dst_type NOT IN ('file', 'url') OR EXISTS (SELECT 1" \
	" FROM access a WHERE a.obj_type = dst_type AND a.obj_id = dst_id AND a.grp IN (?6, '*')))"

/*
 * A lookup in one statement (one snapshot, no transaction): the viewer's
 * group's view of the file (?2), or the public one, and whether either
 * exists - a file with neither is invisible to that group.  Four primary-key
 * probes, no sort.
 */
#define FILE_VIEW "coalesce((SELECT view FROM access a WHERE a.obj_type = 'file'" \
	" AND a.obj_id = f.sha256 AND a.grp = ?2), (SELECT view FROM access a" \
	" WHERE a.obj_type = 'file' AND a.obj_id = f.sha256 AND a.grp = '*'))," \
	" EXISTS (SELECT 1 FROM access a WHERE a.obj_type = 'file' AND a.obj_id = f.sha256" \
	" AND a.grp = ?2) OR EXISTS (SELECT 1 FROM access a WHERE a.obj_type = 'file'" \
	" AND a.obj_id = f.sha256 AND a.grp = '*')"

static const char *const sql_text[Q__COUNT] = {
	[Q_USER_COUNT] = "SELECT count(*) FROM users",
	[Q_FILE_BY_SHA256] = "SELECT sha256, doc, gview, " FILE_VIEW " FROM files f WHERE sha256 = ?1",
	[Q_FILE_BY_MD5] = "SELECT sha256, doc, gview, " FILE_VIEW " FROM files f WHERE md5 = ?1",
	[Q_FILE_BY_SHA1] = "SELECT sha256, doc, gview, " FILE_VIEW " FROM files f WHERE sha1 = ?1",
	[Q_FILE_INSERT] = "INSERT OR IGNORE INTO files(sha256, sha1, md5, size, first_submission_date, doc)"
	                  " VALUES(?1,?2,?3,?4,?5,'{}')",
	[Q_FILE_ROW] = "SELECT sha256, sha1, md5, size, first_submission_date, last_submission_date,"
	               " times_submitted, (SELECT count(*) FROM sources s WHERE s.sha256 = f.sha256),"
	               " names, details, last_analysis_date, last_analysis_results, last_analysis_stats,"
	               " reputation, votes_harmless, votes_malicious, sandbox_verdicts"
	               " FROM files f WHERE sha256 = ?1",
	[Q_FILE_SUBMITTED] = "UPDATE files SET times_submitted = times_submitted + 1,"
	                     " last_submission_date = max(coalesce(last_submission_date, 0), ?2),"
	                     " first_submission_date = min(coalesce(first_submission_date, ?2), ?2),"
	                     " names = CASE WHEN ?3 IS NULL OR ?3 = '' OR EXISTS (SELECT 1 FROM json_each(names) WHERE value = ?3)"
	                     "   OR json_array_length(names) >= ?4 THEN names ELSE json_insert(names, '$[#]', ?3) END"
	                     " WHERE sha256 = ?1",
	[Q_FILE_SET_DOC] = "UPDATE files SET doc = ?2, gview = ?3 WHERE sha256 = ?1",
	[Q_SOURCE_ADD] = "INSERT OR IGNORE INTO sources(sha256, user) VALUES(?1, ?2)",
	[Q_SUB_ADD] = "INSERT INTO submissions(sha256, date, name, user, interface, grp) VALUES(?1,?2,?3,?4,?5,?6)",
	[Q_JOB_QUEUED_FOR] = "SELECT analysis_id FROM jobs WHERE item_type = ?1 AND item_id = ?2 AND state = 'queued'"
	                     " ORDER BY id LIMIT 1",
	[Q_ANALYSIS_EXISTS] = "SELECT 1 FROM analyses WHERE id = ?1",
	[Q_ANALYSIS_ADD] = "INSERT INTO analyses(id, item_type, item_id, date, status) VALUES(?1,?2,?3,?4,'queued')",
	[Q_JOB_ADD] = "INSERT INTO jobs(analysis_id, item_type, item_id, state, enqueued, depth, password)"
	              " VALUES(?1,?2,?3,'queued',?4,?5,?6)",
	[Q_ANALYSIS_GET] = "SELECT a.id, a.item_type, a.item_id, a.status, a.date, a.stats, a.results,"
	                   " f.md5, f.sha1, f.size FROM analyses a LEFT JOIN files f ON f.sha256 = a.item_id"
	                   " WHERE a.id = ?1",
	[Q_JOB_CLAIM] = "UPDATE jobs SET state = 'running', worker = ?1, claimed_at = ?2, attempts = attempts + 1"
	                " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND item_type <> 'behaviour'"
	                " ORDER BY id LIMIT 1)"
	                " RETURNING id, analysis_id, item_type, item_id, attempts, depth, password",
	[Q_JOB_CLAIM_BEHAVIOUR] = "UPDATE jobs SET state = 'running', worker = ?1, claimed_at = ?2,"
	                " attempts = attempts + 1"
	                " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND item_type = 'behaviour'"
	                " ORDER BY id LIMIT 1)"
	                " RETURNING id, analysis_id, item_type, item_id, attempts, depth, password",
	/* Read-only probes: an idle worker looks without taking the write lock. */
	[Q_JOB_WAITING] = "SELECT 1 FROM jobs WHERE state = 'queued' AND item_type <> 'behaviour' LIMIT 1",
	[Q_JOB_WAITING_BEHAVIOUR] = "SELECT 1 FROM jobs WHERE state = 'queued' AND item_type = 'behaviour'"
	                " LIMIT 1",
	/* analysis_id "behaviour:<sha256>" is UNIQUE: one queued or running run per file. */
	[Q_BEHAVIOUR_JOB_ADD] = "INSERT OR IGNORE INTO jobs(analysis_id, item_type, item_id, state, enqueued)"
	                " VALUES('behaviour:' || ?1, 'behaviour', ?1, 'queued', ?2)",
	[Q_ANALYSIS_SET_STATUS] = "UPDATE analyses SET status = ?2 WHERE id = ?1",
	[Q_ANALYSIS_DONE] = "UPDATE analyses SET status = 'completed', stats = ?2, results = ?3 WHERE id = ?1"
	                    " RETURNING date",
	[Q_FILE_SET_ANALYSIS] = "UPDATE files SET last_analysis_id = ?2, last_analysis_date = ?3,"
	                        " last_analysis_results = ?4, last_analysis_stats = ?5"
	                        " WHERE sha256 = ?1 AND coalesce(last_analysis_date, 0) <= ?3",
	[Q_FILE_SET_DETAILS] = "UPDATE files SET details = ?2 WHERE sha256 = ?1",
	[Q_JOB_DELETE] = "DELETE FROM jobs WHERE id = ?1",
	[Q_JOBS_OF_WORKER] = "SELECT id, analysis_id, item_type, item_id, attempts, depth, password FROM jobs"
	                     " WHERE state = 'running' AND worker = ?1",
	[Q_JOB_REQUEUE] = "UPDATE jobs SET state = 'queued', worker = NULL WHERE id = ?1",
	[Q_JOBS_RESET] = "UPDATE jobs SET state = 'queued', worker = NULL WHERE state = 'running'",
	[Q_JOBS_QUEUED] = "SELECT count(*) FROM jobs",
	[Q_JOBS_OVERDUE] = "SELECT DISTINCT worker FROM jobs WHERE state = 'running' AND claimed_at < ?1",
	[Q_EDGE_ADD] = "INSERT INTO edges(src_type, src_id, rel, dst_type, dst_id, ctx, created)"
	               " VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT DO UPDATE SET ctx = coalesce(excluded.ctx, ctx)",
	[Q_EDGE_LIST] = "SELECT dst_type, dst_id, ctx, seq FROM edges WHERE src_type = ?1 AND src_id = ?2"
	                " AND rel = ?3 AND seq > ?4 AND " EDGE_VISIBLE " ORDER BY seq LIMIT ?5",
	[Q_EDGE_COUNT] = "SELECT count(*) FROM edges WHERE src_type = ?1 AND src_id = ?2 AND rel = ?3"
	                 " AND " EDGE_VISIBLE " AND ?4 = ?4 AND ?5 = ?5",
	[Q_ANALYSES_LIST] = "SELECT 'analysis', id, NULL, rowid FROM analyses WHERE item_type = ?1 AND item_id = ?2"
	                    " AND rowid > ?4 AND ?3 = ?3 AND ?6 IS ?6 ORDER BY rowid LIMIT ?5",
	[Q_ANALYSES_COUNT] = "SELECT count(*) FROM analyses WHERE item_type = ?1 AND item_id = ?2 AND ?3 = ?3"
	                     " AND ?4 = ?4 AND ?5 = ?5 AND ?6 IS ?6",
	[Q_SUBS_LIST] = "SELECT 'submission', 'f-' || sha256 || '-' || date || '-' || id, json_object('date', date,"
	                " 'interface', interface, 'name', name), id FROM submissions WHERE ?1 = 'file'"
	                " AND sha256 = ?2 AND id > ?4 AND ?3 = ?3 AND (?6 IS NULL OR grp = ?6)"
	                " ORDER BY id LIMIT ?5",
	[Q_SUBS_COUNT] = "SELECT count(*) FROM submissions WHERE ?1 = 'file' AND sha256 = ?2 AND ?3 = ?3"
	                 " AND ?4 = ?4 AND ?5 = ?5 AND (?6 IS NULL OR grp = ?6)",
	[Q_RES_LIST] = "SELECT 'resolution', ip || domain, json_object('date', last_seen, 'host_name', domain,"
	               " 'ip_address', ip, 'first_seen', first_seen, 'resolver', source), seq FROM resolutions"
	               " WHERE CASE ?1 WHEN 'domain' THEN domain = ?2 WHEN 'ip_address' THEN ip = ?2 ELSE 0 END"
	               " AND seq > ?4 AND ?3 = ?3 AND ?6 IS ?6 ORDER BY seq LIMIT ?5",
	[Q_RES_COUNT] = "SELECT count(*) FROM resolutions"
	                " WHERE CASE ?1 WHEN 'domain' THEN domain = ?2 WHEN 'ip_address' THEN ip = ?2 ELSE 0 END"
	                " AND ?3 = ?3 AND ?4 = ?4 AND ?5 = ?5 AND ?6 IS ?6",
	[Q_TOKEN_ADD] = "INSERT INTO upload_tokens(token_hash, user, expires) VALUES(?1,?2,?3)",
	[Q_TOKEN_TAKE] = "DELETE FROM upload_tokens WHERE token_hash = ?1 AND expires >= ?2 RETURNING user",
	[Q_ENGINE_PUT] = "INSERT INTO engines(name, kind, version, update_date, error, seen) VALUES(?1,?2,?3,?4,?5,?6)"
	                 " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, version = excluded.version,"
	                 " update_date = excluded.update_date, error = excluded.error, seen = excluded.seen",
	[Q_ENGINE_LIST] = "SELECT name, kind, version, update_date, error, seen FROM engines ORDER BY name",
};

static const char schema_v1[] =
	"CREATE TABLE users(id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE,"
	"  is_admin INTEGER NOT NULL DEFAULT 0, can_download INTEGER NOT NULL DEFAULT 0,"
	"  active INTEGER NOT NULL DEFAULT 1, created INTEGER NOT NULL);"
	"CREATE TABLE files(sha256 TEXT PRIMARY KEY, sha1 TEXT NOT NULL, md5 TEXT NOT NULL,"
	"  size INTEGER NOT NULL, first_submission_date INTEGER, last_submission_date INTEGER,"
	"  times_submitted INTEGER NOT NULL DEFAULT 0, names TEXT NOT NULL DEFAULT '[]',"
	"  details TEXT, last_analysis_id TEXT, last_analysis_date INTEGER,"
	"  last_analysis_results TEXT, last_analysis_stats TEXT,"
	"  reputation INTEGER NOT NULL DEFAULT 0, votes_harmless INTEGER NOT NULL DEFAULT 0,"
	"  votes_malicious INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL);"
	"CREATE INDEX files_md5 ON files(md5);"
	"CREATE INDEX files_sha1 ON files(sha1);"
	"CREATE TABLE sources(sha256 TEXT NOT NULL, user TEXT NOT NULL,"
	"  PRIMARY KEY(sha256, user)) WITHOUT ROWID;"
	"CREATE TABLE submissions(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, date INTEGER NOT NULL,"
	"  name TEXT, user TEXT, interface TEXT);"
	"CREATE INDEX submissions_sha256 ON submissions(sha256, id);"
	"CREATE TABLE analyses(id TEXT PRIMARY KEY, item_type TEXT NOT NULL, item_id TEXT NOT NULL,"
	"  date INTEGER NOT NULL, status TEXT NOT NULL, stats TEXT, results TEXT);"
	"CREATE INDEX analyses_item ON analyses(item_type, item_id);"
	"CREATE TABLE jobs(id INTEGER PRIMARY KEY, analysis_id TEXT NOT NULL UNIQUE,"
	"  item_type TEXT NOT NULL, item_id TEXT NOT NULL, state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, claimed_at INTEGER, enqueued INTEGER);"
	"CREATE INDEX jobs_state ON jobs(state, id);"
	"CREATE TABLE edges(seq INTEGER PRIMARY KEY AUTOINCREMENT, src_type TEXT NOT NULL,"
	"  src_id TEXT NOT NULL, rel TEXT NOT NULL, dst_type TEXT NOT NULL, dst_id TEXT NOT NULL,"
	"  ctx TEXT, created INTEGER NOT NULL,"
	"  UNIQUE(src_type, src_id, rel, dst_type, dst_id));"
	"CREATE INDEX edges_src ON edges(src_type, src_id, rel, seq);"
	"CREATE TABLE upload_tokens(token_hash TEXT PRIMARY KEY, user TEXT NOT NULL,"
	"  expires INTEGER NOT NULL);"
	"CREATE TABLE engines(name TEXT PRIMARY KEY, kind TEXT, version TEXT, update_date TEXT,"
	"  error TEXT, seen INTEGER);";

/* v2: containment depth and the archive password travel with a job. */
static const char schema_v2[] =
	"ALTER TABLE jobs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE jobs ADD COLUMN password TEXT;";

/* v7: workers of each kind find their jobs through an index (sandbox runs are jobs too). */
static const char schema_v7[] =
	"CREATE INDEX jobs_kind ON jobs(state, item_type, id);";

#define PN_SQLITE_SCHEMA 7

int
sq_dberr(struct sq_store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);

	log_warnx("store: %s: %s", what, sqlite3_errmsg(s->db));
	return (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? PN_EBUSY : PN_EINTERNAL;
}

/* The cached, reset statement for query q. */
static sqlite3_stmt *
sq_stmt(struct sq_store *s, int q)
{
	if (s->st[q] == NULL) {
		if (sqlite3_prepare_v3(s->db, sql_text[q], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->st[q], NULL) != SQLITE_OK) {
			sq_dberr(s, "prepare");
			PN_BUG("a built-in SQL statement does not compile");
		}
	} else {
		sqlite3_reset(s->st[q]);
		sqlite3_clear_bindings(s->st[q]);
	}
	return s->st[q];
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

const char *
sq_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

void
sq_copy_col(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const char *t = sq_col_text(st, i);
	pn_strlcpy(dst, t ? t : "", n);
}

char *
sq_dup_col(sqlite3_stmt *st, int i)
{
	const char *t = sq_col_text(st, i);
	return t ? pn_xstrdup(t) : NULL;
}

/* Run a statement expected to return no rows (or ignore them). */
int
sq_exec_step(struct sq_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_dberr(s, what);
	sqlite3_reset(st);
	return PN_OK;
}

int
sq_exec_sql(struct sq_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(s->db);
		log_warnx("store: %.60s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? PN_EBUSY : PN_EINTERNAL;
	}
	return PN_OK;
}

int sq_begin(struct sq_store *s) { return sq_exec_sql(s, "BEGIN IMMEDIATE"); }
static int sq_commit(struct sq_store *s) { return sq_exec_sql(s, "COMMIT"); }
static void sq_rollback(struct sq_store *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

/* Finish a transaction: commit on success, roll back otherwise. */
int
sq_end_tx(struct sq_store *s, int rc)
{
	if (rc == PN_OK)
		rc = sq_commit(s);
	if (rc != PN_OK)
		sq_rollback(s);
	return rc;
}

void
sq_sha256_hex(const char *text, char out[65])
{
	uint8_t md[32];
	unsigned int len = 0;

	EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
	pn_hex(md, 32, out);
}

int
sq_count_query(struct sq_store *s, sqlite3_stmt *st, int64_t *n)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW)
		return sq_dberr(s, "count");
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PN_OK;
}

static int
sq_user_count(struct pn_store *ps, int64_t *n)
{
	return sq_count_query(SQ(ps), sq_stmt(SQ(ps), Q_USER_COUNT), n);
}

/* ---------------------------------------------------------------- files */

/* Re-render the stored attributes of one file; inside a transaction. */
int
sq_rerender(struct sq_store *s, const char *sha256)
{
	sqlite3_stmt *st = sq_stmt(s, Q_FILE_ROW);
	struct pn_file_row r;
	char *doc, *gview;
	int rc;

	sq_bind_text(st, 1, sha256);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "file row");
	}
	memset(&r, 0, sizeof(r));
	r.sha256 = sq_col_text(st, 0);
	r.sha1 = sq_col_text(st, 1);
	r.md5 = sq_col_text(st, 2);
	r.size = (uint64_t)sqlite3_column_int64(st, 3);
	r.first_submission_date = sqlite3_column_int64(st, 4);
	r.last_submission_date = sqlite3_column_int64(st, 5);
	r.times_submitted = sqlite3_column_int64(st, 6);
	r.unique_sources = sqlite3_column_int64(st, 7);
	r.names = sq_col_text(st, 8);
	r.details = sq_col_text(st, 9);
	r.last_analysis_date = sqlite3_column_int64(st, 10);
	r.last_analysis_results = sq_col_text(st, 11);
	r.last_analysis_stats = sq_col_text(st, 12);
	r.reputation = sqlite3_column_int64(st, 13);
	r.votes_harmless = sqlite3_column_int64(st, 14);
	r.votes_malicious = sqlite3_column_int64(st, 15);
	r.sandbox_verdicts = sq_col_text(st, 16);
	doc = pn_render_file(&r);
	gview = pn_render_view(r.names, r.first_submission_date, r.last_submission_date,
	    r.times_submitted, r.unique_sources);
	sqlite3_reset(st);

	st = sq_stmt(s, Q_FILE_SET_DOC);
	sq_bind_text(st, 1, sha256);
	sqlite3_bind_text(st, 2, doc, -1, free);
	sqlite3_bind_text(st, 3, gview, -1, free);
	return sq_exec_step(s, st, "file set doc");
}

void
pn_analysis_id_file(const char *md5, int64_t ts, char out[128])
{
	char raw[64];
	int n = snprintf(raw, sizeof(raw), "%s:%lld", md5, (long long)ts);

	if (pn_b64_encode(raw, (size_t)n, out, 128, 0) < 0)
		PN_BUG("analysis id does not fit");
}

int
sq_analysis_free(struct sq_store *s, const char *aid)
{
	sqlite3_stmt *st = sq_stmt(s, Q_ANALYSIS_EXISTS);
	int rc;

	sq_bind_text(st, 1, aid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return PN_OK;
	return rc == SQLITE_ROW ? PN_EEXIST : sq_dberr(s, "analysis exists");
}

/* The queued analysis row and its job. */
static int
enqueue_job(struct sq_store *s, const char *aid, const char *type, const char *id, int64_t ts,
    int64_t date, int depth, const char *password)
{
	sqlite3_stmt *st = sq_stmt(s, Q_ANALYSIS_ADD);
	int rc;

	sq_bind_text(st, 1, aid);
	sq_bind_text(st, 2, type);
	sq_bind_text(st, 3, id);
	sqlite3_bind_int64(st, 4, ts);
	if ((rc = sq_exec_step(s, st, "analysis add")) != PN_OK)
		return rc;
	st = sq_stmt(s, Q_JOB_ADD);
	sq_bind_text(st, 1, aid);
	sq_bind_text(st, 2, type);
	sq_bind_text(st, 3, id);
	sqlite3_bind_int64(st, 4, date);
	sqlite3_bind_int(st, 5, depth);
	sq_bind_text(st, 6, password && *password ? password : NULL);
	return sq_exec_step(s, st, "job add");
}

int
sq_enqueue_item(struct sq_store *s, const char *aid, const char *type, const char *id,
    int64_t ts, int64_t date)
{
	return enqueue_job(s, aid, type, id, ts, date, 0, NULL);
}

/* A new queued analysis + job for a file; the id is unique even within one second. */
static int
enqueue(struct sq_store *s, const char *sha256, const char *md5, int64_t date, int depth,
    const char *password, char aid[128])
{
	int64_t ts = date;
	int rc;

	for (;; ts++) {
		pn_analysis_id_file(md5, ts, aid);
		if ((rc = sq_analysis_free(s, aid)) == PN_OK)
			break;
		if (rc != PN_EEXIST)
			return rc;
	}
	return enqueue_job(s, aid, "file", sha256, ts, date, depth, password);
}

/* The analysis already queued for this item, if any (dedupes concurrent uploads). */
int
sq_queued_analysis(struct sq_store *s, const char *type, const char *id, char aid[128])
{
	sqlite3_stmt *st = sq_stmt(s, Q_JOB_QUEUED_FOR);
	int rc;

	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sq_copy_col(st, 0, aid, 128);
		sqlite3_reset(st);
		return PN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "queued analysis");
}

static int
file_submit_tx(struct sq_store *s, const struct pn_file_submission *f, char aid[128])
{
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, Q_FILE_INSERT);
	sq_bind_text(st, 1, f->sha256);
	sq_bind_text(st, 2, f->sha1);
	sq_bind_text(st, 3, f->md5);
	sqlite3_bind_int64(st, 4, (int64_t)f->size);
	sqlite3_bind_int64(st, 5, f->date);
	if ((rc = sq_exec_step(s, st, "file insert")) != PN_OK)
		return rc;

	st = sq_stmt(s, Q_FILE_SUBMITTED);
	sq_bind_text(st, 1, f->sha256);
	sqlite3_bind_int64(st, 2, f->date);
	sq_bind_text(st, 3, f->name);
	sqlite3_bind_int(st, 4, PN_NAMES_MAX);
	if ((rc = sq_exec_step(s, st, "file submitted")) != PN_OK)
		return rc;

	st = sq_stmt(s, Q_SOURCE_ADD);
	sq_bind_text(st, 1, f->sha256);
	sq_bind_text(st, 2, f->user);
	if ((rc = sq_exec_step(s, st, "source add")) != PN_OK)
		return rc;

	st = sq_stmt(s, Q_SUB_ADD);
	sq_bind_text(st, 1, f->sha256);
	sqlite3_bind_int64(st, 2, f->date);
	sq_bind_text(st, 3, f->name);
	sq_bind_text(st, 4, f->user);
	sq_bind_text(st, 5, f->interface ? f->interface : "api");
	sq_bind_text(st, 6, f->grp);
	if ((rc = sq_exec_step(s, st, "submission add")) != PN_OK)
		return rc;
	if ((rc = sq_access_submitted(s, f)) != PN_OK)
		return rc;

	rc = sq_queued_analysis(s, "file", f->sha256, aid);
	if (rc == PN_ENOTFOUND)
		rc = enqueue(s, f->sha256, f->md5, f->date, f->depth, f->password, aid);
	if (rc != PN_OK)
		return rc;
	return sq_rerender(s, f->sha256);
}

static int
sq_file_submit(struct pn_store *ps, const struct pn_file_submission *f, char aid[128])
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, file_submit_tx(s, f, aid));
}

/* md5, sha1 or sha256 by length; any case. */
static int
hash_query(const char *hash, char norm[65])
{
	size_t n = strlen(hash), i;

	if ((n != 32 && n != 40 && n != 64) || !pn_is_hex(hash, n))
		return -1;
	for (i = 0; i < n; i++)
		norm[i] = (char)(hash[i] | 0x20);
	norm[n] = '\0';
	return n == 32 ? Q_FILE_BY_MD5 : n == 40 ? Q_FILE_BY_SHA1 : Q_FILE_BY_SHA256;
}

static int
sq_file_doc(struct pn_store *ps, const struct pn_user *viewer, const char *hash,
    char sha256[65], char **doc, size_t *len)
{
	struct sq_store *s = SQ(ps);
	const char *grp = sq_viewer_grp(viewer);
	char norm[65];
	int q = hash_query(hash, norm), rc;
	sqlite3_stmt *st;

	if (q < 0)
		return PN_EINVAL;
	st = sq_stmt(s, q);
	sq_bind_text(st, 1, norm);
	sq_bind_text(st, 2, grp);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "file lookup");
	}
	/* Invisible and absent are the same answer: no 403-vs-404 oracle. */
	if (grp != NULL && sqlite3_column_int(st, 4) == 0) {
		sqlite3_reset(st);
		return PN_ENOTFOUND;
	}
	sq_copy_col(st, 0, sha256, 65);
	if (doc) {
		int n = sqlite3_column_bytes(st, 1);
		*doc = pn_render_splice((const char *)sqlite3_column_text(st, 1), (size_t)n,
		    sq_col_text(st, grp == NULL ? 2 : 3), len);
	}
	sqlite3_reset(st);
	return PN_OK;
}

static int
sq_file_exists(struct pn_store *ps, const struct pn_user *viewer, const char *hash,
    char sha256[65])
{
	return sq_file_doc(ps, viewer, hash, sha256, NULL, NULL);
}

static int
sq_file_rescan(struct pn_store *ps, const char *sha256, char aid[128])
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st;
	char md5[33];
	int rc;

	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	st = sq_stmt(s, Q_FILE_ROW);
	sq_bind_text(st, 1, sha256);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_end_tx(s, rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "rescan"));
	}
	sq_copy_col(st, 2, md5, sizeof(md5));
	sqlite3_reset(st);
	rc = sq_queued_analysis(s, "file", sha256, aid);
	if (rc == PN_ENOTFOUND)
		rc = enqueue(s, sha256, md5, pn_now(), 0, NULL, aid);
	return sq_end_tx(s, rc);
}

/* ------------------------------------------------------------- analyses */

void
pn_analysis_release(struct pn_analysis *a)
{
	free(a->stats);
	free(a->results);
	a->stats = a->results = NULL;
}

static int
sq_analysis_get(struct pn_store *ps, const char *id, struct pn_analysis *a)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_ANALYSIS_GET);
	int rc;

	memset(a, 0, sizeof(*a));
	sq_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "analysis get");
	}
	sq_copy_col(st, 0, a->id, sizeof(a->id));
	sq_copy_col(st, 1, a->item_type, sizeof(a->item_type));
	sq_copy_col(st, 2, a->item_id, sizeof(a->item_id));
	sq_copy_col(st, 3, a->status, sizeof(a->status));
	a->date = sqlite3_column_int64(st, 4);
	a->stats = sq_dup_col(st, 5);
	a->results = sq_dup_col(st, 6);
	sq_copy_col(st, 7, a->md5, sizeof(a->md5));
	sq_copy_col(st, 8, a->sha1, sizeof(a->sha1));
	a->size = (uint64_t)sqlite3_column_int64(st, 9);
	sqlite3_reset(st);
	return PN_OK;
}

/* ---------------------------------------------------------------- queue */

static int
sq_job_claim(struct pn_store *ps, const char *worker, int kind, struct pn_job *j)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, kind == PN_JOB_BEHAVIOUR ? Q_JOB_WAITING_BEHAVIOUR : Q_JOB_WAITING);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return PN_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return sq_dberr(s, "job waiting");
	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	st = sq_stmt(s, kind == PN_JOB_BEHAVIOUR ? Q_JOB_CLAIM_BEHAVIOUR : Q_JOB_CLAIM);
	sq_bind_text(st, 1, worker);
	sqlite3_bind_int64(st, 2, pn_now());
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_end_tx(s, rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "job claim"));
	}
	j->id = sqlite3_column_int64(st, 0);
	sq_copy_col(st, 1, j->analysis_id, sizeof(j->analysis_id));
	sq_copy_col(st, 2, j->item_type, sizeof(j->item_type));
	sq_copy_col(st, 3, j->item_id, sizeof(j->item_id));
	j->attempts = sqlite3_column_int(st, 4);
	j->depth = sqlite3_column_int(st, 5);
	sq_copy_col(st, 6, j->password, sizeof(j->password));
	sqlite3_reset(st);
	if (kind == PN_JOB_BEHAVIOUR)
		return sq_end_tx(s, PN_OK);   /* no analysis object */

	st = sq_stmt(s, Q_ANALYSIS_SET_STATUS);
	sq_bind_text(st, 1, j->analysis_id);
	sq_bind_text(st, 2, "in-progress");
	return sq_end_tx(s, sq_exec_step(s, st, "analysis status"));
}

static int
sq_behaviour_job_add(struct pn_store *ps, const char *sha256, int *added)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_BEHAVIOUR_JOB_ADD);
	int rc;

	sq_bind_text(st, 1, sha256);
	sqlite3_bind_int64(st, 2, pn_now());
	rc = sq_exec_step(s, st, "behaviour job add");
	if (added)
		*added = rc == PN_OK && sqlite3_changes(s->db) > 0;
	return rc;
}

static int
sq_job_done(struct pn_store *ps, const struct pn_job *j)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_JOB_DELETE);

	sqlite3_bind_int64(st, 1, j->id);
	return sq_exec_step(s, st, "job delete");
}

static int
finish_tx(struct sq_store *s, const struct pn_job *j, const char *details,
    const char *results, const char *stats)
{
	sqlite3_stmt *st = sq_stmt(s, Q_ANALYSIS_DONE);
	int64_t date;
	int rc;

	sq_bind_text(st, 1, j->analysis_id);
	sq_bind_text(st, 2, stats);
	sq_bind_text(st, 3, results);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "analysis done");
	}
	date = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	if (strcmp(j->item_type, "file") != 0) {
		if ((rc = sq_obj_finish(s, j, date, details, results, stats)) != PN_OK)
			return rc;
		st = sq_stmt(s, Q_JOB_DELETE);
		sqlite3_bind_int64(st, 1, j->id);
		return sq_exec_step(s, st, "job delete");
	}
	if (details) {
		st = sq_stmt(s, Q_FILE_SET_DETAILS);
		sq_bind_text(st, 1, j->item_id);
		sq_bind_text(st, 2, details);
		if ((rc = sq_exec_step(s, st, "file details")) != PN_OK)
			return rc;
	}
	st = sq_stmt(s, Q_FILE_SET_ANALYSIS);
	sq_bind_text(st, 1, j->item_id);
	sq_bind_text(st, 2, j->analysis_id);
	sqlite3_bind_int64(st, 3, date);
	sq_bind_text(st, 4, results);
	sq_bind_text(st, 5, stats);
	if ((rc = sq_exec_step(s, st, "file analysis")) != PN_OK)
		return rc;

	st = sq_stmt(s, Q_JOB_DELETE);
	sqlite3_bind_int64(st, 1, j->id);
	if ((rc = sq_exec_step(s, st, "job delete")) != PN_OK)
		return rc;
	return sq_rerender(s, j->item_id);
}

static int
sq_job_finish(struct pn_store *ps, const struct pn_job *j, const char *details,
    const char *results, const char *stats)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, finish_tx(s, j, details, results, stats));
}

static int
release_tx(struct sq_store *s, const char *worker, int max_attempts,
    const char *fail_results, const char *fail_stats)
{
	sqlite3_stmt *st = sq_stmt(s, Q_JOBS_OF_WORKER);
	struct pn_job jobs[16];
	size_t n = 0, i;
	int rc;

	sq_bind_text(st, 1, worker);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < PN_ARRAY_LEN(jobs)) {
		jobs[n].id = sqlite3_column_int64(st, 0);
		sq_copy_col(st, 1, jobs[n].analysis_id, sizeof(jobs[n].analysis_id));
		sq_copy_col(st, 2, jobs[n].item_type, sizeof(jobs[n].item_type));
		sq_copy_col(st, 3, jobs[n].item_id, sizeof(jobs[n].item_id));
		jobs[n].attempts = sqlite3_column_int(st, 4);
		jobs[n].depth = sqlite3_column_int(st, 5);
		sq_copy_col(st, 6, jobs[n].password, sizeof(jobs[n].password));
		n++;
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		if (jobs[i].attempts >= max_attempts && strcmp(jobs[i].item_type, "behaviour") == 0) {
			log_warnx("job %lld (%s) failed %d times: giving up",
			    (long long)jobs[i].id, jobs[i].analysis_id, jobs[i].attempts);
			st = sq_stmt(s, Q_JOB_DELETE);   /* no analysis to fail */
			sqlite3_bind_int64(st, 1, jobs[i].id);
			rc = sq_exec_step(s, st, "job delete");
		} else if (jobs[i].attempts >= max_attempts) {
			int file = strcmp(jobs[i].item_type, "file") == 0;
			log_warnx("job %lld (%s) failed %d times: giving up",
			    (long long)jobs[i].id, jobs[i].analysis_id, jobs[i].attempts);
			/* The failure rows name file engines; other objects get an empty result. */
			rc = finish_tx(s, &jobs[i], NULL, file ? fail_results : "{}",
			    file ? fail_stats : pn_render_empty_obj_stats());
		} else {
			st = sq_stmt(s, Q_JOB_REQUEUE);
			sqlite3_bind_int64(st, 1, jobs[i].id);
			rc = sq_exec_step(s, st, "job requeue");
		}
		if (rc != PN_OK)
			return rc;
	}
	return PN_OK;
}

static int
sq_jobs_release(struct pn_store *ps, const char *worker, int max_attempts,
    const char *fail_results, const char *fail_stats)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, release_tx(s, worker, max_attempts, fail_results, fail_stats));
}

static int
sq_jobs_reset_running(struct pn_store *ps, int64_t *n)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_exec_step(s, sq_stmt(s, Q_JOBS_RESET), "jobs reset");

	if (rc == PN_OK && n)
		*n = sqlite3_changes(s->db);
	return rc;
}

static int
sq_jobs_queued(struct pn_store *ps, int64_t *n)
{
	return sq_count_query(SQ(ps), sq_stmt(SQ(ps), Q_JOBS_QUEUED), n);
}

static int
sq_jobs_overdue(struct pn_store *ps, int64_t before, char (*workers)[32], size_t max, size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_JOBS_OVERDUE);
	int rc;

	*n = 0;
	sqlite3_bind_int64(st, 1, before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		sq_copy_col(st, 0, workers[(*n)++], 32);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PN_OK : sq_dberr(s, "jobs overdue");
}

/* ---------------------------------------------------------------- edges */

static int
sq_edge_add(struct pn_store *ps, const char *src_type, const char *src_id, const char *rel,
    const char *dst_type, const char *dst_id, const char *ctx)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_EDGE_ADD);

	sq_bind_text(st, 1, src_type);
	sq_bind_text(st, 2, src_id);
	sq_bind_text(st, 3, rel);
	sq_bind_text(st, 4, dst_type);
	sq_bind_text(st, 5, dst_id);
	sq_bind_text(st, 6, ctx);
	sqlite3_bind_int64(st, 7, pn_now());
	return sq_exec_step(s, st, "edge add");
}

void
pn_edge_page_release(struct pn_edge_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].dst_type);
		free(p->v[i].dst_id);
		free(p->v[i].ctx);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int
sq_edge_list(struct pn_store *ps, const struct pn_user *viewer, const char *src_type,
    const char *src_id, const char *rel, int64_t cursor, size_t limit, struct pn_edge_page *out)
{
	struct sq_store *s = SQ(ps);
	const char *grp = sq_viewer_grp(viewer);
	int ql = Q_EDGE_LIST, qc = Q_EDGE_COUNT, rc;
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (strcmp(rel, "analyses") == 0) {
		ql = Q_ANALYSES_LIST;
		qc = Q_ANALYSES_COUNT;
	} else if (strcmp(rel, "submissions") == 0) {
		ql = Q_SUBS_LIST;
		qc = Q_SUBS_COUNT;
	} else if (strcmp(rel, "resolutions") == 0) {
		ql = Q_RES_LIST;
		qc = Q_RES_COUNT;
	}
	st = sq_stmt(s, qc);
	sq_bind_text(st, 1, src_type);
	sq_bind_text(st, 2, src_id);
	sq_bind_text(st, 3, rel);
	sqlite3_bind_int64(st, 4, 0);
	sqlite3_bind_int64(st, 5, 0);
	sq_bind_text(st, 6, grp);
	if ((rc = sq_count_query(s, st, &out->total)) != PN_OK)
		return rc;

	st = sq_stmt(s, ql);
	sq_bind_text(st, 1, src_type);
	sq_bind_text(st, 2, src_id);
	sq_bind_text(st, 3, rel);
	sqlite3_bind_int64(st, 4, cursor);
	sqlite3_bind_int64(st, 5, (int64_t)limit + 1); /* one more tells if a next page exists */
	sq_bind_text(st, 6, grp);
	out->v = pn_xcalloc(limit + 1, sizeof(*out->v));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == limit) {
			out->next = out->v[out->n - 1].seq;
			break;
		}
		out->v[out->n].dst_type = sq_dup_col(st, 0);
		out->v[out->n].dst_id = sq_dup_col(st, 1);
		out->v[out->n].ctx = sq_dup_col(st, 2);
		out->v[out->n].seq = sqlite3_column_int64(st, 3);
		out->n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		pn_edge_page_release(out);
		return sq_dberr(s, "edge list");
	}
	return PN_OK;
}

/* -------------------------------------------------------- upload tokens */

static int
sq_upload_token_new(struct pn_store *ps, const char *user, int64_t ttl, char tok[65])
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_TOKEN_ADD);
	uint8_t raw[32];
	char hash[65];

	pn_random(raw, sizeof(raw));
	pn_hex(raw, sizeof(raw), tok);
	sq_sha256_hex(tok, hash);
	sq_bind_text(st, 1, hash);
	sq_bind_text(st, 2, user);
	sqlite3_bind_int64(st, 3, pn_now() + ttl);
	return sq_exec_step(s, st, "upload token");
}

static int
sq_upload_token_take(struct pn_store *ps, const char *tok, char user[64])
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_TOKEN_TAKE);
	char hash[65];
	int rc;

	sq_sha256_hex(tok, hash);
	sq_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, pn_now());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sq_copy_col(st, 0, user, 64);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PN_OK;
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "upload token take");
}

/* -------------------------------------------------------------- engines */

static int
sq_engine_report(struct pn_store *ps, const struct pn_engine_info *e)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_ENGINE_PUT);

	sq_bind_text(st, 1, e->name);
	sq_bind_text(st, 2, e->kind);
	sq_bind_text(st, 3, e->version);
	sq_bind_text(st, 4, e->update);
	sq_bind_text(st, 5, e->error);
	sqlite3_bind_int64(st, 6, e->seen ? e->seen : pn_now());
	return sq_exec_step(s, st, "engine report");
}

static int
sq_engine_list(struct pn_store *ps, struct pn_engine_info **v, size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_stmt(s, Q_ENGINE_LIST);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pn_engine_info *e;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = pn_xrealloc(*v, cap * sizeof(**v));
		}
		e = &(*v)[(*n)++];
		sq_copy_col(st, 0, e->name, sizeof(e->name));
		sq_copy_col(st, 1, e->kind, sizeof(e->kind));
		sq_copy_col(st, 2, e->version, sizeof(e->version));
		sq_copy_col(st, 3, e->update, sizeof(e->update));
		sq_copy_col(st, 4, e->error, sizeof(e->error));
		e->seen = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PN_OK : sq_dberr(s, "engine list");
}

/* ----------------------------------------------------------- open/close */

static void
sq_close(struct pn_store *ps)
{
	struct sq_store *s = SQ(ps);
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < Q__COUNT && s->st; i++)
		sqlite3_finalize(s->st[i]);
	free(s->st);
	sq_social_close(s);
	sqlite3_close(s->db);
	free(s);
}

static const struct pn_store_ops sq_ops = {
	.close = sq_close,
	.user_add = sq_user_add,
	.user_by_key = sq_user_by_key,
	.user_get = sq_user_get,
	.user_list = sq_user_list,
	.user_count = sq_user_count,
	.user_set_active = sq_user_set_active,
	.user_set_quotas = sq_user_set_quotas,
	.key_add = sq_key_add,
	.key_set_quotas = sq_key_set_quotas,
	.obj_submit = sq_obj_submit,
	.obj_doc = sq_obj_doc,
	.obj_rescan = sq_obj_rescan,
	.resolution_add = sq_resolution_add,
	.behaviour_put = sq_behaviour_put,
	.behaviour_list = sq_behaviour_list,
	.obj_visible = sq_obj_visible,
	.obj_share = sq_obj_share,
	.comment_add = sq_comment_add,
	.comment_get = sq_comment_get,
	.comment_list = sq_comment_list,
	.comment_delete = sq_comment_delete,
	.comment_vote = sq_comment_vote,
	.vote_put = sq_vote_put,
	.vote_list = sq_vote_list,
	.audit_add = sq_audit_add,
	.audit_list = sq_audit_list,
	.usage_load = sq_usage_load,
	.usage_save = sq_usage_save,
	.file_submit = sq_file_submit,
	.file_doc = sq_file_doc,
	.file_rescan = sq_file_rescan,
	.file_exists = sq_file_exists,
	.analysis_get = sq_analysis_get,
	.job_claim = sq_job_claim,
	.behaviour_job_add = sq_behaviour_job_add,
	.job_done = sq_job_done,
	.job_finish = sq_job_finish,
	.jobs_release = sq_jobs_release,
	.jobs_reset_running = sq_jobs_reset_running,
	.jobs_queued = sq_jobs_queued,
	.jobs_overdue = sq_jobs_overdue,
	.edge_add = sq_edge_add,
	.edge_list = sq_edge_list,
	.upload_token_new = sq_upload_token_new,
	.upload_token_take = sq_upload_token_take,
	.engine_report = sq_engine_report,
	.engine_list = sq_engine_list,
	.verdict_cache_get = sq_verdict_cache_get,
	.verdict_cache_put = sq_verdict_cache_put,
};

static int
migrate(struct sq_store *s)
{
	sqlite3_stmt *st;
	int version = 0, rc;

	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return sq_end_tx(s, sq_dberr(s, "user_version"));
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == 0)
		rc = sq_exec_sql(s, schema_v1);
	if (rc == PN_OK && version < 2)
		rc = sq_exec_sql(s, schema_v2);
	if (rc == PN_OK && version < 3)
		rc = sq_exec_sql(s, sq_schema_v3);
	if (rc == PN_OK && version < 4)
		rc = sq_exec_sql(s, sq_schema_v4);
	if (rc == PN_OK && version < 5)
		rc = sq_exec_sql(s, sq_schema_v5);
	if (rc == PN_OK && version < 6)
		rc = sq_schema_cache(s);
	if (rc == PN_OK && version < 7)
		rc = sq_exec_sql(s, schema_v7);
	if (rc == PN_OK && version < PN_SQLITE_SCHEMA)
		rc = sq_exec_sql(s, "PRAGMA user_version = 7");
	if (version > PN_SQLITE_SCHEMA) {
		log_warnx("store: database schema %d is newer than this program (%d)", version,
		    PN_SQLITE_SCHEMA);
		rc = PN_EINVAL;
	}
	return sq_end_tx(s, rc);
}

int
pn_store_open_sqlite(const char *datadir, int sync_full, struct pn_store **out)
{
	struct sq_store *s;
	char *path;
	int rc;

	if (mkdir(datadir, 0700) != 0 && errno != EEXIST) {
		log_warn("store: mkdir %s", datadir);
		return PN_EIO;
	}
	s = pn_xcalloc(1, sizeof(*s));
	s->base.ops = &sq_ops;
	s->st = pn_xcalloc(Q__COUNT, sizeof(*s->st));
	path = pn_xasprintf("%s/panoptes.db", datadir);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	free(path);
	if (rc != SQLITE_OK) {
		log_warnx("store: open: %s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sq_close(&s->base);
		return PN_EINTERNAL;
	}
	sqlite3_busy_timeout(s->db, PN_SQLITE_BUSY_MS);
	rc = sq_exec_sql(s, "PRAGMA journal_mode = WAL");
	if (rc == PN_OK)
		rc = sq_exec_sql(s, sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
	if (rc == PN_OK)
		rc = sq_exec_sql(s, "PRAGMA foreign_keys = ON");
	if (rc == PN_OK)
		rc = migrate(s);
	if (rc != PN_OK) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return PN_OK;
}
