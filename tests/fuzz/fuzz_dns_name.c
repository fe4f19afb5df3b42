/*
 * fuzz_dns_name.c - fuzz target for the name and IP literal helpers
 * (net/domain.c).
 *
 * Input layout: the whole input, cut at the first NUL, is the name.  Seeds
 * (tests/fuzz/corpus/dns_name/, written by tests/fuzz/make-seeds-dns.sh)
 * are host names, DNS names, IPv4/IPv6 literals, reverse names and
 * invalid ones.
 *
 * Invariants, each a PN_BUG() when broken:
 *  - a name that normalises is valid, lower-case, at most 253 characters
 *    and normalises to itself; HOSTNAME-valid implies DNS-valid;
 *  - an IP literal normalises to a form that parses to the same bytes and
 *    normalises to itself; its reverse name maps back to that form;
 *  - a reverse name that maps to an IP maps back to the same reverse
 *    name (ignoring case and a trailing dot);
 *  - registrable domain / public suffix / TLD of a valid name are valid
 *    DNS names and suffixes of the normalised name.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "domain.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return b <= a && strcmp(s + a - b, suffix) == 0 &&
	    (a == b || s[a - b - 1] == '.');
}

static void
check_name(const char *s)
{
	char norm[PN_DOMAIN_BUF], again[PN_DOMAIN_BUF], part[PN_DOMAIN_BUF];
	size_t i;

	if (pn_domain_check(s, PN_DOMAIN_HOSTNAME) == PN_OK &&
	    pn_domain_check(s, PN_DOMAIN_DNS) != PN_OK)
		PN_BUG("host name but not a DNS name");
	if (pn_domain_normalize(s, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK)
		return;
	if (strlen(norm) > PN_DOMAIN_NAME_MAX)
		PN_BUG("normalised name too long");
	for (i = 0; norm[i] != '\0'; i++)
		if (norm[i] >= 'A' && norm[i] <= 'Z')
			PN_BUG("normalised name not lower-case");
	if (pn_domain_normalize(norm, PN_DOMAIN_DNS, again, sizeof(again)) != PN_OK ||
	    strcmp(norm, again) != 0)
		PN_BUG("normalisation not idempotent");
	if (pn_domain_registrable(norm, part, sizeof(part)) == PN_OK &&
	    (!ends_with(norm, part) || pn_domain_check(part, PN_DOMAIN_DNS) != PN_OK))
		PN_BUG("registrable domain is not a suffix");
	if (pn_domain_public_suffix(norm, part, sizeof(part)) == PN_OK && !ends_with(norm, part))
		PN_BUG("public suffix is not a suffix");
	if (pn_domain_tld(norm, part, sizeof(part)) != PN_OK || !ends_with(norm, part) ||
	    strchr(part, '.') != NULL)
		PN_BUG("bad tld");
}

static void
check_ip(const char *s)
{
	char norm[PN_IP_TEXT_MAX], again[PN_IP_TEXT_MAX], rev[PN_REVERSE_NAME_MAX];
	uint8_t a[16], b[16];
	int fa, fb;

	if (pn_ip_parse(s, &fa, a) != PN_OK)
		return;
	if (pn_ip_normalize(s, norm, sizeof(norm)) != PN_OK)
		PN_BUG("parsed IP does not normalise");
	if (pn_ip_parse(norm, &fb, b) != PN_OK || fa != fb ||
	    memcmp(a, b, fa == 4 ? 4 : 16) != 0)
		PN_BUG("normalised IP differs");
	if (pn_ip_normalize(norm, again, sizeof(again)) != PN_OK || strcmp(norm, again) != 0)
		PN_BUG("IP normalisation not idempotent");
	if (pn_ip_reverse_name(norm, rev, sizeof(rev)) != PN_OK)
		PN_BUG("no reverse name");
	if (pn_domain_check(rev, PN_DOMAIN_DNS) != PN_OK)
		PN_BUG("reverse name invalid");
	if (pn_ip_from_reverse_name(rev, again, sizeof(again)) != PN_OK ||
	    strcmp(again, norm) != 0)
		PN_BUG("reverse name does not map back");
}

static void
check_reverse(const char *s)
{
	char ip[PN_IP_TEXT_MAX], rev[PN_REVERSE_NAME_MAX], norm[PN_DOMAIN_BUF];

	if (pn_ip_from_reverse_name(s, ip, sizeof(ip)) != PN_OK)
		return;
	if (pn_ip_reverse_name(ip, rev, sizeof(rev)) != PN_OK)
		PN_BUG("IP from a reverse name has no reverse name");
	if (pn_domain_normalize(s, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK ||
	    strcmp(norm, rev) != 0)
		PN_BUG("reverse name round trip differs");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size > PN_DOMAIN_INPUT_MAX + 8 ? PN_DOMAIN_INPUT_MAX + 8 : size;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	check_name(s);
	check_ip(s);
	check_reverse(s);
	free(s);
	return 0;
}
