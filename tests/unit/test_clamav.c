/*
 * test_clamav.c - the ClamAV engine (engines/clamav.c) and the engine set
 * (engines/engines.c) against the project's signatures (engines/sigs/).
 *
 * Samples: the EICAR test file, decoded at run time from an XOR-masked
 * table (the literal string is in no file of the tree) and checked against
 * its published MD5; every file of Debian's clamav-testfiles; random bytes;
 * zip archives built at run time with /usr/bin/zip (skipped if absent).
 * Also measures engine load time and per-file scan time (diag lines).
 *
 * The test includes engines/clamav.c to check the name-to-verdict mapping,
 * the CVD date and libclamav's time limit directly.
 *
 * The signature directory is $PN_SIGS, else engines/sigs under the current
 * directory, else ../../engines/sigs relative to the test binary.
 *
 * SPDX-License-Identifier: MIT
 */
/* The adapter itself, to reach its static helpers (STYLE.md §2.7). */
#include "engines/clamav.c"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tap.h"

#define TESTFILES "/usr/share/clamav-testfiles"
#define ZIP "/usr/bin/zip"
#define TEST_PATH_MAX 4096
#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"

static char sigs[TEST_PATH_MAX + 32];     /* the project's signature directory */
static char tmpdir[TEST_PATH_MAX];   /* scratch, removed at the end */

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

static void
make_eicar(void)
{
	size_t i;

	for (i = 0; i < sizeof(eicar); i++)
		eicar[i] = eicar_masked[i] ^ 0xa5;
}

static void
md5_hex(const uint8_t *p, size_t n, char out[33])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(p, n, md, &len, EVP_md5(), NULL);
	pn_hex(md, len, out);
}

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
find_sigs(const char *argv0)
{
	const char *env = getenv("PN_SIGS");
	char self[TEST_PATH_MAX];

	if (env != NULL && is_dir(env)) {
		pn_strlcpy(sigs, env, sizeof(sigs));
	} else if (is_dir("engines/sigs")) {
		if (realpath("engines/sigs", sigs) == NULL)
			pn_strlcpy(sigs, "engines/sigs", sizeof(sigs));
	} else if (realpath(argv0, self) != NULL) {
		char *slash = strrchr(self, '/');

		if (slash != NULL)
			*slash = '\0';
		snprintf(sigs, sizeof(sigs), "%s/../../engines/sigs", self);
	}
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n)
		fatal("write %s", path);
	fclose(f);
}

static int
run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == -1)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Copy the project's .hdb/.ndb/... files into dir. */
static void
copy_sigs(const char *dir)
{
	DIR *d = opendir(sigs);
	struct dirent *de;

	if (d == NULL)
		fatal("opendir %s", sigs);
	mkdir(dir, 0700);
	while ((de = readdir(d)) != NULL) {
		char src[TEST_PATH_MAX + 300], dst[TEST_PATH_MAX + 300], buf[8192];
		FILE *f;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", sigs, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
		if ((f = fopen(src, "rb")) == NULL)
			fatal("open %s", src);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		write_file(dst, buf, n);
	}
	closedir(d);
}

static void
rm_tmpdir(void)
{
	char *argv[] = { "/bin/rm", "-rf", tmpdir, NULL };

	if (tmpdir[0] != '\0')
		run(argv);
}

/* A conf on the given signature directory, with no official databases. */
static struct pn_conf *
conf_for(const char *sigdir)
{
	struct pn_conf *c = pn_conf_new();

	pn_conf_put(c, "clamav.signatures", sigdir);
	pn_conf_put(c, "clamav.database_dir", "");
	pn_conf_put(c, "yara.enabled", "false");   /* this test is about ClamAV alone */
	pn_conf_put(c, "hashlist.enabled", "false");
	pn_conf_put(c, "heuristics.enabled", "false");
	return c;
}

static int
scan_mem(struct pn_engine *e, const void *p, size_t n, struct pn_verdict *v)
{
	struct pn_scan_target t = { .fd = -1, .data = p, .size = n };

	return e->ops->scan(e, &t, v);
}

