/*
 * test_whois.c - net/whois.c: date forms, the text parser and referral
 * extraction on fixed texts, then pn_whois_query against
 * tests/data/net/whois_server.py on loopback (registry -> registrar
 * referral, IANA -> registry -> registrar, ARIN -> RIPE, loops, refused
 * referrals, a silent server, binary and empty answers, an oversized
 * answer, a refused connection, the map file).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "whois.h"

#include <json-c/json.h>

#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVER "tests/data/net/whois_server.py"

static pid_t srv_pid;
static char srv_line[512];

/* Start the server; its first line is "role=port ...". */
static int
srv_start(void)
{
	size_t o = 0;
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	srv_pid = fork();
	if (srv_pid < 0)
		return -1;
	if (srv_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/python3", "python3", SERVER, "--lifetime", "120", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (o < sizeof(srv_line) - 1 && read(fds[0], srv_line + o, 1) == 1 &&
	    srv_line[o] != '\n')
		o++;
	srv_line[o] = '\0';
	close(fds[0]);
	return strstr(srv_line, "big=") != NULL ? 0 : -1;
}

static int
port_of(const char *role)
{
	char pat[32];
	const char *p;
	int64_t v = 0;
	char num[8];
	size_t n = 0;

	snprintf(pat, sizeof(pat), "%s=", role);
	p = strstr(srv_line, pat);
	if (p == NULL)
		return 0;
	p += strlen(pat);
	while (n < sizeof(num) - 1 && p[n] >= '0' && p[n] <= '9') {
		num[n] = p[n];
		n++;
	}
	num[n] = '\0';
	pn_parse_i64(num, 1, 65535, &v);
	return (int)v;
}

static char map[1024];

static void
build_map(void)
{
	snprintf(map, sizeof(map),
	    "test=127.0.0.1:%d,default=127.0.0.1:%d,ip=127.0.0.1:%d,"
	    "whois.registry.test=127.0.0.1:%d,whois.registrar.test=127.0.0.1:%d,"
	    "whois.ripe.test=127.0.0.1:%d,whois.silent.test=127.0.0.1:%d,"
	    "silent=127.0.0.1:%d,garbage=127.0.0.1:%d,empty=127.0.0.1:%d,big=127.0.0.1:%d",
	    port_of("registry"), port_of("iana"), port_of("arin"), port_of("registry"),
	    port_of("registrar"), port_of("ripe"), port_of("silent"), port_of("silent"),
	    port_of("garbage"), port_of("empty"), port_of("big"));
}

static void
opts(struct pn_whois_opts *o, const char *servers)
{
	memset(o, 0, sizeof(*o));
	o->servers = servers;
	o->timeout_ms = 3000;
	o->max_response = 256 * 1024;
	o->max_referrals = 2;
}

static void
test_dates(void)
{
	static const struct { const char *s; int64_t t; } ok_dates[] = {
		{"1995-08-14T04:00:00Z", 808372800},
		{"1995-08-14T04:00:00.0Z", 808372800},
		{"1995-08-13T21:00:00-07:00", 808372800},
		{"1995-08-14T06:00:00+0200", 808372800},
		{"1995-08-14 04:00:00 UTC", 808372800},
		{"1995-08-14", 808358400},
		{"1995.08.14", 808358400},
		{"1995/08/14", 808358400},
		{"14-Aug-1995", 808358400},
		{"14-aug-1995 04:00:00", 808372800},
		{"14.08.1995", 808358400},
		{"19950814", 808358400},
		{"2000-02-29", 951782400},
		{"2012-03-05T10:11:12Z", 1330942272},
	};
	static const char *const bad[] = {
		"", "tomorrow", "2019-13-01", "2019-02-29", "2019-00-10", "2019-1-5",
		"1899-01-01", "32-Jan-2019", "12-Foo-2019", "2019-02", "99999999",
		"2019-02-28X", NULL
	};
	int64_t t;
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(ok_dates); i++) {
		t = -1;
		is_int(pn_whois_parse_date(ok_dates[i].s, &t), PN_OK, "date \"%s\"", ok_dates[i].s);
		is_int(t, ok_dates[i].t, "  = %lld", (long long)ok_dates[i].t);
	}
	for (i = 0; bad[i] != NULL; i++) {
		int rc = pn_whois_parse_date(bad[i], &t);

		/* "2019-02-28X" parses the date part; trailing text is ignored */
		if (strcmp(bad[i], "2019-02-28X") == 0)
			is_int(rc, PN_OK, "trailing junk after a date is ignored");
		else
			is_int(rc, PN_EFORMAT, "bad date \"%s\"", bad[i]);
	}
}

