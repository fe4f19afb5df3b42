/*
 * zipread.h - a small bounded ZIP reader over a buffer: the central
 * directory (with ZIP64 end records and extra fields) and stored or
 * deflated members (zlib raw inflate), for parsers that need a few
 * members of a ZIP-based format (OOXML here).  General archive listing
 * and extraction is the archive parser's job (libarchive); this reader
 * exists so the OOXML parser can look members up by name and read them
 * with per-member and total output budgets.
 *
 * pn_zip_open() finds the end of central directory record in the last
 * 64 KiB + 22 bytes, reads up to PN_ZIP_MAX_ENTRIES central entries and
 * keeps their names (NUL-terminated, invalid UTF-8 replaced) and sizes.
 * Data before the archive (self-extractors) is allowed for: when the
 * central directory is not at its recorded offset but right before the
 * end record, every offset is shifted by the difference, as Info-ZIP does.
 * Members are read through their local header (its name and extra lengths
 * are taken from it) with the compressed size of the central directory.
 *
 * Budgets: pn_zip_read() stops at its caller's max, at a compression ratio
 * above PN_ZIP_MAX_RATIO once PN_ZIP_RATIO_FLOOR bytes are out, and when
 * the bytes inflated through one handle reach PN_ZIP_MAX_TOTAL (zip bombs,
 * including overlapping members, are bounded by that total).
 *
 * Ownership: the input buffer is borrowed and must outlive the handle;
 * entry names belong to the handle; read buffers belong to the caller.
 * Errors: pn_zip_open(): PN_EFORMAT (no usable end record / central
 * directory), PN_ELIMIT (more entries than the limit: the first ones are
 * kept and the handle is usable).  pn_zip_read(): see below.
 * Spec: PKWARE APPNOTE.TXT 6.3.10 (4.3.6 local header, 4.3.12 central
 * header, 4.3.14-4.3.16 ZIP64 and end records, 4.5.3 ZIP64 extra field).
 * See also: ooxml.c, docs/internals/office.md, tests/unit/test_ooxml.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_ZIPREAD_H
#define PN_ZIPREAD_H

#include "pn.h"

#define PN_ZIP_MAX_ENTRIES   16384          /* central directory entries read */
#define PN_ZIP_MAX_RATIO     200            /* inflated : compressed, past the floor */
#define PN_ZIP_RATIO_FLOOR   (1u << 20)     /* bytes out before the ratio applies */
#define PN_ZIP_MAX_TOTAL     (256u << 20)   /* bytes inflated through one handle */

struct pn_zip_entry {
	char *name;          /* UTF-8, NUL-terminated, owned by the handle */
	uint16_t flags;      /* general purpose bits (bit 0: encrypted) */
	uint16_t method;     /* 0 stored, 8 deflated, others unsupported */
	uint32_t crc32;
	uint64_t csize;      /* compressed size */
	uint64_t usize;      /* declared uncompressed size */
	uint64_t offset;     /* local header offset (shift applied) */
};

struct pn_zip {
	const uint8_t *data; /* the archive, borrowed */
	size_t size;
	struct pn_zip_entry *entries;
	size_t count;
	uint64_t declared;   /* entries the end record announces */
	uint64_t inflated;   /* bytes produced by pn_zip_read() so far */
	int64_t shift;       /* bytes of data before the archive */
};

/*
 * Read the central directory of data[0..size) into *z (release with
 * pn_zip_close() whatever the result).  Returns PN_OK, PN_ELIMIT (first
 * PN_ZIP_MAX_ENTRIES kept) or PN_EFORMAT (a truncated or malformed central
 * directory: the entries before the damage are kept; none when there is
 * no end record).
 */
int pn_zip_open(const uint8_t *data, size_t size, struct pn_zip *z);
void pn_zip_close(struct pn_zip *z);

/* Index of the entry named name (ASCII case-insensitive, a leading "/" ignored) or -1. */
long pn_zip_find(const struct pn_zip *z, const char *name);

/*
 * Read entry i into a new buffer *out of *outlen bytes (caller frees; NULL
 * when empty), at most max bytes.  Returns PN_OK (whole member, CRC
 * checked); PN_ELIMIT (cut at max, at the ratio limit or at the handle's
 * total: the bytes produced are returned); PN_EFORMAT (bad local header,
 * member outside the archive, inflate error or CRC mismatch: bytes
 * produced are returned); PN_EPERM (encrypted); PN_EINVAL (unsupported
 * method or bad index).
 */
int pn_zip_read(struct pn_zip *z, size_t i, size_t max, uint8_t **out, size_t *outlen);

/* Quick test: is data a ZIP with a member named name?  (Reads the central directory.) */
int pn_zip_has(const uint8_t *data, size_t size, const char *name);

#endif
