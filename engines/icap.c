/*
 * icap.c - the ICAP engine: any antivirus behind an ICAP server (RFC 3507),
 * asked with RESPMOD whether an HTTP response carrying the file is clean.
 *
 * init sends OPTIONS to icap.url and keeps the ISTag (engine_version; a
 * YYYYMMDD date inside it becomes engine_update), the Preview size and
 * whether the server allows 204.  A server that does not answer at init is
 * logged, not fatal (OPTIONS is retried at reload); scans go ahead without
 * preview.
 *
 * A scan sends RESPMOD with an encapsulated request header (GET of a fixed
 * path: the submitted name is untrusted and never sent), a response header
 * (200, application/octet-stream, Content-Length) and the file as a chunked
 * body.  With a Preview size the first bytes go first ("0; ieof" when that
 * is the whole file) and the rest only after "100 Continue".  Answers:
 *   - an X-Infection-Found (Threat=NAME;), X-Virus-ID, X-Virus-Name or
 *     X-Violations-Found header, whatever the status -> malicious, NAME;
 *   - 204 No Content -> undetected;
 *   - 200 with the body unchanged -> undetected;
 *   - 200 with a changed or missing body (a block page) -> malicious,
 *     PN_ICAP_BLOCKED_LABEL, details.http_status = the new status line;
 *   - anything else -> failure.
 * The scan child needs socket/connect/send: e->confine_flags =
 * PN_ENGINE_NEEDS_NET.
 *
 * Ownership: e->priv is a struct icap (plain data) owned by the engine.
 * Limits: PN_ICAP_MAX_HEADERS bytes of ICAP or HTTP headers,
 * PN_ICAP_MAX_LINE per chunk-size line, PN_ICAP_MAX_PREVIEW preview
 * bytes; the exchange ends within 90% of e->timeout_s or the category is
 * timeout.
 * Errors: init/reload PN_EINVAL (bad icap.url) with e->error set; scan
 * PN_EIO (connect/send), PN_EFORMAT (unparsable answer), PN_EINTERNAL
 * (ICAP error status), all logged.
 * Spec: RFC 3507 §4.5 (preview), §4.6 (204), §4.4.1 (Encapsulated);
 * draft-stecher-icap-subid-00 §3.4-3.5 (X-Infection-Found,
 * X-Violations-Found).
 * See also: docs/internals/external-engines.md, tests/unit/test_external.c,
 * tests/data/engines/icap_server.py.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "external.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json.h>

/* Options of this engine (docs/CONFIG.md [icap]). */
const struct pn_conf_opt pn_conf_icap[] = {
	{ "icap.enabled", PN_CONF_BOOL, "false", "scan with an ICAP server" },
	{ "icap.name", PN_CONF_STR, "ICAP", "engine name in reports" },
	{ "icap.url", PN_CONF_STR, "icap://127.0.0.1:1344/avscan", "ICAP service URL (RESPMOD)" },
	{ "icap.max_filesize", PN_CONF_SIZE, "100M", "largest file sent" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_ICAP_MAX_HEADERS    65536     /* ICAP or encapsulated HTTP header block */
#define PN_ICAP_MAX_LINE       1024      /* chunk-size line */
#define PN_ICAP_MAX_PREVIEW    (1u << 20) /* preview bytes we agree to send */
#define PN_ICAP_MAX_URL        1024
#define PN_ICAP_CHUNK          65536
#define PN_ICAP_DEFAULT_PORT   1344
#define PN_ICAP_BLOCKED_LABEL  "ICAP.Blocked"

struct icap {
	struct pn_ext_addr addr;
	char url[PN_ICAP_MAX_URL];     /* as configured, for the request line */
	char host[300];                /* Host: header (host[:port]) */
	long preview;                  /* server's Preview size, -1 = none */
	char istag[80];
};

/* ------------------------------------------------------------------------
 * A buffered reader over the connection.
 */

struct conn {
	int fd;
	int64_t deadline;
	char buf[16384];
	size_t pos, len;
	int eof;
};

static int
conn_fill(struct conn *c)
{
	size_t got;
	int rc;

	if (c->pos < c->len)
		return PN_OK;
	if (c->eof)
		return PN_EFORMAT;
	c->pos = c->len = 0;
	if ((rc = pn_ext_recv(c->fd, c->buf, sizeof(c->buf), c->deadline, &got)) != PN_OK)
		return rc;
	if (got == 0) {
		c->eof = 1;
		return PN_EFORMAT;
	}
	c->len = got;
	return PN_OK;
}

/*
 * Read through the next CRLF CRLF (or LF LF) into b (NUL-terminated, the
 * blank line kept).  PN_OK, PN_ELIMIT (longer than b's cap), PN_EFORMAT
 * (EOF first), PN_EIO, PN_ETIMEOUT.
 */
static int
conn_headers(struct conn *c, struct pn_buf *b)
{
	int rc;

	for (;;) {
		char ch;

		if ((rc = conn_fill(c)) != PN_OK)
			return rc;
		ch = c->buf[c->pos++];
		if (pn_buf_putc(b, ch) != PN_OK)
			return PN_ELIMIT;
		if (ch == '\n' && b->len >= 2 && (b->p[b->len - 2] == '\n' ||
		    (b->len >= 4 && memcmp(b->p + b->len - 4, "\r\n\r\n", 4) == 0)))
			return PN_OK;
	}
}

/* One line (CRLF or LF removed) into out; PN_ELIMIT past cap-1 bytes. */
static int
conn_line(struct conn *c, char *out, size_t cap)
{
	size_t n = 0;
	int rc;

	for (;;) {
		char ch;

		if ((rc = conn_fill(c)) != PN_OK)
			return rc;
		ch = c->buf[c->pos++];
		if (ch == '\n')
			break;
		if (n + 1 >= cap)
			return PN_ELIMIT;
		out[n++] = ch;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return PN_OK;
}

/* Skip n bytes, comparing them with want[0..wlen) from *off on. */
static int
conn_compare(struct conn *c, uint64_t n, const uint8_t *want, size_t wlen, uint64_t *off,
    int *differs)
{
	int rc;

	while (n > 0) {
		size_t k;

		if ((rc = conn_fill(c)) != PN_OK)
			return rc;
		k = (size_t)PN_MIN((uint64_t)(c->len - c->pos), n);
		if (!*differs && (*off > wlen || k > wlen - *off ||
		    memcmp(c->buf + c->pos, want + *off, k) != 0))
			*differs = 1;
		c->pos += k;
		*off += k;
		n -= k;
	}
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * Header blocks.
 */

/*
 * The value of header name in block (case-insensitive), folded lines
 * joined with '\n', into out.  Returns 1 if found.
 */
static int
header_get(const char *block, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name), o = 0;
	const char *p = strchr(block, '\n');   /* skip the status line */

	if (cap == 0)
		return 0;
	out[0] = '\0';
	while (p != NULL && *++p != '\0') {
		const char *eol = strchr(p, '\n'), *v;

		if (eol == NULL)
			eol = p + strlen(p);
		if (pn_ext_strncasecmp(p, name, nl) != 0 || p[nl] != ':') {
			p = *eol ? eol : NULL;
			continue;
		}
		v = p + nl + 1;
		for (;;) {
			const char *e = eol;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (o > 0 && o + 1 < cap)
				out[o++] = '\n';
			while (v < e && o + 1 < cap)
				out[o++] = *v++;
			out[o] = '\0';
			if (*eol == '\0' || (eol[1] != ' ' && eol[1] != '\t'))
				break;
			v = eol + 1;    /* continuation line */
			eol = strchr(v, '\n');
			if (eol == NULL)
				eol = v + strlen(v);
		}
		return 1;
	}
	return 0;
}

/* "ICAP/1.0 204 No Content" -> 204; -1 when malformed. */
static int
status_code(const char *block, const char *proto)
{
	size_t n = strlen(proto);
	int64_t code;
	char digits[4];

	if (strncmp(block, proto, n) != 0 || block[n] != '/')
		return -1;
	block = strchr(block, ' ');
	if (block == NULL || strspn(block + 1, "0123456789") != 3)
		return -1;
	memcpy(digits, block + 1, 3);
	digits[3] = '\0';
	if (pn_parse_i64(digits, 100, 599, &code) != PN_OK)
		return -1;
	return (int)code;
}

/* Offset of "name=" in an Encapsulated value, or -1. */
static int64_t
encap_offset(const char *encap, const char *name)
{
	size_t n = strlen(name);
	const char *p = encap;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == encap || p[-1] == ' ' || p[-1] == ',') && p[n] == '=') {
			char num[24];
			size_t k = strspn(p + n + 1, "0123456789");
			int64_t v;

			if (k == 0 || k >= sizeof(num))
				return -1;
			memcpy(num, p + n + 1, k);
			num[k] = '\0';
			return pn_parse_i64(num, 0, PN_ICAP_MAX_HEADERS, &v) == PN_OK ? v : -1;
		}
		p += n;
	}
	return -1;
}

