/*
 * clamd.c - the clamd engine: a running ClamAV daemon, reached over a UNIX
 * or TCP socket with the INSTREAM command.
 *
 * Protocol (clamd(8), "zINSTREAM"): the command "zINSTREAM\0", then the
 * file as chunks <uint32 big-endian length><bytes>, then a zero-length
 * chunk; the daemon answers "stream: OK", "stream: NAME FOUND" (one line
 * per name with AllMatchScan) or "... ERROR", each ended by a NUL, and
 * closes the connection.  A file past the daemon's StreamMaxLength makes
 * it answer "INSTREAM size limit exceeded. ERROR" and close: that is
 * type-unsupported (the file is too large for this engine), not a
 * failure.  Set clamd.max_filesize to StreamMaxLength so such files are
 * not even sent.
 *
 * init parses the address (names resolved once) and asks "zVERSION\0"
 * ("ClamAV 1.4.6/27000/Mon Dec  1 09:26:53 2025" -> engine_version
 * "1.4.6/27000", engine_update "20251201").  A daemon that does not answer
 * at init is not an error (it may still be loading its databases): the
 * version stays empty until the next reload and scans fail while it is
 * down.  The scan child needs socket/connect/send: e->confine_flags =
 * PN_ENGINE_NEEDS_NET.
 *
 * Names map to a verdict as in engines/clamav.c: Heuristics.Limits.* are
 * evidence only, Heuristics.Encrypted.* alone is suspicious, anything else
 * is malicious (method "heuristic" for Heuristics.*); ".UNOFFICIAL" is
 * dropped from the result; details = {"matches": [...], ...}.
 *
 * Ownership: e->priv is a struct clamd (plain data) owned by the engine.
 * Limits: PN_CLAMD_MAX_REPLY bytes of reply, PN_CLAMD_MAX_MATCHES names,
 * PN_CLAMD_CHUNK bytes per chunk; the whole exchange must end within 90%
 * of e->timeout_s, else the category is timeout.
 * Errors: init/reload PN_EINVAL (bad address) with e->error set; scan
 * PN_EIO (cannot connect or send), PN_EFORMAT (unparsable reply),
 * PN_EINTERNAL (clamd reported an ERROR), all logged.
 * See also: docs/internals/external-engines.md, tests/unit/test_external.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "external.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

/* Options of this engine (docs/CONFIG.md [clamd]). */
const struct pn_conf_opt pn_conf_clamd[] = {
	{ "clamd.enabled", PN_CONF_BOOL, "false", "scan with a running clamd" },
	{ "clamd.name", PN_CONF_STR, "ClamAV-daemon", "engine name in reports" },
	{ "clamd.address", PN_CONF_STR, "unix:/var/run/clamav/clamd.ctl",
	  "clamd socket: unix:/path or tcp:HOST:PORT" },
	{ "clamd.max_filesize", PN_CONF_SIZE, "25M", "largest file sent (clamd's StreamMaxLength)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_CLAMD_MAX_REPLY    8192      /* bytes of a reply kept */
#define PN_CLAMD_MAX_MATCHES  64        /* names kept from one reply */
#define PN_CLAMD_CHUNK        65536     /* INSTREAM chunk */
#define PN_CLAMD_DEFAULT_PORT 3310

#define SIZE_LIMIT_MSG   "INSTREAM size limit exceeded"
#define NAME_LIMITS      "Heuristics.Limits.Exceeded"
#define NAME_ENCRYPTED   "Heuristics.Encrypted"
#define NAME_HEURISTIC   "Heuristics."
#define UNOFFICIAL       ".UNOFFICIAL"

struct clamd {
	struct pn_ext_addr addr;
};

/* ------------------------------------------------------------------------
 * One exchange.
 */

/* Read the reply until EOF, the cap or the deadline; NUL-terminated in *out. */
static int
read_reply(int fd, int64_t deadline, char *out, size_t cap, size_t *len)
{
	int rc = PN_OK;

	*len = 0;
	while (*len < cap - 1) {
		size_t got;

		rc = pn_ext_recv(fd, out + *len, cap - 1 - *len, deadline, &got);
		if (rc != PN_OK || got == 0)
			break;
		*len += got;
	}
	out[*len] = '\0';
	return rc;
}

/* Send the INSTREAM body: every chunk and the terminator. */
static int
send_stream(int fd, const struct pn_scan_target *t, int64_t deadline)
{
	static const uint8_t zero[4];
	uint8_t *buf = NULL;
	size_t off = 0;
	int rc = PN_OK;

	if (t->data == NULL && t->size > 0)
		buf = pn_xmalloc(PN_CLAMD_CHUNK);
	while (off < t->size && rc == PN_OK) {
		size_t n = PN_MIN(t->size - off, (size_t)PN_CLAMD_CHUNK);
		const uint8_t *p = t->data != NULL ? t->data + off : buf;
		struct pollfd pf = { fd, POLLIN, 0 };
		uint8_t hdr[4];

		/*
		 * clamd answers early (size limit) and closes; over TCP, sending
		 * on could draw a reset that discards the answer.
		 */
		if (poll(&pf, 1, 0) > 0) {
			free(buf);
			return PN_EAGAIN;
		}
		if (t->data == NULL) {
			ssize_t r = pread(t->fd, buf, n, (off_t)off);

			if (r <= 0) {
				rc = PN_EIO;
				break;
			}
			n = (size_t)r;
		}
		hdr[0] = (uint8_t)(n >> 24);
		hdr[1] = (uint8_t)(n >> 16);
		hdr[2] = (uint8_t)(n >> 8);
		hdr[3] = (uint8_t)n;
		if ((rc = pn_ext_send(fd, hdr, 4, deadline)) == PN_OK)
			rc = pn_ext_send(fd, p, n, deadline);
		off += n;
	}
	if (rc == PN_OK)
		rc = pn_ext_send(fd, zero, sizeof(zero), deadline);
	free(buf);
	return rc;
}

/*
 * Send cmd (with its NUL) and optionally the stream; read the reply.
 * Returns PN_OK, PN_EIO, PN_ETIMEOUT.  A send that fails after the daemon
 * closed (size limit) still reads what it said.
 */
static int
exchange(const struct clamd *cd, const char *cmd, const struct pn_scan_target *t,
    int64_t deadline, char *reply, size_t cap, size_t *len)
{
	int fd, rc, src;

	*len = 0;
	reply[0] = '\0';
	if ((rc = pn_ext_connect(&cd->addr, deadline, &fd)) != PN_OK) {
		if (rc == PN_EIO)
			log_warn("clamd: connect to %s", cd->addr.text);
		else
			log_warnx("clamd: connect to %s: timed out", cd->addr.text);
		return rc;
	}
	src = pn_ext_send(fd, cmd, strlen(cmd) + 1, deadline);
	if (src == PN_OK && t != NULL)
		src = send_stream(fd, t, deadline);
	if (src == PN_EAGAIN)
		src = PN_OK;     /* an early answer: read it */
	if (src == PN_ETIMEOUT) {
		close(fd);
		return PN_ETIMEOUT;
	}
	rc = read_reply(fd, deadline, reply, cap, len);
	close(fd);
	if (src != PN_OK && *len == 0) {
		log_warnx("clamd: sending to %s failed", cd->addr.text);
		return PN_EIO;
	}
	return rc == PN_ETIMEOUT && *len == 0 ? PN_ETIMEOUT : PN_OK;
}

/* ------------------------------------------------------------------------
 * Replies to verdicts.
 */

struct reply {
	char *names[PN_CLAMD_MAX_MATCHES];   /* in reply order, distinct */
	size_t n, dropped;
	int ok, size_limit;
	char *error;                         /* first ERROR line, or NULL */
	int unknown;                         /* lines that fit no form */
};

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static void
reply_add_name(struct reply *r, const char *s, size_t n)
{
	char *name = pn_ext_label(s, n);
	size_t i;

	if (name == NULL) {
		r->unknown++;
		return;
	}
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->names[i], name) == 0) {
			free(name);
			return;
		}
	}
	if (r->n == PN_CLAMD_MAX_MATCHES) {
		r->dropped++;
		free(name);
		return;
	}
	r->names[r->n++] = name;
}

