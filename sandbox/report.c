/*
 * report.c - a Linux Tracer run (OUTDIR/events.jsonl + OUTDIR/run.json,
 * SANDBOX.md §5.5) → a VirusTotal `file_behaviour` attributes object:
 * processes_tree and the process lists, command_executions, file lists
 * (loader/libc noise filtered by the rule file's [noise] section),
 * files_dropped, network lists, mutexes_created, modules_loaded, then the
 * rules' detections (signature_matches, mitre_attack_techniques, tags,
 * verdicts), behash, sandbox_name, analysis_date and run_info (a Panoptes
 * extra: exit status, limits hit, skipped lines, notes on why a run was
 * short).
 *
 * Reading is bounded: PN_BEH_MAX_EVENTS_BYTES of the file, lines up to
 * PN_BEH_MAX_LINE, PN_BEH_MAX_EVENTS events, JSON nesting up to
 * PN_BEH_MAX_JSON_DEPTH; anything else (malformed JSON, wrong types, an
 * event without "ev" or "pid", over-long lines) is skipped and counted.
 * Strings are cleaned to UTF-8 before parsing.  Every list is
 * deduplicated and capped at PN_BEH_MAX_LIST entries of PN_BEH_MAX_STR
 * bytes.
 *
 * Ownership: the report is a new json object for the caller.
 * See also: rules.c, docs/internals/behavior-rules.md, fuzz_events.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "report.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PIDX_MIN 64     /* pid hash slots at first; doubled at half load, up to 2 * PN_BEH_MAX_PROCS */

struct skips {
	size_t malformed, long_lines, bad_type, over_limit;
	int cut;        /* the file was longer than PN_BEH_MAX_EVENTS_BYTES */
};

/* ------------------------------------------------------------ process table */

static size_t
pid_hash(int64_t pid, size_t cap)
{
	uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

/* Rebuild the pid index with cap slots (a power of two above 2 * nprocs). */
static void
pidx_grow(struct pn__bset *s, size_t cap)
{
	size_t i, h;

	free(s->pidx);
	s->pidx = pn_xcalloc(cap, sizeof(size_t));
	s->pidx_cap = cap;
	for (i = 0; i < s->nprocs; i++) {
		for (h = pid_hash(s->procs[i].pid, cap); s->pidx[h]; h = (h + 1) & (cap - 1))
			;
		s->pidx[h] = i + 1;
	}
}

long
pn__proc_get(struct pn__bset *s, int64_t pid, int create)
{
	size_t h, i;
	struct pn__proc *p;

	if (s->pidx == NULL) {
		if (!create)
			return -1;
		pidx_grow(s, PIDX_MIN);
	}
	for (h = pid_hash(pid, s->pidx_cap), i = 0; i < s->pidx_cap; i++, h = (h + 1) & (s->pidx_cap - 1)) {
		size_t k = s->pidx[h];
		if (k && s->procs[k - 1].pid == pid)
			return (long)(k - 1);
		if (k == 0)
			break;
	}
	if (!create || s->nprocs >= PN_BEH_MAX_PROCS)
		return -1;
	if (s->nprocs == s->procs_cap) {
		s->procs_cap = s->procs_cap ? s->procs_cap * 2 : 64;
		s->procs = pn_xrealloc(s->procs, s->procs_cap * sizeof(*s->procs));
	}
	p = &s->procs[s->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = -1;
	p->end = -1;
	s->nprocs++;
	if (2 * s->nprocs > s->pidx_cap)
		pidx_grow(s, s->pidx_cap * 2);   /* re-inserts the new one too */
	else {
		for (h = pid_hash(pid, s->pidx_cap); s->pidx[h]; h = (h + 1) & (s->pidx_cap - 1))
			;
		s->pidx[h] = s->nprocs;
	}
	return (long)(s->nprocs - 1);
}

/* A string kept alive until the set is released. */
static const char *
pool(struct pn__bset *s, const char *v)
{
	struct json_object *o = json_object_new_string(v);

	if (s->pool == NULL)
		s->pool = json_object_new_array();
	json_object_array_add(s->pool, o);
	return json_object_get_string(o);
}

void
pn__bset_release(struct pn__bset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		json_object_put(s->v[i].o);
		free(s->v[i].argv);
		free(s->v[i].evid);
	}
	free(s->v);
	free(s->sample);
	free(s->procs);
	free(s->pidx);
	json_object_put(s->pool);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ helpers */

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static int
jint(struct json_object *o, const char *k, int64_t *out)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 1;
	}
	return 0;
}

static int
jtrue(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* Basename; Windows paths ("C:\\...", Wine Tracer events) split at '\\' too. */
static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	if (s == NULL && isalpha((unsigned char)p[0]) && p[1] == ':' && p[2] == '\\')
		s = strrchr(p, '\\');
	return s ? s + 1 : p;
}

void
pn__list_add(struct json_object *list, struct json_object *seen, const char *s)
{
	char *cut = NULL;

	if (s == NULL || *s == '\0' || json_object_array_length(list) >= PN_BEH_MAX_LIST)
		return;
	if (strlen(s) > PN_BEH_MAX_STR) {
		size_t n = PN_BEH_MAX_STR;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s = cut = pn_xstrndup(s, n);
	}
	if (!json_object_object_get_ex(seen, s, NULL)) {
		json_object_object_add(seen, s, NULL);
		json_object_array_add(list, json_object_new_string(s));
	}
	free(cut);
}

