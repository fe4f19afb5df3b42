/*
 * netjob.c - the analysis of a URL, a domain or an IP address (issue 5).
 *
 * Everything that talks to the network or parses what comes back (HTTP,
 * HTML, DNS answers, WHOIS text) runs in one confined child per job that
 * may use sockets but nothing else the seccomp filter refuses; it answers
 * with one JSON document.  The worker then runs the URL/domain/IP engines
 * (engines/netengines.c: they read only short strings), records the
 * details, verdicts, passive-DNS resolutions and relationships, and for a
 * URL whose body was downloaded: stores the body as a file of its own (seen
 * by the groups that see the URL, analysed by the file engines), and adds
 * the file engines' verdict on it as the URL's "Panoptes-Download" column.
 *
 * A network failure is not a failed analysis: the report says what could
 * be learned and why the rest could not (analysis_notes).
 *
 * SPDX-License-Identifier: MIT
 */
#include "worker.h"
#include "aggregate.h"
#include "blob.h"
#include "child.h"
#include "conf.h"
#include "dns.h"
#include "domain.h"
#include "domain_lists.h"
#include "fetch.h"
#include "geoip.h"
#include "hash.h"
#include "netengine.h"
#include "pn_limits.h"
#include "ssrf.h"
#include "store.h"
#include "url.h"
#include "whois.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <unistd.h>

/* VirusTotal's URL/domain/IP stats have these five keys (VT-API.md §5.1). */
static const char *const net_stats_keys[] = {
	"harmless", "malicious", "suspicious", "undetected", "timeout"
};

#define PN_NETJOB_SLACK_S 10       /* the child's deadline past its own timeouts */
#define PN_NETJOB_MAX_HOPS 64      /* hops and resolutions taken from a fetch */

struct netctx {
	const struct pn_conf *conf;
	const char *type, *id;
	const char *url;               /* URL jobs: the canonical URL */
	const char *body_path;         /* URL jobs: where the child saves the body */
};

/* ------------------------------------------------------------- children */

static void
kv_str(struct pn_buf *b, const char *k, const char *v, int comma)
{
	if (comma)
		pn_buf_putc(b, ',');
	pn_buf_json_str(b, k, strlen(k));
	pn_buf_putc(b, ':');
	if (v)
		pn_buf_json_str(b, v, strlen(v));
	else
		pn_buf_puts(b, "null");
}

static char *
fetch_child(void *arg, const struct pn_scan_target *t)
{
	struct netctx *c = arg;
	struct pn_fetch_opts o;
	struct pn_fetch_result r;
	struct pn_buf b;
	size_t i, mark;
	int rc;

	(void)t;
	pn_fetch_opts_init(&o, c->conf);
	o.body_path = c->body_path;
	memset(&r, 0, sizeof(r));
	rc = pn_fetch_url(&o, c->url, &r);
	pn_buf_init(&b, PN_ANALYSIS_RESULT_MAX);
	pn_buf_printf(&b, "{\"rc\":%d", rc);
	kv_str(&b, "error", r.errmsg, 1);
	kv_str(&b, "content_type", r.content_type, 1);
	pn_buf_printf(&b, ",\"body_saved\":%d,\"truncated\":%d,\"details\":", r.body_saved,
	    r.truncated);
	mark = b.len;
	/* It writes the members; the braces are ours. */
	pn_buf_putc(&b, '{');
	if (pn_fetch_result_json(&r, pn_now(), &b) != PN_OK) {
		b.len = mark;
		pn_buf_puts(&b, "{");
	}
	pn_buf_putc(&b, '}');
	pn_buf_puts(&b, ",\"hops\":[");
	for (i = 0; i < r.n_hops && i < PN_NETJOB_MAX_HOPS; i++) {
		pn_buf_puts(&b, i ? ",{" : "{");
		kv_str(&b, "url", r.hops[i].url, 0);
		kv_str(&b, "host", r.hops[i].host, 1);
		kv_str(&b, "ip", r.hops[i].ip, 1);
		pn_buf_printf(&b, ",\"status\":%d}", r.hops[i].status);
	}
	pn_buf_puts(&b, "],\"resolutions\":[");
	for (i = 0; i < r.n_resolutions && i < PN_NETJOB_MAX_HOPS; i++) {
		pn_buf_puts(&b, i ? ",{" : "{");
		kv_str(&b, "host", r.resolutions[i].host, 0);
		kv_str(&b, "ip", r.resolutions[i].ip, 1);
		pn_buf_puts(&b, "}");
	}
	pn_buf_puts(&b, "]}");
	pn_fetch_result_free(&r);
	return pn_buf_steal(&b, NULL);
}

