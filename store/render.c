/*
 * render.c - the file object's `attributes`, rendered once per change.
 *
 * Order follows what an analyst reads first; details computed by the worker
 * (type, fuzzy hashes, format blocks) are merged in as they are, so new
 * analysers add attributes without touching this file.  Attributes that
 * Panoptes cannot compute are omitted, never null (VT-API.md §5).
 *
 * SPDX-License-Identifier: MIT
 */
#include "render.h"

#include <json-c/json.h>

const char *
pn_render_empty_file_stats(void)
{
	return "{\"harmless\":0,\"type-unsupported\":0,\"suspicious\":0,"
	       "\"confirmed-timeout\":0,\"timeout\":0,\"failure\":0,"
	       "\"malicious\":0,\"undetected\":0}";
}

const char *
pn_render_empty_obj_stats(void)
{
	return "{\"harmless\":0,\"malicious\":0,\"suspicious\":0,\"undetected\":0,\"timeout\":0}";
}

static json_object *
parse_or(const char *text, json_type want)
{
	json_object *o;

	if (text == NULL)
		return NULL;
	o = json_tokener_parse(text);
	if (o != NULL && !json_object_is_type(o, want)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* meaningful_name: the first submitted name, VirusTotal-style. */
static void
add_names(json_object *a, const char *names_text)
{
	json_object *names = parse_or(names_text, json_type_array);

	if (names == NULL)
		names = json_object_new_array();
	if (json_object_array_length(names) > 0)
		json_object_object_add(a, "meaningful_name",
		    json_object_get(json_object_array_get_idx(names, 0)));
	json_object_object_add(a, "names", names);
}

char *
pn_render_view(const char *names_json, int64_t first, int64_t last, int64_t times,
    int64_t unique_sources)
{
	json_object *a = json_object_new_object();
	const char *text;
	size_t n;
	char *out;

	if (names_json)
		add_names(a, names_json);
	if (first)
		json_object_object_add(a, "first_submission_date", json_object_new_int64(first));
	if (last)
		json_object_object_add(a, "last_submission_date", json_object_new_int64(last));
	json_object_object_add(a, "times_submitted", json_object_new_int64(times));
	if (unique_sources >= 0)
		json_object_object_add(a, "unique_sources", json_object_new_int64(unique_sources));
	text = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	n = strlen(text);
	/* Strip the braces: the fragment is spliced into the shared document. */
	out = pn_xstrndup(text + 1, n >= 2 ? n - 2 : 0);
	json_object_put(a);
	return out;
}

char *
pn_render_splice(const char *doc, size_t doclen, const char *view, size_t *len)
{
	size_t vl = view ? strlen(view) : 0;
	char *out;

	if (doclen < 2 || doc[doclen - 1] != '}' || vl == 0) {
		if (len)
			*len = doclen;
		return pn_xstrndup(doc, doclen);
	}
	out = pn_xmalloc(doclen + vl + 2);
	memcpy(out, doc, doclen - 1);
	/* "{}" takes no comma. */
	if (doclen == 2) {
		memcpy(out + 1, view, vl);
		memcpy(out + 1 + vl, "}", 2);
		if (len)
			*len = vl + 2;
		return out;
	}
	out[doclen - 1] = ',';
	memcpy(out + doclen, view, vl);
	memcpy(out + doclen + vl, "}", 2);
	if (len)
		*len = doclen + vl + 1;
	return out;
}

/* The worker's details merged in, except tags (returned, owned) which go last. */
static json_object *
merge_details(json_object *a, const char *details_text)
{
	json_object *details = parse_or(details_text, json_type_object), *tags = NULL;

	if (details) {
		json_object_object_foreach(details, k, v) {
			if (strcmp(k, "tags") == 0) {
				tags = json_object_get(v);
				continue;
			}
			json_object_object_add(a, k, json_object_get(v));
		}
	}
	json_object_put(details);
	return tags;
}

/* What every object has: the last analysis, the community, tags. */
static void
add_common(json_object *a, int64_t date, const char *results_text, const char *stats_text,
    const char *empty_stats, int64_t reputation, int64_t harmless, int64_t malicious,
    json_object *tags)
{
	json_object *results = parse_or(results_text, json_type_object);
	json_object *stats = parse_or(stats_text, json_type_object);
	json_object *votes = json_object_new_object();

	if (date) {
		json_object_object_add(a, "last_analysis_date", json_object_new_int64(date));
		json_object_object_add(a, "last_modification_date", json_object_new_int64(date));
	}
	json_object_object_add(a, "last_analysis_results",
	    results ? results : json_object_new_object());
	json_object_object_add(a, "last_analysis_stats",
	    stats ? stats : json_tokener_parse(empty_stats));
	json_object_object_add(a, "reputation", json_object_new_int64(reputation));
	json_object_object_add(votes, "harmless", json_object_new_int64(harmless));
	json_object_object_add(votes, "malicious", json_object_new_int64(malicious));
	json_object_object_add(a, "total_votes", votes);
	json_object_object_add(a, "tags", tags ? tags : json_object_new_array());
}

static char *
finish(json_object *a)
{
	char *out = pn_xstrdup(json_object_to_json_string_ext(a,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(a);
	return out;
}

char *
pn_render_file(const struct pn_file_row *r)
{
	json_object *a = json_object_new_object(), *tags, *sv;

	json_object_object_add(a, "sha256", json_object_new_string(r->sha256));
	json_object_object_add(a, "sha1", json_object_new_string(r->sha1));
	json_object_object_add(a, "md5", json_object_new_string(r->md5));
	json_object_object_add(a, "size", json_object_new_int64((int64_t)r->size));
	tags = merge_details(a, r->details);
	add_common(a, r->last_analysis_date, r->last_analysis_results, r->last_analysis_stats,
	    pn_render_empty_file_stats(), r->reputation, r->votes_harmless, r->votes_malicious,
	    tags);
	if ((sv = parse_or(r->sandbox_verdicts, json_type_object)) != NULL)
		json_object_object_add(a, "sandbox_verdicts", sv);
	return finish(a);
}

char *
pn_render_object(const struct pn_obj_row *r)
{
	json_object *a = json_object_new_object(), *tags;

	tags = merge_details(a, r->details);
	add_common(a, r->last_analysis_date, r->last_analysis_results, r->last_analysis_stats,
	    pn_render_empty_obj_stats(), r->reputation, r->votes_harmless, r->votes_malicious,
	    tags);
	return finish(a);
}
