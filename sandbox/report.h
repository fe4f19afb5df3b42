/*
 * report.h - behaviour reports: a sandbox run (events.jsonl + run.json) or
 * a file's static details become a VirusTotal `file_behaviour` attributes
 * object; several of them merge into `behaviour_summary` and
 * `behaviour_mitre_trees`.
 *
 * Files: report.c (events → report), rules.c (rule files: loader and
 * evaluator), static_caps.c (static details → "Panoptes Static
 * Capabilities" report), summary.c (summary, MITRE trees, verdicts).
 * Rule format and field list: docs/internals/behavior-rules.md; rules in
 * rules/behavior/linux.rules and rules/behavior/static.rules.
 *
 * Ownership: every function returning a json_object returns a new one the
 * caller releases with json_object_put(); inputs are borrowed.  A struct
 * pn_rules is read-only after loading and may be shared between threads.
 *
 * Errors: PN_EIO (file unreadable), PN_EFORMAT (rule syntax; err names
 * file:line), PN_ELIMIT (a rule file over a limit).  Bad events never
 * fail a report: malformed, over-long, wrongly typed lines are skipped
 * and counted in the report's `run_info` (a Panoptes extra).
 *
 * Limits: PN_BEH_* and PN_RULES_* below.
 * See also: tests/unit/test_behavior.c, tests/fuzz/fuzz_events.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_REPORT_H
#define PN_REPORT_H

#include "pn.h"

#include <json-c/json.h>

/* ---------------------------------------------------------------- limits */

#define PN_BEH_MAX_EVENTS_BYTES (32u << 20) /* bytes of events.jsonl read */
#define PN_BEH_MAX_LINE       65536     /* bytes of one event line */
#define PN_BEH_MAX_EVENTS     100000    /* events kept from one run */
#define PN_BEH_MAX_JSON_DEPTH 8         /* nesting of one event */
#define PN_BEH_MAX_RUN_JSON   (1u << 20) /* bytes of run.json */
#define PN_BEH_MAX_LIST       1024      /* entries of each report list */
#define PN_BEH_MAX_STR        4096      /* bytes of one listed string */
#define PN_BEH_MAX_PROCS      4096      /* processes in processes_tree */
#define PN_BEH_MAX_TREE_DEPTH 64        /* nesting of processes_tree */
#define PN_BEH_MAX_NOTES      32        /* run_info.notes */
#define PN_BEH_MAX_NOISE      256       /* [noise] globs of a rule file */

#define PN_RULES_MAX_FILE     (1u << 20) /* bytes of a rule file */
#define PN_RULES_MAX_LINE     4096      /* bytes of one rule-file line */
#define PN_RULES_MAX_RULES    1024      /* rules in a file */
#define PN_RULES_MAX_CLAUSES  16        /* on = lines of one rule */
#define PN_RULES_MAX_PREDS    16        /* predicates of one on = line */
#define PN_RULES_MAX_ALTS     64        /* a|b|c alternatives of one value */
#define PN_RULES_MAX_VARS     8         /* $captures of a sequence rule */
#define PN_RULES_MAX_EVIDENCE 16        /* match_data strings per rule */
#define PN_RULES_MAX_EVID_LEN 512       /* bytes of one evidence string */
#define PN_RULES_MAX_SEQ_CAND 4096      /* candidate events per sequence step */
#define PN_RULES_MAX_SEQ_START 512      /* first steps tried per sequence rule */

#define PN_BEH_SANDBOX_LINUX  "Linux Tracer"
#define PN_BEH_SANDBOX_STATIC "Panoptes Static Capabilities"
#define PN_BEH_SANDBOX_WINE   "Panoptes Wine Tracer"

struct pn_rules;

/* ---------------------------------------------------------------- rules */

/*
 * Load a rule file (format: docs/internals/behavior-rules.md).  PN_OK and
 * *out (free with pn_rules_free), or an error with a message "path:line:
 * what" in err.
 */
int pn_rules_load(const char *path, struct pn_rules **out, char *err, size_t errlen);
/* The same from memory; name is used in messages only. */
int pn_rules_load_mem(const char *text, size_t len, const char *name, struct pn_rules **out,
    char *err, size_t errlen);
void pn_rules_free(struct pn_rules *rs);
/* Number of rules loaded. */
size_t pn_rules_count(const struct pn_rules *rs);
/* The id of rule i (i < pn_rules_count), borrowed. */
const char *pn_rules_id(const struct pn_rules *rs, size_t i);

/* ---------------------------------------------------------------- reports */

/*
 * events.jsonl and run.json in dir (SANDBOX.md §5.5) → *out, a new
 * `file_behaviour` attributes object with sandbox_name "Linux Tracer".
 * rules may be NULL (lists only, no detections).  sample_name (may be
 * NULL: run.json's sample_name) is the sample's file name; its path in the
 * sandbox is the first exec of that name (as image or argument, for
 * scripts), else the first exec; behash replaces it with %SAMPLE%.  A
 * missing events.jsonl is PN_EIO; a missing or broken run.json a note.
 * analysis_date is the run.json start_time, else now.  Also sets
 * has_pcap when dir/net.pcap is a non-empty file.
 */
