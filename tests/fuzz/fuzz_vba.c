/*
 * fuzz_vba.c - fuzz target for the [MS-OVBA] pieces of parsers/vba.c: the
 * decompressor, the dir stream parser and the keyword scan.
 *
 * Input layout (tests/unit/test_ole.c --write-seeds writes seeds in it):
 *
 *   byte 0   mode, modulo 5:
 *              0 decompress the rest with a cap of (byte 1 + 1) * 64 bytes
 *                and again with a 1 MiB cap;
 *              1 parse the rest as a decompressed dir stream;
 *              2 compress the rest with a literal-only compressor (raw
 *                chunks for full 4096-byte chunks) and decompress it;
 *              3 scan the rest, cleaned to UTF-8, as VBA source;
 *              4 decompress the rest, then parse the output as a dir stream
 *   byte 1   parameter (mode 0: the small cap)
 *   rest     data, in an exactly-sized heap copy
 *
 * Invariants, a violation aborts: results are PN_OK, PN_EFORMAT or
 * PN_ELIMIT; the output is at most the cap, exactly the cap on
 * PN_ELIMIT, NULL exactly when empty; the capped output is a prefix of
 * the uncapped one; the literal round trip gives the input back; the dir
 * parser keeps at most PN_VBA_MAX_MODULES modules with NUL-terminated
 * names; the scan returns the number of items it listed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "vba.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_out(int rc, const uint8_t *out, size_t len, size_t cap)
{
	if ((rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT) || len > cap ||
	    (rc == PN_ELIMIT && len != cap) || (out == NULL) != (len == 0))
		PN_BUG("fuzz_vba: decompress result");
}

static void
dir(const uint8_t *d, size_t n)
{
	struct pn_vba_dir dd;
	unsigned i;
	int rc = pn_vba_parse_dir(d, n, &dd);

	if ((rc != PN_OK && rc != PN_EFORMAT && rc != PN_ELIMIT) || dd.nmodules > PN_VBA_MAX_MODULES)
		PN_BUG("fuzz_vba: dir result");
	for (i = 0; i < dd.nmodules; i++)
		if (memchr(dd.modules[i].name, 0, PN_VBA_MAX_NAME) == NULL ||
		    memchr(dd.modules[i].stream, 0, PN_VBA_MAX_NAME) == NULL)
			PN_BUG("fuzz_vba: module name not terminated");
	pn_vba_dir_release(&dd);
}

static void
decompress(const uint8_t *d, size_t n, size_t small)
{
	uint8_t *a, *b;
	size_t an, bn;
	int ra, rb;

	ra = pn_vba_decompress(d, n, small, &a, &an);
	check_out(ra, a, an, small);
	rb = pn_vba_decompress(d, n, 1 << 20, &b, &bn);
	check_out(rb, b, bn, 1 << 20);
	if (an > bn || (an && memcmp(a, b, an) != 0))
		PN_BUG("fuzz_vba: capped output is not a prefix");
	if (ra == PN_OK && (rb != PN_OK || an != bn))
		PN_BUG("fuzz_vba: complete output differs");
	free(a);
	free(b);
}

/* Literal-only compression: raw chunks, and literals for a last chunk of at most 3640 bytes. */
static void
roundtrip(const uint8_t *d, size_t n)
{
	uint8_t *c, *out;
	size_t o = 0, pos = 0, outlen, full = n / 4096 * 4096;
	int rc;

	if (n - full > 3640)
		n = full + 3640;
	c = malloc(1 + n + n / 8 + 2 * (n / 4096 + 1) + 8);
	c[o++] = 1;
	for (; pos < full; pos += 4096) {
		c[o++] = 0xFF;
		c[o++] = 0x3F;
		memcpy(c + o, d + pos, 4096);
		o += 4096;
	}
	if (pos < n) {
		size_t hdr = o, start;
		o += 2;
		start = o;
		while (pos < n) {
			size_t k = PN_MIN((size_t)8, n - pos);
			c[o++] = 0;
			memcpy(c + o, d + pos, k);
			o += k;
			pos += k;
		}
		c[hdr] = (uint8_t)(o - start - 1);
		c[hdr + 1] = (uint8_t)(0xB0 | (o - start - 1) >> 8);
	}
	rc = pn_vba_decompress(c, o, 1 << 20, &out, &outlen);
	if (rc != PN_OK || outlen != n || (n && memcmp(out, d, n) != 0))
		PN_BUG("fuzz_vba: literal round trip");
	free(out);
	free(c);
}

static void
analyze(const uint8_t *d, size_t n)
{
	/* (pn_utf8_clean() of 0 bytes returns an unterminated buffer: lib/buf.c) */
	char *text = n ? pn_utf8_clean((const char *)d, n) : pn_xstrdup("");
	struct json_object *m = json_object_new_object(), *v;
	const char *keys[] = { "auto_exec", "suspicious", "patterns" };
	size_t k, listed = 0;
	int found = pn_vba_analyze(text, strlen(text), m, NULL);

	for (k = 0; k < PN_ARRAY_LEN(keys); k++) {
		if (!json_object_object_get_ex(m, keys[k], &v) || !json_object_is_type(v, json_type_array))
			PN_BUG("fuzz_vba: missing list");
		listed += json_object_array_length(v);
	}
	if (found < 0 || (size_t)found < listed)
		PN_BUG("fuzz_vba: scan count");
	json_object_put(m);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *d, *out;
	size_t n, outlen;

	if (size < 2)
		return 0;
	n = size - 2;
	d = malloc(n ? n : 1);
	memcpy(d, data + 2, n);
	switch (data[0] % 5) {
	case 0:
		decompress(d, n, ((size_t)data[1] + 1) * 64);
		break;
	case 1:
		dir(d, n);
		break;
	case 2:
		roundtrip(d, n);
		break;
	case 3:
		analyze(d, n);
		break;
	case 4:
		pn_vba_decompress(d, n, PN_VBA_MAX_DIR, &out, &outlen);
		dir(out, outlen);
		free(out);
		break;
	}
	free(d);
	return 0;
}
