/* dropexec.c - sandbox sample: drops an ELF (a copy of itself), makes it executable and runs it
 * (T1105-style drop + EXECUTES_DROPPED_FILE).  The copy exits 7 when argv[0] is "dropped-child".
 * SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int in, out, st;
	(void)argc;
	if (strcmp(argv[0], "dropped-child") == 0)
		return 7;
	in = open("/proc/self/exe", O_RDONLY);
	out = open("/tmp/.cache-updater", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || out < 0)
		return 1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
	chmod("/tmp/.cache-updater", 0755);
	if (fork() == 0) {
		char *av[] = { "dropped-child", NULL };
		execv("/tmp/.cache-updater", av);
		_exit(99);
	}
	wait(&st);
	return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : 2;
}
