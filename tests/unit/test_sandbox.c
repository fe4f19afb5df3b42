/*
 * test_sandbox.c - the Linux sandbox runner (sandbox/run.c, trace.c,
 * fakenet.c): option parsing, the fakenet parsers, then real runs of the
 * samples in tests/data/sandbox/ (C files compiled here with cc: every limit
 * (pids, disk, wall clock, memory), isolation (host files, host writes,
 * real addresses) and one sample per behaviour with the events it must
 * produce.  Also times a trivial run and the tracing overhead.
 *
 * Runs need root (uid maps, cgroups); without it, or when the host lacks
 * a feature, they are skipped with the reason pn_sandbox_available() gives.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "sandbox.h"
#include "sbx_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/pn-sbx-test-XXXXXX";
static unsigned nrun;

struct run {
	int rc;
	char err[512];
	char dir[PATH_MAX];
	json_object *run;
	json_object *ev[8192];
	size_t nev;
	char *out;
	int64_t wall_ms;
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = pn_xmalloc((size_t)n + 1);
	n = (long)fread(p, 1, (size_t)n, f);
	p[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return p;
}

static void
run_free(struct run *r)
{
	size_t i;

	if (r->run)
		json_object_put(r->run);
	for (i = 0; i < r->nev; i++)
		json_object_put(r->ev[i]);
	free(r->out);
	memset(r, 0, sizeof(*r));
}

static void
opts_default(struct pn_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 8000;
	o->memory_max = 128u << 20;
	o->pids_max = 32;
	o->cpu_percent = 100;
	o->write_max = 16u << 20;
	o->sinkhole_v4 = "198.51.100.1";
	o->hostname = "web01-test";
}

static int
do_run(struct run *r, const struct pn_sandbox_opts *o, const char *sample, const char *name,
    int untraced)
{
	struct pn_sbx_xopts xo = { untraced };
	char p[PATH_MAX + 32], *ev, *line, *save = NULL;
	int64_t t0;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s/out%u", tmpdir, nrun++);
	if (mkdir(r->dir, 0755) != 0)
		return -1;
	t0 = pn_mono_ms();
	r->rc = pn_sbx_run_ex(o, &xo, sample, name, r->dir, r->err, sizeof(r->err));
	r->wall_ms = pn_mono_ms() - t0;
	if (r->rc != PN_OK) {
		diag("run of %s failed: %s", sample, r->err);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/run.json", r->dir);
	r->run = json_object_from_file(p);
	snprintf(p, sizeof(p), "%s/stdout", r->dir);
	r->out = slurp(p, NULL);
	if (r->out == NULL)
		r->out = pn_xstrdup("");
	snprintf(p, sizeof(p), "%s/events.jsonl", r->dir);
	ev = slurp(p, NULL);
	for (line = ev ? strtok_r(ev, "\n", &save) : NULL; line && r->nev < PN_ARRAY_LEN(r->ev);
	    line = strtok_r(NULL, "\n", &save)) {
		json_object *o1 = json_tokener_parse(line);
		if (o1 == NULL)
			diag("bad event line: %.200s", line);
		else
			r->ev[r->nev++] = o1;
	}
	free(ev);
	return r->run ? 0 : -1;
}

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static int64_t
jint(json_object *o, const char *k, int64_t def)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int) ?
	    json_object_get_int64(v) : def;
}

static int
jbool(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* First event of type ev whose string field k equals v (k NULL: any); from index *from. */
static json_object *
find_ev(struct run *r, const char *ev, const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < r->nev; i++) {
		const char *e = jstr(r->ev[i], "ev"), *s;
		if (e == NULL || strcmp(e, ev) != 0)
			continue;
		if (k == NULL)
			return r->ev[i];
		s = jstr(r->ev[i], k);
		if (s && strcmp(s, v) == 0)
			return r->ev[i];
	}
	return NULL;
}

static int
limit_hit(struct run *r, const char *what)
{
	json_object *a;
	size_t i;

	if (!json_object_object_get_ex(r->run, "limits_hit", &a))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), what) == 0)
			return 1;
	return 0;
}

static json_object *
dropped_with(struct run *r, const char *path)
{
	json_object *a;
	size_t i;

	if (!json_object_object_get_ex(r->run, "dropped", &a))
		return NULL;
	for (i = 0; i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		if (strcmp(jstr(d, "path") ? jstr(d, "path") : "", path) == 0)
			return d;
	}
	return NULL;
}

