/*
 * http.c - libmicrohttpd glue: per-request context, routing, body
 * handling, and the response helpers of http.h.
 *
 * libmicrohttpd calls the access handler at least twice per request: once
 * with the headers (we set up the context, route and authenticate), then
 * with body chunks, then once more with no data (we answer).  Answering on
 * the first call would force Connection: close (PLATFORM.md §8), so even
 * errors known early wait for the last call; only an oversized upload is
 * answered at once, to stop reading it.
 *
 * Every JSON body carries Content-Type: application/json; errors use the
 * VirusTotal envelope {"error":{"code","message"}} (VT-API.md §1.3).
 *
 * SPDX-License-Identifier: MIT
 */
#include <netinet/in.h>
#include <microhttpd.h>

#include "http.h"
#include "quota.h"
#include "b64.h"
#include "conf.h"
#include "pn_limits.h"
#include "static.h"

#include <inttypes.h>
#include <pthread.h>

/* --------------------------------------------------------------- routes */

static void api_unknown(struct pn_req *r) { (void)r; }

#define W PN_PERM_WRITE
#define QN PN_QUOTA_NONE
#define QS PN_QUOTA_SUBMIT
#define QD PN_QUOTA_DOWNLOAD

/* Literal segments win by table order: specific routes come before "files/STAR/STAR". */
static const struct pn_route routes[] = {
	{ "POST", "files", api_files_upload, 2, 0, W, QS },
	{ "GET", "files/upload_url", api_files_upload_url, 0, 0, W, QN },
	{ "POST", "files/upload/*", api_files_upload, 2, 1, W, QS },
	{ "GET", "files/*", api_files_get, 0, 0, 0, 0 },
	{ "POST", "files/*/analyse", api_files_analyse, 0, 0, W, QS },
	{ "GET", "files/*/download", api_files_download, 0, 0, 0, QD },
	{ "POST", "files/*/share", api_obj_share, 0, 0, W, 0 },
	{ "GET", "files/*/comments", api_obj_comments_get, 0, 0, 0, 0 },
	{ "POST", "files/*/comments", api_obj_comments_post, 1, 0, W, 0 },
	{ "GET", "files/*/votes", api_obj_votes_get, 0, 0, 0, 0 },
	{ "POST", "files/*/votes", api_obj_votes_post, 1, 0, W, 0 },
	{ "GET", "files/*/behaviours", api_files_behaviours, 0, 0, 0, 0 },
	{ "GET", "files/*/behaviour_summary", api_files_behaviour_summary, 0, 0, 0, 0 },
	{ "GET", "files/*/behaviour_mitre_trees", api_files_behaviour_mitre_trees, 0, 0, 0, 0 },
	{ "GET", "file_behaviours/*", api_file_behaviour_get, 0, 0, 0, 0 },
	{ "GET", "files/*/relationships/*", api_files_rel_desc, 0, 0, 0, 0 },
	{ "GET", "files/*/*", api_files_rel, 0, 0, 0, 0 },
	{ "POST", "urls", api_urls_post, 1, 0, W, QS },
	{ "GET", "urls/*", api_obj_get, 0, 0, 0, 0 },
	{ "POST", "urls/*/analyse", api_obj_analyse, 0, 0, W, QS },
	{ "POST", "urls/*/share", api_obj_share, 0, 0, W, 0 },
	{ "GET", "urls/*/comments", api_obj_comments_get, 0, 0, 0, 0 },
	{ "POST", "urls/*/comments", api_obj_comments_post, 1, 0, W, 0 },
	{ "GET", "urls/*/votes", api_obj_votes_get, 0, 0, 0, 0 },
	{ "POST", "urls/*/votes", api_obj_votes_post, 1, 0, W, 0 },
	{ "GET", "urls/*/relationships/*", api_obj_rel_desc, 0, 0, 0, 0 },
	{ "GET", "urls/*/*", api_obj_rel, 0, 0, 0, 0 },
	{ "GET", "domains/*", api_obj_get, 0, 0, 0, 0 },
	{ "POST", "domains/*/analyse", api_obj_analyse, 0, 0, W, QS },
	{ "GET", "domains/*/comments", api_obj_comments_get, 0, 0, 0, 0 },
	{ "POST", "domains/*/comments", api_obj_comments_post, 1, 0, W, 0 },
	{ "GET", "domains/*/votes", api_obj_votes_get, 0, 0, 0, 0 },
	{ "POST", "domains/*/votes", api_obj_votes_post, 1, 0, W, 0 },
	{ "GET", "domains/*/relationships/*", api_obj_rel_desc, 0, 0, 0, 0 },
	{ "GET", "domains/*/*", api_obj_rel, 0, 0, 0, 0 },
	{ "GET", "ip_addresses/*", api_obj_get, 0, 0, 0, 0 },
	{ "POST", "ip_addresses/*/analyse", api_obj_analyse, 0, 0, W, QS },
	{ "GET", "ip_addresses/*/comments", api_obj_comments_get, 0, 0, 0, 0 },
	{ "POST", "ip_addresses/*/comments", api_obj_comments_post, 1, 0, W, 0 },
	{ "GET", "ip_addresses/*/votes", api_obj_votes_get, 0, 0, 0, 0 },
	{ "POST", "ip_addresses/*/votes", api_obj_votes_post, 1, 0, W, 0 },
	{ "GET", "ip_addresses/*/relationships/*", api_obj_rel_desc, 0, 0, 0, 0 },
	{ "GET", "ip_addresses/*/*", api_obj_rel, 0, 0, 0, 0 },
	{ "GET", "comments", api_comments_list, 0, 0, 0, 0 },
	{ "GET", "comments/*", api_comment_get, 0, 0, 0, 0 },
	{ "DELETE", "comments/*", api_comment_delete, 0, 0, W, 0 },
	{ "POST", "comments/*/vote", api_comment_vote, 1, 0, W, 0 },
	{ "GET", "comments/*/relationships/*", api_comment_rel, 0, 0, 0, 0 },
	{ "GET", "comments/*/*", api_comment_rel, 0, 0, 0, 0 },
	{ "GET", "users/*", api_users_get, 0, 0, 0, 0 },
	{ "GET", "users/*/overall_quotas", api_users_quotas, 0, 0, 0, QN },
	{ "GET", "users/*/relationships/*", api_users_rel, 0, 0, 0, 0 },
	{ "GET", "users/*/*", api_users_rel, 0, 0, 0, 0 },
	{ "GET", "search", api_search, 0, 0, 0, 0 },
	{ "GET", "audit", api_audit, 0, 0, PN_PERM_ADMIN, 0 },
	{ "GET", "analyses/*", api_analyses_get, 0, 0, 0, 0 },
	{ "GET", "analyses/*/item", api_analyses_item, 0, 0, 0, 0 },
	{ "GET", "analyses/*/relationships/item", api_analyses_item_desc, 0, 0, 0, 0 },
	{ "GET", "metadata", api_metadata, 0, 0, 0, QN },
	{ NULL, NULL, api_unknown, 0, 0, 0, 0 }
};

