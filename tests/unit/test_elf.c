/*
 * test_elf.c - unit tests for parsers/elf.c.
 *
 * Inputs, all made at run time:
 *  - ELF files built in memory by eb_build() below, in the four
 *    class/byte-order combinations, with and without section headers
 *    (symbols then found through DT_GNU_HASH or DT_HASH), with extended
 *    numbering, and damaged on purpose (names outside their table, string
 *    tables without a NUL, huge and out-of-file sizes, bad entry sizes,
 *    counts over the limits);
 *  - every prefix of one of them, and seeded random mutations of each;
 *  - programs compiled with gcc (dynamic PIE, non-PIE, static, stripped,
 *    a shared library, 32-bit objects linked with ld -m elf_i386);
 *  - about 100 ELF files from /usr/bin and /usr/lib/x86_64-linux-gnu,
 *    cross-checked field by field against `readelf -h -S -l -d --dyn-syms
 *    --wide` (header, every section's name, type, address, offset, size
 *    and flags, the section-to-segment map, DT_NEEDED/SONAME/RUNPATH, and
 *    the counts of imported and exported dynamic symbols).
 * Includes elf.c to reach its static helpers.
 *
 * `test_elf --write-seeds DIR` writes the fuzz seeds instead
 * (tests/fuzz/make-seeds-elf.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "../../parsers/elf.c"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define REAL_FILES_BIN   60          /* ELF files cross-checked from /usr/bin */
#define REAL_FILES_LIB   40          /* ... and from /usr/lib/x86_64-linux-gnu */
#define REAL_MAX_SIZE    (16u << 20) /* larger files are skipped */
#define MUTATIONS        2000        /* random mutations per built variant */

/* ------------------------------------------------------------------ */
/* JSON helpers                                                        */

static struct json_object *
jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static long long
jint(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL ? (long long)json_object_get_uint64(v) : -1;
}

static size_t
jlen(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

static struct json_object *
jidx(struct json_object *o, const char *key, size_t i)
{
	struct json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_array) && i < json_object_array_length(v) ?
	    json_object_array_get_idx(v, i) : NULL;
}

/* Does array o[key] hold the string s (or an object whose "name" is s, and type t)? */
static int
jhas(struct json_object *o, const char *key, const char *s, const char *t)
{
	size_t i, n = jlen(o, key);

	for (i = 0; i < n; i++) {
		struct json_object *v = jidx(o, key, i);
		const char *name = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : jstr(v, "name");
		if (name != NULL && strcmp(name, s) == 0 &&
		    (t == NULL || (jstr(v, "type") != NULL && strcmp(jstr(v, "type"), t) == 0)))
			return 1;
	}
	return 0;
}

/* Strict JSON with valid UTF-8? */
static int
json_valid(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(s);
	int ok;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	ok = o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Running the parser                                                  */

struct run {
	struct json_object *attrs, *notes, *tags, *edges;
	struct json_object *info;   /* attrs.elf_info or NULL */
	int rc;
};

static void
run_elf(struct run *r, const uint8_t *data, size_t size)
{
	struct pn_parse p;
	uint8_t *copy = pn_xmalloc(size ? size : 1);   /* exact size: ASan sees overreads */

	memcpy(copy, data, size);
	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->attrs = json_object_new_object();
	r->notes = json_object_new_array();
	r->tags = json_object_new_array();
	r->edges = json_object_new_array();
	p.data = copy;
	p.size = size;
	p.attrs = r->attrs;
	p.notes = r->notes;
	p.tags = r->tags;
	p.edges = r->edges;
	r->rc = pn_parser_elf.parse(&p);
	r->info = jget(r->attrs, "elf_info");
	free(copy);
}

static void
run_free(struct run *r)
{
	json_object_put(r->attrs);
	json_object_put(r->notes);
	json_object_put(r->tags);
	json_object_put(r->edges);
}

static void
show_notes(const struct run *r)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->notes); i++)
		diag("note: %s", json_object_get_string(json_object_array_get_idx(r->notes, i)));
}

/* The output must be strict, valid-UTF-8 JSON and the result code one of three. */
static int
run_sane(const struct run *r)
{
	const char *s = json_object_to_json_string_ext(r->attrs, JSON_C_TO_STRING_PLAIN);

	if (r->rc != PN_OK && r->rc != PN_EFORMAT && r->rc != PN_ELIMIT)
		return 0;
	if (r->rc == PN_OK && json_object_array_length(r->notes) != 0)
		return 0;
	if (r->rc != PN_OK && json_object_array_length(r->notes) == 0)
		return 0;
	if (json_object_array_length(r->notes) > PN_ELF_MAX_NOTES)
		return 0;
	if (jlen(r->info, "section_list") > PN_ELF_MAX_SECTIONS ||
	    jlen(r->info, "import_list") > PN_ELF_MAX_LISTED ||
	    jlen(r->info, "export_list") > PN_ELF_MAX_LISTED)
		return 0;
	if (!json_valid(json_object_to_json_string_ext(r->notes, JSON_C_TO_STRING_PLAIN)))
		return 0;
	return json_valid(s) && strlen(s) < 4 * PN_ELF_MAX_OUTPUT;
}

/* ------------------------------------------------------------------ */
/* An ELF builder                                                      */

struct eb {
	uint8_t *b;
	size_t len, cap;
	int is64, be;
};

static size_t
eb_grow(struct eb *b, size_t n)
{
	size_t at = b->len;

	if (b->len + n > b->cap) {
		size_t cap = PN_MAX(b->cap * 2, b->len + n + 4096);
		b->b = pn_xrealloc(b->b, cap);
		memset(b->b + b->cap, 0, cap - b->cap);
		b->cap = cap;
	}
	b->len += n;
	return at;
}

static void
eb_align(struct eb *b, size_t a)
{
	while (b->len % a)
		eb_grow(b, 1);
}

static size_t
eb_bytes(struct eb *b, const void *p, size_t n)
{
	size_t at = eb_grow(b, n);

	memcpy(b->b + at, p, n);
	return at;
}

