/*
 * ooxml.c - the "ooxml" parser: Office Open XML packages (.docx/.docm,
 * .xlsx/.xlsm, .pptx/.pptm, templates and add-ins) read through
 * zipread.h, producing the openxml_info attribute:
 *
 *   content_types        Default extensions of [Content_Types].xml (as VT)
 *   main_content_type    the content type of the main part
 *   file_type            "docx", "xlsx" or "pptx" (VT's family names)
 *   rels                 targets of the package relationships (_rels/.rels)
 *   docprops_core        leaf elements of docProps/core.xml ("dc:creator", ...)
 *   docprops_app         leaf elements of docProps/app.xml ("Application", ...)
 *   ole                  {macros, num_macros} from vbaProject.bin (vba.h)
 *   external_relationships  [{source, id, type, target}] of every
 *                        TargetMode="External" relationship (remote
 *                        templates, OLE links, frames, hyperlinks)
 *   embeddings           [{name, size, ole: {...}}] parts in an "embeddings" folder
 *   macrosheets          Excel 4.0 macro sheet parts
 *   parts                [{name, size, compressed_size}] (capped)
 *
 * URLs among external targets become embedded_urls edges (also the http
 * URL inside an "mhtml:" target); VBA modules give the tag "macros" (also
 * Excel 4.0 macro sheets) and their properties/patterns as tags.
 *
 * XML is read by a small tolerant scanner (no DTDs, no namespaces
 * resolved: prefixes are kept as written), which only produces start/end
 * tags with decoded attributes and text; anything it does not understand
 * is skipped up to the next '>'.
 *
 * Limits: PN_OOXML_* below, zipread.h (entries, ratio, total inflated),
 * vba.h, ole.h.
 * Errors: PN_EFORMAT (damaged zip, XML or VBA: partial details, notes),
 * PN_ELIMIT (a limit cut something short).
 * Spec: ECMA-376 Part 2 (OPC: 10.1.2 content types, 9.3 relationships,
 * 11 core properties), Part 1 22.2 (extended properties); [MS-OFFMACRO2]
 * 2.2.1.4 (vbaProject part); [MS-OVBA].
 * See also: zipread.h, vba.h, docs/internals/office.md,
 * tests/unit/test_ooxml.c, tests/fuzz/fuzz_ooxml.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "parser.h"
#include "zipread.h"
#include "ole.h"
#include "vba.h"
#include "buf.h"
#include "utf8.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define PN_OOXML_MAX_XML         (8u << 20)   /* bytes of one XML part read */
#define PN_OOXML_MAX_RELS_PARTS  512          /* .rels parts scanned */
#define PN_OOXML_MAX_EXT_RELS    256          /* external relationships listed */
#define PN_OOXML_MAX_PKG_RELS    64           /* package relationship targets listed */
#define PN_OOXML_MAX_PARTS       256          /* parts listed */
#define PN_OOXML_MAX_PROPS       128          /* docProps fields kept per part */
#define PN_OOXML_MAX_VALUE       1024         /* bytes of one value kept */
#define PN_OOXML_MAX_TYPES       512          /* content types kept */
#define PN_OOXML_MAX_VBA         (32u << 20)  /* bytes of a vbaProject.bin read */
#define PN_OOXML_MAX_VBA_PARTS   4            /* vbaProject parts parsed */
#define PN_OOXML_MAX_EMBED       (16u << 20)  /* bytes of an embedded object read */
#define PN_OOXML_MAX_EMBEDDINGS  64           /* embedded objects listed */
#define PN_OOXML_MAX_ATTRS       32           /* attributes decoded per tag */

#define CT_VBA "application/vnd.ms-office.vbaProject"

/* ASCII case-insensitive comparisons (OPC part names fold ASCII only). */
static int
ci_cmp(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
	} while (x == y && x != 0);
	return x - y;
}

static int
ci_ncmp(const char *a, const char *b, size_t n)
{
	unsigned char x = 0, y = 0;

	while (n-- > 0) {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y || x == 0)
			break;
	}
	return x - y;
}

static int
ci_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && ci_cmp(s + n - m, suffix) == 0;
}

/* ------------------------------------------------------------------ */
/* XML scanner                                                         */

enum { XML_START, XML_END, XML_TEXT };

struct xml_attr {
	const char *name;      /* qualified name as written (not NUL-terminated) */
	size_t nlen;
	char *value;           /* decoded, NUL-terminated */
};

