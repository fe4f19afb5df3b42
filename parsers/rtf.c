/*
 * rtf.c - static analysis of RTF documents: "rtf_info" (document
 * properties, objects, pictures, fields, structure counts), embedded_urls
 * edges from HYPERLINK/INCLUDE* fields, linked objects and \template, and
 * notes and tags for what exploit documents do (\objupdate, hex data with
 * junk in it, very deep nesting, unbalanced braces, overlong words).
 *
 * One pass over the bytes with a stack of group frames.  Each frame holds
 * the destination its text goes to (inherited by inner groups) and whether
 * it opened that destination, so the text is handled when that group
 * closes: a property, a creation time, a field instruction, an object.
 * Unknown destinations marked \* are skipped as the spec says; \binN data
 * is skipped (or kept, inside \objdata).  Object data is hex-decoded
 * (white space and anything else that is not a hex digit ignored and
 * counted, as Word does) into a capped buffer, then read as an OLE 1.0
 * object ([MS-OLEDS] 2.2.4): format, class, topic, item, native data; a
 * Package's native data gives the embedded file's name, paths and size;
 * native data is hashed (SHA-256) and its type guessed from magic bytes.
 *
 * Results: p->attrs gets "rtf_info" (see docs/internals/pdf-rtf.md for
 * every member), p->edges http/https/ftp URLs, p->tags "ole-object",
 * "objupdate", "obfuscated", "remote-template".  Nothing is kept between
 * calls; all memory is freed on return.
 *
 * Limits: PN_RTF_* in rtf.h.  Input length is not limited (linear).
 * Errors: PN_OK; PN_EFORMAT (malformed, noted, partial results);
 * PN_ELIMIT (object data cut at PN_RTF_MAX_OBJDATA).
 * Spec: RTF 1.9.1: "RTF Syntax" (control words of at most 32 letters,
 * parameters, the space delimiter, control symbols, \'hh, \binN), "Unicode
 * RTF" (\uN, \ucN), "Destinations" (\*), "Information Group", "Objects",
 * "Pictures", "Fields"; [MS-OLEDS] 2.2.4 ObjectHeader, 2.2.5
 * EmbeddedObject, 2.2.6 LinkedObject, 2.1.4 LengthPrefixedAnsiString.  The
 * Package native data layout (u16, file name, source path, two u32, temp
 * path, u32 size, data) is not in [MS-OLEDS]; it is the layout oletools'
 * oleobj reads.  Word's "{\rt" header check: oletools rtfobj notes.
 * See also: rtf.h, docs/internals/pdf-rtf.md, tests/unit/test_rtf.c,
 * tests/fuzz/fuzz_rtf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "rd.h"
#include "buf.h"
#include "hash.h"
#include "utf8.h"
#include "parser.h"
#include "rtf.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * pn_utf8_clean(), except that an empty input gives "" (lib/utf8.c returns
 * an unterminated buffer for n == 0; reported).
 */
static char *
utf8_clean(const char *s, size_t n)
{
	return n == 0 ? pn_xstrdup("") : pn_utf8_clean(s, n);
}

/* ASCII case-insensitive: the first n bytes of a and b are equal. */
static int
ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
		if (x == 0)
			return 1;
	}
	return 1;
}

static int
ascii_caseeq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && ascii_ncaseeq(a, b, strlen(a));
}

/* ------------------------------------------------------------------ */
/* Control words                                                       */

enum {
	W_ANSI, W_ANSICPG, W_AUTHOR, W_BIN, W_BUPTIM, W_CATEGORY, W_COMMENT,
	W_COMPANY, W_CREATIM, W_DEFLANG, W_DOCCOMM, W_DY, W_EDMINS, W_FIELD,
	W_FLDINST, W_FLDRSLT, W_GENERATOR, W_HLINKBASE, W_HR, W_ID, W_INFO,
	W_KEYWORDS, W_MAC, W_MANAGER, W_MIN, W_MO, W_NOFCHARS, W_NOFCHARSWS,
	W_NOFPAGES, W_NOFWORDS, W_NONSHPPICT, W_OBJAUTLINK, W_OBJCLASS,
	W_OBJDATA, W_OBJECT, W_OBJEMB, W_OBJHTML, W_OBJICEMB, W_OBJLINK,
	W_OBJNAME, W_OBJOCX, W_OBJPUB, W_OBJSUB, W_OBJUPDATE, W_OPERATOR,
	W_PC, W_PCA, W_PICT, W_PRINTIM, W_RESULT, W_REVTIM, W_RTF, W_SEC,
	W_SHPPICT, W_SUBJECT, W_TEMPLATE, W_TITLE, W_U, W_UC, W_VERN,
	W_VERSION, W_YR, W_N
};