/* Write an n-byte integer at off in the builder's byte order. */
static void
wr(struct eb *b, size_t off, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		b->b[off + (b->be ? n - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

static uint64_t
rdv(const struct eb *b, size_t off, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b->b[off + (b->be ? n - 1 - i : i)] << (8 * i);
	return v;
}

/* Header and section header fields: {offset ELF32, offset ELF64, size ELF32, size ELF64}. */
enum { E_TYPE, E_MACHINE, E_VERSION, E_ENTRY, E_PHOFF, E_SHOFF, E_FLAGS, E_EHSIZE,
	E_PHENTSIZE, E_PHNUM, E_SHENTSIZE, E_SHNUM, E_SHSTRNDX };
static const uint8_t ehf[][4] = {
	{ 16, 16, 2, 2 }, { 18, 18, 2, 2 }, { 20, 20, 4, 4 }, { 24, 24, 4, 8 }, { 28, 32, 4, 8 },
	{ 32, 40, 4, 8 }, { 36, 48, 4, 4 }, { 40, 52, 2, 2 }, { 42, 54, 2, 2 }, { 44, 56, 2, 2 },
	{ 46, 58, 2, 2 }, { 48, 60, 2, 2 }, { 50, 62, 2, 2 },
};
enum { S_NAME, S_TYPE, S_FLAGS, S_ADDR, S_OFFSET, S_SIZE, S_LINK, S_INFO, S_ALIGN, S_ENTSIZE };
static const uint8_t shf[][4] = {
	{ 0, 0, 4, 4 }, { 4, 4, 4, 4 }, { 8, 8, 4, 8 }, { 12, 16, 4, 8 }, { 16, 24, 4, 8 },
	{ 20, 32, 4, 8 }, { 24, 40, 4, 4 }, { 28, 44, 4, 4 }, { 32, 48, 4, 8 }, { 36, 56, 4, 8 },
};
enum { P_TYPE, P_FLAGS, P_OFFSET, P_VADDR, P_PADDR, P_FILESZ, P_MEMSZ, P_ALIGN };
static const uint8_t phf[][4] = {
	{ 0, 0, 4, 4 }, { 24, 4, 4, 4 }, { 4, 8, 4, 8 }, { 8, 16, 4, 8 }, { 12, 24, 4, 8 },
	{ 16, 32, 4, 8 }, { 20, 40, 4, 8 }, { 28, 48, 4, 8 },
};

static void
set_eh(struct eb *b, int f, uint64_t v)
{
	wr(b, ehf[f][b->is64], ehf[f][2 + b->is64], v);
}

static uint64_t
get_eh(const struct eb *b, int f)
{
	return rdv(b, ehf[f][b->is64], ehf[f][2 + b->is64]);
}

static void
set_sh(struct eb *b, size_t i, int f, uint64_t v)
{
	size_t at = (size_t)get_eh(b, E_SHOFF) + i * (b->is64 ? 64 : 40);

	wr(b, at + shf[f][b->is64], shf[f][2 + b->is64], v);
}

static uint64_t
get_sh(const struct eb *b, size_t i, int f)
{
	size_t at = (size_t)get_eh(b, E_SHOFF) + i * (b->is64 ? 64 : 40);

	return rdv(b, at + shf[f][b->is64], shf[f][2 + b->is64]);
}

static void
set_ph(struct eb *b, size_t i, int f, uint64_t v)
{
	size_t at = (size_t)get_eh(b, E_PHOFF) + i * (b->is64 ? 56 : 32);

	wr(b, at + phf[f][b->is64], phf[f][2 + b->is64], v);
}

struct eopt {
	int is64, be;
	uint16_t type, machine;
	int sections;        /* write section headers */
	int symtab;          /* .symtab + .strtab */
	int hash, gnu_hash;  /* DT_HASH, DT_GNU_HASH tables */
	int extnum;          /* extended numbering through section 0 */
	unsigned extra_sections;  /* more empty PROGBITS sections */
	unsigned extra_imports;   /* more undefined FUNC symbols f0, f1, ... */
	size_t text_size;         /* bytes of .text beyond 64, random */
};

/* Where the builder put things. */
struct elay {
	size_t nsh, nph, shstrndx;
	size_t i_text, i_data, i_dynsym, i_dynstr, i_dynamic, i_bss, i_shstrtab;
	uint64_t entry;
	size_t dynstr_off, dynstr_size, dynamic_off, shstrtab_off, shstrtab_size;
	size_t gnu_hash_off, text_off;
};

#define NPH 7
static const char *const eb_interp = "/lib/ld-panoptes.so.1";

/* Names in .dynstr; offsets computed by eb_build. */
enum { D_LIBC, D_LIBM, D_SONAME, D_RUNPATH, D_PUTS, D_PTRACE, D_ENVIRON, D_GMON, D_EFN, D_EVAR,
	D_HIDDEN, D_LOCAL, D_N };
static const char *const dnames[D_N] = {
	"libc.so.6", "libm.so.6", "libtest.so.1", "$ORIGIN/lib", "puts", "ptrace", "environ",
	"__gmon_start__", "exported_fn", "exported_var", "hidden_fn", "local_obj"
};

static void
eb_sym(struct eb *b, uint32_t name, uint8_t info, uint8_t other, uint16_t shndx, uint64_t value)
{
	size_t at = eb_grow(b, b->is64 ? 24 : 16);

	wr(b, at, 4, name);
	if (b->is64) {
		b->b[at + 4] = info;
		b->b[at + 5] = other;
		wr(b, at + 6, 2, shndx);
		wr(b, at + 8, 8, value);
	} else {
		wr(b, at + 4, 4, value);
		b->b[at + 12] = info;
		b->b[at + 13] = other;
		wr(b, at + 14, 2, shndx);
	}
}

static void
eb_dyn(struct eb *b, uint64_t tag, uint64_t val)
{
	size_t w = b->is64 ? 8 : 4, at = eb_grow(b, 2 * w);

	wr(b, at, w, tag);
	wr(b, at + w, w, val);
}

struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	size_t off, size;
	uint32_t link, info;
	uint64_t align, entsize;
	int present;
};

/*
 * Build an ELF in b: ehdr, 7 program headers (PHDR, INTERP, LOAD r-x,
 * LOAD rw-, DYNAMIC, NOTE, GNU_STACK), then .interp, .note.gnu.build-id,
 * [.hash], [.gnu.hash], .dynsym, .dynstr, .text, .data, .dynamic, .bss,
 * [.symtab, .strtab], .shstrtab, [extra sections], section headers.
 * Virtual address = base + file offset.
 */
static void
eb_build(struct eb *b, const struct eopt *o, struct elay *l)
{
	struct sec s[32 + 1];
	size_t ns = 0, i, w = o->is64 ? 8 : 4, dstr[D_N], nsym, first_def, nimp;
	uint64_t base = o->type == ET_EXEC ? 0x400000 : 0;
	size_t shnames[32], rw_off, rx_end, phoff, note_off, symstart;
	struct pn_buf dynstr = PN_BUF_INIT, shstr = PN_BUF_INIT;
	size_t extra_name = 0, extra_base = 0;

	memset(b, 0, sizeof(*b));
	memset(l, 0, sizeof(*l));
	memset(s, 0, sizeof(s));
	b->is64 = o->is64;
	b->be = o->be;
	eb_grow(b, o->is64 ? 64 : 52);
	phoff = eb_grow(b, NPH * (o->is64 ? 56 : 32));

	/* .dynstr contents first: its offsets go into other sections */
	pn_buf_putc(&dynstr, '\0');
	for (i = 0; i < D_N; i++) {
		dstr[i] = dynstr.len;
		pn_buf_append(&dynstr, dnames[i], strlen(dnames[i]) + 1);
	}
	extra_base = dynstr.len;
	for (i = 0; i < o->extra_imports; i++)
		pn_buf_printf(&dynstr, "f%zu%c", i, '\0');
	nimp = 4 + o->extra_imports;
	nsym = 1 + nimp + 4;
	first_def = 1 + nimp;

	/* section indices, in order */
#define SEC(nm, ty, fl, al, es) (s[++ns] = (struct sec){ nm, ty, fl, 0, 0, 0, 0, al, es, 1 }, ns)
	size_t i_interp = SEC(".interp", SHT_PROGBITS, SHF_ALLOC, 1, 0);
	size_t i_note = SEC(".note.gnu.build-id", SHT_NOTE, SHF_ALLOC, 4, 0);
	size_t i_hash = o->hash ? SEC(".hash", 5, SHF_ALLOC, w, 4) : 0;
	size_t i_gnu = o->gnu_hash ? SEC(".gnu.hash", 0x6ffffff6u, SHF_ALLOC, w, 0) : 0;
	l->i_dynsym = SEC(".dynsym", SHT_DYNSYM, SHF_ALLOC, w, o->is64 ? 24 : 16);
	l->i_dynstr = SEC(".dynstr", SHT_STRTAB, SHF_ALLOC, 1, 0);
	l->i_text = SEC(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16, 0);
	l->i_data = SEC(".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 8, 0);
	l->i_dynamic = SEC(".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, w, 2 * w);
	l->i_bss = SEC(".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 8, 0);
	size_t i_symtab = o->symtab ? SEC(".symtab", SHT_SYMTAB, 0, w, o->is64 ? 24 : 16) : 0;
	size_t i_strtab = o->symtab ? SEC(".strtab", SHT_STRTAB, 0, 1, 0) : 0;
	l->i_shstrtab = SEC(".shstrtab", SHT_STRTAB, 0, 1, 0);
#undef SEC
	s[l->i_dynsym].link = (uint32_t)l->i_dynstr;
	s[l->i_dynsym].info = (uint32_t)first_def;
	s[l->i_dynamic].link = (uint32_t)l->i_dynstr;
	if (i_hash)
		s[i_hash].link = (uint32_t)l->i_dynsym;
	if (i_gnu)
		s[i_gnu].link = (uint32_t)l->i_dynsym;
	if (i_symtab) {
		s[i_symtab].link = (uint32_t)i_strtab;
		s[i_symtab].info = 2;
	}

	/* contents */
	s[i_interp].off = eb_bytes(b, eb_interp, strlen(eb_interp) + 1);
	s[i_interp].size = strlen(eb_interp) + 1;
	eb_align(b, 4);
	note_off = eb_grow(b, 12 + 4 + 20);
	wr(b, note_off, 4, 4);
	wr(b, note_off + 4, 4, 20);
	wr(b, note_off + 8, 4, 3);
	memcpy(b->b + note_off + 12, "GNU", 4);
	for (i = 0; i < 20; i++)
		b->b[note_off + 16 + i] = (uint8_t)(0xa0 + i);
	s[i_note].off = note_off;
	s[i_note].size = 36;
	if (i_hash) {
		eb_align(b, w);
		s[i_hash].off = eb_grow(b, 4 * (2 + 1 + nsym));
		s[i_hash].size = 4 * (2 + 1 + nsym);
		wr(b, s[i_hash].off, 4, 1);
		wr(b, s[i_hash].off + 4, 4, nsym);
	}
	if (i_gnu) {
		size_t at, ndef = nsym - first_def;
		eb_align(b, w);
		at = eb_grow(b, 16 + w + 4 + 4 * ndef);
		wr(b, at, 4, 1);             /* nbuckets */
		wr(b, at + 4, 4, first_def); /* symoffset */
		wr(b, at + 8, 4, 1);         /* bloom_size */
		wr(b, at + 12, 4, 6);        /* bloom_shift */
		wr(b, at + 16, w, ~(uint64_t)0);
		wr(b, at + 16 + w, 4, first_def);   /* bucket 0 */
		for (i = 0; i < ndef; i++)
			wr(b, at + 20 + w + 4 * i, 4, (i + 1 == ndef) ? 0x1235u : 0x1234u);
		s[i_gnu].off = at;
		s[i_gnu].size = 16 + w + 4 + 4 * ndef;
		l->gnu_hash_off = at;
	}
	eb_align(b, w);
	symstart = b->len;
	eb_sym(b, 0, 0, 0, 0, 0);
	eb_sym(b, (uint32_t)dstr[D_PUTS], STB_GLOBAL << 4 | 2, 0, 0, 0);
	eb_sym(b, (uint32_t)dstr[D_PTRACE], STB_GLOBAL << 4 | 2, 0, 0, 0);
	eb_sym(b, (uint32_t)dstr[D_ENVIRON], STB_GLOBAL << 4 | 1, 0, 0, 0);
	eb_sym(b, (uint32_t)dstr[D_GMON], STB_WEAK << 4 | 0, 0, 0, 0);
	for (i = 0; i < o->extra_imports; i++) {
		eb_sym(b, (uint32_t)(extra_base + extra_name), STB_GLOBAL << 4 | 2, 0, 0, 0);
		extra_name += (size_t)snprintf(NULL, 0, "f%zu", i) + 1;
	}
	eb_sym(b, (uint32_t)dstr[D_LOCAL], 0 << 4 | 1, 0, (uint16_t)l->i_data, 0);
	eb_sym(b, (uint32_t)dstr[D_HIDDEN], STB_GLOBAL << 4 | 2, 2, (uint16_t)l->i_text, 0);
	eb_sym(b, (uint32_t)dstr[D_EFN], STB_GLOBAL << 4 | 2, 0, (uint16_t)l->i_text, 0);
	eb_sym(b, (uint32_t)dstr[D_EVAR], STB_GLOBAL << 4 | 1, 0, (uint16_t)l->i_data, 0);
	s[l->i_dynsym].off = symstart;
	s[l->i_dynsym].size = b->len - symstart;
	s[l->i_dynstr].off = eb_bytes(b, dynstr.p, dynstr.len);
	s[l->i_dynstr].size = dynstr.len;
	l->dynstr_off = s[l->i_dynstr].off;
	l->dynstr_size = dynstr.len;
	eb_align(b, 16);
	s[l->i_text].off = eb_grow(b, 64 + o->text_size);
	s[l->i_text].size = 64 + o->text_size;
	l->text_off = s[l->i_text].off;
	for (i = 0; i < 64; i++)
		b->b[s[l->i_text].off + i] = (uint8_t)(i * 7 + 0x90);
	for (i = 0; i < o->text_size; i++) {   /* xorshift bytes: entropy near 8 */
		static uint32_t x = 2463534242u;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b->b[s[l->i_text].off + 64 + i] = (uint8_t)(x >> 24);
	}
	rx_end = b->len;
	eb_align(b, 16);
	rw_off = b->len;
	s[l->i_data].off = eb_grow(b, 16);
	s[l->i_data].size = 16;
	eb_align(b, w);
	l->dynamic_off = b->len;
	eb_dyn(b, DT_NEEDED, dstr[D_LIBC]);
	eb_dyn(b, DT_NEEDED, dstr[D_LIBM]);
	if (o->type == ET_DYN)
		eb_dyn(b, DT_SONAME, dstr[D_SONAME]);
	eb_dyn(b, DT_RUNPATH, dstr[D_RUNPATH]);
	if (i_hash)
		eb_dyn(b, DT_HASH, base + s[i_hash].off);
	if (i_gnu)
		eb_dyn(b, DT_GNU_HASH, base + s[i_gnu].off);
	eb_dyn(b, DT_STRTAB, base + s[l->i_dynstr].off);
	eb_dyn(b, DT_SYMTAB, base + s[l->i_dynsym].off);
	eb_dyn(b, DT_STRSZ, dynstr.len);
	eb_dyn(b, DT_SYMENT, o->is64 ? 24 : 16);
	eb_dyn(b, DT_NULL, 0);
	s[l->i_dynamic].off = l->dynamic_off;
	s[l->i_dynamic].size = b->len - l->dynamic_off;
	s[l->i_bss].off = b->len;
	s[l->i_bss].size = 64;
	if (i_symtab) {
		static const char strtab[] = "\0main.c\0main";
		eb_align(b, w);
		s[i_symtab].off = b->len;
		eb_sym(b, 0, 0, 0, 0, 0);
		eb_sym(b, 1, STT_FILE, 0, 0xfff1, 0);
		eb_sym(b, 8, STB_GLOBAL << 4 | 2, 0, (uint16_t)l->i_text, base + s[l->i_text].off);
		s[i_symtab].size = b->len - s[i_symtab].off;
		s[i_strtab].off = eb_bytes(b, strtab, sizeof(strtab));
		s[i_strtab].size = sizeof(strtab);
	}
	/* .shstrtab: ".extra" shared by every extra section */
	pn_buf_putc(&shstr, '\0');
	for (i = 1; i <= ns; i++) {
		shnames[i] = shstr.len;
		pn_buf_append(&shstr, s[i].name, strlen(s[i].name) + 1);
	}
	extra_name = shstr.len;
	pn_buf_append(&shstr, ".extra", 7);
	s[l->i_shstrtab].off = eb_bytes(b, shstr.p, shstr.len);
	s[l->i_shstrtab].size = shstr.len;
	l->shstrtab_off = s[l->i_shstrtab].off;
	l->shstrtab_size = shstr.len;

	/* section headers */
	l->nsh = 1 + ns + o->extra_sections;
	l->shstrndx = l->i_shstrtab;
	eb_align(b, 8);
	if (o->sections) {
		size_t shoff = eb_grow(b, l->nsh * (o->is64 ? 64 : 40));
		set_eh(b, E_SHOFF, shoff);
		for (i = 1; i <= ns; i++) {
			int alloc = (s[i].flags & SHF_ALLOC) != 0;
			set_sh(b, i, S_NAME, shnames[i]);
			set_sh(b, i, S_TYPE, s[i].type);
			set_sh(b, i, S_FLAGS, s[i].flags);
			set_sh(b, i, S_ADDR, alloc ? base + s[i].off : 0);
			set_sh(b, i, S_OFFSET, s[i].off);
			set_sh(b, i, S_SIZE, s[i].size);
			set_sh(b, i, S_LINK, s[i].link);
			set_sh(b, i, S_INFO, s[i].info);
			set_sh(b, i, S_ALIGN, s[i].align);
			set_sh(b, i, S_ENTSIZE, s[i].entsize);
		}
		for (i = 0; i < o->extra_sections; i++) {
			set_sh(b, 1 + ns + i, S_NAME, extra_name);
			set_sh(b, 1 + ns + i, S_TYPE, SHT_PROGBITS);
			set_sh(b, 1 + ns + i, S_OFFSET, s[l->i_text].off);
		}
	}

	/* ELF header */
	memcpy(b->b, "\177ELF", 4);
	b->b[4] = o->is64 ? ELFCLASS64 : ELFCLASS32;
	b->b[5] = o->be ? ELFDATA2MSB : ELFDATA2LSB;
	b->b[6] = EV_CURRENT;
	l->entry = base + s[l->i_text].off;
	l->nph = NPH;
	set_eh(b, E_TYPE, o->type);
	set_eh(b, E_MACHINE, o->machine);
	set_eh(b, E_VERSION, 1);
	set_eh(b, E_ENTRY, l->entry);
	set_eh(b, E_PHOFF, phoff);
	set_eh(b, E_EHSIZE, o->is64 ? 64 : 52);
	set_eh(b, E_PHENTSIZE, o->is64 ? 56 : 32);
	set_eh(b, E_PHNUM, NPH);
	set_eh(b, E_SHENTSIZE, o->is64 ? 64 : 40);
	set_eh(b, E_SHNUM, o->sections ? l->nsh : 0);
	set_eh(b, E_SHSTRNDX, o->sections ? l->shstrndx : 0);
	if (o->sections && o->extnum) {
		set_eh(b, E_SHNUM, 0);
		set_eh(b, E_SHSTRNDX, SHN_XINDEX);
		set_eh(b, E_PHNUM, PN_XNUM);
		set_sh(b, 0, S_SIZE, l->nsh);
		set_sh(b, 0, S_LINK, l->shstrndx);
		set_sh(b, 0, S_INFO, NPH);
	}

	/* program headers */
	{
		static const uint32_t types[NPH] = { PT_PHDR, PT_INTERP, PT_LOAD, PT_LOAD, PT_DYNAMIC,
			PT_NOTE, PT_GNU_STACK };
		uint64_t offs[NPH] = { phoff, s[i_interp].off, 0, rw_off, l->dynamic_off, note_off, 0 };
		uint64_t szs[NPH] = { NPH * (o->is64 ? 56u : 32u), s[i_interp].size, rx_end,
			s[l->i_bss].off - rw_off, s[l->i_dynamic].size, 36, 0 };
		uint32_t fl[NPH] = { PF_R, PF_R, PF_R | PF_X, PF_R | PF_W, PF_R | PF_W, PF_R,
			PF_R | PF_W };
		for (i = 0; i < NPH; i++) {
			set_ph(b, i, P_TYPE, types[i]);
			set_ph(b, i, P_FLAGS, fl[i]);
			set_ph(b, i, P_OFFSET, offs[i]);
			set_ph(b, i, P_VADDR, types[i] == PT_GNU_STACK ? 0 : base + offs[i]);
			set_ph(b, i, P_PADDR, types[i] == PT_GNU_STACK ? 0 : base + offs[i]);
			set_ph(b, i, P_FILESZ, szs[i]);
			set_ph(b, i, P_MEMSZ, szs[i] + (i == 3 ? 64 : 0));
			set_ph(b, i, P_ALIGN, types[i] == PT_LOAD ? 0x1000 : types[i] == PT_NOTE ? 4 : w);
		}
	}
	pn_buf_release(&dynstr);
	pn_buf_release(&shstr);
}

static const struct eopt opt_default = { 1, 0, ET_DYN, EM_X86_64, 1, 1, 1, 1, 0, 0, 0, 0 };

/* ------------------------------------------------------------------ */
/* Tests on built files                                                */

static void
check_symbols(const char *what, const struct run *r)
{
	ok(jhas(r->info, "shared_libraries", "libc.so.6", NULL) &&
	    jhas(r->info, "shared_libraries", "libm.so.6", NULL) &&
	    jlen(r->info, "shared_libraries") == 2, "%s: shared_libraries", what);
	ok(jlen(r->info, "import_list") == 4 && jhas(r->info, "import_list", "puts", "FUNC") &&
	    jhas(r->info, "import_list", "ptrace", "FUNC") &&
	    jhas(r->info, "import_list", "environ", "OBJECT") &&
	    jhas(r->info, "import_list", "__gmon_start__", "NOTYPE"), "%s: import_list", what);
	ok(jlen(r->info, "export_list") == 2 && jhas(r->info, "export_list", "exported_fn", "FUNC") &&
	    jhas(r->info, "export_list", "exported_var", "OBJECT"),
	    "%s: export_list (no local, no hidden)", what);
	ok(jlen(r->info, "notable_imports") == 1 && jhas(r->info, "notable_imports", "ptrace", NULL),
	    "%s: notable_imports", what);
	is_int(jint(jget(r->info, "symbol_counts"), "dynsym"), 9, "%s: dynsym count", what);
	is_str(jstr(r->info, "runpath"), "$ORIGIN/lib", "%s: runpath", what);
}

static void
test_built(int is64, int be)
{
	struct eopt o = opt_default;
	struct eb b;
	struct elay l;
	struct run r;
	struct json_object *h, *sec;
	char what[64];
	size_t i;

	o.is64 = is64;
	o.be = be;
	o.machine = is64 ? (be ? 21 : EM_X86_64) : (be ? 20 : 3);
	snprintf(what, sizeof(what), "built ELF%d %s", is64 ? 64 : 32, be ? "MSB" : "LSB");
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	if (!ok(r.rc == PN_OK && r.info != NULL, "%s: parsed clean", what))
		show_notes(&r);
	h = jget(r.info, "header");
	is_str(jstr(h, "class"), is64 ? "ELF64" : "ELF32", "%s: class", what);
	is_str(jstr(h, "data"), be ? "2's complement, big endian" : "2's complement, little endian",
	    "%s: data", what);
	is_str(jstr(h, "machine"), is64 ? (be ? "PowerPC64" : "Advanced Micro Devices X86-64") :
	    (be ? "PowerPC" : "Intel 80386"), "%s: machine", what);
	is_str(jstr(h, "type"), "DYN (Shared object file)", "%s: type", what);
	is_str(jstr(h, "hdr_version"), "1 (current)", "%s: hdr_version", what);
	is_str(jstr(h, "obj_version"), "0x1", "%s: obj_version", what);
	is_str(jstr(h, "os_abi"), "UNIX - System V", "%s: os_abi", what);
	is_int(jint(h, "entrypoint"), l.entry, "%s: entrypoint", what);
	is_int(jint(h, "num_section_headers"), l.nsh, "%s: num_section_headers", what);
	is_int(jint(h, "num_prog_headers"), NPH, "%s: num_prog_headers", what);
	is_int(jlen(r.info, "section_list"), l.nsh, "%s: section_list length", what);
	sec = jidx(r.info, "section_list", l.i_text);
	ok(jstr(sec, "name") && strcmp(jstr(sec, "name"), ".text") == 0 &&
	    strcmp(jstr(sec, "section_type"), "PROGBITS") == 0 &&
	    strcmp(jstr(sec, "flags"), "AX") == 0 && jint(sec, "size") == 64 &&
	    jget(sec, "entropy") != NULL, "%s: .text entry", what);
	sec = jidx(r.info, "section_list", l.i_bss);
	ok(jstr(sec, "section_type") && strcmp(jstr(sec, "section_type"), "NOBITS") == 0 &&
	    strcmp(jstr(sec, "flags"), "WA") == 0 && jget(sec, "entropy") == NULL,
	    "%s: .bss entry (no entropy)", what);
	sec = jidx(r.info, "section_list", 0);
	ok(jstr(sec, "name") && strcmp(jstr(sec, "name"), "") == 0 &&
	    strcmp(jstr(sec, "section_type"), "NULL") == 0, "%s: section 0", what);
	/* segments: PHDR none, INTERP .interp, LOAD rx through .text, LOAD rw .data .dynamic .bss */
	ok(jlen(jidx(r.info, "segment_list", 0), "resources") == 0 &&
	    jhas(jidx(r.info, "segment_list", 1), "resources", ".interp", NULL) &&
	    jlen(jidx(r.info, "segment_list", 1), "resources") == 1, "%s: PHDR, INTERP", what);
	ok(jhas(jidx(r.info, "segment_list", 2), "resources", ".text", NULL) &&
	    jhas(jidx(r.info, "segment_list", 2), "resources", ".dynsym", NULL) &&
	    !jhas(jidx(r.info, "segment_list", 2), "resources", ".data", NULL),
	    "%s: LOAD r-x", what);
	ok(jlen(jidx(r.info, "segment_list", 3), "resources") == 3 &&
	    jhas(jidx(r.info, "segment_list", 3), "resources", ".bss", NULL),
	    "%s: LOAD rw- (.data .dynamic .bss)", what);
	ok(jlen(jidx(r.info, "segment_list", 4), "resources") == 1 &&
	    jhas(jidx(r.info, "segment_list", 4), "resources", ".dynamic", NULL), "%s: DYNAMIC", what);
	is_str(jstr(jidx(r.info, "segment_list", 6), "segment_type"), "GNU_STACK", "%s: GNU_STACK", what);
	check_symbols(what, &r);
	is_str(jstr(r.info, "soname"), "libtest.so.1", "%s: soname", what);
	is_str(jstr(r.info, "interpreter"), eb_interp, "%s: interpreter", what);
	is_str(jstr(r.info, "build_id"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3", "%s: build_id", what);
	ok(jget(r.info, "stripped") && !json_object_get_boolean(jget(r.info, "stripped")),
	    "%s: not stripped", what);
	is_int(jint(jget(r.info, "symbol_counts"), "symtab"), 3, "%s: symtab count", what);
	is_int(jlen(r.info, "packer_hints"), 0, "%s: no packer hints", what);
	for (i = 0; i < json_object_array_length(r.tags); i++)
		diag("unexpected tag");
	is_int(json_object_array_length(r.tags), 0, "%s: no tags", what);
	ok(run_sane(&r), "%s: sane output", what);
	run_free(&r);

	/* The same without section headers: DT_GNU_HASH, then DT_HASH alone. */
	o.sections = 0;
	free(b.b);
	eb_build(&b, &o, &l);
	snprintf(what, sizeof(what), "ELF%d %s without sections", is64 ? 64 : 32, be ? "MSB" : "LSB");
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_OK && jlen(r.info, "section_list") == 0, "%s: parsed clean", what);
	check_symbols(what, &r);
	ok(jhas(r.info, "packer_hints", "no_section_headers", NULL), "%s: hint", what);
	ok(jget(r.info, "stripped") && json_object_get_boolean(jget(r.info, "stripped")),
	    "%s: stripped", what);
	is_str(jstr(r.info, "build_id"), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3",
	    "%s: build_id from PT_NOTE", what);
	run_free(&r);
	o.gnu_hash = 0;
	free(b.b);
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	snprintf(what, sizeof(what), "ELF%d %s, DT_HASH only", is64 ? 64 : 32, be ? "MSB" : "LSB");
	ok(r.rc == PN_OK, "%s: parsed clean", what);
	check_symbols(what, &r);
	run_free(&r);
	o.hash = 0;
	o.gnu_hash = 1;
	free(b.b);
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	snprintf(what, sizeof(what), "ELF%d %s, DT_GNU_HASH only", is64 ? 64 : 32, be ? "MSB" : "LSB");
	ok(r.rc == PN_OK, "%s: parsed clean", what);
	check_symbols(what, &r);
	run_free(&r);
	free(b.b);
}

/* Extended numbering must give the same sections as plain numbering. */
static void
test_extnum(void)
{
	struct eopt o = opt_default;
	struct eb b1, b2;
	struct elay l;
	struct run r1, r2;
	const char *s1, *s2;

	eb_build(&b1, &o, &l);
	o.extnum = 1;
	eb_build(&b2, &o, &l);
	is_int(get_eh(&b2, E_SHNUM), 0, "extnum: e_shnum is 0");
	run_elf(&r1, b1.b, b1.len);
	run_elf(&r2, b2.b, b2.len);
	ok(r2.rc == PN_OK, "extnum: parsed clean");
	is_int(jint(jget(r2.info, "header"), "num_section_headers"), l.nsh, "extnum: section count from sh_size");
	is_int(jint(jget(r2.info, "header"), "num_prog_headers"), NPH, "extnum: phnum from sh_info");
	/* section 0 differs: it holds the counts */
	json_object_array_del_idx(jget(r1.info, "section_list"), 0, 1);
	json_object_array_del_idx(jget(r2.info, "section_list"), 0, 1);
	s1 = json_object_to_json_string(jget(r1.info, "section_list"));
	s2 = json_object_to_json_string(jget(r2.info, "section_list"));
	ok(strcmp(s1, s2) == 0, "extnum: same sections 1..n, names through sh_link");
	s1 = json_object_to_json_string(jget(r1.info, "segment_list"));
	s2 = json_object_to_json_string(jget(r2.info, "segment_list"));
	ok(strcmp(s1, s2) == 0, "extnum: same segment_list");
	run_free(&r1);
	run_free(&r2);
	free(b1.b);
	free(b2.b);
}

/* A note containing needle? */
static int
has_note(const struct run *r, const char *needle)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->notes); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(r->notes, i)), needle))
			return 1;
	return 0;
}

static void
test_malformed(void)
{
	struct eopt o = opt_default;
	struct eb b;
	struct elay l;
	struct run r;
	struct json_object *sec;
	uint8_t save;

	eb_build(&b, &o, &l);

	/* a name offset past the end of .shstrtab */
	set_sh(&b, l.i_text, S_NAME, 100000);
	run_elf(&r, b.b, b.len);
	sec = jidx(r.info, "section_list", l.i_text);
	is_str(jstr(sec, "name"), "<corrupt>", "bad sh_name: <corrupt>");
	ok(r.rc == PN_EFORMAT && has_note(&r, "outside its string table"), "bad sh_name: noted");
	ok(run_sane(&r), "bad sh_name: sane");
	run_free(&r);
	set_sh(&b, l.i_text, S_NAME, get_sh(&b, l.i_text + 1, S_NAME) - 6);

	/* .shstrtab cut before the NUL of the last name used (".shstrtab", before ".extra") */
	set_sh(&b, l.i_shstrtab, S_SIZE, l.shstrtab_size - 8);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "not NUL-terminated"), "unterminated string table: noted");
	ok(jlen(r.info, "section_list") == l.nsh, "unterminated string table: sections kept");
	run_free(&r);
	set_sh(&b, l.i_shstrtab, S_SIZE, l.shstrtab_size);

	/* e_shstrndx out of range */
	set_eh(&b, E_SHSTRNDX, 200);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "section_list") == l.nsh &&
	    strcmp(jstr(jidx(r.info, "section_list", l.i_text), "name"), "") == 0,
	    "e_shstrndx out of range: empty names");
	run_free(&r);
	set_eh(&b, E_SHSTRNDX, l.shstrndx);

	/* a huge section size and a section past the end of the file */
	set_sh(&b, l.i_text, S_SIZE, (uint64_t)1 << 62);
	set_sh(&b, l.i_data, S_OFFSET, (uint64_t)1 << 40);
	run_elf(&r, b.b, b.len);
	sec = jidx(r.info, "section_list", l.i_text);
	ok(r.rc == PN_EFORMAT && jget(sec, "entropy") == NULL &&
	    jint(sec, "size") == (long long)((uint64_t)1 << 62), "huge size: kept, no entropy");
	ok(!jhas(jidx(r.info, "segment_list", 2), "resources", ".text", NULL),
	    "huge size: not mapped into a segment");
	ok(run_sane(&r), "huge size: sane");
	run_free(&r);
	set_sh(&b, l.i_text, S_SIZE, 64);
	set_sh(&b, l.i_data, S_OFFSET, l.dynamic_off - 16);

	/* e_shentsize too small; e_shoff past the end */
	set_eh(&b, E_SHENTSIZE, 10);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "section_list") == 0 && has_note(&r, "e_shentsize"),
	    "e_shentsize 10: sections ignored");
	ok(jlen(r.info, "import_list") == 4, "e_shentsize 10: symbols still found via DT_GNU_HASH");
	run_free(&r);
	set_eh(&b, E_SHENTSIZE, 64);
	set_eh(&b, E_SHOFF, b.len + 100);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "section_list") == 0, "e_shoff past the end: no sections");
	run_free(&r);

	/* 65535 section headers claimed: limit, then the end of the file */
	set_eh(&b, E_SHOFF, b.len - l.nsh * 64);
	set_eh(&b, E_SHNUM, 0xfffe);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_ELIMIT && jlen(r.info, "section_list") == l.nsh, "e_shnum 65534: limit noted, table cut");
	ok(run_sane(&r), "e_shnum 65534: sane");
	run_free(&r);
	set_eh(&b, E_SHNUM, l.nsh);

	/* program headers: bad e_phentsize, e_phoff far away */
	set_eh(&b, E_PHENTSIZE, 8);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "segment_list") == 0 &&
	    jlen(r.info, "section_list") == l.nsh, "e_phentsize 8: no segments, sections kept");
	run_free(&r);
	set_eh(&b, E_PHENTSIZE, 56);
	set_eh(&b, E_PHOFF, UINT64_MAX - 8);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "segment_list") == 0, "e_phoff near 2^64: no overflow");
	run_free(&r);
	set_eh(&b, E_PHOFF, 64);

	/* dynamic string table link broken; a DT_NEEDED offset outside it */
	set_sh(&b, l.i_dynamic, S_LINK, 999);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info, "shared_libraries") == 2 &&
	    jhas(r.info, "shared_libraries", "<corrupt>", NULL), "bad sh_link: names <corrupt>");
	run_free(&r);
	set_sh(&b, l.i_dynamic, S_LINK, l.i_dynstr);
	wr(&b, l.dynamic_off + 8, 8, 0x7fffffff);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && jhas(r.info, "shared_libraries", "<corrupt>", NULL) &&
	    jhas(r.info, "shared_libraries", "libm.so.6", NULL), "DT_NEEDED out of range");
	run_free(&r);
	free(b.b);

	/* no sections and a GNU hash table with 2^32-1 buckets: falls back on DT_HASH */
	o.sections = 0;
	eb_build(&b, &o, &l);
	wr(&b, l.gnu_hash_off, 4, 0xffffffffu);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_OK && jlen(r.info, "import_list") == 4, "broken DT_GNU_HASH: DT_HASH used");
	run_free(&r);
	free(b.b);

	/* class and data encoding */
	o = opt_default;
	eb_build(&b, &o, &l);
	save = b.b[4];
	b.b[4] = 3;
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && r.info == NULL && has_note(&r, "unknown class"), "class 3: no elf_info");
	run_free(&r);
	b.b[4] = save;
	b.b[5] = 0;
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_EFORMAT && r.info != NULL && jlen(r.info, "import_list") == 4 &&
	    strcmp(jstr(jget(r.info, "header"), "data"), "none") == 0, "data 0: read as LSB, noted");
	run_free(&r);
	b.b[5] = ELFDATA2LSB;

	/* other header values */
	b.b[7] = 3;
	b.b[6] = 7;
	set_eh(&b, E_TYPE, 0xfe01);
	set_eh(&b, E_MACHINE, 0x1234);
	run_elf(&r, b.b, b.len);
	is_str(jstr(jget(r.info, "header"), "os_abi"), "UNIX - GNU", "os_abi 3");
	is_str(jstr(jget(r.info, "header"), "hdr_version"), "7 <unknown>", "EI_VERSION 7");
	is_str(jstr(jget(r.info, "header"), "type"), "OS Specific: (fe01)", "e_type 0xfe01");
	is_str(jstr(jget(r.info, "header"), "machine"), "<unknown>: 0x1234", "e_machine 0x1234");
	run_free(&r);
	free(b.b);

	/* names of invalid bytes, in notes cut by their length limit (a fuzz find) */
	o = opt_default;
	o.text_size = 300;
	eb_build(&b, &o, &l);
	memset(b.b + l.text_off, 0xff, 364);
	set_sh(&b, l.i_shstrtab, S_OFFSET, l.text_off);
	set_sh(&b, l.i_shstrtab, S_SIZE, 364);
	set_sh(&b, l.i_text, S_NAME, 0);
	set_sh(&b, l.i_text, S_SIZE, (uint64_t)1 << 40);
	run_elf(&r, b.b, b.len);
	if (!ok(r.rc == PN_EFORMAT && has_note(&r, "extends past the end") && run_sane(&r),
	    "invalid-byte name in a note: valid UTF-8"))
		show_notes(&r);
	ok(strncmp(jstr(jidx(r.info, "section_list", l.i_text), "name"), "\xef\xbf\xbd", 3) == 0,
	    "invalid-byte name: U+FFFD");
	run_free(&r);
	free(b.b);

	/* too short for a header */
	run_elf(&r, (const uint8_t *)"\177ELF\002\001\001", 7);
	ok(r.rc == PN_EFORMAT && r.info == NULL && has_note(&r, "too short"), "7 bytes: no elf_info");
	run_free(&r);
}

