/*
 * fuzz_events.c - fuzz target for the behaviour report builder
 * (sandbox/report.c) over untrusted events.jsonl and run.json, with the
 * rule evaluator (rules.c), the summary, MITRE trees and sandbox verdict
 * (summary.c) run over the result.
 *
 * Input layout: events.jsonl bytes, optionally followed by a NUL byte and
 * run.json bytes; each part is handed over in an exactly-sized heap copy.
 * Rules: rules/behavior/linux.rules from the current directory or next to
 * the binary (pn_builtin_path), else a small built-in rule set using every
 * condition kind; loaded once.
 * Checked (PN_BUG on violation): the report serialises; every list holds at
 * most PN_BEH_MAX_LIST entries; processes_tree is no deeper than
 * PN_BEH_MAX_TREE_DEPTH; run_info.events <= PN_BEH_MAX_EVENTS and
 * events + skipped_lines <= lines; match_data <= PN_RULES_MAX_EVIDENCE
 * strings of <= PN_RULES_MAX_EVID_LEN bytes; behash is 64 hex digits;
 * the summary, MITRE tree and sandbox verdict of the report build.
 * Seeds: tests/fuzz/corpus/events/ (tests/fuzz/make-seeds-events.sh).
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

static struct pn_rules *rules;

static const char builtin_rules[] =
	"[noise]\npath = /lib/*\n"
	"[rule f.any]\nseverity = LOW\nattack = T1059.004\ntags = PERSISTENCE\n"
	"on = exec name=sh|bash argv[]=-c\non = open access=write path=/etc/*\n"
	"[rule f.all]\nseverity = MEDIUM\nmatch = all\non = ptrace req=PTRACE_TRACEME\non = unlink self=true\n"
	"[rule f.count]\nseverity = HIGH\nmatch = count\ncount = 3\ndistinct = ip\non = connect port>=1 port<65536\n"
	"[rule f.seq]\nseverity = HIGH\nverdict = TROJAN\nmatch = sequence\nwithin = 60\n"
	"on = open path=$f access=write\non = chmod path=$f mode&0111\non = exec path=$f\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096], err[256];

	(void)argc;
	(void)argv;
	if (pn_rules_load("rules/behavior/linux.rules", &rules, err, sizeof(err)) == PN_OK)
		return 0;
	if (pn_builtin_path("rules/behavior/linux.rules", path, sizeof(path)) == PN_OK &&
	    pn_rules_load(path, &rules, err, sizeof(err)) == PN_OK)
		return 0;
	if (pn_rules_load_mem(builtin_rules, strlen(builtin_rules), "builtin", &rules, err, sizeof(err)) != PN_OK)
		PN_BUG("fuzz_events: built-in rules do not load");
	return 0;
}

static int
depth(struct json_object *a)
{
	size_t i, n = json_object_array_length(a);
	int d = 0;

	for (i = 0; i < n; i++) {
		struct json_object *k;
		if (json_object_object_get_ex(json_object_array_get_idx(a, i), "children", &k)) {
			int c = depth(k) + 1;
			d = c > d ? c : d;
		}
	}
	return d;
}

static void
check(struct json_object *r, size_t lines)
{
	struct json_object *v, *ri, *sm, *sum, *tree, *sv;
	int64_t ev = 0, sk = 0;
	const char *bh;
	size_t i, k;

	if (json_object_to_json_string(r) == NULL)
		PN_BUG("fuzz_events: report does not serialise");
	json_object_object_foreach(r, key, val) {
		(void)key;
		if (json_object_is_type(val, json_type_array) && json_object_array_length(val) > PN_BEH_MAX_LIST)
			PN_BUG("fuzz_events: list over PN_BEH_MAX_LIST");
	}
	if (!json_object_object_get_ex(r, "processes_tree", &v) || depth(v) > PN_BEH_MAX_TREE_DEPTH)
		PN_BUG("fuzz_events: processes_tree missing or too deep");
	if (!json_object_object_get_ex(r, "run_info", &ri))
		PN_BUG("fuzz_events: no run_info");
	if (json_object_object_get_ex(ri, "events", &v))
		ev = json_object_get_int64(v);
	if (json_object_object_get_ex(ri, "skipped_lines", &v))
		sk = json_object_get_int64(v);
	if (ev < 0 || ev > PN_BEH_MAX_EVENTS || (size_t)(ev + sk) > lines)
		PN_BUG("fuzz_events: event counts disagree with the input");
	if (json_object_object_get_ex(r, "signature_matches", &sm))
		for (i = 0; i < json_object_array_length(sm); i++) {
			struct json_object *md;
			if (!json_object_object_get_ex(json_object_array_get_idx(sm, i), "match_data", &md) ||
			    json_object_array_length(md) > PN_RULES_MAX_EVIDENCE)
				PN_BUG("fuzz_events: match_data");
			for (k = 0; k < json_object_array_length(md); k++)
				if (strlen(json_object_get_string(json_object_array_get_idx(md, k))) > PN_RULES_MAX_EVID_LEN)
					PN_BUG("fuzz_events: evidence too long");
		}
	if (!json_object_object_get_ex(r, "behash", &v) || (bh = json_object_get_string(v)) == NULL ||
	    strlen(bh) != 64 || !pn_is_hex(bh, 64))
		PN_BUG("fuzz_events: behash");
	sum = pn_behavior_summary(&r, 1);
	tree = pn_behavior_mitre_trees(&r, NULL, 1);
	sv = pn_behavior_sandbox_verdict(r);
	if (!json_object_is_type(sum, json_type_object) || !json_object_is_type(tree, json_type_object) ||
	    !json_object_object_get_ex(sv, "category", NULL))
		PN_BUG("fuzz_events: summary/tree/verdict");
	json_object_put(sum);
	json_object_put(tree);
	json_object_put(sv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t elen = nul ? (size_t)(nul - data) : size, rlen = nul ? size - elen - 1 : 0, i, lines = 1;
	char *ev = pn_xmalloc(elen ? elen : 1), *run = NULL;
	struct json_object *r = NULL;

	memcpy(ev, data, elen);
	if (nul) {
		run = pn_xmalloc(rlen ? rlen : 1);
		memcpy(run, nul + 1, rlen);
	}
	for (i = 0; i < elen; i++)
		lines += data[i] == '\n';
	if (pn_behavior_report_mem(ev, elen, run, rlen, rules, NULL, &r) != PN_OK || r == NULL)
		PN_BUG("fuzz_events: no report");
	check(r, lines);
	json_object_put(r);
	free(ev);
	free(run);
	return 0;
}
