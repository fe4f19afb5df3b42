/*
 * multipart.c - streaming multipart/form-data parser (see multipart.h).
 *
 * A resumable state machine in the manner of nginx's ngx_http_parse.c:
 * pn_mp_feed() runs one step per state until the chunk is used up, and
 * every step leaves all it needs to resume in struct pn_mp.
 *
 *   S_PREAMBLE  skip bytes until a line that starts with "--" boundary
 *   S_BODY      pass bytes to on_part_data until "\r\n--" boundary
 *   S_TAIL, S_PAD, S_CR, S_DASH
 *               what follows a boundary: "--" closes the body, else
 *               optional padding and a line end open the next part
 *   S_HEADERS   copy one part's header block into mp->hdr, bounded by
 *               PN_MP_MAX_HEADER_BYTES; parse it at the empty line
 *   S_EPILOGUE  ignore everything
 *
 * Delimiter search (scan_delim): a delimiter is "\r\n--" boundary (or
 * "\n--" boundary in bare-LF bodies).  Its first byte, CR (or LF), never
 * occurs again inside it, because RFC 2046 bchars exclude CR and LF; so
 * when a partial match fails, the only place a new match can start is
 * the byte that failed, and no KMP table is needed.  A partial match at
 * the end of a chunk is remembered as a count, mp->match: those bytes
 * are delim[0..match), and are passed on from mp->delim if the next
 * chunk shows they were data after all.
 *
 * Header blocks are parsed in place in mp->hdr: unfolded, split into
 * lines, and Content-Disposition parameters unquoted into the same
 * storage (unquoting only shrinks), so part names and filenames need no
 * allocation and live until the next part's headers.
 *
 * Errors: see multipart.h.  Malformed input never reaches an assert.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "server/multipart.h"

#include <stdarg.h>

enum {
	S_PREAMBLE,   /* before the first delimiter */
	S_TAIL,       /* just after "--" boundary */
	S_PAD,        /* in transport padding after a boundary */
	S_CR,         /* CR seen after a boundary, LF must follow */
	S_DASH,       /* "-" seen after a boundary, "-" must follow */
	S_HEADERS,    /* in a part's header block */
	S_BODY,       /* in a part's body */
	S_EPILOGUE    /* after the closing delimiter */
};

/* --------------------------------------------------------------- errors */

static int
fail(struct pn_mp *mp, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct pn_mp *mp, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mp->errbuf, sizeof(mp->errbuf), fmt, ap);
	va_end(ap);
	mp->error = mp->errbuf;
	mp->err = code;
	return code;
}

/* A callback's nonzero return stops parsing with that value. */
static int
aborted(struct pn_mp *mp, int rc)
{
	return fail(mp, rc, "multipart: upload aborted (%s)",
	    rc < 0 ? pn_strerror(rc) : "callback");
}

/* ---------------------------------------------------- character classes */

