/*
 * sq_social.c - the people side of the SQLite store: users and their keys,
 * who may see what (privacy), comments, votes and the community score, the
 * audit log and the persisted quota counters.
 *
 * Privacy model (docs/PRIVACY.md): every object has rows in `access`, one
 * per group that may see it, and the row of group '*' once it is shared
 * with every user.  A file's row also holds that group's own view of its
 * submissions (names, dates, counts), so one group never learns what name
 * or when another group submitted it.  Admins and the system (viewer NULL)
 * see everything.  A comment or vote is visible to the author's group, or to
 * everyone once public (made on a shared object, or the object was shared
 * by the author's group later).
 *
 * Community score (docs/COMMUNITY.md): a vote's value is verdict × weight,
 * weight = 1 + min(max(voter reputation, 0), 40) / 10 (1..5); an object's
 * reputation is the sum of its votes' values, recomputed when it receives a
 * vote.  A user's reputation is, over their votes, +1 for each the other
 * voters on that object agree with on balance and -1 for each they disagree
 * with (unweighted, so the two definitions never feed each other).
 *
 * SPDX-License-Identifier: MIT
 */
#include "sq_int.h"
#include "render.h"
#include "pn_limits.h"

#include <inttypes.h>

enum {
	X_USER_ADD, X_KEY_ADD, X_KEYS_REVOKE, X_USER_SET_KEY, X_USER_BY_KEY, X_USER_GET,
	X_USER_LIST, X_USER_ACTIVE, X_USER_QUOTAS, X_KEY_QUOTAS,
	X_ACCESS_UPSERT, X_ACCESS_ROW, X_ACCESS_SET_VIEW, X_ACCESS_GROUPS, X_VISIBLE,
	X_EXISTS_ANY, X_FILE_EXISTS, X_IS_PUBLIC, X_SHARE, X_SHARE_COMMENTS, X_SHARE_VOTES,
	X_COMMENT_ADD, X_COMMENT_GET, X_COMMENT_LIST, X_COMMENT_COUNT, X_COMMENT_DEL,
	X_COMMENT_DEL_VOTES, X_CVOTE_PUT, X_CVOTE_RECOUNT,
	X_VOTE_PUT, X_USERS_REP, X_VOTES_REWEIGH, X_FILE_VOTES, X_VOTE_LIST, X_VOTE_COUNT,
	X_VOTE_GET,
	X_AUDIT_ADD, X_AUDIT_LIST, X_USAGE_LOAD, X_USAGE_PUT,
	X__COUNT
};
_Static_assert(X__COUNT <= SQX_MAX, "raise SQX_MAX in sq_int.h");

/* Can the viewer's group (?G, NULL = everything) see item (c.item_type, c.item_id)? */
#define ITEM_VISIBLE(G) "(" G " IS NULL OR EXISTS (SELECT 1 FROM access a" \
	" WHERE a.obj_type = c.item_type AND a.obj_id = c.item_id AND a.grp IN (" G ", '*')))"
/* ... and the comment or vote itself. */
#define ROW_VISIBLE(G) "(" G " IS NULL OR c.grp = " G " OR c.public = 1) AND " ITEM_VISIBLE(G)

#define USER_COLS "u.id, u.grp, u.role, u.can_download, u.active, u.reputation, u.created, u.quotas"

/* Weight of a vote from the voter's reputation (see the comment at the top). */
#define VOTE_WEIGHT(REP) "(1 + min(max(" REP ", 0), 40) / 10)"

