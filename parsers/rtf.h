/*
 * rtf.h - the RTF parser (parsers/rtf.c): document properties, embedded
 * OLE objects (class, OLE1 header, Package contents), pictures, fields and
 * the links in them, and the structural oddities exploit documents use.
 *
 * Registered as pn_parser_rtf (parsers/parsers.c); bids on files starting
 * with "{\rt" (Word reads any file that starts so as RTF, "{\rtf1" or not).
 * Results go to the caller's pn_parse (parser.h): attribute "rtf_info"
 * (VirusTotal has no RTF block; the names are Panoptes', documented in
 * docs/internals/pdf-rtf.md), embedded_urls edges, tags and notes.  No
 * state is kept between calls.
 *
 * Limits: the names below; one linear pass, so no limit on the input
 * length.  Reaching a list limit keeps counting but stops listing.
 * Errors: PN_OK; PN_EFORMAT for malformed structure (unbalanced braces,
 * overlong control words, bad object headers), noted, results kept;
 * PN_ELIMIT when object data was cut at PN_RTF_MAX_OBJDATA.
 * Spec: Microsoft "Rich Text Format (RTF) Specification" 1.9.1 (2008):
 * syntax (control words, \'hh, \u, \uc, \bin, \*), Information Group,
 * Objects (\object, \objemb ... \objdata, \objupdate), Pictures, Fields
 * (\field, \fldinst); [MS-OLEDS] 2.2.4-2.2.6 (OLE 1.0 ObjectHeader,
 * EmbeddedObject, LinkedObject, LengthPrefixedAnsiString).
 * See also: docs/internals/pdf-rtf.md, tests/unit/test_rtf.c,
 * tests/fuzz/fuzz_rtf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_RTF_H
#define PN_RTF_H

#include "parser.h"

#define PN_RTF_MAX_DEPTH       256          /* group frames tracked; deeper groups are skipped */
#define PN_RTF_DEEP_NESTING    100          /* nesting noted as suspicious past this */
#define PN_RTF_MAX_WORD        32           /* letters of a control word (spec: at most 32) */
#define PN_RTF_MAX_PARAM       10           /* digits of a control word parameter */
#define PN_RTF_MAX_OBJECTS     64           /* objects listed in rtf_info.objects */
#define PN_RTF_MAX_OBJDATA     (4u << 20)   /* decoded \objdata bytes kept per object */
#define PN_RTF_MAX_CLASS       128          /* bytes of an \objclass name kept */
#define PN_RTF_MAX_PROP        512          /* bytes of a document property kept */
#define PN_RTF_MAX_FLDINST     2048         /* bytes of a field instruction kept */
#define PN_RTF_MAX_URLS        256          /* URLs added as embedded_urls edges */
#define PN_RTF_MAX_URL         2048         /* longest URL kept */
#define PN_RTF_MAX_NOTES       32           /* notes added by one parse */

extern const struct pn_parser pn_parser_rtf;

#endif
