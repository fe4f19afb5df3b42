/*
 * yara.c - the YARA engine: libyara behind engine.h, one engine per rule
 * pack.
 *
 * A pack is a directory of .yar/.yara files: every subdirectory of
 * yara.rules_dir (the project's packs, rules/ by default) and every
 * directory listed in yara.extra_packs.  pn_yara_instances() lists them and
 * the engine set (engines.c) makes one engine row per pack, named
 * "YARA-<Pack>".  init compiles the pack's files, each in a namespace named
 * after the file, into one YR_RULES that every scan of the process (and of
 * its forked scan children) uses read-only; reload compiles again and swaps
 * only once the new rules compiled, so a bad edit never takes a pack down.
 *
 * A scan runs a YR_SCANNER (per scan, so concurrent scans are safe) over
 * the mapped bytes with SCAN_FLAGS_REPORT_RULES_MATCHING and a timeout of
 * 90% of e->timeout_s, and classifies each matching rule from its meta and
 * tags (docs/internals/yara.md §3):
 *   malicious   any malicious rule matched  result = first malicious rule
 *   suspicious  only suspicious (and info)  result = first suspicious rule,
 *                                           method "heuristic"
 *   undetected  only info rules, or none    result null
 *   timeout     libyara ran out of time (ERROR_SCAN_TIMEOUT)
 * details = {"matches": [{rule, ruleset_name, pack, category, tags, meta,
 * strings: [{identifier, offset, length, data, encoding}]}], ...} so a
 * reader sees why.
 *
 * Ownership: e->priv is a struct yara_pack owned by the engine (its dir
 * arrives in e->priv from the set, see yara_engine.h), freed by yara_free().
 * Verdict strings and details belong to the verdict.
 * Threads: scans may run concurrently; reload and free must not race a
 * scan (the worker reloads between jobs).  yr_initialize/yr_finalize are
 * paired per engine (libyara counts them); call them from one thread.
 * Limits: see yara_engine.h (PN_YARA_MAX_*); yara.max_strings_per_rule is
 * libyara's process-wide YR_CONFIG_MAX_STRINGS_PER_RULE.
 * Errors: init/reload return PN_EIO (pack directory unusable or without
 * rule files), PN_EFORMAT (a rule file failed to compile: e->error is the
 * compiler's "file:line: message"), PN_EINTERNAL (libyara failed); scan
 * returns PN_OK with a category, or PN_EINTERNAL (no rules compiled, or a
 * libyara error other than a timeout).  The verdict is overwritten, not
 * released: pass an empty or released one.
 * See also: engines/yara_engine.h, docs/internals/yara.md, rules/,
 * tests/unit/test_yara.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "yara_engine.h"
#include "conf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <openssl/evp.h>
#include <yara.h>

/* Options of this engine (docs/CONFIG.md [yara]). */
const struct pn_conf_opt pn_conf_yara[] = {
	{ "yara.enabled", PN_CONF_BOOL, "true", "run the YARA rule packs (one engine per pack)" },
	{ "yara.rules_dir", PN_CONF_STR, "", "directory whose subdirectories are rule packs; default: built-in rules/" },
	{ "yara.extra_packs", PN_CONF_STR, "", "more pack directories, colon-separated" },
	{ "yara.max_filesize", PN_CONF_SIZE, "100M", "largest file the YARA packs scan" },
	{ "yara.max_strings_per_rule", PN_CONF_INT, "10000", "most strings one rule may declare" },
	{ "yara.types", PN_CONF_STR, "*", "file types the YARA packs judge (type words, comma-separated; * = all)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PACK_PATH_MAX 4096

/* Where the built-in packs are, relative to the running binary's directory. */
#define RULES_CWD_DEFAULT "rules"

/* External variables every pack may use (LOKI/THOR convention). */
static const char *const externals[] = { "filename", "filepath", "extension", "filetype", "owner" };

struct yara_pack {
	char *dir;                      /* the pack's directory (owned); NULL: none found */
	YR_RULES *rules;                /* compiled, read-only; NULL until a compile succeeds */
	unsigned int nrules;            /* rules in `rules` (private ones included) */
	unsigned int nfiles;            /* rule files compiled */
	int yr_ready;                   /* yr_initialize succeeded (paired in yara_free) */
	struct yara_combined *comb;     /* this pack in the set's one rule set, or NULL */
	uint32_t max_strings;           /* yara.max_strings_per_rule at the last install */
};

/*
 * Every healthy pack of a set compiled into one YR_RULES (prepare), each
 * file in the namespace "<pack index>/<file>": one scan pass for all the
 * packs, matches split by the index.  Shared by its packs (refs).
 */
struct yara_combined {
	YR_RULES *rules;
	struct pn_engine **v;           /* the packs, by index */
	size_t n;
	int refs;
};

enum rule_class { CLASS_INFO, CLASS_SUSPICIOUS, CLASS_MALICIOUS, CLASS__COUNT };

static void rules_destroy(YR_RULES *rules);
static const char *const class_names[CLASS__COUNT] = { "info", "suspicious", "malicious" };

/* ------------------------------------------------------------------------
 * Small helpers.
 */

static int
has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), m = strlen(ext);

	return n > m && strcmp(name + n - m, ext) == 0;
}