static void
add_whois(json_object *d, const struct pn_whois_result *w, int is_ip)
{
	if (w->text && w->text_len) {
		json_object_object_add(d, "whois", json_object_new_string_len(w->text,
		    (int)w->text_len));
		json_object_object_add(d, "whois_date", json_object_new_int64(pn_now()));
	}
	if (is_ip) {
		if (w->rir[0])
			json_object_object_add(d, "regional_internet_registry",
			    json_object_new_string(w->rir));
		return;
	}
	if (w->registrar[0])
		json_object_object_add(d, "registrar", json_object_new_string(w->registrar));
	if (w->creation_date)
		json_object_object_add(d, "creation_date", json_object_new_int64(w->creation_date));
	if (w->expiration_date)
		json_object_object_add(d, "expiration_date",
		    json_object_new_int64(w->expiration_date));
	if (w->last_updated)
		json_object_object_add(d, "last_update_date", json_object_new_int64(w->last_updated));
}

static void
note(json_object *notes, const char *fmt, const char *a, const char *b)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, a, b ? b : "");
	json_object_array_add(notes, json_object_new_string(msg));
}

static char *
json_text(json_object *o)
{
	char *s = pn_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

/* Domain: DNS records, WHOIS.  Output {"details":{...},"addresses":[...]} */
static char *
domain_child(void *arg, const struct pn_scan_target *t)
{
	struct netctx *c = arg;
	json_object *out = json_object_new_object(), *d = json_object_new_object();
	json_object *notes = json_object_new_array(), *recs = NULL, *addrs = json_object_new_array();
	struct pn_whois_opts wo;
	struct pn_whois_result w;
	struct pn_dns *dns = NULL;
	char err[256] = "";

	(void)t;
	if (pn_dns_new(c->conf, &dns, err, sizeof(err)) != PN_OK) {
		note(notes, "DNS resolver unavailable: %s%s", err, NULL);
		dns = NULL;
	}
	if (dns && pn_dns_records(dns, c->id, &recs, err, sizeof(err)) == PN_OK && recs) {
		size_t i, n = json_object_array_length(recs);
		for (i = 0; i < n; i++) {
			json_object *r = json_object_array_get_idx(recs, i), *ty, *v;
			if (json_object_object_get_ex(r, "type", &ty) &&
			    json_object_object_get_ex(r, "value", &v) &&
			    (strcmp(json_object_get_string(ty), "A") == 0 ||
			    strcmp(json_object_get_string(ty), "AAAA") == 0))
				json_object_array_add(addrs, json_object_get(v));
		}
		json_object_object_add(d, "last_dns_records", recs);
		json_object_object_add(d, "last_dns_records_date", json_object_new_int64(pn_now()));
	} else if (dns) {
		note(notes, "DNS: %s%s", err[0] ? err : "no records", NULL);
		json_object_put(recs);
	}
	if (pn_whois_opts_from_conf(c->conf, &wo) == PN_OK) {
		wo.dns = dns;
		memset(&w, 0, sizeof(w));
		if (pn_whois_query(&wo, c->id, &w) == PN_OK)
			add_whois(d, &w, 0);
		else
			note(notes, "WHOIS: %s%s", w.err[0] ? w.err : "no answer", NULL);
		pn_whois_result_free(&w);
	}
	pn_dns_free(dns);
	if (json_object_array_length(notes))
		json_object_object_add(d, "analysis_notes", notes);
	else
		json_object_put(notes);
	json_object_object_add(out, "details", d);
	json_object_object_add(out, "addresses", addrs);
	return json_text(out);
}

/* IP address: location, reverse DNS, WHOIS (not for private addresses). */
static char *
ip_child(void *arg, const struct pn_scan_target *t)
{
	struct netctx *c = arg;
	json_object *out = json_object_new_object(), *d = json_object_new_object();
	json_object *notes = json_object_new_array();
	struct pn_geoip *g = NULL;
	struct pn_geo_info gi;
	struct pn_dns *dns = NULL;
	char err[256] = "", ptr[PN_DOMAIN_BUF] = "";

	(void)t;
	if (pn_geoip_open(c->conf, &g, err, sizeof(err)) == PN_OK && pn_geoip_enabled(g)) {
		memset(&gi, 0, sizeof(gi));
		if (pn_geoip_lookup(g, c->id, &gi) == PN_OK) {
			if (gi.asn)
				json_object_object_add(d, "asn", json_object_new_int64(gi.asn));
			if (gi.as_owner[0])
				json_object_object_add(d, "as_owner", json_object_new_string(gi.as_owner));
			if (gi.country[0])
				json_object_object_add(d, "country", json_object_new_string(gi.country));
			if (gi.continent[0])
				json_object_object_add(d, "continent", json_object_new_string(gi.continent));
			if (gi.network[0])
				json_object_object_add(d, "network", json_object_new_string(gi.network));
		}
	}
	pn_geoip_close(g);
	if (pn_dns_new(c->conf, &dns, err, sizeof(err)) == PN_OK &&
	    pn_dns_reverse(dns, c->id, ptr, sizeof(ptr)) == PN_OK && ptr[0])
		json_object_object_add(out, "ptr", json_object_new_string(ptr));
	if (pn_ssrf_check_text(c->id, 0, err, sizeof(err)) != PN_OK) {
		note(notes, "WHOIS skipped: %s%s", err, NULL);
	} else {
		struct pn_whois_opts wo;
		struct pn_whois_result w;
		if (pn_whois_opts_from_conf(c->conf, &wo) == PN_OK) {
			wo.dns = dns;
			memset(&w, 0, sizeof(w));
			if (pn_whois_query(&wo, c->id, &w) == PN_OK) {
				add_whois(d, &w, 1);
				if (!json_object_object_get_ex(d, "network", NULL) && w.network[0])
					json_object_object_add(d, "network", json_object_new_string(w.network));
				if (!json_object_object_get_ex(d, "country", NULL) && w.country[0])
					json_object_object_add(d, "country", json_object_new_string(w.country));
			} else {
				note(notes, "WHOIS: %s%s", w.err[0] ? w.err : "no answer", NULL);
			}
			pn_whois_result_free(&w);
		}
	}
	pn_dns_free(dns);
	if (json_object_array_length(notes))
		json_object_object_add(d, "analysis_notes", notes);
	else
		json_object_put(notes);
	json_object_object_add(out, "details", d);
	return json_text(out);
}

/* Run fn in one confined child that may use the network; its JSON, or NULL. */
static json_object *
run_child(const struct pn_conf *conf, pn_child_fn fn, struct netctx *c, int timeout_s,
    uint64_t file_size, char *why, size_t cap)
{
	struct pn_confine cf = pn_job_confinement(conf, timeout_s);
	struct pn_child ch;
	json_object *o = NULL;

	cf.allow_net = 1;
	if (file_size > cf.file_size)
		cf.file_size = file_size;
	if (pn_child_start(&ch, &cf, timeout_s, fn, c, NULL) != PN_OK) {
		snprintf(why, cap, "could not start the network child");
		return NULL;
	}
	pn_children_wait(&ch, 1);
	if (ch.end == PN_CHILD_OK && ch.out.len)
		o = json_tokener_parse(ch.out.p);
	if (o == NULL)
		snprintf(why, cap, "%s", ch.end == PN_CHILD_TIMEOUT ? "the network child timed out" :
		    "the network child failed");
	pn_buf_release(&ch.out);
	return o;
}

/* --------------------------------------------------------------- verdicts */

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int64_t
jint(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static json_object *
result_entry(const char *method, const char *engine, const char *category, const char *result,
    const char *version, const char *update)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "method", json_object_new_string(method ? method : "blacklist"));
	json_object_object_add(e, "engine_name", json_object_new_string(engine));
	json_object_object_add(e, "category", json_object_new_string(category));
	json_object_object_add(e, "result", result ? json_object_new_string(result) : NULL);
	if (version && *version)
		json_object_object_add(e, "engine_version", json_object_new_string(version));
	if (update && *update)
		json_object_object_add(e, "engine_update", json_object_new_string(update));
	return e;
}

