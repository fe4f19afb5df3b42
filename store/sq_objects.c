/*
 * sq_objects.c - URLs, domains and IP addresses in the SQLite store
 * (issue 5): one `objects` table keyed by (type, id), rendered like files
 * (store/render.c) whenever they change, their analyses and jobs, and the
 * passive-DNS `resolutions` that link domains and addresses.
 *
 * Visibility uses the same `access` rows as files (sq_social.c): a URL is
 * seen by the groups that submitted it (its first/last submission dates and
 * count are that group's own view); domains and IP addresses are public
 * knowledge, visible to everyone, while what links them to private files is
 * filtered when relationships are listed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "sq_int.h"
#include "render.h"
#include "pn_limits.h"

#include <json-c/json.h>

enum {
	O_INSERT, O_COUNTED, O_ROW, O_SET_DOC, O_ACCESS, O_ACCESS_ROW, O_ACCESS_VIEW,
	O_DOC, O_VIEW, O_SET_DETAILS, O_SET_ANALYSIS, O_VOTES, O_RES_ADD, O_EXISTS,
	O__COUNT
};

/* Statements share the social cache, after its own (see SQX_MAX). */
#define O_BASE 48

static const char *const osql[O__COUNT] = {
	[O_INSERT] = "INSERT INTO objects(type, id, details) VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[O_COUNTED] = "UPDATE objects SET times = times + 1,"
	              " first_date = min(coalesce(first_date, ?3), ?3),"
	              " last_date = max(coalesce(last_date, 0), ?3) WHERE type = ?1 AND id = ?2",
	[O_ROW] = "SELECT details, last_analysis_date, last_analysis_results, last_analysis_stats,"
	          " reputation, votes_harmless, votes_malicious, first_date, last_date, times"
	          " FROM objects WHERE type = ?1 AND id = ?2",
	[O_SET_DOC] = "UPDATE objects SET doc = ?3, gview = ?4 WHERE type = ?1 AND id = ?2",
	[O_ACCESS] = "INSERT INTO access(obj_type, obj_id, grp, first_date, last_date, times)"
	             " VALUES(?1, ?2, ?3, ?4, ?4, ?5) ON CONFLICT DO UPDATE SET times = times + ?5,"
	             " first_date = min(coalesce(first_date, ?4), ?4),"
	             " last_date = max(coalesce(last_date, 0), ?4)",
	[O_ACCESS_ROW] = "SELECT first_date, last_date, times FROM access"
	                 " WHERE obj_type = ?1 AND obj_id = ?2 AND grp = ?3",
	[O_ACCESS_VIEW] = "UPDATE access SET view = ?4 WHERE obj_type = ?1 AND obj_id = ?2 AND grp = ?3",
	[O_DOC] = "SELECT doc, gview FROM objects WHERE type = ?1 AND id = ?2",
	/* The group's own view, else the public one: primary-key probes, no sort. */
	[O_VIEW] = "SELECT coalesce((SELECT view FROM access WHERE obj_type = ?1 AND obj_id = ?2"
	           " AND grp = ?3), (SELECT view FROM access WHERE obj_type = ?1 AND obj_id = ?2"
	           " AND grp = '*')) WHERE EXISTS (SELECT 1 FROM access WHERE obj_type = ?1"
	           " AND obj_id = ?2 AND grp IN (?3, '*'))",
	[O_SET_DETAILS] = "UPDATE objects SET details = ?3 WHERE type = ?1 AND id = ?2",
	[O_SET_ANALYSIS] = "UPDATE objects SET last_analysis_id = ?3, last_analysis_date = ?4,"
	                   " last_analysis_results = ?5, last_analysis_stats = ?6"
	                   " WHERE type = ?1 AND id = ?2 AND coalesce(last_analysis_date, 0) <= ?4",
	[O_VOTES] = "UPDATE objects SET"
	            " reputation = (SELECT coalesce(sum(value), 0) FROM votes WHERE item_type = ?1 AND item_id = ?2),"
	            " votes_harmless = (SELECT count(*) FROM votes WHERE item_type = ?1 AND item_id = ?2 AND verdict > 0),"
	            " votes_malicious = (SELECT count(*) FROM votes WHERE item_type = ?1 AND item_id = ?2 AND verdict < 0)"
	            " WHERE type = ?1 AND id = ?2",
	[O_RES_ADD] = "INSERT INTO resolutions(domain, ip, first_seen, last_seen, source)"
	              " VALUES(?1, ?2, ?3, ?3, ?4) ON CONFLICT(domain, ip) DO UPDATE SET"
	              " last_seen = max(last_seen, excluded.last_seen),"
	              " first_seen = min(first_seen, excluded.first_seen)",
	[O_EXISTS] = "SELECT 1 FROM objects WHERE type = ?1 AND id = ?2",
};

