/*
 * server.c - `panoptes serve`: lock the data directory, open the store,
 * start the worker pool and the HTTP daemon, and wait for a signal.
 *
 * On an empty store it creates the first administrator and writes the key
 * to DATA/admin.key (mode 0600), because a server nobody can call is of no
 * use; the key is printed once and stored hashed in the database.
 *
 * SPDX-License-Identifier: MIT
 */
#include <netinet/in.h>
#include <microhttpd.h>

#include "server.h"
#include "quota.h"
#include "blob.h"
#include "conf.h"
#include "http.h"
#include "pool.h"
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

struct MHD_Daemon *pn_http_start(struct pn_srv *srv, const struct sockaddr *sa, int threads);
void pn_http_close_stores(void);

/* "HOST:PORT" or "[V6]:PORT" into a socket address. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, char *host, size_t hostlen, int *port)
{
	const char *colon;
	int64_t p;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':')
			return PN_EINVAL;
		hl = (size_t)(end - s - 1);
		colon = end + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return PN_EINVAL;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return PN_EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (pn_parse_i64(colon + 1, 1, 65535, &p) != PN_OK)
		return PN_EINVAL;
	*port = (int)p;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
		return PN_OK;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
		return PN_OK;
	}
	if (strcmp(host, "localhost") == 0) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
		return PN_OK;
	}
	return PN_EINVAL;
}

static int
lock_datadir(const char *datadir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", datadir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("serve: open %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_errx("serve: another server is using %s", datadir);
		close(fd);
		return -1;
	}
	/* The lock file names the server, for `panoptes signatures reload`. */
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%ld\n", (long)getpid());
	return fd;
}

/* The first administrator, on an empty store. */
static int
first_admin(struct pn_store *st, const char *datadir)
{
	char key[65], path[PATH_MAX];
	int64_t n = 0;
	FILE *f;
	int fd, rc;

	if ((rc = pn_store_user_count(st, &n)) != PN_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/admin.key", datadir);
	if (n > 0) {
		if (access(path, R_OK) == 0)
			log_info("the administrator's API key is in %s", path);
		return PN_OK;
	}
	{
		struct pn_user_spec spec = { "admin", "admin", PN_ROLE_ADMIN, 1 };
		if ((rc = pn_store_user_add(st, &spec, key)) != PN_OK)
			return rc;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		log_warn("serve: cannot write %s", path);
		if (fd >= 0)
			close(fd);
	} else {
		fprintf(f, "%s\n", key);
		fclose(f);
	}
	fprintf(stderr, "\nCreated the administrator \"admin\". API key (also kept in %s):\n\n  %s\n\n",
	    path, key);
	return PN_OK;
}

static struct pn_srv srv;

static void
wake(struct pn_srv *s)
{
	(void)s;
	pn_pool_wake();
}

int
pn_server_run(const struct pn_server_opts *o)
{
	const struct pn_conf *conf = o->conf;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	struct pn_store *st;
	struct pn_pool_opts po;
	char host[256];
	int port, lockfd, sig, rc;
	int64_t n = 0;
	sigset_t set;

	pn_log_set_tag("serve");
	if (parse_listen(pn_conf_get(conf, "server.listen"), &ss, host, sizeof(host), &port) != PN_OK) {
		log_errx("serve: --listen %s: expected HOST:PORT with a numeric address",
		    pn_conf_get(conf, "server.listen"));
		return 2;
	}
	if (pn_blob_init(o->datadir) != PN_OK)
		return 1;
	if ((lockfd = lock_datadir(o->datadir)) < 0)
		return 1;
	rc = pn_store_open_sqlite(o->datadir,
	    strcmp(pn_conf_get(conf, "store.synchronous"), "normal") != 0, &st);
	if (rc != PN_OK) {
		log_errx("serve: cannot open the store in %s: %s", o->datadir, pn_strerror(rc));
		return 1;
	}
	if (first_admin(st, o->datadir) != PN_OK)
		return 1;
	/* No worker runs yet: whatever was running was interrupted. */
	pn_store_jobs_reset_running(st, &n);
	if (n > 0)
		log_info("re-queued %lld interrupted job(s)", (long long)n);
	pn_store_jobs_queued(st, &n);

	memset(&srv, 0, sizeof(srv));
	srv.datadir = o->datadir;
	srv.conf = conf;
	srv.max_upload = pn_conf_get_size(conf, "limits.max_upload");
	srv.upload_url_ttl = pn_conf_get_int(conf, "server.upload_url_ttl");
	srv.wake_workers = wake;
	srv.quota = pn_quota_new(conf);
	if (*pn_conf_get(conf, "server.public_url"))
		pn_strlcpy(srv.base_url, pn_conf_get(conf, "server.public_url"), sizeof(srv.base_url));
	else
		snprintf(srv.base_url, sizeof(srv.base_url), ss.ss_family == AF_INET6 ?
		    "http://[%s]:%d" : "http://%s:%d", host, port);
	srv.base_url[strcspn(srv.base_url, "\n")] = '\0';
	while (srv.base_url[0] && srv.base_url[strlen(srv.base_url) - 1] == '/')
		srv.base_url[strlen(srv.base_url) - 1] = '\0';

	/* Signals are taken by sigwait() below; every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&po, 0, sizeof(po));
	po.datadir = o->datadir;
	po.conf = conf;
	po.self_exe = o->self_exe;
	po.extra_args = o->worker_args;
	po.n_extra = o->n_worker_args;
	po.count = (int)pn_conf_get_int(conf, "worker.count");
	/* Sandbox runs are jobs of their own, served by these (behavior.workers). */
	if (pn_conf_get_bool(conf, "behavior.enabled") && po.count > 0)
		po.sandboxes = (int)PN_MAX(0, PN_MIN(pn_conf_get_int(conf, "behavior.workers"), 16));
	po.count += po.sandboxes;
	if (pn_pool_start(&po) != PN_OK) {
		log_errx("serve: cannot start the workers");
		return 1;
	}
	d = pn_http_start(&srv, (const struct sockaddr *)&ss, (int)pn_conf_get_int(conf, "server.threads"));
	if (d == NULL) {
		log_errx("serve: cannot listen on %s:%d (in use, or not an address of this host?)",
		    host, port);
		pn_pool_stop();
		return 1;
	}
	log_info("ready: serving %s/api/v3/ (data %s, %d worker(s) + %d sandbox worker(s), %lld job(s) queued)",
	    srv.base_url, o->datadir, po.count - po.sandboxes, po.sandboxes, (long long)n);
	if (n > 0)
		pn_pool_wake();

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP) {
			/* New signatures or rules: every worker reloads between jobs. */
			log_info("SIGHUP: workers reload their engines");
			pn_pool_signal(SIGHUP);
		}
	}
	log_info("stopping (signal %d)", sig);
	MHD_stop_daemon(d);
	pn_pool_stop();
	pn_quota_flush(srv.quota, st);
	pn_quota_free(srv.quota);
	pn_http_close_stores();
	pn_store_close(st);
	close(lockfd);
	log_info("stopped");
	return 0;
}
