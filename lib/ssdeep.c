/*
 * ssdeep.c - context-triggered piecewise hashing (see ssdeep.h).
 *
 * The input is cut into pieces where a rolling hash of the last 7 bytes
 * hits -1 modulo the block size; each piece contributes one base64
 * character (its FNV hash modulo 64).  Block sizes 3, 6, 12, ... run side
 * by side: a block size starts when the one below it first triggers, and
 * is dropped when the input has grown past what it could describe and
 * the next one already has half a digest.  The digest is the smallest
 * block size whose piece hash is long enough, then the next one's,
 * truncated to 31 characters plus one for the tail.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ssdeep.h"
#include "pn.h"

#include <stdio.h>
#include <string.h>

#define WINDOW       7
#define MIN_BS       3
#define BS(i)        ((uint64_t)MIN_BS << (i))
#define FNV_INIT6    0x27u      /* 0x28021967 mod 64 */
#define FNV_PRIME6   0x13u      /* 0x01000193 mod 64 */
#define HALF         (PN_SSDEEP_SPAMSUM_LEN / 2)

static const char b64[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* One FNV-1 step, only the six bits that reach the digest. */
static inline uint8_t
fnv6(uint8_t h, uint8_t c)
{
	return (uint8_t)(((h * FNV_PRIME6) ^ c) & 63u);
}

static void
bh_reset(struct pn_ssdeep_bh *b)
{
	b->h = b->halfh = FNV_INIT6;
	b->dlen = 0;
	b->digest[0] = '\0';
	b->halfdigest = '\0';
}

void
pn_ssdeep_init(struct pn_ssdeep *s)
{
	memset(s, 0, sizeof(*s));
	s->bhstart = 0;
	s->bhend = 1;
	s->bhendlimit = PN_SSDEEP_BLOCKHASHES;
	bh_reset(&s->bh[0]);
}

int
pn_ssdeep_set_size(struct pn_ssdeep *s, uint64_t size)
{
	unsigned g = 0;

	if (size > PN_SSDEEP_MAX_INPUT)
		return PN_ELIMIT;
	if (s->fixed_set && s->fixed != size)
		return PN_EINVAL;
	s->fixed_set = 1;
	s->fixed = size;
	/* Block sizes above the first guess's successor can never be chosen. */
	while (BS(g) * PN_SSDEEP_SPAMSUM_LEN < size && g < PN_SSDEEP_BLOCKHASHES - 2)
		g++;
	s->bhendlimit = g + 2;
	return PN_OK;
}

/* The block size above the largest so far starts, as a copy of it. */
static void
fork_next(struct pn_ssdeep *s)
{
	struct pn_ssdeep_bh *n;

	if (s->bhend >= s->bhendlimit)
		return;
	n = &s->bh[s->bhend];
	n->h = s->bh[s->bhend - 1].h;
	n->halfh = s->bh[s->bhend - 1].halfh;
	n->dlen = 0;
	n->digest[0] = '\0';
	n->halfdigest = '\0';
	s->bhend++;
}

/* Drop the smallest block size once it can no longer be the one chosen. */
static void
reduce(struct pn_ssdeep *s)
{
	uint64_t size = s->fixed_set ? s->fixed : s->total;

	if (s->bhend - s->bhstart < 2)
		return;
	if (BS(s->bhstart) * PN_SSDEEP_SPAMSUM_LEN >= size)
		return;
	if (s->bh[s->bhstart + 1].dlen < HALF)
		return;
	s->bhstart++;
}

/* A trigger at rolling hash h: emit piece characters, start or drop block sizes. */
static void
trigger(struct pn_ssdeep *s, uint32_t h)
{
	unsigned i;

	for (i = s->bhstart; i < s->bhend; i++) {
		struct pn_ssdeep_bh *b = &s->bh[i];
		if (h % BS(i) != BS(i) - 1)
			break;          /* then no larger block size triggers either */
		if (b->dlen == 0)
			fork_next(s);
		b->digest[b->dlen] = b64[b->h];
		b->halfdigest = b64[b->halfh];
		if (b->dlen < PN_SSDEEP_SPAMSUM_LEN - 1) {
			/* Room left: a new piece starts; else the tail merges into the last. */
			b->digest[++b->dlen] = '\0';
			b->h = FNV_INIT6;
			if (b->dlen < HALF) {
				b->halfh = FNV_INIT6;
				b->halfdigest = '\0';
			}
		} else {
			reduce(s);
		}
	}
}

/*
 * The piece hashes of up to four block sizes in one word: byte lane 2k is
 * block (bhstart + k)'s h, lane 2k + 1 its halfh.  One FNV step modulo 64
 * on every lane: h * 19 = h*16 + h*2 + h, keeping only the bits that reach
 * bit 5 so that no lane carries into the next.
 */
#define LANES_LO   0x0101010101010101ull
#define LANE_MASK  (0x3full * LANES_LO)
#define SWAR_MAX   4

static inline uint64_t
fnv6_lanes(uint64_t x, uint8_t c6)
{
	uint64_t m = ((x << 4) & (0x30ull * LANES_LO)) + ((x << 1) & (0x3eull * LANES_LO)) + x;

	return (m ^ (c6 * LANES_LO)) & LANE_MASK;
}

static uint64_t
pack(const struct pn_ssdeep *s)
{
	uint64_t x = 0;
	unsigned k;

	for (k = 0; k < s->bhend - s->bhstart; k++)
		x |= ((uint64_t)s->bh[s->bhstart + k].h << (16 * k)) |
		    ((uint64_t)s->bh[s->bhstart + k].halfh << (16 * k + 8));
	return x;
}

static void
unpack(struct pn_ssdeep *s, uint64_t x)
{
	unsigned k;

	for (k = 0; k < s->bhend - s->bhstart; k++) {
		s->bh[s->bhstart + k].h = (uint8_t)(x >> (16 * k)) & 63u;
		s->bh[s->bhstart + k].halfh = (uint8_t)(x >> (16 * k + 8)) & 63u;
	}
}

/* Does rolling hash h trigger block size index i (h = -1 mod 3 * 2^i)? */
static inline int
triggers(uint32_t h, unsigned i)
{
	uint64_t hp = (uint64_t)h + 1;

	return __builtin_expect(hp % MIN_BS == 0, 0) && ((hp / MIN_BS) & ((1ull << i) - 1)) == 0;
}

void
pn_ssdeep_update(struct pn_ssdeep *s, const void *data, size_t len)
{
	const uint8_t *const d = data;
	uint32_t h1 = s->h1, h2 = s->h2, h3 = s->h3;
	int swar = s->bhend - s->bhstart <= SWAR_MAX && s->bhend < PN_SSDEEP_BLOCKHASHES;
	uint64_t lanes = swar ? pack(s) : 0;
	size_t j;

	/* Like libfuzzy: the size the reductions compare with counts the whole chunk. */
	s->total = len > PN_SSDEEP_MAX_INPUT || PN_SSDEEP_MAX_INPUT - len < s->total ?
	    PN_SSDEEP_MAX_INPUT + 1 : s->total + len;
	for (j = 0; j < len; j++) {
		uint8_t c = d[j], c6 = c & 63u, out;
		uint32_t h;
		unsigned i;

		/* The byte leaving the 7-byte window: from the input, or the saved window. */
		out = __builtin_expect(j >= WINDOW, 1) ? d[j - WINDOW] :
		    s->window[(s->wpos + j) % WINDOW];
		h2 -= h1;
		h2 += WINDOW * (uint32_t)c;
		h1 += c;
		h1 -= out;
		h3 = (h3 << 5) ^ c;
		h = h1 + h2 + h3;

		if (swar) {
			lanes = fnv6_lanes(lanes, c6);
			if (!triggers(h, s->bhstart))
				continue;
			unpack(s, lanes);
		} else {
			for (i = s->bhstart; i < s->bhend; i++) {
				s->bh[i].h = fnv6(s->bh[i].h, c6);
				s->bh[i].halfh = fnv6(s->bh[i].halfh, c6);
			}
			if (s->bhend == PN_SSDEEP_BLOCKHASHES)
				s->lasth = fnv6(s->lasth, c6);
			if (!triggers(h, s->bhstart))
				continue;
		}
		trigger(s, h);
		swar = s->bhend - s->bhstart <= SWAR_MAX && s->bhend < PN_SSDEEP_BLOCKHASHES;
		if (swar)
			lanes = pack(s);
	}
	if (swar)
		unpack(s, lanes);
	/* Keep the last 7 bytes (oldest first from wpos) for the next chunk. */
	if (len >= WINDOW) {
		memcpy(s->window, d + len - WINDOW, WINDOW);
		s->wpos = 0;
	} else {
		for (j = 0; j < len; j++) {
			s->window[s->wpos] = d[j];
			s->wpos = (s->wpos + 1) % WINDOW;
		}
	}
	s->h1 = h1;
	s->h2 = h2;
	s->h3 = h3;
}

int
pn_ssdeep_digest(const struct pn_ssdeep *s, char *out)
{
	uint32_t h = s->h1 + s->h2 + s->h3;
	unsigned bi = s->bhstart;
	size_t n;
	char *o;

	if (s->total > PN_SSDEEP_MAX_INPUT)
		return PN_ELIMIT;
	if (s->fixed_set && s->fixed != s->total)
		return PN_EINVAL;
	/* The block size that fits the length, then the one whose hash is long enough. */
	while (BS(bi) * PN_SSDEEP_SPAMSUM_LEN < s->total)
		if (++bi >= PN_SSDEEP_BLOCKHASHES)
			return PN_ELIMIT;
	if (bi >= s->bhend)
		bi = s->bhend - 1;
	while (bi > s->bhstart && s->bh[bi].dlen < HALF)
		bi--;

	o = out + snprintf(out, PN_SSDEEP_RESULT_LEN, "%llu:", (unsigned long long)BS(bi));
	n = s->bh[bi].dlen;
	memcpy(o, s->bh[bi].digest, n);
	o += n;
	if (h != 0)
		*o++ = b64[s->bh[bi].h];
	else if (s->bh[bi].digest[n] != '\0')
		*o++ = s->bh[bi].digest[n];
	*o++ = ':';
	if (bi < s->bhend - 1) {
		const struct pn_ssdeep_bh *b = &s->bh[bi + 1];
		n = PN_MIN((size_t)b->dlen, (size_t)HALF - 1);
		memcpy(o, b->digest, n);
		o += n;
		if (h != 0)
			*o++ = b64[b->halfh];
		else if (b->halfdigest != '\0')
			*o++ = b->halfdigest;
	} else if (h != 0) {
		*o++ = bi == 0 ? b64[s->bh[bi].h] : b64[s->lasth];
	}
	*o = '\0';
	return PN_OK;
}
