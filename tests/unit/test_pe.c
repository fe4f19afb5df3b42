/*
 * test_pe.c - unit tests of the PE parser (parsers/pe*.c).
 *
 *  1. A PE32 built in memory (imports by name and by ordinal, exports, a
 *     resource, optionally a rich header) parsed field by field, then
 *     broken on purpose: sections past the end, looping import
 *     descriptors, a resource tree cycle, huge counts, every truncation,
 *     random byte flips; each must parse without crashing (ASan/UBSan
 *     builds check memory) and say what was wrong in notes.
 *  2. The ordinal tables against pefile's (tests/data/pe/gen-ordinals.py).
 *  3. EXEs and DLLs built now with mingw-w64 (x86_64 and i686) from
 *     tests/data/pe/: TLS callbacks, imports by ordinal, VERSIONINFO, an
 *     overlay appended, an Authenticode signature (osslsigncode, its
 *     digest compared with our authentihash); the "pe" parser's JSON.
 *     Skipped (ok ... # SKIP) when mingw-w64 is missing.
 *  4. Cross-check with pefile (tests/unit/pe_pefile_check.py, run with
 *     /usr/bin/python3): imphash, time stamp, entry point, sections
 *     (names, sizes, md5, entropy), rich header hash, overlay start and
 *     checksum of the built files and of ~50 of Wine's PE files; all of
 *     them (~700, about a minute) with PN_TEST_PE_FULL=1.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "pe.h"
#include "pe_int.h"
#include "parser.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#define PY "/usr/bin/python3"
#define HF_SIZE 0xa00

static char tmpdir[256];
static char datadir[512];
static char checker[512];

/* ---------------------------------------------------------- helpers */

static void
put16(uint8_t *b, size_t o, uint16_t v)
{
	b[o] = (uint8_t)v;
	b[o + 1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *b, size_t o, uint32_t v)
{
	put16(b, o, (uint16_t)v);
	put16(b, o + 2, (uint16_t)(v >> 16));
}

static void
md5_hex(const char *s, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_md5(), NULL);
	pn_hex(md, n, out);
}

static int
has_note(const struct pn_pe *pe, const char *sub)
{
	size_t i;

	for (i = 0; i < pe->nnotes; i++)
		if (strstr(pe->notes[i], sub))
			return 1;
	return 0;
}

static void
dump_notes(const struct pn_pe *pe)
{
	size_t i;

	for (i = 0; i < pe->nnotes; i++)
		diag("note: %s", pe->notes[i]);
}

/* Parse an exactly-sized heap copy, so ASan sees any read past the end. */
static int
parse_copy(const uint8_t *d, size_t n, struct pn_pe *pe)
{
	uint8_t *c = pn_xmalloc(n ? n : 1);
	int rc;

	memcpy(c, d, n);
	rc = pn_pe_parse(c, n, pe);
	free(c);
	return rc;
}

/* Run the "pe" parser on a copy; returns the number of notes it added (-1: no pe_info). */
static int
parse_json(const uint8_t *d, size_t n)
{
	uint8_t *c = pn_xmalloc(n ? n : 1);
	struct pn_parse p;
	struct json_object *v;
	int notes;

	memcpy(c, d, n);
	memset(&p, 0, sizeof(p));
	p.data = c;
	p.size = n;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	pn_parser_pe.parse(&p);
	(void)json_object_to_json_string(p.attrs);
	notes = json_object_object_get_ex(p.attrs, "pe_info", &v) ? (int)json_object_array_length(p.notes) : -1;
	json_object_put(p.attrs);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
	free(c);
	return notes;
}

