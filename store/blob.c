/*
 * blob.c - content-addressed sample files (see blob.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static int
mkdir_p(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		log_warn("blob: mkdir %s", path);
		return PN_EIO;
	}
	return PN_OK;
}

static void
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		if (fsync(fd) != 0)
			log_warn("blob: fsync %s", dir);
		close(fd);
	}
}

int
pn_blob_init(const char *datadir)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int rc;

	snprintf(path, sizeof(path), "%s/blobs", datadir);
	if ((rc = mkdir_p(datadir)) != PN_OK || (rc = mkdir_p(path)) != PN_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/tmp", datadir);
	if ((rc = mkdir_p(path)) != PN_OK)
		return rc;
	/* Temporaries of a previous run were never acknowledged: drop them. */
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "upload-", 7) == 0)
				unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	return PN_OK;
}

int
pn_blob_tmp(const char *datadir, int *fd, char *path, size_t pathlen)
{
	if ((size_t)snprintf(path, pathlen, "%s/tmp/upload-XXXXXX", datadir) >= pathlen)
		return PN_EINVAL;
	*fd = mkostemp(path, O_CLOEXEC);
	if (*fd < 0) {
		log_warn("blob: mkstemp %s", path);
		return PN_EIO;
	}
	return PN_OK;
}

void
pn_blob_path(const char *datadir, const char *sha256, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "%s/blobs/%.2s/%.2s/%s", datadir, sha256, sha256 + 2, sha256);
}

int
pn_blob_commit(const char *datadir, int fd, const char *tmp_path, const char *sha256)
{
	char dir1[PATH_MAX], dir2[PATH_MAX + 8], dst[PATH_MAX + 80];
	struct stat sb;
	int rc;

	if (fsync(fd) != 0) {
		log_warn("blob: fsync %s", tmp_path);
		close(fd);
		unlink(tmp_path);
		return PN_EIO;
	}
	close(fd);
	snprintf(dir1, sizeof(dir1), "%s/blobs/%.2s", datadir, sha256);
	snprintf(dir2, sizeof(dir2), "%s/%.2s", dir1, sha256 + 2);
	if ((rc = mkdir_p(dir1)) != PN_OK || (rc = mkdir_p(dir2)) != PN_OK) {
		unlink(tmp_path);
		return rc;
	}
	pn_blob_path(datadir, sha256, dst, sizeof(dst));
	if (stat(dst, &sb) == 0) {
		/* Same content already stored and durable. */
		unlink(tmp_path);
		return PN_OK;
	}
	if (chmod(tmp_path, 0400) != 0 || rename(tmp_path, dst) != 0) {
		log_warn("blob: rename %s", tmp_path);
		unlink(tmp_path);
		return PN_EIO;
	}
	fsync_dir(dir2);
	return PN_OK;
}

int
pn_blob_open(const char *datadir, const char *sha256, int *fd)
{
	char path[PATH_MAX];

	pn_blob_path(datadir, sha256, path, sizeof(path));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? PN_ENOTFOUND : PN_EIO;
	return PN_OK;
}
