/*
 * sandbox_cmd.c - `panoptes sandbox run|check|wine-prepare`: detonate one
 * file in the sandbox by hand (sandbox/sandbox.h) and leave events.jsonl,
 * run.json, dropped/, stdout and stderr (wine.log for PE files, which go to
 * the Windows runner) in OUTDIR; say whether this host can run the
 * sandbox at all; or prepare the golden Wine prefix.
 *
 * Exit codes: 0 the run happened (whatever the sample did) / available,
 * 1 the sandbox could not be built / unavailable, 2 usage error.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "cli.h"
#include "conf.h"
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

int pn_cmd_sandbox(int argc, char **argv);

enum { OPT_NAME = 2000, OPT_RULES };

/* The report of a run directory, printed as JSON. */
static int
report_cmd(const char *dir, const char *rules_path)
{
	struct json_object *rep = NULL;
	struct pn_rules *rs = NULL;
	char path[4096], rj[4096], err[512], buf[256];
	const char *rel = "rules/behavior/linux.rules";
	ssize_t n;
	int fd, rc;

	snprintf(rj, sizeof(rj), "%s/run.json", dir);
	if ((fd = open(rj, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "\"sandbox_name\":\"" PN_BEH_SANDBOX_WINE "\""))
				rel = "rules/behavior/windows.rules";
		}
	}
	if (rules_path == NULL && pn_builtin_path(rel, path, sizeof(path)) == PN_OK)
		rules_path = path;
	if (rules_path && pn_rules_load(rules_path, &rs, err, sizeof(err)) != PN_OK) {
		fprintf(stderr, "panoptes sandbox: %s\n", err);
		return 1;
	}
	rc = pn_behavior_report(dir, rs, NULL, &rep, err, sizeof(err));
	pn_rules_free(rs);
	if (rc != PN_OK) {
		fprintf(stderr, "panoptes sandbox: %s\n", err);
		return 1;
	}
	printf("%s\n", json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(rep);
	return 0;
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: panoptes sandbox run [--name NAME] [--set sandbox.KEY=VALUE]... SAMPLE OUTDIR\n"
	    "       panoptes sandbox check\n"
	    "       panoptes sandbox wine-prepare\n"
	    "       panoptes sandbox report [--rules FILE] OUTDIR\n\n"
	    "run: execute SAMPLE (ELF or #! script) in the Linux sandbox (namespaces,\n"
	    "read-only root with a capped writable layer, cgroup limits, seccomp+ptrace\n"
	    "tracer, fake network) and write events.jsonl, run.json, dropped/, stdout and\n"
	    "stderr into OUTDIR (created if missing; must be empty).  NAME is argv[0]\n"
	    "and the file name inside (default: SAMPLE's base name).\n"
	    "PE files (MZ+PE, i386 or x86-64) run under Wine inside the same sandbox\n"
	    "(\"Panoptes Wine Tracer\"; wine.log instead of stderr).\n"
	    "check: say whether this host can run the sandbox (and Wine), and if not, why.\n"
	    "wine-prepare: build the golden Wine prefix under sandbox.wine_dir now.\n"
	    "report: print the behaviour report (VT file_behaviour attributes) of a run\n"
	    "directory, with rules/behavior/windows.rules for Wine runs, else linux.rules.\n\n"
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
		{ "rules", required_argument, NULL, OPT_RULES },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_sandbox_opts o;
	const char *name = NULL, *rules = NULL;
	char err[512];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_NAME: name = optarg; break;
		case OPT_RULES: rules = optarg; break;
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
	if (argc - optind == 2 && strcmp(argv[optind], "report") == 0) {
		pn_cli_common_free(&c);
		return report_cmd(argv[optind + 1], rules);
	}
	if (argc - optind == 1 && strcmp(argv[optind], "wine-prepare") == 0) {
		char path[4096];
		int64_t t0 = pn_mono_ms();

		if ((rc = pn_cli_common_finish(&c)) != 0 ||
		    pn_sandbox_opts_from_conf(c.conf, &o) != PN_OK) {
			pn_cli_common_free(&c);
			return rc ? rc : 2;
		}
		rc = pn_sandbox_wine_available(&o, 32, err, sizeof(err));
		if (rc == PN_OK)
			rc = pn_sandbox_wine_prepare(&o, path, sizeof(path), err, sizeof(err));
		pn_cli_common_free(&c);
		if (rc != PN_OK) {
			fprintf(stderr, "panoptes sandbox: %s\n", err);
			return 1;
		}
		printf("%s (%lld ms)\n", path, (long long)(pn_mono_ms() - t0));
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
	if (pn_sandbox_pe_bits(argv[optind + 1]) != 0 || pn_sandbox_wine_script(name))
		rc = pn_sandbox_run_wine(&o, argv[optind + 1], name, argv[optind + 2], err, sizeof(err));
	else
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