static void
test_parse(void)
{
	static const char uk[] =
	    "\n    Domain name:\n        example.co.uk\n\n"
	    "    Registrar:\n        Example Registrar Ltd [Tag = EXAMPLE]\n\n"
	    "    Relevant dates:\n        Registered on: 26-Aug-1996\n"
	    "        Expiry date:  26-Aug-2026\n        Last updated:  25-Jul-2024\n\n"
	    "    Name servers:\n        ns1.example.co.uk     192.0.2.53\n"
	    "        NS2.EXAMPLE.CO.UK.\n\n";
	static const char ripe_changed[] =
	    "inetnum: 10.0.0.0 - 10.0.0.255\r\nnetname: X\r\n"
	    "changed: hostmaster@example.test 20190228\r\nsource: APNIC\r\n";
	struct pn_whois_result r;
	char host[300], longline[PN_WHOIS_LINE_MAX + 64];
	int port, n;

	memset(&r, 0, sizeof(r));
	n = pn_whois_parse(uk, sizeof(uk) - 1, &r);
	ok(n >= 5, "nominet-style text: %d fields", n);
	is_str(r.registrar, "Example Registrar Ltd [Tag = EXAMPLE]", "registrar on the next line");
	is_int(r.creation_date, 841017600, "Registered on");
	is_int(r.expiration_date, 1787702400, "Expiry date");
	is_int(r.last_updated, 1721865600, "Last updated");
	is_int((long long)r.n_name_servers, 2, "2 name servers under the heading");
	is_str(r.name_servers[0], "ns1.example.co.uk", "NS 1 without its address");
	is_str(r.name_servers[1], "ns2.example.co.uk", "NS 2 lower-case, no dot");

	memset(&r, 0, sizeof(r));
	pn_whois_parse("   Registrar:\n   Registrar IANA ID: 376\n   Name Server:\n"
	    "   DNSSEC: unsigned\n   Registrar: Real One\n", 99, &r);
	is_str(r.registrar, "Real One", "indented key lines are not values of an empty key");
	is_int((long long)r.n_name_servers, 0, "no name server from a key line");

	memset(&r, 0, sizeof(r));
	pn_whois_parse(ripe_changed, sizeof(ripe_changed) - 1, &r);
	is_int(r.last_updated, 1551312000, "RIPE changed: last word is the date");
	is_str(r.network, "10.0.0.0/24", "inetnum range that is one block -> CIDR");
	is_str(r.rir, "APNIC", "source: APNIC");
	memset(&r, 0, sizeof(r));
	pn_whois_parse("inetnum: 10.0.0.0 - 10.0.0.2\n", 29, &r);
	is_str(r.network, "10.0.0.0 - 10.0.0.2", "other ranges kept as text");
	memset(&r, 0, sizeof(r));
	pn_whois_parse("NetRange: 2001:0DB8:: - 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n", 63, &r);
	is_str(r.network, "2001:db8::/32", "v6 range -> CIDR");
	memset(&r, 0, sizeof(r));
	pn_whois_parse("inetnum: 10.0.0.1 - 10.0.0.1\n", 29, &r);
	is_str(r.network, "10.0.0.1/32", "single address");
	memset(&r, 0, sizeof(r));
	pn_whois_parse("inetnum: 10.0.0.0 - ::1\n", 24, &r);
	is_str(r.network, "10.0.0.0 - ::1", "mixed families kept as text");

	memset(&r, 0, sizeof(r));
	memset(longline, 'a', sizeof(longline) - 1);
	memcpy(longline, "Registrar: ", 11);
	longline[sizeof(longline) - 1] = '\0';
	pn_whois_parse(longline, strlen(longline), &r);
	is_str(r.registrar, "", "over-long line skipped");
	pn_whois_parse("Registrar: A\x01" "B\xff\xfe" "C\n", 18, &r);
	is_str(r.registrar, "ABC", "control bytes and invalid UTF-8 dropped");
	pn_whois_parse("Registrar: second\n", 18, &r);
	is_str(r.registrar, "ABC", "first value wins");

	is_int(pn_whois_referral("refer:  whois.nic.example\n", 26, host, sizeof(host), &port),
	    PN_OK, "refer:");
	is_str(host, "whois.nic.example", "refer host");
	is_int(port, 43, "default port 43");
	is_int(pn_whois_referral("ReferralServer: whois://WHOIS.RIPE.NET:4343/\n", 44, host,
	    sizeof(host), &port), PN_OK, "ReferralServer whois://");
	is_str(host, "whois.ripe.net", "lower-cased host");
	is_int(port, 4343, "explicit port");
	is_int(pn_whois_referral("ReferralServer: rwhois://rwhois.example:4321\n", 45, host,
	    sizeof(host), &port), PN_ENOTFOUND, "rwhois:// is not followed");
	is_int(pn_whois_referral("Registrar WHOIS Server: \n", 25, host, sizeof(host), &port),
	    PN_ENOTFOUND, "empty referral");
	is_int(pn_whois_referral("refer: bad host!\n", 17, host, sizeof(host), &port),
	    PN_ENOTFOUND, "invalid host");
}

