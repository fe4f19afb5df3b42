/*
 * confine.h - what a scan child does to itself before it touches sample
 * bytes: resource limits, no new privileges, and a seccomp filter that
 * refuses process creation, networking, tracing and kernel-admin calls.
 *
 * Errors: a child that cannot confine itself must not go on; the caller
 * _exit()s and the result is "failure".
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_CONFINE_H
#define PN_CONFINE_H

#include "pn.h"

struct pn_confine {
	uint64_t memory_limit;   /* RLIMIT_AS; 0 = leave (sanitizer builds need room) */
	int cpu_seconds;         /* RLIMIT_CPU */
	uint64_t file_size;      /* RLIMIT_FSIZE: temporary files an engine may write */
	int seccomp;             /* install the filter */
	int allow_net;           /* an external engine talks to a local daemon (clamd, ICAP) */
	int allow_exec;          /* an external engine runs a command */
};

int pn_confine_self(const struct pn_confine *c);

#endif
