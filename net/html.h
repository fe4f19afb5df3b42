/*
 * html.h - what the URL fetcher keeps of an HTML page: title, links,
 * script sources, iframes, form actions and <meta> values, parsed with
 * gumbo (which copes with any broken HTML).
 *
 * URLs are resolved against the page URL (or its <base href>) and
 * canonicalised with pn_url_parse(); only http and https results are kept,
 * each list deduplicated in document order.
 *
 * Ownership: every string in struct pn_html is allocated; pn_html_free().
 * Limits: the first PN_HTML_MAX_INPUT bytes are parsed and at most
 * PN_HTML_MAX_TAGS tags (which bounds gumbo's tree depth: its tree
 * destructor recurses), PN_HTML_MAX_ITEMS per list, PN_HTML_MAX_META
 * <meta> pairs, PN_HTML_MAX_ATTR bytes of an attribute used, and
 * PN_HTML_MAX_TITLE bytes of title; `truncated` says a limit was hit.
 * Errors: PN_EINVAL (NULL argument), PN_EINTERNAL (gumbo failed).
 * See also: net/fetch.h, tests/fuzz/fuzz_html.c, docs/internals/urls.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_HTML_H
#define PN_HTML_H

#include <stddef.h>

#define PN_HTML_MAX_INPUT  (8u << 20)  /* bytes handed to gumbo */
#define PN_HTML_MAX_TAGS   20000       /* '<' characters before the cut */
#define PN_HTML_MAX_ITEMS  1000        /* entries per list */
#define PN_HTML_MAX_META   200         /* <meta> name/content pairs */
#define PN_HTML_MAX_ATTR   4096        /* bytes of one href/src/content */
#define PN_HTML_MAX_TITLE  1024        /* bytes of title */

struct pn_html_list {
	char **v;
	size_t n;
};

struct pn_html_meta {
	char *name;       /* name, property or http-equiv, lower-cased */
	char *content;
};

struct pn_html {
	char *title;                  /* NULL when absent; whitespace collapsed */
	struct pn_html_list links;    /* a[href], area[href] */
	struct pn_html_list scripts;  /* script[src] */
	struct pn_html_list iframes;  /* iframe[src], frame[src] */
	struct pn_html_list forms;    /* form[action] */
	struct pn_html_meta *meta;
	size_t n_meta;
	int truncated;                /* some limit was hit */
};

/*
 * Parse data[0..len) (any bytes; decoded as UTF-8, invalid sequences
 * replaced) from page URL base_url (may be NULL: relative URLs are then
 * dropped).  max_items caps every list (0 = PN_HTML_MAX_ITEMS).
 */
int pn_html_extract(const char *data, size_t len, const char *base_url, size_t max_items,
    struct pn_html *out);
void pn_html_free(struct pn_html *h);

#endif
