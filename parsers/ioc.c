/*
 * ioc.c - indicator recognisers and the text scanner (see ioc.h).
 *
 * The scanner walks the text once.  At a letter h/f after a non-letter it
 * tries a URL; at a hex digit or "::" after a delimiter an IPv6 address;
 * at the start of a word ([A-Za-z0-9._+-]+) it looks at what follows the
 * word ('@': e-mail) and at the word itself (dotted quad: IPv4; dotted
 * name: domain).  Every branch advances past what it examined, and the
 * validators refuse over-long candidates before looking at them, so the
 * work is linear in the input.  Domain checks use libpsl's built-in
 * list (psl_builtin(): static data, no file access, thread-safe).
 *
 * Limits: PN_IOC_MAX_* (ioc.h); IPV6_RUN_MAX below.
 * Errors: as documented per function in ioc.h; no allocation.
 * Spec: RFC 3986 (URI), RFC 1035 §2.3.4 (names), RFC 5321 §4.5.3.1
 * (e-mail sizes), RFC 6890 (special-purpose addresses), RFC 2606 and
 * RFC 6761 (reserved names).
 * See also: docs/internals/strings-ioc.md, tests/unit/test_ioc.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ioc.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <string.h>

#define IPV6_RUN_MAX   (PN_IOC_MAX_IP - 1)       /* longest IPv6 text looked at */
#define USERINFO_MAX   (PN_IOC_MAX_LOCAL * 4)   /* longest user:password@ looked at */

/* ------------------------------------------------------------------ */
/* Characters                                                          */

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_alpha(unsigned char c)
{
	return is_upper(c) || is_lower(c);
}

static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static int
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char
to_lower(unsigned char c)
{
	return is_upper(c) ? (unsigned char)(c + 32) : c;
}

/* A word of the scanner: host names, e-mail local parts, dotted quads. */
static int
is_word(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '+';
}

/* Characters that end a URL wherever they appear (RFC 3986 excludes them). */
static int
url_stop(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '`' ||
	    c == '<' || c == '>' || c == '\\' || c == '^' || c == '{' ||
	    c == '}' || c == '|';
}

static int
ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || to_lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return lit[n] == '\0';
}

const char *
pn_ioc_kind_name(enum pn_ioc_kind kind)
{
	static const char *const names[PN_IOC_NKINDS] = {
		"url", "domain", "ipv4", "ipv6", "email"
	};

	return (unsigned)kind < PN_IOC_NKINDS ? names[kind] : "?";
}

/* ------------------------------------------------------------------ */
/* Domains                                                             */

/*
 * TLD classes for names seen bare.  STRONG: the classic gTLDs, the
 * ccTLDs most seen in real host names (and in malware), IDN TLDs.  WEAK:
 * everything else, i.e. new gTLDs (window.top, el.style, multi-user.target,
 * foo.bar), TLDs that are file extensions (setup.py, libfoo.so, README.md,
 * Makefile.am, texinfo.info, a.zip, meson.build, x.ads) and the rarer
 * ccTLDs, where code identifiers collide (operator.lt, flag.ro,
 * llvm.x86.sse.min.ss, psad.bw, user.id, this.is): a bare name needs
 * "www." in front.  Measured on /usr/bin and Wine's DLLs
 * (docs/internals/strings-ioc.md).
 */
static const char *const tld_strong[] = {
	"com", "net", "org", "edu", "gov", "mil", "biz",
	"ae", "au", "be", "bg", "br", "by", "ca", "ch", "cn", "cz",
	"de", "dk", "ee", "es", "eu", "fi", "fr", "gr", "hk", "hr", "hu", "ir",
	"jp", "kr", "kz", "lv", "mx", "ng", "nl", "nz", "pk", "pt", "pw",
	"ru", "sa", "se", "sg", "si", "sk", "su", "th", "tr", "tw", "ua", "uk",
	"vn", "za", NULL
};

/* First labels of dotted code names: llvm.x86.int, go.shape.int, com.example.app (reverse DNS). */
static const char *const code_first[] = {
	"llvm", "gnu", "go", "java", "javax", "android", "std", "self", "this",
	"window", "document", "os", "sys", "math",
	"com", "org", "net", "edu", "gov", "io", NULL
};

static int
in_list(const char *const *list, const char *s, size_t n)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return 1;
	return 0;
}

