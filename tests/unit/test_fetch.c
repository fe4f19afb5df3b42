/*
 * test_fetch.c - net/fetch.c, net/ssrf.c and net/html.c against
 * tests/data/net/http_server.py on loopback (127.0.0.1, 127.0.0.2, ::1,
 * plus its DNS responder answering every A query with 127.0.0.1).
 *
 * Redirect chains and downloads (sha256 computed here from the same byte
 * formula), HTML extraction, the SSRF guard with the default configuration
 * (every private-address attempt refused and nothing reaching the server,
 * checked in the server's request log), the same fetches with
 * fetch.allow_private = true, endless redirects, slow drip, huge headers,
 * unsupported schemes, truncation, gzip, cookies and the JSON attributes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "conf.h"
#include "fetch.h"
#include "html.h"
#include "ssrf.h"
#include "tap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVER "tests/data/net/http_server.py"

static pid_t srv_pid = -1;
static int port, dns_port, have_v6;
static char dir[64], logpath[128], bodypath[128];

/* Can we listen on ::1 (IPv6 loopback may be disabled)? */
static int
v6_loopback(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok6;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	ok6 = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok6;
}

static int
start_server(void)
{
	int pfd[2];
	FILE *f;
	char line[64];

	if (pipe(pfd) != 0)
		return -1;
	srv_pid = fork();
	if (srv_pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl("/usr/bin/python3", "python3", SERVER, "--bind", "127.0.0.1", "--bind",
		    "127.0.0.2", "--bind", have_v6 ? "::1" : "127.0.0.1", "--log", logpath, "--dns",
		    "--lifetime", "120", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL)
		return -1;
	port = (int)strtol(line, NULL, 10);
	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "dns %d", &dns_port) != 1)
		return -1;
	fclose(f);
	return port > 0 ? 0 : -1;
}

static void
stop_server(void)
{
	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		waitpid(srv_pid, NULL, 0);
	}
}

static char *
readfile(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	*n = 0;
	if (f == NULL)
		return pn_xstrdup("");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = pn_xmalloc((size_t)len + 1);
	*n = fread(p, 1, (size_t)len, f);
	p[*n] = '\0';
	fclose(f);
	return p;
}

/* Log lines showing a connection or request received on local address ip. */
static int
log_hits(const char *ip)
{
	size_t n;
	char *s = readfile(logpath, &n), *line, *save = NULL;
	char pfx1[64], pfx2[64];
	int hits = 0;

	snprintf(pfx1, sizeof(pfx1), "conn %s ", ip);
	snprintf(pfx2, sizeof(pfx2), "req %s ", ip);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, pfx1, strlen(pfx1)) == 0 || strncmp(line, pfx2, strlen(pfx2)) == 0)
			hits++;
	free(s);
	return hits;
}

static void
payload_sha(size_t n, char hex[65])
{
	unsigned char *p = pn_xmalloc(n + 1), md[32];
	unsigned int ml = 0;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((7 * i + 3) & 255);
	EVP_Digest(p, n, md, &ml, EVP_sha256(), NULL);
	pn_hex(md, 32, hex);
	free(p);
}

static char *
url(const char *host, const char *path)
{
	return pn_xasprintf("http://%s:%d%s", host, port, path);
}

static struct pn_conf *
conf(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct pn_conf *c = pn_conf_new();

	if (k1 != NULL)
		pn_conf_put(c, k1, v1);
	if (k2 != NULL)
		pn_conf_put(c, k2, v2);
	return c;
}

static int
fetch(struct pn_conf *c, const char *u, struct pn_fetch_result *r)
{
	struct pn_fetch_opts o;

	pn_fetch_opts_init(&o, c);
	o.body_path = bodypath;
	return pn_fetch_url(&o, u, r);
}

