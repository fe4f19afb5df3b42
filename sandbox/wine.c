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

/* ================================================================ log parser */

struct wproc {
	unsigned pid, ppid;
	char pending_cmd[1024];    /* last CreateProcessInternalW cmdline of this process */
	char pending_img[512];
	struct { char name[48]; unsigned n; } api[32];
	size_t napi;
	struct { uint64_t h; char name[128]; } svc[16];
	size_t nsvc;
	char last_call[48];        /* relay call awaiting its Ret (per process, approximate) */
	char last_arg[128];
};

struct wlog {
	const char *sample;        /* C:\users\root\Desktop\x.exe */
	const char *root_cmd;      /* the root's command line, or NULL (the quoted sample path) */
	struct wproc *p;
	size_t np;
	int have_root;
	double t0;                 /* Wine tick of the sample's first line */
	double base;               /* seconds from the run's start to the sample's launch */
	sbx_wlog_emit emit;
	void *ctx;
	unsigned nunimpl;
};

static struct wproc *
wp_find(struct wlog *L, unsigned pid)
{
	size_t i;

	for (i = 0; i < L->np; i++)
		if (L->p[i].pid == pid)
			return &L->p[i];
	return NULL;
}

static struct wproc *
wp_add(struct wlog *L, unsigned pid, unsigned ppid)
{
	struct wproc *p = wp_find(L, pid);

	if (p || L->np >= PN_SBX_WINE_MAX_PIDS)
		return p;
	p = &L->p[L->np++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	return p;
}

/*
 * Decode a Wine debugstr at s ("..." or L"..."), up to end; the text goes
 * to out (UTF-8, NUL-terminated, truncated to cap).  Returns the position
 * after the closing quote, or NULL when s does not start a string.
 */
static const char *
wstr(const char *s, const char *end, char *out, size_t cap)
{
	size_t o = 0;

	if (s < end && *s == 'L')
		s++;
	if (s >= end || *s != '"')
		return NULL;
	s++;
	while (s < end && *s != '"') {
		unsigned c = (unsigned char)*s++;

		if (c == '\\' && s < end) {
			char e = *s++;
			if (e == 'n')
				c = '\n';
			else if (e == 'r')
				c = '\r';
			else if (e == 't')
				c = '\t';
			else if (e == 'x' || e == 'u') {
				unsigned v = 0;
				int k;
				for (k = 0; k < 4 && s < end && isxdigit((unsigned char)*s); k++, s++)
					v = v * 16 + (unsigned)(isdigit((unsigned char)*s) ? *s - '0' :
					    (tolower((unsigned char)*s) - 'a' + 10));
				c = v;
			} else if (e >= '0' && e <= '7') {
				unsigned v = (unsigned)(e - '0');
				int k;
				for (k = 0; k < 2 && s < end && *s >= '0' && *s <= '7'; k++, s++)
					v = v * 8 + (unsigned)(*s - '0');
				c = v;
			} else
				c = (unsigned char)e;
		}
		if (c == 0)
			c = 0xfffd;
		if (c < 0x80) {
			if (o + 1 < cap)
				out[o++] = (char)c;
		} else if (c < 0x800) {
			if (o + 2 < cap) {
				out[o++] = (char)(0xc0 | c >> 6);
				out[o++] = (char)(0x80 | (c & 0x3f));
			}
		} else if (o + 3 < cap) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	if (cap)
		out[o] = '\0';
	return s < end ? s + 1 : end;
}

struct rargs {
	size_t n;
	uint64_t v[PN_SBX_WINE_MAX_ARGS];
	char s[PN_SBX_WINE_MAX_ARGS][512];
	int has_s[PN_SBX_WINE_MAX_ARGS];
};

/* "(a,b "str",c)" → values and strings; s points after '('. */
static void
relay_args(const char *s, const char *end, struct rargs *a)
{
	memset(a, 0, sizeof(*a));
	while (s < end && *s != ')' && a->n < PN_SBX_WINE_MAX_ARGS) {
		size_t i = a->n++;
		char *e;

		a->v[i] = strtoull(s, &e, 16);
		s = e > s ? e : s;
		while (s < end && *s == ' ')
			s++;
		if (s < end && (*s == '"' || (*s == 'L' && s + 1 < end && s[1] == '"'))) {
			const char *n = wstr(s, end, a->s[i], sizeof(a->s[i]));
			a->has_s[i] = 1;
			s = n ? n : end;
		}
		while (s < end && *s != ',' && *s != ')')
			s++;
		if (s < end && *s == ',')
			s++;
	}
}

static void
emit_buf(struct wlog *L, struct pn_buf *b)
{
	if (pn_buf_puts(b, "}") == PN_OK && b->p)
		L->emit(L->ctx, 0, b->p, b->len);
	pn_buf_release(b);
}

static void
ev_begin(struct wlog *L, struct pn_buf *b, double t, const char *ev, unsigned pid)
{
	struct wproc *p = wp_find(L, pid);

	pn_buf_init(b, PN_SBX_MAX_LINE);
	pn_buf_printf(b, "{\"t\":%.3f,\"ev\":\"%s\",\"pid\":%u", (t < 0 ? 0.0 : t) + L->base, ev, pid);
	if (p && p->ppid)
		pn_buf_printf(b, ",\"ppid\":%u", p->ppid);
}

static void
kv_str(struct pn_buf *b, const char *k, const char *v)
{
	pn_buf_printf(b, ",\"%s\":", k);
	pn_buf_json_str(b, v, strlen(v));
}

/* Split a Windows command line roughly as CommandLineToArgvW does. */
static void
kv_argv(struct pn_buf *b, const char *cmd)
{
	const char *s = cmd;
	char a[PN_SBX_MAX_ARG];
	int n = 0;

	pn_buf_puts(b, ",\"argv\":[");
	while (*s && n < PN_SBX_MAX_ARGV) {
		size_t o = 0;
		int q = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		while (*s && (q || (*s != ' ' && *s != '\t'))) {
			if (*s == '"')
				q = !q;
			else if (o + 1 < sizeof(a))
				a[o++] = *s;
			s++;
		}
		a[o] = '\0';
		pn_buf_puts(b, n++ ? "," : "");
		pn_buf_json_str(b, a, o);
	}
	pn_buf_puts(b, "]");
}

static const char *
hkey_root(uint64_t h)
{
	switch ((uint32_t)h) {
	case 0x80000000u: return "HKEY_CLASSES_ROOT";
	case 0x80000001u: return "HKEY_CURRENT_USER";
	case 0x80000002u: return "HKEY_LOCAL_MACHINE";
	case 0x80000003u: return "HKEY_USERS";
	case 0x80000005u: return "HKEY_CURRENT_CONFIG";
	default: return NULL;
	}
}

static int
is_current_process(uint64_t h)
{
	return h == UINT64_MAX || h == 0xffffffffu || h == 0;
}

static int
api_budget(struct wproc *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->napi; i++)
		if (strcmp(p->api[i].name, name) == 0)
			return ++p->api[i].n <= PN_SBX_WINE_MAX_API;
	if (p->napi >= PN_ARRAY_LEN(p->api))
		return 0;
	pn_strlcpy(p->api[p->napi].name, name, sizeof(p->api[0].name));
	p->api[p->napi++].n = 1;
	return 1;
}

/* An api{} event: name, string args, numeric args (hex), remote flag. */
static void
ev_api(struct wlog *L, double t, unsigned pid, const char *dll, const char *fn,
    const struct rargs *a, int remote)
{
	struct pn_buf b;
	size_t i;

	ev_begin(L, &b, t, "api", pid);
	kv_str(&b, "api", fn);   /* not "name": that is the rules' basename pseudo field */
	kv_str(&b, "dll", dll);
	pn_buf_puts(&b, ",\"args\":[");
	for (i = 0; i < a->n; i++) {
		pn_buf_puts(&b, i ? "," : "");
		if (a->has_s[i])
			pn_buf_json_str(&b, a->s[i], strlen(a->s[i]));
		else
			pn_buf_printf(&b, "\"0x%llx\"", (unsigned long long)a->v[i]);
	}
	pn_buf_puts(&b, "]");
	if (remote >= 0)
		pn_buf_printf(&b, ",\"remote\":%s", remote ? "true" : "false");
	emit_buf(L, &b);
}

static void
ev_simple(struct wlog *L, double t, unsigned pid, const char *ev, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	struct pn_buf b;

	ev_begin(L, &b, t, ev, pid);
	if (k1 && v1)
		kv_str(&b, k1, v1);
	if (k2 && v2)
		kv_str(&b, k2, v2);
	emit_buf(L, &b);
}

static int
is_device_path(const char *p)
{
	return strncmp(p, "\\\\.\\", 4) == 0 || strncmp(p, "\\\\?\\pipe", 8) == 0 ||
	    strcasecmp(p, "CONOUT$") == 0 || strcasecmp(p, "CONIN$") == 0 || strcasecmp(p, "NUL") == 0;
}

static const char *
svc_name(struct wproc *p, uint64_t h)
{
	size_t i;

	for (i = 0; i < p->nsvc; i++)
		if (p->svc[i].h == h)
			return p->svc[i].name;
	return NULL;
}

/* One relay "Call dll.Fn(args) ret=..." of a followed process. */
static void
on_call(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	char dll[32], fn[48], ascii[600];
	const char *dot = memchr(s, '.', (size_t)(end - s)), *par;
	struct rargs *a;
	size_t dl, fl;
	int remote = -1, w;

	if (dot == NULL || (par = memchr(dot, '(', (size_t)(end - dot))) == NULL)
		return;
	dl = (size_t)(dot - s);
	fl = (size_t)(par - dot - 1);
	if (dl == 0 || dl >= sizeof(dll) || fl == 0 || fl >= sizeof(fn))
		return;
	memcpy(dll, s, dl);
	dll[dl] = '\0';
	memcpy(fn, dot + 1, fl);
	fn[fl] = '\0';
	for (dl = 0; dll[dl]; dl++)
		dll[dl] = (char)tolower((unsigned char)dll[dl]);
	a = pn_xcalloc(1, sizeof(*a));
	relay_args(par + 1, end, a);
	pn_strlcpy(p->last_call, fn, sizeof(p->last_call));
	p->last_arg[0] = '\0';
	if (strcmp(fn, "GetProcAddress") == 0) {
		/* only Wine probes and injection helpers: loaders ask for hundreds */
		if (a->n >= 2 && a->has_s[1] && (strncmp(a->s[1], "wine_", 5) == 0 ||
		    strcmp(a->s[1], "LoadLibraryA") == 0 || strcmp(a->s[1], "LoadLibraryW") == 0) &&
		    api_budget(p, fn))
			ev_api(L, t, p->pid, dll, fn, a, -1);
		free(a);
		return;
	}
	if (strncmp(fn, "CreateMutex", 11) == 0 || strncmp(fn, "OpenMutex", 9) == 0) {
		int k = strncmp(fn, "CreateMutexEx", 13) == 0 ? 1 : 2;
		if (strncmp(fn, "OpenMutex", 9) == 0)
			k = 2;
		if ((size_t)k < a->n && a->has_s[k])
			ev_simple(L, t, p->pid, "mutex", "name", a->s[k], "op",
			    fn[0] == 'C' ? "create" : "open");
	} else if (strncmp(fn, "CreateService", 13) == 0 && a->n >= 8 && a->has_s[1]) {
		struct pn_buf b;
		ev_begin(L, &b, t, "service", p->pid);
		kv_str(&b, "name", a->s[1]);
		kv_str(&b, "op", "create");
		if (a->has_s[7])
			kv_str(&b, "binpath", a->s[7]);
		pn_buf_printf(&b, ",\"start_type\":%u", (unsigned)(uint32_t)a->v[5]);
		emit_buf(L, &b);
		pn_strlcpy(p->last_arg, a->s[1], sizeof(p->last_arg));
	} else if (strncmp(fn, "OpenService", 11) == 0 && a->n >= 2 && a->has_s[1]) {
		ev_simple(L, t, p->pid, "service", "name", a->s[1], "op", "open");
		pn_strlcpy(p->last_arg, a->s[1], sizeof(p->last_arg));
	} else if ((strncmp(fn, "StartService", 12) == 0 || strcmp(fn, "DeleteService") == 0) &&
	    a->n >= 1) {
		const char *nm = svc_name(p, a->v[0]);
		snprintf(ascii, sizeof(ascii), "0x%llx", (unsigned long long)a->v[0]);
		ev_simple(L, t, p->pid, "service", "name", nm ? nm : ascii, "op",
		    fn[0] == 'S' ? "start" : "delete");
	} else if ((strcmp(fn, "CreateFileA") == 0 || strcmp(fn, "CreateFileW") == 0) && a->n >= 1 &&
	    a->has_s[0] && is_device_path(a->s[0])) {
		free(a);
		return;
	} else if ((strcmp(fn, "CreateFileA") == 0 || strcmp(fn, "CreateFileW") == 0) && a->n >= 5 &&
	    a->has_s[0]) {
		uint32_t acc = (uint32_t)a->v[1], disp = (uint32_t)a->v[4];
		w = (acc & (0x40000000u | 0x10000000u | 0x2u | 0x4u)) != 0 || disp == 1 || disp == 2 ||
		    disp == 5;
		ev_simple(L, t, p->pid, "open", "path", a->s[0], "flags",
		    !w ? "O_RDONLY" : disp == 1 || disp == 2 || disp == 4 ? "O_WRONLY|O_CREAT" : "O_WRONLY");
		free(a);
		return;
	} else if (strncmp(fn, "DeleteFile", 10) == 0 && a->n >= 1 && a->has_s[0]) {
		ev_simple(L, t, p->pid, "unlink", "path", a->s[0], NULL, NULL);
	} else if (strncmp(fn, "MoveFile", 8) == 0 && a->n >= 2 && a->has_s[0]) {
		if (a->has_s[1])
			ev_simple(L, t, p->pid, "rename", "from", a->s[0], "to", a->s[1]);
		else
			ev_simple(L, t, p->pid, "unlink", "path", a->s[0], "when", "reboot");
	} else if (strncmp(fn, "CopyFile", 8) == 0 && a->n >= 2 && a->has_s[1]) {
		ev_simple(L, t, p->pid, "open", "path", a->s[1], "flags", "O_WRONLY|O_CREAT");
	} else if (strncmp(fn, "RegOpenKey", 10) == 0 || strncmp(fn, "RegCreateKey", 12) == 0) {
		const char *root = a->n >= 1 ? hkey_root(a->v[0]) : NULL;
		if (root && a->n >= 2) {
			snprintf(ascii, sizeof(ascii), "%s%s%s", root, a->has_s[1] && a->s[1][0] ? "\\" : "",
			    a->has_s[1] ? a->s[1] : "");
			ev_simple(L, t, p->pid, "reg_open", "key", ascii, "op",
			    fn[3] == 'C' ? "create" : "open");
		}
		free(a);
		return;
	} else if (strncmp(fn, "RegSetValue", 11) == 0 || strncmp(fn, "RegDelete", 9) == 0 ||
	    strcmp(fn, "ExitProcess") == 0 || strcmp(fn, "Sleep") == 0) {
		if (strcmp(fn, "ExitProcess") == 0) {
			struct pn_buf b;
			ev_begin(L, &b, t, "exit", p->pid);
			pn_buf_printf(&b, ",\"code\":%u", a->n ? (unsigned)(uint32_t)a->v[0] : 0u);
			emit_buf(L, &b);
			free(a);
			return;
		}
		if (strcmp(fn, "Sleep") == 0 && a->n >= 1) {
			struct pn_buf b;
			ev_begin(L, &b, t, "sleep", p->pid);
			pn_buf_printf(&b, ",\"req\":%.3f", (double)(uint32_t)a->v[0] / 1000.0);
			emit_buf(L, &b);
			free(a);
			return;
		}
	}
	/* Remote-process APIs: is the handle another process? */
	if (strcmp(fn, "VirtualAllocEx") == 0 || strcmp(fn, "VirtualAllocExNuma") == 0 ||
	    strcmp(fn, "WriteProcessMemory") == 0 || strncmp(fn, "CreateRemoteThread", 18) == 0 ||
	    strcmp(fn, "NtWriteVirtualMemory") == 0 || strcmp(fn, "NtCreateThreadEx") == 0 ||
	    strcmp(fn, "RtlCreateUserThread") == 0 || strcmp(fn, "NtUnmapViewOfSection") == 0) {
		size_t hi = strcmp(fn, "NtCreateThreadEx") == 0 ? 3 : 0;
		remote = hi < a->n && !is_current_process(a->v[hi]);
		if (!remote) {
			free(a);
			return;
		}
	}
	if (strcmp(fn, "OpenProcess") == 0)
		remote = 1;
	if (api_budget(p, fn))
		ev_api(L, t, p->pid, dll, fn, a, remote);
	free(a);
}

/* "Ret  dll.Fn() retval=XXXX ret=..." : remember service handles. */
static void
on_ret(struct wproc *p, const char *s, const char *end)
{
	const char *r = NULL, *q;
	uint64_t h;

	for (q = s; q + 7 < end; q++)
		if (memcmp(q, "retval=", 7) == 0) {
			r = q + 7;
			break;
		}
	if (r == NULL || p->last_arg[0] == '\0' || (strncmp(p->last_call, "CreateService", 13) != 0 &&
	    strncmp(p->last_call, "OpenService", 11) != 0))
		return;
	h = strtoull(r, NULL, 16);
	if (h && p->nsvc < PN_ARRAY_LEN(p->svc)) {
		p->svc[p->nsvc].h = h;
		pn_strlcpy(p->svc[p->nsvc].name, p->last_arg, sizeof(p->svc[0].name));
		p->nsvc++;
	}
	p->last_arg[0] = '\0';
}

static int
starts(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - s) >= n && memcmp(s, lit, n) == 0;
}

