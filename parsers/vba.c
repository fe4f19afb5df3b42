/*
 * vba.c - VBA projects: [MS-OVBA] decompression, the dir stream, module
 * source extraction and the keyword/IOC scan (see vba.h).
 *
 * The decompressor follows 2.4.1.3 literally: a signature byte 0x01, then
 * chunks whose 16-bit header gives the compressed size (12 bits + 3), a
 * signature (3 bits, 0b011) and a flag (raw or compressed); a compressed
 * chunk is a run of flag bytes each followed by 8 tokens, a literal byte
 * or a 16-bit copy token whose offset/length split depends on how much of
 * the chunk is already decompressed (2.4.1.3.19.1 CopyToken Help).  A copy
 * token may not reach before its chunk and a chunk may not decompress to
 * more than 4096 bytes; either stops decompression with PN_EFORMAT and
 * keeps what came before.  Output is capped by the caller's max.
 *
 * The dir stream is read as a sequence of {u16 id, u32 size, data}
 * records, which all of 2.3.4.2 follows except PROJECTVERSION (id 0x0009),
 * whose size field says 4 but which carries 6 bytes.
 *
 * Limits, errors, spec: vba.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vba.h"
#include "parser.h"
#include "rd.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* ASCII case-insensitive comparisons (locale-free, as [MS-CFB] and OPC fold names). */
static int
ci_cmp(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
	} while (x == y && x != 0);
	return x - y;
}

static int
ci_ncmp(const char *a, const char *b, size_t n)
{
	unsigned char x = 0, y = 0;

	while (n-- > 0) {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y || x == 0)
			break;
	}
	return x - y;
}

#define CHUNK_MAX 4096

/* ------------------------------------------------------------------ */
/* decompression ([MS-OVBA] 2.4.1.3)                                   */

struct dout {
	uint8_t *p;
	size_t len, cap, max;
};

/* Make room for one more byte: PN_ELIMIT at max. */
static int
dout_room(struct dout *o)
{
	if (o->len >= o->max)
		return PN_ELIMIT;
	if (o->len == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 4096;
		if (ncap > o->max)
			ncap = o->max;
		o->p = pn_xrealloc(o->p, ncap);
		o->cap = ncap;
	}
	return PN_OK;
}

/* Room for n more bytes: PN_ELIMIT (and room up to max) when they do not fit. */
static int
dout_reserve(struct dout *o, size_t n)
{
	size_t need = n > o->max - o->len ? o->max : o->len + n;

	if (need > o->cap) {
		size_t ncap = o->cap ? o->cap : 4096;
		while (ncap < need)
			ncap *= 2;
		if (ncap > o->max)
			ncap = o->max;
		o->p = pn_xrealloc(o->p, ncap);
		o->cap = ncap;
	}
	return o->len + n <= o->max ? PN_OK : PN_ELIMIT;
}

/* One copy token at decompressed position o->len (chunk began at dstart). */
static int
copy_token(struct dout *o, size_t dstart, uint16_t token)
{
	size_t diff = o->len - dstart, length, offset, i;
	unsigned bits = 4;
	uint16_t lmask;

	if (diff == 0)
		return PN_EFORMAT;      /* nothing to copy from yet */
	while (bits < 12 && ((size_t)1 << bits) < diff)
		bits++;
	lmask = (uint16_t)(0xFFFFu >> bits);
	length = (size_t)(token & lmask) + 3;
	offset = (size_t)((token & (uint16_t)~lmask) >> (16 - bits)) + 1;
	if (offset > diff || diff + length > CHUNK_MAX)
		return PN_EFORMAT;
	if (dout_reserve(o, length) != PN_OK)
		length = o->max - o->len;       /* copy up to the cap, then stop */
	for (i = 0; i < length; i++, o->len++)
		o->p[o->len] = o->p[o->len - offset];   /* may overlap: byte by byte */
	return length < (size_t)(token & lmask) + 3 ? PN_ELIMIT : PN_OK;
}