static int
is_rule_file(const char *name)
{
	return name[0] != '.' && (has_ext(name, ".yar") || has_ext(name, ".yara"));
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* "YYYYMMDD" (UTC) of t into out, or "" when t is 0. */
static void
format_date(time_t t, char *out, size_t len)
{
	struct tm tm;

	out[0] = '\0';
	if (t > 0 && gmtime_r(&t, &tm) != NULL)
		strftime(out, len, "%Y%m%d", &tm);
}

/* ------------------------------------------------------------------------
 * Finding the packs.
 */

void
pn_yara_rules_dir(const struct pn_conf *conf, char *out, size_t len)
{
	const char *s = pn_conf_get(conf, "yara.rules_dir");

	if (s != NULL && *s != '\0') {
		pn_strlcpy(out, s, len);
		return;
	}
	/* Usually resolved by the command line already (cli/common.c). */
	if (pn_builtin_path("rules", out, len) != PN_OK || !is_dir(out))
		pn_strlcpy(out, RULES_CWD_DEFAULT, len);
}

/* Number of rule files directly in dir (0 when unreadable). */
static int
count_rule_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (is_rule_file(de->d_name))
			n++;
	closedir(d);
	return n;
}

/*
 * Column name of a pack: prefix-CamelCase(basename): words split at '-',
 * '_', '.' and ' ' get a capital first letter and are joined
 * ("ransom-notes" -> "YARA-RansomNotes").
 */
