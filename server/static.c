/*
 * static.c - serve the web UI from the web directory found with
 * pn_builtin_path("web"): "/" redirects to /gui/home, "/gui" and every
 * "/gui/..." address get the HTML shell (index.html; the page routes on the
 * client), "/static/<path>" gets web/<path>.
 *
 * Asset paths are checked segment by segment (letters, digits, '.', '_',
 * '-'; no segment starts with '.'), so nothing outside web/ is reachable;
 * only regular files of a known type up to PN_STATIC_MAX_FILE are sent.
 * Caching: the shell and the assets are "no-cache" with an ETag (inode,
 * size, mtime) and Last-Modified, so a browser revalidates and gets 304
 * when nothing changed; a new build is seen on the next load.
 *
 * Errors are plain-text 404s (these are pages, not API calls); the web
 * directory missing is logged once and answered 404.
 *
 * SPDX-License-Identifier: MIT
 */
#include <microhttpd.h>

#include "static.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t root_once = PTHREAD_ONCE_INIT;
static char web_root[PATH_MAX];    /* empty when not found */

static void
find_root(void)
{
	if (pn_builtin_path("web", web_root, sizeof(web_root)) != PN_OK) {
		web_root[0] = '\0';
		log_warnx("web: no web directory next to the binary; the UI is not served");
	}
}

int
pn_static_wants(const char *method, const char *path)
{
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return 0;
	return strcmp(path, "/") == 0 || strcmp(path, "/gui") == 0 ||
	    strncmp(path, "/gui/", 5) == 0 || strncmp(path, "/static/", 8) == 0;
}

struct ctype {
	const char *ext;
	const char *type;
};

static const struct ctype ctypes[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
	{ NULL, NULL }
};

static const char *
ctype_of(const char *rel)
{
	size_t n = strlen(rel), i;

	for (i = 0; ctypes[i].ext; i++) {
		size_t e = strlen(ctypes[i].ext);
		if (n > e && strcmp(rel + n - e, ctypes[i].ext) == 0)
			return ctypes[i].type;
	}
	return NULL;
}

/* Is rel ("css/app.css") a safe path below web/? */
static int
rel_ok(const char *rel)
{
	size_t seg = 0;
	const char *p;

	if (*rel == '\0' || strlen(rel) > PN_STATIC_MAX_REL)
		return 0;
	for (p = rel; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '/') {
			if (seg == 0)
				return 0;        /* empty segment */
			seg = 0;
			continue;
		}
		if (seg == 0 && c == '.')
			return 0;                /* ".", "..", hidden files */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
		if (++seg > PN_STATIC_MAX_SEG)
			return 0;
	}
	return seg > 0;
}

static void
security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", PN_STATIC_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

static void
send_text(struct pn_req *r, unsigned status, const char *text, const char *location)
{
	struct MHD_Response *resp;

	r->responded = 1;
	resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (location)
		MHD_add_response_header(resp, "Location", location);
	security_headers(resp);
	MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
}

static void
http_date(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Does the request's validator match (If-None-Match wins over If-Modified-Since)? */
static int
not_modified(struct pn_req *r, const char *etag, time_t mtime)
{
	const char *inm = pn_req_header(r, "If-None-Match");
	const char *ims = pn_req_header(r, "If-Modified-Since");
	struct tm tm;

	if (inm)
		return strstr(inm, etag) != NULL || strcmp(inm, "*") == 0;
	if (ims) {
		memset(&tm, 0, sizeof(tm));
		if (strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL)
			return timegm(&tm) >= mtime;
	}
	return 0;
}

/* Send web/rel (type ctype) or a 404. */
static void
send_file(struct pn_req *r, const char *rel, const char *ctype)
{
	struct MHD_Response *resp;
	char path[PATH_MAX + PN_STATIC_MAX_REL + 2], etag[96], lastmod[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", web_root, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		send_text(r, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > PN_STATIC_MAX_FILE) {
		close(fd);
		send_text(r, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx.%lx\"", (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
	    (unsigned long)st.st_mtim.tv_nsec);
	http_date(st.st_mtim.tv_sec, lastmod, sizeof(lastmod));
	r->responded = 1;
	if (not_modified(r, etag, st.st_mtim.tv_sec)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "ETag", etag);
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
		security_headers(resp);
		MHD_queue_response(r->conn, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		return;
	}
	resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);   /* owns fd */
	if (resp == NULL) {
		close(fd);
		r->responded = 0;
		send_text(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot send the file\n", NULL);
		return;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Last-Modified", lastmod);
	security_headers(resp);
	MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
}

void
pn_static_serve(struct pn_req *r)
{
	const char *path = r->path, *ctype;

	if (r->responded)
		return;
	pthread_once(&root_once, find_root);
	if (strcmp(path, "/") == 0) {
		send_text(r, MHD_HTTP_FOUND, "see /gui/home\n", "/gui/home");
		return;
	}
	if (web_root[0] == '\0') {
		send_text(r, MHD_HTTP_NOT_FOUND, "the web UI is not installed\n", NULL);
		return;
	}
	if (strncmp(path, "/static/", 8) != 0) {
		send_file(r, "index.html", "text/html; charset=utf-8");
		return;
	}
	path += 8;
	if (!rel_ok(path) || (ctype = ctype_of(path)) == NULL) {
		send_text(r, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
		return;
	}
	send_file(r, path, ctype);
}
