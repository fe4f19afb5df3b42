/*
 * fuzz_feeds.c - fuzz target for the URL/domain/IP blocklist feed parsers
 * (engines/net_blocklist.c: pn_netfeed_parse and pn_netfeed_match).
 *
 * Input layout: byte 0 = feed format (mod PN_NETFEED__COUNT: 0 auto,
 * 1 urls, 2 urlhaus, 3 openphish, 4 phishtank, 5 domains, 6 hosts,
 * 7 cidr), then the feed file (any bytes), handed over in an exactly-sized
 * heap copy so ASan sees a read past its end.  Checked: parsing succeeds or
 * hits the entry limit; the counters are consistent (entries + duplicates
 * + malformed never exceed what the lines allow, the format is decided);
 * in a plain URL list every line whose first token pn_url_parse() accepts
 * is found again by lookup; the first lines of the input are also looked
 * up as URL, domain and IP targets in the feed (results must be
 * well-formed).  A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/feeds/ (tests/fuzz/make-seeds-feeds.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "netengine.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ENTRIES 2000     /* small, so PN_ELIMIT is reachable */
#define FUZZ_LOOKUP_LINES 16      /* lines of the input looked up as targets */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_hit(const struct pn_netfeed_hit *hit)
{
	if (hit->how == NULL || hit->label == NULL || hit->label[0] == '\0')
		PN_BUG("fuzz_feeds: hit without how or label");
	if (hit->entry != NULL && strlen(hit->entry) > 2 * PN_NETFEED_MAX_LINE)
		PN_BUG("fuzz_feeds: over-long entry");
}

/* Line k of text[0..n) into buf (NUL-terminated, CR dropped); 0 past the end. */
static int
nth_line(const char *text, size_t n, size_t k, char *buf, size_t cap, size_t *pos)
{
	const char *nl;
	size_t len;

	(void)k;
	if (*pos >= n)
		return 0;
	nl = memchr(text + *pos, '\n', n - *pos);
	len = nl ? (size_t)(nl - (text + *pos)) : n - *pos;
	if (len > 0 && text[*pos + len - 1] == '\r')
		len--;
	if (len >= cap || memchr(text + *pos, '\0', len) != NULL) {
		buf[0] = '\0';
	} else {
		memcpy(buf, text + *pos, len);
		buf[len] = '\0';
	}
	*pos += nl ? (size_t)(nl - (text + *pos)) + 1 : n - *pos;
	return 1;
}

/* Look the line up as a URL, a domain and an IP. */
static void
lookups(const struct pn_netfeed *f, const char *line)
{
	struct pn_netfeed_hit hit;
	struct pn_net_target t;
	struct pn_url u;
	char tok[PN_NETFEED_MAX_LINE + 1];
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t;,");
	memcpy(tok, line, n);
	tok[n] = '\0';
	memset(&u, 0, sizeof(u));
	if (pn_url_parse(tok, &u, NULL, 0) == PN_OK) {
		pn_net_target_url(&t, &u);
		if (pn_netfeed_match(f, &t, &hit))
			check_hit(&hit);
	}
	pn_url_free(&u);
	pn_net_target_domain(&t, tok);
	if (pn_netfeed_match(f, &t, &hit))
		check_hit(&hit);
	pn_net_target_ip(&t, tok);
	if (pn_netfeed_match(f, &t, &hit))
		check_hit(&hit);
}

/* Plain URL list: every parsable first token must be listed. */
static void
urls_roundtrip(const struct pn_netfeed *f, const char *text, size_t n)
{
	char *line = malloc(PN_NETFEED_MAX_LINE + 1);
	size_t pos = 0, k = 0;

	if (line == NULL)
		abort();
	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (nth_line(text, n, k++, line, PN_NETFEED_MAX_LINE + 1, &pos)) {
		struct pn_netfeed_hit hit;
		struct pn_net_target t;
		struct pn_url u;
		char *s = line + strspn(line, " \t");
		size_t tn = strcspn(s, " \t");

		if (*s == '\0' || *s == '#' || *s == '!')
			continue;
		s[tn] = '\0';
		memset(&u, 0, sizeof(u));
		if (pn_url_parse(s, &u, NULL, 0) == PN_OK) {
			pn_net_target_url(&t, &u);
			if ((t.domain != NULL || t.ip != NULL) && !pn_netfeed_match(f, &t, &hit))
				PN_BUG("fuzz_feeds: a listed URL is not found");
		}
		pn_url_free(&u);
	}
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_netfeed *f;
	struct pn_netfeed_stats st;
	enum pn_netfeed_format fmt;
	char *text, *line;
	size_t n, pos = 0, k = 0;
	int rc;

	if (size < 1)
		return 0;
	fmt = (enum pn_netfeed_format)(data[0] % PN_NETFEED__COUNT);
	n = size - 1;
	text = malloc(n ? n : 1);
	line = malloc(PN_NETFEED_MAX_LINE + 1);
	if (text == NULL || line == NULL)
		abort();
	memcpy(text, data + 1, n);
	f = pn_netfeed_new(fmt, FUZZ_MAX_ENTRIES);
	rc = pn_netfeed_parse(f, text, n);
	if (rc != PN_OK && rc != PN_ELIMIT)
		PN_BUG("fuzz_feeds: unexpected parse result");
	pn_netfeed_get_stats(f, &st);
	if (st.format == PN_NETFEED_AUTO || st.entries > FUZZ_MAX_ENTRIES ||
	    (st.format == PN_NETFEED_CIDR && st.entries + st.malformed > st.lines) ||
	    (st.format == PN_NETFEED_URLS && st.entries + st.duplicates + st.malformed > st.lines))
		PN_BUG("fuzz_feeds: inconsistent counters");
	if (rc == PN_OK && st.format == PN_NETFEED_URLS)
		urls_roundtrip(f, text, n);
	while (k < FUZZ_LOOKUP_LINES && nth_line(text, n, k, line, PN_NETFEED_MAX_LINE + 1, &pos)) {
		lookups(f, line);
		k++;
	}
	pn_netfeed_free(f);
	free(line);
	free(text);
	return 0;
}
