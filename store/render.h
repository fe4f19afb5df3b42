/*
 * render.h - turn a file row into the `attributes` JSON that lookups serve.
 * Backend-independent: each store backend fills a pn_file_row and calls
 * pn_render_file() whenever the object changes.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_RENDER_H
#define PN_RENDER_H

#include "pn.h"

struct pn_file_row {
	const char *sha256, *sha1, *md5;
	uint64_t size;
	int64_t first_submission_date, last_submission_date;
	int64_t times_submitted, unique_sources;
	const char *names;                   /* JSON list text */
	const char *details;                 /* JSON object text from the worker, or NULL */
	int64_t last_analysis_date;          /* 0 = never */
	const char *last_analysis_results;   /* JSON object text, or NULL */
	const char *last_analysis_stats;     /* JSON object text, or NULL */
	int64_t reputation, votes_harmless, votes_malicious;
	const char *sandbox_verdicts;        /* JSON object text, or NULL */
};

/*
 * The attributes every viewer shares, as a new JSON text (caller frees).
 * What depends on who submitted (names, submission dates and counts) is
 * not in it: that is a "view" fragment, one per group (privacy), spliced
 * in at read time by pn_render_splice().
 */
char *pn_render_file(const struct pn_file_row *row);

/*
 * `"names":[...],"meaningful_name":..,"first_submission_date":..` (no braces);
 * names_json NULL leaves names out, unique_sources < 0 leaves it out.
 */
char *pn_render_view(const char *names_json, int64_t first, int64_t last, int64_t times,
    int64_t unique_sources);

/* doc ("{...}") with the view fragment added; a new string, its length in *len. */
char *pn_render_splice(const char *doc, size_t doclen, const char *view, size_t *len);

/* A URL, domain or IP address: the worker's details plus analysis and votes. */
struct pn_obj_row {
	const char *type, *id;
	const char *details;
	int64_t last_analysis_date;
	const char *last_analysis_results, *last_analysis_stats;
	int64_t reputation, votes_harmless, votes_malicious;
};
char *pn_render_object(const struct pn_obj_row *row);

/* The five URL/domain/IP stats keys, zeroed (static storage). */
const char *pn_render_empty_obj_stats(void);

/* The eight file stats keys, zeroed, as JSON text (static storage). */
const char *pn_render_empty_file_stats(void);

#endif
