/*
 * test_behavior.c - behaviour reports (sandbox/report.c), rule files and
 * their evaluator (rules.c), static capabilities (static_caps.c), the
 * summary, MITRE trees and verdicts (summary.c).
 *
 * Fixtures: tests/data/behavior/<name>.jsonl (+ <name>.run.json), in the
 * runner's event schema (SANDBOX.md §5.5); static-*.json are details
 * attributes as the parsers write them.  Every rule of
 * rules/behavior/linux.rules and static.rules must fire on some fixture,
 * and the benign fixtures must fire nothing above INFO.
 * Run from the repository root (tests/run-tests.sh does).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "report.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA "tests/data/behavior/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = pn_xmalloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct json_object *
fixture(const struct pn_rules *rs, const char *name)
{
	char p1[256], p2[256];
	char *ev, *run;
	size_t el, rl;
	struct json_object *r = NULL;

	snprintf(p1, sizeof(p1), DATA "%s.jsonl", name);
	snprintf(p2, sizeof(p2), DATA "%s.run.json", name);
	ev = slurp(p1, &el);
	run = slurp(p2, &rl);
	if (ev == NULL) {
		diag("missing fixture %s", p1);
		return json_object_new_object();
	}
	pn_behavior_report_mem(ev, el, run, rl, rs, NULL, &r);
	free(ev);
	free(run);
	return r;
}

static struct json_object *
arr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

static int
has_str(struct json_object *o, const char *list, const char *s)
{
	struct json_object *a = arr(o, list);
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
			return 1;
	return 0;
}

static struct json_object *
find_by(struct json_object *o, const char *list, const char *key, const char *val)
{
	struct json_object *a = arr(o, list), *v;
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(e, key, &v) && strcmp(json_object_get_string(v), val) == 0)
			return e;
	}
	return NULL;
}

static int
fired(struct json_object *r, const char *id)
{
	return find_by(r, "signature_matches", "id", id) != NULL;
}

static const char *
sget(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static int
match_data_has(struct json_object *sig, const char *needle)
{
	struct json_object *md;
	size_t i;

	if (sig == NULL || !json_object_object_get_ex(sig, "match_data", &md))
		return 0;
	for (i = 0; i < json_object_array_length(md); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(md, i)), needle))
			return 1;
	return 0;
}

/* Signatures above INFO, as a comma list for diagnostics; count returned. */
static size_t
above_info(struct json_object *r, char *buf, size_t len)
{
	struct json_object *a = arr(r, "signature_matches");
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		if (strcmp(sget(s, "severity"), "IMPACT_SEVERITY_INFO") == 0)
			continue;
		n++;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s ", sget(s, "id"));
	}
	return n;
}

static struct pn_rules *
load_rules(const char *path)
{
	struct pn_rules *rs = NULL;
	char err[256];
	int rc = pn_rules_load(path, &rs, err, sizeof(err));

	if (rc != PN_OK)
		diag("%s: %s", path, err);
	ok(rc == PN_OK && pn_rules_count(rs) > 0, "%s loads (%zu rules)", path, pn_rules_count(rs));
	return rs;
}

/* ---------------------------------------------------------------- benign */

static void
test_benign(const struct pn_rules *rs)
{
	struct json_object *r = fixture(rs, "benign-ls"), *t, *v;
	char buf[1024];

	is_int(above_info(r, buf, sizeof(buf)), 0, "ls fires nothing above INFO (%s)", buf);
	ok(has_str(r, "command_executions", "ls -la /tmp"), "ls command line");
	ok(has_str(r, "processes_created", "/usr/bin/ls"), "ls in processes_created");
	ok(!has_str(r, "files_opened", "/etc/ld.so.cache") && !has_str(r, "files_opened", "/etc/passwd") &&
	    !has_str(r, "files_opened", "/usr/lib/locale/locale-archive"), "loader/libc noise filtered");
	ok(has_str(r, "files_opened", "/tmp"), "the listed directory stays in files_opened");
	ok(has_str(r, "modules_loaded", "/lib/x86_64-linux-gnu/libselinux.so.1"), "libraries in modules_loaded");
	ok(has_str(r, "verdicts", "CLEAN"), "benign verdict CLEAN");
	v = pn_behavior_sandbox_verdict(r);
	is_str(sget(v, "category"), "harmless", "sandbox_verdicts category harmless");
	json_object_put(v);
	t = arr(r, "processes_tree");
	ok(t && json_object_array_length(t) == 1, "one root process");
	is_str(sget(json_object_array_get_idx(t, 0), "name"), "ls -la /tmp", "tree name is the argv");
	is_str(sget(r, "sandbox_name"), "Linux Tracer", "sandbox_name");
	ok(sget(r, "behash") && strlen(sget(r, "behash")) == 64, "behash is a sha256");
	json_object_put(r);

	r = fixture(rs, "benign-python");
	is_int(above_info(r, buf, sizeof(buf)), 0, "python3 -c pass fires nothing above INFO (%s)", buf);
	ok(has_str(r, "command_executions", "sh -c python3 -c pass") &&
	    has_str(r, "command_executions", "python3 -c pass"), "sh -c X lists X too");
	ok(arr(r, "files_opened") == NULL || json_object_array_length(arr(r, "files_opened")) == 0,
	    "python's imports are noise");
	t = json_object_array_get_idx(arr(r, "processes_tree"), 0);
	ok(t && arr(t, "children") && json_object_array_length(arr(t, "children")) == 1, "sh has the python child");
	is_str(sget(json_object_array_get_idx(arr(t, "children"), 0), "process_id"), "8", "child pid as a string");
	ok(has_str(r, "processes_terminated", "/usr/bin/python3"), "processes_terminated");
	json_object_put(r);

	/* recorded by the real runner (sandbox/run.c) on benign scripts */
	r = fixture(rs, "real-python");
	is_int(above_info(r, buf, sizeof(buf)), 0, "real python script run fires nothing above INFO (%s)", buf);
	ok(has_str(r, "verdicts", "CLEAN") && !has_str(r, "files_opened", "/usr/bin/pybuilddir.txt"),
	    "real python run: CLEAN, interpreter noise filtered");
	json_object_put(r);
	r = fixture(rs, "real-sh");
	is_int(above_info(r, buf, sizeof(buf)), 0, "real ls/id/uname script fires nothing above INFO (%s)", buf);
	ok(arr(r, "ip_traffic") == NULL, "UNIX-socket connects are not ip_traffic");
	json_object_put(r);
}