static int
compressed_chunk(struct pn_rd *r, struct dout *o)
{
	size_t dstart = o->len;
	uint8_t flags, lit;
	uint16_t token;
	int bit, rc;

	while (pn_rd_left(r) > 0) {
		pn_rd_u8(r, &flags);
		for (bit = 0; bit < 8 && pn_rd_left(r) > 0; bit++) {
			if ((flags & (1u << bit)) == 0) {
				pn_rd_u8(r, &lit);
				if (o->len - dstart >= CHUNK_MAX)
					return PN_EFORMAT;
				if ((rc = dout_room(o)) != PN_OK)
					return rc;
				o->p[o->len++] = lit;
			} else {
				if (pn_rd_le16(r, &token) != PN_OK)
					return PN_EFORMAT;
				if ((rc = copy_token(o, dstart, token)) != PN_OK)
					return rc;
			}
		}
	}
	return PN_OK;
}

static int
raw_chunk(struct pn_rd *r, struct dout *o)
{
	size_t n = PN_MIN(pn_rd_left(r), (size_t)CHUNK_MAX), i;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = dout_room(o)) != PN_OK)
			return rc;
		o->p[o->len++] = r->p[i];
	}
	pn_rd_skip(r, n);
	/* 2.4.1.3.3: a raw chunk holds exactly 4096 bytes. */
	return n == CHUNK_MAX ? PN_OK : PN_EFORMAT;
}

int
pn_vba_decompress(const uint8_t *in, size_t inlen, size_t max, uint8_t **out, size_t *outlen)
{
	struct pn_rd r;
	struct dout o = { NULL, 0, 0, max };
	uint8_t sig;
	int rc = PN_OK;

	if (in == NULL)
		inlen = 0, in = (const uint8_t *)"";
	r = pn_rd_make(in, inlen);

	if (pn_rd_u8(&r, &sig) != PN_OK || sig != 0x01)
		rc = PN_EFORMAT;
	while (rc == PN_OK && pn_rd_left(&r) > 0) {
		uint16_t hdr;
		struct pn_rd chunk;
		size_t size;
		if (pn_rd_le16(&r, &hdr) != PN_OK || ((hdr >> 12) & 7) != 3) {
			rc = PN_EFORMAT;
			break;
		}
		/* CompressedChunkSize counts the 2 header bytes. */
		size = (size_t)(hdr & 0x0FFF) + 3 - 2;
		if (size > pn_rd_left(&r)) {
			size = pn_rd_left(&r);
			rc = PN_EFORMAT;        /* decode what is there, then stop */
		}
		pn_rd_at(&r, 0, size, &chunk);
		pn_rd_skip(&r, size);
		{
			int crc = (hdr & 0x8000) ? compressed_chunk(&chunk, &o) : raw_chunk(&chunk, &o);
			if (crc != PN_OK)
				rc = crc;
		}
	}
	if (o.len == 0) {
		free(o.p);
		o.p = NULL;
	}
	*out = o.p;
	*outlen = o.len;
	return rc;
}

/* ------------------------------------------------------------------ */
/* dir stream ([MS-OVBA] 2.3.4.2)                                      */

enum {
	DIR_CODEPAGE = 0x0003, DIR_NAME = 0x0004, DIR_VERSION = 0x0009,
	DIR_MODULES = 0x000F, DIR_END = 0x0010,
	MOD_NAME = 0x0019, MOD_NAME_U = 0x0047, MOD_STREAM = 0x001A, MOD_STREAM_U = 0x0032,
	MOD_OFFSET = 0x0031, MOD_PROC = 0x0021, MOD_DOC = 0x0022, MOD_END = 0x002B
};

