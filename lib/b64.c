/*
 * b64.c - base64 encoding and decoding, standard and URL-safe (b64.h).
 *
 * Decoding first strips the padding, checks the length and the room in the
 * output, then converts four characters to three bytes at a time; every
 * character is checked against the dialect's alphabet.
 *
 * Limits: output sizes are computed so that they cannot overflow.
 * Errors: PN_EFORMAT, PN_ELIMIT, PN_EINVAL (b64.h).
 * Spec: RFC 4648 §4 (base64), §5 (base64url), §3.2 (padding), §3.5
 * (canonical encoding).
 * See also: tests/unit/test_b64.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "b64.h"

static const char alpha_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alpha_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
pn_b64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);

	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	return groups * 4;
}

size_t
pn_b64_decoded_max(size_t n)
{
	return n / 4 * 3 + (n % 4 != 0 ? 2 : 0);
}

/* Characters of the encoding of n bytes in the dialect; 0 if too long. */
static size_t
encoded_chars(size_t n, int url)
{
	size_t padded = pn_b64_encoded_len(n), r = n % 3;

	if (!url || r == 0 || padded == 0)
		return padded;
	return padded - (3 - r);    /* no '=' after 2 or 3 characters */
}

int
pn_b64_encode(const void *in, size_t n, char *out, size_t outlen,
    int urlsafe_nopad)
{
	const uint8_t *p = in;
	const char *a;
	size_t len, i, o = 0;

	if (urlsafe_nopad != PN_B64_STD && urlsafe_nopad != PN_B64_URL)
		return PN_EINVAL;
	a = urlsafe_nopad == PN_B64_URL ? alpha_url : alpha_std;
	len = encoded_chars(n, urlsafe_nopad == PN_B64_URL);
	if ((len == 0 && n > 0) || outlen <= len) {
		if (outlen > 0)
			out[0] = '\0';
		return PN_ELIMIT;
	}
	for (i = 0; n - i >= 3; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i > 0) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		if (n - i == 2)
			out[o++] = a[(v >> 6) & 63];
		else if (urlsafe_nopad == PN_B64_STD)
			out[o++] = '=';
		if (urlsafe_nopad == PN_B64_STD)
			out[o++] = '=';
	}
	out[o] = '\0';
	return PN_OK;
}

/* Value of c in the dialect's alphabet, or -1. */
static int
b64val(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/*
 * Characters that carry data once padding is taken off, or (size_t)-1 if
 * the padding is wrong for the dialect.
 */
static size_t
strip_padding(const char *in, size_t n, int url)
{
	size_t m = n, pad = 0;

	if (url) {
		while (m > 0 && in[m - 1] == '=')
			m--;
		return m;
	}
	if (n % 4 != 0)
		return (size_t)-1;
	/* A third '=' stays in and fails as a bad character. */
	while (m > 0 && pad < 2 && in[m - 1] == '=') {
		m--;
		pad++;
	}
	return m;
}

int
pn_b64_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
    size_t *outlen, int urlsafe)
{
	const unsigned char *s = (const unsigned char *)in;
	int url = urlsafe == PN_B64_URL;
	size_t m, rem, need, i, o = 0;
	uint32_t acc = 0;
	int v = 0;

	*outlen = 0;
	if (urlsafe != PN_B64_STD && urlsafe != PN_B64_URL)
		return PN_EINVAL;
	if ((m = strip_padding(in, n, url)) == (size_t)-1)
		return PN_EFORMAT;
	rem = m % 4;
	if (rem == 1)
		return PN_EFORMAT;    /* 6 bits cannot make a byte */
	need = m / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	if (need > outcap)
		return PN_ELIMIT;
	for (i = 0; i < m; i++) {
		if ((v = b64val(s[i], url)) < 0)
			return PN_EFORMAT;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if (rem == 2) {
		out[o++] = (uint8_t)(acc >> 4);
		if (!url && (acc & 0x0f) != 0)
			return PN_EFORMAT;    /* RFC 4648 §3.5: not canonical */
	} else if (rem == 3) {
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
		if (!url && (acc & 0x03) != 0)
			return PN_EFORMAT;
	}
	*outlen = o;
	return PN_OK;
}
