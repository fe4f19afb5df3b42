/*
 * fuzz_pe.c - fuzz target for the PE parser (parsers/pe*.c): the input is
 * a whole file, parsed from an exactly-sized heap copy by pn_pe_parse()
 * (and its structure-only variant, pn_pe_parse_ex(PN_PE_PARSE_STRUCTURE))
 * and then by the "pe" parser's JSON glue (pn_parser_pe).
 *
 * Invariants checked (a violation aborts with PN_BUG): a PE parse is
 * valid iff the file starts like a PE; every count stays within its
 * PN_PE_MAX_* limit; every section's data range and every resource
 * marked in the file lie inside the input; the overlay ends at the end of
 * the input; a result other than PN_OK comes with a note; the JSON has a
 * pe_info object exactly when the parse was valid.
 *
 * Seeds: tests/fuzz/corpus/pe/, written by tests/fuzz/make-seeds-pe.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "pe.h"
#include "parser.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static void
check(const struct pn_pe *pe, int rc, const uint8_t *data, size_t size)
{
	size_t i;

	if (pe->valid != pn_pe_is_pe(data, size))
		PN_BUG("fuzz_pe: valid disagrees with pn_pe_is_pe");
	if (!pe->valid)
		return;
	if (pe->nsect > PN_PE_MAX_SECTIONS || pe->nexports > PN_PE_MAX_EXPORTS ||
	    pe->nimports > PN_PE_MAX_IMPORT_DLLS || pe->nimport_funcs > PN_PE_MAX_IMPORT_THUNKS + 1 ||
	    pe->nresources > PN_PE_MAX_RESOURCES || pe->nrich > PN_PE_MAX_RICH ||
	    pe->ndebug > PN_PE_MAX_DEBUG || pe->ntls_callbacks > PN_PE_MAX_TLS_CALLBACKS ||
	    pe->ncerts > PN_PE_MAX_CERTS || pe->nnotes > PN_PE_MAX_NOTES ||
	    pe->nversion > PN_PE_MAX_VERSION_STRINGS)
		PN_BUG("fuzz_pe: a count over its limit");
	for (i = 0; i < pe->nsect; i++)
		if (pe->sections[i].data_off > size || pe->sections[i].data_len > size - pe->sections[i].data_off)
			PN_BUG("fuzz_pe: section data outside the input");
	for (i = 0; i < pe->nresources; i++) {
		const struct pn_pe_resource *r = &pe->resources[i];
		if (r->in_file && (r->offset > size || r->size > size - r->offset))
			PN_BUG("fuzz_pe: resource outside the input");
	}
	if (pe->has_overlay && (pe->overlay_off >= size || pe->overlay_off + pe->overlay_size != size))
		PN_BUG("fuzz_pe: overlay does not end the input");
	if (pe->entry_section >= (int)pe->nsect)
		PN_BUG("fuzz_pe: entry section out of range");
	if (rc != PN_OK && pe->nnotes == 0)
		PN_BUG("fuzz_pe: failure without a note");
	if (pe->imphash[0] && strlen(pe->imphash) != 32)
		PN_BUG("fuzz_pe: odd imphash");
}

static void
run_parser(const uint8_t *data, size_t size, int valid)
{
	struct pn_parse p;
	struct json_object *v;

	memset(&p, 0, sizeof(p));
	p.data = data;
	p.size = size;
	p.attrs = json_object_new_object();
	p.tags = json_object_new_array();
	p.notes = json_object_new_array();
	p.edges = json_object_new_array();
	pn_parser_pe.parse(&p);
	if (json_object_object_get_ex(p.attrs, "pe_info", &v) != valid)
		PN_BUG("fuzz_pe: pe_info present iff valid");
	/* serialising walks every string: json-c must get valid pointers */
	(void)json_object_to_json_string(p.attrs);
	json_object_put(p.attrs);
	json_object_put(p.tags);
	json_object_put(p.notes);
	json_object_put(p.edges);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = pn_xmalloc(size ? size : 1);
	struct pn_pe pe;
	int rc;

	memcpy(copy, data, size);
	rc = pn_pe_parse(copy, size, &pe);
	check(&pe, rc, copy, size);
	pn_pe_free(&pe);
	rc = pn_pe_parse_ex(copy, size, PN_PE_PARSE_STRUCTURE, &pe);  /* the PE heuristic's parse */
	check(&pe, rc, copy, size);
	pn_pe_free(&pe);
	if (pn_pe_is_pe(copy, size))
		run_parser(copy, size, 1);
	free(copy);
	return 0;
}