static uint8_t *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long len;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = pn_xmalloc(len > 0 ? (size_t)len : 1);
	if (len < 0 || fread(d, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(d);
		return NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return d;
}

static int
write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(d, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return run(cmd) == 0;
}

static void
skip(const char *what, const char *why)
{
	ok(1, "%s # SKIP %s", what, why);
}

/* ------------------------------------------------ the in-memory PE32 */

/*
 * A PE32 EXE, 0xa00 bytes: headers (e_lfanew 0x100, room for a rich
 * header at 0x80), .text at RVA 0x1000, .idata at 0x2000 (imports of
 * KERNEL32.dll LoadLibraryA + GetProcAddress and WS2_32.dll ordinal 3;
 * export directory "hf.dll" with Hello and one ordinal-only export),
 * .rsrc at 0x3000 (RT_RCDATA / 1 / 0x409 = "hello").
 */
static void
build_pe(uint8_t *b, int with_rich)
{
	const uint32_t opt = 0x118, st = 0x1f8, K = 0x1a2b3c4d;
	size_t o;

	memset(b, 0, HF_SIZE);
	b[0] = 'M';
	b[1] = 'Z';
	put32(b, 0x3c, 0x100);
	if (with_rich) {
		uint32_t rich[] = { 0x536e6144 ^ K, K, K, K, (0x0104u << 16 | 30319) ^ K, 48 ^ K,
			(0x00ffu << 16 | 21005) ^ K, 3 ^ K, 0x68636952, K };
		for (o = 0; o < PN_ARRAY_LEN(rich); o++)
			put32(b, 0x80 + 4 * o, rich[o]);
	}
	memcpy(b + 0x100, "PE\0\0", 4);
	put16(b, 0x104, 0x14c);          /* i386 */
	put16(b, 0x106, 3);
	put32(b, 0x108, 0x5f000000);     /* 2020-07-04 */
	put16(b, 0x114, 0xe0);
	put16(b, 0x116, 0x0102);
	put16(b, opt, 0x10b);
	put32(b, opt + 4, 0x200);        /* SizeOfCode */
	put32(b, opt + 16, 0x1000);      /* AddressOfEntryPoint */
	put32(b, opt + 28, 0x400000);
	put32(b, opt + 32, 0x1000);
	put32(b, opt + 36, 0x200);
	put16(b, opt + 40, 4);
	put16(b, opt + 48, 4);
	put32(b, opt + 56, 0x4000);      /* SizeOfImage */
	put32(b, opt + 60, 0x400);       /* SizeOfHeaders */
	put16(b, opt + 68, 3);           /* console */
	put32(b, opt + 92, 16);
	put32(b, opt + 96, 0x2180);      /* export */
	put32(b, opt + 100, 40);
	put32(b, opt + 104, 0x2000);     /* import */
	put32(b, opt + 108, 60);
	put32(b, opt + 112, 0x3000);     /* resource */
	put32(b, opt + 116, 0x200);
	/* section table */
	memcpy(b + st, ".text", 5);
	put32(b, st + 8, 0x10);
	put32(b, st + 12, 0x1000);
	put32(b, st + 16, 0x200);
	put32(b, st + 20, 0x400);
	put32(b, st + 36, 0x60000020);
	memcpy(b + st + 40, ".idata", 6);
	put32(b, st + 48, 0x200);
	put32(b, st + 52, 0x2000);
	put32(b, st + 56, 0x200);
	put32(b, st + 60, 0x600);
	put32(b, st + 76, 0xc0000040);
	memcpy(b + st + 80, ".rsrc", 5);
	put32(b, st + 88, 0x200);
	put32(b, st + 92, 0x3000);
	put32(b, st + 96, 0x200);
	put32(b, st + 100, 0x800);
	put32(b, st + 116, 0x40000040);
	b[0x400] = 0xc3;
	/* .idata at file 0x600 = RVA 0x2000 */
	o = 0x600;
	put32(b, o + 0, 0x2040);
	put32(b, o + 12, 0x2100);
	put32(b, o + 16, 0x2060);
	put32(b, o + 20, 0x2050);
	put32(b, o + 32, 0x2110);
	put32(b, o + 36, 0x2070);
	put32(b, o + 0x40, 0x2080);
	put32(b, o + 0x44, 0x20a0);
	put32(b, o + 0x50, 0x80000003);
	put32(b, o + 0x60, 0x2080);
	put32(b, o + 0x64, 0x20a0);
	put32(b, o + 0x70, 0x80000003);
	memcpy(b + o + 0x82, "LoadLibraryA", 12);
	memcpy(b + o + 0xa2, "GetProcAddress", 14);
	memcpy(b + o + 0x100, "KERNEL32.dll", 12);
	memcpy(b + o + 0x110, "WS2_32.dll", 10);
	/* export directory at RVA 0x2180 */
	put32(b, o + 0x18c, 0x21c0);      /* Name */
	put32(b, o + 0x190, 1);           /* Base */
	put32(b, o + 0x194, 2);           /* NumberOfFunctions */
	put32(b, o + 0x198, 1);           /* NumberOfNames */
	put32(b, o + 0x19c, 0x21a8);
	put32(b, o + 0x1a0, 0x21b0);
	put32(b, o + 0x1a4, 0x21b4);
	put32(b, o + 0x1a8, 0x1000);
	put32(b, o + 0x1ac, 0x1000);
	put32(b, o + 0x1b0, 0x21c8);
	put16(b, o + 0x1b4, 0);
	memcpy(b + o + 0x1c0, "hf.dll", 6);
	memcpy(b + o + 0x1c8, "Hello", 5);
	/* .rsrc at file 0x800 = RVA 0x3000 */
	o = 0x800;
	put16(b, o + 14, 1);
	put32(b, o + 16, 10);
	put32(b, o + 20, 0x80000018);
	put16(b, o + 0x18 + 14, 1);
	put32(b, o + 0x18 + 16, 1);
	put32(b, o + 0x18 + 20, 0x80000030);
	put16(b, o + 0x30 + 14, 1);
	put32(b, o + 0x30 + 16, 0x409);
	put32(b, o + 0x30 + 20, 0x48);
	put32(b, o + 0x48, 0x3060);
	put32(b, o + 0x4c, 5);
	memcpy(b + o + 0x60, "hello", 5);
}

static void
test_handmade(void)
{
	uint8_t b[HF_SIZE];
	struct pn_pe pe;
	char want[33];
	int rc;

	build_pe(b, 1);
	rc = pn_pe_parse(b, sizeof(b), &pe);
	is_int(rc, PN_OK, "handmade: parses clean");
	dump_notes(&pe);
	ok(pe.valid && !pe.is64 && pe.machine == 0x14c, "handmade: PE32 i386");
	is_int(pe.timestamp, 0x5f000000, "handmade: time stamp");
	is_int(pe.entry_point, 0x1000, "handmade: entry point");
	is_int(pe.entry_section, 0, "handmade: entry point in .text");
	is_int(pe.nsect, 3, "handmade: 3 sections");
	is_str(pe.sections[1].name, ".idata", "handmade: section name");
	is_int(pe.nimports, 2, "handmade: 2 import descriptors");
	is_str(pe.imports[0].dll, "KERNEL32.dll", "handmade: dll name");
	is_str(pe.imports[0].funcs[1].name, "GetProcAddress", "handmade: import by name");
	ok(pe.imports[1].funcs[0].by_ordinal && pe.imports[1].funcs[0].ordinal == 3,
	    "handmade: import by ordinal");
	is_str(pe.imports[1].funcs[0].name, "closesocket", "handmade: ws2_32 ordinal 3 named");
	md5_hex("kernel32.loadlibrarya,kernel32.getprocaddress,ws2_32.closesocket", want);
	is_str(pe.imphash, want, "handmade: imphash");
	is_int(pe.nexports, 2, "handmade: 2 exports");
	if (pe.nexports == 2) {
		is_str(pe.exports[0].name, "Hello", "handmade: export name");
		ok(pe.exports[1].name == NULL && pe.exports[1].ordinal == 2, "handmade: ordinal-only export");
	}
	is_str(pe.export_dll, "hf.dll", "handmade: export dll name");
	is_int(pe.nresources, 1, "handmade: 1 resource");
	if (pe.nresources == 1) {
		ok(pe.resources[0].type_id == 10 && pe.resources[0].name_id == 1 &&
		    pe.resources[0].lang == 0x409 && pe.resources[0].size == 5, "handmade: resource ids");
		ok(pe.resources[0].in_file && pe.resources[0].offset == 0x860, "handmade: resource offset");
		is_str(pe.resources[0].st.sha256,
		    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
		    "handmade: resource sha256");
	}
	ok(pe.has_rich && pe.nrich == 2 && pe.rich[0].prodid == 0x104 && pe.rich[0].build == 30319 &&
	    pe.rich[0].count == 48, "handmade: rich header entries");
	ok(!pe.has_overlay, "handmade: no overlay");
	ok(pe.hints & PN_PE_HINT_FEW_IMPORTS, "handmade: LoadLibrary+GetProcAddress hint");
	ok(pe.packer == NULL, "handmade: no packer");
	pn_pe_free(&pe);
	pn_pe_free(&pe);

	/* UPX section names */
	build_pe(b, 0);
	memcpy(b + 0x1f8, "UPX0\0\0\0\0", 8);
	memcpy(b + 0x1f8 + 40, "UPX1\0\0\0\0", 8);
	pn_pe_parse(b, sizeof(b), &pe);
	ok(pe.packer && strcmp(pe.packer, "UPX") == 0, "upx: packer from section names");
	pn_pe_free(&pe);

	/* an overlay */
	{
		uint8_t big[HF_SIZE + 100];
		build_pe(big, 0);
		memset(big + HF_SIZE, 'A', 100);
		pn_pe_parse(big, sizeof(big), &pe);
		ok(pe.has_overlay && pe.overlay_off == HF_SIZE && pe.overlay_size == 100 &&
		    pe.overlay.done && pe.overlay.entropy == 0, "overlay: offset, size, entropy");
		is_str(pe.overlay_filetype, "Text", "overlay: file type");
		pn_pe_free(&pe);
	}
}

/* Broken on purpose: no crash, and a note that says so. */
static void
test_malformed(void)
{
	uint8_t b[HF_SIZE];
	struct pn_pe pe;
	size_t n, valid = 0, noted = 0, i;
	uint32_t seed = 12345;
	int rc;

	/* not a PE */
	rc = pn_pe_parse((const uint8_t *)"MZ", 2, &pe);
	ok(rc == PN_EFORMAT && !pe.valid, "not a PE: PN_EFORMAT, invalid");
	pn_pe_free(&pe);
	rc = pn_pe_parse(NULL, 0, &pe);
	ok(rc == PN_EFORMAT && !pe.valid, "empty input");
	pn_pe_free(&pe);

	/* an empty export name (a fuzzing find: regress-empty-export-name) */
	build_pe(b, 0);
	b[0x600 + 0x1c8] = 0;
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.nexports == 2 && pe.exports[0].name && pe.exports[0].name[0] == '\0', "empty export name kept");
	pn_pe_free(&pe);
	ok(parse_json(b, sizeof(b)) == 0, "empty export name: JSON without notes");

	/* section past the end of the file */
	build_pe(b, 0);
	put32(b, 0x1f8 + 80 + 20, 0x10000);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(rc == PN_EFORMAT && has_note(&pe, "past the end of the file"), "section past EOF: noted");
	ok(pe.nresources == 0 || !pe.resources[0].in_file, "section past EOF: resource data not read");
	pn_pe_free(&pe);

	/* import descriptors whose thunk tables are the descriptors themselves */
	build_pe(b, 0);
	put32(b, 0x600, 0x2000);
	put32(b, 0x600 + 16, 0x2000);
	put32(b, 0x600 + 20, 0x2014);
	put32(b, 0x600 + 36, 0x2014);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.valid && pe.nimports <= 2, "looping import descriptors: terminates");
	pn_pe_free(&pe);
	/* ... and an import directory that runs on through the whole section */
	build_pe(b, 0);
	for (i = 0x600; i < 0x800; i += 4)
		put32(b, i, 0x2000 + (uint32_t)(i % 64));
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.valid, "garbage import descriptors: terminates");
	pn_pe_free(&pe);

	/* resource tree cycle: the language level points back at the root */
	build_pe(b, 0);
	put32(b, 0x800 + 0x30 + 20, 0x80000000);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(rc == PN_EFORMAT && has_note(&pe, "cycle") && pe.nresources == 0, "resource cycle: noted");
	pn_pe_free(&pe);
	/* a directory pointing at itself */
	build_pe(b, 0);
	put32(b, 0x800 + 20, 0x80000000);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(has_note(&pe, "cycle"), "resource self-loop: noted");
	pn_pe_free(&pe);

	/* huge counts */
	build_pe(b, 0);
	put16(b, 0x106, 0xffff);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.valid && pe.nsect <= 3 && pe.nnotes > 0, "65535 sections: cut, noted");
	pn_pe_free(&pe);
	build_pe(b, 0);
	put32(b, 0x118 + 92, 0xffffffff);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(has_note(&pe, "NumberOfRvaAndSizes") && pe.nimports == 2, "huge NumberOfRvaAndSizes: noted, dirs read");
	pn_pe_free(&pe);
	build_pe(b, 0);
	put16(b, 0x800 + 14, 0xffff);
	put16(b, 0x800 + 12, 0xffff);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.nnotes > 0 && pe.nresources <= PN_PE_MAX_RESOURCES, "131070 resource entries: noted");
	pn_pe_free(&pe);
	build_pe(b, 0);
	put32(b, 0x600 + 0x194, 0xffffffff);
	put32(b, 0x600 + 0x198, 0xffffffff);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(rc != PN_OK && pe.nexports <= PN_PE_MAX_EXPORTS && pe.nnotes > 0, "2^32-1 exports: cut, noted");
	pn_pe_free(&pe);
	build_pe(b, 0);
	put32(b, 0x118 + 96 + 4 * 8, 0x900);  /* certificate table */
	put32(b, 0x118 + 96 + 4 * 8 + 4, 0x7fffffff);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.has_security && !pe.sig_parsed && has_note(&pe, "certificate table"), "huge certificate table: noted");
	pn_pe_free(&pe);
	build_pe(b, 0);
	put32(b, 0x118 + 96 + 4 * 8, 0x900);
	put32(b, 0x118 + 96 + 4 * 8 + 4, 0x100);
	put32(b, 0x900, 0x100);
	put16(b, 0x904, 0x200);
	put16(b, 0x906, 2);
	memset(b + 0x908, 0x30, 0xf8);
	rc = parse_copy(b, sizeof(b), &pe);
	ok(pe.has_security && !pe.sig_parsed && has_note(&pe, "PKCS#7"), "garbage PKCS#7: noted");
	pn_pe_free(&pe);
	ok(parse_json(b, sizeof(b)) > 0, "garbage PKCS#7: the parser's JSON has notes");

	/* every truncation */
	build_pe(b, 1);
	for (n = 0; n <= HF_SIZE; n++) {
		rc = parse_copy(b, n, &pe);
		if (pe.valid) {
			valid++;
			if (n < HF_SIZE && pe.nnotes > 0)
				noted++;
			else if (n < HF_SIZE && getenv("PN_TEST_PE_DEBUG"))
				diag("truncated at %zu: no note", n);
		}
		pn_pe_free(&pe);
	}
	ok(valid == HF_SIZE + 1 - 0x118, "every truncation: valid from the COFF header on (%zu)", valid);
	ok(noted == valid - 1, "every truncation: each truncated one noted (%zu of %zu)", noted, valid - 1);

	/* random byte flips */
	for (n = 0; n < 3000; n++) {
		build_pe(b, 1);
		for (i = 0; i < 1 + n % 8; i++) {
			seed = seed * 1103515245u + 12345u;
			b[(seed >> 8) % HF_SIZE] = (uint8_t)(seed >> 24);
		}
		parse_copy(b, sizeof(b), &pe);
		pn_pe_free(&pe);
		if (n % 10 == 0)
			parse_json(b, sizeof(b));
	}
	ok(1, "3000 mutated PEs parsed without a crash (300 through the JSON too)");
}

