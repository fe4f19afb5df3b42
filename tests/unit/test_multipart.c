/*
 * test_multipart.c - unit tests of the streaming multipart/form-data
 * parser (server/multipart.c).
 *
 * Every body is parsed once in one piece and again in other splits (every
 * chunk size 1..64, seeded random splits); each chunk is handed over in
 * its own exactly-sized heap copy, so ASan sees any read past a chunk.
 * The events (part headers, the concatenated data of each part, ends,
 * result, error text) must be the same for every split.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "server/multipart.h"
#include "tap.h"

#include <time.h>
#include <zlib.h>

#define BND     "----PnFormBoundary7MA4YWxkTrZu0gW"
#define CT      "multipart/form-data; boundary=" BND
#define MAXREC  80

/* ------------------------------------------------------------ recorder */

struct part_rec {
	char *name, *filename, *ctype;  /* copies; filename NULL when absent */
	struct pn_buf data;             /* delivered body bytes (if kept) */
	size_t len;                     /* delivered body length */
	uLong crc;                      /* crc32 of the delivered bytes */
	int ended;
};

struct rec {
	struct part_rec p[MAXREC];
	int n;                  /* parts begun */
	int in_part;            /* between begin and end */
	int bad;                /* an event out of order */
	int keep;               /* keep data (else crc only) */
	int abort_on;           /* 1 begin, 2 data, 3 end: return -77 */
	int rc;                 /* finish or first failing feed */
	char *error;            /* copy of mp->error */
	const char *lo, *hi;    /* current input chunk */
	size_t in_input;        /* data bytes delivered from inside the chunk */
	size_t delivered;       /* all data bytes delivered */
};

static char *
dup_or_null(const char *s)
{
	return s ? pn_xstrdup(s) : NULL;
}

static int
cb_begin(void *ctx, const struct pn_mp_part *part)
{
	struct rec *r = ctx;
	struct part_rec *p;

	if (r->in_part || part->name == NULL || r->n >= MAXREC ||
	    part->index != (unsigned)r->n)
		r->bad++;
	if (r->n >= MAXREC)
		return PN_EINTERNAL;
	p = &r->p[r->n++];
	p->name = dup_or_null(part->name);
	p->filename = dup_or_null(part->filename);
	p->ctype = dup_or_null(part->content_type);
	pn_buf_init(&p->data, 0);
	p->crc = crc32(0L, Z_NULL, 0);
	r->in_part = 1;
	return r->abort_on == 1 ? -77 : 0;
}

static int
cb_data(void *ctx, const char *data, size_t len)
{
	struct rec *r = ctx;
	struct part_rec *p;

	if (!r->in_part || len == 0 || data == NULL)
		return r->bad++, PN_EINTERNAL;
	p = &r->p[r->n - 1];
	p->len += len;
	r->delivered += len;
	p->crc = crc32(p->crc, (const Bytef *)data, (uInt)len);
	if (data >= r->lo && data + len <= r->hi)
		r->in_input += len;
	if (r->keep && pn_buf_append(&p->data, data, len) != PN_OK)
		return PN_EINTERNAL;
	return r->abort_on == 2 ? -77 : 0;
}

static int
cb_end(void *ctx)
{
	struct rec *r = ctx;

	if (!r->in_part)
		r->bad++;
	else
		r->p[r->n - 1].ended = 1;
	r->in_part = 0;
	return r->abort_on == 3 ? -77 : 0;
}

static void
rec_init(struct rec *r, int keep)
{
	memset(r, 0, sizeof(*r));
	r->keep = keep;
}

