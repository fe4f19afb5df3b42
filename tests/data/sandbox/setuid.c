/* setuid.c - sandbox sample: sets the setuid bit on a file and calls setuid(0) (T1548.001);
 * also makes a hidden directory and tries to load a kernel module (T1547.006). SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void)
{
	int fd = open("/tmp/.suid-shell", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return 1;
	write(fd, "#!/bin/sh\n", 10);
	close(fd);
	if (chmod("/tmp/.suid-shell", 04755) != 0)
		return 2;
	(void)setuid(0);
	(void)mkdir("/tmp/.hidden", 0700);
	(void)syscall(SYS_init_module, "\x7f""ELF-not-a-module", 16, "debug=1");
	return 0;
}
