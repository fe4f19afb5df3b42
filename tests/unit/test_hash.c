/*
 * test_hash.c - the hashing module (lib/hash.c, lib/tlsh.c).
 *
 *  - MD5/SHA-1/SHA-256: FIPS/RFC vectors, EICAR, a million 'a', and files
 *    against coreutils md5sum/sha1sum/sha256sum.
 *  - ssdeep: against fuzzy_hash_buf() and the ssdeep tool (ssdeep -s -b).
 *  - TLSH: against Debian's libtlsh through test_hash_ref.cpp, on random
 *    data of many lengths (fixed seed), text-like and low-entropy data and
 *    real files from /usr/bin, /usr/lib/x86_64-linux-gnu and
 *    /usr/share/clamav-testfiles; distance scores on pairs of those, on
 *    edited copies and on random hash strings; the length code over the
 *    whole 32-bit range.
 *  - streaming: random chunk sizes (down to 1 byte) give the one-shot
 *    result for every hash; pn_hash_fd() gives pn_hash_buf()'s.
 *
 * The corpus is smaller under ASan (__SANITIZE_ADDRESS__) to keep the run
 * well under 20 s; PN_TEST_HASH_FULL=1 makes it much larger.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "hash.h"
#include "tlsh.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuzzy.h>

/* test_hash_ref.cpp: libtlsh */
void *ref_tlsh_new(void);
void ref_tlsh_update(void *t, const unsigned char *data, unsigned int len);
int ref_tlsh_final(void *t, char *out, unsigned int outlen);
int ref_tlsh_diff(const void *a, const void *b, int len_diff);
int ref_tlsh_diff_str(const char *a, const char *b, int len_diff);
unsigned ref_tlsh_lvalue(unsigned int len);
void ref_tlsh_free(void *t);

/* ------------------------------------------------------------------ */
/* corpus size                                                         */

static struct {
	size_t random_max;      /* longest random input */
	int random_count;       /* random inputs of random lengths */
	int files_max;          /* real files compared */
	size_t file_max;        /* skip files larger than this */
	size_t files_bytes;     /* stop after this many file bytes */
} budget;

static void
set_budget(void)
{
	const char *full = getenv("PN_TEST_HASH_FULL");

#if defined(__SANITIZE_ADDRESS__)
	budget.random_max = 2u << 20;
	budget.random_count = 40;
	budget.files_max = 200;
	budget.file_max = 1u << 20;
	budget.files_bytes = 24u << 20;
#else
	budget.random_max = 2u << 20;
	budget.random_count = 150;
	budget.files_max = 400;
	budget.file_max = 4u << 20;
	budget.files_bytes = 96u << 20;
#endif
	if (full != NULL && full[0] == '1') {
		budget.random_max = 16u << 20;
		budget.random_count = 1000;
		budget.files_max = 100000;
		budget.file_max = 64u << 20;
		budget.files_bytes = (size_t)8 << 30;
	}
	diag("budget: %d random inputs up to %zu bytes, %d files up to %zu bytes, "
	    "%zu MiB of files", budget.random_count, budget.random_max,
	    budget.files_max, budget.file_max, budget.files_bytes >> 20);
}

/* ------------------------------------------------------------------ */
/* generated data                                                      */

static uint64_t rng_state = 0x5eed0fba5e64ULL;

