/*
 * clamav.c - the ClamAV engine: libclamav behind engine.h.
 *
 * init builds one compiled cl_engine per process from the project's own
 * signatures (clamav.signatures, engines/sigs/) plus the operator's official
 * databases when clamav.database_dir holds any; the compiled engine is
 * read-only and shared by every scan of the process (and by forked scan
 * children).  reload builds a new engine and swaps it in only once it has
 * compiled, so a bad update never takes the engine down.
 *
 * A scan runs libclamav in all-match mode with encrypted-archive and
 * limit-exceeded alerts, collects every reported name through the
 * virus-found callback (deduplicated: all-match mode reports a signature once
 * per layer) and maps the names to a verdict:
 *   - "Heuristics.Limits.Exceeded.*"  not a detection; listed in
 *                                     details.limits_exceeded only; when
 *                                     it is ...MaxScanTime and nothing was
 *                                     found, the category is "timeout"
 *   - "Heuristics.Encrypted.*"        suspicious, method "heuristic", unless
 *                                     something else matched too
 *   - anything else                   malicious; method "heuristic" for other
 *                                     "Heuristics.*" names, else blacklist
 * The result label is the first detection with libclamav's ".UNOFFICIAL"
 * suffix removed; details = {"matches": [names as reported], ...}.
 *
 * Ownership: e->priv is a struct clamav owned by the engine, freed by
 * clamav_free().  Verdict strings and details belong to the verdict.
 * Threads: scans may run concurrently; reload and free must not race a scan
 * (the worker reloads between jobs).
 * Limits: PN_CLAMAV_MAX_MATCHES names kept per scan (the rest are counted in
 * details.dropped); file, scan, recursion and member limits from the
 * clamav.max_* options; libclamav's own scan time limit is 90% of
 * e->timeout_s, so it normally stops before the caller's wall clock does.
 * Errors: init/reload return PN_EIO (signature directory unusable),
 * PN_EINTERNAL (libclamav refused a database or failed to compile) with
 * e->error set; scan returns PN_OK with a category, PN_ETIMEOUT (libclamav
 * returned CL_ETIMEOUT), or PN_EINTERNAL (no engine loaded, or any other
 * libclamav error, logged with cl_strerror).  The verdict is overwritten,
 * not released: pass an empty or released one.
 * See also: docs/internals/engines.md, tests/unit/test_clamav.c,
 * PLATFORM.md §2.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <clamav.h>
#include <json.h>

/* Options of this engine (docs/CONFIG.md [clamav]). */
const struct pn_conf_opt pn_conf_clamav[] = {
	{ "clamav.enabled", PN_CONF_BOOL, "true", "run the ClamAV engine" },
	{ "clamav.signatures", PN_CONF_STR, "", "the project's signature directory; default: built-in path" },
	{ "clamav.database_dir", PN_CONF_STR, "/var/lib/clamav", "operator's official databases (optional)" },
	{ "clamav.max_filesize", PN_CONF_SIZE, "100M", "largest file ClamAV scans" },
	{ "clamav.max_scansize", PN_CONF_SIZE, "400M", "most bytes ClamAV reads from one file and its members" },
	{ "clamav.max_recursion", PN_CONF_INT, "16", "archive nesting depth" },
	{ "clamav.max_files", PN_CONF_INT, "10000", "members scanned in one container" },
	{ "clamav.cache", PN_CONF_BOOL, "false", "libclamav's own cache of clean files (an MD5 of every file and member scanned; Panoptes already keeps verdicts by sha256)" },
	{ "clamav.types", PN_CONF_STR, "*", "file types ClamAV judges (type_tag/type_tags words, comma-separated; * = all)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_CLAMAV_MAX_MATCHES 64            /* names kept from one scan */
/* Used when clamav.signatures is empty (cli/main.c resolves an absolute one at start-up). */
#ifndef PN_CLAMAV_SIGS_DEFAULT
#define PN_CLAMAV_SIGS_DEFAULT "engines/sigs"
#endif

#define UNOFFICIAL_SUFFIX ".UNOFFICIAL"
#define NAME_LIMITS       "Heuristics.Limits.Exceeded"
#define NAME_SCANTIME     "Heuristics.Limits.Exceeded.MaxScanTime"
#define NAME_ENCRYPTED    "Heuristics.Encrypted"
#define NAME_HEURISTIC    "Heuristics."

struct clamav {
	struct cl_engine *eng;          /* compiled, read-only */
	unsigned int sigs;              /* signatures loaded */
};

struct scan_ctx {
	char *names[PN_CLAMAV_MAX_MATCHES]; /* distinct names, in report order */
	size_t n;
	size_t dropped;                 /* distinct names beyond the cap */
};

/* ------------------------------------------------------------------------
 * Process-wide libclamav setup.
 */

static pthread_once_t cl_once = PTHREAD_ONCE_INIT;
static cl_error_t cl_init_rc = CL_SUCCESS;

/* libclamav's messages go through our log instead of raw stderr. */
static void
on_message(enum cl_msg severity, const char *fullmsg, const char *msg, void *ctx)
{
	size_t n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	if (severity == CL_MSG_ERROR || severity == CL_MSG_WARN)
		log_warnx("clamav: %.*s", (int)n, msg);
	else
		log_debug("clamav: %.*s", (int)n, msg);
}

static void
init_once(void)
{
	cl_set_clcb_msg(on_message);
	cl_init_rc = cl_init(CL_INIT_DEFAULT);
}

/* ------------------------------------------------------------------------
 * Database files and the signature date.
 */

/* Extensions libclamav loads from a directory (libclamav/readdb.h CLI_DBEXT). */
static const char *const db_ext[] = {
	".cvd", ".cld", ".cud", ".hdb", ".hdu", ".hsb", ".hsu", ".mdb", ".mdu",
	".msb", ".msu", ".ndb", ".ndu", ".ldb", ".ldu", ".idb", ".cdb", ".cat",
	".crb", ".cfg", ".fp", ".sfp", ".ign", ".ign2", ".ftm", ".pdb", ".gdb",
	".wdb", ".info", ".yar", ".yara", ".cbc", ".pwdb", ".imp", ".zmd", ".rmd",
};

static int
has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), m = strlen(ext);

	return n > m && strcmp(name + n - m, ext) == 0;
}

