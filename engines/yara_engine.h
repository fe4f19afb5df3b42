/*
 * yara_engine.h - the YARA engine (engines/yara.c): one engine per rule pack, and
 * the engine-instance hook that lets one adapter fill several rows of the
 * engine set (engines/engines.c).
 *
 * Engine instances: a row of engine_table[] may name an instances function
 * instead of standing for one engine.  The function lists the instances
 * (Detection-tab name + an argument for the adapter); the set builds one
 * struct pn_engine per instance and, before calling ops->init, stores the
 * instance's argument in e->priv.  init takes ownership of that argument
 * (keeps it in its own state or frees it) and replaces e->priv with its
 * state; free must release it even when init failed.  Rows without an
 * instances function leave e->priv NULL, as before.
 * (The hook is general; it lives here until engine.h adopts it.  The file
 * is not called yara.h: with -Iengines that name would hide libyara's
 * <yara.h>.)
 *
 * Ownership: pn_yara_instances() returns a new array; the caller passes
 * each arg to an engine or frees it, then frees the array.
 * Limits: PN_YARA_MAX_PACKS packs per worker; PN_YARA_MAX_FILES rule files
 * per pack; PN_YARA_MAX_RULES_REPORTED rules and
 * PN_YARA_MAX_STRINGS_REPORTED string matches per rule in one verdict's
 * details, PN_YARA_MAX_DATA bytes of each matched string.
 * See also: docs/internals/yara.md, docs/internals/engines.md,
 * tests/unit/test_yara.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_YARA_ENGINE_H
#define PN_YARA_ENGINE_H

#include "engine.h"

#define PN_YARA_MAX_PACKS            64     /* packs (engine rows) */
#define PN_YARA_MAX_FILES            10000  /* .yar/.yara files in one pack */
#define PN_YARA_MAX_RULES_REPORTED   32     /* matching rules listed in details */
#define PN_YARA_MAX_STRINGS_REPORTED 16     /* string matches listed per rule */
#define PN_YARA_MAX_DATA             64     /* bytes of a matched string shown */
#define PN_YARA_MAX_META_STRING      1024   /* bytes of a meta value copied */

/* One engine a multi-instance row expands to. */
struct pn_engine_instance {
	char name[64];          /* Detection-tab column, e.g. "YARA-Packers" */
	char *arg;              /* adapter argument (heap string) or NULL; see above */
};

/*
 * Lists the instances of a multi-instance kind.  prefix is the row's name
 * ("YARA"); on PN_OK *out holds *n instances (a new array, *n >= 1 when the
 * kind is usable at all).  Errors: negative PN_E*.
 */
typedef int pn_engine_instances_fn(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n);

/* Release an array from an instances function (args still in it are freed). */
void pn_engine_instances_free(struct pn_engine_instance *v, size_t n);

/*
 * The YARA packs of conf: one instance per subdirectory of yara.rules_dir
 * holding rule files (sorted by name; rule files directly in rules_dir
 * form a pack named after it), then one per yara.extra_packs directory, in
 * the order given.  Names are prefix-CamelCase(basename) ("YARA-Packers",
 * "YARA-RansomNotes"); arg is the pack's directory.  With no pack at all
 * there is one instance named prefix whose arg is NULL (its init reports
 * why).  Returns PN_OK.
 */
pn_engine_instances_fn pn_yara_instances;

/* The rules directory yara.rules_dir names, or the built-in one; into out. */
void pn_yara_rules_dir(const struct pn_conf *conf, char *out, size_t len);

extern const struct pn_engine_ops pn_engine_yara_ops;

#endif