static int
has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void
test_ssrf_policy(void)
{
	static const struct { const char *ip; int ok; } cases[] = {
		{ "127.0.0.1", 0 }, { "127.255.0.9", 0 }, { "10.1.2.3", 0 }, { "172.16.0.1", 0 },
		{ "172.31.255.255", 0 }, { "172.32.0.1", 1 }, { "192.168.0.1", 0 },
		{ "100.64.0.1", 0 }, { "100.127.255.255", 0 }, { "100.128.0.1", 1 },
		{ "169.254.169.254", 0 }, { "169.254.1.1", 0 }, { "0.0.0.0", 0 }, { "0.1.2.3", 0 },
		{ "224.0.0.1", 0 }, { "239.255.255.250", 0 }, { "255.255.255.255", 0 },
		{ "240.0.0.1", 0 }, { "192.0.0.8", 0 }, { "198.18.0.1", 0 }, { "192.0.2.1", 0 },
		{ "198.51.100.7", 0 }, { "203.0.113.9", 0 }, { "8.8.8.8", 1 }, { "1.1.1.1", 1 },
		{ "93.184.216.34", 1 }, { "::", 0 }, { "::1", 0 }, { "::ffff:127.0.0.1", 0 },
		{ "::ffff:10.0.0.1", 0 }, { "::ffff:8.8.8.8", 1 }, { "::127.0.0.1", 0 },
		{ "64:ff9b::a00:1", 0 }, { "64:ff9b::808:808", 1 }, { "64:ff9b:1::1", 0 },
		{ "2002:7f00:1::1", 0 }, { "2002:808:808::1", 1 }, { "fc00::1", 0 },
		{ "fd12:3456::1", 0 }, { "fe80::1", 0 }, { "fec0::1", 0 }, { "ff02::1", 0 },
		{ "2001:db8::1", 0 }, { "2001::1", 0 }, { "100::1", 0 }, { "2606:4700::1111", 1 },
		{ "2a00:1450:4001::200e", 1 }, { "4000::1", 0 },
	};
	struct pn_ssrf_allow al;
	struct sockaddr_in s4;
	struct sockaddr_un_like { sa_family_t f; char p[20]; } su;
	char why[200];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(cases); i++) {
		int rc = pn_ssrf_check_text(cases[i].ip, 0, why, sizeof(why));
		is_int(rc, cases[i].ok ? PN_OK : PN_EPERM, "ssrf %s %s (%s)", cases[i].ip,
		    cases[i].ok ? "allowed" : "refused", rc == PN_OK ? "" : why);
		is_int(pn_ssrf_check_text(cases[i].ip, PN_SSRF_ALLOW_PRIVATE, why, sizeof(why)), PN_OK,
		    "ssrf %s allowed with allow_private", cases[i].ip);
	}
	pn_ssrf_check_text("127.0.0.1", 0, why, sizeof(why));
	is_str(why, "refused: 127.0.0.1 is a loopback address (fetch.allow_private is off)",
	    "loopback message");
	pn_ssrf_check_text("169.254.169.254", 0, why, sizeof(why));
	ok(strstr(why, "cloud metadata") != NULL, "metadata message: %s", why);
	is_int(pn_ssrf_check_text("192.0.2.1", PN_SSRF_ALLOW_DOC, why, sizeof(why)), PN_OK,
	    "documentation range allowed with PN_SSRF_ALLOW_DOC");
	is_int(pn_ssrf_check_text("10.0.0.1", PN_SSRF_ALLOW_DOC, why, sizeof(why)), PN_EPERM,
	    "PN_SSRF_ALLOW_DOC does not allow private");
	is_int(pn_ssrf_check_text("example.com", 0, why, sizeof(why)), PN_EINVAL, "not an address");

	memset(&su, 0, sizeof(su));
	su.f = AF_UNIX;
	is_int(pn_ssrf_check((struct sockaddr *)&su, sizeof(su), 1, why, sizeof(why)), PN_EPERM,
	    "AF_UNIX refused even with allow_private");
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	is_int(pn_ssrf_check((struct sockaddr *)&s4, 4, 0, why, sizeof(why)), PN_EPERM,
	    "short sockaddr refused");

	is_int(pn_ssrf_allow_parse("127.0.0.2, 10.0.0.0/8 ::1/128", &al, why, sizeof(why)), PN_OK,
	    "allow list parses");
	is_int((int)al.n, 3, "three networks");
	inet_pton(AF_INET, "10.9.9.9", &s4.sin_addr);
	is_int(pn_ssrf_check_allow((struct sockaddr *)&s4, sizeof(s4), 0, &al, why, sizeof(why)),
	    PN_OK, "10.9.9.9 exempt by 10.0.0.0/8");
	inet_pton(AF_INET, "127.0.0.3", &s4.sin_addr);
	is_int(pn_ssrf_check_allow((struct sockaddr *)&s4, sizeof(s4), 0, &al, why, sizeof(why)),
	    PN_EPERM, "127.0.0.3 not exempt by 127.0.0.2");
	is_int(pn_ssrf_allow_parse("10.0.0.0/33", &al, why, sizeof(why)), PN_EINVAL, "bad prefix");
	is_int(pn_ssrf_allow_parse("nonsense", &al, why, sizeof(why)), PN_EINVAL, "bad network");
}

