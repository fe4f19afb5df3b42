/*
 * run.c - builds and tears down one sandbox run (SANDBOX.md §5.1, §10):
 *
 *   caller ── fork ──> supervisor S (host namespaces; tracer, timer)
 *                        ├─ clone(NEWUSER|NEWPID|NEWNS|NEWNET|NEWUTS|NEWIPC) ─> init I
 *                        │     (pid 1 inside: cgroup+time namespaces, mounts,
 *                        │      pivot_root, then forks the sample C and reaps)
 *                        └─ fork ─> fakenet F (joins I's netns; fakenet.c)
 *
 * S writes the uid/gid maps (root inside = root outside, every capability
 * dropped before exec), puts I in fresh cgroups (v1 memory/pids/cpu or a v2
 * group) and seizes it with ptrace so the sample is traced from its first
 * instruction.  I mounts a size-capped tmpfs ("stage"), overlays the host's
 * /usr, /etc and /lib* read-only with upper dirs on that tmpfs (fake
 * /etc/shadow, masked host keys), adds fresh /tmp, /var, /root, /proc and a
 * minimal /dev, makes /proc/sys & co. read-only and masks kernel files
 * (root inside is uid 0 outside), copies the sample to /tmp/<name> and
 * pivots.  C sets
 * rlimits, drops capabilities, PR_SET_NO_NEW_PRIVS, loads the seccomp
 * filter (trace.c) and execs.  At the end S walks the stage (through an fd
 * I sent it) to copy dropped files, writes run.json and removes cgroups.
 *
 * Errors: set-up failures come back from S as a code letter + message;
 * the sample never runs when any isolation step fails.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "conf.h"
#include "hash.h"
#include "sandbox.h"
#include "sbx_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct pn_conf_opt pn_conf_sandbox[] = {
	{ "sandbox.timeout", PN_CONF_INT, "10000", "wall-clock limit of one sandbox run, in milliseconds (100..300000)" },
	{ "sandbox.memory", PN_CONF_SIZE, "256M", "memory limit of the sample's process tree (cgroup)" },
	{ "sandbox.pids", PN_CONF_INT, "64", "most processes and threads of the sample at once (cgroup pids.max)" },
	{ "sandbox.cpu_percent", PN_CONF_INT, "100", "CPU quota of the sample in per cent of one core (1..800)" },
	{ "sandbox.disk", PN_CONF_SIZE, "64M", "size of the writable layer over the read-only root" },
	{ "sandbox.sinkhole", PN_CONF_STR, "198.51.100.1", "IPv4 address the fake DNS gives for every name" },
	{ "sandbox.hostname", PN_CONF_STR, "web01", "host name inside the sandbox" },
	{ "sandbox.wine_dir", PN_CONF_STR, "/var/cache/panoptes/wine", "where the Windows runner keeps its golden Wine prefix (prepared on first use)" },
	{ "sandbox.wine_bin", PN_CONF_STR, "/usr/lib/wine", "directory holding wine64, wine (32-bit) and wineserver" },
	{ "sandbox.wine_timeout", PN_CONF_INT, "30000", "wall-clock limit of one Windows (Wine) run, in milliseconds (5000..300000)" },
	{ "sandbox.wine_memory", PN_CONF_SIZE, "1G", "memory limit of a Windows run (Wine and its services included)" },
	{ "sandbox.wine_pids", PN_CONF_INT, "512", "most processes and threads of a Windows run at once" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define STAGE "/tmp"           /* mount point of the stage tmpfs inside I's mount ns */

/* The golden Wine prefix, opened in init before the stage hides /tmp (Windows runs). */
static int wine_prefix_fd = -1;
#define SEED_MTIME 1700000000  /* mtime of the files we plant in /etc */

/* ------------------------------------------------------------ options */

static int
valid_hostname(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.'))
			return 0;
	return 1;
}

static int
opts_check(const struct pn_sandbox_opts *o, char *err, size_t errlen)
{
	struct in_addr a;

	if (o->timeout_ms < 100 || o->timeout_ms > 300000)
		snprintf(err, errlen, "sandbox.timeout must be 100..300000 ms");
	else if (o->memory_max < (16u << 20))
		snprintf(err, errlen, "sandbox.memory must be at least 16M");
	else if (o->pids_max < 4 || o->pids_max > 4096)
		snprintf(err, errlen, "sandbox.pids must be 4..4096");
	else if (o->cpu_percent < 1 || o->cpu_percent > 800)
		snprintf(err, errlen, "sandbox.cpu_percent must be 1..800");
	else if (o->write_max < (1u << 20) || o->write_max > ((uint64_t)16 << 30))
		snprintf(err, errlen, "sandbox.disk must be 1M..16G");
	else if (o->sinkhole_v4 == NULL || inet_pton(AF_INET, o->sinkhole_v4, &a) != 1)
		snprintf(err, errlen, "sandbox.sinkhole must be an IPv4 address");
	else if (o->hostname == NULL || !valid_hostname(o->hostname))
		snprintf(err, errlen, "sandbox.hostname must be 1..63 of [A-Za-z0-9.-]");
	else
		return PN_OK;
	return PN_EINVAL;
}

int
pn_sandbox_opts_from_conf(const struct pn_conf *c, struct pn_sandbox_opts *o)
{
	char err[128];
	int64_t v;

	memset(o, 0, sizeof(*o));
	v = pn_conf_get_int(c, "sandbox.timeout");
	o->timeout_ms = v > 0 && v <= INT32_MAX ? (int)v : 0;
	o->memory_max = pn_conf_get_size(c, "sandbox.memory");
	v = pn_conf_get_int(c, "sandbox.pids");
	o->pids_max = v > 0 && v <= INT32_MAX ? (int)v : 0;
	v = pn_conf_get_int(c, "sandbox.cpu_percent");
	o->cpu_percent = v > 0 && v <= INT32_MAX ? (int)v : 0;
	o->write_max = pn_conf_get_size(c, "sandbox.disk");
	o->sinkhole_v4 = pn_conf_get(c, "sandbox.sinkhole");
	o->hostname = pn_conf_get(c, "sandbox.hostname");
	o->wine_dir = pn_conf_get(c, "sandbox.wine_dir");
	o->wine_bin = pn_conf_get(c, "sandbox.wine_bin");
	v = pn_conf_get_int(c, "sandbox.wine_timeout");
	o->wine_timeout_ms = v >= 5000 && v <= 300000 ? (int)v : 0;
	o->wine_memory = pn_conf_get_size(c, "sandbox.wine_memory");
	v = pn_conf_get_int(c, "sandbox.wine_pids");
	o->wine_pids = v >= 16 && v <= 4096 ? (int)v : 0;
	if (o->wine_timeout_ms == 0 || o->wine_pids == 0 || o->wine_memory < (64u << 20)) {
		log_warnx("sandbox.wine_timeout must be 5000..300000, sandbox.wine_pids 16..4096, "
		    "sandbox.wine_memory at least 64M");
		return PN_EINVAL;
	}
	if (opts_check(o, err, sizeof(err)) != PN_OK) {
		log_warnx("%s", err);
		return PN_EINVAL;
	}
	return PN_OK;
}

/* ------------------------------------------------------------ small file helpers */

