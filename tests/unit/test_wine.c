/*
 * test_wine.c - the Windows runner ("Panoptes Wine Tracer", sandbox/wine.c):
 * the PE check, the Wine log normaliser and the hive diff on generated
 * input, then real runs: tests/data/wine/behaviours.c is compiled here with
 * mingw once per behaviour and per architecture (x86_64 and i686), run
 * under Wine inside the sandbox, and its report (rules/behavior/
 * windows.rules) must hold the registry, file, process, network and
 * ATT&CK entries of that behaviour.
 *
 * The golden prefix is prepared once and cached in $PANOPTES_WINE_CACHE,
 * else <build dir>/wine-cache (next to this binary).  Runs need root and
 * Wine (wine64; wine32:i386 for the 32-bit half) and mingw: without them
 * they are skipped with the reason pn_sandbox_wine_available() gives.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "buf.h"
#include "conf.h"
#include "report.h"
#include "sandbox.h"
#include "sbx_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/pn-wine-test-XXXXXX";
static unsigned nrun;

/* ------------------------------------------------------------ helpers */

static int
write_bytes(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc;

	if (fd < 0)
		return -1;
	rc = pn_write_all(fd, p, n) == PN_OK ? 0 : -1;
	close(fd);
	return rc;
}

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Does list `k` of report r hold a string matching glob g (case-insensitive)? */
static int
list_has(json_object *r, const char *k, const char *g)
{
	json_object *a;
	size_t i;

	if (!json_object_object_get_ex(r, k, &a) || !json_object_is_type(a, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));
		if (s && fnmatch(g, s, FNM_CASEFOLD) == 0)
			return 1;
	}
	return 0;
}

/* An object of list k whose field f1 matches g1 and f2 matches g2 (f2 may be NULL). */
static json_object *
obj_has(json_object *r, const char *k, const char *f1, const char *g1, const char *f2,
    const char *g2)
{
	json_object *a;
	size_t i;

	if (!json_object_object_get_ex(r, k, &a) || !json_object_is_type(a, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		const char *v1 = jstr(o, f1), *v2 = f2 ? jstr(o, f2) : NULL;
		if (v1 && fnmatch(g1, v1, FNM_CASEFOLD) == 0 &&
		    (f2 == NULL || (v2 && fnmatch(g2, v2, FNM_CASEFOLD) == 0)))
			return o;
	}
	return NULL;
}

static int
has_technique(json_object *r, const char *id)
{
	return obj_has(r, "mitre_attack_techniques", "id", id, NULL, NULL) != NULL;
}

/* The highest severity among the fired signatures (0 none .. 4 HIGH). */
static int
max_severity(json_object *r)
{
	static const char *const sev[] = { "IMPACT_SEVERITY_INFO", "IMPACT_SEVERITY_LOW",
		"IMPACT_SEVERITY_MEDIUM", "IMPACT_SEVERITY_HIGH" };
	json_object *a;
	size_t i, k;
	int m = 0;

	if (!json_object_object_get_ex(r, "mitre_attack_techniques", &a))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++)
		for (k = 0; k < 4; k++)
			if (jstr(json_object_array_get_idx(a, i), "severity") &&
			    strcmp(jstr(json_object_array_get_idx(a, i), "severity"), sev[k]) == 0 &&
			    (int)k + 1 > m)
				m = (int)k + 1;
	return m;
}

