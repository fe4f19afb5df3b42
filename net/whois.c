/*
 * whois.c - port-43 WHOIS client and WHOIS text parser (see whois.h).
 *
 * Client: one TCP connection per server, non-blocking connect and reads
 * under poll(2) with a per-server deadline, answers capped at
 * max_response bytes; at most 1 + max_referrals servers per query.  The
 * joined text is cleaned to valid UTF-8 (pn_utf8_clean) before it is
 * returned.  An answer that only points elsewhere ("refer:", "whois:",
 * "ReferralServer:") is kept in the text but not parsed when the server it
 * points to answered, so IANA's dates of a TLD never become a domain's.
 *
 * Parser: line by line over [text, text+len), lines longer than
 * PN_WHOIS_LINE_MAX are skipped, keys longer than 64 bytes are not keys,
 * values are copied as valid UTF-8 without control characters into
 * fixed-size fields (truncated at PN_WHOIS_FIELD_MAX - 1 bytes).
 *
 * SPDX-License-Identifier: MIT
 */
#include "whois.h"
#include "buf.h"
#include "dns.h"
#include "domain.h"
#include "utf8.h"

#include <errno.h>
#include <json-c/json.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const struct pn_conf_opt pn_conf_whois[] = {
	{"whois.servers", PN_CONF_STR, "default=whois.iana.org:43,ip=whois.iana.org:43",
	    "server map key=host[:port],...: key = public suffix, TLD, \"ip\", \"default\" or a host to redirect"},
	{"whois.servers_file", PN_CONF_STR, "", "map file, lines \"key host[:port]\"; empty = none"},
	{"whois.timeout_ms", PN_CONF_INT, "10000", "per server: connect and whole answer (ms)"},
	{"whois.max_response", PN_CONF_SIZE, "256K", "bytes kept of one server's answer"},
	{"whois.max_referrals", PN_CONF_INT, "2", "referrals followed per query (0..5)"},
	{NULL, PN_CONF_STR, NULL, NULL}
};

#define KEY_MAX 64
#define HOST_BUF PN_DOMAIN_BUF

struct server {
	char host[HOST_BUF];
	int port;
};

struct map_entry {
	char key[HOST_BUF];
	struct server srv;
};

struct map {
	struct map_entry *e;
	size_t n;
};

enum ref_kind { REF_NONE, REF_POINTER, REF_REGISTRAR };

/* One server's answer inside the joined text. */
struct answer {
	size_t off, len;
	enum ref_kind kind;
	int followed;          /* its referral was answered */
	char host[HOST_BUF];   /* server that gave it */
};

/* ---- small text helpers ---- */

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim [*s, *s+*n) of spaces on both ends. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int
key_is(const char *k, size_t kn, const char *want)
{
	size_t i;

	for (i = 0; i < kn && want[i] != '\0'; i++)
		if (lower((unsigned char)k[i]) != want[i])
			return 0;
	return i == kn && want[i] == '\0';
}

static int
key_in(const char *k, size_t kn, const char *const *list)
{
	for (; *list != NULL; list++)
		if (key_is(k, kn, *list))
			return 1;
	return 0;
}

/* Copy [s, s+n) as valid UTF-8 without control characters into out[cap]. */
static void
copy_clean(char *out, size_t cap, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t l = pn_utf8_seq(u, n - i);

		if (l == 0 || (l == 1 && (*u < 0x20 || *u == 0x7f))) {
			i++;
			continue;
		}
		if (o + l >= cap)
			break;
		memcpy(out + o, u, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
}

static void
set_once(char *field, const char *v, size_t n)
{
	if (field[0] == '\0' && n > 0)
		copy_clean(field, PN_WHOIS_FIELD_MAX, v, n);
}

/* ---- dates ---- */

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
mdays(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dm[m - 1];
}

/* Read exactly n digits at *p. */
static int
digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

static int
month_name(const char *p)
{
	static const char *const mon[] = {"jan", "feb", "mar", "apr", "may", "jun",
	    "jul", "aug", "sep", "oct", "nov", "dec"};
	int i;

	for (i = 0; i < 12; i++)
		if (lower((unsigned char)p[0]) == mon[i][0] &&
		    lower((unsigned char)p[1]) == mon[i][1] &&
		    lower((unsigned char)p[2]) == mon[i][2])
			return i + 1;
	return 0;
}

/* Optional [T ]HH:MM[:SS][.frac] and zone; *off = seconds east of UTC. */
static void
parse_time(const char *p, int *h, int *mi, int *s, int *off)
{
	int th = 0, tm = 0, ts = 0, zh = 0, zm = 0, sign;

	*h = *mi = *s = *off = 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return;
	p++;
	if (digits(&p, 2, &th) != 0 || *p != ':')
		return;
	p++;
	if (digits(&p, 2, &tm) != 0)
		return;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &ts) != 0)
			return;
	}
	if (th > 23 || tm > 59 || ts > 60)
		return;
	*h = th;
	*mi = tm;
	*s = ts;
	if (*p == '.' || *p == ',')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	while (*p == ' ')
		p++;
	if (*p != '+' && *p != '-')
		return;
	sign = *p == '-' ? -1 : 1;
	p++;
	if (digits(&p, 2, &zh) != 0)
		return;
	if (*p == ':')
		p++;
	if (digits(&p, 2, &zm) != 0)
		zm = 0;
	if (zh > 14 || zm > 59)
		return;
	*off = sign * (zh * 3600 + zm * 60);
}

