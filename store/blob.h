/*
 * blob.h - the content-addressed sample store under DATA/blobs.
 *
 * A sample is written to DATA/tmp under a unique temporary name while it is
 * hashed, fsynced, then renamed to DATA/blobs/<aa>/<bb>/<sha256> and the
 * directory fsynced, so a crash never leaves half a sample under a real
 * name.  A blob that already exists is kept and the new copy discarded.
 *
 * Errors: PN_EIO with errno kept and a log line.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_BLOB_H
#define PN_BLOB_H

#include "pn.h"

/* Create DATA/blobs and DATA/tmp; remove stale temporaries. */
int pn_blob_init(const char *datadir);

/* A new temporary file: fd opened for writing, path written to path (PATH_MAX). */
int pn_blob_tmp(const char *datadir, int *fd, char *path, size_t pathlen);

/* fsync fd, close it and move the temporary into place as sha256. */
int pn_blob_commit(const char *datadir, int fd, const char *tmp_path, const char *sha256);

/* The blob's path for sha256 (which must be 64 lower-case hex). */
void pn_blob_path(const char *datadir, const char *sha256, char *path, size_t pathlen);

/* Open a stored blob read-only; PN_ENOTFOUND if absent. */
int pn_blob_open(const char *datadir, const char *sha256, int *fd);

#endif