struct xml_ev {
	int type;
	const char *name;      /* element name as written (START, END) */
	size_t nlen;
	int empty;             /* START: <x/> */
	struct xml_attr attrs[PN_OOXML_MAX_ATTRS];
	unsigned nattrs;
	const char *text;      /* TEXT: raw bytes (entities not decoded) */
	size_t tlen;
	int cdata;             /* TEXT: from a CDATA section */
};

typedef void (*xml_cb)(void *ctx, const struct xml_ev *ev);

static int
xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
xml_namechar(char c)
{
	return !xml_space(c) && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' && c != '\'';
}

static void
put_cp(struct pn_buf *b, unsigned long cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		pn_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		pn_buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		pn_buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		pn_buf_append(b, u, 4);
	}
}

/* Append s[0..n) to b with the XML entities decoded (b's cap truncates). */
static void
xml_decode(struct pn_buf *b, const char *s, size_t n)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' }
	};
	size_t i = 0, k;

	while (i < n) {
		if (s[i] != '&') {
			if (pn_buf_putc(b, s[i++]) != PN_OK)
				return;
			continue;
		}
		for (k = 0; k < PN_ARRAY_LEN(ents); k++) {
			size_t el = strlen(ents[k].ent);
			if (i + 1 + el <= n && memcmp(s + i + 1, ents[k].ent, el) == 0)
				break;
		}
		if (k < PN_ARRAY_LEN(ents)) {
			pn_buf_putc(b, ents[k].c);
			i += 1 + strlen(ents[k].ent);
		} else if (i + 2 < n && s[i + 1] == '#') {
			size_t j = i + 2;
			int hex = s[j] == 'x' || s[j] == 'X';
			unsigned long cp = 0;
			unsigned digits = 0;
			j += (size_t)hex;
			for (; j < n && digits < 8; j++, digits++) {
				char c = s[j];
				int v = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				    hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
				if (v < 0)
					break;
				cp = cp * (hex ? 16 : 10) + (unsigned long)v;
			}
			if (digits > 0 && j < n && s[j] == ';') {
				put_cp(b, cp);
				i = j + 1;
			} else
				pn_buf_putc(b, s[i++]);
		} else
			pn_buf_putc(b, s[i++]);
	}
}

/* Position of needle in s[from..n), or n. */
static size_t
xml_find(const char *s, size_t n, size_t from, const char *needle)
{
	size_t l = strlen(needle), i;

	for (i = from; i + l <= n; i++)
		if (memcmp(s + i, needle, l) == 0)
			return i;
	return n;
}

/* Parse the attributes of a start tag s[i..end) (end at '>'). */
static void
xml_attrs(const char *s, size_t i, size_t end, struct xml_ev *ev)
{
	while (i < end) {
		size_t ns, ne, vs;
		char q;
		struct pn_buf b;
		while (i < end && xml_space(s[i]))
			i++;
		ns = i;
		while (i < end && xml_namechar(s[i]))
			i++;
		ne = i;
		while (i < end && xml_space(s[i]))
			i++;
		if (ne == ns || i >= end || s[i] != '=') {
			i = ne > ns ? i : i + 1;       /* junk: step over it */
			continue;
		}
		i++;
		while (i < end && xml_space(s[i]))
			i++;
		if (i >= end || (s[i] != '"' && s[i] != '\''))
			continue;
		q = s[i++];
		vs = i;
		while (i < end && s[i] != q)
			i++;
		if (ev->nattrs < PN_OOXML_MAX_ATTRS) {
			struct xml_attr *a = &ev->attrs[ev->nattrs++];
			pn_buf_init(&b, PN_OOXML_MAX_VALUE * 4);
			xml_decode(&b, s + vs, i - vs);
			a->name = s + ns;
			a->nlen = ne - ns;
			a->value = pn_buf_steal(&b, NULL);
		}
		i++;
	}
}

static void
xml_free_attrs(struct xml_ev *ev)
{
	unsigned k;

	for (k = 0; k < ev->nattrs; k++)
		free(ev->attrs[k].value);
	ev->nattrs = 0;
}