/* ---------------------------------------------------------------- malicious */

static void
collect_fired(struct json_object *r, struct json_object *set)
{
	struct json_object *a = arr(r, "signature_matches");
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		json_object_object_add(set, sget(json_object_array_get_idx(a, i), "id"), NULL);
}

static void
test_persistence(const struct pn_rules *rs, struct json_object *all)
{
	struct json_object *r = fixture(rs, "persistence"), *s, *m, *d;

	collect_fired(r, all);
	s = find_by(r, "signature_matches", "id", "linux.persistence.cron");
	ok(s != NULL, "cron persistence fires");
	ok(match_data_has(s, "openat /var/spool/cron/crontabs/root O_WRONLY|O_CREAT"), "cron match_data as in §1.4");
	ok(match_data_has(s, "execve /usr/bin/crontab crontab /tmp/.x"), "crontab exec is evidence");
	is_str(sget(s, "format"), "SIG_FORMAT_KEYWORD", "format KEYWORD");
	m = find_by(r, "mitre_attack_techniques", "id", "T1053.003");
	ok(m != NULL, "T1053.003 in mitre_attack_techniques");
	is_str(sget(m, "severity"), "IMPACT_SEVERITY_MEDIUM", "T1053.003 MEDIUM");
	ok(m && arr(m, "refs") && json_object_array_length(arr(m, "refs")) >= 2, "technique refs carry evidence");
	ok(has_str(r, "tags", "SELF_DELETE") && has_str(r, "tags", "PERSISTENCE") && has_str(r, "tags", "SUDO"),
	    "tags SELF_DELETE, PERSISTENCE, SUDO");
	ok(fired(r, "linux.evasion.self_delete") && !fired(r, "linux.evasion.file_deletion"),
	    "self-deletion, not generic deletion");
	ok(fired(r, "linux.persistence.ld_preload") &&
	    match_data_has(find_by(r, "signature_matches", "id", "linux.persistence.ld_preload"),
	    "rename /tmp/.p -> /etc/ld.so.preload"), "ld.so.preload rename");
	ok(fired(r, "linux.persistence.ssh_authorized_keys"), "authorized_keys");
	ok(fired(r, "linux.privesc.setuid"), "setuid bit");
	ok(has_str(r, "files_written", "/var/spool/cron/crontabs/root"), "files_written");
	ok(has_str(r, "files_deleted", "/tmp/dropper"), "files_deleted");
	ok(has_str(r, "files_attribute_changed", "/tmp/.x"), "files_attribute_changed");
	ok(has_str(r, "mutexes_created", "/var/run/dropper.pid"), "lock → mutexes_created");
	ok(!has_str(r, "mutexes_created", "/var/run/shared.lock"), "shared locks are not mutexes");
	ok(has_str(r, "command_executions", "crontab /tmp/.x"), "sh -c payload listed");
	d = find_by(r, "files_dropped", "path", "/tmp/.x");
	ok(d && strlen(sget(d, "sha256")) == 64, "files_dropped from run.json");
	ok(has_str(r, "verdicts", "MALWARE"), "verdict MALWARE");
	json_object_put(r);
}

