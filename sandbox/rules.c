/*
 * rules.c - behaviour rule files: a small line format (sections of
 * "key = value" lines), loaded into a read-only struct pn_rules, and the
 * evaluator that runs the rules over a set of events (a sandbox run) or
 * static features and writes the detections into a report.
 *
 * Format (docs/internals/behavior-rules.md):
 *
 *   [rule linux.persistence.cron]
 *   name = Writes a cron job
 *   severity = MEDIUM
 *   attack = T1053.003
 *   tags = PERSISTENCE
 *   on = open access=write path=/etc/crontab|/etc/cron.d/?*
 *   on = exec name=crontab
 *
 * Condition kinds (match =): any (default: some on-line matches an event),
 * all (every on-line matches some event), count (count = N matches, or N
 * distinct values of the field named by distinct =), sequence (the
 * on-lines in order within `within` seconds, in one process (scope = pid)
 * or one process tree (scope = tree, default); $name values capture a
 * field in one step and require the same value in the later ones).
 * A [noise] section lists globs of paths whose reads are loader/libc noise.
 *
 * Ownership: pn_rules_load*() return a new struct pn_rules, read-only
 * afterwards; evaluation keeps its state on the stack and in the event
 * set, so one pn_rules may serve many threads.
 * Limits: PN_RULES_* (report.h).  Errors: PN_EFORMAT with "name:line:
 * reason", PN_ELIMIT, PN_EIO.
 * See also: report.c, static_caps.c, tests/unit/test_behavior.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum sev { SEV_NONE, SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH };
enum op { OP_GLOB, OP_NGLOB, OP_IGLOB, OP_MASK, OP_GE, OP_LE, OP_GT, OP_LT, OP_VAR };
enum kind { K_ANY, K_ALL, K_COUNT, K_SEQ };
enum scope { SC_TREE, SC_PID, SC_ANY };

struct strv {
	char **v;
	size_t n;
};

struct pred {
	char *field;        /* field name, "[]" stripped */
	int arr;            /* field[]: any element of an array */
	enum op op;
	struct strv alt;    /* glob alternatives */
	double num;         /* numeric operand */
	int var;            /* OP_VAR: capture index */
};

struct clause {
	struct strv evs;    /* event types (alternatives), "*" for any */
	struct pred *p;
	size_t np;
};

struct rule {
	char *id, *name, *desc, *src;
	enum sev sev;
	struct strv attack, tags, verdicts, mbc;
	enum kind kind;
	long count;
	char *distinct;
	double within;
	enum scope scope;
	struct clause *c;
	size_t nc;
	char *vars[PN_RULES_MAX_VARS];
	size_t nvars;
	int line;
};

struct pn_rules {
	struct rule *r;
	size_t n, cap;
	struct strv noise;
};

static const char *const sev_names[] = { "IMPACT_SEVERITY_UNKNOWN", "IMPACT_SEVERITY_INFO",
	"IMPACT_SEVERITY_LOW", "IMPACT_SEVERITY_MEDIUM", "IMPACT_SEVERITY_HIGH" };

/* ------------------------------------------------------------ string lists */

static void
strv_add(struct strv *s, const char *v, size_t len)
{
	s->v = pn_xrealloc(s->v, (s->n + 1) * sizeof(char *));
	s->v[s->n++] = pn_xstrndup(v, len);
}

static void
strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Split v at any of seps (runs count once) into s; PN_ELIMIT past max. */
static int
strv_split(struct strv *s, const char *v, const char *seps, size_t max)
{
	const char *p = v;

	while (*p) {
		size_t n;
		p += strspn(p, seps);
		n = strcspn(p, seps);
		if (n == 0)
			break;
		if (s->n >= max)
			return PN_ELIMIT;
		strv_add(s, p, n);
		p += n;
	}
	return PN_OK;
}

/* ------------------------------------------------------------ rule memory */

static void
rule_release(struct rule *r)
{
	size_t i, k;

	free(r->id);
	free(r->name);
	free(r->desc);
	free(r->src);
	free(r->distinct);
	strv_free(&r->attack);
	strv_free(&r->tags);
	strv_free(&r->verdicts);
	strv_free(&r->mbc);
	for (i = 0; i < r->nc; i++) {
		for (k = 0; k < r->c[i].np; k++) {
			free(r->c[i].p[k].field);
			strv_free(&r->c[i].p[k].alt);
		}
		free(r->c[i].p);
		strv_free(&r->c[i].evs);
	}
	free(r->c);
	for (i = 0; i < r->nvars; i++)
		free(r->vars[i]);
	memset(r, 0, sizeof(*r));
}

void
pn_rules_free(struct pn_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_release(&rs->r[i]);
	free(rs->r);
	strv_free(&rs->noise);
	free(rs);
}

size_t
pn_rules_count(const struct pn_rules *rs)
{
	return rs ? rs->n : 0;
}

const char *
pn_rules_id(const struct pn_rules *rs, size_t i)
{
	return rs && i < rs->n ? rs->r[i].id : NULL;
}

/* ------------------------------------------------------------ parsing */

struct lp {                     /* loader state */
	const char *name;
	int line;
	char *err;
	size_t errlen;
	struct pn_rules *rs;
	struct rule *cur;           /* open [rule] section or NULL */
	int in_noise;
	struct pn_buf src;          /* raw lines of the open rule */
};

static int
perr(struct lp *lp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct lp *lp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lp->err && lp->errlen)
		snprintf(lp->err, lp->errlen, "%s:%d: %s", lp->name, lp->line, msg);
	return PN_EFORMAT;
}