/*
 * The threat named by the infection headers of block, as a new string, or
 * NULL.  X-Infection-Found: Type=0; Resolution=2; Threat=NAME;
 * X-Violations-Found: COUNT \n FILENAME \n THREAT \n ID \n DISPOSITION ...
 */
static char *
threat_name(const char *block)
{
	char v[1024];
	const char *p;

	if (header_get(block, "X-Infection-Found", v, sizeof(v))) {
		for (p = v; (p = strcasestr(p, "threat=")) != NULL; p += 7) {
			if (p == v || p[-1] == ' ' || p[-1] == ';' || p[-1] == '\n') {
				p += 7;
				return pn_ext_label(p, strcspn(p, ";\n"));
			}
		}
	}
	if (header_get(block, "X-Violations-Found", v, sizeof(v))) {
		const char *l1 = strchr(v, '\n'), *l2 = l1 ? strchr(l1 + 1, '\n') : NULL;

		if (l2 != NULL)
			return pn_ext_label(l2 + 1, strcspn(l2 + 1, "\n"));
	}
	if (header_get(block, "X-Virus-ID", v, sizeof(v)) ||
	    header_get(block, "X-Virus-Name", v, sizeof(v)))
		return pn_ext_label(v, strcspn(v, "\n"));
	return NULL;
}

