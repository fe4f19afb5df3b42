/*
 * test_netengines.c - URL/domain/IP engines: feed formats and matching,
 * the engine set (columns, type-unsupported, failure, reload), every
 * heuristic signal, 200+ ordinary URLs (no malicious verdict), and the
 * load time of 1M-line feeds.  Feed files are generated in a temporary
 * directory.
 *
 * SPDX-License-Identifier: MIT
 */
#include "netengine.h"
#include "conf.h"
#include "url.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#if defined(__SANITIZE_ADDRESS__)
#define BIG_LINES 100000
#else
#define BIG_LINES 1000000
#endif

static char dir[64];

static const char *
path_of(const char *name)
{
	static char buf[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void
write_file(const char *name, const char *text)
{
	FILE *fp = fopen(path_of(name), "w");

	if (fp == NULL)
		exit(2);
	fputs(text, fp);
	fclose(fp);
}

static struct pn_netfeed *
feed_of(enum pn_netfeed_format fmt, const char *text)
{
	struct pn_netfeed *f = pn_netfeed_new(fmt, 1000);

	if (pn_netfeed_parse(f, text, strlen(text)) != PN_OK)
		diag("parse failed");
	return f;
}

/* Look a URL up in f; returns the "how" of the hit or NULL. */
static const char *
url_hit(const struct pn_netfeed *f, const char *url, struct pn_netfeed_hit *hit)
{
	static char how[32];
	struct pn_url u;
	struct pn_net_target t;
	int m;

	memset(&u, 0, sizeof(u));
	if (pn_url_parse(url, &u, NULL, 0) != PN_OK) {
		diag("cannot parse %s", url);
		return NULL;
	}
	pn_net_target_url(&t, &u);
	m = pn_netfeed_match(f, &t, hit);
	pn_strlcpy(how, m ? hit->how : "", sizeof(how));
	pn_url_free(&u);
	return m ? how : NULL;
}

static int
name_hit(const struct pn_netfeed *f, const char *name)
{
	struct pn_net_target t;
	struct pn_netfeed_hit hit;

	pn_net_target_domain(&t, name);
	return pn_netfeed_match(f, &t, &hit);
}

static int
ip_hit(const struct pn_netfeed *f, const char *ip, struct pn_netfeed_hit *hit)
{
	struct pn_net_target t;

	pn_net_target_ip(&t, ip);
	return pn_netfeed_match(f, &t, hit);
}

static void
test_url_lists(void)
{
	struct pn_netfeed_hit hit;
	struct pn_netfeed_stats st;
	struct pn_netfeed *f;

	f = feed_of(PN_NETFEED_URLS, "# comment\n\nhttp://Evil.Example/Login.php\t# x\n"
	    "https://phish.example/kit/\nhttp://EVIL.example/Login.php\nftp://files.example/x\n"
	    "http://site.example/\r\n");
	pn_netfeed_get_stats(f, &st);
	is_int(st.entries, 3, "urls: 3 distinct entries");
	is_int(st.duplicates, 1, "urls: duplicate counted");
	is_int(st.malformed, 1, "urls: malformed line counted");
	is_str(url_hit(f, "http://evil.example/Login.php", &hit), "exact", "urls: exact (host case folded)");
	is_int(hit.line, 3, "urls: line of the entry");
	is_str(hit.label, "malicious", "urls: label malicious");
	is_str(url_hit(f, "https://evil.example/Login.php", &hit), "exact", "urls: https twin of an http entry");
	is_str(url_hit(f, "http://evil.example/Login.php?a=1#f", &hit), "without-query", "urls: query ignored");
	ok(url_hit(f, "http://evil.example/Login.phpx", &hit) == NULL, "urls: longer path does not match");
	ok(url_hit(f, "http://evil.example/", &hit) == NULL, "urls: the host alone does not match");
	is_str(url_hit(f, "http://phish.example/kit/a/b.html?x=1", &hit), "path-prefix", "urls: directory entry matches below it");
	ok(url_hit(f, "http://phish.example/kitten/", &hit) == NULL, "urls: directory entry is a whole segment");
	is_str(url_hit(f, "http://site.example/any/thing", &hit), "path-prefix", "urls: site root entry lists the site");
	ok(url_hit(f, "http://other.example/kit/", &hit) == NULL, "urls: other host");
	ok(!name_hit(f, "evil.example"), "urls: a domain target is not judged by URL feeds");
	is_int(pn_netfeed_kinds(f), PN_OBJ_URL, "urls: kinds URL");
	pn_netfeed_free(f);

	f = feed_of(PN_NETFEED_AUTO, "# URLhaus online URLs (plain text)\n#\nhttp://dl.example/x.exe\n");
	is_str(url_hit(f, "http://dl.example/x.exe", &hit), "exact", "urlhaus text export: plain URL lines");
	is_str(hit.label, "malware", "urlhaus text export: label malware");
	pn_netfeed_free(f);

	f = feed_of(PN_NETFEED_OPENPHISH, "https://login.bank.example/secure/\n");
	is_str(url_hit(f, "https://login.bank.example/secure/index.html", &hit), "path-prefix", "openphish: prefix");
	is_str(hit.label, "phishing", "openphish: label phishing");
	pn_netfeed_free(f);
}

static void
test_urlhaus(void)
{
	struct pn_netfeed_hit hit;
	struct pn_netfeed_stats st;
	struct pn_netfeed *f;
	const char *text =
	    "################################################################\n"
	    "# abuse.ch URLhaus Database Dump (CSV)                         #\n"
	    "################################################################\n"
	    "#\n"
	    "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
	    "\"3001\",\"2026-12-01 10:00:00\",\"http://198.51.100.7:8080/bins/x.arm7\",\"online\",\"2026-12-01 10:00:00\",\"malware_download\",\"elf,mirai\",\"https://urlhaus.example/url/3001/\",\"r1\"\n"
	    "\"3002\",\"2026-12-01 10:00:00\",\"http://dl.example/a \"\"b\"\".exe\",\"offline\",\"\",\"\",\"exe,AgentTesla\",\"x\",\"r2\"\n"
	    "\"3003\",\"2026-12-01 10:00:00\",\"http://dl.example/dir/\",\"online\",\"\",\"\",\"\",\"x\",\"r3\"\n"
	    "\"3004\",\"unterminated\n";

	f = feed_of(PN_NETFEED_AUTO, text);
	pn_netfeed_get_stats(f, &st);
	is_int(st.format, PN_NETFEED_URLHAUS, "urlhaus: auto-detected from the comment header");
	is_int(st.entries, 3, "urlhaus: 3 entries");
	is_int(st.malformed, 1, "urlhaus: unterminated quote is malformed");
	is_str(url_hit(f, "http://198.51.100.7:8080/bins/x.arm7", &hit), "exact", "urlhaus: exact");
	is_str(hit.label, "malware_download", "urlhaus: label from threat");
	is_str(hit.extra, "tags: elf,mirai", "urlhaus: tags kept");
	is_str(url_hit(f, "http://dl.example/a%20%22b%22.exe", &hit), "exact", "urlhaus: quoted field with \"\"");
	is_str(hit.label, "exe", "urlhaus: label from the first tag without threat");
	ok(url_hit(f, "http://dl.example/dir/sub/x.exe", &hit) == NULL, "urlhaus: no prefix matching");
	is_str(url_hit(f, "http://dl.example/dir/", &hit), "exact", "urlhaus: dir entry itself");
	is_str(hit.label, "malware", "urlhaus: default label");
	pn_netfeed_free(f);
}

static void
test_phishtank(void)
{
	struct pn_netfeed_hit hit;
	struct pn_netfeed *f;

	f = feed_of(PN_NETFEED_AUTO,
	    "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
	    "123,https://secure-pay.example/signin?x=1,http://pt.example/123,2026-12-01T00:00:00+00:00,yes,2026-12-01T00:00:00+00:00,yes,PayPal\n"
	    "124,\"http://o.example/a,b\",http://pt.example/124,t,yes,t,yes,Other\n");
	is_int(pn_netfeed_kinds(f), PN_OBJ_URL, "phishtank: kinds URL");
	is_str(url_hit(f, "https://secure-pay.example/signin?x=1", &hit), "exact", "phishtank: exact");
	is_str(hit.label, "phishing", "phishtank: label");
	is_str(hit.extra, "target: PayPal", "phishtank: target brand");
	is_str(url_hit(f, "http://o.example/a,b", &hit), "exact", "phishtank: quoted comma");
	ok(hit.extra == NULL, "phishtank: target Other dropped");
	pn_netfeed_free(f);
}

static void
test_domains(void)
{
	struct pn_netfeed_hit hit;
	struct pn_netfeed_stats st;
	struct pn_netfeed *f;
	const char *text = "# hosts\n127.0.0.1 localhost\n0.0.0.0 Evil.Example. ads.example # c\n"
	    "::1 ip6-localhost\n||tracker.example^\n*.wild.example\nbad_name!\n0.0.0.0\n";

	f = feed_of(PN_NETFEED_DOMAINS, text);
	pn_netfeed_get_stats(f, &st);
	is_int(st.entries, 4, "domains: 4 names (hosts, adblock, wildcard)");
	is_int(st.malformed, 2, "domains: bad name and bare address are malformed");
	ok(name_hit(f, "evil.example"), "domains: exact");
	ok(name_hit(f, "a.b.evil.example"), "domains: subdomain matches");
	ok(!name_hit(f, "notevil.example"), "domains: suffix without dot does not match");
	ok(!name_hit(f, "example"), "domains: parent does not match");
	ok(name_hit(f, "x.wild.example"), "domains: *. entry");
	ok(name_hit(f, "tracker.example"), "domains: adblock entry");
	is_str(url_hit(f, "https://www.evil.example/x", &hit), "parent-domain", "domains: URL host matches");
	ok(!ip_hit(f, "1.2.3.4", &hit), "domains: IP target not judged");
	is_int(pn_netfeed_kinds(f), PN_OBJ_URL | PN_OBJ_DOMAIN, "domains: kinds URL|DOMAIN");
	pn_netfeed_free(f);

	f = feed_of(PN_NETFEED_AUTO, "0.0.0.0 evil.example\n");
	pn_netfeed_get_stats(f, &st);
	is_int(st.format, PN_NETFEED_HOSTS, "hosts: auto-detected");
	ok(name_hit(f, "evil.example"), "hosts: exact");
	ok(!name_hit(f, "www.evil.example"), "hosts: no subdomain matching");
	pn_netfeed_free(f);

	f = feed_of(PN_NETFEED_AUTO, "evil.example\n");
	pn_netfeed_get_stats(f, &st);
	is_int(st.format, PN_NETFEED_DOMAINS, "domains: auto-detected");
	pn_netfeed_free(f);
}

static void
test_cidr(void)
{
	struct pn_netfeed_hit hit;
	struct pn_netfeed_stats st;
	struct pn_netfeed *f;
	const char *text = "; Spamhaus DROP List\n; Last-Modified: x\n"
	    "192.0.2.0/24 ; SBL100\n198.51.100.0/22 ; SBL101\n198.51.100.128/25 ; SBL102\n"
	    "203.0.113.9\n2001:db8:bad::/48 ; SBL103\n10.0.0.0/33 ; bad\n192.0.2.0/24 ; dup\n"
	    "0.0.0.0/0x\n";

	f = feed_of(PN_NETFEED_AUTO, text);
	pn_netfeed_get_stats(f, &st);
	is_int(st.format, PN_NETFEED_CIDR, "cidr: auto-detected");
	is_int(st.entries, 5, "cidr: 5 ranges");
	is_int(st.duplicates, 1, "cidr: duplicate range");
	is_int(st.malformed, 2, "cidr: bad prefix lengths malformed");
	ok(ip_hit(f, "192.0.2.77", &hit), "cidr: inside /24");
	is_str(hit.extra, "SBL100", "cidr: comment kept");
	is_str(hit.how, "cidr", "cidr: how");
	ok(!ip_hit(f, "192.0.3.0", &hit), "cidr: just outside");
	ok(ip_hit(f, "198.51.100.200", &hit), "cidr: nested range");
	is_str(hit.extra, "SBL102", "cidr: most specific range reported");
	ok(ip_hit(f, "198.51.103.255", &hit), "cidr: end of /22");
	is_str(hit.extra, "SBL101", "cidr: wider range found past a narrower one");
	ok(ip_hit(f, "203.0.113.9", &hit) && !ip_hit(f, "203.0.113.10", &hit), "cidr: single address");
	ok(ip_hit(f, "2001:db8:bad:1::5", &hit), "cidr: IPv6");
	ok(!ip_hit(f, "2001:db8:bae::1", &hit), "cidr: IPv6 outside");
	ok(ip_hit(f, "::ffff:192.0.2.1", &hit), "cidr: IPv4-mapped IPv6 matches the IPv4 range");
	ok(url_hit(f, "http://198.51.100.130:81/x", &hit) != NULL, "cidr: URL host IP matched");
	ok(url_hit(f, "http://[2001:db8:bad::1]/x", &hit) != NULL, "cidr: URL IPv6 host matched");
	ok(url_hit(f, "http://example.com/", &hit) == NULL, "cidr: URL with a name not matched");
	ok(!name_hit(f, "example.com"), "cidr: domain target not judged");
	pn_netfeed_free(f);
}

/* ------------------------------------------------------------------------
 * The engine set.
 */

static struct pn_conf *
conf_with(const char *feeds)
{
	struct pn_conf *c = pn_conf_new();

	pn_conf_put(c, "netfeeds.feeds", feeds);
	pn_conf_put(c, "netheur.brands", "engines/net_data/brands.txt");
	pn_conf_put(c, "netheur.tlds", "engines/net_data/suspicious_tlds.txt");
	pn_conf_put(c, "netheur.shorteners", "engines/net_data/shorteners.txt");
	return c;
}

static int
find_engine(const struct pn_net_engines *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static void
scan_url(const struct pn_net_engines *s, const char *url, struct pn_verdict *out)
{
	struct pn_url u;
	struct pn_net_target t;

	memset(&u, 0, sizeof(u));
	if (pn_url_parse(url, &u, NULL, 0) != PN_OK)
		diag("cannot parse %s", url);
	pn_net_target_url(&t, &u);
	pn_net_engines_scan(s, &t, out);
	pn_url_free(&u);
}

static void
release_all(struct pn_verdict *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pn_verdict_release(&v[i]);
}

static void
test_set(void)
{
	char feeds[2048];
	struct pn_net_engines s;
	struct pn_verdict v[16];
	struct pn_net_target t;
	struct pn_conf *c;
	int a, b, d, m, h, dh;

	write_file("phish.txt", "http://phish.example/login\n");
	write_file("bad-domains.txt", "evil.example\n");
	write_file("drop.txt", "192.0.2.0/24 ; SBL1\n");
	snprintf(feeds, sizeof(feeds), "OpenPhish=openphish:%s, BadDomains=%s,\nDROP = cidr : %s,"
	    "Missing=urls:%s", path_of("phish.txt"), path_of("bad-domains.txt"),
	    path_of("drop.txt"), path_of("missing.txt"));
	c = conf_with(feeds);
	pn_net_engines_load(&s, c);
	is_int(s.n, 6, "set: 4 feeds + 2 heuristic engines");
	a = find_engine(&s, "OpenPhish");
	b = find_engine(&s, "BadDomains");
	d = find_engine(&s, "DROP");
	m = find_engine(&s, "Missing");
	h = find_engine(&s, "Panoptes-URLHeur");
	dh = find_engine(&s, "Panoptes-DomainHeur");
	ok(a >= 0 && b >= 0 && d >= 0 && m >= 0 && h >= 0 && dh >= 0, "set: columns named");
	if (a < 0 || b < 0 || d < 0 || m < 0 || h < 0 || dh < 0)
		goto out;
	ok(s.v[a]->error[0] == '\0' && s.v[m]->error[0] != '\0', "set: only the missing feed has an error");
	ok(strlen(s.v[a]->update) == 8 && strchr(s.v[a]->version, '/') != NULL,
	    "set: version %s, update %s", s.v[a]->version, s.v[a]->update);
	ok(strcmp(strchr(s.v[a]->version, '/'), "/1") == 0, "set: version ends with the entry count");

	scan_url(&s, "http://phish.example/login", v);
	is_str(pn_category_name(v[a].category), "malicious", "set: URL listed by OpenPhish");
	is_str(v[a].result, "phishing", "set: result phishing");
	is_str(v[a].method, "blacklist", "set: method blacklist");
	ok(v[a].details != NULL && strstr(json_object_to_json_string_ext(v[a].details, JSON_C_TO_STRING_PLAIN), "\"match\":\"exact\"") != NULL,
	    "set: details %s", v[a].details ? json_object_to_json_string(v[a].details) : "");
	is_str(pn_category_name(v[b].category), "undetected", "set: domain feed does not list it");
	is_str(v[b].result, "unrated", "set: unrated");
	is_str(pn_category_name(v[d].category), "undetected", "set: CIDR feed judges URLs (host is a name)");
	is_str(pn_category_name(v[m].category), "failure", "set: missing feed fails");
	release_all(v, s.n);

	pn_net_target_domain(&t, "www.evil.example");
	pn_net_engines_scan(&s, &t, v);
	is_str(pn_category_name(v[a].category), "type-unsupported", "set: URL feed on a domain");
	is_str(pn_category_name(v[b].category), "malicious", "set: domain feed on a domain");
	is_str(pn_category_name(v[d].category), "type-unsupported", "set: CIDR feed on a domain");
	is_str(pn_category_name(v[h].category), "type-unsupported", "set: URL heuristics on a domain");
	ok(v[dh].category != PN_CAT_TYPE_UNSUPPORTED, "set: domain heuristics on a domain");
	release_all(v, s.n);

	pn_net_target_ip(&t, "192.0.2.5");
	pn_net_engines_scan(&s, &t, v);
	is_str(pn_category_name(v[d].category), "malicious", "set: CIDR feed on an IP");
	is_str(pn_category_name(v[b].category), "type-unsupported", "set: domain feed on an IP");
	is_str(pn_category_name(v[dh].category), "type-unsupported", "set: domain heuristics on an IP");
	release_all(v, s.n);

	pn_net_target_ip(&t, NULL);
	is_int(pn_net_engines_scan(&s, &t, v), PN_EINVAL, "set: IP target without ip is rejected");

	/* Reload: a changed file is re-read; a vanished one keeps the old data. */
	write_file("phish.txt", "http://phish.example/login\nhttp://new.example/x\n");
	pn_net_engines_reload(&s, c);
	a = find_engine(&s, "OpenPhish");
	scan_url(&s, "http://new.example/x", v);
	is_str(pn_category_name(v[a].category), "malicious", "reload: new entry listed");
	release_all(v, s.n);
	unlink(path_of("phish.txt"));
	pn_net_engines_reload(&s, c);
	a = find_engine(&s, "OpenPhish");
	ok(s.v[a]->error[0] != '\0', "reload: error set (%s)", s.v[a]->error);
	scan_url(&s, "http://new.example/x", v);
	is_str(pn_category_name(v[a].category), "malicious", "reload: old data kept on failure");
	release_all(v, s.n);
	write_file("phish.txt", "http://phish.example/login\n");
	pn_conf_put(c, "netfeeds.feeds", "Other=domains:" );
	pn_net_engines_reload(&s, c);
	ok(find_engine(&s, "OpenPhish") < 0 && find_engine(&s, "NetFeeds") >= 0,
	    "reload: changed feed list rebuilds the set (bad list -> NetFeeds failure)");
	pn_conf_put(c, "netfeeds.feeds", "");
	pn_net_engines_reload(&s, c);
	is_int(s.n, 2, "reload: no feeds, heuristics only");
out:
	pn_net_engines_free(&s);
	pn_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Heuristics.
 */

struct heur_ctx {
	struct pn_net_engine *url, *dom;
};

/* Verdict of the URL heuristics for url (+ fetcher facts); returns the category. */
static int
heur_url(struct heur_ctx *h, const char *url, const char *tag, int redirects,
    struct pn_verdict *v)
{
	struct pn_url u;
	struct pn_net_target t;

	memset(&u, 0, sizeof(u));
	memset(v, 0, sizeof(*v));
	if (pn_url_parse(url, &u, NULL, 0) != PN_OK) {
		diag("cannot parse %s", url);
		return -1;
	}
	pn_net_target_url(&t, &u);
	t.body_type_tag = tag;
	t.redirects = redirects;
	pn_net_engine_scan(h->url, &t, v);
	pn_url_free(&u);
	return (int)v->category;
}

static int
has_reason(const struct pn_verdict *v, const char *id)
{
	struct json_object *r;
	size_t i;

	if (v->details == NULL || !json_object_object_get_ex(v->details, "reasons", &r))
		return 0;
	for (i = 0; i < json_object_array_length(r); i++) {
		struct json_object *x = json_object_array_get_idx(r, i), *idv;

		if (json_object_object_get_ex(x, "id", &idv) &&
		    strcmp(json_object_get_string(idv), id) == 0)
			return 1;
	}
	return 0;
}

/* One signal: url gives reason id (and, when want_cat >= 0, that category). */
static void
signal(struct heur_ctx *h, const char *url, const char *tag, int redirects, const char *id,
    int want_cat, const char *want_result)
{
	struct pn_verdict v;
	int cat = heur_url(h, url, tag, redirects, &v);

	ok(has_reason(&v, id), "heur: %s -> %s", url, id);
	if (want_cat >= 0 && cat != want_cat)
		diag("got %s %s", pn_category_name((enum pn_category)cat),
		    v.details ? json_object_to_json_string(v.details) : "");
	if (want_cat >= 0)
		is_str(pn_category_name((enum pn_category)cat),
		    pn_category_name((enum pn_category)want_cat), "heur: %s category", url);
	if (want_result != NULL)
		is_str(v.result, want_result, "heur: %s result", url);
	pn_verdict_release(&v);
}

static void
test_heur_signals(struct heur_ctx *h)
{
	struct pn_verdict v;
	struct pn_net_target t;

	signal(h, "http://paypa1.com/signin", NULL, 0, "Lookalike", PN_CAT_MALICIOUS,
	    "Phishing.Lookalike.paypal");
	signal(h, "http://xn--pypal-4ve.com/", NULL, 0, "Lookalike", PN_CAT_MALICIOUS,
	    "Phishing.Lookalike.paypal");
	signal(h, "http://xn--pypal-4ve.com/", NULL, 0, "MixedScript", -1, NULL);
	signal(h, "https://rnicrosoft.com/login", NULL, 0, "Lookalike", PN_CAT_MALICIOUS,
	    "Phishing.Lookalike.microsoft");
	signal(h, "https://g00gle.co.uk/", NULL, 0, "Lookalike", PN_CAT_MALICIOUS, NULL);
	signal(h, "https://paypall.com/", NULL, 0, "LookalikeTypo", PN_CAT_SUSPICIOUS,
	    "Phishing.Lookalike.paypal");
	signal(h, "https://amazno.com/", NULL, 0, "LookalikeTypo", PN_CAT_SUSPICIOUS, NULL);
	signal(h, "https://paypal.com.account-verify.example/", NULL, 0, "BrandInSubdomain",
	    PN_CAT_SUSPICIOUS, "Phishing.Brand.paypal");
	signal(h, "https://paypal-secure-login.xyz/", NULL, 0, "BrandInDomain", PN_CAT_MALICIOUS,
	    "Phishing.Brand.paypal");
	signal(h, "https://paypal.tk/", NULL, 0, "BrandTLD", PN_CAT_MALICIOUS, NULL);
	signal(h, "https://files.example.net/netflix/update.html", NULL, 0, "BrandInPath",
	    PN_CAT_UNDETECTED, NULL);
	signal(h, "http://203.0.113.5/", NULL, 0, "RawIPHost", PN_CAT_UNDETECTED, NULL);
	signal(h, "http://[2001:db8::5]/", NULL, 0, "RawIPHost", -1, NULL);
	signal(h, "http://www.example.com@203.0.113.5/", NULL, 0, "UserinfoInURL",
	    PN_CAT_MALICIOUS, NULL);
	signal(h, "http://user@example.org/", NULL, 0, "UserinfoInURL", PN_CAT_SUSPICIOUS, NULL);
	signal(h, "http://prize.example.top/", NULL, 0, "SuspiciousTLD", PN_CAT_UNDETECTED, NULL);
	signal(h, "http://a.b.c.d.e.example.com/", NULL, 0, "ExcessiveSubdomains", -1, NULL);
	signal(h, "https://bit.ly/3xYz", NULL, 0, "Shortener", PN_CAT_UNDETECTED, NULL);
	signal(h, "https://www.example.com/p/%2F%3A%3D%26%3F%C3%A9%2F%3A%3D%26%3F%C3%A9%2F", NULL, 0,
	    "EncodedPath", -1, NULL);
	signal(h, "https://www.example.com/r?d=aHR0cHM6Ly9ldmlsLmV4YW1wbGUvcGhpc2gvbG9naW4ucGhwP2lkPTEyMzQ1Njc4OTAmdG9rZW49YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkw",
	    NULL, 0, "EncodedPath", -1, NULL);
	signal(h, "https://www.example.com/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/dddddddddddddddddddddddddddddddddddddddd",
	    NULL, 0, "LongURL", -1, NULL);
	signal(h, "http://files.example.org/setup.exe", NULL, 0, "ExecutableDownload",
	    PN_CAT_SUSPICIOUS, "Malware.Download");
	signal(h, "http://files.example.org/get?id=7", "peexe", 0, "ExecutableDownload",
	    PN_CAT_SUSPICIOUS, NULL);
	signal(h, "http://198.51.100.7:8080/bins/x.arm7", NULL, 0, "ExecutableDownload",
	    PN_CAT_MALICIOUS, NULL);
	signal(h, "http://www.example.com:8081/", NULL, 0, "NonStandardPort", PN_CAT_UNDETECTED, NULL);
	signal(h, "http://www.example.com/", NULL, 5, "ManyRedirects", PN_CAT_UNDETECTED, NULL);

	/* Facts from the fetcher: where the redirects ended. */
	{
		struct pn_url u;

		memset(&u, 0, sizeof(u));
		if (pn_url_parse("https://bit.ly/abc", &u, NULL, 0) == PN_OK) {
			pn_net_target_url(&t, &u);
			t.final_url = "https://paypa1.com/login";
			t.redirects = 2;
			pn_net_engine_scan(h->url, &t, &v);
			is_str(v.result, "Phishing.Lookalike.paypal", "heur: look-alike final URL");
			ok(has_reason(&v, "Shortener"), "heur: shortener kept with the final URL");
			pn_verdict_release(&v);
			t.final_url = "http://dl.example.org/files/invoice.scr";
			pn_net_engine_scan(h->url, &t, &v);
			ok(has_reason(&v, "ExecutableDownload"), "heur: final URL names an executable");
			pn_verdict_release(&v);
		}
		pn_url_free(&u);
	}

	/* The brand's own domains are not look-alikes. */
	heur_url(h, "https://www.paypal.com/signin", NULL, 0, &v);
	is_str(pn_category_name(v.category), "harmless", "heur: paypal.com itself is harmless");
	is_str(v.result, "clean", "heur: result clean");
	pn_verdict_release(&v);
	heur_url(h, "https://accounts.google.com/ServiceLogin", NULL, 0, &v);
	ok(v.category == PN_CAT_HARMLESS, "heur: accounts.google.com harmless");
	pn_verdict_release(&v);
	heur_url(h, "https://www.paypal.de/", NULL, 0, &v);
	ok(v.category == PN_CAT_HARMLESS, "heur: brand under an ordinary ccTLD is its own");
	pn_verdict_release(&v);

	/* Domain engine. */
	pn_net_target_domain(&t, "xn--pple-43d.com");
	pn_net_engine_scan(h->dom, &t, &v);
	is_str(v.result, "Phishing.Lookalike.apple", "domain heur: xn--pple-43d.com");
	is_str(pn_category_name(v.category), "malicious", "domain heur: malicious");
	pn_verdict_release(&v);
	pn_net_target_domain(&t, "example.org");
	pn_net_engine_scan(h->dom, &t, &v);
	is_str(pn_category_name(v.category), "harmless", "domain heur: example.org harmless");
	pn_verdict_release(&v);
}

/* 200+ ordinary URLs: none may be malicious. */
static void
test_heur_benign(struct heur_ctx *h)
{
	static const char *const sites[] = {
		"www.wikipedia.org", "en.wikipedia.org", "www.bbc.co.uk", "www.nytimes.com",
		"www.theguardian.com", "news.ycombinator.com", "github.com", "gitlab.com",
		"stackoverflow.com", "www.reddit.com", "docs.python.org", "www.debian.org",
		"packages.debian.org", "kernel.org", "www.kernel.org", "lwn.net", "www.mozilla.org",
		"developer.mozilla.org", "www.apache.org", "nginx.org", "www.postgresql.org",
		"sqlite.org", "www.gnu.org", "www.openbsd.org", "www.freebsd.org", "archlinux.org",
		"ubuntu.com", "www.redhat.com", "fedoraproject.org", "www.rust-lang.org",
		"go.dev", "nodejs.org", "www.npmjs.com", "www.w3.org", "datatracker.ietf.org",
		"www.rfc-editor.org", "www.iana.org", "www.icann.org", "www.cloudflare.com",
		"www.akamai.com", "www.fastly.com", "www.digitalocean.com", "www.linode.com",
		"www.hetzner.com", "www.ovhcloud.com", "www.amazon.com", "aws.amazon.com",
		"www.microsoft.com", "learn.microsoft.com", "www.apple.com", "support.apple.com",
		"www.google.com", "mail.google.com", "maps.google.com", "www.youtube.com",
		"www.facebook.com", "www.instagram.com", "www.linkedin.com", "twitter.com",
		"www.paypal.com", "www.ebay.com", "www.netflix.com", "www.spotify.com",
		"www.dropbox.com", "www.adobe.com", "www.zoom.us", "slack.com", "discord.com",
		"www.twitch.tv", "www.imdb.com", "www.booking.com", "www.airbnb.com",
		"www.tripadvisor.com", "www.expedia.com", "www.lufthansa.com", "www.sncf-connect.com",
		"www.bahn.de", "www.spiegel.de", "www.zeit.de", "www.lemonde.fr", "www.elpais.com",
		"www.corriere.it", "www.nos.nl", "www.yle.fi", "www.nrk.no", "www.svt.se",
		"www.abc.net.au", "www.cbc.ca", "www.nhk.or.jp", "www.asahi.com", "www.bild.de",
		"www.heise.de", "www.golem.de", "arstechnica.com", "www.wired.com", "www.theverge.com",
		"techcrunch.com", "www.engadget.com", "www.economist.com", "www.ft.com",
		"www.bloomberg.com", "www.reuters.com", "apnews.com", "www.npr.org", "www.pbs.org",
		"www.nasa.gov", "www.nih.gov", "www.cdc.gov", "www.who.int", "europa.eu",
		"www.gov.uk", "www.bund.de", "www.service-public.fr", "www.irs.gov", "www.usa.gov",
		"www.harvard.edu", "www.mit.edu", "www.stanford.edu", "www.ox.ac.uk",
		"www.cam.ac.uk", "www.ethz.ch", "www.tum.de", "www.coursera.org", "www.edx.org",
		"www.khanacademy.org", "arxiv.org", "scholar.google.com", "www.nature.com",
		"www.science.org", "pubmed.ncbi.nlm.nih.gov", "www.jstor.org", "www.springer.com",
		"www.elsevier.com", "www.ikea.com", "www.zalando.de", "www.otto.de", "www.etsy.com",
		"www.walmart.com", "www.target.com", "www.bestbuy.com", "www.costco.com",
		"www.homedepot.com", "www.lidl.de", "www.aldi-sued.de", "www.tesco.com",
		"www.sainsburys.co.uk", "www.chase.com", "www.wellsfargo.com",
		"www.bankofamerica.com", "www.hsbc.co.uk", "www.barclays.co.uk", "www.ing.de",
		"www.dkb.de", "www.commerzbank.de", "www.revolut.com", "wise.com", "www.stripe.com",
		"www.shopify.com", "wordpress.org", "medium.com", "substack.com", "www.tumblr.com",
		"www.pinterest.com", "www.quora.com", "www.yelp.com", "www.weather.com",
		"www.accuweather.com", "www.espn.com", "www.fifa.com", "www.nba.com", "www.uefa.com",
		"www.openstreetmap.org", "www.gutenberg.org", "archive.org", "www.ted.com",
		"www.duolingo.com", "www.deepl.com", "translate.google.com", "www.office.com",
		"outlook.live.com", "login.microsoftonline.com", "www.icloud.com",
		"appleid.apple.com", "signin.ebay.com", "www.steampowered.com",
		"steamcommunity.com", "www.roblox.com", "www.epicgames.com", "www.nintendo.com",
		"www.playstation.com", "www.xbox.com", "www.docker.com", "hub.docker.com",
		"kubernetes.io", "www.terraform.io", "www.ansible.com", "grafana.com",
		"prometheus.io", "www.elastic.co", "www.mongodb.com", "redis.io", "www.mysql.com",
		"mariadb.org", "www.jetbrains.com", "code.visualstudio.com", "www.vim.org",
		"www.gnome.org", "kde.org", "www.libreoffice.org", "www.gimp.org", "inkscape.org",
		"www.blender.org", "obsproject.com", "www.videolan.org", "www.7-zip.org",
		"www.wireshark.org", "nmap.org", "www.openssl.org", "letsencrypt.org",
		"www.torproject.org", "signal.org", "telegram.org", "www.whatsapp.com",
		"www.bitly.com", "abc.xyz", "www.coinbase.com", "www.kraken.com", "www.binance.com",
		"www.fedex.com", "www.usps.com", "www.dhl.de", "www.ups.com", "www.royalmail.com",
		"www.post.ch", "www.posten.no", "github.io", "pages.github.com", "facebook.github.io",
		"www.cs.princeton.edu", "finance.yahoo.com", "www.yahoo.com", "www.abode.com",
	};
	static const char *const paths[] = {
		"/", "/index.html", "/about/", "/wiki/Main_Page", "/news/2026/12/04/story-title",
		"/search?q=weather+berlin&hl=en", "/products/item-12345?ref=home",
		"/en-us/docs/Web/HTTP/Headers", "/login", "/account/settings#privacy",
		"/static/css/site.4f3a2b.css", "/blog/2026/release-notes-v2.3",
		"/watch?v=dQw4w9WgXcQ", "/downloads/", "/help/faq.html",
	};
	/* Ordinary URLs that do carry a signal (downloads, shorteners, ports). */
	static const char *const extra[] = {
		"https://www.7-zip.org/a/7z2409-x64.exe",
		"https://github.com/git-for-windows/git/releases/download/v2.47.1.windows.1/Git-2.47.1-64-bit.exe",
		"https://download.videolan.org/pub/videolan/vlc/3.0.21/win64/vlc-3.0.21-win64.msi",
		"https://dl.google.com/android/repository/platform-tools-latest-windows.zip",
		"https://bit.ly/3kP9xYz",
		"https://t.co/AbCdEf1234",
		"http://localhost:8080/status",
		"https://grafana.example.com:3000/d/abc/overview?orgId=1",
		"https://accounts.google.com/o/oauth2/v2/auth?client_id=123.apps.googleusercontent.com&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope=openid%20email%20profile&state=af0ifjsldkj",
		"https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js",
		"https://en.wikipedia.org/wiki/%E6%9D%B1%E4%BA%AC",
		"https://www.amazon.de/dp/B0C1234567/ref=sr_1_1?keywords=usb+c+cable",
		"https://www.xn--mller-kva.de/",
		"https://xn--bcher-kva.example/",
	};
	size_t i, total = 0, mal = 0, sus = 0;
	char url[512];

	for (i = 0; i < PN_ARRAY_LEN(sites) + PN_ARRAY_LEN(extra); i++) {
		struct pn_verdict v;
		int cat;

		if (i < PN_ARRAY_LEN(sites))
			snprintf(url, sizeof(url), "https://%s%s", sites[i],
			    paths[i % PN_ARRAY_LEN(paths)]);
		else
			pn_strlcpy(url, extra[i - PN_ARRAY_LEN(sites)], sizeof(url));
		cat = heur_url(h, url, NULL, i % 7 == 0 ? 1 : 0, &v);
		total++;
		if (cat == PN_CAT_MALICIOUS) {
			mal++;
			diag("benign URL malicious: %s %s", url, json_object_to_json_string(v.details));
		} else if (cat == PN_CAT_SUSPICIOUS) {
			sus++;
			diag("benign URL suspicious: %s %s", url, json_object_to_json_string(v.details));
		}
		pn_verdict_release(&v);
	}
	ok(total >= 200, "benign: %zu URLs", total);
	is_int(mal, 0, "benign: no URL malicious");
	diag("benign: %zu of %zu suspicious", sus, total);
	ok(sus * 10 <= total, "benign: at most 10%% suspicious (%zu)", sus);
}

static void
test_heur(void)
{
	struct pn_conf *c = conf_with("");
	struct pn_net_engines s;
	struct heur_ctx h;
	int a, b;

	pn_net_engines_load(&s, c);
	a = find_engine(&s, "Panoptes-URLHeur");
	b = find_engine(&s, "Panoptes-DomainHeur");
	ok(a >= 0 && b >= 0 && s.v[a]->error[0] == '\0', "heur: engines loaded (%s)",
	    a >= 0 ? s.v[a]->error : "");
	if (a >= 0 && b >= 0 && s.v[a]->error[0] == '\0') {
		h.url = s.v[a];
		h.dom = s.v[b];
		test_heur_signals(&h);
		test_heur_benign(&h);
	}
	pn_net_engines_free(&s);
	pn_conf_put(c, "netheur.brands", path_of("no-such-brands.txt"));
	pn_net_engines_load(&s, c);
	a = find_engine(&s, "Panoptes-URLHeur");
	ok(a >= 0 && s.v[a]->error[0] != '\0', "heur: missing brand list is an init error");
	pn_net_engines_free(&s);
	pn_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Big feeds.
 */

static void
big_feed(const char *name, enum pn_netfeed_format fmt, void (*line)(FILE *, size_t),
    const struct pn_net_target *t)
{
	FILE *fp = fopen(path_of(name), "w");
	struct pn_netfeed *f = pn_netfeed_new(fmt, 50000000);
	struct pn_netfeed_stats st;
	struct pn_netfeed_hit hit;
	char err[256];
	int64_t t0;
	size_t i;
	int rc;

	if (fp == NULL)
		exit(2);
	for (i = 0; i < BIG_LINES; i++)
		line(fp, i);
	fclose(fp);
	t0 = pn_mono_ms();
	rc = pn_netfeed_load_file(f, path_of(name), UINT64_MAX, err, sizeof(err));
	pn_netfeed_get_stats(f, &st);
	is_int(rc, PN_OK, "big %s: loaded", name);
	is_int(st.entries, BIG_LINES, "big %s: %d entries", name, BIG_LINES);
	diag("big %s: %d lines in %lld ms", name, BIG_LINES, (long long)(pn_mono_ms() - t0));
	ok(pn_netfeed_match(f, t, &hit), "big %s: a late entry matches", name);
	t0 = pn_mono_ms();
	for (i = 0; i < 100000; i++)
		(void)pn_netfeed_match(f, t, &hit);
	diag("big %s: 100000 lookups in %lld ms", name, (long long)(pn_mono_ms() - t0));
	pn_netfeed_free(f);
	unlink(path_of(name));
}

static void
url_line(FILE *fp, size_t i)
{
	fprintf(fp, "http://host%zu.example/path/%zu/file.php?id=%zu\n", i % 50000, i, i);
}

static void
domain_line(FILE *fp, size_t i)
{
	fprintf(fp, "0.0.0.0 bad%zu.example\n", i);
}

static void
cidr_line(FILE *fp, size_t i)
{
	fprintf(fp, "%zu.%zu.%zu.0/24 ; SBL%zu\n", 1 + i / 65536 % 200, i / 256 % 256, i % 256, i);
}

static void
test_big(void)
{
	struct pn_url u;
	struct pn_net_target t;
	char url[256], name[64];

	memset(&u, 0, sizeof(u));
	snprintf(url, sizeof(url), "http://host%d.example/path/%d/file.php?id=%d",
	    (BIG_LINES - 1) % 50000, BIG_LINES - 1, BIG_LINES - 1);
	if (pn_url_parse(url, &u, NULL, 0) != PN_OK)
		diag("cannot parse %s", url);
	pn_net_target_url(&t, &u);
	big_feed("big-urls.txt", PN_NETFEED_URLS, url_line, &t);
	pn_url_free(&u);
	snprintf(name, sizeof(name), "www.bad%d.example", BIG_LINES - 1);
	pn_net_target_domain(&t, name);
	big_feed("big-domains.txt", PN_NETFEED_DOMAINS, domain_line, &t);
	pn_net_target_ip(&t, BIG_LINES > 100000 ? "16.66.63.9" : "2.134.159.9");
	big_feed("big-cidr.txt", PN_NETFEED_CIDR, cidr_line, &t);
}

static void
test_conf_list(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_netfeed_conf *fc;
	char err[256];
	size_t n;

	pn_conf_put(c, "netfeeds.feeds", " A = urlhaus:/x/a.csv ,B=/y/b:c.txt\nC=cidr:/z ");
	is_int(pn_netfeed_conf_list(c, &fc, &n, err, sizeof(err)), PN_OK, "conf: list parsed");
	is_int(n, 3, "conf: 3 feeds");
	if (n == 3) {
		is_str(fc[0].name, "A", "conf: name trimmed");
		is_int(fc[0].format, PN_NETFEED_URLHAUS, "conf: format");
		is_str(fc[0].path, "/x/a.csv", "conf: path");
		is_int(fc[1].format, PN_NETFEED_AUTO, "conf: no format = auto");
		is_str(fc[1].path, "/y/b:c.txt", "conf: path with a colon");
		is_int(fc[2].format, PN_NETFEED_CIDR, "conf: cidr");
	}
	free(fc);
	pn_conf_put(c, "netfeeds.feeds", "A=/x,A=/y");
	ok(pn_netfeed_conf_list(c, &fc, &n, err, sizeof(err)) == PN_EINVAL, "conf: duplicate name (%s)", err);
	pn_conf_put(c, "netfeeds.feeds", "Panoptes-URLHeur=/x");
	ok(pn_netfeed_conf_list(c, &fc, &n, err, sizeof(err)) == PN_EINVAL, "conf: reserved name (%s)", err);
	pn_conf_put(c, "netfeeds.feeds", "/just/a/path");
	ok(pn_netfeed_conf_list(c, &fc, &n, err, sizeof(err)) == PN_EINVAL, "conf: no name (%s)", err);
	pn_conf_free(c);
}

int
main(void)
{
	pn_strlcpy(dir, "/tmp/pn-netengXXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		return 2;
	pn_log_set_level(PN_LOG_ERROR);
	test_conf_list();
	test_url_lists();
	test_urlhaus();
	test_phishtank();
	test_domains();
	test_cidr();
	test_set();
	test_heur();
	test_big();
	unlink(path_of("bad-domains.txt"));
	unlink(path_of("drop.txt"));
	unlink(path_of("phish.txt"));
	rmdir(dir);
	return done_testing();
}
