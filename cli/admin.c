/*
 * admin.c - the administrator's commands, run on the server's machine
 * against its data directory (they open the store directly, so they work
 * with the server running or stopped):
 *
 *   panoptes user add NAME [--role R | --admin] [--group G] [--download]
 *   panoptes user list
 *   panoptes user disable|enable NAME
 *   panoptes user quota NAME lookups.minute=10,downloads.day=0,...
 *   panoptes key rotate NAME      (revokes every key of NAME, prints a new one)
 *   panoptes key add NAME         (an extra key; prints it and its id)
 *   panoptes key quota KEYID ...  (limits of one key)
 *   panoptes audit [--limit N]    (who submitted, downloaded, shared, deleted what)
 *
 * A new key is printed once, as the last line; the store keeps its hash.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "cli.h"
#include "store.h"

#include <getopt.h>
#include <time.h>

enum { OPT_ROLE = 1100, OPT_GROUP };

static const char user_usage[] =
	"usage: panoptes user add NAME [--role read-only|analyst|admin] [--admin] [--group GROUP]\n"
	"                         [--download] [--data DIR]\n"
	"       panoptes user list [--data DIR]\n"
	"       panoptes user disable|enable NAME [--data DIR]\n"
	"       panoptes user quota NAME KIND.PERIOD=N[,...] [--data DIR]\n";

static const char user_help[] =
	"\nUsers belong to a group; what a user submits is visible only inside the\n"
	"group until shared.  Without --group a user gets a group of their own.\n"
	"add prints the new API key as the last line: it is stored hashed and\n"
	"cannot be shown again.\n\noptions:\n"
	"  --role R             read-only (look up), analyst (default: also submit,\n"
	"                       comment, vote) or admin (everything, every group)\n"
	"  --admin              the same as --role admin\n"
	"  --group GROUP        the user's group\n"
	"  --download           may download samples (admins always may)\n\n"
	"quota: KIND is lookups, submissions or downloads; PERIOD minute, day or month;\n"
	"N a count, 0 for no limit, or \"inherit\" for the configured default.\n";

static const char key_usage[] =
	"usage: panoptes key rotate NAME [--data DIR]\n"
	"       panoptes key add NAME [--data DIR]\n"
	"       panoptes key quota KEYID KIND.PERIOD=N[,...] [--data DIR]\n";

static int
open_store(struct pn_cli_common *c, const char *cmd, struct pn_store **st)
{
	int rc = pn_cli_common_finish(c);

	if (rc != 0)
		return rc;
	rc = pn_store_open_sqlite(c->datadir, 1, st);
	if (rc != PN_OK) {
		fprintf(stderr, "panoptes %s: cannot open the store in %s: %s\n", cmd, c->datadir,
		    pn_strerror(rc));
		return 1;
	}
	return 0;
}

static int
report(const char *cmd, const char *what, int rc)
{
	if (rc == PN_OK)
		return 0;
	if (rc == PN_ENOTFOUND)
		fprintf(stderr, "panoptes %s: no such %s\n", cmd, what);
	else if (rc == PN_EEXIST)
		fprintf(stderr, "panoptes %s: that %s already exists\n", cmd, what);
	else if (rc == PN_EINVAL)
		fprintf(stderr, "panoptes %s: invalid %s\n", cmd, what);
	else
		fprintf(stderr, "panoptes %s: %s\n", cmd, pn_strerror(rc));
	return 1;
}

static int
valid_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_' && ch != '.' && ch != '@')
			return 0;
	}
	return 1;
}

static int
user_add(struct pn_store *st, const char *name, const struct pn_user_spec *spec0)
{
	struct pn_user_spec spec = *spec0;
	char key[65];
	int rc;

	spec.id = name;
	rc = pn_store_user_add(st, &spec, key);
	if (rc != PN_OK)
		return report("user", "user", rc);
	pn_store_audit_add(st, "(cli)", "user-add", "user", name, spec.grp ? spec.grp : name);
	printf("created user \"%s\" (%s, group \"%s\"%s); API key:\n%s\n", name,
	    pn_role_name(spec.role), spec.grp ? spec.grp : name,
	    spec.can_download || spec.role == PN_ROLE_ADMIN ? ", may download" : "", key);
	return 0;
}

static void
print_quotas(const struct pn_quotas *q)
{
	char *j = pn_quotas_json(q);

	printf("%s", strcmp(j, "{}") == 0 ? "-" : j);
	free(j);
}

static int
user_list(struct pn_store *st)
{
	struct pn_user *v = NULL;
	size_t n = 0, i;
	int rc = pn_store_user_list(st, &v, &n);

	if (rc != PN_OK)
		return report("user", "user", rc);
	printf("%-20s %-16s %-10s %-8s %-8s %6s  %s\n", "NAME", "GROUP", "ROLE", "DOWNLOAD",
	    "ACTIVE", "REP", "QUOTAS");
	for (i = 0; i < n; i++) {
		printf("%-20s %-16s %-10s %-8s %-8s %6lld  ", v[i].id, v[i].grp,
		    pn_role_name(v[i].role), v[i].can_download ? "yes" : "no",
		    v[i].active ? "yes" : "no", (long long)v[i].reputation);
		print_quotas(&v[i].quotas);
		putchar('\n');
	}
	free(v);
	return 0;
}

static int
parse_quotas(const char *text, struct pn_quotas *q, const char *cmd)
{
	char err[256];

	if (pn_quotas_parse(text, q, err, sizeof(err)) != PN_OK) {
		fprintf(stderr, "panoptes %s: %s\n", cmd, err);
		return 2;
	}
	return 0;
}

static int
user_quota(struct pn_store *st, const char *name, const char *text)
{
	struct pn_user u;
	int rc = pn_store_user_get(st, name, &u);

	if (rc != PN_OK)
		return report("user", "user", rc);
	if ((rc = parse_quotas(text, &u.quotas, "user")) != 0)
		return rc;
	if ((rc = pn_store_user_set_quotas(st, name, &u.quotas)) != PN_OK)
		return report("user", "user", rc);
	printf("quotas of \"%s\": ", name);
	print_quotas(&u.quotas);
	putchar('\n');
	return 0;
}

static int
user_run(struct pn_store *st, int argc, char **argv, const struct pn_user_spec *spec)
{
	const char *verb = argv[0];

	if (strcmp(verb, "add") == 0 && argc == 2) {
		if (!valid_name(argv[1]) || (spec->grp && !valid_name(spec->grp))) {
			fprintf(stderr, "panoptes user: names and groups are 1 to 63 letters, digits"
			    " or - _ . @\n");
			return 2;
		}
		return user_add(st, argv[1], spec);
	}
	if (strcmp(verb, "list") == 0 && argc == 1)
		return user_list(st);
	if ((strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) && argc == 2) {
		int on = strcmp(verb, "enable") == 0;
		int rc = pn_store_user_set_active(st, argv[1], on);
		if (rc == PN_OK) {
			pn_store_audit_add(st, "(cli)", on ? "user-enable" : "user-disable", "user",
			    argv[1], NULL);
			printf("%s \"%s\"\n", on ? "enabled" : "disabled", argv[1]);
		}
		return report("user", "user", rc);
	}
	if (strcmp(verb, "quota") == 0 && argc == 3)
		return user_quota(st, argv[1], argv[2]);
	fputs(user_usage, stderr);
	return 2;
}

int
pn_cmd_user(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		{ "admin", no_argument, NULL, OPT_ADMIN },
		{ "download", no_argument, NULL, OPT_DOWNLOAD },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_user_spec spec = { NULL, NULL, PN_ROLE_ANALYST, 0 };
	struct pn_store *st = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ADMIN: spec.role = PN_ROLE_ADMIN; break;
		case OPT_DOWNLOAD: spec.can_download = 1; break;
		case OPT_GROUP: spec.grp = optarg; break;
		case OPT_ROLE:
			if (pn_role_parse(optarg, &spec.role) != PN_OK) {
				fprintf(stderr, "panoptes user: --role is read-only, analyst or admin\n");
				pn_cli_common_free(&c);
				return 2;
			}
			break;
		case 'h':
			printf("%s%s%s", user_usage, user_help, pn_cli_common_help);
			pn_cli_common_free(&c);
			return 0;
		default:
			pn_cli_common_free(&c);
			return 2;
		}
	}
	if (argc - optind < 1) {
		fputs(user_usage, stderr);
		pn_cli_common_free(&c);
		return 2;
	}
	if ((rc = open_store(&c, "user", &st)) == 0) {
		rc = user_run(st, argc - optind, argv + optind, &spec);
		pn_store_close(st);
	}
	pn_cli_common_free(&c);
	return rc;
}

static int
key_run(struct pn_store *st, int argc, char **argv)
{
	char key[65], key_id[17];
	int rc;

	if ((strcmp(argv[0], "rotate") == 0 || strcmp(argv[0], "add") == 0) && argc == 2) {
		int rotate = strcmp(argv[0], "rotate") == 0;
		rc = pn_store_key_add(st, argv[1], rotate, key, key_id);
		if (rc != PN_OK)
			return report("key", "user", rc);
		pn_store_audit_add(st, "(cli)", rotate ? "key-rotate" : "key-add", "user", argv[1],
		    key_id);
		printf("%s key %s for \"%s\"%s; API key:\n%s\n", rotate ? "new" : "added", key_id,
		    argv[1], rotate ? " (every earlier key is revoked)" : "", key);
		return 0;
	}
	if (strcmp(argv[0], "quota") == 0 && argc == 3) {
		struct pn_quotas q;
		pn_quotas_inherit_all(&q);
		if ((rc = parse_quotas(argv[2], &q, "key")) != 0)
			return rc;
		rc = pn_store_key_set_quotas(st, argv[1], &q);
		if (rc == PN_OK) {
			printf("quotas of key %s: ", argv[1]);
			print_quotas(&q);
			putchar('\n');
		}
		return report("key", "key id", rc);
	}
	fputs(key_usage, stderr);
	return 2;
}

int
pn_cmd_key(int argc, char **argv)
{
	static const struct option lo[] = { PN_CLI_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_store *st = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		if (opt == 'h') {
			printf("%s\nrotate revokes every key of the user and prints a new one;\n"
			    "add prints an extra key and its id (for per-key quotas).\n\noptions:\n%s",
			    key_usage, pn_cli_common_help);
			pn_cli_common_free(&c);
			return 0;
		}
		pn_cli_common_free(&c);
		return 2;
	}
	if (argc - optind < 1) {
		fputs(key_usage, stderr);
		pn_cli_common_free(&c);
		return 2;
	}
	if ((rc = open_store(&c, "key", &st)) == 0) {
		rc = key_run(st, argc - optind, argv + optind);
		pn_store_close(st);
	}
	pn_cli_common_free(&c);
	return rc;
}

int
pn_cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_audit_page page;
	struct pn_store *st = NULL;
	int64_t limit = 50;
	int opt, rc;
	size_t i;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		if (opt == OPT_LIMIT && pn_parse_i64(optarg, 1, 100000, &limit) == PN_OK)
			continue;
		if (opt == 'h')
			printf("usage: panoptes audit [--limit N] [--data DIR]\n\n"
			    "The newest entries of the audit log: who submitted, downloaded,\n"
			    "shared and deleted what.\n\noptions:\n%s", pn_cli_common_help);
		pn_cli_common_free(&c);
		return opt == 'h' ? 0 : 2;
	}
	if ((rc = open_store(&c, "audit", &st)) != 0) {
		pn_cli_common_free(&c);
		return rc;
	}
	rc = pn_store_audit_list(st, 0, (size_t)limit, &page);
	if (rc == PN_OK) {
		for (i = 0; i < page.n; i++) {
			char when[32];
			time_t t = (time_t)page.v[i].date;
			struct tm tm;
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
			printf("%s %-16s %-14s %s %s%s%s\n", when, page.v[i].user, page.v[i].action,
			    page.v[i].item_type, page.v[i].item_id, page.v[i].detail ? " " : "",
			    page.v[i].detail ? page.v[i].detail : "");
		}
		pn_audit_page_release(&page);
	}
	pn_store_close(st);
	pn_cli_common_free(&c);
	return report("audit", "entry", rc);
}