static void
test_downloader(const struct pn_rules *rs, struct json_object *all)
{
	struct json_object *r = fixture(rs, "downloader"), *s, *d, *ri, *n;

	collect_fired(r, all);
	s = find_by(r, "signature_matches", "id", "linux.c2.download_execute");
	ok(s != NULL, "download → chmod → exec sequence fires");
	ok(match_data_has(s, "openat /tmp/.kworker") && match_data_has(s, "-> chmod /tmp/.kworker 0755 -> execve /tmp/.kworker"),
	    "sequence evidence has the three steps");
	is_str(sget(s, "severity"), "IMPACT_SEVERITY_HIGH", "ingress + exec is HIGH");
	ok(has_str(r, "tags", "EXECUTES_DROPPED_FILE"), "EXECUTES_DROPPED_FILE");
	ok(fired(r, "linux.c2.download_tool") && fired(r, "linux.evasion.masquerade") &&
	    fired(r, "linux.c2.service_scan") && fired(r, "linux.exec.reverse_shell"),
	    "download tool, masquerade, service scan, reverse shell");
	d = find_by(r, "dns_lookups", "hostname", "update.example.com");
	ok(d && arr(d, "resolved_ips") && strcmp(json_object_get_string(json_object_array_get_idx(arr(d, "resolved_ips"), 0)),
	    "198.51.100.7") == 0, "dns_lookups with resolved_ips");
	d = find_by(r, "dns_lookups", "hostname", "nx.example.invalid");
	ok(d && arr(d, "resolved_ips") == NULL, "NXDOMAIN has no resolved_ips");
	d = find_by(r, "ip_traffic", "destination_ip", "198.51.100.7");
	ok(d && strcmp(sget(d, "transport_layer_protocol"), "TCP") == 0, "ip_traffic TCP");
	ok(find_by(r, "ip_traffic", "destination_ip", "127.0.0.1") == NULL, "loopback left out of ip_traffic");
	ok(find_by(r, "ip_traffic", "destination_ip", "10.0.2.3") != NULL, "UDP DNS traffic listed");
	d = find_by(r, "http_conversations", "url", "http://update.example.com:8081/x86_64");
	ok(d && strcmp(sget(d, "request_method"), "GET") == 0, "http_conversations");
	ok(d && json_object_object_get_ex(d, "request_headers", &n) &&
	    strcmp(sget(n, "User-Agent"), "Wget/1.21.3") == 0, "request_headers");
	ok(find_by(r, "tls", "sni", "c2.example.net") != NULL, "tls sni");
	ok(has_str(r, "mutexes_created", "127.0.0.1:39401"), "localhost bind is a mutex");
	d = find_by(r, "files_dropped", "path", "/tmp/.kworker");
	is_str(sget(d, "type"), "ELF", "dropped file type from the magic");
	ok(find_by(r, "files_dropped", "path", "/tmp/bad") == NULL, "bad sha256 in run.json skipped");
	ok(json_object_object_get_ex(r, "run_info", &ri) && json_object_object_get_ex(ri, "notes", &n) &&
	    strstr(json_object_to_json_string(n), "time limit") != NULL, "timed-out note");
	ok(has_str(r, "verdicts", "TROJAN") && has_str(r, "verdicts", "MALWARE"), "rule verdict labels kept");
	json_object_put(r);
}

static void
test_miner_injector(const struct pn_rules *rs, struct json_object *all)
{
	struct json_object *r = fixture(rs, "miner"), *v, *s;

	collect_fired(r, all);
	ok(fired(r, "linux.impact.miner") && fired(r, "linux.discovery.system_info") &&
	    fired(r, "linux.discovery.process_list") && fired(r, "linux.impact.mass_kill"),
	    "miner, system info, process list, mass kill");
	s = find_by(r, "signature_matches", "id", "linux.discovery.process_list");
	ok(match_data_has(s, "12 matching events with distinct path (threshold 10)"), "count evidence line");
	ok(has_str(r, "tags", "LONG_SLEEPS") && has_str(r, "tags", "DETECT_DEBUG_ENVIRONMENT") &&
	    has_str(r, "tags", "CHECKS_CPU_NAME"), "LONG_SLEEPS, DETECT_DEBUG_ENVIRONMENT, CHECKS_CPU_NAME");
	is_int(json_object_array_length(arr(r, "processes_killed")), 12, "processes_killed");
	v = pn_behavior_sandbox_verdict(r);
	is_str(sget(v, "category"), "malicious", "miner is malicious");
	json_object_put(v);
	json_object_put(r);

	r = fixture(rs, "injector");
	collect_fired(r, all);
	ok(fired(r, "linux.injection.ptrace") && fired(r, "linux.evasion.debugger_traceme") &&
	    fired(r, "linux.evasion.fileless") && fired(r, "linux.evasion.tracerpid_check"),
	    "ptrace injection, TRACEME, fileless, TracerPid check");
	s = find_by(r, "signature_matches", "id", "linux.injection.ptrace");
	ok(match_data_has(s, "ptrace PTRACE_ATTACH pid 1") && match_data_has(s, "ptrace PTRACE_POKEDATA pid 1"),
	    "ptrace requests named from strings and numbers");
	ok(fired(r, "linux.evasion.file_deletion"), "deleting a pre-existing file");
	s = find_by(r, "signature_matches", "id", "linux.evasion.fileless");
	ok(match_data_has(s, "execve /proc/self/fd/5 kthreadd") && match_data_has(s, "ksoftirqd"),
	    "fileless: exec of an fd path and execveat(AT_EMPTY_PATH)");
	s = find_by(r, "signature_matches", "id", "linux.credentials.private_keys");
	ok(s && !match_data_has(s, "id_rsa.pub"), "public keys are not private keys");
	json_object_put(r);
}

