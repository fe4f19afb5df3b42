/*
 * ole.h - a reader for OLE2 compound files ([MS-CFB] Compound File Binary
 * Format: .doc, .xls, .ppt, .msi, vbaProject.bin, embedded objects) and
 * the "ole" parser that turns one into the office_info / ole_info
 * attributes of a file report.
 *
 * pn_ole_open() reads the header, the FAT (through the header DIFAT and
 * the DIFAT chain), the directory chain, the mini FAT and the mini stream
 * chain, then walks the red-black trees of the directory iteratively from
 * the root storage with a visited set, so every entry gets its parent
 * storage and a depth once, whatever loops the file draws.  The input
 * bytes are borrowed (never copied): they must outlive the handle.
 * Streams are read with pn_ole_read() into a new buffer.
 *
 * Every chain (FAT, DIFAT, mini FAT, directory, mini stream, streams) is
 * followed with a bound (its declared length, the number of sectors in the
 * file) and a visited check; sectors outside the file end it.  Anomalies
 * do not stop the reader: they are kept as notes (pn_ole_note()) and the
 * parts that could be read stay usable.
 *
 * Limits: PN_OLE_MAX_ENTRIES directory entries read, PN_OLE_MAX_DEPTH
 * storage nesting, PN_OLE_MAX_NOTES notes kept, PN_OLE_MAX_LISTED entries
 * listed in office_info.entries, PN_OLE_MAX_PROPS / PN_OLE_MAX_PROP_STR for
 * the (Document)SummaryInformation property sets, PN_OLE_MAX_OBJECTS
 * embedded objects described; stream reads are capped by their caller.
 * Errors: pn_ole_open() returns PN_EFORMAT when the header is unusable
 * (no handle), otherwise PN_OK with notes for what was skipped.
 * Spec: [MS-CFB] v20230425 (2.2 header, 2.3 sector numbers, 2.5 DIFAT,
 * 2.6 directory, 2.3/2.4 FAT and mini FAT); [MS-OLEPS] for the property
 * sets; [MS-OLEDS] 2.3.6 for \x01Ole10Native.
 * See also: vba.h (macros), docs/internals/office.md, tests/unit/test_ole.c,
 * tests/fuzz/fuzz_ole.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_OLE_H
#define PN_OLE_H

#include "pn.h"

#define PN_OLE_MAX_ENTRIES   16384  /* directory entries read (128 bytes each) */
#define PN_OLE_MAX_DEPTH     32     /* storages nested in storages */
#define PN_OLE_MAX_NOTES     16     /* anomalies kept per file */
#define PN_OLE_MAX_NOTE      160    /* bytes of one note */
#define PN_OLE_MAX_NAME      128    /* UTF-8 bytes of an entry name (32 UTF-16 units) */
#define PN_OLE_MAX_PATH      1024   /* bytes of a path built by pn_ole_path() */
#define PN_OLE_MAX_LISTED    512    /* entries listed in office_info.entries */
#define PN_OLE_MAX_PROP_SET  (1u << 20) /* bytes of a property-set stream read */
#define PN_OLE_MAX_PROPS     256    /* properties looked at per property set */
#define PN_OLE_MAX_PROP_STR  1024   /* bytes of a string property kept */
#define PN_OLE_MAX_OBJECTS   32     /* Ole10Native objects described */
#define PN_OLE_MAX_OBJECT    (64u << 20) /* bytes of an Ole10Native stream read */

#define PN_OLE_NOSTREAM      0xFFFFFFFFu /* [MS-CFB] 2.6.3 NOSTREAM */

/* Directory entry object types ([MS-CFB] 2.6.1). */
enum pn_ole_type {
	PN_OLE_UNUSED = 0,
	PN_OLE_STORAGE = 1,
	PN_OLE_STREAM = 2,
	PN_OLE_ROOT = 5
};

struct pn_ole_entry {
	char name[PN_OLE_MAX_NAME];  /* UTF-16 name as UTF-8 (U+FFFD for bad units) */
	uint8_t type;                /* enum pn_ole_type; other values read as PN_OLE_UNUSED */
	uint32_t left, right, child; /* sibling and child ids as read */
	uint8_t clsid[16];           /* as stored (mixed-endian GUID) */
	uint32_t start;              /* first sector (mini sector when in the mini stream) */
	uint64_t size;               /* stream size (high half ignored in version 3) */
	uint64_t ctime, mtime;       /* FILETIMEs, 0 when not set */
	uint32_t parent;             /* storage holding it, PN_OLE_NOSTREAM for the root */
	uint8_t depth;               /* 0 root, 1 its children, ... */
	uint8_t reachable;           /* found by the tree walk */
};

struct pn_ole;

