/*
 * sbx_int.h - internals shared by the sandbox runner (run.c), the tracer
 * (trace.c) and the fake network (fakenet.c); not a public API.
 *
 * All state lives in one struct sbx_ctx owned by the supervisor process
 * that pn_sandbox_run() forks; the fakenet process gets a copy at fork.
 * Limits below are the named caps of the sandbox (events, strings read
 * from tracees, dropped files, connections).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SBX_INT_H
#define PN_SBX_INT_H

#include "pn.h"
#include "buf.h"
#include "sandbox.h"

#include <limits.h>
#include <sys/types.h>

#define PN_SBX_MAX_EVENTS        20000      /* tracer events written per run */
#define PN_SBX_MAX_EVENTS_PROC   5000       /* tracer events per process */
#define PN_SBX_MAX_NET_EVENTS    2000       /* fakenet events per run */
#define PN_SBX_MAX_LINE          65536      /* one events.jsonl line */
#define PN_SBX_MAX_EV_BYTES      (32u << 20) /* events.jsonl bytes per writer */
#define PN_SBX_MAX_STR           4096       /* a path or string read from a tracee */
#define PN_SBX_MAX_ARGV          64         /* argv/envp entries kept per exec */
#define PN_SBX_MAX_ARG           1024       /* bytes kept per argv entry */
#define PN_SBX_MAX_TASKS         4096       /* tasks the tracer tracks */
#define PN_SBX_MAX_WRITTEN       1024       /* paths remembered as written */
#define PN_SBX_MAX_DROPPED       64         /* files copied to dropped/ */
#define PN_SBX_MAX_DROPPED_FILE  (16u << 20) /* bytes per dropped file */
#define PN_SBX_MAX_OUTPUT        65536      /* stdout / stderr kept */
#define PN_SBX_MAX_CONNS         64         /* fakenet TCP connections at once */
#define PN_SBX_MAX_CONN_TOTAL    512        /* fakenet TCP connections per run */
#define PN_SBX_MAX_CONN_BYTES    16384      /* bytes kept per connection */
#define PN_SBX_MAX_RAW_B64       256        /* raw first bytes logged */
#define PN_SBX_CATCHALL_PORT     65080      /* nft redirect target inside the netns */
#define PN_SBX_NAME_MAX          64         /* sample file name inside */
#define PN_SBX_SUPERVISOR_GRACE_MS 60000    /* supervisor hang guard past the timeout */
#define PN_SBX_WINE_MAX_LOG      (64u << 20) /* Wine debug log (stderr) kept per run */
#define PN_SBX_WINE_MAX_PIDS     256        /* Windows processes followed per run */
#define PN_SBX_WINE_MAX_UNIMPL   64         /* unimplemented/stub functions listed */
#define PN_SBX_WINE_MAX_API      64         /* api events per (process, function) */
#define PN_SBX_WINE_MAX_REG      (32u << 20) /* bytes of one .reg hive read */
#define PN_SBX_WINE_MAX_ARGS     16         /* relay arguments parsed per call */
#define PN_SBX_WINE_GRACE_MS     3000       /* kept for wineserver -k before the deadline */

struct sbx_written {
	char *path;       /* absolute path inside the sandbox */
	int pid;          /* namespace pid of the last writer */
};

struct sbx_dropped {
	char *path;
	char sha256[65];
	uint64_t size;
	int deleted;      /* copied at unlink */
};

/* The Windows runner (wine.c): set by pn_sandbox_run_wine, NULL for Linux runs. */
struct sbx_wine {
	char prefix[PATH_MAX];  /* golden prefix, host path (read-only lower layer) */
	char bindir[PATH_MAX];  /* holds wine64, wine, wineserver */
	char version[128];      /* `wine64 --version`, e.g. "wine-8.0 (Debian 8.0~repack-4)" */
	int bits;               /* 32 or 64: the sample's PE flavour */
	int dll;                /* a DLL: run through rundll32 DLL,#1 */
	int script;             /* JScript/VBScript: run through wscript.exe */
	int baseline;           /* preparation runs: 1 settle the hives, 2/3 learn noise (new/append) */
};