static void
test_real_dropper(const struct pn_rules *rs, struct json_object *all)
{
	struct json_object *r = fixture(rs, "real-dropper"), *d;

	collect_fired(r, all);
	ok(fired(r, "linux.c2.download_execute") && fired(r, "linux.evasion.self_delete") &&
	    fired(r, "linux.c2.download_tool") && fired(r, "linux.evasion.long_sleep"),
	    "real run: wget → chmod → exec, self-delete, long sleep");
	ok(!has_str(r, "files_written", "/dev/null"), "redirections to /dev/null are not writes");
	d = find_by(r, "http_conversations", "url", "http://example.com/payload");
	ok(d != NULL, "real fakenet HTTP event");
	d = find_by(r, "files_dropped", "path", "/tmp/.payload");
	ok(d && strcmp(sget(d, "process_name"), "/usr/bin/wget") == 0, "dropped file attributed to wget");
	json_object_put(r);
}

static void
test_coverage(const struct pn_rules *rs, struct json_object *all)
{
	size_t i, missing = 0;

	for (i = 0; i < pn_rules_count(rs); i++)
		if (!json_object_object_get_ex(all, pn_rules_id(rs, i), NULL)) {
			diag("rule %s fires on no fixture", pn_rules_id(rs, i));
			missing++;
		}
	is_int(missing, 0, "every rule of linux.rules fires on a fixture (%zu rules)", pn_rules_count(rs));
}

/* ---------------------------------------------------------------- robustness */

static void
test_bad_input(const struct pn_rules *rs)
{
	struct pn_buf b;
	struct json_object *r, *ri, *v;
	size_t i;
	char *huge;

	pn_buf_init(&b, 0);
	pn_buf_puts(&b, "{\"t\":0.1,\"pid\":5,\"ppid\":1,\"comm\":\"x\",\"ev\":\"exec\",\"path\":\"/tmp/x\",\"argv\":[\"/tmp/x\"]}\n");
	pn_buf_puts(&b, "not json at all\n{\"t\":1,\"pid\":\"five\",\"ev\":\"open\"}\n[1,2,3]\n");
	pn_buf_puts(&b, "{\"t\":\"soon\",\"pid\":5,\"ev\":\"open\",\"path\":\"/a\"}\n{\"pid\":5}\n");
	pn_buf_puts(&b, "{\"t\":0.2,\"pid\":5,\"ev\":\"open\",\"path\":\"/etc/\xff\xfeweird\",\"flags\":0}\n");
	pn_buf_puts(&b, "{\"t\":0.3,\"pid\":5,\"ev\":\"open\",\"path\":[1],\"flags\":{}}\n");
	pn_buf_puts(&b, "{\"t\":0.3,\"pid\":5,\"ev\":\"exec\",\"path\":7,\"argv\":\"sh\"}\n");
	pn_buf_puts(&b, "{\"t\":0.4,\"pid\":5,\"ev\":\"x\",\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}\n\r\n\n");
	huge = pn_xmalloc(PN_BEH_MAX_LINE + 100);
	memset(huge, 'a', PN_BEH_MAX_LINE + 99);
	huge[PN_BEH_MAX_LINE + 99] = '\0';
	pn_buf_puts(&b, "{\"t\":0.5,\"pid\":5,\"ev\":\"open\",\"path\":\"");
	pn_buf_puts(&b, huge);
	pn_buf_puts(&b, "\"}\n{\"t\":0.6,\"pid\":5,\"ev\":\"exit\",\"code\":0}");
	free(huge);
	pn_behavior_report_mem(b.p, b.len, "{\"exit_code\":", 13, rs, NULL, &r);
	ok(r != NULL, "garbage gives a report");
	ok(json_object_object_get_ex(r, "run_info", &ri) && json_object_object_get_ex(ri, "skipped_lines", &v),
	    "run_info.skipped_lines");
	is_int(json_object_get_int(v), 7, "malformed, wrongly typed, too deep and huge lines counted");
	ok(json_object_object_get_ex(ri, "events", &v) && json_object_get_int(v) == 5, "5 good events kept");
	ok(has_str(r, "files_opened", "/etc/\xef\xbf\xbd\xef\xbf\xbdweird"), "invalid UTF-8 became U+FFFD");
	ok(json_object_to_json_string(r) != NULL, "serialises");
	ok(strstr(json_object_to_json_string(ri), "no run.json") != NULL, "broken run.json noted");
	json_object_put(r);
	pn_buf_release(&b);

	/* caps: 3000 distinct files opened, 5000 processes */
	pn_buf_init(&b, 0);
	for (i = 0; i < 3000; i++)
		pn_buf_printf(&b, "{\"t\":%zu,\"pid\":5,\"ev\":\"open\",\"path\":\"/srv/f%zu\",\"flags\":0}\n", i, i);
	for (i = 0; i < 5000; i++)
		pn_buf_printf(&b, "{\"t\":9,\"pid\":5,\"ev\":\"proc_fork\",\"child\":%zu}\n", 100 + i);
	pn_behavior_report_mem(b.p, b.len, NULL, 0, rs, NULL, &r);
	is_int(json_object_array_length(arr(r, "files_opened")), PN_BEH_MAX_LIST, "files_opened capped");
	ok(json_object_to_json_string(r) != NULL, "capped report serialises");
	json_object_put(r);
	pn_buf_release(&b);

	/* a deep chain of forks: the tree stops at the depth cap */
	pn_buf_init(&b, 0);
	for (i = 0; i < 200; i++)
		pn_buf_printf(&b, "{\"t\":1,\"pid\":%zu,\"ev\":\"proc_fork\",\"child\":%zu}\n", 10 + i, 11 + i);
	pn_behavior_report_mem(b.p, b.len, NULL, 0, rs, NULL, &r);
	{
		struct json_object *n = json_object_array_get_idx(arr(r, "processes_tree"), 0);
		int depth = 0;
		while (n && arr(n, "children")) {
			n = json_object_array_get_idx(arr(n, "children"), 0);
			depth++;
		}
		is_int(depth, PN_BEH_MAX_TREE_DEPTH, "processes_tree depth capped");
	}
	json_object_put(r);
	pn_buf_release(&b);
}

