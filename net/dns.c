/*
 * dns.c - DNS lookups over one c-ares channel (see dns.h).
 *
 * Each call sends its queries with ares_query (no search list), then runs
 * a poll(2) loop over ares_getsock/ares_timeout/ares_process_fd until every
 * query has called back or the call's hard deadline (timeout_ms * tries *
 * servers) passes, in which case ares_cancel ends them (PN_ETIMEOUT).
 * Answers are copied out of the callbacks and read afterwards by a bounded
 * walker over the answer section (pn_dns_answer_to_json): every length is
 * checked against the message and the record's rdlength, names are
 * expanded by ares_expand_name (compression loops rejected there), at most
 * PN_DNS_MAX_RECORDS records are kept and TXT data is capped at
 * PN_DNS_TXT_MAX bytes with non-printable bytes written as \DDD.
 * The walker is used (rather than ares_parse_mx/ns/txt/soa_reply) because
 * VT's records carry a TTL, which those parsers of c-ares 1.18 drop.
 *
 * Ownership: struct pn_dns owns the channel; records arrays belong to the
 * caller.  A mutex serialises calls on one struct pn_dns.
 *
 * SPDX-License-Identifier: MIT
 */
#include "dns.h"
#include "domain.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const struct pn_conf_opt pn_conf_dns[] = {
	{"dns.servers", PN_CONF_STR, "",
	    "comma-separated resolver list ip[:port] ([ip6]:port); empty = /etc/resolv.conf"},
	{"dns.timeout_ms", PN_CONF_INT, "2000", "timeout of a query's first try (ms)"},
	{"dns.tries", PN_CONF_INT, "2", "tries per server before a query times out"},
	{NULL, PN_CONF_STR, NULL, NULL}
};

enum {
	T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_MX = 15,
	T_TXT = 16, T_AAAA = 28
};

#define DNS_HDR_LEN 12
#define DNS_MSG_MAX 65535

struct pn_dns {
	ares_channel ch;
	int64_t budget_ms;       /* hard deadline of one call */
	pthread_mutex_t mu;
};

/* One outstanding query and, once called back, its answer. */
struct query {
	int type;
	int done;
	int status;              /* ARES_* */
	unsigned char *abuf;     /* copy of the answer (owned) */
	int alen;
};

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_rc;

