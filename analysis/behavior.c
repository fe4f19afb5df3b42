/*
 * behavior.c - the Behavior step of a file's analysis (issue 8), run by the
 * worker after the file's detection and details are recorded:
 *
 * - a "Panoptes Static Capabilities" report from the file's static details
 *   (sandbox/static_caps.c) for executables, scripts and documents;
 * - for an ELF program or a #! script: a run in the Linux sandbox
 *   (sandbox/run.c: namespaces, overlay, cgroups, tracer, fake network),
 *   its events turned into a "Linux Tracer" report (sandbox/report.c);
 *   the run's directory (events.jsonl, run.json, stdout/stderr) is kept
 *   under DATA/behaviours/<sha256>/ so reports can be rebuilt offline when
 *   rules change;
 * - for a PE program (issue 9): the same under Wine inside that sandbox, a
 *   "Panoptes Wine Tracer" report with rules/behavior/windows.rules (the
 *   golden Wine prefix is prepared on first use, sandbox.wine_dir);
 * - files the sample dropped become file objects of their own
 *   (dropped_files / execution_parents), seen by whoever sees the sample;
 * - names it resolved, addresses and URLs it contacted become domain, IP and
 *   URL objects linked as contacted_domains / contacted_ips / contacted_urls
 *   (and communicating_files from their side).
 *
 * When the kernel refuses what the sandbox needs, no run happens: the step
 * logs why once and the static report is still made.  Options: [behavior].
 *
 * SPDX-License-Identifier: MIT
 */
#include "worker.h"
#include "blob.h"
#include "conf.h"
#include "hash.h"
#include "pn_limits.h"
#include "report.h"
#include "sandbox.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <unistd.h>

