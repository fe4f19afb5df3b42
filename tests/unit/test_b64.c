/*
 * test_b64.c - base64 (lib/b64.c): RFC 4648 §10 vectors in both dialects,
 * VT-style ids, round trips of generated data, padding rules, malformed
 * input, exact-size buffers (ASan catches any overrun) and a mutation loop.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "b64.h"
#include "tap.h"

#include <stdint.h>

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t
rng(void)
{
	/* splitmix64: fixed seed, same data every run */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Encode into an exactly sized heap buffer; caller frees. */
static char *
enc(const void *in, size_t n, int dialect)
{
	size_t cap = pn_b64_encoded_len(n) + 1;
	char *out = pn_xmalloc(cap);

	if (pn_b64_encode(in, n, out, cap, dialect) != PN_OK) {
		free(out);
		return NULL;
	}
	return out;
}

/* Decode s into an exactly sized heap buffer; returns the PN_ code. */
static int
dec(const char *s, int dialect, uint8_t **out, size_t *outlen)
{
	size_t n = strlen(s), cap = pn_b64_decoded_max(n);
	int rc;

	*out = pn_xmalloc(cap);
	rc = pn_b64_decode(s, n, *out, cap, outlen, dialect);
	return rc;
}

static void
check_decodes_to(const char *s, int dialect, const char *want)
{
	uint8_t *out;
	size_t len = 99;
	int rc = dec(s, dialect, &out, &len);

	ok(rc == PN_OK && len == strlen(want) && memcmp(out, want, len) == 0,
	    "decode %s \"%s\" -> \"%s\"", dialect ? "url" : "std", s, want);
	if (rc != PN_OK)
		diag("rc %d (%s)", rc, pn_strerror(rc));
	free(out);
}

