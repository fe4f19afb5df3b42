/*
 * child.c - the confined children of an analysis: fork, confine, run one
 * function that returns a JSON text, write it to a pipe; the parent
 * collects every child's output until EOF or its deadline, killing late
 * ones.  Shared by file jobs (job.c) and URL/domain/IP jobs (netjob.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "child.h"
#include "conf.h"
#include "pn_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

struct pn_confine
pn_job_confinement(const struct pn_conf *conf, int timeout_s)
{
	struct pn_confine c;

	memset(&c, 0, sizeof(c));
#if defined(__SANITIZE_ADDRESS__)
	c.memory_limit = 0;   /* ASan reserves terabytes of address space */
#else
	c.memory_limit = pn_conf_get_size(conf, "worker.memory_limit");
#endif
	c.cpu_seconds = timeout_s + 1;
	c.file_size = pn_conf_get_size(conf, "clamav.max_scansize");
	c.seccomp = pn_conf_get_bool(conf, "worker.seccomp");
	return c;
}

int
pn_child_start(struct pn_child *c, const struct pn_confine *conf, int timeout_s, pn_child_fn fn, void *arg,
    const struct pn_scan_target *t)
{
	int p[2];

	memset(c, 0, sizeof(*c));
	pn_buf_init(&c->out, PN_ANALYSIS_RESULT_MAX);
	if (pipe2(p, O_CLOEXEC) != 0)
		return PN_EIO;
	fflush(stderr);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->pid = fork();
	if (c->pid < 0) {
		close(p[0]);
		close(p[1]);
		return PN_EIO;
	}
	if (c->pid == 0) {
		char *json;
		close(p[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (pn_confine_self(conf) != PN_OK)
			_exit(3);
		json = fn(arg, t);
		if (json == NULL)
			_exit(2);
		(void)pn_write_all(p[1], json, strlen(json));
		_exit(0);
	}
	close(p[1]);
	c->fd = p[0];
	c->deadline_ms = pn_mono_ms() + (int64_t)timeout_s * 1000;
	return PN_OK;
}

/* Collect every child's output until EOF or deadline. */
void
pn_children_wait(struct pn_child *c, size_t n)
{
	struct pollfd *pfd = pn_xcalloc(n + 1, sizeof(*pfd));
	size_t *who = pn_xcalloc(n + 1, sizeof(*who)), i, k, live;

	for (;;) {
		int64_t now = pn_mono_ms(), next = INT64_MAX;
		live = 0;
		for (i = 0; i < n; i++) {
			if (c[i].done)
				continue;
			if (now >= c[i].deadline_ms) {
				kill(c[i].pid, SIGKILL);
				c[i].end = PN_CHILD_TIMEOUT;
				c[i].done = 1;
				continue;
			}
			if (c[i].deadline_ms < next)
				next = c[i].deadline_ms;
			pfd[live].fd = c[i].fd;
			pfd[live].events = POLLIN;
			pfd[live].revents = 0;
			who[live++] = i;
		}
		if (live == 0)
			break;
		if (poll(pfd, live, (int)PN_MIN(next - now, 1000)) < 0 && errno != EINTR)
			break;
		for (k = 0; k < live; k++) {
			char buf[65536];
			ssize_t r;
			struct pn_child *ch = &c[who[k]];
			if (pfd[k].revents == 0)
				continue;
			r = read(ch->fd, buf, sizeof(buf));
			if (r > 0) {
				if (pn_buf_append(&ch->out, buf, (size_t)r) != PN_OK) {
					kill(ch->pid, SIGKILL);
					ch->end = PN_CHILD_FAILED;
					ch->done = 1;
				}
			} else if (r == 0) {
				ch->done = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				ch->end = PN_CHILD_FAILED;
				ch->done = 1;
			}
		}
	}
	free(pfd);
	free(who);
	for (i = 0; i < n; i++) {
		int status = 0;
		if (c[i].pid <= 0)
			continue;   /* never started */
		close(c[i].fd);
		while (waitpid(c[i].pid, &status, 0) < 0 && errno == EINTR)
			;
		if (c[i].end == PN_CHILD_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			if (WIFSIGNALED(status))
				log_warnx("job: child %ld killed by signal %d", (long)c[i].pid,
				    WTERMSIG(status));
			else
				log_warnx("job: child %ld exited with %d", (long)c[i].pid,
				    WEXITSTATUS(status));
			c[i].end = PN_CHILD_FAILED;
		}
	}
}