static void
rec_free(struct rec *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->p[i].name);
		free(r->p[i].filename);
		free(r->p[i].ctype);
		pn_buf_release(&r->p[i].data);
	}
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Same events, same data, same outcome. */
static int
rec_eq(const struct rec *a, const struct rec *b)
{
	int i;

	if (a->n != b->n || a->rc != b->rc || a->bad || b->bad ||
	    !str_eq(a->error, b->error)) {
		diag("n %d/%d rc %d/%d bad %d/%d error %s/%s", a->n, b->n, a->rc, b->rc,
		    a->bad, b->bad, a->error ? a->error : "-", b->error ? b->error : "-");
		return 0;
	}
	for (i = 0; i < a->n; i++) {
		const struct part_rec *x = &a->p[i], *y = &b->p[i];

		if (!str_eq(x->name, y->name) || !str_eq(x->filename, y->filename) ||
		    !str_eq(x->ctype, y->ctype) || x->len != y->len ||
		    x->crc != y->crc || x->ended != y->ended)
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------- drivers */

static void
wire(struct pn_mp *mp, struct rec *r)
{
	mp->on_part_begin = cb_begin;
	mp->on_part_data = cb_data;
	mp->on_part_end = cb_end;
	mp->ctx = r;
}

/* Feed one chunk from its own exactly-sized copy. */
static int
feed_copy(struct pn_mp *mp, struct rec *r, const char *p, size_t n)
{
	char *c = pn_xmalloc(n);
	int rc;

	memcpy(c, p, n);
	r->lo = c;
	r->hi = c + n;
	rc = pn_mp_feed(mp, c, n);
	free(c);
	r->lo = r->hi = NULL;
	return rc;
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/*
 * Parse body with content type ct in chunks: of `chunk` bytes, or random
 * sizes in 1..-chunk when chunk is negative, or one piece when 0.
 */
static int
parse_split(const char *ct, const char *body, size_t len, long chunk, struct rec *r, int keep)
{
	struct pn_mp mp;
	size_t off = 0, n;
	int rc;

	rec_init(r, keep);
	rc = pn_mp_init(&mp, ct);
	wire(&mp, r);
	while (rc == PN_OK && off < len) {
		if (chunk == 0)
			n = len - off;
		else if (chunk > 0)
			n = PN_MIN((size_t)chunk, len - off);
		else
			n = (size_t)(rng() % (uint64_t)-chunk) + 1;
		n = PN_MIN(n, len - off);   /* PN_MIN evaluates twice */
		rc = feed_copy(&mp, r, body + off, n);
		off += n;
	}
	if (rc == PN_OK)
		rc = pn_mp_finish(&mp);
	r->rc = rc;
	r->error = dup_or_null(mp.error);
	if ((rc == PN_OK) != (mp.error == NULL))
		r->bad++;
	return rc;
}

static int
parse(const char *body, size_t len, struct rec *r)
{
	return parse_split(CT, body, len, 0, r, 1);
}

/* One-shot result equals every chunk size 1..64 and 200 random splits. */
static int
split_invariant(const char *ct, const char *body, size_t len)
{
	struct rec one, other;
	long c;
	int i, same = 1;

	parse_split(ct, body, len, 0, &one, 0);
	for (c = 1; c <= 64 && same; c++) {
		parse_split(ct, body, len, c, &other, 0);
		same = rec_eq(&one, &other);
		if (!same)
			diag("chunk size %ld differs (rc %d vs %d)", c, other.rc, one.rc);
		rec_free(&other);
	}
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 200 && same; i++) {
		parse_split(ct, body, len, -(long)(1 + i % 97), &other, 0);
		same = rec_eq(&one, &other);
		if (!same)
			diag("random split %d differs (rc %d vs %d)", i, other.rc, one.rc);
		rec_free(&other);
	}
	rec_free(&one);
	return same;
}

/* ------------------------------------------------------------- bodies */

static void
add(struct pn_buf *b, const char *s)
{
	if (pn_buf_puts(b, s) != PN_OK)
		PN_BUG("test buffer");
}

static void
addn(struct pn_buf *b, const void *p, size_t n)
{
	if (pn_buf_append(b, p, n) != PN_OK)
		PN_BUG("test buffer");
}

/* a part: eol is "\r\n" or "\n" */
static void
add_part(struct pn_buf *b, const char *eol, const char *disp, const char *ctype,
    const void *data, size_t n)
{
	add(b, "--" BND);
	add(b, eol);
	add(b, "Content-Disposition: ");
	add(b, disp);
	add(b, eol);
	if (ctype) {
		add(b, "Content-Type: ");
		add(b, ctype);
		add(b, eol);
	}
	add(b, eol);
	addn(b, data, n);
	add(b, eol);
}

static void
add_close(struct pn_buf *b, const char *eol)
{
	add(b, "--" BND "--");
	add(b, eol);
}

/* binary data full of line ends, dashes and boundary prefixes */
static const char nasty[] =
	"MZ\x90\0\r\n--\r\n\r\n-\r\r\n\n--" "----PnFormBoundary7MA4YWxkTrZu0g" "X\r\n"
	"X--" BND "\r\n--" "----PnFormBoundary" "\r\n-" "\r\n--" "\r" "\n" "\0\xff\r\n--";

/* --------------------------------------------------------------- tests */

static void
test_init(void)
{
	struct pn_mp mp;
	char big[200];
	static const char *good[] = {
		"multipart/form-data; boundary=abc",
		"multipart/form-data;boundary=abc",
		"Multipart/Form-Data; BOUNDARY=abc",
		"multipart/form-data; boundary=\"abc\"",
		"multipart/form-data; charset=utf-8; boundary=abc",
		"multipart/form-data; boundary=abc; charset=utf-8",
		"multipart/form-data ; boundary = abc ",
		"multipart/form-data; boundary=\"a b'()+_,-./:=?\"",
		"multipart/form-data; boundary=------------------------d74496d66958873e",
	};
	static const char *bad[] = {
		"application/json",
		"multipart/mixed; boundary=abc",
		"multipart/form-datax; boundary=abc",
		"multipart/form-data",
		"multipart/form-data; charset=utf-8",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"abc ",
		"multipart/form-data; boundary=\"abc \"",
		"multipart/form-data; boundary=ab@c",
		"multipart/form-data; boundary=\"ab;c\"",
		"multipart/form-data; boundary=abc; boundary=abd",
		"multipart/form-data; boundary=abc junk",
		"multipart/form-data; =abc",
		"",
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(good); i++)
		is_int(pn_mp_init(&mp, good[i]), PN_OK, "init accepts %s", good[i]);
	pn_mp_init(&mp, good[3]);
	ok(mp.dlen == 7 && memcmp(mp.delim, "\r\n--abc", 7) == 0, "quoted boundary unquoted");
	pn_mp_init(&mp, good[7]);
	ok(strcmp(mp.delim, "\r\n--a b'()+_,-./:=?") == 0, "all bchars kept");
	for (i = 0; i < PN_ARRAY_LEN(bad); i++) {
		is_int(pn_mp_init(&mp, bad[i]), PN_EFORMAT, "init rejects '%s'", bad[i]);
		ok(mp.error != NULL && strncmp(mp.error, "multipart: ", 11) == 0,
		    "  with a message (%s)", mp.error ? mp.error : "none");
	}
	is_int(pn_mp_init(&mp, NULL), PN_EFORMAT, "init rejects NULL");
	{
		char longct[700];

		memset(longct, ' ', sizeof(longct) - 1);
		longct[sizeof(longct) - 1] = '\0';
		memcpy(longct, "multipart/form-data; boundary=abc;", 34);
		is_int(pn_mp_init(&mp, longct), PN_EFORMAT, "init rejects a 699-byte Content-Type");
	}
	is_int(pn_mp_feed(&mp, "x", 1), PN_EFORMAT, "feed after failed init keeps the error");

	memset(big, 'b', sizeof(big));
	snprintf(big, sizeof(big), "multipart/form-data; boundary=%.*s",
	    PN_MP_MAX_BOUNDARY, "0123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890");
	is_int(pn_mp_init(&mp, big), PN_OK, "70-character boundary accepted");
	snprintf(big, sizeof(big), "multipart/form-data; boundary=%.*s",
	    PN_MP_MAX_BOUNDARY + 1, "0123456789012345678901234567890123456789"
	    "012345678901234567890123456789012345678901234567890");
	is_int(pn_mp_init(&mp, big), PN_EFORMAT, "71-character boundary rejected");
}

static void
check_upload(struct rec *r, int file_first, const char *what)
{
	int f = file_first ? 0 : 1, pw = 1 - f;

	is_int(r->rc, PN_OK, "%s: parsed", what);
	is_int(r->n, 2, "%s: two parts", what);
	if (r->n != 2)
		return;
	is_str(r->p[f].name, "file", "%s: file part name", what);
	is_str(r->p[f].filename, "sample.exe", "%s: filename", what);
	is_str(r->p[f].ctype, "application/octet-stream", "%s: content type", what);
	ok(r->p[f].len == sizeof(nasty) - 1 &&
	    memcmp(r->p[f].data.p, nasty, sizeof(nasty) - 1) == 0,
	    "%s: file data exact (%zu bytes)", what, r->p[f].len);
	is_str(r->p[pw].name, "password", "%s: password part", what);
	ok(r->p[pw].filename == NULL && r->p[pw].ctype == NULL,
	    "%s: text field has no filename/content type", what);
	ok(r->p[pw].len == 6 && memcmp(r->p[pw].data.p, "s3cr3t", 6) == 0,
	    "%s: password value", what);
	ok(r->p[0].ended && r->p[1].ended && !r->bad, "%s: events in order", what);
}

static void
build_upload(struct pn_buf *b, int file_first, const char *eol)
{
	pn_buf_init(b, 0);
	if (!file_first)
		add_part(b, eol, "form-data; name=\"password\"", NULL, "s3cr3t", 6);
	add_part(b, eol, "form-data; name=\"file\"; filename=\"sample.exe\"",
	    "application/octet-stream", nasty, sizeof(nasty) - 1);
	if (file_first)
		add_part(b, eol, "form-data; name=\"password\"", NULL, "s3cr3t", 6);
	add_close(b, eol);
}

static void
test_upload(void)
{
	struct pn_buf b;
	struct rec r, lf;
	int ff;

	for (ff = 1; ff >= 0; ff--) {
		const char *what = ff ? "file then password" : "password then file";

		build_upload(&b, ff, "\r\n");
		parse(b.p, b.len, &r);
		check_upload(&r, ff, what);
		ok(r.in_input == r.delivered, "%s: one-shot data is zero-copy (%zu of %zu)",
		    what, r.in_input, r.delivered);
		ok(split_invariant(CT, b.p, b.len), "%s: same events for every split", what);
		pn_buf_release(&b);

		build_upload(&b, ff, "\n");
		parse(b.p, b.len, &lf);
		check_upload(&lf, ff, ff ? "LF-only, file first" : "LF-only, password first");
		ok(rec_eq(&r, &lf), "LF-only body gives the same events as CRLF");
		ok(split_invariant(CT, b.p, b.len), "LF-only: same events for every split");
		pn_buf_release(&b);
		rec_free(&r);
		rec_free(&lf);
	}
}

/* a body from a string literal */
#define PARSE(s, r) parse((s), sizeof(s) - 1, (r))

static void
test_empty_and_edges(void)
{
	struct rec r;
	struct pn_buf b;

	PARSE("--" BND "\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"empty.bin\"\r\n"
	    "\r\n"
	    "\r\n--" BND "--\r\n", &r);
	is_int(r.rc, PN_OK, "empty file part parsed");
	ok(r.n == 1 && r.p[0].len == 0 && r.p[0].ended, "empty part: begin, no data, end");
	is_str(r.n ? r.p[0].filename : NULL, "empty.bin", "empty part filename");
	rec_free(&r);

	PARSE("--" BND "--", &r);
	ok(r.rc == PN_OK && r.n == 0, "close delimiter alone: no parts, ok");
	rec_free(&r);

	PARSE("This is the preamble.\r\nIt is ignored. --" BND " not here\r\n"
	    "--" BND "x is not a delimiter either\r\n"
	    "--" BND " \t \r\n"
	    "content-disposition: FORM-DATA; NAME=a\r\n"
	    "\r\n"
	    "1\r\n--" BND "\t\r\n"
	    "Content-Disposition: form-data; name=b\r\n"
	    "\r\n"
	    "2\r\n--" BND "--  \r\nThis is the epilogue.\r\n--" BND "\r\n garbage", &r);
	is_int(r.rc, PN_OK, "preamble, padding, epilogue tolerated");
	ok(r.n == 2 && r.p[0].len == 1 && r.p[0].data.p[0] == '1' &&
	    r.p[1].len == 1 && r.p[1].data.p[0] == '2', "  with the right data");
	is_str(r.n ? r.p[0].name : NULL, "a", "  unquoted name, any case");
	rec_free(&r);

	/* Data that ends with a delimiter prefix right before the delimiter. */
	pn_buf_init(&b, 0);
	add_part(&b, "\r\n", "form-data; name=x", NULL, "a\r\n--" "----PnForm", 15);
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	ok(r.rc == PN_OK && r.n == 1 && r.p[0].len == 15 &&
	    memcmp(r.p[0].data.p, "a\r\n------PnForm", 15) == 0,
	    "data ending in a delimiter prefix kept whole");
	ok(split_invariant(CT, b.p, b.len), "  for every split");
	rec_free(&r);
	pn_buf_release(&b);

	pn_buf_init(&b, 0);
	add_part(&b, "\r\n", "form-data; name=x", NULL, "\r\r\n\r\n-\r\n--\r", 11);
	add_part(&b, "\r\n", "form-data; name=y", NULL, "\r\n\r", 3);
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	ok(r.rc == PN_OK && r.n == 2 && r.p[0].len == 11 &&
	    memcmp(r.p[0].data.p, "\r\r\n\r\n-\r\n--\r", 11) == 0 &&
	    r.p[1].len == 3 && memcmp(r.p[1].data.p, "\r\n\r", 3) == 0,
	    "data of CRs, LFs and dashes, ending in CR, kept whole");
	ok(split_invariant(CT, b.p, b.len), "  for every split");
	rec_free(&r);
	pn_buf_release(&b);

	/* In a CRLF body, "\n--boundary" without CR is data. */
	pn_buf_init(&b, 0);
	add_part(&b, "\r\n", "form-data; name=x", NULL, "a\n--" BND "\n", strlen("a\n--" BND "\n"));
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	ok(r.rc == PN_OK && r.n == 1 && r.p[0].len == strlen("a\n--" BND "\n"),
	    "CRLF body: bare-LF delimiter look-alike is data (%zu bytes)",
	    r.n ? r.p[0].len : 0);
	rec_free(&r);
	pn_buf_release(&b);

	/* Folded header, other headers, header name case. */
	PARSE("--" BND "\r\n"
	    "X-Other: whatever\r\n"
	    "CONTENT-DISPOSITION: form-data;\r\n"
	    "\tname=\"file\";\r\n"
	    "  filename=\"folded.txt\"\r\n"
	    "content-type:   text/plain; charset=utf-8  \r\n"
	    "Content-Transfer-Encoding: binary\r\n"
	    "\r\n"
	    "x\r\n--" BND "--\r\n", &r);
	is_int(r.rc, PN_OK, "folded header parsed");
	if (r.n == 1) {
		is_str(r.p[0].filename, "folded.txt", "  filename from folded line");
		is_str(r.p[0].ctype, "text/plain; charset=utf-8", "  content type trimmed");
	} else {
		ok(0, "  one part (got %d)", r.n);
	}
	rec_free(&r);

	/* Bare-LF headers inside a CRLF body. */
	PARSE("--" BND "\r\nContent-Disposition: form-data; name=a\n\nv\r\n--" BND "--", &r);
	ok(r.rc == PN_OK && r.n == 1 && r.p[0].len == 1, "LF-only header lines in a CRLF body");
	rec_free(&r);
}

static void
test_filenames(void)
{
	static const struct {
		const char *disp, *name, *filename;
	} t[] = {
		{ "form-data; name=\"file\"; filename=\"a\\\"b.exe\"", "file", "a\"b.exe" },
		{ "form-data; name=\"file\"; filename=\"a\\\\b\"", "file", "a\\b" },
		{ "form-data; name=\"file\"; filename=\"C:\\dir\\x.exe\"", "file", "C:\\dir\\x.exe" },
		{ "form-data; name=\"file\"; filename=\"semi;colon = \\\"q\\\".txt\"", "file",
		  "semi;colon = \"q\".txt" },
		{ "form-data; name=file; filename=plain.bin", "file", "plain.bin" },
		{ "form-data;name=\"f\";filename=\"\"", "f", "" },
		{ "form-data; filename=\"x\"; name=\"file\"", "file", "x" },
		{ "form-data; name=\"file\"; filename*=UTF-8''%e2%82%ac.txt; filename=\"e.txt\"",
		  "file", "e.txt" },
		{ "form-data; name=\"file\"; filename=\"\xc3\xa9t\xc3\xa9.pdf\"", "file",
		  "\xc3\xa9t\xc3\xa9.pdf" },
		{ "form-data; name=\"\"; filename=\"y\";", "", "y" },
	};
	struct pn_buf b;
	struct rec r;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++) {
		pn_buf_init(&b, 0);
		add_part(&b, "\r\n", t[i].disp, NULL, "z", 1);
		add_close(&b, "\r\n");
		parse(b.p, b.len, &r);
		is_int(r.rc, PN_OK, "Content-Disposition: %s", t[i].disp);
		is_str(r.n ? r.p[0].name : NULL, t[i].name, "  name");
		is_str(r.n ? r.p[0].filename : NULL, t[i].filename, "  filename");
		rec_free(&r);
		pn_buf_release(&b);
	}
}

struct bad_case {
	const char *what;
	const char *body;
	int rc;
};

static void
test_rejects(void)
{
	static const struct bad_case t[] = {
		{ "empty body", "", PN_EFORMAT },
		{ "no closing delimiter",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" BND "\r\n",
		  PN_EFORMAT },
		{ "truncated in data",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue", PN_EFORMAT },
		{ "truncated in headers", "--" BND "\r\nContent-Disposition: form-d", PN_EFORMAT },
		{ "truncated close", "--" BND "\r\nContent-Disposition: form-data; name=a\r\n"
		  "\r\nv\r\n--" BND "-", PN_EFORMAT },
		{ "no delimiter at all", "just some text\r\n", PN_EFORMAT },
		{ "missing Content-Disposition",
		  "--" BND "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "no headers", "--" BND "\r\n\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "not form-data", "--" BND "\r\nContent-Disposition: attachment; name=a\r\n\r\n"
		  "v\r\n--" BND "--", PN_EFORMAT },
		{ "no name", "--" BND "\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\n"
		  "v\r\n--" BND "--", PN_EFORMAT },
		{ "two names", "--" BND "\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n"
		  "v\r\n--" BND "--", PN_EFORMAT },
		{ "two filenames", "--" BND "\r\nContent-Disposition: form-data; name=a; "
		  "filename=x; filename=y\r\n\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "two Content-Type", "--" BND "\r\nContent-Disposition: form-data; name=a\r\n"
		  "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "two Content-Disposition", "--" BND "\r\nContent-Disposition: form-data; name=a\r\n"
		  "Content-Disposition: form-data; name=b\r\n\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "unterminated quote", "--" BND "\r\nContent-Disposition: form-data; name=\"a\r\n"
		  "\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "junk between params", "--" BND "\r\nContent-Disposition: form-data; name=\"a\"x\r\n"
		  "\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "header without colon", "--" BND "\r\nContent-Disposition form-data; name=a\r\n"
		  "\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "space before colon", "--" BND "\r\nContent-Disposition : form-data; name=a\r\n"
		  "\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "stray CR in header", "--" BND "\r\nContent-Disposition: form-data;\r name=a\r\n"
		  "\r\nv\r\n--" BND "--", PN_EFORMAT },
		{ "garbage after boundary",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" BND "xyz\r\n",
		  PN_EFORMAT },
		{ "garbage after padding",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" BND "  y\r\n",
		  PN_EFORMAT },
		{ "CR without LF after boundary",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" BND "\rx",
		  PN_EFORMAT },
		{ "single dash close",
		  "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" BND "-x",
		  PN_EFORMAT },
		{ "continuation first", "--" BND "\r\n folded: x\r\n\r\nv\r\n--" BND "--",
		  PN_EFORMAT },
	};
	struct rec r;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++) {
		parse(t[i].body, strlen(t[i].body), &r);
		is_int(r.rc, t[i].rc, "rejects %s", t[i].what);
		ok(r.error != NULL && !r.bad, "  message: %s", r.error ? r.error : "(none)");
		rec_free(&r);
		ok(split_invariant(CT, t[i].body, strlen(t[i].body)), "  same for every split");
	}

	/* A NUL in a header (literal strings stop at NUL, so by length). */
	{
		static const char nul[] = "--" BND "\r\nContent-Disposition: form-data; "
		    "name=\"a\0b\"\r\n\r\nv\r\n--" BND "--";
		PARSE(nul, &r);
		is_int(r.rc, PN_EFORMAT, "rejects a NUL byte in a header");
		rec_free(&r);
	}

	/* Every proper prefix of a valid body is truncated, not accepted. */
	{
		struct pn_buf b;
		size_t n, wrong = 0;

		build_upload(&b, 1, "\r\n");
		for (n = 0; n + 2 < b.len; n++) {   /* "--B--" ends 2 bytes early */
			parse(b.p, n, &r);
			wrong += r.rc != PN_EFORMAT || r.bad;
			rec_free(&r);
		}
		is_int(wrong, 0, "all %zu truncations of an upload rejected", b.len - 2);
		pn_buf_release(&b);
	}
}

static void
test_limits(void)
{
	struct pn_buf b;
	struct rec r;
	char *name;
	int i;

	/* PN_MP_MAX_PARTS parts are fine, one more is not. */
	pn_buf_init(&b, 0);
	for (i = 0; i < PN_MP_MAX_PARTS; i++)
		add_part(&b, "\r\n", "form-data; name=\"f\"", NULL, "v", 1);
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	ok(r.rc == PN_OK && r.n == PN_MP_MAX_PARTS, "%d parts accepted", PN_MP_MAX_PARTS);
	rec_free(&r);
	pn_buf_reset(&b);
	for (i = 0; i <= PN_MP_MAX_PARTS; i++)
		add_part(&b, "\r\n", "form-data; name=\"f\"", NULL, "v", 1);
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	ok(r.rc == PN_ELIMIT && r.n == PN_MP_MAX_PARTS, "%d parts rejected: %s",
	    PN_MP_MAX_PARTS + 1, r.error ? r.error : "(none)");
	rec_free(&r);
	ok(split_invariant(CT, b.p, b.len), "  same for every split");
	pn_buf_release(&b);

	/*
	 * A header block of exactly PN_MP_MAX_HEADER_BYTES (its empty line
	 * included) is fine, one byte more is not.
	 */
	for (i = 0; i < 2; i++) {
		static const char pre[] = "Content-Disposition: form-data; name=\"f\"\r\nX-Pad: ";
		size_t pad = PN_MP_MAX_HEADER_BYTES - (sizeof(pre) - 1) - 4 + (size_t)i;

		pn_buf_init(&b, 0);
		add(&b, "--" BND "\r\n");
		add(&b, pre);
		while (pad--)
			add(&b, "p");
		add(&b, "\r\n\r\nv\r\n--" BND "--");
		parse(b.p, b.len, &r);
		if (i == 0)
			ok(r.rc == PN_OK && r.n == 1, "header block of %d bytes accepted",
			    PN_MP_MAX_HEADER_BYTES);
		else
			ok(r.rc == PN_ELIMIT && r.n == 0, "header block of %d bytes rejected: %s",
			    PN_MP_MAX_HEADER_BYTES + 1, r.error ? r.error : "(none)");
		rec_free(&r);
		if (i == 1)
			ok(split_invariant(CT, b.p, b.len), "  same for every split");
		pn_buf_release(&b);
	}

	/* An endless header line fails at the limit, not at the end. */
	{
		struct pn_mp mp;
		char junk[1000];
		int rc = PN_OK;
		size_t fed = 0;

		memset(junk, 'h', sizeof(junk));
		pn_mp_init(&mp, CT);
		pn_mp_feed(&mp, "--" BND "\r\n", sizeof(BND) + 3);
		while (rc == PN_OK && fed < 100000) {
			rc = pn_mp_feed(&mp, junk, sizeof(junk));
			fed += sizeof(junk);
		}
		ok(rc == PN_ELIMIT && fed <= PN_MP_MAX_HEADER_BYTES + sizeof(junk),
		    "endless header line stops after %zu bytes", fed);
	}

	/* filename of PN_MP_MAX_FILENAME bytes is fine, one more is not. */
	for (i = 0; i < 2; i++) {
		size_t n = PN_MP_MAX_FILENAME + (size_t)i;
		char *fn = pn_xmalloc(n + 1);

		memset(fn, 'n', n);
		fn[n] = '\0';
		name = pn_xasprintf("form-data; name=\"file\"; filename=\"%s\"", fn);
		pn_buf_init(&b, 0);
		add_part(&b, "\r\n", name, NULL, "v", 1);
		add_close(&b, "\r\n");
		parse(b.p, b.len, &r);
		if (i == 0)
			ok(r.rc == PN_OK && r.n == 1 && strlen(r.p[0].filename) == n,
			    "filename of %zu bytes accepted", n);
		else
			ok(r.rc == PN_ELIMIT, "filename of %zu bytes rejected: %s", n,
			    r.error ? r.error : "(none)");
		rec_free(&r);
		pn_buf_release(&b);
		free(name);
		free(fn);
	}

	/* Preamble limit. */
	pn_buf_init(&b, 0);
	for (i = 0; i < PN_MP_MAX_PREAMBLE / 8 + 1; i++)
		add(&b, "preamb\r\n");
	add_part(&b, "\r\n", "form-data; name=\"f\"", NULL, "v", 1);
	add_close(&b, "\r\n");
	parse(b.p, b.len, &r);
	is_int(r.rc, PN_EFORMAT, "preamble over %d bytes rejected", PN_MP_MAX_PREAMBLE);
	rec_free(&r);
	pn_buf_release(&b);
}

static void
test_abort(void)
{
	struct pn_buf b;
	struct pn_mp mp;
	struct rec r;
	int which, rc;

	build_upload(&b, 1, "\r\n");
	for (which = 1; which <= 3; which++) {
		rec_init(&r, 0);
		r.abort_on = which;
		pn_mp_init(&mp, CT);
		wire(&mp, &r);
		rc = pn_mp_feed(&mp, b.p, b.len);
		is_int(rc, -77, "callback %d aborts with its code", which);
		is_int(pn_mp_feed(&mp, "x", 1), -77, "  error is sticky (feed)");
		is_int(pn_mp_finish(&mp), -77, "  error is sticky (finish)");
		ok(r.n == 1 && mp.error != NULL, "  stopped at once: %s",
		    mp.error ? mp.error : "(none)");
		rec_free(&r);
	}
	pn_buf_release(&b);

	/* Feeding after the close is ignored. */
	rec_init(&r, 0);
	pn_mp_init(&mp, CT);
	wire(&mp, &r);
	rc = pn_mp_feed(&mp, "--" BND "--\r\n", sizeof(BND) + 5);
	ok(rc == PN_OK && pn_mp_done(&mp), "done after close");
	rc = pn_mp_feed(&mp, "--" BND "\r\nContent-Disposition: form-data; name=a\r\n\r\n", 60);
	ok(rc == PN_OK && r.n == 0 && pn_mp_finish(&mp) == PN_OK, "epilogue ignored");
	rec_free(&r);
}

/*
 * 5 MB of pseudo-random bytes, sprinkled with delimiter prefixes, streamed
 * in random chunks: the crc32 of what on_part_data delivers matches, and
 * at no time does the parser hold back more than a delimiter's length.
 */
static void
test_big(void)
{
	const size_t n = 5u << 20;
	const char *head = "--" BND "\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";
	const char *tail = "\r\n--" BND "\r\nContent-Disposition: form-data; "
	    "name=\"password\"\r\n\r\npw\r\n--" BND "--\r\n";
	size_t hl = strlen(head), tl = strlen(tail), i, off, held = 0, dl;
	char *body = pn_xmalloc(hl + n + tl);
	struct pn_mp mp;
	struct rec r;
	uLong want;
	struct timespec t0, t1;
	double secs;
	int rc = PN_OK;

	memcpy(body, head, hl);
	rng_state = 42;
	for (i = 0; i < n; i += 8) {
		uint64_t v = rng();
		memcpy(body + hl + i, &v, PN_MIN((size_t)8, n - i));
	}
	for (i = 0; i + 64 < n; i += 4093)    /* prefixes of every length */
		memcpy(body + hl + i, "\r\n--" BND, (i / 4093) % (sizeof(BND) + 3));
	memcpy(body + hl + n, tail, tl);
	want = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)body + hl, (uInt)n);

	rec_init(&r, 0);
	pn_mp_init(&mp, CT);
	wire(&mp, &r);
	dl = mp.dlen;
	/*
	 * Chunks end right after each planted prefix, of 0..dl-1 bytes, where
	 * the parser must hold back exactly that prefix; and every 16th chunk
	 * is cut in two at a random place.
	 */
	rng_state = 7;
	for (off = 0, i = 0; off < hl + n + tl && rc == PN_OK; i += 4093) {
		size_t end = hl + n + tl, c, fed;

		if (i + 64 < n)
			end = hl + i + (i / 4093) % (sizeof(BND) + 3);
		if (end <= off)
			continue;
		c = end - off;
		if ((i / 4093) % 16 == 5)
			c = (size_t)(rng() % c) + 1;
		rc = feed_copy(&mp, &r, body + off, c);
		off += c;
		fed = off <= hl ? 0 : PN_MIN(off - hl, n);
		if (r.n == 1 && fed - r.p[0].len > held)
			held = fed - r.p[0].len;
		if (c != end - (off - c))
			i -= 4093;      /* the rest of this piece next */
	}
	if (rc == PN_OK)
		rc = pn_mp_finish(&mp);
	is_int(rc, PN_OK, "5 MB upload parsed in chunks");
	ok(r.n == 2 && r.p[0].len == n && r.p[0].crc == want,
	    "5 MB part delivered intact (crc32 %08lx)", (unsigned long)want);
	ok(held == dl - 1, "at most the %zu bytes of a delimiter prefix held back (max %zu)",
	    dl - 1, held);
	ok(r.n == 2 && r.p[1].len == 2, "field after the big part");
	rec_free(&r);

	/* Throughput, one piece. */
	rec_init(&r, 0);
	pn_mp_init(&mp, CT);
	wire(&mp, &r);
	r.lo = body;
	r.hi = body + hl + n + tl;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pn_mp_feed(&mp, body, hl + n + tl);
	if (rc == PN_OK)
		rc = pn_mp_finish(&mp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(rc == PN_OK && r.p[0].crc == want && r.in_input == r.delivered,
	    "5 MB one piece, zero-copy");
	diag("5 MB parsed in %.2f ms (%.0f MB/s, crc32 of delivered data included)",
	    secs * 1e3, secs > 0 ? (double)n / 1048576.0 / secs : 0.0);
	rec_free(&r);

	/* Byte at a time over the first 200 kB of the same body. */
	{
		struct rec a, c;
		size_t len = hl + 200000;

		memcpy(body + len, tail, tl);
		parse_split(CT, body, len + tl, 0, &a, 0);
		parse_split(CT, body, len + tl, 1, &c, 0);
		ok(a.rc == PN_OK && rec_eq(&a, &c), "200 kB byte by byte equals one piece");
		rec_free(&a);
		rec_free(&c);
	}
	free(body);
}