static int
tld_strong_class(const char *tld, size_t n)
{
	if (n > 4 && memcmp(tld, "xn--", 4) == 0)
		return 1;
	return in_list(tld_strong, tld, n);
}

/* What pn_ioc_domain() learns about a name while copying it. */
struct dname {
	size_t labels;      /* number of labels */
	size_t first_len;   /* length of the first label */
	size_t tld_off;     /* offset of the last label */
	int lower;          /* a lower-case letter anywhere */
	int tld_upper;      /* upper-case letter in the TLD */
	int camel;          /* a lower-case letter followed by an upper-case one */
};

/* Label syntax (RFC 1035 §2.3.1, digits allowed first); fills d, lowers into out. */
static int
domain_syntax(const char *s, size_t n, char *out, struct dname *d)
{
	size_t i, start = 0;

	memset(d, 0, sizeof(*d));
	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';

		if (c == '.') {
			size_t len = i - start;

			if (len == 0 || len > PN_IOC_MAX_LABEL || s[start] == '-' || s[i - 1] == '-')
				return PN_EFORMAT;
			if (d->labels++ == 0)
				d->first_len = len;
			d->tld_off = start;
			if (i < n)
				out[i] = '.';
			start = i + 1;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return PN_EFORMAT;
		d->lower |= is_lower(c);
		if (is_upper(c) && i > start && is_lower((unsigned char)s[i - 1]))
			d->camel = 1;
		out[i] = (char)to_lower(c);
	}
	out[n] = '\0';
	for (i = d->tld_off; i < n; i++)
		d->tld_upper |= is_upper((unsigned char)s[i]);
	return d->labels >= 2 ? PN_OK : PN_EFORMAT;
}

/* The TLD: letters only, or an IDN A-label. */
static int
tld_syntax(const char *tld, size_t n)
{
	size_t i;

	if (n > 4 && memcmp(tld, "xn--", 4) == 0)
		return PN_OK;
	if (n < 2)
		return PN_EFORMAT;
	for (i = 0; i < n; i++)
		if (!is_lower((unsigned char)tld[i]))
			return PN_EFORMAT;
	return PN_OK;
}

/* The heuristics for a name seen on its own (see ioc.h). */
static int
bare_ok(const char *name, size_t n, const struct dname *d)
{
	const char *tld = name + d->tld_off;
	size_t tlen = n - d->tld_off;
	int www = d->first_len == 3 && memcmp(name, "www", 3) == 0;

	if (d->camel)
		return 0;
	if (d->tld_upper) {
		/* SYSTEM.NET is fine, System.Net and COMMAND.COM are not */
		if (d->lower)
			return 0;
		if (d->labels < 3 && tlen == 3 && memcmp(tld, "com", 3) == 0)
			return 0;
	}
	if (d->labels == 2 && d->first_len < 2)
		return 0;
	if (in_list(code_first, name, d->first_len))
		return 0;
	return www || tld_strong_class(tld, tlen);
}

