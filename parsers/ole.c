/*
 * ole.c - the OLE2 compound file reader (ole.h) and the "ole" parser:
 * office_info (entries, summary_info, document_summary_info, ole.macros)
 * and ole_info (structure, embedded objects, anomalies) for any file that
 * starts with D0 CF 11 E0 A1 B1 1A E1.
 *
 * Reader: the input is borrowed; sector s lives at (s + 1) << shift and a
 * sector cut short by the end of the file reads as what is there.  FAT
 * sectors come from the header DIFAT and the DIFAT chain, and FAT entries
 * are looked up in place (no copy of the FAT).  Chains are followed with
 * a per-sector generation mark (seen[]) so a loop is noticed on its first
 * repeat; every walk is also bounded by the length it needs.  The
 * directory trees are walked iteratively (explicit stack) with a visited
 * byte per entry, so loops and shared subtrees cannot recurse or repeat.
 *
 * Parser: see docs/internals/office.md for the attribute shapes.  VBA
 * macros are found and described by vba.c (pn_vba_extract()).
 *
 * Limits: ole.h (PN_OLE_*), vba.h (PN_VBA_*).
 * Errors: malformed files keep whatever could be read, with notes; the
 * parser returns PN_EFORMAT then (PN_ELIMIT when a limit cut it short).
 * Spec: [MS-CFB] 2.2-2.6; [MS-OLEPS] 2.2-2.21 (property sets; PIDSI and
 * PIDDSI ids from 2.24-2.25); [MS-OLEDS] 2.3.6 and oletools' oleobj.py
 * for the Ole10Native layout.
 * See also: ole.h, vba.c, docs/internals/office.md, tests/unit/test_ole.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ole.h"
#include "vba.h"
#include "parser.h"
#include "rd.h"
#include "hash.h"
#include "utf8.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ASCII case-insensitive comparisons (locale-free, as [MS-CFB] and OPC fold names). */
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

/* [MS-CFB] 2.1: special sector numbers. */
#define MAXREGSECT   0xFFFFFFFAu
#define DIFSECT      0xFFFFFFFCu
#define FATSECT      0xFFFFFFFDu
#define ENDOFCHAIN   0xFFFFFFFEu
#define FREESECT     0xFFFFFFFFu

#define HDR_SIZE     512
#define DIRENT_SIZE  128
#define MINI_CUTOFF  4096u     /* [MS-CFB] 2.2: "MUST be set to 0x00001000" */
#define HDR_DIFAT    109

static const uint8_t ole_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

struct pn_ole {
	const uint8_t *data;        /* the file, borrowed */
	size_t size;
	unsigned major, minor;      /* header versions */
	unsigned sshift, mshift;    /* sector and mini sector shifts */
	size_t ssize, msize;        /* sector and mini sector sizes */
	uint32_t nsect;             /* sectors starting inside the file */
	uint32_t *fatsec;           /* FAT sector ids (FREESECT for bad ones) */
	uint32_t nfatsec;
	uint32_t *minifat;          /* mini FAT sector ids */
	uint32_t nminifat;
	uint32_t *ministream;       /* sector ids of the mini stream */
	uint32_t nministream;
	uint64_t ministream_size;   /* bytes of it usable */
	struct pn_ole_entry *ents;  /* directory entries */
	uint32_t nents;
	uint32_t *order;            /* reachable entries in walk order */
	uint32_t norder;
	uint32_t *seen;             /* per-sector mark: == gen when met in this walk */
	uint32_t gen;
	unsigned nnotes;
	char notes[PN_OLE_MAX_NOTES][PN_OLE_MAX_NOTE];
};

static void ole_note(struct pn_ole *ole, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
ole_note(struct pn_ole *ole, const char *fmt, ...)
{
	char msg[PN_OLE_MAX_NOTE * 4];
	va_list ap;

	if (ole->nnotes >= PN_OLE_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pn_ole_utf8_cut(ole->notes[ole->nnotes++], PN_OLE_MAX_NOTE, msg);
}

/* ------------------------------------------------------------------ */
/* text helpers                                                        */

static size_t
put_utf8(char *out, size_t outlen, size_t at, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (outlen == 0 || at + n > outlen - 1)
		return 0;
	memcpy(out + at, b, n);
	return n;
}

size_t
pn_ole_utf16(const uint8_t *in, size_t units, char *out, size_t outlen)
{
	size_t i, at = 0, n;

	if (outlen == 0)
		return 0;
	for (i = 0; i < units; i++) {
		uint32_t u = pn_le16(in + 2 * i);
		if (u == 0)
			break;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
			uint32_t lo = pn_le16(in + 2 * i + 2);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			} else
				u = 0xFFFD;
		} else if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		n = put_utf8(out, outlen, at, u);
		if (n == 0)
			break;
		at += n;
	}
	out[at] = '\0';
	return at;
}

size_t
pn_ole_utf8_cut(char *out, size_t outlen, const char *src)
{
	size_t n = strlen(src);

	if (outlen == 0)
		return 0;
	if (n >= outlen) {
		n = outlen - 1;
		/* src[n] is the first byte left out: back up to a character start */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, src, n);
	out[n] = '\0';
	return n;
}

/* windows-1252 0x80-0x9F; the five holes map to their C1 controls. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

char *
pn_ole_mbcs(const uint8_t *in, size_t n, unsigned codepage)
{
	char *out;
	size_t i, at = 0;

	if (codepage == 65001)      /* (pn_utf8_clean() of 0 bytes is not terminated) */
		return n ? pn_utf8_clean((const char *)in, n) : pn_xstrdup("");
	if (n > (SIZE_MAX - 1) / 3)
		n = (SIZE_MAX - 1) / 3;
	out = pn_xmalloc(n * 3 + 1);
	for (i = 0; i < n; i++) {
		uint32_t c = in[i];
		if (c == 0)
			c = 0xFFFD;
		else if (c >= 0x80 && c < 0xA0)
			c = cp1252_high[c - 0x80];
		at += put_utf8(out, n * 3 + 1, at, c);
	}
	out[at] = '\0';
	return out;
}

void
pn_ole_clsid_str(const uint8_t c[16], char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    (unsigned)pn_le32(c), (unsigned)pn_le16(c + 4), (unsigned)pn_le16(c + 6),
	    c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]);
}

/* ------------------------------------------------------------------ */
/* sectors and chains                                                  */

