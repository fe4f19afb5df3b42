/*
 * fakenet.c - the sandbox's fake network: one process (forked by the
 * supervisor, outside the sandbox's pid namespace, so the sample cannot
 * see or signal it) that joins the sandbox's network namespace and
 *   - brings lo up and adds `local 0.0.0.0/0 dev lo` (rtnetlink), so every
 *     IPv4 address is local and nothing can leave (the netns has no other
 *     link anyway);
 *   - installs an nft rule redirecting every non-loopback TCP connect to a
 *     catch-all port (original destination via SO_ORIGINAL_DST); when nft
 *     is missing it listens on a list of common ports instead;
 *   - answers DNS on UDP 53 (every A = the sinkhole, *.invalid NXDOMAIN),
 *     replying from the address that was asked (IP_PKTINFO);
 *   - classifies each TCP connection by its first bytes: HTTP (logs
 *     method, URL, headers; answers 200), TLS ClientHello (logs SNI), or
 *     raw (logs the first bytes, base64), with banners on mail/ftp/ssh ports;
 *   - drains the sample's stdout/stderr pipes into outdir (64 KiB each).
 * Events go to events.jsonl (O_APPEND, one write per line).
 *
 * Limits: PN_SBX_MAX_CONNS open connections, PN_SBX_MAX_CONN_TOTAL per run,
 * PN_SBX_MAX_CONN_BYTES read per connection, PN_SBX_MAX_NET_EVENTS events.
 * The parsers (sbx_dns_parse_query, sbx_http_parse, sbx_tls_sni) check
 * every bound explicitly; tests/fuzz/fuzz_fakenet.c exercises them.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "b64.h"
#include "sbx_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter_ipv4.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ parsers */

int
sbx_dns_parse_query(const uint8_t *p, size_t n, char *name, size_t cap, uint16_t *qtype,
    size_t *qend)
{
	size_t off = 12, out = 0;

	if (n < 12 || cap < 2)
		return PN_EFORMAT;
	if ((p[2] & 0x80) != 0 || ((p[2] >> 3) & 0x0f) != 0 || pn_be16(p + 4) == 0)
		return PN_EFORMAT;   /* a response, not QUERY, or no question */
	for (;;) {
		size_t l, i;

		if (off >= n)
			return PN_EFORMAT;
		l = p[off++];
		if (l == 0)
			break;
		if ((l & 0xc0) != 0 || l > 63 || off + l > n)
			return PN_EFORMAT;
		if (out + l + 2 > cap || out + l + 1 > PN_SBX_DNS_NAME_MAX)
			return PN_EFORMAT;
		if (out > 0)
			name[out++] = '.';
		for (i = 0; i < l; i++) {
			int c = p[off + i];
			name[out++] = (char)(isgraph(c) && c != '\\' && c != '"' ? tolower(c) : '?');
		}
		off += l;
	}
	if (off + 4 > n)
		return PN_EFORMAT;
	if (out == 0)
		name[out++] = '.';
	name[out] = '\0';
	*qtype = pn_be16(p + off);
	*qend = off + 4;
	return PN_OK;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

size_t
sbx_dns_build_reply(const uint8_t *p, size_t qend, const char *name, uint16_t qtype,
    uint32_t a_be, uint8_t *out, size_t cap)
{
	int nx = ends_with(name, ".invalid") || strcmp(name, "invalid") == 0;
	size_t len = qend;

	if (qend < 12 || cap < qend + 16)
		return 0;
	memcpy(out, p, qend);
	out[2] = (uint8_t)(0x80 | (p[2] & 0x79) | 0x04);  /* QR, opcode, AA, RD */
	out[3] = (uint8_t)(0x80 | (nx ? 3 : 0));          /* RA, rcode */
	put16(out + 4, 1);
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, 0);
	if (!nx && qtype == 1) {
		put16(out + len, 0xc00c);
		put16(out + len + 2, 1);
		put16(out + len + 4, 1);
		put16(out + len + 6, 0);
		put16(out + len + 8, 300);
		put16(out + len + 10, 4);
		memcpy(out + len + 12, &a_be, 4);
		len += 16;
		put16(out + 6, 1);
	}
	return len;
}

