/*
 * pe.h - the PE/COFF parser: headers, sections, imports (and pefile's
 * imphash), exports, resources and version strings, rich header, debug
 * directory, TLS callbacks, overlay, .NET header, Authenticode signer
 * names and authentihash, packer hints.
 *
 * pn_pe_parse() reads a whole file image from memory through bounded
 * readers (lib/rd.h) into a struct pn_pe that holds copies of everything
 * (no pointers into the input); release it with pn_pe_free().  The parser
 * "pe" (pn_parser_pe, parser.h) turns the struct into VirusTotal-shaped
 * attributes: pe_info, creation_date, signature_info, packers,
 * authentihash, tags and notes (docs/internals/pe.md).
 *
 * What is computed where pefile has an answer matches pefile 2023.2.7:
 * imphash (get_imphash(), with its ordinal tables, its import-walking
 * rules and limits), section data ranges, entropy, overlay start, rich
 * header hash, PE checksum.  tests/unit/pe_pefile_check.py compares.
 *
 * Limits: the PN_PE_MAX_* below; every count and length read from the
 * file is capped by one of them, and bytes hashed (section, resource and
 * overlay digests) by PN_PE_MAX_HASHED.  A cut is noted in pe->notes.
 * Errors: pn_pe_parse() returns PN_OK, PN_EFORMAT (not a PE when
 * pe->valid is 0, else malformed: what was parsed is kept and the notes
 * say what was wrong) or PN_ELIMIT (a limit cut the parse short).
 * Spec: Microsoft PE/COFF specification rev 11+ (section numbers in the
 * .c files), Authenticode PE (Windows Authenticode Portable Executable
 * Signature Format 1.0), VS_VERSIONINFO (Win32 resource docs).
 * See also: docs/internals/pe.md, tests/unit/test_pe.c,
 * tests/fuzz/fuzz_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_PE_H
#define PN_PE_H

#include <stddef.h>
#include <stdint.h>

/* Limits (pefile's equivalents in brackets, kept equal where they shape imphash). */
#define PN_PE_MAX_SECTIONS        2048    /* section headers read [MAX_SECTIONS] */
#define PN_PE_MAX_IMPORT_DLLS     4096    /* import descriptors kept */
#define PN_PE_MAX_IMPORT_THUNKS   8192    /* ILT+IAT entries read in all [MAX_IMPORT_SYMBOLS] */
#define PN_PE_MAX_NAME            512     /* import/export/dll name bytes [MAX_IMPORT_NAME_LENGTH] */
#define PN_PE_MAX_EXPORTS         8192    /* exported names kept [MAX_SYMBOL_EXPORT_COUNT] */
#define PN_PE_MAX_RESOURCES       8192    /* resource data entries kept */
#define PN_PE_MAX_RESOURCE_ENTRIES 32768  /* directory entries visited [MAX_RESOURCE_ENTRIES] */
#define PN_PE_MAX_RESOURCE_DEPTH  8       /* directory levels (3 in a normal tree) */
#define PN_PE_MAX_RESOURCE_DIRS   4096    /* distinct directories (cycle check set) */
#define PN_PE_MAX_RES_NAME        256     /* UTF-16 units of a resource name */
#define PN_PE_MAX_VERSION_STRINGS 64      /* StringFileInfo key/values kept */
#define PN_PE_MAX_VERSION_VALUE   1024    /* UTF-16 units of one version string */
#define PN_PE_MAX_VERSION_NODES   1024    /* VS_VERSIONINFO nodes walked */
#define PN_PE_MAX_RICH            512     /* rich header entries */
#define PN_PE_MAX_DEBUG           64      /* debug directory entries */
#define PN_PE_MAX_PDB_PATH        1024    /* CodeView PDB path bytes */
#define PN_PE_MAX_TLS_CALLBACKS   256     /* TLS callbacks listed */
#define PN_PE_MAX_CERTS           64      /* certificates of a signature kept */
#define PN_PE_MAX_CERT_ENTRIES    16      /* WIN_CERTIFICATE entries walked */
#define PN_PE_MAX_NOTES           64      /* notes kept */
#define PN_PE_MAX_CLR_VERSION     255     /* metadata version string bytes */
#define PN_PE_MAX_HASHED          (512ULL << 20) /* bytes digested for stats in all */

/* pn_pe.hints: packer and oddity hints (docs/internals/pe.md). */
#define PN_PE_HINT_PACKER_SECTION  0x01u /* a known packer's section name (pe->packer) */
#define PN_PE_HINT_HIGH_ENTROPY_X  0x02u /* an executable section with entropy > 7.0 */
#define PN_PE_HINT_FEW_IMPORTS     0x04u /* < 20 imports incl. LoadLibrary* + GetProcAddress */
#define PN_PE_HINT_WX_SECTION      0x08u /* a section both writable and executable */
#define PN_PE_HINT_EP_OUTSIDE      0x10u /* entry point in no section, or in a non-executable one */
#define PN_PE_HINT_EP_LAST_SECTION 0x20u /* entry point in the last of several sections */
#define PN_PE_HINT_NO_IMPORTS      0x40u /* an executable without an import directory */

