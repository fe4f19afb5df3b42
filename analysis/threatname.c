/*
 * threatname.c - popular_threat_classification from engine labels (see
 * threatname.h for the rules).
 *
 * SPDX-License-Identifier: MIT
 */
#include "threatname.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* Token -> category (VirusTotal's generic categories). */
static const struct {
	const char *token, *category;
} categories[] = {
	{ "trojan", "trojan" }, { "troj", "trojan" }, { "trj", "trojan" }, { "tr", "trojan" },
	{ "backdoor", "trojan" }, { "bkdr", "trojan" }, { "rat", "trojan" },
	{ "ransom", "ransomware" }, { "ransomware", "ransomware" }, { "filecoder", "ransomware" },
	{ "ransomnote", "ransomware" }, { "crypren", "ransomware" },
	{ "downloader", "downloader" }, { "dldr", "downloader" }, { "download", "downloader" },
	{ "dloader", "downloader" }, { "loader", "downloader" },
	{ "dropper", "dropper" }, { "drop", "dropper" }, { "dropr", "dropper" },
	{ "miner", "miner" }, { "coinminer", "miner" }, { "bitcoinminer", "miner" },
	{ "cryptominer", "miner" }, { "coinmine", "miner" },
	{ "worm", "worm" }, { "virus", "virus" }, { "infector", "virus" },
	{ "fileinfector", "virus" },
	{ "spyware", "spyware" }, { "spy", "spyware" }, { "pws", "spyware" }, { "psw", "spyware" },
	{ "stealer", "spyware" }, { "infostealer", "spyware" }, { "keylogger", "spyware" },
	{ "banker", "banker" }, { "banking", "banker" },
	{ "adware", "adware" }, { "adw", "adware" },
	{ "pua", "pua" }, { "pup", "pua" }, { "riskware", "pua" }, { "unwanted", "pua" },
	{ "grayware", "pua" },
	{ "hacktool", "hacktool" }, { "exploit", "exploit" }, { "cve", "exploit" },
	{ "phishing", "phishing" }, { "phish", "phishing" }, { "rootkit", "rootkit" },
	{ "webshell", "webshell" }, { "backdoorphp", "webshell" },
};

/* Tokens that say nothing about the family: generic words, platforms, file kinds. */
static const char *const generic[] = {
	"generic", "generickd", "gen", "heur", "heuristic", "heuristics", "malicious", "malware",
	"suspicious", "variant", "unsafe", "score", "confidence", "high", "medium", "low", "static",
	"behavior", "behaviour", "unofficial", "sig", "signature", "signatures", "test", "file",
	"files", "agent", "other", "attribute", "highconfidence", "cloud", "reputation",
	"detected", "dangerous", "threat", "packed", "packer", "application", "program", "tool",
	"tools", "win", "win32", "win64", "w32", "w64", "msil", "linux", "elf", "unix", "osx",
	"macos", "android", "andr", "java", "python", "powershell", "html", "script", "js", "vbs",
	"vba", "php", "pdf", "doc", "docx", "xls", "xlsx", "rtf", "ole", "ole2", "o97m", "w97m",
	"x97m", "w2km", "bat", "cmd", "shell", "multi", "x86", "x64", "amd64", "i386", "exe",
	"dll", "bin", "lnk", "txt", "text", "email", "hdb", "ndb", "ldb", "hsb", "mdb", "msb",
	"request", "exec", "execute", "command", "eval", "base64", "encoded", "obfuscated",
	"obfus", "obfuscation", "config", "note", "notes", "cradle", "stager", "payload", "kit",
	"susp", "suspect", "possible", "probably", "likely", "unknown", "the", "and",
	"win32s", "ms", "office", "macro", "macros", "document", "archive", "embedded", "inject",
	"injector", "injection", "crypt", "cryptor", "encrypted", "small", "tiny", "dynamic",
	"fam", "family", "ai", "ml", "deepscan", "ikarus", "clamav", "yara", "panoptes", "rule",
	"rules", "hacked", "bot", "sample", "detection", "strings", "string",
};

struct count {
	char *value;
	int64_t n;
};

struct tally {
	struct count *v;
	size_t n, cap;
};

static void
tally_add(struct tally *t, const char *value)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].value, value) == 0) {
			t->v[i].n++;
			return;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = pn_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].value = pn_xstrdup(value);
	t->v[t->n++].n = 1;
}

static int
count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->value, y->value);
}

static void
tally_free(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].value);
	free(t->v);
}

static const char *
category_of(const char *tok)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(categories); i++)
		if (strcmp(tok, categories[i].token) == 0)
			return categories[i].category;
	return NULL;
}

/*
 * Two category words run together ("TrojanSpy", "TrojanDownloader"):
 * the split point, or 0.
 */
