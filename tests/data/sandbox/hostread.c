/* hostread.c - sandbox sample: tries to read host files outside the read-only root and host
 * secrets inside it, and to open kernel knobs for writing (never writes to them).
 * Prints "READ <path>" / "WRITABLE <path>" for each success, "OK <name>" for the controls. SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	static const char *const host[] = { "/tmp/pn-sbx-host-secret.txt", "/var/tmp/pn-sbx-host-secret.txt",
		"/work", "/root/.bashrc", "/home", "/var/lib/dpkg/status",
		"/sys/kernel" };
	char buf[256];
	for (unsigned i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		int fd = open(host[i], O_RDONLY);
		if (fd >= 0) {
			DIR *d = fdopendir(fd);
			struct dirent *de;
			int n = 0;
			if (d) {
				/* The sandbox's own /home holds only "user". */
				while ((de = readdir(d)) != NULL)
					if (de->d_name[0] != '.' && strcmp(de->d_name, "user") != 0)
						n++;
				if (n > 0)
					printf("READ %s (%d entries)\n", host[i], n);
				closedir(d);
			} else {
				printf("READ %s\n", host[i]);
				close(fd);
			}
		}
	}
	static const char *const secret[] = { "/etc/shadow-", "/etc/gshadow-", "/proc/keys",
		"/proc/kcore", "/proc/timer_list" };
	for (unsigned i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		int sfd = open(secret[i], O_RDONLY);
		if (sfd >= 0 && read(sfd, buf, sizeof(buf)) > 0)
			printf("READ %s\n", secret[i]);
		if (sfd >= 0)
			close(sfd);
	}
	static const char *const knobs[] = { "/proc/sys/kernel/core_pattern",
		"/proc/sys/vm/drop_caches", "/proc/sysrq-trigger", "/proc/sys/kernel/modprobe" };
	for (unsigned i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int kfd = open(knobs[i], O_WRONLY);   /* opened, never written */
		if (kfd >= 0) {
			printf("WRITABLE %s\n", knobs[i]);
			close(kfd);
		}
	}
	int fd = open("/etc/hostname", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n > 0) {
		buf[n] = 0;
		printf("OK hostname %s", buf);
	}
	if (access("/usr/bin/env", X_OK) == 0)
		printf("OK usr\n");
	FILE *up = fopen("/proc/uptime", "r");
	double secs = 0;
	if (up && fscanf(up, "%lf", &secs) == 1)
		printf("UPTIME %.0f\n", secs);
	return 0;
}
