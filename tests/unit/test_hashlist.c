/*
 * test_hashlist.c - the hash-list engine (engines/hashlist.c).
 *
 * Every list is generated at run time in a temporary directory: plain
 * lists (md5/sha1/sha256 by length, upper case, quotes, CRLF, labels after
 * white space or a comma, comments) with malformed lines (too long, bad
 * hex, wrong length, NUL bytes, junk after the hash), duplicates across
 * files, a MalwareBazaar-style CSV (commented header, ", " separators,
 * "n/a" signatures), a CSV with a plain header, known-good lists.  The
 * samples are random bytes; their digests come from OpenSSL directly, not
 * from the code under test.  A 1M-entry SHA-256 list measures load time
 * and memory (diag lines) and checks lookups of listed and unlisted hashes.
 *
 * The test includes engines/hashlist.c to reach the CSV splitter and the
 * tables.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engines/hashlist.c"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tap.h"

#define NSAMPLES 12
#define SAMPLE_LEN 1000
#define BIG_N 1000000

static char tmpdir[256];

struct sample {
	uint8_t data[SAMPLE_LEN];
	char md5[33], sha1[41], sha256[65];
};

static struct sample S[NSAMPLES];

/* ------------------------------------------------------------------------
 * Helpers.
 */

static void
digest_hex(const uint8_t *p, size_t n, const EVP_MD *md, char *out)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(p, n, d, &len, md, NULL) != 1)
		fatalx("EVP_Digest failed");
	pn_hex(d, len, out);
}

static void
make_samples(void)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++) {
		pn_random(S[i].data, sizeof(S[i].data));
		digest_hex(S[i].data, SAMPLE_LEN, EVP_md5(), S[i].md5);
		digest_hex(S[i].data, SAMPLE_LEN, EVP_sha1(), S[i].sha1);
		digest_hex(S[i].data, SAMPLE_LEN, EVP_sha256(), S[i].sha256);
	}
}

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

static char *
path_of(const char *name)
{
	return pn_xasprintf("%s/%s", tmpdir, name);
}

