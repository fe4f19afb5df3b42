/*
 * fuzz_ioc.c - fuzz target for the indicator scanner and recognisers
 * (parsers/ioc.c).
 *
 * Input layout: the whole input is the text (any bytes), handed to
 * pn_ioc_scan() in an exactly-sized heap copy so ASan sees a read past
 * its end.  Checked for every finding: the value is non-empty, within its
 * kind's limit and valid UTF-8 ASCII; it re-validates with its own
 * recogniser (URLs re-parse to exactly themselves, domains and IPv6 are
 * already normalised); a URL's host or an e-mail's domain follows its
 * URL or e-mail.  The whole input is also given to each recogniser
 * directly (domain, IPv4, IPv6, e-mail, URL), whose results must be
 * consistent with their return codes.  A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/ioc/ (tests/fuzz/make-seeds-strings.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "ioc.h"

#include <stdlib.h>

struct check {
	enum pn_ioc_kind last;   /* kind of the previous finding */
	char last_host[PN_IOC_MAX_URL + 1];
	size_t count;
};

static void
check_ascii(const char *v, size_t max)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > max)
		PN_BUG("fuzz_ioc: empty or over-long value");
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			PN_BUG("fuzz_ioc: value with a space, control or non-ASCII byte");
}

static int
on_ioc(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	struct check *c = ctx;
	char buf[PN_IOC_MAX_URL + 1];
	struct pn_ioc_url u;
	uint8_t a[16];
	size_t n = strlen(v);

	c->count++;
	switch (kind) {
	case PN_IOC_URL:
		check_ascii(v, PN_IOC_MAX_URL);
		if (pn_ioc_url(v, n, &u) != PN_OK || strcmp(u.url, v) != 0 || u.used != n)
			PN_BUG("fuzz_ioc: URL does not re-parse to itself");
		pn_strlcpy(c->last_host, u.host, sizeof(c->last_host));
		break;
	case PN_IOC_DOMAIN:
		check_ascii(v, PN_IOC_MAX_HOST);
		if (pn_ioc_domain(v, n, PN_IOC_F_CONTEXT, buf, sizeof(buf)) != PN_OK || strcmp(buf, v) != 0)
			PN_BUG("fuzz_ioc: domain does not re-validate");
		break;
	case PN_IOC_IPV4:
		check_ascii(v, 15);
		if (pn_ioc_ipv4(v, n, a) != PN_OK)
			PN_BUG("fuzz_ioc: IPv4 does not re-validate");
		break;
	case PN_IOC_IPV6:
		check_ascii(v, PN_IOC_MAX_IP - 1);
		if (pn_ioc_ipv6(v, n, a, buf, sizeof(buf)) != PN_OK || strcmp(buf, v) != 0)
			PN_BUG("fuzz_ioc: IPv6 not canonical");
		break;
	case PN_IOC_EMAIL:
		check_ascii(v, PN_IOC_MAX_EMAIL);
		if (pn_ioc_email(v, n, buf, sizeof(buf)) < 0 || strcmp(buf, v) != 0)
			PN_BUG("fuzz_ioc: e-mail does not re-validate");
		pn_strlcpy(c->last_host, strchr(v, '@') + 1, sizeof(c->last_host));
		break;
	default:
		PN_BUG("fuzz_ioc: unknown kind");
	}
	if (where == PN_IOC_IN_URL && (c->last != PN_IOC_URL || strcmp(c->last_host, v) != 0))
		PN_BUG("fuzz_ioc: URL host not right after its URL");
	if (where == PN_IOC_IN_EMAIL && (c->last != PN_IOC_EMAIL || kind != PN_IOC_DOMAIN ||
	    strcmp(c->last_host, v) != 0))
		PN_BUG("fuzz_ioc: e-mail domain not right after its e-mail");
	c->last = kind;
	return 0;
}

/* The recognisers on the whole input. */
static void
direct(const char *s, size_t n)
{
	char out[PN_IOC_MAX_URL + 1], again[PN_IOC_MAX_URL + 1];
	struct pn_ioc_url u;
	uint8_t a[16];
	int rc;

	rc = pn_ioc_domain(s, n, 0, out, sizeof(out));
	if (rc == PN_OK && (strlen(out) != n ||
	    pn_ioc_domain(out, n, PN_IOC_F_CONTEXT, again, sizeof(again)) != PN_OK))
		PN_BUG("fuzz_ioc: bare domain not a domain");
	rc = pn_ioc_ipv4(s, n, a);
	if (rc == PN_OK && (n < 7 || n > 15))
		PN_BUG("fuzz_ioc: odd IPv4 length");
	rc = pn_ioc_ipv6(s, n, a, out, sizeof(out));
	if (rc == PN_OK && strlen(out) >= PN_IOC_MAX_IP)
		PN_BUG("fuzz_ioc: IPv6 text too long");
	rc = pn_ioc_email(s, n, out, sizeof(out));
	if (rc >= 0 && strlen(out) != n)
		PN_BUG("fuzz_ioc: e-mail changed length");
	rc = pn_ioc_url(s, n, &u);
	if (u.used > n || (rc == PN_OK && (u.used == 0 || strlen(u.url) > PN_IOC_MAX_URL)))
		PN_BUG("fuzz_ioc: URL used more than it had");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check c;
	char *s = pn_xmalloc(size ? size : 1);

	memcpy(s, data, size);
	memset(&c, 0, sizeof(c));
	c.last = PN_IOC_NKINDS;
	if (pn_ioc_scan(s, size, on_ioc, &c) != 0)
		PN_BUG("fuzz_ioc: scan stopped by itself");
	if (size <= PN_IOC_MAX_URL + 16)
		direct(s, size);
	free(s);
	return 0;
}