/* One tag at s[i] == '<'; returns the position after it. */
static size_t
xml_tag(const char *s, size_t n, size_t i, xml_cb cb, void *ctx, struct xml_ev *ev)
{
	size_t end, j;

	if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
		return PN_MIN(xml_find(s, n, i + 4, "-->") + 3, n);
	if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
		end = xml_find(s, n, i + 9, "]]>");
		memset(ev, 0, sizeof(*ev));
		ev->type = XML_TEXT;
		ev->text = s + i + 9;
		ev->tlen = end - (i + 9);
		ev->cdata = 1;
		cb(ctx, ev);
		return PN_MIN(end + 3, n);
	}
	if (n - i >= 2 && s[i + 1] == '?')
		return PN_MIN(xml_find(s, n, i + 2, "?>") + 2, n);
	for (end = i + 1; end < n && s[end] != '>'; end++)
		;
	if (end == n || s[i + 1] == '!')
		return PN_MIN(end + 1, n);
	memset(ev, 0, sizeof(*ev));
	j = i + 1;
	if (s[j] == '/') {
		ev->type = XML_END;
		j++;
	} else
		ev->type = XML_START;
	ev->name = s + j;
	while (j < end && xml_namechar(s[j]))
		j++;
	ev->nlen = (size_t)(s + j - ev->name);
	if (ev->nlen == 0)
		return end + 1;
	if (ev->type == XML_START) {
		ev->empty = s[end - 1] == '/';
		xml_attrs(s, j, ev->empty ? end - 1 : end, ev);
	}
	cb(ctx, ev);
	xml_free_attrs(ev);
	return end + 1;
}

static void
xml_scan(const uint8_t *data, size_t n, xml_cb cb, void *ctx)
{
	const char *s = (const char *)data;
	struct xml_ev *ev = pn_xmalloc(sizeof(*ev));
	size_t i = 0;

	while (i < n) {
		if (s[i] == '<') {
			i = xml_tag(s, n, i, cb, ctx, ev);
			continue;
		}
		{
			size_t j = i;
			while (j < n && s[j] != '<')
				j++;
			memset(ev, 0, sizeof(*ev));
			ev->type = XML_TEXT;
			ev->text = s + i;
			ev->tlen = j - i;
			cb(ctx, ev);
			i = j;
		}
	}
	free(ev);
}

/* Value of attribute name (compared on the local part when no prefix is given). */
static const char *
xml_attr(const struct xml_ev *ev, const char *name)
{
	size_t l = strlen(name);
	unsigned k;

	for (k = 0; k < ev->nattrs; k++)
		if (ev->attrs[k].nlen == l && memcmp(ev->attrs[k].name, name, l) == 0)
			return ev->attrs[k].value;
	return NULL;
}

/* Element local name (after any prefix) equals name? */
static int
xml_is(const struct xml_ev *ev, const char *name)
{
	size_t l = strlen(name), k;
	const char *p = ev->name;
	size_t n = ev->nlen;

	for (k = 0; k < ev->nlen; k++)
		if (ev->name[k] == ':') {
			p = ev->name + k + 1;
			n = ev->nlen - k - 1;
		}
	return n == l && memcmp(p, name, l) == 0;
}

/* ------------------------------------------------------------------ */
/* parser state                                                        */

struct ox {
	struct pn_parse *p;
	struct pn_zip z;
	struct json_object *info;
	int rc;
	/* content types */
	struct json_object *defaults;   /* array of extensions */
	char *main_type;                /* owned */
	char **vba_parts;               /* Override part names with CT_VBA */
	unsigned nvba_parts;
	unsigned ntypes;
};

static void
ox_rc(struct ox *o, int rc)
{
	if (rc == PN_ELIMIT && o->rc == PN_OK)
		o->rc = PN_ELIMIT;
	else if (rc != PN_OK && rc != PN_ELIMIT)
		o->rc = PN_EFORMAT;
}

/*
 * A clean UTF-8 copy (caller frees).  pn_utf8_clean() of 0 bytes returns
 * an unterminated buffer (lib/buf.c), hence the special case.
 */
static char *
clean(const char *s, size_t n)
{
	return n ? pn_utf8_clean(s, n) : pn_xstrdup("");
}

static void
str_add(struct json_object *o, const char *key, const char *s, size_t n)
{
	char *c = clean(s, PN_MIN(n, (size_t)PN_OOXML_MAX_VALUE));
	json_object_object_add(o, key, json_object_new_string(c));
	free(c);
}

