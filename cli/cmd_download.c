/*
 * cmd_download.c - `panoptes download HASH [-O FILE]`: stream a sample from
 * GET /api/v3/files/{hash}/download into FILE (default: the hash, in the
 * current directory; "-" for stdout), hashing on the way, and keep it only
 * when its md5/sha1/sha256 (whichever HASH is) matches.
 *
 * The bytes go to a temporary FILE.partXXXXXX next to FILE (mode 0600),
 * renamed over FILE once verified; on any failure it is removed.  To stdout
 * nothing can be taken back: a mismatch is reported and the exit is 3.
 *
 * Exit status: 0 saved and verified, 2 usage or input error (bad hash,
 * unknown file, unwritable FILE), 3 server or network error or a hash
 * mismatch.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void
usage(FILE *f, int full)
{
	fprintf(f, "usage: panoptes download [-O FILE] [options] HASH\n");
	if (full)
		fprintf(f, "\nSave a sample (md5, sha1 or sha256) and verify its hash.  Needs an API\n"
		    "key allowed to download (`panoptes user add NAME --download`).\n\noptions:\n"
		    "  -O, --output-file FILE  where to save it (default: HASH; - for stdout)\n%s",
		    pn_cli_client_help);
}

/* Compare what arrived with the hash asked for. */
static int
verified(const char *want, const char *md5, const char *sha1, const char *sha256)
{
	size_t n = strlen(want);
	const char *got = n == 32 ? md5 : n == 40 ? sha1 : sha256;

	return strcasecmp(got, want) == 0;
}

static int
fetch(struct pn_client *cl, const char *hash, const char *dest)
{
	struct pn_client_err err;
	char md5[33], sha1[41], sha256[65], *tmp = NULL, *path;
	uint64_t n = 0;
	int fd, rc, to_stdout = strcmp(dest, "-") == 0;

	if (to_stdout) {
		fd = STDOUT_FILENO;
	} else {
		tmp = pn_xasprintf("%s.partXXXXXX", dest);
		if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
			fprintf(stderr, "panoptes download: %s: %s\n", dest, strerror(errno));
			free(tmp);
			return 2;
		}
	}
	path = pn_xasprintf("files/%s/download", hash);
	rc = pn_client_download(cl, path, fd, &n, md5, sha1, sha256, &err);
	free(path);
	if (rc != PN_OK) {
		pn_client_perror("download", hash, &err);
		rc = pn_client_exit_code(&err);
	} else if (!verified(hash, md5, sha1, sha256)) {
		fprintf(stderr, "panoptes download: %s: the %llu bytes received have sha256 %s, "
		    "not the hash asked for%s\n", hash, (unsigned long long)n, sha256,
		    to_stdout ? "" : "; nothing saved");
		rc = 3;
	} else if (!to_stdout && (fsync(fd) != 0 || rename(tmp, dest) != 0)) {
		fprintf(stderr, "panoptes download: %s: %s\n", dest, strerror(errno));
		rc = 2;
	} else {
		if (!to_stdout)
			fprintf(stderr, "panoptes download: saved %s (%llu bytes, sha256 %s)\n", dest,
			    (unsigned long long)n, sha256);
		rc = 0;
	}
	if (!to_stdout) {
		close(fd);
		if (rc != 0)
			unlink(tmp);
		free(tmp);
	}
	return rc;
}

int
pn_cmd_download(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_CLIENT_LONGOPTS,
		{ "output-file", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_client cc;
	struct pn_client cl;
	const char *dest = NULL;
	char hash[65];
	int opt, r, rc = 2;
	size_t i;

	pn_cli_client_init(&cc);
	while ((opt = getopt_long(argc, argv, "O:o:t:vqh", lo, NULL)) != -1) {
		if ((r = pn_cli_client_opt(&cc, "download", opt, optarg)) == 1)
			continue;
		if (r < 0)
			goto out;
		if (opt == 'O') {
			dest = optarg;
			continue;
		}
		usage(opt == 'h' ? stdout : stderr, opt == 'h');
		rc = opt == 'h' ? 0 : 2;
		goto out;
	}
	if (argc - optind != 1) {
		usage(stderr, 0);
		goto out;
	}
	if (!pn_cli_is_hash(argv[optind])) {
		fprintf(stderr, "panoptes download: \"%s\" is not a md5, sha1 or sha256\n",
		    argv[optind]);
		goto out;
	}
	pn_strlcpy(hash, argv[optind], sizeof(hash));
	for (i = 0; hash[i]; i++)
		hash[i] = (char)(hash[i] >= 'A' && hash[i] <= 'F' ? hash[i] - 'A' + 'a' : hash[i]);
	if ((rc = pn_cli_client_finish(&cc, "download", &cl, NULL)) != 0)
		goto out;
	rc = fetch(&cl, hash, dest ? dest : hash);
	pn_client_release(&cl);
out:
	pn_cli_client_free(&cc);
	return rc;
}
