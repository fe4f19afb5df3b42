/*
 * trace.c - the sandbox tracer (SANDBOX.md §5.2): a seccomp filter returns
 * SECCOMP_RET_TRACE only for the syscalls of interest (the rule's RET_DATA
 * names the syscall, so no per-arch number tables), the supervisor seizes
 * the sandbox init with PTRACE_O_TRACESECCOMP|TRACEFORK|TRACEVFORK|
 * TRACECLONE|TRACEEXEC|EXITKILL, and a waitpid(__WALL) loop turns stops
 * into events.jsonl lines.  Syscalls whose result matters (write-opens,
 * unlink, rename, connect, ...) are resumed with PTRACE_SYSCALL once to see
 * the return value; read-only opens and the rest continue at entry.
 *
 * Tracee memory is read with process_vm_readv, bounded (PN_SBX_MAX_STR,
 * PN_SBX_MAX_ARGV, PN_SBX_MAX_ARG): what the tracer reads is evidence, not
 * enforcement (pointer arguments can change after we read them).  Sleeps
 * longer than 1 s are shortened at entry (the timespec is rewritten);
 * ptrace(PTRACE_TRACEME) is skipped and made to succeed; getdents calls are
 * only counted.
 * Events are capped per process and per run; the deny-list part of the
 * filter (EPERM/ENOSYS) is what enforces.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "sbx_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <stddef.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum sc {
	SC_NONE, SC_EXECVE, SC_EXECVEAT, SC_OPEN, SC_OPENAT, SC_OPENAT2, SC_CREAT, SC_UNLINK,
	SC_UNLINKAT, SC_RENAME, SC_RENAMEAT, SC_RENAMEAT2, SC_LINK, SC_LINKAT, SC_SYMLINK,
	SC_SYMLINKAT, SC_CHMOD, SC_FCHMOD, SC_FCHMODAT, SC_MKDIR, SC_MKDIRAT, SC_CONNECT, SC_BIND,
	SC_LISTEN, SC_SENDTO, SC_SENDMSG, SC_MEMFD, SC_PTRACE, SC_PRCTL, SC_INIT_MODULE,
	SC_FINIT_MODULE, SC_DELETE_MODULE, SC_SETUID, SC_SETGID, SC_SETREUID, SC_SETREGID,
	SC_SETRESUID, SC_SETRESGID, SC_NANOSLEEP, SC_CLOCK_NANOSLEEP, SC_FLOCK, SC_KILL, SC_TGKILL,
	SC_UNAME, SC_SYSINFO, SC_CHROOT, SC_GETDENTS, SC_MAX
};

static const struct { const char *name; enum sc id; } traced[] = {
	{ "execve", SC_EXECVE }, { "execveat", SC_EXECVEAT }, { "open", SC_OPEN },
	{ "openat", SC_OPENAT }, { "openat2", SC_OPENAT2 }, { "creat", SC_CREAT },
	{ "unlink", SC_UNLINK }, { "unlinkat", SC_UNLINKAT }, { "rename", SC_RENAME },
	{ "renameat", SC_RENAMEAT }, { "renameat2", SC_RENAMEAT2 }, { "link", SC_LINK },
	{ "linkat", SC_LINKAT }, { "symlink", SC_SYMLINK }, { "symlinkat", SC_SYMLINKAT },
	{ "chmod", SC_CHMOD }, { "fchmod", SC_FCHMOD }, { "fchmodat", SC_FCHMODAT },
	{ "mkdir", SC_MKDIR }, { "mkdirat", SC_MKDIRAT }, { "connect", SC_CONNECT },
	{ "bind", SC_BIND }, { "listen", SC_LISTEN }, { "sendmsg", SC_SENDMSG },
	{ "memfd_create", SC_MEMFD }, { "ptrace", SC_PTRACE }, { "prctl", SC_PRCTL },
	{ "init_module", SC_INIT_MODULE }, { "finit_module", SC_FINIT_MODULE },
	{ "delete_module", SC_DELETE_MODULE }, { "setuid", SC_SETUID }, { "setgid", SC_SETGID },
	{ "setreuid", SC_SETREUID }, { "setregid", SC_SETREGID }, { "setresuid", SC_SETRESUID },
	{ "setresgid", SC_SETRESGID }, { "nanosleep", SC_NANOSLEEP },
	{ "clock_nanosleep", SC_CLOCK_NANOSLEEP }, { "flock", SC_FLOCK }, { "kill", SC_KILL },
	{ "tgkill", SC_TGKILL }, { "uname", SC_UNAME }, { "sysinfo", SC_SYSINFO },
	{ "chroot", SC_CHROOT }, { "getdents64", SC_GETDENTS }, { "getdents", SC_GETDENTS }
};

/* Enforced: refused whether traced or not (SANDBOX.md §10.3). */
static const char *const denied_eperm[] = {
	"kexec_load", "kexec_file_load", "bpf", "perf_event_open", "userfaultfd", "keyctl",
	"add_key", "request_key", "mount", "umount2", "pivot_root", "swapon", "swapoff", "acct",
	"reboot", "setns", "open_by_handle_at", "name_to_handle_at", "fsopen", "fsmount",
	"fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr", "lookup_dcookie",
	"quotactl", "nfsservctl", "vhangup", "iopl", "ioperm", "settimeofday", "clock_settime",
	"adjtimex", "clock_adjtime"
};
static const char *const denied_enosys[] = {
	"io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"
};

/* ------------------------------------------------------------ events */

double
sbx_time(const struct sbx_ctx *x)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	return x->t0_ns ? (double)(now - x->t0_ns) / 1e9 : 0.0;
}

void
sbx_ev_start(const struct sbx_ctx *x, struct pn_buf *b, const char *ev)
{
	pn_buf_init(b, PN_SBX_MAX_LINE);
	pn_buf_printf(b, "{\"t\":%.3f,\"ev\":\"%s\"", sbx_time(x), ev);
}

