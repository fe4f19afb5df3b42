/*
 * scanpool.c - long-lived confined scan children fed over unix sockets
 * (see scanpool.h).
 *
 * Wire format, both on one SOCK_STREAM socketpair per slot:
 *   request  u32 magic, u32 params length, i32 timeout_s, then the params
 *            (JSON text); the sample's fd rides on the first byte as
 *            SCM_RIGHTS ancillary data
 *   answer   u32 length | flags (bit 31: "no answer", bit 30: "retiring
 *            after this"), u32 reserved, then the JSON text
 * The parent never trusts an answer's framing beyond the cap: a length
 * over PN_ANALYSIS_RESULT_MAX or an early EOF is failure.
 *
 * SPDX-License-Identifier: MIT
 */
#include "scanpool.h"
#include "pn_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define REQ_MAGIC     0x504e5351u   /* "PNSQ" */
#define ANS_NONE      0x80000000u
#define ANS_RETIRE    0x40000000u
#define ANS_LEN_MASK  0x3fffffffu

struct slot {
	struct pn_confine cf;
	pn_scanpool_fn fn;
	void *arg;
	pid_t pid;          /* 0: not running */
	int sock;           /* parent's end, -1 when not running */
};

struct pn_scanpool {
	struct slot s[PN_SCANPOOL_MAX_SLOTS];
	size_t n;
	uint64_t spawns;
	unsigned max_requests;      /* a child retires after this many */
};

struct pn_scanpool *
pn_scanpool_new(unsigned max_requests)
{
	struct pn_scanpool *p = pn_xcalloc(1, sizeof(*p));

	p->max_requests = max_requests >= 1 && max_requests <= PN_SCANPOOL_MAX_REQUESTS ?
	    max_requests : PN_SCANPOOL_MAX_REQUESTS;
	return p;
}

size_t
pn_scanpool_add(struct pn_scanpool *p, const struct pn_confine *cf, pn_scanpool_fn fn, void *arg)
{
	struct slot *s;

	if (p->n >= PN_SCANPOOL_MAX_SLOTS)
		PN_BUG("pn_scanpool_add: too many slots");
	s = &p->s[p->n];
	s->cf = *cf;
	s->fn = fn;
	s->arg = arg;
	s->pid = 0;
	s->sock = -1;
	return p->n++;
}

uint64_t
pn_scanpool_spawns(const struct pn_scanpool *p)
{
	return p->spawns;
}

/* ------------------------------------------------------------ the child */

static int
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r == 0)
			return PN_EIO;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return PN_EIO;
		}
		got += (size_t)r;
	}
	return PN_OK;
}

/* One request's header and fd; PN_EIO at EOF or on a malformed request. */
static int
recv_request(int sock, uint32_t hdr[3], int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { hdr, 12 };
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t r;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	*fd = -1;
	do
		r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return PN_EIO;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)r < 12 && read_full(sock, (char *)hdr + r, 12 - (size_t)r) != PN_OK)
		return PN_EIO;
	if (hdr[0] != REQ_MAGIC || hdr[1] > PN_SCANPOOL_MAX_PARAMS || *fd < 0)
		return PN_EIO;
	return PN_OK;
}

static int64_t
cpu_used_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (int64_t)ru.ru_utime.tv_sec + (int64_t)ru.ru_stime.tv_sec + 1;
}

/* RLIMIT_CPU for this request; returns 1 when the lifetime budget is nearly spent. */
static int
arm_cpu(int timeout_s)
{
	int64_t used = cpu_used_s(), soft = used + timeout_s + 1;
	struct rlimit rl = { 0, PN_SCANPOOL_CPU_BUDGET_S };

	if (soft > PN_SCANPOOL_CPU_BUDGET_S)
		soft = PN_SCANPOOL_CPU_BUDGET_S;
	rl.rlim_cur = (rlim_t)soft;
	(void)setrlimit(RLIMIT_CPU, &rl);
	return used + 2 * (int64_t)timeout_s + 2 > PN_SCANPOOL_CPU_BUDGET_S;
}

