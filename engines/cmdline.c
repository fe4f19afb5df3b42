/*
 * cmdline.c - the command-line engine: run a configured scanner program on
 * the file and read its verdict from the exit code and its output.
 *
 * cmdline.command is split into words here (no shell: white space
 * separates words, '...' is literal, "..." allows \" and \\, a backslash
 * outside quotes escapes the next character).  Every "{}" in a word is
 * replaced by the sample's path; without any "{}" the path is appended as
 * the last word.  The program is found at init (PATH searched once) and run
 * with stdin from /dev/null, stdout and stderr into one pipe (the first
 * and the last PN_CMDLINE_MAX_OUTPUT / 2 bytes kept), in its own process group, killed with
 * the group (SIGKILL) at 90% of e->timeout_s (category timeout) and by
 * PR_SET_PDEATHSIG if the scan child dies first.
 *
 * The sample's path: cmdline.input = "file" (default) copies the bytes to a
 * new private file (mkstemp, mode 0600) in $TMPDIR (the worker sets it to
 * DATA/tmp) or /tmp, removed after the run; "fd" passes
 * /proc/self/fd/N of the job's read-only fd instead (no copy; the program
 * must accept a path without a file-name extension that is a /proc link).
 *
 * Verdict: the exit code is looked up in cmdline.exit_map
 * ("CODE:CATEGORY,...", VT category spellings, "*" for any other code);
 * an unmapped code or a death by signal is a failure.  The result is the
 * first capture group (else the whole match) of the POSIX extended regex
 * cmdline.pattern on the output, for malicious and suspicious only; no
 * match gives a null result.  details = {"exit_code": N, "output": first
 * PN_CMDLINE_DETAIL_OUTPUT bytes}.  cmdline.version_command, when set, runs
 * once at init/reload: its first output line is engine_version (a ClamAV
 * version string also yields engine_update).
 *
 * The scan child must be allowed fork and exec (and kill of its own group):
 * e->confine_flags = PN_ENGINE_NEEDS_EXEC.  The program inherits the
 * child's rlimits (RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE - the temporary copy
 * is written under the same RLIMIT_FSIZE, so cmdline.max_filesize must stay
 * below it) and no_new_privs.
 *
 * Ownership: e->priv is a struct cmdline owned by the engine.
 * Limits: PN_CMDLINE_MAX_ARGS words, PN_CMDLINE_MAX_OUTPUT bytes of output
 * kept, PN_EXT_MAX_LABEL bytes of result.
 * Errors: init/reload PN_EINVAL (bad command, pattern or exit map;
 * program not found) with e->error set; scan PN_EIO (temporary file, pipe,
 * fork), PN_EINTERNAL (unmapped exit code, killed by a signal), logged.
 * See also: docs/internals/external-engines.md, tests/unit/test_external.c,
 * tests/data/engines/fakeav.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include "engine.h"
#include "conf.h"
#include "external.h"
#include "buf.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

/* Options of this engine (docs/CONFIG.md [cmdline]). */
const struct pn_conf_opt pn_conf_cmdline[] = {
	{ "cmdline.enabled", PN_CONF_BOOL, "false", "run a command-line scanner" },
	{ "cmdline.name", PN_CONF_STR, "CommandLine", "engine name in reports" },
	{ "cmdline.command", PN_CONF_STR, "", "scanner command; {} = the file's path (else appended)" },
	{ "cmdline.pattern", PN_CONF_STR, "", "POSIX ERE on the output; group 1 = detection name" },
	{ "cmdline.exit_map", PN_CONF_STR, "0:undetected,1:malicious",
	  "exit code to category, CODE:CATEGORY,... (* = any other)" },
	{ "cmdline.version_command", PN_CONF_STR, "", "command printing the engine version (optional)" },
	{ "cmdline.input", PN_CONF_STR, "file", "file: private temporary copy; fd: /proc/self/fd/N" },
	{ "cmdline.max_filesize", PN_CONF_SIZE, "100M", "largest file scanned" },
	{ NULL, PN_CONF_STR, NULL, NULL }
};

