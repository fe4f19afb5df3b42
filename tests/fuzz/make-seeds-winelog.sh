#!/bin/bash
# make-seeds-winelog.sh - write the seed corpus of fuzz_winelog into
# tests/fuzz/corpus/winelog/.  Layout (see tests/fuzz/fuzz_winelog.c):
# byte 0 picks the parser (\x00 Wine log, \x01 hives: template NUL run).
# The lines follow Wine 8's +pid,+timestamp,+relay,+process,+loaddll,
# +winsock formats; keys and names are made up.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/winelog
mkdir -p "$dir"

seed() {
	printf '%b' "$2" > "$dir/$1"
}

root='100.001:0020:0024:trace:loaddll:build_module Loaded L"C:\\\\users\\\\root\\\\Desktop\\\\s.exe" at 0000000140000000: native\n'
seed log-root      "\x00${root}"
seed log-mutex     "\x00${root}100.002:0020:0024:Call KERNEL32.CreateMutexA(00000000,00000001,0040a000 \"Global\\\\\\\\Mx\") ret=00401000\n"
seed log-reg       "\x00${root}100.003:0020:0024:Call advapi32.RegOpenKeyExW(80000002,0040a010 L\"Software\\\\\\\\Wine\",00000000,00020019,0073fe00) ret=00401000\n"
seed log-service   "\x00${root}100.004:0020:0024:Call advapi32.CreateServiceW(010a1ea0,14000a038 L\"Svc\\\\x00e9\",14000a030 L\"d\",000f01ff,00000010,00000002,00000001,14000a042 L\"C:\\\\\\\\svc.exe\",0,0,0,0,0) ret=1\n100.005:0020:0024:Ret  advapi32.CreateServiceW() retval=010a1f00 ret=1\n100.006:0020:0024:Call advapi32.StartServiceW(010a1f00,0,0) ret=1\n"
seed log-process   "\x00${root}100.007:0020:0024:trace:process:CreateProcessInternalW app (null) cmdline L\"cmd.exe /c \\\\\"x y\\\\\"\"\n100.008:0020:0024:trace:process:NtCreateUserProcess L\"x\" image L\"C:\\\\\\\\windows\\\\\\\\system32\\\\\\\\cmd.exe\" cmdline L\"c\" parent (nil)\n100.009:0020:0024:trace:process:CreateProcessInternalW started process pid 0030 tid 0034\n100.010:0030:0034:Call KERNEL32.ExitProcess(00000001) ret=0\n"
seed log-inject    "\x00${root}100.011:0020:0024:Call KERNEL32.OpenProcess(001fffff,00000000,00000030) ret=0\n100.012:0020:0024:Call KERNEL32.VirtualAllocEx(00000038,0,1000,3000,40) ret=0\n100.013:0020:0024:Call KERNEL32.WriteProcessMemory(00000038,110000,40a06a,1,73fe04) ret=0\n100.014:0020:0024:Call KERNEL32.CreateRemoteThread(00000038,0,0,110000,0,0,0) ret=0\n"
seed log-files     "\x00${root}100.015:0020:0024:Call KERNEL32.CreateFileW(0040a000 L\"C:\\\\\\\\a.txt\",40000000,0,0,100000002,0,0) ret=0\n100.016:0020:0024:Call KERNEL32.DeleteFileA(0040a000 \"C:\\\\\\\\a.txt\") ret=0\n100.017:0020:0024:Call KERNEL32.MoveFileExW(1 L\"C:\\\\\\\\s.exe\",0,4) ret=0\n"
seed log-net       "\x00${root}100.018:0020:0024:trace:winsock:connect socket 0x30, addr { family AF_INET, address 198.51.100.1, port 80 }\n100.019:0020:0024:Call ws2_32.getaddrinfo(1 \"c2.example.com\",2 \"80\",0,3) ret=0\n"
seed log-unimpl    "\x00${root}100.020:0020:0024:fixme:kernelbase:FooW stub\nwine: Call from 00000001 to unimplemented function KERNEL32.dll.Bar, aborting\n100.021:0020:0024:err:module:import_dll Library foo.dll (which is needed by L\"x\") not found\n"
seed log-broken    "\x00${root}100.022:0020:0024:Call KERNEL32.CreateMutexA(0,1,0040a000 \"unterminated\n1:2:3:4\n::::\n100.023:0020:0024:Call .(\n100.024:0020:0024:Call a.b(L\"\\\\x\n"
hive='WINE REGISTRY Version 2\n;; All keys relative to \\\\\\\\Machine\n\n#arch=win64\n\n'
seed reg-set       "\x01${hive}[Software\\\\\\\\A] 1\n\"v\"=\"1\"\n\x00${hive}[Software\\\\\\\\A] 2\n\"v\"=\"2\"\n\"n\"=dword:00000001\n@=\"d\"\n"
seed reg-delete    "\x01${hive}[Software\\\\\\\\A] 1\n\"v\"=\"1\"\n[Software\\\\\\\\B] 1\n\"w\"=hex:01,\\\\\n  02\n\x00${hive}[Software\\\\\\\\A] 2\n"
seed reg-service   "\x01\x00${hive}[System\\\\\\\\CurrentControlSet\\\\\\\\Services\\\\\\\\S] 2\n\"ImagePath\"=str(2):\"C:\\\\\\\\s.exe\"\n\"ms\"=hex(7):41,00,00,00,00,00\n"
seed reg-broken    "\x01[x\n\"a\"=\n[y] 1\n\"b\"=\"c\x00[\n\"\"\n@\n\"\\\\\n"
