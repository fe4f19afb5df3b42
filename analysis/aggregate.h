/*
 * aggregate.h - the verdict policy in one place: per-engine verdicts become
 * VirusTotal's `results` dict and the eight-key `stats` dict.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_AGGREGATE_H
#define PN_AGGREGATE_H

#include "pn.h"
#include "engine.h"
#include "store.h"

struct pn_engine_outcome {
	const char *engine_name;
	const char *engine_version;
	const char *engine_update;
	struct pn_verdict v;
};

/* results and stats as new JSON texts (caller frees both). */
void pn_aggregate(const struct pn_engine_outcome *o, size_t n, char **results, char **stats);
/* Every known engine "failure" (a job whose worker kept crashing). */
void pn_aggregate_failure(const struct pn_engine_info *e, size_t n, char **results,
    char **stats);

/* Every engine of a loaded set "failure" (the sample could not be analysed). */
void pn_aggregate_set_failed(const struct pn_engines *set, char **results, char **stats);

#endif