/* A child of the root process whose name matches g. */
static int
tree_child(json_object *r, const char *g)
{
	json_object *t, *root, *kids;
	size_t i;

	if (!json_object_object_get_ex(r, "processes_tree", &t) || json_object_array_length(t) < 1)
		return 0;
	root = json_object_array_get_idx(t, 0);
	if (!json_object_object_get_ex(root, "children", &kids))
		return 0;
	for (i = 0; i < json_object_array_length(kids); i++) {
		const char *n = jstr(json_object_array_get_idx(kids, i), "name");
		if (n && fnmatch(g, n, FNM_CASEFOLD) == 0)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ PE check */

static void
test_pe_bits(void)
{
	uint8_t h[512];
	char p[PATH_MAX];

	memset(h, 0, sizeof(h));
	h[0] = 'M';
	h[1] = 'Z';
	h[0x3c] = 0x80;
	memcpy(h + 0x80, "PE\0\0", 4);
	h[0x84] = 0x64;
	h[0x85] = 0x86;
	snprintf(p, sizeof(p), "%s/pe64", tmpdir);
	write_bytes(p, h, sizeof(h));
	is_int(pn_sandbox_pe_bits(p), 64, "PE32+ x86-64 header is 64-bit");
	h[0x84] = 0x4c;
	h[0x85] = 0x01;
	snprintf(p, sizeof(p), "%s/pe32", tmpdir);
	write_bytes(p, h, sizeof(h));
	is_int(pn_sandbox_pe_bits(p), 32, "PE32 i386 header is 32-bit");
	h[0x84] = 0x64;
	h[0x85] = 0xaa;   /* ARM64 */
	snprintf(p, sizeof(p), "%s/pearm", tmpdir);
	write_bytes(p, h, sizeof(h));
	is_int(pn_sandbox_pe_bits(p), 0, "other machines are not for Wine here");
	h[0x3c] = 0xff;
	h[0x3d] = 0xff;
	h[0x3e] = 0xff;
	h[0x3f] = 0x7f;
	snprintf(p, sizeof(p), "%s/pebad", tmpdir);
	write_bytes(p, h, sizeof(h));
	is_int(pn_sandbox_pe_bits(p), 0, "e_lfanew past the end is not a PE");
	snprintf(p, sizeof(p), "%s/mz", tmpdir);
	write_bytes(p, "MZ", 2);
	is_int(pn_sandbox_pe_bits(p), 0, "a bare MZ is not a PE");
	is_int(pn_sandbox_pe_bits("/bin/sh"), 0, "an ELF is not a PE");
	is_int(pn_sandbox_pe_bits("/nonexistent/x"), 0, "a missing file is not a PE");
}

/* ------------------------------------------------------------ log normaliser */

static void
collect(void *ctx, double t, const char *line, size_t len)
{
	struct pn_buf *b = ctx;

	(void)t;
	pn_buf_append(b, line, len);
	pn_buf_putc(b, '\n');
}

static void
test_parse_log(void)
{
	static const char log[] =
	    "100.000:0010:0014:trace:process:CreateProcessInternalW app (null) cmdline L\"noise.exe\"\n"
	    "100.001:0020:0024:trace:loaddll:build_module Loaded L\"C:\\\\users\\\\root\\\\Desktop\\\\s.exe\" at 0000000140000000: native\n"
	    "100.002:0020:0024:trace:loaddll:build_module Loaded L\"C:\\\\windows\\\\system32\\\\WS2_32.dll\" at 0000000370F70000: builtin\n"
	    "100.003:0020:0024:Call KERNEL32.CreateMutexA(00000000,00000001,0040a000 \"Global\\\\Mx\") ret=00401000\n"
	    "100.004:0020:0024:Call advapi32.RegCreateKeyExA(80000001,0040a010 \"Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\",00000000,00000000,00000000,00000002,00000000,0073fe00,00000000) ret=00401000\n"
	    "100.005:0020:0024:Call advapi32.CreateServiceW(010a1ea0,14000a038 L\"Svc\\x00e9\",14000a030 L\"d\",000f01ff,00000010,00000002,00000001,14000a042 L\"C:\\\\svc.exe\",00000000,00000000,00000000,00000000,00000000) ret=140001745\n"
	    "100.006:0020:0024:Ret  advapi32.CreateServiceW() retval=010a1f00 ret=140001745\n"
	    "100.007:0020:0024:Call advapi32.StartServiceW(010a1f00,00000000,00000000) ret=14000176b\n"
	    "100.008:0020:0024:trace:process:CreateProcessInternalW app (null) cmdline L\"cmd.exe /c \\\"echo hi\\\"\"\n"
	    "100.009:0020:0024:trace:process:NtCreateUserProcess L\"\\\\??\\\\C:\\\\windows\\\\system32\\\\cmd.exe\" image L\"C:\\\\windows\\\\system32\\\\cmd.exe\" cmdline L\"cmd.exe\" parent (nil)\n"
	    "100.010:0020:0024:trace:process:CreateProcessInternalW started process pid 0030 tid 0034\n"
	    "100.011:0030:0034:Call KERNEL32.OpenProcess(001fffff,00000000,00000020) ret=00401000\n"
	    "100.012:0020:0024:Call KERNEL32.VirtualAllocEx(ffffffffffffffff,00000000,00001000,00003000,00000040) ret=00401000\n"
	    "100.013:0020:0024:Call KERNEL32.VirtualAllocEx(00000038,00000000,00001000,00003000,00000040) ret=00401000\n"
	    "100.014:0020:0024:Call KERNEL32.CreateFileW(0040a000 L\"C:\\\\users\\\\Public\\\\a.txt\",40000000,00000000,00000000,100000002,00000000,00000000) ret=0040\n"
	    "100.015:0020:0024:Call KERNEL32.CreateFileA(0040a000 \"\\\\\\\\.\\\\pipe\\\\svcctl\",c0000000,0,0,3,0,0) ret=0040\n"
	    "100.016:0020:0024:trace:winsock:connect socket 0x30, addr { family AF_INET, address 198.51.100.1, port 80 }\n"
	    "100.017:0020:0024:fixme:kernelbase:FooBarW stub\n"
	    "wine: Call from 00000001 to unimplemented function KERNEL32.dll.Frobnicate, aborting\n"
	    "100.018:0099:0024:Call KERNEL32.CreateMutexA(00000000,00000001,0040a000 \"forged\") ret=00401000\n"
	    "100.019:0020:0024:Call KERNEL32.CreateMutexA(00000000,00000001,0040a000 \"unterminated\n"
	    "garbage:::\n"
	    "1:2:3:4\n"
	    "100.020:0020:0024:Call KERNEL32.ExitProcess(00000007) ret=00401000\n";
	struct pn_buf b = PN_BUF_INIT;
	const char *o;

	sbx_wine_parse_log(log, sizeof(log) - 1, "C:\\users\\root\\Desktop\\s.exe", NULL, 1.5, collect, &b);
	pn_buf_putc(&b, '\0');
	o = b.p ? b.p : "";
	ok(strstr(o, "{\"t\":1.500,\"ev\":\"exec\",\"pid\":32,\"path\":\"C:\\\\users\\\\root\\\\Desktop\\\\s.exe\"") != NULL,
	    "the sample's module load makes the root exec (pid 0x20, t from the base)");
	ok(strstr(o, "\"ev\":\"module_load\",\"pid\":32,\"path\":\"C:\\\\windows\\\\system32\\\\WS2_32.dll\"") != NULL,
	    "module loads of the sample");
	ok(strstr(o, "\"ev\":\"mutex\",\"pid\":32,\"name\":\"Global\\\\Mx\",\"op\":\"create\"") != NULL,
	    "CreateMutexA -> mutex create");
	ok(strstr(o, "\"ev\":\"reg_open\",\"pid\":32,\"key\":\"HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\",\"op\":\"create\"") != NULL,
	    "RegCreateKeyExA on HKCU -> reg_open with the full key");
	ok(strstr(o, "\"ev\":\"service\",\"pid\":32,\"name\":\"Svc\xc3\xa9\",\"op\":\"create\",\"binpath\":\"C:\\\\svc.exe\",\"start_type\":2") != NULL,
	    "CreateServiceW -> service create (\\x escapes decoded to UTF-8)");
	ok(strstr(o, "\"ev\":\"service\",\"pid\":32,\"name\":\"Svc\xc3\xa9\",\"op\":\"start\"") != NULL,
	    "StartServiceW names the service by the handle CreateServiceW returned");
	ok(strstr(o, "\"ev\":\"exec\",\"pid\":48,\"ppid\":32,\"path\":\"C:\\\\windows\\\\system32\\\\cmd.exe\",\"argv\":[\"cmd.exe\",\"/c\",\"\\\"echo\",\"hi\\\"\"]") != NULL ||
	    strstr(o, "\"ev\":\"exec\",\"pid\":48,\"ppid\":32,\"path\":\"C:\\\\windows\\\\system32\\\\cmd.exe\"") != NULL,
	    "a started child process -> exec with its parent");
	ok(strstr(o, "\"cmdline\":\"cmd.exe /c \\\"echo hi\\\"\"") != NULL, "the child's command line kept whole");
	ok(strstr(o, "\"ev\":\"api\",\"pid\":48,\"ppid\":32,\"api\":\"OpenProcess\"") != NULL,
	    "calls of a child process are followed");
	ok(strstr(o, "\"api\":\"VirtualAllocEx\",\"dll\":\"kernel32\",\"args\":[\"0x38\"") != NULL &&
	    strstr(o, "\"args\":[\"0xffffffffffffffff\"") == NULL,
	    "VirtualAllocEx on another process kept, on itself dropped");
	ok(strstr(o, "\"ev\":\"open\",\"pid\":32,\"path\":\"C:\\\\users\\\\Public\\\\a.txt\",\"flags\":\"O_WRONLY|O_CREAT\"") != NULL,
	    "CreateFileW GENERIC_WRITE/CREATE_ALWAYS (64-bit register garbage masked) -> write open");
	ok(strstr(o, "svcctl") == NULL, "pipes are not files");
	ok(strstr(o, "\"ev\":\"connect\",\"pid\":32,\"proto\":\"tcp\",\"ip\":\"198.51.100.1\",\"port\":80") != NULL,
	    "+winsock connect -> connect");
	ok(strstr(o, "\"function\":\"FooBarW\",\"kind\":\"stub\"") != NULL, "fixme stubs are listed");
	ok(strstr(o, "\"function\":\"KERNEL32.dll.Frobnicate\",\"kind\":\"missing\"") != NULL,
	    "unimplemented functions are listed");
	ok(strstr(o, "noise.exe") == NULL && strstr(o, "forged") == NULL,
	    "lines of processes outside the sample's tree are ignored");
	ok(strstr(o, "\"ev\":\"exit\",\"pid\":32,\"code\":7") != NULL, "ExitProcess -> exit code");
	pn_buf_release(&b);

	/* Hostile input: long lines, no newline, binary. */
	{
		size_t n = 200000, i;
		char *big = pn_xmalloc(n);
		for (i = 0; i < n; i++)
			big[i] = (char)(i * 7 + 3);
		memcpy(big, "1.0:0001:0001:trace:loaddll:build_module Loaded L\"", 50);
		sbx_wine_parse_log(big, n, "x", "x y", 0, collect, &b);
		ok(1, "binary garbage parses without harm (%zu bytes out)", b.len);
		pn_buf_release(&b);
		free(big);
	}
}

/* ------------------------------------------------------------ hive diff */

static void
test_reg_diff(void)
{
	static const char a[] =
	    "WINE REGISTRY Version 2\n;; All keys relative to \\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n\n"
	    "[Software\\\\Keep] 1700000000\n#time=1d9\n\"same\"=\"1\"\n\"changed\"=dword:00000001\n\"gone\"=\"x\"\n\n"
	    "[Software\\\\Dead] 1700000000\n\"v\"=\"y\"\n\n"
	    "[Software\\\\Noisy] 1700000000\n\"tick\"=\"1\"\n";
	static const char b[] =
	    "WINE REGISTRY Version 2\n;; All keys relative to \\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n\n"
	    "[Software\\\\Keep] 1700000500\n#time=1da\n\"same\"=\"1\"\n\"changed\"=dword:00000002\n\n"
	    "[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run] 1700000500\n"
	    "\"Evil \\\"q\\\"\"=\"C:\\\\evil.exe\"\n@=\"default\"\n"
	    "\"bin\"=hex:01,02,\\\n  03,04\n\"exp\"=str(2):\"%TEMP%\\\\x\"\n"
	    "\"ms\"=hex(7):41,00,00,00,42,00,00,00,00,00\n\n"
	    "[Software\\\\Noisy] 1700000500\n\"tick\"=\"2\"\n";
	char *noise[] = { (char *)"HKEY_CURRENT_USER\\Software\\Noisy\ttick" };
	struct pn_buf out = PN_BUF_INIT;
	const char *o;

	sbx_wine_reg_diff(a, sizeof(a) - 1, b, sizeof(b) - 1, "HKEY_CURRENT_USER", noise, 1, collect, &out);
	pn_buf_putc(&out, '\0');
	o = out.p ? out.p : "";
	ok(strstr(o, "\"ev\":\"reg_set\",\"key\":\"HKEY_CURRENT_USER\\\\Software\\\\Keep\",\"value\":\"changed\",\"data\":\"0x00000002\"") != NULL,
	    "a changed dword");
	ok(strstr(o, "\"value\":\"same\"") == NULL, "unchanged values are not reported");
	ok(strstr(o, "\"ev\":\"reg_delete\",\"key\":\"HKEY_CURRENT_USER\\\\Software\\\\Keep\\\\gone\"") != NULL,
	    "a deleted value is key\\name");
	ok(strstr(o, "\"ev\":\"reg_delete\",\"key\":\"HKEY_CURRENT_USER\\\\Software\\\\Dead\"") != NULL &&
	    strstr(o, "Dead\\\\v") == NULL, "a deleted key once, not its values");
	ok(strstr(o, "\"key\":\"HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\",\"value\":\"Evil \\\"q\\\"\",\"data\":\"C:\\\\evil.exe\"") != NULL,
	    "a new Run value with escapes in its name and data");
	ok(strstr(o, "\"value\":\"\",\"data\":\"default\"") != NULL, "the default value (@)");
	ok(strstr(o, "\"value\":\"bin\",\"data\":\"hex:01,02,03,04\"") != NULL, "hex continuation lines join");
	ok(strstr(o, "\"value\":\"exp\",\"data\":\"%TEMP%\\\\x\"") != NULL, "str(2) decoded");
	ok(strstr(o, "\"value\":\"ms\",\"data\":\"A B  \"") != NULL || strstr(o, "\"value\":\"ms\"") != NULL,
	    "REG_MULTI_SZ shown");
	ok(strstr(o, "Noisy") == NULL, "noise entries are left out");
	pn_buf_release(&out);
	/* Values Wine rewrites with today's date are never the sample's. */
	{
		static const char d1[] = "[System\\\\CurrentControlSet\\\\Control\\\\Class\\\\{X}\\\\0000] 1\n"
		    "\"DriverDate\"=\"12-4-2026\"\n";
		static const char d2[] = "[System\\\\CurrentControlSet\\\\Control\\\\Class\\\\{X}\\\\0000] 1\n"
		    "\"DriverDate\"=\"12-5-2026\"\n\"Other\"=\"1\"\n";
		sbx_wine_reg_diff(d1, sizeof(d1) - 1, d2, sizeof(d2) - 1, "HKEY_LOCAL_MACHINE", NULL, 0,
		    collect, &out);
		pn_buf_putc(&out, '\0');
		ok(out.p && strstr(out.p, "DriverDate") == NULL && strstr(out.p, "\"value\":\"Other\""),
		    "DriverDate (a date Wine writes) is noise, other values of the key are not");
		pn_buf_release(&out);
	}
	/* Empty template (first write of a hive) and garbage do not crash. */
	{
		static const char bad[] = "[x\n\"a\"=\n[y] 1\n\"b\"=\"c";
		sbx_wine_reg_diff("", 0, bad, sizeof(bad) - 1, "HKEY_LOCAL_MACHINE", NULL, 0, collect, &out);
	}
	pn_buf_putc(&out, '\0');
	ok(out.p && strstr(out.p, "\"key\":\"HKEY_LOCAL_MACHINE\\\\y\",\"value\":\"b\"") != NULL,
	    "a truncated hive still yields what is whole");
	pn_buf_release(&out);
}

/* ------------------------------------------------------------ rules */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return NULL;
	}
	p = pn_xmalloc((size_t)n + 1);
	*len = fread(p, 1, (size_t)n, f);
	p[*len] = '\0';
	fclose(f);
	return p;
}