static const char *
param_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Serve one request; PN_EIO when the parent is gone. */
static int
serve_one(struct slot *s, int sock, unsigned served, unsigned max_requests)
{
	struct pn_scan_target t;
	struct json_object *params;
	uint32_t hdr[3], ans[2];
	struct stat sb;
	char *text, *json;
	void *map = NULL;
	int fd, retire;

	if (recv_request(sock, hdr, &fd) != PN_OK)
		return PN_EIO;
	text = pn_xmalloc((size_t)hdr[1] + 1);
	if (read_full(sock, text, hdr[1]) != PN_OK) {
		free(text);
		return PN_EIO;
	}
	text[hdr[1]] = '\0';
	params = hdr[1] ? json_tokener_parse(text) : NULL;
	free(text);
	if (params == NULL || !json_object_is_type(params, json_type_object)) {
		json_object_put(params);
		params = json_object_new_object();
	}
	retire = arm_cpu((int)hdr[2]) || served + 1 >= max_requests;
	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.name = param_str(params, "name");
	t.type_tag = param_str(params, "type_tag");
	t.md5 = param_str(params, "md5");
	t.sha1 = param_str(params, "sha1");
	t.sha256 = param_str(params, "sha256");
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		t.size = (size_t)sb.st_size;
		map = mmap(NULL, t.size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			_exit(4);
		t.data = map;
	}
	json = s->fn(s->arg, params, &t);
	ans[0] = (json ? (uint32_t)strlen(json) & ANS_LEN_MASK : ANS_NONE) |
	    (retire ? ANS_RETIRE : 0);
	ans[1] = 0;
	if (json && strlen(json) > PN_ANALYSIS_RESULT_MAX)
		ans[0] = ANS_NONE | (retire ? ANS_RETIRE : 0);
	if (pn_write_all(sock, ans, sizeof(ans)) != PN_OK ||
	    (!(ans[0] & ANS_NONE) && pn_write_all(sock, json, strlen(json)) != PN_OK))
		_exit(0);
	free(json);
	json_object_put(params);
	if (map)
		munmap(map, t.size);
	close(fd);
	return retire ? PN_EIO : PN_OK;
}

static void __attribute__((noreturn))
child_main(struct pn_scanpool *p, size_t idx, int sock)
{
	struct slot *s = &p->s[idx];
	struct pn_confine cf = s->cf;
	struct rlimit rl = { 1, PN_SCANPOOL_CPU_BUDGET_S };
	unsigned served;
	size_t i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_IGN);    /* a reload replaces the children; never mid-file */
	signal(SIGPIPE, SIG_DFL);
	for (i = 0; i < p->n; i++)
		if (p->s[i].sock >= 0)
			close(p->s[i].sock);
	/* The CPU limit is re-armed per request (arm_cpu); only the hard one is fixed. */
	cf.cpu_seconds = 0;
	rl.rlim_cur = 10;
	if (setrlimit(RLIMIT_CPU, &rl) != 0 || pn_confine_self(&cf) != PN_OK)
		_exit(3);
	for (served = 0;; served++)
		if (serve_one(s, sock, served, p->max_requests) != PN_OK)
			_exit(0);
}

/* ----------------------------------------------------------- the parent */

static int
spawn(struct pn_scanpool *p, size_t idx)
{
	struct slot *s = &p->s[idx];
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return PN_EIO;
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return PN_EIO;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(p, idx, sv[1]);
	}
	close(sv[1]);
	s->pid = pid;
	s->sock = sv[0];
	p->spawns++;
	return PN_OK;
}

/* Reap a slot's child (killing it first unless it is leaving by itself). */
static void
reap(struct slot *s, int do_kill)
{
	int status;

	if (s->sock >= 0)
		close(s->sock);
	s->sock = -1;
	if (s->pid <= 0)
		return;
	if (do_kill)
		kill(s->pid, SIGKILL);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (do_kill == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFSIGNALED(status))
			log_warnx("scanpool: child %ld killed by signal %d", (long)s->pid,
			    WTERMSIG(status));
		else
			log_warnx("scanpool: child %ld exited with %d", (long)s->pid,
			    WEXITSTATUS(status));
	}
	s->pid = 0;
}

static int
send_request(struct slot *s, int fd, const char *params, int timeout_s)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	uint32_t hdr[3];
	size_t plen = params ? strlen(params) : 0;
	struct iovec iov[2];
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t r;

	if (plen > PN_SCANPOOL_MAX_PARAMS)
		return PN_ELIMIT;
	hdr[0] = REQ_MAGIC;
	hdr[1] = (uint32_t)plen;
	hdr[2] = (uint32_t)(timeout_s > 0 ? timeout_s : 1);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)(params ? params : "");
	iov[1].iov_len = plen;
	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	m.msg_iov = iov;
	m.msg_iovlen = plen ? 2 : 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		r = sendmsg(s->sock, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return PN_EIO;
	if ((size_t)r < sizeof(hdr) + plen) {
		/* The rest without the fd (the socket buffer was short). */
		size_t off = (size_t)r;
		if (off < sizeof(hdr) && pn_write_all(s->sock, (char *)hdr + off, sizeof(hdr) - off) != PN_OK)
			return PN_EIO;
		off = off > sizeof(hdr) ? off - sizeof(hdr) : 0;
		if (pn_write_all(s->sock, params + off, plen - off) != PN_OK)
			return PN_EIO;
	}
	return PN_OK;
}

