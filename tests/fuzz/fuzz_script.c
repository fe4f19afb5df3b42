/*
 * fuzz_script.c - fuzz target for the "script" parser (parsers/script.c).
 *
 * Input layout: byte 0 selects identification's tag (byte % 8: none,
 * "text", "powershell", "javascript", "vba", "batch", "shell", "html");
 * the rest is the file, in an exactly-sized heap copy.  When the parser
 * bids, the result must be a script_info object with a known language,
 * a confidence in [0, 1], at most 8 decoded commands of at most 4096
 * bytes, size equal to the input's, and the attributes must serialise to
 * strict JSON with valid UTF-8; every edge has rel, type and id.  A
 * violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/script/ (tests/fuzz/make-seeds-strings.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "parser.h"

#include <json-c/json.h>
#include <stdlib.h>

extern const struct pn_parser pn_parser_script;

static void
check_json(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct json_tokener *tok = json_tokener_new();
	struct json_object *back;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	back = json_tokener_parse_ex(tok, s, (int)strlen(s));
	if (back == NULL || json_tokener_get_error(tok) != json_tokener_success)
		PN_BUG("fuzz_script: attributes are not strict UTF-8 JSON");
	json_object_put(back);
	json_tokener_free(tok);
}

static void
check_info(struct json_object *attrs, struct json_object *edges, size_t size)
{
	static const char *const langs[] = {
		"shell", "python", "powershell", "javascript", "vbscript", "batch", "php",
		"html", "perl", "unknown", NULL
	};
	struct json_object *info, *v;
	size_t i;
	int known = 0;
	double c;

	if (!json_object_object_get_ex(attrs, "script_info", &info))
		PN_BUG("fuzz_script: no script_info");
	if (!json_object_object_get_ex(info, "language", &v))
		PN_BUG("fuzz_script: no language");
	for (i = 0; langs[i]; i++)
		known |= strcmp(json_object_get_string(v), langs[i]) == 0;
	if (!known)
		PN_BUG("fuzz_script: unknown language name");
	if (!json_object_object_get_ex(info, "confidence", &v) ||
	    (c = json_object_get_double(v)) < 0 || c > 1)
		PN_BUG("fuzz_script: confidence out of range");
	if (!json_object_object_get_ex(info, "size", &v) || (size_t)json_object_get_int64(v) != size)
		PN_BUG("fuzz_script: wrong size");
	if (!json_object_object_get_ex(info, "decoded_commands", &v) || json_object_array_length(v) > 8)
		PN_BUG("fuzz_script: too many decoded commands");
	for (i = 0; i < json_object_array_length(v); i++)
		if (strlen(json_object_get_string(json_object_array_get_idx(v, i))) > 4096)
			PN_BUG("fuzz_script: decoded command too long");
	for (i = 0; i < json_object_array_length(edges); i++) {
		struct json_object *e = json_object_array_get_idx(edges, i), *x;
		if (!json_object_object_get_ex(e, "rel", &x) || !json_object_object_get_ex(e, "type", &x) ||
		    !json_object_object_get_ex(e, "id", &x))
			PN_BUG("fuzz_script: incomplete edge");
	}
	check_json(attrs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[8] = {
		NULL, "text", "powershell", "javascript", "vba", "batch", "shell", "html"
	};
	static const struct pn_details_opts opts;
	struct pn_ident id;
	struct pn_parse p;
	uint8_t *d;
	size_t n;
	int rc;

	if (size < 1)
		return 0;
	n = size - 1;
	d = pn_xmalloc(n ? n : 1);
	memcpy(d, data + 1, n);
	memset(&id, 0, sizeof(id));
	id.tag = tags[data[0] % 8];
	if (pn_parser_script.bid(d, n, &id) > 0) {
		memset(&p, 0, sizeof(p));
		p.data = d;
		p.size = n;
		p.ident = &id;
		p.opts = &opts;
		p.attrs = json_object_new_object();
		p.tags = json_object_new_array();
		p.notes = json_object_new_array();
		p.edges = json_object_new_array();
		rc = pn_parser_script.parse(&p);
		if (rc != PN_OK && rc != PN_ELIMIT)
			PN_BUG("fuzz_script: unexpected result");
		check_info(p.attrs, p.edges, n);
		json_object_put(p.attrs);
		json_object_put(p.tags);
		json_object_put(p.notes);
		json_object_put(p.edges);
	}
	free(d);
	return 0;
}
