/*
 * fetch.h - fetch one URL the way VirusTotal's URL scanner does, safely:
 * follow redirects (ourselves, one hop at a time), record the chain, the
 * last response's code, headers, cookies, body (sha256, length, saved to a
 * file) and, for HTML, title, links, scripts, iframes, forms, <meta> and
 * known trackers; never connect to a private address (ssrf.h) unless
 * fetch.allow_private is on.
 *
 *   struct pn_fetch_opts o;
 *   struct pn_fetch_result r;
 *   pn_fetch_opts_init(&o, conf);          // fetch.* and dns.servers
 *   o.body_path = "/data/tmp/body.bin";    // optional
 *   rc = pn_fetch_url(&o, "example.com/x", &r);
 *   ... r.last_http_response_code, r.redirection_chain ...
 *   pn_fetch_result_json(&r, &buf);        // VT url attributes
 *   pn_fetch_result_free(&r);
 *
 * Safety: libcurl easy API, one handle per hop, CURLOPT_FOLLOWLOCATION off,
 * protocols http and https only (also for redirects), proxies from the
 * environment ignored, every socket checked by the SSRF guard in
 * CURLOPT_OPENSOCKETFUNCTION against the address about to be connected
 * (after DNS, for every hop and every address tried: DNS rebinding cannot
 * bypass it).  Deadlines: fetch.timeout for the whole fetch including all
 * hops, fetch.connect_timeout per connect, a low-speed limit (slow-drip
 * servers end), fetch.max_header_size per response.  With dns.servers set,
 * names are resolved by net/dns.c (c-ares) and pinned with CURLOPT_RESOLVE
 * (Debian's libcurl has no CURLOPT_DNS_SERVERS); else libcurl resolves.
 *
 * Ownership: r's strings and arrays are allocated; pn_fetch_result_free().
 * r is filled as far as the fetch got whatever the return value (chain,
 * last response, error message).
 * Returns PN_OK when a final (non-redirect) response arrived, whatever its
 * status; PN_EINVAL bad or unsupported URL (also as a redirect target);
 * PN_EPERM refused by the SSRF guard; PN_ELIMIT too many redirects or
 * headers too large; PN_ETIMEOUT a deadline passed; PN_ENOTFOUND the name
 * does not resolve; PN_EIO other network/TLS errors; PN_EINTERNAL libcurl
 * setup failed.  r->errmsg says why.
 * See also: ssrf.h, html.h, url.h, docs/internals/urls.md, [fetch] in
 * docs/CONFIG.md, tests/unit/test_fetch.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_FETCH_H
#define PN_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "html.h"

#define PN_FETCH_MAX_HEADERS     100    /* headers kept of the last response */
#define PN_FETCH_MAX_HEADER_NAME 256    /* bytes of a kept header name */
#define PN_FETCH_MAX_HEADER_VAL  4096   /* bytes of a kept header value */
#define PN_FETCH_MAX_COOKIES     50     /* cookies kept */
#define PN_FETCH_MAX_RESOLVE     8      /* addresses pinned per host (dns.servers) */
#define PN_FETCH_MAX_REDIRECTS   100    /* upper bound for fetch.max_redirects */
#define PN_FETCH_MAX_TRACKERS    50     /* tracker entries kept */

extern const struct pn_conf_opt pn_conf_fetch[];

