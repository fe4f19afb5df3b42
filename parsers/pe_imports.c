/*
 * pe_imports.c - the import directory (and its imphash) and the export
 * directory of a PE image.
 *
 * Imports are walked the way pefile 2023.2.7 walks them (parse_import_
 * directory, parse_imports, get_import_table), because imphash must equal
 * pefile's get_imphash() bit for bit, and imphash depends on which entries
 * pefile keeps: a descriptor whose thunk tables yield nothing is skipped
 * (after 6 such, the walk stops); a thunk table is cut where it runs past
 * the descriptors, where a thunk points back into the table, or after
 * PN_PE_MAX_IMPORT_THUNKS entries in all; a table whose ordinals exceed
 * 0xffff, whose name RVAs repeat 15 times or spread over more than 128 MiB
 * is dropped whole; DLL names with characters outside 8.3-file-name ones
 * become "*invalid*", function names outside [A-Za-z0-9._?@$()<>] are
 * dropped.  imphash then is md5 of "dll.func,dll.func,...": the DLL name
 * lower-cased without a .dll/.ocx/.sys extension, the function name
 * lower-cased, an ordinal named from pefile's ws2_32/wsock32/oleaut32
 * tables (pe_ordinals.c) or "ord<N>"; "" when no descriptor was kept.
 * Delay-load imports are not part of it (pefile leaves them out too).
 *
 * Exports: the names and ordinals of the export directory, forwarders
 * resolved to their "DLL.Func" strings; ordinal-only exports listed with
 * a NULL name.
 *
 * Limits: PN_PE_MAX_IMPORT_DLLS, _IMPORT_THUNKS, _NAME, _EXPORTS.
 * Spec: PE/COFF rev 11 §6.3 (export directory), §6.4 (import directory,
 * lookup tables, hint/name table).
 * See also: pe.h, docs/internals/pe.md (imphash), tests/unit/test_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pe_int.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define IMPORT_DESC_LEN      20
#define EXPORT_DIR_LEN       40
#define MAX_ADDRESS_SPREAD   (128ULL << 20) /* pefile's bogus-table tests */
#define MAX_REPEATED         15
#define MAX_INVALID_NAMES    1000
#define MAX_EMPTY_DESCS      5

/* ------------------------------------------------------ ordinal names */

