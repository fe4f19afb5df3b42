/*
 * script.c - the "script" parser: language, shape and obfuscation cues of
 * text files and scripts (shell, Python, PowerShell, JavaScript, VBScript,
 * batch, PHP, HTML, Perl).
 *
 * Bids when identification calls the file a script, HTML, XML or text
 * (ident->tag or a text/ MIME type), or, for unidentified content, when
 * the first PN_SCRIPT_SNIFF bytes look like text.  UTF-16 (with a BOM, or
 * LE without one when every other byte is 0) is converted to UTF-8 first.
 * Adds the attribute "script_info" (a Panoptes attribute, not VT's):
 *
 *   language           "shell", "python", "powershell", "javascript",
 *                      "vbscript", "batch", "php", "html", "perl" or "unknown"
 *   confidence         0..1: the best language's score against the runner-up
 *   shebang            the first line when it starts with "#!"
 *   encoding           "utf-16le"/"utf-16be" when converted
 *   size, lines, longest_line, non_alnum_ratio (non-blank characters that
 *   are not letters or digits), base64_runs (runs >= PN_SCRIPT_B64_RUN of
 *   the base64 alphabet with upper, lower and digits)
 *   obfuscation        names of the cues found (see cues below) and
 *   obfuscation_score  their weight
 *   suspicious         keywords of downloading, executing, decoding,
 *                      hiding and persisting that were found (first
 *                      PN_SCRIPT_MAX_KEYWORDS)
 *   decoded_commands   PowerShell -EncodedCommand / -enc / -e arguments,
 *                      base64 of UTF-16LE, decoded (first
 *                      PN_SCRIPT_MAX_DECODED, each cut to
 *                      PN_SCRIPT_MAX_DECODED_LEN bytes of UTF-8)
 *   truncated          true when only the first PN_SCRIPT_MAX_SCAN bytes
 *                      were analysed
 *
 * Obfuscation cues (weight): long_lines (1, a line >= PN_SCRIPT_LONG_LINE),
 * symbol_heavy (1, non_alnum_ratio >= 0.45), base64_blobs (1),
 * hex_escapes (1, \xHH making >= 10% of the text), eval_decode (1, an
 * execute and a decode keyword), char_codes (2, fromCharCode/Chr/ChrW/
 * [char] >= 8 times or a list of >= 32 small numbers), string_concat (2,
 * >= 32 'a'+'b' joins), escape_chars (2, >= 4 I`E`X backticks, p^o^w^e^r
 * carets or %VAR:~n,m% substrings), encoded_command (2).  A score >= 3
 * adds the tag "obfuscated".  Language tags where VirusTotal has them:
 * "powershell", "javascript", "vba" (VBScript), when confidence >= 0.5.
 * URLs, domains and IPs of decoded commands become embedded_urls /
 * embedded_domains / embedded_ips relationships (the strings parser
 * cannot see them); those in the plain text come from the strings parser.
 *
 * Limits: PN_SCRIPT_* below.
 * Errors: PN_ELIMIT (noted) when the text is longer than PN_SCRIPT_MAX_SCAN.
 * See also: docs/internals/strings-ioc.md, tests/unit/test_script.c,
 * tests/fuzz/fuzz_script.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "parser.h"
#include "ioc.h"
#include "utf8.h"

#include <ctype.h>
#include <json-c/json.h>

#define PN_SCRIPT_MAX_SCAN        (8u << 20) /* bytes of text analysed */
#define PN_SCRIPT_SNIFF           4096       /* bytes looked at to call unknown content text */
#define PN_SCRIPT_MAX_DECODED     8          /* decoded commands kept */
#define PN_SCRIPT_MAX_DECODED_LEN 4096       /* bytes of UTF-8 kept per decoded command */
#define PN_SCRIPT_MAX_ENC_BYTES   65536      /* bytes of one encoded command decoded and scanned */
#define PN_SCRIPT_MAX_KEYWORDS    16         /* suspicious keywords listed */
#define PN_SCRIPT_MAX_EDGES       100        /* relationships from decoded commands */
#define PN_SCRIPT_MAX_SHEBANG     256        /* bytes of the shebang line kept */
#define PN_SCRIPT_LONG_LINE       4096       /* a line this long is a cue */
#define PN_SCRIPT_B64_RUN         100        /* shortest base64-like run counted */
#define PN_SCRIPT_MIN_ENC_CHARS   8          /* shortest -enc argument decoded */

/* ------------------------------------------------------------------ */
/* Languages and cues                                                  */

enum lang { L_NONE = -1, L_SH, L_PY, L_PS, L_JS, L_VB, L_BAT, L_PHP, L_HTML, L_PL, L_N };

static const char *const lang_name[L_N] = {
	"shell", "python", "powershell", "javascript", "vbscript", "batch",
	"php", "html", "perl"
};

/* cue flags */
#define C_NOCASE   0x01  /* case-insensitive */
#define C_WORD     0x02  /* not inside a word at either alphanumeric end */
#define C_LINE     0x04  /* first thing on its line (after blanks) */
#define C_CHARCODE 0x08  /* counts as a character-code conversion */

/* suspicious keyword classes */
enum { S_NONE, S_DOWNLOAD, S_EXEC, S_DECODE, S_HIDDEN, S_PERSIST };

struct cue {
	const char *text;   /* lower case when C_NOCASE */
	int8_t lang;        /* language it argues for, or L_NONE */
	uint8_t weight;     /* score per hit (3 hits counted at most) */
	uint8_t flags;      /* C_* */
	uint8_t susp;       /* S_* */
};

#define N_ C_NOCASE
#define W_ C_WORD
#define L_ C_LINE

