/* selfdelete.c - sandbox sample: writes and deletes a stage file, then deletes its own
 * executable (T1070.004). SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	char self[PATH_MAX];
	int fd = open("/tmp/.stage2", O_WRONLY | O_CREAT | O_TRUNC, 0700);
	if (fd < 0 || write(fd, "#!/bin/sh\necho stage2\n", 23) != 23)
		return 3;
	close(fd);
	unlink("/tmp/.stage2");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = 0;
	printf("deleting %s\n", self);
	return unlink(self) == 0 ? 0 : 2;
}