#undef W
#undef QN
#undef QS
#undef QD

/* Does pattern match the request's segments (literal segments win by table order)? */
static int
pattern_match(const char *pat, struct pn_req *r)
{
	size_t i = 0;
	const char *p = pat;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (i >= r->nsegs)
			return 0;
		if (!(n == 1 && *p == '*') && (strlen(r->segs[i]) != n || memcmp(r->segs[i], p, n) != 0))
			return 0;
		i++;
		p += n;
		if (*p == '/')
			p++;
	}
	return i == r->nsegs;
}

/* Route by path; *wrong_method is set when the path exists for another method. */
static const struct pn_route *
route_find(struct pn_req *r, int *wrong_method)
{
	const struct pn_route *rt;

	*wrong_method = 0;
	for (rt = routes; rt->method; rt++) {
		if (!pattern_match(rt->pattern, r))
			continue;
		if (strcmp(rt->method, r->method) == 0)
			return rt;
		*wrong_method = 1;
	}
	return NULL;
}

static int
split_path(struct pn_req *r)
{
	const char *p;

	if (strncmp(r->path, "/api/v3/", 8) != 0)
		return PN_ENOTFOUND;
	p = r->path + 8;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0) {            /* "//" or trailing "/" */
			p++;
			continue;
		}
		if (r->nsegs == PN_REQ_MAX_SEGS)
			return PN_ELIMIT;
		r->segs[r->nsegs++] = pn_xstrndup(p, n);
		p += n;
	}
	return r->nsegs ? PN_OK : PN_ENOTFOUND;
}

/* ------------------------------------------------------------ responses */

