/*
 * tlsh.c - TLSH digests and distances (see tlsh.h).
 *
 * The algorithm (Oliver, Cheng, Chen: "TLSH - A Locality Sensitive Hash",
 * CTC 2013; the paper ships as /usr/share/doc/libtlsh-dev/TLSH_CTC_final.pdf):
 *
 *   1. Slide a 5-byte window c0..c4 (c0 the newest byte) over the input.
 *      For every position with a full window, six triplets (c0 and two of
 *      c1..c4) are mapped to a bucket by Pearson hashing with a salt
 *      (2, 3, 5, 7, 11, 13); the bucket's count goes up by one.  A running
 *      1-byte checksum is Pearson(0, c0, c1, checksum).
 *   2. At the end take the quartiles q1 <= q2 <= q3 of the first 128
 *      bucket counts and code each bucket in 2 bits: 0 (<= q1), 1 (<= q2),
 *      2 (<= q3), 3 (above).
 *   3. The header is the checksum, a log-scaled length (lvalue) and the
 *      ratios q1/q3 and q2/q3 in percent, modulo 16.
 *
 * Only the first 128 buckets enter the digest; the counting array has 256
 * entries so that the hot loop never branches on the bucket index.
 *
 * Compatibility notes, each checked against libtlsh by tests/unit/test_hash.c:
 *  - The ratios are computed in single precision from 32-bit products,
 *    as libtlsh does, so they agree for any bucket counts.
 *  - lvalue is a table of the lengths at which libtlsh's value steps up
 *    (measured over all 2^32 lengths; docs/internals/hashing.md).
 *  - The hex form swaps the nibbles of the first two header bytes and
 *    writes the code bytes last to first, as getHash() does.
 *
 * Limits: PN_TLSH_MIN_LEN..PN_TLSH_MAX_LEN input bytes for a digest.
 * Errors: PN_EFORMAT (no digest for this input, malformed hash string).
 * See also: tlsh.h, docs/internals/hashing.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "tlsh.h"

/* Pearson's permutation of 0..255 (CACM 33(6), 1990, table 1). */
static const uint8_t pearson[256] = {
	1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163,
	14, 197, 213, 181, 161, 85, 218, 80, 64, 239, 24, 226, 236, 142, 38, 200,
	110, 177, 104, 103, 141, 253, 255, 50, 77, 101, 81, 18, 45, 96, 31, 222,
	25, 107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235,
	97, 234, 57, 22, 60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248,
	174, 169, 211, 58, 66, 154, 106, 195, 245, 171, 17, 187, 182, 179, 0, 243,
	132, 56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216, 219,
	119, 68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10,
	138, 30, 48, 183, 156, 35, 61, 26, 143, 74, 251, 94, 129, 162, 63, 152,
	170, 7, 115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131,
	125, 173, 15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123,
	118, 73, 2, 157, 46, 116, 9, 145, 134, 228, 207, 212, 202, 215, 69, 229,
	27, 188, 67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205, 39, 203,
	233, 40, 186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76,
	140, 36, 210, 172, 41, 54, 159, 8, 185, 232, 113, 196, 231, 47, 146, 120,
	51, 65, 28, 144, 254, 221, 93, 189, 194, 139, 112, 43, 71, 109, 184, 209,
};

/*
 * lvalue(len) is the number of entries <= len: the smallest length with
 * lvalue 1, 2, ... 170.  The values follow floor(log(len) / log(1.5)) up to
 * 656 bytes, floor(log(len) / log(1.3) - 8.72777) up to 3199 and
 * floor(log(len) / log(1.1) - 62.5472) above, evaluated as libtlsh does;
 * the table pins down its rounding at every step.
 */
static const uint32_t lvalue_step[] = {
	2, 3, 4, 6, 8, 12, 18, 26, 39, 58, 87, 130, 195, 292, 438, 657, 855,
	1111, 1444, 1877, 2440, 3172, 3476, 3824, 4206, 4627, 5089, 5598, 6158,
	6773, 7451, 8196, 9015, 9917, 10908, 11999, 13199, 14519, 15971, 17568,
	19324, 21257, 23383, 25721, 28293, 31122, 34234, 37657, 41423, 45565,
	50122, 55134, 60647, 66712, 73383, 80722, 88794, 97673, 107440, 118184,
	130003, 143003, 157303, 173033, 190336, 209370, 230307, 253338, 278671,
	306539, 337192, 370912, 408003, 448803, 493683, 543051, 597357, 657092,
	722801, 795082, 874590, 962049, 1058253, 1164079, 1280487, 1408535,
	1549389, 1704328, 1874760, 2062237, 2268460, 2495306, 2744837, 3019321,
	3321253, 3653375, 4018712, 4420583, 4862642, 5348906, 5883797, 6472177,
	7119395, 7831334, 8614468, 9475910, 10423502, 11465852, 12612438,
	13873682, 15261051, 16787155, 18465871, 20312459, 22343707, 24578078,
	27035887, 29739475, 32713426, 35984771, 39583246, 43541574, 47895731,
	52685307, 57953838, 63749222, 70124149, 77136565, 84850229, 93335253,
	102668780, 112935660, 124229228, 136652152, 150317385, 165349129,
	181884041, 200072457, 220079704, 242087672, 266296457, 292926097,
	322218736, 354440624, 389884689, 428873169, 471760496, 518936560,
	570830241, 627913312, 690704608, 759775137, 835752672, 919327968,
	1011260768, 1112386881, 1223623233, 1345985728, 1480584257, 1628642752,
	1791507136, 1970657857, 2167723649, 2384496257, 2622945921, 2885240449,
	3173764737, 3491141249, 3840255617, 4224281217,
};