static uint64_t
rng(void)
{
	/* splitmix64, fixed seed: the same corpus every run */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
fill_random(uint8_t *p, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v = rng();
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* Words, spaces, punctuation and newlines from a small vocabulary. */
static void
fill_text(uint8_t *p, size_t n, int vocab)
{
	static const char *words[] = {
		"the", "of", "and", "a", "to", "in", "is", "you", "that", "it",
		"file", "scan", "hash", "engine", "report", "malware", "clean",
		"buffer", "return", "static", "const", "char", "int", "void",
		"Panoptes", "analysis", "upload", "sample", "signature", "TLSH",
	};
	size_t i = 0;

	while (i < n) {
		const char *w = words[rng() % (uint64_t)PN_MIN(vocab, (int)PN_ARRAY_LEN(words))];
		for (size_t k = 0; w[k] != '\0' && i < n; k++)
			p[i++] = (uint8_t)w[k];
		if (i < n) {
			uint64_t r = rng() % 20;
			p[i++] = r == 0 ? '\n' : r == 1 ? ',' : r == 2 ? '.' : ' ';
		}
	}
}

/* Low-entropy shapes; kind picks one. */
static void
fill_low(uint8_t *p, size_t n, int kind)
{
	switch (kind % 6) {
	case 0:     /* a small alphabet */
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)('a' + rng() % (uint64_t)(2 + kind % 5));
		break;
	case 1: {   /* a short repeated pattern */
		size_t period = 1 + (size_t)(kind * 7 % 40);
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)((i % period) * 37 + kind);
		break;
	}
	case 2:     /* zeros with sparse noise */
		memset(p, 0, n);
		for (size_t i = 0; i < n / 64; i++)
			p[rng() % n] = (uint8_t)rng();
		break;
	case 3: {   /* long runs */
		size_t i = 0;
		while (i < n) {
			size_t run = 1 + rng() % 200;
			uint8_t v = (uint8_t)rng();
			for (; run > 0 && i < n; run--)
				p[i++] = v;
		}
		break;
	}
	case 4:     /* a counter */
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)i;
		break;
	default:    /* one byte value */
		memset(p, 'A' + kind % 26, n);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* TLSH comparisons with libtlsh                                       */

#define KEEP_MAX 4096

/* Valid digests kept for the distance tests. */
static struct kept {
	char ours[PN_TLSH_BUF_LEN];
	char ref[PN_TLSH_BUF_LEN];
} kept[KEEP_MAX];
static int nkept;

struct tally {
	int total, mismatch, empty, shown;
};

/* Feed data to h in random chunks, the first ones tiny. */
static void
update_chunked(struct pn_hash_ctx *h, const uint8_t *p, size_t n)
{
	size_t off = 0;
	int k = 0;

	while (off < n) {
		size_t c;
		if (k < 6)
			c = (size_t)(1 + k % 3);
		else if (rng() % 4 == 0)
			c = 1 + rng() % 7;
		else
			c = 1 + rng() % 150000;
		c = PN_MIN(c, n - off);
		pn_hash_update(h, p + off, c);
		off += c;
		k++;
	}
}

static void
ref_hash(const uint8_t *p, size_t n, char out[PN_TLSH_BUF_LEN])
{
	void *r = ref_tlsh_new();

	ref_tlsh_update(r, p, (unsigned int)n);
	ref_tlsh_final(r, out, PN_TLSH_BUF_LEN);
	ref_tlsh_free(r);
}

/* Our TLSH of p (through pn_hash, chunked) against libtlsh's. */
static void
check_tlsh(struct tally *t, const char *what, const uint8_t *p, size_t n)
{
	struct pn_hash_ctx h;
	struct pn_hashes out;
	char ref[PN_TLSH_BUF_LEN], want[PN_TLSH_BUF_LEN + 2];

	if (pn_hash_init(&h, PN_HASH_TLSH) != PN_OK)
		PN_BUG("pn_hash_init");
	update_chunked(&h, p, n);
	pn_hash_final(&h, &out);
	pn_hash_release(&h);
	ref_hash(p, n, ref);
	snprintf(want, sizeof(want), "%s%s", ref[0] ? "T1" : "", ref);

	t->total++;
	if (ref[0] == '\0')
		t->empty++;
	if (strcmp(out.tlsh, want) != 0) {
		t->mismatch++;
		if (t->shown++ < 5)
			diag("%s (%zu bytes): ours \"%s\" libtlsh \"%s\"",
			    what, n, out.tlsh, want);
	} else if (ref[0] != '\0' && nkept < KEEP_MAX) {
		pn_strlcpy(kept[nkept].ours, out.tlsh, PN_TLSH_BUF_LEN);
		pn_strlcpy(kept[nkept].ref, ref, PN_TLSH_BUF_LEN);
		nkept++;
	}
}

static void
report(const struct tally *t, const char *what)
{
	ok(t->total > 0 && t->mismatch == 0,
	    "TLSH == T1 + libtlsh on %d %s (%d without a hash)", t->total, what,
	    t->empty);
	if (t->mismatch)
		diag("%d of %d differ", t->mismatch, t->total);
}

static void
test_tlsh_random(void)
{
	static const size_t fixed[] = {
		50, 100, 200, 254, 255, 256, 257, 260, 300, 400, 511, 512, 513,
		656, 657, 1000, 3199, 3200, 4096, 65535, 65536, 65537,
	};
	size_t maxn = budget.random_max;
	uint8_t *p = pn_xmalloc(maxn);
	struct tally t = { 0 };

	for (size_t i = 0; i < PN_ARRAY_LEN(fixed); i++) {
		fill_random(p, fixed[i]);
		check_tlsh(&t, "random", p, fixed[i]);
	}
	/* Lengths growing by ~1.25x from 50 up to the maximum. */
	for (size_t n = 50; n <= maxn; n = n * 5 / 4 + 1) {
		fill_random(p, n);
		check_tlsh(&t, "random", p, n);
	}
	fill_random(p, maxn);
	check_tlsh(&t, "random", p, maxn);
	/* Random lengths, mostly small. */
	for (int i = 0; i < budget.random_count; i++) {
		size_t cap = i % 4 == 0 ? maxn : i % 4 == 1 ? 65536 : 4096;
		size_t n = 50 + rng() % (cap - 49);
		fill_random(p, n);
		check_tlsh(&t, "random", p, n);
	}
	report(&t, "random inputs of 50 bytes to 2 MiB");

	/* The length boundary: libtlsh 3.4.4 hashes 256 bytes, not 255. */
	{
		char a[PN_TLSH_BUF_LEN], b[PN_TLSH_BUF_LEN];
		fill_random(p, 256);
		ok(pn_tlsh_buf(p, 255, a) == PN_EFORMAT && a[0] == '\0',
		    "no TLSH for 255 bytes");
		ok(pn_tlsh_buf(p, 256, b) == PN_OK && strlen(b) == PN_TLSH_STR_LEN,
		    "TLSH for 256 random bytes");
	}
	free(p);
}

static void
test_tlsh_text_low(void)
{
	size_t maxn = 1u << 20;
	uint8_t *p = pn_xmalloc(maxn);
	struct tally text = { 0 }, low = { 0 };

	for (int i = 0; i < 60; i++) {
		size_t n = 50 + rng() % (i % 3 == 0 ? maxn - 50 : 20000);
		fill_text(p, n, 2 + i % 29);
		check_tlsh(&text, "text", p, n);
	}
	for (int i = 0; i < 180; i++) {
		size_t n = 50 + rng() % (i % 4 == 0 ? maxn / 4 : 8000);
		fill_low(p, n, i);
		check_tlsh(&low, "low-entropy", p, n);
	}
	report(&text, "text-like inputs");
	report(&low, "low-entropy inputs");
	ok(low.empty > 0 && low.empty < low.total,
	    "low-entropy set has inputs with and without a hash (%d/%d)",
	    low.empty, low.total);
	free(p);
}

/* ------------------------------------------------------------------ */
/* real files                                                          */

struct file_list {
	char **path;
	int n, cap;
};

static int
seen_inode(const struct stat *st)
{
	static struct { dev_t dev; ino_t ino; } seen[8192];
	static int nseen;

	for (int i = 0; i < nseen; i++)
		if (seen[i].dev == st->st_dev && seen[i].ino == st->st_ino)
			return 1;
	if (nseen < (int)PN_ARRAY_LEN(seen)) {
		seen[nseen].dev = st->st_dev;
		seen[nseen].ino = st->st_ino;
		nseen++;
	}
	return 0;
}

/* Regular files of dir (not recursive), sorted, one path per inode. */
static void
list_dir(struct file_list *l, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char *path = pn_xasprintf("%s/%s", dir, ents[i]->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0 && (size_t)st.st_size <= budget.file_max &&
		    !seen_inode(&st)) {
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 256;
				l->path = pn_xrealloc(l->path,
				    (size_t)l->cap * sizeof(*l->path));
			}
			l->path[l->n++] = path;
		} else {
			free(path);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* Whole file into a new buffer (caller frees), or NULL. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size < 0) {
		close(fd);
		return NULL;
	}
	p = pn_xmalloc((size_t)st.st_size);
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, p + off, (size_t)st.st_size - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	*len = off;
	return p;
}

