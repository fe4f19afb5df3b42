/*
 * pdf.c - static analysis of PDF files: VirusTotal's "pdf_info" keyword
 * counts, and the scripts, embedded files and links a tolerant object scan
 * finds ("pdf_details", embedded_urls edges, tags, notes).
 *
 * Two passes over the file, both linear:
 *  1. keyword counts exactly as pdfid counts them: bytes are cut into words
 *     of letters and digits; a word after '/' is a name, in which #xx
 *     escapes are decoded (and counted as obfuscation); "obj", "stream",
 *     "/Page" ... are counted wherever they occur, streams included.  These
 *     are the VT pdf_info numbers and are never cut short.
 *  2. a tolerant tokenizer (§7.2, §7.3) walks "N G obj ... endobj" objects
 *     without the xref table: every dictionary, at any depth, is summarised
 *     when it closes (/JS, /URI, /EF, /S /Launch, /Encrypt, and for stream
 *     dictionaries /Length, /Filter, /DecodeParms, /Type).  Stream data is
 *     delimited by a direct /Length that lands on "endstream", else by the
 *     next "endstream" (the search is cached, so it is never repeated).
 *     After the pass, object streams (§7.5.7) are decoded and their objects
 *     scanned the same way, then /JS and /URI references are resolved to
 *     string objects or decoded streams.
 * Decoding: FlateDecode (zlib, raw deflate as fallback), ASCIIHexDecode,
 * ASCII85Decode and RunLengthDecode; other filters and predictors are
 * skipped with a note.  Encrypted documents (/Encrypt in a trailer or xref
 * stream dictionary, §7.6) are counted but not decoded.
 *
 * Results: p->attrs gets "pdf_info" (VT keys, integers but "header") and
 * "pdf_details" (Panoptes: script snippets, embedded files, filter and
 * URI counts); p->edges gets http/https/ftp URIs as embedded_urls; p->tags
 * the VT tags js-embedded, autoaction, acroform, launch-action,
 * file-embedded, flash-embedded, encrypted, and "obfuscated" for #xx names.
 * The parser keeps nothing between calls; all memory is freed on return.
 *
 * Limits: PN_PDF_* in pdf.h (objects, nesting, decoded bytes per stream and
 * per file, streams decoded, findings, list lengths, notes).
 * Errors: PN_OK; PN_EFORMAT when parts were malformed (noted, the rest
 * kept); PN_ELIMIT when a limit cut the structural scan or a decode short.
 * Spec: ISO 32000-1:2008 §7.2.2 (character set), §7.3.3-7.3.10 (objects),
 * §7.3.8 (streams), §7.4.2-7.4.5 (ASCIIHex, ASCII85, LZW/Flate, RunLength),
 * §7.5.7 (object streams), §7.6.1 (/Encrypt), §7.9.2.2 (text strings),
 * §7.11.3-7.11.4 (file specifications, embedded file streams), §12.6.4.5
 * (launch), §12.6.4.7 (URI), §12.6.4.16 (JavaScript).  Keyword semantics:
 * Didier Stevens' pdfid (words of [A-Za-z0-9], '#xx' only inside names).
 * See also: pdf.h, docs/internals/pdf-rtf.md, tests/unit/test_pdf.c,
 * tests/fuzz/fuzz_pdf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define ZLIB_CONST
#include "pn.h"
#include "rd.h"
#include "buf.h"
#include "hash.h"
#include "utf8.h"
#include "parser.h"
#include "pdf.h"
#include "pdf_int.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <zlib.h>

/*
 * pn_utf8_clean(), except that an empty input gives "" (lib/utf8.c returns
 * an unterminated buffer for n == 0; reported).
 */
static char *
utf8_clean(const char *s, size_t n)
{
	return n == 0 ? pn_xstrdup("") : pn_utf8_clean(s, n);
}

/* ASCII case-insensitive: the first n bytes of a and b are equal. */
static int
ascii_ncaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return 0;
		if (x == 0)
			return 1;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Character classes (§7.2.2)                                          */

/* is_ws() and hexval() are in pdf_int.h. */

static int
is_delim(int c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
	    c == '{' || c == '}' || c == '/' || c == '%';
}

static int
is_regular(int c)
{
	return c >= 0 && !is_ws(c) && !is_delim(c);
}


static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The byte k places ahead of the cursor, or -1 past the end. */
static int
peekc(const struct pn_rd *r, size_t k)
{
	return k < pn_rd_left(r) ? r->p[k] : -1;
}

/* ------------------------------------------------------------------ */
/* Pass 1: pdfid's keyword counts                                      */

enum {
	KW_OBJ, KW_ENDOBJ, KW_STREAM, KW_ENDSTREAM, KW_XREF, KW_TRAILER,
	KW_STARTXREF, KW_PAGE, KW_ENCRYPT, KW_OBJSTM, KW_JS, KW_JAVASCRIPT,
	KW_AA, KW_OPENACTION, KW_ACROFORM, KW_JBIG2DECODE, KW_RICHMEDIA,
	KW_LAUNCH, KW_EMBEDDEDFILE, KW_XFA, KW_URI, KW_N
};

static const char *const kw_words[KW_N] = {
	"obj", "endobj", "stream", "endstream", "xref", "trailer", "startxref",
	"/Page", "/Encrypt", "/ObjStm", "/JS", "/JavaScript", "/AA",
	"/OpenAction", "/AcroForm", "/JBIG2Decode", "/RichMedia", "/Launch",
	"/EmbeddedFile", "/XFA", "/URI"
};

/* The lengths of kw_words[] without the slash (words are matched often). */
static const uint8_t kw_lens[KW_N] = {
	3, 6, 6, 9, 4, 7, 9, 4, 7, 6, 2, 10, 2, 10, 8, 11, 9, 6, 12, 3, 3
};

#define KW_WORD_MAX 32  /* longer words match no keyword */

struct kwscan {
	uint64_t n[KW_N];         /* occurrences of each keyword */
	uint64_t hex[KW_N];       /* of which written with #xx escapes */
	uint64_t colors;          /* /Colors followed by a number > 2^24 */
	uint8_t w[KW_WORD_MAX];   /* the current word (decoded) */
	size_t wl;                /* its length, up to KW_WORD_MAX */
	int over;                 /* the word was longer */
	int slash;                /* the word follows '/' */
	int hexed;                /* it had an #xx escape */
	int digits;               /* it is digits only */
	int last_colors;          /* the last name was /Colors */
};

static void
kw_add(struct kwscan *k, uint8_t c)
{
	if (k->wl < KW_WORD_MAX)
		k->w[k->wl++] = c;
	else
		k->over = 1;
	if (c < '0' || c > '9')
		k->digits = 0;
}

/* pdfid's CVE-2009-3459 check: a number of /Colors past 2^24. */
static void
kw_colors(struct kwscan *k)
{
	size_t i = 0;
	uint32_t v = 0;

	if (!k->last_colors || !k->digits || (k->wl == 0 && !k->over))
		return;
	if (k->over) {
		k->colors++;
		return;
	}
	while (i < k->wl && k->w[i] == '0')
		i++;
	if (k->wl - i > 8) {
		k->colors++;
		return;
	}
	for (; i < k->wl; i++)
		v = v * 10 + (uint32_t)(k->w[i] - '0');
	if (v > (1u << 24))
		k->colors++;
}

/* The end of a word: count it if it is a keyword. */
static void
kw_flush(struct kwscan *k)
{
	size_t i;

	if (k->wl > 0 && k->wl <= 12 && !k->over) {
		for (i = k->slash ? KW_PAGE : 0; i < (k->slash ? KW_N : KW_PAGE); i++) {
			const char *w = kw_words[i] + k->slash;
			if (kw_lens[i] == k->wl && w[0] == (char)k->w[0] && memcmp(w, k->w, k->wl) == 0) {
				k->n[i]++;
				if (k->hexed)
					k->hex[i]++;
				break;
			}
		}
	}
	if (k->slash && (k->wl > 0 || k->over))
		k->last_colors = !k->over && k->wl == 6 && memcmp(k->w, "Colors", 6) == 0;
	k->wl = 0;
	k->over = 0;
	k->hexed = 0;
	k->digits = 1;
}

static void
kw_scan(struct kwscan *k, const uint8_t *d, size_t n)
{
	size_t i;

	k->digits = 1;
	for (i = 0; i < n; i++) {
		uint8_t c = d[i];

		if (is_alnum(c)) {
			kw_add(k, c);
		} else if (k->slash && c == '#') {
			/* pdfid: '#' and two hex digits inside a name is one byte */
			if (n - i > 2 && hexval(d[i + 1]) >= 0 && hexval(d[i + 2]) >= 0) {
				kw_add(k, (uint8_t)(hexval(d[i + 1]) << 4 | hexval(d[i + 2])));
				k->hexed = 1;
				i += 2;
			} else {
				kw_flush(k);
			}
		} else {
			kw_colors(k);
			kw_flush(k);
			k->slash = c == '/';
		}
	}
	kw_colors(k);
	kw_flush(k);
}

/* ------------------------------------------------------------------ */
/* Parser state                                                        */