static const struct cue cues[] = {
	/* shell */
	{ "esac", L_SH, 4, W_ | L_, 0 },
	{ "fi", L_SH, 2, W_ | L_, 0 },
	{ "done", L_SH, 2, W_ | L_, 0 },
	{ "; then", L_SH, 3, 0, 0 },
	{ "; do", L_SH, 3, W_, 0 },
	{ "elif [", L_SH, 3, W_, 0 },
	{ "if [ ", L_SH, 3, W_, 0 },
	{ "if [[ ", L_SH, 3, W_, 0 },
	{ "${", L_SH, 1, 0, 0 },
	{ "$(", L_SH, 1, 0, 0 },
	{ "export ", L_SH, 2, W_ | L_, 0 },
	{ "/dev/null", L_SH, 2, 0, 0 },
	{ "set -e", L_SH, 3, L_, 0 },
	{ "local ", L_SH, 1, W_ | L_, 0 },
	{ "case \"$", L_SH, 3, W_, 0 },
	{ "while read", L_SH, 3, W_, 0 },
	{ "wget ", L_SH, 1, W_, S_DOWNLOAD },
	{ "curl ", L_SH, 1, W_, S_DOWNLOAD },
	{ "| sh", L_NONE, 0, W_, S_EXEC },
	{ "| bash", L_NONE, 0, W_, S_EXEC },
	{ "crontab", L_NONE, 0, W_, S_PERSIST },
	/* Python */
	{ "import ", L_PY, 2, W_ | L_, 0 },
	{ "from ", L_PY, 1, W_ | L_, 0 },
	{ "def ", L_PY, 3, W_ | L_, 0 },
	{ "elif ", L_PY, 2, W_ | L_, 0 },
	{ "self.", L_PY, 2, W_, 0 },
	{ "__name__", L_PY, 3, 0, 0 },
	{ "__init__", L_PY, 3, 0, 0 },
	{ "print(", L_PY, 1, W_, 0 },
	{ "None", L_PY, 1, W_, 0 },
	{ "lambda ", L_PY, 2, W_, 0 },
	{ "except ", L_PY, 3, W_ | L_, 0 },
	{ "except:", L_PY, 3, W_ | L_, 0 },
	{ "try:", L_PY, 3, W_ | L_, 0 },
	{ "else:", L_PY, 2, W_ | L_, 0 },
	{ "raise ", L_PY, 2, W_ | L_, 0 },
	{ "\"\"\"", L_PY, 2, 0, 0 },
	{ "b64decode", L_PY, 1, W_, S_DECODE },
	{ "subprocess", L_PY, 1, W_, S_EXEC },
	{ "os.system", L_PY, 1, W_, S_EXEC },
	{ "urllib", L_PY, 1, W_, S_DOWNLOAD },
	/* PowerShell */
	{ "write-host", L_PS, 4, N_ | W_, 0 },
	{ "write-output", L_PS, 4, N_ | W_, 0 },
	{ "get-childitem", L_PS, 4, N_ | W_, 0 },
	{ "get-content", L_PS, 4, N_ | W_, 0 },
	{ "set-content", L_PS, 4, N_ | W_, 0 },
	{ "new-object", L_PS, 4, N_ | W_, 0 },
	{ "invoke-expression", L_PS, 4, N_ | W_, S_EXEC },
	{ "invoke-webrequest", L_PS, 4, N_ | W_, S_DOWNLOAD },
	{ "invoke-restmethod", L_PS, 4, N_ | W_, S_DOWNLOAD },
	{ "start-bitstransfer", L_PS, 4, N_ | W_, S_DOWNLOAD },
	{ "start-process", L_PS, 4, N_ | W_, S_EXEC },
	{ "set-executionpolicy", L_PS, 4, N_ | W_, S_HIDDEN },
	{ "remove-item", L_PS, 4, N_ | W_, 0 },
	{ "test-path", L_PS, 4, N_ | W_, 0 },
	{ "join-path", L_PS, 4, N_ | W_, 0 },
	{ "foreach-object", L_PS, 4, N_ | W_, 0 },
	{ "where-object", L_PS, 4, N_ | W_, 0 },
	{ "select-object", L_PS, 4, N_ | W_, 0 },
	{ "out-file", L_PS, 3, N_ | W_, 0 },
	{ "out-null", L_PS, 3, N_ | W_, 0 },
	{ "import-module", L_PS, 4, N_ | W_, 0 },
	{ "add-type", L_PS, 3, N_ | W_, 0 },
	{ "register-scheduledtask", L_PS, 4, N_ | W_, S_PERSIST },
	{ "$env:", L_PS, 3, N_, 0 },
	{ "$psscriptroot", L_PS, 4, N_, 0 },
	{ "[cmdletbinding", L_PS, 4, N_, 0 },
	{ "param(", L_PS, 2, N_ | W_ | L_, 0 },
	{ "-erroraction", L_PS, 3, N_ | W_, 0 },
	{ "$null", L_PS, 2, N_ | W_, 0 },
	{ "$true", L_PS, 2, N_ | W_, 0 },
	{ "$false", L_PS, 2, N_ | W_, 0 },
	{ "[system.", L_PS, 2, N_, 0 },
	{ "[convert]::", L_PS, 4, N_, 0 },
	{ "[byte[]]", L_PS, 3, N_, 0 },
	{ "[char]", L_PS, 2, N_ | C_CHARCODE, 0 },
	{ "frombase64string", L_PS, 2, N_ | W_, S_DECODE },
	{ "net.webclient", L_PS, 3, N_ | W_, S_DOWNLOAD },
	{ "downloadstring", L_PS, 2, N_ | W_, S_DOWNLOAD },
	{ "downloadfile", L_PS, 2, N_ | W_, S_DOWNLOAD },
	{ "-windowstyle hidden", L_PS, 2, N_ | W_, S_HIDDEN },
	{ "-w hidden", L_PS, 1, N_ | W_, S_HIDDEN },
	{ "-executionpolicy bypass", L_PS, 2, N_ | W_, S_HIDDEN },
	{ "-ep bypass", L_PS, 1, N_ | W_, S_HIDDEN },
	{ "-noprofile", L_PS, 1, N_ | W_, S_HIDDEN },
	{ "-encodedcommand", L_PS, 1, N_ | W_, S_DECODE },
	{ "iex", L_PS, 2, N_ | W_, S_EXEC },
	/* JavaScript */
	{ "function(", L_JS, 2, W_, 0 },
	{ "function (", L_JS, 1, W_, 0 },
	{ "var ", L_JS, 2, W_, 0 },
	{ "let ", L_JS, 1, W_ | L_, 0 },
	{ "const ", L_JS, 2, W_ | L_, 0 },
	{ "=>", L_JS, 1, 0, 0 },
	{ "===", L_JS, 2, 0, 0 },
	{ "!==", L_JS, 2, 0, 0 },
	{ "document.", L_JS, 3, W_, 0 },
	{ "window.", L_JS, 3, W_, 0 },
	{ "this.", L_JS, 1, W_, 0 },
	{ "console.log", L_JS, 4, W_, 0 },
	{ "require(", L_JS, 2, W_, 0 },
	{ "module.exports", L_JS, 4, W_, 0 },
	{ "JSON.", L_JS, 2, W_, 0 },
	{ "undefined", L_JS, 2, W_, 0 },
	{ ".prototype.", L_JS, 4, 0, 0 },
	{ "typeof ", L_JS, 3, W_, 0 },
	{ "getelementbyid", L_JS, 4, N_ | W_, 0 },
	{ "addeventlistener", L_JS, 4, N_ | W_, 0 },
	{ "string.fromcharcode", L_JS, 3, N_ | W_ | C_CHARCODE, 0 },
	{ "new activexobject", L_JS, 4, N_ | W_, S_EXEC },
	{ "unescape(", L_JS, 1, W_, S_DECODE },
	{ "atob(", L_JS, 2, W_, S_DECODE },
	{ "eval(", L_NONE, 0, W_, S_EXEC },
	{ "wscript.shell", L_NONE, 0, N_ | W_, S_EXEC },
	{ "shell.application", L_NONE, 0, N_ | W_, S_EXEC },
	{ "xmlhttp", L_NONE, 0, N_ | W_, S_DOWNLOAD },
	{ "winhttp", L_NONE, 0, N_ | W_, S_DOWNLOAD },
	{ "adodb.stream", L_NONE, 0, N_ | W_, S_DOWNLOAD },
	/* VBScript, VBA */
	{ "dim ", L_VB, 3, N_ | W_ | L_, 0 },
	{ "end sub", L_VB, 4, N_ | W_ | L_, 0 },
	{ "end function", L_VB, 4, N_ | W_ | L_, 0 },
	{ "end if", L_VB, 3, N_ | W_ | L_, 0 },
	{ "end select", L_VB, 3, N_ | W_ | L_, 0 },
	{ "sub ", L_VB, 1, N_ | W_ | L_, 0 },
	{ "Then", L_VB, 2, W_, 0 },
	{ "wend", L_VB, 3, N_ | W_ | L_, 0 },
	{ "byval ", L_VB, 3, N_ | W_, 0 },
	{ "byref ", L_VB, 3, N_ | W_, 0 },
	{ "on error resume next", L_VB, 5, N_ | W_, 0 },
	{ "msgbox", L_VB, 3, N_ | W_, 0 },
	{ "wscript.echo", L_VB, 2, N_ | W_, 0 },
	{ "wscript.sleep", L_VB, 1, N_ | W_, 0 },
	{ "vbcrlf", L_VB, 3, N_ | W_, 0 },
	{ "attribute vb_name", L_VB, 5, N_ | W_, 0 },
	{ "sub autoopen", L_VB, 5, N_ | W_, S_EXEC },
	{ "sub document_open", L_VB, 5, N_ | W_, S_EXEC },
	{ "sub workbook_open", L_VB, 5, N_ | W_, S_EXEC },
	{ "createobject(", L_VB, 3, N_ | W_, S_EXEC },
	{ "executeglobal", L_VB, 3, N_ | W_, S_EXEC },
	{ "chrw(", L_VB, 3, N_ | W_ | C_CHARCODE, 0 },
	{ "chr(", L_VB, 1, N_ | W_ | C_CHARCODE, 0 },
	/* batch */
	{ "@echo off", L_BAT, 6, N_ | L_, 0 },
	{ "echo off", L_BAT, 3, N_ | W_, 0 },
	{ "rem ", L_BAT, 2, N_ | W_ | L_, 0 },
	{ "::", L_BAT, 1, L_, 0 },
	{ "setlocal", L_BAT, 4, N_ | W_ | L_, 0 },
	{ "endlocal", L_BAT, 3, N_ | W_ | L_, 0 },
	{ "set /a ", L_BAT, 4, N_ | W_, 0 },
	{ "set /p ", L_BAT, 4, N_ | W_, 0 },
	{ "goto ", L_BAT, 2, N_ | W_, 0 },
	{ "goto :eof", L_BAT, 4, N_ | W_, 0 },
	{ "%~dp0", L_BAT, 5, N_, 0 },
	{ "%%", L_BAT, 1, 0, 0 },
	{ "if exist ", L_BAT, 4, N_ | W_, 0 },
	{ "if not exist ", L_BAT, 4, N_ | W_, 0 },
	{ "if errorlevel", L_BAT, 4, N_ | W_, 0 },
	{ "%errorlevel%", L_BAT, 4, N_, 0 },
	{ "call :", L_BAT, 4, N_ | W_, 0 },
	{ "start \"\"", L_BAT, 2, N_ | W_, 0 },
	{ ">nul", L_BAT, 2, N_ | W_, 0 },
	{ "> nul", L_BAT, 2, N_ | W_, 0 },
	{ "pause", L_BAT, 1, N_ | W_ | L_, 0 },
	{ "exit /b", L_BAT, 4, N_ | W_, 0 },
	{ "%comspec%", L_BAT, 2, N_, S_EXEC },
	{ "cmd /c", L_BAT, 1, N_ | W_, S_EXEC },
	{ "cmd.exe /c", L_BAT, 1, N_ | W_, S_EXEC },
	{ "bitsadmin", L_NONE, 0, N_ | W_, S_DOWNLOAD },
	{ "certutil", L_NONE, 0, N_ | W_, S_DOWNLOAD },
	{ "schtasks", L_NONE, 0, N_ | W_, S_PERSIST },
	{ "reg add", L_NONE, 0, N_ | W_, S_PERSIST },
	{ "currentversion\\run", L_NONE, 0, N_, S_PERSIST },
	/* PHP */
	{ "<?php", L_PHP, 8, N_, 0 },
	{ "<?=", L_PHP, 3, 0, 0 },
	{ "$_GET", L_PHP, 4, W_, 0 },
	{ "$_POST", L_PHP, 4, W_, 0 },
	{ "$_SERVER", L_PHP, 4, W_, 0 },
	{ "$_REQUEST", L_PHP, 4, W_, 0 },
	{ "$_COOKIE", L_PHP, 4, W_, 0 },
	{ "$_FILES", L_PHP, 4, W_, 0 },
	{ "$this->", L_PHP, 4, 0, 0 },
	{ "->", L_PHP, 1, 0, 0 },
	{ "?>", L_PHP, 2, 0, 0 },
	{ "isset(", L_PHP, 3, W_, 0 },
	{ "array(", L_PHP, 2, W_, 0 },
	{ "preg_replace(", L_PHP, 2, W_, 0 },
	{ "base64_decode(", L_PHP, 2, W_, S_DECODE },
	{ "gzinflate(", L_PHP, 2, W_, S_DECODE },
	{ "gzuncompress(", L_PHP, 2, W_, S_DECODE },
	{ "str_rot13(", L_PHP, 2, W_, S_DECODE },
	{ "shell_exec(", L_PHP, 2, W_, S_EXEC },
	{ "passthru(", L_PHP, 2, W_, S_EXEC },
	{ "proc_open(", L_PHP, 2, W_, S_EXEC },
	{ "create_function(", L_PHP, 3, W_, S_EXEC },
	{ "file_get_contents(", L_PHP, 3, W_, 0 },
	{ "system(", L_NONE, 0, W_, S_EXEC },
	{ "exec(", L_NONE, 0, W_, S_EXEC },
	/* HTML */
	{ "<!doctype html", L_HTML, 8, N_, 0 },
	{ "<html", L_HTML, 5, N_ | W_, 0 },
	{ "<head>", L_HTML, 3, N_, 0 },
	{ "<body", L_HTML, 3, N_ | W_, 0 },
	{ "<script", L_HTML, 2, N_ | W_, 0 },
	{ "</div>", L_HTML, 2, N_, 0 },
	{ "<div", L_HTML, 1, N_ | W_, 0 },
	{ "<meta ", L_HTML, 2, N_, 0 },
	{ "<title>", L_HTML, 3, N_, 0 },
	{ "<iframe", L_HTML, 2, N_ | W_, 0 },
	{ "<a href=", L_HTML, 2, N_, 0 },
	{ "<p>", L_HTML, 1, N_, 0 },
	{ "<br>", L_HTML, 1, N_, 0 },
	{ "<table", L_HTML, 1, N_ | W_, 0 },
	{ "<form", L_HTML, 1, N_ | W_, 0 },
	{ "<hta:application", L_HTML, 5, N_, S_EXEC },
	/* Perl */
	{ "use strict;", L_PL, 6, W_, 0 },
	{ "use warnings;", L_PL, 6, W_, 0 },
	{ "my $", L_PL, 3, W_, 0 },
	{ "my @", L_PL, 3, W_, 0 },
	{ "my %", L_PL, 3, W_, 0 },
	{ "my (", L_PL, 2, W_, 0 },
	{ "sub ", L_PL, 1, W_ | L_, 0 },
	{ "=~", L_PL, 2, 0, 0 },
	{ "print STDERR", L_PL, 4, W_, 0 },
	{ "@ARGV", L_PL, 4, W_, 0 },
	{ "$ARGV[", L_PL, 3, 0, 0 },
	{ "__END__", L_PL, 2, W_, 0 },
	{ "__DATA__", L_PL, 3, W_, 0 },
	{ "qw(", L_PL, 3, W_, 0 },
	{ "package ", L_PL, 1, W_ | L_, 0 },
	{ "foreach my", L_PL, 4, W_, 0 },
	{ "chomp", L_PL, 3, W_, 0 },
	{ "local $", L_PL, 2, W_, 0 },
	{ "$self->", L_PL, 3, 0, 0 },
};

