/*
 * test_macho.c - unit tests for parsers/macho.c.
 *
 * There is no Apple toolchain here, so every Mach-O is built in memory
 * from the loader.h structures by mb_thin() below: a 64-bit little-endian
 * executable (x86_64 or arm64) with __PAGEZERO, __TEXT (two sections),
 * __LINKEDIT, LC_LOAD_DYLINKER, LC_UUID, LC_BUILD_VERSION, LC_MAIN,
 * LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_RPATH, LC_SYMTAB and an
 * LC_CODE_SIGNATURE whose SuperBlob holds a CodeDirectory, Requirements,
 * an entitlements blob (magic 0xfade7171) and a CMS wrapper; a 32-bit
 * big-endian (ppc) one with LC_SEGMENT and LC_VERSION_MIN_MACOSX; fat
 * files (FAT_MAGIC and FAT_MAGIC_64) with two architectures; Java class
 * files that must not be taken for fat files.  Then damage: bad cmdsize
 * values, sizeofcmds past the end, too many sections for a segment, name
 * offsets outside their command, unterminated names, a broken code
 * signature, slices outside the file or not Mach-O, counts over the
 * limits; every prefix of a thin and a fat file; random mutations.
 * Includes macho.c to reach its static helpers.
 *
 * `test_macho --write-seeds DIR` writes the fuzz seeds instead
 * (tests/fuzz/make-seeds-macho.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "../../parsers/macho.c"

#define MUTATIONS 3000   /* random mutations per variant */

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

	return v != NULL ? (long long)json_object_get_int64(v) : -1;
}

static int
jbool(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : -1;
}

static size_t
jlen(struct json_object *o)
{
	return o != NULL && json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
}

static struct json_object *
jidx(struct json_object *o, size_t i)
{
	return i < jlen(o) ? json_object_array_get_idx(o, i) : NULL;
}

/* Does array a hold string s, or an object whose key is s? */
static int
jhas(struct json_object *a, const char *key, const char *s)
{
	size_t i;

	for (i = 0; i < jlen(a); i++) {
		struct json_object *v = jidx(a, i);
		const char *t = key ? jstr(v, key) : json_object_get_string(v);
		if (t != NULL && strcmp(t, s) == 0)
			return 1;
	}
	return 0;
}

static int
json_valid(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(s);
	int good;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	good = o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len;
	json_object_put(o);
	json_tokener_free(tok);
	return good;
}

/* ------------------------------------------------------------------ */
/* Running the parser                                                  */

struct run {
	struct json_object *attrs, *notes, *tags, *edges;
	struct json_object *info;   /* attrs.macho_info or NULL */
	int rc, bid;
};