static const char *
find(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	for (; s + n <= end; s++)
		if (memcmp(s, lit, n) == 0)
			return s;
	return NULL;
}

/* Length of the run of s (up to end) before any of the bytes in stop. */
static size_t
span_until(const char *s, const char *end, const char *stop)
{
	const char *p = s;

	while (p < end && strchr(stop, *p) == NULL)
		p++;
	return (size_t)(p - s);
}

static void
on_unimpl(struct wlog *L, double t, unsigned pid, const char *fn, const char *kind)
{
	if (L->nunimpl >= PN_SBX_WINE_MAX_UNIMPL * 4)
		return;
	L->nunimpl++;
	ev_simple(L, t, pid, "unimplemented", "function", fn, "kind", kind);
}

/* A "Loaded L"..." at" line: the root when it is the sample, else a module of p. */
static void
on_loaddll(struct wlog *L, unsigned pid, double t, const char *s, const char *end)
{
	char path[1024];
	struct wproc *p;
	struct pn_buf b;

	if (wstr(s, end, path, sizeof(path)) == NULL)
		return;
	if (!L->have_root && strcasecmp(path, L->sample) == 0) {
		L->have_root = 1;
		L->t0 = t;
		p = wp_add(L, pid, 0);
		if (p == NULL)
			return;
		ev_begin(L, &b, 0, "exec", pid);
		kv_str(&b, "path", path);
		if (L->root_cmd)
			pn_strlcpy(path, L->root_cmd, sizeof(path));
		else
			snprintf(path, sizeof(path), "\"%s\"", L->sample);
		kv_argv(&b, path);
		kv_str(&b, "cmdline", path);
		pn_buf_puts(&b, ",\"ret\":0");
		emit_buf(L, &b);
		return;
	}
	if ((p = wp_find(L, pid)) == NULL)
		return;
	if (p->pending_img[0] && strcasecmp(path, p->pending_img) == 0)
		return;
	ev_simple(L, t - L->t0, pid, "module_load", "path", path, NULL, NULL);
}