static const char *
argv_at(json_object *ev, size_t i)
{
	json_object *a;

	if (!json_object_object_get_ex(ev, "argv", &a) || i >= json_object_array_length(a))
		return NULL;
	return json_object_get_string(json_object_array_get_idx(a, i));
}

/* Compile tests/data/sandbox/<name>.c into tmpdir/<name>; returns the path or NULL. */
static const char *
build(const char *name)
{
	static char out[64][PATH_MAX];
	static unsigned n;
	char cmd[3 * PATH_MAX];
	char *o = out[n++ % 64];

	snprintf(o, PATH_MAX, "%s/%s", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "cc -O1 -w -o %s tests/data/sandbox/%s.c", o, name);
	if (system(cmd) != 0) {
		diag("cannot build %s", name);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------ no root needed */

static void
test_conf(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_sandbox_opts o;

	is_int(pn_sandbox_opts_from_conf(c, &o), PN_OK, "defaults are valid");
	is_int(o.timeout_ms, 10000, "default timeout 10 s");
	ok(o.memory_max == 256u << 20, "default memory 256 MiB");
	is_int(o.pids_max, 64, "default pids 64");
	is_int(o.cpu_percent, 100, "default cpu 100%%");
	ok(o.write_max == 64u << 20, "default disk 64 MiB");
	is_str(o.sinkhole_v4, "198.51.100.1", "default sinkhole");
	pn_conf_put(c, "sandbox.sinkhole", "not-an-ip");
	is_int(pn_sandbox_opts_from_conf(c, &o), PN_EINVAL, "a bad sinkhole is refused");
	pn_conf_put(c, "sandbox.sinkhole", "192.0.2.1");
	pn_conf_put(c, "sandbox.timeout", "50");
	is_int(pn_sandbox_opts_from_conf(c, &o), PN_EINVAL, "a 50 ms timeout is refused");
	pn_conf_free(c);
}

static void
test_parsers(void)
{
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'W', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	static const uint8_t bad[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1 };
	uint8_t r[512];
	char name[PN_SBX_DNS_NAME_MAX + 2], sni[256];
	uint16_t qt = 0;
	size_t qend = 0, rl;
	uint32_t a = htonl(0xc6336401);
	struct sbx_http_req *h = pn_xmalloc(sizeof(*h));
	const char *req = "GET /x/y.sh?a=1 HTTP/1.1\r\nHost: evil.example:8080\r\nUser-Agent: curl/8\r\n\r\n";
	/* A minimal ClientHello with SNI "c2.example.org". */
	uint8_t ch[128];
	size_t n = 0, ext_at;

	is_int(sbx_dns_parse_query(q, sizeof(q), name, sizeof(name), &qt, &qend), PN_OK, "dns query parses");
	is_str(name, "www.example.com", "dns name, lower-cased");
	is_int(qt, 1, "dns type A");
	rl = sbx_dns_build_reply(q, qend, name, qt, a, r, sizeof(r));
	is_int(rl, sizeof(q) + 16, "reply has one answer");
	ok(r[2] & 0x80 && r[7] == 1 && memcmp(r + rl - 4, &a, 4) == 0, "answer is the sinkhole");
	is_int(sbx_dns_parse_query(bad, sizeof(bad), name, sizeof(name), &qt, &qend), PN_EFORMAT,
	    "compression pointer in a question is refused");
	is_int(sbx_dns_parse_query(q, 20, name, sizeof(name), &qt, &qend), PN_EFORMAT, "truncated query");
	rl = sbx_dns_build_reply(q, qend, "x.invalid", 1, a, r, sizeof(r));
	ok(rl > 0 && (r[3] & 0x0f) == 3, ".invalid gets NXDOMAIN");

	is_int(sbx_http_parse((const uint8_t *)req, 20, h), PN_EAGAIN, "partial HTTP head");
	is_int(sbx_http_parse((const uint8_t *)req, strlen(req), h), PN_OK, "HTTP head parses");
	is_str(h->method, "GET", "method");
	is_str(h->target, "/x/y.sh?a=1", "target");
	is_str(h->host, "evil.example:8080", "host");
	ok(h->nhdr == 2 && strcmp(h->hdr[1].value, "curl/8") == 0, "headers kept");
	is_int(sbx_http_parse((const uint8_t *)"\x16\x03\x01", 3, h), PN_EFORMAT, "TLS is not HTTP");
	free(h);

	memset(ch, 0, sizeof(ch));
	ch[n++] = 0x16; ch[n++] = 3; ch[n++] = 1; n += 2;       /* record, length later */
	ch[n++] = 1; n += 3;                                     /* ClientHello, length */
	ch[n++] = 3; ch[n++] = 3; n += 32;                       /* version, random */
	ch[n++] = 0;                                             /* session id */
	ch[n++] = 0; ch[n++] = 2; ch[n++] = 0x13; ch[n++] = 1;   /* one cipher suite */
	ch[n++] = 1; ch[n++] = 0;                                /* compression null */
	ext_at = n;
	n += 2;
	ch[n++] = 0; ch[n++] = 0; ch[n++] = 0; ch[n++] = 19;     /* server_name, len 19 */
	ch[n++] = 0; ch[n++] = 17; ch[n++] = 0; ch[n++] = 0; ch[n++] = 14;
	memcpy(ch + n, "c2.example.org", 14);
	n += 14;
	ch[ext_at] = 0;
	ch[ext_at + 1] = (uint8_t)(n - ext_at - 2);
	ch[3] = 0;
	ch[4] = (uint8_t)(n - 5);
	ch[6] = 0; ch[7] = 0; ch[8] = (uint8_t)(n - 9);
	is_int(sbx_tls_sni(ch, n, sni, sizeof(sni)), PN_OK, "ClientHello parses");
	is_str(sni, "c2.example.org", "SNI");
	is_int(sbx_tls_sni(ch, n - 5, sni, sizeof(sni)), PN_EAGAIN, "truncated ClientHello wants more");
	ch[ext_at + 1] = 0xff;
	ok(sbx_tls_sni(ch, n, sni, sizeof(sni)) != PN_OK || strlen(sni) <= 14,
	    "bad extension length never reads past the record");
}

/* ------------------------------------------------------------ refusals */

static void
test_refusals(const struct pn_sandbox_opts *o0)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build("true");
	char dir[PATH_MAX], err[256];
	struct stat st;

	if (s == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s/refused", tmpdir);
	if (mkdir(dir, 0755) != 0) {
		ok(0, "mkdir");
		return;
	}
	o.write_max = 1u << 20;
	if (stat(s, &st) == 0 && (uint64_t)st.st_size < o.write_max) {
		/* Make the sample bigger than the writable layer. */
		FILE *f = fopen(s, "ab");
		static char pad[1 << 20];
		if (f) {
			fwrite(pad, 1, sizeof(pad), f);
			fclose(f);
		}
	}
	is_int(pn_sandbox_run(&o, s, "big", dir, err, sizeof(err)), PN_EINVAL,
	    "a sample larger than sandbox.disk is refused");
	ok(strstr(err, "sandbox.disk") != NULL, "with the reason (%s)", err);
	o = *o0;
	is_int(pn_sandbox_run(&o, s, "big", dir, err, sizeof(err)), PN_OK, "the same outdir, empty, works");
	is_int(pn_sandbox_run(&o, s, "big", dir, err, sizeof(err)), PN_EINVAL,
	    "a non-empty outdir is refused");
	o.timeout_ms = 5;
	is_int(pn_sandbox_run(&o, s, "big", dir, err, sizeof(err)), PN_EINVAL, "bad options are refused");
	is_int(pn_sandbox_run(o0, "/nonexistent/sample", NULL, dir, err, sizeof(err)), PN_EINVAL,
	    "a missing sample is refused");
}

/* ------------------------------------------------------------ limits */

static void
test_trivial(const struct pn_sandbox_opts *o)
{
	const char *s = build("true");
	struct run r;
	int64_t sum = 0;
	int i, good = 0;

	if (s == NULL)
		return;
	for (i = 0; i < 5; i++) {
		if (do_run(&r, o, s, "true", 0) == 0 && jint(r.run, "exit_code", -1) == 0) {
			good++;
			sum += r.wall_ms;
		}
		if (i == 0) {
			json_object *e = find_ev(&r, "exec", "path", "/tmp/true");
			ok(e && argv_at(e, 0) && strcmp(argv_at(e, 0), "true") == 0 && jint(e, "ret", -1) == 0,
			    "the sample is exec'd as /tmp/<name> with argv[0] = name");
			ok(find_ev(&r, "exit", NULL, NULL) != NULL, "its exit is recorded");
			is_str(jstr(r.run, "sandbox_name"), "Linux Tracer", "run.json sandbox_name");
		}
		run_free(&r);
	}
	is_int(good, 5, "five trivial runs succeed");
	diag("trivial run (set-up + trace + teardown): %lld ms on average", (long long)(good ? sum / good : 0));
	ok(good && sum / good < 1000, "a trivial run takes well under 1 s");
}

static void
test_forkbomb(const struct pn_sandbox_opts *o0)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build("forkbomb");
	struct run r;

	if (s == NULL)
		return;
	o.pids_max = 16;
	o.timeout_ms = 2500;
	if (do_run(&r, &o, s, "bomb", 0) == 0) {
		ok(limit_hit(&r, "pids"), "fork bomb: the pids limit was hit");
		ok(jbool(r.run, "timed_out"), "fork bomb: ended by the wall clock");
		ok(r.wall_ms < o.timeout_ms + 3000, "fork bomb: the whole tree died in time (%lld ms)",
		    (long long)r.wall_ms);
	} else {
		ok(0, "fork bomb run");
	}
	run_free(&r);
}

static void
test_diskfill(const struct pn_sandbox_opts *o0)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build("diskfill");
	struct stat before, after;
	int had = stat("/tmp/fill", &before) == 0;
	struct run r;

	if (s == NULL)
		return;
	o.write_max = 8u << 20;
	if (do_run(&r, &o, s, "filler", 0) == 0) {
		json_object *d = dropped_with(&r, "/tmp/fill");
		is_int(jint(r.run, "exit_code", -1), 0, "disk filler: its write failed with ENOSPC/EFBIG");
		ok(strstr(r.out, "stopped after") != NULL, "disk filler: said where it stopped");
		ok(limit_hit(&r, "disk"), "disk filler: the disk limit was hit");
		ok(d && jint(d, "size", 0) <= (int64_t)o.write_max, "disk filler: its file is capped");
		ok(had ? stat("/tmp/fill", &after) == 0 && after.st_ino == before.st_ino &&
		    after.st_size == before.st_size : stat("/tmp/fill", &after) != 0,
		    "disk filler: the host's /tmp is untouched");
	} else {
		ok(0, "disk filler run");
	}
	run_free(&r);
}

