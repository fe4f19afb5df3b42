/*
 * api_files.c - GET /files/{id}, rescan, download and the generic
 * relationship routes and ?relationships= embedding.
 *
 * A lookup is one indexed read of the stored attributes JSON plus the
 * envelope around it; nothing is re-serialised.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "blob.h"
#include "pn_limits.h"

#include <sys/stat.h>
#include <unistd.h>

/* Resolve segs[1] to a sha256, answering 400/404 itself on failure. */
static int
file_id(struct pn_req *r, char sha256[65], char **doc, size_t *len)
{
	int rc = pn_store_file_doc(r->store, &r->user, r->segs[1], sha256, doc, len);

	if (rc == PN_EINVAL)
		pn_resp_badreq(r, "\"%.100s\" is not a valid md5, sha1 or sha256", r->segs[1]);
	else if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "File \"%.100s\" not found", r->segs[1]);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

void
api_files_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	char sha256[65], *doc = NULL, *self;
	size_t len = 0;

	if (file_id(r, sha256, &doc, &len) != PN_OK)
		return;
	self = pn_api_url(r, "files/%s", sha256);
	pn_buf_reserve(&b, len + 256);
	pn_buf_puts(&b, "{\"data\":");
	pn_json_obj_open(&b, "file", sha256, self);
	pn_buf_puts(&b, ",\"attributes\":");
	pn_buf_append(&b, doc, len);
	free(doc);
	free(self);
	if (pn_embed_relationships(r, &b, "file", sha256) != PN_OK) {
		pn_buf_release(&b);
		return;
	}
	pn_buf_puts(&b, "}}");
	pn_resp_json(r, 200, &b);
}

