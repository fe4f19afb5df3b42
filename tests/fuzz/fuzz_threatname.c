/*
 * fuzz_threatname.c - libFuzzer target for the threat-label classifier
 * (analysis/threatname.c).  Engine labels can come from external engines'
 * output (ICAP, command-line scanners), so they are untrusted text.
 *
 * Input layout: labels separated by '\n' (each copied into an exactly
 * sized buffer); the whole input is also classified as one label.
 * Invariants checked: the classification exists exactly when some label
 * yields a token; counts are positive, sorted descending, never above the
 * number of labels; every value is lower-case alphanumeric; the suggested
 * label starts with the top category or, without one, is the top name.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "threatname.h"

#include <ctype.h>
#include <json-c/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LABELS 64

static void
check_values(struct json_object *o, const char *key, size_t nlabels)
{
	struct json_object *a;
	int64_t prev = INT64_MAX;
	size_t i;

	if (!json_object_object_get_ex(o, key, &a))
		return;
	if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0 ||
	    json_object_array_length(a) > PN_THREAT_MAX_VALUES)
		PN_BUG("fuzz_threatname: bad value array");
	for (i = 0; i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *v, *c;
		const char *s;
		int64_t n;
		if (!json_object_object_get_ex(e, "value", &v) || !json_object_object_get_ex(e, "count", &c))
			PN_BUG("fuzz_threatname: value without value/count");
		n = json_object_get_int64(c);
		if (n < 1 || n > (int64_t)nlabels || n > prev)
			PN_BUG("fuzz_threatname: count out of order or range");
		prev = n;
		for (s = json_object_get_string(v); *s; s++)
			if (!isalnum((unsigned char)*s) || isupper((unsigned char)*s))
				PN_BUG("fuzz_threatname: value not lower-case alphanumeric");
	}
}

static void
check(struct json_object *o, size_t nlabels)
{
	struct json_object *l, *a;
	const char *label, *top;

	if (o == NULL)
		return;
	if (!json_object_object_get_ex(o, "suggested_threat_label", &l))
		PN_BUG("fuzz_threatname: no suggested label");
	label = json_object_get_string(l);
	check_values(o, "popular_threat_category", nlabels);
	check_values(o, "popular_threat_name", nlabels);
	if (json_object_object_get_ex(o, "popular_threat_category", &a))
		top = json_object_get_string(json_object_object_get(json_object_array_get_idx(a, 0), "value"));
	else if (json_object_object_get_ex(o, "popular_threat_name", &a))
		top = json_object_get_string(json_object_object_get(json_object_array_get_idx(a, 0), "value"));
	else
		PN_BUG("fuzz_threatname: a classification without categories or names");
	if (strncmp(label, top, strlen(top)) != 0)
		PN_BUG("fuzz_threatname: the label does not start with the top value");
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *labels[MAX_LABELS], *whole;
	size_t n = 0, start = 0, i;

	for (i = 0; i <= size && n < MAX_LABELS; i++) {
		if (i < size && data[i] != '\n')
			continue;
		labels[n] = pn_xmalloc(i - start + 1);
		memcpy(labels[n], data + start, i - start);
		labels[n++][i - start] = '\0';
		start = i + 1;
	}
	check(pn_threat_classify((const char *const *)labels, n), n);
	whole = pn_xmalloc(size + 1);
	memcpy(whole, data, size);
	whole[size] = '\0';
	check(pn_threat_classify((const char *const *)&whole, 1), 1);
	free(whole);
	for (i = 0; i < n; i++)
		free(labels[i]);
	return 0;
}
