/*
 * scan.c - `panoptes scan PATH...`: analyse files and directory trees on
 * this machine with the same identification, parsers and engines as the
 * server, without a server or a store.
 *
 * The engines are loaded once, then --jobs processes share the files (file
 * i goes to process i mod jobs); each runs the usual job pipeline
 * (analysis/job.c: long-lived confined scan children, one per engine
 * group, fed each file's fd) and sends one JSON line per file to the
 * parent, which prints them in arrival order.
 *
 * With --server URL (or --remote: the configured server) the files go to
 * a server instead (cmd_scan_remote.c) and the reports have the same shape.
 *
 * Output: text (a line per file: verdict ratio and the first labels),
 * jsonl (one object per file), json (one array) or csv; --fields picks
 * attributes.  Exit: 0 nothing detected, 1 some file had at least
 * --threshold malicious verdicts, 2 usage or input error (a file could not
 * be read), 3 server or network error (--server); detection wins.
 *
 * SPDX-License-Identifier: MIT
 */
#include "cli.h"
#include "buf.h"
#include "engine.h"
#include "hash.h"
#include "worker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PN_SCAN_MAX_FILES 10000000  /* paths collected from the command line and trees */
#define PN_SCAN_MAX_JOBS  64

static int
add_file(struct pn_scan_files *f, const char *path, uint64_t size)
{
	if (f->n >= PN_SCAN_MAX_FILES)
		return PN_ELIMIT;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->v = pn_xrealloc(f->v, f->cap * sizeof(char *));
	}
	f->v[f->n++] = pn_xstrdup(path);
	f->bytes += size;
	return PN_OK;
}

/* Regular files under path, without following symbolic links. */
static int
collect(struct pn_scan_files *f, const char *path, int depth)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;
	int rc = PN_OK;

	if (lstat(path, &sb) != 0) {
		fprintf(stderr, "panoptes scan: %s: %s\n", path, strerror(errno));
		return PN_EIO;
	}
	if (S_ISREG(sb.st_mode))
		return add_file(f, path, (uint64_t)sb.st_size);
	if (!S_ISDIR(sb.st_mode) || depth > 64)
		return PN_OK;
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "panoptes scan: %s: %s\n", path, strerror(errno));
		return PN_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub))
			continue;
		if (collect(f, sub, depth + 1) != PN_OK)
			rc = PN_EIO;
	}
	closedir(d);
	return rc;
}

/* One file's report as a JSON line (without the newline); NULL if unreadable. */
static char *
scan_one(const struct pn_conf *conf, struct pn_engines *engines, const char *path)
{
	char *details = NULL, *results = NULL, *stats = NULL;
	struct pn_hashes h;
	struct json_object *o, *d;
	struct stat sb;
	char *line;
	struct pn_analyse_opts ao;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(&ao, 0, sizeof(ao));
	memset(&h, 0, sizeof(h));
	ao.hashes_out = &h;   /* hashed while the first engines scan */
	if (fd >= 0 && fstat(fd, &sb) == 0 &&
	    pn_analyse_fd_ex(conf, engines, fd, strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
	    &ao, &details, &results, &stats) == PN_OK && h.sha256[0] == '\0') {
		free(details);        /* analysed, but the file could not be hashed */
		free(results);
		free(stats);
		results = NULL;
		errno = EIO;
	}
	if (results == NULL) {
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_object_add(o, "error", json_object_new_string(strerror(errno)));
		json_object_object_add(o, "error_kind", json_object_new_string("input"));
		line = pn_xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		if (fd >= 0)
			close(fd);
		return line;
	}
	close(fd);
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "sha256", json_object_new_string(h.sha256));
	json_object_object_add(o, "sha1", json_object_new_string(h.sha1));
	json_object_object_add(o, "md5", json_object_new_string(h.md5));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)sb.st_size));
	d = details ? json_tokener_parse(details) : NULL;
	if (d) {
		json_object_object_del(d, "_edges");
		json_object_object_del(d, "_children");
		json_object_object_foreach(d, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(d);
	}
	json_object_object_add(o, "last_analysis_stats", json_tokener_parse(stats));
	json_object_object_add(o, "last_analysis_results", json_tokener_parse(results));
	line = pn_xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(details);
	free(results);
	free(stats);
	return line;
}

