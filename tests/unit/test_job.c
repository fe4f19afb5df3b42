/*
 * test_job.c - the job pipeline's isolation: engines that answer, crash,
 * hang, are over their size limit or failed to load each end with the
 * right VirusTotal category, and a scan child cannot exec or open sockets.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "engine.h"
#include "worker.h"
#include "store.h"
#include "hash.h"

#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char count_path[64];

/* Counts its runs in a file (scans run in children: the parent cannot count). */
static int
scan_count(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	int fd = open(count_path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	if (fd >= 0) {
		if (write(fd, "x", 1) != 1)
			v->category = PN_CAT_UNDETECTED;
		close(fd);
	}
	v->category = PN_CAT_MALICIOUS;
	v->result = pn_xstrdup("Test.Counted");
	v->details = json_object_new_object();
	json_object_object_add(v->details, "n", json_object_new_int(1));
	return PN_OK;
}

/* Answers with its process id: which scan child served the file. */
static int
scan_pid(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	v->category = PN_CAT_UNDETECTED;
	v->result = pn_xasprintf("%ld", (long)getpid());
	return PN_OK;
}

static long
count_runs(void)
{
	struct stat sb;

	return stat(count_path, &sb) == 0 ? (long)sb.st_size : 0;
}

static int
scan_ok(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	v->category = t->size > 3 && memcmp(t->data, "BAD", 3) == 0 ? PN_CAT_MALICIOUS : PN_CAT_UNDETECTED;
	v->result = v->category == PN_CAT_MALICIOUS ? pn_xstrdup("Test.Bad") : NULL;
	v->details = json_object_new_object();
	json_object_object_add(v->details, "why", json_object_new_string("starts with BAD"));
	return PN_OK;
}

static int
scan_crash(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	raise(SIGSEGV);
	return PN_OK;
}

static int
scan_hang(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	for (;;)
		pause();
	return PN_OK;
}

static int
scan_error(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	return PN_EINTERNAL;
}

/* Reports in its label which forbidden calls were refused. */
static int
scan_escape(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	char *argv[] = { (char *)"/bin/true", NULL };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int sock_refused = s < 0 && errno == EPERM;
	int exec_refused;

	execv("/bin/true", argv);
	exec_refused = errno == EPERM;
	v->category = PN_CAT_HARMLESS;
	v->result = pn_xasprintf("socket=%s exec=%s", sock_refused ? "refused" : "allowed",
	    exec_refused ? "refused" : "allowed");
	return PN_OK;
}

/* Says what it was told: the type tag and MD5 (or "-"). */
static int
scan_told(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	v->category = PN_CAT_UNDETECTED;
	v->result = pn_xasprintf("tag=%s md5=%s", t->type_tag ? t->type_tag : "-", t->md5 ? t->md5 : "-");
	return PN_OK;
}

#define OPS(fn) { .kind = "test", .scan = fn }
static const struct pn_engine_ops ops_ok = OPS(scan_ok), ops_crash = OPS(scan_crash),
	ops_hang = OPS(scan_hang), ops_error = OPS(scan_error), ops_escape = OPS(scan_escape),
	ops_count = OPS(scan_count), ops_pid = OPS(scan_pid), ops_told = OPS(scan_told),
	ops_told2 = { .kind = "test2", .scan = scan_told };

static struct pn_engine *
mk(const char *name, const struct pn_engine_ops *ops, int timeout, uint64_t max)
{
	struct pn_engine *e = pn_xcalloc(1, sizeof(*e));
	e->ops = ops;
	pn_strlcpy(e->name, name, sizeof(e->name));
	pn_strlcpy(e->version, "1", sizeof(e->version));
	pn_strlcpy(e->update, "20260101", sizeof(e->update));
	e->timeout_s = timeout;
	e->max_size = max;
	return e;
}

static const char *
field(json_object *results, const char *engine, const char *key)
{
	json_object *e, *v;
	if (!json_object_object_get_ex(results, engine, &e) || !json_object_object_get_ex(e, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/*
 * Long-lived scan children: a second file after a crash and a timeout is
 * served by replacements; types an engine does not judge are
 * type-unsupported without running it.
 */
static void
test_again_and_types(struct pn_conf *conf, struct pn_engines *set, int fd)
{
	char *details = NULL, *results = NULL, *stats = NULL;
	json_object *r;

	pn_strlcpy(set->v[0]->types, "peexe,pedll", sizeof(set->v[0]->types));
	pn_strlcpy(set->v[4]->types, "pdf,text", sizeof(set->v[4]->types));
	set->v[4]->max_size = 0;
	is_int(pn_analyse_fd(conf, set, fd, "x.txt", NULL, &details, &results, &stats), PN_OK,
	    "second file analysed");
	r = json_tokener_parse(results);
	is_str(field(r, "Ok", "category"), "type-unsupported", "an engine that judges only PE skips text");
	is_str(field(r, "Small", "category"), "malicious", "one that judges text runs (same child kind)");
	is_str(field(r, "Crash", "category"), "failure", "the crashed child was replaced and fails again");
	is_str(field(r, "Hang", "category"), "timeout", "the killed child was replaced and times out again");
	is_str(field(r, "Escape", "result"), "socket=refused exec=refused", "replacements are confined too");
	json_object_put(r);
	free(details);
	free(results);
	free(stats);
	set->v[0]->types[0] = set->v[4]->types[0] = '\0';
}

/* The result cache: a rescan with unchanged engines does not run them; a new signature version does. */
static void
test_cache(struct pn_conf *conf, int fd)
{
	char dir[] = "/tmp/pn-test-job-store-XXXXXX";
	struct pn_engine *v[1];
	struct pn_engines set;
	struct pn_analyse_opts o;
	struct pn_store *st = NULL;
	char *details, *results, *stats, *first_results = NULL;
	json_object *d, *ed, *c;
	long n0;
	int pass;

	snprintf(count_path, sizeof(count_path), "/tmp/pn-test-job-count-%ld", (long)getpid());
	unlink(count_path);
	ok(mkdtemp(dir) != NULL && pn_store_open_sqlite(dir, 0, &st) == PN_OK, "store opened");
	v[0] = mk("Counter", &ops_count, 5, 0);
	set.v = v;
	set.n = 1;
	memset(&o, 0, sizeof(o));
	o.sha256 = "5555555555555555555555555555555555555555555555555555555555555555";
	o.cache = st;
	for (pass = 0; pass < 4; pass++) {
		if (pass == 2)
			pn_strlcpy(v[0]->sigver, "rules-v2", sizeof(v[0]->sigver));
		if (pass == 3)
			pn_strlcpy(v[0]->confsig, "0123456789abcdef", sizeof(v[0]->confsig));
		n0 = count_runs();
		details = results = stats = NULL;
		is_int(pn_analyse_fd_ex(conf, &set, fd, NULL, &o, &details, &results, &stats), PN_OK,
		    "analysis %d", pass + 1);
		d = details ? json_tokener_parse(details) : NULL;
		c = NULL;
		if (d && json_object_object_get_ex(d, "engine_details", &ed) &&
		    json_object_object_get_ex(ed, "Counter", &ed))
			json_object_object_get_ex(ed, "cached", &c);
		if (pass == 1) {
			is_int(count_runs() - n0, 0, "rescan with unchanged engines: the engine does not run");
			ok(c && json_object_get_boolean(c), "its verdict is marked cached");
			is_str(results, first_results, "and the results are identical");
		} else {
			is_int(count_runs() - n0, 1, pass == 0 ? "first analysis runs the engine" :
			    pass == 2 ? "a new signature version runs it again" :
			    "changed engine options run it again");
			ok(c == NULL, "a verdict just computed is not marked cached");
		}
		if (pass == 0)
			first_results = pn_xstrdup(results);
		json_object_put(d);
		free(details);
		free(results);
		free(stats);
	}
	free(first_results);
	free(v[0]);
	pn_store_close(st);
	unlink(count_path);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
}

/* The pid of the child that judged the file, as text (static buffer). */
static const char *
served_by(struct pn_conf *conf, struct pn_engines *set, int fd)
{
	static char pid[32];
	char *details = NULL, *results = NULL, *stats = NULL;
	json_object *r;

	pid[0] = '\0';
	if (pn_analyse_fd(conf, set, fd, NULL, NULL, &details, &results, &stats) == PN_OK &&
	    (r = json_tokener_parse(results)) != NULL) {
		const char *f = field(r, "Pid", "result");
		pn_strlcpy(pid, f ? f : "", sizeof(pid));
		json_object_put(r);
	}
	free(details);
	free(results);
	free(stats);
	return pid;
}

/* The set digests each engine's option section: a changed option changes it. */
static void
test_confsig(void)
{
	struct pn_conf *a = pn_conf_new(), *b = pn_conf_new();
	struct pn_engines sa, sb;
	const char *off[] = { "clamav.enabled", "yara.enabled", "hashlist.enabled" };
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(off); i++) {
		pn_conf_put(a, off[i], "false");
		pn_conf_put(b, off[i], "false");
	}
	pn_conf_put(b, "heuristics.malicious_score", "90");
	pn_engines_load(&sa, a);
	pn_engines_load(&sb, b);
	ok(sa.n >= 1 && sa.n == sb.n && strlen(sa.v[0]->confsig) == 16, "options digest set (%s)",
	    sa.n ? sa.v[0]->confsig : "");
	ok(sa.n >= 1 && strcmp(sa.v[0]->confsig, sb.v[0]->confsig) != 0,
	    "another heuristics threshold, another digest");
	pn_engines_free(&sb);
	pn_engines_load(&sb, a);
	ok(sa.n >= 1 && strcmp(sa.v[0]->confsig, sb.v[0]->confsig) == 0, "the same options, the same digest");
	pn_engines_free(&sa);
	pn_engines_free(&sb);
	pn_conf_free(a);
	pn_conf_free(b);
}

/* Scan children serve many files; analysis.child_max_files = 1 makes a fresh one per file. */
static void
test_child_reuse(struct pn_conf *conf, int fd)
{
	struct pn_engine *v[1];
	struct pn_engines set;
	char a[32], b[32], me[32];

	snprintf(me, sizeof(me), "%ld", (long)getpid());
	v[0] = mk("Pid", &ops_pid, 5, 0);
	set.v = v;
	set.n = 1;
	pn_strlcpy(a, served_by(conf, &set, fd), sizeof(a));
	pn_strlcpy(b, served_by(conf, &set, fd), sizeof(b));
	ok(a[0] && strcmp(a, me) != 0, "a child, not this process, scans (%s)", a);
	is_str(b, a, "the same long-lived child serves the next file");
	pn_conf_put(conf, "analysis.child_max_files", "1");
	pn_analysis_pool_reset();
	pn_strlcpy(a, served_by(conf, &set, fd), sizeof(a));
	pn_strlcpy(b, served_by(conf, &set, fd), sizeof(b));
	ok(a[0] && b[0] && strcmp(a, b) != 0, "child_max_files=1: a fresh child per file (%s, %s)", a, b);
	pn_conf_put(conf, "analysis.child_max_files", "2000");
	pn_analysis_pool_reset();
	free(v[0]);
}

/*
 * Engines that judge every type blind (PN_ENGINE_TYPE_BLIND) start beside
 * the type check, so they are told neither type nor hashes; the others
 * start once the type is known, with the hashes the caller asked for
 * (computed meanwhile).  A blind engine limited to some types waits too.
 */
static void
test_early(struct pn_conf *conf, int fd)
{
	struct pn_engine *v[3];
	struct pn_engines set;
	struct pn_analyse_opts ao;
	struct pn_hashes h, want;
	char *details = NULL, *results = NULL, *stats = NULL, expect[128];
	json_object *r;

	v[0] = mk("Blind", &ops_told, 5, 0);
	v[0]->confine_flags = PN_ENGINE_TYPE_BLIND;
	v[1] = mk("Typed", &ops_told2, 5, 0);
	v[2] = mk("BlindText", &ops_told, 5, 0);
	v[2]->confine_flags = PN_ENGINE_TYPE_BLIND | PN_ENGINE_NEEDS_NET;  /* a group of its own */
	pn_strlcpy(v[2]->types, "text", sizeof(v[2]->types));
	set.v = v;
	set.n = 3;
	memset(&ao, 0, sizeof(ao));
	memset(&h, 0, sizeof(h));
	ao.hashes_out = &h;
	is_int(pn_analyse_fd_ex(conf, &set, fd, "x.txt", &ao, &details, &results, &stats), PN_OK,
	    "analysed with the hashes asked for");
	ok(pn_hash_buf("BAD sample bytes\n", 17, PN_HASH_CRYPTO, &want) == PN_OK &&
	    strcmp(h.sha256, want.sha256) == 0 && strcmp(h.md5, want.md5) == 0 &&
	    strcmp(h.sha1, want.sha1) == 0, "the caller's hashes were computed (%s)", h.sha256);
	r = json_tokener_parse(results);
	is_str(field(r, "Blind", "result"), "tag=- md5=-", "a blind engine started before the type was known");
	snprintf(expect, sizeof(expect), "tag=text md5=%s", want.md5);
	is_str(field(r, "Typed", "result"), expect, "the others get the type and the hashes");
	is_str(field(r, "BlindText", "result"), expect, "a blind engine limited to some types waits for the type");
	json_object_put(r);
	free(details);
	free(results);
	free(stats);
	pn_analysis_pool_reset();
	free(v[0]);
	free(v[1]);
	free(v[2]);
}

int
main(void)
{
	struct pn_conf *conf = pn_conf_new();
	struct pn_engines set;
	struct pn_engine *v[8];
	char path[] = "/tmp/pn-test-job-XXXXXX";
	char *details = NULL, *results = NULL, *stats = NULL;
	json_object *r, *s, *d;
	int64_t t0;
	int fd;

	v[0] = mk("Ok", &ops_ok, 5, 0);
	v[1] = mk("Crash", &ops_crash, 5, 0);
	v[2] = mk("Hang", &ops_hang, 1, 0);
	v[3] = mk("Error", &ops_error, 5, 0);
	v[4] = mk("Small", &ops_ok, 5, 4);
	v[5] = mk("Broken", &ops_ok, 5, 0);
	pn_strlcpy(v[5]->error, "did not load", sizeof(v[5]->error));
	v[6] = mk("Escape", &ops_escape, 5, 0);
	v[7] = mk("Net", &ops_escape, 5, 0);
	v[7]->confine_flags = PN_ENGINE_NEEDS_NET;
	set.v = v;
	set.n = 8;

	fd = mkstemp(path);
	ok(write(fd, "BAD sample bytes\n", 17) == 17, "sample written");
	t0 = pn_mono_ms();
	is_int(pn_analyse_fd(conf, &set, fd, "x.txt", NULL, &details, &results, &stats), PN_OK, "analyse");
	ok(pn_mono_ms() - t0 < 4000, "hung engine cut at its 1 s deadline (%lld ms)",
	    (long long)(pn_mono_ms() - t0));
	r = json_tokener_parse(results);
	s = json_tokener_parse(stats);
	d = details ? json_tokener_parse(details) : NULL;
	ok(r && s, "results and stats are JSON");
	ok(d != NULL, "details are JSON: %s", details ? details : "(null)");
	is_str(field(r, "Ok", "category"), "malicious", "answering engine: malicious");
	is_str(field(r, "Ok", "result"), "Test.Bad", "with its label");
	is_str(field(r, "Ok", "engine_update"), "20260101", "engine_update kept");
	is_str(field(r, "Crash", "category"), "failure", "crashing engine: failure");
	ok(field(r, "Crash", "result") == NULL, "failure has a null result");
	is_str(field(r, "Hang", "category"), "timeout", "hanging engine: timeout");
	is_str(field(r, "Error", "category"), "failure", "engine error: failure");
	is_str(field(r, "Small", "category"), "type-unsupported", "over the size limit: type-unsupported");
	is_str(field(r, "Broken", "category"), "failure", "engine that failed to load: failure");
	is_str(field(r, "Escape", "result"), "socket=refused exec=refused",
	    "a scan child cannot open sockets or exec");
	is_str(field(r, "Net", "result"), "socket=allowed exec=refused",
	    "an engine that needs the network keeps sockets, not exec");
	{
		json_object *ed, *ok_e, *why;
		ok(d && json_object_object_get_ex(d, "engine_details", &ed) &&
		    json_object_object_get_ex(ed, "Ok", &ok_e) &&
		    json_object_object_get_ex(ok_e, "why", &why) &&
		    strcmp(json_object_get_string(why), "starts with BAD") == 0,
		    "engine evidence lands in details.engine_details");
	}
	{
		json_object *m, *f, *t, *u, *h;
		json_object_object_get_ex(s, "malicious", &m);
		json_object_object_get_ex(s, "failure", &f);
		json_object_object_get_ex(s, "timeout", &t);
		json_object_object_get_ex(s, "type-unsupported", &u);
		json_object_object_get_ex(s, "harmless", &h);
		ok(m && json_object_get_int(m) == 1 && f && json_object_get_int(f) == 3 &&
		    t && json_object_get_int(t) == 1 && u && json_object_get_int(u) == 1 &&
		    h && json_object_get_int(h) == 2, "stats count each category: %s", stats);
		is_int(json_object_object_length(s), 8, "stats have all eight keys");
	}
	json_object_put(r);
	json_object_put(s);
	json_object_put(d);
	free(details);
	free(results);
	free(stats);
	test_again_and_types(conf, &set, fd);
	test_cache(conf, fd);
	test_child_reuse(conf, fd);
	test_early(conf, fd);
	test_confsig();
	close(fd);
	unlink(path);
	for (fd = 0; fd < 8; fd++)
		free(v[fd]);
	pn_conf_free(conf);
	return done_testing();
}
