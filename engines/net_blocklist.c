/*
 * net_blocklist.c - blocklist feeds for URLs, domains and IP addresses:
 * parsing feed files, the lookup tables and the "netfeed" engine adapter
 * (one engine column per configured feed, netfeeds.feeds).
 *
 * Formats (enum pn_netfeed_format; docs/internals/net-engines.md §2):
 *   urls, openphish  one URL per line (first white-space separated token),
 *                    '#' comments; label "malicious" / "phishing";
 *   urlhaus          CSV id,dateadded,url,url_status,last_online,threat,
 *                    tags,urlhaus_link,reporter with '#' comment lines (a
 *                    commented header row sets the columns); label = the
 *                    threat (else the first tag, else "malware"); a line
 *                    holding only a URL (URLhaus' plain-text exports, whose
 *                    comments say "URLhaus") is taken as it is;
 *   phishtank        CSV phish_id,url,phish_detail_url,submission_time,
 *                    verified,verification_time,online,target with a header
 *                    row; label "phishing", the target brand as extra;
 *   domains, hosts   one name per line, or hosts-file lines "0.0.0.0 a b",
 *                    or adblock "||name^"; domains also match subdomains,
 *                    hosts only the exact name;
 *   cidr             "1.2.3.0/24 ; SBL123" (';' or '#' comments), bare
 *                    addresses, IPv4 and IPv6; the comment is the extra;
 *   auto             decided by the first meaningful line.
 * URL entries are canonicalised with pn_url_parse() and keyed without
 * their "http://"/"https://" prefix, so a listed http URL also matches its
 * https twin.  A URL target is looked up as is, without its query and
 * (except for URLhaus, whose entries are payload URLs) by every directory
 * prefix of its path ("host/a/b/" entries list a whole directory, "host/"
 * a whole site).  Names are looked up exactly, then (domains) by parent
 * domain down to two labels.  IPs (targets and URL hosts) are looked up in
 * sorted ranges.
 *
 * Tables: URL and name entries share one open-addressing hash set over a
 * blob of records (label, extra, line, key); CIDRs are 16-byte ranges
 * (IPv4 mapped into ::ffff:0:0/96) sorted by start with a running "widest
 * end so far" index, so lookup is one binary search.  Labels and extras
 * are interned.
 *
 * Ownership: a pn_netfeed owns everything it holds; hits borrow from it.
 * The engine's priv is a struct nf_engine (config entry + feed); a reload
 * builds a new feed and swaps it only on success.
 * Limits: PN_NETFEED_* in netengine.h; netfeeds.max_entries entries and
 * netfeeds.max_file_size bytes per feed.
 * Errors: pn_netfeed_parse: PN_ELIMIT; pn_netfeed_load_file: PN_EIO,
 * PN_ELIMIT; init/reload: those with e->error set; scan: PN_OK, or
 * PN_EINTERNAL without a loaded feed.
 * See also: netengine.h, docs/internals/net-engines.md,
 * tests/unit/test_netengines.c, tests/fuzz/fuzz_feeds.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "netengine.h"
#include "conf.h"
#include "external.h"
#include "url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

/* Options of the feed engines (docs/CONFIG.md [netfeeds]). */
const struct pn_conf_opt pn_conf_netfeeds[] = {
	{ "netfeeds.enabled", PN_CONF_BOOL, "true", "run the URL/domain/IP blocklist feeds" },
	{ "netfeeds.feeds", PN_CONF_STR, "", "feeds: Name=format:path entries separated by , or newlines" },
	{ "netfeeds.max_entries", PN_CONF_INT, "20000000", "most entries loaded from one feed" },
	{ "netfeeds.max_file_size", PN_CONF_SIZE, "2G", "largest feed file" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define NF_WARN_LINES 5             /* malformed lines logged per feed */
#define NF_REC_HDR    12            /* record: label u32, extra u32, line u32, then key */

static const char *const format_names[PN_NETFEED__COUNT] = {
	[PN_NETFEED_AUTO] = "auto", [PN_NETFEED_URLS] = "urls",
	[PN_NETFEED_URLHAUS] = "urlhaus", [PN_NETFEED_OPENPHISH] = "openphish",
	[PN_NETFEED_PHISHTANK] = "phishtank", [PN_NETFEED_DOMAINS] = "domains",
	[PN_NETFEED_HOSTS] = "hosts", [PN_NETFEED_CIDR] = "cidr",
};

struct nf_slot {
	uint64_t hash;
	uint64_t off;                  /* record offset + 1 in blob; 0 = empty */
};

struct nf_range {
	uint8_t lo[16], hi[16];        /* big-endian, inclusive */
	uint32_t label, extra, line;
};

struct pn_netfeed {
	enum pn_netfeed_format format;
	size_t max_entries;
	struct pn_netfeed_stats st;
	/* strings: records in blob, hash set over their keys */
	char *blob;
	size_t blen, bcap;
	struct nf_slot *slot;
	size_t nslot, nkeys;
	/* labels and extras: interned in their own blob (index = offset + 1) */
	char *lblob;
	size_t llen, lcap;
	struct nf_slot *lslot;
	size_t nlslot, nlabels;
	/* CIDR ranges */
	struct nf_range *r;
	size_t nr, rcap;
	uint32_t *widest;              /* widest[i] = index in [0, i] with the highest hi */
	/* CSV columns */
	int col_url, col_threat, col_tags, col_target;
	int parsed;
};

/* ------------------------------------------------------------------------
 * Formats.
 */

int
pn_netfeed_format_parse(const char *name, enum pn_netfeed_format *out)
{
	size_t i;

	for (i = 0; i < PN_NETFEED__COUNT; i++) {
		if (pn_ext_strcasecmp(name, format_names[i]) == 0) {
			*out = (enum pn_netfeed_format)i;
			return PN_OK;
		}
	}
	return PN_EINVAL;
}

const char *
pn_netfeed_format_name(enum pn_netfeed_format f)
{
	return (unsigned)f < PN_NETFEED__COUNT ? format_names[f] : "?";
}

static unsigned
format_kinds(enum pn_netfeed_format f)
{
	switch (f) {
	case PN_NETFEED_DOMAINS:
	case PN_NETFEED_HOSTS:
		return PN_OBJ_URL | PN_OBJ_DOMAIN;
	case PN_NETFEED_CIDR:
		return PN_OBJ_URL | PN_OBJ_IP;
	case PN_NETFEED_AUTO:
		return PN_OBJ_URL | PN_OBJ_DOMAIN | PN_OBJ_IP;
	default:
		return PN_OBJ_URL;
	}
}

static int
is_url_format(enum pn_netfeed_format f)
{
	return f == PN_NETFEED_URLS || f == PN_NETFEED_URLHAUS || f == PN_NETFEED_OPENPHISH ||
	    f == PN_NETFEED_PHISHTANK;
}

/* ------------------------------------------------------------------------
 * Hash sets.
 */

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* Key of a stored or looked-up string: URLs without "http://"/"https://". */
static const char *
url_key(const char *s)
{
	if (strncmp(s, "http://", 7) == 0)
		return s + 7;
	if (strncmp(s, "https://", 8) == 0)
		return s + 8;
	return s;
}

/* Double an open-addressing table (slots keep their hash). */
static void
set_grow(struct nf_slot **slots, size_t *nslot)
{
	size_t n = *nslot ? *nslot * 2 : 1024, i;
	struct nf_slot *s = pn_xcalloc(n, sizeof(*s));

	for (i = 0; i < *nslot; i++) {
		size_t j;

		if ((*slots)[i].off == 0)
			continue;
		j = (*slots)[i].hash & (n - 1);
		while (s[j].off != 0)
			j = (j + 1) & (n - 1);
		s[j] = (*slots)[i];
	}
	free(*slots);
	*slots = s;
	*nslot = n;
}

/* Stored key of the record at off. */
static const char *
rec_key(const struct pn_netfeed *f, uint64_t off)
{
	const char *s = f->blob + off + NF_REC_HDR;

	return is_url_format(f->format) ? url_key(s) : s;
}

/* Record whose key is k[0..n), or NULL. */
static const char *
set_find(const struct pn_netfeed *f, const char *k, size_t n)
{
	uint64_t h;
	size_t j;

	if (f->nslot == 0)
		return NULL;
	h = hash_bytes(k, n);
	for (j = h & (f->nslot - 1); f->slot[j].off != 0; j = (j + 1) & (f->nslot - 1)) {
		const char *key;

		if (f->slot[j].hash != h)
			continue;
		key = rec_key(f, f->slot[j].off - 1);
		if (strncmp(key, k, n) == 0 && key[n] == '\0')
			return f->blob + f->slot[j].off - 1;
	}
	return NULL;
}

static uint32_t
rd32(const char *p)
{
	return pn_le32((const uint8_t *)p);
}

static void
wr32(char *p, uint32_t v)
{
	p[0] = (char)(v & 0xff);
	p[1] = (char)(v >> 8 & 0xff);
	p[2] = (char)(v >> 16 & 0xff);
	p[3] = (char)(v >> 24 & 0xff);
}

/* Add entry s (full form) keyed by its key; PN_OK, PN_EEXIST, PN_ELIMIT. */
static int
set_add(struct pn_netfeed *f, const char *s, uint32_t label, uint32_t extra, size_t line)
{
	const char *k = is_url_format(f->format) ? url_key(s) : s;
	size_t kn = strlen(k), sn = strlen(s), j;
	uint64_t h;

	if (set_find(f, k, kn) != NULL) {
		f->st.duplicates++;
		return PN_EEXIST;
	}
	if (f->st.entries >= f->max_entries)
		return PN_ELIMIT;
	if ((f->nkeys + 1) * 2 > f->nslot)
		set_grow(&f->slot, &f->nslot);
	if (f->blen + NF_REC_HDR + sn + 1 > f->bcap) {
		f->bcap = PN_MAX(f->bcap * 2, f->blen + NF_REC_HDR + sn + 1 + 65536);
		f->blob = pn_xrealloc(f->blob, f->bcap);
	}
	wr32(f->blob + f->blen, label);
	wr32(f->blob + f->blen + 4, extra);
	wr32(f->blob + f->blen + 8, line > UINT32_MAX ? UINT32_MAX : (uint32_t)line);
	memcpy(f->blob + f->blen + NF_REC_HDR, s, sn + 1);
	h = hash_bytes(k, kn);
	for (j = h & (f->nslot - 1); f->slot[j].off != 0; j = (j + 1) & (f->nslot - 1))
		;
	f->slot[j].hash = h;
	f->slot[j].off = f->blen + 1;
	f->blen += NF_REC_HDR + sn + 1;
	f->nkeys++;
	f->st.entries++;
	return PN_OK;
}

/* Interned label s (index = offset + 1), 0 for none or when the table is full. */
static uint32_t
label_intern(struct pn_netfeed *f, const char *s)
{
	size_t n, j;
	uint64_t h;

	if (s == NULL || *s == '\0')
		return 0;
	n = strlen(s);
	if (n > PN_NETFEED_MAX_LABEL)
		n = PN_NETFEED_MAX_LABEL;
	h = hash_bytes(s, n);
	if (f->nlslot != 0) {
		for (j = h & (f->nlslot - 1); f->lslot[j].off != 0; j = (j + 1) & (f->nlslot - 1)) {
			const char *l = f->lblob + f->lslot[j].off - 1;

			if (f->lslot[j].hash == h && strncmp(l, s, n) == 0 && l[n] == '\0')
				return (uint32_t)f->lslot[j].off;
		}
	}
	if (f->nlabels >= PN_NETFEED_MAX_LABELS)
		return 0;
	if ((f->nlabels + 1) * 2 > f->nlslot)
		set_grow(&f->lslot, &f->nlslot);
	if (f->llen + n + 1 > f->lcap) {
		f->lcap = PN_MAX(f->lcap * 2, f->llen + n + 1 + 4096);
		f->lblob = pn_xrealloc(f->lblob, f->lcap);
	}
	memcpy(f->lblob + f->llen, s, n);
	f->lblob[f->llen + n] = '\0';
	for (j = h & (f->nlslot - 1); f->lslot[j].off != 0; j = (j + 1) & (f->nlslot - 1))
		;
	f->lslot[j].hash = h;
	f->lslot[j].off = f->llen + 1;
	f->llen += n + 1;
	f->nlabels++;
	return (uint32_t)f->lslot[j].off;
}

static const char *
label_get(const struct pn_netfeed *f, uint32_t i)
{
	return i != 0 && i <= f->llen ? f->lblob + i - 1 : NULL;
}

/* ------------------------------------------------------------------------
 * IP ranges.
 */

/* Parse an IPv4/IPv6 literal into 16 bytes (IPv4 mapped); *bits = 32 or 128. */
static int
ip16(const char *s, uint8_t a[16], int *bits)
{
	uint8_t v4[4];

	if (inet_pton(AF_INET, s, v4) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, v4, 4);
		*bits = 32;
		return PN_OK;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*bits = 128;
		return PN_OK;
	}
	return PN_EINVAL;
}

/* "addr" or "addr/len" into an inclusive range. */
static int
parse_cidr(const char *s, uint8_t lo[16], uint8_t hi[16])
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int bits, i;
	int64_t plen;

	if (n == 0 || n >= sizeof(addr))
		return PN_EFORMAT;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (ip16(addr, lo, &bits) != PN_OK)
		return PN_EFORMAT;
	plen = bits;
	if (slash != NULL && pn_parse_i64(slash + 1, 0, bits, &plen) != PN_OK)
		return PN_EFORMAT;
	plen += 128 - bits;
	for (i = 0; i < 16; i++) {
		int keep = (int)PN_MIN(PN_MAX(plen - 8 * i, 0), 8);
		uint8_t mask = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));

		lo[i] &= mask;
		hi[i] = (uint8_t)(lo[i] | (uint8_t)~mask);
	}
	return PN_OK;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct nf_range *x = a, *y = b;
	int c = memcmp(x->lo, y->lo, 16);

	if (c != 0)
		return c;
	c = memcmp(y->hi, x->hi, 16);   /* wider first */
	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
