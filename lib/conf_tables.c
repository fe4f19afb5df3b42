/*
 * conf_tables.c - the list of option tables.  A module with options
 * defines `const struct pn_conf_opt pn_conf_<module>[]` next to its code
 * and adds one line here (and a section to docs/CONFIG.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include "conf.h"

extern const struct pn_conf_opt pn_conf_clamav[];
extern const struct pn_conf_opt pn_conf_archive[];
extern const struct pn_conf_opt pn_conf_hashlist[];
extern const struct pn_conf_opt pn_conf_clamd[];
extern const struct pn_conf_opt pn_conf_icap[];
extern const struct pn_conf_opt pn_conf_cmdline[];
extern const struct pn_conf_opt pn_conf_yara[];
extern const struct pn_conf_opt pn_conf_heuristics[];
extern const struct pn_conf_opt pn_conf_quota[];
extern const struct pn_conf_opt pn_conf_netfeeds[], pn_conf_netheur[];
extern const struct pn_conf_opt pn_conf_dns[];
extern const struct pn_conf_opt pn_conf_whois[];
extern const struct pn_conf_opt pn_conf_geoip[];
extern const struct pn_conf_opt pn_conf_fetch[];
extern const struct pn_conf_opt pn_conf_sandbox[];
extern const struct pn_conf_opt pn_conf_behavior[];
extern const struct pn_conf_opt pn_conf_domains[];
extern const struct pn_conf_opt pn_conf_analysis[];

const struct pn_conf_opt *const pn_conf_tables[] = {
	pn_conf_core,
	pn_conf_clamav,
	pn_conf_archive,
	pn_conf_hashlist,
	pn_conf_clamd,
	pn_conf_icap,
	pn_conf_cmdline,
	pn_conf_yara,
	pn_conf_heuristics,
	pn_conf_quota,
	pn_conf_netfeeds, pn_conf_netheur,
	pn_conf_dns,
	pn_conf_whois,
	pn_conf_geoip,
	pn_conf_fetch,
	pn_conf_sandbox,
	pn_conf_behavior,
	pn_conf_domains,
	pn_conf_analysis,
	NULL
};