int
pn_whois_parse_date(const char *s, int64_t *out)
{
	int y = 0, m = 0, d = 0, h, mi, sec, off;
	const char *p = s;

	if (s == NULL)
		return PN_EINVAL;
	while (*p == ' ')
		p++;
	if (digits(&p, 4, &y) == 0) {
		if (*p == '-' || *p == '.' || *p == '/') {
			char sep = *p++;

			if (digits(&p, 2, &m) != 0 || *p++ != sep || digits(&p, 2, &d) != 0)
				return PN_EFORMAT;
		} else if (digits(&p, 2, &m) != 0 || digits(&p, 2, &d) != 0) {
			return PN_EFORMAT;   /* YYYYMMDD */
		}
	} else {
		p = s;
		while (*p == ' ')
			p++;
		if (digits(&p, 2, &d) != 0 && digits(&p, 1, &d) != 0)
			return PN_EFORMAT;
		if (*p == '-' || *p == ' ') {   /* DD-Mon-YYYY */
			p++;
			if (strnlen(p, 3) < 3 || (m = month_name(p)) == 0)
				return PN_EFORMAT;
			p += 3;
			if (*p != '-' && *p != ' ')
				return PN_EFORMAT;
			p++;
		} else if (*p == '.') {         /* DD.MM.YYYY */
			p++;
			if (digits(&p, 2, &m) != 0 || *p++ != '.')
				return PN_EFORMAT;
		} else {
			return PN_EFORMAT;
		}
		if (digits(&p, 4, &y) != 0)
			return PN_EFORMAT;
	}
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return PN_EFORMAT;
	parse_time(p, &h, &mi, &sec, &off);
	*out = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return PN_OK;
}

/* ---- parser ---- */

static const char *const K_REGISTRAR[] = {"registrar", "sponsoring registrar",
    "registrar name", "registrar organization", NULL};
static const char *const K_CREATED[] = {"creation date", "created", "created on",
    "created date", "registered on", "registration time", "registration date",
    "domain registration date", "domain create date", "regdate", NULL};
static const char *const K_EXPIRES[] = {"registry expiry date", "expiration date",
    "registrar registration expiration date", "expiry date", "expires", "expires on",
    "paid-till", "domain expiration date", "expire date", NULL};
static const char *const K_UPDATED[] = {"updated date", "last-modified", "last updated",
    "last updated on", "last modified", "updated", "changed", "updated on",
    "last update", NULL};
static const char *const K_NS[] = {"name server", "nserver", "name servers",
    "nameserver", "nameservers", NULL};
static const char *const K_NETWORK_CIDR[] = {"cidr", "route", "route6", NULL};
static const char *const K_NETWORK_RANGE[] = {"inetnum", "inet6num", "netrange", NULL};
static const char *const K_NETNAME[] = {"netname", "net-name", NULL};
static const char *const K_COUNTRY[] = {"country", NULL};

enum pending { P_NONE, P_REGISTRAR, P_NS };

struct pstate {
	struct pn_whois_result *r;
	enum pending pend;
	int n;
};

static void
add_ns(struct pn_whois_result *r, const char *v, size_t n)
{
	char host[PN_DOMAIN_BUF], norm[PN_DOMAIN_BUF];
	size_t i, l = 0;

	while (l < n && !is_space((unsigned char)v[l]))
		l++;
	if (l == 0 || l >= sizeof(host) || r->n_name_servers >= PN_WHOIS_MAX_NS)
		return;
	memcpy(host, v, l);
	host[l] = '\0';
	if (pn_domain_normalize(host, PN_DOMAIN_HOSTNAME, norm, sizeof(norm)) != PN_OK)
		return;
	for (i = 0; i < r->n_name_servers; i++)
		if (strcmp(r->name_servers[i], norm) == 0)
			return;
	pn_strlcpy(r->name_servers[r->n_name_servers++], norm, PN_WHOIS_FIELD_MAX);
}