static void
test_dir_and_behash(const struct pn_rules *rs)
{
	char dir[] = "/tmp/test_behavior.XXXXXX", p[128], bh[2][65];
	const char *ev = "{\"t\":0,\"pid\":3,\"ev\":\"exec\",\"path\":\"/tmp/SAMPLE\",\"argv\":[\"/tmp/SAMPLE\",\"-x\"]}\n"
	    "{\"t\":0.1,\"pid\":3,\"ev\":\"open\",\"path\":\"/tmp/SAMPLE.cfg\",\"flags\":577}\n"
	    "{\"t\":0.2,\"pid\":0,\"ev\":\"dns\",\"q\":\"Example.COM\",\"type\":\"A\",\"answers\":[\"198.51.100.1\"]}\n";
	struct json_object *r, *err_r = NULL;
	char err[256], *e1, *e2;
	int fd, k, rc;

	ok(mkdtemp(dir) != NULL, "temp dir");
	rc = pn_behavior_report(dir, rs, NULL, &err_r, err, sizeof(err));
	ok(rc == PN_EIO && err_r == NULL && strstr(err, "events.jsonl"), "missing events.jsonl is PN_EIO");
	for (k = 0; k < 2; k++) {
		const char *name = k ? "other.bin" : "a.out";
		e1 = pn_xstrdup(ev);
		while ((e2 = strstr(e1, "SAMPLE")) != NULL) {    /* same length names */
			char *n2 = pn_xasprintf("%.*s%s%s", (int)(e2 - e1), e1, k ? "xx/yy" : "aa/bb", e2 + 6);
			free(e1);
			e1 = n2;
		}
		snprintf(p, sizeof(p), "%s/events.jsonl", dir);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ok(fd >= 0 && write(fd, e1, strlen(e1)) == (ssize_t)strlen(e1), "write events %d", k);
		close(fd);
		snprintf(p, sizeof(p), "%s/run.json", dir);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dprintf(fd, "{\"exit_code\":0,\"duration_ms\":5000,\"start_time\":1700000000,\"sample_name\":\"%s\"}", name);
		close(fd);
		rc = pn_behavior_report(dir, rs, NULL, &r, err, sizeof(err));
		ok(rc == PN_OK, "report from a directory");
		pn_strlcpy(bh[k], sget(r, "behash") ? sget(r, "behash") : "", sizeof(bh[k]));
		if (k == 0) {
			struct json_object *v;
			ok(json_object_object_get_ex(r, "analysis_date", &v) && json_object_get_int64(v) == 1700000000,
			    "analysis_date from run.json");
		}
		json_object_put(r);
		free(e1);
	}
	ok(strlen(bh[0]) == 64 && strcmp(bh[0], bh[1]) == 0, "behash ignores where the sample was put");
	snprintf(p, sizeof(p), "%s/events.jsonl", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/run.json", dir);
	unlink(p);
	rmdir(dir);
}

/* ---------------------------------------------------------------- rule language */

static struct pn_rules *
mem_rules(const char *text, int want_rc, const char *what, char *err, size_t errlen)
{
	struct pn_rules *rs = NULL;
	int rc = pn_rules_load_mem(text, strlen(text), "t.rules", &rs, err, errlen);

	if (rc != want_rc)
		diag("rc %d: %s", rc, err);
	ok(rc == want_rc, "%s", what);
	return rs;
}

static void
test_rule_syntax(void)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "[rule a]\nseverity = SEVERE\non = exec\n", "t.rules:2: bad severity" },
		{ "[rule a]\nseverity = LOW\nfoo = 1\n", "t.rules:3: unknown key" },
		{ "[rule a]\nseverity = LOW\non = exec path=\"/a b\n", "t.rules:3: unterminated quote" },
		{ "[rule a]\nseverity = LOW\non = exec path=$x\n", "t.rules:3: $captures need match = sequence" },
		{ "[rule a]\nseverity = LOW\non = exec\n[rule a]\nseverity = LOW\non = exec\n", "defined twice" },
		{ "[rule a]\nseverity = LOW\n", "no on-lines" },
		{ "[rule a]\nseverity = LOW\nattack = T10\non = exec\n", "bad ATT&CK id" },
		{ "[rule a]\nseverity = LOW\nmatch = count\non = exec\n", "needs count" },
		{ "[rule a]\nseverity = LOW\nmatch = sequence\nwithin = 5\non = exec\n", "2+ on-lines" },
		{ "[rule a b]\n", "bad rule id" },
		{ "key = v\n", "outside a section" },
		{ "[rule a]\nseverity = LOW\non = exec path\n", "no operator" },
		{ "[rule a]\nseverity = LOW\non = exec mode&x\n", "not a number" },
	};
	struct pn_rules *rs;
	char err[256];
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(bad); i++) {
		rs = mem_rules(bad[i].text, PN_EFORMAT, bad[i].err, err, sizeof(err));
		ok(rs == NULL && strstr(err, bad[i].err) != NULL, "message: %s", err);
	}
	rs = mem_rules("# c\n\n[noise]\npath = /x/*\n[rule ok.1]\nseverity = info\non = exec argv=\"a \\\"b\\\" c\"\n",
	    PN_OK, "quotes, comments, case-insensitive severity", err, sizeof(err));
	is_int(pn_rules_count(rs), 1, "one rule");
	pn_rules_free(rs);
}