range_add(struct pn_netfeed *f, const uint8_t lo[16], const uint8_t hi[16], uint32_t extra,
    size_t line)
{
	struct nf_range *r;

	if (f->st.entries >= f->max_entries)
		return PN_ELIMIT;
	if (f->nr == f->rcap) {
		f->rcap = f->rcap ? f->rcap * 2 : 1024;
		f->r = pn_xrealloc(f->r, f->rcap * sizeof(*f->r));
	}
	r = &f->r[f->nr++];
	memcpy(r->lo, lo, 16);
	memcpy(r->hi, hi, 16);
	r->label = label_intern(f, "malicious");
	r->extra = extra;
	r->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	f->st.entries++;
	return PN_OK;
}

/* Sort, drop exact duplicates, build the widest-end index. */
static void
ranges_finish(struct pn_netfeed *f)
{
	size_t i, out = 0;

	if (f->nr == 0)
		return;
	qsort(f->r, f->nr, sizeof(*f->r), range_cmp);
	for (i = 0; i < f->nr; i++) {
		if (out > 0 && memcmp(f->r[out - 1].lo, f->r[i].lo, 16) == 0 &&
		    memcmp(f->r[out - 1].hi, f->r[i].hi, 16) == 0) {
			f->st.duplicates++;
			f->st.entries--;
			continue;
		}
		f->r[out++] = f->r[i];
	}
	f->nr = out;
	f->widest = pn_xmalloc(f->nr * sizeof(*f->widest));
	for (i = 0; i < f->nr; i++) {
		uint32_t w = i == 0 ? 0 : f->widest[i - 1];

		f->widest[i] = memcmp(f->r[i].hi, f->r[w].hi, 16) >= 0 ? (uint32_t)i : w;
	}
}

