/*
 * pool.h - the supervisor of analysis worker processes.
 *
 * `serve` starts N workers by re-executing its own binary as
 * `panoptes worker`, each with a wake-up pipe on fd 3.  A supervisor thread
 * reaps them: a worker that exits or crashes has its claimed jobs released
 * (re-queued, or failed after PN_JOB_MAX_ATTEMPTS) and is replaced; a worker
 * whose job has run past [worker] job_timeout is killed first.  Workers die
 * with the server (PR_SET_PDEATHSIG).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_POOL_H
#define PN_POOL_H

#include "pn.h"

struct pn_conf;

struct pn_pool_opts {
	const char *datadir;
	const struct pn_conf *conf;
	const char *self_exe;
	char *const *extra_args;   /* --config/--set passed through */
	size_t n_extra;
	int count;                 /* workers in all */
	int sandboxes;             /* of which sandbox workers (worker --sandbox) */
};

int pn_pool_start(const struct pn_pool_opts *o);
/* Wake idle workers: new jobs are queued.  Async-safe enough for HTTP threads. */
void pn_pool_wake(void);
/* Send sig to every worker (SIGHUP: reload engines between jobs). */
void pn_pool_signal(int sig);
/* Stop workers (SIGTERM, then SIGKILL after a grace period) and the supervisor. */
void pn_pool_stop(void);

#endif