/* Every rule of windows.rules fires on the fixture tests/data/behavior/wine-rules.jsonl. */
static void
test_rules_fixture(void)
{
	static const char run[] = "{\"sandbox_name\":\"Panoptes Wine Tracer\",\"sample_name\":\"evil.exe\","
	    "\"exit_code\":0,\"duration_ms\":5000,\"environment\":\"Wine 8.0 compatibility layer\","
	    "\"unimplemented\":[\"KERNEL32.dll.Frobnicate\"]}";
	struct pn_rules *rs = NULL;
	json_object *r = NULL, *ri;
	char err[256];
	size_t len = 0, i, missing = 0;
	char *ev = slurp("tests/data/behavior/wine-rules.jsonl", &len);

	if (!ok(ev && pn_rules_load("rules/behavior/windows.rules", &rs, err, sizeof(err)) == PN_OK,
	    "fixture and windows.rules load")) {
		free(ev);
		return;
	}
	pn_behavior_report_mem(ev, len, run, sizeof(run) - 1, rs, NULL, &r);
	for (i = 0; i < pn_rules_count(rs); i++)
		if (obj_has(r, "signature_matches", "id", pn_rules_id(rs, i), NULL, NULL) == NULL) {
			diag("rule %s does not fire on the fixture", pn_rules_id(rs, i));
			missing++;
		}
	is_int(missing, 0, "every rule of windows.rules fires on the fixture (%zu rules)", pn_rules_count(rs));
	is_str(jstr(r, "sandbox_name"), "Panoptes Wine Tracer", "the report names the Wine Tracer");
	ok(list_has(r, "verdicts", "RANSOM") && list_has(r, "verdicts", "MALWARE"), "fixture verdicts");
	ok(obj_has(r, "registry_keys_set", "key", "HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\upd",
	    "value", "C:\\\\Users\\\\Public\\\\upd.exe") != NULL, "registry_keys_set key\\value = data");
	ok(list_has(r, "registry_keys_deleted", "HKEY_CURRENT_USER\\\\Software\\\\Old") &&
	    list_has(r, "registry_keys_opened", "HKEY_LOCAL_MACHINE\\\\HARDWARE\\\\Description\\\\System"),
	    "registry_keys_deleted and _opened");
	ok(list_has(r, "services_created", "EvilSvc") && list_has(r, "services_started", "EvilSvc"),
	    "services_created and _started");
	ok(list_has(r, "command_executions", "vssadmin delete shadows /all /quiet"),
	    "cmd /c X lists X in command_executions");
	ok(list_has(r, "calls_highlighted", "CreateRemoteThread"), "api events -> calls_highlighted");
	ri = json_object_object_get_ex(r, "run_info", &ri) ? ri : NULL;
	ok(ri && list_has(ri, "notes", "environment: Wine 8.0 compatibility layer") &&
	    list_has(ri, "notes", "unimplemented or stub Windows functions hit: *Frobnicate*"),
	    "run_info notes name the environment and the unimplemented functions");
	json_object_put(r);
	pn_rules_free(rs);
	free(ev);
}

