/*
 * strings.c - the string extractor and the "strings" parser (see
 * strings.h): printable ASCII and UTF-16LE strings of any file, the
 * indicators found in them (ioc.h), "strings_info" and the
 * embedded_urls / embedded_domains / embedded_ips relationships.
 *
 * Work is bounded by the bytes looked at (PN_STRINGS_MAX_SCAN: three
 * linear passes, one ASCII and one per UTF-16 alignment), the strings
 * examined (PN_STRINGS_MAX_COUNT) and the distinct values kept per kind
 * (PN_STRINGS_MAX_IOCS, in a fixed open-addressing table so repeated
 * values cost one hash lookup).  Memory: the UTF-16 conversion buffer
 * (<= half the scanned bytes) and the kept values.
 *
 * Limits: PN_STRINGS_* (strings.h), PN_IOC_* (ioc.h).
 * Errors: PN_ELIMIT when a limit cut the scan (noted, results kept).
 * See also: docs/internals/strings-ioc.md, tests/unit/test_strings.c,
 * tests/fuzz/fuzz_strings.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "strings.h"
#include "ioc.h"

#include <json-c/json.h>

#define SET_SLOTS  512   /* hash slots per kind: a power of two > 2 * PN_STRINGS_MAX_IOCS */

/* ------------------------------------------------------------------ */
/* Extraction                                                          */

/* Bytes a string is made of, as strings(1): printable ASCII and tab. */
static const uint8_t printable[256] = { ['\t'] = 1, [0x20 ... 0x7e] = 1 };

struct extract {
	size_t min_len;
	pn_strings_fn fn;
	void *ctx;
	struct pn_strings_stats *st;
	uint64_t left;   /* strings we may still deliver */
};

/* Deliver one string; PN_ELIMIT when the count limit is reached. */
static int
deliver(struct extract *x, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	int rc;

	if (x->left == 0) {
		x->st->truncated = 1;
		return PN_ELIMIT;
	}
	x->left--;
	if (enc == PN_STRINGS_ASCII)
		x->st->ascii++;
	else
		x->st->utf16++;
	rc = x->fn(x->ctx, enc, off, s, len);
	return rc;
}

/* Runs of at least min_len printable bytes. */
static int
extract_ascii(struct extract *x, const uint8_t *d, size_t n)
{
	size_t i = 0, start;
	int rc;

	while (i < n) {
		while (i < n && !printable[d[i]])
			i++;
		for (start = i; i < n && printable[d[i]]; i++)
			;
		if (i - start >= x->min_len && (rc = deliver(x, PN_STRINGS_ASCII, start,
		    (const char *)d + start, i - start)) != 0)
			return rc;
	}
	return PN_OK;
}

/* UTF-16LE code units c,0 with c printable, at offsets parity, parity+2, ... */
static int
extract_utf16(struct extract *x, const uint8_t *d, size_t n, size_t parity, char *buf)
{
	size_t i = parity, start, run;
	int rc;

	while (i + 1 < n) {
		while (i + 1 < n && (d[i + 1] != 0 || !printable[d[i]]))
			i += 2;
		for (start = i, run = 0; i + 1 < n && d[i + 1] == 0 && printable[d[i]]; i += 2)
			buf[run++] = (char)d[i];
		if (run >= x->min_len && (rc = deliver(x, PN_STRINGS_UTF16LE, start, buf, run)) != 0)
			return rc;
	}
	return PN_OK;
}

int
pn_strings_extract(const uint8_t *data, size_t size, size_t min_len,
    pn_strings_fn fn, void *ctx, struct pn_strings_stats *st)
{
	struct extract x;
	size_t n = PN_MIN(size, (size_t)PN_STRINGS_MAX_SCAN);
	char *buf;
	int rc;

	memset(st, 0, sizeof(*st));
	if (min_len == 0)
		return PN_EINVAL;
	st->scanned = n;
	st->truncated = n < size;
	x.min_len = min_len;
	x.fn = fn;
	x.ctx = ctx;
	x.st = st;
	x.left = PN_STRINGS_MAX_COUNT;
	rc = extract_ascii(&x, data, n);
	if (rc == PN_OK && n >= 2) {
		buf = pn_xmalloc(n / 2 + 1);
		rc = extract_utf16(&x, data, n, 0, buf);
		if (rc == PN_OK)
			rc = extract_utf16(&x, data, n, 1, buf);
		free(buf);
	}
	if (rc == PN_OK && st->truncated)
		rc = PN_ELIMIT;
	return rc;
}

/* ------------------------------------------------------------------ */
/* A small set of strings: insertion order kept, fixed capacity        */

struct sset {
	char *v[PN_STRINGS_MAX_IOCS];     /* values in order of arrival */
	uint16_t slot[SET_SLOTS];         /* index + 1 into v, 0 = empty */
	size_t n;
	int full;                         /* a new value did not fit */
};

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