static void
test_domains(void)
{
	struct pn_whois_opts o;
	struct pn_whois_result r;
	int rc;

	opts(&o, map);
	rc = pn_whois_query(&o, "www.Example.TEST", &r);
	is_int(rc, PN_OK, "registry -> registrar (%s)", r.err);
	is_int(r.n_servers, 2, "two servers answered");
	is_str(r.registrar, "Example Registrar, Inc.", "registrar");
	is_int(r.creation_date, 808372800, "creation_date");
	is_int(r.expiration_date, 1755057600, "expiration_date (registry's)");
	is_int(r.last_updated, 1723618894, "last_update_date");
	is_str(r.registrant_country, "US", "registrant country from the registrar");
	is_int((long long)r.n_name_servers, 3, "name servers merged");
	is_str(r.name_servers[0], "a.ns.example.test", "NS lower-case");
	is_str(r.name_servers[2], "c.ns.example.test", "NS from the registrar");
	ok(r.text != NULL && strstr(r.text, "Domain Name: EXAMPLE.TEST") != NULL &&
	    strstr(r.text, "Registrant Country: US") != NULL, "text joins both answers");
	ok(r.text != NULL && strlen(r.text) == r.text_len, "text_len");
	is_int(r.truncated, 0, "not truncated");
	is_str(r.rir, "", "no RIR for a domain");
	is_str(r.err, "", "no error");
	{
		struct json_object *a = json_object_new_object();

		pn_whois_vt_attrs(&r, 0, a);
		is_str(json_object_get_string(json_object_object_get(a, "registrar")),
		    "Example Registrar, Inc.", "registrar attribute");
		is_int(json_object_get_int64(json_object_object_get(a, "creation_date")), 808372800,
		    "creation_date attribute");
		is_int(json_object_get_int64(json_object_object_get(a, "last_update_date")),
		    1723618894, "last_update_date attribute");
		ok(json_object_object_get_ex(a, "expiration_date", NULL), "expiration_date attribute");
		is_str(json_object_get_string(json_object_object_get(a, "whois")), r.text,
		    "whois attribute is the text");
		ok(!json_object_object_get_ex(a, "regional_internet_registry", NULL),
		    "no RIR on a domain");
		json_object_put(a);
	}
	pn_whois_result_free(&r);

	rc = pn_whois_query(&o, "example.zz", &r);
	is_int(rc, PN_OK, "IANA -> registry -> registrar (%s)", r.err);
	is_int(r.n_servers, 3, "three servers");
	is_int(r.creation_date, 808372800, "IANA's TLD date not taken as the domain's");
	ok(r.text != NULL && strstr(r.text, "IANA WHOIS server") != NULL, "IANA text kept");
	pn_whois_result_free(&r);

	o.max_referrals = 0;
	rc = pn_whois_query(&o, "example.test", &r);
	is_int(rc, PN_OK, "max_referrals 0");
	is_int(r.n_servers, 1, "registry only");
	is_str(r.registrant_country, "", "no registrar data");
	is_str(r.registrar, "Example Registrar, Inc.", "registry's registrar field");
	pn_whois_result_free(&r);
	o.max_referrals = 2;

	rc = pn_whois_query(&o, "nope.test", &r);
	is_int(rc, PN_OK, "unknown domain answered");
	is_int(r.not_found, 1, "not_found set");
	is_int(r.creation_date, 0, "no dates");
	pn_whois_result_free(&r);

	rc = pn_whois_query(&o, "loop.test", &r);
	is_int(rc, PN_OK, "self-referral");
	is_int(r.n_servers, 1, "not asked twice");
	pn_whois_result_free(&r);

	rc = pn_whois_query(&o, "toip.test", &r);
	is_int(rc, PN_OK, "referral to an IP:port outside the map");
	is_int(r.n_servers, 1, "not followed");
	ok(strstr(r.err, "not followed") != NULL, "err: %s", r.err);
	pn_whois_result_free(&r);

	o.timeout_ms = 300;
	{
		int64_t t0 = pn_mono_ms(), dt;

		rc = pn_whois_query(&o, "slowref.test", &r);
		dt = pn_mono_ms() - t0;
		is_int(rc, PN_OK, "referral times out: registry data kept");
		ok(strstr(r.err, "timeout") != NULL, "err: %s", r.err);
		ok(dt < 300 + 400, "took %lld ms (timeout 300)", (long long)dt);
		is_str(r.registrar, "Example Registrar, Inc.", "registry fields parsed");
		pn_whois_result_free(&r);
	}
}

