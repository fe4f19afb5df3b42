/*
 * conf.c - the table of known options and the INI loader (libinih).
 *
 * Each option has a type, a default and a one-line description; docs/CONFIG.md
 * documents the same table in prose.  Values are kept as strings and converted
 * on lookup; pn_conf_check() converts them all once at start-up so a bad
 * value is reported before anything runs.
 *
 * Limits: PN_CONF_MAX_VALUE bytes per value; options are the table's.
 * Errors: PN_EINVAL with "file:line: reason" in err.
 *
 * SPDX-License-Identifier: MIT
 */
#include "conf.h"

#include <errno.h>
#include <ini.h>

#define PN_CONF_MAX_VALUE 4096

enum opt_type { T_STR, T_INT, T_BOOL, T_SIZE };

struct opt {
	const char *key;
	enum opt_type type;
	const char *def;
	const char *desc;
};

/* Keep in step with docs/CONFIG.md. */
static const struct opt opts[] = {
	{ "server.listen", T_STR, "127.0.0.1:8080", "address and port to serve on (HOST:PORT)" },
	{ "server.public_url", T_STR, "", "base URL used in every link; default http://LISTEN" },
	{ "server.threads", T_INT, "2", "HTTP threads" },
	{ "server.max_connections", T_INT, "1024", "concurrent HTTP connections" },
	{ "server.connection_timeout", T_INT, "60", "seconds an idle connection is kept" },
	{ "server.upload_url_ttl", T_INT, "3600", "seconds an upload URL stays valid" },
	{ "limits.max_upload", T_SIZE, "650M", "largest accepted sample" },
	{ "store.backend", T_STR, "sqlite", "metadata store: sqlite" },
	{ "store.synchronous", T_STR, "full", "sqlite synchronous mode: full or normal" },
	{ "worker.count", T_INT, "2", "analysis worker processes" },
	{ "worker.job_timeout", T_INT, "300", "seconds before a job's worker is killed" },
	{ "worker.max_jobs", T_INT, "1000", "jobs a worker handles before it is recycled" },
	{ "worker.memory_limit", T_SIZE, "2G", "address-space limit of scan children (RLIMIT_AS)" },
	{ "worker.seccomp", T_BOOL, "true", "confine scan children with a seccomp filter" },
	{ "engines.timeout", T_INT, "60", "seconds one engine may spend on one file" },
	{ "clamav.enabled", T_BOOL, "true", "run the ClamAV engine" },
	{ "clamav.signatures", T_STR, "", "the project's signature directory; default: built-in path" },
	{ "clamav.database_dir", T_STR, "/var/lib/clamav", "operator's official databases (optional)" },
	{ "clamav.max_filesize", T_SIZE, "100M", "largest file ClamAV scans" },
	{ "clamav.max_scansize", T_SIZE, "400M", "most bytes ClamAV reads from one file and its members" },
	{ "clamav.max_recursion", T_INT, "16", "archive nesting depth" },
	{ "clamav.max_files", T_INT, "10000", "members scanned in one container" },
	{ "log.level", T_STR, "info", "debug, info, warn or error" },
};

struct kv {
	const struct opt *opt;
	char *value;
};

struct pn_conf {
	struct kv v[PN_ARRAY_LEN(opts)];
};

static const struct opt *
find_opt(const char *key)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(opts); i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

struct pn_conf *
pn_conf_new(void)
{
	struct pn_conf *c = pn_xcalloc(1, sizeof(*c));
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(opts); i++)
		c->v[i].opt = &opts[i];
	return c;
}

void
pn_conf_free(struct pn_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < PN_ARRAY_LEN(opts); i++)
		free(c->v[i].value);
	free(c);
}

int
pn_conf_put(struct pn_conf *c, const char *key, const char *value)
{
	const struct opt *o = find_opt(key);
	size_t i;

	if (o == NULL)
		return PN_ENOTFOUND;
	if (strlen(value) > PN_CONF_MAX_VALUE)
		return PN_ELIMIT;
	i = (size_t)(o - opts);
	free(c->v[i].value);
	c->v[i].value = pn_xstrdup(value);
	return PN_OK;
}

struct load_ctx {
	struct pn_conf *c;
	char *err;
	size_t errlen;
	const char *path;
	int failed;
};

