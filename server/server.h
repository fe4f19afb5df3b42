/*
 * server.h - the HTTP API server: libmicrohttpd with an internal thread
 * pool, the v3 routes, and the supervisor of the analysis worker processes.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SERVER_H
#define PN_SERVER_H

#include "pn.h"

struct pn_conf;

struct pn_server_opts {
	const char *datadir;
	const struct pn_conf *conf;
	const char *self_exe;        /* path to re-exec for workers */
	char *const *worker_args;    /* extra args passed to `panoptes worker` (config, --set) */
	size_t n_worker_args;
};

/* Run until SIGINT/SIGTERM; returns a process exit code. */
int pn_server_run(const struct pn_server_opts *o);

#endif
