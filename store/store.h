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

/* Roles (issue 6): read-only users look up; analysts also submit, comment and vote. */
enum pn_role { PN_ROLE_READONLY = 0, PN_ROLE_ANALYST = 1, PN_ROLE_ADMIN = 2 };
const char *pn_role_name(int role);
int pn_role_parse(const char *s, int *role);

/* Quotas: what is counted, over which window. */
enum pn_quota_kind { PN_QK_LOOKUP, PN_QK_SUBMIT, PN_QK_DOWNLOAD, PN_QK__COUNT };
enum pn_quota_period { PN_QP_MINUTE, PN_QP_DAY, PN_QP_MONTH, PN_QP__COUNT };
/* A limit: PN_QUOTA_INHERIT = the next level's (key → user → configured default); 0 = none. */
#define PN_QUOTA_INHERIT (-1)
struct pn_quotas {
	int64_t lim[PN_QK__COUNT][PN_QP__COUNT];
};
void pn_quotas_inherit_all(struct pn_quotas *q);
const char *pn_quota_kind_name(int k);      /* "lookups", "submissions", "downloads" */
const char *pn_quota_period_name(int p);    /* "minute", "day", "month" */
/* "lookups.minute=10,downloads.day=0" style assignments applied to q. */
int pn_quotas_parse(const char *text, struct pn_quotas *q, char *err, size_t errlen);
char *pn_quotas_json(const struct pn_quotas *q);   /* {"lookups":{"minute":10,..},..}, only set ones */
int pn_quotas_from_json(const char *text, struct pn_quotas *q);

struct pn_user {
	char id[64];
	char grp[64];              /* privacy group; a user without one has their own */
	int role;                  /* enum pn_role */
	int is_admin;              /* role == PN_ROLE_ADMIN */
	int can_download;          /* sample download is a separate permission */
	int active;
	int64_t reputation;        /* earned by votes the community agrees with */
	int64_t created;
	char key_id[17];           /* the authenticating key's id (hash prefix), or "" */
	struct pn_quotas quotas;   /* the user's own limits */
	struct pn_quotas key_quotas; /* the authenticating key's limits */
};

/* A new user. */
struct pn_user_spec {
	const char *id;
	const char *grp;           /* NULL: a group of their own, named like the user */
	int role;
	int can_download;
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
	const char *grp;                  /* submitter's group: the object becomes visible to it */
	const char *parent;               /* the object it came out of (a file's sha256, or a
	                                     URL's id): visible to the parent's groups instead */
	const char *parent_type;          /* "file" (NULL) or "url" */
};

/* A URL, domain or IP address submitted or seen (issue 5). */
struct pn_obj_submission {
	const char *type;                 /* "url", "domain", "ip_address" */
	const char *id;                   /* url: sha256 of the canonical URL; else name/address */
	const char *seed;                 /* JSON object text: details of a new object ({"url":…}) */
	const char *user;
	const char *grp;                  /* the submitter's group; NULL: visible to everyone */
	const char *parent_type, *parent_id; /* or: visible to whoever sees this object */
	int64_t date;
	int analyse;                      /* 1 queue an analysis; 0 only for a new object; -1 never */
	int count;                        /* counts as a submission (times_submitted, dates) */
};

struct pn_analysis {
	char id[128];
	char item_type[16];   /* "file" */
	char item_id[256];    /* sha256, URL id, domain name or IP address */
	char status[16];      /* queued, in-progress, completed */
	int64_t date;
	char *stats;          /* JSON object text, NULL while queued */
	char *results;        /* JSON object text, NULL while queued */
	char md5[33], sha1[41];
	uint64_t size;
};
void pn_analysis_release(struct pn_analysis *a);

#define PN_JOB_ANALYSES  0   /* job_claim kinds */
#define PN_JOB_BEHAVIOUR 1

