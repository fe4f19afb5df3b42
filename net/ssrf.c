/*
 * ssrf.c - address policy of the URL fetcher (see ssrf.h for the ranges).
 *
 * Two tables of (prefix, length, category) for IPv4 and IPv6, searched in
 * order (first match wins, so more specific entries come first); IPv6
 * forms that carry an IPv4 address are unwrapped and judged as IPv4.
 * Limits: PN_SSRF_MAX_CIDRS allow-list entries.  No allocation.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "ssrf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct range {
	unsigned char p[16];
	int len;                  /* prefix length in bits */
	const char *what;         /* category; NULL = allowed */
	int doc;                  /* documentation range (PN_SSRF_ALLOW_DOC) */
};

static const struct range v4[] = {
	{ {169, 254, 169, 254}, 32, "link-local (cloud metadata)", 0 },
	{ {255, 255, 255, 255}, 32, "broadcast", 0 },
	{ {0}, 8, "unspecified (\"this network\")", 0 },
	{ {10}, 8, "private (RFC 1918)", 0 },
	{ {100, 64}, 10, "shared (CGNAT, RFC 6598)", 0 },
	{ {127}, 8, "loopback", 0 },
	{ {169, 254}, 16, "link-local", 0 },
	{ {172, 16}, 12, "private (RFC 1918)", 0 },
	{ {192, 0, 0}, 24, "reserved (IETF protocol assignments)", 0 },
	{ {192, 0, 2}, 24, "documentation", 1 },
	{ {192, 88, 99}, 24, "reserved (6to4 relay)", 0 },
	{ {192, 168}, 16, "private (RFC 1918)", 0 },
	{ {198, 18}, 15, "reserved (benchmarking)", 0 },
	{ {198, 51, 100}, 24, "documentation", 1 },
	{ {203, 0, 113}, 24, "documentation", 1 },
	{ {224}, 4, "multicast", 0 },
	{ {240}, 4, "reserved", 0 },
};