static void
test_ips(void)
{
	struct pn_whois_opts o;
	struct pn_whois_result r;
	int rc;

	opts(&o, map);
	rc = pn_whois_query(&o, "192.0.2.1", &r);
	is_int(rc, PN_OK, "ARIN answer (%s)", r.err);
	is_str(r.network, "192.0.2.0/24", "CIDR beats NetRange");
	is_str(r.netname, "TEST-NET-1", "netname");
	is_str(r.country, "US", "country");
	is_str(r.rir, "ARIN", "regional_internet_registry");
	pn_whois_result_free(&r);

	rc = pn_whois_query(&o, "198.51.100.7", &r);
	is_int(rc, PN_OK, "ARIN -> RIPE (%s)", r.err);
	is_int(r.n_servers, 2, "two servers");
	is_str(r.network, "198.51.100.0/24", "RIPE inetnum as CIDR");
	is_str(r.netname, "EXAMPLE-NET", "RIPE netname, not ARIN's pointer block");
	is_str(r.country, "NL", "country");
	is_str(r.rir, "RIPE NCC", "RIR from source: RIPE");
	{
		struct json_object *a = json_object_new_object();

		json_object_object_add(a, "country", json_object_new_string("XX"));
		pn_whois_vt_attrs(&r, 1, a);
		is_str(json_object_get_string(json_object_object_get(a,
		    "regional_internet_registry")), "RIPE NCC", "regional_internet_registry");
		is_str(json_object_get_string(json_object_object_get(a, "country")), "XX",
		    "GeoIP's country kept");
		is_str(json_object_get_string(json_object_object_get(a, "network")),
		    "198.51.100.0/24", "network filled in");
		ok(!json_object_object_get_ex(a, "registrar", NULL), "no registrar on an IP");
		json_object_put(a);
	}
	pn_whois_result_free(&r);

	rc = pn_whois_query(&o, "2001:DB8::5", &r);
	is_int(rc, PN_OK, "IPv6 (%s)", r.err);
	is_str(r.network, "2001:db8::/32", "inet6num");
	is_str(r.country, "DE", "v6 country");
	pn_whois_result_free(&r);
}

/* A map whose first server for "x.test" is the given role. */
static int
query_role(const char *role, struct pn_whois_opts *o, struct pn_whois_result *r)
{
	char m[128];

	snprintf(m, sizeof(m), "test=127.0.0.1:%d", port_of(role));
	o->servers = m;
	return pn_whois_query(o, "x.test", r);
}

