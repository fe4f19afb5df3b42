/*
 * test_external.c - the engines that run outside Panoptes: clamd
 * (engines/clamd.c), ICAP (engines/icap.c), command line
 * (engines/cmdline.c) and their helpers (engines/external.c).
 *
 * The adapters are driven directly (init/scan/reload/free in this
 * process, not through analysis/job.c, whose seccomp filter would refuse
 * their sockets and exec) against:
 *   - tests/data/engines/fake_clamd.py: INSTREAM on a private UNIX socket,
 *     with markers for every reply form and error path;
 *   - a real clamd (Debian's clamav-daemon), started on a private socket
 *     with a temporary config and the project's signatures (engines/sigs);
 *     skipped with a diag line if /usr/sbin/clamd is missing or does not
 *     come up;
 *   - tests/data/engines/icap_server.py: RESPMOD/OPTIONS on 127.0.0.1, with
 *     and without preview, one service per answer form;
 *   - tests/data/engines/fakeav.sh: a command-line scanner.
 * Samples are random bytes with markers; EICAR is decoded at run time from
 * a masked table and checked against its MD5 (the literal string is in no
 * file of the tree).  The helper servers are run with /usr/bin/python3.
 *
 * The data directory is $PN_TEST_DATA, else tests/data/engines under the
 * current directory, else ../../tests/data/engines from the binary.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engines/external.c"
#include "engines/clamd.c"
#include "engines/icap.c"
#include "engines/cmdline.c"

#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include "tap.h"

#define PY "/usr/bin/python3"
#define CLAMD "/usr/sbin/clamd"
#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"
#define TEST_PATH_MAX 4096

static char datadir[TEST_PATH_MAX];
static char tmpdir[256];
static char sigs[TEST_PATH_MAX];

/* EICAR, each byte XOR 0xa5. */
static const uint8_t eicar_masked[] = {
	0xfd, 0x90, 0xea, 0x84, 0xf5, 0x80, 0xe5, 0xe4, 0xf5, 0xfe, 0x91, 0xf9,
	0xf5, 0xff, 0xfd, 0x90, 0x91, 0x8d, 0xf5, 0xfb, 0x8c, 0x92, 0xe6, 0xe6,
	0x8c, 0x92, 0xd8, 0x81, 0xe0, 0xec, 0xe6, 0xe4, 0xf7, 0x88, 0xf6, 0xf1,
	0xe4, 0xeb, 0xe1, 0xe4, 0xf7, 0xe1, 0x88, 0xe4, 0xeb, 0xf1, 0xec, 0xf3,
	0xec, 0xf7, 0xf0, 0xf6, 0x88, 0xf1, 0xe0, 0xf6, 0xf1, 0x88, 0xe3, 0xec,
	0xe9, 0xe0, 0x84, 0x81, 0xed, 0x8e, 0xed, 0x8f,
};
static uint8_t eicar[sizeof(eicar_masked)];

/* ------------------------------------------------------------------------
 * Helpers.
 */

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
find_dirs(const char *argv0)
{
	const char *env = getenv("PN_TEST_DATA");
	char self[TEST_PATH_MAX], *slash;

	if (env != NULL && is_dir(env)) {
		pn_strlcpy(datadir, env, sizeof(datadir));
	} else if (is_dir("tests/data/engines") && realpath("tests/data/engines", datadir) != NULL) {
		/* found */
	} else if (realpath(argv0, self) != NULL && (slash = strrchr(self, '/')) != NULL) {
		*slash = '\0';
		snprintf(datadir, sizeof(datadir), "%.3000s/../../tests/data/engines", self);
	}
	snprintf(sigs, sizeof(sigs), "%.3000s/../../../engines/sigs", datadir);
}

static char *
tpath(const char *name)
{
	return pn_xasprintf("%s/%s", tmpdir, name);
}

/* A sample: random bytes with text spliced in at off (0 = start). */
static uint8_t *
sample(size_t n, const char *text, size_t off)
{
	uint8_t *p = pn_xmalloc(n ? n : 1);

	pn_random(p, n);
	if (text != NULL && off + strlen(text) <= n)
		memcpy(p + off, text, strlen(text));
	return p;
}

static struct pn_scan_target
target(const uint8_t *p, size_t n)
{
	struct pn_scan_target t;

	memset(&t, 0, sizeof(t));
	t.fd = -1;
	t.data = n ? p : NULL;
	t.size = n;
	return t;
}

/* Scan p[0..n) with e; the verdict must be released by the caller. */
static int
scan_buf(struct pn_engine *e, const uint8_t *p, size_t n, struct pn_verdict *v)
{
	struct pn_scan_target t = target(p, n);

	memset(v, 0, sizeof(*v));
	return e->ops->scan(e, &t, v);
}

/* Scan a sample of n bytes with text at off; check category and result. */
static void
expect(struct pn_engine *e, size_t n, const char *text, size_t off, int want_rc,
    enum pn_category cat, const char *result, const char *what)
{
	uint8_t *p = sample(n, text, off);
	struct pn_verdict v;
	int rc = scan_buf(e, p, n, &v);
	int good = rc == want_rc && (rc != PN_OK || (v.category == cat &&
	    (result == NULL ? v.result == NULL : v.result != NULL && strcmp(v.result, result) == 0)));

	ok(good, "%s", what);
	if (!good)
		diag("rc %d (want %d), category %s, result %s", rc, want_rc,
		    rc == PN_OK ? pn_category_name(v.category) : "-", v.result ? v.result : "(null)");
	pn_verdict_release(&v);
	free(p);
}

static const char *
dstr(struct json_object *d, const char *key)
{
	struct json_object *o;

	if (d == NULL || !json_object_object_get_ex(d, key, &o))
		return "";
	return json_object_get_string(o);
}

static void
setup(struct pn_engine *e, const struct pn_engine_ops *ops, const char *name, int timeout_s)
{
	memset(e, 0, sizeof(*e));
	e->ops = ops;
	pn_strlcpy(e->name, name, sizeof(e->name));
	e->timeout_s = timeout_s;
}

static void
put(struct pn_conf *c, const char *k, const char *v)
{
	if (pn_conf_put(c, k, v) != PN_OK)
		fatalx("pn_conf_put %s", k);
}

/*
 * Start argv with stdout on a pipe; wait up to 20 s for a first line
 * starting with "ready" and return it in line.  Returns the pid or -1.
 */