#undef N_
#undef W_
#undef L_

#define N_CUES PN_ARRAY_LEN(cues)
#define HIT_CAP 1000   /* hits counted per cue */

/* ------------------------------------------------------------------ */
/* Characters                                                          */

static int
is_ident(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int
is_b64(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '/';
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* Append code point cp as UTF-8 if it fits in cap. */
static void
put_utf8(char *out, size_t *len, size_t cap, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (n > cap - *len)
		return;
	memcpy(out + *len, b, n);
	*len += n;
}

/*
 * UTF-16 units of d[0..n) (big-endian if be) to UTF-8 in a new buffer of
 * at most cap bytes (plus NUL); unpaired surrogates and NULs become
 * U+FFFD.  *len receives the length.
 */
static char *
utf16_to_utf8(const uint8_t *d, size_t n, int be, size_t cap, size_t *len)
{
	char *out;
	size_t i;

	cap = PN_MIN(cap, n / 2 * 3 + 4);   /* 3 bytes per unit at most, 4 per pair */
	out = pn_xmalloc(cap + 1);
	*len = 0;
	for (i = 0; i + 1 < n && *len + 4 <= cap; i += 2) {
		uint32_t u = be ? pn_be16(d + i) : pn_le16(d + i);

		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
			uint32_t v = be ? pn_be16(d + i + 2) : pn_le16(d + i + 2);
			if (v >= 0xdc00 && v < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
				i += 2;
			} else {
				u = 0xfffd;
			}
		} else if ((u >= 0xd800 && u < 0xe000) || u == 0) {
			u = 0xfffd;
		}
		put_utf8(out, len, cap, u);
	}
	out[*len] = '\0';
	return out;
}

/* UTF-16LE without a BOM: the odd bytes of the first bytes are all 0. */
static int
looks_utf16le(const uint8_t *d, size_t n)
{
	size_t i, m = PN_MIN(n, (size_t)256) & ~(size_t)1;

	if (m < 8)
		return 0;
	for (i = 0; i < m; i += 2)
		if (d[i + 1] != 0 || d[i] == 0)
			return 0;
	return 1;
}

/* Mostly text: no NUL, few control characters, in the first bytes. */
static int
looks_text(const uint8_t *d, size_t n)
{
	size_t i, m = PN_MIN(n, (size_t)PN_SCRIPT_SNIFF), bad = 0;

	if (n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff)))
		return 1;
	if (looks_utf16le(d, n))
		return 1;
	for (i = 0; i < m; i++) {
		if (d[i] == 0)
			return 0;
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' &&
		    d[i] != '\f' && d[i] != '\v' && d[i] != 0x1b)
			bad++;
	}
	return m > 0 && bad * 100 <= m;
}

