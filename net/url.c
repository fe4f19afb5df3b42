/*
 * url.c - URL parser and canonicaliser (see url.h and
 * docs/internals/urls.md for the rules).
 *
 * The input is copied once (whitespace trimmed, tabs and newlines dropped),
 * split into scheme, userinfo, host, port, path, query and fragment, and
 * each part is normalised into its own allocation.  Every output part is
 * built in a buffer sized from its input (at most 3 bytes out per byte in),
 * so nothing grows unbounded; the input is capped at PN_URL_MAX_LEN.
 * Host names: percent-decoded, UTF-8 decoded, mapped (IDN full stops,
 * full-width ASCII, a small lower-case table, ignored joiners), then each
 * non-ASCII label is punycoded (RFC 3492, written from the RFC).  A host
 * whose last label is a number is an IPv4 address (WHATWG rules: 1-4
 * parts, decimal, 0-octal or 0x-hex) or an error.
 * Errors: PN_EINVAL + reason.  No global state; thread-safe.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "url.h"
#include "b64.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Part kinds for percent normalisation. */
enum { PART_PATH, PART_QUERY, PART_USER, PART_FRAG };

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
is_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Bytes that are always percent-encoded in path, query, userinfo, fragment. */
static int
must_encode(int c, int kind)
{
	if (c <= 0x20 || c >= 0x7f)
		return 1;
	if (strchr("\"<>`{}|\\^", c) != NULL)
		return 1;
	if (kind == PART_USER && (c == '@' || c == '/' || c == '?' || c == '#'))
		return 1;
	return 0;
}

/*
 * Normalise percent-escapes of s[0..n) into out (room for 3n+1): escapes
 * of unreserved characters are decoded, other escapes upper-cased, a '%'
 * not followed by two hex digits becomes "%25", unsafe bytes are encoded.
 */
static size_t
pct_norm(const char *s, size_t n, char *out, int kind)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			int v = hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]);
			if (is_unreserved(v)) {
				out[o++] = (char)v;
			} else {
				out[o++] = '%';
				out[o++] = hx[v >> 4];
				out[o++] = hx[v & 15];
			}
			i += 2;
		} else if (c == '%') {
			out[o++] = '%';
			out[o++] = '2';
			out[o++] = '5';
		} else if (must_encode(c, kind)) {
			out[o++] = '%';
			out[o++] = hx[c >> 4];
			out[o++] = hx[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

/*
 * Remove dot segments (RFC 3986 §5.2.4) from an absolute path p (starts
 * with '/'), in place.  Segment starts are kept on a stack so ".." is O(1).
 */
static void
remove_dots(char *p)
{
	size_t n = strlen(p), olen = 1, depth = 0, i = 1;
	size_t *starts = pn_xmalloc((n + 1) * sizeof(*starts));
	char *o = pn_xmalloc(n + 2);

	o[0] = '/';
	while (i <= n) {
		size_t j = i;
		int last;

		while (j < n && p[j] != '/')
			j++;
		last = (j >= n);
		if (j - i == 1 && p[i] == '.') {
			/* nothing: o already ends with '/' */
		} else if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (depth > 0)
				olen = starts[--depth];
		} else {
			starts[depth++] = olen;
			memcpy(o + olen, p + i, j - i);
			olen += j - i;
			if (!last)
				o[olen++] = '/';
		}
		i = j + 1;
	}
	o[olen] = '\0';
	memcpy(p, o, olen + 1);
	free(o);
	free(starts);
}

/* ---- host names ---- */

/* Lower-case and IDNA-style mapping of one code point; 0 = drop it. */
static uint32_t
map_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0x80)
		return c;
	if (c == 0x3002 || c == 0xff0e || c == 0xff61)
		return '.';                        /* ideographic / full-width stops */
	if (c >= 0xff01 && c <= 0xff5e)
		return map_cp(c - 0xfee0);         /* full-width ASCII */
	if (c == 0xad || c == 0x200b || c == 0x200c || c == 0x200d || c == 0xfeff ||
	    c == 0x034f || (c >= 0xfe00 && c <= 0xfe0f))
		return 0;                          /* ignored by IDNA mapping */
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7))
		return c + 32;                     /* Latin-1 */
	if (c >= 0x100 && c <= 0x137 && c != 0x130 && (c & 1) == 0)
		return c + 1;                      /* Latin Extended-A, pairs */
	if (c >= 0x139 && c <= 0x148 && (c & 1) == 1)
		return c + 1;
	if (c >= 0x14a && c <= 0x177 && (c & 1) == 0)
		return c + 1;
	if (c == 0x178)
		return 0xff;
	if (c >= 0x179 && c <= 0x17e && (c & 1) == 1)
		return c + 1;
	if ((c >= 0x391 && c <= 0x3a9 && c != 0x3a2))
		return c + 32;                     /* Greek */
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;                     /* Cyrillic */
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

