/*
 * pe_image.c - the PE image: MS-DOS stub, COFF and optional headers,
 * section table, RVA mapping, rich header, debug and TLS directories, CLR
 * header, overlay, checksum, packer hints; and pn_pe_parse(), which runs
 * every part (imports, exports, resources, signature live in pe_*.c).
 *
 * RVA mapping follows pefile 2023.2.7 (get_section_by_rva, get_data,
 * get_offset_from_rva) rather than the Windows loader, so that imphash,
 * section digests and the overlay agree with it: PointerToRawData is
 * rounded down to 0x200 when FileAlignment >= 0x200, VirtualAddress down to
 * the section alignment, a section covers max(VirtualSize, SizeOfRawData)
 * (VirtualSize alone when the raw data would pass the end of the file) but
 * stops where the next section by address starts, and RVAs in no section
 * map 1:1 to file offsets.
 *
 * Ownership: everything allocated hangs off struct pn_pe and is freed by
 * pn_pe_free().  Limits: PN_PE_MAX_SECTIONS, _RICH, _DEBUG, _PDB_PATH,
 * _TLS_CALLBACKS, _NOTES, _HASHED (pe.h).  Errors: see pe.h.
 * Spec: PE/COFF rev 11 §2 (MS-DOS stub, signature), §3.3 (COFF header),
 * §3.4 (optional header, data directories), §4 (section table), §6.1.1
 * (debug directory), §6.7 (TLS), §4.1 (section flags); CLR header and
 * metadata root: ECMA-335 §II.25.3.3 and §II.24.2.1.
 * See also: pe.h, docs/internals/pe.md, tests/unit/test_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pe_int.h"
#include "parser.h"
#include "utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define MZ_LFANEW_OFF   0x3c
#define COFF_LEN        20
#define SECT_HDR_LEN    40
#define OPT_MAGIC_PE32  0x10b
#define OPT_MAGIC_PE64  0x20b
#define RICH_START      0x80     /* pefile looks for DanS here */
#define DEBUG_ENTRY_LEN 28
#define DEBUG_TYPE_CODEVIEW 2

/* ------------------------------------------------------------ notes */

static void
vnote(struct pn_pe_ctx *c, const char *fmt, va_list ap)
{
	struct pn_pe *pe = c->pe;
	char msg[400];

	if (pe->nnotes >= PN_PE_MAX_NOTES)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (pe->notes == NULL)
		pe->notes = pn_xcalloc(PN_PE_MAX_NOTES, sizeof(*pe->notes));
	pe->notes[pe->nnotes++] = pn_xstrdup(msg);
}

void
pn_pe_note(struct pn_pe_ctx *c, const char *fmt, ...)
{
	va_list ap;

	c->pe->malformed = 1;
	va_start(ap, fmt);
	vnote(c, fmt, ap);
	va_end(ap);
}

void
pn_pe_note_limit(struct pn_pe_ctx *c, const char *fmt, ...)
{
	va_list ap;

	c->pe->limited = 1;
	va_start(ap, fmt);
	vnote(c, fmt, ap);
	va_end(ap);
}

char *
pn_pe_clean(const char *s, size_t n)
{
	return n == 0 ? pn_xstrdup("") : pn_utf8_clean(s, n);
}

/* ------------------------------------------------------- statistics */

static void
digest(const char *alg, const uint8_t *p, size_t n, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	hex[0] = '\0';
	if (EVP_Digest(p, n, md, &len, alg[0] == 'm' ? EVP_md5() : EVP_sha256(), NULL) == 1)
		pn_hex(md, len, hex);
}

void
pn_pe_stats(struct pn_pe_ctx *c, const uint8_t *p, size_t n, int want_sha256,
    struct pn_pe_stats *st)
{
	size_t counts[256] = { 0 }, i;
	double h = 0, chi = 0, expect;

	memset(st, 0, sizeof(*st));
	if (n > PN_PE_MAX_HASHED || c->pe->hashed > PN_PE_MAX_HASHED - n) {
		if (c->pe->hashed <= PN_PE_MAX_HASHED) {
			pn_pe_note_limit(c, "more than %llu bytes to digest: later statistics left out",
			    (unsigned long long)PN_PE_MAX_HASHED);
			c->pe->hashed = PN_PE_MAX_HASHED + 1;
		}
		return;
	}
	c->pe->hashed += n;
	for (i = 0; i < n; i++)
		counts[p[i]]++;
	expect = (double)n / 256.0;
	for (i = 0; i < 256 && n > 0; i++) {
		double d = (double)counts[i] - expect;
		chi += d * d / expect;
		if (counts[i]) {
			double q = (double)counts[i] / (double)n;
			h -= q * log2(q);
		}
	}
	st->entropy = h;
	st->chi2 = n > 0 ? chi : -1;
	if (!(c->flags & PN_PE_PARSE_STRUCTURE)) {
		digest("md5", p, n, st->md5);
		if (want_sha256)
			digest("sha256", p, n, st->sha256);
	}
	st->done = 1;
}