static int
write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = pn_write_all(fd, s, strlen(s)) == PN_OK ? 0 : -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static int
read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Value of "key N" in a counters file (memory.events, pids.events ...); -1 when absent. */
static long long
counter_of(const char *path, const char *key)
{
	char buf[4096], *p;
	size_t kl = strlen(key);

	if (read_small(path, buf, sizeof(buf)) != 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return strtoll(p + kl + 1, NULL, 10);
	return -1;
}

/* ------------------------------------------------------------ cgroups */

enum { CG_MEM, CG_PIDS, CG_CPU, CG_FREEZER, CG_N };
static const char *const cg_names[CG_N] = { "memory", "pids", "cpu", "freezer" };

struct sbx_cg {
	int v2;
	char dir[CG_N][PATH_MAX];   /* v1: per controller, "" when absent; v2: dir[0] */
};

/* Mount point and root of the hierarchy holding ctrl (v1), or of cgroup2 (ctrl NULL). */
static int
cg_mount(const char *ctrl, char *mnt, size_t mcap, char *root, size_t rcap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *fld[6], *sep = strstr(line, " - "), *save = NULL, *fs, *src, *sopt, *t;
		int i;

		if (sep == NULL)
			continue;
		*sep = '\0';
		fld[0] = strtok_r(line, " ", &save);
		for (i = 1; i < 6 && fld[i - 1]; i++)
			fld[i] = strtok_r(NULL, " ", &save);
		if (i < 6 || fld[4] == NULL)
			continue;
		save = NULL;
		fs = strtok_r(sep + 3, " ", &save);
		src = strtok_r(NULL, " ", &save);
		sopt = strtok_r(NULL, " \n", &save);
		(void)src;
		if (fs == NULL || sopt == NULL)
			continue;
		if (ctrl == NULL) {
			found = strcmp(fs, "cgroup2") == 0;
		} else if (strcmp(fs, "cgroup") == 0) {
			for (t = strtok_r(sopt, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (strcmp(t, ctrl) == 0)
					found = 1;
		}
		if (found) {
			pn_strlcpy(root, fld[3], rcap);
			pn_strlcpy(mnt, fld[4], mcap);
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Our own cgroup path for ctrl (v1) or the unified one (ctrl NULL). */
static int
cg_own(const char *ctrl, char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *t, *save = NULL;

		if (c2 == NULL)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (ctrl == NULL) {
			found = c2 == c1 + 1;
		} else {
			for (t = strtok_r(c1 + 1, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (strcmp(t, ctrl) == 0)
					found = 1;
		}
		if (found)
			pn_strlcpy(out, c2 + 1, cap);
	}
	fclose(f);
	return found ? 0 : -1;
}

static int
cg_base(const char *ctrl, char *out, size_t cap)
{
	char mnt[PATH_MAX], root[PATH_MAX], own[PATH_MAX];
	const char *rel;
	size_t rl;

	if (cg_mount(ctrl, mnt, sizeof(mnt), root, sizeof(root)) != 0 ||
	    cg_own(ctrl, own, sizeof(own)) != 0)
		return -1;
	rl = strlen(root);
	rel = own;
	if (strcmp(root, "/") != 0 && strncmp(own, root, rl) == 0)
		rel = own + rl;
	if ((size_t)snprintf(out, cap, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel) >= cap)
		return -1;
	return 0;
}

static int
cg_write(const char *dir, const char *file, const char *val)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return write_file(p, val);
}

static void
cg_destroy(struct sbx_cg *cg)
{
	int i, tries;

	for (i = 0; i < CG_N; i++) {
		if (cg->dir[i][0] == '\0')
			continue;
		for (tries = 0; tries < 200 && rmdir(cg->dir[i]) != 0 && errno == EBUSY; tries++)
			usleep(5000);
		cg->dir[i][0] = '\0';
	}
}

static int
cg_create_dir(char *dir, size_t cap, const char *base, unsigned serial)
{
	if ((size_t)snprintf(dir, cap, "%s/pn-sbx-%d-%u", base, (int)getpid(), serial) >= cap)
		return -1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int
cg_setup(struct sbx_cg *cg, const struct pn_sandbox_opts *o, char *err, size_t errlen)
{
	static unsigned serial;
	char base[PATH_MAX], cc[PATH_MAX + 32], v[64];
	int i;

	memset(cg, 0, sizeof(*cg));
	serial++;
	if (cg_base("memory", base, sizeof(base)) == 0) {
		for (i = 0; i < CG_N; i++) {
			if (cg_base(cg_names[i], base, sizeof(base)) != 0) {
				if (i == CG_MEM || i == CG_PIDS) {
					snprintf(err, errlen, "cgroup v1 %s controller not mounted", cg_names[i]);
					goto fail;
				}
				continue;
			}
			if (cg_create_dir(cg->dir[i], sizeof(cg->dir[i]), base, serial) != 0) {
				snprintf(err, errlen, "cannot create cgroup %s: %s", cg->dir[i], strerror(errno));
				cg->dir[i][0] = '\0';
				goto fail;
			}
		}
		snprintf(v, sizeof(v), "%llu", (unsigned long long)o->memory_max);
		if (cg_write(cg->dir[CG_MEM], "memory.limit_in_bytes", v) != 0) {
			snprintf(err, errlen, "cannot set memory.limit_in_bytes: %s", strerror(errno));
			goto fail;
		}
		(void)cg_write(cg->dir[CG_MEM], "memory.memsw.limit_in_bytes", v);
		(void)cg_write(cg->dir[CG_MEM], "memory.swappiness", "0");
		snprintf(v, sizeof(v), "%d", o->pids_max);
		if (cg_write(cg->dir[CG_PIDS], "pids.max", v) != 0) {
			snprintf(err, errlen, "cannot set pids.max: %s", strerror(errno));
			goto fail;
		}
		if (cg->dir[CG_CPU][0]) {
			snprintf(v, sizeof(v), "%d", o->cpu_percent * 1000);
			if (cg_write(cg->dir[CG_CPU], "cpu.cfs_period_us", "100000") != 0 ||
			    cg_write(cg->dir[CG_CPU], "cpu.cfs_quota_us", v) != 0) {
				snprintf(err, errlen, "cannot set the cpu quota: %s", strerror(errno));
				goto fail;
			}
		}
		return PN_OK;
	}
	/* cgroup v2: one group with memory, pids and cpu enabled in the parent. */
	cg->v2 = 1;
	if (cg_base(NULL, base, sizeof(base)) != 0) {
		snprintf(err, errlen, "no cgroup v1 memory controller and no cgroup2 mount");
		goto fail;
	}
	snprintf(cc, sizeof(cc), "%s/cgroup.controllers", base);
	if (read_small(cc, v, sizeof(v)) != 0 || !strstr(v, "memory") || !strstr(v, "pids")) {
		snprintf(err, errlen, "cgroup2 at %s lacks the memory or pids controller", base);
		goto fail;
	}
	(void)cg_write(base, "cgroup.subtree_control", "+memory +pids +cpu");
	if (cg_create_dir(cg->dir[0], sizeof(cg->dir[0]), base, serial) != 0) {
		snprintf(err, errlen, "cannot create cgroup under %s: %s", base, strerror(errno));
		cg->dir[0][0] = '\0';
		goto fail;
	}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)o->memory_max);
	if (cg_write(cg->dir[0], "memory.max", v) != 0) {
		snprintf(err, errlen, "cannot set memory.max (controller not delegated?): %s",
		    strerror(errno));
		goto fail;
	}
	(void)cg_write(cg->dir[0], "memory.swap.max", "0");
	snprintf(v, sizeof(v), "%d", o->pids_max);
	if (cg_write(cg->dir[0], "pids.max", v) != 0) {
		snprintf(err, errlen, "cannot set pids.max: %s", strerror(errno));
		goto fail;
	}
	snprintf(v, sizeof(v), "%d 100000", o->cpu_percent * 1000);
	(void)cg_write(cg->dir[0], "cpu.max", v);
	return PN_OK;
fail:
	cg_destroy(cg);
	return PN_EPERM;
}

static int
cg_attach(struct sbx_cg *cg, pid_t pid)
{
	char v[32];
	int i;

	snprintf(v, sizeof(v), "%d", (int)pid);
	for (i = 0; i < CG_N; i++)
		if (cg->dir[i][0] && cg_write(cg->dir[i], "cgroup.procs", v) != 0)
			return -1;
	return 0;
}

#define LIM_TIME   0x01
#define LIM_PIDS   0x02
#define LIM_MEMORY 0x04
#define LIM_DISK   0x08
#define LIM_CPU    0x10

static unsigned
cg_limits_hit(struct sbx_cg *cg)
{
	char p[PATH_MAX + 64];
	unsigned hit = 0;

	if (cg->v2) {
		snprintf(p, sizeof(p), "%s/memory.events", cg->dir[0]);
		if (counter_of(p, "oom_kill") > 0 || counter_of(p, "max") > 0)
			hit |= LIM_MEMORY;
		snprintf(p, sizeof(p), "%s/pids.events", cg->dir[0]);
		if (counter_of(p, "max") > 0)
			hit |= LIM_PIDS;
		snprintf(p, sizeof(p), "%s/cpu.stat", cg->dir[0]);
		if (counter_of(p, "nr_throttled") > 0)
			hit |= LIM_CPU;
		return hit;
	}
	snprintf(p, sizeof(p), "%s/memory.oom_control", cg->dir[CG_MEM]);
	if (counter_of(p, "oom_kill") > 0)
		hit |= LIM_MEMORY;
	snprintf(p, sizeof(p), "%s/pids.events", cg->dir[CG_PIDS]);
	if (counter_of(p, "max") > 0)
		hit |= LIM_PIDS;
	if (cg->dir[CG_CPU][0]) {
		snprintf(p, sizeof(p), "%s/cpu.stat", cg->dir[CG_CPU]);
		if (counter_of(p, "nr_throttled") > 0)
			hit |= LIM_CPU;
	}
	return hit;
}

static void
cg_kill(struct sbx_cg *cg)
{
	if (cg->v2)
		(void)cg_write(cg->dir[0], "cgroup.kill", "1");
}

/* ------------------------------------------------------------ availability */

int
pn_sandbox_available(char *why, size_t cap)
{
	struct sbx_cg cg;
	struct pn_sandbox_opts o;
	char buf[64];
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		snprintf(why, cap, "the sandbox needs root (uid maps and cgroups)");
		return PN_EPERM;
	}
	if (read_small("/proc/sys/user/max_user_namespaces", buf, sizeof(buf)) == 0 &&
	    strtol(buf, NULL, 10) == 0) {
		snprintf(why, cap, "user namespaces disabled (user.max_user_namespaces = 0)");
		return PN_EPERM;
	}
	if (read_small("/proc/filesystems", buf, sizeof(buf)) != 0) {
		snprintf(why, cap, "no /proc");
		return PN_EPERM;
	}
	if (prctl(PR_GET_SECCOMP) < 0) {
		snprintf(why, cap, "seccomp unavailable: %s", strerror(errno));
		return PN_EPERM;
	}
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET |
	    CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		snprintf(why, cap, "cannot create user/pid/mount/net namespaces: %s", strerror(errno));
		return PN_EPERM;
	}
	if (pid == 0)
		_exit(0);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	memset(&o, 0, sizeof(o));
	o.memory_max = 64u << 20;
	o.pids_max = 8;
	o.cpu_percent = 100;
	if (cg_setup(&cg, &o, why, cap) != PN_OK)
		return PN_EPERM;
	cg_destroy(&cg);
	return PN_OK;
}

/* ------------------------------------------------------------ dropped files */

void
sbx_written_add(struct sbx_ctx *x, const char *path, int pid)
{
	struct sbx_written *w = sbx_written_find(x, path);

	if (w == NULL) {
		if (x->nwritten >= PN_SBX_MAX_WRITTEN)
			return;
		w = &x->written[x->nwritten++];
		w->path = pn_xstrdup(path);
	}
	w->pid = pid;
}

struct sbx_written *
sbx_written_find(struct sbx_ctx *x, const char *path)
{
	size_t i;

	for (i = 0; i < x->nwritten; i++)
		if (strcmp(x->written[i].path, path) == 0)
			return &x->written[i];
	return NULL;
}

int
sbx_drop_save(struct sbx_ctx *x, int fd, const char *path, int deleted)
{
	struct pn_hash_ctx h;
	struct pn_hashes hs;
	struct sbx_written *w;
	struct sbx_dropped *d;
	struct pn_buf b = PN_BUF_INIT;
	struct stat st;
	char tmp[64], buf[65536], magic[33] = "";
	uint64_t total = 0;
	size_t i;
	ssize_t n;
	int out, rc = PN_OK;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return PN_EINVAL;
	if (x->ndropped >= PN_SBX_MAX_DROPPED || (uint64_t)st.st_size > PN_SBX_MAX_DROPPED_FILE ||
	    x->dropped_bytes + (uint64_t)st.st_size > x->o->write_max + PN_SBX_MAX_DROPPED_FILE)
		return PN_ELIMIT;
	snprintf(tmp, sizeof(tmp), "dropped/.part-%zu", x->ndropped);
	out = openat(x->outfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0)
		return PN_EIO;
	if (pn_hash_init(&h, PN_HASH_SHA256) != PN_OK) {
		close(out);
		return PN_EINTERNAL;
	}
	lseek(fd, 0, SEEK_SET);
	while (total < PN_SBX_MAX_DROPPED_FILE && (n = read(fd, buf, sizeof(buf))) > 0) {
		if (total == 0)
			pn_hex((const uint8_t *)buf, PN_MIN((size_t)n, 16), magic);
		if (pn_write_all(out, buf, (size_t)n) != PN_OK || pn_hash_update(&h, buf, (size_t)n) != PN_OK) {
			rc = PN_EIO;
			break;
		}
		total += (uint64_t)n;
	}
	if (rc == PN_OK)
		rc = pn_hash_final(&h, &hs);
	pn_hash_release(&h);
	close(out);
	if (rc != PN_OK) {
		unlinkat(x->outfd, tmp, 0);
		return rc;
	}
	for (i = 0; i < x->ndropped; i++)
		if (strcmp(x->dropped[i].sha256, hs.sha256) == 0 && strcmp(x->dropped[i].path, path) == 0) {
			unlinkat(x->outfd, tmp, 0);
			return PN_OK;
		}
	snprintf(buf, sizeof(buf), "dropped/%s", hs.sha256);
	if (renameat(x->outfd, tmp, x->outfd, buf) != 0) {
		unlinkat(x->outfd, tmp, 0);
		return PN_EIO;
	}
	d = &x->dropped[x->ndropped++];
	d->path = pn_xstrdup(path);
	memcpy(d->sha256, hs.sha256, sizeof(d->sha256));
	d->size = total;
	d->deleted = deleted;
	x->dropped_bytes += total;
	w = sbx_written_find(x, path);
	sbx_ev_start(x, &b, "write_sum");
	if (w)
		pn_buf_printf(&b, ",\"pid\":%d", w->pid);
	pn_buf_puts(&b, ",\"path\":");
	pn_buf_json_str(&b, path, strlen(path));
	pn_buf_printf(&b, ",\"bytes\":%llu,\"sha256\":\"%s\",\"magic\":\"%s\"%s",
	    (unsigned long long)total, hs.sha256, magic, deleted ? ",\"deleted\":true" : "");
	sbx_ev_write(x, &b);
	return PN_OK;
}

/* Was this file planted by us and left alone? */
static int
is_seed(const struct stat *st)
{
	return st->st_mtim.tv_sec == SEED_MTIME && st->st_mtim.tv_nsec == 0;
}

/* Walk dir (an open directory fd of the stage), copying regular files. */
static void
collect_dir(struct sbx_ctx *x, int dfd, const char *prefix, int depth, dev_t dev, int top,
    unsigned *budget)
{
	static const char *const skip_top[] = { "dev", "proc", "usr", "etc", "bin", "sbin", "lib",
		"lib32", "lib64", "libx32" };
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && *budget > 0) {
		char path[PATH_MAX];
		struct stat st;
		size_t i;
		int fd, skip = 0;

		(*budget)--;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; top && i < PN_ARRAY_LEN(skip_top); i++)
			if (strcmp(de->d_name, skip_top[i]) == 0)
				skip = 1;
		if (skip || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    st.st_dev != dev)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", prefix, de->d_name) >= sizeof(path))
			continue;
		if (x->wine && (strncmp(path, "/tmp/.wine-", 11) == 0 || strncmp(path, "/tmp/wine-", 10) == 0 ||
		    strcmp(path, "/var/cache/fontconfig") == 0))
			continue;   /* wineserver's socket dir, fontconfig's cache */
		if (S_ISDIR(st.st_mode) && depth < 24) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				collect_dir(x, fd, path, depth + 1, dev, 0, budget);
		} else if (S_ISREG(st.st_mode) && !is_seed(&st)) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (strncmp(path, "/tmp/", 5) == 0 && strcmp(path + 5, x->name) == 0) {
				struct pn_hashes hs;
				if (pn_hash_fd(fd, PN_HASH_SHA256, &hs) == PN_OK &&
				    strcmp(hs.sha256, x->sample_sha) == 0) {
					close(fd);
					continue;   /* the sample itself, untouched */
				}
			}
			(void)sbx_drop_save(x, fd, path, 0);
			close(fd);
		}
	}
	closedir(d);
}

