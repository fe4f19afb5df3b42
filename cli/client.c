/*
 * client.c - libcurl client of the v3 API (see client.h): requests,
 * retries on 429/503, the VT error envelope turned into one message,
 * streamed downloads with hashing, and the client configuration (flags,
 * environment, ~/.config/panoptes/config).
 *
 * Ownership: struct pn_client owns its curl handle and strings; answers
 * are new json-c objects owned by the caller.  The key header string is
 * zeroed before it is freed.
 * Limits: PN_CLIENT_MAX_JSON, PN_CLIENT_MAX_ERRBODY, PN_CLIENT_MAX_RETRY_WAIT.
 *
 * SPDX-License-Identifier: MIT
 */
#include "client.h"
#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PN_CLIENT_UA "panoptes-cli/0.1 (libcurl)"
#define PN_CLIENT_MAX_CONF_LINE 4096

void
pn_client_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("libcurl initialisation failed");
}

static void
seterr(struct pn_client_err *err, enum pn_client_errkind kind, long status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
seterr(struct pn_client_err *err, enum pn_client_errkind kind, long status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	err->status = status;
	pn_strlcpy(err->code, code ? code : "", sizeof(err->code));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* -------------------------------------------------------------- set-up */

/* Lower-case scheme://host[:port] of url (no user:password@) into a new string, or NULL. */
static char *
origin_of(const char *url)
{
	const char *p = strstr(url, "://"), *host, *end, *at;
	char *o;
	size_t i;

	if (p == NULL)
		return NULL;
	host = p + 3;
	end = host + strcspn(host, "/?#");
	at = memrchr(host, '@', (size_t)(end - host));
	if (at)
		host = at + 1;
	if (end == host)
		return NULL;
	o = pn_xasprintf("%.*s%.*s", (int)(p + 3 - url), url, (int)(end - host), host);
	for (i = 0; o[i]; i++)
		o[i] = (char)tolower((unsigned char)o[i]);
	return o;
}

static int
same_origin(const struct pn_client *cl, const char *url)
{
	char *o = origin_of(url);
	int same = o != NULL && strcmp(o, cl->origin) == 0;

	free(o);
	return same;
}

int
pn_client_init(struct pn_client *cl, const struct pn_client_opts *o, struct pn_client_err *err)
{
	size_t n;

	memset(cl, 0, sizeof(*cl));
	memset(err, 0, sizeof(*err));
	if (o->server == NULL || *o->server == '\0') {
		seterr(err, PN_CLIENT_EINPUT, 0, NULL, "no server: give --server URL, set "
		    "PANOPTES_SERVER or put server = URL in the config file");
		return PN_EINVAL;
	}
	if (strncasecmp(o->server, "http://", 7) != 0 && strncasecmp(o->server, "https://", 8) != 0) {
		seterr(err, PN_CLIENT_EINPUT, 0, NULL, "server URL \"%.200s\" must start with "
		    "http:// or https://", o->server);
		return PN_EINVAL;
	}
	cl->base = pn_xstrdup(o->server);
	n = strlen(cl->base);
	while (n > 0 && cl->base[n - 1] == '/')
		cl->base[--n] = '\0';
	if (n >= 7 && strcmp(cl->base + n - 7, "/api/v3") == 0)
		cl->base[n - 7] = '\0';
	cl->origin = origin_of(cl->base);
	if (cl->origin == NULL) {
		seterr(err, PN_CLIENT_EINPUT, 0, NULL, "server URL \"%.200s\" has no host", o->server);
		pn_client_release(cl);
		return PN_EINVAL;
	}
	if (o->apikey && *o->apikey)
		cl->keyhdr = pn_xasprintf("x-apikey: %s", o->apikey);
	cl->cacert = o->cacert ? pn_xstrdup(o->cacert) : NULL;
	cl->timeout = o->timeout > 0 ? o->timeout : 60;
	cl->retries = o->retries >= 0 ? o->retries : 3;
	cl->verbose = o->verbose;
	cl->curl = curl_easy_init();
	if (cl->curl == NULL)
		fatalx("curl_easy_init failed");
	return PN_OK;
}

void
pn_client_release(struct pn_client *cl)
{
	if (cl->curl)
		curl_easy_cleanup(cl->curl);
	if (cl->keyhdr) {
		explicit_bzero(cl->keyhdr, strlen(cl->keyhdr));
		free(cl->keyhdr);
	}
	free(cl->base);
	free(cl->origin);
	free(cl->cacert);
	memset(cl, 0, sizeof(*cl));
}

char *
pn_client_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *r;

	if (e == NULL)
		fatalx("curl_easy_escape failed");
	r = pn_xstrdup(e);
	curl_free(e);
	return r;
}

/* --------------------------------------------------------------- sinks */

/* Where an answer's body goes: a capped buffer, or a file with hashing. */
struct sink {
	CURL *h;
	struct pn_buf buf;          /* JSON answer or error body */
	int fd;                     /* download target or -1 */
	EVP_MD_CTX *md[3];          /* md5, sha1, sha256 of what went to fd */
	uint64_t n;                 /* bytes written to fd */
	int werr;                   /* write to fd failed (errno kept in werrno) */
	int werrno;
	int over;                   /* buf hit its cap */
};

static size_t
on_body(char *p, size_t sz, size_t nm, void *arg)
{
	struct sink *s = arg;
	size_t n = sz * nm, i;
	long status = 0;

	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	if (s->fd >= 0 && status == 200) {
		if (pn_write_all(s->fd, p, n) != PN_OK) {
			s->werr = 1;
			s->werrno = errno;
			return 0;
		}
		for (i = 0; i < 3; i++)
			if (s->md[i])
				EVP_DigestUpdate(s->md[i], p, n);
		s->n += n;
		return n;
	}
	if (pn_buf_append(&s->buf, p, n) != PN_OK) {
		if (s->fd >= 0 || status != 200) {
			s->over = 1;        /* an error body: keep its head, drop the rest */
			return n;
		}
		s->over = 1;
		return 0;
	}
	return n;
}

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct pn_client *cl = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	return cl->stop != NULL && *cl->stop;
}