static void
set_date(int64_t *t, const char *v, size_t n)
{
	char tmp[64];
	int64_t x;

	if (*t != 0 || n == 0)
		return;
	/* RIPE-style "changed: who@example 20190228": take the last word */
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (pn_whois_parse_date(tmp, &x) == PN_OK ||
	    (strchr(tmp, ' ') != NULL && pn_whois_parse_date(strrchr(tmp, ' ') + 1, &x) == PN_OK))
		*t = x;
}

static void
set_rir_source(struct pn_whois_result *r, const char *v, size_t n)
{
	static const struct { const char *src, *rir; } t[] = {
		{"ripe", "RIPE NCC"}, {"arin", "ARIN"}, {"apnic", "APNIC"},
		{"lacnic", "LACNIC"}, {"afrinic", "AFRINIC"}, {"jpnic", "APNIC"},
		{"krnic", "APNIC"}, {"twnic", "APNIC"}
	};
	size_t i, l;

	if (r->rir[0] != '\0')
		return;
	for (i = 0; i < PN_ARRAY_LEN(t); i++) {
		l = strlen(t[i].src);
		if (n >= l && key_is(v, l, t[i].src) && (n == l || v[l] == '-' || v[l] == ' ')) {
			pn_strlcpy(r->rir, t[i].rir, sizeof(r->rir));
			return;
		}
	}
}

/* "a - b" that is exactly one CIDR block -> "a/len" (VT's network is a CIDR). */
static int
range_to_cidr(const char *v, size_t n, char *out, size_t cap)
{
	char lo[PN_IP_TEXT_MAX + 1], hi[PN_IP_TEXT_MAX + 1];
	uint8_t a[16], b[16];
	const char *dash = memchr(v, '-', n), *p;
	size_t ln, hn;
	int fa, fb, len, bits, i;

	if (dash == NULL)
		return PN_EINVAL;
	p = v;
	ln = (size_t)(dash - v);
	trim(&p, &ln);
	if (ln == 0 || ln >= sizeof(lo))
		return PN_EINVAL;
	memcpy(lo, p, ln);
	lo[ln] = '\0';
	p = dash + 1;
	hn = (size_t)(v + n - p);
	trim(&p, &hn);
	if (hn == 0 || hn >= sizeof(hi))
		return PN_EINVAL;
	memcpy(hi, p, hn);
	hi[hn] = '\0';
	if (pn_ip_parse(lo, &fa, a) != PN_OK || pn_ip_parse(hi, &fb, b) != PN_OK || fa != fb)
		return PN_EINVAL;
	len = fa == 4 ? 4 : 16;
	/* prefix = common leading bits; then lo must end in zeros and hi in ones */
	for (bits = 0; bits < len * 8; bits++) {
		int m = 0x80 >> (bits % 8);

		if ((a[bits / 8] & m) != (b[bits / 8] & m))
			break;
	}
	for (i = bits; i < len * 8; i++) {
		int m = 0x80 >> (i % 8);

		if ((a[i / 8] & m) != 0 || (b[i / 8] & m) == 0)
			return PN_EINVAL;
	}
	if (pn_ip_normalize(lo, hi, sizeof(hi)) != PN_OK)
		return PN_EINVAL;
	snprintf(out, cap, "%s/%d", hi, bits);
	return PN_OK;
}

/* One "key: value" line. */
static void
parse_kv(struct pstate *st, const char *k, size_t kn, const char *v, size_t vn)
{
	struct pn_whois_result *r = st->r;

	st->pend = P_NONE;
	if (key_in(k, kn, K_REGISTRAR)) {
		if (vn == 0)
			st->pend = P_REGISTRAR;
		set_once(r->registrar, v, vn);
	} else if (key_in(k, kn, K_CREATED)) {
		set_date(&r->creation_date, v, vn);
	} else if (key_in(k, kn, K_EXPIRES)) {
		set_date(&r->expiration_date, v, vn);
	} else if (key_in(k, kn, K_UPDATED)) {
		set_date(&r->last_updated, v, vn);
	} else if (key_is(k, kn, "registrant country")) {
		set_once(r->registrant_country, v, vn);
	} else if (key_in(k, kn, K_NS)) {
		if (vn == 0)
			st->pend = P_NS;
		add_ns(r, v, vn);
	} else if (key_in(k, kn, K_NETWORK_CIDR)) {
		/* a CIDR beats a range; ARIN may list several, keep the first */
		if (vn > 0 && strchr(r->network, '/') == NULL) {
			size_t l = 0;

			while (l < vn && v[l] != ',' && !is_space((unsigned char)v[l]))
				l++;
			copy_clean(r->network, PN_WHOIS_FIELD_MAX, v, l);
		}
	} else if (key_in(k, kn, K_NETWORK_RANGE)) {
		if (r->network[0] == '\0' && vn > 0 && range_to_cidr(v, vn, r->network,
		    sizeof(r->network)) != PN_OK)
			set_once(r->network, v, vn);
	} else if (key_in(k, kn, K_NETNAME)) {
		set_once(r->netname, v, vn);
	} else if (key_in(k, kn, K_COUNTRY)) {
		set_once(r->country, v, vn);
	} else if (key_is(k, kn, "source")) {
		set_rir_source(r, v, vn);
	} else {
		return;
	}
	st->n++;
}

