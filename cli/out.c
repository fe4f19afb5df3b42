/*
 * out.c - printing API objects for the client commands (see out.h): a
 * summary per object type (detection ratio, top detections, the key
 * details of files, URLs, domains, IP addresses, analyses, comments and
 * votes), JSON, JSON lines, CSV, and --fields selection for all four.
 *
 * Ownership: objects are borrowed; strings returned by pn_out_value_str()
 * are new (caller frees).
 *
 * SPDX-License-Identifier: MIT
 */
#include "out.h"
#include "buf.h"

#include <time.h>
#include <unistd.h>

#define C_RED    "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_GREEN  "\033[32m"
#define C_BOLD   "\033[1m"
#define C_DIM    "\033[2m"
#define C_OFF    "\033[0m"

int
pn_out_parse_fmt(const char *s, enum pn_out_fmt *fmt)
{
	static const struct { const char *name; enum pn_out_fmt fmt; } names[] = {
		{ "text", PN_OUT_TEXT }, { "json", PN_OUT_JSON }, { "jsonl", PN_OUT_JSONL },
		{ "csv", PN_OUT_CSV },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return PN_OK;
		}
	return PN_EINVAL;
}

void
pn_out_init(struct pn_out *o, enum pn_out_fmt fmt, FILE *f, int color)
{
	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->f = f;
	o->color = color && fmt == PN_OUT_TEXT;
}

int
pn_out_set_fields(struct pn_out *o, const char *list)
{
	const char *p = list;

	while (1) {
		size_t n = strcspn(p, ",");
		if (n == 0 || o->nfields >= PN_OUT_MAX_FIELDS)
			return PN_EINVAL;
		o->fields[o->nfields++] = pn_xstrndup(p, n);
		if (p[n] == '\0')
			return PN_OK;
		p += n + 1;
	}
}

void
pn_out_release(struct pn_out *o)
{
	size_t i;

	for (i = 0; i < o->nfields; i++)
		free(o->fields[i]);
	o->nfields = 0;
}

int
pn_out_color_wanted(int fd)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(fd) && (nc == NULL || *nc == '\0');
}

/* ------------------------------------------------------------ values */

static struct json_object *
walk(struct json_object *o, const char *path)
{
	char key[256];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

struct json_object *
pn_out_lookup(struct json_object *obj, const char *path)
{
	struct json_object *a, *v = NULL;

	if (json_object_object_get_ex(obj, "attributes", &a))
		v = walk(a, path);
	return v ? v : walk(obj, path);
}

static int
is_date_key(const char *key)
{
	const char *dot = strrchr(key, '.');
	size_t n;

	key = dot ? dot + 1 : key;
	n = strlen(key);
	return strcmp(key, "date") == 0 || (n > 5 && strcmp(key + n - 5, "_date") == 0) ||
	    strcmp(key, "last_login") == 0 || strcmp(key, "user_since") == 0;
}

/* ["a","b"] as "a, b" when every element is a scalar, else compact JSON. */
static char *
join_scalars(struct json_object *v)
{
	struct pn_buf b = PN_BUF_INIT;
	size_t i, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);
		if (e == NULL || json_object_is_type(e, json_type_object) ||
		    json_object_is_type(e, json_type_array)) {
			pn_buf_release(&b);
			return pn_xstrdup(json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		}
		pn_buf_printf(&b, "%s%s", i ? ", " : "", json_object_get_string(e));
	}
	return b.p ? pn_buf_steal(&b, NULL) : pn_xstrdup("");
}