int
pn_ioc_domain(const char *s, size_t n, unsigned flags, char *out, size_t outsz)
{
	const psl_ctx_t *psl;
	struct dname d;
	const char *tld;
	size_t tlen;

	if (outsz == 0)
		return PN_EINVAL;
	out[0] = '\0';
	if (n < 3 || n > PN_IOC_MAX_HOST)
		return PN_EFORMAT;
	if (outsz <= n)
		return PN_EINVAL;
	if (domain_syntax(s, n, out, &d) != PN_OK)
		return PN_EFORMAT;
	tld = out + d.tld_off;
	tlen = n - d.tld_off;
	if (tld_syntax(tld, tlen) != PN_OK || strcmp(tld, "arpa") == 0)
		return PN_EFORMAT;
	if (strcmp(tld, "test") == 0 || strcmp(tld, "example") == 0 ||
	    strcmp(tld, "invalid") == 0 || strcmp(tld, "localhost") == 0)
		return (flags & PN_IOC_F_RESERVED) ? PN_IOC_RESERVED : PN_EFORMAT;
	psl = psl_builtin();
	if (psl == NULL)
		return PN_EFORMAT;
	/* a real suffix, without the implicit "*" rule (foo.runtime, a.exe) */
	if (!psl_is_public_suffix2(psl, tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
		return PN_EFORMAT;
	/* co.uk, a.ck: a suffix itself, nothing registered */
	if (psl_is_public_suffix2(psl, out, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE))
		return PN_EFORMAT;
	if (!(flags & PN_IOC_F_CONTEXT) && !bare_ok(out, n, &d))
		return PN_EFORMAT;
	return PN_OK;
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

int
pn_ioc_ipv4(const char *s, size_t n, uint8_t ip[4])
{
	size_t i = 0;
	int part;

	if (n < 7 || n > 15)
		return PN_EFORMAT;
	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return PN_EFORMAT;
			i++;
		}
		while (i < n && is_digit((unsigned char)s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		/* 010 is octal to inet_aton(3) and decimal to people: neither */
		if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return PN_EFORMAT;
		ip[part] = (uint8_t)v;
	}
	return i == n ? PN_OK : PN_EFORMAT;
}

int
pn_ioc_ipv6(const char *s, size_t n, uint8_t addr[16], char *text, size_t textsz)
{
	char tmp[PN_IOC_MAX_IP];
	size_t i;

	if (n < 2 || n >= sizeof(tmp))
		return PN_EFORMAT;
	for (i = 0; i < n; i++)
		if (!is_hex((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			return PN_EFORMAT;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET6, tmp, addr) != 1)
		return PN_EFORMAT;
	if (text != NULL) {
		if (textsz < PN_IOC_MAX_IP)
			return PN_EINVAL;
		if (inet_ntop(AF_INET6, addr, text, (socklen_t)textsz) == NULL)
			return PN_EFORMAT;
	}
	return PN_OK;
}

static int
ipv4_public(const uint8_t *a)
{
	if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224)
		return 0;                               /* this net, private, loopback, multicast, reserved */
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return 0;                               /* 100.64/10 shared (CGNAT) */
	if (a[0] == 169 && a[1] == 254)
		return 0;                               /* link local */
	if (a[0] == 172 && (a[1] & 0xf0) == 16)
		return 0;                               /* 172.16/12 */
	if (a[0] == 192 && a[1] == 168)
		return 0;                               /* 192.168/16 */
	if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2))
		return 0;                               /* IETF protocol, TEST-NET-1 */
	if (a[0] == 198 && (a[1] & 0xfe) == 18)
		return 0;                               /* benchmarking 198.18/15 */
	if (a[0] == 198 && a[1] == 51 && a[2] == 100)
		return 0;                               /* TEST-NET-2 */
	if (a[0] == 203 && a[1] == 0 && a[2] == 113)
		return 0;                               /* TEST-NET-3 */
	return 1;
}

int
pn_ioc_ip_public(int af, const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (af == 4)
		return ipv4_public(a);
	if (af != 6)
		return 0;
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return ipv4_public(a + 12);
	/* global unicast is 2000::/3; within it, 2001:db8::/32 is documentation */
	if ((a[0] & 0xe0) != 0x20)
		return 0;
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return 0;
	return 1;
}

/* ------------------------------------------------------------------ */
/* E-mail                                                              */

static int
local_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PN_IOC_MAX_LOCAL || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '.' && c != '_' && c != '+' && c != '-')
			return 0;
		if (c == '.' && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

int
pn_ioc_email(const char *s, size_t n, char *out, size_t outsz)
{
	const char *at = memchr(s, '@', n);
	size_t local;
	int rc;

	if (outsz <= n)
		return PN_EINVAL;
	out[0] = '\0';
	if (at == NULL || n > PN_IOC_MAX_EMAIL)
		return PN_EFORMAT;
	local = (size_t)(at - s);
	if (!local_ok(s, local))
		return PN_EFORMAT;
	memcpy(out, s, local + 1);
	rc = pn_ioc_domain(at + 1, n - local - 1, PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED,
	    out + local + 1, outsz - local - 1);
	if (rc < 0)
		out[0] = '\0';
	return rc;
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */

struct scheme {
	const char *in;    /* as written, lower case, with "://" */
	const char *out;   /* as reported */
};

static const struct scheme schemes[] = {
	{ "https://", "https://" },
	{ "http://", "http://" },
	{ "ftp://", "ftp://" },
	{ "hxxps://", "https://" },
	{ "hxxp://", "http://" },
};

static const struct scheme *
match_scheme(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(schemes); i++) {
		size_t len = strlen(schemes[i].in);
		if (n >= len && ieq(s, len, schemes[i].in))
			return &schemes[i];
	}
	return NULL;
}

/* Append s[0..n) to the URL being built; 0 when it would not fit. */
static int
url_put(struct pn_ioc_url *u, size_t *len, const char *s, size_t n)
{
	if (n > PN_IOC_MAX_URL - *len)
		return 0;
	memcpy(u->url + *len, s, n);
	*len += n;
	u->url[*len] = '\0';
	return 1;
}

/*
 * The host at s[0..n): "[v6]", or a name/quad with "[.]" and "(.)"
 * refanged.  Fills u->host, u->host_kind, u->host_reserved; returns the
 * input length of the host, or 0 if there is none.
 */
static size_t
url_host(const char *s, size_t n, struct pn_ioc_url *u)
{
	char name[PN_IOC_MAX_HOST + 2];
	uint8_t a[16];
	size_t i = 0, len = 0;
	int rc;

	if (n > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', PN_MIN(n, (size_t)IPV6_RUN_MAX + 2));
		if (rb == NULL || pn_ioc_ipv6(s + 1, (size_t)(rb - s - 1), a, u->host, sizeof(u->host)) != PN_OK)
			return 0;
		u->host_kind = PN_IOC_IPV6;
		return (size_t)(rb - s) + 1;
	}
	while (i < n && len <= PN_IOC_MAX_HOST) {
		unsigned char c = (unsigned char)s[i];
		if (n - i >= 3 && (memcmp(s + i, "[.]", 3) == 0 || memcmp(s + i, "(.)", 3) == 0)) {
			name[len++] = '.';
			i += 3;
		} else if (is_alnum(c) || c == '-' || c == '.') {
			name[len++] = (char)c;
			i++;
		} else {
			break;
		}
	}
	/* a final dot is the root (RFC 1034 §3.1) or the end of a sentence */
	while (len > 0 && name[len - 1] == '.') {
		len--;
		i -= s[i - 1] == '.' ? 1 : 3;   /* "." or a refanged "[.]" */
	}
	if (len == 0 || len > PN_IOC_MAX_HOST)
		return 0;
	if (pn_ioc_ipv4(name, len, a) == PN_OK) {
		memcpy(u->host, name, len);
		u->host[len] = '\0';
		u->host_kind = PN_IOC_IPV4;
		return i;
	}
	rc = pn_ioc_domain(name, len, PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED, u->host, sizeof(u->host));
	if (rc < 0)
		return 0;
	u->host_kind = PN_IOC_DOMAIN;
	u->host_reserved = rc == PN_IOC_RESERVED;
	return i;
}

/* Length of the path/query/fragment at s[0..n), trailing punctuation trimmed. */
static size_t
url_path(const char *s, size_t n)
{
	size_t len = 0, i;
	long paren = 0, bracket = 0;

	if (n == 0 || (s[0] != '/' && s[0] != '?' && s[0] != '#'))
		return 0;
	while (len < n && !url_stop((unsigned char)s[len])) {
		/* ".../1.0http://next": URLs glued together without a separator */
		if (len > 0 && (to_lower((unsigned char)s[len]) == 'h' || to_lower((unsigned char)s[len]) == 'f') &&
		    is_alnum((unsigned char)s[len - 1]) && match_scheme(s + len, n - len))
			break;
		len++;
	}
	for (i = 0; i < len; i++) {
		paren += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
		bracket += s[i] == '[' ? 1 : s[i] == ']' ? -1 : 0;
	}
	while (len > 0) {
		char c = s[len - 1];
		if (strchr(".,;:!?*", c) != NULL) {
			len--;
		} else if (c == ')' && paren < 0) {
			paren++;
			len--;
		} else if (c == ']' && bracket < 0) {
			bracket++;
			len--;
		} else {
			break;
		}
	}
	return len;
}

/* The userinfo of an authority s[0..n) ends at its last '@'; 0 if none. */
static size_t
url_userinfo(const char *s, size_t n)
{
	size_t i, end = 0;

	for (i = 0; i < n && i < USERINFO_MAX; i++) {
		if (s[i] == '/' || s[i] == '?' || s[i] == '#' || url_stop((unsigned char)s[i]))
			break;
		if (s[i] == '@')
			end = i + 1;
	}
	return end;
}

/* ":port" at s[0..n): its length (0 if none or invalid). */
static size_t
url_port(const char *s, size_t n)
{
	size_t i = 1;
	unsigned v = 0;

	if (n < 2 || s[0] != ':')
		return 0;
	while (i < n && i <= 6 && is_digit((unsigned char)s[i]))
		v = v * 10 + (unsigned)(s[i++] - '0');
	if (i == 1 || i > 6 || v > 65535 || (i < n && is_alnum((unsigned char)s[i])))
		return 0;
	return i;
}

int
pn_ioc_url(const char *s, size_t n, struct pn_ioc_url *u)
{
	const struct scheme *sc = match_scheme(s, n);
	size_t i, ui, hl, pl, len = 0;
	int ok;

	u->url[0] = u->host[0] = '\0';
	u->host_kind = PN_IOC_DOMAIN;
	u->host_reserved = 0;
	u->used = 0;
	if (sc == NULL)
		return PN_EFORMAT;
	i = strlen(sc->in);
	u->used = i;
	ui = url_userinfo(s + i, n - i);
	hl = url_host(s + i + ui, n - i - ui, u);
	if (hl == 0)
		return PN_EFORMAT;
	ok = url_put(u, &len, sc->out, strlen(sc->out)) && url_put(u, &len, s + i, ui);
	if (u->host_kind == PN_IOC_IPV6)
		ok = ok && url_put(u, &len, "[", 1) && url_put(u, &len, u->host, strlen(u->host)) &&
		    url_put(u, &len, "]", 1);
	else
		ok = ok && url_put(u, &len, u->host, strlen(u->host));
	i += ui + hl;
	pl = url_port(s + i, n - i);
	ok = ok && url_put(u, &len, s + i, pl);
	i += pl;
	pl = url_path(s + i, n - i);
	ok = ok && url_put(u, &len, s + i, pl);
	u->used = i + pl;
	if (!ok) {
		u->url[0] = '\0';
		return PN_ELIMIT;
	}
	return PN_OK;
}

/* ------------------------------------------------------------------ */
/* The scanner                                                         */

struct scan {
	const char *s;
	size_t n;
	pn_ioc_fn fn;
	void *ctx;
};

/* A quad that can be a host: not 0.x, class E, broadcast or a network x.x.x.0. */
static int
ipv4_plausible(const uint8_t *a)
{
	return a[0] != 0 && a[0] < 240 && a[3] != 0;
}

/*
 * A bare quad that is more likely something else: an OID (2.5.29.15,
 * 1.3.6.1) or a version number (all parts small: 1.2.3.4, 9.1.7.1),
 * except for the well-known public resolvers.
 */
static int
ipv4_lookalike(const uint8_t *a)
{
	static const uint8_t resolvers[][4] = {
		{ 1, 1, 1, 1 }, { 8, 8, 8, 8 }, { 8, 8, 4, 4 },
		{ 9, 9, 9, 9 }, { 4, 2, 2, 1 }, { 4, 2, 2, 2 },
	};
	size_t i;

	if ((a[0] == 1 && a[1] == 3) || (a[0] == 2 && (a[1] == 5 || a[1] == 23)))
		return 1;
	if (a[0] >= 20 || a[1] >= 20 || a[2] >= 20 || a[3] >= 20)
		return 0;
	for (i = 0; i < PN_ARRAY_LEN(resolvers); i++)
		if (memcmp(a, resolvers[i], 4) == 0)
			return 0;
	return 1;
}

/* "version 1.2.3.4", "ver: 1.2.3.4", "build=1.2.3.4" before s[at]. */
static int
after_version_word(const char *s, size_t at)
{
	static const char *const words[] = {
		"version", "ver", "v", "rev", "build", "release", "firmware", NULL
	};
	size_t i = at, k, skipped = 0;

	while (i > 0 && skipped < 3 && strchr(" \t:=.#", s[i - 1]) != NULL && s[i - 1] != '\0') {
		i--;
		skipped++;
	}
	if (skipped == 0)
		return 0;
	for (k = 0; words[k]; k++) {
		size_t wl = strlen(words[k]);
		if (i >= wl && ieq(s + i - wl, wl, words[k]) &&
		    (i == wl || !is_alpha((unsigned char)s[i - wl - 1])))
			return 1;
	}
	return 0;
}

static int
emit(struct scan *sc, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	return sc->fn(sc->ctx, kind, v, where);
}

/* Report a URL's host, if it is a domain or a plausible address. */
static int
emit_url_host(struct scan *sc, const struct pn_ioc_url *u)
{
	uint8_t a[16];

	if (u->host_kind == PN_IOC_DOMAIN) {
		if (u->host_reserved)
			return 0;
		return emit(sc, PN_IOC_DOMAIN, u->host, PN_IOC_IN_URL);
	}
	if (u->host_kind == PN_IOC_IPV4) {
		if (pn_ioc_ipv4(u->host, strlen(u->host), a) != PN_OK || !ipv4_plausible(a))
			return 0;
		return emit(sc, PN_IOC_IPV4, u->host, PN_IOC_IN_URL);
	}
	return emit(sc, PN_IOC_IPV6, u->host, PN_IOC_IN_URL);
}

/* Try a URL at i; *next is where to go on. */
static int
scan_url(struct scan *sc, size_t i, size_t *next, int *found)
{
	struct pn_ioc_url u;
	int rc;

	*found = 0;
	rc = pn_ioc_url(sc->s + i, sc->n - i, &u);
	*next = i + u.used;
	if (rc != PN_OK)
		return 0;
	*found = 1;
	if ((rc = emit(sc, PN_IOC_URL, u.url, PN_IOC_BARE)) != 0)
		return rc;
	return emit_url_host(sc, &u);
}

/*
 * An IPv6 candidate at i: the run of [0-9A-Fa-f:.]; *len is its length
 * when it is an address worth reporting, else 0.
 */
static int
scan_ipv6(struct scan *sc, size_t i, size_t *len)
{
	const char *s = sc->s + i;
	size_t n = 0, colons = 0, groups = 0, g = 0, maxg = 0, max = sc->n - i, k;
	int digit = 0, up = 0, low = 0, dotted = 0;
	char text[PN_IOC_MAX_IP];
	uint8_t a[16];

	*len = 0;
	while (n < max && n <= IPV6_RUN_MAX && (is_hex((unsigned char)s[n]) || s[n] == ':' || s[n] == '.'))
		n++;
	if (n > IPV6_RUN_MAX || (n < max && (is_alnum((unsigned char)s[n]) || s[n] == '_')))
		return 0;
	while (n > 0 && s[n - 1] == '.')
		n--;
	if (n > 2 && s[n - 1] == ':' && s[n - 2] != ':')
		n--;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c == ':' || c == '.') {
			colons += c == ':';
			dotted |= c == '.';
			groups += g > 0;
			g = 0;
			continue;
		}
		g++;
		maxg = PN_MAX(maxg, g);
		digit |= is_digit(c);
		up |= is_upper(c);
		low |= is_lower(c);
	}
	groups += g > 0;
	if (colons < 2 || groups < 2 || (maxg < 3 && !dotted) || !digit || (up && low))
		return 0;
	if (pn_ioc_ipv6(s, n, a, text, sizeof(text)) != PN_OK)
		return 0;
	*len = n;
	/* ::1 says nothing; 2001:db8:: is a prefix, not a host */
	if (strcmp(text, "::1") == 0 || (n >= 2 && s[n - 1] == ':' && s[n - 2] == ':'))
		return 0;
	return emit(sc, PN_IOC_IPV6, text, PN_IOC_BARE);
}

