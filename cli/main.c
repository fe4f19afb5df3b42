/*
 * main.c - the one entry point: `panoptes COMMAND [options]`.
 *
 * Commands are a table (name, function, summary); each parses its own
 * options with getopt_long and prints its own --help.  Exit codes of the
 * server-side commands: 0 ok, 1 runtime failure, 2 usage error; of scan
 * and the client commands (cmd_*.c): 0 clean, 1 detected, 2 usage or input
 * error, 3 server or network error (docs/CLI.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "cli.h"
#include "conf.h"
#include "server.h"
#include "store.h"
#include "worker.h"

#include <getopt.h>
#include <signal.h>
#include <sys/file.h>
#include <limits.h>
#include <unistd.h>

#define PN_VERSION "0.1.0"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_serve(int argc, char **argv);
static int cmd_worker(int argc, char **argv);
static int cmd_signatures(int argc, char **argv);
int pn_cmd_sandbox(int argc, char **argv);  /* cli/sandbox_cmd.c */

static const struct cmd cmds[] = {
	{ "serve", cmd_serve, "run the HTTP API server and its analysis workers" },
	{ "worker", cmd_worker, "run one analysis worker (started by serve)" },
	{ "user", pn_cmd_user, "manage users: add, list, disable, enable, quota" },
	{ "key", pn_cmd_key, "manage API keys: rotate, add, quota" },
	{ "audit", pn_cmd_audit, "show the audit log (submissions, downloads, shares, deletions)" },
	{ "signatures", cmd_signatures, "signatures reload: reload engines in a running server" },
	{ "scan", pn_cmd_scan, "analyse files or trees locally, or on a server with --server" },
	{ "sandbox", pn_cmd_sandbox, "sandbox run SAMPLE OUTDIR: detonate one file in the Linux sandbox" },
	{ "file", pn_cmd_file, "print file reports by md5, sha1 or sha256" },
	{ "url", pn_cmd_url, "print URL reports (--scan submits the URL first)" },
	{ "domain", pn_cmd_domain, "print domain reports" },
	{ "ip", pn_cmd_ip, "print IP address reports" },
	{ "analysis", pn_cmd_analysis, "print an analysis (--wait until completed)" },
	{ "relations", pn_cmd_relations, "list related objects: relations TYPE ID REL" },
	{ "comments", pn_cmd_comments, "list comments: comments TYPE ID" },
	{ "comment", pn_cmd_comment, "add a comment: comment TYPE ID TEXT" },
	{ "vote", pn_cmd_vote, "vote: vote TYPE ID harmless|malicious" },
	{ "download", pn_cmd_download, "save a sample and verify its hash: download HASH" },
	{ "search", pn_cmd_search, "search the server: search QUERY" },
	{ NULL, NULL, NULL }
};

static void
usage_main(FILE *out)
{
	const struct cmd *c;

	fprintf(out, "usage: panoptes COMMAND [options]\n\n"
	    "Panoptes analyses files and reports what engines and static analysis say,\n"
	    "over an HTTP API compatible with VirusTotal's v3.\n\ncommands:\n");
	for (c = cmds; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nThe client commands (file ... search, scan --server) talk to --server URL,\n"
	    "PANOPTES_SERVER or the config file's server with the key from --apikey,\n"
	    "PANOPTES_APIKEY or the config file (docs/CLI.md, panoptes(1)).\n"
	    "Exit status of scan and the client commands: 0 clean, 1 detected, 2 usage or\n"
	    "input error, 3 server or network error.\n"
	    "\n`panoptes COMMAND --help` describes a command's options.\n");
}

/* ------------------------------------------------------------------ serve */