static void
test_hints(void)
{
	struct eopt o = opt_default;
	struct eb b;
	struct elay l;
	struct run r;

	o.text_size = 65536;
	eb_build(&b, &o, &l);
	memcpy(b.b + l.dynstr_off + 1, "UPX!", 4);
	set_ph(&b, 2, P_FLAGS, PF_R | PF_W | PF_X);
	set_eh(&b, E_ENTRY, l.entry + 0x20000);
	run_elf(&r, b.b, b.len);
	ok(jhas(r.info, "packer_hints", "upx_magic", NULL), "hints: UPX! magic");
	ok(jhas(r.info, "packer_hints", "high_entropy_exec_section", NULL), "hints: .text entropy %.2f",
	    json_object_get_double(jget(jidx(r.info, "section_list", l.i_text), "entropy")));
	ok(jhas(r.info, "packer_hints", "rwx_segment", NULL), "hints: RWX PT_LOAD");
	ok(jhas(r.info, "packer_hints", "entry_outside_exec_sections", NULL), "hints: entry outside");
	ok(!jhas(r.info, "packer_hints", "no_section_headers", NULL), "hints: sections present");
	run_free(&r);
	free(b.b);
	o.sections = 0;
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	ok(jhas(r.info, "packer_hints", "no_section_headers", NULL) &&
	    jhas(r.info, "packer_hints", "high_entropy_exec_segment", NULL) &&
	    jlen(r.info, "packer_hints") == 2, "hints: no sections, high-entropy r-x segment");
	run_free(&r);
	free(b.b);
}