/* Scan a file through the map path, or the fd path when by_fd. */
static int
scan_path(struct pn_engine *e, const char *path, int by_fd, struct pn_verdict *v)
{
	struct pn_scan_target t = { .fd = -1 };
	struct stat st;
	void *map = NULL;
	int fd, rc;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close(fd);
		return PN_EIO;
	}
	t.fd = fd;
	t.size = (size_t)st.st_size;
	if (!by_fd && st.st_size > 0) {
		map = mmap(NULL, t.size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			close(fd);
			return PN_EIO;
		}
		t.data = map;
	}
	rc = e->ops->scan(e, &t, v);
	if (map != NULL)
		munmap(map, t.size);
	close(fd);
	return rc;
}

static int
has_match(const struct pn_verdict *v, const char *name)
{
	struct json_object *m;
	size_t i;

	if (v->details == NULL || !json_object_object_get_ex(v->details, "matches", &m))
		return 0;
	for (i = 0; i < json_object_array_length(m); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(m, i)), name) == 0)
			return 1;
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------------------
 * Tests.
 */

static void
test_categories(void)
{
	static const char *const names[] = { "harmless", "type-unsupported", "suspicious",
	    "confirmed-timeout", "timeout", "failure", "malicious", "undetected" };
	enum pn_category c;
	int i, good = 1;

	for (i = 0; i < PN_CAT__COUNT; i++) {
		if (strcmp(pn_category_name((enum pn_category)i), names[i]) != 0)
			good = 0;
		if (pn_category_parse(names[i], &c) != PN_OK || (int)c != i)
			good = 0;
	}
	ok(good, "category names and parse round-trip");
	ok(pn_category_parse("Malicious", &c) == PN_EINVAL, "category parse is exact");
	ok(pn_category_parse("", &c) == PN_EINVAL, "empty category rejected");
}

static void
test_eicar(struct pn_engine *e)
{
	struct pn_verdict v = { 0 };
	char hex[33], path[TEST_PATH_MAX + 16];
	static const char *const kinds[] = { "HDB", "HSB", "NDB", "LDB" };
	size_t i;

	make_eicar();
	md5_hex(eicar, sizeof(eicar), hex);
	is_str(hex, EICAR_MD5, "EICAR assembled (%zu bytes)", sizeof(eicar));

	is_int(scan_mem(e, eicar, sizeof(eicar), &v), PN_OK, "EICAR scan (memory)");
	is_int(v.category, PN_CAT_MALICIOUS, "EICAR is malicious");
	ok(starts(v.result, "Panoptes.Test.EICAR-"), "EICAR result %s", v.result ? v.result : "(null)");
	ok(v.result && strstr(v.result, ".UNOFFICIAL") == NULL, "result has no .UNOFFICIAL suffix");
	ok(v.method == NULL, "EICAR method is blacklist (NULL)");
	for (i = 0; i < PN_ARRAY_LEN(kinds); i++) {
		char name[64];

		snprintf(name, sizeof(name), "Panoptes.Test.EICAR-%s.UNOFFICIAL", kinds[i]);
		ok(has_match(&v, name), "EICAR matched by the .%c%c%c signature", kinds[i][0] | 0x20,
		    kinds[i][1] | 0x20, kinds[i][2] | 0x20);
	}
	if (v.details)
		diag("details %s", json_object_to_json_string(v.details));
	pn_verdict_release(&v);
	ok(v.result == NULL && v.details == NULL, "verdict released");

	snprintf(path, sizeof(path), "%s/eicar.bin", tmpdir);
	write_file(path, eicar, sizeof(eicar));
	is_int(scan_path(e, path, 1, &v), PN_OK, "EICAR scan (fd)");
	is_int(v.category, PN_CAT_MALICIOUS, "EICAR via fd is malicious");
	pn_verdict_release(&v);

	/* With trailing bytes the hashes no longer match, the .ndb/.ldb still do. */
	{
		uint8_t big[sizeof(eicar) + 1];

		memcpy(big, eicar, sizeof(eicar));
		big[sizeof(eicar)] = '\n';
		scan_mem(e, big, sizeof(big), &v);
		ok(v.category == PN_CAT_MALICIOUS && !has_match(&v, "Panoptes.Test.EICAR-HDB.UNOFFICIAL") &&
		    has_match(&v, "Panoptes.Test.EICAR-NDB.UNOFFICIAL"),
		    "EICAR plus newline: body signatures only");
		pn_verdict_release(&v);
	}
}