static int
host_ascii_ok(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Code points a host name may not hold even in a non-ASCII label. */
static int
host_cp_bad(uint32_t c)
{
	return c < 0xa0 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 ||
	    c == 0xfffd || (c >= 0xfff0 && c <= 0xffff) || (c >= 0xd800 && c <= 0xdfff);
}

static char
puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static uint32_t
puny_adapt(uint32_t delta, uint32_t npoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / npoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (((36 - 1 + 1) * delta) / (delta + 38));
}

/*
 * Punycode (RFC 3492) of cps[0..n) after "xn--" into out (cap bytes incl.
 * NUL).  Returns the length or -1 when it does not fit.
 */
static int
puny_encode(const uint32_t *cps, size_t n, char *out, size_t cap)
{
	uint64_t delta = 0;
	uint32_t cur = 128, bias = 72, h, b = 0;
	size_t i, o = 0;

#define PUT(ch) do { if (o + 1 >= cap) return -1; out[o++] = (ch); } while (0)
	PUT('x'); PUT('n'); PUT('-'); PUT('-');
	for (i = 0; i < n; i++)
		if (cps[i] < 0x80) {
			PUT((char)cps[i]);
			b++;
		}
	h = b;
	if (b > 0)
		PUT('-');
	while (h < n) {
		uint32_t m = 0x110000;

		for (i = 0; i < n; i++)
			if (cps[i] >= cur && cps[i] < m)
				m = cps[i];
		delta += (uint64_t)(m - cur) * (h + 1);
		cur = m;
		for (i = 0; i < n; i++) {
			if (cps[i] < cur)
				delta++;
			if (cps[i] == cur) {
				uint64_t q = delta, k, t;

				for (k = 36;; k += 36) {
					t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
					if (q < t)
						break;
					PUT(puny_digit((uint32_t)(t + (q - t) % (36 - t))));
					q = (q - t) / (36 - t);
				}
				PUT(puny_digit((uint32_t)q));
				bias = puny_adapt((uint32_t)delta, h + 1, h == b);
				delta = 0;
				h++;
			}
		}
		delta++;
		cur++;
	}
#undef PUT
	out[o] = '\0';
	return (int)o;
}

/* Append one label of code points to out as ASCII (punycoded if needed). */
static int
put_label(const uint32_t *cps, size_t n, char *out, size_t *olen, char *err, size_t errlen)
{
	char lab[PN_URL_MAX_LABEL + 2];
	size_t i, len;
	int ascii = 1;

	for (i = 0; i < n; i++) {
		if (cps[i] >= 0x80)
			ascii = 0;
		else if (!host_ascii_ok(cps[i])) {
			seterr(err, errlen, "forbidden character '%c' in host", (int)cps[i]);
			return PN_EINVAL;
		}
	}
	if (ascii) {
		if (n > PN_URL_MAX_LABEL) {
			seterr(err, errlen, "host label longer than %d", PN_URL_MAX_LABEL);
			return PN_EINVAL;
		}
		for (i = 0; i < n; i++)
			lab[i] = (char)cps[i];
		len = n;
	} else {
		int r = n > PN_URL_MAX_LABEL ? -1 : puny_encode(cps, n, lab, sizeof(lab));
		if (r < 0 || r > PN_URL_MAX_LABEL) {
			seterr(err, errlen, "IDN label longer than %d after punycode", PN_URL_MAX_LABEL);
			return PN_EINVAL;
		}
		len = (size_t)r;
	}
	if (*olen + (*olen > 0) + len > PN_URL_MAX_HOST) {
		seterr(err, errlen, "host name longer than %d", PN_URL_MAX_HOST);
		return PN_EINVAL;
	}
	if (*olen > 0)
		out[(*olen)++] = '.';
	memcpy(out + *olen, lab, len);
	*olen += len;
	out[*olen] = '\0';
	return PN_OK;
}

/* One IPv4 part (WHATWG): decimal, 0-octal or 0x-hex; -1 if invalid. */
static int64_t
ipv4_part(const char *s, size_t n)
{
	int base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n == 0)
		return -1;
	for (; i < n; i++) {
		int d = hexval((unsigned char)s[i]);
		if (d < 0 || d >= base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
		if (v > 0xffffffffULL)
			return -1;
	}
	return (int64_t)v;
}

/* Does the last label look like a number (so the host must be IPv4)? */
static int
ends_in_number(const char *h)
{
	const char *last = strrchr(h, '.');
	size_t i;

	last = last ? last + 1 : h;
	if (*last == '\0')
		return 0;
	for (i = 0; last[i] != '\0'; i++)
		if (last[i] < '0' || last[i] > '9')
			break;
	if (last[i] == '\0')
		return 1;
	if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
		for (i = 2; last[i] != '\0'; i++)
			if (hexval((unsigned char)last[i]) < 0)
				return 0;
		return 1;
	}
	return 0;
}

