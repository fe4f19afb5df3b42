/*
 * external.c - helpers shared by the adapters of engines that run outside
 * Panoptes (clamd, ICAP, command line): address parsing and name
 * resolution at init, non-blocking sockets with absolute deadlines, labels
 * cleaned for reports, ClamAV version strings.
 *
 * Ownership and errors: see external.h.  Sockets are non-blocking and
 * close-on-exec; every wait is a poll() bounded by the caller's deadline,
 * so a daemon that stops answering costs at most the engine's timeout.
 * See also: docs/internals/external-engines.md, tests/unit/test_external.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "external.h"
#include "conf.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Addresses.
 */

static int
addr_unix(const char *path, struct pn_ext_addr *a, char *err, size_t errlen)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;

	if (*path == '\0' || strlen(path) >= sizeof(un->sun_path)) {
		snprintf(err, errlen, "unix socket path empty or longer than %zu bytes",
		    sizeof(un->sun_path) - 1);
		return PN_EINVAL;
	}
	un->sun_family = AF_UNIX;
	pn_strlcpy(un->sun_path, path, sizeof(un->sun_path));
	a->salen = (socklen_t)sizeof(*un);
	return PN_OK;
}

/* Split "HOST:PORT" / "[V6]:PORT" / "HOST" into host and port text. */
static int
split_host_port(const char *s, char *host, size_t hostlen, const char **port)
{
	const char *colon;
	size_t n;

	*port = NULL;
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return PN_EINVAL;
		n = (size_t)(close - s - 1);
		if (close[1] == ':')
			*port = close + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon)
			return PN_EINVAL;   /* bare IPv6 without brackets */
		n = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (colon != NULL)
			*port = colon + 1;
	}
	if (n == 0 || n >= hostlen)
		return PN_EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	return PN_OK;
}

static int
addr_tcp(const char *spec, int def_port, struct pn_ext_addr *a, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char host[256], portbuf[16];
	const char *port;
	int64_t pnum = def_port;
	int rc;

	if (split_host_port(spec, host, sizeof(host), &port) != PN_OK) {
		snprintf(err, errlen, "bad address \"%s\" (want HOST:PORT or [V6]:PORT)", spec);
		return PN_EINVAL;
	}
	if (port != NULL && pn_parse_i64(port, 1, 65535, &pnum) != PN_OK) {
		snprintf(err, errlen, "bad port in \"%s\"", spec);
		return PN_EINVAL;
	}
	if (pnum <= 0) {
		snprintf(err, errlen, "no port in \"%s\"", spec);
		return PN_EINVAL;
	}
	snprintf(portbuf, sizeof(portbuf), "%d", (int)pnum);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, portbuf, &hints, &res)) != 0 || res == NULL) {
		snprintf(err, errlen, "cannot resolve \"%s\": %s", host, gai_strerror(rc));
		return PN_EINVAL;
	}
	if (res->ai_addrlen > sizeof(a->sa)) {
		freeaddrinfo(res);
		snprintf(err, errlen, "address of \"%s\" too long", host);
		return PN_EINVAL;
	}
	memcpy(&a->sa, res->ai_addr, res->ai_addrlen);
	a->salen = res->ai_addrlen;
	freeaddrinfo(res);
	return PN_OK;
}

int
pn_ext_addr_parse(const char *spec, int def_port, struct pn_ext_addr *a,
    char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (spec == NULL || *spec == '\0') {
		snprintf(err, errlen, "no address configured");
		return PN_EINVAL;
	}
	if (strlen(spec) >= sizeof(a->text)) {
		snprintf(err, errlen, "address longer than %zu bytes", sizeof(a->text) - 1);
		return PN_EINVAL;
	}
	pn_strlcpy(a->text, spec, sizeof(a->text));
	if (strncmp(spec, "unix:", 5) == 0)
		return addr_unix(spec + 5, a, err, errlen);
	if (spec[0] == '/')
		return addr_unix(spec, a, err, errlen);
	if (strncmp(spec, "tcp:", 4) == 0)
		spec += 4;
	return addr_tcp(spec, def_port, a, err, errlen);
}

