/*
 * test_archive.c - archive unpacking (parsers/archive.c): members written
 * and listed, passwords ("infected" and the submitted one), bare
 * compressed streams, nesting depth, and every limit: members, member
 * size, total size and the compression-bomb ratio.  Archives are built at
 * run time with /usr/bin/python3's zipfile/tarfile/gzip and zip(1).
 *
 * SPDX-License-Identifier: MIT
 */
#include "tap.h"
#include "pn.h"
#include "identify.h"
#include "parser.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <unistd.h>

static char work[] = "/tmp/pn-test-archive-XXXXXX";

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	struct stat sb;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb) != 0)
		return NULL;
	p = pn_xmalloc((size_t)sb.st_size + 1);
	*n = (size_t)read(fd, p, (size_t)sb.st_size);
	close(fd);
	return p;
}

static struct pn_details_opts
opts(const char *dir)
{
	struct pn_details_opts o;

	memset(&o, 0, sizeof(o));
	o.children_dir = dir;
	o.depth = 0;
	o.max_depth = 5;
	o.max_members = 100;
	o.max_member_size = 50u << 20;
	o.max_total = 100u << 20;
	o.max_ratio = 100;
	return o;
}

/* Analyse a file; returns the details object (caller puts). */
static json_object *
details(const char *file, const struct pn_details_opts *o)
{
	size_t n = 0;
	uint8_t *data = slurp(file, &n);
	char *text;
	json_object *j;

	if (data == NULL)
		return NULL;
	text = pn_identify_details_ex(data, n, NULL, o);
	j = json_tokener_parse(text);
	free(text);
	free(data);
	return j;
}

static json_object *
get(json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && *path) {
		dot = strchr(path, '.');
		snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - path) : (int)strlen(path), path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path = dot ? dot + 1 : "";
	}
	return o;
}

static int
nchildren(json_object *d)
{
	json_object *k = get(d, PN_DETAILS_CHILDREN_KEY);
	return k ? (int)json_object_array_length(k) : 0;
}

static void
fresh_dir(char *dir, size_t n, const char *name)
{
	snprintf(dir, n, "%s/%s", work, name);
	mkdir(dir, 0700);
}

static int
notes_mention(json_object *d, const char *word)
{
	json_object *notes = get(d, "analysis_notes");
	size_t i;

	for (i = 0; notes && i < json_object_array_length(notes); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(notes, i)), word))
			return 1;
	return 0;
}