/* argv array → "a b c" (capped), or NULL. */
static char *
join_argv(struct json_object *a)
{
	struct pn_buf b;
	size_t i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array))
		return NULL;
	pn_buf_init(&b, PN_BEH_MAX_STR);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string))
			continue;
		if ((i && pn_buf_putc(&b, ' ') != PN_OK) ||
		    pn_buf_puts(&b, json_object_get_string(v)) != PN_OK)
			break;
	}
	if (b.p == NULL)
		return pn_xstrdup("");
	return pn_buf_steal(&b, NULL);
}

/* ------------------------------------------------------------ event intake */

static int
is_write_open(struct json_object *o)
{
	struct json_object *f;
	const char *s;

	if (!json_object_object_get_ex(o, "flags", &f))
		return 0;
	if (json_object_is_type(f, json_type_int))
		return (json_object_get_int64(f) & (3 | 0100 | 01000 | 02000)) != 0;
	if ((s = json_object_get_string(f)) == NULL)
		return 0;
	return strstr(s, "O_WRONLY") || strstr(s, "O_RDWR") || strstr(s, "O_CREAT") ||
	    strstr(s, "O_TRUNC") || strstr(s, "O_APPEND");
}

static int
creates(struct json_object *o)
{
	struct json_object *f;
	const char *s;

	if (!json_object_object_get_ex(o, "flags", &f))
		return 0;
	if (json_object_is_type(f, json_type_int))
		return (json_object_get_int64(f) & 0100) != 0;
	return (s = json_object_get_string(f)) != NULL && strstr(s, "O_CREAT") != NULL;
}

struct intake {
	struct pn__bset *s;
	struct json_object *created;  /* set of paths created in the run */
	const char *sample_name;
	double last_t;
	struct skips sk;
};

static int
exec_ok(struct json_object *o)
{
	int64_t ret;

	return !jint(o, "ret", &ret) || ret == 0;
}

/* The sample's path: the first exec naming sample_name (as image or argument), else the first exec. */
static void
learn_sample(struct intake *in, struct pn__bev *e)
{
	struct json_object *a;
	const char *path = jstr(e->o, "path");
	size_t i, n;

	if (in->s->sample || path == NULL || !exec_ok(e->o))
		return;
	if (in->sample_name == NULL || strcmp(base_name(path), in->sample_name) == 0) {
		in->s->sample = pn_xstrdup(path);
		return;
	}
	if (!json_object_object_get_ex(e->o, "argv", &a) || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 1; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(a, i));
		if (v && json_object_is_type(json_object_array_get_idx(a, i), json_type_string) &&
		    strcmp(base_name(v), in->sample_name) == 0) {
			in->s->sample = pn_xstrdup(v);
			return;
		}
	}
}

/* Process bookkeeping for one event. */
static void
track(struct intake *in, struct pn__bev *e)
{
	struct pn__bset *s = in->s;
	long i = e->pid >= 0 ? pn__proc_get(s, e->pid, 1) : -1, c;
	int64_t child;
	const char *path;

	if (i < 0)
		return;
	if (s->procs[i].ppid < 0 && e->ppid >= 0 && e->ppid != e->pid) {
		s->procs[i].ppid = e->ppid;
		s->procs[i].start = e->t;
	}
	if (s->procs[i].name == NULL) {
		const char *comm = jstr(e->o, "comm");
		s->procs[i].name = pool(s, comm ? comm : "?");
		s->procs[i].start = e->t;
	}
	if (strcmp(e->ev, "proc_fork") == 0 && !jtrue(e->o, "thread") && jint(e->o, "child", &child) &&
	    child != e->pid && (c = pn__proc_get(s, child, 1)) >= 0) {
		i = pn__proc_get(s, e->pid, 0);  /* the table may have moved */
		s->procs[c].ppid = e->pid;
		s->procs[c].start = e->t;
		s->procs[c].name = s->procs[i].name;
		s->procs[c].image = s->procs[i].image;
	} else if (strcmp(e->ev, "exec") == 0 && exec_ok(e->o) && (path = jstr(e->o, "path"))) {
		e->image = s->procs[i].image;   /* an exec's "self" is the image it replaces */
		learn_sample(in, e);
		s->procs[i].image = pool(s, path);
		s->procs[i].name = pool(s, e->argv && *e->argv ? e->argv : path);
	} else if (strcmp(e->ev, "exit") == 0) {
		s->procs[i].exited = 1;
		s->procs[i].end = e->t;
		jint(e->o, "code", &s->procs[i].code);
		jint(e->o, "signal", &s->procs[i].sig);
	}
	if (strcmp(e->ev, "exec") != 0)
		e->image = s->procs[i].image;
}