static void
pack_name(const char *prefix, const char *dir, char *out, size_t len)
{
	const char *b;
	char tmp[PACK_PATH_MAX];
	size_t n, o;
	int up = 1;

	pn_strlcpy(tmp, dir, sizeof(tmp));
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	b = base_name(tmp);
	o = (size_t)snprintf(out, len, "%s-", prefix);
	for (; *b != '\0' && o + 1 < len; b++) {
		if (strchr("-_. ", *b) != NULL) {
			up = 1;
			continue;
		}
		out[o++] = up ? (char)toupper((unsigned char)*b) : *b;
		up = 0;
	}
	out[PN_MIN(o, len - 1)] = '\0';
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_instance(struct pn_engine_instance *v, size_t *n, const char *prefix, const char *dir)
{
	size_t len;

	if (*n >= PN_YARA_MAX_PACKS) {
		log_warnx("yara: more than %d packs, %s ignored", PN_YARA_MAX_PACKS, dir);
		return;
	}
	pack_name(prefix, dir, v[*n].name, sizeof(v[*n].name));
	v[*n].arg = pn_xstrdup(dir);
	len = strlen(v[*n].arg);
	while (len > 1 && v[*n].arg[len - 1] == '/')
		v[*n].arg[--len] = '\0';     /* "pack/" -> "pack": its base name is the pack */
	(*n)++;
}

/* The subdirectories of root holding rule files, sorted; root itself if it holds some. */
static void
list_root(const char *root, const char *prefix, struct pn_engine_instance *v, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char **subs = NULL;
	size_t nsub = 0, cap = 0, i;

	if (d == NULL) {
		log_warnx("yara: rules directory %s: %s", root, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[PACK_PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", root, de->d_name) >= (int)sizeof(path))
			continue;
		if (!is_dir(path) || count_rule_files(path) == 0)
			continue;
		if (nsub == cap) {
			cap = cap ? cap * 2 : 16;
			subs = pn_xrealloc(subs, cap * sizeof(*subs));
		}
		subs[nsub++] = pn_xstrdup(path);
	}
	closedir(d);
	if (count_rule_files(root) > 0)
		add_instance(v, n, prefix, root);
	if (nsub > 1)
		qsort(subs, nsub, sizeof(*subs), name_cmp);
	for (i = 0; i < nsub; i++) {
		add_instance(v, n, prefix, subs[i]);
		free(subs[i]);
	}
	free(subs);
}

/* yara.extra_packs: colon-separated directories, each a pack even if broken. */
static void
list_extra(const char *list, const char *prefix, struct pn_engine_instance *v, size_t *n)
{
	const char *p = list, *colon;

	while (p != NULL && *p != '\0') {
		char dir[PACK_PATH_MAX];
		size_t len;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		if (len > 0 && len < sizeof(dir)) {
			memcpy(dir, p, len);
			dir[len] = '\0';
			add_instance(v, n, prefix, dir);
		}
		p = colon ? colon + 1 : NULL;
	}
}

int
pn_yara_instances(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	struct pn_engine_instance *v = pn_xcalloc(PN_YARA_MAX_PACKS, sizeof(*v));
	char root[PACK_PATH_MAX];

	*n = 0;
	pn_yara_rules_dir(conf, root, sizeof(root));
	list_root(root, prefix, v, n);
	list_extra(pn_conf_get(conf, "yara.extra_packs"), prefix, v, n);
	if (*n == 0) {
		pn_strlcpy(v[0].name, prefix, sizeof(v[0].name));
		v[0].arg = NULL;
		*n = 1;
	}
	*out = v;
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * Compiling a pack.
 */

struct compile_ctx {
	const char *dir;                /* pack directory, stripped from file names */
	char *err;                      /* first error, "file:line: message" */
	size_t errlen;
	int errors, warnings;
};

static void
on_compile_msg(int level, const char *file, int line, const YR_RULE *rule,
    const char *msg, void *user)
{
	struct compile_ctx *c = user;
	size_t dl = strlen(c->dir);
	const char *f = file != NULL ? file : "(string)";

	if (strncmp(f, c->dir, dl) == 0 && f[dl] == '/')
		f += dl + 1;
	if (level == YARA_ERROR_LEVEL_ERROR) {
		if (c->errors++ == 0)
			snprintf(c->err, c->errlen, "%s:%d: %s", f, line, msg);
		return;
	}
	c->warnings++;
	log_debug("yara: %s:%d: warning: %s", f, line, msg);
}

static int
rule_file_filter(const struct dirent *de)
{
	return is_rule_file(de->d_name);
}

/* Sorted rule files of dir into *names (free each and the array); count, or PN_EIO. */
static int
list_rule_files(const char *dir, struct dirent ***names)
{
	int n = scandir(dir, names, rule_file_filter, alphasort);

	if (n < 0)
		return PN_EIO;
	return n;
}

static int
define_externals(YR_COMPILER *comp)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(externals); i++)
		if (yr_compiler_define_string_variable(comp, externals[i], "") != ERROR_SUCCESS)
			return PN_EINTERNAL;
	return PN_OK;
}

/* Compile one file into comp, in the namespace named after it. */
static int
add_file(YR_COMPILER *comp, const char *dir, const char *name, time_t *newest,
    struct compile_ctx *cc, const char *prefix)
{
	char path[PACK_PATH_MAX], ns[256], pns[300];
	struct stat st;
	FILE *f;
	char *dot;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return PN_OK;
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return PN_OK;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(cc->err, cc->errlen, "%s: %s", name, strerror(errno));
		return PN_EIO;
	}
	pn_strlcpy(ns, name, sizeof(ns));
	if ((dot = strrchr(ns, '.')) != NULL)
		*dot = '\0';
	snprintf(pns, sizeof(pns), "%s%s", prefix ? prefix : "", ns);
	yr_compiler_add_file(comp, f, pns, path);
	fclose(f);
	if (st.st_mtime > *newest)
		*newest = st.st_mtime;
	return cc->errors > 0 ? PN_EFORMAT : PN_OK;
}

/* Compile every file of the pack into comp; the count of files, or an error. */
static int
add_files(YR_COMPILER *comp, const char *dir, time_t *newest, struct compile_ctx *cc,
    const char *prefix)
{
	struct dirent **names = NULL;
	int n, i, rc = PN_OK, done = 0;

	if ((n = list_rule_files(dir, &names)) < 0) {
		snprintf(cc->err, cc->errlen, "pack directory %s: %s", dir, strerror(errno));
		return PN_EIO;
	}
	for (i = 0; i < n; i++) {
		if (rc == PN_OK && done < PN_YARA_MAX_FILES) {
			rc = add_file(comp, dir, names[i]->d_name, newest, cc, prefix);
			done++;
		}
		free(names[i]);
	}
	free(names);
	if (rc == PN_OK && done == 0) {
		snprintf(cc->err, cc->errlen, "pack directory %s: no .yar/.yara files", dir);
		return PN_EIO;
	}
	return rc == PN_OK ? done : rc;
}

static unsigned int
count_rules(YR_RULES *rules)
{
	const YR_RULE *r;
	unsigned int n = 0;

	yr_rules_foreach(rules, r)
		n++;
	return n;
}

/*
 * Compile the pack in dir.  On PN_OK *out holds the rules, *nfiles the
 * file count and *newest the newest file's mtime; on failure err says why.
 */
static int
compile_pack(const char *dir, uint32_t max_strings, YR_RULES **out, unsigned int *nfiles,
    time_t *newest, char *err, size_t errlen)
{
	struct compile_ctx cc = { dir, err, errlen, 0, 0 };
	YR_COMPILER *comp = NULL;
	struct stat st;
	int rc, n;

	*out = NULL;
	*newest = 0;
	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "pack directory %s: %s", dir, strerror(errno));
		return PN_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "pack directory %s: not a directory", dir);
		return PN_EIO;
	}
	yr_set_configuration_uint32(YR_CONFIG_MAX_STRINGS_PER_RULE, max_strings);
	if (yr_compiler_create(&comp) != ERROR_SUCCESS) {
		snprintf(err, errlen, "yr_compiler_create failed");
		return PN_EINTERNAL;
	}
	yr_compiler_set_callback(comp, on_compile_msg, &cc);
	if (define_externals(comp) != PN_OK) {
		snprintf(err, errlen, "defining external variables failed");
		rc = PN_EINTERNAL;
		goto done;
	}
	if ((n = add_files(comp, dir, newest, &cc, NULL)) < 0) {
		rc = n;
		goto done;
	}
	if (yr_compiler_get_rules(comp, out) != ERROR_SUCCESS) {
		snprintf(err, errlen, "yr_compiler_get_rules failed");
		rc = PN_EINTERNAL;
		goto done;
	}
	*nfiles = (unsigned int)n;
	rc = PN_OK;
done:
	yr_compiler_destroy(comp);
	return rc;
}

static uint32_t
max_strings(const struct pn_conf *conf)
{
	int64_t v = pn_conf_get_int(conf, "yara.max_strings_per_rule");

	return v > 0 && v <= UINT32_MAX ? (uint32_t)v : 10000;
}

/*
 * The result cache's signature version: "sha256:" + SHA-256 over each rule
 * file's name and bytes, in sorted order ("" when unreadable).
 */
