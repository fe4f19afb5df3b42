/*
 * fuzz_rtf.c - fuzz target for the RTF parser (parsers/rtf.c).
 *
 * Input layout: the whole input is the file.  Seeds (tests/fuzz/corpus/rtf/,
 * written by tests/fuzz/make-seeds-rtf.sh) are small documents with
 * objects, fields, properties and broken structure; tests/fuzz/rtf.dict
 * holds control words.
 *
 * The parser gets an exactly-sized heap copy.  Invariants, each a PN_BUG()
 * when broken:
 *  - parse() returns PN_OK, PN_EFORMAT or PN_ELIMIT; rtf_info is there
 *    whenever the input is not empty;
 *  - counts are >= 0; max_depth <= num_groups; unclosed_groups <=
 *    max_depth; the objects list stays within PN_RTF_MAX_OBJECTS and
 *    below num_objects, each data_size >= 0;
 *  - notes at most PN_RTF_MAX_NOTES; edges are embedded_urls of http(s)
 *    or ftp URLs without spaces or controls, at most PN_RTF_MAX_URLS;
 *  - the serialised JSON is valid UTF-8;
 *  - a second parse gives the same JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "utf8.h"
#include "parser.h"
#include "rtf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const counts[] = {
	"num_groups", "max_depth", "num_control_words", "num_objects",
	"num_objupdate", "num_objautlink", "num_pictures", "num_bin",
	"num_fields", "num_hyperlinks", "num_dde", "num_urls",
	"unclosed_groups", "extra_closing_braces", "long_control_words",
	"long_parameters", "trailing_bytes",
};

static void
check_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n > 0) {
		if ((k = pn_utf8_seq(p, n)) == 0)
			PN_BUG("invalid UTF-8 in the output");
		p += k;
		n -= k;
	}
}

static int64_t
member_int(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		PN_BUG("missing integer member");
	return json_object_get_int64(v);
}

static int
prefix_ci(const char *u, const char *p)
{
	for (; *p; u++, p++)
		if (*u == '\0' || (*u | 0x20) != *p)
			return 0;
	return 1;
}

static void
check_info(struct json_object *attrs)
{
	struct json_object *info, *objs;
	size_t i;

	if (!json_object_object_get_ex(attrs, "rtf_info", &info))
		PN_BUG("no rtf_info");
	for (i = 0; i < PN_ARRAY_LEN(counts); i++)
		if (member_int(info, counts[i]) < 0)
			PN_BUG("negative count");
	if (member_int(info, "max_depth") > member_int(info, "num_groups") ||
	    member_int(info, "unclosed_groups") > member_int(info, "max_depth"))
		PN_BUG("depth counts");
	if (!json_object_object_get_ex(info, "objects", &objs) ||
	    json_object_array_length(objs) > PN_RTF_MAX_OBJECTS ||
	    (int64_t)json_object_array_length(objs) > member_int(info, "num_objects"))
		PN_BUG("objects list");
	for (i = 0; i < json_object_array_length(objs); i++)
		if (member_int(json_object_array_get_idx(objs, i), "data_size") < 0)
			PN_BUG("data_size");
}

static void
check_edges(struct json_object *edges)
{
	size_t i, k;

	if (json_object_array_length(edges) > PN_RTF_MAX_URLS)
		PN_BUG("too many edges");
	for (i = 0; i < json_object_array_length(edges); i++) {
		struct json_object *e = json_object_array_get_idx(edges, i), *v;
		const char *u;
		if (!json_object_object_get_ex(e, "rel", &v) ||
		    strcmp(json_object_get_string(v), "embedded_urls") != 0)
			PN_BUG("edge rel");
		if (!json_object_object_get_ex(e, "id", &v))
			PN_BUG("edge id");
		u = json_object_get_string(v);
		if (!prefix_ci(u, "http://") && !prefix_ci(u, "https://") && !prefix_ci(u, "ftp://"))
			PN_BUG("edge scheme");
		if (strlen(u) > PN_RTF_MAX_URL)
			PN_BUG("edge length");
		for (k = 0; u[k]; k++)
			if ((unsigned char)u[k] <= 0x20 || (unsigned char)u[k] >= 0x7f)
				PN_BUG("edge character");
	}
}

static char *
parse(const uint8_t *data, size_t size)
{
	struct json_object *all = json_object_new_object();
	struct pn_parse p;
	char *out;
	int rc;

	memset(&p, 0, sizeof(p));
	p.data = data;
	p.size = size;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	(void)pn_parser_rtf.bid(data, size, NULL);
	rc = pn_parser_rtf.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("unexpected return code");
	if (size > 0)
		check_info(p.attrs);
	if (json_object_array_length(p.notes) > PN_RTF_MAX_NOTES)
		PN_BUG("too many notes");
	check_edges(p.edges);
	json_object_object_add(all, "attrs", p.attrs);
	json_object_object_add(all, "tags", p.tags);
	json_object_object_add(all, "notes", p.notes);
	json_object_object_add(all, "edges", p.edges);
	json_object_object_add(all, "rc", json_object_new_int(rc));
	out = pn_xstrdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN));
	check_utf8(out);
	json_object_put(all);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = pn_xmalloc(size ? size : 1);
	char *a, *b;

	memcpy(copy, data, size);
	a = parse(copy, size);
	b = parse(copy, size);
	if (strcmp(a, b) != 0)
		PN_BUG("two parses differ");
	free(a);
	free(b);
	free(copy);
	return 0;
}
