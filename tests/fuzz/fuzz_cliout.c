/*
 * fuzz_cliout.c - fuzz target for the client's output of server answers
 * (cli/out.c): whatever JSON a server sends is printed in every format.
 *
 * Input layout: the first line (up to '\n', at most 200 bytes) is a
 * --fields list (empty: none); the rest is JSON text, parsed by json-c
 * from an exactly-sized heap copy.  An object (or each object of an
 * array) is printed as text (with and without colour), JSON, JSON lines
 * and CSV into memory.  Checked: JSON and JSON-lines output re-parse, to
 * an object or an array of the objects printed; a JSON line is one line;
 * CSV output is non-empty and ends in CRLF; pn_out_value_str() of every
 * attribute gives a string in both modes.  A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/cliout/.
 *
 * SPDX-License-Identifier: MIT
 */
#include "out.c"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print objs in fmt; returns the output (caller frees). */
static char *
render(enum pn_out_fmt fmt, int color, const char *fields, struct json_object **objs, size_t n,
    int many)
{
	struct pn_out o;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		PN_BUG("fuzz_cliout: open_memstream");
	pn_out_init(&o, fmt, f, color);
	if (*fields && pn_out_set_fields(&o, fields) != PN_OK)
		pn_out_release(&o);
	pn_out_begin(&o, many);
	for (i = 0; i < n; i++)
		pn_out_object(&o, objs[i]);
	pn_out_end(&o);
	pn_out_release(&o);
	fclose(f);
	return buf;
}

static void
check_json(const char *s, size_t n, int many)
{
	struct json_object *j = json_tokener_parse(s);

	if (j == NULL)
		PN_BUG("fuzz_cliout: JSON output does not parse");
	if (many && (!json_object_is_type(j, json_type_array) || json_object_array_length(j) != n))
		PN_BUG("fuzz_cliout: JSON listing is not an array of the objects");
	if (!many && !json_object_is_type(j, json_type_object))
		PN_BUG("fuzz_cliout: JSON output is not an object");
	json_object_put(j);
}

static void
check_jsonl(const char *s, size_t n)
{
	size_t lines = 0;
	const char *p = s, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		char *line = pn_xstrndup(p, (size_t)(nl - p));
		struct json_object *j = json_tokener_parse(line);
		if (j == NULL || !json_object_is_type(j, json_type_object))
			PN_BUG("fuzz_cliout: a JSON line is not an object");
		json_object_put(j);
		free(line);
		lines++;
		p = nl + 1;
	}
	if (lines != n || *p != '\0')
		PN_BUG("fuzz_cliout: not one JSON line per object");
}

static void
check_values(struct json_object *obj)
{
	struct json_object *a;

	if (!json_object_object_get_ex(obj, "attributes", &a) ||
	    !json_object_is_type(a, json_type_object))
		return;
	json_object_object_foreach(a, k, v) {
		free(pn_out_value_str(k, v, 1));
		free(pn_out_value_str(k, v, 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', PN_MIN(size, (size_t)201));
	size_t flen = nl ? (size_t)(nl - data) : 0, n = 0, i;
	char fields[202], *json, *s;
	struct json_object *j, *objs[16];
	int many;

	memcpy(fields, data, flen);
	fields[flen] = '\0';
	if (memchr(fields, '\0', flen))
		fields[0] = '\0';
	data += nl ? flen + 1 : 0;
	size -= nl ? flen + 1 : 0;
	json = pn_xmalloc(size + 1);
	memcpy(json, data, size);
	json[size] = '\0';
	j = json_tokener_parse(json);
	free(json);
	if (j == NULL)
		return 0;
	many = json_object_is_type(j, json_type_array);
	if (many) {
		for (i = 0; i < json_object_array_length(j) && n < PN_ARRAY_LEN(objs); i++) {
			struct json_object *e = json_object_array_get_idx(j, i);
			if (e && json_object_is_type(e, json_type_object))
				objs[n++] = e;
		}
	} else if (json_object_is_type(j, json_type_object)) {
		objs[n++] = j;
	}
	if (n == 0) {
		json_object_put(j);
		return 0;
	}
	for (i = 0; i < n; i++)
		check_values(objs[i]);
	free(render(PN_OUT_TEXT, 0, fields, objs, n, many));
	free(render(PN_OUT_TEXT, 1, fields, objs, n, many));
	s = render(PN_OUT_JSON, 0, fields, objs, n, many);
	check_json(s, n, many);
	free(s);
	s = render(PN_OUT_JSONL, 0, fields, objs, n, many);
	check_jsonl(s, n);
	free(s);
	s = render(PN_OUT_CSV, 0, fields, objs, n, many);
	if (strlen(s) < 2 || strcmp(s + strlen(s) - 2, "\r\n") != 0)
		PN_BUG("fuzz_cliout: CSV output does not end in CRLF");
	free(s);
	json_object_put(j);
	return 0;
}