/* The range holding a (most specific start first), or NULL. */
static const struct nf_range *
range_find(const struct pn_netfeed *f, const uint8_t a[16])
{
	size_t lo = 0, hi = f->nr, i;
	const struct nf_range *w;

	while (lo < hi) {              /* first range with start > a */
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(f->r[mid].lo, a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	i = lo - 1;
	if (memcmp(f->r[i].hi, a, 16) >= 0)
		return &f->r[i];
	w = &f->r[f->widest[i]];
	return memcmp(w->hi, a, 16) >= 0 ? w : NULL;
}

/* ------------------------------------------------------------------------
 * Line parsing.
 */

struct csv {
	char buf[PN_NETFEED_MAX_LINE + 1];
	const char *f[PN_NETFEED_MAX_FIELDS];
	size_t n;
};

/* Split a CSV line (RFC 4180 quotes, "" inside); PN_EFORMAT on a stray quote. */
static int
csv_split(const char *s, struct csv *row)
{
	size_t o = 0;

	row->n = 0;
	for (;;) {
		const char *start = row->buf + o;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '"') {
			for (s++;; ) {
				if (*s == '\0')
					return PN_EFORMAT;
				if (*s == '"' && s[1] == '"') {
					row->buf[o++] = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else
					row->buf[o++] = *s++;
			}
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s != ',' && *s != '\0')
				return PN_EFORMAT;
		} else {
			while (*s != ',' && *s != '\0')
				row->buf[o++] = *s++;
			while (row->buf + o > start && (row->buf[o - 1] == ' ' || row->buf[o - 1] == '\t'))
				o--;
		}
		row->buf[o++] = '\0';
		if (row->n < PN_NETFEED_MAX_FIELDS)
			row->f[row->n++] = start;
		if (*s == '\0')
			return PN_OK;
		s++;
	}
}

static int
col_of(const struct csv *row, const char *name)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		if (pn_ext_strcasecmp(row->f[i], name) == 0)
			return (int)i;
	return -1;
}