static void
arr_add(struct json_object *a, const char *s)
{
	char *c = clean(s, PN_MIN(strlen(s), (size_t)PN_OOXML_MAX_VALUE));
	json_object_array_add(a, json_object_new_string(c));
	free(c);
}

/* Read part i (at most max bytes); notes what went wrong. */
static uint8_t *
read_part(struct ox *o, long i, size_t max, size_t *len)
{
	uint8_t *d;
	int rc;

	*len = 0;
	if (i < 0)
		return NULL;
	rc = pn_zip_read(&o->z, (size_t)i, max, &d, len);
	if (rc != PN_OK) {
		char name[200];
		pn_ole_utf8_cut(name, sizeof(name), o->z.entries[i].name);
		pn_parse_note(o->p, "ooxml: %s: %s", name,
		    rc == PN_ELIMIT ? "cut at a size or ratio limit" :
		    rc == PN_EPERM ? "encrypted" : rc == PN_EINVAL ? "unsupported compression" :
		    "damaged");
		ox_rc(o, rc == PN_EPERM || rc == PN_EINVAL ? PN_EFORMAT : rc);
	}
	return d;
}

/* ------------------------------------------------------------------ */
/* [Content_Types].xml                                                 */

static int
family_of(const char *ct, const char **fam)
{
	static const struct { const char *needle, *fam; } f[] = {
		{ "wordprocessingml", "docx" }, { "ms-word", "docx" },
		{ "spreadsheetml", "xlsx" }, { "ms-excel", "xlsx" },
		{ "presentationml", "pptx" }, { "ms-powerpoint", "pptx" },
	};
	size_t k;

	if (strstr(ct, ".main") == NULL)
		return 0;
	for (k = 0; k < PN_ARRAY_LEN(f); k++)
		if (strstr(ct, f[k].needle)) {
			*fam = f[k].fam;
			return 1;
		}
	return 0;
}

static void
ct_event(void *ctx, const struct xml_ev *ev)
{
	struct ox *o = ctx;
	const char *ext, *part, *ct;

	if (ev->type != XML_START || o->ntypes >= PN_OOXML_MAX_TYPES)
		return;
	if (xml_is(ev, "Default") && (ext = xml_attr(ev, "Extension")) != NULL) {
		o->ntypes++;
		arr_add(o->defaults, ext);
	} else if (xml_is(ev, "Override") && (part = xml_attr(ev, "PartName")) != NULL &&
	    (ct = xml_attr(ev, "ContentType")) != NULL) {
		const char *fam;
		o->ntypes++;
		if (o->main_type == NULL && family_of(ct, &fam))
			o->main_type = pn_xstrdup(ct);
		if (ci_cmp(ct, CT_VBA) == 0 && o->nvba_parts < PN_OOXML_MAX_VBA_PARTS) {
			o->vba_parts = pn_xrealloc(o->vba_parts, (o->nvba_parts + 1) * sizeof(char *));
			o->vba_parts[o->nvba_parts++] = pn_xstrdup(part);
		}
	}
}

static void
content_types(struct ox *o)
{
	size_t len;
	uint8_t *d = read_part(o, pn_zip_find(&o->z, "[Content_Types].xml"), PN_OOXML_MAX_XML, &len);
	const char *fam;

	o->defaults = json_object_new_array();
	xml_scan(d, len, ct_event, o);
	free(d);
	json_object_object_add(o->info, "content_types", o->defaults);
	if (o->main_type) {
		str_add(o->info, "main_content_type", o->main_type, strlen(o->main_type));
		if (family_of(o->main_type, &fam))
			json_object_object_add(o->info, "file_type", json_object_new_string(fam));
	}
}

/* ------------------------------------------------------------------ */
/* docProps: leaf elements                                             */

struct leaves {
	struct json_object *obj;
	const char *open;       /* name of the last start tag, inside the XML */
	size_t openlen;
	struct pn_buf text;
	unsigned count;
};

