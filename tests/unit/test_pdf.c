/*
 * test_pdf.c - unit tests of the PDF parser (parsers/pdf.c).
 *
 * Documents come from tests/data/pdf/make-pdfs.py, run at test time into
 * a temporary directory, with the keyword counts its own (regex) counter
 * finds; the same counter runs over the Debian-packaged PDFs on the
 * machine (/usr/share/doc, clamav-testfiles), and every pdf_info key of
 * every file must agree.  Then each document's findings (scripts, URLs,
 * embedded files, launch targets, tags, notes, limits), and hostile
 * inputs built here: truncations and byte flips of every document, deep
 * nesting, unterminated tokens, and patterns that would be quadratic in a
 * naive scanner, timed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"   /* before tap.h: see the report on parsers/strings.h */
#include "tap.h"
#include "buf.h"
#include "hash.h"
#include "parser.h"
#include "pdf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct res {
	struct json_object *attrs, *tags, *notes, *edges;
	int rc;
};

static void
run(const uint8_t *d, size_t n, struct res *r)
{
	struct pn_parse p;

	memset(&p, 0, sizeof(p));
	r->attrs = json_object_new_object();
	r->tags = json_object_new_array();
	r->notes = json_object_new_array();
	r->edges = json_object_new_array();
	p.data = d;
	p.size = n;
	p.attrs = r->attrs;
	p.tags = r->tags;
	p.notes = r->notes;
	p.edges = r->edges;
	r->rc = pn_parser_pdf.parse(&p);
}

static void
res_free(struct res *r)
{
	json_object_put(r->attrs);
	json_object_put(r->tags);
	json_object_put(r->notes);
	json_object_put(r->edges);
}

static struct json_object *
get(struct res *r, const char *block, const char *key)
{
	struct json_object *b, *v;

	if (!json_object_object_get_ex(r->attrs, block, &b))
		return NULL;
	if (key == NULL)
		return b;
	return json_object_object_get_ex(b, key, &v) ? v : NULL;
}

static long long
info(struct res *r, const char *key)
{
	struct json_object *v = get(r, "pdf_info", key);

	return v ? (long long)json_object_get_int64(v) : -1;
}

static long long
det(struct res *r, const char *key)
{
	struct json_object *v = get(r, "pdf_details", key);

	return v ? (long long)json_object_get_int64(v) : -1;
}

static int
in_array(struct json_object *a, const char *s, int substr)
{
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		const char *x = json_object_get_string(json_object_array_get_idx(a, i));
		if (x && (substr ? strstr(x, s) != NULL : strcmp(x, s) == 0))
			return 1;
	}
	return 0;
}

static int
has_tag(struct res *r, const char *t)
{
	return in_array(r->tags, t, 0);
}

static int
has_note(struct res *r, const char *t)
{
	return in_array(r->notes, t, 1);
}

static int
has_url(struct res *r, const char *u)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->edges); i++) {
		struct json_object *e = json_object_array_get_idx(r->edges, i), *v;
		if (json_object_object_get_ex(e, "id", &v) && strcmp(json_object_get_string(v), u) == 0)
			return 1;
	}
	return 0;
}

/* The snippet of script number i, or "". */
static const char *
js_snippet(struct res *r, size_t i)
{
	struct json_object *a = get(r, "pdf_details", "javascript"), *o, *v;

	if (a == NULL || i >= json_object_array_length(a))
		return "";
	o = json_object_array_get_idx(a, i);
	return json_object_object_get_ex(o, "snippet", &v) ? json_object_get_string(v) : "";
}

static int
has_js(struct res *r, const char *s)
{
	struct json_object *a = get(r, "pdf_details", "javascript");
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		if (strstr(js_snippet(r, i), s) != NULL)
			return 1;
	return 0;
}

