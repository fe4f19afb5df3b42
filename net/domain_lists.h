/*
 * domain_lists.h - domains' popularity ranks and categories from
 * operator-configured lists (net/domain_lists.c; options [domains]).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_DOMAIN_LISTS_H
#define PN_DOMAIN_LISTS_H

#include "pn.h"
#include "conf.h"

#define PN_DL_MAX_LINE      1024      /* longer lines are skipped */
#define PN_DL_MAX_ENTRIES   5000000   /* names kept per list */
#define PN_DL_MAX_CATEGORY  128       /* bytes of a category */

struct json_object;
struct pn_domain_lists;

extern const struct pn_conf_opt pn_conf_domains[];

/* Read every configured list; PN_OK (possibly with none), or an error in err. */
int pn_domain_lists_load(const struct pn_conf *c, struct pn_domain_lists **out, char *err,
    size_t cap);
void pn_domain_lists_free(struct pn_domain_lists *d);
/* Add popularity_ranks and categories of domain (or its registrable domain) to out. */
void pn_domain_lists_annotate(const struct pn_domain_lists *d, const char *domain,
    struct json_object *out);

#endif