/* Names the structural pass cares about (§7.3.5), matched after #xx decoding. */
enum {
	N_OTHER = 0, N_TYPE, N_S, N_JS, N_URI, N_FILTER, N_DECODEPARMS, N_LENGTH,
	N_PREDICTOR, N_N, N_FIRST, N_EF, N_F, N_UF, N_FS, N_URL, N_PARAMS,
	N_SIZE, N_DL, N_ENCRYPT, N_WIN, N_P, N_EMBEDDEDFILE, N_OBJSTM, N_XREF,
	N_JAVASCRIPT, N_LAUNCH,
	/* filters (§7.4.1 Table 6, with the abbreviations of §8.9.7 Table 94) */
	N_FLATE, N_FL, N_AHX, N_AHX_S, N_A85, N_A85_S, N_LZW, N_LZW_S, N_RL,
	N_RL_S, N_DCT, N_DCT_S, N_CCITT, N_CCF, N_JBIG2, N_JPX, N_CRYPT
};

#define NM(s, code) { s, code, sizeof(s) - 1 }
static const struct {
	const char *s;
	uint8_t code;
	uint8_t len;
} name_table[] = {
	NM("Type", N_TYPE), NM("S", N_S), NM("JS", N_JS), NM("URI", N_URI),
	NM("Filter", N_FILTER), NM("DecodeParms", N_DECODEPARMS), NM("Length", N_LENGTH),
	NM("Predictor", N_PREDICTOR), NM("N", N_N), NM("First", N_FIRST), NM("EF", N_EF),
	NM("F", N_F), NM("UF", N_UF), NM("FS", N_FS), NM("URL", N_URL),
	NM("Params", N_PARAMS), NM("Size", N_SIZE), NM("DL", N_DL),
	NM("Encrypt", N_ENCRYPT), NM("Win", N_WIN), NM("P", N_P),
	NM("EmbeddedFile", N_EMBEDDEDFILE), NM("ObjStm", N_OBJSTM), NM("XRef", N_XREF),
	NM("JavaScript", N_JAVASCRIPT), NM("Launch", N_LAUNCH), NM("FlateDecode", N_FLATE),
	NM("Fl", N_FL), NM("ASCIIHexDecode", N_AHX), NM("AHx", N_AHX_S),
	NM("ASCII85Decode", N_A85), NM("A85", N_A85_S), NM("LZWDecode", N_LZW),
	NM("LZW", N_LZW_S), NM("RunLengthDecode", N_RL), NM("RL", N_RL_S),
	NM("DCTDecode", N_DCT), NM("DCT", N_DCT_S), NM("CCITTFaxDecode", N_CCITT),
	NM("CCF", N_CCF), NM("JBIG2Decode", N_JBIG2), NM("JPXDecode", N_JPX),
	NM("Crypt", N_CRYPT),
};
#undef NM

/* Stream filters. */
enum { FI_UNKNOWN, FI_FLATE, FI_AHX, FI_A85, FI_LZW, FI_RL, FI_DCT, FI_CCITT,
	FI_JBIG2, FI_JPX, FI_CRYPT, FI_N };

static const char *const filter_names[FI_N] = {
	"other", "FlateDecode", "ASCIIHexDecode", "ASCII85Decode", "LZWDecode",
	"RunLengthDecode", "DCTDecode", "CCITTFaxDecode", "JBIG2Decode",
	"JPXDecode", "Crypt"
};

static int
filter_id(int code)
{
	switch (code) {
	case N_FLATE: case N_FL: return FI_FLATE;
	case N_AHX: case N_AHX_S: return FI_AHX;
	case N_A85: case N_A85_S: return FI_A85;
	case N_LZW: case N_LZW_S: return FI_LZW;
	case N_RL: case N_RL_S: return FI_RL;
	case N_DCT: case N_DCT_S: return FI_DCT;
	case N_CCITT: case N_CCF: return FI_CCITT;
	case N_JBIG2: return FI_JBIG2;
	case N_JPX: return FI_JPX;
	case N_CRYPT: return FI_CRYPT;
	default: return FI_UNKNOWN;
	}
}

/* A string token in the input: the bytes between ( ) or < >, not decoded. */
struct strtok {
	const uint8_t *p;  /* NULL: none */
	size_t n;
	int hex;           /* <hex> rather than (literal) */
};

/* Dictionary keys seen (dsum.keys). */
#define D_JS       0x01u
#define D_URI      0x02u
#define D_EF       0x04u
#define D_ENCRYPT  0x08u

/* What one dictionary says, kept while it is parsed (§7.3.7). */
struct dsum {
	unsigned keys;                 /* D_* */
	int type, s, fs;               /* name codes of /Type, /S, /FS */
	int64_t length;                /* direct /Length, -1 */
	int64_t n, first;              /* object stream /N, /First */
	int64_t size;                  /* /Size (inside /Params) */
	int64_t efsize;                /* embedded file size: /Params /Size or /DL */
	int64_t predictor;             /* /DecodeParms /Predictor, 0 */
	uint8_t nfilt;                 /* /Filter chain length (names of an array) */
	uint8_t filt[PN_PDF_MAX_FILTERS]; /* FI_* (name codes while an array) */
	int filt_over;                 /* more filters than PN_PDF_MAX_FILTERS */
	struct strtok js, uri, f, uf;  /* string values of /JS, /URI, /F, /UF */
	struct strtok wf, wp;          /* /Win << /F /P >> of a launch action */
	int64_t js_ref, uri_ref;       /* indirect /JS, /URI: object number, -1 */
	int64_t f_ref, uf_ref, ef_ref; /* /F, /UF references; /EF's stream */
};

enum { V_NONE, V_STOP, V_JUNK, V_KEYWORD, V_NULL, V_BOOL, V_INT, V_REAL,
	V_NAME, V_STR, V_REF, V_DICT, V_ARRAY };

/* Keywords (§7.3, §7.5) that end a container when they appear inside one. */
enum { K_OTHER, K_OBJ, K_ENDOBJ, K_STREAM, K_ENDSTREAM, K_XREF, K_TRAILER,
	K_STARTXREF };

struct val {
	int t;             /* V_* */
	int code;          /* V_NAME: N_*, V_KEYWORD: K_* */
	int64_t i;         /* V_INT value; V_REF object number */
	struct strtok str; /* V_STR */
	struct dsum d;     /* V_DICT summary; V_ARRAY: d.filt/nfilt (names), d.predictor */
};

/* A stream or string object of the file, for resolving references. */
#define OE_STREAM    1
#define OE_STRING    2
#define OF_EMBEDDED  0x01u
#define OF_OBJSTM    0x02u
#define OF_BADFILTER 0x04u

struct objent {
	int64_t num;                   /* object number */
	uint8_t kind;                  /* OE_* */
	uint8_t flags;                 /* OF_* */
	uint8_t hex;                   /* OE_STRING: a hex string */
	uint8_t nfilt;
	uint8_t filt[PN_PDF_MAX_FILTERS];
	int64_t predictor;
	const uint8_t *p;              /* stream data or string token */
	size_t n;
	int64_t on, first;             /* OF_OBJSTM: /N, /First */
	int64_t efsize;                /* OF_EMBEDDED: declared size, -1 */
};

/* A finding to decode once the encryption state is known. */
enum { P_JS, P_URI, P_FSPEC, P_LAUNCH };

struct pend {
	int kind;            /* P_* */
	int64_t obj;         /* object it was found in, -1 */
	struct strtok str;   /* the string, if direct */
	struct strtok str2;  /* P_LAUNCH: /P parameters */
	int64_t ref;         /* P_JS, P_URI: referenced object; P_FSPEC: /EF stream */
};

struct ref {
	int kind;            /* P_JS or P_URI */
	int64_t num;         /* object referred to */
	int64_t from;        /* object holding the reference */
	int done;
};

struct fspec {
	int64_t ref;                         /* the embedded file stream */
	char name[PN_PDF_MAX_FILENAME * 3 + 1]; /* UTF-8 */
};

/* Notes given once (pdf.once). */
enum {
	O_HEADER, O_OBFUSCATED, O_UNTERM_DICT, O_UNTERM_ARRAY, O_UNTERM_STRING,
	O_UNTERM_STREAM, O_DEPTH, O_OBJECTS, O_PENDING, O_ENCRYPTED, O_BUDGET,
	O_STREAMS, O_FILTER, O_PREDICTOR, O_CAP, O_CORRUPT, O_AFTER_EOF,
	O_OBJSTM, O_URI_OTHER, O_LAUNCH, O_OBJSTM_WORK
};

struct pdf {
	struct pn_parse *p;
	const uint8_t *data;
	size_t size;
	struct kwscan kw;

	/* structure */
	const uint8_t *base, *end;      /* buffer being tokenized (file or object stream) */
	int in_objstm;                  /* tokenizing a decoded object stream */
	int64_t cur_obj;                /* object being parsed, -1 */
	uint64_t objects;               /* object headers parsed */
	int stop;                       /* PN_PDF_MAX_OBJECTS reached */
	int encrypted;                  /* /Encrypt in a trailer or xref stream */
	const uint8_t *es_from, *es_at; /* last "endstream" search: from, found (NULL: none) */
	int es_valid;
	struct objent *ents;
	size_t nents, cents;
	struct pend *pend;
	size_t npend, cpend;
	struct ref refs[PN_PDF_MAX_REFS];
	size_t nrefs;
	struct fspec *fspecs;
	size_t nfspecs, cfspecs;
	uint64_t filters[FI_N];         /* filter names of stream dictionaries */