char *
pn_out_value_str(const char *key, struct json_object *v, int human)
{
	if (v == NULL)
		return pn_xstrdup("");
	switch (json_object_get_type(v)) {
	case json_type_string:
		return pn_xstrdup(json_object_get_string(v));
	case json_type_int:
		if (human && key && is_date_key(key)) {
			time_t t = (time_t)json_object_get_int64(v);
			struct tm tm;
			char b[64];
			if (gmtime_r(&t, &tm) && strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S UTC", &tm))
				return pn_xstrdup(b);
		}
		return pn_xasprintf("%lld", (long long)json_object_get_int64(v));
	case json_type_null:
		return pn_xstrdup("");
	case json_type_array:
		if (human)
			return join_scalars(v);
		/* fall through */
	default:
		return pn_xstrdup(json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
}

void
pn_out_csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL && *s != ' ' && (*s == '\0' || s[strlen(s) - 1] != ' ')) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int
pn_out_stats(struct json_object *obj, int64_t *malicious, int64_t *total)
{
	struct json_object *s = pn_out_lookup(obj, "last_analysis_stats"), *m;

	if (s == NULL)
		s = pn_out_lookup(obj, "stats");
	*malicious = *total = 0;
	if (s == NULL || !json_object_is_type(s, json_type_object))
		return PN_ENOTFOUND;
	if (json_object_object_get_ex(s, "malicious", &m))
		*malicious = json_object_get_int64(m);
	json_object_object_foreach(s, k, v) {
		(void)k;
		if (json_object_is_type(v, json_type_int))
			*total += json_object_get_int64(v);
	}
	return PN_OK;
}

static const char *
str_of(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "";
}

/* ------------------------------------------------------ default columns */

static const char *const cols_file[] = { "id", "meaningful_name", "type_tag", "size",
	"last_analysis_stats.malicious", "last_analysis_stats.suspicious",
	"last_analysis_stats.undetected", NULL };
static const char *const cols_url[] = { "id", "url", "last_final_url",
	"last_analysis_stats.malicious", "last_analysis_stats.harmless", NULL };
static const char *const cols_domain[] = { "id", "registrar", "creation_date", "reputation",
	"last_analysis_stats.malicious", NULL };
static const char *const cols_ip[] = { "id", "country", "asn", "as_owner", "network",
	"last_analysis_stats.malicious", NULL };
static const char *const cols_analysis[] = { "id", "status", "date", "stats.malicious",
	"stats.suspicious", "stats.undetected", NULL };
static const char *const cols_comment[] = { "id", "date", "text", NULL };
static const char *const cols_vote[] = { "id", "date", "verdict", "value", NULL };
static const char *const cols_other[] = { "type", "id", NULL };

static const char *const *
default_cols(const char *type)
{
	static const struct { const char *type; const char *const *cols; } t[] = {
		{ "file", cols_file }, { "url", cols_url }, { "domain", cols_domain },
		{ "ip_address", cols_ip }, { "analysis", cols_analysis },
		{ "comment", cols_comment }, { "vote", cols_vote },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++)
		if (strcmp(type, t[i].type) == 0)
			return t[i].cols;
	return cols_other;
}

/* ---------------------------------------------------------------- text */

struct detail { const char *label, *path; };

static const struct detail det_file[] = {
	{ "name", "meaningful_name" }, { "type", "type_description" }, { "type tag", "type_tag" },
	{ "size", "size" }, { "md5", "md5" }, { "sha1", "sha1" }, { "sha256", "sha256" },
	{ "first seen", "first_submission_date" }, { "last analysis", "last_analysis_date" },
	{ "submissions", "times_submitted" }, { "reputation", "reputation" }, { "tags", "tags" },
	{ NULL, NULL } };
static const struct detail det_url[] = {
	{ "url", "url" }, { "final url", "last_final_url" }, { "title", "title" },
	{ "http status", "last_http_response_code" }, { "first seen", "first_submission_date" },
	{ "last analysis", "last_analysis_date" }, { "reputation", "reputation" },
	{ "categories", "categories" }, { "tags", "tags" }, { NULL, NULL } };
static const struct detail det_domain[] = {
	{ "registrar", "registrar" }, { "created", "creation_date" },
	{ "expires", "expiration_date" }, { "last analysis", "last_analysis_date" },
	{ "reputation", "reputation" }, { "categories", "categories" }, { "tags", "tags" },
	{ NULL, NULL } };
static const struct detail det_ip[] = {
	{ "country", "country" }, { "continent", "continent" }, { "asn", "asn" },
	{ "as owner", "as_owner" }, { "network", "network" },
	{ "registry", "regional_internet_registry" }, { "last analysis", "last_analysis_date" },
	{ "reputation", "reputation" }, { "tags", "tags" }, { NULL, NULL } };
static const struct detail det_analysis[] = {
	{ "status", "status" }, { "date", "date" }, { "sha256", "meta.file_info.sha256" },
	{ "size", "meta.file_info.size" }, { "url", "meta.url_info.url" }, { NULL, NULL } };
static const struct detail det_comment[] = {
	{ "date", "date" }, { "text", "text" }, { "tags", "tags" }, { "votes", "votes" },
	{ NULL, NULL } };
static const struct detail det_vote[] = {
	{ "date", "date" }, { "verdict", "verdict" }, { "value", "value" }, { NULL, NULL } };
static const struct detail det_resolution[] = {
	{ "date", "date" }, { "host", "host_name" }, { "ip", "ip_address" },
	{ "resolver", "resolver" }, { NULL, NULL } };

static const struct detail *
details_of(const char *type)
{
	static const struct { const char *type; const struct detail *d; } t[] = {
		{ "file", det_file }, { "url", det_url }, { "domain", det_domain },
		{ "ip_address", det_ip }, { "analysis", det_analysis }, { "comment", det_comment },
		{ "vote", det_vote }, { "resolution", det_resolution },
	};
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(t); i++)
		if (strcmp(type, t[i].type) == 0)
			return t[i].d;
	return NULL;
}

static void
text_line(struct pn_out *o, const char *label, const char *key, struct json_object *v)
{
	char *s = pn_out_value_str(key, v, 1);

	if (*s)
		fprintf(o->f, "  %s%-14s%s %s\n", o->color ? C_DIM : "", label, o->color ? C_OFF : "", s);
	free(s);
}

/* Engines whose category is cat, in the server's order, up to *left of them. */
static void
text_engines(struct pn_out *o, struct json_object *res, const char *cat, int *left, int *more)
{
	json_object_object_foreach(res, eng, r) {
		struct json_object *c, *l;
		if (!json_object_object_get_ex(r, "category", &c) ||
		    strcmp(json_object_get_string(c), cat) != 0)
			continue;
		if (*left <= 0) {
			(*more)++;
			continue;
		}
		(*left)--;
		json_object_object_get_ex(r, "result", &l);
		fprintf(o->f, "  %-14s %s%-16s%s %s\n", "", o->color ? (*cat == 'm' ? C_RED : C_YELLOW) :
		    "", eng, o->color ? C_OFF : "", l && json_object_get_string(l) ?
		    json_object_get_string(l) : cat);
	}
}

static void
text_detections(struct pn_out *o, struct json_object *obj)
{
	struct json_object *res = pn_out_lookup(obj, "last_analysis_results"), *st, *s;
	int64_t mal, total, susp = 0;
	int left = PN_OUT_TOP_DETECTIONS, more = 0;
	const char *col;

	if (pn_out_stats(obj, &mal, &total) != PN_OK)
		return;
	if (res == NULL)
		res = pn_out_lookup(obj, "results");
	st = pn_out_lookup(obj, "last_analysis_stats");
	if (st == NULL)
		st = pn_out_lookup(obj, "stats");
	if (st && json_object_object_get_ex(st, "suspicious", &s))
		susp = json_object_get_int64(s);
	col = mal > 0 ? C_RED : susp > 0 ? C_YELLOW : C_GREEN;
	fprintf(o->f, "  %s%-14s%s %s%lld/%lld malicious%s", o->color ? C_DIM : "", "detections",
	    o->color ? C_OFF : "", o->color ? col : "", (long long)mal, (long long)total,
	    o->color ? C_OFF : "");
	if (susp)
		fprintf(o->f, ", %lld suspicious", (long long)susp);
	fputc('\n', o->f);
	if (res && json_object_is_type(res, json_type_object)) {
		text_engines(o, res, "malicious", &left, &more);
		text_engines(o, res, "suspicious", &left, &more);
		if (more)
			fprintf(o->f, "  %-14s %s(%d more)%s\n", "", o->color ? C_DIM : "", more,
			    o->color ? C_OFF : "");
	}
}

static void
text_object(struct pn_out *o, struct json_object *obj)
{
	const char *type = str_of(obj, "type"), *id = str_of(obj, "id");
	const struct detail *d = details_of(type);
	struct json_object *a = NULL;
	size_t i;
	int shown = 0;

	if (o->n > 0)
		fputc('\n', o->f);
	fprintf(o->f, "%s%s %s%s\n", o->color ? C_BOLD : "", *type ? type : "object", id,
	    o->color ? C_OFF : "");
	if (o->nfields) {
		for (i = 0; i < o->nfields; i++)
			text_line(o, o->fields[i], o->fields[i], pn_out_lookup(obj, o->fields[i]));
		return;
	}
	text_detections(o, obj);
	if (d) {
		for (; d->label; d++)
			text_line(o, d->label, d->path, pn_out_lookup(obj, d->path));
		return;
	}
	/* Unknown type: its scalar attributes. */
	if (!json_object_object_get_ex(obj, "attributes", &a) ||
	    !json_object_is_type(a, json_type_object))
		return;
	json_object_object_foreach(a, k, v) {
		if (shown++ >= 20)
			break;
		if (v && !json_object_is_type(v, json_type_object) &&
		    !json_object_is_type(v, json_type_array))
			text_line(o, k, k, v);
	}
}

/* ---------------------------------------------------------- structured */

/* With --fields: {"type","id", field: value...}; a new object. */
static struct json_object *
picked(struct pn_out *o, struct json_object *obj)
{
	struct json_object *r = json_object_new_object(), *v;
	size_t i;

	if (json_object_object_get_ex(obj, "type", &v))
		json_object_object_add(r, "type", json_object_get(v));
	if (json_object_object_get_ex(obj, "id", &v))
		json_object_object_add(r, "id", json_object_get(v));
	for (i = 0; i < o->nfields; i++) {
		v = pn_out_lookup(obj, o->fields[i]);
		json_object_object_add(r, o->fields[i], v ? json_object_get(v) : NULL);
	}
	return r;
}

static void
csv_row(struct pn_out *o, struct json_object *obj)
{
	const char *const *cols = o->defcols ? o->defcols : default_cols(str_of(obj, "type"));
	size_t i, n = o->nfields ? o->nfields : 0;

	if (!o->nfields) {
		while (cols[n])
			n++;
	}
	if (!o->header_done) {
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', o->f);
			pn_out_csv_field(o->f, o->nfields ? o->fields[i] : cols[i]);
		}
		fputs("\r\n", o->f);
		o->header_done = 1;
	}
	for (i = 0; i < n; i++) {
		const char *k = o->nfields ? o->fields[i] : cols[i];
		char *s = pn_out_value_str(k, pn_out_lookup(obj, k), 0);
		if (i)
			fputc(',', o->f);
		pn_out_csv_field(o->f, s);
		free(s);
	}
	fputs("\r\n", o->f);
}

