/*
 * identify.c - what kind of file is this?  The "details" attributes of a
 * file report (VT-API.md §5.2): magic, type_description, type_tag,
 * type_extension, type_tags, tags, mime_type, ssdeep, tlsh.
 *
 * Three steps, content first:
 *   1. header probes read the bytes through a bounded reader: MZ/PE (EXE
 *      or DLL, PE32 or PE32+, CLR header), MZ/NE, ELF (class; shared
 *      library or executable, PIE by DF_1_PIE as libmagic decides), thin
 *      Mach-O (64-bit or not);
 *   2. libmagic gives its description (MAGIC_NONE) and MIME type
 *      (MAGIC_MIME_TYPE) of the same buffer.  From a buffer libmagic has
 *      no descriptor, so ELF descriptions stop after the header fields
 *      ("ELF 64-bit LSB shared object, x86-64, version 1 (SYSV)", even for
 *      a PIE): the probe, not the text, tells a library from a PIE;
 *   3. the first line of rules[] whose probe, MIME glob, description glob
 *      and name-hint extensions all match names the type.  Name-hint lines
 *      require MIME text/plain: the submitted name never overrides content.
 * Adding a format is adding a line to rules[] (docs/internals/identify.md).
 *
 * libmagic lives in one static magic_t, loaded by pn_identify_init() or on
 * first use; not thread-safe (identify.h).  Results hold no allocations
 * except pn_identify_details()'s string, which the caller frees.
 *
 * Limits: PN_IDENTIFY_MAX_MAGIC, PN_IDENTIFY_MAX_MIME, PN_IDENTIFY_MAX_EXT,
 * PN_IDENTIFY_MAX_ELF_DYN (identify.h).  libmagic text is cut at a UTF-8 boundary, invalid UTF-8
 * becomes '?' and control characters spaces, so the JSON is always valid.
 * Errors: none reach the caller for any input; a libmagic that cannot be
 * loaded is logged and leaves magic/mime_type out (probes still work).
 * Spec: Microsoft PE/COFF specification rev 12 (§2 MS-DOS stub, §3.3 COFF
 * header, §3.4 optional header, §3.4.3 data directories: CLR runtime
 * header is entry 14); System V gABI ch. 4 (ELF identification, program
 * header) and ch. 5 (dynamic section: DT_FLAGS_1 DF_1_PIE); Apple
 * <mach-o/loader.h> (MH_MAGIC, MH_MAGIC_64); Microsoft "Executable-File
 * Header Format" (NE, flag 0x8000 = library module).
 * See also: identify.h, docs/internals/identify.md, lib/hash.h,
 * tests/unit/test_identify.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "rd.h"
#include "hash.h"
#include "identify.h"
#include "parser.h"

#include <fnmatch.h>
#include <string.h>

#include <json-c/json.h>
#include <magic.h>

/* ------------------------------------------------------------------ */
/* The rule table                                                      */

/* What the header probes saw. */
enum probe {
	P_ANY = 0,   /* in a rule: no requirement */
	P_NONE,      /* nothing recognised */
	P_PE_EXE,    /* MZ + PE\0\0, IMAGE_FILE_DLL clear */
	P_PE_DLL,    /* MZ + PE\0\0, IMAGE_FILE_DLL set */
	P_NE_EXE,    /* MZ + NE, not a library module */
	P_NE_DLL,    /* MZ + NE, library module */
	P_MZ,        /* MZ without a PE or NE header */
	P_ELF,       /* \x7fELF with class 1 or 2, not a shared library */
	P_ELF_SO,    /* ELF ET_DYN without DF_1_PIE: a shared library */
	P_MACHO      /* thin Mach-O (MH_MAGIC or MH_MAGIC_64, either order) */
};

/*
 * One line per type.  Every non-empty condition must hold; the first line
 * that matches wins, so specific lines go before general ones.  Patterns
 * are fnmatch(3) globs.  `names` lists name-hint extensions (lower case,
 * space-separated) and is only used together with mime "text/plain".
 * Values marked [VT] were checked against real VirusTotal reports (hashes
 * in docs/internals/identify.md); the others follow VT's naming as far as
 * known.  PE32+ is "Win32 EXE"/"Win32 DLL" with type_tags "win32" and the
 * tag "64bits", as VT shows it (sample md5 37ece581c10a7a88ee6c666b13807a03,
 * "PE32+ executable (console) x86-64").
 */
