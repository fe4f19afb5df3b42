/*
 * test_dns.c - net/dns.c against tests/data/net/dns_server.py on loopback
 * (every record type with its values, CNAME, NXDOMAIN, NODATA, PTR, a
 * server that never answers, SERVFAIL, malformed answers), the answer
 * walker on hand-made messages, and net/domain.c's helpers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "conf.h"
#include "dns.h"
#include "domain.h"

#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SERVER "tests/data/net/dns_server.py"

struct srv {
	pid_t pid;
	int port;
};

/* Start the test server in mode on host; its first stdout line is the port. */
static int
srv_start_host(struct srv *s, const char *mode, const char *host)
{
	char line[32];
	int64_t port = 0;
	size_t o = 0;
	int fds[2];

	s->port = 0;
	if (pipe(fds) != 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/python3", "python3", SERVER, "--mode", mode, "--host", host,
		    "--lifetime", "120", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (o < sizeof(line) - 1 && read(fds[0], line + o, 1) == 1 && line[o] != '\n')
		o++;
	line[o] = '\0';
	close(fds[0]);
	if (pn_parse_i64(line, 1, 65535, &port) != PN_OK)
		return -1;
	s->port = (int)port;
	return 0;
}

static int
srv_start(struct srv *s, const char *mode)
{
	return srv_start_host(s, mode, "127.0.0.1");
}

static void
srv_stop(struct srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

static struct pn_dns *
dns_for(const char *servers, const char *tmo, const char *tries)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_dns *d = NULL;
	char err[256];
	int rc;

	pn_conf_put(c, "dns.servers", servers);
	pn_conf_put(c, "dns.timeout_ms", tmo);
	pn_conf_put(c, "dns.tries", tries);
	rc = pn_dns_new(c, &d, err, sizeof(err));
	if (rc != PN_OK)
		diag("pn_dns_new: %s", err);
	pn_conf_free(c);
	return d;
}

/* Find the idx-th record of type in arr; NULL if absent. */
static struct json_object *
rec(struct json_object *arr, const char *type, int idx)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i), *t;

		if (json_object_object_get_ex(r, "type", &t) &&
		    strcmp(json_object_get_string(t), type) == 0 && idx-- == 0)
			return r;
	}
	return NULL;
}

static const char *
sval(struct json_object *r, const char *key)
{
	struct json_object *v;

	if (r == NULL || !json_object_object_get_ex(r, key, &v))
		return "(none)";
	return json_object_get_string(v);
}

static int64_t
ival(struct json_object *r, const char *key)
{
	struct json_object *v;

	if (r == NULL || !json_object_object_get_ex(r, key, &v))
		return -1;
	return json_object_get_int64(v);
}

static int
count_type(struct json_object *arr, const char *type)
{
	int n = 0;

	while (rec(arr, type, n) != NULL)
		n++;
	return n;
}