static void
add_common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void
pn_resp_json(struct pn_req *r, int status, struct pn_buf *body)
{
	struct MHD_Response *resp;
	size_t len;
	char *p;

	if (r->responded) {
		pn_buf_release(body);
		return;
	}
	r->responded = 1;
	p = pn_buf_steal(body, &len);
	resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	add_common_headers(resp);
	if (status == 429 && r->quota_reset > 0) {
		char v[24];
		snprintf(v, sizeof(v), "%lld", (long long)r->quota_reset);
		MHD_add_response_header(resp, "Retry-After", v);
		MHD_add_response_header(resp, "X-RateLimit-Reset", v);
		MHD_add_response_header(resp, "X-RateLimit-Remaining", "0");
		snprintf(v, sizeof(v), "%lld", (long long)r->quota_limit);
		MHD_add_response_header(resp, "X-RateLimit-Limit", v);
	}
	MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
}

void
pn_resp_error(struct pn_req *r, int status, const char *code, const char *fmt, ...)
{
	struct pn_buf b = PN_BUF_INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pn_buf_puts(&b, "{\"error\":{\"code\":");
	pn_buf_json_str(&b, code, strlen(code));
	pn_buf_puts(&b, ",\"message\":");
	pn_buf_json_str(&b, msg, strlen(msg));
	pn_buf_puts(&b, "}}");
	pn_resp_json(r, status, &b);
}

