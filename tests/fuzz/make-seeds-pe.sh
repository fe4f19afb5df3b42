#!/bin/bash
# make-seeds-pe.sh - write the seed corpus of fuzz_pe into
# tests/fuzz/corpus/pe/ (the files are committed; rerun after changing
# this script).
#
#   tests/fuzz/make-seeds-pe.sh
#
# Seeds, each under 8 KB:
#   hand32.exe       PE32 built byte by byte (Python below): rich header,
#                    imports by name and by ordinal, exports, resource
#                    tree, TLS callbacks, CodeView RSDS debug entry, overlay
#   hand64.dll       PE32+ DLL: named resource type, VERSIONINFO, CLR header
#                    and metadata root, a certificate table whose PKCS#7 is
#                    garbage, a resource tree with a cycle
#   trunc32.exe      the first 700 bytes of hand32.exe
#   tiny64.exe       mingw-w64 x86_64, -nostdlib, stripped: ws2_32 imports
#                    by ordinal, VERSIONINFO (tests/data/pe/petest.rc's)
#   tiny32.dll       mingw-w64 i686 -nostdlib DLL with exports
#   signed64.exe     tiny64.exe signed by osslsigncode with a throwaway
#                    self-signed EC certificate (a real PKCS#7 SignedData)
# The mingw/osslsigncode seeds are skipped (kept as they are) when the
# tools are missing.  Other files in the directory (regress-*: inputs of
# past crashes) are left alone.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/pe
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$out" <<'PY'
import struct, sys
out = sys.argv[1]

def p16(b, o, v): struct.pack_into("<H", b, o, v & 0xffff)
def p32(b, o, v): struct.pack_into("<I", b, o, v & 0xffffffff)
def p64(b, o, v): struct.pack_into("<Q", b, o, v)

