/*
 * test_identify.c - unit tests for parsers/identify.c.
 *
 * Every input is made at run time: PE32/PE32+ EXEs, a DLL and a .NET EXE
 * built in memory, ELF32/ELF64 and Mach-O headers, /bin/true, a PDF
 * header, a stored ZIP with its central directory, scripts with shebangs,
 * an HTML page, an EICAR-style line assembled from pieces, empty, one byte
 * and random buffers.  Then robustness: every prefix of the PE test input,
 * seeded random mutations of its headers, and a few hundred real files
 * from /usr/bin and /usr/share/clamav-testfiles, each answer checked to be
 * one strict, UTF-8-valid JSON object.  Includes identify.c to reach its
 * static helpers and rule table.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "../../parsers/identify.c"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#define REAL_FILES_MAX    300        /* files taken from /usr/bin */
#define REAL_READ_MAX     (4u << 20) /* bytes read from each real file */
#define MUTATIONS         1500       /* random header mutations of the PE */
#define PE_LEN            0x400      /* size of the in-memory PEs */
#define PE_LFANEW         0x80
#define PE_COFF           (PE_LFANEW + 4)
#define PE_OPT            (PE_COFF + 20)

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	/* xorshift64*: reproducible, so a failure can be replayed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Parse s as exactly one JSON object (strict, valid UTF-8) or NULL. */
static struct json_object *
parse_obj(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(s);

	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
has_key(struct json_object *o, const char *key)
{
	return o != NULL && json_object_object_get_ex(o, key, NULL);
}

/* Does the array o[key] hold the string val? */
static int
list_has(struct json_object *o, const char *key, const char *val)
{
	struct json_object *arr;
	size_t i;

	if (o == NULL || !json_object_object_get_ex(o, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(arr); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

		if (s != NULL && strcmp(s, val) == 0)
			return 1;
	}
	return 0;
}

/* Details of data as a parsed object (caller puts); NULL if not valid. */
static struct json_object *
details(const void *data, size_t size, const char *hint)
{
	char *s = pn_identify_details(data, size, hint);
	struct json_object *o = parse_obj(s);

	if (o == NULL)
		diag("not a JSON object: %s", s);
	free(s);
	return o;
}

/*
 * Identify and compare: want_tag NULL means "no type attributes at all",
 * want_ext NULL means "no type_extension".
 */
static struct json_object *
check_type(const char *what, const void *data, size_t size, const char *hint,
    const char *want_desc, const char *want_tag, const char *want_ext)
{
	struct json_object *o = details(data, size, hint);

	ok(o != NULL, "%s: details are a JSON object", what);
	if (want_tag == NULL) {
		ok(!has_key(o, "type_tag") && !has_key(o, "type_description") &&
		    !has_key(o, "type_tags") && !has_key(o, "tags"),
		    "%s: no type attributes", what);
		return o;
	}
	is_str(get_str(o, "type_description"), want_desc, "%s: type_description", what);
	is_str(get_str(o, "type_tag"), want_tag, "%s: type_tag", what);
	if (want_ext != NULL)
		is_str(get_str(o, "type_extension"), want_ext, "%s: type_extension", what);
	else
		ok(!has_key(o, "type_extension"), "%s: no type_extension", what);
	ok(list_has(o, "type_tags", want_tag), "%s: type_tags holds %s", what, want_tag);
	ok(list_has(o, "tags", want_tag), "%s: tags holds %s", what, want_tag);
	return o;
}

/* ------------------------------------------------------------------ */
/* inputs built at run time                                            */

/*
 * A minimal PE (PE/COFF spec rev 12 §3): MS-DOS header with e_lfanew,
 * "PE\0\0", COFF header, a full optional header with 16 data directories,
 * one .text section with a few bytes of code.
 */
static size_t
make_pe(uint8_t *b, int pe64, int dll, int dotnet)
{
	uint8_t *coff = b + PE_COFF, *opt = b + PE_OPT, *sec;
	uint16_t optsize = pe64 ? 0xf0 : 0xe0;
	uint8_t *dirs = opt + (pe64 ? 112 : 96);
	size_t i;

	memset(b, 0, PE_LEN);
	b[0] = 'M';
	b[1] = 'Z';
	put32(b + 0x3c, PE_LFANEW);
	memcpy(b + PE_LFANEW, "PE\0\0", 4);
	put16(coff, pe64 ? 0x8664 : 0x014c);                 /* Machine */
	put16(coff + 2, 1);                                   /* NumberOfSections */
	put32(coff + 4, 0x5f000000);                          /* TimeDateStamp */
	put16(coff + 16, optsize);                            /* SizeOfOptionalHeader */
	put16(coff + 18, (uint16_t)(0x0002 | (pe64 ? 0x0020 : 0x0100) |
	    (dll ? 0x2000 : 0)));                             /* Characteristics */
	put16(opt, pe64 ? 0x20b : 0x10b);                     /* Magic */
	put32(opt + 4, 0x200);                                /* SizeOfCode */
	put32(opt + 16, 0x1000);                              /* AddressOfEntryPoint */
	put32(opt + 20, 0x1000);                              /* BaseOfCode */
	if (pe64)
		put32(opt + 28, 0x1);                         /* ImageBase 0x100000000 */
	else
		put32(opt + 28, 0x400000);                    /* ImageBase */
	put32(opt + 32, 0x1000);                              /* SectionAlignment */
	put32(opt + 36, 0x200);                               /* FileAlignment */
	put16(opt + 40, 6);                                   /* MajorOperatingSystemVersion */
	put16(opt + 48, 6);                                   /* MajorSubsystemVersion */
	put32(opt + 56, 0x3000);                              /* SizeOfImage */
	put32(opt + 60, 0x200);                               /* SizeOfHeaders */
	put16(opt + 68, 3);                                   /* Subsystem: console */
	put32(opt + (pe64 ? 108 : 92), 16);                   /* NumberOfRvaAndSizes */
	if (dotnet) {
		put32(dirs + 14 * 8, 0x2000);                 /* CLR header RVA */
		put32(dirs + 14 * 8 + 4, 0x48);               /* and size */
	}
	sec = opt + optsize;
	memcpy(sec, ".text", 5);
	put32(sec + 8, 0x200);                                /* VirtualSize */
	put32(sec + 12, 0x1000);                              /* VirtualAddress */
	put32(sec + 16, 0x200);                               /* SizeOfRawData */
	put32(sec + 20, 0x200);                               /* PointerToRawData */
	put32(sec + 36, 0x60000020);                          /* code, r-x */
	for (i = 0x200; i < PE_LEN; i++)                      /* varied bytes for TLSH */
		b[i] = (uint8_t)((i * 131u) ^ (i >> 3) ^ 0x5a);
	b[0x200] = 0xc3;                                      /* ret */
	return PE_LEN;
}

/* Store v as an n-byte integer in the given byte order. */
static void
putn(uint8_t *p, int be, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/*
 * An ELF file (gABI ch. 4, 5): header, and for dyn one PT_DYNAMIC program
 * header whose segment holds DT_FLAGS_1 (DF_1_PIE when pie) and DT_NULL.
 * Returns the length (at most 256 bytes).
 */
static size_t
make_elf(uint8_t *b, int elf64, int be, int dyn, int pie)
{
	size_t w = elf64 ? 8 : 4, eh = elf64 ? 64 : 52, ph = elf64 ? 56 : 32;
	size_t dynoff = eh + ph;
	uint8_t *p = b + eh;

	memset(b, 0, 256);
	memcpy(b, "\177ELF", 4);
	b[4] = elf64 ? 2 : 1;                          /* EI_CLASS */
	b[5] = be ? 2 : 1;                             /* EI_DATA */
	b[6] = 1;                                      /* EI_VERSION */
	putn(b + 16, be, 2, dyn ? 3 : 2);              /* e_type: ET_DYN or ET_EXEC */
	putn(b + 18, be, 2, elf64 ? 62 : 3);           /* e_machine: x86-64 or i386 */
	putn(b + 20, be, 4, 1);                        /* e_version */
	if (!dyn)
		return eh;
	putn(b + (elf64 ? 32 : 28), be, w, eh);        /* e_phoff */
	putn(b + (elf64 ? 52 : 40), be, 2, eh);        /* e_ehsize */
	putn(b + (elf64 ? 54 : 42), be, 2, ph);        /* e_phentsize */
	putn(b + (elf64 ? 56 : 44), be, 2, 1);         /* e_phnum */
	putn(p, be, 4, 2);                             /* p_type: PT_DYNAMIC */
	putn(p + (elf64 ? 8 : 4), be, w, dynoff);      /* p_offset */
	putn(p + (elf64 ? 32 : 16), be, w, 4 * w);     /* p_filesz: two entries */
	putn(b + dynoff, be, w, 0x6ffffffb);           /* DT_FLAGS_1 */
	putn(b + dynoff + w, be, w, pie ? 0x08000001 : 0x1);
	return dynoff + 4 * w;                         /* DT_NULL entry is zeros */
}

/* A ZIP with one stored member: local header, data, central directory, EOCD. */
static size_t
make_zip(uint8_t *b, const char *name, const char *data)
{
	size_t nlen = strlen(name), dlen = strlen(data), o = 0, cd;
	uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)data, (uInt)dlen);

	put32(b + o, 0x04034b50);              /* local file header */
	put16(b + o + 4, 10);                  /* version needed */
	put32(b + o + 14, crc);
	put32(b + o + 18, (uint32_t)dlen);
	put32(b + o + 22, (uint32_t)dlen);
	put16(b + o + 26, (uint16_t)nlen);
	memset(b + o + 6, 0, 8);
	memset(b + o + 28, 0, 2);
	o += 30;
	memcpy(b + o, name, nlen);
	o += nlen;
	memcpy(b + o, data, dlen);
	o += dlen;
	cd = o;
	memset(b + o, 0, 46);
	put32(b + o, 0x02014b50);              /* central directory header */
	put16(b + o + 4, 20);
	put16(b + o + 6, 10);
	put32(b + o + 16, crc);
	put32(b + o + 20, (uint32_t)dlen);
	put32(b + o + 24, (uint32_t)dlen);
	put16(b + o + 28, (uint16_t)nlen);
	o += 46;
	memcpy(b + o, name, nlen);
	o += nlen;
	memset(b + o, 0, 22);
	put32(b + o, 0x06054b50);              /* end of central directory */
	put16(b + o + 8, 1);
	put16(b + o + 10, 1);
	put32(b + o + 12, (uint32_t)(o - cd));
	put32(b + o + 16, (uint32_t)cd);
	return o + 22;
}

/* The EICAR test line, assembled so the source never holds it whole. */
static void
make_eicar(char *out, size_t outsz)
{
	static const char *const pieces[] = {
		"X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR", "-STANDARD-ANTIVIRUS",
		"-TEST-", "FILE!$H+H*",
	};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < PN_ARRAY_LEN(pieces); i++)
		snprintf(out + strlen(out), outsz - strlen(out), "%s", pieces[i]);
}