static void
collect_dropped(struct sbx_ctx *x)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	unsigned budget = 20000;
	int ufd, fd;

	if (x->stage_fd < 0 || fstat(x->stage_fd, &st) != 0)
		return;
	/* Overlay upper dirs: u/<layer>/... is /<layer>/... */
	ufd = openat(x->stage_fd, "u", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd >= 0 && (d = fdopendir(ufd)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char prefix[300];
			if (de->d_name[0] == '.')
				continue;
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				continue;
			snprintf(prefix, sizeof(prefix), "/%s", de->d_name);
			collect_dir(x, fd, prefix, 0, st.st_dev, 0, &budget);
		}
		closedir(d);
	} else if (ufd >= 0) {
		close(ufd);
	}
	/* The rest of the root: r/... is /... */
	fd = openat(x->stage_fd, "r", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		collect_dir(x, fd, "", 0, st.st_dev, 1, &budget);
}

/* ------------------------------------------------------------ init (pid 1 inside) */

static void __attribute__((noreturn))
init_fail(int sp, const char *what)
{
	char msg[300];
	int e = errno;

	snprintf(msg, sizeof(msg), "E%s: %s", what, strerror(e));
	(void)!send(sp, msg, strlen(msg), 0);
	_exit(1);
}

static int
mkfile(const char *path, const char *content, mode_t mode)
{
	struct timespec ts[2] = { { SEED_MTIME, 0 }, { SEED_MTIME, 0 } };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return -1;
	if (content && pn_write_all(fd, content, strlen(content)) != PN_OK) {
		close(fd);
		return -1;
	}
	fchmod(fd, mode);
	futimens(fd, ts);
	return close(fd);
}

