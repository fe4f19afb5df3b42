/*
 * api_users.c - users over the API (VT-API.md §3.10, §5.9): GET /users/{id}
 * (id = user name or API key), /users/{id}/overall_quotas, a user's own
 * comments and votes; GET /search (hashes and comment tags for now); and
 * GET /audit for administrators.
 *
 * Who sees a user: themselves, administrators, and members of the same
 * group; anyone else gets 404 as for a user that does not exist.  Secrets
 * are never shown: keys are stored hashed, and only the authenticating
 * key's id appears, to its owner.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "quota.h"
#include "domain.h"
#include "url.h"
#include "pn_limits.h"


static void
put_quota(struct pn_req *r, struct pn_buf *b, const struct pn_user *u, const char *name,
    int kind, int period, int first)
{
	int64_t used = 0, allowed = 0;

	pn_quota_usage(r->srv->quota, r->store, u, kind, period, &used, &allowed);
	pn_buf_printf(b, "%s\"%s\":{\"user\":{\"allowed\":%lld,\"used\":%lld%s}}", first ? "" : ",",
	    name, (long long)allowed, (long long)used, allowed == 0 ? ",\"unlimited\":true" : "");
}

/* VirusTotal's quota names where it has them, ours for the rest. */
static void
put_quotas(struct pn_req *r, struct pn_buf *b, const struct pn_user *u)
{
	static const struct { const char *name; int kind, period; } q[] = {
		{ "api_requests_minutely", PN_QK_LOOKUP, PN_QP_MINUTE },
		{ "api_requests_daily", PN_QK_LOOKUP, PN_QP_DAY },
		{ "api_requests_monthly", PN_QK_LOOKUP, PN_QP_MONTH },
		{ "submissions_minutely", PN_QK_SUBMIT, PN_QP_MINUTE },
		{ "submissions_daily", PN_QK_SUBMIT, PN_QP_DAY },
		{ "submissions_monthly", PN_QK_SUBMIT, PN_QP_MONTH },
		{ "downloads_minutely", PN_QK_DOWNLOAD, PN_QP_MINUTE },
		{ "downloads_daily", PN_QK_DOWNLOAD, PN_QP_DAY },
		{ "intelligence_downloads_monthly", PN_QK_DOWNLOAD, PN_QP_MONTH },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(q); i++)
		put_quota(r, b, u, q[i].name, q[i].kind, q[i].period, i == 0);
}

void
pn_put_user(struct pn_req *r, struct pn_buf *b, const struct pn_user *u, int full)
{
	char *self = pn_api_url(r, "users/%s", u->id);

	pn_json_obj_open(b, "user", u->id, self);
	free(self);
	pn_buf_printf(b, ",\"attributes\":{\"reputation\":%lld", (long long)u->reputation);
	if (full) {
		pn_buf_printf(b, ",\"user_since\":%lld,\"status\":\"%s\",\"role\":\"%s\",\"group\":",
		    (long long)u->created, u->active ? "active" : "disabled", pn_role_name(u->role));
		pn_buf_json_str(b, u->grp, strlen(u->grp));
		pn_buf_printf(b, ",\"privileges\":{\"downloads\":{\"granted\":%s},"
		    "\"submissions\":{\"granted\":%s},\"admin\":{\"granted\":%s}}",
		    u->can_download || u->is_admin ? "true" : "false",
		    u->role >= PN_ROLE_ANALYST ? "true" : "false", u->is_admin ? "true" : "false");
		if (r->srv->quota) {
			pn_buf_puts(b, ",\"quotas\":{");
			put_quotas(r, b, u);
			pn_buf_puts(b, "}");
		}
		if (strcmp(u->id, r->user.id) == 0 && r->user.key_id[0])
			pn_buf_printf(b, ",\"apikey_id\":\"%s\"", r->user.key_id);
	}
	pn_buf_puts(b, "}}");
}

/* The user named by segs[1] (id or API key) if the caller may see them; answers 404 itself. */
static int
user_load(struct pn_req *r, struct pn_user *u)
{
	int rc = pn_store_user_get(r->store, r->segs[1], u);

	/* VirusTotal accepts the API key in place of the id: only the key's own owner gets far. */
	if (rc == PN_ENOTFOUND && strlen(r->segs[1]) == 64) {
		rc = pn_store_user_by_key(r->store, r->segs[1], u);
		if (rc == PN_OK && strcmp(u->id, r->user.id) != 0)
			rc = PN_ENOTFOUND;
	}
	if (rc == PN_OK && !r->user.is_admin && strcmp(u->id, r->user.id) != 0 &&
	    strcmp(u->grp, r->user.grp) != 0)
		rc = PN_ENOTFOUND;
	if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "User \"%.64s\" not found", r->segs[1]);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