/* ------------------------------------------------------------------ */
/* Bid                                                                 */

static int
script_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	static const char *const tags[] = {
		"shell", "python", "perl", "php", "batch", "powershell",
		"javascript", "vba", "html", "xml", "text", NULL
	};
	size_t i;

	if (size == 0)
		return 0;
	if (ident != NULL && ident->tag != NULL) {
		for (i = 0; tags[i]; i++)
			if (strcmp(ident->tag, tags[i]) == 0)
				return 2;
		return 0;
	}
	if (ident != NULL && ((strncmp(ident->mime, "text/", 5) == 0 && strcmp(ident->mime, "text/rtf") != 0) ||
	    strstr(ident->mime, "javascript") != NULL || strstr(ident->mime, "xml") != NULL))
		return 1;
	return looks_text(data, size) ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Analysis                                                            */

struct script {
	const char *t;                /* the text */
	size_t n;                     /* its length (<= PN_SCRIPT_MAX_SCAN) */
	uint16_t hits[N_CUES];        /* per cue, up to HIT_CAP */
	int score[L_N];
	enum lang lang;
	double confidence;
	size_t lines, longest, long_lines;
	double non_alnum;
	size_t b64_runs, num_list_max, concat, backticks, carets, substr, hex_esc, charcodes;
	struct json_object *obf;      /* obfuscation cue names */
	int obf_score;
	struct json_object *decoded;  /* decoded commands */
};