static void
test_download(void)
{
	struct pn_conf *c = conf("fetch.allow_private", "true", NULL, NULL);
	struct pn_fetch_result r;
	char want[65], *u = url("127.0.0.1", "/redirect/2"), *e;
	char *body;
	size_t n, i;
	int hd = 0;

	is_int(fetch(c, u, &r), PN_OK, "redirect twice then download: %s", r.errmsg);
	is_int((int)r.n_redirection_chain, 3, "chain has 3 URLs");
	if (r.n_redirection_chain == 3) {
		is_str(r.redirection_chain[0], u, "chain[0] = submitted URL");
		e = url("127.0.0.1", "/redirect/1");
		is_str(r.redirection_chain[1], e, "chain[1] (absolute Location)");
		free(e);
		e = url("127.0.0.1", "/download");
		is_str(r.redirection_chain[2], e, "chain[2] (relative Location resolved)");
		is_str(r.last_final_url, e, "last_final_url");
		free(e);
		is_int(r.hops[0].status, 302, "hop 0 status");
		is_str(r.hops[2].ip, "127.0.0.1", "hop 2 connected address");
		is_int(r.hops[2].port, port, "hop 2 port");
	}
	is_int(r.last_http_response_code, 200, "final code 200");
	is_int(r.last_http_response_content_length, 100000, "content length");
	payload_sha(100000, want);
	is_str(r.last_http_response_content_sha256, want, "body sha256");
	ok(!r.truncated && r.body_saved, "not truncated, saved");
	is_int((int)r.n_resolutions, 0, "no name resolutions for an IP literal");
	body = readfile(bodypath, &n);
	is_int((int)n, 100000, "body file size");
	for (i = 0; i < n && (unsigned char)body[i] == ((7 * i + 3) & 255); i++)
		;
	is_int((int)i, 100000, "body file content");
	free(body);
	for (i = 0; i < r.n_headers; i++)
		if (strcasecmp(r.last_http_response_headers[i].name, "Content-Disposition") == 0 &&
		    strstr(r.last_http_response_headers[i].value, "payload.bin") != NULL)
			hd = 1;
	ok(hd, "Content-Disposition header kept");
	ok(r.content_type != NULL && strcmp(r.content_type, "application/octet-stream") == 0,
	    "content type");
	pn_fetch_result_free(&r);
	free(u);

	u = url("127.0.0.1", "/gzip?size=5000");
	is_int(fetch(c, u, &r), PN_OK, "gzip download");
	payload_sha(5000, want);
	is_int(r.last_http_response_content_length, 5000, "gzip: decoded length");
	is_str(r.last_http_response_content_sha256, want, "gzip: sha256 of decoded body");
	pn_fetch_result_free(&r);
	free(u);
	pn_conf_free(c);

	c = conf("fetch.allow_private", "true", "fetch.max_body", "1000");
	u = url("127.0.0.1", "/download");
	is_int(fetch(c, u, &r), PN_OK, "download over fetch.max_body: %s", r.errmsg);
	ok(r.truncated, "truncated flag");
	is_int(r.last_http_response_content_length, 1000, "kept 1000 bytes");
	payload_sha(1000, want);
	is_str(r.last_http_response_content_sha256, want, "sha256 of the kept bytes");
	body = readfile(bodypath, &n);
	is_int((int)n, 1000, "body file cut at max_body");
	free(body);
	pn_fetch_result_free(&r);
	free(u);
	pn_conf_free(c);
}