/* Add s unless present; 1 if added, 0 if present or full. */
static int
sset_add(struct sset *set, const char *s)
{
	uint32_t h = fnv1a(s) & (SET_SLOTS - 1);

	while (set->slot[h] != 0) {
		if (strcmp(set->v[set->slot[h] - 1], s) == 0)
			return 0;
		h = (h + 1) & (SET_SLOTS - 1);
	}
	if (set->n >= PN_STRINGS_MAX_IOCS) {
		set->full = 1;
		return 0;
	}
	set->v[set->n] = pn_xstrdup(s);
	set->slot[h] = (uint16_t)(++set->n);
	return 1;
}

static void
sset_free(struct sset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->v[i]);
	set->n = 0;
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

enum { K_URL, K_DOMAIN, K_IP, K_EMAIL, K_N };

static const char *const list_key[K_N] = { "urls", "domains", "ips", "emails" };
static const char *const count_key[K_N] = { "url_count", "domain_count", "ip_count", "email_count" };

struct found {
	struct sset set[K_N];
};

static int
on_ioc(void *ctx, enum pn_ioc_kind kind, const char *value, unsigned where)
{
	struct found *f = ctx;
	static const int map[PN_IOC_NKINDS] = { K_URL, K_DOMAIN, K_IP, K_IP, K_EMAIL };

	if ((unsigned)kind < PN_IOC_NKINDS)
		sset_add(&f->set[map[kind]], value);
	return 0;
}

static int
on_string(void *ctx, enum pn_strings_enc enc, size_t off, const char *s, size_t len)
{
	return pn_ioc_scan(s, len, on_ioc, ctx);
}

static int
strings_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	return size > 0 ? 1 : 0;
}

/* Only globally routable addresses become ip_address relationships. */
static int
ip_is_public(const char *ip)
{
	uint8_t a[16];

	if (pn_ioc_ipv4(ip, strlen(ip), a) == PN_OK)
		return pn_ioc_ip_public(4, a);
	if (pn_ioc_ipv6(ip, strlen(ip), a, NULL, 0) == PN_OK)
		return pn_ioc_ip_public(6, a);
	return 0;
}

static void
add_edges(struct pn_parse *p, const struct found *f)
{
	static const char *const rel[K_N] = { "embedded_urls", "embedded_domains", "embedded_ips", NULL };
	static const char *const type[K_N] = { "url", "domain", "ip_address", NULL };
	size_t i, k, added;

	for (k = 0; k < K_N; k++) {
		if (rel[k] == NULL)
			continue;
		for (i = 0, added = 0; i < f->set[k].n && added < PN_STRINGS_MAX_EDGES; i++) {
			if (k == K_IP && !ip_is_public(f->set[k].v[i]))
				continue;
			pn_parse_edge(p, rel[k], type[k], f->set[k].v[i]);
			added++;
		}
	}
}

static struct json_object *
info_json(const struct found *f, const struct pn_strings_stats *st)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i, k;
	int truncated = st->truncated;

	json_object_object_add(o, "ascii_count", json_object_new_int64((int64_t)st->ascii));
	json_object_object_add(o, "utf16_count", json_object_new_int64((int64_t)st->utf16));
	json_object_object_add(o, "scanned_bytes", json_object_new_int64((int64_t)st->scanned));
	for (k = 0; k < K_N; k++) {
		json_object_object_add(o, count_key[k], json_object_new_int64((int64_t)f->set[k].n));
		a = json_object_new_array();
		for (i = 0; i < f->set[k].n && i < PN_STRINGS_MAX_LISTED; i++)
			json_object_array_add(a, json_object_new_string(f->set[k].v[i]));
		json_object_object_add(o, list_key[k], a);
		truncated |= f->set[k].full;
	}
	if (truncated)
		json_object_object_add(o, "truncated", json_object_new_boolean(1));
	return o;
}

static int
strings_parse(struct pn_parse *p)
{
	struct pn_strings_stats st;
	struct found *f = pn_xcalloc(1, sizeof(*f));
	size_t k;
	int rc;

	rc = pn_strings_extract(p->data, p->size, PN_STRINGS_MIN_LEN, on_string, f, &st);
	if (rc != PN_OK && rc != PN_ELIMIT)
		rc = PN_OK;   /* our callbacks never stop the scan */
	if (p->size > PN_STRINGS_MAX_SCAN)
		pn_parse_note(p, "strings: only the first %u bytes were scanned", PN_STRINGS_MAX_SCAN);
	else if (rc == PN_ELIMIT)
		pn_parse_note(p, "strings: stopped after %u strings", PN_STRINGS_MAX_COUNT);
	json_object_object_add(p->attrs, "strings_info", info_json(f, &st));
	add_edges(p, f);
	for (k = 0; k < K_N; k++)
		sset_free(&f->set[k]);
	free(f);
	return rc;
}

const struct pn_parser pn_parser_strings = {
	"strings",
	strings_bid,
	strings_parse,
};