/* ------------------------------------------------------------------------
 * Sockets with deadlines.
 */

int64_t
pn_ext_deadline(int timeout_s, int pct)
{
	int64_t ms = (int64_t)(timeout_s > 0 ? timeout_s : 1) * 10 * pct;

	return pn_mono_ms() + PN_MAX(ms, 1000);
}

/* Wait for events on fd until deadline: PN_OK, PN_ETIMEOUT or PN_EIO. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { fd, events, 0 };
		int64_t left = deadline - pn_mono_ms();
		int r;

		if (left <= 0)
			return PN_ETIMEOUT;
		r = poll(&p, 1, (int)PN_MIN(left, INT32_MAX));
		if (r > 0)
			return PN_OK;
		if (r == 0)
			return PN_ETIMEOUT;
		if (errno != EINTR)
			return PN_EIO;
	}
}

int
pn_ext_connect(const struct pn_ext_addr *a, int64_t deadline, int *fd)
{
	int64_t cap = pn_mono_ms() + PN_EXT_CONNECT_MS;
	int s, rc, soerr = 0;
	socklen_t len = sizeof(soerr);

	*fd = -1;
	if (cap < deadline)
		deadline = cap;
	s = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return PN_EIO;
	if (connect(s, (const struct sockaddr *)&a->sa, a->salen) == 0)
		goto ok;
	if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR) {
		rc = PN_EIO;
		goto fail;
	}
	if ((rc = wait_fd(s, POLLOUT, deadline)) != PN_OK)
		goto fail;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
		if (soerr != 0)
			errno = soerr;
		rc = PN_EIO;
		goto fail;
	}
ok:
	*fd = s;
	return PN_OK;
fail:
	{
		int saved = errno;

		close(s);
		errno = saved;
	}
	return rc;
}

int
pn_ext_send(int fd, const void *p, size_t n, int64_t deadline)
{
	const uint8_t *q = p;
	int rc;

	while (n > 0) {
		ssize_t w = send(fd, q, n, MSG_NOSIGNAL);

		if (w > 0) {
			q += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return PN_EIO;
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != PN_OK)
			return rc;
	}
	return PN_OK;
}

int
pn_ext_recv(int fd, void *p, size_t n, int64_t deadline, size_t *got)
{
	int rc;

	*got = 0;
	if (n == 0)
		return PN_EINVAL;
	for (;;) {
		ssize_t r = recv(fd, p, n, 0);

		if (r >= 0) {
			*got = (size_t)r;
			return PN_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return PN_EIO;
		if ((rc = wait_fd(fd, POLLIN, deadline)) != PN_OK)
			return rc;
	}
}

/* ------------------------------------------------------------------------
 * Labels and versions.
 */

char *
pn_ext_label(const char *s, size_t n)
{
	char *c = pn_utf8_clean(s, n), *p, *start, *end;
	size_t len;

	for (p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	start = c;
	while (*start == ' ')
		start++;
	end = start + strlen(start);
	while (end > start && end[-1] == ' ')
		end--;
	len = (size_t)(end - start);
	if (len > PN_EXT_MAX_LABEL) {
		len = PN_EXT_MAX_LABEL;
		/* Do not cut a UTF-8 sequence: back up over continuation bytes. */
		while (len > 0 && ((unsigned char)start[len] & 0xc0) == 0x80)
			len--;
	}
	if (len == 0) {
		free(c);
		return NULL;
	}
	memmove(c, start, len);
	c[len] = '\0';
	return c;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
pn_ext_strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int x = lower((unsigned char)*a), y = lower((unsigned char)*b);

		if (x != y || x == 0)
			return x - y;
	}
	return 0;
}