void
pn_out_begin(struct pn_out *o, int many)
{
	o->many = many;
	o->n = 0;
	if (o->fmt == PN_OUT_JSON && many)
		fputs("[", o->f);
}

void
pn_out_object(struct pn_out *o, struct json_object *obj)
{
	struct json_object *p = NULL;

	switch (o->fmt) {
	case PN_OUT_TEXT:
		text_object(o, obj);
		break;
	case PN_OUT_CSV:
		csv_row(o, obj);
		break;
	case PN_OUT_JSON:
	case PN_OUT_JSONL:
		p = o->nfields ? picked(o, obj) : json_object_get(obj);
		if (o->fmt == PN_OUT_JSONL) {
			fputs(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE), o->f);
			fputc('\n', o->f);
		} else {
			if (o->many)
				fputs(o->n ? ",\n" : "\n", o->f);
			fputs(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PRETTY |
			    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE), o->f);
			if (!o->many)
				fputc('\n', o->f);
		}
		json_object_put(p);
		break;
	}
	o->n++;
}

void
pn_out_end(struct pn_out *o)
{
	if (o->fmt == PN_OUT_JSON && o->many)
		fputs(o->n ? "\n]\n" : "]\n", o->f);
	else if (o->fmt == PN_OUT_TEXT && o->many && o->n == 0)
		fputs("(none)\n", o->f);
	fflush(o->f);
}