/* Sorted (strcmp order) for bsearch; index = W_*. */
static const char *const words[W_N] = {
	"ansi", "ansicpg", "author", "bin", "buptim", "category", "comment",
	"company", "creatim", "deflang", "doccomm", "dy", "edmins", "field",
	"fldinst", "fldrslt", "generator", "hlinkbase", "hr", "id", "info",
	"keywords", "mac", "manager", "min", "mo", "nofchars", "nofcharsws",
	"nofpages", "nofwords", "nonshppict", "objautlink", "objclass",
	"objdata", "object", "objemb", "objhtml", "objicemb", "objlink",
	"objname", "objocx", "objpub", "objsub", "objupdate", "operator",
	"pc", "pca", "pict", "printim", "result", "revtim", "rtf", "sec",
	"shppict", "subject", "template", "title", "u", "uc", "vern",
	"version", "yr"
};

/* Destinations (where text goes). */
enum {
	D_NORMAL,    /* body text and everything not listed: ignored */
	D_SKIP,      /* an unknown \* destination or a too deep group */
	D_INFO,      /* \info */
	D_PROP,      /* a text property of \info (frame.idx) */
	D_TIME,      /* \creatim ... (frame.idx) */
	D_OBJECT,    /* \object, outside its sub-destinations */
	D_OBJCLASS,
	D_OBJDATA,
	D_FLDINST,
	D_TEMPLATE,
	D_PICT
};

/* A control word and the name it is reported under. */
struct wname {
	int word;
	const char *name;
};

/* Text properties, in rtf_info.document_properties under these names. */
static const struct wname props[] = {
	{ W_TITLE, "title" }, { W_SUBJECT, "subject" }, { W_AUTHOR, "author" },
	{ W_MANAGER, "manager" }, { W_COMPANY, "company" },
	{ W_OPERATOR, "operator" }, { W_CATEGORY, "category" },
	{ W_KEYWORDS, "keywords" }, { W_COMMENT, "comment" },
	{ W_DOCCOMM, "doccomm" }, { W_HLINKBASE, "hlinkbase" },
	{ W_GENERATOR, "generator" },
};

static const struct wname times[] = {
	{ W_CREATIM, "creatim" }, { W_REVTIM, "revtim" },
	{ W_PRINTIM, "printim" }, { W_BUPTIM, "buptim" },
};

/* Numeric properties of \info. */
static const struct wname numbers[] = {
	{ W_VERSION, "version" }, { W_VERN, "vern" }, { W_EDMINS, "edmins" },
	{ W_NOFPAGES, "nofpages" }, { W_NOFWORDS, "nofwords" },
	{ W_NOFCHARS, "nofchars" }, { W_NOFCHARSWS, "nofcharsws" },
	{ W_ID, "id" },
};

/* Object type words (RTF 1.9.1 "Objects": object type). */
static const struct wname objtypes[] = {
	{ W_OBJEMB, "objemb" }, { W_OBJLINK, "objlink" },
	{ W_OBJAUTLINK, "objautlink" }, { W_OBJSUB, "objsub" },
	{ W_OBJPUB, "objpub" }, { W_OBJICEMB, "objicemb" },
	{ W_OBJHTML, "objhtml" }, { W_OBJOCX, "objocx" },
};

/* ------------------------------------------------------------------ */
/* State                                                               */

struct frame {
	uint8_t dest;   /* D_*, inherited */
	uint8_t idx;    /* D_PROP, D_TIME: index into props/times */
	uint8_t owner;  /* this group opened dest */
	uint8_t obj;    /* this group opened the current object */
	uint8_t uc;     /* \ucN: fallback characters after \u (inherited) */
	uint8_t star;   /* \* seen: the next word names an optional destination */
};

struct obj {
	int open;
	const char *type;        /* "objemb" ...; NULL */
	char cls[PN_RTF_MAX_CLASS + 1];
	size_t clen;
	int update;              /* \objupdate */
	struct pn_buf data;      /* decoded \objdata (capped) */
	uint64_t total;          /* decoded bytes, all */
	uint64_t junk;           /* non-hex characters in the data */
	int nibble;              /* pending high nibble, -1 */
};

struct rtf {
	struct pn_parse *p;
	struct frame st[PN_RTF_MAX_DEPTH];
	struct frame outer;      /* outside any group */
	struct frame deep;       /* groups past PN_RTF_MAX_DEPTH: skipped */
	size_t depth;            /* open groups */
	size_t max_depth;
	uint64_t groups, words, long_words, long_params, bins;
	uint64_t unclosed, extra_close, trailing;
	int ended;               /* the outermost group closed */
	int skip_uc;             /* fallback characters left to skip after \u */
	int version;             /* \rtfN, -1 */
	const char *charset;
	int64_t ansicpg, deflang;

	struct pn_buf text;      /* text of the open property/fldinst/template */
	int tm[6];               /* \yr \mo \dy \hr \min \sec of the open time */
	struct json_object *docprops;

	struct obj o;
	uint64_t nobjects, npict, nfields, nhyperlinks, nupdate, nautlink;
	uint64_t nurls, nurls_other, ndde, ntemplate, objdata_junk;
	struct json_object *objects;

	unsigned nnotes;
	int rc;
};

