/*
 * fuzz_elf.c - fuzz target for the ELF parser (parsers/elf.c).
 *
 * Input layout: the file itself.  Inputs the parser does not bid on
 * (no "\x7fELF") are parsed anyway with the magic written over their
 * first four bytes, so no mutation is wasted on the magic.
 *
 * Each input is parsed twice from its own exactly-sized heap copy, and
 * the two outputs must be byte-identical (no hidden state, no reads of
 * uninitialised memory).  Invariants checked, a violation aborts:
 *  - the result is PN_OK, PN_EFORMAT or PN_ELIMIT; PN_OK exactly when no
 *    note was added; at most PN_ELF_MAX_NOTES notes; no tags;
 *  - elf_info is absent only when the result is PN_EFORMAT, and when
 *    present is an object with a header and lists within their limits;
 *  - the attributes serialise to strict JSON with valid UTF-8, smaller
 *    than four times PN_ELF_MAX_OUTPUT.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "parser.h"
#include "pn_elf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
list_len(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return 0;
	return json_object_array_length(v);
}

static int
strict_json(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(s);
	int good;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	good = o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len;
	json_object_put(o);
	json_tokener_free(tok);
	return good;
}

/* Parse data and return the serialised attributes + notes (caller frees). */
static char *
run(const uint8_t *data, size_t size, int validate)
{
	struct pn_parse p;
	uint8_t *copy = malloc(size ? size : 1);
	struct json_object *info;
	char *out;
	int rc;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	memset(&p, 0, sizeof(p));
	p.data = copy;
	p.size = size;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	rc = pn_parser_elf.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("elf: unexpected result code");
	if ((rc == PN_OK) != (json_object_array_length(p.notes) == 0))
		PN_BUG("elf: result code and notes disagree");
	if (json_object_array_length(p.notes) > PN_ELF_MAX_NOTES)
		PN_BUG("elf: too many notes");
	if (json_object_array_length(p.tags) != 0 || json_object_array_length(p.edges) != 0)
		PN_BUG("elf: tags or edges added");
	if (!json_object_object_get_ex(p.attrs, "elf_info", &info)) {
		if (rc != PN_EFORMAT)
			PN_BUG("elf: no elf_info without PN_EFORMAT");
	} else {
		if (!json_object_is_type(info, json_type_object) ||
		    !json_object_object_get_ex(info, "header", NULL))
			PN_BUG("elf: elf_info without a header");
		if (list_len(info, "section_list") > PN_ELF_MAX_SECTIONS ||
		    list_len(info, "segment_list") > PN_ELF_MAX_SEGMENTS ||
		    list_len(info, "import_list") > PN_ELF_MAX_LISTED ||
		    list_len(info, "export_list") > PN_ELF_MAX_LISTED ||
		    list_len(info, "shared_libraries") > PN_ELF_MAX_NEEDED)
			PN_BUG("elf: a list over its limit");
	}
	json_object_object_add(p.attrs, "_notes", json_object_get(p.notes));
	out = pn_xstrdup(json_object_to_json_string_ext(p.attrs, JSON_C_TO_STRING_PLAIN));
	if (validate && !strict_json(out))
		PN_BUG("elf: output is not strict UTF-8 JSON");
	if (strlen(out) > 4 * (size_t)PN_ELF_MAX_OUTPUT)
		PN_BUG("elf: output over the budget");
	json_object_put(p.attrs);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
	free(copy);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *forced = NULL;
	char *a, *b;

	if (pn_parser_elf.bid(data, size, NULL) <= 0) {
		if (size < 4)
			return 0;
		forced = malloc(size);
		if (forced == NULL)
			abort();
		memcpy(forced, data, size);
		memcpy(forced, "\177ELF", 4);
		data = forced;
		if (pn_parser_elf.bid(data, size, NULL) <= 0)
			PN_BUG("elf: no bid on \\x7fELF");
	}
	a = run(data, size, 1);
	b = run(data, size, 0);   /* compared with a, so valid too */
	if (strcmp(a, b) != 0)
		PN_BUG("elf: two parses of one input differ");
	free(a);
	free(b);
	free(forced);
	return 0;
}
