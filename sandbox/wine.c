/*
 * wine.c - the Windows runner ("Panoptes Wine Tracer", SANDBOX.md §7):
 * a PE32/PE32+ sample runs under Wine inside the Linux sandbox of run.c
 * (same namespaces, cgroups, seccomp deny-list and fake network), on an
 * overlay whose lower layer is a golden Wine prefix prepared once and whose
 * upper layer lives on the run's size-capped tmpfs.
 *
 *   pn_sandbox_run_wine ─ run.c supervisor ─ init: sbx_wine_mount (overlay at
 *     /root/.wine, the sample copied to C:\users\root\Desktop\<name>)
 *   sample process (confined): sbx_wine_exec = wineserver -p, wineboot
 *     (WINEDEBUG=-all), then the sample with +relay,+process,+loaddll,
 *     +winsock (stderr = outdir/wine.log via fakenet), wineserver -k
 *   supervisor afterwards: sbx_wine_collect = wine.log → events (processes,
 *     modules, relay calls), hive diff (system.reg/user.reg of the template
 *     against the upper layer) → reg_set/reg_delete/service, overlay diff →
 *     dropped files (Windows paths) and whiteouts → unlink.
 *
 * Observation is by Wine's own channels, not ptrace (wineserver ptraces its
 * clients for some cross-process calls; §7.1).  The log is the sample's
 * stderr too, so a sample can forge lines: they only add events, never
 * remove the hive/overlay diffs (documented in sandbox-wine.md).
 * Ownership: the supervisor owns everything; parsers take borrowed bytes
 * and emit event lines through a callback.  Limits: PN_SBX_WINE_* in
 * sbx_int.h.  Errors: set-up problems come back as PN_EPERM with a reason
 * (Wine missing, prefix preparation failed); a run that happened is PN_OK.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pn.h"
#include "buf.h"
#include "hash.h"
#include "sandbox.h"
#include "sbx_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WINE_PFX_IN    "/root/.wine"                 /* prefix inside the sandbox */
#define WINE_DESK_REL  "drive_c/users/root/Desktop"  /* where the sample goes */
#define WINE_DESK_WIN  "C:\\users\\root\\Desktop\\"
#define WINE_READY     ".panoptes-ready"             /* marker written last */
#define WINE_WSCRIPT   "C:\\windows\\system32\\wscript.exe"
#define WINE_CHANNELS  "+pid,+timestamp,+relay,+process,+loaddll,+winsock,fixme+all,err+all"

/* APIs the relay logs (HKCU\Software\Wine\Debug\RelayInclude of the golden prefix). */
static const char relay_include[] =
	"CreateMutexA;CreateMutexW;CreateMutexExA;CreateMutexExW;OpenMutexA;OpenMutexW;"
	"CreateServiceA;CreateServiceW;OpenServiceA;OpenServiceW;StartServiceA;StartServiceW;"
	"DeleteService;OpenProcess;VirtualAllocEx;VirtualAllocExNuma;WriteProcessMemory;"
	"CreateRemoteThread;CreateRemoteThreadEx;QueueUserAPC;SetThreadContext;"
	"NtUnmapViewOfSection;NtWriteVirtualMemory;NtCreateThreadEx;RtlCreateUserThread;"
	"CreateProcessA;CreateProcessW;WinExec;ShellExecuteA;ShellExecuteW;ShellExecuteExA;"
	"ShellExecuteExW;CreateFileA;CreateFileW;DeleteFileA;DeleteFileW;MoveFileExA;MoveFileExW;"
	"MoveFileA;MoveFileW;CopyFileA;CopyFileW;RegOpenKeyExA;RegOpenKeyExW;RegCreateKeyExA;"
	"RegCreateKeyExW;RegOpenKeyA;RegOpenKeyW;RegCreateKeyA;RegCreateKeyW;RegSetValueExA;"
	"RegSetValueExW;RegDeleteKeyA;RegDeleteKeyW;RegDeleteValueA;RegDeleteValueW;"
	"URLDownloadToFileA;URLDownloadToFileW;InternetOpenUrlA;InternetOpenUrlW;"
	"InternetConnectA;InternetConnectW;HttpOpenRequestA;HttpOpenRequestW;WinHttpConnect;"
	"WinHttpOpenRequest;getaddrinfo;GetAddrInfoW;gethostbyname;DnsQuery_A;DnsQuery_W;"
	"GetProcAddress;IsDebuggerPresent;CheckRemoteDebuggerPresent;CreateToolhelp32Snapshot;"
	"Process32First;Process32FirstW;Process32Next;Process32NextW;SetWindowsHookExA;"
	"SetWindowsHookExW;GetAsyncKeyState;Sleep;ClearEventLogA;ClearEventLogW;CryptEncrypt;"
	"BCryptEncrypt;GetComputerNameA;GetComputerNameW;GetUserNameA;GetUserNameW;GetSystemInfo;"
	"FindFirstFileA;FindFirstFileW;ExitProcess;AdjustTokenPrivileges;OpenClipboard;"
	"GetClipboardData;BitBlt;CryptStringToBinaryA;CryptStringToBinaryW";

/* ================================================================ PE check */

