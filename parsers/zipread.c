/*
 * zipread.c - the bounded ZIP central directory and member reader (see
 * zipread.h for the contract, limits and errors).
 *
 * Every field is read through lib/rd.h; offsets from the archive are
 * checked with pn_rd_at() before use.  Inflate runs into an output buffer
 * that grows up to the caller's max and stops early at the ratio or total
 * budget, so a member's declared sizes are never trusted for allocation.
 *
 * SPDX-License-Identifier: MIT
 */
#include "zipread.h"
#include "rd.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

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

#define SIG_LOCAL    0x04034b50u
#define SIG_CENTRAL  0x02014b50u
#define SIG_END      0x06054b50u
#define SIG_END64    0x06064b50u
#define SIG_LOC64    0x07064b50u
#define END_LEN      22
#define LOC64_LEN    20
#define MAX_COMMENT  65535

/* Offset of the end of central directory record, or -1. */
static long
find_end(const uint8_t *d, size_t size)
{
	size_t i, lo;

	if (size < END_LEN)
		return -1;
	lo = size - END_LEN > MAX_COMMENT ? size - END_LEN - MAX_COMMENT : 0;
	for (i = size - END_LEN + 1; i-- > lo;)
		if (pn_le32(d + i) == SIG_END)
			return (long)i;
	return -1;
}

/* ZIP64 end record: replaces the 32-bit values when the locator is there. */
static void
read_end64(const struct pn_rd *all, size_t endpos, uint64_t *count, uint64_t *cdsize,
    uint64_t *cdoff)
{
	struct pn_rd loc, rec;
	uint32_t sig = 0;
	uint64_t off = 0;

	if (endpos < LOC64_LEN || pn_rd_at(all, endpos - LOC64_LEN, LOC64_LEN, &loc) != PN_OK)
		return;
	pn_rd_le32(&loc, &sig);
	if (sig != SIG_LOC64)
		return;
	pn_rd_skip(&loc, 4);
	pn_rd_le64(&loc, &off);
	if (pn_rd_at(all, off, 56, &rec) != PN_OK)
		return;
	pn_rd_le32(&rec, &sig);
	if (sig != SIG_END64)
		return;
	pn_rd_skip(&rec, 8 + 2 + 2 + 4 + 4 + 8);        /* size, versions, disks, entries on disk */
	pn_rd_le64(&rec, count);
	pn_rd_le64(&rec, cdsize);
	pn_rd_le64(&rec, cdoff);
}

/* ZIP64 extended information extra field (APPNOTE 4.5.3). */
static void
read_extra64(const uint8_t *x, size_t n, struct pn_zip_entry *e, uint32_t usize32,
    uint32_t csize32, uint32_t off32)
{
	struct pn_rd r = pn_rd_make(x, n), f;
	uint16_t id, len;

	while (pn_rd_le16(&r, &id) == PN_OK && pn_rd_le16(&r, &len) == PN_OK) {
		if (pn_rd_at(&r, 0, len, &f) != PN_OK)
			return;
		pn_rd_skip(&r, len);
		if (id != 0x0001)
			continue;
		if (usize32 == 0xFFFFFFFFu && pn_rd_le64(&f, &e->usize) != PN_OK)
			return;
		if (csize32 == 0xFFFFFFFFu && pn_rd_le64(&f, &e->csize) != PN_OK)
			return;
		if (off32 == 0xFFFFFFFFu)
			pn_rd_le64(&f, &e->offset);
		return;
	}
}

static int
read_central(struct pn_rd *cd, struct pn_zip_entry *e)
{
	uint32_t sig = 0, crc = 0, csize = 0, usize = 0, off = 0;
	uint16_t flags = 0, method = 0, nlen = 0, xlen = 0, clen = 0;
	const uint8_t *name, *extra;

	if (pn_rd_le32(cd, &sig) != PN_OK || sig != SIG_CENTRAL)
		return PN_EFORMAT;
	pn_rd_skip(cd, 4);                      /* versions */
	pn_rd_le16(cd, &flags);
	pn_rd_le16(cd, &method);
	pn_rd_skip(cd, 4);                      /* time, date */
	pn_rd_le32(cd, &crc);
	pn_rd_le32(cd, &csize);
	pn_rd_le32(cd, &usize);
	pn_rd_le16(cd, &nlen);
	pn_rd_le16(cd, &xlen);
	pn_rd_le16(cd, &clen);
	pn_rd_skip(cd, 2 + 2 + 4);              /* disk, attributes */
	if (pn_rd_le32(cd, &off) != PN_OK || pn_rd_bytes(cd, nlen, &name) != PN_OK ||
	    pn_rd_bytes(cd, xlen, &extra) != PN_OK || pn_rd_skip(cd, clen) != PN_OK)
		return PN_EFORMAT;
	memset(e, 0, sizeof(*e));
	e->flags = flags;
	e->method = method;
	e->crc32 = crc;
	e->csize = csize;
	e->usize = usize;
	e->offset = off;
	read_extra64(extra, xlen, e, usize, csize, off);
	/* pn_utf8_clean() of 0 bytes returns an unterminated buffer (lib/buf.c). */
	e->name = nlen ? pn_utf8_clean((const char *)name, nlen) : pn_xstrdup("");
	return PN_OK;
}

