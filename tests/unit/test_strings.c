/*
 * test_strings.c - unit tests for parsers/strings.c: the string extractor
 * and the "strings" parser (strings_info, embedded_* relationships).
 *
 * Inputs are generated at run time: binary buffers (seeded random bytes)
 * with ASCII and UTF-16LE strings at even and odd offsets, URLs followed
 * by quotes and brackets, repeated and over-the-cap indicators, private
 * and public addresses, a buffer over PN_STRINGS_MAX_SCAN.  The extractor
 * is compared with binutils' `strings -a -n 6` (and -el) on real files
 * when that program is installed.  Then a sample of /usr/bin, Wine's PE
 * DLLs and /usr/lib/python3 is parsed: no crash, bounded time, and few
 * bare-word domains (the false-positive rate measured in
 * docs/internals/strings-ioc.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "tap.h"
#include "strings.h"
#include "ioc.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define REAL_READ_MAX   (8u << 20)  /* bytes read from each real file */
#define REAL_STEP       8           /* every REAL_STEP-th file of a directory */
#define REAL_MAX        150         /* files per directory at most */

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Bytes that never make a string: non-printable, never 0 (no UTF-16 either). */
static void
noise(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(0x80 + rng() % 0x80);
}

static size_t
put_ascii(uint8_t *p, const char *s)
{
	memcpy(p, s, strlen(s));
	return strlen(s);
}

static size_t
put_utf16(uint8_t *p, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)s[i];
		p[2 * i + 1] = 0;
	}
	return 2 * n;
}

struct run {
	struct json_object *attrs, *tags, *notes, *edges;
	struct json_object *info;
	int rc;
};

static void
parse(const uint8_t *d, size_t n, struct run *r)
{
	static const struct pn_details_opts opts;
	struct pn_parse p;

	memset(&p, 0, sizeof(p));
	p.opts = &opts;
	p.data = d;
	p.size = n;
	p.attrs = r->attrs = json_object_new_object();
	p.tags = r->tags = json_object_new_array();
	p.notes = r->notes = json_object_new_array();
	p.edges = r->edges = json_object_new_array();
	r->rc = pn_parser_strings.parse(&p);
	r->info = NULL;
	json_object_object_get_ex(r->attrs, "strings_info", &r->info);
}

static void
run_free(struct run *r)
{
	json_object_put(r->attrs);
	json_object_put(r->tags);
	json_object_put(r->notes);
	json_object_put(r->edges);
}

static int64_t
info_int(const struct run *r, const char *key)
{
	struct json_object *v;

	return r->info && json_object_object_get_ex(r->info, key, &v) ? json_object_get_int64(v) : -1;
}

/* Does list key of strings_info hold s? */
static int
listed(const struct run *r, const char *key, const char *s)
{
	struct json_object *a;
	size_t i;

	if (r->info == NULL || !json_object_object_get_ex(r->info, key, &a))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
			return 1;
	return 0;
}

