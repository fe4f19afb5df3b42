/*
 * hash.h - one pass over a file's bytes computing any of MD5, SHA-1,
 * SHA-256 (OpenSSL 3 EVP), ssdeep (ssdeep.c, libfuzzy's digests) and TLSH (tlsh.h).
 *
 * The API server asks for PN_HASH_MD5 | PN_HASH_SHA1 | PN_HASH_SHA256 while
 * it streams an upload to disk; workers ask for PN_HASH_SSDEEP | PN_HASH_TLSH.
 * Every update hands the caller's buffer to each selected hash in turn: no
 * copies, no allocation after pn_hash_init().
 *
 *   struct pn_hash_ctx h;
 *   struct pn_hashes out;
 *   if (pn_hash_init(&h, PN_HASH_ALL) != PN_OK) ...
 *   while (...) pn_hash_update(&h, p, n);
 *   pn_hash_final(&h, &out);
 *   pn_hash_release(&h);
 *
 * Results are NUL-terminated lower-case hex (md5, sha1, sha256), ssdeep's
 * "blocksize:hash:hash" and TLSH's "T1" + 70 upper-case hex.  A field is ""
 * when it was not asked for or cannot be computed (TLSH for fewer than
 * PN_TLSH_MIN_LEN bytes or too uniform data).
 *
 * Limits: none on length except TLSH's (PN_TLSH_MAX_LEN, then "") and
 * ssdeep's own limit, PN_SSDEEP_MAX_INPUT (then ssdeep is "").
 * Errors: PN_EINTERNAL when OpenSSL or ssdeep fails, PN_EIO on read errors
 * in pn_hash_fd(), PN_EINVAL for bad flags or when the input was not the
 * size announced with pn_hash_set_size().
 * See also: tlsh.h, docs/internals/hashing.md, tests/unit/test_hash.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_HASH_H
#define PN_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tlsh.h"

#define PN_HASH_MD5     0x01u
#define PN_HASH_SHA1    0x02u
#define PN_HASH_SHA256  0x04u
#define PN_HASH_SSDEEP  0x08u
#define PN_HASH_TLSH    0x10u
#define PN_HASH_CRYPTO  (PN_HASH_MD5 | PN_HASH_SHA1 | PN_HASH_SHA256)
#define PN_HASH_FUZZY   (PN_HASH_SSDEEP | PN_HASH_TLSH)
#define PN_HASH_ALL     (PN_HASH_CRYPTO | PN_HASH_FUZZY)

#define PN_HASH_SSDEEP_LEN  148   /* >= PN_SSDEEP_RESULT_LEN (and libfuzzy's FUZZY_MAX_RESULT) */
#define PN_HASH_READ_BLOCK  65536 /* pn_hash_fd() read size */

struct pn_hashes {
	char md5[33];
	char sha1[41];
	char sha256[65];
	char ssdeep[PN_HASH_SSDEEP_LEN];
	char tlsh[PN_TLSH_BUF_LEN];
};

struct evp_md_ctx_st;
struct pn_ssdeep;

struct pn_hash_ctx {
	unsigned flags;               /* PN_HASH_* asked for */
	int failed;                   /* an update failed: final reports it */
	int size_set;                 /* pn_hash_set_size() was called */
	uint64_t size;                /* the size it announced */
	uint64_t len;                 /* bytes fed so far */
	struct evp_md_ctx_st *md[3];  /* MD5, SHA-1, SHA-256 or NULL */
	struct pn_ssdeep *ssdeep;     /* ssdeep or NULL */
	struct pn_tlsh tlsh;          /* used with PN_HASH_TLSH */
};

/*
 * Start hashing with the PN_HASH_* flags.  Returns PN_OK, PN_EINVAL (no or
 * unknown flags) or PN_EINTERNAL (a library refused; ctx is released).
 * After PN_OK, ctx must be released with pn_hash_release().
 */
int pn_hash_init(struct pn_hash_ctx *ctx, unsigned flags);

/*
 * Optional, before the first update: announce that exactly size bytes
 * will follow (an upload's Content-Length, a stored file's size).  This
 * lets ssdeep skip block sizes that cannot occur (about 1.4x
 * faster) and changes no result.  If another number of bytes arrives,
 * pn_hash_final() fails with PN_EINVAL.  Returns PN_OK, PN_EINVAL (called
 * after an update) or PN_ELIMIT (too large for ssdeep).
 */
int pn_hash_set_size(struct pn_hash_ctx *ctx, uint64_t size);

/*
 * Feed len bytes.  Returns PN_OK, PN_EINTERNAL (a library failed; final
 * fails too) or PN_EINVAL (more than the size announced; final fails too).
 */
int pn_hash_update(struct pn_hash_ctx *ctx, const void *data, size_t len);

/*
 * Write the digests to out (fields not asked for are "").  Returns PN_OK,
 * PN_EINVAL (not the size announced by pn_hash_set_size()) or PN_EINTERNAL
 * (a library failed now or in an update); on failure out is all "".
 * Call once; then release.
 */
int pn_hash_final(struct pn_hash_ctx *ctx, struct pn_hashes *out);

/* Free the library contexts; safe to call twice and after a failed init. */
void pn_hash_release(struct pn_hash_ctx *ctx);

/*
 * Hash fd from its current offset to end of file, reading
 * PN_HASH_READ_BLOCK bytes at a time (EINTR is retried).  For a regular
 * file the remaining size is announced (pn_hash_set_size()), so a file
 * that grows or shrinks meanwhile gives PN_EINVAL.  Returns PN_OK, PN_EIO
 * (errno kept; out is all "") or an error of pn_hash_init() or
 * pn_hash_final().  The fd stays open, its offset at the end.
 */
int pn_hash_fd(int fd, unsigned flags, struct pn_hashes *out);
/*
 * The same from offset with pread(2): the fd's offset is neither used nor
 * moved (it may be shared with other processes reading the file).
 */
int pn_hash_fd_at(int fd, off_t offset, unsigned flags, struct pn_hashes *out);

/* One-shot over a buffer (its size announced, see pn_hash_set_size()). */
int pn_hash_buf(const void *data, size_t len, unsigned flags,
    struct pn_hashes *out);

#endif