	/* decoding */
	uint64_t decoded;               /* bytes produced by all decoding stages */
	unsigned ndecoded;              /* streams decoded */

	/* results */
	struct json_object *js;         /* pdf_details.javascript */
	uint64_t njs;
	struct json_object *launch;     /* pdf_details.launch */
	uint64_t nlaunch;
	uint64_t nurls, nuri_other;
	uint64_t nembedded;
	unsigned nnotes;
	uint32_t once;
	int rc;
};

static void
set_rc(struct pdf *s, int rc)
{
	if (rc == PN_ELIMIT || s->rc == PN_OK)
		s->rc = rc;
}

static void note(struct pdf *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A note (at most PN_PDF_MAX_NOTES) and the return code it implies. */
static void
note(struct pdf *s, int rc, const char *fmt, ...)
{
	char msg[400], *t;
	va_list ap;

	set_rc(s, rc);
	if (s->nnotes >= PN_PDF_MAX_NOTES)
		return;
	s->nnotes++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t = utf8_clean(msg, strlen(msg));
	pn_parse_note(s->p, "pdf: %s", t);
	free(t);
}

/* True the first time it is called for what. */
static int
first_time(struct pdf *s, int what)
{
	uint32_t bit = 1u << what;

	if (s->once & bit)
		return 0;
	s->once |= bit;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Tokenizer (§7.2, §7.3)                                              */

/* Skip white space and comments. */
static void
skip_ws(struct pn_rd *r)
{
	while (r->p < r->end) {
		if (is_ws(*r->p)) {
			r->p++;
		} else if (*r->p == '%') {
			while (r->p < r->end && *r->p != '\r' && *r->p != '\n')
				r->p++;
		} else {
			break;
		}
	}
}

/* A run of regular characters (a keyword or number body). */
static size_t
regular_run(const struct pn_rd *r)
{
	const uint8_t *q = r->p;

	while (q < r->end && is_regular(*q))
		q++;
	return (size_t)(q - r->p);
}

static int
keyword_code(const uint8_t *w, size_t n)
{
	static const struct { const char *s; int code; } kws[] = {
		{ "obj", K_OBJ }, { "endobj", K_ENDOBJ }, { "stream", K_STREAM },
		{ "endstream", K_ENDSTREAM }, { "xref", K_XREF },
		{ "trailer", K_TRAILER }, { "startxref", K_STARTXREF },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(kws); i++)
		if (strlen(kws[i].s) == n && memcmp(kws[i].s, w, n) == 0)
			return kws[i].code;
	return K_OTHER;
}

/* A name (§7.3.5): r at '/'.  Decodes #xx; matches the known names. */
static void
lex_name(struct pdf *s, struct pn_rd *r, struct val *v)
{
	uint8_t buf[PN_PDF_MAX_NAME];
	size_t n = 0, i;
	int over = 0;

	r->p++;
	while (r->p < r->end && is_regular(*r->p)) {
		uint8_t c = *r->p++;
		if (c == '#' && pn_rd_left(r) >= 2 && hexval(r->p[0]) >= 0 && hexval(r->p[1]) >= 0) {
			c = (uint8_t)(hexval(r->p[0]) << 4 | hexval(r->p[1]));
			r->p += 2;
		}
		if (n < sizeof(buf))
			buf[n++] = c;
		else
			over = 1;
	}
	v->t = V_NAME;
	v->code = N_OTHER;
	if (over)
		return;
	for (i = 0; i < PN_ARRAY_LEN(name_table); i++) {
		if (name_table[i].len == n && name_table[i].s[0] == (char)buf[0] &&
		    memcmp(name_table[i].s, buf, n) == 0) {
			v->code = name_table[i].code;
			return;
		}
	}
	(void)s;
}

/* A literal string (§7.3.4.2): r at '('.  Records the span only. */
static void
lex_literal(struct pdf *s, struct pn_rd *r, struct val *v)
{
	const uint8_t *start = ++r->p;
	size_t depth = 1;

	while (r->p < r->end) {
		uint8_t c = *r->p;
		if (c == '\\') {
			r->p += pn_rd_left(r) >= 2 ? 2 : 1;
			continue;
		}
		if (c == '(') {
			depth++;
		} else if (c == ')' && --depth == 0) {
			break;
		}
		r->p++;
	}
	v->t = V_STR;
	v->str.p = start;
	v->str.n = (size_t)(r->p - start);
	v->str.hex = 0;
	if (r->p < r->end) {
		r->p++;
	} else if (first_time(s, O_UNTERM_STRING)) {
		note(s, PN_EFORMAT, "unterminated string at offset %zu",
		    (size_t)(start - 1 - s->base));
	}
}

/* A hexadecimal string (§7.3.4.3): r at '<', not "<<". */
static void
lex_hexstr(struct pdf *s, struct pn_rd *r, struct val *v)
{
	const uint8_t *start = ++r->p;

	while (r->p < r->end && *r->p != '>')
		r->p++;
	v->t = V_STR;
	v->str.p = start;
	v->str.n = (size_t)(r->p - start);
	v->str.hex = 1;
	if (r->p < r->end) {
		r->p++;
	} else if (first_time(s, O_UNTERM_STRING)) {
		note(s, PN_EFORMAT, "unterminated hex string at offset %zu",
		    (size_t)(start - 1 - s->base));
	}
}

/*
 * After a non-negative integer: is it "<gen> R" (returns 'R') or
 * "<gen> obj" (returns 'o')?  On a match *after is past the keyword.
 */
static int
peek_ref(const struct pn_rd *r0, struct pn_rd *after)
{
	struct pn_rd r = *r0;
	size_t nd = 0;
	int c;

	skip_ws(&r);
	while (r.p < r.end && *r.p >= '0' && *r.p <= '9' && nd < 12) {
		r.p++;
		nd++;
	}
	if (nd == 0 || nd >= 12 || (r.p < r.end && is_regular(*r.p)))
		return 0;
	skip_ws(&r);
	c = peekc(&r, 0);
	if (c == 'R' && !is_regular(peekc(&r, 1))) {
		r.p++;
		*after = r;
		return 'R';
	}
	if (pn_rd_left(&r) >= 3 && memcmp(r.p, "obj", 3) == 0 && !is_regular(peekc(&r, 3))) {
		r.p += 3;
		*after = r;
		return 'o';
	}
	return 0;
}

/* A number (§7.3.3): r at [+-.0-9].  Integers saturate at +-2^62. */
static void
lex_number(struct pn_rd *r, struct val *v)
{
	int neg = 0, real = 0, digits = 0;
	int64_t i = 0;

	if (*r->p == '+' || *r->p == '-')
		neg = *r->p++ == '-';
	while (r->p < r->end && ((*r->p >= '0' && *r->p <= '9') || *r->p == '.')) {
		if (*r->p == '.') {
			real = 1;
		} else if (!real) {
			if (i < ((INT64_C(1) << 62) - 9) / 10)
				i = i * 10 + (*r->p - '0');
			else
				i = INT64_C(1) << 62;
			digits++;
		} else {
			digits++;
		}
		r->p++;
	}
	v->t = digits == 0 ? V_JUNK : real ? V_REAL : V_INT;
	v->i = neg ? -i : i;
	v->code = neg || real;  /* not a candidate object or generation number */
}

/* ------------------------------------------------------------------ */
/* Values (§7.3) and dictionary summaries                              */

static void parse_value(struct pdf *s, struct pn_rd *r, int depth, struct val *v);

static void
dsum_init(struct dsum *d)
{
	memset(d, 0, sizeof(*d));
	d->length = d->n = d->first = d->size = d->efsize = -1;
	d->js_ref = d->uri_ref = d->f_ref = d->uf_ref = d->ef_ref = -1;
}

static void
set_str_or_ref(const struct val *v, struct strtok *str, int64_t *ref)
{
	if (v->t == V_STR)
		*str = v->str;
	else if (v->t == V_REF)
		*ref = v->i;
}

/* Record key = v in the summary d. */
static void
dict_set(struct dsum *d, int key, const struct val *v)
{
	size_t i;

	switch (key) {
	case N_TYPE:
		if (v->t == V_NAME)
			d->type = v->code;
		break;
	case N_S:
		if (v->t == V_NAME)
			d->s = v->code;
		break;
	case N_FS:
		if (v->t == V_NAME)
			d->fs = v->code;
		break;
	case N_JS:
		set_str_or_ref(v, &d->js, &d->js_ref);
		if (v->t == V_STR || v->t == V_REF)
			d->keys |= D_JS;
		break;
	case N_URI:
		set_str_or_ref(v, &d->uri, &d->uri_ref);
		if (v->t == V_STR || v->t == V_REF)
			d->keys |= D_URI;
		break;
	case N_F:
		set_str_or_ref(v, &d->f, &d->f_ref);
		break;
	case N_UF:
		set_str_or_ref(v, &d->uf, &d->uf_ref);
		break;
	case N_P:
		if (v->t == V_STR)
			d->wp = v->str;
		break;
	case N_EF:
		if (v->t == V_DICT) {
			d->keys |= D_EF;
			d->ef_ref = v->d.f_ref >= 0 ? v->d.f_ref : v->d.uf_ref;
		}
		break;
	case N_WIN:
		if (v->t == V_DICT) {
			d->wf = v->d.f;
			d->wp = v->d.wp;
		}
		break;
	case N_LENGTH:
		if (v->t == V_INT)
			d->length = v->i;
		break;
	case N_FILTER:
		if (v->t == V_NAME) {
			d->nfilt = 1;
			d->filt[0] = (uint8_t)filter_id(v->code);
		} else if (v->t == V_ARRAY) {
			d->nfilt = v->d.nfilt;
			d->filt_over = v->d.filt_over;
			for (i = 0; i < v->d.nfilt; i++)
				d->filt[i] = (uint8_t)filter_id(v->d.filt[i]);
		}
		break;
	case N_DECODEPARMS:
		if (v->t == V_DICT || v->t == V_ARRAY)
			d->predictor = v->d.predictor;
		break;
	case N_PREDICTOR:
		if (v->t == V_INT)
			d->predictor = v->i;
		break;
	case N_N:
		if (v->t == V_INT)
			d->n = v->i;
		break;
	case N_FIRST:
		if (v->t == V_INT)
			d->first = v->i;
		break;
	case N_SIZE:
		if (v->t == V_INT)
			d->size = v->i;
		break;
	case N_PARAMS:
		if (v->t == V_DICT && v->d.size >= 0)
			d->efsize = v->d.size;
		break;
	case N_DL:
		if (v->t == V_INT && d->efsize < 0)
			d->efsize = v->i;
		break;
	case N_ENCRYPT:
		if (v->t == V_REF || v->t == V_DICT)
			d->keys |= D_ENCRYPT;
		break;
	}
}

static void
pend_add(struct pdf *s, int kind, const struct strtok *str, const struct strtok *str2, int64_t ref)
{
	struct pend *e;

	if (str->p == NULL && ref < 0 && kind != P_FSPEC)
		return;
	if (s->npend >= PN_PDF_MAX_PENDING) {
		if (first_time(s, O_PENDING))
			note(s, PN_ELIMIT, "more than %d scripts, links and file specifications; "
			    "the rest ignored", PN_PDF_MAX_PENDING);
		return;
	}
	if (s->npend == s->cpend) {
		s->cpend = s->cpend ? s->cpend * 2 : 64;
		s->pend = pn_xrealloc(s->pend, s->cpend * sizeof(*s->pend));
	}
	e = &s->pend[s->npend++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->obj = s->cur_obj;
	if (str->p != NULL)
		e->str = *str;
	if (str2 != NULL && str2->p != NULL)
		e->str2 = *str2;
	e->ref = ref;
}

/* A dictionary ended: act on what it holds.  depth 0: a top-level dictionary. */
static void
dict_close(struct pdf *s, const struct dsum *d, int depth)
{
	static const struct strtok none = { NULL, 0, 0 };

	if (d->keys & D_JS)
		pend_add(s, P_JS, d->js.p ? &d->js : &none, NULL, d->js.p ? -1 : d->js_ref);
	if (d->keys & D_URI)
		pend_add(s, P_URI, d->uri.p ? &d->uri : &none, NULL, d->uri.p ? -1 : d->uri_ref);
	if (d->keys & D_EF)
		pend_add(s, P_FSPEC, d->uf.p ? &d->uf : &d->f, NULL, d->ef_ref);
	if (d->s == N_LAUNCH) {
		if (d->f.p != NULL)
			pend_add(s, P_LAUNCH, &d->f, &d->wp, -1);
		else if (d->wf.p != NULL)
			pend_add(s, P_LAUNCH, &d->wf, &d->wp, -1);
	}
	/* §7.6.1: /Encrypt belongs in the trailer (or an xref stream dictionary) */
	if ((d->keys & D_ENCRYPT) && depth == 0 && !s->in_objstm)
		s->encrypted = 1;
}

static void
parse_dict(struct pdf *s, struct pn_rd *r, int depth, struct val *v)
{
	struct val key, val;

	r->p += 2;
	v->t = V_DICT;
	dsum_init(&v->d);
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end) {
			if (first_time(s, O_UNTERM_DICT))
				note(s, PN_EFORMAT, "unterminated dictionary at end of data");
			break;
		}
		if (peekc(r, 0) == '>' && peekc(r, 1) == '>') {
			r->p += 2;
			break;
		}
		parse_value(s, r, depth + 1, &key);
		if (key.t == V_STOP) {
			if (first_time(s, O_UNTERM_DICT))
				note(s, PN_EFORMAT, "unterminated dictionary before offset %zu",
				    (size_t)(r->p - s->base));
			break;
		}
		if (key.t != V_NAME)
			continue;   /* junk where a key belongs: skip it */
		skip_ws(r);
		if (r->p >= r->end || (peekc(r, 0) == '>' && peekc(r, 1) == '>'))
			continue;   /* a key without a value */
		parse_value(s, r, depth + 1, &val);
		if (val.t == V_STOP)
			continue;   /* the loop notes it and stops */
		dict_set(&v->d, key.code, &val);
	}
	dict_close(s, &v->d, depth);
}

static void
parse_array(struct pdf *s, struct pn_rd *r, int depth, struct val *v)
{
	struct val e;

	r->p++;
	v->t = V_ARRAY;
	dsum_init(&v->d);
	v->d.predictor = 0;
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end) {
			if (first_time(s, O_UNTERM_ARRAY))
				note(s, PN_EFORMAT, "unterminated array at end of data");
			return;
		}
		if (*r->p == ']') {
			r->p++;
			return;
		}
		if (peekc(r, 0) == '>' && peekc(r, 1) == '>')
			return;     /* the enclosing dictionary ends: tolerate */
		parse_value(s, r, depth + 1, &e);
		if (e.t == V_STOP) {
			if (first_time(s, O_UNTERM_ARRAY))
				note(s, PN_EFORMAT, "unterminated array before offset %zu",
				    (size_t)(r->p - s->base));
			return;
		}
		if (e.t == V_NAME) {
			if (v->d.nfilt < PN_PDF_MAX_FILTERS)
				v->d.filt[v->d.nfilt++] = (uint8_t)e.code;
			else
				v->d.filt_over = 1;
		} else if (e.t == V_DICT && e.d.predictor > v->d.predictor) {
			v->d.predictor = e.d.predictor;
		}
	}
}

