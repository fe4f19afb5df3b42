/*
 * ioc.h - recognisers for indicators of compromise in text: URLs, domain
 * names, IPv4 and IPv6 addresses and e-mail addresses, plus a scanner that
 * finds all of them in a buffer of text (a string pulled out of a binary,
 * a script, a decoded command).  Used by the strings and script parsers;
 * written so that other modules (the URL engines) can use the validators
 * on their own.
 *
 * What counts as an indicator (docs/internals/strings-ioc.md has the
 * reasons and the measurements behind each rule):
 *  - URL: scheme http, https, ftp, or the defanged hxxp, hxxps (reported
 *    as http, https; "[.]" and "(.)" in the host become "."), a valid
 *    host (registrable domain, RFC 2606 reserved name, IPv4, [IPv6]),
 *    optional port, path/query cut at quotes, spaces, <>, \ and the
 *    like, with trailing punctuation and unbalanced ) ] trimmed.
 *  - domain: 2+ labels of [A-Za-z0-9-] whose last label is a real ICANN
 *    or private public-suffix entry (libpsl's built-in list, without the
 *    implicit "*" rule) and which is not itself an ICANN public suffix
 *    (co.uk).  A name seen bare (not inside a URL or e-mail) must also
 *    pass the heuristics against file names and code identifiers of
 *    pn_ioc_domain() (flags 0).
 *  - IPv4: a strict dotted quad (decimal, no leading zeros, <= 255); the
 *    scanner also drops unlikely host addresses (0.x, >= 240.x, x.x.x.0),
 *    OIDs (2.5.29.15, 1.3.6.1) and version numbers (1.2.3.4.5, v1.2.3.4,
 *    "version 1.2.3.4", all four parts < 20 except public resolvers).
 *  - IPv6: accepted by inet_pton(3), reported in inet_ntop(3) form; the
 *    scanner wants >= 2 groups, one of 3+ digits, a decimal digit and one
 *    letter case, so C++ and Perl "A::B" scopes are not addresses.
 *  - e-mail: local part [A-Za-z0-9._+-] (1-64, no leading, trailing or
 *    double dot) @ a domain as above (no bare-word heuristics).
 *
 * Results are NUL-terminated, lower case except URL paths and e-mail local
 * parts, written into caller buffers; nothing is allocated.  libpsl's
 * built-in list (psl_builtin()) needs no file access, so this works in the
 * sandboxed parser child.
 * Limits: PN_IOC_MAX_URL, PN_IOC_MAX_HOST, PN_IOC_MAX_LABEL,
 * PN_IOC_MAX_LOCAL, PN_IOC_MAX_EMAIL (below).
 * Errors: PN_EFORMAT (not an indicator), PN_ELIMIT (a URL longer than
 * PN_IOC_MAX_URL), PN_EINVAL (output buffer too small).
 * See also: docs/internals/strings-ioc.md, tests/unit/test_ioc.c,
 * tests/fuzz/fuzz_ioc.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_IOC_H
#define PN_IOC_H

#include "pn.h"

#define PN_IOC_MAX_URL    2048  /* longest URL reported (bytes, normalised) */
#define PN_IOC_MAX_HOST   253   /* RFC 1035 §2.3.4, without the final dot */
#define PN_IOC_MAX_LABEL  63    /* RFC 1035 §2.3.4 */
#define PN_IOC_MAX_LOCAL  64    /* RFC 5321 §4.5.3.1.1 local part */
#define PN_IOC_MAX_EMAIL  (PN_IOC_MAX_LOCAL + 1 + PN_IOC_MAX_HOST)
#define PN_IOC_MAX_IP     46    /* INET6_ADDRSTRLEN with the NUL */

enum pn_ioc_kind {
	PN_IOC_URL,
	PN_IOC_DOMAIN,
	PN_IOC_IPV4,
	PN_IOC_IPV6,
	PN_IOC_EMAIL,
	PN_IOC_NKINDS
};

/* Where the scanner found an indicator (the `where` of pn_ioc_fn). */
#define PN_IOC_BARE      0u  /* on its own */
#define PN_IOC_IN_URL    1u  /* the host of a URL just reported */
#define PN_IOC_IN_EMAIL  2u  /* the domain of an e-mail just reported */

/* pn_ioc_domain() flags */
#define PN_IOC_F_CONTEXT   0x1u /* from a URL or e-mail: skip the bare-word heuristics */
#define PN_IOC_F_RESERVED  0x2u /* accept RFC 2606/6761 names (.test .example .invalid .localhost) */

