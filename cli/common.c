/*
 * common.c - the options every server-side command shares (see cli.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"

#include <limits.h>
#include <unistd.h>

/* Options every server-side command shares. */


const char pn_cli_common_help[] =
    "  --data DIR           data directory (default ./var)\n"
    "  --config FILE        INI configuration file (docs/CONFIG.md)\n"
    "  --set SECTION.KEY=V  set one option; wins over the file (repeatable)\n"
    "  -h, --help           this help\n";

/*
 * Options whose default is something shipped with Panoptes, resolved to an
 * absolute path once here so that workers and children agree on it.
 */
static const struct {
	const char *key;
	const char *rel;
} builtin_defaults[] = {
	{ "clamav.signatures", "engines/sigs" },
	{ "yara.rules_dir", "rules" },
	{ "hashlist.bad", "engines/hashlists/known-bad.txt" },
};

static void
resolve_builtins(struct pn_conf *conf)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(builtin_defaults); i++)
		if (*pn_conf_get(conf, builtin_defaults[i].key) == '\0' &&
		    pn_builtin_path(builtin_defaults[i].rel, path, sizeof(path)) == PN_OK)
			pn_conf_put(conf, builtin_defaults[i].key, path);
}

/* Parse --config/--set into a checked configuration; returns 0 or 2 (usage). */
int
pn_cli_common_finish(struct pn_cli_common *c)
{
	char err[512];
	size_t i;

	c->conf = pn_conf_new();
	if (c->config && pn_conf_load_file(c->conf, c->config, err, sizeof(err)) != PN_OK) {
		fprintf(stderr, "panoptes: %s\n", err);
		return 2;
	}
	for (i = 0; i < c->nsets; i++) {
		if (pn_conf_set(c->conf, c->sets[i], err, sizeof(err)) != PN_OK) {
			fprintf(stderr, "panoptes: %s\n", err);
			return 2;
		}
	}
	resolve_builtins(c->conf);
	if (pn_conf_check(c->conf, err, sizeof(err)) != PN_OK) {
		fprintf(stderr, "panoptes: %s\n", err);
		return 2;
	}
	if (strcmp(pn_conf_get(c->conf, "log.level"), "debug") == 0)
		pn_log_set_level(PN_LOG_DEBUG);
	else if (strcmp(pn_conf_get(c->conf, "log.level"), "warn") == 0)
		pn_log_set_level(PN_LOG_WARN);
	else if (strcmp(pn_conf_get(c->conf, "log.level"), "error") == 0)
		pn_log_set_level(PN_LOG_ERROR);
	return 0;
}

void
pn_cli_common_free(struct pn_cli_common *c)
{
	free(c->sets);
	pn_conf_free(c->conf);
}



/* Handle a common option; returns 1 when it was one. */
int
pn_cli_common_opt(struct pn_cli_common *c, int opt, char *arg)
{
	switch (opt) {
	case OPT_DATA: c->datadir = arg; return 1;
	case OPT_CONFIG: c->config = arg; return 1;
	case OPT_SET:
		c->sets = pn_xrealloc(c->sets, (c->nsets + 1) * sizeof(char *));
		c->sets[c->nsets++] = arg;
		return 1;
	}
	return 0;
}


/* ------------------------------------------------------ client commands */

const char pn_cli_client_help[] =
    "  --server URL         the server (or PANOPTES_SERVER, or server = in the config)\n"
    "  --apikey KEY         API key (or PANOPTES_APIKEY, or apikey = in the config;\n"
    "                       prefer those: a command line is visible to other users)\n"
    "  -o, --output FMT     text (default), json, jsonl or csv\n"
    "  --fields A,B.C       only these attributes (dotted paths)\n"
    "  -t, --threshold N    malicious verdicts that mean detected (default 1)\n"
    "  --timeout S          seconds per request (default 60)\n"
    "  --retries N          retries on 429/503 answers (default 3)\n"
    "  --cacert FILE        extra CA certificates for https\n"
    "  -v, --verbose        trace requests on stderr (never the key)\n"
    "  -q, --quiet          no progress or notes on stderr\n"
    "  -h, --help           this help\n"
    "Config file: $XDG_CONFIG_HOME/panoptes/config (~/.config/panoptes/config),\n"
    "\"key = value\" lines: server, apikey, cacert, timeout, retries.\n"
    "Exit status: 0 clean, 1 detected, 2 usage or input error, 3 server or network error.\n";

