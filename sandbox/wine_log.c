/*
 * wine_log.c - the Windows runner's normaliser (SANDBOX.md §7.2): Wine's
 * debug log (+pid,+timestamp,+relay,+process,+loaddll,+winsock,fixme,err
 * channels) of one run, turned into events.jsonl events through the
 * emit callback: process tree and command lines, API calls of interest
 * (calls_highlighted, with a per-process budget), files, mutexes,
 * services, DNS and connections, unimplemented functions.  The log is
 * untrusted (a sample can print fake lines): bounded, fuzzed
 * (tests/fuzz/fuzz_winelog.c).  Entry point: sbx_wine_parse_log().
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "sandbox.h"
#include "sbx_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ log parser */

struct wproc {
	unsigned pid, ppid;
	char pending_cmd[1024];    /* last CreateProcessInternalW cmdline of this process */
	char pending_img[512];
	struct { char name[48]; unsigned n; } api[32];
	size_t napi;
	struct { uint64_t h; char name[128]; } svc[16];
	size_t nsvc;
	char last_call[48];        /* relay call awaiting its Ret (per process, approximate) */
	char last_arg[128];
};

struct wlog {
	const char *sample;        /* C:\users\root\Desktop\x.exe */
	const char *root_cmd;      /* the root's command line, or NULL (the quoted sample path) */
	struct wproc *p;
	size_t np;
	int have_root;
	double t0;                 /* Wine tick of the sample's first line */
	double base;               /* seconds from the run's start to the sample's launch */
	sbx_wlog_emit emit;
	void *ctx;
	unsigned nunimpl;
};

static struct wproc *
wp_find(struct wlog *L, unsigned pid)
{
	size_t i;

	for (i = 0; i < L->np; i++)
		if (L->p[i].pid == pid)
			return &L->p[i];
	return NULL;
}