/* pn_ioc_domain() result for an accepted reserved name (not a registrable domain) */
#define PN_IOC_RESERVED  1

/*
 * Check the name s[0..n) (no NUL needed) and write it in lower case to out
 * (outsz >= n + 1).  Returns PN_OK for a domain name, PN_IOC_RESERVED for
 * a reserved name when flags has PN_IOC_F_RESERVED, PN_EFORMAT otherwise,
 * PN_EINVAL if out is too small.  Without PN_IOC_F_CONTEXT the name is
 * taken as a bare word and must also pass: no camelCase label, an
 * upper-case TLD only in an all-upper name (not 2-label .COM: COMMAND.COM),
 * a 2+ character first label in a 2-label name, a first label that is not
 * a code namespace (llvm., go., std., reverse-DNS com., org. ...), and a
 * "strong" TLD (classic gTLDs, common ccTLDs, IDN) unless the name starts
 * with "www.": new gTLDs, rarer ccTLDs and file-extension TLDs (.so .py
 * .md .info .zip .app .top .id .it ...) are refused bare.  out is written
 * even when the name is refused.
 */
int pn_ioc_domain(const char *s, size_t n, unsigned flags, char *out, size_t outsz);

/* Strict dotted-quad IPv4 s[0..n) into ip[4]: PN_OK or PN_EFORMAT. */
int pn_ioc_ipv4(const char *s, size_t n, uint8_t ip[4]);

/*
 * IPv6 s[0..n) (no brackets, no zone) into addr[16] and, if text is not
 * NULL, its inet_ntop(3) form (textsz >= PN_IOC_MAX_IP).  PN_OK or
 * PN_EFORMAT.
 */
int pn_ioc_ipv6(const char *s, size_t n, uint8_t addr[16], char *text, size_t textsz);

/*
 * 1 if the address is globally routable unicast, 0 if it is private,
 * loopback, link-local, multicast, reserved, documentation or otherwise
 * special (RFC 6890).  af is 4 (addr[4]) or 6 (addr[16]).
 */
int pn_ioc_ip_public(int af, const uint8_t *addr);

/*
 * The e-mail address s[0..n) (local@domain) to out (outsz >= n + 1), the
 * domain in lower case.  The domain is checked with PN_IOC_F_CONTEXT |
 * PN_IOC_F_RESERVED.  Returns PN_OK, PN_IOC_RESERVED (reserved-name
 * domain), PN_EFORMAT or PN_EINVAL.
 */
int pn_ioc_email(const char *s, size_t n, char *out, size_t outsz);

/* A URL found by pn_ioc_url(). */
struct pn_ioc_url {
	char url[PN_IOC_MAX_URL + 1];    /* normalised URL */
	char host[PN_IOC_MAX_HOST + 1];  /* lower case; IPv6 in inet_ntop form, no brackets */
	enum pn_ioc_kind host_kind;      /* PN_IOC_DOMAIN, PN_IOC_IPV4 or PN_IOC_IPV6 */
	int host_reserved;               /* host is a reserved name, not a domain */
	size_t used;                     /* input bytes the URL (or its rejected scheme) took */
};

/*
 * Parse a URL starting at s[0] (the scheme), at most n bytes.  PN_OK: u
 * holds it and u->used the input it took.  PN_EFORMAT: no URL here; u->used
 * is the length of the scheme and "://" if those matched (skip them), else
 * 0.  PN_ELIMIT: a URL over PN_IOC_MAX_URL, u->used its input length.
 */
int pn_ioc_url(const char *s, size_t n, struct pn_ioc_url *u);

/*
 * Called for each indicator: kind, the normalised NUL-terminated value
 * (valid during the call only) and where it was found.  A URL's host and
 * an e-mail's domain are reported right after it (where PN_IOC_IN_URL,
 * PN_IOC_IN_EMAIL) when they are domains or plausible IPs.  Return 0 to go
 * on, anything else to stop the scan with that value.
 */
typedef int (*pn_ioc_fn)(void *ctx, enum pn_ioc_kind kind, const char *value, unsigned where);

/*
 * Find every indicator in the text s[0..n) (any bytes; no NUL needed),
 * left to right, in time linear in n.  Returns 0 or the callback's
 * non-zero value.
 */
int pn_ioc_scan(const char *s, size_t n, pn_ioc_fn fn, void *ctx);

/* "url", "domain", "ipv4", "ipv6", "email". */
const char *pn_ioc_kind_name(enum pn_ioc_kind kind);

#endif