static int
is_db_file(const char *name)
{
	size_t i;

	if (name[0] == '.')
		return 0;
	for (i = 0; i < PN_ARRAY_LEN(db_ext); i++)
		if (has_ext(name, db_ext[i]))
			return 1;
	return 0;
}

/*
 * Walk the database files of dir: count them and find the newest date,
 * from the build time in CVD/CLD headers when from_cvd, else from file
 * mtimes.  A missing
 * directory counts as empty.  Returns the file count or PN_EIO.
 */
static int
scan_db_dir(const char *dir, int from_cvd, time_t *newest)
{
	DIR *d;
	struct dirent *de;
	int count = 0;

	*newest = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : PN_EIO;
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		time_t t = 0;

		if (!is_db_file(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		count++;
		if (from_cvd) {
			struct cl_cvd *h;

			if (!has_ext(de->d_name, ".cvd") && !has_ext(de->d_name, ".cld"))
				continue;
			if ((h = cl_cvdhead(path)) == NULL)
				continue;
			t = (time_t)h->stime;
			cl_cvdfree(h);
		} else
			t = st.st_mtime;
		if (t > *newest)
			*newest = t;
	}
	closedir(d);
	return count;
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
 * Building an engine.
 */

static void on_virus(int fd, const char *virname, void *ctx);

static const char *
sigs_dir(const struct pn_conf *conf)
{
	const char *s = pn_conf_get(conf, "clamav.signatures");

	return s != NULL && *s != '\0' ? s : PN_CLAMAV_SIGS_DEFAULT;
}

static int
set_num(struct cl_engine *eng, enum cl_engine_field f, long long v, const char *what,
    char *err, size_t errlen)
{
	cl_error_t rc = cl_engine_set_num(eng, f, v);

	if (rc != CL_SUCCESS) {
		snprintf(err, errlen, "setting %s: %s", what, cl_strerror(rc));
		return PN_EINTERNAL;
	}
	return PN_OK;
}

static int
set_limits(struct cl_engine *eng, const struct pn_conf *conf, int timeout_s,
    char *err, size_t errlen)
{
	uint64_t fsize = pn_conf_get_size(conf, "clamav.max_filesize");
	uint64_t ssize = pn_conf_get_size(conf, "clamav.max_scansize");
	int64_t rec = pn_conf_get_int(conf, "clamav.max_recursion");
	int64_t files = pn_conf_get_int(conf, "clamav.max_files");

	if (fsize > (uint64_t)INT64_MAX || ssize > (uint64_t)INT64_MAX ||
	    rec < 0 || rec > UINT32_MAX || files < 0 || files > UINT32_MAX) {
		snprintf(err, errlen, "clamav.max_* option out of range");
		return PN_EINVAL;
	}
	if (set_num(eng, CL_ENGINE_MAX_FILESIZE, (long long)fsize, "max_filesize", err, errlen) ||
	    set_num(eng, CL_ENGINE_MAX_SCANSIZE, (long long)ssize, "max_scansize", err, errlen) ||
	    set_num(eng, CL_ENGINE_MAX_RECURSION, rec, "max_recursion", err, errlen) ||
	    set_num(eng, CL_ENGINE_MAX_FILES, files, "max_files", err, errlen))
		return PN_EINTERNAL;
	/*
	 * libclamav's clean-file cache hashes every file and member it scans
	 * with MD5 to look it up (about 9% of its time on a corpus of
	 * programs); the verdict cache (analysis.cache) already skips files
	 * seen before, so it is off unless asked for.
	 */
	if (!pn_conf_get_bool(conf, "clamav.cache") &&
	    set_num(eng, CL_ENGINE_DISABLE_CACHE, 1, "disable_cache", err, errlen))
		return PN_EINTERNAL;
	/* 90% of the engine timeout: libclamav stops first and says so. */
	if (timeout_s > 0 && timeout_s <= INT32_MAX / 1000 &&
	    set_num(eng, CL_ENGINE_MAX_SCANTIME, (long long)timeout_s * 900, "max_scantime",
	    err, errlen))
		return PN_EINTERNAL;
	return PN_OK;
}

static int
load_dir(struct cl_engine *eng, const char *dir, unsigned int *sigs, char *err, size_t errlen)
{
	cl_error_t rc = cl_load(dir, eng, sigs, CL_DB_STDOPT);

	if (rc != CL_SUCCESS) {
		snprintf(err, errlen, "loading %s: %s", dir, cl_strerror(rc));
		return PN_EINTERNAL;
	}
	return PN_OK;
}

/* The project's signatures: a directory that must exist and hold some. */
static int
load_project(struct cl_engine *eng, const char *dir, unsigned int *sigs,
    char *err, size_t errlen)
{
	struct stat st;
	time_t t;
	int n;

	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "signature directory %s: %s", dir, strerror(errno));
		return PN_EIO;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "signature directory %s: not a directory", dir);
		return PN_EIO;
	}
	if ((n = scan_db_dir(dir, 0, &t)) < 0) {
		snprintf(err, errlen, "signature directory %s: %s", dir, strerror(errno));
		return PN_EIO;
	}
	if (n == 0) {
		snprintf(err, errlen, "signature directory %s: no database files", dir);
		return PN_EIO;
	}
	return load_dir(eng, dir, sigs, err, errlen);
}