/* ------------------------------------------------------------------------
 * Requests.
 */

static int
send_str(int fd, const char *s, int64_t deadline)
{
	return pn_ext_send(fd, s, strlen(s), deadline);
}

/* Send [off, off+n) of the (mapped) target as chunks. */
static int
send_chunks(int fd, const struct pn_scan_target *t, size_t off, size_t n, int64_t deadline)
{
	int rc = PN_OK;

	while (n > 0 && rc == PN_OK) {
		size_t k = PN_MIN(n, (size_t)PN_ICAP_CHUNK);
		char hdr[32];

		snprintf(hdr, sizeof(hdr), "%zx\r\n", k);
		if ((rc = send_str(fd, hdr, deadline)) == PN_OK &&
		    (rc = pn_ext_send(fd, t->data + off, k, deadline)) == PN_OK)
			rc = send_str(fd, "\r\n", deadline);
		off += k;
		n -= k;
	}
	return rc;
}

/* The RESPMOD header block and the encapsulated HTTP headers. */
static char *
respmod_head(const struct icap *ic, const struct pn_scan_target *t, long preview)
{
	static const char req[] = "GET /panoptes/sample HTTP/1.1\r\nHost: panoptes.invalid\r\n\r\n";
	char res[160], pv[48] = "";

	snprintf(res, sizeof(res), "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Length: %zu\r\n\r\n", t->size);
	if (preview >= 0)
		snprintf(pv, sizeof(pv), "Preview: %ld\r\n", preview);
	return pn_xasprintf("RESPMOD %s ICAP/1.0\r\nHost: %s\r\nUser-Agent: Panoptes\r\n"
	    "Allow: 204\r\n%sEncapsulated: req-hdr=0, res-hdr=%zu, res-body=%zu\r\n\r\n%s%s",
	    ic->url, ic->host, pv, sizeof(req) - 1, sizeof(req) - 1 + strlen(res), req, res);
}

/* ------------------------------------------------------------------------
 * Answers.
 */

/*
 * A 200 answer: read its encapsulated HTTP headers and body; *modified
 * when the body is not the file, http_status = the new HTTP status line.
 */