/* An e-mail whose local part is s[ws..we) and s[we] == '@'; *next past it. */
static int
scan_email(struct scan *sc, size_t ws, size_t we, size_t *next)
{
	char buf[PN_IOC_MAX_EMAIL + 1];
	size_t d = we + 1, e = d;
	const char *at;
	int rc, kind;

	while (e < sc->n && e - d <= PN_IOC_MAX_HOST &&
	    (is_alnum((unsigned char)sc->s[e]) || sc->s[e] == '-' || sc->s[e] == '.'))
		e++;
	*next = e;
	while (e > d && (sc->s[e - 1] == '.' || sc->s[e - 1] == '-'))
		e--;
	if (we - ws > PN_IOC_MAX_LOCAL || e - d > PN_IOC_MAX_HOST || e == d)
		return 0;
	kind = pn_ioc_email(sc->s + ws, e - ws, buf, sizeof(buf));
	if (kind < 0)
		return 0;
	if ((rc = emit(sc, PN_IOC_EMAIL, buf, PN_IOC_BARE)) != 0 || kind == PN_IOC_RESERVED)
		return rc;
	at = strchr(buf, '@');
	return emit(sc, PN_IOC_DOMAIN, at + 1, PN_IOC_IN_EMAIL);
}

/* A bare name s[ws..we): may it be a domain where it stands? */
static int
bare_context_ok(const struct scan *sc, size_t ws, size_t we)
{
	unsigned char prev = ws > 0 ? (unsigned char)sc->s[ws - 1] : ' ';
	unsigned char next = we < sc->n ? (unsigned char)sc->s[we] : ' ';

	/* $var.x, %s.com, C:\dir\x.com, /usr/x.so (but //cdn.x.com), @decorator.x */
	if (prev == '$' || prev == '%' || prev == '\\' || prev == '@')
		return 0;
	if (prev == '/' && !(ws >= 2 && sc->s[ws - 2] == '/'))
		return 0;
	/* call(), index[], key= */
	if (next == '(' || next == '[' || next == '=')
		return 0;
	return 1;
}