/* Number of edges with this rel (and id, if not NULL). */
static size_t
edges(const struct run *r, const char *rel, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < json_object_array_length(r->edges); i++) {
		struct json_object *e = json_object_array_get_idx(r->edges, i), *v;
		if (json_object_object_get_ex(e, "rel", &v) && strcmp(json_object_get_string(v), rel) == 0 &&
		    (id == NULL || (json_object_object_get_ex(e, "id", &v) &&
		    strcmp(json_object_get_string(v), id) == 0)))
			n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* extraction                                                          */

struct seen {
	char text[2048];
	const uint8_t *data;
	int bad;   /* a string whose bytes are not where it says */
};

static int
record(void *ctx, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	struct seen *w = ctx;
	size_t i, at = strlen(w->text);

	for (i = 0; i < len; i++)
		if (enc == PN_STRINGS_ASCII ? w->data[off + i] != (uint8_t)s[i] :
		    (w->data[off + 2 * i] != (uint8_t)s[i] || w->data[off + 2 * i + 1] != 0))
			w->bad++;
	snprintf(w->text + at, sizeof(w->text) - at, "%s%c%zu:%.*s", at ? "|" : "",
	    enc == PN_STRINGS_ASCII ? 'a' : 'u', off, (int)len, s);
	return 0;
}

static void
test_extract(void)
{
	uint8_t buf[512];
	struct pn_strings_stats st;
	struct seen w;
	size_t o = 0;
	int rc;

	noise(buf, sizeof(buf));
	o = 3;
	o += put_ascii(buf + o, "abcdef");          /* 6: kept */
	o += 2;
	o += put_ascii(buf + o, "abcde");           /* 5: too short */
	o += 1;
	o += put_ascii(buf + o, "tab\there");       /* TAB is printable */
	buf[o++] = '\n';
	o += put_ascii(buf + o, "second line");     /* newline ends a string */
	o = 64;
	o += put_utf16(buf + o, "wide string");     /* even offset */
	o = 101;
	o += put_utf16(buf + o, "odd wide");        /* odd offset */
	o += 1;
	o += put_utf16(buf + o, "short");           /* 5: too short */
	buf[o] = 0x80;
	memset(&w, 0, sizeof(w));
	w.data = buf;
	rc = pn_strings_extract(buf, 200, 6, record, &w, &st);
	is_int(rc, PN_OK, "extract: PN_OK");
	is_str(w.text, "a3:abcdef|a17:tab\there|a26:second line|u64:wide string|u101:odd wide",
	    "extract: strings, offsets, encodings");
	is_int(w.bad, 0, "extract: offsets point at the strings");
	is_int(st.ascii, 3, "extract: ASCII count");
	is_int(st.utf16, 2, "extract: UTF-16 count");
	is_int(st.scanned, 200, "extract: scanned bytes");
	/* the string at the very end of the buffer */
	memset(&w, 0, sizeof(w));
	w.data = (const uint8_t *)"xx\x01lastone";
	pn_strings_extract(w.data, 10, 6, record, &w, &st);
	is_str(w.text, "a3:lastone", "extract: string at the end");
	memset(&w, 0, sizeof(w));
	w.data = (const uint8_t *)"l\0a\0s\0t\0o\0n\0e";
	pn_strings_extract(w.data, 13, 6, record, &w, &st);
	is_str(w.text, "u0:laston", "extract: UTF-16 needs both bytes of the last unit");
	is_int(pn_strings_extract(buf, 10, 0, record, &w, &st), PN_EINVAL, "extract: min_len 0");
	is_int(pn_strings_extract(NULL, 0, 6, record, &w, &st), PN_OK, "extract: empty");
}

/* Compare with binutils strings(1) on a few real files. */
static int
count_cb(void *ctx, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	return 0;
}

static uint8_t *
slurp(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	uint8_t *p;
	ssize_t r;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		return NULL;
	}
	*len = PN_MIN((size_t)sb.st_size, max);
	p = pn_xmalloc(*len);
	while (got < *len && (r = read(fd, p + got, *len - got)) > 0)
		got += (size_t)r;
	close(fd);
	*len = got;
	return p;
}

/* One number per line from f, or -1. */
static int64_t
read_count(FILE *f, char *line, size_t size)
{
	int64_t v;

	if (fgets(line, (int)size, f) == NULL)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	return pn_parse_i64(line, 0, INT64_MAX, &v) == PN_OK ? v : -1;
}