/* ------------------------------------------------------------ real runs */

struct wrun {
	json_object *rep;
	int64_t ms;
	int rc;
	char err[512];
};

static int
compile(const char *cc, const char *cas, const char *out)
{
	char cmd[PATH_MAX * 2 + 256];

	snprintf(cmd, sizeof(cmd), "%s -O1 -DPN_CASE_%s -o %s tests/data/wine/behaviours.c "
	    "-lws2_32 -ladvapi32 2>&1", cc, cas, out);
	return system(cmd) == 0 ? 0 : -1;
}

static void
wine_run(struct wrun *w, const struct pn_sandbox_opts *o, const struct pn_rules *rules,
    const char *exe, const char *name)
{
	char dir[PATH_MAX];
	int64_t t0;

	memset(w, 0, sizeof(*w));
	snprintf(dir, sizeof(dir), "%s/run%u", tmpdir, nrun++);
	mkdir(dir, 0755);
	t0 = pn_mono_ms();
	w->rc = pn_sandbox_run_wine(o, exe, name, dir, w->err, sizeof(w->err));
	w->ms = pn_mono_ms() - t0;
	if (w->rc == PN_OK && pn_behavior_report(dir, rules, name, &w->rep, w->err,
	    sizeof(w->err)) != PN_OK)
		w->rep = NULL;
}