/* A header row names the URL column: take its columns. */
static int
csv_header(struct pn_netfeed *f, const struct csv *row)
{
	int url = col_of(row, "url");

	if (url < 0)
		return 0;
	f->col_url = url;
	f->col_threat = col_of(row, "threat");
	f->col_tags = col_of(row, "tags");
	f->col_target = col_of(row, "target");
	return 1;
}

static const char *
field(const struct csv *row, int col)
{
	return col >= 0 && (size_t)col < row->n ? row->f[col] : NULL;
}

static void
malformed(struct pn_netfeed *f)
{
	f->st.malformed++;
}

/* Canonical form of a URL entry into *canon (caller frees), PN_EFORMAT. */
static int
canon_url(const char *s, char **canon)
{
	struct pn_url u;

	memset(&u, 0, sizeof(u));
	if (pn_url_parse(s, &u, NULL, 0) != PN_OK || u.canonical == NULL) {
		pn_url_free(&u);
		return PN_EFORMAT;
	}
	*canon = u.canonical;
	u.canonical = NULL;
	pn_url_free(&u);
	return PN_OK;
}

static int
add_url(struct pn_netfeed *f, const char *url, const char *label, const char *extra,
    size_t line)
{
	char *c;
	int rc;

	if (canon_url(url, &c) != PN_OK) {
		malformed(f);
		return PN_OK;
	}
	rc = set_add(f, c, label_intern(f, label), label_intern(f, extra), line);
	free(c);
	return rc == PN_EEXIST ? PN_OK : rc;
}

/* First white-space separated token of s into tok (NUL-terminated). */
static size_t
token(const char *s, char *tok, size_t cap)
{
	size_t n = strcspn(s, " \t");

	if (n >= cap)
		n = cap - 1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	return n;
}

static int
line_urls(struct pn_netfeed *f, const char *s, size_t line)
{
	char tok[PN_NETFEED_MAX_LINE + 1];

	token(s, tok, sizeof(tok));
	return add_url(f, tok, f->format == PN_NETFEED_OPENPHISH ? "phishing" : "malicious",
	    NULL, line);
}

static int
line_csv(struct pn_netfeed *f, const char *s, size_t line, struct csv *row)
{
	const char *url, *threat, *tags, *target;
	char label[PN_NETFEED_MAX_LABEL + 1], extra[PN_NETFEED_MAX_LABEL + 1];

	if (csv_split(s, row) != PN_OK) {
		malformed(f);
		return PN_OK;
	}
	if (csv_header(f, row))
		return PN_OK;
	if (row->n == 1 && strstr(s, "://") != NULL)   /* the plain-URL exports of both */
		return add_url(f, row->f[0], f->format == PN_NETFEED_PHISHTANK ? "phishing" :
		    "malware", NULL, line);
	if ((url = field(row, f->col_url)) == NULL || *url == '\0') {
		malformed(f);
		return PN_OK;
	}
	extra[0] = '\0';
	if (f->format == PN_NETFEED_PHISHTANK) {
		target = field(row, f->col_target);
		if (target != NULL && *target != '\0' && pn_ext_strcasecmp(target, "Other") != 0)
			snprintf(extra, sizeof(extra), "target: %s", target);
		return add_url(f, url, "phishing", extra, line);
	}
	threat = field(row, f->col_threat);
	tags = field(row, f->col_tags);
	if (tags != NULL && *tags != '\0')
		snprintf(extra, sizeof(extra), "tags: %s", tags);
	if (threat != NULL && *threat != '\0')
		pn_strlcpy(label, threat, sizeof(label));
	else if (tags != NULL && *tags != '\0')
		pn_strlcpy(label, tags, PN_MIN(sizeof(label), strcspn(tags, ",") + 1));
	else
		pn_strlcpy(label, "malware", sizeof(label));
	return add_url(f, url, label, extra, line);
}