/* Parse an IPv4 host in any WHATWG form into dotted form; PN_EINVAL if not. */
static int
ipv4_norm(const char *h, char out[16])
{
	int64_t parts[4];
	size_t np = 0;
	const char *p = h;
	uint64_t v;
	size_t i;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (np == 4)
			return PN_EINVAL;
		parts[np] = ipv4_part(p, len);
		if (parts[np] < 0)
			return PN_EINVAL;
		np++;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	for (i = 0; i + 1 < np; i++)
		if (parts[i] > 255)
			return PN_EINVAL;
	if ((uint64_t)parts[np - 1] >= (1ULL << (8 * (5 - np))))
		return PN_EINVAL;
	v = (uint64_t)parts[np - 1];
	for (i = 0; i + 1 < np; i++)
		v += (uint64_t)parts[i] << (8 * (3 - i));
	snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(v >> 24) & 255,
	    (unsigned)(v >> 16) & 255, (unsigned)(v >> 8) & 255, (unsigned)v & 255);
	return PN_OK;
}

static int
host_ipv6(const char *s, size_t n, char **out, char *err, size_t errlen)
{
	char tmp[64], txt[INET6_ADDRSTRLEN];
	struct in6_addr a;
	size_t i;

	if (n >= sizeof(tmp) || n == 0) {
		seterr(err, errlen, "invalid IPv6 address");
		return PN_EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.') {
			seterr(err, errlen, "invalid IPv6 address (zone ids are not supported)");
			return PN_EINVAL;
		}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1 ||
	    inet_ntop(AF_INET6, &a, txt, sizeof(txt)) == NULL) {
		seterr(err, errlen, "invalid IPv6 address");
		return PN_EINVAL;
	}
	*out = pn_xstrdup(txt);
	return PN_OK;
}

/* Percent-decode the host and turn it into code points (mapped). */
static int
host_codepoints(const char *s, size_t n, uint32_t *cps, size_t *ncp, char *err, size_t errlen)
{
	unsigned char *raw = pn_xmalloc(n + 1);
	size_t i, rn = 0, k = 0;
	int rc = PN_OK;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				seterr(err, errlen, "invalid percent-escape in host");
				rc = PN_EINVAL;
				goto out;
			}
			raw[rn++] = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else {
			raw[rn++] = (unsigned char)s[i];
		}
	}
	for (i = 0; i < rn;) {
		size_t sl = pn_utf8_seq(raw + i, rn - i);
		uint32_t c;

		if (sl == 0) {
			seterr(err, errlen, "invalid UTF-8 in host");
			rc = PN_EINVAL;
			goto out;
		}
		if (sl == 1)
			c = raw[i];
		else if (sl == 2)
			c = (uint32_t)(raw[i] & 0x1f) << 6 | (raw[i + 1] & 0x3f);
		else if (sl == 3)
			c = (uint32_t)(raw[i] & 0x0f) << 12 | (uint32_t)(raw[i + 1] & 0x3f) << 6 |
			    (raw[i + 2] & 0x3f);
		else
			c = (uint32_t)(raw[i] & 0x07) << 18 | (uint32_t)(raw[i + 1] & 0x3f) << 12 |
			    (uint32_t)(raw[i + 2] & 0x3f) << 6 | (raw[i + 3] & 0x3f);
		i += sl;
		if (c == 0) {
			seterr(err, errlen, "space or control character in host");
			rc = PN_EINVAL;
			goto out;
		}
		c = map_cp(c);
		if (c == 0)
			continue;
		if (c != '.' && c < 0x80 && !host_ascii_ok(c)) {
			if (c <= 0x20 || c == 0x7f)
				seterr(err, errlen, "space or control character in host");
			else
				seterr(err, errlen, "forbidden character '%c' in host", (int)c);
			rc = PN_EINVAL;
			goto out;
		}
		if (c >= 0x80 && host_cp_bad(c)) {
			seterr(err, errlen, "forbidden code point U+%04X in host", (unsigned)c);
			rc = PN_EINVAL;
			goto out;
		}
		cps[k++] = c;
	}