static void
test_sleeper(const struct pn_sandbox_opts *o0)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build("sleeper");
	struct run r;

	if (s == NULL)
		return;
	o.timeout_ms = 2000;
	o.cpu_percent = 5;
	if (do_run(&r, &o, s, "sleeper", 0) == 0) {
		json_object *e = find_ev(&r, "sleep", NULL, NULL);
		json_object *v;
		double req = 0, granted = 99;

		if (e && json_object_object_get_ex(e, "req", &v))
			req = json_object_get_double(v);
		if (e && json_object_object_get_ex(e, "granted", &v))
			granted = json_object_get_double(v);
		ok(jbool(r.run, "timed_out") && limit_hit(&r, "time"), "sleeper: killed by the wall clock");
		ok(r.wall_ms < o.timeout_ms + 2000, "sleeper: the run ended in time (%lld ms)",
		    (long long)r.wall_ms);
		ok(req >= 3599 && granted <= 1.0, "sleeper: sleep(3600) logged and cut to 1 s (req %.0f, granted %.1f)",
		    req, granted);
		is_int(jint(r.run, "signal", 0), 9, "sleeper: SIGKILLed");
		ok(limit_hit(&r, "cpu"), "sleeper: its busy loop was throttled by a 5%% CPU quota");
	} else {
		ok(0, "sleeper run");
	}
	run_free(&r);
}