/* Lower-case, validated host name from s into out; PN_EFORMAT. */
static int
norm_name(const char *s, char *out, size_t cap)
{
	size_t n, i, lab = 0;
	int nonascii = 0, alpha = 0;

	while (*s == '.' || (*s == '*' && s[1] == '.'))
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= cap)
		return PN_EFORMAT;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			nonascii = 1;
	if (nonascii) {
		char tmp[300];
		struct pn_url u;
		int rc;

		snprintf(tmp, sizeof(tmp), "http://%.*s/", (int)n, s);
		memset(&u, 0, sizeof(u));
		rc = pn_url_parse(tmp, &u, NULL, 0);
		if (rc == PN_OK && u.host != NULL && u.host_ip == 0 && strlen(u.host) < cap)
			pn_strlcpy(out, u.host, cap);
		else
			rc = PN_EFORMAT;
		pn_url_free(&u);
		return rc;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c == '.') {
			if (lab == 0)
				return PN_EFORMAT;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			if (++lab > 63)
				return PN_EFORMAT;
			alpha |= !(c >= '0' && c <= '9');
		} else
			return PN_EFORMAT;
		out[i] = c;
	}
	out[n] = '\0';
	return alpha && lab > 0 ? PN_OK : PN_EFORMAT;
}

/* Names in hosts files that are not listings. */
static int
hosts_builtin(const char *s)
{
	static const char *const names[] = { "localhost", "localhost.localdomain", "local",
		"broadcasthost", "ip6-localhost", "ip6-loopback", "ip6-localnet",
		"ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts",
		"0.0.0.0" };
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(names); i++)
		if (pn_ext_strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

static int
add_name(struct pn_netfeed *f, const char *tok, size_t line)
{
	char name[256];
	int rc;

	if (hosts_builtin(tok))
		return PN_OK;
	if (norm_name(tok, name, sizeof(name)) != PN_OK || strchr(name, '.') == NULL) {
		malformed(f);
		return PN_OK;
	}
	rc = set_add(f, name, label_intern(f, "malicious"), 0, line);
	return rc == PN_EEXIST ? PN_OK : rc;
}

static int
line_names(struct pn_netfeed *f, const char *s, size_t line)
{
	char tok[PN_NETFEED_MAX_LINE + 1];
	uint8_t a[16];
	int bits, rc, first = 1;
	size_t n;

	if (s[0] == '|' && s[1] == '|') {          /* adblock ||name^ */
		n = token(s + 2, tok, sizeof(tok));
		if (n > 0 && tok[n - 1] == '^')
			tok[n - 1] = '\0';
		return add_name(f, tok, line);
	}
	n = token(s, tok, sizeof(tok));
	if (ip16(tok, a, &bits) == PN_OK) {         /* hosts line: address name... */
		for (s += n; ; s += n, first = 0) {
			s += strspn(s, " \t");
			if (*s == '\0' || *s == '#')
				break;
			n = token(s, tok, sizeof(tok));
			if ((rc = add_name(f, tok, line)) != PN_OK)
				return rc;
		}
		if (first)
			malformed(f);
		return PN_OK;
	}
	return add_name(f, tok, line);
}

static int
line_cidr(struct pn_netfeed *f, char *s, size_t line)
{
	char tok[128];
	uint8_t lo[16], hi[16];
	char *c = strpbrk(s, ";#");
	uint32_t extra = 0;

	if (c != NULL) {
		char *e = c + 1, *end;

		*c = '\0';
		e += strspn(e, " \t");
		end = e + strlen(e);
		while (end > e && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		extra = label_intern(f, e);
	}
	if (strcspn(s, " \t") >= sizeof(tok)) {
		malformed(f);
		return PN_OK;
	}
	token(s, tok, sizeof(tok));
	if (parse_cidr(tok, lo, hi) != PN_OK) {
		malformed(f);
		return PN_OK;
	}
	return range_add(f, lo, hi, extra, line);
}

/* Decide an auto feed's format from a line (comments only for URLhaus). */
static void
detect(struct pn_netfeed *f, const char *s, int comment)
{
	char tok[128];
	uint8_t a[16], b[16];

	if (comment) {
		if (strstr(s, "dateadded") != NULL || strstr(s, "URLhaus") != NULL)
			f->format = PN_NETFEED_URLHAUS;
		return;
	}
	if (strncmp(s, "phish_id", 8) == 0)
		f->format = PN_NETFEED_PHISHTANK;
	else if (s[0] == '"' && strstr(s, "://") != NULL)
		f->format = PN_NETFEED_URLHAUS;
	else if (strstr(s, "://") != NULL)
		f->format = PN_NETFEED_URLS;
	else if (s[0] == '|' && s[1] == '|')
		f->format = PN_NETFEED_DOMAINS;
	else if (token(s, tok, sizeof(tok)) > 0 && parse_cidr(tok, a, b) == PN_OK)
		f->format = strchr(tok, '/') == NULL && s[strcspn(s, " \t")] != '\0' &&
		    strpbrk(s, ";#") == NULL ? PN_NETFEED_HOSTS : PN_NETFEED_CIDR;
	else
		f->format = PN_NETFEED_DOMAINS;
}

/* One line (NUL-terminated, no newline); PN_OK or PN_ELIMIT. */
static int
one_line(struct pn_netfeed *f, char *s, size_t line, struct csv *row)
{
	int comment;

	s += strspn(s, " \t");
	if (*s == '\0')
		return PN_OK;
	if (*s == ';' && f->format == PN_NETFEED_AUTO)
		f->format = PN_NETFEED_CIDR;      /* DROP lists start with "; Spamhaus ..." */
	comment = *s == '#' || (*s == ';' && f->format == PN_NETFEED_CIDR) ||
	    (*s == '!' && f->format != PN_NETFEED_CIDR);
	if (f->format == PN_NETFEED_AUTO)
		detect(f, s, comment);
	if (comment) {
		/* URLhaus comments its header row out. */
		if (f->format == PN_NETFEED_URLHAUS && csv_split(s + 1, row) == PN_OK)
			(void)csv_header(f, row);
		return PN_OK;
	}
	switch (f->format) {
	case PN_NETFEED_URLS:
	case PN_NETFEED_OPENPHISH:
		return line_urls(f, s, line);
	case PN_NETFEED_URLHAUS:
	case PN_NETFEED_PHISHTANK:
		return line_csv(f, s, line, row);
	case PN_NETFEED_DOMAINS:
	case PN_NETFEED_HOSTS:
		return line_names(f, s, line);
	case PN_NETFEED_CIDR:
		return line_cidr(f, s, line);
	default:
		return PN_OK;
	}
}

/* ------------------------------------------------------------------------
 * Feeds.
 */

struct pn_netfeed *
pn_netfeed_new(enum pn_netfeed_format fmt, size_t max_entries)
{
	struct pn_netfeed *f = pn_xcalloc(1, sizeof(*f));

	f->format = (unsigned)fmt < PN_NETFEED__COUNT ? fmt : PN_NETFEED_AUTO;
	f->max_entries = max_entries;
	f->col_url = f->format == PN_NETFEED_PHISHTANK ? 1 : 2;
	f->col_threat = 5;
	f->col_tags = 6;
	f->col_target = 7;
	return f;
}

void
pn_netfeed_free(struct pn_netfeed *f)
{
	if (f == NULL)
		return;
	free(f->blob);
	free(f->slot);
	free(f->lblob);
	free(f->lslot);
	free(f->r);
	free(f->widest);
	free(f);
}

int
pn_netfeed_parse(struct pn_netfeed *f, const char *data, size_t len)
{
	struct csv *row;
	char *line;
	size_t pos = 0;
	int rc = PN_OK;

	if (f->parsed)
		PN_BUG("pn_netfeed_parse called twice");
	f->parsed = 1;
	row = pn_xmalloc(sizeof(*row));
	line = pn_xmalloc(PN_NETFEED_MAX_LINE + 1);
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && rc == PN_OK) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;

		f->st.lines++;
		if (n > 0 && data[pos + n - 1] == '\r')
			n--;
		if (n > PN_NETFEED_MAX_LINE || memchr(data + pos, '\0', n) != NULL) {
			malformed(f);
		} else {
			memcpy(line, data + pos, n);
			line[n] = '\0';
			rc = one_line(f, line, f->st.lines, row);
		}
		pos += (nl ? (size_t)(nl - (data + pos)) + 1 : len - pos);
	}
	free(row);
	free(line);
	ranges_finish(f);
	if (f->format == PN_NETFEED_AUTO)
		f->format = PN_NETFEED_URLS;
	f->st.format = f->format;
	return rc;
}