static struct wproc *
wp_add(struct wlog *L, unsigned pid, unsigned ppid)
{
	struct wproc *p = wp_find(L, pid);

	if (p || L->np >= PN_SBX_WINE_MAX_PIDS)
		return p;
	p = &L->p[L->np++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	return p;
}

/*
 * Decode a Wine debugstr at s ("..." or L"..."), up to end; the text goes
 * to out (UTF-8, NUL-terminated, truncated to cap).  Returns the position
 * after the closing quote, or NULL when s does not start a string.
 */
const char *
sbx_wine_wstr(const char *s, const char *end, char *out, size_t cap)
{
	size_t o = 0;

	if (s < end && *s == 'L')
		s++;
	if (s >= end || *s != '"')
		return NULL;
	s++;
	while (s < end && *s != '"') {
		unsigned c = (unsigned char)*s++;

		if (c == '\\' && s < end) {
			char e = *s++;
			if (e == 'n')
				c = '\n';
			else if (e == 'r')
				c = '\r';
			else if (e == 't')
				c = '\t';
			else if (e == 'x' || e == 'u') {
				unsigned v = 0;
				int k;
				for (k = 0; k < 4 && s < end && isxdigit((unsigned char)*s); k++, s++)
					v = v * 16 + (unsigned)(isdigit((unsigned char)*s) ? *s - '0' :
					    (tolower((unsigned char)*s) - 'a' + 10));
				c = v;
			} else if (e >= '0' && e <= '7') {
				unsigned v = (unsigned)(e - '0');
				int k;
				for (k = 0; k < 2 && s < end && *s >= '0' && *s <= '7'; k++, s++)
					v = v * 8 + (unsigned)(*s - '0');
				c = v;
			} else
				c = (unsigned char)e;
		}
		if (c == 0)
			c = 0xfffd;
		if (c < 0x80) {
			if (o + 1 < cap)
				out[o++] = (char)c;
		} else if (c < 0x800) {
			if (o + 2 < cap) {
				out[o++] = (char)(0xc0 | c >> 6);
				out[o++] = (char)(0x80 | (c & 0x3f));
			}
		} else if (o + 3 < cap) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	if (cap)
		out[o] = '\0';
	return s < end ? s + 1 : end;
}

struct rargs {
	size_t n;
	uint64_t v[PN_SBX_WINE_MAX_ARGS];
	char s[PN_SBX_WINE_MAX_ARGS][512];
	int has_s[PN_SBX_WINE_MAX_ARGS];
};

/* "(a,b "str",c)" → values and strings; s points after '('. */
static void
relay_args(const char *s, const char *end, struct rargs *a)
{
	memset(a, 0, sizeof(*a));
	while (s < end && *s != ')' && a->n < PN_SBX_WINE_MAX_ARGS) {
		size_t i = a->n++;
		char *e;

		a->v[i] = strtoull(s, &e, 16);
		s = e > s ? e : s;
		while (s < end && *s == ' ')
			s++;
		if (s < end && (*s == '"' || (*s == 'L' && s + 1 < end && s[1] == '"'))) {
			const char *n = sbx_wine_wstr(s, end, a->s[i], sizeof(a->s[i]));
			a->has_s[i] = 1;
			s = n ? n : end;
		}
		while (s < end && *s != ',' && *s != ')')
			s++;
		if (s < end && *s == ',')
			s++;
	}
}

static void
emit_buf(struct wlog *L, struct pn_buf *b)
{
	if (pn_buf_puts(b, "}") == PN_OK && b->p)
		L->emit(L->ctx, 0, b->p, b->len);
	pn_buf_release(b);
}

static void
ev_begin(struct wlog *L, struct pn_buf *b, double t, const char *ev, unsigned pid)
{
	struct wproc *p = wp_find(L, pid);

	pn_buf_init(b, PN_SBX_MAX_LINE);
	pn_buf_printf(b, "{\"t\":%.3f,\"ev\":\"%s\",\"pid\":%u", (t < 0 ? 0.0 : t) + L->base, ev, pid);
	if (p && p->ppid)
		pn_buf_printf(b, ",\"ppid\":%u", p->ppid);
}

static void
kv_str(struct pn_buf *b, const char *k, const char *v)
{
	pn_buf_printf(b, ",\"%s\":", k);
	pn_buf_json_str(b, v, strlen(v));
}

/* Split a Windows command line roughly as CommandLineToArgvW does. */
static void
kv_argv(struct pn_buf *b, const char *cmd)
{
	const char *s = cmd;
	char a[PN_SBX_MAX_ARG];
	int n = 0;

	pn_buf_puts(b, ",\"argv\":[");
	while (*s && n < PN_SBX_MAX_ARGV) {
		size_t o = 0;
		int q = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		while (*s && (q || (*s != ' ' && *s != '\t'))) {
			if (*s == '"')
				q = !q;
			else if (o + 1 < sizeof(a))
				a[o++] = *s;
			s++;
		}
		a[o] = '\0';
		pn_buf_puts(b, n++ ? "," : "");
		pn_buf_json_str(b, a, o);
	}
	pn_buf_puts(b, "]");
}

static const char *
hkey_root(uint64_t h)
{
	switch ((uint32_t)h) {
	case 0x80000000u: return "HKEY_CLASSES_ROOT";
	case 0x80000001u: return "HKEY_CURRENT_USER";
	case 0x80000002u: return "HKEY_LOCAL_MACHINE";
	case 0x80000003u: return "HKEY_USERS";
	case 0x80000005u: return "HKEY_CURRENT_CONFIG";
	default: return NULL;
	}
}

static int
is_current_process(uint64_t h)
{
	return h == UINT64_MAX || h == 0xffffffffu || h == 0;
}

static int
api_budget(struct wproc *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->napi; i++)
		if (strcmp(p->api[i].name, name) == 0)
			return ++p->api[i].n <= PN_SBX_WINE_MAX_API;
	if (p->napi >= PN_ARRAY_LEN(p->api))
		return 0;
	pn_strlcpy(p->api[p->napi].name, name, sizeof(p->api[0].name));
	p->api[p->napi++].n = 1;
	return 1;
}

/* An api{} event: name, string args, numeric args (hex), remote flag. */
static void
ev_api(struct wlog *L, double t, unsigned pid, const char *dll, const char *fn,
    const struct rargs *a, int remote)
{
	struct pn_buf b;
	size_t i;

	ev_begin(L, &b, t, "api", pid);
	kv_str(&b, "api", fn);   /* not "name": that is the rules' basename pseudo field */
	kv_str(&b, "dll", dll);
	pn_buf_puts(&b, ",\"args\":[");
	for (i = 0; i < a->n; i++) {
		pn_buf_puts(&b, i ? "," : "");
		if (a->has_s[i])
			pn_buf_json_str(&b, a->s[i], strlen(a->s[i]));
		else
			pn_buf_printf(&b, "\"0x%llx\"", (unsigned long long)a->v[i]);
	}
	pn_buf_puts(&b, "]");
	if (remote >= 0)
		pn_buf_printf(&b, ",\"remote\":%s", remote ? "true" : "false");
	emit_buf(L, &b);
}

static void
ev_simple(struct wlog *L, double t, unsigned pid, const char *ev, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	struct pn_buf b;

	ev_begin(L, &b, t, ev, pid);
	if (k1 && v1)
		kv_str(&b, k1, v1);
	if (k2 && v2)
		kv_str(&b, k2, v2);
	emit_buf(L, &b);
}

static int
is_device_path(const char *p)
{
	return strncmp(p, "\\\\.\\", 4) == 0 || strncmp(p, "\\\\?\\pipe", 8) == 0 ||
	    strcasecmp(p, "CONOUT$") == 0 || strcasecmp(p, "CONIN$") == 0 || strcasecmp(p, "NUL") == 0;
}

static const char *
svc_name(struct wproc *p, uint64_t h)
{
	size_t i;

	for (i = 0; i < p->nsvc; i++)
		if (p->svc[i].h == h)
			return p->svc[i].name;
	return NULL;
}

/* One relay "Call dll.Fn(args) ret=..." of a followed process. */
static void
on_call(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	char dll[32], fn[48], ascii[600];
	const char *dot = memchr(s, '.', (size_t)(end - s)), *par;
	struct rargs *a;
	size_t dl, fl;
	int remote = -1, w;

	if (dot == NULL || (par = memchr(dot, '(', (size_t)(end - dot))) == NULL)
		return;
	dl = (size_t)(dot - s);
	fl = (size_t)(par - dot - 1);
	if (dl == 0 || dl >= sizeof(dll) || fl == 0 || fl >= sizeof(fn))
		return;
	memcpy(dll, s, dl);
	dll[dl] = '\0';
	memcpy(fn, dot + 1, fl);
	fn[fl] = '\0';
	for (dl = 0; dll[dl]; dl++)
		dll[dl] = (char)tolower((unsigned char)dll[dl]);
	a = pn_xcalloc(1, sizeof(*a));
	relay_args(par + 1, end, a);
	pn_strlcpy(p->last_call, fn, sizeof(p->last_call));
	p->last_arg[0] = '\0';
	if (strcmp(fn, "GetProcAddress") == 0) {
		/* only Wine probes and injection helpers: loaders ask for hundreds */
		if (a->n >= 2 && a->has_s[1] && (strncmp(a->s[1], "wine_", 5) == 0 ||
		    strcmp(a->s[1], "LoadLibraryA") == 0 || strcmp(a->s[1], "LoadLibraryW") == 0) &&
		    api_budget(p, fn))
			ev_api(L, t, p->pid, dll, fn, a, -1);
		free(a);
		return;
	}
	if (strncmp(fn, "CreateMutex", 11) == 0 || strncmp(fn, "OpenMutex", 9) == 0) {
		int k = strncmp(fn, "CreateMutexEx", 13) == 0 ? 1 : 2;
		if (strncmp(fn, "OpenMutex", 9) == 0)
			k = 2;
		if ((size_t)k < a->n && a->has_s[k])
			ev_simple(L, t, p->pid, "mutex", "name", a->s[k], "op",
			    fn[0] == 'C' ? "create" : "open");
	} else if (strncmp(fn, "CreateService", 13) == 0 && a->n >= 8 && a->has_s[1]) {
		struct pn_buf b;
		ev_begin(L, &b, t, "service", p->pid);
		kv_str(&b, "name", a->s[1]);
		kv_str(&b, "op", "create");
		if (a->has_s[7])
			kv_str(&b, "binpath", a->s[7]);
		pn_buf_printf(&b, ",\"start_type\":%u", (unsigned)(uint32_t)a->v[5]);
		emit_buf(L, &b);
		pn_strlcpy(p->last_arg, a->s[1], sizeof(p->last_arg));
	} else if (strncmp(fn, "OpenService", 11) == 0 && a->n >= 2 && a->has_s[1]) {
		ev_simple(L, t, p->pid, "service", "name", a->s[1], "op", "open");
		pn_strlcpy(p->last_arg, a->s[1], sizeof(p->last_arg));
	} else if ((strncmp(fn, "StartService", 12) == 0 || strcmp(fn, "DeleteService") == 0) &&
	    a->n >= 1) {
		const char *nm = svc_name(p, a->v[0]);
		snprintf(ascii, sizeof(ascii), "0x%llx", (unsigned long long)a->v[0]);
		ev_simple(L, t, p->pid, "service", "name", nm ? nm : ascii, "op",
		    fn[0] == 'S' ? "start" : "delete");
	} else if ((strcmp(fn, "CreateFileA") == 0 || strcmp(fn, "CreateFileW") == 0) && a->n >= 1 &&
	    a->has_s[0] && is_device_path(a->s[0])) {
		free(a);
		return;
	} else if ((strcmp(fn, "CreateFileA") == 0 || strcmp(fn, "CreateFileW") == 0) && a->n >= 5 &&
	    a->has_s[0]) {
		uint32_t acc = (uint32_t)a->v[1], disp = (uint32_t)a->v[4];
		w = (acc & (0x40000000u | 0x10000000u | 0x2u | 0x4u)) != 0 || disp == 1 || disp == 2 ||
		    disp == 5;
		ev_simple(L, t, p->pid, "open", "path", a->s[0], "flags",
		    !w ? "O_RDONLY" : disp == 1 || disp == 2 || disp == 4 ? "O_WRONLY|O_CREAT" : "O_WRONLY");
		free(a);
		return;
	} else if (strncmp(fn, "DeleteFile", 10) == 0 && a->n >= 1 && a->has_s[0]) {
		ev_simple(L, t, p->pid, "unlink", "path", a->s[0], NULL, NULL);
	} else if (strncmp(fn, "MoveFile", 8) == 0 && a->n >= 2 && a->has_s[0]) {
		if (a->has_s[1])
			ev_simple(L, t, p->pid, "rename", "from", a->s[0], "to", a->s[1]);
		else
			ev_simple(L, t, p->pid, "unlink", "path", a->s[0], "when", "reboot");
	} else if (strncmp(fn, "CopyFile", 8) == 0 && a->n >= 2 && a->has_s[1]) {
		ev_simple(L, t, p->pid, "open", "path", a->s[1], "flags", "O_WRONLY|O_CREAT");
	} else if (strncmp(fn, "RegOpenKey", 10) == 0 || strncmp(fn, "RegCreateKey", 12) == 0) {
		const char *root = a->n >= 1 ? hkey_root(a->v[0]) : NULL;
		if (root && a->n >= 2) {
			snprintf(ascii, sizeof(ascii), "%s%s%s", root, a->has_s[1] && a->s[1][0] ? "\\" : "",
			    a->has_s[1] ? a->s[1] : "");
			ev_simple(L, t, p->pid, "reg_open", "key", ascii, "op",
			    fn[3] == 'C' ? "create" : "open");
		}
		free(a);
		return;
	} else if (strncmp(fn, "RegSetValue", 11) == 0 || strncmp(fn, "RegDelete", 9) == 0 ||
	    strcmp(fn, "ExitProcess") == 0 || strcmp(fn, "Sleep") == 0) {
		if (strcmp(fn, "ExitProcess") == 0) {
			struct pn_buf b;
			ev_begin(L, &b, t, "exit", p->pid);
			pn_buf_printf(&b, ",\"code\":%u", a->n ? (unsigned)(uint32_t)a->v[0] : 0u);
			emit_buf(L, &b);
			free(a);
			return;
		}
		if (strcmp(fn, "Sleep") == 0 && a->n >= 1) {
			struct pn_buf b;
			ev_begin(L, &b, t, "sleep", p->pid);
			pn_buf_printf(&b, ",\"req\":%.3f", (double)(uint32_t)a->v[0] / 1000.0);
			emit_buf(L, &b);
			free(a);
			return;
		}
	}
	/* Remote-process APIs: is the handle another process? */
	if (strcmp(fn, "VirtualAllocEx") == 0 || strcmp(fn, "VirtualAllocExNuma") == 0 ||
	    strcmp(fn, "WriteProcessMemory") == 0 || strncmp(fn, "CreateRemoteThread", 18) == 0 ||
	    strcmp(fn, "NtWriteVirtualMemory") == 0 || strcmp(fn, "NtCreateThreadEx") == 0 ||
	    strcmp(fn, "RtlCreateUserThread") == 0 || strcmp(fn, "NtUnmapViewOfSection") == 0) {
		size_t hi = strcmp(fn, "NtCreateThreadEx") == 0 ? 3 : 0;
		remote = hi < a->n && !is_current_process(a->v[hi]);
		if (!remote) {
			free(a);
			return;
		}
	}
	if (strcmp(fn, "OpenProcess") == 0)
		remote = 1;
	if (api_budget(p, fn))
		ev_api(L, t, p->pid, dll, fn, a, remote);
	free(a);
}

/* "Ret  dll.Fn() retval=XXXX ret=..." : remember service handles. */
static void
on_ret(struct wproc *p, const char *s, const char *end)
{
	const char *r = NULL, *q;
	uint64_t h;

	for (q = s; q + 7 < end; q++)
		if (memcmp(q, "retval=", 7) == 0) {
			r = q + 7;
			break;
		}
	if (r == NULL || p->last_arg[0] == '\0' || (strncmp(p->last_call, "CreateService", 13) != 0 &&
	    strncmp(p->last_call, "OpenService", 11) != 0))
		return;
	h = strtoull(r, NULL, 16);
	if (h && p->nsvc < PN_ARRAY_LEN(p->svc)) {
		p->svc[p->nsvc].h = h;
		pn_strlcpy(p->svc[p->nsvc].name, p->last_arg, sizeof(p->svc[0].name));
		p->nsvc++;
	}
	p->last_arg[0] = '\0';
}

static int
starts(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - s) >= n && memcmp(s, lit, n) == 0;
}