static void
leaf_event(void *ctx, const struct xml_ev *ev)
{
	struct leaves *l = ctx;
	char name[128];

	switch (ev->type) {
	case XML_START:
		l->open = ev->empty ? NULL : ev->name;
		l->openlen = ev->nlen;
		pn_buf_reset(&l->text);
		break;
	case XML_TEXT:
		if (l->open == NULL)
			break;
		if (ev->cdata)
			pn_buf_append(&l->text, ev->text, ev->tlen);
		else
			xml_decode(&l->text, ev->text, ev->tlen);
		break;
	case XML_END:
		if (l->open && ev->nlen == l->openlen && memcmp(ev->name, l->open, ev->nlen) == 0 &&
		    ev->nlen < sizeof(name) && l->count < PN_OOXML_MAX_PROPS) {
			memcpy(name, ev->name, ev->nlen);
			name[ev->nlen] = '\0';
			/* The first non-empty value of a name wins. */
			if (l->text.len > 0 && !json_object_object_get_ex(l->obj, name, NULL)) {
				char *c = clean(l->text.p, l->text.len);
				json_object_object_add(l->obj, name, json_object_new_string(c));
				free(c);
				l->count++;
			}
		}
		l->open = NULL;
		break;
	}
}

static void
docprops(struct ox *o, const char *part, const char *key)
{
	struct leaves l;
	size_t len;
	long i = pn_zip_find(&o->z, part);
	uint8_t *d;

	if (i < 0)
		return;
	d = read_part(o, i, PN_OOXML_MAX_XML, &len);
	memset(&l, 0, sizeof(l));
	l.obj = json_object_new_object();
	pn_buf_init(&l.text, PN_OOXML_MAX_VALUE);
	xml_scan(d, len, leaf_event, &l);
	pn_buf_release(&l.text);
	free(d);
	json_object_object_add(o->info, key, l.obj);
}

/* ------------------------------------------------------------------ */
/* relationships                                                       */

struct rels {
	struct ox *o;
	const char *source;           /* the part the .rels file describes */
	struct json_object *ext;      /* external_relationships */
	struct json_object *pkg;      /* rels (package targets), or NULL */
};

/* http(s)/ftp URLs inside a target (also after "mhtml:" and before "!"). */
static void
target_urls(struct pn_parse *p, const char *t)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://" };
	size_t n = strlen(t), i, k, j;

	for (i = 0; i < n; i++)
		for (k = 0; k < PN_ARRAY_LEN(schemes); k++) {
			size_t sl = strlen(schemes[k]);
			if (i + sl >= n || ci_ncmp(t + i, schemes[k], sl) != 0)
				continue;
			for (j = i + sl; j < n && t[j] != '!' && (unsigned char)t[j] > 0x20 &&
			    j - i < PN_VBA_MAX_URL; j++)
				;
			if (j > i + sl) {
				char *u = clean(t + i, j - i);
				pn_parse_edge(p, "embedded_urls", "url", u);
				free(u);
			}
			i = j;
			break;
		}
}

static void
rel_event(void *ctx, const struct xml_ev *ev)
{
	struct rels *r = ctx;
	const char *type, *target, *mode, *id, *shortt;
	struct json_object *e;

	if (ev->type != XML_START || !xml_is(ev, "Relationship"))
		return;
	type = xml_attr(ev, "Type");
	target = xml_attr(ev, "Target");
	mode = xml_attr(ev, "TargetMode");
	id = xml_attr(ev, "Id");
	if (target == NULL)
		return;
	if (r->pkg && json_object_array_length(r->pkg) < PN_OOXML_MAX_PKG_RELS)
		arr_add(r->pkg, target[0] == '/' ? target + 1 : target);
	if (mode == NULL || ci_cmp(mode, "External") != 0)
		return;
	target_urls(r->o->p, target);
	if (json_object_array_length(r->ext) >= PN_OOXML_MAX_EXT_RELS) {
		ox_rc(r->o, PN_ELIMIT);
		return;
	}
	shortt = type ? strrchr(type, '/') : NULL;
	shortt = shortt ? shortt + 1 : type ? type : "";
	e = json_object_new_object();
	str_add(e, "source", r->source, strlen(r->source));
	if (id)
		str_add(e, "id", id, strlen(id));
	str_add(e, "type", shortt, strlen(shortt));
	str_add(e, "target", target, strlen(target));
	json_object_array_add(r->ext, e);
}