/*
 * libmagic on the file itself (it then has a descriptor and reads the
 * ELF program headers): does it call path a shared library?  The oracle
 * for type_extension "so"; -1 when libmagic cannot say.
 */
static int
oracle_shared_object(const char *path)
{
	static magic_t m;
	const char *s;

	if (m == NULL && ((m = magic_open(MAGIC_NONE)) == NULL || magic_load(m, NULL) != 0))
		return -1;
	if ((s = magic_file(m, path)) == NULL)
		return -1;
	return strstr(s, "ELF ") != NULL && strstr(s, "shared object") != NULL;
}

/* Read at most max bytes of path into a new buffer; NULL on error. */
static uint8_t *
read_prefix(const char *path, size_t max, size_t *len)
{
	uint8_t *buf;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return NULL;
	buf = pn_xmalloc(max ? max : 1);
	while (n < max) {
		r = read(fd, buf + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void
test_helpers(void)
{
	char ext[PN_IDENTIFY_MAX_EXT + 1], out[8], big[64];

	name_ext("dir/x.PS1", ext);
	is_str(ext, "ps1", "name_ext: lower-cased extension");
	name_ext("C:\\Users\\a.b\\evil.tar.Gz", ext);
	is_str(ext, "gz", "name_ext: last extension, backslash paths");
	name_ext(".bashrc", ext);
	is_str(ext, "", "name_ext: dot file has none");
	name_ext("dir.d/file", ext);
	is_str(ext, "", "name_ext: dot only in a directory");
	name_ext("x.", ext);
	is_str(ext, "", "name_ext: trailing dot");
	name_ext("x.p$1", ext);
	is_str(ext, "", "name_ext: non-alphanumeric rejected");
	name_ext("x.abcdefghijklmnop", ext);
	is_str(ext, "", "name_ext: longer than PN_IDENTIFY_MAX_EXT rejected");
	name_ext(NULL, ext);
	is_str(ext, "", "name_ext: NULL");

	ok(word_in_list("ps1", "ps1 psm1") && word_in_list("psm1", "ps1 psm1"),
	    "word_in_list: finds words");
	ok(!word_in_list("ps", "ps1 psm1") && !word_in_list("", "ps1"),
	    "word_in_list: no prefixes, no empty word");

	clean_text("a\xff" "b\tc", out, sizeof(out));
	is_str(out, "a?b c", "clean_text: invalid byte and control replaced");
	clean_text("\xed\xa0\x80", out, sizeof(out));
	is_str(out, "???", "clean_text: surrogate rejected");
	clean_text("abcde\xc3\xa9", out, 7);
	is_str(out, "abcde", "clean_text: never splits a sequence");
	clean_text("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", big, sizeof(big));
	is_str(big, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "clean_text: keeps valid UTF-8");
}

static void
test_table(void)
{
	size_t i, bad = 0;

	for (i = 0; i < PN_ARRAY_LEN(rules); i++) {
		const struct id_rule *r = &rules[i];

		if (r->desc == NULL || r->tag == NULL || r->type_tags == NULL ||
		    (r->probe == P_ANY && r->mime == NULL && r->magic == NULL && r->names == NULL) ||
		    (r->names != NULL && (r->mime == NULL || strcmp(r->mime, "text/plain") != 0)) ||
		    !word_in_list(r->tag, r->type_tags)) {
			diag("bad rule %zu (%s)", i, r->desc ? r->desc : "?");
			bad++;
		}
		if (r->mime != NULL && strcmp(r->mime, "text/*") == 0 && i + 1 != PN_ARRAY_LEN(rules)) {
			diag("catch-all text rule %zu is not last", i);
			bad++;
		}
	}
	is_int(bad, 0, "rule table: %zu rules well formed", PN_ARRAY_LEN(rules));
}

static void
test_pe(void)
{
	uint8_t pe[PE_LEN];
	struct pn_hashes h;
	struct json_object *o;
	size_t n;

	n = make_pe(pe, 0, 0, 0);
	o = check_type("PE32 EXE", pe, n, NULL, "Win32 EXE", "peexe", "exe");
	ok(get_str(o, "magic") && strncmp(get_str(o, "magic"), "PE32 executable", 15) == 0,
	    "PE32 EXE: libmagic agrees (%s)", get_str(o, "magic"));
	is_str(get_str(o, "mime_type"), "application/vnd.microsoft.portable-executable",
	    "PE32 EXE: mime_type");
	ok(list_has(o, "type_tags", "win32") && list_has(o, "type_tags", "pe"),
	    "PE32 EXE: type_tags windows family");
	ok(!list_has(o, "tags", "64bits") && !list_has(o, "tags", "assembly"),
	    "PE32 EXE: no 64bits, no assembly");
	ok(pn_hash_buf(pe, n, PN_HASH_SSDEEP | PN_HASH_TLSH, &h) == PN_OK, "hash module answers");
	is_str(get_str(o, "ssdeep"), h.ssdeep, "PE32 EXE: ssdeep from lib/hash");
	is_str(get_str(o, "tlsh"), h.tlsh, "PE32 EXE: tlsh from lib/hash");
	ok(get_str(o, "tlsh") && strlen(get_str(o, "tlsh")) == 72 &&
	    strncmp(get_str(o, "tlsh"), "T1", 2) == 0, "PE32 EXE: tlsh in T1 form");
	json_object_put(o);

	n = make_pe(pe, 0, 0, 0);
	json_object_put(check_type("PE32 EXE named .txt", pe, n, "readme.txt", "Win32 EXE", "peexe", "exe"));

	n = make_pe(pe, 1, 0, 0);
	o = check_type("PE32+ EXE", pe, n, NULL, "Win32 EXE", "peexe", "exe");
	ok(get_str(o, "magic") && strncmp(get_str(o, "magic"), "PE32+ executable", 16) == 0,
	    "PE32+ EXE: libmagic agrees (%s)", get_str(o, "magic"));
	ok(list_has(o, "tags", "64bits"), "PE32+ EXE: tags hold 64bits");
	json_object_put(o);

	n = make_pe(pe, 0, 1, 0);
	o = check_type("PE32 DLL", pe, n, "x.exe", "Win32 DLL", "pedll", "dll");
	ok(!list_has(o, "tags", "64bits"), "PE32 DLL: no 64bits");
	json_object_put(o);

	n = make_pe(pe, 1, 1, 0);
	o = check_type("PE32+ DLL", pe, n, NULL, "Win32 DLL", "pedll", "dll");
	ok(list_has(o, "tags", "64bits"), "PE32+ DLL: tags hold 64bits");
	json_object_put(o);

	n = make_pe(pe, 0, 0, 1);
	o = check_type(".NET EXE", pe, n, NULL, "Win32 EXE", "peexe", "exe");
	ok(list_has(o, "tags", "assembly"), ".NET EXE: tags hold assembly");
	json_object_put(o);

	/* MZ + NE: a Win16 library */
	n = make_pe(pe, 0, 0, 0);
	memcpy(pe + PE_LFANEW, "NE", 2);
	put16(pe + PE_LFANEW + 0x0c, 0x8000);
	json_object_put(check_type("NE DLL", pe, n, NULL, "Win16 DLL", "nedll", "dll"));
}

static void
test_pe_truncated(void)
{
	uint8_t pe[PE_LEN];
	size_t n, len, bad_json = 0, bad_type = 0;
	int pe64;

	for (pe64 = 0; pe64 <= 1; pe64++) {
		n = make_pe(pe, pe64, 0, 0);
		for (len = 0; len <= n; len++) {
			/* a heap copy of exactly len bytes, so ASan sees overreads */
			uint8_t *cp = pn_xmalloc(len ? len : 1);
			struct json_object *o;
			const char *tag;
			int full = len >= PE_OPT;   /* "PE\0\0" + COFF header present */

			memcpy(cp, pe, len);
			o = details(cp, len, NULL);
			free(cp);
			if (o == NULL) {
				bad_json++;
				continue;
			}
			tag = get_str(o, "type_tag");
			if (full != (tag != NULL && strcmp(tag, "peexe") == 0) ||
			    (full && pe64 != list_has(o, "tags", "64bits"))) {
				diag("prefix %zu of PE%s: type_tag %s", len, pe64 ? "32+" : "32",
				    tag ? tag : "(none)");
				bad_type++;
			}
			json_object_put(o);
		}
	}
	is_int(bad_json, 0, "every prefix of PE32 and PE32+ gives a JSON object");
	is_int(bad_type, 0, "peexe exactly when the COFF header is complete; 64bits right");
}

static void
test_pe_mutated(void)
{
	static const uint32_t lfanews[] = {
		0, 1, 0x3c, PE_LEN - 24, PE_LEN - 4, PE_LEN - 1, PE_LEN, PE_LEN + 1,
		0x7fffffff, 0xfffffff0, 0xffffffe8, 0xffffffff,
	};
	uint8_t pe[PE_LEN];
	size_t i, bad = 0;

	diag("mutation seed %#llx", (unsigned long long)rng_state);
	for (i = 0; i < MUTATIONS; i++) {
		size_t n = make_pe(pe, (int)(rng() & 1), (int)(rng() & 1), (int)(rng() & 1));
		size_t k, edits = 1 + rng() % 8, len = n - rng() % 64;
		uint8_t *cp;
		struct json_object *o;

		for (k = 0; k < edits; k++)
			pe[rng() % 0x200] = (uint8_t)rng();
		if (rng() % 4 == 0)
			put32(pe + 0x3c, lfanews[rng() % PN_ARRAY_LEN(lfanews)]);
		if (rng() % 4 == 0)
			put16(pe + PE_COFF + 16, (uint16_t)rng());  /* SizeOfOptionalHeader */
		if (rng() % 4 == 0)
			put32(pe + PE_OPT + 92 + (rng() % 2) * 16, (uint32_t)rng());
		cp = pn_xmalloc(len);
		memcpy(cp, pe, len);
		o = details(cp, len, (rng() & 1) ? "x.ps1" : NULL);
		free(cp);
		if (o == NULL)
			bad++;
		json_object_put(o);
	}
	is_int(bad, 0, "%d mutated PEs give JSON objects", MUTATIONS);
}

static void
test_unix(void)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/aarch64-linux-gnu/libc.so.6",
		"/lib/x86_64-linux-gnu/libz.so.1",
	};
	static const uint8_t macho64[32] = { 0xcf, 0xfa, 0xed, 0xfe, 0x07, 0, 0, 0x01, 0x03, 0, 0, 0, 0x02 };
	uint8_t elf[256], *buf;
	struct json_object *o;
	size_t len, i, n;

	n = make_elf(elf, 1, 0, 0, 0);
	o = check_type("ELF64 header", elf, n, NULL, "ELF", "elf", NULL);
	ok(list_has(o, "tags", "64bits") && list_has(o, "type_tags", "linux"), "ELF64: 64bits, linux");
	json_object_put(o);
	n = make_elf(elf, 0, 0, 0, 0);
	o = check_type("ELF32 header", elf, n, "x.ps1", "ELF", "elf", NULL);
	ok(!list_has(o, "tags", "64bits"), "ELF32: no 64bits");
	json_object_put(o);
	n = make_elf(elf, 1, 0, 1, 0);
	json_object_put(check_type("ELF64 shared object", elf, n, NULL, "ELF", "elf", "so"));
	n = make_elf(elf, 1, 0, 1, 1);
	json_object_put(check_type("ELF64 PIE", elf, n, NULL, "ELF", "elf", NULL));
	json_object_put(check_type("ELF64 PIE cut in its dynamic segment", elf, n - 16, NULL,
	    "ELF", "elf", NULL));
	json_object_put(check_type("ELF64 PIE without its dynamic segment", elf, 64 + 56, NULL,
	    "ELF", "elf", "so"));
	n = make_elf(elf, 0, 1, 1, 0);
	json_object_put(check_type("ELF32 big-endian shared object", elf, n, NULL, "ELF", "elf", "so"));
	n = make_elf(elf, 0, 1, 1, 1);
	json_object_put(check_type("ELF32 big-endian PIE", elf, n, NULL, "ELF", "elf", NULL));
	n = make_elf(elf, 1, 0, 1, 1);
	putn(elf + 32, 0, 8, UINT64_MAX - 8);          /* e_phoff near the top */
	json_object_put(check_type("ELF64 with a wild e_phoff", elf, n, NULL, "ELF", "elf", "so"));

	if ((buf = read_prefix("/bin/true", REAL_READ_MAX, &len)) != NULL && len > 4) {
		const char *magic;
		int so = oracle_shared_object("/bin/true");

		o = details(buf, len, NULL);
		magic = get_str(o, "magic");
		ok(magic != NULL && strncmp(magic, "ELF ", 4) == 0,
		    "/bin/true: magic from libmagic (%s)", magic);
		json_object_put(o);
		diag("/bin/true: libmagic on the file says %s", so ? "shared object" : "not a shared object");
		o = check_type("/bin/true", buf, len, "true", "ELF", "elf", so == 1 ? "so" : NULL);
		is_int(list_has(o, "tags", "64bits"), buf[4] == 2, "/bin/true: 64bits iff ELFCLASS64");
		json_object_put(o);
	} else
		ok(0, "read /bin/true");
	free(buf);

	for (i = 0; i < PN_ARRAY_LEN(libs); i++)
		if (access(libs[i], R_OK) == 0)
			break;
	if (i < PN_ARRAY_LEN(libs) && (buf = read_prefix(libs[i], REAL_READ_MAX, &len)) != NULL) {
		json_object_put(check_type(libs[i], buf, len, NULL, "ELF", "elf", "so"));
		free(buf);
	} else
		diag("no shared library found to test type_extension so");

	o = check_type("Mach-O 64", macho64, sizeof(macho64), NULL, "Mach-O", "macho", NULL);
	ok(list_has(o, "tags", "64bits"), "Mach-O 64: 64bits");
	json_object_put(o);
}

static void
test_documents(void)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	    "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
	uint8_t zip[512];
	size_t n;

	json_object_put(check_type("PDF", pdf, sizeof(pdf) - 1, NULL, "PDF", "pdf", "pdf"));
	json_object_put(check_type("PDF named .exe", pdf, sizeof(pdf) - 1, "x.exe", "PDF", "pdf", "pdf"));
	n = make_zip(zip, "hello.txt", "hello, world\n");
	json_object_put(check_type("ZIP", zip, n, NULL, "ZIP", "zip", "zip"));
}