/* The URL/domain/IP engines' results into results (and their evidence into engine_details). */
static void
net_verdicts(const struct pn_net_engines *set, const struct pn_net_target *t, json_object *results,
    json_object *details)
{
	struct pn_verdict *v;
	json_object *ed = json_object_new_object();
	size_t i;

	if (set == NULL || set->n == 0) {
		json_object_put(ed);
		return;
	}
	v = pn_xcalloc(set->n, sizeof(*v));
	pn_net_engines_scan(set, t, v);
	for (i = 0; i < set->n; i++) {
		const struct pn_net_engine *e = set->v[i];
		json_object_object_add(results, e->name, result_entry(v[i].method, e->name,
		    pn_category_name(v[i].category), v[i].result, e->version, e->update));
		if (v[i].details)
			json_object_object_add(ed, e->name, json_object_get(v[i].details));
		pn_verdict_release(&v[i]);
	}
	free(v);
	if (json_object_object_length(ed))
		json_object_object_add(details, "engine_details", ed);
	else
		json_object_put(ed);
}

/* The five-key stats of a URL/domain/IP results object. */
static char *
net_stats(json_object *results)
{
	int64_t n[PN_ARRAY_LEN(net_stats_keys)] = { 0 };
	json_object *s = json_object_new_object();
	size_t i;

	json_object_object_foreach(results, k, v) {
		const char *cat = jstr(v, "category");
		(void)k;
		for (i = 0; cat && i < PN_ARRAY_LEN(net_stats_keys); i++)
			if (strcmp(cat, net_stats_keys[i]) == 0)
				n[i]++;
	}
	for (i = 0; i < PN_ARRAY_LEN(net_stats_keys); i++)
		json_object_object_add(s, net_stats_keys[i], json_object_new_int64(n[i]));
	return json_text(s);
}

