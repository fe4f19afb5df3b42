/*
 * tlsh.h - TLSH, Trend Micro's locality sensitive hash, in plain C.
 *
 * The variant is the one Debian's libtlsh (3.4.4, class Tlsh) computes by
 * default: 128 buckets, a 1-byte checksum, a 5-byte sliding window with six
 * Pearson-hashed byte triplets per position.  Output is VirusTotal's form:
 * "T1" followed by the 70 upper-case hex characters that libtlsh's
 * getHash() prints, 72 characters in all.  Hashing is streaming: any split
 * of the input into pn_tlsh_update() calls gives the same hash.
 *
 * A struct pn_tlsh holds no pointers (about 1 KiB); init it, update it, ask
 * for the digest.  pn_tlsh_final() does not change the state, so more data
 * may follow and a new digest be taken.
 *
 * Limits: a digest needs at least PN_TLSH_MIN_LEN bytes (libtlsh 3.4.4's
 * MIN_DATA_LENGTH; TLSH 4.x lowered it to 50) and more than half of the 128
 * buckets non-empty, as libtlsh requires; PN_TLSH_MAX_LEN bytes at most
 * (libtlsh counts the length in 32 bits; newer releases refuse more).
 * Errors: PN_EFORMAT when no digest can be made (too short, too little
 * variety, too long) or a hash string is malformed.
 * See also: docs/internals/hashing.md, tests/unit/test_hash.c (cross-check
 * against libtlsh).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_TLSH_H
#define PN_TLSH_H

#include <stddef.h>
#include <stdint.h>

#define PN_TLSH_BUCKETS   128          /* buckets that enter the digest */
#define PN_TLSH_CODE_LEN  32           /* body bytes, 2 bits per bucket */
#define PN_TLSH_HEX_LEN   70           /* libtlsh getHash(): 35 bytes in hex */
#define PN_TLSH_STR_LEN   72           /* "T1" + PN_TLSH_HEX_LEN */
#define PN_TLSH_BUF_LEN   73           /* PN_TLSH_STR_LEN + NUL */
#define PN_TLSH_MIN_LEN   256          /* shortest input with a digest */
#define PN_TLSH_MAX_LEN   0xffffffffULL /* longest input with a digest */

struct pn_tlsh {
	uint32_t bucket[256];  /* triplet counts; only [0,128) are used */
	uint64_t len;          /* bytes fed so far */
	uint8_t win[4];        /* previous bytes, win[0] the most recent */
	uint8_t checksum;      /* running 1-byte checksum */
};

/* The decoded form of a digest, for comparing one hash with many. */
struct pn_tlsh_digest {
	uint8_t checksum;
	uint8_t lvalue;                   /* log-scaled input length */
	uint8_t q1ratio, q2ratio;         /* 4 bits each */
	uint8_t code[PN_TLSH_CODE_LEN];   /* code[i] holds buckets 4i..4i+3 */
};

void pn_tlsh_init(struct pn_tlsh *t);
void pn_tlsh_update(struct pn_tlsh *t, const void *data, size_t len);

/*
 * Write "T1" + 70 hex characters and a NUL to out.  Returns PN_OK, or
 * PN_EFORMAT with out set to "" where libtlsh gives no hash (input shorter
 * than PN_TLSH_MIN_LEN or longer than PN_TLSH_MAX_LEN, or too uniform).
 * The state is left as it was.
 */
int pn_tlsh_final(const struct pn_tlsh *t, char out[PN_TLSH_BUF_LEN]);

/* The same result as a decoded digest (PN_OK or PN_EFORMAT). */
int pn_tlsh_digest(const struct pn_tlsh *t, struct pn_tlsh_digest *d);

/* One-shot convenience: init + update + final. */
int pn_tlsh_buf(const void *data, size_t len, char out[PN_TLSH_BUF_LEN]);

/*
 * Parse a hash string: 70 hex digits (either case), optionally preceded by
 * "T1", nothing else.  Returns PN_OK or PN_EFORMAT.
 */
int pn_tlsh_parse(const char *s, struct pn_tlsh_digest *d);

/* Format d as "T1" + 70 upper-case hex digits. */
void pn_tlsh_format(const struct pn_tlsh_digest *d, char out[PN_TLSH_BUF_LEN]);

/*
 * Distance between two digests: 0 for identical, larger for less similar,
 * no upper bound (a few hundred or more for unrelated inputs).  With
 * len_diff the length component is included; libtlsh's totalDiff(other,
 * len_diff).  Symmetric.
 */
int pn_tlsh_digest_diff(const struct pn_tlsh_digest *a,
    const struct pn_tlsh_digest *b, int len_diff);

/*
 * Distance between two hash strings (with or without "T1"), length included:
 * libtlsh's totalDiff().  Returns the score (>= 0) or PN_EFORMAT if either
 * string is not a hash.
 */
int pn_tlsh_diff(const char *a, const char *b);

/* Internal, for the unit test: the lvalue (log-scaled length) of len. */
unsigned pn__tlsh_lvalue(uint64_t len);

#endif