int
pn_sandbox_pe_bits(const char *path)
{
	uint8_t h[512];
	uint32_t off;
	uint16_t mach;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = pread(fd, h, sizeof(h), 0);
	if (n >= 0x40 && h[0] == 'M' && h[1] == 'Z') {
		off = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 | (uint32_t)h[0x3e] << 16 |
		    (uint32_t)h[0x3f] << 24;
		if (off > (uint32_t)n - 6 || off + 6 > (uint32_t)n) {
			if (off > 0 && off < (1u << 20) && pread(fd, h, 6, off) == 6)
				off = 0;
			else
				off = UINT32_MAX;
		}
		if (off != UINT32_MAX && memcmp(h + off, "PE\0\0", 4) == 0) {
			mach = (uint16_t)(h[off + 4] | h[off + 5] << 8);
			close(fd);
			return mach == 0x14c ? 32 : mach == 0x8664 ? 64 : 0;
		}
	}
	close(fd);
	return 0;
}

/* Is the PE at path a DLL (IMAGE_FILE_DLL in the COFF characteristics)? */
static int
pe_is_dll(const char *path)
{
	uint8_t h[64], c[24];
	uint32_t off;
	int fd = open(path, O_RDONLY | O_CLOEXEC), dll = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h)) {
		off = (uint32_t)h[0x3c] | (uint32_t)h[0x3d] << 8 | (uint32_t)h[0x3e] << 16 |
		    (uint32_t)h[0x3f] << 24;
		if (off < (1u << 20) && pread(fd, c, sizeof(c), off) == (ssize_t)sizeof(c) &&
		    memcmp(c, "PE\0\0", 4) == 0)
			dll = (c[22] | c[23] << 8) & 0x2000 ? 1 : 0;
	}
	close(fd);
	return dll;
}

int
pn_sandbox_wine_script(const char *name)
{
	static const char *const ext[] = { ".js", ".jse", ".vbs", ".vbe", ".wsf" };
	size_t i, l = name ? strlen(name) : 0;

	for (i = 0; i < PN_ARRAY_LEN(ext); i++)
		if (l > strlen(ext[i]) && strcasecmp(name + l - strlen(ext[i]), ext[i]) == 0)
			return 1;
	return 0;
}

/* ================================================================ host side */

/* sandbox.wine_bin, or its default when the options were filled by hand. */
static const char *
bindir(const struct pn_sandbox_opts *o)
{
	return o->wine_bin && o->wine_bin[0] ? o->wine_bin : "/usr/lib/wine";
}

static int
run_wait(char *const argv[], char *const envp[], const char *cwd, int quiet, int64_t max_ms)
{
	int64_t end = pn_mono_ms() + max_ms;
	pid_t pid = fork(), w;
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0) {
			dup2(nul, 0);
			if (quiet) {
				dup2(nul, 1);
				dup2(nul, 2);
			}
		}
		if (cwd && chdir(cwd) != 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	for (;;) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0 && errno != EINTR)
			return -1;
		if (pn_mono_ms() > end) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		usleep(10000);
	}
}

static int
file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return 0;
	return stat(p, &st) == 0;
}

/* `wine64 --version` into out; -1 when it does not run. */
static int
wine_version(const char *bindir, char *out, size_t cap)
{
	char exe[PATH_MAX];
	int p[2], n = 0;
	ssize_t r;
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/wine64", bindir);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = { exe, (char *)"--version", NULL };
		char *envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"WINEDEBUG=-all", NULL };
		dup2(p[1], 1);
		execve(exe, argv, envp);
		_exit(127);
	}
	close(p[1]);
	while ((size_t)n + 1 < cap && (r = read(p[0], out + n, cap - 1 - (size_t)n)) > 0)
		n += (int)r;
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	return strncmp(out, "wine-", 5) == 0 ? 0 : -1;
}

int
pn_sandbox_wine_available(const struct pn_sandbox_opts *o, int bits, char *why, size_t cap)
{
	char v[128];
	int rc;

	if ((rc = pn_sandbox_available(why, cap)) != PN_OK)
		return rc;
	if (!file_exists(bindir(o), "wine64") ||
	    !file_exists(bindir(o), "wineserver")) {
		snprintf(why, cap, "Wine is not installed (no wine64/wineserver in %s; "
		    "scripts/install-deps.sh installs wine64)", bindir(o));
		return PN_EPERM;
	}
	if (bits == 32 && (!file_exists(bindir(o), "wine") ||
	    !file_exists("/usr/lib/i386-linux-gnu/wine", "i386-windows"))) {
		snprintf(why, cap, "32-bit Wine is not installed (dpkg --add-architecture i386; "
		    "apt-get install wine32:i386)");
		return PN_EPERM;
	}
	if (wine_version(bindir(o), v, sizeof(v)) != 0) {
		snprintf(why, cap, "%s/wine64 --version does not run", bindir(o));
		return PN_EPERM;
	}
	return PN_OK;
}