/* "trace:process:..." lines of a followed process. */
static void
on_process(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	const char *q;
	char img[512];

	if (starts(s, end, "CreateProcessInternalW app ") && (q = find(s, end, " cmdline L\"")) != NULL) {
		wstr(q + 9, end, p->pending_cmd, sizeof(p->pending_cmd));
		p->pending_img[0] = '\0';
	} else if (starts(s, end, "NtCreateUserProcess ") && (q = find(s, end, " image L\"")) != NULL) {
		if (wstr(q + 7, end, img, sizeof(img)))
			pn_strlcpy(p->pending_img, img, sizeof(p->pending_img));
	} else if (starts(s, end, "CreateProcessInternalW started process pid ")) {
		unsigned child = (unsigned)strtoul(s + 43, NULL, 16);
		struct wproc *c;
		struct pn_buf b;

		if (child == 0 || (c = wp_add(L, child, p->pid)) == NULL)
			return;
		ev_begin(L, &b, t - L->t0, "proc_fork", p->pid);
		pn_buf_printf(&b, ",\"child\":%u", child);
		emit_buf(L, &b);
		ev_begin(L, &b, t - L->t0, "exec", child);
		kv_str(&b, "path", p->pending_img[0] ? p->pending_img : p->pending_cmd);
		kv_argv(&b, p->pending_cmd);
		kv_str(&b, "cmdline", p->pending_cmd);
		pn_buf_puts(&b, ",\"ret\":0");
		emit_buf(L, &b);
		pn_strlcpy(c->pending_img, p->pending_img, sizeof(c->pending_img));
		p->pending_cmd[0] = '\0';
	}
}

