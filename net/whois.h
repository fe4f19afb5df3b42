/*
 * whois.h - port-43 WHOIS client with referral following, and a parser of
 * WHOIS text for the fields VirusTotal shows on domains and IP addresses.
 *
 * Server choice ([whois] in docs/CONFIG.md): a map "key=host[:port],..."
 * (whois.servers) plus an optional map file (whois.servers_file, lines
 * "key host[:port]" or "key=host[:port]", '#' comments).  For a domain the
 * registrable domain (libpsl) is asked; its server is the entry of its
 * public suffix ("co.uk"), else of its last label ("uk"), else "default".
 * An IP goes to "ip".  An entry whose key is a host name also redirects
 * that host: a referral to it connects to the mapped address instead.
 *
 * Referrals ("refer:", "whois:", "Registrar WHOIS Server:",
 * "ReferralServer: whois://host[:port]") are followed up to
 * whois.max_referrals times, never to a server already asked; a referral
 * outside the map must be a host name on port 43.  Each server gets
 * whois.timeout_ms for connect + answer and at most whois.max_response
 * bytes (more is cut off, `truncated` set).
 *
 * The parser (pn_whois_parse) reads untrusted text line by line, at most
 * PN_WHOIS_LINE_MAX bytes a line; the first value of a field wins, except
 * that a CIDR beats a range for `network`.
 *
 * Errors of pn_whois_query: PN_EINVAL (bad query or option), PN_ENOTFOUND
 * (no server for it), PN_ETIMEOUT / PN_EIO (first server: timeout /
 * connect or read failure), PN_EFORMAT (first answer empty or binary).
 * A failing referral keeps what was gathered: PN_OK, the reason in `err`.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_WHOIS_H
#define PN_WHOIS_H

#include "pn.h"
#include "conf.h"

struct pn_dns;
struct json_object;

#define PN_WHOIS_LINE_MAX        1024
#define PN_WHOIS_FIELD_MAX       256
#define PN_WHOIS_MSG_MAX         400          /* server and err texts */
#define PN_WHOIS_MAX_NS          16
#define PN_WHOIS_MAX_REFERRALS   5            /* hard cap on whois.max_referrals */
#define PN_WHOIS_RESPONSE_MAX    (4u << 20)   /* hard cap on whois.max_response */
#define PN_WHOIS_MAP_MAX         512          /* server map entries */
#define PN_WHOIS_MAPFILE_MAX     (256u << 10) /* bytes of whois.servers_file */

extern const struct pn_conf_opt pn_conf_whois[];

struct pn_whois_opts {
	const char *servers;       /* "com=whois.example:43,ip=...,default=..." */
	const char *servers_file;  /* map file, NULL or "" for none */
	int timeout_ms;            /* per server: connect + whole answer */
	size_t max_response;       /* bytes kept of one server's answer */
	int max_referrals;
	struct pn_dns *dns;        /* resolver for server names; NULL = getaddrinfo */
};

struct pn_whois_result {
	char *text;                /* VT `whois`: answers joined, valid UTF-8, owned */
	size_t text_len;
	char server[PN_WHOIS_MSG_MAX];     /* last server that answered, host:port */
	int n_servers;             /* servers that answered */
	int truncated;             /* an answer hit max_response */
	char err[PN_WHOIS_MSG_MAX];        /* why a referral failed, or "" */

	/* domains */
	char registrar[PN_WHOIS_FIELD_MAX];
	int64_t creation_date;     /* unix times, 0 = unknown */
	int64_t expiration_date;
	int64_t last_updated;      /* VT `last_update_date` */
	char registrant_country[PN_WHOIS_FIELD_MAX];
	char name_servers[PN_WHOIS_MAX_NS][PN_WHOIS_FIELD_MAX];
	size_t n_name_servers;
	int not_found;             /* the registry said "no match" */

	/* IP addresses */
	char network[PN_WHOIS_FIELD_MAX];  /* CIDR, else "a - b" range */
	char netname[PN_WHOIS_FIELD_MAX];
	char country[PN_WHOIS_FIELD_MAX];
	char rir[PN_WHOIS_FIELD_MAX];      /* VT regional_internet_registry */
};

/* Fill o from [whois] options; strings are borrowed from c. */
int pn_whois_opts_from_conf(const struct pn_conf *c, struct pn_whois_opts *o);

/* query: a domain name or an IP literal.  r is zeroed first; free with pn_whois_result_free. */
int pn_whois_query(const struct pn_whois_opts *o, const char *query, struct pn_whois_result *r);
void pn_whois_result_free(struct pn_whois_result *r);

/*
 * Parse WHOIS text[0..len) into r's parsed fields (not text): fields
 * already set are kept.  Bounded, any bytes accepted.  Returns the number
 * of fields recognised (>= 0).
 */
int pn_whois_parse(const char *text, size_t len, struct pn_whois_result *r);

/*
 * Referral of one answer: host and port (43 unless given) into host/port.
 * PN_OK, or PN_ENOTFOUND when the answer refers nowhere.
 */
int pn_whois_referral(const char *text, size_t len, char *host, size_t cap, int *port);

/*
 * Add VT's attributes from r to the attrs object (json-c, borrowed):
 * `whois` (text), and for a domain `registrar`, `creation_date`,
 * `expiration_date`, `last_update_date` (only the known ones); for an IP
 * `regional_internet_registry`, plus `network` and `country` when attrs
 * has none yet (GeoIP's values, added first, win).  The caller adds
 * `whois_date`.
 */
void pn_whois_vt_attrs(const struct pn_whois_result *r, int is_ip, struct json_object *attrs);

/* WHOIS date text to unix time: ISO 8601 forms, YYYY.MM.DD, DD-Mon-YYYY, DD.MM.YYYY, YYYYMMDD. */
int pn_whois_parse_date(const char *s, int64_t *out);

#endif
