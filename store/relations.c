/*
 * relations.c - the relationship names a file object serves, with the
 * descriptions /metadata lists (command-line clients build sub-commands from
 * them).  "analyses" and "submissions" are derived from their tables; the
 * others are rows of the edges table written by analysers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "store.h"

const struct pn_relationship pn_file_relationships[] = {
	{ "analyses", "analyses of the file, oldest first" },
	{ "behaviours", "sandbox reports of the file" },
	{ "bundled_files", "files contained in this archive or container" },
	{ "comments", "community comments on the file" },
	{ "compressed_parents", "archives and containers this file was found in" },
	{ "contacted_domains", "domains the file contacted when run" },
	{ "contacted_ips", "IP addresses the file contacted when run" },
	{ "contacted_urls", "URLs the file requested when run" },
	{ "dropped_files", "files the file wrote when run" },
	{ "embedded_domains", "domains found in the file's content" },
	{ "embedded_ips", "IP addresses found in the file's content" },
	{ "embedded_urls", "URLs found in the file's content" },
	{ "execution_parents", "files that dropped or ran this file" },
	{ "itw_domains", "domains the file was downloaded from" },
	{ "itw_ips", "IP addresses the file was downloaded from" },
	{ "itw_urls", "URLs the file was downloaded from" },
	{ "overlay_parents", "files with this file as their overlay" },
	{ "pe_resource_children", "PE resources extracted from the file" },
	{ "pe_resource_parents", "PE files holding this file as a resource" },
	{ "similar_files", "files with similar fuzzy hashes" },
	{ "submissions", "every submission of the file" },
	{ "votes", "community votes on the file" },
	{ NULL, NULL }
};

int
pn_file_relationship_known(const char *rel)
{
	size_t i;

	for (i = 0; pn_file_relationships[i].name; i++)
		if (strcmp(pn_file_relationships[i].name, rel) == 0)
			return 1;
	return 0;
}
