/*
 * static_caps.c - the "Panoptes Static Capabilities" pseudo-sandbox
 * (SANDBOX.md §1.3, §6.1, §9.2): a file's static details (the attributes
 * the parsers produced: pe_info, elf_info, strings_info, script_info,
 * office/pdf blocks, tags) are flattened into features, and the rules of
 * rules/behavior/static.rules run over them with the same evaluator as
 * the Linux tracer's events (rules.c), in the spirit of capa's file-scope
 * rules.  Output: a `file_behaviour` object with signature_matches
 * (SIG_FORMAT_CAPA, rule_src), mitre_attack_techniques, tags, verdicts,
 * verdict_confidence, behash, sandbox_name, analysis_date.
 *
 * Features (ev = kind, value = the text; docs/internals/behavior-rules.md):
 *   import {value, api (A/W suffix dropped), library}  PE and ELF imports
 *   library, export, section {value, entropy, flags}, packer, notable,
 *   url, domain, ip, email, tag, type, shebang, language,
 *   keyword (script/VBA suspicious keywords), autoexec (VBA triggers),
 *   command (decoded script commands), pdf {value = pdf_info key, count}.
 *
 * Limits: PN_STATIC_MAX_FEATURES features, PN_STATIC_MAX_DEPTH levels of
 * the details walked for keyword lists.  Ownership: a new report.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PN_STATIC_MAX_FEATURES 65536
#define PN_STATIC_MAX_DEPTH    6

static void
feature(struct pn__bset *s, const char *kind, const char *value, struct json_object *extra)
{
	struct pn__bev *e;
	struct json_object *o;
	const char *lib = NULL;

	if (value == NULL || s->n >= PN_STATIC_MAX_FEATURES) {
		json_object_put(extra);
		return;
	}
	o = extra ? extra : json_object_new_object();
	json_object_object_add(o, "ev", json_object_new_string(kind));
	json_object_object_add(o, "value", json_object_new_string(value));
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = pn_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->o = o;
	e->ppid = -1;
	e->ev = json_object_get_string(json_object_object_get(o, "ev"));
	if (json_object_object_get_ex(o, "library", &extra) && json_object_is_type(extra, json_type_string))
		lib = json_object_get_string(extra);
	if (lib && *lib)
		e->evid = pn_xasprintf("%s %s!%s", kind, lib, value);
	else
		e->evid = pn_xasprintf("%s %s", kind, value);
	if (strlen(e->evid) > PN_RULES_MAX_EVID_LEN) {
		size_t n = PN_RULES_MAX_EVID_LEN;
		while (n > 0 && ((unsigned char)e->evid[n] & 0xc0) == 0x80)
			n--;
		e->evid[n] = '\0';
	}
}

static struct json_object *
get(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *
str(struct json_object *o)
{
	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

/* Every string of array a as a feature of kind. */
static void
strings_of(struct pn__bset *s, struct json_object *a, const char *kind)
{
	size_t i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		feature(s, kind, str(json_object_array_get_idx(a, i)), NULL);
}

static char *
lower(const char *s)
{
	char *l = pn_xstrdup(s), *p;

	for (p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

/* capa's api feature ignores the A/W suffix: CreateProcessA → CreateProcess. */
static void
import(struct pn__bset *s, const char *lib, const char *name)
{
	struct json_object *x = json_object_new_object();
	size_t n = strlen(name);
	char *api = pn_xstrdup(name), *l = lower(lib ? lib : "");

	if (n > 2 && (name[n - 1] == 'A' || name[n - 1] == 'W') && islower((unsigned char)name[n - 2]))
		api[n - 1] = '\0';
	json_object_object_add(x, "api", json_object_new_string(api));
	json_object_object_add(x, "library", json_object_new_string(l));
	feature(s, "import", name, x);
	free(api);
	free(l);
}

static void
sections(struct pn__bset *s, struct json_object *a)
{
	size_t i, n;

	if (a == NULL || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		struct json_object *sec = json_object_array_get_idx(a, i), *x, *v;
		const char *name = str(get(sec, "name"));
		if (name == NULL)
			continue;
		x = json_object_new_object();
		if ((v = get(sec, "entropy")) != NULL)
			json_object_object_add(x, "entropy", json_object_get(v));
		if ((v = get(sec, "flags")) != NULL && json_object_is_type(v, json_type_string))
			json_object_object_add(x, "flags", json_object_get(v));
		feature(s, "section", name, x);
	}
}

static void
pe_features(struct pn__bset *s, struct json_object *pe)
{
	struct json_object *il = get(pe, "import_list");
	size_t i, k, n, m;

	if (pe == NULL)
		return;
	n = il && json_object_is_type(il, json_type_array) ? json_object_array_length(il) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *lib = json_object_array_get_idx(il, i);
		struct json_object *fns = get(lib, "imported_functions");
		const char *ln = str(get(lib, "library_name"));
		char *l;
		if (ln) {
			l = lower(ln);
			feature(s, "library", l, NULL);
			free(l);
		}
		m = fns && json_object_is_type(fns, json_type_array) ? json_object_array_length(fns) : 0;
		for (k = 0; k < m; k++) {
			const char *fn = str(json_object_array_get_idx(fns, k));
			if (fn)
				import(s, ln, fn);
		}
	}
	strings_of(s, get(pe, "exports"), "export");
	strings_of(s, get(pe, "packer_hints"), "packer");
	sections(s, get(pe, "sections"));
	if (get(pe, "clr"))
		feature(s, "type", "dotnet", NULL);
	if (get(pe, "tls_info"))
		feature(s, "characteristic", "tls_callbacks", NULL);
}

static void
elf_features(struct pn__bset *s, struct json_object *elf)
{
	struct json_object *a;
	size_t i, n;

	if (elf == NULL)
		return;
	a = get(elf, "import_list");
	n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++) {
		const char *name = str(get(json_object_array_get_idx(a, i), "name"));
		if (name)
			import(s, NULL, name);
	}
	a = get(elf, "export_list");
	n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	for (i = 0; i < n; i++)
		feature(s, "export", str(get(json_object_array_get_idx(a, i), "name")), NULL);
	strings_of(s, get(elf, "shared_libraries"), "library");
	strings_of(s, get(elf, "notable_imports"), "notable");
	strings_of(s, get(elf, "packer_hints"), "packer");
	sections(s, get(elf, "section_list"));
	if (json_object_get_boolean(get(elf, "stripped")))
		feature(s, "characteristic", "stripped", NULL);
}