struct id_rule {
	enum probe probe;       /* required probe result, P_ANY for none */
	const char *mime;       /* glob on libmagic's MIME type, or NULL */
	const char *magic;      /* glob on libmagic's description, or NULL */
	const char *names;      /* name-hint extensions, or NULL */
	const char *desc;       /* type_description */
	const char *tag;        /* type_tag; also the first entry of tags */
	const char *ext;        /* type_extension, NULL to omit */
	const char *type_tags;  /* type_tags, space-separated */
};

#define EXE_WIN  "executable windows win32 pe"
#define OOXML    "application/vnd.openxmlformats-officedocument."

static const struct id_rule rules[] = {
	/* executables, from the header probes */
	{ P_PE_EXE, NULL, NULL, NULL, "Win32 EXE", "peexe", "exe", EXE_WIN " peexe" },  /* [VT] */
	{ P_PE_DLL, NULL, NULL, NULL, "Win32 DLL", "pedll", "dll", EXE_WIN " pedll" },  /* [VT] */
	{ P_NE_EXE, NULL, NULL, NULL, "Win16 EXE", "neexe", "exe", "executable windows win16 ne neexe" },
	{ P_NE_DLL, NULL, NULL, NULL, "Win16 DLL", "nedll", "dll", "executable windows win16 ne nedll" },
	{ P_MZ, "application/x-dosexec", NULL, NULL, "DOS EXE", "mz", "exe", "executable windows mz" },
	{ P_ELF_SO, NULL, NULL, NULL, "ELF", "elf", "so", "executable linux elf" },          /* [VT] */
	{ P_ELF, NULL, NULL, NULL, "ELF", "elf", NULL, "executable linux elf" },             /* [VT] */
	{ P_MACHO, NULL, NULL, NULL, "Mach-O", "macho", NULL, "executable mac macho" },
	{ P_ANY, "application/x-mach-binary", NULL, NULL, "Mach-O", "macho", NULL, "executable mac macho" },
	{ P_ANY, "application/vnd.android.package-archive", NULL, NULL, "Android", "android", "apk", "executable android apk" },
	{ P_ANY, "application/java-archive", NULL, NULL, "JAR", "jar", "jar", "executable java jar" },
	{ P_ANY, "application/x-java-applet", NULL, NULL, "Java Bytecode", "class", "class", "executable java class" },
	{ P_ANY, NULL, "Dalvik dex file*", NULL, "DEX", "dex", "dex", "executable android dex" },

	/* documents */
	{ P_ANY, "application/pdf", NULL, NULL, "PDF", "pdf", "pdf", "document pdf" },  /* [VT] */
	{ P_ANY, OOXML "wordprocessingml.*", NULL, NULL, "Office Open XML Document", "docx", "docx", "document msoffice text word docx" },
	{ P_ANY, OOXML "spreadsheetml.*", NULL, NULL, "Office Open XML Spreadsheet", "xlsx", "xlsx", "document msoffice spreadsheet excel xlsx" },  /* [VT] */
	{ P_ANY, OOXML "presentationml.*", NULL, NULL, "Office Open XML Presentation", "pptx", "pptx", "document msoffice presentation powerpoint pptx" },
	{ P_ANY, "application/msword", NULL, NULL, "MS Word Document", "doc", "doc", "document msoffice text word doc" },
	{ P_ANY, "application/vnd.ms-excel", NULL, NULL, "MS Excel Spreadsheet", "xls", "xls", "document msoffice spreadsheet excel xls" },
	{ P_ANY, "application/vnd.ms-powerpoint", NULL, NULL, "MS PowerPoint Presentation", "ppt", "ppt", "document msoffice presentation powerpoint ppt" },
	{ P_ANY, "application/x-msi", NULL, NULL, "MSI", "msi", "msi", "installer windows msi" },
	{ P_ANY, "text/rtf", NULL, NULL, "Rich Text Format", "rtf", "rtf", "document msoffice text rtf" },
	{ P_ANY, "application/x-ms-shortcut", NULL, NULL, "Windows shortcut", "lnk", "lnk", "windows lnk" },
	{ P_ANY, "message/rfc822", NULL, NULL, "Email", "email", "eml", "internet email" },

	/* archives and compression */
	{ P_ANY, "application/zip", NULL, NULL, "ZIP", "zip", "zip", "compressed zip" },  /* [VT] */
	{ P_ANY, "application/x-7z-compressed", NULL, NULL, "7ZIP", "7zip", "7z", "compressed 7zip" },
	{ P_ANY, "application/x-rar", NULL, NULL, "RAR", "rar", "rar", "compressed rar" },
	{ P_ANY, "application/vnd.rar", NULL, NULL, "RAR", "rar", "rar", "compressed rar" },
	{ P_ANY, "application/gzip", NULL, NULL, "GZIP", "gzip", "gz", "compressed gzip" },
	{ P_ANY, "application/x-bzip2", NULL, NULL, "BZIP2", "bzip2", "bz2", "compressed bzip2" },
	{ P_ANY, "application/x-xz", NULL, NULL, "XZ", "xz", "xz", "compressed xz" },
	{ P_ANY, "application/x-tar", NULL, NULL, "TAR", "tar", "tar", "compressed tar" },
	{ P_ANY, "application/vnd.ms-cab-compressed", NULL, NULL, "CAB", "cab", "cab", "compressed cab" },
	{ P_ANY, "application/x-iso9660-image", NULL, NULL, "ISO image", "isoimage", "iso", "compressed isoimage" },
	{ P_ANY, "application/x-cpio", NULL, NULL, "CPIO", "cpio", "cpio", "compressed cpio" },
	{ P_ANY, "application/x-arj", NULL, NULL, "ARJ", "arj", "arj", "compressed arj" },

	/* images */
	{ P_ANY, "image/jpeg", NULL, NULL, "JPEG", "jpeg", "jpg", "image jpeg" },
	{ P_ANY, "image/png", NULL, NULL, "PNG", "png", "png", "image png" },
	{ P_ANY, "image/gif", NULL, NULL, "GIF", "gif", "gif", "image gif" },

	/* text that libmagic recognises */
	{ P_ANY, "text/html", NULL, NULL, "HTML", "html", "html", "internet html" },
	{ P_ANY, "text/xml", NULL, NULL, "XML", "xml", "xml", "internet xml" },
	{ P_ANY, "application/javascript", NULL, NULL, "JavaScript", "javascript", "js", "source javascript js" },
	{ P_ANY, "text/javascript", NULL, NULL, "JavaScript", "javascript", "js", "source javascript js" },
	{ P_ANY, "text/x-shellscript", NULL, NULL, "Shell script", "shell", "sh", "source shell sh" },
	{ P_ANY, "text/x-*python*", NULL, NULL, "Python", "python", "py", "source python py" },
	{ P_ANY, "text/x-perl", NULL, NULL, "Perl", "perl", "pl", "source perl pl" },
	{ P_ANY, "text/x-php", NULL, NULL, "PHP", "php", "php", "source php" },
	{ P_ANY, "text/x-msdos-batch", NULL, NULL, "DOS batch file", "batch", "bat", "source batch bat" },

	/* plain text refined by the submitted name */
	{ P_ANY, "text/plain", NULL, "ps1 psm1 psd1", "Powershell", "powershell", "ps1", "source powershell ps ps1" },  /* [VT] */
	{ P_ANY, "text/plain", NULL, "js jse mjs", "JavaScript", "javascript", "js", "source javascript js" },
	{ P_ANY, "text/plain", NULL, "vbs vbe", "VBA", "vba", "vbs", "source vba vbs" },
	{ P_ANY, "text/plain", NULL, "bat cmd", "DOS batch file", "batch", "bat", "source batch bat" },
	{ P_ANY, "text/plain", NULL, "sh bash", "Shell script", "shell", "sh", "source shell sh" },
	{ P_ANY, "text/plain", NULL, "py pyw", "Python", "python", "py", "source python py" },
	{ P_ANY, "text/plain", NULL, "pl pm", "Perl", "perl", "pl", "source perl pl" },
	{ P_ANY, "text/plain", NULL, "php", "PHP", "php", "php", "source php" },
	{ P_ANY, "text/plain", NULL, "htm html hta", "HTML", "html", "html", "internet html" },

	/* any other text */
	{ P_ANY, "text/*", NULL, NULL, "Text", "text", "txt", "text" },  /* [VT] */
};