static void
test_domain(void)
{
	char out[PN_REVERSE_NAME_MAX + 200];
	char long_label[80], long_name[4 * 80 + 8];
	uint8_t a[16];
	int fam;

	is_int(pn_domain_check("example.com", 0), PN_OK, "plain name");
	is_int(pn_domain_check("Example.COM.", 0), PN_OK, "trailing dot");
	is_int(pn_domain_check("localhost", 0), PN_OK, "single label");
	is_int(pn_domain_check("xn--bcher-kva.example", 0), PN_OK, "punycode label");
	is_int(pn_domain_check("a..b", 0), PN_EINVAL, "empty label");
	is_int(pn_domain_check(".", 0), PN_EINVAL, "root only");
	is_int(pn_domain_check("", 0), PN_EINVAL, "empty");
	is_int(pn_domain_check("-a.com", 0), PN_EINVAL, "leading hyphen");
	is_int(pn_domain_check("a-.com", 0), PN_EINVAL, "trailing hyphen");
	is_int(pn_domain_check("a b.com", 0), PN_EINVAL, "space");
	is_int(pn_domain_check("b\xc3\xbc" "cher.de", 0), PN_EINVAL, "non-ASCII rejected");
	is_int(pn_domain_check("_dmarc.example.com", 0), PN_EINVAL, "underscore: not a host name");
	is_int(pn_domain_check("_dmarc.example.com", PN_DOMAIN_DNS), PN_OK, "underscore: DNS name");
	is_int(pn_domain_check("1.2.3.4", 0), PN_EINVAL, "dotted quad is not a host name");
	is_int(pn_domain_check("a.b.c.123", 0), PN_EINVAL, "numeric TLD");
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	is_int(pn_domain_check(long_label, 0), PN_EINVAL, "64-char label");
	long_label[63] = '\0';
	is_int(pn_domain_check(long_label, 0), PN_OK, "63-char label");
	/* 4 x 63 + 3 dots = 255 > 253 */
	snprintf(long_name, sizeof(long_name), "%s.%s.%s.%s", long_label, long_label,
	    long_label, long_label);
	is_int(pn_domain_check(long_name, 0), PN_EINVAL, "255-char name");
	long_name[253] = '\0';
	is_int(pn_domain_check(long_name, 0), PN_OK, "253-char name");
	is_int(pn_domain_normalize("WWW.Example.COM.", 0, out, sizeof(out)), PN_OK, "normalize");
	is_str(out, "www.example.com", "lower-case, no trailing dot");
	is_int(pn_domain_normalize("www.example.com", 0, out, 5), PN_ELIMIT, "small buffer");

	is_int(pn_ip_parse("192.0.2.1", &fam, a), PN_OK, "v4 parse");
	is_int(fam, 4, "family 4");
	is_int(pn_ip_parse("[2001:db8::1]", &fam, a), PN_OK, "bracketed v6");
	is_int(fam, 6, "family 6");
	is_int(pn_ip_parse("01.2.3.4", &fam, a), PN_EINVAL, "leading zero v4 rejected");
	is_int(pn_ip_parse("1.2.3", &fam, a), PN_EINVAL, "short v4 rejected");
	is_int(pn_ip_parse("0x7f.0.0.1", &fam, a), PN_EINVAL, "hex v4 rejected");
	is_int(pn_ip_parse("1.2.3.4 ", &fam, a), PN_EINVAL, "trailing space rejected");
	is_int(pn_ip_parse("fe80::1%eth0", &fam, a), PN_EINVAL, "zone id rejected");
	is_int(pn_ip_parse("[1.2.3.4]", &fam, a), PN_EINVAL, "bracketed v4 rejected");
	is_int(pn_ip_normalize("2001:DB8:0:0::0:1", out, sizeof(out)), PN_OK, "v6 normalize");
	is_str(out, "2001:db8::1", "canonical v6");
	is_int(pn_ip_reverse_name("192.0.2.1", out, sizeof(out)), PN_OK, "v4 reverse");
	is_str(out, "1.2.0.192.in-addr.arpa", "in-addr.arpa name");
	is_int(pn_ip_reverse_name("2001:db8::1", out, sizeof(out)), PN_OK, "v6 reverse");
	is_str(out, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	    "ip6.arpa name");
	is_int(pn_ip_from_reverse_name(out, out, sizeof(out)), PN_OK, "ip6.arpa back");
	is_str(out, "2001:db8::1", "ip6.arpa round trip");
	is_int(pn_ip_from_reverse_name("4.3.2.1.IN-ADDR.ARPA.", out, sizeof(out)), PN_OK,
	    "in-addr.arpa back");
	is_str(out, "1.2.3.4", "in-addr.arpa round trip");
	is_int(pn_ip_from_reverse_name("3.2.1.in-addr.arpa", out, sizeof(out)), PN_EINVAL,
	    "short in-addr.arpa rejected");
	is_int(pn_ip_from_reverse_name("x.ip6.arpa", out, sizeof(out)), PN_EINVAL,
	    "short ip6.arpa rejected");

	is_int(pn_domain_registrable("a.b.evil.blogspot.com", out, sizeof(out)), PN_OK,
	    "registrable (private suffix)");
	is_str(out, "evil.blogspot.com", "blogspot.com is a public suffix");
	is_int(pn_domain_registrable("WWW.BBC.CO.UK", out, sizeof(out)), PN_OK, "registrable co.uk");
	is_str(out, "bbc.co.uk", "eTLD+1 under co.uk");
	is_int(pn_domain_registrable("co.uk", out, sizeof(out)), PN_ENOTFOUND,
	    "public suffix has no registrable domain");
	is_int(pn_domain_public_suffix("www.bbc.co.uk", out, sizeof(out)), PN_OK, "public suffix");
	is_str(out, "co.uk", "public suffix co.uk");
	is_int(pn_domain_tld("www.bbc.co.uk.", out, sizeof(out)), PN_OK, "tld");
	is_str(out, "uk", "tld is the last label");
	is_int(pn_domain_registrable("bad..name", out, sizeof(out)), PN_EINVAL, "bad name");
}

