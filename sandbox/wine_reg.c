/*
 * wine_reg.c - registry changes of a Windows run: the template prefix's
 * hive files (system.reg, user.reg) against the run's upper layer, as
 * reg_set / reg_delete / service events, minus the noise learnt while the
 * golden prefix was prepared.  Wine writes registry changes inside
 * wineserver, so no syscall shows them; the diff does.  Entry point:
 * sbx_wine_reg_diff().
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

/* ================================================================ hive diff */

struct regval {
	const char *key;   /* pointers into the owned copies */
	const char *name;  /* "" for the key itself (marker entry), "@" default */
	const char *data;
};

struct hive {
	char *text;        /* a copy with NULs written in */
	struct regval *v;
	size_t n, cap;
};

static void
hive_add(struct hive *h, const char *key, const char *name, const char *data)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->v = realloc(h->v, h->cap * sizeof(*h->v));
		if (h->v == NULL)
			abort();
	}
	h->v[h->n].key = key;
	h->v[h->n].name = name;
	h->v[h->n].data = data;
	h->n++;
}

/* Parse a wine .reg hive into h (in place on a copy). */
static void
hive_parse(struct hive *h, const char *src, size_t len)
{
	char *s, *end, *key = NULL;

	memset(h, 0, sizeof(*h));
	h->text = pn_xmalloc(len + 1);
	memcpy(h->text, src, len);
	h->text[len] = '\0';
	s = h->text;
	end = s + len;
	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s)), *line = s;

		if (nl == NULL)
			nl = end;
		/* continuation lines ("...\" at the end) join into one value */
		while (nl < end && nl > line && nl[-1] == '\\' && line[0] != '[') {
			char *nx = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
			nl[-1] = ' ';
			*nl = ' ';
			nl = nx ? nx : end;
		}
		*nl = '\0';
		s = nl + 1;
		if (line[0] == '[') {
			char *e = line + 1;
			while (*e && *e != ']') {
				if (*e == '\\' && e[1])
					e++;
				e++;
			}
			if (*e != ']')
				continue;
			*e = '\0';
			key = line + 1;
			hive_add(h, key, "", "");
		} else if (key && (line[0] == '"' || line[0] == '@')) {
			char *e = line, *name;
			if (line[0] == '@') {
				name = (char *)"@";
				e = line + 1;
			} else {
				name = line + 1;
				e = name;
				while (*e && *e != '"') {
					if (*e == '\\' && e[1])
						e++;
					e++;
				}
				if (*e != '"')
					continue;
				*e++ = '\0';
			}
			if (*e != '=')
				continue;
			hive_add(h, key, name, e + 1);
		}
	}
}

static int
regval_cmp(const void *a, const void *b)
{
	const struct regval *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->name, y->name);
}

/* Unescape a .reg key or value name ("\\\\" → "\\", "\\\"" → "\""). */
static void
reg_unescape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 1 < cap; s++) {
		if (*s == '\\' && s[1])
			s++;
		out[o++] = *s;
	}
	out[o] = '\0';
}

/* A value's data for display: strings decoded, dword as 0x..., hex kept. */
static void
reg_data(const char *d, char *out, size_t cap)
{
	if (d[0] == '"') {
		(void)sbx_wine_wstr(d, d + strlen(d), out, cap);
	} else if (strncmp(d, "str(", 4) == 0 && strchr(d, '"')) {
		const char *q = strchr(d, '"');
		(void)sbx_wine_wstr(q, q + strlen(q), out, cap);
	} else if (strncmp(d, "dword:", 6) == 0) {
		snprintf(out, cap, "0x%s", d + 6);
	} else if (strncmp(d, "hex(2):", 7) == 0 || strncmp(d, "hex(7):", 7) == 0) {
		/* UTF-16LE bytes: keep the ASCII ones */
		const char *p = d + 7;
		size_t o = 0;
		int k = 0;
		while (*p && o + 1 < cap) {
			unsigned v;
			char *e;
			while (*p == ',' || *p == ' ' || *p == '\\')
				p++;
			v = (unsigned)strtoul(p, &e, 16);
			if (e == p)
				break;
			p = e;
			if ((k++ & 1) == 0 && v >= 0x20 && v < 0x7f)
				out[o++] = (char)v;
			else if ((k & 1) == 1 && v == 0 && o + 1 < cap && d[4] == '7')
				out[o++] = ' ';
		}
		out[o] = '\0';
	} else {          /* hex:…, dword, others: as written, without the line-join blanks */
		size_t o = 0;
		for (; *d && o + 1 < cap; d++)
			if (*d != ' ' && *d != '\t')
				out[o++] = *d;
		out[o] = '\0';
	}
}