struct pn_job {
	int64_t id;
	char analysis_id[128];
	char item_type[16];
	char item_id[256];
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

/* Comments (VT-API.md §5.9). */
struct pn_comment {
	char id[320];                 /* "<f|u|d|i>-<item id>-<n>" */
	char item_type[16];
	char item_id[256];
	char user[64];
	int64_t date;
	char *text;
	char *tags;                   /* JSON array text */
	int64_t positive, negative, abuse;
	int64_t seq;
};
struct pn_comment_page {
	struct pn_comment *v;
	size_t n;
	int64_t next, total;
};
void pn_comment_release(struct pn_comment *c);
void pn_comment_page_release(struct pn_comment_page *p);

/* Which comments or votes to list; all NULL = every one the viewer may see. */
struct pn_social_filter {
	const char *item_type, *item_id;
	const char *user;             /* by this author / voter */
	const char *tag;              /* comments with this tag */
};

struct pn_vote {
	char id[320];
	char item_type[16];
	char item_id[256];
	char user[64];
	int64_t date;
	int verdict;                  /* +1 harmless, -1 malicious */
	int64_t value;                /* weighted: verdict * weight(voter) */
	int64_t seq;
};
struct pn_vote_page {
	struct pn_vote *v;
	size_t n;
	int64_t next, total;
};
void pn_vote_page_release(struct pn_vote_page *p);

struct pn_audit {
	int64_t seq, date;
	char user[64];
	char action[32];
	char item_type[16];
	char item_id[256];
	char *detail;
};
struct pn_audit_page {
	struct pn_audit *v;
	size_t n;
	int64_t next;
};
void pn_audit_page_release(struct pn_audit_page *p);

/* A quota counter as persisted: subject ("u:<id>" or "k:<key id>"), window start. */
struct pn_usage {
	char subject[96];
	int kind, period;
	int64_t window, count;
};

struct pn_engine_info {
	char name[64];
	char kind[32];
	char version[64];
	char update[16];
	char error[256];
	int64_t seen;         /* when a worker last reported it */
};

/* An engine's cached verdict on a file (analysis/job.c's result cache). */
struct pn_cached_verdict {
	char engine[64];
	char version[64];          /* engine_version it was given at */
	char sigver[128];          /* signature version (+ options digest) it was given at */
	char category[24];         /* "malicious", ... */
	char *result, *method;     /* may be NULL */
	char *details;             /* JSON object text or NULL */
	int64_t date;
};
void pn_cached_verdicts_free(struct pn_cached_verdict *v, size_t n);

struct pn_store_ops {
	void (*close)(struct pn_store *);

	int (*user_add)(struct pn_store *, const struct pn_user_spec *spec, char key_out[65]);
	int (*user_by_key)(struct pn_store *, const char *key, struct pn_user *out);
	int (*user_get)(struct pn_store *, const char *id, struct pn_user *out);
	int (*user_list)(struct pn_store *, struct pn_user **v, size_t *n);
	int (*user_count)(struct pn_store *, int64_t *n);
	int (*user_set_active)(struct pn_store *, const char *id, int active);
	int (*user_set_quotas)(struct pn_store *, const char *id, const struct pn_quotas *q);
	/* A new key for the user (revoking the others when `rotate`). */
	int (*key_add)(struct pn_store *, const char *user, int rotate, char key_out[65],
	    char key_id_out[17]);
	int (*key_set_quotas)(struct pn_store *, const char *key_id, const struct pn_quotas *q);

	int (*file_submit)(struct pn_store *, const struct pn_file_submission *s,
	    char analysis_id_out[128]);
	/*
	 * The file's rendered attributes as `viewer` sees them (NULL: the system,
	 * every group's submissions).  A file the viewer may not see is
	 * PN_ENOTFOUND, exactly like one that does not exist.
	 */
	int (*file_doc)(struct pn_store *, const struct pn_user *viewer, const char *hash,
	    char sha256_out[65], char **doc, size_t *len);
	int (*file_rescan)(struct pn_store *, const char *sha256, char analysis_id_out[128]);
	int (*file_exists)(struct pn_store *, const struct pn_user *viewer, const char *hash,
	    char sha256_out[65]);

	/* URLs, domains, IP addresses: create/count/queue; the rendered attributes. */
	int (*obj_submit)(struct pn_store *, const struct pn_obj_submission *o,
	    char analysis_id_out[128]);
	int (*obj_doc)(struct pn_store *, const struct pn_user *viewer, const char *type,
	    const char *id, char **doc, size_t *len);
	int (*obj_rescan)(struct pn_store *, const char *type, const char *id,
	    char analysis_id_out[128]);
	/* Passive DNS: a name resolved to an address, seen at date by source. */
	int (*resolution_add)(struct pn_store *, const char *domain, const char *ip,
	    int64_t date, const char *source);

	/*
	 * Behaviour reports (issue 8): one per (file, sandbox), replaced by a new
	 * run; verdict (JSON object text, may be NULL) becomes the file's
	 * sandbox_verdicts.<sandbox>.  List: ids "<sha256>_<sandbox>" and report
	 * texts, newest first (the caller frees every string and both arrays).
	 */
	int (*behaviour_put)(struct pn_store *, const char *sha256, const char *sandbox,
	    int64_t date, const char *report, const char *verdict);
	int (*behaviour_list)(struct pn_store *, const char *sha256, const char *id,
	    char ***ids, char ***reports, size_t *n);