static size_t
nfired(const char *rules, const char *events)
{
	struct pn_rules *rs = NULL;
	struct json_object *r;
	char err[256];
	size_t n;

	if (pn_rules_load_mem(rules, strlen(rules), "t", &rs, err, sizeof(err)) != PN_OK) {
		diag("%s", err);
		return 999;
	}
	pn_behavior_report_mem(events, strlen(events), NULL, 0, rs, NULL, &r);
	n = json_object_array_length(arr(r, "signature_matches"));
	json_object_put(r);
	pn_rules_free(rs);
	return n;
}

static void
test_rule_kinds(void)
{
	const char *seq = "[rule s]\nseverity = HIGH\nmatch = sequence\nwithin = 10\n"
	    "on = open path=$f access=write\non = chmod path=$f mode&0111\non = exec path=$f\n";
	const char *ev_ok = "{\"t\":1,\"pid\":2,\"ev\":\"open\",\"path\":\"/tmp/a\",\"flags\":65}\n"
	    "{\"t\":2,\"pid\":2,\"ev\":\"chmod\",\"path\":\"/tmp/a\",\"mode\":493}\n"
	    "{\"t\":3,\"pid\":3,\"ppid\":2,\"ev\":\"exec\",\"path\":\"/tmp/a\",\"argv\":[\"a\"]}\n";
	const char *ev_other = "{\"t\":1,\"pid\":2,\"ev\":\"open\",\"path\":\"/tmp/a\",\"flags\":65}\n"
	    "{\"t\":2,\"pid\":2,\"ev\":\"chmod\",\"path\":\"/tmp/b\",\"mode\":493}\n"
	    "{\"t\":3,\"pid\":2,\"ev\":\"exec\",\"path\":\"/tmp/a\"}\n";
	const char *ev_late = "{\"t\":1,\"pid\":2,\"ev\":\"open\",\"path\":\"/tmp/a\",\"flags\":65}\n"
	    "{\"t\":2,\"pid\":2,\"ev\":\"chmod\",\"path\":\"/tmp/a\",\"mode\":\"0755\"}\n"
	    "{\"t\":30,\"pid\":2,\"ev\":\"exec\",\"path\":\"/tmp/a\"}\n";
	const char *ev_order = "{\"t\":1,\"pid\":2,\"ev\":\"chmod\",\"path\":\"/tmp/a\",\"mode\":493}\n"
	    "{\"t\":2,\"pid\":2,\"ev\":\"open\",\"path\":\"/tmp/a\",\"flags\":65}\n"
	    "{\"t\":3,\"pid\":2,\"ev\":\"exec\",\"path\":\"/tmp/a\"}\n";
	const char *ev_unrel = "{\"t\":0,\"pid\":1,\"ev\":\"proc_fork\",\"child\":2}\n"
	    "{\"t\":0,\"pid\":2,\"ev\":\"proc_fork\",\"child\":3}\n"
	    "{\"t\":0,\"pid\":1,\"ev\":\"proc_fork\",\"child\":9}\n"
	    "{\"t\":0,\"pid\":9,\"ev\":\"proc_fork\",\"child\":10}\n"
	    "{\"t\":1,\"pid\":3,\"ev\":\"open\",\"path\":\"/tmp/a\",\"flags\":65}\n"
	    "{\"t\":2,\"pid\":10,\"ev\":\"chmod\",\"path\":\"/tmp/a\",\"mode\":493}\n"
	    "{\"t\":3,\"pid\":10,\"ev\":\"exec\",\"path\":\"/tmp/a\"}\n";
	const char *all = "[rule a]\nseverity = LOW\nmatch = all\non = open path=/x\non = exec name=y\n";
	const char *cnt = "[rule c]\nseverity = LOW\nmatch = count\ncount = 3\ndistinct = ip\non = connect port>=1000 port<2000\n";
	const char *c3 = "{\"pid\":1,\"ev\":\"connect\",\"ip\":\"a\",\"port\":1000}\n{\"pid\":1,\"ev\":\"connect\",\"ip\":\"b\",\"port\":1999}\n"
	    "{\"pid\":1,\"ev\":\"connect\",\"ip\":\"a\",\"port\":1500}\n{\"pid\":1,\"ev\":\"connect\",\"ip\":\"c\",\"port\":2000}\n";

	is_int(nfired(seq, ev_ok), 1, "sequence with a capture fires across a child");
	is_int(nfired(seq, ev_other), 0, "capture must repeat the same path");
	is_int(nfired(seq, ev_late), 0, "sequence outside its window does not fire");
	is_int(nfired(seq, ev_order), 0, "sequence steps must come in order");
	is_int(nfired(seq, ev_unrel), 0, "sequence across unrelated process trees does not fire");
	is_int(nfired(all, "{\"pid\":1,\"ev\":\"open\",\"path\":\"/x\"}\n"), 0, "all needs every line");
	is_int(nfired(all, "{\"pid\":1,\"ev\":\"open\",\"path\":\"/x\"}\n{\"pid\":1,\"ev\":\"exec\",\"path\":\"/b/y\"}\n"), 1,
	    "all fires with every line matched");
	is_int(nfired(cnt, c3), 0, "count counts distinct values within the numeric range (2 < 3)");
	is_int(nfired(cnt, "{\"pid\":1,\"ev\":\"connect\",\"ip\":\"d\",\"port\":1001}\n"), 0, "one is not three");
	{
		char *more = pn_xasprintf("%s{\"pid\":1,\"ev\":\"connect\",\"ip\":\"e\",\"port\":1234}\n", c3);
		is_int(nfired(cnt, more), 1, "three distinct fires");
		free(more);
	}
	is_int(nfired("[rule n]\nseverity = LOW\non = open path!=/a*\n", "{\"pid\":1,\"ev\":\"open\",\"path\":\"/ab\"}\n"), 0,
	    "!= excludes");
	is_int(nfired("[rule n]\nseverity = LOW\non = open path~/ETC/*\n", "{\"pid\":1,\"ev\":\"open\",\"path\":\"/etc/x\"}\n"), 1,
	    "~ is case-insensitive");
	is_int(nfired("[rule n]\nseverity = LOW\non = http headers.User-Agent=curl*\n",
	    "{\"pid\":0,\"ev\":\"http\",\"url\":\"http://x/\",\"headers\":{\"User-Agent\":\"curl/8\"}}\n"), 1, "nested field");
	is_int(nfired("[rule n]\nseverity = LOW\non = open path=/proc/[0-9]*/mem|\\[x\\]|/a/[!b]c\n",
	    "{\"pid\":1,\"ev\":\"open\",\"path\":\"/proc/12/mem\"}\n{\"pid\":1,\"ev\":\"open\",\"path\":\"/proc/self/mem\"}\n"
	    "{\"pid\":1,\"ev\":\"open\",\"path\":\"[x]\"}\n{\"pid\":1,\"ev\":\"open\",\"path\":\"/a/bc\"}\n"
	    "{\"pid\":1,\"ev\":\"open\",\"path\":\"/a/xc\"}\n"), 1, "classes, escapes, negated classes");
	{
		struct pn_buf b;
		struct pn_rules *rs = NULL;
		struct json_object *r;
		char err[256], *arg = pn_xmalloc(4001);
		const char *rule = "[rule slow]\nseverity = LOW\non = exec argv=*a*b*a*b*c*|*a?a?a?b*|*[ab]*[ab]*c*\n";
		int64_t t0;
		size_t i;

		memset(arg, 'a', 4000);
		arg[4000] = '\0';
		pn_buf_init(&b, 0);
		for (i = 0; i < 300; i++)
			pn_buf_printf(&b, "{\"pid\":1,\"ev\":\"exec\",\"path\":\"/x\",\"argv\":[\"%s\"]}\n", arg);
		pn_rules_load_mem(rule, strlen(rule), "t", &rs, err, sizeof(err));
		t0 = pn_mono_ms();
		pn_behavior_report_mem(b.p, b.len, NULL, 0, rs, NULL, &r);
		diag("300 hostile 4 KB command lines against 3-star globs: %lld ms", (long long)(pn_mono_ms() - t0));
		ok(pn_mono_ms() - t0 < 5000 && json_object_array_length(arr(r, "signature_matches")) == 0,
		    "multi-star globs stay fast on hostile input");
		json_object_put(r);
		pn_rules_free(rs);
		pn_buf_release(&b);
		free(arg);
	}
	is_int(nfired("[rule n]\nseverity = LOW\non = open flags=*O_TRUNC*\n",
	    "{\"pid\":1,\"ev\":\"open\",\"path\":\"/a\",\"flags\":577}\n"), 1, "numeric open flags rendered symbolically");
}