const struct pn_conf_opt pn_conf_behavior[] = {
	{ "behavior.enabled", PN_CONF_BOOL, "true", "run ELF programs and scripts in the Linux sandbox" },
	{ "behavior.windows", PN_CONF_BOOL, "true", "run PE programs under Wine inside the sandbox (issue 9)" },
	{ "behavior.static", PN_CONF_BOOL, "true", "static capabilities report for executables, scripts and documents" },
	{ "behavior.max_size", PN_CONF_SIZE, "64M", "larger files are not run" },
	{ "behavior.workers", PN_CONF_INT, "1", "sandbox workers that serve starts beside the analysis workers: sandbox runs are queued jobs, so a slow run never holds up detection (0: each analysis worker runs its files' sandbox runs itself, after their detection)" },
	{ "behavior.keep_runs", PN_CONF_BOOL, "true", "keep each run's events under DATA/behaviours/ (rules can be re-run offline)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_BEH_MAX_DROPPED 64      /* dropped files stored per run */
#define PN_BEH_MAX_CONTACTS 256    /* contacted names/addresses/URLs linked per run */

struct pn_behavior {
	struct pn_rules *linux_rules, *static_rules, *windows_rules;
	int available;
	int windows;               /* 0 off, 1 on (checked per bitness at run time) */
	char why[256];
};

static struct pn_rules *
load_rules(const char *rel)
{
	struct pn_rules *r = NULL;
	char path[4096], err[512];

	if (pn_builtin_path(rel, path, sizeof(path)) != PN_OK) {
		log_warnx("behavior: %s not found", rel);
		return NULL;
	}
	if (pn_rules_load(path, &r, err, sizeof(err)) != PN_OK) {
		log_warnx("behavior: %s", err);
		return NULL;
	}
	return r;
}

struct pn_behavior *
pn_behavior_new(const struct pn_conf *conf)
{
	struct pn_behavior *b = pn_xcalloc(1, sizeof(*b));

	b->linux_rules = load_rules("rules/behavior/linux.rules");
	b->static_rules = load_rules("rules/behavior/static.rules");
	b->windows_rules = load_rules("rules/behavior/windows.rules");
	b->available = pn_conf_get_bool(conf, "behavior.enabled") &&
	    pn_sandbox_available(b->why, sizeof(b->why)) == PN_OK;
	if (pn_conf_get_bool(conf, "behavior.enabled") && !b->available)
		log_warnx("behavior: the Linux sandbox is unavailable here: %s", b->why);
	b->windows = b->available && pn_conf_get_bool(conf, "behavior.windows");
	return b;
}

void
pn_behavior_free(struct pn_behavior *b)
{
	if (b == NULL)
		return;
	pn_rules_free(b->linux_rules);
	pn_rules_free(b->static_rules);
	pn_rules_free(b->windows_rules);
	free(b);
}

/* ------------------------------------------------------------- helpers */

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static char *
text_of(json_object *o)
{
	return pn_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Does the report hold anything worth showing (a list with entries, a match)? */
static int
has_content(json_object *r)
{
	static const char *const keys[] = {
		"signature_matches", "mitre_attack_techniques", "processes_tree",
		"command_executions", "files_written", "dns_lookups", "ip_traffic",
	};
	json_object *v;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(keys); i++)
		if (json_object_object_get_ex(r, keys[i], &v) &&
		    json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0)
			return 1;
	return 0;
}

static int
store_report(struct pn_store *st, const char *sha256, json_object *report)
{
	const char *name = jstr(report, "sandbox_name");
	json_object *verdict = pn_behavior_sandbox_verdict(report);
	char *rt = text_of(report), *vt = verdict ? text_of(verdict) : NULL;
	int rc = pn_store_behaviour_put(st, sha256, name ? name : "unknown", pn_now(), rt, vt);

	free(rt);
	free(vt);
	json_object_put(verdict);
	if (rc != PN_OK)
		log_warnx("behavior: could not store the %s report of %s", name ? name : "?", sha256);
	return rc;
}

enum run_kind { RUN_NONE, RUN_LINUX, RUN_WINDOWS };

/* What runs the sample: the Linux sandbox (ELF, #! script), Wine (a PE program), or nothing. */
static enum run_kind
runnable(const char *datadir, const char *sha256, uint64_t max_size, char *path, size_t cap)
{
	unsigned char head[4] = { 0 };
	enum run_kind k = RUN_NONE;
	struct stat sb;
	int fd;

	if (pn_blob_open(datadir, sha256, &fd) != PN_OK)
		return RUN_NONE;
	if (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size <= max_size && sb.st_size >= 4 &&
	    pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head)) {
		if (memcmp(head, "\177ELF", 4) == 0 || (head[0] == '#' && head[1] == '!'))
			k = RUN_LINUX;
		else if (head[0] == 'M' && head[1] == 'Z')
			k = RUN_WINDOWS;
	}
	close(fd);
	pn_blob_path(datadir, sha256, path, cap);
	if (k == RUN_WINDOWS && pn_sandbox_pe_bits(path) == 0)
		k = RUN_NONE;          /* MZ without a runnable PE header */
	return k;
}

/* A static report only for what has code in it. */
static int
static_worthy(json_object *details)
{
	static const char *const keys[] = {
		"pe_info", "elf_info", "macho_info", "script_info", "office_info", "openxml_info",
		"pdf_info", "rtf_info",
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(keys); i++)
		if (json_object_object_get_ex(details, keys[i], NULL))
			return 1;
	return 0;
}

/* ------------------------------------------------------------- outputs */

/* Each file the sample dropped: a file object, linked to the sample. */
static void
store_dropped(struct pn_store *st, const char *datadir, const char *sha256, const char *dir,
    json_object *report)
{
	json_object *list;
	size_t i, n;

	if (!json_object_object_get_ex(report, "files_dropped", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	n = json_object_array_length(list);
	for (i = 0; i < n && i < PN_BEH_MAX_DROPPED; i++) {
		json_object *d = json_object_array_get_idx(list, i);
		const char *dsha = jstr(d, "sha256"), *path = jstr(d, "path");
		struct pn_file_submission sub;
		struct pn_hashes h;
		struct stat sb;
		char *src, aid[128];
		const char *base;
		int fd;

		if (dsha == NULL || strlen(dsha) != 64 || !pn_is_hex(dsha, 64))
			continue;
		if (strcmp(dsha, sha256) == 0) {
			/* A copy of itself: the link says so; the file is already stored. */
			pn_store_edge_add(st, "file", sha256, "dropped_files", "file", sha256, NULL);
			continue;
		}
		src = pn_xasprintf("%s/dropped/%s", dir, dsha);
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) != 0 || pn_hash_fd(fd, PN_HASH_CRYPTO, &h) != PN_OK ||
		    strcmp(h.sha256, dsha) != 0) {
			if (fd >= 0)
				close(fd);
			free(src);
			continue;
		}
		/* The run's copy stays (the report names it); the blob store gets its own. */
		{
			char *copy = pn_xasprintf("%s/tmp/dropped-%s", datadir, dsha);
			int out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			char buf[65536];
			ssize_t r;
			lseek(fd, 0, SEEK_SET);
			while (out >= 0 && (r = read(fd, buf, sizeof(buf))) > 0)
				if (pn_write_all(out, buf, (size_t)r) != PN_OK)
					break;
			close(fd);
			if (out < 0) {
				free(copy);
				free(src);
				continue;
			}
			lseek(out, 0, SEEK_SET);
			close(out);
			fd = open(copy, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || pn_blob_commit(datadir, fd, copy, dsha) != PN_OK) {
				unlink(copy);
				free(copy);
				free(src);
				continue;
			}
			free(copy);
		}
		free(src);
		base = path ? strrchr(path, '/') : NULL;
		memset(&sub, 0, sizeof(sub));
		sub.sha256 = h.sha256;
		sub.sha1 = h.sha1;
		sub.md5 = h.md5;
		sub.size = (uint64_t)sb.st_size;
		sub.name = base ? base + 1 : path;
		sub.user = "panoptes";
		sub.interface = "sandbox";
		sub.parent = sha256;
		sub.parent_type = "file";
		sub.date = pn_now();
		if (pn_store_file_submit(st, &sub, aid) != PN_OK)
			continue;
		pn_store_edge_add(st, "file", sha256, "dropped_files", "file", h.sha256, NULL);
		pn_store_edge_add(st, "file", h.sha256, "execution_parents", "file", sha256, NULL);
	}
}

static void
contact(struct pn_store *st, const char *sha256, const char *rel, const char *type,
    const char *id)
{
	pn_store_edge_add(st, "file", sha256, rel, type, id, NULL);
	if (strcmp(type, "url") != 0)
		pn_store_edge_add(st, type, id, "communicating_files", "file", sha256, NULL);
}

/* Names, addresses and URLs the sample reached for. */
static void
store_contacts(struct pn_store *st, const char *sha256, json_object *report,
    const struct pn_sandbox_opts *o)
{
	json_object *list;
	size_t i, n, done = 0;

	if (json_object_object_get_ex(report, "dns_lookups", &list)) {
		n = json_object_array_length(list);
		for (i = 0; i < n && done < PN_BEH_MAX_CONTACTS; i++, done++) {
			const char *h = jstr(json_object_array_get_idx(list, i), "hostname");
			if (h && pn_netjob_seen_object(st, "domain", h, -1) == PN_OK)
				contact(st, sha256, "contacted_domains", "domain", h);
		}
	}
	if (json_object_object_get_ex(report, "ip_traffic", &list)) {
		n = json_object_array_length(list);
		for (i = 0; i < n && done < PN_BEH_MAX_CONTACTS; i++, done++) {
			const char *ip = jstr(json_object_array_get_idx(list, i), "destination_ip");
			/* The sandbox's resolver and the fake DNS's sinkhole are ours. */
			if (ip == NULL || strcmp(ip, PN_SANDBOX_DNS) == 0 ||
			    (o->sinkhole_v4 && strcmp(ip, o->sinkhole_v4) == 0))
				continue;
			if (pn_netjob_seen_object(st, "ip_address", ip, -1) == PN_OK)
				contact(st, sha256, "contacted_ips", "ip_address", ip);
		}
	}
	if (json_object_object_get_ex(report, "http_conversations", &list)) {
		n = json_object_array_length(list);
		for (i = 0; i < n && done < PN_BEH_MAX_CONTACTS; i++, done++) {
			const char *u = jstr(json_object_array_get_idx(list, i), "url");
			char uid[65];
			if (u && pn_netjob_seen_url(st, u, "file", sha256, uid) == PN_OK)
				contact(st, sha256, "contacted_urls", "url", uid);
		}
	}
}

/* ---------------------------------------------------------------- run */

static int
mkdirs(const char *path)
{
	char tmp[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return PN_ELIMIT;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return PN_EIO;
		tmp[i] = path[i];
	}
	return PN_OK;
}

static void
remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = pn_xasprintf("%s/%s", dir, e->d_name);
		if (unlink(p) != 0 && (errno == EISDIR || errno == EPERM))
			remove_tree(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
dynamic(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, const char *name, enum run_kind kind,
    const char *sample)
{
	struct pn_sandbox_opts o;
	json_object *report = NULL;
	char *dir, err[512];
	int64_t t0 = pn_mono_ms();
	int rc;

	if (pn_sandbox_opts_from_conf(conf, &o) != PN_OK) {
		log_warnx("behavior: bad [sandbox] options");
		return;
	}
	dir = pn_xasprintf("%s/behaviours/%s/%lld", datadir, sha256, (long long)pn_now());
	if (mkdirs(dir) != PN_OK) {
		log_warn("behavior: mkdir %s", dir);
		goto out;
	}
	rc = kind == RUN_WINDOWS ? pn_sandbox_run_wine(&o, sample, name, dir, err, sizeof(err)) :
	    pn_sandbox_run(&o, sample, name, dir, err, sizeof(err));
	if (rc != PN_OK) {
		log_warnx("behavior: %s: the sandbox could not run: %s", sha256, err);
		goto out;
	}
	if (pn_behavior_report(dir, kind == RUN_WINDOWS ? b->windows_rules : b->linux_rules, name,
	    &report, err, sizeof(err)) != PN_OK) {
		log_warnx("behavior: %s: no report: %s", sha256, err);
		goto out;
	}
	store_report(st, sha256, report);
	store_dropped(st, datadir, sha256, dir, report);
	store_contacts(st, sha256, report, &o);
	log_info("behavior: %s run and reported in %lld ms", sha256,
	    (long long)(pn_mono_ms() - t0));
out:
	json_object_put(report);
	if (!pn_conf_get_bool(conf, "behavior.keep_runs"))
		remove_tree(dir);
	free(dir);
}

int
pn_behavior_would_run(const struct pn_behavior *b, const struct pn_conf *conf,
    const char *datadir, const char *sha256)
{
	char sample[4096];
	enum run_kind k;

	if (b == NULL || !b->available)
		return 0;
	k = runnable(datadir, sha256, pn_conf_get_size(conf, "behavior.max_size"), sample,
	    sizeof(sample));
	return k == RUN_LINUX || (k == RUN_WINDOWS && b->windows);
}

void
pn_behavior_file(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, const char *details_text, const char *name)
{
	pn_behavior_file_ex(b, st, conf, datadir, sha256, details_text, name,
	    PN_BEHAVIOR_STATIC | PN_BEHAVIOR_DYNAMIC);
}

void
pn_behavior_file_ex(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, const char *details_text, const char *name,
    unsigned what)
{
	json_object *details = details_text ? json_tokener_parse(details_text) : NULL;

	if (b == NULL) {
		json_object_put(details);
		return;
	}
	if ((what & PN_BEHAVIOR_STATIC) && pn_conf_get_bool(conf, "behavior.static") &&
	    b->static_rules && details && static_worthy(details)) {
		json_object *rep = NULL;
		if (pn_static_caps_report(details, b->static_rules, &rep) == PN_OK && rep &&
		    has_content(rep))
			store_report(st, sha256, rep);
		json_object_put(rep);
	}
	if ((what & PN_BEHAVIOR_DYNAMIC) && b->available) {
		char sample[4096];
		enum run_kind k = runnable(datadir, sha256, pn_conf_get_size(conf, "behavior.max_size"),
		    sample, sizeof(sample));
		if (k == RUN_LINUX || (k == RUN_WINDOWS && b->windows))
			dynamic(b, st, conf, datadir, sha256, name, k, sample);
	}
	json_object_put(details);
}