/* ------------------------------------------------------------- request */

struct req {
	const char *method;
	const char *path;           /* relative to /api/v3, or absolute */
	const char *body;           /* POST body or NULL */
	const char *ctype;          /* its Content-Type */
	const char *upload_file;    /* multipart part "file" from this path */
	int transfer;               /* upload/download: stall timeout instead of total */
};

static char *
full_url(const struct pn_client *cl, const char *path)
{
	if (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0)
		return pn_xstrdup(path);
	return pn_xasprintf("%s/api/v3/%s", cl->base, path[0] == '/' ? path + 1 : path);
}

static void
setup_handle(struct pn_client *cl, const struct req *rq, const char *url, struct sink *s,
    struct curl_slist **hdrs, curl_mime **mime)
{
	CURL *h = cl->curl;
	const char *slash;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cl->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, cl->cacert);
	curl_easy_setopt(h, CURLOPT_USERAGENT, PN_CLIENT_UA);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, PN_MIN(cl->timeout, 30L));
	if (rq->transfer) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, cl->timeout);
	} else {
		curl_easy_setopt(h, CURLOPT_TIMEOUT, cl->timeout);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	}
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cl->curlerr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, cl);
	*hdrs = curl_slist_append(NULL, rq->transfer && !rq->upload_file ? "Accept: */*" :
	    "Accept: application/json");
	if (cl->keyhdr && same_origin(cl, url))
		*hdrs = curl_slist_append(*hdrs, cl->keyhdr);
	*mime = NULL;
	if (rq->upload_file) {
		curl_mimepart *part;
		*mime = curl_mime_init(h);
		part = curl_mime_addpart(*mime);
		curl_mime_name(part, "file");
		curl_mime_filedata(part, rq->upload_file);
		slash = strrchr(rq->upload_file, '/');
		curl_mime_filename(part, slash ? slash + 1 : rq->upload_file);
		curl_mime_type(part, "application/octet-stream");
		curl_easy_setopt(h, CURLOPT_MIMEPOST, *mime);
		/* No "Expect: 100-continue" round trip. */
		*hdrs = curl_slist_append(*hdrs, "Expect:");
	} else if (rq->body) {
		char *ct = pn_xasprintf("Content-Type: %s", rq->ctype ? rq->ctype : "application/json");
		*hdrs = curl_slist_append(*hdrs, ct);
		free(ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
}

static void
free_headers(struct curl_slist *hdrs)
{
	struct curl_slist *l;

	for (l = hdrs; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdrs);
}

/* The VT error envelope of a non-200 answer into err. */
static void
http_error(struct pn_client_err *err, long status, const struct pn_buf *body)
{
	struct json_object *j = body->len ? json_tokener_parse(body->p) : NULL, *e, *c, *m;

	if (j && json_object_object_get_ex(j, "error", &e) &&
	    json_object_is_type(e, json_type_object)) {
		const char *code = json_object_object_get_ex(e, "code", &c) ?
		    json_object_get_string(c) : "";
		const char *msg = json_object_object_get_ex(e, "message", &m) ?
		    json_object_get_string(m) : "";
		seterr(err, PN_CLIENT_EHTTP, status, code, "%.400s", msg && *msg ? msg : code);
	} else {
		seterr(err, PN_CLIENT_EHTTP, status, NULL, "HTTP status %ld without a JSON error body",
		    status);
	}
	json_object_put(j);
}

/* Sleep ms, waking early when the stop flag is set; 0 or -1 if stopped. */
static int
nap(const struct pn_client *cl, long ms)
{
	while (ms > 0) {
		long step = PN_MIN(ms, 100L);
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };
		if (cl->stop && *cl->stop)
			return -1;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return cl->stop && *cl->stop ? -1 : 0;
}

/*
 * Perform rq with retries; on PN_OK the answer was 200 and its body (for
 * non-download requests) is in s->buf.
 */
static int
perform(struct pn_client *cl, const struct req *rq, struct sink *s, struct pn_client_err *err)
{
	char *url = full_url(cl, rq->path);
	int attempt, rc = PN_EIO;

	memset(err, 0, sizeof(*err));
	for (attempt = 0;; attempt++) {
		struct curl_slist *hdrs;
		curl_mime *mime;
		CURLcode cc;
		long status = 0;
		curl_off_t after = -1;

		pn_buf_reset(&s->buf);
		s->over = 0;
		s->h = cl->curl;
		cl->curlerr[0] = '\0';
		setup_handle(cl, rq, url, s, &hdrs, &mime);
		cc = curl_easy_perform(cl->curl);
		curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(cl->curl, CURLINFO_RETRY_AFTER, &after);
		free_headers(hdrs);
		curl_mime_free(mime);
		if (cl->verbose)
			fprintf(stderr, "panoptes: %s %s -> %ld%s%s\n", rq->method, url, status,
			    cc != CURLE_OK ? " " : "", cc != CURLE_OK ? curl_easy_strerror(cc) : "");
		if (cc == CURLE_ABORTED_BY_CALLBACK) {
			seterr(err, PN_CLIENT_EINTR, 0, NULL, "interrupted");
			break;
		}
		if (s->werr) {
			errno = s->werrno;
			seterr(err, PN_CLIENT_EINPUT, 0, NULL, "write failed: %s", strerror(s->werrno));
			break;
		}
		if (cc == CURLE_WRITE_ERROR && s->over) {
			seterr(err, PN_CLIENT_EPROTO, status, NULL, "answer larger than %u MB",
			    PN_CLIENT_MAX_JSON >> 20);
			break;
		}
		if (cc == CURLE_READ_ERROR && rq->upload_file) {
			seterr(err, PN_CLIENT_EINPUT, 0, NULL, "cannot read %.300s", rq->upload_file);
			break;
		}
		if (cc != CURLE_OK) {
			seterr(err, PN_CLIENT_ENET, 0, NULL, "%.200s: %.250s", cl->origin,
			    cl->curlerr[0] ? cl->curlerr : curl_easy_strerror(cc));
			break;
		}
		if (status == 200) {
			rc = PN_OK;
			break;
		}
		http_error(err, status, &s->buf);
		if ((status == 429 || status == 503) && attempt < cl->retries) {
			/* curl gives 0 when there is no (valid) Retry-After. */
			long wait = after > 0 ? (long)PN_MIN(after, (curl_off_t)PN_CLIENT_MAX_RETRY_WAIT) :
			    (1L << PN_MIN(attempt, 6));
			if (cl->verbose)
				fprintf(stderr, "panoptes: %ld %s, retrying in %ld s\n", status,
				    err->code, wait);
			if (nap(cl, wait * 1000) != 0) {
				seterr(err, PN_CLIENT_EINTR, 0, NULL, "interrupted");
				break;
			}
			continue;
		}
		if (status >= 300 && status < 400)
			seterr(err, PN_CLIENT_EHTTP, status, NULL, "the server redirects (HTTP %ld); "
			    "give the final URL with --server", status);
		break;
	}
	free(url);
	if (rc == PN_OK)
		return PN_OK;
	if (err->kind == PN_CLIENT_EHTTP)
		return err->status == 404 ? PN_ENOTFOUND :
		    (err->status == 401 || err->status == 403) ? PN_EPERM : PN_EIO;
	return err->kind == PN_CLIENT_EPROTO ? PN_EFORMAT : PN_EIO;
}

static int
json_request(struct pn_client *cl, const struct req *rq, struct json_object **out,
    struct pn_client_err *err)
{
	struct sink s;
	struct json_tokener *tok;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	pn_buf_init(&s.buf, PN_CLIENT_MAX_JSON);
	rc = perform(cl, rq, &s, err);
	if (rc == PN_OK) {
		tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
		*out = s.buf.len ? json_tokener_parse_ex(tok, s.buf.p, (int)s.buf.len) : NULL;
		json_tokener_free(tok);
		if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
			json_object_put(*out);
			*out = NULL;
			seterr(err, PN_CLIENT_EPROTO, 200, NULL, "the answer to %s %.200s is not a JSON "
			    "object", rq->method, rq->path);
			rc = PN_EFORMAT;
		}
	}
	pn_buf_release(&s.buf);
	return rc;
}

