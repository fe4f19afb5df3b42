/*
 * fuzz_dns_reply.c - fuzz target for the DNS answer walker
 * (pn_dns_answer_to_json in net/dns.c).
 *
 * Input layout: byte 0 selects the record type asked for (index into
 * A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, modulo 8); the rest is the DNS
 * message.  Seeds (tests/fuzz/corpus/dns_reply/, written by
 * tests/fuzz/make-seeds-dns.sh) are answers built by
 * tests/data/net/dns_server.py for every type, with name compression,
 * plus cut and looping ones.
 *
 * The walker gets an exactly-sized heap copy.  Invariants, each a
 * PN_BUG() when broken:
 *  - the result is PN_OK or PN_EFORMAT;
 *  - at most PN_DNS_MAX_RECORDS records, each with "type" equal to the
 *    asked type, an int "ttl" in 0..2^31-1 and a string "value" of valid
 *    UTF-8; MX has "priority" 0..65535; SOA has the five counters;
 *  - TXT values are at most PN_DNS_TXT_MAX bytes;
 *  - the array serialises to JSON.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "dns.h"
#include "utf8.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct { int type; const char *name; } types[] = {
	{1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"},
	{16, "TXT"}, {28, "AAAA"}
};

static void
check_utf8(const char *s, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		if ((l = pn_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			PN_BUG("value is not valid UTF-8");
		i += l;
	}
}

static void
check_record(struct json_object *r, int t)
{
	struct json_object *v;
	const char *s;
	int64_t x;

	if (!json_object_object_get_ex(r, "type", &v) ||
	    strcmp(json_object_get_string(v), types[t].name) != 0)
		PN_BUG("record of another type");
	if (!json_object_object_get_ex(r, "ttl", &v) || !json_object_is_type(v, json_type_int))
		PN_BUG("no ttl");
	x = json_object_get_int64(v);
	if (x < 0 || x > 0x7fffffff)
		PN_BUG("ttl out of range");
	if (!json_object_object_get_ex(r, "value", &v) ||
	    !json_object_is_type(v, json_type_string))
		PN_BUG("no value");
	s = json_object_get_string(v);
	check_utf8(s, (size_t)json_object_get_string_len(v));
	if (types[t].type == 16 && (size_t)json_object_get_string_len(v) > PN_DNS_TXT_MAX)
		PN_BUG("TXT value over the cap");
	if (types[t].type == 15) {
		if (!json_object_object_get_ex(r, "priority", &v))
			PN_BUG("MX without priority");
		x = json_object_get_int64(v);
		if (x < 0 || x > 65535)
			PN_BUG("MX priority out of range");
	}
	if (types[t].type == 6 && (!json_object_object_get_ex(r, "rname", &v) ||
	    !json_object_object_get_ex(r, "minimum", &v)))
		PN_BUG("SOA without its fields");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *arr;
	uint8_t *msg;
	size_t i, n;
	int t, rc;

	if (size < 1)
		return 0;
	t = data[0] % (int)PN_ARRAY_LEN(types);
	msg = malloc(size - 1 ? size - 1 : 1);
	if (msg == NULL)
		abort();
	memcpy(msg, data + 1, size - 1);
	arr = json_object_new_array();
	rc = pn_dns_answer_to_json(msg, size - 1, types[t].type, arr);
	if (rc != PN_OK && rc != PN_EFORMAT)
		PN_BUG("unexpected result");
	n = json_object_array_length(arr);
	if (n > PN_DNS_MAX_RECORDS)
		PN_BUG("too many records");
	for (i = 0; i < n; i++)
		check_record(json_object_array_get_idx(arr, i), t);
	if (json_object_to_json_string(arr) == NULL)
		PN_BUG("array does not serialise");
	json_object_put(arr);
	free(msg);
	return 0;
}