static void
test_tlsh_files(void)
{
	static const char *dirs[] = {
		"/usr/share/clamav-testfiles", "/usr/bin", "/usr/lib/x86_64-linux-gnu",
	};
	struct file_list l = { 0 };
	struct tally t = { 0 };
	size_t bytes = 0;
	int picked = 0, fd_checked = 0, fd_bad = 0;

	for (size_t d = 0; d < PN_ARRAY_LEN(dirs); d++) {
		int before = l.n;
		list_dir(&l, dirs[d]);
		diag("%s: %d files", dirs[d], l.n - before);
	}
	/* Spread the picks over the sorted list: stride through it. */
	for (int i = 0; i < l.n; i++) {
		size_t len;
		uint8_t *p;
		int stride = l.n > budget.files_max ? l.n / budget.files_max : 1;
		if (i % stride != 0 || picked >= budget.files_max ||
		    bytes >= budget.files_bytes)
			continue;
		if ((p = slurp(l.path[i], &len)) == NULL)
			continue;
		picked++;
		bytes += len;
		check_tlsh(&t, l.path[i], p, len);
		/* Every 16th file also through pn_hash_fd(). */
		if (picked % 16 == 1) {
			struct pn_hashes a, b;
			int fd = open(l.path[i], O_RDONLY | O_CLOEXEC);
			fd_checked++;
			if (fd < 0 || pn_hash_fd(fd, PN_HASH_ALL, &a) != PN_OK ||
			    pn_hash_buf(p, len, PN_HASH_ALL, &b) != PN_OK ||
			    memcmp(&a, &b, sizeof(a)) != 0)
				fd_bad++;
			if (fd >= 0)
				close(fd);
		}
		free(p);
	}
	diag("%d files, %zu MiB", picked, bytes >> 20);
	report(&t, "real files");
	ok(picked >= 50, "at least 50 real files compared (%d)", picked);
	ok(fd_checked > 0 && fd_bad == 0,
	    "pn_hash_fd == pn_hash_buf on %d real files", fd_checked);
	for (int i = 0; i < l.n; i++)
		free(l.path[i]);
	free(l.path);
}

/* ------------------------------------------------------------------ */
/* TLSH distances                                                      */

static void
test_tlsh_diff_pairs(void)
{
	int pairs = 0, bad = 0, bad_nolen = 0, bad_prefix = 0, small = 0;

	for (int i = 0; i + 1 < nkept; i++) {
		for (int step = 1; step <= 3 && i + step < nkept; step++) {
			const struct kept *a = &kept[i], *b = &kept[i + step];
			struct pn_tlsh_digest da, db;
			int ours = pn_tlsh_diff(a->ours, b->ours);
			int ref = ref_tlsh_diff_str(a->ref, b->ref, 1);
			pairs++;
			if (ours != ref) {
				if (bad++ < 3)
					diag("diff %s %s: ours %d libtlsh %d",
					    a->ours, b->ours, ours, ref);
			}
			if (ref < 100)
				small++;
			if (pn_tlsh_parse(a->ours, &da) != PN_OK ||
			    pn_tlsh_parse(b->ours, &db) != PN_OK ||
			    pn_tlsh_digest_diff(&da, &db, 0) !=
			    ref_tlsh_diff_str(a->ref, b->ref, 0))
				bad_nolen++;
			/* the same without the T1 prefix, either side */
			if (pn_tlsh_diff(a->ref, b->ours) != ref ||
			    pn_tlsh_diff(a->ours, b->ref) != ref)
				bad_prefix++;
		}
	}
	ok(pairs > 1000 && bad == 0,
	    "diff == libtlsh totalDiff on %d pairs (%d under 100)", pairs, small);
	ok(bad_nolen == 0, "diff without length == libtlsh totalDiff(, false)");
	ok(bad_prefix == 0, "diff accepts hashes with and without T1");
}

/* Flip, insert or delete bytes: small distances, from libtlsh objects. */
static void
test_tlsh_diff_edits(void)
{
	size_t n = 1u << 18;
	uint8_t *a = pn_xmalloc(n), *b = pn_xmalloc(n + 4096);
	int pairs = 0, bad = 0, under30 = 0;

	for (int i = 0; i < 120; i++) {
		size_t len = 300 + rng() % (n - 300), blen = len;
		char ha[PN_TLSH_BUF_LEN], hb[PN_TLSH_BUF_LEN];
		void *ra = ref_tlsh_new(), *rb = ref_tlsh_new();
		char sa[PN_TLSH_BUF_LEN], sb[PN_TLSH_BUF_LEN];
		size_t edits = (size_t)1 << (i % 12);

		if (i % 3 == 0)
			fill_random(a, len);
		else if (i % 3 == 1)
			fill_text(a, len, 30);
		else
			fill_low(a, len, i);
		memcpy(b, a, len);
		for (size_t e = 0; e < edits; e++)
			b[rng() % len] = (uint8_t)rng();
		if (i % 4 == 0) {           /* append */
			blen = len + 1 + rng() % 4000;
			fill_random(b + len, blen - len);
		} else if (i % 4 == 1) {    /* truncate */
			blen = len - rng() % (len / 2);
		}
		ref_tlsh_update(ra, a, (unsigned)len);
		ref_tlsh_update(rb, b, (unsigned)blen);
		ref_tlsh_final(ra, sa, sizeof(sa));
		ref_tlsh_final(rb, sb, sizeof(sb));
		if (pn_tlsh_buf(a, len, ha) == PN_OK &&
		    pn_tlsh_buf(b, blen, hb) == PN_OK && sa[0] && sb[0]) {
			int ours = pn_tlsh_diff(ha, hb);
			int ref = ref_tlsh_diff(ra, rb, 1);
			pairs++;
			under30 += ref < 30;
			if (ours != ref || pn_tlsh_diff(hb, ha) != ours) {
				if (bad++ < 3)
					diag("edit diff: ours %d libtlsh %d", ours, ref);
			}
		}
		ref_tlsh_free(ra);
		ref_tlsh_free(rb);
	}
	ok(pairs > 50 && bad == 0,
	    "diff == libtlsh on %d edited pairs (%d under 30)", pairs, under30);
	ok(under30 > 0, "edited pairs include near matches");
	free(a);
	free(b);
}

