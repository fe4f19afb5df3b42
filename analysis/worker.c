/*
 * worker.c - the worker process main loops (see worker.h).
 *
 * An analysis worker loads the engines once, tells the store what they are
 * (for /metadata), then claims queued analyses one at a time; a file's
 * sandbox run becomes a "behaviour" job for the sandbox workers, which
 * load no engines and claim only those.  Idle, it sleeps in poll(2) on the
 * wake-up pipe from the server, and looks at the queue at least once a
 * second anyway (jobs queued by another server or before a restart).
 * SIGHUP reloads the engines between jobs; SIGTERM ends the loop after the
 * current job.
 *
 * SPDX-License-Identifier: MIT
 */
#include "worker.h"

#include <json-c/json.h>
#include "netengine.h"
#include "conf.h"
#include "identify.h"
#include "store.h"
#include "aggregate.h"
#include "pn_limits.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_term(int sig) { (void)sig; stop_flag = 1; }
static void on_hup(int sig) { (void)sig; reload_flag = 1; }

static void
report_engines(struct pn_store *st, struct pn_engines *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct pn_engine *e = set->v[i];
		struct pn_engine_info info;
		memset(&info, 0, sizeof(info));
		pn_strlcpy(info.name, e->name, sizeof(info.name));
		pn_strlcpy(info.kind, e->ops->kind, sizeof(info.kind));
		pn_strlcpy(info.version, e->version, sizeof(info.version));
		pn_strlcpy(info.update, e->update, sizeof(info.update));
		pn_strlcpy(info.error, e->error, sizeof(info.error));
		if (pn_store_engine_report(st, &info) != PN_OK)
			log_warnx("worker: could not record engine %s", e->name);
		if (e->error[0])
			log_warnx("worker: engine %s is unhealthy: %s", e->name, e->error);
	}
}

/*
 * After a file's detection is recorded (its analysis is completed): the
 * Behavior step, on the file's rendered attributes (the parts in `what`).
 */
static void
behavior_step(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256, unsigned what)
{
	json_object *o = NULL, *n;
	char sha[65], *doc = NULL;
	size_t len = 0;

	if (pn_store_file_doc(st, NULL, sha256, sha, &doc, &len) != PN_OK)
		return;
	o = json_tokener_parse(doc);
	pn_behavior_file_ex(b, st, conf, datadir, sha256, doc,
	    o && json_object_object_get_ex(o, "meaningful_name", &n) ?
	    json_object_get_string(n) : NULL, what);
	json_object_put(o);
	free(doc);
}

/*
 * The Behavior step of an analysis worker: the static report now; the
 * sandbox run queued for the sandbox workers when there are any (a run
 * takes seconds, detection of the next file should not wait for it),
 * else run here.
 */
static void
behavior_after_detection(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256)
{
	int added = 0;

	if (pn_conf_get_int(conf, "behavior.workers") <= 0) {
		behavior_step(b, st, conf, datadir, sha256, PN_BEHAVIOR_STATIC | PN_BEHAVIOR_DYNAMIC);
		return;
	}
	behavior_step(b, st, conf, datadir, sha256, PN_BEHAVIOR_STATIC);
	if (!pn_behavior_would_run(b, conf, datadir, sha256))
		return;
	if (pn_store_behaviour_job_add(st, sha256, &added) != PN_OK)
		log_warnx("worker: could not queue the sandbox run of %s", sha256);
	else if (added)
		log_info("worker: sandbox run of %s queued", sha256);
}

/* URL/domain/IP engines in /metadata too. */
static void
report_net_engines(struct pn_store *st, const struct pn_net_engines *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct pn_engine_info info;
		memset(&info, 0, sizeof(info));
		pn_strlcpy(info.name, set->v[i]->name, sizeof(info.name));
		pn_strlcpy(info.kind, set->v[i]->ops->kind, sizeof(info.kind));
		pn_strlcpy(info.version, set->v[i]->version, sizeof(info.version));
		pn_strlcpy(info.update, set->v[i]->update, sizeof(info.update));
		pn_strlcpy(info.error, set->v[i]->error, sizeof(info.error));
		if (pn_store_engine_report(st, &info) != PN_OK)
			log_warnx("worker: could not record engine %s", info.name);
	}
}

static void
reload_engines(const struct pn_conf *conf, struct pn_store *st, struct pn_engines *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct pn_engine *e = set->v[i];
		if (e->ops->reload && e->ops->reload(e, conf) != PN_OK)
			log_warnx("worker: reload of %s failed: %s", e->name, e->error);
	}
	pn_analysis_engines_reloaded(set);
	report_engines(st, set);
	log_info("worker: engines reloaded");
}

/* A job whose result could not be recorded goes back to the queue (or fails for good). */
static void
release_job(struct pn_store *st, const char *worker_id, struct pn_engines *set,
    const struct pn_job *job)
{
	char *results, *stats;

	log_warnx("worker: job %s not recorded; releasing it", job->analysis_id);
	pn_aggregate_set_failed(set, &results, &stats);
	sleep(1);
	if (pn_store_jobs_release(st, worker_id, PN_JOB_MAX_ATTEMPTS, results, stats) != PN_OK)
		log_warnx("worker: could not release job %s", job->analysis_id);
	free(results);
	free(stats);
}

/* Sleep until woken (new uploads) or timeout_ms passed. */
static void
wait_for_work(int notify_fd, int timeout_ms)
{
	struct pollfd p = { notify_fd, POLLIN, 0 };
	char buf[64];

	if (notify_fd < 0) {
		usleep(200 * 1000);
		return;
	}
	if (poll(&p, 1, timeout_ms) > 0)
		while (read(notify_fd, buf, sizeof(buf)) > 0)
			;
}