/*
 * One value at r.  depth counts the enclosing containers: inside one, the
 * keywords that end an object (and "N G obj") are not consumed and give
 * V_STOP, so a broken container unwinds to the object level.  Every other
 * outcome consumes at least one byte, unless r is at its end (V_NONE).
 */
static void
parse_value(struct pdf *s, struct pn_rd *r, int depth, struct val *v)
{
	struct pn_rd after;
	int c, k;
	size_t n;

	v->t = V_NONE;
	skip_ws(r);
	if (r->p >= r->end)
		return;
	c = *r->p;
	switch (c) {
	case '/':
		lex_name(s, r, v);
		return;
	case '(':
		lex_literal(s, r, v);
		return;
	case '<':
		if (peekc(r, 1) != '<') {
			lex_hexstr(s, r, v);
			return;
		}
		if (depth >= PN_PDF_MAX_DEPTH) {
			if (first_time(s, O_DEPTH))
				note(s, PN_EFORMAT, "dictionaries and arrays nested deeper than %d",
				    PN_PDF_MAX_DEPTH);
			r->p += 2;
			v->t = V_JUNK;
			return;
		}
		parse_dict(s, r, depth, v);
		return;
	case '[':
		if (depth >= PN_PDF_MAX_DEPTH) {
			if (first_time(s, O_DEPTH))
				note(s, PN_EFORMAT, "dictionaries and arrays nested deeper than %d",
				    PN_PDF_MAX_DEPTH);
			r->p++;
			v->t = V_JUNK;
			return;
		}
		parse_array(s, r, depth, v);
		return;
	case ')': case '>': case ']': case '{': case '}':
		r->p++;
		v->t = V_JUNK;
		return;
	}
	if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) {
		const uint8_t *start = r->p;
		lex_number(r, v);
		if (v->t == V_JUNK && r->p == start)
			r->p++;
		if (v->t != V_INT || v->code)
			return;
		k = peek_ref(r, &after);
		if (k == 'R') {
			*r = after;
			v->t = V_REF;
		} else if (k == 'o') {
			r->p = start;   /* the next object's header: leave it */
			v->t = V_STOP;
		}
		return;
	}
	n = regular_run(r);
	if (n == 0) {
		r->p++;
		v->t = V_JUNK;
		return;
	}
	v->t = V_KEYWORD;
	v->code = keyword_code(r->p, n);
	if (v->code != K_OTHER && depth > 0) {
		v->t = V_STOP;
		return;
	}
	if (n == 4 && memcmp(r->p, "null", 4) == 0)
		v->t = V_NULL;
	else if ((n == 4 && memcmp(r->p, "true", 4) == 0) || (n == 5 && memcmp(r->p, "false", 5) == 0))
		v->t = V_BOOL;
	r->p += n;
}

/* ------------------------------------------------------------------ */
/* Objects and streams (§7.3.8, §7.3.10)                               */

