/*
 * fuzz_html.c - fuzz target for the HTML extractor (net/html.c, gumbo).
 *
 * Input layout: byte 0 selects the page URL (bit 0 clear:
 * "http://example.com/dir/page.html", set: none, so relative links are
 * dropped) and bit 1 a small max_items (3) instead of the default; the
 * rest is the page (any bytes) in an exactly-sized heap copy.
 * Checked: every link, script, iframe and form URL is an http(s) URL
 * already in canonical form (pn_url_parse gives it back unchanged) and
 * appears once in its list; list sizes stay within max_items, <meta>
 * pairs within PN_HTML_MAX_META; the title is valid UTF-8 of at most
 * PN_HTML_MAX_TITLE bytes without leading/trailing/double spaces.  A
 * violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/html/ (tests/fuzz/make-seeds-html.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "html.h"
#include "url.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_list(const struct pn_html_list *l, size_t max)
{
	size_t i, j;

	if (l->n > max)
		PN_BUG("fuzz_html: list over max_items");
	for (i = 0; i < l->n; i++) {
		struct pn_url u;

		if (pn_url_parse(l->v[i], &u, NULL, 0) != PN_OK)
			PN_BUG("fuzz_html: extracted URL does not parse");
		if (strcmp(u.canonical, l->v[i]) != 0)
			PN_BUG("fuzz_html: extracted URL not canonical");
		pn_url_free(&u);
		for (j = 0; j < i; j++)
			if (strcmp(l->v[i], l->v[j]) == 0)
				PN_BUG("fuzz_html: duplicate in a list");
	}
}

static void
check_title(const char *t)
{
	size_t n, i;

	if (t == NULL)
		return;
	n = strlen(t);
	if (n > PN_HTML_MAX_TITLE)
		PN_BUG("fuzz_html: title over PN_HTML_MAX_TITLE");
	for (i = 0; i < n;) {
		size_t k = pn_utf8_seq((const unsigned char *)t + i, n - i);
		if (k == 0)
			PN_BUG("fuzz_html: title is not valid UTF-8");
		i += k;
	}
	if (n > 0 && (t[0] == ' ' || t[n - 1] == ' ' || strstr(t, "  ") != NULL))
		PN_BUG("fuzz_html: title whitespace not collapsed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_html h;
	const char *base;
	size_t max;
	char *page;

	if (size < 1)
		return 0;
	base = (data[0] & 1) ? NULL : "http://example.com/dir/page.html";
	max = (data[0] & 2) ? 3 : PN_HTML_MAX_ITEMS;
	page = pn_xmalloc(size > 1 ? size - 1 : 1);
	memcpy(page, data + 1, size - 1);
	if (pn_html_extract(page, size - 1, base, (data[0] & 2) ? 3 : 0, &h) != PN_OK)
		PN_BUG("fuzz_html: extraction failed");
	check_list(&h.links, max);
	check_list(&h.scripts, max);
	check_list(&h.iframes, max);
	check_list(&h.forms, max);
	if (h.n_meta > PN_HTML_MAX_META)
		PN_BUG("fuzz_html: too many meta pairs");
	check_title(h.title);
	pn_html_free(&h);
	free(page);
	return 0;
}
