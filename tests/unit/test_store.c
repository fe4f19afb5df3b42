/*
 * test_store.c - the SQLite store: users, submissions and dedupe, the
 * queue's claim/finish/release cycle, edges and their pagination, upload
 * tokens, engine health, and persistence across reopen.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "store.h"
#include "b64.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/pn-test-store-XXXXXX";

static struct pn_store *
open_store(void)
{
	struct pn_store *st = NULL;
	int rc = pn_store_open_sqlite(dir, 0, &st);
	ok(rc == PN_OK && st != NULL, "open store in %s", dir);
	return st;
}

static struct pn_file_submission
sub(const char *sha256, const char *md5, const char *name, const char *user, int64_t date)
{
	struct pn_file_submission s;
	memset(&s, 0, sizeof(s));
	s.sha256 = sha256;
	s.sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
	s.md5 = md5;
	s.size = 123;
	s.name = name;
	s.user = user;
	s.interface = "api";
	s.date = date;
	return s;
}

static json_object *
doc_json(struct pn_store *st, const char *hash)
{
	char sha[65], *doc = NULL;
	size_t len;
	json_object *o;

	if (pn_store_file_doc(st, NULL, hash, sha, &doc, &len) != PN_OK)
		return NULL;
	o = json_tokener_parse(doc);
	free(doc);
	return o;
}

static int64_t
jint(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -999;
}

static void
test_users(struct pn_store *st)
{
	char key[65], key2[65];
	struct pn_user u;
	int64_t n;

	{
		struct pn_user_spec a = { "alice", NULL, PN_ROLE_ANALYST, 0 };
		is_int(pn_store_user_add(st, &a, key), PN_OK, "add alice");
	}
	is_int(strlen(key), 64, "key is 64 hex chars");
	ok(pn_is_hex(key, 64), "key is hex");
	{
		struct pn_user_spec a2 = { "alice", "x", PN_ROLE_ADMIN, 1 };
		is_int(pn_store_user_add(st, &a2, key2), PN_EEXIST, "duplicate user refused");
	}
	is_int(pn_store_user_by_key(st, key, &u), PN_OK, "lookup by key");
	is_str(u.id, "alice", "key maps to alice");
	ok(!u.is_admin && !u.can_download && u.active, "alice is a plain active user");
	key[0] = key[0] == 'a' ? 'b' : 'a';
	is_int(pn_store_user_by_key(st, key, &u), PN_ENOTFOUND, "altered key not found");
	pn_store_user_count(st, &n);
	is_int(n, 1, "one user");
}

static void
test_submit_and_queue(struct pn_store *st)
{
	const char *sha = "aaaa000000000000000000000000000000000000000000000000000000000001";
	const char *md5 = "0123456789abcdef0123456789abcdef";
	struct pn_file_submission s1 = sub(sha, md5, "a.exe", "alice", 1000);
	struct pn_file_submission s2 = sub(sha, md5, "b.exe", "bob", 1005);
	char aid1[128], aid2[128], aid3[128], expect[128];
	struct pn_job job, job2;
	struct pn_analysis a;
	json_object *o, *names;
	int64_t n;

	is_int(pn_store_file_submit(st, &s1, aid1), PN_OK, "submit a.exe");
	pn_analysis_id_file(md5, 1000, expect);
	is_str(aid1, expect, "analysis id is base64(md5:ts)");
	is_int(pn_store_file_submit(st, &s2, aid2), PN_OK, "submit again as b.exe");
	is_str(aid2, aid1, "queued analysis is shared (dedupe)");

	o = doc_json(st, sha);
	ok(o != NULL, "doc is JSON");
	is_int(jint(o, "times_submitted"), 2, "times_submitted 2");
	is_int(jint(o, "unique_sources"), 2, "unique_sources 2");
	is_int(jint(o, "first_submission_date"), 1000, "first_submission_date");
	is_int(jint(o, "last_submission_date"), 1005, "last_submission_date");
	ok(json_object_object_get_ex(o, "names", &names) && json_object_array_length(names) == 2,
	    "two names");
	json_object_put(o);
	o = doc_json(st, "0123456789ABCDEF0123456789ABCDEF");
	ok(o != NULL, "lookup by upper-case md5");
	json_object_put(o);
	is_int(pn_store_file_doc(st, NULL, "zz", expect, NULL, NULL), PN_EINVAL, "malformed hash");
	is_int(pn_store_file_doc(st, NULL, "bbbb000000000000000000000000000000000000000000000000000000000001",
	    expect, NULL, NULL), PN_ENOTFOUND, "unknown hash");

	is_int(pn_store_analysis_get(st, aid1, &a), PN_OK, "analysis readable");
	is_str(a.status, "queued", "queued");
	pn_analysis_release(&a);

	is_int(pn_store_job_claim(st, "pid:1", PN_JOB_ANALYSES, &job), PN_OK, "claim");
	is_str(job.analysis_id, aid1, "claimed the queued analysis");
	is_int(job.attempts, 1, "first attempt");
	is_int(pn_store_job_claim(st, "pid:2", PN_JOB_ANALYSES, &job2), PN_ENOTFOUND, "nothing else queued");
	pn_store_analysis_get(st, aid1, &a);
	is_str(a.status, "in-progress", "in progress while claimed");
	pn_analysis_release(&a);

	/* A submission while running makes a new analysis (the running one may be stale). */
	s2.date = 1010;
	is_int(pn_store_file_submit(st, &s2, aid3), PN_OK, "submit while running");
	ok(strcmp(aid3, aid1) != 0, "new analysis while the old one runs");

	/* The worker dies: the job is re-queued, then given up after max attempts. */
	is_int(pn_store_jobs_release(st, "pid:1", 2, "{}", "{}"), PN_OK, "release dead worker");
	is_int(pn_store_job_claim(st, "pid:3", PN_JOB_ANALYSES, &job), PN_OK, "claim again");
	is_str(job.analysis_id, aid1, "same job re-queued first");
	is_int(job.attempts, 2, "second attempt");
	is_int(pn_store_jobs_release(st, "pid:3", 2, "{\"X\":{\"category\":\"failure\"}}",
	    "{\"failure\":1}"), PN_OK, "release after the last attempt");
	pn_store_analysis_get(st, aid1, &a);
	is_str(a.status, "completed", "given-up job is completed");
	ok(a.stats && strstr(a.stats, "failure"), "with failure stats");
	pn_analysis_release(&a);

	is_int(pn_store_job_claim(st, "pid:4", PN_JOB_ANALYSES, &job), PN_OK, "claim the second analysis");
	is_str(job.analysis_id, aid3, "it is the one queued while running");
	is_int(pn_store_job_finish(st, &job, "{\"magic\":\"data\",\"type_tag\":\"text\",\"tags\":[\"text\"]}",
	    "{\"ClamAV\":{\"category\":\"malicious\"}}", "{\"malicious\":1}"), PN_OK, "finish");
	pn_store_jobs_queued(st, &n);
	is_int(n, 0, "queue empty");

	/* Sandbox runs: behaviour jobs, one per file at a time, for sandbox workers only. */
	{
		const char *bsha = s2.sha256;
		int added = -1;
		is_int(pn_store_behaviour_job_add(st, bsha, &added), PN_OK, "queue a sandbox run");
		is_int(added, 1, "it was added");
		is_int(pn_store_behaviour_job_add(st, bsha, &added), PN_OK, "queue it again");
		is_int(added, 0, "a second one while the first is queued is dropped");
		is_int(pn_store_job_claim(st, "pid:5", PN_JOB_ANALYSES, &job), PN_ENOTFOUND,
		    "an analysis worker does not take a sandbox run");
		is_int(pn_store_job_claim(st, "pid:6", PN_JOB_BEHAVIOUR, &job), PN_OK,
		    "a sandbox worker does");
		is_str(job.item_type, "behaviour", "item_type behaviour");
		is_str(job.item_id, bsha, "item_id the file's sha256");
		is_int(pn_store_behaviour_job_add(st, bsha, &added), PN_OK, "queue one while it runs");
		is_int(added, 0, "dropped too: one queued or running per file");
		is_int(pn_store_jobs_release(st, "pid:6", 1, "{}", "{}"), PN_OK,
		    "the sandbox worker died on its last attempt");
		pn_store_jobs_queued(st, &n);
		is_int(n, 0, "a given-up sandbox run leaves no job (and no analysis) behind");
		is_int(pn_store_behaviour_job_add(st, bsha, &added), PN_OK, "queue it once more");
		is_int(added, 1, "added again once the old one is gone");
		is_int(pn_store_job_claim(st, "pid:7", PN_JOB_BEHAVIOUR, &job), PN_OK, "claimed");
		is_int(pn_store_job_done(st, &job), PN_OK, "done");
		pn_store_jobs_queued(st, &n);
		is_int(n, 0, "queue empty after the sandbox run");
	}
	o = doc_json(st, sha);
	{
		json_object *v;
		ok(json_object_object_get_ex(o, "magic", &v) &&
		    strcmp(json_object_get_string(v), "data") == 0, "details merged into doc");
		ok(json_object_object_get_ex(o, "last_analysis_stats", &v) && jint(v, "malicious") == 1,
		    "last_analysis_stats from the finished analysis");
		ok(json_object_object_get_ex(o, "tags", &v) && json_object_array_length(v) == 1,
		    "tags from details");
		ok(jint(o, "last_analysis_date") == 1010, "last_analysis_date = analysis date");
	}
	json_object_put(o);

	/* Rescan of a known file; unknown file. */
	is_int(pn_store_file_rescan(st, sha, aid3), PN_OK, "rescan");
	is_int(pn_store_file_rescan(st, "cccc000000000000000000000000000000000000000000000000000000000001",
	    aid3), PN_ENOTFOUND, "rescan of an unknown file");
	pn_store_jobs_reset_running(st, &n);
}