/* "trace:winsock:connect socket 0x30, addr { family AF_INET, address 1.2.3.4, port 80 }" */
static void
on_winsock(struct wlog *L, struct wproc *p, double t, const char *s, const char *end)
{
	const char *a, *q;
	char ip[64];
	unsigned port;
	size_t n;
	struct pn_buf b;

	if (!starts(s, end, "connect ") || (a = find(s, end, "address ")) == NULL ||
	    (q = find(a, end, ", port ")) == NULL)
		return;
	n = (size_t)(q - a - 8);
	if (n == 0 || n >= sizeof(ip))
		return;
	memcpy(ip, a + 8, n);
	ip[n] = '\0';
	port = (unsigned)strtoul(q + 7, NULL, 10);
	ev_begin(L, &b, t - L->t0, "connect", p->pid);
	kv_str(&b, "proto", find(s, end, "AF_INET6") ? "tcp6" : "tcp");
	kv_str(&b, "ip", ip);
	pn_buf_printf(&b, ",\"port\":%u,\"ret\":0", port);
	emit_buf(L, &b);
}

static void
wlog_line(struct wlog *L, const char *s, const char *end)
{
	const char *c1, *c2, *c3, *body;
	unsigned pid;
	double t;
	struct wproc *p;
	char fn[160];

	/* "<sec>.<ms>:<pid>:<tid>:" */
	c1 = memchr(s, ':', (size_t)(end - s));
	if (c1 == NULL || c1 == s || !isdigit((unsigned char)*s))
		goto untagged;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	c3 = c2 ? memchr(c2 + 1, ':', (size_t)(end - c2 - 1)) : NULL;
	if (c3 == NULL || c2 - c1 != 5 || c3 - c2 != 5)
		goto untagged;
	t = strtod(s, NULL);
	pid = (unsigned)strtoul(c1 + 1, NULL, 16);
	body = c3 + 1;
	if (starts(body, end, "trace:loaddll:build_module Loaded ")) {
		on_loaddll(L, pid, t, body + 34, end);
		return;
	}
	if ((p = wp_find(L, pid)) == NULL)
		return;
	t -= L->t0;
	if (starts(body, end, "Call ") && !starts(body, end, "Call PE DLL") &&
	    !starts(body, end, "Call TLS"))
		on_call(L, p, t, body + 5, end);
	else if (starts(body, end, "Ret  "))
		on_ret(p, body + 5, end);
	else if (starts(body, end, "trace:process:"))
		on_process(L, p, t + L->t0, body + 14, end);
	else if (starts(body, end, "trace:winsock:"))
		on_winsock(L, p, t + L->t0, body + 14, end);
	else if (starts(body, end, "fixme:")) {
		const char *f = memchr(body + 6, ':', (size_t)(end - body - 6));
		size_t n;
		if (f == NULL)
			return;
		f++;
		n = span_until(f, end, " (\n");
		if (n > 0 && n < sizeof(fn) && find(f, end, "stub")) {
			memcpy(fn, f, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "stub");
		}
	} else if ((c1 = find(body, end, "unimplemented function ")) != NULL) {
		size_t n = span_until(c1 + 23, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 23, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "missing");
		}
	} else if ((c1 = find(body, end, "No implementation for ")) != NULL) {
		size_t n = span_until(c1 + 22, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 22, n);
			fn[n] = '\0';
			on_unimpl(L, t, pid, fn, "missing");
		}
	} else if (starts(body, end, "err:module:import_dll Library ")) {
		size_t n = span_until(body + 30, end, " \n");
		if (n > 0 && n + 12 < sizeof(fn)) {
			memcpy(fn, body + 30, n);
			memcpy(fn + n, " (library)", 11);
			on_unimpl(L, t, pid, fn, "missing_dll");
		}
	}
	return;