static void
test_testfiles(struct pn_engine *e)
{
	DIR *d = opendir(TESTFILES);
	struct dirent *de;
	int64_t times[256];
	size_t n = 0, detected = 0;
	int64_t total = 0;

	if (d == NULL) {
		diag("%s absent (apt-get install clamav-testfiles): skipped", TESTFILES);
		return;
	}
	while ((de = readdir(d)) != NULL && n < PN_ARRAY_LEN(times)) {
		char path[TEST_PATH_MAX + 300];
		struct pn_verdict v = { 0 };
		int64_t t0;
		int rc;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", TESTFILES, de->d_name);
		t0 = now_us();
		rc = scan_path(e, path, 0, &v);
		times[n] = now_us() - t0;
		total += times[n];
		n++;
		if (rc == PN_OK && v.category == PN_CAT_MALICIOUS &&
		    starts(v.result, "Panoptes.Test.ClamExe-"))
			detected++;
		ok(rc == PN_OK && v.category == PN_CAT_MALICIOUS, "%s: %s %s (%.2f ms)", de->d_name,
		    rc == PN_OK ? pn_category_name(v.category) : pn_strerror(rc),
		    v.result ? v.result : "-", times[n - 1] / 1000.0);
		pn_verdict_release(&v);
	}
	closedir(d);
	ok(n > 0, "clamav-testfiles holds files");
	is_int(detected, n, "every clamav-testfiles file detected as Panoptes.Test.ClamExe-*");
	diag("clamav-testfiles: %zu of %zu detected", detected, n);
	if (n > 0) {
		qsort(times, n, sizeof(times[0]), cmp_i64);
		diag("scan time per file: min %.2f ms, median %.2f ms, p90 %.2f ms, max %.2f ms, "
		    "total %.1f ms", times[0] / 1000.0, times[n / 2] / 1000.0,
		    times[n * 9 / 10] / 1000.0, times[n - 1] / 1000.0, total / 1000.0);
	}
}

static void
test_clean(struct pn_engine *e)
{
	struct pn_verdict v = { 0 };
	static uint8_t rnd[1 << 16];
	char path[TEST_PATH_MAX + 16];

	is_int(scan_path(e, "/bin/true", 0, &v), PN_OK, "/bin/true scanned");
	ok(v.category == PN_CAT_UNDETECTED && v.result == NULL && v.details == NULL,
	    "/bin/true is undetected, no result, no details");
	pn_verdict_release(&v);

	pn_random(rnd, sizeof(rnd));
	is_int(scan_mem(e, rnd, sizeof(rnd), &v), PN_OK, "random bytes scanned");
	ok(v.category == PN_CAT_UNDETECTED && v.result == NULL, "random bytes undetected");
	pn_verdict_release(&v);

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "", 0);
	is_int(scan_path(e, path, 0, &v), PN_OK, "empty file scanned");
	is_int(v.category, PN_CAT_UNDETECTED, "empty file undetected");
	pn_verdict_release(&v);
	is_int(scan_mem(e, NULL, 0, &v), PN_OK, "no fd, no bytes");
	is_int(v.category, PN_CAT_UNDETECTED, "nothing to scan is undetected");
	pn_verdict_release(&v);

	/* Over the engine's size limit: not scanned. */
	{
		uint64_t keep = e->max_size;

		e->max_size = sizeof(eicar) - 1;
		is_int(scan_mem(e, eicar, sizeof(eicar), &v), PN_OK, "oversized scan");
		is_int(v.category, PN_CAT_TYPE_UNSUPPORTED, "over max_size is type-unsupported");
		pn_verdict_release(&v);
		e->max_size = keep;
	}
}