static const char *const http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "
};

int
sbx_http_looks(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(http_methods); i++) {
		size_t l = strlen(http_methods[i]);
		if (memcmp(p, http_methods[i], PN_MIN(n, l)) == 0 && n > 0)
			return 1;
	}
	return 0;
}

/* Copy [s, e) into dst (cap), replacing control bytes; truncates. */
static void
copy_field(char *dst, size_t cap, const uint8_t *s, const uint8_t *e)
{
	size_t i = 0;

	while (s < e && i + 1 < cap) {
		dst[i++] = (char)(*s < 0x20 || *s == 0x7f ? '?' : *s);
		s++;
	}
	dst[i] = '\0';
}

static const uint8_t *
find_eol(const uint8_t *s, const uint8_t *e)
{
	const uint8_t *q = memchr(s, '\n', (size_t)(e - s));

	return q;
}

int
sbx_http_parse(const uint8_t *p, size_t n, struct sbx_http_req *r)
{
	const uint8_t *e = p + n, *s, *eol, *le, *sp1, *sp2, *head_end = NULL;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!sbx_http_looks(p, n))
		return PN_EFORMAT;
	/* The head ends at the first empty line. */
	for (s = p; s < e; s = eol + 1) {
		eol = find_eol(s, e);
		if (eol == NULL)
			break;
		if (eol == s || (eol == s + 1 && s[0] == '\r')) {
			head_end = eol + 1;
			break;
		}
	}
	if (head_end == NULL)
		return PN_EAGAIN;
	r->head_len = (size_t)(head_end - p);
	eol = find_eol(p, e);
	le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
	sp1 = memchr(p, ' ', (size_t)(le - p));
	if (sp1 == NULL || sp1 - p >= (ptrdiff_t)sizeof(r->method))
		return PN_EFORMAT;
	copy_field(r->method, sizeof(r->method), p, sp1);
	sp2 = memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1));
	if (sp2 == NULL)
		sp2 = le;   /* HTTP/0.9 style */
	copy_field(r->target, sizeof(r->target), sp1 + 1, sp2);
	if (sp2 < le)
		copy_field(r->version, sizeof(r->version), sp2 + 1, le);
	for (s = eol + 1; s < head_end; s = eol + 1) {
		const uint8_t *colon, *v;

		eol = find_eol(s, head_end);
		if (eol == NULL)
			break;
		le = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == s)
			break;
		colon = memchr(s, ':', (size_t)(le - s));
		if (colon == NULL || r->nhdr >= PN_ARRAY_LEN(r->hdr))
			continue;
		v = colon + 1;
		while (v < le && (*v == ' ' || *v == '\t'))
			v++;
		i = r->nhdr++;
		copy_field(r->hdr[i].name, sizeof(r->hdr[i].name), s, colon);
		copy_field(r->hdr[i].value, sizeof(r->hdr[i].value), v, le);
		if (strcasecmp(r->hdr[i].name, "host") == 0 && r->host[0] == '\0')
			pn_strlcpy(r->host, r->hdr[i].value, sizeof(r->host));
	}
	return PN_OK;
}