int
pn_netfeed_load_file(struct pn_netfeed *f, const char *path, uint64_t max_bytes, char *err,
    size_t errlen)
{
	struct stat st;
	void *map = NULL;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "feed %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PN_EIO;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max_bytes ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		snprintf(err, errlen, "feed %s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than netfeeds.max_file_size" : "not a regular file");
		close(fd);
		return S_ISREG(st.st_mode) ? PN_ELIMIT : PN_EIO;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			snprintf(err, errlen, "feed %s: mmap: %s", path, strerror(errno));
			close(fd);
			return PN_EIO;
		}
		(void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	rc = pn_netfeed_parse(f, map != NULL ? map : "", (size_t)st.st_size);
	if (map != NULL)
		munmap(map, (size_t)st.st_size);
	if (rc == PN_ELIMIT)
		snprintf(err, errlen, "feed %s: more than %zu entries (netfeeds.max_entries)",
		    path, f->max_entries);
	return rc;
}

void
pn_netfeed_get_stats(const struct pn_netfeed *f, struct pn_netfeed_stats *st)
{
	*st = f->st;
	st->format = f->format;
}

unsigned
pn_netfeed_kinds(const struct pn_netfeed *f)
{
	return format_kinds(f->format);
}

/* ------------------------------------------------------------------------
 * Lookups.
 */

static int
hit_from_rec(const struct pn_netfeed *f, const char *rec, const char *how,
    struct pn_netfeed_hit *hit)
{
	hit->entry = rec + NF_REC_HDR;
	hit->label = label_get(f, rd32(rec));
	hit->extra = label_get(f, rd32(rec + 4));
	hit->line = rd32(rec + 8);
	hit->how = how;
	return 1;
}

static int
match_url(const struct pn_netfeed *f, const char *canonical, struct pn_netfeed_hit *hit)
{
	const char *k = url_key(canonical), *rec, *path;
	size_t n = strlen(k), q = strcspn(k, "?"), i, ps, tries = 0;

	if ((rec = set_find(f, k, n)) != NULL)
		return hit_from_rec(f, rec, "exact", hit);
	if (q < n && (rec = set_find(f, k, q)) != NULL)
		return hit_from_rec(f, rec, "without-query", hit);
	if (f->format == PN_NETFEED_URLHAUS || (path = memchr(k, '/', q)) == NULL)
		return 0;
	/* Directory prefixes, longest first ("host/a/b/", "host/a/", "host/"). */
	ps = (size_t)(path - k);
	for (i = q; i-- > ps && tries < PN_NETFEED_MAX_PREFIXES; ) {
		if (k[i] != '/' || i + 1 == q)
			continue;
		tries++;
		if ((rec = set_find(f, k, i + 1)) != NULL)
			return hit_from_rec(f, rec, "path-prefix", hit);
	}
	return 0;
}