static int
has_text(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; i + nl <= n; i++)
		if (key_is(s + i, nl, needle))
			return 1;
	return 0;
}

static void
parse_line(struct pstate *st, const char *s, size_t n)
{
	const char *k = s, *v;
	size_t i, kn, vn;
	int indented = n > 0 && is_space((unsigned char)s[0]);

	trim(&s, &n);
	if (n == 0) {
		st->pend = P_NONE;
		return;
	}
	if (s[0] == '%' || s[0] == '#' || s[0] == '>') {
		if (st->r->rir[0] == '\0' && has_text(s, n, "arin whois data"))
			pn_strlcpy(st->r->rir, "ARIN", sizeof(st->r->rir));
		if (has_text(s, n, "no match for") || has_text(s, n, "no entries found") ||
		    has_text(s, n, "not found"))
			st->r->not_found = 1;
		return;
	}
	if (has_text(s, PN_MIN(n, 40), "no match for") ||
	    has_text(s, PN_MIN(n, 40), "domain not found") ||
	    has_text(s, PN_MIN(n, 40), "no data found") ||
	    has_text(s, PN_MIN(n, 40), "no entries found") ||
	    key_is(s, n, "not found"))
		st->r->not_found = 1;
	/*
	 * An indented value line under "Registrar:" / "Name servers:"; a line
	 * with ": " or a final ':' is a key line (Verisign indents those too).
	 */
	if (indented && st->pend != P_NONE && s[n - 1] != ':' && !has_text(s, n, ": ")) {
		if (st->pend == P_REGISTRAR) {
			set_once(st->r->registrar, s, n);
			st->pend = P_NONE;
		} else {
			add_ns(st->r, s, n);
		}
		return;
	}
	for (i = 0; i < n && i <= KEY_MAX && s[i] != ':'; i++)
		;
	if (i >= n || i > KEY_MAX)
		return;
	k = s;
	kn = i;
	v = s + i + 1;
	vn = n - i - 1;
	trim(&k, &kn);
	trim(&v, &vn);
	if (kn > 0)
		parse_kv(st, k, kn, v, vn);
}

int
pn_whois_parse(const char *text, size_t len, struct pn_whois_result *r)
{
	struct pstate st = {r, P_NONE, 0};
	size_t i = 0;

	if (text == NULL || r == NULL)
		return 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - (text + i)) : len - i;

		if (n <= PN_WHOIS_LINE_MAX)
			parse_line(&st, text + i, n);
		else
			st.pend = P_NONE;
		i += n + 1;
	}
	return st.n;
}

/* ---- referrals ---- */