static void
run_macho(struct run *r, const uint8_t *data, size_t size)
{
	struct pn_parse p;
	uint8_t *copy = pn_xmalloc(size ? size : 1);

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
	r->bid = pn_parser_macho.bid(copy, size, NULL);
	r->rc = pn_parser_macho.parse(&p);
	r->info = jget(r->attrs, "macho_info");
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
show_notes(const struct run *r)
{
	size_t i;

	for (i = 0; i < json_object_array_length(r->notes); i++)
		diag("note: %s", json_object_get_string(json_object_array_get_idx(r->notes, i)));
}

static int
run_sane(const struct run *r)
{
	const char *s = json_object_to_json_string_ext(r->attrs, JSON_C_TO_STRING_PLAIN);
	size_t n = json_object_array_length(r->notes);

	if (r->rc != PN_OK && r->rc != PN_EFORMAT && r->rc != PN_ELIMIT)
		return 0;
	if ((r->rc == PN_OK) != (n == 0) && r->bid > 0)
		return 0;
	if (n > PN_MACHO_MAX_NOTES || jlen(r->info) > PN_MACHO_MAX_ARCHS)
		return 0;
	if ((r->bid > 0) != (r->info != NULL))
		return 0;
	if (!json_valid(json_object_to_json_string_ext(r->notes, JSON_C_TO_STRING_PLAIN)))
		return 0;
	return json_valid(s) && strlen(s) < 4 * PN_MACHO_MAX_OUTPUT;
}

/* ------------------------------------------------------------------ */
/* A Mach-O builder                                                    */

struct mb {
	uint8_t *b;
	size_t len, cap;
	int be;
};

static size_t
mb_grow(struct mb *m, size_t n)
{
	size_t at = m->len;

	if (m->len + n > m->cap) {
		size_t cap = PN_MAX(m->cap * 2, m->len + n + 4096);
		m->b = pn_xrealloc(m->b, cap);
		memset(m->b + m->cap, 0, cap - m->cap);
		m->cap = cap;
	}
	m->len += n;
	return at;
}

static void
wr32(struct mb *m, size_t off, uint32_t v)
{
	size_t i;

	for (i = 0; i < 4; i++)
		m->b[off + (m->be ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void
wr32be(struct mb *m, size_t off, uint32_t v)
{
	int be = m->be;

	m->be = 1;
	wr32(m, off, v);
	m->be = be;
}

static size_t
u32(struct mb *m, uint32_t v)
{
	size_t at = mb_grow(m, 4);

	wr32(m, at, v);
	return at;
}

static void
u64(struct mb *m, uint64_t v)
{
	if (m->be) {
		u32(m, (uint32_t)(v >> 32));
		u32(m, (uint32_t)v);
	} else {
		u32(m, (uint32_t)v);
		u32(m, (uint32_t)(v >> 32));
	}
}

static void
name16(struct mb *m, const char *s)
{
	size_t at = mb_grow(m, 16);

	memcpy(m->b + at, s, PN_MIN(strlen(s), (size_t)16));
}

static void
pad(struct mb *m, size_t a)
{
	while (m->len % a)
		mb_grow(m, 1);
}

/* Append n bytes (mb_grow first: it may move m->b). */
static void
put(struct mb *m, const void *p, size_t n)
{
	size_t at = mb_grow(m, n);

	memcpy(m->b + at, p, n);
}

static void
put_byte(struct mb *m, uint8_t c)
{
	put(m, &c, 1);
}

/* Start a load command; cmd_end() pads it and fills in cmdsize. */
static size_t
cmd_begin(struct mb *m, uint32_t cmd, uint32_t *ncmds)
{
	size_t at = u32(m, cmd);

	u32(m, 0);
	(*ncmds)++;
	return at;
}

static void
cmd_end(struct mb *m, size_t at, size_t align)
{
	pad(m, align);
	wr32(m, at + 4, (uint32_t)(m->len - at));
}

/* A command holding one lc_str right after fixed bytes (fixed includes cmd, cmdsize). */
static size_t
cmd_str(struct mb *m, uint32_t cmd, size_t fixed, const char *s, uint32_t *ncmds, size_t align)
{
	size_t at = cmd_begin(m, cmd, ncmds), i;

	u32(m, (uint32_t)fixed);   /* name.offset */
	for (i = 12; i < fixed; i += 4)
		u32(m, i == 12 ? 2 : 0x10000);   /* timestamp, versions */
	put(m, s, strlen(s) + 1);
	cmd_end(m, at, align);
	return at;
}

struct mopt {
	int is64, be;
	uint32_t cputype, cpusubtype;
	int codesig;              /* LC_CODE_SIGNATURE + SuperBlob */
	int entitlements;         /* ... with an entitlements blob */
	size_t ent_pad;           /* extra bytes of entitlements XML */
	unsigned extra_cmds;      /* more LC_UUID commands */
};

#define BODY     0x300   /* file offset of __text: after the load commands */
#define FAT_ALIGN 8      /* slices aligned to 2^8 */

/* Where mb_thin put things. */
struct mlay {
	size_t ncmds_off, sizeofcmds_off, hdr;
	uint32_t ncmds, sizeofcmds;
	size_t seg_text, dylib, cs_cmd, superblob, ent_blob;
};

static const char ent_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>"
    "<key>com.apple.security.get-task-allow</key><true/></dict></plist>\n";

static void
superblob(struct mb *m, const struct mopt *o, struct mlay *l)
{
	size_t at, idx, blob, k, n = o->entitlements ? 4 : 3;
	static const uint32_t types[4] = { 0, 2, 0x10000, 5 };
	int be = m->be;

	m->be = 1;   /* cs_blobs.h: everything big-endian */
	pad(m, 16);
	at = l->superblob = m->len;
	u32(m, CSMAGIC_EMBEDDED_SIGNATURE);
	u32(m, 0);
	u32(m, (uint32_t)n);
	idx = mb_grow(m, 8 * n);
	for (k = 0; k < n; k++) {
		blob = m->len;
		wr32(m, idx + 8 * k, types[k]);
		wr32(m, idx + 8 * k + 4, (uint32_t)(blob - at));
		switch (types[k]) {
		case 0:   /* a CodeDirectory header, mostly zero */
			u32(m, CSMAGIC_CODEDIRECTORY);
			u32(m, 44);
			mb_grow(m, 36);
			break;
		case 2:
			u32(m, CSMAGIC_REQUIREMENTS);
			u32(m, 12);
			u32(m, 0);
			break;
		case 0x10000:
			u32(m, CSMAGIC_BLOBWRAPPER);
			u32(m, 8);
			break;
		case 5:
			l->ent_blob = blob;
			u32(m, CSMAGIC_EMBEDDED_ENTITLEMENTS);
			u32(m, (uint32_t)(8 + strlen(ent_xml) + o->ent_pad));
			put(m, ent_xml, strlen(ent_xml));
			for (size_t j = 0; j < o->ent_pad; j++)
				put_byte(m, ' ');
			break;
		}
	}
	wr32(m, at + 4, (uint32_t)(m->len - at));
	m->be = be;
}

/* A thin executable in m (from its current end: slices are built in place). */
static void
mb_thin(struct mb *m, const struct mopt *o, struct mlay *l)
{
	size_t start = m->len, at, text_sects, cs_off = 0, linkedit, i, le_size;
	uint32_t n = 0, a = o->is64 ? 8 : 4;

	memset(l, 0, sizeof(*l));
	m->be = o->be;
	u32(m, o->is64 ? MH_MAGIC_64 : MH_MAGIC);
	u32(m, o->cputype);
	u32(m, o->cpusubtype);
	u32(m, 2);                       /* MH_EXECUTE */
	l->ncmds_off = u32(m, 0);
	l->sizeofcmds_off = u32(m, 0);
	u32(m, 0x1u | 0x4u | 0x80u | 0x200000u);   /* NOUNDEFS DYLDLINK TWOLEVEL PIE */
	if (o->is64)
		u32(m, 0);
	l->hdr = m->len - start;

	/* __PAGEZERO, __TEXT with __text and __cstring, __LINKEDIT */
	if (o->is64) {
		at = cmd_begin(m, LC_SEGMENT_64, &n);
		name16(m, "__PAGEZERO");
		u64(m, 0); u64(m, 0x100000000ULL); u64(m, 0); u64(m, 0);
		u32(m, 0); u32(m, 0); u32(m, 0); u32(m, 0);
		cmd_end(m, at, a);
	}
	l->seg_text = at = cmd_begin(m, o->is64 ? LC_SEGMENT_64 : LC_SEGMENT, &n);
	name16(m, "__TEXT");
	if (o->is64) {
		u64(m, 0x100000000ULL); u64(m, 0x4000); u64(m, 0); u64(m, BODY + 0x100);
	} else {
		u32(m, 0x1000); u32(m, 0x4000); u32(m, 0); u32(m, BODY + 0x100);
	}
	u32(m, 5); u32(m, 5); u32(m, 2); u32(m, 0);
	text_sects = m->len;
	for (i = 0; i < 2; i++) {
		name16(m, i == 0 ? "__text" : "__cstring");
		name16(m, "__TEXT");
		if (o->is64) {
			u64(m, 0x100000000ULL + BODY + i * 0x80); u64(m, 0x80);
		} else {
			u32(m, 0x1000 + BODY + (uint32_t)i * 0x80); u32(m, 0x80);
		}
		u32(m, BODY + (uint32_t)i * 0x80);
		u32(m, 4); u32(m, 0); u32(m, 0);
		u32(m, i == 0 ? 0x80000400u : 0x2u);
		u32(m, 0); u32(m, 0);
		if (o->is64)
			u32(m, 0);
	}
	(void)text_sects;
	cmd_end(m, at, a);
	linkedit = cmd_begin(m, o->is64 ? LC_SEGMENT_64 : LC_SEGMENT, &n);
	name16(m, "__LINKEDIT");
	if (o->is64) {
		u64(m, 0x100004000ULL); u64(m, 0x4000); u64(m, BODY + 0x100); u64(m, 0);
	} else {
		u32(m, 0x5000); u32(m, 0x4000); u32(m, BODY + 0x100); u32(m, 0);
	}
	u32(m, 1); u32(m, 1); u32(m, 0); u32(m, 0);
	cmd_end(m, linkedit, a);
	le_size = linkedit + (o->is64 ? 48 : 36);   /* where __LINKEDIT's filesize is */

	cmd_str(m, LC_LOAD_DYLINKER, 12, "/usr/lib/dyld", &n, a);
	at = cmd_begin(m, LC_UUID, &n);
	for (i = 0; i < 16; i++)
		put_byte(m, (uint8_t)(0x11 * i));
	cmd_end(m, at, a);
	if (o->is64) {
		at = cmd_begin(m, LC_BUILD_VERSION, &n);
		u32(m, 1); u32(m, 0x000b0000); u32(m, 0x000c0100); u32(m, 0);
		cmd_end(m, at, a);
		at = cmd_begin(m, LC_MAIN, &n);
		u64(m, BODY); u64(m, 0);
		cmd_end(m, at, a);
	} else {
		at = cmd_begin(m, LC_VERSION_MIN_MACOSX, &n);
		u32(m, 0x000a0500); u32(m, 0x000a0600);
		cmd_end(m, at, a);
	}
	l->dylib = cmd_str(m, LC_LOAD_DYLIB, 24, "/usr/lib/libSystem.B.dylib", &n, a);
	cmd_str(m, LC_LOAD_WEAK_DYLIB, 24,
	    "/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation", &n, a);
	cmd_str(m, LC_RPATH, 12, "@executable_path/../Frameworks", &n, a);
	at = cmd_begin(m, LC_SYMTAB, &n);
	u32(m, 0); u32(m, 5); u32(m, 0); u32(m, 0);
	cmd_end(m, at, a);
	for (i = 0; i < o->extra_cmds; i++) {
		at = cmd_begin(m, LC_UUID, &n);
		mb_grow(m, 16);
		cmd_end(m, at, a);
	}
	if (o->codesig) {
		l->cs_cmd = cs_off = cmd_begin(m, LC_CODE_SIGNATURE, &n);
		u32(m, 0); u32(m, 0);
		cmd_end(m, cs_off, a);
	}
	l->ncmds = n;
	l->sizeofcmds = (uint32_t)(m->len - start - l->hdr);
	wr32(m, l->ncmds_off, n);
	wr32(m, l->sizeofcmds_off, l->sizeofcmds);
	/* contents: __text and __cstring at BODY, then __LINKEDIT */
	if (m->len - start < BODY)
		mb_grow(m, BODY - (m->len - start));
	for (i = 0; i < 0x100; i++)
		put_byte(m, (uint8_t)(i * 13));
	if (o->codesig) {
		superblob(m, o, l);
		wr32(m, cs_off + 8, (uint32_t)(l->superblob - start));
		wr32(m, cs_off + 12, (uint32_t)(m->len - l->superblob));
	}
	wr32(m, le_size, (uint32_t)(m->len - start - BODY - 0x100));   /* low word (LE) or the field (32-bit) */
}

static const struct mopt opt_x86 = { 1, 0, 7 | CPU_ARCH_ABI64, 3, 1, 1, 0, 0 };
static const struct mopt opt_arm = { 1, 0, 12 | CPU_ARCH_ABI64, 0, 1, 0, 0, 0 };
static const struct mopt opt_ppc = { 0, 1, 18, 0, 0, 0, 0, 0 };

/* A fat file of the given slices, each aligned to 2^FAT_ALIGN. */
static void
mb_fat(struct mb *m, int is64, const struct mopt *const *o, size_t n, struct mlay *l)
{
	size_t hdr, i, off;

	memset(m, 0, sizeof(*m));
	m->be = 1;
	u32(m, is64 ? FAT_MAGIC_64 : FAT_MAGIC);
	u32(m, (uint32_t)n);
	hdr = mb_grow(m, n * (is64 ? 32 : 20));
	for (i = 0; i < n; i++) {
		size_t e = hdr + i * (is64 ? 32 : 20);
		pad(m, 1u << FAT_ALIGN);
		off = m->len;
		mb_thin(m, o[i], &l[i]);
		m->be = 1;
		wr32(m, e, o[i]->cputype);
		wr32(m, e + 4, o[i]->cpusubtype);
		if (is64) {
			wr32(m, e + 8, 0);
			wr32(m, e + 12, (uint32_t)off);
			wr32(m, e + 16, 0);
			wr32(m, e + 20, (uint32_t)(m->len - off));
			wr32(m, e + 24, FAT_ALIGN);
		} else {
			wr32(m, e + 8, (uint32_t)off);
			wr32(m, e + 12, (uint32_t)(m->len - off));
			wr32(m, e + 16, FAT_ALIGN);
		}
	}
}

static void
mb_one(struct mb *m, const struct mopt *o, struct mlay *l)
{
	memset(m, 0, sizeof(*m));
	mb_thin(m, o, l);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
check_x86_exec(const char *what, struct json_object *a, int codesig)
{
	struct json_object *h = jget(a, "headers"), *segs = jget(a, "segments"), *text, *sect;

	is_str(jstr(h, "magic"), "0xfeedfacf", "%s: magic", what);
	is_str(jstr(h, "cpu_type"), "x86_64", "%s: cpu_type", what);
	is_str(jstr(h, "cpu_subtype"), "X86_64_ALL", "%s: cpu_subtype", what);
	is_str(jstr(h, "file_type"), "EXECUTE", "%s: file_type", what);
	ok(jlen(jget(h, "flags")) == 4 && jhas(jget(h, "flags"), NULL, "PIE") &&
	    jhas(jget(h, "flags"), NULL, "TWOLEVEL"), "%s: flags", what);
	is_int(jint(h, "num_cmds"), codesig ? 12 : 11, "%s: num_cmds", what);
	ok(jint(h, "size_cmds") > 0, "%s: size_cmds", what);
	is_int(jlen(jget(a, "commands")), codesig ? 12 : 11, "%s: commands listed", what);
	is_str(jstr(jidx(jget(a, "commands"), 0), "type"), "LC_SEGMENT_64", "%s: first command", what);
	ok(jhas(jget(a, "commands"), "type", "LC_LOAD_WEAK_DYLIB") &&
	    jhas(jget(a, "commands"), "type", "LC_MAIN") &&
	    jhas(jget(a, "commands"), "type", "LC_RPATH"), "%s: command names with LC_REQ_DYLD", what);
	is_int(jlen(segs), 3, "%s: three segments", what);
	text = jidx(segs, 1);
	is_str(jstr(text, "name"), "__TEXT", "%s: __TEXT", what);
	is_str(jstr(text, "vmaddr"), "0x100000000", "%s: __TEXT vmaddr", what);
	is_str(jstr(text, "initprot"), "r-x", "%s: __TEXT initprot", what);
	is_int(jlen(jget(text, "sections")), 2, "%s: __TEXT sections", what);
	sect = jidx(jget(text, "sections"), 0);
	ok(jstr(sect, "name") && strcmp(jstr(sect, "name"), "__text") == 0 &&
	    strcmp(jstr(sect, "type"), "S_REGULAR") == 0 &&
	    jhas(jget(sect, "flags"), NULL, "S_ATTR_PURE_INSTRUCTIONS") &&
	    jhas(jget(sect, "flags"), NULL, "S_ATTR_SOME_INSTRUCTIONS"), "%s: __text section", what);
	is_str(jstr(jidx(jget(text, "sections"), 1), "type"), "S_CSTRING_LITERALS", "%s: __cstring", what);
	ok(jlen(jget(a, "libs")) == 2 && jhas(jget(a, "libs"), NULL, "/usr/lib/libSystem.B.dylib") &&
	    jhas(jget(a, "libs"), NULL,
	    "/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation"), "%s: libs", what);
	ok(jlen(jget(a, "rpaths")) == 1 && jhas(jget(a, "rpaths"), NULL,
	    "@executable_path/../Frameworks"), "%s: rpaths", what);
	is_str(jstr(a, "dylinker"), "/usr/lib/dyld", "%s: dylinker", what);
	is_str(jstr(a, "uuid"), "00112233-4455-6677-8899-AABBCCDDEEFF", "%s: uuid", what);
	is_str(jstr(jget(a, "min_os"), "platform"), "macos", "%s: min_os platform", what);
	is_str(jstr(jget(a, "min_os"), "version"), "11.0", "%s: min_os version", what);
	is_str(jstr(jget(a, "min_os"), "sdk"), "12.1", "%s: min_os sdk", what);
	is_int(jint(a, "entrypoint"), BODY, "%s: LC_MAIN entryoff", what);
	is_int(jint(a, "num_symbols"), 5, "%s: num_symbols", what);
	is_int(jbool(a, "code_signature"), codesig, "%s: code_signature", what);
}

static void
test_thin(void)
{
	struct mb m;
	struct mlay l;
	struct run r;
	struct json_object *a;
	struct mopt o = opt_x86;

	mb_one(&m, &o, &l);
	run_macho(&r, m.b, m.len);
	if (!ok(r.bid > 0 && r.rc == PN_OK && jlen(r.info) == 1, "thin x86_64: parsed clean"))
		show_notes(&r);
	a = jidx(r.info, 0);
	check_x86_exec("thin x86_64", a, 1);
	is_int(jbool(a, "entitlements"), 1, "thin x86_64: entitlements present");
	ok(jstr(a, "entitlements_xml") && strstr(jstr(a, "entitlements_xml"),
	    "com.apple.security.get-task-allow"), "thin x86_64: entitlements XML");
	ok(jlen(jget(a, "signature_blobs")) == 4 &&
	    jhas(jget(a, "signature_blobs"), NULL, "CodeDirectory") &&
	    jhas(jget(a, "signature_blobs"), NULL, "Requirements") &&
	    jhas(jget(a, "signature_blobs"), NULL, "CMS Signature") &&
	    jhas(jget(a, "signature_blobs"), NULL, "Entitlements"), "thin x86_64: signature blobs");
	ok(jget(a, "fat_arch") == NULL, "thin x86_64: no fat_arch");
	is_int(json_object_array_length(r.tags), 0, "thin x86_64: no tags");
	ok(run_sane(&r), "thin x86_64: sane");
	run_free(&r);
	free(m.b);

	/* signed without entitlements, then not signed */
	o.entitlements = 0;
	mb_one(&m, &o, &l);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_OK && jbool(a, "code_signature") == 1 && jbool(a, "entitlements") == 0 &&
	    jget(a, "entitlements_xml") == NULL && jlen(jget(a, "signature_blobs")) == 3,
	    "signed, no entitlements");
	run_free(&r);
	free(m.b);
	o.codesig = 0;
	mb_one(&m, &o, &l);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_OK && jbool(a, "code_signature") == 0 && jbool(a, "entitlements") == 0 &&
	    jget(a, "signature_blobs") == NULL, "not signed");
	check_x86_exec("unsigned x86_64", a, 0);
	run_free(&r);
	free(m.b);

	/* 32-bit big-endian ppc */
	mb_one(&m, &opt_ppc, &l);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	if (!ok(r.bid > 0 && r.rc == PN_OK, "thin ppc (MH_CIGAM): parsed clean"))
		show_notes(&r);
	is_str(jstr(jget(a, "headers"), "magic"), "0xfeedface", "ppc: magic");
	is_str(jstr(jget(a, "headers"), "cpu_type"), "ppc", "ppc: cpu_type");
	is_str(jstr(jget(a, "headers"), "cpu_subtype"), "POWERPC_ALL", "ppc: cpu_subtype");
	is_str(jstr(jidx(jget(a, "commands"), 0), "type"), "LC_SEGMENT", "ppc: LC_SEGMENT");
	is_int(jlen(jget(a, "segments")), 2, "ppc: two segments");
	is_str(jstr(jidx(jget(jidx(jget(a, "segments"), 0), "sections"), 1), "name"), "__cstring",
	    "ppc: section names");
	is_str(jstr(jidx(jget(a, "segments"), 0), "vmaddr"), "0x1000", "ppc: 32-bit vmaddr");
	is_str(jstr(jget(a, "min_os"), "version"), "10.5", "ppc: LC_VERSION_MIN_MACOSX");
	is_str(jstr(jget(a, "min_os"), "sdk"), "10.6", "ppc: sdk");
	ok(jhas(jget(a, "libs"), NULL, "/usr/lib/libSystem.B.dylib"), "ppc: libs");
	run_free(&r);
	free(m.b);
}

static void
test_fat(void)
{
	const struct mopt *two[2] = { &opt_x86, &opt_arm };
	struct mb m;
	struct mlay l[2];
	struct run r;
	struct json_object *a;
	int is64;

	for (is64 = 0; is64 <= 1; is64++) {
		const char *what = is64 ? "FAT_MAGIC_64" : "FAT_MAGIC";
		mb_fat(&m, is64, two, 2, l);
		run_macho(&r, m.b, m.len);
		if (!ok(r.bid > 0 && r.rc == PN_OK && jlen(r.info) == 2, "%s: two architectures", what))
			show_notes(&r);
		a = jidx(r.info, 0);
		check_x86_exec(what, a, 1);
		is_str(jstr(jget(a, "fat_arch"), "cpu_type"), "x86_64", "%s: fat_arch 0 cpu_type", what);
		is_int(jint(jget(a, "fat_arch"), "offset"), 1 << FAT_ALIGN, "%s: fat_arch 0 offset", what);
		is_int(jint(jget(a, "fat_arch"), "align"), FAT_ALIGN, "%s: fat_arch 0 align", what);
		is_int(jbool(a, "entitlements"), 1, "%s: slice 0 entitlements (offsets per slice)", what);
		a = jidx(r.info, 1);
		is_str(jstr(jget(a, "headers"), "cpu_type"), "arm64", "%s: slice 1 arm64", what);
		is_str(jstr(jget(a, "headers"), "cpu_subtype"), "ARM64_ALL", "%s: slice 1 subtype", what);
		is_str(jstr(jget(a, "fat_arch"), "cpu_type"), "arm64", "%s: fat_arch 1", what);
		ok(jbool(a, "code_signature") == 1 && jbool(a, "entitlements") == 0,
		    "%s: slice 1 signed, no entitlements", what);
		ok(json_object_array_length(r.tags) == 1 &&
		    strcmp(json_object_get_string(json_object_array_get_idx(r.tags, 0)), "64bits") == 0,
		    "%s: tag 64bits", what);
		ok(run_sane(&r), "%s: sane", what);
		run_free(&r);
		free(m.b);
	}
}

static void
test_java(void)
{
	static const uint8_t java8[] = {
		0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, 0x00, 0x1d, 0x0a, 0x00, 0x06, 0x00,
		0x0f, 0x09, 0x00, 0x10, 0x00, 0x11, 0x08, 0x00, 0x12, 0x0a, 0x00, 0x13, 0x00, 0x14
	};
	uint8_t c[64];
	struct run r;
	uint32_t n;

	ok(pn_parser_macho.bid(java8, sizeof(java8), NULL) == 0, "Java class (major 52): no bid");
	memcpy(c, java8, sizeof(java8));
	c[5] = 3;   /* minor version 3: nfat_arch 0x00030034 */
	ok(pn_parser_macho.bid(c, sizeof(java8), NULL) == 0, "Java class (minor 3): no bid");
	c[5] = 0;
	c[7] = 45;  /* the oldest major version */
	ok(pn_parser_macho.bid(c, sizeof(java8), NULL) == 0, "Java class (major 45): no bid");
	for (n = 0; n <= 64; n++) {
		int want = n >= 1 && n <= PN_MACHO_FAT_PLAUSIBLE;
		c[4] = c[5] = c[6] = 0;
		c[7] = (uint8_t)n;
		if ((pn_parser_macho.bid(c, sizeof(java8), NULL) > 0) != want)
			break;
	}
	ok(n == 65, "fat bid exactly for nfat_arch 1..%u", PN_MACHO_FAT_PLAUSIBLE);
	run_macho(&r, java8, sizeof(java8));
	ok(r.rc == PN_EFORMAT && r.info == NULL, "Java class: parse adds nothing");
	run_free(&r);
	ok(pn_parser_macho.bid((const uint8_t *)"\xcf\xfa\xed\xfe\0\0\0\0", 8, NULL) > 0, "bid: MH_MAGIC_64 LE");
	ok(pn_parser_macho.bid((const uint8_t *)"\xfe\xed\xfa\xce\0\0\0\0", 8, NULL) > 0, "bid: MH_MAGIC BE");
	ok(pn_parser_macho.bid((const uint8_t *)"\xfe\xed\xfa\xcf", 4, NULL) == 0, "bid: 4 bytes");
	ok(pn_parser_macho.bid((const uint8_t *)"\x7f" "ELF\2\1\1\0", 8, NULL) == 0, "bid: not ELF");
}

static void
test_malformed(void)
{
	struct mopt o = opt_x86;
	struct mb m, f;
	struct mlay l, lf[2];
	struct run r;
	struct json_object *a;
	const struct mopt *two[2] = { &opt_x86, &opt_arm };
	uint32_t save, off1;

	mb_one(&m, &o, &l);

	/* cmdsize 0 in the dylib command: the walk stops there */
	save = pn_le32(m.b + l.dylib + 4);
	wr32(&m, l.dylib + 4, 0);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_EFORMAT && has_note(&r, "bad cmdsize") && jlen(jget(a, "commands")) == 7 &&
	    jlen(jget(a, "libs")) == 0, "cmdsize 0: walk stops, earlier commands kept");
	ok(run_sane(&r), "cmdsize 0: sane");
	run_free(&r);
	/* cmdsize past sizeofcmds */
	wr32(&m, l.dylib + 4, 0x7ffffff8);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "bad cmdsize"), "cmdsize past sizeofcmds: noted");
	run_free(&r);
	/* cmdsize not a multiple of 8: noted, the walk goes on */
	wr32(&m, l.dylib + 4, save - 4);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "not a multiple of 8") &&
	    jhas(jget(jidx(r.info, 0), "libs"), NULL, "/usr/lib/libSystem.B.dylib"),
	    "cmdsize %% 8 != 0: noted, parsed");
	run_free(&r);
	wr32(&m, l.dylib + 4, save);

	/* dylib name offset outside the command; a name without its NUL */
	wr32(&m, l.dylib + 8, 5000);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "outside its command") &&
	    jlen(jget(jidx(r.info, 0), "libs")) == 1, "dylib name offset outside: skipped");
	run_free(&r);
	wr32(&m, l.dylib + 8, 8);   /* inside the fixed part */
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && jlen(jget(jidx(r.info, 0), "libs")) == 1, "dylib name offset 8: skipped");
	run_free(&r);
	wr32(&m, l.dylib + 8, 24);
	memset(m.b + l.dylib + 24, 'A', save - 24);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "not NUL-terminated") &&
	    jlen(jget(jidx(r.info, 0), "libs")) == 2, "unterminated dylib name: cut at cmdsize");
	run_free(&r);
	free(m.b);

	/* sizeofcmds past the end of the file; ncmds huge */
	mb_one(&m, &o, &l);
	wr32(&m, l.sizeofcmds_off, 0x7fffffff);
	wr32(&m, l.ncmds_off, 0xffffffff);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "sizeofcmds") && has_note(&r, "load commands, only"),
	    "sizeofcmds and ncmds huge: noted");
	ok(run_sane(&r), "sizeofcmds and ncmds huge: sane");
	run_free(&r);
	wr32(&m, l.sizeofcmds_off, l.sizeofcmds);
	wr32(&m, l.ncmds_off, l.ncmds);

	/* a segment claiming more sections than its command holds */
	wr32(&m, l.seg_text + 64, 1000);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && jlen(jget(jidx(jget(jidx(r.info, 0), "segments"), 1), "sections")) == 2,
	    "nsects 1000: capped at what cmdsize holds");
	run_free(&r);
	wr32(&m, l.seg_text + 64, 2);

	/* code signature: outside the file; not a SuperBlob; a blob outside it */
	save = pn_le32(m.b + l.cs_cmd + 8);
	wr32(&m, l.cs_cmd + 8, (uint32_t)m.len);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_EFORMAT && jbool(a, "code_signature") == 1 && jbool(a, "entitlements") == 0 &&
	    has_note(&r, "outside the file"), "code signature outside the file");
	run_free(&r);
	wr32(&m, l.cs_cmd + 8, save);
	wr32be(&m, l.superblob, 0x12345678);
	run_macho(&r, m.b, m.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "not a SuperBlob"), "bad SuperBlob magic");
	run_free(&r);
	wr32be(&m, l.superblob, CSMAGIC_EMBEDDED_SIGNATURE);
	wr32be(&m, l.superblob + 12 + 8 * 3 + 4, 0x7fffffff);   /* the entitlements index entry */
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_EFORMAT && jbool(a, "entitlements") == 0 && jlen(jget(a, "signature_blobs")) == 3,
	    "entitlements blob outside the SuperBlob");
	run_free(&r);
	free(m.b);

	/* fat: a slice outside the file, a slice that is an ar archive */
	mb_fat(&f, 0, two, 2, lf);
	off1 = pn_be32(f.b + 8 + 20 + 8);
	wr32be(&f, 8 + 20 + 8, (uint32_t)f.len);
	run_macho(&r, f.b, f.len);
	ok(r.rc == PN_EFORMAT && jlen(r.info) == 2 && jget(jidx(r.info, 1), "headers") == NULL &&
	    jget(jidx(r.info, 1), "fat_arch") != NULL && jget(jidx(r.info, 0), "headers") != NULL,
	    "fat slice outside the file: fat_arch only");
	run_free(&r);
	wr32be(&f, 8 + 20 + 8, off1);
	memcpy(f.b + off1, "!<arch>\n", 8);
	run_macho(&r, f.b, f.len);
	ok(r.rc == PN_EFORMAT && has_note(&r, "static library") && jlen(r.info) == 2,
	    "fat slice that is an archive: noted");
	run_free(&r);
	/* a fat header whose table is cut by the end of the file */
	run_macho(&r, f.b, 8 + 20 + 10);
	ok(r.rc == PN_EFORMAT && jlen(r.info) == 1 && has_note(&r, "outside the file") &&
	    has_note(&r, "fat header cut"), "fat table cut: one entry, its slice outside");
	run_free(&r);
	free(f.b);
}