static void
test_failures(void)
{
	struct pn_whois_opts o;
	struct pn_whois_result r;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char m[128], path[] = "/tmp/pn-whois-map-XXXXXX";
	int64_t t0, dt;
	int fd, rc, closed_port;
	FILE *f;

	opts(&o, map);
	o.timeout_ms = 400;
	t0 = pn_mono_ms();
	rc = query_role("silent", &o, &r);
	dt = pn_mono_ms() - t0;
	is_int(rc, PN_ETIMEOUT, "silent server: timeout");
	ok(dt >= 390 && dt < 400 + 400, "in %lld ms (timeout 400)", (long long)dt);
	pn_whois_result_free(&r);

	o.timeout_ms = 3000;
	rc = query_role("garbage", &o, &r);
	is_int(rc, PN_EFORMAT, "binary answer: PN_EFORMAT");
	ok(strstr(r.err, "binary") != NULL, "err: %s", r.err);
	ok(r.text == NULL, "no text");
	pn_whois_result_free(&r);

	rc = query_role("empty", &o, &r);
	is_int(rc, PN_EFORMAT, "empty answer: PN_EFORMAT");
	ok(strstr(r.err, "empty") != NULL, "err: %s", r.err);
	pn_whois_result_free(&r);

	o.max_response = 64 * 1024;
	rc = query_role("big", &o, &r);
	is_int(rc, PN_OK, "600 KB answer");
	is_int(r.truncated, 1, "truncated");
	is_int((long long)r.text_len, 64 * 1024, "capped at max_response");
	is_str(r.registrar, "Big Registrar", "parsed what was kept");
	pn_whois_result_free(&r);
	o.max_response = 256 * 1024;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	closed_port = ntohs(sa.sin_port);
	close(fd);
	snprintf(m, sizeof(m), "test=127.0.0.1:%d", closed_port);
	o.servers = m;
	is_int(pn_whois_query(&o, "x.test", &r), PN_EIO, "connection refused: PN_EIO");
	pn_whois_result_free(&r);

	o.servers = map;
	is_int(pn_whois_query(&o, "exa mple.test", &r), PN_EINVAL, "bad query");
	is_int(pn_whois_query(&o, "1.2.3", &r), PN_EINVAL, "bad IP-ish query");
	o.servers = "com=127.0.0.1:43";
	is_int(pn_whois_query(&o, "x.test", &r), PN_ENOTFOUND, "no server for .test");
	ok(strstr(r.err, "no whois server") != NULL, "err: %s", r.err);
	o.servers = "test";
	is_int(pn_whois_query(&o, "x.test", &r), PN_EINVAL, "map entry without =");
	o.servers = "test=host name:43";
	is_int(pn_whois_query(&o, "x.test", &r), PN_EINVAL, "map entry with a bad host");
	o.servers = map;
	o.max_referrals = 9;
	is_int(pn_whois_query(&o, "x.test", &r), PN_EINVAL, "max_referrals over the cap");
	o.max_referrals = 2;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "# test map\ntest 127.0.0.1:%d\n\nwhois.registrar.test=127.0.0.1:%d\n",
	    port_of("registry"), port_of("registrar"));
	fclose(f);
	o.servers = "";
	o.servers_file = path;
	rc = pn_whois_query(&o, "example.test", &r);
	is_int(rc, PN_OK, "map file (%s)", r.err);
	is_int(r.n_servers, 2, "referral via the file's redirect");
	pn_whois_result_free(&r);
	o.servers_file = "/nonexistent/map";
	is_int(pn_whois_query(&o, "example.test", &r), PN_EIO, "missing map file");
	unlink(path);
}

static void
test_conf(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_whois_opts o;

	is_int(pn_whois_opts_from_conf(c, &o), PN_OK, "defaults");
	ok(strstr(o.servers, "default=") != NULL && strstr(o.servers, "ip=") != NULL,
	    "default map has default= and ip=: %s", o.servers);
	is_int((long long)o.max_response, 256 * 1024, "256K");
	is_int(o.max_referrals, 2, "2 referrals");
	pn_conf_put(c, "whois.max_referrals", "6");
	is_int(pn_whois_opts_from_conf(c, &o), PN_EINVAL, "max_referrals 6 refused");
	pn_conf_free(c);
}

int
main(void)
{
	test_dates();
	test_parse();
	test_conf();
	if (srv_start() != 0) {
		ok(0, "start " SERVER);
		return done_testing();
	}
	build_map();
	test_domains();
	test_ips();
	test_failures();
	kill(srv_pid, SIGTERM);
	waitpid(srv_pid, NULL, 0);
	return done_testing();
}