/* Sector s: a reader over its bytes inside the file (short at EOF). */
static int
sector_rd(const struct pn_ole *ole, uint32_t s, struct pn_rd *out)
{
	struct pn_rd all = pn_rd_make(ole->data, ole->size);
	uint64_t off;
	size_t len;

	if (s >= ole->nsect)
		return PN_EFORMAT;
	off = ((uint64_t)s + 1) << ole->sshift;
	len = ole->ssize;
	if (off >= ole->size)
		return PN_EFORMAT;
	if (len > ole->size - off)
		len = (size_t)(ole->size - off);
	return pn_rd_at(&all, off, len, out);
}

/* u32 number i of sector s, or FREESECT when it is not in the file. */
static uint32_t
sector_u32(const struct pn_ole *ole, uint32_t s, size_t i)
{
	struct pn_rd r, v;

	if (sector_rd(ole, s, &r) != PN_OK || pn_rd_at(&r, (uint64_t)i * 4, 4, &v) != PN_OK)
		return FREESECT;
	return pn_le32(v.p);
}

static uint32_t
fat_next(const struct pn_ole *ole, uint32_t s)
{
	size_t per = ole->ssize / 4;
	uint32_t idx = (uint32_t)(s / per);

	if (idx >= ole->nfatsec || ole->fatsec[idx] == FREESECT)
		return FREESECT;
	return sector_u32(ole, ole->fatsec[idx], s % per);
}

static uint32_t
minifat_next(const struct pn_ole *ole, uint32_t m)
{
	size_t per = ole->ssize / 4;
	uint32_t idx = (uint32_t)(m / per);

	if (idx >= ole->nminifat)
		return FREESECT;
	return sector_u32(ole, ole->minifat[idx], m % per);
}

static void
walk_begin(struct pn_ole *ole)
{
	if (++ole->gen == 0) {
		memset(ole->seen, 0, (size_t)ole->nsect * sizeof(*ole->seen));
		ole->gen = 1;
	}
}

/* Mark s as met in this walk: PN_EFORMAT when out of the file or met before. */
static int
walk_visit(struct pn_ole *ole, uint32_t s)
{
	if (s >= ole->nsect)
		return PN_EFORMAT;
	if (ole->seen[s] == ole->gen)
		return PN_EEXIST;
	ole->seen[s] = ole->gen;
	return PN_OK;
}

static const char *
sect_name(uint32_t s)
{
	switch (s) {
	case FREESECT: return "a free sector";
	case ENDOFCHAIN: return "end of chain";
	case FATSECT: return "a FAT sector mark";
	case DIFSECT: return "a DIFAT sector mark";
	default: return s > MAXREGSECT ? "a reserved value" : "a sector outside the file";
	}
}

/*
 * Collect the chain from start into a new array (at most max sectors).
 * Stops at ENDOFCHAIN, at a bad sector number or at a loop (noted).
 */
