/*
 * heur_script.c - the "Panoptes-Script" engine (kind "heuristic-script"):
 * scored heuristics over text files and scripts.  The script parser
 * (parsers/script.c, run as a library) decides what is text and gives the
 * language, the decoded PowerShell -EncodedCommand arguments and the
 * obfuscation cues; this file adds pattern rules over the text and the
 * decoded commands.  Files the script parser does not take are
 * type-unsupported.
 *
 * Rules (id, score; docs/internals/heuristics.md):
 *   EncodedPowerShell 40  a -EncodedCommand argument was decoded
 *   DownloadCradle    60  IEX / Invoke-Expression + DownloadString/DownloadData
 *   WebRequestRun     50  Invoke-WebRequest/DownloadFile/Start-BitsTransfer + Start-Process
 *   CertutilDownload  50  certutil -urlcache
 *   BitsadminDownload 40  bitsadmin /transfer
 *   MshtaRemote       50  mshta with an http(s)/javascript:/vbscript: argument
 *   PipeToShell       45  curl/wget output piped into sh/bash on one line
 *   ChmodAfterDownload 30 chmod +x after a curl/wget
 *   Base64Executable  60  a long base64 run that decodes to an MZ or ELF header
 *   EvalDecode        40  eval(atob( / eval(unescape(
 *   CharCodes         20  String.fromCharCode/Chr chains (script.c cue char_codes)
 *   VbsShellDownload  50  WScript.Shell .Run + XMLHTTP/WinHttp
 *   StealthPowerShell 25  powershell with -w hidden / -ep bypass / -nop
 *   Obfuscated        7 per point of script.c's obfuscation_score >= 2, at most 35
 *
 * Ownership: e->priv is a struct pn_heur_cfg (heur.h).
 * Limits: PN_HEUR_SCRIPT_MAX_SCAN bytes of text looked at, PN_HEUR_LINE_WINDOW
 * bytes of a command line, its first PN_HEUR_MAX_TRIES occurrences.
 * Errors: scan returns PN_OK.
 * See also: heur.h, docs/internals/heuristics.md, tests/unit/test_heur.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "heur.h"
#include "buf.h"

#define PN_HEUR_SCRIPT_MAX_SCAN (4u << 20)  /* bytes of text searched */
#define PN_HEUR_B64_MIN         64          /* base64 run looked at for executables */
#define PN_HEUR_LINE_WINDOW     1024        /* bytes after a command searched for its arguments */
#define PN_HEUR_MAX_TRIES       512         /* matches of a command looked at */

struct text {
	const char *p;
	size_t n;
};

static const char *
find(const struct text *t, const char *needle)
{
	return pn_heur_memcasestr(t->p, t->n, needle);
}

/* First of the needles found, or NULL. */
static const char *
find_any(const struct text *t, const char *const *needles)
{
	size_t i;

	for (i = 0; needles[i] != NULL; i++)
		if (find(t, needles[i]) != NULL)
			return needles[i];
	return NULL;
}

static void
rules_powershell(struct pn_heur *h, const struct text *t)
{
	static const char *const iex[] = { "iex", "invoke-expression", NULL };
	static const char *const dls[] = { "downloadstring", "downloaddata", NULL };
	static const char *const web[] = { "invoke-webrequest", "downloadfile",
		"start-bitstransfer", NULL };
	static const char *const stealth[] = { "-w hidden", "-windowstyle hidden",
		"-ep bypass", "-executionpolicy bypass", "-exec bypass", "-nop ", NULL };
	const char *a, *b;

	if ((a = find_any(t, iex)) != NULL && (b = find_any(t, dls)) != NULL)
		pn_heur_add(h, "DownloadCradle", "downloads code and runs it in memory", 60,
		    "%s + %s", a, b);
	if ((a = find_any(t, web)) != NULL && find(t, "start-process") != NULL)
		pn_heur_add(h, "WebRequestRun", "downloads a file and starts it", 50,
		    "%s + start-process", a);
	if (find(t, "powershell") != NULL && (a = find_any(t, stealth)) != NULL)
		pn_heur_add(h, "StealthPowerShell", "starts PowerShell hidden or without policy",
		    25, "powershell %s", a);
}