/* The next "endstream" at or after from in the file, or NULL; linear overall. */
static const uint8_t *
find_endstream(struct pdf *s, const uint8_t *from)
{
	if (s->es_valid && from >= s->es_from && (s->es_at == NULL || from <= s->es_at))
		return s->es_at;
	s->es_valid = 1;
	s->es_from = from;
	s->es_at = memmem(from, (size_t)(s->end - from), "endstream", 9);
	return s->es_at;
}

static struct objent *
ent_add(struct pdf *s, int64_t num, int kind)
{
	struct objent *e;

	if (s->nents == s->cents) {
		s->cents = s->cents ? s->cents * 2 : 256;
		s->ents = pn_xrealloc(s->ents, s->cents * sizeof(*s->ents));
	}
	e = &s->ents[s->nents++];
	memset(e, 0, sizeof(*e));
	e->num = num;
	e->kind = (uint8_t)kind;
	e->on = e->first = e->efsize = -1;
	return e;
}

/* r just past "stream": find the data, record the stream, move r past "endstream". */
static void
stream_data(struct pdf *s, struct pn_rd *r, int64_t num, const struct dsum *d)
{
	const uint8_t *data, *es = NULL;
	struct objent *e;
	size_t len = 0, i;

	/* §7.3.8.1: "stream" is followed by CRLF or LF; tolerate spaces and a lone CR */
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
	if (peekc(r, 0) == '\r')
		r->p++;
	if (peekc(r, 0) == '\n')
		r->p++;
	data = r->p;
	if (d != NULL && d->length >= 0 && (uint64_t)d->length <= pn_rd_left(r)) {
		struct pn_rd t = { data + d->length, r->end };
		skip_ws(&t);
		if (pn_rd_left(&t) >= 9 && memcmp(t.p, "endstream", 9) == 0) {
			len = (size_t)d->length;
			es = t.p;
		}
	}
	if (es == NULL) {
		es = find_endstream(s, data);
		if (es == NULL) {
			if (first_time(s, O_UNTERM_STREAM))
				note(s, PN_EFORMAT, "stream at offset %zu has no endstream",
				    (size_t)(data - s->base));
			len = pn_rd_left(r);
			r->p = r->end;
		} else {
			len = (size_t)(es - data);
			/* the EOL before endstream is not data (§7.3.8.1) */
			if (len > 0 && data[len - 1] == '\n')
				len--;
			if (len > 0 && data[len - 1] == '\r')
				len--;
		}
	}
	if (es != NULL)
		r->p = es + 9;
	if (num < 0 || d == NULL)
		return;
	e = ent_add(s, num, OE_STREAM);
	e->p = data;
	e->n = len;
	e->nfilt = d->nfilt;
	memcpy(e->filt, d->filt, sizeof(e->filt));
	e->predictor = d->predictor;
	if (d->filt_over)
		e->flags |= OF_BADFILTER;
	for (i = 0; i < d->nfilt; i++)
		s->filters[d->filt[i] < FI_N ? d->filt[i] : FI_UNKNOWN]++;
	if (d->type == N_EMBEDDEDFILE) {
		e->flags |= OF_EMBEDDED;
		e->efsize = d->efsize;
	}
	if (d->type == N_OBJSTM) {
		e->flags |= OF_OBJSTM;
		e->on = d->n;
		e->first = d->first;
	}
}

/* r just past "N G obj". */
static void
parse_object(struct pdf *s, struct pn_rd *r, int64_t num)
{
	struct val v;
	struct pn_rd t;
	size_t n;

	if (++s->objects > PN_PDF_MAX_OBJECTS) {
		s->stop = 1;
		note(s, PN_ELIMIT, "more than %d objects; the structural scan stopped at offset %zu",
		    PN_PDF_MAX_OBJECTS, (size_t)(r->p - s->base));
		return;
	}
	s->cur_obj = num;
	parse_value(s, r, 0, &v);
	if (v.t == V_KEYWORD && v.code == K_ENDOBJ)
		goto out;
	if (v.t == V_STR) {
		struct objent *e = ent_add(s, num, OE_STRING);
		e->p = v.str.p;
		e->n = v.str.n;
		e->hex = (uint8_t)v.str.hex;
	}
	t = *r;
	skip_ws(&t);
	n = regular_run(&t);
	if (n == 6 && memcmp(t.p, "stream", 6) == 0) {
		t.p += 6;
		*r = t;
		stream_data(s, r, num, v.t == V_DICT ? &v.d : NULL);
		t = *r;
		skip_ws(&t);
		n = regular_run(&t);
	}
	if (n == 6 && memcmp(t.p, "endobj", 6) == 0) {
		*r = t;
		r->p += 6;
	}
out:
	s->cur_obj = -1;
}

/* Tokenize [r) at the top level: objects, trailers, stray tokens. */
static void
scan_top(struct pdf *s, struct pn_rd *r)
{
	struct val v;
	struct pn_rd after;

	while (!s->stop) {
		const uint8_t *before;
		skip_ws(r);
		if (r->p >= r->end)
			break;
		before = r->p;
		if (*r->p >= '0' && *r->p <= '9') {
			/* "N G obj"; the same lexing as parse_value(), which stops there */
			struct pn_rd t = *r;
			lex_number(&t, &v);
			if (v.t == V_INT && !v.code && peek_ref(&t, &after) == 'o') {
				*r = after;
				parse_object(s, r, v.i);
				continue;
			}
		}
		parse_value(s, r, 0, &v);
		if (v.t == V_KEYWORD && v.code == K_STREAM && !s->in_objstm)
			stream_data(s, r, -1, NULL);   /* a stream outside any object */
		if (r->p == before)
			r->p++;
	}
}

/* ------------------------------------------------------------------ */
/* Strings (§7.3.4, §7.9.2)                                            */

/*
 * Decode a string token into out (at most cap bytes); *total gets the
 * whole decoded length.  Returns the bytes written.
 */
static size_t
str_decode(const struct strtok *t, uint8_t *out, size_t cap, size_t *total)
{
	struct pn_rd r = pn_rd_make(t->p, t->n);
	size_t w = 0, all = 0;
	int hi = -1;

#define PUT(c) do { if (w < cap) out[w++] = (uint8_t)(c); all++; } while (0)
	if (t->hex) {
		while (r.p < r.end) {
			int h = hexval(*r.p++);
			if (h < 0)
				continue;   /* white space (and, tolerated, junk) */
			if (hi < 0) {
				hi = h;
			} else {
				PUT(hi << 4 | h);
				hi = -1;
			}
		}
		if (hi >= 0)
			PUT(hi << 4);   /* §7.3.4.3: a missing final digit is 0 */
		*total = all;
		return w;
	}
	while (r.p < r.end) {
		uint8_t c = *r.p++;
		if (c == '\r') {
			/* an unescaped EOL is a LF (§7.3.4.2) */
			if (r.p < r.end && *r.p == '\n')
				r.p++;
			PUT('\n');
			continue;
		}
		if (c != '\\' || r.p >= r.end) {
			PUT(c);
			continue;
		}
		c = *r.p++;
		switch (c) {
		case 'n': PUT('\n'); break;
		case 'r': PUT('\r'); break;
		case 't': PUT('\t'); break;
		case 'b': PUT('\b'); break;
		case 'f': PUT('\f'); break;
		case '\r':
			if (r.p < r.end && *r.p == '\n')
				r.p++;
			break;  /* line continuation */
		case '\n':
			break;
		default:
			if (c >= '0' && c <= '7') {
				int o = c - '0', i;
				for (i = 0; i < 2 && r.p < r.end && *r.p >= '0' && *r.p <= '7'; i++)
					o = o * 8 + (*r.p++ - '0');
				PUT(o & 0xff);
			} else {
				PUT(c);   /* \( \) \\ and an unknown escape: the character */
			}
		}
	}
#undef PUT
	*total = all;
	return w;
}

static size_t
put_utf8(char *out, size_t cap, size_t w, uint32_t cp)
{
	uint8_t b[4];
	size_t n, i;

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
	if (n > cap - w)
		return w;
	for (i = 0; i < n; i++)
		out[w++] = (char)b[i];
	return w;
}

/*
 * Text (§7.9.2.2) to UTF-8: UTF-16BE after FE FF, UTF-8 after EF BB BF,
 * else bytes as Latin-1 (PDFDocEncoding's 0x80-0x9F differ; close enough
 * for a report).  Returns a new string (caller frees), always valid UTF-8.
 */
static char *
text_utf8(const uint8_t *b, size_t n)
{
	size_t cap = n * 3 + 1, w = 0, i = 0;
	char *out = pn_xmalloc(cap), *clean;

	if (n >= 2 && b[0] == 0xfe && b[1] == 0xff) {
		for (i = 2; i + 1 < n; i += 2) {
			uint32_t u = (uint32_t)b[i] << 8 | b[i + 1];
			if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
				uint32_t lo = (uint32_t)b[i + 2] << 8 | b[i + 3];
				if (lo >= 0xdc00 && lo < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					i += 2;
				}
			}
			if (u >= 0xd800 && u < 0xe000)
				u = 0xfffd;
			w = put_utf8(out, cap - 1, w, u);
		}
	} else if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		memcpy(out, b + 3, n - 3);
		w = n - 3;
	} else {
		for (i = 0; i < n; i++)
			w = put_utf8(out, cap - 1, w, b[i]);
	}
	clean = utf8_clean(out, w);
	free(out);
	return clean;
}