int
sbx_tls_sni(const uint8_t *p, size_t n, char *sni, size_t cap)
{
	size_t reclen, end, off, l;

	sni[0] = '\0';
	if (n < 1 || p[0] != 0x16)
		return PN_EFORMAT;
	if (n < 9)
		return PN_EAGAIN;
	if (p[1] != 3 || p[5] != 1)
		return PN_EFORMAT;   /* not TLS, or not a ClientHello */
	reclen = pn_be16(p + 3);
	if (n < 5 + reclen)
		return PN_EAGAIN;
	end = 5 + reclen;
	off = 9 + 2 + 32;                     /* handshake header, version, random */
	if (off + 1 > end)
		return PN_EFORMAT;
	off += 1 + p[off];                    /* session id */
	if (off + 2 > end)
		return PN_EFORMAT;
	off += 2 + pn_be16(p + off);          /* cipher suites */
	if (off + 1 > end)
		return PN_EFORMAT;
	off += 1 + p[off];                    /* compression methods */
	if (off + 2 > end)
		return PN_ENOTFOUND;          /* no extensions */
	l = pn_be16(p + off);
	off += 2;
	if (off + l < end)
		end = off + l;
	while (off + 4 <= end) {
		size_t type = pn_be16(p + off), elen = pn_be16(p + off + 2), o2, le;

		off += 4;
		if (off + elen > end)
			return PN_EFORMAT;
		if (type == 0 && elen >= 5) {
			o2 = off + 2;              /* server name list length */
			if (p[o2] != 0)
				return PN_ENOTFOUND;
			le = pn_be16(p + o2 + 1);
			if (o2 + 3 + le > off + elen || le == 0)
				return PN_EFORMAT;
			copy_field(sni, cap, p + o2 + 3, p + o2 + 3 + le);
			return PN_OK;
		}
		off += elen;
	}
	return PN_ENOTFOUND;
}

/* ------------------------------------------------------------ process */

struct fn_conn {
	int fd;
	struct sockaddr_in dst;    /* original destination */
	uint16_t sport;
	int64_t last_ms;
	int logged;
	size_t len;
	uint8_t buf[PN_SBX_MAX_CONN_BYTES];
};

struct fn_state {
	struct sbx_ctx *x;
	int ep;
	int lfd[24];
	size_t nl;
	int udp;
	int pipes[2];             /* stdout, stderr read ends */
	int outs[2];              /* the files */
	size_t outlen[2];
	struct fn_conn *conns;    /* PN_SBX_MAX_CONNS */
	unsigned nconn_total;
	unsigned nevents;
	uint32_t sink_be;
};

static volatile sig_atomic_t fn_stop;

static void
fn_on_term(int sig)
{
	(void)sig;
	fn_stop = 1;
}

static void
fn_emit(struct fn_state *s, struct pn_buf *b)
{
	if (s->nevents >= PN_SBX_MAX_NET_EVENTS) {
		pn_buf_release(b);
		return;
	}
	s->nevents++;
	sbx_ev_write(s->x, b);
}

static void
fn_ev_dst(struct pn_buf *b, const struct sockaddr_in *d, uint16_t sport)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->sin_addr, ip, sizeof(ip));
	pn_buf_printf(b, ",\"ip\":\"%s\",\"port\":%u,\"src_port\":%u", ip,
	    (unsigned)ntohs(d->sin_port), (unsigned)sport);
}

static int
lo_up(char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	pn_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) == 0)
			rc = 0;
	}
	if (rc != 0)
		snprintf(err, errlen, "cannot bring lo up: %s", strerror(errno));
	close(s);
	return rc;
}

/* `ip route add local 0.0.0.0/0 dev lo table local` over rtnetlink. */
static int
route_all_local(char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[32];
	} req;
	char resp[512];
	struct rtattr *ra;
	struct nlmsghdr *nh;
	struct sockaddr_nl sa;
	uint32_t oif = if_nametoindex("lo");
	int s, rc = -1;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_table = RT_TABLE_LOCAL;
	req.rt.rtm_protocol = RTPROT_BOOT;
	req.rt.rtm_scope = RT_SCOPE_HOST;
	req.rt.rtm_type = RTN_LOCAL;
	ra = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	ra->rta_type = RTA_OIF;
	ra->rta_len = RTA_LENGTH(sizeof(oif));
	memcpy(RTA_DATA(ra), &oif, sizeof(oif));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(ra->rta_len);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(s, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		goto out;
	}
	n = recv(s, resp, sizeof(resp), 0);
	nh = (struct nlmsghdr *)resp;
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && nh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nh);
		if (e->error == 0 || e->error == -EEXIST)
			rc = 0;
		else
			snprintf(err, errlen, "cannot add the local default route: %s",
			    strerror(-e->error));
	} else {
		snprintf(err, errlen, "netlink: no acknowledgement");
	}
