/*
 * multipart.h - a streaming push parser for multipart/form-data request
 * bodies (POST /api/v3/files, /files/upload_url targets, /urls).
 *
 * The body is pushed in chunks of any size, as libmicrohttpd hands them
 * over; the parser keeps its whole state in struct pn_mp (no allocation,
 * no recursion) and reports each part through three callbacks:
 *
 *   on_part_begin(ctx, part)  headers of a part parsed: name, filename,
 *                             content type (struct pn_mp_part)
 *   on_part_data(ctx, p, n)   n > 0 bytes of the part's body, in order;
 *                             usually a pointer into the chunk being fed
 *   on_part_end(ctx)          the part's delimiter was seen
 *
 * Feeding the body one byte at a time produces the same events (with the
 * data split differently) as feeding it at once.  Body bytes are never
 * copied or buffered: the parser only holds back the tail of a chunk that
 * could be the start of a delimiter ("\r\n--" boundary, at most
 * PN_MP_MAX_BOUNDARY + 4 bytes), and it holds them as a count, since such
 * bytes equal a prefix of the delimiter.  A 650 MB upload thus costs
 * sizeof(struct pn_mp), about 9 KB, whatever its size.
 *
 * Accepted: a preamble before the first delimiter (up to
 * PN_MP_MAX_PREAMBLE bytes) and any epilogue after the last; transport
 * padding (spaces, tabs) after a boundary; header names in any case;
 * folded header lines; CRLF or bare LF line ends in part headers; and
 * bodies whose delimiter lines all end in bare LF (decided by the line
 * end of the first delimiter).
 *
 * Limits: PN_MP_MAX_BOUNDARY, PN_MP_MAX_HEADER_BYTES (one part's header
 *   block, its empty line included), PN_MP_MAX_PARTS, PN_MP_MAX_FILENAME
 *   (lib/pn_limits.h); PN_MP_MAX_PREAMBLE, PN_MP_MAX_CONTENT_TYPE
 *   (here).  Field values are not limited here: the
 *   caller's on_part_data caps them (PN_MP_MAX_FIELD_VALUE).
 * Errors: PN_EFORMAT for malformed input (bad Content-Type, garbage after
 *   a boundary, a part without Content-Disposition form-data and name,
 *   a truncated body), PN_ELIMIT for an exceeded limit, or the nonzero
 *   value a callback returned.  Errors are sticky; mp->error then holds a
 *   short lower-case text fit for an API BadRequestError message.
 * Spec: RFC 2046 §5.1 (multipart), RFC 7578 (form-data), RFC 6266 /
 *   RFC 2616 §2.2 (quoted-string), RFC 5322 §2.2.3 (folding).
 * See also: tests/unit/test_multipart.c, tests/fuzz/fuzz_multipart.c,
 *   docs/internals/fuzzing.md.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_MULTIPART_H
#define PN_MULTIPART_H

#include <stddef.h>

#include "pn_limits.h"

/* Bytes before the first part's headers (preamble, first delimiter line). */
#define PN_MP_MAX_PREAMBLE      65536

/* The request's Content-Type header value, parsed on the stack. */
#define PN_MP_MAX_CONTENT_TYPE  511

/* "\r\n--" + boundary */
#define PN_MP_DELIM_MAX         (4 + PN_MP_MAX_BOUNDARY)

/*
 * One part's headers, as on_part_begin sees them.  Every string is
 * NUL-terminated and borrowed from the parser: valid until on_part_end
 * (or an error) returns.
 */
struct pn_mp_part {
	const char *name;          /* name= parameter, unquoted; never NULL */
	const char *filename;      /* filename= parameter as sent (directories
	                              included), unquoted; NULL when absent */
	const char *content_type;  /* Content-Type value, trimmed; NULL when absent */
	unsigned index;            /* 0 for the first part */
};

struct pn_mp {
	/* Set by the caller after pn_mp_init(); NULL callbacks are skipped. */
	int (*on_part_begin)(void *ctx, const struct pn_mp_part *part);
	int (*on_part_data)(void *ctx, const char *data, size_t len);
	int (*on_part_end)(void *ctx);
	void *ctx;

	/* Read-only for the caller. */
	const char *error;         /* what went wrong; NULL while all is well */
	int err;                   /* sticky error code, PN_OK while all is well */
	unsigned nparts;           /* parts begun so far */

	/* Private. */
	int state;                 /* enum in multipart.c */
	int first;                 /* no delimiter seen yet */
	size_t match;              /* delimiter bytes matched at the chunk's end */
	size_t doff;               /* 0: delimiter "\r\n--B"; 1: "\n--B" */
	size_t dlen;               /* length of delim */
	size_t skipped;            /* bytes before the first part's headers */
	size_t hdr_len;            /* bytes in hdr */
	size_t line_start;         /* offset in hdr of the current header line */
	char delim[PN_MP_DELIM_MAX + 1];     /* "\r\n--" boundary */
	char hdr[PN_MP_MAX_HEADER_BYTES + 1]; /* current header block */
	char errbuf[128];          /* backs error */
};

/*
 * Prepare mp for a body whose request had the Content-Type header value
 * content_type ("multipart/form-data; boundary=..."): clears *mp, then
 * extracts the boundary (quoted or not; 1..PN_MP_MAX_BOUNDARY characters
 * of RFC 2046 §5.1.1 bchars, not ending in a space).  Set the callbacks
 * and ctx afterwards.  Returns PN_OK, or PN_EFORMAT (with mp->error) when
 * content_type is NULL, longer than PN_MP_MAX_CONTENT_TYPE, not
 * multipart/form-data, or has no valid boundary.
 */
int pn_mp_init(struct pn_mp *mp, const char *content_type);

/*
 * Parse the next len bytes of the body.  Every byte is consumed (some may
 * be held back until the next call decides whether they open a
 * delimiter).  Returns PN_OK, or the sticky error: PN_EFORMAT, PN_ELIMIT
 * or a callback's nonzero return value.  Bytes after the closing
 * delimiter are ignored.
 */
int pn_mp_feed(struct pn_mp *mp, const char *data, size_t len);

/*
 * The body has ended.  Returns PN_OK if the closing delimiter
 * "--boundary--" was seen, the sticky error if there was one, and
 * PN_EFORMAT ("truncated") otherwise.  No callback is called.
 */
int pn_mp_finish(struct pn_mp *mp);

/* Nonzero once the closing delimiter has been seen. */
int pn_mp_done(const struct pn_mp *mp);

#endif