_Static_assert(O_BASE + O__COUNT <= SQX_MAX, "raise SQX_MAX in sq_int.h");

const char sq_schema_v4[] =
	"CREATE TABLE objects(type TEXT NOT NULL, id TEXT NOT NULL, details TEXT,"
	"  first_date INTEGER, last_date INTEGER, times INTEGER NOT NULL DEFAULT 0,"
	"  last_analysis_id TEXT, last_analysis_date INTEGER, last_analysis_results TEXT,"
	"  last_analysis_stats TEXT, reputation INTEGER NOT NULL DEFAULT 0,"
	"  votes_harmless INTEGER NOT NULL DEFAULT 0, votes_malicious INTEGER NOT NULL DEFAULT 0,"
	"  doc TEXT NOT NULL DEFAULT '{}', gview TEXT, PRIMARY KEY(type, id)) WITHOUT ROWID;"
	"CREATE TABLE resolutions(seq INTEGER PRIMARY KEY, domain TEXT NOT NULL, ip TEXT NOT NULL,"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, source TEXT,"
	"  UNIQUE(domain, ip));"
	"CREATE INDEX resolutions_ip ON resolutions(ip, seq);"
	"CREATE INDEX resolutions_domain ON resolutions(domain, seq);";

static sqlite3_stmt *
ostmt(struct sq_store *s, int q)
{
	int slot = O_BASE + q;

	if (s->xst[slot] == NULL) {
		if (sqlite3_prepare_v3(s->db, osql[q], -1, SQLITE_PREPARE_PERSISTENT, &s->xst[slot],
		    NULL) != SQLITE_OK) {
			sq_dberr(s, "prepare");
			PN_BUG("a built-in SQL statement does not compile");
		}
	} else {
		sqlite3_reset(s->xst[slot]);
		sqlite3_clear_bindings(s->xst[slot]);
	}
	return s->xst[slot];
}

static void
bind_obj(sqlite3_stmt *st, const char *type, const char *id)
{
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
}

void
pn_analysis_id_obj(const char *type, const char *id, int64_t ts, char out[128])
{
	char p = strcmp(type, "url") == 0 ? 'u' : strcmp(type, "domain") == 0 ? 'd' : 'i';

	if (strlen(id) <= 100) {
		snprintf(out, 128, "%c-%s-%lld", p, id, (long long)ts);
	} else {
		char h[65];
		sq_sha256_hex(id, h);
		snprintf(out, 128, "%c-%s-%lld", p, h, (long long)ts);
	}
}

/* Re-render an object's shared document and its global view. */
int
sq_obj_rerender(struct sq_store *s, const char *type, const char *id)
{
	sqlite3_stmt *st = ostmt(s, O_ROW);
	struct pn_obj_row r;
	char *doc, *gview = NULL;
	int rc, counted = strcmp(type, "url") == 0;

	bind_obj(st, type, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "object row");
	}
	memset(&r, 0, sizeof(r));
	r.type = type;
	r.id = id;
	r.details = sq_col_text(st, 0);
	r.last_analysis_date = sqlite3_column_int64(st, 1);
	r.last_analysis_results = sq_col_text(st, 2);
	r.last_analysis_stats = sq_col_text(st, 3);
	r.reputation = sqlite3_column_int64(st, 4);
	r.votes_harmless = sqlite3_column_int64(st, 5);
	r.votes_malicious = sqlite3_column_int64(st, 6);
	doc = pn_render_object(&r);
	if (counted)
		gview = pn_render_view(NULL, sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
		    sqlite3_column_int64(st, 9), -1);
	sqlite3_reset(st);
	st = ostmt(s, O_SET_DOC);
	bind_obj(st, type, id);
	sqlite3_bind_text(st, 3, doc, -1, free);
	if (gview)
		sqlite3_bind_text(st, 4, gview, -1, free);
	return sq_exec_step(s, st, "object doc");
}