static size_t
compound_split(const char *tok)
{
	char head[PN_THREAT_MAX_LABEL];
	size_t i, n = strlen(tok);

	for (i = 3; i + 2 < n + 1 && i < sizeof(head); i++) {
		memcpy(head, tok, i);
		head[i] = '\0';
		if (category_of(head) != NULL && category_of(tok + i) != NULL)
			return i;
	}
	return 0;
}

/* Generic words, short tokens, numbers and ids (half or more digits, or hex runs). */
static int
is_noise(const char *tok)
{
	size_t i, n = strlen(tok), digits = 0;

	if (n < 3)
		return 1;
	for (i = 0; i < PN_ARRAY_LEN(generic); i++)
		if (strcmp(tok, generic[i]) == 0)
			return 1;
	for (i = 0; i < n; i++)
		if (isdigit((unsigned char)tok[i]))
			digits++;
	if (digits * 2 >= n)
		return 1;
	if (digits > 0 && n >= 6 && strspn(tok, "0123456789abcdef") == n)
		return 1;
	return 0;
}

/* Has this label already given that token? */
static int
seen_add(char seen[][PN_THREAT_MAX_LABEL], size_t *nseen, size_t cap, const char *tok)
{
	size_t i;

	for (i = 0; i < *nseen; i++)
		if (strcmp(seen[i], tok) == 0)
			return 1;
	if (*nseen < cap)
		pn_strlcpy(seen[(*nseen)++], tok, PN_THREAT_MAX_LABEL);
	return 0;
}

static void
one_label(const char *label, struct tally *cats, struct tally *names)
{
	char tok[PN_THREAT_MAX_LABEL], seen[32][PN_THREAT_MAX_LABEL];
	size_t i, k = 0, nseen = 0, split, len = strnlen(label, PN_THREAT_MAX_LABEL);

	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)label[i] : 0;
		const char *cat;

		if (c != 0 && isalnum(c) && k + 1 < sizeof(tok)) {
			tok[k++] = (char)tolower(c);
			continue;
		}
		if (k == 0)
			continue;
		tok[k] = '\0';
		k = 0;
		if ((cat = category_of(tok)) != NULL) {
			if (!seen_add(seen, &nseen, PN_ARRAY_LEN(seen), cat))
				tally_add(cats, cat);
		} else if ((split = compound_split(tok)) > 0) {
			cat = category_of(tok + split);
			if (!seen_add(seen, &nseen, PN_ARRAY_LEN(seen), cat))
				tally_add(cats, cat);
			tok[split] = '\0';
			cat = category_of(tok);
			if (!seen_add(seen, &nseen, PN_ARRAY_LEN(seen), cat))
				tally_add(cats, cat);
		} else if (!is_noise(tok) && !seen_add(seen, &nseen, PN_ARRAY_LEN(seen), tok)) {
			tally_add(names, tok);
		}
	}
}

static struct json_object *
values_json(const struct tally *t)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < t->n && i < PN_THREAT_MAX_VALUES; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(t->v[i].value));
		json_object_object_add(o, "count", json_object_new_int64(t->v[i].n));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *
pn_threat_classify(const char *const *labels, size_t n)
{
	struct tally cats = { NULL, 0, 0 }, names = { NULL, 0, 0 };
	struct json_object *o;
	char label[3 * PN_THREAT_MAX_LABEL];
	size_t i;

	for (i = 0; i < n; i++)
		if (labels[i] != NULL)
			one_label(labels[i], &cats, &names);
	if (cats.n == 0 && names.n == 0)
		return NULL;
	if (cats.n > 1)
		qsort(cats.v, cats.n, sizeof(*cats.v), count_cmp);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), count_cmp);
	/* A second name only when more than one label gave it (not a variant suffix). */
	if (cats.n > 0 && names.n > 1 && names.v[1].n > 1)
		snprintf(label, sizeof(label), "%s.%s/%s", cats.v[0].value, names.v[0].value,
		    names.v[1].value);
	else if (cats.n > 0)
		snprintf(label, sizeof(label), "%s.%s", cats.v[0].value,
		    names.n ? names.v[0].value : "");
	else
		snprintf(label, sizeof(label), "%s", names.v[0].value);
	o = json_object_new_object();
	json_object_object_add(o, "suggested_threat_label", json_object_new_string(label));
	if (cats.n > 0)
		json_object_object_add(o, "popular_threat_category", values_json(&cats));
	if (names.n > 0)
		json_object_object_add(o, "popular_threat_name", values_json(&names));
	tally_free(&cats);
	tally_free(&names);
	return o;
}

struct json_object *
pn_threat_classify_outcomes(const struct pn_engine_outcome *o, size_t n)
{
	const char **labels = pn_xcalloc(n + 1, sizeof(*labels));
	struct json_object *res;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if ((o[i].v.category == PN_CAT_MALICIOUS || o[i].v.category == PN_CAT_SUSPICIOUS) &&
		    o[i].v.result != NULL)
			labels[k++] = o[i].v.result;
	res = pn_threat_classify(labels, k);
	free(labels);
	return res;
}
