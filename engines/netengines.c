/*
 * netengines.c - the set of URL/domain/IP engines a worker runs
 * (netengine.h): which engines exist, building and freeing the set,
 * reloading it, and scanning one target with all of them.
 *
 * The set comes from one static table, in column order: one blocklist
 * engine per netfeeds.feeds entry (named after the entry), then the
 * heuristic engines Panoptes-URLHeur and Panoptes-DomainHeur.  Adding an
 * engine is one row plus its adapter.
 *
 * Ownership: pn_net_engines_load() allocates the vector and each engine;
 * pn_net_engines_free() calls each adapter's free and releases both.  A
 * feed row hands its adapter a heap struct pn_netfeed_conf in e->priv
 * before init.
 * Errors: engines failing init stay in the set with e->error set; their
 * scans give "failure".  A malformed netfeeds.feeds becomes one
 * "NetFeeds" engine that is unavailable, so the error is visible.
 * Limits: PN_NETFEED_MAX_FEEDS feeds.
 * See also: netengine.h, docs/internals/net-engines.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "netengine.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>

#include <json.h>

/* The stand-in for engines that could not even be listed. */
static int
failed_scan(struct pn_net_engine *e, const struct pn_net_target *t, struct pn_verdict *v)
{
	return PN_EINTERNAL;
}

static const struct pn_net_engine_ops failed_ops = {
	.kind = "unavailable",
	.kinds = PN_OBJ_URL | PN_OBJ_DOMAIN | PN_OBJ_IP,
	.scan = failed_scan,
};

static struct pn_net_engine *
engine_new(const struct pn_net_engine_ops *ops, const char *name, void *arg,
    const struct pn_conf *conf)
{
	struct pn_net_engine *e = pn_xcalloc(1, sizeof(*e));
	int rc;

	e->ops = ops;
	e->kinds = ops->kinds;
	pn_strlcpy(e->name, name, sizeof(e->name));
	e->priv = arg;
	if (ops->init == NULL)
		return e;
	rc = ops->init(e, conf);
	if (rc != PN_OK) {
		if (e->error[0] == '\0')
			snprintf(e->error, sizeof(e->error), "init failed: %s", pn_strerror(rc));
		log_warnx("engine %s unavailable: %s", e->name, e->error);
	}
	return e;
}

static void
add(struct pn_net_engines *set, struct pn_net_engine *e)
{
	set->v = pn_xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	set->v[set->n++] = e;
}

static void
load_feeds(struct pn_net_engines *set, const struct pn_conf *conf)
{
	struct pn_netfeed_conf *fc = NULL;
	char err[256];
	size_t n = 0, i;

	if (!pn_conf_get_bool(conf, "netfeeds.enabled"))
		return;
	if (pn_netfeed_conf_list(conf, &fc, &n, err, sizeof(err)) != PN_OK) {
		struct pn_net_engine *e = engine_new(&failed_ops, "NetFeeds", NULL, conf);

		pn_strlcpy(e->error, err, sizeof(e->error));
		log_warnx("engine %s unavailable: %s", e->name, e->error);
		add(set, e);
		return;
	}
	for (i = 0; i < n; i++) {
		struct pn_netfeed_conf *arg = pn_xmalloc(sizeof(*arg));

		*arg = fc[i];
		add(set, engine_new(&pn_net_feed_ops, fc[i].name, arg, conf));
	}
	free(fc);
}

int
pn_net_engines_load(struct pn_net_engines *set, const struct pn_conf *conf)
{
	set->v = NULL;
	set->n = 0;
	load_feeds(set, conf);
	if (pn_conf_get_bool(conf, "netheur.enabled")) {
		add(set, engine_new(&pn_net_heur_url_ops, "Panoptes-URLHeur", NULL, conf));
		add(set, engine_new(&pn_net_heur_domain_ops, "Panoptes-DomainHeur", NULL, conf));
	}
	return PN_OK;
}