int
pn_client_json(struct pn_client *cl, const char *method, const char *path, const char *body,
    struct json_object **out, struct pn_client_err *err)
{
	struct req rq = { method, path, body, "application/json", NULL, 0 };

	return json_request(cl, &rq, out, err);
}

int
pn_client_form(struct pn_client *cl, const char *path, const char *name, const char *value,
    struct json_object **out, struct pn_client_err *err)
{
	char *ev = pn_client_escape(value), *body = pn_xasprintf("%s=%s", name, ev);
	struct req rq = { "POST", path, body, "application/x-www-form-urlencoded", NULL, 0 };
	int rc = json_request(cl, &rq, out, err);

	free(ev);
	free(body);
	return rc;
}

int
pn_client_upload(struct pn_client *cl, const char *path, const char *file,
    struct json_object **out, struct pn_client_err *err)
{
	struct req rq = { "POST", path, NULL, NULL, file, 1 };

	if (access(file, R_OK) != 0) {
		*out = NULL;
		seterr(err, PN_CLIENT_EINPUT, 0, NULL, "%.300s: %s", file, strerror(errno));
		return PN_EIO;
	}
	return json_request(cl, &rq, out, err);
}

int
pn_client_download(struct pn_client *cl, const char *path, int fd, uint64_t *nbytes,
    char *md5hex, char *sha1hex, char *sha256hex, struct pn_client_err *err)
{
	const EVP_MD *mds[3] = { EVP_md5(), EVP_sha1(), EVP_sha256() };
	char *outs[3] = { md5hex, sha1hex, sha256hex };
	struct req rq = { "GET", path, NULL, NULL, NULL, 1 };
	struct sink s;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	s.fd = fd;
	pn_buf_init(&s.buf, PN_CLIENT_MAX_ERRBODY);
	for (i = 0; i < 3; i++) {
		if (outs[i] == NULL)
			continue;
		s.md[i] = EVP_MD_CTX_new();
		if (s.md[i] == NULL || EVP_DigestInit_ex(s.md[i], mds[i], NULL) != 1)
			fatalx("EVP digest initialisation failed");
	}
	rc = perform(cl, &rq, &s, err);
	*nbytes = s.n;
	for (i = 0; i < 3; i++) {
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned int dl = 0;
		if (s.md[i] == NULL)
			continue;
		EVP_DigestFinal_ex(s.md[i], d, &dl);
		pn_hex(d, dl, outs[i]);
		EVP_MD_CTX_free(s.md[i]);
	}
	pn_buf_release(&s.buf);
	return rc;
}