static uint32_t *
chain_collect(struct pn_ole *ole, uint32_t start, uint32_t max, uint32_t *n,
    const char *what)
{
	uint32_t *v, cap = 16, k = 0, s = start;
	int rc;

	*n = 0;
	if (start == ENDOFCHAIN || start == FREESECT || max == 0)
		return NULL;
	v = pn_xmalloc(cap * sizeof(*v));
	walk_begin(ole);
	while (s != ENDOFCHAIN) {
		if (k == max) {
			ole_note(ole, "%s chain longer than %u sectors, cut", what, max);
			break;
		}
		if ((rc = walk_visit(ole, s)) != PN_OK) {
			if (rc == PN_EEXIST)
				ole_note(ole, "%s chain loops at sector %u", what, s);
			else
				ole_note(ole, "%s chain reaches %s (0x%x)", what, sect_name(s), s);
			break;
		}
		if (k == cap) {
			cap = cap * 2 > max ? max : cap * 2;
			v = pn_xrealloc(v, (size_t)cap * sizeof(*v));
		}
		v[k++] = s;
		s = fat_next(ole, s);
	}
	*n = k;
	if (k == 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* header, FAT, directory                                              */

static int
read_header(struct pn_ole *ole, struct pn_rd *h)
{
	uint16_t minor, major, order, sshift, mshift;
	const uint8_t *magic;

	if (pn_rd_bytes(h, 8, &magic) != PN_OK || memcmp(magic, ole_magic, 8) != 0)
		return PN_EFORMAT;
	pn_rd_skip(h, 16);                      /* header CLSID */
	pn_rd_le16(h, &minor);
	pn_rd_le16(h, &major);
	pn_rd_le16(h, &order);
	pn_rd_le16(h, &sshift);
	if (pn_rd_le16(h, &mshift) != PN_OK)
		return PN_EFORMAT;
	ole->minor = minor;
	ole->major = major;
	if (major != 3 && major != 4)
		ole_note(ole, "header: major version %u (3 or 4 expected)", major);
	if (order != 0xFFFE)
		ole_note(ole, "header: byte order mark 0x%04x", order);
	/* [MS-CFB] 2.2: 9 for version 3, 12 for version 4; others are refused
	 * by Office but cost nothing to read. */
	if (sshift < 7 || sshift > 16 || mshift < 2 || mshift >= sshift)
		return PN_EFORMAT;
	if ((major == 3 && sshift != 9) || (major == 4 && sshift != 12) || mshift != 6)
		ole_note(ole, "header: sector shift %u, mini sector shift %u", sshift, mshift);
	ole->sshift = sshift;
	ole->mshift = mshift;
	ole->ssize = (size_t)1 << sshift;
	ole->msize = (size_t)1 << mshift;
	if (ole->size <= ole->ssize)
		return PN_EFORMAT;
	ole->nsect = (uint32_t)PN_MIN((ole->size - ole->ssize + ole->ssize - 1) >> sshift,
	    (uint64_t)MAXREGSECT);
	return PN_OK;
}

/* Append FAT sector id s (FREESECT if it is unusable; the first bad one is noted). */
static void
fat_add(struct pn_ole *ole, uint32_t s, uint32_t cap, uint32_t *bad)
{
	if (ole->nfatsec >= cap)
		return;
	if (s >= ole->nsect) {
		if ((*bad)++ == 0)
			ole_note(ole, "FAT sector %u: %s (0x%x)", ole->nfatsec, sect_name(s), s);
		s = FREESECT;
	}
	ole->fatsec[ole->nfatsec++] = s;
}

static void
read_difat(struct pn_ole *ole, const uint8_t *hdr, uint32_t nfat, uint32_t difat_start,
    uint32_t ndifat)
{
	size_t per = ole->ssize / 4 - 1, i;
	uint32_t cap, s = difat_start, k, bad = 0;
	int rc;

	/* Never more FAT sectors than sectors in the file. */
	cap = PN_MIN(nfat, ole->nsect);
	if (nfat > cap)
		ole_note(ole, "header: %u FAT sectors declared, %u sectors in the file", nfat, ole->nsect);
	ole->fatsec = pn_xmalloc(((size_t)cap + 1) * sizeof(uint32_t));
	for (i = 0; i < HDR_DIFAT && ole->nfatsec < cap; i++)
		fat_add(ole, pn_le32(hdr + 76 + 4 * i), cap, &bad);
	walk_begin(ole);
	for (k = 0; ole->nfatsec < cap && s != ENDOFCHAIN && s != FREESECT; k++) {
		if (k >= ndifat) {
			ole_note(ole, "DIFAT chain longer than the %u sectors declared", ndifat);
			break;
		}
		if ((rc = walk_visit(ole, s)) != PN_OK) {
			ole_note(ole, rc == PN_EEXIST ? "DIFAT chain loops at sector %u" :
			    "DIFAT chain reaches a sector outside the file (0x%x)", s);
			break;
		}
		for (i = 0; i < per && ole->nfatsec < cap; i++)
			fat_add(ole, sector_u32(ole, s, i), cap, &bad);
		s = sector_u32(ole, s, per);
	}
	if (bad > 1)
		ole_note(ole, "FAT: %u of %u sector ids unusable", bad, ole->nfatsec);
	if (ole->nfatsec < cap)
		ole_note(ole, "FAT: %u of %u sectors found", ole->nfatsec, cap);
}

static void
parse_entry(const struct pn_ole *ole, struct pn_rd *r, struct pn_ole_entry *e)
{
	const uint8_t *name, *clsid;
	uint16_t nlen;
	uint8_t type, color;
	uint32_t state;

	pn_rd_bytes(r, 64, &name);
	pn_rd_le16(r, &nlen);
	pn_rd_u8(r, &type);
	pn_rd_u8(r, &color);
	pn_rd_le32(r, &e->left);
	pn_rd_le32(r, &e->right);
	pn_rd_le32(r, &e->child);
	pn_rd_bytes(r, 16, &clsid);
	pn_rd_le32(r, &state);
	pn_rd_le64(r, &e->ctime);
	pn_rd_le64(r, &e->mtime);
	pn_rd_le32(r, &e->start);
	pn_rd_le64(r, &e->size);
	/* The name length counts bytes with the terminating NUL, at most 64. */
	if (nlen > 64)
		nlen = 64;
	pn_ole_utf16(name, nlen / 2, e->name, sizeof(e->name));
	memcpy(e->clsid, clsid, 16);
	e->type = (type == PN_OLE_STORAGE || type == PN_OLE_STREAM || type == PN_OLE_ROOT) ?
	    type : PN_OLE_UNUSED;
	/* [MS-CFB] 2.6.3: in version 3 files the high 32 bits may hold garbage. */
	if (ole->major != 4)
		e->size &= 0xFFFFFFFFu;
	e->parent = PN_OLE_NOSTREAM;
}

static void
read_directory(struct pn_ole *ole, uint32_t start)
{
	uint32_t *secs, nsecs, i, per = (uint32_t)(ole->ssize / DIRENT_SIZE), j;
	uint32_t maxsecs = (PN_OLE_MAX_ENTRIES + per - 1) / per;

	/* A chain past maxsecs is noted by chain_collect() ("... cut"). */
	secs = chain_collect(ole, start, PN_MIN(maxsecs, ole->nsect), &nsecs, "directory");
	ole->ents = pn_xcalloc((size_t)nsecs * per + 1, sizeof(*ole->ents));
	for (i = 0; i < nsecs; i++) {
		struct pn_rd r, e;
		if (sector_rd(ole, secs[i], &r) != PN_OK)
			break;
		for (j = 0; j < per; j++) {
			if (pn_rd_at(&r, (uint64_t)j * DIRENT_SIZE, DIRENT_SIZE, &e) != PN_OK)
				break;
			parse_entry(ole, &e, &ole->ents[ole->nents++]);
		}
	}
	free(secs);
}

/* ------------------------------------------------------------------ */
/* directory tree walk                                                 */

/* Visit the tree of storage `st`'s children in order; queue storages. */
static void
walk_storage(struct pn_ole *ole, uint32_t st, uint8_t *visited, uint32_t *stack,
    uint32_t *queue, uint32_t *qtail)
{
	uint32_t cur = ole->ents[st].child, sp = 0;
	struct pn_ole_entry *e;

	for (;;) {
		while (cur != PN_OLE_NOSTREAM) {
			if (cur >= ole->nents) {
				ole_note(ole, "directory: entry %u points to entry %u (of %u)", st, cur, ole->nents);
				break;
			}
			if (visited[cur]) {
				ole_note(ole, "directory: entry %u reached twice (loop)", cur);
				break;
			}
			visited[cur] = 1;
			stack[sp++] = cur;
			cur = ole->ents[cur].left;
		}
		if (sp == 0)
			break;
		cur = stack[--sp];
		e = &ole->ents[cur];
		e->parent = st;
		e->depth = (uint8_t)(ole->ents[st].depth + 1);
		e->reachable = 1;
		ole->order[ole->norder++] = cur;
		if (e->type == PN_OLE_UNUSED)
			ole_note(ole, "directory: unused entry %u in the tree of entry %u", cur, st);
		if (e->type == PN_OLE_STORAGE || e->type == PN_OLE_ROOT) {
			if (e->depth >= PN_OLE_MAX_DEPTH)
				ole_note(ole, "directory: storages nested deeper than %d", PN_OLE_MAX_DEPTH);
			else
				queue[(*qtail)++] = cur;
		}
		cur = e->right;
	}
}

static void
walk_directory(struct pn_ole *ole)
{
	uint8_t *visited;
	uint32_t *stack, *queue, qhead = 0, qtail = 0;

	if (ole->nents == 0) {
		ole_note(ole, "directory: no entries");
		return;
	}
	if (ole->ents[0].type != PN_OLE_ROOT)
		ole_note(ole, "directory: entry 0 is not the root storage");
	visited = pn_xcalloc(ole->nents, 1);
	stack = pn_xmalloc((size_t)ole->nents * sizeof(*stack));
	queue = pn_xmalloc((size_t)ole->nents * sizeof(*queue));
	ole->order = pn_xmalloc((size_t)ole->nents * sizeof(*ole->order));
	visited[0] = 1;
	ole->ents[0].reachable = 1;
	ole->order[ole->norder++] = 0;
	queue[qtail++] = 0;
	while (qhead < qtail)
		walk_storage(ole, queue[qhead++], visited, stack, queue, &qtail);
	free(visited);
	free(stack);
	free(queue);
}

/* ------------------------------------------------------------------ */
/* open / accessors                                                    */

int
pn_ole_open(const uint8_t *data, size_t size, struct pn_ole **out)
{
	struct pn_rd h;
	struct pn_ole *ole;
	const uint8_t *hdr = data;
	uint32_t ndirsect, nfat, dirstart, txsig, cutoff, mfstart, nmf, difstart, ndif;

	*out = NULL;
	if (data == NULL || size < HDR_SIZE)
		return PN_EFORMAT;
	h = pn_rd_make(data, size);
	ole = pn_xcalloc(1, sizeof(*ole));
	ole->data = data;
	ole->size = size;
	if (read_header(ole, &h) != PN_OK) {
		pn_ole_free(ole);
		return PN_EFORMAT;
	}
	pn_rd_skip(&h, 6);                      /* reserved */
	pn_rd_le32(&h, &ndirsect);
	pn_rd_le32(&h, &nfat);
	pn_rd_le32(&h, &dirstart);
	pn_rd_le32(&h, &txsig);
	pn_rd_le32(&h, &cutoff);
	pn_rd_le32(&h, &mfstart);
	pn_rd_le32(&h, &nmf);
	pn_rd_le32(&h, &difstart);
	if (pn_rd_le32(&h, &ndif) != PN_OK) {
		pn_ole_free(ole);
		return PN_EFORMAT;
	}
	if (cutoff != MINI_CUTOFF)
		ole_note(ole, "header: mini stream cutoff %u (4096 used)", cutoff);
	ole->seen = pn_xcalloc((size_t)ole->nsect + 1, sizeof(*ole->seen));
	read_difat(ole, hdr, nfat, difstart, ndif);
	read_directory(ole, dirstart);
	if (ole->nents > 0) {
		struct pn_ole_entry *root = &ole->ents[0];
		uint64_t need = (root->size + ole->ssize - 1) >> ole->sshift;
		ole->ministream = chain_collect(ole, root->start, (uint32_t)PN_MIN(need, ole->nsect),
		    &ole->nministream, "mini stream");
		ole->ministream_size = PN_MIN(root->size, (uint64_t)ole->nministream << ole->sshift);
		if (root->size > 0 && ole->ministream_size < root->size)
			ole_note(ole, "mini stream: %llu of %llu bytes reachable",
			    (unsigned long long)ole->ministream_size, (unsigned long long)root->size);
	}
	/* The chain decides, not the declared count (which some writers get wrong). */
	ole->minifat = chain_collect(ole, mfstart, ole->nsect, &ole->nminifat, "mini FAT");
	if (ole->nminifat != nmf)
		ole_note(ole, "mini FAT: %u sectors in the chain, %u declared", ole->nminifat, nmf);
	walk_directory(ole);
	*out = ole;
	return PN_OK;
}

void
pn_ole_free(struct pn_ole *ole)
{
	if (ole == NULL)
		return;
	free(ole->fatsec);
	free(ole->minifat);
	free(ole->ministream);
	free(ole->ents);
	free(ole->order);
	free(ole->seen);
	free(ole);
}

unsigned pn_ole_version(const struct pn_ole *ole) { return ole->major; }
unsigned pn_ole_sector_size(const struct pn_ole *ole) { return (unsigned)ole->ssize; }
uint32_t pn_ole_count(const struct pn_ole *ole) { return ole->nents; }
uint32_t pn_ole_reachable(const struct pn_ole *ole) { return ole->norder; }
unsigned pn_ole_notes(const struct pn_ole *ole) { return ole->nnotes; }

const struct pn_ole_entry *
pn_ole_entry(const struct pn_ole *ole, uint32_t i)
{
	return i < ole->nents ? &ole->ents[i] : NULL;
}

uint32_t
pn_ole_order(const struct pn_ole *ole, uint32_t i)
{
	return i < ole->norder ? ole->order[i] : PN_OLE_NOSTREAM;
}

const char *
pn_ole_note(const struct pn_ole *ole, unsigned i)
{
	return i < ole->nnotes ? ole->notes[i] : NULL;
}

uint32_t
pn_ole_child(const struct pn_ole *ole, uint32_t parent, const char *name)
{
	uint32_t i;

	for (i = 0; i < ole->norder; i++) {
		const struct pn_ole_entry *e = &ole->ents[ole->order[i]];
		if (e->parent == parent && ci_cmp(e->name, name) == 0)
			return ole->order[i];
	}
	return PN_OLE_NOSTREAM;
}

void
pn_ole_path(const struct pn_ole *ole, uint32_t id, char *out, size_t outlen)
{
	uint32_t chain[PN_OLE_MAX_DEPTH + 1];
	unsigned n = 0;
	size_t at = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	while (id < ole->nents && ole->ents[id].parent != PN_OLE_NOSTREAM && n <= PN_OLE_MAX_DEPTH) {
		chain[n++] = id;
		id = ole->ents[id].parent;
	}
	while (n > 0) {
		const char *nm = ole->ents[chain[--n]].name;
		int w = snprintf(out + at, outlen - at, "%s%s", at ? "/" : "", nm);
		if (w < 0 || (size_t)w >= outlen - at) {
			out[at] = '\0';        /* whole components only */
			break;
		}
		at += (size_t)w;
	}
}

/* ------------------------------------------------------------------ */
/* stream reading                                                      */

static size_t
read_regular(struct pn_ole *ole, const struct pn_ole_entry *e, uint8_t *buf, size_t want,
    int *broken)
{
	uint32_t s = e->start;
	size_t got = 0;
	int rc;

	walk_begin(ole);
	while (got < want) {
		struct pn_rd r;
		size_t n, need = PN_MIN(ole->ssize, want - got);
		if ((rc = walk_visit(ole, s)) != PN_OK) {
			ole_note(ole, rc == PN_EEXIST ? "stream \"%s\": chain loops at sector 0x%x" :
			    "stream \"%s\": chain reaches a bad sector (0x%x)", e->name, s);
			*broken = 1;
			break;
		}
		if (sector_rd(ole, s, &r) != PN_OK) {
			*broken = 1;
			break;
		}
		n = PN_MIN(pn_rd_left(&r), need);
		memcpy(buf + got, r.p, n);
		got += n;
		if (n < need) {
			ole_note(ole, "stream \"%s\": cut by the end of the file", e->name);
			*broken = 1;
			break;
		}
		s = fat_next(ole, s);
	}
	return got;
}

static size_t
read_mini(struct pn_ole *ole, const struct pn_ole_entry *e, uint8_t *buf, size_t want,
    int *broken)
{
	uint32_t m = e->start, met[MINI_CUTOFF / 4];
	size_t got = 0, nmet = 0, i;
	struct pn_rd all = pn_rd_make(ole->data, ole->size), r;

	while (got < want) {
		uint64_t off = (uint64_t)m << ole->mshift, in;
		size_t n = PN_MIN(ole->msize, want - got);
		uint32_t sidx;
		for (i = 0; i < nmet && met[i] != m; i++)
			;
		if (i < nmet || nmet == PN_ARRAY_LEN(met) || m > MAXREGSECT ||
		    off + ole->msize > ole->ministream_size) {
			ole_note(ole, "stream \"%s\": mini chain %s at 0x%x", e->name,
			    i < nmet ? "loops" : "breaks", m);
			*broken = 1;
			break;
		}
		met[nmet++] = m;
		sidx = (uint32_t)(off >> ole->sshift);
		in = ((uint64_t)ole->ministream[sidx] + 1) << ole->sshift | (off & (ole->ssize - 1));
		if (pn_rd_at(&all, in, n, &r) != PN_OK) {
			ole_note(ole, "stream \"%s\": mini sector 0x%x past the end of the file", e->name, m);
			*broken = 1;
			break;
		}
		memcpy(buf + got, r.p, n);
		got += n;
		m = minifat_next(ole, m);
	}
	return got;
}

int
pn_ole_read(struct pn_ole *ole, uint32_t id, size_t max, uint8_t **out, size_t *outlen)
{
	const struct pn_ole_entry *e;
	uint64_t cap, want;
	int mini, broken = 0;
	uint8_t *buf;
	size_t got;

	*out = NULL;
	*outlen = 0;
	if (id >= ole->nents)
		return PN_EINVAL;
	e = &ole->ents[id];
	if (e->type != PN_OLE_STREAM && !(e->type == PN_OLE_ROOT && id == 0))
		return PN_EINVAL;
	mini = e->type == PN_OLE_STREAM && e->size < MINI_CUTOFF;
	/* Never allocate more than the file can hold for it. */
	cap = mini ? ole->ministream_size : (uint64_t)ole->nsect << ole->sshift;
	want = PN_MIN(PN_MIN(e->size, (uint64_t)max), cap);
	if (want == 0)
		return e->size > 0 && max > 0 ? PN_EFORMAT : (e->size > max ? PN_ELIMIT : PN_OK);
	buf = pn_xmalloc((size_t)want);
	got = mini ? read_mini(ole, e, buf, (size_t)want, &broken) :
	    read_regular(ole, e, buf, (size_t)want, &broken);
	if (got == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*outlen = got;
	if (broken || want < PN_MIN(e->size, (uint64_t)max))
		return PN_EFORMAT;
	return e->size > max ? PN_ELIMIT : PN_OK;
}

/* ------------------------------------------------------------------ */
/* property sets ([MS-OLEPS])                                          */

enum { VT_I2 = 0x02, VT_I4 = 0x03, VT_BOOL = 0x0B, VT_UI4 = 0x13, VT_LPSTR = 0x1E,
	VT_LPWSTR = 0x1F, VT_FILETIME = 0x40 };

struct prop_name {
	uint32_t pid;
	const char *name;
};

/* PIDSI_* ([MS-OLEPS] 2.25.1), named as in VirusTotal's summary_info. */
static const struct prop_name summary_names[] = {
	{ 2, "title" }, { 3, "subject" }, { 4, "author" }, { 5, "keywords" },
	{ 6, "comments" }, { 7, "template" }, { 8, "last_author" }, { 9, "revision_number" },
	{ 10, "edit_time" }, { 11, "last_printed" }, { 12, "creation_datetime" },
	{ 13, "last_saved" }, { 14, "page_count" }, { 15, "word_count" },
	{ 16, "character_count" }, { 18, "application_name" }, { 19, "security" },
	{ 0, NULL }
};

/* PIDDSI_* ([MS-OLEPS] 2.25.2), named as in VirusTotal's document_summary_info. */
static const struct prop_name docsummary_names[] = {
	{ 2, "category" }, { 3, "presentation_format" }, { 4, "byte_count" },
	{ 5, "line_count" }, { 6, "paragraph_count" }, { 7, "slide_count" },
	{ 8, "note_count" }, { 9, "hidden_count" }, { 10, "multimedia_clip_count" },
	{ 11, "scale" }, { 14, "manager" }, { 15, "company" }, { 16, "links_dirty" },
	{ 17, "characters_with_spaces" }, { 19, "shared_document" },
	{ 22, "hyperlinks_changed" }, { 23, "version" },
	{ 0, NULL }
};

static const struct {
	unsigned cp;
	const char *name;
} codepages[] = {
	{ 874, "Thai" }, { 932, "Japanese (Shift-JIS)" }, { 936, "Chinese Simplified (GBK)" },
	{ 949, "Korean" }, { 950, "Chinese Traditional (Big5)" }, { 1200, "Unicode UTF-16, little endian" },
	{ 1250, "Central European" }, { 1251, "Cyrillic" }, { 1252, "Latin I" },
	{ 1253, "Greek" }, { 1254, "Turkish" }, { 1255, "Hebrew" }, { 1256, "Arabic" },
	{ 1257, "Baltic" }, { 1258, "Vietnamese" }, { 10000, "Mac Roman" },
	{ 65001, "Unicode (UTF-8)" },
};

static const char *
prop_lookup(const struct prop_name *t, uint32_t pid)
{
	for (; t->name; t++)
		if (t->pid == pid)
			return t->name;
	return NULL;
}

/* FILETIME as "YYYY-mm-dd HH:MM:SS" UTC; 0 when not a plausible date. */
static int
filetime_str(uint64_t ft, char out[32])
{
	int64_t secs;
	time_t t;
	struct tm tm;

	if (ft == 0)
		return 0;
	secs = (int64_t)(ft / 10000000u) - 11644473600LL;
	if (secs < 0 || secs > 253402300799LL)         /* 1970 .. 9999 */
		return 0;
	t = (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL)
		return 0;
	return strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) > 0;
}

static struct json_object *
prop_string(struct pn_rd *v, uint16_t type, unsigned codepage)
{
	uint32_t n;
	const uint8_t *s;
	char *u;
	struct json_object *o;

	if (pn_rd_le32(v, &n) != PN_OK)
		return NULL;
	if (type == VT_LPWSTR || (type == VT_LPSTR && codepage == 1200)) {
		char buf[PN_OLE_MAX_PROP_STR + 1];
		uint64_t bytes = type == VT_LPWSTR ? (uint64_t)n * 2 : n;
		bytes = PN_MIN(bytes, (uint64_t)pn_rd_left(v));
		pn_ole_utf16(v->p, (size_t)bytes / 2, buf, sizeof(buf));
		return json_object_new_string(buf);
	}
	n = (uint32_t)PN_MIN((size_t)n, pn_rd_left(v));
	pn_rd_bytes(v, n, &s);
	while (n > 0 && s[n - 1] == 0)
		n--;
	u = pn_ole_mbcs(s, PN_MIN(n, (uint32_t)PN_OLE_MAX_PROP_STR), codepage);
	o = json_object_new_string(u);
	free(u);
	return o;
}

static struct json_object *
prop_value(struct pn_rd *v, uint32_t pid, const char *name, unsigned codepage)
{
	uint16_t type, pad;
	uint32_t u32;
	uint16_t u16;
	uint64_t ft;
	char ts[32];

	if (pn_rd_le16(v, &type) != PN_OK || pn_rd_le16(v, &pad) != PN_OK)
		return NULL;
	switch (type) {
	case VT_I2:
		return pn_rd_le16(v, &u16) == PN_OK ? json_object_new_int((int16_t)u16) : NULL;
	case VT_I4:
		return pn_rd_le32(v, &u32) == PN_OK ? json_object_new_int((int32_t)u32) : NULL;
	case VT_UI4:
		return pn_rd_le32(v, &u32) == PN_OK ? json_object_new_int64(u32) : NULL;
	case VT_BOOL:
		return pn_rd_le16(v, &u16) == PN_OK ? json_object_new_boolean(u16 != 0) : NULL;
	case VT_LPSTR:
	case VT_LPWSTR:
		return prop_string(v, type, codepage);
	case VT_FILETIME:
		if (pn_rd_le64(v, &ft) != PN_OK)
			return NULL;
		if (strcmp(name, "edit_time") == 0)     /* a duration, in 100 ns */
			return json_object_new_int64((int64_t)(ft / 10000000u));
		return filetime_str(ft, ts) ? json_object_new_string(ts) : NULL;
	default:
		return NULL;
	}
}

static void
codepage_add(struct json_object *dst, unsigned cp)
{
	size_t i;
	char num[16];

	for (i = 0; i < PN_ARRAY_LEN(codepages); i++)
		if (codepages[i].cp == cp) {
			json_object_object_add(dst, "code_page", json_object_new_string(codepages[i].name));
			return;
		}
	snprintf(num, sizeof(num), "%u", cp);
	json_object_object_add(dst, "code_page", json_object_new_string(num));
}

/*
 * The first property set of a PropertySetStream: PN_OK with the
 * properties named in `names` added to dst, or PN_EFORMAT.
 */
static int
property_set(const uint8_t *data, size_t len, const struct prop_name *names,
    struct json_object *dst)
{
	struct pn_rd all, h, set, v;
	uint16_t order;
	uint32_t nsets, off, size, nprops, i, pid, poff;
	unsigned codepage = 1252;
	int pass;

	if (data == NULL)
		return PN_EFORMAT;
	all = h = pn_rd_make(data, len);
	pn_rd_le16(&h, &order);
	pn_rd_skip(&h, 2 + 4 + 16);
	pn_rd_le32(&h, &nsets);
	pn_rd_skip(&h, 16);                             /* FMTID0 */
	if (pn_rd_le32(&h, &off) != PN_OK || order != 0xFFFE || nsets == 0)
		return PN_EFORMAT;
	if (pn_rd_at(&all, off, 8, &set) != PN_OK)
		return PN_EFORMAT;
	pn_rd_le32(&set, &size);
	pn_rd_le32(&set, &nprops);
	size = (uint32_t)PN_MIN((size_t)size, len - off);
	pn_rd_at(&all, off, size, &set);
	/* Two passes: the code page first (it says how to read strings). */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nprops && i < PN_OLE_MAX_PROPS; i++) {
			struct pn_rd ent;
			struct json_object *val;
			const char *name;
			if (pn_rd_at(&set, 8 + (uint64_t)i * 8, 8, &ent) != PN_OK)
				return PN_EFORMAT;
			pn_rd_le32(&ent, &pid);
			pn_rd_le32(&ent, &poff);
			if (pn_rd_at(&set, poff, size - PN_MIN(poff, size), &v) != PN_OK)
				continue;
			if (pass == 0) {
				uint16_t type, pad, cp;
				if (pid == 1 && pn_rd_le16(&v, &type) == PN_OK && type == VT_I2 &&
				    pn_rd_le16(&v, &pad) == PN_OK && pn_rd_le16(&v, &cp) == PN_OK)
					codepage = cp;
				continue;
			}
			if ((name = prop_lookup(names, pid)) == NULL ||
			    json_object_object_get_ex(dst, name, NULL))
				continue;
			if ((val = prop_value(&v, pid, name, codepage)) != NULL)
				json_object_object_add(dst, name, val);
		}
	}
	codepage_add(dst, codepage);
	return PN_OK;
}