/* ------------------------------------------------------------------ */
/* Filters (§7.4)                                                      */

/* The decoders themselves are in pdf_filters.c (pdf_int.h). */


/*
 * Run e's filter chain over its data into out (capped at
 * PN_PDF_MAX_INFLATE and the file's remaining budget).  out is always
 * initialised; the caller releases it.  Returns PN_OK, PN_ELIMIT (out
 * holds a prefix), PN_EFORMAT (corrupt data: out holds what decoded) or
 * PN_ENOTFOUND (not decoded: a filter we do not know, or a limit; out
 * empty).  Every stage runs, on whatever the previous one produced.
 */
static int
decode_stream(struct pdf *s, const struct objent *e, struct pn_buf *out)
{
	struct pn_buf buf[2];
	const uint8_t *in = e->p;
	size_t inlen = e->n, cap;
	int i, rc = PN_OK, bad = -1, cur = 0;

	pn_buf_init(out, 0);
	if (s->ndecoded >= PN_PDF_MAX_DECODED_STREAMS) {
		set_rc(s, PN_ELIMIT);
		if (first_time(s, O_STREAMS))
			note(s, PN_ELIMIT, "more than %d streams to decode; the rest skipped",
			    PN_PDF_MAX_DECODED_STREAMS);
		return PN_ENOTFOUND;
	}
	if (s->decoded >= PN_PDF_MAX_INFLATE_TOTAL) {
		set_rc(s, PN_ELIMIT);
		if (first_time(s, O_BUDGET))
			note(s, PN_ELIMIT, "decoded %u bytes of streams; the rest skipped",
			    PN_PDF_MAX_INFLATE_TOTAL);
		return PN_ENOTFOUND;
	}
	if (e->flags & OF_BADFILTER)
		return PN_ENOTFOUND;
	for (i = 0; i < e->nfilt; i++) {
		int f = e->filt[i];
		if (f != FI_FLATE && f != FI_AHX && f != FI_A85 && f != FI_RL) {
			if (first_time(s, O_FILTER))
				note(s, PN_OK, "object %lld: filter %s not decoded",
				    (long long)e->num, filter_names[f < FI_N ? f : 0]);
			return PN_ENOTFOUND;
		}
	}
	if (e->predictor > 1 && first_time(s, O_PREDICTOR))
		note(s, PN_OK, "object %lld: predictor %lld not undone",
		    (long long)e->num, (long long)e->predictor);
	s->ndecoded++;
	cap = (size_t)PN_MIN((uint64_t)PN_PDF_MAX_INFLATE, PN_PDF_MAX_INFLATE_TOTAL - s->decoded);
	pn_buf_init(&buf[0], cap);
	pn_buf_init(&buf[1], cap);
	if (e->nfilt == 0) {
		rc = pn_pdf_put_capped(&buf[0], in, inlen);
		s->decoded += buf[0].len;
	}
	for (i = 0; i < e->nfilt; i++) {
		struct pn_buf *dst = &buf[i % 2];
		int r;
		/* every stage's output counts against the file's budget */
		if (s->decoded >= PN_PDF_MAX_INFLATE_TOTAL) {
			rc = PN_ELIMIT;
			break;
		}
		cap = (size_t)PN_MIN((uint64_t)PN_PDF_MAX_INFLATE, PN_PDF_MAX_INFLATE_TOTAL - s->decoded);
		pn_buf_reset(dst);
		dst->max = cap;
		switch (e->filt[i]) {
		case FI_FLATE: r = pn_pdf_dec_flate(in, inlen, dst); break;
		case FI_AHX: r = pn_pdf_dec_ahx(in, inlen, dst); break;
		case FI_A85: r = pn_pdf_dec_a85(in, inlen, dst); break;
		default: r = pn_pdf_dec_rl(in, inlen, dst); break;
		}
		if (r == PN_EFORMAT && bad < 0)
			bad = e->filt[i];
		if (r != PN_OK && rc != PN_ELIMIT)
			rc = r;
		s->decoded += dst->len;
		in = dst->p != NULL ? (const uint8_t *)dst->p : (const uint8_t *)"";
		inlen = dst->len;
		cur = i % 2;
	}
	*out = buf[cur];
	pn_buf_release(&buf[1 - cur]);
	if (i < e->nfilt)
		pn_buf_reset(out);   /* the budget ran out mid-chain: nothing decoded */
	if (rc == PN_ELIMIT && first_time(s, O_CAP))
		note(s, PN_ELIMIT, "object %lld: decoding stopped at the %zu-byte cap",
		    (long long)e->num, cap);
	else if (rc == PN_ELIMIT)
		set_rc(s, PN_ELIMIT);
	if (bad >= 0 && first_time(s, O_CORRUPT))
		note(s, PN_EFORMAT, "object %lld: corrupt %s data (%zu bytes decoded)",
		    (long long)e->num, filter_names[bad < FI_N ? bad : 0], out->len);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Findings                                                            */

static void
add_js(struct pdf *s, int64_t obj, const char *source, const uint8_t *b, size_t shown, size_t total)
{
	struct json_object *o;
	char *t;

	s->njs++;
	if (json_object_array_length(s->js) >= PN_PDF_MAX_JS)
		return;
	o = json_object_new_object();
	if (obj >= 0)
		json_object_object_add(o, "object", json_object_new_int64(obj));
	json_object_object_add(o, "source", json_object_new_string(source));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)total));
	t = text_utf8(b, PN_MIN(shown, (size_t)PN_PDF_MAX_JS_SNIPPET));
	json_object_object_add(o, "snippet", json_object_new_string(t));
	free(t);
	json_object_array_add(s->js, o);
}

/* A decoded /URI: an embedded_urls edge if it is an absolute http(s)/ftp URL. */
static void
add_uri(struct pdf *s, const uint8_t *b, size_t n, size_t total)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://" };
	char url[PN_PDF_MAX_URI + 1];
	size_t i, ok = 0;

	while (n > 0 && is_ws(*b)) {
		b++;
		n--;
		total--;
	}
	while (n > 0 && is_ws(b[n - 1]))
		n--;
	for (i = 0; i < PN_ARRAY_LEN(schemes); i++)
		if (n > strlen(schemes[i]) && ascii_ncaseeq((const char *)b, schemes[i], strlen(schemes[i])))
			ok = 1;
	for (i = 0; i < n && ok; i++)
		if (b[i] <= 0x20 || b[i] >= 0x7f)
			ok = 0;
	if (!ok || total > PN_PDF_MAX_URI) {
		s->nuri_other++;
		return;
	}
	if (s->nurls >= PN_PDF_MAX_URIS) {
		if (first_time(s, O_URI_OTHER))
			note(s, PN_ELIMIT, "more than %d URLs; the rest not recorded", PN_PDF_MAX_URIS);
		return;
	}
	memcpy(url, b, n);
	url[n] = '\0';
	s->nurls++;
	pn_parse_edge(s->p, "embedded_urls", "url", url);
}

static void
add_launch(struct pdf *s, const struct pend *e)
{
	uint8_t b[512];
	size_t n, m = 0, total;
	char *t;

	s->nlaunch++;
	if (json_object_array_length(s->launch) >= PN_PDF_MAX_LAUNCH)
		return;
	n = str_decode(&e->str, b, sizeof(b) / 2, &total);
	if (e->str2.p != NULL) {
		b[n++] = ' ';
		m = str_decode(&e->str2, b + n, sizeof(b) - n, &total);
	}
	t = text_utf8(b, n + m);
	json_object_array_add(s->launch, json_object_new_string(t));
	free(t);
}

static void
add_fspec(struct pdf *s, const struct pend *e)
{
	uint8_t b[PN_PDF_MAX_FILENAME];
	struct fspec *f;
	size_t n = 0, total;
	char *t;

	if (s->nfspecs == s->cfspecs) {
		s->cfspecs = s->cfspecs ? s->cfspecs * 2 : 16;
		s->fspecs = pn_xrealloc(s->fspecs, s->cfspecs * sizeof(*s->fspecs));
	}
	f = &s->fspecs[s->nfspecs++];
	f->ref = e->ref;
	if (e->str.p != NULL)
		n = str_decode(&e->str, b, sizeof(b), &total);
	t = text_utf8(b, n);
	pn_strlcpy(f->name, t, sizeof(f->name));
	free(t);
}

static void
add_ref(struct pdf *s, int kind, int64_t num, int64_t from)
{
	size_t i;

	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].num == num && s->refs[i].kind == kind)
			return;
	if (s->nrefs >= PN_PDF_MAX_REFS)
		return;
	s->refs[s->nrefs].kind = kind;
	s->refs[s->nrefs].num = num;
	s->refs[s->nrefs].from = from;
	s->refs[s->nrefs].done = 0;
	s->nrefs++;
}

