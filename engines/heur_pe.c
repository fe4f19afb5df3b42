/*
 * heur_pe.c - the "Panoptes-PE" engine (kind "heuristic-pe"): scored
 * heuristics over a PE image parsed by parsers/pe.h.  Also holds the
 * options table shared by the three heuristic engines (heur.h).
 *
 * Rules (id, score; docs/internals/heuristics.md):
 *   behaviour, from the import table (the names of all imported DLLs):
 *     ProcessInjection 60  OpenProcess + VirtualAllocEx + WriteProcessMemory
 *                          + CreateRemoteThread/NtCreateThreadEx/
 *                          RtlCreateUserThread/QueueUserAPC/SetThreadContext
 *     Downloader       50  URLDownloadToFile + WinExec/ShellExecute/CreateProcess
 *     Keylogger        35  SetWindowsHookEx + GetAsyncKeyState (GetKeyState is
 *                          every GUI's shift-state check: not counted)
 *     AntiDebug        25  IsDebuggerPresent + CheckRemoteDebuggerPresent +
 *                          NtQueryInformationProcess
 *   structure (their sum is capped at PN_HEUR_PE_STRUCT_CAP, below the
 *   default malicious threshold, so packing alone is never "malicious"):
 *     Packed           30  an executable section with entropy > 7.2
 *     WXSection        25  a section both writable and executable
 *     EntryPoint       30  entry point in no section / a non-executable one
 *                      20  or in the last of several sections
 *     DynamicImports   20  <= 8 imported functions incl. LoadLibrary* + GetProcAddress
 *     HeaderAnomaly    15  raw data past the end of file, SizeOfImage short
 *                          of the last section, executable code with SizeOfCode 0
 *     ForgedTimestamp  10  TimeDateStamp in the future, or before 1995 (0
 *                          and Delphi's 0x2A425E19 excepted)
 * Non-PE input: type-unsupported.
 *
 * Ownership: e->priv is a struct pn_heur_cfg (heur.h).
 * Errors: scan returns PN_OK.
 * See also: heur.h, docs/internals/heuristics.md, tests/unit/test_heur.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "heur.h"
#include "pe.h"

#include <time.h>

/* Options of the heuristic engines (docs/CONFIG.md [heuristics]). */
const struct pn_conf_opt pn_conf_heuristics[] = {
	{ "heuristics.enabled", PN_CONF_BOOL, "true", "run the Panoptes-PE, -Script and -Document engines" },
	{ "heuristics.suspicious_score", PN_CONF_INT, "40", "total score from which a file is suspicious" },
	{ "heuristics.malicious_score", PN_CONF_INT, "80", "total score from which a file is malicious" },
	{ "heuristics.max_filesize", PN_CONF_SIZE, "64M", "largest file the heuristic engines look at" },
	{ "heuristics.pe_types", PN_CONF_STR, "pe,peexe,pedll,mz", "file types Panoptes-PE judges (type words; * = all)" },
	{ "heuristics.script_types", PN_CONF_STR, "text,source,internet", "file types Panoptes-Script judges" },
	{ "heuristics.doc_types", PN_CONF_STR, "document,rtf,pdf", "file types Panoptes-Document judges" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_HEUR_PE_STRUCT_CAP   70          /* structure reasons in all */
#define PN_HEUR_PE_ENTROPY      7.2         /* executable section entropy called packed */
#define PN_HEUR_PE_FEW_IMPORTS  8           /* imported functions called "very few" */
#define PE_SCN_EXEC   0x20000000u
#define PE_SCN_WRITE  0x80000000u
#define PE_SCN_CODE   0x00000020u
#define DELPHI_STAMP  0x2A425E19u           /* 1992-06-19, Borland's linkers */
#define STAMP_1995    788918400u            /* 1995-01-01 */

/* The file's own export names, sorted, to tell API wrappers from users of an API. */
struct exports {
	const char **v;
	size_t n;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
exports_load(struct exports *x, const struct pn_pe *pe)
{
	size_t i;

	x->v = pn_xcalloc(pe->nexports + 1, sizeof(*x->v));
	x->n = 0;
	for (i = 0; i < pe->nexports; i++)
		if (pe->exports[i].name != NULL)
			x->v[x->n++] = pe->exports[i].name;
	qsort(x->v, x->n, sizeof(*x->v), cmp_str);
}

static int
exported(const struct exports *x, const char *name)
{
	return x->n > 0 && bsearch(&name, x->v, x->n, sizeof(*x->v), cmp_str) != NULL;
}

/*
 * The first of the prefixes (NULL-terminated) that starts the name of an
 * imported function, or NULL.  A function the file exports under the same
 * name does not count: that file implements or forwards the API (Wine's
 * kernel32 imports kernelbase's CreateRemoteThread to export its own).
 */
static const char *
imported(const struct pn_pe *pe, const struct exports *x, const char *const *names)
{
	size_t i, j, k;

	for (i = 0; i < pe->nimports; i++) {
		for (j = 0; j < pe->imports[i].nfuncs; j++) {
			const char *f = pe->imports[i].funcs[j].name;

			if (f == NULL || exported(x, f))
				continue;
			for (k = 0; names[k] != NULL; k++)
				if (strncmp(f, names[k], strlen(names[k])) == 0)
					return names[k];
		}
	}
	return NULL;
}

static void
rule_imports(struct pn_heur *h, const struct pn_pe *pe, const struct exports *x)
{
	static const char *const open[] = { "OpenProcess", NULL };
	static const char *const alloc[] = { "VirtualAllocEx", "NtAllocateVirtualMemory", NULL };
	static const char *const write[] = { "WriteProcessMemory", "NtWriteVirtualMemory", NULL };
	static const char *const thread[] = { "CreateRemoteThread", "NtCreateThreadEx",
		"RtlCreateUserThread", "QueueUserAPC", "SetThreadContext", NULL };
	static const char *const dl[] = { "URLDownloadToFile", NULL };
	static const char *const run[] = { "WinExec", "ShellExecute", "CreateProcess", NULL };
	static const char *const hook[] = { "SetWindowsHookEx", NULL };
	static const char *const keys[] = { "GetAsyncKeyState", NULL };
	static const char *const dbg1[] = { "IsDebuggerPresent", NULL };
	static const char *const dbg2[] = { "CheckRemoteDebuggerPresent", NULL };
	static const char *const dbg3[] = { "NtQueryInformationProcess", NULL };
	const char *a, *b, *c, *d;

	if ((a = imported(pe, x, open)) && (b = imported(pe, x, alloc)) &&
	    (c = imported(pe, x, write)) && (d = imported(pe, x, thread)))
		pn_heur_add(h, "ProcessInjection", "imports the API set of code injection into "
		    "another process", 60, "%s, %s, %s, %s", a, b, c, d);
	if ((a = imported(pe, x, dl)) && (b = imported(pe, x, run)))
		pn_heur_add(h, "Downloader", "imports downloading a file and running a program",
		    50, "%s, %s", a, b);
	if ((a = imported(pe, x, hook)) && (b = imported(pe, x, keys)))
		pn_heur_add(h, "Keylogger", "imports a windows hook and key state polling",
		    35, "%s, %s", a, b);
	if ((a = imported(pe, x, dbg1)) && (b = imported(pe, x, dbg2)) && (c = imported(pe, x, dbg3)))
		pn_heur_add(h, "AntiDebug", "imports several debugger checks", 25,
		    "%s, %s, %s", a, b, c);
}

static void
rule_sections(struct pn_heur *h, const struct pn_pe *pe)
{
	size_t i;

	for (i = 0; i < pe->nsect; i++) {
		const struct pn_pe_section *s = &pe->sections[i];

		if ((s->chars & PE_SCN_EXEC) && s->st.done && s->st.entropy > PN_HEUR_PE_ENTROPY &&
		    !pn_heur_has(h, "Packed"))
			pn_heur_add(h, "Packed", "an executable section is packed or encrypted "
			    "(entropy > 7.2)", 30, "section %s entropy %.2f%s%s", s->name,
			    s->st.entropy, pe->packer ? ", packer " : "", pe->packer ? pe->packer : "");
		if ((s->chars & PE_SCN_EXEC) && (s->chars & PE_SCN_WRITE))
			pn_heur_add(h, "WXSection", "a section is both writable and executable", 25,
			    "section %s characteristics 0x%08x", s->name, (unsigned)s->chars);
	}
}

static void
rule_entry(struct pn_heur *h, const struct pn_pe *pe)
{
	const struct pn_pe_section *s;

	if (!pe->has_opt || pe->entry_point == 0 || pe->nsect == 0)
		return;  /* a resource-only DLL has no entry point */
	if (pe->entry_section < 0 || (size_t)pe->entry_section >= pe->nsect) {
		pn_heur_add(h, "EntryPoint", "the entry point is outside every section", 30,
		    "AddressOfEntryPoint 0x%x", (unsigned)pe->entry_point);
		return;
	}
	s = &pe->sections[pe->entry_section];
	if (!(s->chars & PE_SCN_EXEC))
		pn_heur_add(h, "EntryPoint", "the entry point is in a non-executable section", 30,
		    "AddressOfEntryPoint 0x%x in %s (0x%08x)", (unsigned)pe->entry_point, s->name,
		    (unsigned)s->chars);
	else if (pe->nsect > 1 && (size_t)pe->entry_section == pe->nsect - 1)
		pn_heur_add(h, "EntryPoint", "the entry point is in the last section", 20,
		    "AddressOfEntryPoint 0x%x in %s", (unsigned)pe->entry_point, s->name);
}

static void
rule_few_imports(struct pn_heur *h, const struct pn_pe *pe, const struct exports *x)
{
	static const char *const ll[] = { "LoadLibrary", "LdrLoadDll", NULL };
	static const char *const gpa[] = { "GetProcAddress", "LdrGetProcedureAddress", NULL };

	if (pe->nimport_funcs == 0 || pe->nimport_funcs > PN_HEUR_PE_FEW_IMPORTS)
		return;
	if (imported(pe, x, ll) && imported(pe, x, gpa))
		pn_heur_add(h, "DynamicImports", "very few imports, resolved at run time with "
		    "LoadLibrary and GetProcAddress", 20, "%zu imported functions",
		    pe->nimport_funcs);
}

static uint64_t
align_up(uint64_t v, uint32_t a)
{
	if (a == 0 || (a & (a - 1)) != 0)
		return v;
	return (v + a - 1) & ~(uint64_t)(a - 1);
}

static void
rule_headers(struct pn_heur *h, const struct pn_pe *pe)
{
	uint64_t end = 0;
	size_t i;
	int code = 0;

	for (i = 0; i < pe->nsect; i++) {
		const struct pn_pe_section *s = &pe->sections[i];
		uint64_t vend = (uint64_t)s->vaddr + (s->vsize ? s->vsize : s->raw_size);

		if (s->raw_size > 0 && (uint64_t)s->raw_off + s->raw_size >
		    align_up(pe->size, pe->file_align ? pe->file_align : 512)) {
			pn_heur_add(h, "HeaderAnomaly", "a section's raw data lies past the end "
			    "of the file", 15, "section %s ends at 0x%llx, file size 0x%llx", s->name,
			    (unsigned long long)s->raw_off + s->raw_size, (unsigned long long)pe->size);
			return;
		}
		if (vend > end)
			end = vend;
		if ((s->chars & PE_SCN_EXEC) && s->raw_size > 0)
			code = 1;
	}
	if (!pe->has_opt)
		return;
	if (end > 0 && pe->size_of_image < end)
		pn_heur_add(h, "HeaderAnomaly", "SizeOfImage is smaller than the sections", 15,
		    "SizeOfImage 0x%x, sections end at 0x%llx", (unsigned)pe->size_of_image,
		    (unsigned long long)end);
	else if (code && pe->size_of_code == 0)
		pn_heur_add(h, "HeaderAnomaly", "SizeOfCode is 0 although there is executable code",
		    15, "SizeOfCode 0");
}

static void
rule_timestamp(struct pn_heur *h, const struct pn_pe *pe)
{
	time_t now = time(NULL);
	uint32_t ts = pe->timestamp;

	if (ts == 0 || ts == DELPHI_STAMP)
		return;
	if ((int64_t)ts > (int64_t)now + 86400)
		pn_heur_add(h, "ForgedTimestamp", "the link time stamp is in the future", 10,
		    "TimeDateStamp 0x%08x", (unsigned)ts);
	else if (ts < STAMP_1995)
		pn_heur_add(h, "ForgedTimestamp", "the link time stamp predates 1995", 10,
		    "TimeDateStamp 0x%08x", (unsigned)ts);
}

/* Structure reasons are capped: take back what is over the cap. */
static void
cap_structure(struct pn_heur *h, int behaviour)
{
	int structure = h->score - behaviour;

	if (structure > PN_HEUR_PE_STRUCT_CAP) {
		h->score = behaviour + PN_HEUR_PE_STRUCT_CAP;
		json_object_object_add(json_object_array_get_idx(h->reasons,
		    json_object_array_length(h->reasons) - 1), "capped",
		    json_object_new_int(structure - PN_HEUR_PE_STRUCT_CAP));
	}
}

static int
heur_pe_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	struct exports x;
	struct pn_heur h;
	struct pn_pe pe;
	int behaviour;

	if (t->size < 64 || t->data == NULL || !pn_pe_is_pe(t->data, t->size)) {
		pn_heur_unsupported(v);
		return PN_OK;
	}
	(void)pn_pe_parse_ex(t->data, t->size, PN_PE_PARSE_STRUCTURE, &pe);
	if (!pe.valid) {
		pn_pe_free(&pe);
		pn_heur_unsupported(v);
		return PN_OK;
	}
	exports_load(&x, &pe);
	pn_heur_begin(&h);
	rule_imports(&h, &pe, &x);
	behaviour = h.score;
	rule_sections(&h, &pe);
	rule_entry(&h, &pe);
	rule_few_imports(&h, &pe, &x);
	rule_headers(&h, &pe);
	rule_timestamp(&h, &pe);
	cap_structure(&h, behaviour);
	free(x.v);
	pn_pe_free(&pe);
	pn_heur_finish(&h, e, "PE", v);
	return PN_OK;
}

const struct pn_engine_ops pn_engine_heur_pe_ops = {
	.kind = "heuristic-pe",
	.init = pn_heur_engine_init,
	.scan = heur_pe_scan,
	.reload = pn_heur_engine_reload,
	.free = pn_heur_engine_free,
};