/*
 * One of words in the PN_HEUR_LINE_WINDOW bytes after a match of needle,
 * up to the line end (the first PN_HEUR_MAX_TRIES matches), or NULL.
 */
static const char *
on_same_line(const struct text *t, const char *needle, const char *const *words)
{
	const char *p = t->p, *end = t->p + t->n, *m;
	size_t i, tries = 0;

	while (p < end && tries++ < PN_HEUR_MAX_TRIES &&
	    (m = pn_heur_memcasestr(p, (size_t)(end - p), needle)) != NULL) {
		size_t len = PN_MIN((size_t)(end - m), (size_t)PN_HEUR_LINE_WINDOW);
		const char *eol = memchr(m, '\n', len);

		if (eol != NULL)
			len = (size_t)(eol - m);

		for (i = 0; words[i] != NULL; i++)
			if (pn_heur_memcasestr(m, len, words[i]) != NULL)
				return words[i];
		p = m + strlen(needle);
	}
	return NULL;
}

static void
rules_download(struct pn_heur *h, const struct text *t)
{
	static const char *const shells[] = { "| sh", "|sh", "| bash", "|bash",
		"| sudo sh", "| sudo bash", NULL };
	static const char *const remote[] = { "http:", "https:", "javascript:", "vbscript:", NULL };
	const char *a, *dl, *ch;

	if (find(t, "certutil") != NULL && (a = on_same_line(t, "certutil", (const char *const[])
	    { "-urlcache", "/urlcache", NULL })) != NULL)
		pn_heur_add(h, "CertutilDownload", "certutil used as a downloader", 50,
		    "certutil %s", a);
	if (on_same_line(t, "bitsadmin", (const char *const[]){ "/transfer", NULL }) != NULL)
		pn_heur_add(h, "BitsadminDownload", "bitsadmin used as a downloader", 40,
		    "bitsadmin /transfer");
	if ((a = on_same_line(t, "mshta", remote)) != NULL)
		pn_heur_add(h, "MshtaRemote", "mshta runs a remote or inline script", 50,
		    "mshta %s", a);
	if ((a = on_same_line(t, "curl ", shells)) != NULL ||
	    (a = on_same_line(t, "wget ", shells)) != NULL)
		pn_heur_add(h, "PipeToShell", "downloaded text is piped into a shell", 45,
		    "curl/wget ... %s", a);
	dl = find(t, "wget ");
	if (dl == NULL || (find(t, "curl ") != NULL && find(t, "curl ") < dl))
		dl = find(t, "curl ");
	if (dl != NULL && (ch = pn_heur_memcasestr(dl, (size_t)(t->p + t->n - dl),
	    "chmod +x")) != NULL)
		pn_heur_add(h, "ChmodAfterDownload", "makes a file executable after downloading",
		    30, "curl/wget at byte %zu, chmod +x at byte %zu", (size_t)(dl - t->p),
		    (size_t)(ch - t->p));
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode the first 8 characters of a run (6 bytes). */
static void
b64_head(const char *s, uint8_t out[6])
{
	uint32_t v;
	int i;

	for (i = 0; i < 2; i++) {
		v = (uint32_t)b64val((unsigned char)s[4 * i]) << 18 |
		    (uint32_t)b64val((unsigned char)s[4 * i + 1]) << 12 |
		    (uint32_t)b64val((unsigned char)s[4 * i + 2]) << 6 |
		    (uint32_t)b64val((unsigned char)s[4 * i + 3]);
		out[3 * i] = (uint8_t)(v >> 16);
		out[3 * i + 1] = (uint8_t)(v >> 8);
		out[3 * i + 2] = (uint8_t)v;
	}
}

static void
rule_base64_exe(struct pn_heur *h, const struct text *t)
{
	size_t i = 0, j;
	uint8_t b[6];

	while (i < t->n) {
		if (b64val((unsigned char)t->p[i]) < 0) {
			i++;
			continue;
		}
		for (j = i; j < t->n && b64val((unsigned char)t->p[j]) >= 0; j++)
			;
		if (j - i >= PN_HEUR_B64_MIN) {
			b64_head(t->p + i, b);
			if ((b[0] == 'M' && b[1] == 'Z') || memcmp(b, "\x7f" "ELF", 4) == 0) {
				pn_heur_add(h, "Base64Executable", "a base64 blob decodes to an "
				    "executable", 60, "%zu base64 characters at byte %zu decode to %s",
				    j - i, i, b[0] == 'M' ? "MZ" : "ELF");
				return;
			}
		}
		i = j;
	}
}

static void
rules_js_vbs(struct pn_heur *h, const struct text *t, struct json_object *si)
{
	static const char *const evals[] = { "eval(atob(", "eval(unescape(", "eval(window.atob(",
		"eval(decodeuricomponent(", NULL };
	static const char *const http[] = { "xmlhttp", "winhttp", NULL };
	struct json_object *obf = pn_heur_jget(si, "obfuscation");
	const char *a;
	size_t i;

	if ((a = find_any(t, evals)) != NULL)
		pn_heur_add(h, "EvalDecode", "evaluates decoded code", 40, "%s", a);
	for (i = 0; obf != NULL && i < json_object_array_length(obf); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(obf, i)),
		    "char_codes") == 0)
			pn_heur_add(h, "CharCodes", "builds strings from character codes", 20,
			    "String.fromCharCode/Chr chains");
	if (find(t, "wscript.shell") != NULL && find(t, ".run") != NULL &&
	    (a = find_any(t, http)) != NULL)
		pn_heur_add(h, "VbsShellDownload", "runs commands through WScript.Shell and "
		    "talks HTTP", 50, "WScript.Shell .Run + %s", a);
}