/* "host[:port]" or "[v6]:port" or a bare v6 into s; PN_EINVAL if bad. */
static int
parse_server(const char *v, size_t n, struct server *s)
{
	char tmp[HOST_BUF + 16], norm[HOST_BUF];
	const char *colon;
	int64_t port = 43;
	size_t hl;

	if (n == 0 || n >= sizeof(tmp))
		return PN_EINVAL;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (tmp[0] == '[') {
		char *rb = strchr(tmp, ']');

		if (rb == NULL)
			return PN_EINVAL;
		if (rb[1] == ':' && pn_parse_i64(rb + 2, 1, 65535, &port) != PN_OK)
			return PN_EINVAL;
		if (rb[1] != ':' && rb[1] != '\0')
			return PN_EINVAL;
		rb[1] = '\0';
	} else if ((colon = strchr(tmp, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		if (pn_parse_i64(colon + 1, 1, 65535, &port) != PN_OK)
			return PN_EINVAL;
		tmp[colon - tmp] = '\0';
	}
	if (pn_ip_normalize(tmp, norm, sizeof(norm)) != PN_OK &&
	    pn_domain_normalize(tmp, PN_DOMAIN_HOSTNAME, norm, sizeof(norm)) != PN_OK)
		return PN_EINVAL;
	hl = strlen(norm);
	if (hl >= sizeof(s->host))
		return PN_EINVAL;
	memcpy(s->host, norm, hl + 1);
	s->port = (int)port;
	return PN_OK;
}

static enum ref_kind
find_referral(const char *text, size_t len, struct server *out)
{
	size_t i = 0;

	while (i < len) {
		const char *s = text + i, *nl = memchr(s, '\n', len - i), *k, *v;
		size_t n = nl != NULL ? (size_t)(nl - s) : len - i, c, kn, vn;
		enum ref_kind kind = REF_NONE;

		i += n + 1;
		if (n > PN_WHOIS_LINE_MAX)
			continue;
		for (c = 0; c < n && c <= KEY_MAX && s[c] != ':'; c++)
			;
		if (c >= n || c > KEY_MAX)
			continue;
		k = s;
		kn = c;
		v = s + c + 1;
		vn = n - c - 1;
		trim(&k, &kn);
		trim(&v, &vn);
		if (key_is(k, kn, "refer") || key_is(k, kn, "whois") ||
		    key_is(k, kn, "referralserver"))
			kind = REF_POINTER;
		else if (key_is(k, kn, "registrar whois server"))
			kind = REF_REGISTRAR;
		if (kind == REF_NONE || vn == 0)
			continue;
		if (vn >= 8 && key_is(v, 8, "whois://")) {
			v += 8;
			vn -= 8;
		} else if (memchr(v, '/', vn) != NULL) {
			continue;     /* rwhois://, http:// ... are not port 43 */
		}
		while (vn > 0 && v[vn - 1] == '/')
			vn--;
		if (parse_server(v, vn, out) == PN_OK)
			return kind;
	}
	return REF_NONE;
}

int
pn_whois_referral(const char *text, size_t len, char *host, size_t cap, int *port)
{
	struct server s;

	if (text == NULL || find_referral(text, len, &s) == REF_NONE)
		return PN_ENOTFOUND;
	if (pn_strlcpy(host, s.host, cap) >= cap)
		return PN_ELIMIT;
	*port = s.port;
	return PN_OK;
}

/* ---- server map ---- */

static void
map_free(struct map *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

static int
map_add(struct map *m, const char *k, size_t kn, const char *v, size_t vn)
{
	struct map_entry e;
	size_t i;

	trim(&k, &kn);
	trim(&v, &vn);
	if (kn == 0 || kn >= sizeof(e.key) || m->n >= PN_WHOIS_MAP_MAX)
		return PN_EINVAL;
	for (i = 0; i < kn; i++)
		e.key[i] = (char)lower((unsigned char)k[i]);
	e.key[kn] = '\0';
	if (e.key[kn - 1] == '.')
		e.key[kn - 1] = '\0';
	if (parse_server(v, vn, &e.srv) != PN_OK)
		return PN_EINVAL;
	/* later entries win: replace an existing key */
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->e[i].key, e.key) == 0) {
			m->e[i] = e;
			return PN_OK;
		}
	}
	if (m->n % 16 == 0)
		m->e = pn_xrealloc(m->e, (m->n + 16) * sizeof(*m->e));
	m->e[m->n++] = e;
	return PN_OK;
}

/* Entries "k=v" separated by sep (',' in the option, '\n' in a file). */
static int
map_parse(struct map *m, const char *s, size_t len, char sep, char *err, size_t cap)
{
	size_t i = 0;

	while (i < len) {
		const char *p = s + i, *end = memchr(p, sep, len - i), *eq;
		size_t n = end != NULL ? (size_t)(end - p) : len - i, kn;

		i += n + 1;
		trim(&p, &n);
		if (n == 0 || p[0] == '#')
			continue;
		eq = memchr(p, '=', n);
		if (eq == NULL && sep == '\n') {
			for (kn = 0; kn < n && !is_space((unsigned char)p[kn]); kn++)
				;
			eq = kn < n ? p + kn : NULL;
		}
		if (eq == NULL || map_add(m, p, (size_t)(eq - p), eq + 1,
		    n - (size_t)(eq - p) - 1) != PN_OK) {
			snprintf(err, cap, "bad whois server map entry \"%.*s\"",
			    (int)PN_MIN(n, 80), p);
			return PN_EINVAL;
		}
	}
	return PN_OK;
}