void
sbx_ev_write(struct sbx_ctx *x, struct pn_buf *b)
{
	if (x->nevents >= PN_SBX_MAX_EVENTS || pn_buf_puts(b, "}\n") != PN_OK ||
	    x->evbytes + b->len > PN_SBX_MAX_EV_BYTES) {
		x->events_capped++;
		pn_buf_release(b);
		return;
	}
	x->nevents++;
	x->evbytes += b->len;
	if (x->evfd >= 0)
		(void)pn_write_all(x->evfd, b->p, b->len);
	pn_buf_release(b);
}

/* ------------------------------------------------------------ seccomp */

int
sbx_seccomp_load(int trace)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int nr, rc = 0;

	if (c == NULL)
		return -1;
	(void)seccomp_arch_add(c, SCMP_ARCH_X86);
	(void)seccomp_arch_add(c, SCMP_ARCH_X32);
	for (i = 0; i < PN_ARRAY_LEN(denied_eperm); i++)
		if ((nr = seccomp_syscall_resolve_name(denied_eperm[i])) != __NR_SCMP_ERROR)
			rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), nr, 0);
	for (i = 0; i < PN_ARRAY_LEN(denied_enosys); i++)
		if ((nr = seccomp_syscall_resolve_name(denied_enosys[i])) != __NR_SCMP_ERROR)
			rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	/* No nested user namespaces (mount tricks, more kernel surface). */
	rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
	if (trace) {
		for (i = 0; i < PN_ARRAY_LEN(traced); i++)
			if ((nr = seccomp_syscall_resolve_name(traced[i].name)) != __NR_SCMP_ERROR)
				rc |= seccomp_rule_add(c, SCMP_ACT_TRACE(traced[i].id), nr, 0);
		/* sendto only with a destination (UDP); connected sends are not logged. */
		rc |= seccomp_rule_add(c, SCMP_ACT_TRACE(SC_SENDTO), SCMP_SYS(sendto), 1,
		    SCMP_A4(SCMP_CMP_NE, 0));
	}
	if (rc == 0)
		rc = seccomp_load(c);
	seccomp_release(c);
	return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ tasks */

struct task {
	pid_t tid;               /* host ids; 0 = free slot */
	pid_t tgid;
	int nspid, nstid, nsppid;
	int is_init;
	char comm[17];
	unsigned nev;            /* events of this task */
	int compat;              /* i386 syscall */
	enum sc pend;            /* waiting for the exit stop of this syscall */
	struct pn_buf ev;        /* its event, without "ret" */
	char *pend_path;         /* write-open / rename target to remember on success */
	char *pend_from;
	unsigned ndirscan;       /* getdents calls, reported at exit */
	int fake_ret;            /* skipped syscall: return 0 at its exit */
};

struct tracer {
	struct sbx_ctx *x;
	struct task *tasks;      /* PN_SBX_MAX_TASKS */
	size_t ntasks_hint;
};

static int
last_int(const char *s)
{
	const char *p = s + strlen(s);

	while (p > s && (p[-1] == '\n' || p[-1] == ' ' || p[-1] == '\t'))
		p--;
	while (p > s && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return (int)strtol(p, NULL, 10);
}

static void
task_read_proc(struct tracer *tr, struct task *t)
{
	char path[64], buf[2048], *l, *save = NULL;
	pid_t ppid = 0;
	ssize_t n;
	int fd;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "Name:\t", 6) == 0)
			pn_strlcpy(t->comm, l + 6, sizeof(t->comm));
		else if (strncmp(l, "Tgid:", 5) == 0)
			t->tgid = (pid_t)strtol(l + 5, NULL, 10);
		else if (strncmp(l, "PPid:", 5) == 0)
			ppid = (pid_t)strtol(l + 5, NULL, 10);
		else if (strncmp(l, "NStgid:", 7) == 0)
			t->nspid = last_int(l);
		else if (strncmp(l, "NSpid:", 6) == 0)
			t->nstid = last_int(l);
	}
	if (ppid == tr->x->init_pid)
		t->nsppid = 1;
	for (i = 0; i < PN_SBX_MAX_TASKS && t->nsppid == 0; i++)
		if (tr->tasks[i].tid == ppid && ppid != 0)
			t->nsppid = tr->tasks[i].nspid;
}

static struct task *
task_find(struct tracer *tr, pid_t tid)
{
	size_t i, h = (size_t)tid % PN_SBX_MAX_TASKS;

	for (i = 0; i < PN_SBX_MAX_TASKS; i++) {
		struct task *t = &tr->tasks[(h + i) % PN_SBX_MAX_TASKS];
		if (t->tid == tid)
			return t;
		if (t->tid == 0)
			return NULL;
	}
	return NULL;
}

static struct task *
task_get(struct tracer *tr, pid_t tid)
{
	struct task *t = task_find(tr, tid);
	size_t i, h = (size_t)tid % PN_SBX_MAX_TASKS;

	if (t)
		return t;
	for (i = 0; i < PN_SBX_MAX_TASKS; i++) {
		t = &tr->tasks[(h + i) % PN_SBX_MAX_TASKS];
		if (t->tid == 0 || t->tid == -1) {
			memset(t, 0, sizeof(*t));
			t->tid = tid;
			t->tgid = tid;
			t->is_init = tid == tr->x->init_pid;
			task_read_proc(tr, t);
			return t;
		}
	}
	return NULL;
}

static void
task_free(struct task *t)
{
	pn_buf_release(&t->ev);
	free(t->pend_path);
	free(t->pend_from);
	memset(t, 0, sizeof(*t));
	t->tid = -1;   /* tombstone keeps probe chains intact */
}