static void
write_file(const char *name, const void *p, size_t n)
{
	char *path = path_of(name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		fatal("write %s", path);
	free(path);
}

static void
write_str(const char *name, const char *s)
{
	write_file(name, s, strlen(s));
}

static void
set_mtime(const char *name, time_t t)
{
	char *path = path_of(name);
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	if (utimes(path, tv) != 0)
		fatal("utimes %s", path);
	free(path);
}

static struct pn_conf *
conf_with(const char *bad, const char *good)
{
	struct pn_conf *c = pn_conf_new();

	if (bad != NULL && pn_conf_put(c, "hashlist.bad", bad) != PN_OK)
		fatalx("conf put");
	if (good != NULL && pn_conf_put(c, "hashlist.good", good) != PN_OK)
		fatalx("conf put");
	return c;
}

static int
scan(struct pn_engine *e, const uint8_t *p, size_t n, struct pn_verdict *v)
{
	struct pn_scan_target t;

	memset(&t, 0, sizeof(t));
	t.fd = -1;
	t.data = n ? p : NULL;
	t.size = n;
	memset(v, 0, sizeof(*v));
	return e->ops->scan(e, &t, v);
}

/* Scan sample i; check category and result (NULL = JSON null). */
static void
expect(struct pn_engine *e, size_t i, enum pn_category cat, const char *result, const char *what)
{
	struct pn_verdict v;
	int rc = scan(e, S[i].data, SAMPLE_LEN, &v);

	ok(rc == PN_OK && v.category == cat && (result == NULL ? v.result == NULL :
	    v.result != NULL && strcmp(v.result, result) == 0), "%s", what);
	if (rc != PN_OK || v.category != cat)
		diag("rc %d, category %s, result %s", rc, pn_category_name(v.category),
		    v.result ? v.result : "(null)");
	else if (result != NULL && (v.result == NULL || strcmp(v.result, result) != 0))
		diag("result \"%s\", want \"%s\"", v.result ? v.result : "(null)", result);
	pn_verdict_release(&v);
}

/* The string member key of the last verdict's details, or "". */
static const char *
detail(struct json_object *d, const char *key)
{
	struct json_object *o;

	if (d == NULL || !json_object_object_get_ex(d, key, &o))
		return "";
	return json_object_get_string(o);
}

static int
engine_init(struct pn_engine *e, struct pn_conf *c)
{
	memset(e, 0, sizeof(*e));
	e->ops = &pn_engine_hashlist_ops;
	pn_strlcpy(e->name, "HashList", sizeof(e->name));
	e->timeout_s = 10;
	return e->ops->init(e, c);
}

/* ------------------------------------------------------------------------
 * Tests.
 */

static void
test_csv_split(void)
{
	struct csv_row *r = pn_xcalloc(1, sizeof(*r));

	ok(csv_split("a,b,,c", r) == PN_OK && r->n == 4 && strcmp(r->f[0], "a") == 0 &&
	    strcmp(r->f[2], "") == 0 && strcmp(r->f[3], "c") == 0, "csv: plain fields");
	ok(csv_split("\"x, y\", \"he said \"\"hi\"\"\" ,  z  ", r) == PN_OK && r->n == 3 &&
	    strcmp(r->f[0], "x, y") == 0 && strcmp(r->f[1], "he said \"hi\"") == 0 &&
	    strcmp(r->f[2], "z") == 0, "csv: quotes, escaped quotes, padding");
	ok(csv_split("\"open", r) == PN_EFORMAT, "csv: unterminated quote refused");
	ok(csv_split("\"a\"b,c", r) == PN_EFORMAT, "csv: text after closing quote refused");
	ok(csv_split("a\"b", r) == PN_EFORMAT, "csv: quote inside unquoted field refused");
	ok(csv_split("", r) == PN_OK && r->n == 1 && r->f[0][0] == '\0', "csv: empty line is one empty field");
	free(r);
}

static void
test_plain(void)
{
	struct pn_engine e;
	struct pn_conf *c;
	struct pn_verdict v;
	char *buf, *b1, *b2, longline[6000], up[65];
	int rc;

	/*
	 * b1: samples 0 (md5), 1 (sha1), 2 (sha256, upper case, CRLF),
	 * 3 (quoted, comma label), 4 (no label), 5 (sha256sum style), and
	 * malformed lines; sample 6 listed twice with two labels.
	 */
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	pn_strlcpy(up, S[2].sha256, sizeof(up));
	upper(up);
	buf = pn_xasprintf(
	    "# known bad\n\n"
	    "%s Trojan.Md5\n"
	    "%s\tWorm.Sha1 extra words\n"
	    "%s Upper.Sha256\r\n"
	    "\"%s\",\"Quoted.Label\"\n"
	    "   %s   \n"
	    "%s  sample5.exe\n"
	    "%s First.Label\n"
	    "%s Second.Label\n"
	    "%s\n"                       /* too long */
	    "%.31s short\n"              /* 31 digits */
	    "%.63sg bad hex\n"           /* 'g' at the end */
	    "%sjunk\n"                   /* no separator */
	    "zzzz not hex at all\n",
	    S[0].md5, S[1].sha1, up, S[3].sha256, S[4].sha256, S[5].sha256,
	    S[6].sha256, S[6].sha256, longline, S[7].md5, S[7].sha256, S[7].sha256);
	write_str("bad1.txt", buf);
	free(buf);
	/* b2: a NUL byte inside a line, then sample 8 and a duplicate of 6. */
	{
		char nul[200];
		int n = snprintf(nul, sizeof(nul), "%s Nul.Label\n", S[8].md5);

		nul[5] = '\0';
		buf = pn_xasprintf("%s Dup.Other.File\n%s Eight\n", S[6].sha256, S[8].sha1);
		b1 = pn_xmalloc((size_t)n + strlen(buf));
		memcpy(b1, nul, (size_t)n);
		memcpy(b1 + n, buf, strlen(buf));
		write_file("bad2.txt", b1, (size_t)n + strlen(buf));
		free(b1);
		free(buf);
	}
	/* Known good: sample 9, samples 0 and 6 (also bad), the empty file. */
	buf = pn_xasprintf("%s Good.Nine\n%s\nd41d8cd98f00b204e9800998ecf8427e empty\n%s Good.Six\n",
	    S[9].sha256, S[0].sha256, S[6].sha256);
	write_str("good.txt", buf);
	free(buf);
	set_mtime("bad1.txt", 1709640000);   /* 2024-03-05 12:00 UTC */
	set_mtime("bad2.txt", 1600000000);   /* 2020-09-13 */
	set_mtime("good.txt", 1500000000);   /* 2017-07-14 */

	b1 = path_of("bad1.txt");
	b2 = path_of("bad2.txt");
	buf = pn_xasprintf("%s, %s", b1, b2);
	{
		char *g = path_of("good.txt");

		c = conf_with(buf, g);
		free(g);
	}
	free(buf);
	rc = engine_init(&e, c);
	ok(rc == PN_OK && e.error[0] == '\0', "plain lists load");
	if (rc != PN_OK) {
		diag("error: %s", e.error);
		goto out;
	}
	{
		struct hashlist *h = e.priv;

		is_int(h->files[0].malformed, 5, "5 malformed lines in bad1 (too long, 31 digits, bad hex, junk, not hex)");
		is_int(h->files[1].malformed, 1, "the line with a NUL byte is malformed");
		is_int(h->files[0].entries, 8, "8 entries from bad1");
		is_int(h->t[HL_MD5].n, 2, "md5 table: sample 0 and the empty file");
		is_int(h->t[HL_SHA1].n, 2, "sha1 table: samples 1 and 8");
		is_int(h->t[HL_SHA256].n, 7, "sha256 table: 7 distinct (duplicates merged)");
	}
	is_str(e.update, "20240305", "engine_update is the newest list mtime");
	is_str(e.version, "1.0", "engine_version");
	expect(&e, 0, PN_CAT_MALICIOUS, "Trojan.Md5", "md5 match, bad wins over good");
	expect(&e, 1, PN_CAT_MALICIOUS, "Worm.Sha1 extra words", "sha1 match, label is the rest of the line");
	expect(&e, 2, PN_CAT_MALICIOUS, "Upper.Sha256", "upper-case sha256 with CRLF");
	expect(&e, 3, PN_CAT_MALICIOUS, "Quoted.Label", "quoted hash, comma, quoted label");
	expect(&e, 4, PN_CAT_MALICIOUS, "KnownBad", "no label: default label");
	expect(&e, 5, PN_CAT_MALICIOUS, "sample5.exe", "sha256sum-style line");
	expect(&e, 6, PN_CAT_MALICIOUS, "First.Label", "duplicate: first file, first label wins");
	expect(&e, 7, PN_CAT_UNDETECTED, NULL, "hashes on malformed lines are not loaded");
	expect(&e, 8, PN_CAT_MALICIOUS, "Eight", "sha1 after a line with a NUL byte");
	expect(&e, 9, PN_CAT_HARMLESS, "clean", "known good");
	expect(&e, 10, PN_CAT_UNDETECTED, NULL, "unlisted sample");
	rc = scan(&e, NULL, 0, &v);
	ok(rc == PN_OK && v.category == PN_CAT_HARMLESS, "empty file found in the good list by md5");
	pn_verdict_release(&v);
	rc = scan(&e, S[0].data, SAMPLE_LEN, &v);
	ok(rc == PN_OK && strcmp(detail(v.details, "list"), "known-bad") == 0 &&
	    strcmp(detail(v.details, "hash_type"), "md5") == 0 &&
	    strcmp(detail(v.details, "hash"), S[0].md5) == 0 &&
	    strcmp(detail(v.details, "list_file"), "bad1.txt") == 0 &&
	    strcmp(detail(v.details, "also_known_good"), "true") == 0,
	    "details: list, hash type, hash, file, also_known_good");
	pn_verdict_release(&v);
	rc = scan(&e, S[6].data, SAMPLE_LEN, &v);
	ok(rc == PN_OK && strcmp(detail(v.details, "label"), "First.Label") == 0 &&
	    strcmp(detail(v.details, "list_file"), "bad1.txt") == 0 &&
	    strcmp(detail(v.details, "also_known_good"), "true") == 0,
	    "same sha256 in bad and good lists: one record, bad label, also_known_good");
	pn_verdict_release(&v);
	rc = scan(&e, S[9].data, SAMPLE_LEN, &v);
	ok(rc == PN_OK && strcmp(detail(v.details, "list"), "known-good") == 0 &&
	    strcmp(detail(v.details, "label"), "Good.Nine") == 0 &&
	    strcmp(detail(v.details, "list_file"), "good.txt") == 0, "details of a known-good match");
	pn_verdict_release(&v);

	/* A target given only as an fd. */
	{
		char *p = path_of("sample2.bin");
		struct pn_scan_target t;

		write_file("sample2.bin", S[2].data, SAMPLE_LEN);
		memset(&t, 0, sizeof(t));
		t.fd = open(p, O_RDONLY);
		t.size = SAMPLE_LEN;
		memset(&v, 0, sizeof(v));
		rc = e.ops->scan(&e, &t, &v);
		ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS, "target as an fd without a map");
		pn_verdict_release(&v);
		close(t.fd);
		free(p);
	}

	/* Reload picks up a changed list; a failed reload keeps the old tables. */
	buf = pn_xasprintf("%s Added.Later\n", S[10].md5);
	write_str("bad2.txt", buf);
	free(buf);
	rc = e.ops->reload(&e, c);
	ok(rc == PN_OK && e.error[0] == '\0', "reload");
	expect(&e, 10, PN_CAT_MALICIOUS, "Added.Later", "reload: new entry found");
	expect(&e, 8, PN_CAT_UNDETECTED, NULL, "reload: removed entry gone");
	{
		struct pn_conf *c2 = conf_with("/nonexistent/list.txt", NULL);

		rc = e.ops->reload(&e, c2);
		ok(rc == PN_EIO && strstr(e.error, "/nonexistent/list.txt") != NULL,
		    "failed reload: PN_EIO, error names the file");
		expect(&e, 10, PN_CAT_MALICIOUS, "Added.Later", "failed reload keeps the old tables");
		pn_conf_free(c2);
	}
out:
	e.ops->free(&e);
	pn_conf_free(c);
	free(b1);
	free(b2);
}