static int
add_property_sets(struct pn_ole *ole, struct json_object *office, struct pn_parse *p)
{
	static const struct {
		const char *stream, *key;
		const struct prop_name *names;
	} sets[] = {
		{ "\005SummaryInformation", "summary_info", summary_names },
		{ "\005DocumentSummaryInformation", "document_summary_info", docsummary_names },
	};
	size_t i;
	int rc = PN_OK;

	for (i = 0; i < PN_ARRAY_LEN(sets); i++) {
		uint32_t id = pn_ole_child(ole, 0, sets[i].stream);
		struct json_object *o;
		uint8_t *data;
		size_t len;
		if (id == PN_OLE_NOSTREAM || ole->ents[id].type != PN_OLE_STREAM)
			continue;
		pn_ole_read(ole, id, PN_OLE_MAX_PROP_SET, &data, &len);
		o = json_object_new_object();
		if (property_set(data, len, sets[i].names, o) == PN_OK)
			json_object_object_add(office, sets[i].key, o);
		else {
			json_object_put(o);
			pn_parse_note(p, "ole: %s: not a property set stream", sets[i].key);
			rc = PN_EFORMAT;
		}
		free(data);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* entries and embedded objects                                        */

static const struct {
	const char *clsid;
	const char *name;
} clsids[] = {
	{ "00020906-0000-0000-c000-000000000046", "MS Word" },
	{ "00020900-0000-0000-c000-000000000046", "MS Word 6.0-7.0" },
	{ "f4754c9b-64f5-4b40-8af4-679732ac0607", "MS Word 2007+" },
	{ "00020820-0000-0000-c000-000000000046", "MS Excel" },
	{ "00020810-0000-0000-c000-000000000046", "MS Excel 5.0-7.0" },
	{ "00020830-0000-0000-c000-000000000046", "MS Excel 2007+" },
	{ "64818d10-4f9b-11cf-86ea-00aa00b929e8", "MS PowerPoint" },
	{ "64818d11-4f9b-11cf-86ea-00aa00b929e8", "MS PowerPoint Slide" },
	{ "00020803-0000-0000-c000-000000000046", "MS Graph Chart" },
	{ "0002ce02-0000-0000-c000-000000000046", "Microsoft Equation 3.0" },
	{ "00021700-0000-0000-c000-000000000046", "Microsoft Equation 2.0" },
	{ "0003000c-0000-0000-c000-000000000046", "OLE Package Object" },
	{ "f20da720-c02f-11ce-927b-0800095ae340", "OLE Package Object" },
	{ "000c1084-0000-0000-c000-000000000046", "MSI" },
	{ "d27cdb6e-ae6d-11cf-96b8-444553540000", "Shockwave Flash Object" },
};

static const char *
clsid_literal(const char *s)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(clsids); i++)
		if (strcmp(clsids[i].clsid, s) == 0)
			return clsids[i].name;
	return NULL;
}