/* Same events for random bodies built from delimiter-heavy fragments. */
static void
test_random_bodies(void)
{
	static const char *frag[] = {
		"--" BND, "\r\n", "\n", "\r", "--", "-", "----PnForm", " ", "\t",
		"Content-Disposition: form-data; name=\"f\"", "; filename=\"a\\\"b\"",
		"Content-Type: x/y", ":", "\"", "\0", "abc", "\r\n--" BND "\r\n",
	};
	struct pn_buf b;
	int i, j, bad = 0, okc = 0;

	rng_state = 1234;
	for (i = 0; i < 300; i++) {
		int nf = (int)(rng() % 40);

		pn_buf_init(&b, 0);
		add(&b, "--" BND "\r\n");
		for (j = 0; j < nf; j++) {
			const char *f = frag[rng() % PN_ARRAY_LEN(frag)];
			addn(&b, f, *f ? strlen(f) : 1);
		}
		if (rng() % 2)
			add(&b, "\r\n--" BND "--");
		if (!split_invariant(CT, b.p, b.len))
			bad++;
		else
			okc++;
		pn_buf_release(&b);
	}
	is_int(bad, 0, "300 random fragment bodies: same events for every split (%d)", okc);
}

int
main(void)
{
	test_init();
	test_upload();
	test_empty_and_edges();
	test_filenames();
	test_rejects();
	test_limits();
	test_abort();
	test_big();
	test_random_bodies();
	return done_testing();
}
