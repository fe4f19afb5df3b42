/*
 * fuzz_ole.c - fuzz target for the OLE2 compound file reader and the
 * "ole" parser (parsers/ole.c, with the VBA extraction of parsers/vba.c).
 *
 * Input layout: the file itself.  An input that does not start with the
 * compound file signature gets it written over its first 8 bytes, so no
 * mutation is wasted on the magic.
 *
 * Each input is handed over in an exactly-sized heap copy.  Invariants
 * checked, a violation aborts:
 *  - reader: every reachable entry has an id below the entry count, its
 *    parent is a storage (or entry 0, walked as the root whatever its
 *    type) one level up, at most
 *    PN_OLE_MAX_DEPTH deep, its path fits PN_OLE_MAX_PATH; reading each
 *    stream with a 4 KiB cap returns PN_OK with exactly its size,
 *    PN_ELIMIT with exactly the cap, or PN_EFORMAT with less; a NULL
 *    buffer exactly when the length is 0; at most PN_OLE_MAX_NOTES notes;
 *  - parser: the result is PN_OK, PN_EFORMAT or PN_ELIMIT, PN_OK only
 *    without notes; two parses of the same bytes serialise identically
 *    (no hidden state); the output is strict JSON with valid UTF-8;
 *    num_macros equals the number of macro objects.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "parser.h"
#include "ole.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define READ_CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

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
check_reader(const uint8_t *d, size_t n)
{
	struct pn_ole *ole;
	char path[PN_OLE_MAX_PATH];
	uint32_t i;

	if (pn_ole_open(d, n, &ole) != PN_OK)
		return;
	for (i = 0; i < pn_ole_reachable(ole); i++) {
		uint32_t id = pn_ole_order(ole, i);
		const struct pn_ole_entry *e = pn_ole_entry(ole, id), *pe;
		uint8_t *buf;
		size_t len;
		int rc;
		if (e == NULL)
			PN_BUG("fuzz_ole: reachable id out of range");
		/* Entry 0 is walked as the root whatever its type says. */
		if (i > 0) {
			pe = pn_ole_entry(ole, e->parent);
			if (pe == NULL || (e->parent != 0 && pe->type != PN_OLE_STORAGE && pe->type != PN_OLE_ROOT) ||
			    e->depth != pe->depth + 1 || e->depth > PN_OLE_MAX_DEPTH)
				PN_BUG("fuzz_ole: bad parent");
		}
		pn_ole_path(ole, id, path, sizeof(path));
		if (strlen(path) >= PN_OLE_MAX_PATH)
			PN_BUG("fuzz_ole: path too long");
		if (e->type != PN_OLE_STREAM)
			continue;
		rc = pn_ole_read(ole, id, READ_CAP, &buf, &len);
		if ((buf == NULL) != (len == 0) ||
		    (rc == PN_OK && len != e->size) ||
		    (rc == PN_ELIMIT && len != READ_CAP) ||
		    (rc == PN_EFORMAT && len >= PN_MIN(e->size, (uint64_t)READ_CAP) && len != 0) ||
		    (rc != PN_OK && rc != PN_ELIMIT && rc != PN_EFORMAT))
			PN_BUG("fuzz_ole: read result");
		free(buf);
	}
	if (pn_ole_notes(ole) > PN_OLE_MAX_NOTES)
		PN_BUG("fuzz_ole: too many notes");
	pn_ole_free(ole);
}

/* Parse and return the serialised attributes, tags, notes and edges (caller frees). */
static char *
run(const uint8_t *d, size_t n, int check)
{
	struct pn_parse p;
	struct pn_ident id;
	struct json_object *all, *macros, *num;
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
	if (pn_parser_ole.bid(d, n, &id) <= 0)
		PN_BUG("fuzz_ole: no bid on a signed input");
	rc = pn_parser_ole.parse(&p);
	if (rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT)
		PN_BUG("fuzz_ole: unexpected result");
	if (rc == PN_OK && json_object_array_length(p.notes) != 0)
		PN_BUG("fuzz_ole: PN_OK with notes");
	if (json_object_object_get_ex(p.attrs, "office_info", &all) &&
	    json_object_object_get_ex(all, "ole", &all) &&
	    json_object_object_get_ex(all, "macros", &macros) &&
	    json_object_object_get_ex(all, "num_macros", &num) &&
	    (size_t)json_object_get_int(num) != json_object_array_length(macros))
		PN_BUG("fuzz_ole: num_macros");
	all = json_object_new_object();
	json_object_object_add(all, "a", p.attrs);
	json_object_object_add(all, "t", p.tags);
	json_object_object_add(all, "n", p.notes);
	json_object_object_add(all, "e", p.edges);
	out = pn_xstrdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN));
	json_object_put(all);
	if (check && !strict_json(out))
		PN_BUG("fuzz_ole: output is not strict UTF-8 JSON");
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *d;
	char *a, *b;

	if (size < 512)
		return 0;
	d = malloc(size);
	memcpy(d, data, size);
	memcpy(d, magic, sizeof(magic));
	check_reader(d, size);
	a = run(d, size, 1);
	b = run(d, size, 0);
	if (strcmp(a, b) != 0)
		PN_BUG("fuzz_ole: two parses differ");
	free(a);
	free(b);
	free(d);
	return 0;
}