const char *
pn_pe_ordinal_name(const char *dll, uint16_t ord, int *known_dll)
{
	size_t i;

	*known_dll = 0;
	for (i = 0; pn_pe_ordtabs[i].dll; i++) {
		const struct pn_pe_ordtab *t = &pn_pe_ordtabs[i];
		size_t lo = 0, hi = t->n;
		if (strcasecmp(dll, t->dll) != 0)
			continue;
		*known_dll = 1;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (t->names[mid].ord == ord)
				return t->names[mid].name;
			if (t->names[mid].ord < ord)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	return NULL;
}

/* ----------------------------------------------------- address sets */

/* The RVAs a thunk table points at: membership, minimum and maximum. */
struct aset {
	uint64_t *slot;
	size_t cap, n;
	uint64_t min, max;
};

static int
aset_add(struct aset *s, uint64_t v)
{
	size_t i;

	if (s->n == 0 || v < s->min)
		s->min = v;
	if (s->n == 0 || v > s->max)
		s->max = v;
	if (2 * (s->n + 1) > s->cap) {
		struct aset g = { NULL, s->cap ? 2 * s->cap : 64, 0, s->min, s->max };
		g.slot = pn_xcalloc(g.cap, sizeof(*g.slot));
		for (i = 0; i < s->cap; i++)
			if (s->slot[i])
				aset_add(&g, s->slot[i]);
		free(s->slot);
		g.min = s->min;
		g.max = s->max;
		*s = g;
	}
	for (i = (size_t)(v * 0x9e3779b97f4a7c15ULL >> 40) & (s->cap - 1); s->slot[i];
	    i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == v)
			return 1;
	s->slot[i] = v;
	s->n++;
	return 0;
}

static uint64_t
aset_spread(const struct aset *s)
{
	return s->n ? s->max - s->min : 0;
}

/* ------------------------------------------------------ thunk tables */

struct table {
	uint64_t *v;
	size_t n, cap;
	int failed;               /* pefile's None: unreadable */
};

/* pefile's get_import_table(): the thunk values at rva, up to a zero. */
static void
read_table(struct pn_pe_ctx *c, uint64_t rva, int64_t max_len, struct table *t)
{
	struct pn_pe *pe = c->pe;
	unsigned w = pe->is64 ? 8 : 4;
	uint64_t flag = pe->is64 ? 1ULL << 63 : 1ULL << 31, start = rva, v;
	struct aset s32 = { 0 }, s64 = { 0 };
	unsigned repeated = 0;
	struct pn_rd r;

	memset(t, 0, sizeof(*t));
	while (rva) {
		if ((int64_t)rva >= (int64_t)start + max_len)
			break;
		if (c->thunks > PN_PE_MAX_IMPORT_THUNKS) {
			pn_pe_note_limit(c, "imports: more than %d thunks", PN_PE_MAX_IMPORT_THUNKS);
			break;
		}
		c->thunks++;
		if (repeated >= MAX_REPEATED || aset_spread(&s32) > MAX_ADDRESS_SPREAD ||
		    aset_spread(&s64) > MAX_ADDRESS_SPREAD) {
			t->n = 0;
			goto out;
		}
		if (pn_pe_rva(c, rva, w, 0, &r) != PN_OK || pn_rd_left(&r) < w) {
			t->failed = 1;
			t->n = 0;
			goto out;
		}
		v = w == 8 ? pn_le64(r.p) : pn_le32(r.p);
		if (v >= start && v <= rva)
			break;
		if (v && (v & flag)) {
			if ((v & 0x7fffffffu) > 0xffff) {
				t->n = 0;
				goto out;
			}
		} else if (v) {
			if (aset_add(v >= (1ULL << 32) ? &s64 : &s32, v))
				repeated++;
		}
		if (v == 0)
			break;
		rva += w;
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 16;
			t->v = pn_xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		t->v[t->n++] = v;
	}
out:
	free(s32.slot);
	free(s64.slot);
}

static int
valid_func_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("._?@$()<>", *s)))
			return 0;
	return 1;
}

static int
valid_dll_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("!#$%&'()-@^_`{}~+,.;=[]\\/", *s)))
			return 0;
	return 1;
}

static void
free_funcs(struct pn_pe_import_func *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
}

/*
 * pefile's parse_imports(): the symbols of one descriptor.  Returns the
 * count (0: nothing usable, pefile's empty list or exception).
 */
static size_t
read_symbols(struct pn_pe_ctx *c, uint32_t oft, uint32_t ft, int64_t max_len,
    struct pn_pe_import_func **out)
{
	struct pn_pe *pe = c->pe;
	struct table ilt, iat, *t;
	struct pn_pe_import_func *f = NULL;
	uint64_t flag = pe->is64 ? 1ULL << 63 : 1ULL << 31;
	uint64_t mask = pe->is64 ? 0x7fffffffffffffffULL : 0x7fffffffULL;
	size_t i, n = 0, invalid = 0;
	struct pn_rd r;