static void note(struct rtf *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Add "who: msg" as a note, as valid UTF-8 short enough not to be cut. */
static void
note_clean(struct pn_parse *p, const char *who, const char *msg)
{
	char *t = utf8_clean(msg, strlen(msg));
	size_t n = strlen(t);

	if (n > 400) {
		n = 400;
		while (n > 0 && ((uint8_t)t[n] & 0xc0) == 0x80)
			n--;
		t[n] = '\0';
	}
	pn_parse_note(p, "%s: %s", who, t);
	free(t);
}

static void
note(struct rtf *s, int rc, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (rc == PN_ELIMIT || s->rc == PN_OK)
		s->rc = rc;
	if (s->nnotes >= PN_RTF_MAX_NOTES)
		return;
	s->nnotes++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note_clean(s->p, "rtf", msg);
}

static struct frame *
top(struct rtf *s)
{
	if (s->depth == 0)
		return &s->outer;
	if (s->depth > PN_RTF_MAX_DEPTH) {
		memset(&s->deep, 0, sizeof(s->deep));
		s->deep.dest = D_SKIP;
		return &s->deep;
	}
	return &s->st[s->depth - 1];
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* Append code point cp as UTF-8 to the open text, whole or not at all. */
static void
text_cp(struct rtf *s, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x20 && cp != '\t')
		cp = ' ';
	if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	}
	if ((top(s)->dest == D_PROP ? PN_RTF_MAX_PROP : PN_RTF_MAX_FLDINST) - s->text.len >= n)
		pn_buf_append(&s->text, b, n);
}

static void
objdata_byte(struct rtf *s, uint8_t c)
{
	struct obj *o = &s->o;

	if (!o->open)
		return;     /* data of an object already closed (broken nesting) */
	o->total++;
	if (o->data.len < o->data.max)
		pn_buf_append(&o->data, &c, 1);
}

/* A character of text (raw, or from \'hh when escaped) in the current destination. */
static void
text_byte(struct rtf *s, uint8_t c, int escaped)
{
	struct frame *f = top(s);
	int h;

	if (s->skip_uc > 0) {
		s->skip_uc--;   /* the ANSI fallback of a \u character */
		return;
	}
	switch (f->dest) {
	case D_PROP:
	case D_FLDINST:
	case D_TEMPLATE:
		/* code page text, read as Latin-1 (cp1252 differs in 0x80-0x9f) */
		text_cp(s, c);
		break;
	case D_OBJCLASS:
		if (s->o.clen < PN_RTF_MAX_CLASS && c >= 0x20 && c < 0x7f)
			s->o.cls[s->o.clen++] = (char)c;
		break;
	case D_OBJDATA:
		h = escaped ? -1 : hexval(c);
		if (h >= 0) {
			if (s->o.nibble < 0) {
				s->o.nibble = h;
			} else {
				objdata_byte(s, (uint8_t)(s->o.nibble << 4 | h));
				s->o.nibble = -1;
			}
		} else if (escaped || (c != ' ' && c != '\t')) {
			s->o.junk++;
		}
		break;
	}
}

/* ------------------------------------------------------------------ */
/* URLs and field instructions                                         */

static int
is_url(const char *u, size_t n)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://" };
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(schemes); i++)
		if (n > strlen(schemes[i]) && ascii_ncaseeq(u, schemes[i], strlen(schemes[i])))
			break;
	if (i == PN_ARRAY_LEN(schemes) || n > PN_RTF_MAX_URL)
		return 0;
	for (i = 0; i < n; i++)
		if ((uint8_t)u[i] <= 0x20 || (uint8_t)u[i] >= 0x7f)
			return 0;
	return 1;
}

/* An embedded_urls edge if u[0..n) is an http(s)/ftp URL; 1 if it was one. */
static int
add_url(struct rtf *s, const char *u, size_t n)
{
	char url[PN_RTF_MAX_URL + 1];

	if (!is_url(u, n)) {
		s->nurls_other++;
		return 0;
	}
	if (s->nurls >= PN_RTF_MAX_URLS)
		return 1;
	memcpy(url, u, n);
	url[n] = '\0';
	s->nurls++;
	pn_parse_edge(s->p, "embedded_urls", "url", url);
	return 1;
}

/* The next argument of a field instruction: "quoted" or a bare word. */
static int
fld_arg(const char **pp, const char *end, const char **a, size_t *n)
{
	const char *p = *pp;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end)
		return 0;
	if (*p == '"') {
		*a = ++p;
		while (p < end && *p != '"')
			p++;
		*n = (size_t)(p - *a);
		if (p < end)
			p++;
	} else {
		*a = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		*n = (size_t)(p - *a);
	}
	*pp = p;
	return 1;
}

/* The first argument that is not a switch (switches \l \o \t take one); local: \l came first. */
static int
fld_target(const char *p, const char *end, const char **a, size_t *n, int *local)
{
	const char *x;
	size_t xn;

	*local = 0;
	while (fld_arg(&p, end, &x, &xn)) {
		if (xn >= 2 && x[0] == '\\') {
			if (x[1] == 'l' || x[1] == 'o' || x[1] == 't') {
				if (x[1] == 'l')
					*local = 1;
				fld_arg(&p, end, &x, &xn);   /* the switch's argument */
			}
			continue;
		}
		*a = x;
		*n = xn;
		return 1;
	}
	return 0;
}