#define PN_CMDLINE_MAX_ARGS          64
#define PN_CMDLINE_MAX_OUTPUT        65536   /* bytes of output kept */
#define PN_CMDLINE_DETAIL_OUTPUT     1024    /* bytes of output in details */
#define PN_CMDLINE_VERSION_TIMEOUT_S 10
#define PN_CMDLINE_POLL_MS           50      /* exit check while output is open */

#define EXIT_ANY 256                      /* index of "*" in the map */

struct cmdline {
	char *argv[PN_CMDLINE_MAX_ARGS + 1];  /* words, NULL-terminated */
	size_t argc;
	char *prog;                           /* argv[0] resolved against PATH */
	int has_pattern;
	regex_t re;
	int map[EXIT_ANY + 1];                /* category + 1, 0 = unmapped */
	int use_fd;                           /* cmdline.input = fd */
};

/* ------------------------------------------------------------------------
 * Configuration.
 */

/*
 * Split s into words (see the header).  Returns the word count, or
 * PN_EFORMAT (unterminated quote) / PN_ELIMIT (too many words).
 */
static int
split_words(const char *s, char **argv, size_t max)
{
	size_t n = 0, len = strlen(s);
	char *w = pn_xmalloc(len + 1);

	for (;;) {
		size_t o = 0;
		int any = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
			any = 1;
			if (*s == '\'') {
				const char *e = strchr(s + 1, '\'');

				if (e == NULL)
					goto bad;
				memcpy(w + o, s + 1, (size_t)(e - s - 1));
				o += (size_t)(e - s - 1);
				s = e + 1;
			} else if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (*s == '\0')
						goto bad;
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					w[o++] = *s;
				}
				s++;
			} else if (*s == '\\' && s[1] != '\0') {
				w[o++] = s[1];
				s += 2;
			} else
				w[o++] = *s++;
		}
		if (!any)
			continue;
		if (n == max) {
			while (n > 0) {
				free(argv[--n]);
				argv[n] = NULL;
			}
			free(w);
			return PN_ELIMIT;
		}
		argv[n++] = pn_xstrndup(w, o);
	}
	free(w);
	argv[n] = NULL;
	return (int)n;
bad:
	while (n > 0) {
		free(argv[--n]);
		argv[n] = NULL;
	}
	free(w);
	return PN_EFORMAT;
}

static void
free_words(char **argv)
{
	size_t i;

	for (i = 0; argv[i] != NULL; i++) {
		free(argv[i]);
		argv[i] = NULL;
	}
}

/* "0:undetected,1:malicious,*:failure" into map. */
static int
parse_exit_map(const char *s, int *map, char *err, size_t errlen)
{
	memset(map, 0, sizeof(int) * (EXIT_ANY + 1));
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		char item[64], *colon, *code, *cat;
		enum pn_category c;
		int64_t v;

		if (n >= sizeof(item)) {
			snprintf(err, errlen, "cmdline.exit_map: item too long");
			return PN_EINVAL;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		s += n + (s[n] == ',');
		if ((colon = strchr(item, ':')) == NULL) {
			if (strspn(item, " \t") == strlen(item))
				continue;
			snprintf(err, errlen, "cmdline.exit_map: \"%s\" is not CODE:CATEGORY", item);
			return PN_EINVAL;
		}
		*colon = '\0';
		code = item + strspn(item, " \t");
		cat = colon + 1 + strspn(colon + 1, " \t");
		code[strcspn(code, " \t")] = '\0';
		cat[strcspn(cat, " \t")] = '\0';
		if (pn_category_parse(cat, &c) != PN_OK) {
			snprintf(err, errlen, "cmdline.exit_map: unknown category \"%s\"", cat);
			return PN_EINVAL;
		}
		if (strcmp(code, "*") == 0)
			v = EXIT_ANY;
		else if (pn_parse_i64(code, 0, 255, &v) != PN_OK) {
			snprintf(err, errlen, "cmdline.exit_map: bad exit code \"%s\"", code);
			return PN_EINVAL;
		}
		map[v] = (int)c + 1;
	}
	return PN_OK;
}