/* -------------------------------------------------------------- errors */

int
pn_client_err_no_route(const struct pn_client_err *err)
{
	return err->kind == PN_CLIENT_EHTTP && (err->status == 405 ||
	    (err->status == 404 && strcmp(err->msg, "unknown resource") == 0));
}

int
pn_client_exit_code(const struct pn_client_err *err)
{
	switch (err->kind) {
	case PN_CLIENT_OK: return 0;
	case PN_CLIENT_EINPUT: return 2;
	case PN_CLIENT_EINTR: return 130;
	case PN_CLIENT_EHTTP:
		if (pn_client_err_no_route(err))
			return 3;
		if (err->status == 400 || err->status == 404 || err->status == 409)
			return 2;
		return 3;
	default: return 3;
	}
}

void
pn_client_perror(const char *cmd, const char *what, const struct pn_client_err *err)
{
	const char *sep = what && *what ? ": " : "";

	if (what == NULL)
		what = "";
	if (err->kind == PN_CLIENT_EHTTP && err->status == 401) {
		fprintf(stderr, "panoptes %s: %s%sthe server refused the API key (%ld %s: %s); check "
		    "--apikey, PANOPTES_APIKEY or the config file\n", cmd, what, sep, err->status,
		    err->code, err->msg);
	} else if (pn_client_err_no_route(err)) {
		fprintf(stderr, "panoptes %s: %s%sthe server does not implement this request "
		    "(%ld %s: %s)\n", cmd, what, sep, err->status, err->code[0] ? err->code : "-",
		    err->msg);
	} else if (err->kind == PN_CLIENT_EHTTP) {
		fprintf(stderr, "panoptes %s: %s%s%s (%ld %s)\n", cmd, what, sep, err->msg,
		    err->status, err->code[0] ? err->code : "error");
	} else if (err->kind == PN_CLIENT_ENET) {
		fprintf(stderr, "panoptes %s: %s%scannot reach the server: %s\n", cmd, what, sep,
		    err->msg);
	} else {
		fprintf(stderr, "panoptes %s: %s%s%s\n", cmd, what, sep, err->msg);
	}
}

