/*
 * job.c - one analysis: a quick type check beside the engines that judge
 * every type blind (ClamAV, the external engines), then the other engine
 * groups and the full identification (parsers, fuzzy hashes), each in its
 * long-lived confined scan child (scanpool.c) with a wall-clock limit; the
 * result cache, the verdict policy (aggregate.c) and the threat
 * classification (threatname.c); then the results are recorded.
 *
 * Children answer one JSON document per file (at most
 * PN_ANALYSIS_RESULT_MAX bytes).  The parent never parses the sample: it
 * reads children's JSON, and maps what went wrong to VirusTotal categories
 * - a child that dies without an answer is "failure", one past its
 * deadline is killed and is "timeout" (both are replaced), a file over an
 * engine's size limit or of a type it does not judge is "type-unsupported"
 * without running it, and an engine whose version, signatures and options
 * are unchanged since it judged this sha256 gives its cached verdict.
 *
 * Options: [analysis] (pn_conf_analysis below, docs/CONFIG.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include "worker.h"
#include "child.h"
#include "scanpool.h"
#include "threatname.h"
#include "aggregate.h"
#include "blob.h"
#include "buf.h"
#include "confine.h"
#include "conf.h"
#include "identify.h"
#include "pn_limits.h"
#include "store.h"
#include "hash.h"
#include "parser.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Options of the analysis pipeline (docs/CONFIG.md [analysis]). */
const struct pn_conf_opt pn_conf_analysis[] = {
	{ "analysis.details", PN_CONF_STR, "full", "full: identification runs every parser and the fuzzy hashes; type: the file type only (engines-only scanning, faster)" },
	{ "analysis.cache", PN_CONF_BOOL, "true", "reuse an engine's verdict on a file while its version and signatures are unchanged" },
	{ "analysis.child_max_files", PN_CONF_INT, "2000", "files a scan child serves before a fresh one replaces it (1: a new child per file)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

/* --------------------------------------------------------------- children */

/*
 * The scan children are long-lived (analysis/scanpool.c): one serves
 * identification, one each engine group.  They are forked from this
 * process once its engines are loaded, confined once, and receive each
 * file's fd; a crash or timeout fails that file's request only and the
 * child is replaced.
 */

/* Details options from a request's "opts" (see details_params). */
static int
opts_from_json(json_object *o, struct pn_details_opts *d)
{
	json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return 0;
	memset(d, 0, sizeof(*d));
	if (json_object_object_get_ex(o, "children_dir", &v) && json_object_is_type(v, json_type_string))
		d->children_dir = json_object_get_string(v);
	if (json_object_object_get_ex(o, "password", &v) && json_object_is_type(v, json_type_string))
		d->password = json_object_get_string(v);
	if (json_object_object_get_ex(o, "depth", &v))
		d->depth = json_object_get_int(v);
	if (json_object_object_get_ex(o, "max_depth", &v))
		d->max_depth = json_object_get_int(v);
	if (json_object_object_get_ex(o, "max_members", &v))
		d->max_members = (unsigned)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "max_member_size", &v))
		d->max_member_size = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "max_total", &v))
		d->max_total = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "max_ratio", &v))
		d->max_ratio = (unsigned)json_object_get_int64(v);
	return 1;
}

static json_object *
opts_to_json(const struct pn_details_opts *d)
{
	json_object *o = json_object_new_object();

	if (d->children_dir)
		json_object_object_add(o, "children_dir", json_object_new_string(d->children_dir));
	if (d->password)
		json_object_object_add(o, "password", json_object_new_string(d->password));
	json_object_object_add(o, "depth", json_object_new_int(d->depth));
	json_object_object_add(o, "max_depth", json_object_new_int(d->max_depth));
	json_object_object_add(o, "max_members", json_object_new_int64(d->max_members));
	json_object_object_add(o, "max_member_size", json_object_new_int64((int64_t)d->max_member_size));
	json_object_object_add(o, "max_total", json_object_new_int64((int64_t)d->max_total));
	json_object_object_add(o, "max_ratio", json_object_new_int64(d->max_ratio));
	return o;
}

/* analysis.details = type: what identification says of the type, nothing more. */
static char *
type_only(const struct pn_scan_target *t)
{
	json_object *o = json_object_new_object(), *tags = json_object_new_array();
	struct pn_ident id;
	const char *p;
	char *res;

	(void)pn_identify(t->data ? t->data : (const uint8_t *)"", t->size, t->name, &id);
	if (id.magic[0])
		json_object_object_add(o, "magic", json_object_new_string(id.magic));
	if (id.mime[0])
		json_object_object_add(o, "mime_type", json_object_new_string(id.mime));
	if (id.description)
		json_object_object_add(o, "type_description", json_object_new_string(id.description));
	if (id.tag)
		json_object_object_add(o, "type_tag", json_object_new_string(id.tag));
	if (id.extension)
		json_object_object_add(o, "type_extension", json_object_new_string(id.extension));
	for (p = id.type_tags ? id.type_tags : ""; *p != '\0'; ) {
		size_t k = strcspn(p, " ");
		if (k > 0)
			json_object_array_add(tags, json_object_new_string_len(p, (int)k));
		p += k;
		p += strspn(p, " ");
	}
	json_object_object_add(o, "type_tags", tags);
	res = pn_xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return res;
}