/* argv[0] with a '/' as it is, else the first executable in $PATH. */
static char *
find_program(const char *name)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0 ? pn_xstrdup(name) : NULL;
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; ) {
		size_t n = strcspn(p, ":");
		char *cand = pn_xasprintf("%.*s/%s", (int)n, n ? p : ".", name);
		struct stat st;

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* ------------------------------------------------------------------------
 * Running a program.
 */

struct run {
	int status;          /* waitpid status */
	int timed_out;
	int lost;            /* waitpid failed: no status */
};

/*
 * Output kept: the first and the last PN_CMDLINE_MAX_OUTPUT / 2 bytes
 * (detections are printed early by some scanners, in a summary at the end
 * by others).
 */
#define HALF (PN_CMDLINE_MAX_OUTPUT / 2)
struct capture {
	char head[HALF];
	size_t head_len;
	char tail[HALF];     /* ring */
	uint64_t tail_total; /* bytes past the head */
};

static void
capture_add(struct capture *c, const char *p, size_t n)
{
	size_t k = PN_MIN(n, HALF - c->head_len);

	memcpy(c->head + c->head_len, p, k);
	c->head_len += k;
	p += k;
	n -= k;
	if (n > HALF) {
		c->tail_total += n - HALF;
		p += n - HALF;
		n = HALF;
	}
	while (n > 0) {
		size_t at = (size_t)(c->tail_total % HALF), m = PN_MIN(n, HALF - at);

		memcpy(c->tail + at, p, m);
		c->tail_total += m;
		p += m;
		n -= m;
	}
}

/* Head, a "[...]" line when bytes were skipped, tail; into out (cap fits). */
static void
capture_finish(const struct capture *c, struct pn_buf *out)
{
	size_t at = (size_t)(c->tail_total % HALF);

	pn_buf_append(out, c->head, c->head_len);
	if (c->tail_total > HALF)
		pn_buf_puts(out, "\n[...]\n");
	if (c->tail_total >= HALF) {
		pn_buf_append(out, c->tail + at, HALF - at);
		pn_buf_append(out, c->tail, at);
	} else
		pn_buf_append(out, c->tail, at);
}

/* Child side: never returns. */
static void
child_exec(const char *prog, char *const argv[], int out_w, int keep_fd)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0)
		_exit(127);
	if (keep_fd > 2)
		fcntl(keep_fd, F_SETFD, 0);   /* visible as /proc/self/fd/N */
	signal(SIGPIPE, SIG_DFL);
	execv(prog, argv);
	_exit(127);
}

/*
 * Has pid ended?  1 yes, 0 not yet, -1 waitid failed.  The child is not
 * reaped (WNOWAIT): while it is a zombie its pid, and so its process
 * group id, cannot be reused, so killing the group afterwards is safe.
 */
static int
ended_now(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		if (errno != EINTR)
			return -1;
	return si.si_pid == pid ? 1 : 0;
}

/* Wait (unreaped) for pid until deadline: 1 ended, 0 deadline, -1 error. */
static int
wait_end(pid_t pid, int64_t deadline)
{
	for (;;) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		int r = ended_now(pid);

		if (r != 0)
			return r;
		if (pn_mono_ms() >= deadline)
			return 0;
		nanosleep(&ts, NULL);
	}
}

/*
 * Run prog argv until deadline, collecting stdout+stderr into out (the
 * first and last bytes, see struct capture; out's cap must be at least
 * PN_CMDLINE_MAX_OUTPUT + 8).
 * keep_fd (> 2) stays open in the program.  Returns PN_OK (see r->status,
 * r->timed_out) or PN_EIO (pipe, fork).
 */
