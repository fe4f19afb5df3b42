/*
 * fuzz_strings.c - fuzz target for the string extractor and the
 * "strings" parser (parsers/strings.c).
 *
 * Input layout: byte 0 is the minimum string length for the extractor
 * pass (byte % 16 + 1); the rest is the file, in an exactly-sized heap
 * copy.  Checked: every string the extractor delivers is at least that
 * long, made of printable characters, and is found at its offset in the
 * file (ASCII bytes, or UTF-16LE units c,0); counts add up; then the
 * parser adds a strings_info object whose counts respect
 * PN_STRINGS_MAX_IOCS and PN_STRINGS_MAX_LISTED and whose edges respect
 * PN_STRINGS_MAX_EDGES per relationship, and the result serialises.
 * A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/strings/ (tests/fuzz/make-seeds-strings.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "strings.h"

#include <json-c/json.h>
#include <stdlib.h>

struct ext {
	const uint8_t *d;
	size_t n, min;
	uint64_t ascii, utf16;
};

static int
on_string(void *ctx, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	struct ext *x = ctx;
	size_t i;

	if (len < x->min)
		PN_BUG("fuzz_strings: string shorter than the minimum");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 0x20 && c <= 0x7e) || c == '\t'))
			PN_BUG("fuzz_strings: unprintable character");
		if (enc == PN_STRINGS_ASCII) {
			if (off + i >= x->n || x->d[off + i] != c)
				PN_BUG("fuzz_strings: ASCII string not at its offset");
		} else if (off + 2 * i + 1 >= x->n || x->d[off + 2 * i] != c || x->d[off + 2 * i + 1] != 0) {
			PN_BUG("fuzz_strings: UTF-16LE string not at its offset");
		}
	}
	if (enc == PN_STRINGS_ASCII)
		x->ascii++;
	else
		x->utf16++;
	return 0;
}

static int64_t
get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		PN_BUG("fuzz_strings: strings_info key missing");
	return json_object_get_int64(v);
}

static void
check_info(struct json_object *attrs, struct json_object *edges)
{
	static const char *const counts[] = { "url_count", "domain_count", "ip_count", "email_count" };
	static const char *const lists[] = { "urls", "domains", "ips", "emails" };
	static const char *const rels[] = { "embedded_urls", "embedded_domains", "embedded_ips" };
	struct json_object *info, *a;
	size_t i, k, per[3] = { 0, 0, 0 };

	if (!json_object_object_get_ex(attrs, "strings_info", &info))
		PN_BUG("fuzz_strings: no strings_info");
	for (k = 0; k < 4; k++) {
		int64_t c = get_int(info, counts[k]);
		if (!json_object_object_get_ex(info, lists[k], &a) || c < 0 || c > PN_STRINGS_MAX_IOCS ||
		    json_object_array_length(a) != (size_t)PN_MIN(c, PN_STRINGS_MAX_LISTED))
			PN_BUG("fuzz_strings: count and list disagree");
	}
	for (i = 0; i < json_object_array_length(edges); i++) {
		struct json_object *e = json_object_array_get_idx(edges, i), *r;
		if (!json_object_object_get_ex(e, "rel", &r))
			PN_BUG("fuzz_strings: edge without rel");
		for (k = 0; k < 3; k++)
			per[k] += strcmp(json_object_get_string(r), rels[k]) == 0;
	}
	for (k = 0; k < 3; k++)
		if (per[k] > PN_STRINGS_MAX_EDGES)
			PN_BUG("fuzz_strings: too many edges");
	if (json_object_to_json_string(attrs) == NULL)
		PN_BUG("fuzz_strings: no JSON");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pn_details_opts opts;
	struct pn_strings_stats st;
	struct pn_parse p;
	struct ext x;
	uint8_t *d;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	d = pn_xmalloc(n ? n : 1);
	memcpy(d, data + 1, n);
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.n = n;
	x.min = data[0] % 16 + 1;
	if (pn_strings_extract(d, n, x.min, on_string, &x, &st) != PN_OK ||
	    st.ascii != x.ascii || st.utf16 != x.utf16 || st.scanned != n)
		PN_BUG("fuzz_strings: extractor result");

	memset(&p, 0, sizeof(p));
	p.data = d;
	p.size = n;
	p.opts = &opts;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	if (pn_parser_strings.bid(d, n, NULL) > 0) {
		if (pn_parser_strings.parse(&p) != PN_OK)
			PN_BUG("fuzz_strings: parse failed on a small input");
		check_info(p.attrs, p.edges);
	}
	json_object_put(p.attrs);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
	free(d);
	return 0;
}