/* Claim a job of this kind (1), or wait up to wait_ms for work (0). */
static int
claim_next(struct pn_store *st, const char *worker_id, int kind, int notify_fd, int wait_ms,
    struct pn_job *job)
{
	int rc = pn_store_job_claim(st, worker_id, kind, job);

	if (rc == PN_ENOTFOUND || rc == PN_EBUSY) {
		wait_for_work(notify_fd, wait_ms);
		return 0;
	}
	if (rc != PN_OK) {
		log_warnx("worker: claim failed: %s", pn_strerror(rc));
		sleep(1);
		return 0;
	}
	return 1;
}

/* What both kinds of worker set up: signals, TMPDIR, the store. */
static struct pn_store *
worker_setup(const char *datadir, int notify_fd, char *worker_id, size_t idlen)
{
	struct pn_store *st;
	int rc;

	pn_log_set_tag("worker");
	signal(SIGTERM, on_term);
	signal(SIGINT, SIG_IGN);   /* Ctrl-C reaches the server; it stops us */
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	if (notify_fd >= 0)
		fcntl(notify_fd, F_SETFL, O_NONBLOCK);
	snprintf(worker_id, idlen, "pid:%ld", (long)getpid());
	/* Engines unpack into TMPDIR: keep that inside the data directory. */
	{
		char *tmp = pn_xasprintf("%s/tmp", datadir);
		setenv("TMPDIR", tmp, 1);
		free(tmp);
	}

	/*
	 * synchronous=NORMAL here whatever store.synchronous says: what a
	 * worker commits (claims, results, contained files) is redone after a
	 * power cut, since the server requeues running jobs when it starts;
	 * the next FULL commit of an upload syncs these WAL frames too, so the
	 * database stays a consistent prefix.  Saves two fdatasync per job.
	 */
	rc = pn_store_open_sqlite(datadir, 0, &st);
	if (rc != PN_OK) {
		log_errx("worker: cannot open the store: %s", pn_strerror(rc));
		return NULL;
	}
	return st;
}

int
pn_worker_main(const struct pn_conf *conf, const char *datadir, int notify_fd)
{
	struct pn_engines engines;
	struct pn_net_engines neteng;
	struct pn_behavior *beh;
	struct pn_store *st;
	struct pn_job job;
	char worker_id[32];
	int64_t done = 0, max_jobs = pn_conf_get_int(conf, "worker.max_jobs");
	int rc;

	if ((st = worker_setup(datadir, notify_fd, worker_id, sizeof(worker_id))) == NULL)
		return 1;
	pn_identify_init();
	pn_engines_load(&engines, conf);
	pn_net_engines_load(&neteng, conf);
	beh = pn_behavior_new(conf);
	report_engines(st, &engines);
	report_net_engines(st, &neteng);
	log_info("worker ready with %zu file engine(s), %zu URL/domain/IP engine(s)", engines.n,
	    neteng.n);

	while (!stop_flag && (max_jobs <= 0 || done < max_jobs)) {
		if (reload_flag) {
			reload_flag = 0;
			reload_engines(conf, st, &engines);
			pn_net_engines_reload(&neteng, conf);
			report_net_engines(st, &neteng);
		}
		if (!claim_next(st, worker_id, PN_JOB_ANALYSES, notify_fd, 1000, &job))
			continue;
		if (strcmp(job.item_type, "file") == 0) {
			rc = pn_job_run(st, conf, datadir, &engines, &job);
			if (rc == PN_OK)
				behavior_after_detection(beh, st, conf, datadir, job.item_id);
		} else
			rc = pn_netjob_run(st, conf, datadir, &engines, &neteng, &job);
		if (rc != PN_OK)
			release_job(st, worker_id, &engines, &job);
		done++;
	}
	pn_analysis_pool_reset();
	pn_engines_free(&engines);
	pn_net_engines_free(&neteng);
	pn_behavior_free(beh);
	pn_identify_cleanup();
	pn_store_close(st);
	return 0;
}

int
pn_worker_main_sandbox(const struct pn_conf *conf, const char *datadir, int notify_fd)
{
	struct pn_engines none = { NULL, 0 };
	struct pn_behavior *beh;
	struct pn_store *st;
	struct pn_job job;
	char worker_id[32];
	int64_t done = 0, max_jobs = pn_conf_get_int(conf, "worker.max_jobs");

	if ((st = worker_setup(datadir, notify_fd, worker_id, sizeof(worker_id))) == NULL)
		return 1;
	beh = pn_behavior_new(conf);
	log_info("sandbox worker ready");
	while (!stop_flag && (max_jobs <= 0 || done < max_jobs)) {
		if (reload_flag) {
			reload_flag = 0;
			pn_behavior_free(beh);
			beh = pn_behavior_new(conf);
		}
		/*
		 * Analysis workers queue these without a wake-up: look often
		 * (an indexed read, no lock, until there is one to claim).
		 */
		if (!claim_next(st, worker_id, PN_JOB_BEHAVIOUR, notify_fd, 50, &job))
			continue;
		behavior_step(beh, st, conf, datadir, job.item_id, PN_BEHAVIOR_DYNAMIC);
		if (pn_store_job_done(st, &job) != PN_OK)
			release_job(st, worker_id, &none, &job);
		done++;
	}
	pn_behavior_free(beh);
	pn_store_close(st);
	return 0;
}
