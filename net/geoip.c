/*
 * geoip.c - MaxMind DB lookups (see geoip.h).
 *
 * Each database is an MMDB_s opened with MMDB_MODE_MMAP; addresses are
 * parsed by pn_ip_parse (no getaddrinfo) and looked up with
 * MMDB_lookup_sockaddr.  Values are read with MMDB_get_value and checked
 * for their type before use; strings are copied by length (they are not
 * NUL-terminated in the file) and cleaned to valid UTF-8 without control
 * characters.  The network is the lookup's netmask applied to the address
 * (an IPv4 address in an IPv6 tree gets the netmask minus the 96 bits of
 * ::/96).
 *
 * SPDX-License-Identifier: MIT
 */
#include "geoip.h"
#include "domain.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const struct pn_conf_opt pn_conf_geoip[] = {
	{"geoip.country_db", PN_CONF_STR, "",
	    "MaxMind DB with country/continent (GeoLite2-Country/City schema); empty = disabled"},
	{"geoip.asn_db", PN_CONF_STR, "",
	    "MaxMind DB with AS number/organisation (GeoLite2-ASN schema); empty = disabled"},
	{NULL, PN_CONF_STR, NULL, NULL}
};

struct pn_geoip {
	MMDB_s country;
	MMDB_s asn;
	int have_country;
	int have_asn;
};

static void
set_err(char *err, size_t cap, const char *fmt, const char *a, const char *b)
{
	if (err != NULL && cap > 0)
		snprintf(err, cap, fmt, a, b);
}

/* Open path into db; *have = 1 on success, 0 when disabled or absent. */
static int
open_db(const char *path, const char *what, MMDB_s *db, int *have, char *err, size_t cap)
{
	struct stat st;
	int rc;

	*have = 0;
	if (path == NULL || path[0] == '\0')
		return PN_OK;
	if (stat(path, &st) != 0 && errno == ENOENT) {
		log_warnx("geoip: %s database %s does not exist: disabled", what, path);
		return PN_OK;
	}
	rc = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (rc == MMDB_SUCCESS) {
		*have = 1;
		return PN_OK;
	}
	set_err(err, cap, "geoip: %s: %s", path, MMDB_strerror(rc));
	return rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR ? PN_EIO : PN_EFORMAT;
}

int
pn_geoip_open_paths(const char *country_db, const char *asn_db, struct pn_geoip **out,
    char *err, size_t cap)
{
	struct pn_geoip *g = pn_xcalloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	rc = open_db(country_db, "country", &g->country, &g->have_country, err, cap);
	if (rc == PN_OK)
		rc = open_db(asn_db, "ASN", &g->asn, &g->have_asn, err, cap);
	if (rc != PN_OK) {
		pn_geoip_close(g);
		return rc;
	}
	*out = g;
	return PN_OK;
}

int
pn_geoip_open(const struct pn_conf *c, struct pn_geoip **out, char *err, size_t cap)
{
	if (c == NULL)
		return pn_geoip_open_paths(NULL, NULL, out, err, cap);
	return pn_geoip_open_paths(pn_conf_get(c, "geoip.country_db"),
	    pn_conf_get(c, "geoip.asn_db"), out, err, cap);
}

void
pn_geoip_close(struct pn_geoip *g)
{
	if (g == NULL)
		return;
	if (g->have_country)
		MMDB_close(&g->country);
	if (g->have_asn)
		MMDB_close(&g->asn);
	free(g);
}

int
pn_geoip_enabled(const struct pn_geoip *g)
{
	return g != NULL && (g->have_country || g->have_asn);
}