/* ------------------------------------------------------ ordinal table */

static void
test_ordinals(void)
{
	char cmd[1024], line[256];
	FILE *f;
	size_t n = 0, bad = 0;
	int known;

	ok(pn_pe_ordinal_name("WS2_32.DLL", 3, &known) && known, "ordinal: ws2_32 3 found (any case)");
	ok(pn_pe_ordinal_name("mylib.dll", 3, &known) == NULL && !known, "ordinal: unknown dll");
	ok(pn_pe_ordinal_name("oleaut32.dll", 65535, &known) == NULL && known, "ordinal: unknown ordinal");
	snprintf(cmd, sizeof(cmd), "%s %s/gen-ordinals.py --check 2>/dev/null", PY, datadir);
	if ((f = popen(cmd, "r")) == NULL) {
		skip("ordinal tables equal pefile's", "popen failed");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char dll[300], name[256];
		int64_t o;
		char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		const char *got;
		if (!sp2)
			continue;
		*sp1 = *sp2 = '\0';
		line[strcspn(line, "\n")] = '\0';
		sp2[1 + strcspn(sp2 + 1, "\n")] = '\0';
		snprintf(dll, sizeof(dll), "%s.dll", line);
		pn_strlcpy(name, sp2 + 1, sizeof(name));
		if (pn_parse_i64(sp1 + 1, 0, 65535, &o) != PN_OK)
			continue;
		got = pn_pe_ordinal_name(dll, (uint16_t)o, &known);
		n++;
		if (!got || strcmp(got, name) != 0) {
			if (bad++ < 5)
				diag("%s ordinal %lld: got %s, pefile %s", dll, (long long)o, got ? got : "-", name);
		}
	}
	if (pclose(f) != 0 || n == 0)
		skip("ordinal tables equal pefile's", "python3-pefile not installed");
	else
		ok(bad == 0, "ordinal tables equal pefile's (%zu entries, %zu differ)", n, bad);
}