/* ------------------------------------------------------------ the store */

/* A domain or IP object (public), queued for analysis if new and analyse is 0. */
int
pn_netjob_seen_object(struct pn_store *st, const char *type, const char *id, int analyse)
{
	struct pn_obj_submission o;
	char aid[128];
	int rc;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.id = id;
	o.user = "panoptes";
	o.date = pn_now();
	o.analyse = analyse;
	if ((rc = pn_store_obj_submit(st, &o, aid)) != PN_OK)
		log_warnx("netjob: could not record %s %s", type, id);
	return rc;
}

static void
seen_object(struct pn_store *st, const char *type, const char *id)
{
	pn_netjob_seen_object(st, type, id, 0);
}

/* A URL seen during an analysis: an object visible to whoever sees the parent. */
int
pn_netjob_seen_url(struct pn_store *st, const char *text, const char *ptype, const char *pid, char id[65])
{
	struct pn_obj_submission o;
	struct pn_url u;
	struct pn_buf seed = PN_BUF_INIT;
	char err[128], aid[128];
	int rc;

	memset(&u, 0, sizeof(u));
	if (pn_url_parse(text, &u, err, sizeof(err)) != PN_OK)
		return PN_EINVAL;
	pn_url_id(u.canonical, id);
	pn_buf_puts(&seed, "{\"url\":");
	pn_buf_json_str(&seed, u.canonical, strlen(u.canonical));
	pn_buf_puts(&seed, "}");
	memset(&o, 0, sizeof(o));
	o.type = "url";
	o.id = id;
	o.seed = seed.p;
	o.user = "panoptes";
	o.parent_type = ptype;
	o.parent_id = pid;
	o.date = pn_now();
	o.analyse = -1;
	rc = pn_store_obj_submit(st, &o, aid);
	pn_buf_release(&seed);
	pn_url_free(&u);
	return rc;
}