struct pn_pe_dir {
	uint32_t rva;
	uint32_t size;
};

struct pn_pe_stats {
	int done;                /* computed (0: no bytes in the file, or over PN_PE_MAX_HASHED) */
	double entropy;          /* Shannon, bits per byte */
	double chi2;             /* chi-square against uniform bytes */
	char md5[33];
	char sha256[65];         /* "" where not asked for (sections) */
};

struct pn_pe_section {
	char name[9];            /* the 8 raw bytes up to the first NUL (may be any bytes) */
	uint32_t vaddr;          /* VirtualAddress */
	uint32_t vsize;          /* VirtualSize */
	uint32_t raw_off;        /* PointerToRawData */
	uint32_t raw_size;       /* SizeOfRawData */
	uint32_t chars;          /* Characteristics */
	uint64_t data_off;       /* the bytes pefile's get_data() returns: */
	uint64_t data_len;       /* [data_off, data_off + data_len) inside the file */
	struct pn_pe_stats st;
};

struct pn_pe_import_func {
	char *name;              /* the name; for an import by ordinal from ws2_32, wsock32 or
	                            oleaut32 the name pefile's tables give; else NULL */
	int by_ordinal;
	uint16_t ordinal;        /* by ordinal */
	uint16_t hint;           /* by name */
};

struct pn_pe_import {
	char *dll;               /* as in the file, or "*invalid*" (pefile) */
	struct pn_pe_import_func *funcs;
	size_t nfuncs;
};

struct pn_pe_export {
	char *name;              /* NULL: exported by ordinal only */
	uint32_t ordinal;        /* biased (Base + index) */
	uint32_t rva;
	char *forwarder;         /* "DLL.Func" when the RVA points inside the directory */
};

struct pn_pe_resource {
	uint32_t type_id;        /* numeric type (RT_*), or 0 with type_name */
	char *type_name;         /* named type (UTF-8), or NULL */
	uint32_t name_id;
	char *name;              /* named resource (UTF-8), or NULL */
	uint16_t lang;           /* LANGID of the leaf */
	uint32_t rva;            /* OffsetToData */
	uint32_t size;
	int in_file;             /* the data lies whole in the file at offset */
	uint64_t offset;
	const char *filetype;    /* from the first bytes, static string */
	struct pn_pe_stats st;   /* with sha256 */
};

struct pn_pe_kv {
	char *key;
	char *value;
};

struct pn_pe_rich_entry {
	uint16_t prodid;
	uint16_t build;
	uint32_t count;
};

struct pn_pe_debug {
	uint32_t type;           /* IMAGE_DEBUG_TYPE_* */
	uint32_t timestamp;
	uint16_t major, minor;
	uint32_t size;
	uint32_t rva;            /* AddressOfRawData */
	uint32_t ptr;            /* PointerToRawData */
	char cv_sig[5];          /* "RSDS", "NB10", or "" */
	char *pdb;               /* CodeView PDB path (UTF-8 cleaned), or NULL */
	char guid[37];           /* RSDS GUID, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", or "" */
	uint32_t age;
	uint32_t nb10_sig;       /* NB10 signature (time stamp) */
};

struct pn_pe_cert {
	char *subject_cn;        /* CN or, without one, the one-line subject */
	char *issuer_cn;
	char *serial;            /* hex bytes separated by spaces */
	char thumbprint[41];     /* SHA-1 of the DER certificate */
	char not_before[32];     /* "YYYY-MM-DD HH:MM:SS" UTC, or "" */
	char not_after[32];
};

struct pn_pe {
	int valid;               /* MZ + PE\0\0 + COFF header were read */
	uint32_t pe_off;         /* e_lfanew */
	uint64_t size;           /* input bytes */

	/* COFF file header (spec §3.3) */
	uint16_t machine;
	uint16_t nsections;      /* NumberOfSections as in the header */
	uint32_t timestamp;
	uint32_t symtab_ptr, nsymbols;
	uint16_t opt_size;       /* SizeOfOptionalHeader */
	uint16_t characteristics;