out:
	close(s);
	return rc;
}

/* nft -f - with the redirect rule; 0 when installed. */
static int
nft_redirect(void)
{
	static const char *const paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" };
	char rules[512];
	const char *nft = NULL;
	int p[2], st, len;
	size_t i;
	pid_t pid;

	for (i = 0; i < PN_ARRAY_LEN(paths) && nft == NULL; i++)
		if (access(paths[i], X_OK) == 0)
			nft = paths[i];
	if (nft == NULL)
		return -1;
	len = snprintf(rules, sizeof(rules),
	    "table ip pnsbx {\n chain out {\n  type nat hook output priority -100; policy accept;\n"
	    "  ip daddr != 127.0.0.0/8 meta l4proto tcp redirect to :%d\n }\n}\n",
	    PN_SBX_CATCHALL_PORT);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)"nft", (char *)"-f", (char *)"-", NULL };
		char *const envp[] = { NULL };
		int dn = open("/dev/null", O_WRONLY);

		dup2(p[0], 0);
		if (dn >= 0) {
			dup2(dn, 1);
			dup2(dn, 2);
		}
		execve(nft, argv, envp);
		_exit(127);
	}
	close(p[0]);
	(void)pn_write_all(p[1], rules, (size_t)len);
	close(p[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int
fn_listen_tcp(struct fn_state *s, uint16_t port)
{
	struct sockaddr_in a;
	int fd, one = 1;
	struct epoll_event ev;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 64) != 0) {
		close(fd);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 1000 + s->nl;
	epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
	s->lfd[s->nl++] = fd;
	return 0;
}

static int
fn_setup(struct fn_state *s, int nft_ok, char *err, size_t errlen)
{
	static const uint16_t common[] = { 80, 443, 8080, 8443, 21, 22, 23, 25, 110, 143, 587,
		6667, 4444, 3333, 5555, 7777, 1337, 9001, 8000, 8888 };
	struct sockaddr_in a;
	struct epoll_event ev;
	int one = 1;
	size_t i;

	if (nft_ok) {
		if (fn_listen_tcp(s, PN_SBX_CATCHALL_PORT) != 0) {
			snprintf(err, errlen, "fakenet: cannot listen: %s", strerror(errno));
			return -1;
		}
	} else {
		for (i = 0; i < PN_ARRAY_LEN(common); i++)
			(void)fn_listen_tcp(s, common[i]);
	}
	s->udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->udp < 0)
		return -1;
	setsockopt(s->udp, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(53);
	if (bind(s->udp, (struct sockaddr *)&a, sizeof(a)) != 0) {
		snprintf(err, errlen, "fakenet: cannot bind udp/53: %s", strerror(errno));
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 1;
	epoll_ctl(s->ep, EPOLL_CTL_ADD, s->udp, &ev);
	for (i = 0; i < 2; i++) {
		if (s->pipes[i] < 0)
			continue;
		ev.data.u64 = 2 + i;
		fcntl(s->pipes[i], F_SETFL, O_NONBLOCK);
		epoll_ctl(s->ep, EPOLL_CTL_ADD, s->pipes[i], &ev);
	}
	return 0;
}

static const char *
dns_type_name(uint16_t t)
{
	switch (t) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 65: return "HTTPS";
	case 255: return "ANY";
	default: return NULL;
	}
}

static void
fn_dns(struct fn_state *s)
{
	uint8_t q[1500], r[1600];
	char name[PN_SBX_DNS_NAME_MAX + 2], cbuf[128], ip[INET_ADDRSTRLEN], sink[INET_ADDRSTRLEN];
	struct sockaddr_in from;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct in_pktinfo pi;
	int have_pi = 0;
	uint16_t qtype;
	size_t qend, rl;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		struct pn_buf b = PN_BUF_INIT;
		const char *tn;

		iov.iov_base = q;
		iov.iov_len = sizeof(q);
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(s->udp, &mh, 0);
		if (n < 0)
			return;
		have_pi = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				have_pi = 1;
			}
		if (sbx_dns_parse_query(q, (size_t)n, name, sizeof(name), &qtype, &qend) != PN_OK) {
			sbx_ev_start(s->x, &b, "raw");
			pn_buf_puts(&b, ",\"proto\":\"udp\",\"port\":53");
			fn_emit(s, &b);
			continue;
		}
		rl = sbx_dns_build_reply(q, qend, name, qtype, s->sink_be, r, sizeof(r));
		if (rl > 0) {
			struct msghdr rm;
			char rc[CMSG_SPACE(sizeof(struct in_pktinfo))];

			iov.iov_base = r;
			iov.iov_len = rl;
			memset(&rm, 0, sizeof(rm));
			rm.msg_name = &from;
			rm.msg_namelen = sizeof(from);
			rm.msg_iov = &iov;
			rm.msg_iovlen = 1;
			if (have_pi) {
				memset(rc, 0, sizeof(rc));
				rm.msg_control = rc;
				rm.msg_controllen = sizeof(rc);
				cm = CMSG_FIRSTHDR(&rm);
				cm->cmsg_level = IPPROTO_IP;
				cm->cmsg_type = IP_PKTINFO;
				cm->cmsg_len = CMSG_LEN(sizeof(pi));
				pi.ipi_ifindex = 0;
				pi.ipi_spec_dst = pi.ipi_addr;
				memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			}
			(void)sendmsg(s->udp, &rm, 0);
		}
		sbx_ev_start(s->x, &b, "dns");
		pn_buf_puts(&b, ",\"q\":");
		pn_buf_json_str(&b, name, strlen(name));
		tn = dns_type_name(qtype);
		if (tn)
			pn_buf_printf(&b, ",\"type\":\"%s\"", tn);
		else
			pn_buf_printf(&b, ",\"type\":\"TYPE%u\"", (unsigned)qtype);
		inet_ntop(AF_INET, &s->sink_be, sink, sizeof(sink));
		if (ends_with(name, ".invalid"))
			pn_buf_puts(&b, ",\"rcode\":\"NXDOMAIN\"");
		else if (qtype == 1)
			pn_buf_printf(&b, ",\"answers\":[\"%s\"]", sink);
		else
			pn_buf_puts(&b, ",\"answers\":[]");
		if (have_pi) {
			inet_ntop(AF_INET, &pi.ipi_addr, ip, sizeof(ip));
			pn_buf_printf(&b, ",\"server\":\"%s\"", ip);
		}
		fn_emit(s, &b);
	}
}