static void
pack_digest(const char *dir, char *out, size_t len)
{
	struct dirent **names = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	int n, i;

	out[0] = '\0';
	if (md == NULL || (n = list_rule_files(dir, &names)) < 0) {
		EVP_MD_CTX_free(md);
		return;
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (i = 0; i < n; i++) {
		char path[PACK_PATH_MAX], buf[16384];
		FILE *f;
		size_t r;

		EVP_DigestUpdate(md, names[i]->d_name, strlen(names[i]->d_name) + 1);
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path) &&
		    (f = fopen(path, "r")) != NULL) {
			while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
				EVP_DigestUpdate(md, buf, r);
			fclose(f);
		}
		free(names[i]);
	}
	free(names);
	if (EVP_DigestFinal_ex(md, d, &dlen) == 1 && dlen >= 16) {
		pn_hex(d, 16, hex);
		snprintf(out, len, "sha256:%.32s", hex);
	}
	EVP_MD_CTX_free(md);
}

static void
comb_drop(struct yara_pack *st)
{
	struct yara_combined *c = st->comb;

	st->comb = NULL;
	if (c == NULL || --c->refs > 0)
		return;
	rules_destroy(c->rules);
	free(c->v);
	free(c);
}

/* Compile the pack again and swap it in; on failure keep the old rules. */
static int
install(struct pn_engine *e, const struct pn_conf *conf)
{
	struct yara_pack *st = e->priv;
	YR_RULES *rules;
	unsigned int nfiles = 0;
	time_t newest = 0;
	int64_t t0 = pn_mono_ms();
	int rc;

	if (st->dir == NULL) {
		char root[PACK_PATH_MAX];

		pn_yara_rules_dir(conf, root, sizeof(root));
		snprintf(e->error, sizeof(e->error), "no rule packs in %.200s", root);
		return PN_EIO;
	}
	rc = compile_pack(st->dir, max_strings(conf), &rules, &nfiles, &newest,
	    e->error, sizeof(e->error));
	if (rc != PN_OK) {
		log_warnx("yara: %s: %s", e->name, e->error);
		return rc;
	}
	if (st->rules != NULL)
		rules_destroy(st->rules);
	comb_drop(st);                  /* stale until the next prepare */
	st->rules = rules;
	st->max_strings = max_strings(conf);
	st->nfiles = nfiles;
	st->nrules = count_rules(rules);
	e->error[0] = '\0';
	format_date(newest, e->update, sizeof(e->update));
	pack_digest(st->dir, e->sigver, sizeof(e->sigver));
	log_info("yara: %s: %u rules from %u files in %s, update %s, %lld ms", e->name,
	    st->nrules, nfiles, st->dir, e->update, (long long)(pn_mono_ms() - t0));
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * Classifying a matching rule.
 */

/* ASCII case-insensitive equality (<strings.h> is hidden by parsers/strings.h). */
static int
ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* A category word, or -1. */
static int
class_of_word(const char *s)
{
	if (ieq(s, "malicious") || ieq(s, "malware"))
		return CLASS_MALICIOUS;
	if (ieq(s, "suspicious"))
		return CLASS_SUSPICIOUS;
	if (ieq(s, "info") || ieq(s, "informational") || ieq(s, "harmless"))
		return CLASS_INFO;
	return -1;
}

/* A severity word (meta severity), or -1. */
static int
class_of_severity(const char *s)
{
	if (ieq(s, "info") || ieq(s, "informational") || ieq(s, "none"))
		return CLASS_INFO;
	if (ieq(s, "low") || ieq(s, "medium") || ieq(s, "moderate") || ieq(s, "warning"))
		return CLASS_SUSPICIOUS;
	if (ieq(s, "high") || ieq(s, "critical") || ieq(s, "severe"))
		return CLASS_MALICIOUS;
	return -1;
}

/* signature-base/LOKI score: < 40 notice, < 75 warning, else alert. */
static int
class_of_score(int64_t v)
{
	return v < 40 ? CLASS_INFO : v < 75 ? CLASS_SUSPICIOUS : CLASS_MALICIOUS;
}

/*
 * The rule's class, first found of: meta category, meta severity, a tag
 * naming a category, meta score; else malicious.
 */
static enum rule_class
rule_class(const YR_RULE *rule)
{
	const YR_META *m;
	const char *tag;
	int cat = -1, sev = -1, tagc = -1, score = -1;

	yr_rule_metas_foreach(rule, m) {
		if (m->type == META_TYPE_STRING && strcmp(m->identifier, "category") == 0 && cat < 0)
			cat = class_of_word(m->string);
		else if (m->type == META_TYPE_STRING && strcmp(m->identifier, "severity") == 0 && sev < 0)
			sev = class_of_severity(m->string);
		else if (m->type == META_TYPE_INTEGER && strcmp(m->identifier, "score") == 0 && score < 0)
			score = class_of_score(m->integer);
	}
	yr_rule_tags_foreach(rule, tag) {
		if (tagc < 0)
			tagc = class_of_word(tag);
	}
	if (cat >= 0)
		return (enum rule_class)cat;
	if (sev >= 0)
		return (enum rule_class)sev;
	if (tagc >= 0)
		return (enum rule_class)tagc;
	if (score >= 0)
		return (enum rule_class)score;
	return CLASS_MALICIOUS;
}

/* ------------------------------------------------------------------------
 * Match details.
 */

struct scan_ctx {
	const char *pack;               /* pack directory basename */
	struct json_object *matches;    /* array of match objects */
	size_t nmatched;                /* matching rules (reported or not) */
	size_t dropped;                 /* matching rules beyond the cap */
	struct json_object *too_many;   /* identifiers with too many matches, or NULL */
	char *first[CLASS__COUNT];      /* first matching rule of each class */
};

static int
printable(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	return 1;
}

/* UTF-16LE of printable ASCII ("wide" strings)? */
static int
printable_wide(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 2 || n % 2 != 0)
		return 0;
	for (i = 0; i < n; i += 2)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i + 1] != 0)
			return 0;
	return 1;
}

