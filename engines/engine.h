/*
 * engine.h - the one interface every detection engine implements.
 *
 * An engine is loaded once per worker process (init), then scans many files
 * (scan), possibly in a forked child of that process, and is reloaded when
 * its signatures change (reload).  A scan fills a pn_verdict: VirusTotal's
 * category, the label (or NULL), and the engine's version and update date.
 *
 * Ownership: pn_verdict strings are owned by the verdict and freed with
 * pn_verdict_release().  `details` is a json-c object owned by the verdict
 * (may be NULL): extra evidence such as matched strings, kept in the
 * report but not in last_analysis_results.
 *
 * Errors: init/reload return PN_OK or a negative PN_E* and set `error` on
 * the engine (a short human-readable reason, shown as health); scan returns
 * PN_OK with a category, or a negative code which the caller turns into
 * category "failure".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_ENGINE_H
#define PN_ENGINE_H

#include "pn.h"

struct json_object;
struct pn_conf;

/* VirusTotal's categories (VT-API.md §5.1), in the order stats are emitted. */
enum pn_category {
	PN_CAT_HARMLESS,
	PN_CAT_TYPE_UNSUPPORTED,
	PN_CAT_SUSPICIOUS,
	PN_CAT_CONFIRMED_TIMEOUT,
	PN_CAT_TIMEOUT,
	PN_CAT_FAILURE,
	PN_CAT_MALICIOUS,
	PN_CAT_UNDETECTED,
	PN_CAT__COUNT
};
const char *pn_category_name(enum pn_category c);    /* "type-unsupported", ... */
int pn_category_parse(const char *s, enum pn_category *out);

struct pn_verdict {
	enum pn_category category;
	char *result;                   /* label, or NULL (JSON null) */
	char *method;                   /* "blacklist", "heuristic", ... ; NULL = "blacklist" */
	struct json_object *details;    /* optional evidence, owned */
};
void pn_verdict_release(struct pn_verdict *v);

/* What an engine is given: the file as an fd and mapped bytes. */
struct pn_scan_target {
	int fd;                    /* read-only fd of the sample, at offset 0 */
	const uint8_t *data;       /* the whole sample mapped read-only (NULL when size 0) */
	size_t size;
	const char *type_tag;      /* VT type_tag from identification ("peexe", "text", ...), may be NULL */
	const char *name;          /* a submitted name, may be NULL */
	const char *md5, *sha1, *sha256; /* the sample's hashes when known (hex), else NULL */
};

struct pn_engine;

struct pn_engine_ops {
	const char *kind;  /* "clamav", "yara", ... */
	int (*init)(struct pn_engine *e, const struct pn_conf *conf);
	int (*scan)(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v);
	int (*reload)(struct pn_engine *e, const struct pn_conf *conf);
	void (*free)(struct pn_engine *e);
	/*
	 * Optional.  prepare: called once per kind with every engine of that
	 * kind in the set, after load and after each reload, in the process
	 * that later forks the scan children (e.g. YARA compiles all its packs
	 * into one rule set here).  scan_group: scan with n engines of this
	 * kind in one pass; rc[i] is engine i's scan() return value.
	 */
	void (*prepare)(struct pn_engine **v, size_t n);
	void (*scan_group)(struct pn_engine **v, size_t n, const struct pn_scan_target *t,
	    struct pn_verdict *out, int *rc);
};

struct pn_engine {
	const struct pn_engine_ops *ops;
	char name[64];             /* column in the Detection tab, e.g. "ClamAV" */
	char version[64];          /* engine_version */
	char update[16];           /* engine_update, "YYYYMMDD" (signature date) */
	char error[256];           /* last init/reload error, "" when healthy */
	int timeout_s;             /* per-scan wall-clock limit */
	uint64_t max_size;         /* larger files get type-unsupported; 0 = no limit */
	unsigned confine_flags;    /* PN_ENGINE_NEEDS_*: set by init, read by the job */
	void *priv;                /* the adapter's own state */
	/*
	 * Signature version for the result cache: finer than `update` (a
	 * digest of the rules, say); set by init/reload; "" = `update`.
	 */
	char sigver[80];
	/*
	 * File types judged, comma-separated words matched against the
	 * file's type_tag and type_tags ("pe,peexe,pedll"); "" = every type.
	 * Others get type-unsupported without running.  Set from the
	 * engine's `<section>.types` option (engines.c).
	 */
	char types[256];
	/*
	 * Digest of the engine's configuration section (every `<section>.*`
	 * value), set by the set at load: the result cache keys verdicts by
	 * it too, so changed options (a heuristic threshold) are not served
	 * stale verdicts.  "" for engines built outside the set.
	 */
	char confsig[20];
};

/*
 * Does an engine with this types list judge a file with these tags
 * (type_tag + type_tags words, space-separated)?  A file of no known type
 * (tags NULL or "") goes to every engine, which may still answer
 * type-unsupported itself.
 */
int pn_engine_accepts(const struct pn_engine *e, const char *tags);

/*
 * What an engine's scan child must be allowed despite the seccomp filter
 * (analysis/confine.c); 0 = full confinement.  Set by the adapter's init.
 *   NEEDS_NET   socket, connect, sendto, sendmsg (talks to a local daemon)
 *   NEEDS_EXEC  fork/clone, execve, kill of its own process group (runs a
 *               command; the command inherits the rlimits and no_new_privs)
 */
#define PN_ENGINE_NEEDS_NET   0x1u
#define PN_ENGINE_NEEDS_EXEC  0x2u
/*
 * A light engine (no large state, no external library that could crash)
 * may share one scan child with the other light engines: fewer forks per
 * file, at the price that a crash there fails all of them together.
 */
#define PN_ENGINE_SHARE_CHILD 0x4u
/*
 * The engine reads neither the target's type_tag nor its hashes: when it
 * also judges every type (types ""), its child starts on the file beside
 * the type check instead of after it (analysis/job.c).
 */
#define PN_ENGINE_TYPE_BLIND  0x8u

/* The set of engines a worker runs. */
struct pn_engines {
	struct pn_engine **v;
	size_t n;
};

/*
 * Build every configured engine.  Engines that fail to initialise stay in
 * the set with `error` set (their scans report "failure"), so one broken
 * engine never hides the others.  Returns PN_OK.
 */
int pn_engines_load(struct pn_engines *set, const struct pn_conf *conf);
void pn_engines_free(struct pn_engines *set);
/* Call each kind's prepare op (pn_engines_load does; call it again after reloads). */
void pn_engines_prepare(struct pn_engines *set);

/* Adapters. */
extern const struct pn_engine_ops pn_engine_clamav_ops;
extern const struct pn_engine_ops pn_engine_hashlist_ops;
extern const struct pn_engine_ops pn_engine_clamd_ops;
extern const struct pn_engine_ops pn_engine_icap_ops;
extern const struct pn_engine_ops pn_engine_cmdline_ops;
extern const struct pn_engine_ops pn_engine_heur_pe_ops;     /* heur_pe.c */
extern const struct pn_engine_ops pn_engine_heur_script_ops; /* heur_script.c */
extern const struct pn_engine_ops pn_engine_heur_doc_ops;    /* heur_doc.c */

#endif