/* A whole file in an exactly-sized buffer (caller frees), or NULL. */
static uint8_t *
slurp(const char *path, size_t *n)
{
	struct stat st;
	uint8_t *b;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		fclose(f);
		return NULL;
	}
	*n = (size_t)st.st_size;
	b = pn_xmalloc(*n ? *n : 1);
	if (*n && fread(b, 1, *n, f) != *n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char dir[64];

static struct res
doc(const char *name)
{
	char path[256];
	struct res r;
	uint8_t *b;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s.pdf", dir, name);
	b = slurp(path, &n);
	if (b == NULL)
		fatalx("cannot read %s", path);
	run(b, n, &r);
	free(b);
	return r;
}

/* ------------------------------------------------------------------ */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The embedded_urls edges, sorted and joined by spaces (caller frees). */
static char *
edge_urls(struct res *r)
{
	size_t i, n = json_object_array_length(r->edges);
	const char **v = pn_xcalloc(n + 1, sizeof(*v));
	struct pn_buf b = PN_BUF_INIT;

	for (i = 0; i < n; i++)
		v[i] = json_object_get_string(json_object_object_get(json_object_array_get_idx(r->edges, i), "id"));
	qsort(v, n, sizeof(*v), cmp_str);
	pn_buf_puts(&b, "");
	for (i = 0; i < n; i++)
		pn_buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	free(v);
	return pn_buf_steal(&b, NULL);
}

/*
 * Every line of expected.tsv: the C counts equal the regex counts, and the
 * URL edges the /URI values the script finds in the file and its streams.
 */
static void
test_expected(void)
{
	char path[300], line[16384], cur[512] = "";
	struct res r;
	int have = 0, files = 0, bad = 0, lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/expected.tsv", dir);
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "expected.tsv written");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *file = line, *key, *val;
		struct json_object *v;
		line[strcspn(line, "\n")] = '\0';
		if ((key = strchr(file, '\t')) == NULL || (val = strchr(key + 1, '\t')) == NULL)
			continue;
		*key++ = '\0';
		*val++ = '\0';
		if (strcmp(file, cur) != 0) {
			uint8_t *b;
			size_t n = 0;
			if (have)
				res_free(&r);
			pn_strlcpy(cur, file, sizeof(cur));
			b = slurp(file, &n);
			if (b == NULL)
				fatalx("cannot read %s", file);
			run(b, n, &r);
			free(b);
			have = 1;
			files++;
			ok(r.rc == PN_OK || r.rc == PN_EFORMAT || r.rc == PN_ELIMIT,
			    "%s: parsed (rc %d)", file, r.rc);
			ok(get(&r, "pdf_info", NULL) != NULL, "%s: pdf_info", file);
		}
		lines++;
		if (strcmp(key, "_urls") == 0) {
			char *u = edge_urls(&r);
			if (strcmp(u, val) != 0) {
				bad++;
				diag("%s: URLs \"%s\", the script finds \"%s\"", file, u, val);
			}
			free(u);
			continue;
		}
		v = get(&r, "pdf_info", key);
		if (v == NULL || strcmp(json_object_get_string(v), val) != 0) {
			bad++;
			diag("%s: %s = %s, the regex counter says %s", file, key,
			    v ? json_object_get_string(v) : "(missing)", val);
		}
	}
	fclose(f);
	if (have)
		res_free(&r);
	ok(files >= 16, "%d documents compared", files);
	is_int(bad, 0, "%d pdf_info values and URL sets agree with the independent counter", lines);
}

static void
test_plain(void)
{
	struct res r = doc("plain");

	is_int(r.rc, PN_OK, "plain: PN_OK");
	is_str(json_object_get_string(get(&r, "pdf_info", "header")), "%PDF-1.7", "plain: header");
	is_int(info(&r, "num_obj"), 5, "plain: 5 objects");
	is_int(info(&r, "num_pages"), 1, "plain: 1 page (/Pages not counted)");
	is_int(info(&r, "num_stream"), 1, "plain: 1 stream");
	is_int(info(&r, "js"), 0, "plain: no /JS");
	is_int(det(&r, "objects_parsed"), 5, "plain: 5 objects parsed");
	is_int(det(&r, "javascript_count"), 0, "plain: no script");
	is_int((long long)json_object_array_length(r.tags), 0, "plain: no tags");
	is_int((long long)json_object_array_length(r.notes), 0, "plain: no notes");
	is_int(det(&r, "header_offset"), 0, "plain: header at 0");
	is_int(det(&r, "eof_markers"), 1, "plain: one %%%%EOF");
	ok(get(&r, "pdf_details", "filters") &&
	    json_object_get_int(json_object_object_get(get(&r, "pdf_details", "filters"), "FlateDecode")) == 1,
	    "plain: one FlateDecode stream");
	res_free(&r);
}

