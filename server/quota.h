/*
 * quota.h - per-user and per-key request quotas (lookups, submissions,
 * downloads; per minute, day and month), counted in the server's memory
 * and persisted to the store every PN_QUOTA_FLUSH_S seconds and at exit,
 * so day and month counts survive a restart.
 *
 * Limits: a key's own (panoptes key quota), else none for the key; a
 * user's own (panoptes user quota), else the configured default
 * (quota.<kind>_<period>, 0 = no limit; administrators have no default).
 * A request over any limit is refused and not counted.
 *
 * Thread-safe (one mutex; the hot path is a hash lookup and a few adds).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_QUOTA_H
#define PN_QUOTA_H

#include "pn.h"
#include "store.h"

struct pn_conf;
struct pn_quota;

/* What refused a request: shown in the error and the headers. */
struct pn_quota_hit {
	int kind, period;
	int by_key;              /* the key's limit, not the user's */
	int64_t limit;
	int64_t reset;           /* seconds until the window ends */
};

struct pn_quota *pn_quota_new(const struct pn_conf *conf);
void pn_quota_free(struct pn_quota *q);

/* Count one request of `kind`; PN_ELIMIT (and *hit filled) when over a limit. */
int pn_quota_take(struct pn_quota *q, struct pn_store *st, const struct pn_user *u, int kind,
    struct pn_quota_hit *hit);

/* The user's use and effective limit (0 = none) of kind over period. */
void pn_quota_usage(struct pn_quota *q, struct pn_store *st, const struct pn_user *u, int kind,
    int period, int64_t *used, int64_t *allowed);

/* Write changed counters to the store. */
void pn_quota_flush(struct pn_quota *q, struct pn_store *st);

#endif
