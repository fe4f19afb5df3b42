/*
 * client.h - the HTTP client of the v3 API (libcurl + json-c): what the
 * client commands (`panoptes file`, `url`, `scan --server` ...) use to talk
 * to a Panoptes server or any VirusTotal-v3-compatible one.
 *
 * One struct pn_client per thread (it owns a curl easy handle).  Requests
 * go to <base>/api/v3/<path>; absolute URLs (links.next, upload URLs) are
 * used as given, and the x-apikey header is only sent to the origin of the
 * base URL.  Redirects are not followed (a redirect to another host would
 * carry the key).  TLS peers are always verified (--cacert adds a CA file).
 * 429 and 503 answers are retried up to `retries` times, after the
 * Retry-After delay (capped at PN_CLIENT_MAX_RETRY_WAIT s) or an
 * exponential back-off.
 *
 * The API key is never printed: not in errors, not in --verbose traces
 * (which show method, URL and status only).
 *
 * Limits: PN_CLIENT_MAX_JSON bytes of JSON per answer, PN_CLIENT_MAX_ERRBODY
 * bytes kept of an error body.
 * Errors: every call fills struct pn_client_err; pn_client_exit_code()
 * turns it into the command's exit status (2 input, 3 server/network).
 * See also: docs/CLI.md, tests/integration/test_client.py.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_CLIENT_H
#define PN_CLIENT_H

#include "pn.h"

#include <signal.h>
#include <json-c/json.h>

#define PN_CLIENT_MAX_JSON       (256u << 20)  /* one JSON answer */
#define PN_CLIENT_MAX_ERRBODY    (64u << 10)   /* error body kept for the message */
#define PN_CLIENT_MAX_RETRY_WAIT 120           /* seconds waited for one Retry-After */
#define PN_CLIENT_UPLOAD_DIRECT  (32u << 20)   /* larger files go through /files/upload_url */

struct pn_client_opts {
	const char *server;   /* base URL, e.g. https://host:8443 (a trailing /api/v3 is dropped) */
	const char *apikey;   /* borrowed */
	const char *cacert;   /* extra CA bundle or NULL */
	long timeout;         /* seconds for one JSON request; transfers use a stall timeout */
	int retries;          /* extra attempts on 429/503 */
	int verbose;          /* trace requests (never headers) on stderr */
};

enum pn_client_errkind {
	PN_CLIENT_OK,
	PN_CLIENT_ENET,       /* connection, TLS, timeout */
	PN_CLIENT_EHTTP,      /* non-200 answer; status/code/msg set */
	PN_CLIENT_EPROTO,     /* 200 but not what the API promises */
	PN_CLIENT_EINPUT,     /* a local file could not be read or written */
	PN_CLIENT_EINTR       /* stopped by the caller's stop flag (SIGINT) */
};

struct pn_client_err {
	enum pn_client_errkind kind;
	long status;          /* HTTP status or 0 */
	char code[64];        /* VT error code, e.g. NotFoundError, or "" */
	char msg[512];        /* human-readable, never holds the key */
};

struct pn_client {
	void *curl;                         /* CURL * */
	char *base;                         /* scheme://host[:port][/prefix], no trailing / */
	char *origin;                       /* scheme://host[:port] of base, lower case */
	char *keyhdr;                       /* "x-apikey: ..." or NULL; zeroed on free */
	char *cacert;
	long timeout;
	int retries;
	int verbose;
	volatile sig_atomic_t *stop;        /* set -> transfers abort (may be NULL) */
	char curlerr[256];
};

/* One global libcurl initialisation; call before starting threads. */
void pn_client_global_init(void);

/* Set up cl from o; PN_OK or PN_EINVAL (bad URL, message in err). */
int pn_client_init(struct pn_client *cl, const struct pn_client_opts *o, struct pn_client_err *err);
void pn_client_release(struct pn_client *cl);

/*
 * A JSON request.  path is relative to /api/v3 ("files/<h>") or absolute.
 * body: JSON text to send (POST) or NULL.  On PN_OK *out is the parsed
 * answer (caller json_object_put()s it); otherwise err says why and the
 * return is PN_EIO (network), PN_ENOTFOUND (404), PN_EPERM (401/403) or
 * PN_EFORMAT (bad answer).
 */
int pn_client_json(struct pn_client *cl, const char *method, const char *path, const char *body,
    struct json_object **out, struct pn_client_err *err);

/* POST application/x-www-form-urlencoded name=value (value escaped). */
int pn_client_form(struct pn_client *cl, const char *path, const char *name, const char *value,
    struct json_object **out, struct pn_client_err *err);

/* Multipart upload of file (part "file", filename = its base name) to path. */
int pn_client_upload(struct pn_client *cl, const char *path, const char *file,
    struct json_object **out, struct pn_client_err *err);

/*
 * Stream a download into fd (200 only; error bodies are not written).
 * *nbytes gets the byte count; sha256hex (65 bytes) the sha256 of what
 * was written when not NULL; md5hex/sha1hex likewise.
 */
int pn_client_download(struct pn_client *cl, const char *path, int fd, uint64_t *nbytes,
    char *md5hex, char *sha1hex, char *sha256hex, struct pn_client_err *err);

/* path segment escaped for a URL; caller frees. */
char *pn_client_escape(const char *s);

/* 1 when err is the server saying it has no such route (not such object). */
int pn_client_err_no_route(const struct pn_client_err *err);

/* Exit status for err: 2 input (400, 404, 409, local files), 3 otherwise, 130 interrupted. */
int pn_client_exit_code(const struct pn_client_err *err);

/* Print "panoptes CMD: WHAT: message" with hints (wrong key, no route). */
void pn_client_perror(const char *cmd, const char *what, const struct pn_client_err *err);

/*
 * Client configuration: fill o->server / o->apikey that are still NULL from
 * PANOPTES_SERVER / PANOPTES_APIKEY, then from the config file
 * ($XDG_CONFIG_HOME or ~/.config)/panoptes/config ("key = value" lines:
 * server, apikey, cacert, timeout, retries).  A config file readable by
 * others that holds an apikey is refused.  Strings land in *owned (freed
 * by pn_client_config_free).  Returns 0 or 2 with a message printed.
 */
struct pn_client_conf_owned {
	char *server, *apikey, *cacert;
};
int pn_client_config(struct pn_client_opts *o, struct pn_client_conf_owned *owned, const char *cmd);
void pn_client_config_free(struct pn_client_conf_owned *owned);

#endif