static int
map_load(struct map *m, const struct pn_whois_opts *o, char *err, size_t cap)
{
	int rc;

	if (o->servers_file != NULL && o->servers_file[0] != '\0') {
		struct pn_buf b = PN_BUF_INIT;
		char chunk[4096];
		FILE *f = fopen(o->servers_file, "r");
		size_t n;

		if (f == NULL) {
			snprintf(err, cap, "whois.servers_file %s: %s", o->servers_file,
			    strerror(errno));
			return PN_EIO;
		}
		pn_buf_init(&b, PN_WHOIS_MAPFILE_MAX);
		rc = PN_OK;
		while (rc == PN_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			rc = pn_buf_append(&b, chunk, n);
		fclose(f);
		if (rc == PN_OK)
			rc = map_parse(m, b.p != NULL ? b.p : "", b.len, '\n', err, cap);
		else
			snprintf(err, cap, "whois.servers_file too large");
		pn_buf_release(&b);
		if (rc != PN_OK)
			return rc;
	}
	if (o->servers != NULL)
		return map_parse(m, o->servers, strlen(o->servers), ',', err, cap);
	return PN_OK;
}

static const struct server *
map_get(const struct map *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->e[i].key, key) == 0)
			return &m->e[i].srv;
	return NULL;
}

/* ---- network ---- */

static int
wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = {fd, ev, 0};
	int r;

	for (;;) {
		int64_t left = deadline - pn_mono_ms();

		if (left <= 0)
			return PN_ETIMEOUT;
		r = poll(&p, 1, (int)PN_MIN(left, 60000));
		if (r > 0)
			return PN_OK;
		if (r < 0 && errno != EINTR)
			return PN_EIO;
	}
}

static int
connect_addr(const struct sockaddr *sa, socklen_t salen, int64_t deadline, int *out)
{
	int fd, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return PN_EIO;
	if (connect(fd, sa, salen) != 0) {
		if (errno != EINPROGRESS) {
			close(fd);
			return PN_EIO;
		}
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != PN_OK) {
			close(fd);
			return rc;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			close(fd);
			return PN_EIO;
		}
	}
	*out = fd;
	return PN_OK;
}

/* Connect to s: IP literal, else o->dns, else getaddrinfo. */
static int
connect_server(const struct pn_whois_opts *o, const struct server *s, int64_t deadline,
    int *fd)
{
	char addrs[8][46], port[8];
	struct addrinfo hints, *res = NULL, *ai;
	size_t n = 0, i;
	int rc = PN_EIO;

	snprintf(port, sizeof(port), "%d", s->port);
	if (pn_ip_normalize(s->host, addrs[0], sizeof(addrs[0])) == PN_OK) {
		n = 1;
	} else if (o->dns != NULL) {
		rc = pn_dns_resolve(o->dns, s->host, addrs, PN_ARRAY_LEN(addrs), &n);
		if (rc != PN_OK)
			return rc;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (n > 0 ? AI_NUMERICHOST : 0);
	if (n == 0) {
		if (getaddrinfo(s->host, port, &hints, &res) != 0)
			return PN_ENOTFOUND;
		for (ai = res; ai != NULL && rc != PN_OK && rc != PN_ETIMEOUT; ai = ai->ai_next)
			rc = connect_addr(ai->ai_addr, ai->ai_addrlen, deadline, fd);
		freeaddrinfo(res);
		return rc;
	}
	for (i = 0; i < n && rc != PN_OK && rc != PN_ETIMEOUT; i++) {
		if (getaddrinfo(addrs[i], port, &hints, &res) != 0)
			continue;
		rc = connect_addr(res->ai_addr, res->ai_addrlen, deadline, fd);
		freeaddrinfo(res);
	}
	return rc;
}

/* Ask s for q; the answer (capped) goes to ans. */
static int
ask(const struct pn_whois_opts *o, const struct server *s, const char *q,
    struct pn_buf *ans, int *truncated)
{
	int64_t deadline = pn_mono_ms() + o->timeout_ms;
	char line[PN_DOMAIN_BUF + 4], chunk[4096];
	size_t qn, sent = 0;
	int fd = -1, rc;
	ssize_t r;

	if ((rc = connect_server(o, s, deadline, &fd)) != PN_OK)
		return rc;
	qn = (size_t)snprintf(line, sizeof(line), "%s\r\n", q);
	while (sent < qn) {
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != PN_OK)
			goto out;
		r = send(fd, line + sent, qn - sent, MSG_NOSIGNAL);
		if (r < 0 && errno != EINTR && errno != EAGAIN) {
			rc = PN_EIO;
			goto out;
		}
		if (r > 0)
			sent += (size_t)r;
	}
	for (;;) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) != PN_OK)
			goto out;
		r = read(fd, chunk, sizeof(chunk));
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			rc = PN_EIO;
			goto out;
		}
		if (ans->len + (size_t)r > o->max_response) {
			pn_buf_append(ans, chunk, o->max_response - ans->len);
			*truncated = 1;
			break;
		}
		pn_buf_append(ans, chunk, (size_t)r);
	}
	rc = PN_OK;
out:
	close(fd);
	return rc;
}