void
api_files_analyse(struct pn_req *r)
{
	char sha256[65], aid[128];

	if (file_id(r, sha256, NULL, NULL) != PN_OK)
		return;
	if (pn_store_file_rescan(r->store, sha256, aid) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_store_audit_add(r->store, r->user.id, "rescan", "file", sha256, NULL);
	if (r->srv->wake_workers)
		r->srv->wake_workers(r->srv);
	pn_resp_analysis(r, aid);
}

void
api_files_download(struct pn_req *r)
{
	char sha256[65];
	struct stat sb;
	int fd;

	if (file_id(r, sha256, NULL, NULL) != PN_OK)
		return;
	if (!r->user.can_download && !r->user.is_admin) {
		pn_resp_error(r, 403, "ForbiddenError", "You are not allowed to download files");
		return;
	}
	if (pn_blob_open(r->srv->datadir, sha256, &fd) != PN_OK) {
		pn_resp_notfound(r, "File \"%s\" content is not stored", sha256);
		return;
	}
	if (fstat(fd, &sb) != 0) {
		close(fd);
		pn_resp_internal(r);
		return;
	}
	log_info("download %s by %s", sha256, r->user.id);
	if (pn_store_audit_add(r->store, r->user.id, "download", "file", sha256, NULL) != PN_OK) {
		close(fd);
		pn_resp_internal(r);   /* no download without its audit record */
		return;
	}
	pn_resp_fd(r, fd, (uint64_t)sb.st_size, "application/octet-stream", sha256);
}

/* ---------------------------------------------------------- relationships */

/* One related object in full: files and analyses from the store, others from context. */
static void
put_object(struct pn_req *r, struct pn_buf *b, const struct pn_edge *e)
{
	char *self = NULL, sha[65], *doc = NULL;
	size_t len = 0;

	if (strcmp(e->dst_type, "file") == 0 &&
	    pn_store_file_doc(r->store, &r->user, e->dst_id, sha, &doc, &len) == PN_OK) {
		self = pn_api_url(r, "files/%s", sha);
		pn_json_obj_open(b, "file", sha, self);
		pn_buf_puts(b, ",\"attributes\":");
		pn_buf_append(b, doc, len);
		free(doc);
	} else if (strcmp(e->dst_type, "analysis") == 0) {
		struct pn_analysis a;
		self = pn_api_url(r, "analyses/%s", e->dst_id);
		pn_json_obj_open(b, "analysis", e->dst_id, self);
		pn_buf_puts(b, ",\"attributes\":");
		if (pn_store_analysis_get(r->store, e->dst_id, &a) == PN_OK) {
			pn_buf_printf(b, "{\"date\":%lld,\"status\":", (long long)a.date);
			pn_buf_json_str(b, a.status, strlen(a.status));
			pn_buf_printf(b, ",\"stats\":%s,\"results\":%s}", a.stats ? a.stats : "{}",
			    a.results ? a.results : "{}");
			pn_analysis_release(&a);
		} else {
			pn_buf_puts(b, "{}");
		}
	} else if (pn_relationships_of(e->dst_type) != NULL &&
	    pn_store_obj_doc(r->store, &r->user, e->dst_type, e->dst_id, &doc, &len) == PN_OK) {
		self = pn_api_url(r, "%s/%s", pn_type_collection(e->dst_type), e->dst_id);
		pn_json_obj_open(b, e->dst_type, e->dst_id, self);
		pn_buf_puts(b, ",\"attributes\":");
		pn_buf_append(b, doc, len);
		free(doc);
	} else {
		char *path = pn_xasprintf("%s%s/%s", e->dst_type,
		    strcmp(e->dst_type, "ip_address") == 0 ? "es" : "s", e->dst_id);
		self = pn_api_url(r, "%s", path);
		free(path);
		pn_json_obj_open(b, e->dst_type, e->dst_id, self);
		pn_buf_printf(b, ",\"attributes\":%s", e->ctx ? e->ctx : "{}");
	}
	pn_buf_puts(b, "}");
	free(self);
}

static void
put_descriptor(struct pn_buf *b, const struct pn_edge *e)
{
	pn_buf_puts(b, "{\"type\":");
	pn_buf_json_str(b, e->dst_type, strlen(e->dst_type));
	pn_buf_puts(b, ",\"id\":");
	pn_buf_json_str(b, e->dst_id, strlen(e->dst_id));
	if (e->ctx && strcmp(e->dst_type, "submission") != 0)
		pn_buf_printf(b, ",\"context_attributes\":%s", e->ctx);
	pn_buf_puts(b, "}");
}

/* The collection answer for /{coll}/{id}/{rel} (full) or /relationships/{rel}. */
void
pn_rel_page(struct pn_req *r, const char *type, const char *id, const char *rel, int descriptors)
{
	struct pn_buf b = PN_BUF_INIT;
	struct pn_edge_page page;
	char cur[32], cur_self[32];
	char *base;
	size_t limit, i;
	int64_t cursor;

	if (pn_page_params(r, &limit, &cursor) != PN_OK)
		return;
	if (pn_store_edge_list(r->store, &r->user, type, id, rel, cursor, limit, &page) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	base = pn_api_url(r, "%s/%s/%s%s", pn_type_collection(type), id,
	    descriptors ? "relationships/" : "", rel);
	pn_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < page.n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		if (descriptors)
			put_descriptor(&b, &page.v[i]);
		else
			put_object(r, &b, &page.v[i]);
	}
	pn_buf_printf(&b, "],\"meta\":{\"count\":%lld", (long long)page.total);
	if (page.next) {
		pn_cursor_encode(page.next, cur);
		pn_buf_printf(&b, ",\"cursor\":\"%s\"", cur);
	}
	pn_buf_puts(&b, "},\"links\":{\"self\":");
	{
		struct pn_buf u = PN_BUF_INIT;
		pn_buf_printf(&u, "%s?limit=%zu", base, limit);
		if (cursor) {
			pn_cursor_encode(cursor, cur_self);
			pn_buf_printf(&u, "&cursor=%s", cur_self);
		}
		pn_buf_json_str(&b, u.p, u.len);
		pn_buf_release(&u);
	}
	if (page.next) {
		struct pn_buf u = PN_BUF_INIT;
		pn_buf_printf(&u, "%s?limit=%zu&cursor=%s", base, limit, cur);
		pn_buf_puts(&b, ",\"next\":");
		pn_buf_json_str(&b, u.p, u.len);
		pn_buf_release(&u);
	}
	pn_buf_puts(&b, "}}");
	free(base);
	pn_edge_page_release(&page);
	pn_resp_json(r, 200, &b);
}

static void
rel_page(struct pn_req *r, const char *rel, int descriptors)
{
	char sha256[65];

	if (!pn_file_relationship_known(rel)) {
		pn_resp_notfound(r, "Relationship \"%.64s\" not found for files", rel);
		return;
	}
	if (file_id(r, sha256, NULL, NULL) != PN_OK)
		return;
	pn_rel_page(r, "file", sha256, rel, descriptors);
}

void
api_files_rel(struct pn_req *r)
{
	rel_page(r, r->segs[2], 0);
}

void
api_files_rel_desc(struct pn_req *r)
{
	rel_page(r, r->segs[3], 1);
}

/* ?relationships=a,b on an object: descriptors of the first page of each. */
int
pn_embed_relationships(struct pn_req *r, struct pn_buf *b, const char *type, const char *id)
{
	const char *q = pn_req_query(r, "relationships");
	const char *p;
	int first = 1;

	if (q == NULL || *q == '\0')
		return PN_OK;
	pn_buf_puts(b, ",\"relationships\":{");
	for (p = q; *p;) {
		size_t n = strcspn(p, ",");
		char rel[64];
		struct pn_edge_page page;
		char *self, *related, cur[32];
		size_t i;

		if (n == 0 || n >= sizeof(rel)) {
			p += n + (p[n] == ',');
			continue;
		}
		memcpy(rel, p, n);
		rel[n] = '\0';
		p += n + (p[n] == ',');
		if (!pn_relationship_known(type, rel)) {
			pn_resp_notfound(r, "Relationship \"%.64s\" not found for %s", rel,
			    pn_type_collection(type));
			return PN_ENOTFOUND;
		}
		if (pn_store_edge_list(r->store, &r->user, type, id, rel, 0, PN_PAGE_DEFAULT, &page) != PN_OK) {
			pn_resp_internal(r);
			return PN_EINTERNAL;
		}
		if (!first)
			pn_buf_putc(b, ',');
		first = 0;
		self = pn_api_url(r, "%s/%s/relationships/%s", pn_type_collection(type), id, rel);
		related = pn_api_url(r, "%s/%s/%s", pn_type_collection(type), id, rel);
		pn_buf_json_str(b, rel, strlen(rel));
		pn_buf_puts(b, ":{\"data\":[");
		for (i = 0; i < page.n; i++) {
			if (i)
				pn_buf_putc(b, ',');
			put_descriptor(b, &page.v[i]);
		}
		pn_buf_printf(b, "],\"links\":{\"self\":\"%s?limit=%d\",\"related\":\"%s\"",
		    self, PN_PAGE_DEFAULT, related);
		if (page.next) {
			pn_cursor_encode(page.next, cur);
			pn_buf_printf(b, ",\"next\":\"%s?limit=%d&cursor=%s\"},\"meta\":{\"cursor\":\"%s\",\"count\":%lld}",
			    self, PN_PAGE_DEFAULT, cur, cur, (long long)page.total);
		} else {
			pn_buf_printf(b, "},\"meta\":{\"count\":%lld}", (long long)page.total);
		}
		pn_buf_puts(b, "}");
		free(self);
		free(related);
		pn_edge_page_release(&page);
	}
	pn_buf_puts(b, "}");
	return PN_OK;
}
