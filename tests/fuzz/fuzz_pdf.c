/*
 * fuzz_pdf.c - fuzz target for the PDF parser (parsers/pdf.c).
 *
 * Input layout: the whole input is the file.  Seeds (tests/fuzz/corpus/pdf/,
 * written by tests/fuzz/make-seeds-pdf.sh) are small documents from
 * tests/data/pdf/make-pdfs.py plus malformed fragments; tests/fuzz/pdf.dict
 * holds the keywords and names the parser looks for.
 *
 * The parser gets an exactly-sized heap copy (ASan sees a read past the
 * end).  Invariants checked, each a PN_BUG() when broken:
 *  - parse() returns PN_OK, PN_EFORMAT or PN_ELIMIT, and PN_EFORMAT without
 *    output exactly when bid() says no;
 *  - pdf_info has VT's 22 keys, "header" a string starting "%PDF-", every
 *    other one an integer >= 0, "encrypted" 0 or 1;
 *  - pdf_details lists stay within PN_PDF_MAX_JS / PN_PDF_MAX_EMBEDDED /
 *    PN_PDF_MAX_LAUNCH, snippets within 3 * PN_PDF_MAX_JS_SNIPPET bytes,
 *    bytes_decoded within PN_PDF_MAX_INFLATE_TOTAL, objects_parsed within
 *    PN_PDF_MAX_OBJECTS and not above num_obj;
 *  - notes at most PN_PDF_MAX_NOTES; edges are embedded_urls of http(s)
 *    or ftp URLs without spaces or controls, at most PN_PDF_MAX_URIS;
 *  - the serialised JSON is valid UTF-8;
 *  - a second parse of the same bytes gives the same JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "utf8.h"
#include "parser.h"
#include "pdf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const vt_keys[] = {
	"acroform", "autoaction", "embedded_file", "encrypted", "flash",
	"javascript", "jbig2_compression", "js", "num_endobj", "num_endstream",
	"num_launch_actions", "num_obj", "num_object_streams", "num_pages",
	"num_stream", "openaction", "startxref", "suspicious_colors", "trailer",
	"xfa", "xref",
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

static size_t
member_len(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_array))
		PN_BUG("missing array member");
	return json_object_array_length(v);
}

static void
check_info(struct json_object *attrs)
{
	struct json_object *info, *det, *v, *js;
	size_t i;

	if (!json_object_object_get_ex(attrs, "pdf_info", &info) ||
	    !json_object_object_get_ex(attrs, "pdf_details", &det))
		PN_BUG("no pdf_info or pdf_details");
	if (!json_object_object_get_ex(info, "header", &v) ||
	    strncmp(json_object_get_string(v), "%PDF-", 5) != 0)
		PN_BUG("bad header");
	for (i = 0; i < PN_ARRAY_LEN(vt_keys); i++)
		if (member_int(info, vt_keys[i]) < 0)
			PN_BUG("negative count");
	if (member_int(info, "encrypted") > 1)
		PN_BUG("encrypted is not 0/1");
	if (json_object_object_length(info) != PN_ARRAY_LEN(vt_keys) + 1)
		PN_BUG("pdf_info keys");
	if (member_len(det, "javascript") > PN_PDF_MAX_JS ||
	    member_len(det, "embedded_files") > PN_PDF_MAX_EMBEDDED ||
	    member_len(det, "launch") > PN_PDF_MAX_LAUNCH)
		PN_BUG("list past its limit");
	if ((uint64_t)member_int(det, "javascript_count") < member_len(det, "javascript"))
		PN_BUG("javascript_count below the list");
	if (member_int(det, "bytes_decoded") > (int64_t)PN_PDF_MAX_INFLATE_TOTAL)
		PN_BUG("decoding budget exceeded");
	if (member_int(det, "objects_parsed") > PN_PDF_MAX_OBJECTS ||
	    member_int(det, "objects_parsed") > member_int(info, "num_obj"))
		PN_BUG("objects_parsed");
	json_object_object_get_ex(det, "javascript", &js);
	for (i = 0; i < json_object_array_length(js); i++) {
		struct json_object *o = json_object_array_get_idx(js, i), *sn;
		if (!json_object_object_get_ex(o, "snippet", &sn) ||
		    strlen(json_object_get_string(sn)) > 3 * PN_PDF_MAX_JS_SNIPPET)
			PN_BUG("snippet");
		if (member_int(o, "size") < 0)
			PN_BUG("script size");
	}
}

/* u starts with the lower-case ASCII prefix p, in any case. */
static int
prefix_ci(const char *u, const char *p)
{
	for (; *p; u++, p++)
		if (*u == '\0' || (*u | 0x20) != *p)
			return 0;
	return 1;
}

static void
check_edges(struct json_object *edges)
{
	size_t i, k;

	if (json_object_array_length(edges) > PN_PDF_MAX_URIS)
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
		if (strlen(u) > PN_PDF_MAX_URI)
			PN_BUG("edge length");
		for (k = 0; u[k]; k++)
			if ((unsigned char)u[k] <= 0x20 || (unsigned char)u[k] >= 0x7f)
				PN_BUG("edge character");
	}
}

/* Parse once; returns the serialised result (caller frees). */
static char *
parse(const uint8_t *data, size_t size)
{
	struct json_object *all = json_object_new_object();
	struct pn_parse p;
	char *out;
	int rc, bid;

	memset(&p, 0, sizeof(p));
	p.data = data;
	p.size = size;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	bid = pn_parser_pdf.bid(data, size, NULL);
	rc = pn_parser_pdf.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("unexpected return code");
	if (bid > 0)
		check_info(p.attrs);
	else if (rc != PN_EFORMAT || json_object_object_length(p.attrs) != 0)
		PN_BUG("output without a header");
	if (json_object_array_length(p.notes) > PN_PDF_MAX_NOTES)
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
