/*
 * test_threatname.c - popular_threat_classification from realistic sets of
 * engine labels: families and categories counted, generic words,
 * platforms and ids dropped, the suggested label.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "threatname.h"

#include <json-c/json.h>

static const char *
label_of(struct json_object *o)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, "suggested_threat_label", &v) ?
	    json_object_get_string(v) : NULL;
}

/* The value and count at position i of one of the arrays, as "value:count". */
static const char *
nth(struct json_object *o, const char *key, size_t i, char *buf, size_t len)
{
	struct json_object *a, *e, *v, *c;

	if (o == NULL || !json_object_object_get_ex(o, key, &a) || i >= json_object_array_length(a))
		return "";
	e = json_object_array_get_idx(a, i);
	json_object_object_get_ex(e, "value", &v);
	json_object_object_get_ex(e, "count", &c);
	snprintf(buf, len, "%s:%d", json_object_get_string(v), json_object_get_int(c));
	return buf;
}

static size_t
count_of(struct json_object *o, const char *key)
{
	struct json_object *a;

	return o && json_object_object_get_ex(o, key, &a) ? json_object_array_length(a) : 0;
}

static void
test_zbot(void)
{
	/* Label styles of several vendors for one banking trojan. */
	static const char *const l[] = {
		"Trojan.GenericKD.3218731", "Win32:Zbot-ABC [Trj]", "Trojan-Spy.Win32.Zbot.abcd",
		"TrojanSpy:Win32/Zbot.A", "W32/Zbot.AB!tr", "Gen:Variant.Zusy.123",
		"Trojan ( 0040f4f11 )", "PWS:Win32/Zbot", "Mal/Zbot-A", "Trojan.Win32.Generic!BT",
		NULL,
	};
	struct json_object *o = pn_threat_classify(l, PN_ARRAY_LEN(l));
	char b[64];

	ok(o != NULL, "zbot set classified");
	is_str(nth(o, "popular_threat_name", 0, b, sizeof(b)), "zbot:6", "zbot is the top name, once per label");
	is_str(nth(o, "popular_threat_category", 0, b, sizeof(b)), "trojan:7",
	    "trojan the top category (Trj, !tr, Trojan-Spy, TrojanSpy)");
	is_str(nth(o, "popular_threat_category", 1, b, sizeof(b)), "spyware:3", "PWS, -Spy and TrojanSpy count as spyware");
	is_str(label_of(o), "trojan.zbot", "variant suffixes given once do not make a second name");
	{
		struct json_object *a;
		size_t i;
		int clean = 1;
		json_object_object_get_ex(o, "popular_threat_name", &a);
		for (i = 0; a && i < json_object_array_length(a); i++) {
			const char *v = json_object_get_string(json_object_object_get(json_object_array_get_idx(a, i), "value"));
			if (!strcmp(v, "win32") || !strcmp(v, "generickd") || !strcmp(v, "generic") ||
			    !strcmp(v, "0040f4f11") || !strcmp(v, "variant") || !strcmp(v, "3218731"))
				clean = 0;
		}
		ok(clean, "no platform, generic word or id among the names");
	}
	json_object_put(o);
}

static void
test_ransomware(void)
{
	static const char *const l[] = {
		"Ransom:Win32/WannaCrypt.A!rsm", "Trojan-Ransom.Win32.Wanna.m", "Win32.Ransomware.WannaCry",
		"Ransom.WannaCryptor", "W32/WannaCry.A!tr.ransom", "Ransom_WCRY.SMALYM",
		"Win.Ransomware.Wannacry-9952424-0",
	};
	struct json_object *o = pn_threat_classify(l, PN_ARRAY_LEN(l));
	char b[64];

	is_str(nth(o, "popular_threat_category", 0, b, sizeof(b)), "ransomware:7",
	    "Ransom, Trojan-Ransom, Ransomware all map to ransomware");
	is_str(nth(o, "popular_threat_name", 0, b, sizeof(b)), "wannacry:3", "wannacry the top name");
	ok(strncmp(label_of(o), "ransomware.wannacry", 19) == 0, "label %s", label_of(o));
	json_object_put(o);
}

