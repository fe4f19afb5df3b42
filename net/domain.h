/*
 * domain.h - domain name and IP literal helpers: validation and
 * normalisation, registrable domain / public suffix / TLD (libpsl), and
 * reverse (in-addr.arpa / ip6.arpa) names.
 *
 * Names: ASCII only (IDN must arrive as punycode "xn--" labels; non-ASCII
 * is rejected with PN_EINVAL, libidn2 is not linked), labels of 1..63
 * letters/digits/hyphens not starting or ending with a hyphen, at most 253
 * characters without the optional trailing dot.  Output names are
 * lower-case without a trailing dot.  All functions are bounded by those
 * limits and are safe on any NUL-terminated input.
 *
 * Errors: PN_EINVAL (not a valid name / address), PN_ELIMIT (output buffer
 * too small), PN_ENOTFOUND (no registrable domain, e.g. a public suffix).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_DOMAIN_H
#define PN_DOMAIN_H

#include "pn.h"

#define PN_DOMAIN_LABEL_MAX   63
#define PN_DOMAIN_NAME_MAX    253
#define PN_DOMAIN_BUF         (PN_DOMAIN_NAME_MAX + 1)
#define PN_IP_TEXT_MAX        46    /* INET6_ADDRSTRLEN */
#define PN_REVERSE_NAME_MAX   74    /* 32 nibbles "x." + "ip6.arpa" + NUL */
#define PN_DOMAIN_INPUT_MAX   1024  /* longer inputs are rejected unread */

/* Flags of pn_domain_check / pn_domain_normalize. */
#define PN_DOMAIN_HOSTNAME    0x0   /* strict LDH, last label not all-digits */
#define PN_DOMAIN_DNS         0x1   /* also '_' in labels (_dmarc, SRV owners) */

/* PN_OK if name (optionally with one trailing dot) is a valid name. */
int pn_domain_check(const char *name, int flags);
/* Validate and write the lower-case form without trailing dot. */
int pn_domain_normalize(const char *name, int flags, char *out, size_t cap);

/*
 * Parse an IPv4 dotted quad or IPv6 literal (optionally in brackets; no
 * zone ids, no shortened/octal IPv4 forms).  *family is 4 or 6; addr gets
 * 4 or 16 bytes.
 */
int pn_ip_parse(const char *s, int *family, uint8_t addr[16]);
/* Canonical text form (inet_ntop) of an IP literal. */
int pn_ip_normalize(const char *s, char *out, size_t cap);
/* 1.2.3.4 -> 4.3.2.1.in-addr.arpa; IPv6 -> 32 nibbles + ip6.arpa. */
int pn_ip_reverse_name(const char *ip, char *out, size_t cap);
/* The inverse: a full in-addr.arpa / ip6.arpa name back to a canonical IP. */
int pn_ip_from_reverse_name(const char *name, char *out, size_t cap);

/*
 * Registrable domain ("eTLD+1") of a valid name using libpsl
 * (psl_latest(NULL), falling back to psl_builtin()):
 * a.b.evil.blogspot.com -> evil.blogspot.com.  PN_ENOTFOUND when the
 * name is itself a public suffix or has no registrable part.
 */
int pn_domain_registrable(const char *name, char *out, size_t cap);
/* Longest public suffix of name (co.uk for www.bbc.co.uk). */
int pn_domain_public_suffix(const char *name, char *out, size_t cap);
/* VT's `tld`: the last label (uk for www.bbc.co.uk). */
int pn_domain_tld(const char *name, char *out, size_t cap);

#endif