/* Keyword arrays anywhere in a block (office_info, openxml_info, script_info …). */
static void
walk(struct pn__bset *s, struct json_object *o, int depth)
{
	static const struct { const char *key, *kind; } lists[] = {
		{ "auto_exec", "autoexec" }, { "suspicious", "keyword" },
		{ "decoded_commands", "command" }, { "patterns", "keyword" } };
	size_t i, n;

	if (o == NULL || depth > PN_STATIC_MAX_DEPTH)
		return;
	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n && i < 4096; i++)
			walk(s, json_object_array_get_idx(o, i), depth + 1);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		for (i = 0; i < PN_ARRAY_LEN(lists); i++)
			if (strcmp(k, lists[i].key) == 0)
				break;
		if (i < PN_ARRAY_LEN(lists) && json_object_is_type(v, json_type_array))
			strings_of(s, v, lists[i].kind);
		else if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
			walk(s, v, depth + 1);
	}
}

static void
pdf_features(struct pn__bset *s, struct json_object *pdf)
{
	if (pdf == NULL || !json_object_is_type(pdf, json_type_object))
		return;
	json_object_object_foreach(pdf, k, v) {
		struct json_object *x;
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0)
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "count", json_object_new_int64(json_object_get_int64(v)));
		feature(s, "pdf", k, x);
	}
}

static void
flatten(struct pn__bset *s, struct json_object *d)
{
	struct json_object *si = get(d, "strings_info"), *sc = get(d, "script_info");
	static const char *const blocks[] = { "office_info", "openxml_info", "script_info", "rtf_info",
		"pdf_details" };
	size_t i;

	feature(s, "type", str(get(d, "type_tag")), NULL);
	strings_of(s, get(d, "type_tags"), "type");
	strings_of(s, get(d, "tags"), "tag");
	pe_features(s, get(d, "pe_info"));
	elf_features(s, get(d, "elf_info"));
	strings_of(s, get(si, "urls"), "url");
	strings_of(s, get(si, "domains"), "domain");
	strings_of(s, get(si, "ips"), "ip");
	strings_of(s, get(si, "emails"), "email");
	feature(s, "shebang", str(get(sc, "shebang")), NULL);
	feature(s, "language", str(get(sc, "language")), NULL);
	for (i = 0; i < PN_ARRAY_LEN(blocks); i++)
		walk(s, get(d, blocks[i]), 0);
	pdf_features(s, get(d, "pdf_info"));
}

int
pn_static_caps_report(struct json_object *details_attrs, const struct pn_rules *static_rules,
    struct json_object **out)
{
	struct pn__bset s;
	struct json_object *r, *fired;
	char bh[65];

	*out = NULL;
	if (details_attrs == NULL || !json_object_is_type(details_attrs, json_type_object))
		return PN_EINVAL;
	memset(&s, 0, sizeof(s));
	flatten(&s, details_attrs);
	r = json_object_new_object();
	json_object_object_add(r, "sandbox_name", json_object_new_string(PN_BEH_SANDBOX_STATIC));
	json_object_object_add(r, "analysis_date", json_object_new_int64(pn_now()));
	fired = json_object_new_array();
	pn__rules_eval(static_rules, &s, r, "SIG_FORMAT_CAPA", fired);
	pn__verdict(r);
	pn__behash(r, fired, NULL, bh);
	json_object_object_add(r, "behash", json_object_new_string(bh));
	json_object_object_add(r, "has_html_report", json_object_new_boolean(0));
	json_object_object_add(r, "has_pcap", json_object_new_boolean(0));
	json_object_put(fired);
	pn__bset_release(&s);
	*out = r;
	return PN_OK;
}