/* A field instruction ended (RTF 1.9.1 "Fields"; Word field codes). */
static void
field_instruction(struct rtf *s)
{
	const char *p = s->text.p ? s->text.p : "", *end = p + s->text.len, *w, *a;
	size_t wn, an;
	int local;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	w = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '"')
		p++;
	wn = (size_t)(p - w);
	if (wn == 9 && ascii_ncaseeq(w, "HYPERLINK", 9)) {
		s->nhyperlinks++;
		if (fld_target(p, end, &a, &an, &local) && !local)
			add_url(s, a, an);
	} else if ((wn == 14 && ascii_ncaseeq(w, "INCLUDEPICTURE", 14)) ||
	    (wn == 11 && ascii_ncaseeq(w, "INCLUDETEXT", 11))) {
		if (fld_target(p, end, &a, &an, &local) && add_url(s, a, an))
			note(s, PN_OK, "field %.*s loads remote content: %.*s", (int)wn, w,
			    (int)PN_MIN(an, (size_t)200), a);
	} else if ((wn == 3 && ascii_ncaseeq(w, "DDE", 3)) ||
	    (wn == 7 && ascii_ncaseeq(w, "DDEAUTO", 7))) {
		s->ndde++;
		note(s, PN_OK, "DDE field: %.*s", (int)PN_MIN((size_t)(end - w), (size_t)200), w);
	}
}

/* ------------------------------------------------------------------ */
/* Objects ([MS-OLEDS] 2.2.4-2.2.6)                                     */

static void
object_open(struct rtf *s)
{
	struct obj *o = &s->o;

	pn_buf_release(&o->data);
	memset(o, 0, sizeof(*o));
	o->open = 1;
	o->nibble = -1;
	pn_buf_init(&o->data, PN_RTF_MAX_OBJDATA);
	s->nobjects++;
}

/* LengthPrefixedAnsiString (2.1.4): u32 length with the NUL, then the bytes. */
static int
lpstr(struct pn_rd *r, char *out, size_t cap)
{
	const uint8_t *b;
	uint32_t n;
	size_t k;

	if (pn_rd_le32(r, &n) != PN_OK || pn_rd_bytes(r, n, &b) != PN_OK)
		return PN_EFORMAT;
	for (k = 0; k < n && k + 1 < cap && b[k] != '\0'; k++)
		out[k] = (b[k] >= 0x20 && b[k] < 0x7f) ? (char)b[k] : '?';
	out[k] = '\0';
	return PN_OK;
}