static const char *const xsql[X__COUNT] = {
	[X_USER_ADD] = "INSERT INTO users(id, key_hash, is_admin, can_download, created, grp, role)"
	               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[X_KEY_ADD] = "INSERT INTO keys(key_hash, key_id, user, created) VALUES(?1, ?2, ?3, ?4)",
	[X_KEYS_REVOKE] = "UPDATE keys SET revoked = ?2 WHERE user = ?1 AND revoked IS NULL",
	[X_USER_SET_KEY] = "UPDATE users SET key_hash = ?2 WHERE id = ?1",
	[X_USER_BY_KEY] = "SELECT " USER_COLS ", k.key_id, k.quotas FROM keys k JOIN users u ON u.id = k.user"
	                  " WHERE k.key_hash = ?1 AND k.revoked IS NULL",
	[X_USER_GET] = "SELECT " USER_COLS ", '', NULL FROM users u WHERE u.id = ?1",
	[X_USER_LIST] = "SELECT " USER_COLS ", '', NULL FROM users u ORDER BY u.id",
	[X_USER_ACTIVE] = "UPDATE users SET active = ?2 WHERE id = ?1",
	[X_USER_QUOTAS] = "UPDATE users SET quotas = ?2 WHERE id = ?1",
	[X_KEY_QUOTAS] = "UPDATE keys SET quotas = ?2 WHERE key_id = ?1",
	[X_ACCESS_UPSERT] = "INSERT INTO access(obj_type, obj_id, grp, first_date, last_date, times, names)"
	                    " VALUES(?1, ?2, ?3, ?4, ?4, 1, CASE WHEN ?5 IS NULL OR ?5 = '' THEN '[]'"
	                    " ELSE json_array(?5) END) ON CONFLICT DO UPDATE SET times = times + 1,"
	                    " last_date = max(coalesce(last_date, 0), ?4),"
	                    " first_date = min(coalesce(first_date, ?4), ?4),"
	                    " names = CASE WHEN ?5 IS NULL OR ?5 = '' OR EXISTS (SELECT 1 FROM json_each(names)"
	                    " WHERE value = ?5) OR json_array_length(names) >= ?6 THEN names"
	                    " ELSE json_insert(names, '$[#]', ?5) END",
	[X_ACCESS_ROW] = "SELECT names, first_date, last_date, times, (SELECT count(*) FROM sources s"
	                 " JOIN users u ON u.id = s.user WHERE s.sha256 = ?2 AND u.grp = ?3)"
	                 " FROM access WHERE obj_type = ?1 AND obj_id = ?2 AND grp = ?3",
	[X_ACCESS_SET_VIEW] = "UPDATE access SET view = ?4 WHERE obj_type = ?1 AND obj_id = ?2 AND grp = ?3",
	[X_ACCESS_GROUPS] = "SELECT grp FROM access WHERE obj_type = ?1 AND obj_id = ?2",
	[X_VISIBLE] = "SELECT 1 FROM access WHERE obj_type = ?1 AND obj_id = ?2 AND grp IN (?3, '*') LIMIT 1",
	[X_EXISTS_ANY] = "SELECT 1 FROM access WHERE obj_type = ?1 AND obj_id = ?2 LIMIT 1",
	[X_FILE_EXISTS] = "SELECT 1 FROM files WHERE sha256 = ?1",
	[X_IS_PUBLIC] = "SELECT 1 FROM access WHERE obj_type = ?1 AND obj_id = ?2 AND grp = '*'",
	[X_SHARE] = "INSERT INTO access(obj_type, obj_id, grp, first_date, last_date, times, names, view)"
	            " SELECT obj_type, obj_id, '*', first_date, last_date, times, names, view FROM access"
	            " WHERE obj_type = ?1 AND obj_id = ?2 AND (?3 IS NULL OR grp = ?3)"
	            " ORDER BY grp = ?3 DESC, times DESC LIMIT 1 ON CONFLICT DO NOTHING",
	[X_SHARE_COMMENTS] = "UPDATE comments SET public = 1 WHERE item_type = ?1 AND item_id = ?2"
	                     " AND (?3 IS NULL OR grp = ?3)",
	[X_SHARE_VOTES] = "UPDATE votes SET public = 1 WHERE item_type = ?1 AND item_id = ?2"
	                  " AND (?3 IS NULL OR grp = ?3)",
	[X_COMMENT_ADD] = "INSERT INTO comments(item_type, item_id, user, grp, date, text, tags, public)"
	                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq",
	[X_COMMENT_GET] = "SELECT c.seq, c.item_type, c.item_id, c.user, c.date, c.text, c.tags, c.positive,"
	                  " c.negative, c.abuse FROM comments c WHERE c.seq = ?1 AND " ROW_VISIBLE("?2"),
	[X_COMMENT_LIST] = "SELECT c.seq, c.item_type, c.item_id, c.user, c.date, c.text, c.tags, c.positive,"
	                   " c.negative, c.abuse FROM comments c WHERE (?3 IS NULL OR (c.item_type = ?3"
	                   " AND c.item_id = ?4)) AND (?5 IS NULL OR c.user = ?5) AND (?6 IS NULL OR"
	                   " EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?6))"
	                   " AND (?1 = 0 OR c.seq < ?1) AND " ROW_VISIBLE("?7")
	                   " ORDER BY c.seq DESC LIMIT ?2",
	[X_COMMENT_COUNT] = "SELECT count(*) FROM comments c WHERE (?3 IS NULL OR (c.item_type = ?3"
	                    " AND c.item_id = ?4)) AND (?5 IS NULL OR c.user = ?5) AND (?6 IS NULL OR"
	                    " EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?6))"
	                    " AND ?1 = ?1 AND ?2 = ?2 AND " ROW_VISIBLE("?7"),
	[X_COMMENT_DEL] = "DELETE FROM comments WHERE seq = ?1",
	[X_COMMENT_DEL_VOTES] = "DELETE FROM comment_votes WHERE comment = ?1",
	[X_CVOTE_PUT] = "INSERT INTO comment_votes(comment, user, kind) VALUES(?1, ?2, ?3)"
	                " ON CONFLICT DO UPDATE SET kind = excluded.kind",
	[X_CVOTE_RECOUNT] = "UPDATE comments SET"
	                    " positive = (SELECT count(*) FROM comment_votes WHERE comment = ?1 AND kind = 'positive'),"
	                    " negative = (SELECT count(*) FROM comment_votes WHERE comment = ?1 AND kind = 'negative'),"
	                    " abuse = (SELECT count(*) FROM comment_votes WHERE comment = ?1 AND kind = 'abuse')"
	                    " WHERE seq = ?1",
	[X_VOTE_PUT] = "INSERT INTO votes(item_type, item_id, user, grp, date, verdict, value, public)"
	               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6 * " VOTE_WEIGHT("?7") ", ?8)"
	               " ON CONFLICT(item_type, item_id, user) DO UPDATE SET date = excluded.date,"
	               " verdict = excluded.verdict, value = excluded.value,"
	               " public = max(public, excluded.public)",
	[X_USERS_REP] = "UPDATE users SET reputation = (SELECT coalesce(sum(CASE"
	                " WHEN (o.s - v.verdict) * v.verdict > 0 THEN 1"
	                " WHEN (o.s - v.verdict) * v.verdict < 0 THEN -1 ELSE 0 END), 0)"
	                " FROM votes v JOIN (SELECT item_type, item_id, sum(verdict) AS s FROM votes"
	                "   WHERE (item_type, item_id) IN (SELECT item_type, item_id FROM votes w"
	                "   WHERE w.user = users.id) GROUP BY item_type, item_id) o"
	                " ON o.item_type = v.item_type AND o.item_id = v.item_id WHERE v.user = users.id)"
	                " WHERE id IN (SELECT user FROM votes WHERE item_type = ?1 AND item_id = ?2)",
	[X_VOTES_REWEIGH] = "UPDATE votes SET value = verdict * (SELECT " VOTE_WEIGHT("u.reputation")
	                    " FROM users u WHERE u.id = votes.user) WHERE item_type = ?1 AND item_id = ?2",
	[X_FILE_VOTES] = "UPDATE files SET"
	                 " reputation = (SELECT coalesce(sum(value), 0) FROM votes WHERE item_type = 'file' AND item_id = ?1),"
	                 " votes_harmless = (SELECT count(*) FROM votes WHERE item_type = 'file' AND item_id = ?1 AND verdict > 0),"
	                 " votes_malicious = (SELECT count(*) FROM votes WHERE item_type = 'file' AND item_id = ?1 AND verdict < 0)"
	                 " WHERE sha256 = ?1",
	[X_VOTE_LIST] = "SELECT c.seq, c.item_type, c.item_id, c.user, c.date, c.verdict, c.value FROM votes c"
	                " WHERE (?3 IS NULL OR (c.item_type = ?3 AND c.item_id = ?4)) AND (?5 IS NULL OR c.user = ?5)"
	                " AND (?1 = 0 OR c.seq < ?1) AND ?6 IS ?6 AND " ROW_VISIBLE("?7")
	                " ORDER BY c.seq DESC LIMIT ?2",
	[X_VOTE_COUNT] = "SELECT count(*) FROM votes c WHERE (?3 IS NULL OR (c.item_type = ?3 AND c.item_id = ?4))"
	                 " AND (?5 IS NULL OR c.user = ?5) AND ?1 = ?1 AND ?2 = ?2 AND ?6 IS ?6 AND "
	                 ROW_VISIBLE("?7"),
	[X_VOTE_GET] = "SELECT seq, date, verdict, value FROM votes WHERE item_type = ?1 AND item_id = ?2"
	               " AND user = ?3",
	[X_AUDIT_ADD] = "INSERT INTO audit(date, user, action, item_type, item_id, detail)"
	                " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[X_AUDIT_LIST] = "SELECT seq, date, user, action, item_type, item_id, detail FROM audit"
	                 " WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2",
	[X_USAGE_LOAD] = "SELECT kind, period, win, count FROM usage WHERE subject = ?1",
	[X_USAGE_PUT] = "INSERT INTO usage(subject, kind, period, win, count) VALUES(?1, ?2, ?3, ?4, ?5)"
	                " ON CONFLICT DO UPDATE SET win = excluded.win, count = excluded.count",
};

