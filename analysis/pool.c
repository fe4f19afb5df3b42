/*
 * pool.c - worker process supervision (see pool.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pool.h"
#include "aggregate.h"
#include "conf.h"
#include "pn_limits.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PN_POOL_MAX 64

struct slot {
	pid_t pid;
	int sandbox;          /* a sandbox worker (worker --sandbox) */
	int wake_fd;          /* write end of the worker's wake pipe */
	int64_t started_ms;
	int64_t busy_since;   /* unused: the store knows claimed_at */
};

static struct {
	struct pn_pool_opts o;
	struct slot w[PN_POOL_MAX];
	int n;
	pthread_t thread;
	volatile int stopping;
	struct pn_store *store;
	pthread_mutex_t lock;
	char **argv;           /* an analysis worker's command line */
	char **argv_sandbox;   /* a sandbox worker's */
} P = { .lock = PTHREAD_MUTEX_INITIALIZER };

static char **
build_argv(int sandbox)
{
	size_t n = 0, i;
	char **v = pn_xcalloc(9 + P.o.n_extra, sizeof(char *));

	v[n++] = pn_xstrdup(P.o.self_exe);
	v[n++] = pn_xstrdup("worker");
	v[n++] = pn_xstrdup("--data");
	v[n++] = pn_xstrdup(P.o.datadir);
	v[n++] = pn_xstrdup("--notify-fd");
	v[n++] = pn_xstrdup("3");
	if (sandbox)
		v[n++] = pn_xstrdup("--sandbox");
	for (i = 0; i < P.o.n_extra; i++)
		v[n++] = pn_xstrdup(P.o.extra_args[i]);
	v[n] = NULL;
	return v;
}

static void
free_argv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
spawn(struct slot *s)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		log_warn("pool: pipe");
		return PN_EIO;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("pool: fork");
		close(p[0]);
		close(p[1]);
		return PN_EIO;
	}
	if (pid == 0) {
		/* Child of a threaded process: only async-signal-safe calls until exec. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);  /* serve blocks SIGINT/SIGTERM for sigwait */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(p[0], 3) < 0)
			_exit(127);
		execv(P.o.self_exe, s->sandbox ? P.argv_sandbox : P.argv);
		_exit(127);
	}
	close(p[0]);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	s->pid = pid;
	s->wake_fd = p[1];
	s->started_ms = pn_mono_ms();
	log_info("pool: %s %ld started", s->sandbox ? "sandbox worker" : "worker", (long)pid);
	return PN_OK;
}

/* Release what a dead worker held: re-queue, or fail after too many tries. */
static void
release_jobs(pid_t pid)
{
	char worker[32], *results = NULL, *stats = NULL;
	struct pn_engine_info *e = NULL;
	size_t n = 0;

	snprintf(worker, sizeof(worker), "pid:%ld", (long)pid);
	if (pn_store_engine_list(P.store, &e, &n) == PN_OK)
		pn_aggregate_failure(e, n, &results, &stats);
	if (pn_store_jobs_release(P.store, worker, PN_JOB_MAX_ATTEMPTS, results, stats) != PN_OK)
		log_warnx("pool: could not release the jobs of worker %ld", (long)pid);
	free(e);
	free(results);
	free(stats);
}

static void
reap(void)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		pthread_mutex_lock(&P.lock);
		for (i = 0; i < P.n; i++) {
			if (P.w[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				log_warnx("pool: worker %ld killed by signal %d", (long)pid, WTERMSIG(status));
			else if (WEXITSTATUS(status) != 0)
				log_warnx("pool: worker %ld exited with %d", (long)pid, WEXITSTATUS(status));
			close(P.w[i].wake_fd);
			P.w[i].pid = 0;
			P.w[i].wake_fd = -1;
			break;
		}
		pthread_mutex_unlock(&P.lock);
		if (!P.stopping)
			release_jobs(pid);
	}
}