static void
test_memhog(const struct pn_sandbox_opts *o0)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build("memhog");
	struct run r;

	if (s == NULL)
		return;
	o.memory_max = 32u << 20;
	if (do_run(&r, &o, s, "hog", 0) == 0) {
		ok(limit_hit(&r, "memory"), "memory hog: the memory limit was hit");
		ok(jint(r.run, "signal", 0) == 9 || jint(r.run, "exit_code", 0) == 2,
		    "memory hog: stopped (OOM-killed or malloc failed)");
		ok(!jbool(r.run, "timed_out"), "memory hog: stopped before the wall clock");
	} else {
		ok(0, "memory hog run");
	}
	run_free(&r);
}

/* ------------------------------------------------------------ isolation */

static void
test_hostread(const struct pn_sandbox_opts *o)
{
	static const char *const secrets[] = { "/tmp/pn-sbx-host-secret.txt",
		"/var/tmp/pn-sbx-host-secret.txt" };
	const char *s = build("hostread");
	struct run r;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < PN_ARRAY_LEN(secrets); i++) {
		FILE *f = fopen(secrets[i], "w");
		if (f) {
			fputs("host secret\n", f);
			fclose(f);
		}
	}
	if (do_run(&r, o, s, "reader", 0) == 0) {
		ok(strstr(r.out, "OK hostname web01-test") != NULL, "host read: /etc/hostname is the sandbox's");
		ok(strstr(r.out, "OK usr") != NULL, "host read: the read-only /usr is there");
		ok(strstr(r.out, "UPTIME ") && strtol(strstr(r.out, "UPTIME ") + 7, NULL, 10) >= 3 * 86400,
		    "time namespace: uptime is shifted by days");
		ok(strstr(r.out, "READ ") == NULL,
		    "host read: no host file outside the root, no private /etc file, no kernel secret was readable");
		ok(strstr(r.out, "WRITABLE ") == NULL, "host read: no kernel knob (/proc/sys, sysrq) is writable");
		if (strstr(r.out, "READ ") || strstr(r.out, "WRITABLE "))
			diag("%s", r.out);
		ok(find_ev(&r, "open", "path", "/tmp/pn-sbx-host-secret.txt") != NULL,
		    "host read: the attempt is in the events");
	} else {
		ok(0, "host read run");
	}
	run_free(&r);
	for (i = 0; i < PN_ARRAY_LEN(secrets); i++)
		unlink(secrets[i]);
}