static void
test_js(void)
{
	struct res r = doc("openaction-js");

	is_int(info(&r, "openaction"), 1, "openaction-js: /OpenAction");
	is_int(info(&r, "js"), 1, "openaction-js: /JS");
	is_int(info(&r, "javascript"), 1, "openaction-js: /JavaScript");
	is_int(det(&r, "javascript_count"), 1, "openaction-js: one script");
	is_str(js_snippet(&r, 0), "app.alert('hello from js');", "openaction-js: escapes decoded");
	ok(has_tag(&r, "js-embedded") && has_tag(&r, "autoaction"), "openaction-js: js-embedded, autoaction");
	res_free(&r);

	r = doc("flate-js");
	is_int(det(&r, "javascript_count"), 2, "flate-js: two scripts");
	ok(has_js(&r, "var s = 'flate-compressed script'; app.alert(s);"), "flate-js: the Flate stream decoded");
	ok(has_js(&r, "this.print();"), "flate-js: the page action's script");
	is_int(info(&r, "autoaction"), 1, "flate-js: /AA");
	is_int(det(&r, "streams_decoded"), 1, "flate-js: only the script stream decoded");
	res_free(&r);
}

static void
test_embedded(void)
{
	static const char hello[] = "Hello, embedded world! 26";
	struct json_object *a, *o, *v;
	struct pn_hashes h;
	struct res r = doc("embedded");

	is_int(info(&r, "embedded_file"), 2, "embedded: /EmbeddedFile x2");
	is_int(det(&r, "embedded_file_count"), 2, "embedded: two files");
	a = get(&r, "pdf_details", "embedded_files");
	ok(a && json_object_array_length(a) == 2, "embedded: listed");
	o = a ? json_object_array_get_idx(a, 0) : NULL;
	is_str(o && json_object_object_get_ex(o, "name", &v) ? json_object_get_string(v) : NULL,
	    "hello.txt", "embedded: first name");
	is_int(o && json_object_object_get_ex(o, "size", &v) ? json_object_get_int64(v) : -1,
	    (long long)strlen(hello), "embedded: first size");
	pn_hash_buf(hello, strlen(hello), PN_HASH_SHA256, &h);
	is_str(o && json_object_object_get_ex(o, "sha256", &v) ? json_object_get_string(v) : NULL,
	    h.sha256, "embedded: first sha256");
	o = a && json_object_array_length(a) > 1 ? json_object_array_get_idx(a, 1) : NULL;
	is_str(o && json_object_object_get_ex(o, "name", &v) ? json_object_get_string(v) : NULL,
	    "payload.exe", "embedded: UTF-16 /UF name");
	is_str(o && json_object_object_get_ex(o, "type", &v) ? json_object_get_string(v) : NULL,
	    "pe", "embedded: MZ file typed pe");
	ok(has_tag(&r, "file-embedded"), "embedded: file-embedded tag");
	res_free(&r);
}

/* clamav-testfiles' clam.pdf embeds clam.exe: same hash as the packaged one. */
static void
test_clam(void)
{
	struct json_object *a, *v;
	struct pn_hashes h;
	struct res r;
	uint8_t *b, *e;
	size_t n, m;

	b = slurp("/usr/share/clamav-testfiles/clam.pdf", &n);
	e = slurp("/usr/share/clamav-testfiles/clam.exe", &m);
	if (b == NULL || e == NULL) {
		ok(1, "# SKIP clamav-testfiles not installed");
		free(b);
		free(e);
		return;
	}
	run(b, n, &r);
	pn_hash_buf(e, m, PN_HASH_SHA256, &h);
	a = get(&r, "pdf_details", "embedded_files");
	v = a && json_object_array_length(a) ? json_object_object_get(json_object_array_get_idx(a, 0), "sha256") : NULL;
	is_str(v ? json_object_get_string(v) : NULL, h.sha256, "clam.pdf: embedded file is clam.exe");
	v = a && json_object_array_length(a) ? json_object_object_get(json_object_array_get_idx(a, 0), "name") : NULL;
	is_str(v ? json_object_get_string(v) : NULL, "clam.exe", "clam.pdf: its name");
	ok(has_tag(&r, "file-embedded"), "clam.pdf: file-embedded");
	res_free(&r);
	free(b);
	free(e);
}