static void
edge(struct pn_store *st, const char *st_, const char *si, const char *rel, const char *dt,
    const char *di)
{
	if (pn_store_edge_add(st, st_, si, rel, dt, di, NULL) != PN_OK)
		log_warnx("netjob: could not record %s edge", rel);
}

/* The host of a URL as a domain or IP object; type and id out. */
static void
host_object(struct pn_store *st, const char *host, int is_ip, const char **type)
{
	*type = is_ip ? "ip_address" : "domain";
	seen_object(st, *type, host);
}

/* Hash the downloaded body and move it into the blob store. */
static int
commit_body(const char *datadir, const char *path, struct pn_hashes *h, uint64_t *size)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return PN_EIO;
	if (fstat(fd, &sb) != 0 || sb.st_size == 0 || pn_hash_fd(fd, PN_HASH_CRYPTO, h) != PN_OK) {
		close(fd);
		return PN_EIO;
	}
	*size = (uint64_t)sb.st_size;
	return pn_blob_commit(datadir, fd, path, h->sha256);
}

/* The stored body as a file of its own, visible to whoever sees the URL. */
static int
submit_body(struct pn_store *st, const struct pn_hashes *h, uint64_t size, const char *url_id,
    const char *name)
{
	struct pn_file_submission sub;
	char aid[128];

	memset(&sub, 0, sizeof(sub));
	sub.sha256 = h->sha256;
	sub.sha1 = h->sha1;
	sub.md5 = h->md5;
	sub.size = size;
	sub.name = name;
	sub.user = "panoptes";
	sub.interface = "url";
	sub.parent = url_id;
	sub.parent_type = "url";
	sub.date = pn_now();
	return pn_store_file_submit(st, &sub, aid);
}

/*
 * The file engines' verdict on the body as one URL engine column.  Run
 * before the body is submitted as a file, with the result cache: the
 * file's own analysis then reuses these verdicts instead of scanning the
 * body again (and does the full identification this one skips).
 */
static void
body_verdict(struct pn_store *st, const struct pn_conf *conf, struct pn_engines *engines,
    const char *datadir, const char *sha256, json_object *results, char type_tag[32])
{
	char *fdet = NULL, *fres = NULL, *fstats = NULL;
	json_object *res = NULL, *det = NULL;
	const char *cat = "undetected", *label = NULL;
	struct pn_analyse_opts ao;
	char lab[256];
	int fd, rc;

	type_tag[0] = '\0';
	if (pn_blob_open(datadir, sha256, &fd) != PN_OK)
		return;
	memset(&ao, 0, sizeof(ao));
	ao.sha256 = sha256;
	ao.cache = st;
	ao.type_only = 1;
	rc = pn_analyse_fd_ex(conf, engines, fd, NULL, &ao, &fdet, &fres, &fstats);
	close(fd);
	if (rc != PN_OK)
		return;
	res = json_tokener_parse(fres ? fres : "{}");
	det = json_tokener_parse(fdet ? fdet : "{}");
	/* Copied: det is freed below. */
	if (det && jstr(det, "type_tag"))
		pn_strlcpy(type_tag, jstr(det, "type_tag"), 32);
	json_object_object_foreach(res, k, v) {
		const char *c = jstr(v, "category");
		if (c && strcmp(c, "malicious") == 0) {
			snprintf(lab, sizeof(lab), "%s: %s", k, jstr(v, "result") ? jstr(v, "result") : "");
			cat = "malicious";
			label = lab;
			break;
		}
		if (c && strcmp(c, "suspicious") == 0 && strcmp(cat, "undetected") == 0) {
			snprintf(lab, sizeof(lab), "%s: %s", k, jstr(v, "result") ? jstr(v, "result") : "");
			cat = "suspicious";
			label = lab;
		}
	}
	json_object_object_add(results, "Panoptes-Download", result_entry("blacklist",
	    "Panoptes-Download", cat, label, "1", NULL));
	json_object_put(res);
	json_object_put(det);
	free(fdet);
	free(fres);
	free(fstats);
}

