/*
 * test_url.c - unit tests of net/url.c: canonical forms, hosts (IDN,
 * IPv4 forms, IPv6), userinfo, ports, percent-escapes, dot segments,
 * schemes, limits, ids (sha256 and base64url) and idempotence.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "url.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* in with control characters shown as \xNN, for test names (static buffer). */
static const char *
esc(const char *in)
{
	static char out[512];
	size_t o = 0;

	for (; *in != '\0' && o + 5 < sizeof(out); in++) {
		if ((unsigned char)*in < 0x20)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", (unsigned char)*in);
		else
			out[o++] = *in;
	}
	out[o] = '\0';
	return out;
}

/* Parse in, compare canonical with want, and check re-parsing is stable. */
static void
canon(const char *in, const char *want)
{
	struct pn_url u, v;
	char err[200];
	int rc = pn_url_parse(in, &u, err, sizeof(err));

	if (rc != PN_OK) {
		ok(0, "parse '%s' (%s)", esc(in), err);
		return;
	}
	is_str(u.canonical, want, "canonical of '%s'", esc(in));
	if (pn_url_parse(u.canonical, &v, err, sizeof(err)) == PN_OK) {
		is_str(v.canonical, u.canonical, "re-parse of '%s' is stable", u.canonical);
		pn_url_free(&v);
	} else {
		ok(0, "re-parse of '%s' (%s)", u.canonical, err);
	}
	pn_url_free(&u);
}

/* Expect refusal with a reason containing why. */
static void
bad(const char *in, const char *why)
{
	struct pn_url u;
	char err[200] = "";
	int rc = pn_url_parse(in, &u, err, sizeof(err));

	is_int(rc, PN_EINVAL, "refused '%s'", esc(in));
	ok(strstr(err, why) != NULL, "reason for '%s': '%s' has '%s'", esc(in), err, why);
	ok(u.canonical == NULL && u.host == NULL, "struct zeroed after failure");
}

static void
host_is(const char *in, const char *host, int ipver)
{
	struct pn_url u;
	char err[200];

	if (pn_url_parse(in, &u, err, sizeof(err)) != PN_OK) {
		ok(0, "parse '%s' (%s)", in, err);
		return;
	}
	is_str(u.host, host, "host of '%s'", in);
	is_int(u.host_ip, ipver, "host_ip of '%s'", in);
	pn_url_free(&u);
}

static void
test_basic(void)
{
	struct pn_url u;
	char err[200];

	canon("example.com/x", "http://example.com/x");
	canon("example.com", "http://example.com/");
	canon("HTTP://WWW.Example.COM:80", "http://www.example.com/");
	canon("https://example.com:443/a", "https://example.com/a");
	canon("https://example.com:80/a", "https://example.com:80/a");
	canon("http://example.com:8080", "http://example.com:8080/");
	canon("http://example.com:/", "http://example.com/");
	canon("localhost:8080/x", "http://localhost:8080/x");
	canon("//example.com/x", "http://example.com/x");
	canon("http:example.com/x", "http://example.com/x");
	canon("http:\\\\example.com\\a\\b", "http://example.com/a/b");
	canon("  http://example.com/\r\n", "http://example.com/");
	canon("http://exa\tmple.com/a\nb", "http://example.com/ab");
	canon("http://example.com/x#frag", "http://example.com/x");
	canon("http://example.com/?", "http://example.com/?");
	canon("http://example.com?a=1&b=2#f", "http://example.com/?a=1&b=2");
	canon("http://example.com/a?b?c", "http://example.com/a?b?c");

	ok(pn_url_parse("HTTPS://User:PW@Ex.com:8443/p?q=1#top", &u, err, sizeof(err)) == PN_OK,
	    "parse full URL");
	is_str(u.scheme, "https", "scheme");
	is_str(u.userinfo, "User:PW", "userinfo kept as is");
	is_str(u.host, "ex.com", "host");
	is_int(u.port, 8443, "port");
	is_int(u.host_ip, 0, "host_ip 0 for names");
	is_str(u.path, "/p", "path");
	is_str(u.query, "q=1", "query");
	is_str(u.fragment, "top", "fragment");
	is_str(u.canonical, "https://User:PW@ex.com:8443/p?q=1", "canonical keeps userinfo");
	pn_url_free(&u);
	ok(u.canonical == NULL, "pn_url_free zeroes");
	pn_url_free(&u);

	ok(pn_url_parse("http://example.com/", &u, err, sizeof(err)) == PN_OK, "parse plain");
	ok(u.userinfo == NULL && u.query == NULL && u.fragment == NULL, "absent parts are NULL");
	is_int(u.port, 80, "default port 80");
	pn_url_free(&u);
}