static void
read_comm(struct task *t)
{
	char p[64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/comm", (int)t->tid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, t->comm, sizeof(t->comm) - 1);
	t->comm[n > 0 ? n : 0] = '\0';
	t->comm[strcspn(t->comm, "\n")] = '\0';
	close(fd);
}

/* Event start with the process fields. */
static void
ev_task(struct tracer *tr, struct task *t, struct pn_buf *b, const char *ev)
{
	sbx_ev_start(tr->x, b, ev);
	pn_buf_printf(b, ",\"pid\":%d,\"tid\":%d,\"ppid\":%d,\"comm\":", t->nspid, t->nstid,
	    t->nsppid);
	pn_buf_json_str(b, t->comm, strlen(t->comm));
}

static void
ev_emit(struct tracer *tr, struct task *t, struct pn_buf *b)
{
	t->nev++;
	sbx_ev_write(tr->x, b);
}

static void
json_kv_str(struct pn_buf *b, const char *k, const char *v)
{
	pn_buf_printf(b, ",\"%s\":", k);
	pn_buf_json_str(b, v, strlen(v));
}

/* ------------------------------------------------------------ tracee memory */

static ssize_t
mem_read(pid_t pid, uint64_t addr, void *buf, size_t n)
{
	struct iovec l = { buf, n }, r = { (void *)(uintptr_t)addr, n };

	if (addr == 0)
		return -1;
	return process_vm_readv(pid, &l, 1, &r, 1, 0);
}

/* NUL-terminated string at addr, at most cap-1 bytes; -1 when unreadable. */
static int
mem_str(pid_t pid, uint64_t addr, char *out, size_t cap)
{
	size_t got = 0;

	out[0] = '\0';
	if (addr == 0)
		return -1;
	while (got + 1 < cap) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;
		char *z;

		if (chunk > cap - 1 - got)
			chunk = cap - 1 - got;
		n = mem_read(pid, addr + got, out + got, chunk);
		if (n <= 0)
			break;
		z = memchr(out + got, '\0', (size_t)n);
		if (z)
			return (int)(z - out);
		got += (size_t)n;
	}
	out[got] = '\0';
	return got ? (int)got : -1;
}

static int
mem_ptrs(pid_t pid, uint64_t addr, int compat, uint64_t *out, size_t max)
{
	uint8_t raw[PN_SBX_MAX_ARGV * 8];
	size_t w = compat ? 4 : 8, i;
	ssize_t n = mem_read(pid, addr, raw, max * w);

	if (n <= 0)
		return 0;
	for (i = 0; i < max && (i + 1) * w <= (size_t)n; i++) {
		out[i] = compat ? pn_le32(raw + i * w) : pn_le64(raw + i * w);
		if (out[i] == 0)
			return (int)i;
	}
	return (int)i;
}

static void
fd_path(pid_t pid, int fd, char *out, size_t cap)
{
	char p[64];
	ssize_t n;

	if (fd == AT_FDCWD)
		snprintf(p, sizeof(p), "/proc/%d/cwd", (int)pid);
	else
		snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(p, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
}

/* Remove "." and ".." components and doubled slashes (lexically; links are not followed). */
static void
path_clean(char *p)
{
	char *out = p, *in = p;

	if (*p != '/')
		return;
	while (*in) {
		char *seg;
		size_t l;

		while (*in == '/')
			in++;
		seg = in;
		while (*in && *in != '/')
			in++;
		l = (size_t)(in - seg);
		if (l == 0 || (l == 1 && seg[0] == '.'))
			continue;
		if (l == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, l);
		out += l;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* Absolute path of (dirfd, addr) in the tracee's view. */
static void
tracee_path(pid_t pid, int dirfd, uint64_t addr, char *out, size_t cap)
{
	char rel[PN_SBX_MAX_STR];

	if (mem_str(pid, addr, rel, sizeof(rel)) < 0)
		rel[0] = '\0';
	if (rel[0] == '/') {
		pn_strlcpy(out, rel, cap);
	} else {
		fd_path(pid, dirfd, out, cap);
		if (rel[0] != '\0') {
			size_t l = strlen(out);
			snprintf(out + l, cap - l, "%s%s", l > 0 && out[l - 1] == '/' ? "" : "/", rel);
		}
	}
	path_clean(out);
}

/* ------------------------------------------------------------ decoders */

static void
open_flags(struct pn_buf *b, uint64_t f)
{
	static const struct { unsigned v; const char *n; } fl[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_PATH, "O_PATH" }
	};
	size_t i;

	pn_buf_puts(b, (f & O_ACCMODE) == O_WRONLY ? ",\"flags\":\"O_WRONLY" :
	    (f & O_ACCMODE) == O_RDWR ? ",\"flags\":\"O_RDWR" : ",\"flags\":\"O_RDONLY");
	for (i = 0; i < PN_ARRAY_LEN(fl); i++)
		if ((f & fl[i].v) == fl[i].v)
			pn_buf_printf(b, "|%s", fl[i].n);
	if ((f & O_TMPFILE) == O_TMPFILE)
		pn_buf_puts(b, "|O_TMPFILE");
	pn_buf_putc(b, '"');
}

static int
writes(uint64_t f)
{
	return (f & O_ACCMODE) != O_RDONLY || (f & (O_CREAT | O_TRUNC)) != 0;
}

/* Socket type of the tracee's fd via pidfd_getfd; "" when unknown. */
static const char *
sock_proto(pid_t tgid, int fd, struct sockaddr_storage *name, socklen_t *nl)
{
	int pfd = (int)syscall(SYS_pidfd_open, tgid, 0), s, type = -1;
	socklen_t l = sizeof(type);

	if (pfd < 0)
		return "";
	s = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (s < 0)
		return "";
	if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &l) != 0)
		type = -1;
	if (name && getsockname(s, (struct sockaddr *)name, nl) != 0)
		*nl = 0;
	close(s);
	return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : type == SOCK_RAW ? "raw" :
	    type == SOCK_SEQPACKET ? "seqpacket" : "";
}