const char sq_schema_v3[] =
	"ALTER TABLE users ADD COLUMN grp TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE users ADD COLUMN role INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE users ADD COLUMN reputation INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE users ADD COLUMN quotas TEXT;"
	"UPDATE users SET grp = id WHERE grp = '';"
	"UPDATE users SET role = 2 WHERE is_admin = 1;"
	"CREATE TABLE keys(key_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, user TEXT NOT NULL,"
	"  created INTEGER NOT NULL, revoked INTEGER, quotas TEXT);"
	"CREATE INDEX keys_user ON keys(user);"
	"INSERT INTO keys(key_hash, key_id, user, created)"
	"  SELECT key_hash, substr(key_hash, 1, 16), id, created FROM users;"
	"ALTER TABLE files ADD COLUMN gview TEXT;"
	"ALTER TABLE submissions ADD COLUMN grp TEXT;"
	"UPDATE submissions SET grp = (SELECT grp FROM users u WHERE u.id = submissions.user);"
	"CREATE TABLE access(obj_type TEXT NOT NULL, obj_id TEXT NOT NULL, grp TEXT NOT NULL,"
	"  first_date INTEGER, last_date INTEGER, times INTEGER NOT NULL DEFAULT 0,"
	"  names TEXT NOT NULL DEFAULT '[]', view TEXT,"
	"  PRIMARY KEY(obj_type, obj_id, grp)) WITHOUT ROWID;"
	/* Files stored before privacy existed were visible to every user: they stay so. */
	"INSERT INTO access(obj_type, obj_id, grp, first_date, last_date, times, names)"
	"  SELECT 'file', sha256, '*', first_submission_date, last_submission_date,"
	"  times_submitted, names FROM files;"
	"CREATE TABLE comments(seq INTEGER PRIMARY KEY, item_type TEXT NOT NULL, item_id TEXT NOT NULL,"
	"  user TEXT NOT NULL, grp TEXT NOT NULL, date INTEGER NOT NULL, text TEXT NOT NULL,"
	"  tags TEXT NOT NULL, public INTEGER NOT NULL DEFAULT 0, positive INTEGER NOT NULL DEFAULT 0,"
	"  negative INTEGER NOT NULL DEFAULT 0, abuse INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX comments_item ON comments(item_type, item_id, seq);"
	"CREATE INDEX comments_user ON comments(user, seq);"
	"CREATE TABLE comment_votes(comment INTEGER NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL,"
	"  PRIMARY KEY(comment, user)) WITHOUT ROWID;"
	"CREATE TABLE votes(seq INTEGER PRIMARY KEY, item_type TEXT NOT NULL, item_id TEXT NOT NULL,"
	"  user TEXT NOT NULL, grp TEXT NOT NULL, date INTEGER NOT NULL, verdict INTEGER NOT NULL,"
	"  value INTEGER NOT NULL, public INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(item_type, item_id, user));"
	"CREATE INDEX votes_user ON votes(user, seq);"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, date INTEGER NOT NULL, user TEXT,"
	"  action TEXT NOT NULL, item_type TEXT, item_id TEXT, detail TEXT);"
	"CREATE TABLE usage(subject TEXT NOT NULL, kind INTEGER NOT NULL, period INTEGER NOT NULL,"
	"  win INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY(subject, kind, period)) WITHOUT ROWID;";

