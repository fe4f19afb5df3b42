/*
 * job.c - one analysis: identify the file, then run every engine, each in
 * its own confined child with a wall-clock limit, and record the results.
 *
 * Children write one JSON document to a pipe (at most
 * PN_ANALYSIS_RESULT_MAX bytes) and exit.  The parent never parses the
 * sample: it reads children's JSON, and maps what went wrong to VirusTotal
 * categories - a child killed by a signal or exiting without an answer is
 * "failure", one past its deadline is killed and is "timeout", a file over
 * an engine's size limit is "type-unsupported" without running it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "worker.h"
#include "child.h"
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

/* --------------------------------------------------------------- children */

static char *
details_child(void *arg, const struct pn_scan_target *t)
{
	return pn_identify_details_ex(t->data, t->size, t->name, arg);
}

/*
 * Engines of one adapter kind (the YARA packs, say) share a child: they
 * are loaded in one process anyway, and one fork per kind instead of one
 * per engine keeps a file's cost flat as packs are added.  The child
 * answers a JSON array, one verdict (or null) per engine of its group.
 */
struct group {
	struct pn_engine **e;   /* engines of one kind, in set order */
	size_t *idx;            /* their positions in the set */
	size_t n;
	int timeout_s;          /* sum of theirs: they run one after another */
};

static json_object *
verdict_json(struct pn_engine *e, const struct pn_scan_target *t)
{
	struct pn_verdict v;
	json_object *o;

	memset(&v, 0, sizeof(v));
	if (e->ops->scan(e, t, &v) != PN_OK) {
		pn_verdict_release(&v);
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "category", json_object_new_string(pn_category_name(v.category)));
	json_object_object_add(o, "result", v.result ? json_object_new_string(v.result) : NULL);
	if (v.method)
		json_object_object_add(o, "method", json_object_new_string(v.method));
	if (v.details)
		json_object_object_add(o, "details", json_object_get(v.details));
	pn_verdict_release(&v);
	return o;
}

static char *
group_child(void *arg, const struct pn_scan_target *t)
{
	struct group *g = arg;
	json_object *arr = json_object_new_array();
	char *out;
	size_t i;

	for (i = 0; i < g->n; i++)
		json_object_array_add(arr, verdict_json(g->e[i], t));
	out = pn_xstrdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return out;
}

/* One engine's verdict from its group child's end and answer. */
static void
engine_verdict(const struct pn_child *c, json_object *answer, size_t k, struct pn_verdict *v)
{
	json_object *o, *cat, *res, *meth, *det;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	if (c->end == PN_CHILD_TIMEOUT) {
		v->category = PN_CAT_TIMEOUT;
		return;
	}
	if (c->end != PN_CHILD_OK || answer == NULL || k >= json_object_array_length(answer))
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
	return &groups[(*ngroups)++];
}

/*
 * Engines' evidence (matched rules and strings, heuristic reasons) goes
 * into the file's details as "engine_details": {engine name: details}.
 */