/* A name in the project code page, cut at a UTF-8 character boundary to fit. */
static void
mbcs_name(char *dst, size_t dstlen, const uint8_t *v, size_t n, unsigned cp)
{
	char *s = pn_ole_mbcs(v, PN_MIN(n, (size_t)PN_VBA_MAX_NAME), cp);
	size_t len = strlen(s);

	if (len >= dstlen) {
		len = dstlen - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;          /* s[len] would start the cut sequence */
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	free(s);
}

static struct pn_vba_module *
dir_module(struct pn_vba_dir *d, int *open)
{
	if (!*open) {
		if (d->nmodules >= PN_VBA_MAX_MODULES)
			return NULL;
		if (d->nmodules % 16 == 0)
			d->modules = pn_xrealloc(d->modules, (d->nmodules + 16) * sizeof(*d->modules));
		memset(&d->modules[d->nmodules], 0, sizeof(*d->modules));
		d->nmodules++;
		*open = 1;
	}
	return &d->modules[d->nmodules - 1];
}

/* One record; returns PN_ELIMIT when the module table is full. */
static int
dir_record(struct pn_vba_dir *d, uint16_t id, const uint8_t *v, uint32_t n, int *open)
{
	struct pn_vba_module *m;

	switch (id) {
	case DIR_CODEPAGE:
		if (n >= 2)
			d->codepage = pn_le16(v);
		return PN_OK;
	case DIR_NAME:
		mbcs_name(d->name, sizeof(d->name), v, n, d->codepage);
		return PN_OK;
	case DIR_MODULES:
		if (n >= 2)
			d->declared = pn_le16(v);
		return PN_OK;
	case MOD_NAME:
		*open = 0;              /* MODULENAME starts a module */
		/* FALLTHROUGH */
	case MOD_NAME_U: case MOD_STREAM: case MOD_STREAM_U: case MOD_OFFSET:
	case MOD_PROC: case MOD_DOC: case MOD_END:
		break;
	default:
		return PN_OK;
	}
	if (id == MOD_END && !*open)
		return PN_OK;           /* a terminator with no module open */
	if ((m = dir_module(d, open)) == NULL)
		return PN_ELIMIT;
	switch (id) {
	case MOD_NAME:
		mbcs_name(m->name, sizeof(m->name), v, n, d->codepage);
		break;
	case MOD_NAME_U:
		pn_ole_utf16(v, n / 2, m->name, sizeof(m->name));
		break;
	case MOD_STREAM:
		if (m->stream[0] == '\0')
			mbcs_name(m->stream, sizeof(m->stream), v, n, d->codepage);
		break;
	case MOD_STREAM_U:
		if (n >= 2)
			pn_ole_utf16(v, n / 2, m->stream, sizeof(m->stream));
		break;
	case MOD_OFFSET:
		if (n >= 4) {
			m->offset = pn_le32(v);
			m->has_offset = 1;
		}
		break;
	case MOD_PROC:
		m->kind = 1;
		break;
	case MOD_DOC:
		m->kind = 2;
		break;
	case MOD_END:
		*open = 0;
		break;
	}
	return PN_OK;
}

int
pn_vba_parse_dir(const uint8_t *dir, size_t len, struct pn_vba_dir *d)
{
	struct pn_rd r;
	int open = 0, rc;

	if (dir == NULL)
		len = 0, dir = (const uint8_t *)"";
	r = pn_rd_make(dir, len);
	memset(d, 0, sizeof(*d));
	d->codepage = 1252;
	while (pn_rd_left(&r) > 0) {
		uint16_t id;
		uint32_t size;
		const uint8_t *v;
		if (pn_rd_le16(&r, &id) != PN_OK || pn_rd_le32(&r, &size) != PN_OK)
			return PN_EFORMAT;
		if (id == DIR_VERSION)
			size = 6;       /* 2.3.4.2.1.11: Reserved (4) then 6 bytes of version */
		if (pn_rd_bytes(&r, size, &v) != PN_OK)
			return PN_EFORMAT;
		if (id == DIR_END)
			return PN_OK;
		if ((rc = dir_record(d, id, v, size, &open)) != PN_OK)
			return rc;
	}
	/* No terminator: fine if the modules were complete. */
	return open ? PN_EFORMAT : PN_OK;
}

void
pn_vba_dir_release(struct pn_vba_dir *d)
{
	free(d->modules);
	d->modules = NULL;
	d->nmodules = 0;
}

/* ------------------------------------------------------------------ */
/* keyword and pattern scan                                            */

#define WB_L 1  /* no identifier character may precede */
#define WB_R 2  /* none may follow */

enum kind { AUTO, SUSP };

static const struct keyword {
	const char *word;
	enum kind kind;
	const char *property;   /* VirusTotal-style property, or NULL */
	int wb;
} keywords[] = {
	/* run when the document opens or closes (olevba AUTOEXEC_KEYWORDS) */
	{ "AutoOpen", AUTO, "auto-open", WB_L | WB_R },
	{ "Auto_Open", AUTO, "auto-open", WB_L | WB_R },
	{ "AutoExec", AUTO, "auto-open", WB_L | WB_R },
	{ "AutoNew", AUTO, "auto-open", WB_L | WB_R },
	{ "Document_Open", AUTO, "auto-open", WB_L | WB_R },
	{ "DocumentOpen", AUTO, "auto-open", WB_L | WB_R },
	{ "Document_New", AUTO, "auto-open", WB_L | WB_R },
	{ "NewDocument", AUTO, "auto-open", WB_L | WB_R },
	{ "Workbook_Open", AUTO, "auto-open", WB_L | WB_R },
	{ "Workbook_Activate", AUTO, "auto-open", WB_L | WB_R },
	{ "Auto_Activate", AUTO, "auto-open", WB_L | WB_R },
	{ "_Layout", AUTO, "auto-open", WB_R },
	{ "_Painted", AUTO, "auto-open", WB_R },
	{ "_GotFocus", AUTO, "auto-open", WB_R },
	{ "AutoClose", AUTO, "auto-close", WB_L | WB_R },
	{ "Auto_Close", AUTO, "auto-close", WB_L | WB_R },
	{ "AutoExit", AUTO, "auto-close", WB_L | WB_R },
	{ "Document_Close", AUTO, "auto-close", WB_L | WB_R },
	{ "Document_BeforeClose", AUTO, "auto-close", WB_L | WB_R },
	{ "DocumentBeforeClose", AUTO, "auto-close", WB_L | WB_R },
	{ "Workbook_Close", AUTO, "auto-close", WB_L | WB_R },
	{ "Workbook_BeforeClose", AUTO, "auto-close", WB_L | WB_R },
	{ "Workbook_Deactivate", AUTO, "auto-close", WB_L | WB_R },
	/* running programs */
	{ "Shell", SUSP, "run-file", WB_L | WB_R },
	{ "WScript.Shell", SUSP, "run-file", WB_L | WB_R },
	{ "Shell.Application", SUSP, "run-file", WB_L | WB_R },
	{ "ShellExecute", SUSP, "run-file", WB_L },
	{ "Exec", SUSP, "run-file", WB_L | WB_R },
	{ ".Run", SUSP, "run-file", WB_R },
	{ "MacScript", SUSP, "run-file", WB_L | WB_R },
	{ "vbHide", SUSP, "run-file", WB_L | WB_R },
	{ "powershell", SUSP, "run-file", 0 },
	{ "cmd.exe", SUSP, "run-file", WB_L },
	{ "ExecuteExcel4Macro", SUSP, "run-file", WB_L | WB_R },
	{ "Lib", SUSP, "run-dll", WB_L | WB_R },
	{ "CreateObject", SUSP, "create-ole", WB_L | WB_R },
	{ "GetObject", SUSP, "create-ole", WB_L | WB_R },
	{ "Environ", SUSP, "environ", WB_L | WB_R },
	{ "ExpandEnvironmentStrings", SUSP, "environ", WB_L | WB_R },
	/* obfuscation */
	{ "Chr(", SUSP, "obfuscated", WB_L },
	{ "ChrW(", SUSP, "obfuscated", WB_L },
	{ "ChrB(", SUSP, "obfuscated", WB_L },
	{ "Chr$(", SUSP, "obfuscated", WB_L },
	{ "StrReverse", SUSP, "obfuscated", WB_L | WB_R },
	{ "Xor", SUSP, "obfuscated", WB_L | WB_R },
	{ "CallByName", SUSP, "obfuscated", WB_L | WB_R },
	{ "Base64", SUSP, "obfuscated", 0 },
	/* downloads */
	{ "URLDownloadToFile", SUSP, "network", WB_L },
	{ "XMLHTTP", SUSP, "network", WB_R },
	{ "WinHttpRequest", SUSP, "network", WB_R },
	{ "Net.WebClient", SUSP, "network", WB_R },
	{ "DownloadFile", SUSP, "network", WB_L | WB_R },
	{ "DownloadString", SUSP, "network", WB_L | WB_R },
	{ "InternetOpen", SUSP, "network", WB_L },
	/* files */
	{ "ADODB.Stream", SUSP, "write-file", WB_L | WB_R },
	{ "SaveToFile", SUSP, "write-file", WB_L | WB_R },
	{ "CreateTextFile", SUSP, "write-file", WB_L | WB_R },
	{ "For Output", SUSP, "write-file", WB_L | WB_R },
	{ "For Binary", SUSP, "write-file", WB_L | WB_R },
	{ "For Append", SUSP, "write-file", WB_L | WB_R },
	{ "Kill", SUSP, "delete-file", WB_L | WB_R },
	{ "DeleteFile", SUSP, "delete-file", WB_L | WB_R },
	{ "FileCopy", SUSP, "copy-file", WB_L | WB_R },
	{ "CopyFile", SUSP, "copy-file", WB_L | WB_R },
	{ "Scripting.FileSystemObject", SUSP, NULL, WB_L | WB_R },
	/* system */
	{ "RegWrite", SUSP, "registry", WB_L | WB_R },
	{ "RegRead", SUSP, "registry", WB_L | WB_R },
	{ "RegDelete", SUSP, "registry", WB_L | WB_R },
	{ "HKEY_", SUSP, "registry", WB_L },
	{ "winmgmts", SUSP, "calls-wmi", WB_L | WB_R },
	{ "Win32_Process", SUSP, "calls-wmi", WB_L | WB_R },
	{ "VirtualAlloc", SUSP, NULL, WB_L },
	{ "RtlMoveMemory", SUSP, NULL, WB_L | WB_R },
	{ "WriteProcessMemory", SUSP, NULL, WB_L | WB_R },
	{ "CreateThread", SUSP, NULL, WB_L | WB_R },
	{ "SendKeys", SUSP, NULL, WB_L | WB_R },
};

static int
ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/*
 * Is keyword k in the lower-cased text s[0..n), with its boundary rules?
 * (memmem on lower-cased copies: one pass per keyword, no per-byte compare
 * loops; the scan runs on up to PN_VBA_MAX_SOURCE bytes per module.)
 */
static int
find_word(const char *s, size_t n, const struct keyword *k)
{
	char w[64];
	size_t wl = strlen(k->word), i;
	const char *at = s, *end = s + n, *hit;

	if (wl >= sizeof(w))
		return 0;
	for (i = 0; i < wl; i++)
		w[i] = (char)tolower((unsigned char)k->word[i]);
	while (at < end && (hit = memmem(at, (size_t)(end - at), w, wl)) != NULL) {
		size_t pos = (size_t)(hit - s);
		at = hit + 1;
		if ((k->wb & WB_L) && pos > 0 && ident_char((unsigned char)s[pos - 1]))
			continue;
		if ((k->wb & WB_R) && pos + wl < n && ident_char((unsigned char)s[pos + wl]))
			continue;
		return 1;
	}
	return 0;
}

static void
add_unique(struct json_object *arr, const char *s)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return;
	json_object_array_add(arr, json_object_new_string(s));
}

