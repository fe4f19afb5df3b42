/*
 * utf8.c - UTF-8 validation and cleaning (see utf8.h).
 * Spec: RFC 3629 §4 (the syntax of valid sequences).
 *
 * SPDX-License-Identifier: MIT
 */
#include "utf8.h"
#include "buf.h"

size_t
pn_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)   /* overlong */
			return 0;
		if (c == 0xed && s[1] > 0x9f)   /* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)   /* overlong */
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)   /* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

char *
pn_utf8_clean(const char *s, size_t n)
{
	struct pn_buf b = PN_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	pn_buf_reserve(&b, n);
	while (p < end) {
		size_t k = pn_utf8_seq(p, (size_t)(end - p));
		if (k == 0 || *p == 0) {
			pn_buf_append(&b, "\xef\xbf\xbd", 3);
			p++;
		} else {
			pn_buf_append(&b, p, k);
			p += k;
		}
	}
	return pn_buf_steal(&b, NULL);
}