static void
test_vs_binutils(void)
{
	static const char *const files[] = {
		"/usr/bin/ls", "/usr/bin/bash",
		"/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll",
		"/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/shell32.dll",
	};
	struct pn_strings_stats st;
	size_t i, len;

	if (access("/usr/bin/strings", X_OK) != 0) {
		ok(1, "# SKIP binutils strings not installed");
		return;
	}
	for (i = 0; i < PN_ARRAY_LEN(files); i++) {
		char cmd[512], line[64];
		int64_t a = -1, u = -1;
		uint8_t *d = slurp(files[i], PN_STRINGS_MAX_SCAN, &len);
		FILE *f;

		if (d == NULL)
			continue;
		snprintf(cmd, sizeof(cmd), "strings -a -n 6 '%s' | wc -l; strings -a -n 6 -el '%s' | wc -l",
		    files[i], files[i]);
		if ((f = popen(cmd, "r")) != NULL) {
			a = read_count(f, line, sizeof(line));
			u = read_count(f, line, sizeof(line));
			pclose(f);
		}
		pn_strings_extract(d, len, 6, count_cb, NULL, &st);
		is_int(st.ascii, a, "%s: ASCII strings as strings -a -n 6", files[i]);
		is_int(st.utf16, u, "%s: UTF-16LE strings as strings -a -n 6 -el", files[i]);
		free(d);
	}
}

/* ------------------------------------------------------------------ */
/* the parser                                                          */

static void
test_parser_binary(void)
{
	uint8_t *buf = pn_xmalloc(8192);
	struct run r;
	size_t o;

	noise(buf, 8192);
	o = 100;
	o += put_ascii(buf + o, "url=\"https://example.com/a.ps1\"");
	o += 5;
	o += put_ascii(buf + o, "(see http://example.org/x)");
	o += 5;
	o += put_ascii(buf + o, "[hxxp://evil[.]example[.]net/p]");
	o += 5;
	o += put_ascii(buf + o, "kernel32.dll setup.exe System.Runtime foo.bar version 1.2.3.4");
	o += 5;
	o += put_ascii(buf + o, "c2 93.184.216.34 lan 192.168.10.20 mail ops@example.com");
	o = 1000;
	o += put_utf16(buf + o, "https://example.com/u16?x=1");
	o = 2001;
	o += put_utf16(buf + o, "'http://odd.example.com/w'");
	o = 3000;
	o += put_utf16(buf + o, "2606:4700:4700::1111 fe80::1");
	parse(buf, 8192, &r);
	is_int(r.rc, PN_OK, "binary: PN_OK");
	ok(r.info != NULL, "binary: strings_info");
	ok(listed(&r, "urls", "https://example.com/a.ps1"), "binary: URL in quotes");
	ok(listed(&r, "urls", "http://example.org/x"), "binary: URL in parentheses");
	ok(listed(&r, "urls", "http://evil.example.net/p"), "binary: defanged URL in brackets");
	ok(listed(&r, "urls", "https://example.com/u16?x=1"), "binary: UTF-16LE URL");
	ok(listed(&r, "urls", "http://odd.example.com/w"), "binary: UTF-16LE URL at an odd offset");
	is_int(info_int(&r, "url_count"), 5, "binary: 5 URLs");
	ok(listed(&r, "domains", "example.com") && listed(&r, "domains", "evil.example.net") &&
	    listed(&r, "domains", "odd.example.com"), "binary: URL hosts are domains");
	is_int(info_int(&r, "domain_count"), 4, "binary: 4 domains, no file names or identifiers");
	ok(listed(&r, "ips", "93.184.216.34") && listed(&r, "ips", "192.168.10.20") &&
	    listed(&r, "ips", "2606:4700:4700::1111") && listed(&r, "ips", "fe80::1"), "binary: addresses listed");
	is_int(info_int(&r, "ip_count"), 4, "binary: no version number");
	ok(listed(&r, "emails", "ops@example.com"), "binary: e-mail listed");
	is_int(edges(&r, "embedded_urls", "https://example.com/u16?x=1"), 1, "binary: URL edge");
	is_int(edges(&r, "embedded_urls", NULL), 5, "binary: 5 URL edges");
	is_int(edges(&r, "embedded_domains", "evil.example.net"), 1, "binary: domain edge");
	is_int(edges(&r, "embedded_ips", "93.184.216.34"), 1, "binary: public IPv4 edge");
	is_int(edges(&r, "embedded_ips", "2606:4700:4700::1111"), 1, "binary: public IPv6 edge");
	is_int(edges(&r, "embedded_ips", "192.168.10.20"), 0, "binary: no edge to a private address");
	is_int(edges(&r, "embedded_ips", "fe80::1"), 0, "binary: no edge to link-local");
	is_int(json_object_array_length(r.edges), 5 + 4 + 2, "binary: no e-mail edges");
	ok(json_object_array_length(r.notes) == 0, "binary: no notes");
	run_free(&r);
	free(buf);
}