static void
test_hostwrite(const struct pn_sandbox_opts *o)
{
	static const char *const host[] = { "/usr/bin/pn-sbx-pwned", "/etc/pn-sbx-pwned",
		"/pn-sbx-pwned", "/tmp/pn-sbx-pwned", "/root/pn-sbx-pwned", "/usr/lib/pn-sbx-pwned" };
	const char *s = build("hostwrite");
	struct run r;
	size_t i;
	int clean = 1;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "writer", 0) == 0) {
		ok(strstr(r.out, "WROTE /usr/bin/pn-sbx-pwned") && strstr(r.out, "WROTE /etc/pn-sbx-pwned"),
		    "host write: writes to /usr and /etc succeed inside (overlay)");
		ok(strstr(r.out, "WROTE /dev/") == NULL, "host write: /dev is read-only");
		for (i = 0; i < PN_ARRAY_LEN(host); i++)
			if (access(host[i], F_OK) == 0) {
				diag("host file %s exists", host[i]);
				clean = 0;
			}
		ok(clean, "host write: nothing reached the host");
		ok(access("/usr/bin/env", X_OK) == 0, "host write: the host's /usr/bin/env survived");
		ok(dropped_with(&r, "/etc/pn-sbx-pwned") && dropped_with(&r, "/usr/bin/pn-sbx-pwned"),
		    "host write: the written files are in dropped/");
	} else {
		ok(0, "host write run");
	}
	run_free(&r);
}

static void
test_netreal(const struct pn_sandbox_opts *o)
{
	const char *s = build("netreal");
	struct run r;
	size_t i;
	json_object *raw = NULL;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "net", 0) == 0) {
		json_object *c = find_ev(&r, "connect", "ip", "93.184.216.34");
		json_object *h = find_ev(&r, "http", "url", "http://c2.example:8443/beacon");
		json_object *u = find_ev(&r, "send_udp", "ip", "203.0.113.7");

		ok(c && jint(c, "port", 0) == 4444 && jint(c, "ret", -1) == 0,
		    "real address: the connect is logged and succeeds (inside)");
		for (i = 0; i < r.nev; i++)
			if (jstr(r.ev[i], "ev") && strcmp(jstr(r.ev[i], "ev"), "raw") == 0 &&
			    jstr(r.ev[i], "ip") && strcmp(jstr(r.ev[i], "ip"), "93.184.216.34") == 0)
				raw = r.ev[i];
		ok(raw && jint(raw, "port", 0) == 4444 && jstr(raw, "first_bytes_b64") &&
		    strcmp(jstr(raw, "first_bytes_b64"), "AQJIRUxMTy1DMg==") == 0,
		    "real address: it landed in fakenet, original destination and first bytes recorded");
		ok(h && jint(h, "port", 0) == 8443, "real address: HTTP on another port is parsed");
		ok(u && jint(u, "port", 0) == 9999 && jint(u, "len", 0) == 4, "UDP send logged");
		c = find_ev(&r, "tls", "sni", "c2.example");
		ok(c && jstr(c, "ip") && strcmp(jstr(c, "ip"), "192.0.2.44") == 0 && jint(c, "port", 0) == 443,
		    "TLS: the ClientHello's SNI and destination are logged");
		ok(strstr(r.out, "connect 93.184.216.34:4444 ok") != NULL, "the sample saw a peer");
	} else {
		ok(0, "network run");
	}
	run_free(&r);
}