	*out = NULL;
	read_table(c, oft, max_len, &ilt);
	read_table(c, ft, max_len, &iat);
	t = ilt.n ? &ilt : &iat;
	if (t->n)
		f = pn_xcalloc(t->n, sizeof(*f));
	for (i = 0; i < t->n; i++) {
		uint64_t v = t->v[i];
		int have_ord = 0, have_name = 0;
		char *name = NULL;
		uint16_t ord = 0, hint = 0;

		if (v & flag) {
			have_ord = 1;
			ord = (uint16_t)v;
		} else if (pn_pe_rva(c, v & mask, 2, 0, &r) == PN_OK) {
			if (pn_rd_left(&r) >= 2)
				hint = pn_le16(r.p);
			pn_pe_rva_str(c, v + 2, PN_PE_MAX_NAME, &name);
			have_name = 1;
			if (!valid_func_name(name)) {
				free(name);
				name = NULL;
				if (invalid > MAX_INVALID_NAMES && invalid == i)
					goto fail;
				invalid++;
				continue;
			}
		}
		if (!have_ord && !have_name)
			goto fail;  /* pefile: "Invalid entries, aborting parsing." */
		if ((have_ord && ord) || (name && name[0])) {
			f[n].name = name;
			f[n].by_ordinal = have_ord;
			f[n].ordinal = ord;
			f[n].hint = hint;
			n++;
		} else {
			free(name);
		}
	}
	free(ilt.v);
	free(iat.v);
	*out = f;
	return n;
fail:
	free(ilt.v);
	free(iat.v);
	free_funcs(f, n);
	pn_pe_note(c, "imports: invalid thunk entries");
	return 0;
}

static void
add_import(struct pn_pe_ctx *c, char *dll, struct pn_pe_import_func *f, size_t n)
{
	struct pn_pe *pe = c->pe;
	struct pn_pe_import *imp;
	size_t i;
	int known;

	for (i = 0; i < n; i++)
		if (f[i].by_ordinal && f[i].name == NULL) {
			const char *nm = pn_pe_ordinal_name(dll, f[i].ordinal, &known);
			if (known)
				f[i].name = nm ? pn_xstrdup(nm) : pn_xasprintf("ord%u", f[i].ordinal);
		}
	if ((pe->nimports & (pe->nimports - 1)) == 0)  /* 0, 1, 2, 4, ...: double */
		pe->imports = pn_xrealloc(pe->imports, (pe->nimports ? 2 * pe->nimports : 1) *
		    sizeof(*pe->imports));
	imp = &pe->imports[pe->nimports++];
	imp->dll = dll;
	imp->funcs = f;
	imp->nfuncs = n;
	pe->nimport_funcs += n;
}

static void
imphash(struct pn_pe *pe)
{
	EVP_MD_CTX *md;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t i, j, k;
	int first = 1;

	if (pe->nimports == 0 || (md = EVP_MD_CTX_new()) == NULL)
		return;
	EVP_DigestInit_ex(md, EVP_md5(), NULL);
	for (i = 0; i < pe->nimports; i++) {
		const struct pn_pe_import *imp = &pe->imports[i];
		char lib[PN_PE_MAX_NAME + 16], fn[PN_PE_MAX_NAME + 16];
		char *dot;

		pn_strlcpy(lib, imp->dll, sizeof(lib));
		for (k = 0; lib[k]; k++)
			if (lib[k] >= 'A' && lib[k] <= 'Z')
				lib[k] = (char)(lib[k] - 'A' + 'a');
		dot = strrchr(lib, '.');
		if (dot && (strcmp(dot, ".dll") == 0 || strcmp(dot, ".ocx") == 0 || strcmp(dot, ".sys") == 0))
			*dot = '\0';
		for (j = 0; j < imp->nfuncs; j++) {
			const struct pn_pe_import_func *f = &imp->funcs[j];
			if (f->name)
				pn_strlcpy(fn, f->name, sizeof(fn));
			else
				snprintf(fn, sizeof(fn), "ord%u", f->ordinal);
			for (k = 0; fn[k]; k++)
				if (fn[k] >= 'A' && fn[k] <= 'Z')
					fn[k] = (char)(fn[k] - 'A' + 'a');
			if (!first)
				EVP_DigestUpdate(md, ",", 1);
			first = 0;
			EVP_DigestUpdate(md, lib, strlen(lib));
			EVP_DigestUpdate(md, ".", 1);
			EVP_DigestUpdate(md, fn, strlen(fn));
		}
	}
	if (EVP_DigestFinal_ex(md, d, &dlen) == 1)
		pn_hex(d, dlen, pe->imphash);
	EVP_MD_CTX_free(md);
}