static const struct range v6[] = {
	{ {0}, 128, "unspecified", 0 },
	{ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback", 0 },
	{ {0}, 96, "reserved (IPv4-compatible)", 0 },
	{ {0, 0x64, 0xff, 0x9b, 0, 1}, 48, "private (local-use NAT64)", 0 },
	{ {0x01, 0x00}, 64, "reserved (discard-only)", 0 },
	{ {0x20, 0x01, 0x0d, 0xb8}, 32, "documentation", 1 },
	{ {0x20, 0x01, 0x00, 0x00}, 32, "reserved (Teredo)", 0 },
	{ {0x20, 0x01, 0x00}, 23, "reserved (IETF protocol assignments)", 0 },
	{ {0xfc}, 7, "unique local (ULA)", 0 },
	{ {0xfe, 0x80}, 10, "link-local", 0 },
	{ {0xfe, 0xc0}, 10, "site-local", 0 },
	{ {0xff}, 8, "multicast", 0 },
	{ {0x20}, 3, NULL, 0 },                 /* global unicast */
	{ {0}, 0, "reserved (not global unicast)", 0 },
};

static void
seterr(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

static int
prefix_match(const unsigned char *a, const unsigned char *p, int len)
{
	int full = len / 8, rest = len % 8;

	if (full > 0 && memcmp(a, p, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ p[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static const char *
lookup(const struct range *t, size_t n, const unsigned char *a, int flags)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (prefix_match(a, t[i].p, t[i].len)) {
			if (t[i].doc && (flags & PN_SSRF_ALLOW_DOC))
				return NULL;
			return t[i].what;
		}
	return NULL;
}

const char *
pn_ssrf_class4(const unsigned char a4[4], int flags)
{
	return lookup(v4, PN_ARRAY_LEN(v4), a4, flags);
}

const char *
pn_ssrf_class6(const unsigned char a6[16], int flags)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	/* forms carrying an IPv4 address are judged by that address */
	if (memcmp(a6, mapped, 12) == 0 || memcmp(a6, nat64, 12) == 0)
		return pn_ssrf_class4(a6 + 12, flags);
	if (a6[0] == 0x20 && a6[1] == 0x02)
		return pn_ssrf_class4(a6 + 2, flags);   /* 6to4 */
	return lookup(v6, PN_ARRAY_LEN(v6), a6, flags);
}

static int
allowed_by_list(const struct pn_ssrf_allow *allow, int family, const unsigned char *a)
{
	size_t i;

	if (allow == NULL)
		return 0;
	for (i = 0; i < allow->n && i < PN_SSRF_MAX_CIDRS; i++)
		if (allow->net[i].family == family &&
		    prefix_match(a, allow->net[i].addr, allow->net[i].prefix))
			return 1;
	return 0;
}

/* "an" before a vowel sound: "an unspecified", "a unique local". */
static int
an_article(const char *w)
{
	if (strchr("aeio", w[0]) != NULL)
		return 1;
	return w[0] == 'u' && w[1] == 'n' && w[2] != 'i';
}

int
pn_ssrf_check_allow(const struct sockaddr *sa, socklen_t len, int flags,
    const struct pn_ssrf_allow *allow, char *why, size_t cap)
{
	char txt[INET6_ADDRSTRLEN] = "?";
	const unsigned char *a;
	const char *what;
	int family;

	if (sa == NULL || len < (socklen_t)sizeof(sa->sa_family)) {
		seterr(why, cap, "refused: no address");
		return PN_EPERM;
	}
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		a = (const unsigned char *)&s4->sin_addr;
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		a = (const unsigned char *)&s6->sin6_addr;
		family = AF_INET6;
	} else {
		seterr(why, cap, "refused: address family %d is not IPv4 or IPv6", sa->sa_family);
		return PN_EPERM;
	}
	if (flags & PN_SSRF_ALLOW_PRIVATE)
		return PN_OK;
	what = family == AF_INET ? pn_ssrf_class4(a, flags) : pn_ssrf_class6(a, flags);
	if (what == NULL || allowed_by_list(allow, family, a))
		return PN_OK;
	inet_ntop(family, a, txt, sizeof(txt));
	seterr(why, cap, "refused: %s is a%s %s address (fetch.allow_private is off)", txt,
	    an_article(what) ? "n" : "", what);
	return PN_EPERM;
}

int
pn_ssrf_check(const struct sockaddr *sa, socklen_t len, int allow_private,
    char *why, size_t cap)
{
	return pn_ssrf_check_allow(sa, len, allow_private, NULL, why, cap);
}

int
pn_ssrf_check_text(const char *ip, int flags, char *why, size_t cap)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (ip != NULL && inet_pton(AF_INET, ip, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return pn_ssrf_check((struct sockaddr *)&s4, sizeof(s4), flags, why, cap);
	}
	if (ip != NULL && inet_pton(AF_INET6, ip, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		return pn_ssrf_check((struct sockaddr *)&s6, sizeof(s6), flags, why, cap);
	}
	seterr(why, cap, "not an IP address: '%s'", ip ? ip : "(null)");
	return PN_EINVAL;
}

/* One "addr[/prefix]" item of s[0..n). */
static int
parse_cidr(const char *s, size_t n, struct pn_ssrf_allow *out)
{
	char buf[64];
	char *slash;
	int64_t pfx;
	int fam, max;

	if (n == 0 || n >= sizeof(buf) || out->n >= PN_SSRF_MAX_CIDRS)
		return PN_EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	memset(out->net[out->n].addr, 0, 16);
	if (inet_pton(AF_INET, buf, out->net[out->n].addr) == 1) {
		fam = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->net[out->n].addr) == 1) {
		fam = AF_INET6;
		max = 128;
	} else {
		return PN_EINVAL;
	}
	pfx = max;
	if (slash != NULL && pn_parse_i64(slash, 0, max, &pfx) != PN_OK)
		return PN_EINVAL;
	out->net[out->n].family = fam;
	out->net[out->n].prefix = (int)pfx;
	out->n++;
	return PN_OK;
}

int
pn_ssrf_allow_parse(const char *list, struct pn_ssrf_allow *out, char *err, size_t cap)
{
	const char *p = list;

	memset(out, 0, sizeof(*out));
	while (p != NULL && *p != '\0') {
		size_t n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, " ,\t");
		if (n == 0)
			break;
		if (parse_cidr(p, n, out) != PN_OK) {
			seterr(err, cap, "fetch.allow_cidrs: bad network '%.*s' (or more than %d)",
			    (int)PN_MIN(n, 64), p, PN_SSRF_MAX_CIDRS);
			return PN_EINVAL;
		}
		p += n;
	}
	return PN_OK;
}