/* The walker over hand-made messages. */
static void
test_walker(void)
{
	/* header: 0 questions, 1 answer; name = pointer to itself (loop) */
	static const uint8_t loop[] = {
		0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4
	};
	static const uint8_t good[] = {
		0, 1, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0,
		1, 'a', 0, 0, 1, 0, 1, 0x80, 0, 0, 0, 0, 4, 10, 0, 0, 1,
		0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 0, 0, 4, 0, 5, 0xc0, 12
	};
	struct json_object *arr = json_object_new_array();

	is_int(pn_dns_answer_to_json(loop, sizeof(loop), 1, arr), PN_EFORMAT,
	    "compression loop rejected");
	is_int(pn_dns_answer_to_json(good, 11, 1, arr), PN_EFORMAT, "short header");
	is_int(pn_dns_answer_to_json(good, sizeof(good) - 1, 15, arr), PN_EFORMAT,
	    "MX name cut off");
	json_object_put(arr);
	arr = json_object_new_array();
	is_int(pn_dns_answer_to_json(good, sizeof(good), 1, arr), PN_OK, "hand-made A");
	is_str(sval(rec(arr, "A", 0), "value"), "10.0.0.1", "A value");
	is_int(ival(rec(arr, "A", 0), "ttl"), 0, "TTL with top bit set reads as 0");
	is_int(pn_dns_answer_to_json(good, sizeof(good), 15, arr), PN_OK, "hand-made MX");
	is_str(sval(rec(arr, "MX", 0), "value"), "a", "MX via pointer");
	is_int(ival(rec(arr, "MX", 0), "priority"), 5, "MX priority");
	json_object_put(arr);
}

