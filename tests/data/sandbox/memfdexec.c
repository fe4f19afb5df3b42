/* memfdexec.c - sandbox sample: copies /bin/true into a memfd and executes it from there
 * (fileless execution, T1620). SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void)
{
	char buf[65536];
	ssize_t n;
	int in = open("/bin/true", O_RDONLY), fd = memfd_create("payload", 0);
	char *av[] = { "[kthreadd]", NULL }, *ev[] = { NULL };
	if (in < 0 || fd < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(fd, buf, (size_t)n);
	close(in);
	fexecve(fd, av, ev);
	return 2;
}