/* A NUL-terminated string at r, at most cap-1 bytes kept. */
static int
zstr(struct pn_rd *r, char *out, size_t cap)
{
	size_t k = 0;
	uint8_t c;

	for (;;) {
		if (pn_rd_u8(r, &c) != PN_OK)
			return PN_EFORMAT;
		if (c == '\0')
			break;
		if (k + 1 < cap)
			out[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[k] = '\0';
	return PN_OK;
}

static const char *
magic_word(const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 'M' && b[1] == 'Z')
		return "pe";
	if (n >= 4 && memcmp(b, "\x7f" "ELF", 4) == 0)
		return "elf";
	if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
		return "pdf";
	if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
		return "zip";
	if (n >= 8 && memcmp(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
		return "ole";
	if (n >= 4 && memcmp(b, "{\\rt", 4) == 0)
		return "rtf";
	return NULL;
}

static void
add_hash(struct json_object *o, const uint8_t *b, size_t n)
{
	struct pn_hashes h;

	if (pn_hash_buf(n ? (const void *)b : "", n, PN_HASH_SHA256, &h) == PN_OK)
		json_object_object_add(o, "sha256", json_object_new_string(h.sha256));
}

/* Package native data (oletools oleobj layout): the embedded file. */
static struct json_object *
package_json(struct rtf *s, const uint8_t *b, size_t n)
{
	struct json_object *o = json_object_new_object();
	struct pn_rd r = pn_rd_make(b, n);
	char name[256], src[512], tmp[512];
	uint32_t u1, u2, size;
	uint16_t sig;
	const uint8_t *d;
	const char *m;

	if (pn_rd_le16(&r, &sig) != PN_OK || zstr(&r, name, sizeof(name)) != PN_OK) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "filename", json_object_new_string(name));
	if (zstr(&r, src, sizeof(src)) != PN_OK)
		return o;
	json_object_object_add(o, "source_path", json_object_new_string(src));
	if (pn_rd_le32(&r, &u1) != PN_OK || pn_rd_le32(&r, &u2) != PN_OK ||
	    zstr(&r, tmp, sizeof(tmp)) != PN_OK)
		return o;
	json_object_object_add(o, "temp_path", json_object_new_string(tmp));
	if (pn_rd_le32(&r, &size) != PN_OK)
		return o;
	json_object_object_add(o, "size", json_object_new_int64(size));
	if (pn_rd_bytes(&r, size, &d) != PN_OK) {
		json_object_object_add(o, "truncated", json_object_new_boolean(1));
		return o;
	}
	if ((m = magic_word(d, size)) != NULL)
		json_object_object_add(o, "type", json_object_new_string(m));
	add_hash(o, d, size);
	note(s, PN_OK, "package object embeds file \"%s\" (%u bytes)", name, size);
	return o;
}

static void
native_json(struct rtf *s, struct json_object *o, const char *cls, const uint8_t *b, size_t n, int complete)
{
	struct json_object *pk;
	const char *m;

	json_object_object_add(o, "native_size", json_object_new_int64((int64_t)n));
	if ((m = magic_word(b, n)) != NULL)
		json_object_object_add(o, "native_type", json_object_new_string(m));
	if (complete)
		add_hash(o, b, n);
	if (ascii_caseeq(cls, "Package") && (pk = package_json(s, b, n)) != NULL)
		json_object_object_add(o, "package", pk);
}

/* The OLE 1.0 object in the decoded data (ObjectHeader 2.2.4 and what follows). */
static void
ole1_json(struct rtf *s, struct json_object *o, size_t idx)
{
	struct obj *ob = &s->o;
	struct pn_rd r = pn_rd_make(ob->data.p ? ob->data.p : "", ob->data.len);
	char cls[PN_RTF_MAX_CLASS + 1], topic[PN_RTF_MAX_URL + 1], item[256];
	uint32_t ver, fmt, size;
	const uint8_t *native;
	int complete = ob->total == ob->data.len;

	if (pn_rd_le32(&r, &ver) != PN_OK || pn_rd_le32(&r, &fmt) != PN_OK)
		return;
	json_object_object_add(o, "ole_version", json_object_new_int64(ver));
	json_object_object_add(o, "ole_format", json_object_new_string(
	    fmt == 1 ? "linked" : fmt == 2 ? "embedded" : fmt == 5 ? "static" : "other"));
	if (fmt != 1 && fmt != 2)
		return;
	if (lpstr(&r, cls, sizeof(cls)) != PN_OK)
		goto bad;
	json_object_object_add(o, "ole_class", json_object_new_string(cls));
	if (lpstr(&r, topic, sizeof(topic)) != PN_OK || lpstr(&r, item, sizeof(item)) != PN_OK)
		goto bad;
	if (topic[0] != '\0')
		json_object_object_add(o, "topic", json_object_new_string(topic));
	if (item[0] != '\0')
		json_object_object_add(o, "item", json_object_new_string(item));
	if (fmt == 1) {
		/* a linked object's topic is the linked file: a URL is an edge */
		add_url(s, topic, strlen(topic));
		return;
	}
	if (pn_rd_le32(&r, &size) != PN_OK)
		goto bad;
	if (pn_rd_bytes(&r, size, &native) != PN_OK) {
		if (complete)
			note(s, PN_EFORMAT, "object %zu: native data size %u past the object data",
			    idx, size);
		native_json(s, o, cls, r.p, pn_rd_left(&r), 0);
		return;
	}
	native_json(s, o, cls, native, size, 1);
	return;
bad:
	note(s, PN_EFORMAT, "object %zu: truncated OLE 1.0 header", idx);
}

/* The object's group closed. */
static void
object_close(struct rtf *s)
{
	struct obj *o = &s->o;
	struct json_object *j;
	size_t idx = (size_t)s->nobjects - 1;

	if (!o->open)
		return;
	o->open = 0;
	o->cls[o->clen] = '\0';
	if (o->junk > 0) {
		s->objdata_junk += o->junk;
		note(s, PN_OK, "object %zu: %llu non-hex characters in \\objdata (obfuscation)",
		    idx, (unsigned long long)o->junk);
	}
	if (o->total > o->data.len)
		note(s, PN_ELIMIT, "object %zu: %llu bytes of data, %u kept", idx,
		    (unsigned long long)o->total, PN_RTF_MAX_OBJDATA);
	if (ascii_ncaseeq(o->cls, "Equation.", 9))
		note(s, PN_OK, "object %zu: Equation Editor object (%s), the target of "
		    "CVE-2017-11882 and CVE-2018-0802", idx, o->cls);
	if (ascii_caseeq(o->cls, "OLE2Link"))
		note(s, PN_OK, "object %zu: OLE2Link object (CVE-2017-0199 loads remote "
		    "content through it)", idx);
	if (json_object_array_length(s->objects) < PN_RTF_MAX_OBJECTS) {
		j = json_object_new_object();
		if (o->type != NULL)
			json_object_object_add(j, "type", json_object_new_string(o->type));
		if (o->clen > 0)
			json_object_object_add(j, "class", json_object_new_string(o->cls));
		json_object_object_add(j, "data_size", json_object_new_int64((int64_t)o->total));
		if (o->update)
			json_object_object_add(j, "objupdate", json_object_new_boolean(1));
		ole1_json(s, j, idx);
		json_object_array_add(s->objects, j);
	}
	pn_buf_release(&o->data);
}

/* ------------------------------------------------------------------ */
/* Groups                                                              */

static void
group_open(struct rtf *s)
{
	struct frame *parent = top(s), f;

	s->groups++;
	s->depth++;
	if (s->depth > s->max_depth)
		s->max_depth = s->depth;
	if (s->depth > PN_RTF_MAX_DEPTH)
		return;
	f = *parent;
	if (s->depth == 1) {
		f.dest = D_NORMAL;
		f.uc = 1;
	}
	f.owner = f.obj = f.star = 0;
	s->st[s->depth - 1] = f;
}

static void
time_close(struct rtf *s, int idx)
{
	char t[40];

	if (s->tm[0] <= 0)
		return;
	snprintf(t, sizeof(t), "%04d-%02d-%02d %02d:%02d:%02d", s->tm[0] % 10000,
	    s->tm[1] % 100, s->tm[2] % 100, s->tm[3] % 100, s->tm[4] % 100, s->tm[5] % 100);
	json_object_object_add(s->docprops, times[idx].name, json_object_new_string(t));
}

/* A destination opened by this group ends: use its text. */
static void
dest_close(struct rtf *s, const struct frame *f)
{
	char *t;

	switch (f->dest) {
	case D_PROP:
		t = utf8_clean(s->text.p ? s->text.p : "", s->text.len);
		json_object_object_add(s->docprops, props[f->idx].name, json_object_new_string(t));
		free(t);
		break;
	case D_TIME:
		time_close(s, f->idx);
		break;
	case D_FLDINST:
		field_instruction(s);
		break;
	case D_TEMPLATE:
		s->ntemplate++;
		if (s->text.len > 0 && add_url(s, s->text.p, s->text.len)) {
			pn_parse_tag(s->p, "remote-template");
			note(s, PN_OK, "\\template loads a remote template: %.200s", s->text.p);
		}
		break;
	}
	pn_buf_reset(&s->text);
}

static void
group_close(struct rtf *s)
{
	struct frame f;

	if (s->depth == 0) {
		s->extra_close++;
		return;
	}
	s->depth--;
	if (s->depth >= PN_RTF_MAX_DEPTH)
		return;
	f = s->st[s->depth];
	s->skip_uc = 0;
	if (f.owner)
		dest_close(s, &f);
	if (f.obj)
		object_close(s);
	if (s->depth == 0 && !s->ended)
		s->ended = 1;
}

/* ------------------------------------------------------------------ */
/* Control words                                                       */

static int
word_id(const uint8_t *w, size_t n)
{
	size_t lo = 0, hi = W_N;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2, ml = strlen(words[mid]);
		int c = memcmp(w, words[mid], PN_MIN(n, ml));
		if (c == 0)
			c = n < ml ? -1 : n > ml;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* Open a destination in the current group. */
static void
dest_open(struct rtf *s, struct frame *f, int dest, int idx)
{
	if (f->dest == D_SKIP)
		return;
	f->dest = (uint8_t)dest;
	f->idx = (uint8_t)idx;
	f->owner = 1;
	pn_buf_reset(&s->text);
	memset(s->tm, 0, sizeof(s->tm));
}

/* \object, or object data without one: a new object owned by this group. */
static void
object_start(struct rtf *s, struct frame *f)
{
	object_close(s);   /* an object left open by broken nesting */
	object_open(s);
	f->obj = 1;
}

static int
table_find(int id, const struct wname *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].word == id)
			return (int)i;
	return -1;
}

/* \binN: N raw bytes follow the word (after its space). */
static void
binary(struct rtf *s, struct pn_rd *r, int has, int64_t n)
{
	size_t k, i;

	s->bins++;
	if (!has || n <= 0)
		return;
	k = (uint64_t)n > pn_rd_left(r) ? pn_rd_left(r) : (size_t)n;
	if (top(s)->dest == D_OBJDATA && s->o.open)
		for (i = 0; i < k; i++)
			objdata_byte(s, r->p[i]);
	r->p += k;
}

static void
info_number(struct rtf *s, int id, int64_t v)
{
	int i = table_find(id, numbers, PN_ARRAY_LEN(numbers));

	if (i >= 0)
		json_object_object_add(s->docprops, numbers[i].name, json_object_new_int64(v));
}

/* A control word with its parameter (has: a parameter was given). */
static void
control_word(struct rtf *s, struct pn_rd *r, int id, int has, int64_t v)
{
	struct frame *f = top(s);
	int i, star = f->star;

	f->star = 0;
	if (id == W_BIN) {
		binary(s, r, has, v);
		return;
	}
	if (f->dest == D_SKIP)
		return;
	if (id < 0) {
		if (star)
			f->dest = D_SKIP;   /* an optional destination we do not know */
		return;
	}
	if ((i = table_find(id, props, PN_ARRAY_LEN(props))) >= 0) {
		dest_open(s, f, D_PROP, i);
		return;
	}
	if ((i = table_find(id, times, PN_ARRAY_LEN(times))) >= 0) {
		dest_open(s, f, D_TIME, i);
		return;
	}
	if ((i = table_find(id, objtypes, PN_ARRAY_LEN(objtypes))) >= 0) {
		if (s->o.open)
			s->o.type = objtypes[i].name;
		if (id == W_OBJAUTLINK)
			s->nautlink++;
		return;
	}
	switch (id) {
	case W_RTF:
		if (s->version < 0 && has)
			s->version = (int)PN_MIN(v, (int64_t)INT32_MAX);
		break;
	case W_ANSI: s->charset = "ansi"; break;
	case W_MAC: s->charset = "mac"; break;
	case W_PC: s->charset = "pc"; break;
	case W_PCA: s->charset = "pca"; break;
	case W_ANSICPG: if (has) s->ansicpg = v; break;
	case W_DEFLANG: if (has) s->deflang = v; break;
	case W_UC:
		if (has && v >= 0)
			f->uc = (uint8_t)PN_MIN(v, (int64_t)255);
		break;
	case W_U:
		if (!has)
			break;
		if (f->dest == D_PROP || f->dest == D_FLDINST || f->dest == D_TEMPLATE)
			text_cp(s, (uint32_t)(v < 0 ? v + 65536 : v) & 0xffff);
		s->skip_uc = f->uc;
		break;
	case W_INFO: dest_open(s, f, D_INFO, 0); break;
	case W_YR: case W_MO: case W_DY: case W_HR: case W_MIN: case W_SEC:
		if (f->dest == D_TIME && has) {
			static const int slot[] = { [W_YR] = 0, [W_MO] = 1, [W_DY] = 2,
				[W_HR] = 3, [W_MIN] = 4, [W_SEC] = 5 };
			s->tm[slot[id]] = (int)(v < 0 ? 0 : PN_MIN(v, (int64_t)99999));
		}
		break;
	case W_VERSION: case W_VERN: case W_EDMINS: case W_NOFPAGES:
	case W_NOFWORDS: case W_NOFCHARS: case W_NOFCHARSWS: case W_ID:
		if (f->dest == D_INFO && has)
			info_number(s, id, v);
		break;
	case W_OBJECT:
		object_start(s, f);
		dest_open(s, f, D_OBJECT, 0);
		break;
	case W_OBJCLASS:
		if (!s->o.open)
			object_start(s, f);
		dest_open(s, f, D_OBJCLASS, 0);
		s->o.clen = 0;
		break;
	case W_OBJDATA:
		if (!s->o.open)
			object_start(s, f);
		dest_open(s, f, D_OBJDATA, 0);
		break;
	case W_OBJUPDATE:
		s->nupdate++;
		if (s->o.open)
			s->o.update = 1;
		break;
	case W_OBJNAME:
		dest_open(s, f, D_NORMAL, 0);
		break;
	case W_RESULT: case W_FLDRSLT: case W_SHPPICT: case W_NONSHPPICT:
		dest_open(s, f, D_NORMAL, 0);
		break;
	case W_PICT:
		s->npict++;
		dest_open(s, f, D_PICT, 0);
		break;
	case W_FIELD:
		s->nfields++;
		break;
	case W_FLDINST:
		dest_open(s, f, D_FLDINST, 0);
		break;
	case W_TEMPLATE:
		dest_open(s, f, D_TEMPLATE, 0);
		break;
	}
}

/* r just past '\\'. */
static void
control(struct rtf *s, struct pn_rd *r)
{
	uint8_t w[PN_RTF_MAX_WORD];
	size_t n = 0, nd = 0;
	int64_t v = 0;
	int neg = 0, c;

	if (r->p >= r->end)
		return;
	c = *r->p;
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
		r->p++;
		if (c == '\'') {
			int h1 = pn_rd_left(r) >= 2 ? hexval(r->p[0]) : -1;
			int h2 = pn_rd_left(r) >= 2 ? hexval(r->p[1]) : -1;
			if (h1 >= 0 && h2 >= 0) {
				r->p += 2;
				text_byte(s, (uint8_t)(h1 << 4 | h2), 1);
			}
		} else if (c == '*') {
			top(s)->star = 1;
		} else if (c == '\\' || c == '{' || c == '}') {
			text_byte(s, (uint8_t)c, 0);
		} else if (c == '~') {
			text_byte(s, ' ', 0);
		}
		return;
	}
	s->words++;
	while (r->p < r->end && ((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z'))) {
		if (n < sizeof(w))
			w[n] = *r->p;
		n++;
		r->p++;
	}
	if (n > PN_RTF_MAX_WORD && s->long_words++ == 0)
		note(s, PN_EFORMAT, "control word of %zu letters (the spec allows %d)", n, PN_RTF_MAX_WORD);
	if (r->p < r->end && *r->p == '-' && pn_rd_left(r) >= 2 && r->p[1] >= '0' && r->p[1] <= '9') {
		neg = 1;
		r->p++;
	}
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (v < INT32_MAX)
			v = v * 10 + (*r->p - '0');
		nd++;
		r->p++;
	}
	if (v > INT32_MAX)
		v = INT32_MAX;
	if (nd > PN_RTF_MAX_PARAM && s->long_params++ == 0)
		note(s, PN_EFORMAT, "control word parameter of %zu digits", nd);
	if (r->p < r->end && *r->p == ' ')
		r->p++;   /* the delimiting space belongs to the word */
	control_word(s, r, n > PN_RTF_MAX_WORD ? -1 : word_id(w, n), nd > 0, neg ? -v : v);
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

static int
rtf_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	return data != NULL && size >= 4 && memcmp(data, "{\\rt", 4) == 0 ? 100 : 0;
}

static void
scan(struct rtf *s, struct pn_rd *r)
{
	while (r->p < r->end) {
		uint8_t c = *r->p++;
		if (s->ended && c != '{' && c != '}' &&
		    !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0)) {
			s->trailing++;
			if (c != '\\')
				continue;
		}
		switch (c) {
		case '{':
			group_open(s);
			break;
		case '}':
			group_close(s);
			break;
		case '\\':
			control(s, r);
			break;
		case '\r':
		case '\n':
			break;
		default:
			text_byte(s, c, 0);
		}
	}
	s->unclosed = s->depth;
	while (s->depth > 0)
		group_close(s);   /* close what is open, so its text is used */
}