struct noise {
	char *const *v;
	size_t n;
};

int
sbx_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is key (+ value name) listed, as "KEY\tNAME", "KEY\\NAME" or "KEY"? */
static int
is_noise(const struct noise *N, const char *key, const char *name)
{
	char *k[3];
	int hit = 0, i;

	if (N == NULL || N->n == 0)
		return 0;
	k[0] = pn_xasprintf("%s\t%s", key, name);
	k[1] = pn_xasprintf("%s\\%s", key, name);
	k[2] = pn_xstrdup(key);
	for (i = 0; i < 3; i++) {
		if (i < 2 && name[0] == '\0')
			continue;
		if (bsearch(&k[i], N->v, N->n, sizeof(char *), sbx_strp_cmp) != NULL)
			hit = 1;
	}
	for (i = 0; i < 3; i++)
		free(k[i]);
	return hit;
}

static void
emit_reg(sbx_wlog_emit emit, void *ctx, const struct noise *N, const char *ev, const char *root,
    const struct regval *v, int with_data)
{
	struct pn_buf b;
	char *key = pn_xmalloc(PN_SBX_MAX_STR), *full = pn_xmalloc(PN_SBX_MAX_STR + 1100);
	char *name = pn_xmalloc(1024), *data = pn_xmalloc(PN_SBX_MAX_STR);

	reg_unescape(v->key, key, PN_SBX_MAX_STR);
	name[0] = '\0';
	if (v->name[0])
		reg_unescape(strcmp(v->name, "@") == 0 ? "" : v->name, name, 1024);
	/* a deleted value is reported as key\name (VT's registry_keys_deleted) */
	snprintf(full, PN_SBX_MAX_STR + 1100, "%s\\%s%s%s", root, key,
	    !with_data && v->name[0] ? "\\" : "", !with_data ? name : "");
	{
		char *rk = pn_xasprintf("%s\\%s", root, key);
		int hit = is_noise(N, rk, v->name[0] ? name : "");
		free(rk);
		if (!hit)
			goto emit;
	}
	{
		free(key);
		free(full);
		free(name);
		free(data);
		return;
	}
emit:
	pn_buf_init(&b, PN_SBX_MAX_LINE);
	pn_buf_printf(&b, "{\"t\":0,\"ev\":\"%s\",\"key\":", ev);
	pn_buf_json_str(&b, full, strlen(full));
	if (with_data) {
		reg_data(v->data, data, PN_SBX_MAX_STR);
		pn_buf_puts(&b, ",\"value\":");
		pn_buf_json_str(&b, name, strlen(name));
		pn_buf_puts(&b, ",\"data\":");
		pn_buf_json_str(&b, data, strlen(data));
	}
	if (pn_buf_puts(&b, "}") == PN_OK && b.p)
		emit(ctx, 0, b.p, b.len);
	pn_buf_release(&b);
	free(key);
	free(full);
	free(name);
	free(data);
}

