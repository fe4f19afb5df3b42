/*
 * parsers.c - the parser registry and the loop that runs them (see
 * parser.h).  Adding a parser is one line in pn_parsers[].
 *
 * SPDX-License-Identifier: MIT
 */
#include "parser.h"
#include "pn_limits.h"
#include "utf8.h"

#include <json-c/json.h>
#include <math.h>

const struct pn_parser *const pn_parsers[] = {
	&pn_parser_archive,
	&pn_parser_pe,
	&pn_parser_pdf,
	&pn_parser_rtf,
	&pn_parser_elf,
	&pn_parser_macho,
	&pn_parser_ole,
	&pn_parser_ooxml,
	&pn_parser_strings,
	&pn_parser_script,
	NULL
};

void
pn_parse_tag(struct pn_parse *p, const char *tag)
{
	size_t i, n = json_object_array_length(p->tags);

	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(p->tags, i)), tag) == 0)
			return;
	json_object_array_add(p->tags, json_object_new_string(tag));
}

void
pn_parse_edge(struct pn_parse *p, const char *rel, const char *type, const char *id)
{
	struct json_object *e;
	size_t i, n = json_object_array_length(p->edges);

	if (n >= PN_PARSE_MAX_EDGES)
		return;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(p->edges, i), *v;
		if (json_object_object_get_ex(o, "id", &v) && strcmp(json_object_get_string(v), id) == 0 &&
		    json_object_object_get_ex(o, "rel", &v) && strcmp(json_object_get_string(v), rel) == 0)
			return;
	}
	e = json_object_new_object();
	json_object_object_add(e, "rel", json_object_new_string(rel));
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "id", json_object_new_string(id));
	json_object_array_add(p->edges, e);
}

void
pn_parse_child(struct pn_parse *p, const char *rel, const char *name, const char *path)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "rel", json_object_new_string(rel));
	json_object_object_add(c, "name", json_object_new_string(name ? name : ""));
	json_object_object_add(c, "path", json_object_new_string(path));
	json_object_array_add(p->children, c);
}

void
pn_parse_note(struct pn_parse *p, const char *fmt, ...)
{
	char msg[512], *clean;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Notes quote input and may be cut mid-character: keep them valid UTF-8. */
	clean = pn_utf8_clean(msg, strlen(msg));
	json_object_array_add(p->notes, json_object_new_string(clean));
	free(clean);
}

double
pn_entropy(const uint8_t *data, size_t size)
{
	size_t counts[256] = { 0 }, i;
	double h = 0;

	if (size == 0)
		return 0;
	for (i = 0; i < size; i++)
		counts[data[i]]++;
	for (i = 0; i < 256; i++) {
		if (counts[i]) {
			double q = (double)counts[i] / (double)size;
			h -= q * log2(q);
		}
	}
	return h;
}

/* Append the members of array src to array dst (deduplicating strings). */
static void
merge_array(struct json_object *attrs, const char *key, struct json_object *src, int dedupe)
{
	struct json_object *dst;
	size_t i, j, n;

	if (json_object_array_length(src) == 0)
		return;
	if (!json_object_object_get_ex(attrs, key, &dst) || !json_object_is_type(dst, json_type_array)) {
		dst = json_object_new_array();
		json_object_object_add(attrs, key, dst);
	}
	n = json_object_array_length(src);
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(src, i);
		int dup = 0;
		if (dedupe) {
			size_t m = json_object_array_length(dst);
			for (j = 0; j < m && !dup; j++)
				dup = strcmp(json_object_get_string(json_object_array_get_idx(dst, j)),
				    json_object_get_string(v)) == 0;
		}
		if (!dup)
			json_object_array_add(dst, json_object_get(v));
	}
}

void
pn_parsers_run(const uint8_t *data, size_t size, const struct pn_ident *ident,
    const char *name, const struct pn_details_opts *opts, struct json_object *attrs)
{
	/* No directory: containers are listed, nothing is written. */
	static const struct pn_details_opts none = { NULL, 0, 0, NULL, 1000, 0, 0, 0 };
	size_t i;

	for (i = 0; pn_parsers[i]; i++) {
		const struct pn_parser *ps = pn_parsers[i];
		struct pn_parse p;
		int rc;

		if (ps->bid(data, size, ident) <= 0)
			continue;
		memset(&p, 0, sizeof(p));
		p.data = data;
		p.size = size;
		p.ident = ident;
		p.name = name;
		p.attrs = attrs;
		p.tags = json_object_new_array();
		p.notes = json_object_new_array();
		p.edges = json_object_new_array();
		p.children = json_object_new_array();
		p.opts = opts ? opts : &none;
		rc = ps->parse(&p);
		if (rc != PN_OK && json_object_array_length(p.notes) == 0)
			pn_parse_note(&p, "%s: %s", ps->name, pn_strerror(rc));
		merge_array(attrs, "tags", p.tags, 1);
		merge_array(attrs, "analysis_notes", p.notes, 0);
		merge_array(attrs, PN_DETAILS_EDGES_KEY, p.edges, 0);
		merge_array(attrs, PN_DETAILS_CHILDREN_KEY, p.children, 0);
		json_object_put(p.tags);
		json_object_put(p.notes);
		json_object_put(p.edges);
		json_object_put(p.children);
	}
}