static void
put_int(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v));
}

static void
emit(struct rtf *s)
{
	struct json_object *o = json_object_new_object();

	if (s->version >= 0)
		put_int(o, "rtf_version", (uint64_t)s->version);
	if (s->charset != NULL)
		json_object_object_add(o, "charset", json_object_new_string(s->charset));
	if (s->ansicpg >= 0)
		put_int(o, "ansicpg", (uint64_t)s->ansicpg);
	if (s->deflang >= 0)
		put_int(o, "deflang", (uint64_t)s->deflang);
	json_object_object_add(o, "document_properties", json_object_get(s->docprops));
	put_int(o, "num_groups", s->groups);
	put_int(o, "max_depth", s->max_depth);
	put_int(o, "num_control_words", s->words);
	put_int(o, "num_objects", s->nobjects);
	json_object_object_add(o, "objects", json_object_get(s->objects));
	put_int(o, "num_objupdate", s->nupdate);
	put_int(o, "num_objautlink", s->nautlink);
	put_int(o, "num_pictures", s->npict);
	put_int(o, "num_bin", s->bins);
	put_int(o, "num_fields", s->nfields);
	put_int(o, "num_hyperlinks", s->nhyperlinks);
	put_int(o, "num_dde", s->ndde);
	put_int(o, "num_urls", s->nurls);
	put_int(o, "unclosed_groups", s->unclosed);
	put_int(o, "extra_closing_braces", s->extra_close);
	put_int(o, "long_control_words", s->long_words);
	put_int(o, "long_parameters", s->long_params);
	put_int(o, "trailing_bytes", s->trailing);
	json_object_object_add(s->p->attrs, "rtf_info", o);
}

