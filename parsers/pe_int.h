/*
 * pe_int.h - what the pe*.c files share and nobody else uses: the parse
 * context, RVA mapping, notes, byte statistics and the per-part entry
 * points called by pn_pe_parse() (pe.c).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PE_INT_H
#define PN_PE_INT_H

#include "pn.h"
#include "rd.h"
#include "pe.h"

/* Data directory indexes (spec §3.4.3). */
enum {
	PE_DIR_EXPORT = 0, PE_DIR_IMPORT = 1, PE_DIR_RESOURCE = 2, PE_DIR_EXCEPTION = 3,
	PE_DIR_SECURITY = 4, PE_DIR_BASERELOC = 5, PE_DIR_DEBUG = 6, PE_DIR_ARCH = 7,
	PE_DIR_GLOBALPTR = 8, PE_DIR_TLS = 9, PE_DIR_LOAD_CONFIG = 10, PE_DIR_BOUND_IMPORT = 11,
	PE_DIR_IAT = 12, PE_DIR_DELAY_IMPORT = 13, PE_DIR_CLR = 14
};

/* Section characteristics (spec §4.1). */
#define PE_SCN_CNT_CODE     0x00000020u
#define PE_SCN_MEM_EXECUTE  0x20000000u
#define PE_SCN_MEM_READ     0x40000000u
#define PE_SCN_MEM_WRITE    0x80000000u

#define PE_FILE_DLL         0x2000u

struct pn_pe_ctx {
	struct pn_pe *pe;
	struct pn_rd in;          /* the whole file */
	size_t *byva;             /* section indexes sorted by VirtualAddress */
	uint64_t *lo, *hi;        /* RVA range of sections[i] (pefile's contains_rva) */
	uint64_t *va_adj, *ptr_adj; /* aligned VirtualAddress, PointerToRawData */
	uint64_t header_len;      /* pefile's "header": bytes mapped 1:1 before sections */
	uint64_t sect_table_end;  /* file offset after the section table */
	uint32_t thunks;          /* ILT/IAT entries read (PN_PE_MAX_IMPORT_THUNKS) */
	unsigned flags;           /* PN_PE_PARSE_* */
};

/* Notes (pe.c): note() marks the parse malformed, note_limit() limited. */
void pn_pe_note(struct pn_pe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pn_pe_note_limit(struct pn_pe_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * RVA mapping as pefile's get_data(): a reader over the bytes at rva, at
 * most len of them, fewer where the section's raw data or the file ends.
 * PN_EFORMAT when the RVA maps nowhere (pefile raises).  as_string: the
 * unmapped case reads the file, not only the header (get_string_at_rva).
 */
int pn_pe_rva(struct pn_pe_ctx *c, uint64_t rva, uint64_t len, int as_string, struct pn_rd *out);
/* The file offset of an RVA (get_offset_from_rva), PN_EFORMAT if none. */
int pn_pe_rva_off(struct pn_pe_ctx *c, uint64_t rva, uint64_t *off);
/* The section holding rva (pefile's get_section_by_rva), or -1. */
int pn_pe_rva_section(struct pn_pe_ctx *c, uint64_t rva);
/*
 * A NUL-terminated string at rva, at most max bytes (pefile's
 * get_string_at_rva); *out is a new copy (raw bytes).  PN_EFORMAT if the
 * RVA maps nowhere.
 */
int pn_pe_rva_str(struct pn_pe_ctx *c, uint64_t rva, size_t max, char **out);

/*
 * Entropy, chi2, md5 (and sha256 if want_sha256) of bytes, charged to
 * PN_PE_MAX_HASHED; no digests with PN_PE_PARSE_STRUCTURE.
 */
void pn_pe_stats(struct pn_pe_ctx *c, const uint8_t *p, size_t n, int want_sha256,
    struct pn_pe_stats *st);
/* A file type name from the first bytes ("PE", "PNG", "XML", ... "Data"). */
const char *pn_pe_sniff(const uint8_t *p, size_t n);

/* Parts of the parse, in the order pe.c calls them. */
void pn_pe_parse_imports(struct pn_pe_ctx *c);
void pn_pe_parse_exports(struct pn_pe_ctx *c);
void pn_pe_parse_resources(struct pn_pe_ctx *c);
void pn_pe_parse_signature(struct pn_pe_ctx *c);
void pn_pe_authentihash(struct pn_pe_ctx *c);
void pn_pe_import_free(struct pn_pe *pe);
void pn_pe_resource_free(struct pn_pe *pe);
void pn_pe_sig_free(struct pn_pe *pe);

/*
 * pn_utf8_clean() that is safe for n == 0 (lib/utf8.c then returns a
 * buffer without its NUL: reported, not ours to fix).
 */
char *pn_pe_clean(const char *s, size_t n);

/* Ordinal names for imphash (pe_ordinals.c, generated). */
struct pn_pe_ordname {
	uint16_t ord;
	const char *name;
};
struct pn_pe_ordtab {
	const char *dll;          /* lower case, with extension */
	const struct pn_pe_ordname *names;
	size_t n;                 /* sorted by ord */
};
extern const struct pn_pe_ordtab pn_pe_ordtabs[];
/* The table name of ordinal ord of dll (any case), or NULL. */
const char *pn_pe_ordinal_name(const char *dll, uint16_t ord, int *known_dll);

#endif