/* Random and nearly equal hash strings: every header field, wrap-around. */
static void
test_tlsh_diff_strings(void)
{
	static const char hex[] = "0123456789ABCDEF";
	int bad = 0, zero = 0;

	for (int i = 0; i < 20000; i++) {
		char a[PN_TLSH_HEX_LEN + 1], b[PN_TLSH_HEX_LEN + 1];
		for (int k = 0; k < PN_TLSH_HEX_LEN; k++)
			a[k] = hex[rng() % 16];
		a[PN_TLSH_HEX_LEN] = '\0';
		memcpy(b, a, sizeof(b));
		if (i % 2 == 0) {
			for (int k = 0; k < PN_TLSH_HEX_LEN; k++)
				b[k] = hex[rng() % 16];
		} else {    /* change a few digits, often in the header */
			int changes = (int)(rng() % 4);
			for (int c = 0; c < changes; c++)
				b[rng() % (i % 3 ? 6 : PN_TLSH_HEX_LEN)] = hex[rng() % 16];
		}
		for (int len_diff = 0; len_diff <= 1; len_diff++) {
			struct pn_tlsh_digest da, db;
			int ref = ref_tlsh_diff_str(a, b, len_diff);
			int ours = pn_tlsh_parse(a, &da) == PN_OK &&
			    pn_tlsh_parse(b, &db) == PN_OK ?
			    pn_tlsh_digest_diff(&da, &db, len_diff) : -1;
			zero += ref == 0;
			if (ours != ref && bad++ < 3)
				diag("%s %s len_diff %d: ours %d libtlsh %d",
				    a, b, len_diff, ours, ref);
		}
	}
	ok(bad == 0, "diff == libtlsh on 40000 random hash string pairs "
	    "(%d identical)", zero);
}

static void
test_tlsh_parse(void)
{
	uint8_t p[4096];
	char h[PN_TLSH_BUF_LEN], f[PN_TLSH_BUF_LEN], lower[PN_TLSH_BUF_LEN];
	char bad[PN_TLSH_BUF_LEN + 8];
	struct pn_tlsh_digest d;

	fill_random(p, sizeof(p));
	pn_tlsh_buf(p, sizeof(p), h);
	for (size_t i = 0; i < sizeof(lower); i++)
		lower[i] = (char)(h[i] >= 'A' && h[i] <= 'F' ? h[i] + 32 : h[i]);
	ok(pn_tlsh_parse(h, &d) == PN_OK, "parse T1 hash");
	pn_tlsh_format(&d, f);
	is_str(f, h, "format(parse(h)) == h");
	ok(pn_tlsh_parse(h + 2, &d) == PN_OK, "parse hash without T1");
	pn_tlsh_format(&d, f);
	is_str(f, h, "format adds T1");
	ok(pn_tlsh_parse(lower + 2, &d) == PN_OK, "parse lower case");
	pn_tlsh_format(&d, f);
	is_str(f, h, "format is upper case");
	is_int(pn_tlsh_diff(h, h), 0, "diff(h, h) == 0");
	is_int(pn_tlsh_diff(h, lower), 0, "diff ignores case");

	is_int(pn_tlsh_parse(NULL, &d), PN_EFORMAT, "parse NULL");
	is_int(pn_tlsh_parse("", &d), PN_EFORMAT, "parse empty");
	is_int(pn_tlsh_parse("T1", &d), PN_EFORMAT, "parse T1 alone");
	snprintf(bad, sizeof(bad), "%.*s", PN_TLSH_STR_LEN - 1, h);
	is_int(pn_tlsh_parse(bad, &d), PN_EFORMAT, "parse 69 hex digits");
	snprintf(bad, sizeof(bad), "%s0", h);
	is_int(pn_tlsh_parse(bad, &d), PN_EFORMAT, "parse 71 hex digits");
	snprintf(bad, sizeof(bad), "T2%s", h + 2);
	is_int(pn_tlsh_parse(bad, &d), PN_EFORMAT, "parse T2 prefix");
	snprintf(bad, sizeof(bad), "%s", h);
	bad[40] = 'G';
	is_int(pn_tlsh_parse(bad, &d), PN_EFORMAT, "parse non-hex digit");
	snprintf(bad, sizeof(bad), " %s", h);
	is_int(pn_tlsh_parse(bad, &d), PN_EFORMAT, "parse leading space");
	is_int(pn_tlsh_diff(h, "T1"), PN_EFORMAT, "diff with a bad hash");
	is_int(pn_tlsh_diff("", h), PN_EFORMAT, "diff with an empty hash");
}

/* Length code: every 32-bit length class against libtlsh's l_capturing. */
static void
test_tlsh_lvalue(void)
{
	int bad = 0, steps = 0;

	for (uint32_t n = 1; n <= (1u << 20); n++)
		bad += pn__tlsh_lvalue(n) != ref_tlsh_lvalue(n);
	/* The first length of each code, found by bisection on libtlsh. */
	for (unsigned v = 1; v <= ref_tlsh_lvalue(0xffffffffu); v++) {
		uint32_t lo = 1, hi = 0xffffffffu;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (ref_tlsh_lvalue(mid) >= v)
				hi = mid;
			else
				lo = mid + 1;
		}
		steps++;
		bad += pn__tlsh_lvalue(lo) != ref_tlsh_lvalue(lo);
		bad += pn__tlsh_lvalue(lo - 1) != ref_tlsh_lvalue(lo - 1);
		if (lo < 0xffffffffu)
			bad += pn__tlsh_lvalue(lo + 1) != ref_tlsh_lvalue(lo + 1);
	}
	for (int i = 0; i < 200000; i++) {
		uint32_t n = (uint32_t)rng() | 1;
		bad += pn__tlsh_lvalue(n) != ref_tlsh_lvalue(n);
	}
	is_int(pn__tlsh_lvalue(0xffffffffu), ref_tlsh_lvalue(0xffffffffu),
	    "length code of 4 GiB - 1");
	ok(steps >= 170 && bad == 0, "length code == libtlsh l_capturing "
	    "(lengths to 1 MiB, both sides of %d steps, 200000 random)", steps);
}

static int
nonzero_buckets(const struct pn_tlsh *t)
{
	int n = 0;

	for (int i = 0; i < PN_TLSH_BUCKETS; i++)
		n += t->bucket[i] > 0;
	return n;
}

/*
 * The variety rule at its edge: more than 64 of the 128 buckets must be in
 * use.  300 zero bytes (a handful of buckets), then bytes from a small
 * alphabet one at a time until 64 and then 65 buckets are in use; libtlsh
 * must agree at both prefixes.
 */