static int
is_binary(const char *s, size_t n)
{
	size_t i, ctl = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			return 1;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
			ctl++;
	}
	return ctl * 10 > n;
}

static const char *
rir_of_server(const char *host)
{
	static const struct { const char *host, *rir; } t[] = {
		{"whois.arin.net", "ARIN"}, {"whois.ripe.net", "RIPE NCC"},
		{"whois.apnic.net", "APNIC"}, {"whois.lacnic.net", "LACNIC"},
		{"whois.afrinic.net", "AFRINIC"}
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++)
		if (strcmp(host, t[i].host) == 0)
			return t[i].rir;
	return NULL;
}

/* The query text and the first server for it. */
static int
first_server(const struct map *m, const char *query, char *q, size_t qcap, int *is_ip,
    const struct server **srv)
{
	char norm[PN_DOMAIN_BUF], key[PN_DOMAIN_BUF];

	*srv = NULL;
	if (pn_ip_normalize(query, q, qcap) == PN_OK) {
		*is_ip = 1;
		*srv = map_get(m, "ip");
		return *srv != NULL ? PN_OK : PN_ENOTFOUND;
	}
	*is_ip = 0;
	if (pn_domain_normalize(query, PN_DOMAIN_HOSTNAME, norm, sizeof(norm)) != PN_OK)
		return PN_EINVAL;
	if (pn_domain_registrable(norm, q, qcap) != PN_OK)
		pn_strlcpy(q, norm, qcap);
	if (pn_domain_public_suffix(norm, key, sizeof(key)) == PN_OK)
		*srv = map_get(m, key);
	if (*srv == NULL && pn_domain_tld(norm, key, sizeof(key)) == PN_OK)
		*srv = map_get(m, key);
	if (*srv == NULL)
		*srv = map_get(m, "default");
	return *srv != NULL ? PN_OK : PN_ENOTFOUND;
}

/* Where a referral to ref goes: the map's redirect, or ref itself if allowed. */
static int
referral_target(const struct map *m, const struct server *ref, struct server *to)
{
	const struct server *mapped = map_get(m, ref->host);
	uint8_t a[16];
	int fam;

	if (mapped != NULL) {
		*to = *mapped;
		return PN_OK;
	}
	if (ref->port != 43 || pn_ip_parse(ref->host, &fam, a) == PN_OK)
		return PN_EPERM;
	*to = *ref;
	return PN_OK;
}

static int
visited(const struct server *v, int n, const struct server *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].port == s->port && strcmp(v[i].host, s->host) == 0)
			return 1;
	return 0;
}

static void
parse_answers(struct pn_whois_result *r, const char *text, const struct answer *a, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!(a[i].kind == REF_POINTER && a[i].followed))
			pn_whois_parse(text + a[i].off, a[i].len, r);
}

static int
collect(const struct pn_whois_opts *o, const struct map *m, const char *q, int is_ip,
    const struct server *first, struct pn_whois_result *r, struct pn_buf *text,
    struct answer *ans, int *nans)
{
	struct server seen[PN_WHOIS_MAX_REFERRALS + 1], cur = *first, ref;
	struct pn_buf one = PN_BUF_INIT;
	int hop, rc = PN_OK, trunc;

	for (hop = 0; hop <= o->max_referrals; hop++) {
		seen[hop] = cur;
		trunc = 0;
		pn_buf_init(&one, o->max_response + 1);
		rc = ask(o, &cur, q, &one, &trunc);
		if (rc == PN_OK && (one.len == 0 || is_binary(one.p, one.len)))
			rc = PN_EFORMAT;
		if (rc != PN_OK) {
			snprintf(r->err, sizeof(r->err), "%s:%d: %s", cur.host, cur.port,
			    rc == PN_EFORMAT ? (one.len == 0 ? "empty answer" : "binary answer")
			    : rc == PN_ETIMEOUT ? "timeout" : pn_strerror(rc));
			pn_buf_release(&one);
			break;
		}
		if (hop > 0) {
			ans[*nans - 1].followed = 1;
			pn_buf_putc(text, '\n');
		}
		ans[*nans].off = text->len;
		ans[*nans].len = one.len;
		ans[*nans].followed = 0;
		pn_buf_append(text, one.p, one.len);
		r->truncated |= trunc;
		r->n_servers++;
		snprintf(r->server, sizeof(r->server), "%s:%d", cur.host, cur.port);
		pn_strlcpy(ans[*nans].host, cur.host, sizeof(ans[*nans].host));
		ans[*nans].kind = find_referral(one.p, one.len, &ref);
		(*nans)++;
		pn_buf_release(&one);
		if (ans[*nans - 1].kind == REF_NONE)
			break;
		if (referral_target(m, &ref, &cur) != PN_OK) {
			snprintf(r->err, sizeof(r->err), "referral to %s:%d not followed",
			    ref.host, ref.port);
			break;
		}
		if (visited(seen, hop + 1, &cur))
			break;
	}
	return r->n_servers > 0 ? PN_OK : rc;
}