static void
test_uri(void)
{
	struct res r = doc("uri");

	ok(has_url(&r, "http://example.com/path(1)?q=a"), "uri: literal with escaped parentheses");
	ok(has_url(&r, "https://example.org/hex"), "uri: hex string");
	ok(has_url(&r, "http://example.net/abc"), "uri: octal escape");
	is_int(det(&r, "urls"), 3, "uri: three URLs");
	is_int(det(&r, "uris_other"), 1, "uri: mailto not an edge");
	is_int(det(&r, "uri"), 8, "uri: /URI counted x8 (/S /URI /URI)");
	is_int((long long)json_object_array_length(r.edges), 3, "uri: three edges");
	res_free(&r);
}

static void
test_hexnames(void)
{
	struct res r = doc("hexnames");

	is_int(info(&r, "openaction"), 1, "hexnames: /O#70enAction counts as /OpenAction");
	is_int(info(&r, "javascript"), 1, "hexnames: /J#61vaScript counts");
	is_int(info(&r, "js"), 1, "hexnames: /J#53 counts");
	is_int(det(&r, "obfuscated_names"), 3, "hexnames: three obfuscated names");
	ok(has_tag(&r, "obfuscated"), "hexnames: obfuscated tag");
	ok(has_note(&r, "/JavaScript written with #xx escapes"), "hexnames: noted");
	is_str(js_snippet(&r, 0), "app.alert(1)", "hexnames: script found through decoded names");
	res_free(&r);
}

static void
test_encrypted(void)
{
	struct res r = doc("encrypted");

	is_int(info(&r, "encrypted"), 1, "encrypted: pdf_info.encrypted");
	ok(has_tag(&r, "encrypted"), "encrypted: tag");
	ok(has_note(&r, "encrypted document"), "encrypted: note");
	is_int(det(&r, "javascript_count"), 0, "encrypted: encrypted script not decoded");
	is_int(info(&r, "js"), 1, "encrypted: /JS still counted");
	ok(json_object_get_boolean(get(&r, "pdf_details", "encrypted")), "encrypted: details.encrypted");
	res_free(&r);
}

static void
test_many(void)
{
	struct res r = doc("many-objects");

	is_int(info(&r, "num_obj"), 5000, "many-objects: 5000 obj");
	is_int(info(&r, "num_endobj"), 5000, "many-objects: 5000 endobj");
	is_int(det(&r, "objects_parsed"), 5000, "many-objects: 5000 parsed");
	is_int(r.rc, PN_OK, "many-objects: PN_OK");
	res_free(&r);
}

static void
test_objstm(void)
{
	struct res r = doc("objstm");

	is_int(info(&r, "num_object_streams"), 1, "objstm: /ObjStm");
	is_int(info(&r, "num_obj"), 2, "objstm: 2 obj outside the stream");
	ok(has_js(&r, "from objstm string"), "objstm: script string inside the object stream");
	ok(has_url(&r, "http://objstm.example/"), "objstm: URI inside the object stream");
	ok(has_tag(&r, "js-embedded"), "objstm: js-embedded from the decoded stream");
	res_free(&r);
}

static void
test_chain(void)
{
	struct res r = doc("chain");

	ok(has_js(&r, "app.alert('hex and flate');"), "chain: ASCIIHex then Flate");
	ok(has_js(&r, "app.alert('ascii85');"), "chain: ASCII85");
	ok(has_js(&r, "app.alert('run length');"), "chain: RunLength");
	ok(has_note(&r, "filter LZWDecode not decoded"), "chain: LZW noted");
	is_int(det(&r, "javascript_count"), 3, "chain: three scripts decoded");
	res_free(&r);
}