static const char *
banner_for(uint16_t port)
{
	switch (port) {
	case 21: return "220 FTP server ready\r\n";
	case 22: return "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
	case 23: return "login: ";
	case 25: case 587: return "220 mail.example.com ESMTP Postfix\r\n";
	case 110: return "+OK POP3 ready\r\n";
	case 143: return "* OK IMAP4rev1 ready\r\n";
	default: return NULL;
	}
}

static void
fn_accept(struct fn_state *s, int lfd)
{
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer), dl;
	struct epoll_event ev;
	struct fn_conn *c = NULL;
	const char *ban;
	size_t i;
	int fd;

	while ((fd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < PN_SBX_MAX_CONNS && c == NULL; i++)
			if (s->conns[i].fd < 0)
				c = &s->conns[i];
		if (c == NULL || s->nconn_total >= PN_SBX_MAX_CONN_TOTAL) {
			close(fd);
			continue;
		}
		s->nconn_total++;
		c->fd = fd;
		c->len = 0;
		c->logged = 0;
		c->sport = ntohs(peer.sin_port);
		c->last_ms = pn_mono_ms();
		dl = sizeof(c->dst);
		if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &c->dst, &dl) != 0) {
			dl = sizeof(c->dst);
			getsockname(fd, (struct sockaddr *)&c->dst, &dl);
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.u64 = 100 + (uint64_t)(c - s->conns);
		epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
		ban = banner_for(ntohs(c->dst.sin_port));
		if (ban)
			(void)!write(fd, ban, strlen(ban));
		c = NULL;
		pl = sizeof(peer);
	}
}

