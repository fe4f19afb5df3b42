/*
 * fuzz_url.c - fuzz target for the URL parser and canonicaliser
 * (net/url.c).
 *
 * Input layout: the whole input is the URL text (any bytes; it ends at
 * the first NUL), handed over in an exactly-sized heap copy.  It is parsed
 * with and without PN_URL_ANY_SCHEME and decoded as a base64url id.
 * Checked for every accepted URL: the canonical form is printable ASCII,
 * starts with "<scheme>://", holds the host, port and path as parsed;
 * the host is lower-case ASCII within PN_URL_MAX_HOST, an IP literal
 * re-parses with inet_pton; the path starts with '/' and has no dot
 * segments; parsing the canonical form again gives exactly the same
 * canonical form (idempotence).  A refused URL leaves the struct zeroed
 * with a reason.  A violation aborts (PN_BUG).
 * Seeds: tests/fuzz/corpus/url/ (tests/fuzz/make-seeds-url.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "url.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			PN_BUG("fuzz_url: canonical URL with a space, control or non-ASCII byte");
}

static void
check_host(const struct pn_url *u)
{
	unsigned char a[16];
	const char *p;

	if (u->host == NULL || u->host[0] == '\0')
		PN_BUG("fuzz_url: empty host accepted");
	if (u->host_ip == 4 && inet_pton(AF_INET, u->host, a) != 1)
		PN_BUG("fuzz_url: host_ip 4 but not an IPv4 address");
	if (u->host_ip == 6 && inet_pton(AF_INET6, u->host, a) != 1)
		PN_BUG("fuzz_url: host_ip 6 but not an IPv6 address");
	if (u->host_ip != 0)
		return;
	if (strlen(u->host) > PN_URL_MAX_HOST)
		PN_BUG("fuzz_url: host over PN_URL_MAX_HOST");
	for (p = u->host; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.'))
			PN_BUG("fuzz_url: host name with a character outside [a-z0-9-_.]");
	if (u->host[0] == '.' || strstr(u->host, "..") != NULL ||
	    u->host[strlen(u->host) - 1] == '.')
		PN_BUG("fuzz_url: empty label in host");
}

static void
check_path(const char *path)
{
	size_t n = strlen(path);

	if (path[0] != '/')
		PN_BUG("fuzz_url: path not starting with '/'");
	if (strstr(path, "/./") != NULL || strstr(path, "/../") != NULL ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0))
		PN_BUG("fuzz_url: dot segment left in path");
}

static void
check_ok(const struct pn_url *u, unsigned flags)
{
	struct pn_url v;
	char err[200];
	size_t sl;

	if (u->canonical == NULL || u->scheme == NULL || u->path == NULL)
		PN_BUG("fuzz_url: accepted URL with a missing part");
	check_ascii(u->canonical);
	sl = strlen(u->scheme);
	if (strncmp(u->canonical, u->scheme, sl) != 0 || strncmp(u->canonical + sl, "://", 3) != 0)
		PN_BUG("fuzz_url: canonical does not start with scheme://");
	if (!(flags & PN_URL_ANY_SCHEME) && strcmp(u->scheme, "http") != 0 &&
	    strcmp(u->scheme, "https") != 0)
		PN_BUG("fuzz_url: scheme other than http(s) accepted");
	if (u->port < 0 || u->port > 65535 || (u->port == 0 && !(flags & PN_URL_ANY_SCHEME)))
		PN_BUG("fuzz_url: port out of range");
	check_host(u);
	check_path(u->path);
	if (strstr(u->canonical, u->host) == NULL || strstr(u->canonical, u->path) == NULL)
		PN_BUG("fuzz_url: host or path missing from the canonical form");
	if (pn_url_parse_flags(u->canonical, flags, &v, err, sizeof(err)) != PN_OK)
		PN_BUG("fuzz_url: canonical form refused when parsed again");
	if (strcmp(v.canonical, u->canonical) != 0 || strcmp(v.host, u->host) != 0 ||
	    v.port != u->port || v.host_ip != u->host_ip)
		PN_BUG("fuzz_url: canonical form not stable");
	pn_url_free(&v);
}

static void
run(const char *s, unsigned flags)
{
	struct pn_url u;
	char err[200];
	int rc = pn_url_parse_flags(s, flags, &u, err, sizeof(err));

	if (rc == PN_OK) {
		check_ok(&u, flags);
		pn_url_free(&u);
		return;
	}
	if (rc != PN_EINVAL || err[0] == '\0')
		PN_BUG("fuzz_url: refusal without PN_EINVAL and a reason");
	if (u.canonical != NULL || u.host != NULL || u.scheme != NULL)
		PN_BUG("fuzz_url: struct not zeroed after a refusal");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = pn_xmalloc(size + 1), *raw = NULL, hex[65];

	memcpy(s, data, size);
	s[size] = '\0';
	run(s, 0);
	run(s, PN_URL_ANY_SCHEME);
	if (pn_url_id_from_b64(s, &raw) == PN_OK) {
		struct pn_url u;
		if (pn_url_parse(raw, &u, NULL, 0) != PN_OK)
			PN_BUG("fuzz_url: pn_url_id_from_b64 gave an unparsable URL");
		pn_url_free(&u);
		free(raw);
		if (pn_url_id_resolve(s, hex) != PN_OK || strlen(hex) != 64)
			PN_BUG("fuzz_url: b64 id decodes but does not resolve");
	}
	free(s);
	return 0;
}
