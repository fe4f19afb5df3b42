/*
 * api_social.c - the Community tab over the API (VT-API.md §3.6, §5.9, §8):
 * comments and votes on files, URLs, domains and IP addresses, the global
 * comment list, comment votes, sharing an object with every user.
 *
 * Privacy: an object the user may not see answers exactly like one that
 * does not exist (404 NotFoundError with the same message), for reads and
 * writes alike - no 403-vs-404 oracle.  Comments are stored as plain text;
 * `html` is that text escaped, so nothing in a comment can run in a page.
 *
 * Limits: PN_COMMENT_MAX_BYTES of text, PN_COMMENT_MAX_TAGS tags of at most
 * PN_COMMENT_MAX_TAG bytes; an empty or whitespace-only comment is refused.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "utf8.h"
#include "pn_limits.h"

#include <json-c/json.h>

#define PN_COMMENT_MAX_BYTES 16384
#define PN_COMMENT_MAX_TAGS 32
#define PN_COMMENT_MAX_TAG 64

const char *
pn_collection_type(const char *collection)
{
	static const char *const map[][2] = {
		{ "files", "file" }, { "urls", "url" }, { "domains", "domain" },
		{ "ip_addresses", "ip_address" },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(map); i++)
		if (strcmp(collection, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

struct json_object *
pn_req_json(struct pn_req *r)
{
	struct json_tokener *tok;
	json_object *o;

	if (r->body.len == 0) {
		pn_resp_badreq(r, "a JSON body is required");
		return NULL;
	}
	tok = json_tokener_new_ex(32);
	o = json_tokener_parse_ex(tok, r->body.p, (int)r->body.len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != r->body.len) {
		json_object_put(o);
		json_tokener_free(tok);
		pn_resp_badreq(r, "the body is not valid JSON");
		return NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * The object of segs[0]/segs[1] as this user may see it; its canonical id
 * in id.  Answers 404 (or 400) itself.
 */
static int
item_of(struct pn_req *r, const char **type, char *id, size_t cap)
{
	const char *t = pn_collection_type(r->segs[0]);
	int rc;

	*type = t;
	if (t == NULL) {
		pn_resp_notfound(r, "unknown collection");
		return PN_ENOTFOUND;
	}
	if (strcmp(t, "file") == 0) {
		char sha[65];
		rc = pn_store_file_exists(r->store, &r->user, r->segs[1], sha);
		if (rc == PN_EINVAL) {
			pn_resp_badreq(r, "\"%.100s\" is not a valid md5, sha1 or sha256", r->segs[1]);
			return rc;
		}
		if (rc == PN_OK)
			pn_strlcpy(id, sha, cap);
	} else {
		size_t i;
		pn_strlcpy(id, r->segs[1], cap);
		if (strcmp(t, "domain") == 0)
			for (i = 0; id[i]; i++)
				id[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] | 0x20 : id[i]);
		rc = pn_store_obj_visible(r->store, &r->user, t, id);
	}
	if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "%s \"%.100s\" not found", t, r->segs[1]);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

/* ---------------------------------------------------------------- pages */

/* meta and links of a collection page; base is the URL without query. */
static void
page_tail(struct pn_buf *b, const char *base, const char *extra_q, size_t limit, int64_t cursor,
    int64_t next, int64_t total)
{
	char cur[32], cur_self[32];

	pn_buf_printf(b, "],\"meta\":{\"count\":%lld", (long long)total);
	if (next) {
		pn_cursor_encode(next, cur);
		pn_buf_printf(b, ",\"cursor\":\"%s\"", cur);
	}
	pn_buf_puts(b, "},\"links\":{\"self\":");
	{
		struct pn_buf u = PN_BUF_INIT;
		pn_buf_printf(&u, "%s?limit=%zu%s", base, limit, extra_q ? extra_q : "");
		if (cursor) {
			pn_cursor_encode(cursor, cur_self);
			pn_buf_printf(&u, "&cursor=%s", cur_self);
		}
		pn_buf_json_str(b, u.p, u.len);
		pn_buf_release(&u);
	}
	if (next) {
		struct pn_buf u = PN_BUF_INIT;
		pn_buf_printf(&u, "%s?limit=%zu%s&cursor=%s", base, limit, extra_q ? extra_q : "", cur);
		pn_buf_puts(b, ",\"next\":");
		pn_buf_json_str(b, u.p, u.len);
		pn_buf_release(&u);
	}
	pn_buf_puts(b, "}}");
}

/* ------------------------------------------------------------- comments */