struct sbx_ctx {
	const struct pn_sandbox_opts *o;
	const struct sbx_wine *wine;  /* Windows runner, or NULL */
	char wine_end[256];     /* how the Windows sample ended (launcher's word) */
	int64_t wine_start_ms;  /* CLOCK_MONOTONIC ms when the launcher started the sample */
	char *unimpl[PN_SBX_WINE_MAX_UNIMPL];  /* unimplemented/stub functions hit */
	size_t nunimpl;
	unsigned wine_fixmes;   /* fixme: lines of the sample's processes */
	int untraced;           /* benchmark mode: no seccomp filter, no events */
	int outfd;              /* outdir */
	int evfd;               /* events.jsonl, O_APPEND, one write per line */
	int64_t t0_ns;          /* CLOCK_MONOTONIC when the sample was started */
	pid_t init_pid;         /* host pid of the sandbox init (pid 1 inside) */
	pid_t main_pid;         /* host pid of the sample's first process */
	int main_status;        /* its wait status */
	int main_seen;
	int init_done;          /* init has exited: the run is over */
	int timed_out;
	int stage_fd;           /* the writable tmpfs (O_PATH dir), or -1 */
	int net_ports_only;     /* fakenet without nft: common ports only */
	char name[PN_SBX_NAME_MAX + 1];  /* sample file name inside /tmp */
	char sample_sha[65];
	unsigned nevents, events_capped;
	uint64_t evbytes;       /* bytes written to events.jsonl by this process */
	unsigned sleeps_capped;
	struct sbx_written written[PN_SBX_MAX_WRITTEN];
	size_t nwritten;
	struct sbx_dropped dropped[PN_SBX_MAX_DROPPED];
	size_t ndropped;
	uint64_t dropped_bytes;
};

/* The extended entry point (tests and the benchmark use untraced). */
struct pn_sbx_xopts {
	int untraced;
};
int pn_sbx_run_ex(const struct pn_sandbox_opts *o, const struct pn_sbx_xopts *xo,
    const char *sample, const char *name, const char *outdir, char *err, size_t errlen);
/* The same with the Windows runner (wine non-NULL: a PE under Wine, untraced by ptrace). */
int sbx_run(const struct pn_sandbox_opts *o, const struct pn_sbx_xopts *xo,
    const struct sbx_wine *wine, const char *sample, const char *name, const char *outdir,
    char *err, size_t errlen);

/* ---- trace.c */
/* Seconds since t0 for the "t" field. */
double sbx_time(const struct sbx_ctx *x);
/* Start an event line: {"t":..,"ev":"<ev>" (pid fields added by the caller). */
void sbx_ev_start(const struct sbx_ctx *x, struct pn_buf *b, const char *ev);
/* Close the object, append '\n' and write it in one write(2); counts caps. */
void sbx_ev_write(struct sbx_ctx *x, struct pn_buf *b);
/* Build and load the seccomp filter in the sample process (before exec). */
int sbx_seccomp_load(int traced);
/* Trace until the sandbox init exits; kills everything at the deadline. */
void sbx_trace_loop(struct sbx_ctx *x);

/* ---- run.c */
/* Copy fd (a regular file) into outdir/dropped/<sha256> and list it. */
int sbx_drop_save(struct sbx_ctx *x, int fd, const char *path, int deleted);
/* Remember a path written by the sample (namespace pid). */
void sbx_written_add(struct sbx_ctx *x, const char *path, int pid);
struct sbx_written *sbx_written_find(struct sbx_ctx *x, const char *path);