void
api_users_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_user u;

	if (user_load(r, &u) != PN_OK)
		return;
	pn_buf_puts(&b, "{\"data\":");
	pn_put_user(r, &b, &u, 1);
	pn_buf_puts(&b, "}");
	pn_resp_json(r, 200, &b);
}

void
api_users_quotas(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_user u;

	if (user_load(r, &u) != PN_OK)
		return;
	pn_buf_puts(&b, "{\"data\":{");
	if (r->srv->quota)
		put_quotas(r, &b, &u);
	pn_buf_puts(&b, "}}");
	pn_resp_json(r, 200, &b);
}

/* GET /users/{id}/comments|votes (and /relationships/...): what the caller may see of them. */
void
api_users_rel(struct pn_req *r)
{
	const char *rel = r->nsegs == 4 ? r->segs[3] : r->segs[2];
	struct pn_social_filter f = { NULL, NULL, NULL, NULL };
	struct pn_user u;
	char *base;

	if (strcmp(rel, "comments") != 0 && strcmp(rel, "votes") != 0) {
		pn_resp_notfound(r, "Relationship \"%.64s\" not found for users", rel);
		return;
	}
	if (user_load(r, &u) != PN_OK)
		return;
	f.user = u.id;
	base = pn_api_url(r, "users/%s/%s", u.id, rel);
	if (strcmp(rel, "votes") == 0) {
		pn_votes_page(r, &f, base);
		free(base);
		return;
	}
	pn_comments_page(r, &f, base, NULL);
	free(base);
}

/* -------------------------------------------------------------- search */

static int
is_hash(const char *q)
{
	size_t n = strlen(q);

	return (n == 32 || n == 40 || n == 64) && pn_is_hex(q, n);
}

/*
 * An IP address, a domain name or a URL: its object, if the caller may see
 * it (a collection of zero or one).  Returns 0 when q is none of those.
 */
static int
search_object(struct pn_req *r, const char *q, const char *base)
{
	struct pn_buf b = PN_BUF_INIT;
	char id[PN_DOMAIN_BUF + 1], *doc = NULL, *self;
	const char *type, *coll;
	size_t len = 0;
	int rc;

	if (pn_ip_normalize(q, id, sizeof(id)) == PN_OK) {
		type = "ip_address";
		coll = "ip_addresses";
	} else if (strchr(q, '/') == NULL && strchr(q, '.') != NULL &&
	    pn_domain_normalize(q, PN_DOMAIN_DNS, id, sizeof(id)) == PN_OK) {
		type = "domain";
		coll = "domains";
	} else if (strchr(q, '/') != NULL || strstr(q, "://") != NULL) {
		struct pn_url u;
		char err[64];
		memset(&u, 0, sizeof(u));
		if (pn_url_parse(q, &u, err, sizeof(err)) != PN_OK)
			return 0;
		pn_url_id(u.canonical, id);
		pn_url_free(&u);
		type = "url";
		coll = "urls";
	} else {
		return 0;
	}
	rc = pn_store_obj_doc(r->store, &r->user, type, id, &doc, &len);
	if (rc != PN_OK && rc != PN_ENOTFOUND) {
		pn_resp_internal(r);
		return 1;
	}
	pn_buf_puts(&b, "{\"data\":[");
	if (rc == PN_OK) {
		self = pn_api_url(r, "%s/%s", coll, id);
		pn_json_obj_open(&b, type, id, self);
		pn_buf_puts(&b, ",\"attributes\":");
		pn_buf_append(&b, doc, len);
		pn_buf_puts(&b, "}");
		free(self);
		free(doc);
	}
	pn_buf_printf(&b, "],\"meta\":{\"count\":%d},\"links\":{\"self\":", rc == PN_OK);
	pn_buf_json_str(&b, base, strlen(base));
	pn_buf_puts(&b, "}}");
	pn_resp_json(r, 200, &b);
	return 1;
}

/*
 * GET /search?query=: a hash finds the file (if the caller may see it); a
 * #tag or a word finds the comments carrying that tag.  URLs, domains and
 * IP addresses join when those objects exist.
 */