sqlite3_stmt *
sq_xstmt(struct sq_store *s, int q)
{
	if (s->xst[q] == NULL) {
		if (sqlite3_prepare_v3(s->db, xsql[q], -1, SQLITE_PREPARE_PERSISTENT, &s->xst[q],
		    NULL) != SQLITE_OK) {
			sq_dberr(s, "prepare");
			PN_BUG("a built-in SQL statement does not compile");
		}
	} else {
		sqlite3_reset(s->xst[q]);
		sqlite3_clear_bindings(s->xst[q]);
	}
	return s->xst[q];
}

void
sq_social_close(struct sq_store *s)
{
	size_t i;

	for (i = 0; i < SQX_MAX; i++)
		if (s->xst[i])
			sqlite3_finalize(s->xst[i]);
}

const char *
sq_viewer_grp(const struct pn_user *viewer)
{
	return viewer == NULL || viewer->is_admin ? NULL : viewer->grp;
}

/* Prefix of comment and vote ids by object type ("f-<sha256>-<n>"). */
static char
type_prefix(const char *type)
{
	if (strcmp(type, "file") == 0)
		return 'f';
	if (strcmp(type, "url") == 0)
		return 'u';
	if (strcmp(type, "domain") == 0)
		return 'd';
	if (strcmp(type, "ip_address") == 0)
		return 'i';
	return 'x';
}

static void
social_id(char *out, size_t cap, const char *type, const char *id, int64_t seq)
{
	snprintf(out, cap, "%c-%s-%" PRId64, type_prefix(type), id, seq);
}

/* The row number at the end of a comment id; the rest is checked against the row. */
static int
social_seq(const char *cid, int64_t *seq)
{
	const char *dash = strrchr(cid, '-');

	if (dash == NULL || dash == cid)
		return PN_EINVAL;
	return pn_parse_i64(dash + 1, 1, INT64_MAX, seq);
}

/* ---------------------------------------------------------------- users */

static void
new_key(char key[65], char hash[65], char key_id[17])
{
	uint8_t raw[32];

	pn_random(raw, sizeof(raw));
	pn_hex(raw, sizeof(raw), key);
	sq_sha256_hex(key, hash);
	memcpy(key_id, hash, 16);
	key_id[16] = '\0';
}

static int
key_insert(struct sq_store *s, const char *user, const char *hash, const char *key_id)
{
	sqlite3_stmt *st = sq_xstmt(s, X_KEY_ADD);

	sq_bind_text(st, 1, hash);
	sq_bind_text(st, 2, key_id);
	sq_bind_text(st, 3, user);
	sqlite3_bind_int64(st, 4, pn_now());
	return sq_exec_step(s, st, "key add");
}

static int
user_add_tx(struct sq_store *s, const struct pn_user_spec *u, char key[65])
{
	sqlite3_stmt *st = sq_xstmt(s, X_USER_ADD);
	char hash[65], key_id[17];
	int rc;

	new_key(key, hash, key_id);
	sq_bind_text(st, 1, u->id);
	sq_bind_text(st, 2, hash);
	sqlite3_bind_int(st, 3, u->role == PN_ROLE_ADMIN);
	sqlite3_bind_int(st, 4, u->can_download || u->role == PN_ROLE_ADMIN);
	sqlite3_bind_int64(st, 5, pn_now());
	sq_bind_text(st, 6, u->grp && *u->grp ? u->grp : u->id);
	sqlite3_bind_int(st, 7, u->role);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return PN_EEXIST;
	if (rc != SQLITE_DONE)
		return sq_dberr(s, "user add");
	return key_insert(s, u->id, hash, key_id);
}

int
sq_user_add(struct pn_store *ps, const struct pn_user_spec *u, char key[65])
{
	struct sq_store *s = SQ(ps);
	int rc;

	if (u->id == NULL || *u->id == '\0' || strlen(u->id) >= sizeof(((struct pn_user *)0)->id) ||
	    (u->grp && strlen(u->grp) >= sizeof(((struct pn_user *)0)->grp)) ||
	    (u->grp && strcmp(u->grp, "*") == 0))
		return PN_EINVAL;
	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	return sq_end_tx(s, user_add_tx(s, u, key));
}

static void
user_from_row(sqlite3_stmt *st, struct pn_user *u)
{
	memset(u, 0, sizeof(*u));
	sq_copy_col(st, 0, u->id, sizeof(u->id));
	sq_copy_col(st, 1, u->grp, sizeof(u->grp));
	u->role = sqlite3_column_int(st, 2);
	u->is_admin = u->role == PN_ROLE_ADMIN;
	u->can_download = sqlite3_column_int(st, 3);
	u->active = sqlite3_column_int(st, 4);
	u->reputation = sqlite3_column_int64(st, 5);
	u->created = sqlite3_column_int64(st, 6);
	pn_quotas_from_json(sq_col_text(st, 7), &u->quotas);
	sq_copy_col(st, 8, u->key_id, sizeof(u->key_id));
	pn_quotas_from_json(sq_col_text(st, 9), &u->key_quotas);
}

static int
user_one(struct sq_store *s, int q, const char *arg, struct pn_user *u)
{
	sqlite3_stmt *st = sq_xstmt(s, q);
	int rc;

	sq_bind_text(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		user_from_row(st, u);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PN_OK;
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "user");
}

