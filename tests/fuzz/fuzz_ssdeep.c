/*
 * fuzz_ssdeep.c - differential fuzz target for lib/ssdeep.c: every input
 * is hashed by it and by libfuzzy (the reference it must equal), with the
 * size announced and without, in one piece and split at a point the first
 * byte chooses.  A difference aborts with PN_BUG.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "ssdeep.h"

#include <fuzzy.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
compare(const uint8_t *data, size_t size, size_t split, int announce)
{
	char want[FUZZY_MAX_RESULT], got[PN_SSDEEP_RESULT_LEN];
	struct fuzzy_state *f = fuzzy_new();
	struct pn_ssdeep s;

	if (f == NULL)
		return;
	pn_ssdeep_init(&s);
	if (announce) {
		fuzzy_set_total_input_length(f, size);
		(void)pn_ssdeep_set_size(&s, size);
	}
	fuzzy_update(f, data, split);
	fuzzy_update(f, data + split, size - split);
	pn_ssdeep_update(&s, data, split);
	pn_ssdeep_update(&s, data + split, size - split);
	if (fuzzy_digest(f, want, 0) == 0 &&
	    (pn_ssdeep_digest(&s, got) != PN_OK || strcmp(want, got) != 0))
		PN_BUG("ssdeep differs from libfuzzy");
	fuzzy_free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split = size > 0 ? (size_t)data[0] * size / 256 : 0;

	compare(data, size, 0, 0);
	compare(data, size, 0, 1);
	compare(data, size, split, 0);
	compare(data, size, split, 1);
	return 0;
}