void
pn_resp_fd(struct pn_req *r, int fd, uint64_t size, const char *ctype, const char *filename)
{
	struct MHD_Response *resp;
	char disp[160];

	if (r->responded)
		return;
	r->responded = 1;
	resp = MHD_create_response_from_fd64(size, fd);
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (filename) {
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	add_common_headers(resp);
	MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
}

void
pn_resp_analysis(struct pn_req *r, const char *aid)
{
	struct pn_buf b = PN_BUF_INIT;
	char *self = pn_api_url(r, "analyses/%s", aid);

	pn_buf_puts(&b, "{\"data\":");
	pn_json_obj_open(&b, "analysis", aid, self);
	pn_buf_puts(&b, "}}");
	free(self);
	pn_resp_json(r, 200, &b);
}

const char *
pn_type_collection(const char *type)
{
	if (strcmp(type, "ip_address") == 0)
		return "ip_addresses";
	if (strcmp(type, "file") == 0)
		return "files";
	if (strcmp(type, "url") == 0)
		return "urls";
	return "domains";
}

void
pn_json_obj_open(struct pn_buf *b, const char *type, const char *id, const char *self_url)
{
	pn_buf_puts(b, "{\"type\":");
	pn_buf_json_str(b, type, strlen(type));
	pn_buf_puts(b, ",\"id\":");
	pn_buf_json_str(b, id, strlen(id));
	pn_buf_puts(b, ",\"links\":{\"self\":");
	pn_buf_json_str(b, self_url, strlen(self_url));
	pn_buf_puts(b, "}");
}

char *
pn_api_url(struct pn_req *r, const char *fmt, ...)
{
	struct pn_buf b = PN_BUF_INIT;
	char *tail;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	tail = pn_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(tail, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pn_buf_printf(&b, "%s/api/v3/%s", r->srv->base_url, tail);
	free(tail);
	return pn_buf_steal(&b, NULL);
}

const char *
pn_req_query(struct pn_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
pn_req_header(struct pn_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

void
pn_cursor_encode(int64_t seq, char out[32])
{
	char dec[24];
	int n = snprintf(dec, sizeof(dec), "%" PRId64, seq);

	pn_b64_encode(dec, (size_t)n, out, 32, 1);
}

int
pn_page_params(struct pn_req *r, size_t *limit, int64_t *cursor)
{
	const char *l = pn_req_query(r, "limit"), *c = pn_req_query(r, "cursor");
	int64_t v;

	*limit = PN_PAGE_DEFAULT;
	*cursor = 0;
	if (l && *l) {
		if (pn_parse_i64(l, 1, INT32_MAX, &v) != PN_OK) {
			pn_resp_invalid(r, "limit must be a positive integer");
			return PN_EINVAL;
		}
		*limit = v > PN_PAGE_MAX ? PN_PAGE_MAX : (size_t)v;
	}
	if (c && *c) {
		uint8_t dec[24];
		size_t n = 0;
		char num[25];
		if (pn_b64_decode(c, strlen(c), dec, sizeof(dec) - 1, &n, 1) != PN_OK ||
		    n == 0 || n >= sizeof(num)) {
			pn_resp_invalid(r, "invalid cursor");
			return PN_EINVAL;
		}
		memcpy(num, dec, n);
		num[n] = '\0';
		if (pn_parse_i64(num, 0, INT64_MAX, cursor) != PN_OK) {
			pn_resp_invalid(r, "invalid cursor");
			return PN_EINVAL;
		}
	}
	return PN_OK;
}

/* ------------------------------------------------------ request context */

static __thread struct pn_store *tls_store;
static struct pn_srv *the_srv;

/* Thread-local store connections are closed at exit through this list. */
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pn_store *stores[64];
static size_t nstores;

static struct pn_store *
thread_store(struct pn_srv *srv)
{
	if (tls_store == NULL) {
		int sync_full = strcmp(pn_conf_get(srv->conf, "store.synchronous"), "normal") != 0;
		if (pn_store_open_sqlite(srv->datadir, sync_full, &tls_store) != PN_OK)
			return NULL;
		pthread_mutex_lock(&stores_lock);
		if (nstores < PN_ARRAY_LEN(stores))
			stores[nstores++] = tls_store;
		pthread_mutex_unlock(&stores_lock);
	}
	return tls_store;
}

void pn_http_close_stores(void);
void
pn_http_close_stores(void)
{
	size_t i;

	pthread_mutex_lock(&stores_lock);
	for (i = 0; i < nstores; i++)
		pn_store_close(stores[i]);
	nstores = 0;
	pthread_mutex_unlock(&stores_lock);
}

static void
req_free(struct pn_req *r)
{
	size_t i;

	for (i = 0; i < r->nsegs; i++)
		free(r->segs[i]);
	pn_buf_release(&r->body);
	if (r->upload)
		pn_upload_free(r->upload);
	free(r);
}

/* Early errors are remembered and sent on the last call (keep-alive). */
struct pending {
	int status;
	const char *code;
	char msg[256];
};

struct conn_ctx {
	struct pn_req *r;
	struct pending err;
	int discard;              /* body is read and dropped */
	uint64_t dropped;         /* bytes dropped so far */
	int web;                  /* the web UI's shell or an asset (static.c) */
};

static void
pend(struct conn_ctx *cc, int status, const char *code, const char *msg)
{
	if (cc->err.status)
		return;
	cc->err.status = status;
	cc->err.code = code;
	pn_strlcpy(cc->err.msg, msg, sizeof(cc->err.msg));
	cc->discard = 1;
}

static int
authenticate(struct conn_ctx *cc)
{
	struct pn_req *r = cc->r;
	const char *key = pn_req_header(r, "x-apikey");
	int rc;

	if (key == NULL || *key == '\0') {
		pend(cc, 401, "AuthenticationRequiredError", "X-Apikey header is missing");
		return PN_EPERM;
	}
	if (strlen(key) > 256) {
		pend(cc, 401, "WrongCredentialsError", "Wrong API key");
		return PN_EPERM;
	}
	rc = pn_store_user_by_key(r->store, key, &r->user);
	if (rc == PN_ENOTFOUND) {
		pend(cc, 401, "WrongCredentialsError", "Wrong API key");
		return PN_EPERM;
	}
	if (rc != PN_OK) {
		pend(cc, 503, "TransientError", "the store is busy; retry");
		return rc;
	}
	if (!r->user.active) {
		pend(cc, 401, "UserNotActiveError", "User is not active");
		return PN_EPERM;
	}
	return PN_OK;
}

/* The route's least role, then the user's quota (a refused request is not counted). */
static int
authorize(struct conn_ctx *cc, const struct pn_route *rt)
{
	static const int kind_of[] = {
		[PN_QUOTA_LOOKUP] = PN_QK_LOOKUP, [PN_QUOTA_NONE] = -1,
		[PN_QUOTA_SUBMIT] = PN_QK_SUBMIT, [PN_QUOTA_DOWNLOAD] = PN_QK_DOWNLOAD,
	};
	struct pn_req *r = cc->r;
	struct pn_quota_hit hit;
	char msg[256];
	int kind = kind_of[rt->quota];

	if (r->user.role < rt->perm) {
		pend(cc, 403, "ForbiddenError", rt->perm == PN_PERM_ADMIN ?
		    "this needs an administrator" : "read-only users cannot do this");
		return PN_EPERM;
	}
	if (kind < 0 || r->srv->quota == NULL)
		return PN_OK;
	if (pn_quota_take(r->srv->quota, r->store, &r->user, kind, &hit) == PN_OK)
		return PN_OK;
	r->quota_limit = hit.limit;
	r->quota_reset = hit.reset;
	snprintf(msg, sizeof(msg), "Quota exceeded: %lld %s per %s for this %s; the window"
	    " resets in %lld s", (long long)hit.limit, pn_quota_kind_name(hit.kind),
	    pn_quota_period_name(hit.period), hit.by_key ? "API key" : "user",
	    (long long)hit.reset);
	pend(cc, 429, "QuotaExceededError", msg);
	return PN_ELIMIT;
}

/* First call: route, authenticate, prepare the body handling. */
static void
setup(struct conn_ctx *cc, const char *url, const char *method)
{
	struct pn_req *r = cc->r;
	const struct pn_route *rt;
	int wrong = 0, rc;

	r->method = method;
	r->path = url;
	if (strlen(url) > PN_HTTP_MAX_URL) {
		pend(cc, 400, "BadRequestError", "request URL is too long");
		return;
	}
	if (pn_static_wants(method, url)) {
		cc->web = 1;      /* the page and its code need no API key */
		return;
	}
	r->store = thread_store(r->srv);
	if (r->store == NULL) {
		pend(cc, 503, "TransientError", "the store is unavailable");
		return;
	}
	rc = split_path(r);
	rt = rc == PN_OK ? route_find(r, &wrong) : NULL;
	if (rt == NULL || !rt->noauth) {
		if (authenticate(cc) != PN_OK)
			return;
	}
	if (rt == NULL) {
		if (wrong)
			pend(cc, 405, "MethodNotAllowedError", "method not allowed for this resource");
		else
			pend(cc, 404, "NotFoundError", "unknown resource");
		return;
	}
	r->route = rt;
	if (!rt->noauth && authorize(cc, rt) != PN_OK)
		return;
	if (rt->body == 2) {
		const char *ct = pn_req_header(r, "Content-Type");
		const char *cl = pn_req_header(r, "Content-Length");
		int64_t len = -1;
		if (cl && pn_parse_i64(cl, 0, INT64_MAX, &len) != PN_OK) {
			pend(cc, 400, "BadRequestError", "invalid Content-Length");
			return;
		}
		rc = pn_upload_begin(r, ct, len < 0 ? UINT64_MAX : (uint64_t)len);
		if (rc != PN_OK)
			cc->discard = 1;   /* pn_upload_begin responded or will respond */
	} else if (rt->body == 1) {
		pn_buf_init(&r->body, PN_HTTP_MAX_JSON_BODY);
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct conn_ctx *cc = *con_cls;
	struct pn_req *r;

	if (cc == NULL) {
		cc = pn_xcalloc(1, sizeof(*cc));
		cc->r = r = pn_xcalloc(1, sizeof(*r));
		r->conn = conn;
		r->srv = the_srv;
		*con_cls = cc;
		setup(cc, url, method);
		return MHD_YES;
	}
	r = cc->r;
	if (*upload_size > 0) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->responded || cc->discard) {
			/*
			 * The answer is decided; the rest of the body is read and
			 * dropped so that it can be sent.  A client that keeps
			 * sending far past any limit is cut off without one.
			 */
			cc->dropped += n;
			if (cc->dropped > 2 * r->srv->max_upload + PN_HTTP_MAX_DROP_SLACK)
				return MHD_NO;
			return MHD_YES;
		}
		if (r->upload) {
			if (pn_upload_feed(r, upload_data, n) != PN_OK)
				cc->discard = 1;
			return MHD_YES;
		}
		if (r->route && r->route->body == 1) {
			if (pn_buf_append(&r->body, upload_data, n) != PN_OK)
				pend(cc, 413, "BadRequestError", "request body too large");
			return MHD_YES;
		}
		return MHD_YES;  /* body on a route that takes none: ignored */
	}
	if (r->responded)
		return MHD_YES;
	if (cc->err.status) {
		pn_resp_error(r, cc->err.status, cc->err.code, "%s", cc->err.msg);
	} else if (cc->web) {
		pn_static_serve(r);
	} else if (r->upload) {
		pn_upload_end(r);
	} else if (r->route) {
		r->route->handler(r);
		if (!r->responded)
			pn_resp_error(r, 500, "InternalError", "handler did not respond");
	} else {
		pn_resp_error(r, 500, "InternalError", "no route");
	}
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	if (cc == NULL)
		return;
	req_free(cc->r);
	free(cc);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

/* ------------------------------------------------------------------ daemon */

struct MHD_Daemon *pn_http_start(struct pn_srv *srv, const struct sockaddr *sa, int threads);
struct MHD_Daemon *
pn_http_start(struct pn_srv *srv, const struct sockaddr *sa, int threads)
{
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	the_srv = srv;
	if (sa->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 0 ? threads : 1),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)pn_conf_get_int(srv->conf, "server.max_connections"),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)pn_conf_get_int(srv->conf, "server.connection_timeout"),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PN_HTTP_MAX_HEADER_BYTES * 2,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_END);
}