/* Services\<name>\ImagePath set → service{op:create} too (sc.exe, services.exe). */
static void
maybe_service(sbx_wlog_emit emit, void *ctx, const char *root, const struct regval *v)
{
	static const char pre[] = "System\\\\CurrentControlSet\\\\Services\\\\";
	char name[256], data[1024];
	const char *k = v->key;
	struct pn_buf b;
	size_t n;

	if (strcmp(root, "HKEY_LOCAL_MACHINE") != 0 || strncasecmp(k, pre, sizeof(pre) - 1) != 0 ||
	    strcmp(v->name, "ImagePath") != 0)
		return;
	k += sizeof(pre) - 1;
	n = strlen(k);
	if (n == 0 || n >= sizeof(name) || strstr(k, "\\\\"))
		return;
	reg_unescape(k, name, sizeof(name));
	reg_data(v->data, data, sizeof(data));
	pn_buf_init(&b, PN_SBX_MAX_LINE);
	pn_buf_puts(&b, "{\"t\":0,\"ev\":\"service\",\"name\":");
	pn_buf_json_str(&b, name, strlen(name));
	pn_buf_puts(&b, ",\"op\":\"create\",\"source\":\"registry\",\"binpath\":");
	pn_buf_json_str(&b, data, strlen(data));
	if (pn_buf_puts(&b, "}") == PN_OK && b.p)
		emit(ctx, 0, b.p, b.len);
	pn_buf_release(&b);
}

/* Keys Wine itself rewrites on every start: not the sample's doing. */
static int
reg_noise(const struct regval *v)
{
	/* .reg spelling: backslashes doubled */
	static const char *const exact[] = { "Volatile Environment", "Software\\\\Wine",
		"System\\\\CurrentControlSet\\\\Control\\\\ComputerName\\\\ComputerName",
		"System\\\\CurrentControlSet\\\\Services\\\\Tcpip\\\\Parameters",
		"System\\\\CurrentControlSet\\\\Control\\\\TimeZoneInformation" };
	static const char wine_sub[] = "Software\\\\Wine\\\\";
	static const char dev_class[] = "System\\\\CurrentControlSet\\\\Control\\\\Class\\\\";
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(exact); i++)
		if (strcmp(v->key, exact[i]) == 0)
			return 1;
	/* the display driver's DriverDate/DriverDateData: today's date, written at every start */
	if (strncmp(v->key, dev_class, sizeof(dev_class) - 1) == 0 && strncmp(v->name, "DriverDate", 10) == 0)
		return 1;
	return strncmp(v->key, wine_sub, sizeof(wine_sub) - 1) == 0;
}

void
sbx_wine_reg_diff(const char *a, size_t alen, const char *b, size_t blen, const char *root,
    char *const *noise, size_t nnoise, sbx_wlog_emit emit, void *ctx)
{
	struct noise N = { noise, nnoise };
	struct hive A, B;
	size_t i = 0, j = 0;

	hive_parse(&A, a, alen);
	hive_parse(&B, b, blen);
	if (A.n)
		qsort(A.v, A.n, sizeof(*A.v), regval_cmp);
	if (B.n)
		qsort(B.v, B.n, sizeof(*B.v), regval_cmp);
	while (i < A.n || j < B.n) {
		int c = i >= A.n ? 1 : j >= B.n ? -1 : regval_cmp(&A.v[i], &B.v[j]);

		if (c < 0) {          /* gone in the run */
			if (!reg_noise(&A.v[i]))
				emit_reg(emit, ctx, &N, "reg_delete", root, &A.v[i], 0);
			/* a deleted key: skip its values */
			if (A.v[i].name[0] == '\0') {
				const char *k = A.v[i].key;
				while (i + 1 < A.n && strcmp(A.v[i + 1].key, k) == 0)
					i++;
				while (j < B.n && strcmp(B.v[j].key, k) == 0)
					j++;   /* cannot happen (sorted), kept for safety */
			}
			i++;
		} else if (c > 0) {   /* new in the run */
			if (B.v[j].name[0] && !reg_noise(&B.v[j])) {
				emit_reg(emit, ctx, &N, "reg_set", root, &B.v[j], 1);
				maybe_service(emit, ctx, root, &B.v[j]);
			}
			j++;
		} else {
			if (B.v[j].name[0] && strcmp(A.v[i].data, B.v[j].data) != 0 && !reg_noise(&B.v[j])) {
				emit_reg(emit, ctx, &N, "reg_set", root, &B.v[j], 1);
				maybe_service(emit, ctx, root, &B.v[j]);
			}
			i++;
			j++;
		}
	}
	free(A.v);
	free(B.v);
	free(A.text);
	free(B.text);
}