static int
url_char(unsigned char c)
{
	return c > 0x20 && c < 0x7F && !strchr("\"'<>()[]{}\\^`|", c);
}

/*
 * URLs in s (lower: the same text lower-cased): each http, https or ftp
 * URL becomes an edge; returns how many were seen.
 */
static int
scan_urls(const char *s, const char *lower, size_t n, struct pn_parse *p)
{
	static const char *const schemes[] = { "https", "http", "ftp" };
	const char *at = lower, *end = lower + n, *hit;
	size_t found = 0, k;

	while (found < PN_VBA_MAX_URLS && at < end && (hit = memmem(at, (size_t)(end - at), "://", 3)) != NULL) {
		size_t colon = (size_t)(hit - lower), i = 0, j;
		at = hit + 3;
		for (k = 0; k < PN_ARRAY_LEN(schemes); k++) {
			size_t sl = strlen(schemes[k]);
			if (colon >= sl && memcmp(lower + colon - sl, schemes[k], sl) == 0) {
				i = colon - sl;
				break;
			}
		}
		if (k == PN_ARRAY_LEN(schemes))
			continue;
		for (j = colon + 3; j < n && j - i < PN_VBA_MAX_URL && url_char((unsigned char)s[j]); j++)
			;
		while (j > colon + 3 && strchr(".,;:", s[j - 1]))
			j--;
		if (j > colon + 3) {
			char *u = pn_xstrndup(s + i, j - i);
			if (p)
				pn_parse_edge(p, "embedded_urls", "url", u);
			free(u);
			found++;
			at = lower + j;
		}
	}
	return (int)found;
}