/* One group's view of a URL's submissions. */
static int
obj_view(struct sq_store *s, const char *type, const char *id, const char *grp)
{
	sqlite3_stmt *st = ostmt(s, O_ACCESS_ROW);
	char *view;
	int rc;

	if (strcmp(type, "url") != 0)
		return PN_OK;
	bind_obj(st, type, id);
	sq_bind_text(st, 3, grp);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_OK : sq_dberr(s, "object access row");
	}
	view = pn_render_view(NULL, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
	    sqlite3_column_int64(st, 2), -1);
	sqlite3_reset(st);
	st = ostmt(s, O_ACCESS_VIEW);
	bind_obj(st, type, id);
	sq_bind_text(st, 3, grp);
	sqlite3_bind_text(st, 4, view, -1, free);
	return sq_exec_step(s, st, "object view");
}

static int
access_put(struct sq_store *s, const struct pn_obj_submission *o, const char *grp)
{
	sqlite3_stmt *st = ostmt(s, O_ACCESS);
	int rc;

	bind_obj(st, o->type, o->id);
	sq_bind_text(st, 3, grp);
	sqlite3_bind_int64(st, 4, o->date);
	sqlite3_bind_int(st, 5, o->count ? 1 : 0);
	if ((rc = sq_exec_step(s, st, "object access")) != PN_OK)
		return rc;
	return obj_view(s, o->type, o->id, grp);
}

static int
obj_access(struct sq_store *s, const struct pn_obj_submission *o)
{
	char (*grps)[64];
	size_t n = 0, i;
	int rc;

	if (o->parent_id == NULL)
		return access_put(s, o, o->grp ? o->grp : "*");
	/* Seen by whoever sees what it was found in. */
	grps = pn_xcalloc(PN_ACCESS_MAX_GROUPS, sizeof(*grps));
	rc = sq_access_groups(s, o->parent_type ? o->parent_type : "file", o->parent_id, grps,
	    PN_ACCESS_MAX_GROUPS, &n);
	for (i = 0; rc == PN_OK && i < n; i++)
		rc = access_put(s, o, grps[i]);
	free(grps);
	return rc;
}

/* A new queued analysis + job of an object (ids unique within a second). */
static int
obj_enqueue(struct sq_store *s, const char *type, const char *id, int64_t date, char aid[128])
{
	int64_t ts = date;
	int rc;

	for (;; ts++) {
		pn_analysis_id_obj(type, id, ts, aid);
		if ((rc = sq_analysis_free(s, aid)) == PN_OK)
			break;
		if (rc != PN_EEXIST)
			return rc;
	}
	return sq_enqueue_item(s, aid, type, id, ts, date);
}

static int
obj_submit_tx(struct sq_store *s, const struct pn_obj_submission *o, char aid[128])
{
	sqlite3_stmt *st = ostmt(s, O_INSERT);
	int rc, created;

	aid[0] = '\0';
	bind_obj(st, o->type, o->id);
	sq_bind_text(st, 3, o->seed ? o->seed : "{}");
	if ((rc = sq_exec_step(s, st, "object insert")) != PN_OK)
		return rc;
	created = sqlite3_changes(s->db) > 0;
	if (o->count) {
		st = ostmt(s, O_COUNTED);
		bind_obj(st, o->type, o->id);
		sqlite3_bind_int64(st, 3, o->date);
		if ((rc = sq_exec_step(s, st, "object counted")) != PN_OK)
			return rc;
	}
	if ((rc = obj_access(s, o)) != PN_OK)
		return rc;
	if (o->analyse > 0 || (o->analyse == 0 && created)) {
		rc = sq_queued_analysis(s, o->type, o->id, aid);
		if (rc == PN_ENOTFOUND)
			rc = obj_enqueue(s, o->type, o->id, o->date, aid);
		if (rc != PN_OK)
			return rc;
	}
	return sq_obj_rerender(s, o->type, o->id);
}