/*
 * Open the compound file data[0..size).  The bytes are borrowed and must
 * stay valid until pn_ole_free().  Returns PN_OK and a new handle in *out
 * (caller frees with pn_ole_free()) or PN_EFORMAT (not a compound file, or
 * a header nothing can be read with; *out is NULL).
 */
int pn_ole_open(const uint8_t *data, size_t size, struct pn_ole **out);
void pn_ole_free(struct pn_ole *ole);

/* Header fields: major version (3 or 4) and sector size in bytes. */
unsigned pn_ole_version(const struct pn_ole *ole);
unsigned pn_ole_sector_size(const struct pn_ole *ole);

/* Number of directory entries read; entry i (borrowed; NULL if i is out of range). */
uint32_t pn_ole_count(const struct pn_ole *ole);
const struct pn_ole_entry *pn_ole_entry(const struct pn_ole *ole, uint32_t i);

/*
 * The i-th entry in walk order (root first, then each storage's children
 * in the order of its tree), i < pn_ole_reachable(); returns an entry id.
 */
uint32_t pn_ole_reachable(const struct pn_ole *ole);
uint32_t pn_ole_order(const struct pn_ole *ole, uint32_t i);

/*
 * The child of storage `parent` named `name` (ASCII letters compared
 * without case, as [MS-CFB] 2.6.4 compares upper-cased names).  Returns
 * the entry id, or PN_OLE_NOSTREAM.
 */
uint32_t pn_ole_child(const struct pn_ole *ole, uint32_t parent, const char *name);

/*
 * The path of entry id below the root ("Macros/VBA/dir"; "" for the root)
 * into out (truncated to outlen - 1 bytes, always NUL-terminated).
 */
void pn_ole_path(const struct pn_ole *ole, uint32_t id, char *out, size_t outlen);

/*
 * Read stream id (a stream, or the root entry's mini stream) into a new
 * buffer *out of *outlen bytes (caller frees; NULL when *outlen is 0), at
 * most max bytes.  Returns PN_OK; PN_ELIMIT when the stream is longer than
 * max (the first max bytes are returned); PN_EFORMAT when its chain is
 * broken or its size is more than the file holds (the bytes read before
 * the break are returned, and a note is added); PN_EINVAL for an entry
 * that is not a stream.  Not const: reading marks sectors and adds notes.
 */
int pn_ole_read(struct pn_ole *ole, uint32_t id, size_t max,
    uint8_t **out, size_t *outlen);

/* Anomalies seen: count and text of note i (borrowed). */
unsigned pn_ole_notes(const struct pn_ole *ole);
const char *pn_ole_note(const struct pn_ole *ole, unsigned i);

/*
 * Describe what the file embeds into the JSON object info: "clsid" and
 * "clsid_literal" of the root storage, "ole10native" (a list of
 * {stream_path, label, source_path, temp_path, size, sha256, executable}
 * for each \x01Ole10Native stream, PN_OLE_MAX_OBJECTS at most),
 * "equation_editor": true (an Equation Editor 2.0/3.0 object or an
 * "Equation Native" stream) and "encrypted": true (EncryptionInfo and
 * EncryptedPackage streams: an encrypted OOXML package; tag "encrypted").
 * Notes and tags go to p.  Used by the ole parser and for OLE objects
 * embedded in OOXML packages.  Returns PN_OK, or PN_EFORMAT when a note
 * was added.
 */
struct json_object;
struct pn_parse;
int pn_ole_describe(struct pn_ole *ole, struct json_object *info, struct pn_parse *p);

/* "00020906-0000-0000-c000-000000000046" from 16 stored bytes (out: 37 bytes). */
void pn_ole_clsid_str(const uint8_t clsid[16], char out[37]);

/*
 * Text helpers shared with vba.c.  pn_ole_utf16() decodes `units` UTF-16LE
 * code units at in (stopping at a NUL unit) into out as NUL-terminated
 * UTF-8, truncated at a character boundary to fit outlen bytes; unpaired
 * surrogates become U+FFFD.  Returns the bytes written (without the NUL).
 * pn_ole_mbcs() returns a new NUL-terminated UTF-8 string (caller frees)
 * for n bytes of text in Windows code page `codepage`: UTF-8 for 65001,
 * otherwise read as windows-1252 (which is Latin-1 with printable
 * 0x80-0x9F; other code pages come out as their Latin-1 look-alikes, the
 * way VirusTotal shows them); NUL bytes and invalid UTF-8 become U+FFFD.
 */
size_t pn_ole_utf16(const uint8_t *in, size_t units, char *out, size_t outlen);
/*
 * Copy UTF-8 src into out, at most outlen - 1 bytes, cut before a
 * character that would not fit whole (notes and names are cut this way so
 * that they stay valid UTF-8).  Returns the bytes copied.
 */
size_t pn_ole_utf8_cut(char *out, size_t outlen, const char *src);
char *pn_ole_mbcs(const uint8_t *in, size_t n, unsigned codepage);

#endif