static int
run_program(const char *prog, char *const argv[], int keep_fd, int64_t deadline,
    struct pn_buf *out, struct run *r)
{
	struct capture *cap;
	int p[2], exited = 0;
	pid_t pid, w;

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC) != 0)
		return PN_EIO;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return PN_EIO;
	}
	if (pid == 0)
		child_exec(prog, argv, p[1], keep_fd);
	setpgid(pid, pid);   /* also here: no window where the group does not exist */
	close(p[1]);
	cap = pn_xcalloc(1, sizeof(*cap));
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		int64_t left = deadline - pn_mono_ms();
		char buf[8192];
		ssize_t n;

		if (left <= 0) {
			r->timed_out = 1;
			break;
		}
		if (poll(&pf, 1, (int)PN_MIN(left, PN_CMDLINE_POLL_MS)) < 0 && errno != EINTR)
			break;
		if (pf.revents == 0) {
			/* The program may be gone while a grandchild holds the pipe. */
			if ((exited = ended_now(pid)) != 0)
				break;
			continue;
		}
		n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		capture_add(cap, buf, (size_t)n);
	}
	close(p[0]);
	capture_finish(cap, out);
	free(cap);
	if (exited == 0 && !r->timed_out)
		exited = wait_end(pid, deadline);
	if (exited == 0)
		r->timed_out = 1;
	/* The group (leftovers of a finished program too), then the program. */
	kill(-pid, SIGKILL);
	if (exited == 0)
		kill(pid, SIGKILL);
	while ((w = waitpid(pid, &r->status, 0)) < 0 && errno == EINTR)
		;
	if (w != pid || exited < 0)
		r->lost = 1;
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * The sample's path.
 */

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return PN_EIO;
		p += w;
		n -= (size_t)w;
	}
	return PN_OK;
}

