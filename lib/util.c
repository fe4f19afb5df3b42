/*
 * util.c - error names, aborting allocators, logging and small helpers
 * shared by every module (see pn.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

const char *
pn_strerror(int err)
{
	switch (err) {
	case PN_OK: return "success";
	case PN_ENOMEM: return "out of memory";
	case PN_EFORMAT: return "malformed input";
	case PN_ELIMIT: return "limit exceeded";
	case PN_EIO: return "input/output error";
	case PN_ENOTFOUND: return "not found";
	case PN_EINVAL: return "invalid argument";
	case PN_EAGAIN: return "incomplete input";
	case PN_EEXIST: return "already exists";
	case PN_ETIMEOUT: return "timed out";
	case PN_EINTERNAL: return "internal error";
	case PN_EBUSY: return "busy";
	case PN_EPERM: return "not permitted";
	}
	return "unknown error";
}

static void
oom(size_t n)
{
	fprintf(stderr, "panoptes: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
pn_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *
pn_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
pn_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

char *
pn_xstrdup(const char *s)
{
	return pn_xstrndup(s, strlen(s));
}

char *
pn_xstrndup(const char *s, size_t n)
{
	char *p = pn_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
pn_xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		PN_BUG("vsnprintf failed");
	p = pn_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---------------------------------------------------------------- log */

static _Atomic int log_level = PN_LOG_INFO;
static char log_tag[16] = "panoptes";

void pn_log_set_level(enum pn_log_level lvl) { log_level = lvl; }
void pn_log_set_tag(const char *tag) { pn_strlcpy(log_tag, tag, sizeof(log_tag)); }

static void
vlog(enum pn_log_level lvl, const char *suffix, const char *fmt, va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char msg[2048], ts[32];
	struct timespec now;
	struct tm tm;

	if ((int)lvl < log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One write per line so that lines of concurrent processes do not mix. */
	fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s%s%s\n", ts, now.tv_nsec / 1000000L,
	    log_tag, (long)getpid(), names[lvl], msg, suffix ? ": " : "",
	    suffix ? suffix : "");
}

void
pn_log(enum pn_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(lvl, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);
	va_start(ap, fmt);
	vlog(PN_LOG_WARN, e, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);
	va_start(ap, fmt);
	vlog(PN_LOG_ERROR, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(PN_LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

void
pn_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "panoptes: BUG at %s:%d: %s\n", file, line, msg);
	abort();
}

/* ------------------------------------------------------------- strings */

size_t
pn_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size > 0) {
		size_t m = n < size - 1 ? n : size - 1;
		memcpy(dst, src, m);
		dst[m] = '\0';
	}
	return n;
}

int
pn_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return PN_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return PN_EINVAL;
	*out = v;
	return PN_OK;
}

void
pn_hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int
pn_is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

int64_t
pn_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
pn_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pn_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return PN_EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	return PN_OK;
}

int
pn_builtin_path(const char *rel, char *out, size_t len)
{
	static const char *const roots[] = { "/../", "/../share/panoptes/" };
	char exe[PATH_MAX], cand[2 * PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	size_t i;

	if (n <= 0)
		return PN_ENOTFOUND;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < PN_ARRAY_LEN(roots); i++) {
		snprintf(cand, sizeof(cand), "%s%s%s", exe, roots[i], rel);
		if (realpath(cand, real) != NULL && strlen(real) < len) {
			pn_strlcpy(out, real, len);
			return PN_OK;
		}
	}
	return PN_ENOTFOUND;
}

void
pn_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += r;
		n -= (size_t)r;
	}
}