/* One line: "stream: OK", "stream: NAME FOUND", "...ERROR". */
static void
reply_line(struct reply *r, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	if (n >= 8 && memcmp(s, "stream: ", 8) == 0) {
		s += 8;
		n -= 8;
	} else if (n >= 7 && memcmp(s, "stream:", 7) == 0) {
		s += 7;
		n -= 7;
	}
	if (n == 2 && memcmp(s, "OK", 2) == 0) {
		r->ok = 1;
	} else if (ends_with(s, n, " FOUND")) {
		reply_add_name(r, s, n - 6);
	} else if (ends_with(s, n, "ERROR")) {
		if (n >= strlen(SIZE_LIMIT_MSG) && memmem(s, n, SIZE_LIMIT_MSG,
		    strlen(SIZE_LIMIT_MSG)) != NULL)
			r->size_limit = 1;
		if (r->error == NULL)
			r->error = pn_ext_label(s, n);
	} else
		r->unknown++;
}

/* Split a reply on NULs and newlines. */
static void
reply_parse(const char *buf, size_t len, struct reply *r)
{
	size_t i, start = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i <= len; i++) {
		if (i == len || buf[i] == '\0' || buf[i] == '\n') {
			reply_line(r, buf + start, i - start);
			start = i + 1;
		}
	}
}

static void
reply_free(struct reply *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->error);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char *
strip_unofficial(const char *name)
{
	size_t n = strlen(name);

	if (ends_with(name, n, UNOFFICIAL) && n > strlen(UNOFFICIAL))
		return pn_xstrndup(name, n - strlen(UNOFFICIAL));
	return pn_xstrdup(name);
}