static void
mark_created(struct intake *in, struct pn__bev *e)
{
	const char *p = jstr(e->o, "path");
	const char *ev = e->ev;

	if (p && json_object_object_get_ex(in->created, p, NULL))
		e->created = 1;
	if (strcmp(ev, "rename") == 0)
		p = jstr(e->o, "to");
	else if (!((strcmp(ev, "open") == 0 && creates(e->o)) || strcmp(ev, "write_sum") == 0 ||
	    strcmp(ev, "mkdir") == 0))
		return;
	if (p && json_object_object_length(in->created) < PN_BEH_MAX_EVENTS)
		json_object_object_add(in->created, p, NULL);
}

/* One line; 1 if kept, 0 if skipped (and counted). */
static int
take_line(struct intake *in, json_tokener *tok, const char *line, size_t n)
{
	struct json_object *o, *v;
	struct pn__bset *s = in->s;
	struct pn__bev *e;
	char *clean;
	int64_t pid = -1, ppid = -1;
	double t = in->last_t;

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	if (s->n >= PN_BEH_MAX_EVENTS) {
		in->sk.over_limit++;
		return 0;
	}
	clean = pn_utf8_clean(line, n);
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, clean, (int)strlen(clean));
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(clean)) {
		json_object_put(o);
		free(clean);
		in->sk.malformed++;
		return 0;
	}
	free(clean);
	/* pid is absent on fakenet events and some write_sum events */
	if (!json_object_is_type(o, json_type_object) || jstr(o, "ev") == NULL ||
	    (json_object_object_get_ex(o, "pid", &v) && !jint(o, "pid", &pid)) ||
	    (json_object_object_get_ex(o, "ppid", &v) && !jint(o, "ppid", &ppid)) ||
	    (json_object_object_get_ex(o, "t", &v) && !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))) {
		json_object_put(o);
		in->sk.bad_type++;
		return 0;
	}
	if (json_object_object_get_ex(o, "t", &v)) {
		t = json_object_get_double(v);
		if (!(t >= 0 && t < 1e9))
			t = in->last_t;
	}
	in->last_t = t;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = pn_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->o = o;
	e->t = t;
	e->pid = pid;
	e->ppid = ppid;
	e->ev = jstr(o, "ev");
	if (json_object_object_get_ex(o, "argv", &v))
		e->argv = join_argv(v);
	track(in, e);
	mark_created(in, e);
	return 1;
}

static void
take_events(struct intake *in, const char *data, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(PN_BEH_MAX_JSON_DEPTH);
	size_t i = 0;

	if (len > PN_BEH_MAX_EVENTS_BYTES) {
		len = PN_BEH_MAX_EVENTS_BYTES;
		in->sk.cut = 1;
	}
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		if (n > PN_BEH_MAX_LINE)
			in->sk.long_lines++;
		else
			take_line(in, tok, data + i, n);
		i += n + 1;
	}
	json_tokener_free(tok);
}

/* ------------------------------------------------------------ lists */

struct lists {
	struct json_object *r;        /* the report */
	struct json_object *seen;     /* per list name: a set */
	const struct pn_rules *rules;
};

static void
add(struct lists *l, const char *list, const char *v)
{
	struct json_object *a, *set;

	if (!json_object_object_get_ex(l->r, list, &a)) {
		a = json_object_new_array();
		json_object_object_add(l->r, list, a);
	}
	if (!json_object_object_get_ex(l->seen, list, &set)) {
		set = json_object_new_object();
		json_object_object_add(l->seen, list, set);
	}
	pn__list_add(a, set, v);
}

/* Add object o to list unless key was seen; o is consumed. */
static void
add_obj(struct lists *l, const char *list, const char *key, struct json_object *o)
{
	struct json_object *a, *set;
	char *k = pn_xasprintf("%s\x1f%s", list, key);

	if (!json_object_object_get_ex(l->r, list, &a)) {
		a = json_object_new_array();
		json_object_object_add(l->r, list, a);
	}
	if (!json_object_object_get_ex(l->seen, "\x1fobj", &set)) {
		set = json_object_new_object();
		json_object_object_add(l->seen, "\x1fobj", set);
	}
	if (json_object_object_get_ex(set, k, NULL) || json_object_array_length(a) >= PN_BEH_MAX_LIST) {
		json_object_put(o);
	} else {
		json_object_object_add(set, k, NULL);
		json_object_array_add(a, o);
	}
	free(k);
}

static int
is_shell(const char *a0)
{
	static const char *const sh[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "busybox" };
	const char *b = base_name(a0);
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(sh); i++)
		if (strcmp(b, sh[i]) == 0)
			return 1;
	return 0;
}

/* cmd.exe (Wine Tracer): "cmd /c X" also lists X, like sh -c. */
static int
is_cmd(const char *a0)
{
	const char *b = base_name(a0), *s = strrchr(b, '\\');

	b = s ? s + 1 : b;
	return strcasecmp(b, "cmd") == 0 || strcasecmp(b, "cmd.exe") == 0;
}