static int
ini_cb(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	char key[256];
	int rc;

	if (lc->failed)
		return 0;
	snprintf(key, sizeof(key), "%s.%s", section, name);
	rc = pn_conf_put(lc->c, key, value);
	if (rc != PN_OK) {
		if (lc->err)
			snprintf(lc->err, lc->errlen, "%s: %s option \"%s\"", lc->path,
			    rc == PN_ENOTFOUND ? "unknown" : "over-long", key);
		lc->failed = 1;
		return 0;
	}
	return 1;
}

int
pn_conf_load_file(struct pn_conf *c, const char *path, char *err, size_t errlen)
{
	struct load_ctx lc = { c, err, errlen, path, 0 };
	int rc = ini_parse(path, ini_cb, &lc);

	if (rc < 0) {
		if (err)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return PN_EIO;
	}
	if (lc.failed)
		return PN_EINVAL;
	if (rc > 0) {
		if (err)
			snprintf(err, errlen, "%s:%d: syntax error", path, rc);
		return PN_EINVAL;
	}
	return PN_OK;
}

int
pn_conf_set(struct pn_conf *c, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	char key[256];
	size_t klen;
	int rc;

	if (eq == NULL || eq == assignment) {
		if (err)
			snprintf(err, errlen, "--set %s: expected section.key=value", assignment);
		return PN_EINVAL;
	}
	klen = (size_t)(eq - assignment);
	if (klen >= sizeof(key)) {
		if (err)
			snprintf(err, errlen, "--set: key too long");
		return PN_EINVAL;
	}
	memcpy(key, assignment, klen);
	key[klen] = '\0';
	rc = pn_conf_put(c, key, eq + 1);
	if (rc != PN_OK && err)
		snprintf(err, errlen, "--set: %s option \"%s\"",
		    rc == PN_ENOTFOUND ? "unknown" : "over-long", key);
	return rc == PN_OK ? PN_OK : PN_EINVAL;
}

const char *
pn_conf_get(const struct pn_conf *c, const char *key)
{
	const struct opt *o = find_opt(key);
	size_t i;

	if (o == NULL)
		PN_BUG("pn_conf_get of an option missing from the table");
	i = (size_t)(o - opts);
	return c && c->v[i].value ? c->v[i].value : o->def;
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (*s == '-' || *s == '\0')
		return PN_EINVAL;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return PN_EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case '\0': break;
	default: return PN_EINVAL;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return PN_EINVAL;
	*out = (uint64_t)v << shift;
	return PN_OK;
}

static int
parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off") || !strcmp(s, "0"))
		*out = 0;
	else
		return PN_EINVAL;
	return PN_OK;
}

int64_t
pn_conf_get_int(const struct pn_conf *c, const char *key)
{
	int64_t v = 0;
	if (pn_parse_i64(pn_conf_get(c, key), INT64_MIN, INT64_MAX, &v) != PN_OK)
		return 0;
	return v;
}

int
pn_conf_get_bool(const struct pn_conf *c, const char *key)
{
	int v = 0;
	parse_bool(pn_conf_get(c, key), &v);
	return v;
}

uint64_t
pn_conf_get_size(const struct pn_conf *c, const char *key)
{
	uint64_t v = 0;
	parse_size(pn_conf_get(c, key), &v);
	return v;
}

int
pn_conf_check(const struct pn_conf *c, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(opts); i++) {
		const char *s = pn_conf_get(c, opts[i].key);
		int64_t iv;
		uint64_t sv;
		int bv, rc = PN_OK;
		const char *what = "";

		switch (opts[i].type) {
		case T_STR: break;
		case T_INT: rc = pn_parse_i64(s, 0, INT32_MAX, &iv); what = "a non-negative integer"; break;
		case T_BOOL: rc = parse_bool(s, &bv); what = "true or false"; break;
		case T_SIZE: rc = parse_size(s, &sv); what = "a size such as 650M"; break;
		}
		if (rc != PN_OK) {
			if (err)
				snprintf(err, errlen, "option %s = \"%s\": expected %s", opts[i].key, s, what);
			return PN_EINVAL;
		}
	}
	return PN_OK;
}

void
pn_conf_print_options(FILE *out)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(opts); i++)
		fprintf(out, "  %-26s %-16s %s\n", opts[i].key,
		    *opts[i].def ? opts[i].def : "\"\"", opts[i].desc);
}