/*
 * Hide host files that are not for everyone's eyes: every file under host
 * dir (relative path rel) that is not world-readable, or sits in a directory
 * that is not world-searchable, gets an empty file of the same name in the
 * upper dir up.  Bounded by depth and *budget entries.
 */
static int
mask_private(const char *host, const char *up, int depth, int secret, unsigned *budget)
{
	DIR *d = opendir(host);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && rc == 0 && *budget > 0) {
		char hp[PATH_MAX], upp[PATH_MAX + 300];
		struct stat st;

		(*budget)--;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(hp, sizeof(hp), "%s/%s", host, de->d_name) >= sizeof(hp) ||
		    (size_t)snprintf(upp, sizeof(upp), "%s/%s", up, de->d_name) >= sizeof(upp) ||
		    lstat(hp, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 8) {
			int sec = secret || (st.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH);
			/* Only dirs that hold something to hide get an upper copy. */
			if (sec || depth < 7) {
				struct stat ust;
				int made = 0;

				if (sec && stat(upp, &ust) != 0) {
					if (mkdir(upp, st.st_mode & 07777) != 0)
						return -1;
					made = 1;
				}
				if (sec)
					rc = mask_private(hp, upp, depth + 1, 1, budget);
				else if (mkdir(upp, st.st_mode & 07777) == 0) {
					made = 1;
					rc = mask_private(hp, upp, depth + 1, 0, budget);
					if (rmdir(upp) == 0)   /* nothing hidden below: drop it again */
						made = 0;
				} else if (errno == EEXIST) {
					rc = mask_private(hp, upp, depth + 1, 0, budget);
				}
				if (made)
					chmod(upp, st.st_mode & 07777);
			}
		} else if (S_ISREG(st.st_mode) && (secret || !(st.st_mode & S_IROTH))) {
			if (mkfile(upp, "", st.st_mode & 0777) != 0)
				rc = -1;
		}
	}
	closedir(d);
	return rc;
}