static const char *
find(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	for (; s + n <= end; s++)
		if (memcmp(s, lit, n) == 0)
			return s;
	return NULL;
}

/* Length of the run of s (up to end) before any of the bytes in stop. */
static size_t
span_until(const char *s, const char *end, const char *stop)
{
	const char *p = s;

	while (p < end && strchr(stop, *p) == NULL)
		p++;
	return (size_t)(p - s);
}

static void
on_unimpl(struct wlog *L, double t, unsigned pid, const char *fn, const char *kind)
{
	if (L->nunimpl >= PN_SBX_WINE_MAX_UNIMPL * 4)
		return;
	L->nunimpl++;
	ev_simple(L, t, pid, "unimplemented", "function", fn, "kind", kind);
}

/* A "Loaded L"..." at" line: the root when it is the sample, else a module of p. */
static void
on_loaddll(struct wlog *L, unsigned pid, double t, const char *s, const char *end)
{
	char path[1024];
	struct wproc *p;
	struct pn_buf b;

	if (sbx_wine_wstr(s, end, path, sizeof(path)) == NULL)
		return;
	if (!L->have_root && strcasecmp(path, L->sample) == 0) {
		L->have_root = 1;
		L->t0 = t;
		p = wp_add(L, pid, 0);
		if (p == NULL)
			return;
		ev_begin(L, &b, 0, "exec", pid);
		kv_str(&b, "path", path);
		if (L->root_cmd)
			pn_strlcpy(path, L->root_cmd, sizeof(path));
		else
			snprintf(path, sizeof(path), "\"%s\"", L->sample);
		kv_argv(&b, path);
		kv_str(&b, "cmdline", path);
		pn_buf_puts(&b, ",\"ret\":0");
		emit_buf(L, &b);
		return;
	}
	if ((p = wp_find(L, pid)) == NULL)
		return;
	if (p->pending_img[0] && strcasecmp(path, p->pending_img) == 0)
		return;
	ev_simple(L, t - L->t0, pid, "module_load", "path", path, NULL, NULL);
}