/* "word/_rels/document.xml.rels" -> "word/document.xml"; "_rels/.rels" -> "". */
static void
rels_source(const char *path, char *out, size_t outlen)
{
	const char *r = NULL, *s;
	size_t dl, fl;

	for (s = path; (s = strstr(s, "_rels/")) != NULL; s++)
		r = s;
	if (r == NULL || (r != path && r[-1] != '/')) {
		pn_strlcpy(out, path, outlen);
		return;
	}
	dl = (size_t)(r - path);
	fl = strlen(r + 6);
	fl = fl >= 5 ? fl - 5 : 0;              /* drop ".rels" */
	snprintf(out, outlen, "%.*s%.*s", (int)dl, path, (int)fl, r + 6);
}

static void
relationships(struct ox *o)
{
	struct json_object *ext = json_object_new_array(), *pkg = json_object_new_array();
	char source[1024];
	size_t i, scanned = 0;

	for (i = 0; i < o->z.count; i++) {
		const char *name = o->z.entries[i].name;
		struct rels r;
		uint8_t *d;
		size_t len;
		if (!ci_ends(name, ".rels"))
			continue;
		if (scanned++ >= PN_OOXML_MAX_RELS_PARTS) {
			ox_rc(o, PN_ELIMIT);
			break;
		}
		d = read_part(o, (long)i, PN_OOXML_MAX_XML, &len);
		rels_source(name, source, sizeof(source));
		r.o = o;
		r.source = source;
		r.ext = ext;
		r.pkg = ci_cmp(name[0] == '/' ? name + 1 : name, "_rels/.rels") == 0 ? pkg : NULL;
		xml_scan(d, len, rel_event, &r);
		free(d);
	}
	json_object_object_add(o->info, "rels", pkg);
	if (json_object_array_length(ext) > 0)
		json_object_object_add(o->info, "external_relationships", ext);
	else
		json_object_put(ext);
}

/* ------------------------------------------------------------------ */
/* VBA projects, embeddings, parts                                     */

static int
is_vba_part(const struct ox *o, const char *name)
{
	const char *base = strrchr(name, '/');
	unsigned k;

	base = base ? base + 1 : name;
	if (ci_cmp(base, "vbaProject.bin") == 0)
		return 1;
	for (k = 0; k < o->nvba_parts; k++) {
		const char *v = o->vba_parts[k][0] == '/' ? o->vba_parts[k] + 1 : o->vba_parts[k];
		if (ci_cmp(v, name[0] == '/' ? name + 1 : name) == 0)
			return 1;
	}
	return 0;
}

static void
vba_projects(struct ox *o)
{
	struct json_object *macros = json_object_new_array();
	struct pn_vba_stats vs;
	size_t i;
	unsigned parsed = 0;

	memset(&vs, 0, sizeof(vs));
	for (i = 0; i < o->z.count && parsed < PN_OOXML_MAX_VBA_PARTS; i++) {
		const char *name = o->z.entries[i].name;
		char shortn[200];
		struct pn_ole *ole;
		uint8_t *d;
		size_t len;
		unsigned k;
		if (!is_vba_part(o, name))
			continue;
		parsed++;
		pn_ole_utf8_cut(shortn, sizeof(shortn), name);
		d = read_part(o, (long)i, PN_OOXML_MAX_VBA, &len);
		if (pn_ole_open(d, len, &ole) != PN_OK) {
			pn_parse_note(o->p, "ooxml: %s is not an OLE compound file", shortn);
			ox_rc(o, PN_EFORMAT);
			free(d);
			continue;
		}
		ox_rc(o, pn_vba_extract(ole, name, macros, &vs, o->p));
		for (k = 0; k < pn_ole_notes(ole); k++)
			pn_parse_note(o->p, "ooxml: %s: %s", shortn, pn_ole_note(ole, k));
		if (pn_ole_notes(ole) > 0)
			ox_rc(o, PN_EFORMAT);
		pn_ole_free(ole);
		free(d);
	}
	if (vs.projects == 0 && parsed == 0) {
		json_object_put(macros);
		return;
	}
	{
		struct json_object *ole = json_object_new_object();
		json_object_object_add(ole, "macros", macros);
		json_object_object_add(ole, "num_macros", json_object_new_int((int)vs.modules));
		json_object_object_add(o->info, "ole", ole);
	}
	if (vs.modules > 0)
		pn_parse_tag(o->p, "macros");
}