static void
test_records(struct pn_dns *d)
{
	struct json_object *arr = NULL, *r;
	char err[256];
	int rc;

	rc = pn_dns_records(d, "Example.Test.", &arr, err, sizeof(err));
	is_int(rc, PN_OK, "records of example.test (%s)", err);
	if (arr == NULL)
		return;
	diag("%s", json_object_to_json_string(arr));
	is_int(count_type(arr, "A"), 2, "2 A");
	is_str(sval(rec(arr, "A", 0), "value"), "192.0.2.1", "A 1");
	is_str(sval(rec(arr, "A", 1), "value"), "192.0.2.2", "A 2");
	is_int(ival(rec(arr, "A", 0), "ttl"), 300, "A ttl");
	is_int(count_type(arr, "AAAA"), 1, "1 AAAA");
	is_str(sval(rec(arr, "AAAA", 0), "value"), "2001:db8::1", "AAAA value");
	is_int(ival(rec(arr, "AAAA", 0), "ttl"), 600, "AAAA ttl");
	is_int(count_type(arr, "CNAME"), 0, "no CNAME at the apex");
	is_int(count_type(arr, "MX"), 2, "2 MX");
	is_str(sval(rec(arr, "MX", 0), "value"), "mx1.example.test", "MX 1 host");
	is_int(ival(rec(arr, "MX", 0), "priority"), 10, "MX 1 priority");
	is_str(sval(rec(arr, "MX", 1), "value"), "mx2.example.test", "MX 2 host");
	is_int(ival(rec(arr, "MX", 1), "priority"), 20, "MX 2 priority");
	is_int(ival(rec(arr, "MX", 1), "ttl"), 3600, "MX ttl");
	is_int(count_type(arr, "NS"), 2, "2 NS");
	is_str(sval(rec(arr, "NS", 0), "value"), "ns1.example.test", "NS 1");
	is_str(sval(rec(arr, "NS", 1), "value"), "ns2.example.test", "NS 2");
	is_int(ival(rec(arr, "NS", 0), "ttl"), 86400, "NS ttl");
	is_int(count_type(arr, "TXT"), 2, "2 TXT");
	is_str(sval(rec(arr, "TXT", 0), "value"), "v=spf1 -all", "TXT 1");
	is_str(sval(rec(arr, "TXT", 1), "value"), "part one; part two\\001bin\\092",
	    "TXT strings joined, non-printables escaped");
	is_int(ival(rec(arr, "TXT", 0), "ttl"), 120, "TXT ttl");
	is_int(count_type(arr, "SOA"), 1, "1 SOA");
	r = rec(arr, "SOA", 0);
	is_str(sval(r, "value"), "ns1.example.test", "SOA mname");
	is_str(sval(r, "rname"), "hostmaster.example.test", "SOA rname");
	is_int(ival(r, "serial"), 2026120401, "SOA serial");
	is_int(ival(r, "refresh"), 7200, "SOA refresh");
	is_int(ival(r, "retry"), 900, "SOA retry");
	is_int(ival(r, "expire"), 1209600, "SOA expire");
	is_int(ival(r, "minimum"), 300, "SOA minimum");
	is_int(ival(r, "ttl"), 3600, "SOA ttl");
	is_int((int)json_object_array_length(arr), 10, "10 records in all");
	json_object_put(arr);

	rc = pn_dns_records(d, "www.example.test", &arr, err, sizeof(err));
	is_int(rc, PN_OK, "records of a CNAME");
	is_int(count_type(arr, "CNAME"), 1, "1 CNAME");
	is_str(sval(rec(arr, "CNAME", 0), "value"), "example.test", "CNAME target");
	is_int(ival(rec(arr, "CNAME", 0), "ttl"), 60, "CNAME ttl");
	is_int(count_type(arr, "A"), 2, "A through the CNAME");
	is_int(count_type(arr, "MX"), 2, "MX through the CNAME");
	json_object_put(arr);

	arr = NULL;
	rc = pn_dns_records(d, "nothere.example.test", &arr, err, sizeof(err));
	is_int(rc, PN_ENOTFOUND, "records: NXDOMAIN");
	ok(arr == NULL, "no array on NXDOMAIN");
	ok(strstr(err, "NXDOMAIN") != NULL, "error says NXDOMAIN: %s", err);

	arr = NULL;
	rc = pn_dns_records(d, "many.example.test", &arr, err, sizeof(err));
	is_int(rc, PN_OK, "40 A records (%s)", err);
	if (arr != NULL)
		is_int(count_type(arr, "A"), 40, "all 40 kept");
	json_object_put(arr);

	rc = pn_dns_records(d, "bad name.test", &arr, err, sizeof(err));
	is_int(rc, PN_EINVAL, "invalid name refused before querying");
	rc = pn_dns_records(d, "bad.example.test", &arr, err, sizeof(err));
	is_int(rc, PN_EFORMAT, "record running past the message: PN_EFORMAT (%s)", err);
}