/* ------------------------------------------------ pefile cross-check */

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* Compare one pefile record with our parse; returns 1 when they agree. */
static int
agree(struct json_object *rec, char *why, size_t whylen)
{
	struct json_object *v, *secs;
	const char *path;
	uint8_t *d;
	size_t n, i;
	struct pn_pe pe;
	int good = 1;

	why[0] = '\0';
	json_object_object_get_ex(rec, "path", &v);
	path = json_object_get_string(v);
	if (!json_object_object_get_ex(rec, "ok", &v) || !json_object_get_boolean(v)) {
		snprintf(why, whylen, "pefile refused it");
		return 1;    /* nothing to compare: counted apart by the caller */
	}
	if ((d = read_file(path, &n)) == NULL) {
		snprintf(why, whylen, "cannot read");
		return 0;
	}
	pn_pe_parse(d, n, &pe);
#define DIFF(...) do { if (good) snprintf(why, whylen, __VA_ARGS__); good = 0; } while (0)
	json_object_object_get_ex(rec, "imphash", &v);
	if (strcmp(json_object_get_string(v), pe.imphash) != 0)
		DIFF("imphash %s, pefile %s", pe.imphash, json_object_get_string(v));
	json_object_object_get_ex(rec, "timestamp", &v);
	if (json_object_get_int64(v) != pe.timestamp)
		DIFF("timestamp");
	json_object_object_get_ex(rec, "entry_point", &v);
	if (json_object_get_int64(v) != pe.entry_point)
		DIFF("entry point");
	json_object_object_get_ex(rec, "machine", &v);
	if (json_object_get_int64(v) != pe.machine)
		DIFF("machine");
	json_object_object_get_ex(rec, "rich_hash", &v);
	if (strcmp(json_object_get_string(v), pe.rich_hash) != 0)
		DIFF("rich hash %s, pefile %s", pe.rich_hash, json_object_get_string(v));
	json_object_object_get_ex(rec, "overlay", &v);
	if (json_object_is_type(v, json_type_null) ? pe.has_overlay :
	    (!pe.has_overlay || (uint64_t)json_object_get_int64(v) != pe.overlay_off))
		DIFF("overlay %llu, pefile %s", (unsigned long long)pe.overlay_off, json_object_get_string(v));
	json_object_object_get_ex(rec, "checksum", &v);
	if (!json_object_is_type(v, json_type_null) && json_object_get_int64(v) != pe.checksum_calc)
		DIFF("checksum %u, pefile %lld", pe.checksum_calc, (long long)json_object_get_int64(v));
	json_object_object_get_ex(rec, "sections", &secs);
	if (json_object_array_length(secs) != pe.nsect)
		DIFF("%zu sections, pefile %zu", pe.nsect, json_object_array_length(secs));
	for (i = 0; good && i < pe.nsect; i++) {
		struct json_object *s = json_object_array_get_idx(secs, i), *x;
		const struct pn_pe_section *ps = &pe.sections[i];
		char hex[17];
		pn_hex((const uint8_t *)ps->name, strlen(ps->name), hex);
		json_object_object_get_ex(s, "name_hex", &x);
		if (strcmp(json_object_get_string(x), hex) != 0)
			DIFF("section %zu name", i);
		json_object_object_get_ex(s, "vsize", &x);
		if (json_object_get_int64(x) != ps->vsize)
			DIFF("section %zu virtual size", i);
		json_object_object_get_ex(s, "raw_size", &x);
		if (json_object_get_int64(x) != ps->raw_size)
			DIFF("section %zu raw size", i);
		json_object_object_get_ex(s, "md5", &x);
		if (strcmp(json_object_get_string(x), ps->st.md5) != 0)
			DIFF("section %zu md5", i);
		json_object_object_get_ex(s, "entropy", &x);
		if (!near(json_object_get_double(x), ps->st.entropy))
			DIFF("section %zu entropy %.12f, pefile %.12f", i, ps->st.entropy, json_object_get_double(x));
	}
#undef DIFF
	pn_pe_free(&pe);
	free(d);
	return good;
}

