/*
 * users.c - backend-independent pieces of users and quotas: role names,
 * quota limits parsed from "lookups.minute=10" assignments and kept as
 * JSON text in the store.
 *
 * A limit is PN_QUOTA_INHERIT (take the next level's: key → user →
 * configured default), 0 (no limit) or a positive count per window.
 *
 * SPDX-License-Identifier: MIT
 */
#include "store.h"

#include <json-c/json.h>

static const char *const role_names[] = { "read-only", "analyst", "admin" };
static const char *const kind_names[PN_QK__COUNT] = { "lookups", "submissions", "downloads" };
static const char *const period_names[PN_QP__COUNT] = { "minute", "day", "month" };

const char *
pn_role_name(int role)
{
	return role >= 0 && role <= PN_ROLE_ADMIN ? role_names[role] : "read-only";
}

int
pn_role_parse(const char *s, int *role)
{
	int i;

	for (i = 0; i <= PN_ROLE_ADMIN; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*role = i;
			return PN_OK;
		}
	}
	if (strcmp(s, "readonly") == 0) {
		*role = PN_ROLE_READONLY;
		return PN_OK;
	}
	return PN_EINVAL;
}

const char *
pn_quota_kind_name(int k)
{
	return k >= 0 && k < PN_QK__COUNT ? kind_names[k] : "?";
}

const char *
pn_quota_period_name(int p)
{
	return p >= 0 && p < PN_QP__COUNT ? period_names[p] : "?";
}

void
pn_quotas_inherit_all(struct pn_quotas *q)
{
	int k, p;

	for (k = 0; k < PN_QK__COUNT; k++)
		for (p = 0; p < PN_QP__COUNT; p++)
			q->lim[k][p] = PN_QUOTA_INHERIT;
}

static int
lookup_name(const char *const *names, int n, const char *s, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

/* One "kind.period=value" (value a count, 0, or "inherit"). */
static int
parse_one(const char *a, size_t len, struct pn_quotas *q, char *err, size_t errlen)
{
	const char *dot = memchr(a, '.', len), *eq = memchr(a, '=', len);
	char val[24];
	int64_t v;
	int k, p;

	if (dot == NULL || eq == NULL || eq < dot) {
		snprintf(err, errlen, "quota \"%.*s\": expected kind.period=N", (int)len, a);
		return PN_EINVAL;
	}
	k = lookup_name(kind_names, PN_QK__COUNT, a, (size_t)(dot - a));
	p = lookup_name(period_names, PN_QP__COUNT, dot + 1, (size_t)(eq - dot - 1));
	if (k < 0 || p < 0) {
		snprintf(err, errlen, "quota \"%.*s\": kinds are lookups, submissions, downloads;"
		    " periods minute, day, month", (int)len, a);
		return PN_EINVAL;
	}
	if ((size_t)(a + len - eq - 1) >= sizeof(val)) {
		snprintf(err, errlen, "quota \"%.*s\": value too long", (int)len, a);
		return PN_EINVAL;
	}
	memcpy(val, eq + 1, (size_t)(a + len - eq - 1));
	val[a + len - eq - 1] = '\0';
	if (strcmp(val, "inherit") == 0) {
		q->lim[k][p] = PN_QUOTA_INHERIT;
		return PN_OK;
	}
	if (pn_parse_i64(val, 0, INT64_MAX / 2, &v) != PN_OK) {
		snprintf(err, errlen, "quota \"%.*s\": the value is a count, 0 (no limit) or"
		    " \"inherit\"", (int)len, a);
		return PN_EINVAL;
	}
	q->lim[k][p] = v;
	return PN_OK;
}

int
pn_quotas_parse(const char *text, struct pn_quotas *q, char *err, size_t errlen)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, ", ");
		if (n > 0 && parse_one(p, n, q, err, errlen) != PN_OK)
			return PN_EINVAL;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return PN_OK;
}

char *
pn_quotas_json(const struct pn_quotas *q)
{
	json_object *o = json_object_new_object();
	char *out;
	int k, p;

	for (k = 0; k < PN_QK__COUNT; k++) {
		json_object *ko = NULL;
		for (p = 0; p < PN_QP__COUNT; p++) {
			if (q->lim[k][p] == PN_QUOTA_INHERIT)
				continue;
			if (ko == NULL)
				ko = json_object_new_object();
			json_object_object_add(ko, period_names[p], json_object_new_int64(q->lim[k][p]));
		}
		if (ko)
			json_object_object_add(o, kind_names[k], ko);
	}
	out = pn_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

int
pn_quotas_from_json(const char *text, struct pn_quotas *q)
{
	json_object *o;
	int k, p;

	pn_quotas_inherit_all(q);
	if (text == NULL || *text == '\0')
		return PN_OK;
	o = json_tokener_parse(text);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return PN_EINVAL;
	}
	for (k = 0; k < PN_QK__COUNT; k++) {
		json_object *ko, *v;
		if (!json_object_object_get_ex(o, kind_names[k], &ko))
			continue;
		for (p = 0; p < PN_QP__COUNT; p++)
			if (json_object_object_get_ex(ko, period_names[p], &v) &&
			    json_object_is_type(v, json_type_int))
				q->lim[k][p] = json_object_get_int64(v);
	}
	json_object_put(o);
	return PN_OK;
}