static void
test_launch_keywords(void)
{
	struct json_object *l;
	struct res r = doc("launch");

	is_int(info(&r, "num_launch_actions"), 1, "launch: /Launch");
	ok(has_tag(&r, "launch-action"), "launch: tag");
	l = get(&r, "pdf_details", "launch");
	is_str(l && json_object_array_length(l) ? json_object_get_string(json_object_array_get_idx(l, 0)) : NULL,
	    "cmd.exe /c calc.exe", "launch: target and parameters");
	res_free(&r);

	r = doc("keywords");
	is_int(info(&r, "suspicious_colors"), 1, "keywords: /Colors > 2^24 once");
	is_int(info(&r, "jbig2_compression"), 1, "keywords: /JBIG2Decode");
	is_int(info(&r, "flash"), 1, "keywords: /RichMedia");
	is_int(info(&r, "xfa"), 1, "keywords: /XFA");
	is_int(info(&r, "acroform"), 1, "keywords: /AcroForm");
	ok(has_tag(&r, "acroform") && has_tag(&r, "flash-embedded"), "keywords: acroform, flash-embedded tags");
	res_free(&r);

	r = doc("header-offset");
	is_int(det(&r, "header_offset"), 100, "header-offset: 100");
	ok(has_note(&r, "header at offset 100"), "header-offset: noted");
	is_int(det(&r, "bytes_after_last_eof"), 27, "header-offset: bytes after %%%%EOF");
	is_int(info(&r, "num_obj"), 4, "header-offset: objects still counted");
	res_free(&r);
}

static void
test_bombs(void)
{
	struct json_object *a, *v;
	struct res r;
	double t0 = now();

	r = doc("bomb");
	is_int(r.rc, PN_ELIMIT, "bomb: PN_ELIMIT");
	ok(has_note(&r, "decoding stopped at the 4194304-byte cap"), "bomb: cap noted");
	a = get(&r, "pdf_details", "javascript");
	is_int(a && json_object_array_length(a) && json_object_object_get_ex(json_object_array_get_idx(a, 0), "size", &v)
	    ? json_object_get_int64(v) : -1, PN_PDF_MAX_INFLATE, "bomb: output stopped at the cap");
	is_int(det(&r, "bytes_decoded"), PN_PDF_MAX_INFLATE, "bomb: decoded bytes = cap");
	res_free(&r);

	r = doc("bombs");
	ok(det(&r, "bytes_decoded") <= (long long)PN_PDF_MAX_INFLATE_TOTAL, "bombs: total budget held (%lld)",
	    det(&r, "bytes_decoded"));
	ok(has_note(&r, "bytes of streams; the rest skipped"), "bombs: budget noted");
	is_int(det(&r, "javascript_count"), PN_PDF_MAX_INFLATE_TOTAL / PN_PDF_MAX_INFLATE,
	    "bombs: scripts decoded until the budget ran out");
	is_int(r.rc, PN_ELIMIT, "bombs: PN_ELIMIT");
	res_free(&r);
	diag("bomb documents parsed in %.2f s", now() - t0);
}

/* Truncations and byte flips of every generated document. */
static void
test_mutants(void)
{
	static const char *const names[] = { "plain", "openaction-js", "flate-js", "embedded", "uri",
		"hexnames", "encrypted", "objstm", "chain", "launch", "keywords", "header-offset" };
	size_t i, k, n;
	int runs = 0, bad = 0;
	uint64_t x = 88172645463325252ULL;

	for (i = 0; i < PN_ARRAY_LEN(names); i++) {
		char path[256];
		uint8_t *b;
		snprintf(path, sizeof(path), "%s/%s.pdf", dir, names[i]);
		if ((b = slurp(path, &n)) == NULL)
			continue;
		for (k = 1; k < n; k += 1 + n / 40) {
			uint8_t *c = pn_xmalloc(k);
			struct res r;
			memcpy(c, b, k);
			run(c, k, &r);
			runs++;
			if (r.rc != PN_OK && r.rc != PN_EFORMAT && r.rc != PN_ELIMIT)
				bad++;
			if (k >= 5 && get(&r, "pdf_info", NULL) == NULL && memmem(c, PN_MIN(k, (size_t)1024), "%PDF-", 5))
				bad++;
			res_free(&r);
			free(c);
		}
		for (k = 0; k < 200; k++) {
			uint8_t *c = pn_xmalloc(n);
			struct res r;
			int m;
			memcpy(c, b, n);
			for (m = 0; m < 8; m++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				c[x % n] = (uint8_t)(x >> 32);
			}
			run(c, n, &r);
			runs++;
			if (r.rc != PN_OK && r.rc != PN_EFORMAT && r.rc != PN_ELIMIT)
				bad++;
			res_free(&r);
			free(c);
		}
		free(b);
	}
	is_int(bad, 0, "%d truncated and corrupted documents parsed with partial results", runs);
}