/* Files planted in the /etc upper dir: they hide the host's. */
static int
seed_etc(const struct pn_sandbox_opts *o, const char *up)
{
	char p[PATH_MAX + 300], content[512];
	DIR *d;
	struct dirent *de;

	unsigned budget = 20000;

	if (mask_private("/etc", up, 0, 0, &budget) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/shadow", up);
	if (mkfile(p, "root:$y$j9T$Q2W3e4R5t6Y7u8I9o0P1a.$Zx0CxSb2eVh3kXhYtq9m1nZsQKp4yTfD0wL7uJr8a5B:19700:0:99999:7:::\n"
	    "daemon:*:19700:0:99999:7:::\nbin:*:19700:0:99999:7:::\nnobody:*:19700:0:99999:7:::\n"
	    "user:$y$j9T$Aa1Bb2Cc3Dd4Ee5Ff6Gg7.$Kk8Ll9Mm0Nn1Oo2Pp3Qq4Rr5Ss6Tt7Uu8Vv9Ww0X:19700:0:99999:7:::\n",
	    0640) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/gshadow", up);
	if (mkfile(p, "root:*::\nuser:!::\n", 0640) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/hostname", up);
	snprintf(content, sizeof(content), "%s\n", o->hostname);
	if (mkfile(p, content, 0644) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/hosts", up);
	snprintf(content, sizeof(content), "127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost\n",
	    o->hostname);
	if (mkfile(p, content, 0644) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/resolv.conf", up);
	if (mkfile(p, "nameserver " PN_SANDBOX_DNS "\n", 0644) != 0)
		return -1;
	/* A per-run machine id instead of the host's. */
	{
		uint8_t id[16];
		char hex[34];

		pn_random(id, sizeof(id));
		pn_hex(id, sizeof(id), hex);
		hex[32] = '\n';
		hex[33] = '\0';
		snprintf(p, sizeof(p), "%s/machine-id", up);
		if (mkfile(p, hex, 0444) != 0)
			return -1;
	}
	/* Host keys: empty files over the host's. */
	if ((d = opendir("/etc/ssh")) != NULL) {
		snprintf(p, sizeof(p), "%s/ssh", up);
		mkdir(p, 0755);
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "ssh_host_", 9) == 0) {
				snprintf(p, sizeof(p), "%s/ssh/%s", up, de->d_name);
				mkfile(p, "", 0600);
			}
		closedir(d);
	}
	return 0;
}

static int
copy_fd_to(int in, const char *path)
{
	char buf[65536];
	ssize_t n;
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);

	if (out < 0)
		return -1;
	lseek(in, 0, SEEK_SET);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (pn_write_all(out, buf, (size_t)n) != PN_OK) {
			close(out);
			return -1;
		}
	fchmod(out, 0755);
	return close(out) == 0 && n == 0 ? 0 : -1;
}

static void
send_fd(int sp, int fd)
{
	struct msghdr mh;
	struct iovec iov;
	char c = 'S', cbuf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = &c;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	(void)!sendmsg(sp, &mh, 0);
}

/*
 * Root inside is uid 0 outside: files and sysctls that only check "owner is
 * root" must not be writable, and kernel internals must not be readable.
 * /proc/sys, sysrq-trigger, irq, bus, fs become read-only binds; keys,
 * timer_list, kcore & co. get /dev/null; acpi, scsi an empty tmpfs.
 */
static void
harden_proc(int sp)
{
	static const char *const ro[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
	static const char *const nul[] = { "kcore", "keys", "key-users", "timer_list",
		"sched_debug", "kallsyms", "kmsg", "kpagecount", "kpageflags", "kpagecgroup",
		"latency_stats", "config.gz" };
	static const char *const dirs[] = { "acpi", "scsi", "driver" };
	char p[128];
	struct stat st;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(ro); i++) {
		snprintf(p, sizeof(p), STAGE "/r/proc/%s", ro[i]);
		if (lstat(p, &st) != 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) != 0 ||
		    mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, NULL) != 0)
			init_fail(sp, "cannot make /proc/sys read-only");
	}
	for (i = 0; i < PN_ARRAY_LEN(nul); i++) {
		snprintf(p, sizeof(p), STAGE "/r/proc/%s", nul[i]);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    mount("/dev/null", p, NULL, MS_BIND, NULL) != 0)
			init_fail(sp, "cannot mask a /proc file");
	}
	for (i = 0; i < PN_ARRAY_LEN(dirs); i++) {
		snprintf(p, sizeof(p), STAGE "/r/proc/%s", dirs[i]);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
		    mount("pn-sbx", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    "size=4k,mode=0555") != 0)
			init_fail(sp, "cannot mask a /proc directory");
	}
}