static void
test_tlsh_variety_edge(void)
{
	int found = 0, bad = 0;

	for (int alpha = 3; alpha <= 6; alpha++) {
		size_t n = 300 + 20000, at64 = 0, at65 = 0;
		uint8_t *p = pn_xcalloc(1, n);
		struct pn_tlsh t;

		for (size_t i = 300; i < n; i++)
			p[i] = (uint8_t)(rng() % (uint64_t)alpha * 41);
		pn_tlsh_init(&t);
		pn_tlsh_update(&t, p, 300);
		for (size_t i = 300; i < n && at65 == 0; i++) {
			pn_tlsh_update(&t, p + i, 1);
			if (nonzero_buckets(&t) == 64 && at64 == 0)
				at64 = i + 1;
			if (nonzero_buckets(&t) == 65)
				at65 = i + 1;
		}
		if (at64 != 0 && at65 != 0) {
			char ours64[PN_TLSH_BUF_LEN], ours65[PN_TLSH_BUF_LEN];
			char ref64[PN_TLSH_BUF_LEN], ref65[PN_TLSH_BUF_LEN];
			found++;
			pn_tlsh_buf(p, at64, ours64);
			pn_tlsh_buf(p, at65, ours65);
			ref_hash(p, at64, ref64);
			ref_hash(p, at65, ref65);
			if (ours64[0] || ref64[0] || !ours65[0] || !ref65[0] ||
			    strcmp(ours65 + 2, ref65) != 0)
				bad++;
		}
		free(p);
	}
	ok(found > 0 && bad == 0, "64 buckets in use: no hash, 65: a hash, "
	    "as libtlsh (%d cases)", found);
}

/*
 * The quartile ratios use 32-bit products and single precision, as libtlsh
 * does.  Data long enough to show it (tens of MB with the quotient a hair
 * under an integer) is impractical here, so set the buckets by hand and
 * compare with the formula, checking that the case does tell it from
 * integer arithmetic.
 */
static void
test_tlsh_ratio_arith(void)
{
	uint32_t cases[2][2] = { { 0, 0 }, { 50000000u, 60000000u } };
	int bad = 0;

	/*
	 * Find q1 <= q3 where the two differ mod 16: q1 * 100 a little under
	 * k * q3, so the single-precision quotient rounds up to k.
	 */
	for (uint32_t q3 = 300000; q3 < 400000 && cases[0][1] == 0; q3++) {
		for (uint32_t k = 64; k < 100; k++) {
			uint32_t r = k * q3 % 100, pct = k * q3 - r;
			if (r != 0 &&
			    (uint32_t)((float)pct / (float)q3) % 16 != pct / q3 % 16) {
				cases[0][0] = pct / 100;
				cases[0][1] = q3;
				break;
			}
		}
	}
	for (int c = 0; c < 2; c++) {
		uint32_t q1 = cases[c][0], q3 = cases[c][1], q2 = q1 + (q3 - q1) / 2;
		uint32_t pct1 = q1 * 100u, pct2 = q2 * 100u;
		struct pn_tlsh t;
		struct pn_tlsh_digest d;

		pn_tlsh_init(&t);
		t.len = 100u << 20;
		for (int i = 0; i < PN_TLSH_BUCKETS; i++)
			t.bucket[i] = i < 32 ? q1 : i < 64 ? q2 : i < 96 ? q3 : q3 + 1;
		if (q3 == 0 || pn_tlsh_digest(&t, &d) != PN_OK ||
		    d.q1ratio != (uint32_t)((float)pct1 / (float)q3) % 16 ||
		    d.q2ratio != (uint32_t)((float)pct2 / (float)q3) % 16)
			bad++;
		if (c == 0 && q3 != 0 && d.q1ratio == pct1 / q3 % 16)
			bad++;
	}
	ok(bad == 0, "quartile ratios in single precision from 32-bit products "
	    "(q1 %u q3 %u)", cases[0][0], cases[0][1]);
}

static void
test_tlsh_stream_state(void)
{
	uint8_t p[10000];
	struct pn_tlsh t;
	char a[PN_TLSH_BUF_LEN], b[PN_TLSH_BUF_LEN], c[PN_TLSH_BUF_LEN];
	struct pn_hash_ctx h;
	struct pn_hashes one, bytes;

	fill_text(p, sizeof(p), 30);
	pn_tlsh_init(&t);
	pn_tlsh_update(&t, p, 5000);
	pn_tlsh_final(&t, a);
	pn_tlsh_final(&t, b);
	is_str(a, b, "final leaves the state alone");
	pn_tlsh_update(&t, p + 5000, 5000);
	pn_tlsh_final(&t, b);
	pn_tlsh_buf(p, sizeof(p), c);
	is_str(b, c, "update after final continues the stream");
	ok(strcmp(a, c) != 0, "and the digest moves on");

	/* Every hash, one byte at a time, against one-shot. */
	pn_hash_buf(p, sizeof(p), PN_HASH_ALL, &one);
	pn_hash_init(&h, PN_HASH_ALL);
	for (size_t i = 0; i < sizeof(p); i++)
		pn_hash_update(&h, p + i, 1);
	pn_hash_final(&h, &bytes);
	pn_hash_release(&h);
	ok(memcmp(&one, &bytes, sizeof(one)) == 0 && one.tlsh[0] && one.ssdeep[0],
	    "1-byte updates == one-shot for all five hashes");
}

/* ------------------------------------------------------------------ */
/* MD5, SHA-1, SHA-256, ssdeep, API                                    */

static void
check_crypto(const char *what, const void *p, size_t n, const char *md5,
    const char *sha1, const char *sha256)
{
	struct pn_hashes h;

	is_int(pn_hash_buf(p, n, PN_HASH_CRYPTO, &h), PN_OK, "hash %s", what);
	is_str(h.md5, md5, "md5 %s", what);
	is_str(h.sha1, sha1, "sha1 %s", what);
	is_str(h.sha256, sha256, "sha256 %s", what);
	is_str(h.ssdeep, "", "no ssdeep unless asked (%s)", what);
	is_str(h.tlsh, "", "no tlsh unless asked (%s)", what);
}

