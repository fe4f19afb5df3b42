/*
 * cmd_lookup.c - the read-side client commands: `panoptes file HASH...`,
 * `url URL...` (--scan submits first), `domain NAME...`, `ip ADDR...`,
 * `analysis ID...` (--wait), `relations TYPE ID REL`, `comments TYPE ID`
 * and `search QUERY`, plus the helpers the other client commands share
 * (object paths, URL ids, collection paging, waiting for an analysis).
 *
 * Exit status: 0 clean, 1 an object has at least --threshold malicious
 * verdicts (object commands only), 2 usage or input error (bad argument,
 * unknown object), 3 server or network error.  Every argument is tried;
 * the worst outcome decides (pn_cli_status_exit).
 *
 * Limits: PN_CLI_MAX_PAGES pages per listing, PN_CLI_PAGE_MAX items asked per page.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"
#include "b64.h"

#include <time.h>

#define PN_CLI_MAX_PAGES  100000
#define PN_CLI_PAGE_MAX   40
#define PN_CLI_WAIT_MAX   900     /* seconds --scan / --wait wait for an analysis */

/* ------------------------------------------------------------- helpers */

int
pn_cli_is_hash(const char *s)
{
	size_t n = strlen(s);

	return (n == 32 || n == 40 || n == 64) && pn_is_hex(s, n);
}

char *
pn_cli_url_id(const char *s)
{
	size_t n = strlen(s);
	char *out;

	if (n == 64 && pn_is_hex(s, n))
		return pn_xstrdup(s);
	out = pn_xmalloc(pn_b64_encoded_len(n) + 1);
	if (pn_b64_encode(s, n, out, pn_b64_encoded_len(n) + 1, PN_B64_URL) != PN_OK)
		PN_BUG("base64url of a URL");
	return out;
}

static const char *
collection_of(const char *type)
{
	static const struct { const char *type, *coll; } t[] = {
		{ "file", "files" }, { "url", "urls" }, { "domain", "domains" },
		{ "ip", "ip_addresses" }, { "ip_address", "ip_addresses" },
		{ "analysis", "analyses" }, { "comment", "comments" },
		{ "collection", "collections" },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++)
		if (strcmp(type, t[i].type) == 0 || strcmp(type, t[i].coll) == 0)
			return t[i].coll;
	return NULL;
}

char *
pn_cli_object_path(const char *type, const char *id)
{
	const char *coll = collection_of(type);
	char *uid = NULL, *esc, *p;

	if (coll == NULL || *id == '\0')
		return NULL;
	if (strcmp(coll, "urls") == 0)
		id = uid = pn_cli_url_id(id);
	esc = pn_client_escape(id);
	p = pn_xasprintf("%s/%s", coll, esc);
	free(esc);
	free(uid);
	return p;
}