/* Replace symlinks to the host home under drive_c/users/<u>/ with real dirs; drop Z: & co. */
static void
prefix_scrub(const char *pfx)
{
	char p[PATH_MAX + 64], q[PATH_MAX * 2 + 600];
	DIR *d, *u;
	struct dirent *de, *ue;
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/dosdevices", pfx) >= sizeof(p))
		return;
	if ((d = opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, "c:") != 0 && de->d_name[0] != '.' &&
			    (size_t)snprintf(q, sizeof(q), "%s/%s", p, de->d_name) < sizeof(q))
				unlink(q);
		closedir(d);
	}
	if ((size_t)snprintf(p, sizeof(p), "%s/drive_c/users", pfx) >= sizeof(p) ||
	    (d = opendir(p)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char up[PATH_MAX * 2 + 300];
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(up, sizeof(up), "%s/%s", p, de->d_name) >= sizeof(up) ||
		    (u = opendir(up)) == NULL)
			continue;
		while ((ue = readdir(u)) != NULL) {
			if ((size_t)snprintf(q, sizeof(q), "%s/%s", up, ue->d_name) >= sizeof(q))
				continue;
			if (lstat(q, &st) == 0 && S_ISLNK(st.st_mode) && unlink(q) == 0)
				mkdir(q, 0755);
		}
		closedir(u);
	}
	closedir(d);
	if ((size_t)snprintf(p, sizeof(p), "%s/" WINE_DESK_REL, pfx) < sizeof(p))
		mkdir(p, 0755);
	if ((size_t)snprintf(p, sizeof(p), "%s/wineserver", pfx) < sizeof(p))
		unlink(p);
}

static int
rm_tree(const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (depth > 64 || (d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX];
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", path, de->d_name) < sizeof(p))
			(void)rm_tree(p, depth + 1);
	}
	closedir(d);
	return rmdir(path);
}

static int
prefix_build(const struct pn_sandbox_opts *o, const char *tmp, char *err, size_t errlen)
{
	char wine[PATH_MAX + 16], srv[PATH_MAX + 16], home[PATH_MAX + 16], e_pfx[PATH_MAX + 16];
	char e_home[PATH_MAX + 32];
	char *envp[] = { (char *)"PATH=/usr/bin:/bin", e_pfx, e_home, (char *)"USER=root",
		(char *)"LOGNAME=root", (char *)"WINEARCH=win64", (char *)"WINEDEBUG=-all",
		(char *)"WINEDLLOVERRIDES=mscoree,mshtml=", (char *)"LANG=C.UTF-8", NULL };
	int rc;

	snprintf(wine, sizeof(wine), "%s/wine64", bindir(o));
	snprintf(srv, sizeof(srv), "%s/wineserver", bindir(o));
	if ((size_t)snprintf(home, sizeof(home), "%s.home", tmp) >= sizeof(home) ||
	    (size_t)snprintf(e_pfx, sizeof(e_pfx), "WINEPREFIX=%s", tmp) >= sizeof(e_pfx) ||
	    (size_t)snprintf(e_home, sizeof(e_home), "HOME=%s", home) >= sizeof(e_home)) {
		snprintf(err, errlen, "path too long");
		return PN_EINVAL;
	}
	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", home, strerror(errno));
		return PN_EIO;
	}
	{
		char *a1[] = { wine, (char *)"wineboot", (char *)"--init", NULL };
		char *a2[] = { wine, (char *)"reg", (char *)"add", (char *)"HKCU\\Software\\Wine\\Debug",
			(char *)"/v", (char *)"RelayInclude", (char *)"/t", (char *)"REG_SZ", (char *)"/d",
			(char *)(uintptr_t)relay_include, (char *)"/f", NULL };
		/* calls made by Wine's own programs and COM plumbing are not the sample's */
		char *a2b[] = { wine, (char *)"reg", (char *)"add", (char *)"HKCU\\Software\\Wine\\Debug",
			(char *)"/v", (char *)"RelayFromExclude", (char *)"/t", (char *)"REG_SZ", (char *)"/d",
			(char *)"winex11.drv;winemac.drv;user32;gdi32;advapi32;kernel32;kernelbase;wscript;"
			"cscript;conhost;rpcrt4;combase;ole32;oleaut32;sechost", (char *)"/f", NULL };
		char *a3[] = { wine, (char *)"cmd", (char *)"/c", (char *)"exit", NULL };
		char *aw[] = { srv, (char *)"-w", NULL };

		rc = run_wait(a1, envp, home, 1, 180000);
		if (rc == 0)
			rc = run_wait(a2, envp, home, 1, 60000);
		if (rc == 0)
			rc = run_wait(a2b, envp, home, 1, 60000);
		if (rc == 0)   /* settles first-run registry writes into the template */
			rc = run_wait(a3, envp, home, 1, 60000);
		(void)run_wait(aw, envp, home, 1, 60000);
	}
	(void)rm_tree(home, 0);
	if (rc != 0) {
		snprintf(err, errlen, "wineboot in %s failed (status %d)", tmp, rc);
		return PN_EIO;
	}
	prefix_scrub(tmp);
	return PN_OK;
}

static int run_in(const struct pn_sandbox_opts *o, const char *prefix, int baseline,
    const char *sample, const char *name, const char *outdir, char *err, size_t errlen);

/*
 * Two runs of a Wine builtin in the sandbox over the new prefix: the first
 * settles the hives the sandbox's own environment rewrites (fonts, network
 * cards, host name) into the template, the second lists what still changes
 * on every run (.panoptes-regnoise), left out of reports.
 */
