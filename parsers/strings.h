/*
 * strings.h - printable strings of any file and the indicators in them:
 * the "strings" parser (pn_parser_strings) and its string extractor.
 *
 * The parser bids on every non-empty file.  It extracts printable ASCII
 * strings and UTF-16LE strings of ASCII characters (as `strings -a -n 6`
 * and `strings -a -n 6 -el` do: bytes 0x20-0x7e and TAB), feeds each to
 * the indicator scanner (ioc.h) and adds:
 *   - attribute "strings_info" (a Panoptes attribute; VirusTotal has none
 *     of this name): {"ascii_count", "utf16_count", "scanned_bytes",
 *     "url_count", "domain_count", "ip_count", "email_count", "urls",
 *     "domains", "ips", "emails", and "truncated": true when a limit cut
 *     the work}; the lists hold the first PN_STRINGS_MAX_LISTED distinct
 *     values in order of appearance, the counts the distinct values kept
 *     (at most PN_STRINGS_MAX_IOCS);
 *   - relationships "embedded_urls" (type "url"), "embedded_domains"
 *     ("domain") and "embedded_ips" ("ip_address", globally routable
 *     addresses only), at most PN_STRINGS_MAX_EDGES of each.
 * E-mail addresses are listed but make no relationship (VirusTotal has no
 * e-mail object).  Every string of every file gets the same treatment:
 * the parser does not try to tell code from data.
 *
 * Limits: PN_STRINGS_MAX_SCAN bytes looked at, PN_STRINGS_MAX_COUNT
 * strings examined, PN_STRINGS_MAX_IOCS, PN_STRINGS_MAX_LISTED,
 * PN_STRINGS_MAX_EDGES (below).
 * Errors: parse returns PN_ELIMIT (with a note, results kept) when the
 * file is larger than PN_STRINGS_MAX_SCAN or has more strings than
 * PN_STRINGS_MAX_COUNT; there is no malformed input.
 * See also: docs/internals/strings-ioc.md, tests/unit/test_strings.c,
 * tests/fuzz/fuzz_strings.c, ioc.h.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_STRINGS_H
#define PN_STRINGS_H

#include "parser.h"

#define PN_STRINGS_MAX_SCAN    (32u << 20) /* bytes of a file looked at */
#define PN_STRINGS_MIN_LEN     6           /* characters of the shortest string */
#define PN_STRINGS_MAX_COUNT   2000000     /* strings (both encodings) examined */
#define PN_STRINGS_MAX_IOCS    256         /* distinct values of one kind kept */
#define PN_STRINGS_MAX_LISTED  32          /* values of one kind listed in strings_info */
#define PN_STRINGS_MAX_EDGES   100         /* relationships of one kind */

enum pn_strings_enc {
	PN_STRINGS_ASCII,
	PN_STRINGS_UTF16LE
};

/*
 * Called for each string: its encoding, the offset of its first byte in
 * the data, and its characters s[0..len) (not NUL-terminated; for ASCII a
 * pointer into the data, for UTF-16LE a converted copy; both valid during
 * the call only).  Return 0 to go on, non-zero to stop.
 */
typedef int (*pn_strings_fn)(void *ctx, enum pn_strings_enc enc, size_t off,
    const char *s, size_t len);

/* What pn_strings_extract() saw. */
struct pn_strings_stats {
	uint64_t ascii;     /* ASCII strings delivered */
	uint64_t utf16;     /* UTF-16LE strings delivered */
	size_t scanned;     /* bytes looked at */
	int truncated;      /* a limit (scan size, string count) cut the work */
};

/*
 * Deliver every string of at least min_len (>= 1) characters in the first
 * PN_STRINGS_MAX_SCAN bytes of data[0..size): all ASCII strings first, in
 * order, then the UTF-16LE ones (even offsets, then odd ones), stopping
 * after PN_STRINGS_MAX_COUNT strings.  Fills *st.  Returns PN_OK,
 * PN_ELIMIT (a limit cut it; st->truncated), PN_EINVAL (min_len 0), or the
 * callback's non-zero value.  Allocates one buffer of at most half the
 * scanned size for the UTF-16 conversion, freed before returning.
 */
int pn_strings_extract(const uint8_t *data, size_t size, size_t min_len,
    pn_strings_fn fn, void *ctx, struct pn_strings_stats *st);

extern const struct pn_parser pn_parser_strings;

#endif