static void
test_html(void)
{
	struct pn_conf *c = conf("fetch.allow_private", "true", NULL, NULL);
	struct pn_fetch_result r;
	struct pn_buf b = PN_BUF_INIT;
	char *u = url("127.0.0.1", "/page.html"), *e;
	size_t i, kw = 0;

	is_int(fetch(c, u, &r), PN_OK, "fetch HTML page");
	is_str(r.html.title, "Panoptes test page", "title, whitespace collapsed");
	is_int((int)r.html.links.n, 4, "4 http(s) links, deduplicated");
	e = url("127.0.0.1", "/local/a");
	ok(has(r.html.links.v, r.html.links.n, e), "absolute path link resolved");
	free(e);
	e = url("127.0.0.1", "/other.html?x=1");
	ok(has(r.html.links.v, r.html.links.n, e), "relative link resolved, fragment dropped");
	free(e);
	ok(has(r.html.links.v, r.html.links.n, "https://example.org/out"), "external link");
	is_int((int)r.n_outgoing_links, 2, "2 outgoing links (other domains)");
	ok(has(r.outgoing_links, r.n_outgoing_links, "http://sub.example.net/path"), "outgoing link");
	is_int((int)r.html.scripts.n, 3, "3 scripts");
	ok(has(r.html.scripts.v, r.html.scripts.n, "http://static.hotjar.com/c/hotjar-1.js?sv=6"),
	    "scheme-relative script");
	is_int((int)r.html.iframes.n, 1, "1 iframe");
	e = url("127.0.0.1", "/login.php");
	ok(r.html.forms.n == 1 && strcmp(r.html.forms.v[0], e) == 0, "form action");
	free(e);
	for (i = 0; i < r.html.n_meta; i++)
		if (strcmp(r.html.meta[i].name, "keywords") == 0)
			kw++;
	is_int((int)kw, 2, "two keywords metas");
	is_int((int)r.n_trackers, 2, "2 trackers");
	if (r.n_trackers == 2) {
		is_str(r.trackers[0].name, "Google Tag Manager", "tracker 0 name");
		is_str(r.trackers[0].id, "G-TEST123", "tracker 0 id");
		is_str(r.trackers[1].name, "Hotjar", "tracker 1 name");
	}
	pn_buf_putc(&b, '{');
	is_int(pn_fetch_result_json(&r, 1700000000, &b), PN_OK, "JSON attributes");
	pn_buf_putc(&b, '}');
	ok(strstr(b.p, "\"title\":\"Panoptes test page\"") != NULL, "JSON title");
	ok(strstr(b.p, "\"keywords\":[\"one\",\"two\"]") != NULL, "JSON html_meta");
	ok(strstr(b.p, "\"last_http_response_code\":200") != NULL, "JSON code");
	ok(strstr(b.p, "\"Google Tag Manager\":[{\"url\":") != NULL, "JSON trackers");
	ok(strstr(b.p, "\"redirection_chain\":[\"http://127.0.0.1:") != NULL, "JSON chain");
	ok(strstr(b.p, "{\"last_final_url\":") == b.p, "JSON starts with a member");
	diag("%.300s", b.p);
	pn_buf_release(&b);
	pn_fetch_result_free(&r);
	free(u);

	u = url("127.0.0.1", "/cookies");
	is_int(fetch(c, u, &r), PN_OK, "cookies");
	ok(r.n_cookies == 2 && strcmp(r.last_http_response_cookies[0].name, "session") == 0 &&
	    strcmp(r.last_http_response_cookies[0].value, "abc123") == 0, "cookie parsed");
	pn_buf_init(&b, 0);
	pn_fetch_result_json(&r, 0, &b);
	ok(strstr(b.p, "\"Set-Cookie\":\"session=abc123; Path=/; HttpOnly, lang=en\"") != NULL,
	    "repeated header joined in JSON");
	pn_buf_release(&b);
	pn_fetch_result_free(&r);
	free(u);

	u = url("127.0.0.1", "/status/404");
	is_int(fetch(c, u, &r), PN_OK, "404 is a response");
	is_int(r.last_http_response_code, 404, "code 404");
	pn_fetch_result_free(&r);
	free(u);
	pn_conf_free(c);
}