static int
zip_files(char *zip, char *password, char *member)
{
	char *argv[8];
	int i = 0;

	argv[i++] = ZIP;
	argv[i++] = "-q";
	argv[i++] = "-j";
	if (password != NULL) {
		argv[i++] = "-P";
		argv[i++] = password;
	}
	argv[i++] = zip;
	argv[i++] = member;
	argv[i] = NULL;
	return run(argv);
}

static void
test_archives(struct pn_engine *e)
{
	char inner[TEST_PATH_MAX + 16], plain[TEST_PATH_MAX + 16], enc[TEST_PATH_MAX + 16];
	char encbad[TEST_PATH_MAX + 16];
	struct pn_verdict v = { 0 };
	uint8_t rnd[4096];

	if (access(ZIP, X_OK) != 0) {
		diag("%s absent (apt-get install zip): archive tests skipped", ZIP);
		return;
	}
	snprintf(inner, sizeof(inner), "%s/eicar.bin", tmpdir);
	snprintf(plain, sizeof(plain), "%s/plain.zip", tmpdir);
	snprintf(enc, sizeof(enc), "%s/enc.zip", tmpdir);
	snprintf(encbad, sizeof(encbad), "%s/encbad.zip", tmpdir);
	write_file(inner, eicar, sizeof(eicar));
	ok(zip_files(plain, NULL, inner) == 0, "zip of EICAR built");
	is_int(scan_path(e, plain, 0, &v), PN_OK, "zip of EICAR scanned");
	ok(v.category == PN_CAT_MALICIOUS && starts(v.result, "Panoptes.Test.EICAR-"),
	    "EICAR found inside a zip: %s", v.result ? v.result : "(null)");
	pn_verdict_release(&v);

	pn_random(rnd, sizeof(rnd));
	snprintf(inner, sizeof(inner), "%s/random.bin", tmpdir);
	write_file(inner, rnd, sizeof(rnd));
	ok(zip_files(enc, "panoptes", inner) == 0, "encrypted zip built");
	is_int(scan_path(e, enc, 0, &v), PN_OK, "encrypted zip scanned");
	is_int(v.category, PN_CAT_SUSPICIOUS, "encrypted zip is suspicious");
	ok(starts(v.result, "Heuristics.Encrypted"), "encrypted zip result %s",
	    v.result ? v.result : "(null)");
	is_str(v.method, "heuristic", "encrypted zip method heuristic");
	pn_verdict_release(&v);

	/* Encrypted EICAR: libclamav cannot look inside; still the heuristic. */
	snprintf(inner, sizeof(inner), "%s/eicar.bin", tmpdir);
	ok(zip_files(encbad, "panoptes", inner) == 0, "encrypted zip of EICAR built");
	scan_path(e, encbad, 0, &v);
	is_int(v.category, PN_CAT_SUSPICIOUS, "encrypted zip of EICAR is suspicious");
	pn_verdict_release(&v);
}

/*
 * Nesting beyond clamav.max_recursion is reported, not called malicious.  The
 * sample is a compressible marker known only by its .hdb hash, so nothing
 * matches the raw bytes of the outer layers.
 */
