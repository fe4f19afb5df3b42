/* openloop.c - sandbox sample for the tracing benchmark: 200000 open/close pairs. SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <unistd.h>
int main(void)
{
	for (int i = 0; i < 200000; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		if (fd < 0)
			return 1;
		close(fd);
	}
	return 0;
}