static int
exe_pattern(const char *s, size_t n)
{
	static const char *const ext[] = { "exe", "dll", "scr", "pif", "bat", "cmd", "vbs", "vbe",
	    "js", "jse", "hta", "ps1", "jar", "com", "lnk", "msi", "wsf" };
	size_t i, k;

	for (i = 1; i < n; i++) {
		if (s[i] != '.' || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '-'))
			continue;
		for (k = 0; k < PN_ARRAY_LEN(ext); k++) {
			size_t el = strlen(ext[k]);
			if (i + 1 + el <= n && ci_ncmp(s + i + 1, ext[k], el) == 0 &&
			    (i + 1 + el == n || !ident_char((unsigned char)s[i + 1 + el])))
				return 1;
		}
	}
	return 0;
}

/* A dotted quad a.b.c.d, each 0-255, not inside a longer number. */
static int
ip_pattern(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t j = i;
		int part, ok = 1;
		if (!isdigit((unsigned char)s[i]) || (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.')))
			continue;
		for (part = 0; part < 4 && ok; part++) {
			unsigned v = 0, digits = 0;
			while (j < n && isdigit((unsigned char)s[j]) && digits < 4) {
				v = v * 10 + (unsigned)(s[j++] - '0');
				digits++;
			}
			ok = digits >= 1 && digits <= 3 && v <= 255;
			if (ok && part < 3)
				ok = j < n && s[j++] == '.';
		}
		if (ok && (j == n || !(isalnum((unsigned char)s[j]) || s[j] == '.')))
			return 1;
	}
	return 0;
}

int
pn_vba_analyze(const char *src, size_t len, struct json_object *macro, struct pn_parse *p)
{
	struct json_object *autos = json_object_new_array(), *susp = json_object_new_array();
	struct json_object *props = json_object_new_array(), *pats = json_object_new_array();
	size_t i;
	int found = 0;
	char *lower;

	lower = pn_xmalloc(len + 1);
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)src[i]);
	lower[len] = '\0';
	for (i = 0; i < PN_ARRAY_LEN(keywords); i++) {
		const struct keyword *k = &keywords[i];
		if (!find_word(lower, len, k))
			continue;
		found++;
		add_unique(k->kind == AUTO ? autos : susp, k->word);
		if (k->property)
			add_unique(props, k->property);
	}
	if (scan_urls(src, lower, len, p) > 0)
		add_unique(pats, "url-pattern");
	if (exe_pattern(src, len))
		add_unique(pats, "exe-pattern");
	if (ip_pattern(src, len))
		add_unique(pats, "ip-pattern");
	free(lower);
	found += (int)json_object_array_length(pats);
	if (p) {
		for (i = 0; i < json_object_array_length(props); i++)
			pn_parse_tag(p, json_object_get_string(json_object_array_get_idx(props, i)));
		for (i = 0; i < json_object_array_length(pats); i++)
			pn_parse_tag(p, json_object_get_string(json_object_array_get_idx(pats, i)));
	}
	json_object_object_add(macro, "properties", props);
	json_object_object_add(macro, "patterns", pats);
	json_object_object_add(macro, "auto_exec", autos);
	json_object_object_add(macro, "suspicious", susp);
	return found;
}

