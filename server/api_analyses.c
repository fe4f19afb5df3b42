/*
 * api_analyses.c - GET /analyses/{id} (status, stats, results, and
 * meta.file_info) and its `item` relationship; GET /metadata.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"

#include <json-c/json.h>

static int
load(struct pn_req *r, struct pn_analysis *a)
{
	int rc = pn_store_analysis_get(r->store, r->segs[1], a);

	/* An analysis of an object the user may not see does not exist for them. */
	if (rc == PN_OK && (rc = pn_store_obj_visible(r->store, &r->user, a->item_type,
	    a->item_id)) != PN_OK)
		pn_analysis_release(a);
	if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "Analysis \"%.128s\" not found", r->segs[1]);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

/* The URL of a URL object, from its stored attributes. */
static char *
url_text(struct pn_req *r, const char *id)
{
	char *doc = NULL, *out = NULL;
	size_t len = 0;
	json_object *o, *u;

	if (pn_store_obj_doc(r->store, &r->user, "url", id, &doc, &len) != PN_OK)
		return NULL;
	o = json_tokener_parse(doc);
	free(doc);
	if (o && json_object_object_get_ex(o, "url", &u) && json_object_is_type(u, json_type_string))
		out = pn_xstrdup(json_object_get_string(u));
	json_object_put(o);
	return out;
}

void
api_analyses_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_analysis a;
	char *self;

	if (load(r, &a) != PN_OK)
		return;
	self = pn_api_url(r, "analyses/%s", a.id);
	pn_buf_puts(&b, "{\"data\":");
	pn_json_obj_open(&b, "analysis", a.id, self);
	pn_buf_printf(&b, ",\"attributes\":{\"date\":%lld,\"status\":", (long long)a.date);
	pn_buf_json_str(&b, a.status, strlen(a.status));
	pn_buf_printf(&b, ",\"stats\":%s,\"results\":%s}", a.stats ? a.stats : "{}",
	    a.results ? a.results : "{}");
	if (strcmp(a.item_type, "file") != 0) {
		char *url = NULL;
		if (strcmp(a.item_type, "url") == 0)
			url = url_text(r, a.item_id);
		pn_buf_printf(&b, "},\"meta\":{\"%s_info\":{\"id\":",
		    strcmp(a.item_type, "ip_address") == 0 ? "ip_address" : a.item_type);
		pn_buf_json_str(&b, a.item_id, strlen(a.item_id));
		if (url) {
			pn_buf_puts(&b, ",\"url\":");
			pn_buf_json_str(&b, url, strlen(url));
		}
		pn_buf_puts(&b, "}}}");
		free(url);
		free(self);
		pn_analysis_release(&a);
		pn_resp_json(r, 200, &b);
		return;
	}
	pn_buf_puts(&b, "},\"meta\":{\"file_info\":{\"sha256\":");
	pn_buf_json_str(&b, a.item_id, strlen(a.item_id));
	pn_buf_puts(&b, ",\"sha1\":");
	pn_buf_json_str(&b, a.sha1, strlen(a.sha1));
	pn_buf_puts(&b, ",\"md5\":");
	pn_buf_json_str(&b, a.md5, strlen(a.md5));
	pn_buf_printf(&b, ",\"size\":%llu}}}", (unsigned long long)a.size);
	free(self);
	pn_analysis_release(&a);
	pn_resp_json(r, 200, &b);
}