static void
test_parser_caps(void)
{
	size_t o = 0, i;
	uint8_t *buf = pn_xmalloc(64 * 1024);
	struct run r;
	struct json_object *a;
	char s[64];

	/* the same URL 1000 times: one value */
	for (i = 0; i < 1000; i++)
		o += put_ascii(buf + o, "x http://same.example.com/ \n");
	parse(buf, o, &r);
	is_int(info_int(&r, "url_count"), 1, "caps: repeated URL counted once");
	is_int(edges(&r, "embedded_urls", NULL), 1, "caps: one edge");
	run_free(&r);
	/* 600 distinct domains: PN_STRINGS_MAX_IOCS kept, truncated */
	for (i = 0, o = 0; i < 600; i++) {
		snprintf(s, sizeof(s), "host%zu.example.com\n", i);
		o += put_ascii(buf + o, s);
	}
	parse(buf, o, &r);
	is_int(info_int(&r, "domain_count"), PN_STRINGS_MAX_IOCS, "caps: domains kept");
	json_object_object_get_ex(r.info, "domains", &a);
	is_int(json_object_array_length(a), PN_STRINGS_MAX_LISTED, "caps: domains listed");
	is_str(json_object_get_string(json_object_array_get_idx(a, 0)), "host0.example.com", "caps: first one first");
	ok(json_object_object_get_ex(r.info, "truncated", &a) && json_object_get_boolean(a), "caps: truncated");
	is_int(edges(&r, "embedded_domains", NULL), PN_STRINGS_MAX_EDGES, "caps: edges");
	run_free(&r);
	free(buf);
}

static void
test_parser_limit(void)
{
	size_t n = PN_STRINGS_MAX_SCAN + 4096;
	uint8_t *buf = pn_xmalloc(n);
	struct run r;

	memset(buf, 0x90, n);
	put_ascii(buf + 100, " http://early.example.com/ ");
	put_ascii(buf + PN_STRINGS_MAX_SCAN + 100, " http://late.example.com/ ");
	parse(buf, n, &r);
	is_int(r.rc, PN_ELIMIT, "limit: PN_ELIMIT");
	ok(listed(&r, "urls", "http://early.example.com/"), "limit: URL before the limit");
	ok(!listed(&r, "urls", "http://late.example.com/"), "limit: URL after the limit not seen");
	is_int(info_int(&r, "scanned_bytes"), PN_STRINGS_MAX_SCAN, "limit: scanned bytes");
	is_int(json_object_array_length(r.notes), 1, "limit: noted");
	run_free(&r);
	free(buf);
}

/* Registered: pn_parsers_run() adds strings_info and the edges. */
static void
test_registry(void)
{
	const char *text = "see https://example.com/x for details\n";
	struct json_object *attrs = json_object_new_object(), *v;
	struct pn_details_opts opts;
	struct pn_ident id;

	memset(&opts, 0, sizeof(opts));
	pn_identify((const uint8_t *)text, strlen(text), NULL, &id);
	pn_parsers_run((const uint8_t *)text, strlen(text), &id, NULL, &opts, attrs);
	ok(json_object_object_get_ex(attrs, "strings_info", &v), "registry: strings_info");
	ok(json_object_object_get_ex(attrs, PN_DETAILS_EDGES_KEY, &v) &&
	    strstr(json_object_to_json_string(v), "https:\\/\\/example.com\\/x") != NULL, "registry: edge");
	json_object_put(attrs);
	ok(pn_parser_strings.bid((const uint8_t *)"", 0, NULL) == 0, "bid: not on empty files");
	ok(pn_parser_strings.bid((const uint8_t *)"\x7f" "ELF", 4, NULL) > 0, "bid: on anything else");
}