static void
test_limits(void)
{
	char dir[TEST_PATH_MAX + 16], hdb[TEST_PATH_MAX + 32], line[128];
	char inner[TEST_PATH_MAX + 16], z1[TEST_PATH_MAX + 16], z2[TEST_PATH_MAX + 16];
	char z3[TEST_PATH_MAX + 16], hex[33];
	struct pn_engine e = { .ops = &pn_engine_clamav_ops, .timeout_s = 60 };
	struct pn_verdict v = { 0 };
	struct json_object *lim;
	static uint8_t marker[8192];
	struct pn_conf *c;
	size_t i;

	if (access(ZIP, X_OK) != 0)
		return;
	pn_random(marker, 32);
	for (i = 32; i < sizeof(marker); i++)
		marker[i] = marker[i % 32];
	md5_hex(marker, sizeof(marker), hex);
	snprintf(dir, sizeof(dir), "%s/sigs3", tmpdir);
	copy_sigs(dir);
	snprintf(hdb, sizeof(hdb), "%s/marker.hdb", dir);
	snprintf(line, sizeof(line), "%s:%zu:Panoptes.Test.Nested\n", hex, sizeof(marker));
	write_file(hdb, line, strlen(line));
	snprintf(inner, sizeof(inner), "%s/marker.bin", tmpdir);
	write_file(inner, marker, sizeof(marker));

	c = conf_for(dir);
	pn_conf_put(c, "clamav.max_recursion", "2");
	is_int(e.ops->init(&e, c), PN_OK, "engine with max_recursion 2");
	snprintf(z1, sizeof(z1), "%s/n1.zip", tmpdir);
	snprintf(z2, sizeof(z2), "%s/n2.zip", tmpdir);
	snprintf(z3, sizeof(z3), "%s/n3.zip", tmpdir);
	ok(zip_files(z1, NULL, inner) == 0 && zip_files(z2, NULL, z1) == 0 &&
	    zip_files(z3, NULL, z2) == 0, "zip in zip in zip of a marker built");
	is_int(scan_path(&e, z1, 0, &v), PN_OK, "depth 1 scanned");
	is_str(v.result, "Panoptes.Test.Nested", "marker at depth 1 found");
	pn_verdict_release(&v);
	is_int(scan_path(&e, z3, 0, &v), PN_OK, "depth 3 scanned");
	is_int(v.category, PN_CAT_UNDETECTED, "marker beyond max_recursion: undetected");
	ok(v.details && json_object_object_get_ex(v.details, "limits_exceeded", &lim) &&
	    json_object_array_length(lim) > 0, "limits_exceeded reported");
	if (v.details)
		diag("details %s", json_object_to_json_string(v.details));
	pn_verdict_release(&v);
	e.ops->free(&e);
	pn_conf_free(c);
}

/* Name-to-verdict mapping, on names fed through the virus-found callback. */
static void
verdict_of(const char *const *names, size_t n, struct pn_verdict *v)
{
	struct scan_ctx sc;
	size_t i;

	memset(&sc, 0, sizeof(sc));
	memset(v, 0, sizeof(*v));
	for (i = 0; i < n; i++)
		on_virus(-1, names[i], &sc);
	fill_verdict(&sc, v);
	for (i = 0; i < sc.n; i++)
		free(sc.names[i]);
}