static void
on_cmd_c(struct lists *l, struct json_object *a, size_t n)
{
	struct pn_buf b = PN_BUF_INIT;
	size_t i, k;

	for (i = 1; i + 1 < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(a, i));
		if (v == NULL || (strcasecmp(v, "/c") != 0 && strcasecmp(v, "/k") != 0))
			continue;
		pn_buf_init(&b, PN_BEH_MAX_STR);
		for (k = i + 1; k < n; k++) {
			const char *w = json_object_get_string(json_object_array_get_idx(a, k));
			if (k > i + 1)
				pn_buf_putc(&b, ' ');
			pn_buf_puts(&b, w ? w : "");
		}
		if (b.p && pn_buf_putc(&b, '\0') == PN_OK)
			add(l, "command_executions", b.p);
		pn_buf_release(&b);
		return;
	}
}

static void
on_exec(struct lists *l, struct pn__bev *e)
{
	struct json_object *a;
	const char *path = jstr(e->o, "path");
	size_t i, n;

	if (!exec_ok(e->o))
		return;
	add(l, "processes_created", path);
	add(l, "command_executions", e->argv && *e->argv ? e->argv : path);
	if (!json_object_object_get_ex(e->o, "argv", &a) || !json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) < 3)
		return;
	if (is_cmd(json_object_get_string(json_object_array_get_idx(a, 0)) ?: "")) {
		on_cmd_c(l, a, n);
		return;
	}
	if (!is_shell(json_object_get_string(json_object_array_get_idx(a, 0)) ?: ""))
		return;
	for (i = 1; i + 1 < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(a, i));
		if (v && strcmp(v, "-c") == 0 &&
		    json_object_is_type(json_object_array_get_idx(a, i + 1), json_type_string)) {
			add(l, "command_executions", json_object_get_string(json_object_array_get_idx(a, i + 1)));
			return;
		}
	}
}

static int
is_so(const char *p)
{
	const char *b = base_name(p), *so = strstr(b, ".so");

	/* lib.so, lib.so.6, lib.so.1.2 (not ld.so.cache) */
	return so && so != b && (so[3] == '\0' || (so[3] == '.' && so[4] >= '0' && so[4] <= '9'));
}

/* Writing these is output, not a file change (shell redirections, terminals). */
static int
pseudo_dev(const char *p)
{
	return strcmp(p, "/dev/null") == 0 || strcmp(p, "/dev/tty") == 0 || strcmp(p, "/dev/stdout") == 0 ||
	    strcmp(p, "/dev/stderr") == 0 || strncmp(p, "/dev/pts/", 9) == 0 ||
	    strncmp(p, "/proc/self/fd/", 14) == 0;
}

static void
on_open(struct lists *l, struct pn__bev *e)
{
	const char *p = jstr(e->o, "path");
	int64_t ret;

	if (p == NULL || (jint(e->o, "ret", &ret) && ret < 0 && !is_write_open(e->o)))
		return;
	if (is_write_open(e->o)) {
		if (!pseudo_dev(p))
			add(l, "files_written", p);
		return;
	}
	if (is_so(p) && (!jint(e->o, "ret", &ret) || ret >= 0))
		add(l, "modules_loaded", p);
	if (!pn__rules_noise(l->rules, p))
		add(l, "files_opened", p);
}

static int
loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 || strcmp(ip, "0.0.0.0") == 0 ||
	    strcmp(ip, "::") == 0;
}

static void
traffic(struct lists *l, const char *ip, int64_t port, const char *proto)
{
	struct json_object *o;
	char key[128], up[16];
	size_t i;

	if (ip == NULL || *ip == '\0' || loopback(ip) || strlen(ip) > 64)
		return;
	for (i = 0; proto[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(proto[i] >= 'a' && proto[i] <= 'z' ? proto[i] - 32 : proto[i]);
	up[i] = '\0';
	snprintf(key, sizeof(key), "%s|%lld|%s", ip, (long long)port, up);
	o = json_object_new_object();
	json_object_object_add(o, "destination_ip", json_object_new_string(ip));
	if (port > 0 && port < 65536)
		json_object_object_add(o, "destination_port", json_object_new_int64(port));
	json_object_object_add(o, "transport_layer_protocol", json_object_new_string(up));
	add_obj(l, "ip_traffic", key, o);
}

static void
on_dns(struct lists *l, struct pn__bev *e, struct json_object *dns)
{
	const char *q = jstr(e->o, "q"), *type = jstr(e->o, "type");
	struct json_object *entry, *ans, *vals;
	char *lq, *p;
	size_t i, n;

	if (q == NULL || *q == '\0' || strlen(q) > 255)
		return;
	lq = pn_xstrdup(q);
	for (p = lq; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	if (!json_object_object_get_ex(dns, lq, &entry)) {
		if (json_object_object_length(dns) >= PN_BEH_MAX_LIST) {
			free(lq);
			return;
		}
		entry = json_object_new_object();
		json_object_object_add(entry, "hostname", json_object_new_string(lq));
		json_object_object_add(dns, lq, entry);
		add_obj(l, "dns_lookups", lq, json_object_get(entry));
	}
	free(lq);
	if (!json_object_object_get_ex(e->o, "answers", &ans) || !json_object_is_type(ans, json_type_array))
		return;
	n = json_object_array_length(ans);
	for (i = 0; i < n && i < 64; i++) {
		struct json_object *a = json_object_array_get_idx(ans, i);
		const char *list = type && strcasecmp(type, "TXT") == 0 ? "txt_records" : "resolved_ips";
		size_t k, m;
		if (!json_object_is_type(a, json_type_string))
			continue;
		if (!json_object_object_get_ex(entry, list, &vals)) {
			vals = json_object_new_array();
			json_object_object_add(entry, list, vals);
		}
		m = json_object_array_length(vals);
		for (k = 0; k < m; k++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(vals, k)),
			    json_object_get_string(a)) == 0)
				break;
		if (k == m && m < 64)
			json_object_array_add(vals, json_object_new_string(json_object_get_string(a)));
	}
}

static struct json_object *
headers_obj(struct json_object *h)
{
	struct json_object *o = json_object_new_object();
	size_t i, n;

	if (h == NULL)
		return o;
	if (json_object_is_type(h, json_type_object)) {
		json_object_object_foreach(h, k, v) {
			if (json_object_object_length(o) >= 64)
				break;
			if (json_object_is_type(v, json_type_string))
				json_object_object_add(o, k, json_object_new_string(json_object_get_string(v)));
		}
	} else if (json_object_is_type(h, json_type_array)) {
		n = json_object_array_length(h);
		for (i = 0; i < n && i < 64; i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(h, i));
			const char *c = s ? strchr(s, ':') : NULL;
			char *k;
			if (c == NULL || !json_object_is_type(json_object_array_get_idx(h, i), json_type_string))
				continue;
			k = pn_xstrndup(s, (size_t)(c - s));
			c++;
			while (*c == ' ')
				c++;
			json_object_object_add(o, k, json_object_new_string(c));
			free(k);
		}
	}
	return o;
}