static void
put_escaped_html(struct pn_buf *out, const char *s)
{
	struct pn_buf h = PN_BUF_INIT;

	for (; *s; s++) {
		switch (*s) {
		case '<': pn_buf_puts(&h, "&lt;"); break;
		case '>': pn_buf_puts(&h, "&gt;"); break;
		case '&': pn_buf_puts(&h, "&amp;"); break;
		case '"': pn_buf_puts(&h, "&quot;"); break;
		case '\'': pn_buf_puts(&h, "&#39;"); break;
		case '\n': pn_buf_puts(&h, "<br>"); break;
		default: pn_buf_putc(&h, *s); break;
		}
	}
	pn_buf_json_str(out, h.p ? h.p : "", h.len);
	pn_buf_release(&h);
}

void
pn_put_comment(struct pn_req *r, struct pn_buf *b, const struct pn_comment *c)
{
	char *self = pn_api_url(r, "comments/%s", c->id);

	pn_json_obj_open(b, "comment", c->id, self);
	free(self);
	pn_buf_printf(b, ",\"attributes\":{\"date\":%lld,\"text\":", (long long)c->date);
	pn_buf_json_str(b, c->text ? c->text : "", c->text ? strlen(c->text) : 0);
	pn_buf_puts(b, ",\"html\":");
	put_escaped_html(b, c->text ? c->text : "");
	pn_buf_printf(b, ",\"tags\":%s,\"votes\":{\"positive\":%lld,\"negative\":%lld,"
	    "\"abuse\":%lld}}}", c->tags ? c->tags : "[]", (long long)c->positive,
	    (long long)c->negative, (long long)c->abuse);
}

static int
tag_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    ch == '_' || ch == '-' || ch == '.';
}

/* `#word` tokens of the text, lower-cased and unique, as a JSON array text. */
static char *
extract_tags(const char *text)
{
	json_object *a = json_object_new_array();
	const char *p = text;
	char *out;

	while ((p = strchr(p, '#')) != NULL) {
		char tag[PN_COMMENT_MAX_TAG + 1];
		size_t n = 0, i;
		int dup = 0;
		/* A tag starts a word: "a#b" is not one. */
		if (p > text && tag_char((unsigned char)p[-1])) {
			p++;
			continue;
		}
		for (p++; tag_char((unsigned char)*p); p++)
			if (n < PN_COMMENT_MAX_TAG)
				tag[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
		while (n > 0 && tag[n - 1] == '.')   /* "#tag." at a sentence's end */
			n--;
		tag[n] = '\0';
		if (n == 0)
			continue;
		for (i = 0; i < json_object_array_length(a); i++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), tag) == 0)
				dup = 1;
		if (!dup && json_object_array_length(a) < PN_COMMENT_MAX_TAGS)
			json_object_array_add(a, json_object_new_string(tag));
	}
	out = pn_xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return out;
}

static int
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static int
valid_utf8(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = pn_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* data.attributes.<key> as a string, or NULL (and a 400 answered). */
static const char *
body_attr(struct pn_req *r, json_object *o, const char *type, const char *key)
{
	json_object *data, *attrs, *v, *t;

	if (!json_object_object_get_ex(o, "data", &data) ||
	    !json_object_is_type(data, json_type_object) ||
	    !json_object_object_get_ex(data, "attributes", &attrs) ||
	    !json_object_object_get_ex(attrs, key, &v) || !json_object_is_type(v, json_type_string)) {
		pn_resp_badreq(r, "expected {\"data\":{\"type\":\"%s\",\"attributes\":{\"%s\":...}}}",
		    type, key);
		return NULL;
	}
	if (json_object_object_get_ex(data, "type", &t) &&
	    (!json_object_is_type(t, json_type_string) || strcmp(json_object_get_string(t), type) != 0)) {
		pn_resp_badreq(r, "data.type must be \"%s\"", type);
		return NULL;
	}
	return json_object_get_string(v);
}

void
api_obj_comments_post(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_comment c;
	const char *type, *text;
	char id[256], *tags;
	json_object *o;
	size_t n;
	int rc;

	if (item_of(r, &type, id, sizeof(id)) != PN_OK || (o = pn_req_json(r)) == NULL)
		return;
	if ((text = body_attr(r, o, "comment", "text")) == NULL) {
		json_object_put(o);
		return;
	}
	n = strlen(text);
	if (blank(text) || n > PN_COMMENT_MAX_BYTES || !valid_utf8(text, n)) {
		pn_resp_invalid(r, blank(text) ? "the comment is empty" : n > PN_COMMENT_MAX_BYTES ?
		    "the comment is longer than %d bytes" : "the comment is not valid UTF-8",
		    PN_COMMENT_MAX_BYTES);
		json_object_put(o);
		return;
	}
	tags = extract_tags(text);
	rc = pn_store_comment_add(r->store, &r->user, type, id, text, tags, &c);
	free(tags);
	json_object_put(o);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.100s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":");
	pn_put_comment(r, &b, &c);
	pn_buf_puts(&b, "}");
	pn_comment_release(&c);
	pn_resp_json(r, 200, &b);
}

