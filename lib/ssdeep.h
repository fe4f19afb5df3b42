/*
 * ssdeep.h - context-triggered piecewise hashing (ssdeep / spamsum),
 * streaming, giving the same digests as libfuzzy's fuzzy_digest(state,
 * out, 0) with the total length announced or not.
 *
 * libfuzzy hashes at about 133 MB/s here (size announced); this one keeps
 * only the six bits of each piece hash that reach the digest (the FNV step
 * modulo 64), steps up to four block sizes at once in the byte lanes of one
 * word, and skips the trigger test for two bytes in three (every block size
 * is a multiple of 3): about 210 MB/s (docs/internals/hashing.md).  tests/unit/test_hash.c
 * compares it with libfuzzy on random and real inputs of every size
 * class, in one piece and in chunks.
 *
 *   struct pn_ssdeep s;
 *   pn_ssdeep_init(&s);
 *   pn_ssdeep_set_size(&s, n);      optional: fewer block sizes to follow
 *   pn_ssdeep_update(&s, p, n);     ...
 *   pn_ssdeep_digest(&s, out);      "blocksize:hash:hash"
 *
 * Limits: PN_SSDEEP_MAX_INPUT bytes (libfuzzy's limit); beyond it, or when
 * the announced size was not what came, the digest is refused (PN_ELIMIT,
 * PN_EINVAL).  No allocation.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SSDEEP_H
#define PN_SSDEEP_H

#include <stddef.h>
#include <stdint.h>

#define PN_SSDEEP_BLOCKHASHES  31              /* block sizes 3 * 2^0 .. 3 * 2^30 */
#define PN_SSDEEP_SPAMSUM_LEN  64              /* characters of one piece hash */
#define PN_SSDEEP_RESULT_LEN   148             /* "bs:" + 64 + ":" + 64 + NUL, with room */
#define PN_SSDEEP_MAX_INPUT    ((uint64_t)PN_SSDEEP_SPAMSUM_LEN * ((uint64_t)3 << 30))

struct pn_ssdeep_bh {
	uint8_t h, halfh;                        /* FNV of the current piece, mod 64 */
	uint8_t dlen;                            /* characters in digest */
	char digest[PN_SSDEEP_SPAMSUM_LEN];      /* digest[dlen] may hold one more */
	char halfdigest;
};

struct pn_ssdeep {
	uint32_t h1, h2, h3;                     /* rolling hash over the last 7 bytes */
	uint8_t window[7];
	unsigned wpos;
	unsigned bhstart, bhend, bhendlimit;     /* block hashes kept: [bhstart, bhend) */
	uint64_t total, fixed;                   /* bytes seen; announced size */
	int fixed_set;
	uint8_t lasth;                           /* last piece hash of the largest block size */
	struct pn_ssdeep_bh bh[PN_SSDEEP_BLOCKHASHES];
};

void pn_ssdeep_init(struct pn_ssdeep *s);
/* Announce the total input length; PN_EINVAL when it changes, PN_ELIMIT when too large. */
int pn_ssdeep_set_size(struct pn_ssdeep *s, uint64_t size);
void pn_ssdeep_update(struct pn_ssdeep *s, const void *data, size_t len);
/* out: PN_SSDEEP_RESULT_LEN bytes.  PN_OK, PN_ELIMIT (too long) or PN_EINVAL (size). */
int pn_ssdeep_digest(const struct pn_ssdeep *s, char *out);

#endif