def pe(is64, dll):
    size = 0xe00
    b = bytearray(size)
    b[0:2] = b"MZ"; p32(b, 0x3c, 0x100)
    K = 0x1a2b3c4d
    rich = [0x536e6144 ^ K, K, K, K, (0x0104 << 16 | 30319) ^ K, 48 ^ K, 0x68636952, K]
    for i, v in enumerate(rich): p32(b, 0x80 + 4 * i, v)
    b[0x100:0x104] = b"PE\0\0"
    p16(b, 0x104, 0x8664 if is64 else 0x14c); p16(b, 0x106, 4); p32(b, 0x108, 0x5f000000)
    optsz = 0xf0 if is64 else 0xe0
    p16(b, 0x114, optsz); p16(b, 0x116, 0x2022 if dll else 0x0102)
    o = 0x118
    p16(b, o, 0x20b if is64 else 0x10b); p32(b, o + 16, 0x1000)
    if is64: p64(b, o + 24, 0x140000000)
    else: p32(b, o + 28, 0x400000)
    p32(b, o + 32, 0x1000); p32(b, o + 36, 0x200); p16(b, o + 40, 6); p16(b, o + 48, 6)
    p32(b, o + 56, 0x5000); p32(b, o + 60, 0x400); p16(b, o + 68, 2)
    d = o + (112 if is64 else 96); p32(b, d - 4, 16)
    dirs = {0: (0x2180, 40), 1: (0x2000, 60), 2: (0x3000, 0x400), 6: (0x2200, 28),
            9: (0x2240, 40 if is64 else 24)}
    if is64: dirs[14] = (0x2300, 72); dirs[4] = (0xe00, 0x40)
    for k, (r, s) in dirs.items(): p32(b, d + 8 * k, r); p32(b, d + 8 * k + 4, s)
    st = o + optsz
    secs = [(b".text", 0x1000, 0x200, 0x400, 0x60000020), (b".idata", 0x2000, 0x400, 0x600, 0xc0000040),
            (b".rsrc", 0x3000, 0x400, 0xa00, 0x40000040), (b"UPX1", 0x4000, 0, 0, 0xe0000080)]
    for i, (n, va, rs, ro, ch) in enumerate(secs):
        s = st + 40 * i; b[s:s + len(n)] = n
        p32(b, s + 8, max(rs, 0x100)); p32(b, s + 12, va); p32(b, s + 16, rs); p32(b, s + 20, ro); p32(b, s + 36, ch)
    b[0x400] = 0xc3
    I = 0x600  # RVA 0x2000
    w = 8 if is64 else 4
    put = p64 if is64 else p32
    flag = (1 << 63) if is64 else (1 << 31)
    p32(b, I + 0, 0x2040); p32(b, I + 12, 0x2100); p32(b, I + 16, 0x2060)
    p32(b, I + 20, 0x2050); p32(b, I + 32, 0x2110); p32(b, I + 36, 0x2070)
    put(b, I + 0x40, 0x2080); put(b, I + 0x40 + w, 0x20a0)
    put(b, I + 0x50, flag | 3)
    put(b, I + 0x60, 0x2080); put(b, I + 0x60 + w, 0x20a0)
    put(b, I + 0x70, flag | 115)
    b[I + 0x82:I + 0x82 + 12] = b"LoadLibraryA"; b[I + 0xa2:I + 0xa2 + 14] = b"GetProcAddress"
    b[I + 0x100:I + 0x10c] = b"KERNEL32.dll"; b[I + 0x110:I + 0x11a] = b"WS2_32.dll"
    # exports at RVA 0x2180
    p32(b, I + 0x18c, 0x21c0); p32(b, I + 0x190, 1); p32(b, I + 0x194, 2); p32(b, I + 0x198, 1)
    p32(b, I + 0x19c, 0x21a8); p32(b, I + 0x1a0, 0x21b0); p32(b, I + 0x1a4, 0x21b4)
    p32(b, I + 0x1a8, 0x1000); p32(b, I + 0x1ac, 0x2190)   # second one forwards
    p32(b, I + 0x1b0, 0x21c8); b[I + 0x1c0:I + 0x1c6] = b"hf.dll"; b[I + 0x1c8:I + 0x1cd] = b"Hello"
    # debug at RVA 0x2200: CodeView RSDS at file 0x780 (RVA 0x2380)
    p32(b, I + 0x20c, 2); p32(b, I + 0x210, 40); p32(b, I + 0x214, 0x2380); p32(b, I + 0x218, 0x980)
    b[0x980:0x984] = b"RSDS"; b[0x984:0x994] = bytes(range(16)); p32(b, 0x994, 1); b[0x998:0x9a8] = b"C:\\x\\hand.pdb\0\0\0"
    # TLS at RVA 0x2240, callbacks at RVA 0x2280
    base = 0x140000000 if is64 else 0x400000
    put(b, I + 0x240 + 3 * w, base + 0x2280)
    put(b, I + 0x280, base + 0x1000); put(b, I + 0x280 + w, base + 0x1001)
    if is64:  # CLR header at RVA 0x2300, metadata root at 0x2340
        p32(b, I + 0x300, 72); p16(b, I + 0x304, 2); p16(b, I + 0x306, 5); p32(b, I + 0x308, 0x2340); p32(b, I + 0x30c, 0x40)
        p32(b, I + 0x340, 0x424a5342); p16(b, I + 0x344, 1); p16(b, I + 0x346, 1); p32(b, I + 0x34c, 12)
        b[I + 0x350:I + 0x35b] = b"v4.0.30319\0"
        # certificate table at file 0xa00: WIN_CERTIFICATE with garbage PKCS#7
        b += bytes(0x40); p32(b, 0xe00, 0x40); p16(b, 0xe04, 0x200); p16(b, 0xe06, 2); b[0xe08:0xe40] = b"\x30\x82\x00\x30" + b"\x06" * 0x34
    # resources at RVA 0x3000 = file 0x800
    R = 0xa00
    def rdir(off, entries):
        named = sum(1 for e in entries if e[0] & 0x80000000)
        p16(b, R + off + 12, named); p16(b, R + off + 14, len(entries) - named)
        for i, (nm, tgt) in enumerate(entries):
            p32(b, R + off + 16 + 8 * i, nm); p32(b, R + off + 20 + 8 * i, tgt)
    if is64:
        rdir(0, [(0x80000100, 0x80000020), (16, 0x80000040)])
        b[R + 0x100:R + 0x10c] = struct.pack("<H", 5) + "MYRES".encode("utf-16-le")
        rdir(0x20, [(1, 0x80000060)])
        rdir(0x40, [(1, 0x80000080)])
        rdir(0x60, [(0x409, 0xa0), (0x407, 0x80000000)])   # second: a cycle
        rdir(0x80, [(0x409, 0xb0)])
        p32(b, R + 0xa0, 0x3120); p32(b, R + 0xa4, 8)
        b[R + 0x120:R + 0x128] = b"\x89PNG\r\n\x1a\n"
        vi = verinfo()
        p32(b, R + 0xb0, 0x3140); p32(b, R + 0xb4, len(vi))
        b[R + 0x140:R + 0x140 + len(vi)] = vi
    else:
        rdir(0, [(10, 0x80000018)]); rdir(0x18, [(1, 0x80000030)]); rdir(0x30, [(0x409, 0x48)])
        p32(b, R + 0x48, 0x3060); p32(b, R + 0x4c, 5); b[R + 0x60:R + 0x65] = b"hello"
        b += b"PK\x03\x04overlay"
    return bytes(b)

