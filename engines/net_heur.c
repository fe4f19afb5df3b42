/*
 * net_heur.c - the heuristic URL and domain engines "Panoptes-URLHeur"
 * (kind URL) and "Panoptes-DomainHeur" (kind DOMAIN): scored signals over
 * the parsed URL, its host and the fetcher's facts.
 *
 * Signals (id, score; docs/internals/net-engines.md §3):
 *   Lookalike          80  registrable label folds to a brand (paypa1,
 *                          xn--pypal-4ve = p<cyrillic a>ypal, rn for m)
 *   LookalikeTypo      60  folded label one edit (Damerau) from a brand
 *   BrandTLD           60  brand name as label under a suspicious TLD
 *   BrandInSubdomain   50  a subdomain label is a brand (paypal.com.evil.example)
 *   BrandInDomain      50  a hyphen-separated part of the label is a brand,
 *                          or the label contains a brand of 6+ letters
 *   BrandInPath        20  a path segment is a brand name (URLs only)
 *   MixedScript        40  a punycode label mixes Latin with Cyrillic/Greek
 *   SuspiciousTLD      30  TLD in netheur.tlds
 *   ExcessiveSubdomains 20 more than netheur.max_subdomains labels before
 *                          the registrable domain
 *   RawIPHost          30  the URL's host is an IP literal
 *   UserinfoInURL      40  '@' in the authority (60 when it names a host)
 *   Shortener          20  host in netheur.shorteners
 *   LongURL            15  canonical URL over netheur.long_url bytes
 *   EncodedPath        20  path/query mostly percent-escapes, or a long
 *                          base64 run
 *   ExecutableDownload 40  path ends in an executable extension;
 *                      50  the fetched body is an executable
 *   NonStandardPort    15  port other than 80/443
 *   ManyRedirects      20  more than netheur.max_redirects redirects
 * A final URL (after redirects) on another host adds that host's signals,
 * and its path is checked for an executable extension too.
 * The total is compared with netheur.suspicious_score and
 * netheur.malicious_score; result "<Family>.<Kind>[.<brand>]" of the
 * top-scoring reason (Phishing.Lookalike.paypal, Malware.Download,
 * Suspicious.RawIPHost), details {"reasons": [...], "score": n}.  No
 * reason: harmless "clean"; reasons under the threshold: undetected.
 * Hosts under a brand's own domains get no brand signal for that brand.
 *
 * Ownership: e->priv is a struct nh_data (lists, libpsl context), built by
 * init/reload (a reload swaps only on success), read-only during scans.
 * Limits: PN_NH_MAX_BRANDS brands, PN_NH_MAX_LIST entries per list,
 * labels of PN_NH_MAX_CP code points after punycode decoding.
 * Errors: init/reload: PN_EIO (a list file cannot be read), PN_EINTERNAL
 * (no public suffix list); scan: PN_OK, PN_EINTERNAL without data.
 * See also: netengine.h, engines/net_data/README.md,
 * tests/unit/test_netengines.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "netengine.h"
#include "heur.h"
#include "external.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>

#include <libpsl.h>

/* Options of the URL/domain heuristics (docs/CONFIG.md [netheur]). */
const struct pn_conf_opt pn_conf_netheur[] = {
	{ "netheur.enabled", PN_CONF_BOOL, "true", "run Panoptes-URLHeur and Panoptes-DomainHeur" },
	{ "netheur.brands", PN_CONF_STR, "", "brand list file; default engines/net_data/brands.txt" },
	{ "netheur.tlds", PN_CONF_STR, "", "suspicious TLD list file; default engines/net_data/suspicious_tlds.txt" },
	{ "netheur.shorteners", PN_CONF_STR, "", "URL shortener host list file; default engines/net_data/shorteners.txt" },
	{ "netheur.suspicious_score", PN_CONF_INT, "40", "score from which a URL/domain is suspicious" },
	{ "netheur.malicious_score", PN_CONF_INT, "80", "score from which a URL/domain is malicious" },
	{ "netheur.max_subdomains", PN_CONF_INT, "4", "labels before the registrable domain tolerated" },
	{ "netheur.long_url", PN_CONF_INT, "300", "canonical URL length from which it is long" },
	{ "netheur.max_redirects", PN_CONF_INT, "3", "redirects tolerated" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_NH_MAX_BRANDS   1024      /* brands in the list */
#define PN_NH_MAX_OWN      64        /* own domains per brand */
#define PN_NH_MAX_LIST     65536     /* entries of the TLD and shortener lists */
#define PN_NH_MAX_CP       64        /* code points of a decoded label */
#define PN_NH_MAX_FILE     (4u << 20) /* bytes of a list file */
#define PN_NH_B64_RUN      120       /* base64 characters in a row that look encoded */
#define PN_NH_VERSION      "1.0"

struct nh_brand {
	char name[64];
	char skel[64];               /* folded name */
	int typo;                    /* edit-distance matching on */
	char **own;                  /* own registrable domains */
	size_t nown;
};

struct nh_data {
	struct nh_brand *b;
	size_t nb;
	char **tlds, **short_hosts;
	size_t ntlds, nshort;
	const psl_ctx_t *psl;        /* the one used */
	psl_ctx_t *own_psl;          /* from psl_latest(), freed; NULL with psl_builtin() */
	int suspicious, malicious, max_sub, long_url, max_redirects;
	int64_t newest;              /* newest list mtime */
};

/* ------------------------------------------------------------------------
 * Lists.
 */

static int
read_file(const char *path, char **out, int64_t *mtime, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	char *buf;
	size_t n;
	struct stat st;

	if (fp == NULL || fstat(fileno(fp), &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return PN_EIO;
	}
	if ((uint64_t)st.st_size > PN_NH_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, PN_NH_MAX_FILE);
		fclose(fp);
		return PN_ELIMIT;
	}
	buf = pn_xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, fp);
	buf[n] = '\0';
	fclose(fp);
	*out = buf;
	*mtime = st.st_mtime;
	return PN_OK;
}

/* The configured path of a list, or its built-in file. */
static int
list_path(const struct pn_conf *conf, const char *key, const char *file, char *out, size_t len)
{
	const char *p = pn_conf_get(conf, key);
	char rel[128];

	if (p != NULL && *p != '\0') {
		pn_strlcpy(out, p, len);
		return PN_OK;
	}
	snprintf(rel, sizeof(rel), "engines/net_data/%s", file);
	if (pn_builtin_path(rel, out, len) == PN_OK)
		return PN_OK;
	pn_strlcpy(out, rel, len);   /* relative to the working directory (source tree) */
	return PN_OK;
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Split text into trimmed, lower-cased, non-comment lines (in place). */
static size_t
lines_of(char *text, char **v, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (p != NULL && *p != '\0' && n < max) {
		char *nl = strchr(p, '\n'), *s = p, *e;

		if (nl != NULL)
			*nl = '\0';
		p = nl != NULL ? nl + 1 : NULL;
		s += strspn(s, " \t\r");
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		lower(s);
		v[n++] = s;
	}
	return n;
}

static int
load_list(const char *path, char ***out, size_t *n, int64_t *newest, char *err, size_t errlen)
{
	char *text, **v;
	int64_t mt;
	size_t i;
	int rc;

	if ((rc = read_file(path, &text, &mt, err, errlen)) != PN_OK)
		return rc;
	v = pn_xcalloc(PN_NH_MAX_LIST, sizeof(*v));
	*n = lines_of(text, v, PN_NH_MAX_LIST);
	for (i = 0; i < *n; i++) {
		v[i] = pn_xstrndup(v[i], strcspn(v[i], " \t"));
		if (v[i][0] == '.')
			memmove(v[i], v[i] + 1, strlen(v[i]));
	}
	free(text);
	*out = v;
	*newest = PN_MAX(*newest, mt);
	return PN_OK;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------------------
 * Folding look-alike characters.
 */

/* Unicode letters that render like an ASCII letter (Cyrillic, Greek, Latin). */
struct confusable {
	uint32_t cp;
	char a;
};

static const struct confusable confusables[] = {
	{ 0x00e0, 'a' }, { 0x00e1, 'a' }, { 0x00e2, 'a' }, { 0x00e3, 'a' }, { 0x00e4, 'a' },
	{ 0x00e5, 'a' }, { 0x00e7, 'c' }, { 0x00e8, 'e' }, { 0x00e9, 'e' }, { 0x00ea, 'e' },
	{ 0x00eb, 'e' }, { 0x00ec, 'i' }, { 0x00ed, 'i' }, { 0x00ee, 'i' }, { 0x00ef, 'i' },
	{ 0x00f1, 'n' }, { 0x00f2, 'o' }, { 0x00f3, 'o' }, { 0x00f4, 'o' }, { 0x00f5, 'o' },
	{ 0x00f6, 'o' }, { 0x00f8, 'o' }, { 0x00f9, 'u' }, { 0x00fa, 'u' }, { 0x00fb, 'u' },
	{ 0x00fc, 'u' }, { 0x00fd, 'y' }, { 0x00ff, 'y' }, { 0x0101, 'a' }, { 0x0103, 'a' },
	{ 0x0105, 'a' }, { 0x0107, 'c' }, { 0x0109, 'c' }, { 0x010b, 'c' }, { 0x010d, 'c' },
	{ 0x010f, 'd' }, { 0x0111, 'd' }, { 0x0113, 'e' }, { 0x0115, 'e' }, { 0x0117, 'e' },
	{ 0x0119, 'e' }, { 0x011b, 'e' }, { 0x011d, 'g' }, { 0x011f, 'g' }, { 0x0121, 'g' },
	{ 0x0123, 'g' }, { 0x0125, 'h' }, { 0x0127, 'h' }, { 0x0129, 'i' }, { 0x012b, 'i' },
	{ 0x012d, 'i' }, { 0x012f, 'i' }, { 0x0131, 'i' }, { 0x0135, 'j' }, { 0x0137, 'k' },
	{ 0x013a, 'l' }, { 0x013c, 'l' }, { 0x013e, 'l' }, { 0x0140, 'l' }, { 0x0142, 'l' },
	{ 0x0144, 'n' }, { 0x0146, 'n' }, { 0x0148, 'n' }, { 0x014d, 'o' }, { 0x014f, 'o' },
	{ 0x0151, 'o' }, { 0x0155, 'r' }, { 0x0157, 'r' }, { 0x0159, 'r' }, { 0x015b, 's' },
	{ 0x015d, 's' }, { 0x015f, 's' }, { 0x0161, 's' }, { 0x0163, 't' }, { 0x0165, 't' },
	{ 0x0167, 't' }, { 0x0169, 'u' }, { 0x016b, 'u' }, { 0x016d, 'u' }, { 0x016f, 'u' },
	{ 0x0171, 'u' }, { 0x0173, 'u' }, { 0x0175, 'w' }, { 0x0177, 'y' }, { 0x017a, 'z' },
	{ 0x017c, 'z' }, { 0x017e, 'z' }, { 0x0251, 'a' }, { 0x0261, 'g' }, { 0x0269, 'i' },
	{ 0x03b1, 'a' }, { 0x03b2, 'b' }, { 0x03b3, 'y' }, { 0x03b5, 'e' }, { 0x03b9, 'i' },
	{ 0x03ba, 'k' }, { 0x03bd, 'v' }, { 0x03bf, 'o' }, { 0x03c1, 'p' }, { 0x03c4, 't' },
	{ 0x03c5, 'u' }, { 0x03c7, 'x' }, { 0x03f2, 'c' }, { 0x0430, 'a' }, { 0x0432, 'b' },
	{ 0x0435, 'e' }, { 0x043a, 'k' }, { 0x043c, 'm' }, { 0x043d, 'h' }, { 0x043e, 'o' },
	{ 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0442, 't' }, { 0x0443, 'y' }, { 0x0445, 'x' },
	{ 0x044c, 'b' }, { 0x0451, 'e' }, { 0x0455, 's' }, { 0x0456, 'i' }, { 0x0457, 'i' },
	{ 0x0458, 'j' }, { 0x04bb, 'h' }, { 0x04cf, 'l' }, { 0x0501, 'd' }, { 0x051b, 'q' },
	{ 0x051d, 'w' },
};

enum { SCRIPT_LATIN = 1, SCRIPT_GREEK = 2, SCRIPT_CYRILLIC = 4, SCRIPT_OTHER = 8 };

static unsigned
script_of(uint32_t cp)
{
	if (cp < 0x80 && isalpha((int)cp))
		return SCRIPT_LATIN;
	if (cp < 0x80)
		return 0;                       /* digits, hyphen */
	if ((cp >= 0xc0 && cp <= 0x24f) || (cp >= 0x1e00 && cp <= 0x1eff))
		return SCRIPT_LATIN;
	if (cp >= 0x370 && cp <= 0x3ff)
		return SCRIPT_GREEK;
	if (cp >= 0x400 && cp <= 0x52f)
		return SCRIPT_CYRILLIC;
	return SCRIPT_OTHER;
}

static int
conf_cmp(const void *k, const void *e)
{
	uint32_t a = *(const uint32_t *)k, b = ((const struct confusable *)e)->cp;

	return a < b ? -1 : a > b;
}

static char
fold_cp(uint32_t cp)
{
	const struct confusable *hit;

	if (cp < 0x80)
		return (char)tolower((int)cp);
	hit = bsearch(&cp, confusables, PN_ARRAY_LEN(confusables), sizeof(confusables[0]), conf_cmp);
	return hit != NULL ? hit->a : '?';
}

/*
 * RFC 3492 punycode decoding of an "xn--" label's tail (the part after
 * "xn--") into at most PN_NH_MAX_CP code points; PN_EFORMAT.
 */
static int
punycode_decode(const char *in, uint32_t *out, size_t *outn)
{
	const uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700;
	uint32_t n = 128, i = 0, bias = 72;
	const char *delim = strrchr(in, '-'), *p;
	size_t len = 0;

	if (delim != NULL) {
		for (p = in; p < delim; p++) {
			if (len == PN_NH_MAX_CP || (unsigned char)*p >= 0x80)
				return PN_EFORMAT;
			out[len++] = (unsigned char)*p;
		}
		p = delim + 1;
	} else
		p = in;
	while (*p != '\0') {
		uint32_t oldi = i, w = 1, k, digit, t;

		for (k = base;; k += base) {
			char c = *p++;

			if (c >= 'a' && c <= 'z')
				digit = (uint32_t)(c - 'a');
			else if (c >= 'A' && c <= 'Z')
				digit = (uint32_t)(c - 'A');
			else if (c >= '0' && c <= '9')
				digit = (uint32_t)(c - '0' + 26);
			else
				return PN_EFORMAT;
			if (digit > (UINT32_MAX - i) / w)
				return PN_EFORMAT;
			i += digit * w;
			t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
			if (digit < t)
				break;
			if (w > UINT32_MAX / (base - t) || *p == '\0')
				return PN_EFORMAT;
			w *= base - t;
		}
		{
			uint32_t delta = oldi == 0 ? (i - oldi) / damp : (i - oldi) / 2, kk = 0;
			uint32_t numpoints = (uint32_t)len + 1;

			delta += delta / numpoints;
			while (delta > ((base - tmin) * tmax) / 2) {
				delta /= base - tmin;
				kk += base;
			}
			bias = kk + (base - tmin + 1) * delta / (delta + skew);
			if (i / numpoints > 0x10ffff - n)
				return PN_EFORMAT;
			n += i / numpoints;
			i %= numpoints;
		}
		if (len == PN_NH_MAX_CP)
			return PN_EFORMAT;
		memmove(out + i + 1, out + i, (len - i) * sizeof(*out));
		out[i++] = n;
		len++;
	}
	*outn = len;
	return PN_OK;
}

/*
 * Skeleton of a label (ASCII or "xn--" punycode): look-alike letters and
 * digits folded to one letter (0->o, 1/i->l, 3->e, 4->a, 5->s, 7->t, 8->b,
 * 9->g, rn->m, vv->w), hyphens dropped.  *scripts gets the scripts seen,
 * *idn whether it was punycode.  Returns the skeleton length.
 */
static size_t
skeleton(const char *label, char *out, size_t cap, unsigned *scripts, int *idn)
{
	uint32_t cp[PN_NH_MAX_CP];
	size_t n = 0, i, o = 0;
	char tmp[PN_NH_MAX_CP + 1];
	size_t t = 0;

	*scripts = 0;
	*idn = 0;
	if (strncmp(label, "xn--", 4) == 0 && punycode_decode(label + 4, cp, &n) == PN_OK) {
		*idn = 1;
	} else {
		for (n = 0; label[n] != '\0' && n < PN_NH_MAX_CP; n++)
			cp[n] = (unsigned char)label[n];
	}
	for (i = 0; i < n; i++) {
		char c;

		*scripts |= script_of(cp[i]);
		c = fold_cp(cp[i]);
		switch (c) {
		case '0': c = 'o'; break;
		case '1': case 'i': c = 'l'; break;
		case '3': c = 'e'; break;
		case '4': c = 'a'; break;
		case '5': c = 's'; break;
		case '7': c = 't'; break;
		case '8': c = 'b'; break;
		case '9': c = 'g'; break;
		case '-': case '_': continue;
		default: break;
		}
		tmp[t++] = c;
	}
	tmp[t] = '\0';
	for (i = 0; i < t && o + 1 < cap; i++) {
		if (tmp[i] == 'r' && tmp[i + 1] == 'n') {
			out[o++] = 'm';
			i++;
		} else if (tmp[i] == 'v' && tmp[i + 1] == 'v') {
			out[o++] = 'w';
			i++;
		} else
			out[o++] = tmp[i];
	}
	out[o] = '\0';
	return o;
}

/* Damerau (optimal string alignment) distance of a and b, capped at 2. */
static int
edit_distance_le1(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;

	if (na > nb + 1 || nb > na + 1)
		return 0;
	for (i = 0; i < na && i < nb && a[i] == b[i]; i++)
		;
	if (i == na && i == nb)
		return 1;                                    /* equal */
	if (na == nb) {
		if (strcmp(a + i + 1, b + i + 1) == 0)
			return 1;                            /* substitution */
		return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0;   /* transposition */
	}
	if (na > nb)
		return strcmp(a + i + 1, b + i) == 0;        /* deletion */
	return strcmp(a + i, b + i + 1) == 0;                /* insertion */
}

/* ------------------------------------------------------------------------
 * Building the data.
 */

static void
brands_free(struct nh_brand *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free_list(b[i].own, b[i].nown);
	free(b);
}

static int
load_brands(struct nh_data *d, const char *path, char *err, size_t errlen)
{
	char *text, **lines;
	size_t n, i;
	int64_t mt;
	int rc;

	if ((rc = read_file(path, &text, &mt, err, errlen)) != PN_OK)
		return rc;
	d->newest = PN_MAX(d->newest, mt);
	lines = pn_xcalloc(PN_NH_MAX_BRANDS, sizeof(*lines));
	n = lines_of(text, lines, PN_NH_MAX_BRANDS);
	d->b = pn_xcalloc(n ? n : 1, sizeof(*d->b));
	for (i = 0; i < n; i++) {
		struct nh_brand *b = &d->b[d->nb];
		char *s = lines[i], *tok;
		unsigned sc;
		int idn;

		b->typo = *s != '~';
		s += *s == '~';
		tok = s;
		s += strcspn(s, " \t");
		if (s - tok == 0 || (size_t)(s - tok) >= sizeof(b->name))
			continue;
		pn_strlcpy(b->name, tok, (size_t)(s - tok) + 1);
		if (skeleton(b->name, b->skel, sizeof(b->skel), &sc, &idn) < 4)
			continue;
		b->own = pn_xcalloc(PN_NH_MAX_OWN, sizeof(*b->own));
		while (*s != '\0' && b->nown < PN_NH_MAX_OWN) {
			s += strspn(s, " \t");
			tok = s;
			s += strcspn(s, " \t");
			if (s > tok)
				b->own[b->nown++] = pn_xstrndup(tok, (size_t)(s - tok));
		}
		d->nb++;
	}
	free(lines);
	free(text);
	return PN_OK;
}

static void
data_free(struct nh_data *d)
{
	if (d == NULL)
		return;
	brands_free(d->b, d->nb);
	free_list(d->tlds, d->ntlds);
	free_list(d->short_hosts, d->nshort);
	if (d->own_psl != NULL)
		psl_free(d->own_psl);
	free(d);
}

static int
int_opt(const struct pn_conf *conf, const char *key, int def)
{
	int64_t v = pn_conf_get_int(conf, key);

	return v >= 0 && v < 1000000 ? (int)v : def;
}

static int
data_build(const struct pn_conf *conf, struct nh_data **out, char *err, size_t errlen)
{
	struct nh_data *d = pn_xcalloc(1, sizeof(*d));
	char path[1024];
	int rc;

	*out = NULL;
	d->suspicious = int_opt(conf, "netheur.suspicious_score", 40);
	d->malicious = PN_MAX(int_opt(conf, "netheur.malicious_score", 80), d->suspicious);
	d->max_sub = int_opt(conf, "netheur.max_subdomains", 4);
	d->long_url = int_opt(conf, "netheur.long_url", 300);
	d->max_redirects = int_opt(conf, "netheur.max_redirects", 3);
	list_path(conf, "netheur.brands", "brands.txt", path, sizeof(path));
	if ((rc = load_brands(d, path, err, errlen)) != PN_OK)
		goto fail;
	list_path(conf, "netheur.tlds", "suspicious_tlds.txt", path, sizeof(path));
	if ((rc = load_list(path, &d->tlds, &d->ntlds, &d->newest, err, errlen)) != PN_OK)
		goto fail;
	list_path(conf, "netheur.shorteners", "shorteners.txt", path, sizeof(path));
	if ((rc = load_list(path, &d->short_hosts, &d->nshort, &d->newest, err, errlen)) != PN_OK)
		goto fail;
	if ((d->own_psl = psl_latest(NULL)) != NULL)
		d->psl = d->own_psl;
	else if ((d->psl = psl_builtin()) == NULL) {
		snprintf(err, errlen, "no public suffix list (libpsl)");
		rc = PN_EINTERNAL;
		goto fail;
	}
	*out = d;
	return PN_OK;
fail:
	data_free(d);
	return rc;
}

/* ------------------------------------------------------------------------
 * Signals.
 */

struct nh_scan {
	const struct nh_data *d;
	struct pn_heur h;
	char brand[64];              /* brand of the top brand reason */
	int brand_score;
};

static void
brand_reason(struct nh_scan *s, const struct nh_brand *b, const char *id, const char *desc,
    int score, const char *evidence)
{
	if (pn_heur_has(&s->h, id))
		return;
	pn_heur_add(&s->h, id, desc, score, "%s (brand %s)", evidence, b->name);
	if (score > s->brand_score) {
		s->brand_score = score;
		pn_strlcpy(s->brand, b->name, sizeof(s->brand));
	}
}

static int
in_list(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* host is d or a subdomain of d. */
static int
under(const char *host, const char *d)
{
	size_t hn = strlen(host), dn = strlen(d);

	return hn >= dn && strcmp(host + hn - dn, d) == 0 && (hn == dn || host[hn - dn - 1] == '.');
}

static int
own_domain(const struct nh_brand *b, const char *host)
{
	size_t i;

	for (i = 0; i < b->nown; i++)
		if (under(host, b->own[i]))
			return 1;
	return 0;
}

static const char *
tld_of(const char *host)
{
	const char *dot = strrchr(host, '.');

	return dot != NULL ? dot + 1 : host;
}

/* Brand look-alikes in the registrable label, the subdomains. */
static void
check_brands(struct nh_scan *s, const char *host, const char *regdom, int sus_tld)
{
	char label[64], skel[64], part[64];
	size_t ln = strcspn(regdom, "."), i;
	unsigned scripts;
	int idn;

	if (ln == 0 || ln >= sizeof(label))
		return;
	memcpy(label, regdom, ln);
	label[ln] = '\0';
	skeleton(label, skel, sizeof(skel), &scripts, &idn);
	for (i = 0; i < s->d->nb; i++) {
		const struct nh_brand *b = &s->d->b[i];
		const char *sub;
		size_t bl = strlen(b->skel);

		if (own_domain(b, host))
			continue;
		if (strcmp(label, b->name) == 0) {
			if (sus_tld)
				brand_reason(s, b, "BrandTLD", "brand name under a suspicious TLD", 60,
				    host);
		} else if (strcmp(skel, b->skel) == 0) {
			brand_reason(s, b, "Lookalike", "host name looks like a brand", 80, host);
		} else if (b->typo && strlen(b->name) >= 5 && edit_distance_le1(skel, b->skel)) {
			brand_reason(s, b, "LookalikeTypo", "host name is one letter off a brand", 60,
			    host);
		} else {
			const char *p = label;

			while (*p != '\0') {              /* hyphen-separated parts */
				size_t pn = strcspn(p, "-");
				unsigned sc2;
				int idn2;

				if (pn > 0 && pn < sizeof(part)) {
					memcpy(part, p, pn);
					part[pn] = '\0';
					skeleton(part, part, sizeof(part), &sc2, &idn2);
					if (strcmp(part, b->skel) == 0 && strchr(label, '-') != NULL)
						brand_reason(s, b, "BrandInDomain",
						    "brand name inside the host name", 50, host);
				}
				p += pn + (p[pn] == '-');
			}
			if (bl >= 6 && strstr(skel, b->skel) != NULL)
				brand_reason(s, b, "BrandInDomain", "brand name inside the host name",
				    50, host);
		}
		/* Subdomain labels: paypal.com.evil.example, login-paypal.evil.example. */
		for (sub = host; sub < regdom; sub += strcspn(sub, ".") + 1) {
			size_t sn = strcspn(sub, ".");
			unsigned sc2;
			int idn2;

			if (sn == 0 || sn >= sizeof(part) || sub + sn > regdom)
				break;
			memcpy(part, sub, sn);
			part[sn] = '\0';
			skeleton(part, part, sizeof(part), &sc2, &idn2);
			if (strcmp(part, b->skel) == 0 || (bl >= 6 && strstr(part, b->skel) != NULL))
				brand_reason(s, b, "BrandInSubdomain",
				    "brand name as a subdomain of another domain", 50, host);
		}
	}
	if (idn && (scripts & SCRIPT_LATIN) && (scripts & (SCRIPT_GREEK | SCRIPT_CYRILLIC)))
		pn_heur_add(&s->h, "MixedScript", "host name mixes Latin with Cyrillic or Greek",
		    40, "%s", host);
}

/* Signals of a host name (URL host or domain object). */
static void
check_host(struct nh_scan *s, const char *host)
{
	const char *regdom = psl_registrable_domain(s->d->psl, host), *tld = tld_of(host);
	int sus_tld = in_list(s->d->tlds, s->d->ntlds, tld);
	size_t labels = 0, rlabels = 0;
	const char *p;

	if (regdom == NULL)
		regdom = host;
	if (sus_tld)
		pn_heur_add(&s->h, "SuspiciousTLD", "top-level domain often abused", 30, ".%s", tld);
	for (p = host; p != NULL; p = strchr(p, '.'), p = p ? p + 1 : NULL)
		labels++;
	for (p = regdom; p != NULL; p = strchr(p, '.'), p = p ? p + 1 : NULL)
		rlabels++;
	if (labels > rlabels && labels - rlabels > (size_t)s->d->max_sub)
		pn_heur_add(&s->h, "ExcessiveSubdomains", "many subdomain levels", 20,
		    "%zu labels before %s", labels - rlabels, regdom);
	check_brands(s, host, regdom, sus_tld);
}

static int
is_shortener(const struct nh_data *d, const char *host)
{
	size_t i;

	for (i = 0; i < d->nshort; i++)
		if (under(host, d->short_hosts[i]))
			return 1;
	return 0;
}

/* Extension of the last path segment (lower-case) into ext, "" when none. */
static void
path_ext(const char *path, char *ext, size_t cap)
{
	const char *seg = strrchr(path, '/'), *dot;
	size_t n;

	seg = seg != NULL ? seg + 1 : path;
	ext[0] = '\0';
	if ((dot = strrchr(seg, '.')) == NULL || (n = strlen(dot + 1)) == 0 || n >= cap)
		return;
	pn_strlcpy(ext, dot + 1, cap);
	lower(ext);
}

static void
check_download(struct nh_scan *s, const struct pn_net_target *t, const char *path)
{
	static const char *const exts[] = { "exe", "scr", "apk", "elf", "msi", "dll", "bat",
		"cmd", "ps1", "vbs", "vbe", "hta", "jar", "pif", "cpl", "wsf", "jse", "xll",
		"x86", "x86_64", "arm", "arm5", "arm6", "arm7", "mips", "mpsl", "m68k", "ppc",
		"sh4", "spc", NULL };
	static const char *const tags[] = { "peexe", "pedll", "elf", "apk", "android", "msi",
		"macho", "jar", "dex", NULL };
	static const char *const ctypes[] = { "application/x-msdownload",
		"application/x-dosexec", "application/x-executable",
		"application/vnd.android.package-archive", "application/x-msi",
		"application/java-archive", NULL };
	char ext[16];
	size_t i;

	for (i = 0; t->body_type_tag != NULL && tags[i] != NULL; i++)
		if (strcmp(t->body_type_tag, tags[i]) == 0) {
			pn_heur_add(&s->h, "ExecutableDownload", "the URL serves an executable", 50,
			    "body type %s", tags[i]);
			return;
		}
	for (i = 0; t->content_type != NULL && ctypes[i] != NULL; i++)
		if (pn_heur_memcasestr(t->content_type, strlen(t->content_type), ctypes[i])) {
			pn_heur_add(&s->h, "ExecutableDownload", "the URL serves an executable", 50,
			    "content type %s", ctypes[i]);
			return;
		}
	path_ext(path, ext, sizeof(ext));
	for (i = 0; exts[i] != NULL; i++)
		if (strcmp(ext, exts[i]) == 0) {
			pn_heur_add(&s->h, "ExecutableDownload", "the URL names an executable file",
			    40, ".%s", ext);
			return;
		}
}

/* Percent-escapes and base64-looking runs in path + query. */
static void
check_encoding(struct nh_scan *s, const char *path, const char *query)
{
	const char *parts[2] = { path, query };
	size_t esc = 0, total = 0, run = 0, best = 0, i, k;

	for (k = 0; k < 2; k++) {
		const char *p = parts[k];

		for (i = 0; p != NULL && p[i] != '\0'; i++) {
			unsigned char c = (unsigned char)p[i];

			total++;
			if (c == '%' && isxdigit((unsigned char)p[i + 1]) &&
			    isxdigit((unsigned char)p[i + 2]))
				esc++;
			if (isalnum(c) || c == '+' || c == '=' || c == '_')
				best = PN_MAX(best, ++run);
			else
				run = 0;
		}
		run = 0;
	}
	if (esc >= 12 && esc * 3 * 10 >= total * 4)
		pn_heur_add(&s->h, "EncodedPath", "path or query mostly percent-encoded", 20,
		    "%zu escapes in %zu bytes", esc, total);
	else if (best >= PN_NH_B64_RUN)
		pn_heur_add(&s->h, "EncodedPath", "long encoded blob in the path or query", 20,
		    "%zu characters in a row", best);
}

/* Where the redirects ended: host signals of another host, its path's extension. */
static void
check_final(struct nh_scan *s, const struct pn_net_target *t)
{
	struct pn_url fu;

	if (t->final_url == NULL || (t->url != NULL && strcmp(t->final_url, t->url) == 0))
		return;
	memset(&fu, 0, sizeof(fu));
	if (pn_url_parse(t->final_url, &fu, NULL, 0) != PN_OK) {
		pn_url_free(&fu);
		return;
	}
	if (fu.host_ip == 0 && (t->domain == NULL || strcmp(fu.host, t->domain) != 0))
		check_host(s, fu.host);
	else if (fu.host_ip != 0 && t->ip == NULL)
		pn_heur_add(&s->h, "RawIPHost", "redirects to an IP address", 30, "%s", fu.host);
	if (fu.path != NULL)
		check_download(s, t, fu.path);
	pn_url_free(&fu);
}

static void
check_url(struct nh_scan *s, const struct pn_net_target *t)
{
	const struct pn_url *u = t->u;
	const char *path = u != NULL && u->path != NULL ? u->path : "/";
	size_t i;

	if (t->ip != NULL)
		pn_heur_add(&s->h, "RawIPHost", "the host is an IP address", 30, "%s", t->ip);
	if (u != NULL && u->userinfo != NULL && u->userinfo[0] != '\0') {
		int hostlike = strchr(u->userinfo, '.') != NULL;

		pn_heur_add(&s->h, "UserinfoInURL", hostlike ?
		    "a host name before '@' in the authority hides the real host" :
		    "'@' in the authority", hostlike ? 60 : 40, "%s@", u->userinfo);
	}
	if (t->domain != NULL) {
		check_host(s, t->domain);
		if (is_shortener(s->d, t->domain))
			pn_heur_add(&s->h, "Shortener", "URL shortener hides the destination", 20,
			    "%s", t->domain);
	}
	if (t->url != NULL && strlen(t->url) > (size_t)s->d->long_url)
		pn_heur_add(&s->h, "LongURL", "very long URL", 15, "%zu bytes", strlen(t->url));
	check_encoding(s, path, u != NULL ? u->query : NULL);
	check_download(s, t, path);
	if (u != NULL && u->port != 0 && u->port != 80 && u->port != 443)
		pn_heur_add(&s->h, "NonStandardPort", "unusual port", 15, "%d", u->port);
	check_final(s, t);
	if (t->redirects > s->d->max_redirects)
		pn_heur_add(&s->h, "ManyRedirects", "long redirect chain", 20, "%d redirects",
		    t->redirects);
	/* A path segment naming a brand (evil.example/paypal/login). */
	for (i = 0; i < s->d->nb && t->domain != NULL; i++) {
		const struct nh_brand *b = &s->d->b[i];
		size_t bn = strlen(b->name);
		const char *p = path;

		if (own_domain(b, t->domain))
			continue;
		while ((p = strstr(p, b->name)) != NULL) {
			if (p[-1] == '/' && (p[bn] == '/' || p[bn] == '.' || p[bn] == '\0' ||
			    p[bn] == '-' || p[bn] == '_')) {
				brand_reason(s, b, "BrandInPath", "brand name in the path", 20, path);
				break;
			}
			p += bn;
		}
	}
}

/* ------------------------------------------------------------------------
 * Verdict.
 */

static const struct {
	const char *id;
	const char *label;   /* "%s" = brand */
} labels[] = {
	{ "Lookalike", "Phishing.Lookalike.%s" },
	{ "LookalikeTypo", "Phishing.Lookalike.%s" },
	{ "BrandTLD", "Phishing.Brand.%s" },
	{ "BrandInSubdomain", "Phishing.Brand.%s" },
	{ "BrandInDomain", "Phishing.Brand.%s" },
	{ "BrandInPath", "Phishing.Brand.%s" },
	{ "MixedScript", "Phishing.MixedScript" },
	{ "UserinfoInURL", "Phishing.Userinfo" },
	{ "ExecutableDownload", "Malware.Download" },
};

static void
finish(struct nh_scan *s, struct pn_verdict *v)
{
	const char *fmt = NULL;
	char label[128];
	size_t i;
	int n = (int)json_object_array_length(s->h.reasons);

	memset(v, 0, sizeof(*v));
	v->method = pn_xstrdup("heuristic");
	if (n == 0)
		v->category = PN_CAT_HARMLESS;
	else if (s->h.score >= s->d->malicious)
		v->category = PN_CAT_MALICIOUS;
	else if (s->h.score >= s->d->suspicious)
		v->category = PN_CAT_SUSPICIOUS;
	else
		v->category = PN_CAT_UNDETECTED;
	if (v->category == PN_CAT_MALICIOUS || v->category == PN_CAT_SUSPICIOUS) {
		for (i = 0; i < PN_ARRAY_LEN(labels); i++)
			if (strcmp(labels[i].id, s->h.label) == 0)
				fmt = labels[i].label;
		if (fmt != NULL && strstr(fmt, "%s") != NULL)
			snprintf(label, sizeof(label), "Phishing.%s.%s",
			    strstr(s->h.label, "Lookalike") ? "Lookalike" : "Brand", s->brand);
		else if (fmt != NULL)
			pn_strlcpy(label, fmt, sizeof(label));
		else
			snprintf(label, sizeof(label), "Suspicious.%s", s->h.label);
		v->result = pn_xstrdup(label);
	} else
		v->result = pn_xstrdup(n == 0 ? "clean" : "unrated");
	v->details = json_object_new_object();
	json_object_object_add(v->details, "reasons", s->h.reasons);
	json_object_object_add(v->details, "score", json_object_new_int(s->h.score));
	s->h.reasons = NULL;
}

/* ------------------------------------------------------------------------
 * The adapters.
 */

static int
nh_install(struct pn_net_engine *e, const struct pn_conf *conf)
{
	struct nh_data *d;
	int rc = data_build(conf, &d, e->error, sizeof(e->error));

	if (rc != PN_OK) {
		log_warnx("%s: %s", e->name, e->error);
		return rc;
	}
	data_free(e->priv);
	e->priv = d;
	e->error[0] = '\0';
	pn_strlcpy(e->version, PN_NH_VERSION, sizeof(e->version));
	pn_ext_date(d->newest, e->update, sizeof(e->update));
	log_info("%s: %zu brands, %zu suspicious TLDs, %zu shorteners", e->name, d->nb, d->ntlds,
	    d->nshort);
	return PN_OK;
}

static int
nh_init(struct pn_net_engine *e, const struct pn_conf *conf)
{
	e->priv = NULL;
	return nh_install(e, conf);
}

static void
nh_free(struct pn_net_engine *e)
{
	data_free(e->priv);
	e->priv = NULL;
}

static int
nh_scan(struct pn_net_engine *e, const struct pn_net_target *t, struct pn_verdict *v)
{
	struct nh_scan s;

	memset(v, 0, sizeof(*v));
	if (e->priv == NULL)
		return PN_EINTERNAL;
	memset(&s, 0, sizeof(s));
	s.d = e->priv;
	pn_heur_begin(&s.h);
	if (t->kind == PN_OBJ_URL)
		check_url(&s, t);
	else if (t->kind == PN_OBJ_DOMAIN && t->domain != NULL)
		check_host(&s, t->domain);
	finish(&s, v);
	return PN_OK;
}

const struct pn_net_engine_ops pn_net_heur_url_ops = {
	"netheur", PN_OBJ_URL, nh_init, nh_scan, nh_install, nh_free,
};

const struct pn_net_engine_ops pn_net_heur_domain_ops = {
	"netheur", PN_OBJ_DOMAIN, nh_init, nh_scan, nh_install, nh_free,
};