int
main(void)
{
	struct pn_details_opts o;
	char dir[512], f[512];
	json_object *d, *k;

	if (mkdtemp(work) == NULL)
		return 1;
	/* A plain zip of two members, one in a subfolder. */
	sh("cd %s && printf 'hello world\\n' > a.txt && mkdir -p sub && head -c 3000 /dev/urandom > sub/b.bin"
	   " && zip -qr plain.zip a.txt sub", work);
	fresh_dir(dir, sizeof(dir), "c1");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/plain.zip", work);
	d = details(f, &o);
	ok(d != NULL, "details of a zip");
	is_str(json_object_get_string(get(d, "bundle_info.type")), "ZIP", "bundle_info.type ZIP");
	is_int(json_object_get_int(get(d, "bundle_info.num_children")), 2, "two members");
	is_int(json_object_get_int(get(d, "bundle_info.uncompressed_size")), 3012, "uncompressed size");
	is_int(nchildren(d), 2, "two members written for the worker");
	k = get(d, PN_DETAILS_CHILDREN_KEY);
	if (k && json_object_array_length(k) > 0) {
		json_object *c0 = json_object_array_get_idx(k, 0), *path, *name;
		size_t n = 0;
		uint8_t *data;
		json_object_object_get_ex(c0, "path", &path);
		json_object_object_get_ex(c0, "name", &name);
		is_str(json_object_get_string(name), "a.txt", "member name kept");
		data = slurp(json_object_get_string(path), &n);
		ok(data && n == 12 && memcmp(data, "hello world\n", 12) == 0, "member bytes written exactly");
		free(data);
	}
	json_object_put(d);

	/* Without a children directory: listed, not written. */
	d = details(f, NULL);
	is_int(json_object_get_int(get(d, "bundle_info.num_children")), 2, "listed without extraction");
	is_int(nchildren(d), 0, "nothing written without a directory");
	json_object_put(d);

	/* Encrypted with "infected", and with a submitted password. */
	sh("cd %s && zip -q -P infected enc1.zip a.txt && zip -q -P s3cret enc2.zip a.txt", work);
	fresh_dir(dir, sizeof(dir), "c2");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/enc1.zip", work);
	d = details(f, &o);
	is_int(nchildren(d), 1, "zip encrypted with 'infected' is opened");
	ok(json_object_get_boolean(get(d, "bundle_info.encrypted")), "and marked encrypted");
	json_object_put(d);
	fresh_dir(dir, sizeof(dir), "c3");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/enc2.zip", work);
	d = details(f, &o);
	is_int(nchildren(d), 0, "unknown password: member not extracted");
	ok(json_object_get_int(get(d, "bundle_info.num_children")) == 1, "but listed");
	json_object_put(d);
	fresh_dir(dir, sizeof(dir), "c4");
	o = opts(dir);
	o.password = "s3cret";
	d = details(f, &o);
	is_int(nchildren(d), 1, "submitted password opens it");
	json_object_put(d);

	/* tar.gz and a bare .gz. */
	sh("cd %s && tar czf t.tgz a.txt sub && gzip -c a.txt > a.txt.gz", work);
	fresh_dir(dir, sizeof(dir), "c5");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/t.tgz", work);
	d = details(f, &o);
	is_int(nchildren(d), 2, "tar.gz members");
	json_object_put(d);
	fresh_dir(dir, sizeof(dir), "c6");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/a.txt.gz", work);
	d = details(f, &o);
	is_int(nchildren(d), 1, "bare gzip gives its one member");
	is_str(json_object_get_string(get(d, "bundle_info.type")), "GZIP", "type GZIP");
	json_object_put(d);

	/* Depth: a file at max_depth is listed, not unpacked. */
	fresh_dir(dir, sizeof(dir), "c7");
	o = opts(dir);
	o.depth = 5;
	snprintf(f, sizeof(f), "%s/plain.zip", work);
	d = details(f, &o);
	is_int(nchildren(d), 0, "nothing unpacked at max depth");
	ok(notes_mention(d, "depth"), "a note says why");
	json_object_put(d);

	/* Limits: members, member size, total, ratio (a zip bomb). */
	sh("cd %s && /usr/bin/python3 -c \"import zipfile\n"
	   "z=zipfile.ZipFile('many.zip','w')\nfor i in range(50): z.writestr('f%%d.txt'%%i, 'x%%d'%%i)\nz.close()\n"
	   "z=zipfile.ZipFile('bomb.zip','w',zipfile.ZIP_DEFLATED)\nz.writestr('zeros.bin', bytes(64<<20))\nz.close()\"", work);
	fresh_dir(dir, sizeof(dir), "c8");
	o = opts(dir);
	o.max_members = 10;
	snprintf(f, sizeof(f), "%s/many.zip", work);
	d = details(f, &o);
	is_int(nchildren(d), 10, "member count limit");
	ok(get(d, "bundle_info.truncated") != NULL, "bundle_info.truncated says so");
	json_object_put(d);
	fresh_dir(dir, sizeof(dir), "c9");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/bomb.zip", work);
	d = details(f, &o);
	is_int(nchildren(d), 0, "compression bomb not written");
	ok(notes_mention(d, "ratio"), "bomb explained by the ratio note");
	json_object_put(d);
	fresh_dir(dir, sizeof(dir), "c10");
	o = opts(dir);
	o.max_ratio = 100000;
	o.max_member_size = 1u << 20;
	d = details(f, &o);
	is_int(nchildren(d), 0, "member size limit");
	ok(notes_mention(d, "per-member"), "explained");
	json_object_put(d);

	/* A damaged archive keeps what was read. */
	sh("cd %s && head -c 300 plain.zip > cut.zip", work);
	fresh_dir(dir, sizeof(dir), "c11");
	o = opts(dir);
	snprintf(f, sizeof(f), "%s/cut.zip", work);
	d = details(f, &o);
	ok(d != NULL && get(d, "bundle_info") != NULL, "truncated zip still gives bundle_info");
	json_object_put(d);

	/* Formats libarchive reads, on Debian's ClamAV test files (clam.exe inside). */
	{
		static const char *const fx[][2] = {
			{ "clam.7z", "7ZIP" }, { "clam.cab", "CAB" }, { "clam.newc.cpio", "CPIO" },
			{ "clam.odc.cpio", "CPIO" }, { "clam.tar.gz", "GZIP" }, { "clam.exe.bz2", "BZIP2" },
		};
		size_t i;
		for (i = 0; i < PN_ARRAY_LEN(fx); i++) {
			char sub[32];
			snprintf(f, sizeof(f), "/usr/share/clamav-testfiles/%s", fx[i][0]);
			if (access(f, R_OK) != 0) {
				ok(1, "# SKIP %s not installed", f);
				continue;
			}
			snprintf(sub, sizeof(sub), "fx%zu", i);
			fresh_dir(dir, sizeof(dir), sub);
			o = opts(dir);
			d = details(f, &o);
			is_str(json_object_get_string(get(d, "bundle_info.type")), fx[i][1], "%s: type", fx[i][0]);
			is_int(nchildren(d), 1, "%s: its member is unpacked", fx[i][0]);
			json_object_put(d);
		}
	}

	sh("rm -rf %s", work);
	return done_testing();
}