void
pn_cli_client_init(struct pn_cli_client *c)
{
	memset(c, 0, sizeof(*c));
	c->copts.timeout = 0;
	c->copts.retries = -1;
	c->fmt = PN_OUT_TEXT;
	c->threshold = 1;
}

int
pn_cli_client_opt(struct pn_cli_client *c, const char *cmd, int opt, char *arg)
{
	int64_t n;

	switch (opt) {
	case OPT_SERVER: c->copts.server = arg; return 1;
	case OPT_APIKEY:
		if (c->apikey_arg) {
			explicit_bzero(c->apikey_arg, strlen(c->apikey_arg));
			free(c->apikey_arg);
		}
		c->apikey_arg = pn_xstrdup(arg);
		memset(arg, 'x', strlen(arg));
		c->copts.apikey = c->apikey_arg;
		return 1;
	case 'o':
		if (pn_out_parse_fmt(arg, &c->fmt) != PN_OK) {
			fprintf(stderr, "panoptes %s: -o takes text, json, jsonl or csv\n", cmd);
			return -1;
		}
		return 1;
	case OPT_FIELDS: c->fields = arg; return 1;
	case 't':
		if (pn_parse_i64(arg, 1, 100000, &c->threshold) != PN_OK) {
			fprintf(stderr, "panoptes %s: --threshold takes a number >= 1\n", cmd);
			return -1;
		}
		return 1;
	case OPT_TIMEOUT:
		if (pn_parse_i64(arg, 1, 86400, &n) != PN_OK) {
			fprintf(stderr, "panoptes %s: --timeout takes 1..86400 seconds\n", cmd);
			return -1;
		}
		c->copts.timeout = (long)n;
		return 1;
	case OPT_RETRIES:
		if (pn_parse_i64(arg, 0, 100, &n) != PN_OK) {
			fprintf(stderr, "panoptes %s: --retries takes 0..100\n", cmd);
			return -1;
		}
		c->copts.retries = (int)n;
		return 1;
	case OPT_CACERT: c->copts.cacert = arg; return 1;
	case 'v': c->copts.verbose = 1; return 1;
	case 'q': c->quiet = 1; return 1;
	}
	return 0;
}

int
pn_cli_client_finish(struct pn_cli_client *c, const char *cmd, struct pn_client *cl,
    struct pn_out *out)
{
	struct pn_client_err err;
	int rc;

	if (out) {
		pn_out_init(out, c->fmt, stdout, pn_out_color_wanted(STDOUT_FILENO));
		if (c->fields && pn_out_set_fields(out, c->fields) != PN_OK) {
			fprintf(stderr, "panoptes %s: --fields takes names separated by commas\n", cmd);
			pn_out_release(out);
			return 2;
		}
	}
	if ((rc = pn_client_config(&c->copts, &c->owned, cmd)) != 0)
		goto fail;
	if (cl == NULL)
		return 0;
	pn_client_global_init();
	if (pn_client_init(cl, &c->copts, &err) != PN_OK) {
		fprintf(stderr, "panoptes %s: %s\n", cmd, err.msg);
		rc = 2;
		goto fail;
	}
	return 0;
fail:
	if (out)
		pn_out_release(out);
	return rc;
}

void
pn_cli_client_free(struct pn_cli_client *c)
{
	if (c->apikey_arg) {
		explicit_bzero(c->apikey_arg, strlen(c->apikey_arg));
		free(c->apikey_arg);
	}
	pn_client_config_free(&c->owned);
	c->apikey_arg = NULL;
}

void
pn_cli_status_err(struct pn_cli_status *st, const struct pn_client_err *err)
{
	int code = pn_client_exit_code(err);

	if (code == 130)
		st->interrupted = 1;
	else if (code == 2)
		st->input_err = 1;
	else if (code != 0)
		st->server_err = 1;
}

int
pn_cli_status_exit(const struct pn_cli_status *st)
{
	if (st->interrupted)
		return 130;
	if (st->detected)
		return 1;
	if (st->server_err)
		return 3;
	return st->input_err ? 2 : 0;
}