static int
match_name(const struct pn_netfeed *f, const char *name, struct pn_netfeed_hit *hit)
{
	const char *p = name, *rec;

	if ((rec = set_find(f, p, strlen(p))) != NULL)
		return hit_from_rec(f, rec, "host", hit);
	if (f->format != PN_NETFEED_DOMAINS)
		return 0;
	while ((p = strchr(p, '.')) != NULL && strchr(++p, '.') != NULL)
		if ((rec = set_find(f, p, strlen(p))) != NULL)
			return hit_from_rec(f, rec, "parent-domain", hit);
	return 0;
}

static int
match_ip(const struct pn_netfeed *f, const char *ip, struct pn_netfeed_hit *hit)
{
	char buf[64];
	uint8_t a[16];
	const struct nf_range *r;
	size_t n = strlen(ip);
	int bits;

	if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, ip + 1, n - 2);
		buf[n - 2] = '\0';
		ip = buf;
	}
	if (ip16(ip, a, &bits) != PN_OK || (r = range_find(f, a)) == NULL)
		return 0;
	hit->entry = NULL;
	hit->label = label_get(f, r->label);
	hit->extra = label_get(f, r->extra);
	hit->line = r->line;
	hit->how = "cidr";
	return 1;
}

int
pn_netfeed_match(const struct pn_netfeed *f, const struct pn_net_target *t,
    struct pn_netfeed_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	switch (f->format) {
	case PN_NETFEED_URLS:
	case PN_NETFEED_URLHAUS:
	case PN_NETFEED_OPENPHISH:
	case PN_NETFEED_PHISHTANK:
		return t->kind == PN_OBJ_URL && t->url != NULL && match_url(f, t->url, hit);
	case PN_NETFEED_DOMAINS:
	case PN_NETFEED_HOSTS:
		return t->kind != PN_OBJ_IP && t->domain != NULL && match_name(f, t->domain, hit);
	case PN_NETFEED_CIDR:
		return t->kind != PN_OBJ_DOMAIN && t->ip != NULL && match_ip(f, t->ip, hit);
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------------
 * Configuration: "Name=format:path" entries.
 */

static char *
trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= 64)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '"')
			return 0;
	/* The other columns of the set (netengines.c). */
	return strcmp(s, "Panoptes-URLHeur") != 0 && strcmp(s, "Panoptes-DomainHeur") != 0 &&
	    strcmp(s, "NetFeeds") != 0;
}

static int
conf_entry(char *s, struct pn_netfeed_conf *c, char *err, size_t errlen)
{
	char *eq = strchr(s, '='), *name, *rest, *colon;

	if (eq == NULL) {
		snprintf(err, errlen, "netfeeds.feeds: \"%s\" is not Name=format:path", s);
		return PN_EINVAL;
	}
	*eq = '\0';
	name = trim(s);
	rest = trim(eq + 1);
	if (!valid_name(name)) {
		snprintf(err, errlen, "netfeeds.feeds: bad feed name \"%s\"", name);
		return PN_EINVAL;
	}
	pn_strlcpy(c->name, name, sizeof(c->name));
	c->format = PN_NETFEED_AUTO;
	if ((colon = strchr(rest, ':')) != NULL) {
		*colon = '\0';
		if (pn_netfeed_format_parse(trim(rest), &c->format) == PN_OK)
			rest = trim(colon + 1);
		else
			*colon = ':';
	}
	if (*rest == '\0' || strlen(rest) >= sizeof(c->path)) {
		snprintf(err, errlen, "netfeeds.feeds: feed %s has no usable path", name);
		return PN_EINVAL;
	}
	pn_strlcpy(c->path, rest, sizeof(c->path));
	return PN_OK;
}