static const char *
json_str(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int
pn_cli_print_collection(struct pn_client *cl, struct pn_out *out, const char *path,
    int64_t limit, int all, int page, struct pn_client_err *err)
{
	char *url;
	int64_t printed = 0;
	int pages, rc = PN_OK;

	if (page <= 0)
		page = all ? PN_CLI_PAGE_MAX : (int)PN_MIN(limit, PN_CLI_PAGE_MAX);
	url = pn_xasprintf("%s%climit=%d", path, strchr(path, '?') ? '&' : '?', page);
	for (pages = 0; url && pages < PN_CLI_MAX_PAGES; pages++) {
		struct json_object *j, *data;
		const char *next, *cursor;
		size_t i, n;

		rc = pn_client_json(cl, "GET", url, NULL, &j, err);
		free(url);
		url = NULL;
		if (rc != PN_OK)
			break;
		if (!json_object_object_get_ex(j, "data", &data) || data == NULL) {
			json_object_put(j);
			break;
		}
		if (json_object_is_type(data, json_type_object)) {
			pn_out_object(out, data);
			json_object_put(j);
			break;
		}
		n = json_object_is_type(data, json_type_array) ? json_object_array_length(data) : 0;
		for (i = 0; i < n && (all || printed < limit); i++, printed++)
			pn_out_object(out, json_object_array_get_idx(data, i));
		next = json_str(j, "links", "next");
		cursor = json_str(j, "meta", "cursor");
		if (n > 0 && (all || printed < limit)) {
			if (next && *next) {
				url = pn_xstrdup(next);
			} else if (cursor && *cursor) {
				char *ec = pn_client_escape(cursor);
				url = pn_xasprintf("%s%ccursor=%s&limit=%d", path,
				    strchr(path, '?') ? '&' : '?', ec, page);
				free(ec);
			}
		}
		json_object_put(j);
	}
	free(url);
	return rc;
}

int
pn_cli_wait_analysis(struct pn_client *cl, const char *id, long max_seconds,
    struct json_object **out, struct pn_client_err *err)
{
	char *esc = pn_client_escape(id), *path = pn_xasprintf("analyses/%s", esc);
	int64_t end = pn_mono_ms() + max_seconds * 1000;
	long delay = 200, slept;
	int rc;

	free(esc);
	*out = NULL;
	for (;;) {
		struct json_object *j;
		const char *st;
		struct timespec ts;

		rc = pn_client_json(cl, "GET", path, NULL, &j, err);
		if (rc != PN_OK)
			break;
		st = json_str(json_object_object_get(j, "data"), "attributes", "status");
		if (st && strcmp(st, "completed") == 0) {
			*out = j;
			break;
		}
		json_object_put(j);
		if (pn_mono_ms() >= end) {
			memset(err, 0, sizeof(*err));
			err->kind = PN_CLIENT_ENET;
			snprintf(err->msg, sizeof(err->msg), "analysis %.200s not completed after %ld s",
			    id, max_seconds);
			rc = PN_ETIMEOUT;
			break;
		}
		if (cl->stop && *cl->stop) {
			memset(err, 0, sizeof(*err));
			err->kind = PN_CLIENT_EINTR;
			pn_strlcpy(err->msg, "interrupted", sizeof(err->msg));
			rc = PN_EIO;
			break;
		}
		for (slept = 0; slept < delay && !(cl->stop && *cl->stop); slept += 100) {
			ts.tv_sec = 0;
			ts.tv_nsec = PN_MIN(delay - slept, 100L) * 1000000L;
			nanosleep(&ts, NULL);
		}
		delay = PN_MIN(delay * 3 / 2, 5000L);
	}
	free(path);
	return rc;
}

/* ------------------------------------------------------------- options */

enum { LK_LIMIT = 1, LK_SCAN = 2, LK_WAIT = 4, LK_DESC = 8 };

struct lk {
	const char *cmd;
	const char *usage;      /* after "usage: panoptes CMD " */
	const char *about;      /* paragraph for --help */
	int min, max;           /* positional arguments; max -1 = any */
	int flags;
	/* parsed */
	struct pn_cli_client cc;
	int64_t limit, page;
	int all, scan, wait, desc;
	char **args;
	int nargs;
};

static void
lk_usage(const struct lk *k, FILE *f, int full)
{
	fprintf(f, "usage: panoptes %s %s\n", k->cmd, k->usage);
	if (!full)
		return;
	fprintf(f, "\n%s\n\noptions:\n", k->about);
	if (k->flags & LK_LIMIT)
		fprintf(f, "  --limit N            items to print (default 10)\n"
		    "  --all                every item, following the cursor\n"
		    "  --page-size N        items per request (1..40; default 40 or --limit)\n");
	if (k->flags & LK_DESC)
		fprintf(f, "  --descriptors        type and id only (/relationships/ route)\n");
	if (k->flags & LK_SCAN)
		fprintf(f, "  --scan               submit the URL for analysis first and wait\n");
	if (k->flags & LK_WAIT)
		fprintf(f, "  --wait               poll until the analysis is completed\n");
	fputs(pn_cli_client_help, f);
}

#define LK(c, u, a, mn, mx, fl) \
	{ .cmd = (c), .usage = (u), .about = (a), .min = (mn), .max = (mx), .flags = (fl) }

/* Parse argv into k; returns -1 to go on, else the exit status. */
static int
lk_parse(struct lk *k, int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_CLIENT_LONGOPTS,
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "scan", no_argument, NULL, OPT_SCAN },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "descriptors", no_argument, NULL, OPT_DESCRIPTORS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, r;

	pn_cli_client_init(&k->cc);
	k->limit = 10;
	while ((opt = getopt_long(argc, argv, "o:t:vqh", lo, NULL)) != -1) {
		if ((r = pn_cli_client_opt(&k->cc, k->cmd, opt, optarg)) == 1)
			continue;
		if (r < 0)
			return 2;
		switch (opt) {
		case OPT_LIMIT:
			if (!(k->flags & LK_LIMIT) || pn_parse_i64(optarg, 1, INT32_MAX, &k->limit) != PN_OK) {
				fprintf(stderr, "panoptes %s: --limit takes a number >= 1\n", k->cmd);
				return 2;
			}
			break;
		case OPT_PAGE_SIZE:
			if (!(k->flags & LK_LIMIT) ||
			    pn_parse_i64(optarg, 1, PN_CLI_PAGE_MAX, &k->page) != PN_OK) {
				fprintf(stderr, "panoptes %s: --page-size takes 1..%d\n", k->cmd,
				    PN_CLI_PAGE_MAX);
				return 2;
			}
			break;
		case OPT_ALL: if (!(k->flags & LK_LIMIT)) goto bad; k->all = 1; break;
		case OPT_SCAN: if (!(k->flags & LK_SCAN)) goto bad; k->scan = 1; break;
		case OPT_WAIT: if (!(k->flags & LK_WAIT)) goto bad; k->wait = 1; break;
		case OPT_DESCRIPTORS: if (!(k->flags & LK_DESC)) goto bad; k->desc = 1; break;
		case 'h':
			lk_usage(k, stdout, 1);
			return 0;
		default:
			goto bad;
		}
	}
	k->args = argv + optind;
	k->nargs = argc - optind;
	if (k->nargs < k->min || (k->max >= 0 && k->nargs > k->max))
		goto bad;
	return -1;
bad:
	lk_usage(k, stderr, 0);
	return 2;
}

