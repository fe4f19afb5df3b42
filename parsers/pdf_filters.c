/*
 * pdf_filters.c - the PDF stream filters Panoptes decodes (ISO 32000-1
 * §7.4): FlateDecode (zlib, or raw deflate without a zlib header),
 * ASCIIHexDecode, ASCII85Decode and RunLengthDecode.  Each appends to a
 * pn_buf whose max is the caller's budget and returns PN_OK, PN_ELIMIT
 * (output cut at the cap) or PN_EFORMAT (corrupt data; what decoded is
 * kept).  Used by pdf.c's decode_stream().
 *
 * SPDX-License-Identifier: MIT
 */
#include "pdf_int.h"

#define ZLIB_CONST   /* next_in is const */
#include <zlib.h>

/* Append up to the buffer's cap; PN_ELIMIT when something did not fit. */
int
pn_pdf_put_capped(struct pn_buf *b, const void *p, size_t n)
{
	size_t room = b->max - b->len;

	if (n <= room)
		return pn_buf_append(b, p, n);
	pn_buf_append(b, p, room);
	return PN_ELIMIT;
}

static int
flate_run(const uint8_t *in, size_t n, struct pn_buf *out, int raw, uLong *consumed)
{
	uint8_t tmp[16384];
	z_stream z;
	size_t fed = 0;
	int rc = PN_OK, zr;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK)
		return PN_EINTERNAL;
	for (;;) {
		size_t produced;
		uInt ain;
		if (z.avail_in == 0 && fed < n) {
			size_t chunk = PN_MIN(n - fed, (size_t)1 << 30);
			z.next_in = in + fed;
			z.avail_in = (uInt)chunk;
			fed += chunk;
		}
		ain = z.avail_in;
		z.next_out = tmp;
		z.avail_out = sizeof(tmp);
		zr = inflate(&z, Z_NO_FLUSH);
		produced = sizeof(tmp) - z.avail_out;
		if (produced > 0 && pn_pdf_put_capped(out, tmp, produced) != PN_OK) {
			rc = PN_ELIMIT;
			break;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = PN_EFORMAT;
			break;
		}
		if (produced == 0 && z.avail_in == ain && (z.avail_in > 0 || fed == n)) {
			rc = PN_EFORMAT;   /* no progress: truncated data */
			break;
		}
	}
	*consumed = z.total_in;
	inflateEnd(&z);
	return rc;
}

/* FlateDecode (§7.4.4): zlib, or raw deflate when there is no zlib header. */
int
pn_pdf_dec_flate(const uint8_t *in, size_t n, struct pn_buf *out)
{
	uLong used = 0;
	int rc = flate_run(in, n, out, 0, &used);

	if (rc == PN_EFORMAT && out->len == 0) {
		pn_buf_reset(out);
		rc = flate_run(in, n, out, 1, &used);
	}
	return rc;
}

/* ASCIIHexDecode (§7.4.2). */
int
pn_pdf_dec_ahx(const uint8_t *in, size_t n, struct pn_buf *out)
{
	size_t i;
	int hi = -1, rc = PN_OK;

	for (i = 0; i < n && in[i] != '>'; i++) {
		int h = hexval(in[i]);
		uint8_t c;
		if (h < 0) {
			if (is_ws(in[i]))
				continue;
			return PN_EFORMAT;
		}
		if (hi < 0) {
			hi = h;
			continue;
		}
		c = (uint8_t)(hi << 4 | h);
		hi = -1;
		if ((rc = pn_pdf_put_capped(out, &c, 1)) != PN_OK)
			return rc;
	}
	if (hi >= 0) {
		uint8_t c = (uint8_t)(hi << 4);
		rc = pn_pdf_put_capped(out, &c, 1);
	}
	return rc;
}

/* ASCII85Decode (§7.4.3). */
int
pn_pdf_dec_a85(const uint8_t *in, size_t n, struct pn_buf *out)
{
	uint64_t acc = 0;
	uint8_t b[4];
	size_t i;
	int cnt = 0, k, rc;

	for (i = 0; i < n; i++) {
		uint8_t c = in[i];
		if (is_ws(c))
			continue;
		if (c == '~')
			break;
		if (c == 'z' && cnt == 0) {
			memset(b, 0, 4);
			if ((rc = pn_pdf_put_capped(out, b, 4)) != PN_OK)
				return rc;
			continue;
		}
		if (c < '!' || c > 'u')
			return PN_EFORMAT;
		acc = acc * 85 + (uint64_t)(c - '!');
		if (++cnt == 5) {
			if (acc > UINT32_MAX)
				return PN_EFORMAT;
			for (k = 0; k < 4; k++)
				b[k] = (uint8_t)(acc >> (24 - 8 * k));
			if ((rc = pn_pdf_put_capped(out, b, 4)) != PN_OK)
				return rc;
			acc = 0;
			cnt = 0;
		}
	}
	if (cnt == 1)
		return PN_EFORMAT;
	if (cnt > 1) {
		for (k = cnt; k < 5; k++)
			acc = acc * 85 + 84;
		if (acc > UINT32_MAX)
			return PN_EFORMAT;
		for (k = 0; k < cnt - 1; k++)
			b[k] = (uint8_t)(acc >> (24 - 8 * k));
		return pn_pdf_put_capped(out, b, (size_t)(cnt - 1));
	}
	return PN_OK;
}

/* RunLengthDecode (§7.4.5). */
int
pn_pdf_dec_rl(const uint8_t *in, size_t n, struct pn_buf *out)
{
	uint8_t rep[128];
	size_t i = 0;
	int rc;

	while (i < n) {
		uint8_t l = in[i++];
		if (l == 128)
			return PN_OK;
		if (l < 128) {
			size_t k = (size_t)l + 1;
			if (k > n - i)
				return PN_EFORMAT;
			if ((rc = pn_pdf_put_capped(out, in + i, k)) != PN_OK)
				return rc;
			i += k;
		} else {
			if (i >= n)
				return PN_EFORMAT;
			memset(rep, in[i++], sizeof(rep));
			if ((rc = pn_pdf_put_capped(out, rep, (size_t)(257 - l))) != PN_OK)
				return rc;
		}
	}
	return PN_OK;
}