static int
read_modified(struct conn *c, const char *icap_hdrs, const struct pn_scan_target *t,
    int *modified, char *http_status, size_t stlen)
{
	char encap[256], line[PN_ICAP_MAX_LINE];
	struct pn_buf hb;
	int64_t body_off, hdr_off;
	uint64_t off = 0;
	int rc, differs = 0;

	*modified = 1;
	http_status[0] = '\0';
	if (!header_get(icap_hdrs, "Encapsulated", encap, sizeof(encap)))
		return PN_EFORMAT;
	hdr_off = encap_offset(encap, "res-hdr");
	body_off = encap_offset(encap, "res-body");
	if (hdr_off >= 0) {
		pn_buf_init(&hb, PN_ICAP_MAX_HEADERS);
		rc = conn_headers(c, &hb);
		if (rc == PN_OK)
			snprintf(http_status, stlen, "%.*s", (int)strcspn(hb.p, "\r\n"), hb.p);
		pn_buf_release(&hb);
		if (rc != PN_OK)
			return rc;
	}
	if (body_off < 0)
		return PN_OK;      /* null-body: the file was removed */
	for (;;) {
		char *ext;
		uint64_t n;

		if ((rc = conn_line(c, line, sizeof(line))) != PN_OK)
			return rc;
		if ((ext = strchr(line, ';')) != NULL)
			*ext = '\0';
		if (line[0] == '\0' || strspn(line, "0123456789abcdefABCDEF") != strlen(line) ||
		    strlen(line) > 15)
			return PN_EFORMAT;
		n = strtoull(line, NULL, 16);
		if (n == 0)
			break;
		if ((rc = conn_compare(c, n, t->data, t->size, &off, &differs)) != PN_OK ||
		    (rc = conn_line(c, line, sizeof(line))) != PN_OK)
			return rc;
		if (differs)
			return PN_OK;     /* no need to read the rest */
	}
	*modified = differs || off != t->size;
	return PN_OK;
}

static void
verdict_from(int code, char *threat, int modified, const char *http_status,
    struct pn_verdict *v)
{
	v->details = json_object_new_object();
	json_object_object_add(v->details, "icap_status", json_object_new_int(code));
	if (threat != NULL) {
		v->category = PN_CAT_MALICIOUS;
		v->result = threat;
		return;
	}
	if (modified) {
		v->category = PN_CAT_MALICIOUS;
		v->result = pn_xstrdup(PN_ICAP_BLOCKED_LABEL);
		if (http_status[0] != '\0') {
			char *s = pn_ext_label(http_status, strlen(http_status));

			if (s != NULL)
				json_object_object_add(v->details, "http_status",
				    json_object_new_string(s));
			free(s);
		}
		return;
	}
	v->category = PN_CAT_UNDETECTED;
}

/* Read the final answer (after any 100 Continue) and turn it into a verdict. */
static int
answer(struct conn *c, const struct icap *ic, const struct pn_scan_target *t,
    struct pn_buf *h, struct pn_verdict *v)
{
	char http_status[128] = "", *threat;
	int code, modified = 0, rc;

	code = status_code(h->p, "ICAP");
	if (code < 0) {
		log_warnx("icap: %s: malformed status line", ic->url);
		return PN_EFORMAT;
	}
	threat = threat_name(h->p);
	if (threat == NULL && code == 200) {
		rc = read_modified(c, h->p, t, &modified, http_status, sizeof(http_status));
		if (rc == PN_ETIMEOUT)
			return rc;
		if (rc != PN_OK) {
			log_warnx("icap: %s: malformed 200 answer: %s", ic->url, pn_strerror(rc));
			return PN_EFORMAT;
		}
	} else if (threat == NULL && code != 204) {
		char *s = pn_ext_label(h->p, strcspn(h->p, "\r\n"));

		log_warnx("icap: %s: %s", ic->url, s != NULL ? s : "?");
		free(s);
		return PN_EINTERNAL;
	}
	verdict_from(code, threat, modified, http_status, v);
	return PN_OK;
}

/* One RESPMOD exchange on a connected socket. */
static int
respmod(const struct icap *ic, const struct pn_scan_target *t, struct conn *c,
    struct pn_verdict *v)
{
	long preview = ic->preview;
	size_t first;
	struct pn_buf h;
	char *head;
	int rc;

