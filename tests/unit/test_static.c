/*
 * test_static.c - the web UI's file server (server/static.c): which paths
 * it takes, which asset paths it accepts (nothing outside web/), the
 * Content-Type of each kind of file, the policy, and that web/ holds the
 * shell and the app.
 *
 * SPDX-License-Identifier: MIT
 */
#include "../../server/static.c"

#include "tap.h"

int
main(void)
{
	static const char *const good[] = { "js/app.js", "css/app.css", "icon.svg", "js/pages/report.js",
		"a-b_c.1.js", NULL };
	static const char *const bad[] = { "", "/js/app.js", "../Makefile", "js/../../x.js", "js/./app.js",
		".hidden.js", "js/.x.js", "js//app.js", "js/", "js/app.js/", "a b.js", "js/app.js?x=1",
		"js\\app.js", "%2e%2e/x.js", "js/\xc3\xa9.js", NULL };
	char longp[PN_STATIC_MAX_REL + 8], longseg[PN_STATIC_MAX_SEG + 8];
	size_t i;

	ok(pn_static_wants("GET", "/"), "GET / is the UI's");
	ok(pn_static_wants("GET", "/gui"), "GET /gui");
	ok(pn_static_wants("GET", "/gui/file/abc/details"), "GET /gui/...");
	ok(pn_static_wants("HEAD", "/static/js/app.js"), "HEAD /static/...");
	ok(!pn_static_wants("POST", "/gui/home"), "POST is not");
	ok(!pn_static_wants("GET", "/api/v3/files"), "the API is not");
	ok(!pn_static_wants("GET", "/guix"), "/guix is not");
	ok(!pn_static_wants("GET", "/static"), "/static without a file is not");
	ok(!pn_static_wants("GET", "/favicon.ico"), "other paths are not");

	for (i = 0; good[i]; i++)
		ok(rel_ok(good[i]), "accepted: %s", good[i]);
	for (i = 0; bad[i]; i++)
		ok(!rel_ok(bad[i]), "refused: \"%s\"", bad[i]);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	for (i = 10; i < sizeof(longp) - 1; i += 10)
		longp[i] = '/';
	ok(!rel_ok(longp), "a path over PN_STATIC_MAX_REL is refused");
	memset(longseg, 'b', sizeof(longseg) - 1);
	longseg[sizeof(longseg) - 1] = '\0';
	ok(!rel_ok(longseg), "a segment over PN_STATIC_MAX_SEG is refused");

	is_str(ctype_of("js/app.js"), "text/javascript; charset=utf-8", "js");
	is_str(ctype_of("index.html"), "text/html; charset=utf-8", "html");
	is_str(ctype_of("css/app.css"), "text/css; charset=utf-8", "css");
	is_str(ctype_of("icon.svg"), "image/svg+xml", "svg");
	ok(ctype_of("README") == NULL, "no extension: not served");
	ok(ctype_of("x.sh") == NULL, "unknown extension: not served");
	ok(ctype_of(".js") == NULL, "a bare extension is no file name");

	ok(strstr(PN_STATIC_CSP, "default-src 'self'") && strstr(PN_STATIC_CSP, "script-src 'self'") &&
	    strstr(PN_STATIC_CSP, "object-src 'none'") && strstr(PN_STATIC_CSP, "base-uri 'none'") &&
	    strstr(PN_STATIC_CSP, "frame-ancestors 'none'") && !strstr(PN_STATIC_CSP, "unsafe"),
	    "the CSP is strict");

	/* Run from the top of the tree (tests/run-tests.sh does). */
	ok(access("web/index.html", R_OK) == 0, "web/index.html exists");
	ok(access("web/js/app.js", R_OK) == 0, "web/js/app.js exists");
	ok(ctype_of("index.html") && rel_ok("js/app.js"), "both are servable");
	return done_testing();
}