static void
test_mapping(void)
{
	static const char *const mixed[] = { "Heuristics.Encrypted.Zip",
	    "Win.Trojan.Agent-1.UNOFFICIAL", "Heuristics.Encrypted.Zip",
	    "Win.Trojan.Agent-1.UNOFFICIAL" };
	static const char *const heur[] = { "Heuristics.Phishing.Email.SpoofedDomain" };
	static const char *const lim[] = { "Heuristics.Limits.Exceeded.MaxFiles" };
	static const char *const slow[] = { "Heuristics.Limits.Exceeded.MaxScanTime" };
	static const char *const slowhit[] = { "Heuristics.Limits.Exceeded.MaxScanTime",
	    "Eicar-Signature" };
	struct json_object *m;
	struct pn_verdict v;
	struct scan_ctx sc;
	char name[32];
	size_t i;

	verdict_of(mixed, PN_ARRAY_LEN(mixed), &v);
	ok(v.category == PN_CAT_MALICIOUS && v.result && strcmp(v.result, "Win.Trojan.Agent-1") == 0 &&
	    v.method == NULL, "a signature beats the encrypted heuristic, suffix stripped");
	ok(json_object_object_get_ex(v.details, "matches", &m) && json_object_array_length(m) == 2,
	    "duplicate names reported once");
	pn_verdict_release(&v);

	verdict_of(heur, 1, &v);
	ok(v.category == PN_CAT_MALICIOUS && v.method && strcmp(v.method, "heuristic") == 0,
	    "other Heuristics.* are malicious, method heuristic");
	pn_verdict_release(&v);

	verdict_of(lim, 1, &v);
	ok(v.category == PN_CAT_UNDETECTED && v.result == NULL &&
	    json_object_object_get_ex(v.details, "limits_exceeded", &m),
	    "a limit alone is no detection");
	pn_verdict_release(&v);

	verdict_of(slow, 1, &v);
	is_int(v.category, PN_CAT_TIMEOUT, "MaxScanTime alone is a timeout");
	pn_verdict_release(&v);
	verdict_of(slowhit, 2, &v);
	ok(v.category == PN_CAT_MALICIOUS && v.result && strcmp(v.result, "Eicar-Signature") == 0,
	    "a find before the time limit still counts");
	pn_verdict_release(&v);

	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < PN_CLAMAV_MAX_MATCHES + 5; i++) {
		snprintf(name, sizeof(name), "Test.Name-%zu", i);
		on_virus(-1, name, &sc);
	}
	memset(&v, 0, sizeof(v));
	fill_verdict(&sc, &v);
	ok(sc.n == PN_CLAMAV_MAX_MATCHES && json_object_object_get_ex(v.details, "dropped", &m) &&
	    json_object_get_int(m) == 5, "names beyond PN_CLAMAV_MAX_MATCHES counted as dropped");
	for (i = 0; i < sc.n; i++)
		free(sc.names[i]);
	pn_verdict_release(&v);
}

/* engine_update comes from the CVD header when official databases exist. */
static void
test_cvd_date(void)
{
	static const char head[] = "ClamAV-VDB:05 Mar 2024 07-30 +0000:27200:2000000:90:"
	    "0123456789abcdef0123456789abcdef:X:panoptes-test:1709623800";
	char dir[TEST_PATH_MAX + 16], path[TEST_PATH_MAX + 32], buf[512], out[16];
	struct pn_conf *c;
	time_t t = 0;

	snprintf(dir, sizeof(dir), "%s/cvd", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/daily.cvd", dir);
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, head, sizeof(head) - 1);
	write_file(path, buf, sizeof(buf));
	is_int(scan_db_dir(dir, 1, &t), 1, "one database file");
	is_int(t, 1709623800, "CVD build time read");
	c = conf_for(sigs);
	pn_conf_put(c, "clamav.database_dir", dir);
	signature_date(c, out, sizeof(out));
	is_str(out, "20240305", "engine_update from daily.cvd, not the newer project files");
	pn_conf_put(c, "clamav.database_dir", "");
	signature_date(c, out, sizeof(out));
	ok(strcmp(out, "20240305") > 0, "without databases: project files' date %s", out);
	pn_conf_free(c);
}

/* libclamav's own time limit gives category timeout, not a silent clean. */
static void
test_scantime(struct pn_engine *e)
{
	static const char path[] = TESTFILES "/clam_IScab_int.exe";
	struct clamav *st = e->priv;
	struct pn_verdict v = { 0 };
	struct pn_scan_target t = { .fd = -1 };
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		diag("%s absent: time limit test skipped", path);
		return;
	}
	cl_engine_set_num(st->eng, CL_ENGINE_MAX_SCANTIME, 1);      /* ms; the file takes ~100 */
	t.fd = fd;
	t.size = (size_t)lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	is_int(e->ops->scan(e, &t, &v), PN_OK, "scan over libclamav's time limit");
	is_int(v.category, PN_CAT_TIMEOUT, "category timeout");
	pn_verdict_release(&v);
	close(fd);
	cl_engine_set_num(st->eng, CL_ENGINE_MAX_SCANTIME, 60000);
}