static int
cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_server_opts so;
	static char opt_config[] = "--config", opt_set[] = "--set";
	const char *listen = NULL, *workers = NULL;
	char self[PATH_MAX], **wargs;
	size_t nw = 0, i;
	ssize_t n;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_LISTEN: listen = optarg; break;
		case OPT_WORKERS: workers = optarg; break;
		case 'h':
			printf("usage: panoptes serve [--listen HOST:PORT] [--data DIR] [--config FILE]\n"
			    "                      [--workers N] [--set SECTION.KEY=VALUE]...\n\n"
			    "Serve the v3 API and analyse submissions with N worker processes.\n"
			    "Logs one line starting \"ready:\" when it accepts requests; stops on\n"
			    "SIGINT or SIGTERM.\n\noptions:\n"
			    "  --listen HOST:PORT   address to serve on (default 127.0.0.1:8080)\n"
			    "  --workers N          analysis worker processes (default 2)\n%s"
			    "\nconfiguration options (--set or the INI file):\n", pn_cli_common_help);
			pn_conf_print_options(stdout);
			pn_cli_common_free(&c);
			return 0;
		default:
			pn_cli_common_free(&c);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "panoptes serve: unexpected argument \"%s\"\n", argv[optind]);
		pn_cli_common_free(&c);
		return 2;
	}
	if ((rc = pn_cli_common_finish(&c)) != 0) {
		pn_cli_common_free(&c);
		return rc;
	}
	if (listen)
		pn_conf_put(c.conf, "server.listen", listen);
	if (workers) {
		int64_t w;
		if (pn_parse_i64(workers, 0, 64, &w) != PN_OK) {
			fprintf(stderr, "panoptes serve: --workers takes 0..64\n");
			pn_cli_common_free(&c);
			return 2;
		}
		pn_conf_put(c.conf, "worker.count", workers);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
	/* Workers get the same configuration. */
	wargs = pn_xcalloc(2 * c.nsets + 3, sizeof(char *));
	if (c.config) {
		wargs[nw++] = opt_config;
		wargs[nw++] = c.config;
	}
	for (i = 0; i < c.nsets; i++) {
		wargs[nw++] = opt_set;
		wargs[nw++] = c.sets[i];
	}
	memset(&so, 0, sizeof(so));
	so.datadir = c.datadir;
	so.conf = c.conf;
	so.self_exe = self;
	so.worker_args = wargs;
	so.n_worker_args = nw;
	rc = pn_server_run(&so);
	free(wargs);
	pn_cli_common_free(&c);
	return rc;
}

/* ----------------------------------------------------------------- worker */

static int
cmd_worker(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		{ "notify-fd", required_argument, NULL, OPT_NOTIFY },
		{ "sandbox", no_argument, NULL, OPT_SANDBOX },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	int64_t fd = -1;
	int opt, rc, sandbox = 0;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_NOTIFY:
			if (pn_parse_i64(optarg, 0, 1024, &fd) != PN_OK) {
				pn_cli_common_free(&c);
				return 2;
			}
			break;
		case OPT_SANDBOX:
			sandbox = 1;
			break;
		case 'h':
			printf("usage: panoptes worker [--data DIR] [--config FILE] [--set K=V]...\n"
			    "                       [--notify-fd FD] [--sandbox]\n\n"
			    "Claim queued analyses from the store in DIR and run them.  `serve`\n"
			    "starts these itself; run more by hand to add capacity on this host.\n\n"
			    "options:\n  --notify-fd FD       wake-up pipe from serve\n"
			    "  --sandbox            run queued sandbox runs (behaviour jobs) instead\n%s",
			    pn_cli_common_help);
			pn_cli_common_free(&c);
			return 0;
		default:
			pn_cli_common_free(&c);
			return 2;
		}
	}
	if ((rc = pn_cli_common_finish(&c)) != 0) {
		pn_cli_common_free(&c);
		return rc;
	}
	rc = sandbox ? pn_worker_main_sandbox(c.conf, c.datadir, (int)fd) :
	    pn_worker_main(c.conf, c.datadir, (int)fd);
	pn_cli_common_free(&c);
	return rc;
}

/* ------------------------------------------------------------- signatures */

static int
cmd_signatures(int argc, char **argv)
{
	static const struct option lo[] = { PN_CLI_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	char path[PATH_MAX], line[32];
	int64_t pid;
	FILE *f;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		pn_cli_common_free(&c);
		if (opt == 'h') {
			printf("usage: panoptes signatures reload [--data DIR]\n\n"
			    "Ask the server using DIR to reload every engine's signatures and rules\n"
			    "(ClamAV databases, YARA packs, hash lists) without dropping jobs; the same\n"
			    "as sending it SIGHUP.  engine_update moves on the next analyses.\n");
			return 0;
		}
		return 2;
	}
	if (argc - optind != 1 || strcmp(argv[optind], "reload") != 0) {
		fprintf(stderr, "usage: panoptes signatures reload [--data DIR]\n");
		pn_cli_common_free(&c);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/lock", c.datadir);
	pn_cli_common_free(&c);
	f = fopen(path, "r");
	/* The server holds an exclusive lock on the file; if we can take it, none runs. */
	if (f != NULL && flock(fileno(f), LOCK_SH | LOCK_NB) == 0) {
		fclose(f);
		f = NULL;
	}
	if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
		fprintf(stderr, "panoptes signatures: no server is using %s\n", path);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (pn_parse_i64(line, 2, INT32_MAX, &pid) != PN_OK || kill((pid_t)pid, SIGHUP) != 0) {
		fprintf(stderr, "panoptes signatures: no server is running for %s\n", path);
		return 1;
	}
	printf("asked server %lld to reload its engines\n", (long long)pid);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_main(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("panoptes %s\n", PN_VERSION);
		return 0;
	}
	for (c = cmds; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "panoptes: unknown command \"%s\"\n\n", argv[1]);
	usage_main(stderr);
	return 2;
}
