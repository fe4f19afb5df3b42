/*
 * replay.c - main() for fuzz targets built without libFuzzer: replays a
 * corpus through LLVMFuzzerTestOneInput(), then runs a cheap,
 * deterministic mutation loop over it, so that `make check` (and
 * `make check-asan`) exercise every fuzz target beyond its seeds.
 *
 *   build/fuzz-replay/fuzz_NAME [FILE|DIR]...
 *
 * With no arguments the corpus is tests/fuzz/corpus/NAME/, NAME coming
 * from the program's own name fuzz_NAME; it is looked up from the current
 * directory, then from the program's directory (../../tests/fuzz/...).
 * Directories are read in name order, dot files skipped.  Each input is
 * run once as is, then PN_FUZZ_MUTATIONS times (default 2000, 0 to
 * disable) mutated: bit flips, random and special bytes, truncations,
 * deletions, runs copied from elsewhere in the input (which repeats
 * boundaries, tags and length fields) and tokens from a small built-in
 * list plus, if present, the target's libFuzzer dictionary
 * tests/fuzz/NAME.dict.  The generator is seeded from each input's bytes,
 * so a run is the same every time and does not depend on file order.
 *
 * Every input, mutated or not, is passed in an exactly-sized heap copy,
 * so ASan sees reads past its end.  When an input kills the process
 * (signal or sanitizer report), it is written to
 * tests/fuzz/crashes/NAME/replay-<FNV-1a hash of the input> first (or
 * ./fuzz_NAME-crash-<hash> when that cannot be written), to be added to
 * the corpus once fixed.
 *
 * Output: TAP, one line per corpus file, a summary comment and the plan;
 * exit 1 if an input could not be read or no input was found.  A crash
 * ends the program early (a TAP harness sees a missing plan).
 *
 * Limits: REPLAY_MAX_INPUT per file, REPLAY_MAX_MUTANT per mutant.
 * See also: docs/internals/fuzzing.md, tests/fuzz/run-fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REPLAY_MAX_INPUT    (16u << 20)
#define REPLAY_MAX_MUTANT   (1u << 20)
#define REPLAY_MUTATIONS    2000
#define REPLAY_MAX_FILES    100000
#define REPLAY_MAX_TOKENS   512
#define REPLAY_MAX_TOKEN    128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

struct token {
	size_t len;
	uint8_t b[REPLAY_MAX_TOKEN];
};

static const char *target = "unknown";  /* NAME of fuzz_NAME */
static struct token tokens[REPLAY_MAX_TOKENS];
static size_t ntokens;

/* The input being run, for the crash handler. */
static const uint8_t *cur_data;
static size_t cur_len;
static const char *cur_seed;    /* corpus file it comes from */
static long cur_mutation;       /* -1: the file as is */
static char crash_dir[512];

/* -------------------------------------------------------------- crashes */

static void
say(const char *s)
{
	ssize_t r = write(2, s, strlen(s));
	(void)r;
}

/* Async-signal-safe enough: open/write/close and fixed buffers only. */
static void
save_crash(void)
{
	static int saved;
	char path[640], hex[17];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;
	int fd;

	if (saved++ || cur_data == NULL)
		return;
	for (i = 0; i < cur_len; i++)
		h = (h ^ cur_data[i]) * 0x100000001b3ULL;
	for (i = 0; i < 16; i++)
		hex[i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
	hex[16] = '\0';
	mkdir("tests/fuzz/crashes", 0755);
	mkdir(crash_dir, 0755);
	snprintf(path, sizeof(path), "%s/replay-%s", crash_dir, hex);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		snprintf(path, sizeof(path), "./fuzz_%s-crash-%s", target, hex);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	}
	if (fd < 0)
		return;
	for (i = 0; i < cur_len; ) {
		ssize_t w = write(fd, cur_data + i, cur_len - i);
		if (w <= 0)
			break;
		i += (size_t)w;
	}
	close(fd);
	snprintf(hex, sizeof(hex), "%ld", cur_mutation);
	say("replay: crash on ");
	say(cur_seed ? cur_seed : "?");
	say(cur_mutation < 0 ? " (as is)" : ", mutation ");
	say(cur_mutation < 0 ? "" : hex);
	say("; input saved to ");
	say(path);
	say("\n");
}

static void
on_signal(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	size_t i;

	snprintf(crash_dir, sizeof(crash_dir), "tests/fuzz/crashes/%s", target);
	for (i = 0; i < PN_ARRAY_LEN(sigs); i++)
		signal(sigs[i], on_signal);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(save_crash);
}

/* One run, from an exactly-sized copy. */
static void
run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = pn_xmalloc(len);

	memcpy(copy, data, len);
	cur_data = copy;
	cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	cur_data = NULL;
	free(copy);
}

/* --------------------------------------------------------------- inputs */

struct input {
	char *path;
	uint8_t *data;
	size_t len;
};

