/*
 * domain_lists.c - popularity ranks and categories of domains from lists
 * the operator configures (issue 5): VirusTotal's `popularity_ranks`
 * ({"<list>": {"rank": N, "timestamp": T}}) and `categories`
 * ({"<list>": "<category>"}).
 *
 *   domains.popularity = Tranco=/srv/lists/tranco.csv,Majestic=/srv/m.csv
 *       lines "rank,domain" (Tranco's format; a header or # lines skipped)
 *   domains.categories = Panoptes=/srv/lists/categories.csv
 *       lines "domain,category" (the category may contain spaces)
 *
 * A name is looked up as given, then as its registrable domain (ranks are
 * usually kept for those).  Each list is read once per process, into a hash
 * table; the list file's mtime is the `timestamp`.  Untrusted text: lines
 * over PN_DL_MAX_LINE bytes, bad ranks and invalid names are skipped and
 * counted; a list stops at PN_DL_MAX_ENTRIES.
 *
 * SPDX-License-Identifier: MIT
 */
#include "domain_lists.h"
#include "conf.h"
#include "domain.h"

#include <json-c/json.h>
#include <sys/stat.h>

const struct pn_conf_opt pn_conf_domains[] = {
	{ "domains.popularity", PN_CONF_STR, "", "popularity lists: Name=path[,...], lines \"rank,domain\" (Tranco format)" },
	{ "domains.categories", PN_CONF_STR, "", "category lists: Name=path[,...], lines \"domain,category\"" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

struct entry {
	char *name;
	char *value;             /* category, or rank as text */
};

struct list {
	char name[64];
	int is_rank;
	int64_t mtime;
	struct entry *t;         /* open addressing, power of two */
	size_t cap, n, skipped;
};

struct pn_domain_lists {
	struct list *v;
	size_t n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void
put(struct list *l, const char *name, const char *value)
{
	size_t i;

	if (l->n * 2 >= l->cap) {
		struct entry *old = l->t;
		size_t oc = l->cap, k;
		l->cap = oc ? oc * 2 : 1024;
		l->t = pn_xcalloc(l->cap, sizeof(*l->t));
		l->n = 0;
		for (k = 0; k < oc; k++) {
			if (old[k].name == NULL)
				continue;
			for (i = hash_str(old[k].name) & (l->cap - 1); l->t[i].name; i = (i + 1) & (l->cap - 1))
				;
			l->t[i] = old[k];
			l->n++;
		}
		free(old);
	}
	for (i = hash_str(name) & (l->cap - 1); l->t[i].name; i = (i + 1) & (l->cap - 1))
		if (strcmp(l->t[i].name, name) == 0)
			return;             /* the first line wins (best rank) */
	l->t[i].name = pn_xstrdup(name);
	l->t[i].value = pn_xstrdup(value);
	l->n++;
}

static const char *
get(const struct list *l, const char *name)
{
	size_t i;

	if (l->cap == 0)
		return NULL;
	for (i = hash_str(name) & (l->cap - 1); l->t[i].name; i = (i + 1) & (l->cap - 1))
		if (strcmp(l->t[i].name, name) == 0)
			return l->t[i].value;
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '"')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
	    e[-1] == '"'))
		*--e = '\0';
	return s;
}

/* One line into l; 0 when skipped. */
static int
add_line(struct list *l, char *line)
{
	char *comma = strchr(line, ','), *a, *b, norm[PN_DOMAIN_BUF];
	int64_t rank;

	if (line[0] == '#' || comma == NULL)
		return 0;
	*comma = '\0';
	a = trim(line);
	b = trim(comma + 1);
	if (l->is_rank) {
		char num[24];
		if (pn_parse_i64(a, 1, INT32_MAX, &rank) != PN_OK ||
		    pn_domain_normalize(b, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK)
			return 0;
		snprintf(num, sizeof(num), "%lld", (long long)rank);
		put(l, norm, num);
		return 1;
	}
	if (*b == '\0' || strlen(b) > PN_DL_MAX_CATEGORY ||
	    pn_domain_normalize(a, PN_DOMAIN_DNS, norm, sizeof(norm)) != PN_OK)
		return 0;
	put(l, norm, b);
	return 1;
}

static int
load_list(struct list *l, const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[PN_DL_MAX_LINE + 2];
	struct stat sb;

	if (f == NULL) {
		snprintf(err, cap, "cannot read %s", path);
		return PN_EIO;
	}
	if (fstat(fileno(f), &sb) == 0)
		l->mtime = (int64_t)sb.st_mtime;
	while (fgets(line, sizeof(line), f) != NULL && l->n < PN_DL_MAX_ENTRIES) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;       /* an over-long line: skipped whole */
			l->skipped++;
			continue;
		}
		if (!add_line(l, line))
			l->skipped++;
	}
	fclose(f);
	return PN_OK;
}