/* A private copy of the target in $TMPDIR; *path is new, caller unlinks and frees. */
static int
temp_copy(const struct pn_scan_target *t, char **path)
{
	const char *dir = getenv("TMPDIR");
	char *p = pn_xasprintf("%s/pn-cmdline-XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	int fd = mkostemp(p, O_CLOEXEC), rc = PN_OK;

	if (fd < 0) {
		log_warn("cmdline: temporary file in %s", dir != NULL && *dir ? dir : "/tmp");
		free(p);
		return PN_EIO;
	}
	if (t->data != NULL) {
		rc = write_all(fd, t->data, t->size);
	} else if (t->size > 0) {
		uint8_t buf[65536];
		off_t off = 0;

		while (rc == PN_OK && (size_t)off < t->size) {
			ssize_t n = pread(t->fd, buf, sizeof(buf), off);

			if (n <= 0)
				rc = PN_EIO;
			else {
				rc = write_all(fd, buf, (size_t)n);
				off += n;
			}
		}
	}
	if (close(fd) != 0)
		rc = PN_EIO;
	if (rc != PN_OK) {
		log_warn("cmdline: writing %s", p);
		unlink(p);
		free(p);
		return rc;
	}
	*path = p;
	return PN_OK;
}

/* argv with "{}" replaced by path (or path appended); free with free_words. */
static void
build_argv(const struct cmdline *cl, const char *path, char **argv)
{
	size_t i, n = 0;
	int used = 0;

	for (i = 0; i < cl->argc; i++) {
		const char *w = cl->argv[i], *hit;
		struct pn_buf b = PN_BUF_INIT;

		while ((hit = strstr(w, "{}")) != NULL) {
			pn_buf_append(&b, w, (size_t)(hit - w));
			pn_buf_puts(&b, path);
			w = hit + 2;
			used = 1;
		}
		pn_buf_puts(&b, w);
		argv[n++] = pn_buf_steal(&b, NULL);
	}
	if (!used)
		argv[n++] = pn_xstrdup(path);
	argv[n] = NULL;
}

/* ------------------------------------------------------------------------
 * Output to verdict.
 */

/* The detection name in out (NULs already replaced), or NULL. */
static char *
match_name(const struct cmdline *cl, const char *out)
{
	regmatch_t m[2];

	if (!cl->has_pattern || regexec(&cl->re, out, 2, m, 0) != 0)
		return NULL;
	if (m[1].rm_so >= 0 && m[1].rm_eo >= m[1].rm_so)
		return pn_ext_label(out + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	return pn_ext_label(out + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
}

static void
add_details(struct pn_verdict *v, int code, const struct pn_buf *out)
{
	size_t n = PN_MIN(out->len, (size_t)PN_CMDLINE_DETAIL_OUTPUT);
	char *clean = pn_utf8_clean(out->len ? out->p : "", n);

	v->details = json_object_new_object();
	json_object_object_add(v->details, "exit_code", json_object_new_int(code));
	json_object_object_add(v->details, "output", json_object_new_string(clean));
	free(clean);
}

static int
to_verdict(const struct cmdline *cl, const struct run *r, struct pn_buf *out,
    struct pn_verdict *v)
{
	int code, cat;
	size_t i;

	if (r->timed_out) {
		v->category = PN_CAT_TIMEOUT;
		return PN_OK;
	}
	if (r->lost) {
		log_warnx("cmdline: exit status of %s lost", cl->prog);
		return PN_EINTERNAL;
	}
	if (!WIFEXITED(r->status)) {
		log_warnx("cmdline: %s killed by signal %d", cl->prog,
		    WIFSIGNALED(r->status) ? WTERMSIG(r->status) : -1);
		return PN_EINTERNAL;
	}
	code = WEXITSTATUS(r->status);
	cat = cl->map[code] ? cl->map[code] : cl->map[EXIT_ANY];
	if (cat == 0) {
		log_warnx("cmdline: %s exited with unmapped code %d", cl->prog, code);
		return PN_EINTERNAL;
	}
	for (i = 0; i < out->len; i++)
		if (out->p[i] == '\0')
			out->p[i] = ' ';
	v->category = (enum pn_category)(cat - 1);
	if (v->category == PN_CAT_MALICIOUS || v->category == PN_CAT_SUSPICIOUS)
		v->result = match_name(cl, out->len ? out->p : "");
	add_details(v, code, out);
	return PN_OK;
}

/* ------------------------------------------------------------------------
 * The adapter.
 */

static void
cmdline_destroy(struct cmdline *cl)
{
	if (cl == NULL)
		return;
	free_words(cl->argv);
	free(cl->prog);
	if (cl->has_pattern)
		regfree(&cl->re);
	free(cl);
}

static int
cmdline_build(const struct pn_conf *conf, struct cmdline **out, char *err, size_t errlen)
{
	struct cmdline *cl = pn_xcalloc(1, sizeof(*cl));
	const char *pat = pn_conf_get(conf, "cmdline.pattern");
	const char *input = pn_conf_get(conf, "cmdline.input");
	int n, rc;

	*out = NULL;
	n = split_words(pn_conf_get(conf, "cmdline.command"), cl->argv, PN_CMDLINE_MAX_ARGS - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cmdline.command %s", n == 0 ? "is empty" :
		    n == PN_ELIMIT ? "has too many words" : "has an unterminated quote");
		rc = PN_EINVAL;
		goto fail;
	}
	cl->argc = (size_t)n;
	if ((cl->prog = find_program(cl->argv[0])) == NULL) {
		snprintf(err, errlen, "cmdline.command: %s: not found or not executable",
		    cl->argv[0]);
		rc = PN_EINVAL;
		goto fail;
	}
	if (pat != NULL && *pat != '\0') {
		int rrc = regcomp(&cl->re, pat, REG_EXTENDED | REG_NEWLINE);

		if (rrc != 0) {
			char msg[128];

			regerror(rrc, &cl->re, msg, sizeof(msg));
			snprintf(err, errlen, "cmdline.pattern: %s", msg);
			rc = PN_EINVAL;
			goto fail;
		}
		cl->has_pattern = 1;
	}
	if ((rc = parse_exit_map(pn_conf_get(conf, "cmdline.exit_map"), cl->map, err,
	    errlen)) != PN_OK)
		goto fail;
	if (strcmp(input, "fd") == 0)
		cl->use_fd = 1;
	else if (strcmp(input, "file") != 0) {
		snprintf(err, errlen, "cmdline.input must be file or fd");
		rc = PN_EINVAL;
		goto fail;
	}
	*out = cl;
	return PN_OK;
fail:
	cmdline_destroy(cl);
	return rc;
}

/* engine_version from cmdline.version_command, if any. */
static void
cmdline_version(struct pn_engine *e, const char *cmd)
{
	char *argv[PN_CMDLINE_MAX_ARGS + 1], *prog = NULL;
	struct pn_buf out;
	struct run r;
	int n;

	e->version[0] = e->update[0] = '\0';
	if (cmd == NULL || *cmd == '\0')
		return;
	n = split_words(cmd, argv, PN_CMDLINE_MAX_ARGS);
	if (n <= 0 || (prog = find_program(argv[0])) == NULL) {
		log_warnx("cmdline: version_command unusable");
		if (n > 0)
			free_words(argv);
		return;
	}
	pn_buf_init(&out, PN_CMDLINE_MAX_OUTPUT + 8);
	if (run_program(prog, argv, -1, pn_mono_ms() + PN_CMDLINE_VERSION_TIMEOUT_S * 1000,
	    &out, &r) == PN_OK && !r.timed_out && !r.lost && WIFEXITED(r.status) &&
	    WEXITSTATUS(r.status) == 0 && out.len > 0)
		pn_ext_clamav_version(out.p, e->version, sizeof(e->version), e->update,
		    sizeof(e->update));
	else
		log_warnx("cmdline: version_command failed");
	pn_buf_release(&out);
	free_words(argv);
	free(prog);
}

static int
cmdline_setup(struct pn_engine *e, const struct pn_conf *conf)
{
	struct cmdline *cl;
	int rc;

	rc = cmdline_build(conf, &cl, e->error, sizeof(e->error));
	if (rc != PN_OK) {
		log_warnx("cmdline: %s", e->error);
		return rc;
	}
	cmdline_destroy(e->priv);
	e->priv = cl;
	e->error[0] = '\0';
	cmdline_version(e, pn_conf_get(conf, "cmdline.version_command"));
	log_info("cmdline: %s runs %s, version %s", e->name, cl->prog,
	    e->version[0] ? e->version : "?");
	return PN_OK;
}

static int
cmdline_init(struct pn_engine *e, const struct pn_conf *conf)
{
	e->priv = NULL;
	e->confine_flags = PN_ENGINE_NEEDS_EXEC | PN_ENGINE_TYPE_BLIND;
	return cmdline_setup(e, conf);
}

static int
cmdline_reload(struct pn_engine *e, const struct pn_conf *conf)
{
	return cmdline_setup(e, conf);
}

static void
cmdline_free(struct pn_engine *e)
{
	cmdline_destroy(e->priv);
	e->priv = NULL;
}

static int
cmdline_scan(struct pn_engine *e, const struct pn_scan_target *t, struct pn_verdict *v)
{
	const struct cmdline *cl = e->priv;
	char *argv[PN_CMDLINE_MAX_ARGS + 2], *path = NULL, fdpath[64];
	int use_fd, keep = -1, rc;
	struct pn_buf out;
	struct run r;

	memset(v, 0, sizeof(*v));
	v->category = PN_CAT_FAILURE;
	if (cl == NULL)
		return PN_EINTERNAL;
	use_fd = cl->use_fd && t->fd > 2;
	if (use_fd) {
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", t->fd);
		keep = t->fd;
	} else if ((rc = temp_copy(t, &path)) != PN_OK)
		return rc;
	build_argv(cl, use_fd ? fdpath : path, argv);
	pn_buf_init(&out, PN_CMDLINE_MAX_OUTPUT + 8);
	rc = run_program(cl->prog, argv, keep, pn_ext_deadline(e->timeout_s, 90), &out, &r);
	if (rc == PN_OK)
		rc = to_verdict(cl, &r, &out, v);
	else
		log_warn("cmdline: running %s", cl->prog);
	if (r.timed_out)
		log_warnx("cmdline: %s timed out, process group killed", cl->prog);
	pn_buf_release(&out);
	free_words(argv);
	if (path != NULL) {
		unlink(path);
		free(path);
	}
	return rc;
}

const struct pn_engine_ops pn_engine_cmdline_ops = {
	.kind = "cmdline", .init = cmdline_init,
	.scan = cmdline_scan, .reload = cmdline_reload, .free = cmdline_free,
};