struct inputs {
	struct input *v;
	size_t n, cap;
	int failed;             /* files that could not be read */
};

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	FILE *f;
	uint8_t *p;

	if ((f = fopen(path, "rb")) == NULL)
		return PN_EIO;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fclose(f);
		return PN_ELIMIT;
	}
	p = pn_xmalloc((size_t)st.st_size + 1);
	if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(p);
		fclose(f);
		return PN_EIO;
	}
	fclose(f);
	*out = p;
	*len = (size_t)st.st_size;
	return PN_OK;
}

static void
add_file(struct inputs *in, const char *path)
{
	struct input *it;
	int rc;

	if (in->n == in->cap) {
		if (in->cap >= REPLAY_MAX_FILES)
			fatalx("replay: more than %d inputs", REPLAY_MAX_FILES);
		in->cap = in->cap ? in->cap * 2 : 64;
		in->v = pn_xrealloc(in->v, in->cap * sizeof(*in->v));
	}
	it = &in->v[in->n];
	it->path = pn_xstrdup(path);
	if ((rc = read_file(path, &it->data, &it->len)) != PN_OK) {
		printf("# cannot read %s: %s\n", path, pn_strerror(rc));
		free(it->path);
		in->failed++;
		return;
	}
	in->n++;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_dir(struct inputs *in, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, cap = 0, i;
	struct stat st;

	if (d == NULL) {
		printf("# cannot open %s: %s\n", dir, strerror(errno));
		in->failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			if (cap >= REPLAY_MAX_FILES)
				break;
			cap = cap ? cap * 2 : 64;
			names = pn_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = pn_xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		path = pn_xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			add_file(in, path);
		free(path);
		free(names[i]);
	}
	free(names);
}

static void
add_path(struct inputs *in, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		add_dir(in, path);
	else
		add_file(in, path);
}

/* tests/fuzz/corpus/NAME from the cwd, else next to the program. */
static char *
default_dir(const char *argv0, const char *sub)
{
	char exe[1024], *p;
	ssize_t n;
	struct stat st;

	p = pn_xasprintf("tests/fuzz/%s", sub);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		pn_strlcpy(exe, argv0, sizeof(exe));
		n = (ssize_t)strlen(exe);
	}
	exe[n] = '\0';
	if ((p = strrchr(exe, '/')) != NULL)
		*p = '\0';
	else
		pn_strlcpy(exe, ".", sizeof(exe));
	p = pn_xasprintf("%s/../../tests/fuzz/%s", exe, sub);
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return NULL;
}

/* ----------------------------------------------------------- dictionary */

static void
add_token(const void *p, size_t n)
{
	if (n == 0 || n > REPLAY_MAX_TOKEN || ntokens >= REPLAY_MAX_TOKENS)
		return;
	memcpy(tokens[ntokens].b, p, n);
	tokens[ntokens++].len = n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One libFuzzer dictionary line: [name=]"value" with \\ \" \xNN escapes. */
static void
dict_line(const char *s)
{
	uint8_t b[REPLAY_MAX_TOKEN];
	size_t n = 0;
	const char *q = strchr(s, '"');

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '#' || q == NULL)
		return;
	for (q++; *q && *q != '"' && n < sizeof(b); q++) {
		if (*q == '\\' && q[1] == 'x' && hexval(q[2]) >= 0 && hexval(q[3]) >= 0) {
			b[n++] = (uint8_t)(hexval(q[2]) << 4 | hexval(q[3]));
			q += 3;
		} else if (*q == '\\' && q[1] != '\0') {
			b[n++] = (uint8_t)*++q;
		} else {
			b[n++] = (uint8_t)*q;
		}
	}
	if (*q == '"')
		add_token(b, n);
}

static void
load_tokens(const char *argv0)
{
	static const char *builtin[] = {
		"\r\n", "\n", "\r", "--", "-", " ", "\t", "\"", "\\", ";", "=", ":",
		",", "/", "%", "\r\n\r\n", "\r\n--", "\xff", "\x7f", "\x80",
	};
	char line[1024], *sub, *path;
	size_t i;
	FILE *f;

	for (i = 0; i < PN_ARRAY_LEN(builtin); i++)
		add_token(builtin[i], strlen(builtin[i]));
	add_token("\0", 1);
	add_token("\0\0\0\0", 4);
	add_token("\xff\xff\xff\xff", 4);
	add_token("\x7f\xff\xff\xff", 4);
	add_token("\0\0\0\x80", 4);
	sub = pn_xasprintf("%s.dict", target);
	path = default_dir(argv0, sub);
	free(sub);
	if (path == NULL)
		return;
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			dict_line(line);
		fclose(f);
	}
	free(path);
}

/* -------------------------------------------------------------- mutator */

static uint64_t rs;