	if (preview > (long)PN_ICAP_MAX_PREVIEW)
		preview = PN_ICAP_MAX_PREVIEW;
	first = preview >= 0 ? PN_MIN(t->size, (size_t)preview) : t->size;
	head = respmod_head(ic, t, preview);
	rc = send_str(c->fd, head, c->deadline);
	free(head);
	if (rc == PN_OK)
		rc = send_chunks(c->fd, t, 0, first, c->deadline);
	if (rc == PN_OK)
		rc = send_str(c->fd, preview >= 0 && first == t->size ? "0; ieof\r\n\r\n" :
		    "0\r\n\r\n", c->deadline);
	if (rc != PN_OK)
		return rc;
	pn_buf_init(&h, PN_ICAP_MAX_HEADERS);
	rc = conn_headers(c, &h);
	if (rc == PN_OK && status_code(h.p, "ICAP") == 100) {
		if (preview < 0 || first == t->size) {
			rc = PN_EFORMAT;    /* 100 without a preview pending */
		} else {
			pn_buf_reset(&h);
			if ((rc = send_chunks(c->fd, t, first, t->size - first, c->deadline)) ==
			    PN_OK && (rc = send_str(c->fd, "0\r\n\r\n", c->deadline)) == PN_OK)
				rc = conn_headers(c, &h);
		}
	}
	if (rc == PN_OK)
		rc = answer(c, ic, t, &h, v);
	pn_buf_release(&h);
	return rc;
}

/* ------------------------------------------------------------------------
 * OPTIONS and configuration.
 */