static int
has_prefix(const uint8_t *p, size_t n, const char *s, size_t len)
{
	return n >= len && memcmp(p, s, len) == 0;
}

static int
has_prefix_ci(const uint8_t *p, size_t n, const char *s)
{
	size_t i, len = strlen(s);

	if (n < len)
		return 0;
	for (i = 0; i < len; i++) {
		uint8_t ch = p[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (uint8_t)(ch - 'A' + 'a');
		if (ch != (uint8_t)s[i])
			return 0;
	}
	return 1;
}

const char *
pn_pe_sniff(const uint8_t *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} magics[] = {
		{ "\x89PNG\r\n\x1a\n", 8, "PNG" }, { "GIF87a", 6, "GIF" }, { "GIF89a", 6, "GIF" },
		{ "\xff\xd8\xff", 3, "JPEG" }, { "PK\x03\x04", 4, "ZIP" }, { "Rar!\x1a\x07", 6, "RAR" },
		{ "7z\xbc\xaf\x27\x1c", 6, "7ZIP" }, { "%PDF-", 5, "PDF" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "OLE" }, { "MSCF\0\0\0\0", 8, "CAB" },
		{ "\x1f\x8b\x08", 3, "GZIP" }, { "BZh", 3, "BZIP2" }, { "\x7f" "ELF", 4, "ELF" },
		{ "{\\rtf", 5, "RTF" }, { "RIFF", 4, "RIFF" }, { "\0\0\1\0", 4, "ICO" },
		{ "\0\0\2\0", 4, "CUR" }, { "\xef\xbb\xbf<?xml", 8, "XML" }, { "<?xml", 5, "XML" },
		{ "\xff\xfe<\0?\0x\0m\0l\0", 12, "XML" },
	};
	size_t i, m;

	if (pn_pe_is_pe(p, n))
		return "Win32 EXE";
	if (has_prefix(p, n, "MZ", 2))
		return "DOS EXE";
	for (i = 0; i < PN_ARRAY_LEN(magics); i++)
		if (has_prefix(p, n, magics[i].magic, magics[i].len))
			return magics[i].name;
	if (has_prefix_ci(p, n, "<!doctype html") || has_prefix_ci(p, n, "<html"))
		return "HTML";
	m = PN_MIN(n, 512);
	for (i = 0; i < m; i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			break;
	if (m > 0 && i == m)
		return "Text";
	return "Data";
}

/* ------------------------------------------------------ RVA mapping */

int
pn_pe_rva_section(struct pn_pe_ctx *c, uint64_t rva)
{
	size_t k;

	for (k = 0; k < c->pe->nsect; k++) {
		size_t i = c->byva[k];
		if (c->lo[i] <= rva && rva < c->hi[i])
			return (int)i;
	}
	return -1;
}

int
pn_pe_rva(struct pn_pe_ctx *c, uint64_t rva, uint64_t len, int as_string, struct pn_rd *out)
{
	uint64_t fsize = pn_rd_left(&c->in), off, end, lim;
	int s = pn_pe_rva_section(c, rva);

	if (len > fsize)
		len = fsize;
	if (s >= 0) {
		const struct pn_pe_section *sec = &c->pe->sections[s];
		off = rva - c->va_adj[s] + c->ptr_adj[s];
		end = off + len;
		lim = (uint64_t)sec->raw_off + sec->raw_size;
		if (end > lim)
			end = lim;
	} else if (rva < c->header_len && !as_string) {
		off = rva;
		end = PN_MIN(rva + len, c->header_len);
	} else if (rva < fsize) {
		off = rva;
		end = rva + len;
	} else if (as_string) {
		off = end = fsize;      /* pefile reads an empty string there */
	} else {
		return PN_EFORMAT;
	}
	if (end > fsize)
		end = fsize;
	if (off >= end)
		off = end = fsize;
	return pn_rd_at(&c->in, off, end - off, out);
}

int
pn_pe_rva_off(struct pn_pe_ctx *c, uint64_t rva, uint64_t *off)
{
	int s = pn_pe_rva_section(c, rva);

	if (s >= 0) {
		*off = rva - c->va_adj[s] + c->ptr_adj[s];
		return PN_OK;
	}
	if (rva < pn_rd_left(&c->in)) {
		*off = rva;
		return PN_OK;
	}
	return PN_EFORMAT;
}

int
pn_pe_rva_str(struct pn_pe_ctx *c, uint64_t rva, size_t max, char **out)
{
	struct pn_rd r;
	const uint8_t *nul;
	size_t n;

	*out = NULL;
	if (pn_pe_rva(c, rva, max, 1, &r) != PN_OK)
		return PN_EFORMAT;
	n = pn_rd_left(&r);
	nul = memchr(r.p, 0, n);
	if (nul)
		n = (size_t)(nul - r.p);
	*out = pn_xstrndup((const char *)r.p, n);
	return PN_OK;
}

/* pefile's adjust_FileAlignment / adjust_SectionAlignment. */
static uint64_t
adj_ptr(const struct pn_pe *pe, uint32_t v)
{
	if (pe->file_align < 0x200)
		return v;
	return (uint64_t)(v / 0x200) * 0x200;
}

static uint64_t
adj_va(const struct pn_pe *pe, uint32_t v)
{
	uint32_t a = pe->section_align < 0x1000 ? pe->file_align : pe->section_align;

	if (a && v % a)
		return (uint64_t)a * (v / a);
	return v;
}

static int
cmp_va(const void *a, const void *b, void *arg)
{
	const struct pn_pe_section *s = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (s[i].vaddr != s[j].vaddr)
		return s[i].vaddr < s[j].vaddr ? -1 : 1;
	return i < j ? -1 : i > j; /* stable, like Python's sort */
}

static void
build_map(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	uint64_t fsize = pe->size, lowest = 0;
	size_t i, n = pe->nsect;

	c->byva = pn_xcalloc(n ? n : 1, sizeof(*c->byva));
	c->lo = pn_xcalloc(n ? n : 1, sizeof(*c->lo));
	c->hi = pn_xcalloc(n ? n : 1, sizeof(*c->hi));
	c->va_adj = pn_xcalloc(n ? n : 1, sizeof(*c->va_adj));
	c->ptr_adj = pn_xcalloc(n ? n : 1, sizeof(*c->ptr_adj));
	for (i = 0; i < n; i++)
		c->byva[i] = i;
	qsort_r(c->byva, n, sizeof(*c->byva), cmp_va, pe->sections);
	for (i = 0; i < n; i++) {
		struct pn_pe_section *s = &pe->sections[i];
		c->va_adj[i] = adj_va(pe, s->vaddr);
		c->ptr_adj[i] = adj_ptr(pe, s->raw_off);
		if (s->raw_off > 0 && (lowest == 0 || c->ptr_adj[i] < lowest))
			lowest = c->ptr_adj[i];
	}
	for (i = 0; i < n; i++) {
		size_t k = c->byva[i];
		struct pn_pe_section *s = &pe->sections[k];
		uint64_t size;

		if (c->ptr_adj[k] > fsize || fsize - c->ptr_adj[k] < s->raw_size)
			size = s->vsize;
		else
			size = PN_MAX(s->raw_size, s->vsize);
		if (i + 1 < n) {
			uint64_t next = pe->sections[c->byva[i + 1]].vaddr;
			if (next > s->vaddr && c->va_adj[k] + size > next)
				size = next - c->va_adj[k];
		}
		c->lo[k] = c->va_adj[k];
		c->hi[k] = c->va_adj[k] + size;
		/* Section.get_data(): from the adjusted pointer, SizeOfRawData bytes. */
		s->data_off = PN_MIN(c->ptr_adj[k], fsize);
		s->data_len = PN_MIN(c->ptr_adj[k] + s->raw_size, fsize) - s->data_off;
	}
	c->header_len = (lowest == 0 || lowest < c->sect_table_end) ? c->sect_table_end : lowest;
	if (c->header_len > fsize)
		c->header_len = fsize;
}

/* ---------------------------------------------------------- headers */

int
pn_pe_is_pe(const uint8_t *data, size_t size)
{
	struct pn_rd in = pn_rd_make(data, size), r;
	uint32_t lfanew;

	if (size < 2 || data[0] != 'M' || data[1] != 'Z')
		return 0;
	if (pn_rd_at(&in, MZ_LFANEW_OFF, 4, &r) != PN_OK || pn_rd_le32(&r, &lfanew) != PN_OK)
		return 0;
	if (pn_rd_at(&in, lfanew, 4 + COFF_LEN, &r) != PN_OK)
		return 0;
	return memcmp(r.p, "PE\0\0", 4) == 0;
}

/* Optional header fields (§3.4.1, §3.4.2), zero-padded where the file ends. */
static void
parse_optional(struct pn_pe_ctx *c, uint64_t off)
{
	struct pn_pe *pe = c->pe;
	uint8_t buf[240] = { 0 };
	struct pn_rd r, src;
	uint64_t avail = off < pe->size ? pe->size - off : 0;
	uint32_t u32, i, ndirs;
	size_t dir_off;

	if (avail < 2) {
		pn_pe_note(c, "no optional header");
		return;
	}
	if (avail < (uint64_t)pe->opt_size)
		pn_pe_note(c, "optional header truncated by the end of the file");
	if (pn_rd_at(&c->in, off, PN_MIN(avail, sizeof(buf)), &src) != PN_OK)
		return;
	memcpy(buf, src.p, pn_rd_left(&src));
	r = pn_rd_make(buf, sizeof(buf));
	pe->has_opt = 1;
	pn_rd_le16(&r, &pe->magic);
	pe->is64 = pe->magic == OPT_MAGIC_PE64;
	if (pe->magic != OPT_MAGIC_PE32 && pe->magic != OPT_MAGIC_PE64)
		pn_pe_note(c, "optional header magic 0x%04x is neither PE32 nor PE32+", pe->magic);
	pn_rd_u8(&r, &pe->linker_major);
	pn_rd_u8(&r, &pe->linker_minor);
	pn_rd_le32(&r, &pe->size_of_code);
	pn_rd_le32(&r, &pe->size_of_idata);
	pn_rd_le32(&r, &pe->size_of_udata);
	pn_rd_le32(&r, &pe->entry_point);
	pn_rd_le32(&r, &u32);               /* BaseOfCode */
	if (pe->is64) {
		pn_rd_le64(&r, &pe->image_base);
	} else {
		pn_rd_le32(&r, &u32);       /* BaseOfData */
		pn_rd_le32(&r, &u32);
		pe->image_base = u32;
	}
	pn_rd_le32(&r, &pe->section_align);
	pn_rd_le32(&r, &pe->file_align);
	pn_rd_le16(&r, &pe->os_major);
	pn_rd_le16(&r, &pe->os_minor);
	pn_rd_skip(&r, 4);                  /* image version */
	pn_rd_le16(&r, &pe->subsys_major);
	pn_rd_le16(&r, &pe->subsys_minor);
	pn_rd_skip(&r, 4);                  /* Win32VersionValue */
	pn_rd_le32(&r, &pe->size_of_image);
	pn_rd_le32(&r, &pe->size_of_headers);
	pe->checksum_off = off + 64;
	pn_rd_le32(&r, &pe->checksum);
	pn_rd_le16(&r, &pe->subsystem);
	pn_rd_le16(&r, &pe->dll_characteristics);
	pn_rd_skip(&r, pe->is64 ? 32 : 16); /* stack and heap sizes */
	pn_rd_skip(&r, 4);                  /* LoaderFlags */
	pn_rd_le32(&r, &ndirs);
	pe->ndirs = ndirs;
	dir_off = (size_t)(r.p - buf);
	if (ndirs > 16)
		pn_pe_note(c, "NumberOfRvaAndSizes is %u (more than 16)", ndirs);
	ndirs &= 0x7fffffffu;
	for (i = 0; i < ndirs && i < 16; i++) {
		if (off + dir_off + 8ULL * i >= pe->size)
			break;
		pn_rd_le32(&r, &pe->dirs[i].rva);
		pn_rd_le32(&r, &pe->dirs[i].size);
	}
	if (i > PE_DIR_SECURITY)
		pe->secdir_off = off + dir_off + 8ULL * PE_DIR_SECURITY;
	if (pe->opt_size < dir_off)
		pn_pe_note(c, "SizeOfOptionalHeader %u is smaller than the optional header", pe->opt_size);
}

static int
parse_headers(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	struct pn_rd r;
	const uint8_t *sig;

	if (pe->size < 2 || memcmp(c->in.p, "MZ", 2) != 0)
		return PN_EFORMAT;
	if (pn_rd_at(&c->in, MZ_LFANEW_OFF, 4, &r) != PN_OK || pn_rd_le32(&r, &pe->pe_off) != PN_OK)
		return PN_EFORMAT;
	if (pn_rd_at(&c->in, pe->pe_off, 4 + COFF_LEN, &r) != PN_OK)
		return PN_EFORMAT;
	if (pn_rd_bytes(&r, 4, &sig) != PN_OK || memcmp(sig, "PE\0\0", 4) != 0)
		return PN_EFORMAT;
	pn_rd_le16(&r, &pe->machine);
	pn_rd_le16(&r, &pe->nsections);
	pn_rd_le32(&r, &pe->timestamp);
	pn_rd_le32(&r, &pe->symtab_ptr);
	pn_rd_le32(&r, &pe->nsymbols);
	pn_rd_le16(&r, &pe->opt_size);
	pn_rd_le16(&r, &pe->characteristics);
	pe->valid = 1;
	parse_optional(c, (uint64_t)pe->pe_off + 4 + COFF_LEN);
	return PN_OK;
}

/* ---------------------------------------------------------- sections */

/* The section table (§4), read with pefile's stopping rules. */
static void
parse_sections(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	uint64_t off = (uint64_t)pe->pe_off + 4 + COFF_LEN + pe->opt_size;
	size_t i, n = pe->nsections;
	static const uint8_t zero[SECT_HDR_LEN];

	c->sect_table_end = off + (uint64_t)SECT_HDR_LEN * n;
	if (n > PN_PE_MAX_SECTIONS) {
		pn_pe_note_limit(c, "%zu sections, only %d read", n, PN_PE_MAX_SECTIONS);
		n = PN_PE_MAX_SECTIONS;
	}
	/* allocate only what the file can hold */
	if (off >= pe->size) {
		if (n > 0)
			pn_pe_note(c, "section table at offset %llu is past the end of the file",
			    (unsigned long long)off);
		n = 0;
	} else if (n > (pe->size - off) / SECT_HDR_LEN + 1)
		n = (size_t)((pe->size - off) / SECT_HDR_LEN + 1);
	pe->sections = pn_xcalloc(n ? n : 1, sizeof(*pe->sections));
	for (i = 0; i < n; i++) {
		struct pn_pe_section *s = &pe->sections[pe->nsect];
		struct pn_rd r;
		const uint8_t *name;
		int errs = 0;

		if (pn_rd_at(&c->in, off + (uint64_t)SECT_HDR_LEN * i, SECT_HDR_LEN, &r) != PN_OK) {
			pn_pe_note(c, "section table truncated at section %zu of %u", i, pe->nsections);
			break;
		}
		if (memcmp(r.p, zero, SECT_HDR_LEN) == 0) {
			pn_pe_note(c, "section header %zu is all zero", i);
			break;
		}
		pn_rd_bytes(&r, 8, &name);
		memcpy(s->name, name, 8);
		s->name[8] = '\0';
		pn_rd_le32(&r, &s->vsize);
		pn_rd_le32(&r, &s->vaddr);
		pn_rd_le32(&r, &s->raw_size);
		pn_rd_le32(&r, &s->raw_off);
		pn_rd_skip(&r, 12);
		pn_rd_le32(&r, &s->chars);
		if ((uint64_t)s->raw_off + s->raw_size > pe->size) {
			errs++;
			pn_pe_note(c, "section %zu (%s) raw data ends past the end of the file", i, s->name);
		}
		if (adj_ptr(pe, s->raw_off) > pe->size)
			errs++;
		if (s->vsize > 0x10000000u)
			errs++;
		if (adj_va(pe, s->vaddr) > 0x10000000u)
			errs++;
		if (pe->file_align != 0 && s->raw_off % pe->file_align != 0)
			errs++;
		if (errs >= 3) {
			pn_pe_note(c, "section %zu is too broken; section table not read further", i);
			break;
		}
		pe->nsect++;
	}
	if (pe->nsections == 0)
		pn_pe_note(c, "no sections");
}

static void
section_stats(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	size_t i;

	for (i = 0; i < pe->nsect; i++) {
		struct pn_pe_section *s = &pe->sections[i];
		pn_pe_stats(c, c->in.p + s->data_off, (size_t)s->data_len, 0, &s->st);
	}
}

/* ------------------------------------------------------ rich header */

/* The "Rich" header between the MS-DOS stub and the PE header, as pefile reads it. */
static void
parse_rich(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const uint8_t *d = c->in.p;
	uint64_t end = (uint64_t)pe->pe_off + 4 + COFF_LEN, at, len, i, ndw, ri = 0;
	uint32_t key, sum;
	uint8_t *clear;

	if (end > pe->size)
		end = pe->size;
	if (end < RICH_START + 4)
		return;
	for (at = RICH_START; at + 4 <= end; at++)
		if (memcmp(d + at, "Rich", 4) == 0)
			break;
	if (at + 4 > end)
		return;
	len = at + 8 <= pe->size ? at + 8 - RICH_START : pe->size - RICH_START;
	ndw = len / 4;
	for (i = 0; i < ndw; i++)
		if (pn_le32(d + RICH_START + 4 * i) == 0x68636952u)
			break;
	if (i == ndw || i + 1 >= ndw || ndw < 4)
		return;
	ri = i;
	key = pn_le32(d + RICH_START + 4 * (ri + 1));
	sum = pn_le32(d + RICH_START + 4);
	if ((pn_le32(d + RICH_START) ^ sum) != 0x536e6144u ||
	    pn_le32(d + RICH_START + 8) != sum || pn_le32(d + RICH_START + 12) != sum)
		return;
	/* clear data: the bytes before the first "Rich", xored with the key */
	len = at - RICH_START;
	clear = pn_xmalloc(len ? len : 1);
	for (i = 0; i < len; i++)
		clear[i] = d[RICH_START + i] ^ (uint8_t)(key >> (8 * (i % 4)));
	digest("md5", clear, len, pe->rich_hash);
	free(clear);
	pe->has_rich = 1;
	pe->rich_key = key;
	pe->rich = pn_xcalloc(PN_MIN((ndw - 4) / 2 + 1, PN_PE_MAX_RICH), sizeof(*pe->rich));
	for (i = 4; i + 1 < ndw; i += 2) {
		uint32_t id = pn_le32(d + RICH_START + 4 * i), cnt;
		if (id == 0x68636952u)
			break;
		if (pe->nrich >= PN_PE_MAX_RICH) {
			pn_pe_note_limit(c, "rich header: more than %d entries", PN_PE_MAX_RICH);
			break;
		}
		id ^= sum;
		cnt = pn_le32(d + RICH_START + 4 * (i + 1)) ^ sum;
		pe->rich[pe->nrich].prodid = (uint16_t)(id >> 16);
		pe->rich[pe->nrich].build = (uint16_t)id;
		pe->rich[pe->nrich].count = cnt;
		pe->nrich++;
	}
}

/* ------------------------------------------------- debug directory */

static void
codeview(struct pn_pe_ctx *c, struct pn_pe_debug *e)
{
	struct pn_rd r;
	const uint8_t *sig, *g, *nul;
	uint64_t off;
	size_t n;

	off = e->ptr;
	if (off == 0 && pn_pe_rva_off(c, e->rva, &off) != PN_OK)
		return;
	if (pn_rd_at(&c->in, off, PN_MIN(e->size, 24 + PN_PE_MAX_PDB_PATH), &r) != PN_OK) {
		pn_pe_note(c, "debug: CodeView data outside the file");
		return;
	}
	if (pn_rd_bytes(&r, 4, &sig) != PN_OK)
		return;
	if (memcmp(sig, "RSDS", 4) == 0) {
		if (pn_rd_bytes(&r, 16, &g) != PN_OK || pn_rd_le32(&r, &e->age) != PN_OK)
			return;
		snprintf(e->guid, sizeof(e->guid),
		    "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		    pn_le32(g), pn_le16(g + 4), pn_le16(g + 6), g[8], g[9], g[10], g[11], g[12],
		    g[13], g[14], g[15]);
	} else if (memcmp(sig, "NB10", 4) == 0) {
		if (pn_rd_skip(&r, 4) != PN_OK || pn_rd_le32(&r, &e->nb10_sig) != PN_OK ||
		    pn_rd_le32(&r, &e->age) != PN_OK)
			return;
	} else {
		return;
	}
	memcpy(e->cv_sig, sig, 4);
	n = PN_MIN(pn_rd_left(&r), PN_PE_MAX_PDB_PATH);
	nul = memchr(r.p, 0, n);
	if (nul)
		n = (size_t)(nul - r.p);
	e->pdb = pn_pe_clean((const char *)r.p, n);
}

static void
parse_debug(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_DEBUG];
	struct pn_rd r;
	size_t n, i;

	if (d->rva == 0 || d->size == 0)
		return;
	n = d->size / DEBUG_ENTRY_LEN;
	if (n > PN_PE_MAX_DEBUG) {
		pn_pe_note_limit(c, "debug directory: %zu entries, %d read", n, PN_PE_MAX_DEBUG);
		n = PN_PE_MAX_DEBUG;
	}
	if (pn_pe_rva(c, d->rva, (uint64_t)n * DEBUG_ENTRY_LEN, 0, &r) != PN_OK) {
		pn_pe_note(c, "debug directory RVA 0x%x maps nowhere", d->rva);
		return;
	}
	if (pn_rd_left(&r) < n * DEBUG_ENTRY_LEN) {
		pn_pe_note(c, "debug directory truncated");
		n = pn_rd_left(&r) / DEBUG_ENTRY_LEN;
	}
	pe->debug = pn_xcalloc(n ? n : 1, sizeof(*pe->debug));
	for (i = 0; i < n; i++) {
		struct pn_pe_debug *e = &pe->debug[i];
		pn_rd_skip(&r, 4);
		pn_rd_le32(&r, &e->timestamp);
		pn_rd_le16(&r, &e->major);
		pn_rd_le16(&r, &e->minor);
		pn_rd_le32(&r, &e->type);
		pn_rd_le32(&r, &e->size);
		pn_rd_le32(&r, &e->rva);
		pn_rd_le32(&r, &e->ptr);
		pe->ndebug++;
		if (e->type == DEBUG_TYPE_CODEVIEW)
			codeview(c, e);
	}
}

