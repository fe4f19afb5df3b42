/*
 * test_scanpool.c - the scan pool's requests in steps: requests started
 * together run at once, waiting for one returns as soon as it answers
 * while the others go on, a deadline passes while the caller waits for
 * another request, and a later batch joins the same wait.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "child.h"
#include "scanpool.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

/* Sleeps the request's "ms", then answers {"ms": N, "size": bytes seen}. */
static char *
slow(void *arg, json_object *params, const struct pn_scan_target *t)
{
	json_object *v;
	int ms = 0;

	(void)arg;
	if (json_object_object_get_ex(params, "ms", &v))
		ms = json_object_get_int(v);
	if (ms > 0)
		usleep((useconds_t)ms * 1000);
	return pn_xasprintf("{\"ms\":%d,\"size\":%zu}", ms, t->size);
}

static void
req(struct pn_scanpool_req *r, size_t slot, const char *params, int timeout_s)
{
	memset(r, 0, sizeof(*r));
	r->slot = slot;
	r->params = params;
	r->timeout_s = timeout_s;
}

int
main(void)
{
	struct pn_conf *conf = pn_conf_new();
	struct pn_confine cf = pn_job_confinement(conf, 5);
	struct pn_scanpool *p = pn_scanpool_new(100);
	struct pn_scanpool_req r[3];
	char path[] = "/tmp/pn-test-scanpool-XXXXXX";
	size_t a, b, c;
	int64_t t0, t;
	int fd;

	a = pn_scanpool_add(p, &cf, slow, NULL);
	b = pn_scanpool_add(p, &cf, slow, NULL);
	c = pn_scanpool_add(p, &cf, slow, NULL);
	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, "sample", 6) == 6, "sample written");

	/* Warm the children up so that forks do not count in the timings. */
	req(&r[0], a, "{\"ms\":0}", 5);
	req(&r[1], b, "{\"ms\":0}", 5);
	req(&r[2], c, "{\"ms\":0}", 5);
	pn_scanpool_start(p, fd, r, 3);
	pn_scanpool_wait(p, r, 3, NULL);
	ok(r[0].end == PN_CHILD_OK && r[1].end == PN_CHILD_OK && r[2].end == PN_CHILD_OK,
	    "three children answer");
	is_str(r[0].out.p, "{\"ms\":0,\"size\":6}", "the child saw the sample");
	for (a = 0; a < 3; a++)
		pn_buf_release(&r[a].out);
	a = 0, b = 1, c = 2;

	/* 1. Wait for the quick request only: the slow one is still running. */
	t0 = pn_mono_ms();
	req(&r[0], a, "{\"ms\":1500}", 5);
	req(&r[1], b, "{\"ms\":0}", 5);
	pn_scanpool_start(p, fd, r, 2);
	pn_scanpool_wait(p, r, 2, &r[1]);
	t = pn_mono_ms() - t0;
	ok(r[1].done && r[1].end == PN_CHILD_OK, "the quick request is done");
	ok(!r[0].done, "the slow one is still running");
	ok(t < 1000, "waiting for the quick one took %lld ms, not the slow one's 1500", (long long)t);

	/* 2. A second batch joins the first; the wait covers both. */
	req(&r[2], c, "{\"ms\":800}", 5);
	pn_scanpool_start(p, fd, &r[2], 1);
	pn_scanpool_wait(p, r, 3, NULL);
	t = pn_mono_ms() - t0;
	ok(r[0].done && r[0].end == PN_CHILD_OK && r[2].done && r[2].end == PN_CHILD_OK,
	    "both batches answered");
	is_str(r[0].out.p, "{\"ms\":1500,\"size\":6}", "the slow answer is whole");
	ok(t >= 1450 && t < 2100, "the batches ran side by side (%lld ms in all, 2300 one after the other)",
	    (long long)t);
	for (a = 0; a < 3; a++)
		pn_buf_release(&r[a].out);
	a = 0, b = 1;

	/* 3. A deadline passes while the caller waits for another request. */
	req(&r[0], a, "{\"ms\":3000}", 1);
	req(&r[1], b, "{\"ms\":1500}", 5);
	t0 = pn_mono_ms();
	pn_scanpool_start(p, fd, r, 2);
	pn_scanpool_wait(p, r, 2, &r[1]);
	t = pn_mono_ms() - t0;
	is_int(r[0].end, PN_CHILD_TIMEOUT, "the request past its 1 s deadline timed out meanwhile");
	is_int(r[1].end, PN_CHILD_OK, "the one waited for answered");
	ok(t < 2900, "the hung one was killed at its deadline, not waited for (%lld ms)", (long long)t);
	pn_buf_release(&r[0].out);
	pn_buf_release(&r[1].out);

	/* 4. The slot whose child was killed serves again. */
	req(&r[0], a, "{\"ms\":0}", 5);
	pn_scanpool_start(p, fd, r, 1);
	pn_scanpool_wait(p, r, 1, NULL);
	is_int(r[0].end, PN_CHILD_OK, "a replacement child serves the next request");
	pn_buf_release(&r[0].out);

	pn_scanpool_free(p);
	close(fd);
	unlink(path);
	pn_conf_free(conf);
	return done_testing();
}
