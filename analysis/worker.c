/*
 * worker.c - the worker process main loop (see worker.h).
 *
 * Loads the engines once, tells the store what they are (for /metadata),
 * then claims queued jobs one at a time.  Idle, it sleeps in poll(2) on the
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
 * Behavior step, on the file's rendered attributes.
 */
static void
behavior_step(struct pn_behavior *b, struct pn_store *st, const struct pn_conf *conf,
    const char *datadir, const char *sha256)
{
	json_object *o = NULL, *n;
	char sha[65], *doc = NULL;
	size_t len = 0;

	if (pn_store_file_doc(st, NULL, sha256, sha, &doc, &len) != PN_OK)
		return;
	o = json_tokener_parse(doc);
	pn_behavior_file(b, st, conf, datadir, sha256, doc,
	    o && json_object_object_get_ex(o, "meaningful_name", &n) ?
	    json_object_get_string(n) : NULL);
	json_object_put(o);
	free(doc);
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

static void
wait_for_work(int notify_fd)
{
	struct pollfd p = { notify_fd, POLLIN, 0 };
	char buf[64];

	if (notify_fd < 0) {
		usleep(200 * 1000);
		return;
	}
	if (poll(&p, 1, 1000) > 0)
		while (read(notify_fd, buf, sizeof(buf)) > 0)
			;
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

	pn_log_set_tag("worker");
	signal(SIGTERM, on_term);
	signal(SIGINT, SIG_IGN);   /* Ctrl-C reaches the server; it stops us */
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);
	if (notify_fd >= 0)
		fcntl(notify_fd, F_SETFL, O_NONBLOCK);
	snprintf(worker_id, sizeof(worker_id), "pid:%ld", (long)getpid());
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
		return 1;
	}
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
		rc = pn_store_job_claim(st, worker_id, &job);
		if (rc == PN_ENOTFOUND || rc == PN_EBUSY) {
			wait_for_work(notify_fd);
			continue;
		}
		if (rc != PN_OK) {
			log_warnx("worker: claim failed: %s", pn_strerror(rc));
			sleep(1);
			continue;
		}
		if (strcmp(job.item_type, "file") == 0) {
			rc = pn_job_run(st, conf, datadir, &engines, &job);
			if (rc == PN_OK)
				behavior_step(beh, st, conf, datadir, job.item_id);
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
