/*
 * upload.c - POST /files and the upload URL: a multipart body streamed to
 * a temporary file while it is hashed, then made durable and submitted.
 *
 * The sample never sits in memory: each chunk from libmicrohttpd goes
 * through the multipart parser (server/multipart.c) straight to write(2)
 * and the md5/sha1/sha256 contexts.  At the end the blob is fsynced and
 * renamed (store/blob.c) and the submission committed in one transaction
 * before the analysis descriptor is sent: a 200 means durable.
 *
 * Limits: [limits] max_upload bytes of sample (413 past it), one `file`
 * part, text fields up to PN_MP_MAX_FIELD_VALUE.
 * Errors: 400 BadRequestError for malformed multipart, a missing `file`
 * part or an empty body; 413 for oversized (at once when Content-Length
 * says so; otherwise after the rest of the body has been read and dropped,
 * because libmicrohttpd cannot answer in the middle of a request body);
 * 503 TransientError when the disk or the store fails (nothing is
 * half-stored).
 *
 * SPDX-License-Identifier: MIT
 */
#include "http.h"
#include "quota.h"
#include "blob.h"
#include "hash.h"
#include "multipart.h"
#include "utf8.h"
#include "pn_limits.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

struct pn_upload {
	struct pn_mp mp;
	struct pn_hash_ctx hash;
	int fd;
	char tmp[PATH_MAX];
	uint64_t size, max;
	int in_file;             /* current part is the file */
	int have_file;
	int in_password;
	char *filename;          /* base name, valid UTF-8, or NULL */
	char password[PN_MP_MAX_FIELD_VALUE + 1];
	size_t password_len;
	int status;              /* error to answer with, 0 = fine */
	const char *code;
	char msg[256];
	uint64_t body_bytes;
};

static void
fail(struct pn_upload *u, int status, const char *code, const char *msg)
{
	if (u->status)
		return;
	u->status = status;
	u->code = code;
	pn_strlcpy(u->msg, msg, sizeof(u->msg));
}

static int
on_part_begin(void *ctx, const struct pn_mp_part *part)
{
	struct pn_upload *u = ctx;

	u->in_file = u->in_password = 0;
	if (part->name && strcmp(part->name, "file") == 0) {
		if (u->have_file) {
			fail(u, 400, "BadRequestError", "more than one file part");
			return PN_EFORMAT;
		}
		u->have_file = u->in_file = 1;
		if (part->filename) {
			/* Keep the base name only: clients send paths sometimes. */
			const char *base = strrchr(part->filename, '/');
			const char *bs = strrchr(part->filename, '\\');
			if (bs && (!base || bs > base))
				base = bs;
			const char *name = base ? base + 1 : part->filename;
			free(u->filename);
			u->filename = *name ? pn_utf8_clean(name, strlen(name)) : NULL;
		}
	} else if (part->name && strcmp(part->name, "password") == 0) {
		u->in_password = 1;
		u->password_len = 0;
	}
	return 0;
}

static int
on_part_data(void *ctx, const char *data, size_t len)
{
	struct pn_upload *u = ctx;

	if (u->in_file) {
		if (len > u->max - u->size) {
			fail(u, 413, "BadRequestError", "file too large");
			return PN_ELIMIT;
		}
		u->size += len;
		pn_hash_update(&u->hash, data, len);
		while (len > 0) {
			ssize_t w = write(u->fd, data, len);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				log_warn("upload: write %s", u->tmp);
				fail(u, 503, "TransientError", "cannot store the file");
				return PN_EIO;
			}
			data += w;
			len -= (size_t)w;
		}
	} else if (u->in_password) {
		if (len > sizeof(u->password) - 1 - u->password_len) {
			fail(u, 400, "BadRequestError", "password field too long");
			return PN_ELIMIT;
		}
		memcpy(u->password + u->password_len, data, len);
		u->password_len += len;
		u->password[u->password_len] = '\0';
	}
	return 0;
}

static int
on_part_end(void *ctx)
{
	struct pn_upload *u = ctx;

	u->in_file = u->in_password = 0;
	return 0;
}

void
pn_upload_free(struct pn_upload *u)
{
	if (u == NULL)
		return;
	if (u->fd >= 0) {
		close(u->fd);
		unlink(u->tmp);
	}
	pn_hash_release(&u->hash);
	free(u->filename);
	free(u);
}

/*
 * A token in the path authenticates the upload URL; it is single-use.  A
 * key, when sent, is checked first, so a wrong key does not burn the URL.
 */
static int
upload_url_auth(struct pn_req *r)
{
	const char *key = pn_req_header(r, "x-apikey");
	char user[64];

	if (key && *key && pn_store_user_by_key(r->store, key, &r->user) != PN_OK) {
		pn_resp_error(r, 401, "WrongCredentialsError", "Wrong API key");
		return PN_EPERM;
	}
	if (pn_store_upload_token_take(r->store, r->segs[2], user) != PN_OK) {
		pn_resp_notfound(r, "upload URL is unknown, used or expired");
		return PN_EPERM;
	}
	if (!(key && *key) && pn_store_user_get(r->store, user, &r->user) != PN_OK) {
		pn_resp_error(r, 401, "WrongCredentialsError", "the user of this upload URL is gone");
		return PN_EPERM;
	}
	if (!r->user.active) {
		pn_resp_error(r, 401, "UserNotActiveError", "User is not active");
		return PN_EPERM;
	}
	if (r->user.role < PN_ROLE_ANALYST) {
		pn_resp_error(r, 403, "ForbiddenError", "read-only users cannot submit files");
		return PN_EPERM;
	}
	if (r->srv->quota) {
		struct pn_quota_hit hit;
		if (pn_quota_take(r->srv->quota, r->store, &r->user, PN_QK_SUBMIT, &hit) != PN_OK) {
			r->quota_limit = hit.limit;
			r->quota_reset = hit.reset;
			pn_resp_error(r, 429, "QuotaExceededError", "Quota exceeded: %lld submissions"
			    " per %s", (long long)hit.limit, pn_quota_period_name(hit.period));
			return PN_ELIMIT;
		}
	}
	return PN_OK;
}

