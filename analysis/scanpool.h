/*
 * scanpool.h - long-lived confined scan children (analysis/scanpool.c).
 *
 * A pool has slots; each slot is one child process forked from the caller
 * (engines already loaded), confined once (confine.h: rlimits,
 * no_new_privs, seccomp) and then serving requests: the parent sends the
 * sample's fd over a unix socket (SCM_RIGHTS) with a small JSON text of
 * parameters, the child maps the file, runs the slot's function and
 * answers one JSON text.  A fork per file and engine group becomes a
 * sendmsg.
 *
 * Isolation is kept per request: a child that crashes or closes its socket
 * before answering is PN_CHILD_FAILED for that request, one past its
 * deadline is killed and PN_CHILD_TIMEOUT; either way the slot is
 * respawned on its next request.  A child retires by itself (after
 * answering) after the pool's max_requests requests (1: a fresh child per
 * file, as strict as a fork per file) or when its CPU time
 * nears its lifetime budget; RLIMIT_CPU is re-armed before each request
 * to the CPU used so far + that request's timeout + 1 s.
 *
 * Ownership: the pool owns its children and sockets; pn_scanpool_free()
 * kills and reaps them.  A pool belongs to the process that made it (a
 * forked copy must not use it: pn_scanpool_forget() drops it without
 * touching the children).  Not thread-safe.
 * Limits: answers are capped at PN_ANALYSIS_RESULT_MAX bytes (larger is
 * failure), parameters at PN_SCANPOOL_MAX_PARAMS.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_SCANPOOL_H
#define PN_SCANPOOL_H

#include "pn.h"
#include "buf.h"
#include "child.h"
#include "confine.h"
#include "engine.h"

struct json_object;

#define PN_SCANPOOL_MAX_SLOTS     64
#define PN_SCANPOOL_MAX_PARAMS    (64u << 10)  /* bytes of one request's parameters */
#define PN_SCANPOOL_MAX_REQUESTS  100000       /* most requests a child may serve */
#define PN_SCANPOOL_CPU_BUDGET_S  3600         /* a child's lifetime CPU (hard RLIMIT_CPU) */

/*
 * A slot's work: the answer (JSON text, malloc'd) for one file, or NULL
 * (failure).  params is the request's parsed parameters (an object, never
 * NULL); t->name and t->type_tag come from its "name" and "type_tag".
 */
typedef char *(*pn_scanpool_fn)(void *arg, struct json_object *params,
    const struct pn_scan_target *t);

struct pn_scanpool;

struct pn_scanpool_req {
	size_t slot;
	const char *params;        /* JSON object text, or NULL for {} */
	int timeout_s;             /* wall clock for this request */
	struct pn_buf out;         /* the answer (initialised by pn_scanpool_start) */
	enum pn_child_end end;
	/* private to scanpool.c */
	size_t need;               /* bytes of the frame still expected */
	int64_t deadline_ms;
	int hdr_done, retiring, done;
	unsigned char hdr[8];
	size_t hdr_len;
};

/* A pool whose children retire after max_requests (1..PN_SCANPOOL_MAX_REQUESTS). */
struct pn_scanpool *pn_scanpool_new(unsigned max_requests);
/* Add a slot (its child starts on first use); returns its index. */
size_t pn_scanpool_add(struct pn_scanpool *p, const struct pn_confine *cf, pn_scanpool_fn fn,
    void *arg);
/*
 * Start each request on its slot's child with the sample fd (deadlines run
 * from now); pn_scanpool_wait() serves every unfinished request of r[0..n)
 * (reads answers, enforces deadlines) and returns once `until` is done, or
 * once all are when until is NULL.  So work that depends on an early
 * answer can start more requests in a later batch into the same array.
 * The slots of all requests in flight must be distinct, each must be
 * waited for (until NULL) before the pool serves another file, and each
 * r[i].out must be released by the caller (pn_buf_release).
 */
void pn_scanpool_start(struct pn_scanpool *p, int fd, struct pn_scanpool_req *r, size_t n);
void pn_scanpool_wait(struct pn_scanpool *p, struct pn_scanpool_req *r, size_t n,
    const struct pn_scanpool_req *until);
/* Kill and reap every child, free the pool. */
void pn_scanpool_free(struct pn_scanpool *p);
/* Drop a pool inherited through fork: close its sockets, leave the children alone. */
void pn_scanpool_forget(struct pn_scanpool *p);
/* Children started so far (spawns and respawns), for tests and logs. */
uint64_t pn_scanpool_spawns(const struct pn_scanpool *p);

#endif
