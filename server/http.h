/*
 * http.h - the request context shared by the route handlers, and the
 * response helpers that build VirusTotal v3 envelopes and errors.
 *
 * A handler gets a pn_req whose path segments, query and user are parsed,
 * and must call exactly one pn_resp_* function.  Bodies are built in a
 * pn_buf and handed to libmicrohttpd without another copy.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_HTTP_H
#define PN_HTTP_H

#include "pn.h"
#include "buf.h"
#include "store.h"

struct MHD_Connection;
struct pn_srv;

#define PN_REQ_MAX_SEGS 8

struct pn_req {
	struct MHD_Connection *conn;
	struct pn_srv *srv;
	struct pn_store *store;        /* this thread's store handle */
	const char *method;
	const char *path;              /* decoded path, e.g. /api/v3/files/abc */
	char *segs[PN_REQ_MAX_SEGS];   /* path segments after /api/v3, decoded */
	size_t nsegs;
	struct pn_user user;
	int responded;
	struct pn_buf body;            /* buffered JSON request body */
	struct pn_upload *upload;      /* streaming multipart state, if uploading */
	const struct pn_route *route;
	char upload_user[64];          /* user of an upload-URL token */
	int64_t quota_limit, quota_reset; /* set on a 429: its informative headers */
};

typedef void (*pn_handler)(struct pn_req *r);

struct pn_route {
	const char *method;
	const char *pattern;           /* e.g. "files/STAR/analyse", STAR = "*" matching one segment */
	pn_handler handler;
	int body;                      /* 0 none, 1 JSON buffered, 2 multipart upload */
	int noauth;                    /* authenticated by other means (upload token) */
	int perm;                      /* PN_PERM_*: the least role allowed */
	int quota;                     /* PN_QUOTA_*: what the request counts as */
};

#define PN_PERM_READ   0           /* every user (read-only included) */
#define PN_PERM_WRITE  1           /* analysts: submit, comment, vote, share */
#define PN_PERM_ADMIN  2

#define PN_QUOTA_LOOKUP   0        /* the default: an API request */
#define PN_QUOTA_NONE     1        /* not counted (upload_url, like VirusTotal) */
#define PN_QUOTA_SUBMIT   2
#define PN_QUOTA_DOWNLOAD 3

/* Server-wide state visible to handlers. */
struct pn_srv {
	const char *datadir;
	const struct pn_conf *conf;
	char base_url[512];            /* no trailing slash */
	uint64_t max_upload;
	int64_t upload_url_ttl;
	void (*wake_workers)(struct pn_srv *);
	struct pn_quota *quota;        /* request quotas (server/quota.c) */
};

const char *pn_req_query(struct pn_req *r, const char *key);
const char *pn_req_header(struct pn_req *r, const char *key);

