/*
 * fetch.c - the URL fetcher (see fetch.h for the contract).
 *
 * One libcurl easy handle per hop (fresh DNS cache, nothing carried over
 * but cookies, which go through a CURLSH share), redirects followed here
 * from CURLINFO_REDIRECT_URL after re-canonicalising with pn_url_parse()
 * (so a redirect to ftp:, file: or a malformed URL ends the chain).  Every
 * socket passes the SSRF guard in open_socket().  The body streams to
 * body_path and SHA-256 (OpenSSL EVP) up to max_body; the first max_html
 * bytes of an HTML body are kept in memory for html.c.
 * Limits: fetch.* options (docs/CONFIG.md [fetch]) and PN_FETCH_MAX_* in
 * fetch.h.  Errors: fetch.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "conf.h"
#include "dns.h"
#include "fetch.h"
#include "html.h"
#include "ssrf.h"
#include "url.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpsl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEF_MAX_REDIRECTS   10
#define DEF_MAX_BODY        (32ull << 20)
#define DEF_MAX_HTML        (4ull << 20)
#define DEF_MAX_HEADER_SIZE (64u << 10)
#define DEF_MAX_LINKS       500
#define DEF_TIMEOUT_S       30
#define DEF_CONNECT_S       10
#define DEF_LOW_SPEED       512
#define DEF_LOW_SPEED_TIME  15
#define DEF_USER_AGENT \
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " \
	"Chrome/120.0 Safari/537.36 Panoptes"

const struct pn_conf_opt pn_conf_fetch[] = {
	{"fetch.allow_private", PN_CONF_BOOL, "false",
	    "allow fetching from loopback/private/link-local addresses (SSRF guard off)"},
	{"fetch.allow_cidrs", PN_CONF_STR, "",
	    "comma-separated networks exempt from the SSRF guard (e.g. 10.1.2.0/24)"},
	{"fetch.block_documentation", PN_CONF_BOOL, "true",
	    "refuse documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)"},
	{"fetch.max_redirects", PN_CONF_INT, "10", "redirects followed before giving up (0-100)"},
	{"fetch.max_body", PN_CONF_SIZE, "32M", "bytes of the body saved and hashed (more: truncated)"},
	{"fetch.max_html", PN_CONF_SIZE, "4M", "bytes of an HTML body parsed for title/links"},
	{"fetch.max_header_size", PN_CONF_SIZE, "64K", "bytes of response headers per response"},
	{"fetch.max_links", PN_CONF_INT, "500", "links/scripts/iframes kept per page (max 1000)"},
	{"fetch.timeout", PN_CONF_INT, "30", "seconds for the whole fetch, all redirects included"},
	{"fetch.connect_timeout", PN_CONF_INT, "10", "seconds per connection attempt"},
	{"fetch.low_speed_limit", PN_CONF_INT, "512", "bytes/s below which a transfer is too slow"},
	{"fetch.low_speed_time", PN_CONF_INT, "15", "seconds below fetch.low_speed_limit before giving up"},
	{"fetch.user_agent", PN_CONF_STR, DEF_USER_AGENT, "User-Agent header sent"},
	{"fetch.tls_verify", PN_CONF_BOOL, "false",
	    "verify TLS certificates (off: phishing sites with bad certificates are still fetched)"},
	{NULL, PN_CONF_STR, NULL, NULL}
};

/* Known tracker script hosts (exact host or a suffix after a dot). */
static const struct {
	const char *host;
	const char *path;     /* path prefix, NULL = any */
	const char *name;
} trackers[] = {
	{ "googletagmanager.com", "/gtag/", "Google Tag Manager" },
	{ "googletagmanager.com", NULL, "Google Tag Manager" },
	{ "google-analytics.com", NULL, "Google Analytics" },
	{ "connect.facebook.net", NULL, "Facebook Pixel" },
	{ "static.hotjar.com", NULL, "Hotjar" },
	{ "mc.yandex.ru", NULL, "Yandex Metrica" },
	{ "cdn.segment.com", NULL, "Segment" },
	{ "js.hs-scripts.com", NULL, "HubSpot" },
	{ "bat.bing.com", NULL, "Bing Ads" },
	{ "snap.licdn.com", NULL, "LinkedIn Insight" },
	{ "script.crazyegg.com", NULL, "Crazy Egg" },
	{ "cdn.mxpnl.com", NULL, "Mixpanel" },
	{ "static.cloudflareinsights.com", NULL, "Cloudflare Web Analytics" },
	{ "plausible.io", "/js/", "Plausible" },
	{ "cdn.amplitude.com", NULL, "Amplitude" },
	{ "s.pinimg.com", "/ct/", "Pinterest Tag" },
	{ "analytics.tiktok.com", NULL, "TikTok Pixel" },
	{ "cdn.heapanalytics.com", NULL, "Heap" },
};