/* Decode the findings held so far (their strings point into the current buffer). */
static void
pend_flush(struct pdf *s)
{
	uint8_t b[PN_PDF_MAX_URI + 1];
	size_t i, n, total;

	for (i = 0; i < s->npend; i++) {
		const struct pend *e = &s->pend[i];
		struct pend ef;
		if (s->encrypted && e->kind == P_FSPEC) {
			ef = *e;    /* an encrypted name is noise: keep the stream link */
			ef.str.p = NULL;
			e = &ef;
		} else if (s->encrypted && e->str.p != NULL) {
			continue;   /* encrypted strings: nothing to read */
		}
		switch (e->kind) {
		case P_JS:
			if (e->str.p == NULL) {
				add_ref(s, P_JS, e->ref, e->obj);
				break;
			}
			n = str_decode(&e->str, b, PN_PDF_MAX_JS_SNIPPET, &total);
			add_js(s, e->obj, "string", b, n, total);
			break;
		case P_URI:
			if (e->str.p == NULL) {
				add_ref(s, P_URI, e->ref, e->obj);
				break;
			}
			n = str_decode(&e->str, b, PN_PDF_MAX_URI, &total);
			add_uri(s, b, n, total);
			break;
		case P_FSPEC:
			add_fspec(s, e);
			break;
		case P_LAUNCH:
			add_launch(s, e);
			break;
		}
	}
	s->npend = 0;
}

/* A reference target that is a string: a script or a URI. */
static void
ref_string(struct pdf *s, struct ref *rf, const struct strtok *t)
{
	uint8_t b[PN_PDF_MAX_URI + 1];
	size_t n, total;

	rf->done = 1;
	if (rf->kind == P_JS) {
		n = str_decode(t, b, PN_PDF_MAX_JS_SNIPPET, &total);
		add_js(s, rf->num, "string", b, n, total);
	} else {
		n = str_decode(t, b, PN_PDF_MAX_URI, &total);
		add_uri(s, b, n, total);
	}
}

static struct ref *
ref_find(struct pdf *s, int64_t num)
{
	size_t i;

	for (i = 0; i < s->nrefs; i++)
		if (s->refs[i].num == num && !s->refs[i].done)
			return &s->refs[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Object streams (§7.5.7)                                             */

/* The header of an object stream: pairs of object number and offset. */
static size_t
objstm_header(struct pdf *s, const struct pn_buf *b, const struct objent *e, int64_t (**pairs)[2])
{
	struct pn_rd hdr = pn_rd_make(b->p, (size_t)e->first);
	size_t n = 0, cap = 0;

	*pairs = NULL;
	while ((int64_t)n < e->on && n < PN_PDF_MAX_OBJSTM_N) {
		struct val num, off;
		parse_value(s, &hdr, 0, &num);
		parse_value(s, &hdr, 0, &off);
		if (num.t != V_INT || off.t != V_INT || num.i < 0 || off.i < 0)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*pairs = pn_xrealloc(*pairs, cap * sizeof(**pairs));
		}
		(*pairs)[n][0] = num.i;
		(*pairs)[n][1] = off.i;
		n++;
	}
	return n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted object numbers of the references not resolved yet; returns how many. */
static size_t
open_refs(const struct pdf *s, int64_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < s->nrefs; i++)
		if (!s->refs[i].done)
			out[n++] = s->refs[i].num;
	qsort(out, n, sizeof(*out), cmp_i64);
	return n;
}

/*
 * Scan the objects of an object stream: first every value (dictionaries
 * give findings, and references that are known after each object), then
 * the string objects that references point at, for scripts and URIs.
 * Offsets may overlap, so the bytes tokenized are budgeted at
 * PN_PDF_OBJSTM_WORK times the stream's length.
 */
static void
objstm_scan(struct pdf *s, const struct objent *e)
{
	int64_t (*pairs)[2], want[PN_PDF_MAX_REFS];
	struct pn_buf b;
	size_t i, n, first, work = 0, nwant = 0;
	int pass, rc;

	rc = decode_stream(s, e, &b);
	if (rc == PN_ENOTFOUND || b.len == 0) {
		pn_buf_release(&b);
		return;
	}
	if (e->first < 0 || (uint64_t)e->first > b.len || e->on < 0) {
		if (first_time(s, O_OBJSTM))
			note(s, PN_EFORMAT, "object stream %lld: bad /N or /First", (long long)e->num);
		pn_buf_release(&b);
		return;
	}
	first = (size_t)e->first;
	s->base = (const uint8_t *)b.p;
	s->end = s->base + b.len;
	s->in_objstm = 1;
	n = objstm_header(s, &b, e, &pairs);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (nwant = open_refs(s, want)) == 0)
			break;
		for (i = 0; i < n; i++) {
			struct pn_rd r;
			struct ref *rf;
			struct val v;
			const uint8_t *start;
			if ((uint64_t)pairs[i][1] > b.len - first)
				continue;
			if (pass == 1 && bsearch(&pairs[i][0], want, nwant, sizeof(*want), cmp_i64) == NULL)
				continue;
			if (work > PN_PDF_OBJSTM_WORK * b.len) {
				if (first_time(s, O_OBJSTM_WORK))
					note(s, PN_ELIMIT, "object stream %lld: overlapping objects; "
					    "scan cut short", (long long)e->num);
				break;
			}
			r = pn_rd_make(b.p + first + pairs[i][1], b.len - first - (size_t)pairs[i][1]);
			start = r.p;
			s->cur_obj = pairs[i][0];
			if (pass == 0) {
				parse_value(s, &r, 0, &v);
				pend_flush(s);
				work += (size_t)(r.p - start) + 1;
				continue;
			}
			v.t = V_NONE;
			skip_ws(&r);
			if (peekc(&r, 0) == '(')
				lex_literal(s, &r, &v);
			else if (peekc(&r, 0) == '<' && peekc(&r, 1) != '<')
				lex_hexstr(s, &r, &v);
			work += (size_t)(r.p - start) + 1;
			if (v.t == V_STR && (rf = ref_find(s, pairs[i][0])) != NULL)
				ref_string(s, rf, &v.str);
		}
	}
	s->cur_obj = -1;
	free(pairs);
	s->in_objstm = 0;
	s->base = s->data;
	s->end = s->data + s->size;
	pn_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* After the scan                                                      */

static int
ent_cmp(const void *a, const void *b)
{
	const struct objent *x = *(const struct objent *const *)a;
	const struct objent *y = *(const struct objent *const *)b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return x < y ? -1 : x > y;  /* file order: the last definition wins */
}

/* The last definition of object num (incremental updates), or NULL. */
static const struct objent *
ent_find(struct objent *const *idx, size_t n, int64_t num)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx[mid]->num <= num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && idx[lo - 1]->num == num ? idx[lo - 1] : NULL;
}

static void
resolve_refs(struct pdf *s)
{
	struct objent **idx;
	size_t i;

	if (s->nrefs == 0 || s->nents == 0)
		return;
	idx = pn_xcalloc(s->nents, sizeof(*idx));
	for (i = 0; i < s->nents; i++)
		idx[i] = &s->ents[i];
	qsort(idx, s->nents, sizeof(*idx), ent_cmp);
	for (i = 0; i < s->nrefs; i++) {
		struct ref *rf = &s->refs[i];
		const struct objent *e;
		struct pn_buf b;
		if (rf->done || (e = ent_find(idx, s->nents, rf->num)) == NULL)
			continue;
		if (e->kind == OE_STRING) {
			struct strtok t = { e->p, e->n, e->hex };
			ref_string(s, rf, &t);
			continue;
		}
		rf->done = 1;
		if (rf->kind != P_JS || decode_stream(s, e, &b) == PN_ENOTFOUND)
			continue;
		add_js(s, e->num, "stream", (const uint8_t *)(b.p ? b.p : ""), b.len, b.len);
		pn_buf_release(&b);
	}
	free(idx);
}

/* A short type word for the first bytes of an embedded file, or NULL. */
static const char *
magic_word(const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 'M' && b[1] == 'Z')
		return "pe";
	if (n >= 4 && memcmp(b, "\x7f" "ELF", 4) == 0)
		return "elf";
	if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
		return "pdf";
	if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
		return "zip";
	if (n >= 8 && memcmp(b, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
		return "ole";
	if (n >= 5 && memcmp(b, "{\\rtf", 5) == 0)
		return "rtf";
	return NULL;
}

static struct json_object *
embedded_json(struct pdf *s, const struct objent *e)
{
	struct json_object *o = json_object_new_object();
	struct pn_hashes h;
	struct pn_buf b;
	const char *m;
	size_t i;
	int rc;

	json_object_object_add(o, "object", json_object_new_int64(e->num));
	for (i = 0; i < s->nfspecs; i++) {
		if (s->fspecs[i].ref == e->num && s->fspecs[i].name[0] != '\0') {
			json_object_object_add(o, "name", json_object_new_string(s->fspecs[i].name));
			break;
		}
	}
	if (e->efsize >= 0)
		json_object_object_add(o, "declared_size", json_object_new_int64(e->efsize));
	if (s->encrypted)
		return o;
	rc = decode_stream(s, e, &b);
	if (rc == PN_ENOTFOUND)
		return o;
	json_object_object_add(o, "size", json_object_new_int64((int64_t)b.len));
	if ((m = magic_word((const uint8_t *)b.p, b.len)) != NULL)
		json_object_object_add(o, "type", json_object_new_string(m));
	if (rc == PN_OK && pn_hash_buf(b.p ? b.p : "", b.len, PN_HASH_SHA256, &h) == PN_OK)
		json_object_object_add(o, "sha256", json_object_new_string(h.sha256));
	if (rc == PN_ELIMIT)
		json_object_object_add(o, "truncated", json_object_new_boolean(1));
	pn_buf_release(&b);
	return o;
}

static struct json_object *
embedded_list(struct pdf *s)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < s->nents; i++) {
		const struct objent *e = &s->ents[i];
		if (!(e->flags & OF_EMBEDDED))
			continue;
		s->nembedded++;
		if (json_object_array_length(a) < PN_PDF_MAX_EMBEDDED)
			json_object_array_add(a, embedded_json(s, e));
	}
	return a;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void
