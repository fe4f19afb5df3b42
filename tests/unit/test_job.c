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

#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

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

#define OPS(fn) { "test", NULL, fn, NULL, NULL }
static const struct pn_engine_ops ops_ok = OPS(scan_ok), ops_crash = OPS(scan_crash),
	ops_hang = OPS(scan_hang), ops_error = OPS(scan_error), ops_escape = OPS(scan_escape);

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
	close(fd);
	unlink(path);
	for (fd = 0; fd < 8; fd++)
		free(v[fd]);
	pn_conf_free(conf);
	return done_testing();
}