/* Per-hop transfer state, the curl callbacks' clientp. */
struct hop {
	const struct pn_fetch_opts *o;
	const struct pn_ssrf_allow *allow;
	int ssrf_flags;
	int fd;                    /* body file or -1 */
	EVP_MD_CTX *md;
	struct pn_buf html;        /* first max_html bytes */
	uint64_t body_len;
	int truncated;             /* body cut at max_body */
	int write_failed;          /* write(2) to body_path failed */
	size_t header_bytes;
	int header_overflow;
	int status;                /* from the last status line */
	int has_location;
	struct pn_fetch_kv *hdr;
	size_t n_hdr;
	int hdr_truncated;
	int refused;               /* SSRF guard said no */
	char why[200];
	char tried_ip[46];         /* last address the guard let through */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void
curl_init_once(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static void
set_msg(struct pn_fetch_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
}

void
pn_fetch_opts_init(struct pn_fetch_opts *o, const struct pn_conf *c)
{
	memset(o, 0, sizeof(*o));
	o->conf = c;
	o->max_redirects = DEF_MAX_REDIRECTS;
	o->max_body = DEF_MAX_BODY;
	o->max_html = DEF_MAX_HTML;
	o->max_header_size = DEF_MAX_HEADER_SIZE;
	o->max_links = DEF_MAX_LINKS;
	o->timeout_ms = DEF_TIMEOUT_S * 1000L;
	o->connect_timeout_ms = DEF_CONNECT_S * 1000L;
	o->low_speed_limit = DEF_LOW_SPEED;
	o->low_speed_time = DEF_LOW_SPEED_TIME;
	o->user_agent = DEF_USER_AGENT;
	o->allow_cidrs = "";
	if (c == NULL)
		return;
	o->allow_private = pn_conf_get_bool(c, "fetch.allow_private");
	o->allow_documentation = !pn_conf_get_bool(c, "fetch.block_documentation");
	o->allow_cidrs = pn_conf_get(c, "fetch.allow_cidrs");
	o->max_redirects = (int)PN_MAX(0, PN_MIN(pn_conf_get_int(c, "fetch.max_redirects"),
	    PN_FETCH_MAX_REDIRECTS));
	o->max_body = pn_conf_get_size(c, "fetch.max_body");
	o->max_html = pn_conf_get_size(c, "fetch.max_html");
	o->max_header_size = (size_t)pn_conf_get_size(c, "fetch.max_header_size");
	o->max_links = (size_t)PN_MAX(1, PN_MIN(pn_conf_get_int(c, "fetch.max_links"),
	    PN_HTML_MAX_ITEMS));
	o->timeout_ms = (long)PN_MAX(1, PN_MIN(pn_conf_get_int(c, "fetch.timeout"), 86400)) * 1000L;
	o->connect_timeout_ms = (long)PN_MAX(1, PN_MIN(pn_conf_get_int(c, "fetch.connect_timeout"),
	    86400)) * 1000L;
	o->low_speed_limit = (long)PN_MAX(0, PN_MIN(pn_conf_get_int(c, "fetch.low_speed_limit"),
	    1L << 30));
	o->low_speed_time = (long)PN_MAX(1, PN_MIN(pn_conf_get_int(c, "fetch.low_speed_time"), 86400));
	o->user_agent = pn_conf_get(c, "fetch.user_agent");
	o->tls_verify = pn_conf_get_bool(c, "fetch.tls_verify");
	o->use_dns_servers = pn_conf_get(c, "dns.servers")[0] != '\0';
}

/* ---- curl callbacks ---- */

static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct hop *h = clientp;
	const void *ip = NULL;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    pn_ssrf_check_allow(&a->addr, a->addrlen, h->ssrf_flags, h->allow,
	    h->why, sizeof(h->why)) != PN_OK) {
		if (purpose != CURLSOCKTYPE_IPCXN)
			snprintf(h->why, sizeof(h->why), "refused: unexpected socket type");
		h->refused = 1;
		return CURL_SOCKET_BAD;
	}
	if (a->family == AF_INET)
		ip = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
	else if (a->family == AF_INET6)
		ip = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
	if (ip == NULL || inet_ntop(a->family, ip, h->tried_ip, sizeof(h->tried_ip)) == NULL)
		h->tried_ip[0] = '\0';
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int
is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static void
hop_clear_headers(struct hop *h)
{
	size_t i;

	for (i = 0; i < h->n_hdr; i++) {
		free(h->hdr[i].name);
		free(h->hdr[i].value);
	}
	free(h->hdr);
	h->hdr = NULL;
	h->n_hdr = 0;
	h->hdr_truncated = 0;
	h->has_location = 0;
}

/* One header line "Name: value" (CRLF stripped) into h->hdr. */
static void
keep_header(struct hop *h, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	size_t nl, vs, vl;

	if (colon == NULL || colon == line)
		return;
	nl = (size_t)(colon - line);
	vs = nl + 1;
	while (vs < n && (line[vs] == ' ' || line[vs] == '\t'))
		vs++;
	vl = n - vs;
	while (vl > 0 && (line[vs + vl - 1] == ' ' || line[vs + vl - 1] == '\t'))
		vl--;
	if (nl == 8 && strncasecmp(line, "location", 8) == 0)
		h->has_location = 1;
	if (h->n_hdr >= PN_FETCH_MAX_HEADERS || nl > PN_FETCH_MAX_HEADER_NAME) {
		h->hdr_truncated = 1;
		return;
	}
	if (vl > PN_FETCH_MAX_HEADER_VAL) {
		vl = PN_FETCH_MAX_HEADER_VAL;
		h->hdr_truncated = 1;
	}
	if (h->n_hdr == 0 || (h->n_hdr & (h->n_hdr - 1)) == 0)
		h->hdr = pn_xrealloc(h->hdr, (h->n_hdr == 0 ? 1 : 2 * h->n_hdr) * sizeof(*h->hdr));
	h->hdr[h->n_hdr].name = pn_utf8_clean(line, nl);
	h->hdr[h->n_hdr].value = pn_utf8_clean(line + vs, vl);
	h->n_hdr++;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *clientp)
{
	struct hop *h = clientp;
	size_t n = size * nmemb, len = n;

	h->header_bytes += n;
	if (h->header_bytes > h->o->max_header_size) {
		h->header_overflow = 1;
		return 0;
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);
		/* a new response (after 1xx): forget the previous headers */
		hop_clear_headers(h);
		h->status = 0;
		if (sp != NULL && (size_t)(sp - p) + 4 <= len && isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
			h->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		return n;
	}
	if (len > 0)
		keep_header(h, p, len);
	return n;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *clientp)
{
	struct hop *h = clientp;
	size_t n = size * nmemb, keep = n;

	if (is_redirect(h->status) && h->has_location)
		return n;                        /* a redirect's body is not kept */
	if (h->body_len + n > h->o->max_body) {
		keep = (size_t)(h->o->max_body - h->body_len);
		h->truncated = 1;
	}
	if (keep > 0) {
		if (h->fd >= 0 && pn_write_all(h->fd, p, keep) != PN_OK) {
			h->write_failed = 1;
			return 0;
		}
		if (EVP_DigestUpdate(h->md, p, keep) != 1)
			return 0;
		if (h->html.len < h->o->max_html)
			pn_buf_append(&h->html, p, PN_MIN(keep, (size_t)(h->o->max_html - h->html.len)));
		h->body_len += keep;
	}
	return h->truncated ? 0 : n;             /* 0 ends the transfer at the cap */
}

/* ---- one hop ---- */

static void
add_hop(struct pn_fetch_result *r, const struct pn_url *u)
{
	struct pn_fetch_hop *hp;

	r->hops = pn_xrealloc(r->hops, (r->n_hops + 1) * sizeof(*r->hops));
	hp = &r->hops[r->n_hops++];
	memset(hp, 0, sizeof(*hp));
	hp->url = pn_xstrdup(u->canonical);
	hp->host = pn_xstrdup(u->host);
	r->redirection_chain = pn_xrealloc(r->redirection_chain,
	    (r->n_redirection_chain + 1) * sizeof(char *));
	r->redirection_chain[r->n_redirection_chain++] = pn_xstrdup(u->canonical);
}

static void
add_resolution(struct pn_fetch_result *r, const char *host, const char *ip)
{
	size_t i;

	for (i = 0; i < r->n_resolutions; i++)
		if (strcmp(r->resolutions[i].host, host) == 0 && strcmp(r->resolutions[i].ip, ip) == 0)
			return;
	r->resolutions = pn_xrealloc(r->resolutions, (r->n_resolutions + 1) * sizeof(*r->resolutions));
	r->resolutions[r->n_resolutions].host = pn_xstrdup(host);
	pn_strlcpy(r->resolutions[r->n_resolutions].ip, ip, sizeof(r->resolutions[0].ip));
	r->n_resolutions++;
}

/*
 * With dns.servers: resolve u's host with net/dns.c and build the
 * CURLOPT_RESOLVE entry "host:port:addr,..." (IPv6 bracketed).
 */
static int
pin_dns(struct pn_dns *d, const struct pn_url *u, struct curl_slist **list,
    struct pn_fetch_result *r)
{
	char addrs[PN_FETCH_MAX_RESOLVE][46];
	struct pn_buf b = PN_BUF_INIT;
	size_t n = 0, i;
	int rc;

