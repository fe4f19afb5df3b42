/*
 * archive.c - archives and containers through libarchive: zip (also with
 * ZipCrypto/AES passwords: "infected" and the one given at upload), 7z, tar,
 * gzip/bzip2/xz (also bare), cab, iso9660, cpio, ar, rar where libarchive
 * can.  Every regular member is written to the job's children directory;
 * the worker stores it as a file object of its own, analyses it, and links
 * it as bundled_files / compressed_parents.
 *
 * Attributes: "bundle_info" (VirusTotal's name): type, num_children,
 * uncompressed_size, extensions {ext: n}, lowest_datetime/highest_datetime
 * ("YYYY-MM-DD HH:MM:SS"), encrypted (bool), children [{name, size,
 * encrypted}] (first PN_ARCHIVE_MAX_LISTED), and "truncated" with the reason
 * when a limit stopped extraction.  Tags: "zip", "encrypted".
 *
 * Limits (from the worker's [archive] options, pn_details_opts): members
 * per container, bytes per member, bytes per container, and the ratio of
 * unpacked to packed bytes (a zip bomb stops there, with a note); depth:
 * members of a file at max_depth are listed but not written.
 * Errors: PN_ELIMIT when a limit stopped extraction, PN_EFORMAT for a
 * damaged archive (what was read is kept).
 *
 * SPDX-License-Identifier: MIT
 */
#include "parser.h"
#include "conf.h"
#include "pn_limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#define PN_ARCHIVE_MAX_LISTED 200   /* members described in bundle_info.children */
#define PN_ARCHIVE_MAX_NAME   1024  /* bytes of a member name kept */
#define PN_ARCHIVE_MAX_EXTS   64    /* distinct extensions counted */

/* Which identified types are containers libarchive reads. */
static const struct {
	const char *tag;
	const char *type;  /* bundle_info.type */
	int raw;           /* a bare compressed stream: one member */
} kinds[] = {
	{ "zip", "ZIP", 0 }, { "7zip", "7ZIP", 0 }, { "tar", "TAR", 0 }, { "cab", "CAB", 0 },
	{ "isoimage", "ISO", 0 }, { "cpio", "CPIO", 0 }, { "rar", "RAR", 0 }, { "ar", "AR", 0 },
	{ "gzip", "GZIP", 1 }, { "bzip", "BZIP2", 1 }, { "bzip2", "BZIP2", 1 }, { "xz", "XZ", 1 },
	{ "jar", "ZIP", 0 }, { "apk", "ZIP", 0 },
	/* OOXML documents are parsed as documents (ooxml.c), not unpacked. */
};

