/*
 * vba.h - VBA macro projects in OLE2 storages ([MS-OVBA]): the
 * decompression of compressed containers (2.4.1), the dir stream (2.3.4.2),
 * module source extraction and a keyword/IOC scan of the source, shared
 * by the "ole" parser (.doc, .xls, vbaProject.bin sent alone) and the
 * "ooxml" parser (vbaProject.bin inside .docm/.xlsm/.pptm).
 *
 * pn_vba_extract() finds every storage named "VBA" with a "dir" stream,
 * reads the module list from the dir stream, decompresses each module's
 * source from its stream at MODULEOFFSET and appends one object per module
 * to a JSON array in the shape VirusTotal documents for
 * office_info.ole.macros / openxml_info.ole.macros:
 *
 *   {"vba_filename": "Module1.bas", "stream_path": "Macros/VBA/Module1",
 *    "subfilename": "word/vbaProject.bin" (OOXML only), "length": 1234,
 *    "vba_code": "...", "properties": ["auto-open", "run-file"],
 *    "patterns": ["url-pattern"], "module_name": "Module1",
 *    "auto_exec": ["Document_Open"], "suspicious": ["Shell"],
 *    "truncated": true (only when cut at PN_VBA_MAX_SOURCE)}
 *
 * When the dir stream is unreadable, streams that hold a compressed
 * "Attribute VB_Name" (the usual first line) are decompressed instead, as
 * oletools' olevba does.  Source text is converted from the project code
 * page (pn_ole_mbcs()) and CR LF / CR become LF.  Tags ("macros" and each
 * property and pattern) and URLs found in the source (embedded_urls edges)
 * go to the pn_parse handle when one is given.
 *
 * Limits: PN_VBA_* below.  Errors: PN_EFORMAT (something malformed; what
 * could be read is kept), PN_ELIMIT (a limit cut it short).
 * Spec: [MS-OVBA] v20240416 2.3.4.2 (dir stream), 2.4.1 (compression),
 * 3.2 (compression examples, used by the unit tests).
 * See also: ole.h, docs/internals/office.md, tests/unit/test_ole.c,
 * tests/fuzz/fuzz_vba.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_VBA_H
#define PN_VBA_H

#include "pn.h"
#include "ole.h"

struct json_object;
struct pn_parse;

#define PN_VBA_MAX_PROJECTS     8            /* VBA storages looked at per OLE file */
#define PN_VBA_MAX_MODULES      256          /* modules per project */
#define PN_VBA_MAX_DIR_STREAM   (1u << 20)   /* compressed dir stream read */
#define PN_VBA_MAX_DIR          (4u << 20)   /* decompressed dir stream */
#define PN_VBA_MAX_STREAM       (16u << 20)  /* module stream read */
#define PN_VBA_MAX_SOURCE       65536        /* decompressed source kept per module */
#define PN_VBA_MAX_TOTAL_SOURCE (2u << 20)   /* source text in one report; past it vba_code is left out */
#define PN_VBA_MAX_NAME         256          /* bytes of a module or stream name */
#define PN_VBA_MAX_URLS         100          /* URLs taken from one module */
#define PN_VBA_MAX_URL          2048         /* bytes of one URL */

/*
 * Decompress the [MS-OVBA] 2.4.1 CompressedContainer in[0..inlen) into a
 * new buffer *out of *outlen bytes (caller frees; may be NULL when empty),
 * at most max bytes.  Returns PN_OK; PN_ELIMIT when the output reached max
 * (the first max bytes are returned); PN_EFORMAT for a bad signature byte,
 * chunk header or copy token (the output decoded before it is returned).
 */
int pn_vba_decompress(const uint8_t *in, size_t inlen, size_t max,
    uint8_t **out, size_t *outlen);

struct pn_vba_module {
	char name[PN_VBA_MAX_NAME];    /* MODULENAME (or its UNICODE form), UTF-8 */
	char stream[PN_VBA_MAX_NAME];  /* MODULESTREAMNAME (UNICODE form preferred) */
	uint32_t offset;               /* MODULEOFFSET TextOffset */
	int has_offset;                /* MODULEOFFSET was present */
	int kind;                      /* 0 unknown, 1 procedural (.bas), 2 document/class (.cls) */
};

struct pn_vba_dir {
	unsigned codepage;             /* PROJECTCODEPAGE; 1252 when absent */
	char name[PN_VBA_MAX_NAME];    /* PROJECTNAME */
	unsigned declared;             /* PROJECTMODULES Count */
	struct pn_vba_module *modules; /* owned; release with pn_vba_dir_release() */
	unsigned nmodules;
};

/*
 * Parse a decompressed dir stream.  Fills *d (release it with
 * pn_vba_dir_release() whatever the result).  Returns PN_OK, PN_EFORMAT
 * (records cut short or out of place; the modules read are kept) or
 * PN_ELIMIT (more than PN_VBA_MAX_MODULES modules).
 */
int pn_vba_parse_dir(const uint8_t *dir, size_t len, struct pn_vba_dir *d);
void pn_vba_dir_release(struct pn_vba_dir *d);

/*
 * Scan UTF-8 source text src[0..len) and add "auto_exec", "suspicious",
 * "properties" and "patterns" arrays to the JSON object macro; with p,
 * add the properties and patterns as tags and the URLs as embedded_urls
 * edges.  Returns the number of keywords and patterns found.
 */
int pn_vba_analyze(const char *src, size_t len, struct json_object *macro,
    struct pn_parse *p);

struct pn_vba_stats {
	unsigned projects;             /* VBA storages with a dir stream */
	unsigned modules;              /* module objects added */
	size_t source_bytes;           /* vba_code bytes added (PN_VBA_MAX_TOTAL_SOURCE) */
};

/*
 * Find the VBA projects of ole and append one object per module to the
 * JSON array macros (see the top of this file).  subfilename (may be
 * NULL) names the OLE file inside its container.  st accumulates across
 * calls (zero it first).  p (may be NULL) receives tags, edges and notes
 * ("vba: ...").  Returns PN_OK (also when there is no VBA), PN_EFORMAT or
 * PN_ELIMIT.
 */
int pn_vba_extract(struct pn_ole *ole, const char *subfilename,
    struct json_object *macros, struct pn_vba_stats *st, struct pn_parse *p);

#endif