/* Names to category, result, method, details (engines/clamav.c rules). */
static void
names_verdict(const struct reply *r, struct pn_verdict *v)
{
	struct json_object *matches = json_object_new_array();
	struct json_object *limits = json_object_new_array();
	const char *detect = NULL, *encrypted = NULL, *label;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const char *n = r->names[i];

		if (starts_with(n, NAME_LIMITS)) {
			json_object_array_add(limits, json_object_new_string(n));
			continue;
		}
		json_object_array_add(matches, json_object_new_string(n));
		if (starts_with(n, NAME_ENCRYPTED)) {
			if (encrypted == NULL)
				encrypted = n;
		} else if (detect == NULL)
			detect = n;
	}
	v->category = PN_CAT_UNDETECTED;
	label = detect != NULL ? detect : encrypted;
	if (label != NULL) {
		v->category = detect != NULL ? PN_CAT_MALICIOUS : PN_CAT_SUSPICIOUS;
		v->result = strip_unofficial(label);
		if (starts_with(label, NAME_HEURISTIC))
			v->method = pn_xstrdup("heuristic");
	}
	v->details = json_object_new_object();
	json_object_object_add(v->details, "matches", matches);
	if (json_object_array_length(limits) > 0)
		json_object_object_add(v->details, "limits_exceeded", limits);
	else
		json_object_put(limits);
	if (r->dropped > 0)
		json_object_object_add(v->details, "dropped", json_object_new_int64((int64_t)r->dropped));
}

/* ------------------------------------------------------------------------
 * The adapter.
 */

static void
clamd_version(struct pn_engine *e)
{
	struct clamd *cd = e->priv;
	char reply[512];
	size_t len;

	e->version[0] = e->update[0] = '\0';
	if (exchange(cd, "zVERSION", NULL, pn_ext_deadline(e->timeout_s, 10), reply,
	    sizeof(reply), &len) != PN_OK || len == 0) {
		log_warnx("clamd: no version from %s (daemon down?): engine_version unknown",
		    cd->addr.text);
		return;
	}
	pn_ext_clamav_version(reply, e->version, sizeof(e->version), e->update, sizeof(e->update));
}

static int
clamd_setup(struct pn_engine *e, const struct pn_conf *conf)
{
	struct clamd next;
	int rc;

	rc = pn_ext_addr_parse(pn_conf_get(conf, "clamd.address"), PN_CLAMD_DEFAULT_PORT,
	    &next.addr, e->error, sizeof(e->error));
	if (rc != PN_OK) {
		log_warnx("clamd: %s", e->error);
		return rc;
	}
	if (e->priv == NULL)
		e->priv = pn_xcalloc(1, sizeof(struct clamd));
	memcpy(e->priv, &next, sizeof(next));
	e->error[0] = '\0';
	clamd_version(e);
	log_info("clamd: %s at %s, version %s, update %s", e->name, next.addr.text,
	    e->version[0] ? e->version : "?", e->update[0] ? e->update : "?");
	return PN_OK;
}

static int
clamd_init(struct pn_engine *e, const struct pn_conf *conf)
{
	e->priv = NULL;
	e->confine_flags = PN_ENGINE_NEEDS_NET | PN_ENGINE_TYPE_BLIND;
	return clamd_setup(e, conf);
}

static int
clamd_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	return clamd_setup(e, conf);
}

static void
clamd_free(struct pn_engine *e)
{
	free(e->priv);
	e->priv = NULL;
}

static int
clamd_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	const struct clamd *cd = e->priv;
	char *buf;
	size_t len;
	struct reply r;
	int rc;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	if (cd == NULL)
		return PN_EINTERNAL;
	buf = pn_xmalloc(PN_CLAMD_MAX_REPLY);
	rc = exchange(cd, "zINSTREAM", t, pn_ext_deadline(e->timeout_s, 90), buf,
	    PN_CLAMD_MAX_REPLY, &len);
	if (rc == PN_ETIMEOUT) {
		log_warnx("clamd: %s did not answer in time", cd->addr.text);
		v->category = PN_CAT_TIMEOUT;
		free(buf);
		return PN_OK;
	}
	if (rc != PN_OK) {
		free(buf);
		return rc;
	}
	reply_parse(buf, len, &r);
	free(buf);
	if (r.n > 0) {
		names_verdict(&r, v);
	} else if (r.size_limit) {
		v->category = PN_CAT_TYPE_UNSUPPORTED;
		v->details = json_object_new_object();
		json_object_object_add(v->details, "error",
		    json_object_new_string(r.error != NULL ? r.error : SIZE_LIMIT_MSG));
	} else if (r.error != NULL) {
		log_warnx("clamd: %s: %s", cd->addr.text, r.error);
		rc = PN_EINTERNAL;
	} else if (r.ok) {
		v->category = PN_CAT_UNDETECTED;
	} else {
		log_warnx("clamd: %s: unexpected reply (%zu bytes)", cd->addr.text, len);
		rc = PN_EFORMAT;
	}
	reply_free(&r);
	return rc;
}

const struct pn_engine_ops pn_engine_clamd_ops = {
	.kind = "clamd", .init = clamd_init,
	.scan = clamd_scan, .reload = clamd_reload, .free = clamd_free,
};
