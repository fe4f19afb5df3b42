/*
 * test_cliclient.c - unit tests of the client's plumbing without a network:
 * server URL normalisation and origins (cli/client.c), the config file
 * parser and its permission rules, error -> exit status mapping, and the
 * object paths and URL identifiers of cli/cmd_lookup.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "client.c"
#include "out.c"
#include "common.c"
#include "cmd_lookup.c"

#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[] = "/tmp/test_cliclient.XXXXXX";

static void
test_init(void)
{
	struct pn_client_opts o = { "http://H:1/api/v3/", "k", NULL, 0, -1, 0 };
	struct pn_client cl;
	struct pn_client_err err;
	char *u;

	is_int(pn_client_init(&cl, &o, &err), PN_OK, "init");
	is_str(cl.base, "http://H:1", "trailing /api/v3/ dropped");
	is_str(cl.origin, "http://h:1", "origin lower case");
	is_str(cl.keyhdr, "x-apikey: k", "key header");
	u = full_url(&cl, "files/x");
	is_str(u, "http://H:1/api/v3/files/x", "relative path");
	free(u);
	u = full_url(&cl, "https://other/x");
	is_str(u, "https://other/x", "absolute URL kept");
	free(u);
	ok(same_origin(&cl, "HTTP://h:1/upload/x"), "same origin, any case");
	ok(!same_origin(&cl, "http://h:2/upload/x"), "other port");
	ok(!same_origin(&cl, "https://h:1/upload/x"), "other scheme");
	ok(!same_origin(&cl, "http://h:1.evil/x"), "longer host");
	ok(same_origin(&cl, "http://user:pw@h:1/x"), "user info ignored");
	pn_client_release(&cl);

	o.server = "ftp://h/";
	is_int(pn_client_init(&cl, &o, &err), PN_EINVAL, "ftp refused");
	ok(strstr(err.msg, "http://") != NULL, "message names http");
	o.server = "https://";
	is_int(pn_client_init(&cl, &o, &err), PN_EINVAL, "no host refused");
	o.server = NULL;
	is_int(pn_client_init(&cl, &o, &err), PN_EINVAL, "no server refused");
	ok(strstr(err.msg, "PANOPTES_SERVER") != NULL, "message names PANOPTES_SERVER");
}

static void
test_exit_codes(void)
{
	struct pn_client_err e;

	memset(&e, 0, sizeof(e));
	e.kind = PN_CLIENT_EHTTP;
	e.status = 404;
	pn_strlcpy(e.msg, "File \"x\" not found", sizeof(e.msg));
	is_int(pn_client_exit_code(&e), 2, "404 object: input error");
	pn_strlcpy(e.msg, "unknown resource", sizeof(e.msg));
	ok(pn_client_err_no_route(&e), "404 unknown resource: no route");
	is_int(pn_client_exit_code(&e), 3, "404 no route: server error");
	e.status = 405;
	is_int(pn_client_exit_code(&e), 3, "405: server error");
	e.status = 401;
	is_int(pn_client_exit_code(&e), 3, "401: server error");
	e.status = 400;
	pn_strlcpy(e.msg, "bad", sizeof(e.msg));
	is_int(pn_client_exit_code(&e), 2, "400: input error");
	e.status = 409;
	is_int(pn_client_exit_code(&e), 2, "409: input error");
	e.status = 503;
	is_int(pn_client_exit_code(&e), 3, "503: server error");
	e.kind = PN_CLIENT_ENET;
	is_int(pn_client_exit_code(&e), 3, "network: 3");
	e.kind = PN_CLIENT_EINPUT;
	is_int(pn_client_exit_code(&e), 2, "local input: 2");
	e.kind = PN_CLIENT_EINTR;
	is_int(pn_client_exit_code(&e), 130, "interrupted: 130");
}

/* Write a config file with mode; returns its path (static). */
static const char *
conf_file(const char *text, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/config", tmpdir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
test_config(void)
{
	struct pn_client_conf_owned cf;
	long timeout = 0;
	int retries = -1;
	const char *p;

	memset(&cf, 0, sizeof(cf));
	p = conf_file("# c\n\n server = \"https://s:1\" \napikey='abc'\ntimeout = 7\nretries=2\n"
	    "cacert = /x.pem\n", 0600);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 0, "good file");
	is_str(cf.server, "https://s:1", "server, quotes and spaces trimmed");
	is_str(cf.apikey, "abc", "apikey");
	is_str(cf.cacert, "/x.pem", "cacert");
	ok(timeout == 7 && retries == 2, "timeout and retries");
	pn_client_config_free(&cf);

	p = conf_file("apikey = abc\n", 0644);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 2, "world-readable with a key refused");
	ok(cf.apikey == NULL, "key not kept");
	pn_client_config_free(&cf);

	p = conf_file("apikey = abc\n", 0640);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 0, "group-readable: warning only");
	pn_client_config_free(&cf);

	p = conf_file("server = http://s\n", 0644);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 0, "world-readable without a key");
	pn_client_config_free(&cf);

	p = conf_file("server = http://s\nbogus = 1\n", 0600);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 2, "unknown key");
	pn_client_config_free(&cf);

	p = conf_file("timeout = forever\n", 0600);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 2, "bad number");
	pn_client_config_free(&cf);

	p = conf_file("just words\n", 0600);
	is_int(config_read(p, &cf, &timeout, &retries, "t"), 2, "line without =");
	pn_client_config_free(&cf);

	is_int(config_read("/nonexistent/panoptes/config", &cf, &timeout, &retries, "t"), 1,
	    "no file");
}

