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

const struct pn_relationship pn_url_relationships[] = {
	{ "analyses", "analyses of the URL, oldest first" },
	{ "comments", "community comments on the URL" },
	{ "downloaded_files", "files served by the URL" },
	{ "last_serving_ip_address", "the IP address that served the last response" },
	{ "network_location", "the domain or IP address of the URL's host" },
	{ "redirecting_urls", "URLs that redirected to this one" },
	{ "redirects_to", "URLs this one redirected to" },
	{ "votes", "community votes on the URL" },
	{ NULL, NULL }
};

const struct pn_relationship pn_domain_relationships[] = {
	{ "analyses", "analyses of the domain" },
	{ "comments", "community comments on the domain" },
	{ "communicating_files", "files that contacted the domain when run" },
	{ "downloaded_files", "files downloaded from URLs of the domain" },
	{ "parent", "the domain one label up" },
	{ "referrer_files", "files that contain the domain" },
	{ "resolutions", "IP addresses the domain resolved to (passive DNS)" },
	{ "siblings", "other subdomains of the parent domain" },
	{ "subdomains", "subdomains seen" },
	{ "urls", "URLs on the domain" },
	{ "votes", "community votes on the domain" },
	{ NULL, NULL }
};

const struct pn_relationship pn_ip_relationships[] = {
	{ "analyses", "analyses of the IP address" },
	{ "comments", "community comments on the IP address" },
	{ "communicating_files", "files that contacted the address when run" },
	{ "downloaded_files", "files downloaded from URLs on the address" },
	{ "referrer_files", "files that contain the address" },
	{ "resolutions", "domains that resolved to the address (passive DNS)" },
	{ "urls", "URLs on the address" },
	{ "votes", "community votes on the IP address" },
	{ NULL, NULL }
};

const struct pn_relationship *
pn_relationships_of(const char *type)
{
	if (strcmp(type, "file") == 0)
		return pn_file_relationships;
	if (strcmp(type, "url") == 0)
		return pn_url_relationships;
	if (strcmp(type, "domain") == 0)
		return pn_domain_relationships;
	if (strcmp(type, "ip_address") == 0)
		return pn_ip_relationships;
	return NULL;
}

int
pn_relationship_known(const char *type, const char *rel)
{
	const struct pn_relationship *v = pn_relationships_of(type);
	size_t i;

	for (i = 0; v && v[i].name; i++)
		if (strcmp(v[i].name, rel) == 0)
			return 1;
	return 0;
}
