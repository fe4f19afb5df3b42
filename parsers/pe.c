/*
 * pe.c - the "pe" parser: runs pn_pe_parse() (pe_image.c and friends) on
 * a file that starts like a PE and adds what it found to the report in
 * VirusTotal's shapes (VT-API.md §5.2):
 *
 *   pe_info          imphash, entry_point, machine_type, timestamp,
 *                    compiler_product_versions, rich_pe_header_hash,
 *                    sections, import_list, exports, resource_details,
 *                    resource_types, resource_langs, overlay, debug; and
 *                    names VirusTotal lacks: tls_info, clr, packer_hints,
 *                    headers (docs/internals/pe.md lists them)
 *   creation_date    the COFF time stamp, when plausible
 *   signature_info   version strings ("description", "file version", ...)
 *                    and the Authenticode signer names ("signers",
 *                    "signers details", "verified": never verified)
 *   authentihash     SHA-256 Authenticode digest
 *   packers          {"Panoptes": "UPX"} for a known packer's sections
 *   tags             "overlay", "signed"
 *   analysis_notes   what was malformed or cut by a limit ("pe: ...")
 *
 * Ownership: every JSON value is created here and handed to p->attrs /
 * p->tags / p->notes.  Limits: those of pe.h.  Errors: PN_OK, PN_EFORMAT
 * (malformed, partial details kept, notes say why) or PN_ELIMIT.
 * See also: pe.h, docs/internals/pe.md, tests/unit/test_pe.c,
 * tests/fuzz/fuzz_pe.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "parser.h"
#include "pe.h"
#include "pe_int.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define PLAUSIBLE_TS_MIN  631152000   /* 1990-01-01: older COFF time stamps are forged or zero */
#define PLAUSIBLE_TS_SLACK 86400      /* a day into the future, for clock skew */

/* ------------------------------------------------------------ helpers */

static struct json_object *
jdouble(double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.2f", v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *
jhex(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* A string from the file: cleaned to valid UTF-8. */
static struct json_object *
jstr_clean(const char *s)
{
	char *c = pn_pe_clean(s, strlen(s));
	struct json_object *o = json_object_new_string(c);

	free(c);
	return o;
}

static void
add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void
count_key(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, k, &v))
		json_object_set_int(v, json_object_get_int(v) + 1);
	else
		add_int(o, k, 1);
}

static void
add_stats(struct json_object *o, const struct pn_pe_stats *st, int with_md5)
{
	if (!st->done)
		return;
	json_object_object_add(o, "entropy", jdouble(st->entropy));
	json_object_object_add(o, "chi2", jdouble(st->chi2));
	if (with_md5)
		add_str(o, "md5", st->md5);
}

/* ------------------------------------------------------------ pe_info */

static void
j_sections(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < pe->nsect; i++) {
		const struct pn_pe_section *s = &pe->sections[i];
		struct json_object *o = json_object_new_object();
		char flags[4];
		size_t f = 0;

		if (s->chars & PE_SCN_MEM_READ)
			flags[f++] = 'r';
		if (s->chars & PE_SCN_MEM_WRITE)
			flags[f++] = 'w';
		if (s->chars & PE_SCN_MEM_EXECUTE)
			flags[f++] = 'x';
		flags[f] = '\0';
		json_object_object_add(o, "name", jstr_clean(s->name));
		add_int(o, "virtual_address", s->vaddr);
		add_int(o, "virtual_size", s->vsize);
		add_int(o, "raw_size", s->raw_size);
		add_stats(o, &s->st, 1);
		add_str(o, "flags", flags);
		json_object_array_add(arr, o);
	}
	json_object_object_add(info, "sections", arr);
}

