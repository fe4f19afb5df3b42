/*
 * store.h - the metadata store: users, file objects, submissions, analyses,
 * the job queue, typed relationship edges and engine health.
 *
 * One interface, backends behind a vtable: store_sqlite.c (embedded default,
 * WAL) now, PostgreSQL later.  A pn_store handle is NOT thread-safe: every
 * thread and every process opens its own (SQLite connections are cheap; the
 * server keeps one per HTTP thread).
 *
 * Reports are kept as ready JSON text: pn_store_file_doc() is one indexed
 * read returning the file's rendered `attributes` object; it is re-rendered
 * (store/render.c) whenever the object changes, never on read.
 *
 * Ownership: char * results are new strings the caller frees with free().
 * Errors: PN_ENOTFOUND for a missing object, PN_EINTERNAL for a database
 * failure (logged with the database's message), PN_EBUSY when the database
 * stayed locked past the busy timeout.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_STORE_H
#define PN_STORE_H

#include "pn.h"

struct pn_store;

struct pn_user {
	char id[64];
	int is_admin;
	int can_download;
	int active;
};

/* One upload, already durable in the blob store. */
struct pn_file_submission {
	const char *sha256, *sha1, *md5;  /* lower-case hex */
	uint64_t size;
	const char *name;                 /* filename from the request, may be NULL */
	const char *user;                 /* submitter id */
	const char *interface;            /* "api", "web", "cli", "bundled" */
	int64_t date;
	int depth;                        /* 0, or parent's + 1 for a contained file */
	const char *password;             /* archive password for the job, or NULL */
};

struct pn_analysis {
	char id[128];
	char item_type[16];   /* "file" */
	char item_id[65];     /* sha256 */
	char status[16];      /* queued, in-progress, completed */
	int64_t date;
	char *stats;          /* JSON object text, NULL while queued */
	char *results;        /* JSON object text, NULL while queued */
	char md5[33], sha1[41];
	uint64_t size;
};
void pn_analysis_release(struct pn_analysis *a);

struct pn_job {
	int64_t id;
	char analysis_id[128];
	char item_type[16];
	char item_id[65];
	int attempts;
	int depth;            /* containment depth of the file */
	char password[256];   /* archive password given at upload, "" if none */
};

/* A relationship target: type + id and optional context JSON. */
struct pn_edge {
	char *dst_type;
	char *dst_id;
	char *ctx;            /* JSON object text or NULL */
	int64_t seq;          /* position, for cursors */
};

struct pn_edge_page {
	struct pn_edge *v;
	size_t n;
	int64_t next;         /* cursor for the next page, 0 when this is the last */
	int64_t total;        /* meta.count */
};
void pn_edge_page_release(struct pn_edge_page *p);

struct pn_engine_info {
	char name[64];
	char kind[32];
	char version[64];
	char update[16];
	char error[256];
	int64_t seen;         /* when a worker last reported it */
};

struct pn_store_ops {
	void (*close)(struct pn_store *);

	int (*user_add)(struct pn_store *, const char *id, int admin, int download,
	    char key_out[65]);
	int (*user_by_key)(struct pn_store *, const char *key, struct pn_user *out);
	int (*user_count)(struct pn_store *, int64_t *n);

	int (*file_submit)(struct pn_store *, const struct pn_file_submission *s,
	    char analysis_id_out[128]);
	int (*file_doc)(struct pn_store *, const char *hash, char sha256_out[65],
	    char **doc, size_t *len);
	int (*file_rescan)(struct pn_store *, const char *sha256, char analysis_id_out[128]);
	int (*file_exists)(struct pn_store *, const char *hash, char sha256_out[65]);

	int (*analysis_get)(struct pn_store *, const char *id, struct pn_analysis *out);

	int (*job_claim)(struct pn_store *, const char *worker, struct pn_job *out);
	int (*job_finish)(struct pn_store *, const struct pn_job *job, const char *details,
	    const char *results, const char *stats);
	int (*jobs_release)(struct pn_store *, const char *worker, int max_attempts,
	    const char *failure_results, const char *failure_stats);
	int (*jobs_reset_running)(struct pn_store *, int64_t *n);
	int (*jobs_queued)(struct pn_store *, int64_t *n);
	/* Workers holding a job claimed before `before` (at most max, ids "pid:N"). */
	int (*jobs_overdue)(struct pn_store *, int64_t before, char (*workers)[32], size_t max,
	    size_t *n);

