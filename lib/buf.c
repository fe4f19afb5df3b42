/*
 * buf.c - growable, capped byte buffer (see buf.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "buf.h"
#include "utf8.h"

void
pn_buf_init(struct pn_buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void
pn_buf_release(struct pn_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
pn_buf_reset(struct pn_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

int
pn_buf_reserve(struct pn_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : SIZE_MAX / 2;
	size_t need, ncap;

	if (extra > max || b->len > max - extra)
		return PN_ELIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return PN_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 4 ? need : ncap * 2;
	b->p = pn_xrealloc(b->p, ncap);
	b->cap = ncap;
	b->p[b->len] = '\0';   /* contents stay a C string even before the first append */
	return PN_OK;
}

int
pn_buf_append(struct pn_buf *b, const void *data, size_t n)
{
	int rc = pn_buf_reserve(b, n);
	if (rc != PN_OK)
		return rc;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return PN_OK;
}

int
pn_buf_puts(struct pn_buf *b, const char *s)
{
	return pn_buf_append(b, s, strlen(s));
}

int
pn_buf_putc(struct pn_buf *b, char c)
{
	return pn_buf_append(b, &c, 1);
}

int
pn_buf_printf(struct pn_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return PN_EINVAL;
	if ((rc = pn_buf_reserve(b, (size_t)n)) != PN_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return PN_OK;
}

int
pn_buf_json_str(struct pn_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	int rc = pn_buf_putc(b, '"');

	for (i = 0; i < n && rc == PN_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		switch (c) {
		case '"': rc = pn_buf_append(b, "\\\"", 2); break;
		case '\\': rc = pn_buf_append(b, "\\\\", 2); break;
		case '\n': rc = pn_buf_append(b, "\\n", 2); break;
		case '\r': rc = pn_buf_append(b, "\\r", 2); break;
		case '\t': rc = pn_buf_append(b, "\\t", 2); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
				esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
				rc = pn_buf_append(b, esc, 6);
			} else if (c < 0x80) {
				rc = pn_buf_putc(b, (char)c);
			} else {
				/* JSON text is UTF-8: invalid bytes become U+FFFD. */
				size_t k = pn_utf8_seq((const unsigned char *)s + i, n - i);
				if (k == 0) {
					rc = pn_buf_append(b, "\\ufffd", 6);
				} else {
					rc = pn_buf_append(b, s + i, k);
					i += k - 1;
				}
			}
		}
	}
	return rc == PN_OK ? pn_buf_putc(b, '"') : rc;
}

char *
pn_buf_steal(struct pn_buf *b, size_t *len)
{
	char *p = b->p ? b->p : pn_xstrdup("");
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