static char *
details_child(void *arg, json_object *params, const struct pn_scan_target *t)
{
	struct pn_details_opts d;
	json_object *o = NULL;

	json_object *magic = NULL, *mime = NULL;

	if (json_object_object_get_ex(params, "type_only", &o) && json_object_get_boolean(o))
		return type_only(t);
	o = NULL;
	json_object_object_get_ex(params, "opts", &o);
	/* libmagic's answers from the type check, when the parent passes them on */
	if (!json_object_object_get_ex(params, "magic", &magic) ||
	    !json_object_is_type(magic, json_type_string) ||
	    !json_object_object_get_ex(params, "mime_type", &mime) ||
	    !json_object_is_type(mime, json_type_string))
		magic = mime = NULL;
	return pn_identify_details_known(t->data, t->size, t->name,
	    opts_from_json(o, &d) ? &d : NULL, magic ? json_object_get_string(magic) : NULL,
	    mime ? json_object_get_string(mime) : NULL);
}

/*
 * Engines of one adapter kind (the YARA packs, say) share a child: they
 * are loaded in one process anyway, and a kind with a scan_group op scans
 * for all of them in one pass.  The light engines (PN_ENGINE_SHARE_CHILD)
 * share one too.  A request names the engines to run ("run": positions in
 * the group); the child answers a JSON array, one verdict (or null) per
 * engine of its group.
 */
struct group {
	struct pn_engine **e;   /* engines of one kind, in set order */
	size_t *idx;            /* their positions in the set */
	size_t n;
	size_t slot;            /* its child in the pool */
	int early;              /* every engine judges every type blind: starts beside the type check */
	/* per file */
	char *want;             /* engines to run on this file */
	int timeout_s;          /* sum of theirs: they run one after another */
};

static json_object *
verdict_to_json(const struct pn_verdict *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "category", json_object_new_string(pn_category_name(v->category)));
	json_object_object_add(o, "result", v->result ? json_object_new_string(v->result) : NULL);
	if (v->method)
		json_object_object_add(o, "method", json_object_new_string(v->method));
	if (v->details)
		json_object_object_add(o, "details", json_object_get(v->details));
	return o;
}

/* Run the engines in v (all of one group); slots of failed scans stay NULL. */
static void
run_engines(struct pn_engine **v, size_t m, const struct pn_scan_target *t, json_object **res)
{
	struct pn_verdict *out = pn_xcalloc(m + 1, sizeof(*out));
	int *rc = pn_xcalloc(m + 1, sizeof(*rc));
	size_t i;

	if (m > 1 && v[0]->ops->scan_group != NULL) {
		for (i = 1; i < m && v[i]->ops == v[0]->ops; i++)
			;
		if (i == m)
			v[0]->ops->scan_group(v, m, t, out, rc);
		else
			for (i = 0; i < m; i++)
				rc[i] = v[i]->ops->scan(v[i], t, &out[i]);
	} else {
		for (i = 0; i < m; i++)
			rc[i] = v[i]->ops->scan(v[i], t, &out[i]);
	}
	for (i = 0; i < m; i++) {
		res[i] = rc[i] == PN_OK ? verdict_to_json(&out[i]) : NULL;
		pn_verdict_release(&out[i]);
	}
	free(out);
	free(rc);
}

static char *
group_child(void *arg, json_object *params, const struct pn_scan_target *t)
{
	struct group *g = arg;
	json_object *run = NULL, *arr = json_object_new_array(), **res;
	struct pn_engine **v = pn_xcalloc(g->n + 1, sizeof(*v));
	size_t *pos = pn_xcalloc(g->n + 1, sizeof(*pos)), i, m = 0, len;
	char *out;

	json_object_object_get_ex(params, "run", &run);
	len = json_object_is_type(run, json_type_array) ? json_object_array_length(run) : 0;
	for (i = 0; i < len && m < g->n; i++) {
		int64_t k = json_object_get_int64(json_object_array_get_idx(run, i));
		if (k >= 0 && (size_t)k < g->n) {
			v[m] = g->e[k];
			pos[m++] = (size_t)k;
		}
	}
	res = pn_xcalloc(g->n + 1, sizeof(*res));
	{
		json_object **got = pn_xcalloc(m + 1, sizeof(*got));
		run_engines(v, m, t, got);
		for (i = 0; i < m; i++) {
			json_object_put(res[pos[i]]);
			res[pos[i]] = got[i];
		}
		free(got);
	}
	for (i = 0; i < g->n; i++)
		json_object_array_add(arr, res[i]);
	out = pn_xstrdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	free(res);
	free(v);
	free(pos);
	return out;
}

