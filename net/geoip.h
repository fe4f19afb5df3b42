/*
 * geoip.h - IP address to country / continent / AS lookups in MaxMind DB
 * files (libmaxminddb), for VirusTotal's ip_address attributes `country`,
 * `continent`, `asn`, `as_owner` and `network`.
 *
 * Configuration ([geoip] in docs/CONFIG.md): geoip.country_db (GeoLite2
 * Country/City schema: country.iso_code, else registered_country.iso_code;
 * continent.code) and geoip.asn_db (GeoLite2 ASN schema:
 * autonomous_system_number, autonomous_system_organization).  An empty
 * path disables that database; a configured file that does not exist is
 * logged and disabled too, so a missing download never stops the service.
 * No .mmdb data ships with Debian (PLATFORM.md 11).
 *
 * Lookups are read-only on mmap'ed files: one struct pn_geoip may be used
 * from any number of threads.  Strings are copied into fixed fields as
 * valid UTF-8 (truncated at the field size).
 *
 * Errors: pn_geoip_open: PN_EFORMAT (not a MaxMind DB), PN_EIO (unreadable).
 * pn_geoip_lookup: PN_EINVAL (not an IP literal), PN_ENOTFOUND (no record,
 * or every database disabled), PN_EFORMAT (corrupt database record).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_GEOIP_H
#define PN_GEOIP_H

#include "pn.h"
#include "conf.h"

#define PN_GEO_OWNER_MAX    256
#define PN_GEO_NETWORK_MAX  64   /* "ffff:...:ffff/128" + NUL fits */

extern const struct pn_conf_opt pn_conf_geoip[];

struct pn_geoip;
struct json_object;

struct pn_geo_info {
	int64_t asn;                       /* 0 = unknown */
	char as_owner[PN_GEO_OWNER_MAX];   /* "" = unknown */
	char country[8];                   /* ISO 3166 alpha-2, "" = unknown */
	char continent[8];                 /* two letters, "" = unknown */
	char network[PN_GEO_NETWORK_MAX];  /* CIDR of the matching record (ASN db first) */
};

/* Open the configured databases; c may be NULL (all disabled).  err may be NULL. */
int pn_geoip_open(const struct pn_conf *c, struct pn_geoip **out, char *err, size_t cap);
/* Same with explicit paths (NULL or "" = disabled). */
int pn_geoip_open_paths(const char *country_db, const char *asn_db, struct pn_geoip **out,
    char *err, size_t cap);
void pn_geoip_close(struct pn_geoip *g);
/* 1 if at least one database is open. */
int pn_geoip_enabled(const struct pn_geoip *g);

/* Look ip up in every open database; *out zeroed first.  PN_OK if any field was found. */
int pn_geoip_lookup(struct pn_geoip *g, const char *ip, struct pn_geo_info *out);

/* Add VT's `asn`, `as_owner`, `country`, `continent`, `network` (known ones) to attrs. */
void pn_geoip_vt_attrs(const struct pn_geo_info *gi, struct json_object *attrs);

#endif