/* Start request r (spawning its child if needed, once more if the old one has gone). */
static void
start(struct pn_scanpool *p, int fd, struct pn_scanpool_req *r)
{
	struct slot *s = &p->s[r->slot];
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (s->pid <= 0 && spawn(p, r->slot) != PN_OK)
			break;
		if (send_request(s, fd, r->params, r->timeout_s) == PN_OK) {
			r->deadline_ms = pn_mono_ms() + (int64_t)r->timeout_s * 1000;
			return;
		}
		reap(s, 1);   /* it had gone (retired or died between requests) */
	}
	r->end = PN_CHILD_FAILED;
	r->done = 1;
}

/* Read what is there for r; finishes it at the end of its frame, EOF or error. */
static void
take(struct pn_scanpool *p, struct pn_scanpool_req *r)
{
	struct slot *s = &p->s[r->slot];
	char buf[65536];
	ssize_t n;

	for (;;) {
		size_t want = !r->hdr_done ? sizeof(r->hdr) - r->hdr_len : PN_MIN(r->need, sizeof(buf));
		if (r->hdr_done && r->need == 0)
			break;
		n = recv(s->sock, !r->hdr_done ? (char *)r->hdr + r->hdr_len : buf, want, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			r->end = PN_CHILD_FAILED;
			r->done = 1;
			reap(s, 0);
			return;
		}
		if (!r->hdr_done) {
			uint32_t a;
			r->hdr_len += (size_t)n;
			if (r->hdr_len < sizeof(r->hdr))
				continue;
			memcpy(&a, r->hdr, sizeof(a));
			r->hdr_done = 1;
			r->retiring = (a & ANS_RETIRE) != 0;
			if (a & ANS_NONE) {
				r->end = PN_CHILD_FAILED;
				r->need = 0;
				break;
			}
			r->need = a & ANS_LEN_MASK;
			if (r->need > PN_ANALYSIS_RESULT_MAX) {
				r->end = PN_CHILD_FAILED;
				r->done = 1;
				reap(s, 1);
				return;
			}
			continue;
		}
		if (pn_buf_append(&r->out, buf, (size_t)n) != PN_OK) {
			r->end = PN_CHILD_FAILED;
			r->done = 1;
			reap(s, 1);
			return;
		}
		r->need -= (size_t)n;
	}
	r->done = 1;
	if (r->retiring)
		reap(s, 0);
}

void
pn_scanpool_start(struct pn_scanpool *p, int fd, struct pn_scanpool_req *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&r[i].out, 0, sizeof(r[i].out));
		pn_buf_init(&r[i].out, PN_ANALYSIS_RESULT_MAX);
		r[i].end = PN_CHILD_OK;
		r[i].need = 0;
		r[i].hdr_done = r[i].retiring = r[i].done = 0;
		r[i].hdr_len = 0;
		if (r[i].slot >= p->n)
			PN_BUG("pn_scanpool_start: no such slot");
		start(p, fd, &r[i]);
	}
}

void
pn_scanpool_wait(struct pn_scanpool *p, struct pn_scanpool_req *r, size_t n,
    const struct pn_scanpool_req *until)
{
	struct pollfd pfd[PN_SCANPOOL_MAX_SLOTS];
	size_t who[PN_SCANPOOL_MAX_SLOTS], i, k, live;

	for (;;) {
		int64_t now = pn_mono_ms(), next = INT64_MAX;
		if (until != NULL && until->done)
			return;
		live = 0;
		for (i = 0; i < n && live < PN_SCANPOOL_MAX_SLOTS; i++) {
			if (r[i].done)
				continue;
			if (now >= r[i].deadline_ms) {
				r[i].end = PN_CHILD_TIMEOUT;
				r[i].done = 1;
				reap(&p->s[r[i].slot], 1);
				continue;
			}
			next = PN_MIN(next, r[i].deadline_ms);
			pfd[live].fd = p->s[r[i].slot].sock;
			pfd[live].events = POLLIN;
			pfd[live].revents = 0;
			who[live++] = i;
		}
		if (live == 0)
			break;
		if (poll(pfd, live, (int)PN_MIN(next - now, 1000)) < 0 && errno != EINTR)
			break;
		for (k = 0; k < live; k++)
			if (pfd[k].revents != 0)
				take(p, &r[who[k]]);
	}
	/* Left unfinished (poll failed): the child may still answer later; replace it. */
	for (i = 0; i < n; i++)
		if (!r[i].done) {
			r[i].end = PN_CHILD_FAILED;
			r[i].done = 1;
			reap(&p->s[r[i].slot], 1);
		}
}

void
pn_scanpool_free(struct pn_scanpool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		reap(&p->s[i], 1);
	free(p);
}

void
pn_scanpool_forget(struct pn_scanpool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		if (p->s[i].sock >= 0)
			close(p->s[i].sock);
	free(p);
}