/* "trace:process:..." lines of a followed process. */
static void
on_process(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	const char *q;
	char img[512];

	if (starts(s, end, "CreateProcessInternalW app ") && (q = find(s, end, " cmdline L\"")) != NULL) {
		sbx_wine_wstr(q + 9, end, p->pending_cmd, sizeof(p->pending_cmd));
		p->pending_img[0] = '\0';
	} else if (starts(s, end, "NtCreateUserProcess ") && (q = find(s, end, " image L\"")) != NULL) {
		if (sbx_wine_wstr(q + 7, end, img, sizeof(img)))
			pn_strlcpy(p->pending_img, img, sizeof(p->pending_img));
	} else if (starts(s, end, "CreateProcessInternalW started process pid ")) {
		unsigned child = (unsigned)strtoul(s + 43, NULL, 16);
		struct wproc *c;
		struct pn_buf b;

		if (child == 0 || (c = wp_add(L, child, p->pid)) == NULL)
			return;
		ev_begin(L, &b, t - L->t0, "proc_fork", p->pid);
		pn_buf_printf(&b, ",\"child\":%u", child);
		emit_buf(L, &b);
		ev_begin(L, &b, t - L->t0, "exec", child);
		kv_str(&b, "path", p->pending_img[0] ? p->pending_img : p->pending_cmd);
		kv_argv(&b, p->pending_cmd);
		kv_str(&b, "cmdline", p->pending_cmd);
		pn_buf_puts(&b, ",\"ret\":0");
		emit_buf(L, &b);
		pn_strlcpy(c->pending_img, p->pending_img, sizeof(c->pending_img));
		p->pending_cmd[0] = '\0';
	}
}