static void
test_limits(void)
{
	struct eopt o = opt_default;
	struct eb b;
	struct elay l;
	struct run r;

	o.extra_sections = PN_ELF_MAX_SECTIONS + 100;
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_ELIMIT && jlen(r.info, "section_list") == PN_ELF_MAX_SECTIONS &&
	    jint(jget(r.info, "header"), "num_section_headers") == (long long)l.nsh,
	    "%zu sections: %u listed, limit noted", l.nsh, PN_ELF_MAX_SECTIONS);
	ok(run_sane(&r), "many sections: sane");
	run_free(&r);
	free(b.b);

	o.extra_sections = 0;
	o.extra_imports = PN_ELF_MAX_LISTED + 50;
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_ELIMIT && jlen(r.info, "import_list") == PN_ELF_MAX_LISTED &&
	    jint(jget(r.info, "symbol_counts"), "imports") == PN_ELF_MAX_LISTED + 54,
	    "%u imports: list cut at %u, all counted", PN_ELF_MAX_LISTED + 54, PN_ELF_MAX_LISTED);
	ok(jlen(r.info, "export_list") == 2, "many imports: exports kept");
	run_free(&r);
	free(b.b);

	o.extra_imports = PN_ELF_MAX_SYMBOLS + 10;
	eb_build(&b, &o, &l);
	run_elf(&r, b.b, b.len);
	ok(r.rc == PN_ELIMIT && has_note(&r, "only the first"), "%u symbols: examination capped",
	    PN_ELF_MAX_SYMBOLS + 19);
	ok(run_sane(&r), "many symbols: sane");
	run_free(&r);
	free(b.b);
}