static int
is_ows(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 7230 §3.2.6 tchar */
static int
is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 §5.1.1 bcharsnospace (space is handled by the caller) */
static int
is_bchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=?", c) != NULL;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* s[0..n) equals the lower-case word w, ignoring case */
static int
word_eq(const char *s, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

static char *
skip_ows(char *p)
{
	while (is_ows((unsigned char)*p))
		p++;
	return p;
}

/* ------------------------------------------------------ parameter lists */

/*
 * Parameters of a header value: `; name=value` pairs (RFC 2045 §5.1,
 * RFC 6266 §4.1), over a NUL-terminated string that is rewritten in
 * place.  On entry *pp is just after the type; on PN_OK *name and *value
 * are NUL-terminated (the value unquoted) and *pp is past the pair, or
 * *name is NULL at the end of the list.  Returns PN_EFORMAT with *why
 * set otherwise.
 */
static int
next_param(char **pp, char *sep, char **name, char **value, const char **why)
{
	char *p = *pp, *n, *d;
	size_t nlen;

	*name = *value = NULL;
	/* *sep is the separator a token value overwrote with its NUL. */
	if (*sep == '\0' || is_ows((unsigned char)*sep)) {
		p = skip_ows(p);
		*sep = *p;
		if (*p != '\0')
			p++;
	}
	if (*sep == '\0')
		return PN_OK;
	if (*sep != ';') {
		*why = "expected ';' between parameters";
		return PN_EFORMAT;
	}
	p = skip_ows(p);
	if (*p == '\0') {           /* tolerate a trailing ';' */
		*sep = '\0';
		*pp = p;
		return PN_OK;
	}
	for (n = p; is_tchar((unsigned char)*p); p++)
		;
	nlen = (size_t)(p - n);
	p = skip_ows(p);
	if (nlen == 0 || *p != '=') {
		*why = "malformed parameter";
		return PN_EFORMAT;
	}
	n[nlen] = '\0';             /* overwrites '=' or OWS, already passed */
	p = skip_ows(p + 1);
	*name = n;
	if (*p == '"') {
		/*
		 * quoted-string.  A backslash escapes only '"' and '\'; before
		 * any other byte it is kept, so that Windows paths sent
		 * unescaped by old browsers ("C:\dir\a.exe") survive (Go's
		 * mime.ParseMediaType does the same).
		 */
		d = p++;
		*value = d;
		for (;;) {
			if (*p == '\0') {
				*why = "unterminated quoted string";
				return PN_EFORMAT;
			}
			if (*p == '"')
				break;
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*d++ = *p++;
		}
		*d = '\0';
		p++;                    /* the closing quote */
		*sep = *p;
		if (*p != '\0')
			p++;
	} else {
		/* token; lenient: anything up to ';' or whitespace */
		*value = p;
		while (*p != '\0' && *p != ';' && !is_ows((unsigned char)*p))
			p++;
		*sep = *p;
		if (*p != '\0')
			*p++ = '\0';
	}
	*pp = p;
	return PN_OK;
}

/* ----------------------------------------------------------- pn_mp_init */

static int
check_boundary(const char *b, size_t n)
{
	size_t i;

	if (n == 0 || n > PN_MP_MAX_BOUNDARY || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (b[i] != ' ' && !is_bchar((unsigned char)b[i]))
			return 0;
	return 1;
}

/* the media type at the start of ct, "multipart/form-data" */
static int
is_form_data(char **pp)
{
	char *p = skip_ows(*pp), *t = p;

	while (is_tchar((unsigned char)*p) || *p == '/')
		p++;
	if (!word_eq(t, (size_t)(p - t), "multipart/form-data"))
		return 0;
	*pp = p;
	return 1;
}

int
pn_mp_init(struct pn_mp *mp, const char *content_type)
{
	char ct[PN_MP_MAX_CONTENT_TYPE + 1], *p, *name, *value, sep = ' ';
	const char *why = NULL, *boundary = NULL;
	int rc;

	memset(mp, 0, sizeof(*mp));
	mp->state = S_PREAMBLE;
	mp->first = 1;
	if (content_type == NULL)
		return fail(mp, PN_EFORMAT, "multipart: no Content-Type");
	if (strlen(content_type) >= sizeof(ct))
		return fail(mp, PN_EFORMAT, "multipart: Content-Type too long");
	pn_strlcpy(ct, content_type, sizeof(ct));
	p = ct;
	if (!is_form_data(&p))
		return fail(mp, PN_EFORMAT,
		    "multipart: Content-Type is not multipart/form-data");
	for (;;) {
		rc = next_param(&p, &sep, &name, &value, &why);
		if (rc != PN_OK)
			return fail(mp, rc, "multipart: Content-Type: %s", why);
		if (name == NULL)
			break;
		if (!word_eq(name, strlen(name), "boundary"))
			continue;
		if (boundary != NULL)
			return fail(mp, PN_EFORMAT, "multipart: two boundary parameters");
		boundary = value;
	}
	if (boundary == NULL)
		return fail(mp, PN_EFORMAT, "multipart: no boundary parameter");
	if (!check_boundary(boundary, strlen(boundary)))
		return fail(mp, PN_EFORMAT, "multipart: invalid boundary "
		    "(1..%d characters of RFC 2046 bchars)", PN_MP_MAX_BOUNDARY);
	mp->dlen = (size_t)snprintf(mp->delim, sizeof(mp->delim), "\r\n--%s", boundary);
	/*
	 * The first delimiter may open the body, with no line end before
	 * it: search the preamble for "\n--B" as if a LF preceded the body.
	 */
	mp->doff = 1;
	mp->match = 1;
	return PN_OK;
}

/* ------------------------------------------------------ delimiter search */

/* Bytes known not to belong to a delimiter. */
static int
emit(struct pn_mp *mp, const char *p, size_t n)
{
	int rc;

	if (n == 0 || mp->state == S_PREAMBLE || mp->on_part_data == NULL)
		return PN_OK;
	rc = mp->on_part_data(mp->ctx, p, n);
	return rc ? aborted(mp, rc) : PN_OK;
}

/*
 * Look for the delimiter in p[0..n), resuming a partial match.  Sets
 * *used to the bytes consumed and *found when they end with a whole
 * delimiter.  Consumes at least one byte.
 */
static int
scan_delim(struct pn_mp *mp, const char *p, size_t n, size_t *used, int *found)
{
	const char *d = mp->delim + mp->doff, *q;
	size_t dlen = mp->dlen - mp->doff, i = 0, start, j, k;
	int rc;

	*found = 0;
	if (mp->match > 0) {
		while (i < n && mp->match < dlen && p[i] == d[mp->match]) {
			i++;
			mp->match++;
		}
		if (mp->match == dlen || i == n) {
			*found = mp->match == dlen;
			if (*found)
				mp->match = 0;
			*used = i;
			return PN_OK;
		}
		/* p[i] breaks the match: what was held back is data. */
		k = mp->match;
		mp->match = 0;
		if ((rc = emit(mp, d, k)) != PN_OK)
			return rc;
	}
	start = i;
	while (i < n && (q = memchr(p + i, d[0], n - i)) != NULL) {
		j = (size_t)(q - p);
		for (k = 1; k < dlen && j + k < n && p[j + k] == d[k]; k++)
			;
		if (k == dlen || j + k == n) {
			if ((rc = emit(mp, p + start, j - start)) != PN_OK)
				return rc;
			*found = k == dlen;
			mp->match = *found ? 0 : k;
			*used = j + k;
			return PN_OK;
		}
		i = j + 1;
	}
	if ((rc = emit(mp, p + start, n - start)) != PN_OK)
		return rc;
	*used = n;
	return PN_OK;
}

static int
step_scan(struct pn_mp *mp, const char *p, size_t n, size_t *used)
{
	int found, rc;

	if ((rc = scan_delim(mp, p, n, used, &found)) != PN_OK)
		return rc;
	if (!found)
		return PN_OK;
	if (mp->state == S_BODY && mp->on_part_end != NULL &&
	    (rc = mp->on_part_end(mp->ctx)) != 0)
		return aborted(mp, rc);
	mp->state = S_TAIL;
	return PN_OK;
}

/* ----------------------------------------------------- after a boundary */

/* The line of a delimiter ended: a part's headers follow. */
static int
open_part(struct pn_mp *mp, int crlf)
{
	if (mp->first) {
		/* RFC 2046 wants CRLF; a bare LF here makes the body LF-only. */
		mp->first = 0;
		mp->doff = crlf ? 0 : 1;
	}
	if (mp->nparts >= PN_MP_MAX_PARTS)
		return fail(mp, PN_ELIMIT, "multipart: more than %d parts",
		    PN_MP_MAX_PARTS);
	mp->nparts++;
	mp->hdr_len = 0;
	mp->line_start = 0;
	mp->state = S_HEADERS;
	return PN_OK;
}

/*
 * One byte after "--" boundary.  Sets *used to 0 when the byte must be
 * looked at again (the preamble only had a line that looked like a
 * delimiter).
 */
static int
step_tail(struct pn_mp *mp, int c, size_t *used)
{
	*used = 1;
	switch (mp->state) {
	case S_TAIL:
		if (c == '-') {
			mp->state = S_DASH;
			return PN_OK;
		}
		/* FALLTHROUGH */
	case S_PAD:
		if (is_ows(c)) {
			mp->state = S_PAD;
			return PN_OK;
		}
		if (c == '\r') {
			mp->state = S_CR;
			return PN_OK;
		}
		if (c == '\n')
			return open_part(mp, 0);
		break;
	case S_CR:
		if (c == '\n')
			return open_part(mp, 1);
		break;
	case S_DASH:
		if (c == '-') {
			mp->first = 0;
			mp->state = S_EPILOGUE;
			return PN_OK;
		}
		break;
	}
	if (mp->first) {
		mp->state = S_PREAMBLE;
		*used = 0;
		return PN_OK;
	}
	return fail(mp, PN_EFORMAT, "multipart: garbage after boundary in part %u",
	    mp->nparts);
}

/* -------------------------------------------------------- part headers */

/*
 * Unfold (RFC 5322 §2.2.3) and normalise hdr[0..len) in place: line ends
 * become one '\n', a line end before a space or tab disappears.  Returns
 * the new length; sets *why for a NUL, a stray CR or a first line that is
 * a continuation.
 */
static size_t
unfold(char *h, size_t len, const char **why)
{
	size_t i, o = 0;

	if (len > 0 && is_ows((unsigned char)h[0])) {
		*why = "continuation line without a header";
		return 0;
	}
	for (i = 0; i < len; i++) {
		char c = h[i];

		if (c == '\0') {
			*why = "NUL byte in part header";
			return 0;
		}
		if (c == '\r') {
			if (i + 1 >= len || h[i + 1] != '\n') {
				*why = "stray CR in part header";
				return 0;
			}
			continue;
		}
		if (c == '\n' && i + 1 < len && is_ows((unsigned char)h[i + 1]))
			continue;
		h[o++] = c;
	}
	return o;
}

/* Content-Disposition: form-data; name="..."; filename="..." */
static int
parse_disposition(struct pn_mp *mp, char *v, struct pn_mp_part *part)
{
	char *p = v, *t, *name, *value, sep = ' ';
	const char *why = NULL;
	int rc;

	for (t = p; is_tchar((unsigned char)*p); p++)
		;
	if (!word_eq(t, (size_t)(p - t), "form-data"))
		return fail(mp, PN_EFORMAT, "multipart: part %u: Content-Disposition "
		    "is not form-data", mp->nparts);
	for (;;) {
		rc = next_param(&p, &sep, &name, &value, &why);
		if (rc != PN_OK)
			return fail(mp, rc, "multipart: part %u: Content-Disposition: "
			    "%s", mp->nparts, why);
		if (name == NULL)
			break;
		/* RFC 7578 §4.2: filename*= is not to be used; ignored. */
		if (word_eq(name, strlen(name), "name")) {
			if (part->name != NULL)
				return fail(mp, PN_EFORMAT, "multipart: part %u: two "
				    "name parameters", mp->nparts);
			part->name = value;
		} else if (word_eq(name, strlen(name), "filename")) {
			if (part->filename != NULL)
				return fail(mp, PN_EFORMAT, "multipart: part %u: two "
				    "filename parameters", mp->nparts);
			if (strlen(value) > PN_MP_MAX_FILENAME)
				return fail(mp, PN_ELIMIT, "multipart: part %u: "
				    "filename longer than %d bytes", mp->nparts,
				    PN_MP_MAX_FILENAME);
			part->filename = value;
		}
	}
	if (part->name == NULL)
		return fail(mp, PN_EFORMAT, "multipart: part %u: Content-Disposition "
		    "without name", mp->nparts);
	return PN_OK;
}

/* One unfolded "Name: value" line, NUL-terminated. */
static int
parse_header(struct pn_mp *mp, char *line, struct pn_mp_part *part, int *seen_cd)
{
	char *p = line, *v, *e;
	size_t nlen;

	while (is_tchar((unsigned char)*p))
		p++;
	nlen = (size_t)(p - line);
	if (nlen == 0 || *p != ':')
		return fail(mp, PN_EFORMAT, "multipart: part %u: malformed header "
		    "line", mp->nparts);
	v = skip_ows(p + 1);
	for (e = v + strlen(v); e > v && is_ows((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	if (word_eq(line, nlen, "content-disposition")) {
		if (*seen_cd)
			return fail(mp, PN_EFORMAT, "multipart: part %u: two "
			    "Content-Disposition headers", mp->nparts);
		*seen_cd = 1;
		return parse_disposition(mp, v, part);
	}
	if (word_eq(line, nlen, "content-type")) {
		if (part->content_type != NULL)
			return fail(mp, PN_EFORMAT, "multipart: part %u: two "
			    "Content-Type headers", mp->nparts);
		part->content_type = v;
	}
	/* Other headers (Content-Transfer-Encoding, ...) are ignored. */
	return PN_OK;
}

/* The header block hdr[0..len) is complete: parse it, open the body. */
static int
end_headers(struct pn_mp *mp, size_t len)
{
	struct pn_mp_part part;
	const char *why = NULL;
	char *line, *nl, *end;
	int seen_cd = 0, rc;

	memset(&part, 0, sizeof(part));
	part.index = mp->nparts - 1;
	len = unfold(mp->hdr, len, &why);
	if (why != NULL)
		return fail(mp, PN_EFORMAT, "multipart: part %u: %s", mp->nparts, why);
	mp->hdr[len] = '\0';
	end = mp->hdr + len;
	for (line = mp->hdr; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;       /* unreachable: blocks end in LF */
		*nl = '\0';
		if ((rc = parse_header(mp, line, &part, &seen_cd)) != PN_OK)
			return rc;
	}
	if (!seen_cd)
		return fail(mp, PN_EFORMAT, "multipart: part %u: no Content-Disposition",
		    mp->nparts);
	mp->state = S_BODY;
	if (mp->on_part_begin != NULL && (rc = mp->on_part_begin(mp->ctx, &part)) != 0)
		return aborted(mp, rc);
	return PN_OK;
}

/*
 * Copy header bytes up to and including the next LF into mp->hdr; an
 * empty line ends the block.
 */
static int
step_headers(struct pn_mp *mp, const char *p, size_t n, size_t *used)
{
	const char *lf = memchr(p, '\n', n);
	size_t take = lf ? (size_t)(lf - p) + 1 : n, ll;

	if (take > PN_MP_MAX_HEADER_BYTES - mp->hdr_len)
		return fail(mp, PN_ELIMIT, "multipart: part %u: headers longer than "
		    "%d bytes", mp->nparts, PN_MP_MAX_HEADER_BYTES);
	memcpy(mp->hdr + mp->hdr_len, p, take);
	mp->hdr_len += take;
	*used = take;
	if (lf == NULL)
		return PN_OK;
	ll = mp->hdr_len - mp->line_start;      /* the line with its LF */
	if (ll == 1 || (ll == 2 && mp->hdr[mp->line_start] == '\r'))
		return end_headers(mp, mp->line_start);
	mp->line_start = mp->hdr_len;
	return PN_OK;
}

/* ----------------------------------------------------------- pn_mp_feed */

int
pn_mp_feed(struct pn_mp *mp, const char *data, size_t len)
{
	size_t off = 0, used = 0;
	int rc = PN_OK;

	if (mp->err != PN_OK)
		return mp->err;
	if (mp->dlen == 0)
		return fail(mp, PN_EINVAL, "multipart: parser not initialised");
	while (off < len && rc == PN_OK) {
		int was_first = mp->first;

		switch (mp->state) {
		case S_PREAMBLE:
		case S_BODY:
			rc = step_scan(mp, data + off, len - off, &used);
			break;
		case S_TAIL:
		case S_PAD:
		case S_CR:
		case S_DASH:
			rc = step_tail(mp, (unsigned char)data[off], &used);
			break;
		case S_HEADERS:
			rc = step_headers(mp, data + off, len - off, &used);
			break;
		case S_EPILOGUE:
			used = len - off;
			break;
		default:
			PN_BUG("multipart: bad state");
		}
		off += used;
		/* Preamble, first delimiter and its padding together. */
		if (was_first && rc == PN_OK) {
			if (used > PN_MP_MAX_PREAMBLE - mp->skipped)
				rc = fail(mp, PN_EFORMAT, "multipart: no boundary in "
				    "the first %d bytes", PN_MP_MAX_PREAMBLE);
			else
				mp->skipped += used;
		}
	}
	return rc;
}

int
pn_mp_finish(struct pn_mp *mp)
{
	if (mp->err != PN_OK)
		return mp->err;
	if (mp->state != S_EPILOGUE)
		return fail(mp, PN_EFORMAT, "multipart: body truncated (no closing "
		    "boundary)");
	return PN_OK;
}

int
pn_mp_done(const struct pn_mp *mp)
{
	return mp->err == PN_OK && mp->state == S_EPILOGUE;
}