/* ---------------------------------------------------------------- TLS */

static void
parse_tls(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_TLS];
	unsigned w = pe->is64 ? 8 : 4;
	struct pn_rd r;
	uint64_t va = 0, v = 0;
	uint32_t v32 = 0;

	if (d->rva == 0)
		return;
	if (pn_pe_rva(c, d->rva, 4 * w, 0, &r) != PN_OK || pn_rd_left(&r) < 4 * w) {
		pn_pe_note(c, "TLS directory at RVA 0x%x is outside the file", d->rva);
		return;
	}
	pe->has_tls = 1;
	pn_rd_skip(&r, 3 * w);
	if (w == 8) {
		pn_rd_le64(&r, &va);
	} else {
		pn_rd_le32(&r, &v32);
		va = v32;
	}
	pe->tls_callbacks_va = va;
	if (va == 0)
		return;
	if (va < pe->image_base ||
	    pn_pe_rva(c, va - pe->image_base, (uint64_t)(PN_PE_MAX_TLS_CALLBACKS + 1) * w, 0, &r) != PN_OK) {
		pn_pe_note(c, "TLS callbacks at VA 0x%llx are outside the image", (unsigned long long)va);
		return;
	}
	pe->tls_callbacks = pn_xcalloc(PN_PE_MAX_TLS_CALLBACKS, sizeof(*pe->tls_callbacks));
	for (;;) {
		if (w == 8) {
			if (pn_rd_le64(&r, &v) != PN_OK)
				break;
		} else {
			if (pn_rd_le32(&r, &v32) != PN_OK)
				break;
			v = v32;
		}
		if (v == 0)
			break;
		if (pe->ntls_callbacks >= PN_PE_MAX_TLS_CALLBACKS) {
			pn_pe_note_limit(c, "more than %d TLS callbacks", PN_PE_MAX_TLS_CALLBACKS);
			break;
		}
		pe->tls_callbacks[pe->ntls_callbacks++] = v;
	}
}

