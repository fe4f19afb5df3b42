/*
 * worker.h - `panoptes worker`: claim jobs from the store's queue and
 * analyse them, each untrusted step in a disposable confined child.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_WORKER_H
#define PN_WORKER_H

#include "pn.h"
#include "engine.h"

struct pn_conf;
struct pn_store;
struct pn_job;

/* Run until SIGTERM or [worker] max_jobs; notify_fd (-1 = none) wakes it. */
int pn_worker_main(const struct pn_conf *conf, const char *datadir, int notify_fd);

/* Analyse one claimed job and record its analysis (analysis/job.c). */
int pn_job_run(struct pn_store *st, const struct pn_conf *conf, const char *datadir,
    struct pn_engines *engines, const struct pn_job *job);

/*
 * Analyse bytes without a store: details JSON and engine verdicts
 * (used by pn_job_run and, later, `panoptes scan`).  Returns new texts.
 */
struct pn_details_opts;
int pn_analyse_fd(const struct pn_conf *conf, struct pn_engines *engines, int fd,
    const char *name, const struct pn_details_opts *dopts, char **details, char **results,
    char **stats);

#endif