/* The first PN_YARA_MAX_DATA bytes of a match as text, wide text or hex. */
static void
add_data(struct json_object *o, const uint8_t *p, size_t n)
{
	char buf[2 * PN_YARA_MAX_DATA + 1];
	size_t i;

	n = PN_MIN(n, PN_YARA_MAX_DATA);
	if (p == NULL)
		n = 0;
	if (n > 0 && printable(p, n)) {
		json_object_object_add(o, "data", json_object_new_string_len((const char *)p, (int)n));
		json_object_object_add(o, "encoding", json_object_new_string("text"));
	} else if (printable_wide(p, n)) {
		for (i = 0; i < n / 2; i++)
			buf[i] = (char)p[2 * i];
		json_object_object_add(o, "data", json_object_new_string_len(buf, (int)(n / 2)));
		json_object_object_add(o, "encoding", json_object_new_string("utf-16le"));
	} else {
		pn_hex(p, n, buf);
		json_object_object_add(o, "data", json_object_new_string(buf));
		json_object_object_add(o, "encoding", json_object_new_string("hex"));
	}
}

static struct json_object *
match_json(const YR_STRING *s, const YR_MATCH *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "identifier", json_object_new_string(s->identifier));
	json_object_object_add(o, "offset", json_object_new_int64(m->base + m->offset));
	json_object_object_add(o, "length", json_object_new_int64(m->match_length));
	add_data(o, m->data, m->data_length > 0 ? (size_t)m->data_length : 0);
	return o;
}

/*
 * Every string match of rule, the first PN_YARA_MAX_STRINGS_REPORTED in
 * detail.  libyara's notebook allocator hands out YR_MATCH records only
 * 4-byte aligned (UBSan: misaligned member access), so each record is
 * copied before use instead of going through yr_string_matches_foreach.
 */
static void
add_strings(YR_SCAN_CONTEXT *ctx, const YR_RULE *rule, struct json_object *mo)
{
	struct json_object *arr = json_object_new_array();
	const YR_STRING *s;
	size_t n = 0, dropped = 0;

	yr_rule_strings_foreach(rule, s) {
		const void *p = ctx->matches[s->idx].head;

		while (p != NULL) {
			YR_MATCH m;

			memcpy(&m, p, sizeof(m));
			p = m.next;
			if (m.is_private)
				continue;
			if (n < PN_YARA_MAX_STRINGS_REPORTED) {
				json_object_array_add(arr, match_json(s, &m));
				n++;
			} else
				dropped++;
		}
	}
	json_object_object_add(mo, "strings", arr);
	if (dropped > 0)
		json_object_object_add(mo, "strings_dropped", json_object_new_int64((int64_t)dropped));
}

/* "date" or "..._date": the report's convention is a Unix time there (VT-API.md). */
static int
is_date_key(const char *k)
{
	size_t n = strlen(k);

	return strcmp(k, "date") == 0 || (n > 5 && strcmp(k + n - 5, "_date") == 0);
}

/* Two or four digits of s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" (or / or . as separator, anything after) as UTC midnight; -1 if not a date. */
static int64_t
parse_date(const char *s)
{
	struct tm tm;
	int y, m, d;

	if (strlen(s) < 10 || strchr("-/.", s[4]) == NULL || s[7] != s[4])
		return -1;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm);
}

/*
 * A rule's meta as an object, values with their types.  Date metas given
 * as text ("2026-12-04") become Unix times, as every "date"/"*_date" of a
 * report is; text that is no date is kept under "<key>_text".
 */
static struct json_object *
meta_json(const YR_RULE *rule)
{
	struct json_object *o = json_object_new_object();
	const YR_META *m;

	yr_rule_metas_foreach(rule, m) {
		const char *key = m->identifier;
		char alt[160];
		int64_t t;

		if (m->type == META_TYPE_INTEGER) {
			json_object_object_add(o, key, json_object_new_int64(m->integer));
			continue;
		}
		if (m->type == META_TYPE_BOOLEAN) {
			json_object_object_add(o, key, json_object_new_boolean(m->integer != 0));
			continue;
		}
		if (is_date_key(key) && (t = parse_date(m->string)) >= 0) {
			json_object_object_add(o, key, json_object_new_int64(t));
			continue;
		}
		if (is_date_key(key) && snprintf(alt, sizeof(alt), "%s_text", key) < (int)sizeof(alt))
			key = alt;
		json_object_object_add(o, key, json_object_new_string_len(m->string,
		    (int)strnlen(m->string, PN_YARA_MAX_META_STRING)));
	}
	return o;
}

static struct json_object *
tags_json(const YR_RULE *rule)
{
	struct json_object *a = json_object_new_array();
	const char *tag;

	yr_rule_tags_foreach(rule, tag)
		json_object_array_add(a, json_object_new_string(tag));
	return a;
}

/* The file part of a namespace ("3/packers" in a combined set -> "packers"). */
static const char *
ns_file(const char *ns)
{
	const char *s = strchr(ns, '/');

	return s != NULL ? s + 1 : ns;
}