static void
test_edges(struct pn_store *st)
{
	const char *src = "aaaa000000000000000000000000000000000000000000000000000000000001";
	struct pn_edge_page p;
	char id[32];
	int i, seen = 0;
	int64_t cursor = 0;

	for (i = 0; i < 25; i++) {
		snprintf(id, sizeof(id), "d%02d.example", i);
		pn_store_edge_add(st, "file", src, "contacted_domains", "domain", id, NULL);
	}
	/* Adding twice does not duplicate. */
	pn_store_edge_add(st, "file", src, "contacted_domains", "domain", "d00.example", "{\"x\":1}");
	do {
		is_int(pn_store_edge_list(st, NULL, "file", src, "contacted_domains", cursor, 10, &p), PN_OK,
		    "page from %lld", (long long)cursor);
		is_int(p.total, 25, "count is 25");
		ok(p.n > 0, "a page is never empty while a cursor is given");
		for (i = 0; i < (int)p.n; i++) {
			snprintf(id, sizeof(id), "d%02d.example", seen + i);
			if (strcmp(p.v[i].dst_id, id) != 0)
				break;
		}
		is_int(i, p.n, "items in insertion order");
		seen += (int)p.n;
		cursor = p.next;
		pn_edge_page_release(&p);
	} while (cursor);
	is_int(seen, 25, "all 25 seen over pages");

	pn_store_edge_list(st, NULL, "file", src, "analyses", 0, 40, &p);
	is_int(p.total, 3, "three analyses of the file");
	ok(p.n == 3 && strcmp(p.v[0].dst_type, "analysis") == 0, "analysis descriptors");
	pn_edge_page_release(&p);
	pn_store_edge_list(st, NULL, "file", src, "submissions", 0, 40, &p);
	is_int(p.total, 3, "three submissions");
	pn_edge_page_release(&p);
}