/* Pearson hash of the four bytes salt, a, b, c (salt a constant). */
static inline uint8_t
pearson4(uint8_t salt, uint8_t a, uint8_t b, uint8_t c)
{
	return pearson[pearson[pearson[pearson[salt] ^ a] ^ b] ^ c];
}

unsigned
pn__tlsh_lvalue(uint64_t len)
{
	size_t lo = 0, hi = PN_ARRAY_LEN(lvalue_step);

	/* Binary search for the number of steps <= len. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lvalue_step[mid] <= len)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned)lo;
}

void
pn_tlsh_init(struct pn_tlsh *t)
{
	memset(t, 0, sizeof(*t));
}

void
pn_tlsh_update(struct pn_tlsh *t, const void *data, size_t len)
{
	const uint8_t *p = data, *end = p + len;
	uint32_t *b = t->bucket;
	uint8_t c1 = t->win[0], c2 = t->win[1], c3 = t->win[2], c4 = t->win[3];
	uint8_t cs = t->checksum;
	uint64_t filled = t->len;

	if (len == 0)
		return;
	/* The first four bytes of the whole input only fill the window. */
	for (; p < end && filled < 4; p++, filled++) {
		c4 = c3;
		c3 = c2;
		c2 = c1;
		c1 = *p;
	}
	for (; p < end; p++) {
		uint8_t c0 = *p;

		cs = pearson4(0, c0, c1, cs);
		b[pearson4(2, c0, c1, c2)]++;
		b[pearson4(3, c0, c1, c3)]++;
		b[pearson4(5, c0, c2, c3)]++;
		b[pearson4(7, c0, c2, c4)]++;
		b[pearson4(11, c0, c1, c4)]++;
		b[pearson4(13, c0, c3, c4)]++;
		c4 = c3;
		c3 = c2;
		c2 = c1;
		c1 = c0;
	}
	t->win[0] = c1;
	t->win[1] = c2;
	t->win[2] = c3;
	t->win[3] = c4;
	t->checksum = cs;
	t->len += len;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Percent of q in q3, single precision from a 32-bit product, mod 16. */
static uint8_t
qratio(uint32_t q, uint32_t q3)
{
	uint32_t pct = q * 100u;    /* wraps for huge counts, as libtlsh does */

	return (uint8_t)((uint32_t)((float)pct / (float)q3) % 16);
}

int
pn_tlsh_digest(const struct pn_tlsh *t, struct pn_tlsh_digest *d)
{
	uint32_t sorted[PN_TLSH_BUCKETS], q1, q2, q3;
	int nonzero = 0;

	memset(d, 0, sizeof(*d));
	if (t->len < PN_TLSH_MIN_LEN || t->len > PN_TLSH_MAX_LEN)
		return PN_EFORMAT;
	memcpy(sorted, t->bucket, sizeof(sorted));
	qsort(sorted, PN_TLSH_BUCKETS, sizeof(sorted[0]), cmp_u32);
	q1 = sorted[PN_TLSH_BUCKETS / 4 - 1];
	q2 = sorted[PN_TLSH_BUCKETS / 2 - 1];
	q3 = sorted[PN_TLSH_BUCKETS - PN_TLSH_BUCKETS / 4 - 1];
	for (int i = 0; i < PN_TLSH_BUCKETS; i++)
		nonzero += t->bucket[i] > 0;
	/* More than half of the buckets must be in use. */
	if (q3 == 0 || nonzero <= PN_TLSH_BUCKETS / 2)
		return PN_EFORMAT;

	for (int i = 0; i < PN_TLSH_CODE_LEN; i++) {
		uint8_t h = 0;
		for (int j = 0; j < 4; j++) {
			uint32_t k = t->bucket[4 * i + j];
			unsigned v = k > q3 ? 3 : k > q2 ? 2 : k > q1 ? 1 : 0;
			h |= (uint8_t)(v << (2 * j));
		}
		d->code[i] = h;
	}
	d->checksum = t->checksum;
	d->lvalue = (uint8_t)pn__tlsh_lvalue(t->len);
	d->q1ratio = qratio(q1, q3);
	d->q2ratio = qratio(q2, q3);
	return PN_OK;
}

static uint8_t
swap_nibbles(uint8_t x)
{
	return (uint8_t)(x << 4 | x >> 4);
}

void
pn_tlsh_format(const struct pn_tlsh_digest *d, char out[PN_TLSH_BUF_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t raw[3 + PN_TLSH_CODE_LEN];

	raw[0] = swap_nibbles(d->checksum);
	raw[1] = swap_nibbles(d->lvalue);
	raw[2] = (uint8_t)((d->q1ratio & 0xf) << 4 | (d->q2ratio & 0xf));
	for (int i = 0; i < PN_TLSH_CODE_LEN; i++)
		raw[3 + i] = d->code[PN_TLSH_CODE_LEN - 1 - i];
	out[0] = 'T';
	out[1] = '1';
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 + 2 * i] = hex[raw[i] >> 4];
		out[3 + 2 * i] = hex[raw[i] & 0xf];
	}
	out[PN_TLSH_STR_LEN] = '\0';
}