static void
test_userinfo(void)
{
	struct pn_url u;
	char err[200];

	canon("http://google.com@evil.com/", "http://google.com@evil.com/");
	host_is("http://google.com@evil.com/", "evil.com", 0);
	canon("http://a@b@example.com/", "http://a%40b@example.com/");
	host_is("http://a@b@example.com/", "example.com", 0);
	canon("http://@example.com/", "http://@example.com/");
	ok(pn_url_parse("http://@example.com/", &u, err, sizeof(err)) == PN_OK &&
	    u.userinfo != NULL && u.userinfo[0] == '\0', "empty userinfo kept (not NULL)");
	pn_url_free(&u);
	canon("http://us er:p%41ss@example.com/", "http://us%20er:pAss@example.com/");
	bad("http://user@/", "empty host");
}

static void
test_ports(void)
{
	bad("http://example.com:0/", "port out of range");
	bad("http://example.com:65536/", "port out of range");
	bad("http://example.com:99999999999999999999/", "port out of range");
	bad("http://example.com:8o/", "invalid port");
	bad("http://example.com:-1/", "invalid port");
	canon("http://example.com:65535/", "http://example.com:65535/");
	canon("http://example.com:00080/", "http://example.com/");
	canon("https://example.com:1/", "https://example.com:1/");
}

static void
test_ipv4(void)
{
	host_is("http://3232235777/", "192.168.1.1", 4);
	host_is("http://0xC0A80101/", "192.168.1.1", 4);
	host_is("http://0300.0250.01.01/", "192.168.1.1", 4);
	host_is("http://192.168.257/", "192.168.1.1", 4);
	host_is("http://192.0xa80101/", "192.168.1.1", 4);
	host_is("http://127.1/", "127.0.0.1", 4);
	host_is("http://0/", "0.0.0.0", 4);
	host_is("http://0x7f.0.0.1/", "127.0.0.1", 4);
	host_is("http://1.2.3.4./", "1.2.3.4", 4);
	host_is("http://4294967295/", "255.255.255.255", 4);
	host_is("http://%31%32%37.0.0.1/", "127.0.0.1", 4);
	host_is("http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/", "127.0.0.1", 4);
	host_is("http://1.2.3.com/", "1.2.3.com", 0);
	host_is("http://0x.com/", "0x.com", 0);
	bad("http://4294967296/", "invalid IPv4");
	bad("http://256.1.1.1/", "invalid IPv4");
	bad("http://1.2.3.4.5/", "invalid IPv4");
	bad("http://1.2.3.09/", "invalid IPv4");
	host_is("http://1.2.3.0xg/", "1.2.3.0xg", 0);
	bad("http://foo.0x/", "invalid IPv4");
	bad("http://1.256.3/", "invalid IPv4");
	canon("http://0177.0.0.1:8080/a", "http://127.0.0.1:8080/a");
}

static void
test_ipv6(void)
{
	host_is("http://[::1]/", "::1", 6);
	canon("http://[::1]/", "http://[::1]/");
	canon("http://[2001:DB8:0:0:0:0:0:1]:8080/", "http://[2001:db8::1]:8080/");
	canon("http://[0:0:0:0:0:0:0:0]/", "http://[::]/");
	host_is("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", 6);
	host_is("https://[::FFFF:7F00:1]:443/", "::ffff:127.0.0.1", 6);
	bad("http://[fe80::1%25eth0]/", "zone");
	bad("http://[::1/", "unterminated");
	bad("http://[::1]x/", "junk after");
	bad("http://[1:2:3:4:5:6:7:8:9]/", "invalid IPv6");
	bad("http://[]/", "invalid IPv6");
	bad("http://[::1]:0/", "port out of range");
	bad("http://::1/", "invalid port");
}

static void
test_idn(void)
{
	host_is("http://münchen.de/", "xn--mnchen-3ya.de", 0);
	host_is("http://Bücher.example/", "xn--bcher-kva.example", 0);
	host_is("http://BÜCHER.example/", "xn--bcher-kva.example", 0);
	host_is("http://例え.テスト/", "xn--r8jz45g.xn--zckzah", 0);
	host_is("http://пример.испытание/", "xn--e1afmkfd.xn--80akhbyknj4f", 0);
	host_is("http://ПРИМЕР.РФ/", "xn--e1afmkfd.xn--p1ai", 0);
	host_is("http://faß.de/", "xn--fa-hia.de", 0);
	host_is("http://ｅｘａｍｐｌｅ．ｃｏｍ/", "example.com", 0);
	host_is("http://例え。テスト/", "xn--r8jz45g.xn--zckzah", 0);
	host_is("http://m%C3%BCnchen.de/", "xn--mnchen-3ya.de", 0);
	host_is("http://%65xample.com/", "example.com", 0);
	host_is("http://XN--MNCHEN-3YA.de/", "xn--mnchen-3ya.de", 0);
	host_is("http://ex\xc2\xad" "ample.com/", "example.com", 0);  /* soft hyphen ignored */
	host_is("http://ex..ample.com./", "ex.ample.com", 0);
	host_is("http://under_score.example/", "under_score.example", 0);
	canon("http://münchen.de/straße", "http://xn--mnchen-3ya.de/stra%C3%9Fe");
	bad("http://\xff.com/", "invalid UTF-8");
	bad("http://\xc0\xaf.com/", "invalid UTF-8");
	bad("http://exa mple.com/", "space or control");
	bad("http://exa<mple.com/", "forbidden character '<'");
	bad("http://exa%mple.com/", "invalid percent-escape");
	bad("http://exa%00mple.com/", "space or control");
	bad("http://ex\xe3\x80\x80" "ample.com/", "forbidden code point");
	bad("http://.../", "empty host");
}