static void
on_http(struct lists *l, struct pn__bev *e)
{
	const char *url = jstr(e->o, "url"), *m = jstr(e->o, "method");
	struct json_object *o, *h = NULL;
	int64_t st;
	char *key;

	if (url == NULL)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "request_method", json_object_new_string(m ? m : "GET"));
	json_object_object_get_ex(e->o, "headers", &h);
	json_object_object_add(o, "request_headers", headers_obj(h));
	if (jint(e->o, "status", &st))
		json_object_object_add(o, "response_status_code", json_object_new_int64(st));
	key = pn_xasprintf("%s %s", m ? m : "GET", url);
	add_obj(l, "http_conversations", key, o);
	free(key);
}

static void
on_tls(struct lists *l, struct pn__bev *e)
{
	const char *sni = jstr(e->o, "sni"), *ja3 = jstr(e->o, "ja3");
	struct json_object *o = json_object_new_object();
	char *key;

	if (sni)
		json_object_object_add(o, "sni", json_object_new_string(sni));
	if (ja3) {
		json_object_object_add(o, "ja3", json_object_new_string(ja3));
		add(l, "ja3_digests", ja3);
	}
	key = pn_xasprintf("%s|%s", sni ? sni : "", ja3 ? ja3 : "");
	add_obj(l, "tls", key, o);
	free(key);
}

static const char *
proc_label(struct pn__bset *s, int64_t pid, char *buf, size_t len)
{
	long i = pn__proc_get(s, pid, 0);

	if (i >= 0 && s->procs[i].image)
		return s->procs[i].image;
	if (i >= 0 && s->procs[i].name)
		return s->procs[i].name;
	snprintf(buf, len, "%lld", (long long)pid);
	return buf;
}

static void
on_bind(struct lists *l, struct pn__bev *e)
{
	const char *path = jstr(e->o, "path"), *ip = jstr(e->o, "ip");
	int64_t port;
	char buf[96];

	if (path && (path[0] == '@' || path[0] == '\0'))
		add(l, "mutexes_created", path);
	else if (ip && strncmp(ip, "127.", 4) == 0 && jint(e->o, "port", &port) && port > 0) {
		snprintf(buf, sizeof(buf), "%.64s:%lld", ip, (long long)port);
		add(l, "mutexes_created", buf);
	}
}

/* Wine Tracer events (sandbox/wine.c): registry, mutexes, services, highlighted calls. */
static void
on_windows(struct lists *l, struct pn__bev *e)
{
	const char *ev = e->ev, *k = jstr(e->o, "key"), *op = jstr(e->o, "op"), *p;

	if (strcmp(ev, "reg_set") == 0 && k) {
		const char *val = jstr(e->o, "value"), *data = jstr(e->o, "data");
		struct json_object *o = json_object_new_object();
		char *full = val && *val ? pn_xasprintf("%s\\%s", k, val) : pn_xstrdup(k);
		char *id;

		if (strlen(full) > PN_BEH_MAX_STR)
			full[PN_BEH_MAX_STR] = '\0';
		json_object_object_add(o, "key", json_object_new_string(full));
		json_object_object_add(o, "value", json_object_new_string(data ? data : ""));
		id = pn_xasprintf("%s\x1f%s", full, data ? data : "");
		add_obj(l, "registry_keys_set", id, o);
		free(id);
		free(full);
	} else if (strcmp(ev, "reg_delete") == 0 && k) {
		add(l, "registry_keys_deleted", k);
	} else if (strcmp(ev, "reg_open") == 0 && k) {
		add(l, "registry_keys_opened", k);
	} else if (strcmp(ev, "mutex") == 0 && (p = jstr(e->o, "name"))) {
		add(l, op && strcmp(op, "open") == 0 ? "mutexes_opened" : "mutexes_created", p);
	} else if (strcmp(ev, "service") == 0 && (p = jstr(e->o, "name")) && op) {
		if (strcmp(op, "create") == 0)
			add(l, "services_created", p);
		else if (strcmp(op, "start") == 0)
			add(l, "services_started", p);
		else if (strcmp(op, "open") == 0)
			add(l, "services_opened", p);
		else if (strcmp(op, "delete") == 0)
			add(l, "services_deleted", p);
	} else if (strcmp(ev, "api") == 0 && (p = jstr(e->o, "api"))) {
		add(l, "calls_highlighted", p);
	}
}