static void
set_mtimes(const char *dir, time_t t)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	while (d != NULL && (de = readdir(d)) != NULL) {
		char p[TEST_PATH_MAX + 300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		utimes(p, tv);
	}
	if (d != NULL)
		closedir(d);
}

static void
test_reload(void)
{
	char dir[TEST_PATH_MAX + 16], extra[TEST_PATH_MAX + 32], official[TEST_PATH_MAX + 16];
	struct pn_engine e = { .ops = &pn_engine_clamav_ops, .timeout_s = 60 };
	struct pn_verdict v = { 0 };
	struct pn_conf *c;
	uint8_t marker[64];
	char hex[sizeof(marker) * 2 + 1], line[sizeof(hex) + 64];

	snprintf(dir, sizeof(dir), "%s/sigs2", tmpdir);
	copy_sigs(dir);
	set_mtimes(dir, 981158400);     /* 2001-02-03 00:00 UTC */
	c = conf_for(dir);
	is_int(e.ops->init(&e, c), PN_OK, "engine on a copy of the signatures");
	is_str(e.name, "ClamAV", "engine name");
	is_str(e.version, cl_retver(), "engine_version is cl_retver()");
	is_str(e.update, "20010203", "engine_update is the newest signature file's date");
	is_str(e.error, "", "no error");

	/* A marker no signature knows, then a signature for it. */
	pn_random(marker, sizeof(marker));
	is_int(scan_mem(&e, marker, sizeof(marker), &v), PN_OK, "marker scanned");
	is_int(v.category, PN_CAT_UNDETECTED, "marker undetected before reload");
	pn_verdict_release(&v);
	pn_hex(marker, sizeof(marker), hex);
	snprintf(line, sizeof(line), "Panoptes.Test.Marker:0:*:%s\n", hex);
	snprintf(extra, sizeof(extra), "%s/extra.ndb", dir);
	write_file(extra, line, strlen(line));
	is_int(e.ops->reload(&e, c), PN_OK, "reload");
	is_str(e.error, "", "no error after reload");
	ok(strcmp(e.update, "20010203") > 0, "engine_update moved to the new file (%s)", e.update);
	scan_mem(&e, marker, sizeof(marker), &v);
	is_str(v.result, "Panoptes.Test.Marker", "marker detected after reload");
	pn_verdict_release(&v);

	/* A broken update: reload fails, the previous engine keeps scanning. */
	write_file(extra, "Panoptes.Test.Broken:0:*:zz\n", 28);
	ok(e.ops->reload(&e, c) < 0, "reload with a malformed signature fails");
	ok(e.error[0] != '\0', "reload error: %s", e.error);
	scan_mem(&e, marker, sizeof(marker), &v);
	is_str(v.result, "Panoptes.Test.Marker", "previous engine still scans");
	pn_verdict_release(&v);
	unlink(extra);

	/* clamav.database_dir: loaded when it holds databases, absent is fine. */
	snprintf(official, sizeof(official), "%s/official", tmpdir);
	mkdir(official, 0700);
	pn_conf_put(c, "clamav.database_dir", official);
	is_int(e.ops->reload(&e, c), PN_OK, "empty database_dir is fine");
	snprintf(extra, sizeof(extra), "%s/local.ndb", official);
	snprintf(line, sizeof(line), "Operator.Marker:0:*:%s\n", hex);
	write_file(extra, line, strlen(line));
	is_int(e.ops->reload(&e, c), PN_OK, "database_dir with a .ndb");
	scan_mem(&e, marker, sizeof(marker), &v);
	is_str(v.result, "Operator.Marker", "operator database loaded");
	pn_verdict_release(&v);
	snprintf(official, sizeof(official), "%s/absent", tmpdir);
	pn_conf_put(c, "clamav.database_dir", official);
	is_int(e.ops->reload(&e, c), PN_OK, "absent database_dir is fine");

	e.ops->free(&e);
	ok(e.priv == NULL, "free clears priv");
	pn_conf_free(c);
}