static void
init_mounts(const struct sbx_ctx *x, int sp, int sample_fd)
{
	static const char *const layers[] = { "usr", "etc", "bin", "sbin", "lib", "lib32", "lib64",
		"libx32" };
	static const struct { const char *p; mode_t m; } dirs[] = {
		{ "tmp", 01777 }, { "var", 0755 }, { "var/tmp", 01777 }, { "var/log", 0755 },
		{ "var/lib", 0755 }, { "var/cache", 0755 }, { "var/spool", 0755 },
		{ "var/spool/cron", 0755 }, { "var/spool/cron/crontabs", 01730 }, { "root", 0700 },
		{ "home", 0755 }, { "home/user", 0755 }, { "run", 0755 }, { "run/shm", 01777 },
		{ "run/lock", 01777 }, { "dev", 0755 }, { "proc", 0555 }, { "mnt", 0755 },
		{ "opt", 0755 }, { "srv", 0755 }, { "media", 0755 }
	};
	static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
	char p[PATH_MAX], q[PATH_MAX], opt[256], link[PATH_MAX];
	struct stat st;
	size_t i;
	ssize_t n;
	int fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		init_fail(sp, "cannot make / private");
	/*
	 * The stage tmpfs covers the host's /tmp: a Wine prefix kept there
	 * (a build tree under /tmp, say) is reached through an fd opened first.
	 */
	if (x->wine && (wine_prefix_fd = open(x->wine->prefix, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		init_fail(sp, "cannot open the Wine prefix");
	snprintf(opt, sizeof(opt), "size=%llu,nr_inodes=65536,mode=0755",
	    (unsigned long long)x->o->write_max);
	if (mount("pn-sbx", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, opt) != 0)
		init_fail(sp, "cannot mount the writable tmpfs");
	if (mkdir(STAGE "/r", 0755) != 0 || mkdir(STAGE "/u", 0700) != 0 || mkdir(STAGE "/w", 0700) != 0)
		init_fail(sp, "mkdir in the stage");
	fd = open(STAGE, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		init_fail(sp, "open the stage");
	send_fd(sp, fd);
	close(fd);
	if (mount(STAGE "/r", STAGE "/r", NULL, MS_BIND | MS_REC, NULL) != 0)
		init_fail(sp, "bind the new root");
	for (i = 0; i < PN_ARRAY_LEN(layers); i++) {
		snprintf(p, sizeof(p), "/%s", layers[i]);
		if (lstat(p, &st) != 0)
			continue;
		snprintf(q, sizeof(q), STAGE "/r/%s", layers[i]);
		if (S_ISLNK(st.st_mode)) {
			n = readlink(p, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (symlink(link, q) != 0)
				init_fail(sp, "symlink in the new root");
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (mkdir(q, 0755) != 0)
			init_fail(sp, "mkdir in the new root");
		snprintf(p, sizeof(p), STAGE "/u/%s", layers[i]);
		if (mkdir(p, 0755) != 0)
			init_fail(sp, "mkdir upper");
		if (strcmp(layers[i], "etc") == 0 && seed_etc(x->o, p) != 0)
			init_fail(sp, "cannot plant /etc files");
		snprintf(p, sizeof(p), STAGE "/w/%s", layers[i]);
		if (mkdir(p, 0700) != 0)
			init_fail(sp, "mkdir work");
		snprintf(opt, sizeof(opt), "lowerdir=/%s,upperdir=" STAGE "/u/%s,workdir=" STAGE "/w/%s",
		    layers[i], layers[i], layers[i]);
		if (mount("pn-sbx", q, "overlay", MS_NOSUID | MS_NODEV, opt) != 0)
			init_fail(sp, "cannot mount the overlay (overlayfs in a user namespace)");
	}
	for (i = 0; i < PN_ARRAY_LEN(dirs); i++) {
		snprintf(p, sizeof(p), STAGE "/r/%s", dirs[i].p);
		if (mkdir(p, dirs[i].m) != 0 || chmod(p, dirs[i].m) != 0)
			init_fail(sp, "mkdir in the new root");
	}
	(void)!symlink("/run", STAGE "/r/var/run");
	(void)!symlink("/run/lock", STAGE "/r/var/lock");
	/* Host secrets that are directories: an empty read-only tmpfs over them. */
	if (stat(STAGE "/r/etc/ssl/private", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("pn-sbx", STAGE "/r/etc/ssl/private", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
	    "size=4k,mode=0700") != 0)
		init_fail(sp, "mask /etc/ssl/private");
	/* Minimal /dev. */
	if (mount("pn-sbx", STAGE "/r/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
	    "size=64k,nr_inodes=64,mode=0755") != 0)
		init_fail(sp, "mount /dev");
	for (i = 0; i < PN_ARRAY_LEN(devs); i++) {
		snprintf(p, sizeof(p), "/dev/%s", devs[i]);
		snprintf(q, sizeof(q), STAGE "/r/dev/%s", devs[i]);
		if (mkfile(q, NULL, 0666) != 0 || mount(p, q, NULL, MS_BIND, NULL) != 0)
			init_fail(sp, "bind a /dev node");
	}
	if (mkdir(STAGE "/r/dev/pts", 0755) != 0 || mkdir(STAGE "/r/dev/shm", 01777) != 0)
		init_fail(sp, "mkdir in /dev");
	if (mount("devpts", STAGE "/r/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620") == 0)
		(void)!symlink("pts/ptmx", STAGE "/r/dev/ptmx");
	if (mount(STAGE "/r/run/shm", STAGE "/r/dev/shm", NULL, MS_BIND, NULL) != 0)
		init_fail(sp, "bind /dev/shm");
	(void)!symlink("/proc/self/fd", STAGE "/r/dev/fd");
	(void)!symlink("/proc/self/fd/0", STAGE "/r/dev/stdin");
	(void)!symlink("/proc/self/fd/1", STAGE "/r/dev/stdout");
	(void)!symlink("/proc/self/fd/2", STAGE "/r/dev/stderr");
	if (mount(NULL, STAGE "/r/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
	    NULL) != 0)
		init_fail(sp, "remount /dev read-only");
	if (mount("proc", STAGE "/r/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		init_fail(sp, "cannot mount a fresh /proc");
	harden_proc(sp);
	snprintf(p, sizeof(p), STAGE "/r/tmp/%s", x->name);
	if (x->wine && sbx_wine_mount(x, STAGE, wine_prefix_fd, p, sizeof(p)) != 0)
		init_fail(sp, "cannot mount the Wine prefix overlay");
	/* Mounted: the fd must not take a descriptor number the sample side relies on. */
	if (wine_prefix_fd >= 0) {
		close(wine_prefix_fd);
		wine_prefix_fd = -1;
	}
	if (copy_fd_to(sample_fd, p) != 0)
		init_fail(sp, "cannot copy the sample in (larger than sandbox.disk?)");
	if (sethostname(x->o->hostname, strlen(x->o->hostname)) != 0)
		init_fail(sp, "sethostname");
	if (chdir(STAGE "/r") != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
		init_fail(sp, "pivot_root");
	if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
		init_fail(sp, "detach the old root");
}

/* Time namespace for the sample: boot time shifted by a few days. */
static void
init_timens(void)
{
	char off[64];
	uint32_t r;

	if (unshare(CLONE_NEWTIME) != 0)
		return;
	pn_random(&r, sizeof(r));
	snprintf(off, sizeof(off), "boottime %u 0\n", 3 * 86400 + r % (20 * 86400));
	(void)write_file("/proc/self/timens_offsets", off);
}

/* Drop every capability for good; -1 when the kernel would not. */
static int
drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int i;

	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) != 0)
		return -1;
	for (i = 0; i <= 63; i++)
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) != 0 && errno != EINVAL)
			return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		return -1;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) != 0)
		return -1;
	memset(d, 0xff, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0 || d[0].effective || d[0].permitted || d[1].effective ||
	    d[1].permitted || prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		return -1;
	return 0;
}

static int sample_sp = -1;   /* the supervisor socket, close-on-exec, in the sample process */

/* The sample process could not be confined: tell the supervisor and never exec. */
static void __attribute__((noreturn))
sample_fail(const char *what)
{
	char msg[200];
	int n = snprintf(msg, sizeof(msg), "E%s: %s", what, strerror(errno));

	if (sample_sp >= 0)
		(void)!send(sample_sp, msg, (size_t)n, 0);
	(void)!write(2, msg + 1, (size_t)n - 1);
	_exit(126);
}

static void __attribute__((noreturn))
sample_exec(const struct sbx_ctx *x, int sp, int out_w, int err_w)
{
	char path[PN_SBX_NAME_MAX + 8], hn[80], nm[PN_SBX_NAME_MAX + 1];
	char *argv[3], *envp[12];
	struct rlimit rl;
	sigset_t all;
	int i, in;

	setsid();
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		_exit(126);
	if (in > 2)
		close(in);   /* frees fd 3 for the supervisor socket */
	/* Only 0, 1, 2 and the close-on-exec supervisor socket stay open. */
	sample_sp = fcntl(sp, F_DUPFD_CLOEXEC, 3) == 3 ? 3 : -1;
	close_range(4, ~0U, 0);
	umask(022);
	if (chdir("/tmp") != 0)
		sample_fail("chdir /tmp");
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	rl.rlim_cur = rl.rlim_max = x->o->write_max;
	setrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = rl.rlim_max = 1024;
	setrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max = (rlim_t)(x->o->timeout_ms / 1000 + 2);
	setrlimit(RLIMIT_CPU, &rl);
	rl.rlim_cur = rl.rlim_max = 64u << 10;
	setrlimit(RLIMIT_MEMLOCK, &rl);
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	prctl(PR_SET_NAME, x->name, 0, 0, 0);
	if (drop_caps() != 0)
		sample_fail("cannot drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		sample_fail("cannot set no_new_privs");
	if (sbx_seccomp_load(!x->untraced) != 0)
		sample_fail("cannot load the seccomp filter");
	if (x->wine)
		sbx_wine_exec(x, sample_sp);
	snprintf(path, sizeof(path), "/tmp/%s", x->name);
	snprintf(hn, sizeof(hn), "HOSTNAME=%s", x->o->hostname);
	pn_strlcpy(nm, x->name, sizeof(nm));
	argv[0] = nm;
	argv[1] = NULL;
	argv[2] = NULL;
	i = 0;
	envp[i++] = (char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	envp[i++] = (char *)"HOME=/root";
	envp[i++] = (char *)"USER=root";
	envp[i++] = (char *)"LOGNAME=root";
	envp[i++] = (char *)"SHELL=/bin/bash";
	envp[i++] = (char *)"TERM=xterm";
	envp[i++] = (char *)"LANG=C.UTF-8";
	envp[i++] = (char *)"PWD=/tmp";
	envp[i++] = hn;
	envp[i] = NULL;
	execve(path, argv, envp);
	if (errno == ENOEXEC) {
		argv[0] = (char *)"sh";
		argv[1] = path;
		execve("/bin/sh", argv, envp);
	}
	_exit(127);   /* the sample's own exec failure: a result, not a set-up error */
}

/*
 * /proc/1 is visible to the sample: wipe init's inherited command line and
 * environment (the caller's, possibly with secrets) and call it "init".
 */
static void
init_scrub(void)
{
	char buf[2048], *p;
	unsigned long long v[4];
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC), i;

	prctl(PR_SET_NAME, "init", 0, 0, 0);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* Fields 48..51 of stat: arg_start arg_end env_start env_end; stop on the space before 48. */
	for (i = 2; p && i < 48; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3]) != 4)
		return;
	if (v[1] > v[0] && v[1] - v[0] < (1u << 20)) {
		memset((void *)(uintptr_t)v[0], 0, (size_t)(v[1] - v[0]));
		if (v[1] - v[0] > 5)
			memcpy((void *)(uintptr_t)v[0], "init", 5);
	}
	if (v[3] > v[2] && v[3] - v[2] < (1u << 20))
		memset((void *)(uintptr_t)v[2], 0, (size_t)(v[3] - v[2]));
}

static void __attribute__((noreturn))
init_main(struct sbx_ctx *x, int sp, int sample_fd, int out_w, int err_w)
{
	char c;
	pid_t child, w;
	int st, keep[4] = { sp, sample_fd, out_w, err_w }, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Keep only our four fds, renumbered to 100..103. */
	for (i = 0; i < 4; i++)
		keep[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, 100 + i) == 100 + i ? 100 + i : -1;
	close_range(3, 99, 0);
	close_range(104, ~0U, 0);
	sp = keep[0];
	sample_fd = keep[1];
	out_w = keep[2];
	err_w = keep[3];
	x->outfd = x->evfd = x->stage_fd = -1;
	init_scrub();
	if (sp < 0 || read(sp, &c, 1) != 1 || c != 'G')
		_exit(1);
	if (unshare(CLONE_NEWCGROUP) != 0)
		init_fail(sp, "cannot create a cgroup namespace");
	init_mounts(x, sp, sample_fd);
	close(sample_fd);
	init_timens();
	(void)!send(sp, "R", 1, 0);
	child = fork();
	if (child < 0)
		init_fail(sp, "fork");
	if (child == 0)
		sample_exec(x, sp, out_w, err_w);
	close(out_w);
	close(err_w);
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == child) {
			char msg[16];
			int l = snprintf(msg, sizeof(msg), "X%d", st);
			(void)!send(sp, msg, (size_t)l, 0);
		}
	}
	_exit(0);
}

/* ------------------------------------------------------------ supervisor */

static int
recv_stage(int sp, int *fd, char *err, size_t errlen)
{
	struct msghdr mh;
	struct iovec iov;
	char buf[300], cbuf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf) - 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do
		n = recvmsg(sp, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		snprintf(err, errlen, "sandbox init died during set-up");
		return -1;
	}
	buf[n] = '\0';
	if (buf[0] == 'E') {
		snprintf(err, errlen, "%s", buf + 1);
		return -1;
	}
	cm = CMSG_FIRSTHDR(&mh);
	if (buf[0] != 'S' || cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
		snprintf(err, errlen, "sandbox init: unexpected message");
		return -1;
	}
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

static int
recv_msg(int sp, char *buf, size_t cap)
{
	ssize_t n;

	do
		n = recv(sp, buf, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void
write_run_json(struct sbx_ctx *x, unsigned hit, int64_t start, int64_t dur_ms, const char *netmode)
{
	static const char *const lim[] = { "time", "pids", "memory", "disk", "cpu" };
	struct pn_buf b = PN_BUF_INIT;
	size_t i;
	int fd, first = 1;

	pn_buf_printf(&b, "{\"sandbox_name\":\"%s\",\"start_time\":%lld,\"duration_ms\":%lld,",
	    x->wine ? "Panoptes Wine Tracer" : "Linux Tracer", (long long)start, (long long)dur_ms);
	if (x->main_seen && WIFEXITED(x->main_status))
		pn_buf_printf(&b, "\"exit_code\":%d,\"signal\":null,", WEXITSTATUS(x->main_status));
	else if (x->main_seen && WIFSIGNALED(x->main_status))
		pn_buf_printf(&b, "\"exit_code\":null,\"signal\":%d,", WTERMSIG(x->main_status));
	else
		pn_buf_puts(&b, "\"exit_code\":null,\"signal\":null,");
	pn_buf_printf(&b, "\"timed_out\":%s,\"limits_hit\":[", x->timed_out ? "true" : "false");
	for (i = 0; i < PN_ARRAY_LEN(lim); i++)
		if (hit & (1u << i)) {
			pn_buf_printf(&b, "%s\"%s\"", first ? "" : ",", lim[i]);
			first = 0;
		}
	pn_buf_printf(&b, "],\"limits\":{\"timeout_ms\":%d,\"memory\":%llu,\"pids\":%d,"
	    "\"cpu_percent\":%d,\"disk\":%llu},", x->o->timeout_ms,
	    (unsigned long long)x->o->memory_max, x->o->pids_max, x->o->cpu_percent,
	    (unsigned long long)x->o->write_max);
	pn_buf_printf(&b, "\"traced\":%s,\"events\":%u,\"events_capped\":%u,\"sleeps_capped\":%u,"
	    "\"fakenet\":\"%s\",\"sample_name\":", x->untraced ? "false" : "true", x->nevents,
	    x->events_capped, x->sleeps_capped, netmode);
	pn_buf_json_str(&b, x->name, strlen(x->name));
	pn_buf_printf(&b, ",\"sample_sha256\":\"%s\",\"dropped\":[", x->sample_sha);
	for (i = 0; i < x->ndropped; i++) {
		pn_buf_puts(&b, i ? ",{\"path\":" : "{\"path\":");
		pn_buf_json_str(&b, x->dropped[i].path, strlen(x->dropped[i].path));
		pn_buf_printf(&b, ",\"sha256\":\"%s\",\"size\":%llu,\"deleted\":%s}", x->dropped[i].sha256,
		    (unsigned long long)x->dropped[i].size, x->dropped[i].deleted ? "true" : "false");
	}
	pn_buf_puts(&b, "]");
	if (x->wine)
		sbx_wine_run_json(x, &b);
	pn_buf_puts(&b, "}\n");
	fd = openat(x->outfd, "run.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)pn_write_all(fd, b.p, b.len);
		close(fd);
	}
	pn_buf_release(&b);
}

/* The supervisor; returns a code letter ('0' ok, 'P' unavailable, 'V', 'X') + message. */
static char
supervise(struct sbx_ctx *x, int sample_fd, char *err, size_t errlen)
{
	struct sbx_cg cg;
	struct stat st;
	struct statfs sf;
	struct timespec ts0;
	char path[64], buf[64] = "", msg[256];
	int sp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, netfd = -1;
	int64_t start, t_start;
	unsigned hit = 0;
	pid_t fn = -1;
	char code = 'X';

	if (cg_setup(&cg, x->o, err, errlen) != PN_OK)
		return 'P';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0 ||
	    pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "socketpair/pipe: %s", strerror(errno));
		goto out;
	}
	x->init_pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
	    CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL, NULL, NULL, 0);
	if (x->init_pid < 0) {
		snprintf(err, errlen, "cannot create the namespaces: %s", strerror(errno));
		code = 'P';
		goto out;
	}
	if (x->init_pid == 0) {
		close(sp[0]);
		init_main(x, sp[1], sample_fd, outp[1], errp[1]);
	}
	close(sp[1]);
	close(outp[1]);
	close(errp[1]);
	sp[1] = outp[1] = errp[1] = -1;
	if (!x->untraced && ptrace(PTRACE_SEIZE, x->init_pid, NULL,
	    (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |
	    PTRACE_O_EXITKILL)) != 0) {
		snprintf(err, errlen, "ptrace unavailable: %s", strerror(errno));
		code = 'P';
		goto kill_out;
	}
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)x->init_pid);
	if (write_file(path, "deny") != 0)
		goto map_fail;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)x->init_pid);
	if (write_file(path, "0 0 1\n") != 0)
		goto map_fail;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)x->init_pid);
	if (write_file(path, "0 0 1\n") != 0)
		goto map_fail;
	if (cg_attach(&cg, x->init_pid) != 0) {
		snprintf(err, errlen, "cannot join the sandbox cgroup: %s", strerror(errno));
		code = 'P';
		goto kill_out;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)x->init_pid);
	netfd = open(path, O_RDONLY | O_CLOEXEC);
	if (netfd < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		goto kill_out;
	}
	/* "t" of every event counts from here (fakenet gets its copy at fork). */
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	x->t0_ns = (int64_t)ts0.tv_sec * 1000000000 + ts0.tv_nsec;
	fn = sbx_fakenet_start(x, netfd, outp[0], errp[0], err, errlen);
	close(netfd);
	close(outp[0]);
	close(errp[0]);
	outp[0] = errp[0] = -1;
	if (fn < 0) {
		code = 'P';
		goto kill_out;
	}
	if (send(sp[0], "G", 1, 0) != 1 || recv_stage(sp[0], &x->stage_fd, err, errlen) != 0 ||
	    recv_msg(sp[0], buf, sizeof(buf)) != 0 || buf[0] != 'R') {
		if (buf[0] == 'E')
			snprintf(err, errlen, "%s", buf + 1);
		else if (err[0] == '\0')
			snprintf(err, errlen, "sandbox init died during set-up");
		code = 'P';
		goto kill_out;
	}
	start = pn_now();
	t_start = pn_mono_ms();
	sbx_trace_loop(x);
	/* The exit status of the first process, as init saw it. */
	for (;;) {
		ssize_t n = recv(sp[0], msg, sizeof(msg) - 1, MSG_DONTWAIT);

		if (n <= 0)
			break;
		msg[n] = '\0';
		if (msg[0] == 'X' && !x->main_seen) {
			x->main_status = (int)strtol(msg + 1, NULL, 10);
			x->main_seen = 1;
		} else if (msg[0] == 'W' && msg[1] == '!') {
			x->timed_out = 1;   /* the Wine launcher stopped the sample at the limit */
		} else if (msg[0] == 'W' && msg[1] == '@') {
			x->wine_start_ms = strtoll(msg + 2, NULL, 10);
		} else if (msg[0] == 'W') {
			pn_strlcpy(x->wine_end, msg + 1, sizeof(x->wine_end));
		} else if (msg[0] == 'E' && err[0] == '\0') {
			snprintf(err, errlen, "%s", msg + 1);
		}
	}
	if (err[0] != '\0') {
		code = 'P';   /* the sample process could not be confined; it never ran */
		goto out;
	}
	cg_kill(&cg);
	hit = cg_limits_hit(&cg);
	if (x->timed_out)
		hit |= LIM_TIME;
	if (fstatfs(x->stage_fd, &sf) == 0 && (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize < (256u << 10))
		hit |= LIM_DISK;
	if (x->main_seen && WIFSIGNALED(x->main_status) && WTERMSIG(x->main_status) == SIGXFSZ)
		hit |= LIM_DISK;
	sbx_fakenet_stop(fn);
	fn = -1;
	(void)fstat(x->stage_fd, &st);
	if (x->wine)
		sbx_wine_collect(x);
	collect_dropped(x);
	write_run_json(x, hit, start, pn_mono_ms() - t_start, x->net_ports_only ? "ports" : "nft");
	code = '0';
	goto out;
map_fail:
	snprintf(err, errlen, "cannot write the uid/gid map: %s", strerror(errno));
	code = 'P';
kill_out:
	kill(x->init_pid, SIGKILL);
	while (waitpid(x->init_pid, NULL, __WALL) < 0 && errno == EINTR)
		;
out:
	if (fn > 0)
		sbx_fakenet_stop(fn);
	if (x->stage_fd >= 0)
		close(x->stage_fd);
	if (sp[0] >= 0)
		close(sp[0]);
	cg_destroy(&cg);
	return code;
}