/* The word s[ws..we) as a dotted quad or a bare domain. */
static int
scan_word(struct scan *sc, size_t ws, size_t we)
{
	char name[PN_IOC_MAX_HOST + 1];
	uint8_t a[4];
	size_t s0 = ws, e0 = we;

	while (s0 < e0 && sc->s[s0] == '.')
		s0++;
	while (e0 > s0 && sc->s[e0 - 1] == '.')
		e0--;
	if (e0 - s0 < 4 || memchr(sc->s + s0, '.', e0 - s0) == NULL)
		return 0;
	if (is_digit((unsigned char)sc->s[s0]) && e0 - s0 <= 15 &&
	    pn_ioc_ipv4(sc->s + s0, e0 - s0, a) == PN_OK) {
		if (s0 != ws || !ipv4_plausible(a) || ipv4_lookalike(a) ||
		    after_version_word(sc->s, ws))
			return 0;
		memcpy(name, sc->s + s0, e0 - s0);
		name[e0 - s0] = '\0';
		return emit(sc, PN_IOC_IPV4, name, PN_IOC_BARE);
	}
	/* .data.rel.ro, .gnu.linkonce.t: section names, suffixes; but *.example.com */
	if ((s0 != ws && !(s0 == ws + 1 && ws > 0 && sc->s[ws - 1] == '*')) || e0 - s0 > PN_IOC_MAX_HOST || sc->s[s0] == '-' ||
	    memchr(sc->s + s0, '_', e0 - s0) || memchr(sc->s + s0, '+', e0 - s0))
		return 0;
	if (!bare_context_ok(sc, s0, e0))
		return 0;
	if (pn_ioc_domain(sc->s + s0, e0 - s0, 0, name, sizeof(name)) != PN_OK)
		return 0;
	return emit(sc, PN_IOC_DOMAIN, name, PN_IOC_BARE);
}

