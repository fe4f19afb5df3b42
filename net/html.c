/*
 * html.c - title, links, scripts, iframes, forms and <meta> of an HTML
 * page through gumbo (see html.h).
 *
 * The input is cut to PN_HTML_MAX_INPUT bytes and PN_HTML_MAX_TAGS '<'
 * characters, parsed once, and the tree walked without recursion (explicit
 * stack).  Relative URLs are resolved with libcurl's URL API against the
 * page URL or the first <base href>, then canonicalised with pn_url_parse().
 * Limits and errors: html.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "html.h"
#include "url.h"
#include "utf8.h"

#include <ctype.h>
#include <curl/curl.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct walk {
	struct pn_html *out;
	const char *base;        /* effective base URL (canonical), may be NULL */
	char *base_href;         /* first <base href>, as written */
	CURLU *cu;               /* reused for relative references */
	size_t max_items;
};

/* Trim HTML whitespace around s[0..n) into a new string, NULL if empty or too long. */
static char *
trimmed(const char *s, int *trunc)
{
	size_t n = strlen(s), b = 0;

	while (b < n && strchr(" \t\n\r\f", s[b]) != NULL)
		b++;
	while (n > b && strchr(" \t\n\r\f", s[n - 1]) != NULL)
		n--;
	if (n == b)
		return NULL;
	if (n - b > PN_HTML_MAX_ATTR) {
		*trunc = 1;
		return NULL;
	}
	return pn_xstrndup(s + b, n - b);
}

/* Does ref start with "http://" or "https://" (any case)? */
static int
is_http_abs(const char *ref)
{
	return strncasecmp(ref, "http://", 7) == 0 || strncasecmp(ref, "https://", 8) == 0;
}

/*
 * Absolute canonical http(s) URL of ref against base (NULL: only absolute
 * refs), or NULL.  h is a CURLU handle reused across calls (may be NULL).
 */
static char *
resolve(CURLU *h, const char *base, const char *ref)
{
	char *abs = NULL, *res = NULL;
	struct pn_url u;

	if (base == NULL || h == NULL || is_http_abs(ref)) {
		if (is_http_abs(ref) && pn_url_parse(ref, &u, NULL, 0) == PN_OK) {
			res = pn_xstrdup(u.canonical);
			pn_url_free(&u);
		}
		return res;
	}
	if (curl_url_set(h, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_URL, ref, CURLU_URLENCODE) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &abs, 0) == CURLUE_OK &&
	    pn_url_parse(abs, &u, NULL, 0) == PN_OK) {
		res = pn_xstrdup(u.canonical);
		pn_url_free(&u);
	}
	curl_free(abs);
	return res;
}

static void
list_add(struct pn_html_list *l, char *s, size_t max, int *trunc)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0) {
			free(s);
			return;
		}
	if (l->n >= max) {
		*trunc = 1;
		free(s);
		return;
	}
	if (l->n == 0 || (l->n & (l->n - 1)) == 0)
		l->v = pn_xrealloc(l->v, (l->n == 0 ? 1 : 2 * l->n) * sizeof(*l->v));
	l->v[l->n++] = s;
}

static void
add_url(struct walk *w, struct pn_html_list *l, const GumboElement *el, const char *attr)
{
	const GumboAttribute *a = gumbo_get_attribute(&el->attributes, attr);
	char *ref;

	if (a == NULL || a->value == NULL)
		return;
	ref = trimmed(a->value, &w->out->truncated);
	if (ref == NULL)
		return;
	list_add(l, resolve(w->cu, w->base, ref), w->max_items, &w->out->truncated);
	free(ref);
}

static void
add_meta(struct walk *w, const GumboElement *el)
{
	static const char *const keys[] = { "name", "property", "http-equiv", "itemprop" };
	const GumboAttribute *k = NULL, *c = gumbo_get_attribute(&el->attributes, "content");
	struct pn_html *o = w->out;
	char *name, *p;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(keys) && k == NULL; i++)
		k = gumbo_get_attribute(&el->attributes, keys[i]);
	if (k == NULL || c == NULL || k->value == NULL || c->value == NULL)
		return;
	if (o->n_meta >= PN_HTML_MAX_META) {
		o->truncated = 1;
		return;
	}
	name = trimmed(k->value, &o->truncated);
	if (name == NULL)
		return;
	for (p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strlen(c->value) > PN_HTML_MAX_ATTR) {
		o->truncated = 1;
		free(name);
		return;
	}
	if (o->n_meta == 0 || (o->n_meta & (o->n_meta - 1)) == 0)
		o->meta = pn_xrealloc(o->meta, (o->n_meta == 0 ? 1 : 2 * o->n_meta) * sizeof(*o->meta));
	o->meta[o->n_meta].name = name;
	o->meta[o->n_meta].content = pn_xstrdup(c->value);
	o->n_meta++;
}

