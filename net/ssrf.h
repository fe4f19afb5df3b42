/*
 * ssrf.h - the server-side request forgery guard: which addresses the URL
 * fetcher (fetch.c) may connect to.
 *
 * By default every address that is not globally routable unicast is
 * refused: IPv4 unspecified/"this network" 0/8, RFC 1918 10/8, 172.16/12,
 * 192.168/16, CGNAT 100.64/10, loopback 127/8, link-local 169.254/16 (incl.
 * 169.254.169.254, cloud metadata), IETF 192.0.0/24, benchmarking 198.18/15,
 * 6to4 relay 192.88.99/24, multicast 224/4, reserved 240/4, broadcast;
 * documentation 192.0.2/24, 198.51.100/24, 203.0.113/24 unless
 * PN_SSRF_ALLOW_DOC.  IPv6: everything outside global unicast 2000::/3
 * (::, ::1, ULA fc00::/7, link-local fe80::/10, site-local, multicast,
 * discard 100::/64, IPv4-compatible ::/96) plus 2001::/23 (Teredo, IETF),
 * 2001:db8::/32 (documentation), 64:ff9b:1::/48 (local NAT64); IPv4-mapped
 * ::ffff:0:0/96, NAT64 64:ff9b::/96 and 6to4 2002::/16 are judged by the
 * IPv4 address they carry.
 *
 * The check is made on the socket address actually connected (fetch.c's
 * CURLOPT_OPENSOCKETFUNCTION), after DNS and for every redirect, so DNS
 * rebinding cannot get around it.  fetch.allow_private = true
 * (PN_SSRF_ALLOW_PRIVATE) turns the guard off; fetch.allow_cidrs exempts
 * listed networks.  Non-IP address families are always refused.
 *
 * Errors: PN_EPERM with a one-line reason, e.g. "refused: 127.0.0.1 is a
 * loopback address (fetch.allow_private is off)"; PN_EINVAL for a malformed
 * address or CIDR list.  No state; thread-safe.
 * See also: tests/unit/test_fetch.c, docs/internals/urls.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SSRF_H
#define PN_SSRF_H

#include <stddef.h>
#include <sys/socket.h>

#define PN_SSRF_ALLOW_PRIVATE 0x01  /* fetch.allow_private: guard off */
#define PN_SSRF_ALLOW_DOC     0x02  /* documentation ranges allowed */

#define PN_SSRF_MAX_CIDRS 64        /* entries in an allow list */

/* Networks exempt from the guard (fetch.allow_cidrs). */
struct pn_ssrf_allow {
	size_t n;
	struct {
		int family;                 /* AF_INET or AF_INET6 */
		unsigned char addr[16];
		int prefix;
	} net[PN_SSRF_MAX_CIDRS];
};

/*
 * May the fetcher connect to sa?  flags: PN_SSRF_ALLOW_*; so a plain
 * allow_private boolean works as flags.  PN_OK or PN_EPERM with why.
 */
int pn_ssrf_check(const struct sockaddr *sa, socklen_t len, int allow_private,
    char *why, size_t cap);

/* The same with an allow list (may be NULL). */
int pn_ssrf_check_allow(const struct sockaddr *sa, socklen_t len, int flags,
    const struct pn_ssrf_allow *allow, char *why, size_t cap);

/* The same for a numeric address text ("10.0.0.1", "::1"); PN_EINVAL if not one. */
int pn_ssrf_check_text(const char *ip, int flags, char *why, size_t cap);

/*
 * Category of an address: NULL when globally routable, else a noun such as
 * "loopback", "private (RFC 1918)", "link-local (cloud metadata)".
 * a4 is in network byte order; a6 is 16 bytes.
 */
const char *pn_ssrf_class4(const unsigned char a4[4], int flags);
const char *pn_ssrf_class6(const unsigned char a6[16], int flags);

/* Parse "10.0.0.0/8, ::1/128, 127.0.0.2" (bare address = host route). */
int pn_ssrf_allow_parse(const char *list, struct pn_ssrf_allow *out, char *err, size_t cap);

#endif
