/*
 * heur.h - helpers shared by the three heuristic engines (heur_pe.c,
 * heur_script.c, heur_doc.c): the options, a list of scored reasons and
 * the mapping of a total score to a verdict, and running one of the
 * static-analysis parsers as a library to read its attributes.
 *
 * A heuristic engine collects reasons ({id, description, score,
 * evidence}); the total is compared with heuristics.malicious_score and
 * heuristics.suspicious_score.  The verdict's result is "Heur.<Family>.<id>"
 * of the highest-scoring reason, its method "heuristic" and its details
 * {"reasons": [...], "score": total}.  Below the suspicious threshold the
 * category is "undetected" (reasons, if any, are still in details).
 *
 * Ownership: struct pn_heur owns its reasons array until pn_heur_finish()
 * hands it to the verdict (or pn_heur_release() drops it).
 * pn_heur_run_parser() returns a new attrs object (caller puts it).
 * Limits: PN_HEUR_MAX_REASONS reasons, PN_HEUR_MAX_EVIDENCE bytes of
 * evidence per reason.
 * Errors: none beyond allocation failure (aborts).
 * See also: docs/internals/heuristics.md, tests/unit/test_heur.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_HEUR_H
#define PN_HEUR_H

#include "engine.h"
#include "conf.h"
#include "parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#define PN_HEUR_MAX_REASONS  32      /* reasons kept per scan */
#define PN_HEUR_MAX_EVIDENCE 200     /* bytes of evidence per reason */
#define PN_HEUR_VERSION      "1.0"
#define PN_HEUR_UPDATE       "20261204"

extern const struct pn_conf_opt pn_conf_heuristics[];

struct pn_heur_cfg {
	int suspicious;             /* heuristics.suspicious_score */
	int malicious;              /* heuristics.malicious_score */
};

struct pn_heur {
	struct json_object *reasons;
	int score;
	int best;                   /* score of the top reason */
	char label[64];             /* id of the top reason */
};

static inline int
pn_heur_engine_init(struct pn_engine *e, const struct pn_conf *conf)
{
	struct pn_heur_cfg *c = pn_xcalloc(1, sizeof(*c));
	int64_t s = pn_conf_get_int(conf, "heuristics.suspicious_score");
	int64_t m = pn_conf_get_int(conf, "heuristics.malicious_score");

	c->suspicious = s > 0 && s < 100000 ? (int)s : 40;
	c->malicious = m > 0 && m < 100000 ? (int)m : 80;
	if (c->malicious < c->suspicious)
		c->malicious = c->suspicious;
	e->priv = c;
	e->confine_flags = PN_ENGINE_SHARE_CHILD;   /* the heuristics share one scan child */
	pn_strlcpy(e->version, PN_HEUR_VERSION, sizeof(e->version));
	pn_strlcpy(e->update, PN_HEUR_UPDATE, sizeof(e->update));
	return PN_OK;
}

static inline int
pn_heur_engine_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	free(e->priv);
	e->priv = NULL;
	return pn_heur_engine_init(e, conf);
}

static inline void
pn_heur_engine_free(struct pn_engine *e)
{
	free(e->priv);
	e->priv = NULL;
}

static inline void
pn_heur_begin(struct pn_heur *h)
{
	memset(h, 0, sizeof(*h));
	h->reasons = json_object_new_array();
}

static inline void
pn_heur_release(struct pn_heur *h)
{
	if (h->reasons != NULL)
		json_object_put(h->reasons);
	h->reasons = NULL;
}

/* Whether a reason with this id was added already. */
static inline int
pn_heur_has(const struct pn_heur *h, const char *id)
{
	size_t i, n = json_object_array_length(h->reasons);

	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(h->reasons, i), *v;

		if (json_object_object_get_ex(r, "id", &v) &&
		    strcmp(json_object_get_string(v), id) == 0)
			return 1;
	}
	return 0;
}