def node(key, value=b"", vtype=1, children=b"", vlen=None):
    k = (key + "\0").encode("utf-16-le")
    hdr = 6 + len(k)
    pad = (4 - hdr % 4) % 4
    body = k + b"\0" * pad + value
    body += b"\0" * ((4 - (6 + len(body)) % 4) % 4) + children
    if vlen is None:
        vlen = len(value) // 2 if vtype == 1 else len(value)
    return struct.pack("<HHH", 6 + len(body), vlen, vtype) + body

def verinfo():
    strs = b""
    for k, v in [("FileDescription", "Hand PE"), ("OriginalFilename", "hand.dll")]:
        n = node(k, (v + "\0").encode("utf-16-le"))
        strs += n + b"\0" * ((4 - len(n) % 4) % 4)
    table = node("040904b0", children=strs)
    sfi = node("StringFileInfo", children=table)
    fixed = struct.pack("<13I", 0xfeef04bd, 0x10000, 0x10002, 0x30004, 0x10002, 0, 0x3f, 0, 4, 1, 0, 0, 0)
    return node("VS_VERSION_INFO", fixed, vtype=0, children=sfi, vlen=len(fixed))

h32 = pe(False, False)
open(out + "/hand32.exe", "wb").write(h32)
open(out + "/hand64.dll", "wb").write(pe(True, True))
open(out + "/trunc32.exe", "wb").write(h32[:700])
PY

if command -v x86_64-w64-mingw32-gcc >/dev/null && command -v i686-w64-mingw32-gcc >/dev/null; then
	d=$PWD/tests/data/pe
	cat > "$tmp/tiny.c" <<'C'
#include <winsock2.h>
#include <windows.h>
__declspec(dllexport) int tiny_export(int a) { return a + 1; }
void start(void) { WSADATA w; WSAStartup(0x202, &w); closesocket(0); ExitProcess(0); }
C
	cat > "$tmp/tinydll.c" <<'C'
#include <windows.h>
__declspec(dllexport) int WINAPI tiny_add(int a, int b) { return a + b; }
__declspec(dllexport) int WINAPI tiny_sub(int a, int b) { return a - b; }
BOOL WINAPI DllMainCRTStartup(HINSTANCE h, DWORD r, LPVOID p) { return TRUE; }
C
	printf '\x89PNG\r\n\x1a\n0123' > "$tmp/blob.bin"
	(cd "$tmp" &&
	 x86_64-w64-mingw32-dlltool -d "$d/ws2ord64.def" -l libws2ord.a &&
	 x86_64-w64-mingw32-windres -O coff -o res.o "$d/petest.rc" &&
	 x86_64-w64-mingw32-gcc -Os -s -nostdlib -Wl,--entry=start -o tiny64.exe tiny.c res.o -L. -lws2ord -lkernel32 &&
	 i686-w64-mingw32-gcc -Os -s -nostdlib -shared -Wl,--entry=_DllMainCRTStartup@12 -o tiny32.dll tinydll.c -lkernel32)
	cp "$tmp/tiny64.exe" "$tmp/tiny32.dll" "$out/"
	if command -v osslsigncode >/dev/null && command -v openssl >/dev/null; then
		(cd "$tmp" &&
		 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=Panoptes Fuzz Seed' \
		     -days 1 -keyout k.pem -out c.pem >/dev/null 2>&1 &&
		 osslsigncode sign -certs c.pem -key k.pem -h sha256 -in tiny64.exe -out signed64.exe >/dev/null)
		cp "$tmp/signed64.exe" "$out/"
	else
		echo "make-seeds-pe: osslsigncode/openssl missing: signed64.exe kept as it is" >&2
	fi
else
	echo "make-seeds-pe: mingw-w64 missing: tiny64.exe, tiny32.dll kept as they are" >&2
fi
ls -l "$out"