/* ------------------------------------------------------------ behaviours */

static void
test_crontab(const struct pn_sandbox_opts *o)
{
	const char *s = build("crontab");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "cron", 0) == 0) {
		json_object *e = find_ev(&r, "open", "path", "/var/spool/cron/crontabs/root");
		is_int(jint(r.run, "exit_code", -1), 0, "crontab: sample succeeded");
		ok(e && strstr(jstr(e, "flags") ? jstr(e, "flags") : "", "O_WRONLY|O_CREAT") &&
		    jint(e, "ret", -1) >= 0, "crontab: write-open of the root crontab logged with its result");
		ok(find_ev(&r, "open", "path", "/etc/cron.d/pn-update") != NULL,
		    "crontab: /etc/cron.d file logged (relative path made absolute and clean)");
		ok(dropped_with(&r, "/var/spool/cron/crontabs/root") && dropped_with(&r, "/etc/cron.d/pn-update"),
		    "crontab: both files dropped");
		ok(find_ev(&r, "write_sum", "path", "/etc/cron.d/pn-update") != NULL, "crontab: write_sum event");
		e = find_ev(&r, "lock", "path", "/run/.cron-updater.pid");
		ok(e && strcmp(jstr(e, "op"), "LOCK_EX") == 0 && jbool(e, "nb"), "crontab: its lock is logged");
	} else {
		ok(0, "crontab run");
	}
	run_free(&r);
}

static void
test_selfdelete(const struct pn_sandbox_opts *o)
{
	const char *s = build("selfdelete");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "selfdel", 0) == 0) {
		json_object *e = find_ev(&r, "unlink", "path", "/tmp/selfdel");
		json_object *d = dropped_with(&r, "/tmp/.stage2");
		ok(e && jint(e, "ret", -1) == 0, "self delete: unlink of its own image logged, ret 0");
		ok(d && jbool(d, "deleted") && jint(d, "size", 0) == 23,
		    "self delete: a file written then deleted is kept in dropped/");
		is_int(jint(r.run, "exit_code", -1), 0, "self delete: sample succeeded");
	} else {
		ok(0, "self delete run");
	}
	run_free(&r);
}

static void
test_dnshttp(const struct pn_sandbox_opts *o)
{
	const char *s = build("dnshttp");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "dl", 0) == 0) {
		json_object *d = find_ev(&r, "dns", "q", "update.example-c2.net");
		json_object *h = find_ev(&r, "http", "url", "http://update.example-c2.net/payload.bin?id=42");
		json_object *c = find_ev(&r, "connect", "ip", "198.51.100.1");
		json_object *hd = NULL, *v;

		ok(d && jstr(d, "type") && strcmp(jstr(d, "type"), "A") == 0, "dns: the A question is logged");
		ok(d && json_object_object_get_ex(d, "answers", &v) && json_object_array_length(v) == 1 &&
		    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "198.51.100.1") == 0,
		    "dns: answered with the sinkhole");
		ok(strstr(r.out, "resolved 198.51.100.1") != NULL, "dns: the sample got the sinkhole");
		ok(h && strcmp(jstr(h, "method"), "GET") == 0, "http: the GET and its URL are logged");
		ok(h && json_object_object_get_ex(h, "headers", &hd) && jstr(hd, "User-Agent") &&
		    strcmp(jstr(hd, "User-Agent"), "pn-sample/1.0") == 0, "http: headers are logged");
		ok(c && jint(c, "port", 0) == 80, "http: the connect to the sinkhole is logged");
		ok(strstr(r.out, "HTTP/1.1 200 OK") != NULL, "http: the sample got a 200");
	} else {
		ok(0, "dns/http run");
	}
	run_free(&r);
}

static void
test_dropexec(const struct pn_sandbox_opts *o)
{
	const char *s = build("dropexec");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "dropper", 0) == 0) {
		json_object *e = find_ev(&r, "exec", "path", "/tmp/.cache-updater");
		json_object *c = find_ev(&r, "chmod", "path", "/tmp/.cache-updater");
		json_object *d = dropped_with(&r, "/tmp/.cache-updater");

		is_int(jint(r.run, "exit_code", -1), 0, "drop+exec: the dropped copy ran");
		ok(find_ev(&r, "open", "path", "/tmp/.cache-updater") != NULL, "drop+exec: the write-open is logged");
		ok(c && jint(c, "mode", 0) == 0755, "drop+exec: chmod 0755 logged");
		ok(e && argv_at(e, 0) && strcmp(argv_at(e, 0), "dropped-child") == 0 && jint(e, "ret", -1) == 0,
		    "drop+exec: exec of the dropped file logged");
		ok(d && strcmp(jstr(d, "sha256"), jstr(r.run, "sample_sha256")) == 0,
		    "drop+exec: dropped/ holds the ELF");
	} else {
		ok(0, "drop+exec run");
	}
	run_free(&r);
}

