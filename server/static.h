/*
 * static.h - the web UI's files (web/ in the source tree, share/panoptes/web
 * in an install): the HTML shell for "/" and every "/gui/..." address, and
 * the assets under "/static/...".
 *
 * These answers need no API key: they carry no data, only the page and its
 * code; every data call the page makes goes to /api/v3 with the user's key.
 * Every answer carries a strict Content-Security-Policy, nosniff and
 * Referrer-Policy: no-referrer; assets are revalidated with ETag /
 * Last-Modified (304 when unchanged).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_STATIC_H
#define PN_STATIC_H

#include "http.h"

#define PN_STATIC_MAX_FILE  (8u << 20)  /* largest asset served, bytes */
#define PN_STATIC_MAX_REL   256         /* longest asset path below /static/ */
#define PN_STATIC_MAX_SEG   64          /* longest path segment of an asset */

/* The policy sent with every static answer (docs/UI.md). */
#define PN_STATIC_CSP \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"connect-src 'self'; font-src 'self'; worker-src 'self'; object-src 'none'; " \
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

/* 1 when method and path (decoded, no query) belong to the web UI. */
int pn_static_wants(const char *method, const char *path);

/* Answer r (path r->path) from the web directory; always responds. */
void pn_static_serve(struct pn_req *r);

#endif