/* ------------------------------------------------------------------ */
/* Header probes                                                       */

#define MZ_LFANEW_OFF     0x3c    /* e_lfanew in the MS-DOS header */
#define PE_COFF_LEN       20      /* COFF file header after "PE\0\0" */
#define PE_FILE_DLL       0x2000  /* IMAGE_FILE_DLL */
#define PE_OPT_PE32       0x10b
#define PE_OPT_PE32PLUS   0x20b
#define PE_DIR_CLR        14      /* IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR */
#define NE_FLAGS_OFF      0x0c    /* program flags word in the NE header */
#define NE_FLAG_LIBRARY   0x8000
#define ELF_ET_DYN        3
#define ELF_PT_DYNAMIC    2
#define ELF_DT_NULL       0
#define ELF_DT_FLAGS_1    0x6ffffffbu
#define ELF_DF_1_PIE      0x08000000u

/* A 64-bit machine in the COFF header, for PEs without a readable magic. */
static int
pe_machine_64(uint16_t machine)
{
	return machine == 0x8664 || machine == 0xaa64 || machine == 0x0200;
}

/*
 * The optional header (at most optsize bytes, fewer if the file ends):
 * PE32 or PE32+, and whether data directory 14 (CLR) is present.
 */
static void
probe_pe_optional(const struct pn_rd *opt, uint16_t machine, unsigned *flags)
{
	struct pn_rd r = *opt;
	uint16_t magic;
	uint32_t ndirs, rva, size;
	size_t ndirs_off;

	if (pn_rd_le16(&r, &magic) != PN_OK) {
		if (pe_machine_64(machine))
			*flags |= PN_IDENT_64BIT;
		return;
	}
	if (magic == PE_OPT_PE32PLUS)
		*flags |= PN_IDENT_64BIT;
	else if (magic != PE_OPT_PE32 && pe_machine_64(machine))
		*flags |= PN_IDENT_64BIT;
	if (magic != PE_OPT_PE32 && magic != PE_OPT_PE32PLUS)
		return;
	/* NumberOfRvaAndSizes: offset 92 (PE32) or 108 (PE32+); dirs follow. */
	ndirs_off = magic == PE_OPT_PE32 ? 92 : 108;
	r = *opt;
	if (pn_rd_skip(&r, ndirs_off) != PN_OK || pn_rd_le32(&r, &ndirs) != PN_OK)
		return;
	if (ndirs <= PE_DIR_CLR || pn_rd_skip(&r, PE_DIR_CLR * 8) != PN_OK)
		return;
	if (pn_rd_le32(&r, &rva) != PN_OK || pn_rd_le32(&r, &size) != PN_OK)
		return;
	if (rva != 0 && size != 0)
		*flags |= PN_IDENT_DOTNET;
}