static void
j_imports(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *arr = json_object_new_array();
	size_t i, j;

	for (i = 0; i < pe->nimports; i++) {
		const struct pn_pe_import *imp = &pe->imports[i];
		struct json_object *o = json_object_new_object(), *fa = json_object_new_array();
		for (j = 0; j < imp->nfuncs; j++) {
			const struct pn_pe_import_func *f = &imp->funcs[j];
			char buf[24];
			if (f->name == NULL)
				snprintf(buf, sizeof(buf), "ord%u", f->ordinal);
			json_object_array_add(fa, json_object_new_string(f->name ? f->name : buf));
		}
		add_str(o, "library_name", imp->dll);
		json_object_object_add(o, "imported_functions", fa);
		json_object_array_add(arr, o);
	}
	if (pe->nimports)
		json_object_object_add(info, "import_list", arr);
	else
		json_object_put(arr);
	if (pe->imphash[0])
		add_str(info, "imphash", pe->imphash);
}

static void
j_exports(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *arr;
	size_t i;

	if (pe->nexports == 0)
		return;
	arr = json_object_new_array();
	for (i = 0; i < pe->nexports; i++)
		if (pe->exports[i].name)
			json_object_array_add(arr, json_object_new_string(pe->exports[i].name));
	json_object_object_add(info, "exports", arr);
}

static void
j_resources(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *det, *types, *langs;
	size_t i;

	if (pe->nresources == 0)
		return;
	det = json_object_new_array();
	types = json_object_new_object();
	langs = json_object_new_object();
	for (i = 0; i < pe->nresources; i++) {
		const struct pn_pe_resource *r = &pe->resources[i];
		struct json_object *o = json_object_new_object();
		char tbuf[16], lbuf[48];
		const char *type = r->type_name ? r->type_name : pn_pe_resource_type_name(r->type_id);
		const char *lang = pn_pe_lang_name(r->lang, lbuf, sizeof(lbuf));

		if (type == NULL) {
			snprintf(tbuf, sizeof(tbuf), "%u", r->type_id);
			type = tbuf;
		}
		add_str(o, "lang", lang);
		add_str(o, "type", type);
		if (r->st.done)
			add_str(o, "sha256", r->st.sha256);
		add_str(o, "filetype", r->filetype);
		add_stats(o, &r->st, 0);
		json_object_array_add(det, o);
		count_key(types, type);
		count_key(langs, lang);
	}
	json_object_object_add(info, "resource_details", det);
	json_object_object_add(info, "resource_types", types);
	json_object_object_add(info, "resource_langs", langs);
}

static const char *
debug_type_name(uint32_t t)
{
	static const char *const names[] = {
		"UNKNOWN", "COFF", "CODEVIEW", "FPO", "MISC", "EXCEPTION", "FIXUP", "OMAP_TO_SRC",
		"OMAP_FROM_SRC", "BORLAND", "RESERVED10", "CLSID", "VC_FEATURE", "POGO", "ILTCG",
		"MPX", "REPRO", NULL, NULL, NULL, "EX_DLLCHARACTERISTICS",
	};
	return t < PN_ARRAY_LEN(names) ? names[t] : NULL;
}