static void
verdicts(struct rtf *s, const uint8_t *data, size_t size)
{
	char hdr[9];
	size_t i;

	for (i = 0; i < 8 && i < size; i++)
		hdr[i] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
	hdr[i] = '\0';
	if (size < 6 || memcmp(data, "{\\rtf1", 6) != 0)
		note(s, PN_OK, "non-standard header \"%s\" (Word only checks \"{\\rt\")", hdr);
	if (s->unclosed > 0)
		note(s, PN_EFORMAT, "%llu groups not closed at the end", (unsigned long long)s->unclosed);
	if (s->extra_close > 0)
		note(s, PN_EFORMAT, "%llu closing braces without a group",
		    (unsigned long long)s->extra_close);
	if (s->max_depth > PN_RTF_DEEP_NESTING)
		note(s, PN_OK, "groups nested %zu deep", s->max_depth);
	if (s->trailing > 0)
		note(s, PN_OK, "%llu bytes after the end of the document", (unsigned long long)s->trailing);
	if (s->nupdate > 0)
		note(s, PN_OK, "\\objupdate: %llu objects update themselves when the document opens",
		    (unsigned long long)s->nupdate);
	if (s->nautlink > 0)
		note(s, PN_OK, "\\objautlink: %llu automatically updated links",
		    (unsigned long long)s->nautlink);
	if (s->nobjects > 0)
		pn_parse_tag(s->p, "ole-object");
	if (s->nupdate > 0)
		pn_parse_tag(s->p, "objupdate");
	if (s->objdata_junk > 0 || s->max_depth > PN_RTF_DEEP_NESTING || s->long_words > 0)
		pn_parse_tag(s->p, "obfuscated");
}

static int
rtf_parse(struct pn_parse *p)
{
	struct rtf *s = pn_xcalloc(1, sizeof(*s));
	struct pn_rd r = pn_rd_make(p->data, p->size);
	int rc;

	s->p = p;
	s->version = -1;
	s->ansicpg = s->deflang = -1;
	s->outer.dest = D_NORMAL;
	s->outer.uc = 1;
	pn_buf_init(&s->text, PN_RTF_MAX_FLDINST > PN_RTF_MAX_PROP ? PN_RTF_MAX_FLDINST : PN_RTF_MAX_PROP);
	s->docprops = json_object_new_object();
	s->objects = json_object_new_array();
	if (p->size == 0 || p->data == NULL) {
		rc = PN_EFORMAT;
		goto out;
	}
	scan(s, &r);
	object_close(s);
	verdicts(s, p->data, p->size);
	emit(s);
	rc = s->rc;
out:
	pn_buf_release(&s->text);
	pn_buf_release(&s->o.data);
	json_object_put(s->docprops);
	json_object_put(s->objects);
	free(s);
	return rc;
}

const struct pn_parser pn_parser_rtf = {
	"rtf",
	rtf_bid,
	rtf_parse,
};