untagged:
	/* "wine: Call from 0x... to unimplemented function kernel32.dll.Foo, aborting" */
	if (L->have_root && (c1 = find(s, end, "to unimplemented function ")) != NULL) {
		size_t n = span_until(c1 + 26, end, " ,\n");
		if (n > 0 && n < sizeof(fn)) {
			memcpy(fn, c1 + 26, n);
			fn[n] = '\0';
			on_unimpl(L, 0, L->p[0].pid, fn, "missing");
		}
	}
}

void
sbx_wine_parse_log(const char *log, size_t len, const char *sample_win, const char *root_cmd,
    double t_base, sbx_wlog_emit emit, void *ctx)
{
	struct wlog L;
	size_t i = 0;
	char *line;

	memset(&L, 0, sizeof(L));
	L.base = t_base >= 0 && t_base < 86400 ? t_base : 0;
	L.sample = sample_win;
	L.root_cmd = root_cmd;
	L.emit = emit;
	L.ctx = ctx;
	L.p = pn_xcalloc(PN_SBX_WINE_MAX_PIDS, sizeof(*L.p));
	line = pn_xmalloc(PN_SBX_MAX_LINE + 1);
	while (i < len) {
		const char *nl = memchr(log + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (log + i)) : len - i;

		/* each line NUL-terminated in a copy: number parsers cannot run past it */
		if (n > 0 && n < PN_SBX_MAX_LINE) {
			memcpy(line, log + i, n);
			line[n] = '\0';
			wlog_line(&L, line, line + n);
		}
		i += n + 1;
	}
	free(line);
	free(L.p);
}

