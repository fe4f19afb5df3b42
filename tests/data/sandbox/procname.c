/* procname.c - sandbox sample: renames itself like a kernel thread (T1036.005) and probes for a
 * debugger with ptrace(PTRACE_TRACEME) (T1622). SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <unistd.h>
int main(void)
{
	if (prctl(PR_SET_NAME, "kworker/0:1", 0, 0, 0) != 0)
		return 1;
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
		printf("debugger detected\n");
	else
		printf("no debugger\n");
	int fd = open("/proc/self/status", O_RDONLY);   /* an event under the new name */
	if (fd >= 0)
		close(fd);
	return 0;
}