/* The URL's canonical text, from its stored object. */
static char *
url_of(struct pn_store *st, const char *id)
{
	char *doc = NULL, *out = NULL;
	size_t len = 0;
	json_object *o;

	if (pn_store_obj_doc(st, NULL, "url", id, &doc, &len) != PN_OK)
		return NULL;
	o = json_tokener_parse(doc);
	free(doc);
	if (jstr(o, "url"))
		out = pn_xstrdup(jstr(o, "url"));
	json_object_put(o);
	return out;
}

/* ----------------------------------------------------------------- jobs */

static int
url_job(struct pn_store *st, const struct pn_conf *conf, const char *datadir,
    struct pn_engines *engines, const struct pn_net_engines *neteng, const struct pn_job *job,
    json_object **details, json_object *results)
{
	struct netctx c;
	struct pn_fetch_opts fo;
	struct pn_net_target t;
	struct pn_url u;
	json_object *fr, *hops, *res, *d = NULL, *notes = json_object_new_array();
	char *url = url_of(st, job->item_id), *body, why[128] = "", err[128];
	char body_sha[65] = "";
	struct pn_hashes bh;
	uint64_t bsize = 0;
	const char *host_type = NULL, *last_ip = NULL;
	char btag[32] = "";
	size_t i, n;

	if (url == NULL) {
		json_object_put(notes);
		return PN_ENOTFOUND;
	}
	body = pn_xasprintf("%s/tmp/url-%lld.body", datadir, (long long)job->id);
	memset(&c, 0, sizeof(c));
	c.conf = conf;
	c.type = "url";
	c.id = job->item_id;
	c.url = url;
	c.body_path = body;
	pn_fetch_opts_init(&fo, conf);
	fr = run_child(conf, fetch_child, &c, (int)(fo.timeout_ms / 1000) + PN_NETJOB_SLACK_S,
	    fo.max_body + (1u << 20), why, sizeof(why));
	if (fr && json_object_object_get_ex(fr, "details", &d) && json_object_is_type(d,
	    json_type_object))
		d = json_object_get(d);
	else
		d = json_object_new_object();
	json_object_object_add(d, "url", json_object_new_string(url));
	if (fr == NULL)
		note(notes, "fetch: %s%s", why, NULL);
	else if (jint(fr, "rc") != PN_OK)
		note(notes, "fetch: %s%s", jstr(fr, "error") ? jstr(fr, "error") : "failed", NULL);

	/* Passive DNS and the objects around the URL. */
	memset(&u, 0, sizeof(u));
	if (pn_url_parse(url, &u, err, sizeof(err)) == PN_OK) {
		char tld[64];
		host_object(st, u.host, u.host_ip != 0, &host_type);
		edge(st, "url", job->item_id, "network_location", host_type, u.host);
		edge(st, host_type, u.host, "urls", "url", job->item_id);
		if (!u.host_ip && pn_domain_tld(u.host, tld, sizeof(tld)) == PN_OK)
			json_object_object_add(d, "tld", json_object_new_string(tld));
	}
	if (fr && json_object_object_get_ex(fr, "resolutions", &res)) {
		n = json_object_array_length(res);
		for (i = 0; i < n; i++) {
			json_object *r = json_object_array_get_idx(res, i);
			const char *h = jstr(r, "host"), *ip = jstr(r, "ip");
			if (h == NULL || ip == NULL || !*h || !*ip)
				continue;
			pn_store_resolution_add(st, h, ip, pn_now(), "fetch");
			seen_object(st, "domain", h);
			seen_object(st, "ip_address", ip);
		}
	}
	if (fr && json_object_object_get_ex(fr, "hops", &hops)) {
		char prev[65] = "";
		pn_strlcpy(prev, job->item_id, sizeof(prev));
		n = json_object_array_length(hops);
		for (i = 0; i < n; i++) {
			json_object *h = json_object_array_get_idx(hops, i);
			const char *hu = jstr(h, "url"), *ip = jstr(h, "ip");
			char hid[65];
			if (ip && *ip)
				last_ip = ip;
			if (i == 0 || hu == NULL ||
			    pn_netjob_seen_url(st, hu, "url", job->item_id, hid) != PN_OK)
				continue;
			edge(st, "url", prev, "redirects_to", "url", hid);
			edge(st, "url", hid, "redirecting_urls", "url", prev);
			pn_strlcpy(prev, hid, sizeof(prev));
		}
		if (last_ip) {
			seen_object(st, "ip_address", last_ip);
			edge(st, "url", job->item_id, "last_serving_ip_address", "ip_address", last_ip);
			edge(st, "ip_address", last_ip, "urls", "url", job->item_id);
		}
	}
	if (fr && jint(fr, "body_saved") && commit_body(datadir, body, &bh, &bsize) == PN_OK) {
		pn_strlcpy(body_sha, bh.sha256, sizeof(body_sha));
		body_verdict(st, conf, engines, datadir, body_sha, results, btag);
	}
	if (body_sha[0] && submit_body(st, &bh, bsize, job->item_id, NULL) == PN_OK) {
		edge(st, "url", job->item_id, "downloaded_files", "file", body_sha);
		edge(st, "file", body_sha, "itw_urls", "url", job->item_id);
		if (u.host) {
			edge(st, host_type, u.host, "downloaded_files", "file", body_sha);
			edge(st, "file", body_sha, u.host_ip ? "itw_ips" : "itw_domains", host_type,
			    u.host);
		}
		if (last_ip && (u.host == NULL || strcmp(last_ip, u.host) != 0))
			edge(st, "ip_address", last_ip, "downloaded_files", "file", body_sha);
	}
	unlink(body);
	free(body);

	/* The URL engines, with what the fetch learned. */
	if (u.canonical) {
		pn_net_target_url(&t, &u);
		t.final_url = jstr(d, "last_final_url");
		t.content_type = fr ? jstr(fr, "content_type") : NULL;
		t.body_type_tag = btag[0] ? btag : NULL;
		t.redirects = fr && json_object_object_get_ex(fr, "hops", &hops) &&
		    json_object_array_length(hops) > 0 ? (int)json_object_array_length(hops) - 1 : 0;
		net_verdicts(neteng, &t, results, d);
	}
	if (json_object_array_length(notes))
		json_object_object_add(d, "analysis_notes", notes);
	else
		json_object_put(notes);
	pn_url_free(&u);
	json_object_put(fr);
	free(url);
	*details = d;
	return PN_OK;
}