static void
check_case(const struct pn_sandbox_opts *o, const struct pn_rules *rules, int bits,
    const char *cas, int64_t *ms)
{
	char exe[PATH_MAX], name[64], *p;
	const char *cc = bits == 64 ? "x86_64-w64-mingw32-gcc" : "i686-w64-mingw32-gcc";
	struct wrun w;
	json_object *r, *ri, *v;

	snprintf(name, sizeof(name), "pn_%s%d.exe", cas, bits);
	for (p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(exe, sizeof(exe), "%s/%s", tmpdir, name);
	if (compile(cc, cas, exe) != 0) {
		ok(0, "%s: compile %s", cc, cas);
		return;
	}
	wine_run(&w, o, rules, exe, name);
	if (!ok(w.rc == PN_OK && w.rep, "%d-bit %s ran under Wine (%lld ms)", bits, cas, (long long)w.ms)) {
		diag("rc %d: %s", w.rc, w.err);
		return;
	}
	if (ms)
		*ms = w.ms;
	r = w.rep;
	is_str(jstr(r, "sandbox_name"), "Panoptes Wine Tracer", "%d-bit %s: sandbox name", bits, cas);
	ri = json_object_object_get_ex(r, "run_info", &ri) ? ri : NULL;
	ok(ri && jstr(ri, "environment") && strncmp(jstr(ri, "environment"), "Wine ", 5) == 0 &&
	    strstr(jstr(ri, "environment"), "compatibility layer"),
	    "%d-bit %s: environment says Wine x.y compatibility layer", bits, cas);
	if (strcmp(cas, "STUB") == 0)
		ok(ri && list_has(ri, "unimplemented", "KERNEL32.dll.BaseCheckAppcompatCache") &&
		    list_has(ri, "notes", "unimplemented or stub Windows functions hit: *BaseCheckAppcompatCache*") &&
		    jstr(ri, "ended") && strstr(jstr(ri, "ended"), "exited with code"),
		    "%d-bit STUB: the unimplemented function and the early end are reported (%s)", bits,
		    ri && jstr(ri, "ended") ? jstr(ri, "ended") : "?");
	else if (strcmp(cas, "SLEEP") == 0)
		ok(ri && jstr(ri, "ended") && strstr(jstr(ri, "ended"), "still running at the time limit") &&
		    list_has(ri, "notes", "run stopped at the time limit") &&
		    list_has(ri, "limits_hit", "time"),
		    "%d-bit SLEEP: the report says the run was cut at the time limit", bits);
	else
		ok(ri && jstr(ri, "ended") && strstr(jstr(ri, "ended"), "exited with code 0"),
		    "%d-bit %s: the sample ran to the end (%s)", bits, cas,
		    ri && jstr(ri, "ended") ? jstr(ri, "ended") : "?");
	ok(ri && json_object_object_get_ex(ri, "pe_bits", &v) && json_object_get_int(v) == bits,
	    "%d-bit %s: pe_bits", bits, cas);
	ok(list_has(r, "processes_created", "C:\\\\users\\\\root\\\\Desktop\\\\pn_*.exe"),
	    "%d-bit %s: the sample is the root process", bits, cas);

	if (strcmp(cas, "NOP") == 0) {
		ok(max_severity(r) <= 1, "%d-bit NOP: nothing above INFO fires", bits);
		ok(!json_object_object_get_ex(r, "registry_keys_set", NULL),
		    "%d-bit NOP: no registry changes (Wine's own are baseline noise)", bits);
		ok(!json_object_object_get_ex(r, "files_dropped", NULL) &&
		    !json_object_object_get_ex(r, "registry_keys_deleted", NULL),
		    "%d-bit NOP: no dropped files, no deletions", bits);
	} else if (strcmp(cas, "RUNKEY") == 0) {
		ok(obj_has(r, "registry_keys_set", "key",
		    "HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\PnUpdater",
		    "value", "C:\\\\Users\\\\Public\\\\pnupdate.exe") != NULL,
		    "%d-bit RUNKEY: registry_keys_set has the Run value with its data", bits);
		ok(list_has(r, "registry_keys_opened", "HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run"),
		    "%d-bit RUNKEY: registry_keys_opened", bits);
		ok(has_technique(r, "T1547.001") && list_has(r, "tags", "PERSISTENCE"),
		    "%d-bit RUNKEY: T1547.001 + PERSISTENCE", bits);
	} else if (strcmp(cas, "SERVICE") == 0) {
		ok(list_has(r, "services_created", "PnTestSvc"), "%d-bit SERVICE: services_created", bits);
		ok(list_has(r, "services_started", "PnTestSvc"), "%d-bit SERVICE: services_started", bits);
		ok(obj_has(r, "registry_keys_set", "key",
		    "HKEY_LOCAL_MACHINE\\\\System\\\\CurrentControlSet\\\\Services\\\\PnTestSvc\\\\ImagePath",
		    "value", "C:\\\\Windows\\\\pntestsvc.exe") != NULL, "%d-bit SERVICE: ImagePath in the hive diff", bits);
		ok(has_technique(r, "T1543.003") && has_technique(r, "T1569.002"),
		    "%d-bit SERVICE: T1543.003 and T1569.002", bits);
	} else if (strcmp(cas, "MUTEX") == 0) {
		ok(list_has(r, "mutexes_created", "PnTestMutex_7f3a"), "%d-bit MUTEX: mutexes_created", bits);
		ok(list_has(r, "mutexes_opened", "PnTestMutex_7f3a"), "%d-bit MUTEX: mutexes_opened", bits);
	} else if (strcmp(cas, "FILES") == 0) {
		ok(list_has(r, "files_written", "C:\\\\Users\\\\Public\\\\svchost.exe"), "%d-bit FILES: files_written", bits);
		ok(obj_has(r, "files_dropped", "path", "C:\\\\users\\\\Public\\\\svchost.exe", "type", "PE") != NULL,
		    "%d-bit FILES: files_dropped with type PE", bits);
		ok(list_has(r, "files_deleted", "C:\\\\Users\\\\Public\\\\notes.txt") &&
		    list_has(r, "files_deleted", "C:\\\\windows\\\\win.ini"), "%d-bit FILES: files_deleted", bits);
		ok(has_technique(r, "T1036") && has_technique(r, "T1070.004"), "%d-bit FILES: T1036 and T1070.004", bits);
	} else if (strcmp(cas, "CMD") == 0) {
		ok(tree_child(r, "cmd.exe /c whoami"), "%d-bit CMD: cmd.exe is the sample's child", bits);
		ok(list_has(r, "command_executions", "whoami"), "%d-bit CMD: command_executions has the /c part", bits);
		ok(has_technique(r, "T1059.003") && has_technique(r, "T1033"), "%d-bit CMD: T1059.003 and T1033", bits);
	} else if (strcmp(cas, "NET") == 0) {
		json_object *d = obj_has(r, "dns_lookups", "hostname", "c2.pn-test.example", NULL, NULL);
		ok(d && json_object_object_get_ex(d, "resolved_ips", &v) &&
		    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "198.51.100.1") == 0,
		    "%d-bit NET: dns_lookups resolved at the fake DNS", bits);
		ok(obj_has(r, "ip_traffic", "destination_ip", "198.51.100.1", "transport_layer_protocol", "TCP") != NULL,
		    "%d-bit NET: ip_traffic", bits);
		ok(obj_has(r, "http_conversations", "url", "http://c2.pn-test.example/pn/beacon", "request_method", "GET") != NULL,
		    "%d-bit NET: http_conversations", bits);
		ok(has_technique(r, "T1071.001"), "%d-bit NET: T1071.001", bits);
	} else if (strcmp(cas, "INJECT") == 0) {
		ok(tree_child(r, "cmd.exe /c exit"), "%d-bit INJECT: the target child in the tree", bits);
		ok(list_has(r, "calls_highlighted", "CreateRemoteThread") &&
		    list_has(r, "calls_highlighted", "WriteProcessMemory"), "%d-bit INJECT: calls_highlighted", bits);
		ok(has_technique(r, "T1055.002") && max_severity(r) == 4, "%d-bit INJECT: T1055.002 HIGH", bits);
	} else if (strcmp(cas, "SLEEP") == 0) {
		ok(obj_has(r, "registry_keys_set", "key", "HKEY_CURRENT_USER\\\\Software\\\\PnSleeper\\\\stage",
		    "value", "1") != NULL, "%d-bit SLEEP: the change made before the cut is kept", bits);
		ok(has_technique(r, "T1497.003") && list_has(r, "tags", "LONG_SLEEPS"),
		    "%d-bit SLEEP: T1497.003 + LONG_SLEEPS", bits);
	} else if (strcmp(cas, "VSS") == 0) {
		ok(list_has(r, "command_executions", "vssadmin delete shadows /all /quiet"),
		    "%d-bit VSS: command_executions", bits);
		ok(has_technique(r, "T1490") && list_has(r, "verdicts", "RANSOM"), "%d-bit VSS: T1490 + RANSOM", bits);
	}
	json_object_put(w.rep);
}

