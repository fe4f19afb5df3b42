/*
 * cmd_scan_remote.c - `panoptes scan --server URL PATH...`: the files go to
 * a v3 server instead of the local engines, with reports of the same shape
 * as a local scan (path + the file's attributes), so both print alike.
 *
 * Per file: hash it; GET /files/{sha256}: known and analysed -> its report
 * (nothing uploaded, which is also how an interrupted run resumes); known
 * with an analysis still running -> wait for that one; unknown -> POST
 * /files (or, above --upload-url-above, the URL of /files/upload_url)
 * and poll /analyses/{id} until completed.  --rescan asks for a new
 * analysis of known files.  ro->jobs threads do this at once, each with its
 * own connection; reports are printed as they complete.
 *
 * SIGINT: no new file is started, transfers and polls in progress stop,
 * what completed has been printed; the run returns 130.  A second SIGINT
 * ends the process at once.  A wrong key or an
 * unreachable server stops the run after the first failure.
 *
 * Limits: PN_SCAN_REMOTE_MAX_JOBS threads.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PN_SCAN_REMOTE_MAX_JOBS 64

static volatile sig_atomic_t stop_flag;

/* The first SIGINT stops the run gently; a second one ends the process. */
static void
on_sigint(int sig)
{
	if (stop_flag) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_flag = 1;
}

struct shared {
	const struct pn_scan_files *f;
	struct pn_cli_client *cc;
	const struct pn_scan_remote_opts *ro;
	struct pn_scan_tally *t;
	pthread_mutex_t mu;
	size_t next;                /* next file to take */
	size_t done;                /* reports printed */
	int fatal;                  /* a failure every file would share: stop */
	int fatal_code;             /* its exit status */
	int64_t t0;
};

/* ------------------------------------------------------------- reports */

static char *
line_of(struct json_object *o)
{
	char *s = pn_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

static char *
error_line(const char *path, const char *sha256, const char *kind, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(path));
	if (sha256)
		json_object_object_add(o, "sha256", json_object_new_string(sha256));
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "error_kind", json_object_new_string(kind));
	return line_of(o);
}

/* A failure from the client: note a run-wide one, return the line. */
static char *
client_error_line(struct shared *sh, const char *path, const char *sha256,
    const struct pn_client_err *err)
{
	int code = pn_client_exit_code(err);
	char msg[700];

	if (err->kind == PN_CLIENT_EHTTP)
		snprintf(msg, sizeof(msg), "%s (%ld %s)", err->msg, err->status,
		    err->code[0] ? err->code : "error");
	else
		pn_strlcpy(msg, err->msg, sizeof(msg));
	if (err->kind == PN_CLIENT_ENET || err->kind == PN_CLIENT_EINTR ||
	    (err->kind == PN_CLIENT_EHTTP && err->status == 401)) {
		pthread_mutex_lock(&sh->mu);
		if (!sh->fatal && err->kind != PN_CLIENT_EINTR) {
			if (sh->ro->progress)
				fprintf(stderr, "\r\033[K");
			pn_client_perror("scan", NULL, err);
		}
		if (!sh->fatal)
			sh->fatal_code = code;
		sh->fatal = 1;
		pthread_mutex_unlock(&sh->mu);
	}
	return error_line(path, sha256, code == 2 ? "input" : code == 130 ? "interrupted" :
	    "server", msg);
}

/* The report: path, the file's attributes, this analysis's verdicts. */
static char *
report_line(const char *path, struct json_object *file, struct json_object *analysis)
{
	struct json_object *o = json_object_new_object(), *attrs, *d, *a, *v;

	json_object_object_add(o, "path", json_object_new_string(path));
	if (json_object_object_get_ex(file, "data", &d) &&
	    json_object_object_get_ex(d, "attributes", &attrs)) {
		json_object_object_foreach(attrs, k, val)
			json_object_object_add(o, k, json_object_get(val));
	}
	if (analysis && json_object_object_get_ex(analysis, "data", &d) &&
	    json_object_object_get_ex(d, "attributes", &a)) {
		if (json_object_object_get_ex(a, "stats", &v))
			json_object_object_add(o, "last_analysis_stats", json_object_get(v));
		if (json_object_object_get_ex(a, "results", &v))
			json_object_object_add(o, "last_analysis_results", json_object_get(v));
	}
	return line_of(o);
}