/* ------------------------------------------------------------------ */
/* real files                                                          */

struct bare {
	size_t n;           /* bare-word domains in this file */
	char last[8][PN_IOC_MAX_HOST + 1];
};

static int
on_bare(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	struct bare *b = ctx;
	size_t i;

	if (kind != PN_IOC_DOMAIN || where != PN_IOC_BARE)
		return 0;
	for (i = 0; i < PN_MIN(b->n, PN_ARRAY_LEN(b->last)); i++)
		if (strcmp(b->last[i], v) == 0)
			return 0;
	if (b->n < PN_ARRAY_LEN(b->last))
		pn_strlcpy(b->last[b->n], v, sizeof(b->last[0]));
	b->n++;
	return 0;
}

static int
on_bare_string(void *ctx, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	return pn_ioc_scan(s, len, on_bare, ctx);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Parse a sample of dir (files ending in suffix, if given); check each
 * result and count bare-word domains (Go binaries, whose length-prefixed
 * strings glue to their neighbours, counted apart).
 */
static void
real_dir(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i, files = 0, with = 0, total = 0, go = 0;
	int64_t worst = 0;
	int bad = 0;

	if (d == NULL) {
		ok(1, "# SKIP %s missing", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || (suffix && (l < strlen(suffix) || strcmp(e->d_name + l - strlen(suffix), suffix) != 0)))
			continue;
		if (n == cap)
			names = pn_xrealloc(names, (cap = cap ? 2 * cap : 256) * sizeof(*names));
		names[n++] = pn_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && files < REAL_MAX; i += REAL_STEP) {
		struct pn_strings_stats st;
		struct bare b;
		struct run r;
		size_t len;
		uint8_t *data;
		int64_t t0, ms;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((data = slurp(path, REAL_READ_MAX, &len)) == NULL)
			continue;
		files++;
		t0 = pn_mono_ms();
		parse(data, len, &r);
		ms = pn_mono_ms() - t0;
		worst = PN_MAX(worst, ms);
		if (r.info == NULL || (r.rc != PN_OK && r.rc != PN_ELIMIT) ||
		    info_int(&r, "domain_count") > PN_STRINGS_MAX_IOCS)
			bad++;
		run_free(&r);
		memset(&b, 0, sizeof(b));
		pn_strings_extract(data, len, PN_STRINGS_MIN_LEN, on_bare_string, &b, &st);
		if (memmem(data, len, "\xff Go buildinf:", 14) != NULL ||
		    memmem(data, len, "runtime.gopanic", 15) != NULL) {
			go++;
		} else {
			with += b.n > 0;
			total += b.n;
			if (b.n > 2)
				diag("%s: %zu bare domains, e.g. %s %s", path, b.n, b.last[0], b.last[1]);
		}
		free(data);
	}
	is_int(bad, 0, "%s: %zu files parsed, each with strings_info", dir, files);
	ok(worst < 5000, "%s: slowest file %lld ms", dir, (long long)worst);
	/* measured: 54 of 1400 /usr/bin files, 1 of 695 Wine DLLs, 47 distinct outside Go */
	ok(with * 10 <= files - go + 1, "%s: %zu of %zu non-Go files have bare domains", dir, with, files - go);
	ok(total <= (files - go) / 2 + 2, "%s: %zu bare domains in %zu non-Go files (%zu Go files apart)",
	    dir, total, files - go, go);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
main(void)
{
	test_extract();
	test_vs_binutils();
	test_parser_binary();
	test_parser_caps();
	test_parser_limit();
	test_registry();
	real_dir("/usr/bin", NULL);
	real_dir("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows", NULL);
	real_dir("/usr/lib/python3.11", ".py");
	real_dir("/usr/lib/python3/dist-packages/pygments/lexers", ".py");
	return done_testing();
}