static void
test_setuid(const struct pn_sandbox_opts *o)
{
	const char *s = build("setuid");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "suid", 0) == 0) {
		json_object *c = find_ev(&r, "chmod", "path", "/tmp/.suid-shell");
		json_object *u = find_ev(&r, "setid", "syscall", "setuid");
		ok(c && (jint(c, "mode", 0) & 06000) && jint(c, "ret", -1) == 0, "setuid: chmod 04755 logged, ret 0");
		ok(u != NULL, "setuid: setuid(0) logged");
		u = find_ev(&r, "mkdir", "path", "/tmp/.hidden");
		ok(u && jint(u, "mode", 0) == 0700 && jint(u, "ret", -1) == 0, "mkdir logged");
		u = find_ev(&r, "module_load", "syscall", "init_module");
		ok(u && jint(u, "len", 0) == 16 && strcmp(jstr(u, "params"), "debug=1") == 0 &&
		    jint(u, "ret", 0) < 0, "init_module attempt logged and refused");
	} else {
		ok(0, "setuid run");
	}
	run_free(&r);
}

static void
test_shadow(const struct pn_sandbox_opts *o)
{
	const char *s = build("shadow");
	char *host = slurp("/etc/shadow", NULL), *hash = NULL;
	struct run r;

	if (s == NULL) {
		free(host);
		return;
	}
	/* The host's root hash, when it has a real one. */
	if (host && strncmp(host, "root:", 5) == 0) {
		char *e = strchr(host + 5, ':');
		if (e && e - (host + 5) > 4) {
			*e = '\0';
			hash = host + 5;
		}
	}
	if (do_run(&r, o, s, "shadow", 0) == 0) {
		json_object *e = find_ev(&r, "open", "path", "/etc/shadow");
		ok(e && strcmp(jstr(e, "flags"), "O_RDONLY") == 0, "shadow: the read-open is logged");
		ok(strstr(r.out, "root:") && strstr(r.out, ":19700:"), "shadow: the sample read the fake file");
		ok(hash == NULL || strstr(r.out, hash) == NULL, "shadow: no host /etc/shadow content");
	} else {
		ok(0, "shadow run");
	}
	free(host);
	run_free(&r);
}

static void
test_procname(const struct pn_sandbox_opts *o)
{
	const char *s = build("procname");
	struct run r;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "procname", 0) == 0) {
		json_object *p = find_ev(&r, "prctl", "op", "PR_SET_NAME");
		json_object *e = find_ev(&r, "open", "path", "/proc/self/status");
		ok(p && strcmp(jstr(p, "arg"), "kworker/0:1") == 0, "rename: PR_SET_NAME logged with the name");
		ok(e && strcmp(jstr(e, "comm"), "kworker/0:1") == 0, "rename: later events carry the new name");
		p = find_ev(&r, "ptrace", "req", "PTRACE_TRACEME");
		ok(p && jbool(p, "faked") && jint(p, "ret", -1) == 0, "anti-debug: ptrace(TRACEME) logged and faked");
		ok(strstr(r.out, "no debugger") != NULL, "anti-debug: the sample saw no debugger");
	} else {
		ok(0, "rename run");
	}
	run_free(&r);
}

static void
test_memfdexec(const struct pn_sandbox_opts *o)
{
	const char *s = build("memfdexec");
	struct run r;
	size_t i;
	json_object *x = NULL;

	if (s == NULL)
		return;
	if (do_run(&r, o, s, "fileless", 0) == 0) {
		ok(find_ev(&r, "memfd", "name", "payload") != NULL, "memfd: memfd_create logged with its name");
		for (i = 0; i < r.nev; i++)
			if (jstr(r.ev[i], "ev") && strcmp(jstr(r.ev[i], "ev"), "exec") == 0 &&
			    jstr(r.ev[i], "path") && strstr(jstr(r.ev[i], "path"), "memfd:payload"))
				x = r.ev[i];
		ok(x && jbool(x, "execveat") && jint(x, "ret", -1) == 0, "memfd: exec from the memfd logged");
		ok(x && argv_at(x, 0) && strcmp(argv_at(x, 0), "[kthreadd]") == 0, "memfd: with its fake argv[0]");
		is_int(jint(r.run, "exit_code", -1), 0, "memfd: the payload (/bin/true) ran");
	} else {
		ok(0, "memfd run");
	}
	run_free(&r);
}