	rc = pn_dns_resolve(d, u->host, addrs, PN_FETCH_MAX_RESOLVE, &n);
	if (rc != PN_OK || n == 0) {
		set_msg(r, "cannot resolve %s via dns.servers: %s", u->host,
		    rc == PN_OK ? "no address" : pn_strerror(rc));
		return rc == PN_ETIMEOUT ? PN_ETIMEOUT : PN_ENOTFOUND;
	}
	pn_buf_printf(&b, "%s:%d:", u->host, u->port);
	for (i = 0; i < n; i++)
		pn_buf_printf(&b, strchr(addrs[i], ':') ? "%s[%s]" : "%s%s", i ? "," : "", addrs[i]);
	*list = curl_slist_append(NULL, b.p);
	pn_buf_release(&b);
	return *list != NULL ? PN_OK : PN_EINTERNAL;
}

static int
map_curl_error(CURLcode cc, const struct hop *h, const char *ebuf, struct pn_fetch_result *r)
{
	if (h->refused && cc == CURLE_COULDNT_CONNECT) {
		set_msg(r, "%s", h->why);
		return PN_EPERM;
	}
	if (h->header_overflow) {
		set_msg(r, "response headers larger than %zu bytes (fetch.max_header_size)",
		    h->o->max_header_size);
		return PN_ELIMIT;
	}
	if (h->write_failed) {
		set_msg(r, "cannot write the body to %s: %s", h->o->body_path, strerror(errno));
		return PN_EIO;
	}
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		if (strstr(ebuf, "too slow") != NULL)
			set_msg(r, "transfer too slow: under %ld bytes/s for %ld s "
			    "(fetch.low_speed_limit, fetch.low_speed_time)", h->o->low_speed_limit,
			    h->o->low_speed_time);
		else
			set_msg(r, "timed out (fetch.timeout %ld s, fetch.connect_timeout %ld s): %s",
			    h->o->timeout_ms / 1000, h->o->connect_timeout_ms / 1000, ebuf);
		return PN_ETIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		set_msg(r, "cannot resolve host: %s", ebuf);
		return PN_ENOTFOUND;
	case CURLE_OUT_OF_MEMORY:
		/* what libcurl 7.88 returns for a header line over its 100 KB cap */
		set_msg(r, "response header line too large for libcurl (over 100 KB) "
		    "or out of memory");
		return PN_ELIMIT;
	case CURLE_UNSUPPORTED_PROTOCOL:
		set_msg(r, "unsupported protocol: %s", ebuf);
		return PN_EINVAL;
	default:
		break;
	}
	if (strcasestr(ebuf, "header") != NULL &&
	    (strcasestr(ebuf, "too") != NULL || strcasestr(ebuf, "reject") != NULL ||
	    strcasestr(ebuf, "max") != NULL)) {
		set_msg(r, "response headers too large: %s", ebuf);
		return PN_ELIMIT;
	}
	set_msg(r, "%s: %s", curl_easy_strerror(cc), ebuf);
	return PN_EIO;
}