static int
prefix_baseline(const struct pn_sandbox_opts *o, const char *tmp, char *err, size_t errlen)
{
	/* a Wine builtin program and a script: the script host registers its type libraries */
	static const struct { int pass; const char *name; } runs[] = {
		{ 1, "whoami.exe" }, { 1, "baseline.vbs" }, { 2, "whoami.exe" }, { 3, "baseline.vbs" }
	};
	char exe[PATH_MAX + 64], vbs[PATH_MAX + 64], out[PATH_MAX + 64];
	size_t i;
	int rc = PN_OK;

	if ((size_t)snprintf(exe, sizeof(exe), "%s/drive_c/windows/system32/whoami.exe", tmp) >=
	    sizeof(exe) || (size_t)snprintf(vbs, sizeof(vbs), "%s.vbs", tmp) >= sizeof(vbs))
		return PN_EINVAL;
	{
		static const char script[] = "Dim x\r\nx = 1\r\n";
		int fd = open(vbs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || pn_write_all(fd, script, sizeof(script) - 1) != PN_OK) {
			if (fd >= 0)
				close(fd);
			snprintf(err, errlen, "write %s: %s", vbs, strerror(errno));
			return PN_EIO;
		}
		close(fd);
	}
	for (i = 0; i < PN_ARRAY_LEN(runs) && rc == PN_OK; i++) {
		snprintf(out, sizeof(out), "%s.base%zu", tmp, i);
		(void)rm_tree(out, 0);
		if (mkdir(out, 0700) != 0) {
			snprintf(err, errlen, "mkdir %s: %s", out, strerror(errno));
			rc = PN_EIO;
			break;
		}
		rc = run_in(o, tmp, runs[i].pass, strstr(runs[i].name, ".vbs") ? vbs : exe, runs[i].name,
		    out, err, errlen);
		(void)rm_tree(out, 0);
	}
	unlink(vbs);
	return rc;
}

int
pn_sandbox_wine_prepare(const struct pn_sandbox_opts *o, char *path, size_t cap, char *err,
    size_t errlen)
{
	char ver[128], dir[PATH_MAX], tmp[PATH_MAX], lock[PATH_MAX + 16], *q;
	struct stat st;
	int lfd, rc;

	if (o->wine_dir == NULL || o->wine_dir[0] != '/') {
		snprintf(err, errlen, "sandbox.wine_dir must be an absolute path");
		return PN_EINVAL;
	}
	if (wine_version(bindir(o), ver, sizeof(ver)) != 0) {
		snprintf(err, errlen, "Wine is not installed (%s/wine64)", bindir(o));
		return PN_EPERM;
	}
	for (q = ver; *q; q++)
		if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-')
			*q = '_';
	/* v2: the preparation's own version; a change makes a new prefix */
	if ((size_t)snprintf(dir, sizeof(dir), "%s/prefix-%s-v2", o->wine_dir, ver) + 32 >= sizeof(dir)) {
		snprintf(err, errlen, "sandbox.wine_dir is too long");
		return PN_EINVAL;
	}
	if (path)
		pn_strlcpy(path, dir, cap);
	if (file_exists(dir, WINE_READY))
		return PN_OK;
	/* mkdir -p wine_dir */
	pn_strlcpy(tmp, o->wine_dir, sizeof(tmp));
	for (q = tmp + 1; *q; q++)
		if (*q == '/') {
			*q = '\0';
			(void)mkdir(tmp, 0755);
			*q = '/';
		}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", tmp, strerror(errno));
		return PN_EIO;
	}
	snprintf(lock, sizeof(lock), "%s/.lock", o->wine_dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
		snprintf(err, errlen, "lock %s: %s", lock, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return PN_EIO;
	}
	rc = PN_OK;
	if (!file_exists(dir, WINE_READY)) {
		int64_t t0 = pn_mono_ms();

		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%d", dir, (int)getpid()) >= sizeof(tmp))
			tmp[0] = '\0';
		(void)rm_tree(tmp, 0);
		(void)rm_tree(dir, 0);
		rc = prefix_build(o, tmp, err, errlen);
		if (rc == PN_OK)
			rc = prefix_baseline(o, tmp, err, errlen);
		if (rc == PN_OK && rename(tmp, dir) != 0) {
			snprintf(err, errlen, "rename %s: %s", tmp, strerror(errno));
			rc = PN_EIO;
		}
		if (rc == PN_OK) {
			char m[PATH_MAX + 32];
			int fd;

			snprintf(m, sizeof(m), "%s/" WINE_READY, dir);
			fd = open(m, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd >= 0) {
				dprintf(fd, "%s\nprepared in %lld ms\n", ver, (long long)(pn_mono_ms() - t0));
				close(fd);
			}
			log_info("sandbox: golden Wine prefix %s prepared in %lld ms", dir,
			    (long long)(pn_mono_ms() - t0));
		} else {
			(void)rm_tree(tmp, 0);
		}
	}
	if (rc == PN_OK && stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		rc = PN_EIO;
	}
	flock(lfd, LOCK_UN);
	close(lfd);
	return rc;
}