static void
test_crypto_vectors(void)
{
	static const char eicar[] =
	    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	struct pn_hash_ctx h;
	struct pn_hashes out;
	char a[1000];

	check_crypto("\"\"", "", 0, "d41d8cd98f00b204e9800998ecf8427e",
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_crypto("\"abc\"", "abc", 3, "900150983cd24fb0d6963f7d28e17f72",
	    "a9993e364706816aba3e25717850c26c9cd0d89d",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_crypto("EICAR", eicar, strlen(eicar), "44d88612fea8a8f36de82e1278abb02f",
	    "3395856ce81f2b7382dee72602f798b642f14140",
	    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");

	/* FIPS 180 long message: a million 'a' in 1000-byte updates. */
	memset(a, 'a', sizeof(a));
	pn_hash_init(&h, PN_HASH_CRYPTO);
	for (int i = 0; i < 1000; i++)
		pn_hash_update(&h, a, sizeof(a));
	pn_hash_final(&h, &out);
	pn_hash_release(&h);
	is_str(out.md5, "7707d6ae4e027c70eea2a935c2296f21", "md5 of a million a");
	is_str(out.sha1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	    "sha1 of a million a");
	is_str(out.sha256,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "sha256 of a million a");
}

/* First word of the first line of cmd's output into out, or "". */
static void
run_first_word(const char *cmd, char *out, size_t outlen)
{
	FILE *f = popen(cmd, "r");
	char line[512];

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, " \n")] = '\0';
		pn_strlcpy(out, line, outlen);
	}
	pclose(f);
}

static int
have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Files with plain names, so they can go on a shell command line. */
static const char *tool_files[] = {
	"/usr/share/clamav-testfiles/clam.exe",
	"/usr/share/clamav-testfiles/clam.pdf",
	"/usr/share/clamav-testfiles/clam.ppt",
	"/usr/share/clamav-testfiles/clam_ISmsi_ext.exe",
	"/usr/bin/ls",
	"/usr/bin/ssdeep",
};

