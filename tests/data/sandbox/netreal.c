/* netreal.c - sandbox sample: connects to non-loopback addresses (must land in fakenet)
 * and sends some bytes; prints what came back. SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static void hit(const char *ip, int port, const char *msg, size_t len)
{
	struct sockaddr_in a;
	char buf[256];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		printf("connect %s:%d failed\n", ip, port);
		close(s);
		return;
	}
	write(s, msg, len);
	shutdown(s, SHUT_WR);
	ssize_t n = read(s, buf, sizeof(buf) - 1);
	printf("connect %s:%d ok, %zd bytes back\n", ip, port, n);
	close(s);
}
/* A minimal TLS 1.2 ClientHello with SNI "c2.example". */
static const char hello[] =
	"\x16\x03\x01\x00\x42"                      /* record, 66 bytes */
	"\x01\x00\x00\x3e\x03\x03"                  /* ClientHello, 62 bytes, TLS 1.2 */
	"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"            /* random */
	"\x00\x00\x02\x13\x01\x01\x00"              /* no session, 1 suite, null compression */
	"\x00\x13\x00\x00\x00\x0f\x00\x0d\x00\x00\x0a" /* extensions: server_name */
	"c2.example";
int main(void)
{
	struct sockaddr_in a;
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	hit("93.184.216.34", 4444, "\x01\x02HELLO-C2", 10);
	hit("192.0.2.44", 443, hello, sizeof(hello) - 1);
	const char *get = "GET /beacon HTTP/1.1\r\nHost: c2.example\r\n\r\n";
	hit("10.1.2.3", 8443, get, strlen(get));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(9999);
	inet_pton(AF_INET, "203.0.113.7", &a.sin_addr);
	sendto(u, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a));
	return 0;
}