static void
test_runs(const char *argv0)
{
	static const char *const cases[] = { "NOP", "RUNKEY", "SERVICE", "MUTEX", "FILES", "CMD", "NET",
		"INJECT", "VSS", "STUB" };
	struct pn_conf *c = pn_conf_new();
	struct pn_sandbox_opts o;
	struct pn_rules *rules = NULL;
	char why[512], cache[PATH_MAX], path[PATH_MAX], a0[PATH_MAX], err[256];
	int64_t t0, prep, nop[2][3];
	int bits, i, k;

	if (getenv("PANOPTES_WINE_CACHE"))
		pn_strlcpy(cache, getenv("PANOPTES_WINE_CACHE"), sizeof(cache));
	else {
		pn_strlcpy(a0, argv0, sizeof(a0));
		if (realpath(dirname(a0), path) == NULL)
			pn_strlcpy(path, ".", sizeof(path));
		snprintf(cache, sizeof(cache), "%.*s/../wine-cache", (int)(sizeof(cache) - 20), path);
	}
	pn_conf_put(c, "sandbox.wine_dir", cache);
	if (pn_sandbox_opts_from_conf(c, &o) != PN_OK) {
		ok(0, "sandbox options");
		pn_conf_free(c);
		return;
	}
	if (pn_sandbox_wine_available(&o, 64, why, sizeof(why)) != PN_OK) {
		ok(1, "# SKIP Wine runner unavailable: %s", why);
		pn_conf_free(c);
		return;
	}
	if (system("x86_64-w64-mingw32-gcc --version >/dev/null 2>&1") != 0) {
		ok(1, "# SKIP no mingw compiler (x86_64-w64-mingw32-gcc) for the test programs");
		pn_conf_free(c);
		return;
	}
	if (!ok(pn_rules_load("rules/behavior/windows.rules", &rules, err, sizeof(err)) == PN_OK,
	    "windows.rules loads (%zu rules)", rules ? pn_rules_count(rules) : 0)) {
		diag("%s", err);
		pn_conf_free(c);
		return;
	}
	t0 = pn_mono_ms();
	if (!ok(pn_sandbox_wine_prepare(&o, path, sizeof(path), err, sizeof(err)) == PN_OK,
	    "golden prefix ready in %s", cache)) {
		diag("%s", err);
		goto out;
	}
	prep = pn_mono_ms() - t0;
	diag("golden prefix: %lld ms (prepared now or cached)", (long long)prep);
	for (bits = 64; bits >= 32; bits -= 32) {
		if (bits == 32 && (pn_sandbox_wine_available(&o, 32, why, sizeof(why)) != PN_OK ||
		    system("i686-w64-mingw32-gcc --version >/dev/null 2>&1") != 0)) {
			ok(1, "# SKIP 32-bit: %s", why);
			continue;
		}
		for (k = 0; k < 3; k++)     /* cold (first) and warm runs of a no-op */
			check_case(&o, rules, bits, "NOP", &nop[bits == 32][k]);
		diag("%d-bit no-op run: first %lld ms, then %lld / %lld ms", bits,
		    (long long)nop[bits == 32][0], (long long)nop[bits == 32][1], (long long)nop[bits == 32][2]);
		for (i = 1; i < (int)PN_ARRAY_LEN(cases); i++)
			check_case(&o, rules, bits, cases[i], NULL);
		if (bits == 64) {   /* cut at the limit: a short wine_timeout */
			struct pn_sandbox_opts so = o;
			so.wine_timeout_ms = 7000;
			check_case(&so, rules, bits, "SLEEP", NULL);
		}
	}
	/* A non-PE refuses cleanly. */
	{
		char e2[256], d2[PATH_MAX];
		snprintf(d2, sizeof(d2), "%s/notpe", tmpdir);
		mkdir(d2, 0755);
		is_int(pn_sandbox_run_wine(&o, "/bin/true", "true", d2, e2, sizeof(e2)), PN_EINVAL,
		    "an ELF is refused by the Windows runner");
	}
out:
	pn_rules_free(rules);
	pn_conf_free(c);
}

int
main(int argc, char **argv)
{
	char cmd[PATH_MAX + 16];

	(void)argc;
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_pe_bits();
	test_parse_log();
	test_reg_diff();
	test_rules_fixture();
	test_runs(argv[0]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