out:
	*ncp = k;
	free(raw);
	return rc;
}

/* Canonical host of s[0..n) (not bracketed IPv6). */
static int
host_canon(const char *s, size_t n, char **out, int *ipver, char *err, size_t errlen)
{
	uint32_t *cps = pn_xmalloc((n + 1) * sizeof(*cps));
	char host[PN_URL_MAX_HOST + 2], v4[16];
	size_t ncp = 0, i, start, hlen = 0;
	int rc;

	*ipver = 0;
	rc = host_codepoints(s, n, cps, &ncp, err, errlen);
	/* labels: leading, trailing and repeated dots are dropped */
	for (i = 0; rc == PN_OK && i < ncp;) {
		while (i < ncp && cps[i] == '.')
			i++;
		start = i;
		while (i < ncp && cps[i] != '.')
			i++;
		if (i > start)
			rc = put_label(cps + start, i - start, host, &hlen, err, errlen);
	}
	free(cps);
	if (rc != PN_OK)
		return rc;
	if (hlen == 0) {
		seterr(err, errlen, "empty host");
		return PN_EINVAL;
	}
	if (ends_in_number(host)) {
		if (ipv4_norm(host, v4) != PN_OK) {
			seterr(err, errlen, "invalid IPv4 address '%s'", host);
			return PN_EINVAL;
		}
		*ipver = 4;
		*out = pn_xstrdup(v4);
		return PN_OK;
	}
	*out = pn_xstrdup(host);
	return PN_OK;
}

/* ---- scheme, authority ---- */

static int
default_port(const char *scheme)
{
	static const struct { const char *s; int port; } tab[] = {
		{ "http", 80 }, { "https", 443 }, { "ftp", 21 }, { "ws", 80 },
		{ "wss", 443 }, { "ftps", 990 }, { "sftp", 22 }, { "ssh", 22 },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(tab); i++)
		if (strcmp(tab[i].s, scheme) == 0)
			return tab[i].port;
	return 0;
}

/*
 * Find an explicit scheme at the start of s: 1 with the lower-cased name
 * in scheme and *after at the byte after ':', else 0 (scheme-less input
 * such as "example.com/x" or "example.com:8080/x").
 */
static int
find_scheme(const char *s, char scheme[PN_URL_MAX_SCHEME + 1], size_t *after)
{
	size_t i = 0, j;
	const char *rest;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	if (s[i] != ':' || i > PN_URL_MAX_SCHEME)
		return 0;
	for (j = 0; j < i; j++)
		scheme[j] = (char)tolower((unsigned char)s[j]);
	scheme[i] = '\0';
	*after = i + 1;
	rest = s + i + 1;
	if (rest[0] == '/' || rest[0] == '\\')
		return 1;
	if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
		return 1;
	/* "host:port..." without a scheme */
	for (j = 0; isdigit((unsigned char)rest[j]); j++)
		;
	if (j > 0 && (rest[j] == '\0' || strchr("/?#\\", rest[j]) != NULL))
		return 0;
	return 1;
}