int
sq_user_by_key(struct pn_store *ps, const char *key, struct pn_user *u)
{
	char hash[65];

	sq_sha256_hex(key, hash);
	return user_one(SQ(ps), X_USER_BY_KEY, hash, u);
}

int
sq_user_get(struct pn_store *ps, const char *id, struct pn_user *u)
{
	return user_one(SQ(ps), X_USER_GET, id, u);
}

int
sq_user_list(struct pn_store *ps, struct pn_user **v, size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_USER_LIST);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = pn_xrealloc(*v, cap * sizeof(**v));
		}
		user_from_row(st, &(*v)[(*n)++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(*v);
		*v = NULL;
		*n = 0;
		return sq_dberr(s, "user list");
	}
	return PN_OK;
}

static int
changed_one(struct sq_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sq_exec_step(s, st, what);

	if (rc == PN_OK && sqlite3_changes(s->db) == 0)
		return PN_ENOTFOUND;
	return rc;
}

int
sq_user_set_active(struct pn_store *ps, const char *id, int active)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_USER_ACTIVE);

	sq_bind_text(st, 1, id);
	sqlite3_bind_int(st, 2, active != 0);
	return changed_one(s, st, "user active");
}

static int
set_quotas(struct sq_store *s, int q, const char *who, const struct pn_quotas *qs)
{
	sqlite3_stmt *st = sq_xstmt(s, q);

	sq_bind_text(st, 1, who);
	sqlite3_bind_text(st, 2, pn_quotas_json(qs), -1, free);
	return changed_one(s, st, "quotas");
}

int
sq_user_set_quotas(struct pn_store *ps, const char *id, const struct pn_quotas *q)
{
	return set_quotas(SQ(ps), X_USER_QUOTAS, id, q);
}

int
sq_key_set_quotas(struct pn_store *ps, const char *key_id, const struct pn_quotas *q)
{
	return set_quotas(SQ(ps), X_KEY_QUOTAS, key_id, q);
}

static int
key_add_tx(struct sq_store *s, const char *user, int rotate, char key[65], char key_id[17])
{
	struct pn_user u;
	sqlite3_stmt *st;
	char hash[65];
	int rc;

	if ((rc = user_one(s, X_USER_GET, user, &u)) != PN_OK)
		return rc;
	if (rotate) {
		st = sq_xstmt(s, X_KEYS_REVOKE);
		sq_bind_text(st, 1, user);
		sqlite3_bind_int64(st, 2, pn_now());
		if ((rc = sq_exec_step(s, st, "keys revoke")) != PN_OK)
			return rc;
	}
	new_key(key, hash, key_id);
	if ((rc = key_insert(s, user, hash, key_id)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_USER_SET_KEY);
	sq_bind_text(st, 1, user);
	sq_bind_text(st, 2, hash);
	return sq_exec_step(s, st, "user key");
}

int
sq_key_add(struct pn_store *ps, const char *user, int rotate, char key[65], char key_id[17])
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, key_add_tx(s, user, rotate, key, key_id));
}

/* -------------------------------------------------------------- privacy */

/* Re-render one group's view of a file from its access row. */
static int
render_view(struct sq_store *s, const char *sha256, const char *grp)
{
	sqlite3_stmt *st = sq_xstmt(s, X_ACCESS_ROW);
	char *view;
	int rc;

	sq_bind_text(st, 1, "file");
	sq_bind_text(st, 2, sha256);
	sq_bind_text(st, 3, grp);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "access row");
	}
	view = pn_render_view(sq_col_text(st, 0), sqlite3_column_int64(st, 1),
	    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	st = sq_xstmt(s, X_ACCESS_SET_VIEW);
	sq_bind_text(st, 1, "file");
	sq_bind_text(st, 2, sha256);
	sq_bind_text(st, 3, grp);
	sqlite3_bind_text(st, 4, view, -1, free);
	return sq_exec_step(s, st, "access view");
}

static int
access_one(struct sq_store *s, const struct pn_file_submission *f, const char *grp)
{
	sqlite3_stmt *st = sq_xstmt(s, X_ACCESS_UPSERT);
	int rc;

	sq_bind_text(st, 1, "file");
	sq_bind_text(st, 2, f->sha256);
	sq_bind_text(st, 3, grp);
	sqlite3_bind_int64(st, 4, f->date);
	sq_bind_text(st, 5, f->name);
	sqlite3_bind_int(st, 6, PN_NAMES_MAX);
	if ((rc = sq_exec_step(s, st, "access")) != PN_OK)
		return rc;
	return render_view(s, f->sha256, grp);
}

int
sq_access_groups(struct sq_store *s, const char *type, const char *id, char (*grps)[64],
    size_t max, size_t *n)
{
	sqlite3_stmt *st = sq_xstmt(s, X_ACCESS_GROUPS);
	int rc;

	*n = 0;
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		sq_copy_col(st, 0, grps[(*n)++], 64);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_dberr(s, "access groups");
	return PN_OK;
}

int
sq_access_submitted(struct sq_store *s, const struct pn_file_submission *f)
{
	char (*grps)[64];
	size_t n = 0, i;
	int rc;

	if (f->parent == NULL)
		return f->grp ? access_one(s, f, f->grp) : PN_OK;
	/* A contained file is seen by whoever sees what it came out of. */
	grps = pn_xcalloc(PN_ACCESS_MAX_GROUPS, sizeof(*grps));
	rc = sq_access_groups(s, f->parent_type ? f->parent_type : "file", f->parent, grps,
	    PN_ACCESS_MAX_GROUPS, &n);
	for (i = 0; rc == PN_OK && i < n; i++)
		rc = access_one(s, f, grps[i]);
	free(grps);
	return rc;
}