/* "PE\0\0" + COFF header at lfanew: EXE or DLL, then the optional header. */
static enum probe
probe_pe(const struct pn_rd *in, uint32_t lfanew, unsigned *flags)
{
	struct pn_rd r, opt;
	const uint8_t *sig;
	uint16_t machine, optsize, chars;
	uint64_t optoff = (uint64_t)lfanew + 4 + PE_COFF_LEN;
	size_t avail;

	if (pn_rd_at(in, lfanew, 4 + PE_COFF_LEN, &r) != PN_OK)
		return P_NONE;
	if (pn_rd_bytes(&r, 4, &sig) != PN_OK || memcmp(sig, "PE\0\0", 4) != 0)
		return P_NONE;
	if (pn_rd_le16(&r, &machine) != PN_OK || pn_rd_skip(&r, 14) != PN_OK ||
	    pn_rd_le16(&r, &optsize) != PN_OK || pn_rd_le16(&r, &chars) != PN_OK)
		return P_NONE;
	/* The reader above covered optoff, so the subtraction cannot wrap. */
	avail = pn_rd_left(in) - (size_t)optoff;
	if (pn_rd_at(in, optoff, PN_MIN((size_t)optsize, avail), &opt) == PN_OK)
		probe_pe_optional(&opt, machine, flags);
	return (chars & PE_FILE_DLL) ? P_PE_DLL : P_PE_EXE;
}