/* Perform one request of u into r's last hop; *next gets a redirect target. */
static int
do_hop(const struct pn_fetch_opts *o, struct hop *h, CURLSH *share, struct pn_dns *dns,
    const struct pn_url *u, long left_ms, char **next, struct pn_fetch_result *r)
{
	struct pn_fetch_hop *hp = &r->hops[r->n_hops - 1];
	struct curl_slist *pin = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	char *ip = NULL, *loc = NULL, *ct = NULL;
	long code = 0, port = 0;
	CURLcode cc;
	CURL *c;
	int rc;

	*next = NULL;
	if (dns != NULL && u->host_ip == 0 && (rc = pin_dns(dns, u, &pin, r)) != PN_OK)
		return rc;
	c = curl_easy_init();
	if (c == NULL) {
		curl_slist_free_all(pin);
		set_msg(r, "curl_easy_init failed");
		return PN_EINTERNAL;
	}
	curl_easy_setopt(c, CURLOPT_URL, u->canonical);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, PN_MIN(o->connect_timeout_ms, left_ms));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	if (share != NULL) {
		curl_easy_setopt(c, CURLOPT_SHARE, share);
		curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	}
	if (pin != NULL)
		curl_easy_setopt(c, CURLOPT_RESOLVE, pin);

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != NULL && ip[0] != '\0')
		pn_strlcpy(hp->ip, ip, sizeof(hp->ip));
	if (curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
		hp->port = (int)port;
	hp->status = (int)code;
	if (hp->ip[0] != '\0' && u->host_ip == 0 && code > 0)
		add_resolution(r, u->host, hp->ip);
	if (cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && h->truncated && !h->write_failed)) {
		rc = PN_OK;
		if (is_redirect((int)code) &&
		    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL)
			*next = pn_xstrdup(loc);
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL) {
			free(r->content_type);
			r->content_type = pn_xstrdup(ct);
		}
	} else {
		rc = map_curl_error(cc, h, ebuf, r);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(pin);
	return rc;
}

