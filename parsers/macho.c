/*
 * macho.c - the Mach-O parser: adds "macho_info" to a file's attributes,
 * one entry per architecture (see macho.h for what is read and
 * docs/internals/elf-macho.md for the output).
 *
 * A thin file is one architecture; a universal file is a big-endian
 * fat_header + fat_arch table whose slices are each parsed as a thin file
 * inside the bounds of the slice (the slice is the "file" for every
 * offset its load commands hold: LC_CODE_SIGNATURE's dataoff, fileoff).
 * Load commands are walked once, inside [header end, header end +
 * sizeofcmds) cut at the slice's end; each command is read through its
 * own reader of cmdsize bytes, so a field past cmdsize is never read.
 *
 * Output shape per architecture (VirusTotal's: headers {magic, cpu_type,
 * cpu_subtype, file_type, flags, num_cmds, size_cmds}, commands [{type}],
 * segments [{name, vmaddr, vmsize, fileoff, filesize, sections [{name,
 * type, flags, ...}]}]); Panoptes extras: fat_arch, libs, dylib_id,
 * dylinker, rpaths, uuid, min_os, entrypoint, encrypted, num_symbols,
 * code_signature, entitlements, entitlements_xml, signature_blobs.  Tags:
 * "64bits" for a fat file with a 64-bit architecture (identification
 * gives "macho", and "64bits" for thin files only).
 *
 * Ownership: all JSON goes into p->attrs (the caller's); nothing else
 * outlives parse().
 * Limits: PN_MACHO_MAX_* (macho.h).  Errors: PN_OK, PN_EFORMAT (with
 * notes, partial output kept), PN_ELIMIT.
 * Spec: Apple <mach-o/loader.h> (mach_header(_64), load_command,
 * segment_command(_64), section(_64), dylib_command, dylinker_command,
 * rpath_command, uuid_command, linkedit_data_command,
 * version_min_command, build_version_command, entry_point_command,
 * encryption_info_command(_64), symtab_command), <mach-o/fat.h>,
 * <mach/machine.h>; xnu osfmk/kern/cs_blobs.h (CS_SuperBlob, CS_BlobIndex,
 * CSMAGIC_*, all big-endian).
 * See also: macho.h, tests/unit/test_macho.c, tests/fuzz/fuzz_macho.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "macho.h"
#include "rd.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* ------------------------------------------------------------------ */
/* Constants (loader.h, fat.h, machine.h, cs_blobs.h)                  */

#define MH_MAGIC      0xfeedfaceu
#define MH_CIGAM      0xcefaedfeu
#define MH_MAGIC_64   0xfeedfacfu
#define MH_CIGAM_64   0xcffaedfeu
#define FAT_MAGIC     0xcafebabeu
#define FAT_MAGIC_64  0xcafebabfu

#define CPU_ARCH_ABI64    0x01000000
#define CPU_ARCH_ABI64_32 0x02000000
#define CPU_SUBTYPE_MASK  0xff000000u

#define LC_REQ_DYLD          0x80000000u
#define LC_SEGMENT           0x1u
#define LC_SYMTAB            0x2u
#define LC_LOAD_DYLIB        0xcu
#define LC_ID_DYLIB          0xdu
#define LC_LOAD_DYLINKER     0xeu
#define LC_ID_DYLINKER       0xfu
#define LC_LOAD_WEAK_DYLIB   (0x18u | LC_REQ_DYLD)
#define LC_SEGMENT_64        0x19u
#define LC_UUID              0x1bu
#define LC_RPATH             (0x1cu | LC_REQ_DYLD)
#define LC_CODE_SIGNATURE    0x1du
#define LC_REEXPORT_DYLIB    (0x1fu | LC_REQ_DYLD)
#define LC_LAZY_LOAD_DYLIB   0x20u
#define LC_ENCRYPTION_INFO   0x21u
#define LC_LOAD_UPWARD_DYLIB (0x23u | LC_REQ_DYLD)
#define LC_VERSION_MIN_MACOSX   0x24u
#define LC_VERSION_MIN_IPHONEOS 0x25u
#define LC_MAIN              (0x28u | LC_REQ_DYLD)
#define LC_ENCRYPTION_INFO_64 0x2cu
#define LC_VERSION_MIN_TVOS  0x2fu
#define LC_VERSION_MIN_WATCHOS 0x30u
#define LC_BUILD_VERSION     0x32u

#define SECTION_TYPE       0x000000ffu
#define SECTION_ATTRIBUTES 0xffffff00u

#define CSMAGIC_EMBEDDED_SIGNATURE    0xfade0cc0u
#define CSMAGIC_REQUIREMENTS          0xfade0c01u
#define CSMAGIC_CODEDIRECTORY         0xfade0c02u
#define CSMAGIC_EMBEDDED_ENTITLEMENTS 0xfade7171u
#define CSMAGIC_EMBEDDED_DER_ENTITLEMENTS 0xfade7172u
#define CSMAGIC_BLOBWRAPPER           0xfade0b01u

#define MACH_HDR_SIZE(is64) ((is64) ? 32u : 28u)
#define SEG_SIZE(is64)      ((is64) ? 72u : 56u)
#define SECT_SIZE(is64)     ((is64) ? 80u : 68u)

/* ------------------------------------------------------------------ */
/* State                                                               */

struct macho {
	struct pn_parse *p;
	struct pn_rd in;          /* the whole file */
	int rc;                   /* PN_OK or the first problem */
	int nnotes;
	int out_spent;
	size_t out_left;          /* name bytes still allowed */
};

