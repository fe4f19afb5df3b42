/*
 * conf.c - the core options and the INI loader (libinih).
 *
 * Each module declares its own table of options (type, default, one-line
 * description) and lib/conf_tables.c lists the tables; docs/CONFIG.md
 * documents them in prose.  Values are kept as strings and converted
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
#include <pthread.h>

#define PN_CONF_MAX_VALUE 4096

/* Keep in step with docs/CONFIG.md. */
const struct pn_conf_opt pn_conf_core[] = {
	{ "server.listen", PN_CONF_STR, "127.0.0.1:8080", "address and port to serve on (HOST:PORT)" },
	{ "server.public_url", PN_CONF_STR, "", "base URL used in every link; default http://LISTEN" },
	{ "server.threads", PN_CONF_INT, "2", "HTTP threads" },
	{ "server.max_connections", PN_CONF_INT, "1024", "concurrent HTTP connections" },
	{ "server.connection_timeout", PN_CONF_INT, "60", "seconds an idle connection is kept" },
	{ "server.upload_url_ttl", PN_CONF_INT, "3600", "seconds an upload URL stays valid" },
	{ "limits.max_upload", PN_CONF_SIZE, "650M", "largest accepted sample" },
	{ "store.backend", PN_CONF_STR, "sqlite", "metadata store: sqlite" },
	{ "store.synchronous", PN_CONF_STR, "full", "sqlite synchronous mode: full or normal" },
	{ "worker.count", PN_CONF_INT, "2", "analysis worker processes" },
	{ "worker.job_timeout", PN_CONF_INT, "300", "seconds before a job's worker is killed" },
	{ "worker.max_jobs", PN_CONF_INT, "1000", "jobs a worker handles before it is recycled" },
	{ "worker.memory_limit", PN_CONF_SIZE, "2G", "address-space limit of scan children (RLIMIT_AS)" },
	{ "worker.seccomp", PN_CONF_BOOL, "true", "confine scan children with a seccomp filter" },
	{ "engines.timeout", PN_CONF_INT, "60", "seconds one engine may spend on one file" },
	{ "log.level", PN_CONF_STR, "info", "debug, info, warn or error" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

/* Every table of options, flattened once (pn_conf_new). */
static const struct pn_conf_opt **opts;
static size_t nopts;
static pthread_once_t opts_once = PTHREAD_ONCE_INIT;

static void
flatten(void)
{
	size_t t, i, n = 0;

	for (t = 0; pn_conf_tables[t]; t++)
		for (i = 0; pn_conf_tables[t][i].key; i++)
			n++;
	opts = pn_xcalloc(n + 1, sizeof(*opts));
	for (t = 0; pn_conf_tables[t]; t++)
		for (i = 0; pn_conf_tables[t][i].key; i++)
			opts[nopts++] = &pn_conf_tables[t][i];
}

struct pn_conf {
	char **v;     /* value per option (index as in opts), NULL = default */
};

static size_t
find_opt(const char *key)
{
	size_t i;

	pthread_once(&opts_once, flatten);
	for (i = 0; i < nopts; i++)
		if (strcmp(opts[i]->key, key) == 0)
			return i;
	return SIZE_MAX;
}

struct pn_conf *
pn_conf_new(void)
{
	struct pn_conf *c = pn_xcalloc(1, sizeof(*c));

	pthread_once(&opts_once, flatten);
	c->v = pn_xcalloc(nopts + 1, sizeof(char *));
	return c;
}

void
pn_conf_free(struct pn_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < nopts; i++)
		free(c->v[i]);
	free(c->v);
	free(c);
}

int
pn_conf_put(struct pn_conf *c, const char *key, const char *value)
{
	size_t i = find_opt(key);

	if (i == SIZE_MAX)
		return PN_ENOTFOUND;
	if (strlen(value) > PN_CONF_MAX_VALUE)
		return PN_ELIMIT;
	free(c->v[i]);
	c->v[i] = pn_xstrdup(value);
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
	size_t i = find_opt(key);

	if (i == SIZE_MAX)
		PN_BUG("pn_conf_get of an option missing from the tables");
	return c && c->v[i] ? c->v[i] : opts[i]->def;
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

	pthread_once(&opts_once, flatten);
	for (i = 0; i < nopts; i++) {
		const char *s = pn_conf_get(c, opts[i]->key);
		int64_t iv;
		uint64_t sv;
		int bv, rc = PN_OK;
		const char *what = "";

		switch (opts[i]->type) {
		case PN_CONF_STR: break;
		case PN_CONF_INT: rc = pn_parse_i64(s, 0, INT32_MAX, &iv); what = "a non-negative integer"; break;
		case PN_CONF_BOOL: rc = parse_bool(s, &bv); what = "true or false"; break;
		case PN_CONF_SIZE: rc = parse_size(s, &sv); what = "a size such as 650M"; break;
		}
		if (rc != PN_OK) {
			if (err)
				snprintf(err, errlen, "option %s = \"%s\": expected %s", opts[i]->key, s, what);
			return PN_EINVAL;
		}
	}
	return PN_OK;
}

void
pn_conf_print_options(FILE *out)
{
	size_t i;

	pthread_once(&opts_once, flatten);
	for (i = 0; i < nopts; i++)
		fprintf(out, "  %-26s %-16s %s\n", opts[i]->key,
		    *opts[i]->def ? opts[i]->def : "\"\"", opts[i]->desc);
}