static void
test_path(void)
{
	canon("http://example.com/%7euser/%2fa%zz%", "http://example.com/~user/%2Fa%25zz%25");
	canon("http://example.com/%41%42%2d%5F%2E", "http://example.com/AB-_.");
	canon("http://example.com/%3a%3F%23", "http://example.com/%3A%3F%23");
	canon("http://example.com/a/./b/../c", "http://example.com/a/c");
	canon("http://example.com/a/b/..", "http://example.com/a/");
	canon("http://example.com/a/.", "http://example.com/a/");
	canon("http://example.com/../../x", "http://example.com/x");
	canon("http://example.com/%2e%2E/a/%2e/b", "http://example.com/a/b");
	canon("http://example.com/a//b/../c", "http://example.com/a//c");
	canon("http://example.com/a b<c>\"", "http://example.com/a%20b%3Cc%3E%22");
	canon("http://example.com/ü", "http://example.com/%C3%BC");
	canon("http://example.com/\xff", "http://example.com/%FF");
	canon("http://example.com/?q=a b&c=%7e%zz", "http://example.com/?q=a%20b&c=~%25zz");
	canon("http://example.com/?q=../..", "http://example.com/?q=../..");
	canon("http://example.com/a\\..\\b", "http://example.com/b");
	canon("http://example.com?x\\y", "http://example.com/?x%5Cy");
}

static void
test_schemes(void)
{
	struct pn_url u;
	char err[200];

	bad("ftp://example.com/", "unsupported scheme 'ftp'");
	bad("file:///etc/passwd", "unsupported scheme 'file'");
	bad("gopher://example.com/", "unsupported scheme 'gopher'");
	bad("javascript:alert(1)", "unsupported scheme 'javascript'");
	bad("JavaScript://%0aalert(1)", "unsupported scheme 'javascript'");
	bad("data:text/html,hi", "unsupported scheme 'data'");
	bad("mailto:a@b.c", "unsupported scheme 'mailto'");
	bad("", "empty URL");
	bad("   \t ", "empty URL");
	bad("http://", "empty host");
	bad("https:///", "empty host");
	ok(pn_url_parse(NULL, &u, err, sizeof(err)) == PN_EINVAL, "NULL refused");

	ok(pn_url_parse_flags("FTP://Example.com/a", PN_URL_ANY_SCHEME, &u, err, sizeof(err)) == PN_OK,
	    "ftp allowed with PN_URL_ANY_SCHEME");
	is_str(u.canonical, "ftp://example.com/a", "ftp canonical");
	is_int(u.port, 21, "ftp default port");
	pn_url_free(&u);
	ok(pn_url_parse_flags("ws://x.example:80/", PN_URL_ANY_SCHEME, &u, err, sizeof(err)) == PN_OK &&
	    strcmp(u.canonical, "ws://x.example/") == 0, "ws default port dropped");
	pn_url_free(&u);
	ok(pn_url_parse_flags("mailto:a@b.c", PN_URL_ANY_SCHEME, &u, err, sizeof(err)) == PN_EINVAL &&
	    strstr(err, "no authority") != NULL, "mailto has no authority: %s", err);
}

static void
app(char *dst, size_t cap, const char *s)
{
	size_t l = strlen(dst);

	snprintf(dst + l, cap - l, "%s", s);
}

