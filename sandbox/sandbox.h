/*
 * sandbox.h - the Linux behaviour sandbox ("Linux Tracer", SANDBOX.md §5):
 * run one sample in fresh user/pid/net/mount/uts/ipc/cgroup/time
 * namespaces over a read-only copy of the host's /usr, /etc and /lib*
 * with a size-capped writable layer, under cgroup limits and rlimits,
 * traced by a seccomp RET_TRACE filter plus ptrace, with a fake network
 * (DNS, HTTP, TLS SNI, raw first bytes) inside its network namespace.
 *
 * Ownership: pn_sandbox_run() forks a supervisor process that builds the
 * sandbox, traces it and writes every output file; it returns when the
 * supervisor is gone, so the caller keeps no child, signal handler or fd.
 * Limits: opts (sandbox.* in docs/CONFIG.md) plus the named caps in
 * sbx_int.h (events, dropped files, stdout/stderr size).
 * Errors: PN_OK when the run happened (whatever the sample did); PN_EPERM
 * when the host lacks a needed feature (the sandbox never runs
 * unprotected); PN_EINVAL for bad options/paths; PN_EIO/PN_EINTERNAL for
 * set-up failures.  err gets the reason.
 * See docs/internals/sandbox.md and tests/unit/test_sandbox.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SANDBOX_H
#define PN_SANDBOX_H

#include "pn.h"
#include "conf.h"

extern const struct pn_conf_opt pn_conf_sandbox[];

/* The resolver the sample's /etc/resolv.conf names (answered by the fake DNS). */
#define PN_SANDBOX_DNS "10.0.2.3"

struct pn_sandbox_opts {            /* filled from conf by pn_sandbox_opts_from_conf */
	int timeout_ms;               /* wall clock, default 10000 (sandbox.timeout) */
	uint64_t memory_max;          /* cgroup memory limit, default 256 MiB (sandbox.memory) */
	int pids_max;                 /* default 64 (sandbox.pids) */
	int cpu_percent;              /* default 100 (sandbox.cpu_percent) */
	uint64_t write_max;           /* overlay writable layer cap, default 64 MiB (sandbox.disk) */
	const char *sinkhole_v4;      /* default "198.51.100.1" (sandbox.sinkhole) */
	const char *hostname;         /* (sandbox.hostname) */
	/* The Windows runner (pn_sandbox_run_wine; docs/internals/sandbox-wine.md). */
	const char *wine_dir;         /* golden prefix cache dir (sandbox.wine_dir) */
	const char *wine_bin;         /* dir of wine64/wine/wineserver (sandbox.wine_bin) */
	int wine_timeout_ms;          /* default 30000 (sandbox.wine_timeout) */
	uint64_t wine_memory;         /* default 1 GiB (sandbox.wine_memory) */
	int wine_pids;                /* default 512 (sandbox.wine_pids) */
};

/* Fill o from c (strings borrowed from c); PN_EINVAL when a value is out of range. */
int pn_sandbox_opts_from_conf(const struct pn_conf *c, struct pn_sandbox_opts *o);

/*
 * Can this kernel/host run the sandbox?  PN_OK, or an error with the reason
 * in why (e.g. "user namespaces disabled", "cannot create cgroup"): the
 * sandbox then reports itself unavailable instead of running unprotected.
 */
int pn_sandbox_available(char *why, size_t cap);

/*
 * Run `sample` (ELF, or a script with #! - sh/bash, python3, perl) inside
 * the sandbox as /tmp/<name> with argv[0] = name (the submitted name, may be
 * NULL: "sample").  Writes into outdir (must exist, empty):
 *   events.jsonl     one event per line (SANDBOX.md §5.5; fakenet events too)
 *   dropped/<sha256> files the sample wrote that still exist, or that it
 *                    wrote and then deleted (copied at unlink), capped
 *   run.json         {"exit_code","signal","timed_out","limits_hit":[...],
 *                     "duration_ms","start_time","sandbox_name":"Linux Tracer",
 *                     "dropped":[{"path","sha256","size"}], ...}
 *   stdout, stderr   the sample's output, truncated to 64 KiB
 * Returns PN_OK when the run happened, an error only when the sandbox could
 * not be built (reason in err).
 */
int pn_sandbox_run(const struct pn_sandbox_opts *o, const char *sample, const char *name,
    const char *outdir, char *err, size_t errlen);

/*
 * The Windows runner ("Panoptes Wine Tracer", SANDBOX.md §7): run a PE32 or
 * PE32+ executable under Wine inside the same sandbox (namespaces, cgroups,
 * seccomp deny-list, fake network), on a copy-on-write overlay over a golden
 * Wine prefix prepared once under o->wine_dir.  Same outputs as
 * pn_sandbox_run (events.jsonl with Windows events: exec, module_load,
 * reg_set/reg_delete/reg_open, mutex, service, api, open/unlink, connect,
 * unimplemented; run.json with "sandbox_name":"Panoptes Wine Tracer",
 * "environment", "unimplemented", "ended"; dropped/ with Windows paths)
 * plus wine.log (Wine's debug channels; the sample's stderr is in it).
 * PN_EPERM when Wine (or 32-bit Wine for a PE32) is missing: err says why.
 */
int pn_sandbox_run_wine(const struct pn_sandbox_opts *o, const char *sample, const char *name,
    const char *outdir, char *err, size_t errlen);

/* Can this host run `bits` (32 or 64) PE files under Wine?  PN_OK or PN_EPERM + why. */
int pn_sandbox_wine_available(const struct pn_sandbox_opts *o, int bits, char *why, size_t cap);

/*
 * Prepare the golden prefix under o->wine_dir if it is not there yet
 * (locked; idempotent): wineboot --init without Mono/Gecko, Z: and host
 * links removed, relay filter set.  *path (may be NULL) gets its location.
 */
int pn_sandbox_wine_prepare(const struct pn_sandbox_opts *o, char *path, size_t cap, char *err,
    size_t errlen);

/* 32 or 64 when the file is a PE executable or DLL (i386 / x86-64), else 0. */
int pn_sandbox_pe_bits(const char *path);

/* True when name ends in .js/.jse/.vbs/.vbe/.wsf: the Windows runner runs it with wscript. */
int pn_sandbox_wine_script(const char *name);

#endif
