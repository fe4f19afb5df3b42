/*
 * quota.c - request counters per subject ("u:<user>", "k:<key id>") and
 * kind, each with a window per period: the minute (now / 60), the UTC day
 * (now / 86400; VirusTotal resets at 00:00 UTC too) and the UTC month.
 * See quota.h for the limits.
 *
 * Subjects live in a small chained hash table that only grows (one entry
 * per user and key that made a request: bounded by the user count).
 *
 * SPDX-License-Identifier: MIT
 */
#include "quota.h"
#include "conf.h"

#include <pthread.h>
#include <time.h>

#define PN_QUOTA_BUCKETS 256
#define PN_QUOTA_FLUSH_S 10

const struct pn_conf_opt pn_conf_quota[] = {
	{ "quota.lookups_minute", PN_CONF_INT, "0", "default lookups per user per minute (0 = no limit)" },
	{ "quota.lookups_day", PN_CONF_INT, "0", "default lookups per user per UTC day" },
	{ "quota.lookups_month", PN_CONF_INT, "0", "default lookups per user per UTC month" },
	{ "quota.submissions_minute", PN_CONF_INT, "0", "default submissions per user per minute" },
	{ "quota.submissions_day", PN_CONF_INT, "0", "default submissions per user per UTC day" },
	{ "quota.submissions_month", PN_CONF_INT, "0", "default submissions per user per UTC month" },
	{ "quota.downloads_minute", PN_CONF_INT, "0", "default downloads per user per minute" },
	{ "quota.downloads_day", PN_CONF_INT, "0", "default downloads per user per UTC day" },
	{ "quota.downloads_month", PN_CONF_INT, "0", "default downloads per user per UTC month" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

struct counter {
	int64_t window[PN_QK__COUNT][PN_QP__COUNT];
	int64_t count[PN_QK__COUNT][PN_QP__COUNT];
};

struct subject {
	struct subject *next;
	char name[96];
	struct counter c;
	int dirty;
};

struct pn_quota {
	pthread_mutex_t lock;
	struct subject *b[PN_QUOTA_BUCKETS];
	int64_t defaults[PN_QK__COUNT][PN_QP__COUNT];
	int64_t last_flush;
};

struct pn_quota *
pn_quota_new(const struct pn_conf *conf)
{
	struct pn_quota *q = pn_xcalloc(1, sizeof(*q));
	char key[64];
	int k, p;

	pthread_mutex_init(&q->lock, NULL);
	for (k = 0; k < PN_QK__COUNT; k++) {
		for (p = 0; p < PN_QP__COUNT; p++) {
			snprintf(key, sizeof(key), "quota.%s_%s", pn_quota_kind_name(k),
			    pn_quota_period_name(p));
			q->defaults[k][p] = pn_conf_get_int(conf, key);
		}
	}
	q->last_flush = pn_now();
	return q;
}

void
pn_quota_free(struct pn_quota *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < PN_QUOTA_BUCKETS; i++) {
		struct subject *s = q->b[i], *next;
		for (; s; s = next) {
			next = s->next;
			free(s);
		}
	}
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* The current window of each period, and when it ends. */
static int64_t
window_of(int period, int64_t now, int64_t *ends)
{
	time_t t = (time_t)now;
	struct tm tm;

	switch (period) {
	case PN_QP_MINUTE:
		*ends = (now / 60 + 1) * 60;
		return now / 60;
	case PN_QP_DAY:
		*ends = (now / 86400 + 1) * 86400;
		return now / 86400;
	default:
		gmtime_r(&t, &tm);
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mon++;
		*ends = (int64_t)timegm(&tm);
		return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon - 1;
	}
}

static unsigned
hash_name(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % PN_QUOTA_BUCKETS;
}

/* The subject's counters, loaded from the store on first use (lock held). */
static struct subject *
subject_get(struct pn_quota *q, struct pn_store *st, const char *name)
{
	unsigned h = hash_name(name);
	struct pn_usage *v = NULL;
	struct subject *s;
	size_t n = 0, i;

	for (s = q->b[h]; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	s = pn_xcalloc(1, sizeof(*s));
	pn_strlcpy(s->name, name, sizeof(s->name));
	if (st && pn_store_usage_load(st, name, &v, &n) == PN_OK) {
		for (i = 0; i < n; i++) {
			if (v[i].kind < 0 || v[i].kind >= PN_QK__COUNT || v[i].period < 0 ||
			    v[i].period >= PN_QP__COUNT)
				continue;
			s->c.window[v[i].kind][v[i].period] = v[i].window;
			s->c.count[v[i].kind][v[i].period] = v[i].count;
		}
	}
	free(v);
	s->next = q->b[h];
	q->b[h] = s;
	return s;
}

/* Roll the windows of one kind to now. */
static void
roll(struct subject *s, int kind, int64_t now)
{
	int64_t ends;
	int p;

	for (p = 0; p < PN_QP__COUNT; p++) {
		int64_t w = window_of(p, now, &ends);
		if (s->c.window[kind][p] != w) {
			s->c.window[kind][p] = w;
			s->c.count[kind][p] = 0;
			s->dirty = 1;
		}
	}
}

static int64_t
user_limit(const struct pn_quota *q, const struct pn_user *u, int k, int p)
{
	int64_t l = u->quotas.lim[k][p];

	if (l != PN_QUOTA_INHERIT)
		return l;
	return u->is_admin ? 0 : q->defaults[k][p];
}

/* Is s over a limit of kind?  Fills hit with the first one found. */
static int
over(struct subject *s, int kind, const int64_t lim[PN_QP__COUNT], int by_key, int64_t now,
    struct pn_quota_hit *hit)
{
	int64_t ends;
	int p;

	for (p = 0; p < PN_QP__COUNT; p++) {
		if (lim[p] <= 0 || s->c.count[kind][p] < lim[p])
			continue;
		hit->kind = kind;
		hit->period = p;
		hit->by_key = by_key;
		hit->limit = lim[p];
		window_of(p, now, &ends);
		hit->reset = ends - now;
		return 1;
	}
	return 0;
}

static void
subject_name(char *out, size_t cap, const char *prefix, const char *id)
{
	snprintf(out, cap, "%s:%s", prefix, id);
}

int
pn_quota_take(struct pn_quota *q, struct pn_store *st, const struct pn_user *u, int kind,
    struct pn_quota_hit *hit)
{
	int64_t now = pn_now(), ulim[PN_QP__COUNT], klim[PN_QP__COUNT];
	struct subject *us, *ks = NULL;
	char name[96];
	int p, rc = PN_OK, flush;

	for (p = 0; p < PN_QP__COUNT; p++) {
		ulim[p] = user_limit(q, u, kind, p);
		klim[p] = u->key_quotas.lim[kind][p] == PN_QUOTA_INHERIT ? 0 :
		    u->key_quotas.lim[kind][p];
	}
	pthread_mutex_lock(&q->lock);
	subject_name(name, sizeof(name), "u", u->id);
	us = subject_get(q, st, name);
	roll(us, kind, now);
	if (u->key_id[0]) {
		subject_name(name, sizeof(name), "k", u->key_id);
		ks = subject_get(q, st, name);
		roll(ks, kind, now);
	}
	if ((ks && over(ks, kind, klim, 1, now, hit)) || over(us, kind, ulim, 0, now, hit)) {
		rc = PN_ELIMIT;
	} else {
		for (p = 0; p < PN_QP__COUNT; p++) {
			us->c.count[kind][p]++;
			if (ks)
				ks->c.count[kind][p]++;
		}
		us->dirty = 1;
		if (ks)
			ks->dirty = 1;
	}
	flush = now - q->last_flush >= PN_QUOTA_FLUSH_S;
	pthread_mutex_unlock(&q->lock);
	if (flush)
		pn_quota_flush(q, st);
	return rc;
}

void
pn_quota_usage(struct pn_quota *q, struct pn_store *st, const struct pn_user *u, int kind,
    int period, int64_t *used, int64_t *allowed)
{
	struct subject *s;
	char name[96];

	*allowed = user_limit(q, u, kind, period);
	pthread_mutex_lock(&q->lock);
	subject_name(name, sizeof(name), "u", u->id);
	s = subject_get(q, st, name);
	roll(s, kind, pn_now());
	*used = s->c.count[kind][period];
	pthread_mutex_unlock(&q->lock);
}

void
pn_quota_flush(struct pn_quota *q, struct pn_store *st)
{
	struct pn_usage *v = NULL;
	size_t n = 0, cap = 0, i;
	int k, p;

	if (st == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->last_flush = pn_now();
	for (i = 0; i < PN_QUOTA_BUCKETS; i++) {
		struct subject *s;
		for (s = q->b[i]; s; s = s->next) {
			if (!s->dirty)
				continue;
			s->dirty = 0;
			for (k = 0; k < PN_QK__COUNT; k++) {
				for (p = 0; p < PN_QP__COUNT; p++) {
					if (n == cap) {
						cap = cap ? cap * 2 : 64;
						v = pn_xrealloc(v, cap * sizeof(*v));
					}
					pn_strlcpy(v[n].subject, s->name, sizeof(v[n].subject));
					v[n].kind = k;
					v[n].period = p;
					v[n].window = s->c.window[k][p];
					v[n].count = s->c.count[k][p];
					n++;
				}
			}
		}
	}
	pthread_mutex_unlock(&q->lock);
	if (n && pn_store_usage_save(st, v, n) != PN_OK)
		log_warnx("quota: counters not saved this time (still counted in memory)");
	free(v);
}