static void
test_csv(void)
{
	struct pn_engine e;
	struct pn_conf *c;
	char *buf, *p1, *p2, *both;
	int rc;

	/* MalwareBazaar's dump: header commented out, ", " between quoted fields. */
	buf = pn_xasprintf(
	    "################################################################\n"
	    "# MalwareBazaar full data dump (CSV)                           #\n"
	    "################################################################\n"
	    "#\n"
	    "# \"first_seen_utc\",\"sha256_hash\",\"md5_hash\",\"sha1_hash\",\"reporter\","
	    "\"file_name\",\"file_type_guess\",\"mime_type\",\"signature\",\"clamav\","
	    "\"vtpercent\",\"imphash\",\"ssdeep\",\"tlsh\"\n"
	    "\"2024-01-02 03:04:05\", \"%s\", \"%s\", \"%s\", \"abuse_ch\", \"a, b.exe\", "
	    "\"exe\", \"application/x-dosexec\", \"AgentTesla\", \"n/a\", \"n/a\", \"x\", \"y\", \"z\"\n"
	    "\"2024-01-02 03:04:06\", \"%s\", \"%s\", \"%s\", \"abuse_ch\", \"c.exe\", "
	    "\"exe\", \"application/x-dosexec\", \"n/a\", \"n/a\", \"n/a\", \"x\", \"y\", \"z\"\n"
	    "\"2024-01-02 03:04:07\", \"\", \"%s\", \"\", \"r\", \"d.exe\", \"exe\", \"m\", "
	    "\"Emotet\", \"n/a\", \"n/a\", \"x\", \"y\", \"z\"\n"
	    "\"2024-01-02 03:04:08\", \"not-a-hash\", \"\", \"\", \"r\", \"e\", \"exe\", \"m\", "
	    "\"X\", \"n/a\", \"n/a\", \"x\", \"y\", \"z\"\n"
	    "\"2024-01-02 03:04:09\", \"%s, \"unterminated\n"
	    "# \"first_seen_utc\",\"sha256_hash\"\n",
	    S[0].sha256, S[0].md5, S[0].sha1,
	    S[1].sha256, S[1].md5, S[1].sha1,
	    S[2].md5, S[3].sha256);
	write_str("mb.csv", buf);
	free(buf);
	/* A plain header row: md5 and a name column, unquoted. */
	buf = pn_xasprintf("MD5,Name,Size\n%s,Family.Four,1000\n%s,,1000\n",
	    S[4].md5, S[5].md5);
	write_str("plain.csv", buf);
	free(buf);
	/* A comment that reads like a header over a plain list. */
	buf = pn_xasprintf("# md5,label\n%s Plain.After.Comment\n", S[6].md5);
	write_str("tricky.txt", buf);
	free(buf);
	p1 = path_of("mb.csv");
	p2 = path_of("plain.csv");
	{
		char *p3 = path_of("tricky.txt");

		both = pn_xasprintf("%s:%s:%s", p1, p2, p3);
		free(p3);
	}
	c = conf_with(both, NULL);
	if (pn_conf_put(c, "hashlist.label", "Listed.Bad") != PN_OK)
		fatalx("conf put");
	rc = engine_init(&e, c);
	ok(rc == PN_OK, "CSV lists load (colon-separated list of files)");
	if (rc != PN_OK) {
		diag("error: %s", e.error);
		goto out;
	}
	{
		struct hashlist *h = e.priv;

		is_int(h->files[0].entries, 3, "3 rows of the MalwareBazaar CSV loaded");
		is_int(h->files[0].malformed, 2, "2 malformed rows (no hash, unterminated quote)");
		is_int(h->t[HL_SHA256].n, 2, "CSV: the sha256 column is preferred");
		is_int(h->files[1].entries, 2, "plain CSV header: 2 rows");
	}
	expect(&e, 0, PN_CAT_MALICIOUS, "AgentTesla", "MalwareBazaar row, signature label");
	expect(&e, 1, PN_CAT_MALICIOUS, "Listed.Bad", "signature n/a: hashlist.label");
	expect(&e, 2, PN_CAT_MALICIOUS, "Emotet", "empty sha256: md5 column used");
	expect(&e, 3, PN_CAT_UNDETECTED, NULL, "row with an unterminated quote skipped");
	expect(&e, 4, PN_CAT_MALICIOUS, "Family.Four", "MD5,Name header");
	expect(&e, 5, PN_CAT_MALICIOUS, "Listed.Bad", "empty name: default label");
	expect(&e, 6, PN_CAT_MALICIOUS, "Plain.After.Comment",
	    "a header-like comment over a plain list: lines still load");
out:
	e.ops->free(&e);
	pn_conf_free(c);
	free(p1);
	free(p2);
	free(both);
}