static void
sockaddr_json(struct pn_buf *b, const uint8_t *sa, size_t n)
{
	char ip[INET6_ADDRSTRLEN];
	uint16_t fam;

	if (n < 2)
		return;
	fam = (uint16_t)(sa[0] | sa[1] << 8);
	if (fam == AF_INET && n >= 8) {
		inet_ntop(AF_INET, sa + 4, ip, sizeof(ip));
		pn_buf_printf(b, ",\"family\":\"inet\",\"ip\":\"%s\",\"port\":%u", ip, pn_be16(sa + 2));
	} else if (fam == AF_INET6 && n >= 24) {
		inet_ntop(AF_INET6, sa + 8, ip, sizeof(ip));
		pn_buf_printf(b, ",\"family\":\"inet6\",\"ip\":\"%s\",\"port\":%u", ip, pn_be16(sa + 2));
	} else if (fam == AF_UNIX) {
		char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
		size_t l = n > 2 ? n - 2 : 0, i;

		if (l > sizeof(path) - 2)
			l = sizeof(path) - 2;
		if (l > 0 && sa[2] == 0) {
			path[0] = '@';
			for (i = 1; i < l; i++)
				path[i] = (char)(sa[2 + i] ? sa[2 + i] : '@');
			path[l] = '\0';
		} else {
			memcpy(path, sa + 2, l);
			path[l] = '\0';
		}
		pn_buf_puts(b, ",\"family\":\"unix\"");
		json_kv_str(b, "path", path);
	} else {
		pn_buf_printf(b, ",\"family\":%u", fam);
	}
}

static void
argv_json(struct pn_buf *b, pid_t pid, uint64_t addr, int compat, int keys_only)
{
	uint64_t ptrs[PN_SBX_MAX_ARGV];
	char arg[PN_SBX_MAX_ARG];
	int n = mem_ptrs(pid, addr, compat, ptrs, PN_SBX_MAX_ARGV), i;

	pn_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		int l = mem_str(pid, ptrs[i], arg, sizeof(arg));
		if (l < 0)
			l = 0;
		if (keys_only) {
			char *eq = memchr(arg, '=', (size_t)l);
			l = eq ? (int)(eq - arg) : l;
		}
		if (i)
			pn_buf_putc(b, ',');
		pn_buf_json_str(b, arg, (size_t)l);
	}
	pn_buf_putc(b, ']');
}

static const char *
ptrace_req_name(uint64_t r)
{
	switch (r) {
	case 0: return "PTRACE_TRACEME";
	case 1: return "PTRACE_PEEKTEXT";
	case 2: return "PTRACE_PEEKDATA";
	case 4: return "PTRACE_POKETEXT";
	case 5: return "PTRACE_POKEDATA";
	case 7: return "PTRACE_CONT";
	case 8: return "PTRACE_KILL";
	case 12: return "PTRACE_GETREGS";
	case 13: return "PTRACE_SETREGS";
	case 16: return "PTRACE_ATTACH";
	case 17: return "PTRACE_DETACH";
	case 0x4206: return "PTRACE_SEIZE";
	default: return NULL;
	}
}

static const char *
prctl_op_name(uint64_t op)
{
	switch (op) {
	case PR_SET_NAME: return "PR_SET_NAME";
	case PR_GET_NAME: return "PR_GET_NAME";
	case PR_SET_DUMPABLE: return "PR_SET_DUMPABLE";
	case PR_SET_PDEATHSIG: return "PR_SET_PDEATHSIG";
	case PR_SET_SECCOMP: return "PR_SET_SECCOMP";
	case PR_SET_NO_NEW_PRIVS: return "PR_SET_NO_NEW_PRIVS";
	case PR_SET_MM: return "PR_SET_MM";
	case PR_SET_PTRACER: return "PR_SET_PTRACER";
	case PR_SET_CHILD_SUBREAPER: return "PR_SET_CHILD_SUBREAPER";
	default: return NULL;
	}
}

/* Shorten a sleep over 1 s; returns requested seconds (or -1 when unreadable). */
static double
cap_sleep(struct tracer *tr, struct task *t, uint64_t addr, int clk, int abs, double *granted)
{
	uint8_t raw[16];
	int64_t sec, nsec;
	double req, now_s = 0;
	size_t sz = t->compat ? 8 : 16;
	struct timespec now;

	if (mem_read(t->tid, addr, raw, sz) != (ssize_t)sz)
		return -1;
	sec = t->compat ? (int32_t)pn_le32(raw) : (int64_t)pn_le64(raw);
	nsec = t->compat ? (int32_t)pn_le32(raw + 4) : (int64_t)pn_le64(raw + 8);
	req = (double)sec + (double)nsec / 1e9;
	*granted = req;
	if (abs) {
		if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
			return req;     /* other clocks are shifted by the time namespace */
		clock_gettime(clk, &now);
		now_s = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
		req -= now_s;
		*granted = req;
	}
	if (req <= 1.0)
		return req;
	*granted = 1.0;
	tr->x->sleeps_capped++;
	if (abs) {
		sec = now.tv_sec + 1;
		nsec = now.tv_nsec;
	} else {
		sec = 1;
		nsec = 0;
	}
	if (t->compat) {
		uint64_t w = (uint32_t)sec | (uint64_t)(uint32_t)nsec << 32;
		ptrace(PTRACE_POKEDATA, t->tid, (void *)(uintptr_t)addr, (void *)(uintptr_t)w);
	} else {
		ptrace(PTRACE_POKEDATA, t->tid, (void *)(uintptr_t)addr, (void *)(intptr_t)sec);
		ptrace(PTRACE_POKEDATA, t->tid, (void *)(uintptr_t)(addr + 8), (void *)(intptr_t)nsec);
	}
	return req;
}