int
pn_upload_begin(struct pn_req *r, const char *ctype, uint64_t clen)
{
	struct pn_upload *u;
	int rc;

	if (r->route->noauth && upload_url_auth(r) != PN_OK)
		return PN_EPERM;
	if (clen != UINT64_MAX && clen > r->srv->max_upload + 64 * 1024) {
		pn_resp_error(r, 413, "BadRequestError", "file too large (limit %llu bytes)",
		    (unsigned long long)r->srv->max_upload);
		return PN_ELIMIT;
	}
	u = pn_xcalloc(1, sizeof(*u));
	u->fd = -1;
	u->max = r->srv->max_upload;
	r->upload = u;
	if (ctype == NULL || pn_mp_init(&u->mp, ctype) != PN_OK) {
		fail(u, 400, "BadRequestError", "expected a multipart/form-data body with a boundary");
		return PN_EFORMAT;
	}
	u->mp.ctx = u;
	u->mp.on_part_begin = on_part_begin;
	u->mp.on_part_data = on_part_data;
	u->mp.on_part_end = on_part_end;
	pn_hash_init(&u->hash, PN_HASH_MD5 | PN_HASH_SHA1 | PN_HASH_SHA256);
	rc = pn_blob_tmp(r->srv->datadir, &u->fd, u->tmp, sizeof(u->tmp));
	if (rc != PN_OK) {
		fail(u, 503, "TransientError", "cannot store the file");
		return rc;
	}
	return PN_OK;
}

int
pn_upload_feed(struct pn_req *r, const char *data, size_t len)
{
	struct pn_upload *u = r->upload;

	if (u->status)
		return PN_EINVAL;
	u->body_bytes += len;
	if (pn_mp_feed(&u->mp, data, len) != PN_OK) {
		fail(u, 400, "BadRequestError", u->mp.error ? u->mp.error : "malformed multipart body");
		return PN_EFORMAT;
	}
	return PN_OK;
}

void
pn_upload_end(struct pn_req *r)
{
	struct pn_upload *u = r->upload;
	struct pn_file_submission sub;
	struct pn_hashes h;
	char aid[128];
	int rc;

	if (u->status == 0 && u->body_bytes == 0)
		fail(u, 400, "BadRequestError", "empty request body");
	if (u->status == 0 && pn_mp_finish(&u->mp) != PN_OK)
		fail(u, 400, "BadRequestError", u->mp.error ? u->mp.error : "truncated multipart body");
	if (u->status == 0 && !u->have_file)
		fail(u, 400, "BadRequestError", "missing \"file\" field");
	if (u->status) {
		pn_resp_error(r, u->status, u->code, "%s", u->msg);
		return;
	}
	pn_hash_final(&u->hash, &h);
	rc = pn_blob_commit(r->srv->datadir, u->fd, u->tmp, h.sha256);
	u->fd = -1;
	if (rc != PN_OK) {
		pn_resp_error(r, 503, "TransientError", "cannot store the file");
		return;
	}
	memset(&sub, 0, sizeof(sub));
	sub.sha256 = h.sha256;
	sub.sha1 = h.sha1;
	sub.md5 = h.md5;
	sub.size = u->size;
	sub.name = u->filename;
	sub.user = r->user.id;
	sub.interface = "api";
	sub.grp = r->user.grp;
	sub.date = pn_now();
	sub.password = u->password_len ? u->password : NULL;
	rc = pn_store_file_submit(r->store, &sub, aid);
	if (rc != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	log_info("upload %s %llu bytes by %s -> %s", h.sha256, (unsigned long long)u->size,
	    r->user.id, aid);
	pn_store_audit_add(r->store, r->user.id, "submit", "file", h.sha256, u->filename);
	if (r->srv->wake_workers)
		r->srv->wake_workers(r->srv);
	pn_resp_analysis(r, aid);
}

void
api_files_upload(struct pn_req *r)
{
	/* Uploads are handled by pn_upload_*; this only runs without a body. */
	pn_resp_badreq(r, "empty request body");
}

void
api_files_upload_url(struct pn_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	char tok[65];
	char *url;

	if (pn_store_upload_token_new(r->store, r->user.id, r->srv->upload_url_ttl, tok) != PN_OK) {
		pn_resp_internal(r);
		return;
	}
	url = pn_api_url(r, "files/upload/%s", tok);
	pn_buf_puts(&b, "{\"data\":");
	pn_buf_json_str(&b, url, strlen(url));
	pn_buf_puts(&b, "}");
	free(url);
	pn_resp_json(r, 200, &b);
}
