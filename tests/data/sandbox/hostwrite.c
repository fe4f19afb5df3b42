/* hostwrite.c - sandbox sample: writes where the host would be hurt; all must land in the overlay.
 * Prints "WROTE <path>" for each successful write. SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	static const char *const paths[] = { "/usr/bin/pn-sbx-pwned", "/etc/pn-sbx-pwned",
		"/pn-sbx-pwned", "/tmp/pn-sbx-pwned", "/root/pn-sbx-pwned", "/dev/pn-sbx-pwned",
		"/usr/lib/pn-sbx-pwned" };
	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0 && write(fd, "pwned\n", 6) == 6)
			printf("WROTE %s\n", paths[i]);
		if (fd >= 0)
			close(fd);
	}
	if (unlink("/usr/bin/env") == 0)
		printf("DELETED /usr/bin/env\n");
	return 0;
}
