/*
 * aggregate.c - results and stats from engine verdicts (see aggregate.h).
 *
 * `result` is JSON null when an engine gives no label (VT-API.md §5.1);
 * all eight stats keys are always present so that integrations summing
 * them get the right total.
 *
 * SPDX-License-Identifier: MIT
 */
#include "aggregate.h"
#include "buf.h"

static void
put_str(struct pn_buf *b, const char *key, const char *v)
{
	pn_buf_printf(b, "\"%s\":", key);
	if (v)
		pn_buf_json_str(b, v, strlen(v));
	else
		pn_buf_puts(b, "null");
}

static void
put_entry(struct pn_buf *b, const char *name, const char *version, const char *update,
    enum pn_category cat, const char *method, const char *result)
{
	pn_buf_json_str(b, name, strlen(name));
	pn_buf_puts(b, ":{");
	put_str(b, "category", pn_category_name(cat));
	pn_buf_putc(b, ',');
	put_str(b, "engine_name", name);
	pn_buf_putc(b, ',');
	put_str(b, "engine_version", version);
	pn_buf_putc(b, ',');
	put_str(b, "engine_update", update);
	pn_buf_putc(b, ',');
	put_str(b, "method", method ? method : "blacklist");
	pn_buf_putc(b, ',');
	put_str(b, "result", result);
	pn_buf_putc(b, '}');
}

static char *
stats_json(const int64_t counts[PN_CAT__COUNT])
{
	struct pn_buf b = PN_BUF_INIT;
	int c;

	pn_buf_putc(&b, '{');
	for (c = 0; c < PN_CAT__COUNT; c++)
		pn_buf_printf(&b, "%s\"%s\":%lld", c ? "," : "", pn_category_name((enum pn_category)c),
		    (long long)counts[c]);
	pn_buf_putc(&b, '}');
	return pn_buf_steal(&b, NULL);
}

void
pn_aggregate(const struct pn_engine_outcome *o, size_t n, char **results, char **stats)
{
	struct pn_buf b = PN_BUF_INIT;
	int64_t counts[PN_CAT__COUNT] = { 0 };
	size_t i;

	pn_buf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		put_entry(&b, o[i].engine_name, o[i].engine_version, o[i].engine_update,
		    o[i].v.category, o[i].v.method, o[i].v.result);
		counts[o[i].v.category]++;
	}
	pn_buf_putc(&b, '}');
	*results = pn_buf_steal(&b, NULL);
	*stats = stats_json(counts);
}

void
pn_aggregate_failure(const struct pn_engine_info *e, size_t n, char **results, char **stats)
{
	struct pn_buf b = PN_BUF_INIT;
	int64_t counts[PN_CAT__COUNT] = { 0 };
	size_t i;

	pn_buf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		put_entry(&b, e[i].name, e[i].version, e[i].update, PN_CAT_FAILURE, NULL, NULL);
		counts[PN_CAT_FAILURE]++;
	}
	pn_buf_putc(&b, '}');
	*results = pn_buf_steal(&b, NULL);
	*stats = stats_json(counts);
}

void
pn_aggregate_set_failed(const struct pn_engines *set, char **results, char **stats)
{
	struct pn_engine_outcome *out = pn_xcalloc(set->n + 1, sizeof(*out));
	size_t i;

	for (i = 0; i < set->n; i++) {
		out[i].engine_name = set->v[i]->name;
		out[i].engine_version = set->v[i]->version;
		out[i].engine_update = set->v[i]->update;
		out[i].v.category = PN_CAT_FAILURE;
	}
	pn_aggregate(out, set->n, results, stats);
	free(out);
}
