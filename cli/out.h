/*
 * out.h - how the client commands print API objects: a readable summary
 * (coloured on a terminal), -o json (the API objects), -o jsonl (one per
 * line), -o csv (one row per object), and --fields a,b.c to pick
 * attributes.
 *
 * Objects are API objects ({"type","id","attributes",...}); they are
 * borrowed for the call only.  Field paths are looked up in `attributes`
 * first, then in the object itself (id, type, meta.file_info.size ...).
 * Colour is used only when asked (pn_out_color_wanted: stdout is a tty and
 * NO_COLOR is unset).
 *
 * Limits: PN_OUT_MAX_FIELDS fields, PN_OUT_TOP_DETECTIONS labels shown.
 * See also: docs/CLI.md, tests/unit/test_cliout.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_OUT_H
#define PN_OUT_H

#include "pn.h"

#include <json-c/json.h>

#define PN_OUT_MAX_FIELDS     64
#define PN_OUT_TOP_DETECTIONS 5

enum pn_out_fmt { PN_OUT_TEXT, PN_OUT_JSON, PN_OUT_JSONL, PN_OUT_CSV };

struct pn_out {
	enum pn_out_fmt fmt;
	FILE *f;
	int color;                         /* ANSI colours in text output */
	char *fields[PN_OUT_MAX_FIELDS];   /* --fields, owned */
	size_t nfields;
	int many;                          /* json: a list rather than one object */
	size_t n;                          /* objects printed */
	int header_done;                   /* csv header written */
	const char *const *defcols;        /* csv columns without --fields (NULL: by type) */
};

/* "text" | "json" | "jsonl" | "csv"; PN_OK or PN_EINVAL. */
int pn_out_parse_fmt(const char *s, enum pn_out_fmt *fmt);
void pn_out_init(struct pn_out *o, enum pn_out_fmt fmt, FILE *f, int color);
/* Split a comma-separated list; PN_EINVAL for an empty name or too many. */
int pn_out_set_fields(struct pn_out *o, const char *list);
void pn_out_release(struct pn_out *o);

/* 1 when fd is a terminal and NO_COLOR is unset or empty. */
int pn_out_color_wanted(int fd);

/* Start a listing: many = the json output is an array. */
void pn_out_begin(struct pn_out *o, int many);
void pn_out_object(struct pn_out *o, struct json_object *obj);
void pn_out_end(struct pn_out *o);

/* The value at a dotted path (attributes first, then top level); borrowed or NULL. */
struct json_object *pn_out_lookup(struct json_object *obj, const char *path);
/* Stats of an object (last_analysis_stats or analysis stats): malicious, and the total. */
int pn_out_stats(struct json_object *obj, int64_t *malicious, int64_t *total);
/* A value as text for csv/text: strings raw, dates (key *date) as UTC if human. */
char *pn_out_value_str(const char *key, struct json_object *v, int human);
/* Write s as one CSV field (RFC 4180 quoting when needed). */
void pn_out_csv_field(FILE *f, const char *s);

#endif
