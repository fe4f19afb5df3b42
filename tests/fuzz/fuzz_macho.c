/*
 * fuzz_macho.c - fuzz target for the Mach-O parser (parsers/macho.c).
 *
 * Input layout: the file itself, thin or fat.  Inputs the parser does not
 * bid on are skipped, except that those starting with 0xCAFEBABE or
 * 0xCAFEBABF must have an nfat_arch outside 1..PN_MACHO_FAT_PLAUSIBLE
 * (Java class files are not Mach-O).
 *
 * Each input is parsed twice from its own exactly-sized heap copy and the
 * two outputs must be byte-identical.  Invariants checked, a violation
 * aborts:
 *  - the result is PN_OK, PN_EFORMAT or PN_ELIMIT; PN_OK exactly when no
 *    note was added; at most PN_MACHO_MAX_NOTES notes; no edges, no tag
 *    but "64bits" and that only for a fat file;
 *  - macho_info is a list of at most PN_MACHO_MAX_ARCHS objects (exactly
 *    one for a thin file), each with either "headers" or "fat_arch";
 *    commands within PN_MACHO_MAX_CMDS;
 *  - the attributes serialise to strict JSON with valid UTF-8, smaller
 *    than four times PN_MACHO_MAX_OUTPUT.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "parser.h"
#include "macho.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static void
check_arch(struct json_object *a)
{
	struct json_object *v;

	if (!json_object_is_type(a, json_type_object))
		PN_BUG("macho: an architecture is not an object");
	if (!json_object_object_get_ex(a, "headers", NULL) &&
	    !json_object_object_get_ex(a, "fat_arch", NULL) &&
	    json_object_object_length(a) != 0)
		PN_BUG("macho: an architecture without headers or fat_arch");
	if (json_object_object_get_ex(a, "commands", &v) &&
	    json_object_array_length(v) > PN_MACHO_MAX_CMDS)
		PN_BUG("macho: commands over the limit");
}

static char *
run(const uint8_t *data, size_t size, int thin, int validate)
{
	struct pn_parse p;
	uint8_t *copy = malloc(size ? size : 1);
	struct json_object *info;
	size_t i, n;
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
	rc = pn_parser_macho.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("macho: unexpected result code");
	if ((rc == PN_OK) != (json_object_array_length(p.notes) == 0))
		PN_BUG("macho: result code and notes disagree");
	if (json_object_array_length(p.notes) > PN_MACHO_MAX_NOTES)
		PN_BUG("macho: too many notes");
	if (json_object_array_length(p.edges) != 0)
		PN_BUG("macho: edges added");
	if (json_object_array_length(p.tags) > (thin ? 0u : 1u) || (json_object_array_length(p.tags) == 1 &&
	    strcmp(json_object_get_string(json_object_array_get_idx(p.tags, 0)), "64bits") != 0))
		PN_BUG("macho: unexpected tags");
	if (!json_object_object_get_ex(p.attrs, "macho_info", &info) ||
	    !json_object_is_type(info, json_type_array))
		PN_BUG("macho: no macho_info list after a bid");
	n = json_object_array_length(info);
	if (n > PN_MACHO_MAX_ARCHS || (thin && n != 1))
		PN_BUG("macho: wrong number of architectures");
	for (i = 0; i < n; i++)
		check_arch(json_object_array_get_idx(info, i));
	json_object_object_add(p.attrs, "_notes", json_object_get(p.notes));
	out = pn_xstrdup(json_object_to_json_string_ext(p.attrs, JSON_C_TO_STRING_PLAIN));
	if (validate && !strict_json(out))
		PN_BUG("macho: output is not strict UTF-8 JSON");
	if (strlen(out) > 4 * (size_t)PN_MACHO_MAX_OUTPUT)
		PN_BUG("macho: output over the budget");
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
	char *a, *b;
	int thin;

	if (pn_parser_macho.bid(data, size, NULL) <= 0) {
		if (size >= 8 && (pn_be32(data) == 0xcafebabeu || pn_be32(data) == 0xcafebabfu) &&
		    pn_be32(data + 4) >= 1 && pn_be32(data + 4) <= PN_MACHO_FAT_PLAUSIBLE)
			PN_BUG("macho: no bid on a plausible fat header");
		return 0;
	}
	thin = pn_be32(data) != 0xcafebabeu && pn_be32(data) != 0xcafebabfu;
	a = run(data, size, thin, 1);
	b = run(data, size, thin, 0);   /* compared with a, so valid too */
	if (strcmp(a, b) != 0)
		PN_BUG("macho: two parses of one input differ");
	free(a);
	free(b);
	return 0;
}
