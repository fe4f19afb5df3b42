/*
 * threatname.h - VirusTotal's popular_threat_classification (VT-API.md
 * §5.8) from the engines' result labels (analysis/threatname.c).
 *
 * Each malicious or suspicious label is split into tokens at every
 * character that is not a letter or digit; tokens are lower-cased and
 * either dropped (generic words such as trojan's companions "generic",
 * "heur", "malicious", platforms such as "win32", "msil", "html", signature
 * suffixes, numbers, hex ids, tokens under 3 characters), mapped to a
 * category ("ransom" -> "ransomware", "trojan", "downloader", ...) or kept
 * as a family name; two category words run together ("TrojanSpy") count
 * as both.  A token counts once per label.  Categories and names are
 * sorted by count (then alphabetically); the suggested label is
 * "<top category>.<top name>[/<second name>]" (the second only when two
 * or more labels gave it), "<category>." without a name, or the name
 * alone without a category.
 *
 * Ownership: results are new json-c objects / strings the caller frees.
 * Limits: PN_THREAT_MAX_LABEL bytes of a label are read, PN_THREAT_MAX_VALUES
 * values listed per array.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PN_THREATNAME_H
#define PN_THREATNAME_H

#include "pn.h"
#include "aggregate.h"

struct json_object;

#define PN_THREAT_MAX_LABEL  256
#define PN_THREAT_MAX_VALUES 10

/*
 * The classification of n labels (NULL entries skipped), or NULL when no
 * label yields a category or a name.
 */
struct json_object *pn_threat_classify(const char *const *labels, size_t n);

/* The same over engine outcomes: labels of malicious and suspicious verdicts. */
struct json_object *pn_threat_classify_outcomes(const struct pn_engine_outcome *o, size_t n);

#endif