static void
on_rule_match(YR_SCAN_CONTEXT *ctx, const YR_RULE *rule, struct scan_ctx *sc)
{
	enum rule_class cls = rule_class(rule);
	struct json_object *mo;

	sc->nmatched++;
	if (sc->first[cls] == NULL)
		sc->first[cls] = pn_xstrdup(rule->identifier);
	if (json_object_array_length(sc->matches) >= PN_YARA_MAX_RULES_REPORTED) {
		sc->dropped++;
		return;
	}
	mo = json_object_new_object();
	json_object_object_add(mo, "rule", json_object_new_string(rule->identifier));
	json_object_object_add(mo, "ruleset_name", json_object_new_string(ns_file(rule->ns->name)));
	json_object_object_add(mo, "pack", json_object_new_string(sc->pack));
	json_object_object_add(mo, "category", json_object_new_string(class_names[cls]));
	json_object_object_add(mo, "tags", tags_json(rule));
	json_object_object_add(mo, "meta", meta_json(rule));
	add_strings(ctx, rule, mo);
	json_object_array_add(sc->matches, mo);
}

static int
on_scan_msg(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct scan_ctx *sc = user;

	switch (msg) {
	case CALLBACK_MSG_RULE_MATCHING:
		on_rule_match(ctx, data, sc);
		break;
	case CALLBACK_MSG_TOO_MANY_MATCHES:
		if (sc->too_many == NULL)
			sc->too_many = json_object_new_array();
		if (json_object_array_length(sc->too_many) < PN_YARA_MAX_RULES_REPORTED)
			json_object_array_add(sc->too_many,
			    json_object_new_string(((const YR_STRING *)data)->identifier));
		break;
	case CALLBACK_MSG_CONSOLE_LOG:
		log_debug("yara: console: %.200s", (const char *)data);
		break;
	default:
		break;
	}
	return CALLBACK_CONTINUE;
}

/* ------------------------------------------------------------------------
 * Scanning.
 */

/* libyara's own limit: 90% of the engine's, so it stops first and says so. */
static int
yara_timeout(int timeout_s)
{
	int t;

	if (timeout_s <= 0)
		return 0;
	t = (int)((int64_t)timeout_s * 9 / 10);
	return t < 1 ? 1 : t;
}

/* filetype external: the VT type tag upper-cased, PE types as LOKI's "EXE". */
static void
filetype_of(const char *tag, char *out, size_t len)
{
	size_t i;

	out[0] = '\0';
	if (tag == NULL)
		return;
	if (strcmp(tag, "peexe") == 0 || strcmp(tag, "pedll") == 0) {
		pn_strlcpy(out, "EXE", len);
		return;
	}
	for (i = 0; tag[i] != '\0' && i + 1 < len; i++)
		out[i] = (char)toupper((unsigned char)tag[i]);
	out[i] = '\0';
}

/* filename, filepath, extension (".exe", lower case), filetype from the target. */
static void
define_target(YR_SCANNER *s, const struct pn_scan_target *t)
{
	const char *name = t->name != NULL ? t->name : "";
	const char *b = name, *p, *dot;
	char ext[32], ftype[32];
	size_t i;

	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	ext[0] = '\0';
	if ((dot = strrchr(b, '.')) != NULL && dot != b) {
		for (i = 0; dot[i] != '\0' && i + 1 < sizeof(ext); i++)
			ext[i] = (char)tolower((unsigned char)dot[i]);
		ext[i] = '\0';
	}
	filetype_of(t->type_tag, ftype, sizeof(ftype));
	yr_scanner_define_string_variable(s, "filename", b);
	yr_scanner_define_string_variable(s, "filepath", name);
	yr_scanner_define_string_variable(s, "extension", ext);
	yr_scanner_define_string_variable(s, "filetype", ftype);
}

/*
 * One scanner per rule set, kept between scans as yara(1) does: creating
 * one allocates tables for every rule and string of the set, which costs
 * more than scanning a small file.  rules_destroy() drops it with its rules.
 */
static YR_SCANNER *scanner;
static YR_RULES *scanner_rules;

static void
rules_destroy(YR_RULES *rules)
{
	if (rules != NULL && rules == scanner_rules) {
		yr_scanner_destroy(scanner);
		scanner = NULL;
		scanner_rules = NULL;
	}
	yr_rules_destroy(rules);
}

static int
run_scan_cb(YR_RULES *rules, int timeout_s, const struct pn_scan_target *t, YR_CALLBACK_FUNC cb,
    void *user)
{
	static const uint8_t empty[1];
	YR_SCANNER *s;
	int rc;

	if (scanner_rules != rules) {
		if (scanner != NULL)
			yr_scanner_destroy(scanner);
		scanner = NULL;
		scanner_rules = NULL;
		if (yr_scanner_create(rules, &scanner) != ERROR_SUCCESS)
			return ERROR_INSUFFICIENT_MEMORY;
		scanner_rules = rules;
	}
	s = scanner;
	yr_scanner_set_flags(s, SCAN_FLAGS_REPORT_RULES_MATCHING);
	yr_scanner_set_timeout(s, yara_timeout(timeout_s));
	yr_scanner_set_callback(s, cb, user);
	define_target(s, t);
	if (t->data != NULL && t->size > 0)
		rc = yr_scanner_scan_mem(s, t->data, t->size);
	else if (t->size > 0 && t->fd >= 0)
		rc = yr_scanner_scan_fd(s, t->fd);
	else
		rc = yr_scanner_scan_mem(s, empty, 0);
	yr_scanner_set_callback(s, NULL, NULL);   /* user points into the caller's frame */
	return rc;
}