struct pn_fetch_opts {
	const struct pn_conf *conf;   /* for dns.* (pn_dns_new); may be NULL */
	int allow_private;            /* fetch.allow_private: SSRF guard off */
	int allow_documentation;      /* !fetch.block_documentation */
	const char *allow_cidrs;      /* fetch.allow_cidrs: exempt networks */
	int max_redirects;            /* fetch.max_redirects */
	uint64_t max_body;            /* fetch.max_body: bytes saved/hashed */
	uint64_t max_html;            /* fetch.max_html: bytes of HTML parsed */
	size_t max_header_size;       /* fetch.max_header_size: per response */
	size_t max_links;             /* fetch.max_links: per list */
	long timeout_ms;              /* fetch.timeout (s) * 1000: whole fetch */
	long connect_timeout_ms;      /* fetch.connect_timeout (s) * 1000 */
	long low_speed_limit;         /* fetch.low_speed_limit: bytes/s ... */
	long low_speed_time;          /* ... for fetch.low_speed_time s ends it */
	const char *user_agent;       /* fetch.user_agent */
	int tls_verify;               /* fetch.tls_verify */
	int use_dns_servers;          /* dns.servers is set: resolve via net/dns.c */
	const char *body_path;        /* save the final body here (0600, truncated); NULL: don't */
};

struct pn_fetch_kv {
	char *name;
	char *value;
};

/* One request of the chain. */
struct pn_fetch_hop {
	char *url;            /* canonical URL requested */
	char *host;           /* its host */
	int status;           /* HTTP status, 0 when no response */
	char ip[46];          /* address connected, "" when none */
	int port;             /* port connected, 0 when none */
};

/* Host name -> address actually connected (passive DNS), IP-literal hosts excluded. */
struct pn_fetch_resolution {
	char *host;
	char ip[46];
};

struct pn_fetch_tracker {
	const char *name;     /* static, e.g. "Google Tag Manager" */
	char *url;            /* script/iframe URL */
	char *id;             /* tracker id (e.g. "GTM-XXXX"), NULL if none */
};

struct pn_fetch_result {
	char *url;                                  /* canonical submitted URL */
	char *last_final_url;                       /* URL of the last response */
	int last_http_response_code;                /* 0 when none */
	int64_t last_http_response_content_length;  /* body bytes kept (<= max_body) */
	char last_http_response_content_sha256[65]; /* of those bytes; "" when no body */
	char *content_type;                         /* NULL when absent */
	struct pn_fetch_kv *last_http_response_headers;
	size_t n_headers;
	struct pn_fetch_kv *last_http_response_cookies;
	size_t n_cookies;
	char **redirection_chain;                   /* every URL requested, first = url */
	size_t n_redirection_chain;
	struct pn_fetch_hop *hops;                  /* one per request */
	size_t n_hops;
	struct pn_fetch_resolution *resolutions;
	size_t n_resolutions;
	struct pn_html html;                        /* empty unless the body is HTML */
	char **outgoing_links;                      /* links to other registrable domains */
	size_t n_outgoing_links;
	struct pn_fetch_tracker *trackers;
	size_t n_trackers;
	int truncated;                              /* body longer than max_body */
	int headers_truncated;                      /* some header not kept or cut */
	int body_saved;                             /* body_path holds the body */
	int64_t elapsed_ms;
	int error;                                  /* the return value */
	char errmsg[256];                           /* "" on success */
};

/* Fill o from c's fetch.* and dns.servers (c NULL: built-in defaults). */
void pn_fetch_opts_init(struct pn_fetch_opts *o, const struct pn_conf *c);

int pn_fetch_url(const struct pn_fetch_opts *o, const char *url, struct pn_fetch_result *r);

void pn_fetch_result_free(struct pn_fetch_result *r);

struct pn_buf;
/*
 * Append the VT url attributes known from the fetch, as JSON object members
 * without braces ("last_final_url":...,"title":...): last_final_url,
 * last_http_response_code, last_http_response_content_length,
 * last_http_response_content_sha256, last_http_response_headers (dict;
 * repeated names joined with ", "), last_http_response_cookies, redirection_chain,
 * title, outgoing_links, html_meta (name -> list), trackers (name -> list
 * of {"url","id","timestamp"}), has_content.  ts is the analysis time.
 * A ',' is written first unless b is empty or ends with '{' or '['.
 * PN_OK, or PN_ELIMIT when b's cap was hit (b is then as before the call).
 */
int pn_fetch_result_json(const struct pn_fetch_result *r, int64_t ts, struct pn_buf *b);

#endif