/* The operator's databases: optional; absent or empty is fine. */
static int
load_official(struct cl_engine *eng, const char *dir, unsigned int *sigs,
    char *err, size_t errlen)
{
	time_t t;
	int n;

	if (dir == NULL || *dir == '\0')
		return PN_OK;
	if ((n = scan_db_dir(dir, 1, &t)) < 0) {
		snprintf(err, errlen, "database directory %s: %s", dir, strerror(errno));
		return PN_EIO;
	}
	if (n == 0) {
		log_debug("clamav: no databases in %s", dir);
		return PN_OK;
	}
	return load_dir(eng, dir, sigs, err, errlen);
}

/*
 * Build and compile a new engine from conf.  On success *out holds it and
 * *nsigs the signature count; on failure err says why.
 */
static int
build_engine(const struct pn_conf *conf, int timeout_s, struct cl_engine **out,
    unsigned int *nsigs, char *err, size_t errlen)
{
	struct cl_engine *eng;
	unsigned int sigs = 0;
	cl_error_t crc;
	int rc;

	*out = NULL;
	pthread_once(&cl_once, init_once);
	if (cl_init_rc != CL_SUCCESS) {
		snprintf(err, errlen, "cl_init: %s", cl_strerror(cl_init_rc));
		return PN_EINTERNAL;
	}
	if ((eng = cl_engine_new()) == NULL) {
		snprintf(err, errlen, "cl_engine_new failed");
		return PN_EINTERNAL;
	}
	if ((rc = set_limits(eng, conf, timeout_s, err, errlen)) != PN_OK ||
	    (rc = load_project(eng, sigs_dir(conf), &sigs, err, errlen)) != PN_OK ||
	    (rc = load_official(eng, pn_conf_get(conf, "clamav.database_dir"), &sigs,
	    err, errlen)) != PN_OK)
		goto fail;
	cl_engine_set_clcb_virus_found(eng, on_virus);
	if ((crc = cl_engine_compile(eng)) != CL_SUCCESS) {
		snprintf(err, errlen, "compiling signatures: %s", cl_strerror(crc));
		rc = PN_EINTERNAL;
		goto fail;
	}
	*out = eng;
	*nsigs = sigs;
	return PN_OK;
fail:
	cl_engine_free(eng);
	return rc;
}