/* Title text: text children joined, whitespace runs collapsed to one space. */
static void
set_title(struct pn_html *o, const GumboElement *el)
{
	char buf[PN_HTML_MAX_TITLE + 1];
	size_t i, n = 0;
	int space = 1, cut = 0;

	if (o->title != NULL)
		return;
	for (i = 0; i < el->children.length; i++) {
		const GumboNode *c = el->children.data[i];
		const char *t;

		if (c->type != GUMBO_NODE_TEXT && c->type != GUMBO_NODE_WHITESPACE)
			continue;
		for (t = c->v.text.text; *t != '\0'; t++) {
			int ws = strchr(" \t\n\r\f", *t) != NULL;
			if (ws && space)
				continue;
			if (n >= PN_HTML_MAX_TITLE) {
				o->truncated = cut = 1;
				break;
			}
			buf[n++] = ws ? ' ' : *t;
			space = ws;
		}
	}
	if (cut) {
		/* do not leave half a UTF-8 sequence at the cut */
		size_t lead = n;
		while (lead > 0 && ((unsigned char)buf[lead - 1] & 0xc0) == 0x80)
			lead--;
		if (lead > 0 && pn_utf8_seq((const unsigned char *)buf + lead - 1, n - lead + 1) == 0)
			n = lead - 1;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	o->title = pn_utf8_clean(buf, n);
}

static void
visit(struct walk *w, const GumboElement *el)
{
	struct pn_html *o = w->out;

	switch (el->tag) {
	case GUMBO_TAG_TITLE:
		set_title(o, el);
		break;
	case GUMBO_TAG_A:
	case GUMBO_TAG_AREA:
		add_url(w, &o->links, el, "href");
		break;
	case GUMBO_TAG_SCRIPT:
		add_url(w, &o->scripts, el, "src");
		break;
	case GUMBO_TAG_IFRAME:
	case GUMBO_TAG_FRAME:
		add_url(w, &o->iframes, el, "src");
		break;
	case GUMBO_TAG_FORM:
		add_url(w, &o->forms, el, "action");
		break;
	case GUMBO_TAG_META:
		add_meta(w, el);
		break;
	default:
		break;
	}
}

/* Depth-first walk with an explicit stack; fn(w, el) for every element. */
static void
walk_tree(const GumboNode *root, struct walk *w,
    void (*fn)(struct walk *, const GumboElement *))
{
	const GumboNode **stack;
	size_t sp = 0, cap = 256;

	stack = pn_xmalloc(cap * sizeof(*stack));
	stack[sp++] = root;
	while (sp > 0) {
		const GumboNode *n = stack[--sp];
		const GumboElement *el;
		size_t i;

		if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE &&
		    n->type != GUMBO_NODE_DOCUMENT)
			continue;
		if (n->type == GUMBO_NODE_DOCUMENT) {
			for (i = n->v.document.children.length; i > 0; i--) {
				if (sp == cap)
					stack = pn_xrealloc(stack, (cap *= 2) * sizeof(*stack));
				stack[sp++] = n->v.document.children.data[i - 1];
			}
			continue;
		}
		el = &n->v.element;
		fn(w, el);
		for (i = el->children.length; i > 0; i--) {
			if (sp == cap)
				stack = pn_xrealloc(stack, (cap *= 2) * sizeof(*stack));
			stack[sp++] = el->children.data[i - 1];
		}
	}
	free(stack);
}

/* First <base href> (a pass of its own: it applies to links before it too). */
static void
base_visit(struct walk *w, const GumboElement *el)
{
	const GumboAttribute *a;

	if (el->tag != GUMBO_TAG_BASE || w->base_href != NULL)
		return;
	a = gumbo_get_attribute(&el->attributes, "href");
	if (a != NULL && a->value != NULL)
		w->base_href = pn_xstrdup(a->value);
}

int
pn_html_extract(const char *data, size_t len, const char *base_url, size_t max_items,
    struct pn_html *out)
{
	GumboOptions opt = kGumboDefaultOptions;
	GumboOutput *g;
	struct walk w;
	size_t i, tags = 0;
	char *base_href = NULL, *base_abs = NULL;

	memset(out, 0, sizeof(*out));
	if (data == NULL && len > 0)
		return PN_EINVAL;
	if (len > PN_HTML_MAX_INPUT) {
		len = PN_HTML_MAX_INPUT;
		out->truncated = 1;
	}
	for (i = 0; i < len; i++)
		if (data[i] == '<' && ++tags > PN_HTML_MAX_TAGS) {
			len = i;
			out->truncated = 1;
			break;
		}
	opt.max_errors = 0;   /* errors are not kept: we never read them */
	g = gumbo_parse_with_options(&opt, len > 0 ? data : "", len);
	if (g == NULL)
		return PN_EINTERNAL;
	memset(&w, 0, sizeof(w));
	w.out = out;
	w.cu = curl_url();
	w.max_items = max_items > 0 && max_items < PN_HTML_MAX_ITEMS ? max_items : PN_HTML_MAX_ITEMS;
	walk_tree(g->document, &w, base_visit);
	base_href = w.base_href;
	if (base_href != NULL) {
		char *t = trimmed(base_href, &out->truncated);
		if (t != NULL)
			base_abs = resolve(w.cu, base_url, t);
		free(t);
	}
	w.base = base_abs != NULL ? base_abs : base_url;
	if (w.base != NULL) {
		struct pn_url u;
		/* a base that is not an http(s) URL makes every relative link unresolvable */
		if (pn_url_parse(w.base, &u, NULL, 0) != PN_OK)
			w.base = NULL;
		pn_url_free(&u);
	}
	walk_tree(g->document, &w, visit);
	gumbo_destroy_output(&opt, g);
	if (w.cu != NULL)
		curl_url_cleanup(w.cu);
	free(base_href);
	free(base_abs);
	return PN_OK;
}

static void
list_free(struct pn_html_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void
pn_html_free(struct pn_html *h)
{
	size_t i;

	if (h == NULL)
		return;
	free(h->title);
	list_free(&h->links);
	list_free(&h->scripts);
	list_free(&h->iframes);
	list_free(&h->forms);
	for (i = 0; i < h->n_meta; i++) {
		free(h->meta[i].name);
		free(h->meta[i].content);
	}
	free(h->meta);
	memset(h, 0, sizeof(*h));
}