static uint64_t
rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Insert n bytes at off, if room. */
static void
insert(uint8_t *b, size_t *len, size_t cap, size_t off, const uint8_t *p, size_t n)
{
	if (n > cap - *len)
		return;
	memmove(b + off + n, b + off, *len - off);
	memmove(b + off, p, n);
	*len += n;
}

static void
mutate_once(uint8_t *b, size_t *len, size_t cap)
{
	static const uint8_t special[] = { 0, 0xff, 0x7f, 0x80, '\r', '\n', '-', '"',
		'\\', ';', '=', ':', ' ', '0', '9', 'A' };
	size_t off = below(*len + 1), n;
	uint8_t tmp[256];

	switch (rnd() % 9) {
	case 0:                 /* flip a bit */
		if (*len)
			b[below(*len)] ^= (uint8_t)(1u << (rnd() % 8));
		break;
	case 1:                 /* random byte */
		if (*len)
			b[below(*len)] = (uint8_t)rnd();
		break;
	case 2:                 /* special byte */
		if (*len)
			b[below(*len)] = special[below(sizeof(special))];
		break;
	case 3:                 /* truncate */
		*len = off;
		break;
	case 4:                 /* delete a run */
		n = below(16) + 1;      /* PN_MIN evaluates twice */
		n = PN_MIN(n, *len - off);
		memmove(b + off, b + off + n, *len - off - n);
		*len -= n;
		break;
	case 5:                 /* copy a run from elsewhere */
	case 6:
		if (*len) {
			size_t from = below(*len);
			n = below(sizeof(tmp)) + 1;
			n = PN_MIN(n, *len - from);
			memcpy(tmp, b + from, n);
			insert(b, len, cap, off, tmp, n);
		}
		break;
	case 7:                 /* token */
	case 8: {
		const struct token *t = &tokens[below(ntokens)];
		insert(b, len, cap, off, t->b, t->len);
		break;
	}
	}
}

static void
mutate_all(const struct input *in, long count)
{
	size_t cap = PN_MIN(PN_MAX(in->len * 2 + 256, (size_t)4096), (size_t)REPLAY_MAX_MUTANT);
	uint8_t *b = pn_xmalloc(cap);
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, len;
	long k;
	int m;

	for (i = 0; i < in->len; i++)
		h = (h ^ in->data[i]) * 0x100000001b3ULL;
	rs = h;
	for (k = 0; k < count; k++) {
		cur_mutation = k;
		len = PN_MIN(in->len, cap);
		memcpy(b, in->data, len);
		for (m = (int)(rnd() % 4); m >= 0; m--)
			mutate_once(b, &len, cap);
		run_one(b, len);
	}
	free(b);
}

/* ----------------------------------------------------------------- main */

static long
mutations(void)
{
	const char *s = getenv("PN_FUZZ_MUTATIONS");
	int64_t v;

	if (s == NULL || *s == '\0')
		return REPLAY_MUTATIONS;
	if (pn_parse_i64(s, 0, 100000000, &v) != PN_OK)
		fatalx("replay: bad PN_FUZZ_MUTATIONS=%s", s);
	return (long)v;
}

int
main(int argc, char **argv)
{
	struct inputs in = { NULL, 0, 0, 0 };
	const char *base = strrchr(argv[0], '/');
	char *dir, *sub;
	long count = mutations();
	struct timespec t0, t1;
	int i, tn = 0;
	size_t k;

	base = base ? base + 1 : argv[0];
	if (strncmp(base, "fuzz_", 5) == 0 && base[5] != '\0')
		target = base + 5;
	catch_crashes();
	load_tokens(argv[0]);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (i = 1; i < argc; i++)
		add_path(&in, argv[i]);
	if (argc < 2) {
		sub = pn_xasprintf("corpus/%s", target);
		dir = default_dir(argv[0], sub);
		if (dir != NULL)
			add_dir(&in, dir);
		else
			printf("# no tests/fuzz/%s next to here or the program\n", sub);
		free(dir);
		free(sub);
	}

	for (k = 0; k < in.n; k++) {
		cur_seed = in.v[k].path;
		cur_mutation = -1;
		run_one(in.v[k].data, in.v[k].len);
		if (count > 0)
			mutate_all(&in.v[k], count);
		printf("ok %d - fuzz_%s: %s (%zu bytes) + %ld mutations\n", ++tn,
		    target, in.v[k].path, in.v[k].len, count);
		fflush(stdout);
	}
	for (i = 0; i < in.failed; i++)
		printf("not ok %d - fuzz_%s: unreadable input\n", ++tn, target);
	if (in.n == 0)
		printf("not ok %d - fuzz_%s: no input found\n", ++tn, target);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# fuzz_%s: %zu inputs, %ld runs in %.2f s\n", target, in.n,
	    (long)in.n * (count + 1),
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("1..%d\n", tn);
	for (k = 0; k < in.n; k++) {
		free(in.v[k].path);
		free(in.v[k].data);
	}
	free(in.v);
	return in.failed || in.n == 0 ? 1 : 0;
}