static void
test_crypto_tools(void)
{
	int checked = 0, bad = 0;

	if (!have_tool("sha256sum") || !have_tool("sha1sum") || !have_tool("md5sum")) {
		ok(1, "# SKIP coreutils hash tools not found");
		return;
	}
	for (size_t i = 0; i < PN_ARRAY_LEN(tool_files); i++) {
		struct pn_hashes h;
		char cmd[256], md5[80], sha1[80], sha256[80];
		int fd = open(tool_files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		pn_hash_fd(fd, PN_HASH_CRYPTO, &h);
		close(fd);
		snprintf(cmd, sizeof(cmd), "md5sum '%s'", tool_files[i]);
		run_first_word(cmd, md5, sizeof(md5));
		snprintf(cmd, sizeof(cmd), "sha1sum '%s'", tool_files[i]);
		run_first_word(cmd, sha1, sizeof(sha1));
		snprintf(cmd, sizeof(cmd), "sha256sum '%s'", tool_files[i]);
		run_first_word(cmd, sha256, sizeof(sha256));
		checked++;
		if (strcmp(h.md5, md5) || strcmp(h.sha1, sha1) ||
		    strcmp(h.sha256, sha256)) {
			bad++;
			diag("%s: %s %s %s", tool_files[i], h.md5, md5, h.sha256);
		}
	}
	ok(checked >= 3 && bad == 0,
	    "md5/sha1/sha256 == coreutils on %d files", checked);
}

/* ssdeep -s -b FILE: a header line, then "HASH,\"name\"". */
static void
ssdeep_tool(const char *path, char *out, size_t outlen)
{
	char cmd[256], line[512];
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "ssdeep -s -b '%s'", path);
	if ((f = popen(cmd, "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, "ssdeep,", 7) == 0 &&
	    fgets(line, sizeof(line), f) != NULL) {
		char *q = strstr(line, ",\"");
		if (q != NULL) {
			*q = '\0';
			pn_strlcpy(out, line, outlen);
		}
	}
	pclose(f);
}

static void
test_ssdeep(void)
{
	static const size_t sizes[] = { 0, 1, 63, 100, 4096, 10000, 100000,
	    1u << 20, 3000000 };
	uint8_t *p = pn_xmalloc(3000000);
	int bad = 0, checked = 0;

	for (size_t i = 0; i < PN_ARRAY_LEN(sizes); i++) {
		for (int kind = 0; kind < 3; kind++) {
			char want[FUZZY_MAX_RESULT];
			struct pn_hash_ctx h;
			struct pn_hashes out;
			if (kind == 0)
				fill_random(p, sizes[i]);
			else if (kind == 1)
				fill_text(p, sizes[i], 30);
			else
				fill_low(p, sizes[i], 3);
			if (fuzzy_hash_buf(p, (uint32_t)sizes[i], want) != 0)
				want[0] = '\0';
			pn_hash_init(&h, PN_HASH_SSDEEP);
			update_chunked(&h, p, sizes[i]);
			pn_hash_final(&h, &out);
			pn_hash_release(&h);
			checked++;
			if (want[0] == '\0' || strcmp(out.ssdeep, want) != 0) {
				bad++;
				diag("ssdeep %zu bytes: ours \"%s\" libfuzzy \"%s\"",
				    sizes[i], out.ssdeep, want);
			}
		}
	}
	ok(bad == 0, "streamed ssdeep == fuzzy_hash_buf on %d inputs", checked);

	/*
	 * ssdeep.c against libfuzzy's streaming state, input by input: every
	 * length to 300 (the tails), random lengths to 3 MB, random, text,
	 * sparse and zero-padded data (a zero rolling hash at the end takes
	 * other digest branches), size announced or not, in one piece or
	 * chunked.
	 */
	checked = bad = 0;
	for (int i = 0; i < 900 && bad < 5; i++) {
		size_t n = i < 300 ? (size_t)i : i < 800 ? 300 + rng() % 40000 : rng() % 3000000;
		int kind = i % 4, announce = (i / 4) % 2, chunked = (i / 8) % 2;
		char want[FUZZY_MAX_RESULT];
		struct fuzzy_state *f = fuzzy_new();
		struct pn_hash_ctx h;
		struct pn_hashes out;
		if (kind == 0)
			fill_random(p, n);
		else if (kind == 1)
			fill_text(p, n, 30);
		else
			fill_low(p, n, kind);
		if (kind == 3 && n > 16)
			memset(p + n - 12, 0, 12);
		if (announce)
			fuzzy_set_total_input_length(f, n);
		fuzzy_update(f, p, n);
		if (f == NULL || fuzzy_digest(f, want, 0) != 0)
			want[0] = '\0';
		fuzzy_free(f);
		pn_hash_init(&h, PN_HASH_SSDEEP);
		if (announce)
			pn_hash_set_size(&h, n);
		if (chunked)
			update_chunked(&h, p, n);
		else
			pn_hash_update(&h, p, n);
		pn_hash_final(&h, &out);
		pn_hash_release(&h);
		checked++;
		if (want[0] == '\0' || strcmp(out.ssdeep, want) != 0) {
			bad++;
			diag("ssdeep %zu bytes (kind %d%s%s): ours \"%s\" libfuzzy \"%s\"", n, kind,
			    announce ? ", announced" : "", chunked ? ", chunked" : "", out.ssdeep, want);
		}
	}
	ok(bad == 0, "ssdeep.c == libfuzzy's fuzzy_digest on %d inputs", checked);
	free(p);

	if (!have_tool("ssdeep")) {
		ok(1, "# SKIP ssdeep tool not found");
		return;
	}
	checked = bad = 0;
	for (size_t i = 0; i < PN_ARRAY_LEN(tool_files); i++) {
		struct pn_hashes h;
		char want[FUZZY_MAX_RESULT + 8];
		int fd = open(tool_files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		pn_hash_fd(fd, PN_HASH_SSDEEP, &h);
		close(fd);
		ssdeep_tool(tool_files[i], want, sizeof(want));
		checked++;
		if (strcmp(h.ssdeep, want) != 0) {
			bad++;
			diag("%s: ours \"%s\" ssdeep \"%s\"", tool_files[i],
			    h.ssdeep, want);
		}
	}
	ok(checked >= 3 && bad == 0, "ssdeep == ssdeep -s -b on %d files", checked);
}

/* pn_hash_fd_at: the bytes from an offset, read with pread; the fd's offset stays. */
static void
test_fd_at(void)
{
	char path[] = "/tmp/pn-test-hash-at-XXXXXX";
	static const char text[] = "0123456789abcdefghij";
	struct pn_hashes a, want;
	int fd = mkstemp(path);

	ok(fd >= 0 && write(fd, text, 20) == 20 && lseek(fd, 3, SEEK_SET) == 3, "file written");
	is_int(pn_hash_fd_at(fd, 10, PN_HASH_CRYPTO | PN_HASH_SSDEEP, &a), PN_OK, "hash from offset 10");
	pn_hash_buf(text + 10, 10, PN_HASH_CRYPTO | PN_HASH_SSDEEP, &want);
	ok(strcmp(a.sha256, want.sha256) == 0 && strcmp(a.md5, want.md5) == 0 &&
	    strcmp(a.ssdeep, want.ssdeep) == 0, "the hashes of the last 10 bytes");
	is_int((int)lseek(fd, 0, SEEK_CUR), 3, "the fd's offset did not move");
	is_int(pn_hash_fd_at(fd, -1, PN_HASH_SHA256, &a), PN_EINVAL, "a negative offset is refused");
	close(fd);
	unlink(path);
}

static void
test_chunked_all(void)
{
	size_t n = 3u << 20;
	uint8_t *p = pn_xmalloc(n);
	int bad = 0;

	for (int round = 0; round < 4; round++) {
		struct pn_hashes one, chunked;
		struct pn_hash_ctx h;
		size_t len = round == 0 ? n : 1 + rng() % n;
		if (round % 2)
			fill_text(p, len, 20 + round);
		else
			fill_random(p, len);
		pn_hash_buf(p, len, PN_HASH_ALL, &one);
		pn_hash_init(&h, PN_HASH_ALL);
		update_chunked(&h, p, len);
		pn_hash_final(&h, &chunked);
		pn_hash_release(&h);
		if (memcmp(&one, &chunked, sizeof(one)) != 0 || !one.md5[0] ||
		    !one.ssdeep[0] || !one.tlsh[0])
			bad++;
	}
	ok(bad == 0, "random chunks == one-shot for all five hashes");
	free(p);
}

static void
test_api(void)
{
	struct pn_hash_ctx h;
	struct pn_hashes out;
	uint8_t p[5000];
	char path[] = "/tmp/pn-test-hash-XXXXXX";
	int fd, rc;

	is_int(pn_hash_init(&h, 0), PN_EINVAL, "init with no flags");
	pn_hash_release(&h);
	is_int(pn_hash_init(&h, 0x100), PN_EINVAL, "init with an unknown flag");
	pn_hash_release(&h);

	is_int(pn_hash_init(&h, PN_HASH_SHA256 | PN_HASH_TLSH), PN_OK, "init");
	pn_hash_update(&h, "abc", 3);
	pn_hash_update(&h, NULL, 0);
	is_int(pn_hash_final(&h, &out), PN_OK, "final");
	pn_hash_release(&h);
	pn_hash_release(&h);
	ok(out.md5[0] == '\0' && out.sha1[0] == '\0' && out.ssdeep[0] == '\0',
	    "fields not asked for are empty");
	is_str(out.sha256,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 alone");
	is_str(out.tlsh, "", "no TLSH for 3 bytes, and no error");

	/* An announced size changes no result; a wrong one is refused. */
	fill_random(p, sizeof(p));
	{
		struct pn_hashes want;
		pn_hash_buf(p, sizeof(p), PN_HASH_ALL, &want);
		pn_hash_init(&h, PN_HASH_ALL);
		is_int(pn_hash_set_size(&h, sizeof(p)), PN_OK, "set_size");
		is_int(pn_hash_set_size(&h, sizeof(p)), PN_EINVAL, "set_size twice");
		update_chunked(&h, p, sizeof(p));
		rc = pn_hash_final(&h, &out);
		pn_hash_release(&h);
		ok(rc == PN_OK && memcmp(&out, &want, sizeof(out)) == 0,
		    "announced size: same digests");
		pn_log_set_level(PN_LOG_ERROR);    /* the warnings are expected */
		for (int delta = -1; delta <= 1; delta += 2) {
			int urc;
			pn_hash_init(&h, PN_HASH_ALL);
			pn_hash_set_size(&h, sizeof(p) + (size_t)(ssize_t)delta);
			urc = pn_hash_update(&h, p, sizeof(p));
			rc = pn_hash_final(&h, &out);
			pn_hash_release(&h);
			ok(urc == (delta < 0 ? PN_EINVAL : PN_OK) && rc == PN_EINVAL &&
			    out.md5[0] == '\0' && out.ssdeep[0] == '\0',
			    "%s bytes than announced: PN_EINVAL, no digests",
			    delta < 0 ? "more" : "fewer");
		}
		pn_log_set_level(PN_LOG_INFO);
		pn_hash_init(&h, PN_HASH_MD5);
		pn_hash_update(&h, p, 1);
		is_int(pn_hash_set_size(&h, 10), PN_EINVAL, "set_size after update");
		pn_hash_release(&h);
	}

	/* pn_hash_fd from the current offset, and its failures. */
	fill_random(p, sizeof(p));
	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, p, sizeof(p)) == (ssize_t)sizeof(p),
	    "temp file written");
	if (fd >= 0) {
		struct pn_hashes want;
		lseek(fd, 1000, SEEK_SET);
		rc = pn_hash_fd(fd, PN_HASH_ALL, &out);
		pn_hash_buf(p + 1000, sizeof(p) - 1000, PN_HASH_ALL, &want);
		ok(rc == PN_OK && memcmp(&out, &want, sizeof(out)) == 0,
		    "pn_hash_fd reads from the current offset");
		close(fd);
		unlink(path);
	}
	errno = 0;
	is_int(pn_hash_fd(-1, PN_HASH_MD5, &out), PN_EIO, "pn_hash_fd(-1)");
	ok(errno == EBADF && out.md5[0] == '\0', "errno kept, output empty");
	fd = open("/usr/bin", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	is_int(pn_hash_fd(fd, PN_HASH_CRYPTO, &out), PN_EIO,
	    "pn_hash_fd on a directory");
	close(fd);
	is_int(pn_hash_fd(0, 0, &out), PN_EINVAL, "pn_hash_fd with no flags");
}

/* ------------------------------------------------------------------ */
/* speed (PN_TEST_HASH_BENCH=<MiB>, outside the normal run)            */

static double
mbps(size_t n, int64_t ms)
{
	return ms > 0 ? (double)n / (1 << 20) / ((double)ms / 1000) : 0;
}

/* Hash p in 64 KiB updates, the size announced if sized; print MB/s. */
static void
bench_flags(const char *what, const uint8_t *p, size_t n, unsigned flags,
    int sized)
{
	struct pn_hash_ctx h;
	struct pn_hashes out;
	int64_t t0 = pn_mono_ms();

	pn_hash_init(&h, flags);
	if (sized)
		pn_hash_set_size(&h, n);
	for (size_t off = 0; off < n; off += PN_HASH_READ_BLOCK)
		pn_hash_update(&h, p + off, PN_MIN((size_t)PN_HASH_READ_BLOCK, n - off));
	pn_hash_final(&h, &out);
	pn_hash_release(&h);
	diag("%-30s %8.1f MB/s", what, mbps(n, pn_mono_ms() - t0));
}

static int
bench(const char *mib)
{
	int64_t v, t0;
	size_t n;
	uint8_t *p;
	char ours[PN_TLSH_BUF_LEN], ref[PN_TLSH_BUF_LEN];
	void *r;

	if (pn_parse_i64(mib, 1, 4000, &v) != PN_OK) {
		ok(0, "PN_TEST_HASH_BENCH must be MiB in 1..4000");
		return done_testing();
	}
	n = (size_t)v << 20;
	p = pn_xmalloc(n);
	fill_random(p, n);
	diag("%zu MiB of random data, 64 KiB updates, one core (MB = MiB)", n >> 20);
	bench_flags("md5", p, n, PN_HASH_MD5, 1);
	bench_flags("sha1", p, n, PN_HASH_SHA1, 1);
	bench_flags("sha256", p, n, PN_HASH_SHA256, 1);
	bench_flags("md5+sha1+sha256 (server)", p, n, PN_HASH_CRYPTO, 1);
	bench_flags("ssdeep, size unknown", p, n, PN_HASH_SSDEEP, 0);
	bench_flags("ssdeep, size announced", p, n, PN_HASH_SSDEEP, 1);
	if (n <= UINT32_MAX) {
		char fz[FUZZY_MAX_RESULT];
		t0 = pn_mono_ms();
		fuzzy_hash_buf(p, (uint32_t)n, fz);
		diag("%-30s %8.1f MB/s", "ssdeep, fuzzy_hash_buf",
		    mbps(n, pn_mono_ms() - t0));
	}
	bench_flags("tlsh (lib/tlsh.c)", p, n, PN_HASH_TLSH, 1);
	bench_flags("ssdeep+tlsh (worker)", p, n, PN_HASH_FUZZY, 1);
	bench_flags("all five", p, n, PN_HASH_ALL, 1);
	t0 = pn_mono_ms();
	r = ref_tlsh_new();
	for (size_t off = 0; off < n; off += PN_HASH_READ_BLOCK)
		ref_tlsh_update(r, p + off,
		    (unsigned)PN_MIN((size_t)PN_HASH_READ_BLOCK, n - off));
	ref_tlsh_final(r, ref, sizeof(ref));
	ref_tlsh_free(r);
	diag("%-30s %8.1f MB/s", "tlsh (libtlsh 3.4.4)", mbps(n, pn_mono_ms() - t0));
	pn_tlsh_buf(p, n, ours);
	ok(ours[0] && strcmp(ours + 2, ref) == 0, "benchmark TLSH == libtlsh");
	free(p);
	return done_testing();
}

int
main(void)
{
	int64_t t0 = pn_mono_ms();
	const char *b = getenv("PN_TEST_HASH_BENCH");

	if (b != NULL && b[0] != '\0')
		return bench(b);
	set_budget();
	test_crypto_vectors();
	test_crypto_tools();
	test_ssdeep();
	test_fd_at();
	test_chunked_all();
	test_api();
	test_tlsh_lvalue();
	test_tlsh_parse();
	test_tlsh_stream_state();
	test_tlsh_variety_edge();
	test_tlsh_ratio_arith();
	test_tlsh_random();
	test_tlsh_text_low();
	test_tlsh_files();
	test_tlsh_diff_pairs();
	test_tlsh_diff_edits();
	test_tlsh_diff_strings();
	diag("%lld ms", (long long)(pn_mono_ms() - t0));
	return done_testing();
}
