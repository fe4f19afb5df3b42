/*
 * domain.c - domain name and IP literal helpers (see domain.h).
 *
 * Validation is a single bounded pass over at most PN_DOMAIN_INPUT_MAX
 * bytes; IP literals go through inet_pton/inet_ntop only.  The libpsl
 * context is loaded once (pthread_once) and shared read-only; psl_latest
 * returns a context we own for the process lifetime, psl_builtin a static
 * one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "domain.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <pthread.h>
#include <string.h>

static int
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* Length of name without one trailing dot, or PN_EINVAL. */
static int
name_len(const char *name, size_t *len)
{
	size_t n;

	if (name == NULL)
		return PN_EINVAL;
	n = strnlen(name, PN_DOMAIN_INPUT_MAX + 1);
	if (n > PN_DOMAIN_INPUT_MAX)
		return PN_EINVAL;
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > PN_DOMAIN_NAME_MAX)
		return PN_EINVAL;
	*len = n;
	return PN_OK;
}

/* Check one label [s, s+n). */
static int
check_label(const char *s, size_t n, int flags, int *all_digits)
{
	size_t i;
	int digits = 1;

	if (n == 0 || n > PN_DOMAIN_LABEL_MAX)
		return PN_EINVAL;
	if (s[0] == '-' || s[n - 1] == '-')
		return PN_EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_ldh(c) && !(c == '_' && (flags & PN_DOMAIN_DNS)))
			return PN_EINVAL;
		if (c < '0' || c > '9')
			digits = 0;
	}
	*all_digits = digits;
	return PN_OK;
}

int
pn_domain_check(const char *name, int flags)
{
	size_t len, start = 0, i;
	int digits = 0, rc;

	if ((rc = name_len(name, &len)) != PN_OK)
		return rc;
	for (i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		rc = check_label(name + start, i - start, flags, &digits);
		if (rc != PN_OK)
			return rc;
		start = i + 1;
	}
	/* "1.2.3.4" or "example.123" is not a host name. */
	if (digits && !(flags & PN_DOMAIN_DNS))
		return PN_EINVAL;
	return PN_OK;
}

int
pn_domain_normalize(const char *name, int flags, char *out, size_t cap)
{
	size_t len, i;
	int rc;

	if ((rc = pn_domain_check(name, flags)) != PN_OK)
		return rc;
	name_len(name, &len);
	if (len + 1 > cap)
		return PN_ELIMIT;
	for (i = 0; i < len; i++) {
		char c = name[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	return PN_OK;
}

int
pn_ip_parse(const char *s, int *family, uint8_t addr[16])
{
	char tmp[PN_IP_TEXT_MAX + 2];
	size_t n;

	if (s == NULL)
		return PN_EINVAL;
	n = strnlen(s, sizeof(tmp));
	if (n == 0 || n >= sizeof(tmp))
		return PN_EINVAL;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return PN_EINVAL;
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
	} else {
		memcpy(tmp, s, n + 1);
	}
	if (s[0] != '[' && inet_pton(AF_INET, tmp, addr) == 1) {
		*family = 4;
		return PN_OK;
	}
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		*family = 6;
		return PN_OK;
	}
	return PN_EINVAL;
}