static char *
add_engine_details(char *details, const struct pn_engine_outcome *out, size_t n)
{
	json_object *o, *ed = NULL;
	char *res;
	size_t i;

	for (i = 0; i < n; i++) {
		if (out[i].v.details == NULL)
			continue;
		if (ed == NULL)
			ed = json_object_new_object();
		json_object_object_add(ed, out[i].engine_name, json_object_get(out[i].v.details));
	}
	if (ed == NULL)
		return details;
	o = details ? json_tokener_parse(details) : NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	json_object_object_add(o, "engine_details", ed);
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

/* type_tag from the details JSON, for engines that accept only some types. */
static char *
details_type_tag(const char *details)
{
	json_object *o, *t;
	char *tag = NULL;

	if (details == NULL || (o = json_tokener_parse(details)) == NULL)
		return NULL;
	if (json_object_object_get_ex(o, "type_tag", &t) && json_object_is_type(t, json_type_string))
		tag = pn_xstrdup(json_object_get_string(t));
	json_object_put(o);
	return tag;
}

int
pn_analyse_fd(const struct pn_conf *conf, struct pn_engines *engines, int fd, const char *name,
    const struct pn_details_opts *dopts, char **details, char **results, char **stats)
{
	struct pn_scan_target t;
	struct pn_engine_outcome *out;
	struct pn_child det, *ch;
	struct group *groups;
	size_t ngroups = 0, i;
	int timeout = (int)pn_conf_get_int(conf, "engines.timeout");
	struct pn_confine cf = pn_job_confinement(conf, timeout);
	struct pn_details_opts dcopy;
	struct stat sb;
	void *map = NULL;
	char *tag;

	*details = NULL;
	if (fstat(fd, &sb) != 0)
		return PN_EIO;
	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.size = (size_t)sb.st_size;
	t.name = name;
	if (t.size > 0) {
		map = mmap(NULL, t.size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			return PN_EIO;
		t.data = map;
	}

	/* 1. What is it?  Types decide which engines run. */
	if (dopts)
		dcopy = *dopts;
	if (pn_child_start(&det, &cf, timeout, details_child, dopts ? &dcopy : NULL, &t) == PN_OK) {
		pn_children_wait(&det, 1);
		if (det.end == PN_CHILD_OK && det.out.len > 0)
			*details = pn_buf_steal(&det.out, NULL);
		else
			log_warnx("job: identification failed (%s)",
			    det.end == PN_CHILD_TIMEOUT ? "timeout" : "crash");
		pn_buf_release(&det.out);
	}
	tag = details_type_tag(*details);
	t.type_tag = tag;

	/* 2. Every engine kind at once, each in its child. */
	out = pn_xcalloc(engines->n + 1, sizeof(*out));
	groups = pn_xcalloc(engines->n + 1, sizeof(*groups));
	for (i = 0; i < engines->n; i++) {
		struct pn_engine *e = engines->v[i];
		struct group *g;
		out[i].engine_name = e->name;
		out[i].engine_version = e->version;
		out[i].engine_update = e->update;
		out[i].v.category = PN_CAT_FAILURE;
		if (e->error[0])
			continue;
		if (e->max_size && t.size > e->max_size) {
			out[i].v.category = PN_CAT_TYPE_UNSUPPORTED;
			continue;
		}
		g = group_for(groups, &ngroups, engines->n, e);
		g->e[g->n] = e;
		g->idx[g->n++] = i;
		g->timeout_s += e->timeout_s;
	}
	ch = pn_xcalloc(ngroups + 1, sizeof(*ch));
	for (i = 0; i < ngroups; i++) {
		struct pn_engine *e = groups[i].e[0];
		cf.cpu_seconds = groups[i].timeout_s + 1;
		cf.allow_net = (e->confine_flags & PN_ENGINE_NEEDS_NET) != 0;
		cf.allow_exec = (e->confine_flags & PN_ENGINE_NEEDS_EXEC) != 0;
		if (pn_child_start(&ch[i], &cf, groups[i].timeout_s, group_child, &groups[i], &t) != PN_OK) {
			ch[i].done = 1;
			ch[i].end = PN_CHILD_FAILED;
			ch[i].pid = -1;
			ch[i].fd = -1;
		}
	}
	pn_children_wait(ch, ngroups);
	for (i = 0; i < ngroups; i++) {
		json_object *answer = ch[i].out.len ? json_tokener_parse(ch[i].out.p) : NULL;
		size_t k;
		if (answer && !json_object_is_type(answer, json_type_array)) {
			json_object_put(answer);
			answer = NULL;
		}
		for (k = 0; k < groups[i].n; k++)
			engine_verdict(&ch[i], answer, k, &out[groups[i].idx[k]].v);
		json_object_put(answer);
		pn_buf_release(&ch[i].out);
		free(groups[i].e);
		free(groups[i].idx);
	}
	pn_aggregate(out, engines->n, results, stats);
	*details = add_engine_details(*details, out, engines->n);

	for (i = 0; i < engines->n; i++)
		pn_verdict_release(&out[i].v);
	free(out);
	free(ch);
	free(groups);
	free(tag);
	if (map)
		munmap(map, t.size);
	return PN_OK;
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
		rc = pn_analyse_fd(conf, engines, fd, NULL, &dopts, &details, &results, &stats);
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
