/* syscalls.c - sandbox sample for the tracing benchmark: a syscall-heavy mix (stat, read,
 * getpid, write to a pipe, plus one open per 20 iterations). SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void)
{
	struct stat st;
	char buf[64];
	int p[2], fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0 || pipe(p) != 0)
		return 1;
	for (int i = 0; i < 200000; i++) {
		stat("/etc/hostname", &st);
		pread(fd, buf, sizeof(buf), 0);
		getpid();
		write(p[1], "x", 1);
		read(p[0], buf, 1);
		if (i % 20 == 0) {
			int f = open("/etc/hostname", O_RDONLY);
			close(f);
		}
	}
	return 0;
}