static void
fn_conn_close(struct fn_conn *c)
{
	close(c->fd);
	c->fd = -1;
}

static void
fn_log_raw(struct fn_state *s, struct fn_conn *c)
{
	struct pn_buf b = PN_BUF_INIT;
	char b64[PN_SBX_MAX_RAW_B64 * 4 / 3 + 8];
	size_t n = PN_MIN(c->len, (size_t)PN_SBX_MAX_RAW_B64);

	sbx_ev_start(s->x, &b, "raw");
	pn_buf_puts(&b, ",\"proto\":\"tcp\"");
	fn_ev_dst(&b, &c->dst, c->sport);
	if (pn_b64_encode(c->buf, n, b64, sizeof(b64), PN_B64_STD) != PN_OK)
		b64[0] = '\0';
	pn_buf_printf(&b, ",\"first_bytes_b64\":\"%s\",\"len\":%zu", b64, c->len);
	fn_emit(s, &b);
	c->logged = 1;
}

static const char *
http_body_for(const char *target, const char **ctype)
{
	const char *q = strchr(target, '?');
	size_t l = q ? (size_t)(q - target) : strlen(target);

	if (l >= 3 && memcmp(target + l - 3, ".sh", 3) == 0) {
		*ctype = "text/x-sh";
		return "#!/bin/sh\necho ok\n";
	}
	*ctype = "text/html";
	return "<html><body><h1>It works!</h1></body></html>\n";
}

static void
fn_http(struct fn_state *s, struct fn_conn *c, const struct sbx_http_req *r)
{
	struct pn_buf b = PN_BUF_INIT;
	char resp[512], url[2400];
	const char *ctype, *body = http_body_for(r->target, &ctype);
	char ip[INET_ADDRSTRLEN];
	size_t i;
	int len;

	inet_ntop(AF_INET, &c->dst.sin_addr, ip, sizeof(ip));
	if (strncmp(r->target, "http://", 7) == 0 || strncmp(r->target, "https://", 8) == 0)
		pn_strlcpy(url, r->target, sizeof(url));
	else if (ntohs(c->dst.sin_port) == 80)
		snprintf(url, sizeof(url), "http://%s%s", r->host[0] ? r->host : ip, r->target);
	else if (r->host[0] && strchr(r->host, ':'))
		snprintf(url, sizeof(url), "http://%s%s", r->host, r->target);
	else
		snprintf(url, sizeof(url), "http://%s:%u%s", r->host[0] ? r->host : ip,
		    (unsigned)ntohs(c->dst.sin_port), r->target);
	sbx_ev_start(s->x, &b, "http");
	pn_buf_puts(&b, ",\"method\":");
	pn_buf_json_str(&b, r->method, strlen(r->method));
	pn_buf_puts(&b, ",\"url\":");
	pn_buf_json_str(&b, url, strlen(url));
	pn_buf_puts(&b, ",\"host\":");
	pn_buf_json_str(&b, r->host, strlen(r->host));
	pn_buf_puts(&b, ",\"headers\":{");
	for (i = 0; i < r->nhdr; i++) {
		if (i)
			pn_buf_putc(&b, ',');
		pn_buf_json_str(&b, r->hdr[i].name, strlen(r->hdr[i].name));
		pn_buf_putc(&b, ':');
		pn_buf_json_str(&b, r->hdr[i].value, strlen(r->hdr[i].value));
	}
	pn_buf_puts(&b, "},\"status\":200");
	fn_ev_dst(&b, &c->dst, c->sport);
	fn_emit(s, &b);
	len = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nServer: nginx\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    ctype, strlen(body), strcmp(r->method, "HEAD") == 0 ? "" : body);
	(void)!write(c->fd, resp, (size_t)len);
	c->logged = 1;
}