static int
run_scan(YR_RULES *rules, int timeout_s, const struct pn_scan_target *t, struct scan_ctx *sc)
{
	return run_scan_cb(rules, timeout_s, t, on_scan_msg, sc);
}

/* Category, result, method and details from the collected matches. */
static void
fill_verdict(struct scan_ctx *sc, struct pn_verdict *v)
{
	if (sc->first[CLASS_MALICIOUS] != NULL) {
		v->category = PN_CAT_MALICIOUS;
		v->result = pn_xstrdup(sc->first[CLASS_MALICIOUS]);
	} else if (sc->first[CLASS_SUSPICIOUS] != NULL) {
		v->category = PN_CAT_SUSPICIOUS;
		v->result = pn_xstrdup(sc->first[CLASS_SUSPICIOUS]);
		v->method = pn_xstrdup("heuristic");
	} else
		v->category = PN_CAT_UNDETECTED;
	if (sc->nmatched == 0 && sc->too_many == NULL)
		return;
	v->details = json_object_new_object();
	json_object_object_add(v->details, "matches", json_object_get(sc->matches));
	if (sc->dropped > 0)
		json_object_object_add(v->details, "rules_dropped",
		    json_object_new_int64((int64_t)sc->dropped));
	if (sc->too_many != NULL)
		json_object_object_add(v->details, "too_many_matches", json_object_get(sc->too_many));
}

static void
scan_ctx_release(struct scan_ctx *sc)
{
	size_t i;

	json_object_put(sc->matches);
	if (sc->too_many != NULL)
		json_object_put(sc->too_many);
	for (i = 0; i < CLASS__COUNT; i++)
		free(sc->first[i]);
}

static int
yara_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	struct yara_pack *st = e->priv;
	struct scan_ctx sc;
	int rc, ret = PN_OK;

	v->category = PN_CAT_UNDETECTED;
	v->result = v->method = NULL;
	v->details = NULL;
	if (st == NULL || st->rules == NULL)
		return PN_EINTERNAL;
	if (e->max_size > 0 && t->size > e->max_size) {
		v->category = PN_CAT_TYPE_UNSUPPORTED;
		return PN_OK;
	}
	memset(&sc, 0, sizeof(sc));
	sc.pack = base_name(st->dir);
	sc.matches = json_object_new_array();
	rc = run_scan(st->rules, e->timeout_s, t, &sc);
	if (rc == ERROR_SUCCESS)
		fill_verdict(&sc, v);
	else if (rc == ERROR_SCAN_TIMEOUT) {
		/* Rules report only when the scan ends: a timeout has no matches. */
		v->category = PN_CAT_TIMEOUT;
		log_warnx("yara: %s: scan timed out after %d s", e->name, yara_timeout(e->timeout_s));
	} else {
		log_warnx("yara: %s: scan failed: libyara error %d", e->name, rc);
		ret = PN_EINTERNAL;
	}
	scan_ctx_release(&sc);
	return ret;
}

/* ------------------------------------------------------------------------
 * Every pack in one pass.
 */

/* Compile the healthy packs of v into one rule set; NULL (logged) on failure. */
static struct yara_combined *
comb_build(struct pn_engine **v, size_t n)
{
	struct yara_combined *c = pn_xcalloc(1, sizeof(*c));
	YR_COMPILER *comp = NULL;
	char err[256] = "";
	uint32_t maxs = 0;
	size_t i;
	int rc = PN_OK;

	c->v = pn_xcalloc(n + 1, sizeof(*c->v));
	for (i = 0; i < n; i++) {
		struct yara_pack *st = v[i]->priv;
		if (st != NULL && st->rules != NULL && st->dir != NULL) {
			c->v[c->n++] = v[i];
			maxs = PN_MAX(maxs, st->max_strings);
		}
	}
	if (c->n < 2 || yr_compiler_create(&comp) != ERROR_SUCCESS)
		goto fail;
	yr_set_configuration_uint32(YR_CONFIG_MAX_STRINGS_PER_RULE, maxs);
	if (define_externals(comp) != PN_OK)
		goto fail;
	for (i = 0; i < c->n && rc >= 0; i++) {
		struct yara_pack *st = c->v[i]->priv;
		struct compile_ctx cc = { st->dir, err, sizeof(err), 0, 0 };
		char prefix[32];
		time_t newest = 0;

		snprintf(prefix, sizeof(prefix), "%zu/", i);
		yr_compiler_set_callback(comp, on_compile_msg, &cc);
		rc = add_files(comp, st->dir, &newest, &cc, prefix);
	}
	if (rc < 0 || yr_compiler_get_rules(comp, &c->rules) != ERROR_SUCCESS)
		goto fail;
	yr_compiler_destroy(comp);
	return c;
fail:
	if (c->n >= 2)
		log_warnx("yara: packs not combined (%s); each is scanned on its own",
		    err[0] ? err : "compiler failed");
	if (comp != NULL)
		yr_compiler_destroy(comp);
	free(c->v);
	free(c);
	return NULL;
}

static void
yara_prepare(struct pn_engine **v, size_t n)
{
	struct yara_combined *c;
	int64_t t0 = pn_mono_ms();
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i]->priv != NULL)
			comb_drop(v[i]->priv);
	if ((c = comb_build(v, n)) == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		((struct yara_pack *)c->v[i]->priv)->comb = c;
		c->refs++;
	}
	log_info("yara: %zu packs in one rule set, %lld ms", c->n, (long long)(pn_mono_ms() - t0));
}