int
pn_tlsh_final(const struct pn_tlsh *t, char out[PN_TLSH_BUF_LEN])
{
	struct pn_tlsh_digest d;
	int rc;

	out[0] = '\0';
	if ((rc = pn_tlsh_digest(t, &d)) != PN_OK)
		return rc;
	pn_tlsh_format(&d, out);
	return PN_OK;
}

int
pn_tlsh_buf(const void *data, size_t len, char out[PN_TLSH_BUF_LEN])
{
	struct pn_tlsh t;

	pn_tlsh_init(&t);
	pn_tlsh_update(&t, data, len);
	return pn_tlsh_final(&t, out);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
pn_tlsh_parse(const char *s, struct pn_tlsh_digest *d)
{
	uint8_t raw[3 + PN_TLSH_CODE_LEN];

	memset(d, 0, sizeof(*d));
	if (s == NULL)
		return PN_EFORMAT;
	if ((s[0] == 'T' || s[0] == 't') && s[1] == '1')
		s += 2;
	/* Reads stop at the first bad character, so s[i] never passes a NUL. */
	for (size_t i = 0; i < sizeof(raw); i++) {
		int hi = hexval(s[2 * i]), lo;
		if (hi < 0 || (lo = hexval(s[2 * i + 1])) < 0)
			return PN_EFORMAT;
		raw[i] = (uint8_t)(hi << 4 | lo);
	}
	if (s[PN_TLSH_HEX_LEN] != '\0')
		return PN_EFORMAT;
	d->checksum = swap_nibbles(raw[0]);
	d->lvalue = swap_nibbles(raw[1]);
	d->q1ratio = raw[2] >> 4;
	d->q2ratio = raw[2] & 0xf;
	for (int i = 0; i < PN_TLSH_CODE_LEN; i++)
		d->code[i] = raw[3 + PN_TLSH_CODE_LEN - 1 - i];
	return PN_OK;
}

/* Distance of x and y on a circle of r values. */
static unsigned
mod_diff(unsigned x, unsigned y, unsigned r)
{
	unsigned dl = x > y ? x - y : y - x;

	return PN_MIN(dl, r - dl);
}

/* Steps of 0 or 1 count as such, larger ones 12 per step (less one). */
static int
ratio_diff(unsigned x, unsigned y)
{
	unsigned d = mod_diff(x, y, 16);

	return d <= 1 ? (int)d : (int)(d - 1) * 12;
}

/* Distance of two code bytes: per 2-bit pair |a-b|, a gap of 3 counts 6. */
static int
code_diff(uint8_t a, uint8_t b)
{
	static const uint8_t pair[16] = {
		0, 1, 2, 6, 1, 0, 1, 2, 2, 1, 0, 1, 6, 2, 1, 0,
	};
	int sum = 0;

	for (int j = 0; j < 8; j += 2)
		sum += pair[((a >> j) & 3) << 2 | ((b >> j) & 3)];
	return sum;
}

int
pn_tlsh_digest_diff(const struct pn_tlsh_digest *a,
    const struct pn_tlsh_digest *b, int len_diff)
{
	int diff = 0;

	if (len_diff) {
		unsigned ld = mod_diff(a->lvalue, b->lvalue, 256);
		diff += ld <= 1 ? (int)ld : (int)ld * 12;
	}
	diff += ratio_diff(a->q1ratio, b->q1ratio);
	diff += ratio_diff(a->q2ratio, b->q2ratio);
	diff += a->checksum != b->checksum;
	for (int i = 0; i < PN_TLSH_CODE_LEN; i++)
		diff += code_diff(a->code[i], b->code[i]);
	return diff;
}

int
pn_tlsh_diff(const char *a, const char *b)
{
	struct pn_tlsh_digest da, db;

	if (pn_tlsh_parse(a, &da) != PN_OK || pn_tlsh_parse(b, &db) != PN_OK)
		return PN_EFORMAT;
	return pn_tlsh_digest_diff(&da, &db, 1);
}