	/* Privacy: may viewer see the object; make it visible to every user. */
	int (*obj_visible)(struct pn_store *, const struct pn_user *viewer, const char *type,
	    const char *id);
	int (*obj_share)(struct pn_store *, const struct pn_user *by, const char *type,
	    const char *id);

	/* Community. */
	int (*comment_add)(struct pn_store *, const struct pn_user *u, const char *type,
	    const char *id, const char *text, const char *tags_json, struct pn_comment *out);
	int (*comment_get)(struct pn_store *, const struct pn_user *viewer, const char *cid,
	    struct pn_comment *out);
	int (*comment_list)(struct pn_store *, const struct pn_user *viewer,
	    const struct pn_social_filter *f, int64_t cursor, size_t limit,
	    struct pn_comment_page *out);
	int (*comment_delete)(struct pn_store *, const struct pn_user *u, const char *cid);
	int (*comment_vote)(struct pn_store *, const struct pn_user *u, const char *cid,
	    const char *kind, struct pn_comment *out);
	int (*vote_put)(struct pn_store *, const struct pn_user *u, const char *type,
	    const char *id, int verdict, struct pn_vote *out);
	int (*vote_list)(struct pn_store *, const struct pn_user *viewer,
	    const struct pn_social_filter *f, int64_t cursor, size_t limit,
	    struct pn_vote_page *out);

	/* Audit log and quota counters. */
	int (*audit_add)(struct pn_store *, const char *user, const char *action,
	    const char *type, const char *id, const char *detail);
	int (*audit_list)(struct pn_store *, int64_t cursor, size_t limit,
	    struct pn_audit_page *out);
	int (*usage_load)(struct pn_store *, const char *subject, struct pn_usage **v, size_t *n);
	int (*usage_save)(struct pn_store *, const struct pn_usage *v, size_t n);

	int (*analysis_get)(struct pn_store *, const char *id, struct pn_analysis *out);

	/*
	 * Claim the oldest queued job of a kind: PN_JOB_ANALYSES (files, URLs,
	 * domains, addresses) or PN_JOB_BEHAVIOUR (sandbox runs, item_type
	 * "behaviour", item_id a file's sha256).  PN_ENOTFOUND: none queued.
	 */
	int (*job_claim)(struct pn_store *, const char *worker, int kind, struct pn_job *out);
	/*
	 * Queue a sandbox run of a stored file (a "behaviour" job).  At most one
	 * is queued or running per file: another request meanwhile is dropped
	 * (*added 0).  Finished with job_done, released like any job.
	 */
	int (*behaviour_job_add)(struct pn_store *, const char *sha256, int *added);
	/* A job that leaves no analysis behind (a behaviour job) is done: delete it. */
	int (*job_done)(struct pn_store *, const struct pn_job *job);
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
	/* Targets the viewer may not see are left out (viewer NULL: the system). */
	int (*edge_list)(struct pn_store *, const struct pn_user *viewer, const char *src_type,
	    const char *src_id, const char *rel, int64_t cursor, size_t limit,
	    struct pn_edge_page *out);

	int (*upload_token_new)(struct pn_store *, const char *user, int64_t ttl, char tok_out[65]);
	int (*upload_token_take)(struct pn_store *, const char *tok, char user_out[64]);

	int (*engine_report)(struct pn_store *, const struct pn_engine_info *e);
	int (*engine_list)(struct pn_store *, struct pn_engine_info **v, size_t *n);