void
pn_comments_page(struct pn_req *r, const struct pn_social_filter *f, const char *base,
    const char *extra_q)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_comment_page page;
	size_t limit, i;
	int64_t cursor;

	if (pn_page_params(r, &limit, &cursor) != PN_OK)
		return;
	if (pn_store_comment_list(r->store, &r->user, f, cursor, limit, &page) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < page.n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		pn_put_comment(r, &b, &page.v[i]);
	}
	page_tail(&b, base, extra_q, limit, cursor, page.next, page.total);
	pn_comment_page_release(&page);
	pn_resp_json(r, 200, &b);
}

void
api_obj_comments_get(struct pn_req *r)
{
	struct pn_social_filter f = { NULL, NULL, NULL, NULL };
	const char *type;
	char id[256], *base;

	if (item_of(r, &type, id, sizeof(id)) != PN_OK)
		return;
	f.item_type = type;
	f.item_id = id;
	base = pn_api_url(r, "%s/%s/comments", r->segs[0], id);
	pn_comments_page(r, &f, base, NULL);
	free(base);
}

void
api_comments_list(struct pn_req *r)
{
	struct pn_social_filter f = { NULL, NULL, NULL, NULL };
	const char *filter = pn_req_query(r, "filter");
	char *base, *extra = NULL;

	if (filter && *filter) {
		if (strncmp(filter, "tag:", 4) != 0 || filter[4] == '\0' || strlen(filter) > 70) {
			pn_resp_invalid(r, "filter must be tag:<tag>");
			return;
		}
		f.tag = filter + 4;
		extra = pn_xasprintf("&filter=tag%%3A%s", filter + 4);
	}
	base = pn_api_url(r, "comments");
	pn_comments_page(r, &f, base, extra);
	free(base);
	free(extra);
}

static int
comment_load(struct pn_req *r, struct pn_comment *c)
{
	int rc = pn_store_comment_get(r->store, &r->user, r->segs[1], c);

	if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "Comment \"%.200s\" not found", r->segs[1]);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

void
api_comment_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_comment c;

	if (comment_load(r, &c) != PN_OK)
		return;
	pn_buf_puts(&b, "{\"data\":");
	pn_put_comment(r, &b, &c);
	pn_buf_puts(&b, "}");
	pn_comment_release(&c);
	pn_resp_json(r, 200, &b);
}

void
api_comment_delete(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	int rc = pn_store_comment_delete(r->store, &r->user, r->segs[1]);

	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "Comment \"%.200s\" not found", r->segs[1]);
		return;
	}
	if (rc == PN_EPERM) {
		pn_resp_error(r, 403, "ForbiddenError", "only the author or an administrator may"
		    " delete a comment");
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_store_audit_add(r->store, r->user.id, "delete", "comment", r->segs[1], NULL);
	pn_buf_puts(&b, "{}");
	pn_resp_json(r, 200, &b);
}

void
api_comment_vote(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_comment c;
	json_object *o, *d;
	const char *kind;
	int rc;

	if ((o = pn_req_json(r)) == NULL)
		return;
	if (!json_object_object_get_ex(o, "data", &d) || !json_object_is_type(d, json_type_string) ||
	    (strcmp(kind = json_object_get_string(d), "positive") != 0 &&
	    strcmp(kind, "negative") != 0 && strcmp(kind, "abuse") != 0)) {
		json_object_put(o);
		pn_resp_invalid(r, "expected {\"data\": \"positive\" | \"negative\" | \"abuse\"}");
		return;
	}
	rc = pn_store_comment_vote(r->store, &r->user, r->segs[1], kind, &c);
	json_object_put(o);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "Comment \"%.200s\" not found", r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_printf(&b, "{\"data\":{\"positive\":%lld,\"negative\":%lld,\"abuse\":%lld}}",
	    (long long)c.positive, (long long)c.negative, (long long)c.abuse);
	pn_comment_release(&c);
	pn_resp_json(r, 200, &b);
}


