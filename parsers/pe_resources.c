/*
 * pe_resources.c - the resource tree of a PE image (type / name /
 * language), the digests and file types of the resources' data, and the
 * StringFileInfo strings and fixed file version of the first RT_VERSION
 * resource; also the names of resource types and of languages.
 *
 * The tree is walked depth first from the resource directory.  Every
 * subdirectory offset is recorded in a visited set, so a cycle (an entry
 * pointing back at an ancestor or at any directory seen before) is noted
 * and not followed; depth is capped at PN_PE_MAX_RESOURCE_DEPTH (a normal
 * tree has 3 levels: a leaf deeper than that keeps the ids of its first
 * three levels), entries visited at PN_PE_MAX_RESOURCE_ENTRIES, leaves
 * kept at PN_PE_MAX_RESOURCES.  Data entries give an RVA and a size: a
 * resource whose bytes are not all in the file is listed without digests.
 *
 * VS_VERSIONINFO is a tree of nodes {wLength, wValueLength, wType,
 * szKey, padding, Value, padding, Children}; it is walked with the same
 * care (every length checked against its parent's end, nodes counted).
 *
 * Limits: PN_PE_MAX_RESOURCES, _RESOURCE_ENTRIES, _RESOURCE_DEPTH,
 * _RESOURCE_DIRS, _RES_NAME, _VERSION_STRINGS, _VERSION_VALUE,
 * _VERSION_NODES.
 * Spec: PE/COFF rev 11 §6.9 (.rsrc section); VS_VERSIONINFO, StringFileInfo,
 * StringTable, String (Win32 "Version Information" reference); language
 * identifiers: [MS-LCID] primary language and sublanguage ids.
 * See also: pe.h, docs/internals/pe.md, tests/unit/test_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pe_int.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define RES_DIR_LEN    16
#define RES_ENTRY_LEN  8
#define RES_DATA_LEN   16
#define RT_VERSION     16

/* ------------------------------------------------------------ names */

static const char *const rt_names[] = {
	[1] = "RT_CURSOR", [2] = "RT_BITMAP", [3] = "RT_ICON", [4] = "RT_MENU",
	[5] = "RT_DIALOG", [6] = "RT_STRING", [7] = "RT_FONTDIR", [8] = "RT_FONT",
	[9] = "RT_ACCELERATOR", [10] = "RT_RCDATA", [11] = "RT_MESSAGETABLE",
	[12] = "RT_GROUP_CURSOR", [14] = "RT_GROUP_ICON", [16] = "RT_VERSION",
	[17] = "RT_DLGINCLUDE", [19] = "RT_PLUGPLAY", [20] = "RT_VXD", [21] = "RT_ANICURSOR",
	[22] = "RT_ANIICON", [23] = "RT_HTML", [24] = "RT_MANIFEST",
};

const char *
pn_pe_resource_type_name(uint32_t id)
{
	return id < PN_ARRAY_LEN(rt_names) ? rt_names[id] : NULL;
}

