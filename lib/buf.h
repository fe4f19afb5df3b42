/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * A pn_buf always keeps a NUL after its contents (so text can be used as a C
 * string) and never grows past `max` bytes: an append that would cross the
 * cap fails with PN_ELIMIT and leaves the buffer as it was.  Allocation
 * failure aborts (pn_xrealloc).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_BUF_H
#define PN_BUF_H

#include "pn.h"

struct pn_buf {
	char *p;     /* contents, NUL-terminated; NULL until first append */
	size_t len;  /* bytes used, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 means SIZE_MAX/2 */
};

#define PN_BUF_INIT { NULL, 0, 0, 0 }

void pn_buf_init(struct pn_buf *b, size_t max);
void pn_buf_release(struct pn_buf *b);           /* frees contents, keeps max */
void pn_buf_reset(struct pn_buf *b);             /* len = 0, keeps memory */
int pn_buf_reserve(struct pn_buf *b, size_t extra);
int pn_buf_append(struct pn_buf *b, const void *data, size_t n);
int pn_buf_puts(struct pn_buf *b, const char *s);
int pn_buf_putc(struct pn_buf *b, char c);
int pn_buf_printf(struct pn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
int pn_buf_json_str(struct pn_buf *b, const char *s, size_t n);
/* Give the contents away: returns them (caller frees) and re-inits b. */
char *pn_buf_steal(struct pn_buf *b, size_t *len);

#endif
