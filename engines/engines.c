/*
 * engines.c - the set of engines a worker runs, and the vocabulary shared by
 * every engine (categories, verdict release).
 *
 * The set is built from one static table: each row names an engine kind
 * (its Detection-tab column, or the prefix of its columns), its adapter,
 * the config keys that enable it and cap its file size, and optionally an
 * instances function for kinds that fill several columns (one YARA engine
 * per rule pack: "YARA-Packers", "YARA-Webshells", ...).  Adding an engine
 * is one row here plus its adapter.
 *
 * Ownership: pn_engines_load() allocates each struct pn_engine and the
 * vector; pn_engines_free() calls every adapter's free and releases both.
 * An instance's argument is handed to its adapter in e->priv before init
 * (yara_engine.h).
 * Errors: an engine whose init fails stays in the set with e->error set
 * (its scans report "failure"); a kind whose instances function fails is
 * one row with that error; pn_engines_load itself returns PN_OK.
 * Limits: PN_ENGINES_MAX engines in a set; names are made unique by a
 * "-2", "-3", ... suffix.
 * See also: engines/engine.h, docs/internals/engines.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "pn_limits.h"
#include "external.h"
#include "yara_engine.h"
#include "external.h"

#include <stdlib.h>
#include <string.h>

#include <json.h>

#define PN_ENGINES_MAX 128        /* engines in one set (all rows, all instances) */

struct engine_row {
	const char *name;                   /* Detection-tab column; prefix of instance names */
	const struct pn_engine_ops *ops;
	const char *enabled_key;            /* bool option; NULL = always on */
	const char *max_size_key;           /* size option; NULL = no limit */
	pn_engine_instances_fn *instances;  /* NULL = one engine named `name` */
	const char *types_key;              /* accepted file types option; NULL = every type */
};

/* One line per engine kind. */
static const struct engine_row engine_table[] = {
	{ "ClamAV", &pn_engine_clamav_ops, "clamav.enabled", "clamav.max_filesize", NULL, "clamav.types" },
	{ "YARA", &pn_engine_yara_ops, "yara.enabled", "yara.max_filesize", pn_yara_instances, "yara.types" },
	{ "HashList", &pn_engine_hashlist_ops, "hashlist.enabled", NULL, NULL, "hashlist.types" },
	{ "ClamAV-daemon", &pn_engine_clamd_ops, "clamd.enabled", "clamd.max_filesize", pn_clamd_instances, NULL },
	{ "ICAP", &pn_engine_icap_ops, "icap.enabled", "icap.max_filesize", pn_icap_instances, NULL },
	{ "CommandLine", &pn_engine_cmdline_ops, "cmdline.enabled", "cmdline.max_filesize", pn_cmdline_instances, NULL },
	{ "Panoptes-PE", &pn_engine_heur_pe_ops, "heuristics.enabled", "heuristics.max_filesize", NULL,
	  "heuristics.pe_types" },
	{ "Panoptes-Script", &pn_engine_heur_script_ops, "heuristics.enabled", "heuristics.max_filesize", NULL,
	  "heuristics.script_types" },
	{ "Panoptes-Document", &pn_engine_heur_doc_ops, "heuristics.enabled", "heuristics.max_filesize", NULL,
	  "heuristics.doc_types" },
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

/* The stand-in for a kind whose instances could not be listed: every scan fails. */
static int
failed_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	return PN_EINTERNAL;
}

static const struct pn_engine_ops failed_ops = {
	.kind = "unavailable",
	.scan = failed_scan,
};

static int
engine_timeout(const struct pn_conf *conf)
{
	int64_t t = pn_conf_get_int(conf, "engines.timeout");

	return t > 0 && t <= INT32_MAX ? (int)t : PN_ENGINE_TIMEOUT_DEFAULT_S;
}

void
pn_engine_instances_free(struct pn_engine_instance *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i].arg);
	free(v);
}

/* True when name is taken by an engine already in the set. */
static int
name_taken(const struct pn_engines *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return 1;
	return 0;
}

/* name, or name-2, name-3, ... : the first not yet in the set. */
static void
unique_name(const struct pn_engines *set, const char *name, char *out, size_t len)
{
	char base[48];
	int i;

	pn_strlcpy(out, name, len);
	pn_strlcpy(base, name, sizeof(base));
	for (i = 2; name_taken(set, out) && i < 1000; i++)
		snprintf(out, len, "%s-%d", base, i);
}

/* "PE, peexe ,*" -> "pe,peexe"; "" or a "*" anywhere -> "" (every type). */
static void
types_normalise(const char *in, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (; in != NULL && *in != '\0'; in++) {
		char c = *in;
		if (c == '*') {
			out[0] = '\0';
			return;
		}
		if (c == ' ' || c == '\t')
			continue;
		if (c == ',' && (o == 0 || out[o - 1] == ','))
			continue;
		if (o + 1 < len)
			out[o++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
	while (o > 0 && out[o - 1] == ',')
		o--;
	out[o] = '\0';
}

/* Is word (len n) one of the space-separated words of tags? */
static int
has_word(const char *tags, const char *w, size_t n)
{
	const char *p = tags;

	while (*p != '\0') {
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, w, n) == 0)
			return 1;
		p += k;
		p += strspn(p, " ");
	}
	return 0;
}

