/*
 * fuzz_archive.c - libFuzzer target for parsers/archive.c through the
 * identification entry point: the bytes are identified, and when they
 * look like a container, listed and unpacked into a scratch directory with
 * small limits.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "identify.h"
#include "parser.h"

#include <dirent.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/pn-fuzz-archive-XXXXXX";
	static int made;
	struct pn_details_opts o;
	char *out;

	if (!made) {
		if (mkdtemp(dir) == NULL)
			return 0;
		made = 1;
	}
	memset(&o, 0, sizeof(o));
	o.children_dir = dir;
	o.max_depth = 3;
	o.max_members = 16;
	o.max_member_size = 1u << 20;
	o.max_total = 4u << 20;
	o.max_ratio = 100;
	out = pn_identify_details_ex(data, size, NULL, &o);
	free(out);
	clean(dir);
	return 0;
}