static void
test_errors(void)
{
	struct pn_engine e;
	struct pn_conf *c;
	char *p, *buf;
	int rc;

	c = conf_with(NULL, NULL);
	rc = engine_init(&e, c);
	ok(rc == PN_EINVAL && strstr(e.error, "no hash list") != NULL, "no list configured: PN_EINVAL");
	e.ops->free(&e);
	pn_conf_free(c);

	c = conf_with(" , ", NULL);
	rc = engine_init(&e, c);
	ok(rc == PN_EINVAL, "list of blanks: PN_EINVAL");
	e.ops->free(&e);
	pn_conf_free(c);

	c = conf_with(tmpdir, NULL);
	rc = engine_init(&e, c);
	ok(rc == PN_EIO && strstr(e.error, "not a regular file") != NULL, "directory as a list: PN_EIO");
	e.ops->free(&e);
	pn_conf_free(c);

	buf = pn_xasprintf("%s\n%s\n%s\n", S[0].md5, S[1].md5, S[2].md5);
	write_str("three.txt", buf);
	free(buf);
	p = path_of("three.txt");
	c = conf_with(p, NULL);
	pn_conf_put(c, "hashlist.max_entries", "2");
	rc = engine_init(&e, c);
	ok(rc == PN_ELIMIT && strstr(e.error, "max_entries") != NULL, "over max_entries: PN_ELIMIT");
	e.ops->free(&e);
	pn_conf_put(c, "hashlist.max_entries", "3");
	rc = engine_init(&e, c);
	ok(rc == PN_OK, "exactly max_entries loads");
	e.ops->free(&e);
	pn_conf_put(c, "hashlist.max_entries", "0");
	rc = engine_init(&e, c);
	ok(rc == PN_EINVAL, "max_entries 0: PN_EINVAL");
	e.ops->free(&e);
	pn_conf_free(c);
	free(p);

	/* An empty list file is fine: nothing is listed. */
	write_str("empty.txt", "");
	p = path_of("empty.txt");
	c = conf_with(p, NULL);
	rc = engine_init(&e, c);
	ok(rc == PN_OK, "empty list loads");
	expect(&e, 0, PN_CAT_UNDETECTED, NULL, "empty list: undetected");
	e.ops->free(&e);
	pn_conf_free(c);
	free(p);
}