/* ================================================================ hive diff */

struct regval {
	const char *key;   /* pointers into the owned copies */
	const char *name;  /* "" for the key itself (marker entry), "@" default */
	const char *data;
};

struct hive {
	char *text;        /* a copy with NULs written in */
	struct regval *v;
	size_t n, cap;
};

static void
hive_add(struct hive *h, const char *key, const char *name, const char *data)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->v = realloc(h->v, h->cap * sizeof(*h->v));
		if (h->v == NULL)
			abort();
	}
	h->v[h->n].key = key;
	h->v[h->n].name = name;
	h->v[h->n].data = data;
	h->n++;
}

/* Parse a wine .reg hive into h (in place on a copy). */
static void
hive_parse(struct hive *h, const char *src, size_t len)
{
	char *s, *end, *key = NULL;

	memset(h, 0, sizeof(*h));
	h->text = pn_xmalloc(len + 1);
	memcpy(h->text, src, len);
	h->text[len] = '\0';
	s = h->text;
	end = s + len;
	while (s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s)), *line = s;

		if (nl == NULL)
			nl = end;
		/* continuation lines ("...\" at the end) join into one value */
		while (nl < end && nl > line && nl[-1] == '\\' && line[0] != '[') {
			char *nx = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
			nl[-1] = ' ';
			*nl = ' ';
			nl = nx ? nx : end;
		}
		*nl = '\0';
		s = nl + 1;
		if (line[0] == '[') {
			char *e = line + 1;
			while (*e && *e != ']') {
				if (*e == '\\' && e[1])
					e++;
				e++;
			}
			if (*e != ']')
				continue;
			*e = '\0';
			key = line + 1;
			hive_add(h, key, "", "");
		} else if (key && (line[0] == '"' || line[0] == '@')) {
			char *e = line, *name;
			if (line[0] == '@') {
				name = (char *)"@";
				e = line + 1;
			} else {
				name = line + 1;
				e = name;
				while (*e && *e != '"') {
					if (*e == '\\' && e[1])
						e++;
					e++;
				}
				if (*e != '"')
					continue;
				*e++ = '\0';
			}
			if (*e != '=')
				continue;
			hive_add(h, key, name, e + 1);
		}
	}
}

static int
regval_cmp(const void *a, const void *b)
{
	const struct regval *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->name, y->name);
}