/*
 * Run pe_pefile_check.py on the files listed in listfile and compare.
 * Returns the number of files that agree; *total, *refused are set.
 * -1 when pefile cannot be run.
 */
static long
cross_check(const char *listfile, const char *label, size_t *total, size_t *refused)
{
	char cmd[1024], *line = NULL, why[256];
	size_t cap = 0, agreed = 0, shown = 0;
	FILE *f;

	*total = *refused = 0;
	snprintf(cmd, sizeof(cmd), "%s %s --list %s 2>/dev/null", PY, checker, listfile);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct json_object *rec = json_tokener_parse(line), *v;
		if (rec == NULL)
			continue;
		(*total)++;
		if (json_object_object_get_ex(rec, "ok", &v) && !json_object_get_boolean(v))
			(*refused)++;
		else if (agree(rec, why, sizeof(why)))
			agreed++;
		else if (shown++ < 10) {
			json_object_object_get_ex(rec, "path", &v);
			diag("%s: %s: %s", label, json_object_get_string(v), why);
		}
		json_object_put(rec);
	}
	free(line);
	if (pclose(f) != 0 && *total == 0)
		return -1;
	return (long)agreed;
}

static void
check_list(const char *listfile, const char *label, size_t expect)
{
	size_t total, refused;
	long agreed = cross_check(listfile, label, &total, &refused);

	if (agreed < 0 || total == 0) {
		skip(label, "pefile (python3-pefile) not available");
		return;
	}
	ok((size_t)agreed + refused == total && total >= expect,
	    "pefile cross-check, %s: %ld of %zu files agree (%zu refused by pefile)", label, agreed,
	    total, refused);
}

