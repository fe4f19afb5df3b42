/*
 * url.h - URL parsing and canonicalisation for URL objects (VT "url"
 * type): the canonical form, its id (sha256 hex) and the unpadded
 * base64url id form.
 *
 * pn_url_parse() accepts what people paste: a missing scheme ("example.com/x"
 * becomes "http://example.com/x"), surrounding whitespace, tabs and newlines
 * inside, backslashes for slashes, IDN host names (to punycode A-labels),
 * IPv4 in dotted, decimal, octal and hex forms, bracketed IPv6.  Only http
 * and https are accepted unless PN_URL_ANY_SCHEME is given to
 * pn_url_parse_flags() (then any scheme with a "//" authority).  The rules
 * of the canonical form are in docs/internals/urls.md; parsing a canonical
 * URL again yields the same canonical URL (tests/fuzz/fuzz_url.c checks it).
 *
 * Ownership: every string in struct pn_url is allocated by pn_url_parse()
 * and released by pn_url_free(); on failure the struct is left zeroed.
 * Limits: PN_URL_MAX_LEN input bytes, PN_URL_MAX_HOST / PN_URL_MAX_LABEL for
 * the (ASCII, punycoded) host name.
 * Errors: PN_EINVAL with a one-line reason in err (may be NULL) for
 * malformed, unsupported or over-long input.
 * See also: tests/unit/test_url.c, docs/internals/urls.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_URL_H
#define PN_URL_H

#include <stddef.h>

#define PN_URL_MAX_LEN    8192  /* input bytes (after trimming whitespace) */
#define PN_URL_MAX_HOST   253   /* host name after IDN conversion */
#define PN_URL_MAX_LABEL  63    /* one DNS label after IDN conversion */
#define PN_URL_MAX_SCHEME 32    /* scheme name */

/* pn_url_parse_flags() flags */
#define PN_URL_ANY_SCHEME 0x01u /* accept any "scheme://authority" URL */

struct pn_url {
	char *scheme;     /* lower-case: "http", "https" (others rejected by pn_url_parse unless allowed) */
	char *userinfo;   /* NULL when absent (kept: "@ in authority" is a phishing signal) */
	char *host;       /* lower-case; IDN converted to punycode A-labels; IPv4 normalised (also decimal/octal/hex forms like http://3232235777/ → 192.168.1.1); IPv6 without brackets, compressed */
	int port;         /* explicit or scheme default */
	int host_ip;      /* 4 or 6 when host is an IP literal, else 0 */
	char *path;       /* starts with '/', percent-encoding normalised, dot segments removed */
	char *query;      /* without '?', NULL when absent */
	char *fragment;   /* NULL when absent; not part of the canonical form */
	char *canonical;  /* canonical URL string (document the rules in docs/internals/urls.md) */
};

/* Parse and canonicalise text; PN_OK or PN_EINVAL + reason for malformed/unsupported. */
int pn_url_parse(const char *text, struct pn_url *u, char *err, size_t errlen);
/* The same with flags (PN_URL_ANY_SCHEME). */
int pn_url_parse_flags(const char *text, unsigned flags, struct pn_url *u,
    char *err, size_t errlen);
/* Free the strings of u and zero it; safe on a zeroed or failed struct. */
void pn_url_free(struct pn_url *u);

/* sha256 hex of the canonical URL = VT url id. */
void pn_url_id(const char *canonical, char hex[65]);

/*
 * VT also accepts the unpadded base64url of the URL as id: decode it into
 * *url_out (the URL text as encoded, NUL-terminated, caller frees; feed it
 * to pn_url_parse() for the canonical form).  Returns PN_EINVAL if not
 * valid base64url or not a URL (pn_url_parse() refuses it).
 */
int pn_url_id_from_b64(const char *b64, char **url_out);

/*
 * The id in a /urls/{id} route: 64 hex characters are the id itself
 * (lower-cased); anything else is base64url of a URL, decoded, canonicalised
 * and hashed.  PN_OK or PN_EINVAL.
 */
int pn_url_id_resolve(const char *route_id, char hex[65]);

#endif
