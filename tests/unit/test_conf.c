/*
 * test_conf.c - the option table, INI loading, --set overrides and
 * value checking; also the capped buffer (lib/buf.c) and bounded reader.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "buf.h"
#include "conf.h"
#include "rd.h"
#include "utf8.h"

#include <stdlib.h>
#include <unistd.h>

static void
test_conf(void)
{
	char path[] = "/tmp/pn-test-conf-XXXXXX", err[512];
	struct pn_conf *c = pn_conf_new();
	FILE *f;
	int fd;

	is_str(pn_conf_get(c, "server.listen"), "127.0.0.1:8080", "default listen is loopback");
	is_int(pn_conf_get_size(c, "limits.max_upload"), 650ULL << 20, "default max upload 650M");
	ok(pn_conf_get_bool(c, "worker.seccomp"), "seccomp on by default");

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "; comment\n[server]\nlisten = 0.0.0.0:9000\n\n[limits]\nmax_upload = 2K\n");
	fclose(f);
	is_int(pn_conf_load_file(c, path, err, sizeof(err)), PN_OK, "load INI");
	is_str(pn_conf_get(c, "server.listen"), "0.0.0.0:9000", "file value");
	is_int(pn_conf_get_size(c, "limits.max_upload"), 2048, "size suffix K");
	is_int(pn_conf_set(c, "server.listen=127.0.0.1:1", err, sizeof(err)), PN_OK, "--set");
	is_str(pn_conf_get(c, "server.listen"), "127.0.0.1:1", "--set wins over the file");
	is_int(pn_conf_set(c, "server.nope=1", err, sizeof(err)), PN_EINVAL, "unknown --set key");
	ok(strstr(err, "server.nope") != NULL, "error names the key: %s", err);
	is_int(pn_conf_set(c, "novalue", err, sizeof(err)), PN_EINVAL, "--set without =");
	is_int(pn_conf_check(c, err, sizeof(err)), PN_OK, "valid config checks");
	pn_conf_set(c, "worker.count=many", err, sizeof(err));
	is_int(pn_conf_check(c, err, sizeof(err)), PN_EINVAL, "non-integer refused by check");
	pn_conf_set(c, "worker.count=3", err, sizeof(err));
	pn_conf_set(c, "worker.seccomp=maybe", err, sizeof(err));
	is_int(pn_conf_check(c, err, sizeof(err)), PN_EINVAL, "non-boolean refused");
	pn_conf_set(c, "worker.seccomp=off", err, sizeof(err));
	pn_conf_set(c, "limits.max_upload=12Q", err, sizeof(err));
	is_int(pn_conf_check(c, err, sizeof(err)), PN_EINVAL, "bad size suffix refused");
	pn_conf_set(c, "limits.max_upload=1G", err, sizeof(err));
	is_int(pn_conf_check(c, err, sizeof(err)), PN_OK, "fixed");
	ok(!pn_conf_get_bool(c, "worker.seccomp"), "off is false");

	f = fopen(path, "w");
	fprintf(f, "[server]\nlisten = x\n[bogus]\nkey = 1\n");
	fclose(f);
	is_int(pn_conf_load_file(c, path, err, sizeof(err)), PN_EINVAL, "unknown section refused");
	ok(strstr(err, "bogus.key") != NULL, "error names it: %s", err);
	is_int(pn_conf_load_file(c, "/nonexistent/x.ini", err, sizeof(err)), PN_EIO, "missing file");
	unlink(path);
	pn_conf_free(c);
}

static void
test_buf(void)
{
	struct pn_buf b;
	char big[100];

	pn_buf_init(&b, 10);
	is_int(pn_buf_puts(&b, "hello"), PN_OK, "append within cap");
	is_int(pn_buf_puts(&b, "world!"), PN_ELIMIT, "append past cap refused");
	is_str(b.p, "hello", "buffer unchanged after refusal");
	is_int(pn_buf_printf(&b, "%d", 12345), PN_OK, "printf to exactly the cap");
	is_int(b.len, 10, "len 10");
	pn_buf_release(&b);

	pn_buf_init(&b, 0);
	pn_buf_json_str(&b, "a\"b\\c\n\x01", 7);
	is_str(b.p, "\"a\\\"b\\\\c\\n\\u0001\"", "JSON escaping");
	pn_buf_release(&b);
	memset(big, 'x', sizeof(big));
	pn_buf_init(&b, 0);
	is_int(pn_buf_append(&b, big, sizeof(big)), PN_OK, "unlimited buffer grows");
	is_int(b.len, 100, "len 100");
	pn_buf_release(&b);
}

static void
test_rd(void)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct pn_rd r = pn_rd_make(data, sizeof(data)), sub;
	uint32_t v32;
	uint16_t v16;

	is_int(pn_rd_le32(&r, &v32), PN_OK, "le32");
	is_int(v32, 0x04030201, "le32 value");
	is_int(pn_rd_be16(&r, &v16), PN_OK, "be16");
	is_int(v16, 0x0506, "be16 value");
	is_int(pn_rd_le32(&r, &v32), PN_EFORMAT, "short read refused");
	is_int(pn_rd_left(&r), 3, "cursor unchanged on refusal");
	is_int(pn_rd_at(&r, 1, 2, &sub), PN_OK, "sub-range inside");
	is_int(pn_rd_at(&r, 2, 2, &sub), PN_EFORMAT, "sub-range past end");
	is_int(pn_rd_at(&r, UINT64_MAX, 2, &sub), PN_EFORMAT, "huge offset");
	is_int(pn_rd_at(&r, 1, UINT64_MAX, &sub), PN_EFORMAT, "huge length");
}

static void
test_utf8(void)
{
	char *c;
	struct pn_buf b = PN_BUF_INIT;

	c = pn_utf8_clean("caf\xc3\xa9", 5);
	is_str(c, "caf\xc3\xa9", "valid UTF-8 kept");
	free(c);
	c = pn_utf8_clean("a\xff\xc3", 3);
	is_str(c, "a\xef\xbf\xbd\xef\xbf\xbd", "invalid bytes replaced");
	free(c);
	c = pn_utf8_clean("\xed\xa0\x80", 3);
	is_str(c, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "surrogate refused");
	free(c);
	c = pn_utf8_clean("", 0);
	is_str(c, "", "cleaning the empty string gives an empty C string");
	free(c);
	c = pn_utf8_clean("\xc0\xaf", 2);
	ok(strstr(c, "\xc0") == NULL, "overlong refused");
	free(c);
	pn_buf_json_str(&b, "x\xfey\xe2\x82\xac", 6);
	is_str(b.p, "\"x\\ufffdy\xe2\x82\xac\"", "JSON strings replace invalid bytes, keep valid ones");
	pn_buf_release(&b);
}

int
main(void)
{
	int64_t v;

	test_conf();
	test_buf();
	test_rd();
	test_utf8();
	is_int(pn_parse_i64("42", 0, 100, &v), PN_OK, "parse 42");
	is_int(pn_parse_i64("101", 0, 100, &v), PN_EINVAL, "out of range");
	is_int(pn_parse_i64("4x", 0, 100, &v), PN_EINVAL, "trailing junk");
	is_int(pn_parse_i64("", 0, 100, &v), PN_EINVAL, "empty");
	return done_testing();
}
