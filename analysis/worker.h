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
/* A URL, domain or IP address job (analysis/netjob.c). */
struct pn_net_engines;
int pn_netjob_run(struct pn_store *st, const struct pn_conf *conf, const char *datadir,
    struct pn_engines *engines, const struct pn_net_engines *neteng, const struct pn_job *job);

/*
 * Objects seen by an analysis: a URL (canonicalised; id out) visible to
 * whoever sees its parent, a domain or IP address (public; analyse as in
 * pn_obj_submission).  PN_EINVAL for a text that is not a URL.
 */
int pn_netjob_seen_url(struct pn_store *st, const char *text, const char *parent_type,
    const char *parent_id, char id[65]);
int pn_netjob_seen_object(struct pn_store *st, const char *type, const char *id, int analyse);

/* The Behavior step (analysis/behavior.c): rules loaded once per worker. */
struct pn_behavior;
struct pn_behavior *pn_behavior_new(const struct pn_conf *conf);
void pn_behavior_free(struct pn_behavior *b);
/* Static capabilities and, for ELF programs and scripts, a sandbox run. */
void pn_behavior_file(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, const char *details_text, const char *name);
/* The same, only the parts in `what`: the static report, the sandbox run. */
#define PN_BEHAVIOR_STATIC  0x1u
#define PN_BEHAVIOR_DYNAMIC 0x2u
void pn_behavior_file_ex(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, const char *details_text, const char *name,
    unsigned what);
/* Would this stored file be run in the sandbox (its kind, size, Wine enabled)? */
int pn_behavior_would_run(const struct pn_behavior *b, const struct pn_conf *conf,
    const char *datadir, const char *sha256);
/*
 * A sandbox worker (`panoptes worker --sandbox`, started by serve for
 * behavior.workers): claims behaviour jobs only and runs them.
 */
int pn_worker_main_sandbox(const struct pn_conf *conf, const char *datadir, int notify_fd);

int pn_analyse_fd(const struct pn_conf *conf, struct pn_engines *engines, int fd,
    const char *name, const struct pn_details_opts *dopts, char **details, char **results,
    char **stats);

/*
 * pn_analyse_fd runs in long-lived confined children of this process
 * (analysis/scanpool.c), made on first use for an engine set.  After the
 * engines were reloaded call pn_analysis_engines_reloaded (re-prepares the
 * engines, replaces the children); pn_analysis_pool_reset stops them.
 */
void pn_analysis_engines_reloaded(struct pn_engines *engines);

/* What pn_analyse_fd_ex may use beside the file. */
struct pn_hashes;

struct pn_analyse_opts {
	const struct pn_details_opts *dopts;  /* NULL: contained files are not extracted */
	const char *md5, *sha1, *sha256;      /* the sample's hashes when known (hex), or NULL */
	struct pn_store *cache;               /* result cache (needs sha256), or NULL */
	int type_only;                        /* identify the type only, whatever analysis.details says */
	/*
	 * Not NULL: compute the sample's MD5, SHA-1 and SHA-256 into it while
	 * the first scan children work; the engines started after the type
	 * check (those that may read hashes) are given these.
	 */
	struct pn_hashes *hashes_out;
};
int pn_analyse_fd_ex(const struct pn_conf *conf, struct pn_engines *engines, int fd,
    const char *name, const struct pn_analyse_opts *o, char **details, char **results,
    char **stats);
void pn_analysis_pool_reset(void);

#endif