/* Copy a UTF-8 string value of length n into out[cap], cleaned. */
static void
copy_str(char *out, size_t cap, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t l = pn_utf8_seq(u, n - i);

		if (l == 0 || (l == 1 && (*u < 0x20 || *u == 0x7f))) {
			i++;
			continue;
		}
		if (o + l >= cap)
			break;
		memcpy(out + o, u, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
}

/* A string at path (NULL-terminated varargs of MMDB_get_value); 1 if found. */
static int
get_str(MMDB_entry_s *e, char *out, size_t cap, const char *k1, const char *k2)
{
	MMDB_entry_data_s d;
	int rc = k2 != NULL ? MMDB_get_value(e, &d, k1, k2, NULL) :
	    MMDB_get_value(e, &d, k1, NULL);

	if (rc != MMDB_SUCCESS || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return 0;
	copy_str(out, cap, d.utf8_string, d.data_size);
	return out[0] != '\0';
}

static int
get_uint(MMDB_entry_s *e, const char *key, int64_t *v)
{
	MMDB_entry_data_s d;

	if (MMDB_get_value(e, &d, key, NULL) != MMDB_SUCCESS || !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		*v = d.uint16;
		return 1;
	case MMDB_DATA_TYPE_UINT32:
		*v = d.uint32;
		return 1;
	case MMDB_DATA_TYPE_INT32:
		*v = d.int32 > 0 ? d.int32 : 0;
		return *v > 0;
	case MMDB_DATA_TYPE_UINT64:
		*v = d.uint64 <= UINT32_MAX ? (int64_t)d.uint64 : 0;
		return *v > 0;
	default:
		return 0;
	}
}

/* CIDR text of addr masked to bits. */
static void
cidr(int fam, const uint8_t *addr, int bits, char *out, size_t cap)
{
	uint8_t a[16];
	char txt[PN_IP_TEXT_MAX];
	int len = fam == 4 ? 4 : 16, i;

	memcpy(a, addr, (size_t)len);
	for (i = 0; i < len; i++) {
		int keep = bits - 8 * i;

		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (uint8_t)(0xff << (8 - keep));
	}
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, txt, sizeof(txt));
	snprintf(out, cap, "%s/%d", txt, bits);
}

/* Look addr up in db; PN_OK with the result, PN_ENOTFOUND if no record. */
static int
lookup(const MMDB_s *db, int fam, const uint8_t *addr, MMDB_lookup_result_s *res, int *bits)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	const struct sockaddr *sa;
	int mrc = MMDB_SUCCESS;

	if (fam == 4) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, addr, 4);
		sa = (const struct sockaddr *)&s4;
	} else {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, addr, 16);
		sa = (const struct sockaddr *)&s6;
	}
	*res = MMDB_lookup_sockaddr(db, sa, &mrc);
	if (mrc == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return PN_ENOTFOUND;
	if (mrc != MMDB_SUCCESS)
		return PN_EFORMAT;
	if (!res->found_entry)
		return PN_ENOTFOUND;
	*bits = res->netmask;
	if (fam == 4 && db->metadata.ip_version == 6)
		*bits = *bits >= 96 ? *bits - 96 : 0;
	if (*bits > (fam == 4 ? 32 : 128))
		return PN_EFORMAT;
	return PN_OK;
}

int
pn_geoip_lookup(struct pn_geoip *g, const char *ip, struct pn_geo_info *out)
{
	MMDB_lookup_result_s res;
	uint8_t addr[16];
	int fam, bits, rc, found = 0, bad = 0;

	memset(out, 0, sizeof(*out));
	if (pn_ip_parse(ip, &fam, addr) != PN_OK)
		return PN_EINVAL;
	if (g == NULL)
		return PN_ENOTFOUND;
	if (g->have_asn) {
		rc = lookup(&g->asn, fam, addr, &res, &bits);
		if (rc == PN_OK) {
			found |= get_uint(&res.entry, "autonomous_system_number", &out->asn);
			found |= get_str(&res.entry, out->as_owner, sizeof(out->as_owner),
			    "autonomous_system_organization", NULL);
			cidr(fam, addr, bits, out->network, sizeof(out->network));
		}
		bad |= rc == PN_EFORMAT;
	}
	if (g->have_country) {
		rc = lookup(&g->country, fam, addr, &res, &bits);
		if (rc == PN_OK) {
			if (get_str(&res.entry, out->country, sizeof(out->country),
			    "country", "iso_code") ||
			    get_str(&res.entry, out->country, sizeof(out->country),
			    "registered_country", "iso_code"))
				found = 1;
			found |= get_str(&res.entry, out->continent, sizeof(out->continent),
			    "continent", "code");
			if (out->network[0] == '\0')
				cidr(fam, addr, bits, out->network, sizeof(out->network));
		}
		bad |= rc == PN_EFORMAT;
	}
	if (found)
		return PN_OK;
	out->network[0] = '\0';
	return bad ? PN_EFORMAT : PN_ENOTFOUND;
}

void
pn_geoip_vt_attrs(const struct pn_geo_info *gi, struct json_object *attrs)
{
	static const struct { const char *key; size_t off; } str[] = {
		{"as_owner", offsetof(struct pn_geo_info, as_owner)},
		{"country", offsetof(struct pn_geo_info, country)},
		{"continent", offsetof(struct pn_geo_info, continent)},
		{"network", offsetof(struct pn_geo_info, network)},
	};
	size_t i;

	if (gi->asn > 0)
		json_object_object_add(attrs, "asn", json_object_new_int64(gi->asn));
	for (i = 0; i < PN_ARRAY_LEN(str); i++) {
		const char *v = (const char *)gi + str[i].off;

		if (v[0] != '\0')
			json_object_object_add(attrs, str[i].key, json_object_new_string(v));
	}
}