static void
test_tokens_engines(struct pn_store *st)
{
	struct pn_engine_info e, *v = NULL;
	char tok[65], user[64];
	size_t n;

	is_int(pn_store_upload_token_new(st, "alice", 60, tok), PN_OK, "token");
	is_int(pn_store_upload_token_take(st, tok, user), PN_OK, "take token");
	is_str(user, "alice", "token belongs to alice");
	is_int(pn_store_upload_token_take(st, tok, user), PN_ENOTFOUND, "single use");
	pn_store_upload_token_new(st, "alice", -1, tok);
	is_int(pn_store_upload_token_take(st, tok, user), PN_ENOTFOUND, "expired token refused");

	memset(&e, 0, sizeof(e));
	pn_strlcpy(e.name, "ClamAV", sizeof(e.name));
	pn_strlcpy(e.version, "1.4.6", sizeof(e.version));
	is_int(pn_store_engine_report(st, &e), PN_OK, "engine report");
	pn_strlcpy(e.version, "1.4.7", sizeof(e.version));
	pn_store_engine_report(st, &e);
	pn_store_engine_list(st, &v, &n);
	ok(n == 1 && strcmp(v[0].version, "1.4.7") == 0, "engine upserted");
	free(v);
}

static json_object *
obj_json(struct pn_store *st, const struct pn_user *viewer, const char *type, const char *id)
{
	char *doc = NULL;
	size_t len = 0;
	json_object *o;

	if (pn_store_obj_doc(st, viewer, type, id, &doc, &len) != PN_OK)
		return NULL;
	o = json_tokener_parse(doc);
	if (o == NULL || strlen(doc) != len)
		diag("bad object doc (%zu/%zu): %s", strlen(doc), len, doc);
	free(doc);
	return o;
}