/* Copy a file the sample wrote before it disappears. */
static void
save_before_unlink(struct tracer *tr, struct task *t, const char *path)
{
	struct open_how how;
	char root[64];
	int rfd, fd;

	if (sbx_written_find(tr->x, path) == NULL)
		return;
	snprintf(root, sizeof(root), "/proc/%d/root", (int)t->tid);
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return;
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
	fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	close(rfd);
	if (fd < 0)
		return;
	(void)sbx_drop_save(tr->x, fd, path, 1);
	close(fd);
}

/* Handle a seccomp stop; returns 1 to see the syscall's exit. */
static int
on_entry(struct tracer *tr, struct task *t, enum sc id, const uint64_t *a)
{
	char p1[PN_SBX_MAX_STR], p2[PN_SBX_MAX_STR];
	struct pn_buf *b = &t->ev;
	pid_t pid = t->tid;
	uint64_t flags = 0, mode = 0;
	int dfd = AT_FDCWD;

	if (id == SC_GETDENTS) {
		t->ndirscan++;
		return 0;
	}
	if (t->nev >= PN_SBX_MAX_EVENTS_PROC || tr->x->nevents >= PN_SBX_MAX_EVENTS) {
		/* Capped: still shorten sleeps, log nothing. */
		if (id == SC_NANOSLEEP || id == SC_CLOCK_NANOSLEEP) {
			double g;
			if (id == SC_NANOSLEEP)
				cap_sleep(tr, t, a[0], CLOCK_MONOTONIC, 0, &g);
			else
				cap_sleep(tr, t, a[2], (int)a[0], (a[1] & TIMER_ABSTIME) != 0, &g);
		}
		tr->x->events_capped++;
		return 0;
	}
	switch (id) {
	case SC_EXECVE:
	case SC_EXECVEAT:
		if (id == SC_EXECVE)
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
		else
			tracee_path(pid, (int)a[0], a[1], p1, sizeof(p1));
		read_comm(t);
		ev_task(tr, t, b, "exec");
		json_kv_str(b, "path", p1);
		pn_buf_puts(b, ",\"argv\":");
		argv_json(b, pid, id == SC_EXECVE ? a[1] : a[2], t->compat, 0);
		pn_buf_puts(b, ",\"envp_keys\":");
		argv_json(b, pid, id == SC_EXECVE ? a[2] : a[3], t->compat, 1);
		if (id == SC_EXECVEAT)
			pn_buf_printf(b, ",\"execveat\":true,\"at_flags\":%llu", (unsigned long long)a[4]);
		return 1;
	case SC_OPEN:
	case SC_CREAT:
	case SC_OPENAT:
	case SC_OPENAT2:
		if (id == SC_OPEN || id == SC_CREAT) {
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
			flags = id == SC_CREAT ? (O_CREAT | O_WRONLY | O_TRUNC) : a[1];
			mode = id == SC_CREAT ? a[1] : a[2];
		} else {
			dfd = (int)a[0];
			tracee_path(pid, dfd, a[1], p1, sizeof(p1));
			if (id == SC_OPENAT) {
				flags = a[2];
				mode = a[3];
			} else {
				uint8_t how[16];
				if (mem_read(pid, a[2], how, sizeof(how)) == (ssize_t)sizeof(how)) {
					flags = pn_le64(how);
					mode = pn_le64(how + 8);
				}
			}
		}
		ev_task(tr, t, b, "open");
		json_kv_str(b, "path", p1);
		open_flags(b, flags);
		if (flags & (O_CREAT | O_TMPFILE))
			pn_buf_printf(b, ",\"mode\":%llu", (unsigned long long)(mode & 07777));
		if (writes(flags)) {
			free(t->pend_path);
			t->pend_path = pn_xstrdup(p1);
			return 1;
		}
		ev_emit(tr, t, b);
		return 0;
	case SC_UNLINK:
	case SC_UNLINKAT:
		if (id == SC_UNLINK)
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
		else
			tracee_path(pid, (int)a[0], a[1], p1, sizeof(p1));
		ev_task(tr, t, b, "unlink");
		json_kv_str(b, "path", p1);
		if (id == SC_UNLINKAT && (a[2] & AT_REMOVEDIR))
			pn_buf_puts(b, ",\"dir\":true");
		else
			save_before_unlink(tr, t, p1);
		return 1;
	case SC_RENAME:
	case SC_RENAMEAT:
	case SC_RENAMEAT2:
	case SC_LINK:
	case SC_LINKAT:
	case SC_SYMLINK:
	case SC_SYMLINKAT:
		if (id == SC_RENAME || id == SC_LINK) {
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
			tracee_path(pid, AT_FDCWD, a[1], p2, sizeof(p2));
		} else if (id == SC_SYMLINK || id == SC_SYMLINKAT) {
			if (mem_str(pid, a[0], p1, sizeof(p1)) < 0)
				p1[0] = '\0';
			if (id == SC_SYMLINK)
				tracee_path(pid, AT_FDCWD, a[1], p2, sizeof(p2));
			else
				tracee_path(pid, (int)a[1], a[2], p2, sizeof(p2));
		} else {
			tracee_path(pid, (int)a[0], a[1], p1, sizeof(p1));
			tracee_path(pid, (int)a[2], a[3], p2, sizeof(p2));
		}
		ev_task(tr, t, b, id == SC_RENAME || id == SC_RENAMEAT || id == SC_RENAMEAT2 ?
		    "rename" : "link");
		json_kv_str(b, "from", p1);
		json_kv_str(b, "to", p2);
		if (id == SC_SYMLINK || id == SC_SYMLINKAT)
			pn_buf_puts(b, ",\"symlink\":true");
		free(t->pend_path);
		free(t->pend_from);
		t->pend_from = pn_xstrdup(p1);
		t->pend_path = pn_xstrdup(p2);
		return 1;
	case SC_CHMOD:
	case SC_FCHMOD:
	case SC_FCHMODAT:
		if (id == SC_CHMOD) {
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
			mode = a[1];
		} else if (id == SC_FCHMOD) {
			fd_path(pid, (int)a[0], p1, sizeof(p1));
			mode = a[1];
		} else {
			tracee_path(pid, (int)a[0], a[1], p1, sizeof(p1));
			mode = a[2];
		}
		ev_task(tr, t, b, "chmod");
		json_kv_str(b, "path", p1);
		pn_buf_printf(b, ",\"mode\":%llu,\"mode_oct\":\"%04llo\"",
		    (unsigned long long)(mode & 07777), (unsigned long long)(mode & 07777));
		return 1;
	case SC_MKDIR:
	case SC_MKDIRAT:
		if (id == SC_MKDIR)
			tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
		else
			tracee_path(pid, (int)a[0], a[1], p1, sizeof(p1));
		ev_task(tr, t, b, "mkdir");
		json_kv_str(b, "path", p1);
		pn_buf_printf(b, ",\"mode\":%llu", (unsigned long long)((id == SC_MKDIR ? a[1] : a[2]) & 07777));
		return 1;
	case SC_CONNECT:
	case SC_BIND:
	case SC_SENDTO: {
		uint8_t sa[128];
		uint64_t addr = id == SC_SENDTO ? a[4] : a[1], len = id == SC_SENDTO ? a[5] : a[2];
		ssize_t n = mem_read(pid, addr, sa, (size_t)PN_MIN(len, sizeof(sa)));
		const char *proto = sock_proto(t->tgid, (int)a[0], NULL, NULL);

		ev_task(tr, t, b, id == SC_CONNECT ? "connect" : id == SC_BIND ? "bind" : "send_udp");
		if (n >= 2 && sa[0] == AF_UNIX && sa[1] == 0)
			proto = "unix";
		if (proto[0])
			json_kv_str(b, "proto", proto);
		if (n > 0)
			sockaddr_json(b, sa, (size_t)n);
		if (id == SC_SENDTO) {
			pn_buf_printf(b, ",\"len\":%llu", (unsigned long long)a[2]);
			ev_emit(tr, t, b);
			return 0;
		}
		return 1;
	}
	case SC_SENDMSG: {
		uint8_t mh[56], sa[128], iov[16 * 16];
		size_t w = t->compat ? 4 : 8, i, niov;
		uint64_t name, namelen, iovp, total = 0;
		ssize_t n;

		if (mem_read(pid, a[1], mh, t->compat ? 28 : 56) <= 0)
			return 0;
		name = t->compat ? pn_le32(mh) : pn_le64(mh);
		namelen = t->compat ? pn_le32(mh + 4) : pn_le32(mh + 8);
		if (name == 0 || namelen == 0)
			return 0;
		iovp = t->compat ? pn_le32(mh + 8) : pn_le64(mh + 16);
		niov = (size_t)PN_MIN(t->compat ? pn_le32(mh + 12) : pn_le64(mh + 24), 16);
		n = mem_read(pid, iovp, iov, niov * 2 * w);
		for (i = 0; n > 0 && (i + 1) * 2 * w <= (size_t)n; i++)
			total += t->compat ? pn_le32(iov + i * 8 + 4) : pn_le64(iov + i * 16 + 8);
		n = mem_read(pid, name, sa, (size_t)PN_MIN(namelen, sizeof(sa)));
		ev_task(tr, t, b, "send_udp");
		json_kv_str(b, "proto", sock_proto(t->tgid, (int)a[0], NULL, NULL));
		if (n > 0)
			sockaddr_json(b, sa, (size_t)n);
		pn_buf_printf(b, ",\"len\":%llu", (unsigned long long)total);
		ev_emit(tr, t, b);
		return 0;
	}
	case SC_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		const char *proto = sock_proto(t->tgid, (int)a[0], &ss, &sl);

		ev_task(tr, t, b, "listen");
		if (proto[0])
			json_kv_str(b, "proto", proto);
		if (sl > 0)
			sockaddr_json(b, (const uint8_t *)&ss, sl);
		return 1;
	}
	case SC_MEMFD:
		if (mem_str(pid, a[0], p1, 256) < 0)
			p1[0] = '\0';
		ev_task(tr, t, b, "memfd");
		json_kv_str(b, "name", p1);
		pn_buf_printf(b, ",\"flags\":%llu", (unsigned long long)a[1]);
		return 1;
	case SC_PTRACE: {
		const char *rn = ptrace_req_name(a[0]);

		ev_task(tr, t, b, "ptrace");
		if (rn)
			json_kv_str(b, "req", rn);
		else
			pn_buf_printf(b, ",\"req\":%llu", (unsigned long long)a[0]);
		pn_buf_printf(b, ",\"target\":%d", (int)a[1]);
		/* Anti-debugging probe (SANDBOX.md §5.4): skip it and let it succeed. */
		if (a[0] == 0 && ptrace(PTRACE_POKEUSER, pid, (void *)offsetof(struct user_regs_struct,
		    orig_rax), (void *)-1L) == 0) {
			t->fake_ret = 1;
			pn_buf_puts(b, ",\"faked\":true");
		}
		return 1;
	}
	case SC_PRCTL: {
		const char *on = prctl_op_name(a[0]);

		if (a[0] == PR_GET_NAME)
			return 0;
		ev_task(tr, t, b, "prctl");
		if (on)
			json_kv_str(b, "op", on);
		else
			pn_buf_printf(b, ",\"op\":%llu", (unsigned long long)a[0]);
		if (a[0] == PR_SET_NAME) {
			if (mem_str(pid, a[1], p1, 16) < 0)
				p1[0] = '\0';
			json_kv_str(b, "arg", p1);
			pn_strlcpy(t->comm, p1, sizeof(t->comm));
		} else {
			pn_buf_printf(b, ",\"arg\":%llu", (unsigned long long)a[1]);
		}
		ev_emit(tr, t, b);
		return 0;
	}
	case SC_INIT_MODULE:
	case SC_FINIT_MODULE:
		ev_task(tr, t, b, "module_load");
		if (id == SC_INIT_MODULE) {
			json_kv_str(b, "syscall", "init_module");
			pn_buf_printf(b, ",\"len\":%llu", (unsigned long long)a[1]);
			if (mem_str(pid, a[2], p1, 1024) < 0)
				p1[0] = '\0';
		} else {
			json_kv_str(b, "syscall", "finit_module");
			fd_path(pid, (int)a[0], p2, sizeof(p2));
			json_kv_str(b, "path", p2);
			if (mem_str(pid, a[1], p1, 1024) < 0)
				p1[0] = '\0';
		}
		json_kv_str(b, "params", p1);
		return 1;
	case SC_DELETE_MODULE:
		if (mem_str(pid, a[0], p1, 256) < 0)
			p1[0] = '\0';
		ev_task(tr, t, b, "module_unload");
		json_kv_str(b, "name", p1);
		return 1;
	case SC_SETUID: case SC_SETGID: case SC_SETREUID: case SC_SETREGID:
	case SC_SETRESUID: case SC_SETRESGID: {
		static const char *const nm[] = { "setuid", "setgid", "setreuid", "setregid",
			"setresuid", "setresgid" };
		int na = id <= SC_SETGID ? 1 : id <= SC_SETREGID ? 2 : 3, i;

		ev_task(tr, t, b, "setid");
		json_kv_str(b, "syscall", nm[id - SC_SETUID]);
		pn_buf_puts(b, ",\"args\":[");
		for (i = 0; i < na; i++)
			pn_buf_printf(b, "%s%d", i ? "," : "", (int)a[i]);
		pn_buf_putc(b, ']');
		return 1;
	}
	case SC_NANOSLEEP:
	case SC_CLOCK_NANOSLEEP: {
		double g = 0, r;

		if (id == SC_NANOSLEEP)
			r = cap_sleep(tr, t, a[0], CLOCK_MONOTONIC, 0, &g);
		else
			r = cap_sleep(tr, t, a[2], (int)a[0], (a[1] & TIMER_ABSTIME) != 0, &g);
		if (r < 0)
			return 0;
		ev_task(tr, t, b, "sleep");
		pn_buf_printf(b, ",\"req\":%.3f,\"granted\":%.3f", r, g);
		ev_emit(tr, t, b);
		return 0;
	}
	case SC_FLOCK:
		fd_path(pid, (int)a[0], p1, sizeof(p1));
		ev_task(tr, t, b, "lock");
		json_kv_str(b, "path", p1);
		json_kv_str(b, "op", (a[1] & LOCK_UN) ? "LOCK_UN" : (a[1] & LOCK_EX) ? "LOCK_EX" : "LOCK_SH");
		if (a[1] & LOCK_NB)
			pn_buf_puts(b, ",\"nb\":true");
		ev_emit(tr, t, b);
		return 0;
	case SC_KILL:
	case SC_TGKILL:
		ev_task(tr, t, b, "kill");
		pn_buf_printf(b, ",\"target\":%d,\"sig\":%d", (int)a[0],
		    (int)(id == SC_KILL ? a[1] : a[2]));
		if (id == SC_TGKILL)
			pn_buf_printf(b, ",\"target_tid\":%d", (int)a[1]);
		return 1;
	case SC_UNAME:
	case SC_SYSINFO:
		ev_task(tr, t, b, id == SC_UNAME ? "uname" : "sysinfo");
		ev_emit(tr, t, b);
		return 0;
	case SC_CHROOT:
		tracee_path(pid, AT_FDCWD, a[0], p1, sizeof(p1));
		ev_task(tr, t, b, "chroot");
		json_kv_str(b, "path", p1);
		return 1;
	default:
		return 0;
	}
}