/* ------------------------------------------------------ object commands */

/* Print one object answer and note whether it is detected. */
static void
show(struct lk *k, struct pn_out *out, struct json_object *j, struct pn_cli_status *st)
{
	struct json_object *data;
	int64_t mal, total;

	if (!json_object_object_get_ex(j, "data", &data) ||
	    !json_object_is_type(data, json_type_object)) {
		fprintf(stderr, "panoptes %s: the answer has no data object\n", k->cmd);
		st->server_err = 1;
		return;
	}
	/* An analysis carries its file/url in a top-level meta: keep it with the object. */
	if (json_object_object_get_ex(j, "meta", NULL) && !json_object_object_get_ex(data, "meta", NULL))
		json_object_object_add(data, "meta", json_object_get(json_object_object_get(j, "meta")));
	pn_out_object(out, data);
	if (pn_out_stats(data, &mal, &total) == PN_OK && mal >= k->cc.threshold)
		st->detected = 1;
}

/* Check an argument; returns the API path or NULL (message printed). */
static char *
object_path(struct lk *k, const char *arg, struct pn_client *cl, struct pn_cli_status *st)
{
	char *esc, *p;

	if (strcmp(k->cmd, "file") == 0 && !pn_cli_is_hash(arg)) {
		fprintf(stderr, "panoptes file: \"%s\" is not a md5, sha1 or sha256\n", arg);
		st->input_err = 1;
		return NULL;
	}
	if (*arg == '\0') {
		fprintf(stderr, "panoptes %s: empty argument\n", k->cmd);
		st->input_err = 1;
		return NULL;
	}
	if (strcmp(k->cmd, "url") == 0 && k->scan) {
		struct pn_client_err err;
		struct json_object *j, *a;
		const char *aid;
		if (pn_client_form(cl, "urls", "url", arg, &j, &err) != PN_OK) {
			pn_client_perror(k->cmd, arg, &err);
			pn_cli_status_err(st, &err);
			return NULL;
		}
		aid = json_str(j, "data", "id");
		if (aid == NULL || pn_cli_wait_analysis(cl, aid, PN_CLI_WAIT_MAX, &a, &err) != PN_OK) {
			if (aid == NULL)
				fprintf(stderr, "panoptes url: the answer to POST /urls has no analysis id\n");
			else
				pn_client_perror(k->cmd, arg, &err);
			st->server_err |= aid == NULL;
			if (aid)
				pn_cli_status_err(st, &err);
			json_object_put(j);
			return NULL;
		}
		json_object_put(a);
		json_object_put(j);
	}
	if (strcmp(k->cmd, "analysis") == 0) {
		esc = pn_client_escape(arg);
		p = pn_xasprintf("analyses/%s", esc);
		free(esc);
		return p;
	}
	return pn_cli_object_path(strcmp(k->cmd, "ip") == 0 ? "ip_address" : k->cmd, arg);
}

