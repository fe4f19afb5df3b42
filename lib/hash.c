/*
 * hash.c - streaming multi-hash: MD5/SHA-1/SHA-256 through OpenSSL 3 EVP
 * (one EVP_MD_CTX each), ssdeep through ssdeep.c (libfuzzy's digests, 1.5x
 * its speed; tests/unit/test_hash.c compares the two) and TLSH through
 * tlsh.c.
 *
 * pn_hash_update() passes the caller's bytes to each selected hash in turn,
 * without copying; memory is allocated only in pn_hash_init() (the EVP and
 * ssdeep contexts) and freed by pn_hash_release().
 *
 * Limits: see hash.h.
 * Errors: PN_EINVAL, PN_EINTERNAL, PN_EIO (hash.h).
 * See also: hash.h, tlsh.h, docs/internals/hashing.md.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "hash.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ssdeep.h"

_Static_assert(PN_SSDEEP_RESULT_LEN <= PN_HASH_SSDEEP_LEN,
    "pn_hashes.ssdeep too small for an ssdeep digest");

enum { MD_MD5, MD_SHA1, MD_SHA256, MD_COUNT };

/* Which flag selects each EVP context, and where its hex goes. */
static const struct {
	unsigned flag;
	const char *name;
	size_t digest_len;
	size_t offset;   /* of the hex field in struct pn_hashes */
	size_t size;     /* of that field */
} mds[MD_COUNT] = {
	{ PN_HASH_MD5, "MD5", 16, offsetof(struct pn_hashes, md5),
	  sizeof(((struct pn_hashes *)0)->md5) },
	{ PN_HASH_SHA1, "SHA1", 20, offsetof(struct pn_hashes, sha1),
	  sizeof(((struct pn_hashes *)0)->sha1) },
	{ PN_HASH_SHA256, "SHA256", 32, offsetof(struct pn_hashes, sha256),
	  sizeof(((struct pn_hashes *)0)->sha256) },
};

static const EVP_MD *
md_type(int i)
{
	switch (i) {
	case MD_MD5: return EVP_md5();
	case MD_SHA1: return EVP_sha1();
	default: return EVP_sha256();
	}
}

int
pn_hash_init(struct pn_hash_ctx *ctx, unsigned flags)
{
	memset(ctx, 0, sizeof(*ctx));
	if (flags == 0 || (flags & ~PN_HASH_ALL) != 0)
		return PN_EINVAL;
	ctx->flags = flags;
	for (int i = 0; i < MD_COUNT; i++) {
		if (!(flags & mds[i].flag))
			continue;
		if ((ctx->md[i] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ctx->md[i], md_type(i), NULL) != 1) {
			log_warnx("hash: cannot start %s", mds[i].name);
			goto fail;
		}
	}
	if (flags & PN_HASH_SSDEEP) {
		ctx->ssdeep = pn_xmalloc(sizeof(*ctx->ssdeep));
		pn_ssdeep_init(ctx->ssdeep);
	}
	if (flags & PN_HASH_TLSH)
		pn_tlsh_init(&ctx->tlsh);
	return PN_OK;
fail:
	pn_hash_release(ctx);
	return PN_EINTERNAL;
}

int
pn_hash_set_size(struct pn_hash_ctx *ctx, uint64_t size)
{
	if (ctx->len != 0 || ctx->size_set)
		return PN_EINVAL;
	if (ctx->ssdeep != NULL && pn_ssdeep_set_size(ctx->ssdeep, size) != PN_OK)
		return PN_ELIMIT;
	ctx->size = size;
	ctx->size_set = 1;
	return PN_OK;
}

int
pn_hash_update(struct pn_hash_ctx *ctx, const void *data, size_t len)
{
	if (len == 0)
		return ctx->failed ? PN_EINTERNAL : PN_OK;
	if (ctx->size_set && len > ctx->size - PN_MIN(ctx->len, ctx->size)) {
		ctx->len += len;    /* more than announced: final says PN_EINVAL */
		return PN_EINVAL;
	}
	for (int i = 0; i < MD_COUNT; i++)
		if (ctx->md[i] != NULL &&
		    EVP_DigestUpdate(ctx->md[i], data, len) != 1)
			ctx->failed = 1;
	if (ctx->ssdeep != NULL)
		pn_ssdeep_update(ctx->ssdeep, data, len);
	if (ctx->flags & PN_HASH_TLSH)
		pn_tlsh_update(&ctx->tlsh, data, len);
	ctx->len += len;
	return ctx->failed ? PN_EINTERNAL : PN_OK;
}