/* Every form of a private address, direct: refused by default, nothing reaches the server. */
static const char *const private_urls[] = {
	"http://127.0.0.1:%d/hello", "http://localhost:%d/hello", "http://[::1]:%d/hello",
	"http://0.0.0.0:%d/hello", "http://2130706433:%d/hello", "http://0x7f000001:%d/hello",
	"http://0177.0.0.1:%d/hello", "http://127.1:%d/hello", "http://[::ffff:127.0.0.1]:%d/hello",
	"http://[::ffff:7f00:1]:%d/hello", "http://LOCALHOST.:%d/hello",
};

static void
test_ssrf_fetch(void)
{
	struct pn_conf *def = pn_conf_new();
	struct pn_conf *allow = conf("fetch.allow_private", "true", NULL, NULL);
	struct pn_conf *via = conf("fetch.allow_cidrs", "127.0.0.2", NULL, NULL);
	struct pn_fetch_result r;
	char *u, *to;
	size_t i;
	int before = log_hits("127.0.0.1") + log_hits("::1");

	for (i = 0; i < PN_ARRAY_LEN(private_urls); i++) {
		u = pn_xasprintf(private_urls[i], port);
		is_int(fetch(def, u, &r), PN_EPERM, "default conf refuses %s", u);
		ok(strncmp(r.errmsg, "refused: ", 9) == 0 &&
		    strstr(r.errmsg, "(fetch.allow_private is off)") != NULL, "message: %s", r.errmsg);
		ok(r.elapsed_ms < 2000, "refused at once (%lld ms)", (long long)r.elapsed_ms);
		is_int(r.last_http_response_code, 0, "no response");
		pn_fetch_result_free(&r);
		free(u);
	}
	is_int(fetch(def, "http://169.254.169.254/latest/meta-data/", &r), PN_EPERM,
	    "cloud metadata refused: %s", r.errmsg);
	pn_fetch_result_free(&r);
	is_int(fetch(def, "http://10.0.0.1:9/", &r), PN_EPERM, "RFC 1918 refused");
	pn_fetch_result_free(&r);
	is_int(fetch(def, "http://[fd00::1]:9/", &r), PN_EPERM, "ULA refused");
	pn_fetch_result_free(&r);
	is_int(fetch(def, "http://[fe80::1]:9/", &r), PN_EPERM, "IPv6 link-local refused");
	pn_fetch_result_free(&r);
	is_int(fetch(def, "http://100.64.1.1:9/", &r), PN_EPERM, "CGNAT refused");
	pn_fetch_result_free(&r);

	/* via a redirect from an allowed host (127.0.0.2 exempted by fetch.allow_cidrs) */
	for (i = 0; i < PN_ARRAY_LEN(private_urls); i++) {
		char *target = pn_xasprintf(private_urls[i], port);
		char *path = pn_xasprintf("/to?u=%s", target);
		u = url("127.0.0.2", path);
		is_int(fetch(via, u, &r), PN_EPERM, "redirect to %s refused", target);
		ok(r.n_hops == 2 && r.hops[0].status == 302, "first hop answered 302");
		ok(strncmp(r.errmsg, "refused: ", 9) == 0, "message: %s", r.errmsg);
		pn_fetch_result_free(&r);
		free(u);
		free(path);
		free(target);
	}
	ok(log_hits("127.0.0.2") >= (int)PN_ARRAY_LEN(private_urls),
	    "the allowed first hops did reach the server");

	/* DNS rebinding: a name served by dns.servers that resolves to 127.0.0.1 */
	{
		char srv[32];
		struct pn_conf *dc;

		snprintf(srv, sizeof(srv), "127.0.0.1:%d", dns_port);
		dc = conf("dns.servers", srv, NULL, NULL);
		u = url("rebind.test", "/hello");
		is_int(fetch(dc, u, &r), PN_EPERM, "name resolving to 127.0.0.1 via dns.servers refused: %s",
		    r.errmsg);
		pn_fetch_result_free(&r);
		pn_conf_free(dc);
		is_int(log_hits("127.0.0.1") + log_hits("::1") - before, 0,
		    "nothing reached the server on 127.0.0.1 or ::1 with the default configuration");
		dc = conf("dns.servers", srv, "fetch.allow_private", "true");
		is_int(fetch(dc, u, &r), PN_OK, "same with allow_private: %s", r.errmsg);
		ok(r.n_resolutions == 1 && strcmp(r.resolutions[0].host, "rebind.test") == 0 &&
		    strcmp(r.resolutions[0].ip, "127.0.0.1") == 0, "resolution rebind.test -> 127.0.0.1");
		pn_fetch_result_free(&r);
		free(u);
		u = url("v6.rebind.test", "/hello");
		if (have_v6) {
			is_int(fetch(dc, u, &r), PN_OK, "AAAA-only name pinned via dns.servers: %s",
			    r.errmsg);
			ok(r.n_resolutions == 1 && strcmp(r.resolutions[0].ip, "::1") == 0,
			    "resolution v6.rebind.test -> ::1");
			pn_fetch_result_free(&r);
		}
		pn_conf_free(dc);
		dc = conf("dns.servers", srv, NULL, NULL);
		is_int(fetch(dc, u, &r), PN_EPERM, "AAAA ::1 refused by default");
		pn_fetch_result_free(&r);
		free(u);
		pn_conf_free(dc);
	}

	/* the same fetches work with fetch.allow_private = true */
	for (i = 0; i < PN_ARRAY_LEN(private_urls); i++) {
		if (!have_v6 && strstr(private_urls[i], "[::1]") != NULL) {
			ok(1, "# SKIP no IPv6 loopback");
			continue;
		}
		u = pn_xasprintf(private_urls[i], port);
		is_int(fetch(allow, u, &r), PN_OK, "allow_private fetches %s: %s", u, r.errmsg);
		is_int(r.last_http_response_code, 200, "200");
		is_int(r.last_http_response_content_length, 6, "hello body");
		if (strstr(u, "localhost") != NULL || strstr(u, "LOCALHOST") != NULL)
			ok(r.n_resolutions == 1 && strcmp(r.resolutions[0].host, "localhost") == 0,
			    "resolution localhost -> %s", r.n_resolutions ? r.resolutions[0].ip : "-");
		pn_fetch_result_free(&r);
		free(u);
	}
	to = pn_xasprintf("/to?u=http://127.0.0.1:%d/hello", port);
	u = url("127.0.0.2", to);
	is_int(fetch(allow, u, &r), PN_OK, "redirect to loopback with allow_private");
	is_int((int)r.n_redirection_chain, 2, "2-URL chain");
	pn_fetch_result_free(&r);
	free(u);
	free(to);
	ok(log_hits("127.0.0.1") - before > 0, "requests reached 127.0.0.1 with allow_private");
	pn_conf_free(def);
	pn_conf_free(allow);
	pn_conf_free(via);
}