/* Copy text without surrounding whitespace/controls and inner tab/CR/LF. */
static char *
clean_input(const char *text, size_t n)
{
	char *o = pn_xmalloc(n + 1);
	size_t b = 0, e = n, k = 0, i;

	while (b < e && (unsigned char)text[b] <= 0x20)
		b++;
	while (e > b && (unsigned char)text[e - 1] <= 0x20)
		e--;
	for (i = b; i < e; i++)
		if (text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			o[k++] = text[i];
	o[k] = '\0';
	return o;
}

static int
parse_port(const char *s, size_t n, int *port, char *err, size_t errlen)
{
	size_t i;
	long v = 0;

	if (n == 0)
		return PN_OK;        /* "host:" keeps the default */
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) {
			seterr(err, errlen, "invalid port");
			return PN_EINVAL;
		}
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			break;
	}
	if (v < 1 || v > 65535) {
		seterr(err, errlen, "port out of range 1-65535");
		return PN_EINVAL;
	}
	*port = (int)v;
	return PN_OK;
}

static char *
norm_part(const char *s, size_t n, int kind)
{
	char *o = pn_xmalloc(3 * n + 1);

	pct_norm(s, n, o, kind);
	return o;
}

static void
build_canonical(struct pn_url *u)
{
	char port[16] = "";

	if (u->port != default_port(u->scheme) && u->port != 0)
		snprintf(port, sizeof(port), ":%d", u->port);
	u->canonical = pn_xasprintf("%s://%s%s%s%s%s%s%s%s%s", u->scheme,
	    u->userinfo ? u->userinfo : "", u->userinfo ? "@" : "",
	    u->host_ip == 6 ? "[" : "", u->host, u->host_ip == 6 ? "]" : "",
	    port, u->path, u->query ? "?" : "", u->query ? u->query : "");
}

static int
parse_authority(const char *a, size_t n, struct pn_url *u, char *err, size_t errlen)
{
	const char *at = NULL, *hp, *colon;
	size_t i, hn;

	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at != NULL) {
		u->userinfo = norm_part(a, (size_t)(at - a), PART_USER);
		hp = at + 1;
	} else {
		hp = a;
	}
	hn = n - (size_t)(hp - a);
	if (hn > 0 && hp[0] == '[') {
		const char *rb = memchr(hp, ']', hn);
		if (rb == NULL) {
			seterr(err, errlen, "unterminated '[' in host");
			return PN_EINVAL;
		}
		if (rb + 1 < hp + hn && rb[1] != ':') {
			seterr(err, errlen, "junk after IPv6 address");
			return PN_EINVAL;
		}
		if (host_ipv6(hp + 1, (size_t)(rb - hp - 1), &u->host, err, errlen) != PN_OK)
			return PN_EINVAL;
		u->host_ip = 6;
		if (rb + 1 < hp + hn)
			return parse_port(rb + 2, (size_t)(hp + hn - rb - 2), &u->port, err, errlen);
		return PN_OK;
	}
	colon = memchr(hp, ':', hn);
	if (colon != NULL) {
		if (parse_port(colon + 1, (size_t)(hp + hn - colon - 1), &u->port, err, errlen) != PN_OK)
			return PN_EINVAL;
		hn = (size_t)(colon - hp);
	}
	if (hn == 0) {
		seterr(err, errlen, "empty host");
		return PN_EINVAL;
	}
	return host_canon(hp, hn, &u->host, &u->host_ip, err, errlen);
}

