/*
 * identify.h - file type identification and the basic "details" attributes
 * of a file report: magic, type_description, type_tag, type_extension,
 * type_tags, tags, mime_type, ssdeep and tlsh (VT-API.md §5.2).
 *
 * Identification is by content: header probes for PE/NE/MZ, ELF and
 * Mach-O (read through lib/rd.h), then libmagic's description and MIME
 * type matched against one table of rules (identify.c, rules[]).  The
 * submitted name is used only to refine files libmagic calls text/plain
 * (e.g. "x.ps1" -> Powershell).  Unknown content gets no type_* attributes.
 *
 * libmagic: one magic_t per process, opened lazily or by pn_identify_init()
 * (the worker calls it before forking its sandboxed children, which then
 * need no file access).  libmagic is not thread-safe: call these functions
 * from one thread per process (each analysis child is single-threaded).
 *
 * Limits: PN_IDENTIFY_MAX_MAGIC (libmagic text kept), PN_IDENTIFY_MAX_MIME,
 * PN_IDENTIFY_MAX_EXT (name-hint extension), PN_IDENTIFY_MAX_ELF_DYN.  Input length is not limited
 * here (libmagic looks at its own bytes_max prefix, the hashes see all).
 * Errors: pn_identify_init() returns PN_EINTERNAL when libmagic cannot be
 * loaded; identification then runs on the header probes alone.  Malformed
 * input is never an error: any bytes yield a valid result.
 * See also: docs/internals/identify.md, tests/unit/test_identify.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_IDENTIFY_H
#define PN_IDENTIFY_H

#include <stddef.h>
#include <stdint.h>

#define PN_IDENTIFY_MAX_MAGIC  1024  /* bytes of libmagic's description kept */
#define PN_IDENTIFY_MAX_MIME   127   /* bytes of the MIME type kept */
#define PN_IDENTIFY_MAX_EXT    15    /* longest name-hint extension considered */
#define PN_IDENTIFY_MAX_ELF_DYN 65536 /* ELF dynamic entries read looking for DF_1_PIE */

/* pn_ident.flags */
#define PN_IDENT_64BIT   0x01u  /* PE32+, ELFCLASS64, 64-bit Mach-O: tag "64bits" */
#define PN_IDENT_DOTNET  0x02u  /* PE with a CLR header: tag "assembly" */

/*
 * The result of pn_identify().  The type strings point into a static table
 * (valid for the life of the process) and are NULL when the type is
 * unknown; extension may be NULL for a known type too.
 */
struct pn_ident {
	char magic[PN_IDENTIFY_MAX_MAGIC + 1]; /* libmagic text, "" if none */
	char mime[PN_IDENTIFY_MAX_MIME + 1];   /* libmagic MIME type, "" if none */
	const char *description;  /* type_description, e.g. "Win32 EXE" */
	const char *tag;          /* type_tag, e.g. "peexe" */
	const char *extension;    /* type_extension, e.g. "exe" */
	const char *type_tags;    /* type_tags, space-separated */
	unsigned flags;           /* PN_IDENT_* */
};

/*
 * Open and load libmagic (magic_open(MAGIC_NONE) + magic_load(NULL)) if
 * not done yet.  Returns PN_OK or PN_EINTERNAL (logged; a later call
 * tries again).  Optional: the functions below call it lazily.
 */
int pn_identify_init(void);

/* Close libmagic; a later call opens it again.  Safe to call twice. */
void pn_identify_cleanup(void);

/*
 * Identify size bytes at data (data may be NULL when size is 0).
 * name_hint is a submitted file name or NULL.  Always fills *out and
 * returns PN_OK; *out holds no pointers that need freeing.
 */
int pn_identify(const uint8_t *data, size_t size, const char *name_hint,
    struct pn_ident *out);
/*
 * The same with libmagic's answers for these bytes known already (an
 * earlier type check's "magic" and "mime_type"): both non-NULL are used
 * (cleaned, cut to size) instead of asking libmagic again.
 */
int pn_identify_ex(const uint8_t *data, size_t size, const char *name_hint, const char *magic,
    const char *mime, struct pn_ident *out);

/*
 * Returns a new JSON object text (caller frees) with the file's basic
 * details: "magic", "mime_type", "type_description", "type_tag",
 * "type_extension", "type_tags", "tags", "ssdeep", "tlsh".  Attributes
 * that are unknown or cannot be computed are omitted, so the least is
 * "{}".  Never NULL (allocation failure aborts).
 */
char *pn_identify_details(const uint8_t *data, size_t size, const char *name_hint);

struct pn_details_opts;
/* The same, with the parsers allowed to unpack contained files (parser.h). */
char *pn_identify_details_ex(const uint8_t *data, size_t size, const char *name_hint,
    const struct pn_details_opts *opts);
/* The same with libmagic's answers known (pn_identify_ex), or NULL. */
char *pn_identify_details_known(const uint8_t *data, size_t size, const char *name_hint,
    const struct pn_details_opts *opts, const char *magic, const char *mime);

#endif