static void
one_event(struct lists *l, struct pn__bset *s, struct pn__bev *e, struct json_object *dns)
{
	const char *ev = e->ev, *p;
	char buf[32];
	int64_t v;

	if (strcmp(ev, "exec") == 0)
		on_exec(l, e);
	else if (strcmp(ev, "open") == 0)
		on_open(l, e);
	else if (strcmp(ev, "write_sum") == 0)
		add(l, "files_written", jstr(e->o, "path"));
	else if (strcmp(ev, "unlink") == 0)
		add(l, "files_deleted", jstr(e->o, "path"));
	else if (strcmp(ev, "rename") == 0) {
		add(l, "files_deleted", jstr(e->o, "from"));
		add(l, "files_written", jstr(e->o, "to"));
	} else if (strcmp(ev, "chmod") == 0)
		add(l, "files_attribute_changed", jstr(e->o, "path"));
	else if (strcmp(ev, "connect") == 0)
		traffic(l, jstr(e->o, "ip"), jint(e->o, "port", &v) ? v : 0,
		    (p = jstr(e->o, "proto")) && *p ? p : "tcp");
	else if (strcmp(ev, "send_udp") == 0)
		traffic(l, jstr(e->o, "ip"), jint(e->o, "port", &v) ? v : 0, "udp");
	else if (strcmp(ev, "dns") == 0)
		on_dns(l, e, dns);
	else if (strcmp(ev, "http") == 0)
		on_http(l, e);
	else if (strcmp(ev, "tls") == 0)
		on_tls(l, e);
	else if (strcmp(ev, "lock") == 0 && !((p = jstr(e->o, "op")) && strcmp(p, "LOCK_EX") != 0))
		add(l, "mutexes_created", (p = jstr(e->o, "path")) ? p : jstr(e->o, "name"));
	else if (strcmp(ev, "bind") == 0)
		on_bind(l, e);
	else if (strcmp(ev, "module_load") == 0)
		add(l, "modules_loaded", (p = jstr(e->o, "path")) ? p : jstr(e->o, "name"));
	else if (strncmp(ev, "reg_", 4) == 0 || strcmp(ev, "mutex") == 0 || strcmp(ev, "service") == 0 ||
	    strcmp(ev, "api") == 0)
		on_windows(l, e);
	else if (strcmp(ev, "kill") == 0 && jint(e->o, "target", &v))
		add(l, "processes_killed", proc_label(s, v, buf, sizeof(buf)));
	else if (strcmp(ev, "exit") == 0)
		add(l, "processes_terminated", proc_label(s, e->pid, buf, sizeof(buf)));
}

/* ------------------------------------------------------------ tree */

static struct json_object *
tree_node(struct pn__bset *s, size_t i, const size_t *order, int depth, size_t *budget)
{
	struct json_object *o = json_object_new_object(), *kids = NULL;
	char pid[24];
	size_t k;

	snprintf(pid, sizeof(pid), "%lld", (long long)s->procs[i].pid);
	json_object_object_add(o, "process_id", json_object_new_string(pid));
	json_object_object_add(o, "name", json_object_new_string(s->procs[i].name ? s->procs[i].name : "?"));
	json_object_object_add(o, "time_offset", json_object_new_int64((int64_t)s->procs[i].start));
	for (k = 0; k < s->nprocs && depth < PN_BEH_MAX_TREE_DEPTH; k++) {
		size_t c = order[k];
		if (c == i || s->procs[c].ppid != s->procs[i].pid || *budget == 0)
			continue;
		if (kids == NULL)
			kids = json_object_new_array();
		(*budget)--;
		json_object_array_add(kids, tree_node(s, c, order, depth + 1, budget));
	}
	if (kids)
		json_object_object_add(o, "children", kids);
	return o;
}

