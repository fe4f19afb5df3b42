/*
 * heur_doc.c - the "Panoptes-Document" engine (kind "heuristic-doc"):
 * scored heuristics over Office (OLE2 and OOXML), RTF and PDF documents.
 * The document parsers (parsers/ole.c + vba.c, ooxml.c, rtf.c, pdf.c) run
 * as libraries and their attributes (office_info.ole.macros,
 * openxml_info, rtf_info, pdf_info / pdf_details) are scored; other files
 * are type-unsupported.
 *
 * Rules (id, score; docs/internals/heuristics.md):
 *   AutoExecMacro     45  a VBA module with an auto-exec procedure
 *                         (AutoOpen, Document_Open, Workbook_Open, ...)
 *   MacroShellDownload 45 VBA that runs programs or downloads (Shell,
 *                         WScript.Shell, URLDownloadToFile, XMLHTTP,
 *                         powershell, ...); with AutoExecMacro: malicious
 *   TemplateInjection 50  an external attachedTemplate over http(s)
 *   EquationObject    50  an RTF object of class Equation.*
 *   ObjUpdate         40  RTF \objupdate (objects refreshed on open)
 *   PdfAutoJavaScript 50  PDF JavaScript with /OpenAction or /AA
 *   PdfJavaScript     10  PDF JavaScript alone
 *   PdfLaunch         50  PDF /Launch action
 *   EmbeddedExecutable 90 a PDF embedded file (or raw bytes of the PDF)
 *                         that is a PE executable
 *
 * Ownership: e->priv is a struct pn_heur_cfg (heur.h).
 * Errors: scan returns PN_OK.
 * See also: heur.h, docs/internals/heuristics.md, tests/unit/test_heur.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "heur.h"

#include <strings.h>

#define DOS_STUB "This program cannot be run in DOS mode"

/* Keywords of vba.c's "suspicious" list that run programs or download. */
static const char *const shell_words[] = {
	"Shell", "WScript.Shell", "Shell.Application", "ShellExecute", "Exec", ".Run",
	"powershell", "cmd.exe", "URLDownloadToFile", "XMLHTTP", "WinHttpRequest",
	"Net.WebClient", "DownloadFile", "DownloadString", "InternetOpen", "MacScript",
	NULL
};

static int
shell_word(const char *s)
{
	size_t i;

	for (i = 0; shell_words[i] != NULL; i++)
		if (strcasecmp(s, shell_words[i]) == 0)
			return 1;
	return 0;
}

static void
rules_macros(struct pn_heur *h, struct json_object *macros)
{
	size_t i, j, n = macros ? json_object_array_length(macros) : 0;

	for (i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(macros, i);
		struct json_object *au = pn_heur_jget(m, "auto_exec");
		struct json_object *su = pn_heur_jget(m, "suspicious");
		struct json_object *nm = pn_heur_jget(m, "vba_filename");
		const char *name = nm ? json_object_get_string(nm) : "?";

		if (au != NULL && json_object_array_length(au) > 0)
			pn_heur_add(h, "AutoExecMacro", "a macro runs automatically when the "
			    "document is opened or closed", 45, "%s: %s", name,
			    json_object_get_string(json_object_array_get_idx(au, 0)));
		for (j = 0; su != NULL && j < json_object_array_length(su); j++) {
			const char *w = json_object_get_string(json_object_array_get_idx(su, j));

			if (shell_word(w)) {
				pn_heur_add(h, "MacroShellDownload", "a macro runs programs or "
				    "downloads", 45, "%s: %s", name, w);
				break;
			}
		}
	}
}

static void
rules_ooxml(struct pn_heur *h, struct json_object *info)
{
	struct json_object *ext = pn_heur_jget(info, "external_relationships");
	size_t i, n = ext ? json_object_array_length(ext) : 0;

	rules_macros(h, pn_heur_jget(pn_heur_jget(info, "ole"), "macros"));
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(ext, i);
		struct json_object *ty = pn_heur_jget(r, "type"), *tg = pn_heur_jget(r, "target");
		const char *target = tg ? json_object_get_string(tg) : "";

		if (ty == NULL || strcasecmp(json_object_get_string(ty), "attachedTemplate") != 0)
			continue;
		if (strncasecmp(target, "http", 4) == 0 || strstr(target, "http") != NULL ||
		    strncmp(target, "\\\\", 2) == 0)
			pn_heur_add(h, "TemplateInjection", "the document loads a remote template",
			    50, "attachedTemplate %s", target);
	}
}

