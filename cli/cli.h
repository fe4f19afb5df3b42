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
	OPT_DOWNLOAD };

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

int pn_cmd_scan(int argc, char **argv);
int pn_cmd_user(int argc, char **argv);     /* admin.c */
int pn_cmd_key(int argc, char **argv);
int pn_cmd_audit(int argc, char **argv);

#endif