/* Primary language ids ([MS-LCID] / winnt.h LANG_*). */
static const struct {
	uint16_t id;
	const char *name;
} langs[] = {
	{ 0x00, "NEUTRAL" }, { 0x01, "ARABIC" }, { 0x02, "BULGARIAN" }, { 0x03, "CATALAN" },
	{ 0x04, "CHINESE" }, { 0x05, "CZECH" }, { 0x06, "DANISH" }, { 0x07, "GERMAN" },
	{ 0x08, "GREEK" }, { 0x09, "ENGLISH" }, { 0x0a, "SPANISH" }, { 0x0b, "FINNISH" },
	{ 0x0c, "FRENCH" }, { 0x0d, "HEBREW" }, { 0x0e, "HUNGARIAN" }, { 0x0f, "ICELANDIC" },
	{ 0x10, "ITALIAN" }, { 0x11, "JAPANESE" }, { 0x12, "KOREAN" }, { 0x13, "DUTCH" },
	{ 0x14, "NORWEGIAN" }, { 0x15, "POLISH" }, { 0x16, "PORTUGUESE" }, { 0x17, "ROMANSH" },
	{ 0x18, "ROMANIAN" }, { 0x19, "RUSSIAN" }, { 0x1a, "CROATIAN" }, { 0x1b, "SLOVAK" },
	{ 0x1c, "ALBANIAN" }, { 0x1d, "SWEDISH" }, { 0x1e, "THAI" }, { 0x1f, "TURKISH" },
	{ 0x20, "URDU" }, { 0x21, "INDONESIAN" }, { 0x22, "UKRAINIAN" }, { 0x23, "BELARUSIAN" },
	{ 0x24, "SLOVENIAN" }, { 0x25, "ESTONIAN" }, { 0x26, "LATVIAN" }, { 0x27, "LITHUANIAN" },
	{ 0x28, "TAJIK" }, { 0x29, "FARSI" }, { 0x2a, "VIETNAMESE" }, { 0x2b, "ARMENIAN" },
	{ 0x2c, "AZERI" }, { 0x2d, "BASQUE" }, { 0x2e, "SORBIAN" }, { 0x2f, "MACEDONIAN" },
	{ 0x32, "TSWANA" }, { 0x34, "XHOSA" }, { 0x35, "ZULU" }, { 0x36, "AFRIKAANS" },
	{ 0x37, "GEORGIAN" }, { 0x38, "FAEROESE" }, { 0x39, "HINDI" }, { 0x3a, "MALTESE" },
	{ 0x3b, "SAMI" }, { 0x3c, "IRISH" }, { 0x3e, "MALAY" }, { 0x3f, "KAZAK" },
	{ 0x40, "KYRGYZ" }, { 0x41, "SWAHILI" }, { 0x42, "TURKMEN" }, { 0x43, "UZBEK" },
	{ 0x44, "TATAR" }, { 0x45, "BENGALI" }, { 0x46, "PUNJABI" }, { 0x47, "GUJARATI" },
	{ 0x48, "ORIYA" }, { 0x49, "TAMIL" }, { 0x4a, "TELUGU" }, { 0x4b, "KANNADA" },
	{ 0x4c, "MALAYALAM" }, { 0x4d, "ASSAMESE" }, { 0x4e, "MARATHI" }, { 0x4f, "SANSKRIT" },
	{ 0x50, "MONGOLIAN" }, { 0x51, "TIBETAN" }, { 0x52, "WELSH" }, { 0x53, "KHMER" },
	{ 0x54, "LAO" }, { 0x56, "GALICIAN" }, { 0x57, "KONKANI" }, { 0x58, "MANIPURI" },
	{ 0x59, "SINDHI" }, { 0x5a, "SYRIAC" }, { 0x5b, "SINHALESE" }, { 0x5d, "INUKTITUT" },
	{ 0x5e, "AMHARIC" }, { 0x5f, "TAMAZIGHT" }, { 0x60, "KASHMIRI" }, { 0x61, "NEPALI" },
	{ 0x62, "FRISIAN" }, { 0x63, "PASHTO" }, { 0x64, "FILIPINO" }, { 0x65, "DIVEHI" },
	{ 0x68, "HAUSA" }, { 0x6a, "YORUBA" }, { 0x6b, "QUECHUA" }, { 0x6c, "SOTHO" },
	{ 0x6d, "BASHKIR" }, { 0x6e, "LUXEMBOURGISH" }, { 0x6f, "GREENLANDIC" }, { 0x70, "IGBO" },
	{ 0x78, "YI" }, { 0x7a, "MAPUDUNGUN" }, { 0x7c, "MOHAWK" }, { 0x7e, "BRETON" },
	{ 0x7f, "INVARIANT" }, { 0x80, "UIGHUR" }, { 0x81, "MAORI" }, { 0x82, "OCCITAN" },
	{ 0x83, "CORSICAN" }, { 0x84, "ALSATIAN" }, { 0x85, "YAKUT" }, { 0x86, "KICHE" },
	{ 0x87, "KINYARWANDA" }, { 0x88, "WOLOF" }, { 0x8c, "DARI" },
};

/*
 * Sublanguages with a name of their own (winnt.h SUBLANG_*).  "" means
 * the language's own name alone (SUBLANG_GERMAN is plain "GERMAN").
 */