/* Every prefix of a built file, and random mutations of every variant. */
static void
test_robust(void)
{
	struct eopt o = opt_default;
	struct eb b;
	struct elay l;
	struct run r;
	size_t n, bad = 0, info = 0, notok = 0, v, i;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;

	eb_build(&b, &o, &l);
	for (n = 0; n < b.len; n++) {
		run_elf(&r, b.b, n);
		bad += !run_sane(&r);
		info += r.info != NULL;
		notok += r.rc != PN_OK;
		run_free(&r);
	}
	is_int(bad, 0, "every prefix of a %zu-byte ELF: sane output", b.len);
	is_int(info, b.len - 64, "every prefix: elf_info from 64 bytes on");
	is_int(notok, b.len, "every prefix: each one noted as damaged");
	free(b.b);

	for (v = 0; v < 4; v++) {
		o = opt_default;
		o.is64 = (int)(v & 1);
		o.be = (int)(v >> 1);
		o.sections = v != 2;
		eb_build(&b, &o, &l);
		bad = 0;
		for (i = 0; i < MUTATIONS; i++) {
			uint8_t *m = pn_xmalloc(b.len);
			size_t k, nflip = 1 + (size_t)(rng % 8);

			memcpy(m, b.b, b.len);
			for (k = 0; k < nflip; k++) {
				rng ^= rng >> 12;
				rng ^= rng << 25;
				rng ^= rng >> 27;
				uint64_t x = rng * 0x2545f4914f6cdd1dULL;
				size_t at = (size_t)(x % b.len);
				switch ((x >> 32) % 4) {
				case 0: m[at] ^= (uint8_t)(1u << ((x >> 40) % 8)); break;
				case 1: m[at] = (uint8_t)(x >> 48); break;
				case 2: m[at] = 0xff; break;
				default: m[at] = 0; break;
				}
			}
			run_elf(&r, m, b.len);
			bad += !run_sane(&r);
			run_free(&r);
			free(m);
		}
		is_int(bad, 0, "%d random mutations of variant %zu: sane output", MUTATIONS, v);
		free(b.b);
	}
}