/* Options (docs/CONFIG.md [archive]); the worker reads them into pn_details_opts. */
const struct pn_conf_opt pn_conf_archive[] = {
	{ "archive.max_depth", PN_CONF_INT, "5", "nesting depth below which members are not extracted" },
	{ "archive.max_members", PN_CONF_INT, "1000", "members extracted from one container" },
	{ "archive.max_member_size", PN_CONF_SIZE, "200M", "largest member extracted" },
	{ "archive.max_total", PN_CONF_SIZE, "1G", "bytes extracted from one container" },
	{ "archive.max_ratio", PN_CONF_INT, "250", "unpacked/packed ratio that stops extraction (bombs)" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

static int
kind_of(const struct pn_ident *id)
{
	size_t i;

	if (id == NULL || id->tag == NULL)
		return -1;
	for (i = 0; i < PN_ARRAY_LEN(kinds); i++)
		if (strcmp(id->tag, kinds[i].tag) == 0)
			return (int)i;
	return -1;
}

static int
archive_bid(const uint8_t *data, size_t size, const struct pn_ident *id)
{
	return kind_of(id) >= 0 && size > 0 ? 10 : 0;
}

struct ctx {
	struct pn_parse *p;
	json_object *info, *children, *exts;
	uint64_t total;
	unsigned members, written;
	int encrypted;
	time_t lo, hi;
	const char *stop;        /* why extraction stopped, or NULL */
};

static void
count_ext(struct ctx *c, const char *name)
{
	const char *slash = strrchr(name, '/'), *dot;
	char ext[16];
	size_t n, i;
	json_object *v;

	dot = strrchr(slash ? slash + 1 : name, '.');
	if (dot == NULL || dot[1] == '\0' || (n = strlen(dot + 1)) >= sizeof(ext))
		return;
	for (i = 0; i < n; i++)
		ext[i] = (char)((unsigned char)dot[1 + i] < 0x80 ? (dot[1 + i] | 0x20) : '_');
	ext[n] = '\0';
	if (json_object_object_get_ex(c->exts, ext, &v)) {
		json_object_set_int(v, json_object_get_int(v) + 1);
	} else if (json_object_object_length(c->exts) < PN_ARCHIVE_MAX_EXTS) {
		json_object_object_add(c->exts, ext, json_object_new_int(1));
	}
}

static void
fmt_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Write the current member to the children directory; returns bytes or <0. */
static int64_t
write_member(struct ctx *c, struct archive *a, const char *path, uint64_t packed)
{
	const struct pn_details_opts *o = c->p->opts;
	char buf[65536];
	uint64_t n = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		pn_parse_note(c->p, "archive: cannot write a member: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		la_ssize_t r = archive_read_data(a, buf, sizeof(buf));
		if (r == 0)
			break;
		if (r < 0) {
			pn_parse_note(c->p, "archive: member %u: %s", c->members,
			    archive_error_string(a) ? archive_error_string(a) : "read error");
			close(fd);
			unlink(path);
			return -1;
		}
		if ((uint64_t)r > o->max_member_size - n) {
			c->stop = "a member is larger than the per-member limit";
			break;
		}
		if ((uint64_t)r > o->max_total - c->total - n) {
			c->stop = "the members' total size reached the per-container limit";
			break;
		}
		/* Ratio: checked once past 1 MiB so that tiny archives of text pass. */
		if (c->total + n > (1u << 20) && packed > 0 &&
		    (c->total + n) / packed > o->max_ratio) {
			c->stop = "the unpacked/packed ratio exceeded the limit (a compression bomb?)";
			break;
		}
		if (write(fd, buf, (size_t)r) != r) {
			pn_parse_note(c->p, "archive: write failed: %s", strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		n += (uint64_t)r;
	}
	close(fd);
	if (c->stop) {
		unlink(path);
		return -1;
	}
	return (int64_t)n;
}

static void
list_member(struct ctx *c, const char *name, int64_t size, int encrypted)
{
	json_object *m;

	if (json_object_array_length(c->children) >= PN_ARCHIVE_MAX_LISTED)
		return;
	m = json_object_new_object();
	json_object_object_add(m, "name", json_object_new_string_len(name,
	    (int)PN_MIN(strlen(name), PN_ARCHIVE_MAX_NAME)));
	if (size >= 0)
		json_object_object_add(m, "size", json_object_new_int64(size));
	if (encrypted)
		json_object_object_add(m, "encrypted", json_object_new_boolean(1));
	json_object_array_add(c->children, m);
}

static int
walk(struct ctx *c, struct archive *a, uint64_t packed)
{
	const struct pn_details_opts *o = c->p->opts;
	int extract = o->children_dir != NULL && o->depth < o->max_depth;
	struct archive_entry *e;
	char path[PATH_MAX];
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname_utf8(e);
		int enc = archive_entry_is_encrypted(e);
		int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
		time_t mt = archive_entry_mtime_is_set(e) ? archive_entry_mtime(e) : 0;

		if (name == NULL)
			name = archive_entry_pathname(e);
		if (name == NULL)
			name = "";
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (c->members >= o->max_members) {
			c->stop = "the archive has more members than the limit";
			break;
		}
		c->members++;
		c->encrypted |= enc;
		if (mt > 0) {
			if (c->lo == 0 || mt < c->lo)
				c->lo = mt;
			if (mt > c->hi)
				c->hi = mt;
		}
		count_ext(c, name);
		if (extract) {
			int64_t n;
			snprintf(path, sizeof(path), "%s/m%u", o->children_dir, c->members);
			n = write_member(c, a, path, packed);
			if (n >= 0) {
				size = n;
				c->total += (uint64_t)n;
				c->written++;
				pn_parse_child(c->p, "bundled_files", name, path);
			}
		}
		list_member(c, name, size, enc);
		if (c->stop)
			break;
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN && !c->stop) {
		pn_parse_note(c->p, "archive: %s", archive_error_string(a) ?
		    archive_error_string(a) : "damaged archive");
		return PN_EFORMAT;
	}
	return c->stop ? PN_ELIMIT : PN_OK;
}

/* A reader over the file; raw = a bare compressed stream is one member. */
static struct archive *
open_reader(struct pn_parse *p, int raw)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	if (raw)
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_all(a);
	archive_read_add_passphrase(a, "infected");
	if (p->opts->password && *p->opts->password)
		archive_read_add_passphrase(a, p->opts->password);
	if (archive_read_open_memory(a, p->data, p->size) != ARCHIVE_OK) {
		pn_parse_note(p, "archive: %s", archive_error_string(a) ?
		    archive_error_string(a) : "cannot open");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Does a compressed stream hold an archive format (e.g. tar in gzip)? */
static int
holds_archive(struct pn_parse *p)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r;

	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	r = archive_read_open_memory(a, p->data, p->size) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	return r;
}

static int
archive_parse(struct pn_parse *p)
{
	int k = kind_of(p->ident), rc = PN_EFORMAT;
	struct archive *a;
	struct ctx c;
	char t[32];

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.info = json_object_new_object();
	c.children = json_object_new_array();
	c.exts = json_object_new_object();
	a = open_reader(p, kinds[k].raw && !holds_archive(p));
	if (a != NULL) {
		rc = walk(&c, a, p->size);
		archive_read_free(a);
	}
	if (c.stop)
		pn_parse_note(p, "archive: extraction stopped after %u member(s): %s", c.members, c.stop);
	if (p->opts->children_dir && p->opts->depth >= p->opts->max_depth && c.members)
		pn_parse_note(p, "archive: members not extracted: nesting depth %d reached",
		    p->opts->depth);

	json_object_object_add(c.info, "type", json_object_new_string(kinds[k].type));
	json_object_object_add(c.info, "num_children", json_object_new_int(c.members));
	json_object_object_add(c.info, "uncompressed_size", json_object_new_int64((int64_t)c.total));
	json_object_object_add(c.info, "extensions", c.exts);
	if (c.lo) {
		fmt_time(c.lo, t);
		json_object_object_add(c.info, "lowest_datetime", json_object_new_string(t));
		fmt_time(c.hi, t);
		json_object_object_add(c.info, "highest_datetime", json_object_new_string(t));
	}
	if (c.encrypted) {
		json_object_object_add(c.info, "encrypted", json_object_new_boolean(1));
		pn_parse_tag(p, "encrypted");
	}
	if (c.stop)
		json_object_object_add(c.info, "truncated", json_object_new_string(c.stop));
	json_object_object_add(c.info, "children", c.children);
	json_object_object_add(p->attrs, "bundle_info", c.info);
	return rc;
}

const struct pn_parser pn_parser_archive = { "archive", archive_bid, archive_parse };