/* GET /comments/{id}/author|item and /relationships/author|item. */
void
api_comment_rel(struct pn_req *r)
{
	const char *rel = r->nsegs == 4 ? r->segs[3] : r->segs[2];
	int desc = r->nsegs == 4;
	struct pn_buf b = PN_BUF_INIT;
	struct pn_comment c;

	if (strcmp(rel, "author") != 0 && strcmp(rel, "item") != 0) {
		pn_resp_notfound(r, "Relationship \"%.64s\" not found for comments", rel);
		return;
	}
	if (comment_load(r, &c) != PN_OK)
		return;
	pn_buf_puts(&b, "{\"data\":");
	if (strcmp(rel, "author") == 0) {
		struct pn_user u;
		if (pn_store_user_get(r->store, c.user, &u) != PN_OK)
			pn_strlcpy(u.id, c.user, sizeof(u.id));
		if (desc) {
			pn_buf_puts(&b, "{\"type\":\"user\",\"id\":");
			pn_buf_json_str(&b, c.user, strlen(c.user));
			pn_buf_puts(&b, "}");
		} else {
			pn_put_user(r, &b, &u, 0);
		}
	} else {
		char sha[65], *doc = NULL, *self;
		size_t len = 0;
		if (desc || strcmp(c.item_type, "file") != 0 ||
		    pn_store_file_doc(r->store, &r->user, c.item_id, sha, &doc, &len) != PN_OK) {
			pn_buf_puts(&b, "{\"type\":");
			pn_buf_json_str(&b, c.item_type, strlen(c.item_type));
			pn_buf_puts(&b, ",\"id\":");
			pn_buf_json_str(&b, c.item_id, strlen(c.item_id));
			pn_buf_puts(&b, "}");
		} else {
			self = pn_api_url(r, "files/%s", sha);
			pn_json_obj_open(&b, "file", sha, self);
			pn_buf_puts(&b, ",\"attributes\":");
			pn_buf_append(&b, doc, len);
			pn_buf_puts(&b, "}");
			free(self);
			free(doc);
		}
	}
	pn_buf_puts(&b, "}");
	pn_comment_release(&c);
	pn_resp_json(r, 200, &b);
}

/* ---------------------------------------------------------------- votes */

void
pn_put_vote(struct pn_req *r, struct pn_buf *b, const struct pn_vote *v)
{
	char *self = pn_api_url(r, "votes/%s", v->id);

	pn_json_obj_open(b, "vote", v->id, self);
	free(self);
	pn_buf_printf(b, ",\"attributes\":{\"date\":%lld,\"verdict\":\"%s\",\"value\":%lld}}",
	    (long long)v->date, v->verdict > 0 ? "harmless" : "malicious", (long long)v->value);
}

void
api_obj_votes_post(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_vote v;
	const char *type, *verdict;
	char id[256];
	json_object *o;
	int rc, sign;

	if (item_of(r, &type, id, sizeof(id)) != PN_OK || (o = pn_req_json(r)) == NULL)
		return;
	if ((verdict = body_attr(r, o, "vote", "verdict")) == NULL) {
		json_object_put(o);
		return;
	}
	if (strcmp(verdict, "harmless") == 0) {
		sign = 1;
	} else if (strcmp(verdict, "malicious") == 0) {
		sign = -1;
	} else {
		json_object_put(o);
		pn_resp_invalid(r, "verdict must be \"harmless\" or \"malicious\"");
		return;
	}
	json_object_put(o);
	rc = pn_store_vote_put(r->store, &r->user, type, id, sign, &v);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.100s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":");
	pn_put_vote(r, &b, &v);
	pn_buf_puts(&b, "}");
	pn_resp_json(r, 200, &b);
}

void
pn_votes_page(struct pn_req *r, const struct pn_social_filter *f, const char *base)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_vote_page page;
	size_t limit, i;
	int64_t cursor;

	if (pn_page_params(r, &limit, &cursor) != PN_OK)
		return;
	if (pn_store_vote_list(r->store, &r->user, f, cursor, limit, &page) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < page.n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		pn_put_vote(r, &b, &page.v[i]);
	}
	page_tail(&b, base, NULL, limit, cursor, page.next, page.total);
	pn_vote_page_release(&page);
	pn_resp_json(r, 200, &b);
}

void
api_obj_votes_get(struct pn_req *r)
{
	struct pn_social_filter f = { NULL, NULL, NULL, NULL };
	const char *type;
	char id[256], *base;

	if (item_of(r, &type, id, sizeof(id)) != PN_OK)
		return;
	f.item_type = type;
	f.item_id = id;
	base = pn_api_url(r, "%s/%s/votes", r->segs[0], id);
	pn_votes_page(r, &f, base);
	free(base);
}

/* ---------------------------------------------------------------- share */

void
api_obj_share(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	const char *type;
	char id[256], *self;
	int rc;

	if (item_of(r, &type, id, sizeof(id)) != PN_OK)
		return;
	rc = pn_store_obj_share(r->store, &r->user, type, id);
	if (rc == PN_ENOTFOUND) {
		pn_resp_notfound(r, "%s \"%.100s\" not found", type, r->segs[1]);
		return;
	}
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_store_audit_add(r->store, r->user.id, "share", type, id, NULL);
	self = pn_api_url(r, "%s/%s", pn_type_collection(type), id);
	pn_buf_puts(&b, "{\"data\":");
	pn_json_obj_open(&b, type, id, self);
	pn_buf_puts(&b, ",\"attributes\":{\"visibility\":\"public\"}}}");
	free(self);
	pn_resp_json(r, 200, &b);
}