/* One engine's verdict from its group's request end and answer. */
static void
engine_verdict(enum pn_child_end end, json_object *answer, size_t k, struct pn_verdict *v)
{
	json_object *o, *cat, *res, *meth, *det;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	if (end == PN_CHILD_TIMEOUT) {
		v->category = PN_CAT_TIMEOUT;
		return;
	}
	if (end != PN_CHILD_OK || answer == NULL || k >= json_object_array_length(answer))
		return;
	o = json_object_array_get_idx(answer, k);
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return;
	if (json_object_object_get_ex(o, "category", &cat) &&
	    pn_category_parse(json_object_get_string(cat), &v->category) != PN_OK)
		v->category = PN_CAT_FAILURE;
	if (json_object_object_get_ex(o, "result", &res) && json_object_is_type(res, json_type_string))
		v->result = pn_xstrdup(json_object_get_string(res));
	if (json_object_object_get_ex(o, "method", &meth) && json_object_is_type(meth, json_type_string))
		v->method = pn_xstrdup(json_object_get_string(meth));
	if (json_object_object_get_ex(o, "details", &det) && json_object_is_type(det, json_type_object))
		v->details = json_object_get(det);
}

/* The group of engine e's kind (or of every light engine), made on first use. */
static struct group *
group_for(struct group *groups, size_t *ngroups, size_t cap, struct pn_engine *e)
{
	size_t i;

	for (i = 0; i < *ngroups; i++) {
		const struct pn_engine *g = groups[i].e[0];
		if (g->confine_flags == e->confine_flags &&
		    (g->ops == e->ops || (e->confine_flags & PN_ENGINE_SHARE_CHILD)))
			return &groups[i];
	}
	groups[*ngroups].e = pn_xcalloc(cap, sizeof(struct pn_engine *));
	groups[*ngroups].idx = pn_xcalloc(cap, sizeof(size_t));
	groups[*ngroups].want = pn_xcalloc(cap, 1);
	return &groups[(*ngroups)++];
}

/* --------------------------------------------------------------- the pool */

static struct {
	struct pn_scanpool *sp;
	pid_t owner;            /* the process whose children they are */
	struct pn_engine **v;   /* the engine set served */
	size_t n;
	struct group *groups;
	size_t ngroups;
	size_t ident;           /* identification's slot */
	size_t type;            /* the quick type check's slot (runs before the engines) */
} pool;

static void
pool_drop(int kill_children)
{
	size_t i;

	if (pool.sp == NULL)
		return;
	if (kill_children)
		pn_scanpool_free(pool.sp);
	else
		pn_scanpool_forget(pool.sp);
	for (i = 0; i < pool.ngroups; i++) {
		free(pool.groups[i].e);
		free(pool.groups[i].idx);
		free(pool.groups[i].want);
	}
	free(pool.groups);
	memset(&pool, 0, sizeof(pool));
}

void
pn_analysis_pool_reset(void)
{
	pool_drop(pool.owner == getpid());
}

void
pn_analysis_engines_reloaded(struct pn_engines *engines)
{
	pn_engines_prepare(engines);
	pn_analysis_pool_reset();
}

/* The pool for this process and engine set, made (or remade) as needed. */
static void
pool_ensure(const struct pn_conf *conf, struct pn_engines *engines, int timeout)
{
	struct pn_confine cf = pn_job_confinement(conf, timeout);
	int64_t max;
	size_t i, k;

	if (pool.sp != NULL && pool.owner != getpid())
		pool_drop(0);
	if (pool.sp != NULL && (pool.v != engines->v || pool.n != engines->n))
		pool_drop(1);
	if (pool.sp != NULL)
		return;
	max = pn_conf_get_int(conf, "analysis.child_max_files");
	pool.sp = pn_scanpool_new(max >= 1 && max <= PN_SCANPOOL_MAX_REQUESTS ? (unsigned)max : 2000);
	pool.owner = getpid();
	(void)pn_identify_init();   /* libmagic loaded once, inherited by the children */
	pool.v = engines->v;
	pool.n = engines->n;
	pool.ident = pn_scanpool_add(pool.sp, &cf, details_child, NULL);
	pool.type = pn_scanpool_add(pool.sp, &cf, details_child, NULL);
	pool.groups = pn_xcalloc(engines->n + 1, sizeof(*pool.groups));
	for (i = 0; i < engines->n; i++) {
		struct group *g = group_for(pool.groups, &pool.ngroups, engines->n, engines->v[i]);
		g->e[g->n] = engines->v[i];
		g->idx[g->n++] = i;
	}
	for (i = 0; i < pool.ngroups; i++) {
		struct pn_engine *e = pool.groups[i].e[0];
		cf.allow_net = (e->confine_flags & PN_ENGINE_NEEDS_NET) != 0;
		cf.allow_exec = (e->confine_flags & PN_ENGINE_NEEDS_EXEC) != 0;
		pool.groups[i].slot = pn_scanpool_add(pool.sp, &cf, group_child, &pool.groups[i]);
		pool.groups[i].early = 1;
		for (k = 0; k < pool.groups[i].n; k++) {
			const struct pn_engine *g = pool.groups[i].e[k];
			if (!(g->confine_flags & PN_ENGINE_TYPE_BLIND) || g->types[0] != '\0')
				pool.groups[i].early = 0;
		}
	}
}