static void
item(struct pn_req *r, int descriptor)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_analysis a;
	char sha[65], *doc = NULL, *self;
	size_t len = 0;

	if (load(r, &a) != PN_OK)
		return;
	if (strcmp(a.item_type, "file") != 0) {
		const char *coll = strcmp(a.item_type, "url") == 0 ? "urls" :
		    strcmp(a.item_type, "domain") == 0 ? "domains" : "ip_addresses";
		if (!descriptor && pn_store_obj_doc(r->store, &r->user, a.item_type, a.item_id, &doc,
		    &len) != PN_OK) {
			pn_analysis_release(&a);
			pn_resp_notfound(r, "Item of analysis \"%.128s\" not found", r->segs[1]);
			return;
		}
		pn_buf_puts(&b, "{\"data\":");
		if (descriptor) {
			pn_buf_puts(&b, "{\"type\":");
			pn_buf_json_str(&b, a.item_type, strlen(a.item_type));
			pn_buf_puts(&b, ",\"id\":");
			pn_buf_json_str(&b, a.item_id, strlen(a.item_id));
			pn_buf_puts(&b, "}}");
		} else {
			self = pn_api_url(r, "%s/%s", coll, a.item_id);
			pn_json_obj_open(&b, a.item_type, a.item_id, self);
			pn_buf_puts(&b, ",\"attributes\":");
			pn_buf_append(&b, doc, len);
			pn_buf_puts(&b, "}}");
			free(self);
			free(doc);
		}
		pn_analysis_release(&a);
		pn_resp_json(r, 200, &b);
		return;
	}
	if (pn_store_file_doc(r->store, &r->user, a.item_id, sha, descriptor ? NULL : &doc, &len) != PN_OK) {
		pn_analysis_release(&a);
		pn_resp_notfound(r, "Item of analysis \"%.128s\" not found", r->segs[1]);
		return;
	}
	pn_analysis_release(&a);
	if (descriptor) {
		pn_buf_puts(&b, "{\"data\":{\"type\":\"file\",\"id\":");
		pn_buf_json_str(&b, sha, strlen(sha));
		pn_buf_puts(&b, "}}");
	} else {
		self = pn_api_url(r, "files/%s", sha);
		pn_buf_puts(&b, "{\"data\":");
		pn_json_obj_open(&b, "file", sha, self);
		pn_buf_puts(&b, ",\"attributes\":");
		pn_buf_append(&b, doc, len);
		pn_buf_puts(&b, "}}");
		free(self);
		free(doc);
	}
	pn_resp_json(r, 200, &b);
}

void api_analyses_item(struct pn_req *r) { item(r, 0); }
void api_analyses_item_desc(struct pn_req *r) { item(r, 1); }

void
api_metadata(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_engine_info *e = NULL;
	size_t n = 0, i;

	if (pn_store_engine_list(r->store, &e, &n) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":{\"engines\":{");
	for (i = 0; i < n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		pn_buf_json_str(&b, e[i].name, strlen(e[i].name));
		pn_buf_puts(&b, ":{\"kind\":");
		pn_buf_json_str(&b, e[i].kind, strlen(e[i].kind));
		pn_buf_puts(&b, ",\"engine_version\":");
		pn_buf_json_str(&b, e[i].version, strlen(e[i].version));
		pn_buf_puts(&b, ",\"engine_update\":");
		pn_buf_json_str(&b, e[i].update, strlen(e[i].update));
		pn_buf_printf(&b, ",\"healthy\":%s", e[i].error[0] ? "false" : "true");
		if (e[i].error[0]) {
			pn_buf_puts(&b, ",\"error\":");
			pn_buf_json_str(&b, e[i].error, strlen(e[i].error));
		}
		pn_buf_printf(&b, ",\"last_seen\":%lld}", (long long)e[i].seen);
	}
	free(e);
	pn_buf_puts(&b, "},\"privileges\":[\"downloads\",\"admin\"],\"relationships\":{");
	{
		static const char *const types[] = { "file", "url", "domain", "ip_address" };
		size_t t;
		for (t = 0; t < PN_ARRAY_LEN(types); t++) {
			const struct pn_relationship *rel = pn_relationships_of(types[t]);
			pn_buf_printf(&b, "\"%s\":[", types[t]);
			for (i = 0; rel[i].name; i++)
				pn_buf_printf(&b, "%s{\"name\":\"%s\",\"description\":\"%s\"}",
				    i ? "," : "", rel[i].name, rel[i].description);
			pn_buf_puts(&b, "],");
		}
	}
	pn_buf_puts(&b, "\"analysis\":[{\"name\":\"item\",\"description\":\"the analysed object\"}]}}}");
	pn_resp_json(r, 200, &b);
}