void
pn_pe_parse_imports(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	uint64_t rva = pe->dirs[PE_DIR_IMPORT].rva, foff;
	unsigned empty = 0;
	struct pn_rd r;

	if (pe->ndirs <= PE_DIR_IMPORT || rva == 0)
		return;
	for (;;) {
		uint32_t oft = 0, ts = 0, fwd = 0, name = 0, ft = 0;
		struct pn_pe_import_func *f;
		int64_t max_len;
		size_t n;
		char *dll;

		if (pn_pe_rva(c, rva, IMPORT_DESC_LEN, 0, &r) != PN_OK ||
		    pn_rd_left(&r) < IMPORT_DESC_LEN) {
			pn_pe_note(c, "imports: descriptor at RVA 0x%llx is outside the file",
			    (unsigned long long)rva);
			break;
		}
		pn_rd_le32(&r, &oft);
		pn_rd_le32(&r, &ts);
		pn_rd_le32(&r, &fwd);
		pn_rd_le32(&r, &name);
		pn_rd_le32(&r, &ft);
		if ((oft | ts | fwd | name | ft) == 0)
			break;
		if (pn_pe_rva_off(c, rva, &foff) != PN_OK)
			foff = 0;
		rva += IMPORT_DESC_LEN;
		max_len = (int64_t)pe->size - (int64_t)foff;
		if (rva > oft || rva > ft)
			max_len = PN_MAX((int64_t)rva - (int64_t)oft, (int64_t)rva - (int64_t)ft);
		n = read_symbols(c, oft, ft, max_len, &f);
		if (empty > MAX_EMPTY_DESCS) {
			free_funcs(f, n);
			pn_pe_note(c, "imports: too many empty descriptors");
			break;
		}
		if (n == 0) {
			free(f);
			empty++;
			continue;
		}
		pn_pe_rva_str(c, name, PN_PE_MAX_NAME, &dll);
		if (!valid_dll_name(dll)) {
			free(dll);
			dll = pn_xstrdup("*invalid*");
		}
		if (dll[0] == '\0') {
			free(dll);
			free_funcs(f, n);
			continue;
		}
		if (pe->nimports >= PN_PE_MAX_IMPORT_DLLS) {
			free(dll);
			free_funcs(f, n);
			pn_pe_note_limit(c, "imports: more than %d DLLs", PN_PE_MAX_IMPORT_DLLS);
			break;
		}
		add_import(c, dll, f, n);
	}
	pe->has_import_dir = pe->nimports > 0;
	imphash(pe);
}

void
pn_pe_import_free(struct pn_pe *pe)
{
	size_t i;

	for (i = 0; i < pe->nimports; i++) {
		free(pe->imports[i].dll);
		free_funcs(pe->imports[i].funcs, pe->imports[i].nfuncs);
	}
	free(pe->imports);
	for (i = 0; i < pe->nexports; i++) {
		free(pe->exports[i].name);
		free(pe->exports[i].forwarder);
	}
	free(pe->exports);
	free(pe->export_dll);
}

/* ---------------------------------------------------------- exports */

static char *
clean_str_at(struct pn_pe_ctx *c, uint32_t rva)
{
	char *raw, *s;

	if (pn_pe_rva_str(c, rva, PN_PE_MAX_NAME, &raw) != PN_OK)
		return NULL;
	s = pn_pe_clean(raw, strlen(raw));
	free(raw);
	return s;
}

static void
add_export(struct pn_pe_ctx *c, char *name, uint32_t ord, uint32_t rva)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_EXPORT];
	struct pn_pe_export *e;

	if ((pe->nexports & (pe->nexports - 1)) == 0)  /* 0, 1, 2, 4, ...: double */
		pe->exports = pn_xrealloc(pe->exports, (pe->nexports ? 2 * pe->nexports : 1) *
		    sizeof(*pe->exports));
	e = &pe->exports[pe->nexports++];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->ordinal = ord;
	e->rva = rva;
	if (rva >= d->rva && rva - d->rva < d->size)
		e->forwarder = clean_str_at(c, rva);
}