/* A request's parameters: the name, type tag and hashes the children may use. */
static json_object *
params_new(const char *name, const char *tag, const struct pn_analyse_opts *o)
{
	json_object *p = json_object_new_object();

	if (name)
		json_object_object_add(p, "name", json_object_new_string(name));
	if (tag)
		json_object_object_add(p, "type_tag", json_object_new_string(tag));
	if (o && o->md5)
		json_object_object_add(p, "md5", json_object_new_string(o->md5));
	if (o && o->sha1)
		json_object_object_add(p, "sha1", json_object_new_string(o->sha1));
	if (o && o->sha256)
		json_object_object_add(p, "sha256", json_object_new_string(o->sha256));
	return p;
}

/* The text of p (which is released). */
static char *
params_text(json_object *p)
{
	char *s = pn_xstrdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));

	json_object_put(p);
	return s;
}

/*
 * Engines' evidence (matched rules and strings, heuristic reasons) goes
 * into the file's details as "engine_details": {engine name: details},
 * and the labels' classification as "popular_threat_classification".
 */
static char *
add_engine_details(char *details, const struct pn_engine_outcome *out, size_t n)
{
	json_object *o, *ed = NULL, *ptc = pn_threat_classify_outcomes(out, n);
	char *res;
	size_t i;

	for (i = 0; i < n; i++) {
		if (out[i].v.details == NULL)
			continue;
		if (ed == NULL)
			ed = json_object_new_object();
		json_object_object_add(ed, out[i].engine_name, json_object_get(out[i].v.details));
	}
	if (ed == NULL && ptc == NULL)
		return details;
	o = details ? json_tokener_parse(details) : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	if (ed != NULL)
		json_object_object_add(o, "engine_details", ed);
	if (ptc != NULL)
		json_object_object_add(o, "popular_threat_classification", ptc);
	res = pn_xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(details);
	return res;
}

/* Record the relationships parsers found as edges of the file (store/relations.c names them). */
static void
record_edges(struct pn_store *st, const char *sha256, json_object *edges)
{
	size_t i, n = json_object_is_type(edges, json_type_array) ? json_object_array_length(edges) : 0;

	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(edges, i), *rel, *type, *id;
		if (!json_object_object_get_ex(e, "rel", &rel) || !json_object_object_get_ex(e, "type", &type) ||
		    !json_object_object_get_ex(e, "id", &id) || !pn_file_relationship_known(json_object_get_string(rel)))
			continue;
		const char *ty = json_object_get_string(type), *oid = json_object_get_string(id);
		char uid[65];
		/* URLs, domains and addresses become objects of their own (issue 5). */
		if (strcmp(ty, "url") == 0) {
			if (pn_netjob_seen_url(st, oid, "file", sha256, uid) != PN_OK)
				continue;
			oid = uid;
		} else if ((strcmp(ty, "domain") == 0 || strcmp(ty, "ip_address") == 0) &&
		    pn_netjob_seen_object(st, ty, oid, -1) != PN_OK) {
			continue;
		}
		if (pn_store_edge_add(st, "file", sha256, json_object_get_string(rel), ty, oid,
		    NULL) != PN_OK)
			log_warnx("job: could not record a %s edge of %s", json_object_get_string(rel), sha256);
	}
}

/*
 * type_tag from the type check's answer (*tag), and it with the type_tags
 * words, space-separated (*words), for engines that judge only some types.
 */
static void
details_types(json_object *o, char **tag, char **words)
{
	json_object *t;
	struct pn_buf b = PN_BUF_INIT;
	size_t i;

	*tag = *words = NULL;
	if (o == NULL)
		return;
	if (json_object_object_get_ex(o, "type_tag", &t) && json_object_is_type(t, json_type_string)) {
		*tag = pn_xstrdup(json_object_get_string(t));
		pn_buf_puts(&b, *tag);
	}
	if (json_object_object_get_ex(o, "type_tags", &t) && json_object_is_type(t, json_type_array))
		for (i = 0; i < json_object_array_length(t); i++) {
			json_object *w = json_object_array_get_idx(t, i);
			if (json_object_is_type(w, json_type_string)) {
				pn_buf_putc(&b, ' ');
				pn_buf_puts(&b, json_object_get_string(w));
			}
		}
	*words = b.len ? pn_buf_steal(&b, NULL) : NULL;
	pn_buf_release(&b);
}

/*
 * An identification request's parameters: the type only, or full details
 * (typed: the type check's parsed answer, whose libmagic strings are
 * passed on so that libmagic does not run twice on the file).
 */
static char *
identify_params(const char *name, const struct pn_analyse_opts *o, int type_only,
    json_object *typed)
{
	json_object *p = params_new(name, NULL, o), *v;

	if (o && o->dopts && !type_only)
		json_object_object_add(p, "opts", opts_to_json(o->dopts));
	if (type_only)
		json_object_object_add(p, "type_only", json_object_new_boolean(1));
	if (!type_only && typed != NULL) {
		if (json_object_object_get_ex(typed, "magic", &v) && json_object_is_type(v, json_type_string))
			json_object_object_add(p, "magic", json_object_get(v));
		if (json_object_object_get_ex(typed, "mime_type", &v) &&
		    json_object_is_type(v, json_type_string))
			json_object_object_add(p, "mime_type", json_object_get(v));
	}
	return params_text(p);
}