/* ------------------------------------------------------------------ */
/* Compiled programs                                                   */

static char tmpdir[] = "/tmp/pn-test-elf-XXXXXX";

static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static uint8_t *
slurp(const char *path, size_t max, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	struct stat st;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		fclose(f);
		return NULL;
	}
	d = pn_xmalloc((size_t)st.st_size + 1);
	*n = fread(d, 1, (size_t)st.st_size, f);
	fclose(f);
	return d;
}

static int
run_path(struct run *r, const char *path)
{
	size_t n;
	uint8_t *d = slurp(path, REAL_MAX_SIZE, &n);

	if (d == NULL)
		return 0;
	run_elf(r, d, n);
	free(d);
	return 1;
}

static void
test_compiled(void)
{
	static const char prog[] =
	    "#include <stdio.h>\n#include <sys/ptrace.h>\n#include <sys/socket.h>\n"
	    "int main(int argc, char **argv) { puts(\"hi\");\n"
	    "  if (argc > 5) { ptrace(PTRACE_TRACEME, 0, 0, 0); return socket(AF_INET, SOCK_STREAM, 0); }\n"
	    "  return argv[0][0] == 'x'; }\n";
	static const char lib[] =
	    "int pn_test_var = 42;\nint pn_test_fn(int x) { return x + pn_test_var; }\n"
	    "static int hidden(void) { return 1; }\nint (*pn_keep)(void) = hidden;\n";
	static const char tiny[] =
	    "int counter = 3;\nint add(int a, int b) { return a + b + counter; }\n"
	    "void _start(void) { for (;;) counter = add(counter, 1); }\n";
	struct run r;
	char path[512];
	FILE *f;

	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/prog.c", tmpdir);
	f = fopen(path, "w");
	fputs(prog, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/lib.c", tmpdir);
	f = fopen(path, "w");
	fputs(lib, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/tiny.c", tmpdir);
	f = fopen(path, "w");
	fputs(tiny, f);
	fclose(f);
	if (sh("cd %s && gcc -O1 -o pie prog.c && gcc -O1 -no-pie -o nopie prog.c && "
	    "gcc -O1 -s -o stripped prog.c && gcc -O1 -shared -fPIC -Wl,-soname,libpn.so.3 "
	    "-o libpn.so lib.c", tmpdir) != 0) {
		ok(0, "gcc failed");
		return;
	}

	snprintf(path, sizeof(path), "%s/pie", tmpdir);
	run_path(&r, path);
	ok(r.rc == PN_OK, "gcc PIE: clean");
	is_str(jstr(jget(r.info, "header"), "type"), "DYN (Shared object file)", "gcc PIE: type");
	is_str(jstr(r.info, "interpreter"), "/lib64/ld-linux-x86-64.so.2", "gcc PIE: interpreter");
	ok(jhas(r.info, "shared_libraries", "libc.so.6", NULL), "gcc PIE: libc.so.6 needed");
	ok(jhas(r.info, "import_list", "puts", "FUNC") && jhas(r.info, "import_list", "ptrace", "FUNC"),
	    "gcc PIE: imports puts, ptrace");
	ok(jhas(r.info, "notable_imports", "ptrace", NULL) &&
	    jhas(r.info, "notable_imports", "socket", NULL), "gcc PIE: notable ptrace, socket");
	ok(!json_object_get_boolean(jget(r.info, "stripped")) &&
	    jint(jget(r.info, "symbol_counts"), "symtab") > 10, "gcc PIE: not stripped");
	ok(jget(r.info, "build_id") != NULL, "gcc PIE: build_id");
	ok(jlen(r.info, "packer_hints") == 0, "gcc PIE: no packer hints");
	run_free(&r);

	snprintf(path, sizeof(path), "%s/nopie", tmpdir);
	run_path(&r, path);
	ok(r.rc == PN_OK && strcmp(jstr(jget(r.info, "header"), "type"), "EXEC (Executable file)") == 0,
	    "gcc -no-pie: EXEC");
	run_free(&r);

	snprintf(path, sizeof(path), "%s/stripped", tmpdir);
	run_path(&r, path);
	ok(r.rc == PN_OK && json_object_get_boolean(jget(r.info, "stripped")) &&
	    jint(jget(r.info, "symbol_counts"), "symtab") == 0 &&
	    jhas(r.info, "import_list", "puts", "FUNC"), "gcc -s: stripped, imports kept");
	run_free(&r);

	snprintf(path, sizeof(path), "%s/libpn.so", tmpdir);
	run_path(&r, path);
	ok(r.rc == PN_OK, "gcc -shared: clean");
	is_str(jstr(r.info, "soname"), "libpn.so.3", "gcc -shared: soname");
	ok(jhas(r.info, "export_list", "pn_test_fn", "FUNC") &&
	    jhas(r.info, "export_list", "pn_test_var", "OBJECT") &&
	    !jhas(r.info, "export_list", "hidden", NULL), "gcc -shared: exports");
	ok(jget(r.info, "interpreter") == NULL, "gcc -shared: no interpreter");
	run_free(&r);

	if (sh("cd %s && gcc -O1 -static -o static prog.c 2>/dev/null", tmpdir) == 0) {
		snprintf(path, sizeof(path), "%s/static", tmpdir);
		run_path(&r, path);
		ok(r.rc == PN_OK && strcmp(jstr(jget(r.info, "header"), "type"),
		    "EXEC (Executable file)") == 0 && jget(r.info, "interpreter") == NULL &&
		    jlen(r.info, "shared_libraries") == 0 && jlen(r.info, "import_list") == 0,
		    "gcc -static: EXEC, no interpreter, no imports");
		run_free(&r);
	} else
		ok(1, "# SKIP gcc -static: no libc.a");

	/* 32-bit: an object and an ld -m elf_i386 executable need no multilib libc. */
	if (sh("cd %s && gcc -m32 -O1 -fno-pie -c -o tiny32.o tiny.c 2>/dev/null && "
	    "ld -m elf_i386 -o tiny32 tiny32.o 2>/dev/null", tmpdir) == 0) {
		snprintf(path, sizeof(path), "%s/tiny32.o", tmpdir);
		run_path(&r, path);
		ok(r.rc == PN_OK && strcmp(jstr(jget(r.info, "header"), "class"), "ELF32") == 0 &&
		    strcmp(jstr(jget(r.info, "header"), "type"), "REL (Relocatable file)") == 0 &&
		    strcmp(jstr(jget(r.info, "header"), "machine"), "Intel 80386") == 0 &&
		    jlen(r.info, "segment_list") == 0, "gcc -m32 -c: ELF32 REL, i386");
		run_free(&r);
		snprintf(path, sizeof(path), "%s/tiny32", tmpdir);
		run_path(&r, path);
		ok(r.rc == PN_OK && strcmp(jstr(jget(r.info, "header"), "class"), "ELF32") == 0 &&
		    strcmp(jstr(jget(r.info, "header"), "type"), "EXEC (Executable file)") == 0 &&
		    jhas(jidx(r.info, "segment_list", 1), "resources", ".text", NULL),
		    "ld -m elf_i386: ELF32 EXEC");
		run_free(&r);
	} else
		ok(1, "# SKIP gcc -m32 -c not available");
	if (sh("cd %s && gcc -m32 -o prog32 prog.c 2>/dev/null", tmpdir) == 0) {
		snprintf(path, sizeof(path), "%s/prog32", tmpdir);
		run_path(&r, path);
		ok(r.rc == PN_OK && jhas(r.info, "import_list", "puts", "FUNC") &&
		    strcmp(jstr(r.info, "interpreter"), "/lib/ld-linux.so.2") == 0,
		    "gcc -m32: dynamic ELF32");
		run_free(&r);
	} else
		ok(1, "# SKIP gcc -m32 cannot link (no gcc-multilib)");
	sh("rm -rf %s", tmpdir);
}

/* ------------------------------------------------------------------ */
/* Cross-check with readelf                                            */

#define RX_MAX_SECTIONS 512
#define RX_MAX_SEGMENTS 64
#define RX_MAX_NEEDED   64
#define RX_FIELD        256

struct rx_sec {
	char name[RX_FIELD], type[64], flags[16];
	uint64_t addr, off, size;
};

/* What readelf says about one file. */
struct rx {
	char class[32], data[64], type[64], machine[64], osabi[64];
	uint64_t entry;
	long long nsh, nph;
	struct rx_sec sec[RX_MAX_SECTIONS];
	size_t nsec;
	char map[RX_MAX_SEGMENTS][2048];
	size_t nmap;
	char needed[RX_MAX_NEEDED][RX_FIELD];
	size_t nneeded;
	char soname[RX_FIELD], runpath[RX_FIELD];
	long long imports, exports;
	struct strs { char **v; size_t n, cap; } imp, exp;   /* "name type", unsorted */
};

static void
strs_add(struct strs *s, const char *name, const char *type)
{
	if (s->n == s->cap)
		s->v = pn_xrealloc(s->v, (s->cap = s->cap ? 2 * s->cap : 64) * sizeof(*s->v));
	s->v[s->n++] = pn_xasprintf("%s %s", name, type);
}

static void
strs_free(struct strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted list as one string, lines joined by '|' (caller frees). */
static char *
strs_join(struct strs *s)
{
	struct pn_buf b = PN_BUF_INIT;
	size_t i;

	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++)
		pn_buf_printf(&b, "%s|", s->v[i]);
	return pn_buf_steal(&b, NULL);
}

/* Split s into at most max whitespace-separated tokens (s is modified). */
static size_t
tokens(char *s, char **tok, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			*s++ = '\0';
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
	return n;
}

static const char *
after_colon(const char *line)
{
	const char *c = strchr(line, ':');

	if (c == NULL)
		return "";
	c++;
	while (*c == ' ')
		c++;
	return c;
}

static void
copy_field(char *dst, size_t n, const char *src)
{
	size_t len;

	pn_strlcpy(dst, src, n);
	len = strlen(dst);
	while (len > 0 && (dst[len - 1] == '\n' || dst[len - 1] == ' '))
		dst[--len] = '\0';
}

static int
is_hex_token(const char *s, size_t len)
{
	return strlen(s) == len && pn_is_hex(s, len);
}

/* "  [Nr] Name Type Address Off Size ES Flg Lk Inf Al" with --wide. */
static void
rx_section(struct rx *x, const char *line, int is64)
{
	char buf[1024], *tok[32], *p;
	const char *name = strchr(line, ']');
	size_t n, i, len, at;
	struct rx_sec *s;

	if (name == NULL || x->nsec >= RX_MAX_SECTIONS)
		return;
	name += 2;   /* "] " */
	/* the name is printed "%-17s": 17 columns, or more for a longer name */
	len = strlen(name);
	at = len > 17 ? 17 : len;
	while (at < len && name[at] != ' ')
		at++;
	s = &x->sec[x->nsec++];
	memset(s, 0, sizeof(*s));
	snprintf(buf, sizeof(buf), "%.*s", (int)at, name);
	copy_field(s->name, sizeof(s->name), buf);
	pn_strlcpy(buf, name + at, sizeof(buf));
	n = tokens(buf, tok, 32);
	for (i = 0; i < n && !is_hex_token(tok[i], is64 ? 16 : 8); i++)
		;
	if (i + 4 > n)
		return;
	p = s->type;
	for (size_t j = 0; j < i; j++)
		p += snprintf(p, sizeof(s->type) - (size_t)(p - s->type), "%s%s", j ? " " : "", tok[j]);
	s->addr = strtoull(tok[i], NULL, 16);
	s->off = strtoull(tok[i + 1], NULL, 16);
	s->size = strtoull(tok[i + 2], NULL, 16);
	if (i + 4 < n && !(tok[i + 4][0] >= '0' && tok[i + 4][0] <= '9'))
		pn_strlcpy(s->flags, tok[i + 4], sizeof(s->flags));
}

static void
rx_symbol(struct rx *x, char *line)
{
	char *t[12], *u;
	size_t n;

	/* readelf names STB_GNU_UNIQUE "UNIQUE" only for ELFOSABI_GNU files */
	if ((u = strstr(line, "<OS specific>: 10")) != NULL) {
		memcpy(u, "UNIQUE", 6);
		memmove(u + 6, u + 17, strlen(u + 17) + 1);
	}
	n = tokens(line, t, 12);

	/* Num: Value Size Type Bind Vis Ndx Name */
	if (n < 8 || strchr(t[0], ':') == NULL || t[0][0] < '0' || t[0][0] > '9')
		return;
	if (strcmp(t[3], "SECTION") == 0 || strcmp(t[3], "FILE") == 0)
		return;
	if ((u = strchr(t[7], '@')) != NULL)   /* "free@GLIBC_2.2.5": the version is not the name */
		*u = '\0';
	if (strcmp(t[6], "UND") == 0) {
		x->imports++;
		strs_add(&x->imp, t[7], t[3]);
	} else if ((strcmp(t[4], "GLOBAL") == 0 || strcmp(t[4], "WEAK") == 0 ||
	    strcmp(t[4], "UNIQUE") == 0) &&
	    (strcmp(t[5], "DEFAULT") == 0 || strcmp(t[5], "PROTECTED") == 0)) {
		x->exports++;
		strs_add(&x->exp, t[7], t[3]);
	}
}

static void
bracketed(char *dst, size_t n, const char *line)
{
	const char *a = strchr(line, '['), *b = strrchr(line, ']');

	if (a && b && b > a)
		snprintf(dst, n, "%.*s", (int)(b - a - 1), a + 1);
}

static int
readelf(const char *path, struct rx *x)
{
	char cmd[1024], line[8192];
	FILE *f;
	int state = 0, is64 = 1, nver = 0;

	strs_free(&x->imp);
	strs_free(&x->exp);
	memset(x, 0, sizeof(*x));
	snprintf(cmd, sizeof(cmd), "readelf -h -S -l -d --dyn-syms --wide '%s' 2>/dev/null", path);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *v = after_colon(line);

		if (strncmp(line, "  Class:", 8) == 0) {
			copy_field(x->class, sizeof(x->class), v);
			is64 = strcmp(x->class, "ELF64") == 0;
		} else if (strncmp(line, "  Data:", 7) == 0)
			copy_field(x->data, sizeof(x->data), v);
		else if (strncmp(line, "  Version:", 10) == 0)
			nver++;
		else if (strncmp(line, "  OS/ABI:", 9) == 0)
			copy_field(x->osabi, sizeof(x->osabi), v);
		else if (strncmp(line, "  Type:", 7) == 0)
			copy_field(x->type, sizeof(x->type), v);
		else if (strncmp(line, "  Machine:", 10) == 0)
			copy_field(x->machine, sizeof(x->machine), v);
		else if (strncmp(line, "  Entry point address:", 22) == 0)
			x->entry = strtoull(v, NULL, 16);
		else if (strncmp(line, "  Number of section headers:", 28) == 0) {
			const char *par = strchr(v, '(');
			x->nsh = strtoll(par ? par + 1 : v, NULL, 10);
		} else if (strncmp(line, "  Number of program headers:", 28) == 0) {
			const char *par = strchr(v, '(');
			x->nph = strtoll(par ? par + 1 : v, NULL, 10);
		} else if (strncmp(line, "Section Headers:", 16) == 0)
			state = 1;
		else if (state == 1 && strncmp(line, "  [", 3) == 0 && strncmp(line, "  [Nr]", 6) != 0)
			rx_section(x, line, is64);
		else if (strncmp(line, " Section to Segment mapping:", 28) == 0)
			state = 2;
		else if (state == 2 && line[0] == '\n')
			state = 0;
		else if (state == 2 && strncmp(line, "   ", 3) == 0 && line[3] >= '0' &&
		    line[3] <= '9' && x->nmap < RX_MAX_SEGMENTS) {
			char *tok[512];
			size_t n = tokens(line, tok, 512), i;
			char *m = x->map[x->nmap++];
			m[0] = '\0';
			for (i = 1; i < n; i++) {
				size_t len = strlen(m);
				snprintf(m + len, 2048 - len, "%s%s", i > 1 ? " " : "", tok[i]);
			}
		} else if (strstr(line, "(NEEDED)") && x->nneeded < RX_MAX_NEEDED)
			bracketed(x->needed[x->nneeded++], RX_FIELD, line);
		else if (strstr(line, "(SONAME)"))
			bracketed(x->soname, RX_FIELD, line);
		else if (strstr(line, "(RUNPATH)"))
			bracketed(x->runpath, RX_FIELD, line);
		else if (strncmp(line, "Symbol table '.dynsym'", 22) == 0)
			state = 3;
		else if (state == 3)
			rx_symbol(x, line);
	}
	(void)nver;
	return pclose(f) == 0 || x->class[0] != '\0';
}

/* Names of the resources of segment_list[i], space-separated. */
static void
our_map(struct json_object *seg, char *out, size_t n)
{
	size_t i, len = 0, k = jlen(seg, "resources");

	out[0] = '\0';
	for (i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? " " : "",
		    json_object_get_string(json_object_array_get_idx(jget(seg, "resources"), i)));
}

struct xstats {
	size_t files, sections, mappings, needed, symbols_files, symbols, cut, mismatches;
};

static int
same(struct xstats *st, const char *path, const char *what, const char *ours, const char *theirs)
{
	if (ours != NULL && theirs != NULL && strcmp(ours, theirs) == 0)
		return 1;
	if (st->mismatches++ < 20)
		diag("%s: %s: ours \"%s\", readelf \"%s\"", path, what, ours ? ours : "(null)",
		    theirs ? theirs : "(null)");
	return 0;
}

static int
same_int(struct xstats *st, const char *path, const char *what, long long ours, long long theirs)
{
	if (ours == theirs)
		return 1;
	if (st->mismatches++ < 20)
		diag("%s: %s: ours %lld, readelf %lld", path, what, ours, theirs);
	return 0;
}

/* The import and export lists, names and types, against readelf's. */
static void
compare_symbols(struct xstats *st, const char *path, const struct run *r, struct rx *x)
{
	static const char *const keys[2] = { "import_list", "export_list" };
	struct strs ours;
	char *a, *b;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (jlen(r->info, keys[k]) != (k == 0 ? x->imp.n : x->exp.n)) {
			st->cut++;   /* a list cut at PN_ELF_MAX_LISTED: counts compared only */
			continue;
		}
		memset(&ours, 0, sizeof(ours));
		for (i = 0; i < jlen(r->info, keys[k]); i++) {
			struct json_object *o = jidx(r->info, keys[k], i);
			strs_add(&ours, jstr(o, "name"), jstr(o, "type"));
		}
		a = strs_join(&ours);
		b = strs_join(k == 0 ? &x->imp : &x->exp);
		if (strlen(a) > 200 && strcmp(a, b) != 0)
			same(st, path, keys[k], "(long list differs)", "");
		else
			same(st, path, keys[k], a, b);
		st->symbols += ours.n;
		free(a);
		free(b);
		strs_free(&ours);
	}
}