static void
on_exit_stop(struct tracer *tr, struct task *t, int64_t ret)
{
	struct pn_buf *b = &t->ev;
	enum sc id = t->pend;

	t->pend = SC_NONE;
	if (b->p == NULL)
		return;
	if (id >= SC_OPEN && id <= SC_CREAT && ret >= 0)
		pn_buf_printf(b, ",\"fd\":%lld", (long long)ret);
	pn_buf_printf(b, ",\"ret\":%lld", (long long)ret);
	if (ret >= 0 && t->pend_path) {
		if (id >= SC_OPEN && id <= SC_CREAT)
			sbx_written_add(tr->x, t->pend_path, t->nspid);
		else if (t->pend_from && sbx_written_find(tr->x, t->pend_from))
			sbx_written_add(tr->x, t->pend_path, t->nspid);
	}
	free(t->pend_path);
	free(t->pend_from);
	t->pend_path = t->pend_from = NULL;
	ev_emit(tr, t, b);
}

/* ------------------------------------------------------------ loop */

static volatile sig_atomic_t alarm_hit;

static void
on_alarm(int sig)
{
	(void)sig;
	alarm_hit = 1;
}

static void
arm(int64_t ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (ms < 1)
		ms = 1;
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
on_seccomp(struct tracer *tr, struct task *t)
{
	struct __ptrace_syscall_info si;
	long n;
	int want = 0;

	n = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si);
	if (n > 0 && si.op == PTRACE_SYSCALL_INFO_SECCOMP && !t->is_init) {
		enum sc id = (enum sc)si.seccomp.ret_data;

		t->compat = si.arch == AUDIT_ARCH_I386;
		pn_buf_release(&t->ev);
		if (id > SC_NONE && id < SC_MAX)
			want = on_entry(tr, t, id, si.seccomp.args);
		t->pend = want ? id : SC_NONE;
		if (!want)
			pn_buf_release(&t->ev);
	}
	ptrace(want ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, NULL, NULL);
}