static void
test_limits(void)
{
	char *s = malloc(PN_URL_MAX_LEN + 2), lab[80], host[400];
	struct pn_url u;
	char err[200];
	size_t i;

	memcpy(s, "http://a.example/", 17);
	memset(s + 17, 'x', PN_URL_MAX_LEN - 17);
	s[PN_URL_MAX_LEN] = '\0';
	ok(pn_url_parse(s, &u, err, sizeof(err)) == PN_OK, "URL of exactly PN_URL_MAX_LEN accepted");
	pn_url_free(&u);
	s[PN_URL_MAX_LEN] = 'x';
	s[PN_URL_MAX_LEN + 1] = '\0';
	bad(s, "longer than");
	/* worst case growth: every byte percent-encoded */
	memset(s + 17, ' ', PN_URL_MAX_LEN - 17);
	s[PN_URL_MAX_LEN - 1] = 'x';
	s[PN_URL_MAX_LEN] = '\0';
	ok(pn_url_parse(s, &u, err, sizeof(err)) == PN_OK &&
	    strlen(u.canonical) == 17 + 3 * (PN_URL_MAX_LEN - 18) + 1, "spaces all encoded");
	pn_url_free(&u);
	free(s);

	memset(lab, 'a', 63);
	lab[63] = '\0';
	snprintf(host, sizeof(host), "http://%s.com/", lab);
	ok(pn_url_parse(host, &u, err, sizeof(err)) == PN_OK, "63-byte label accepted");
	pn_url_free(&u);
	snprintf(host, sizeof(host), "http://%sa.com/", lab);
	bad(host, "label longer than 63");
	host[0] = '\0';
	for (i = 0; i < 4; i++) {
		size_t hl = strlen(host);
		snprintf(host + hl, sizeof(host) - hl, "%s%.62s", i ? "." : "http://", lab);
	}
	ok(pn_url_parse(host, &u, err, sizeof(err)) == PN_OK, "251-byte host accepted: %s", err);
	pn_url_free(&u);
	app(host, sizeof(host), ".a");
	ok(pn_url_parse(host, &u, err, sizeof(err)) == PN_OK && strlen(u.host) == 253,
	    "253-byte host accepted: %s", err);
	pn_url_free(&u);
	app(host, sizeof(host), "b");
	bad(host, "host name longer than 253");
	/* 60 x U+00FC punycodes to more than 63 bytes */
	host[0] = '\0';
	app(host, sizeof(host), "http://");
	for (i = 0; i < 60; i++)
		app(host, sizeof(host), "\xc3\xbc");
	app(host, sizeof(host), ".de/");
	bad(host, "IDN label longer than 63");
}

static void
test_ids(void)
{
	char hex[65], *raw = NULL;
	struct pn_url u;
	char err[200];

	ok(pn_url_parse("https://www.google.com", &u, err, sizeof(err)) == PN_OK, "parse google");
	pn_url_id(u.canonical, hex);
	is_str(hex, "d0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86",
	    "VT id of https://www.google.com/");
	pn_url_free(&u);

	is_int(pn_url_id_from_b64("aHR0cDovL2V4YW1wbGUuY29tLw", &raw), PN_OK, "b64url id decodes");
	is_str(raw, "http://example.com/", "decoded URL");
	free(raw);
	is_int(pn_url_id_from_b64("aHR0cDovL2V4YW1wbGUuY29tLw==", &raw), PN_OK, "padding tolerated");
	free(raw);
	/* "http://a/?>>>" has '-' / '_' in base64url: aHR0cDovL2EvPz4-Pg */
	is_int(pn_url_id_from_b64("aHR0cDovL2EvPz4-Pg", &raw), PN_OK, "url-safe alphabet");
	is_str(raw, "http://a/?>>>", "decoded url-safe");
	free(raw);
	is_int(pn_url_id_from_b64("aHR0cDovL2EvPz4+Pg", &raw), PN_EINVAL, "standard alphabet refused");
	ok(raw == NULL, "no output on failure");
	is_int(pn_url_id_from_b64("!!!!", &raw), PN_EINVAL, "junk refused");
	is_int(pn_url_id_from_b64("", &raw), PN_EINVAL, "empty refused");
	is_int(pn_url_id_from_b64("Zm9vIGJhcg", &raw), PN_EINVAL, "'foo bar' is not a URL");
	is_int(pn_url_id_from_b64("ZmlsZTovLy9ldGMvcGFzc3dk", &raw), PN_EINVAL, "file: URL refused");
	is_int(pn_url_id_from_b64("aHR0cDovL2EA", &raw), PN_EINVAL, "embedded NUL refused");

	is_int(pn_url_id_resolve("D0E196A0C25D35DD0A84593CBAE0F38333AA58529936444EA26453EAB28DFC86", hex),
	    PN_OK, "hex id accepted");
	is_str(hex, "d0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86", "hex id lower-cased");
	/* base64url("https://www.google.com") without the trailing slash */
	is_int(pn_url_id_resolve("aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbQ", hex), PN_OK, "b64 route id");
	is_str(hex, "d0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86",
	    "b64 id canonicalised before hashing");
	is_int(pn_url_id_resolve("nothex", hex), PN_EINVAL, "bad route id refused");
}

int
main(void)
{
	test_basic();
	test_userinfo();
	test_ports();
	test_ipv4();
	test_ipv6();
	test_idn();
	test_path();
	test_schemes();
	test_limits();
	test_ids();
	return done_testing();
}