static void
test_miner_and_own_engines(void)
{
	/* Panoptes' own engines: YARA rule names, ClamAV and heuristic labels. */
	static const char *const l[] = {
		"Miner_XMRig_Config", "Multi.Miner.XMRig-1", "CoinMiner:Linux/XMRig", "PUA.Linux.Coinminer",
	};
	struct json_object *o = pn_threat_classify(l, PN_ARRAY_LEN(l));
	char b[64];

	is_str(nth(o, "popular_threat_category", 0, b, sizeof(b)), "miner:4", "miner");
	is_str(nth(o, "popular_threat_category", 1, b, sizeof(b)), "pua:1", "pua second");
	is_str(nth(o, "popular_threat_name", 0, b, sizeof(b)), "xmrig:3", "xmrig");
	is_str(label_of(o), "miner.xmrig", "label without a second name");
	json_object_put(o);
}

static void
test_edges(void)
{
	static const char *const generic_only[] = { "Trojan.Generic", "Malicious (score: 99)", "HEUR:Trojan.Win32.Generic" };
	static const char *const name_only[] = { "EICAR_Test_File", "Win.Test.EICAR_HDB-1", "Eicar-Signature" };
	static const char *const nothing[] = { "Malicious", "Suspicious.Heuristic", "Generic.Malware", NULL };
	struct json_object *o;
	char b[64];

	o = pn_threat_classify(generic_only, PN_ARRAY_LEN(generic_only));
	is_str(label_of(o), "trojan.", "a category without a family reads \"trojan.\"");
	is_int((long long)count_of(o, "popular_threat_name"), 0, "and lists no name");
	json_object_put(o);
	o = pn_threat_classify(name_only, PN_ARRAY_LEN(name_only));
	is_str(label_of(o), "eicar", "a family without a category is the label");
	is_str(nth(o, "popular_threat_name", 0, b, sizeof(b)), "eicar:3", "EICAR from three engines");
	is_int((long long)count_of(o, "popular_threat_category"), 0, "no category");
	json_object_put(o);
	ok(pn_threat_classify(nothing, PN_ARRAY_LEN(nothing)) == NULL, "only generic words: no classification");
	ok(pn_threat_classify(NULL, 0) == NULL, "no labels: none");
}

static void
test_two_families(void)
{
	static const char *const l[] = {
		"Backdoor.Linux.Mirai.b", "Linux/Mirai.B!tr", "Trojan.Linux.Gafgyt", "ELF:Mirai-AB [Trj]",
		"Linux.Gafgyt.Botnet", "Worm.Linux.Mirai",
	};
	struct json_object *o = pn_threat_classify(l, PN_ARRAY_LEN(l));

	is_str(label_of(o), "trojan.mirai/gafgyt", "a second family given twice joins the label");
	json_object_put(o);
}

static void
test_outcomes(void)
{
	struct pn_engine_outcome o[3];
	struct json_object *j;

	memset(o, 0, sizeof(o));
	o[0].v.category = PN_CAT_MALICIOUS;
	o[0].v.result = (char *)"Backdoor.Linux.Mirai.b";
	o[1].v.category = PN_CAT_UNDETECTED;
	o[1].v.result = (char *)"Zeus.Not.Counted";
	o[2].v.category = PN_CAT_SUSPICIOUS;
	o[2].v.result = (char *)"Linux/Mirai.B!tr";
	j = pn_threat_classify_outcomes(o, 3);
	is_str(label_of(j), "trojan.mirai", "only malicious and suspicious labels count");
	json_object_put(j);
}

int
main(void)
{
	test_zbot();
	test_ransomware();
	test_miner_and_own_engines();
	test_edges();
	test_two_families();
	test_outcomes();
	return done_testing();
}