static void
ares_global_init(void)
{
	ares_init_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static void
set_err(char *err, size_t cap, const char *fmt, const char *arg)
{
	if (err != NULL && cap > 0)
		snprintf(err, cap, fmt, arg);
}

static int
count_servers(ares_channel ch)
{
	struct ares_addr_port_node *list = NULL, *p;
	int n = 0;

	if (ares_get_servers_ports(ch, &list) != ARES_SUCCESS)
		return 1;
	for (p = list; p != NULL; p = p->next)
		n++;
	ares_free_data(list);
	return n > 0 ? n : 1;
}

int
pn_dns_new(const struct pn_conf *c, struct pn_dns **out, char *err, size_t cap)
{
	struct ares_options opt;
	struct pn_dns *d;
	const char *servers = c != NULL ? pn_conf_get(c, "dns.servers") : "";
	int64_t tmo = c != NULL ? pn_conf_get_int(c, "dns.timeout_ms") : 2000;
	int64_t tries = c != NULL ? pn_conf_get_int(c, "dns.tries") : 2;
	int rc;

	*out = NULL;
	if (tmo < 1 || tmo > PN_DNS_TIMEOUT_MAX || tries < 1 || tries > PN_DNS_TRIES_MAX) {
		set_err(err, cap, "%sdns.timeout_ms must be 1..60000, dns.tries 1..10", "");
		return PN_EINVAL;
	}
	pthread_once(&ares_once, ares_global_init);
	if (ares_init_rc != ARES_SUCCESS) {
		set_err(err, cap, "ares_library_init: %s", ares_strerror(ares_init_rc));
		return PN_EINTERNAL;
	}
	d = pn_xcalloc(1, sizeof(*d));
	memset(&opt, 0, sizeof(opt));
	opt.timeout = (int)tmo;
	opt.tries = (int)tries;
	opt.flags = ARES_FLAG_NOSEARCH;
	rc = ares_init_options(&d->ch, &opt,
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc != ARES_SUCCESS) {
		set_err(err, cap, "ares_init_options: %s", ares_strerror(rc));
		free(d);
		return PN_EINTERNAL;
	}
	if (servers != NULL && *servers != '\0') {
		rc = ares_set_servers_ports_csv(d->ch, servers);
		if (rc != ARES_SUCCESS) {
			set_err(err, cap, "dns.servers: bad server list \"%s\"", servers);
			ares_destroy(d->ch);
			free(d);
			return PN_EINVAL;
		}
	}
	d->budget_ms = tmo * tries * count_servers(d->ch);
	pthread_mutex_init(&d->mu, NULL);
	*out = d;
	return PN_OK;
}

void
pn_dns_free(struct pn_dns *d)
{
	if (d == NULL)
		return;
	ares_destroy(d->ch);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

static void
query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;

	q->done = 1;
	q->status = status;
	if (abuf != NULL && alen > 0 && alen <= DNS_MSG_MAX) {
		q->abuf = pn_xmalloc((size_t)alen);
		memcpy(q->abuf, abuf, (size_t)alen);
		q->alen = alen;
	}
}

static int
all_done(const struct query *qs, size_t nq)
{
	size_t i;

	for (i = 0; i < nq; i++)
		if (!qs[i].done)
			return 0;
	return 1;
}

/* One poll round: wait for the sockets or c-ares' next timeout. */
static void
poll_once(ares_channel ch, int64_t left_ms)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	struct pollfd pfd[ARES_GETSOCK_MAXNUM];
	struct timeval max, tv, *tvp;
	int bm, i, np = 0, r;
	int64_t ms;

	bm = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
	for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short ev = 0;

		/* the ARES_GETSOCK_* macros shift a signed 1 into bit 31 (UB) */
		if (((unsigned)bm >> i) & 1u)
			ev |= POLLIN;
		if (((unsigned)bm >> (i + ARES_GETSOCK_MAXNUM)) & 1u)
			ev |= POLLOUT;
		if (ev == 0)
			continue;
		pfd[np].fd = socks[i];
		pfd[np].events = ev;
		pfd[np].revents = 0;
		np++;
	}
	max.tv_sec = (time_t)(left_ms / 1000);
	max.tv_usec = (suseconds_t)((left_ms % 1000) * 1000);
	tvp = ares_timeout(ch, &max, &tv);
	ms = (int64_t)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	r = poll(pfd, (nfds_t)np, (int)PN_MIN(ms, left_ms));
	if (r <= 0) {
		/* timeout (or EINTR): let c-ares expire its tries */
		ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return;
	}
	for (i = 0; i < np; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = pfd[i].fd;
		if (pfd[i].revents & POLLOUT)
			wfd = pfd[i].fd;
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD)
			ares_process_fd(ch, rfd, wfd);
	}
}

/* Send every query for name, wait for all of them within the budget. */
static void
run_queries(struct pn_dns *d, const char *name, struct query *qs, size_t nq)
{
	int64_t deadline = pn_mono_ms() + d->budget_ms;
	size_t i;

	for (i = 0; i < nq; i++) {
		qs[i].done = 0;
		qs[i].status = ARES_ETIMEOUT;
		qs[i].abuf = NULL;
		qs[i].alen = 0;
		ares_query(d->ch, name, 1 /* C_IN */, qs[i].type, query_cb, &qs[i]);
	}
	while (!all_done(qs, nq)) {
		int64_t left = deadline - pn_mono_ms();

		if (left <= 0) {
			ares_cancel(d->ch);
			break;
		}
		poll_once(d->ch, left);
	}
	/* ares_cancel calls back synchronously; anything left is a timeout */
	for (i = 0; i < nq; i++) {
		if (!qs[i].done || qs[i].status == ARES_ECANCELLED) {
			qs[i].done = 1;
			qs[i].status = ARES_ETIMEOUT;
		}
	}
}

static void
free_queries(struct query *qs, size_t nq)
{
	size_t i;

	for (i = 0; i < nq; i++) {
		free(qs[i].abuf);
		qs[i].abuf = NULL;
	}
}

static int
map_status(int st)
{
	switch (st) {
	case ARES_SUCCESS:
		return PN_OK;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return PN_ENOTFOUND;
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED:
		return PN_ETIMEOUT;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_ECONNREFUSED:
	case ARES_ENOTIMP:
		return PN_EIO;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		return PN_EFORMAT;
	case ARES_EBADNAME:
		return PN_EINVAL;
	default:
		return PN_EINTERNAL;
	}
}