int
pn_zip_open(const uint8_t *data, size_t size, struct pn_zip *z)
{
	struct pn_rd all, end, cd;
	long endpos;
	uint16_t count16 = 0;
	uint32_t cdsize32 = 0, cdoff32 = 0;
	uint64_t count, cdsize, cdoff, cap;
	size_t i;
	int rc = PN_OK;

	memset(z, 0, sizeof(*z));
	if (data == NULL || (endpos = find_end(data, size)) < 0)
		return PN_EFORMAT;
	z->data = data;
	z->size = size;
	all = pn_rd_make(data, size);
	if (pn_rd_at(&all, (uint64_t)endpos, END_LEN, &end) != PN_OK)
		return PN_EFORMAT;
	pn_rd_skip(&end, 4 + 2 + 2 + 2);        /* signature, disks, entries on this disk */
	pn_rd_le16(&end, &count16);
	pn_rd_le32(&end, &cdsize32);
	pn_rd_le32(&end, &cdoff32);
	count = count16;
	cdsize = cdsize32;
	cdoff = cdoff32;
	if (count16 == 0xFFFF || cdsize32 == 0xFFFFFFFFu || cdoff32 == 0xFFFFFFFFu)
		read_end64(&all, (size_t)endpos, &count, &cdsize, &cdoff);
	z->declared = count;
	/* Prepended data: the directory ends where the end record starts. */
	if (cdsize <= (uint64_t)endpos && cdoff != (uint64_t)endpos - cdsize &&
	    pn_rd_at(&all, (uint64_t)endpos - cdsize, 4, &cd) == PN_OK && pn_le32(cd.p) == SIG_CENTRAL) {
		z->shift = (int64_t)((uint64_t)endpos - cdsize) - (int64_t)cdoff;
		cdoff = (uint64_t)endpos - cdsize;
	}
	if (pn_rd_at(&all, cdoff, PN_MIN(cdsize, (uint64_t)size - PN_MIN(cdoff, (uint64_t)size)), &cd) != PN_OK)
		return PN_EFORMAT;
	cap = PN_MIN(count, (uint64_t)PN_ZIP_MAX_ENTRIES);
	/* Each central entry takes at least 46 bytes. */
	cap = PN_MIN(cap, (uint64_t)(pn_rd_left(&cd) / 46));
	z->entries = pn_xcalloc((size_t)cap + 1, sizeof(*z->entries));
	for (i = 0; i < cap; i++) {
		if (read_central(&cd, &z->entries[i]) != PN_OK) {
			rc = PN_EFORMAT;
			break;
		}
		z->entries[i].offset += (uint64_t)z->shift;
		z->count++;
	}
	if (rc == PN_OK && count > PN_ZIP_MAX_ENTRIES)
		rc = PN_ELIMIT;
	else if (rc == PN_OK && z->count < count)
		rc = PN_EFORMAT;
	return rc;
}

void
pn_zip_close(struct pn_zip *z)
{
	size_t i;

	for (i = 0; i < z->count; i++)
		free(z->entries[i].name);
	free(z->entries);
	memset(z, 0, sizeof(*z));
}

long
pn_zip_find(const struct pn_zip *z, const char *name)
{
	size_t i;

	if (name[0] == '/')
		name++;
	for (i = 0; i < z->count; i++) {
		const char *n = z->entries[i].name;
		if (n[0] == '/')
			n++;
		if (ci_cmp(n, name) == 0)
			return (long)i;
	}
	return -1;
}

int
pn_zip_has(const uint8_t *data, size_t size, const char *name)
{
	struct pn_zip z;
	int found;

	pn_zip_open(data, size, &z);
	found = pn_zip_find(&z, name) >= 0;
	pn_zip_close(&z);
	return found;
}

/* ------------------------------------------------------------------ */
/* members                                                             */