static int
row_exists(struct sq_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PN_OK;
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, what);
}

int
sq_obj_visible(struct pn_store *ps, const struct pn_user *viewer, const char *type,
    const char *id)
{
	struct sq_store *s = SQ(ps);
	const char *grp = sq_viewer_grp(viewer);
	sqlite3_stmt *st;
	int rc;

	if (grp == NULL) {
		st = sq_xstmt(s, X_EXISTS_ANY);
		sq_bind_text(st, 1, type);
		sq_bind_text(st, 2, id);
		rc = row_exists(s, st, "exists");
		if (rc == PN_ENOTFOUND && strcmp(type, "file") == 0) {
			st = sq_xstmt(s, X_FILE_EXISTS);
			sq_bind_text(st, 1, id);
			rc = row_exists(s, st, "file exists");
		}
		return rc;
	}
	st = sq_xstmt(s, X_VISIBLE);
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	sq_bind_text(st, 3, grp);
	return row_exists(s, st, "visible");
}

static int
is_public(struct sq_store *s, const char *type, const char *id)
{
	sqlite3_stmt *st = sq_xstmt(s, X_IS_PUBLIC);

	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	return row_exists(s, st, "public") == PN_OK;
}

static int
share_tx(struct sq_store *s, const struct pn_user *by, const char *type, const char *id)
{
	const char *grp = sq_viewer_grp(by);
	static const int q[] = { X_SHARE, X_SHARE_COMMENTS, X_SHARE_VOTES };
	size_t i;
	int rc;

	if ((rc = sq_obj_visible(&s->base, by, type, id)) != PN_OK)
		return rc;
	for (i = 0; i < PN_ARRAY_LEN(q); i++) {
		sqlite3_stmt *st = sq_xstmt(s, q[i]);
		sq_bind_text(st, 1, type);
		sq_bind_text(st, 2, id);
		sq_bind_text(st, 3, grp);
		if ((rc = sq_exec_step(s, st, "share")) != PN_OK)
			return rc;
	}
	return PN_OK;
}

int
sq_obj_share(struct pn_store *ps, const struct pn_user *by, const char *type, const char *id)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, share_tx(s, by, type, id));
}

/* ------------------------------------------------------------- comments */

void
pn_comment_release(struct pn_comment *c)
{
	free(c->text);
	free(c->tags);
	c->text = c->tags = NULL;
}

void
pn_comment_page_release(struct pn_comment_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		pn_comment_release(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void
comment_from_row(sqlite3_stmt *st, struct pn_comment *c)
{
	memset(c, 0, sizeof(*c));
	c->seq = sqlite3_column_int64(st, 0);
	sq_copy_col(st, 1, c->item_type, sizeof(c->item_type));
	sq_copy_col(st, 2, c->item_id, sizeof(c->item_id));
	sq_copy_col(st, 3, c->user, sizeof(c->user));
	c->date = sqlite3_column_int64(st, 4);
	c->text = sq_dup_col(st, 5);
	c->tags = sq_dup_col(st, 6);
	c->positive = sqlite3_column_int64(st, 7);
	c->negative = sqlite3_column_int64(st, 8);
	c->abuse = sqlite3_column_int64(st, 9);
	social_id(c->id, sizeof(c->id), c->item_type, c->item_id, c->seq);
}

static int
comment_by_seq(struct sq_store *s, const struct pn_user *viewer, int64_t seq,
    struct pn_comment *c)
{
	sqlite3_stmt *st = sq_xstmt(s, X_COMMENT_GET);
	int rc;

	sqlite3_bind_int64(st, 1, seq);
	sq_bind_text(st, 2, sq_viewer_grp(viewer));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		comment_from_row(st, c);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PN_OK;
	return rc == SQLITE_DONE ? PN_ENOTFOUND : sq_dberr(s, "comment get");
}

static int
comment_add_tx(struct sq_store *s, const struct pn_user *u, const char *type, const char *id,
    const char *text, const char *tags, struct pn_comment *out)
{
	sqlite3_stmt *st;
	int64_t seq;
	int rc;

	if ((rc = sq_obj_visible(&s->base, u, type, id)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_COMMENT_ADD);
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	sq_bind_text(st, 3, u->id);
	sq_bind_text(st, 4, u->grp);
	sqlite3_bind_int64(st, 5, pn_now());
	sq_bind_text(st, 6, text);
	sq_bind_text(st, 7, tags ? tags : "[]");
	sqlite3_bind_int(st, 8, is_public(s, type, id));
	rc = sqlite3_step(st);
	seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return sq_dberr(s, "comment add");
	return comment_by_seq(s, u, seq, out);
}

int
sq_comment_add(struct pn_store *ps, const struct pn_user *u, const char *type, const char *id,
    const char *text, const char *tags, struct pn_comment *out)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, comment_add_tx(s, u, type, id, text, tags, out));
}

/* The comment named by cid, if the viewer may see it and the id is exactly its own. */
static int
comment_lookup(struct sq_store *s, const struct pn_user *viewer, const char *cid,
    struct pn_comment *c)
{
	int64_t seq;
	int rc;

	if (social_seq(cid, &seq) != PN_OK)
		return PN_ENOTFOUND;
	if ((rc = comment_by_seq(s, viewer, seq, c)) != PN_OK)
		return rc;
	if (strcmp(c->id, cid) != 0) {
		pn_comment_release(c);
		return PN_ENOTFOUND;
	}
	return PN_OK;
}

int
sq_comment_get(struct pn_store *ps, const struct pn_user *viewer, const char *cid,
    struct pn_comment *out)
{
	return comment_lookup(SQ(ps), viewer, cid, out);
}

static void
bind_filter(sqlite3_stmt *st, const struct pn_social_filter *f, const struct pn_user *viewer,
    int64_t cursor, size_t limit)
{
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int64(st, 2, (int64_t)limit + 1);
	sq_bind_text(st, 3, f ? f->item_type : NULL);
	sq_bind_text(st, 4, f ? f->item_id : NULL);
	sq_bind_text(st, 5, f ? f->user : NULL);
	sq_bind_text(st, 6, f ? f->tag : NULL);
	sq_bind_text(st, 7, sq_viewer_grp(viewer));
}

int
sq_comment_list(struct pn_store *ps, const struct pn_user *viewer,
    const struct pn_social_filter *f, int64_t cursor, size_t limit, struct pn_comment_page *out)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_COMMENT_COUNT);
	int rc;

	memset(out, 0, sizeof(*out));
	bind_filter(st, f, viewer, cursor, limit);
	if ((rc = sq_count_query(s, st, &out->total)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_COMMENT_LIST);
	bind_filter(st, f, viewer, cursor, limit);
	out->v = pn_xcalloc(limit + 1, sizeof(*out->v));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == limit) {
			out->next = out->v[out->n - 1].seq;
			break;
		}
		comment_from_row(st, &out->v[out->n++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		pn_comment_page_release(out);
		return sq_dberr(s, "comment list");
	}
	return PN_OK;
}