/* engine_update: newest official database, else newest project file. */
static void
signature_date(const struct pn_conf *conf, char *out, size_t len)
{
	const char *db = pn_conf_get(conf, "clamav.database_dir");
	time_t t = 0;

	if (db == NULL || *db == '\0' || scan_db_dir(db, 1, &t) < 0 || t == 0)
		scan_db_dir(sigs_dir(conf), 0, &t);
	format_date(t, out, len);
}

/*
 * The result cache's signature version: newest project file mtime,
 * newest official database build time, signature count.
 */
static void
signature_version(const struct pn_conf *conf, unsigned int sigs, char *out, size_t len)
{
	const char *db = pn_conf_get(conf, "clamav.database_dir");
	time_t tp = 0, to = 0;

	(void)scan_db_dir(sigs_dir(conf), 0, &tp);
	if (db != NULL && *db != '\0')
		(void)scan_db_dir(db, 1, &to);
	snprintf(out, len, "%lld-%lld-%u", (long long)tp, (long long)to, sigs);
}

/* Swap a freshly built engine into e. */
static int
install(struct pn_engine *e, const struct pn_conf *conf)
{
	struct clamav *st = e->priv;
	struct cl_engine *eng;
	unsigned int sigs = 0;
	int64_t t0 = pn_mono_ms();
	int rc;

	rc = build_engine(conf, e->timeout_s, &eng, &sigs, e->error, sizeof(e->error));
	if (rc != PN_OK) {
		log_warnx("clamav: %s", e->error);
		return rc;
	}
	if (st->eng != NULL)
		cl_engine_free(st->eng);
	st->eng = eng;
	st->sigs = sigs;
	e->error[0] = '\0';
	pn_strlcpy(e->version, cl_retver(), sizeof(e->version));
	signature_date(conf, e->update, sizeof(e->update));
	signature_version(conf, sigs, e->sigver, sizeof(e->sigver));
	log_info("clamav: %u signatures from %s, update %s, %lld ms", sigs,
	    sigs_dir(conf), e->update, (long long)(pn_mono_ms() - t0));
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * Scanning.
 */

static void
on_virus(int fd, const char *virname, void *ctx)
{
	struct scan_ctx *sc = ctx;
	size_t i;

	if (sc == NULL || virname == NULL || *virname == '\0')
		return;
	for (i = 0; i < sc->n; i++)
		if (strcmp(sc->names[i], virname) == 0)
			return;
	if (sc->n == PN_ARRAY_LEN(sc->names)) {
		sc->dropped++;
		return;
	}
	sc->names[sc->n++] = pn_xstrdup(virname);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char *
strip_unofficial(const char *name)
{
	size_t n = strlen(name), m = strlen(UNOFFICIAL_SUFFIX);

	if (n > m && strcmp(name + n - m, UNOFFICIAL_SUFFIX) == 0)
		return pn_xstrndup(name, n - m);
	return pn_xstrdup(name);
}

/* Turn the collected names into category, result, method and details. */
static void
fill_verdict(const struct scan_ctx *sc, struct pn_verdict *v)
{
	struct json_object *matches = json_object_new_array();
	struct json_object *limits = json_object_new_array();
	const char *detect = NULL, *encrypted = NULL, *label;
	int timed_out = 0;
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const char *n = sc->names[i];

		if (starts_with(n, NAME_LIMITS)) {
			if (strcmp(n, NAME_SCANTIME) == 0)
				timed_out = 1;
			json_object_array_add(limits, json_object_new_string(n));
			continue;
		}
		json_object_array_add(matches, json_object_new_string(n));
		if (starts_with(n, NAME_ENCRYPTED)) {
			if (encrypted == NULL)
				encrypted = n;
		} else if (detect == NULL)
			detect = n;
	}
	if (detect != NULL)
		v->category = PN_CAT_MALICIOUS;
	else if (encrypted != NULL)
		v->category = PN_CAT_SUSPICIOUS;
	else if (timed_out)
		v->category = PN_CAT_TIMEOUT;
	else
		v->category = PN_CAT_UNDETECTED;
	label = detect ? detect : encrypted;
	if (label != NULL) {
		v->result = strip_unofficial(label);
		if (starts_with(label, NAME_HEURISTIC))
			v->method = pn_xstrdup("heuristic");
	}
	if (sc->n == 0) {
		json_object_put(matches);
		json_object_put(limits);
		return;
	}
	v->details = json_object_new_object();
	json_object_object_add(v->details, "matches", matches);
	if (json_object_array_length(limits) > 0)
		json_object_object_add(v->details, "limits_exceeded", limits);
	else
		json_object_put(limits);
	if (sc->dropped > 0)
		json_object_object_add(v->details, "dropped", json_object_new_int64((int64_t)sc->dropped));
}

static cl_error_t
run_scan(const struct cl_engine *eng, const struct pn_scan_target *t, struct scan_ctx *sc)
{
	struct cl_scan_options o;
	const char *virname = NULL;
	unsigned long scanned = 0;
	cl_fmap_t *map;
	cl_error_t rc;

	memset(&o, 0, sizeof(o));
	o.general = CL_SCAN_GENERAL_ALLMATCHES | CL_SCAN_GENERAL_HEURISTICS;
	o.parse = ~0u;
	o.heuristic = CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE | CL_SCAN_HEURISTIC_EXCEEDS_MAX;
	/* The submitted name is untrusted: libclamav gets no file name. */
	if (t->data != NULL && t->size > 0) {
		if ((map = cl_fmap_open_memory(t->data, t->size)) == NULL)
			return CL_EMEM;
		rc = cl_scanmap_callback(map, NULL, &virname, &scanned, eng, &o, sc);
		cl_fmap_close(map);
	} else if (t->fd >= 0)
		rc = cl_scandesc_callback(t->fd, NULL, &virname, &scanned, eng, &o, sc);
	else
		return CL_CLEAN;       /* empty and no fd: nothing to scan */
	/* Should the callback have missed the name, keep the one returned. */
	if (rc == CL_VIRUS && sc->n == 0 && virname != NULL)
		on_virus(-1, virname, sc);
	return rc;
}

static int
clamav_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	struct clamav *st = e->priv;
	struct scan_ctx sc;
	cl_error_t rc;
	size_t i;
	int ret = PN_OK;

	v->category = PN_CAT_UNDETECTED;
	v->result = v->method = NULL;
	v->details = NULL;
	if (st == NULL || st->eng == NULL)
		return PN_EINTERNAL;
	if (e->max_size > 0 && t->size > e->max_size) {
		v->category = PN_CAT_TYPE_UNSUPPORTED;
		return PN_OK;
	}
	memset(&sc, 0, sizeof(sc));
	rc = run_scan(st->eng, t, &sc);
	switch (rc) {
	case CL_CLEAN:
	case CL_VIRUS:
		fill_verdict(&sc, v);
		break;
	case CL_ETIMEOUT:
		log_warnx("clamav: scan stopped: %s", cl_strerror(rc));
		ret = PN_ETIMEOUT;
		break;
	default:
		log_warnx("clamav: scan failed: %s", cl_strerror(rc));
		ret = PN_EINTERNAL;
		break;
	}
	for (i = 0; i < sc.n; i++)
		free(sc.names[i]);
	return ret;
}

/* ------------------------------------------------------------------------
 * The interface.
 */

static int
clamav_init(struct pn_engine *e, const struct pn_conf *conf)
{
	if (e->name[0] == '\0')
		pn_strlcpy(e->name, "ClamAV", sizeof(e->name));
	pthread_once(&cl_once, init_once);
	pn_strlcpy(e->version, cl_retver(), sizeof(e->version));
	e->confine_flags = PN_ENGINE_TYPE_BLIND;
	e->priv = pn_xcalloc(1, sizeof(struct clamav));
	return install(e, conf);
}

/* A failed reload keeps the previous engine scanning and sets e->error. */
static int
clamav_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	if (e->priv == NULL)
		e->priv = pn_xcalloc(1, sizeof(struct clamav));
	return install(e, conf);
}

static void
clamav_free(struct pn_engine *e)
{
	struct clamav *st = e->priv;

	if (st == NULL)
		return;
	if (st->eng != NULL)
		cl_engine_free(st->eng);
	free(st);
	e->priv = NULL;
}

const struct pn_engine_ops pn_engine_clamav_ops = {
	.kind = "clamav",
	.init = clamav_init,
	.scan = clamav_scan,
	.reload = clamav_reload,
	.free = clamav_free,
};