/* Kill workers whose job ran past the job timeout (a backstop: workers time out engines themselves). */
static void
kill_overdue(void)
{
	int64_t timeout = pn_conf_get_int(P.o.conf, "worker.job_timeout");
	char workers[PN_POOL_MAX][32];
	size_t n = 0, i;
	int j;

	if (pn_store_jobs_overdue(P.store, pn_now() - timeout, workers, PN_POOL_MAX, &n) != PN_OK)
		return;
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&P.lock);
		for (j = 0; j < P.n; j++) {
			char id[32];
			snprintf(id, sizeof(id), "pid:%ld", (long)P.w[j].pid);
			if (P.w[j].pid > 0 && strcmp(id, workers[i]) == 0) {
				log_warnx("pool: worker %ld exceeded the job timeout; killing it",
				    (long)P.w[j].pid);
				kill(P.w[j].pid, SIGKILL);
			}
		}
		pthread_mutex_unlock(&P.lock);
	}
}

static void *
supervise(void *arg)
{
	int64_t last_check = 0;
	int i;

	while (!P.stopping) {
		reap();
		for (i = 0; i < P.n && !P.stopping; i++) {
			/* Restart with a little back-off if a worker keeps dying at start. */
			if (P.w[i].pid == 0 && pn_mono_ms() - P.w[i].started_ms > 500) {
				pthread_mutex_lock(&P.lock);
				spawn(&P.w[i]);
				pthread_mutex_unlock(&P.lock);
			}
		}
		if (pn_mono_ms() - last_check > 1000) {
			kill_overdue();
			last_check = pn_mono_ms();
		}
		usleep(50 * 1000);
	}
	return NULL;
}

int
pn_pool_start(const struct pn_pool_opts *o)
{
	int i, rc;

	P.o = *o;
	P.n = o->count > PN_POOL_MAX ? PN_POOL_MAX : o->count;
	P.argv = build_argv(0);
	P.argv_sandbox = build_argv(1);
	rc = pn_store_open_sqlite(o->datadir,
	    strcmp(pn_conf_get(o->conf, "store.synchronous"), "normal") != 0, &P.store);
	if (rc != PN_OK)
		return rc;
	for (i = 0; i < P.n; i++) {
		P.w[i].wake_fd = -1;
		P.w[i].sandbox = i >= P.n - PN_MIN(o->sandboxes, P.n);
		if ((rc = spawn(&P.w[i])) != PN_OK)
			return rc;
	}
	if (pthread_create(&P.thread, NULL, supervise, NULL) != 0)
		return PN_EIO;
	return PN_OK;
}

void
pn_pool_wake(void)
{
	int i;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < P.n; i++)
		if (P.w[i].wake_fd >= 0)
			(void)!write(P.w[i].wake_fd, "!", 1);
	pthread_mutex_unlock(&P.lock);
}

void
pn_pool_signal(int sig)
{
	int i;

	pthread_mutex_lock(&P.lock);
	for (i = 0; i < P.n; i++)
		if (P.w[i].pid > 0)
			kill(P.w[i].pid, sig);
	pthread_mutex_unlock(&P.lock);
}

void
pn_pool_stop(void)
{
	int i, alive;
	int64_t deadline;

	if (P.argv == NULL)
		return;
	P.stopping = 1;
	pthread_join(P.thread, NULL);
	for (i = 0; i < P.n; i++)
		if (P.w[i].pid > 0)
			kill(P.w[i].pid, SIGTERM);
	deadline = pn_mono_ms() + 5000;
	do {
		reap();
		alive = 0;
		for (i = 0; i < P.n; i++)
			alive += P.w[i].pid > 0;
		if (alive)
			usleep(20 * 1000);
	} while (alive && pn_mono_ms() < deadline);
	for (i = 0; i < P.n; i++)
		if (P.w[i].pid > 0)
			kill(P.w[i].pid, SIGKILL);
	reap();
	/* A worker stopped mid-job leaves it running in the store; the next start re-queues it. */
	pn_store_close(P.store);
	free_argv(P.argv);
	free_argv(P.argv_sandbox);
	P.argv = P.argv_sandbox = NULL;
}