/* ------------------------------------------------------- configuration */

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (e - s >= 2 && (*s == '"' || *s == '\'') && e[-1] == *s) {
		e[-1] = '\0';
		s++;
	}
	return s;
}

static int
config_path(char *out, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return (size_t)snprintf(out, len, "%s/panoptes/config", x) < len ? 0 : -1;
	if (home && *home)
		return (size_t)snprintf(out, len, "%s/.config/panoptes/config", home) < len ? 0 : -1;
	return -1;
}

/* Read the config file into owned; 0, 1 when there is none, 2 on error (printed). */
static int
config_read(const char *path, struct pn_client_conf_owned *cf, long *timeout, int *retries,
    const char *cmd)
{
	char line[PN_CLIENT_MAX_CONF_LINE];
	struct stat sb;
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (f == NULL)
		return errno == ENOENT ? 1 : (fprintf(stderr, "panoptes %s: %s: %s\n", cmd, path,
		    strerror(errno)), 2);
	if (fstat(fileno(f), &sb) != 0)
		sb.st_mode = 0;
	while (fgets(line, sizeof(line), f)) {
		char *k = line, *v, *eq;
		int64_t n;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		k = trim(k);
		if (*k == '\0' || *k == '#' || *k == ';' || *k == '[')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			fprintf(stderr, "panoptes %s: %s:%d: expected key = value\n", cmd, path, lineno);
			rc = 2;
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (strcmp(k, "server") == 0) {
			free(cf->server);
			cf->server = pn_xstrdup(v);
		} else if (strcmp(k, "apikey") == 0) {
			if (sb.st_mode & S_IROTH) {
				fprintf(stderr, "panoptes %s: %s holds an API key and is readable by "
				    "everyone; refusing it (chmod 600 %s)\n", cmd, path, path);
				rc = 2;
				break;
			}
			if (sb.st_mode & S_IRGRP)
				fprintf(stderr, "panoptes %s: warning: %s holds an API key and is "
				    "readable by its group (chmod 600 %s)\n", cmd, path, path);
			if (cf->apikey) {
				explicit_bzero(cf->apikey, strlen(cf->apikey));
				free(cf->apikey);
			}
			cf->apikey = pn_xstrdup(v);
		} else if (strcmp(k, "cacert") == 0) {
			free(cf->cacert);
			cf->cacert = pn_xstrdup(v);
		} else if (strcmp(k, "timeout") == 0 && pn_parse_i64(v, 1, 86400, &n) == PN_OK) {
			*timeout = (long)n;
		} else if (strcmp(k, "retries") == 0 && pn_parse_i64(v, 0, 100, &n) == PN_OK) {
			*retries = (int)n;
		} else {
			fprintf(stderr, "panoptes %s: %s:%d: unknown key or bad value \"%s\"\n", cmd,
			    path, lineno, k);
			rc = 2;
			break;
		}
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return rc;
}

int
pn_client_config(struct pn_client_opts *o, struct pn_client_conf_owned *owned, const char *cmd)
{
	char path[4096];
	const char *e;
	long timeout = 0;
	int retries = -1, rc;

	memset(owned, 0, sizeof(*owned));
	if (o->server == NULL && (e = getenv("PANOPTES_SERVER")) != NULL && *e)
		o->server = e;
	if (o->apikey == NULL && (e = getenv("PANOPTES_APIKEY")) != NULL && *e)
		o->apikey = e;
	if (config_path(path, sizeof(path)) != 0)
		return 0;
	rc = config_read(path, owned, &timeout, &retries, cmd);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	if (o->server == NULL)
		o->server = owned->server;
	if (o->apikey == NULL)
		o->apikey = owned->apikey;
	if (o->cacert == NULL)
		o->cacert = owned->cacert;
	if (o->timeout <= 0 && timeout > 0)
		o->timeout = timeout;
	if (o->retries < 0 && retries >= 0)
		o->retries = retries;
	return 0;
}

void
pn_client_config_free(struct pn_client_conf_owned *owned)
{
	if (owned->apikey) {
		explicit_bzero(owned->apikey, strlen(owned->apikey));
		free(owned->apikey);
	}
	free(owned->server);
	free(owned->cacert);
	memset(owned, 0, sizeof(*owned));
}