/* s[0..n) printable for a test name: other bytes as \xNN. */
static const char *
shown(const char *s, size_t n)
{
	static char out[256];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

static void
check_rejects(const char *s, size_t n, int dialect, int want)
{
	uint8_t out[64];
	size_t len = 99;
	int rc = pn_b64_decode(s, n, out, sizeof(out), &len, dialect);

	ok(rc == want && len == 0, "decode %s rejects \"%s\" with %d",
	    dialect ? "url" : "std", shown(s, n), want);
	if (rc != want)
		diag("got %d", rc);
}

static void
test_rfc4648(void)
{
	static const struct { const char *in, *std, *url; } v[] = {
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	};

	for (size_t i = 0; i < PN_ARRAY_LEN(v); i++) {
		char *s = enc(v[i].in, strlen(v[i].in), PN_B64_STD);
		char *u = enc(v[i].in, strlen(v[i].in), PN_B64_URL);
		is_str(s, v[i].std, "encode std \"%s\"", v[i].in);
		is_str(u, v[i].url, "encode url \"%s\"", v[i].in);
		is_int(pn_b64_encoded_len(strlen(v[i].in)), strlen(v[i].std),
		    "encoded_len(%zu)", strlen(v[i].in));
		check_decodes_to(v[i].std, PN_B64_STD, v[i].in);
		check_decodes_to(v[i].url, PN_B64_URL, v[i].in);
		check_decodes_to(v[i].std, PN_B64_URL, v[i].in);
		free(s);
		free(u);
	}
}

static void
test_alphabets(void)
{
	static const uint8_t hi[] = { 0xfb, 0xff, 0xbf };
	char *s = enc(hi, 3, PN_B64_STD), *u = enc(hi, 3, PN_B64_URL);

	is_str(s, "+/+/", "std alphabet uses + and /");
	is_str(u, "-_-_", "url alphabet uses - and _");
	free(s);
	free(u);
	s = enc(hi, 2, PN_B64_STD);
	u = enc(hi, 2, PN_B64_URL);
	is_str(s, "+/8=", "std 2 bytes padded");
	is_str(u, "-_8", "url 2 bytes unpadded");
	free(s);
	free(u);
	check_rejects("+/8=", 4, PN_B64_URL, PN_EFORMAT);
	check_rejects("-_8=", 4, PN_B64_STD, PN_EFORMAT);
}

static void
test_vt_ids(void)
{
	const char *aid = "66424e91c022a925c46565d3ace31ffb:1475048277";
	const char *url = "http://www.somedomain.com/this/is/my/url";
	char *s = enc(aid, strlen(aid), PN_B64_STD);
	char *u = enc(url, strlen(url), PN_B64_URL);

	is_str(s, "NjY0MjRlOTFjMDIyYTkyNWM0NjU2NWQzYWNlMzFmZmI6MTQ3NTA0ODI3Nw==",
	    "VT analysis id");
	is_str(u, "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA",
	    "VT URL id (no padding)");
	check_decodes_to(s, PN_B64_STD, aid);
	check_decodes_to(u, PN_B64_URL, url);
	check_decodes_to("aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA==",
	    PN_B64_URL, url);
	check_decodes_to("aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA=",
	    PN_B64_URL, url);
	check_decodes_to("aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA===",
	    PN_B64_URL, url);
	free(s);
	free(u);
}

static void
test_malformed(void)
{
	/* std: length, padding position and count, canonical bits */
	check_rejects("Zg=", 3, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zg", 2, PN_B64_STD, PN_EFORMAT);
	check_rejects("Z===", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("====", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zg=a", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Z=g=", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zh==", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm9=", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm9vZg==Zm9v", 12, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm9v\n", 5, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm9v Zm9v", 9, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm\0v", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm\xc3\xa9", 4, PN_B64_STD, PN_EFORMAT);
	check_rejects("Zm.v", 4, PN_B64_STD, PN_EFORMAT);
	/* url: impossible lengths, '=' inside, bad characters */
	check_rejects("Z", 1, PN_B64_URL, PN_EFORMAT);
	check_rejects("Zm9vY", 5, PN_B64_URL, PN_EFORMAT);
	check_rejects("Z===", 4, PN_B64_URL, PN_EFORMAT);
	check_rejects("Z=g", 3, PN_B64_URL, PN_EFORMAT);
	check_rejects("Zm9v=Zm9v", 9, PN_B64_URL, PN_EFORMAT);
	check_rejects("Zm9v\r\n", 6, PN_B64_URL, PN_EFORMAT);
	check_rejects("Zm%2", 4, PN_B64_URL, PN_EFORMAT);
	/* url tolerates padding and non-canonical bits */
	check_decodes_to("", PN_B64_URL, "");
	check_decodes_to("==", PN_B64_URL, "");
	check_decodes_to("Zh", PN_B64_URL, "f");
	check_decodes_to("Zm9vYg=", PN_B64_URL, "foob");
	/* unknown dialect */
	check_rejects("Zm9v", 4, 7, PN_EINVAL);
}

static void
test_bounds(void)
{
	uint8_t out[8];
	char s[16];
	size_t len = 99;

	is_int(pn_b64_decode("Zm9vYmFy", 8, out, 5, &len, PN_B64_STD),
	    PN_ELIMIT, "decode into a buffer one byte short");
	is_int(len, 0, "no length on PN_ELIMIT");
	is_int(pn_b64_decode("Zm9vYmFy", 8, out, 6, &len, PN_B64_STD),
	    PN_OK, "decode into an exact buffer");
	is_int(pn_b64_decode("Zm9vYg", 6, NULL, 0, &len, PN_B64_URL),
	    PN_ELIMIT, "decode with no buffer");
	is_int(pn_b64_encode("foob", 4, s, 8, PN_B64_STD), PN_ELIMIT,
	    "encode without room for the NUL");
	is_str(s, "", "output emptied on PN_ELIMIT");
	is_int(pn_b64_encode("foob", 4, s, 9, PN_B64_STD), PN_OK,
	    "encode with exact room");
	is_int(pn_b64_encode("foob", 4, s, 7, PN_B64_URL), PN_OK,
	    "url encode needs only 6 + NUL");
	is_int(pn_b64_encode("foob", 4, s, 6, PN_B64_URL), PN_ELIMIT,
	    "url encode one short");
	is_int(pn_b64_encode("foob", 4, s, sizeof(s), 3), PN_EINVAL,
	    "encode with unknown dialect");
	is_int(pn_b64_encoded_len(SIZE_MAX), 0, "encoded_len(SIZE_MAX) refuses");
	is_int(pn_b64_encoded_len(SIZE_MAX / 4 * 3 + 1), 0,
	    "encoded_len refuses when the NUL would not fit");
	ok(pn_b64_encoded_len(SIZE_MAX / 4 * 3) == SIZE_MAX - 3,
	    "encoded_len of the largest accepted size fits with its NUL");
	is_int(pn_b64_encode("x", SIZE_MAX, s, sizeof(s), PN_B64_STD),
	    PN_ELIMIT, "encode of an impossible size refuses before reading");
	ok(pn_b64_decoded_max(SIZE_MAX) >= SIZE_MAX / 4 * 3 &&
	    pn_b64_decoded_max(SIZE_MAX) < SIZE_MAX, "decoded_max(SIZE_MAX) no overflow");
}

static void
test_round_trips(void)
{
	uint8_t in[300];
	int bad = 0, checked = 0;

	for (size_t n = 0; n <= sizeof(in); n++) {
		for (int rep = 0; rep < 4; rep++) {
			for (size_t i = 0; i < n; i++)
				in[i] = (uint8_t)rng();
			for (int d = PN_B64_STD; d <= PN_B64_URL; d++) {
				char *s = enc(in, n, d);
				uint8_t *out;
				size_t len;
				int rc = s ? dec(s, d, &out, &len) : -99;
				if (s == NULL || rc != PN_OK || len != n ||
				    memcmp(in, out, n) != 0 ||
				    (d == PN_B64_STD && strlen(s) != pn_b64_encoded_len(n)) ||
				    strlen(s) % 4 == 1)
					bad++;
				checked++;
				if (s != NULL)
					free(out);
				free(s);
			}
		}
	}
	ok(bad == 0, "%d random round trips (lengths 0..300, both dialects)", checked);
	if (bad)
		diag("%d failed", bad);

	/* Every 1- and 2-byte input in both dialects. */
	bad = 0;
	for (unsigned v = 0; v < 65536 + 256; v++) {
		uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
		size_t n = v < 256 ? 1 : 2;
		for (int d = PN_B64_STD; d <= PN_B64_URL; d++) {
			char s[8];
			uint8_t out[2];
			size_t len;
			if (pn_b64_encode(b, n, s, sizeof(s), d) != PN_OK ||
			    pn_b64_decode(s, strlen(s), out, n, &len, d) != PN_OK ||
			    len != n || memcmp(b, out, n) != 0)
				bad++;
		}
	}
	ok(bad == 0, "all 1- and 2-byte inputs round trip");
}

/*
 * Random strings over the alphabet plus '=' and junk: decoding never
 * writes past an exact-size buffer, and whatever std accepts re-encodes to
 * the same string (one encoding per byte string).
 */
static void
test_mutations(void)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_== \n.";
	int accepted[2] = { 0, 0 }, bad = 0;

	for (int it = 0; it < 20000; it++) {
		char s[24];
		size_t n = rng() % sizeof(s);
		for (size_t i = 0; i < n; i++)
			s[i] = chars[rng() % (sizeof(chars) - 1)];
		for (int d = PN_B64_STD; d <= PN_B64_URL; d++) {
			size_t cap = pn_b64_decoded_max(n), len;
			uint8_t *out = pn_xmalloc(cap);
			int rc = pn_b64_decode(s, n, out, cap, &len, d);
			if (rc == PN_OK) {
				char *re = enc(out, len, d);
				accepted[d]++;
				if (d == PN_B64_STD && (re == NULL ||
				    strlen(re) != n || memcmp(re, s, n) != 0))
					bad++;
				free(re);
			} else if (rc != PN_EFORMAT) {
				bad++;
			}
			free(out);
		}
	}
	ok(bad == 0, "mutation loop: %d std and %d url strings accepted, "
	    "std ones canonical", accepted[0], accepted[1]);
	ok(accepted[0] > 0 && accepted[1] > accepted[0],
	    "mutation loop reaches both accept paths");
}

int
main(void)
{
	test_rfc4648();
	test_alphabets();
	test_vt_ids();
	test_malformed();
	test_bounds();
	test_round_trips();
	test_mutations();
	return done_testing();
}