static void
safe_name(const char *name, char *out, size_t cap)
{
	const char *b = name ? strrchr(name, '/') : NULL;
	size_t i, j = 0;

	b = b ? b + 1 : name;
	for (i = 0; b && b[i] && j + 1 < cap; i++) {
		unsigned char c = (unsigned char)b[i];
		out[j++] = (char)(c < 0x21 || c == 0x7f ? '_' : c);
	}
	out[j] = '\0';
	if (j == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		pn_strlcpy(out, "sample", cap);
}

int
pn_sbx_run_ex(const struct pn_sandbox_opts *o, const struct pn_sbx_xopts *xo, const char *sample,
    const char *name, const char *outdir, char *err, size_t errlen)
{
	return sbx_run(o, xo, NULL, sample, name, outdir, err, errlen);
}

int
sbx_run(const struct pn_sandbox_opts *o, const struct pn_sbx_xopts *xo, const struct sbx_wine *wine,
    const char *sample, const char *name, const char *outdir, char *err, size_t errlen)
{
	struct sbx_ctx *x;
	struct pn_hashes hs;
	struct stat st;
	char res[512];
	int sfd, p[2], status, rc;
	int64_t deadline;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	err[0] = '\0';
	if (opts_check(o, err, errlen) != PN_OK)
		return PN_EINVAL;
	sfd = open(sample, O_RDONLY | O_CLOEXEC);
	if (sfd < 0 || fstat(sfd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot open the sample %s: %s", sample, strerror(errno));
		if (sfd >= 0)
			close(sfd);
		return PN_EINVAL;
	}
	if ((uint64_t)st.st_size >= o->write_max) {
		snprintf(err, errlen, "the sample is larger than sandbox.disk");
		close(sfd);
		return PN_EINVAL;
	}
	x = pn_xcalloc(1, sizeof(*x));
	x->o = o;
	x->untraced = xo ? xo->untraced : 0;
	x->wine = wine;
	if (x->wine)
		x->untraced = 1;   /* SANDBOX.md §7.1: wineserver ptraces its clients */
	x->stage_fd = -1;
	safe_name(name, x->name, sizeof(x->name));
	if (pn_hash_fd(sfd, PN_HASH_SHA256, &hs) == PN_OK)
		memcpy(x->sample_sha, hs.sha256, sizeof(x->sample_sha));
	x->outfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->outfd < 0 || mkdirat(x->outfd, "dropped", 0755) != 0) {
		snprintf(err, errlen, "outdir %s: %s", outdir, strerror(errno));
		rc = PN_EINVAL;
		goto done;
	}
	x->evfd = openat(x->outfd, "events.jsonl", O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    0644);
	if (x->evfd < 0 || pipe2(p, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "events.jsonl in %s: %s", outdir, strerror(errno));
		rc = PN_EINVAL;
		goto done;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		rc = PN_EIO;
		goto done;
	}
	if (pid == 0) {
		struct sigaction sa;
		char e[400] = "";
		char code;

		sigset_t none;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Whatever the caller did with signals, the supervisor needs them plain. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
		code = supervise(x, sfd, e, sizeof(e));
		(void)!write(p[1], &code, 1);
		(void)!write(p[1], e, strlen(e));
		_exit(0);
	}
	close(p[1]);
	/* The supervisor enforces the wall clock; this only guards against it hanging. */
	deadline = pn_mono_ms() + o->timeout_ms + PN_SBX_SUPERVISOR_GRACE_MS;
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		int64_t left = deadline - pn_mono_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);   /* EXITKILL and PDEATHSIG take the rest down */
			break;
		}
		if (poll(&pf, 1, (int)PN_MIN(left, 1000)) <= 0)
			continue;
		n = read(p[0], res + got, sizeof(res) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	res[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == 0) {
		snprintf(err, errlen, "the sandbox supervisor died");
		rc = PN_EINTERNAL;
	} else if (res[0] == '0') {
		rc = PN_OK;
	} else {
		snprintf(err, errlen, "%s", res + 1);
		rc = res[0] == 'P' ? PN_EPERM : res[0] == 'V' ? PN_EINVAL : PN_EINTERNAL;
	}
done:
	close(sfd);
	if (x->outfd >= 0)
		close(x->outfd);
	if (x->evfd >= 0)
		close(x->evfd);
	for (size_t u = 0; u < x->nunimpl; u++)
		free(x->unimpl[u]);
	free(x);
	return rc;
}

int
pn_sandbox_run(const struct pn_sandbox_opts *o, const char *sample, const char *name,
    const char *outdir, char *err, size_t errlen)
{
	return pn_sbx_run_ex(o, NULL, sample, name, outdir, err, errlen);
}