static void
test_config_precedence(void)
{
	struct pn_client_opts o;
	struct pn_client_conf_owned cf;

	conf_file("server = http://from-file\napikey = file-key\ntimeout = 9\n", 0600);
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	/* config_path() wants <XDG>/panoptes/config: make that the file. */
	{
		char d[300], from[300], to[300];
		snprintf(d, sizeof(d), "%s/panoptes", tmpdir);
		mkdir(d, 0700);
		snprintf(from, sizeof(from), "%s/config", tmpdir);
		snprintf(to, sizeof(to), "%s/panoptes/config", tmpdir);
		rename(from, to);
	}
	memset(&o, 0, sizeof(o));
	o.retries = -1;
	unsetenv("PANOPTES_SERVER");
	setenv("PANOPTES_APIKEY", "env-key", 1);
	is_int(pn_client_config(&o, &cf, "t"), 0, "config loads");
	is_str(o.server, "http://from-file", "server from the file");
	is_str(o.apikey, "env-key", "environment wins over the file");
	is_int(o.timeout, 9, "timeout from the file");
	pn_client_config_free(&cf);
	memset(&o, 0, sizeof(o));
	o.retries = -1;
	o.apikey = "flag-key";
	o.server = "http://flag";
	is_int(pn_client_config(&o, &cf, "t"), 0, "config loads again");
	ok(strcmp(o.apikey, "flag-key") == 0 && strcmp(o.server, "http://flag") == 0,
	    "flags win over everything");
	pn_client_config_free(&cf);
	unsetenv("PANOPTES_APIKEY");
}

static void
test_paths(void)
{
	char *s;

	ok(pn_cli_is_hash("44d88612fea8a8f36de82e1278abb02f"), "md5");
	ok(pn_cli_is_hash("3395856ce81f2b7382dee72602f798b642f14140"), "sha1");
	ok(!pn_cli_is_hash("44d88612fea8a8f36de82e1278abb02g"), "not hex");
	ok(!pn_cli_is_hash("44d8"), "too short");
	s = pn_cli_url_id("https://www.google.com/");
	is_str(s, "aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8", "URL id: unpadded base64url");
	free(s);
	s = pn_cli_url_id("http://a/?x=>>>?");
	ok(strchr(s, '+') == NULL && strchr(s, '/') == NULL && strchr(s, '=') == NULL,
	    "URL-safe alphabet, no padding: %s", s);
	free(s);
	s = pn_cli_url_id("d0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86");
	is_str(s, "d0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86",
	    "64 hex digits are the id");
	free(s);
	s = pn_cli_object_path("ip", "1.2.3.4");
	is_str(s, "ip_addresses/1.2.3.4", "ip path");
	free(s);
	s = pn_cli_object_path("domains", "a/b");
	is_str(s, "domains/a%2Fb", "segment escaped");
	free(s);
	s = pn_cli_object_path("analysis", "YQ==");
	is_str(s, "analyses/YQ%3D%3D", "analysis id escaped");
	free(s);
	s = pn_cli_object_path("url", "https://www.google.com/");
	is_str(s, "urls/aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8", "url path");
	free(s);
	ok(pn_cli_object_path("bogus", "x") == NULL, "unknown type");
	ok(pn_cli_object_path("file", "") == NULL, "empty id");
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_init();
	test_exit_codes();
	test_config();
	test_config_precedence();
	test_paths();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	return done_testing();
}