/* "Name=path,Name=path" → lists. */
static int
load_spec(struct pn_domain_lists *d, const char *spec, int is_rank, char *err, size_t cap)
{
	char *copy = pn_xstrdup(spec), *p = copy, *item;
	int rc = PN_OK;

	while (rc == PN_OK && (item = strsep(&p, ",")) != NULL) {
		char *eq, *name, *path;
		struct list *l;
		item = trim(item);
		if (*item == '\0')
			continue;
		if ((eq = strchr(item, '=')) == NULL || eq == item || eq[1] == '\0') {
			snprintf(err, cap, "domains list \"%s\": expected Name=path", item);
			rc = PN_EINVAL;
			break;
		}
		*eq = '\0';
		name = trim(item);
		path = trim(eq + 1);
		d->v = pn_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
		l = &d->v[d->n++];
		memset(l, 0, sizeof(*l));
		pn_strlcpy(l->name, name, sizeof(l->name));
		l->is_rank = is_rank;
		rc = load_list(l, path, err, cap);
		if (rc == PN_OK)
			log_info("domains: %s list %s: %zu names (%zu lines skipped)",
			    is_rank ? "popularity" : "category", l->name, l->n, l->skipped);
	}
	free(copy);
	return rc;
}

int
pn_domain_lists_load(const struct pn_conf *c, struct pn_domain_lists **out, char *err, size_t cap)
{
	struct pn_domain_lists *d = pn_xcalloc(1, sizeof(*d));
	int rc = load_spec(d, pn_conf_get(c, "domains.popularity"), 1, err, cap);

	if (rc == PN_OK)
		rc = load_spec(d, pn_conf_get(c, "domains.categories"), 0, err, cap);
	if (rc != PN_OK) {
		pn_domain_lists_free(d);
		return rc;
	}
	*out = d;
	return PN_OK;
}

void
pn_domain_lists_free(struct pn_domain_lists *d)
{
	size_t i, k;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		for (k = 0; k < d->v[i].cap; k++) {
			free(d->v[i].t[k].name);
			free(d->v[i].t[k].value);
		}
		free(d->v[i].t);
	}
	free(d->v);
	free(d);
}

void
pn_domain_lists_annotate(const struct pn_domain_lists *d, const char *domain, json_object *out)
{
	json_object *ranks = NULL, *cats = NULL;
	char reg[PN_DOMAIN_BUF];
	size_t i;
	int have_reg;

	if (d == NULL || d->n == 0)
		return;
	have_reg = pn_domain_registrable(domain, reg, sizeof(reg)) == PN_OK &&
	    strcmp(reg, domain) != 0;
	for (i = 0; i < d->n; i++) {
		const struct list *l = &d->v[i];
		const char *v = get(l, domain);
		if (v == NULL && have_reg)
			v = get(l, reg);
		if (v == NULL)
			continue;
		if (l->is_rank) {
			json_object *r = json_object_new_object();
			int64_t rank = 0;
			pn_parse_i64(v, 1, INT32_MAX, &rank);
			json_object_object_add(r, "rank", json_object_new_int64(rank));
			json_object_object_add(r, "timestamp", json_object_new_int64(l->mtime));
			if (ranks == NULL)
				ranks = json_object_new_object();
			json_object_object_add(ranks, l->name, r);
		} else {
			if (cats == NULL)
				cats = json_object_new_object();
			json_object_object_add(cats, l->name, json_object_new_string(v));
		}
	}
	if (ranks)
		json_object_object_add(out, "popularity_ranks", ranks);
	if (cats)
		json_object_object_add(out, "categories", cats);
}
