/*
 * test_geoip.c - net/geoip.c over .mmdb files generated at test time by
 * tests/data/net/make-mmdb.pl (IPv4 and IPv6 lookups, networks from the
 * lookup's netmask, registered_country fallback, IPv4-only trees, absent
 * and corrupt databases).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "geoip.h"

#include <json-c/json.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pn-geoip-XXXXXX";
static char country_db[128], asn_db[128], v4_db[128], junk_db[128];

static int
make_dbs(void)
{
	char cmd[256];
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "perl tests/data/net/make-mmdb.pl %s", dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(country_db, sizeof(country_db), "%s/country.mmdb", dir);
	snprintf(asn_db, sizeof(asn_db), "%s/asn.mmdb", dir);
	snprintf(v4_db, sizeof(v4_db), "%s/v4only.mmdb", dir);
	snprintf(junk_db, sizeof(junk_db), "%s/junk.mmdb", dir);
	f = fopen(junk_db, "w");
	if (f == NULL)
		return -1;
	fputs("this is not a MaxMind database\n", f);
	fclose(f);
	return 0;
}

static void
cleanup(void)
{
	unlink(country_db);
	unlink(asn_db);
	unlink(v4_db);
	unlink(junk_db);
	rmdir(dir);
}

static void
test_both(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_geoip *g = NULL;
	struct pn_geo_info i;
	char err[256];

	pn_conf_put(c, "geoip.country_db", country_db);
	pn_conf_put(c, "geoip.asn_db", asn_db);
	is_int(pn_geoip_open(c, &g, err, sizeof(err)), PN_OK, "open both");
	pn_conf_free(c);
	if (g == NULL)
		return;
	ok(pn_geoip_enabled(g), "enabled");

	is_int(pn_geoip_lookup(g, "192.0.2.10", &i), PN_OK, "v4 lookup");
	is_int(i.asn, 64496, "asn");
	is_str(i.as_owner, "Example Transit LLC", "as_owner");
	is_str(i.country, "US", "country");
	is_str(i.continent, "NA", "continent");
	is_str(i.network, "192.0.2.0/24", "network: v4 netmask in a v6 tree");

	{
		struct json_object *a = json_object_new_object();

		pn_geoip_vt_attrs(&i, a);
		is_int(json_object_get_int64(json_object_object_get(a, "asn")), 64496, "asn attribute");
		is_str(json_object_get_string(json_object_object_get(a, "as_owner")),
		    "Example Transit LLC", "as_owner attribute");
		is_str(json_object_get_string(json_object_object_get(a, "continent")), "NA",
		    "continent attribute");
		json_object_put(a);
	}
	is_int(pn_geoip_lookup(g, "198.51.100.5", &i), PN_OK, "v4 lookup 2");
	is_int(i.asn, 64497, "asn 2");
	is_str(i.as_owner, "Ex\xc3\xa4mple Netz GmbH", "UTF-8 owner");
	is_str(i.country, "NL", "country 2");
	is_str(i.continent, "EU", "continent 2");
	is_str(i.network, "198.51.100.0/24", "network of the ASN record");

	is_int(pn_geoip_lookup(g, "198.51.100.200", &i), PN_OK, "ASN only");
	is_str(i.country, "", "no country record");
	is_int(i.asn, 64497, "asn still found");

	is_int(pn_geoip_lookup(g, "2001:db8::1", &i), PN_OK, "v6 lookup");
	is_int(i.asn, 4200000000LL, "4-byte asn");
	is_str(i.as_owner, "Example v6 AS", "v6 owner");
	is_str(i.country, "DE", "v6 country");
	is_str(i.continent, "EU", "v6 continent");
	is_str(i.network, "2001:db8::/32", "v6 network");

	is_int(pn_geoip_lookup(g, "[2001:DB8:1::5]", &i), PN_OK, "v6 more specific");
	is_str(i.country, "JP", "more specific country");
	is_str(i.continent, "AS", "more specific continent");

	is_int(pn_geoip_lookup(g, "203.0.113.9", &i), PN_OK, "registered_country only");
	is_str(i.country, "AU", "registered_country fallback");
	is_str(i.continent, "OC", "continent OC");
	is_int(i.asn, 0, "no asn");
	is_str(i.network, "203.0.113.0/24", "network from the country db");

	{
		struct json_object *a = json_object_new_object();

		pn_geoip_vt_attrs(&i, a);
		ok(!json_object_object_get_ex(a, "asn", NULL), "no asn attribute when unknown");
		ok(!json_object_object_get_ex(a, "as_owner", NULL), "no empty as_owner");
		is_str(json_object_get_string(json_object_object_get(a, "country")), "AU",
		    "country attribute");
		is_str(json_object_get_string(json_object_object_get(a, "network")),
		    "203.0.113.0/24", "network attribute");
		json_object_put(a);
	}
	is_int(pn_geoip_lookup(g, "10.1.2.3", &i), PN_ENOTFOUND, "no record");
	is_str(i.network, "", "no network without a record");
	is_int(pn_geoip_lookup(g, "2001:db9::1", &i), PN_ENOTFOUND, "no v6 record");
	is_int(pn_geoip_lookup(g, "not-an-ip", &i), PN_EINVAL, "junk");
	is_int(pn_geoip_lookup(g, "192.0.2.300", &i), PN_EINVAL, "bad octet");
	is_int(pn_geoip_lookup(g, "", &i), PN_EINVAL, "empty");
	pn_geoip_close(g);
}

static void
test_partial(void)
{
	struct pn_geoip *g = NULL;
	struct pn_geo_info i;
	char err[256];

	is_int(pn_geoip_open_paths(country_db, "", &g, err, sizeof(err)), PN_OK, "country only");
	is_int(pn_geoip_lookup(g, "192.0.2.10", &i), PN_OK, "lookup");
	is_int(i.asn, 0, "no ASN db: asn 0");
	is_str(i.as_owner, "", "no owner");
	is_str(i.network, "192.0.2.0/24", "network from the country db");
	pn_geoip_close(g);

	is_int(pn_geoip_open_paths(v4_db, NULL, &g, err, sizeof(err)), PN_OK, "IPv4 tree");
	is_int(pn_geoip_lookup(g, "192.0.2.200", &i), PN_OK, "v4 in v4 tree");
	is_str(i.country, "CA", "country");
	is_str(i.network, "192.0.2.128/25", "netmask of an IPv4 tree");
	is_int(pn_geoip_lookup(g, "192.0.2.1", &i), PN_ENOTFOUND, "outside the /25");
	is_int(pn_geoip_lookup(g, "2001:db8::1", &i), PN_ENOTFOUND, "v6 in a v4 tree");
	pn_geoip_close(g);
}

static void
test_disabled(void)
{
	struct pn_geoip *g = NULL;
	struct pn_geo_info i;
	char err[256] = "";
	char missing[160];

	is_int(pn_geoip_open(NULL, &g, err, sizeof(err)), PN_OK, "no conf: disabled");
	ok(!pn_geoip_enabled(g), "not enabled");
	is_int(pn_geoip_lookup(g, "192.0.2.10", &i), PN_ENOTFOUND, "disabled lookup");
	pn_geoip_close(g);

	snprintf(missing, sizeof(missing), "%s/absent.mmdb", dir);
	is_int(pn_geoip_open_paths(missing, missing, &g, err, sizeof(err)), PN_OK,
	    "absent files: disabled cleanly");
	ok(g != NULL && !pn_geoip_enabled(g), "not enabled");
	is_int(pn_geoip_lookup(g, "192.0.2.10", &i), PN_ENOTFOUND, "lookup: not found");
	pn_geoip_close(g);

	is_int(pn_geoip_open_paths(junk_db, NULL, &g, err, sizeof(err)), PN_EFORMAT,
	    "not a MaxMind DB");
	ok(g == NULL, "no handle");
	ok(strstr(err, "junk.mmdb") != NULL, "err names the file: %s", err);
	is_int(pn_geoip_open_paths(country_db, dir, &g, err, sizeof(err)), PN_EIO,
	    "a directory: PN_EIO (%s)", err);
	is_int(pn_geoip_lookup(NULL, "192.0.2.1", &i), PN_ENOTFOUND, "NULL handle");
}

int
main(void)
{
	if (make_dbs() != 0) {
		ok(0, "generate .mmdb files with make-mmdb.pl");
		return done_testing();
	}
	test_both();
	test_partial();
	test_disabled();
	cleanup();
	return done_testing();
}