static void
test_bad_dirs(void)
{
	struct pn_engines set = { 0 };
	struct pn_verdict v = { 0 };
	struct pn_conf *c;
	char dir[TEST_PATH_MAX + 16], path[TEST_PATH_MAX + 32];

	c = conf_for("/nonexistent/panoptes-sigs");
	is_int(pn_engines_load(&set, c), PN_OK, "load with a missing signature dir");
	is_int(set.n, 1, "the broken engine stays in the set");
	if (set.n == 1) {
		ok(set.v[0]->error[0] != '\0', "error set: %s", set.v[0]->error);
		ok(set.v[0]->ops->scan(set.v[0], &(struct pn_scan_target){ .fd = -1,
		    .data = eicar, .size = sizeof(eicar) }, &v) < 0, "its scans fail");
		pn_verdict_release(&v);
	}
	pn_engines_free(&set);
	pn_conf_free(c);

	snprintf(dir, sizeof(dir), "%s/emptysigs", tmpdir);
	mkdir(dir, 0700);
	c = conf_for(dir);
	pn_engines_load(&set, c);
	ok(set.n == 1 && set.v[0]->error[0] != '\0', "empty signature dir is an error: %s",
	    set.n == 1 ? set.v[0]->error : "-");
	pn_engines_free(&set);

	snprintf(path, sizeof(path), "%s/bad.ldb", dir);
	write_file(path, "Broken;Engine:51-255;0&1&2;00\n", 30);
	pn_engines_load(&set, c);
	ok(set.n == 1 && set.v[0]->error[0] != '\0', "malformed .ldb is an error: %s",
	    set.n == 1 ? set.v[0]->error : "-");
	pn_engines_free(&set);
	pn_conf_free(c);
}

static void
test_set(void)
{
	struct pn_engines set = { 0 };
	struct pn_conf *c = conf_for(sigs);
	int64_t t0;

	pn_conf_put(c, "engines.timeout", "7");
	pn_conf_put(c, "clamav.max_filesize", "1M");
	t0 = now_us();
	is_int(pn_engines_load(&set, c), PN_OK, "engines load");
	diag("engine set load (ClamAV, project signatures): %.1f ms", (now_us() - t0) / 1000.0);
	is_int(set.n, 1, "one engine");
	if (set.n == 1) {
		is_str(set.v[0]->name, "ClamAV", "ClamAV in the set");
		is_int(set.v[0]->timeout_s, 7, "timeout from engines.timeout");
		is_int(set.v[0]->max_size, 1 << 20, "max_size from clamav.max_filesize");
		is_str(set.v[0]->error, "", "healthy");
	}
	pn_engines_free(&set);
	is_int(set.n, 0, "set freed");

	pn_conf_put(c, "clamav.enabled", "false");
	pn_engines_load(&set, c);
	is_int(set.n, 0, "clamav.enabled=false leaves it out");
	pn_engines_free(&set);
	pn_conf_free(c);
}

int
main(int argc, char **argv)
{
	struct pn_engine e = { .ops = &pn_engine_clamav_ops, .timeout_s = 60 };
	struct pn_conf *c;
	int64_t t0;

	pn_log_set_level(PN_LOG_WARN);
	find_sigs(argv[0]);
	diag("signatures: %s", sigs);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pn-test-clamav.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");

	test_categories();
	test_mapping();
	c = conf_for(sigs);
	t0 = now_us();
	is_int(e.ops->init(&e, c), PN_OK, "init on %s", sigs);
	diag("ClamAV init (cl_init, load, compile): %.1f ms", (now_us() - t0) / 1000.0);
	if (e.error[0])
		diag("error: %s", e.error);
	ok(strlen(e.update) == 8, "engine_update is YYYYMMDD: %s", e.update);

	test_eicar(&e);
	test_testfiles(&e);
	test_clean(&e);
	test_archives(&e);
	test_limits();
	test_scantime(&e);
	test_cvd_date();
	test_reload();
	test_bad_dirs();
	test_set();

	e.ops->free(&e);
	pn_conf_free(c);
	rm_tmpdir();
	return done_testing();
}
