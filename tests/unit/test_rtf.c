/*
 * test_rtf.c - unit tests of the RTF parser (parsers/rtf.c).
 *
 * Documents are built here: an information group with escapes and
 * Unicode, embedded OLE 1.0 objects (Equation, Package, linked) whose
 * \objdata is the hex of headers built byte by byte, obfuscated object
 * data (white space, junk, \'hh, ignored groups, \bin), fields
 * (HYPERLINK, INCLUDEPICTURE, DDEAUTO), a remote \template, deep nesting,
 * unbalanced braces, overlong words, trailing data; then truncations and
 * byte flips of each, and large inputs timed.  The ClamAV test file
 * clam.exe.rtf (clamav-testfiles, when installed) must give clam.exe back.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"   /* before tap.h: see the report on parsers/strings.h */
#include "tap.h"
#include "buf.h"
#include "hash.h"
#include "parser.h"
#include "rtf.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct res {
	struct json_object *attrs, *tags, *notes, *edges;
	int rc;
};

static void
run(const void *d, size_t n, struct res *r)
{
	struct pn_parse p;
	uint8_t *c = pn_xmalloc(n ? n : 1);   /* exactly sized, for ASan */

	memcpy(c, d, n);
	memset(&p, 0, sizeof(p));
	r->attrs = json_object_new_object();
	r->tags = json_object_new_array();
	r->notes = json_object_new_array();
	r->edges = json_object_new_array();
	p.data = c;
	p.size = n;
	p.attrs = r->attrs;
	p.tags = r->tags;
	p.notes = r->notes;
	p.edges = r->edges;
	r->rc = pn_parser_rtf.parse(&p);
	free(c);
}

