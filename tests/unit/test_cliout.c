/*
 * test_cliout.c - unit tests of cli/out.c, the output of the client
 * commands: format names, --fields parsing, attribute lookup, value text
 * (dates, lists), CSV quoting, stats, and the four formats end to end on a
 * memory stream.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "out.c"

#include <stdlib.h>

static const char file_obj[] =
    "{\"type\":\"file\",\"id\":\"abc\",\"links\":{\"self\":\"x\"},\"attributes\":{"
    "\"size\":68,\"meaningful_name\":\"e,\\\"q\\\".com\",\"type_tag\":\"text\","
    "\"names\":[\"a\",\"b\"],\"last_analysis_date\":1700000000,"
    "\"last_analysis_stats\":{\"harmless\":0,\"malicious\":2,\"suspicious\":1,"
    "\"undetected\":7,\"timeout\":0,\"confirmed-timeout\":0,\"failure\":0,"
    "\"type-unsupported\":0},"
    "\"last_analysis_results\":{\"ClamAV\":{\"category\":\"malicious\",\"result\":\"Eicar-Sig\"},"
    "\"YARA\":{\"category\":\"malicious\",\"result\":\"EICAR_Rule\"},"
    "\"Heur\":{\"category\":\"suspicious\",\"result\":null},"
    "\"Other\":{\"category\":\"undetected\",\"result\":null}}}}";

/* Run fn over objs (JSON texts) in a format; returns the output (caller frees). */
static char *
render(enum pn_out_fmt fmt, int color, const char *fields, int many, const char **objs, size_t n)
{
	struct pn_out o;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	pn_out_init(&o, fmt, f, color);
	if (fields)
		pn_out_set_fields(&o, fields);
	pn_out_begin(&o, many);
	for (i = 0; i < n; i++) {
		struct json_object *j = json_tokener_parse(objs[i]);
		pn_out_object(&o, j);
		json_object_put(j);
	}
	pn_out_end(&o);
	pn_out_release(&o);
	fclose(f);
	return buf;
}

static void
test_parse(void)
{
	struct pn_out o;
	enum pn_out_fmt fmt = PN_OUT_TEXT;

	ok(pn_out_parse_fmt("csv", &fmt) == PN_OK && fmt == PN_OUT_CSV, "csv parses");
	ok(pn_out_parse_fmt("jsonl", &fmt) == PN_OK && fmt == PN_OUT_JSONL, "jsonl parses");
	ok(pn_out_parse_fmt("yaml", &fmt) == PN_EINVAL, "yaml is refused");
	pn_out_init(&o, PN_OUT_JSON, stdout, 1);
	is_int(o.color, 0, "colour only in text output");
	is_int(pn_out_set_fields(&o, "a,b.c"), PN_OK, "two fields");
	is_int(o.nfields, 2, "count");
	is_str(o.fields[1], "b.c", "dotted name kept");
	pn_out_release(&o);
	is_int(pn_out_set_fields(&o, ""), PN_EINVAL, "empty list refused");
	pn_out_release(&o);
	is_int(pn_out_set_fields(&o, "a,,b"), PN_EINVAL, "empty name refused");
	pn_out_release(&o);
	is_int(pn_out_set_fields(&o, "a,"), PN_EINVAL, "trailing comma refused");
	pn_out_release(&o);
}

static void
test_values(void)
{
	struct json_object *j = json_tokener_parse(file_obj), *v;
	char *s;
	int64_t mal, total;

	v = pn_out_lookup(j, "last_analysis_stats.malicious");
	ok(v && json_object_get_int(v) == 2, "nested attribute");
	v = pn_out_lookup(j, "id");
	ok(v && strcmp(json_object_get_string(v), "abc") == 0, "top-level member");
	ok(pn_out_lookup(j, "links.self") != NULL, "top-level nested");
	ok(pn_out_lookup(j, "nope.x") == NULL, "missing path");
	ok(pn_out_lookup(j, "size.x") == NULL, "path through a scalar");
	s = pn_out_value_str("last_analysis_date", pn_out_lookup(j, "last_analysis_date"), 1);
	is_str(s, "2023-11-14 22:13:20 UTC", "date as UTC text");
	free(s);
	s = pn_out_value_str("last_analysis_date", pn_out_lookup(j, "last_analysis_date"), 0);
	is_str(s, "1700000000", "date raw for csv");
	free(s);
	s = pn_out_value_str("names", pn_out_lookup(j, "names"), 1);
	is_str(s, "a, b", "string list joined for humans");
	free(s);
	s = pn_out_value_str("names", pn_out_lookup(j, "names"), 0);
	is_str(s, "[\"a\",\"b\"]", "list as JSON for csv");
	free(s);
	s = pn_out_value_str("x", NULL, 1);
	is_str(s, "", "missing value is empty");
	free(s);
	ok(pn_out_stats(j, &mal, &total) == PN_OK && mal == 2 && total == 10, "stats 2/10");
	json_object_put(j);
	j = json_tokener_parse("{\"type\":\"analysis\",\"id\":\"q\",\"attributes\":{\"stats\":"
	    "{\"malicious\":1,\"undetected\":3}}}");
	ok(pn_out_stats(j, &mal, &total) == PN_OK && mal == 1 && total == 4, "analysis stats");
	json_object_put(j);
	j = json_tokener_parse("{\"type\":\"comment\",\"id\":\"c\",\"attributes\":{}}");
	is_int(pn_out_stats(j, &mal, &total), PN_ENOTFOUND, "no stats");
	json_object_put(j);
}

