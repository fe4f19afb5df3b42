/*
 * pdf_int.h - what parsers/pdf.c and parsers/pdf_filters.c share: the
 * character classes of §7.2.2 used by both, and the filter decoders.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PDF_INT_H
#define PN_PDF_INT_H

#include "pn.h"
#include "buf.h"

/* White space (§7.2.2, Table 1). */
static inline int
is_ws(int c)
{
	return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32;
}

/* A hexadecimal digit's value, or -1. */
static inline int
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

int pn_pdf_put_capped(struct pn_buf *b, const void *p, size_t n);
int pn_pdf_dec_flate(const uint8_t *in, size_t n, struct pn_buf *out);
int pn_pdf_dec_ahx(const uint8_t *in, size_t n, struct pn_buf *out);
int pn_pdf_dec_a85(const uint8_t *in, size_t n, struct pn_buf *out);
int pn_pdf_dec_rl(const uint8_t *in, size_t n, struct pn_buf *out);

#endif