/* ------------------------------------------------------------ .NET */

static void
parse_clr(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const struct pn_pe_dir *d = &pe->dirs[PE_DIR_CLR];
	struct pn_rd r;
	uint32_t cb = 0, md_rva = 0, md_size = 0, sig = 0, vlen = 0;
	const uint8_t *v = NULL, *nul;
	size_t n;

	if (d->rva == 0 || pe->ndirs <= PE_DIR_CLR)
		return;
	if (pn_pe_rva(c, d->rva, 24, 0, &r) != PN_OK || pn_rd_left(&r) < 24) {
		pn_pe_note(c, "CLR header at RVA 0x%x is outside the file", d->rva);
		return;
	}
	pn_rd_le32(&r, &cb);
	pn_rd_le16(&r, &pe->clr_major);
	pn_rd_le16(&r, &pe->clr_minor);
	pn_rd_le32(&r, &md_rva);
	pn_rd_le32(&r, &md_size);
	pn_rd_le32(&r, &pe->clr_flags);
	pe->has_clr = 1;
	if (pn_pe_rva(c, md_rva, 16 + PN_PE_MAX_CLR_VERSION, 0, &r) != PN_OK ||
	    pn_rd_le32(&r, &sig) != PN_OK || sig != 0x424a5342u) {
		pn_pe_note(c, "CLR metadata root not found");
		return;
	}
	if (pn_rd_skip(&r, 8) != PN_OK || pn_rd_le32(&r, &vlen) != PN_OK)
		return;
	n = PN_MIN(PN_MIN(vlen, pn_rd_left(&r)), PN_PE_MAX_CLR_VERSION);
	pn_rd_bytes(&r, n, &v);
	nul = memchr(v, 0, n);
	if (nul)
		n = (size_t)(nul - v);
	for (size_t i = 0; i < n; i++)
		pe->clr_version[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
	pe->clr_version[n] = '\0';
}

/* ---------------------------------------------------------- overlay */

static void
take_larger(uint64_t off, uint64_t size, uint64_t fsize, uint64_t *best)
{
	if (off + size <= fsize && off + size > *best)
		*best = off + size;
}

/* pefile's get_overlay_data_start_offset(): past everything headers describe. */
static void
find_overlay(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	uint64_t best = 0, off;
	size_t i, nd = PN_MIN(pe->ndirs & 0x7fffffffu, 16);

	if (pe->has_opt)
		take_larger((uint64_t)pe->pe_off + 4 + COFF_LEN, pe->opt_size, pe->size, &best);
	for (i = 0; i < pe->nsect; i++)
		take_larger(pe->sections[i].raw_off, pe->sections[i].raw_size, pe->size, &best);
	for (i = 0; i < nd; i++) {
		if (i == PE_DIR_SECURITY)
			continue;
		if (pn_pe_rva_off(c, pe->dirs[i].rva, &off) == PN_OK)
			take_larger(off, pe->dirs[i].size, pe->size, &best);
	}
	if (pe->size <= best)
		return;
	pe->has_overlay = 1;
	pe->overlay_off = best;
	pe->overlay_size = pe->size - best;
	pe->overlay_filetype = pn_pe_sniff(c->in.p + best, (size_t)pe->overlay_size);
	pn_pe_stats(c, c->in.p + best, (size_t)pe->overlay_size, 0, &pe->overlay);
}

/* --------------------------------------------------------- checksum */

/* The image checksum (as ImageHlp's CheckSumMappedFile and pefile compute it). */
static void
checksum(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	const uint8_t *d = c->in.p;
	uint64_t sum = 0, i, ndw = (pe->size + 3) / 4, skip = pe->checksum_off / 4;

	for (i = 0; i < ndw; i++) {
		uint32_t dw;
		if (i == skip)
			continue;
		if (4 * i + 4 <= pe->size) {
			dw = pn_le32(d + 4 * i);
		} else {
			uint8_t t[4] = { 0 };
			memcpy(t, d + 4 * i, (size_t)(pe->size - 4 * i));
			dw = pn_le32(t);
		}
		sum += dw;
		if (sum >= (1ULL << 32))
			sum = (sum & 0xffffffffu) + (sum >> 32);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = sum + (sum >> 16);
	sum &= 0xffff;
	pe->checksum_calc = (uint32_t)(sum + pe->size);
}

/* ---------------------------------------------------- packer hints */

static const struct {
	const char *section;
	const char *packer;
} packer_sections[] = {
	{ "UPX0", "UPX" }, { "UPX1", "UPX" }, { "UPX2", "UPX" }, { ".UPX0", "UPX" },
	{ ".aspack", "ASPack" }, { ".adata", "ASPack" }, { ".MPRESS1", "MPRESS" },
	{ ".MPRESS2", "MPRESS" }, { ".petite", "Petite" }, { "PEC2", "PECompact" },
	{ "pec1", "PECompact" }, { "PEC2TO", "PECompact" }, { ".themida", "Themida" },
	{ ".winlice", "WinLicense" }, { ".vmp0", "VMProtect" }, { ".vmp1", "VMProtect" },
	{ ".nsp0", "NsPack" }, { ".nsp1", "NsPack" }, { "FSG!", "FSG" }, { ".enigma1", "Enigma" },
	{ ".enigma2", "Enigma" }, { "kkrunchy", "kkrunchy" }, { ".MEW", "MEW" },
	{ "PELOCKnt", "PELock" }, { ".perplex", "Perplex" }, { ".yP", "Y0da Protector" },
	{ ".y0da", "Y0da Protector" }, { "ExeS", "EXE Stealth" }, { ".packed", "RLPack" },
	{ ".RLPack", "RLPack" }, { ".boom", "The Boomerang" }, { "BitArts", "Crunch" },
};

static int
is_loader_import(const char *name)
{
	return strncmp(name, "LoadLibrary", 11) == 0;
}

static void
packer_hints(struct pn_pe_ctx *c)
{
	struct pn_pe *pe = c->pe;
	size_t i, j, nexec = 0;
	int ll = 0, gpa = 0;

	for (i = 0; i < pe->nsect; i++) {
		const struct pn_pe_section *s = &pe->sections[i];
		for (j = 0; j < PN_ARRAY_LEN(packer_sections) && pe->packer == NULL; j++)
			if (strcmp(s->name, packer_sections[j].section) == 0) {
				pe->packer = packer_sections[j].packer;
				pe->hints |= PN_PE_HINT_PACKER_SECTION;
			}
		if (s->chars & PE_SCN_MEM_EXECUTE) {
			nexec++;
			if (s->st.done && s->st.entropy > 7.0 && s->data_len >= 512)
				pe->hints |= PN_PE_HINT_HIGH_ENTROPY_X;
			if (s->chars & PE_SCN_MEM_WRITE)
				pe->hints |= PN_PE_HINT_WX_SECTION;
		}
	}
	for (i = 0; i < pe->nimports; i++)
		for (j = 0; j < pe->imports[i].nfuncs; j++) {
			const char *n = pe->imports[i].funcs[j].name;
			if (n && is_loader_import(n))
				ll = 1;
			if (n && strncmp(n, "GetProcAddress", 14) == 0)
				gpa = 1;
		}
	if (ll && gpa && pe->nimport_funcs < 20)
		pe->hints |= PN_PE_HINT_FEW_IMPORTS;
	if (pe->has_opt && pe->entry_point != 0) {
		if (pe->entry_section < 0 ||
		    !(pe->sections[pe->entry_section].chars & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE)))
			pe->hints |= PN_PE_HINT_EP_OUTSIDE;
		else if (pe->nsect > 1 && (size_t)pe->entry_section == pe->nsect - 1 &&
		    !(pe->characteristics & PE_FILE_DLL))
			pe->hints |= PN_PE_HINT_EP_LAST_SECTION;
	}
	if (pe->dirs[PE_DIR_IMPORT].rva == 0 && !(pe->characteristics & PE_FILE_DLL) && nexec > 0)
		pe->hints |= PN_PE_HINT_NO_IMPORTS;
}

/* ------------------------------------------------------------ parse */

int
pn_pe_parse(const uint8_t *data, size_t size, struct pn_pe *pe)
{
	return pn_pe_parse_ex(data, size, 0, pe);
}

int
pn_pe_parse_ex(const uint8_t *data, size_t size, unsigned flags, struct pn_pe *pe)
{
	struct pn_pe_ctx c;
	int full = !(flags & PN_PE_PARSE_STRUCTURE);

	memset(pe, 0, sizeof(*pe));
	memset(&c, 0, sizeof(c));
	c.flags = flags;
	pe->size = size;
	pe->entry_section = -1;
	c.pe = pe;
	c.in = pn_rd_make(data, data ? size : 0);
	if (data == NULL || parse_headers(&c) != PN_OK)
		return PN_EFORMAT;
	parse_sections(&c);
	build_map(&c);
	if (pe->has_opt)
		pe->entry_section = pn_pe_rva_section(&c, pe->entry_point);
	section_stats(&c);
	parse_rich(&c);
	pn_pe_parse_imports(&c);
	pn_pe_parse_exports(&c);
	if (full)
		pn_pe_parse_resources(&c);
	parse_debug(&c);
	parse_tls(&c);
	parse_clr(&c);
	find_overlay(&c);
	if (full) {
		checksum(&c);
		pn_pe_parse_signature(&c);
		pn_pe_authentihash(&c);
	}
	packer_hints(&c);
	free(c.byva);
	free(c.lo);
	free(c.hi);
	free(c.va_adj);
	free(c.ptr_adj);
	if (pe->malformed)
		return PN_EFORMAT;
	return pe->limited ? PN_ELIMIT : PN_OK;
}

void
pn_pe_free(struct pn_pe *pe)
{
	size_t i;

	if (pe == NULL)
		return;
	free(pe->sections);
	pn_pe_import_free(pe);
	pn_pe_resource_free(pe);
	pn_pe_sig_free(pe);
	free(pe->rich);
	for (i = 0; i < pe->ndebug; i++)
		free(pe->debug[i].pdb);
	free(pe->debug);
	free(pe->tls_callbacks);
	for (i = 0; i < pe->nnotes; i++)
		free(pe->notes[i]);
	free(pe->notes);
	memset(pe, 0, sizeof(*pe));
}