	/* optional header (§3.4); zero when absent */
	int has_opt;
	uint16_t magic;          /* 0x10b PE32, 0x20b PE32+, other */
	int is64;                /* PE32+ */
	uint8_t linker_major, linker_minor;
	uint32_t size_of_code, size_of_idata, size_of_udata;
	uint32_t entry_point;    /* AddressOfEntryPoint (RVA) */
	int entry_section;       /* index into sections[], -1 if in none */
	uint64_t image_base;
	uint32_t section_align, file_align;
	uint16_t os_major, os_minor, subsys_major, subsys_minor;
	uint32_t size_of_image, size_of_headers;
	uint32_t checksum;       /* CheckSum as stored */
	uint32_t checksum_calc;  /* computed like pefile's generate_checksum() */
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint32_t ndirs;          /* NumberOfRvaAndSizes as stored */
	struct pn_pe_dir dirs[16];
	uint64_t checksum_off;   /* file offset of CheckSum, 0 if none */
	uint64_t secdir_off;     /* file offset of data directory 4, 0 if none */

	struct pn_pe_section *sections;
	size_t nsect;            /* sections read (<= PN_PE_MAX_SECTIONS) */

	struct pn_pe_import *imports;
	size_t nimports;
	size_t nimport_funcs;    /* functions in all */
	int has_import_dir;      /* pefile's DIRECTORY_ENTRY_IMPORT exists */
	char imphash[33];        /* "" when pefile's is "" */

	char *export_dll;        /* the export directory's Name, or NULL */
	struct pn_pe_export *exports;
	size_t nexports;
	uint32_t export_timestamp;

	struct pn_pe_resource *resources;
	size_t nresources;
	struct pn_pe_kv *version; /* StringFileInfo of the first RT_VERSION */
	size_t nversion;
	int has_fixed_version;
	uint16_t file_version[4], product_version[4]; /* VS_FIXEDFILEINFO */

	int has_rich;
	uint32_t rich_key;
	struct pn_pe_rich_entry *rich;
	size_t nrich;
	char rich_hash[33];      /* md5 of the decoded rich data, as pefile */

	struct pn_pe_debug *debug;
	size_t ndebug;

	int has_tls;
	uint64_t tls_callbacks_va; /* AddressOfCallBacks (a VA) */
	uint64_t *tls_callbacks;  /* callback VAs */
	size_t ntls_callbacks;

	int has_overlay;
	uint64_t overlay_off, overlay_size;
	const char *overlay_filetype;
	struct pn_pe_stats overlay;

	int has_clr;             /* CLR header (data directory 14) read */
	uint16_t clr_major, clr_minor;
	uint32_t clr_flags;
	char clr_version[PN_PE_MAX_CLR_VERSION + 1]; /* metadata version string, "" */

	int has_security;        /* data directory 4 non-empty */
	int sig_parsed;          /* a PKCS#7 SignedData was decoded */
	char *signers;           /* chain subject names, leaf first, "; "-separated */
	struct pn_pe_cert *certs; /* signer chain first, then the others */
	size_t ncerts;
	char authentihash[65];   /* SHA-256 of the image as Authenticode hashes it */

	const char *packer;      /* "UPX", "ASPack", ... from section names, or NULL */
	unsigned hints;          /* PN_PE_HINT_* */

	char **notes;            /* what was malformed or cut, in order */
	size_t nnotes;
	int limited;             /* a limit cut something */
	int malformed;           /* something was malformed */

	uint64_t hashed;         /* bytes digested so far (PN_PE_MAX_HASHED) */
};

/*
 * Parse size bytes at data (the whole file) into *pe, which is
 * overwritten.  Returns PN_OK, PN_EFORMAT (pe->valid 0: not a PE; else
 * malformed parts, noted) or PN_ELIMIT (cut by a limit, noted).  In every
 * case pe must be released with pn_pe_free().  Nothing in *pe points into
 * data.
 */
int pn_pe_parse(const uint8_t *data, size_t size, struct pn_pe *pe);
/*
 * The same with PN_PE_PARSE_* flags.  PN_PE_PARSE_STRUCTURE: headers,
 * sections (with entropy and chi2, without digests), imports, exports,
 * debug, TLS, CLR and the overlay's place, for a heuristic that judges the
 * structure; no resources, checksum, signature or authentihash.
 */
#define PN_PE_PARSE_STRUCTURE 0x1u
int pn_pe_parse_ex(const uint8_t *data, size_t size, unsigned flags, struct pn_pe *pe);

/* Free what pn_pe_parse() allocated; *pe is zeroed.  Safe to call twice. */
void pn_pe_free(struct pn_pe *pe);

/* "RT_ICON" for 3, ... or NULL for an unknown type id. */
const char *pn_pe_resource_type_name(uint32_t id);

/* VirusTotal-style language name of a LANGID: "ENGLISH US", "NEUTRAL", ... (static or buf). */
const char *pn_pe_lang_name(uint16_t lang, char *buf, size_t bufsize);

/* Whether data starts like a PE (MZ header whose e_lfanew points at "PE\0\0"). */
int pn_pe_is_pe(const uint8_t *data, size_t size);

#endif