static const struct {
	uint16_t lang, sub;
	const char *name;
} sublangs[] = {
	{ 0x09, 1, "US" }, { 0x09, 2, "UK" }, { 0x09, 3, "AUS" }, { 0x09, 4, "CAN" },
	{ 0x09, 5, "NZ" }, { 0x09, 6, "EIRE" }, { 0x09, 7, "SOUTH AFRICA" }, { 0x09, 8, "JAMAICA" },
	{ 0x09, 9, "CARIBBEAN" }, { 0x09, 10, "BELIZE" }, { 0x09, 11, "TRINIDAD" },
	{ 0x09, 12, "ZIMBABWE" }, { 0x09, 13, "PHILIPPINES" }, { 0x09, 16, "INDIA" },
	{ 0x09, 17, "MALAYSIA" }, { 0x09, 18, "SINGAPORE" },
	{ 0x04, 1, "TRADITIONAL" }, { 0x04, 2, "SIMPLIFIED" }, { 0x04, 3, "HONGKONG" },
	{ 0x04, 4, "SINGAPORE" }, { 0x04, 5, "MACAU" },
	{ 0x07, 1, "" }, { 0x07, 2, "SWISS" }, { 0x07, 3, "AUSTRIAN" }, { 0x07, 4, "LUXEMBOURG" },
	{ 0x07, 5, "LIECHTENSTEIN" },
	{ 0x0c, 1, "" }, { 0x0c, 2, "BELGIAN" }, { 0x0c, 3, "CANADIAN" }, { 0x0c, 4, "SWISS" },
	{ 0x0c, 5, "LUXEMBOURG" }, { 0x0c, 6, "MONACO" },
	{ 0x0a, 1, "" }, { 0x0a, 2, "MEXICAN" }, { 0x0a, 3, "MODERN" },
	{ 0x10, 1, "" }, { 0x10, 2, "SWISS" }, { 0x13, 1, "" }, { 0x13, 2, "BELGIAN" },
	{ 0x16, 1, "BRAZILIAN" }, { 0x16, 2, "" }, { 0x14, 1, "BOKMAL" }, { 0x14, 2, "NYNORSK" },
	{ 0x1d, 1, "" }, { 0x1d, 2, "FINLAND" }, { 0x12, 1, "" }, { 0x11, 1, "" },
	{ 0x01, 1, "SAUDI ARABIA" }, { 0x01, 5, "EGYPT" },
	{ 0x1a, 1, "" }, { 0x1a, 2, "SERBIAN LATIN" }, { 0x1a, 3, "SERBIAN CYRILLIC" },
};

const char *
pn_pe_lang_name(uint16_t lang, char *buf, size_t bufsize)
{
	uint16_t prim = lang & 0x3ff, sub = lang >> 10;
	const char *pname = NULL, *sname = NULL;
	size_t i;

	if (lang == 0)
		return "NEUTRAL";
	for (i = 0; i < PN_ARRAY_LEN(langs) && pname == NULL; i++)
		if (langs[i].id == prim)
			pname = langs[i].name;
	if (pname == NULL) {
		snprintf(buf, bufsize, "UNKNOWN 0x%04x", lang);
		return buf;
	}
	for (i = 0; i < PN_ARRAY_LEN(sublangs) && sname == NULL; i++)
		if (sublangs[i].lang == prim && sublangs[i].sub == sub)
			sname = sublangs[i].name;
	if (sname == NULL)
		sname = sub == 0 ? "NEUTRAL" : sub == 1 ? "DEFAULT" : sub == 2 ? "SYS DEFAULT" : NULL;
	if (sname == NULL)
		snprintf(buf, bufsize, "%s SUBLANG 0x%02x", pname, sub);
	else if (sname[0] == '\0')
		snprintf(buf, bufsize, "%s", pname);
	else
		snprintf(buf, bufsize, "%s %s", pname, sname);
	return buf;
}

/* ------------------------------------------------------------ UTF-16 */

