/*
 * banned.h - functions that are easy to misuse with untrusted input.
 * Included by pn.h, so by every Panoptes source file; using one is a
 * compile error.  Use pn_strlcpy, pn_buf_printf, snprintf, pn_parse_i64.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_BANNED_H
#define PN_BANNED_H

#include <string.h>
#include <stdlib.h>
#include <stdio.h>

#define PN_BANNED(f) sorry_##f##_is_banned
#undef strcpy
#define strcpy(a, b) PN_BANNED(strcpy)
#undef strcat
#define strcat(a, b) PN_BANNED(strcat)
#undef strncpy
#define strncpy(a, b, n) PN_BANNED(strncpy)
#undef sprintf
#define sprintf(...) PN_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PN_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) PN_BANNED(strtok)
#undef atoi
#define atoi(a) PN_BANNED(atoi)
#undef gets
#define gets(a) PN_BANNED(gets)

#endif