static int
parse_rest(const char *s, struct pn_url *u)
{
	size_t pn = strcspn(s, "?#");
	char *raw = pn_xstrndup(s, pn), *p;

	for (p = raw; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	if (pn == 0) {
		u->path = pn_xstrdup("/");
	} else {
		u->path = norm_part(raw, pn, PART_PATH);
		remove_dots(u->path);
	}
	free(raw);
	s += pn;
	if (*s == '?') {
		size_t qn = strcspn(s + 1, "#");
		u->query = norm_part(s + 1, qn, PART_QUERY);
		s += 1 + qn;
	}
	if (*s == '#')
		u->fragment = norm_part(s + 1, strlen(s + 1), PART_FRAG);
	return PN_OK;
}

int
pn_url_parse_flags(const char *text, unsigned flags, struct pn_url *u,
    char *err, size_t errlen)
{
	char scheme[PN_URL_MAX_SCHEME + 1] = "http", tmp[PN_URL_MAX_SCHEME + 1];
	size_t n, after = 0, alen;
	char *in;
	const char *p;
	int rc = PN_EINVAL, special;

	memset(u, 0, sizeof(*u));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL) {
		seterr(err, errlen, "no URL");
		return PN_EINVAL;
	}
	n = strnlen(text, PN_URL_MAX_LEN + 1);
	if (n > PN_URL_MAX_LEN) {
		seterr(err, errlen, "URL longer than %d bytes", PN_URL_MAX_LEN);
		return PN_EINVAL;
	}
	in = clean_input(text, n);
	if (in[0] == '\0') {
		seterr(err, errlen, "empty URL");
		goto out;
	}
	if (find_scheme(in, tmp, &after))
		pn_strlcpy(scheme, tmp, sizeof(scheme));
	else
		after = 0;
	special = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
	if (!special && !(flags & PN_URL_ANY_SCHEME)) {
		seterr(err, errlen, "unsupported scheme '%s' (only http and https)", scheme);
		goto out;
	}
	p = in + after;
	if (special) {
		while (*p == '/' || *p == '\\')
			p++;
	} else if (p[0] == '/' && p[1] == '/') {
		p += 2;
	} else {
		seterr(err, errlen, "URL has no authority ('%s://' expected)", scheme);
		goto out;
	}
	u->scheme = pn_xstrdup(scheme);
	u->port = default_port(scheme);
	alen = strcspn(p, "/\\?#");
	if (parse_authority(p, alen, u, err, errlen) != PN_OK)
		goto out;
	parse_rest(p + alen, u);
	build_canonical(u);
	rc = PN_OK;
out:
	free(in);
	if (rc != PN_OK)
		pn_url_free(u);
	return rc;
}

int
pn_url_parse(const char *text, struct pn_url *u, char *err, size_t errlen)
{
	return pn_url_parse_flags(text, 0, u, err, errlen);
}

void
pn_url_free(struct pn_url *u)
{
	if (u == NULL)
		return;
	free(u->scheme);
	free(u->userinfo);
	free(u->host);
	free(u->path);
	free(u->query);
	free(u->fragment);
	free(u->canonical);
	memset(u, 0, sizeof(*u));
}

void
pn_url_id(const char *canonical, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(canonical, strlen(canonical), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		fatalx("pn_url_id: EVP_Digest(sha256) failed");
	pn_hex(md, 32, hex);
}

int
pn_url_id_from_b64(const char *b64, char **url_out)
{
	size_t n, cap, outlen = 0;
	uint8_t *buf;
	struct pn_url u;

	*url_out = NULL;
	if (b64 == NULL)
		return PN_EINVAL;
	n = strnlen(b64, 2 * PN_URL_MAX_LEN);
	if (n == 0 || n >= 2 * PN_URL_MAX_LEN)
		return PN_EINVAL;
	cap = pn_b64_decoded_max(n) + 1;
	buf = pn_xmalloc(cap);
	if (pn_b64_decode(b64, n, buf, cap - 1, &outlen, PN_B64_URL) != PN_OK ||
	    outlen == 0 || memchr(buf, '\0', outlen) != NULL) {
		free(buf);
		return PN_EINVAL;
	}
	buf[outlen] = '\0';
	if (pn_url_parse((char *)buf, &u, NULL, 0) != PN_OK) {
		free(buf);
		return PN_EINVAL;
	}
	pn_url_free(&u);
	*url_out = (char *)buf;
	return PN_OK;
}

int
pn_url_id_resolve(const char *route_id, char hex[65])
{
	char *raw = NULL;
	struct pn_url u;
	size_t i;

	hex[0] = '\0';
	if (route_id == NULL)
		return PN_EINVAL;
	if (strlen(route_id) == 64 && pn_is_hex(route_id, 64)) {
		for (i = 0; i < 64; i++)
			hex[i] = (char)tolower((unsigned char)route_id[i]);
		hex[64] = '\0';
		return PN_OK;
	}
	if (pn_url_id_from_b64(route_id, &raw) != PN_OK)
		return PN_EINVAL;
	if (pn_url_parse(raw, &u, NULL, 0) != PN_OK) {
		free(raw);
		return PN_EINVAL;
	}
	pn_url_id(u.canonical, hex);
	pn_url_free(&u);
	free(raw);
	return PN_OK;
}