static void
test_resolve(struct pn_dns *d)
{
	char addrs[8][46], name[256];
	size_t n = 99;

	is_int(pn_dns_resolve(d, "example.test", addrs, 8, &n), PN_OK, "resolve");
	is_int((long long)n, 3, "2 A + 1 AAAA");
	if (n == 3) {
		is_str(addrs[0], "192.0.2.1", "first A");
		is_str(addrs[1], "192.0.2.2", "second A");
		is_str(addrs[2], "2001:db8::1", "AAAA last");
	}
	is_int(pn_dns_resolve(d, "example.test", addrs, 1, &n), PN_OK, "resolve max 1");
	is_int((long long)n, 1, "capped at max");
	is_int(pn_dns_resolve(d, "www.example.test", addrs, 8, &n), PN_OK, "resolve via CNAME");
	is_int((long long)n, 3, "CNAME target's addresses");
	is_int(pn_dns_resolve(d, "v6only.example.test", addrs, 8, &n), PN_OK, "v6 only");
	is_int((long long)n, 1, "one address");
	is_str(addrs[0], "2001:db8::53", "the AAAA");
	is_int(pn_dns_resolve(d, "txtonly.example.test", addrs, 8, &n), PN_ENOTFOUND,
	    "no A/AAAA: PN_ENOTFOUND");
	is_int((long long)n, 0, "n = 0");
	is_int(pn_dns_resolve(d, "nothere.example.test", addrs, 8, &n), PN_ENOTFOUND,
	    "NXDOMAIN: PN_ENOTFOUND");
	is_int(pn_dns_resolve(d, "192.0.2.77", addrs, 8, &n), PN_OK, "IP literal");
	is_str(addrs[0], "192.0.2.77", "returned as is");
	is_int(pn_dns_resolve(d, "exa mple.test", addrs, 8, &n), PN_EINVAL, "bad name");
	is_int(pn_dns_resolve(d, "b\xc3\xbc" "cher.test", addrs, 8, &n), PN_EINVAL, "non-ASCII");
	is_int(pn_dns_resolve(d, "bad.example.test", addrs, 8, &n), PN_EFORMAT,
	    "malformed answer: PN_EFORMAT");

	is_int(pn_dns_reverse(d, "192.0.2.1", name, sizeof(name)), PN_OK, "PTR v4");
	is_str(name, "example.test", "PTR v4 name");
	is_int(pn_dns_reverse(d, "2001:db8::1", name, sizeof(name)), PN_OK, "PTR v6");
	is_str(name, "v6.example.test", "PTR v6 name");
	is_int(pn_dns_reverse(d, "192.0.2.99", name, sizeof(name)), PN_ENOTFOUND, "no PTR");
	is_int(pn_dns_reverse(d, "not-an-ip", name, sizeof(name)), PN_EINVAL, "PTR of junk");
	is_int(pn_dns_reverse(d, "192.0.2.1", name, 5), PN_ELIMIT, "PTR small buffer");
}

static void
test_failures(void)
{
	struct srv s = {0, 0};
	struct pn_dns *d;
	char servers[64], addrs[4][46], err[256];
	struct json_object *arr = NULL;
	int64_t t0, dt;
	size_t n;

	ok(srv_start(&s, "silent") == 0, "silent server on port %d", s.port);
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", s.port);
	/* c-ares alone would wait 200 + 400 + 800 ms (it doubles each round) */
	d = dns_for(servers, "200", "3");
	t0 = pn_mono_ms();
	is_int(pn_dns_resolve(d, "example.test", addrs, 4, &n), PN_ETIMEOUT, "silent: timeout");
	dt = pn_mono_ms() - t0;
	ok(dt >= 590 && dt <= 600 + 300, "timed out in %lld ms (timeout 200 x 3 tries)",
	    (long long)dt);
	t0 = pn_mono_ms();
	is_int(pn_dns_records(d, "example.test", &arr, err, sizeof(err)), PN_ETIMEOUT,
	    "records: timeout");
	dt = pn_mono_ms() - t0;
	ok(dt <= 600 + 300, "7 queries timed out together in %lld ms", (long long)dt);
	ok(strstr(err, "timeout") != NULL, "err: %s", err);
	pn_dns_free(d);
	srv_stop(&s);

	ok(srv_start(&s, "servfail") == 0, "servfail server");
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", s.port);
	d = dns_for(servers, "300", "1");
	is_int(pn_dns_resolve(d, "example.test", addrs, 4, &n), PN_EIO, "SERVFAIL: PN_EIO");
	pn_dns_free(d);
	srv_stop(&s);

	ok(srv_start(&s, "garbage") == 0, "garbage server");
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", s.port);
	d = dns_for(servers, "300", "1");
	is_int(pn_dns_resolve(d, "example.test", addrs, 4, &n), PN_EFORMAT,
	    "cut-off answer: PN_EFORMAT");
	is_int(pn_dns_records(d, "example.test", &arr, err, sizeof(err)), PN_EFORMAT,
	    "records of garbage: PN_EFORMAT");
	ok(strstr(err, "query") != NULL, "err names the query: %s", err);
	pn_dns_free(d);
	srv_stop(&s);
}