static int
clsid_zero(const uint8_t c[16])
{
	static const uint8_t zero[16];
	return memcmp(c, zero, 16) == 0;
}

static void
add_clsid(struct json_object *o, const char *key, const char *lkey, const uint8_t c[16])
{
	char s[37];
	const char *lit;

	pn_ole_clsid_str(c, s);
	json_object_object_add(o, key, json_object_new_string(s));
	if ((lit = clsid_literal(s)) != NULL)
		json_object_object_add(o, lkey, json_object_new_string(lit));
}

static const char *
type_literal(uint8_t t)
{
	switch (t) {
	case PN_OLE_ROOT: return "root";
	case PN_OLE_STORAGE: return "storage";
	case PN_OLE_STREAM: return "stream";
	default: return "unknown";
	}
}

static void
utf8_add(struct json_object *o, const char *key, const char *s)
{
	char *c = s[0] ? pn_utf8_clean(s, strlen(s)) : pn_xstrdup("");
	json_object_object_add(o, key, json_object_new_string(c));
	free(c);
}

static int
add_entries(struct pn_ole *ole, struct json_object *office, struct json_object *info)
{
	struct json_object *arr = json_object_new_array();
	uint32_t i, streams = 0, storages = 0;
	char path[PN_OLE_MAX_PATH];
	int rc = PN_OK;

	for (i = 0; i < ole->norder; i++) {
		uint32_t id = ole->order[i];
		const struct pn_ole_entry *e = &ole->ents[id];
		struct json_object *o;
		streams += e->type == PN_OLE_STREAM;
		storages += e->type == PN_OLE_STORAGE;
		if (json_object_array_length(arr) >= PN_OLE_MAX_LISTED) {
			rc = PN_ELIMIT;
			continue;
		}
		o = json_object_new_object();
		utf8_add(o, "name", e->name);
		pn_ole_path(ole, id, path, sizeof(path));
		if (id != 0)
			utf8_add(o, "path", path);
		json_object_object_add(o, "sid", json_object_new_int64(id));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)PN_MIN(e->size, (uint64_t)INT64_MAX)));
		json_object_object_add(o, "type_literal", json_object_new_string(type_literal(e->type)));
		if (!clsid_zero(e->clsid))
			add_clsid(o, "clsid", "clsid_literal", e->clsid);
		json_object_array_add(arr, o);
	}
	json_object_object_add(office, "entries", arr);
	json_object_object_add(info, "num_entries", json_object_new_int64(ole->nents));
	json_object_object_add(info, "num_streams", json_object_new_int64(streams));
	json_object_object_add(info, "num_storages", json_object_new_int64(storages));
	if (rc == PN_ELIMIT)
		json_object_object_add(info, "entries_truncated", json_object_new_boolean(1));
	return rc;
}