static const char *
data_id(struct json_object *j)
{
	struct json_object *d, *id;

	if (json_object_object_get_ex(j, "data", &d) && json_object_is_type(d, json_type_array))
		d = json_object_array_length(d) ? json_object_array_get_idx(d, 0) : NULL;
	if (d && json_object_object_get_ex(d, "id", &id) && json_object_is_type(id, json_type_string))
		return json_object_get_string(id);
	return NULL;
}

/* Upload path and return the analysis answer of POST /files. */
static int
submit(struct pn_client *cl, const char *path, uint64_t size, uint64_t direct_max,
    struct json_object **desc, struct pn_client_err *err)
{
	struct json_object *u, *d;
	int rc;

	if (size <= direct_max)
		return pn_client_upload(cl, "files", path, desc, err);
	rc = pn_client_json(cl, "GET", "files/upload_url", NULL, &u, err);
	if (rc != PN_OK)
		return rc;
	if (!json_object_object_get_ex(u, "data", &d) || !json_object_is_type(d, json_type_string)) {
		json_object_put(u);
		memset(err, 0, sizeof(*err));
		err->kind = PN_CLIENT_EPROTO;
		pn_strlcpy(err->msg, "GET /files/upload_url gave no URL", sizeof(err->msg));
		return PN_EFORMAT;
	}
	rc = pn_client_upload(cl, json_object_get_string(d), path, desc, err);
	json_object_put(u);
	return rc;
}

/* The analysis to wait for: a new one (upload, rescan) or the running one. */
static int
analysis_id(struct shared *sh, struct pn_client *cl, const char *path, const struct pn_hashes *h,
    uint64_t size, int known, char **aid, struct pn_client_err *err)
{
	struct json_object *j = NULL;
	char *p;
	int rc;

	*aid = NULL;
	if (known && !sh->ro->rescan) {
		p = pn_xasprintf("files/%s/analyses?limit=1", h->sha256);
		rc = pn_client_json(cl, "GET", p, NULL, &j, err);
		free(p);
		if (rc == PN_OK && data_id(j))
			*aid = pn_xstrdup(data_id(j));
		json_object_put(j);
		if (*aid || rc != PN_OK)
			return rc;
	}
	if (known && sh->ro->rescan) {
		p = pn_xasprintf("files/%s/analyse", h->sha256);
		rc = pn_client_json(cl, "POST", p, NULL, &j, err);
		free(p);
	} else {
		rc = submit(cl, path, size, sh->ro->upload_url_above, &j, err);
	}
	if (rc == PN_OK && data_id(j))
		*aid = pn_xstrdup(data_id(j));
	else if (rc == PN_OK) {
		memset(err, 0, sizeof(*err));
		err->kind = PN_CLIENT_EPROTO;
		pn_strlcpy(err->msg, "the submission gave no analysis id", sizeof(err->msg));
		rc = PN_EFORMAT;
	}
	json_object_put(j);
	return rc;
}

static int
has_analysis(struct json_object *file)
{
	struct json_object *d, *a;

	return json_object_object_get_ex(file, "data", &d) &&
	    json_object_object_get_ex(d, "attributes", &a) &&
	    json_object_object_get_ex(a, "last_analysis_date", NULL) &&
	    json_object_object_get_ex(a, "last_analysis_results", NULL);
}

static char *
scan_one(struct shared *sh, struct pn_client *cl, const char *path)
{
	struct pn_client_err err;
	struct pn_hashes h;
	struct json_object *file = NULL, *an = NULL;
	struct stat sb;
	char *fpath, *aid = NULL, *line;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &sb) != 0 || pn_hash_fd(fd, PN_HASH_CRYPTO, &h) != PN_OK) {
		line = error_line(path, NULL, "input", strerror(errno ? errno : EIO));
		if (fd >= 0)
			close(fd);
		return line;
	}
	close(fd);
	fpath = pn_xasprintf("files/%s", h.sha256);
	rc = pn_client_json(cl, "GET", fpath, NULL, &file, &err);
	if (rc != PN_OK && rc != PN_ENOTFOUND)
		goto fail;
	if (rc == PN_OK && has_analysis(file) && !sh->ro->rescan) {
		line = report_line(path, file, NULL);
		goto out;
	}
	json_object_put(file);
	file = NULL;
	if ((rc = analysis_id(sh, cl, path, &h, (uint64_t)sb.st_size, rc == PN_OK, &aid, &err)) != PN_OK)
		goto fail;
	if ((rc = pn_cli_wait_analysis(cl, aid, sh->ro->wait_timeout, &an, &err)) != PN_OK)
		goto fail;
	if ((rc = pn_client_json(cl, "GET", fpath, NULL, &file, &err)) != PN_OK)
		goto fail;
	line = report_line(path, file, an);
	goto out;