/* Entry i of a table of w-byte entries read as one span (0 past its end). */
static uint32_t
tab_get(const struct pn_rd *t, uint32_t i, unsigned w)
{
	if ((uint64_t)(i + 1) * w > pn_rd_left(t))
		return 0;
	return w == 4 ? pn_le32(t->p + (size_t)i * 4) : pn_le16(t->p + (size_t)i * 2);
}

void
pn_pe_parse_exports(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_EXPORT];
	uint32_t name = 0, base = 0, nfuncs = 0, nnames = 0, funcs = 0, names = 0, ords = 0, i, lim, nlim;
	static const uint8_t none[1];
	struct pn_rd r, tf, tn, to;
	uint8_t *named;

	if (pe->ndirs <= PE_DIR_EXPORT || d->rva == 0)
		return;
	if (pn_pe_rva(c, d->rva, EXPORT_DIR_LEN, 0, &r) != PN_OK || pn_rd_left(&r) < EXPORT_DIR_LEN) {
		pn_pe_note(c, "exports: directory at RVA 0x%x is outside the file", d->rva);
		return;
	}
	pn_rd_skip(&r, 4);
	pn_rd_le32(&r, &pe->export_timestamp);
	pn_rd_skip(&r, 4);
	pn_rd_le32(&r, &name);
	pn_rd_le32(&r, &base);
	pn_rd_le32(&r, &nfuncs);
	pn_rd_le32(&r, &nnames);
	pn_rd_le32(&r, &funcs);
	pn_rd_le32(&r, &names);
	pn_rd_le32(&r, &ords);
	pe->export_dll = clean_str_at(c, name);
	lim = PN_MIN(nfuncs, (uint32_t)PN_PE_MAX_EXPORTS);
	nlim = PN_MIN(nnames, (uint32_t)PN_PE_MAX_EXPORTS);
	if (nnames > PN_PE_MAX_EXPORTS || nfuncs > PN_PE_MAX_EXPORTS)
		pn_pe_note_limit(c, "exports: %u names, %u functions; %d read", nnames, nfuncs,
		    PN_PE_MAX_EXPORTS);
	/* the three tables, each as one span of the file (shorter where it ends) */
	if (pn_pe_rva(c, funcs, 4ULL * lim, 0, &tf) != PN_OK)
		tf = pn_rd_make(none, 0);
	if (pn_pe_rva(c, names, 4ULL * nlim, 0, &tn) != PN_OK)
		tn = pn_rd_make(none, 0);
	if (pn_pe_rva(c, ords, 2ULL * nlim, 0, &to) != PN_OK)
		to = pn_rd_make(none, 0);
	if (pn_rd_left(&tn) < 4ULL * nlim || pn_rd_left(&to) < 2ULL * nlim)
		pn_pe_note(c, "exports: name tables cut short by the end of their section or file");
	named = pn_xcalloc(lim ? lim : 1, 1);
	for (i = 0; i < nlim && (uint64_t)(i + 1) * 4 <= pn_rd_left(&tn) &&
	    (uint64_t)(i + 1) * 2 <= pn_rd_left(&to); i++) {
		uint16_t idx = (uint16_t)tab_get(&to, i, 2);
		char *nm;

		if ((nm = clean_str_at(c, tab_get(&tn, i, 4))) == NULL)
			continue;
		if (idx < lim)
			named[idx] = 1;
		add_export(c, nm, base + idx, tab_get(&tf, idx, 4));
	}
	for (i = 0; i < lim && pe->nexports < PN_PE_MAX_EXPORTS; i++) {
		uint32_t rva;
		if (named[i] || (rva = tab_get(&tf, i, 4)) == 0)
			continue;
		add_export(c, NULL, base + i, rva);
	}
	free(named);
}
