/*
 * fuzz_ooxml.c - fuzz target for the ZIP reader (parsers/zipread.c) and
 * the "ooxml" parser (parsers/ooxml.c, which also runs the OLE and VBA
 * code on vbaProject.bin and embedded objects).
 *
 * Input layout: the file itself, in an exactly-sized heap copy.  Inputs
 * the parser does not bid on (not a zip with [Content_Types].xml) only
 * go through the ZIP reader.
 *
 * Invariants, a violation aborts:
 *  - ZIP reader: at most PN_ZIP_MAX_ENTRIES entries, names NUL-terminated
 *    valid UTF-8; reading each of the first 64 entries with a 4 KiB cap
 *    gives PN_OK, PN_ELIMIT (exactly the cap, or less when the ratio or
 *    total budget stopped it), PN_EFORMAT, PN_EPERM or PN_EINVAL (both
 *    with no data); NULL data exactly when empty; the bytes inflated
 *    through the handle never pass PN_ZIP_MAX_TOTAL;
 *  - parser: PN_OK, PN_EFORMAT or PN_ELIMIT, PN_OK only without notes;
 *    two parses serialise identically; strict UTF-8 JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "parser.h"
#include "zipread.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define READ_CAP 4096

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
check_zip(const uint8_t *d, size_t n)
{
	struct pn_zip z;
	size_t i;

	pn_zip_open(d, n, &z);
	if (z.count > PN_ZIP_MAX_ENTRIES)
		PN_BUG("fuzz_ooxml: entry limit");
	for (i = 0; i < z.count; i++) {
		const char *nm = z.entries[i].name;
		size_t k = 0, l = strlen(nm);
		while (k < l) {
			size_t s = pn_utf8_seq((const unsigned char *)nm + k, l - k);
			if (s == 0)
				PN_BUG("fuzz_ooxml: entry name not UTF-8");
			k += s;
		}
	}
	for (i = 0; i < z.count && i < 64; i++) {
		uint8_t *buf;
		size_t len;
		int rc = pn_zip_read(&z, i, READ_CAP, &buf, &len);
		if ((buf == NULL) != (len == 0) || len > READ_CAP ||
		    ((rc == PN_EPERM || rc == PN_EINVAL) && len != 0) ||
		    (rc != PN_OK && rc != PN_ELIMIT && rc != PN_EFORMAT && rc != PN_EPERM && rc != PN_EINVAL) ||
		    z.inflated > PN_ZIP_MAX_TOTAL)
			PN_BUG("fuzz_ooxml: read result");
		free(buf);
	}
	pn_zip_close(&z);
}

static char *
run(const uint8_t *d, size_t n, int check)
{
	struct pn_parse p;
	struct pn_ident id;
	struct json_object *all;
	char *out;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&id, 0, sizeof(id));
	p.data = d;
	p.size = n;
	p.ident = &id;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	rc = pn_parser_ooxml.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("fuzz_ooxml: unexpected result");
	if (rc == PN_OK && json_object_array_length(p.notes) != 0)
		PN_BUG("fuzz_ooxml: PN_OK with notes");
	all = json_object_new_object();
	json_object_object_add(all, "a", p.attrs);
	json_object_object_add(all, "t", p.tags);
	json_object_object_add(all, "n", p.notes);
	json_object_object_add(all, "e", p.edges);
	out = pn_xstrdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN));
	json_object_put(all);
	if (check && !strict_json(out))
		PN_BUG("fuzz_ooxml: output is not strict UTF-8 JSON");
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_ident id;
	uint8_t *d = malloc(size ? size : 1);
	char *a, *b;

	memcpy(d, data, size);
	memset(&id, 0, sizeof(id));
	check_zip(d, size);
	if (pn_parser_ooxml.bid(d, size, &id) > 0) {
		a = run(d, size, 1);
		b = run(d, size, 0);
		if (strcmp(a, b) != 0)
			PN_BUG("fuzz_ooxml: two parses differ");
		free(a);
		free(b);
	}
	free(d);
	return 0;
}