/* The operator's popularity and category lists, read once per worker. */
static struct pn_domain_lists *
domain_lists(const struct pn_conf *conf)
{
	static struct pn_domain_lists *lists;
	static int tried;
	char err[256];

	if (!tried) {
		tried = 1;
		if (pn_domain_lists_load(conf, &lists, err, sizeof(err)) != PN_OK)
			log_warnx("netjob: %s", err);
	}
	return lists;
}

static int
domain_or_ip_job(struct pn_store *st, const struct pn_conf *conf,
    const struct pn_net_engines *neteng, const struct pn_job *job, json_object **details,
    json_object *results)
{
	int is_ip = strcmp(job->item_type, "ip_address") == 0;
	struct netctx c;
	struct pn_net_target t;
	json_object *out, *d, *addrs;
	char why[128] = "";
	int timeout = (int)(pn_conf_get_int(conf, "dns.timeout_ms") *
	    pn_conf_get_int(conf, "dns.tries") / 1000) * 4 + 2 *
	    (int)(pn_conf_get_int(conf, "whois.timeout_ms") / 1000) + PN_NETJOB_SLACK_S;
	size_t i, n;

	memset(&c, 0, sizeof(c));
	c.conf = conf;
	c.type = job->item_type;
	c.id = job->item_id;
	out = run_child(conf, is_ip ? ip_child : domain_child, &c, timeout, 0, why, sizeof(why));
	if (out && json_object_object_get_ex(out, "details", &d))
		d = json_object_get(d);
	else
		d = json_object_new_object();
	if (out == NULL) {
		json_object *notes = json_object_new_array();
		note(notes, "lookups: %s%s", why, NULL);
		json_object_object_add(d, "analysis_notes", notes);
	}
	if (!is_ip) {
		char reg[PN_DOMAIN_BUF], tld[64];
		if (pn_domain_tld(job->item_id, tld, sizeof(tld)) == PN_OK)
			json_object_object_add(d, "tld", json_object_new_string(tld));
		if (pn_domain_registrable(job->item_id, reg, sizeof(reg)) == PN_OK &&
		    strcmp(reg, job->item_id) != 0) {
			seen_object(st, "domain", reg);
			edge(st, "domain", reg, "subdomains", "domain", job->item_id);
			edge(st, "domain", job->item_id, "parent", "domain", reg);
		}
		if (out && json_object_object_get_ex(out, "addresses", &addrs)) {
			n = json_object_array_length(addrs);
			for (i = 0; i < n; i++) {
				const char *ip = json_object_get_string(json_object_array_get_idx(addrs, i));
				if (ip == NULL || !*ip)
					continue;
				pn_store_resolution_add(st, job->item_id, ip, pn_now(), "dns");
				seen_object(st, "ip_address", ip);
			}
		}
		pn_domain_lists_annotate(domain_lists(conf), job->item_id, d);
		pn_net_target_domain(&t, job->item_id);
	} else {
		const char *ptr = jstr(out, "ptr");
		if (ptr && *ptr) {
			pn_store_resolution_add(st, ptr, job->item_id, pn_now(), "ptr");
			seen_object(st, "domain", ptr);
		}
		pn_net_target_ip(&t, job->item_id);
	}
	net_verdicts(neteng, &t, results, d);
	json_object_put(out);
	*details = d;
	return PN_OK;
}

int
pn_netjob_run(struct pn_store *st, const struct pn_conf *conf, const char *datadir,
    struct pn_engines *engines, const struct pn_net_engines *neteng, const struct pn_job *job)
{
	json_object *results = json_object_new_object(), *details = NULL;
	char *dt, *rt, *stt;
	int64_t t0 = pn_mono_ms();
	int rc;

	if (strcmp(job->item_type, "url") == 0)
		rc = url_job(st, conf, datadir, engines, neteng, job, &details, results);
	else
		rc = domain_or_ip_job(st, conf, neteng, job, &details, results);
	if (rc != PN_OK) {
		json_object_put(results);
		log_warnx("job %s: %s", job->analysis_id, pn_strerror(rc));
		return rc;
	}
	stt = net_stats(results);
	rt = json_text(results);
	dt = json_text(details);
	rc = pn_store_job_finish(st, job, dt, rt, stt);
	log_info("job %s (%s %s) done in %lld ms: %s", job->analysis_id, job->item_type,
	    job->item_id, (long long)(pn_mono_ms() - t0), stt);
	free(dt);
	free(rt);
	free(stt);
	return rc;
}
