/*
 * cli.h - what the subcommands share: the options every server-side
 * command takes (--data, --config, --set), turned into a checked
 * configuration, and the command entry points.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_CLI_H
#define PN_CLI_H

#include "pn.h"
#include "conf.h"
#include "client.h"
#include "out.h"

#include <getopt.h>

struct pn_cli_common {
	const char *datadir;
	char *config;
	char **sets;          /* --set values (argv strings), in order */
	size_t nsets;
	struct pn_conf *conf;
};

#define PN_CLI_COMMON_INIT { "./var", NULL, NULL, 0, NULL }

enum { OPT_DATA = 1000, OPT_CONFIG, OPT_SET, OPT_LISTEN, OPT_WORKERS, OPT_NOTIFY, OPT_ADMIN,
	OPT_DOWNLOAD, OPT_SERVER, OPT_APIKEY, OPT_FIELDS, OPT_TIMEOUT, OPT_RETRIES, OPT_CACERT,
	OPT_LIMIT, OPT_ALL, OPT_SCAN, OPT_WAIT, OPT_REMOTE, OPT_RESCAN, OPT_DESCRIPTORS,
	OPT_UPLOAD_URL_ABOVE, OPT_PAGE_SIZE, OPT_SANDBOX };

#define PN_CLI_COMMON_LONGOPTS \
	{ "data", required_argument, NULL, OPT_DATA }, \
	{ "config", required_argument, NULL, OPT_CONFIG }, \
	{ "set", required_argument, NULL, OPT_SET }, \
	{ "help", no_argument, NULL, 'h' }


extern const char pn_cli_common_help[];

/* Handle a common option; returns 1 when it was one. */
int pn_cli_common_opt(struct pn_cli_common *c, int opt, char *arg);
/* Parse --config/--set into c->conf; returns 0, or 2 (usage) with a message printed. */
int pn_cli_common_finish(struct pn_cli_common *c);
void pn_cli_common_free(struct pn_cli_common *c);

/*
 * Options of the client commands (docs/CLI.md): server, key, output.
 * --apikey's argv string is overwritten once copied, so that the key does
 * not stay visible in /proc/PID/cmdline.
 */
struct pn_cli_client {
	struct pn_client_opts copts;
	struct pn_client_conf_owned owned;  /* strings from the config file */
	char *apikey_arg;                   /* copy of --apikey */
	enum pn_out_fmt fmt;
	const char *fields;                 /* --fields list or NULL */
	int64_t threshold;                  /* malicious verdicts that mean "detected" */
	int quiet;
};

#define PN_CLI_CLIENT_LONGOPTS \
	{ "server", required_argument, NULL, OPT_SERVER }, \
	{ "apikey", required_argument, NULL, OPT_APIKEY }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "fields", required_argument, NULL, OPT_FIELDS }, \
	{ "threshold", required_argument, NULL, 't' }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "retries", required_argument, NULL, OPT_RETRIES }, \
	{ "cacert", required_argument, NULL, OPT_CACERT }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "quiet", no_argument, NULL, 'q' }

extern const char pn_cli_client_help[];

void pn_cli_client_init(struct pn_cli_client *c);
/* Handle a client option: 1 handled, 0 not one, -1 bad value (message printed). */
int pn_cli_client_opt(struct pn_cli_client *c, const char *cmd, int opt, char *arg);
/* Resolve the configuration and set up cl and out; 0, or the exit status (printed). */
int pn_cli_client_finish(struct pn_cli_client *c, const char *cmd, struct pn_client *cl,
    struct pn_out *out);
void pn_cli_client_free(struct pn_cli_client *c);

/* Exit status from the worst thing seen: detected wins, then server errors, then input. */
struct pn_cli_status {
	int detected, server_err, input_err, interrupted;
};
void pn_cli_status_err(struct pn_cli_status *st, const struct pn_client_err *err);
int pn_cli_status_exit(const struct pn_cli_status *st);

int pn_cmd_scan(int argc, char **argv);
int pn_cmd_user(int argc, char **argv);     /* admin.c */
int pn_cmd_key(int argc, char **argv);
int pn_cmd_audit(int argc, char **argv);
int pn_cmd_file(int argc, char **argv);
int pn_cmd_url(int argc, char **argv);
int pn_cmd_domain(int argc, char **argv);
int pn_cmd_ip(int argc, char **argv);
int pn_cmd_analysis(int argc, char **argv);
int pn_cmd_relations(int argc, char **argv);
int pn_cmd_comments(int argc, char **argv);
int pn_cmd_comment(int argc, char **argv);
int pn_cmd_vote(int argc, char **argv);
int pn_cmd_download(int argc, char **argv);
int pn_cmd_search(int argc, char **argv);

/* Helpers of the client commands (cmd_lookup.c). */
/* 1 when s is a md5, sha1 or sha256 in hex. */
int pn_cli_is_hash(const char *s);
/* VT URL identifier: s itself when 64 hex digits, else unpadded base64url of s; new string. */
char *pn_cli_url_id(const char *s);
/* "files/<id>" for TYPE file|url|domain|ip|ip_address|analysis|comment|collection; new or NULL. */
char *pn_cli_object_path(const char *type, const char *id);
/*
 * Print a collection from path (relative, may hold a query), following
 * links.next / meta.cursor: up to limit items, or all of them.  A 1:1
 * relationship (data is an object) prints that object.  page: items per
 * request (0: 40, or limit when smaller).  PN_OK or the
 * client error in err.
 */
int pn_cli_print_collection(struct pn_client *cl, struct pn_out *out, const char *path,
    int64_t limit, int all, int page, struct pn_client_err *err);
/* Poll analyses/<id> until completed; *out = the analysis answer (caller puts). */
int pn_cli_wait_analysis(struct pn_client *cl, const char *id, long max_seconds,
    struct json_object **out, struct pn_client_err *err);

/* Remote half of `scan --server` (cmd_scan_remote.c). */
struct pn_scan_files {
	char **v;
	size_t n, cap;
	uint64_t bytes;
};
struct pn_scan_remote_opts {
	int jobs;
	int rescan;
	int progress;
	long wait_timeout;   /* seconds an analysis may take */
	uint64_t upload_url_above; /* larger files go through /files/upload_url */
};
/* What scan has printed so far (scan.c). */
struct pn_scan_tally {
	size_t files, detected, errors;     /* reports printed; detected; with an error */
	size_t input_errors, server_errors; /* errors by kind */
	uint64_t bytes;                     /* bytes of the files reported */
	int threshold;
	enum pn_out_fmt fmt;
	int color;
	struct pn_out *out;                 /* csv and --fields output */
};
int pn_scan_remote(const struct pn_scan_files *f, struct pn_cli_client *cc,
    const struct pn_scan_remote_opts *ro, struct pn_scan_tally *t);
/* Print one scan report line (JSON object text) and count it (scan.c). */
void pn_scan_emit(struct pn_scan_tally *t, const char *line, size_t len);
/* The progress line on stderr: files, bytes, rate, ETA (scan.c). */
void pn_scan_progress(const struct pn_scan_tally *t, size_t total_files, uint64_t total_bytes,
    int64_t t0);

#endif
