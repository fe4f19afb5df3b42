/*
 * sandbox_cmd.c - `panoptes sandbox run|check`: detonate one file in the
 * Linux sandbox by hand (sandbox/sandbox.h) and leave events.jsonl,
 * run.json, dropped/, stdout and stderr in OUTDIR; or say whether this
 * host can run the sandbox at all.
 *
 * Exit codes: 0 the run happened (whatever the sample did) / available,
 * 1 the sandbox could not be built / unavailable, 2 usage error.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "cli.h"
#include "conf.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

int pn_cmd_sandbox(int argc, char **argv);

enum { OPT_NAME = 2000 };

static void
usage(FILE *out)
{
	fprintf(out, "usage: panoptes sandbox run [--name NAME] [--set sandbox.KEY=VALUE]... SAMPLE OUTDIR\n"
	    "       panoptes sandbox check\n\n"
	    "run: execute SAMPLE (ELF or #! script) in the Linux sandbox (namespaces,\n"
	    "read-only root with a capped writable layer, cgroup limits, seccomp+ptrace\n"
	    "tracer, fake network) and write events.jsonl, run.json, dropped/, stdout and\n"
	    "stderr into OUTDIR (created if missing; must be empty).  NAME is argv[0]\n"
	    "and the file name inside (default: SAMPLE's base name).\n"
	    "check: say whether this host can run the sandbox, and if not, why.\n\n"
	    "options:\n  --name NAME          the sample's name inside the sandbox\n%s",
	    pn_cli_common_help);
}

static int
cat_file(const char *dir, const char *name)
{
	char p[4096], buf[4096];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return 0;
}

int
pn_cmd_sandbox(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		{ "name", required_argument, NULL, OPT_NAME },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_sandbox_opts o;
	const char *name = NULL;
	char err[512];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_NAME: name = optarg; break;
		case 'h':
			usage(stdout);
			pn_cli_common_free(&c);
			return 0;
		default:
			pn_cli_common_free(&c);
			return 2;
		}
	}
	if (argc - optind == 1 && strcmp(argv[optind], "check") == 0) {
		pn_cli_common_free(&c);
		if (pn_sandbox_available(err, sizeof(err)) != PN_OK) {
			printf("sandbox unavailable: %s\n", err);
			return 1;
		}
		printf("sandbox available\n");
		return 0;
	}
	if (argc - optind != 3 || strcmp(argv[optind], "run") != 0) {
		usage(stderr);
		pn_cli_common_free(&c);
		return 2;
	}
	if ((rc = pn_cli_common_finish(&c)) != 0) {
		pn_cli_common_free(&c);
		return rc;
	}
	if (pn_sandbox_opts_from_conf(c.conf, &o) != PN_OK) {
		fprintf(stderr, "panoptes sandbox: bad [sandbox] options\n");
		pn_cli_common_free(&c);
		return 2;
	}
	if (mkdir(argv[optind + 2], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "panoptes sandbox: mkdir %s: %s\n", argv[optind + 2], strerror(errno));
		pn_cli_common_free(&c);
		return 1;
	}
	if (name == NULL) {
		const char *s = strrchr(argv[optind + 1], '/');
		name = s ? s + 1 : argv[optind + 1];
	}
	rc = pn_sandbox_run(&o, argv[optind + 1], name, argv[optind + 2], err, sizeof(err));
	if (rc != PN_OK) {
		fprintf(stderr, "panoptes sandbox: %s (%s)\n", err, pn_strerror(rc));
		pn_cli_common_free(&c);
		return 1;
	}
	cat_file(argv[optind + 2], "run.json");
	pn_cli_common_free(&c);
	return 0;
}