static int
run_objects(struct lk *k, int argc, char **argv)
{
	struct pn_client cl;
	struct pn_out out;
	struct pn_cli_status st = { 0, 0, 0, 0 };
	int rc, i;

	if ((rc = lk_parse(k, argc, argv)) >= 0)
		goto done_opts;
	if ((rc = pn_cli_client_finish(&k->cc, k->cmd, &cl, &out)) != 0)
		goto done_opts;
	pn_out_begin(&out, k->nargs > 1);
	for (i = 0; i < k->nargs; i++) {
		struct pn_client_err err;
		struct json_object *j = NULL;
		char *path = object_path(k, k->args[i], &cl, &st);
		if (path == NULL)
			continue;
		if (strcmp(k->cmd, "analysis") == 0 && k->wait)
			rc = pn_cli_wait_analysis(&cl, k->args[i], PN_CLI_WAIT_MAX, &j, &err);
		else
			rc = pn_client_json(&cl, "GET", path, NULL, &j, &err);
		free(path);
		if (rc != PN_OK) {
			pn_client_perror(k->cmd, k->args[i], &err);
			pn_cli_status_err(&st, &err);
			if (err.kind == PN_CLIENT_ENET || err.status == 401)
				break;      /* the next ones would fail the same way */
			continue;
		}
		show(k, &out, j, &st);
		json_object_put(j);
	}
	pn_out_end(&out);
	pn_out_release(&out);
	pn_client_release(&cl);
	pn_cli_client_free(&k->cc);
	return pn_cli_status_exit(&st);
done_opts:
	pn_cli_client_free(&k->cc);
	return rc;
}

int
pn_cmd_file(int argc, char **argv)
{
	struct lk k = LK("file", "[options] HASH...", "Print the reports of files known to the "
	    "server, by md5, sha1 or sha256.", 1, -1, 0);

	return run_objects(&k, argc, argv);
}

int
pn_cmd_url(int argc, char **argv)
{
	struct lk k = LK("url", "[--scan] [options] URL...", "Print URL reports.  The id is the "
	    "sha256 of the canonical URL (give 64 hex digits)\nor the URL itself, sent as "
	    "unpadded base64url.  --scan submits the URL\n(POST /api/v3/urls) and waits for "
	    "the analysis first.", 1, -1, LK_SCAN);

	return run_objects(&k, argc, argv);
}

int
pn_cmd_domain(int argc, char **argv)
{
	struct lk k = LK("domain", "[options] NAME...", "Print domain reports.", 1, -1, 0);

	return run_objects(&k, argc, argv);
}

