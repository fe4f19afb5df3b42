/*
 * netengine.h - detection engines for URLs, domains and IP addresses (the
 * Detection tab of VT "url", "domain" and "ip_address" objects), in the
 * spirit of engine.h: each engine is a column with a name, version and
 * update date, loaded once per worker (init), asked about many targets
 * (scan) and rebuilt when its data changes (reload, on SIGHUP).
 *
 * Engines:
 *   - one blocklist engine per configured feed (net_blocklist.c, option
 *     netfeeds.feeds): plain URL lists, URLhaus CSV, OpenPhish, PhishTank
 *     CSV, domain lists / hosts files, DROP-style CIDR lists;
 *   - "Panoptes-URLHeur" (URLs) and "Panoptes-DomainHeur" (domains): scored
 *     heuristics (net_heur.c, options [netheur]).
 * An engine judges the kinds in its ops' `kinds` mask; for any other kind
 * pn_net_engines_scan() gives it "type-unsupported" without calling it.
 *
 * Ownership: pn_net_engines_load() allocates the set and each engine;
 * pn_net_engines_free() releases them.  A target only borrows its strings.
 * Verdicts are owned by the caller and released with pn_verdict_release()
 * (engine.h).  Engines are read-only after init/reload, so scans from
 * several threads at once are safe; reload must not overlap scans.
 * Errors: an engine whose init fails stays in the set with `error` set and
 * gives category "failure"; scan returns PN_OK or a negative PN_E*.
 * See also: docs/internals/net-engines.md, docs/CONFIG.md [netfeeds]
 * [netheur], tests/unit/test_netengines.c, tests/fuzz/fuzz_feeds.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_NETENGINE_H
#define PN_NETENGINE_H

#include "engine.h"
#include "conf.h"

struct pn_url;

enum pn_obj_kind { PN_OBJ_URL = 1, PN_OBJ_DOMAIN = 2, PN_OBJ_IP = 4 };

/* What a URL/domain/IP engine is asked about; every pointer is borrowed. */
struct pn_net_target {
	enum pn_obj_kind kind;
	const char *url;            /* canonical URL (kind URL), else NULL */
	const struct pn_url *u;     /* parsed URL (kind URL), else NULL */
	const char *domain;         /* the domain (kind DOMAIN) or the URL's host when a name */
	const char *ip;             /* IP literal (kind IP) or the URL's host when an IP */
	/* Facts from the fetcher, any may be NULL/0: */
	const char *final_url;      /* URL after redirects */
	const char *content_type;   /* Content-Type of the final response */
	const char *body_type_tag;  /* VT type_tag of the body ("peexe", "elf", ...) */
	int redirects;              /* redirects followed */
};

/*
 * Fill t for a URL object from a parsed URL (pn_url_parse()): kind, url =
 * u->canonical, domain or ip from u->host; the fetcher facts are zeroed
 * (set them afterwards).  t borrows u's strings.
 */
void pn_net_target_url(struct pn_net_target *t, const struct pn_url *u);
/* Fill t for a domain object (name lower-case, no trailing dot) or an IP object. */
void pn_net_target_domain(struct pn_net_target *t, const char *domain);
void pn_net_target_ip(struct pn_net_target *t, const char *ip);

struct pn_net_engine;

struct pn_net_engine_ops {
	const char *kind;           /* "netfeed", "netheur" */
	unsigned kinds;             /* mask of enum pn_obj_kind it judges */
	int (*init)(struct pn_net_engine *e, const struct pn_conf *conf);
	int (*scan)(struct pn_net_engine *e, const struct pn_net_target *t, struct pn_verdict *v);
	int (*reload)(struct pn_net_engine *e, const struct pn_conf *conf);
	void (*free)(struct pn_net_engine *e);
};

struct pn_net_engine {
	const struct pn_net_engine_ops *ops;
	char name[64];              /* column, e.g. "URLhaus" or "Panoptes-URLHeur" */
	char version[64];           /* engine_version */
	char update[16];            /* engine_update, "YYYYMMDD" */
	char error[256];            /* last init/reload error, "" when healthy */
	unsigned kinds;             /* kinds judged (ops->kinds unless init narrows it) */
	void *priv;                 /* the adapter's state; before init: its argument */
};

struct pn_net_engines {
	struct pn_net_engine **v;
	size_t n;
};

/*
 * Build every configured URL/domain/IP engine (netfeeds.*, netheur.*).
 * Engines failing init stay in the set with `error` set.  Returns PN_OK.
 */
int pn_net_engines_load(struct pn_net_engines *set, const struct pn_conf *conf);
void pn_net_engines_free(struct pn_net_engines *set);

/*
 * Reload every engine (SIGHUP).  When the configured feed list changed
 * (names, paths or formats) the set is rebuilt, so the columns follow the
 * configuration; otherwise each engine reloads in place and keeps its old
 * data (with `error` set) when the reload fails.  Returns PN_OK.
 */
int pn_net_engines_reload(struct pn_net_engines *set, const struct pn_conf *conf);

/*
 * Scan t with every engine of the set: out[i] (set->n entries, caller
 * allocated, filled here, release each with pn_verdict_release()) is the
 * verdict of set->v[i]: "type-unsupported" when the engine does not judge
 * t->kind, "failure" when it is unavailable or its scan failed (the reason
 * in details {"error": ...}).  Returns PN_OK, or PN_EINVAL for a target
 * without the string its kind needs.
 */
