/*
 * fuzz_fakenet.c - fuzz target for the sandbox fake network's parsers of
 * what a sample sends (sandbox/fakenet.c): DNS queries, HTTP request heads
 * and TLS ClientHello records.
 *
 * Input layout: byte 0 % 3 picks the parser (0 DNS, 1 HTTP, 2 TLS); the
 * rest is the datagram or first bytes of the stream, in an exactly-sized
 * heap copy.  Checked: DNS names fit PN_SBX_DNS_NAME_MAX and the question
 * ends inside the input, the reply fits its buffer and starts with the
 * question; HTTP heads end inside the input and keep at most the header
 * slots; SNI strings fit their buffer.  A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/fakenet/ (tests/fuzz/make-seeds-fakenet.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "sbx_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_dns(const uint8_t *p, size_t n)
{
	char name[PN_SBX_DNS_NAME_MAX + 2];
	uint8_t out[600];
	uint16_t qt;
	size_t qend, rl;

	if (sbx_dns_parse_query(p, n, name, sizeof(name), &qt, &qend) != PN_OK)
		return;
	if (qend > n || qend < 17 || strlen(name) > PN_SBX_DNS_NAME_MAX)
		PN_BUG("fuzz_fakenet: dns question out of bounds");
	rl = sbx_dns_build_reply(p, qend, name, qt, 0x01020304, out, sizeof(out));
	if (rl > sizeof(out) || (rl != 0 && (rl < qend || memcmp(out + 12, p + 12, qend - 12) != 0)))
		PN_BUG("fuzz_fakenet: dns reply malformed");
}

static void
fuzz_http(const uint8_t *p, size_t n)
{
	struct sbx_http_req *r = malloc(sizeof(*r));
	size_t i;

	if (r == NULL)
		return;
	if (sbx_http_parse(p, n, r) == PN_OK) {
		if (r->head_len == 0 || r->head_len > n || r->nhdr > PN_ARRAY_LEN(r->hdr) ||
		    strlen(r->method) >= sizeof(r->method) || strlen(r->target) >= sizeof(r->target) ||
		    strlen(r->host) >= sizeof(r->host))
			PN_BUG("fuzz_fakenet: http head out of bounds");
		for (i = 0; i < r->nhdr; i++)
			if (strlen(r->hdr[i].name) >= sizeof(r->hdr[i].name) ||
			    strlen(r->hdr[i].value) >= sizeof(r->hdr[i].value))
				PN_BUG("fuzz_fakenet: http header out of bounds");
	}
	free(r);
}

static void
fuzz_tls(const uint8_t *p, size_t n)
{
	char sni[64];
	int rc = sbx_tls_sni(p, n, sni, sizeof(sni));

	if (rc == PN_OK && strlen(sni) >= sizeof(sni))
		PN_BUG("fuzz_fakenet: sni out of bounds");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p;

	if (size < 1)
		return 0;
	p = malloc(size - 1 ? size - 1 : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0: fuzz_dns(p, size - 1); break;
	case 1: fuzz_http(p, size - 1); break;
	default: fuzz_tls(p, size - 1); break;
	}
	free(p);
	return 0;
}