/* Reset the per-hop body state (the file keeps only the last hop's body). */
static int
hop_reset(struct hop *h)
{
	hop_clear_headers(h);
	h->status = 0;
	h->body_len = 0;
	h->truncated = 0;
	h->header_bytes = 0;
	h->header_overflow = 0;
	pn_buf_reset(&h->html);
	if (h->fd >= 0 && (ftruncate(h->fd, 0) != 0 || lseek(h->fd, 0, SEEK_SET) != 0))
		return PN_EIO;
	return EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1 ? PN_OK : PN_EINTERNAL;
}

/* ---- after the last hop ---- */

static char *
query_param(const char *url, const char *key)
{
	const char *q = strchr(url, '?');
	size_t kl = strlen(key);

	while (q != NULL) {
		q++;
		if (strncmp(q, key, kl) == 0 && q[kl] == '=') {
			size_t n = strcspn(q + kl + 1, "&#");
			return n > 0 && n < 64 ? pn_xstrndup(q + kl + 1, n) : NULL;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

static int
host_matches(const char *host, const char *suffix)
{
	size_t hl = strlen(host), sl = strlen(suffix);

	if (hl == sl)
		return strcmp(host, suffix) == 0;
	return hl > sl && host[hl - sl - 1] == '.' && strcmp(host + hl - sl, suffix) == 0;
}

static void
find_trackers(struct pn_fetch_result *r, const struct pn_html_list *l)
{
	size_t i, k;

	for (i = 0; i < l->n && r->n_trackers < PN_FETCH_MAX_TRACKERS; i++) {
		struct pn_url u;

		if (pn_url_parse(l->v[i], &u, NULL, 0) != PN_OK)
			continue;
		for (k = 0; k < PN_ARRAY_LEN(trackers); k++) {
			struct pn_fetch_tracker *t;

			if (!host_matches(u.host, trackers[k].host) || (trackers[k].path != NULL &&
			    strncmp(u.path, trackers[k].path, strlen(trackers[k].path)) != 0))
				continue;
			r->trackers = pn_xrealloc(r->trackers, (r->n_trackers + 1) * sizeof(*r->trackers));
			t = &r->trackers[r->n_trackers++];
			t->name = trackers[k].name;
			t->url = pn_xstrdup(l->v[i]);
			t->id = query_param(l->v[i], "id");
			break;
		}
		pn_url_free(&u);
	}
}

/* Registrable domain of host (libpsl), or host itself. */
static const char *
reg_domain(const psl_ctx_t *psl, const char *host)
{
	const char *d = psl != NULL ? psl_registrable_domain(psl, host) : NULL;

	return d != NULL ? d : host;
}

static void
find_outgoing(struct pn_fetch_result *r, const char *final_url)
{
	const psl_ctx_t *psl = psl_builtin();
	struct pn_url base;
	const char *mine;
	size_t i;

	if (pn_url_parse(final_url, &base, NULL, 0) != PN_OK)
		return;
	mine = reg_domain(psl, base.host);
	for (i = 0; i < r->html.links.n; i++) {
		struct pn_url u;

		if (pn_url_parse(r->html.links.v[i], &u, NULL, 0) != PN_OK)
			continue;
		if (strcmp(reg_domain(psl, u.host), mine) != 0) {
			r->outgoing_links = pn_xrealloc(r->outgoing_links,
			    (r->n_outgoing_links + 1) * sizeof(char *));
			r->outgoing_links[r->n_outgoing_links++] = pn_xstrdup(u.canonical);
		}
		pn_url_free(&u);
	}
	pn_url_free(&base);
}

static void
find_cookies(struct pn_fetch_result *r)
{
	size_t i;

	for (i = 0; i < r->n_headers && r->n_cookies < PN_FETCH_MAX_COOKIES; i++) {
		const char *v = r->last_http_response_headers[i].value, *eq;
		size_t n;

		if (strcasecmp(r->last_http_response_headers[i].name, "set-cookie") != 0)
			continue;
		n = strcspn(v, ";");
		eq = memchr(v, '=', n);
		if (eq == NULL || eq == v)
			continue;
		r->last_http_response_cookies = pn_xrealloc(r->last_http_response_cookies,
		    (r->n_cookies + 1) * sizeof(struct pn_fetch_kv));
		r->last_http_response_cookies[r->n_cookies].name = pn_xstrndup(v, (size_t)(eq - v));
		r->last_http_response_cookies[r->n_cookies].value =
		    pn_xstrndup(eq + 1, n - (size_t)(eq - v) - 1);
		r->n_cookies++;
	}
}

static int
looks_html(const char *ct, const struct pn_buf *b)
{
	size_t i;

	if (ct != NULL)
		return strcasestr(ct, "html") != NULL;
	for (i = 0; i < b->len && i < 512; i++)
		if (!isspace((unsigned char)b->p[i]))
			return b->p[i] == '<';
	return 0;
}

/* Move the last hop's response into r. */
static void
finish(const struct pn_fetch_opts *o, struct hop *h, struct pn_fetch_result *r)
{
	const struct pn_fetch_hop *hp = &r->hops[r->n_hops - 1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	r->last_final_url = pn_xstrdup(hp->url);
	r->last_http_response_code = hp->status;
	r->last_http_response_headers = h->hdr;
	r->n_headers = h->n_hdr;
	r->headers_truncated = h->hdr_truncated;
	h->hdr = NULL;
	h->n_hdr = 0;
	r->truncated = h->truncated;
	r->last_http_response_content_length = (int64_t)h->body_len;
	if (hp->status > 0 && EVP_DigestFinal_ex(h->md, md, &mdlen) == 1 && mdlen == 32)
		pn_hex(md, 32, r->last_http_response_content_sha256);
	r->body_saved = h->fd >= 0 && hp->status > 0;
	find_cookies(r);
	if (h->html.len > 0 && looks_html(r->content_type, &h->html) &&
	    pn_html_extract(h->html.p, h->html.len, r->last_final_url, o->max_links,
	    &r->html) == PN_OK) {
		find_outgoing(r, r->last_final_url);
		find_trackers(r, &r->html.scripts);
		find_trackers(r, &r->html.iframes);
	}
}

static int
open_body(const struct pn_fetch_opts *o, struct pn_fetch_result *r, int *fd)
{
	*fd = -1;
	if (o->body_path == NULL)
		return PN_OK;
	*fd = open(o->body_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0) {
		set_msg(r, "cannot create %s: %s", o->body_path, strerror(errno));
		return PN_EIO;
	}
	return PN_OK;
}

static int
fetch_chain(const struct pn_fetch_opts *o, struct hop *h, CURLSH *share, struct pn_dns *dns,
    struct pn_url *u, int64_t deadline, struct pn_fetch_result *r)
{
	char uerr[160];
	int hopn, rc;

	for (hopn = 0;; hopn++) {
		int64_t left = deadline - pn_mono_ms();
		char *next = NULL;

		if (left <= 0) {
			set_msg(r, "timed out after %ld ms (fetch.timeout)", o->timeout_ms);
			return PN_ETIMEOUT;
		}
		add_hop(r, u);
		if ((rc = hop_reset(h)) != PN_OK) {
			set_msg(r, "cannot reset the body file: %s", strerror(errno));
			return rc;
		}
		rc = do_hop(o, h, share, dns, u, (long)left, &next, r);
		if (rc != PN_OK || next == NULL) {
			if (r->hops[r->n_hops - 1].status > 0)
				finish(o, h, r);
			return rc;
		}
		if (hopn >= o->max_redirects) {
			finish(o, h, r);
			set_msg(r, "too many redirects (more than fetch.max_redirects = %d)",
			    o->max_redirects);
			free(next);
			return PN_ELIMIT;
		}
		pn_url_free(u);
		rc = pn_url_parse(next, u, uerr, sizeof(uerr));
		if (rc != PN_OK) {
			finish(o, h, r);
			set_msg(r, "redirect to an unsupported URL '%.100s': %s", next, uerr);
			free(next);
			return PN_EINVAL;
		}
		free(next);
	}
}

int
pn_fetch_url(const struct pn_fetch_opts *o, const char *url, struct pn_fetch_result *r)
{
	struct pn_ssrf_allow allow;
	struct pn_dns *dns = NULL;
	struct hop h;
	struct pn_url u;
	CURLSH *share = NULL;
	char err[200];
	int64_t start = pn_mono_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&h, 0, sizeof(h));
	h.fd = -1;
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ok) {
		set_msg(r, "curl_global_init failed");
		return r->error = PN_EINTERNAL;
	}
	if (pn_url_parse(url, &u, err, sizeof(err)) != PN_OK) {
		set_msg(r, "bad URL: %s", err);
		return r->error = PN_EINVAL;
	}
	r->url = pn_xstrdup(u.canonical);
	if (pn_ssrf_allow_parse(o->allow_cidrs, &allow, err, sizeof(err)) != PN_OK) {
		set_msg(r, "%s", err);
		rc = PN_EINVAL;
		goto out;
	}
	h.o = o;
	h.allow = &allow;
	h.ssrf_flags = (o->allow_private ? PN_SSRF_ALLOW_PRIVATE : 0) |
	    (o->allow_documentation ? PN_SSRF_ALLOW_DOC : 0);
	pn_buf_init(&h.html, (size_t)PN_MIN(o->max_html, (uint64_t)PN_HTML_MAX_INPUT) + 1);
	if (o->use_dns_servers && o->conf != NULL &&
	    (rc = pn_dns_new(o->conf, &dns, err, sizeof(err))) != PN_OK) {
		set_msg(r, "dns.servers: %s", err);
		goto out;
	}
	if ((rc = open_body(o, r, &h.fd)) != PN_OK)
		goto out;
	h.md = EVP_MD_CTX_new();
	share = curl_share_init();
	if (h.md == NULL || share == NULL ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
		set_msg(r, "cannot set up OpenSSL or libcurl");
		rc = PN_EINTERNAL;
		goto out;
	}
	rc = fetch_chain(o, &h, share, dns, &u, start + o->timeout_ms, r);
out:
	if (h.fd >= 0)
		close(h.fd);
	hop_clear_headers(&h);
	pn_buf_release(&h.html);
	EVP_MD_CTX_free(h.md);
	if (share != NULL)
		curl_share_cleanup(share);
	if (dns != NULL)
		pn_dns_free(dns);
	pn_url_free(&u);
	r->elapsed_ms = pn_mono_ms() - start;
	if (rc == PN_OK)
		r->errmsg[0] = '\0';
	return r->error = rc;
}

static void
kv_free(struct pn_fetch_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pn_fetch_result_free(struct pn_fetch_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->url);
	free(r->last_final_url);
	free(r->content_type);
	kv_free(r->last_http_response_headers, r->n_headers);
	kv_free(r->last_http_response_cookies, r->n_cookies);
	strv_free(r->redirection_chain, r->n_redirection_chain);
	for (i = 0; i < r->n_hops; i++) {
		free(r->hops[i].url);
		free(r->hops[i].host);
	}
	free(r->hops);
	for (i = 0; i < r->n_resolutions; i++)
		free(r->resolutions[i].host);
	free(r->resolutions);
	pn_html_free(&r->html);
	strv_free(r->outgoing_links, r->n_outgoing_links);
	for (i = 0; i < r->n_trackers; i++) {
		free(r->trackers[i].url);
		free(r->trackers[i].id);
	}
	free(r->trackers);
	memset(r, 0, sizeof(*r));
}

/* ---- JSON ---- */

static void
json_key(struct pn_buf *b, const char *k)
{
	if (b->len > 0 && b->p[b->len - 1] != '{' && b->p[b->len - 1] != '[')
		pn_buf_putc(b, ',');
	pn_buf_json_str(b, k, strlen(k));
	pn_buf_putc(b, ':');
}

static void
json_strv(struct pn_buf *b, const char *k, char *const *v, size_t n)
{
	size_t i;

	json_key(b, k);
	pn_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			pn_buf_putc(b, ',');
		pn_buf_json_str(b, v[i], strlen(v[i]));
	}
	pn_buf_putc(b, ']');
}

/* dict of kv; repeated names joined with ", " (first occurrence's place). */
static void
json_kv(struct pn_buf *b, const char *k, const struct pn_fetch_kv *kv, size_t n, int fold)
{
	struct pn_buf v = PN_BUF_INIT;
	size_t i, j;
	int first = 1;

	json_key(b, k);
	pn_buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = fold ? strcasecmp(kv[j].name, kv[i].name) == 0 :
			    strcmp(kv[j].name, kv[i].name) == 0;
		if (seen)
			continue;
		if (!first)
			pn_buf_putc(b, ',');
		first = 0;
		pn_buf_json_str(b, kv[i].name, strlen(kv[i].name));
		pn_buf_putc(b, ':');
		pn_buf_puts(&v, kv[i].value);
		for (j = i + 1; j < n; j++)
			if (fold ? strcasecmp(kv[j].name, kv[i].name) == 0 :
			    strcmp(kv[j].name, kv[i].name) == 0) {
				pn_buf_puts(&v, ", ");
				pn_buf_puts(&v, kv[j].value);
			}
		pn_buf_json_str(b, v.p != NULL ? v.p : "", v.len);
		pn_buf_reset(&v);
	}
	pn_buf_release(&v);
	pn_buf_putc(b, '}');
}