static void
test_text(void)
{
	static const char sh[] = "#!/bin/sh\nset -e\necho hello \"$1\"\n";
	static const char py[] = "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n";
	static const char html[] = "<!DOCTYPE html>\n<html><head><title>t</title></head>"
	    "<body><p>hello</p></body></html>\n";
	static const char plain[] = "just some words\nin two lines\n";
	static const struct {
		const char *name, *desc, *tag, *ext;
	} hints[] = {
		{ "x.exe", "Text", "text", "txt" },
		{ "C:\\t\\Run.PS1", "Powershell", "powershell", "ps1" },
		{ "a.js", "JavaScript", "javascript", "js" },
		{ "a.vbs", "VBA", "vba", "vbs" },
		{ "a.bat", "DOS batch file", "batch", "bat" },
		{ "a.py", "Python", "python", "py" },
		{ "a.hta", "HTML", "html", "html" },
		{ "a.", "Text", "text", "txt" },
	};
	char eicar[80];
	struct json_object *o;
	size_t i;

	json_object_put(check_type("shell script", sh, sizeof(sh) - 1, NULL, "Shell script", "shell", "sh"));
	json_object_put(check_type("python script", py, sizeof(py) - 1, NULL, "Python", "python", "py"));
	json_object_put(check_type("HTML page", html, sizeof(html) - 1, NULL, "HTML", "html", "html"));

	o = check_type("plain text", plain, sizeof(plain) - 1, NULL, "Text", "text", "txt");
	is_str(get_str(o, "mime_type"), "text/plain", "plain text: mime_type");
	ok(list_has(o, "type_tags", "text") && !list_has(o, "tags", "64bits"), "plain text: tags");
	ok(!has_key(o, "tlsh"), "plain text: short input has no tlsh");
	ok(get_str(o, "ssdeep") != NULL, "plain text: ssdeep present");
	json_object_put(o);
	for (i = 0; i < PN_ARRAY_LEN(hints); i++) {
		char what[64];

		snprintf(what, sizeof(what), "text named %s", hints[i].name);
		json_object_put(check_type(what, plain, sizeof(plain) - 1, hints[i].name,
		    hints[i].desc, hints[i].tag, hints[i].ext));
	}
	json_object_put(check_type("script named .txt", sh, sizeof(sh) - 1, "a.txt",
	    "Shell script", "shell", "sh"));

	make_eicar(eicar, sizeof(eicar));
	is_int(strlen(eicar), 68, "EICAR line assembled");
	o = check_type("EICAR line", eicar, strlen(eicar), "eicar.com", "Text", "text", "txt");
	ok(get_str(o, "magic") != NULL, "EICAR line: magic (%s)", get_str(o, "magic"));
	json_object_put(o);
	json_object_put(check_type("EICAR line named .ps1", eicar, strlen(eicar), "eicar.ps1",
	    "Powershell", "powershell", "ps1"));
}