fail:
	line = client_error_line(sh, path, h.sha256, &err);
out:
	json_object_put(file);
	json_object_put(an);
	free(aid);
	free(fpath);
	return line;
}

/* ------------------------------------------------------------- threads */

static void *
worker(void *arg)
{
	struct shared *sh = arg;
	struct pn_client cl;
	struct pn_client_err err;

	if (pn_client_init(&cl, &sh->cc->copts, &err) != PN_OK) {
		pthread_mutex_lock(&sh->mu);
		sh->fatal = 1;
		sh->fatal_code = 2;
		pthread_mutex_unlock(&sh->mu);
		return NULL;
	}
	cl.stop = &stop_flag;
	for (;;) {
		size_t i;
		char *line;
		pthread_mutex_lock(&sh->mu);
		i = sh->next;
		if (stop_flag || sh->fatal || i >= sh->f->n) {
			pthread_mutex_unlock(&sh->mu);
			break;
		}
		sh->next++;
		pthread_mutex_unlock(&sh->mu);
		line = scan_one(sh, &cl, sh->f->v[i]);
		pthread_mutex_lock(&sh->mu);
		if (sh->ro->progress)
			fprintf(stderr, "\r\033[K");
		if (!strstr(line, "\"error_kind\":\"interrupted\""))
			pn_scan_emit(sh->t, line, strlen(line));
		fflush(stdout);
		sh->done++;
		pthread_mutex_unlock(&sh->mu);
		free(line);
	}
	pn_client_release(&cl);
	return NULL;
}

int
pn_scan_remote(const struct pn_scan_files *f, struct pn_cli_client *cc,
    const struct pn_scan_remote_opts *ro, struct pn_scan_tally *t)
{
	pthread_t th[PN_SCAN_REMOTE_MAX_JOBS];
	struct sigaction sa, old;
	struct pn_client probe;
	struct pn_client_err err;
	struct shared sh;
	sigset_t block, prev;
	size_t i, n, started = 0;
	int rc = 0;

	pn_client_global_init();
	if (pn_client_init(&probe, &cc->copts, &err) != PN_OK) {
		fprintf(stderr, "panoptes scan: %s\n", err.msg);
		return 2;
	}
	pn_client_release(&probe);
	memset(&sh, 0, sizeof(sh));
	sh.f = f;
	sh.cc = cc;
	sh.ro = ro;
	sh.t = t;
	sh.t0 = pn_mono_ms();
	pthread_mutex_init(&sh.mu, NULL);
	stop_flag = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	/* Only this thread takes SIGINT. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &prev);
	n = (size_t)PN_MIN((size_t)PN_MAX(ro->jobs, 1), PN_MIN(f->n, (size_t)PN_SCAN_REMOTE_MAX_JOBS));
	for (i = 0; i < n; i++)
		if (pthread_create(&th[started], NULL, worker, &sh) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	if (started == 0 && f->n > 0) {
		fprintf(stderr, "panoptes scan: cannot start threads\n");
		sh.fatal = 1;
		sh.fatal_code = 3;
	}
	for (;;) {
		struct timespec ts = { 0, 200 * 1000000L };
		int finished;
		pthread_mutex_lock(&sh.mu);
		finished = sh.done >= f->n || ((stop_flag || sh.fatal) && sh.next == sh.done);
		if (!finished && ro->progress)
			pn_scan_progress(t, f->n, f->bytes, sh.t0);
		pthread_mutex_unlock(&sh.mu);
		if (finished || started == 0)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (ro->progress)
		fprintf(stderr, "\r\033[K");
	sigaction(SIGINT, &old, NULL);
	if (stop_flag) {
		fprintf(stderr, "panoptes scan: interrupted: %zu of %zu file(s) reported; run the "
		    "same command again to resume (files the server knows are not uploaded "
		    "again)\n", t->files, f->n);
		rc = 130;
	} else if (sh.fatal) {
		rc = sh.fatal_code ? sh.fatal_code : 3;
		if (sh.done < f->n)
			fprintf(stderr, "panoptes scan: stopped after %zu of %zu file(s)\n", sh.done,
			    f->n);
	}
	pthread_mutex_destroy(&sh.mu);
	return rc;
}