/* "NE" at lfanew: a 16-bit Windows executable or library. */
static enum probe
probe_ne(const struct pn_rd *in, uint32_t lfanew)
{
	struct pn_rd r;
	const uint8_t *sig;
	uint16_t nflags;

	if (pn_rd_at(in, lfanew, NE_FLAGS_OFF + 2, &r) != PN_OK)
		return P_NONE;
	if (pn_rd_bytes(&r, 2, &sig) != PN_OK || sig[0] != 'N' || sig[1] != 'E')
		return P_NONE;
	if (pn_rd_skip(&r, NE_FLAGS_OFF - 2) != PN_OK || pn_rd_le16(&r, &nflags) != PN_OK)
		return P_NONE;
	return (nflags & NE_FLAG_LIBRARY) ? P_NE_DLL : P_NE_EXE;
}

static enum probe
probe_mz(const struct pn_rd *in, unsigned *flags)
{
	struct pn_rd r = *in;
	const uint8_t *p;
	uint32_t lfanew;
	enum probe pr;

	if (pn_rd_bytes(&r, 2, &p) != PN_OK || p[0] != 'M' || p[1] != 'Z')
		return P_NONE;
	if (pn_rd_skip(&r, MZ_LFANEW_OFF - 2) != PN_OK || pn_rd_le32(&r, &lfanew) != PN_OK)
		return P_MZ;
	if ((pr = probe_pe(in, lfanew, flags)) != P_NONE)
		return pr;
	if ((pr = probe_ne(in, lfanew)) != P_NONE)
		return pr;
	return P_MZ;
}

/* An n-byte unsigned integer (n <= 8) in the given byte order. */
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

/* Does the dynamic segment at [off, off+len) hold DT_FLAGS_1 with DF_1_PIE? */
static int
elf_dynamic_pie(const struct pn_rd *in, int be, size_t w, uint64_t off, uint64_t len)
{
	struct pn_rd r;
	uint64_t tag, val;
	size_t i;

	if (off > pn_rd_left(in))
		return 0;
	len = PN_MIN(len, (uint64_t)(pn_rd_left(in) - off));  /* a cut file keeps its start */
	if (pn_rd_at(in, off, len, &r) != PN_OK)
		return 0;
	for (i = 0; i < PN_IDENTIFY_MAX_ELF_DYN; i++) {
		if (rd_uint(&r, be, w, &tag) != PN_OK || rd_uint(&r, be, w, &val) != PN_OK ||
		    tag == ELF_DT_NULL)
			return 0;
		if (tag == ELF_DT_FLAGS_1)
			return (val & ELF_DF_1_PIE) != 0;
	}
	return 0;
}

/*
 * A position-independent executable rather than a shared library?  As
 * libmagic decides with a file: the PT_DYNAMIC segment's DT_FLAGS_1 has
 * DF_1_PIE (gABI ch. 5, "Dynamic Section").
 */