int
pn_sandbox_run_wine(const struct pn_sandbox_opts *o, const char *sample, const char *name,
    const char *outdir, char *err, size_t errlen)
{
	char prefix[PATH_MAX];
	int bits, rc;

	err[0] = '\0';
	bits = pn_sandbox_pe_bits(sample);
	if (bits == 0 && pn_sandbox_wine_script(name))
		bits = 64;   /* wscript.exe, the 64-bit one */
	if (bits == 0) {
		snprintf(err, errlen, "%s is not a PE file for i386 or x86-64, nor a .js/.vbs script",
		    sample);
		return PN_EINVAL;
	}
	if ((rc = pn_sandbox_wine_available(o, bits, err, errlen)) != PN_OK)
		return rc;
	rc = pn_sandbox_wine_prepare(o, prefix, sizeof(prefix), err, errlen);
	if (rc != PN_OK)
		return rc == PN_EINVAL ? rc : PN_EPERM;
	{
		/* Windows finds programs and DLLs by extension: give the copy one. */
		const char *ext = pe_is_dll(sample) ? ".dll" : ".exe", *b;

		if (pn_sandbox_pe_bits(sample) == 0)   /* a script keeps its name */
			return run_in(o, prefix, 0, sample, name, outdir, err, errlen);
		char nm[PN_SBX_NAME_MAX + 1];
		size_t l;

		b = name ? strrchr(name, '/') : NULL;
		b = b ? b + 1 : name && *name ? name : "sample";
		l = strlen(b);
		if (l >= 4 && strcasecmp(b + l - 4, ext) == 0)
			pn_strlcpy(nm, b, sizeof(nm));
		else
			snprintf(nm, sizeof(nm), "%.*s%s", PN_SBX_NAME_MAX - 4, b, ext);
		return run_in(o, prefix, 0, sample, nm, outdir, err, errlen);
	}
}

static int
run_in(const struct pn_sandbox_opts *o, const char *prefix, int baseline, const char *sample,
    const char *name, const char *outdir, char *err, size_t errlen)
{
	struct pn_sandbox_opts wo = *o;
	struct pn_sbx_xopts xo;
	struct sbx_wine *w = pn_xcalloc(1, sizeof(*w));
	int rc;

	/* opts filled by hand (not by pn_sandbox_opts_from_conf): the documented defaults */
	if (wo.wine_timeout_ms == 0)
		wo.wine_timeout_ms = 30000;
	if (wo.wine_memory == 0)
		wo.wine_memory = (uint64_t)1 << 30;
	if (wo.wine_pids == 0)
		wo.wine_pids = 512;
	o = &wo;

	w->bits = pn_sandbox_pe_bits(sample);
	w->dll = pe_is_dll(sample);
	w->script = w->bits == 0 && pn_sandbox_wine_script(name);
	if (w->script)
		w->bits = 64;
	w->baseline = baseline;
	pn_strlcpy(w->prefix, prefix, sizeof(w->prefix));
	pn_strlcpy(w->bindir, bindir(o), sizeof(w->bindir));
	(void)wine_version(bindir(o), w->version, sizeof(w->version));
	wo.timeout_ms = o->wine_timeout_ms;
	wo.memory_max = o->wine_memory;
	wo.pids_max = o->wine_pids;
	if (wo.cpu_percent < 200)
		wo.cpu_percent = 200;         /* Wine's start-up burst is not a miner */
	if (wo.write_max < (256u << 20))
		wo.write_max = 256u << 20;   /* the prefix's upper layer: hives are rewritten whole */
	memset(&xo, 0, sizeof(xo));
	xo.untraced = 1;
	rc = sbx_run(&wo, &xo, w, sample, name, outdir, err, errlen);
	free(w);
	return rc;
}

/* ================================================================ in the sandbox */