static void
fn_tls(struct fn_state *s, struct fn_conn *c, const char *sni)
{
	struct pn_buf b = PN_BUF_INIT;

	sbx_ev_start(s->x, &b, "tls");
	pn_buf_puts(&b, ",\"sni\":");
	pn_buf_json_str(&b, sni, strlen(sni));
	fn_ev_dst(&b, &c->dst, c->sport);
	fn_emit(s, &b);
	c->logged = 1;
}

/* Classify what arrived; returns 1 when the connection is finished. */
static int
fn_classify(struct fn_state *s, struct fn_conn *c, int eof)
{
	int full = c->len >= sizeof(c->buf);

	if (c->logged)
		return 0;
	if (sbx_http_looks(c->buf, c->len)) {
		struct sbx_http_req *r = pn_xmalloc(sizeof(*r));
		int rc = sbx_http_parse(c->buf, c->len, r);

		if (rc == PN_OK)
			fn_http(s, c, r);
		free(r);
		if (rc == PN_OK)
			return 1;
		if (rc == PN_EAGAIN && !full && !eof)
			return 0;
	} else if (c->len > 0 && c->buf[0] == 0x16) {
		char sni[256];
		int rc = sbx_tls_sni(c->buf, c->len, sni, sizeof(sni));

		if (rc == PN_OK || rc == PN_ENOTFOUND) {
			fn_tls(s, c, sni);
			return 1;
		}
		if (rc == PN_EAGAIN && !full && !eof)
			return 0;
	}
	if (c->len > 0 || eof)
		fn_log_raw(s, c);
	return 0;
}

static void
fn_conn_read(struct fn_state *s, struct fn_conn *c)
{
	uint8_t junk[4096];
	ssize_t n;

	for (;;) {
		if (c->logged)
			n = read(c->fd, junk, sizeof(junk));
		else if (c->len < sizeof(c->buf))
			n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		else
			n = read(c->fd, junk, sizeof(junk));
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			fn_classify(s, c, 1);
			fn_conn_close(c);
			return;
		}
		c->last_ms = pn_mono_ms();
		if (!c->logged && c->len < sizeof(c->buf))
			c->len += (size_t)n;
		if (fn_classify(s, c, 0)) {
			fn_conn_close(c);
			return;
		}
	}
}

static void
fn_pipe(struct fn_state *s, int i)
{
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = read(s->pipes[i], buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->pipes[i], NULL);
			close(s->pipes[i]);
			s->pipes[i] = -1;
			return;
		}
		size_t cap = i == 1 && s->x->wine ? PN_SBX_WINE_MAX_LOG : PN_SBX_MAX_OUTPUT;

		if (s->outs[i] >= 0 && s->outlen[i] < cap) {
			size_t k = PN_MIN((size_t)n, cap - s->outlen[i]);
			(void)pn_write_all(s->outs[i], buf, k);
			s->outlen[i] += k;
		}
	}
}