/* "trace:winsock:connect socket 0x30, addr { family AF_INET, address 1.2.3.4, port 80 }" */
static void
on_winsock(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	const char *a, *q;
	char ip[64];
	unsigned port;
	size_t n;
	struct pn_buf b;

	if (!starts(s, end, "connect ") || (a = find(s, end, "address ")) == NULL ||
	    (q = find(a, end, ", port ")) == NULL)
		return;
	n = (size_t)(q - a - 8);
	if (n == 0 || n >= sizeof(ip))
		return;
	memcpy(ip, a + 8, n);
	ip[n] = '\0';
	port = (unsigned)strtoul(q + 7, NULL, 10);
	ev_begin(L, &b, t - L->t0, "connect", p->pid);
	kv_str(&b, "proto", find(s, end, "AF_INET6") ? "tcp6" : "tcp");
	kv_str(&b, "ip", ip);
	pn_buf_printf(&b, ",\"port\":%u,\"ret\":0", port);
	emit_buf(L, &b);
}

static void
wlog_line(struct wlog *L, const char *s, const char *end)
{
	const char *c1, *c2, *c3, *body;
	unsigned pid;
	double t;
	struct wproc *p;
	char fn[160];

	/* "<sec>.<ms>:<pid>:<tid>:" */
	c1 = memchr(s, ':', (size_t)(end - s));
	if (c1 == NULL || c1 == s || !isdigit((unsigned char)*s))
		goto untagged;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	c3 = c2 ? memchr(c2 + 1, ':', (size_t)(end - c2 - 1)) : NULL;
	if (c3 == NULL || c2 - c1 != 5 || c3 - c2 != 5)
		goto untagged;
	t = strtod(s, NULL);
	pid = (unsigned)strtoul(c1 + 1, NULL, 16);
	body = c3 + 1;
	if (starts(body, end, "trace:loaddll:build_module Loaded ")) {
		on_loaddll(L, pid, t, body + 34, end);
		return;
	}
	if ((p = wp_find(L, pid)) == NULL)
		return;
	t -= L->t0;
	if (starts(body, end, "Call ") && !starts(body, end, "Call PE DLL") &&
	    !starts(body, end, "Call TLS"))
		on_call(L, p, t, body + 5, end);
	else if (starts(body, end, "Ret  "))
		on_ret(p, body + 5, end);
	else if (starts(body, end, "trace:process:"))
		on_process(L, p, t + L->t0, body + 14, end);
	else if (starts(body, end, "trace:winsock:"))
		on_winsock(L, p, t + L->t0, body + 14, end);
	else if (starts(body, end, "fixme:")) {
		const char *f = memchr(body + 6, ':', (size_t)(end - body - 6));
		size_t n;
		if (f == NULL)
			return;
		f++;
		n = span_until(f, end, " (\n");
		if (n > 0 && n < sizeof(fn) && find(f, end, "stub")) {
			memcpy(fn, f, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "stub");
		}
	} else if ((c1 = find(body, end, "unimplemented function ")) != NULL) {
		size_t n = span_until(c1 + 23, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 23, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "missing");
		}
	} else if ((c1 = find(body, end, "No implementation for ")) != NULL) {
		size_t n = span_until(c1 + 22, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 22, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "missing");
		}
	} else if (starts(body, end, "err:module:import_dll Library ")) {
		size_t n = span_until(body + 30, end, " \n");
		if (n > 0 && n + 12 < sizeof(fn)) {
			memcpy(fn, body + 30, n);
			memcpy(fn + n, " (library)", 11);
			on_unimpl(L, t, pid, fn, "missing_dll");
		}
	}
	return;