static void
test_script(const struct pn_sandbox_opts *o)
{
	char path[PATH_MAX];
	struct run r;
	size_t i;
	json_object *shc = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dropper.sh", tmpdir);
	f = fopen(path, "w");
	if (f == NULL) {
		ok(0, "write the script");
		return;
	}
	fputs("#!/bin/sh\necho start\nsh -c 'id; uname -a' >/tmp/.recon\ncat /etc/hostname\nls -R /etc >/dev/null\n"
	    "exit 0\n", f);
	fclose(f);
	if (do_run(&r, o, path, "dropper.sh", 0) == 0) {
		for (i = 0; i < r.nev; i++)
			if (jstr(r.ev[i], "ev") && strcmp(jstr(r.ev[i], "ev"), "exec") == 0 && argv_at(r.ev[i], 1) &&
			    strcmp(argv_at(r.ev[i], 1), "-c") == 0 && argv_at(r.ev[i], 2) &&
			    strcmp(argv_at(r.ev[i], 2), "id; uname -a") == 0)
				shc = r.ev[i];
		ok(find_ev(&r, "exec", "path", "/tmp/dropper.sh") != NULL, "script: exec of the script logged");
		ok(shc != NULL, "script: sh -c with its command line logged");
		ok(find_ev(&r, "exec", "path", "/usr/bin/id") != NULL, "script: the commands it ran are logged");
		ok(find_ev(&r, "uname", NULL, NULL) != NULL, "script: uname logged");
		shc = find_ev(&r, "dirscan", "comm", "ls");
		ok(shc && jint(shc, "count", 0) > 20, "script: ls -R /etc is a directory scan");
		ok(dropped_with(&r, "/tmp/.recon") != NULL, "script: its output file dropped");
		ok(strstr(r.out, "start\n") && strstr(r.out, "web01-test"), "script: stdout captured");
	} else {
		ok(0, "script run");
	}
	run_free(&r);
}

/* ------------------------------------------------------------ overhead */

static void
bench(const struct pn_sandbox_opts *o0, const char *sample)
{
	struct pn_sandbox_opts o = *o0;
	const char *s = build(sample);
	struct run r;
	int64_t t[2] = { 0, 0 }, best[2] = { INT64_MAX, INT64_MAX };
	int i, k;

	if (s == NULL)
		return;
	o.timeout_ms = 60000;
	for (i = 0; i < 2; i++)
		for (k = 0; k < 2; k++) {
			if (do_run(&r, &o, s, sample, k) == 0 && jint(r.run, "exit_code", -1) == 0) {
				t[k] = jint(r.run, "duration_ms", 0);
				if (t[k] < best[k])
					best[k] = t[k];
			}
			run_free(&r);
		}
	ok(best[0] != INT64_MAX && best[1] != INT64_MAX, "benchmark %s ran traced and untraced", sample);
	if (best[0] != INT64_MAX && best[1] > 0)
		diag("%s: untraced %lld ms, traced %lld ms, ratio %.2fx", sample, (long long)best[1],
		    (long long)best[0], (double)best[0] / (double)best[1]);
}

int
main(int argc, char **argv)
{
	struct pn_sandbox_opts o;
	char why[256], cmd[PATH_MAX + 16];
	int benchmark = argc > 1 && strcmp(argv[1], "--bench") == 0;

	test_conf();
	test_parsers();
	if (pn_sandbox_available(why, sizeof(why)) != PN_OK) {
		ok(1, "# SKIP sandbox unavailable: %s", why);
		return done_testing();
	}
	if (system("cc --version >/dev/null 2>&1") != 0) {
		ok(1, "# SKIP no C compiler for the samples");
		return done_testing();
	}
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	opts_default(&o);
	test_trivial(&o);
	test_refusals(&o);
	test_forkbomb(&o);
	test_diskfill(&o);
	test_sleeper(&o);
	test_memhog(&o);
	test_hostread(&o);
	test_hostwrite(&o);
	test_netreal(&o);
	test_crontab(&o);
	test_selfdelete(&o);
	test_dnshttp(&o);
	test_dropexec(&o);
	test_setuid(&o);
	test_shadow(&o);
	test_procname(&o);
	test_memfdexec(&o);
	test_script(&o);
	if (benchmark) {
		bench(&o, "openloop");
		bench(&o, "syscalls");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