static int
elf_is_pie(const struct pn_rd *in, int be, int is64)
{
	struct pn_rd r = *in, ph;
	size_t w = is64 ? 8 : 4, i;
	uint64_t phoff, phentsize, phnum, type, off, filesz, at;

	if (pn_rd_skip(&r, is64 ? 32 : 28) != PN_OK || rd_uint(&r, be, w, &phoff) != PN_OK)
		return 0;
	r = *in;
	if (pn_rd_skip(&r, is64 ? 54 : 42) != PN_OK || rd_uint(&r, be, 2, &phentsize) != PN_OK ||
	    rd_uint(&r, be, 2, &phnum) != PN_OK || phentsize < (is64 ? 56u : 32u))
		return 0;
	for (i = 0; i < phnum; i++) {   /* phnum < 2^16: bounded */
		at = (uint64_t)i * phentsize;
		if (phoff > UINT64_MAX - at || pn_rd_at(in, phoff + at, phentsize, &ph) != PN_OK)
			return 0;
		if (rd_uint(&ph, be, 4, &type) != PN_OK || type != ELF_PT_DYNAMIC)
			continue;
		/* p_offset, p_filesz: at 8 and 32 (ELF64) or 4 and 16 (ELF32) */
		if (pn_rd_skip(&ph, is64 ? 4 : 0) != PN_OK || rd_uint(&ph, be, w, &off) != PN_OK ||
		    pn_rd_skip(&ph, 2 * w) != PN_OK || rd_uint(&ph, be, w, &filesz) != PN_OK)
			return 0;
		return elf_dynamic_pie(in, be, w, off, filesz);
	}
	return 0;
}

static enum probe
probe_elf(const struct pn_rd *in, unsigned *flags)
{
	struct pn_rd r = *in;
	const uint8_t *p;
	uint8_t data = 0;
	uint64_t type;
	int be;

	if (pn_rd_bytes(&r, 5, &p) != PN_OK || memcmp(p, "\177ELF", 4) != 0)
		return P_NONE;
	if (p[4] != 1 && p[4] != 2)   /* EI_CLASS: ELFCLASS32, ELFCLASS64 */
		return P_NONE;
	if (p[4] == 2)
		*flags |= PN_IDENT_64BIT;
	(void)pn_rd_u8(&r, &data);
	be = data == 2;               /* EI_DATA: ELFDATA2MSB */
	r = *in;
	if (pn_rd_skip(&r, 16) != PN_OK || rd_uint(&r, be, 2, &type) != PN_OK)
		return P_ELF;
	if (type == ELF_ET_DYN && !elf_is_pie(in, be, p[4] == 2))
		return P_ELF_SO;
	return P_ELF;
}

static enum probe
probe_macho(const struct pn_rd *in, unsigned *flags)
{
	struct pn_rd r = *in;
	uint32_t m;

	if (pn_rd_be32(&r, &m) != PN_OK)
		return P_NONE;
	switch (m) {
	case 0xfeedfacf: case 0xcffaedfe:  /* MH_MAGIC_64, MH_CIGAM_64 */
		*flags |= PN_IDENT_64BIT;
		return P_MACHO;
	case 0xfeedface: case 0xcefaedfe:  /* MH_MAGIC, MH_CIGAM */
		return P_MACHO;
	default:
		return P_NONE;
	}
}

static enum probe
probe_all(const uint8_t *data, size_t size, unsigned *flags)
{
	struct pn_rd in = pn_rd_make(data, size);
	enum probe pr;

	*flags = 0;
	if ((pr = probe_mz(&in, flags)) != P_NONE)
		return pr;
	if ((pr = probe_elf(&in, flags)) != P_NONE)
		return pr;
	if ((pr = probe_macho(&in, flags)) != P_NONE)
		return pr;
	*flags = 0;
	return P_NONE;
}

/* ------------------------------------------------------------------ */
/* libmagic                                                            */

static magic_t magic_cookie;  /* loaded handle, NULL when closed */
static int magic_failed;      /* lazy loading failed: do not retry */

int
pn_identify_init(void)
{
	magic_t m;

	if (magic_cookie != NULL)
		return PN_OK;
	if ((m = magic_open(MAGIC_NONE)) == NULL) {
		log_warn("identify: magic_open");
		magic_failed = 1;
		return PN_EINTERNAL;
	}
	if (magic_load(m, NULL) != 0) {
		log_warnx("identify: magic_load: %s",
		    magic_error(m) ? magic_error(m) : "unknown error");
		magic_close(m);
		magic_failed = 1;
		return PN_EINTERNAL;
	}
	magic_cookie = m;
	magic_failed = 0;
	return PN_OK;
}

