/*
 * dns.h - DNS lookups over one c-ares channel: addresses of a name, every
 * record of a name in VirusTotal's last_dns_records shape, and PTR.
 *
 * Configuration ([dns] in docs/CONFIG.md): dns.servers (comma-separated
 * "ip[:port]" list, IPv6 as "[ip]:port"; empty = /etc/resolv.conf),
 * dns.timeout_ms (first try's timeout), dns.tries (tries per server).
 * Every call is bounded by a hard deadline of timeout_ms * tries * servers
 * (ms); when it passes, the queries are cancelled and PN_ETIMEOUT returned.
 *
 * Names are validated (pn_domain_check, LDH, 63/253, ASCII only) before any
 * query is sent; queries are sent as given (ares_query: no search list, no
 * /etc/hosts).  An IP literal given to pn_dns_resolve is returned as is
 * (normalised) without a query.
 *
 * Threads: a struct pn_dns may be shared; calls on it are serialised by an
 * internal mutex (use one per thread for parallel lookups).
 *
 * Errors: PN_EINVAL (bad name/ip/argument), PN_ENOTFOUND (NXDOMAIN or no
 * record of the asked type), PN_ETIMEOUT (no answer before the deadline),
 * PN_EIO (server failure, refused, connection refused), PN_EFORMAT
 * (malformed answer), PN_EINTERNAL (c-ares setup failed).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_DNS_H
#define PN_DNS_H

#include "pn.h"
#include "conf.h"

struct json_object;

#define PN_DNS_ADDR_MAX     46    /* text IPv6 address + NUL (INET6_ADDRSTRLEN) */
#define PN_DNS_NAME_MAX     254   /* 253 characters + NUL */
#define PN_DNS_MAX_RECORDS  256   /* records per type kept by pn_dns_records */
#define PN_DNS_TXT_MAX      4096  /* bytes of one TXT record's joined strings */
#define PN_DNS_TIMEOUT_MAX  60000 /* upper bound accepted for dns.timeout_ms */
#define PN_DNS_TRIES_MAX    10    /* upper bound accepted for dns.tries */

extern const struct pn_conf_opt pn_conf_dns[];

/* one c-ares channel configured from dns.servers / dns.timeout_ms / dns.tries */
struct pn_dns;

/* c may be NULL (defaults: system resolvers, 2000 ms, 2 tries). */
int pn_dns_new(const struct pn_conf *c, struct pn_dns **out, char *err, size_t cap);
void pn_dns_free(struct pn_dns *d);

/*
 * A and AAAA of name as text addresses (A first, then AAAA; up to max),
 * *n set.  CNAME chains are followed by the server's answer.  PN_ENOTFOUND
 * for NXDOMAIN or neither A nor AAAA; PN_ETIMEOUT when neither query was
 * answered in time.
 */
int pn_dns_resolve(struct pn_dns *d, const char *name, char addrs[][46], size_t max,
    size_t *n);

/*
 * Every record type (A, AAAA, CNAME, MX, NS, TXT, SOA) as VT's
 * last_dns_records array, owned by the caller (json_object_put):
 *   {"type":"A","value":"1.2.3.4","ttl":300}
 *   {"type":"MX","value":"mx.example.com","priority":10,"ttl":300}
 *   {"type":"TXT","value":"v=spf1 -all","ttl":300}   (strings joined)
 *   {"type":"SOA","value":"ns1.example.com","rname":"hostmaster.example.com",
 *    "serial":1,"refresh":7200,"retry":900,"expire":1209600,"minimum":300,"ttl":300}
 * Only answer records of the asked type are kept (an A query answered
 * through a CNAME gives the CNAME's target addresses under type A).
 * PN_OK with a possibly empty array when the name exists; PN_ENOTFOUND on
 * NXDOMAIN; PN_ETIMEOUT when no query was answered.  err (may be NULL)
 * says which query failed.
 */
int pn_dns_records(struct pn_dns *d, const char *name, struct json_object **out,
    char *err, size_t cap);

/* PTR of an IPv4/IPv6 literal: first name into name (cap bytes).  PN_ENOTFOUND if none. */
int pn_dns_reverse(struct pn_dns *d, const char *ip, char *name, size_t cap);

/*
 * Append the answer-section records of type `type` (1 A, 2 NS, 5 CNAME,
 * 6 SOA, 12 PTR, 15 MX, 16 TXT, 28 AAAA) of the raw DNS message msg[0..len)
 * to arr in the shape above.  Bounded walker over untrusted bytes (fuzzed):
 * PN_EFORMAT on any malformed part (arr may hold the records before it).
 */
int pn_dns_answer_to_json(const uint8_t *msg, size_t len, int type, struct json_object *arr);

#endif