static void
on_sysexit(struct tracer *tr, struct task *t)
{
	struct __ptrace_syscall_info si;

	if (t->fake_ret) {
		ptrace(PTRACE_POKEUSER, t->tid, (void *)offsetof(struct user_regs_struct, rax), NULL);
		t->fake_ret = 0;
		if (t->pend != SC_NONE)
			on_exit_stop(tr, t, 0);
	} else if (t->pend != SC_NONE &&
	    ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si) > 0 &&
	    si.op == PTRACE_SYSCALL_INFO_EXIT) {
		on_exit_stop(tr, t, si.exit.rval);
	}
	t->pend = SC_NONE;
	ptrace(PTRACE_CONT, t->tid, NULL, NULL);
}

static void
on_exec(struct tracer *tr, struct task *t)
{
	unsigned long former = 0;
	struct task *f;

	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &former);
	f = (pid_t)former != t->tid ? task_find(tr, (pid_t)former) : t;
	if (f && f != t && f->ev.p) {
		/* A thread exec'd: its pending event moves to the leader. */
		pn_buf_release(&t->ev);
		t->ev = f->ev;
		memset(&f->ev, 0, sizeof(f->ev));
		t->pend = f->pend;
		task_free(f);
	}
	read_comm(t);
	if (t->pend == SC_EXECVE || t->pend == SC_EXECVEAT)
		on_exit_stop(tr, t, 0);
	t->pend = SC_NONE;
	ptrace(PTRACE_CONT, t->tid, NULL, NULL);
}