/* Labels: interning returns one index per distinct string. */
static void
test_labels(void)
{
	struct hl_labels l;
	uint32_t a, b, a2;
	char name[32];
	int i, okall = 1;

	memset(&l, 0, sizeof(l));
	a = labels_intern(&l, "Alpha");
	b = labels_intern(&l, "Beta");
	a2 = labels_intern(&l, "Alpha");
	ok(a != 0 && b != 0 && a != b && a == a2, "intern: same string, same index");
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "Label.%d", i);
		if (labels_intern(&l, name) != (uint32_t)i + 3)
			okall = 0;
	}
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "Label.%d", i);
		if (labels_intern(&l, name) != (uint32_t)i + 3 ||
		    strcmp(labels_get(&l, (uint32_t)i + 3), name) != 0)
			okall = 0;
	}
	ok(okall, "5000 labels interned and found again after growth");
	ok(labels_get(&l, 0) == NULL && labels_get(&l, 999999) == NULL, "index 0 and out of range: NULL");
	labels_free(&l);
}

static int64_t
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1M SHA-256 lines: load time, memory, lookups. */
static void
test_big(void)
{
	struct pn_engine e;
	struct pn_conf *c;
	char *p, line[80];
	uint8_t (*d)[32] = pn_xmalloc((size_t)BIG_N * 32);
	FILE *f;
	int64_t t0, ms, cpu0, cpu;
	size_t i, found = 0, absent = 0;
	int rc;

	p = path_of("big.txt");
	if ((f = fopen(p, "w")) == NULL)
		fatal("fopen %s", p);
	pn_random(d, (size_t)BIG_N * 32);
	for (i = 0; i < BIG_N; i++) {
		pn_hex(d[i], 32, line);
		fprintf(f, "%s Big.%zu\n", line, i % 1000);
		if (i == BIG_N / 2)
			fprintf(f, "%s Sample.Eleven\n", S[11].sha256);
	}
	if (fclose(f) != 0)
		fatal("write %s", p);
	c = conf_with(p, NULL);
	t0 = pn_mono_ms();
	cpu0 = cpu_ms();
	rc = engine_init(&e, c);
	ms = pn_mono_ms() - t0;
	cpu = cpu_ms() - cpu0;
	ok(rc == PN_OK, "1M-entry list loads");
	if (rc != PN_OK) {
		diag("error: %s", e.error);
		goto out;
	}
	diag("load of %d sha256 lines (%.1f MB): %lld ms wall, %lld ms CPU, tables %zu KiB",
	    BIG_N + 1, (double)(BIG_N + 1) * 75 / 1e6, (long long)ms, (long long)cpu,
	    hashlist_bytes(e.priv) / 1024);
	{
		struct hashlist *h = e.priv;
		const struct hl_table *t = &h->t[HL_SHA256];
		int sorted = 1;

		is_int(t->n, BIG_N + 1, "1M + 1 records");
		for (i = 1; i < t->n; i++)
			if (memcmp(t->rec + (i - 1) * t->stride, t->rec + i * t->stride, 32) >= 0)
				sorted = 0;
		ok(sorted, "records strictly sorted");
		t0 = pn_mono_ms();
		for (i = 0; i < BIG_N; i += 97)
			if (table_find(t, d[i], 32) != NULL)
				found++;
		for (i = 0; i < 10000; i++) {
			uint8_t x[32];

			pn_random(x, sizeof(x));
			if (table_find(t, x, 32) != NULL)
				absent++;
		}
		ms = pn_mono_ms() - t0;
		is_int(found, (BIG_N + 96) / 97, "every sampled listed hash found");
		is_int(absent, 0, "no random hash found");
		diag("%zu lookups: %lld ms", found + 10000, (long long)ms);
	}
	expect(&e, 11, PN_CAT_MALICIOUS, "Sample.Eleven", "sample in the middle of 1M lines");
	expect(&e, 10, PN_CAT_UNDETECTED, NULL, "unlisted sample with 1M lines loaded");
out:
	e.ops->free(&e);
	pn_conf_free(c);
	unlink(p);
	free(p);
	free(d);
}

static void
cleanup(void)
{
	char *cmd = pn_xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	free(cmd);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	pn_log_set_level(PN_LOG_ERROR);
	snprintf(tmpdir, sizeof(tmpdir), "%s/pn-hashlist-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");
	make_samples();
	test_csv_split();
	test_labels();
	test_plain();
	test_csv();
	test_errors();
	test_big();
	cleanup();
	return done_testing();
}
