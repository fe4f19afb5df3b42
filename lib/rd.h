/*
 * rd.h - a bounded reader: the only way parsers look at untrusted bytes.
 *
 * A pn_rd is a cursor over [p, end).  Every get checks the remaining length
 * before touching memory and returns PN_EFORMAT (leaving the cursor where it
 * was) when the input is too short.  Offsets from the input are checked with
 * pn_rd_at(), which compares against the length without adding first, so
 * no arithmetic can overflow.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_RD_H
#define PN_RD_H

#include "pn.h"

struct pn_rd {
	const uint8_t *p;    /* next byte */
	const uint8_t *end;  /* one past the last byte */
};

static inline struct pn_rd pn_rd_make(const void *data, size_t len)
{
	struct pn_rd r;
	r.p = (const uint8_t *)data;
	r.end = r.p + len;
	return r;
}

static inline size_t pn_rd_left(const struct pn_rd *r) { return (size_t)(r->end - r->p); }

static inline int pn_rd_skip(struct pn_rd *r, size_t n)
{
	if (n > pn_rd_left(r))
		return PN_EFORMAT;
	r->p += n;
	return PN_OK;
}

/* Borrow n bytes: *out points into the input, valid as long as it is. */
static inline int pn_rd_bytes(struct pn_rd *r, size_t n, const uint8_t **out)
{
	if (n > pn_rd_left(r))
		return PN_EFORMAT;
	*out = r->p;
	r->p += n;
	return PN_OK;
}

static inline int pn_rd_u8(struct pn_rd *r, uint8_t *v)
{
	if (pn_rd_left(r) < 1)
		return PN_EFORMAT;
	*v = *r->p++;
	return PN_OK;
}

static inline int pn_rd_le16(struct pn_rd *r, uint16_t *v)
{
	if (pn_rd_left(r) < 2)
		return PN_EFORMAT;
	*v = pn_le16(r->p);
	r->p += 2;
	return PN_OK;
}

static inline int pn_rd_le32(struct pn_rd *r, uint32_t *v)
{
	if (pn_rd_left(r) < 4)
		return PN_EFORMAT;
	*v = pn_le32(r->p);
	r->p += 4;
	return PN_OK;
}

static inline int pn_rd_le64(struct pn_rd *r, uint64_t *v)
{
	if (pn_rd_left(r) < 8)
		return PN_EFORMAT;
	*v = pn_le64(r->p);
	r->p += 8;
	return PN_OK;
}

static inline int pn_rd_be16(struct pn_rd *r, uint16_t *v)
{
	if (pn_rd_left(r) < 2)
		return PN_EFORMAT;
	*v = pn_be16(r->p);
	r->p += 2;
	return PN_OK;
}

static inline int pn_rd_be32(struct pn_rd *r, uint32_t *v)
{
	if (pn_rd_left(r) < 4)
		return PN_EFORMAT;
	*v = pn_be32(r->p);
	r->p += 4;
	return PN_OK;
}

/*
 * A sub-reader over [off, off+len) of base, without overflow:
 * PN_EFORMAT unless the whole range lies inside base.
 */
static inline int pn_rd_at(const struct pn_rd *base, uint64_t off, uint64_t len, struct pn_rd *out)
{
	size_t total = pn_rd_left(base);
	if (off > total || len > total - off)
		return PN_EFORMAT;
	out->p = base->p + off;
	out->end = out->p + len;
	return PN_OK;
}

#endif
