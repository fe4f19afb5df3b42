/*
 * conf.h - configuration: one INI file plus --set section.key=value
 * overrides, checked against the table of known options (lib/conf.c), each
 * documented in docs/CONFIG.md.
 *
 * Lookups return the configured value or the option's default.  An unknown
 * section.key in the file or on the command line is an error, so a typo
 * never silently falls back to a default.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_CONF_H
#define PN_CONF_H

#include "pn.h"

struct pn_conf;

enum pn_conf_type { PN_CONF_STR, PN_CONF_INT, PN_CONF_BOOL, PN_CONF_SIZE };

/* One known option; a module's table ends with a NULL key. */
struct pn_conf_opt {
	const char *key;          /* "section.key" */
	enum pn_conf_type type;
	const char *def;          /* default, as text */
	const char *desc;         /* one line for --help */
};

/* Every table (lib/conf_tables.c), NULL-terminated; each module owns one. */
extern const struct pn_conf_opt *const pn_conf_tables[];
extern const struct pn_conf_opt pn_conf_core[];

struct pn_conf *pn_conf_new(void);
void pn_conf_free(struct pn_conf *c);

/* Load an INI file; errors name the file and line in err (may be NULL). */
int pn_conf_load_file(struct pn_conf *c, const char *path, char *err, size_t errlen);
/* Apply "section.key=value"; later calls win over earlier ones and the file. */
int pn_conf_set(struct pn_conf *c, const char *assignment, char *err, size_t errlen);
/* Set one key directly (e.g. from --listen). */
int pn_conf_put(struct pn_conf *c, const char *key, const char *value);

/* Value of "section.key" (configured or default); borrowed, lives as long as c. */
const char *pn_conf_get(const struct pn_conf *c, const char *key);
int64_t pn_conf_get_int(const struct pn_conf *c, const char *key);
int pn_conf_get_bool(const struct pn_conf *c, const char *key);
/* Sizes accept K, M, G suffixes (powers of 1024). */
uint64_t pn_conf_get_size(const struct pn_conf *c, const char *key);

/* Validate every value's type; returns PN_OK or PN_EINVAL with err set. */
int pn_conf_check(const struct pn_conf *c, char *err, size_t errlen);

/* Print the known options, their defaults and descriptions. */
void pn_conf_print_options(FILE *out);

#endif