void
pn_identify_cleanup(void)
{
	if (magic_cookie != NULL)
		magic_close(magic_cookie);
	magic_cookie = NULL;
	magic_failed = 0;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 if none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;   /* no overlong forms */
		hi = c == 0xed ? 0x9f : 0xbf;   /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;   /* nothing above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Copy in to out (outsz > 0 bytes) as valid UTF-8 without control
 * characters, cutting between sequences when out is full.
 */
static void
clean_text(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), i = 0, o = 0, len;

	while (i < n) {
		len = utf8_seq(s + i, n - i);
		if (len > 1) {
			if (len >= outsz - o)
				break;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (o + 1 >= outsz)
			break;
		if (len == 0)
			out[o++] = '?';
		else
			out[o++] = (s[i] < 0x20 || s[i] == 0x7f) ? ' ' : (char)s[i];
		i++;
	}
	out[o] = '\0';
}

/* libmagic's answer under flags, cleaned into out; "" when there is none. */
static void
magic_query(const uint8_t *data, size_t size, int flags, char *out, size_t outsz)
{
	const char *s;

	out[0] = '\0';
	if (magic_cookie == NULL || magic_setflags(magic_cookie, flags) != 0)
		return;
	if ((s = magic_buffer(magic_cookie, data, size)) != NULL)
		clean_text(s, out, outsz);
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/*
 * The extension of a submitted name, lower-cased into ext
 * (PN_IDENTIFY_MAX_EXT + 1 bytes); "" when there is none or it is not
 * plain ASCII letters and digits.  "dir/x.PS1" -> "ps1", ".bashrc" -> "".
 */
static void
name_ext(const char *name, char *ext)
{
	const char *base, *dot, *p;
	size_t n = 0;

	ext[0] = '\0';
	if (name == NULL)
		return;
	for (base = p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return;
	for (p = dot + 1; *p != '\0'; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (n >= PN_IDENTIFY_MAX_EXT || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			ext[0] = '\0';
			return;
		}
		ext[n++] = c;
	}
	ext[n] = '\0';
}

/* Is word one of the space-separated words of list? */
static int
word_in_list(const char *word, const char *list)
{
	size_t wlen = strlen(word), n;

	if (wlen == 0)
		return 0;
	while (*list != '\0') {
		n = strcspn(list, " ");
		if (n == wlen && memcmp(list, word, n) == 0)
			return 1;
		list += n;
		list += strspn(list, " ");
	}
	return 0;
}

static int
rule_matches(const struct id_rule *r, enum probe pr, const struct pn_ident *id,
    const char *ext)
{
	if (r->probe != P_ANY && r->probe != pr)
		return 0;
	if (r->mime != NULL && fnmatch(r->mime, id->mime, 0) != 0)
		return 0;
	if (r->magic != NULL && fnmatch(r->magic, id->magic, 0) != 0)
		return 0;
	if (r->names != NULL && !word_in_list(ext, r->names))
		return 0;
	return 1;
}

int
pn_identify(const uint8_t *data, size_t size, const char *name_hint,
    struct pn_ident *out)
{
	return pn_identify_ex(data, size, name_hint, NULL, NULL, out);
}

int
pn_identify_ex(const uint8_t *data, size_t size, const char *name_hint, const char *magic,
    const char *mime, struct pn_ident *out)
{
	char ext[PN_IDENTIFY_MAX_EXT + 1];
	enum probe pr;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (data == NULL) {
		data = (const uint8_t *)"";
		size = 0;
	}
	pr = probe_all(data, size, &out->flags);
	if (magic != NULL && mime != NULL) {
		clean_text(magic, out->magic, sizeof(out->magic));
		clean_text(mime, out->mime, sizeof(out->mime));
	} else {
		if (magic_cookie == NULL && !magic_failed)
			(void)pn_identify_init();
		magic_query(data, size, MAGIC_NONE, out->magic, sizeof(out->magic));
		magic_query(data, size, MAGIC_MIME_TYPE, out->mime, sizeof(out->mime));
	}
	name_ext(name_hint, ext);
	for (i = 0; i < PN_ARRAY_LEN(rules); i++) {
		if (rule_matches(&rules[i], pr, out, ext)) {
			out->description = rules[i].desc;
			out->tag = rules[i].tag;
			out->extension = rules[i].ext;
			out->type_tags = rules[i].type_tags;
			break;
		}
	}
	return PN_OK;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static struct json_object *
jcheck(struct json_object *o)
{
	if (o == NULL)
		fatalx("identify: json-c allocation failed");
	return o;
}

static void
jadd(struct json_object *obj, const char *key, struct json_object *val)
{
	if (json_object_object_add(obj, key, jcheck(val)) != 0)
		fatalx("identify: json-c allocation failed");
}

static void
jappend(struct json_object *arr, const char *s, size_t n)
{
	if (json_object_array_add(arr, jcheck(json_object_new_string_len(s, (int)n))) != 0)
		fatalx("identify: json-c allocation failed");
}

/* A JSON array of the space-separated words of list. */
static struct json_object *
jwords(const char *list)
{
	struct json_object *arr = jcheck(json_object_new_array());
	size_t n;

	list += strspn(list, " ");
	while (*list != '\0') {
		n = strcspn(list, " ");
		jappend(arr, list, n);
		list += n;
		list += strspn(list, " ");
	}
	return arr;
}

/* VT "tags" that follow from the type alone. */
static struct json_object *
jtype_tags(const struct pn_ident *id)
{
	struct json_object *arr = jcheck(json_object_new_array());

	jappend(arr, id->tag, strlen(id->tag));
	if (id->flags & PN_IDENT_64BIT)
		jappend(arr, "64bits", 6);
	if (id->flags & PN_IDENT_DOTNET)
		jappend(arr, "assembly", 8);
	return arr;
}

static void
add_type(struct json_object *o, const struct pn_ident *id)
{
	if (id->magic[0] != '\0')
		jadd(o, "magic", json_object_new_string(id->magic));
	if (id->mime[0] != '\0')
		jadd(o, "mime_type", json_object_new_string(id->mime));
	if (id->description == NULL)
		return;
	jadd(o, "type_description", json_object_new_string(id->description));
	jadd(o, "type_tag", json_object_new_string(id->tag));
	if (id->extension != NULL)
		jadd(o, "type_extension", json_object_new_string(id->extension));
	jadd(o, "type_tags", jwords(id->type_tags));
	jadd(o, "tags", jtype_tags(id));
}

/* ssdeep and tlsh through lib/hash.h; left out when not computable. */
static void
add_fuzzy_hashes(struct json_object *o, const uint8_t *data, size_t size)
{
	struct pn_hashes h;

	if (pn_hash_buf(data, size, PN_HASH_SSDEEP | PN_HASH_TLSH, &h) != PN_OK)
		return;
	if (h.ssdeep[0] != '\0')
		jadd(o, "ssdeep", json_object_new_string(h.ssdeep));
	if (h.tlsh[0] != '\0')
		jadd(o, "tlsh", json_object_new_string(h.tlsh));
}

char *
pn_identify_details(const uint8_t *data, size_t size, const char *name_hint)
{
	return pn_identify_details_ex(data, size, name_hint, NULL);
}

char *
pn_identify_details_ex(const uint8_t *data, size_t size, const char *name_hint,
    const struct pn_details_opts *opts)
{
	return pn_identify_details_known(data, size, name_hint, opts, NULL, NULL);
}

char *
pn_identify_details_known(const uint8_t *data, size_t size, const char *name_hint,
    const struct pn_details_opts *opts, const char *magic, const char *mime)
{
	struct pn_ident id;
	struct json_object *o;
	const char *text;
	char *res;

	if (data == NULL) {
		data = (const uint8_t *)"";
		size = 0;
	}
	(void)pn_identify_ex(data, size, name_hint, magic, mime, &id);
	o = jcheck(json_object_new_object());
	add_type(o, &id);
	add_fuzzy_hashes(o, data, size);
	pn_parsers_run(data, size, &id, name_hint, opts, o);
	text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		fatalx("identify: json-c serialisation failed");
	res = pn_xstrdup(text);
	json_object_put(o);
	return res;
}