int
pn_whois_query(const struct pn_whois_opts *o, const char *query, struct pn_whois_result *r)
{
	struct answer ans[PN_WHOIS_MAX_REFERRALS + 1];
	struct map m = {NULL, 0};
	const struct server *first;
	struct pn_buf text = PN_BUF_INIT;
	char q[PN_DOMAIN_BUF];
	int rc, is_ip, nans = 0;

	memset(r, 0, sizeof(*r));
	if (o == NULL || query == NULL || o->timeout_ms < 1 || o->max_response < 1 ||
	    o->max_response > PN_WHOIS_RESPONSE_MAX || o->max_referrals < 0 ||
	    o->max_referrals > PN_WHOIS_MAX_REFERRALS) {
		pn_strlcpy(r->err, "bad whois options", sizeof(r->err));
		return PN_EINVAL;
	}
	if ((rc = map_load(&m, o, r->err, sizeof(r->err))) != PN_OK)
		return rc;
	rc = first_server(&m, query, q, sizeof(q), &is_ip, &first);
	if (rc != PN_OK) {
		snprintf(r->err, sizeof(r->err), rc == PN_EINVAL ?
		    "not a domain name or IP address" : "no whois server for %s", q);
		map_free(&m);
		return rc;
	}
	pn_buf_init(&text, (o->max_response + 1) * (PN_WHOIS_MAX_REFERRALS + 1));
	rc = collect(o, &m, q, is_ip, first, r, &text, ans, &nans);
	if (rc == PN_OK) {
		const char *rir;

		parse_answers(r, text.p, ans, nans);
		/* the RIR is the one that gave the last (most specific) answer */
		if (is_ip && r->rir[0] == '\0' && (rir = rir_of_server(ans[nans - 1].host)) != NULL)
			pn_strlcpy(r->rir, rir, sizeof(r->rir));
		if (!is_ip)
			r->rir[0] = '\0';
		r->text = pn_utf8_clean(text.p, text.len);
		r->text_len = strlen(r->text);
	}
	pn_buf_release(&text);
	map_free(&m);
	return rc;
}

void
pn_whois_result_free(struct pn_whois_result *r)
{
	if (r == NULL)
		return;
	free(r->text);
	r->text = NULL;
	r->text_len = 0;
}

int
pn_whois_opts_from_conf(const struct pn_conf *c, struct pn_whois_opts *o)
{
	int64_t tmo = pn_conf_get_int(c, "whois.timeout_ms");
	int64_t refs = pn_conf_get_int(c, "whois.max_referrals");
	uint64_t max = pn_conf_get_size(c, "whois.max_response");

	memset(o, 0, sizeof(*o));
	if (tmo < 1 || tmo > 600000 || refs < 0 || refs > PN_WHOIS_MAX_REFERRALS ||
	    max < 1 || max > PN_WHOIS_RESPONSE_MAX)
		return PN_EINVAL;
	o->servers = pn_conf_get(c, "whois.servers");
	o->servers_file = pn_conf_get(c, "whois.servers_file");
	o->timeout_ms = (int)tmo;
	o->max_referrals = (int)refs;
	o->max_response = (size_t)max;
	return PN_OK;
}

static void
add_str(struct json_object *o, const char *key, const char *v, int only_if_absent)
{
	if (v[0] == '\0' || (only_if_absent && json_object_object_get_ex(o, key, NULL)))
		return;
	json_object_object_add(o, key, json_object_new_string(v));
}

static void
add_time(struct json_object *o, const char *key, int64_t t)
{
	if (t != 0)
		json_object_object_add(o, key, json_object_new_int64(t));
}

void
pn_whois_vt_attrs(const struct pn_whois_result *r, int is_ip, struct json_object *attrs)
{
	if (r->text != NULL)
		json_object_object_add(attrs, "whois",
		    json_object_new_string_len(r->text, (int)r->text_len));
	if (is_ip) {
		add_str(attrs, "regional_internet_registry", r->rir, 0);
		add_str(attrs, "network", r->network, 1);
		add_str(attrs, "country", r->country, 1);
		return;
	}
	add_str(attrs, "registrar", r->registrar, 0);
	add_time(attrs, "creation_date", r->creation_date);
	add_time(attrs, "expiration_date", r->expiration_date);
	add_time(attrs, "last_update_date", r->last_updated);
}