static pid_t
start_helper(char *const argv[], char *line, size_t cap)
{
	int p[2];
	pid_t pid;
	size_t n = 0;
	int64_t deadline = pn_mono_ms() + 20000;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlive a crashed test */
		dup2(p[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	line[0] = '\0';
	while (n + 1 < cap) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		int64_t left = deadline - pn_mono_ms();
		ssize_t r;

		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			break;
		if ((r = read(p[0], line + n, 1)) <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(p[0]);
	if (strncmp(line, "ready", 5) != 0) {
		diag("helper %s did not start (said \"%s\")", argv[1] ? argv[1] : argv[0], line);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void
stop_helper(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static int
count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* ------------------------------------------------------------------------
 * external.c
 */

static void
test_helpers(void)
{
	struct pn_ext_addr a;
	char err[256], ver[64], upd[16], *l;
	char longpath[200];
	int fds[2], fd;
	size_t got;
	uint8_t b;

	ok(pn_ext_addr_parse("unix:/run/x.sock", 0, &a, err, sizeof(err)) == PN_OK &&
	    a.sa.ss_family == AF_UNIX &&
	    strcmp(((struct sockaddr_un *)&a.sa)->sun_path, "/run/x.sock") == 0, "addr: unix:");
	ok(pn_ext_addr_parse("/run/y.sock", 0, &a, err, sizeof(err)) == PN_OK &&
	    a.sa.ss_family == AF_UNIX, "addr: bare absolute path");
	ok(pn_ext_addr_parse("tcp:127.0.0.1:3310", 0, &a, err, sizeof(err)) == PN_OK &&
	    a.sa.ss_family == AF_INET &&
	    ntohs(((struct sockaddr_in *)&a.sa)->sin_port) == 3310, "addr: tcp:IPv4:port");
	ok(pn_ext_addr_parse("[::1]:1344", 0, &a, err, sizeof(err)) == PN_OK &&
	    a.sa.ss_family == AF_INET6 &&
	    ntohs(((struct sockaddr_in6 *)&a.sa)->sin6_port) == 1344, "addr: [IPv6]:port");
	ok(pn_ext_addr_parse("localhost", 1344, &a, err, sizeof(err)) == PN_OK,
	    "addr: name without port takes the default port");
	ok(pn_ext_addr_parse("127.0.0.1", 0, &a, err, sizeof(err)) == PN_EINVAL,
	    "addr: no port and no default refused");
	ok(pn_ext_addr_parse("127.0.0.1:70000", 0, &a, err, sizeof(err)) == PN_EINVAL &&
	    strstr(err, "port") != NULL, "addr: port out of range refused");
	ok(pn_ext_addr_parse("::1:80", 0, &a, err, sizeof(err)) == PN_EINVAL,
	    "addr: bare IPv6 refused");
	ok(pn_ext_addr_parse("", 0, &a, err, sizeof(err)) == PN_EINVAL, "addr: empty refused");
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ok(pn_ext_addr_parse(longpath, 0, &a, err, sizeof(err)) == PN_EINVAL,
	    "addr: unix path longer than sun_path refused");
	ok(pn_ext_addr_parse("no-such-host.invalid:1", 0, &a, err, sizeof(err)) == PN_EINVAL,
	    "addr: unresolvable name refused at parse time");

	l = pn_ext_label("  Win.Trojan\tX\x01Y  ", strlen("  Win.Trojan\tX\x01Y  "));
	is_str(l, "Win.Trojan X Y", "label: controls to spaces, trimmed");
	free(l);
	ok(pn_ext_label("   ", 3) == NULL, "label: blank is NULL");
	{
		char big[400];

		memset(big, 'a', sizeof(big));
		memcpy(big + PN_EXT_MAX_LABEL - 1, "\xc3\xa9", 2);    /* é across the cut */
		l = pn_ext_label(big, sizeof(big));
		ok(l != NULL && strlen(l) == PN_EXT_MAX_LABEL - 1, "label: cut before a split UTF-8 sequence");
		free(l);
	}
	l = pn_ext_label("a\xff" "b", 3);
	is_str(l, "a\xef\xbf\xbd" "b", "label: invalid UTF-8 replaced");
	free(l);

	pn_ext_clamav_version("ClamAV 1.4.6/27000/Mon Dec  1 09:26:53 2025", ver, sizeof(ver),
	    upd, sizeof(upd));
	ok(strcmp(ver, "1.4.6/27000") == 0 && strcmp(upd, "20251201") == 0,
	    "version: ClamAV with database date");
	pn_ext_clamav_version("ClamAV 1.4.6\n", ver, sizeof(ver), upd, sizeof(upd));
	ok(strcmp(ver, "1.4.6") == 0 && upd[0] == '\0', "version: ClamAV without database");
	pn_ext_clamav_version("ClamAV 1.0.0/1/Xyz Foo 99 00:00:00 2025", ver, sizeof(ver),
	    upd, sizeof(upd));
	ok(strcmp(ver, "1.0.0/1") == 0 && upd[0] == '\0', "version: bad date gives no update");
	pn_ext_clamav_version("  Other AV 7.1 (build 3)\nsecond line", ver, sizeof(ver),
	    upd, sizeof(upd));
	ok(strcmp(ver, "Other AV 7.1 (build 3)") == 0 && upd[0] == '\0', "version: other text, first line");
	pn_ext_date(1709640000, upd, sizeof(upd));
	is_str(upd, "20240305", "date of a time");
	ok(pn_ext_strcasecmp("Sha256_Hash", "sha256_HASH") == 0 &&
	    pn_ext_strcasecmp("a", "b") < 0 && pn_ext_strncasecmp("ISTagX", "istag", 5) == 0,
	    "ASCII case-insensitive compare");

	/* A closed port: connection refused, quickly. */
	{
		struct sockaddr_in sin;
		socklen_t sl = sizeof(sin);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		char spec[64];
		int64_t t0;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s, (struct sockaddr *)&sin, sizeof(sin));
		getsockname(s, (struct sockaddr *)&sin, &sl);
		close(s);
		snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%d", ntohs(sin.sin_port));
		pn_ext_addr_parse(spec, 0, &a, err, sizeof(err));
		t0 = pn_mono_ms();
		ok(pn_ext_connect(&a, pn_mono_ms() + 3000, &fd) == PN_EIO && pn_mono_ms() - t0 < 2000,
		    "connect to a closed port: PN_EIO");
	}
	/* recv past the deadline. */
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds);
	{
		int64_t t0 = pn_mono_ms();
		int rc = pn_ext_recv(fds[0], &b, 1, pn_mono_ms() + 200, &got);

		ok(rc == PN_ETIMEOUT && pn_mono_ms() - t0 >= 190, "recv: deadline gives PN_ETIMEOUT");
	}
	close(fds[1]);
	ok(pn_ext_recv(fds[0], &b, 1, pn_mono_ms() + 200, &got) == PN_OK && got == 0,
	    "recv: EOF is PN_OK with 0 bytes");
	ok(pn_ext_send(fds[0], "x", 1, pn_mono_ms() + 200) == PN_EIO, "send to a closed peer: PN_EIO, no SIGPIPE");
	close(fds[0]);
}

/* ------------------------------------------------------------------------
 * clamd against fake_clamd.py
 */

static void
test_clamd_fake(void)
{
	char *sock = tpath("fake-clamd.sock"), *script = pn_xasprintf("%s/fake_clamd.py", datadir);
	char *spec = pn_xasprintf("unix:%s", sock), line[256];
	char *argv[] = { PY, script, sock, "--max", "300000", NULL };
	struct pn_conf *c = pn_conf_new();
	struct pn_engine e;
	struct pn_verdict v;
	pid_t pid;
	int rc;

	pid = start_helper(argv, line, sizeof(line));
	ok(pid > 0, "fake clamd started");
	if (pid <= 0)
		goto out;
	put(c, "clamd.address", spec);
	setup(&e, &pn_engine_clamd_ops, "ClamAV-daemon", 5);
	rc = e.ops->init(&e, c);
	ok(rc == PN_OK && e.error[0] == '\0', "clamd init");
	is_str(e.version, "1.4.6/27000", "clamd: engine_version from VERSION");
	is_str(e.update, "20251201", "clamd: engine_update from VERSION");
	ok(e.confine_flags == (PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND),
	    "clamd: needs the network in its scan child, starts beside the type check");

	expect(&e, 5000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "clamd: clean file");
	expect(&e, 0, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "clamd: empty file");
	expect(&e, 200000, "PN-CLAMD-MARK:Win.Test.One;", 150000, PN_OK, PN_CAT_MALICIOUS,
	    "Win.Test.One", "clamd: marker in the 3rd chunk found");
	expect(&e, 100, "PN-CLAMD-MARK:Local.Sig.UNOFFICIAL;", 10, PN_OK, PN_CAT_MALICIOUS,
	    "Local.Sig", "clamd: .UNOFFICIAL dropped from the result");
	expect(&e, 100, "PN-CLAMD-MARK:Heuristics.Encrypted.Zip;", 10, PN_OK,
	    PN_CAT_SUSPICIOUS, "Heuristics.Encrypted.Zip", "clamd: encrypted alone is suspicious");
	expect(&e, 100, "PN-CLAMD-MARK:Heuristics.Limits.Exceeded.MaxFileSize;", 10, PN_OK,
	    PN_CAT_UNDETECTED, NULL, "clamd: limits exceeded is not a detection");
	{
		uint8_t *p = sample(3000, "PN-CLAMD-MARK:Heuristics.Encrypted.Zip;", 0);
		struct json_object *m;

		memcpy(p + 1000, "PN-CLAMD-MARK:Win.Second;", 25);
		memcpy(p + 2000, "PN-CLAMD-MARK:Win.Second;", 25);
		rc = scan_buf(&e, p, 3000, &v);
		ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS && v.result &&
		    strcmp(v.result, "Win.Second") == 0 && v.method == NULL &&
		    json_object_object_get_ex(v.details, "matches", &m) &&
		    json_object_array_length(m) == 2,
		    "clamd: all-match replies: detection over encrypted, names deduplicated");
		pn_verdict_release(&v);
		free(p);
	}
	{
		uint8_t *p = sample(400000, NULL, 0);
		int64_t t0 = pn_mono_ms();

		rc = scan_buf(&e, p, 400000, &v);
		ok(rc == PN_OK && v.category == PN_CAT_TYPE_UNSUPPORTED &&
		    strstr(dstr(v.details, "error"), "size limit") != NULL,
		    "clamd: StreamMaxLength exceeded is type-unsupported");
		diag("size-limit answer after %lld ms", (long long)(pn_mono_ms() - t0));
		pn_verdict_release(&v);
		free(p);
	}
	expect(&e, 100, "PN-CLAMD-ERROR", 5, PN_EINTERNAL, 0, NULL, "clamd: ERROR reply is a failure");
	expect(&e, 100, "PN-CLAMD-GARBAGE", 5, PN_EFORMAT, 0, NULL, "clamd: garbage reply is PN_EFORMAT");
	expect(&e, 100, "PN-CLAMD-CLOSE", 5, PN_EFORMAT, 0, NULL, "clamd: no reply is PN_EFORMAT");
	{
		int64_t t0 = pn_mono_ms(), ms;

		e.timeout_s = 2;
		expect(&e, 100, "PN-CLAMD-HANG", 5, PN_OK, PN_CAT_TIMEOUT, NULL,
		    "clamd: a daemon that never answers is a timeout");
		ms = pn_mono_ms() - t0;
		ok(ms >= 1700 && ms < 2500, "clamd: timeout after 90%% of the engine timeout (%lld ms)",
		    (long long)ms);
		e.timeout_s = 5;
	}
	/* Target as an fd without a map. */
	{
		char *path = tpath("clamd-fd.bin");
		uint8_t *p = sample(70000, "PN-CLAMD-MARK:Fd.Only;", 69000);
		FILE *f = fopen(path, "wb");
		struct pn_scan_target t;

		fwrite(p, 1, 70000, f);
		fclose(f);
		memset(&t, 0, sizeof(t));
		t.fd = open(path, O_RDONLY);
		t.size = 70000;
		memset(&v, 0, sizeof(v));
		rc = e.ops->scan(&e, &t, &v);
		ok(rc == PN_OK && v.result && strcmp(v.result, "Fd.Only") == 0, "clamd: target as an fd");
		pn_verdict_release(&v);
		close(t.fd);
		unlink(path);
		free(path);
		free(p);
	}
	/* The daemon goes away: init stays healthy, scans fail. */
	stop_helper(pid);
	pid = -1;
	expect(&e, 100, NULL, 0, PN_EIO, 0, NULL, "clamd: daemon gone: scan fails with PN_EIO");
	rc = e.ops->reload(&e, c);
	ok(rc == PN_OK && e.version[0] == '\0' && e.error[0] == '\0',
	    "clamd: reload with the daemon down: healthy, version unknown");
	e.ops->free(&e);

	put(c, "clamd.address", "tcp:no-such-host.invalid:3310");
	setup(&e, &pn_engine_clamd_ops, "ClamAV-daemon", 5);
	rc = e.ops->init(&e, c);
	ok(rc == PN_EINVAL && e.error[0] != '\0', "clamd: unresolvable address: PN_EINVAL, error set");
	e.ops->free(&e);
out:
	stop_helper(pid);
	pn_conf_free(c);
	unlink(sock);
	free(sock);
	free(script);
	free(spec);
}

/* ------------------------------------------------------------------------
 * clamd: the real daemon
 */

static void
make_eicar(void)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char hex[33];
	size_t i;

	for (i = 0; i < sizeof(eicar); i++)
		eicar[i] = eicar_masked[i] ^ 0xa5;
	EVP_Digest(eicar, sizeof(eicar), md, &len, EVP_md5(), NULL);
	pn_hex(md, len, hex);
	if (strcmp(hex, EICAR_MD5) != 0)
		fatalx("EICAR table corrupt");
}

static int
copy_sigs(const char *to)
{
	char *cmd = pn_xasprintf("cp '%s'/* '%s'/", sigs, to);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? PN_OK : PN_EIO;
}

/* Wait until a UNIX socket accepts connections (clamd loads first). */
static int
wait_socket(const char *path, pid_t pid, int seconds)
{
	struct pn_ext_addr a;
	char err[128];
	int64_t deadline = pn_mono_ms() + (int64_t)seconds * 1000;

	if (pn_ext_addr_parse(path, 0, &a, err, sizeof(err)) != PN_OK)
		return PN_EINVAL;
	while (pn_mono_ms() < deadline) {
		int fd, status;
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (pn_ext_connect(&a, pn_mono_ms() + 1000, &fd) == PN_OK) {
			close(fd);
			return PN_OK;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return PN_EIO;
		nanosleep(&ts, NULL);
	}
	return PN_ETIMEOUT;
}

static void
test_clamd_real(void)
{
	char *dir = tpath("clamd"), *db = tpath("clamd/db"), *sock = tpath("clamd/clamd.sock");
	char *conf = tpath("clamd/clamd.conf"), *tmp = tpath("clamd/tmp"), *log = tpath("clamd/log");
	char *text, *spec;
	struct pn_conf *c = NULL;
	struct pn_engine e;
	struct pn_verdict v;
	pid_t pid = -1;
	FILE *f;
	int rc;

	if (access(CLAMD, X_OK) != 0) {
		diag("SKIP real clamd: %s not installed (Debian package clamav-daemon)", CLAMD);
		goto out;
	}
	if (mkdir(dir, 0700) != 0 || mkdir(db, 0700) != 0 || mkdir(tmp, 0700) != 0 ||
	    copy_sigs(db) != PN_OK) {
		diag("SKIP real clamd: cannot prepare %s", dir);
		goto out;
	}
	text = pn_xasprintf("LocalSocket %s\nDatabaseDirectory %s\nTemporaryDirectory %s\n"
	    "Foreground yes\nLogSyslog no\nLogFile %s\nStreamMaxLength 100K\n"
	    "MaxThreads 2\nReadTimeout 10\nCommandReadTimeout 10\nSelfCheck 3600\n",
	    sock, db, tmp, log);
	f = fopen(conf, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);
		char *cf = pn_xasprintf("--config-file=%s", conf);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		execl(CLAMD, CLAMD, cf, "--foreground", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || (rc = wait_socket(sock, pid, 60)) != PN_OK) {
		diag("SKIP real clamd: did not come up (see %s)", log);
		goto out;
	}
	c = pn_conf_new();
	spec = pn_xasprintf("unix:%s", sock);
	put(c, "clamd.address", spec);
	free(spec);
	setup(&e, &pn_engine_clamd_ops, "ClamAV-daemon", 30);
	rc = e.ops->init(&e, c);
	ok(rc == PN_OK, "real clamd: init");
	ok(strncmp(e.version, "1.", 2) == 0, "real clamd: version \"%s\"", e.version);
	diag("real clamd: version \"%s\", update \"%s\"", e.version, e.update);
	rc = scan_buf(&e, eicar, sizeof(eicar), &v);
	ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS && v.result != NULL &&
	    strncmp(v.result, "Panoptes.Test.EICAR", 19) == 0 && strstr(v.result, "UNOFFICIAL") == NULL,
	    "real clamd: EICAR FOUND (%s)", v.result ? v.result : "null");
	pn_verdict_release(&v);
	{
		uint8_t *p = sample(50000, NULL, 0);

		rc = scan_buf(&e, p, 50000, &v);
		ok(rc == PN_OK && v.category == PN_CAT_UNDETECTED, "real clamd: random bytes OK");
		pn_verdict_release(&v);
		free(p);
		p = sample(300000, NULL, 0);
		rc = scan_buf(&e, p, 300000, &v);
		ok(rc == PN_OK && v.category == PN_CAT_TYPE_UNSUPPORTED,
		    "real clamd: past StreamMaxLength is type-unsupported");
		if (rc != PN_OK || v.category != PN_CAT_TYPE_UNSUPPORTED)
			diag("rc %d category %s", rc, rc == PN_OK ? pn_category_name(v.category) : "-");
		pn_verdict_release(&v);
		free(p);
	}
	e.ops->free(&e);
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	pn_conf_free(c);
	free(dir);
	free(db);
	free(sock);
	free(conf);
	free(tmp);
	free(log);
}

/* ------------------------------------------------------------------------
 * ICAP against icap_server.py
 */

static pid_t
start_icap(char *preview, char *logfile, int *port)
{
	char *script = pn_xasprintf("%s/icap_server.py", datadir), line[64];
	char *argv[8];
	int64_t p = 0;
	size_t i = 0;
	pid_t pid;

	argv[i++] = PY;
	argv[i++] = script;
	argv[i++] = "--log";
	argv[i++] = logfile;
	if (preview != NULL) {
		argv[i++] = "--preview";
		argv[i++] = preview;
	}
	argv[i] = NULL;
	pid = start_helper(argv, line, sizeof(line));
	free(script);
	if (pid > 0 && pn_parse_i64(line + 6, 1, 65535, &p) != PN_OK) {
		stop_helper(pid);
		return -1;
	}
	*port = (int)p;
	return pid;
}

/*
 * The last line of the server's log.  The server writes a request's line
 * before it answers, so the line of the request just answered is there.
 */
static void
last_log(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[256];

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		pn_strlcpy(out, line, cap);
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static int
icap_engine(struct pn_engine *e, struct pn_conf *c, int port, const char *service, int timeout_s)
{
	char *url = pn_xasprintf("icap://127.0.0.1:%d/%s", port, service);
	int rc;

	put(c, "icap.url", url);
	free(url);
	setup(e, &pn_engine_icap_ops, "ICAP", timeout_s);
	rc = e->ops->init(e, c);
	if (rc != PN_OK)
		diag("icap init: %s", e->error);
	return rc;
}

static void
test_icap(void)
{
	char *logf = tpath("icap.log"), *log2 = tpath("icap2.log"), last[256];
	char preview16[] = "16";
	struct pn_conf *c = pn_conf_new();
	struct pn_engine e;
	struct pn_verdict v;
	pid_t pid, pid2 = -1;
	int port = 0, port2 = 0, rc;

	pid = start_icap(preview16, logf, &port);
	ok(pid > 0, "ICAP test server started (preview 16)");
	if (pid <= 0)
		goto out;

	rc = icap_engine(&e, c, port, "avscan", 5);
	ok(rc == PN_OK, "icap init");
	is_str(e.version, "PN-20240315-1", "icap: engine_version is the ISTag");
	is_str(e.update, "20240315", "icap: engine_update from the date in the ISTag");
	ok(((struct icap *)e.priv)->preview == 16, "icap: Preview size from OPTIONS");
	ok(e.confine_flags == (PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND),
	    "icap: needs the network in its scan child, starts beside the type check");
	expect(&e, 10, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "icap: small clean file (204)");
	last_log(logf, last, sizeof(last));
	is_str(last, "RESPMOD /avscan preview=16 continue=0 ieof=1 body=10",
	    "icap: whole file in the preview, ieof");
	expect(&e, 100000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "icap: large clean file");
	last_log(logf, last, sizeof(last));
	is_str(last, "RESPMOD /avscan preview=16 continue=1 ieof=0 body=100000",
	    "icap: preview, 100 Continue, rest of the body");
	expect(&e, 100000, "PN-ICAP-MARK:Eicar.Like;", 90000, PN_OK, PN_CAT_MALICIOUS,
	    "Eicar.Like", "icap: X-Infection-Found after continue");
	expect(&e, 100000, "PN-ICAP-MARK:E;", 0, PN_OK, PN_CAT_MALICIOUS, "E",
	    "icap: detection decided on the preview");
	last_log(logf, last, sizeof(last));
	ok(strstr(last, "continue=0 ieof=0 body=16") != NULL, "icap: no 100 Continue when the preview decides");
	expect(&e, 0, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "icap: empty file");
	{
		uint8_t *p = sample(5000, "PN-ICAP-MARK:Thr.Details;", 100);

		rc = scan_buf(&e, p, 5000, &v);
		ok(rc == PN_OK && strcmp(dstr(v.details, "icap_status"), "200") == 0,
		    "icap: details carry the ICAP status");
		pn_verdict_release(&v);
		free(p);
	}
	/* Target as an fd without a map. */
	{
		char *path = tpath("icap-fd.bin");
		uint8_t *p = sample(70000, "PN-ICAP-MARK:Fd.Only;", 69000);
		FILE *f = fopen(path, "wb");
		struct pn_scan_target t;

		fwrite(p, 1, 70000, f);
		fclose(f);
		memset(&t, 0, sizeof(t));
		t.fd = open(path, O_RDONLY);
		t.size = 70000;
		memset(&v, 0, sizeof(v));
		rc = e.ops->scan(&e, &t, &v);
		ok(rc == PN_OK && v.result && strcmp(v.result, "Fd.Only") == 0, "icap: target as an fd");
		pn_verdict_release(&v);
		close(t.fd);
		unlink(path);
		free(path);
		free(p);
	}
	e.ops->free(&e);

	icap_engine(&e, c, port, "virusid", 5);
	expect(&e, 3000, "PN-ICAP-MARK:By.VirusID;", 50, PN_OK, PN_CAT_MALICIOUS, "By.VirusID",
	    "icap: X-Virus-ID");
	e.ops->free(&e);
	icap_engine(&e, c, port, "violations", 5);
	expect(&e, 3000, "PN-ICAP-MARK:By.Violations;", 50, PN_OK, PN_CAT_MALICIOUS,
	    "By.Violations", "icap: X-Violations-Found (folded header)");
	e.ops->free(&e);
	icap_engine(&e, c, port, "modify", 5);
	{
		uint8_t *p = sample(3000, "PN-ICAP-MARK:Hidden;", 50);

		rc = scan_buf(&e, p, 3000, &v);
		ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS && v.result &&
		    strcmp(v.result, PN_ICAP_BLOCKED_LABEL) == 0 &&
		    strcmp(dstr(v.details, "http_status"), "HTTP/1.1 403 Forbidden") == 0,
		    "icap: a replaced body without a header is malicious (blocked)");
		pn_verdict_release(&v);
		free(p);
	}
	expect(&e, 3000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "icap: modify service, clean file");
	e.ops->free(&e);
	icap_engine(&e, c, port, "echo", 5);
	expect(&e, 70000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "icap: 200 with the body unchanged is clean");
	e.ops->free(&e);
	icap_engine(&e, c, port, "error", 5);
	expect(&e, 300, NULL, 0, PN_EINTERNAL, 0, NULL, "icap: 500 is a failure");
	e.ops->free(&e);
	icap_engine(&e, c, port, "garbage", 5);
	expect(&e, 300, NULL, 0, PN_EFORMAT, 0, NULL, "icap: a non-ICAP answer is PN_EFORMAT");
	e.ops->free(&e);
	icap_engine(&e, c, port, "hang", 2);
	{
		int64_t t0 = pn_mono_ms(), ms;

		expect(&e, 300, NULL, 0, PN_OK, PN_CAT_TIMEOUT, NULL, "icap: no answer is a timeout");
		ms = pn_mono_ms() - t0;
		ok(ms >= 1700 && ms < 2500, "icap: timeout after 90%% of the engine timeout (%lld ms)",
		    (long long)ms);
	}
	e.ops->free(&e);

	/* A server without preview. */
	pid2 = start_icap(NULL, log2, &port2);
	ok(pid2 > 0, "ICAP test server started (no preview)");
	if (pid2 > 0) {
		icap_engine(&e, c, port2, "avscan", 5);
		ok(((struct icap *)e.priv)->preview == -1, "icap: no Preview in OPTIONS");
		expect(&e, 100000, "PN-ICAP-MARK:No.Preview;", 99000, PN_OK, PN_CAT_MALICIOUS,
		    "No.Preview", "icap: whole body without preview");
		last_log(log2, last, sizeof(last));
		is_str(last, "RESPMOD /avscan preview=None continue=0 ieof=0 body=100000",
		    "icap: no Preview header sent");
		e.ops->free(&e);
	}

	/* Server down: init healthy, scans fail. */
	stop_helper(pid);
	pid = -1;
	rc = icap_engine(&e, c, port, "avscan", 5);
	ok(rc == PN_OK && e.version[0] == '\0', "icap: init with the server down: healthy, version unknown");
	expect(&e, 100, NULL, 0, PN_EIO, 0, NULL, "icap: server down: scan fails with PN_EIO");
	e.ops->free(&e);
	put(c, "icap.url", "http://127.0.0.1/avscan");
	setup(&e, &pn_engine_icap_ops, "ICAP", 5);
	ok(e.ops->init(&e, c) == PN_EINVAL, "icap: non-icap URL refused");
	e.ops->free(&e);
	put(c, "icap.url", "icap:///avscan");
	setup(&e, &pn_engine_icap_ops, "ICAP", 5);
	ok(e.ops->init(&e, c) == PN_EINVAL, "icap: URL without host refused");
	e.ops->free(&e);
out:
	stop_helper(pid);
	stop_helper(pid2);
	pn_conf_free(c);
	free(logf);
	free(log2);
}

/* Header parsing on fixed blocks. */
static void
test_icap_headers(void)
{
	char v[256], *t;
	const char *blk = "ICAP/1.0 200 OK\r\nISTag: \"x\"\r\nX-Infection-Found: Type=0; "
	    "Resolution=2; Threat=Win.A;\r\nX-Violations-Found: 1\r\n\tf.exe\r\n\tWin.B\r\n"
	    "\t7\r\n\t0\r\nEncapsulated: res-hdr=0, res-body=120\r\n\r\n";

	ok(header_get(blk, "istag", v, sizeof(v)) && strcmp(v, "\"x\"") == 0, "header: case-insensitive name");
	ok(header_get(blk, "X-Violations-Found", v, sizeof(v)) &&
	    strcmp(v, "1\nf.exe\nWin.B\n7\n0") == 0, "header: folded lines joined with newlines");
	ok(!header_get(blk, "X-Virus-ID", v, sizeof(v)), "header: absent");
	t = threat_name(blk);
	is_str(t, "Win.A", "threat: X-Infection-Found wins");
	free(t);
	t = threat_name("ICAP/1.0 200 OK\r\nX-Infection-Found: Type=2; Threat=Evil Thing; x\r\n\r\n");
	is_str(t, "Evil Thing", "threat: name with a space");
	free(t);
	ok(encap_offset("res-hdr=0, res-body=120", "res-body") == 120 &&
	    encap_offset("req-hdr=0, res-hdr=50, null-body=90", "res-body") == -1 &&
	    encap_offset("res-hdr=0, res-body=99999999999", "res-body") == -1,
	    "Encapsulated offsets");
	ok(status_code("ICAP/1.0 204 No Content\r\n", "ICAP") == 204 &&
	    status_code("ICAP/1.0 20 x\r\n", "ICAP") == -1 &&
	    status_code("HTTP/1.1 200 OK\r\n", "ICAP") == -1, "status lines");
	{
		char d[16];

		istag_date("\"CI0001-20231105-x\"", d, sizeof(d));
		is_str(d, "20231105", "ISTag date");
		istag_date("5.1.0.123456789", d, sizeof(d));
		is_str(d, "", "ISTag without a date");
	}
}

/* ------------------------------------------------------------------------
 * Command line against fakeav.sh
 */

static void
cmd_conf(struct pn_conf *c, const char *command)
{
	put(c, "cmdline.command", command);
}

static void
test_split_words(void)
{
	char *argv[8];
	int n;

	n = split_words("  /bin/av  -x 'a b' \"c \\\"d\\\\\" e\\ f {}  ", argv, 7);
	ok(n == 6 && strcmp(argv[0], "/bin/av") == 0 && strcmp(argv[2], "a b") == 0 &&
	    strcmp(argv[3], "c \"d\\") == 0 && strcmp(argv[4], "e f") == 0 &&
	    strcmp(argv[5], "{}") == 0 && argv[6] == NULL, "words: quotes and escapes");
	if (n > 0)
		free_words(argv);
	ok(split_words("a 'b", argv, 7) == PN_EFORMAT, "words: unterminated quote");
	ok(split_words("a b c d e f g h", argv, 7) == PN_ELIMIT, "words: too many");
	ok(split_words("   ", argv, 7) == 0, "words: blank");
	n = split_words("x''y \"\"", argv, 7);
	ok(n == 2 && strcmp(argv[0], "xy") == 0 && argv[1][0] == '\0', "words: empty quotes");
	if (n > 0)
		free_words(argv);
	{
		int map[EXIT_ANY + 1];
		char err[128];

		ok(parse_exit_map(" 0 : undetected , 1:malicious,*:failure", map, err, sizeof(err)) ==
		    PN_OK && map[0] == PN_CAT_UNDETECTED + 1 && map[1] == PN_CAT_MALICIOUS + 1 &&
		    map[EXIT_ANY] == PN_CAT_FAILURE + 1 && map[2] == 0, "exit map parsed");
		ok(parse_exit_map("0:clean", map, err, sizeof(err)) == PN_EINVAL, "exit map: unknown category");
		ok(parse_exit_map("256:malicious", map, err, sizeof(err)) == PN_EINVAL, "exit map: code > 255");
		ok(parse_exit_map("malicious", map, err, sizeof(err)) == PN_EINVAL, "exit map: no colon");
	}
	{
		struct capture *cp = pn_xcalloc(1, sizeof(*cp));
		struct pn_buf b;
		char chunk[1000];
		int i;

		pn_buf_init(&b, PN_CMDLINE_MAX_OUTPUT + 8);
		for (i = 0; i < 100; i++) {
			memset(chunk, 'a' + i % 26, sizeof(chunk));
			capture_add(cp, chunk, sizeof(chunk));
		}
		capture_finish(cp, &b);
		ok(b.len == PN_CMDLINE_MAX_OUTPUT + 7 && b.p[0] == 'a' && b.p[HALF - 1] == 'g' &&
		    memcmp(b.p + HALF, "\n[...]\n", 7) == 0 && b.p[b.len - 1] == 'a' + 99 % 26 &&
		    b.p[b.len - 1000] == 'a' + 99 % 26 && b.p[b.len - 1001] == 'a' + 98 % 26,
		    "output capture keeps head and tail in order");
		pn_buf_release(&b);
		free(cp);
	}
}

static void
test_cmdline(void)
{
	char *av = pn_xasprintf("%s/fakeav.sh", datadir), *cmd, *pidfile = tpath("fakeav.pid");
	char *scratch = tpath("cmdtmp");
	struct pn_conf *c = pn_conf_new();
	struct pn_engine e;
	struct pn_verdict v;
	int rc;

	mkdir(scratch, 0700);
	setenv("TMPDIR", scratch, 1);
	setenv("FAKEAV_PIDFILE", pidfile, 1);
	cmd = pn_xasprintf("%s --prefix 'Fake AV.' {}", av);
	cmd_conf(c, cmd);
	free(cmd);
	put(c, "cmdline.pattern", "FOUND: (.*)$");
	put(c, "cmdline.exit_map", "0:undetected,1:malicious,2:failure");
	cmd = pn_xasprintf("%s --version", av);
	put(c, "cmdline.version_command", cmd);
	free(cmd);
	setup(&e, &pn_engine_cmdline_ops, "CommandLine", 5);
	rc = e.ops->init(&e, c);
	ok(rc == PN_OK, "cmdline init");
	if (rc != PN_OK) {
		diag("error: %s", e.error);
		goto out;
	}
	is_str(e.version, "9.8.7/4242", "cmdline: engine_version from version_command");
	is_str(e.update, "20240102", "cmdline: engine_update from version_command");
	ok(e.confine_flags == (PN_ENGINE_NEEDS_EXEC | PN_ENGINE_TYPE_BLIND),
	    "cmdline: needs exec in its scan child, starts beside the type check");
	expect(&e, 3000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "cmdline: clean file");
	expect(&e, 3000, "PN-FAKEAV-MARK:Trojan.X;", 1000, PN_OK, PN_CAT_MALICIOUS,
	    "Fake AV.Trojan.X", "cmdline: detection, name from the pattern, quoted word kept");
	expect(&e, 0, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "cmdline: empty file");
	{
		uint8_t *p = sample(500, "PN-FAKEAV-MARK:Nul.Out;PN-FAKEAV-NUL", 10);

		rc = scan_buf(&e, p, 500, &v);
		ok(rc == PN_OK && v.result && strcmp(v.result, "Fake AV.Nul.Out") == 0 &&
		    strcmp(dstr(v.details, "exit_code"), "1") == 0 &&
		    strstr(dstr(v.details, "output"), "FOUND") != NULL,
		    "cmdline: NUL bytes in the output; details exit_code and output");
		pn_verdict_release(&v);
		free(p);
	}
	expect(&e, 500, "PN-FAKEAV-MARK:After.Noise;PN-FAKEAV-NOISE", 10, PN_OK,
	    PN_CAT_MALICIOUS, "Fake AV.After.Noise", "cmdline: name after 200 KB of output (tail kept)");
	expect(&e, 500, "PN-FAKEAV-EXIT:2;", 10, PN_OK, PN_CAT_FAILURE, NULL, "cmdline: exit 2 mapped to failure");
	expect(&e, 500, "PN-FAKEAV-EXIT:7;", 10, PN_EINTERNAL, 0, NULL, "cmdline: unmapped exit code");
	expect(&e, 500, "PN-FAKEAV-CRASH", 10, PN_EINTERNAL, 0, NULL, "cmdline: killed by a signal");
	{
		int64_t t0 = pn_mono_ms(), ms;
		char pidtxt[32] = "";
		int64_t gpid = 0;
		FILE *f;

		e.timeout_s = 2;
		unlink(pidfile);
		expect(&e, 500, "PN-FAKEAV-SLEEP", 10, PN_OK, PN_CAT_TIMEOUT, NULL, "cmdline: hanging program is a timeout");
		ms = pn_mono_ms() - t0;
		ok(ms >= 1700 && ms < 2600, "cmdline: killed at 90%% of the engine timeout (%lld ms)",
		    (long long)ms);
		if ((f = fopen(pidfile, "r")) != NULL) {
			if (fgets(pidtxt, sizeof(pidtxt), f) == NULL)
				pidtxt[0] = '\0';
			fclose(f);
		}
		pidtxt[strcspn(pidtxt, "\n")] = '\0';
		if (pn_parse_i64(pidtxt, 2, INT32_MAX, &gpid) == PN_OK) {
			char stat_path[64], st[512] = "";
			int i, gone = 0;

			/* Gone, or a zombie waiting for a reaper that is not us. */
			for (i = 0; i < 50 && !gone; i++) {
				FILE *sf;

				snprintf(stat_path, sizeof(stat_path), "/proc/%lld/stat", (long long)gpid);
				if ((sf = fopen(stat_path, "r")) == NULL) {
					gone = 1;
					break;
				}
				if (fgets(st, sizeof(st), sf) != NULL && strstr(st, ") Z ") != NULL)
					gone = 1;
				fclose(sf);
				if (!gone) {
					struct timespec ts = { 0, 20 * 1000 * 1000 };

					nanosleep(&ts, NULL);
				}
			}
			ok(gone, "cmdline: the program's background child was killed with its group");
		} else
			ok(0, "cmdline: fakeav wrote the pid of its background child");
		e.timeout_s = 5;
	}
	is_int(count_files(scratch, "pn-cmdline-"), 0, "cmdline: temporary copies removed");
	e.ops->free(&e);

	/* Path appended (no {}), --file={} inside a word, input=fd, "*" mapping. */
	cmd_conf(c, av);
	put(c, "cmdline.version_command", "");
	setup(&e, &pn_engine_cmdline_ops, "CommandLine", 5);
	rc = e.ops->init(&e, c);
	ok(rc == PN_OK && e.version[0] == '\0', "cmdline: no version_command, version empty");
	expect(&e, 800, "PN-FAKEAV-MARK:Appended;", 100, PN_OK, PN_CAT_MALICIOUS, "Appended",
	    "cmdline: path appended when the command has no {}");
	e.ops->free(&e);
	cmd = pn_xasprintf("%s --file={}", av);
	cmd_conf(c, cmd);
	free(cmd);
	put(c, "cmdline.input", "fd");
	put(c, "cmdline.exit_map", "0:undetected,*:suspicious");
	setup(&e, &pn_engine_cmdline_ops, "CommandLine", 5);
	rc = e.ops->init(&e, c);
	ok(rc == PN_OK, "cmdline: init with input=fd");
	{
		char *path = tpath("cmd-fd.bin");
		uint8_t *p = sample(5000, "PN-FAKEAV-MARK:Via.Proc.Fd;", 4000);
		void *map;
		FILE *f = fopen(path, "wb");
		struct pn_scan_target t;

		fwrite(p, 1, 5000, f);
		fclose(f);
		memset(&t, 0, sizeof(t));
		t.fd = open(path, O_RDONLY | O_CLOEXEC);
		t.size = 5000;
		map = mmap(NULL, 5000, PROT_READ, MAP_PRIVATE, t.fd, 0);
		t.data = map;
		memset(&v, 0, sizeof(v));
		rc = e.ops->scan(&e, &t, &v);
		ok(rc == PN_OK && v.category == PN_CAT_SUSPICIOUS && v.result &&
		    strcmp(v.result, "Via.Proc.Fd") == 0 &&
		    strstr(dstr(v.details, "output"), "/proc/self/fd/") != NULL,
		    "cmdline: input=fd passes /proc/self/fd/N inside --file=; exit 1 via *");
		pn_verdict_release(&v);
		munmap(map, 5000);
		close(t.fd);
		unlink(path);
		free(path);
		free(p);
	}
	e.ops->free(&e);
	put(c, "cmdline.input", "file");
	put(c, "cmdline.exit_map", "0:undetected,1:malicious");

	/* Bad configurations. */
	{
		static const struct {
			const char *key, *value, *what;
		} bad[] = {
			{ "cmdline.command", "", "empty command" },
			{ "cmdline.command", "/bin/sh -c 'oops", "unterminated quote" },
			{ "cmdline.command", "/nonexistent/scanner {}", "missing program" },
			{ "cmdline.command", "no-such-scanner-in-path {}", "program not in PATH" },
			{ "cmdline.pattern", "FOUND: (", "bad regex" },
			{ "cmdline.exit_map", "x:malicious", "bad exit code" },
			{ "cmdline.input", "pipe", "bad input mode" },
		};
		size_t i;

		for (i = 0; i < PN_ARRAY_LEN(bad); i++) {
			struct pn_conf *c2 = pn_conf_new();

			put(c2, "cmdline.command", av);
			put(c2, bad[i].key, bad[i].value);
			setup(&e, &pn_engine_cmdline_ops, "CommandLine", 5);
			rc = e.ops->init(&e, c2);
			ok(rc == PN_EINVAL && e.error[0] != '\0', "cmdline: %s refused (%s)",
			    bad[i].what, e.error);
			e.ops->free(&e);
			pn_conf_free(c2);
		}
	}
	/* A failed reload keeps the old program. */
	cmd_conf(c, av);
	setup(&e, &pn_engine_cmdline_ops, "CommandLine", 5);
	e.ops->init(&e, c);
	cmd_conf(c, "/nonexistent/scanner");
	rc = e.ops->reload(&e, c);
	ok(rc == PN_EINVAL && e.error[0] != '\0', "cmdline: failed reload sets the error");
	expect(&e, 800, "PN-FAKEAV-MARK:Still.Old;", 100, PN_OK, PN_CAT_MALICIOUS, "Still.Old",
	    "cmdline: failed reload keeps the old command");
	e.ops->free(&e);
out:
	unsetenv("FAKEAV_PIDFILE");
	pn_conf_free(c);
	free(av);
	free(pidfile);
	free(scratch);
}

/* The engine rows: names from the options, else the row's prefix. */
static void
test_instances(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_engine_instance *in = NULL;
	size_t n = 0;

	ok(pn_clamd_instances(c, "ClamAV-daemon", &in, &n) == PN_OK && n == 1 &&
	    strcmp(in[0].name, "ClamAV-daemon") == 0 && in[0].arg == NULL, "instances: default name");
	pn_engine_instances_free(in, n);
	put(c, "icap.name", "  Vendor\tAV  ");
	ok(pn_icap_instances(c, "ICAP", &in, &n) == PN_OK && n == 1 &&
	    strcmp(in[0].name, "Vendor AV") == 0, "instances: name option, cleaned");
	pn_engine_instances_free(in, n);
	put(c, "cmdline.name", "   ");
	ok(pn_cmdline_instances(c, "CommandLine", &in, &n) == PN_OK && n == 1 &&
	    strcmp(in[0].name, "CommandLine") == 0, "instances: blank name falls back to the prefix");
	pn_engine_instances_free(in, n);
	pn_conf_free(c);
}

/* A real command-line scanner: Debian's clamscan on the project's signatures. */
static void
test_cmdline_clamscan(void)
{
	static const char *const modes[] = { "file", "fd" };
	struct pn_conf *c;
	struct pn_engine e;
	struct pn_verdict v;
	char *cmd;
	size_t i;
	int rc;

	if (access("/usr/bin/clamscan", X_OK) != 0 || !is_dir(sigs)) {
		diag("SKIP clamscan: /usr/bin/clamscan or %s missing", sigs);
		return;
	}
	for (i = 0; i < PN_ARRAY_LEN(modes); i++) {
		c = pn_conf_new();
		cmd = pn_xasprintf("/usr/bin/clamscan --no-summary -d '%s' {}", sigs);
		put(c, "cmdline.command", cmd);
		free(cmd);
		put(c, "cmdline.pattern", ": (.*) FOUND$");
		put(c, "cmdline.exit_map", "0:undetected,1:malicious,*:failure");
		put(c, "cmdline.version_command", "/usr/bin/clamscan --version");
		put(c, "cmdline.input", modes[i]);
		setup(&e, &pn_engine_cmdline_ops, "ClamAV-cli", 30);
		rc = e.ops->init(&e, c);
		ok(rc == PN_OK && strncmp(e.version, "1.", 2) == 0, "clamscan (%s): init, version %s",
		    modes[i], e.version);
		if (strcmp(modes[i], "fd") == 0) {
			char *path = tpath("eicar.bin");
			FILE *f = fopen(path, "wb");
			struct pn_scan_target t;

			fwrite(eicar, 1, sizeof(eicar), f);
			fclose(f);
			memset(&t, 0, sizeof(t));
			t.fd = open(path, O_RDONLY | O_CLOEXEC);
			t.size = sizeof(eicar);
			t.data = eicar;
			memset(&v, 0, sizeof(v));
			rc = e.ops->scan(&e, &t, &v);
			close(t.fd);
			unlink(path);
			free(path);
		} else
			rc = scan_buf(&e, eicar, sizeof(eicar), &v);
		ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS && v.result != NULL &&
		    strncmp(v.result, "Panoptes.Test.EICAR", 19) == 0,
		    "clamscan (%s): EICAR found (%s)", modes[i], v.result ? v.result : "null");
		pn_verdict_release(&v);
		expect(&e, 2000, NULL, 0, PN_OK, PN_CAT_UNDETECTED, NULL, "clamscan: random bytes clean");
		e.ops->free(&e);
		pn_conf_free(c);
	}
}

/* The rows of engines/engines.c build these engines with their names and flags. */
static void
test_engine_set(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_engines set;
	char *list = tpath("set-list.txt"), *sock = tpath("nobody-listens.sock"), *spec;
	char *av = pn_xasprintf("%s/fakeav.sh", datadir);
	FILE *f = fopen(list, "w");
	size_t i;
	int found = 0;

	fputs("44d88612fea8a8f36de82e1278abb02f EICAR\n", f);
	fclose(f);
	spec = pn_xasprintf("unix:%s", sock);
	put(c, "clamav.enabled", "false");
	put(c, "yara.enabled", "false");
	put(c, "heuristics.enabled", "false");
	put(c, "hashlist.enabled", "true");
	put(c, "hashlist.bad", list);
	put(c, "clamd.enabled", "true");
	put(c, "clamd.address", spec);
	put(c, "clamd.name", "My-clamd");
	put(c, "icap.enabled", "true");
	put(c, "icap.url", "icap://127.0.0.1:1/avscan");
	put(c, "icap.name", "HashList");
	put(c, "cmdline.enabled", "true");
	put(c, "cmdline.command", av);
	pn_engines_load(&set, c);
	for (i = 0; i < set.n; i++) {
		const struct pn_engine *e = set.v[i];

		if (e->error[0] != '\0')
			diag("%s: %s", e->name, e->error);
		if (strcmp(e->name, "HashList") == 0 && e->ops == &pn_engine_hashlist_ops &&
		    e->error[0] == '\0' && e->confine_flags == PN_ENGINE_SHARE_CHILD)
			found |= 1;
		if (strcmp(e->name, "My-clamd") == 0 && e->ops == &pn_engine_clamd_ops &&
		    e->error[0] == '\0' && e->confine_flags == (PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND) &&
		    e->max_size == 25u << 20)
			found |= 2;
		if (strcmp(e->name, "HashList-2") == 0 && e->ops == &pn_engine_icap_ops &&
		    e->error[0] == '\0' && e->confine_flags == (PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND))
			found |= 4;
		if (strcmp(e->name, "CommandLine") == 0 && e->ops == &pn_engine_cmdline_ops &&
		    e->error[0] == '\0' && e->confine_flags == (PN_ENGINE_NEEDS_EXEC | PN_ENGINE_TYPE_BLIND))
			found |= 8;
	}
	ok(set.n == 4 && found == 15, "engine set: hashlist, clamd, icap, cmdline rows (names, flags, limits)");
	if (found != 15)
		diag("%zu engines, found mask %d", set.n, found);
	pn_engines_free(&set);
	pn_conf_free(c);
	free(list);
	free(sock);
	free(spec);
	free(av);
}

static void
cleanup(void)
{
	char *cmd = pn_xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	free(cmd);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	pn_log_set_level(PN_LOG_ERROR);
	find_dirs(argv[0]);
	snprintf(tmpdir, sizeof(tmpdir), "%.200s/pn-external-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");
	make_eicar();
	test_helpers();
	test_instances();
	test_icap_headers();
	test_split_words();
	if (access(PY, X_OK) != 0) {
		diag("SKIP clamd/ICAP protocol tests: %s missing", PY);
	} else {
		test_clamd_fake();
		test_icap();
	}
	test_clamd_real();
	test_cmdline();
	test_cmdline_clamscan();
	test_engine_set();
	cleanup();
	return done_testing();
}