static const char *
type_name(int type)
{
	switch (type) {
	case T_A: return "A";
	case T_NS: return "NS";
	case T_CNAME: return "CNAME";
	case T_SOA: return "SOA";
	case T_PTR: return "PTR";
	case T_MX: return "MX";
	case T_TXT: return "TXT";
	case T_AAAA: return "AAAA";
	default: return "?";
	}
}

/* Expand a compressed name at p (inside rdata [p, rend)); *used = its encoded length. */
static int
get_name(const unsigned char *msg, size_t len, const unsigned char *p,
    const unsigned char *rend, char **out, long *used)
{
	char *s = NULL;
	long enc = 0;

	if (p >= rend)
		return PN_EFORMAT;
	if (ares_expand_name(p, msg, (int)len, &s, &enc) != ARES_SUCCESS)
		return PN_EFORMAT;
	if (enc <= 0 || enc > rend - p || strlen(s) > PN_DOMAIN_NAME_MAX + 64) {
		ares_free_string(s);
		return PN_EFORMAT;
	}
	*out = s;
	*used = enc;
	return PN_OK;
}

static uint32_t
be32(const unsigned char *p)
{
	return pn_be32(p);
}

/* TXT rdata: character-strings joined, non-printable bytes as \DDD. */
static int
txt_value(const unsigned char *p, size_t n, struct json_object *rec)
{
	char *out = pn_xmalloc(PN_DNS_TXT_MAX + 1);
	size_t o = 0, i = 0;

	while (i < n) {
		size_t sl = p[i++], j;

		if (sl > n - i) {
			free(out);
			return PN_EFORMAT;
		}
		for (j = 0; j < sl; j++) {
			unsigned char c = p[i + j];

			if (c >= 0x20 && c < 0x7f && c != '\\') {
				if (o + 1 > PN_DNS_TXT_MAX)
					break;
				out[o++] = (char)c;
			} else {
				if (o + 4 > PN_DNS_TXT_MAX)
					break;
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		i += sl;
	}
	out[o] = '\0';
	json_object_object_add(rec, "value", json_object_new_string_len(out, (int)o));
	free(out);
	return PN_OK;
}

static int
add_name_value(const unsigned char *msg, size_t len, const unsigned char *p,
    const unsigned char *rend, const char *key, struct json_object *rec, long *used)
{
	char *s;
	int rc;

	if ((rc = get_name(msg, len, p, rend, &s, used)) != PN_OK)
		return rc;
	/* expanded names hold only printable ASCII (c-ares escapes the rest) */
	json_object_object_add(rec, key, json_object_new_string(s));
	ares_free_string(s);
	return PN_OK;
}

static int
soa_value(const unsigned char *msg, size_t len, const unsigned char *p,
    const unsigned char *rend, struct json_object *rec)
{
	static const char *const k[] = {"serial", "refresh", "retry", "expire", "minimum"};
	long used;
	size_t i;
	int rc;

	if ((rc = add_name_value(msg, len, p, rend, "value", rec, &used)) != PN_OK)
		return rc;
	p += used;
	if ((rc = add_name_value(msg, len, p, rend, "rname", rec, &used)) != PN_OK)
		return rc;
	p += used;
	if (rend - p != 20)
		return PN_EFORMAT;
	for (i = 0; i < PN_ARRAY_LEN(k); i++)
		json_object_object_add(rec, k[i], json_object_new_int64(be32(p + 4 * i)));
	return PN_OK;
}

/* Fill rec from one record's rdata [p, p+rdlen). */
static int
rr_value(const unsigned char *msg, size_t len, int type, const unsigned char *p,
    size_t rdlen, struct json_object *rec)
{
	const unsigned char *rend = p + rdlen;
	char ip[PN_DNS_ADDR_MAX];
	long used;

	switch (type) {
	case T_A:
	case T_AAAA:
		if (rdlen != (type == T_A ? 4u : 16u))
			return PN_EFORMAT;
		inet_ntop(type == T_A ? AF_INET : AF_INET6, p, ip, sizeof(ip));
		json_object_object_add(rec, "value", json_object_new_string(ip));
		return PN_OK;
	case T_NS:
	case T_CNAME:
	case T_PTR:
		return add_name_value(msg, len, p, rend, "value", rec, &used);
	case T_MX:
		if (rdlen < 3)
			return PN_EFORMAT;
		json_object_object_add(rec, "priority", json_object_new_int(pn_be16(p)));
		return add_name_value(msg, len, p + 2, rend, "value", rec, &used);
	case T_TXT:
		return txt_value(p, rdlen, rec);
	case T_SOA:
		return soa_value(msg, len, p, rend, rec);
	default:
		return PN_EINVAL;
	}
}

/* Skip an encoded name in the message at *off (bounded by len). */
static int
skip_name(const unsigned char *msg, size_t len, size_t *off)
{
	char *s = NULL;
	long enc = 0;

	if (*off >= len)
		return PN_EFORMAT;
	if (ares_expand_name(msg + *off, msg, (int)len, &s, &enc) != ARES_SUCCESS)
		return PN_EFORMAT;
	ares_free_string(s);
	if (enc <= 0 || (size_t)enc > len - *off)
		return PN_EFORMAT;
	*off += (size_t)enc;
	return PN_OK;
}

int
pn_dns_answer_to_json(const uint8_t *msg, size_t len, int type, struct json_object *arr)
{
	size_t off = DNS_HDR_LEN, qd, an, i;
	int rc;

	if (msg == NULL || arr == NULL || len < DNS_HDR_LEN || len > DNS_MSG_MAX)
		return PN_EFORMAT;
	qd = pn_be16(msg + 4);
	an = pn_be16(msg + 6);
	for (i = 0; i < qd; i++) {
		if ((rc = skip_name(msg, len, &off)) != PN_OK)
			return rc;
		if (len - off < 4)
			return PN_EFORMAT;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		struct json_object *rec;
		unsigned rtype, rdlen;
		uint32_t ttl;

		if ((rc = skip_name(msg, len, &off)) != PN_OK)
			return rc;
		if (len - off < 10)
			return PN_EFORMAT;
		rtype = pn_be16(msg + off);
		ttl = pn_be32(msg + off + 4);
		rdlen = pn_be16(msg + off + 8);
		off += 10;
		if (rdlen > len - off)
			return PN_EFORMAT;
		if ((int)rtype == type && pn_be16(msg + off - 8) == 1 /* IN */ &&
		    json_object_array_length(arr) < PN_DNS_MAX_RECORDS) {
			rec = json_object_new_object();
			json_object_object_add(rec, "type", json_object_new_string(type_name(type)));
			rc = rr_value(msg, len, type, msg + off, rdlen, rec);
			if (rc != PN_OK) {
				json_object_put(rec);
				return rc;
			}
			/* RFC 2181 8: a TTL with the top bit set means 0 */
			json_object_object_add(rec, "ttl",
			    json_object_new_int64(ttl > 0x7fffffffu ? 0 : ttl));
			json_object_array_add(arr, rec);
		}
		off += rdlen;
	}
	return PN_OK;
}

int
pn_dns_resolve(struct pn_dns *d, const char *name, char addrs[][46], size_t max, size_t *n)
{
	struct query qs[2] = {{.type = T_A}, {.type = T_AAAA}};
	char norm[PN_DOMAIN_BUF];
	struct json_object *arr;
	int rc, got_answer = 0, timeouts = 0, other = PN_OK;
	size_t i, j;

	*n = 0;
	if (d == NULL || name == NULL)
		return PN_EINVAL;
	if (pn_ip_normalize(name, norm, sizeof(norm)) == PN_OK) {
		if (max > 0) {
			pn_strlcpy(addrs[0], norm, PN_DNS_ADDR_MAX);
			*n = 1;
		}
		return PN_OK;
	}
	if (pn_domain_normalize(name, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK)
		return PN_EINVAL;
	pthread_mutex_lock(&d->mu);
	run_queries(d, norm, qs, 2);
	pthread_mutex_unlock(&d->mu);
	arr = json_object_new_array();
	for (i = 0; i < 2; i++) {
		rc = map_status(qs[i].status);
		if (rc == PN_OK)
			rc = pn_dns_answer_to_json(qs[i].abuf, (size_t)qs[i].alen, qs[i].type, arr);
		if (rc == PN_OK || rc == PN_ENOTFOUND)
			got_answer = 1;
		else if (rc == PN_ETIMEOUT)
			timeouts++;
		else
			other = rc;
	}
	free_queries(qs, 2);
	for (j = 0; j < json_object_array_length(arr) && *n < max; j++) {
		struct json_object *v = json_object_object_get(
		    json_object_array_get_idx(arr, j), "value");

		pn_strlcpy(addrs[*n], json_object_get_string(v), PN_DNS_ADDR_MAX);
		(*n)++;
	}
	j = json_object_array_length(arr);
	json_object_put(arr);
	if (j > 0)
		return PN_OK;
	if (got_answer)
		return PN_ENOTFOUND;
	if (other != PN_OK)
		return other;
	return timeouts > 0 ? PN_ETIMEOUT : PN_ENOTFOUND;
}

int
pn_dns_records(struct pn_dns *d, const char *name, struct json_object **out,
    char *err, size_t cap)
{
	struct query qs[] = {
		{.type = T_A}, {.type = T_AAAA}, {.type = T_CNAME}, {.type = T_MX},
		{.type = T_NS}, {.type = T_TXT}, {.type = T_SOA}
	};
	char norm[PN_DOMAIN_BUF];
	struct json_object *arr;
	int rc, nx = 0, timeouts = 0, other = PN_OK;
	size_t i, nq = PN_ARRAY_LEN(qs);

	*out = NULL;
	if (err != NULL && cap > 0)
		err[0] = '\0';
	if (d == NULL || pn_domain_normalize(name, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK) {
		set_err(err, cap, "invalid domain name%s", "");
		return PN_EINVAL;
	}
	pthread_mutex_lock(&d->mu);
	run_queries(d, norm, qs, nq);
	pthread_mutex_unlock(&d->mu);
	arr = json_object_new_array();
	for (i = 0; i < nq; i++) {
		rc = map_status(qs[i].status);
		if (rc == PN_OK)
			rc = pn_dns_answer_to_json(qs[i].abuf, (size_t)qs[i].alen, qs[i].type, arr);
		if (qs[i].status == ARES_ENOTFOUND)
			nx++;
		if (rc == PN_OK || rc == PN_ENOTFOUND)
			continue;
		if (rc == PN_ETIMEOUT)
			timeouts++;
		else
			other = rc;
		if (err != NULL && err[0] == '\0')
			snprintf(err, cap, "%s query: %s", type_name(qs[i].type),
			    rc == PN_ETIMEOUT ? "timeout" : pn_strerror(rc));
	}
	free_queries(qs, nq);
	if (json_object_array_length(arr) == 0) {
		/* nothing found: NXDOMAIN, else a failed query's error, else [] */
		rc = nx > 0 ? PN_ENOTFOUND : other != PN_OK ? other :
		    timeouts > 0 ? PN_ETIMEOUT : PN_OK;
		if (rc != PN_OK) {
			if (rc == PN_ENOTFOUND)
				set_err(err, cap, "NXDOMAIN: %s", norm);
			json_object_put(arr);
			return rc;
		}
	}
	*out = arr;
	return PN_OK;
}

int
pn_dns_reverse(struct pn_dns *d, const char *ip, char *name, size_t cap)
{
	struct query q = {.type = T_PTR};
	char rev[PN_REVERSE_NAME_MAX];
	struct json_object *arr;
	int rc;

	if (d == NULL || pn_ip_reverse_name(ip, rev, sizeof(rev)) != PN_OK)
		return PN_EINVAL;
	pthread_mutex_lock(&d->mu);
	run_queries(d, rev, &q, 1);
	pthread_mutex_unlock(&d->mu);
	rc = map_status(q.status);
	arr = json_object_new_array();
	if (rc == PN_OK)
		rc = pn_dns_answer_to_json(q.abuf, (size_t)q.alen, T_PTR, arr);
	free(q.abuf);
	if (rc == PN_OK && json_object_array_length(arr) == 0)
		rc = PN_ENOTFOUND;
	if (rc == PN_OK) {
		const char *v = json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(arr, 0), "value"));

		if (pn_strlcpy(name, v, cap) >= cap)
			rc = PN_ELIMIT;
	}
	json_object_put(arr);
	return rc;
}
