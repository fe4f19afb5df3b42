/*
 * utf8.h - UTF-8 validation.  Strings from the outside (file names,
 * headers) may hold any bytes; JSON must hold valid UTF-8, so such strings
 * are cleaned once where they enter: invalid sequences, overlongs,
 * surrogates and code points past U+10FFFF become U+FFFD.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_UTF8_H
#define PN_UTF8_H

#include "pn.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is invalid. */
size_t pn_utf8_seq(const unsigned char *s, size_t n);
/* A new NUL-terminated copy of s[0..n) with invalid sequences and NULs replaced by U+FFFD. */
char *pn_utf8_clean(const char *s, size_t n);

#endif