static void
cross_check(struct xstats *st, const char *path)
{
	static struct rx x;
	struct run r;
	struct json_object *h;
	char type[64], buf[2048];
	size_t i;

	if (!readelf(path, &x) || x.class[0] == '\0' || !run_path(&r, path))
		return;
	st->files++;
	h = jget(r.info, "header");
	snprintf(type, sizeof(type), "%s", x.type);
	if (strncmp(type, "DYN (", 5) == 0)
		snprintf(type, sizeof(type), "DYN (Shared object file)");
	same(st, path, "class", jstr(h, "class"), x.class);
	same(st, path, "data", jstr(h, "data"), x.data);
	same(st, path, "os_abi", jstr(h, "os_abi"), x.osabi);
	same(st, path, "type", jstr(h, "type"), type);
	same(st, path, "machine", jstr(h, "machine"), x.machine);
	same_int(st, path, "entry", jint(h, "entrypoint"), (long long)x.entry);
	same_int(st, path, "section count", jint(h, "num_section_headers"), x.nsh);
	same_int(st, path, "segment count", jint(h, "num_prog_headers"), x.nph);
	if (same_int(st, path, "section_list length", (long long)jlen(r.info, "section_list"),
	    (long long)x.nsec)) {
		for (i = 0; i < x.nsec; i++) {
			struct json_object *s = jidx(r.info, "section_list", i);
			same(st, path, "section name", jstr(s, "name"), x.sec[i].name);
			same(st, path, "section type", jstr(s, "section_type"), x.sec[i].type);
			same(st, path, "section flags", jstr(s, "flags"), x.sec[i].flags);
			same_int(st, path, "section address", jint(s, "virtual_address"), (long long)x.sec[i].addr);
			same_int(st, path, "section offset", jint(s, "physical_offset"), (long long)x.sec[i].off);
			same_int(st, path, "section size", jint(s, "size"), (long long)x.sec[i].size);
			st->sections++;
		}
	}
	if (same_int(st, path, "segment_list length", (long long)jlen(r.info, "segment_list"),
	    (long long)x.nmap)) {
		for (i = 0; i < x.nmap; i++) {
			our_map(jidx(r.info, "segment_list", i), buf, sizeof(buf));
			same(st, path, "segment resources", buf, x.map[i]);
			st->mappings++;
		}
	}
	if (same_int(st, path, "DT_NEEDED count", (long long)jlen(r.info, "shared_libraries"),
	    (long long)x.nneeded)) {
		for (i = 0; i < x.nneeded; i++) {
			same(st, path, "DT_NEEDED",
			    json_object_get_string(jidx(r.info, "shared_libraries", i)), x.needed[i]);
			st->needed++;
		}
	}
	if (x.soname[0])
		same(st, path, "soname", jstr(r.info, "soname"), x.soname);
	if (x.runpath[0])
		same(st, path, "runpath", jstr(r.info, "runpath"), x.runpath);
	if (same_int(st, path, "imports", jint(jget(r.info, "symbol_counts"), "imports"), x.imports) &&
	    same_int(st, path, "exports", jint(jget(r.info, "symbol_counts"), "exports"), x.exports))
		compare_symbols(st, path, &r, &x);
	st->symbols_files += x.imports + x.exports > 0;
	if (!run_sane(&r))
		same(st, path, "sane output", "no", "yes");
	run_free(&r);
}

