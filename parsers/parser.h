/*
 * parser.h - the interface of the static-analysis parsers (PE, ELF,
 * Mach-O, PDF, Office, scripts, strings/IOCs, ...) and their registry.
 *
 * Every parser is one file in parsers/ exposing one `struct pn_parser`:
 * bid() says whether it applies to a file (0 = no; several parsers may
 * apply, e.g. "pe" and "strings"), parse() adds VirusTotal-named
 * attributes (pe_info, elf_info, pdf_info, ...) to p->attrs, tags to
 * p->tags and human-readable notes to p->notes.  parse() runs in the
 * confined identification child of a worker, never in the server.
 *
 * Rules for parsers (docs/internals/parsers.md):
 *  - read input only through lib/rd.h (or checks that cannot overflow);
 *  - cap every count and length with a named limit in the parser's header
 *    or lib/pn_limits.h;
 *  - on malformed input, keep what was parsed, add a note, and return
 *    PN_EFORMAT: partial details, never a failed analysis;
 *  - no global state; allocation through json-c or pn_x*.
 *
 * Ownership: p->attrs, p->tags and p->notes belong to the caller; a parser
 * adds to them (json_object_object_add / json_object_array_add take
 * ownership of the value added).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PARSER_H
#define PN_PARSER_H

#include "pn.h"
#include "identify.h"

struct json_object;

/* How far the current file may be unpacked (set by the worker per job). */
struct pn_details_opts {
	const char *children_dir;     /* where contained files are written; NULL = do not extract */
	int depth;                    /* 0 for a submitted file, parent's + 1 for a member */
	int max_depth;                /* members of a file at this depth are not extracted */
	const char *password;         /* submitted archive password, or NULL ("infected" is always tried) */
	unsigned max_members;         /* members written per container */
	uint64_t max_member_size;     /* bytes of one member */
	uint64_t max_total;           /* bytes of all members of one container */
	unsigned max_ratio;           /* unpacked/packed bytes before it counts as a bomb */
};

struct pn_parse {
	const uint8_t *data;          /* the whole file, read-only */
	size_t size;
	const struct pn_ident *ident; /* what identification found */
	const char *name;             /* a submitted name, or NULL */
	struct json_object *attrs;    /* object: attributes to add */
	struct json_object *tags;     /* array of strings: tags to add (deduplicated later) */
	struct json_object *notes;    /* array of strings: what could not be parsed and why */
	struct json_object *edges;    /* array: relationships found (pn_parse_edge) */
	struct json_object *children; /* array: contained files written (pn_parse_child) */
	const struct pn_details_opts *opts; /* never NULL */
};

struct pn_parser {
	const char *name;
	/* > 0 when the parser applies to this file. */
	int (*bid)(const uint8_t *data, size_t size, const struct pn_ident *ident);
	/* PN_OK, PN_EFORMAT (partial), PN_ELIMIT (a limit cut it short). */
	int (*parse)(struct pn_parse *p);
};

/* The registry (parsers/parsers.c), NULL-terminated. */
extern const struct pn_parser *const pn_parsers[];
extern const struct pn_parser pn_parser_archive;
extern const struct pn_parser pn_parser_pe;
extern const struct pn_parser pn_parser_pdf;
extern const struct pn_parser pn_parser_rtf;
extern const struct pn_parser pn_parser_elf;
extern const struct pn_parser pn_parser_macho;
extern const struct pn_parser pn_parser_ole;
extern const struct pn_parser pn_parser_ooxml;
extern const struct pn_parser pn_parser_strings;
extern const struct pn_parser pn_parser_script;

/*
 * Run every parser that bids on the file; their attributes, tags and notes
 * are merged into attrs ("tags" and "analysis_notes" arrays are appended).
 */
void pn_parsers_run(const uint8_t *data, size_t size, const struct pn_ident *ident,
    const char *name, const struct pn_details_opts *opts, struct json_object *attrs);

/*
 * Edges found by parsers travel in the details JSON under this key; the
 * worker takes them out and records them as relationships of the file.
 */
#define PN_DETAILS_EDGES_KEY "_edges"
/* Likewise the contained files written to opts->children_dir. */
#define PN_DETAILS_CHILDREN_KEY "_children"

/* Helpers for parsers. */
void pn_parse_tag(struct pn_parse *p, const char *tag);
/* A relationship of the file: rel "embedded_urls", type "url", id the URL (or domain, IP). */
void pn_parse_edge(struct pn_parse *p, const char *rel, const char *type, const char *id);
void pn_parse_note(struct pn_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A contained file was written to path (inside opts->children_dir): the
 * worker stores it as a file object of its own, analyses it, and links it
 * with rel ("bundled_files"; the reverse "compressed_parents" is implied).
 */
void pn_parse_child(struct pn_parse *p, const char *rel, const char *name, const char *path);
/* Shannon entropy of bytes, in bits per byte (0..8). */
double pn_entropy(const uint8_t *data, size_t size);

#endif
