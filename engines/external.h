/*
 * external.h - what the adapters that talk to programs outside Panoptes
 * share: addresses, sockets with deadlines, labels cleaned for reports,
 * and the version strings of ClamAV-style daemons.
 *
 * Used by engines/clamd.c (clamd INSTREAM), engines/icap.c (ICAP RESPMOD)
 * and engines/cmdline.c (a command per file).  All I/O takes an absolute
 * deadline in pn_mono_ms() milliseconds; nothing blocks past it.
 *
 * Ownership: a pn_ext_addr is a plain value (no heap); labels returned by
 * pn_ext_label() are new strings, caller frees.
 * Limits: PN_EXT_MAX_LABEL bytes per label, PN_EXT_CONNECT_MS per connect
 * (bounded by the caller's deadline).
 * Errors: PN_EINVAL (bad address text), PN_EIO (errno kept), PN_ETIMEOUT
 * (deadline passed), PN_EFORMAT (peer closed early).
 * See also: docs/internals/external-engines.md, tests/unit/test_external.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_EXTERNAL_H
#define PN_EXTERNAL_H

#include "pn.h"
#include "yara_engine.h"     /* struct pn_engine_instance, pn_engine_instances_fn */

#include <sys/socket.h>

#define PN_EXT_MAX_LABEL     256     /* bytes of a detection name kept */
#define PN_EXT_CONNECT_MS    5000    /* most time one connect may take */
#define PN_EXT_MAX_ADDR      512     /* address text ("unix:/path", "tcp:h:p") */

struct pn_ext_addr {
	struct sockaddr_storage sa;      /* resolved once, at init */
	socklen_t salen;
	char text[PN_EXT_MAX_ADDR];      /* as configured, for messages */
};

/*
 * Parse "unix:/path", "tcp:HOST:PORT", "tcp:[V6]:PORT" or "HOST:PORT"
 * (tcp) into a.  HOST may be a name: it is resolved here (getaddrinfo,
 * first result), never at scan time.  def_port is used when ":PORT" is
 * absent (0 = required).  Returns PN_OK, or PN_EINVAL with err set.
 */
int pn_ext_addr_parse(const char *spec, int def_port, struct pn_ext_addr *a,
    char *err, size_t errlen);

/* A deadline timeout_s * pct / 100 seconds from now (at least 1 s). */
int64_t pn_ext_deadline(int timeout_s, int pct);

/*
 * Connect to a within min(deadline, now + PN_EXT_CONNECT_MS).  On PN_OK
 * *fd is a connected non-blocking, close-on-exec socket; caller closes.
 * Returns PN_OK, PN_EIO or PN_ETIMEOUT.
 */
int pn_ext_connect(const struct pn_ext_addr *a, int64_t deadline, int *fd);

/* Send all n bytes (MSG_NOSIGNAL).  PN_OK, PN_EIO (EPIPE...) or PN_ETIMEOUT. */
int pn_ext_send(int fd, const void *p, size_t n, int64_t deadline);

/*
 * Receive up to n bytes (at least 1) into p; *got = bytes read, 0 at EOF.
 * Returns PN_OK, PN_EIO or PN_ETIMEOUT.
 */
int pn_ext_recv(int fd, void *p, size_t n, int64_t deadline, size_t *got);

/*
 * A label fit for a report: valid UTF-8, control characters replaced by
 * spaces, leading/trailing spaces trimmed, at most PN_EXT_MAX_LABEL bytes
 * (cut at a character boundary).  Returns a new string, or NULL when
 * nothing is left; caller frees.
 */
char *pn_ext_label(const char *s, size_t n);

/*
 * Split a ClamAV version string "ClamAV 1.4.6/27000/Mon Dec  1 09:26:53 2025"
 * into ver ("1.4.6/27000") and upd ("20251201", UTC date of the database);
 * "ClamAV 1.4.6" gives ver "1.4.6" and upd "".  Other text is copied to
 * ver as it is (trimmed, first line).  Returns PN_OK.
 */
int pn_ext_clamav_version(const char *s, char *ver, size_t verlen, char *upd, size_t updlen);

/*
 * ASCII case-insensitive comparisons (protocol headers, CSV column
 * names): locale-independent, and no <strings.h>, which -Iparsers would
 * resolve to parsers/strings.h.
 */
int pn_ext_strcasecmp(const char *a, const char *b);
int pn_ext_strncasecmp(const char *a, const char *b, size_t n);

/* "YYYYMMDD" (UTC) of t into out, "" when t <= 0. */
void pn_ext_date(int64_t t, char *out, size_t len);

/*
 * One engine instance named by the option name_key (e.g. "clamd.name"),
 * or prefix when that is empty; for the rows of engines.c (yara_engine.h
 * explains instances).  *out is a new array of one; PN_OK.
 */
int pn_ext_one_instance(const struct pn_conf *conf, const char *name_key, const char *prefix,
    struct pn_engine_instance **out, size_t *n);

/* The instances functions of the clamd, ICAP and command-line rows. */
pn_engine_instances_fn pn_clamd_instances;
pn_engine_instances_fn pn_icap_instances;
pn_engine_instances_fn pn_cmdline_instances;

#endif
