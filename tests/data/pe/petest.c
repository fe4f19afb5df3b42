/*
 * petest.c - the test EXE of tests/unit/test_pe.c, built at test time
 * with mingw-w64 for x86_64 and i686: a TLS callback, imports by ordinal
 * from ws2_32.dll (closesocket = 3, WSAStartup = 115; pefile names them
 * from its table) and from mylib.dll (ordinal 7: "ord7"), imports by name
 * from kernel32/msvcrt, and a VERSIONINFO + RCDATA resource (petest.rc).
 * Never run; only parsed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>

int WINAPI myfunc7(void);   /* mylib.dll, by ordinal (mylib*.def) */

static void NTAPI
tls_cb(PVOID h, DWORD reason, PVOID r)
{
	(void)h;
	(void)r;
	if (reason == 1234)
		OutputDebugStringA("tls");
}

PIMAGE_TLS_CALLBACK tls_cb_ptr __attribute__((section(".CRT$XLB"), used)) = tls_cb;

int
main(int argc, char **argv)
{
	WSADATA w;

	(void)argv;
	if (argc > 5) {
		WSAStartup(0x202, &w);
		closesocket(0);
		myfunc7();
	}
	printf("hello %p\n", (void *)GetProcAddress(LoadLibraryA("user32.dll"), "MessageBoxA"));
	return 0;
}