/* Does cue c (len bytes) match at t[i]? */
static int
cue_at(const struct script *s, const struct cue *c, size_t i, size_t len, int line_start)
{
	const unsigned char *t = (const unsigned char *)s->t;
	size_t k;

	if (len > s->n - i)
		return 0;
	if ((c->flags & C_LINE) && !line_start)
		return 0;
	if ((c->flags & C_WORD) && is_ident((unsigned char)c->text[0]) && i > 0 && is_ident(t[i - 1]))
		return 0;
	for (k = 0; k < len; k++) {
		unsigned char a = t[i + k], b = (unsigned char)c->text[k];
		if ((c->flags & C_NOCASE) ? lower(a) != b : a != b)
			return 0;
	}
	if ((c->flags & C_WORD) && is_ident((unsigned char)c->text[len - 1]) &&
	    i + len < s->n && is_ident(t[i + len]))
		return 0;
	return 1;
}

/* One pass over the text counting every cue, bucketed by first character. */
static void
count_cues(struct script *s)
{
	int16_t head[256], next[N_CUES];
	size_t len[N_CUES], i, k;
	int line_start = 1;

	memset(head, -1, sizeof(head));
	for (k = N_CUES; k-- > 0;) {
		unsigned char f = lower((unsigned char)cues[k].text[0]);
		len[k] = strlen(cues[k].text);
		next[k] = head[f];
		head[f] = (int16_t)k;
	}
	for (i = 0; i < s->n; i++) {
		unsigned char c = (unsigned char)s->t[i];
		int16_t j;

		for (j = head[lower(c)]; j >= 0; j = next[j])
			if (s->hits[j] < HIT_CAP && cue_at(s, &cues[j], i, len[j], line_start))
				s->hits[j]++;
		if (c == '\n')
			line_start = 1;
		else if (c != ' ' && c != '\t' && c != '\r')
			line_start = 0;
	}
}