/* Unescape a .reg key or value name ("\\\\" → "\\", "\\\"" → "\""). */
static void
reg_unescape(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 1 < cap; s++) {
		if (*s == '\\' && s[1])
			s++;
		out[o++] = *s;
	}
	out[o] = '\0';
}

/* A value's data for display: strings decoded, dword as 0x..., hex kept. */
static void
reg_data(const char *d, char *out, size_t cap)
{
	if (d[0] == '"') {
		(void)wstr(d, d + strlen(d), out, cap);
	} else if (strncmp(d, "str(", 4) == 0 && strchr(d, '"')) {
		const char *q = strchr(d, '"');
		(void)wstr(q, q + strlen(q), out, cap);
	} else if (strncmp(d, "dword:", 6) == 0) {
		snprintf(out, cap, "0x%s", d + 6);
	} else if (strncmp(d, "hex(2):", 7) == 0 || strncmp(d, "hex(7):", 7) == 0) {
		/* UTF-16LE bytes: keep the ASCII ones */
		const char *p = d + 7;
		size_t o = 0;
		int k = 0;
		while (*p && o + 1 < cap) {
			unsigned v;
			char *e;
			while (*p == ',' || *p == ' ' || *p == '\\')
				p++;
			v = (unsigned)strtoul(p, &e, 16);
			if (e == p)
				break;
			p = e;
			if ((k++ & 1) == 0 && v >= 0x20 && v < 0x7f)
				out[o++] = (char)v;
			else if ((k & 1) == 1 && v == 0 && o + 1 < cap && d[4] == '7')
				out[o++] = ' ';
		}
		out[o] = '\0';
	} else {          /* hex:…, dword, others: as written, without the line-join blanks */
		size_t o = 0;
		for (; *d && o + 1 < cap; d++)
			if (*d != ' ' && *d != '\t')
				out[o++] = *d;
		out[o] = '\0';
	}
}

struct noise {
	char *const *v;
	size_t n;
};

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is key (+ value name) listed, as "KEY\tNAME", "KEY\\NAME" or "KEY"? */
static int
is_noise(const struct noise *N, const char *key, const char *name)
{
	char *k[3];
	int hit = 0, i;

	if (N == NULL || N->n == 0)
		return 0;
	k[0] = pn_xasprintf("%s\t%s", key, name);
	k[1] = pn_xasprintf("%s\\%s", key, name);
	k[2] = pn_xstrdup(key);
	for (i = 0; i < 3; i++) {
		if (i < 2 && name[0] == '\0')
			continue;
		if (bsearch(&k[i], N->v, N->n, sizeof(char *), str_cmp) != NULL)
			hit = 1;
	}
	for (i = 0; i < 3; i++)
		free(k[i]);
	return hit;
}

static void
emit_reg(sbx_wlog_emit emit, void *ctx, const struct noise *N, const char *ev, const char *root,
    const struct regval *v, int with_data)
{
	struct pn_buf b;
	char *key = pn_xmalloc(PN_SBX_MAX_STR), *full = pn_xmalloc(PN_SBX_MAX_STR + 1100);
	char *name = pn_xmalloc(1024), *data = pn_xmalloc(PN_SBX_MAX_STR);

	reg_unescape(v->key, key, PN_SBX_MAX_STR);
	name[0] = '\0';
	if (v->name[0])
		reg_unescape(strcmp(v->name, "@") == 0 ? "" : v->name, name, 1024);
	/* a deleted value is reported as key\name (VT's registry_keys_deleted) */
	snprintf(full, PN_SBX_MAX_STR + 1100, "%s\\%s%s%s", root, key,
	    !with_data && v->name[0] ? "\\" : "", !with_data ? name : "");
	{
		char *rk = pn_xasprintf("%s\\%s", root, key);
		int hit = is_noise(N, rk, v->name[0] ? name : "");
		free(rk);
		if (!hit)
			goto emit;
	}
	{
		free(key);
		free(full);
		free(name);
		free(data);
		return;
	}
emit:
	pn_buf_init(&b, PN_SBX_MAX_LINE);
	pn_buf_printf(&b, "{\"t\":0,\"ev\":\"%s\",\"key\":", ev);
	pn_buf_json_str(&b, full, strlen(full));
	if (with_data) {
		reg_data(v->data, data, PN_SBX_MAX_STR);
		pn_buf_puts(&b, ",\"value\":");
		pn_buf_json_str(&b, name, strlen(name));
		pn_buf_puts(&b, ",\"data\":");
		pn_buf_json_str(&b, data, strlen(data));
	}
	if (pn_buf_puts(&b, "}") == PN_OK && b.p)
		emit(ctx, 0, b.p, b.len);
	pn_buf_release(&b);
	free(key);
	free(full);
	free(name);
	free(data);
}