/* UTF-16LE units at p (at most n units, up to a NUL) as a new UTF-8 string. */
static char *
utf16_to_utf8(const uint8_t *p, size_t n)
{
	char *out = pn_xmalloc(n * 3 + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		uint32_t u = pn_le16(p + 2 * i);
		if (u == 0)
			break;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < n) {
			uint32_t l = pn_le16(p + 2 * i + 2);
			if (l >= 0xdc00 && l < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
				i++;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		if (u < 0x80) {
			out[o++] = (char)u;
		} else if (u < 0x800) {
			out[o++] = (char)(0xc0 | u >> 6);
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			out[o++] = (char)(0xe0 | u >> 12);
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			/* 4 bytes from 2 units: still within n * 3 */
			out[o++] = (char)(0xf0 | u >> 18);
			out[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	out[o] = '\0';
	return out;
}

/* -------------------------------------------------------------- tree */

struct walk {
	struct pn_pe_ctx *c;
	uint32_t base;             /* RVA of the resource directory */
	uint32_t *visited;         /* directory offsets seen */
	size_t nvisited;
	size_t entries;            /* entries visited */
	int cut;                   /* a limit note was made */
};

/* The name of an entry (high bit: offset of a counted UTF-16 string). */
static char *
entry_name(struct walk *w, uint32_t name_field)
{
	struct pn_rd r;
	uint16_t len;

	if (pn_pe_rva(w->c, (uint64_t)w->base + (name_field & 0x7fffffffu), 2, 0, &r) != PN_OK ||
	    pn_rd_le16(&r, &len) != PN_OK) {
		pn_pe_note(w->c, "resources: name string outside the file");
		return pn_xstrdup("");
	}
	if (len > PN_PE_MAX_RES_NAME)
		len = PN_PE_MAX_RES_NAME;
	if (pn_pe_rva(w->c, (uint64_t)w->base + (name_field & 0x7fffffffu) + 2, 2ULL * len, 0, &r) != PN_OK)
		return pn_xstrdup("");
	return utf16_to_utf8(r.p, pn_rd_left(&r) / 2);
}

static void
add_leaf(struct walk *w, const uint32_t ids[3], char *const names[3], uint32_t data_off)
{
	struct pn_pe_ctx *c = w->c;
	struct pn_pe *pe = c->pe;
	struct pn_pe_resource *res;
	struct pn_rd r, d;
	uint64_t off;

	if (pe->nresources >= PN_PE_MAX_RESOURCES) {
		if (!w->cut)
			pn_pe_note_limit(c, "resources: more than %d", PN_PE_MAX_RESOURCES);
		w->cut = 1;
		return;
	}
	if (pn_pe_rva(c, (uint64_t)w->base + data_off, RES_DATA_LEN, 0, &r) != PN_OK ||
	    pn_rd_left(&r) < RES_DATA_LEN) {
		pn_pe_note(c, "resources: data entry outside the file");
		return;
	}
	if ((pe->nresources & (pe->nresources - 1)) == 0)  /* 0, 1, 2, 4, ...: double */
		pe->resources = pn_xrealloc(pe->resources, (pe->nresources ? 2 * pe->nresources : 1) *
		    sizeof(*pe->resources));
	res = &pe->resources[pe->nresources++];
	memset(res, 0, sizeof(*res));
	res->type_id = names[0] ? 0 : ids[0];
	res->type_name = names[0] ? pn_xstrdup(names[0]) : NULL;
	res->name_id = names[1] ? 0 : ids[1];
	res->name = names[1] ? pn_xstrdup(names[1]) : NULL;
	res->lang = (uint16_t)ids[2];
	pn_rd_le32(&r, &res->rva);
	pn_rd_le32(&r, &res->size);
	res->filetype = "Data";
	if (pn_pe_rva_off(c, res->rva, &off) == PN_OK &&
	    pn_pe_rva(c, res->rva, res->size, 0, &d) == PN_OK && pn_rd_left(&d) == res->size) {
		const struct pn_pe_resource *prev = pe->nresources > 1 ? res - 1 : NULL;
		res->in_file = 1;
		res->offset = (uint64_t)(d.p - c->in.p);
		if (prev && prev->in_file && prev->offset == res->offset && prev->size == res->size) {
			/* the same bytes again (a shared or looping leaf): digested once */
			res->filetype = prev->filetype;
			res->st = prev->st;
		} else {
			res->filetype = pn_pe_sniff(d.p, res->size);
			pn_pe_stats(c, d.p, res->size, 1, &res->st);
		}
	} else {
		pn_pe_note(c, "resources: data of %u bytes at RVA 0x%x is not in the file", res->size, res->rva);
	}
}

static int
seen_dir(struct walk *w, uint32_t off)
{
	size_t i;

	for (i = 0; i < w->nvisited; i++)
		if (w->visited[i] == off)
			return 1;
	return 0;
}

static void
walk_dir(struct walk *w, uint32_t off, unsigned depth, uint32_t ids[3], char *names[3])
{
	struct pn_pe_ctx *c = w->c;
	struct pn_rd r;
	uint16_t nnamed = 0, nid = 0;
	uint32_t i, n;

	if (w->nvisited >= PN_PE_MAX_RESOURCE_DIRS) {
		if (!w->cut)
			pn_pe_note_limit(c, "resources: more than %d directories", PN_PE_MAX_RESOURCE_DIRS);
		w->cut = 1;
		return;
	}
	w->visited[w->nvisited++] = off;
	if (pn_pe_rva(c, (uint64_t)w->base + off, RES_DIR_LEN, 0, &r) != PN_OK ||
	    pn_rd_left(&r) < RES_DIR_LEN) {
		pn_pe_note(c, "resources: directory at offset 0x%x outside the file", off);
		return;
	}
	pn_rd_skip(&r, 12);
	pn_rd_le16(&r, &nnamed);
	pn_rd_le16(&r, &nid);
	n = (uint32_t)nnamed + nid;
	for (i = 0; i < n; i++) {
		uint32_t name_field = 0, target = 0;
		char *nm = NULL;

		if (w->entries >= PN_PE_MAX_RESOURCE_ENTRIES) {
			if (!w->cut)
				pn_pe_note_limit(c, "resources: more than %d entries", PN_PE_MAX_RESOURCE_ENTRIES);
			w->cut = 1;
			return;
		}
		w->entries++;
		if (pn_pe_rva(c, (uint64_t)w->base + off + RES_DIR_LEN + (uint64_t)RES_ENTRY_LEN * i,
		    RES_ENTRY_LEN, 0, &r) != PN_OK || pn_rd_left(&r) < RES_ENTRY_LEN) {
			pn_pe_note(c, "resources: directory entries truncated");
			return;
		}
		pn_rd_le32(&r, &name_field);
		pn_rd_le32(&r, &target);
		if (depth < 3) {
			if (name_field & 0x80000000u)
				nm = entry_name(w, name_field);
			ids[depth] = name_field & 0xffff;
			names[depth] = nm;
		}
		if (target & 0x80000000u) {
			uint32_t sub = target & 0x7fffffffu;
			if (seen_dir(w, sub))
				pn_pe_note(c, "resources: directory cycle at offset 0x%x", sub);
			else if (depth + 1 >= PN_PE_MAX_RESOURCE_DEPTH)
				pn_pe_note(c, "resources: tree deeper than %d levels", PN_PE_MAX_RESOURCE_DEPTH);
			else
				walk_dir(w, sub, depth + 1, ids, names);
		} else {
			if (depth != 2)
				pn_pe_note(c, "resources: data entry at level %u", depth + 1);
			add_leaf(w, ids, names, target);
		}
		if (depth < 3) {
			free(nm);
			names[depth] = NULL;
			ids[depth] = 0;
		}
	}
}

/* --------------------------------------------------- VS_VERSIONINFO */

struct vnode {
	size_t off, end;           /* the node within the block */
	uint16_t vlen, type;
	size_t key_off, key_units; /* key: UTF-16 units at key_off */
	size_t val_off;            /* value, 4-aligned after the key */
	size_t child_off;          /* first child, 4-aligned after the value */
};

static size_t
align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/* Read the node at off inside [0, end) of blk; 0 on success. */
static int
vnode_read(const uint8_t *blk, size_t off, size_t end, struct vnode *n)
{
	size_t len, k, vbytes;

	if (off > end || end - off < 6)
		return -1;
	len = pn_le16(blk + off);
	if (len < 6 || len > end - off)
		return -1;
	n->off = off;
	n->end = off + len;
	n->vlen = pn_le16(blk + off + 2);
	n->type = pn_le16(blk + off + 4);
	n->key_off = off + 6;
	for (k = n->key_off; k + 2 <= n->end && pn_le16(blk + k) != 0; k += 2)
		;
	n->key_units = (k - n->key_off) / 2;
	n->val_off = PN_MIN(align4(k + 2), n->end);
	vbytes = n->type == 1 ? 2 * (size_t)n->vlen : n->vlen;
	n->child_off = PN_MIN(align4(n->val_off + PN_MIN(vbytes, n->end - n->val_off)), n->end);
	return 0;
}

static int
vnode_key_is(const uint8_t *blk, const struct vnode *n, const char *s)
{
	size_t i, len = strlen(s);

	if (n->key_units != len)
		return 0;
	for (i = 0; i < len; i++)
		if (pn_le16(blk + n->key_off + 2 * i) != (uint8_t)s[i])
			return 0;
	return 1;
}

static void
version_string(struct pn_pe_ctx *c, const uint8_t *blk, const struct vnode *s)
{
	struct pn_pe *pe = c->pe;
	char *key, *val;
	size_t i, units;

	if (pe->nversion >= PN_PE_MAX_VERSION_STRINGS) {
		pn_pe_note_limit(c, "version info: more than %d strings", PN_PE_MAX_VERSION_STRINGS);
		return;
	}
	key = utf16_to_utf8(blk + s->key_off, PN_MIN(s->key_units, (size_t)PN_PE_MAX_RES_NAME));
	for (i = 0; i < pe->nversion; i++)
		if (strcmp(pe->version[i].key, key) == 0) {
			free(key);
			return;
		}
	units = (s->end - s->val_off) / 2;
	val = utf16_to_utf8(blk + s->val_off, PN_MIN(units, (size_t)PN_PE_MAX_VERSION_VALUE));
	if (pe->version == NULL)
		pe->version = pn_xcalloc(PN_PE_MAX_VERSION_STRINGS, sizeof(*pe->version));
	pe->version[pe->nversion].key = key;
	pe->version[pe->nversion].value = val;
	pe->nversion++;
}

static void
version_fixed(struct pn_pe *pe, const uint8_t *blk, const struct vnode *root)
{
	const uint8_t *f = blk + root->val_off;

	if (root->vlen < 52 || root->end - root->val_off < 52 || pn_le32(f) != 0xfeef04bdu)
		return;
	pe->has_fixed_version = 1;
	pe->file_version[0] = pn_le16(f + 10);
	pe->file_version[1] = pn_le16(f + 8);
	pe->file_version[2] = pn_le16(f + 14);
	pe->file_version[3] = pn_le16(f + 12);
	pe->product_version[0] = pn_le16(f + 18);
	pe->product_version[1] = pn_le16(f + 16);
	pe->product_version[2] = pn_le16(f + 22);
	pe->product_version[3] = pn_le16(f + 20);
}

/* VS_VERSIONINFO > StringFileInfo > StringTable > String, bounded by blk's size. */
static void
parse_version(struct pn_pe_ctx *c, const uint8_t *blk, size_t size)
{
	struct vnode root, sfi, tab, str;
	size_t a, b, d, nodes = 0;

	if (vnode_read(blk, 0, size, &root) != 0 || !vnode_key_is(blk, &root, "VS_VERSION_INFO")) {
		pn_pe_note(c, "version info: not a VS_VERSIONINFO");
		return;
	}
	version_fixed(c->pe, blk, &root);
	for (a = root.child_off; vnode_read(blk, a, root.end, &sfi) == 0; a = align4(sfi.end)) {
		if (++nodes > PN_PE_MAX_VERSION_NODES)
			goto toomany;
		if (!vnode_key_is(blk, &sfi, "StringFileInfo"))
			continue;
		for (b = sfi.child_off; vnode_read(blk, b, sfi.end, &tab) == 0; b = align4(tab.end)) {
			if (++nodes > PN_PE_MAX_VERSION_NODES)
				goto toomany;
			for (d = tab.child_off; vnode_read(blk, d, tab.end, &str) == 0; d = align4(str.end)) {
				if (++nodes > PN_PE_MAX_VERSION_NODES)
					goto toomany;
				version_string(c, blk, &str);
			}
		}
	}
	return;
toomany:
	pn_pe_note_limit(c, "version info: more than %d nodes", PN_PE_MAX_VERSION_NODES);
}

void
pn_pe_parse_resources(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	struct walk w;
	uint32_t ids[3] = { 0, 0, 0 };
	char *names[3] = { NULL, NULL, NULL };
	size_t i;

	if (pe->ndirs <= PE_DIR_RESOURCE || pe->dirs[PE_DIR_RESOURCE].rva == 0)
		return;
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.base = pe->dirs[PE_DIR_RESOURCE].rva;
	w.visited = pn_xcalloc(PN_PE_MAX_RESOURCE_DIRS, sizeof(*w.visited));
	walk_dir(&w, 0, 0, ids, names);
	free(w.visited);
	for (i = 0; i < pe->nresources; i++) {
		const struct pn_pe_resource *res = &pe->resources[i];
		if (res->type_name == NULL && res->type_id == RT_VERSION && res->in_file) {
			parse_version(c, c->in.p + res->offset, res->size);
			break;
		}
	}
}

void
pn_pe_resource_free(struct pn_pe *pe)
{
	size_t i;

	for (i = 0; i < pe->nresources; i++) {
		free(pe->resources[i].type_name);
		free(pe->resources[i].name);
	}
	free(pe->resources);
	for (i = 0; i < pe->nversion; i++) {
		free(pe->version[i].key);
		free(pe->version[i].value);
	}
	free(pe->version);
}
