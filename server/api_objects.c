/*
 * api_objects.c - URLs, domains and IP addresses over the v3 API
 * (VT-API.md §2.1, §3.2-3.4): POST /urls, GET /urls|domains|ip_addresses/{id},
 * their rescans and relationships.
 *
 * Ids: a URL is the sha256 of its canonical form, or the unpadded base64url
 * of the URL (net/url.c decides, both give the same object); a domain is the
 * lower-case name (IDN as A-labels); an IP address its normalised text.
 * A domain or IP address is public knowledge: the first GET of a valid one
 * creates it and queues its analysis (DNS, WHOIS, location, engines), and
 * answers with what is known so far.  A URL exists once submitted (or seen
 * by an analysis) and is visible to the groups that submitted it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "domain.h"
#include "multipart.h"
#include "url.h"
#include "pn_limits.h"

#include <json-c/json.h>

/* ------------------------------------------------------------ identity */

/*
 * The canonical id of segs[1] for the collection segs[0]; answers 400
 * itself for an id that cannot be one.
 */
static int
obj_ident(struct pn_req *r, const char **type, char *id, size_t cap)
{
	const char *t = pn_collection_type(r->segs[0]);
	int rc = PN_EINVAL;

	*type = t;
	if (t == NULL) {
		pn_resp_notfound(r, "unknown collection");
		return PN_ENOTFOUND;
	}
	if (strcmp(t, "url") == 0) {
		char hex[65];
		if ((rc = pn_url_id_resolve(r->segs[1], hex)) == PN_OK)
			pn_strlcpy(id, hex, cap);
	} else if (strcmp(t, "domain") == 0) {
		rc = pn_domain_normalize(r->segs[1], PN_DOMAIN_DNS, id, cap);
	} else {
		rc = pn_ip_normalize(r->segs[1], id, cap);
	}
	if (rc != PN_OK)
		pn_resp_invalid(r, "\"%.200s\" is not a valid %s identifier", r->segs[1],
		    strcmp(t, "ip_address") == 0 ? "IP address" : t);
	return rc;
}

/* A domain or IP address comes into being when first asked for. */
static int
ensure_public(struct pn_req *r, const char *type, const char *id)
{
	struct pn_obj_submission o;
	char aid[128];
	int rc;

	if (strcmp(type, "url") == 0)
		return PN_OK;
	if (pn_store_obj_visible(r->store, NULL, type, id) == PN_OK)
		return PN_OK;
	memset(&o, 0, sizeof(o));
	o.type = type;
	o.id = id;
	o.user = r->user.id;
	o.date = pn_now();
	o.analyse = 0;
	rc = pn_store_obj_submit(r->store, &o, aid);
	if (rc == PN_OK && aid[0] && r->srv->wake_workers)
		r->srv->wake_workers(r->srv);
	return rc;
}

void
api_obj_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	const char *type;
	char id[PN_DOMAIN_BUF + 1], *doc = NULL, *self;
	size_t len = 0;
	int rc;

	if (obj_ident(r, &type, id, sizeof(id)) != PN_OK)
		return;
	if (ensure_public(r, type, id) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	rc = pn_store_obj_doc(r->store, &r->user, type, id, &doc, &len);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.200s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	self = pn_api_url(r, "%s/%s", pn_type_collection(type), id);
	pn_buf_reserve(&b, len + 256);
	pn_buf_puts(&b, "{\"data\":");
	pn_json_obj_open(&b, type, id, self);
	pn_buf_puts(&b, ",\"attributes\":");
	pn_buf_append(&b, doc, len);
	free(doc);
	free(self);
	if (pn_embed_relationships(r, &b, type, id) != PN_OK) {
		pn_buf_release(&b);
		return;
	}
	pn_buf_puts(&b, "}}");
	pn_resp_json(r, 200, &b);
}

void
api_obj_analyse(struct pn_req *r)
{
	const char *type;
	char id[PN_DOMAIN_BUF + 1], aid[128];
	int rc;

	if (obj_ident(r, &type, id, sizeof(id)) != PN_OK)
		return;
	if ((rc = ensure_public(r, type, id)) == PN_OK)
		rc = pn_store_obj_visible(r->store, &r->user, type, id);
	if (rc == PN_OK)
		rc = pn_store_obj_rescan(r->store, type, id, aid);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.200s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_store_audit_add(r->store, r->user.id, "rescan", type, id, NULL);
	if (r->srv->wake_workers)
		r->srv->wake_workers(r->srv);
	pn_resp_analysis(r, aid);
}

static void
rel(struct pn_req *r, const char *name, int desc)
{
	const char *type;
	char id[PN_DOMAIN_BUF + 1];
	int rc;

	if (obj_ident(r, &type, id, sizeof(id)) != PN_OK)
		return;
	if (!pn_relationship_known(type, name)) {
		pn_resp_notfound(r, "Relationship \"%.64s\" not found for %s", name, pn_type_collection(type));
		return;
	}
	if ((rc = ensure_public(r, type, id)) == PN_OK)
		rc = pn_store_obj_visible(r->store, &r->user, type, id);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.200s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_rel_page(r, type, id, name, desc);
}