int
pn_engine_accepts(const struct pn_engine *e, const char *tags)
{
	const char *p = e->types;

	/* Every type, or a file of no known type: the engine decides itself. */
	if (*p == '\0' || tags == NULL || *tags == '\0')
		return 1;
	while (*p != '\0') {
		size_t k = strcspn(p, ",");
		if (k > 0 && has_word(tags, p, k))
			return 1;
		p += k;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* FNV-1a over every "key=value" of the section of key ("heuristics" of "heuristics.enabled"). */
static void
section_digest(const struct pn_conf *conf, const char *key, char *out, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t plen, t;
	const char *dot;

	out[0] = '\0';
	if (key == NULL || (dot = strchr(key, '.')) == NULL)
		return;
	plen = (size_t)(dot - key) + 1;
	for (t = 0; pn_conf_tables[t] != NULL; t++) {
		const struct pn_conf_opt *o;
		for (o = pn_conf_tables[t]; o->key != NULL; o++) {
			const char *v, *p;
			if (strncmp(o->key, key, plen) != 0)
				continue;
			v = pn_conf_get(conf, o->key);
			for (p = o->key; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ull;
			h = (h ^ '=') * 1099511628211ull;
			for (p = v ? v : ""; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ull;
			h = (h ^ '\n') * 1099511628211ull;
		}
	}
	snprintf(out, len, "%016llx", (unsigned long long)h);
}

/* Build one engine; arg (owned, may be NULL) goes to the adapter in e->priv. */
static struct pn_engine *
engine_new(const struct engine_row *row, const struct pn_conf *conf,
    const struct pn_engines *set, const char *name, char *arg)
{
	struct pn_engine *e = pn_xcalloc(1, sizeof(*e));
	int rc;

	e->ops = row->ops;
	unique_name(set, name, e->name, sizeof(e->name));
	e->timeout_s = engine_timeout(conf);
	e->max_size = row->max_size_key ? pn_conf_get_size(conf, row->max_size_key) : 0;
	if (row->types_key != NULL)
		types_normalise(pn_conf_get(conf, row->types_key), e->types, sizeof(e->types));
	section_digest(conf, row->enabled_key ? row->enabled_key : row->max_size_key, e->confsig,
	    sizeof(e->confsig));
	e->priv = arg;
	rc = e->ops->init(e, conf);
	if (rc != PN_OK) {
		if (e->error[0] == '\0')
			snprintf(e->error, sizeof(e->error), "init failed: %s", pn_strerror(rc));
		log_warnx("engine %s unavailable: %s", e->name, e->error);
	}
	return e;
}

static void
set_add(struct pn_engines *set, struct pn_engine *e)
{
	set->v[set->n++] = e;
}

/* A row: one engine, or one per instance its instances function lists. */
static void
load_row(struct pn_engines *set, const struct engine_row *row, const struct pn_conf *conf)
{
	struct pn_engine_instance *inst = NULL;
	size_t n = 0, i;
	int rc;

	if (row->instances == NULL) {
		set_add(set, engine_new(row, conf, set, row->name, NULL));
		return;
	}
	rc = row->instances(conf, row->name, &inst, &n);
	if (rc != PN_OK || n == 0) {
		struct pn_engine *e = pn_xcalloc(1, sizeof(*e));

		e->ops = &failed_ops;
		pn_strlcpy(e->name, row->name, sizeof(e->name));
		snprintf(e->error, sizeof(e->error), "listing %s engines failed: %s", row->name,
		    pn_strerror(rc != PN_OK ? rc : PN_ENOTFOUND));
		log_warnx("engine %s unavailable: %s", e->name, e->error);
		set_add(set, e);
		pn_engine_instances_free(inst, n);
		return;
	}
	for (i = 0; i < n && set->n < PN_ENGINES_MAX; i++) {
		set_add(set, engine_new(row, conf, set, inst[i].name, inst[i].arg));
		inst[i].arg = NULL;
	}
	if (i < n)
		log_warnx("engines: more than %d engines, %zu %s engine(s) left out",
		    PN_ENGINES_MAX, n - i, row->name);
	pn_engine_instances_free(inst, n);
}

int
pn_engines_load(struct pn_engines *set, const struct pn_conf *conf)
{
	size_t i;

	set->v = pn_xcalloc(PN_ENGINES_MAX, sizeof(*set->v));
	set->n = 0;
	for (i = 0; i < PN_ARRAY_LEN(engine_table) && set->n < PN_ENGINES_MAX; i++) {
		const struct engine_row *row = &engine_table[i];

		if (row->enabled_key != NULL && !pn_conf_get_bool(conf, row->enabled_key))
			continue;
		load_row(set, row, conf);
	}
	pn_engines_prepare(set);
	return PN_OK;
}

void
pn_engines_prepare(struct pn_engines *set)
{
	struct pn_engine **v = pn_xcalloc(set->n + 1, sizeof(*v));
	size_t i, j, n;

	for (i = 0; i < set->n; i++) {
		const struct pn_engine_ops *ops = set->v[i]->ops;
		int seen = 0;

		if (ops->prepare == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (set->v[j]->ops == ops)
				seen = 1;
		if (seen)
			continue;
		for (j = i, n = 0; j < set->n; j++)
			if (set->v[j]->ops == ops)
				v[n++] = set->v[j];
		ops->prepare(v, n);
	}
	free(v);
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