static void
rules_cues(struct pn_heur *h, struct json_object *si)
{
	struct json_object *dec = pn_heur_jget(si, "decoded_commands");
	struct json_object *obf = pn_heur_jget(si, "obfuscation");
	int64_t s = pn_heur_jint(si, "obfuscation_score");

	if (dec != NULL && json_object_array_length(dec) > 0)
		pn_heur_add(h, "EncodedPowerShell", "runs a base64-encoded PowerShell command", 40,
		    "%s", json_object_get_string(json_object_array_get_idx(dec, 0)));
	if (s >= 2)
		pn_heur_add(h, "Obfuscated", "obfuscation cues (script parser)",
		    s * 7 > 35 ? 35 : (int)s * 7, "score %lld: %s", (long long)s,
		    obf ? json_object_to_json_string(obf) : "");
}

/* The text plus the decoded PowerShell commands, in a buffer of our own. */
static void
haystack(const struct pn_scan_target *t, struct json_object *si, struct pn_buf *b)
{
	struct json_object *dec = pn_heur_jget(si, "decoded_commands");
	size_t i, n = t->size < PN_HEUR_SCRIPT_MAX_SCAN ? t->size : PN_HEUR_SCRIPT_MAX_SCAN;

	pn_buf_init(b, PN_HEUR_SCRIPT_MAX_SCAN * 2);
	(void)pn_buf_append(b, t->data, n);
	for (i = 0; dec != NULL && i < json_object_array_length(dec); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(dec, i));

		(void)pn_buf_append(b, "\n", 1);
		(void)pn_buf_append(b, s, strlen(s));
	}
}

static int
heur_script_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	struct json_object *attrs, *si;
	struct pn_heur h;
	struct pn_buf b;
	struct text tx;

	attrs = pn_heur_run_parser(&pn_parser_script, t);
	if (attrs == NULL || (si = pn_heur_jget(attrs, "script_info")) == NULL) {
		if (attrs != NULL)
			json_object_put(attrs);
		pn_heur_unsupported(v);
		return PN_OK;
	}
	haystack(t, si, &b);
	tx.p = b.p ? b.p : "";
	tx.n = b.len;
	pn_heur_begin(&h);
	rules_cues(&h, si);
	rules_powershell(&h, &tx);
	rules_download(&h, &tx);
	rule_base64_exe(&h, &tx);
	rules_js_vbs(&h, &tx, si);
	pn_buf_release(&b);
	json_object_put(attrs);
	pn_heur_finish(&h, e, "Script", v);
	return PN_OK;
}

const struct pn_engine_ops pn_engine_heur_script_ops = {
	.kind = "heuristic-script",
	.init = pn_heur_engine_init,
	.scan = heur_script_scan,
	.reload = pn_heur_engine_reload,
	.free = pn_heur_engine_free,
};