static int
final_md(struct pn_hash_ctx *ctx, int i, struct pn_hashes *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *hex = (char *)out + mds[i].offset;

	if (EVP_DigestFinal_ex(ctx->md[i], md, &n) != 1 ||
	    n != mds[i].digest_len || 2 * n + 1 > mds[i].size)
		return PN_EINTERNAL;
	pn_hex(md, n, hex);
	return PN_OK;
}

int
pn_hash_final(struct pn_hash_ctx *ctx, struct pn_hashes *out)
{
	int rc = ctx->failed ? PN_EINTERNAL : PN_OK;

	memset(out, 0, sizeof(*out));
	if (ctx->size_set && ctx->len != ctx->size) {
		log_warnx("hash: %llu bytes where %llu were announced",
		    (unsigned long long)ctx->len, (unsigned long long)ctx->size);
		return PN_EINVAL;
	}
	for (int i = 0; i < MD_COUNT && rc == PN_OK; i++)
		if (ctx->md[i] != NULL)
			rc = final_md(ctx, i, out);
	if (rc == PN_OK && ctx->ssdeep != NULL &&
	    pn_ssdeep_digest(ctx->ssdeep, out->ssdeep) != PN_OK)
		rc = PN_EINTERNAL;
	if (rc != PN_OK) {
		log_warnx("hash: digest failed after %llu bytes",
		    (unsigned long long)ctx->len);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	/* No TLSH for short or uniform input is a result, not a failure. */
	if (ctx->flags & PN_HASH_TLSH)
		(void)pn_tlsh_final(&ctx->tlsh, out->tlsh);
	return PN_OK;
}

void
pn_hash_release(struct pn_hash_ctx *ctx)
{
	for (int i = 0; i < MD_COUNT; i++) {
		EVP_MD_CTX_free(ctx->md[i]);
		ctx->md[i] = NULL;
	}
	free(ctx->ssdeep);
	ctx->ssdeep = NULL;
}

/* Hash fd from pos to end of file: read(2) when at < 0 (pos is then the offset), else pread(2). */
static int
hash_stream(int fd, off_t at, unsigned flags, struct pn_hashes *out)
{
	struct pn_hash_ctx ctx;
	struct stat st;
	off_t pos = at >= 0 ? at : lseek(fd, 0, SEEK_CUR);
	uint8_t *buf;
	ssize_t n;
	int rc, saved_errno = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = pn_hash_init(&ctx, flags)) != PN_OK)
		return rc;
	/* A regular file's remaining size speeds up ssdeep. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pos >= 0 && pos <= st.st_size)
		(void)pn_hash_set_size(&ctx, (uint64_t)(st.st_size - pos));
	buf = pn_xmalloc(PN_HASH_READ_BLOCK);
	for (;;) {
		n = at >= 0 ? pread(fd, buf, PN_HASH_READ_BLOCK, at) : read(fd, buf, PN_HASH_READ_BLOCK);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = PN_EIO;
			saved_errno = errno;
			goto done;
		}
		if (at >= 0)
			at += n;
		if ((rc = pn_hash_update(&ctx, buf, (size_t)n)) != PN_OK)
			goto done;
	}
	rc = pn_hash_final(&ctx, out);
done:
	free(buf);
	pn_hash_release(&ctx);
	if (rc == PN_EIO)
		errno = saved_errno;
	return rc;
}

int
pn_hash_fd(int fd, unsigned flags, struct pn_hashes *out)
{
	return hash_stream(fd, -1, flags, out);
}

int
pn_hash_fd_at(int fd, off_t offset, unsigned flags, struct pn_hashes *out)
{
	if (offset < 0)
		return PN_EINVAL;
	return hash_stream(fd, offset, flags, out);
}

int
pn_hash_buf(const void *data, size_t len, unsigned flags,
    struct pn_hashes *out)
{
	struct pn_hash_ctx ctx;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pn_hash_init(&ctx, flags)) != PN_OK)
		return rc;
	(void)pn_hash_set_size(&ctx, len);    /* faster ssdeep */
	if ((rc = pn_hash_update(&ctx, data, len)) == PN_OK)
		rc = pn_hash_final(&ctx, out);
	pn_hash_release(&ctx);
	return rc;
}