static void
test_odd_inputs(void)
{
	uint8_t rnd[4096], one = 'M';
	struct json_object *o;
	char *s;

	o = check_type("empty", "", 0, NULL, NULL, NULL, NULL);
	is_str(get_str(o, "magic"), "empty", "empty: magic");
	ok(!has_key(o, "tlsh"), "empty: no tlsh");
	json_object_put(o);
	s = pn_identify_details(NULL, 0, NULL);
	o = parse_obj(s);
	ok(o != NULL, "NULL data: JSON object");
	json_object_put(o);
	free(s);
	json_object_put(check_type("one byte M", &one, 1, "x.exe", NULL, NULL, NULL));

	pn_random(rnd, sizeof(rnd));
	rnd[0] = 0x00;   /* not MZ/ELF/Mach-O by chance */
	o = check_type("random bytes named .ps1", rnd, sizeof(rnd), "x.ps1", NULL, NULL, NULL);
	is_str(get_str(o, "mime_type"), "application/octet-stream", "random: mime_type");
	ok(get_str(o, "tlsh") != NULL, "random: tlsh present");
	json_object_put(o);
}

static void
test_without_libmagic(void)
{
	uint8_t pe[PE_LEN];
	static const char plain[] = "just some words\n";
	struct json_object *o;
	size_t n = make_pe(pe, 0, 0, 0);

	pn_identify_cleanup();
	setenv("MAGIC", "/nonexistent/panoptes-test.mgc", 1);
	is_int(pn_identify_init(), PN_EINTERNAL, "init fails without a magic database");
	o = check_type("PE without libmagic", pe, n, NULL, "Win32 EXE", "peexe", "exe");
	ok(!has_key(o, "magic") && !has_key(o, "mime_type"), "no magic, no mime_type");
	json_object_put(o);
	json_object_put(check_type("text without libmagic", plain, sizeof(plain) - 1, "x.ps1",
	    NULL, NULL, NULL));
	unsetenv("MAGIC");
	is_int(pn_identify_init(), PN_OK, "init succeeds again");
	pn_identify_cleanup();
	pn_identify_cleanup();
	json_object_put(check_type("lazy init after cleanup", plain, sizeof(plain) - 1, NULL,
	    "Text", "text", "txt"));
}