/* Inputs built here: malformed structure and would-be quadratic patterns. */
static struct res
run_pattern3(const char *head, const char *unit, size_t reps, const char *tail, double *secs)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	uint8_t *b = pn_xmalloc(hl + ul * reps + tl + 1);
	double t0 = now();
	struct res r;

	memcpy(b, head, hl);
	for (i = 0; i < reps; i++)
		memcpy(b + hl + i * ul, unit, ul);
	memcpy(b + hl + ul * reps, tail, tl);
	run(b, hl + ul * reps + tl, &r);
	*secs = now() - t0;
	free(b);
	return r;
}

static struct res
run_pattern(const char *head, const char *unit, size_t reps, double *secs)
{
	return run_pattern3(head, unit, reps, "", secs);
}

/* An object stream whose 50,000 objects all start at one large value. */
static void
test_objstm_overlap(void)
{
	struct pn_buf b = PN_BUF_INIT, body = PN_BUF_INIT;
	struct res r;
	double t0;
	size_t i, hdr;

	for (i = 0; i < 50000; i++)
		pn_buf_puts(&body, "7 0 ");
	hdr = body.len;
	pn_buf_puts(&body, "<</A [");
	for (i = 0; i < 20000; i++)
		pn_buf_puts(&body, "/N 1 ");
	pn_buf_puts(&body, "] /URI (http://overlap.example/)>>");
	pn_buf_printf(&b, "%%PDF-1.5\n1 0 obj <</Type/ObjStm/N 50000/First %zu/Length %zu>> stream\n", hdr, body.len);
	pn_buf_append(&b, body.p, body.len);
	pn_buf_puts(&b, "\nendstream endobj\n");
	t0 = now();
	run((const uint8_t *)b.p, b.len, &r);
	ok(now() - t0 < 20.0, "overlapping object stream: %.2f s", now() - t0);
	ok(has_note(&r, "overlapping objects; scan cut short"), "overlapping object stream: noted");
	ok(has_url(&r, "http://overlap.example/"), "overlapping object stream: the object still read");
	res_free(&r);
	pn_buf_release(&b);
	pn_buf_release(&body);
}