/* Services\<name>\ImagePath set → service{op:create} too (sc.exe, services.exe). */
static void
maybe_service(sbx_wlog_emit emit, void *ctx, const char *root, const struct regval *v)
{
	static const char pre[] = "System\\\\CurrentControlSet\\\\Services\\\\";
	char name[256], data[1024];
	const char *k = v->key;
	struct pn_buf b;
	size_t n;

	if (strcmp(root, "HKEY_LOCAL_MACHINE") != 0 || strncasecmp(k, pre, sizeof(pre) - 1) != 0 ||
	    strcmp(v->name, "ImagePath") != 0)
		return;
	k += sizeof(pre) - 1;
	n = strlen(k);
	if (n == 0 || n >= sizeof(name) || strstr(k, "\\\\"))
		return;
	reg_unescape(k, name, sizeof(name));
	reg_data(v->data, data, sizeof(data));
	pn_buf_init(&b, PN_SBX_MAX_LINE);
	pn_buf_puts(&b, "{\"t\":0,\"ev\":\"service\",\"name\":");
	pn_buf_json_str(&b, name, strlen(name));
	pn_buf_puts(&b, ",\"op\":\"create\",\"source\":\"registry\",\"binpath\":");
	pn_buf_json_str(&b, data, strlen(data));
	if (pn_buf_puts(&b, "}") == PN_OK && b.p)
		emit(ctx, 0, b.p, b.len);
	pn_buf_release(&b);
}

/* Keys Wine itself rewrites on every start: not the sample's doing. */
static int
reg_noise(const struct regval *v)
{
	/* .reg spelling: backslashes doubled */
	static const char *const exact[] = { "Volatile Environment", "Software\\\\Wine",
		"System\\\\CurrentControlSet\\\\Control\\\\ComputerName\\\\ComputerName",
		"System\\\\CurrentControlSet\\\\Services\\\\Tcpip\\\\Parameters",
		"System\\\\CurrentControlSet\\\\Control\\\\TimeZoneInformation" };
	static const char wine_sub[] = "Software\\\\Wine\\\\";
	static const char dev_class[] = "System\\\\CurrentControlSet\\\\Control\\\\Class\\\\";
	size_t i;

	for (i = 0; i < PN_ARRAY_LEN(exact); i++)
		if (strcmp(v->key, exact[i]) == 0)
			return 1;
	/* the display driver's DriverDate/DriverDateData: today's date, written at every start */
	if (strncmp(v->key, dev_class, sizeof(dev_class) - 1) == 0 && strncmp(v->name, "DriverDate", 10) == 0)
		return 1;
	return strncmp(v->key, wine_sub, sizeof(wine_sub) - 1) == 0;
}

void
sbx_wine_reg_diff(const char *a, size_t alen, const char *b, size_t blen, const char *root,
    char *const *noise, size_t nnoise, sbx_wlog_emit emit, void *ctx)
{
	struct noise N = { noise, nnoise };
	struct hive A, B;
	size_t i = 0, j = 0;

	hive_parse(&A, a, alen);
	hive_parse(&B, b, blen);
	if (A.n)
		qsort(A.v, A.n, sizeof(*A.v), regval_cmp);
	if (B.n)
		qsort(B.v, B.n, sizeof(*B.v), regval_cmp);
	while (i < A.n || j < B.n) {
		int c = i >= A.n ? 1 : j >= B.n ? -1 : regval_cmp(&A.v[i], &B.v[j]);

		if (c < 0) {          /* gone in the run */
			if (!reg_noise(&A.v[i]))
				emit_reg(emit, ctx, &N, "reg_delete", root, &A.v[i], 0);
			/* a deleted key: skip its values */
			if (A.v[i].name[0] == '\0') {
				const char *k = A.v[i].key;
				while (i + 1 < A.n && strcmp(A.v[i + 1].key, k) == 0)
					i++;
				while (j < B.n && strcmp(B.v[j].key, k) == 0)
					j++;   /* cannot happen (sorted), kept for safety */
			}
			i++;
		} else if (c > 0) {   /* new in the run */
			if (B.v[j].name[0] && !reg_noise(&B.v[j])) {
				emit_reg(emit, ctx, &N, "reg_set", root, &B.v[j], 1);
				maybe_service(emit, ctx, root, &B.v[j]);
			}
			j++;
		} else {
			if (B.v[j].name[0] && strcmp(A.v[i].data, B.v[j].data) != 0 && !reg_noise(&B.v[j])) {
				emit_reg(emit, ctx, &N, "reg_set", root, &B.v[j], 1);
				maybe_service(emit, ctx, root, &B.v[j]);
			}
			i++;
			j++;
		}
	}
	free(A.v);
	free(B.v);
	free(A.text);
	free(B.text);
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
		if (wstr(k + 6, line + len, key, sizeof(key)) == NULL)
			return;
		pn_buf_puts(nb, key);
		if (v && wstr(v + 8, line + len, val, sizeof(val))) {
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
		qsort(*out, *n, sizeof(char *), str_cmp);
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