int
sbx_wine_mount(const struct sbx_ctx *x, const char *stage, int prefix_fd, char *path, size_t cap)
{
	char p[PATH_MAX], opt[PATH_MAX * 2 + 64];

	snprintf(p, sizeof(p), "%s/wu", stage);
	if (mkdir(p, 0755) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/ww", stage);
	if (mkdir(p, 0700) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/r" WINE_PFX_IN, stage);
	if (mkdir(p, 0755) != 0)
		return -1;
	/* Through the fd: the prefix's own path may be hidden by the stage by now. */
	if ((size_t)snprintf(opt, sizeof(opt), "lowerdir=/proc/self/fd/%d,upperdir=%s/wu,workdir=%s/ww",
	    prefix_fd, stage, stage) >= sizeof(opt))
		return -1;
	if (mount("pn-sbx-wine", p, "overlay", MS_NOSUID | MS_NODEV, opt) != 0)
		return -1;
	snprintf(path, cap, "%s/r" WINE_PFX_IN "/" WINE_DESK_REL "/%s", stage, x->name);
	return 0;
}

static void
tell(int sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
tell(int sp, const char *fmt, ...)
{
	char m[256];
	va_list ap;
	int n;

	m[0] = 'W';
	va_start(ap, fmt);
	n = vsnprintf(m + 1, sizeof(m) - 1, fmt, ap);
	va_end(ap);
	if (sp >= 0 && n > 0)
		(void)!send(sp, m, strlen(m), 0);
}

void
sbx_wine_exec(const struct sbx_ctx *x, int sp)
{
	char wine[PATH_MAX + 16], srv[PATH_MAX + 16], prog[PN_SBX_NAME_MAX + 64], hn[80], dbg[128];
	char *envp[16];
	int i = 0, st = 0, ended = 0;
	int64_t t0, deadline;
	pid_t pid, w;

	snprintf(wine, sizeof(wine), "%s/wine64", x->wine->bindir);
	snprintf(srv, sizeof(srv), "%s/wineserver", x->wine->bindir);
	snprintf(hn, sizeof(hn), "HOSTNAME=%s", x->o->hostname);
	pn_strlcpy(dbg, "WINEDEBUG=-all", sizeof(dbg));
	envp[i++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
	envp[i++] = (char *)"HOME=/root";
	envp[i++] = (char *)"USER=root";
	envp[i++] = (char *)"LOGNAME=root";
	envp[i++] = (char *)"LANG=en_US.UTF-8";
	envp[i++] = (char *)"WINEPREFIX=" WINE_PFX_IN;
	envp[i++] = (char *)"WINEDLLOVERRIDES=mscoree,mshtml=";
	envp[i++] = (char *)"WINEARCH=win64";
	envp[i++] = hn;
	envp[i++] = dbg;
	envp[i] = NULL;
	if (chdir(WINE_PFX_IN "/" WINE_DESK_REL) != 0)
		_exit(126);
	t0 = pn_mono_ms();
	deadline = t0 + PN_MAX(x->o->timeout_ms - PN_SBX_WINE_GRACE_MS, 1000);
	{
		char *a1[] = { srv, (char *)"-p", NULL };
		char *a2[] = { wine, (char *)"wineboot", NULL };
		if (run_wait(a1, envp, NULL, 0, deadline - pn_mono_ms()) != 0)
			tell(sp, "wineserver did not start");
		(void)run_wait(a2, envp, NULL, 0, deadline - pn_mono_ms());
	}
	pn_strlcpy(dbg, "WINEDEBUG=" WINE_CHANNELS, sizeof(dbg));
	tell(sp, "@%lld", (long long)pn_mono_ms());
	pid = fork();
	if (pid == 0) {
		char dll[PN_SBX_NAME_MAX + 64];
		char *argv[4] = { wine, prog, NULL, NULL };

		snprintf(prog, sizeof(prog), WINE_DESK_WIN "%s", x->name);
		if (x->wine->script) {   /* JS/VBS through Wine's script host */
			snprintf(dll, sizeof(dll), WINE_DESK_WIN "%s", x->name);
			pn_strlcpy(prog, WINE_WSCRIPT, sizeof(prog));
			argv[2] = dll;
		} else if (x->wine->dll) {   /* DLLs through the loader: rundll32 DLL,#1 */
			snprintf(dll, sizeof(dll), WINE_DESK_WIN "%s,#1", x->name);
			snprintf(prog, sizeof(prog), "C:\\windows\\%s\\rundll32.exe",
			    x->wine->bits == 32 ? "syswow64" : "system32");
			argv[2] = dll;
		}
		/*
		 * Wine's 32-bit processes must map the shared user data at a fixed
		 * address; with address-space randomisation that place is now and
		 * then taken ("failed to map the shared user data", an empty run).
		 */
		(void)personality(PER_LINUX | ADDR_NO_RANDOMIZE);
		execve(wine, argv, envp);
		_exit(127);
	}
	t0 = pn_mono_ms();
	while (pid > 0) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			ended = 1;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (pn_mono_ms() >= deadline)
			break;
		usleep(20000);
	}
	if (ended && WIFEXITED(st))
		tell(sp, "the sample exited with code %d after %.1f s", WEXITSTATUS(st),
		    (double)(pn_mono_ms() - t0) / 1000.0);
	else if (ended)
		tell(sp, "the sample was killed by signal %d after %.1f s", WTERMSIG(st),
		    (double)(pn_mono_ms() - t0) / 1000.0);
	else {
		tell(sp, "!");
		tell(sp, "the sample was still running at the time limit (%.1f s)",
		    (double)(pn_mono_ms() - t0) / 1000.0);
	}
	/* Children the sample started get a moment, then wineserver saves the hives and ends all. */
	usleep(ended ? 300000 : 0);
	{
		char *a3[] = { srv, (char *)"-k", NULL };
		pn_strlcpy(dbg, "WINEDEBUG=-all", sizeof(dbg));
		(void)run_wait(a3, envp, NULL, 0, PN_SBX_WINE_GRACE_MS - 500);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	_exit(ended && WIFEXITED(st) ? WEXITSTATUS(st) : 125);
}

/* ================================================================ collection */

static void
collect_emit(void *ctx, double t, const char *line, size_t len)
{
	struct sbx_ctx *x = ctx;
	struct pn_buf b;

	(void)t;
	if (len < 2 || line[len - 1] != '}')
		return;
	/* sbx_ev_write appends "}\n": hand it the object without its closing brace */
	pn_buf_init(&b, PN_SBX_MAX_LINE);
	if (pn_buf_append(&b, line, len - 1) == PN_OK) {
		if (strstr(line, "\"ev\":\"unimplemented\"") && x->nunimpl < PN_SBX_WINE_MAX_UNIMPL) {
			const char *f = strstr(line, "\"function\":\"");
			if (f) {
				size_t n = strcspn(f + 12, "\"");
				char *fn = pn_xstrndup(f + 12, n);
				size_t i;
				for (i = 0; i < x->nunimpl && strcmp(x->unimpl[i], fn) != 0; i++)
					;
				if (i == x->nunimpl)
					x->unimpl[x->nunimpl++] = fn;
				else
					free(fn);
			}
		}
		sbx_ev_write(x, &b);
	} else {
		pn_buf_release(&b);
	}
}

/* Read a whole file (dirfd-relative) up to max bytes; NULL when missing. */
static char *
slurp_at(int dfd, const char *path, size_t max, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return NULL;
	}
	buf = pn_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Baseline 2: reg events become noise lines "KEY" / "KEY\tVALUE". */
static void
noise_emit(void *ctx, double t, const char *line, size_t len)
{
	struct pn_buf *nb = ctx;
	const char *k = strstr(line, "\"key\":"), *v = strstr(line, "\"value\":");
	(void)t;
	(void)len;
	if (k == NULL)
		return;
	{
		char key[PN_SBX_MAX_STR], val[1024];
		if (sbx_wine_wstr(k + 6, line + len, key, sizeof(key)) == NULL)
			return;
		pn_buf_puts(nb, key);
		if (v && sbx_wine_wstr(v + 8, line + len, val, sizeof(val))) {
			pn_buf_putc(nb, '\t');
			pn_buf_puts(nb, val);
		}
		pn_buf_putc(nb, '\n');
	}
}

static void
noise_load(const struct sbx_ctx *x, char ***out, size_t *n)
{
	char p[PATH_MAX + 32], *text, *s;
	size_t len = 0, cap = 0;
	int dfd;

	*out = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s", x->wine->prefix);
	if ((dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	text = slurp_at(dfd, ".panoptes-regnoise", 4u << 20, &len);
	close(dfd);
	if (text == NULL)
		return;
	for (s = text; *s; ) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (*s) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*out = realloc(*out, cap * sizeof(char *));
				if (*out == NULL)
					abort();
			}
			(*out)[(*n)++] = pn_xstrdup(s);
		}
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	free(text);
	if (*n)
		qsort(*out, *n, sizeof(char *), sbx_strp_cmp);
}

/* Baseline 1: the run's hives replace the template's (the sandbox's own view settles). */
static void
settle_hive(struct sbx_ctx *x, int wu, const char *file)
{
	char p[PATH_MAX + 64], t[PATH_MAX + 80];
	size_t len = 0;
	char *b = slurp_at(wu, file, PN_SBX_WINE_MAX_REG, &len);
	int fd;

	if (b == NULL)
		return;
	snprintf(p, sizeof(p), "%s/%s", x->wine->prefix, file);
	snprintf(t, sizeof(t), "%s.new", p);
	fd = open(t, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		int ok = pn_write_all(fd, b, len) == PN_OK;
		if (close(fd) == 0 && ok)
			(void)rename(t, p);
		else
			unlink(t);
	}
	free(b);
}

static void
diff_hive(struct sbx_ctx *x, int wu, const char *file, const char *root, char *const *noise,
    size_t nnoise, sbx_wlog_emit emit, void *ectx)
{
	char p[PATH_MAX];
	char *a, *b;
	size_t al = 0, bl = 0;
	int pfd;

	b = slurp_at(wu, file, PN_SBX_WINE_MAX_REG, &bl);
	if (b == NULL)
		return;   /* not rewritten: nothing changed */
	snprintf(p, sizeof(p), "%s", x->wine->prefix);
	pfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	a = pfd >= 0 ? slurp_at(pfd, file, PN_SBX_WINE_MAX_REG, &al) : NULL;
	if (pfd >= 0)
		close(pfd);
	sbx_wine_reg_diff(a ? a : "", a ? al : 0, b, bl, root, noise, nnoise, emit, ectx);
	free(a);
	free(b);
}

/* Windows path of drive_c/<rel>. */
static void
win_path(const char *rel, char *out, size_t cap)
{
	size_t o = 0;

	if (cap < 4)
		return;
	memcpy(out, "C:\\", 3);
	o = 3;
	for (; *rel && o + 1 < cap; rel++)
		out[o++] = *rel == '/' ? '\\' : *rel;
	out[o] = '\0';
}

static void
walk_upper(struct sbx_ctx *x, int dfd, const char *rel, int depth, unsigned *budget)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	char sample_rel[PN_SBX_NAME_MAX + 64];

	if (d == NULL) {
		close(dfd);
		return;
	}
	snprintf(sample_rel, sizeof(sample_rel), "users/root/Desktop/%s", x->name);
	while ((de = readdir(d)) != NULL && *budget > 0) {
		char r[PATH_MAX], wp[PATH_MAX + 8];
		struct stat st;
		int fd;

		(*budget)--;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(r, sizeof(r), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof(r) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		win_path(r, wp, sizeof(wp));
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
			struct pn_buf b;
			sbx_ev_start(x, &b, "unlink");
			pn_buf_puts(&b, ",\"path\":");
			pn_buf_json_str(&b, wp, strlen(wp));
			pn_buf_puts(&b, ",\"source\":\"overlay\"");
			sbx_ev_write(x, &b);
		} else if (S_ISDIR(st.st_mode) && depth < 32) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk_upper(x, fd, r, depth + 1, budget);
		} else if (S_ISREG(st.st_mode)) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (strcmp(r, sample_rel) == 0) {
				struct pn_hashes hs;
				if (pn_hash_fd(fd, PN_HASH_SHA256, &hs) == PN_OK &&
				    strcmp(hs.sha256, x->sample_sha) == 0) {
					close(fd);
					continue;
				}
			}
			(void)sbx_drop_save(x, fd, wp, 0);
			close(fd);
		}
	}
	closedir(d);
}

void
sbx_wine_collect(struct sbx_ctx *x)
{
	char sample_win[PN_SBX_NAME_MAX + 64], root_cmd[PN_SBX_NAME_MAX + 128];
	char *log;
	size_t len = 0;
	unsigned budget = 20000;
	int wu, fd;

	root_cmd[0] = '\0';
	if (x->wine->script) {   /* the script host is the root process */
		pn_strlcpy(sample_win, WINE_WSCRIPT, sizeof(sample_win));
		snprintf(root_cmd, sizeof(root_cmd), "wscript.exe \"" WINE_DESK_WIN "%s\"", x->name);
	} else if (x->wine->dll) {
		snprintf(sample_win, sizeof(sample_win), WINE_DESK_WIN "%s", x->name);
		snprintf(root_cmd, sizeof(root_cmd), "rundll32.exe \"" WINE_DESK_WIN "%s\",#1", x->name);
	} else {
		snprintf(sample_win, sizeof(sample_win), WINE_DESK_WIN "%s", x->name);
	}
	log = slurp_at(x->outfd, "wine.log", PN_SBX_WINE_MAX_LOG, &len);
	if (log) {
		double base = x->wine_start_ms > 0 ?
		    (double)x->wine_start_ms / 1000.0 - (double)x->t0_ns / 1e9 : 0;
		sbx_wine_parse_log(log, len, sample_win, root_cmd[0] ? root_cmd : NULL, base,
		    collect_emit, x);
		free(log);
	}
	if (x->stage_fd < 0)
		return;
	wu = openat(x->stage_fd, "wu", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (wu < 0)
		return;
	if (x->wine->baseline == 1) {
		settle_hive(x, wu, "system.reg");
		settle_hive(x, wu, "user.reg");
		close(wu);
		return;
	}
	if (x->wine->baseline >= 2) {
		struct pn_buf nb = PN_BUF_INIT;
		char p[PATH_MAX + 32];
		int nfd;

		diff_hive(x, wu, "system.reg", "HKEY_LOCAL_MACHINE", NULL, 0, noise_emit, &nb);
		diff_hive(x, wu, "user.reg", "HKEY_CURRENT_USER", NULL, 0, noise_emit, &nb);
		snprintf(p, sizeof(p), "%s/.panoptes-regnoise", x->wine->prefix);
		nfd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | (x->wine->baseline == 2 ? O_TRUNC : O_APPEND),
		    0644);
		if (nfd >= 0) {
			if (nb.len)
				(void)pn_write_all(nfd, nb.p, nb.len);
			close(nfd);
		}
		pn_buf_release(&nb);
		close(wu);
		return;
	}
	{
		char **noise;
		size_t nn, k;

		noise_load(x, &noise, &nn);
		diff_hive(x, wu, "system.reg", "HKEY_LOCAL_MACHINE", noise, nn, collect_emit, x);
		diff_hive(x, wu, "user.reg", "HKEY_CURRENT_USER", noise, nn, collect_emit, x);
		for (k = 0; k < nn; k++)
			free(noise[k]);
		free(noise);
	}
	fd = openat(wu, "drive_c", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		walk_upper(x, fd, "", 0, &budget);
	close(wu);
}

void
sbx_wine_run_json(const struct sbx_ctx *x, struct pn_buf *b)
{
	const char *v = x->wine->version, *end;
	char env[300];
	size_t i;

	/* "wine-8.0 (Debian 8.0~repack-4)" → "Wine 8.0 compatibility layer" */
	if (strncmp(v, "wine-", 5) == 0)
		v += 5;
	end = v + strcspn(v, " ");
	snprintf(env, sizeof(env), "Wine %.*s compatibility layer (%s), %d-bit PE; not Windows: "
	    "best-effort fidelity", (int)(end - v), v, x->wine->version, x->wine->bits);
	pn_buf_puts(b, ",\"environment\":");
	pn_buf_json_str(b, env, strlen(env));
	pn_buf_puts(b, ",\"wine_version\":");
	pn_buf_json_str(b, x->wine->version, strlen(x->wine->version));
	v = x->wine_end[0] ? x->wine_end : "unknown (the launcher did not report)";
	pn_buf_printf(b, ",\"pe_bits\":%d,\"ended\":", x->wine->bits);
	pn_buf_json_str(b, v, strlen(v));
	pn_buf_printf(b, ",\"unimplemented\":[");
	for (i = 0; i < x->nunimpl; i++) {
		pn_buf_puts(b, i ? "," : "");
		pn_buf_json_str(b, x->unimpl[i], strlen(x->unimpl[i]));
	}
	pn_buf_puts(b, "]");
}