static int
valid_id(const char *s)
{
	if (*s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* T1234 or T1234.567 */
static int
valid_attack(const char *s)
{
	size_t i;

	if (s[0] != 'T')
		return 0;
	for (i = 1; i < 5; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[5] == '\0')
		return 1;
	if (s[5] != '.')
		return 0;
	for (i = 6; i < 9; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return s[9] == '\0';
}

static int
valid_upper(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/*
 * Next whitespace-separated token of *pp into tok (NUL-terminated);
 * "..." parts are taken literally (\" and \\ escapes) without quotes.
 * 0 at end of line, 1 with a token, PN_EFORMAT on an open quote.
 */
static int
next_token(const char **pp, char *tok, size_t toklen)
{
	const char *p = *pp;
	size_t n = 0;
	int q = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	while (*p && (q || (*p != ' ' && *p != '\t'))) {
		char c = *p++;
		if (c == '"') {
			q = !q;
			continue;
		}
		if (q && c == '\\' && (*p == '"' || *p == '\\'))
			c = *p++;
		if (n + 1 >= toklen)
			return PN_ELIMIT;
		tok[n++] = c;
	}
	if (q)
		return PN_EFORMAT;
	tok[n] = '\0';
	*pp = p;
	return 1;
}

static int
parse_num(const char *s, double *out)
{
	char *end;
	long long v;

	errno = 0;
	if (*s == '\0')
		return PN_EFORMAT;
	v = strtoll(s, &end, 0);
	if (errno == 0 && *end == '\0') {
		*out = (double)v;
		return PN_OK;
	}
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' ? PN_OK : PN_EFORMAT;
}

static int
var_index(struct lp *lp, struct rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nvars; i++)
		if (strcmp(r->vars[i], name) == 0)
			return (int)i;
	if (r->nvars >= PN_RULES_MAX_VARS)
		return perr(lp, "more than %d captures", PN_RULES_MAX_VARS);
	r->vars[r->nvars] = pn_xstrdup(name);
	return (int)r->nvars++;
}

/* field OP value, e.g. path=/etc/cron.d/x|/etc/crontab, mode&06000, req>=2 */
static int
parse_pred(struct lp *lp, struct rule *r, const char *tok, struct pred *pr)
{
	size_t fl = strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]-");
	const char *op = tok + fl, *val;

	memset(pr, 0, sizeof(*pr));
	if (fl == 0)
		return perr(lp, "predicate without a field: %.64s", tok);
	if (strncmp(op, "!=", 2) == 0) {
		pr->op = OP_NGLOB, val = op + 2;
	} else if (strncmp(op, ">=", 2) == 0) {
		pr->op = OP_GE, val = op + 2;
	} else if (strncmp(op, "<=", 2) == 0) {
		pr->op = OP_LE, val = op + 2;
	} else if (*op == '=') {
		pr->op = OP_GLOB, val = op + 1;
	} else if (*op == '~') {
		pr->op = OP_IGLOB, val = op + 1;
	} else if (*op == '&') {
		pr->op = OP_MASK, val = op + 1;
	} else if (*op == '>') {
		pr->op = OP_GT, val = op + 1;
	} else if (*op == '<') {
		pr->op = OP_LT, val = op + 1;
	} else {
		return perr(lp, "no operator in %.64s", tok);
	}
	pr->field = pn_xstrndup(tok, fl);
	if (fl > 2 && strcmp(pr->field + fl - 2, "[]") == 0) {
		pr->field[fl - 2] = '\0';
		pr->arr = 1;
	}
	if (strchr(pr->field, '[') || strchr(pr->field, ']'))
		return perr(lp, "bad field name %.64s", pr->field);
	if (pr->op == OP_GLOB && val[0] == '$') {
		int vi;
		if (r->kind != K_SEQ)
			return perr(lp, "$captures need match = sequence (put it first)");
		if (!valid_id(val + 1))
			return perr(lp, "bad capture name %.64s", val);
		if ((vi = var_index(lp, r, val + 1)) < 0)
			return vi;
		pr->op = OP_VAR;
		pr->var = vi;
		return PN_OK;
	}
	if (pr->op == OP_GLOB || pr->op == OP_NGLOB || pr->op == OP_IGLOB) {
		if (*val == '\0')
			strv_add(&pr->alt, "", 0);
		else if (strv_split(&pr->alt, val, "|", PN_RULES_MAX_ALTS) != PN_OK)
			return perr(lp, "more than %d alternatives", PN_RULES_MAX_ALTS);
		return PN_OK;
	}
	if (parse_num(val, &pr->num) != PN_OK)
		return perr(lp, "not a number: %.64s", val);
	return PN_OK;
}

/* on = ev[|ev...] pred... */
static int
parse_clause(struct lp *lp, struct rule *r, const char *v)
{
	char tok[PN_RULES_MAX_LINE];
	struct clause *c;
	int t, rc;

	if (r->nc >= PN_RULES_MAX_CLAUSES)
		return perr(lp, "more than %d on-lines", PN_RULES_MAX_CLAUSES);
	r->c = pn_xrealloc(r->c, (r->nc + 1) * sizeof(*r->c));
	c = &r->c[r->nc++];
	memset(c, 0, sizeof(*c));
	if ((t = next_token(&v, tok, sizeof(tok))) <= 0)
		return perr(lp, "on-line without an event type");
	if (strv_split(&c->evs, tok, "|", PN_RULES_MAX_ALTS) != PN_OK || c->evs.n == 0)
		return perr(lp, "bad event type list");
	while ((t = next_token(&v, tok, sizeof(tok))) > 0) {
		if (c->np >= PN_RULES_MAX_PREDS)
			return perr(lp, "more than %d predicates", PN_RULES_MAX_PREDS);
		c->p = pn_xrealloc(c->p, (c->np + 1) * sizeof(*c->p));
		c->np++;
		if ((rc = parse_pred(lp, r, tok, &c->p[c->np - 1])) != PN_OK)
			return rc;
	}
	return t < 0 ? perr(lp, "unterminated quote") : PN_OK;
}

static int
parse_sev(const char *v, enum sev *out)
{
	static const char *const n[] = { NULL, "INFO", "LOW", "MEDIUM", "HIGH" };
	size_t i;

	for (i = 1; i < PN_ARRAY_LEN(n); i++)
		if (strcasecmp(v, n[i]) == 0) {
			*out = (enum sev)i;
			return PN_OK;
		}
	return PN_EFORMAT;
}

static int
set_list(struct lp *lp, struct strv *s, const char *v, int (*valid)(const char *), const char *what)
{
	size_t i;

	if (strv_split(s, v, " ,\t", 64) != PN_OK)
		return perr(lp, "too many %s", what);
	for (i = 0; i < s->n; i++)
		if (valid && !valid(s->v[i]))
			return perr(lp, "bad %s %.64s", what, s->v[i]);
	return PN_OK;
}

static int
set_str(struct lp *lp, char **dst, const char *v, const char *key)
{
	if (*dst)
		return perr(lp, "%s given twice", key);
	*dst = pn_xstrdup(v);
	return PN_OK;
}

static int
rule_key(struct lp *lp, struct rule *r, const char *k, const char *v)
{
	double d;

	if (strcmp(k, "on") == 0)
		return parse_clause(lp, r, v);
	if (strcmp(k, "name") == 0)
		return set_str(lp, &r->name, v, k);
	if (strcmp(k, "description") == 0)
		return set_str(lp, &r->desc, v, k);
	if (strcmp(k, "severity") == 0)
		return parse_sev(v, &r->sev) == PN_OK ? PN_OK : perr(lp, "bad severity %.32s", v);
	if (strcmp(k, "attack") == 0)
		return set_list(lp, &r->attack, v, valid_attack, "ATT&CK id");
	if (strcmp(k, "tags") == 0)
		return set_list(lp, &r->tags, v, valid_upper, "tag");
	if (strcmp(k, "verdict") == 0)
		return set_list(lp, &r->verdicts, v, valid_upper, "verdict");
	if (strcmp(k, "mbc") == 0)
		return set_list(lp, &r->mbc, v, NULL, "mbc id");
	if (strcmp(k, "match") == 0) {
		static const char *const kinds[] = { "any", "all", "count", "sequence" };
		size_t i;
		if (r->nc)
			return perr(lp, "match = must come before the on-lines");
		for (i = 0; i < PN_ARRAY_LEN(kinds); i++)
			if (strcmp(v, kinds[i]) == 0) {
				r->kind = (enum kind)i;
				return PN_OK;
			}
		return perr(lp, "bad match kind %.32s", v);
	}
	if (strcmp(k, "count") == 0) {
		if (parse_num(v, &d) != PN_OK || d < 1 || d > 1e6)
			return perr(lp, "bad count %.32s", v);
		r->count = (long)d;
		return PN_OK;
	}
	if (strcmp(k, "within") == 0) {
		if (parse_num(v, &d) != PN_OK || !(d > 0) || d > 86400)
			return perr(lp, "bad within %.32s", v);
		r->within = d;
		return PN_OK;
	}
	if (strcmp(k, "distinct") == 0)
		return set_str(lp, &r->distinct, v, k);
	if (strcmp(k, "scope") == 0) {
		if (strcmp(v, "tree") == 0)
			r->scope = SC_TREE;
		else if (strcmp(v, "pid") == 0)
			r->scope = SC_PID;
		else if (strcmp(v, "any") == 0)
			r->scope = SC_ANY;
		else
			return perr(lp, "bad scope %.32s", v);
		return PN_OK;
	}
	return perr(lp, "unknown key %.32s", k);
}

/* Checks when a [rule] section ends. */
static int
rule_close(struct lp *lp)
{
	struct rule *r = lp->cur;
	size_t i;

	if (r == NULL)
		return PN_OK;
	lp->cur = NULL;
	r->src = pn_buf_steal(&lp->src, NULL);
	if (r->src == NULL)
		r->src = pn_xstrdup("");
	lp->line = r->line;
	if (r->sev == SEV_NONE)
		return perr(lp, "rule %s: no severity", r->id);
	if (r->nc == 0)
		return perr(lp, "rule %s: no on-lines", r->id);
	if (r->kind == K_COUNT && r->count == 0)
		return perr(lp, "rule %s: match = count needs count =", r->id);
	if (r->kind != K_COUNT && (r->count || r->distinct))
		return perr(lp, "rule %s: count/distinct need match = count", r->id);
	if (r->kind == K_SEQ && (r->nc < 2 || r->within <= 0))
		return perr(lp, "rule %s: a sequence needs 2+ on-lines and within =", r->id);
	if (r->kind != K_SEQ && r->within > 0)
		return perr(lp, "rule %s: within needs match = sequence", r->id);
	if (r->name == NULL)
		r->name = pn_xstrdup(r->id);
	if (r->desc == NULL)
		r->desc = pn_xstrdup(r->name);
	for (i = 0; i + 1 < lp->rs->n; i++)
		if (strcmp(lp->rs->r[i].id, r->id) == 0)
			return perr(lp, "rule %s defined twice", r->id);
	return PN_OK;
}

static int
section(struct lp *lp, const char *s)
{
	size_t n = strlen(s);
	char id[256];
	int rc;

	if ((rc = rule_close(lp)) != PN_OK)
		return rc;
	lp->in_noise = 0;
	if (n < 2 || s[n - 1] != ']')
		return perr(lp, "bad section header");
	if (strcmp(s, "[noise]") == 0) {
		lp->in_noise = 1;
		return PN_OK;
	}
	if (strncmp(s, "[rule ", 6) != 0 || n - 7 >= sizeof(id))
		return perr(lp, "unknown section %.64s", s);
	memcpy(id, s + 6, n - 7);
	id[n - 7] = '\0';
	if (!valid_id(id))
		return perr(lp, "bad rule id %.64s", id);
	if (lp->rs->n >= PN_RULES_MAX_RULES)
		return PN_ELIMIT;
	if (lp->rs->n == lp->rs->cap) {
		lp->rs->cap = lp->rs->cap ? lp->rs->cap * 2 : 32;
		lp->rs->r = pn_xrealloc(lp->rs->r, lp->rs->cap * sizeof(struct rule));
	}
	lp->cur = &lp->rs->r[lp->rs->n++];
	memset(lp->cur, 0, sizeof(*lp->cur));
	lp->cur->id = pn_xstrdup(id);
	lp->cur->line = lp->line;
	pn_buf_release(&lp->src);
	pn_buf_printf(&lp->src, "[rule %s]\n", id);
	return PN_OK;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
one_line(struct lp *lp, char *raw)
{
	char *s = trim(raw), *eq, *k, *v;

	if (*s == '\0' || *s == '#')
		return PN_OK;
	if (*s == '[')
		return section(lp, s);
	if ((eq = strchr(s, '=')) == NULL)
		return perr(lp, "expected key = value");
	*eq = '\0';
	k = trim(s);
	v = trim(eq + 1);
	if (lp->in_noise) {
		if (strcmp(k, "path") != 0)
			return perr(lp, "[noise] takes path = lines");
		if (lp->rs->noise.n >= PN_BEH_MAX_NOISE)
			return PN_ELIMIT;
		strv_add(&lp->rs->noise, v, strlen(v));
		return PN_OK;
	}
	if (lp->cur == NULL)
		return perr(lp, "key outside a section");
	if (*v == '\0')
		return perr(lp, "empty value for %.32s", k);
	pn_buf_printf(&lp->src, "%s = %s\n", k, v);
	return rule_key(lp, lp->cur, k, v);
}

int
pn_rules_load_mem(const char *text, size_t len, const char *name, struct pn_rules **out,
    char *err, size_t errlen)
{
	struct lp lp;
	char line[PN_RULES_MAX_LINE];
	size_t i = 0;
	int rc = PN_OK;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > PN_RULES_MAX_FILE)
		return PN_ELIMIT;
	memset(&lp, 0, sizeof(lp));
	lp.name = name ? name : "rules";
	lp.err = err;
	lp.errlen = errlen;
	lp.rs = pn_xcalloc(1, sizeof(*lp.rs));
	pn_buf_init(&lp.src, PN_RULES_MAX_FILE);
	while (i < len && rc == PN_OK) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		lp.line++;
		if (n >= sizeof(line)) {
			rc = perr(&lp, "line longer than %d bytes", PN_RULES_MAX_LINE - 1);
			break;
		}
		if (memchr(text + i, '\0', n)) {
			rc = perr(&lp, "NUL byte");
			break;
		}
		memcpy(line, text + i, n);
		line[n] = '\0';
		rc = one_line(&lp, line);
		i += n + 1;
	}
	if (rc == PN_OK)
		rc = rule_close(&lp);
	pn_buf_release(&lp.src);
	if (rc == PN_ELIMIT && err && errlen && err[0] == '\0')
		snprintf(err, errlen, "%s:%d: over a limit", lp.name, lp.line);
	if (rc != PN_OK) {
		pn_rules_free(lp.rs);
		return rc;
	}
	*out = lp.rs;
	return PN_OK;
}

int
pn_rules_load(const char *path, struct pn_rules **out, char *err, size_t errlen)
{
	struct stat sb;
	char *text;
	ssize_t r;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PN_EIO;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)PN_RULES_MAX_FILE) {
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file under %u bytes", path,
			    PN_RULES_MAX_FILE);
		close(fd);
		return PN_ELIMIT;
	}
	text = pn_xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		r = read(fd, text + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = pn_rules_load_mem(text, got, path, out, err, errlen);
	free(text);
	return rc;
}