void
api_search(struct pn_req *r)
{
	const char *q = pn_req_query(r, "query");
	struct pn_buf b = PN_BUF_INIT;
	char *base;

	if (q == NULL || *q == '\0' || strlen(q) > PN_HTTP_MAX_URL) {
		pn_resp_invalid(r, "query is required");
		return;
	}
	base = pn_api_url(r, "search");
	if (!is_hash(q) && search_object(r, q, base)) {
		free(base);
		return;
	}
	if (is_hash(q)) {
		char sha[65], *doc = NULL, *self;
		size_t len = 0;
		int rc = pn_store_file_doc(r->store, &r->user, q, sha, &doc, &len);
		if (rc != PN_OK && rc != PN_ENOTFOUND) {
			free(base);
			pn_resp_internal(r);
			return;
		}
		pn_buf_puts(&b, "{\"data\":[");
		if (rc == PN_OK) {
			self = pn_api_url(r, "files/%s", sha);
			pn_json_obj_open(&b, "file", sha, self);
			pn_buf_puts(&b, ",\"attributes\":");
			pn_buf_append(&b, doc, len);
			pn_buf_puts(&b, "}");
			free(self);
			free(doc);
		}
		pn_buf_printf(&b, "],\"meta\":{\"count\":%d},\"links\":{\"self\":", rc == PN_OK);
		pn_buf_json_str(&b, base, strlen(base));
		pn_buf_puts(&b, "}}");
		free(base);
		pn_resp_json(r, 200, &b);
		return;
	}
	{
		struct pn_social_filter f = { NULL, NULL, NULL, NULL };
		struct pn_comment_page page;
		char tag[PN_HTTP_MAX_URL + 1];
		size_t i, n = 0;
		for (q += *q == '#'; *q && n < sizeof(tag) - 1; q++)
			tag[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q | 0x20 : *q);
		tag[n] = '\0';
		f.tag = tag;
		if (pn_store_comment_list(r->store, &r->user, &f, 0, PN_PAGE_MAX, &page) != PN_OK) {
			free(base);
			pn_resp_internal(r);
			return;
		}
		pn_buf_puts(&b, "{\"data\":[");
		for (i = 0; i < page.n; i++) {
			if (i)
				pn_buf_putc(&b, ',');
			pn_put_comment(r, &b, &page.v[i]);
		}
		pn_buf_printf(&b, "],\"meta\":{\"count\":%lld},\"links\":{\"self\":",
		    (long long)page.total);
		pn_buf_json_str(&b, base, strlen(base));
		pn_buf_puts(&b, "}}");
		pn_comment_page_release(&page);
	}
	free(base);
	pn_resp_json(r, 200, &b);
}

/* --------------------------------------------------------------- audit */

void
api_audit(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_audit_page page;
	size_t limit, i;
	int64_t cursor;
	char cur[32];

	if (pn_page_params(r, &limit, &cursor) != PN_OK)
		return;
	if (pn_store_audit_list(r->store, cursor, limit, &page) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < page.n; i++) {
		const struct pn_audit *a = &page.v[i];
		pn_buf_printf(&b, "%s{\"type\":\"audit_event\",\"id\":\"%lld\",\"attributes\":"
		    "{\"date\":%lld,\"user\":", i ? "," : "", (long long)a->seq, (long long)a->date);
		pn_buf_json_str(&b, a->user, strlen(a->user));
		pn_buf_puts(&b, ",\"action\":");
		pn_buf_json_str(&b, a->action, strlen(a->action));
		pn_buf_puts(&b, ",\"item_type\":");
		pn_buf_json_str(&b, a->item_type, strlen(a->item_type));
		pn_buf_puts(&b, ",\"item_id\":");
		pn_buf_json_str(&b, a->item_id, strlen(a->item_id));
		if (a->detail) {
			pn_buf_puts(&b, ",\"detail\":");
			pn_buf_json_str(&b, a->detail, strlen(a->detail));
		}
		pn_buf_puts(&b, "}}");
	}
	pn_buf_puts(&b, "],\"meta\":{");
	if (page.next) {
		pn_cursor_encode(page.next, cur);
		pn_buf_printf(&b, "\"cursor\":\"%s\"", cur);
	}
	pn_buf_puts(&b, "}}");
	pn_audit_page_release(&page);
	pn_resp_json(r, 200, &b);
}