/* Add a reason (once per id); evidence is printf-formatted and cut. */
static inline void __attribute__((format(printf, 5, 6)))
pn_heur_add(struct pn_heur *h, const char *id, const char *desc, int score,
    const char *fmt, ...)
{
	struct json_object *r;
	char ev[PN_HEUR_MAX_EVIDENCE + 1];
	va_list ap;
	size_t i;

	if (pn_heur_has(h, id) || json_object_array_length(h->reasons) >= PN_HEUR_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(ev, sizeof(ev), fmt, ap);
	va_end(ap);
	for (i = 0; ev[i] != '\0'; i++)
		if ((unsigned char)ev[i] < 0x20 || (unsigned char)ev[i] >= 0x7f)
			ev[i] = '.';
	r = json_object_new_object();
	json_object_object_add(r, "id", json_object_new_string(id));
	json_object_object_add(r, "description", json_object_new_string(desc));
	json_object_object_add(r, "score", json_object_new_int(score));
	json_object_object_add(r, "evidence", json_object_new_string(ev));
	json_object_array_add(h->reasons, r);
	h->score += score;
	if (score > h->best) {
		h->best = score;
		pn_strlcpy(h->label, id, sizeof(h->label));
	}
}

/* Turn the reasons into *v: category by thresholds, label Heur.<family>.<top id>. */
static inline void
pn_heur_finish(struct pn_heur *h, const struct pn_engine *e, const char *family,
    struct pn_verdict *v)
{
	const struct pn_heur_cfg *c = e->priv;
	int sus = c != NULL ? c->suspicious : 40, mal = c != NULL ? c->malicious : 80;
	char label[128];

	memset(v, 0, sizeof(*v));
	v->method = pn_xstrdup("heuristic");
	if (h->score >= mal)
		v->category = PN_CAT_MALICIOUS;
	else if (h->score >= sus)
		v->category = PN_CAT_SUSPICIOUS;
	else
		v->category = PN_CAT_UNDETECTED;
	if (v->category != PN_CAT_UNDETECTED) {
		snprintf(label, sizeof(label), "Heur.%s.%s", family, h->label);
		v->result = pn_xstrdup(label);
	}
	v->details = json_object_new_object();
	json_object_object_add(v->details, "reasons", h->reasons);
	json_object_object_add(v->details, "score", json_object_new_int(h->score));
	h->reasons = NULL;
}

/* A verdict of type-unsupported (no details). */
static inline void
pn_heur_unsupported(struct pn_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_TYPE_UNSUPPORTED;
}

/*
 * Run parser ps over the target when it bids (no extraction of members);
 * returns its attrs object (caller json_object_put()s it), or NULL when
 * the parser does not bid.
 */
static inline struct json_object *
pn_heur_run_parser(const struct pn_parser *ps, const struct pn_scan_target *t)
{
	static const struct pn_details_opts opts;
	struct pn_ident id;
	struct pn_parse p;

	memset(&id, 0, sizeof(id));
	id.tag = t->type_tag;
	if (t->size == 0 || ps->bid(t->data, t->size, &id) <= 0)
		return NULL;
	memset(&p, 0, sizeof(p));
	p.data = t->data;
	p.size = t->size;
	p.ident = &id;
	p.name = t->name;
	p.opts = &opts;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	p.children = json_object_new_array();
	(void)ps->parse(&p);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
	json_object_put(p.children);
	return p.attrs;
}

/* json path helpers: o[k] as int (0 when absent), as object/array (NULL). */
static inline int64_t
pn_heur_jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static inline struct json_object *
pn_heur_jget(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* Case-insensitive search for needle in hay[0..n). */
static inline const char *
pn_heur_memcasestr(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i, j;

	if (m == 0 || m > n)
		return NULL;
	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m; j++) {
			unsigned char a = (unsigned char)hay[i + j], b = (unsigned char)needle[j];

			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b + 32);
			if (a != b)
				break;
		}
		if (j == m)
			return hay + i;
	}
	return NULL;
}

#endif