static void
runs(const char *s, struct res *r)
{
	run(s, strlen(s), r);
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
info(struct res *r, const char *key)
{
	struct json_object *b, *v;

	if (!json_object_object_get_ex(r->attrs, "rtf_info", &b))
		return NULL;
	return json_object_object_get_ex(b, key, &v) ? v : NULL;
}

static long long
num(struct res *r, const char *key)
{
	struct json_object *v = info(r, key);

	return v ? (long long)json_object_get_int64(v) : -1;
}

static const char *
prop(struct res *r, const char *key)
{
	struct json_object *d = info(r, "document_properties"), *v;

	return d && json_object_object_get_ex(d, key, &v) ? json_object_get_string(v) : NULL;
}

/* Member key of object i of rtf_info.objects, as a string, or NULL. */
static const char *
obj(struct res *r, size_t i, const char *key)
{
	struct json_object *a = info(r, "objects"), *o, *v;

	if (a == NULL || i >= json_object_array_length(a))
		return NULL;
	o = json_object_array_get_idx(a, i);
	if (strchr(key, '.') != NULL) {   /* "package.filename" */
		char k1[32];
		pn_strlcpy(k1, key, PN_MIN(sizeof(k1), (size_t)(strchr(key, '.') - key + 1)));
		if (!json_object_object_get_ex(o, k1, &o))
			return NULL;
		key = strchr(key, '.') + 1;
	}
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
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

/* v in decimal, in a static buffer. */
static const char *
zu(size_t v)
{
	static char b[32];

	snprintf(b, sizeof(b), "%zu", v);
	return b;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Building OLE 1.0 objects ([MS-OLEDS] 2.2.4-2.2.6)                   */

static void
le32(struct pn_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	pn_buf_append(b, x, 4);
}

/* LengthPrefixedAnsiString: length with the NUL, the bytes, the NUL. */
static void
lpstr(struct pn_buf *b, const char *s)
{
	le32(b, (uint32_t)strlen(s) + 1);
	pn_buf_append(b, s, strlen(s) + 1);
}

static void
ole1(struct pn_buf *b, uint32_t format, const char *cls, const char *topic,
    const void *native, size_t nlen)
{
	le32(b, 0x00000501);
	le32(b, format);
	lpstr(b, cls);
	lpstr(b, topic);
	lpstr(b, "");
	if (format == 2) {
		le32(b, (uint32_t)nlen);
		pn_buf_append(b, native, nlen);
	} else {
		lpstr(b, "");       /* NetworkName */
		le32(b, 0);         /* Reserved */
		le32(b, 1);         /* LinkUpdateOption */
	}
}

/* Package native data, in the layout oletools reads. */
static void
package(struct pn_buf *b, const char *name, const char *src, const char *tmp,
    const void *data, size_t n)
{
	uint8_t sig[2] = { 2, 0 };

	pn_buf_append(b, sig, 2);
	pn_buf_append(b, name, strlen(name) + 1);
	pn_buf_append(b, src, strlen(src) + 1);
	le32(b, 0x00030000);
	le32(b, (uint32_t)strlen(tmp) + 1);
	pn_buf_append(b, tmp, strlen(tmp) + 1);
	le32(b, (uint32_t)n);
	pn_buf_append(b, data, n);
}

/* Append the hex of p[0..n), a line break every 64 digits, as Word writes it. */
static void
hex(struct pn_buf *out, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		pn_buf_printf(out, "%02x", b[i]);
		if (i % 32 == 31)
			pn_buf_puts(out, "\r\n");
	}
}

static const uint8_t ole2_native[] = {
	0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0, 0, 0, 0, 0,
	0x3e, 0, 3, 0, 0xfe, 0xff, 9, 0, 6, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t mz[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 tiny program";

static void
sha(const void *p, size_t n, char out[65])
{
	struct pn_hashes h;

	pn_hash_buf(p, n, PN_HASH_SHA256, &h);
	memcpy(out, h.sha256, 65);
}

/* ------------------------------------------------------------------ */

static void
test_plain(void)
{
	struct res r;

	runs("{\\rtf1\\ansi\\ansicpg1252\\deff0\\deflang1033{\\fonttbl{\\f0 Times;}}\\pard Hello\\par}", &r);
	is_int(r.rc, PN_OK, "plain: PN_OK");
	is_int(num(&r, "rtf_version"), 1, "plain: \\rtf1");
	is_str(info(&r, "charset") ? json_object_get_string(info(&r, "charset")) : NULL, "ansi", "plain: charset");
	is_int(num(&r, "ansicpg"), 1252, "plain: code page");
	is_int(num(&r, "deflang"), 1033, "plain: default language");
	is_int(num(&r, "num_groups"), 3, "plain: three groups");
	is_int(num(&r, "max_depth"), 3, "plain: depth 3");
	is_int(num(&r, "num_objects"), 0, "plain: no objects");
	is_int((long long)json_object_array_length(r.notes), 0, "plain: no notes");
	is_int((long long)json_object_array_length(r.tags), 0, "plain: no tags");
	res_free(&r);
}

static void
test_info(void)
{
	struct res r;

	runs("{\\rtf1\\ansi{\\info{\\title T\\'e9st \\{x\\}}{\\author A\\u8364?B}{\\operator op}"
	    "{\\*\\company ACME}{\\creatim\\yr2021\\mo3\\dy4\\hr5\\min6}{\\revtim\\yr2022\\mo12\\dy31\\hr23\\min59\\sec58}"
	    "{\\nofpages7}{\\edmins12}{\\*\\unknownprop secret}}"
	    "{\\*\\generator Msftedit 5.41.21.2510;}\\uc2 x}", &r);
	is_str(prop(&r, "title"), "T\xc3\xa9st {x}", "info: title, \\'e9 as Latin-1, escaped braces");
	is_str(prop(&r, "author"), "A\xe2\x82\xac" "B", "info: \\u8364 and its fallback skipped");
	is_str(prop(&r, "operator"), "op", "info: operator");
	is_str(prop(&r, "company"), "ACME", "info: starred company");
	is_str(prop(&r, "creatim"), "2021-03-04 05:06:00", "info: creation time");
	is_str(prop(&r, "revtim"), "2022-12-31 23:59:58", "info: revision time");
	is_str(prop(&r, "nofpages"), "7", "info: pages");
	is_str(prop(&r, "edmins"), "12", "info: editing minutes");
	is_str(prop(&r, "generator"), "Msftedit 5.41.21.2510;", "info: generator");
	ok(prop(&r, "unknownprop") == NULL, "info: unknown destination skipped");
	is_int(r.rc, PN_OK, "info: PN_OK");
	res_free(&r);
}

static void
test_equation(void)
{
	struct pn_buf o = PN_BUF_INIT, d = PN_BUF_INIT;
	char want[65];
	struct res r;

	ole1(&o, 2, "Equation.3", "", ole2_native, sizeof(ole2_native));
	pn_buf_puts(&d, "{\\rtf1{\\object\\objemb\\objupdate{\\*\\objclass Equation.3}\\objw380\\objh260{\\*\\objdata ");
	hex(&d, o.p, o.len);
	pn_buf_puts(&d, "}{\\result {\\pict\\wmetafile8 0100}}}}");
	run(d.p, d.len, &r);
	is_int(num(&r, "num_objects"), 1, "equation: one object");
	is_str(obj(&r, 0, "type"), "objemb", "equation: objemb");
	is_str(obj(&r, 0, "class"), "Equation.3", "equation: \\objclass");
	is_str(obj(&r, 0, "ole_class"), "Equation.3", "equation: OLE 1.0 class name");
	is_str(obj(&r, 0, "ole_format"), "embedded", "equation: embedded");
	is_str(obj(&r, 0, "data_size"), zu(o.len), "equation: data size");
	is_str(obj(&r, 0, "native_type"), "ole", "equation: native data is OLE2");
	sha(ole2_native, sizeof(ole2_native), want);
	is_str(obj(&r, 0, "sha256"), want, "equation: native data hash");
	is_str(obj(&r, 0, "objupdate"), "true", "equation: objupdate");
	is_int(num(&r, "num_pictures"), 1, "equation: the result picture");
	ok(has_tag(&r, "ole-object") && has_tag(&r, "objupdate"), "equation: tags");
	ok(has_note(&r, "Equation Editor"), "equation: noted");
	ok(has_note(&r, "update themselves"), "equation: objupdate noted");
	res_free(&r);
	pn_buf_release(&o);
	pn_buf_release(&d);
}

static void
test_package(void)
{
	struct pn_buf n = PN_BUF_INIT, o = PN_BUF_INIT, d = PN_BUF_INIT;
	char want[65];
	struct res r;
	size_t i;

	package(&n, "evil.exe", "C:\\Users\\x\\evil.exe", "C:\\Temp\\evil.exe", mz, sizeof(mz));
	ole1(&o, 2, "Package", "", n.p, n.len);
	/* obfuscated: spaces, junk letters, \'hh, an ignored group, \bin */
	pn_buf_puts(&d, "{\\rtf1{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata");
	for (i = 0; i < o.len; i++) {
		if (i == 5)
			pn_buf_puts(&d, "{\\*\\junkgroup 4142}");
		if (i == 9)
			pn_buf_puts(&d, " xyz \\'41 ");
		if (i == 20) {
			pn_buf_puts(&d, "\\bin2 ");
			pn_buf_append(&d, (const char *)o.p + i, 2);
			i++;
			continue;
		}
		pn_buf_printf(&d, " %02X", (uint8_t)o.p[i]);
	}
	pn_buf_puts(&d, "}}}");
	run(d.p, d.len, &r);
	is_str(obj(&r, 0, "class"), "Package", "package: class");
	is_str(obj(&r, 0, "package.filename"), "evil.exe", "package: file name");
	is_str(obj(&r, 0, "package.source_path"), "C:\\Users\\x\\evil.exe", "package: source path");
	is_str(obj(&r, 0, "package.temp_path"), "C:\\Temp\\evil.exe", "package: temp path");
	is_str(obj(&r, 0, "package.type"), "pe", "package: a PE");
	sha(mz, sizeof(mz), want);
	is_str(obj(&r, 0, "package.sha256"), want, "package: embedded file hash");
	is_str(obj(&r, 0, "data_size"), zu(o.len), "package: data decoded through the obfuscation");
	ok(has_note(&r, "non-hex characters"), "package: junk in \\objdata noted");
	ok(has_tag(&r, "obfuscated"), "package: obfuscated tag");
	ok(has_note(&r, "embeds file \"evil.exe\""), "package: file noted");
	is_int(num(&r, "num_bin"), 1, "package: \\bin counted");
	res_free(&r);
	pn_buf_release(&n);
	pn_buf_release(&o);
	pn_buf_release(&d);
}

static void
test_linked(void)
{
	struct pn_buf o = PN_BUF_INIT, d = PN_BUF_INIT;
	struct res r;

	ole1(&o, 1, "Word.Document.8", "http://evil.example/payload.doc", NULL, 0);
	pn_buf_puts(&d, "{\\rtf1{\\object\\objautlink\\objupdate\\rsltpict{\\*\\objclass Word.Document.8}{\\*\\objdata ");
	hex(&d, o.p, o.len);
	pn_buf_puts(&d, "}}}");
	run(d.p, d.len, &r);
	is_str(obj(&r, 0, "ole_format"), "linked", "linked: format");
	is_str(obj(&r, 0, "topic"), "http://evil.example/payload.doc", "linked: topic");
	is_str(obj(&r, 0, "type"), "objautlink", "linked: objautlink");
	ok(has_url(&r, "http://evil.example/payload.doc"), "linked: topic URL is an edge");
	is_int(num(&r, "num_objautlink"), 1, "linked: counted");
	ok(has_note(&r, "automatically updated links"), "linked: noted");
	res_free(&r);
	pn_buf_release(&o);
	pn_buf_release(&d);

	/* an OLE2Link object, and an object whose data is cut short */
	pn_buf_init(&o, 0);
	ole1(&o, 2, "OLE2Link", "", ole2_native, sizeof(ole2_native));
	pn_buf_init(&d, 0);
	pn_buf_puts(&d, "{\\rtf1{\\object\\objemb{\\*\\objdata ");
	hex(&d, o.p, o.len - 10);
	pn_buf_puts(&d, "}}}");
	run(d.p, d.len, &r);
	is_str(obj(&r, 0, "ole_class"), "OLE2Link", "ole2link: class from the header");
	ok(has_note(&r, "OLE2Link") || has_note(&r, "past the object data"), "ole2link: noted");
	is_int(r.rc, PN_EFORMAT, "ole2link: truncated native data is PN_EFORMAT");
	res_free(&r);
	pn_buf_release(&o);
	pn_buf_release(&d);
}

static void
test_fields(void)
{
	struct res r;

	runs("{\\rtf1 {\\field{\\*\\fldinst {\\rtlch HYPERLINK \"http://example.com/a?b=c\" }}{\\fldrslt {link}}}"
	    "{\\field{\\*\\fldinst HYPERLINK \\\\l \"_Toc123\"}{\\fldrslt toc}}"
	    "{\\field{\\*\\fldinst  INCLUDEPICTURE \"https://img.example/x.png\" \\\\d }{\\fldrslt }}"
	    "{\\field{\\*\\fldinst HYPERLINK mailto:a@example.com}{\\fldrslt m}}"
	    "{\\field{\\*\\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/k calc.exe\"}{\\fldrslt x}}"
	    "{\\*\\template http://tpl.example/t.dotm}}", &r);
	ok(has_url(&r, "http://example.com/a?b=c"), "fields: HYPERLINK");
	ok(has_url(&r, "https://img.example/x.png"), "fields: INCLUDEPICTURE");
	ok(has_url(&r, "http://tpl.example/t.dotm"), "fields: remote template");
	is_int((long long)json_object_array_length(r.edges), 3, "fields: no edge for \\l and mailto");
	is_int(num(&r, "num_fields"), 5, "fields: five fields");
	is_int(num(&r, "num_hyperlinks"), 3, "fields: three HYPERLINKs");
	is_int(num(&r, "num_dde"), 1, "fields: DDEAUTO");
	ok(has_note(&r, "DDE field: DDEAUTO c:\\windows\\system32\\cmd.exe"), "fields: DDE noted");
	ok(has_note(&r, "loads remote content"), "fields: INCLUDEPICTURE noted");
	ok(has_tag(&r, "remote-template"), "fields: remote-template tag");
	res_free(&r);
}

static void
test_structure(void)
{
	struct pn_buf d = PN_BUF_INIT;
	struct res r;
	size_t i;

	/* deep nesting, with an object past the tracked depth */
	pn_buf_puts(&d, "{\\rtf1 ");
	for (i = 0; i < 5000; i++)
		pn_buf_putc(&d, '{');
	pn_buf_puts(&d, "{\\object{\\*\\objdata 0105000002000000}}");
	for (i = 0; i < 5000; i++)
		pn_buf_putc(&d, '}');
	pn_buf_puts(&d, "}");
	run(d.p, d.len, &r);
	is_int(num(&r, "max_depth"), 5003, "deep: depth counted");
	ok(has_note(&r, "nested 5003 deep"), "deep: noted");
	ok(has_tag(&r, "obfuscated"), "deep: obfuscated tag");
	is_int(num(&r, "num_objects"), 0, "deep: content past the tracked depth skipped");
	is_int(num(&r, "unclosed_groups"), 0, "deep: balanced");
	res_free(&r);
	pn_buf_release(&d);

	runs("{\\rtf1 {{{ x {\\info{\\title unclosed", &r);
	is_int(num(&r, "unclosed_groups"), 6, "unbalanced: 6 unclosed");
	is_str(prop(&r, "title"), "unclosed", "unbalanced: open text still used");
	is_int(r.rc, PN_EFORMAT, "unbalanced: PN_EFORMAT");
	ok(has_note(&r, "groups not closed"), "unbalanced: noted");
	res_free(&r);

	runs("{\\rtf1 x}}}} trailing junk", &r);
	is_int(num(&r, "extra_closing_braces"), 3, "extra braces: 3");
	is_int(num(&r, "trailing_bytes"), 12, "trailing: 12 bytes after the end");
	ok(has_note(&r, "bytes after the end"), "trailing: noted");
	res_free(&r);

	runs("{\\rtf1 \\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 \\fs123456789012345 x}", &r);
	is_int(num(&r, "long_control_words"), 1, "long word counted");
	is_int(num(&r, "long_parameters"), 1, "long parameter counted");
	ok(has_note(&r, "control word of 64 letters"), "long word noted");
	is_int(r.rc, PN_EFORMAT, "long word: PN_EFORMAT");
	res_free(&r);

	runs("{\\rtxyz1 {\\pict\\pngblip\\bin4 }{}{\\pict 00}}", &r);
	ok(has_note(&r, "non-standard header"), "header: {\\rt without f noted");
	is_int(num(&r, "num_pictures"), 2, "header: still parsed, \\bin data skipped");
	is_int(num(&r, "unclosed_groups"), 0, "header: braces in \\bin data not counted");
	res_free(&r);

	/* object data after its object was closed by a nested \\object (fuzzer: a leak) */
	runs("{\\rtf1{\\object{\\*\\objdata 41{\\object}4142}}{\\object{\\*\\objdata 4344}}}", &r);
	is_int(num(&r, "num_objects"), 3, "broken object nesting: three objects");
	is_str(obj(&r, 2, "data_size"), "2", "broken object nesting: the last one's data only");
	res_free(&r);

	ok(pn_parser_rtf.bid((const uint8_t *)"{\\rtf1", 6, NULL) > 0, "bid: {\\rtf1");
	ok(pn_parser_rtf.bid((const uint8_t *)"{\\rt", 4, NULL) > 0, "bid: {\\rt");
	ok(pn_parser_rtf.bid((const uint8_t *)"{\\r", 3, NULL) == 0, "bid: not {\\r");
	ok(pn_parser_rtf.bid((const uint8_t *)" {\\rtf1", 7, NULL) == 0, "bid: not with leading space");
}

static void
test_clam(void)
{
	struct pn_hashes h;
	struct res r;
	struct stat st;
	uint8_t *b = NULL, *e = NULL;
	size_t n = 0, m = 0;
	FILE *f;

	if ((f = fopen("/usr/share/clamav-testfiles/clam.exe.rtf", "rb")) != NULL && fstat(fileno(f), &st) == 0) {
		n = (size_t)st.st_size;
		b = pn_xmalloc(n);
		if (fread(b, 1, n, f) != n)
			n = 0;
		fclose(f);
	}
	if ((f = fopen("/usr/share/clamav-testfiles/clam.exe", "rb")) != NULL && fstat(fileno(f), &st) == 0) {
		m = (size_t)st.st_size;
		e = pn_xmalloc(m);
		if (fread(e, 1, m, f) != m)
			m = 0;
		fclose(f);
	}
	if (n == 0 || m == 0) {
		ok(1, "# SKIP clamav-testfiles not installed");
		free(b);
		free(e);
		return;
	}
	run(b, n, &r);
	pn_hash_buf(e, m, PN_HASH_SHA256, &h);
	is_int(r.rc, PN_OK, "clam.exe.rtf: PN_OK");
	is_str(obj(&r, 0, "package.filename"), "Clam.exe", "clam.exe.rtf: package file name");
	is_str(obj(&r, 0, "package.sha256"), h.sha256, "clam.exe.rtf: the package is clam.exe");
	is_str(prop(&r, "author"), "edwin", "clam.exe.rtf: author");
	res_free(&r);
	free(b);
	free(e);
}

/* Truncations and byte flips of a set of documents. */
static void
test_mutants(void)
{
	struct pn_buf o = PN_BUF_INIT, pk = PN_BUF_INIT, d = PN_BUF_INIT;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t k;
	int bad = 0, runs_ = 0, m;

	package(&pk, "a.js", "C:\\a.js", "C:\\t\\a.js", "WScript.Echo(1)", 15);
	ole1(&o, 2, "Package", "", pk.p, pk.len);
	pn_buf_puts(&d, "{\\rtf1\\ansi{\\info{\\title t\\'e9}{\\creatim\\yr2020}}{\\object\\objemb\\objupdate"
	    "{\\*\\objclass Package}{\\*\\objdata ");
	hex(&d, o.p, o.len);
	pn_buf_puts(&d, "\\bin3 {}\\}{\\result x}}{\\field{\\*\\fldinst HYPERLINK \"http://a.example/\"}}"
	    "{\\*\\template http://b.example/}\\u-4000?{\\pict\\bin2 ab}}");
	for (k = 0; k <= d.len; k++) {
		struct res r;
		run(d.p, k, &r);
		runs_++;
		if (r.rc != PN_OK && r.rc != PN_EFORMAT && r.rc != PN_ELIMIT)
			bad++;
		res_free(&r);
	}
	for (k = 0; k < 3000; k++) {
		char *c = pn_xmalloc(d.len);
		struct res r;
		memcpy(c, d.p, d.len);
		for (m = 0; m < 6; m++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			c[x % d.len] = "{}\\*'0aZ \r\n\x80\x00"[x >> 60 & 0x7] ^ (char)((x >> 40) & 0x8 ? 0 : (x >> 32));
		}
		run(c, d.len, &r);
		runs_++;
		if (r.rc != PN_OK && r.rc != PN_EFORMAT && r.rc != PN_ELIMIT)
			bad++;
		res_free(&r);
		free(c);
	}
	is_int(bad, 0, "%d truncated and corrupted documents parsed", runs_);
	pn_buf_release(&o);
	pn_buf_release(&pk);
	pn_buf_release(&d);
}

static void
test_large(void)
{
	struct pn_buf d = PN_BUF_INIT;
	struct res r;
	double t0;
	size_t i;

	/* object data past the cap: counted, cut, noted */
	pn_buf_init(&d, 0);
	pn_buf_puts(&d, "{\\rtf1{\\object\\objemb{\\*\\objdata ");
	for (i = 0; i < (size_t)PN_RTF_MAX_OBJDATA + 1000; i++)
		pn_buf_puts(&d, "41");
	pn_buf_puts(&d, "}}}");
	t0 = now();
	run(d.p, d.len, &r);
	is_str(obj(&r, 0, "data_size"), zu((size_t)PN_RTF_MAX_OBJDATA + 1000), "large: all data counted");
	ok(has_note(&r, "bytes of data"), "large: cut noted");
	is_int(r.rc, PN_ELIMIT, "large: PN_ELIMIT");
	diag("%zu bytes of object data in %.2f s", d.len, now() - t0);
	res_free(&r);
	pn_buf_release(&d);

	static const struct {
		const char *name, *unit;
		size_t reps;
	} pats[] = {
		{ "open braces", "{", 3000000 },
		{ "close braces", "}", 3000000 },
		{ "control words", "\\par ", 1000000 },
		{ "\\bin without data", "\\bin99999999", 300000 },
		{ "objects", "{\\object\\objemb{\\*\\objdata 01}}", 200000 },
		{ "fields", "{\\field{\\*\\fldinst HYPERLINK \"http://x.example/\"}}", 100000 },
		{ "hex escapes", "\\'41", 1000000 },
		{ "unicode", "\\u1234?", 1000000 },
	};
	for (i = 0; i < PN_ARRAY_LEN(pats); i++) {
		size_t k, ul = strlen(pats[i].unit);
		pn_buf_init(&d, 0);
		pn_buf_puts(&d, "{\\rtf1 ");
		for (k = 0; k < pats[i].reps; k++)
			pn_buf_append(&d, pats[i].unit, ul);
		t0 = now();
		run(d.p, d.len, &r);
		ok(info(&r, "num_groups") != NULL && now() - t0 < 20.0, "%s x%zu: %.2f s, rc %d", pats[i].name,
		    pats[i].reps, now() - t0, r.rc);
		res_free(&r);
		pn_buf_release(&d);
	}
}

int
main(void)
{
	test_plain();
	test_info();
	test_equation();
	test_package();
	test_linked();
	test_fields();
	test_structure();
	test_clam();
	test_mutants();
	test_large();
	return done_testing();
}