/* The interpreter of a "#!" line: "python3" for "#!/usr/bin/env python3". */
static enum lang
shebang_lang(const char *t, size_t n)
{
	static const struct { const char *name; enum lang lang; } interp[] = {
		{ "sh", L_SH }, { "bash", L_SH }, { "dash", L_SH }, { "zsh", L_SH },
		{ "ksh", L_SH }, { "ash", L_SH }, { "mksh", L_SH }, { "busybox", L_SH },
		{ "python", L_PY }, { "perl", L_PL }, { "php", L_PHP },
		{ "node", L_JS }, { "nodejs", L_JS }, { "deno", L_JS },
		{ "pwsh", L_PS }, { "powershell", L_PS },
	};
	size_t i = 2, b, e, k;

	for (;;) {
		while (i < n && (t[i] == ' ' || t[i] == '\t'))
			i++;
		b = i;
		while (i < n && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
			i++;
		e = i;
		for (k = e; k > b && t[k - 1] != '/'; k--)
			;
		b = k;
		if (e - b == 3 && memcmp(t + b, "env", 3) == 0) {
			/* env [-S] interpreter */
			while (i < n && (t[i] == ' ' || t[i] == '\t'))
				i++;
			if (i + 1 < n && t[i] == '-') {
				while (i < n && t[i] != ' ' && t[i] != '\t' && t[i] != '\n')
					i++;
			}
			continue;
		}
		break;
	}
	/* python3.11 -> python */
	while (e > b && (is_digit((unsigned char)t[e - 1]) || t[e - 1] == '.'))
		e--;
	for (k = 0; k < PN_ARRAY_LEN(interp); k++)
		if (strlen(interp[k].name) == e - b && memcmp(t + b, interp[k].name, e - b) == 0)
			return interp[k].lang;
	return L_NONE;
}

static enum lang
ident_lang(const struct pn_ident *ident)
{
	static const struct { const char *tag; enum lang lang; } map[] = {
		{ "shell", L_SH }, { "python", L_PY }, { "powershell", L_PS },
		{ "javascript", L_JS }, { "vba", L_VB }, { "batch", L_BAT },
		{ "php", L_PHP }, { "html", L_HTML }, { "perl", L_PL },
	};
	size_t k;

	if (ident == NULL || ident->tag == NULL)
		return L_NONE;
	for (k = 0; k < PN_ARRAY_LEN(map); k++)
		if (strcmp(ident->tag, map[k].tag) == 0)
			return map[k].lang;
	return L_NONE;
}

#define SHEBANG_BONUS  100
#define IDENT_BONUS    6
#define MIN_SCORE      4

static void
pick_language(struct script *s, const struct pn_ident *ident)
{
	enum lang l;
	size_t k;
	int best = 0, second = 0;

	for (k = 0; k < N_CUES; k++)
		if (cues[k].lang != L_NONE)
			s->score[cues[k].lang] += cues[k].weight * PN_MIN(s->hits[k], 3);
	if (s->n > 2 && s->t[0] == '#' && s->t[1] == '!' && (l = shebang_lang(s->t, s->n)) != L_NONE)
		s->score[l] += SHEBANG_BONUS;
	if ((l = ident_lang(ident)) != L_NONE)
		s->score[l] += IDENT_BONUS;
	s->lang = L_NONE;
	for (k = 0; k < L_N; k++) {
		if (s->score[k] > best) {
			second = best;
			best = s->score[k];
			s->lang = (enum lang)k;
		} else if (s->score[k] > second) {
			second = s->score[k];
		}
	}
	if (best < MIN_SCORE) {
		s->lang = L_NONE;
		s->confidence = 0;
		return;
	}
	s->confidence = (double)(best - second) / (double)(best + 4);
	s->confidence = PN_MIN(s->confidence, 0.99);
}

/* Lines, the longest one, the non-alphanumeric share. */
static void
shape(struct script *s)
{
	size_t i, cur = 0, nonblank = 0, sym = 0;

	for (i = 0; i < s->n; i++) {
		unsigned char c = (unsigned char)s->t[i];
		if (c == '\n') {
			s->lines++;
			s->long_lines += cur >= PN_SCRIPT_LONG_LINE;
			s->longest = PN_MAX(s->longest, cur);
			cur = 0;
			continue;
		}
		cur++;
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		nonblank++;
		sym += !is_alpha(c) && !is_digit(c) && c < 0x80;
	}
	if (cur > 0) {
		s->lines++;
		s->long_lines += cur >= PN_SCRIPT_LONG_LINE;
		s->longest = PN_MAX(s->longest, cur);
	}
	s->non_alnum = nonblank ? (double)sym / (double)nonblank : 0;
}

/* Base64-like runs, lists of numbers, \xHH escapes. */
static void
runs(struct script *s)
{
	const unsigned char *t = (const unsigned char *)s->t;
	size_t i = 0, items = 0;

	while (i < s->n) {
		if (is_b64(t[i]) && (i == 0 || !is_b64(t[i - 1]))) {
			size_t j = i;
			int up = 0, lo = 0, dg = 0;
			for (; j < s->n && is_b64(t[j]); j++) {
				up |= t[j] >= 'A' && t[j] <= 'Z';
				lo |= t[j] >= 'a' && t[j] <= 'z';
				dg |= is_digit(t[j]);
			}
			s->b64_runs += j - i >= PN_SCRIPT_B64_RUN && up && lo && dg;
		}
		if (is_digit(t[i]) && (i == 0 || !is_ident(t[i - 1]))) {
			/* a number of at most 5 digits, then ',' and blanks */
			size_t j = i;
			while (j < s->n && is_digit(t[j]) && j - i < 6)
				j++;
			if (j - i <= 5 && j < s->n && t[j] == ',') {
				items++;
				s->num_list_max = PN_MAX(s->num_list_max, items);
				j++;
				while (j < s->n && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r'))
					j++;
				i = j;
				continue;
			}
			items = 0;
		} else if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r') {
			items = 0;
		}
		if (t[i] == '\\' && i + 3 < s->n && lower(t[i + 1]) == 'x' &&
		    isxdigit(t[i + 2]) && isxdigit(t[i + 3]))
			s->hex_esc++;
		i++;
	}
}

/*
 * 'a' + 'b', "a" & "b", 'a'.'b' (an opening quote right after an operator
 * that follows a closing quote: string literals are tracked per line);
 * I`E`X; p^o^w; %VAR:~4,1%.
 */
static void
tricks(struct script *s)
{
	const unsigned char *t = (const unsigned char *)s->t;
	size_t i, last_close = SIZE_MAX;
	unsigned char q = 0;

	for (i = 0; i < s->n; i++) {
		unsigned char c = t[i];

		if (c == '\n') {
			q = 0;
		} else if (q != 0) {
			if (c == '\\' && q == '"' && i + 1 < s->n)
				i++;
			else if (c == q) {
				q = 0;
				last_close = i;
			}
		} else if (c == '"' || c == '\'') {
			size_t a = i;
			q = c;
			while (a > 0 && t[a - 1] == ' ')
				a--;
			if (a > 0 && strchr("+&.", t[a - 1]) != NULL) {
				a--;
				while (a > 0 && t[a - 1] == ' ')
					a--;
				if (a > 0 && a - 1 == last_close)
					s->concat++;
			}
		}
		if (i == 0 || i + 1 >= s->n)
			continue;
		if (c == '`' && is_alpha(t[i - 1]) && is_alpha(t[i + 1]) &&
		    strchr("0abefnrtuv", t[i + 1]) == NULL)
			s->backticks++;
		else if (c == '^' && is_alpha(t[i - 1]) && is_alpha(t[i + 1]))
			s->carets++;
		else if (c == ':' && t[i + 1] == '~' && is_ident(t[i - 1]))
			s->substr++;
	}
}

static void
add_obf(struct script *s, const char *name, int weight)
{
	json_object_array_add(s->obf, json_object_new_string(name));
	s->obf_score += weight;
}

static void
obfuscation(struct script *s)
{
	size_t k, exec = 0, decode = 0;

	for (k = 0; k < N_CUES; k++) {
		if (cues[k].flags & C_CHARCODE)
			s->charcodes += s->hits[k];
		exec += cues[k].susp == S_EXEC && s->hits[k];
		decode += cues[k].susp == S_DECODE && s->hits[k];
	}
	if (s->long_lines > 0)
		add_obf(s, "long_lines", 1);
	if (s->non_alnum >= 0.45 && s->n >= 256)
		add_obf(s, "symbol_heavy", 1);
	if (s->b64_runs > 0)
		add_obf(s, "base64_blobs", 1);
	if (s->hex_esc >= 64 && s->hex_esc * 4 * 10 >= s->n)
		add_obf(s, "hex_escapes", 1);
	if (exec && decode)
		add_obf(s, "eval_decode", 1);
	if (s->charcodes >= 8 || s->num_list_max >= 32)
		add_obf(s, "char_codes", 2);
	if (s->concat >= 32)
		add_obf(s, "string_concat", 2);
	if ((s->backticks >= 4 && (s->lang == L_PS || s->lang == L_NONE)) ||
	    (s->carets >= 4 && (s->lang == L_BAT || s->lang == L_NONE)) || s->substr >= 4)
		add_obf(s, "escape_chars", 2);
	if (json_object_array_length(s->decoded) > 0)
		add_obf(s, "encoded_command", 2);
}

/* ------------------------------------------------------------------ */
/* PowerShell -EncodedCommand                                          */

/* -e, -en, ..., -encodedcommand, -ec (any case) at t[i] ('-' or '/')? Returns its length. */
static size_t
enc_switch(const char *t, size_t n, size_t i)
{
	static const char full[] = "encodedcommand";
	size_t k = i + 1, m = 0, j;

	if (i > 0 && !(t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '"' || t[i - 1] == '\''))
		return 0;
	while (k + m < n && is_alpha((unsigned char)t[k + m]) && m < sizeof(full))
		m++;
	if (m == 0 || m >= sizeof(full) || (k + m < n && is_ident((unsigned char)t[k + m])))
		return 0;
	if (m == 2 && lower((unsigned char)t[k]) == 'e' && lower((unsigned char)t[k + 1]) == 'c')
		return 3;
	for (j = 0; j < m; j++)
		if (lower((unsigned char)t[k + j]) != (unsigned char)full[j])
			return 0;
	return m + 1;
}

/* Lenient base64: '=' ends it, a partial last group is dropped.  Returns bytes written. */
static size_t
b64_lenient(const char *in, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t i, o = 0, bits = 0;

	for (i = 0; i < n && in[i] != '='; i++) {
		unsigned char c = (unsigned char)in[i];
		uint32_t v = c >= 'A' && c <= 'Z' ? (uint32_t)(c - 'A') : c >= 'a' && c <= 'z' ?
		    (uint32_t)(c - 'a' + 26) : is_digit(c) ? (uint32_t)(c - '0' + 52) : c == '+' ? 62u : 63u;
		acc = (acc << 6 | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				break;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

struct edge_ctx {
	struct pn_parse *p;
	size_t edges;
};

static int
on_decoded_ioc(void *ctx, enum pn_ioc_kind kind, const char *v, unsigned where)
{
	struct edge_ctx *e = ctx;
	uint8_t a[16];

	if (e->edges >= PN_SCRIPT_MAX_EDGES)
		return 0;
	if (kind == PN_IOC_URL)
		pn_parse_edge(e->p, "embedded_urls", "url", v);
	else if (kind == PN_IOC_DOMAIN)
		pn_parse_edge(e->p, "embedded_domains", "domain", v);
	else if (kind == PN_IOC_IPV4 && pn_ioc_ipv4(v, strlen(v), a) == PN_OK && pn_ioc_ip_public(4, a))
		pn_parse_edge(e->p, "embedded_ips", "ip_address", v);
	else if (kind == PN_IOC_IPV6 && pn_ioc_ipv6(v, strlen(v), a, NULL, 0) == PN_OK && pn_ioc_ip_public(6, a))
		pn_parse_edge(e->p, "embedded_ips", "ip_address", v);
	else
		return 0;
	e->edges++;
	return 0;
}

/*
 * Text, not binary: >= 90% of the UTF-16LE units are characters (not
 * control codes, surrogates or non-characters) and >= 30% printable ASCII,
 * which base64 of random bytes almost never is.
 */
static int
utf16_textual(const uint8_t *d, size_t n)
{
	size_t i, chars = 0, ascii = 0, units = n / 2;

	for (i = 0; i + 1 < n; i += 2) {
		uint32_t u = pn_le16(d + i);
		ascii += u >= 0x20 && u < 0x7f;
		chars += u == '\t' || u == '\n' || u == '\r' || (u >= 0x20 && u != 0x7f &&
		    !(u >= 0x80 && u < 0xa0) && u < 0xfffe);
	}
	return units >= 2 && chars * 10 >= units * 9 && ascii * 10 >= units * 3;
}

/* Cut s to at most max bytes at a UTF-8 boundary. */
static void
cut_utf8(char *s, size_t len, size_t max)
{
	if (len <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* Decode the argument at t[i]; i is past it on return. */
static void
decode_arg(struct script *s, struct edge_ctx *e, size_t *i)
{
	const char *t = s->t;
	size_t b, m, len, dl, cap;
	uint8_t *bin;
	char *text;

	while (*i < s->n && (t[*i] == ' ' || t[*i] == '\t'))
		(*i)++;
	if (*i < s->n && (t[*i] == '"' || t[*i] == '\''))
		(*i)++;
	b = *i;
	while (*i < s->n && (is_b64((unsigned char)t[*i]) || t[*i] == '='))
		(*i)++;
	m = *i - b;
	if (m < PN_SCRIPT_MIN_ENC_CHARS)
		return;
	cap = PN_MIN(m / 4 * 3 + 3, (size_t)PN_SCRIPT_MAX_ENC_BYTES);
	bin = pn_xmalloc(cap);
	dl = b64_lenient(t + b, m, bin, cap);
	if (utf16_textual(bin, dl)) {
		text = utf16_to_utf8(bin, dl, 0, PN_SCRIPT_MAX_ENC_BYTES * 3 / 2, &len);
		pn_ioc_scan(text, len, on_decoded_ioc, e);
		cut_utf8(text, len, PN_SCRIPT_MAX_DECODED_LEN);
		if (json_object_array_length(s->decoded) < PN_SCRIPT_MAX_DECODED)
			json_object_array_add(s->decoded, json_object_new_string(text));
		free(text);
	}
	free(bin);
}

static void
encoded_commands(struct script *s, struct pn_parse *p)
{
	struct edge_ctx e = { p, 0 };
	size_t i, sw;

	for (i = 0; i < s->n; i++) {
		if ((s->t[i] == '-' || s->t[i] == '/') && (sw = enc_switch(s->t, s->n, i)) > 0) {
			i += sw;
			if (i < s->n && (s->t[i] == ' ' || s->t[i] == '\t'))
				decode_arg(s, &e, &i);
			if (i > 0)
				i--;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static struct json_object *
suspicious(const struct script *s)
{
	struct json_object *a = json_object_new_array();
	size_t k;

	for (k = 0; k < N_CUES && json_object_array_length(a) < PN_SCRIPT_MAX_KEYWORDS; k++)
		if (cues[k].susp != S_NONE && s->hits[k] > 0)
			json_object_array_add(a, json_object_new_string(cues[k].text));
	return a;
}

static void
add_shebang(struct json_object *o, const char *t, size_t n)
{
	size_t e = 0;
	char *line;

	if (n < 2 || t[0] != '#' || t[1] != '!')
		return;
	while (e < n && e < PN_SCRIPT_MAX_SHEBANG && t[e] != '\n' && t[e] != '\r')
		e++;
	line = pn_utf8_clean(t, e);
	json_object_object_add(o, "shebang", json_object_new_string(line));
	free(line);
}

/* A number printed with fmt (so 0.273, not 0.27300000000000002). */
static struct json_object *
rounded(double v, const char *fmt)
{
	char buf[32];

	snprintf(buf, sizeof(buf), fmt, v);
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

static struct json_object *
info_json(struct script *s, const char *encoding, size_t size, int truncated)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "language", json_object_new_string(s->lang == L_NONE ? "unknown" : lang_name[s->lang]));
	json_object_object_add(o, "confidence", rounded(s->confidence, "%.2f"));
	add_shebang(o, s->t, s->n);
	if (encoding != NULL)
		json_object_object_add(o, "encoding", json_object_new_string(encoding));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "lines", json_object_new_int64((int64_t)s->lines));
	json_object_object_add(o, "longest_line", json_object_new_int64((int64_t)s->longest));
	json_object_object_add(o, "non_alnum_ratio", rounded(s->non_alnum, "%.3f"));
	json_object_object_add(o, "base64_runs", json_object_new_int64((int64_t)s->b64_runs));
	json_object_object_add(o, "obfuscation", json_object_get(s->obf));
	json_object_object_add(o, "obfuscation_score", json_object_new_int(s->obf_score));
	json_object_object_add(o, "suspicious", suspicious(s));
	json_object_object_add(o, "decoded_commands", json_object_get(s->decoded));
	if (truncated)
		json_object_object_add(o, "truncated", json_object_new_boolean(1));
	return o;
}

static void
add_tags(struct pn_parse *p, const struct script *s)
{
	if (s->confidence >= 0.5) {
		if (s->lang == L_PS)
			pn_parse_tag(p, "powershell");
		else if (s->lang == L_JS)
			pn_parse_tag(p, "javascript");
		else if (s->lang == L_VB)
			pn_parse_tag(p, "vba");
	}
	if (s->obf_score >= 3)
		pn_parse_tag(p, "obfuscated");
}

/*
 * The text to analyse: UTF-16 converted (a new buffer in *own), a UTF-8
 * BOM skipped, at most PN_SCRIPT_MAX_SCAN bytes.
 */
static const char *
get_text(const uint8_t *d, size_t size, size_t *n, char **own, const char **encoding, int *truncated)
{
	size_t cap = PN_SCRIPT_MAX_SCAN;

	*own = NULL;
	*encoding = NULL;
	*truncated = 0;
	if (size >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))) {
		int be = d[0] == 0xfe;
		*encoding = be ? "utf-16be" : "utf-16le";
		*own = utf16_to_utf8(d + 2, PN_MIN(size - 2, (size_t)cap), be, cap, n);
		*truncated = size - 2 > cap;
		return *own;
	}
	if (looks_utf16le(d, size)) {
		*encoding = "utf-16le";
		*own = utf16_to_utf8(d, PN_MIN(size, (size_t)cap), 0, cap, n);
		*truncated = size > cap;
		return *own;
	}
	if (size >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
		d += 3;
		size -= 3;
	}
	*n = PN_MIN(size, (size_t)cap);
	*truncated = size > cap;
	return (const char *)d;
}

static int
script_parse(struct pn_parse *p)
{
	struct script *s = pn_xcalloc(1, sizeof(*s));
	const char *encoding;
	char *own;
	int truncated;

	s->t = get_text(p->data, p->size, &s->n, &own, &encoding, &truncated);
	s->obf = json_object_new_array();
	s->decoded = json_object_new_array();
	count_cues(s);
	pick_language(s, p->ident);
	shape(s);
	runs(s);
	tricks(s);
	encoded_commands(s, p);
	obfuscation(s);
	json_object_object_add(p->attrs, "script_info", info_json(s, encoding, p->size, truncated));
	add_tags(p, s);
	if (truncated)
		pn_parse_note(p, "script: only the first %u bytes were analysed", PN_SCRIPT_MAX_SCAN);
	json_object_put(s->obf);
	json_object_put(s->decoded);
	free(own);
	free(s);
	return truncated ? PN_ELIMIT : PN_OK;
}

const struct pn_parser pn_parser_script = {
	"script",
	script_bid,
	script_parse,
};