void api_obj_rel(struct pn_req *r) { rel(r, r->segs[2], 0); }
void api_obj_rel_desc(struct pn_req *r) { rel(r, r->segs[3], 1); }

/* ------------------------------------------------------------ POST /urls */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of `key` in an application/x-www-form-urlencoded body, decoded. */
static char *
form_value(const char *body, size_t len, const char *key)
{
	size_t kl = strlen(key), i = 0;

	while (i < len) {
		size_t end = i, j;
		struct pn_buf v = PN_BUF_INIT;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > kl && memcmp(body + i, key, kl) == 0 && body[i + kl] == '=') {
			for (j = i + kl + 1; j < end; j++) {
				int h1, h2;
				if (body[j] == '+') {
					pn_buf_putc(&v, ' ');
				} else if (body[j] == '%' && j + 2 < end &&
				    (h1 = hexval((unsigned char)body[j + 1])) >= 0 &&
				    (h2 = hexval((unsigned char)body[j + 2])) >= 0) {
					pn_buf_putc(&v, (char)(h1 * 16 + h2));
					j += 2;
				} else {
					pn_buf_putc(&v, body[j]);
				}
			}
			pn_buf_putc(&v, '\0');
			return pn_buf_steal(&v, NULL);
		}
		i = end + 1;
	}
	return NULL;
}

struct mp_url {
	int in_url;
	struct pn_buf v;
};

static int
mp_begin(void *ctx, const struct pn_mp_part *p)
{
	struct mp_url *m = ctx;

	m->in_url = strcmp(p->name, "url") == 0 && m->v.len == 0;
	return PN_OK;
}

static int
mp_data(void *ctx, const char *data, size_t len)
{
	struct mp_url *m = ctx;

	return m->in_url ? pn_buf_append(&m->v, data, len) : PN_OK;
}

static int
mp_end(void *ctx)
{
	((struct mp_url *)ctx)->in_url = 0;
	return PN_OK;
}

/* The `url` field of the request body (urlencoded or multipart), or NULL. */
static char *
url_field(struct pn_req *r)
{
	const char *ct = pn_req_header(r, "Content-Type");

	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		struct pn_mp *mp = pn_xcalloc(1, sizeof(*mp));
		struct mp_url m;
		char *out = NULL;
		memset(&m, 0, sizeof(m));
		pn_buf_init(&m.v, PN_URL_MAX_LEN + 1);
		if (pn_mp_init(mp, ct) == PN_OK) {
			mp->on_part_begin = mp_begin;
			mp->on_part_data = mp_data;
			mp->on_part_end = mp_end;
			mp->ctx = &m;
			if (pn_mp_feed(mp, r->body.p ? r->body.p : "", r->body.len) == PN_OK &&
			    pn_mp_finish(mp) == PN_OK && m.v.len > 0) {
				pn_buf_putc(&m.v, '\0');
				out = pn_buf_steal(&m.v, NULL);
			}
		}
		pn_buf_release(&m.v);
		free(mp);
		return out;
	}
	return r->body.len ? form_value(r->body.p, r->body.len, "url") : NULL;
}

void
api_urls_post(struct pn_req *r)
{
	struct pn_obj_submission o;
	struct pn_url u;
	struct pn_buf seed = PN_BUF_INIT;
	char *text = url_field(r), err[256], id[65], aid[128];
	int rc;

	if (text == NULL || *text == '\0') {
		free(text);
		pn_resp_badreq(r, "expected a form field \"url\" (urlencoded or multipart)");
		return;
	}
	memset(&u, 0, sizeof(u));
	if (strlen(text) > PN_URL_MAX_LEN || pn_url_parse(text, &u, err, sizeof(err)) != PN_OK) {
		pn_resp_invalid(r, "Unable to canonicalize url: %s",
		    strlen(text) > PN_URL_MAX_LEN ? "too long" : err);
		free(text);
		return;
	}
	free(text);
	pn_url_id(u.canonical, id);
	pn_buf_puts(&seed, "{\"url\":");
	pn_buf_json_str(&seed, u.canonical, strlen(u.canonical));
	pn_buf_puts(&seed, "}");
	memset(&o, 0, sizeof(o));
	o.type = "url";
	o.id = id;
	o.seed = seed.p;
	o.user = r->user.id;
	o.grp = r->user.grp;
	o.date = pn_now();
	o.analyse = 1;
	o.count = 1;
	rc = pn_store_obj_submit(r->store, &o, aid);
	if (rc == PN_OK)
		pn_store_audit_add(r->store, r->user.id, "submit", "url", id, u.canonical);
	pn_url_free(&u);
	pn_buf_release(&seed);
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	if (r->srv->wake_workers)
		r->srv->wake_workers(r->srv);
	pn_resp_analysis(r, aid);
}