/* ------------------------------------------------------------ globs */

static int
fold(int c, int ci)
{
	return ci && c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/*
 * Does the single-character element at p ("?", "\\x", "[...]", or a
 * literal) match c?  *len gets the element's length.  An unterminated
 * "[" is a literal.
 */
static int
elem_match(const char *p, unsigned char c, int ci, size_t *len)
{
	const char *r, *q;
	int neg, hit = 0;

	if (*p == '?') {
		*len = 1;
		return 1;
	}
	if (*p == '\\') {         /* a lone final backslash matches nothing, as in fnmatch */
		*len = p[1] ? 2 : 1;
		return p[1] && fold((unsigned char)p[1], ci) == fold(c, ci);
	}
	r = p + 1;
	neg = *r == '!' || *r == '^';
	r += neg;
	/* the set ends at the first "]" after its first member ("[]a]" holds "]") */
	for (q = *r ? r + 1 : r; *q && *q != ']'; q++)
		if (*q == '\\' && q[1])
			q++;
	if (*p != '[' || *r == '\0' || *q != ']') {
		*len = 1;
		return fold((unsigned char)*p, ci) == fold(c, ci);
	}
	while (r < q) {
		int lo, hi;
		if (*r == '\\' && r + 1 < q)
			r++;
		lo = hi = fold((unsigned char)*r, ci);
		if (r + 2 < q && r[1] == '-') {
			r += 2;
			if (*r == '\\' && r + 1 < q)
				r++;
			hi = fold((unsigned char)*r, ci);
		}
		r++;
		if (fold(c, ci) >= lo && fold(c, ci) <= hi)
			hit = 1;
	}
	*len = (size_t)(q - p) + 1;
	return hit != neg;
}

/*
 * Glob match with "*", "?", "[a-z]", "[!x]" and "\\" escapes ("*" also
 * matches "/"), the fnmatch(3) subset the rule files use, without
 * recursion or locale: one backtrack point, so the worst case is
 * O(pattern x subject) and hostile 4 KiB command lines cannot stall the
 * evaluator (test_behavior times it).
 */
static int
glob_match(const char *p, const char *s, int ci)
{
	const char *star_p = NULL, *star_s = NULL;
	size_t len;

	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p && elem_match(p, (unsigned char)*s, ci, &len)) {
			p += len;
			s++;
			continue;
		}
		if (star_p == NULL)
			return 0;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int
pn__rules_noise(const struct pn_rules *rs, const char *path)
{
	size_t i;

	if (rs == NULL)
		return 0;
	for (i = 0; i < rs->noise.n; i++)
		if (glob_match(rs->noise.v[i], path, 0))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ field values */

struct symname {
	long v;
	const char *n;
};

static const struct symname ptrace_reqs[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" }, { 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" }, { 7, "PTRACE_CONT" }, { 8, "PTRACE_KILL" },
	{ 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 16, "PTRACE_ATTACH" }, { 17, "PTRACE_DETACH" }, { 0x4206, "PTRACE_SEIZE" },
	{ 0x4207, "PTRACE_INTERRUPT" }, { -1, NULL } };
static const struct symname prctl_ops[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 4, "PR_SET_DUMPABLE" }, { 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" }, { 22, "PR_SET_SECCOMP" }, { 36, "PR_SET_CHILD_SUBREAPER" },
	{ 38, "PR_SET_NO_NEW_PRIVS" }, { 0x59616d61, "PR_SET_PTRACER" }, { -1, NULL } };
static const struct symname signals[] = {
	{ 1, "SIGHUP" }, { 2, "SIGINT" }, { 3, "SIGQUIT" }, { 6, "SIGABRT" }, { 9, "SIGKILL" },
	{ 10, "SIGUSR1" }, { 11, "SIGSEGV" }, { 12, "SIGUSR2" }, { 13, "SIGPIPE" },
	{ 14, "SIGALRM" }, { 15, "SIGTERM" }, { 17, "SIGCHLD" }, { 18, "SIGCONT" },
	{ 19, "SIGSTOP" }, { -1, NULL } };

static const char *
symname(const struct symname *t, long v)
{
	for (; t->n; t++)
		if (t->v == v)
			return t->n;
	return NULL;
}

/* x86-64 open(2) flags in symbolic form, e.g. O_WRONLY|O_CREAT|O_TRUNC. */
static void
open_flags(long f, char *buf, size_t len)
{
	static const struct symname bits[] = {
		{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" },
		{ 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" }, { 0200000, "O_DIRECTORY" },
		{ 0400000, "O_NOFOLLOW" }, { 02000000, "O_CLOEXEC" }, { -1, NULL } };
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	const struct symname *b;
	size_t n;

	pn_strlcpy(buf, acc[f & 3], len);
	for (b = bits; b->n; b++) {
		if (!(f & b->v))
			continue;
		n = strlen(buf);
		snprintf(buf + n, len - n, "|%s", b->n);
	}
}

static int
open_writes(struct json_object *o)
{
	struct json_object *f;

	if (!json_object_object_get_ex(o, "flags", &f))
		return 0;
	if (json_object_is_type(f, json_type_int)) {
		int64_t v = json_object_get_int64(f);
		return (v & 3) != 0 || (v & (0100 | 01000 | 02000)) != 0;
	}
	if (json_object_is_type(f, json_type_string)) {
		const char *s = json_object_get_string(f);
		return strstr(s, "O_WRONLY") || strstr(s, "O_RDWR") || strstr(s, "O_CREAT") ||
		    strstr(s, "O_TRUNC") || strstr(s, "O_APPEND");
	}
	return 0;
}

static const char *
ev_path(const struct pn__bev *e)
{
	struct json_object *v;

	if ((json_object_object_get_ex(e->o, "path", &v) || json_object_object_get_ex(e->o, "to", &v)) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* A JSON scalar as text (buf for numbers); NULL for null/absent. */
static const char *
scalar(struct json_object *v, char *buf, size_t len)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_get_string(v);
	case json_type_int:
		snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
		return buf;
	case json_type_double:
		snprintf(buf, len, "%g", json_object_get_double(v));
		return buf;
	case json_type_boolean:
		return json_object_get_boolean(v) ? "true" : "false";
	case json_type_null:
		return NULL;
	default:
		return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	}
}

static struct json_object *
raw_field(struct json_object *o, const char *field)
{
	struct json_object *v;
	const char *dot = strchr(field, '.');
	char head[128];

	if (json_object_object_get_ex(o, field, &v))
		return v;
	if (dot == NULL || (size_t)(dot - field) >= sizeof(head))
		return NULL;
	memcpy(head, field, (size_t)(dot - field));
	head[dot - field] = '\0';
	if (!json_object_object_get_ex(o, head, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return json_object_object_get_ex(v, dot + 1, &v) ? v : NULL;
}

/* The text value of field of e (pseudo fields included), or NULL. */
static const char *
field_str(const struct pn__bset *s, const struct pn__bev *e, const char *f, char *buf, size_t len)
{
	struct json_object *v;
	const char *p;

	if (strcmp(f, "ev") == 0)
		return e->ev;
	if (strcmp(f, "argv") == 0)
		return e->argv;
	if (f[0] == 'a' && f[1] == 'r' && f[2] == 'g' && isdigit((unsigned char)f[3]) && f[4] == '\0') {
		if (!json_object_object_get_ex(e->o, "argv", &v) || !json_object_is_type(v, json_type_array) ||
		    (size_t)(f[3] - '0') >= json_object_array_length(v))
			return NULL;
		return scalar(json_object_array_get_idx(v, (size_t)(f[3] - '0')), buf, len);
	}
	if (strcmp(f, "name") == 0)
		return (p = ev_path(e)) ? base_name(p) : NULL;
	if (strcmp(f, "access") == 0)
		return strcmp(e->ev, "open") == 0 ? (open_writes(e->o) ? "write" : "read") : NULL;
	if (strcmp(f, "created") == 0)
		return e->created ? "true" : "false";
	if (strcmp(f, "image") == 0)
		return e->image;
	/* sample: the path is the sample's; self: the sample's or this process's image */
	if (strcmp(f, "sample") == 0 || strcmp(f, "self") == 0) {
		p = ev_path(e);
		if (p && s->sample && strcmp(p, s->sample) == 0)
			return "true";
		if (p && strcmp(f, "self") == 0 && e->image && strcmp(p, e->image) == 0)
			return "true";
		return "false";
	}
	if ((v = raw_field(e->o, f)) == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_int)) {
		long iv = (long)json_object_get_int64(v);
		const char *n = NULL;
		if (strcmp(f, "flags") == 0 && strcmp(e->ev, "open") == 0) {
			open_flags(iv, buf, len);
			return buf;
		}
		if (strcmp(f, "req") == 0 && strcmp(e->ev, "ptrace") == 0)
			n = symname(ptrace_reqs, iv);
		else if (strcmp(f, "op") == 0 && strcmp(e->ev, "prctl") == 0)
			n = symname(prctl_ops, iv);
		else if (strcmp(f, "sig") == 0 || strcmp(f, "signal") == 0)
			n = symname(signals, iv);
		if (n)
			return n;
	}
	return scalar(v, buf, len);
}

static int
field_num(const struct pn__bev *e, const char *f, double *out)
{
	struct json_object *v = raw_field(e->o, f);
	char *end;

	if (strcmp(f, "t") == 0) {
		*out = e->t;
		return 1;
	}
	if (v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = (double)json_object_get_int64(v);
		return 1;
	case json_type_double:
		*out = json_object_get_double(v);
		return 1;
	case json_type_boolean:
		*out = json_object_get_boolean(v);
		return 1;
	case json_type_string:
		errno = 0;
		*out = (double)strtoll(json_object_get_string(v), &end, 0);
		return errno == 0 && end != json_object_get_string(v) && *end == '\0';
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ matching */

struct bind {
	char *val[PN_RULES_MAX_VARS];
};

static void
bind_clear(struct bind *b)
{
	size_t i;

	for (i = 0; i < PN_RULES_MAX_VARS; i++) {
		free(b->val[i]);
		b->val[i] = NULL;
	}
}

static int
glob_any(const struct strv *alt, const char *s, int ci)
{
	size_t i;

	for (i = 0; i < alt->n; i++)
		if (glob_match(alt->v[i], s, ci))
			return 1;
	return 0;
}

static int
str_test(const struct pred *p, const char *s)
{
	switch (p->op) {
	case OP_GLOB:
		return s && glob_any(&p->alt, s, 0);
	case OP_IGLOB:
		return s && glob_any(&p->alt, s, 1);
	case OP_NGLOB:
		return s == NULL || !glob_any(&p->alt, s, 0);
	default:
		return 0;
	}
}

static int
pred_match(const struct pn__bset *s, const struct pn__bev *e, const struct pred *p, struct bind *b,
    int *bound)
{
	char buf[256];
	const char *v;
	double d;

	if (p->arr) {
		struct json_object *a = raw_field(e->o, p->field);
		size_t i, n;
		int neg = p->op == OP_NGLOB;
		if (a == NULL || !json_object_is_type(a, json_type_array))
			return neg;
		n = json_object_array_length(a);
		for (i = 0; i < n; i++) {
			struct pred pos = *p;
			pos.op = neg ? OP_GLOB : p->op;
			v = scalar(json_object_array_get_idx(a, i), buf, sizeof(buf));
			if (p->op <= OP_IGLOB && str_test(&pos, v))
				return !neg;
		}
		return neg;
	}
	switch (p->op) {
	case OP_GLOB:
	case OP_NGLOB:
	case OP_IGLOB:
		return str_test(p, field_str(s, e, p->field, buf, sizeof(buf)));
	case OP_VAR:
		if ((v = field_str(s, e, p->field, buf, sizeof(buf))) == NULL)
			return 0;
		if (b == NULL)
			return 1;
		if (b->val[p->var])
			return strcmp(b->val[p->var], v) == 0;
		b->val[p->var] = pn_xstrdup(v);
		*bound |= 1 << p->var;
		return 1;
	default:
		break;
	}
	if (!field_num(e, p->field, &d))
		return 0;
	switch (p->op) {
	case OP_MASK:
		return d >= 0 && d < 9.2e18 && ((int64_t)d & (int64_t)p->num) != 0;
	case OP_GE:
		return d >= p->num;
	case OP_LE:
		return d <= p->num;
	case OP_GT:
		return d > p->num;
	case OP_LT:
		return d < p->num;
	default:
		return 0;
	}
}

/* Whether e matches c; b (may be NULL) gets new captures, undone on failure. */
static int
clause_match(const struct pn__bset *s, const struct pn__bev *e, const struct clause *c, struct bind *b)
{
	size_t i;
	int bound = 0, ok = 0;

	for (i = 0; i < c->evs.n; i++)
		if (strcmp(c->evs.v[i], "*") == 0 || strcmp(c->evs.v[i], e->ev) == 0)
			ok = 1;
	if (!ok)
		return 0;
	for (i = 0; i < c->np; i++)
		if (!pred_match(s, e, &c->p[i], b, &bound))
			break;
	if (i == c->np)
		return 1;
	for (i = 0; b && i < PN_RULES_MAX_VARS; i++)
		if (bound & (1 << i)) {
			free(b->val[i]);
			b->val[i] = NULL;
		}
	return 0;
}

/* ------------------------------------------------------------ evidence */

static void
evid_cut(char *s)
{
	size_t n = strlen(s);

	if (n <= PN_RULES_MAX_EVID_LEN)
		return;
	n = PN_RULES_MAX_EVID_LEN;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

static const char *
ostr(struct json_object *o, const char *k, char *buf, size_t len)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, k, &v) || (s = scalar(v, buf, len)) == NULL)
		return "?";
	return s;
}

const char *
pn__bev_evidence(struct pn__bev *e)
{
	char b1[256], b2[256], b3[256];
	struct pn__bset dummy;
	const char *ev = e->ev;
	char *s;

	if (e->evid)
		return e->evid;
	memset(&dummy, 0, sizeof(dummy));
	if (strcmp(ev, "exec") == 0)
		s = pn_xasprintf("execve %s %s", ostr(e->o, "path", b1, sizeof(b1)), e->argv ? e->argv : "");
	else if (strcmp(ev, "open") == 0)
		s = pn_xasprintf("openat %s %s", ostr(e->o, "path", b1, sizeof(b1)),
		    field_str(&dummy, e, "flags", b2, sizeof(b2)) ?: "?");
	else if (strcmp(ev, "write_sum") == 0)
		s = pn_xasprintf("write %s %s bytes magic %s", ostr(e->o, "path", b1, sizeof(b1)),
		    ostr(e->o, "bytes", b2, sizeof(b2)), ostr(e->o, "magic", b3, sizeof(b3)));
	else if (strcmp(ev, "rename") == 0)
		s = pn_xasprintf("rename %s -> %s", ostr(e->o, "from", b1, sizeof(b1)),
		    ostr(e->o, "to", b2, sizeof(b2)));
	else if (strcmp(ev, "chmod") == 0) {
		double m = 0;
		field_num(e, "mode", &m);
		s = pn_xasprintf("chmod %s %04llo", ostr(e->o, "path", b1, sizeof(b1)),
		    (unsigned long long)(m >= 0 && m < 1e9 ? m : 0));
	} else if (strcmp(ev, "connect") == 0 || strcmp(ev, "send_udp") == 0 || strcmp(ev, "bind") == 0)
		s = pn_xasprintf("%s %s %s:%s", ev, ostr(e->o, "proto", b1, sizeof(b1)),
		    ostr(e->o, "ip", b2, sizeof(b2)), ostr(e->o, "port", b3, sizeof(b3)));
	else if (strcmp(ev, "dns") == 0)
		s = pn_xasprintf("dns %s %s", ostr(e->o, "type", b1, sizeof(b1)), ostr(e->o, "q", b2, sizeof(b2)));
	else if (strcmp(ev, "http") == 0)
		s = pn_xasprintf("http %s %s", ostr(e->o, "method", b1, sizeof(b1)), ostr(e->o, "url", b2, sizeof(b2)));
	else if (strcmp(ev, "ptrace") == 0)
		s = pn_xasprintf("ptrace %s pid %s", field_str(&dummy, e, "req", b1, sizeof(b1)) ?: "?",
		    ostr(e->o, "target", b2, sizeof(b2)));
	else if (strcmp(ev, "prctl") == 0)
		s = pn_xasprintf("prctl %s %s", field_str(&dummy, e, "op", b1, sizeof(b1)) ?: "?",
		    ostr(e->o, "arg", b2, sizeof(b2)));
	else if (strcmp(ev, "kill") == 0)
		s = pn_xasprintf("kill pid %s %s", ostr(e->o, "target", b1, sizeof(b1)),
		    field_str(&dummy, e, "sig", b2, sizeof(b2)) ?: "?");
	else if (strcmp(ev, "sleep") == 0)
		s = pn_xasprintf("sleep %s s (granted %s s)", ostr(e->o, "req", b1, sizeof(b1)),
		    ostr(e->o, "granted", b2, sizeof(b2)));
	else if (strcmp(ev, "uname") == 0 || strcmp(ev, "sysinfo") == 0 || strcmp(ev, "listen") == 0)
		s = pn_xstrdup(ev);
	else if (strcmp(ev, "unlink") == 0 || strcmp(ev, "mkdir") == 0)
		s = pn_xasprintf("%s %s", ev, ostr(e->o, "path", b1, sizeof(b1)));
	else {
		struct json_object *c = json_object_new_object();
		json_object_object_foreach(e->o, k, v) {
			if (strcmp(k, "t") && strcmp(k, "pid") && strcmp(k, "tid") && strcmp(k, "ppid") &&
			    strcmp(k, "comm") && strcmp(k, "ev"))
				json_object_object_add(c, k, json_object_get(v));
		}
		s = pn_xasprintf("%s %s", ev, json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN));
		json_object_put(c);
	}
	evid_cut(s);
	e->evid = s;
	return s;
}

/* ------------------------------------------------------------ evaluation */

struct hit {
	struct json_object *evid;   /* array of evidence strings */
	struct json_object *seen;   /* set of them */
	size_t matches;
};

static void
hit_add(struct hit *h, const char *s)
{
	if (h->evid == NULL) {          /* most rules never fire: allocate on the first match */
		h->evid = json_object_new_array();
		h->seen = json_object_new_object();
	}
	h->matches++;
	if (json_object_array_length(h->evid) >= PN_RULES_MAX_EVIDENCE ||
	    json_object_object_get_ex(h->seen, s, NULL))
		return;
	json_object_object_add(h->seen, s, NULL);
	json_object_array_add(h->evid, json_object_new_string(s));
}

static int
eval_any(const struct rule *r, struct pn__bset *s, struct hit *h)
{
	size_t i, k;

	for (i = 0; i < s->n; i++)
		for (k = 0; k < r->nc; k++)
			if (clause_match(s, &s->v[i], &r->c[k], NULL)) {
				hit_add(h, pn__bev_evidence(&s->v[i]));
				break;
			}
	return h->matches > 0;
}

static int
eval_all(const struct rule *r, struct pn__bset *s, struct hit *h)
{
	size_t i, k, got = 0;
	long first[PN_RULES_MAX_CLAUSES];

	for (k = 0; k < r->nc; k++)
		first[k] = -1;
	for (i = 0; i < s->n && got < r->nc; i++)
		for (k = 0; k < r->nc; k++)
			if (first[k] < 0 && clause_match(s, &s->v[i], &r->c[k], NULL)) {
				first[k] = (long)i;
				got++;
			}
	if (got < r->nc)
		return 0;
	for (k = 0; k < r->nc; k++)
		hit_add(h, pn__bev_evidence(&s->v[first[k]]));
	return 1;
}

static int
eval_count(const struct rule *r, struct pn__bset *s, struct hit *h)
{
	struct json_object *distinct = NULL;
	size_t i, k, n = 0;
	char buf[256], *line;
	int fired;

	for (i = 0; i < s->n; i++)
		for (k = 0; k < r->nc; k++) {
			const char *v;
			if (!clause_match(s, &s->v[i], &r->c[k], NULL))
				continue;
			if (r->distinct) {
				if (distinct == NULL)
					distinct = json_object_new_object();
				v = field_str(s, &s->v[i], r->distinct, buf, sizeof(buf));
				if (v == NULL || json_object_object_get_ex(distinct, v, NULL))
					break;
				if (json_object_object_length(distinct) < PN_BEH_MAX_LIST)
					json_object_object_add(distinct, v, NULL);
			}
			n++;
			if (h->evid == NULL || json_object_array_length(h->evid) + 1 < PN_RULES_MAX_EVIDENCE)
				hit_add(h, pn__bev_evidence(&s->v[i]));
			break;
		}
	json_object_put(distinct);
	fired = n >= (size_t)r->count;
	if (fired) {
		line = pn_xasprintf("%zu matching events%s%s (threshold %ld)", n,
		    r->distinct ? " with distinct " : "", r->distinct ? r->distinct : "", r->count);
		json_object_array_add(h->evid, json_object_new_string(line));
		free(line);
		h->matches = n;
	}
	return fired;
}

static int
is_desc(struct pn__bset *s, int64_t pid, int64_t anc)
{
	int depth;

	for (depth = 0; depth < PN_BEH_MAX_TREE_DEPTH; depth++) {
		long i;
		if (pid == anc)
			return 1;
		if ((i = pn__proc_get(s, pid, 0)) < 0 || s->procs[i].ppid == pid)
			return 0;
		pid = s->procs[i].ppid;
	}
	return 0;
}

/* Whether event b may continue a sequence started by event a. */
static int
related(struct pn__bset *s, enum scope sc, const struct pn__bev *a, const struct pn__bev *b)
{
	long i;

	if (sc == SC_ANY || a->pid == b->pid)
		return 1;
	if (sc == SC_PID)
		return 0;
	i = pn__proc_get(s, a->pid, 0);
	return is_desc(s, b->pid, i >= 0 ? s->procs[i].ppid : a->pid) || is_desc(s, b->pid, a->pid);
}

struct cand {
	size_t *v;
	size_t n;
};

/* Try to complete the sequence whose first step is event c0; 1 on success. */
static int
seq_from(const struct rule *r, struct pn__bset *s, struct cand *cd, size_t c0, struct pn_buf *ev)
{
	struct bind b;
	size_t k, j, prev = c0;
	const struct pn__bev *e0 = &s->v[c0];
	int ok = 1;

	memset(&b, 0, sizeof(b));
	clause_match(s, e0, &r->c[0], &b);
	pn_buf_reset(ev);
	pn_buf_puts(ev, pn__bev_evidence(&s->v[c0]));
	for (k = 1; k < r->nc && ok; k++) {
		ok = 0;
		for (j = 0; j < cd[k].n; j++) {
			const struct pn__bev *e = &s->v[cd[k].v[j]];
			if (cd[k].v[j] <= prev)
				continue;
			if (e->t - e0->t > r->within)
				break;
			if (!related(s, r->scope, e0, e) || !clause_match(s, e, &r->c[k], &b))
				continue;
			prev = cd[k].v[j];
			pn_buf_puts(ev, " -> ");
			pn_buf_puts(ev, pn__bev_evidence(&s->v[prev]));
			ok = 1;
			break;
		}
	}
	bind_clear(&b);
	return ok;
}

static int
eval_seq(const struct rule *r, struct pn__bset *s, struct hit *h)
{
	struct cand cd[PN_RULES_MAX_CLAUSES];
	struct pn_buf ev;
	size_t i, k;

	pn_buf_init(&ev, (size_t)PN_RULES_MAX_CLAUSES * (PN_RULES_MAX_EVID_LEN + 8));
	for (k = 0; k < r->nc; k++) {
		cd[k].v = NULL;
		cd[k].n = 0;
	}
	for (i = 0; i < s->n; i++)
		for (k = 0; k < r->nc; k++) {
			if (cd[k].n >= PN_RULES_MAX_SEQ_CAND || !clause_match(s, &s->v[i], &r->c[k], NULL))
				continue;
			if ((cd[k].n & (cd[k].n - 1)) == 0)     /* 0, 1, 2, 4, ...: grow */
				cd[k].v = pn_xrealloc(cd[k].v, (cd[k].n ? 2 * cd[k].n : 1) * sizeof(size_t));
			cd[k].v[cd[k].n++] = i;
		}
	for (i = 0; i < cd[0].n && i < PN_RULES_MAX_SEQ_START; i++) {
		if (!seq_from(r, s, cd, cd[0].v[i], &ev))
			continue;
		evid_cut(ev.p);
		hit_add(h, ev.p);
	}
	for (k = 0; k < r->nc; k++)
		free(cd[k].v);
	pn_buf_release(&ev);
	return h->matches > 0;
}

/* ------------------------------------------------------------ report output */

static void
set_add(struct json_object *report, const char *key, const char *v)
{
	struct json_object *a;
	size_t i, n;

	if (!json_object_object_get_ex(report, key, &a)) {
		a = json_object_new_array();
		json_object_object_add(report, key, a);
	}
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), v) == 0)
			return;
	if (n < PN_BEH_MAX_LIST)
		json_object_array_add(a, json_object_new_string(v));
}