static int
comment_delete_tx(struct sq_store *s, const struct pn_user *u, const char *cid)
{
	struct pn_comment c;
	sqlite3_stmt *st;
	int rc;

	if ((rc = comment_lookup(s, u, cid, &c)) != PN_OK)
		return rc;
	pn_comment_release(&c);
	if (!u->is_admin && strcmp(c.user, u->id) != 0)
		return PN_EPERM;
	st = sq_xstmt(s, X_COMMENT_DEL_VOTES);
	sqlite3_bind_int64(st, 1, c.seq);
	if ((rc = sq_exec_step(s, st, "comment votes delete")) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_COMMENT_DEL);
	sqlite3_bind_int64(st, 1, c.seq);
	return sq_exec_step(s, st, "comment delete");
}

int
sq_comment_delete(struct pn_store *ps, const struct pn_user *u, const char *cid)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, comment_delete_tx(s, u, cid));
}

static int
comment_vote_tx(struct sq_store *s, const struct pn_user *u, const char *cid, const char *kind,
    struct pn_comment *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = comment_lookup(s, u, cid, out)) != PN_OK)
		return rc;
	pn_comment_release(out);
	st = sq_xstmt(s, X_CVOTE_PUT);
	sqlite3_bind_int64(st, 1, out->seq);
	sq_bind_text(st, 2, u->id);
	sq_bind_text(st, 3, kind);
	if ((rc = sq_exec_step(s, st, "comment vote")) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_CVOTE_RECOUNT);
	sqlite3_bind_int64(st, 1, out->seq);
	if ((rc = sq_exec_step(s, st, "comment recount")) != PN_OK)
		return rc;
	return comment_by_seq(s, u, out->seq, out);
}

int
sq_comment_vote(struct pn_store *ps, const struct pn_user *u, const char *cid, const char *kind,
    struct pn_comment *out)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, comment_vote_tx(s, u, cid, kind, out));
}

/* ---------------------------------------------------------------- votes */

void
pn_vote_page_release(struct pn_vote_page *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int
item_exec(struct sq_store *s, int q, const char *type, const char *id, const char *what)
{
	sqlite3_stmt *st = sq_xstmt(s, q);

	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	return sq_exec_step(s, st, what);
}

/* After a vote on (type, id): voters' reputations, vote weights, the object's score. */
static int
rescore(struct sq_store *s, const char *type, const char *id)
{
	int rc;

	if ((rc = item_exec(s, X_USERS_REP, type, id, "user reputation")) != PN_OK ||
	    (rc = item_exec(s, X_VOTES_REWEIGH, type, id, "vote weights")) != PN_OK)
		return rc;
	if (strcmp(type, "file") == 0) {
		sqlite3_stmt *st = sq_xstmt(s, X_FILE_VOTES);
		sq_bind_text(st, 1, id);
		if ((rc = sq_exec_step(s, st, "file votes")) != PN_OK)
			return rc;
		return sq_rerender(s, id);
	}
	return sq_obj_votes(s, type, id);
}

static int
vote_put_tx(struct sq_store *s, const struct pn_user *u, const char *type, const char *id,
    int verdict, struct pn_vote *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_obj_visible(&s->base, u, type, id)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_VOTE_PUT);
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	sq_bind_text(st, 3, u->id);
	sq_bind_text(st, 4, u->grp);
	sqlite3_bind_int64(st, 5, pn_now());
	sqlite3_bind_int(st, 6, verdict > 0 ? 1 : -1);
	sqlite3_bind_int64(st, 7, u->reputation);
	sqlite3_bind_int(st, 8, is_public(s, type, id));
	if ((rc = sq_exec_step(s, st, "vote put")) != PN_OK)
		return rc;
	if ((rc = rescore(s, type, id)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_VOTE_GET);
	sq_bind_text(st, 1, type);
	sq_bind_text(st, 2, id);
	sq_bind_text(st, 3, u->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return sq_dberr(s, "vote get");
	}
	memset(out, 0, sizeof(*out));
	out->seq = sqlite3_column_int64(st, 0);
	out->date = sqlite3_column_int64(st, 1);
	out->verdict = sqlite3_column_int(st, 2);
	out->value = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	pn_strlcpy(out->item_type, type, sizeof(out->item_type));
	pn_strlcpy(out->item_id, id, sizeof(out->item_id));
	pn_strlcpy(out->user, u->id, sizeof(out->user));
	social_id(out->id, sizeof(out->id), type, id, out->seq);
	return PN_OK;
}

int
sq_vote_put(struct pn_store *ps, const struct pn_user *u, const char *type, const char *id,
    int verdict, struct pn_vote *out)
{
	struct sq_store *s = SQ(ps);
	int rc = sq_begin(s);

	if (rc != PN_OK)
		return rc;
	return sq_end_tx(s, vote_put_tx(s, u, type, id, verdict, out));
}

int
sq_vote_list(struct pn_store *ps, const struct pn_user *viewer,
    const struct pn_social_filter *f, int64_t cursor, size_t limit, struct pn_vote_page *out)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_VOTE_COUNT);
	int rc;

	memset(out, 0, sizeof(*out));
	bind_filter(st, f, viewer, cursor, limit);
	if ((rc = sq_count_query(s, st, &out->total)) != PN_OK)
		return rc;
	st = sq_xstmt(s, X_VOTE_LIST);
	bind_filter(st, f, viewer, cursor, limit);
	out->v = pn_xcalloc(limit + 1, sizeof(*out->v));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pn_vote *v;
		if (out->n == limit) {
			out->next = out->v[out->n - 1].seq;
			break;
		}
		v = &out->v[out->n++];
		v->seq = sqlite3_column_int64(st, 0);
		sq_copy_col(st, 1, v->item_type, sizeof(v->item_type));
		sq_copy_col(st, 2, v->item_id, sizeof(v->item_id));
		sq_copy_col(st, 3, v->user, sizeof(v->user));
		v->date = sqlite3_column_int64(st, 4);
		v->verdict = sqlite3_column_int(st, 5);
		v->value = sqlite3_column_int64(st, 6);
		social_id(v->id, sizeof(v->id), v->item_type, v->item_id, v->seq);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		pn_vote_page_release(out);
		return sq_dberr(s, "vote list");
	}
	return PN_OK;
}