static void
json_meta(struct pn_buf *b, const struct pn_html *h)
{
	size_t i, j;
	int first = 1;

	json_key(b, "html_meta");
	pn_buf_putc(b, '{');
	for (i = 0; i < h->n_meta; i++) {
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(h->meta[j].name, h->meta[i].name) == 0;
		if (seen)
			continue;
		if (!first)
			pn_buf_putc(b, ',');
		first = 0;
		pn_buf_json_str(b, h->meta[i].name, strlen(h->meta[i].name));
		pn_buf_puts(b, ":[");
		for (j = i; j < h->n_meta; j++)
			if (strcmp(h->meta[j].name, h->meta[i].name) == 0) {
				if (j > i)
					pn_buf_putc(b, ',');
				pn_buf_json_str(b, h->meta[j].content, strlen(h->meta[j].content));
			}
		pn_buf_putc(b, ']');
	}
	pn_buf_putc(b, '}');
}

static void
json_trackers(struct pn_buf *b, const struct pn_fetch_result *r, int64_t ts)
{
	size_t i, j;
	int first = 1;

	json_key(b, "trackers");
	pn_buf_putc(b, '{');
	for (i = 0; i < r->n_trackers; i++) {
		int seen = 0, firstv = 1;

		for (j = 0; j < i && !seen; j++)
			seen = r->trackers[j].name == r->trackers[i].name;
		if (seen)
			continue;
		if (!first)
			pn_buf_putc(b, ',');
		first = 0;
		pn_buf_json_str(b, r->trackers[i].name, strlen(r->trackers[i].name));
		pn_buf_puts(b, ":[");
		for (j = i; j < r->n_trackers; j++) {
			if (r->trackers[j].name != r->trackers[i].name)
				continue;
			if (!firstv)
				pn_buf_putc(b, ',');
			firstv = 0;
			pn_buf_puts(b, "{\"url\":");
			pn_buf_json_str(b, r->trackers[j].url, strlen(r->trackers[j].url));
			if (r->trackers[j].id != NULL) {
				pn_buf_puts(b, ",\"id\":");
				pn_buf_json_str(b, r->trackers[j].id, strlen(r->trackers[j].id));
			}
			pn_buf_printf(b, ",\"timestamp\":%lld}", (long long)ts);
		}
		pn_buf_putc(b, ']');
	}
	pn_buf_putc(b, '}');
}