static void
test_limits(void)
{
	struct pn_conf *c = conf("fetch.allow_private", "true", NULL, NULL);
	struct pn_fetch_result r;
	int64_t t0;
	char *u;

	u = url("127.0.0.1", "/loop/0");
	is_int(fetch(c, u, &r), PN_ELIMIT, "endless redirects end");
	is_int((int)r.n_redirection_chain, 11, "10 redirects followed: 11 URLs");
	is_int(r.last_http_response_code, 302, "last code 302");
	ok(strstr(r.errmsg, "fetch.max_redirects = 10") != NULL, "message: %s", r.errmsg);
	pn_fetch_result_free(&r);
	pn_conf_free(c);
	c = conf("fetch.allow_private", "true", "fetch.max_redirects", "0");
	is_int(fetch(c, u, &r), PN_ELIMIT, "max_redirects 0");
	is_int((int)r.n_redirection_chain, 1, "one URL");
	pn_fetch_result_free(&r);
	free(u);
	pn_conf_free(c);

	c = conf("fetch.allow_private", "true", "fetch.timeout", "2");
	u = url("127.0.0.1", "/slow");
	t0 = pn_mono_ms();
	is_int(fetch(c, u, &r), PN_ETIMEOUT, "slow drip ends at fetch.timeout: %s", r.errmsg);
	ok(pn_mono_ms() - t0 >= 1500 && pn_mono_ms() - t0 < 5000, "after ~2 s (%lld ms)",
	    (long long)(pn_mono_ms() - t0));
	pn_fetch_result_free(&r);
	pn_conf_free(c);
	c = conf("fetch.allow_private", "true", "fetch.low_speed_time", "1");
	t0 = pn_mono_ms();
	is_int(fetch(c, u, &r), PN_ETIMEOUT, "slow drip ends at the low-speed limit");
	ok(strstr(r.errmsg, "too slow") != NULL, "message: %s", r.errmsg);
	ok(pn_mono_ms() - t0 < 5000, "within 5 s (%lld ms)", (long long)(pn_mono_ms() - t0));
	pn_fetch_result_free(&r);
	pn_conf_free(c);
	free(u);

	c = conf("fetch.allow_private", "true", NULL, NULL);
	u = url("127.0.0.1", "/hugeheaders?n=1&size=300000");
	is_int(fetch(c, u, &r), PN_ELIMIT, "one 300 KB header refused: %s", r.errmsg);
	pn_fetch_result_free(&r);
	free(u);
	u = url("127.0.0.1", "/hugeheaders?n=100&size=1000");
	is_int(fetch(c, u, &r), PN_ELIMIT, "100 KB of headers refused");
	ok(strstr(r.errmsg, "fetch.max_header_size") != NULL, "message: %s", r.errmsg);
	pn_fetch_result_free(&r);
	free(u);
	u = url("127.0.0.1", "/hugeheaders?n=120&size=10");
	is_int(fetch(c, u, &r), PN_OK, "120 small headers accepted");
	is_int((int)r.n_headers, PN_FETCH_MAX_HEADERS, "headers kept capped");
	ok(r.headers_truncated, "headers_truncated");
	pn_fetch_result_free(&r);
	free(u);

	{
		static const char *const bad[] = {
			"ftp://127.0.0.1:%d/x", "file:///etc/passwd", "gopher://127.0.0.1:%d/",
			"javascript:alert(1)", "data:text/html,hi", "dict://127.0.0.1:%d/",
		};
		size_t i;
		int before = log_hits("127.0.0.1");

		for (i = 0; i < PN_ARRAY_LEN(bad); i++) {
			char *b = pn_xasprintf(bad[i], port);
			is_int(fetch(c, b, &r), PN_EINVAL, "%s refused: %s", b, r.errmsg);
			pn_fetch_result_free(&r);
			free(b);
		}
		u = url("127.0.0.1", "/to?u=ftp://127.0.0.1/x");
		is_int(fetch(c, u, &r), PN_EINVAL, "redirect to ftp: refused: %s", r.errmsg);
		is_int((int)r.n_redirection_chain, 1, "chain stops before ftp:");
		is_int(r.last_http_response_code, 302, "last response is the redirect");
		pn_fetch_result_free(&r);
		free(u);
		u = url("127.0.0.1", "/to?u=file:///etc/passwd");
		is_int(fetch(c, u, &r), PN_EINVAL, "redirect to file: refused");
		pn_fetch_result_free(&r);
		free(u);
		is_int(log_hits("127.0.0.1") - before, 4, "only the two redirecting requests arrived");
	}
	is_int(fetch(c, "http://127.0.0.1:1/", &r), PN_EIO, "closed port: %s", r.errmsg);
	pn_fetch_result_free(&r);
	pn_conf_free(c);
}

int
main(void)
{
	char tmpl[] = "/tmp/pn-fetch-XXXXXX";

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpl) == NULL)
		return 1;
	pn_strlcpy(dir, tmpl, sizeof(dir));
	snprintf(logpath, sizeof(logpath), "%s/requests.log", dir);
	snprintf(bodypath, sizeof(bodypath), "%s/body.bin", dir);
	/* proxies from the environment must be ignored */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);

	test_ssrf_policy();
	have_v6 = v6_loopback() && getenv("PN_TEST_NO_IPV6") == NULL;
	if (!have_v6)
		diag("no IPv6 loopback: IPv6 fetches that need a server are skipped");
	if (start_server() != 0) {
		ok(0, "test server started");
		stop_server();
		return done_testing();
	}
	test_download();
	test_html();
	test_ssrf_fetch();
	test_limits();
	stop_server();
	unlink(logpath);
	unlink(bodypath);
	rmdir(dir);
	return done_testing();
}