/* The details JSON of a finished identification request, or NULL (logged). */
static char *
identify_answer(struct pn_scanpool_req *r)
{
	char *out = NULL;

	if (r->end == PN_CHILD_OK && r->out.len > 0)
		out = pn_buf_steal(&r->out, NULL);
	else
		log_warnx("job: identification failed (%s)",
		    r->end == PN_CHILD_TIMEOUT ? "timeout" : "crash");
	pn_buf_release(&r->out);
	return out;
}

/* ---------------------------------------------------------- result cache */

/*
 * The signature version the cache keys an engine's verdicts by: the
 * adapter's (or the update date), then the digest of its options.
 */
static const char *
sigver_of(const struct pn_engine *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", e->sigver[0] ? e->sigver : e->update,
	    e->confsig[0] ? "/" : "", e->confsig);
	return buf;
}

/* A cached verdict of e that is still current, or NULL. */
static const struct pn_cached_verdict *
cache_find(const struct pn_cached_verdict *c, size_t n, const struct pn_engine *e)
{
	char sv[sizeof(c->sigver)];
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].engine, e->name) == 0 && strcmp(c[i].version, e->version) == 0 &&
		    strcmp(c[i].sigver, sigver_of(e, sv, sizeof(sv))) == 0)
			return &c[i];
	return NULL;
}

/* A cached row as a verdict, its details marked "cached": true. */
static int
cache_take(const struct pn_cached_verdict *c, struct pn_verdict *v)
{
	json_object *d = c->details ? json_tokener_parse(c->details) : NULL;

	memset(v, 0, sizeof(*v));
	if (pn_category_parse(c->category, &v->category) != PN_OK) {
		json_object_put(d);
		v->category = PN_CAT_FAILURE;
		return PN_EINVAL;
	}
	v->result = c->result ? pn_xstrdup(c->result) : NULL;
	v->method = c->method ? pn_xstrdup(c->method) : NULL;
	if (d == NULL || !json_object_is_type(d, json_type_object)) {
		json_object_put(d);
		d = json_object_new_object();
	}
	json_object_object_add(d, "cached", json_object_new_boolean(1));
	v->details = d;
	return PN_OK;
}

/* Verdicts worth keeping: not timeouts or failures, which a rescan should retry. */
static int
cacheable(enum pn_category c)
{
	return c != PN_CAT_TIMEOUT && c != PN_CAT_CONFIRMED_TIMEOUT && c != PN_CAT_FAILURE;
}

/* Store the verdicts of the engines that ran (ran[i]) on this file. */
static void
cache_put(struct pn_store *st, const char *sha256, struct pn_engines *engines,
    const struct pn_engine_outcome *out, const char *ran)
{
	struct pn_cached_verdict *c = pn_xcalloc(engines->n + 1, sizeof(*c));
	size_t i, n = 0;

	for (i = 0; i < engines->n; i++) {
		const struct pn_engine *e = engines->v[i];
		if (!ran[i] || !cacheable(out[i].v.category))
			continue;
		pn_strlcpy(c[n].engine, e->name, sizeof(c[n].engine));
		pn_strlcpy(c[n].version, e->version, sizeof(c[n].version));
		sigver_of(e, c[n].sigver, sizeof(c[n].sigver));
		pn_strlcpy(c[n].category, pn_category_name(out[i].v.category), sizeof(c[n].category));
		c[n].result = out[i].v.result;
		c[n].method = out[i].v.method;
		c[n].details = out[i].v.details ? pn_xstrdup(json_object_to_json_string_ext(
		    out[i].v.details, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) : NULL;
		c[n].date = pn_now();
		n++;
	}
	if (pn_store_verdict_cache_put(st, sha256, c, n) != PN_OK)
		log_warnx("job: could not cache the verdicts on %s", sha256);
	for (i = 0; i < n; i++)
		free(c[i].details);
	free(c);
}

/* ------------------------------------------------------------ the engines */

/*
 * An engine's outcome is settled before anything runs when it did not load
 * (failure), the file is over its size limit (type-unsupported) or its
 * verdict is cached; settled[i] = 1 then.  Resets the groups' per-file lists.
 */
static void
engines_settle(struct pn_engines *engines, uint64_t size, const struct pn_cached_verdict *cached,
    size_t ncached, struct pn_engine_outcome *out, char *settled)
{
	size_t i;

	for (i = 0; i < pool.ngroups; i++) {
		memset(pool.groups[i].want, 0, pool.groups[i].n);
		pool.groups[i].timeout_s = 0;
	}
	for (i = 0; i < engines->n; i++) {
		struct pn_engine *e = engines->v[i];
		const struct pn_cached_verdict *c;
		out[i].engine_name = e->name;
		out[i].engine_version = e->version;
		out[i].engine_update = e->update;
		out[i].v.category = PN_CAT_FAILURE;
		settled[i] = 1;
		if (e->error[0])
			continue;
		if (e->max_size && size > e->max_size) {
			out[i].v.category = PN_CAT_TYPE_UNSUPPORTED;
			continue;
		}
		if ((c = cache_find(cached, ncached, e)) != NULL && cache_take(c, &out[i].v) == PN_OK)
			continue;
		settled[i] = 0;
	}
}

/*
 * Choose which unsettled engines of the early groups (early = 1: they judge
 * every type without being told it) or of the others (early = 0, once the
 * file's type words are known) run on this file: ran[i] = 1, or
 * type-unsupported when the engine does not judge the type.
 */
static void
engines_choose(struct pn_engines *engines, int early, const char *types,
    struct pn_engine_outcome *out, const char *settled, char *ran)
{
	size_t k, j;

	for (k = 0; k < pool.ngroups; k++) {
		struct group *g = &pool.groups[k];
		if (g->early != early)
			continue;
		for (j = 0; j < g->n; j++) {
			size_t i = g->idx[j];
			struct pn_engine *e = engines->v[i];
			if (settled[i] || ran[i])
				continue;
			if (!early && !pn_engine_accepts(e, types)) {
				out[i].v.category = PN_CAT_TYPE_UNSUPPORTED;
				continue;
			}
			ran[i] = 1;
			g->want[j] = 1;
			g->timeout_s += e->timeout_s;
		}
	}
}

/*
 * One file's requests to the scan children, started in batches: the type
 * check and the early groups at once; the full identification and the
 * other groups when the type is known.  group[i] is the request's group,
 * or NO_GROUP for identification.
 */
#define NO_GROUP ((size_t)-1)
struct plan {
	struct pn_scanpool_req *r;
	char **params;
	size_t *group;
	size_t n, started;
};

static void
plan_init(struct plan *pl)
{
	size_t cap = pool.ngroups + 3;

	pl->r = pn_xcalloc(cap, sizeof(*pl->r));
	pl->params = pn_xcalloc(cap, sizeof(*pl->params));
	pl->group = pn_xcalloc(cap, sizeof(*pl->group));
	pl->n = pl->started = 0;
}

/* Add a request (params is taken); returns its index. */
static size_t
plan_add(struct plan *pl, size_t slot, char *params, int timeout_s, size_t group)
{
	size_t i = pl->n++;

	pl->r[i].slot = slot;
	pl->r[i].params = params;
	pl->r[i].timeout_s = timeout_s;
	pl->params[i] = params;
	pl->group[i] = group;
	return i;
}

/* Start the requests added since the last start. */
static void
plan_start(struct plan *pl, int fd)
{
	pn_scanpool_start(pool.sp, fd, &pl->r[pl->started], pl->n - pl->started);
	pl->started = pl->n;
}

static void
plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		pn_buf_release(&pl->r[i].out);
		free(pl->params[i]);
	}
	free(pl->r);
	free(pl->params);
	free(pl->group);
}