/* Read a NUL-terminated ANSI string of at most max bytes (cp1252). */
static char *
zstring(struct pn_rd *r, size_t max)
{
	const uint8_t *s = r->p;
	size_t n = 0, left = pn_rd_left(r);

	while (n < left && s[n] != 0)
		n++;
	pn_rd_skip(r, n < left ? n + 1 : n);
	return pn_ole_mbcs(s, PN_MIN(n, max), 1252);
}

/*
 * \x01Ole10Native ([MS-OLEDS] 2.3.6; layout of the Packager payload as
 * read by oletools oleobj.py): u32 size, u16, label\0, source path\0,
 * u32, u32, temp path\0, u32 data size, data.
 */
static struct json_object *
ole10native(const uint8_t *d, size_t len, const char *path, struct pn_parse *p, int *rc)
{
	struct pn_rd r = pn_rd_make(d ? d : (const uint8_t *)"", d ? len : 0);
	struct json_object *o = json_object_new_object();
	uint32_t total, u1, u2, dsize;
	uint16_t flags;
	char *s;
	struct pn_hashes h;

	utf8_add(o, "stream_path", path);
	if (pn_rd_le32(&r, &total) != PN_OK || pn_rd_le16(&r, &flags) != PN_OK)
		return o;
	s = zstring(&r, 260);
	json_object_object_add(o, "label", json_object_new_string(s));
	free(s);
	s = zstring(&r, 1024);
	json_object_object_add(o, "source_path", json_object_new_string(s));
	free(s);
	if (pn_rd_le32(&r, &u1) != PN_OK || pn_rd_le32(&r, &u2) != PN_OK)
		return o;
	s = zstring(&r, 1024);
	json_object_object_add(o, "temp_path", json_object_new_string(s));
	free(s);
	if (pn_rd_le32(&r, &dsize) != PN_OK)
		return o;
	if (dsize > pn_rd_left(&r)) {
		char shortp[200];
		pn_ole_utf8_cut(shortp, sizeof(shortp), path);
		pn_parse_note(p, "ole: %s: %u data bytes declared, %zu present", shortp, dsize, pn_rd_left(&r));
		dsize = (uint32_t)pn_rd_left(&r);
		*rc = PN_EFORMAT;
	}
	json_object_object_add(o, "size", json_object_new_int64(dsize));
	if (dsize > 0 && pn_hash_buf(r.p, dsize, PN_HASH_SHA256, &h) == PN_OK)
		json_object_object_add(o, "sha256", json_object_new_string(h.sha256));
	if (dsize >= 2 && r.p[0] == 'M' && r.p[1] == 'Z')
		json_object_object_add(o, "executable", json_object_new_boolean(1));
	return o;
}