/* ---------------------------------------------------------------- audit */

int
sq_audit_add(struct pn_store *ps, const char *user, const char *action, const char *type,
    const char *id, const char *detail)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_AUDIT_ADD);

	sqlite3_bind_int64(st, 1, pn_now());
	sq_bind_text(st, 2, user);
	sq_bind_text(st, 3, action);
	sq_bind_text(st, 4, type);
	sq_bind_text(st, 5, id);
	sq_bind_text(st, 6, detail);
	return sq_exec_step(s, st, "audit");
}

void
pn_audit_page_release(struct pn_audit_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].detail);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
sq_audit_list(struct pn_store *ps, int64_t cursor, size_t limit, struct pn_audit_page *out)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_AUDIT_LIST);
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int64(st, 2, (int64_t)limit + 1);
	out->v = pn_xcalloc(limit + 1, sizeof(*out->v));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pn_audit *a;
		if (out->n == limit) {
			out->next = out->v[out->n - 1].seq;
			break;
		}
		a = &out->v[out->n++];
		a->seq = sqlite3_column_int64(st, 0);
		a->date = sqlite3_column_int64(st, 1);
		sq_copy_col(st, 2, a->user, sizeof(a->user));
		sq_copy_col(st, 3, a->action, sizeof(a->action));
		sq_copy_col(st, 4, a->item_type, sizeof(a->item_type));
		sq_copy_col(st, 5, a->item_id, sizeof(a->item_id));
		a->detail = sq_dup_col(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		pn_audit_page_release(out);
		return sq_dberr(s, "audit list");
	}
	return PN_OK;
}

/* ---------------------------------------------------------------- usage */

int
sq_usage_load(struct pn_store *ps, const char *subject, struct pn_usage **v, size_t *n)
{
	struct sq_store *s = SQ(ps);
	sqlite3_stmt *st = sq_xstmt(s, X_USAGE_LOAD);
	size_t cap = PN_QK__COUNT * PN_QP__COUNT;
	int rc;

	*n = 0;
	*v = pn_xcalloc(cap, sizeof(**v));
	sq_bind_text(st, 1, subject);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
		struct pn_usage *u = &(*v)[(*n)++];
		pn_strlcpy(u->subject, subject, sizeof(u->subject));
		u->kind = sqlite3_column_int(st, 0);
		u->period = sqlite3_column_int(st, 1);
		u->window = sqlite3_column_int64(st, 2);
		u->count = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		free(*v);
		*v = NULL;
		*n = 0;
		return sq_dberr(s, "usage load");
	}
	return PN_OK;
}

static int
usage_save_tx(struct sq_store *s, const struct pn_usage *v, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		sqlite3_stmt *st = sq_xstmt(s, X_USAGE_PUT);
		sq_bind_text(st, 1, v[i].subject);
		sqlite3_bind_int(st, 2, v[i].kind);
		sqlite3_bind_int(st, 3, v[i].period);
		sqlite3_bind_int64(st, 4, v[i].window);
		sqlite3_bind_int64(st, 5, v[i].count);
		if ((rc = sq_exec_step(s, st, "usage save")) != PN_OK)
			return rc;
	}
	return PN_OK;
}

int
sq_usage_save(struct pn_store *ps, const struct pn_usage *v, size_t n)
{
	struct sq_store *s = SQ(ps);
	int rc;

	if (n == 0)
		return PN_OK;
	if ((rc = sq_begin(s)) != PN_OK)
		return rc;
	return sq_end_tx(s, usage_save_tx(s, v, n));
}