/*
 * A scanning process: takes the next file from the counter the processes
 * share (so one that drew large files takes fewer), one line each to fd.
 */
static void
scan_part(const struct pn_conf *conf, struct pn_engines *engines, const struct pn_scan_files *f,
    size_t *next, int fd)
{
	size_t i;

	while ((i = __atomic_fetch_add(next, 1, __ATOMIC_RELAXED)) < f->n) {
		char *line = scan_one(conf, engines, f->v[i]);
		(void)pn_write_all(fd, line, strlen(line));
		(void)pn_write_all(fd, "\n", 1);
		free(line);
	}
}

static int64_t
stat_of(struct json_object *o, const char *key)
{
	struct json_object *s, *v;

	if (!json_object_object_get_ex(o, "last_analysis_stats", &s) ||
	    !json_object_object_get_ex(s, key, &v))
		return 0;
	return json_object_get_int64(v);
}

/* csv and --fields: the report as a file object {type, id, attributes}. */
static void
emit_structured(struct pn_scan_tally *t, struct json_object *o)
{
	struct json_object *w = json_object_new_object(), *v;

	json_object_object_add(w, "type", json_object_new_string("file"));
	json_object_object_add(w, "id", json_object_object_get_ex(o, "sha256", &v) ?
	    json_object_get(v) : json_object_new_string(""));
	json_object_object_add(w, "attributes", json_object_get(o));
	pn_out_object(t->out, w);
	json_object_put(w);
}

/* Print one report line (a JSON object) in the chosen format and count it. */
void
pn_scan_emit(struct pn_scan_tally *t, const char *line, size_t len)
{
	struct json_object *o = json_tokener_parse(line), *res, *v;
	int64_t mal = 0, total = 0;

	t->files++;
	if (o == NULL)
		return;
	if (json_object_object_get_ex(o, "error", &v)) {
		struct json_object *kind;
		t->errors++;
		if (json_object_object_get_ex(o, "error_kind", &kind) &&
		    strcmp(json_object_get_string(kind), "server") == 0)
			t->server_errors++;
		else
			t->input_errors++;
	} else {
		struct json_object *s;
		mal = stat_of(o, "malicious");
		if (json_object_object_get_ex(o, "last_analysis_stats", &s)) {
			json_object_object_foreach(s, k, sv) {
				(void)k;
				total += json_object_get_int64(sv);
			}
		}
		if (json_object_object_get_ex(o, "size", &v))
			t->bytes += (uint64_t)json_object_get_int64(v);
		if (mal >= t->threshold)
			t->detected++;
	}
	if (t->fmt == PN_OUT_CSV || t->out->nfields) {
		emit_structured(t, o);
	} else if (t->fmt == PN_OUT_JSONL) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	} else if (t->fmt == PN_OUT_JSON) {
		fputs(t->files > 1 ? ",\n" : "", stdout);
		fwrite(line, 1, len, stdout);
	} else {
		const char *path = json_object_object_get_ex(o, "path", &v) ? json_object_get_string(v) : "?";
		if (json_object_object_get_ex(o, "error", &v)) {
			printf("%s: error: %s\n", path, json_object_get_string(v));
		} else {
			int hit = mal >= t->threshold && mal > 0;
			printf("%s%s%lld/%lld%s  %s", t->color ? (hit ? "\033[1;31m" : "\033[32m") : "",
			    hit ? "DETECTED " : "clean    ", (long long)mal, (long long)total,
			    t->color ? "\033[0m" : "", path);
			if (json_object_object_get_ex(o, "last_analysis_results", &res)) {
				int shown = 0;
				json_object_object_foreach(res, eng, r) {
					struct json_object *cat, *label;
					if (json_object_object_get_ex(r, "category", &cat) &&
					    (strcmp(json_object_get_string(cat), "malicious") == 0 ||
					    strcmp(json_object_get_string(cat), "suspicious") == 0) &&
					    json_object_object_get_ex(r, "result", &label) && shown < 3) {
						printf("%s%s: %s", shown ? ", " : "  [", eng,
						    json_object_get_string(label));
						shown++;
					}
				}
				if (shown)
					printf("]");
			}
			printf("\n");
		}
	}
	json_object_put(o);
}