/* Add a request for every early (or other) group with engines to run. */
static void
plan_groups(struct plan *pl, int early, const char *name, const char *tag,
    const struct pn_analyse_opts *o)
{
	size_t i, k;

	for (i = 0; i < pool.ngroups; i++) {
		struct group *g = &pool.groups[i];
		json_object *run, *p;
		if (g->early != early)
			continue;
		run = json_object_new_array();
		for (k = 0; k < g->n; k++)
			if (g->want[k])
				json_object_array_add(run, json_object_new_int64((int64_t)k));
		if (json_object_array_length(run) == 0) {
			json_object_put(run);
			continue;
		}
		p = params_new(name, tag, o);
		json_object_object_add(p, "run", run);
		(void)plan_add(pl, g->slot, params_text(p), g->timeout_s, i);
	}
}

/* The groups' answers as verdicts into out. */
static void
plan_verdicts(struct plan *pl, struct pn_engine_outcome *out)
{
	size_t i, k;

	for (i = 0; i < pl->n; i++) {
		struct group *g;
		json_object *answer;
		if (pl->group[i] == NO_GROUP)
			continue;
		g = &pool.groups[pl->group[i]];
		answer = pl->r[i].out.len ? json_tokener_parse(pl->r[i].out.p) : NULL;
		if (answer && !json_object_is_type(answer, json_type_array)) {
			json_object_put(answer);
			answer = NULL;
		}
		for (k = 0; k < g->n; k++)
			if (g->want[k])
				engine_verdict(pl->r[i].end, answer, k, &out[g->idx[k]].v);
		json_object_put(answer);
	}
}