static struct json_object *
arr_of(struct json_object *report, const char *key)
{
	struct json_object *a;

	if (!json_object_object_get_ex(report, key, &a)) {
		a = json_object_new_array();
		json_object_object_add(report, key, a);
	}
	return a;
}

static struct json_object *
strv_json(const struct strv *v)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < v->n; i++)
		json_object_array_add(a, json_object_new_string(v->v[i]));
	return a;
}

static void
emit(const struct rule *r, struct hit *h, struct json_object *report, const char *format)
{
	struct json_object *sm = json_object_new_object(), *authors = json_object_new_array();
	size_t i, k;

	json_object_object_add(sm, "id", json_object_new_string(r->id));
	json_object_object_add(sm, "format", json_object_new_string(format));
	json_object_object_add(sm, "name", json_object_new_string(r->name));
	json_object_object_add(sm, "description", json_object_new_string(r->desc));
	json_object_array_add(authors, json_object_new_string("Panoptes"));
	json_object_object_add(sm, "authors", authors);
	json_object_object_add(sm, "severity", json_object_new_string(sev_names[r->sev]));
	json_object_object_add(sm, "match_data", json_object_get(h->evid));
	json_object_object_add(sm, "rule_src", json_object_new_string(r->src));
	if (r->attack.n)
		json_object_object_add(sm, "attack", strv_json(&r->attack));
	json_object_array_add(arr_of(report, "signature_matches"), sm);

	for (i = 0; i < r->attack.n; i++) {
		struct json_object *t = json_object_new_object(), *refs = json_object_new_array(), *ref;
		json_object_object_add(t, "id", json_object_new_string(r->attack.v[i]));
		json_object_object_add(t, "signature_description", json_object_new_string(r->desc));
		json_object_object_add(t, "severity", json_object_new_string(sev_names[r->sev]));
		ref = json_object_new_object();
		json_object_object_add(ref, "ref", json_object_new_string("#signature_matches"));
		json_object_object_add(ref, "value", json_object_new_string(r->id));
		json_object_array_add(refs, ref);
		for (k = 0; k < json_object_array_length(h->evid); k++) {
			ref = json_object_new_object();
			json_object_object_add(ref, "ref", json_object_new_string("#match_data"));
			json_object_object_add(ref, "value", json_object_get(json_object_array_get_idx(h->evid, k)));
			json_object_array_add(refs, ref);
		}
		json_object_object_add(t, "refs", refs);
		json_object_array_add(arr_of(report, "mitre_attack_techniques"), t);
	}
	for (i = 0; i < r->mbc.n; i++) {
		struct json_object *m = json_object_new_object();
		json_object_object_add(m, "id", json_object_new_string(r->mbc.v[i]));
		json_object_array_add(arr_of(report, "mbc"), m);
	}
	for (i = 0; i < r->tags.n; i++)
		set_add(report, "tags", r->tags.v[i]);
	for (i = 0; i < r->verdicts.n; i++)
		set_add(report, "verdicts", r->verdicts.v[i]);
}

size_t
pn__rules_eval(const struct pn_rules *rs, struct pn__bset *s, struct json_object *report,
    const char *format, struct json_object *fired)
{
	size_t i, nfired = 0;

	arr_of(report, "signature_matches");
	arr_of(report, "mitre_attack_techniques");
	arr_of(report, "tags");
	arr_of(report, "verdicts");
	for (i = 0; rs && i < rs->n; i++) {
		const struct rule *r = &rs->r[i];
		struct hit h;
		int ok;

		h.evid = NULL;
		h.seen = NULL;
		h.matches = 0;
		switch (r->kind) {
		case K_ALL:
			ok = eval_all(r, s, &h);
			break;
		case K_COUNT:
			ok = eval_count(r, s, &h);
			break;
		case K_SEQ:
			ok = eval_seq(r, s, &h);
			break;
		default:
			ok = eval_any(r, s, &h);
			break;
		}
		if (ok) {
			emit(r, &h, report, format);
			if (fired)
				json_object_array_add(fired, json_object_new_string(r->id));
			nfired++;
		}
		json_object_put(h.evid);
		json_object_put(h.seen);
	}
	return nfired;
}