void
pn_scan_progress(const struct pn_scan_tally *t, size_t total_files, uint64_t total_bytes, int64_t t0)
{
	double secs = (double)(pn_mono_ms() - t0) / 1000.0;
	double rate = secs > 0 ? (double)t->bytes / secs / 1e6 : 0;
	double eta = rate > 0 ? (double)(total_bytes - PN_MIN(t->bytes, total_bytes)) / 1e6 / rate : 0;

	fprintf(stderr, "\r\033[K%zu/%zu files, %.1f/%.1f MB, %.1f MB/s, ETA %.0f s", t->files,
	    total_files, (double)t->bytes / 1e6, (double)total_bytes / 1e6, rate, eta);
}

/* Read the workers' lines and print them until every pipe closes. */
static void
collect_output(int *fds, size_t n, struct pn_scan_tally *t, const struct pn_scan_files *f,
    int show_progress)
{
	struct pn_buf *bufs = pn_xcalloc(n, sizeof(*bufs));
	struct pollfd *p = pn_xcalloc(n, sizeof(*p));
	size_t open_n = n, i;
	int64_t t0 = pn_mono_ms();

	for (i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	while (open_n > 0) {
		if (poll(p, n, 500) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			char chunk[65536];
			ssize_t r;
			char *nl;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			r = read(p[i].fd, chunk, sizeof(chunk));
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_n--;
				continue;
			}
			pn_buf_append(&bufs[i], chunk, (size_t)r);
			while (bufs[i].len && (nl = memchr(bufs[i].p, '\n', bufs[i].len)) != NULL) {
				size_t len = (size_t)(nl - bufs[i].p);
				*nl = '\0';
				if (show_progress)
					fprintf(stderr, "\r\033[K");
				pn_scan_emit(t, bufs[i].p, len);
				memmove(bufs[i].p, nl + 1, bufs[i].len - len - 1);
				bufs[i].len -= len + 1;
			}
		}
		if (show_progress) {
			fflush(stdout);
			pn_scan_progress(t, f->n, f->bytes, t0);
		}
	}
	if (show_progress)
		fprintf(stderr, "\r\033[K");
	for (i = 0; i < n; i++)
		pn_buf_release(&bufs[i]);
	free(bufs);
	free(p);
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: panoptes scan [-o text|json|jsonl|csv] [--jobs N] [--threshold N]\n"
	    "                     [--config FILE] [--set SECTION.KEY=V]... PATH...\n"
	    "       panoptes scan --server URL [--apikey KEY] [--jobs N] [--rescan] PATH...\n\n"
	    "Analyse files and directory trees (recursively, symbolic links not followed)\n"
	    "locally with the same engines and parsers as the server (no server needed), or\n"
	    "with --server (--remote: the server of PANOPTES_SERVER or the config file) on a\n"
	    "server: files it already knows are not uploaded again (so an interrupted run\n"
	    "resumes where it stopped), the others are submitted N at a time and their\n"
	    "analyses polled until completed.  Ctrl-C stops submitting and prints what\n"
	    "completed (exit 130).\n\n"
	    "Exit status: 0 nothing detected, 1 a file had at least THRESHOLD malicious\n"
	    "verdicts, 2 usage or input error (unreadable file), 3 server or network error.\n\n"
	    "options:\n"
	    "  -o, --output FMT     text (default), jsonl (one report per line), json or csv\n"
	    "  --fields A,B.C       only these report fields (csv, json, jsonl)\n"
	    "  -j, --jobs N         files analysed (or submitted) at once (default: CPUs; 4)\n"
	    "  -t, --threshold N    malicious verdicts that make a file detected (default 1)\n"
	    "  -q, --quiet          no progress line on a terminal\n"
	    "  --config FILE, --set SECTION.KEY=V   engine configuration (docs/CONFIG.md)\n"
	    "  --server URL         scan on this server; --apikey KEY, --timeout S,\n"
	    "                       --retries N, --cacert FILE, -v as for the client commands\n"
	    "  --remote             scan on the configured server\n"
	    "  --rescan             with a server: analyse known files again\n"
	    "  --upload-url-above BYTES  send larger files through /files/upload_url\n"
	    "                       (default 33554432, VirusTotal's POST /files limit)\n");
}