/* Scan contexts of a combined scan, one per pack of the set (NULL: not asked). */
struct multi_ctx {
	struct scan_ctx **sc;
	size_t n;
};

/* The pack index a namespace belongs to, or -1. */
static long
ns_pack(const char *ns, size_t n)
{
	char *end;
	long i = strtol(ns, &end, 10);

	return end != ns && *end == '/' && i >= 0 && (size_t)i < n ? i : -1;
}

static int
on_multi_msg(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct multi_ctx *m = user;
	const char *ns = NULL;
	long i;

	if (msg == CALLBACK_MSG_RULE_MATCHING)
		ns = ((const YR_RULE *)data)->ns->name;
	else if (msg == CALLBACK_MSG_TOO_MANY_MATCHES)
		ns = ctx->rules->rules_table[((const YR_STRING *)data)->rule_idx].ns->name;
	else
		return on_scan_msg(ctx, msg, data, NULL);
	if ((i = ns_pack(ns, m->n)) < 0 || m->sc[i] == NULL)
		return CALLBACK_CONTINUE;
	return on_scan_msg(ctx, msg, data, m->sc[i]);
}

/* Position of e among the combined packs, or -1. */
static long
comb_index(const struct yara_combined *c, const struct pn_engine *e)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i] == e)
			return (long)i;
	return -1;
}

static void
yara_scan_group(struct pn_engine **v, size_t n, const struct pn_scan_target *t,
    struct pn_verdict *out, int *rc)
{
	struct yara_combined *c = v[0]->priv ? ((struct yara_pack *)v[0]->priv)->comb : NULL;
	struct multi_ctx m;
	struct scan_ctx *ctxs;
	int timeout = 0, yrc;
	size_t i;

	for (i = 0; c != NULL && i < n; i++)
		if (v[i]->priv == NULL || ((struct yara_pack *)v[i]->priv)->comb != c)
			c = NULL;
	if (c == NULL) {
		for (i = 0; i < n; i++)
			rc[i] = yara_scan(v[i], t, &out[i]);
		return;
	}
	ctxs = pn_xcalloc(n, sizeof(*ctxs));
	m.n = c->n;
	m.sc = pn_xcalloc(c->n, sizeof(*m.sc));
	for (i = 0; i < n; i++) {
		struct yara_pack *st = v[i]->priv;
		memset(&out[i], 0, sizeof(out[i]));
		out[i].category = PN_CAT_UNDETECTED;
		rc[i] = PN_OK;
		if (v[i]->max_size > 0 && t->size > v[i]->max_size) {
			out[i].category = PN_CAT_TYPE_UNSUPPORTED;
			continue;
		}
		ctxs[i].pack = base_name(st->dir);
		ctxs[i].matches = json_object_new_array();
		m.sc[comb_index(c, v[i])] = &ctxs[i];
		timeout = PN_MAX(timeout, v[i]->timeout_s);
	}
	yrc = run_scan_cb(c->rules, timeout, t, on_multi_msg, &m);
	for (i = 0; i < n; i++) {
		if (ctxs[i].matches == NULL)
			continue;
		if (yrc == ERROR_SUCCESS)
			fill_verdict(&ctxs[i], &out[i]);
		else if (yrc == ERROR_SCAN_TIMEOUT)
			out[i].category = PN_CAT_TIMEOUT;
		else
			rc[i] = PN_EINTERNAL;
		scan_ctx_release(&ctxs[i]);
	}
	if (yrc == ERROR_SCAN_TIMEOUT)
		log_warnx("yara: scan of all packs timed out after %d s", yara_timeout(timeout));
	else if (yrc != ERROR_SUCCESS)
		log_warnx("yara: scan of all packs failed: libyara error %d", yrc);
	free(m.sc);
	free(ctxs);
}

/* ------------------------------------------------------------------------
 * The interface.
 */

static int
yara_init(struct pn_engine *e, const struct pn_conf *conf)
{
	struct yara_pack *st = pn_xcalloc(1, sizeof(*st));
	int rc;

	st->dir = e->priv;              /* the instance argument, now ours */
	e->priv = st;
	if (e->name[0] == '\0')
		pn_strlcpy(e->name, "YARA", sizeof(e->name));
	pn_strlcpy(e->version, YR_VERSION, sizeof(e->version));
	if ((rc = yr_initialize()) != ERROR_SUCCESS) {
		snprintf(e->error, sizeof(e->error), "yr_initialize failed: libyara error %d", rc);
		return PN_EINTERNAL;
	}
	st->yr_ready = 1;
	return install(e, conf);
}

/* A failed reload keeps the previous rules scanning and sets e->error. */
static int
yara_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	struct yara_pack *st = e->priv;

	if (st == NULL || !st->yr_ready)
		return PN_EINTERNAL;
	return install(e, conf);
}

static void
yara_free(struct pn_engine *e)
{
	struct yara_pack *st = e->priv;

	if (st == NULL)
		return;
	if (st->rules != NULL)
		rules_destroy(st->rules);
	comb_drop(st);
	if (st->yr_ready)
		yr_finalize();
	free(st->dir);
	free(st);
	e->priv = NULL;
}

const struct pn_engine_ops pn_engine_yara_ops = {
	.kind = "yara",
	.init = yara_init,
	.scan = yara_scan,
	.reload = yara_reload,
	.free = yara_free,
	.prepare = yara_prepare,
	.scan_group = yara_scan_group,
};