static void
test_wine(void)
{
	char list[512], cmd[2048];
	const char *full = getenv("PN_TEST_PE_FULL");
	int all = full && strcmp(full, "1") == 0;
	struct stat sb;

	if (stat("/usr/lib/x86_64-linux-gnu/wine", &sb) != 0) {
		skip("pefile cross-check on Wine's PE files", "wine64 not installed");
		return;
	}
	snprintf(list, sizeof(list), "%s/wine.list", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s %s --wine %s > %s", PY, checker, all ? "" : "50", list);
	if (run(cmd) != 0) {
		skip("pefile cross-check on Wine's PE files", "listing failed");
		return;
	}
	check_list(list, all ? "all of Wine's PE files" : "50 of Wine's PE files", all ? 600 : 50);
}

/* ----------------------------------------------------- mingw builds */

static int
build(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
build(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = run(cmd);
	if (rc != 0)
		diag("failed (%d): %s", rc, cmd);
	return rc;
}

/* Build petest{64,32}.{exe,dll} in tmpdir; 0 on success. */
static int
build_mingw(const char *arch, const char *bits)
{
	const char *d = datadir, *t = tmpdir;

	if (build("cd %s && %s-w64-mingw32-dlltool -k -d %s/ws2ord%s.def -l libws2ord%s.a && "
	    "%s-w64-mingw32-dlltool -k -d %s/mylib%s.def -l libmylib%s.a",
	    t, arch, d, bits, bits, arch, d, bits, bits) != 0)
		return -1;
	if (build("cd %s && %s-w64-mingw32-windres -O coff -o res%s.o %s/petest.rc", t, arch, bits, d) != 0)
		return -1;
	if (build("cd %s && %s-w64-mingw32-gcc -O1 -o petest%s.exe %s/petest.c res%s.o -L. "
	    "-lws2ord%s -lmylib%s 2>&1", t, arch, bits, d, bits, bits, bits) != 0)
		return -1;
	if (build("cd %s && %s-w64-mingw32-gcc -O1 -shared -o petest%s.dll %s/petest_dll.c 2>&1",
	    t, arch, bits, d) != 0)
		return -1;
	return 0;
}

static int
load(const char *name, uint8_t **d, size_t *n, struct pn_pe *pe)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((*d = read_file(path, n)) == NULL) {
		memset(pe, 0, sizeof(*pe));
		return -1;
	}
	return pn_pe_parse(*d, *n, pe);
}

static const struct pn_pe_import *
find_import(const struct pn_pe *pe, const char *dll)
{
	size_t i;

	for (i = 0; i < pe->nimports; i++)
		if (strcasecmp(pe->imports[i].dll, dll) == 0)
			return &pe->imports[i];
	return NULL;
}

static const char *
version_value(const struct pn_pe *pe, const char *key)
{
	size_t i;

	for (i = 0; i < pe->nversion; i++)
		if (strcmp(pe->version[i].key, key) == 0)
			return pe->version[i].value;
	return NULL;
}

static void
check_exe(const char *bits)
{
	char name[32];
	uint8_t *d;
	size_t n;
	struct pn_pe pe;
	const struct pn_pe_import *ws, *my;
	size_t i;
	int rc;

	snprintf(name, sizeof(name), "petest%s.exe", bits);
	rc = load(name, &d, &n, &pe);
	is_int(rc, PN_OK, "%s: parses clean", name);
	dump_notes(&pe);
	ok(pe.is64 == (bits[0] == '6'), "%s: PE32%s", name, bits[0] == '6' ? "+" : "");
	ok(pe.has_tls && pe.ntls_callbacks >= 1, "%s: TLS callbacks (%zu)", name, pe.ntls_callbacks);
	ws = find_import(&pe, "ws2_32.dll");
	my = find_import(&pe, "mylib.dll");
	ok(ws && ws->nfuncs == 2 && ws->funcs[0].by_ordinal && ws->funcs[0].name &&
	    (strcmp(ws->funcs[0].name, "closesocket") == 0 || strcmp(ws->funcs[0].name, "WSAStartup") == 0),
	    "%s: ws2_32 imports by ordinal, named from the table", name);
	ok(my && my->nfuncs == 1 && my->funcs[0].by_ordinal && my->funcs[0].ordinal == 7 &&
	    my->funcs[0].name == NULL, "%s: mylib.dll ordinal 7", name);
	ok(find_import(&pe, "KERNEL32.dll") != NULL, "%s: kernel32 imports", name);
	is_str(version_value(&pe, "FileDescription"), "Panoptes PE test program", "%s: FileDescription", name);
	is_str(version_value(&pe, "OriginalFilename"), "petest.exe", "%s: OriginalFilename", name);
	ok(pe.has_fixed_version && pe.file_version[0] == 1 && pe.file_version[1] == 2 &&
	    pe.file_version[2] == 3 && pe.file_version[3] == 4, "%s: fixed file version 1.2.3.4", name);
	ok(pe.nresources == 2, "%s: 2 resources", name);
	for (i = 0; i < pe.nresources && pe.resources[i].type_id != 10; i++)
		;
	ok(i < pe.nresources && strcmp(pe.resources[i].filetype, "PNG") == 0 &&
	    pe.resources[i].lang == 0x409 && pe.resources[i].name_id == 2,
	    "%s: RCDATA 2 sniffed as PNG, ENGLISH US", name);
	ok(pe.entry_section >= 0 && (pe.sections[pe.entry_section].chars & PE_SCN_MEM_EXECUTE),
	    "%s: entry point in an executable section", name);
	ok(pe.checksum_calc != 0 && pe.imphash[0] != 0, "%s: checksum and imphash computed", name);
	{
		/* What the PE heuristic asks for: the structure, without the digests. */
		struct pn_pe st;
		int same = 1;
		(void)pn_pe_parse_ex(d, n, PN_PE_PARSE_STRUCTURE, &st);
		for (i = 0; i < pe.nsect && i < st.nsect; i++)
			if (st.sections[i].st.entropy != pe.sections[i].st.entropy ||
			    st.sections[i].st.md5[0] != '\0' || pe.sections[i].st.md5[0] == '\0')
				same = 0;
		ok(st.valid && st.nsect == pe.nsect && same && st.nimport_funcs == pe.nimport_funcs &&
		    st.nexports == pe.nexports && st.entry_section == pe.entry_section &&
		    st.ntls_callbacks == pe.ntls_callbacks,
		    "%s: the structure-only parse has the same sections (entropy, no MD5), imports, entry, TLS", name);
		ok(st.nresources == 0 && st.checksum_calc == 0 && st.authentihash[0] == '\0',
		    "%s: and leaves out resources and the checksum", name);
		pn_pe_free(&st);
	}
	pn_pe_free(&pe);
	free(d);

	snprintf(name, sizeof(name), "petest%s.dll", bits);
	rc = load(name, &d, &n, &pe);
	is_int(rc, PN_OK, "%s: parses clean", name);
	ok((pe.characteristics & PE_FILE_DLL) && pe.nexports == 2 && pe.exports[0].name &&
	    strcmp(pe.exports[0].name, "pn_add") == 0, "%s: DLL exporting pn_add, pn_mul", name);
	pn_pe_free(&pe);
	free(d);
}

/* Append an overlay; check it and the JSON of the "pe" parser. */
static void
check_overlay_json(void)
{
	char path[512];
	uint8_t *d, *d2;
	size_t n;
	struct pn_pe pe;
	struct pn_parse p;
	struct json_object *info, *v, *sig;
	int rc;

	if (load("petest64.exe", &d, &n, &pe) != PN_OK) {
		pn_pe_free(&pe);
		free(d);
		return;
	}
	pn_pe_free(&pe);
	d2 = pn_xmalloc(n + 4096);
	memcpy(d2, d, n);
	memcpy(d2 + n, "PK\x03\x04", 4);
	memset(d2 + n + 4, 0x5a, 4092);
	snprintf(path, sizeof(path), "%s/overlay.exe", tmpdir);
	write_file(path, d2, n + 4096);
	rc = pn_pe_parse(d2, n + 4096, &pe);
	ok(rc == PN_OK && pe.has_overlay && pe.overlay_off + pe.overlay_size == n + 4096 &&
	    pe.overlay_off <= n, "overlay appended: found");
	pn_pe_free(&pe);

	memset(&p, 0, sizeof(p));
	p.data = d2;
	p.size = n + 4096;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	ok(pn_parser_pe.bid(d2, n + 4096, NULL) > 0, "parser: bids on a PE");
	ok(pn_parser_pe.bid((const uint8_t *)"MZxx", 4, NULL) == 0, "parser: not on a bare MZ");
	rc = pn_parser_pe.parse(&p);
	is_int(rc, PN_OK, "parser: PN_OK");
	ok(json_object_object_get_ex(p.attrs, "pe_info", &info), "parser: pe_info");
	ok(json_object_object_get_ex(info, "imphash", &v) && strlen(json_object_get_string(v)) == 32,
	    "parser: pe_info.imphash");
	ok(json_object_object_get_ex(info, "machine_type", &v) && json_object_get_int(v) == 0x8664,
	    "parser: machine_type 34404");
	ok(json_object_object_get_ex(info, "sections", &v) && json_object_array_length(v) > 3,
	    "parser: sections");
	v = json_object_array_get_idx(v, 0);
	ok(v && json_object_object_get_ex(v, "flags", &v) && strcmp(json_object_get_string(v), "rx") == 0,
	    "parser: .text flags rx");
	/* mingw leaves its COFF symbol table after the sections: the overlay starts there */
	ok(json_object_object_get_ex(info, "overlay", &v) && json_object_object_get_ex(v, "md5", &sig) &&
	    json_object_object_get_ex(v, "size", &v) && json_object_get_int64(v) > 4096,
	    "parser: overlay with md5, size");
	ok(json_object_object_get_ex(info, "resource_langs", &v) &&
	    json_object_object_get_ex(v, "ENGLISH US", &v) && json_object_get_int(v) == 2,
	    "parser: resource_langs ENGLISH US: 2");
	ok(json_object_object_get_ex(info, "resource_types", &v) &&
	    json_object_object_get_ex(v, "RT_VERSION", &v) && json_object_get_int(v) == 1,
	    "parser: resource_types RT_VERSION: 1");
	ok(json_object_object_get_ex(info, "tls_info", &v) && json_object_object_get_ex(v, "callbacks", &v) &&
	    json_object_array_length(v) >= 1, "parser: tls_info.callbacks");
	ok(json_object_object_get_ex(p.attrs, "signature_info", &sig) &&
	    json_object_object_get_ex(sig, "original name", &v) &&
	    strcmp(json_object_get_string(v), "petest.exe") == 0, "parser: signature_info original name");
	ok(sig && json_object_object_get_ex(sig, "file version", &v) &&
	    strcmp(json_object_get_string(v), "1.2.3.4") == 0, "parser: signature_info file version");
	ok(json_object_object_get_ex(p.attrs, "creation_date", &v), "parser: creation_date");
	ok(json_object_object_get_ex(p.attrs, "authentihash", &v) && strlen(json_object_get_string(v)) == 64,
	    "parser: authentihash");
	ok(json_object_array_length(p.tags) == 1 &&
	    strcmp(json_object_get_string(json_object_array_get_idx(p.tags, 0)), "overlay") == 0,
	    "parser: tag overlay");
	json_object_put(p.attrs);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
	free(d);
	free(d2);
}

/* Sign with osslsigncode; compare signer names and the Authenticode digest. */
static void
check_signed(void)
{
	char cmd[2048], line[512], digest[80] = "";
	uint8_t *d;
	size_t n, i, j;
	struct pn_pe pe;
	FILE *f;

	if (!have("osslsigncode") || !have("openssl")) {
		skip("Authenticode: signer names, authentihash", "osslsigncode or openssl missing");
		return;
	}
	if (build("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -subj '/CN=Panoptes Test Signer' "
	    "-days 30 -keyout key.pem -out cert.pem >/dev/null 2>&1 && osslsigncode sign -certs cert.pem "
	    "-key key.pem -h sha256 -in petest64.exe -out signed64.exe >/dev/null 2>&1", tmpdir) != 0) {
		skip("Authenticode: signer names, authentihash", "signing failed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "osslsigncode verify -in %s/signed64.exe 2>/dev/null", tmpdir);
	if ((f = popen(cmd, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "Calculated message digest", 25) == 0) {
				char *c = strchr(line, ':');
				for (i = 0, j = 0; c && c[i] && j + 1 < sizeof(digest); i++)
					if ((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'A' && c[i] <= 'F'))
						digest[j++] = (char)(c[i] - (c[i] >= 'A' ? 'A' - 'a' : 0));
				digest[j] = '\0';
			}
		pclose(f);
	}
	load("signed64.exe", &d, &n, &pe);
	ok(pe.has_security && pe.sig_parsed, "signed: PKCS#7 SignedData decoded");
	dump_notes(&pe);
	is_str(pe.signers, "Panoptes Test Signer", "signed: signer name");
	ok(pe.ncerts == 1 && strcmp(pe.certs[0].issuer_cn, "Panoptes Test Signer") == 0 &&
	    strlen(pe.certs[0].thumbprint) == 40 && pe.certs[0].not_before[0], "signed: certificate details");
	is_str(pe.authentihash, digest, "signed: authentihash equals osslsigncode's digest");
	ok(pe.has_overlay && pe.checksum_calc == pe.checksum, "signed: checksum (set by osslsigncode) matches");
	pn_pe_free(&pe);
	free(d);
}

static void
test_mingw(void)
{
	char list[512];
	FILE *f;
	static const char *const files[] = {
		"petest64.exe", "petest64.dll", "petest32.exe", "petest32.dll", "overlay.exe",
		"signed64.exe", "handmade.exe",
	};
	size_t i;
	int built64 = 0, built32 = 0;
	uint8_t b[HF_SIZE];
	char path[512];

	if (have("x86_64-w64-mingw32-gcc")) {
		char blob[512];
		snprintf(blob, sizeof(blob), "%s/blob.bin", tmpdir);
		write_file(blob, (const uint8_t *)"\x89PNG\r\n\x1a\n0123456789abcdef", 24);
		built64 = build_mingw("x86_64", "64") == 0;
		ok(built64, "mingw x86_64: built petest64.exe and petest64.dll");
		if (built64) {
			check_exe("64");
			check_overlay_json();
			check_signed();
		}
	} else {
		diag("x86_64-w64-mingw32-gcc not found: apt-get install gcc-mingw-w64-x86-64");
		skip("mingw x86_64 builds", "x86_64-w64-mingw32-gcc missing");
	}
	if (have("i686-w64-mingw32-gcc")) {
		built32 = build_mingw("i686", "32") == 0;
		ok(built32, "mingw i686: built petest32.exe and petest32.dll");
		if (built32)
			check_exe("32");
	} else {
		diag("i686-w64-mingw32-gcc not found: apt-get install gcc-mingw-w64-i686");
		skip("mingw i686 builds", "i686-w64-mingw32-gcc missing");
	}
	/* cross-check what was built, and the handmade PE with its rich header */
	build_pe(b, 1);
	snprintf(path, sizeof(path), "%s/handmade.exe", tmpdir);
	write_file(path, b, sizeof(b));
	snprintf(list, sizeof(list), "%s/built.list", tmpdir);
	if ((f = fopen(list, "w")) == NULL)
		return;
	for (i = 0; i < PN_ARRAY_LEN(files); i++) {
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		if (stat(path, &sb) == 0)
			fprintf(f, "%s\n", path);
	}
	fclose(f);
	check_list(list, "built test PEs", 1 + (built64 ? 4 : 0) + (built32 ? 2 : 0) -
	    (built64 && access("/usr/bin/osslsigncode", X_OK) != 0 ? 1 : 0));
}

/* ------------------------------------------------------------- main */

static void
find_dirs(const char *argv0)
{
	const char *tops[] = { ".", "../..", "../../.." };
	char probe[600];
	size_t i;
	struct stat sb;

	(void)argv0;
	for (i = 0; i < PN_ARRAY_LEN(tops); i++) {
		snprintf(probe, sizeof(probe), "%s/tests/data/pe/petest.c", tops[i]);
		if (stat(probe, &sb) == 0) {
			char *abs = realpath(tops[i], NULL);
			snprintf(datadir, sizeof(datadir), "%s/tests/data/pe", abs ? abs : tops[i]);
			snprintf(checker, sizeof(checker), "%s/tests/unit/pe_pefile_check.py", abs ? abs : tops[i]);
			free(abs);
			return;
		}
	}
}

int
main(int argc, char **argv)
{
	char cmd[300];

	(void)argc;
	find_dirs(argv[0]);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pn-test-pe.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_handmade();
	test_malformed();
	if (datadir[0] == '\0') {
		diag("tests/data/pe not found (run from the top of the tree)");
		skip("ordinal tables, mingw builds, pefile cross-check", "tests/data/pe not found");
	} else {
		test_ordinals();
		test_mingw();
		test_wine();
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	run(cmd);
	return done_testing();
}