/* One architecture: a thin file or a slice of a fat one. */
struct slice {
	struct macho *m;
	struct pn_rd in;          /* the slice's bytes */
	unsigned idx;             /* architecture number, for notes */
	int be, is64;
	uint32_t magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags;
	uint32_t cs_off, cs_size; /* LC_CODE_SIGNATURE */
	int has_cs;
	size_t nsections, nlibs;
	struct json_object *o;    /* this architecture's entry */
	struct json_object *segments, *libs, *rpaths;
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

static void m_note(struct macho *m, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
m_note(struct macho *m, int rc, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (m->rc == PN_OK)
		m->rc = rc;
	if (m->nnotes >= PN_MACHO_MAX_NOTES)
		return;
	if (++m->nnotes == PN_MACHO_MAX_NOTES) {
		pn_parse_note(m->p, "macho: more problems not listed");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_fix(msg);
	pn_parse_note(m->p, "macho: %s", msg);
}

static int
out_take(struct macho *m, size_t n)
{
	n += 16;
	if (n > m->out_left) {
		if (!m->out_spent)
			m_note(m, PN_ELIMIT, "output limit of %u name bytes reached; lists cut",
			    PN_MACHO_MAX_OUTPUT);
		m->out_spent = 1;
		return 0;
	}
	m->out_left -= n;
	return 1;
}

static int
rd32(const struct slice *s, struct pn_rd *r, uint32_t *v)
{
	return s->be ? pn_rd_be32(r, v) : pn_rd_le32(r, v);
}

static int
rd64(const struct slice *s, struct pn_rd *r, uint64_t *v)
{
	uint32_t a, b;

	if (rd32(s, r, &a) != PN_OK || rd32(s, r, &b) != PN_OK)
		return PN_EFORMAT;
	*v = s->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return PN_OK;
}

/* A 32-bit or 64-bit field, by the slice's class. */
static int
rdw(const struct slice *s, struct pn_rd *r, int is64, uint64_t *v)
{
	uint32_t x;

	if (is64)
		return rd64(s, r, v);
	if (rd32(s, r, &x) != PN_OK)
		return PN_EFORMAT;
	*v = x;
	return PN_OK;
}

static void
add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static void
add_hex(struct json_object *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	add_str(o, key, buf);
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

/* A JSON string from n file bytes cut at the first NUL; NULL when the budget is spent. */
static struct json_object *
jname(struct macho *m, const uint8_t *s, size_t n)
{
	const uint8_t *nul = memchr(s, 0, n);
	struct json_object *o;
	char *c;

	if (nul != NULL)
		n = (size_t)(nul - s);
	if (n > PN_MACHO_MAX_NAME) {
		m_note(m, PN_ELIMIT, "a name longer than %u bytes was cut", PN_MACHO_MAX_NAME);
		n = PN_MACHO_MAX_NAME;
	}
	if (!out_take(m, n))
		return NULL;
	c = clean(s, n);
	o = json_object_new_string(c);
	free(c);
	return o;
}

/*
 * The lc_str of a command (loader.h "union lc_str"): a 32-bit offset at
 * field_off from the command's start to a string inside the command, past
 * its fixed part (min bytes).
 */
static struct json_object *
lc_str(struct slice *s, const struct pn_rd *cmd, size_t field_off, size_t min, const char *what)
{
	struct pn_rd r = *cmd;
	uint32_t off;
	size_t len = pn_rd_left(cmd);

	if (pn_rd_skip(&r, field_off) != PN_OK || rd32(s, &r, &off) != PN_OK)
		return NULL;
	if (off < min || off >= len) {
		m_note(s->m, PN_EFORMAT, "arch %u: %s name offset %u outside its command (%zu bytes)",
		    s->idx, what, off, len);
		return NULL;
	}
	if (memchr(cmd->p + off, 0, len - off) == NULL)
		m_note(s->m, PN_EFORMAT, "arch %u: %s name is not NUL-terminated", s->idx, what);
	return jname(s->m, cmd->p + off, len - off);
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

static const char *
cpu_type_name(uint32_t t, char *buf, size_t n)
{
	switch (t) {
	case 1: return "vax";
	case 6: return "mc680x0";
	case 7: return "i386";
	case 7 | CPU_ARCH_ABI64: return "x86_64";
	case 10: return "mc98000";
	case 11: return "hppa";
	case 12: return "arm";
	case 12 | CPU_ARCH_ABI64: return "arm64";
	case 12 | CPU_ARCH_ABI64_32: return "arm64_32";
	case 13: return "mc88000";
	case 14: return "sparc";
	case 15: return "i860";
	case 18: return "ppc";
	case 18 | CPU_ARCH_ABI64: return "ppc64";
	}
	snprintf(buf, n, "0x%x", t);
	return buf;
}

static const char *
cpu_subtype_name(uint32_t t, uint32_t st, char *buf, size_t n)
{
	static const char *const arm[] = {
		"ARM_ALL", NULL, NULL, NULL, NULL, "ARM_V4T", "ARM_V6", "ARM_V5TEJ", "ARM_XSCALE",
		"ARM_V7", "ARM_V7F", "ARM_V7S", "ARM_V7K", "ARM_V8", "ARM_V6M", "ARM_V7M",
		"ARM_V7EM", "ARM_V8M"
	};
	static const char *const arm64[] = { "ARM64_ALL", "ARM64_V8", "ARM64E" };

	st &= ~CPU_SUBTYPE_MASK;
	switch (t) {
	case 7:
		if (st == 3)
			return "I386_ALL";
		break;
	case 7 | CPU_ARCH_ABI64:
		if (st == 3)
			return "X86_64_ALL";
		if (st == 8)
			return "X86_64_H";
		break;
	case 12:
		if (st < PN_ARRAY_LEN(arm) && arm[st] != NULL)
			return arm[st];
		break;
	case 12 | CPU_ARCH_ABI64:
		if (st <= 2)
			return arm64[st];
		break;
	case 12 | CPU_ARCH_ABI64_32:
		if (st <= 1)
			return st == 0 ? "ARM64_32_ALL" : "ARM64_32_V8";
		break;
	case 18:
	case 18 | CPU_ARCH_ABI64:
		if (st == 0)
			return "POWERPC_ALL";
		break;
	}
	snprintf(buf, n, "0x%x", st);
	return buf;
}

static const char *
file_type_name(uint32_t t, char *buf, size_t n)
{
	static const char *const names[] = {
		NULL, "OBJECT", "EXECUTE", "FVMLIB", "CORE", "PRELOAD", "DYLIB", "DYLINKER",
		"BUNDLE", "DYLIB_STUB", "DSYM", "KEXT_BUNDLE", "FILESET", "GPU_EXECUTE", "GPU_DYLIB"
	};

	if (t < PN_ARRAY_LEN(names) && names[t] != NULL)
		return names[t];
	snprintf(buf, n, "0x%x", t);
	return buf;
}

/* mach_header flags, bit by bit (MH_ prefix dropped). */
static void
add_header_flags(struct json_object *h, uint32_t f)
{
	static const char *const names[32] = {
		"NOUNDEFS", "INCRLINK", "DYLDLINK", "BINDATLOAD", "PREBOUND", "SPLIT_SEGS",
		"LAZY_INIT", "TWOLEVEL", "FORCE_FLAT", "NOMULTIDEFS", "NOFIXPREBINDING",
		"PREBINDABLE", "ALLMODSBOUND", "SUBSECTIONS_VIA_SYMBOLS", "CANONICAL",
		"WEAK_DEFINES", "BINDS_TO_WEAK", "ALLOW_STACK_EXECUTION", "ROOT_SAFE",
		"SETUID_SAFE", "NO_REEXPORTED_DYLIBS", "PIE", "DEAD_STRIPPABLE_DYLIB",
		"HAS_TLV_DESCRIPTORS", "NO_HEAP_EXECUTION", "APP_EXTENSION_SAFE",
		"NLIST_OUTOFSYNC_WITH_DYLDINFO", "SIM_SUPPORT", NULL, NULL, NULL, "DYLIB_IN_CACHE"
	};
	struct json_object *a = json_object_new_array();
	char buf[16];
	unsigned i;

	for (i = 0; i < 32; i++) {
		if (!(f & (1u << i)))
			continue;
		if (names[i] != NULL)
			json_object_array_add(a, json_object_new_string(names[i]));
		else {
			snprintf(buf, sizeof(buf), "0x%x", 1u << i);
			json_object_array_add(a, json_object_new_string(buf));
		}
	}
	json_object_object_add(h, "flags", a);
}

static const char *
command_name(uint32_t c, char *buf, size_t n)
{
	static const char *const names[] = {
		NULL, "LC_SEGMENT", "LC_SYMTAB", "LC_SYMSEG", "LC_THREAD", "LC_UNIXTHREAD",
		"LC_LOADFVMLIB", "LC_IDFVMLIB", "LC_IDENT", "LC_FVMFILE", "LC_PREPAGE",
		"LC_DYSYMTAB", "LC_LOAD_DYLIB", "LC_ID_DYLIB", "LC_LOAD_DYLINKER",
		"LC_ID_DYLINKER", "LC_PREBOUND_DYLIB", "LC_ROUTINES", "LC_SUB_FRAMEWORK",
		"LC_SUB_UMBRELLA", "LC_SUB_CLIENT", "LC_SUB_LIBRARY", "LC_TWOLEVEL_HINTS",
		"LC_PREBIND_CKSUM", "LC_LOAD_WEAK_DYLIB", "LC_SEGMENT_64", "LC_ROUTINES_64",
		"LC_UUID", "LC_RPATH", "LC_CODE_SIGNATURE", "LC_SEGMENT_SPLIT_INFO",
		"LC_REEXPORT_DYLIB", "LC_LAZY_LOAD_DYLIB", "LC_ENCRYPTION_INFO", "LC_DYLD_INFO",
		"LC_LOAD_UPWARD_DYLIB", "LC_VERSION_MIN_MACOSX", "LC_VERSION_MIN_IPHONEOS",
		"LC_FUNCTION_STARTS", "LC_DYLD_ENVIRONMENT", "LC_MAIN", "LC_DATA_IN_CODE",
		"LC_SOURCE_VERSION", "LC_DYLIB_CODE_SIGN_DRS", "LC_ENCRYPTION_INFO_64",
		"LC_LINKER_OPTION", "LC_LINKER_OPTIMIZATION_HINT", "LC_VERSION_MIN_TVOS",
		"LC_VERSION_MIN_WATCHOS", "LC_NOTE", "LC_BUILD_VERSION", "LC_DYLD_EXPORTS_TRIE",
		"LC_DYLD_CHAINED_FIXUPS", "LC_FILESET_ENTRY", "LC_ATOM_INFO"
	};
	/* Commands that exist only with LC_REQ_DYLD set (loader.h). */
	static const uint32_t req[] = {
		0x18, 0x1c, 0x1f, 0x23, 0x28, 0x33, 0x34, 0x35
	};
	uint32_t base = c & ~LC_REQ_DYLD;
	size_t i;

	if (base < PN_ARRAY_LEN(names) && names[base] != NULL) {
		int needs = 0;
		for (i = 0; i < PN_ARRAY_LEN(req); i++)
			needs |= req[i] == base;
		if (base == 0x22)   /* LC_DYLD_INFO, and LC_DYLD_INFO_ONLY with the bit */
			return (c & LC_REQ_DYLD) ? "LC_DYLD_INFO_ONLY" : "LC_DYLD_INFO";
		if (needs == ((c & LC_REQ_DYLD) != 0))
			return names[base];
	}
	snprintf(buf, n, "0x%x", c);
	return buf;
}

static const char *
section_type_name(uint32_t t)
{
	static const char *const names[] = {
		"S_REGULAR", "S_ZEROFILL", "S_CSTRING_LITERALS", "S_4BYTE_LITERALS",
		"S_8BYTE_LITERALS", "S_LITERAL_POINTERS", "S_NON_LAZY_SYMBOL_POINTERS",
		"S_LAZY_SYMBOL_POINTERS", "S_SYMBOL_STUBS", "S_MOD_INIT_FUNC_POINTERS",
		"S_MOD_TERM_FUNC_POINTERS", "S_COALESCED", "S_GB_ZEROFILL", "S_INTERPOSING",
		"S_16BYTE_LITERALS", "S_DTRACE_DOF", "S_LAZY_DYLIB_SYMBOL_POINTERS",
		"S_THREAD_LOCAL_REGULAR", "S_THREAD_LOCAL_ZEROFILL", "S_THREAD_LOCAL_VARIABLES",
		"S_THREAD_LOCAL_VARIABLE_POINTERS", "S_THREAD_LOCAL_INIT_FUNCTION_POINTERS",
		"S_INIT_FUNC_OFFSETS"
	};

	return t < PN_ARRAY_LEN(names) ? names[t] : NULL;
}

static struct json_object *
section_attrs(uint32_t f)
{
	static const struct { uint32_t bit; const char *name; } attrs[] = {
		{ 0x80000000u, "S_ATTR_PURE_INSTRUCTIONS" }, { 0x40000000u, "S_ATTR_NO_TOC" },
		{ 0x20000000u, "S_ATTR_STRIP_STATIC_SYMS" }, { 0x10000000u, "S_ATTR_NO_DEAD_STRIP" },
		{ 0x08000000u, "S_ATTR_LIVE_SUPPORT" }, { 0x04000000u, "S_ATTR_SELF_MODIFYING_CODE" },
		{ 0x02000000u, "S_ATTR_DEBUG" }, { 0x00000400u, "S_ATTR_SOME_INSTRUCTIONS" },
		{ 0x00000200u, "S_ATTR_EXT_RELOC" }, { 0x00000100u, "S_ATTR_LOC_RELOC" },
	};
	struct json_object *a = json_object_new_array();
	uint32_t rest = f & SECTION_ATTRIBUTES;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(attrs); i++) {
		if (f & attrs[i].bit) {
			json_object_array_add(a, json_object_new_string(attrs[i].name));
			rest &= ~attrs[i].bit;
		}
	}
	if (rest != 0) {
		char buf[16];
		snprintf(buf, sizeof(buf), "0x%x", rest);
		json_object_array_add(a, json_object_new_string(buf));
	}
	return a;
}

static void
prot_str(uint32_t p, char out[4])
{
	out[0] = (p & 1) ? 'r' : '-';
	out[1] = (p & 2) ? 'w' : '-';
	out[2] = (p & 4) ? 'x' : '-';
	out[3] = '\0';
}

static const char *
platform_name(uint32_t p, char *buf, size_t n)
{
	static const char *const names[] = {
		NULL, "macos", "ios", "tvos", "watchos", "bridgeos", "maccatalyst",
		"iossimulator", "tvossimulator", "watchossimulator", "driverkit", "visionos",
		"visionossimulator"
	};

	if (p < PN_ARRAY_LEN(names) && names[p] != NULL)
		return names[p];
	snprintf(buf, n, "%u", p);
	return buf;
}

/* X.Y.Z packed in nibbles xxxx.yy.zz (loader.h version_min_command). */
static void
version_str(uint32_t v, char *buf, size_t n)
{
	if (v & 0xff)
		snprintf(buf, n, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
	else
		snprintf(buf, n, "%u.%u", v >> 16, (v >> 8) & 0xff);
}

/* ------------------------------------------------------------------ */
/* Load commands                                                       */

static void
section(struct slice *s, struct pn_rd *r, int is64, struct json_object *list)
{
	const uint8_t *sectname, *segname;
	uint64_t addr, size;
	uint32_t offset, align, reloff, nreloc, flags;
	struct json_object *o, *name;
	const char *tname;
	char buf[16];

	if (pn_rd_bytes(r, 16, &sectname) != PN_OK || pn_rd_bytes(r, 16, &segname) != PN_OK ||
	    rdw(s, r, is64, &addr) != PN_OK || rdw(s, r, is64, &size) != PN_OK ||
	    rd32(s, r, &offset) != PN_OK || rd32(s, r, &align) != PN_OK ||
	    rd32(s, r, &reloff) != PN_OK || rd32(s, r, &nreloc) != PN_OK ||
	    rd32(s, r, &flags) != PN_OK || pn_rd_skip(r, is64 ? 12 : 8) != PN_OK)
		return;   /* the caller sized the reader: cannot happen */
	if ((name = jname(s->m, sectname, 16)) == NULL)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "name", name);
	if ((tname = section_type_name(flags & SECTION_TYPE)) == NULL) {
		snprintf(buf, sizeof(buf), "0x%x", flags & SECTION_TYPE);
		tname = buf;
	}
	add_str(o, "type", tname);
	json_object_object_add(o, "flags", section_attrs(flags));
	add_hex(o, "addr", addr);
	add_hex(o, "size", size);
	add_hex(o, "offset", offset);
	json_object_array_add(list, o);
}

/* LC_SEGMENT / LC_SEGMENT_64 and its sections. */
static void
segment(struct slice *s, struct pn_rd *r, int is64)
{
	const uint8_t *segname;
	uint64_t vmaddr, vmsize, fileoff, filesize, fit, i;
	uint32_t maxprot, initprot, nsects, flags;
	struct json_object *o, *name, *sects;
	char prot[4];

	if (pn_rd_left(r) < SEG_SIZE(is64)) {
		m_note(s->m, PN_EFORMAT, "arch %u: segment command too short (%zu bytes)",
		    s->idx, pn_rd_left(r));
		return;
	}
	if (pn_rd_skip(r, 8) != PN_OK || pn_rd_bytes(r, 16, &segname) != PN_OK ||
	    rdw(s, r, is64, &vmaddr) != PN_OK || rdw(s, r, is64, &vmsize) != PN_OK ||
	    rdw(s, r, is64, &fileoff) != PN_OK || rdw(s, r, is64, &filesize) != PN_OK ||
	    rd32(s, r, &maxprot) != PN_OK || rd32(s, r, &initprot) != PN_OK ||
	    rd32(s, r, &nsects) != PN_OK || rd32(s, r, &flags) != PN_OK)
		return;
	if ((name = jname(s->m, segname, 16)) == NULL)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "name", name);
	add_hex(o, "vmaddr", vmaddr);
	add_hex(o, "vmsize", vmsize);
	add_hex(o, "fileoff", fileoff);
	add_hex(o, "filesize", filesize);
	prot_str(maxprot, prot);
	add_str(o, "maxprot", prot);
	prot_str(initprot, prot);
	add_str(o, "initprot", prot);
	sects = json_object_new_array();
	json_object_object_add(o, "sections", sects);
	json_object_array_add(s->segments, o);
	if (fileoff > pn_rd_left(&s->in) || filesize > pn_rd_left(&s->in) - fileoff)
		m_note(s->m, PN_EFORMAT, "arch %u: a segment's file range is outside the file", s->idx);
	fit = pn_rd_left(r) / SECT_SIZE(is64);
	if (nsects > fit) {
		m_note(s->m, PN_EFORMAT, "arch %u: segment claims %u sections, its command holds %llu",
		    s->idx, nsects, (unsigned long long)fit);
		nsects = (uint32_t)fit;
	}
	for (i = 0; i < nsects; i++) {
		if (s->nsections++ == PN_MACHO_MAX_SECTIONS) {
			m_note(s->m, PN_ELIMIT, "arch %u: more than %u sections; list cut", s->idx,
			    PN_MACHO_MAX_SECTIONS);
			return;
		}
		if (s->nsections > PN_MACHO_MAX_SECTIONS)
			return;
		section(s, r, is64, sects);
	}
}

static void
add_lib(struct slice *s, struct json_object *list, const struct pn_rd *cmd, size_t min,
    const char *what)
{
	struct json_object *name;

	if (pn_rd_left(cmd) < min) {
		m_note(s->m, PN_EFORMAT, "arch %u: %s command too short", s->idx, what);
		return;
	}
	if (s->nlibs++ == PN_MACHO_MAX_LIBS)
		m_note(s->m, PN_ELIMIT, "arch %u: more than %u dylibs and rpaths; list cut",
		    s->idx, PN_MACHO_MAX_LIBS);
	if (s->nlibs > PN_MACHO_MAX_LIBS)
		return;
	if ((name = lc_str(s, cmd, 8, min, what)) != NULL)
		json_object_array_add(list, name);
}

static void
one_name(struct slice *s, const struct pn_rd *cmd, size_t min, const char *key)
{
	struct json_object *name;

	if (pn_rd_left(cmd) < min) {
		m_note(s->m, PN_EFORMAT, "arch %u: %s command too short", s->idx, key);
		return;
	}
	if ((name = lc_str(s, cmd, 8, min, key)) != NULL)
		json_object_object_add(s->o, key, name);
}

static void
uuid(struct slice *s, struct pn_rd *r)
{
	const uint8_t *u;
	char buf[40];

	if (pn_rd_skip(r, 8) != PN_OK || pn_rd_bytes(r, 16, &u) != PN_OK) {
		m_note(s->m, PN_EFORMAT, "arch %u: LC_UUID too short", s->idx);
		return;
	}
	snprintf(buf, sizeof(buf),
	    "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
	    u[12], u[13], u[14], u[15]);
	add_str(s->o, "uuid", buf);
}

static void
min_os(struct slice *s, struct pn_rd *r, uint32_t cmd)
{
	struct json_object *o;
	uint32_t platform, version, sdk;
	char buf[32];

	if (pn_rd_skip(r, 8) != PN_OK)
		return;
	switch (cmd) {
	case LC_VERSION_MIN_MACOSX:   platform = 1; break;
	case LC_VERSION_MIN_IPHONEOS: platform = 2; break;
	case LC_VERSION_MIN_TVOS:     platform = 3; break;
	case LC_VERSION_MIN_WATCHOS:  platform = 4; break;
	default:                      /* LC_BUILD_VERSION */
		if (rd32(s, r, &platform) != PN_OK)
			platform = 0;
		break;
	}
	if (rd32(s, r, &version) != PN_OK || rd32(s, r, &sdk) != PN_OK) {
		m_note(s->m, PN_EFORMAT, "arch %u: version command too short", s->idx);
		return;
	}
	o = json_object_new_object();
	add_str(o, "platform", platform_name(platform, buf, sizeof(buf)));
	version_str(version, buf, sizeof(buf));
	add_str(o, "version", buf);
	version_str(sdk, buf, sizeof(buf));
	add_str(o, "sdk", buf);
	json_object_object_add(s->o, "min_os", o);
}

static void
command(struct slice *s, uint32_t cmd, struct pn_rd *r)
{
	struct pn_rd c = *r;
	uint64_t v64;
	uint32_t a, b, cryptid;

	switch (cmd) {
	case LC_SEGMENT:
	case LC_SEGMENT_64:
		segment(s, &c, cmd == LC_SEGMENT_64);
		break;
	case LC_LOAD_DYLIB: case LC_LOAD_WEAK_DYLIB: case LC_REEXPORT_DYLIB:
	case LC_LAZY_LOAD_DYLIB: case LC_LOAD_UPWARD_DYLIB:
		add_lib(s, s->libs, r, 24, "dylib");
		break;
	case LC_RPATH:
		add_lib(s, s->rpaths, r, 12, "rpath");
		break;
	case LC_ID_DYLIB:
		one_name(s, r, 24, "dylib_id");
		break;
	case LC_LOAD_DYLINKER:
	case LC_ID_DYLINKER:
		one_name(s, r, 12, "dylinker");
		break;
	case LC_UUID:
		uuid(s, &c);
		break;
	case LC_VERSION_MIN_MACOSX: case LC_VERSION_MIN_IPHONEOS: case LC_VERSION_MIN_TVOS:
	case LC_VERSION_MIN_WATCHOS: case LC_BUILD_VERSION:
		min_os(s, &c, cmd);
		break;
	case LC_MAIN:
		if (pn_rd_skip(&c, 8) == PN_OK && rd64(s, &c, &v64) == PN_OK)
			json_object_object_add(s->o, "entrypoint", json_object_new_uint64(v64));
		break;
	case LC_ENCRYPTION_INFO:
	case LC_ENCRYPTION_INFO_64:
		if (pn_rd_skip(&c, 8) == PN_OK && rd32(s, &c, &a) == PN_OK &&
		    rd32(s, &c, &b) == PN_OK && rd32(s, &c, &cryptid) == PN_OK)
			json_object_object_add(s->o, "encrypted", json_object_new_boolean(cryptid != 0));
		break;
	case LC_SYMTAB:
		if (pn_rd_skip(&c, 12) == PN_OK && rd32(s, &c, &a) == PN_OK)
			json_object_object_add(s->o, "num_symbols", json_object_new_int64(a));
		break;
	case LC_CODE_SIGNATURE:
		if (pn_rd_skip(&c, 8) == PN_OK && rd32(s, &c, &a) == PN_OK &&
		    rd32(s, &c, &b) == PN_OK) {
			s->has_cs = 1;
			s->cs_off = a;
			s->cs_size = b;
		} else
			m_note(s->m, PN_EFORMAT, "arch %u: LC_CODE_SIGNATURE too short", s->idx);
		break;
	}
}

/*
 * Walk ncmds load commands inside [hdr, hdr + sizeofcmds).  cmdsize must
 * be at least 8 and, as dyld requires, a multiple of 8 (64-bit) or 4.
 */
static void
walk_commands(struct slice *s, struct json_object *list)
{
	size_t hdr = MACH_HDR_SIZE(s->is64), left = pn_rd_left(&s->in) - hdr, off = 0;
	uint32_t i, n = s->ncmds, align = s->is64 ? 8 : 4;
	struct pn_rd area;
	char buf[16];

	if (s->sizeofcmds > left)
		m_note(s->m, PN_EFORMAT, "arch %u: sizeofcmds %u runs past the end of the file",
		    s->idx, s->sizeofcmds);
	else
		left = s->sizeofcmds;
	(void)pn_rd_at(&s->in, hdr, left, &area);   /* hdr + left <= slice size */
	if (n > PN_MACHO_MAX_CMDS) {
		m_note(s->m, PN_ELIMIT, "arch %u: %u load commands, only the first %u read",
		    s->idx, n, PN_MACHO_MAX_CMDS);
		n = PN_MACHO_MAX_CMDS;
	}
	for (i = 0; i < n; i++) {
		struct pn_rd r = area, c;
		uint32_t cmd, size;
		struct json_object *o;

		if (pn_rd_skip(&r, off) != PN_OK || rd32(s, &r, &cmd) != PN_OK ||
		    rd32(s, &r, &size) != PN_OK) {
			m_note(s->m, PN_EFORMAT, "arch %u: load command %u of %u is outside sizeofcmds",
			    s->idx, i, s->ncmds);
			return;
		}
		if (size < 8 || size > left - off) {
			m_note(s->m, PN_EFORMAT, "arch %u: load command %u has a bad cmdsize %u",
			    s->idx, i, size);
			return;
		}
		if (size % align != 0)
			m_note(s->m, PN_EFORMAT, "arch %u: load command %u cmdsize %u is not a "
			    "multiple of %u", s->idx, i, size, align);
		(void)pn_rd_at(&area, off, size, &c);
		if (!out_take(s->m, 24))
			return;
		o = json_object_new_object();
		add_str(o, "type", command_name(cmd, buf, sizeof(buf)));
		json_object_array_add(list, o);
		command(s, cmd, &c);
		off += size;
	}
}

/* ------------------------------------------------------------------ */
/* Code signature                                                      */

static const char *
blob_name(uint32_t magic)
{
	switch (magic) {
	case CSMAGIC_CODEDIRECTORY:             return "CodeDirectory";
	case CSMAGIC_REQUIREMENTS:              return "Requirements";
	case CSMAGIC_EMBEDDED_ENTITLEMENTS:     return "Entitlements";
	case CSMAGIC_EMBEDDED_DER_ENTITLEMENTS: return "DER Entitlements";
	case CSMAGIC_BLOBWRAPPER:               return "CMS Signature";
	}
	return NULL;
}

static void
entitlements_xml(struct slice *s, const struct pn_rd *blob)
{
	size_t n = pn_rd_left(blob);
	struct json_object *o;
	char *c;

	if (n > PN_MACHO_MAX_ENTITLEMENTS) {
		m_note(s->m, PN_ELIMIT, "arch %u: entitlements cut at %u bytes", s->idx,
		    PN_MACHO_MAX_ENTITLEMENTS);
		n = PN_MACHO_MAX_ENTITLEMENTS;
	}
	if (!out_take(s->m, n))
		return;
	c = clean(blob->p, n);
	o = json_object_new_string(c);
	free(c);
	json_object_object_add(s->o, "entitlements_xml", o);
}

/* One CS_BlobIndex entry: a blob (magic, length, payload) at off in the SuperBlob. */
static int
one_blob(struct slice *s, const struct pn_rd *sb, uint32_t off, struct json_object *names)
{
	struct pn_rd r, payload;
	uint32_t magic, length;
	const char *name;
	char buf[16];
	int ent = 0;

	if (pn_rd_at(sb, off, 8, &r) != PN_OK || pn_rd_be32(&r, &magic) != PN_OK ||
	    pn_rd_be32(&r, &length) != PN_OK) {
		m_note(s->m, PN_EFORMAT, "arch %u: a signature blob is outside the SuperBlob", s->idx);
		return 0;
	}
	if ((name = blob_name(magic)) == NULL) {
		snprintf(buf, sizeof(buf), "0x%08x", magic);
		name = buf;
	}
	json_object_array_add(names, json_object_new_string(name));
	if (length < 8 || pn_rd_at(sb, off, length, &payload) != PN_OK) {
		m_note(s->m, PN_EFORMAT, "arch %u: signature blob %s has a bad length %u",
		    s->idx, name, length);
		return magic == CSMAGIC_EMBEDDED_ENTITLEMENTS || magic == CSMAGIC_EMBEDDED_DER_ENTITLEMENTS;
	}
	(void)pn_rd_skip(&payload, 8);
	if (magic == CSMAGIC_EMBEDDED_ENTITLEMENTS) {
		entitlements_xml(s, &payload);
		ent = 1;
	} else if (magic == CSMAGIC_EMBEDDED_DER_ENTITLEMENTS)
		ent = 1;
	return ent;
}

/*
 * The embedded signature at LC_CODE_SIGNATURE's dataoff: a CS_SuperBlob
 * (magic 0xfade0cc0, length, count, then count {type, offset} pairs, all
 * big-endian) whose blobs each start with magic and length.
 */
static void
code_signature(struct slice *s)
{
	struct pn_rd sb, r;
	uint32_t magic, length, count, i;
	struct json_object *names;
	int ent = 0;

	json_object_object_add(s->o, "code_signature", json_object_new_boolean(s->has_cs));
	if (!s->has_cs) {
		json_object_object_add(s->o, "entitlements", json_object_new_boolean(0));
		return;
	}
	if (pn_rd_at(&s->in, s->cs_off, s->cs_size, &sb) != PN_OK) {
		m_note(s->m, PN_EFORMAT, "arch %u: the code signature is outside the file", s->idx);
		json_object_object_add(s->o, "entitlements", json_object_new_boolean(0));
		return;
	}
	r = sb;
	if (pn_rd_be32(&r, &magic) != PN_OK || pn_rd_be32(&r, &length) != PN_OK ||
	    pn_rd_be32(&r, &count) != PN_OK || magic != CSMAGIC_EMBEDDED_SIGNATURE) {
		m_note(s->m, PN_EFORMAT, "arch %u: the code signature is not a SuperBlob", s->idx);
		json_object_object_add(s->o, "entitlements", json_object_new_boolean(0));
		return;
	}
	if (length < pn_rd_left(&sb)) {
		/* The SuperBlob's own length bounds its index and blobs (>= the 12 read). */
		sb.end = sb.p + PN_MAX(length, 12u);
		r.end = sb.end;
	}
	names = json_object_new_array();
	json_object_object_add(s->o, "signature_blobs", names);
	if (count > PN_MACHO_MAX_BLOBS) {
		m_note(s->m, PN_ELIMIT, "arch %u: SuperBlob with %u blobs, %u read", s->idx, count,
		    PN_MACHO_MAX_BLOBS);
		count = PN_MACHO_MAX_BLOBS;
	}
	for (i = 0; i < count; i++) {
		uint32_t type, off;

		if (pn_rd_be32(&r, &type) != PN_OK || pn_rd_be32(&r, &off) != PN_OK) {
			m_note(s->m, PN_EFORMAT, "arch %u: SuperBlob index cut after %u entries",
			    s->idx, i);
			break;
		}
		ent |= one_blob(s, &sb, off, names);
	}
	json_object_object_add(s->o, "entitlements", json_object_new_boolean(ent));
}

/* ------------------------------------------------------------------ */
/* Architectures                                                       */

static int
thin_magic(uint32_t le, int *be, int *is64)
{
	switch (le) {
	case MH_MAGIC:    *be = 0; *is64 = 0; return 1;
	case MH_MAGIC_64: *be = 0; *is64 = 1; return 1;
	case MH_CIGAM:    *be = 1; *is64 = 0; return 1;
	case MH_CIGAM_64: *be = 1; *is64 = 1; return 1;
	}
	return 0;
}

static void
emit_headers(struct slice *s)
{
	struct json_object *h = json_object_new_object();
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%x", s->magic);
	add_str(h, "magic", buf);
	add_str(h, "cpu_type", cpu_type_name(s->cputype, buf, sizeof(buf)));
	add_str(h, "cpu_subtype", cpu_subtype_name(s->cputype, s->cpusubtype, buf, sizeof(buf)));
	add_str(h, "file_type", file_type_name(s->filetype, buf, sizeof(buf)));
	add_header_flags(h, s->flags);
	json_object_object_add(h, "num_cmds", json_object_new_int64(s->ncmds));
	json_object_object_add(h, "size_cmds", json_object_new_int64(s->sizeofcmds));
	json_object_object_add(s->o, "headers", h);
}

/* Parse one thin Mach-O in s->in into s->o; 0 if it is not one. */
static int
thin(struct slice *s)
{
	struct pn_rd r = s->in;
	uint32_t le, x;
	struct json_object *commands;

	if (pn_rd_le32(&r, &le) != PN_OK || !thin_magic(le, &s->be, &s->is64))
		return 0;
	if (pn_rd_left(&s->in) < MACH_HDR_SIZE(s->is64)) {
		m_note(s->m, PN_EFORMAT, "arch %u: file too short for the Mach-O header", s->idx);
		return 1;
	}
	s->magic = s->is64 ? MH_MAGIC_64 : MH_MAGIC;
	if (rd32(s, &r, &s->cputype) != PN_OK || rd32(s, &r, &s->cpusubtype) != PN_OK ||
	    rd32(s, &r, &s->filetype) != PN_OK || rd32(s, &r, &s->ncmds) != PN_OK ||
	    rd32(s, &r, &s->sizeofcmds) != PN_OK || rd32(s, &r, &s->flags) != PN_OK ||
	    (s->is64 && rd32(s, &r, &x) != PN_OK))
		return 1;   /* cannot happen: the length was checked above */
	emit_headers(s);
	commands = json_object_new_array();
	s->segments = json_object_new_array();
	s->libs = json_object_new_array();
	s->rpaths = json_object_new_array();
	json_object_object_add(s->o, "commands", commands);
	json_object_object_add(s->o, "segments", s->segments);
	json_object_object_add(s->o, "libs", s->libs);
	json_object_object_add(s->o, "rpaths", s->rpaths);
	walk_commands(s, commands);
	code_signature(s);
	return 1;
}

static void
fat_arch_info(struct json_object *o, uint32_t cputype, uint32_t cpusubtype, uint64_t off,
    uint64_t size, uint32_t align)
{
	struct json_object *a = json_object_new_object();
	char buf[24];

	add_str(a, "cpu_type", cpu_type_name(cputype, buf, sizeof(buf)));
	add_str(a, "cpu_subtype", cpu_subtype_name(cputype, cpusubtype, buf, sizeof(buf)));
	json_object_object_add(a, "offset", json_object_new_uint64(off));
	json_object_object_add(a, "size", json_object_new_uint64(size));
	json_object_object_add(a, "align", json_object_new_int64(align));
	json_object_object_add(o, "fat_arch", a);
}

/* One fat_arch / fat_arch_64 entry and its slice. */
static void
fat_entry(struct macho *m, struct pn_rd *r, int is64, unsigned idx, struct json_object *list)
{
	struct slice s;
	uint32_t cputype, cpusubtype, off32, size32, align, reserved;
	uint64_t off, size;

	if (pn_rd_be32(r, &cputype) != PN_OK || pn_rd_be32(r, &cpusubtype) != PN_OK)
		return;
	if (is64) {
		uint32_t hi, lo;
		if (pn_rd_be32(r, &hi) || pn_rd_be32(r, &lo))
			return;
		off = (uint64_t)hi << 32 | lo;
		if (pn_rd_be32(r, &hi) || pn_rd_be32(r, &lo))
			return;
		size = (uint64_t)hi << 32 | lo;
		if (pn_rd_be32(r, &align) || pn_rd_be32(r, &reserved))
			return;
	} else {
		if (pn_rd_be32(r, &off32) || pn_rd_be32(r, &size32) || pn_rd_be32(r, &align))
			return;
		off = off32;
		size = size32;
	}
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.idx = idx;
	s.o = json_object_new_object();
	json_object_array_add(list, s.o);
	fat_arch_info(s.o, cputype, cpusubtype, off, size, align);
	/* identification tags thin 64-bit files only; a fat one gets it here */
	if (cputype & CPU_ARCH_ABI64)
		pn_parse_tag(m->p, "64bits");
	if (pn_rd_at(&m->in, off, size, &s.in) != PN_OK) {
		m_note(m, PN_EFORMAT, "arch %u: slice at %llu (%llu bytes) is outside the file",
		    idx, (unsigned long long)off, (unsigned long long)size);
		return;
	}
	if (thin(&s))
		return;
	if (size >= 8 && memcmp(s.in.p, "!<arch>\n", 8) == 0)
		m_note(m, PN_EFORMAT, "arch %u: slice is a static library, not a Mach-O", idx);
	else
		m_note(m, PN_EFORMAT, "arch %u: slice is not a Mach-O", idx);
}

static void
fat(struct macho *m, struct json_object *list)
{
	struct pn_rd r = m->in;
	uint32_t n, i;
	int is64;

	/* kind() saw the 8 bytes of fat_header: magic, nfat_arch. */
	is64 = pn_be32(r.p) == FAT_MAGIC_64;
	n = pn_be32(r.p + 4);
	(void)pn_rd_skip(&r, 8);
	if (n > PN_MACHO_MAX_ARCHS) {
		m_note(m, PN_ELIMIT, "%u architectures, only the first %u read", n, PN_MACHO_MAX_ARCHS);
		n = PN_MACHO_MAX_ARCHS;
	}
	for (i = 0; i < n; i++) {
		if (pn_rd_left(&r) < (is64 ? 32u : 20u)) {
			m_note(m, PN_EFORMAT, "fat header cut after %u of %u architectures", i, n);
			return;
		}
		fat_entry(m, &r, is64, i, list);
	}
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

/* 0: not ours; 1: thin; 2: fat (nfat_arch plausible, see macho.h). */
static int
kind(const uint8_t *data, size_t size)
{
	int be, is64;
	uint32_t n;

	if (size < 8)
		return 0;
	if (thin_magic(pn_le32(data), &be, &is64))
		return 1;
	if (pn_be32(data) != FAT_MAGIC && pn_be32(data) != FAT_MAGIC_64)
		return 0;
	n = pn_be32(data + 4);
	return n >= 1 && n <= PN_MACHO_FAT_PLAUSIBLE ? 2 : 0;
}

static int
macho_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	return kind(data, size) ? 100 : 0;
}

static int
macho_parse(struct pn_parse *p)
{
	struct macho m;
	struct json_object *list;
	int k = kind(p->data, p->size);

	memset(&m, 0, sizeof(m));
	m.p = p;
	m.in = pn_rd_make(p->data, p->size);
	m.out_left = PN_MACHO_MAX_OUTPUT;
	if (k == 0)
		return PN_EFORMAT;
	list = json_object_new_array();
	json_object_object_add(p->attrs, "macho_info", list);
	if (k == 2) {
		fat(&m, list);
	} else {
		struct slice s;

		memset(&s, 0, sizeof(s));
		s.m = &m;
		s.in = m.in;
		s.o = json_object_new_object();
		json_object_array_add(list, s.o);
		(void)thin(&s);
	}
	return m.rc;
}

const struct pn_parser pn_parser_macho = { "macho", macho_bid, macho_parse };