int
pn_fetch_result_json(const struct pn_fetch_result *r, int64_t ts, struct pn_buf *b)
{
	size_t start = b->len;

	if (r->last_final_url != NULL) {
		json_key(b, "last_final_url");
		pn_buf_json_str(b, r->last_final_url, strlen(r->last_final_url));
	}
	if (r->last_http_response_code > 0) {
		json_key(b, "last_http_response_code");
		pn_buf_printf(b, "%d", r->last_http_response_code);
		json_key(b, "last_http_response_content_length");
		pn_buf_printf(b, "%lld", (long long)r->last_http_response_content_length);
		json_key(b, "last_http_response_content_sha256");
		pn_buf_json_str(b, r->last_http_response_content_sha256,
		    strlen(r->last_http_response_content_sha256));
		json_kv(b, "last_http_response_headers", r->last_http_response_headers, r->n_headers, 1);
		json_kv(b, "last_http_response_cookies", r->last_http_response_cookies, r->n_cookies, 0);
	}
	json_strv(b, "redirection_chain", r->redirection_chain, r->n_redirection_chain);
	if (r->html.title != NULL) {
		json_key(b, "title");
		pn_buf_json_str(b, r->html.title, strlen(r->html.title));
	}
	json_strv(b, "outgoing_links", r->outgoing_links, r->n_outgoing_links);
	json_meta(b, &r->html);
	json_trackers(b, r, ts);
	json_key(b, "has_content");
	pn_buf_puts(b, r->last_http_response_content_length > 0 ? "true" : "false");
	if (b->max != 0 && b->len >= b->max) {
		b->len = start;
		return PN_ELIMIT;
	}
	return PN_OK;
}