int pn_behavior_report(const char *dir, const struct pn_rules *rules, const char *sample_name,
    struct json_object **out, char *err, size_t errlen);
/* The same from memory (run_json may be NULL); never fails on bad input. */
int pn_behavior_report_mem(const char *events, size_t elen, const char *run_json, size_t rlen,
    const struct pn_rules *rules, const char *sample_name, struct json_object **out);

/*
 * A file's static details attributes (what the parsers produce: pe_info,
 * elf_info, strings_info, tags, …; borrowed) → *out, a new report with
 * sandbox_name "Panoptes Static Capabilities": signature_matches
 * (SIG_FORMAT_CAPA, rule_src), mitre_attack_techniques, tags, verdicts,
 * behash.  PN_OK, or PN_EINVAL when details_attrs is not an object.
 */
int pn_static_caps_report(struct json_object *details_attrs, const struct pn_rules *static_rules,
    struct json_object **out);

/*
 * behaviour_summary: the union of n reports without the report-only
 * fields (sandbox_name, analysis_date, behash, has_*, run_info, …).
 * Lists are deduplicated and capped at PN_BEH_MAX_LIST.  New object; it
 * shares unchanged entries with the reports by reference (json-c counts
 * are not atomic: do not touch both from different threads at once).
 */
struct json_object *pn_behavior_summary(struct json_object *const *reports, size_t n);

/*
 * behaviour_mitre_trees: {"<sandbox name>": {"tactics": [{id, name,
 * description, link, techniques: [{id, name, description, link,
 * signatures: [{severity, description}]}]}]}} for n reports;
 * sandbox_names[i] may be NULL to use reports[i]'s sandbox_name.
 */
struct json_object *pn_behavior_mitre_trees(struct json_object *const *reports,
    const char *const *sandbox_names, size_t n);

/*
 * sandbox_verdicts entry of a report (VT-API.md §5.2): {category
 * ("malicious", "suspicious", "harmless", "undetected"), confidence,
 * malware_classification, malware_names, sandbox_name}.  New object.
 */
struct json_object *pn_behavior_sandbox_verdict(struct json_object *report);

/* ------------------------------------------ internal (report/rules/static) */

/* One event (or static feature) as the rule evaluator sees it. */
struct pn__bev {
	double t;                /* seconds since the run started */
	int64_t pid, ppid;
	const char *ev;          /* event type, borrowed from o */
	struct json_object *o;   /* the event; owned by the set */
	char *argv;              /* argv joined by spaces, or NULL */
	char *evid;              /* evidence line (built lazily) */
	const char *image;       /* the process image at this event (borrowed) */
	unsigned created : 1;    /* path was created/written earlier in the run */
};

struct pn__bset {
	struct pn__bev *v;
	size_t n, cap;
	char *sample;            /* the sample's path in the sandbox, or NULL */
	struct pn__proc *procs;  /* process table (report.c) */
	size_t nprocs, procs_cap;
	size_t *pidx;            /* pid hash → procs index + 1 */
	size_t pidx_cap;
	struct json_object *pool; /* array keeping image strings alive */
};

struct pn__proc {
	int64_t pid, ppid;
	double start, end;       /* end < 0: still running */
	const char *name;        /* argv joined of the last exec, or comm (pooled) */
	const char *image;       /* path of the last exec (pooled) */
	int exited, killed;
	int64_t code, sig;
};

/* Process table: index of pid, creating it when create != 0; -1 if full/absent. */
long pn__proc_get(struct pn__bset *s, int64_t pid, int create);
/* Evidence line of an event (built on first use, owned by the event). */
const char *pn__bev_evidence(struct pn__bev *e);
/*
 * Run every rule over s; append signature_matches, mitre_attack_techniques,
 * tags and verdicts to report; format is "SIG_FORMAT_KEYWORD" or
 * "SIG_FORMAT_CAPA".  Fired rule ids are added to the JSON array fired
 * (may be NULL).  Returns the number of rules that fired.
 */
size_t pn__rules_eval(const struct pn_rules *rs, struct pn__bset *s, struct json_object *report,
    const char *format, struct json_object *fired);
/* Whether a read of path is loader/libc noise per the [noise] section. */
int pn__rules_noise(const struct pn_rules *rs, const char *path);
/* Add s to a deduplicated, capped string list (seen: object used as set). */
void pn__list_add(struct json_object *list, struct json_object *seen, const char *s);
/* behash of a report (SANDBOX.md §5.6) from fired ids, commands, DNS, writes. */
void pn__behash(struct json_object *report, struct json_object *fired, const char *sample,
    char out[65]);
/* verdicts + verdict_confidence from the fired rules' severities. */
void pn__verdict(struct json_object *report);
void pn__bset_release(struct pn__bset *s);

#endif
