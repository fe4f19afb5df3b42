/*
 * sq_int.h - what the SQLite store's files share: the handle, the cached
 * statement helpers of store_sqlite.c, and the entry points of
 * sq_social.c (users and keys, privacy, comments, votes, audit, quota
 * counters).  Internal to store/.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SQ_INT_H
#define PN_SQ_INT_H

#include "store.h"

#include <sqlite3.h>

/* Statements of sq_social.c, cached per connection like store_sqlite.c's. */
#define SQX_MAX 64

struct sq_store {
	struct pn_store base;
	sqlite3 *db;
	sqlite3_stmt **st;          /* store_sqlite.c's, Q__COUNT of them */
	sqlite3_stmt *xst[SQX_MAX]; /* sq_social.c's */
};

#define SQ(s) ((struct sq_store *)(s))

int sq_dberr(struct sq_store *s, const char *what);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
const char *sq_col_text(sqlite3_stmt *st, int i);
void sq_copy_col(sqlite3_stmt *st, int i, char *dst, size_t n);
char *sq_dup_col(sqlite3_stmt *st, int i);
int sq_exec_step(struct sq_store *s, sqlite3_stmt *st, const char *what);
int sq_exec_sql(struct sq_store *s, const char *sql);
int sq_begin(struct sq_store *s);
int sq_end_tx(struct sq_store *s, int rc);
void sq_sha256_hex(const char *text, char out[65]);
int sq_count_query(struct sq_store *s, sqlite3_stmt *st, int64_t *n);
int sq_rerender(struct sq_store *s, const char *sha256);

/* store_sqlite.c: the queue, shared by files and other objects. */
int sq_queued_analysis(struct sq_store *s, const char *type, const char *id, char aid[128]);
int sq_analysis_free(struct sq_store *s, const char *aid);   /* PN_OK or PN_EEXIST */
int sq_enqueue_item(struct sq_store *s, const char *aid, const char *type, const char *id,
    int64_t ts, int64_t date);

/* sq_objects.c */
extern const char sq_schema_v4[];
int sq_obj_submit(struct pn_store *ps, const struct pn_obj_submission *o, char aid[128]);
int sq_obj_doc(struct pn_store *ps, const struct pn_user *viewer, const char *type,
    const char *id, char **doc, size_t *len);
int sq_obj_rescan(struct pn_store *ps, const char *type, const char *id, char aid[128]);
int sq_resolution_add(struct pn_store *ps, const char *domain, const char *ip, int64_t date,
    const char *source);
int sq_obj_rerender(struct sq_store *s, const char *type, const char *id);
int sq_obj_finish(struct sq_store *s, const struct pn_job *j, int64_t date,
    const char *details, const char *results, const char *stats);
int sq_obj_votes(struct sq_store *s, const char *type, const char *id);

/* sq_behaviour.c */
extern const char sq_schema_v5[];
int sq_behaviour_put(struct pn_store *ps, const char *sha256, const char *sandbox, int64_t date,
    const char *report, const char *verdict);
int sq_behaviour_list(struct pn_store *ps, const char *sha256, const char *id, char ***ids,
    char ***reports, size_t *n);

/* sq_social.c */
sqlite3_stmt *sq_xstmt(struct sq_store *s, int q);
void sq_social_close(struct sq_store *s);
extern const char sq_schema_v3[];
/* Record that grp submitted the file (or, with parent, that the parent's groups see it). */
int sq_access_submitted(struct sq_store *s, const struct pn_file_submission *f);
/* The groups that see (type, id), up to max. */
int sq_access_groups(struct sq_store *s, const char *type, const char *id, char (*grps)[64],
    size_t max, size_t *n);
/* The viewer's group, or NULL when the viewer sees everything (system, admin). */
const char *sq_viewer_grp(const struct pn_user *viewer);

int sq_user_add(struct pn_store *ps, const struct pn_user_spec *spec, char key_out[65]);
int sq_user_by_key(struct pn_store *ps, const char *key, struct pn_user *u);
int sq_user_get(struct pn_store *ps, const char *id, struct pn_user *u);
int sq_user_list(struct pn_store *ps, struct pn_user **v, size_t *n);
int sq_user_set_active(struct pn_store *ps, const char *id, int active);
int sq_user_set_quotas(struct pn_store *ps, const char *id, const struct pn_quotas *q);
int sq_key_add(struct pn_store *ps, const char *user, int rotate, char key_out[65],
    char key_id[17]);
int sq_key_set_quotas(struct pn_store *ps, const char *key_id, const struct pn_quotas *q);
int sq_obj_visible(struct pn_store *ps, const struct pn_user *viewer, const char *type,
    const char *id);
int sq_obj_share(struct pn_store *ps, const struct pn_user *by, const char *type, const char *id);
int sq_comment_add(struct pn_store *ps, const struct pn_user *u, const char *type,
    const char *id, const char *text, const char *tags, struct pn_comment *out);
int sq_comment_get(struct pn_store *ps, const struct pn_user *viewer, const char *cid,
    struct pn_comment *out);
int sq_comment_list(struct pn_store *ps, const struct pn_user *viewer,
    const struct pn_social_filter *f, int64_t cursor, size_t limit, struct pn_comment_page *out);
int sq_comment_delete(struct pn_store *ps, const struct pn_user *u, const char *cid);
int sq_comment_vote(struct pn_store *ps, const struct pn_user *u, const char *cid,
    const char *kind, struct pn_comment *out);
int sq_vote_put(struct pn_store *ps, const struct pn_user *u, const char *type, const char *id,
    int verdict, struct pn_vote *out);
int sq_vote_list(struct pn_store *ps, const struct pn_user *viewer,
    const struct pn_social_filter *f, int64_t cursor, size_t limit, struct pn_vote_page *out);
int sq_audit_add(struct pn_store *ps, const char *user, const char *action, const char *type,
    const char *id, const char *detail);
int sq_audit_list(struct pn_store *ps, int64_t cursor, size_t limit, struct pn_audit_page *out);
int sq_usage_load(struct pn_store *ps, const char *subject, struct pn_usage **v, size_t *n);
int sq_usage_save(struct pn_store *ps, const struct pn_usage *v, size_t n);

/* sq_cache.c: the engine result cache (schema step, ops). */
int sq_schema_cache(struct sq_store *s);
int sq_verdict_cache_get(struct pn_store *ps, const char *sha256, struct pn_cached_verdict **v,
    size_t *n);
int sq_verdict_cache_put(struct pn_store *ps, const char *sha256,
    const struct pn_cached_verdict *v, size_t n);

#endif
