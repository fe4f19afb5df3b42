/*
 * hashlist.c - the hash-list engine: known-bad and known-good lists of
 * MD5/SHA-1/SHA-256 hashes, loaded from files, looked up per sample.
 *
 * Two list formats, detected per file:
 *   - plain: one hash per line (type from its length: 32, 40 or 64 hex
 *     digits, any case), optionally quoted, optionally followed after
 *     white space or a comma by a label; '#' comments and blank lines are
 *     ignored (md5sum/sha256sum output loads as is: the label is the name);
 *   - CSV: a header row (possibly commented out with '#', as in the
 *     MalwareBazaar dumps) naming a hash column (sha256_hash, sha256,
 *     sha-256, sha1_hash, sha1, sha-1, md5_hash, md5, hash) and optionally a
 *     label column (signature, threat, threat_name, malware,
 *     malware_family, family, label, name); fields may be quoted
 *     (RFC 4180, "" inside quotes) and padded with spaces.
 * A line that fits neither (bad hex, wrong length, NUL byte, longer than
 * PN_HASHLIST_MAX_LINE, unterminated quote) is counted and skipped.
 *
 * Lookup: one sorted array of fixed-size records per hash type
 * (digest | label index | list file | flags), binary search; labels are
 * interned once (MalwareBazaar has ~1000 distinct signatures for
 * ~800k hashes).  A hash listed several times is one record (flags merged;
 * the known-bad label of the first list file wins).  Memory: digest + 6
 * bytes per hash (38 bytes for SHA-256) plus the labels; a reload builds
 * the new tables before freeing the old ones (twice that at peak).
 *
 * Verdicts: known-bad (in any bad list, even if also in a good list) ->
 * malicious, result = the list's label or hashlist.label; known-good ->
 * harmless, result "clean"; neither -> undetected.  details says which
 * hash matched in which list file.  engine_update = newest mtime of the
 * list files.
 *
 * Ownership: e->priv is a struct hashlist owned by the engine (read-only
 * once built, shared by forked scan children).
 * Limits: hashlist.max_entries hashes in all lists (PN_ELIMIT past it),
 * PN_HASHLIST_MAX_FILES list files, PN_HASHLIST_MAX_LINE bytes per line,
 * PN_HASHLIST_MAX_FIELDS CSV columns, PN_HASHLIST_MAX_LABELS distinct
 * labels (later ones fall back to the default label).
 * Errors: init/reload return PN_EINVAL (no list configured, bad option),
 * PN_EIO (a list file cannot be read), PN_ELIMIT (too many entries or
 * files) with e->error set; scan returns PN_OK or PN_EINTERNAL (hashing
 * failed) or PN_EIO.
 * See also: docs/internals/external-engines.md, tests/unit/test_hashlist.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "external.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

/* Options of this engine (docs/CONFIG.md [hashlist]). */
const struct pn_conf_opt pn_conf_hashlist[] = {
	{ "hashlist.enabled", PN_CONF_BOOL, "true", "run the hash-list engine" },
	{ "hashlist.bad", PN_CONF_STR, "", "known-bad hash list files, separated by , or :; default: built-in list" },
	{ "hashlist.good", PN_CONF_STR, "", "known-good hash list files, separated by , or :" },
	{ "hashlist.label", PN_CONF_STR, "KnownBad", "result for a known-bad hash without a label" },
	{ "hashlist.max_entries", PN_CONF_INT, "50000000", "most hashes loaded from all lists" },
	{ "hashlist.types", PN_CONF_STR, "*", "file types the hash lists judge (type words; * = all)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_HASHLIST_MAX_FILES   64          /* list files (bad + good) */
#define PN_HASHLIST_MAX_LINE    4096        /* bytes per line, newline excluded */
#define PN_HASHLIST_MAX_FIELDS  64          /* CSV columns */
#define PN_HASHLIST_MAX_LABELS  (1u << 22)  /* distinct labels */
#define PN_HASHLIST_READ        65536       /* read(2) block */
#define PN_HASHLIST_WARN_LINES  5           /* malformed lines logged per file */

#define HEX_DIGITS "0123456789abcdefABCDEF"
#define HL_BAD   0x1u
#define HL_GOOD  0x2u
#define HL_META  6     /* label (u32 LE) + file index + flags */

enum hl_type { HL_MD5, HL_SHA1, HL_SHA256, HL__N };

static const size_t hl_dlen[HL__N] = { 16, 20, 32 };
static const char *const hl_name[HL__N] = { "md5", "sha1", "sha256" };

struct hl_table {
	uint8_t *rec;        /* n records of stride bytes, sorted by digest */
	size_t n, cap;
	size_t stride;       /* digest length + HL_META */
};

struct hl_labels {
	char *blob;          /* NUL-terminated labels back to back */
	size_t len, cap;
	uint32_t *off;       /* off[i] = start of label i (index 0 unused) */
	size_t n;            /* labels + 1 */
	uint32_t *slot;      /* open-addressing set of label indexes, 0 = empty */
	size_t nslot;        /* power of two */
};

struct hl_file {
	char *path;
	unsigned flags;      /* HL_BAD or HL_GOOD */
	int64_t mtime;
	size_t entries, malformed;
};

struct hashlist {
	struct hl_table t[HL__N];
	struct hl_labels labels;
	struct hl_file files[PN_HASHLIST_MAX_FILES];
	size_t nfiles;
	size_t loaded;       /* records added (before merging duplicates) */
	size_t max_entries;
	size_t dropped_labels;
	char *default_label;
};

/* ------------------------------------------------------------------------
 * Labels.
 */

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void
labels_rehash(struct hl_labels *l)
{
	size_t i, nslot = l->nslot ? l->nslot * 2 : 1024;
	uint32_t *slot = pn_xcalloc(nslot, sizeof(*slot));

	for (i = 1; i < l->n; i++) {
		size_t j = fnv1a(l->blob + l->off[i]) & (nslot - 1);

		while (slot[j] != 0)
			j = (j + 1) & (nslot - 1);
		slot[j] = (uint32_t)i;
	}
	free(l->slot);
	l->slot = slot;
	l->nslot = nslot;
}

/* Index of label s (added if new), or 0 when the label table is full. */
static uint32_t
labels_intern(struct hl_labels *l, const char *s)
{
	size_t len = strlen(s) + 1, j;

	if (l->n == 0) {
		l->off = pn_xcalloc(1024, sizeof(*l->off));
		l->n = 1;
	}
	if (l->nslot == 0 || (l->n + 1) * 2 > l->nslot)
		labels_rehash(l);
	j = fnv1a(s) & (l->nslot - 1);
	while (l->slot[j] != 0) {
		if (strcmp(l->blob + l->off[l->slot[j]], s) == 0)
			return l->slot[j];
		j = (j + 1) & (l->nslot - 1);
	}
	if (l->n > PN_HASHLIST_MAX_LABELS || l->len + len > UINT32_MAX)
		return 0;
	if (l->len + len > l->cap) {
		l->cap = PN_MAX(l->cap * 2, l->len + len + 4096);
		l->blob = pn_xrealloc(l->blob, l->cap);
	}
	if ((l->n & (l->n - 1)) == 0 && l->n >= 1024)
		l->off = pn_xrealloc(l->off, l->n * 2 * sizeof(*l->off));
	memcpy(l->blob + l->len, s, len);
	l->off[l->n] = (uint32_t)l->len;
	l->len += len;
	l->slot[j] = (uint32_t)l->n;
	return (uint32_t)l->n++;
}

static const char *
labels_get(const struct hl_labels *l, uint32_t i)
{
	return i != 0 && i < l->n ? l->blob + l->off[i] : NULL;
}

static void
labels_free(struct hl_labels *l)
{
	free(l->blob);
	free(l->off);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------------
 * Tables.
 */

/* Value of each hex digit + 1, 0 for anything else. */
static const uint8_t hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16,
};

/* Decode 2*n hex digits at s into out; PN_EFORMAT on a non-hex digit or NUL. */
static int
unhex(const char *s, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned hi = hexval1[(unsigned char)s[2 * i]];
		unsigned lo = hi ? hexval1[(unsigned char)s[2 * i + 1]] : 0;

		if (hi == 0 || lo == 0)
			return PN_EFORMAT;
		out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return PN_OK;
}

/* Hash type of a hex string of len digits, or -1. */
static int
type_of_len(size_t len)
{
	int i;

	for (i = 0; i < HL__N; i++)
		if (len == 2 * hl_dlen[i])
			return i;
	return -1;
}

/* Add one hash; PN_EFORMAT (not a hash), PN_ELIMIT (max_entries) or PN_OK. */
static int
hl_add(struct hashlist *h, const char *hex, size_t len, uint32_t label, uint8_t file)
{
	int ty = type_of_len(len);
	struct hl_table *t;
	uint8_t *r;

	if (ty < 0)
		return PN_EFORMAT;
	t = &h->t[ty];
	if (h->loaded >= h->max_entries)
		return PN_ELIMIT;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->rec = pn_xrealloc(t->rec, t->cap * t->stride);
	}
	r = t->rec + t->n * t->stride;
	if (unhex(hex, hl_dlen[ty], r) != PN_OK)
		return PN_EFORMAT;
	r += hl_dlen[ty];
	r[0] = (uint8_t)label;
	r[1] = (uint8_t)(label >> 8);
	r[2] = (uint8_t)(label >> 16);
	r[3] = (uint8_t)(label >> 24);
	r[4] = file;
	r[5] = (uint8_t)h->files[file].flags;
	t->n++;
	h->loaded++;
	return PN_OK;
}

/* Records sort by digest, then list file, then label (deterministic merge). */
static int
rec_cmp(const void *a, const void *b, void *arg)
{
	size_t dlen = *(const size_t *)arg;
	const uint8_t *x = a, *y = b;
	int c = memcmp(x, y, dlen);

	if (c != 0)
		return c;
	if (x[dlen + 4] != y[dlen + 4])
		return x[dlen + 4] < y[dlen + 4] ? -1 : 1;
	return memcmp(x + dlen, y + dlen, 4);
}

/*
 * Sort t and merge records with the same digest: flags are OR-ed, label
 * and file are the first known-bad record's (else the first one's).
 * Returns the number of records merged away.
 */
static size_t
table_finish(struct hl_table *t, size_t dlen)
{
	size_t i, out = 0, merged = 0;

	if (t->n == 0)
		return 0;
	qsort_r(t->rec, t->n, t->stride, rec_cmp, &dlen);
	for (i = 0; i < t->n; i++) {
		uint8_t *r = t->rec + i * t->stride;
		uint8_t *o = out > 0 ? t->rec + (out - 1) * t->stride : NULL;

		if (o != NULL && memcmp(o, r, dlen) == 0) {
			if (!(o[dlen + 5] & HL_BAD) && (r[dlen + 5] & HL_BAD))
				memcpy(o + dlen, r + dlen, 5);
			o[dlen + 5] |= r[dlen + 5];
			merged++;
			continue;
		}
		if (out != i)
			memcpy(t->rec + out * t->stride, r, t->stride);
		out++;
	}
	t->n = out;
	if (out > 0 && out < t->cap) {
		t->rec = pn_xrealloc(t->rec, out * t->stride);
		t->cap = out;
	}
	return merged;
}

static const uint8_t *
table_find(const struct hl_table *t, const uint8_t *digest, size_t dlen)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint8_t *r = t->rec + mid * t->stride;
		int c = memcmp(digest, r, dlen);

		if (c == 0)
			return r;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Reading lines.
 */

struct line_rd {
	int fd;
	char buf[PN_HASHLIST_READ];
	size_t pos, len;
	int eof;
	char line[PN_HASHLIST_MAX_LINE + 1];
	size_t llen;
	size_t lineno;
};

/*
 * Next line into r->line (NUL-terminated, newline and CR removed; may hold
 * NUL bytes: use *len).  *too_long when the line was cut.  Returns 1, 0 at
 * end of file, PN_EIO.
 */
static int
next_line(struct line_rd *r, size_t *len, int *too_long)
{
	int any = 0;

	r->llen = 0;
	*too_long = 0;
	for (;;) {
		char *nl;
		size_t take;

		if (r->pos == r->len) {
			ssize_t n;

			if (r->eof)
				break;
			n = read(r->fd, r->buf, sizeof(r->buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return PN_EIO;
			if (n == 0) {
				r->eof = 1;
				break;
			}
			r->pos = 0;
			r->len = (size_t)n;
		}
		any = 1;
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		take = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (r->llen + take > PN_HASHLIST_MAX_LINE) {
			*too_long = 1;
			take = PN_HASHLIST_MAX_LINE - r->llen;
			memcpy(r->line + r->llen, r->buf + r->pos, take);
			r->llen += take;
			r->pos = nl ? (size_t)(nl - r->buf) : r->len;
		} else {
			memcpy(r->line + r->llen, r->buf + r->pos, take);
			r->llen += take;
			r->pos += take;
		}
		if (nl != NULL) {
			r->pos++;      /* the newline */
			break;
		}
	}
	if (!any)
		return 0;
	if (r->llen > 0 && r->line[r->llen - 1] == '\r')
		r->llen--;
	r->line[r->llen] = '\0';
	*len = r->llen;
	r->lineno++;
	return 1;
}

/* ------------------------------------------------------------------------
 * CSV.
 */

struct csv_row {
	char buf[PN_HASHLIST_MAX_LINE + 1];   /* unquoted fields, NUL-separated */
	const char *f[PN_HASHLIST_MAX_FIELDS];
	size_t n;
};

/* Split one CSV line; PN_EFORMAT on a stray or unterminated quote. */
static int
csv_split(const char *s, struct csv_row *row)
{
	size_t o = 0;

	row->n = 0;
	for (;;) {
		const char *start;

		while (*s == ' ' || *s == '\t')
			s++;
		start = row->buf + o;
		if (*s == '"') {
			s++;
			for (;;) {
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
			while (*s != ',' && *s != '\0') {
				if (*s == '"')
					return PN_EFORMAT;
				row->buf[o++] = *s++;
			}
			while (row->buf + o > start &&
			    (row->buf[o - 1] == ' ' || row->buf[o - 1] == '\t'))
				o--;
		}
		row->buf[o++] = '\0';
		if (row->n < PN_HASHLIST_MAX_FIELDS)
			row->f[row->n++] = start;
		if (*s == '\0')
			return PN_OK;
		s++;   /* the comma */
	}
}

/* Column roles from a header row. */
struct csv_cols {
	int hash[HL__N + 1];     /* column of each type, [HL__N] = generic "hash"; -1 */
	int label;               /* -1 */
};

static const struct {
	const char *name;
	int type;                /* enum hl_type, or HL__N for "any" */
} hash_cols[] = {
	{ "sha256_hash", HL_SHA256 }, { "sha256", HL_SHA256 }, { "sha-256", HL_SHA256 },
	{ "sha1_hash", HL_SHA1 }, { "sha1", HL_SHA1 }, { "sha-1", HL_SHA1 },
	{ "md5_hash", HL_MD5 }, { "md5", HL_MD5 }, { "hash", HL__N },
};

/* In order of preference. */
static const char *const label_cols[] = {
	"signature", "threat", "threat_name", "malware", "malware_family", "family",
	"label", "name",
};

/* Is row a header naming a hash column?  Fills cols. */
static int
csv_header(const struct csv_row *row, struct csv_cols *cols)
{
	size_t i, k;
	int found = 0, best_label = (int)PN_ARRAY_LEN(label_cols);

	for (k = 0; k <= HL__N; k++)
		cols->hash[k] = -1;
	cols->label = -1;
	for (i = 0; i < row->n; i++) {
		for (k = 0; k < PN_ARRAY_LEN(hash_cols); k++) {
			if (pn_ext_strcasecmp(row->f[i], hash_cols[k].name) == 0 &&
			    cols->hash[hash_cols[k].type] < 0) {
				cols->hash[hash_cols[k].type] = (int)i;
				found = 1;
			}
		}
		for (k = 0; k < (size_t)best_label; k++) {
			if (pn_ext_strcasecmp(row->f[i], label_cols[k]) == 0) {
				cols->label = (int)i;
				best_label = (int)k;
				break;
			}
		}
	}
	return found;
}

static int
no_label(const char *s)
{
	return *s == '\0' || pn_ext_strcasecmp(s, "n/a") == 0 || pn_ext_strcasecmp(s, "null") == 0 ||
	    pn_ext_strcasecmp(s, "none") == 0 || strcmp(s, "-") == 0;
}

/* ------------------------------------------------------------------------
 * Loading one file.
 */

struct load {
	struct hashlist *h;
	uint8_t file;            /* index in h->files */
	int mode;                /* 0 undecided, 1 plain, 2 CSV */
	struct csv_cols cols;
	struct csv_row row;
};

/* Printable ASCII, no spaces at either end, not too long: usable as it is. */
static int
plain_label(const char *s, size_t n)
{
	size_t i;

	if (n > PN_EXT_MAX_LABEL || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static uint32_t
intern_label(struct hashlist *h, const char *s, size_t n)
{
	char buf[PN_EXT_MAX_LABEL + 1];
	char *l;
	uint32_t i;

	if (n == 0)
		return 0;
	if (plain_label(s, n)) {
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (no_label(buf))
			return 0;
		if ((i = labels_intern(&h->labels, buf)) == 0)
			h->dropped_labels++;
		return i;
	}
	if ((l = pn_ext_label(s, n)) == NULL)
		return 0;
	if (no_label(l)) {
		free(l);
		return 0;
	}
	if ((i = labels_intern(&h->labels, l)) == 0)
		h->dropped_labels++;
	free(l);
	return i;
}

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* A plain line: ["]HEX["] [separators label]. */
static int
plain_line(struct load *ld, const char *s)
{
	const char *hex;
	size_t n, rn;

	if (*s == '"')
		s++;
	hex = s;
	n = strspn(s, HEX_DIGITS);
	s += n;
	if (*s == '"')
		s++;
	if ((*s != '\0' && !is_sep(*s)) || type_of_len(n) < 0)
		return PN_EFORMAT;
	while (is_sep(*s))
		s++;
	rn = strlen(s);
	if (rn >= 2 && s[0] == '"' && s[rn - 1] == '"') {
		s++;
		rn -= 2;
	}
	return hl_add(ld->h, hex, n, intern_label(ld->h, s, rn), ld->file);
}

static int
csv_line(struct load *ld, const char *s)
{
	/* Preference: SHA-256, SHA-1, MD5, then a generic "hash" column. */
	static const int order[] = { HL_SHA256, HL_SHA1, HL_MD5, HL__N };
	const struct csv_row *row = &ld->row;
	uint32_t label = 0;
	size_t k;

	if (csv_split(s, &ld->row) != PN_OK)
		return PN_EFORMAT;
	for (k = 0; k < PN_ARRAY_LEN(order); k++) {
		int col = ld->cols.hash[order[k]];
		const char *f;
		size_t n;

		if (col < 0 || (size_t)col >= row->n)
			continue;
		f = row->f[col];
		n = strlen(f);
		if (strspn(f, HEX_DIGITS) != n || type_of_len(n) < 0)
			continue;
		if (ld->cols.label >= 0 && (size_t)ld->cols.label < row->n)
			label = intern_label(ld->h, row->f[ld->cols.label],
			    strlen(row->f[ld->cols.label]));
		return hl_add(ld->h, f, n, label, ld->file);
	}
	return PN_EFORMAT;
}

/* The first line that is not blank decides the format (a comment may be a header). */
static int
one_line(struct load *ld, char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL)
		return PN_EFORMAT;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return PN_OK;
	if (*s == '#') {
		if (ld->mode == 0 && csv_split(s + 1, &ld->row) == PN_OK &&
		    csv_header(&ld->row, &ld->cols))
			ld->mode = 2;
		return PN_OK;
	}
	if (ld->mode == 0) {
		ld->mode = 1;
		if (strchr(s, ',') != NULL && csv_split(s, &ld->row) == PN_OK &&
		    csv_header(&ld->row, &ld->cols)) {
			ld->mode = 2;
			return PN_OK;
		}
	}
	if (ld->mode == 2) {
		int rc = csv_line(ld, s);

		/* A comment that only looked like a header: plain lines still load. */
		return rc == PN_EFORMAT ? plain_line(ld, s) : rc;
	}
	return plain_line(ld, s);
}

static void
malformed(struct hl_file *f, size_t lineno, const char *why)
{
	if (++f->malformed <= PN_HASHLIST_WARN_LINES)
		log_warnx("hashlist: %s:%zu: %s, line skipped", f->path, lineno, why);
}

static int
load_file(struct hashlist *h, uint8_t idx, char *err, size_t errlen)
{
	struct hl_file *f = &h->files[idx];
	struct load *ld = pn_xcalloc(1, sizeof(*ld));
	struct line_rd *r = pn_xcalloc(1, sizeof(*r));
	struct stat st;
	size_t len, before = h->loaded;
	int too_long, rc = PN_OK, got;

	ld->h = h;
	ld->file = idx;
	if ((r->fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(r->fd, &st) != 0) {
		snprintf(err, errlen, "hash list %s: %s", f->path, strerror(errno));
		rc = PN_EIO;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "hash list %s: not a regular file", f->path);
		rc = PN_EIO;
		goto done;
	}
	f->mtime = st.st_mtime;
	while ((got = next_line(r, &len, &too_long)) == 1) {
		if (too_long) {
			malformed(f, r->lineno, "line too long");
			continue;
		}
		rc = one_line(ld, r->line, len);
		if (rc == PN_ELIMIT) {
			snprintf(err, errlen, "hash lists hold more than %zu entries "
			    "(hashlist.max_entries), at %s:%zu", h->max_entries, f->path, r->lineno);
			goto done;
		}
		if (rc != PN_OK)
			malformed(f, r->lineno, "not a hash");
		rc = PN_OK;
	}
	if (got < 0) {
		snprintf(err, errlen, "hash list %s: %s", f->path, strerror(errno));
		rc = PN_EIO;
	}
done:
	f->entries = h->loaded - before;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	free(ld);
	return rc;
}

/* ------------------------------------------------------------------------
 * Building the engine state.
 */

static void
hashlist_destroy(struct hashlist *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < HL__N; i++)
		free(h->t[i].rec);
	for (i = 0; i < h->nfiles; i++)
		free(h->files[i].path);
	labels_free(&h->labels);
	free(h->default_label);
	free(h);
}

/* Append the files of a ",:"-separated list. */
static int
add_files(struct hashlist *h, const char *list, unsigned flags, char *err, size_t errlen)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",:");
		const char *s = p, *end = p + n;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > s) {
			if (h->nfiles == PN_HASHLIST_MAX_FILES) {
				snprintf(err, errlen, "more than %d hash list files",
				    PN_HASHLIST_MAX_FILES);
				return PN_ELIMIT;
			}
			h->files[h->nfiles].path = pn_xstrndup(s, (size_t)(end - s));
			h->files[h->nfiles].flags = flags;
			h->nfiles++;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	return PN_OK;
}

static int
hashlist_build(const struct pn_conf *conf, struct hashlist **out, char *err, size_t errlen)
{
	struct hashlist *h = pn_xcalloc(1, sizeof(*h));
	int64_t max = pn_conf_get_int(conf, "hashlist.max_entries");
	const char *label = pn_conf_get(conf, "hashlist.label");
	size_t i, merged = 0;
	int rc;

	*out = NULL;
	for (i = 0; i < HL__N; i++)
		h->t[i].stride = hl_dlen[i] + HL_META;
	if (max <= 0 || (uint64_t)max > SIZE_MAX / 64) {
		snprintf(err, errlen, "hashlist.max_entries must be positive");
		rc = PN_EINVAL;
		goto fail;
	}
	h->max_entries = (size_t)max;
	h->default_label = pn_ext_label(label, strlen(label));
	if (h->default_label == NULL)
		h->default_label = pn_xstrdup("KnownBad");
	if ((rc = add_files(h, pn_conf_get(conf, "hashlist.bad"), HL_BAD, err, errlen)) != PN_OK ||
	    (rc = add_files(h, pn_conf_get(conf, "hashlist.good"), HL_GOOD, err, errlen)) != PN_OK)
		goto fail;
	if (h->nfiles == 0) {
		snprintf(err, errlen, "no hash list configured (hashlist.bad, hashlist.good)");
		rc = PN_EINVAL;
		goto fail;
	}
	for (i = 0; i < h->nfiles; i++)
		if ((rc = load_file(h, (uint8_t)i, err, errlen)) != PN_OK)
			goto fail;
	for (i = 0; i < HL__N; i++)
		merged += table_finish(&h->t[i], hl_dlen[i]);
	for (i = 0; i < h->nfiles; i++)
		if (h->files[i].malformed > 0)
			log_warnx("hashlist: %s: %zu malformed lines skipped", h->files[i].path,
			    h->files[i].malformed);
	if (merged > 0)
		log_info("hashlist: %zu duplicate entries merged", merged);
	if (h->dropped_labels > 0)
		log_warnx("hashlist: %zu labels beyond %u distinct ones replaced by \"%s\"",
		    h->dropped_labels, PN_HASHLIST_MAX_LABELS, h->default_label);
	*out = h;
	return PN_OK;
fail:
	hashlist_destroy(h);
	return rc;
}

static size_t
hashlist_bytes(const struct hashlist *h)
{
	size_t i, n = h->labels.cap + h->labels.n * 4 + h->labels.nslot * 4;

	for (i = 0; i < HL__N; i++)
		n += h->t[i].n * h->t[i].stride;
	return n;
}

static int
hashlist_install(struct pn_engine *e, const struct pn_conf *conf)
{
	struct hashlist *h;
	int64_t t0 = pn_mono_ms(), newest = 0;
	size_t i;
	int rc;

	rc = hashlist_build(conf, &h, e->error, sizeof(e->error));
	if (rc != PN_OK) {
		log_warnx("hashlist: %s", e->error);
		return rc;
	}
	hashlist_destroy(e->priv);
	e->priv = h;
	e->error[0] = '\0';
	for (i = 0; i < h->nfiles; i++)
		newest = PN_MAX(newest, h->files[i].mtime);
	pn_strlcpy(e->version, "1.0", sizeof(e->version));
	pn_ext_date(newest, e->update, sizeof(e->update));
	log_info("hashlist: %zu md5, %zu sha1, %zu sha256 from %zu files, %zu labels, "
	    "%zu KiB, update %s, %lld ms", h->t[HL_MD5].n, h->t[HL_SHA1].n, h->t[HL_SHA256].n,
	    h->nfiles, h->labels.n ? h->labels.n - 1 : 0, hashlist_bytes(h) / 1024, e->update,
	    (long long)(pn_mono_ms() - t0));
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * The adapter.
 */

static int
hashlist_init(struct pn_engine *e, const struct pn_conf *conf)
{
	e->priv = NULL;
	e->confine_flags = PN_ENGINE_SHARE_CHILD;
	return hashlist_install(e, conf);
}

static int
hashlist_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	return hashlist_install(e, conf);
}

static void
hashlist_free(struct pn_engine *e)
{
	hashlist_destroy(e->priv);
	e->priv = NULL;
}

/*
 * The best record for the target: any known-bad one first.  *also_good
 * when some hash of the target is in a known-good list too.
 */
static const uint8_t *
lookup(const struct hashlist *h, const struct pn_hashes *hs, int *type, int *also_good)
{
	const char *hex[HL__N] = { hs->md5, hs->sha1, hs->sha256 };
	const uint8_t *good = NULL, *bad = NULL;
	int i, good_type = -1, bad_type = -1;

	for (i = HL__N - 1; i >= 0; i--) {
		uint8_t d[32];
		const uint8_t *r;

		if (h->t[i].n == 0 || unhex(hex[i], hl_dlen[i], d) != PN_OK)
			continue;
		if ((r = table_find(&h->t[i], d, hl_dlen[i])) == NULL)
			continue;
		if ((r[hl_dlen[i] + 5] & HL_BAD) && bad == NULL) {
			bad = r;
			bad_type = i;
		}
		if ((r[hl_dlen[i] + 5] & HL_GOOD) && good == NULL) {
			good = r;
			good_type = i;
		}
	}
	*also_good = good != NULL;
	*type = bad != NULL ? bad_type : good_type;
	return bad != NULL ? bad : good;
}

static const char *
basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

static void
fill_verdict(const struct hashlist *h, const struct pn_hashes *hs, const uint8_t *r, int ty,
    int also_good, struct pn_verdict *v)
{
	size_t dl = hl_dlen[ty];
	uint32_t li = (uint32_t)r[dl] | (uint32_t)r[dl + 1] << 8 | (uint32_t)r[dl + 2] << 16 |
	    (uint32_t)r[dl + 3] << 24;
	const char *label = labels_get(&h->labels, li);
	const char *hex[HL__N] = { hs->md5, hs->sha1, hs->sha256 };
	unsigned flags = r[dl + 5];
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "list", json_object_new_string(flags & HL_BAD ?
	    "known-bad" : "known-good"));
	json_object_object_add(d, "hash_type", json_object_new_string(hl_name[ty]));
	json_object_object_add(d, "hash", json_object_new_string(hex[ty]));
	json_object_object_add(d, "list_file",
	    json_object_new_string(basename_of(h->files[r[dl + 4]].path)));
	if (label != NULL)
		json_object_object_add(d, "label", json_object_new_string(label));
	if ((flags & HL_BAD) && also_good)
		json_object_object_add(d, "also_known_good", json_object_new_boolean(1));
	v->details = d;
	if (flags & HL_BAD) {
		v->category = PN_CAT_MALICIOUS;
		v->result = pn_xstrdup(label != NULL ? label : h->default_label);
	} else {
		v->category = PN_CAT_HARMLESS;
		v->result = pn_xstrdup("clean");
	}
}

/* The hashes the caller already knows, when they are all that flags asks for. */
static int
known_hashes(const struct pn_scan_target *t, unsigned flags, struct pn_hashes *hs)
{
	memset(hs, 0, sizeof(*hs));
	if (((flags & PN_HASH_MD5) && (t->md5 == NULL || strlen(t->md5) != 32)) ||
	    ((flags & PN_HASH_SHA1) && (t->sha1 == NULL || strlen(t->sha1) != 40)) ||
	    ((flags & PN_HASH_SHA256) && (t->sha256 == NULL || strlen(t->sha256) != 64)))
		return 0;
	if (flags & PN_HASH_MD5)
		pn_strlcpy(hs->md5, t->md5, sizeof(hs->md5));
	if (flags & PN_HASH_SHA1)
		pn_strlcpy(hs->sha1, t->sha1, sizeof(hs->sha1));
	if (flags & PN_HASH_SHA256)
		pn_strlcpy(hs->sha256, t->sha256, sizeof(hs->sha256));
	return 1;
}

static int
hashlist_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	const struct hashlist *h = e->priv;
	struct pn_hashes hs;
	const uint8_t *r;
	unsigned flags = 0;
	int i, ty, also_good, rc;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_UNDETECTED;
	if (h == NULL)
		return PN_EINTERNAL;
	for (i = 0; i < HL__N; i++)
		if (h->t[i].n > 0)
			flags |= i == HL_MD5 ? PN_HASH_MD5 : i == HL_SHA1 ? PN_HASH_SHA1 : PN_HASH_SHA256;
	if (flags == 0)
		return PN_OK;
	if (known_hashes(t, flags, &hs))
		rc = PN_OK;
	else if (t->data != NULL || t->size == 0)
		rc = pn_hash_buf(t->data != NULL ? (const void *)t->data : "", t->size, flags, &hs);
	else if (lseek(t->fd, 0, SEEK_SET) == 0)
		rc = pn_hash_fd(t->fd, flags, &hs);
	else
		rc = PN_EIO;
	if (rc != PN_OK)
		return rc;
	if ((r = lookup(h, &hs, &ty, &also_good)) != NULL)
		fill_verdict(h, &hs, r, ty, also_good, v);
	return PN_OK;
}

const struct pn_engine_ops pn_engine_hashlist_ops = {
	.kind = "hashlist", .init = hashlist_init,
	.scan = hashlist_scan, .reload = hashlist_reload, .free = hashlist_free,
};