	/* Result cache: every cached verdict of a file; replace some (by engine). */
	int (*verdict_cache_get)(struct pn_store *, const char *sha256,
	    struct pn_cached_verdict **v, size_t *n);
	int (*verdict_cache_put)(struct pn_store *, const char *sha256,
	    const struct pn_cached_verdict *v, size_t n);
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
extern const struct pn_relationship pn_url_relationships[];
extern const struct pn_relationship pn_domain_relationships[];
extern const struct pn_relationship pn_ip_relationships[];
/* The list of a type ("file", "url", "domain", "ip_address"), or NULL. */
const struct pn_relationship *pn_relationships_of(const char *type);
int pn_relationship_known(const char *type, const char *rel);

#define pn_store_close(s) ((s)->ops->close(s))
#define pn_store_user_add(s, ...) ((s)->ops->user_add((s), __VA_ARGS__))
#define pn_store_user_by_key(s, ...) ((s)->ops->user_by_key((s), __VA_ARGS__))
#define pn_store_user_count(s, ...) ((s)->ops->user_count((s), __VA_ARGS__))
#define pn_store_user_get(s, ...) ((s)->ops->user_get((s), __VA_ARGS__))
#define pn_store_user_list(s, ...) ((s)->ops->user_list((s), __VA_ARGS__))
#define pn_store_user_set_active(s, ...) ((s)->ops->user_set_active((s), __VA_ARGS__))
#define pn_store_user_set_quotas(s, ...) ((s)->ops->user_set_quotas((s), __VA_ARGS__))
#define pn_store_key_add(s, ...) ((s)->ops->key_add((s), __VA_ARGS__))
#define pn_store_key_set_quotas(s, ...) ((s)->ops->key_set_quotas((s), __VA_ARGS__))
#define pn_store_obj_submit(s, ...) ((s)->ops->obj_submit((s), __VA_ARGS__))
#define pn_store_obj_doc(s, ...) ((s)->ops->obj_doc((s), __VA_ARGS__))
#define pn_store_obj_rescan(s, ...) ((s)->ops->obj_rescan((s), __VA_ARGS__))
#define pn_store_resolution_add(s, ...) ((s)->ops->resolution_add((s), __VA_ARGS__))
#define pn_store_behaviour_put(s, ...) ((s)->ops->behaviour_put((s), __VA_ARGS__))
#define pn_store_behaviour_list(s, ...) ((s)->ops->behaviour_list((s), __VA_ARGS__))
#define pn_store_obj_visible(s, ...) ((s)->ops->obj_visible((s), __VA_ARGS__))
#define pn_store_obj_share(s, ...) ((s)->ops->obj_share((s), __VA_ARGS__))
#define pn_store_comment_add(s, ...) ((s)->ops->comment_add((s), __VA_ARGS__))
#define pn_store_comment_get(s, ...) ((s)->ops->comment_get((s), __VA_ARGS__))
#define pn_store_comment_list(s, ...) ((s)->ops->comment_list((s), __VA_ARGS__))
#define pn_store_comment_delete(s, ...) ((s)->ops->comment_delete((s), __VA_ARGS__))
#define pn_store_comment_vote(s, ...) ((s)->ops->comment_vote((s), __VA_ARGS__))
#define pn_store_vote_put(s, ...) ((s)->ops->vote_put((s), __VA_ARGS__))
#define pn_store_vote_list(s, ...) ((s)->ops->vote_list((s), __VA_ARGS__))
#define pn_store_audit_add(s, ...) ((s)->ops->audit_add((s), __VA_ARGS__))
#define pn_store_audit_list(s, ...) ((s)->ops->audit_list((s), __VA_ARGS__))
#define pn_store_usage_load(s, ...) ((s)->ops->usage_load((s), __VA_ARGS__))
#define pn_store_usage_save(s, ...) ((s)->ops->usage_save((s), __VA_ARGS__))
#define pn_store_file_submit(s, ...) ((s)->ops->file_submit((s), __VA_ARGS__))
#define pn_store_file_doc(s, ...) ((s)->ops->file_doc((s), __VA_ARGS__))
#define pn_store_file_rescan(s, ...) ((s)->ops->file_rescan((s), __VA_ARGS__))
#define pn_store_file_exists(s, ...) ((s)->ops->file_exists((s), __VA_ARGS__))
#define pn_store_analysis_get(s, ...) ((s)->ops->analysis_get((s), __VA_ARGS__))
#define pn_store_job_claim(s, ...) ((s)->ops->job_claim((s), __VA_ARGS__))
#define pn_store_behaviour_job_add(s, ...) ((s)->ops->behaviour_job_add((s), __VA_ARGS__))
#define pn_store_job_done(s, ...) ((s)->ops->job_done((s), __VA_ARGS__))
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
#define pn_store_verdict_cache_get(s, ...) ((s)->ops->verdict_cache_get((s), __VA_ARGS__))
#define pn_store_verdict_cache_put(s, ...) ((s)->ops->verdict_cache_put((s), __VA_ARGS__))

/* Analysis ids of URLs, domains and IPs: "u-<id>-<ts>", "d-…", "i-…". */
void pn_analysis_id_obj(const char *type, const char *id, int64_t ts, char out[128]);

/* Analysis ids (VT-API.md §2): base64("<md5>:<ts>") with padding. */
void pn_analysis_id_file(const char *md5, int64_t ts, char out[128]);

#endif