/* Up to want ELF regular files of dir, evenly spread over its sorted listing. */
static size_t
pick_files(const char *dir, char **out, size_t want)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **all = NULL, path[1024];
	size_t n = 0, cap = 0, i, k = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		uint8_t magic[4];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (strchr(de->d_name, '\'') || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_size < 64 || (size_t)st.st_size > REAL_MAX_SIZE)
			continue;
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		if (fread(magic, 1, 4, f) == 4 && memcmp(magic, "\177ELF", 4) == 0) {
			if (n == cap)
				all = pn_xrealloc(all, (cap = cap ? 2 * cap : 256) * sizeof(*all));
			all[n++] = pn_xstrdup(path);
		}
		fclose(f);
	}
	closedir(d);
	if (n > 0)
		qsort(all, n, sizeof(*all), cmp_str);
	for (i = 0; i < n; i++) {
		if (n <= want || (k < want && i * want / n == k && (i == 0 || (i - 1) * want / n != k)))
			out[k++] = all[i];
		else
			free(all[i]);
	}
	free(all);
	return k;
}

static void
test_readelf(void)
{
	char *files[REAL_FILES_BIN + REAL_FILES_LIB];
	size_t n, i;
	struct xstats st;

	if (system("readelf --version >/dev/null 2>&1") != 0) {
		ok(1, "# SKIP readelf not installed");
		return;
	}
	memset(&st, 0, sizeof(st));
	n = pick_files("/usr/bin", files, REAL_FILES_BIN);
	n += pick_files("/usr/lib/x86_64-linux-gnu", files + n, REAL_FILES_LIB);
	/* IFUNC (libc, OSABI GNU) and STB_GNU_UNIQUE in an OSABI NONE file (libcc1) */
	cross_check(&st, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	cross_check(&st, "/usr/lib/x86_64-linux-gnu/libcc1.so.0.0.0");
	for (i = 0; i < n; i++) {
		cross_check(&st, files[i]);
		free(files[i]);
	}
	diag("readelf cross-check: %zu files, %zu sections, %zu segment maps, %zu DT_NEEDED, "
	    "%zu files with dynamic symbols, %zu imports and exports (%zu lists over the limit, "
	    "counted only)", st.files, st.sections, st.mappings, st.needed, st.symbols_files,
	    st.symbols, st.cut);
	ok(st.files >= 50, "readelf cross-check: %zu real ELF files", st.files);
	is_int(st.mismatches, 0, "readelf cross-check: no mismatch");
}

/* ------------------------------------------------------------------ */
/* Fuzz seeds                                                          */

static int
write_file(const char *dir, const char *name, const uint8_t *d, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(d, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "test_elf: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

/* Seeds: a few small built variants, some damaged (tests/fuzz/make-seeds-elf.sh). */
static int
write_seeds(const char *dir)
{
	static const struct { const char *name; struct eopt o; int damage; } v[] = {
		{ "le64-dyn", { 1, 0, ET_DYN, EM_X86_64, 1, 1, 1, 1, 0, 0, 0, 0 }, 0 },
		{ "be64-exec-ppc64", { 1, 1, ET_EXEC, 21, 1, 0, 0, 1, 0, 0, 0, 0 }, 0 },
		{ "be32-dyn-mips", { 0, 1, ET_DYN, 8, 1, 0, 1, 1, 0, 0, 0, 0 }, 0 },
		{ "le64-nosections-gnuhash", { 1, 0, ET_DYN, EM_X86_64, 0, 0, 0, 1, 0, 0, 0, 0 }, 0 },
		{ "be32-nosections-hash", { 0, 1, ET_EXEC, 20, 0, 0, 1, 0, 0, 0, 0, 0 }, 0 },
		{ "le64-extnum", { 1, 0, ET_DYN, 183, 1, 0, 1, 0, 1, 0, 0, 0 }, 0 },
		{ "le64-core", { 1, 0, ET_CORE, EM_X86_64, 1, 0, 0, 0, 0, 0, 0, 0 }, 0 },
		{ "le64-bad-names", { 1, 0, ET_DYN, EM_X86_64, 1, 1, 1, 1, 0, 0, 0, 0 }, 1 },
		{ "le32-upx-like", { 0, 0, ET_EXEC, 3, 0, 0, 1, 0, 0, 0, 0, 0 }, 2 },
	};
	struct eb b;
	struct elay l;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < PN_ARRAY_LEN(v); i++) {
		eb_build(&b, &v[i].o, &l);
		if (v[i].damage == 1) {
			set_sh(&b, l.i_text, S_NAME, 5000);
			set_sh(&b, l.i_shstrtab, S_SIZE, l.shstrtab_size - 1);
			set_sh(&b, l.i_data, S_SIZE, (uint64_t)1 << 60);
		} else if (v[i].damage == 2) {
			memcpy(b.b + l.dynstr_off + 1, "UPX!", 4);
			for (k = 0; k < 64; k++)
				b.b[l.text_off + k] = (uint8_t)(k * 37 + 11);
		}
		rc |= write_file(dir, v[i].name, b.b, b.len);
		free(b.b);
	}
	/* the header alone */
	eb_build(&b, &opt_default, &l);
	rc |= write_file(dir, "le64-header-only", b.b, 64);
	free(b.b);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	ok(pn_parser_elf.bid((const uint8_t *)"\177ELF", 4, NULL) > 0, "bid: \\x7fELF");
	ok(pn_parser_elf.bid((const uint8_t *)"\177ELG", 4, NULL) == 0, "bid: not \\x7fELG");
	ok(pn_parser_elf.bid((const uint8_t *)"\177EL", 3, NULL) == 0, "bid: not 3 bytes");
	test_built(1, 0);
	test_built(1, 1);
	test_built(0, 0);
	test_built(0, 1);
	test_extnum();
	test_malformed();
	test_hints();
	test_limits();
	test_robust();
	test_compiled();
	test_readelf();
	return done_testing();
}