void
pn_net_engines_free(struct pn_net_engines *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		struct pn_net_engine *e = set->v[i];

		if (e->ops->free != NULL)
			e->ops->free(e);
		free(e);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* The feed engines of the set, in order, match the configured list? */
static int
same_feeds(const struct pn_net_engines *set, const struct pn_conf *conf)
{
	struct pn_netfeed_conf *fc = NULL;
	char err[256];
	size_t n = 0, i, k = 0;
	int same = 1;

	if (pn_conf_get_bool(conf, "netfeeds.enabled") &&
	    pn_netfeed_conf_list(conf, &fc, &n, err, sizeof(err)) != PN_OK)
		same = 0;           /* rebuilt: the error becomes the NetFeeds column */
	for (i = 0; i < set->n; i++) {
		const struct pn_net_engine *e = set->v[i];

		if (e->ops == &failed_ops)
			same = 0;
		if (e->ops != &pn_net_feed_ops)
			continue;
		if (k >= n || strcmp(e->name, fc[k].name) != 0)
			same = 0;
		k++;
	}
	free(fc);
	return same == 1 && k == n;
}

int
pn_net_engines_reload(struct pn_net_engines *set, const struct pn_conf *conf)
{
	size_t i;
	int heur = 0;

	for (i = 0; i < set->n; i++)
		heur |= set->v[i]->ops == &pn_net_heur_url_ops;
	if (!same_feeds(set, conf) || heur != pn_conf_get_bool(conf, "netheur.enabled")) {
		pn_net_engines_free(set);
		return pn_net_engines_load(set, conf);
	}
	for (i = 0; i < set->n; i++) {
		struct pn_net_engine *e = set->v[i];
		int rc;

		if (e->ops->reload == NULL)
			continue;
		if ((rc = e->ops->reload(e, conf)) != PN_OK && e->error[0] == '\0')
			snprintf(e->error, sizeof(e->error), "reload failed: %s", pn_strerror(rc));
	}
	return PN_OK;
}

void
pn_net_target_url(struct pn_net_target *t, const struct pn_url *u)
{
	memset(t, 0, sizeof(*t));
	t->kind = PN_OBJ_URL;
	t->u = u;
	t->url = u->canonical;
	if (u->host_ip != 0)
		t->ip = u->host;
	else
		t->domain = u->host;
}

void
pn_net_target_domain(struct pn_net_target *t, const char *domain)
{
	memset(t, 0, sizeof(*t));
	t->kind = PN_OBJ_DOMAIN;
	t->domain = domain;
}

void
pn_net_target_ip(struct pn_net_target *t, const char *ip)
{
	memset(t, 0, sizeof(*t));
	t->kind = PN_OBJ_IP;
	t->ip = ip;
}

static void
failure(struct pn_verdict *v, const char *why)
{
	pn_verdict_release(v);
	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	v->details = json_object_new_object();
	json_object_object_add(v->details, "error", json_object_new_string(why));
}

int
pn_net_engine_scan(struct pn_net_engine *e, const struct pn_net_target *t,
    struct pn_verdict *v)
{
	int rc;

	memset(v, 0, sizeof(*v));
	if (!(e->kinds & (unsigned)t->kind)) {
		v->category = PN_CAT_TYPE_UNSUPPORTED;
		return PN_OK;
	}
	/* A failed reload keeps the old data: e->error alone does not fail scans. */
	rc = e->ops->scan != NULL ? e->ops->scan(e, t, v) : PN_EINTERNAL;
	if (rc != PN_OK)
		failure(v, e->error[0] != '\0' ? e->error : pn_strerror(rc));
	return PN_OK;
}

int
pn_net_engines_scan(const struct pn_net_engines *set, const struct pn_net_target *t,
    struct pn_verdict *out)
{
	size_t i;

	if ((t->kind == PN_OBJ_URL && (t->url == NULL || (t->domain == NULL && t->ip == NULL))) ||
	    (t->kind == PN_OBJ_DOMAIN && t->domain == NULL) ||
	    (t->kind == PN_OBJ_IP && t->ip == NULL) ||
	    (t->kind != PN_OBJ_URL && t->kind != PN_OBJ_DOMAIN && t->kind != PN_OBJ_IP)) {
		for (i = 0; i < set->n; i++)
			memset(&out[i], 0, sizeof(out[i]));
		return PN_EINVAL;
	}
	for (i = 0; i < set->n; i++)
		(void)pn_net_engine_scan(set->v[i], t, &out[i]);
	return PN_OK;
}