int
sq_obj_submit(struct pn_store *ps, const struct pn_obj_submission *o, char aid[128])
{
	struct sq_store *s = SQ(ps);
	int rc;

	if (strcmp(o->type, "url") != 0 && strcmp(o->type, "domain") != 0 &&
	    strcmp(o->type, "ip_address") != 0)
		return PN_EINVAL;
	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	return sq_end_tx(s, obj_submit_tx(s, o, aid));
}

int
sq_obj_doc(struct pn_store *ps, const struct pn_user *viewer, const char *type, const char *id,
    char **doc, size_t *len)
{
	struct sq_store *s = SQ(ps);
	const char *grp = sq_viewer_grp(viewer);
	sqlite3_stmt *st;
	char *view = NULL;
	int rc;

	if (sq_exec_sql(s, "BEGIN") != PN_OK)
		return PN_EBUSY;
	st = ostmt(s, O_DOC);
	bind_obj(st, type, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		sq_exec_sql(s, "COMMIT");
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "object doc");
	}
	if (grp == NULL) {
		view = sq_dup_col(st, 1);
	} else {
		sqlite3_stmt *vs = ostmt(s, O_VIEW);
		int vr;
		bind_obj(vs, type, id);
		sq_bind_text(vs, 3, grp);
		vr = sqlite3_step(vs);
		if (vr == SQLITE_ROW)
			view = sq_dup_col(vs, 0);
		else
			rc = vr == SQLITE_DONE ? SQLITE_DONE : vr;
		sqlite3_reset(vs);
	}
	if (rc == SQLITE_ROW && doc) {
		int n = sqlite3_column_bytes(st, 0);
		*doc = pn_render_splice((const char *)sqlite3_column_text(st, 0), (size_t)n, view, len);
	}
	sqlite3_reset(st);
	sq_exec_sql(s, "COMMIT");
	free(view);
	if (rc == SQLITE_ROW)
		return PN_OK;
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "object view");
}

static int
obj_rescan_tx(struct sq_store *s, const char *type, const char *id, char aid[128])
{
	sqlite3_stmt *st = ostmt(s, O_EXISTS);
	int rc;

	bind_obj(st, type, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "object exists");
	rc = sq_queued_analysis(s, type, id, aid);
	if (rc == PN_ENOTFOUND)
		rc = obj_enqueue(s, type, id, pn_now(), aid);
	return rc;
}

int
sq_obj_rescan(struct pn_store *ps, const char *type, const char *id, char aid[128])
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, obj_rescan_tx(s, type, id, aid));
}

/* The end of an object's job, inside finish_tx's transaction. */
int
sq_obj_finish(struct sq_store *s, const struct pn_job *j, int64_t date, const char *details,
    const char *results, const char *stats)
{
	sqlite3_stmt *st;
	int rc;

	if (details) {
		st = ostmt(s, O_SET_DETAILS);
		bind_obj(st, j->item_type, j->item_id);
		sq_bind_text(st, 3, details);
		if ((rc = sq_exec_step(s, st, "object details")) != PN_OK)
			return rc;
	}
	st = ostmt(s, O_SET_ANALYSIS);
	bind_obj(st, j->item_type, j->item_id);
	sq_bind_text(st, 3, j->analysis_id);
	sqlite3_bind_int64(st, 4, date);
	sq_bind_text(st, 5, results);
	sq_bind_text(st, 6, stats);
	if ((rc = sq_exec_step(s, st, "object analysis")) != PN_OK)
		return rc;
	return sq_obj_rerender(s, j->item_type, j->item_id);
}

int
sq_obj_votes(struct sq_store *s, const char *type, const char *id)
{
	sqlite3_stmt *st = ostmt(s, O_VOTES);
	int rc;

	bind_obj(st, type, id);
	if ((rc = sq_exec_step(s, st, "object votes")) != PN_OK)
		return rc;
	return sq_obj_rerender(s, type, id);
}

int
sq_resolution_add(struct pn_store *ps, const char *domain, const char *ip, int64_t date,
    const char *source)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = ostmt(s, O_RES_ADD);

	sq_bind_text(st, 1, domain);
	sq_bind_text(st, 2, ip);
	sqlite3_bind_int64(st, 3, date);
	sq_bind_text(st, 4, source);
	return sq_exec_step(s, st, "resolution add");
}
