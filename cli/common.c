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