/* Every regular file of dir (at most max), checked for validity. */
static void
scan_dir(const char *dir, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t files = 0, bad = 0, elf = 0, pe = 0, shared = 0;

	if (d == NULL) {
		diag("skip %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL && files < max) {
		char path[4096];
		struct stat st;
		uint8_t *buf;
		size_t len;
		struct json_object *o;
		const char *tag, *magic;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((buf = read_prefix(path, REAL_READ_MAX, &len)) == NULL)
			continue;
		files++;
		o = details(buf, len, de->d_name);
		tag = get_str(o, "type_tag");
		magic = get_str(o, "magic");
		if (o == NULL)
			bad++;
		else if (len > 4 && memcmp(buf, "\177ELF", 4) == 0 && (buf[4] == 1 || buf[4] == 2)) {
			const char *ext = get_str(o, "type_extension");
			int so = oracle_shared_object(path);

			elf++;
			if (tag == NULL || strcmp(tag, "elf") != 0) {
				diag("%s: ELF but type_tag %s", path, tag ? tag : "(none)");
				bad++;
			} else if (so >= 0 && len == (size_t)st.st_size &&
			    so != (ext != NULL && strcmp(ext, "so") == 0)) {
				diag("%s: libmagic says %sshared object, type_extension %s", path,
				    so ? "" : "not a ", ext ? ext : "(none)");
				bad++;
			}
			shared += so == 1;
		} else if (magic != NULL && strncmp(magic, "PE32", 4) == 0) {
			pe++;
			if (tag == NULL || (strcmp(tag, "peexe") != 0 && strcmp(tag, "pedll") != 0)) {
				diag("%s: libmagic says PE, type_tag %s", path, tag ? tag : "(none)");
				bad++;
			}
		}
		json_object_put(o);
		free(buf);
	}
	closedir(d);
	diag("%s: %zu files, %zu ELF (%zu shared objects), %zu PE", dir, files, elf, shared, pe);
	is_int(bad, 0, "%s: %zu real files give JSON objects, ELF/PE agree", dir, files);
}

/*
 * libmagic's answers passed in (the worker hands the type check's to the
 * full identification) are used as given: no second libmagic pass, and
 * the type follows them.
 */
static void
test_known_magic(void)
{
	static const char text[] = "print('hello')\n";
	struct pn_ident id;
	struct json_object *o;
	char *d;

	pn_identify_ex((const uint8_t *)text, sizeof(text) - 1, NULL, "Given magic\ttext",
	    "text/x-script.python", &id);
	ok(strncmp(id.magic, "Given magic", 11) == 0 && strchr(id.magic, '\t') == NULL,
	    "given magic used, cleaned of control characters (%s)", id.magic);
	is_str(id.mime, "text/x-script.python", "given MIME type used");
	is_str(id.tag, "python", "the type follows the given MIME type");
	d = pn_identify_details_known((const uint8_t *)text, sizeof(text) - 1, NULL, NULL,
	    "Given magic", "text/x-script.python");
	o = json_tokener_parse(d);
	is_str(get_str(o, "magic"), "Given magic", "details: the given magic");
	is_str(get_str(o, "type_tag"), "python", "details: the type from it");
	json_object_put(o);
	free(d);
	pn_identify_ex((const uint8_t *)text, sizeof(text) - 1, NULL, NULL, NULL, &id);
	ok(strcmp(id.magic, "Given magic") != 0 && id.magic[0] != '\0',
	    "without them libmagic is asked (%s)", id.magic);
}

int
main(void)
{
	ok(pn_identify_init() == PN_OK, "pn_identify_init loads libmagic");
	test_known_magic();
	test_helpers();
	test_table();
	test_pe();
	test_unix();
	test_documents();
	test_text();
	test_odd_inputs();
	test_pe_truncated();
	test_pe_mutated();
	test_without_libmagic();
	scan_dir("/usr/share/clamav-testfiles", 1000);
	scan_dir("/usr/bin", REAL_FILES_MAX);
	scan_dir(access("/usr/lib/x86_64-linux-gnu", R_OK) == 0 ? "/usr/lib/x86_64-linux-gnu" :
	    "/usr/lib", REAL_FILES_MAX);
	pn_identify_cleanup();
	return done_testing();
}
