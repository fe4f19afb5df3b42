/*
 * fuzz_winelog.c - fuzz target for the Windows runner's parsers of what a
 * sample can shape (sandbox/wine.c): the Wine debug log (the sample's
 * stderr shares it) and the registry hives it changes.
 *
 * Input layout: byte 0 % 2 picks the parser: 0 = the rest is a wine.log
 * (the sample is C:\users\root\Desktop\s.exe); 1 = the rest is two hives,
 * template and run, split at the first NUL (no NUL: empty template).
 * Inputs are exactly-sized heap copies.  Checked: every emitted event is
 * one JSON object with a string "ev" and fits PN_SBX_MAX_LINE.  A
 * violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/winelog/ (tests/fuzz/make-seeds-winelog.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "sbx_int.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(void *ctx, double t, const char *line, size_t len)
{
	json_tokener *tok;
	json_object *o, *ev;

	(void)ctx;
	(void)t;
	if (len == 0 || len > PN_SBX_MAX_LINE || memchr(line, '\n', len))
		PN_BUG("fuzz_winelog: event line size or newline");
	tok = json_tokener_new_ex(16);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ev", &ev) || !json_object_is_type(ev, json_type_string))
		PN_BUG("fuzz_winelog: an event is not a JSON object with ev");
	json_object_put(o);
	json_tokener_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p;
	const char *nul;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	p = malloc(n ? n : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data + 1, n);
	if (data[0] % 2 == 0) {
		sbx_wine_parse_log(p, n, "C:\\users\\root\\Desktop\\s.exe", NULL, 0.5, check, NULL);
	} else {
		nul = memchr(p, '\0', n);
		if (nul)
			sbx_wine_reg_diff(p, (size_t)(nul - p), nul + 1, n - (size_t)(nul - p) - 1,
			    "HKEY_LOCAL_MACHINE", NULL, 0, check, NULL);
		else
			sbx_wine_reg_diff("", 0, p, n, "HKEY_CURRENT_USER", NULL, 0, check, NULL);
	}
	free(p);
	return 0;
}
