/*
 * fuzz_multipart.c - fuzz target for the streaming multipart/form-data
 * parser (server/multipart.c).
 *
 * Input layout (tests/fuzz/make-seeds.sh writes seeds in it):
 *
 *   byte 0   how to split the body: bits 0-1 mode (0 one piece, 1 two
 *            pieces cut at byte1/256 of the body, 2 chunks of
 *            byte1 % 64 + 1 bytes, 3 chunk sizes from a generator seeded
 *            by byte1); bits 4-5 the Content-Type (0, 1 fixed boundaries
 *            "B" and a 40-character one; 2, 3 the rest of the input up to
 *            the first LF, at most 255 bytes)
 *   byte 1   split parameter
 *   rest     the body (after the Content-Type line in modes 2, 3)
 *
 * Each chunk is fed from its own exactly-sized heap copy, so ASan sees any
 * read past a chunk.  The body is parsed twice, split and in one piece,
 * and the digests of the events (part headers, data stream, ends, result,
 * error text) must match.  Invariants checked on the way: callbacks come
 * in order, data is non-empty and points into the chunk being fed or into
 * the parser's delimiter, limits hold, fewer than a delimiter's length of
 * bytes is held back, an error always has a message.  A violation aborts.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "server/multipart.h"

#define LONG_BND "----------------fuzzBoundary7MA4YWxkTrZu"

struct ev {
	uint64_t h;             /* FNV-1a digest of the events */
	int in_part;
	unsigned parts;
	const struct pn_mp *mp;
	const char *lo, *hi;    /* the chunk being fed */
};

static void
mix(struct ev *e, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		e->h ^= c[i];
		e->h *= 0x100000001b3ULL;
	}
}

static void
mix_str(struct ev *e, const char *s)
{
	if (s == NULL)
		mix(e, "\xff", 1);
	else
		mix(e, s, strlen(s) + 1);
}

static int
on_begin(void *ctx, const struct pn_mp_part *part)
{
	struct ev *e = ctx;

	if (e->in_part || part->name == NULL || part->index != e->parts ||
	    e->parts >= PN_MP_MAX_PARTS ||
	    (part->filename && strlen(part->filename) > PN_MP_MAX_FILENAME))
		PN_BUG("fuzz_multipart: bad on_part_begin");
	e->in_part = 1;
	e->parts++;
	mix(e, "B", 1);
	mix_str(e, part->name);
	mix_str(e, part->filename);
	mix_str(e, part->content_type);
	return 0;
}

static int
on_data(void *ctx, const char *p, size_t n)
{
	struct ev *e = ctx;
	const char *d = e->mp->delim;

	if (!e->in_part || n == 0 || p == NULL)
		PN_BUG("fuzz_multipart: bad on_part_data");
	if (!(p >= e->lo && n <= (size_t)(e->hi - p)) &&
	    !(p >= d && n <= (size_t)(d + sizeof(e->mp->delim) - p)))
		PN_BUG("fuzz_multipart: data outside the chunk");
	mix(e, p, n);
	return 0;
}

static int
on_end(void *ctx)
{
	struct ev *e = ctx;

	if (!e->in_part)
		PN_BUG("fuzz_multipart: bad on_part_end");
	e->in_part = 0;
	mix(e, "E", 1);
	return 0;
}

static uint32_t
next_size(uint32_t *s, uint32_t max)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) % max + 1;
}

/* The split: the size of the next chunk of the n bytes left. */
static size_t
chunk_size(int mode, unsigned param, size_t total, size_t n, uint32_t *s)
{
	size_t c = n;

	switch (mode) {
	case 1:
		c = n == total ? total * param / 256 : n;
		if (c == 0)
			c = n;
		break;
	case 2:
		c = param % 64 + 1;
		break;
	case 3:
		c = next_size(s, param % 32 + 1);
		break;
	}
	return PN_MIN(c, n);
}

/* Parse body; returns the digest of all events and the outcome. */
static uint64_t
run(const char *ct, const uint8_t *body, size_t len, int mode, unsigned param)
{
	struct pn_mp mp;
	struct ev e;
	size_t off = 0, c;
	uint32_t s = param;
	int rc;

	memset(&e, 0, sizeof(e));
	e.h = 0xcbf29ce484222325ULL;
	e.mp = &mp;
	rc = pn_mp_init(&mp, ct);
	mp.on_part_begin = on_begin;
	mp.on_part_data = on_data;
	mp.on_part_end = on_end;
	mp.ctx = &e;
	while (rc == PN_OK && off < len) {
		char *chunk;

		c = chunk_size(mode, param, len, len - off, &s);
		chunk = pn_xmalloc(c);
		memcpy(chunk, body + off, c);
		e.lo = chunk;
		e.hi = chunk + c;
		rc = pn_mp_feed(&mp, chunk, c);
		free(chunk);
		e.lo = e.hi = NULL;
		off += c;
		if (mp.match >= mp.dlen - mp.doff && mp.err == PN_OK)
			PN_BUG("fuzz_multipart: held back a whole delimiter");
	}
	if (rc == PN_OK)
		rc = pn_mp_finish(&mp);
	if (rc != PN_OK && (mp.error == NULL || (rc != PN_EFORMAT && rc != PN_ELIMIT)))
		PN_BUG("fuzz_multipart: error without message or with odd code");
	if (rc == PN_OK && (!pn_mp_done(&mp) || e.in_part))
		PN_BUG("fuzz_multipart: finished inside a part");
	if (mp.nparts > PN_MP_MAX_PARTS)
		PN_BUG("fuzz_multipart: too many parts");
	mix(&e, &rc, sizeof(rc));
	mix_str(&e, mp.error);
	return e.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ct[256];
	const uint8_t *body, *lf;
	size_t len;
	int mode, ctsel;
	unsigned param;

	if (size < 2)
		return 0;
	mode = data[0] & 3;
	ctsel = (data[0] >> 4) & 3;
	param = data[1];
	body = data + 2;
	len = size - 2;
	if (ctsel == 0) {
		pn_strlcpy(ct, "multipart/form-data; boundary=B", sizeof(ct));
	} else if (ctsel == 1) {
		pn_strlcpy(ct, "multipart/form-data; boundary=\"" LONG_BND "\"", sizeof(ct));
	} else {
		lf = memchr(body, '\n', PN_MIN(len, sizeof(ct)));
		if (lf == NULL)
			return 0;
		memcpy(ct, body, (size_t)(lf - body));
		ct[lf - body] = '\0';
		len -= (size_t)(lf - body) + 1;
		body = lf + 1;
	}
	if (run(ct, body, len, mode, param) != run(ct, body, len, 0, 0))
		PN_BUG("fuzz_multipart: split and one-piece parses differ");
	return 0;
}