int
pn_ip_normalize(const char *s, char *out, size_t cap)
{
	uint8_t a[16];
	char tmp[PN_IP_TEXT_MAX];
	int fam, rc;

	if ((rc = pn_ip_parse(s, &fam, a)) != PN_OK)
		return rc;
	if (inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, tmp, sizeof(tmp)) == NULL)
		return PN_EINVAL;
	if (pn_strlcpy(out, tmp, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}

int
pn_ip_reverse_name(const char *ip, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[PN_REVERSE_NAME_MAX];
	uint8_t a[16];
	size_t o = 0;
	int fam, rc, i;

	if ((rc = pn_ip_parse(ip, &fam, a)) != PN_OK)
		return rc;
	if (fam == 4) {
		snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u.in-addr.arpa",
		    a[3], a[2], a[1], a[0]);
	} else {
		for (i = 15; i >= 0; i--) {
			tmp[o++] = hex[a[i] & 0xf];
			tmp[o++] = '.';
			tmp[o++] = hex[a[i] >> 4];
			tmp[o++] = '.';
		}
		memcpy(tmp + o, "ip6.arpa", sizeof("ip6.arpa"));
	}
	if (pn_strlcpy(out, tmp, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
from_ip6_arpa(const char *s, size_t len, uint8_t a[16])
{
	int i, v;

	/* 32 x "h." then "ip6.arpa" */
	if (len != 64 + 8 || strncasecmp(s + 64, "ip6.arpa", 8) != 0)
		return PN_EINVAL;
	for (i = 0; i < 32; i++) {
		if (s[2 * i + 1] != '.' || (v = hexval(s[2 * i])) < 0)
			return PN_EINVAL;
		/* nibble i counts from the least significant one */
		if (i % 2 == 0)
			a[15 - i / 2] = (uint8_t)v;
		else
			a[15 - i / 2] |= (uint8_t)(v << 4);
	}
	return PN_OK;
}

static int
from_in_addr_arpa(const char *s, size_t len, uint8_t a[4])
{
	static const char sfx[] = ".in-addr.arpa";
	char tmp[20];
	uint8_t r[4];
	size_t n;

	if (len <= sizeof(sfx) - 1 || len - (sizeof(sfx) - 1) >= sizeof(tmp))
		return PN_EINVAL;
	n = len - (sizeof(sfx) - 1);
	if (strncasecmp(s + n, sfx, sizeof(sfx) - 1) != 0)
		return PN_EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, r) != 1)
		return PN_EINVAL;
	a[0] = r[3];
	a[1] = r[2];
	a[2] = r[1];
	a[3] = r[0];
	return PN_OK;
}

int
pn_ip_from_reverse_name(const char *name, char *out, size_t cap)
{
	uint8_t a[16];
	char tmp[PN_IP_TEXT_MAX];
	size_t len;
	int fam;

	if (name_len(name, &len) != PN_OK)
		return PN_EINVAL;
	if (from_in_addr_arpa(name, len, a) == PN_OK)
		fam = AF_INET;
	else if (from_ip6_arpa(name, len, a) == PN_OK)
		fam = AF_INET6;
	else
		return PN_EINVAL;
	if (inet_ntop(fam, a, tmp, sizeof(tmp)) == NULL)
		return PN_EINVAL;
	if (pn_strlcpy(out, tmp, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl_ctx;

static void
psl_load(void)
{
	psl_ctx_t *p = psl_latest(NULL);

	if (p != NULL) {
		psl_ctx = p;
		return;
	}
	psl_ctx = psl_builtin();
}

static const psl_ctx_t *
psl_get(void)
{
	pthread_once(&psl_once, psl_load);
	return psl_ctx;
}

int
pn_domain_registrable(const char *name, char *out, size_t cap)
{
	char norm[PN_DOMAIN_BUF];
	const char *r;
	int rc;

	if ((rc = pn_domain_normalize(name, PN_DOMAIN_DNS, norm, sizeof(norm))) != PN_OK)
		return rc;
	if (psl_get() == NULL)
		return PN_EINTERNAL;
	r = psl_registrable_domain(psl_get(), norm);
	if (r == NULL || *r == '\0')
		return PN_ENOTFOUND;
	if (pn_strlcpy(out, r, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}

int
pn_domain_public_suffix(const char *name, char *out, size_t cap)
{
	char norm[PN_DOMAIN_BUF];
	const char *r;
	int rc;

	if ((rc = pn_domain_normalize(name, PN_DOMAIN_DNS, norm, sizeof(norm))) != PN_OK)
		return rc;
	if (psl_get() == NULL)
		return PN_EINTERNAL;
	r = psl_unregistrable_domain(psl_get(), norm);
	if (r == NULL || *r == '\0')
		return PN_ENOTFOUND;
	if (pn_strlcpy(out, r, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}

int
pn_domain_tld(const char *name, char *out, size_t cap)
{
	char norm[PN_DOMAIN_BUF];
	const char *dot;
	int rc;

	if ((rc = pn_domain_normalize(name, PN_DOMAIN_DNS, norm, sizeof(norm))) != PN_OK)
		return rc;
	dot = strrchr(norm, '.');
	if (pn_strlcpy(out, dot != NULL ? dot + 1 : norm, cap) >= cap)
		return PN_ELIMIT;
	return PN_OK;
}
