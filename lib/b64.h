/*
 * b64.h - base64 (RFC 4648) in two dialects:
 *
 *   PN_B64_STD  standard alphabet (+ /) with '=' padding (RFC 4648 §4).
 *               Decoding is strict: length a multiple of 4, at most two
 *               '=' and only at the end, unused bits of the last character
 *               zero; so each byte string has exactly one encoding (VT
 *               analysis ids, base64("<md5>:<unix time>")).
 *   PN_B64_URL  URL-safe alphabet (- _) without padding (RFC 4648 §5, VT
 *               URL ids).  Decoding tolerates missing padding, any number
 *               of trailing '=' and non-zero unused bits, as VT's clients
 *               send all three.
 *
 * Neither dialect accepts whitespace or the other dialect's characters.
 * Callers own every buffer; nothing is allocated.
 *
 * Limits: inputs so long that the output size would not fit in size_t are
 * refused (PN_ELIMIT) before anything is computed.
 * Errors: PN_EFORMAT (bad character, bad padding, impossible length),
 * PN_ELIMIT (output buffer too small), PN_EINVAL (unknown dialect).
 * See also: tests/unit/test_b64.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_B64_H
#define PN_B64_H

#include <stddef.h>
#include <stdint.h>

#define PN_B64_STD  0
#define PN_B64_URL  1

/*
 * Characters of the padded encoding of n bytes, without the NUL; also an
 * upper bound for PN_B64_URL.  Returns 0 when n > 0 is too large for the
 * result plus a NUL to fit in size_t.
 */
size_t pn_b64_encoded_len(size_t n);

/* Upper bound of the bytes that n characters decode to. */
size_t pn_b64_decoded_max(size_t n);

/*
 * Encode n bytes of in to out as a NUL-terminated string in dialect
 * urlsafe_nopad (PN_B64_STD or PN_B64_URL).  outlen is the size of out and
 * must be at least pn_b64_encoded_len(n) + 1 (PN_B64_URL needs up to two
 * less).  Returns PN_OK, PN_ELIMIT (out too small; out is "" if outlen > 0)
 * or PN_EINVAL.
 */
int pn_b64_encode(const void *in, size_t n, char *out, size_t outlen,
    int urlsafe_nopad);

/*
 * Decode n characters of in (no NUL needed) into out, which holds outcap
 * bytes; *outlen receives the decoded length.  Checks that the result fits
 * before writing; on PN_EFORMAT out may hold a partial result and *outlen
 * is 0.  Returns PN_OK, PN_EFORMAT, PN_ELIMIT or PN_EINVAL.
 */
int pn_b64_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
    size_t *outlen, int urlsafe);

#endif