int
pn_ext_strcasecmp(const char *a, const char *b)
{
	return pn_ext_strncasecmp(a, b, SIZE_MAX);
}

void
pn_ext_date(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (len > 0)
		out[0] = '\0';
	if (t > 0 && gmtime_r(&tt, &tm) != NULL)
		strftime(out, len, "%Y%m%d", &tm);
}

/* "Mon Dec  1 09:26:53 2025" (ctime without newline) to "20251201". */
static void
ctime_date(const char *s, char *upd, size_t updlen)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int64_t day, year;
	char dbuf[8], ybuf[8];
	const char *p = s, *m;
	size_t n;

	/* weekday, month, day, time, year: fields separated by spaces. */
	while (*p == ' ')
		p++;
	p += strcspn(p, " ");                           /* weekday */
	while (*p == ' ')
		p++;
	if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != 3)
		return;
	memcpy(mon, p, 3);
	mon[3] = '\0';
	p += 3;
	while (*p == ' ')
		p++;
	n = strspn(p, "0123456789");
	if (n == 0 || n >= sizeof(dbuf))
		return;
	memcpy(dbuf, p, n);
	dbuf[n] = '\0';
	p += n;
	while (*p == ' ')
		p++;
	p += strcspn(p, " ");                           /* time */
	while (*p == ' ')
		p++;
	n = strspn(p, "0123456789");
	if (n != 4)
		return;
	memcpy(ybuf, p, n);
	ybuf[n] = '\0';
	if ((m = strstr(months, mon)) == NULL || (m - months) % 3 != 0 ||
	    pn_parse_i64(dbuf, 1, 31, &day) != PN_OK ||
	    pn_parse_i64(ybuf, 1970, 9999, &year) != PN_OK)
		return;
	snprintf(upd, updlen, "%04d%02d%02d", (int)year, (int)((m - months) / 3 + 1), (int)day);
}

int
pn_ext_clamav_version(const char *s, char *ver, size_t verlen, char *upd, size_t updlen)
{
	const char *p = s, *slash1, *slash2;
	size_t n = strcspn(s, "\r\n");
	char line[512];

	if (updlen > 0)
		upd[0] = '\0';
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "ClamAV ", 7) != 0) {
		char *l = pn_ext_label(p, strlen(p));

		pn_strlcpy(ver, l != NULL ? l : "", verlen);
		free(l);
		return PN_OK;
	}
	p += 7;
	slash1 = strchr(p, '/');
	slash2 = slash1 != NULL ? strchr(slash1 + 1, '/') : NULL;
	if (slash2 == NULL) {
		char *l = pn_ext_label(p, strlen(p));

		pn_strlcpy(ver, l != NULL ? l : "", verlen);
		free(l);
		return PN_OK;
	}
	snprintf(ver, verlen, "%.*s", (int)(slash2 - p), p);
	ctime_date(slash2 + 1, upd, updlen);
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * Engine rows named by an option.
 */

int
pn_ext_one_instance(const struct pn_conf *conf, const char *name_key, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	struct pn_engine_instance *v = pn_xcalloc(1, sizeof(*v));
	const char *name = pn_conf_get(conf, name_key);
	char *clean = name != NULL ? pn_ext_label(name, strlen(name)) : NULL;

	pn_strlcpy(v->name, clean != NULL ? clean : prefix, sizeof(v->name));
	free(clean);
	v->arg = NULL;
	*out = v;
	*n = 1;
	return PN_OK;
}

int
pn_clamd_instances(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	return pn_ext_one_instance(conf, "clamd.name", prefix, out, n);
}

int
pn_icap_instances(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	return pn_ext_one_instance(conf, "icap.name", prefix, out, n);
}

int
pn_cmdline_instances(const struct pn_conf *conf, const char *prefix,
    struct pn_engine_instance **out, size_t *n)
{
	return pn_ext_one_instance(conf, "cmdline.name", prefix, out, n);
}
