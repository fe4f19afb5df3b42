/*
 * petest_dll.c - the test DLL of tests/unit/test_pe.c (mingw-w64, both
 * architectures): two named exports.  Never run; only parsed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <windows.h>

__declspec(dllexport) int pn_add(int a, int b) { return a + b; }
__declspec(dllexport) int pn_mul(int a, int b) { return a * b; }

BOOL WINAPI
DllMain(HINSTANCE h, DWORD reason, LPVOID r)
{
	(void)h;
	(void)reason;
	(void)r;
	return TRUE;
}