int
pn_netfeed_conf_list(const struct pn_conf *conf, struct pn_netfeed_conf **out, size_t *n,
    char *err, size_t errlen)
{
	char *list = pn_xstrdup(pn_conf_get(conf, "netfeeds.feeds"));
	struct pn_netfeed_conf *v = pn_xcalloc(PN_NETFEED_MAX_FEEDS, sizeof(*v));
	char *p = list;
	size_t i, cnt = 0;
	int rc = PN_OK;

	while (p != NULL && *p != '\0' && rc == PN_OK) {
		size_t len = strcspn(p, ",\n");
		char *next = p[len] != '\0' ? p + len + 1 : NULL, *s;

		p[len] = '\0';
		s = trim(p);
		p = next;
		if (*s == '\0')
			continue;
		if (cnt == PN_NETFEED_MAX_FEEDS) {
			snprintf(err, errlen, "netfeeds.feeds: more than %d feeds", PN_NETFEED_MAX_FEEDS);
			rc = PN_EINVAL;
			break;
		}
		if ((rc = conf_entry(s, &v[cnt], err, errlen)) != PN_OK)
			break;
		for (i = 0; i < cnt; i++) {
			if (strcmp(v[i].name, v[cnt].name) == 0) {
				snprintf(err, errlen, "netfeeds.feeds: feed name %s used twice", v[cnt].name);
				rc = PN_EINVAL;
			}
		}
		cnt++;
	}
	free(list);
	if (rc != PN_OK) {
		free(v);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = v;
	*n = cnt;
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * The adapter.
 */

struct nf_engine {
	struct pn_netfeed_conf c;
	struct pn_netfeed *feed;
};

static int
feed_install(struct pn_net_engine *e, const struct pn_conf *conf)
{
	struct nf_engine *ne = e->priv;
	int64_t max = pn_conf_get_int(conf, "netfeeds.max_entries"), t0 = pn_mono_ms();
	struct pn_netfeed *f;
	struct pn_netfeed_stats st;
	struct stat sb;
	char when[32] = "";
	int rc;

	if (max <= 0) {
		snprintf(e->error, sizeof(e->error), "netfeeds.max_entries must be positive");
		return PN_EINVAL;
	}
	f = pn_netfeed_new(ne->c.format, (size_t)max);
	rc = pn_netfeed_load_file(f, ne->c.path, pn_conf_get_size(conf, "netfeeds.max_file_size"),
	    e->error, sizeof(e->error));
	if (rc == PN_OK && stat(ne->c.path, &sb) != 0)
		sb.st_mtime = 0;
	if (rc != PN_OK) {
		pn_netfeed_free(f);
		log_warnx("netfeed %s: %s", e->name, e->error);
		return rc;
	}
	pn_netfeed_free(ne->feed);
	ne->feed = f;
	e->error[0] = '\0';
	e->kinds = pn_netfeed_kinds(f);
	pn_netfeed_get_stats(f, &st);
	if (sb.st_mtime > 0) {
		struct tm tm;
		time_t mt = sb.st_mtime;

		if (gmtime_r(&mt, &tm) != NULL)
			strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm);
	}
	snprintf(e->version, sizeof(e->version), "%s/%zu", when[0] ? when : "0", st.entries);
	pn_ext_date(sb.st_mtime, e->update, sizeof(e->update));
	log_info("netfeed %s: %s, %zu entries from %zu lines (%zu duplicates, %zu malformed), "
	    "%lld ms", e->name, pn_netfeed_format_name(st.format), st.entries, st.lines,
	    st.duplicates, st.malformed, (long long)(pn_mono_ms() - t0));
	return PN_OK;
}

/* e->priv arrives as a heap struct pn_netfeed_conf (netengines.c). */
static int
feed_init(struct pn_net_engine *e, const struct pn_conf *conf)
{
	struct pn_netfeed_conf *c = e->priv;
	struct nf_engine *ne = pn_xcalloc(1, sizeof(*ne));

	if (c != NULL)
		ne->c = *c;
	free(c);
	e->priv = ne;
	e->kinds = format_kinds(ne->c.format);
	if (ne->c.path[0] == '\0') {
		snprintf(e->error, sizeof(e->error), "no feed file configured");
		return PN_EINVAL;
	}
	return feed_install(e, conf);
}

/* Re-read the feed's entry by name (its path or format may have changed). */
static int
feed_reload(struct pn_net_engine *e, const struct pn_conf *conf)
{
	struct nf_engine *ne = e->priv;
	struct pn_netfeed_conf *fc = NULL, old;
	size_t n = 0, i;
	int rc;

	if (ne == NULL)
		return PN_EINTERNAL;
	old = ne->c;
	if (pn_netfeed_conf_list(conf, &fc, &n, e->error, sizeof(e->error)) != PN_OK)
		return PN_EINVAL;
	for (i = 0; i < n; i++)
		if (strcmp(fc[i].name, ne->c.name) == 0)
			ne->c = fc[i];
	free(fc);
	if ((rc = feed_install(e, conf)) != PN_OK)
		ne->c = old;
	return rc;
}

static void
feed_free(struct pn_net_engine *e)
{
	struct nf_engine *ne = e->priv;

	if (ne != NULL)
		pn_netfeed_free(ne->feed);
	free(ne);
	e->priv = NULL;
}

static int
feed_scan(struct pn_net_engine *e, const struct pn_net_target *t, struct pn_verdict *v)
{
	const struct nf_engine *ne = e->priv;
	struct pn_netfeed_hit hit;
	struct json_object *d;

	memset(v, 0, sizeof(*v));
	if (ne == NULL || ne->feed == NULL)
		return PN_EINTERNAL;
	v->method = pn_xstrdup("blacklist");
	if (!pn_netfeed_match(ne->feed, t, &hit)) {
		v->category = PN_CAT_UNDETECTED;
		v->result = pn_xstrdup("unrated");
		return PN_OK;
	}
	v->category = PN_CAT_MALICIOUS;
	v->result = pn_xstrdup(hit.label != NULL ? hit.label : "malicious");
	d = json_object_new_object();
	json_object_object_add(d, "feed", json_object_new_string(e->name));
	json_object_object_add(d, "format",
	    json_object_new_string(pn_netfeed_format_name(ne->feed->format)));
	json_object_object_add(d, "match", json_object_new_string(hit.how));
	if (hit.entry != NULL)
		json_object_object_add(d, "entry", json_object_new_string(hit.entry));
	if (hit.extra != NULL)
		json_object_object_add(d, "info", json_object_new_string(hit.extra));
	json_object_object_add(d, "line", json_object_new_int64((int64_t)hit.line));
	v->details = d;
	return PN_OK;
}

const struct pn_net_engine_ops pn_net_feed_ops = {
	"netfeed", PN_OBJ_URL | PN_OBJ_DOMAIN | PN_OBJ_IP,
	feed_init, feed_scan, feed_reload, feed_free,
};