static int
by_start(const void *a, const void *b, void *ctx)
{
	const struct pn__bset *s = ctx;
	const struct pn__proc *x = &s->procs[*(const size_t *)a];
	const struct pn__proc *y = &s->procs[*(const size_t *)b];

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static struct json_object *
build_tree(struct pn__bset *s)
{
	struct json_object *roots = json_object_new_array();
	size_t *order, i, budget = PN_BEH_MAX_PROCS;

	if (s->nprocs == 0)
		return roots;
	order = pn_xmalloc(s->nprocs * sizeof(size_t));
	for (i = 0; i < s->nprocs; i++)
		order[i] = i;
	qsort_r(order, s->nprocs, sizeof(size_t), by_start, s);
	for (i = 0; i < s->nprocs && budget; i++) {
		size_t k = order[i];
		int64_t pp = s->procs[k].ppid;
		if (pp >= 0 && pp != s->procs[k].pid && pn__proc_get(s, pp, 0) >= 0)
			continue;
		budget--;
		json_object_array_add(roots, tree_node(s, k, order, 0, &budget));
	}
	free(order);
	return roots;
}

/* ------------------------------------------------------------ run.json */

static const char *
magic_type(const char *m)
{
	if (m == NULL)
		return NULL;
	/* the tracer's magic: text with escapes (\x7fELF) or hex (7f454c46) */
	if (strstr(m, "ELF") || strncmp(m, "7f454c46", 8) == 0)
		return "ELF";
	if (strncmp(m, "MZ", 2) == 0 || strncmp(m, "4d5a", 4) == 0)
		return "PE";
	if (strncmp(m, "#!", 2) == 0 || strncmp(m, "2321", 4) == 0)
		return "script";
	if (strncmp(m, "PK", 2) == 0 || strncmp(m, "504b0304", 8) == 0)
		return "ZIP";
	if (strncmp(m, "\x1f\x8b", 2) == 0 || strstr(m, "1f8b"))
		return "GZIP";
	return NULL;
}

static void
dropped(struct lists *l, struct pn__bset *s, struct json_object *run)
{
	struct json_object *a;
	size_t i, n, k;

	if (!json_object_object_get_ex(run, "dropped", &a) || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(a, i), *o;
		const char *path = jstr(d, "path"), *sha = jstr(d, "sha256"), *type = NULL;
		int64_t pid = -1, size;
		if (path == NULL || sha == NULL || strlen(sha) != 64 || !pn_is_hex(sha, 64))
			continue;
		for (k = 0; k < s->n; k++) {
			const char *p = jstr(s->v[k].o, "path");
			if (strcmp(s->v[k].ev, "write_sum") || p == NULL || strcmp(p, path))
				continue;
			type = magic_type(jstr(s->v[k].o, "magic"));
			pid = s->v[k].pid;
			break;
		}
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_object_add(o, "sha256", json_object_new_string(sha));
		if (type)
			json_object_object_add(o, "type", json_object_new_string(type));
		if (jint(d, "size", &size))
			json_object_object_add(o, "size", json_object_new_int64(size));
		if (pid >= 0) {
			char b[24], lb[32];
			snprintf(b, sizeof(b), "%lld", (long long)pid);
			json_object_object_add(o, "process_id", json_object_new_string(b));
			json_object_object_add(o, "process_name", json_object_new_string(proc_label(s, pid, lb, sizeof(lb))));
		}
		add_obj(l, "files_dropped", sha, o);
	}
}

static int64_t
start_time(struct json_object *run)
{
	struct json_object *v;
	struct tm tm;
	const char *s;

	if (!json_object_object_get_ex(run, "start_time", &v))
		return pn_now();
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_int64(v);
	if ((s = json_object_get_string(v)) == NULL)
		return pn_now();
	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return pn_now();
	return (int64_t)timegm(&tm);
}

static void
note(struct json_object *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct json_object *notes, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (json_object_array_length(notes) >= PN_BEH_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(notes, json_object_new_string(buf));
}

static struct json_object *
run_info(struct json_object *run, const struct intake *in, size_t nev)
{
	static const char *const keep[] = { "exit_code", "signal", "timed_out", "limits_hit", "duration_ms",
		"traced", "events_capped", "sleeps_capped", "fakenet", "environment", "wine_version",
		"pe_bits", "ended", "unimplemented" };
	struct json_object *ri = json_object_new_object(), *notes = json_object_new_array(), *v;
	const struct skips *sk = &in->sk;
	int64_t dur = -1;
	size_t i;

	for (i = 0; run && i < PN_ARRAY_LEN(keep); i++)
		if (json_object_object_get_ex(run, keep[i], &v))
			json_object_object_add(ri, keep[i], json_object_get(v));
	json_object_object_add(ri, "events", json_object_new_int64((int64_t)nev));
	json_object_object_add(ri, "skipped_lines", json_object_new_int64((int64_t)(sk->malformed +
	    sk->long_lines + sk->bad_type + sk->over_limit)));
	if (run == NULL)
		note(notes, "no run.json: exit status unknown");
	if (jstr(run, "environment"))
		note(notes, "environment: %s", jstr(run, "environment"));
	if (jstr(run, "ended"))
		note(notes, "%s", jstr(run, "ended"));
	if (json_object_object_get_ex(run, "unimplemented", &v) && json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0)
		note(notes, "unimplemented or stub Windows functions hit: %s",
		    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	if (sk->malformed)
		note(notes, "%zu malformed event lines skipped", sk->malformed);
	if (sk->bad_type)
		note(notes, "%zu events without ev/pid or with wrong types skipped", sk->bad_type);
	if (sk->long_lines)
		note(notes, "%zu event lines over %d bytes skipped", sk->long_lines, PN_BEH_MAX_LINE);
	if (sk->over_limit)
		note(notes, "%zu events over the %d-event limit skipped", sk->over_limit, PN_BEH_MAX_EVENTS);
	if (sk->cut)
		note(notes, "events.jsonl read up to %u bytes only", PN_BEH_MAX_EVENTS_BYTES);
	if (nev == 0)
		note(notes, "no events recorded");
	if (jtrue(run, "timed_out"))
		note(notes, "run stopped at the time limit");
	else if (jint(run, "duration_ms", &dur) && dur < 2000)
		note(notes, "sample exited after %.1f s", (double)dur / 1000.0);
	if (jint(run, "signal", &dur) && dur > 0)
		note(notes, "sample killed by signal %lld", (long long)dur);
	if (json_object_object_get_ex(run, "limits_hit", &v) && json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0)
		note(notes, "limits hit: %s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	json_object_object_add(ri, "notes", notes);
	return ri;
}

/* ------------------------------------------------------------ the report */

int
pn_behavior_report_mem(const char *events, size_t elen, const char *run_json, size_t rlen,
    const struct pn_rules *rules, const char *sample_name, struct json_object **out)
{
	struct pn__bset s;
	struct intake in;
	struct lists l;
	struct json_object *run = NULL, *dns, *fired, *r;
	const char *v;
	char bh[65];
	size_t i;

	memset(&s, 0, sizeof(s));
	memset(&in, 0, sizeof(in));
	in.s = &s;
	in.created = json_object_new_object();
	in.sample_name = sample_name;
	if (run_json && rlen > 0 && rlen <= PN_BEH_MAX_RUN_JSON) {
		char *c = pn_utf8_clean(run_json, rlen);
		json_tokener *tok = json_tokener_new_ex(PN_BEH_MAX_JSON_DEPTH);
		run = json_tokener_parse_ex(tok, c, (int)strlen(c));
		if (run && !json_object_is_type(run, json_type_object)) {
			json_object_put(run);
			run = NULL;
		}
		json_tokener_free(tok);
		free(c);
	}
	if (in.sample_name == NULL)
		in.sample_name = jstr(run, "sample_name");
	take_events(&in, events ? events : "", events ? elen : 0);
	for (i = 0; s.sample == NULL && i < s.n; i++)     /* the name matched no exec */
		if (strcmp(s.v[i].ev, "exec") == 0 && exec_ok(s.v[i].o) && jstr(s.v[i].o, "path"))
			s.sample = pn_xstrdup(jstr(s.v[i].o, "path"));

	r = json_object_new_object();
	l.r = r;
	l.seen = json_object_new_object();
	l.rules = rules;
	json_object_object_add(r, "sandbox_name", json_object_new_string(
	    (v = jstr(run, "sandbox_name")) && strcmp(v, PN_BEH_SANDBOX_WINE) == 0 ? v :
	    PN_BEH_SANDBOX_LINUX));
	json_object_object_add(r, "analysis_date", json_object_new_int64(start_time(run)));
	json_object_object_add(r, "processes_tree", build_tree(&s));
	dns = json_object_new_object();
	for (i = 0; i < s.n; i++)
		one_event(&l, &s, &s.v[i], dns);
	json_object_put(dns);
	dropped(&l, &s, run);
	json_object_put(l.seen);

	json_object_object_add(r, "run_info", run_info(run, &in, s.n));
	fired = json_object_new_array();
	pn__rules_eval(rules, &s, r, "SIG_FORMAT_KEYWORD", fired);
	pn__verdict(r);
	pn__behash(r, fired, s.sample, bh);
	json_object_object_add(r, "behash", json_object_new_string(bh));
	json_object_object_add(r, "has_html_report", json_object_new_boolean(0));
	json_object_object_add(r, "has_pcap", json_object_new_boolean(0));
	json_object_put(fired);
	json_object_put(run);
	json_object_put(in.created);
	pn__bset_release(&s);
	*out = r;
	return PN_OK;
}

/* The whole of a regular file up to max bytes; NULL with errno on failure. */
static char *
slurp(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	char *buf;
	size_t got = 0, want;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	want = (uint64_t)sb.st_size > max ? max : (size_t)sb.st_size;
	buf = pn_xmalloc(want + 1);
	while (got < want) {
		r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

int
pn_behavior_report(const char *dir, const struct pn_rules *rules, const char *sample_name,
    struct json_object **out, char *err, size_t errlen)
{
	char *p, *ev, *run;
	size_t elen = 0, rlen = 0;
	struct stat sb;
	int rc;

	*out = NULL;
	p = pn_xasprintf("%s/events.jsonl", dir);
	ev = slurp(p, PN_BEH_MAX_EVENTS_BYTES + 1, &elen);   /* one more: the cut is noted */
	if (ev == NULL) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", p, strerror(errno));
		free(p);
		return PN_EIO;
	}
	free(p);
	p = pn_xasprintf("%s/run.json", dir);
	run = slurp(p, PN_BEH_MAX_RUN_JSON, &rlen);
	free(p);
	rc = pn_behavior_report_mem(ev, elen, run, rlen, rules, sample_name, out);
	p = pn_xasprintf("%s/net.pcap", dir);
	if (rc == PN_OK && stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		json_object_object_add(*out, "has_pcap", json_object_new_boolean(1));
	free(p);
	free(ev);
	free(run);
	return rc;
}
