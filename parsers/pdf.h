/*
 * pdf.h - the PDF parser (parsers/pdf.c): pdfid-style keyword counts
 * reported as VirusTotal's "pdf_info", plus what a tolerant object scan
 * finds: JavaScript, embedded files and URIs ("pdf_details", edges).
 *
 * The parser is registered as pn_parser_pdf (parsers/parsers.c); it bids
 * on "%PDF-" within the first PN_PDF_HEADER_WINDOW bytes.  Everything it
 * reports is added to the caller's pn_parse (parser.h); it keeps no state.
 *
 * Limits (all per file): the names below.  Reaching one adds a note and
 * makes parse() return PN_ELIMIT; the counts of pdf_info are never cut
 * short (one linear pass over the whole file).
 * Errors: PN_OK, PN_EFORMAT (malformed parts, noted, partial results
 * kept), PN_ELIMIT.
 * Spec: ISO 32000-1:2008 §7.2 (lexical conventions), §7.3 (objects),
 * §7.3.8 (streams), §7.4 (filters), §7.5.7 (object streams), §7.6
 * (encryption), §7.11 (file specifications, embedded files), §12.6
 * (actions: JavaScript, URI, Launch).
 * See also: docs/internals/pdf-rtf.md, tests/unit/test_pdf.c,
 * tests/fuzz/fuzz_pdf.c, tests/data/pdf/make-pdfs.py.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PDF_H
#define PN_PDF_H

#include "parser.h"

#define PN_PDF_HEADER_WINDOW       1024          /* "%PDF-" must start in these bytes (as pdfid) */
#define PN_PDF_MAX_OBJECTS         500000        /* "N G obj" headers parsed structurally */
#define PN_PDF_MAX_DEPTH           64            /* nesting of dictionaries and arrays */
#define PN_PDF_MAX_NAME            127           /* decoded bytes of a name kept */
#define PN_PDF_MAX_FILTERS         8             /* filters in one /Filter chain */
#define PN_PDF_MAX_INFLATE         (4u << 20)    /* decoded bytes of one stream */
#define PN_PDF_MAX_INFLATE_TOTAL   (64u << 20)   /* decoded bytes of all streams of a file */
#define PN_PDF_MAX_DECODED_STREAMS 4096          /* streams decoded (JS, object streams, files) */
#define PN_PDF_MAX_OBJSTM_N        100000        /* objects read from one object stream */
#define PN_PDF_OBJSTM_WORK         4             /* bytes tokenized in an object stream, per byte of it */
#define PN_PDF_MAX_PENDING         8192          /* JS/URI/filespec findings held for decoding */
#define PN_PDF_MAX_JS              32            /* scripts listed in pdf_details.javascript */
#define PN_PDF_MAX_JS_SNIPPET      256           /* bytes of each script listed */
#define PN_PDF_MAX_URIS            256           /* URLs added as embedded_urls edges */
#define PN_PDF_MAX_URI             2048          /* longest URL kept */
#define PN_PDF_MAX_EMBEDDED        32            /* embedded files listed */
#define PN_PDF_MAX_LAUNCH          16            /* launch targets listed */
#define PN_PDF_MAX_REFS            256           /* indirect /JS and /URI references resolved */
#define PN_PDF_MAX_FILENAME        255           /* bytes of an embedded file's name kept */
#define PN_PDF_MAX_NOTES           32            /* notes added by one parse */

extern const struct pn_parser pn_parser_pdf;

#endif