static void
free_files(struct pn_scan_files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

/* Local scan: fork jobs processes over the files and print their reports. */
static void
scan_local(struct pn_cli_common *c, const struct pn_scan_files *f, struct pn_scan_tally *t,
    int64_t jobs, int quiet)
{
	struct pn_engines engines;
	int fds[PN_SCAN_MAX_JOBS];
	pid_t pids[PN_SCAN_MAX_JOBS];
	size_t i, n, *next;

	pn_log_set_tag("scan");
	if (!isatty(STDERR_FILENO) || quiet)
		pn_log_set_level(PN_LOG_WARN);
	pn_engines_load(&engines, c->conf);
	for (i = 0; i < engines.n; i++)
		if (engines.v[i]->error[0])
			fprintf(stderr, "panoptes scan: engine %s is unavailable: %s\n",
			    engines.v[i]->name, engines.v[i]->error);
	n = (size_t)PN_MIN((int64_t)f->n, jobs);
	if (n == 0)
		n = 1;
	next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (next == MAP_FAILED)
		fatal("mmap");
	*next = 0;
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) != 0)
			fatal("pipe");
		pids[i] = fork();
		if (pids[i] < 0)
			fatal("fork");
		if (pids[i] == 0) {
			close(p[0]);
			scan_part(c->conf, &engines, f, next, p[1]);
			pn_analysis_pool_reset();   /* reap the scan children (their CPU time counts) */
			_exit(0);
		}
		close(p[1]);
		fds[i] = p[0];
	}
	collect_output(fds, n, t, f, !quiet && isatty(STDERR_FILENO));
	for (i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	munmap(next, sizeof(*next));
	pn_engines_free(&engines);
}