static void
embedding(struct ox *o, size_t i, struct json_object *arr)
{
	const struct pn_zip_entry *e = &o->z.entries[i];
	struct json_object *obj = json_object_new_object();
	struct pn_ole *ole;
	uint8_t *d;
	size_t len;

	str_add(obj, "name", e->name, strlen(e->name));
	json_object_object_add(obj, "size", json_object_new_int64((int64_t)PN_MIN(e->usize, (uint64_t)INT64_MAX)));
	d = read_part(o, (long)i, PN_OOXML_MAX_EMBED, &len);
	if (len >= 8 && pn_ole_open(d, len, &ole) == PN_OK) {
		struct json_object *info = json_object_new_object();
		ox_rc(o, pn_ole_describe(ole, info, o->p));
		json_object_object_add(obj, "ole", info);
		pn_ole_free(ole);
	} else if (len >= 4 && memcmp(d, "PK\003\004", 4) == 0)
		json_object_object_add(obj, "type", json_object_new_string("zip"));
	free(d);
	json_object_array_add(arr, obj);
}

static void
parts(struct ox *o)
{
	struct json_object *list = json_object_new_array(), *emb = json_object_new_array();
	struct json_object *xlm = json_object_new_array();
	size_t i;

	for (i = 0; i < o->z.count; i++) {
		const struct pn_zip_entry *e = &o->z.entries[i];
		if (json_object_array_length(list) < PN_OOXML_MAX_PARTS) {
			struct json_object *p = json_object_new_object();
			str_add(p, "name", e->name, strlen(e->name));
			json_object_object_add(p, "size", json_object_new_int64((int64_t)PN_MIN(e->usize, (uint64_t)INT64_MAX)));
			json_object_object_add(p, "compressed_size",
			    json_object_new_int64((int64_t)PN_MIN(e->csize, (uint64_t)INT64_MAX)));
			json_object_array_add(list, p);
		}
		if (strstr(e->name, "/embeddings/") && json_object_array_length(emb) < PN_OOXML_MAX_EMBEDDINGS)
			embedding(o, i, emb);
		if (ci_ncmp(e->name, "xl/macrosheets/", 15) == 0 && ci_ends(e->name, ".xml") &&
		    json_object_array_length(xlm) < PN_OOXML_MAX_PARTS)
			arr_add(xlm, e->name);
	}
	json_object_object_add(o->info, "parts", list);
	if (o->z.count > PN_OOXML_MAX_PARTS)
		json_object_object_add(o->info, "parts_truncated", json_object_new_boolean(1));
	if (json_object_array_length(emb) > 0)
		json_object_object_add(o->info, "embeddings", emb);
	else
		json_object_put(emb);
	if (json_object_array_length(xlm) > 0) {
		json_object_object_add(o->info, "macrosheets", xlm);
		pn_parse_tag(o->p, "macros");
	} else
		json_object_put(xlm);
}

/* ------------------------------------------------------------------ */
/* the parser                                                          */

static int
ooxml_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	if (size < 30 || memcmp(data, "PK\003\004", 4) != 0)
		return 0;
	return pn_zip_has(data, size, "[Content_Types].xml") ? 100 : 0;
}

static int
ooxml_parse(struct pn_parse *p)
{
	struct ox o;
	unsigned k;
	int zrc;

	memset(&o, 0, sizeof(o));
	o.p = p;
	zrc = pn_zip_open(p->data, p->size, &o.z);
	if (zrc == PN_EFORMAT && o.z.count == 0) {
		pn_parse_note(p, "ooxml: no readable zip central directory");
		pn_zip_close(&o.z);
		return PN_EFORMAT;
	}
	if (zrc == PN_ELIMIT)
		pn_parse_note(p, "ooxml: more than %d zip entries, the rest ignored", PN_ZIP_MAX_ENTRIES);
	else if (zrc != PN_OK)
		pn_parse_note(p, "ooxml: zip central directory damaged after %zu entries", o.z.count);
	ox_rc(&o, zrc);
	o.info = json_object_new_object();
	content_types(&o);
	relationships(&o);
	docprops(&o, "docProps/core.xml", "docprops_core");
	docprops(&o, "docProps/app.xml", "docprops_app");
	vba_projects(&o);
	parts(&o);
	json_object_object_add(p->attrs, "openxml_info", o.info);
	for (k = 0; k < o.nvba_parts; k++)
		free(o.vba_parts[k]);
	free(o.vba_parts);
	free(o.main_type);
	pn_zip_close(&o.z);
	return o.rc;
}

const struct pn_parser pn_parser_ooxml = { "ooxml", ooxml_bid, ooxml_parse };