static void
test_limits(void)
{
	struct mopt o = opt_x86;
	struct mb m;
	struct mlay l;
	struct run r;
	struct json_object *a;

	o.extra_cmds = PN_MACHO_MAX_CMDS + 10;
	mb_one(&m, &o, &l);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_ELIMIT && jlen(jget(a, "commands")) == PN_MACHO_MAX_CMDS &&
	    jint(jget(a, "headers"), "num_cmds") == (long long)l.ncmds,
	    "%u commands: %u read, limit noted", l.ncmds, PN_MACHO_MAX_CMDS);
	ok(jbool(a, "code_signature") == 0, "over the command limit: LC_CODE_SIGNATURE not reached");
	run_free(&r);
	free(m.b);

	o.extra_cmds = 0;
	o.ent_pad = PN_MACHO_MAX_ENTITLEMENTS;
	mb_one(&m, &o, &l);
	run_macho(&r, m.b, m.len);
	a = jidx(r.info, 0);
	ok(r.rc == PN_ELIMIT && jbool(a, "entitlements") == 1 &&
	    strlen(jstr(a, "entitlements_xml")) == PN_MACHO_MAX_ENTITLEMENTS,
	    "long entitlements: cut at %u bytes", PN_MACHO_MAX_ENTITLEMENTS);
	run_free(&r);
	free(m.b);
}