put_int(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v));
}

/* "%PDF-1.7" from the header at off. */
static void
header_text(const uint8_t *d, size_t size, size_t off, char *out, size_t cap)
{
	size_t n = 5;

	while (off + n < size && n < cap - 1 && n < 5 + 8 &&
	    ((d[off + n] >= '0' && d[off + n] <= '9') || d[off + n] == '.'))
		n++;
	memcpy(out, d + off, n);
	out[n] = '\0';
}

static void
emit_info(struct pdf *s, const char *header)
{
	const struct kwscan *k = &s->kw;
	struct json_object *o = json_object_new_object();

	/* VirusTotal's pdf_info keys (developers.virustotal.com, pdf_info) */
	put_int(o, "acroform", k->n[KW_ACROFORM]);
	put_int(o, "autoaction", k->n[KW_AA]);
	put_int(o, "embedded_file", k->n[KW_EMBEDDEDFILE]);
	put_int(o, "encrypted", k->n[KW_ENCRYPT] > 0);
	put_int(o, "flash", k->n[KW_RICHMEDIA]);
	json_object_object_add(o, "header", json_object_new_string(header));
	put_int(o, "javascript", k->n[KW_JAVASCRIPT]);
	put_int(o, "jbig2_compression", k->n[KW_JBIG2DECODE]);
	put_int(o, "js", k->n[KW_JS]);
	put_int(o, "num_endobj", k->n[KW_ENDOBJ]);
	put_int(o, "num_endstream", k->n[KW_ENDSTREAM]);
	put_int(o, "num_launch_actions", k->n[KW_LAUNCH]);
	put_int(o, "num_obj", k->n[KW_OBJ]);
	put_int(o, "num_object_streams", k->n[KW_OBJSTM]);
	put_int(o, "num_pages", k->n[KW_PAGE]);
	put_int(o, "num_stream", k->n[KW_STREAM]);
	put_int(o, "openaction", k->n[KW_OPENACTION]);
	put_int(o, "startxref", k->n[KW_STARTXREF]);
	put_int(o, "suspicious_colors", k->colors);
	put_int(o, "trailer", k->n[KW_TRAILER]);
	put_int(o, "xfa", k->n[KW_XFA]);
	put_int(o, "xref", k->n[KW_XREF]);
	json_object_object_add(s->p->attrs, "pdf_info", o);
}

static void
emit_details(struct pdf *s, size_t hdr_off, uint64_t eofs, uint64_t after_eof,
    uint64_t obfuscated, struct json_object *embedded)
{
	struct json_object *o = json_object_new_object(), *f = json_object_new_object();
	int i;

	put_int(o, "header_offset", hdr_off);
	put_int(o, "uri", s->kw.n[KW_URI]);
	put_int(o, "obfuscated_names", obfuscated);
	put_int(o, "eof_markers", eofs);
	put_int(o, "bytes_after_last_eof", after_eof);
	put_int(o, "objects_parsed", PN_MIN(s->objects, (uint64_t)PN_PDF_MAX_OBJECTS));
	put_int(o, "streams_decoded", s->ndecoded);
	put_int(o, "bytes_decoded", s->decoded);
	for (i = 0; i < FI_N; i++)
		if (s->filters[i] > 0)
			put_int(f, filter_names[i], s->filters[i]);
	json_object_object_add(o, "filters", f);
	put_int(o, "javascript_count", s->njs);
	json_object_object_add(o, "javascript", json_object_get(s->js));
	put_int(o, "embedded_file_count", s->nembedded);
	json_object_object_add(o, "embedded_files", embedded);
	put_int(o, "urls", s->nurls);
	put_int(o, "uris_other", s->nuri_other);
	put_int(o, "launch_count", s->nlaunch);
	json_object_object_add(o, "launch", json_object_get(s->launch));
	json_object_object_add(o, "encrypted", json_object_new_boolean(s->encrypted));
	json_object_object_add(s->p->attrs, "pdf_details", o);
}

static void
emit_tags(struct pdf *s, uint64_t obfuscated)
{
	const struct kwscan *k = &s->kw;

	/* VT's PDF tags, as its API reports them */
	if (k->n[KW_JS] || k->n[KW_JAVASCRIPT] || s->njs)
		pn_parse_tag(s->p, "js-embedded");
	if (k->n[KW_AA] || k->n[KW_OPENACTION])
		pn_parse_tag(s->p, "autoaction");
	if (k->n[KW_ACROFORM])
		pn_parse_tag(s->p, "acroform");
	if (k->n[KW_LAUNCH])
		pn_parse_tag(s->p, "launch-action");
	if (k->n[KW_EMBEDDEDFILE] || s->nembedded)
		pn_parse_tag(s->p, "file-embedded");
	if (k->n[KW_RICHMEDIA])
		pn_parse_tag(s->p, "flash-embedded");
	if (k->n[KW_ENCRYPT] || s->encrypted)
		pn_parse_tag(s->p, "encrypted");
	if (obfuscated)
		pn_parse_tag(s->p, "obfuscated");
}

/* Count of "%%EOF" and bytes after the last one, white space after it aside (as pdfid). */
static void
eof_markers(const uint8_t *d, size_t n, uint64_t *count, uint64_t *after)
{
	const uint8_t *p = d, *q, *last = NULL, *end = d + n;

	*count = 0;
	*after = 0;
	while ((q = memmem(p, (size_t)(end - p), "%%EOF", 5)) != NULL) {
		(*count)++;
		last = q;
		p = q + 5;
	}
	if (last == NULL)
		return;
	p = last + 5;
	while (p < end && is_ws(*p))
		p++;
	*after = (uint64_t)(end - p);
}

static void
obfuscation_notes(struct pdf *s, uint64_t *total)
{
	int i;

	*total = 0;
	for (i = 0; i < KW_N; i++) {
		if (s->kw.hex[i] == 0)
			continue;
		*total += s->kw.hex[i];
		note(s, PN_OK, "name %s written with #xx escapes %llu times (obfuscation)",
		    kw_words[i], (unsigned long long)s->kw.hex[i]);
	}
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

static int
pdf_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	if (data == NULL || size < 5)
		return 0;
	return memmem(data, PN_MIN(size, (size_t)PN_PDF_HEADER_WINDOW), "%PDF-", 5) != NULL ? 100 : 0;
}

static void
pdf_free(struct pdf *s)
{
	free(s->ents);
	free(s->pend);
	free(s->fspecs);
	json_object_put(s->js);
	json_object_put(s->launch);
	free(s);
}

static int
pdf_parse(struct pn_parse *p)
{
	struct pdf *s = pn_xcalloc(1, sizeof(*s));
	struct json_object *embedded;
	struct pn_rd r;
	const uint8_t *h;
	char header[16];
	uint64_t eofs, after, obf;
	size_t i, hdr_off;
	int rc;

	s->p = p;
	s->data = s->base = p->data;
	s->size = p->size;
	s->end = p->data + p->size;
	s->cur_obj = -1;
	s->js = json_object_new_array();
	s->launch = json_object_new_array();
	h = p->size >= 5 ? memmem(p->data, PN_MIN(p->size, (size_t)PN_PDF_HEADER_WINDOW), "%PDF-", 5) : NULL;
	if (h == NULL) {
		pdf_free(s);
		return PN_EFORMAT;
	}
	hdr_off = (size_t)(h - p->data);
	header_text(p->data, p->size, hdr_off, header, sizeof(header));
	if (hdr_off > 0)
		note(s, PN_OK, "header at offset %zu, not 0", hdr_off);

	kw_scan(&s->kw, p->data, p->size);
	eof_markers(p->data, p->size, &eofs, &after);
	if (after > 0)
		note(s, PN_OK, "%llu bytes after the last %%%%EOF", (unsigned long long)after);
	obfuscation_notes(s, &obf);

	r = pn_rd_make(p->data + hdr_off, p->size - hdr_off);
	scan_top(s, &r);
	if (s->encrypted)
		note(s, PN_OK, "encrypted document: strings and streams not decoded");
	pend_flush(s);
	for (i = 0; i < s->nents && !s->encrypted; i++)
		if (s->ents[i].flags & OF_OBJSTM)
			objstm_scan(s, &s->ents[i]);
	if (!s->encrypted)
		resolve_refs(s);
	embedded = embedded_list(s);

	emit_info(s, header);
	emit_details(s, hdr_off, eofs, after, obf, embedded);
	emit_tags(s, obf);
	rc = s->rc;
	pdf_free(s);
	return rc;
}

const struct pn_parser pn_parser_pdf = {
	"pdf",
	pdf_bid,
	pdf_parse,
};
