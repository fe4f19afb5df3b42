/*
 * elf.c - the ELF parser: adds "elf_info" to a file's attributes (see
 * pn_elf.h for what is read and docs/internals/elf-macho.md for the output).
 *
 * One pass over the headers builds small arrays of section and program
 * headers (struct shdr, struct phdr, capped); everything else is looked up
 * in the file through bounded readers over [offset, offset+size) ranges
 * that are checked, never added unchecked.  Strings come from string
 * tables whose bytes are bounded by the table, cut at PN_ELF_MAX_NAME and
 * cleaned to UTF-8 (lib/utf8.h) before they reach JSON.
 *
 * Output shape (VirusTotal's elf_info, VT-API.md §5.2): header {class,
 * data, hdr_version, os_abi, abi_version, type, machine, obj_version,
 * entrypoint, num_prog_headers, num_section_headers}, section_list
 * [{name, section_type, virtual_address, physical_offset, size, flags,
 * entropy}], segment_list [{segment_type, resources}], shared_libraries,
 * import_list and export_list [{name, type}].  Panoptes extras: soname,
 * rpath, runpath, interpreter, stripped, build_id, symbol_counts,
 * notable_imports, packer_hints.  No tags: "elf" and "64bits" come from
 * identification.
 *
 * Ownership: everything allocated here is freed before parse() returns,
 * except the JSON added to p->attrs (owned by the caller).
 * Limits: PN_ELF_MAX_* (pn_elf.h).  Errors: PN_OK, PN_EFORMAT (malformed,
 * partial elf_info kept), PN_ELIMIT (a limit cut the output).
 * Spec: System V gABI ch. 4 (ELF header, sections, string and symbol
 * tables, notes, extended section numbering), ch. 5 (program header,
 * dynamic section, hash table); GNU hash layout as in glibc's
 * dl-lookup.c; section-to-segment rule as GNU readelf's
 * ELF_SECTION_IN_SEGMENT_STRICT (binutils include/elf/internal.h).
 * See also: pn_elf.h, tests/unit/test_elf.c, tests/fuzz/fuzz_elf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn_elf.h"
#include "rd.h"
#include "utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* ------------------------------------------------------------------ */
/* Constants (gABI ch. 4-5 unless noted)                               */

#define EI_NIDENT        16
#define ELFCLASS32       1
#define ELFCLASS64       2
#define ELFDATA2LSB      1
#define ELFDATA2MSB      2
#define EV_CURRENT       1

#define ET_NONE 0
#define ET_REL  1
#define ET_EXEC 2
#define ET_DYN  3
#define ET_CORE 4

#define EM_ARM     40
#define EM_X86_64  62
#define EM_AARCH64 183
#define EM_RISCV   243
#define EM_MIPS    8

#define SHN_UNDEF  0
#define SHN_XINDEX 0xffff
#define PN_XNUM    0xffff

#define SHT_NULL     0
#define SHT_PROGBITS 1
#define SHT_SYMTAB   2
#define SHT_STRTAB   3
#define SHT_DYNAMIC  6
#define SHT_NOTE     7
#define SHT_NOBITS   8
#define SHT_DYNSYM   11
#define SHT_LOOS     0x60000000u
#define SHT_HIOS     0x6fffffffu
#define SHT_LOPROC   0x70000000u
#define SHT_HIPROC   0x7fffffffu
#define SHT_LOUSER   0x80000000u
#define SHT_HIUSER   0x8fffffffu

#define SHF_WRITE     0x1u
#define SHF_ALLOC     0x2u
#define SHF_EXECINSTR 0x4u
#define SHF_TLS       0x400u
#define SHF_MASKOS    0x0ff00000u
#define SHF_MASKPROC  0xf0000000u
#define SHF_GNU_RETAIN     0x00200000u  /* GNU extension */
#define SHF_GNU_MBIND      0x01000000u  /* GNU extension */
#define SHF_EXCLUDE        0x80000000u  /* GNU extension */
#define SHF_X86_64_LARGE   0x10000000u  /* x86-64 psABI */
#define SHF_ARM_PURECODE   0x20000000u  /* ARM ELF ABI */

#define PT_NULL    0
#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_NOTE    4
#define PT_PHDR    6
#define PT_TLS     7
#define PT_LOOS    0x60000000u
#define PT_HIOS    0x6fffffffu
#define PT_LOPROC  0x70000000u
#define PT_HIPROC  0x7fffffffu
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_SFRAME   0x6474e554u
#define PT_GNU_MBIND_LO 0x6474e555u
#define PT_GNU_MBIND_HI 0x6474f554u

#define PF_X 0x1u
#define PF_W 0x2u
#define PF_R 0x4u

#define DT_NULL     0
#define DT_NEEDED   1
#define DT_HASH     4
#define DT_STRTAB   5
#define DT_SYMTAB   6
#define DT_STRSZ    10
#define DT_SYMENT   11
#define DT_SONAME   14
#define DT_RPATH    15
#define DT_RUNPATH  29
#define DT_GNU_HASH 0x6ffffef5u

#define STT_SECTION 3
#define STT_FILE    4
#define STB_GLOBAL  1
#define STB_WEAK    2
#define STB_GNU_UNIQUE 10
#define STV_DEFAULT 0
#define STV_PROTECTED 3

#define NT_GNU_BUILD_ID 3

/* Sizes of the structures, ELF32 / ELF64. */
#define EHDR_SIZE(e) ((e)->is64 ? 64u : 52u)
#define SHDR_SIZE(e) ((e)->is64 ? 64u : 40u)
#define PHDR_SIZE(e) ((e)->is64 ? 56u : 32u)
#define SYM_SIZE(e)  ((e)->is64 ? 24u : 16u)

/* ------------------------------------------------------------------ */
/* State                                                               */