	int (*edge_add)(struct pn_store *, const char *src_type, const char *src_id,
	    const char *rel, const char *dst_type, const char *dst_id, const char *ctx);
	int (*edge_list)(struct pn_store *, const char *src_type, const char *src_id,
	    const char *rel, int64_t cursor, size_t limit, struct pn_edge_page *out);

	int (*upload_token_new)(struct pn_store *, const char *user, int64_t ttl, char tok_out[65]);
	int (*upload_token_take)(struct pn_store *, const char *tok, char user_out[64]);

	int (*engine_report)(struct pn_store *, const struct pn_engine_info *e);
	int (*engine_list)(struct pn_store *, struct pn_engine_info **v, size_t *n);
};

struct pn_store {
	const struct pn_store_ops *ops;
};

/* Open the store under the data directory (creating it and migrating the schema). */
int pn_store_open_sqlite(const char *datadir, int synchronous_full, struct pn_store **out);

/*
 * The file-relationship names backed by the store, in /metadata order:
 * "analyses" and "submissions" are derived from their tables; the rest are
 * edges filled by analysis (bundled_files, contacted_domains, ...).
 */
struct pn_relationship {
	const char *name;
	const char *description;
};
extern const struct pn_relationship pn_file_relationships[];  /* ends with a NULL name */
int pn_file_relationship_known(const char *rel);

#define pn_store_close(s) ((s)->ops->close(s))
#define pn_store_user_add(s, ...) ((s)->ops->user_add((s), __VA_ARGS__))
#define pn_store_user_by_key(s, ...) ((s)->ops->user_by_key((s), __VA_ARGS__))
#define pn_store_user_count(s, ...) ((s)->ops->user_count((s), __VA_ARGS__))
#define pn_store_file_submit(s, ...) ((s)->ops->file_submit((s), __VA_ARGS__))
#define pn_store_file_doc(s, ...) ((s)->ops->file_doc((s), __VA_ARGS__))
#define pn_store_file_rescan(s, ...) ((s)->ops->file_rescan((s), __VA_ARGS__))
#define pn_store_file_exists(s, ...) ((s)->ops->file_exists((s), __VA_ARGS__))
#define pn_store_analysis_get(s, ...) ((s)->ops->analysis_get((s), __VA_ARGS__))
#define pn_store_job_claim(s, ...) ((s)->ops->job_claim((s), __VA_ARGS__))
#define pn_store_job_finish(s, ...) ((s)->ops->job_finish((s), __VA_ARGS__))
#define pn_store_jobs_release(s, ...) ((s)->ops->jobs_release((s), __VA_ARGS__))
#define pn_store_jobs_reset_running(s, ...) ((s)->ops->jobs_reset_running((s), __VA_ARGS__))
#define pn_store_jobs_queued(s, ...) ((s)->ops->jobs_queued((s), __VA_ARGS__))
#define pn_store_jobs_overdue(s, ...) ((s)->ops->jobs_overdue((s), __VA_ARGS__))
#define pn_store_edge_add(s, ...) ((s)->ops->edge_add((s), __VA_ARGS__))
#define pn_store_edge_list(s, ...) ((s)->ops->edge_list((s), __VA_ARGS__))
#define pn_store_upload_token_new(s, ...) ((s)->ops->upload_token_new((s), __VA_ARGS__))
#define pn_store_upload_token_take(s, ...) ((s)->ops->upload_token_take((s), __VA_ARGS__))
#define pn_store_engine_report(s, ...) ((s)->ops->engine_report((s), __VA_ARGS__))
#define pn_store_engine_list(s, ...) ((s)->ops->engine_list((s), __VA_ARGS__))

/* Analysis ids (VT-API.md §2): base64("<md5>:<ts>") with padding. */
void pn_analysis_id_file(const char *md5, int64_t ts, char out[128]);

#endif
