/*
 * child.h - confined child processes that answer with one JSON document
 * (analysis/child.c).  A child that crashes or exits non-zero is
 * PN_CHILD_FAILED, one past its deadline is killed and PN_CHILD_TIMEOUT;
 * output is capped at PN_ANALYSIS_RESULT_MAX bytes.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_CHILD_H
#define PN_CHILD_H

#include "pn.h"
#include "buf.h"
#include "confine.h"
#include "engine.h"

struct pn_conf;

/* A child's fate. */
enum pn_child_end { PN_CHILD_OK, PN_CHILD_FAILED, PN_CHILD_TIMEOUT };

struct pn_child {
	pid_t pid;
	int fd;                 /* read end of its pipe */
	int64_t deadline_ms;
	struct pn_buf out;
	enum pn_child_end end;
	int done;
};

typedef char *(*pn_child_fn)(void *arg, const struct pn_scan_target *t);

/* rlimits, seccomp and the CPU limit for a child given timeout_s seconds. */
struct pn_confine pn_job_confinement(const struct pn_conf *conf, int timeout_s);
/* Fork a child running fn(arg, t) confined by conf; PN_OK or PN_EIO. */
int pn_child_start(struct pn_child *c, const struct pn_confine *conf, int timeout_s,
    pn_child_fn fn, void *arg, const struct pn_scan_target *t);
/* Collect every child's output until EOF or deadline, then reap them. */
void pn_children_wait(struct pn_child *c, size_t n);

#endif