int
pn_ole_describe(struct pn_ole *ole, struct json_object *info, struct pn_parse *p)
{
	struct json_object *objs = json_object_new_array();
	uint32_t i;
	int equation = 0, enc_info = 0, enc_pkg = 0, rc = PN_OK;
	char path[PN_OLE_MAX_PATH], s[37];

	if (ole->nents > 0 && !clsid_zero(ole->ents[0].clsid))
		add_clsid(info, "clsid", "clsid_literal", ole->ents[0].clsid);
	for (i = 0; i < ole->norder; i++) {
		uint32_t id = ole->order[i];
		const struct pn_ole_entry *e = &ole->ents[id];
		if (!clsid_zero(e->clsid)) {
			pn_ole_clsid_str(e->clsid, s);
			if (strcmp(s, "0002ce02-0000-0000-c000-000000000046") == 0 ||
			    strcmp(s, "00021700-0000-0000-c000-000000000046") == 0)
				equation = 1;
		}
		if (e->type != PN_OLE_STREAM)
			continue;
		if (ci_cmp(e->name, "Equation Native") == 0)
			equation = 1;
		if (e->parent == 0 && strcmp(e->name, "EncryptionInfo") == 0)
			enc_info = 1;
		if (e->parent == 0 && strcmp(e->name, "EncryptedPackage") == 0)
			enc_pkg = 1;
		if (strcmp(e->name, "\001Ole10Native") == 0) {
			uint8_t *d;
			size_t len;
			if (json_object_array_length(objs) >= PN_OLE_MAX_OBJECTS)
				continue;
			pn_ole_read(ole, id, PN_OLE_MAX_OBJECT, &d, &len);
			pn_ole_path(ole, id, path, sizeof(path));
			json_object_array_add(objs, ole10native(d, len, path, p, &rc));
			free(d);
		}
	}
	if (json_object_array_length(objs) > 0)
		json_object_object_add(info, "ole10native", objs);
	else
		json_object_put(objs);
	if (equation)
		json_object_object_add(info, "equation_editor", json_object_new_boolean(1));
	if (enc_info && enc_pkg) {
		json_object_object_add(info, "encrypted", json_object_new_boolean(1));
		pn_parse_tag(p, "encrypted");
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* the parser                                                          */

static int
ole_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	return size >= HDR_SIZE && memcmp(data, ole_magic, 8) == 0 ? 100 : 0;
}

static int
ole_parse(struct pn_parse *p)
{
	struct json_object *office, *info, *macros;
	struct pn_vba_stats vs;
	struct pn_ole *ole;
	int rc, vrc;
	unsigned i;

	if (pn_ole_open(p->data, p->size, &ole) != PN_OK) {
		pn_parse_note(p, "ole: the compound file header is not usable");
		return PN_EFORMAT;
	}
	office = json_object_new_object();
	info = json_object_new_object();
	json_object_object_add(info, "major_version", json_object_new_int((int)ole->major));
	json_object_object_add(info, "minor_version", json_object_new_int((int)ole->minor));
	json_object_object_add(info, "sector_size", json_object_new_int((int)ole->ssize));
	rc = pn_ole_describe(ole, info, p);
	if (add_entries(ole, office, info) != PN_OK) {
		pn_parse_note(p, "ole: more than %d entries, the list is cut", PN_OLE_MAX_LISTED);
		if (rc == PN_OK)
			rc = PN_ELIMIT;
	}
	if (add_property_sets(ole, office, p) != PN_OK && rc == PN_OK)
		rc = PN_EFORMAT;

	memset(&vs, 0, sizeof(vs));
	macros = json_object_new_array();
	vrc = pn_vba_extract(ole, NULL, macros, &vs, p);
	if (vs.projects > 0) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "macros", macros);
		json_object_object_add(o, "num_macros", json_object_new_int((int)vs.modules));
		json_object_object_add(office, "ole", o);
		json_object_object_add(info, "vba_project", json_object_new_boolean(1));
		json_object_object_add(info, "num_macros", json_object_new_int((int)vs.modules));
		if (vs.modules > 0)
			pn_parse_tag(p, "macros");
	} else
		json_object_put(macros);
	if (vrc != PN_OK && rc == PN_OK)
		rc = vrc;

	for (i = 0; i < ole->nnotes; i++)
		pn_parse_note(p, "ole: %s", ole->notes[i]);
	if (ole->nnotes > 0) {
		json_object_object_add(info, "anomalies", json_object_new_int((int)ole->nnotes));
		if (rc == PN_OK)
			rc = PN_EFORMAT;
	}
	json_object_object_add(p->attrs, "office_info", office);
	json_object_object_add(p->attrs, "ole_info", info);
	pn_ole_free(ole);
	return rc;
}

const struct pn_parser pn_parser_ole = { "ole", ole_bid, ole_parse };
