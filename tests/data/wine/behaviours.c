/*
 * behaviours.c - benign Windows test programs for the Wine Tracer
 * (tests/unit/test_wine.c).  Compiled at test time with mingw, once per
 * behaviour (-DPN_CASE_<NAME>) and per architecture (x86_64/i686-w64-
 * mingw32-gcc -lws2_32 -ladvapi32); each does exactly one thing the
 * report must show.  Nothing leaves the sandbox: names resolve at the
 * fake DNS, connections end at the fake network, the "service" binary and
 * the Run-key target do not exist, vssadmin is not even installed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int
spawn(char *cmd, DWORD flags, PROCESS_INFORMATION *pi)
{
	STARTUPINFOA si;

	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	return CreateProcessA(NULL, cmd, NULL, NULL, FALSE, flags, NULL, NULL, &si, pi) ? 0 : -1;
}

int
main(void)
{
#if defined(PN_CASE_RUNKEY)
	HKEY k;
	static const char target[] = "C:\\Users\\Public\\pnupdate.exe";

	if (RegCreateKeyExA(HKEY_CURRENT_USER, "Software\\Microsoft\\Windows\\CurrentVersion\\Run", 0,
	    NULL, 0, KEY_SET_VALUE, NULL, &k, NULL) != ERROR_SUCCESS)
		return 1;
	if (RegSetValueExA(k, "PnUpdater", 0, REG_SZ, (const BYTE *)target, sizeof(target)) != 0)
		return 2;
	RegCloseKey(k);
#elif defined(PN_CASE_SERVICE)
	SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_ALL_ACCESS), svc;

	if (scm == NULL)
		return 1;
	svc = CreateServiceA(scm, "PnTestSvc", "Panoptes test service", SERVICE_ALL_ACCESS,
	    SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
	    "C:\\Windows\\pntestsvc.exe", NULL, NULL, NULL, NULL, NULL);
	if (svc == NULL)
		return 2;
	StartServiceA(svc, 0, NULL);   /* fails: the binary does not exist */
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
#elif defined(PN_CASE_MUTEX)
	HANDLE m = CreateMutexA(NULL, TRUE, "PnTestMutex_7f3a"), o;

	if (m == NULL)
		return 1;
	o = OpenMutexA(SYNCHRONIZE, FALSE, "PnTestMutex_7f3a");
	if (o == NULL)
		return 2;
	CloseHandle(o);
	ReleaseMutex(m);
#elif defined(PN_CASE_FILES)
	static const char mz[] = "MZ\x90\0PanoptesTestDrop";
	DWORD n;
	HANDLE f = CreateFileA("C:\\Users\\Public\\svchost.exe", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
	    FILE_ATTRIBUTE_NORMAL, NULL);

	if (f == INVALID_HANDLE_VALUE || !WriteFile(f, mz, sizeof(mz), &n, NULL))
		return 1;
	CloseHandle(f);
	f = CreateFileA("C:\\Users\\Public\\notes.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (f == INVALID_HANDLE_VALUE || !WriteFile(f, "temporary\r\n", 11, &n, NULL))
		return 2;
	CloseHandle(f);
	if (!DeleteFileA("C:\\Users\\Public\\notes.txt"))
		return 3;
	if (!DeleteFileA("C:\\windows\\win.ini"))   /* existed before the run */
		return 4;
#elif defined(PN_CASE_CMD)
	PROCESS_INFORMATION pi;
	char cmd[] = "cmd.exe /c whoami";

	if (spawn(cmd, 0, &pi) != 0)
		return 1;
	WaitForSingleObject(pi.hProcess, 10000);
#elif defined(PN_CASE_NET)
	WSADATA wd;
	struct addrinfo hints, *ai;
	SOCKET s;
	static const char req[] = "GET /pn/beacon HTTP/1.1\r\nHost: c2.pn-test.example\r\n"
	    "User-Agent: PnTest/1.0\r\nConnection: close\r\n\r\n";
	char buf[256];

	if (WSAStartup(MAKEWORD(2, 2), &wd) != 0)
		return 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("c2.pn-test.example", "80", &hints, &ai) != 0)
		return 2;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s == INVALID_SOCKET || connect(s, ai->ai_addr, (int)ai->ai_addrlen) != 0)
		return 3;
	send(s, req, (int)sizeof(req) - 1, 0);
	recv(s, buf, sizeof(buf), 0);
	closesocket(s);
	freeaddrinfo(ai);
#elif defined(PN_CASE_INJECT)
	PROCESS_INFORMATION pi;
	char cmd[] = "cmd.exe /c exit";
	static const unsigned char code[] = { 0xc3 };   /* ret */
	HANDLE h, t;
	SIZE_T n;
	void *p;

	if (spawn(cmd, CREATE_SUSPENDED, &pi) != 0)
		return 1;
	h = OpenProcess(PROCESS_ALL_ACCESS, FALSE, pi.dwProcessId);
	if (h == NULL)
		return 2;
	p = VirtualAllocEx(h, NULL, 4096, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
	if (p == NULL)
		return 3;
	if (!WriteProcessMemory(h, p, code, sizeof(code), &n))
		return 4;
	t = CreateRemoteThread(h, NULL, 0, (LPTHREAD_START_ROUTINE)p, NULL, 0, NULL);
	if (t != NULL) {
		WaitForSingleObject(t, 3000);
		CloseHandle(t);
	}
	TerminateProcess(pi.hProcess, 0);
	CloseHandle(h);
#elif defined(PN_CASE_VSS)
	PROCESS_INFORMATION pi;
	char cmd[] = "cmd.exe /c vssadmin delete shadows /all /quiet";

	if (spawn(cmd, 0, &pi) != 0)
		return 1;
	WaitForSingleObject(pi.hProcess, 10000);
#elif defined(PN_CASE_SLEEP)
	HKEY k;

	/* a registry change, then a sleep past the time limit: the run is cut, the change kept */
	if (RegCreateKeyExA(HKEY_CURRENT_USER, "Software\\PnSleeper", 0, NULL, 0, KEY_SET_VALUE, NULL,
	    &k, NULL) != ERROR_SUCCESS || RegSetValueExA(k, "stage", 0, REG_SZ, (const BYTE *)"1", 2) != 0)
		return 1;
	Sleep(120000);
#elif defined(PN_CASE_STUB)
	/* a function Wine exports only as a stub: the call ends the program */
	FARPROC f = GetProcAddress(GetModuleHandleA("kernel32.dll"), "BaseCheckAppcompatCache");

	if (f == NULL)
		return 1;
	((void (WINAPI *)(void))(void *)f)();
#elif defined(PN_CASE_NOP)
	/* does nothing: the benign baseline */
#else
#error define one PN_CASE_*
#endif
	printf("done\n");
	return 0;
}