static void
test_robust(void)
{
	const struct mopt *two[2] = { &opt_x86, &opt_arm };
	struct mb m[3];
	struct mlay l[2];
	struct run r;
	size_t v, n, bad, i;
	uint64_t rng = 0x243f6a8885a308d3ULL;

	mb_one(&m[0], &opt_x86, &l[0]);
	mb_one(&m[1], &opt_ppc, &l[0]);
	mb_fat(&m[2], 0, two, 2, l);
	for (v = 0; v < 3; v++) {
		bad = 0;
		for (n = 0; n < m[v].len; n++) {
			run_macho(&r, m[v].b, n);
			bad += !run_sane(&r);
			run_free(&r);
		}
		is_int(bad, 0, "every prefix of variant %zu (%zu bytes): sane", v, m[v].len);
		bad = 0;
		for (i = 0; i < MUTATIONS; i++) {
			uint8_t *d = pn_xmalloc(m[v].len);
			size_t k, nflip = 1 + (size_t)(rng % 6);

			memcpy(d, m[v].b, m[v].len);
			for (k = 0; k < nflip; k++) {
				uint64_t x;
				size_t at;
				rng ^= rng >> 12;
				rng ^= rng << 25;
				rng ^= rng >> 27;
				x = rng * 0x2545f4914f6cdd1dULL;
				/* aim at the headers and commands most of the time */
				at = (size_t)(x % ((x >> 60) < 12 ? PN_MIN(m[v].len, (size_t)BODY + 64) : m[v].len));
				switch ((x >> 32) % 4) {
				case 0: d[at] ^= (uint8_t)(1u << ((x >> 40) % 8)); break;
				case 1: d[at] = (uint8_t)(x >> 48); break;
				case 2: d[at] = 0xff; break;
				default: d[at] = 0; break;
				}
			}
			run_macho(&r, d, m[v].len);
			bad += !run_sane(&r);
			run_free(&r);
			free(d);
		}
		is_int(bad, 0, "%d random mutations of variant %zu: sane", MUTATIONS, v);
		free(m[v].b);
	}
}

