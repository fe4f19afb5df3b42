/* diskfill.c - sandbox sample: writes /tmp/fill until the writable layer is full.
 * Prints how far it got; exits 0 when the write failed with ENOSPC/EFBIG. SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	static char buf[1 << 20];
	long total = 0;
	int fd = open("/tmp/fill", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'A', sizeof(buf));
	if (fd < 0)
		return 2;
	for (;;) {
		ssize_t n = write(fd, buf, sizeof(buf));
		if (n <= 0) {
			printf("stopped after %ld bytes: %s\n", total, strerror(errno));
			return errno == ENOSPC || errno == EFBIG ? 0 : 1;
		}
		total += n;
		if (total > (4L << 30))
			return 3;
	}
}