static void
rules_rtf(struct pn_heur *h, struct json_object *info)
{
	struct json_object *objs = pn_heur_jget(info, "objects");
	size_t i, n = objs ? json_object_array_length(objs) : 0;
	int64_t upd = pn_heur_jint(info, "num_objupdate");

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(objs, i);
		const char *keys[] = { "class", "ole_class" };
		size_t k;

		for (k = 0; k < 2; k++) {
			struct json_object *c = pn_heur_jget(o, keys[k]);

			if (c != NULL && strncasecmp(json_object_get_string(c), "Equation.", 9) == 0)
				pn_heur_add(h, "EquationObject", "an Equation Editor object "
				    "(CVE-2017-11882 / CVE-2018-0802 exploits)", 50, "object %zu class %s",
				    i, json_object_get_string(c));
		}
	}
	if (upd > 0)
		pn_heur_add(h, "ObjUpdate", "an embedded object is updated when the document "
		    "opens (\\objupdate)", 40, "%lld \\objupdate", (long long)upd);
}

static void
rules_pdf(struct pn_heur *h, struct json_object *attrs, const struct pn_scan_target *t)
{
	struct json_object *info = pn_heur_jget(attrs, "pdf_info");
	struct json_object *emb = pn_heur_jget(pn_heur_jget(attrs, "pdf_details"), "embedded_files");
	int64_t js = pn_heur_jint(info, "javascript") + pn_heur_jint(info, "js");
	int64_t oa = pn_heur_jint(info, "openaction"), aa = pn_heur_jint(info, "autoaction");
	int64_t la = pn_heur_jint(info, "num_launch_actions");
	size_t i, n = emb ? json_object_array_length(emb) : 0;

	if (js > 0 && (oa > 0 || aa > 0))
		pn_heur_add(h, "PdfAutoJavaScript", "JavaScript with an automatic action", 50,
		    "/JavaScript or /JS %lld, /OpenAction %lld, /AA %lld", (long long)js,
		    (long long)oa, (long long)aa);
	else if (js > 0)
		pn_heur_add(h, "PdfJavaScript", "the document holds JavaScript", 10,
		    "/JavaScript or /JS %lld", (long long)js);
	if (la > 0)
		pn_heur_add(h, "PdfLaunch", "a /Launch action starts a program", 50,
		    "/Launch %lld", (long long)la);
	for (i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(emb, i);
		struct json_object *ty = pn_heur_jget(f, "type"), *nm = pn_heur_jget(f, "name");

		if (ty != NULL && strcmp(json_object_get_string(ty), "pe") == 0)
			pn_heur_add(h, "EmbeddedExecutable", "an embedded file is a Windows "
			    "executable", 90, "embedded file %s", nm ? json_object_get_string(nm) : "");
	}
	if (memmem(t->data, t->size, DOS_STUB, strlen(DOS_STUB)) != NULL)
		pn_heur_add(h, "EmbeddedExecutable", "the document holds a Windows executable",
		    90, "\"%s\" in the raw bytes", DOS_STUB);
}

static int
heur_doc_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	static const struct pn_parser *const ps[] = {
		&pn_parser_ole, &pn_parser_ooxml, &pn_parser_rtf, &pn_parser_pdf
	};
	struct json_object *attrs = NULL;
	struct pn_heur h;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(ps) && attrs == NULL; i++)
		attrs = pn_heur_run_parser(ps[i], t);
	if (attrs == NULL) {
		pn_heur_unsupported(v);
		return PN_OK;
	}
	i--;
	pn_heur_begin(&h);
	if (ps[i] == &pn_parser_ole)
		rules_macros(&h, pn_heur_jget(pn_heur_jget(pn_heur_jget(attrs, "office_info"),
		    "ole"), "macros"));
	else if (ps[i] == &pn_parser_ooxml)
		rules_ooxml(&h, pn_heur_jget(attrs, "openxml_info"));
	else if (ps[i] == &pn_parser_rtf)
		rules_rtf(&h, pn_heur_jget(attrs, "rtf_info"));
	else
		rules_pdf(&h, attrs, t);
	json_object_put(attrs);
	pn_heur_finish(&h, e, "Doc", v);
	return PN_OK;
}

const struct pn_engine_ops pn_engine_heur_doc_ops = {
	.kind = "heuristic-doc",
	.init = pn_heur_engine_init,
	.scan = heur_doc_scan,
	.reload = pn_heur_engine_reload,
	.free = pn_heur_engine_free,
};