int
pn_analyse_fd_ex(const struct pn_conf *conf, struct pn_engines *engines, int fd, const char *name,
    const struct pn_analyse_opts *o, char **details, char **results, char **stats)
{
	struct pn_engine_outcome *out;
	struct pn_cached_verdict *cached = NULL;
	struct pn_analyse_opts ho;
	struct plan pl;
	size_t ncached = 0, i, typed_at, ident_at = NO_GROUP;
	int timeout = (int)pn_conf_get_int(conf, "engines.timeout");
	int type_only = (o && o->type_only) || strcmp(pn_conf_get(conf, "analysis.details"), "type") == 0;
	int use_cache = o && o->cache && o->sha256 && pn_conf_get_bool(conf, "analysis.cache");
	struct stat sb;
	char *tag = NULL, *types = NULL, *ran, *settled, *typed;
	json_object *typed_o;

	*details = NULL;
	if (fstat(fd, &sb) != 0)
		return PN_EIO;
	pool_ensure(conf, engines, timeout);
	if (use_cache && pn_store_verdict_cache_get(o->cache, o->sha256, &cached, &ncached) != PN_OK)
		log_warnx("job: result cache unreadable; every engine runs");
	out = pn_xcalloc(engines->n + 1, sizeof(*out));
	ran = pn_xcalloc(engines->n + 1, 1);
	settled = pn_xcalloc(engines->n + 1, 1);
	engines_settle(engines, (uint64_t)sb.st_size, cached, ncached, out, settled);

	/*
	 * 1. At once: what is it (the type decides which other engines run)
	 * and the engines that judge every type blind.
	 */
	plan_init(&pl);
	typed_at = plan_add(&pl, type_only ? pool.ident : pool.type,
	    identify_params(name, o, 1, NULL), timeout, NO_GROUP);
	engines_choose(engines, 1, NULL, out, settled, ran);
	plan_groups(&pl, 1, name, NULL, o);
	plan_start(&pl, fd);

	/* Meanwhile, the caller's hashes; the later engines get them. */
	if (o && o->hashes_out) {
		/* pread: the fd's offset is shared with the children */
		if (pn_hash_fd_at(fd, 0, PN_HASH_CRYPTO, o->hashes_out) != PN_OK)
			log_warnx("job: could not hash the sample");
		ho = *o;
		ho.md5 = o->hashes_out->md5[0] ? o->hashes_out->md5 : NULL;
		ho.sha1 = o->hashes_out->sha1[0] ? o->hashes_out->sha1 : NULL;
		ho.sha256 = o->hashes_out->sha256[0] ? o->hashes_out->sha256 : NULL;
		o = &ho;
	}

	/*
	 * 2. The type known: the engines that judge only some types, and the
	 * rest of the static analysis (parsers, fuzzy hashes) unless only the
	 * type is wanted, given libmagic's answers from the type check.
	 */
	pn_scanpool_wait(pool.sp, pl.r, pl.started, &pl.r[typed_at]);
	typed = identify_answer(&pl.r[typed_at]);
	typed_o = typed ? json_tokener_parse(typed) : NULL;
	details_types(typed_o, &tag, &types);
	if (type_only) {
		*details = typed;
	} else {
		ident_at = plan_add(&pl, pool.ident, identify_params(name, o, 0, typed_o), timeout,
		    NO_GROUP);
		free(typed);
	}
	json_object_put(typed_o);
	engines_choose(engines, 0, types, out, settled, ran);
	plan_groups(&pl, 0, name, tag, o);
	plan_start(&pl, fd);
	pn_scanpool_wait(pool.sp, pl.r, pl.started, NULL);
	if (ident_at != NO_GROUP)
		*details = identify_answer(&pl.r[ident_at]);
	plan_verdicts(&pl, out);
	plan_free(&pl);

	if (use_cache)
		cache_put(o->cache, o->sha256, engines, out, ran);
	pn_aggregate(out, engines->n, results, stats);
	*details = add_engine_details(*details, out, engines->n);

	for (i = 0; i < engines->n; i++)
		pn_verdict_release(&out[i].v);
	pn_cached_verdicts_free(cached, ncached);
	free(out);
	free(ran);
	free(settled);
	free(tag);
	free(types);
	return PN_OK;
}

int
pn_analyse_fd(const struct pn_conf *conf, struct pn_engines *engines, int fd, const char *name,
    const struct pn_details_opts *dopts, char **details, char **results, char **stats)
{
	struct pn_analyse_opts o;

	memset(&o, 0, sizeof(o));
	o.dopts = dopts;
	return pn_analyse_fd_ex(conf, engines, fd, name, &o, details, results, stats);
}

/* ------------------------------------------------------ contained files */

