/*
 * confine.c - resource limits + PR_SET_NO_NEW_PRIVS + seccomp for scan
 * children (see confine.h).
 *
 * The filter is a deny-list: engines such as libclamav open and write
 * temporary files while unpacking, so an allow-list would have to admit
 * open/write anyway.  What a parser exploit would need next - exec, a
 * socket, ptrace, namespaces, module loading, BPF - returns EPERM.
 * External engines (engine.h PN_ENGINE_NEEDS_NET / _EXEC) keep sockets or
 * exec, and nothing else.
 * An allow-list per engine is future work (docs/ARCHITECTURE.md).
 *
 * SPDX-License-Identifier: MIT
 */
#include "confine.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>

/* Always refused. */
static const int denied[] = {
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_writev), SCMP_SYS(process_vm_readv),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
	SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(bpf),
	SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(setuid), SCMP_SYS(setgid),
	SCMP_SYS(setreuid), SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
	SCMP_SYS(setgroups), SCMP_SYS(userfaultfd), SCMP_SYS(io_uring_setup),
	SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
};

/*
 * Refused unless the child talks to the network (clamd, ICAP, the URL
 * fetcher, DNS and WHOIS lookups): it connects, never serves.  libcurl's
 * resolver thread wakes its caller through a socketpair.
 */
static const int denied_net[] = {
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
	SCMP_SYS(socketpair),
};

/* Refused unless the engine runs a command. */
static const int denied_exec[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(kill), SCMP_SYS(tkill),
};

static int
set_limit(int res, uint64_t v)
{
	struct rlimit rl = { (rlim_t)v, (rlim_t)v };
	return setrlimit(res, &rl) == 0 ? PN_OK : PN_EIO;
}

static int
deny(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[i], 0);
	return rc;
}

static int
install_filter(const struct pn_confine *c)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (ctx == NULL)
		return PN_EINTERNAL;
	rc = deny(ctx, denied, PN_ARRAY_LEN(denied));
	if (rc == 0 && !c->allow_net)
		rc = deny(ctx, denied_net, PN_ARRAY_LEN(denied_net));
	if (rc == 0 && !c->allow_exec) {
		rc = deny(ctx, denied_exec, PN_ARRAY_LEN(denied_exec));
		/* clone() that makes a new process (not a thread) is refused too. */
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, 0x00010000 /* CLONE_THREAD */, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc == 0 ? PN_OK : PN_EINTERNAL;
}

int
pn_confine_self(const struct pn_confine *c)
{
	if (set_limit(RLIMIT_CORE, 0) != PN_OK)
		return PN_EIO;
	if (c->memory_limit && set_limit(RLIMIT_AS, c->memory_limit) != PN_OK)
		return PN_EIO;
	if (c->cpu_seconds > 0 && set_limit(RLIMIT_CPU, (uint64_t)c->cpu_seconds) != PN_OK)
		return PN_EIO;
	if (c->file_size && set_limit(RLIMIT_FSIZE, c->file_size) != PN_OK)
		return PN_EIO;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return PN_EIO;
	if (c->seccomp)
		return install_filter(c);
	return PN_OK;
}