int pn_net_engines_scan(const struct pn_net_engines *set, const struct pn_net_target *t,
    struct pn_verdict *out);

/* One engine: the same rules as pn_net_engines_scan() for set->v[i]. */
int pn_net_engine_scan(struct pn_net_engine *e, const struct pn_net_target *t,
    struct pn_verdict *v);

/* ------------------------------------------------------------------------
 * Feeds (net_blocklist.c), also used directly by tests and the fuzz target.
 */

#define PN_NETFEED_MAX_LINE     8192        /* bytes per line; longer lines are skipped */
#define PN_NETFEED_MAX_FIELDS   32          /* CSV columns */
#define PN_NETFEED_MAX_FEEDS    32          /* feeds in netfeeds.feeds */
#define PN_NETFEED_MAX_PREFIXES 32          /* path prefixes of a URL looked up */
#define PN_NETFEED_MAX_LABELS   65536       /* distinct labels per feed */
#define PN_NETFEED_MAX_LABEL    96          /* bytes of a label */

enum pn_netfeed_format {
	PN_NETFEED_AUTO,       /* decided by the first lines */
	PN_NETFEED_URLS,       /* one URL per line, # comments */
	PN_NETFEED_URLHAUS,    /* URLhaus CSV */
	PN_NETFEED_OPENPHISH,  /* one URL per line (phishing) */
	PN_NETFEED_PHISHTANK,  /* PhishTank CSV */
	PN_NETFEED_DOMAINS,    /* one name per line, hosts lines too; matches subdomains */
	PN_NETFEED_HOSTS,      /* the same syntax; matches the exact host only */
	PN_NETFEED_CIDR,       /* "1.2.3.0/24 ; SBL123", IPv4 and IPv6 */
	PN_NETFEED__COUNT
};

/* "urls", "urlhaus", ... -> format; PN_EINVAL for an unknown name. */
int pn_netfeed_format_parse(const char *name, enum pn_netfeed_format *out);
const char *pn_netfeed_format_name(enum pn_netfeed_format f);

struct pn_netfeed;

/* Counters of a loaded feed. */
struct pn_netfeed_stats {
	enum pn_netfeed_format format;   /* as decided (never AUTO once data was seen) */
	size_t lines;                    /* lines read */
	size_t entries;                  /* distinct entries kept */
	size_t duplicates;               /* entries seen again */
	size_t malformed;                /* lines that are neither comment nor entry */
};

/* What a match found; strings borrowed from the feed (valid until it is freed). */
struct pn_netfeed_hit {
	const char *entry;               /* the feed's entry (normalised) */
	const char *label;               /* result label, e.g. "phishing" */
	const char *extra;               /* threat/tags, target brand, SBL id ...; may be NULL */
	const char *how;                 /* "exact", "without-query", "path-prefix", "host",
	                                    "parent-domain", "cidr" */
	size_t line;                     /* line of the entry in the feed */
};

/*
 * A new empty feed of format fmt holding at most max_entries entries
 * (PN_ELIMIT past it).  Caller frees with pn_netfeed_free().
 */
struct pn_netfeed *pn_netfeed_new(enum pn_netfeed_format fmt, size_t max_entries);
void pn_netfeed_free(struct pn_netfeed *f);
/*
 * Parse data[0..len) (a whole feed file, any bytes; need not be NUL
 * terminated) into f, then make it ready for lookups.  Call once.
 * Malformed lines are counted and skipped.  PN_OK, or PN_ELIMIT.
 */
int pn_netfeed_parse(struct pn_netfeed *f, const char *data, size_t len);
/* Read and parse a file (mapped; at most max_bytes).  PN_EIO/PN_ELIMIT with err set. */
int pn_netfeed_load_file(struct pn_netfeed *f, const char *path, uint64_t max_bytes,
    char *err, size_t errlen);
void pn_netfeed_get_stats(const struct pn_netfeed *f, struct pn_netfeed_stats *st);
/* Kinds of target the feed judges (enum pn_obj_kind mask) by its format. */
unsigned pn_netfeed_kinds(const struct pn_netfeed *f);
/* Look t up: 1 with *hit filled, 0 when not listed. */
int pn_netfeed_match(const struct pn_netfeed *f, const struct pn_net_target *t,
    struct pn_netfeed_hit *hit);

/* Adapters. */
extern const struct pn_net_engine_ops pn_net_feed_ops;        /* net_blocklist.c */
extern const struct pn_net_engine_ops pn_net_heur_url_ops;    /* net_heur.c */
extern const struct pn_net_engine_ops pn_net_heur_domain_ops; /* net_heur.c */
extern const struct pn_conf_opt pn_conf_netfeeds[];
extern const struct pn_conf_opt pn_conf_netheur[];

/*
 * One configured feed (netfeeds.feeds entry "Name=format:path").  Lists
 * the entries in order; *out is a new array (caller frees), *n may be 0.
 * PN_EINVAL with err set for a malformed list.
 */
struct pn_netfeed_conf {
	char name[64];
	enum pn_netfeed_format format;
	char path[1024];
};
int pn_netfeed_conf_list(const struct pn_conf *conf, struct pn_netfeed_conf **out, size_t *n,
    char *err, size_t errlen);

#endif
