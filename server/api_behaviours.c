/*
 * api_behaviours.c - the Behavior tab over the API (VT-API.md §5.7,
 * SANDBOX.md §1): GET /files/{id}/behaviours (every sandbox report),
 * /file_behaviours/{sha256}_{sandbox}, /files/{id}/behaviour_summary and
 * /files/{id}/behaviour_mitre_trees.  Reports are stored rendered; the
 * summary and the trees are merged from them on request
 * (sandbox/summary.c).  A file the caller may not see has no reports.
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "report.h"
#include "pn_limits.h"

#include <json-c/json.h>

static void
free_list(char **ids, char **reports, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ids[i]);
		free(reports[i]);
	}
	free(ids);
	free(reports);
}

/* The caller may see the file named by segs[1]; its sha256 out.  Answers 404/400. */
static int
visible_file(struct pn_req *r, const char *hash, char sha[65])
{
	int rc = pn_store_file_exists(r->store, &r->user, hash, sha);

	if (rc == PN_EINVAL)
		pn_resp_badreq(r, "\"%.100s\" is not a valid md5, sha1 or sha256", hash);
	else if (rc == PN_ENOTFOUND)
		pn_resp_notfound(r, "File \"%.100s\" not found", hash);
	else if (rc != PN_OK)
		pn_resp_internal(r);
	return rc;
}

static void
put_behaviour(struct pn_req *r, struct pn_buf *b, const char *id, const char *report)
{
	char *self = pn_api_url(r, "file_behaviours/%s", id);

	pn_json_obj_open(b, "file_behaviour", id, self);
	free(self);
	pn_buf_puts(b, ",\"attributes\":");
	pn_buf_puts(b, report);
	pn_buf_puts(b, "}");
}

void
api_files_behaviours(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	char sha[65], **ids = NULL, **reports = NULL, *self;
	size_t n = 0, i;

	if (visible_file(r, r->segs[1], sha) != PN_OK)
		return;
	if (pn_store_behaviour_list(r->store, sha, NULL, &ids, &reports, &n) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	pn_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		put_behaviour(r, &b, ids[i], reports[i]);
	}
	self = pn_api_url(r, "files/%s/behaviours", sha);
	pn_buf_printf(&b, "],\"meta\":{\"count\":%zu},\"links\":{\"self\":", n);
	pn_buf_json_str(&b, self, strlen(self));
	pn_buf_puts(&b, "}}");
	free(self);
	free_list(ids, reports, n);
	pn_resp_json(r, 200, &b);
}

void
api_file_behaviour_get(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	const char *id = r->segs[1];
	char sha[65], **ids = NULL, **reports = NULL;
	size_t n = 0;

	/* "<sha256>_<sandbox>": the file part decides who may see it. */
	if (strlen(id) < 66 || id[64] != '_' || !pn_is_hex(id, 64)) {
		pn_resp_notfound(r, "File behaviour \"%.200s\" not found", id);
		return;
	}
	memcpy(sha, id, 64);
	sha[64] = '\0';
	if (pn_store_file_exists(r->store, &r->user, sha, sha) != PN_OK ||
	    pn_store_behaviour_list(r->store, NULL, id, &ids, &reports, &n) != PN_OK || n == 0) {
		free_list(ids, reports, n);
		pn_resp_notfound(r, "File behaviour \"%.200s\" not found", id);
		return;
	}
	pn_buf_puts(&b, "{\"data\":");
	put_behaviour(r, &b, ids[0], reports[0]);
	pn_buf_puts(&b, "}");
	free_list(ids, reports, n);
	pn_resp_json(r, 200, &b);
}

/* The file's reports parsed; *n of them.  Answers itself on error (returns NULL, n = -1). */
static json_object **
parsed_reports(struct pn_req *r, char sha[65], size_t *n, int *failed)
{
	char **ids = NULL, **reports = NULL;
	json_object **v;
	size_t i, k = 0;

	*failed = 1;
	if (visible_file(r, r->segs[1], sha) != PN_OK)
		return NULL;
	if (pn_store_behaviour_list(r->store, sha, NULL, &ids, &reports, n) != PN_OK) {
		pn_resp_internal(r);
		return NULL;
	}
	v = pn_xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++) {
		json_object *o = json_tokener_parse(reports[i]);
		if (o != NULL)
			v[k++] = o;
	}
	free_list(ids, reports, *n);
	*n = k;
	*failed = 0;
	return v;
}

static void
respond_merged(struct pn_req *r, int trees)
{
	struct pn_buf b = PN_BUF_INIT;
	json_object **v, *m;
	char sha[65];
	size_t n = 0, i;
	int failed;

	if ((v = parsed_reports(r, sha, &n, &failed)) == NULL || failed)
		return;
	m = trees ? pn_behavior_mitre_trees(v, NULL, n) : pn_behavior_summary(v, n);
	pn_buf_puts(&b, "{\"data\":");
	pn_buf_puts(&b, m ? json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) : "{}");
	pn_buf_puts(&b, "}");
	json_object_put(m);
	for (i = 0; i < n; i++)
		json_object_put(v[i]);
	free(v);
	pn_resp_json(r, 200, &b);
}

void api_files_behaviour_summary(struct pn_req *r) { respond_merged(r, 0); }
void api_files_behaviour_mitre_trees(struct pn_req *r) { respond_merged(r, 1); }