int
pn_cmd_ip(int argc, char **argv)
{
	struct lk k = LK("ip", "[options] ADDRESS...", "Print IP address reports (IPv4 or IPv6).",
	    1, -1, 0);

	return run_objects(&k, argc, argv);
}

int
pn_cmd_analysis(int argc, char **argv)
{
	struct lk k = LK("analysis", "[--wait] [options] ID...", "Print analyses (status, stats, "
	    "results) by the id POST /files or POST /urls returned.", 1, -1, LK_WAIT);

	return run_objects(&k, argc, argv);
}

/* -------------------------------------------------------- collections */

static int
run_collection(struct lk *k, int argc, char **argv, char *(*mkpath)(struct lk *))
{
	struct pn_client cl;
	struct pn_client_err err;
	struct pn_out out;
	char *path;
	int rc;

	if ((rc = lk_parse(k, argc, argv)) >= 0)
		goto done_opts;
	if ((path = mkpath(k)) == NULL) {
		rc = 2;
		goto done_opts;
	}
	if ((rc = pn_cli_client_finish(&k->cc, k->cmd, &cl, &out)) != 0) {
		free(path);
		goto done_opts;
	}
	pn_out_begin(&out, 1);
	rc = pn_cli_print_collection(&cl, &out, path, k->limit, k->all, (int)k->page, &err);
	pn_out_end(&out);
	if (rc != PN_OK) {
		pn_client_perror(k->cmd, NULL, &err);
		rc = pn_client_exit_code(&err);
	}
	free(path);
	pn_out_release(&out);
	pn_client_release(&cl);
	pn_cli_client_free(&k->cc);
	return rc;
done_opts:
	pn_cli_client_free(&k->cc);
	return rc;
}

static char *
relations_path(struct lk *k)
{
	char *obj = pn_cli_object_path(k->args[0], k->args[1]), *rel, *p;

	if (obj == NULL) {
		fprintf(stderr, "panoptes %s: TYPE is file, url, domain, ip, analysis, comment or "
		    "collection (got \"%s\")\n", k->cmd, k->args[0]);
		return NULL;
	}
	if (strcmp(k->cmd, "comments") == 0) {
		p = pn_xasprintf("%s/comments", obj);
		free(obj);
		return p;
	}
	rel = pn_client_escape(k->args[2]);
	p = pn_xasprintf("%s/%s%s", obj, k->desc ? "relationships/" : "", rel);
	free(rel);
	free(obj);
	return p;
}

int
pn_cmd_relations(int argc, char **argv)
{
	struct lk k = LK("relations", "[--limit N] [--all] [--descriptors] [options] TYPE ID REL",
	    "List the objects related to an object: TYPE is file, url, domain, ip,\nanalysis, "
	    "comment or collection; REL a relationship name (GET /api/v3/metadata\nlists the "
	    "server's), e.g. analyses, submissions, contacted_domains.", 3, 3,
	    LK_LIMIT | LK_DESC);

	return run_collection(&k, argc, argv, relations_path);
}

int
pn_cmd_comments(int argc, char **argv)
{
	struct lk k = LK("comments", "[--limit N] [--all] [options] TYPE ID",
	    "List the comments on an object (TYPE file, url, domain or ip).", 2, 2, LK_LIMIT);

	return run_collection(&k, argc, argv, relations_path);
}

static char *
search_path(struct lk *k)
{
	char *q = pn_client_escape(k->args[0]), *p = pn_xasprintf("search?query=%s", q);

	free(q);
	return p;
}

int
pn_cmd_search(int argc, char **argv)
{
	struct lk k = LK("search", "[--limit N] [--all] [options] QUERY",
	    "Search the server (GET /api/v3/search): a hash gives the file, a URL, domain\n"
	    "or IP address its report, other words comments with those tags.", 1, 1, LK_LIMIT);

	return run_collection(&k, argc, argv, search_path);
}