static void
j_debug(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *arr;
	size_t i;

	if (pe->ndebug == 0)
		return;
	arr = json_object_new_array();
	for (i = 0; i < pe->ndebug; i++) {
		const struct pn_pe_debug *d = &pe->debug[i];
		struct json_object *o = json_object_new_object();
		const char *tn = debug_type_name(d->type);
		char buf[48];

		add_int(o, "type", d->type);
		snprintf(buf, sizeof(buf), "IMAGE_DEBUG_TYPE_%s", tn ? tn : "UNKNOWN");
		add_str(o, "type_str", buf);
		add_int(o, "timedatestamp", d->timestamp);
		add_int(o, "size", d->size);
		add_int(o, "offset", d->ptr);
		if (d->cv_sig[0]) {
			struct json_object *cv = json_object_new_object();
			add_str(cv, "signature", d->cv_sig);
			if (d->guid[0])
				add_str(cv, "guid", d->guid);
			add_int(cv, "age", d->age);
			if (d->pdb)
				add_str(cv, "name", d->pdb);
			json_object_object_add(o, "codeview", cv);
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(info, "debug", arr);
}

static void
j_rich(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *arr;
	size_t i;

	if (!pe->has_rich)
		return;
	add_str(info, "rich_pe_header_hash", pe->rich_hash);
	arr = json_object_new_array();
	for (i = 0; i < pe->nrich; i++) {
		char buf[80];
		snprintf(buf, sizeof(buf), "id: %u, version: %u count=%u", pe->rich[i].prodid,
		    pe->rich[i].build, pe->rich[i].count);
		json_object_array_add(arr, json_object_new_string(buf));
	}
	json_object_object_add(info, "compiler_product_versions", arr);
}

static void
j_misc(struct json_object *info, const struct pn_pe *pe)
{
	static const char *const hint_names[] = {
		"packer_section", "high_entropy_executable_section", "few_imports_with_loader",
		"writable_executable_section", "entry_point_outside_code", "entry_point_in_last_section",
		"no_imports",
	};
	struct json_object *o, *a;
	size_t i;

	if (pe->has_overlay) {
		o = json_object_new_object();
		add_int(o, "offset", (int64_t)pe->overlay_off);
		add_int(o, "size", (int64_t)pe->overlay_size);
		add_stats(o, &pe->overlay, 1);
		add_str(o, "filetype", pe->overlay_filetype);
		json_object_object_add(info, "overlay", o);
	}
	if (pe->has_tls) {
		o = json_object_new_object();
		json_object_object_add(o, "address_of_callbacks", jhex(pe->tls_callbacks_va));
		a = json_object_new_array();
		for (i = 0; i < pe->ntls_callbacks; i++)
			json_object_array_add(a, jhex(pe->tls_callbacks[i]));
		json_object_object_add(o, "callbacks", a);
		json_object_object_add(info, "tls_info", o);
	}
	if (pe->has_clr) {
		char v[16];
		o = json_object_new_object();
		snprintf(v, sizeof(v), "%u.%u", pe->clr_major, pe->clr_minor);
		add_str(o, "header_version", v);
		add_int(o, "flags", pe->clr_flags);
		if (pe->clr_version[0])
			add_str(o, "runtime_version", pe->clr_version);
		json_object_object_add(info, "clr", o);
	}
	if (pe->hints) {
		a = json_object_new_array();
		for (i = 0; i < PN_ARRAY_LEN(hint_names); i++)
			if (pe->hints & (1u << i))
				json_object_array_add(a, json_object_new_string(hint_names[i]));
		json_object_object_add(info, "packer_hints", a);
	}
}

static void
j_headers(struct json_object *info, const struct pn_pe *pe)
{
	struct json_object *h = json_object_new_object();
	char v[16];

	add_int(h, "characteristics", pe->characteristics);
	add_int(h, "number_of_sections", pe->nsections);
	if (pe->has_opt) {
		add_str(h, "magic", pe->is64 ? "PE32+" : "PE32");
		snprintf(v, sizeof(v), "%u.%u", pe->linker_major, pe->linker_minor);
		add_str(h, "linker_version", v);
		snprintf(v, sizeof(v), "%u.%u", pe->os_major, pe->os_minor);
		add_str(h, "os_version", v);
		snprintf(v, sizeof(v), "%u.%u", pe->subsys_major, pe->subsys_minor);
		add_str(h, "subsystem_version", v);
		add_int(h, "subsystem", pe->subsystem);
		add_int(h, "dll_characteristics", pe->dll_characteristics);
		json_object_object_add(h, "image_base", jhex(pe->image_base));
		add_int(h, "size_of_image", pe->size_of_image);
		add_int(h, "size_of_headers", pe->size_of_headers);
		add_int(h, "size_of_code", pe->size_of_code);
		add_int(h, "checksum", pe->checksum);
		add_int(h, "checksum_calculated", pe->checksum_calc);
		if (pe->entry_section >= 0)
			json_object_object_add(h, "entry_point_section",
			    jstr_clean(pe->sections[pe->entry_section].name));
	}
	json_object_object_add(info, "headers", h);
}

static struct json_object *
pe_info(const struct pn_pe *pe)
{
	struct json_object *info = json_object_new_object();

	if (pe->has_opt)
		add_int(info, "entry_point", pe->entry_point);
	add_int(info, "machine_type", pe->machine);
	add_int(info, "timestamp", pe->timestamp);
	j_rich(info, pe);
	j_sections(info, pe);
	j_imports(info, pe);
	j_exports(info, pe);
	j_resources(info, pe);
	j_debug(info, pe);
	j_misc(info, pe);
	j_headers(info, pe);
	return info;
}

/* ----------------------------------------------------- signature_info */

static void
j_signature(struct pn_parse *p, const struct pn_pe *pe)
{
	static const struct {
		const char *key, *vt;
	} vmap[] = {
		{ "FileDescription", "description" }, { "FileVersion", "file version" },
		{ "OriginalFilename", "original name" }, { "InternalName", "internal name" },
		{ "ProductName", "product" }, { "LegalCopyright", "copyright" },
		{ "Comments", "comments" }, { "CompanyName", "company" },
	};
	struct json_object *si = json_object_new_object(), *det;
	size_t i, j;

	for (i = 0; i < PN_ARRAY_LEN(vmap); i++)
		for (j = 0; j < pe->nversion; j++)
			if (strcmp(pe->version[j].key, vmap[i].key) == 0 && pe->version[j].value[0]) {
				add_str(si, vmap[i].vt, pe->version[j].value);
				break;
			}
	if (pe->has_security)
		add_str(si, "verified", pe->sig_parsed ? "Unverified signature present" :
		    "Malformed signature");
	if (pe->signers)
		add_str(si, "signers", pe->signers);
	if (pe->ncerts) {
		det = json_object_new_array();
		for (i = 0; i < pe->ncerts; i++) {
			const struct pn_pe_cert *c = &pe->certs[i];
			struct json_object *o = json_object_new_object();
			add_str(o, "name", c->subject_cn);
			add_str(o, "cert issuer", c->issuer_cn);
			add_str(o, "serial number", c->serial);
			add_str(o, "thumbprint", c->thumbprint);
			add_str(o, "valid from", c->not_before);
			add_str(o, "valid to", c->not_after);
			add_str(o, "status", "Not verified");
			json_object_array_add(det, o);
		}
		json_object_object_add(si, "signers details", det);
	}
	if (json_object_object_length(si) > 0)
		json_object_object_add(p->attrs, "signature_info", si);
	else
		json_object_put(si);
}

/* ------------------------------------------------------------- parser */

static int
pe_bid(const uint8_t *data, size_t size, const struct pn_ident *ident)
{
	(void)ident;
	return pn_pe_is_pe(data, size) ? 100 : 0;
}

static int
pe_parse(struct pn_parse *p)
{
	struct pn_pe pe;
	size_t i;
	int rc;

	rc = pn_pe_parse(p->data, p->size, &pe);
	if (!pe.valid) {
		pn_parse_note(p, "pe: not a PE image");
		pn_pe_free(&pe);
		return PN_EFORMAT;
	}
	json_object_object_add(p->attrs, "pe_info", pe_info(&pe));
	if (pe.timestamp >= PLAUSIBLE_TS_MIN && (int64_t)pe.timestamp <= pn_now() + PLAUSIBLE_TS_SLACK)
		add_int(p->attrs, "creation_date", pe.timestamp);
	j_signature(p, &pe);
	if (pe.authentihash[0])
		add_str(p->attrs, "authentihash", pe.authentihash);
	if (pe.packer) {
		struct json_object *pk = json_object_new_object();
		add_str(pk, "Panoptes", pe.packer);
		json_object_object_add(p->attrs, "packers", pk);
	}
	if (pe.has_overlay)
		pn_parse_tag(p, "overlay");
	if (pe.sig_parsed)
		pn_parse_tag(p, "signed");
	for (i = 0; i < pe.nnotes; i++)
		pn_parse_note(p, "pe: %s", pe.notes[i]);
	pn_pe_free(&pe);
	return rc;
}

const struct pn_parser pn_parser_pe = { "pe", pe_bid, pe_parse };