/* URLs, domains, IPs: creation, per-group URL views, public names, jobs, resolutions. */
static void
test_objects(struct pn_store *st)
{
	const char *uid = "1111111111111111111111111111111111111111111111111111111111111111";
	struct pn_user red, blue;
	struct pn_obj_submission o;
	struct pn_edge_page page;
	struct pn_job job;
	char aid[128], aid2[128];
	json_object *j;

	memset(&red, 0, sizeof(red));
	memset(&blue, 0, sizeof(blue));
	pn_strlcpy(red.id, "r1", sizeof(red.id));
	pn_strlcpy(red.grp, "red", sizeof(red.grp));
	pn_strlcpy(blue.id, "b1", sizeof(blue.id));
	pn_strlcpy(blue.grp, "blue", sizeof(blue.grp));
	memset(&o, 0, sizeof(o));
	o.type = "url";
	o.id = uid;
	o.seed = "{\"url\":\"http://example.test/\"}";
	o.user = "r1";
	o.grp = "red";
	o.date = 5000;
	o.analyse = 1;
	o.count = 1;
	is_int(pn_store_obj_submit(st, &o, aid), PN_OK, "submit a URL");
	ok(strncmp(aid, "u-1111", 6) == 0 && strstr(aid, "-5000") != NULL, "URL analysis id %s", aid);
	j = obj_json(st, &red, "url", uid);
	ok(j != NULL, "red sees the URL");
	is_int(jint(j, "times_submitted"), 1, "red's times_submitted");
	is_int(jint(j, "first_submission_date"), 5000, "red's first_submission_date");
	json_object_put(j);
	ok(obj_json(st, &blue, "url", uid) == NULL, "blue does not see red's URL");
	is_int(pn_store_obj_visible(st, &blue, "url", uid), PN_ENOTFOUND, "not visible to blue");

	o.type = "domain";
	o.id = "example.test";
	o.seed = NULL;
	o.grp = NULL;
	o.analyse = 0;
	o.count = 0;
	is_int(pn_store_obj_submit(st, &o, aid2), PN_OK, "a domain seen");
	ok(aid2[0] == 'd', "a new domain is queued for analysis (%s)", aid2);
	is_int(pn_store_obj_submit(st, &o, aid2), PN_OK, "seen again");
	is_str(aid2, "", "an existing domain is not queued again (analyse 0)");
	j = obj_json(st, &blue, "domain", "example.test");
	ok(j != NULL, "domains are visible to every group");
	json_object_put(j);

	is_int(pn_store_resolution_add(st, "example.test", "192.0.2.7", 6000, "fetch"), PN_OK,
	    "resolution added");
	is_int(pn_store_resolution_add(st, "example.test", "192.0.2.7", 7000, "dns"), PN_OK,
	    "seen again later");
	is_int(pn_store_edge_list(st, &blue, "domain", "example.test", "resolutions", 0, 10, &page),
	    PN_OK, "domain resolutions");
	ok(page.n == 1 && strcmp(page.v[0].dst_id, "192.0.2.7example.test") == 0 &&
	    strstr(page.v[0].ctx, "\"date\":7000") && strstr(page.v[0].ctx, "\"first_seen\":6000"),
	    "one resolution, first 6000, last 7000: %s", page.n ? page.v[0].ctx : "-");
	pn_edge_page_release(&page);
	is_int(pn_store_edge_list(st, NULL, "ip_address", "192.0.2.7", "resolutions", 0, 10, &page),
	    PN_OK, "IP resolutions");
	is_int(page.total, 1, "the IP has the domain");
	pn_edge_page_release(&page);

	/* The URL's job finishes: details and results land in the rendered object. */
	while (pn_store_job_claim(st, "pid:9", PN_JOB_ANALYSES, &job) == PN_OK) {
		if (strcmp(job.item_type, "url") == 0)
			is_int(pn_store_job_finish(st, &job, "{\"url\":\"http://example.test/\","
			    "\"last_http_response_code\":200,\"tags\":[\"x\"]}",
			    "{\"E\":{\"category\":\"malicious\"}}", "{\"malicious\":1}"), PN_OK,
			    "URL job finished");
		else
			pn_store_job_finish(st, &job, NULL, "{}", "{}");
	}
	j = obj_json(st, &red, "url", uid);
	ok(j != NULL && jint(j, "last_http_response_code") == 200, "details rendered");
	{
		json_object *stt, *m, *tags;
		ok(j && json_object_object_get_ex(j, "last_analysis_stats", &stt) &&
		    json_object_object_get_ex(stt, "malicious", &m) && json_object_get_int(m) == 1,
		    "last_analysis_stats rendered");
		ok(j && json_object_object_get_ex(j, "tags", &tags) &&
		    json_object_array_length(tags) == 1, "tags from details");
		ok(j && jint(j, "times_submitted") == 1, "the group's view survives a re-render");
	}
	json_object_put(j);
}

int
main(void)
{
	struct pn_store *st;
	json_object *o;
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	st = open_store();
	test_users(st);
	test_submit_and_queue(st);
	test_edges(st);
	test_tokens_engines(st);
	test_objects(st);
	pn_store_close(st);

	st = open_store();
	o = doc_json(st, "aaaa000000000000000000000000000000000000000000000000000000000001");
	ok(o != NULL && jint(o, "times_submitted") == 3, "data survives reopen");
	json_object_put(o);
	pn_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