/* ------------------------------------------------------------------ */
/* Fuzz seeds                                                          */

static int
write_file(const char *dir, const char *name, const uint8_t *d, size_t n)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(d, 1, n, fp) != n || fclose(fp) != 0) {
		fprintf(stderr, "test_macho: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

/* Seeds for tests/fuzz/make-seeds-macho.sh: small, each a different shape. */
static int
write_seeds(const char *dir)
{
	const struct mopt *two[2] = { &opt_x86, &opt_arm };
	struct mopt o = opt_x86;
	struct mb m;
	struct mlay l[2];
	int rc = 0;

	mb_one(&m, &opt_x86, l);
	rc |= write_file(dir, "thin-x86_64-signed-entitlements", m.b, m.len);
	free(m.b);
	mb_one(&m, &opt_ppc, l);
	rc |= write_file(dir, "thin-ppc-be32", m.b, m.len);
	free(m.b);
	o.codesig = 0;
	o.cputype = 12 | CPU_ARCH_ABI64;
	o.cpusubtype = 2;
	mb_one(&m, &o, l);
	wr32(&m, l[0].dylib + 4, 0);    /* a damaged one: cmdsize 0 */
	rc |= write_file(dir, "thin-arm64e-cmdsize0", m.b, m.len);
	free(m.b);
	mb_fat(&m, 0, two, 2, l);
	rc |= write_file(dir, "fat-x86_64-arm64", m.b, m.len);
	free(m.b);
	mb_fat(&m, 1, two, 1, l);
	rc |= write_file(dir, "fat64-x86_64", m.b, m.len);
	free(m.b);
	rc |= write_file(dir, "java-class", (const uint8_t *)"\xca\xfe\xba\xbe\0\0\0\x34\0\x1d", 10);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	test_thin();
	test_fat();
	test_java();
	test_malformed();
	test_limits();
	test_robust();
	return done_testing();
}