static void
test_hostile(void)
{
	static const struct {
		const char *name, *unit;
		size_t reps;
	} pats[] = {
		{ "stream keywords without endstream", "1 0 obj <<>> stream\n", 200000 },
		{ "nested dictionaries", "<<", 1000000 },
		{ "nested arrays", "[", 2000000 },
		{ "nested parentheses", "(", 2000000 },
		{ "object headers", "1 0 obj ", 400000 },
		{ "references", "/JS 1 0 R ", 300000 },
		{ "hex string openers", "<", 2000000 },
		{ "names with escapes", "/J#61vaScript", 300000 },
		{ "integers", "1 2 3 4 ", 500000 },
		{ "comments", "%%%\n", 1000000 },
		{ "endstream", "endstream ", 300000 },
		{ "dict of URIs", "<</URI (http://a.example/)>>", 100000 },
	};
	struct res r;
	size_t i;
	double t;

	for (i = 0; i < PN_ARRAY_LEN(pats); i++) {
		r = run_pattern("%PDF-1.7\n", pats[i].unit, pats[i].reps, &t);
		ok(get(&r, "pdf_info", NULL) != NULL && t < 20.0, "%s x%zu: %.2f s, rc %d",
		    pats[i].name, pats[i].reps, t, r.rc);
		res_free(&r);
	}
	r = run_pattern3("%PDF-1.7\n", "9", 3000000, " 0 obj (x) endobj", &t);
	ok(t < 20.0 && det(&r, "objects_parsed") == 1, "a 3,000,000-digit object number: %.2f s", t);
	res_free(&r);
	r = run_pattern3("%PDF-1.7\n1 0 obj <<<<<<<<[[[[<</A ", "7", 1000000, " 0 obj", &t);
	ok(t < 20.0 && det(&r, "objects_parsed") == 2, "a long number ending nested containers: %.2f s", t);
	res_free(&r);
	test_objstm_overlap();
	r = run_pattern("%PDF-1.7\n", "<<", 1000, &t);
	ok(has_note(&r, "nested deeper than 64"), "deep nesting noted");
	is_int(r.rc, PN_EFORMAT, "deep nesting: PN_EFORMAT");
	res_free(&r);
	r = run_pattern("%PDF-1.7\n", "1 0 obj ", PN_PDF_MAX_OBJECTS + 10, &t);
	ok(has_note(&r, "objects; the structural scan stopped"), "object limit noted");
	is_int(r.rc, PN_ELIMIT, "object limit: PN_ELIMIT");
	is_int(info(&r, "num_obj"), PN_PDF_MAX_OBJECTS + 10, "object limit: counts not cut");
	res_free(&r);
	r = run_pattern("%PDF-1.7\n1 0 obj <</JS (unterminated", "", 0, &t);
	ok(has_note(&r, "unterminated string"), "unterminated string noted");
	ok(has_note(&r, "unterminated dictionary"), "unterminated dictionary noted");
	res_free(&r);
	r = run_pattern("%PDF-1.7\n1 0 obj <</Length 99999999>> stream\nabc", "", 0, &t);
	ok(has_note(&r, "has no endstream"), "missing endstream noted");
	res_free(&r);
	r = run_pattern("not a pdf at all", "", 0, &t);
	is_int(r.rc, PN_EFORMAT, "no header: PN_EFORMAT");
	ok(get(&r, "pdf_info", NULL) == NULL, "no header: no pdf_info");
	res_free(&r);
	ok(pn_parser_pdf.bid((const uint8_t *)"%PDF-1.4", 8, NULL) > 0, "bid: header at 0");
	ok(pn_parser_pdf.bid((const uint8_t *)"\0\0\0%PDF-1.4", 11, NULL) > 0, "bid: header at 3");
	ok(pn_parser_pdf.bid((const uint8_t *)"%PDF", 4, NULL) == 0, "bid: not on %%PDF alone");
	ok(pn_parser_pdf.bid(NULL, 0, NULL) == 0, "bid: not on empty");
}

/* ------------------------------------------------------------------ */

static int
find_script(const char *argv0, char *out, size_t cap)
{
	const char *rel = "tests/data/pdf/make-pdfs.py";
	char *d, *slash;

	if (access(rel, R_OK) == 0) {
		pn_strlcpy(out, rel, cap);
		return 1;
	}
	d = pn_xstrdup(argv0);
	if ((slash = strrchr(d, '/')) != NULL)
		*slash = '\0';
	snprintf(out, cap, "%s/../../%s", d, rel);
	free(d);
	return access(out, R_OK) == 0;
}

/* Debian-packaged PDFs with plain path names, as one shell word list. */
static void
debian_pdfs(char *out, size_t cap)
{
	char line[512];
	FILE *f = popen("find /usr/share/doc /usr/share/clamav-testfiles -name '*.pdf' -size -20M 2>/dev/null | sort | head -20", "r");
	size_t n = 0;

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") != strlen(line))
			continue;
		if (n + strlen(line) + 2 >= cap)
			break;
		n += (size_t)snprintf(out + n, cap - n, " %s", line);
		diag("Debian PDF: %s", line);
	}
	pclose(f);
}

int
main(int argc, char **argv)
{
	char script[512], extra[4096], cmd[5000];

	(void)argc;
	pn_strlcpy(dir, "/tmp/pn-test-pdf-XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");
	if (!find_script(argv[0], script, sizeof(script)))
		fatalx("tests/data/pdf/make-pdfs.py not found (run from the top directory)");
	debian_pdfs(extra, sizeof(extra));
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s%s", script, dir, extra);
	ok(system(cmd) == 0, "make-pdfs.py wrote the documents");

	test_expected();
	test_plain();
	test_js();
	test_embedded();
	test_clam();
	test_uri();
	test_hexnames();
	test_encrypted();
	test_many();
	test_objstm();
	test_chain();
	test_launch_keywords();
	test_bombs();
	test_mutants();
	test_hostile();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