/* Responses: each takes ownership of body. */
void pn_resp_json(struct pn_req *r, int status, struct pn_buf *body);
void pn_resp_error(struct pn_req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void pn_resp_fd(struct pn_req *r, int fd, uint64_t size, const char *ctype, const char *filename);

/* Common errors. */
#define pn_resp_notfound(r, ...) pn_resp_error((r), 404, "NotFoundError", __VA_ARGS__)
#define pn_resp_badreq(r, ...) pn_resp_error((r), 400, "BadRequestError", __VA_ARGS__)
#define pn_resp_invalid(r, ...) pn_resp_error((r), 400, "InvalidArgumentError", __VA_ARGS__)
#define pn_resp_internal(r) pn_resp_error((r), 503, "TransientError", "the store is busy; retry")

/* {"data": analysis descriptor} - the answer of every submission and rescan. */
void pn_resp_analysis(struct pn_req *r, const char *aid);
/* "files", "urls", "domains", "ip_addresses" for an object type. */
const char *pn_type_collection(const char *type);

/* Envelope pieces. */
void pn_json_obj_open(struct pn_buf *b, const char *type, const char *id, const char *self_url);
/* Absolute URL for a path below /api/v3 ("files/<id>"). */
char *pn_api_url(struct pn_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Pagination: limit (default 10, max 40) and cursor (opaque) from the query. */
int pn_page_params(struct pn_req *r, size_t *limit, int64_t *cursor);
void pn_cursor_encode(int64_t seq, char out[32]);

/* Handlers (server/api_*.c). */
void api_files_upload(struct pn_req *r);
void api_files_upload_url(struct pn_req *r);
void api_files_get(struct pn_req *r);
void api_files_analyse(struct pn_req *r);
void api_files_download(struct pn_req *r);
void api_files_rel(struct pn_req *r);
void api_files_rel_desc(struct pn_req *r);
void api_analyses_get(struct pn_req *r);
void api_analyses_item(struct pn_req *r);
void api_analyses_item_desc(struct pn_req *r);
void api_metadata(struct pn_req *r);

/* Upload streaming (server/upload.c), driven by http.c. */
struct pn_upload;
int pn_upload_begin(struct pn_req *r, const char *content_type, uint64_t content_length);
int pn_upload_feed(struct pn_req *r, const char *data, size_t len);
void pn_upload_end(struct pn_req *r);          /* responds */
void pn_upload_free(struct pn_upload *u);

/* Community and users (server/api_social.c, server/api_users.c). */
void api_obj_share(struct pn_req *r);
void api_obj_comments_get(struct pn_req *r);
void api_obj_comments_post(struct pn_req *r);
void api_obj_votes_get(struct pn_req *r);
void api_obj_votes_post(struct pn_req *r);
void api_comments_list(struct pn_req *r);
void api_comment_get(struct pn_req *r);
void api_comment_delete(struct pn_req *r);
void api_comment_vote(struct pn_req *r);
void api_comment_rel(struct pn_req *r);
void api_users_get(struct pn_req *r);
void api_users_quotas(struct pn_req *r);
void api_users_rel(struct pn_req *r);
void api_search(struct pn_req *r);
void api_audit(struct pn_req *r);

/* Objects and pages shared by api_social.c and api_users.c. */
void pn_put_comment(struct pn_req *r, struct pn_buf *b, const struct pn_comment *c);
void pn_put_vote(struct pn_req *r, struct pn_buf *b, const struct pn_vote *v);
void pn_put_user(struct pn_req *r, struct pn_buf *b, const struct pn_user *u, int full);
void pn_comments_page(struct pn_req *r, const struct pn_social_filter *f, const char *base,
    const char *extra_q);
void pn_votes_page(struct pn_req *r, const struct pn_social_filter *f, const char *base);

/* The object type of a collection segment ("files" → "file"), or NULL. */
const char *pn_collection_type(const char *collection);
/* JSON body of a POST, parsed; answers 400 itself and returns NULL when bad. */
struct json_object *pn_req_json(struct pn_req *r);

/* A relationship page of any object (server/api_files.c); rel must be known. */
void pn_rel_page(struct pn_req *r, const char *type, const char *id, const char *rel,
    int descriptors);

/* Behaviour reports (server/api_behaviours.c). */
void api_files_behaviours(struct pn_req *r);
void api_files_behaviour_summary(struct pn_req *r);
void api_files_behaviour_mitre_trees(struct pn_req *r);
void api_file_behaviour_get(struct pn_req *r);

/* URLs, domains, IP addresses (server/api_objects.c). */
void api_urls_post(struct pn_req *r);
void api_obj_get(struct pn_req *r);
void api_obj_analyse(struct pn_req *r);
void api_obj_rel(struct pn_req *r);
void api_obj_rel_desc(struct pn_req *r);

/* Embedding of ?relationships= in an object (server/api_files.c). */
int pn_embed_relationships(struct pn_req *r, struct pn_buf *b, const char *type, const char *id);

#endif