static void
fn_loop(struct fn_state *s)
{
	struct epoll_event evs[32];
	size_t i;
	int n, k;

	while (!fn_stop) {
		n = epoll_wait(s->ep, evs, 32, 200);
		for (k = 0; k < n; k++) {
			uint64_t id = evs[k].data.u64;

			if (id == 1)
				fn_dns(s);
			else if (id == 2 || id == 3)
				fn_pipe(s, (int)id - 2);
			else if (id >= 1000 && id < 1000 + s->nl)
				fn_accept(s, s->lfd[id - 1000]);
			else if (id >= 100 && id < 100 + PN_SBX_MAX_CONNS && s->conns[id - 100].fd >= 0)
				fn_conn_read(s, &s->conns[id - 100]);
		}
		/* Idle connections: log what came and close. */
		for (i = 0; i < PN_SBX_MAX_CONNS; i++) {
			struct fn_conn *c = &s->conns[i];
			if (c->fd >= 0 && pn_mono_ms() - c->last_ms > 2000) {
				fn_classify(s, c, 1);
				fn_conn_close(c);
			}
		}
	}
	/* Flush: the rest of the pipes, then pending connections. */
	for (k = 0; k < 2; k++)
		if (s->pipes[k] >= 0)
			fn_pipe(s, k);
	for (i = 0; i < PN_SBX_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0) {
			fn_conn_read(s, &s->conns[i]);
			if (s->conns[i].fd >= 0) {
				fn_classify(s, &s->conns[i], 1);
				fn_conn_close(&s->conns[i]);
			}
		}
}

static void
fn_child(struct sbx_ctx *x, int netns_fd, int out_rd, int err_rd, int ready)
{
	struct fn_state s;
	struct sigaction sa;
	char err[256] = "";
	int nft_ok, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn_on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof(s));
	s.x = x;
	s.pipes[0] = out_rd;
	s.pipes[1] = err_rd;
	s.outs[0] = openat(x->outfd, "stdout", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* Windows runs: stderr is Wine's debug log (the sample's own stderr is in it). */
	s.outs[1] = openat(x->outfd, x->wine ? "wine.log" : "stderr",
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	inet_pton(AF_INET, x->o->sinkhole_v4, &s.sink_be);
	s.conns = pn_xcalloc(PN_SBX_MAX_CONNS, sizeof(*s.conns));
	for (i = 0; i < PN_SBX_MAX_CONNS; i++)
		s.conns[i].fd = -1;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (setns(netns_fd, CLONE_NEWNET) != 0) {
		snprintf(err, sizeof(err), "fakenet: cannot join the network namespace: %s",
		    strerror(errno));
		goto fail;
	}
	close(netns_fd);
	if (lo_up(err, sizeof(err)) != 0 || route_all_local(err, sizeof(err)) != 0)
		goto fail;
	nft_ok = nft_redirect() == 0;
	if (fn_setup(&s, nft_ok, err, sizeof(err)) != 0)
		goto fail;
	(void)!write(ready, nft_ok ? "R" : "r", 1);
	close(ready);
	fn_loop(&s);
	_exit(0);
fail:
	(void)!write(ready, "E", 1);
	(void)!write(ready, err, strlen(err));
	_exit(1);
}

pid_t
sbx_fakenet_start(struct sbx_ctx *x, int netns_fd, int out_rd, int err_rd, char *err,
    size_t errlen)
{
	char buf[300];
	int p[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		fn_child(x, netns_fd, out_rd, err_rd, p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n <= 0 || buf[0] == 'E') {
		buf[n > 0 ? n : 0] = '\0';
		snprintf(err, errlen, "%s", n > 1 ? buf + 1 : "fakenet did not start");
		sbx_fakenet_stop(pid);
		return -1;
	}
	x->net_ports_only = buf[0] == 'r';
	if (buf[0] == 'r')
		log_warnx("sandbox: nft unavailable, fakenet listens on common ports only");
	return pid;
}

void
sbx_fakenet_stop(pid_t pid)
{
	int st;

	int64_t until = pn_mono_ms() + 3000;
	pid_t w;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	/* It flushes within a poll period; never wait on it for ever. */
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && pn_mono_ms() < until)
		usleep(5000);
	if (w == 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
}