struct shdr {
	uint32_t name, type, link, info;
	uint64_t flags, addr, offset, size, align, entsize;
	char *cname;       /* cleaned name, owned; NULL until named */
	double entropy;    /* < 0 when not computed */
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

/* A string table: bytes [p, p + len) of the file. */
struct strtab {
	const uint8_t *p;
	size_t len;
};

/* Where the dynamic symbols are. */
struct symsrc {
	struct pn_rd tab;     /* the table's bytes, inside the file */
	size_t entsize;
	uint64_t count;       /* entries, the null symbol included */
	struct strtab str;
};

/* What the dynamic section says. */
struct dyninfo {
	uint64_t needed[PN_ELF_MAX_NEEDED];
	size_t nneeded;
	uint64_t soname, rpath, runpath;     /* string offsets, UINT64_MAX if absent */
	uint64_t strtab, strsz, symtab, syment, hash, gnu_hash;
	unsigned have;                       /* DYN_HAVE_* */
	struct strtab str;                   /* the dynamic string table */
};

#define DYN_HAVE_STRTAB   0x01u
#define DYN_HAVE_STRSZ    0x02u
#define DYN_HAVE_SYMTAB   0x04u
#define DYN_HAVE_HASH     0x08u
#define DYN_HAVE_GNU_HASH 0x10u
#define DYN_HAVE_SYMENT   0x20u
#define DYN_FOUND         0x40u  /* a dynamic table was read */

#define NOTED_UNTERMINATED 0x1u  /* a string without its NUL */
#define NOTED_LONG_NAME    0x2u  /* a name cut at PN_ELF_MAX_NAME */
#define NOTED_BAD_OFFSET   0x4u  /* a name offset outside its table */

struct elf {
	struct pn_parse *p;
	struct pn_rd in;          /* the whole file */
	int is64, be;
	uint8_t ident[EI_NIDENT];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint16_t phentsize, shentsize;
	uint64_t shnum, phnum, shstrndx;   /* after extended numbering */
	struct shdr *sh;          /* nsh section headers read */
	size_t nsh;
	struct phdr *ph;          /* nph program headers read */
	size_t nph;
	struct strtab shstr;      /* section name table, len 0 if none */
	struct dyninfo dyn;
	struct json_object *info; /* elf_info, owned by p->attrs */
	struct json_object *hints;/* packer_hints, owned by info */
	int rc;                   /* PN_OK or the first problem */
	int nnotes;               /* notes added */
	int out_spent;            /* PN_ELF_MAX_OUTPUT reached (noted) */
	unsigned noted;           /* NOTED_*: problems noted once per file */
	size_t out_left;          /* name bytes still allowed */
	uint64_t ent_left;        /* entropy bytes still allowed */
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/*
 * Make s valid UTF-8 in place, '?' for each byte of a broken sequence:
 * vsnprintf's precision or the buffer's end may cut a (clean) name in the
 * middle of a character.
 */
static void
utf8_fix(char *s)
{
	size_t i = 0, n = strlen(s), k;

	while (i < n) {
		if ((k = pn_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			s[i++] = '?';
		else
			i += k;
	}
}

static void elf_note(struct elf *e, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a note (at most PN_ELF_MAX_NOTES) and remember the first problem. */
static void
elf_note(struct elf *e, int rc, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (e->rc == PN_OK)
		e->rc = rc;
	if (e->nnotes >= PN_ELF_MAX_NOTES)
		return;
	if (++e->nnotes == PN_ELF_MAX_NOTES) {
		pn_parse_note(e->p, "elf: more problems not listed");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_fix(msg);
	pn_parse_note(e->p, "elf: %s", msg);
}

/* An n-byte unsigned integer (n <= 8) in the file's byte order. */
static int
rd_uint(struct pn_rd *r, int be, size_t n, uint64_t *v)
{
	const uint8_t *p;
	size_t i;

	if (pn_rd_bytes(r, n, &p) != PN_OK)
		return PN_EFORMAT;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return PN_OK;
}

static int
rd32(struct elf *e, struct pn_rd *r, uint32_t *v)
{
	uint64_t x;

	if (rd_uint(r, e->be, 4, &x) != PN_OK)
		return PN_EFORMAT;
	*v = (uint32_t)x;
	return PN_OK;
}

static int
rd16(struct elf *e, struct pn_rd *r, uint16_t *v)
{
	uint64_t x;

	if (rd_uint(r, e->be, 2, &x) != PN_OK)
		return PN_EFORMAT;
	*v = (uint16_t)x;
	return PN_OK;
}

/* A word: 4 bytes in ELF32, 8 in ELF64. */
static int
rdw(struct elf *e, struct pn_rd *r, uint64_t *v)
{
	return rd_uint(r, e->be, e->is64 ? 8 : 4, v);
}

/* [off, off+len) of the file, cut at its end; PN_EFORMAT if off is past it. */
static int
file_range(const struct elf *e, uint64_t off, uint64_t len, struct pn_rd *r)
{
	size_t total = pn_rd_left(&e->in);

	if (off > total)
		return PN_EFORMAT;
	if (len > total - off)
		len = total - off;
	return pn_rd_at(&e->in, off, len, r);
}

/* Does [off, off+len) lie wholly inside the file? */
static int
in_file(const struct elf *e, uint64_t off, uint64_t len)
{
	size_t total = pn_rd_left(&e->in);

	return off <= total && len <= total - off;
}

/*
 * A UTF-8-clean copy of n bytes (caller frees).  pn_utf8_clean() is not
 * called for n == 0: it then returns a buffer without a terminating NUL.
 */
static char *
clean(const uint8_t *s, size_t n)
{
	return n == 0 ? pn_xstrdup("") : pn_utf8_clean((const char *)s, n);
}

/* Take n name bytes from the output budget; 0 (noted once) when spent. */
static int
out_take(struct elf *e, size_t n)
{
	n += 16;   /* rough JSON overhead of one entry */
	if (n > e->out_left) {
		if (!e->out_spent)
			elf_note(e, PN_ELIMIT, "output limit of %u name bytes reached; lists cut",
			    PN_ELF_MAX_OUTPUT);
		e->out_spent = 1;
		return 0;
	}
	e->out_left -= n;
	return 1;
}

/* Bytes of the name at off in t (NUL-terminated, or cut); 0 if off is outside t. */
static int
str_at(struct elf *e, const struct strtab *t, uint64_t off, const uint8_t **s, size_t *n)
{
	const uint8_t *nul;
	size_t avail, lim;

	if (t->p == NULL || off >= t->len)
		return 0;
	avail = t->len - (size_t)off;
	lim = PN_MIN(avail, (size_t)PN_ELF_MAX_NAME);
	*s = t->p + off;
	nul = memchr(*s, 0, lim);
	if (nul != NULL) {
		*n = (size_t)(nul - *s);
		return 1;
	}
	*n = lim;
	if (lim == avail && !(e->noted & NOTED_UNTERMINATED)) {
		e->noted |= NOTED_UNTERMINATED;
		elf_note(e, PN_EFORMAT, "a string table is not NUL-terminated (string at offset %llu)",
		    (unsigned long long)off);
	} else if (lim < avail && !(e->noted & NOTED_LONG_NAME)) {
		e->noted |= NOTED_LONG_NAME;
		elf_note(e, PN_ELIMIT, "names longer than %u bytes were cut", PN_ELF_MAX_NAME);
	}
	return 1;
}

/* A cleaned copy of the name at off in t; "<corrupt>" when off is outside t.  Caller frees. */
static char *
name_at(struct elf *e, const struct strtab *t, uint64_t off)
{
	const uint8_t *s;
	size_t n;

	if (!str_at(e, t, off, &s, &n)) {
		if (t->p != NULL && !(e->noted & NOTED_BAD_OFFSET)) {
			e->noted |= NOTED_BAD_OFFSET;
			elf_note(e, PN_EFORMAT, "name offset %llu is outside its string table (%zu bytes)",
			    (unsigned long long)off, t->len);
		}
		return pn_xstrdup("<corrupt>");
	}
	return clean(s, n);
}

/* A string table over [off, off+len) of the file, cut at the file's end. */
static void
strtab_at(struct elf *e, uint64_t off, uint64_t len, struct strtab *t, const char *what)
{
	struct pn_rd r;

	t->p = NULL;
	t->len = 0;
	if (file_range(e, off, len, &r) != PN_OK) {
		elf_note(e, PN_EFORMAT, "%s is outside the file", what);
		return;
	}
	if (pn_rd_left(&r) < len)
		elf_note(e, PN_EFORMAT, "%s runs past the end of the file", what);
	t->p = r.p;
	t->len = pn_rd_left(&r);
}

static void
add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

/* Round to two decimals, serialised as such (6.45, not 6.4500000000000002). */
static struct json_object *
json_entropy(double h)
{
	char buf[16];

	h = floor(h * 100.0 + 0.5) / 100.0;
	snprintf(buf, sizeof(buf), "%.2f", h);
	return json_object_new_double_s(h, buf);
}

/* ------------------------------------------------------------------ */
/* Names of header values, as GNU readelf prints them                  */

static void
class_name(uint8_t c, char *buf, size_t n)
{
	if (c == 0)
		snprintf(buf, n, "none");
	else if (c == ELFCLASS32)
		snprintf(buf, n, "ELF32");
	else if (c == ELFCLASS64)
		snprintf(buf, n, "ELF64");
	else
		snprintf(buf, n, "<unknown: %x>", c);
}

static void
data_name(uint8_t d, char *buf, size_t n)
{
	if (d == 0)
		snprintf(buf, n, "none");
	else if (d == ELFDATA2LSB)
		snprintf(buf, n, "2's complement, little endian");
	else if (d == ELFDATA2MSB)
		snprintf(buf, n, "2's complement, big endian");
	else
		snprintf(buf, n, "<unknown: %x>", d);
}

static void
osabi_name(uint8_t a, uint16_t machine, char *buf, size_t n)
{
	static const char *const names[] = {
		"UNIX - System V", "UNIX - HP-UX", "UNIX - NetBSD", "UNIX - GNU", NULL, NULL,
		"UNIX - Solaris", "UNIX - AIX", "UNIX - IRIX", "UNIX - FreeBSD", "UNIX - TRU64",
		"Novell - Modesto", "UNIX - OpenBSD", "VMS - OpenVMS", "HP - Non-Stop Kernel",
		"AROS", "FenixOS", "Nuxi CloudABI", "Stratus Technologies OpenVOS"
	};

	if (a < PN_ARRAY_LEN(names) && names[a] != NULL)
		snprintf(buf, n, "%s", names[a]);
	else if (a == 97 && machine == EM_ARM)
		snprintf(buf, n, "ARM");
	else if (a == 255)
		snprintf(buf, n, "Standalone App");
	else
		snprintf(buf, n, "<unknown: %x>", a);
}

static void
type_name(uint16_t t, char *buf, size_t n)
{
	switch (t) {
	case ET_NONE: snprintf(buf, n, "NONE (None)"); return;
	case ET_REL:  snprintf(buf, n, "REL (Relocatable file)"); return;
	case ET_EXEC: snprintf(buf, n, "EXEC (Executable file)"); return;
	/* readelf >= 2.38 says "Position-Independent Executable file" for a
	 * PIE; VirusTotal shows "Shared object file" for both. */
	case ET_DYN:  snprintf(buf, n, "DYN (Shared object file)"); return;
	case ET_CORE: snprintf(buf, n, "CORE (Core file)"); return;
	}
	if (t >= 0xfe00 && t <= 0xfeff)
		snprintf(buf, n, "OS Specific: (%x)", t);
	else if (t >= 0xff00)
		snprintf(buf, n, "Processor Specific: (%x)", t);
	else
		snprintf(buf, n, "<unknown>: %x", t);
}

static void
machine_name(uint16_t m, char *buf, size_t n)
{
	static const struct { uint16_t m; const char *name; } names[] = {
		{ 0, "None" }, { 1, "WE32100" }, { 2, "Sparc" }, { 3, "Intel 80386" },
		{ 4, "MC68000" }, { 5, "MC88000" }, { 7, "Intel 80860" }, { 8, "MIPS R3000" },
		{ 10, "MIPS R4000 big-endian" }, { 15, "HPPA" }, { 18, "Sparc v8+" },
		{ 19, "Intel 80960" }, { 20, "PowerPC" }, { 21, "PowerPC64" }, { 22, "IBM S/390" },
		{ 40, "ARM" }, { 42, "Renesas / SuperH SH" }, { 43, "Sparc v9" },
		{ 50, "Intel IA-64" }, { 62, "Advanced Micro Devices X86-64" },
		{ 83, "Atmel AVR 8-bit microcontroller" }, { 94, "Tensilica Xtensa Processor" },
		{ 183, "AArch64" }, { 189, "Xilinx MicroBlaze" }, { 190, "NVIDIA CUDA architecture" },
		{ 224, "AMD GPU" }, { 243, "RISC-V" }, { 247, "Linux BPF" }, { 258, "LoongArch" },
		{ 0x9026, "Alpha" },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(names); i++) {
		if (names[i].m == m) {
			snprintf(buf, n, "%s", names[i].name);
			return;
		}
	}
	snprintf(buf, n, "<unknown>: 0x%x", m);
}

static void
section_type_name(uint32_t t, uint16_t machine, char *buf, size_t n)
{
	static const char *const base[] = {
		"NULL", "PROGBITS", "SYMTAB", "STRTAB", "RELA", "HASH", "DYNAMIC", "NOTE",
		"NOBITS", "REL", "SHLIB", "DYNSYM", NULL, NULL, "INIT_ARRAY", "FINI_ARRAY",
		"PREINIT_ARRAY", "GROUP", "SYMTAB SECTION INDICES", "RELR"
	};

	if (t < PN_ARRAY_LEN(base) && base[t] != NULL) {
		snprintf(buf, n, "%s", base[t]);
		return;
	}
	switch (t) {
	case 0x6ffffff5u: snprintf(buf, n, "GNU_ATTRIBUTES"); return;
	case 0x6ffffff6u: snprintf(buf, n, "GNU_HASH"); return;
	case 0x6ffffff7u: snprintf(buf, n, "GNU_LIBLIST"); return;
	case 0x6ffffffdu: snprintf(buf, n, "VERDEF"); return;
	case 0x6ffffffeu: snprintf(buf, n, "VERNEED"); return;
	case 0x6fffffffu: snprintf(buf, n, "VERSYM"); return;
	}
	if (machine == EM_X86_64 && t == 0x70000001u) {
		snprintf(buf, n, "X86_64_UNWIND");
		return;
	}
	if (machine == EM_ARM && t >= 0x70000001u && t <= 0x70000003u) {
		static const char *const arm[] = { "ARM_EXIDX", "ARM_PREEMPTMAP", "ARM_ATTRIBUTES" };
		snprintf(buf, n, "%s", arm[t - 0x70000001u]);
		return;
	}
	if (machine == EM_RISCV && t == 0x70000003u) {
		snprintf(buf, n, "RISCV_ATTRIBUTES");
		return;
	}
	if (t >= SHT_LOPROC && t <= SHT_HIPROC)
		snprintf(buf, n, "LOPROC+%#x", t - SHT_LOPROC);
	else if (t >= SHT_LOOS && t <= SHT_HIOS)
		snprintf(buf, n, "LOOS+%#x", t - SHT_LOOS);
	else if (t >= SHT_LOUSER && t <= SHT_HIUSER)
		snprintf(buf, n, "LOUSER+%#x", t - SHT_LOUSER);
	else
		snprintf(buf, n, "<unknown>: %x", t);
}

static void
segment_type_name(uint32_t t, uint16_t machine, char *buf, size_t n)
{
	static const char *const base[] = {
		"NULL", "LOAD", "DYNAMIC", "INTERP", "NOTE", "SHLIB", "PHDR", "TLS"
	};

	if (t < PN_ARRAY_LEN(base)) {
		snprintf(buf, n, "%s", base[t]);
		return;
	}
	switch (t) {
	case PT_GNU_EH_FRAME: snprintf(buf, n, "GNU_EH_FRAME"); return;
	case PT_GNU_STACK:    snprintf(buf, n, "GNU_STACK"); return;
	case PT_GNU_RELRO:    snprintf(buf, n, "GNU_RELRO"); return;
	case 0x6474e553u:     snprintf(buf, n, "GNU_PROPERTY"); return;
	case PT_GNU_SFRAME:   snprintf(buf, n, "GNU_SFRAME"); return;
	}
	if (t >= PT_GNU_MBIND_LO && t <= PT_GNU_MBIND_HI) {
		snprintf(buf, n, "GNU_MBIND+%#x", t - PT_GNU_MBIND_LO);
		return;
	}
	if (machine == EM_ARM && t == 0x70000001u) {
		snprintf(buf, n, "EXIDX");
		return;
	}
	if (machine == EM_AARCH64 && t == 0x70000002u) {
		snprintf(buf, n, "AARCH64_MEMTAG_MTE");
		return;
	}
	if (machine == EM_MIPS && t <= 0x70000003u && t >= PT_LOPROC) {
		static const char *const mips[] = { "REGINFO", "RTPROC", "OPTIONS", "ABIFLAGS" };
		snprintf(buf, n, "%s", mips[t - PT_LOPROC]);
		return;
	}
	if (machine == EM_RISCV && t == 0x70000003u) {
		snprintf(buf, n, "RISCV_ATTRIBUTES");
		return;
	}
	if (t >= PT_LOPROC && t <= PT_HIPROC)
		snprintf(buf, n, "LOPROC+%#x", t - PT_LOPROC);
	else if (t >= PT_LOOS && t <= PT_HIOS)
		snprintf(buf, n, "LOOS+%#x", t - PT_LOOS);
	else
		snprintf(buf, n, "<unknown>: %x", t);
}

/*
 * readelf's key letters, lowest bit first; an OS- or processor-specific
 * bit without a letter prints 'o' or 'p' once for its whole mask.
 */
static void
section_flags(uint64_t f, uint16_t machine, uint8_t osabi, char *buf, size_t n)
{
	static const char letters[] = "WAX?MSILOGTC";   /* bits 0..11, bit 3 unused */
	/* readelf: 'R' for ELFOSABI_GNU and FreeBSD only, 'D' for those and NONE */
	int gnu = osabi == 3 || osabi == 9, gnu_or_none = gnu || osabi == 0;
	size_t o = 0;

	while (f != 0 && o + 1 < n) {
		uint64_t flag = f & (~f + 1);
		int bit = 0;
		char c;

		f &= ~flag;
		while (bit < 63 && ((uint64_t)1 << bit) != flag)
			bit++;
		if (bit < 12 && letters[bit] != '?')
			c = letters[bit];
		else if (flag == SHF_EXCLUDE)
			c = 'E';
		else if (machine == EM_X86_64 && flag == SHF_X86_64_LARGE)
			c = 'l';
		else if (machine == EM_ARM && flag == SHF_ARM_PURECODE)
			c = 'y';
		else if ((flag & SHF_MASKOS) && gnu && flag == SHF_GNU_RETAIN)
			c = 'R';
		else if ((flag & SHF_MASKOS) && gnu_or_none && flag == SHF_GNU_MBIND)
			c = 'D';
		else if (flag & SHF_MASKOS) {
			c = 'o';
			f &= ~(uint64_t)SHF_MASKOS;
		} else if (flag & SHF_MASKPROC) {
			c = 'p';
			f &= ~(uint64_t)SHF_MASKPROC;
		} else
			c = 'x';
		buf[o++] = c;
	}
	buf[o] = '\0';
}

static const char *
symbol_type_name(unsigned t, uint8_t osabi, char *buf, size_t n)
{
	static const char *const names[] = {
		"NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"
	};

	if (t < PN_ARRAY_LEN(names))
		return names[t];
	if (t == 10 && (osabi == 3 || osabi == 9))   /* readelf: GNU and FreeBSD only */
		return "IFUNC";
	if (t >= 10 && t <= 12)
		snprintf(buf, n, "<OS specific>: %u", t);
	else if (t >= 13)
		snprintf(buf, n, "<processor specific>: %u", t);
	else
		snprintf(buf, n, "<unknown>: %u", t);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Headers                                                             */

static int
read_ehdr(struct elf *e)
{
	struct pn_rd r = e->in;
	const uint8_t *id;
	uint32_t flags;
	uint16_t ehsize, phnum, shnum, shstrndx;

	if (pn_rd_bytes(&r, EI_NIDENT, &id) != PN_OK)
		return PN_EFORMAT;
	memcpy(e->ident, id, EI_NIDENT);
	if (id[4] != ELFCLASS32 && id[4] != ELFCLASS64)
		return PN_EFORMAT;
	e->is64 = id[4] == ELFCLASS64;
	e->be = id[5] == ELFDATA2MSB;
	if (rd16(e, &r, &e->type) != PN_OK || rd16(e, &r, &e->machine) != PN_OK ||
	    rd32(e, &r, &e->version) != PN_OK || rdw(e, &r, &e->entry) != PN_OK ||
	    rdw(e, &r, &e->phoff) != PN_OK || rdw(e, &r, &e->shoff) != PN_OK ||
	    rd32(e, &r, &flags) != PN_OK || rd16(e, &r, &ehsize) != PN_OK ||
	    rd16(e, &r, &e->phentsize) != PN_OK || rd16(e, &r, &phnum) != PN_OK ||
	    rd16(e, &r, &e->shentsize) != PN_OK || rd16(e, &r, &shnum) != PN_OK ||
	    rd16(e, &r, &shstrndx) != PN_OK)
		return PN_EFORMAT;
	e->phnum = phnum;
	e->shnum = shnum;
	e->shstrndx = shstrndx;
	return PN_OK;
}

static int
read_shdr(struct elf *e, uint64_t off, struct shdr *s)
{
	struct pn_rd r;
	uint64_t flags, addr, offset, size, align, entsize;

	if (pn_rd_at(&e->in, off, SHDR_SIZE(e), &r) != PN_OK)
		return PN_EFORMAT;
	if (rd32(e, &r, &s->name) != PN_OK || rd32(e, &r, &s->type) != PN_OK ||
	    rdw(e, &r, &flags) != PN_OK || rdw(e, &r, &addr) != PN_OK ||
	    rdw(e, &r, &offset) != PN_OK || rdw(e, &r, &size) != PN_OK ||
	    rd32(e, &r, &s->link) != PN_OK || rd32(e, &r, &s->info) != PN_OK ||
	    rdw(e, &r, &align) != PN_OK || rdw(e, &r, &entsize) != PN_OK)
		return PN_EFORMAT;
	s->flags = flags;
	s->addr = addr;
	s->offset = offset;
	s->size = size;
	s->align = align;
	s->entsize = entsize;
	s->cname = NULL;
	s->entropy = -1;
	return PN_OK;
}

static int
read_phdr(struct elf *e, uint64_t off, struct phdr *h)
{
	struct pn_rd r;
	uint64_t paddr;

	if (pn_rd_at(&e->in, off, PHDR_SIZE(e), &r) != PN_OK)
		return PN_EFORMAT;
	if (rd32(e, &r, &h->type) != PN_OK)
		return PN_EFORMAT;
	if (e->is64) {
		if (rd32(e, &r, &h->flags) != PN_OK || rdw(e, &r, &h->offset) != PN_OK ||
		    rdw(e, &r, &h->vaddr) != PN_OK || rdw(e, &r, &paddr) != PN_OK ||
		    rdw(e, &r, &h->filesz) != PN_OK || rdw(e, &r, &h->memsz) != PN_OK ||
		    rdw(e, &r, &h->align) != PN_OK)
			return PN_EFORMAT;
	} else {
		if (rdw(e, &r, &h->offset) != PN_OK || rdw(e, &r, &h->vaddr) != PN_OK ||
		    rdw(e, &r, &paddr) != PN_OK || rdw(e, &r, &h->filesz) != PN_OK ||
		    rdw(e, &r, &h->memsz) != PN_OK || rd32(e, &r, &h->flags) != PN_OK ||
		    rdw(e, &r, &h->align) != PN_OK)
			return PN_EFORMAT;
	}
	return PN_OK;
}

/*
 * Extended numbering (gABI ch. 4, "Sections"): with e_shnum 0 the count
 * is section 0's sh_size, with e_shstrndx SHN_XINDEX the index is its
 * sh_link, with e_phnum PN_XNUM the program header count is its sh_info.
 */
static void
extended_numbering(struct elf *e)
{
	struct shdr s0;
	int need = e->shnum == 0 || e->shstrndx == SHN_XINDEX || e->phnum == PN_XNUM;

	if (e->shoff == 0 || !need || e->shentsize < SHDR_SIZE(e))
		return;
	if (read_shdr(e, e->shoff, &s0) != PN_OK) {
		if (e->shnum != 0 || e->shstrndx == SHN_XINDEX || e->phnum == PN_XNUM)
			elf_note(e, PN_EFORMAT, "section 0 (extended numbering) is outside the file");
		return;
	}
	if (e->shnum == 0)
		e->shnum = s0.size;
	if (e->shstrndx == SHN_XINDEX)
		e->shstrndx = s0.link;
	if (e->phnum == PN_XNUM && s0.info != 0)
		e->phnum = s0.info;
}

static void
read_sections(struct elf *e)
{
	uint64_t n = e->shnum, i;

	if (e->shoff == 0 || n == 0)
		return;
	if (e->shentsize < SHDR_SIZE(e)) {
		elf_note(e, PN_EFORMAT, "e_shentsize %u is too small; section headers ignored",
		    e->shentsize);
		return;
	}
	if (n > PN_ELF_MAX_SECTIONS) {
		elf_note(e, PN_ELIMIT, "%llu section headers, only the first %u read",
		    (unsigned long long)n, PN_ELF_MAX_SECTIONS);
		n = PN_ELF_MAX_SECTIONS;
	}
	e->sh = pn_xcalloc((size_t)n, sizeof(*e->sh));
	for (i = 0; i < n; i++) {
		uint64_t at = i * e->shentsize;   /* < 2^12 * 2^16: no overflow */

		if (e->shoff > UINT64_MAX - at || read_shdr(e, e->shoff + at, &e->sh[i]) != PN_OK) {
			elf_note(e, PN_EFORMAT, "section header table cut by the end of the file "
			    "after %llu of %llu entries", (unsigned long long)i,
			    (unsigned long long)e->shnum);
			break;
		}
		e->nsh++;
	}
}

static void
read_segments(struct elf *e)
{
	uint64_t n = e->phnum, i;

	if (e->phoff == 0 || n == 0)
		return;
	if (e->phentsize < PHDR_SIZE(e)) {
		elf_note(e, PN_EFORMAT, "e_phentsize %u is too small; program headers ignored",
		    e->phentsize);
		return;
	}
	if (n > PN_ELF_MAX_SEGMENTS) {
		elf_note(e, PN_ELIMIT, "%llu program headers, only the first %u read",
		    (unsigned long long)n, PN_ELF_MAX_SEGMENTS);
		n = PN_ELF_MAX_SEGMENTS;
	}
	e->ph = pn_xcalloc((size_t)n, sizeof(*e->ph));
	for (i = 0; i < n; i++) {
		uint64_t at = i * e->phentsize;

		if (e->phoff > UINT64_MAX - at || read_phdr(e, e->phoff + at, &e->ph[i]) != PN_OK) {
			elf_note(e, PN_EFORMAT, "program header table cut by the end of the file "
			    "after %llu of %llu entries", (unsigned long long)i,
			    (unsigned long long)e->phnum);
			break;
		}
		e->nph++;
	}
}

static void
emit_header(struct elf *e)
{
	struct json_object *h = json_object_new_object();
	char buf[64];
	uint8_t v = e->ident[6];

	class_name(e->ident[4], buf, sizeof(buf));
	add_str(h, "class", buf);
	data_name(e->ident[5], buf, sizeof(buf));
	add_str(h, "data", buf);
	snprintf(buf, sizeof(buf), "%u%s", v, v == EV_CURRENT ? " (current)" : v != 0 ? " <unknown>" : "");
	add_str(h, "hdr_version", buf);
	osabi_name(e->ident[7], e->machine, buf, sizeof(buf));
	add_str(h, "os_abi", buf);
	json_object_object_add(h, "abi_version", json_object_new_int(e->ident[8]));
	type_name(e->type, buf, sizeof(buf));
	add_str(h, "type", buf);
	machine_name(e->machine, buf, sizeof(buf));
	add_str(h, "machine", buf);
	snprintf(buf, sizeof(buf), "0x%x", e->version);
	add_str(h, "obj_version", buf);
	json_object_object_add(h, "entrypoint", json_object_new_uint64(e->entry));
	json_object_object_add(h, "num_prog_headers", json_object_new_uint64(e->phnum));
	json_object_object_add(h, "num_section_headers", json_object_new_uint64(e->shnum));
	json_object_object_add(e->info, "header", h);
}

/* ------------------------------------------------------------------ */
/* Sections and segments                                               */

static void
section_names(struct elf *e)
{
	size_t i;

	e->shstr.p = NULL;
	e->shstr.len = 0;
	if (e->nsh == 0)
		return;
	if (e->shstrndx != SHN_UNDEF && e->shstrndx < e->nsh) {
		const struct shdr *s = &e->sh[e->shstrndx];
		if (s->type == SHT_NOBITS)
			elf_note(e, PN_EFORMAT, "the section name table has no bytes (SHT_NOBITS)");
		else
			strtab_at(e, s->offset, s->size, &e->shstr, "the section name table");
	} else if (e->shstrndx != SHN_UNDEF) {
		elf_note(e, PN_EFORMAT, "section name table index %llu out of range",
		    (unsigned long long)e->shstrndx);
	}
	for (i = 0; i < e->nsh; i++) {
		if (e->shstr.p == NULL)
			e->sh[i].cname = pn_xstrdup("");
		else
			e->sh[i].cname = name_at(e, &e->shstr, e->sh[i].name);
	}
}

/* The entropy of a section's bytes, if they are all in the file and the budget allows. */
static void
section_entropy(struct elf *e, struct shdr *s)
{
	struct pn_rd r;

	if (s->type == SHT_NOBITS || s->type == SHT_NULL || s->size == 0)
		return;
	if (!in_file(e, s->offset, s->size)) {
		elf_note(e, PN_EFORMAT, "section %.64s extends past the end of the file", s->cname);
		return;
	}
	if (s->size > e->ent_left) {
		elf_note(e, PN_ELIMIT, "entropy budget of %u bytes spent; later sections have none",
		    PN_ELF_MAX_ENTROPY_BYTES);
		return;
	}
	e->ent_left -= s->size;
	(void)pn_rd_at(&e->in, s->offset, s->size, &r);
	s->entropy = pn_entropy(r.p, (size_t)s->size);
}

static void
emit_sections(struct elf *e)
{
	struct json_object *list = json_object_new_array();
	char buf[64];
	size_t i;

	json_object_object_add(e->info, "section_list", list);
	for (i = 0; i < e->nsh; i++) {
		struct shdr *s = &e->sh[i];
		struct json_object *o;

		if (!out_take(e, strlen(s->cname) + 100))
			break;
		o = json_object_new_object();
		add_str(o, "name", s->cname);
		section_type_name(s->type, e->machine, buf, sizeof(buf));
		add_str(o, "section_type", buf);
		json_object_object_add(o, "virtual_address", json_object_new_uint64(s->addr));
		json_object_object_add(o, "physical_offset", json_object_new_uint64(s->offset));
		json_object_object_add(o, "size", json_object_new_uint64(s->size));
		section_flags(s->flags, e->machine, e->ident[7], buf, sizeof(buf));
		add_str(o, "flags", buf);
		section_entropy(e, s);
		if (s->entropy >= 0)
			json_object_object_add(o, "entropy", json_entropy(s->entropy));
		json_object_array_add(list, o);
	}
}

/*
 * Is section s in segment g?  GNU readelf's ELF_SECTION_IN_SEGMENT_STRICT
 * with its .tbss exception, in checked arithmetic:
 *  - SHF_TLS sections only in PT_TLS, PT_LOAD, PT_GNU_RELRO; PT_TLS holds
 *    only SHF_TLS sections, PT_PHDR none; .tbss (TLS + NOBITS) only PT_TLS;
 *  - PT_LOAD and the segments loaded with it hold only SHF_ALLOC sections;
 *  - a section with bytes lies within the segment's file range, an
 *    SHF_ALLOC one within its memory range (a .tbss counts as size 0);
 *  - empty sections at the very start or end of PT_DYNAMIC/PT_NOTE don't.
 */
static int
sec_in_seg(const struct shdr *s, const struct phdr *g)
{
	int tls = (s->flags & SHF_TLS) != 0, alloc = (s->flags & SHF_ALLOC) != 0;
	uint64_t size, d;

	if (tls && s->type == SHT_NOBITS && g->type != PT_TLS)
		return 0;
	if (tls ? !(g->type == PT_TLS || g->type == PT_GNU_RELRO || g->type == PT_LOAD) :
	    (g->type == PT_TLS || g->type == PT_PHDR))
		return 0;
	if (!alloc && (g->type == PT_LOAD || g->type == PT_DYNAMIC || g->type == PT_GNU_EH_FRAME ||
	    g->type == PT_GNU_STACK || g->type == PT_GNU_RELRO || g->type == PT_GNU_SFRAME ||
	    (g->type >= PT_GNU_MBIND_LO && g->type <= PT_GNU_MBIND_HI)))
		return 0;
	size = (!tls || s->type != SHT_NOBITS || g->type == PT_TLS) ? s->size : 0;
	if (s->type != SHT_NOBITS) {
		if (s->offset < g->offset)
			return 0;
		d = s->offset - g->offset;
		if (d > g->filesz - 1 || size > g->filesz || d > g->filesz - size)
			return 0;
	}
	if (alloc) {
		if (s->addr < g->vaddr)
			return 0;
		d = s->addr - g->vaddr;
		if (d > g->memsz - 1 || size > g->memsz || d > g->memsz - size)
			return 0;
	}
	if ((g->type == PT_DYNAMIC || g->type == PT_NOTE) && s->size == 0 && g->memsz != 0) {
		int file_ok = s->type == SHT_NOBITS ||
		    (s->offset > g->offset && s->offset - g->offset < g->filesz);
		int mem_ok = !alloc || (s->addr > g->vaddr && s->addr - g->vaddr < g->memsz);
		if (!file_ok || !mem_ok)
			return 0;
	}
	return 1;
}

static void
emit_segments(struct elf *e)
{
	struct json_object *list = json_object_new_array();
	size_t i, j, mapped = 0;
	char buf[64];

	json_object_object_add(e->info, "segment_list", list);
	for (i = 0; i < e->nph; i++) {
		const struct phdr *g = &e->ph[i];
		struct json_object *o, *res;

		if (!out_take(e, 40))
			break;
		o = json_object_new_object();
		res = json_object_new_array();
		segment_type_name(g->type, e->machine, buf, sizeof(buf));
		add_str(o, "segment_type", buf);
		json_object_object_add(o, "resources", res);
		json_object_array_add(list, o);
		for (j = 1; j < e->nsh; j++) {
			if (!sec_in_seg(&e->sh[j], g))
				continue;
			if (mapped++ == PN_ELF_MAX_MAPPINGS) {
				elf_note(e, PN_ELIMIT, "more than %u section-to-segment mappings; "
				    "resources cut", PN_ELF_MAX_MAPPINGS);
				return;
			}
			if (mapped > PN_ELF_MAX_MAPPINGS || !out_take(e, strlen(e->sh[j].cname)))
				return;
			json_object_array_add(res, json_object_new_string(e->sh[j].cname));
		}
	}
}

/* ------------------------------------------------------------------ */
/* Dynamic section                                                     */

/* The file offset of virtual address va through the PT_LOAD segments; *avail = bytes after it. */
static int
va_to_off(const struct elf *e, uint64_t va, uint64_t *off, uint64_t *avail)
{
	size_t i;

	for (i = 0; i < e->nph; i++) {
		const struct phdr *g = &e->ph[i];
		uint64_t d;

		if (g->type != PT_LOAD || va < g->vaddr)
			continue;
		d = va - g->vaddr;
		if (d >= g->filesz || g->offset > UINT64_MAX - d)
			continue;
		*off = g->offset + d;
		*avail = g->filesz - d;
		return PN_OK;
	}
	return PN_ENOTFOUND;
}

static const struct shdr *
first_section(const struct elf *e, uint32_t type)
{
	size_t i;

	for (i = 1; i < e->nsh; i++)
		if (e->sh[i].type == type)
			return &e->sh[i];
	return NULL;
}

/* The linked string table of section s (sh_link), if there is one. */
static void
linked_strtab(struct elf *e, const struct shdr *s, struct strtab *t, const char *what)
{
	t->p = NULL;
	t->len = 0;
	if (s->link == 0 || s->link >= e->nsh || e->sh[s->link].type == SHT_NOBITS) {
		elf_note(e, PN_EFORMAT, "%s has no valid string table link (%u)", what, s->link);
		return;
	}
	strtab_at(e, e->sh[s->link].offset, e->sh[s->link].size, t, what);
}

static void
dyn_entry(struct elf *e, uint64_t tag, uint64_t val)
{
	struct dyninfo *d = &e->dyn;

	switch (tag) {
	case DT_NEEDED:
		if (d->nneeded < PN_ELF_MAX_NEEDED)
			d->needed[d->nneeded++] = val;
		else if (d->nneeded++ == PN_ELF_MAX_NEEDED)
			elf_note(e, PN_ELIMIT, "more than %u DT_NEEDED entries", PN_ELF_MAX_NEEDED);
		break;
	case DT_SONAME:   d->soname = val; break;
	case DT_RPATH:    d->rpath = val; break;
	case DT_RUNPATH:  d->runpath = val; break;
	case DT_STRTAB:   d->strtab = val; d->have |= DYN_HAVE_STRTAB; break;
	case DT_STRSZ:    d->strsz = val; d->have |= DYN_HAVE_STRSZ; break;
	case DT_SYMTAB:   d->symtab = val; d->have |= DYN_HAVE_SYMTAB; break;
	case DT_SYMENT:   d->syment = val; d->have |= DYN_HAVE_SYMENT; break;
	case DT_HASH:     d->hash = val; d->have |= DYN_HAVE_HASH; break;
	case DT_GNU_HASH: d->gnu_hash = val; d->have |= DYN_HAVE_GNU_HASH; break;
	}
}

/*
 * Read the dynamic table: the SHT_DYNAMIC section if there are section
 * headers, else the PT_DYNAMIC segment; its strings from the section's
 * sh_link, else from DT_STRTAB/DT_STRSZ mapped through PT_LOAD.
 */
static void
read_dynamic(struct elf *e)
{
	struct dyninfo *d = &e->dyn;
	const struct shdr *ds = first_section(e, SHT_DYNAMIC);
	struct pn_rd r;
	uint64_t off = 0, len = 0, tag, val, avail;
	size_t i, ent = e->is64 ? 16 : 8;

	d->soname = d->rpath = d->runpath = UINT64_MAX;
	if (ds != NULL) {
		off = ds->offset;
		len = ds->size;
	} else {
		for (i = 0; i < e->nph; i++) {
			if (e->ph[i].type == PT_DYNAMIC) {
				off = e->ph[i].offset;
				len = e->ph[i].filesz;
				break;
			}
		}
		if (i == e->nph)
			return;
	}
	if (file_range(e, off, len, &r) != PN_OK) {
		elf_note(e, PN_EFORMAT, "the dynamic table is outside the file");
		return;
	}
	d->have |= DYN_FOUND;
	for (i = 0; i < PN_ELF_MAX_DYN && pn_rd_left(&r) >= ent; i++) {
		if (rdw(e, &r, &tag) != PN_OK || rdw(e, &r, &val) != PN_OK || tag == DT_NULL)
			break;
		dyn_entry(e, tag, val);
	}
	if (i == PN_ELF_MAX_DYN)
		elf_note(e, PN_ELIMIT, "dynamic table read up to %u entries", PN_ELF_MAX_DYN);
	if (ds != NULL && ds->link != 0) {
		linked_strtab(e, ds, &d->str, "the dynamic section");
		return;
	}
	if (!(d->have & DYN_HAVE_STRTAB))
		return;
	if (va_to_off(e, d->strtab, &off, &avail) != PN_OK) {
		elf_note(e, PN_EFORMAT, "DT_STRTAB 0x%llx is not in a loaded segment",
		    (unsigned long long)d->strtab);
		return;
	}
	len = (d->have & DYN_HAVE_STRSZ) ? PN_MIN(d->strsz, avail) : avail;
	strtab_at(e, off, len, &d->str, "the dynamic string table");
}

static struct json_object *
dyn_string(struct elf *e, uint64_t off)
{
	char *s;
	struct json_object *o;

	s = name_at(e, &e->dyn.str, off);
	if (!out_take(e, strlen(s))) {
		free(s);
		return NULL;
	}
	o = json_object_new_string(s);
	free(s);
	return o;
}

static void
emit_dynamic(struct elf *e)
{
	struct dyninfo *d = &e->dyn;
	struct json_object *libs = json_object_new_array(), *o;
	size_t i, n = PN_MIN(d->nneeded, (size_t)PN_ELF_MAX_NEEDED);

	json_object_object_add(e->info, "shared_libraries", libs);
	for (i = 0; i < n; i++) {
		if ((o = dyn_string(e, d->needed[i])) == NULL)
			break;
		json_object_array_add(libs, o);
	}
	if (d->soname != UINT64_MAX && (o = dyn_string(e, d->soname)) != NULL)
		json_object_object_add(e->info, "soname", o);
	if (d->rpath != UINT64_MAX && (o = dyn_string(e, d->rpath)) != NULL)
		json_object_object_add(e->info, "rpath", o);
	if (d->runpath != UINT64_MAX && (o = dyn_string(e, d->runpath)) != NULL)
		json_object_object_add(e->info, "runpath", o);
}

/* ------------------------------------------------------------------ */
/* Dynamic symbols                                                     */

static int
rdu32_at(struct elf *e, uint64_t off, uint32_t *v)
{
	struct pn_rd r;

	if (pn_rd_at(&e->in, off, 4, &r) != PN_OK)
		return PN_EFORMAT;
	return rd32(e, &r, v);
}

/* Symbol count from DT_HASH: nchain (gABI ch. 5, "Hash Table"). */
static int
count_from_hash(struct elf *e, uint64_t *count)
{
	uint64_t off, avail;
	uint32_t nchain;

	if (va_to_off(e, e->dyn.hash, &off, &avail) != PN_OK || avail < 8 ||
	    rdu32_at(e, off + 4, &nchain) != PN_OK)
		return PN_EFORMAT;
	*count = nchain;
	return PN_OK;
}

/*
 * Symbol count from DT_GNU_HASH: nbuckets, symoffset, bloom_size,
 * bloom_shift, bloom words (ELF class size), buckets, then one chain word
 * per symbol from symoffset, the last of each chain with bit 0 set.  The
 * count is one past the end of the chain of the highest bucket.
 */
static int
count_from_gnu_hash(struct elf *e, uint64_t *count)
{
	uint64_t off, avail, buckets, chain, max = 0, i;
	uint32_t nbuckets, symoffset, bloom, v;

	if (va_to_off(e, e->dyn.gnu_hash, &off, &avail) != PN_OK || avail < 16 ||
	    rdu32_at(e, off, &nbuckets) != PN_OK || rdu32_at(e, off + 4, &symoffset) != PN_OK ||
	    rdu32_at(e, off + 8, &bloom) != PN_OK)
		return PN_EFORMAT;
	/* the buckets must lie in the segment: this also bounds the loop below */
	if ((uint64_t)bloom * (e->is64 ? 8 : 4) + (uint64_t)nbuckets * 4 > avail - 16)
		return PN_EFORMAT;
	buckets = off + 16 + (uint64_t)bloom * (e->is64 ? 8 : 4);
	chain = buckets + (uint64_t)nbuckets * 4;      /* < 2^32 * 12 + off: no overflow */
	for (i = 0; i < nbuckets; i++) {
		if (rdu32_at(e, buckets + i * 4, &v) != PN_OK)
			return PN_EFORMAT;   /* bounded by the file: each step reads 4 more bytes */
		if (v > max)
			max = v;
	}
	if (max < symoffset) {
		*count = symoffset;
		return PN_OK;
	}
	for (i = max; i - max < PN_ELF_MAX_SYMBOLS; i++) {
		if (rdu32_at(e, chain + (i - symoffset) * 4, &v) != PN_OK)
			return PN_EFORMAT;
		if (v & 1) {
			*count = i + 1;
			return PN_OK;
		}
	}
	*count = i;
	return PN_OK;
}

/* Where the dynamic symbols are: SHT_DYNSYM, else DT_SYMTAB with a hash table's count. */
static int
find_dynsym(struct elf *e, struct symsrc *src)
{
	const struct shdr *s = first_section(e, SHT_DYNSYM);
	uint64_t off, len, avail, count;

	if (s != NULL) {
		src->entsize = s->entsize >= SYM_SIZE(e) ? (size_t)PN_MIN(s->entsize, 4096) : SYM_SIZE(e);
		if (file_range(e, s->offset, s->size, &src->tab) != PN_OK) {
			elf_note(e, PN_EFORMAT, "the .dynsym section is outside the file");
			return PN_EFORMAT;
		}
		if (pn_rd_left(&src->tab) < s->size)
			elf_note(e, PN_EFORMAT, "the .dynsym section runs past the end of the file");
		src->count = s->size / src->entsize;
		linked_strtab(e, s, &src->str, "the .dynsym section");
		return PN_OK;
	}
	if (!(e->dyn.have & DYN_HAVE_SYMTAB))
		return PN_ENOTFOUND;
	src->entsize = (e->dyn.have & DYN_HAVE_SYMENT) && e->dyn.syment >= SYM_SIZE(e) ?
	    (size_t)PN_MIN(e->dyn.syment, 4096) : SYM_SIZE(e);
	if ((e->dyn.have & DYN_HAVE_GNU_HASH) && count_from_gnu_hash(e, &count) == PN_OK)
		;
	else if ((e->dyn.have & DYN_HAVE_HASH) && count_from_hash(e, &count) == PN_OK)
		;
	else {
		elf_note(e, PN_EFORMAT, "DT_SYMTAB without a readable hash table; symbols not listed");
		return PN_EFORMAT;
	}
	if (va_to_off(e, e->dyn.symtab, &off, &avail) != PN_OK) {
		elf_note(e, PN_EFORMAT, "DT_SYMTAB 0x%llx is not in a loaded segment",
		    (unsigned long long)e->dyn.symtab);
		return PN_EFORMAT;
	}
	len = count <= avail / src->entsize ? count * src->entsize : avail - avail % src->entsize;
	if (file_range(e, off, len, &src->tab) != PN_OK)
		return PN_EFORMAT;
	src->count = count;
	src->str = e->dyn.str;
	return PN_OK;
}

/* Names of imports worth a look (docs/internals/elf-macho.md). */
static const char *const notable[] = {
	/* debugging and tracing */
	"ptrace",
	/* processes */
	"execve", "execv", "execvp", "execvpe", "execl", "execlp", "execle", "fexecve",
	"system", "popen", "fork", "vfork", "clone", "daemon", "kill", "prctl",
	/* network */
	"socket", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom",
	"gethostbyname", "getaddrinfo", "inet_addr", "inet_pton",
	/* memory and code loading */
	"mprotect", "memfd_create", "dlopen", "dlsym", "process_vm_writev",
	/* privileges and persistence */
	"setuid", "setgid", "setreuid", "setresuid", "seteuid", "setegid", "chroot",
	"unlink", "chmod", "inotify_add_watch",
};

static int
is_notable(const char *name)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(notable); i++)
		if (strcmp(name, notable[i]) == 0)
			return 1;
	return 0;
}

struct symlists {
	struct json_object *imports, *exports, *notable;
	uint64_t nimports, nexports;
	int cut;
};

static void
list_add(struct elf *e, struct symlists *l, struct json_object *list, const char *name,
    const char *type)
{
	struct json_object *o;

	if (json_object_array_length(list) >= PN_ELF_MAX_LISTED) {
		if (!l->cut)
			elf_note(e, PN_ELIMIT, "import or export list cut at %u entries",
			    PN_ELF_MAX_LISTED);
		l->cut = 1;
		return;
	}
	if (!out_take(e, strlen(name) + strlen(type)))
		return;
	o = json_object_new_object();
	add_str(o, "name", name);
	add_str(o, "type", type);
	json_object_array_add(list, o);
}

/* Classify one symbol: undefined = import, defined global/weak visible = export. */
static void
one_symbol(struct elf *e, struct symlists *l, const struct symsrc *src, uint32_t name,
    uint8_t info, uint8_t other, uint16_t shndx)
{
	unsigned type = info & 0xf, bind = info >> 4, vis = other & 3;
	char tbuf[40], *s;
	const char *tname;

	if (name == 0 || type == STT_SECTION || type == STT_FILE)
		return;
	if (shndx != SHN_UNDEF && !(bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE))
		return;
	if (shndx != SHN_UNDEF && vis != STV_DEFAULT && vis != STV_PROTECTED)
		return;
	s = name_at(e, &src->str, name);
	tname = symbol_type_name(type, e->ident[7], tbuf, sizeof(tbuf));
	if (shndx == SHN_UNDEF) {
		l->nimports++;
		list_add(e, l, l->imports, s, tname);
		if (is_notable(s) && out_take(e, strlen(s)))
			json_object_array_add(l->notable, json_object_new_string(s));
	} else {
		l->nexports++;
		list_add(e, l, l->exports, s, tname);
	}
	free(s);
}

static uint64_t
walk_symbols(struct elf *e, const struct symsrc *src, struct symlists *l)
{
	uint64_t i, n = src->count;

	if (n > PN_ELF_MAX_SYMBOLS) {
		elf_note(e, PN_ELIMIT, "%llu dynamic symbols, only the first %u examined",
		    (unsigned long long)n, PN_ELF_MAX_SYMBOLS);
		n = PN_ELF_MAX_SYMBOLS;
	}
	for (i = 1; i < n; i++) {
		struct pn_rd r;
		uint32_t name;
		uint16_t shndx;
		uint8_t info, other;
		uint64_t skip;

		if (pn_rd_at(&src->tab, i * src->entsize, SYM_SIZE(e), &r) != PN_OK) {
			elf_note(e, PN_EFORMAT, "dynamic symbol table cut after %llu of %llu entries",
			    (unsigned long long)i, (unsigned long long)src->count);
			return i;
		}
		skip = e->is64 ? 0 : 8;   /* ELF32: st_value, st_size come first */
		if (rd32(e, &r, &name) != PN_OK || pn_rd_skip(&r, (size_t)skip) != PN_OK ||
		    pn_rd_u8(&r, &info) != PN_OK || pn_rd_u8(&r, &other) != PN_OK ||
		    rd16(e, &r, &shndx) != PN_OK)
			return i;
		one_symbol(e, l, src, name, info, other, shndx);
	}
	return n;
}

static void
emit_symbols(struct elf *e)
{
	struct symsrc src;
	struct symlists l;
	struct json_object *counts = json_object_new_object();
	const struct shdr *st = first_section(e, SHT_SYMTAB);
	uint64_t ndyn = 0;

	memset(&l, 0, sizeof(l));
	l.imports = json_object_new_array();
	l.exports = json_object_new_array();
	l.notable = json_object_new_array();
	memset(&src, 0, sizeof(src));
	if (find_dynsym(e, &src) == PN_OK) {
		walk_symbols(e, &src, &l);
		ndyn = src.count;
	}
	json_object_object_add(e->info, "import_list", l.imports);
	json_object_object_add(e->info, "export_list", l.exports);
	json_object_object_add(e->info, "notable_imports", l.notable);
	json_object_object_add(counts, "dynsym", json_object_new_uint64(ndyn));
	json_object_object_add(counts, "symtab", json_object_new_uint64(
	    st != NULL ? st->size / (st->entsize >= SYM_SIZE(e) ? st->entsize : SYM_SIZE(e)) : 0));
	json_object_object_add(counts, "imports", json_object_new_uint64(l.nimports));
	json_object_object_add(counts, "exports", json_object_new_uint64(l.nexports));
	json_object_object_add(e->info, "symbol_counts", counts);
	json_object_object_add(e->info, "stripped", json_object_new_boolean(st == NULL));
}

/* ------------------------------------------------------------------ */
/* Interpreter, build-id, packer hints                                 */

static void
emit_interpreter(struct elf *e)
{
	struct strtab t;
	size_t i;
	char *s;

	for (i = 0; i < e->nph; i++) {
		if (e->ph[i].type != PT_INTERP)
			continue;
		strtab_at(e, e->ph[i].offset, e->ph[i].filesz, &t, "PT_INTERP");
		if (t.p == NULL || t.len == 0)
			return;
		s = name_at(e, &t, 0);
		if (out_take(e, strlen(s)))
			add_str(e->info, "interpreter", s);
		free(s);
		return;
	}
}

/*
 * Walk the notes in [off, off+len) (gABI ch. 5 "Note Section": namesz,
 * descsz, type, name and desc each padded to the alignment) for
 * NT_GNU_BUILD_ID with name "GNU".
 */
static int
find_build_id(struct elf *e, uint64_t off, uint64_t len, uint64_t align)
{
	struct pn_rd r;
	uint64_t a = align == 8 ? 8 : 4;
	size_t i;

	if (file_range(e, off, len, &r) != PN_OK)
		return 0;
	for (i = 0; i < PN_ELF_MAX_NOTE_ENTRIES; i++) {
		uint32_t namesz, descsz, type;
		uint64_t npad, dpad;
		const uint8_t *name, *desc;
		char hex[2 * PN_ELF_MAX_BUILD_ID + 1];

		if (rd32(e, &r, &namesz) != PN_OK || rd32(e, &r, &descsz) != PN_OK ||
		    rd32(e, &r, &type) != PN_OK)
			return 0;
		npad = ((uint64_t)namesz + a - 1) & ~(a - 1);
		dpad = ((uint64_t)descsz + a - 1) & ~(a - 1);
		if (npad > pn_rd_left(&r) || pn_rd_bytes(&r, (size_t)npad, &name) != PN_OK ||
		    dpad > pn_rd_left(&r) || pn_rd_bytes(&r, (size_t)dpad, &desc) != PN_OK)
			return 0;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
		    descsz > 0) {
			pn_hex(desc, PN_MIN(descsz, (uint32_t)PN_ELF_MAX_BUILD_ID), hex);
			add_str(e->info, "build_id", hex);
			return 1;
		}
	}
	return 0;
}

static void
emit_build_id(struct elf *e)
{
	size_t i;

	for (i = 0; i < e->nph; i++)
		if (e->ph[i].type == PT_NOTE &&
		    find_build_id(e, e->ph[i].offset, e->ph[i].filesz, e->ph[i].align))
			return;
	for (i = 1; i < e->nsh; i++)
		if (e->sh[i].type == SHT_NOTE &&
		    find_build_id(e, e->sh[i].offset, e->sh[i].size, e->sh[i].align))
			return;
}

static void
hint(struct elf *e, const char *h)
{
	size_t i, n = json_object_array_length(e->hints);

	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(e->hints, i)), h) == 0)
			return;
	json_object_array_add(e->hints, json_object_new_string(h));
}

/* Entropy of executable PT_LOAD bytes, when there are no sections to look at. */
static void
segment_entropy_hint(struct elf *e)
{
	struct pn_rd r;
	size_t i;

	for (i = 0; i < e->nph; i++) {
		const struct phdr *g = &e->ph[i];

		if (g->type != PT_LOAD || !(g->flags & PF_X) || g->filesz == 0 ||
		    g->filesz > e->ent_left || file_range(e, g->offset, g->filesz, &r) != PN_OK ||
		    pn_rd_left(&r) == 0)
			continue;
		e->ent_left -= pn_rd_left(&r);
		if (pn_entropy(r.p, pn_rd_left(&r)) > PN_ELF_PACKED_ENTROPY)
			hint(e, "high_entropy_exec_segment");
	}
}

static void
emit_hints(struct elf *e)
{
	size_t i;
	int have_exec = 0, entry_in = 0;

	e->hints = json_object_new_array();
	json_object_object_add(e->info, "packer_hints", e->hints);
	/* UPX writes "UPX!" into its loader header and trailer. */
	if (memmem(e->in.p, pn_rd_left(&e->in), "UPX!", 4) != NULL)
		hint(e, "upx_magic");
	for (i = 1; i < e->nsh; i++) {
		const struct shdr *s = &e->sh[i];
		if (strncmp(s->cname, "UPX", 3) == 0)
			hint(e, "upx_section");
		if (!(s->flags & SHF_EXECINSTR))
			continue;
		have_exec = 1;
		if (s->entropy > PN_ELF_PACKED_ENTROPY)
			hint(e, "high_entropy_exec_section");
		if ((s->flags & SHF_ALLOC) && e->entry >= s->addr && e->entry - s->addr < s->size)
			entry_in = 1;
	}
	if (e->type == ET_EXEC || e->type == ET_DYN) {
		if (e->shnum == 0 || e->nsh == 0) {
			hint(e, "no_section_headers");
			segment_entropy_hint(e);
		}
		if (have_exec && !entry_in && e->entry != 0)
			hint(e, "entry_outside_exec_sections");
	}
	for (i = 0; i < e->nph; i++)
		if (e->ph[i].type == PT_LOAD && (e->ph[i].flags & (PF_W | PF_X)) == (PF_W | PF_X))
			hint(e, "rwx_segment");
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

static int
elf_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	return size >= 4 && memcmp(data, "\177ELF", 4) == 0 ? 100 : 0;
}

static int
elf_parse(struct pn_parse *p)
{
	struct elf e;
	size_t i;

	memset(&e, 0, sizeof(e));
	e.p = p;
	e.in = pn_rd_make(p->data, p->size);
	e.out_left = PN_ELF_MAX_OUTPUT;
	e.ent_left = PN_ELF_MAX_ENTROPY_BYTES;
	if (read_ehdr(&e) != PN_OK) {
		if (p->size >= 5 && p->data[4] != ELFCLASS32 && p->data[4] != ELFCLASS64)
			elf_note(&e, PN_EFORMAT, "unknown class %u", p->data[4]);
		else
			elf_note(&e, PN_EFORMAT, "file too short for the ELF header");
		return e.rc;
	}
	if (e.ident[5] != ELFDATA2LSB && e.ident[5] != ELFDATA2MSB)
		elf_note(&e, PN_EFORMAT, "unknown data encoding %u; read as little endian", e.ident[5]);
	e.info = json_object_new_object();
	json_object_object_add(p->attrs, "elf_info", e.info);
	extended_numbering(&e);
	emit_header(&e);
	read_sections(&e);
	read_segments(&e);
	section_names(&e);
	emit_sections(&e);
	emit_segments(&e);
	read_dynamic(&e);
	emit_dynamic(&e);
	emit_symbols(&e);
	emit_interpreter(&e);
	emit_build_id(&e);
	emit_hints(&e);
	for (i = 0; i < e.nsh; i++)
		free(e.sh[i].cname);
	free(e.sh);
	free(e.ph);
	return e.rc;
}

const struct pn_parser pn_parser_elf = { "elf", elf_bid, elf_parse };