int
pn_ioc_scan(const char *s, size_t n, pn_ioc_fn fn, void *ctx)
{
	struct scan sc = { s, n, fn, ctx };
	size_t i = 0, next, len;
	int rc, found;

	if (s == NULL)
		return 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned char prev = i > 0 ? (unsigned char)s[i - 1] : ' ';

		if ((to_lower(c) == 'h' || to_lower(c) == 'f') && !is_alnum(prev)) {
			if ((rc = scan_url(&sc, i, &next, &found)) != 0)
				return rc;
			if (next > i) {
				i = next;
				continue;
			}
		}
		if ((is_hex(c) || (c == ':' && i + 1 < n && s[i + 1] == ':')) &&
		    !is_word(prev) && prev != ':') {
			if ((rc = scan_ipv6(&sc, i, &len)) != 0)
				return rc;
			if (len > 0) {
				i += len;
				continue;
			}
		}
		if (is_word(c) && !is_word(prev)) {
			size_t e = i;
			while (e < n && is_word((unsigned char)s[e]))
				e++;
			if (e < n && s[e] == '@')
				rc = scan_email(&sc, i, e, &next);
			else {
				rc = scan_word(&sc, i, e);
				next = e;
			}
			if (rc != 0)
				return rc;
			i = next > i ? next : i + 1;
			continue;
		}
		i++;
	}
	return 0;
}
