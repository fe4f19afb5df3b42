/*
 * fuzz_whois.c - fuzz target for the WHOIS text parser, referral finder
 * and date parser (net/whois.c).
 *
 * Input layout: the whole input is one WHOIS answer.  Seeds
 * (tests/fuzz/corpus/whois/, written by tests/fuzz/make-seeds-whois.sh) are
 * registry, registrar, IANA, ARIN, RIPE and Nominet-style answers plus
 * broken ones; tests/fuzz/whois.dict holds field names.
 *
 * The parser gets an exactly-sized heap copy.  Invariants, each a PN_BUG()
 * when broken:
 *  - every text field is NUL-terminated inside its array and valid UTF-8
 *    without control characters;
 *  - at most PN_WHOIS_MAX_NS name servers, each a valid lower-case host
 *    name, no duplicates;
 *  - parsing again into the filled result changes nothing (first value
 *    wins), and a fresh parse gives the same result (deterministic);
 *  - a referral, when found, is a valid host name or IP literal with a
 *    port in 1..65535;
 *  - pn_whois_parse_date on the first line returns PN_OK or PN_EFORMAT.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "domain.h"
#include "utf8.h"
#include "whois.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i = 0;

	if (n >= cap)
		PN_BUG("field not NUL-terminated");
	while (i < n) {
		size_t l = pn_utf8_seq((const unsigned char *)s + i, n - i);

		if (l == 0)
			PN_BUG("field is not valid UTF-8");
		if (l == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))
			PN_BUG("control character in a field");
		i += l;
	}
}

static void
check_result(const struct pn_whois_result *r)
{
	size_t i, j;

	check_text(r->registrar, sizeof(r->registrar));
	check_text(r->registrant_country, sizeof(r->registrant_country));
	check_text(r->network, sizeof(r->network));
	check_text(r->netname, sizeof(r->netname));
	check_text(r->country, sizeof(r->country));
	check_text(r->rir, sizeof(r->rir));
	if (r->n_name_servers > PN_WHOIS_MAX_NS)
		PN_BUG("too many name servers");
	for (i = 0; i < r->n_name_servers; i++) {
		const char *ns = r->name_servers[i];

		check_text(ns, PN_WHOIS_FIELD_MAX);
		if (pn_domain_check(ns, PN_DOMAIN_HOSTNAME) != PN_OK)
			PN_BUG("invalid name server kept");
		for (j = 0; ns[j] != '\0'; j++)
			if (ns[j] >= 'A' && ns[j] <= 'Z')
				PN_BUG("name server not lower-case");
		for (j = 0; j < i; j++)
			if (strcmp(ns, r->name_servers[j]) == 0)
				PN_BUG("duplicate name server");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_whois_result *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char *copy = malloc(size ? size : 1), host[PN_DOMAIN_BUF], line[80];
	const char *nl;
	int port = 0, rc;
	size_t n;
	int64_t t;

	if (a == NULL || b == NULL || copy == NULL)
		abort();
	memcpy(copy, data, size);
	rc = pn_whois_parse(copy, size, a);
	if (rc < 0)
		PN_BUG("negative field count");
	check_result(a);
	pn_whois_parse(copy, size, b);
	if (memcmp(a, b, sizeof(*a)) != 0)
		PN_BUG("parse is not deterministic");
	pn_whois_parse(copy, size, b);
	if (memcmp(a, b, sizeof(*a)) != 0)
		PN_BUG("second parse changed a set field");

	rc = pn_whois_referral(copy, size, host, sizeof(host), &port);
	if (rc == PN_OK) {
		uint8_t ip[16];
		int fam;

		if (port < 1 || port > 65535)
			PN_BUG("referral port out of range");
		if (pn_domain_check(host, PN_DOMAIN_HOSTNAME) != PN_OK &&
		    pn_ip_parse(host, &fam, ip) != PN_OK)
			PN_BUG("referral host invalid");
	} else if (rc != PN_ENOTFOUND) {
		PN_BUG("unexpected referral result");
	}

	nl = memchr(copy, '\n', size);
	n = nl != NULL ? (size_t)(nl - copy) : size;
	n = PN_MIN(n, sizeof(line) - 1);
	memcpy(line, copy, n);
	line[n] = '\0';
	rc = pn_whois_parse_date(line, &t);
	if (rc != PN_OK && rc != PN_EFORMAT)
		PN_BUG("unexpected date result");
	free(copy);
	free(a);
	free(b);
	return 0;
}