int
pn_cmd_scan(int argc, char **argv)
{
	static const struct option lo[] = {
		PN_CLI_COMMON_LONGOPTS,
		PN_CLI_CLIENT_LONGOPTS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "remote", no_argument, NULL, OPT_REMOTE },
		{ "rescan", no_argument, NULL, OPT_RESCAN },
		{ "upload-url-above", required_argument, NULL, OPT_UPLOAD_URL_ABOVE },
		{ NULL, 0, NULL, 0 }
	};
	struct pn_cli_common c = PN_CLI_COMMON_INIT;
	struct pn_cli_client cc;
	struct pn_scan_remote_opts ro;
	struct pn_scan_files f = { NULL, 0, 0, 0 };
	struct pn_scan_tally t;
	struct pn_out out;
	static const char *const scan_cols[] = { "path", "sha256", "size", "type_tag",
		"last_analysis_stats.malicious", "last_analysis_stats.suspicious",
		"last_analysis_stats.undetected", "error", NULL };
	int64_t jobs = 0, big;
	int opt, rc, r, structured, remote = 0, readerr = 0, rrc = 0;

	memset(&t, 0, sizeof(t));
	memset(&ro, 0, sizeof(ro));
	ro.upload_url_above = PN_CLIENT_UPLOAD_DIRECT;
	pn_cli_client_init(&cc);
	while ((opt = getopt_long(argc, argv, "ho:j:t:qv", lo, NULL)) != -1) {
		if (pn_cli_common_opt(&c, opt, optarg))
			continue;
		if ((r = pn_cli_client_opt(&cc, "scan", opt, optarg)) == 1) {
			if (opt == OPT_SERVER)
				remote = 1;
			continue;
		}
		if (r < 0)
			goto bad_quiet;
		switch (opt) {
		case 'j':
			if (pn_parse_i64(optarg, 1, PN_SCAN_MAX_JOBS, &jobs) != PN_OK)
				goto bad;
			break;
		case OPT_REMOTE: remote = 1; break;
		case OPT_RESCAN: ro.rescan = 1; break;
		case OPT_UPLOAD_URL_ABOVE:
			if (pn_parse_i64(optarg, 0, INT64_MAX, &big) != PN_OK)
				goto bad;
			ro.upload_url_above = (uint64_t)big;
			break;
		case 'h':
			usage(stdout);
			pn_cli_common_free(&c);
			pn_cli_client_free(&cc);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind == argc)
		goto bad;
	if (remote) {
		if ((rc = pn_cli_client_finish(&cc, "scan", NULL, &out)) != 0)
			goto done_opts;
	} else {
		if ((rc = pn_cli_common_finish(&c)) != 0)
			goto done_opts;
		pn_out_init(&out, cc.fmt, stdout, pn_out_color_wanted(STDOUT_FILENO));
		if (cc.fields && pn_out_set_fields(&out, cc.fields) != PN_OK) {
			fprintf(stderr, "panoptes scan: --fields takes names separated by commas\n");
			pn_out_release(&out);
			rc = 2;
			goto done_opts;
		}
	}
	out.defcols = scan_cols;
	for (; optind < argc; optind++)
		if (collect(&f, argv[optind], 0) != PN_OK)
			readerr = 1;
	t.threshold = (int)cc.threshold;
	t.fmt = cc.fmt;
	t.color = cc.fmt == PN_OUT_TEXT && pn_out_color_wanted(STDOUT_FILENO);
	t.out = &out;
	signal(SIGPIPE, SIG_IGN);
	structured = t.fmt == PN_OUT_CSV || out.nfields;
	if (structured)
		pn_out_begin(&out, 1);
	else if (t.fmt == PN_OUT_JSON)
		fputs("[\n", stdout);
	if (remote) {
		ro.jobs = jobs ? (int)jobs : 4;
		ro.progress = !cc.quiet && isatty(STDERR_FILENO);
		ro.wait_timeout = 900;
		rrc = pn_scan_remote(&f, &cc, &ro, &t);
	} else {
		scan_local(&c, &f, &t, jobs ? jobs : sysconf(_SC_NPROCESSORS_ONLN), cc.quiet);
	}
	if (structured)
		pn_out_end(&out);
	else if (t.fmt == PN_OUT_JSON)
		fputs("\n]\n", stdout);
	if (t.fmt == PN_OUT_TEXT && t.files > 1)
		printf("\n%zu file(s), %zu detected, %zu error(s)\n", t.files, t.detected, t.errors);
	fflush(stdout);
	free_files(&f);
	pn_out_release(&out);
	pn_cli_common_free(&c);
	pn_cli_client_free(&cc);
	if (rrc == 130)
		return 130;
	if (t.detected)
		return 1;
	if (rrc == 3 || t.server_errors)
		return 3;
	return (rrc == 2 || readerr || t.input_errors) ? 2 : 0;
bad:
	usage(stderr);
bad_quiet:
	rc = 2;
done_opts:
	pn_cli_common_free(&c);
	pn_cli_client_free(&cc);
	return rc;
}
