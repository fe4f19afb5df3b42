/*
 * cmd_community.c - `panoptes comment TYPE ID TEXT` and `panoptes vote TYPE
 * ID harmless|malicious`: POST a comment or a vote on a file, URL, domain or
 * IP address (VT-API.md §6 bodies) and print the object the server made.
 *
 * Exit status: 0 done, 2 usage or input error (bad TYPE or verdict, unknown
 * object, 409 already voted), 3 server or network error.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"

static int
post_one(const char *cmd, int argc, char **argv, const char *usage)
{
	static const struct option lo[] = {
		PN_CLI_CLIENT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_client cc;
	struct pn_client cl;
	struct pn_client_err err;
	struct pn_out out;
	struct json_object *body = NULL, *data, *attrs, *j = NULL, *d;
	char *obj = NULL, *path = NULL;
	int opt, r, rc = 2, vote = strcmp(cmd, "vote") == 0;

	pn_cli_client_init(&cc);
	while ((opt = getopt_long(argc, argv, "o:t:vqh", lo, NULL)) != -1) {
		if ((r = pn_cli_client_opt(&cc, cmd, opt, optarg)) == 1)
			continue;
		if (r < 0)
			goto out;
		if (opt == 'h') {
			printf("usage: panoptes %s %s\n\noptions:\n%s", cmd, usage, pn_cli_client_help);
			rc = 0;
			goto out;
		}
		fprintf(stderr, "usage: panoptes %s %s\n", cmd, usage);
		goto out;
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: panoptes %s %s\n", cmd, usage);
		goto out;
	}
	if ((obj = pn_cli_object_path(argv[optind], argv[optind + 1])) == NULL) {
		fprintf(stderr, "panoptes %s: TYPE is file, url, domain or ip (got \"%s\")\n", cmd,
		    argv[optind]);
		goto out;
	}
	if (vote && strcmp(argv[optind + 2], "harmless") != 0 &&
	    strcmp(argv[optind + 2], "malicious") != 0) {
		fprintf(stderr, "panoptes vote: the verdict is harmless or malicious\n");
		goto out;
	}
	if (!vote && argv[optind + 2][0] == '\0') {
		fprintf(stderr, "panoptes comment: the text is empty\n");
		goto out;
	}
	if ((rc = pn_cli_client_finish(&cc, cmd, &cl, &out)) != 0)
		goto out;
	attrs = json_object_new_object();
	json_object_object_add(attrs, vote ? "verdict" : "text",
	    json_object_new_string(argv[optind + 2]));
	data = json_object_new_object();
	json_object_object_add(data, "type", json_object_new_string(vote ? "vote" : "comment"));
	json_object_object_add(data, "attributes", attrs);
	body = json_object_new_object();
	json_object_object_add(body, "data", data);
	path = pn_xasprintf("%s/%s", obj, vote ? "votes" : "comments");
	if (pn_client_json(&cl, "POST", path, json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN), &j, &err) != PN_OK) {
		pn_client_perror(cmd, argv[optind + 1], &err);
		rc = pn_client_exit_code(&err);
	} else if (!json_object_object_get_ex(j, "data", &d) ||
	    !json_object_is_type(d, json_type_object)) {
		fprintf(stderr, "panoptes %s: the answer has no data object\n", cmd);
		rc = 3;
	} else {
		pn_out_begin(&out, 0);
		pn_out_object(&out, d);
		pn_out_end(&out);
		rc = 0;
	}
	json_object_put(j);
	json_object_put(body);
	pn_out_release(&out);
	pn_client_release(&cl);
out:
	free(obj);
	free(path);
	pn_cli_client_free(&cc);
	return rc;
}

int
pn_cmd_comment(int argc, char **argv)
{
	return post_one("comment", argc, argv, "[options] TYPE ID TEXT\n\n"
	    "Comment on a file, URL, domain or IP address (TYPE file, url, domain, ip);\n"
	    "#words in TEXT become tags.");
}

int
pn_cmd_vote(int argc, char **argv)
{
	return post_one("vote", argc, argv, "[options] TYPE ID harmless|malicious\n\n"
	    "Vote on a file, URL, domain or IP address (TYPE file, url, domain, ip).");
}
