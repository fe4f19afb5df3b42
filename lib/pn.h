/*
 * pn.h - the common vocabulary of every Panoptes module: error codes,
 * aborting allocators, logging and small helpers.
 *
 * Errors: functions return int, 0 on success, a negative PN_E* code on
 * failure and, where useful, a positive count.  pn_strerror() names a code.
 * OOM policy: pn_xmalloc() and friends abort with the size; every size that
 * comes from input is checked against a named limit (lib/pn_limits.h) first, so
 * running out of memory means the host is out of memory.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_H
#define PN_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#include "banned.h"

enum {
	PN_OK = 0,
	PN_ENOMEM = -1,     /* allocation failed (only where we do not abort) */
	PN_EFORMAT = -2,    /* malformed input */
	PN_ELIMIT = -3,     /* input exceeds a named limit */
	PN_EIO = -4,        /* read/write/fsync failed; errno is kept */
	PN_ENOTFOUND = -5,  /* no such object */
	PN_EINVAL = -6,     /* bad argument value */
	PN_EAGAIN = -7,     /* incomplete: feed more input */
	PN_EEXIST = -8,     /* already exists */
	PN_ETIMEOUT = -9,   /* deadline passed */
	PN_EINTERNAL = -10, /* a dependency failed (database, library) */
	PN_EBUSY = -11,     /* resource locked by someone else */
	PN_EPERM = -12      /* not allowed */
};

const char *pn_strerror(int err);

/* Aborting allocators: never return NULL. */
void *pn_xmalloc(size_t n);
void *pn_xcalloc(size_t nmemb, size_t size);
void *pn_xrealloc(void *p, size_t n);
char *pn_xstrdup(const char *s);
char *pn_xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *pn_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Logging to stderr, one line each, prefixed with time, pid and level. */
enum pn_log_level { PN_LOG_DEBUG, PN_LOG_INFO, PN_LOG_WARN, PN_LOG_ERROR };
void pn_log_set_level(enum pn_log_level lvl);
void pn_log_set_tag(const char *tag); /* e.g. "serve", "worker" */
void pn_log(enum pn_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_debug(...) pn_log(PN_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  pn_log(PN_LOG_INFO, __VA_ARGS__)
#define log_warnx(...) pn_log(PN_LOG_WARN, __VA_ARGS__)
#define log_errx(...)  pn_log(PN_LOG_ERROR, __VA_ARGS__)
/* log_warn appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Broken invariants only, never reachable from input. */
#define PN_BUG(msg) pn_bug(__FILE__, __LINE__, (msg))
void pn_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

#define PN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PN_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Safe string helpers (strcpy/strcat/sprintf are banned). */
size_t pn_strlcpy(char *dst, const char *src, size_t size);
/* Parse a decimal integer in [min,max]; whole string must be consumed. */
int pn_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void pn_hex(const uint8_t *in, size_t len, char *out);
int pn_is_hex(const char *s, size_t len);
/* Wall-clock seconds and monotonic milliseconds. */
int64_t pn_now(void);
int64_t pn_mono_ms(void);
/*
 * A file or directory shipped with Panoptes: rel (e.g. "engines/sigs") next
 * to the binary's build tree (<exe>/../rel) or in an installed tree
 * (<exe>/../share/panoptes/rel).  PN_OK with the absolute path, or PN_ENOTFOUND.
 */
int pn_builtin_path(const char *rel, char *out, size_t len);
/* write(2) all n bytes, retrying on EINTR; PN_EIO (errno kept) on failure. */
int pn_write_all(int fd, const void *p, size_t n);
/* n random bytes from getrandom(2); aborts if the kernel cannot supply them. */
void pn_random(void *buf, size_t n);

/* Little/big endian reads from a byte pointer (no struct casts on buffers). */
static inline uint16_t pn_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t pn_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t pn_le64(const uint8_t *p) { return pn_le32(p) | (uint64_t)pn_le32(p + 4) << 32; }
static inline uint16_t pn_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t pn_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

#endif
