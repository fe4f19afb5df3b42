/*
 * engines.c - the set of engines a worker runs, and the vocabulary shared by
 * every engine (categories, verdict release).
 *
 * The set is built from one static table: each row names an engine (its
 * Detection-tab column), its adapter and the config keys that enable it and
 * cap its file size.  Adding an engine is one row here plus its adapter.
 *
 * Ownership: pn_engines_load() allocates each struct pn_engine and the
 * vector; pn_engines_free() calls every adapter's free and releases both.
 * Errors: an engine whose init fails stays in the set with e->error set
 * (its scans report "failure"); pn_engines_load itself returns PN_OK.
 * See also: engines/engine.h, docs/internals/engines.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "pn_limits.h"

#include <stdlib.h>
#include <string.h>

#include <json.h>

struct engine_row {
	const char *name;                   /* Detection-tab column */
	const struct pn_engine_ops *ops;
	const char *enabled_key;            /* bool option; NULL = always on */
	const char *max_size_key;           /* size option; NULL = no limit */
};

/* One line per engine. */
static const struct engine_row engine_table[] = {
	{ "ClamAV", &pn_engine_clamav_ops, "clamav.enabled", "clamav.max_filesize" },
};

/* VT-API.md §5.1 spellings, indexed by enum pn_category. */
static const char *const category_names[PN_CAT__COUNT] = {
	[PN_CAT_HARMLESS] = "harmless",
	[PN_CAT_TYPE_UNSUPPORTED] = "type-unsupported",
	[PN_CAT_SUSPICIOUS] = "suspicious",
	[PN_CAT_CONFIRMED_TIMEOUT] = "confirmed-timeout",
	[PN_CAT_TIMEOUT] = "timeout",
	[PN_CAT_FAILURE] = "failure",
	[PN_CAT_MALICIOUS] = "malicious",
	[PN_CAT_UNDETECTED] = "undetected",
};

const char *
pn_category_name(enum pn_category c)
{
	if ((unsigned)c >= PN_CAT__COUNT)
		PN_BUG("pn_category_name of an invalid category");
	return category_names[c];
}

int
pn_category_parse(const char *s, enum pn_category *out)
{
	size_t i;

	if (s == NULL)
		return PN_EINVAL;
	for (i = 0; i < PN_CAT__COUNT; i++) {
		if (strcmp(s, category_names[i]) == 0) {
			*out = (enum pn_category)i;
			return PN_OK;
		}
	}
	return PN_EINVAL;
}

void
pn_verdict_release(struct pn_verdict *v)
{
	if (v == NULL)
		return;
	free(v->result);
	free(v->method);
	if (v->details != NULL)
		json_object_put(v->details);
	v->result = v->method = NULL;
	v->details = NULL;
}

static int
engine_timeout(const struct pn_conf *conf)
{
	int64_t t = pn_conf_get_int(conf, "engines.timeout");

	return t > 0 && t <= INT32_MAX ? (int)t : PN_ENGINE_TIMEOUT_DEFAULT_S;
}

static struct pn_engine *
engine_new(const struct engine_row *row, const struct pn_conf *conf)
{
	struct pn_engine *e = pn_xcalloc(1, sizeof(*e));
	int rc;

	e->ops = row->ops;
	pn_strlcpy(e->name, row->name, sizeof(e->name));
	e->timeout_s = engine_timeout(conf);
	e->max_size = row->max_size_key ? pn_conf_get_size(conf, row->max_size_key) : 0;
	rc = e->ops->init(e, conf);
	if (rc != PN_OK) {
		if (e->error[0] == '\0')
			snprintf(e->error, sizeof(e->error), "init failed: %s", pn_strerror(rc));
		log_warnx("engine %s unavailable: %s", e->name, e->error);
	}
	return e;
}

int
pn_engines_load(struct pn_engines *set, const struct pn_conf *conf)
{
	size_t i;

	set->v = pn_xcalloc(PN_ARRAY_LEN(engine_table), sizeof(*set->v));
	set->n = 0;
	for (i = 0; i < PN_ARRAY_LEN(engine_table); i++) {
		const struct engine_row *row = &engine_table[i];

		if (row->enabled_key != NULL && !pn_conf_get_bool(conf, row->enabled_key))
			continue;
		set->v[set->n++] = engine_new(row, conf);
	}
	return PN_OK;
}

void
pn_engines_free(struct pn_engines *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		struct pn_engine *e = set->v[i];

		if (e->ops->free != NULL)
			e->ops->free(e);
		free(e);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