static void
test_csv_field(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" }, { "a,b", "\"a,b\"" }, { "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" }, { " lead", "\" lead\"" }, { "", "" },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		pn_out_csv_field(f, cases[i].in);
		fclose(f);
		is_str(buf, cases[i].out, "csv field %zu", i);
		free(buf);
	}
}

static void
test_formats(void)
{
	const char *objs[] = { file_obj, "{\"type\":\"comment\",\"id\":\"f-abc-1\",\"attributes\":"
	    "{\"date\":0,\"text\":\"hi #x\"}}" };
	struct json_object *j;
	char *s;

	s = render(PN_OUT_JSON, 0, NULL, 0, objs, 1);
	j = json_tokener_parse(s);
	ok(j && json_object_is_type(j, json_type_object), "json single: an object");
	ok(j && pn_out_lookup(j, "last_analysis_results.ClamAV.result") != NULL, "whole object");
	json_object_put(j);
	free(s);

	s = render(PN_OUT_JSON, 0, NULL, 1, objs, 2);
	j = json_tokener_parse(s);
	ok(j && json_object_is_type(j, json_type_array) && json_object_array_length(j) == 2,
	    "json many: an array of 2");
	json_object_put(j);
	free(s);

	s = render(PN_OUT_JSON, 0, NULL, 1, objs, 0);
	is_str(s, "[]\n", "json many, nothing: []");
	free(s);

	s = render(PN_OUT_JSONL, 0, "size,last_analysis_stats.malicious", 1, objs, 1);
	is_str(s, "{\"type\":\"file\",\"id\":\"abc\",\"size\":68,"
	    "\"last_analysis_stats.malicious\":2}\n", "jsonl with fields");
	free(s);

	s = render(PN_OUT_CSV, 0, NULL, 1, objs, 1);
	is_str(s, "id,meaningful_name,type_tag,size,last_analysis_stats.malicious,"
	    "last_analysis_stats.suspicious,last_analysis_stats.undetected\r\n"
	    "abc,\"e,\"\"q\"\".com\",text,68,2,1,7\r\n", "csv default file columns, quoting");
	free(s);

	s = render(PN_OUT_CSV, 0, "id,names,nope", 1, objs, 1);
	is_str(s, "id,names,nope\r\nabc,\"[\"\"a\"\",\"\"b\"\"]\",\r\n", "csv with fields");
	free(s);

	s = render(PN_OUT_TEXT, 0, NULL, 1, objs, 2);
	ok(strstr(s, "file abc\n") != NULL, "text header");
	ok(strstr(s, "2/10 malicious, 1 suspicious") != NULL, "ratio");
	ok(strstr(s, "ClamAV") && strstr(s, "Eicar-Sig") && strstr(s, "EICAR_Rule"), "labels");
	ok(strstr(s, "Other") == NULL, "undetected engines not listed");
	ok(strstr(s, "2023-11-14 22:13:20 UTC") != NULL, "dates readable");
	ok(strstr(s, "comment f-abc-1") && strstr(s, "hi #x"), "comment text");
	ok(strchr(s, '\033') == NULL, "no colour unless asked");
	free(s);

	s = render(PN_OUT_TEXT, 1, NULL, 0, objs, 1);
	ok(strstr(s, C_RED "2/10 malicious") != NULL, "detections in red with colour");
	free(s);

	s = render(PN_OUT_TEXT, 0, NULL, 1, objs, 0);
	is_str(s, "(none)\n", "empty listing in text");
	free(s);
}

int
main(void)
{
	test_parse();
	test_values();
	test_csv_field();
	test_formats();
	return done_testing();
}