/* A private directory for the files unpacked from this job's sample. */
static char *
children_dir(const char *datadir, const struct pn_job *job)
{
	char *dir = pn_xasprintf("%s/tmp/job-%lld-XXXXXX", datadir, (long long)job->id);

	if (mkdtemp(dir) == NULL) {
		log_warn("job: mkdtemp %s", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void
remove_dir(const char *dir)
{
	DIR *d;
	struct dirent *de;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

static void
details_opts(const struct pn_conf *conf, const struct pn_job *job, const char *dir,
    struct pn_details_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->children_dir = dir;
	o->depth = job->depth;
	o->max_depth = (int)pn_conf_get_int(conf, "archive.max_depth");
	o->password = job->password[0] ? job->password : NULL;
	o->max_members = (unsigned)pn_conf_get_int(conf, "archive.max_members");
	o->max_member_size = pn_conf_get_size(conf, "archive.max_member_size");
	o->max_total = pn_conf_get_size(conf, "archive.max_total");
	o->max_ratio = (unsigned)pn_conf_get_int(conf, "archive.max_ratio");
}

/* Store one unpacked file as an object of its own and link it to its parent. */
static int
store_child(struct pn_store *st, const char *datadir, const struct pn_job *job,
    const char *rel, const char *name, const char *path)
{
	struct pn_file_submission sub;
	struct pn_hashes h;
	struct stat sb;
	char aid[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return PN_EIO;
	if (fstat(fd, &sb) != 0 || pn_hash_fd(fd, PN_HASH_CRYPTO, &h) != PN_OK) {
		close(fd);
		return PN_EIO;
	}
	if ((rc = pn_blob_commit(datadir, fd, path, h.sha256)) != PN_OK)
		return rc;
	memset(&sub, 0, sizeof(sub));
	sub.sha256 = h.sha256;
	sub.sha1 = h.sha1;
	sub.md5 = h.md5;
	sub.size = (uint64_t)sb.st_size;
	sub.name = name && *name ? name : NULL;
	sub.user = "panoptes";
	sub.interface = "bundled";
	sub.parent = job->item_id;    /* seen by whoever sees the parent */
	sub.date = pn_now();
	sub.depth = job->depth + 1;
	if ((rc = pn_store_file_submit(st, &sub, aid)) != PN_OK)
		return rc;
	{
		struct pn_buf b = PN_BUF_INIT;
		pn_buf_puts(&b, "{\"name\":");
		pn_buf_json_str(&b, name ? name : "", name ? strlen(name) : 0);
		pn_buf_puts(&b, "}");
		rc = pn_store_edge_add(st, "file", job->item_id, rel, "file", h.sha256, b.p);
		if (rc == PN_OK)
			rc = pn_store_edge_add(st, "file", h.sha256,
			    strcmp(rel, "bundled_files") == 0 ? "compressed_parents" : "execution_parents",
			    "file", job->item_id, NULL);
		pn_buf_release(&b);
	}
	return rc;
}

/* Store each unpacked file the parsers listed. */
static void
record_children(struct pn_store *st, const char *datadir, const struct pn_job *job, json_object *kids)
{
	size_t i, n = json_object_is_type(kids, json_type_array) ? json_object_array_length(kids) : 0;
	size_t stored = 0;

	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(kids, i), *rel, *name, *path;
		const char *ps;
		if (!json_object_object_get_ex(k, "rel", &rel) || !json_object_object_get_ex(k, "name", &name) ||
		    !json_object_object_get_ex(k, "path", &path))
			continue;
		ps = json_object_get_string(path);
		/* Only files inside this job's directory: the child's word is not trusted. */
		if (strstr(ps, "/../") != NULL || strncmp(ps, datadir, strlen(datadir)) != 0)
			continue;
		if (store_child(st, datadir, job, json_object_get_string(rel),
		    json_object_get_string(name), ps) == PN_OK)
			stored++;
	}
	if (stored)
		log_info("job %s: %zu contained file(s) stored and queued", job->analysis_id, stored);
}

/*
 * The identification child's answer carries what the worker must act on
 * beside the attributes: relationships and unpacked files.  Act on them and
 * return the details without them.
 */
static char *
take_out_actions(struct pn_store *st, const char *datadir, const struct pn_job *job, char *details)
{
	json_object *o, *v;
	char *res;

	if (details == NULL || (o = json_tokener_parse(details)) == NULL)
		return details;
	if (json_object_object_get_ex(o, PN_DETAILS_EDGES_KEY, &v))
		record_edges(st, job->item_id, v);
	if (json_object_object_get_ex(o, PN_DETAILS_CHILDREN_KEY, &v))
		record_children(st, datadir, job, v);
	json_object_object_del(o, PN_DETAILS_EDGES_KEY);
	json_object_object_del(o, PN_DETAILS_CHILDREN_KEY);
	res = pn_xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(details);
	return res;
}

int
pn_job_run(struct pn_store *st, const struct pn_conf *conf, const char *datadir,
    struct pn_engines *engines, const struct pn_job *job)
{
	char *details = NULL, *results = NULL, *stats = NULL;
	int64_t t0 = pn_mono_ms();
	int fd, rc;

	rc = pn_blob_open(datadir, job->item_id, &fd);
	if (rc != PN_OK) {
		log_warnx("job %s: sample %s is missing from the blob store", job->analysis_id,
		    job->item_id);
		pn_aggregate_set_failed(engines, &results, &stats);
	} else {
		struct pn_details_opts dopts;
		char *dir = children_dir(datadir, job);
		details_opts(conf, job, dir, &dopts);
		struct pn_analyse_opts ao;
		memset(&ao, 0, sizeof(ao));
		ao.dopts = &dopts;
		ao.sha256 = job->item_id;   /* the blob's name: its verified sha256 */
		ao.cache = st;
		rc = pn_analyse_fd_ex(conf, engines, fd, NULL, &ao, &details, &results, &stats);
		close(fd);
		if (rc == PN_OK)
			details = take_out_actions(st, datadir, job, details);
		remove_dir(dir);
		free(dir);
		if (rc != PN_OK) {
			log_warnx("job %s: %s", job->analysis_id, pn_strerror(rc));
			return rc;
		}
	}
	rc = pn_store_job_finish(st, job, details, results, stats);
	log_info("job %s (%s) done in %lld ms: %s", job->analysis_id, job->item_id,
	    (long long)(pn_mono_ms() - t0), stats ? stats : "");
	free(details);
	free(results);
	free(stats);
	return rc;
}