/* ---------------------------------------------------------------- static */

static struct json_object *
static_fixture(const struct pn_rules *rs, const char *name)
{
	char p[256];
	struct json_object *d, *r = NULL;

	snprintf(p, sizeof(p), DATA "%s.json", name);
	d = json_object_from_file(p);
	if (d == NULL)
		diag("missing %s", p);
	ok(pn_static_caps_report(d, rs, &r) == PN_OK, "static report of %s", name);
	json_object_put(d);
	return r ? r : json_object_new_object();
}

static void
test_static(struct json_object **keep)
{
	struct pn_rules *rs = load_rules("rules/behavior/static.rules");
	struct json_object *all = json_object_new_object(), *r, *s;
	static const char *const names[] = { "static-pe-injector", "static-elf-bot", "static-script", "static-doc" };
	char buf[1024];
	size_t i, missing = 0;
	struct json_object *nope = NULL, *notobj = json_object_new_array();

	ok(pn_static_caps_report(notobj, rs, &nope) == PN_EINVAL && nope == NULL, "details must be an object");
	json_object_put(notobj);
	for (i = 0; i < PN_ARRAY_LEN(names); i++) {
		r = static_fixture(rs, names[i]);
		collect_fired(r, all);
		if (i == 0) {
			s = find_by(r, "signature_matches", "id", "static.injection.remote_thread");
			ok(s != NULL, "PE injection imports fire");
			is_str(sget(s, "format"), "SIG_FORMAT_CAPA", "static format CAPA");
			ok(sget(s, "rule_src") && strstr(sget(s, "rule_src"), "import") != NULL, "rule_src kept");
			ok(match_data_has(s, "import kernel32.dll!WriteProcessMemory"), "import evidence");
			is_str(sget(r, "sandbox_name"), "Panoptes Static Capabilities", "static sandbox name");
			*keep = json_object_get(r);
		}
		json_object_put(r);
	}
	r = static_fixture(rs, "static-benign");
	is_int(above_info(r, buf, sizeof(buf)), 0, "static benign (Debian wget) fires nothing above INFO (%s)", buf);
	json_object_put(r);
	for (i = 0; i < pn_rules_count(rs); i++)
		if (!json_object_object_get_ex(all, pn_rules_id(rs, i), NULL)) {
			diag("static rule %s fires on no fixture", pn_rules_id(rs, i));
			missing++;
		}
	is_int(missing, 0, "every rule of static.rules fires on a fixture (%zu rules)", pn_rules_count(rs));
	json_object_put(all);
	pn_rules_free(rs);
}