/* ---- wine.c (the Windows runner, SANDBOX.md §7) */
/* In init, before pivot_root: mount the prefix overlay; -1 with errno on failure. */
/* wine_log.c: a quoted (L"...") string of a Wine log line, unescaped; NULL if none. */
const char *sbx_wine_wstr(const char *s, const char *end, char *out, size_t cap);
/* wine_reg.c: qsort/bsearch comparison of char * elements. */
int sbx_strp_cmp(const void *a, const void *b);

int sbx_wine_mount(const struct sbx_ctx *x, const char *stage, int prefix_fd, char *path,
    size_t cap);
/* In the confined sample process: start Wine, run the sample, stop Wine; never returns. */
void sbx_wine_exec(const struct sbx_ctx *x, int sp) __attribute__((noreturn));
/* In the supervisor after the run: wine.log, hive and overlay diffs → events. */
void sbx_wine_collect(struct sbx_ctx *x);
/* Extra run.json members (leading comma included). */
void sbx_wine_run_json(const struct sbx_ctx *x, struct pn_buf *b);

/* Parsers of untrusted bytes (the log and hives are the sample's to shape). */
struct sbx_wlog;
typedef void (*sbx_wlog_emit)(void *ctx, double t, const char *line, size_t len);
/*
 * Parse a Wine debug log: the process that loads module sample_win is the
 * root (root_cmd its command line, NULL: the quoted path), its descendants
 * are followed; emit gets one events.jsonl object per event ("t" from t_base).
 */
void sbx_wine_parse_log(const char *log, size_t len, const char *sample_win, const char *root_cmd,
    double t_base, sbx_wlog_emit emit, void *ctx);
/* Diff two hives (template, run) of root name root ("HKEY_LOCAL_MACHINE"); emit events. */
/* noise: sorted "KEY" / "KEY\tVALUE" entries to leave out (may be NULL). */
void sbx_wine_reg_diff(const char *a, size_t alen, const char *b, size_t blen, const char *root,
    char *const *noise, size_t nnoise, sbx_wlog_emit emit, void *ctx);

/* ---- fakenet.c */
/*
 * Fork the fakenet process: it joins netns_fd, brings lo up, routes every
 * address to lo, installs the nft redirect, listens (DNS 53/udp, the TCP
 * catch-all) and drains the sample's stdout/stderr pipes into outdir.
 * Returns its pid once it is ready, or -1 with err set.
 */
pid_t sbx_fakenet_start(struct sbx_ctx *x, int netns_fd, int out_rd, int err_rd,
    char *err, size_t errlen);
/* Ask it to flush and exit, and reap it. */
void sbx_fakenet_stop(pid_t pid);

/* Parsers of untrusted bytes (unit tests and fuzz targets use them). */
#define PN_SBX_DNS_NAME_MAX 255
/* Question of a DNS query: name (dotted, lower-case), type; *qend = offset after it. */
int sbx_dns_parse_query(const uint8_t *p, size_t n, char *name, size_t cap,
    uint16_t *qtype, size_t *qend);
/* Reply to query p[0..qend) into out (cap bytes); A gets `a`, *.invalid NXDOMAIN. */
size_t sbx_dns_build_reply(const uint8_t *p, size_t qend, const char *name, uint16_t qtype,
    uint32_t a_be, uint8_t *out, size_t cap);

struct sbx_http_req {
	char method[16];
	char target[2048];
	char host[256];
	char version[16];
	size_t nhdr;
	struct { char name[64]; char value[512]; } hdr[32];
	size_t head_len;        /* bytes up to and including the blank line */
};
/* PN_OK (complete head), PN_EAGAIN (need more), PN_EFORMAT (not HTTP). */
int sbx_http_parse(const uint8_t *p, size_t n, struct sbx_http_req *r);
/* True when p starts like an HTTP/1.x request line. */
int sbx_http_looks(const uint8_t *p, size_t n);
/* SNI of a TLS ClientHello record: PN_OK, PN_EAGAIN, PN_ENOTFOUND (no SNI), PN_EFORMAT. */
int sbx_tls_sni(const uint8_t *p, size_t n, char *sni, size_t cap);

#endif