static void
on_fork(struct tracer *tr, struct task *t, int event)
{
	unsigned long child = 0;
	struct task *c;
	struct pn_buf b;

	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &child);
	c = child ? task_get(tr, (pid_t)child) : NULL;
	if (c && t->is_init && tr->x->main_pid == 0)
		tr->x->main_pid = c->tid;
	if (c && !t->is_init && t->nev < PN_SBX_MAX_EVENTS_PROC) {
		ev_task(tr, t, &b, "proc_fork");
		pn_buf_printf(&b, ",\"child\":%d,\"thread\":%s", c->tgid == t->tgid ? c->nstid : c->nspid,
		    event == PTRACE_EVENT_CLONE && c->tgid == t->tgid ? "true" : "false");
		ev_emit(tr, t, &b);
	}
	ptrace(PTRACE_CONT, t->tid, NULL, NULL);
}

static void
on_gone(struct tracer *tr, pid_t pid, int st)
{
	struct task *t = task_find(tr, pid);
	struct pn_buf b;

	if (pid == tr->x->main_pid && !tr->x->main_seen) {
		tr->x->main_status = st;
		tr->x->main_seen = 1;
	}
	if (t == NULL)
		return;
	if (!t->is_init && t->ndirscan > 0) {
		ev_task(tr, t, &b, "dirscan");
		pn_buf_printf(&b, ",\"count\":%u", t->ndirscan);
		sbx_ev_write(tr->x, &b);
	}
	if (!t->is_init && t->tid == t->tgid) {
		ev_task(tr, t, &b, "exit");
		if (WIFEXITED(st))
			pn_buf_printf(&b, ",\"code\":%d", WEXITSTATUS(st));
		else
			pn_buf_printf(&b, ",\"signal\":%d", WTERMSIG(st));
		sbx_ev_write(tr->x, &b);
	}
	task_free(t);
}

static void
on_stop(struct tracer *tr, pid_t pid, int st)
{
	struct task *t = task_get(tr, pid);
	int sig = WSTOPSIG(st), ev = (unsigned)st >> 16;

	if (t == NULL) {
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		on_sysexit(tr, t);
		return;
	}
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp(tr, t);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_fork(tr, t, ev);
		return;
	case PTRACE_EVENT_EXEC:
		on_exec(tr, t);
		return;
	case PTRACE_EVENT_STOP:
		ptrace(PTRACE_CONT, pid, NULL, NULL);   /* initial or group stop: run on */
		return;
	case 0:
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);   /* deliver the signal */
		return;
	default:
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		return;
	}
}

void
sbx_trace_loop(struct sbx_ctx *x)
{
	struct tracer tr;
	struct sigaction sa, old;
	struct timespec ts;
	int64_t deadline, now;
	int st, killed = 0;
	pid_t pid;

	memset(&tr, 0, sizeof(tr));
	tr.x = x;
	tr.tasks = pn_xcalloc(PN_SBX_MAX_TASKS, sizeof(*tr.tasks));
	if (x->t0_ns == 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x->t0_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;   /* no SA_RESTART: waitpid returns EINTR */
	sigaction(SIGALRM, &sa, &old);
	deadline = pn_mono_ms() + x->o->timeout_ms;
	(void)task_get(&tr, x->init_pid);
	for (;;) {
		now = pn_mono_ms();
		if (!killed && now >= deadline) {
			x->timed_out = 1;
			kill(x->init_pid, SIGKILL);
			killed = 1;
		}
		arm(killed ? 100 : deadline - now);
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			on_gone(&tr, pid, st);
			if (pid == x->init_pid)
				break;
		} else if (WIFSTOPPED(st)) {
			on_stop(&tr, pid, st);
		}
	}
	{
		struct itimerval it;
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
	}
	sigaction(SIGALRM, &old, NULL);
	/* Reap any straggler the kernel still reports. */
	while ((pid = waitpid(-1, &st, __WALL | WNOHANG)) > 0)
		if (WIFEXITED(st) || WIFSIGNALED(st))
			on_gone(&tr, pid, st);
	x->init_done = 1;
	{
		size_t i;
		for (i = 0; i < PN_SBX_MAX_TASKS; i++)
			if (tr.tasks[i].tid > 0)
				task_free(&tr.tasks[i]);
	}
	free(tr.tasks);
}