static void
test_fallback(void)
{
	struct srv dead = {0, 0}, live = {0, 0};
	struct pn_dns *d;
	char servers[96], addrs[4][46];
	size_t n = 0;
	int64_t t0;

	ok(srv_start(&dead, "silent") == 0 && srv_start(&live, "normal") == 0, "two servers");
	snprintf(servers, sizeof(servers), "127.0.0.1:%d,127.0.0.1:%d", dead.port, live.port);
	d = dns_for(servers, "200", "1");
	t0 = pn_mono_ms();
	is_int(pn_dns_resolve(d, "example.test", addrs, 4, &n), PN_OK,
	    "second server answers after the first times out");
	diag("fallback took %lld ms", (long long)(pn_mono_ms() - t0));
	is_int((long long)n, 3, "3 addresses");
	pn_dns_free(d);
	srv_stop(&dead);
	srv_stop(&live);
}

static void
test_ipv6(void)
{
	struct srv s = {0, 0};
	struct pn_dns *d;
	char servers[64], addrs[4][46];
	size_t n = 0;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		diag("no IPv6 loopback: IPv6 server test skipped");
		ok(1, "# SKIP no ::1");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	ok(srv_start_host(&s, "normal", "::1") == 0, "server on [::1]:%d", s.port);
	snprintf(servers, sizeof(servers), "[::1]:%d", s.port);
	d = dns_for(servers, "1000", "1");
	is_int(pn_dns_resolve(d, "v6only.example.test", addrs, 4, &n), PN_OK,
	    "resolve over IPv6 transport");
	is_str(n > 0 ? addrs[0] : "", "2001:db8::53", "answer");
	pn_dns_free(d);
	srv_stop(&s);
}

static void
test_conf(void)
{
	struct pn_conf *c = pn_conf_new();
	struct pn_dns *d = NULL;
	char err[256];

	pn_conf_put(c, "dns.servers", "not an address");
	is_int(pn_dns_new(c, &d, err, sizeof(err)), PN_EINVAL, "bad dns.servers");
	ok(strstr(err, "dns.servers") != NULL, "err: %s", err);
	pn_conf_put(c, "dns.servers", "127.0.0.1:5353,[::1]:53");
	is_int(pn_dns_new(c, &d, err, sizeof(err)), PN_OK, "ip:port and [v6]:port");
	pn_dns_free(d);
	pn_conf_put(c, "dns.timeout_ms", "0");
	is_int(pn_dns_new(c, &d, err, sizeof(err)), PN_EINVAL, "timeout 0 refused");
	pn_conf_free(c);
	is_int(pn_dns_new(NULL, &d, err, sizeof(err)), PN_OK, "defaults (system resolvers)");
	pn_dns_free(d);
}

int
main(void)
{
	struct srv s = {0, 0};
	struct pn_dns *d;
	char servers[64];

	test_domain();
	test_walker();
	test_conf();
	if (srv_start(&s, "normal") != 0) {
		ok(0, "start " SERVER);
		return done_testing();
	}
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", s.port);
	d = dns_for(servers, "1000", "2");
	ok(d != NULL, "channel for %s", servers);
	if (d != NULL) {
		test_records(d);
		test_resolve(d);
		pn_dns_free(d);
	}
	srv_stop(&s);
	test_failures();
	test_fallback();
	test_ipv6();
	return done_testing();
}