untagged:
	/* "wine: Call from 0x... to unimplemented function kernel32.dll.Foo, aborting" */
	if (L->have_root && (c1 = find(s, end, "to unimplemented function ")) != NULL) {
		size_t n = span_until(c1 + 26, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 26, n);
			fn[n] = '\0';
			on_unimpl(L, 0, L->p[0].pid, fn, "missing");
		}
	}
}

void
sbx_wine_parse_log(const char *log, size_t len, const char *sample_win, const char *root_cmd,
    double t_base, sbx_wlog_emit emit, void *ctx)
{
	struct wlog L;
	size_t i = 0;
	char *line;

	memset(&L, 0, sizeof(L));
	L.base = t_base >= 0 && t_base < 86400 ? t_base : 0;
	L.sample = sample_win;
	L.root_cmd = root_cmd;
	L.emit = emit;
	L.ctx = ctx;
	L.p = pn_xcalloc(PN_SBX_WINE_MAX_PIDS, sizeof(*L.p));
	line = pn_xmalloc(PN_SBX_MAX_LINE + 1);
	while (i < len) {
		const char *nl = memchr(log + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (log + i)) : len - i;

		/* each line NUL-terminated in a copy: number parsers cannot run past it */
		if (n > 0 && n < PN_SBX_MAX_LINE) {
			memcpy(line, log + i, n);
			line[n] = '\0';
			wlog_line(&L, line, line + n);
		}
		i += n + 1;
	}
	free(line);
	free(L.p);
}