/* ------------------------------------------------------------------ */
/* projects and modules                                                */

struct proj {
	struct pn_ole *ole;
	uint32_t vba;                   /* the VBA storage */
	const char *subfilename;
	struct json_object *macros;
	struct pn_vba_stats *st;
	struct pn_parse *p;
	unsigned codepage;
	int rc;
};

static void proj_note(struct proj *pj, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
proj_note(struct proj *pj, const char *fmt, ...)
{
	char msg[1024], cut[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pn_ole_utf8_cut(cut, sizeof(cut), msg);     /* stays valid UTF-8 */
	if (pj->p)
		pn_parse_note(pj->p, "vba: %s", cut);
	if (pj->rc == PN_OK)
		pj->rc = PN_EFORMAT;
}

/* Offset of the compressed "Attribute VB_Name" olevba looks for, or -1. */
static long
find_attribute(const uint8_t *s, size_t n)
{
	static const uint8_t pat[] = "\x00" "Attribut";
	size_t i;

	for (i = 3; i + sizeof(pat) - 1 <= n; i++)
		if (memcmp(s + i, pat, sizeof(pat) - 1) == 0 && s[i - 3] == 0x01)
			return (long)(i - 3);
	return -1;
}

/* CR LF and CR become LF, in place; returns the new length. */
static size_t
normalize_eol(uint8_t *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			s[o++] = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else
			s[o++] = s[i];
	}
	return o;
}

static void
add_module(struct proj *pj, const char *name, const char *stream, int kind,
    uint32_t sid, uint8_t *src, size_t srclen, int truncated)
{
	struct json_object *m = json_object_new_object();
	char path[PN_OLE_MAX_PATH], fname[PN_VBA_MAX_NAME + 8];
	char *text;
	size_t tlen;

	pn_ole_path(pj->ole, sid, path, sizeof(path));
	snprintf(fname, sizeof(fname), "%s%s", name[0] ? name : stream,
	    kind == 1 ? ".bas" : kind == 2 ? ".cls" : "");
	srclen = normalize_eol(src, srclen);
	text = pn_ole_mbcs(src, srclen, pj->codepage);
	tlen = strlen(text);
	json_object_object_add(m, "vba_filename", json_object_new_string(fname));
	json_object_object_add(m, "stream_path", json_object_new_string(path));
	if (pj->subfilename)
		json_object_object_add(m, "subfilename", json_object_new_string(pj->subfilename));
	json_object_object_add(m, "module_name", json_object_new_string(name[0] ? name : stream));
	json_object_object_add(m, "length", json_object_new_int64((int64_t)srclen));
	if (pj->st->source_bytes + tlen <= PN_VBA_MAX_TOTAL_SOURCE) {
		json_object_object_add(m, "vba_code", json_object_new_string_len(text, (int)tlen));
		pj->st->source_bytes += tlen;
	} else {
		json_object_object_add(m, "vba_code_omitted", json_object_new_boolean(1));
		if (pj->rc == PN_OK)
			pj->rc = PN_ELIMIT;
	}
	if (truncated)
		json_object_object_add(m, "truncated", json_object_new_boolean(1));
	pn_vba_analyze(text, tlen, m, pj->p);
	json_object_array_add(pj->macros, m);
	pj->st->modules++;
	free(text);
}

/*
 * Decompress the source of stream sid from offset (or, with has_offset 0
 * or when that fails, from a compressed "Attribute" found by search).
 * Returns 1 when a module was added.
 */
static int
do_module(struct proj *pj, const char *name, const char *stream, int kind, uint32_t sid,
    uint32_t offset, int has_offset, int quiet)
{
	uint8_t *data = NULL, *src = NULL;
	size_t len = 0, srclen = 0;
	int rc, drc = PN_EFORMAT;
	long at;

	rc = pn_ole_read(pj->ole, sid, PN_VBA_MAX_STREAM, &data, &len);
	if (rc == PN_EFORMAT && !quiet)
		proj_note(pj, "module stream \"%s\" is damaged", stream);
	if (has_offset && offset < len) {
		drc = pn_vba_decompress(data + offset, len - offset, PN_VBA_MAX_SOURCE, &src, &srclen);
		if (drc != PN_OK && drc != PN_ELIMIT && srclen == 0) {
			free(src);
			src = NULL;
		}
	}
	if (src == NULL && (at = find_attribute(data, len)) >= 0) {
		if (has_offset && !quiet)
			proj_note(pj, "module \"%s\": no source at offset %u, found by search", name, offset);
		drc = pn_vba_decompress(data + at, len - (size_t)at, PN_VBA_MAX_SOURCE, &src, &srclen);
	}
	free(data);
	if (src == NULL) {
		if (!quiet)
			proj_note(pj, "module \"%s\": no source found in stream \"%s\"", name, stream);
		return 0;
	}
	if (drc == PN_EFORMAT && !quiet)
		proj_note(pj, "module \"%s\": compressed source is damaged", name);
	add_module(pj, name, stream, kind, sid, src, srclen, drc == PN_ELIMIT);
	free(src);
	return 1;
}

static int
skip_fallback_stream(const char *n)
{
	return ci_cmp(n, "dir") == 0 || ci_cmp(n, "_VBA_PROJECT") == 0 ||
	    ci_ncmp(n, "__SRP_", 6) == 0 || ci_ncmp(n, "PROJECT", 7) == 0;
}

/* No usable dir stream: try every other stream of the VBA storage. */
static void
fallback_modules(struct proj *pj)
{
	uint32_t i, n = pn_ole_reachable(pj->ole), added = 0;

	for (i = 0; i < n && added < PN_VBA_MAX_MODULES; i++) {
		uint32_t id = pn_ole_order(pj->ole, i);
		const struct pn_ole_entry *e = pn_ole_entry(pj->ole, id);
		if (e->parent != pj->vba || e->type != PN_OLE_STREAM || skip_fallback_stream(e->name))
			continue;
		added += (uint32_t)do_module(pj, e->name, e->name, 0, id, 0, 0, 1);
	}
}

static void
do_project(struct proj *pj, uint32_t dir_id)
{
	uint8_t *raw = NULL, *dir = NULL;
	size_t rawlen = 0, dirlen = 0;
	struct pn_vba_dir d;
	unsigned i, added = 0;
	int rc;

	rc = pn_ole_read(pj->ole, dir_id, PN_VBA_MAX_DIR_STREAM, &raw, &rawlen);
	if (rc != PN_OK)
		proj_note(pj, "dir stream: %s", pn_strerror(rc));
	rc = pn_vba_decompress(raw, rawlen, PN_VBA_MAX_DIR, &dir, &dirlen);
	free(raw);
	if (rc != PN_OK)
		proj_note(pj, "dir stream does not decompress: %s", pn_strerror(rc));
	rc = pn_vba_parse_dir(dir, dirlen, &d);
	free(dir);
	if (rc != PN_OK)
		proj_note(pj, "dir stream: %s after %u modules", pn_strerror(rc), d.nmodules);
	pj->codepage = d.codepage;
	for (i = 0; i < d.nmodules; i++) {
		const struct pn_vba_module *m = &d.modules[i];
		uint32_t sid = pn_ole_child(pj->ole, pj->vba, m->stream);
		if (sid == PN_OLE_NOSTREAM || pn_ole_entry(pj->ole, sid)->type != PN_OLE_STREAM) {
			proj_note(pj, "module \"%s\": stream \"%s\" not found", m->name, m->stream);
			continue;
		}
		added += (unsigned)do_module(pj, m->name, m->stream, m->kind, sid, m->offset,
		    m->has_offset, 0);
	}
	pn_vba_dir_release(&d);
	if (added == 0)
		fallback_modules(pj);
}

int
pn_vba_extract(struct pn_ole *ole, const char *subfilename, struct json_object *macros,
    struct pn_vba_stats *st, struct pn_parse *p)
{
	uint32_t i, n = pn_ole_reachable(ole);
	struct proj pj;

	memset(&pj, 0, sizeof(pj));
	pj.ole = ole;
	pj.subfilename = subfilename;
	pj.macros = macros;
	pj.st = st;
	pj.p = p;
	for (i = 0; i < n; i++) {
		uint32_t id = pn_ole_order(ole, i), dir;
		const struct pn_ole_entry *e = pn_ole_entry(ole, id);
		if (e->type != PN_OLE_STORAGE || ci_cmp(e->name, "VBA") != 0)
			continue;
		dir = pn_ole_child(ole, id, "dir");
		if (dir == PN_OLE_NOSTREAM || pn_ole_entry(ole, dir)->type != PN_OLE_STREAM)
			continue;
		if (st->projects >= PN_VBA_MAX_PROJECTS) {
			if (p)
				pn_parse_note(p, "vba: more than %d VBA projects, the rest ignored",
				    PN_VBA_MAX_PROJECTS);
			return PN_ELIMIT;
		}
		st->projects++;
		pj.vba = id;
		pj.codepage = 1252;
		do_project(&pj, dir);
	}
	return pj.rc;
}