/* Where entry e's data starts and how long it is, inside the archive. */
static int
member_data(const struct pn_zip *z, const struct pn_zip_entry *e, struct pn_rd *out)
{
	struct pn_rd all = pn_rd_make(z->data, z->size), loc;
	uint32_t sig = 0;
	uint16_t nlen = 0, xlen = 0;

	if (pn_rd_at(&all, e->offset, 30, &loc) != PN_OK)
		return PN_EFORMAT;
	pn_rd_le32(&loc, &sig);
	if (sig != SIG_LOCAL)
		return PN_EFORMAT;
	pn_rd_skip(&loc, 22);
	pn_rd_le16(&loc, &nlen);
	pn_rd_le16(&loc, &xlen);
	return pn_rd_at(&all, e->offset + 30 + nlen + xlen, e->csize, out);
}

struct obuf {
	uint8_t *p;
	size_t len, cap, max;
};

/* Room for more output: the free space (0 when max is reached). */
static size_t
obuf_room(struct obuf *o)
{
	if (o->len == o->cap && o->cap < o->max) {
		size_t ncap = o->cap ? o->cap * 2 : 16384;
		if (ncap > o->max)
			ncap = o->max;
		o->p = pn_xrealloc(o->p, ncap);
		o->cap = ncap;
	}
	return o->cap - o->len;
}

/* Past the ratio limit (zip bomb)? */
static int
over_ratio(const struct pn_zip_entry *e, size_t out)
{
	return out > PN_ZIP_RATIO_FLOOR && out / PN_ZIP_MAX_RATIO > e->csize;
}

static int
inflate_member(const struct pn_zip_entry *e, const struct pn_rd *in, struct obuf *o)
{
	z_stream zs;
	int zr = Z_OK, rc = PN_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		return PN_EINTERNAL;
	zs.next_in = in->p;
	while (zr != Z_STREAM_END) {
		size_t room = obuf_room(o), before;
		uInt chunk;
		if (room == 0) {
			rc = PN_ELIMIT;
			break;
		}
		chunk = (uInt)PN_MIN(room, (size_t)(1u << 20));
		/* Feed input in pieces too: avail_in is 32 bits. */
		if (zs.avail_in == 0) {
			size_t used = (size_t)(zs.next_in - in->p), left = pn_rd_left(in) - used;
			if (left == 0) {
				rc = PN_EFORMAT;        /* truncated deflate stream */
				break;
			}
			zs.avail_in = (uInt)PN_MIN(left, (size_t)(1u << 30));
		}
		zs.next_out = o->p + o->len;
		zs.avail_out = chunk;
		before = zs.avail_out;
		zr = inflate(&zs, Z_NO_FLUSH);
		o->len += before - zs.avail_out;
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			rc = PN_EFORMAT;
			break;
		}
		if (over_ratio(e, o->len)) {
			rc = PN_ELIMIT;
			break;
		}
	}
	inflateEnd(&zs);
	return rc;
}

int
pn_zip_read(struct pn_zip *z, size_t i, size_t max, uint8_t **out, size_t *outlen)
{
	const struct pn_zip_entry *e;
	struct obuf o = { NULL, 0, 0, 0 };
	struct pn_rd in;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (i >= z->count)
		return PN_EINVAL;
	e = &z->entries[i];
	if (e->flags & 1)
		return PN_EPERM;
	if (e->method != 0 && e->method != 8)
		return PN_EINVAL;
	if (member_data(z, e, &in) != PN_OK)
		return PN_EFORMAT;
	if (z->inflated >= PN_ZIP_MAX_TOTAL)
		return PN_ELIMIT;
	/* The handle's total budget caps this member too. */
	o.max = (size_t)PN_MIN((uint64_t)max, PN_ZIP_MAX_TOTAL - z->inflated);
	if (e->method == 0) {
		size_t n = PN_MIN(pn_rd_left(&in), o.max);
		if (n > 0) {
			o.p = pn_xmalloc(n);
			memcpy(o.p, in.p, n);
		}
		o.len = n;
		rc = n < pn_rd_left(&in) ? PN_ELIMIT : PN_OK;
	} else
		rc = inflate_member(e, &in, &o);
	z->inflated += o.len;
	if (rc == PN_OK) {
		uLong c = crc32(0L, Z_NULL, 0);
		size_t done = 0;
		while (done < o.len) {
			uInt n = (uInt)PN_MIN(o.len - done, (size_t)(1u << 30));
			c = crc32(c, o.p + done, n);
			done += n;
		}
		if (c != e->crc32)
			rc = PN_EFORMAT;
	}
	if (o.len == 0) {
		free(o.p);
		o.p = NULL;
	}
	*out = o.p;
	*outlen = o.len;
	return rc;
}