/* ---------------------------------------------------------------- summary */

static void
test_summary(const struct pn_rules *rs, struct json_object *stat)
{
	struct json_object *rep[3], *sum, *trees, *t, *tac, *tech;
	const char *names[3] = { NULL, NULL, "Other Box" };
	size_t i, n;
	int found = 0, sorted = 1;

	rep[0] = fixture(rs, "persistence");
	rep[1] = stat;
	rep[2] = fixture(rs, "persistence");
	sum = pn_behavior_summary(rep, 3);
	ok(!json_object_object_get_ex(sum, "sandbox_name", NULL) && !json_object_object_get_ex(sum, "behash", NULL) &&
	    !json_object_object_get_ex(sum, "analysis_date", NULL) && !json_object_object_get_ex(sum, "run_info", NULL),
	    "summary drops report-only fields");
	is_int(json_object_array_length(arr(sum, "files_written")), json_object_array_length(arr(rep[0], "files_written")),
	    "summary deduplicates identical entries");
	ok(find_by(sum, "signature_matches", "format", "SIG_FORMAT_CAPA") &&
	    find_by(sum, "signature_matches", "format", "SIG_FORMAT_KEYWORD"), "summary has both sandboxes' signatures");
	ok(has_str(sum, "tags", "PERSISTENCE"), "summary tags");
	json_object_put(sum);

	trees = pn_behavior_mitre_trees(rep, names, 3);
	ok(json_object_object_get_ex(trees, "Linux Tracer", &t) && json_object_object_get_ex(trees, "Other Box", NULL) &&
	    json_object_object_get_ex(trees, "Panoptes Static Capabilities", NULL), "one tree per sandbox name");
	n = json_object_array_length(arr(t, "tactics"));
	for (i = 0; i < n; i++) {
		tac = json_object_array_get_idx(arr(t, "tactics"), i);
		if (i && strcmp(sget(json_object_array_get_idx(arr(t, "tactics"), i - 1), "id"), "TA0002") == 0 &&
		    strcmp(sget(tac, "id"), "TA0001") == 0)
			sorted = 0;
		tech = find_by(tac, "techniques", "id", "T1053.003");
		if (tech && (strcmp(sget(tac, "id"), "TA0002") == 0 || strcmp(sget(tac, "id"), "TA0003") == 0 ||
		    strcmp(sget(tac, "id"), "TA0004") == 0)) {
			found++;
			ok(find_by(tech, "signatures", "severity", "MEDIUM") != NULL &&
			    strcmp(sget(tech, "link"), "https://attack.mitre.org/techniques/T1053/003/") == 0,
			    "T1053.003 under %s with a MEDIUM signature and its link", sget(tac, "id"));
		}
	}
	is_int(found, 3, "T1053.003 under Execution, Persistence and Privilege Escalation");
	ok(sorted, "tactics in kill-chain order");
	tac = find_by(t, "tactics", "id", "TA0003");
	is_str(sget(tac, "name"), "Persistence", "tactic name");
	json_object_put(trees);
	json_object_put(rep[0]);
	json_object_put(rep[2]);
}

int
main(void)
{
	struct pn_rules *rs = load_rules("rules/behavior/linux.rules");
	struct json_object *all = json_object_new_object(), *stat = NULL;

	test_benign(rs);
	test_persistence(rs, all);
	test_downloader(rs, all);
	test_miner_injector(rs, all);
	test_real_dropper(rs, all);
	test_coverage(rs, all);
	test_bad_input(rs);
	test_dir_and_behash(rs);
	test_rule_syntax();
	test_rule_kinds();
	test_static(&stat);
	if (stat == NULL)
		stat = json_object_new_object();
	test_summary(rs, stat);
	json_object_put(stat);
	json_object_put(all);
	pn_rules_free(rs);
	return done_testing();
}