/* An ISTag holding a YYYYMMDD date (20..-prefixed) gives engine_update. */
static void
istag_date(const char *tag, char *out, size_t len)
{
	const char *p;

	out[0] = '\0';
	for (p = tag; *p; p++) {
		int64_t m, d;
		char mm[3], dd[3];

		if (strspn(p, "0123456789") < 8 || p[0] != '2' || p[1] != '0' ||
		    (p > tag && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		memcpy(mm, p + 4, 2);
		mm[2] = '\0';
		memcpy(dd, p + 6, 2);
		dd[2] = '\0';
		if (pn_parse_i64(mm, 1, 12, &m) == PN_OK && pn_parse_i64(dd, 1, 31, &d) == PN_OK) {
			snprintf(out, len, "%.8s", p);
			return;
		}
	}
}

static void
query_options(struct pn_engine *e, struct icap *ic)
{
	struct conn *c = pn_xcalloc(1, sizeof(*c));
	struct pn_buf h;
	char *req, v[256];
	int rc;

	ic->preview = -1;
	ic->istag[0] = e->version[0] = e->update[0] = '\0';
	c->deadline = pn_ext_deadline(e->timeout_s, 10);
	pn_buf_init(&h, PN_ICAP_MAX_HEADERS);
	if ((rc = pn_ext_connect(&ic->addr, c->deadline, &c->fd)) != PN_OK)
		goto out;
	req = pn_xasprintf("OPTIONS %s ICAP/1.0\r\nHost: %s\r\nUser-Agent: Panoptes\r\n"
	    "Encapsulated: null-body=0\r\n\r\n", ic->url, ic->host);
	rc = send_str(c->fd, req, c->deadline);
	free(req);
	if (rc == PN_OK)
		rc = conn_headers(c, &h);
	close(c->fd);
	if (rc == PN_OK && status_code(h.p, "ICAP") != 200)
		rc = PN_EINTERNAL;
	if (rc != PN_OK)
		goto out;
	if (header_get(h.p, "ISTag", v, sizeof(v))) {
		char *tag = pn_ext_label(v + (v[0] == '"'), strcspn(v + (v[0] == '"'), "\"\n"));

		if (tag != NULL)
			pn_strlcpy(ic->istag, tag, sizeof(ic->istag));
		free(tag);
	}
	if (header_get(h.p, "Preview", v, sizeof(v))) {
		int64_t n;

		if (pn_parse_i64(v, 0, INT32_MAX, &n) == PN_OK)
			ic->preview = (long)n;
	}
	pn_strlcpy(e->version, ic->istag, sizeof(e->version));
	istag_date(ic->istag, e->update, sizeof(e->update));
out:
	if (rc != PN_OK)
		log_warnx("icap: OPTIONS %s failed (%s): engine_version unknown, no preview",
		    ic->url, pn_strerror(rc));
	pn_buf_release(&h);
	free(c);
}

/* icap://HOST[:PORT]/SERVICE into ic (address resolved now). */
static int
parse_url(const char *url, struct icap *ic, char *err, size_t errlen)
{
	const char *hp, *slash;
	char hostport[300];
	size_t n;

	if (url == NULL || pn_ext_strncasecmp(url, "icap://", 7) != 0) {
		snprintf(err, errlen, "icap.url must start with icap://");
		return PN_EINVAL;
	}
	if (strlen(url) >= sizeof(ic->url) || strpbrk(url, " \t\r\n") != NULL) {
		snprintf(err, errlen, "icap.url too long or contains white space");
		return PN_EINVAL;
	}
	hp = url + 7;
	slash = strchr(hp, '/');
	n = slash != NULL ? (size_t)(slash - hp) : strlen(hp);
	if (n == 0 || n >= sizeof(hostport)) {
		snprintf(err, errlen, "icap.url has no host");
		return PN_EINVAL;
	}
	memcpy(hostport, hp, n);
	hostport[n] = '\0';
	pn_strlcpy(ic->url, url, sizeof(ic->url));
	pn_strlcpy(ic->host, hostport, sizeof(ic->host));
	return pn_ext_addr_parse(hostport, PN_ICAP_DEFAULT_PORT, &ic->addr, err, errlen);
}

static int
icap_setup(struct pn_engine *e, const struct pn_conf *conf)
{
	struct icap next;
	int rc;

	memset(&next, 0, sizeof(next));
	if ((rc = parse_url(pn_conf_get(conf, "icap.url"), &next, e->error,
	    sizeof(e->error))) != PN_OK) {
		log_warnx("icap: %s", e->error);
		return rc;
	}
	e->error[0] = '\0';
	query_options(e, &next);
	if (e->priv == NULL)
		e->priv = pn_xcalloc(1, sizeof(struct icap));
	memcpy(e->priv, &next, sizeof(next));
	log_info("icap: %s at %s, ISTag \"%s\", preview %ld", e->name, next.url, next.istag,
	    next.preview);
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * The adapter.
 */

static int
icap_init(struct pn_engine *e, const struct pn_conf *conf)
{
	e->priv = NULL;
	e->confine_flags = PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND;
	return icap_setup(e, conf);
}

static int
icap_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	return icap_setup(e, conf);
}

static void
icap_free(struct pn_engine *e)
{
	free(e->priv);
	e->priv = NULL;
}

static int
icap_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	const struct icap *ic = e->priv;
	struct pn_scan_target mt = *t;
	void *map = NULL;
	struct conn *c;
	int rc;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	if (ic == NULL)
		return PN_EINTERNAL;
	if (t->data == NULL && t->size > 0) {
		/* The body is sent from, and an answer compared with, a map. */
		map = mmap(NULL, t->size, PROT_READ, MAP_PRIVATE, t->fd, 0);
		if (map == MAP_FAILED) {
			log_warn("icap: mmap of the sample");
			return PN_EIO;
		}
		mt.data = map;
	}
	c = pn_xcalloc(1, sizeof(*c));
	c->deadline = pn_ext_deadline(e->timeout_s, 90);
	rc = pn_ext_connect(&ic->addr, c->deadline, &c->fd);
	if (rc == PN_OK) {
		rc = respmod(ic, &mt, c, v);
		close(c->fd);
		if (rc != PN_OK && rc != PN_ETIMEOUT)
			log_warnx("icap: %s: %s", ic->url, pn_strerror(rc));
	} else if (rc == PN_EIO) {
		log_warn("icap: connect to %s", ic->addr.text);
	}
	free(c);
	if (map != NULL)
		munmap(map, t->size);
	if (rc == PN_ETIMEOUT) {
		log_warnx("icap: %s did not answer in time", ic->url);
		pn_verdict_release(v);
		v->category = PN_CAT_TIMEOUT;
		return PN_OK;
	}
	if (rc != PN_OK)
		pn_verdict_release(v);
	return rc;
}

const struct pn_engine_ops pn_engine_icap_ops = {
	.kind = "icap", .init = icap_init,
	.scan = icap_scan, .reload = icap_reload, .free = icap_free,
};
