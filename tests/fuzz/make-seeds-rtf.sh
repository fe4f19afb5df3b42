#!/bin/sh
# make-seeds-rtf.sh - write the seed corpus of fuzz_rtf into
# tests/fuzz/corpus/rtf/: small documents with an information group,
# embedded OLE 1.0 objects (Equation, Package, linked; their \objdata is
# the hex of headers built by the Python below), fields, a remote
# template, \bin data and broken structure.  Only the files named here
# are (re)written; regress-* and crash-* files are left alone.
#
#   tests/fuzz/make-seeds-rtf.sh
#
# Layout of an input: the whole input is the file (tests/fuzz/fuzz_rtf.c).
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")"
dir=corpus/rtf
mkdir -p "$dir"

/usr/bin/python3 - "$dir" <<'PY'
import os
import struct
import sys

d = sys.argv[1]


def lp(s):
    return struct.pack("<I", len(s) + 1) + s + b"\0"


def ole1(fmt, cls, topic=b"", native=b""):
    h = struct.pack("<II", 0x501, fmt) + lp(cls) + lp(topic) + lp(b"")
    if fmt == 2:
        return h + struct.pack("<I", len(native)) + native
    return h + lp(b"") + struct.pack("<II", 0, 1)


def package(name, data):
    return (b"\2\0" + name + b"\0C:\\src\\" + name + b"\0" + struct.pack("<II", 0x30000, 12 + len(name))
            + b"C:\\tmp\\" + name + b"\0" + struct.pack("<I", len(data)) + data)


def obj(kind, cls, data, extra=b""):
    return (b"{\\object\\" + kind + extra + b"{\\*\\objclass " + cls + b"}{\\*\\objdata\r\n"
            + data.hex().encode() + b"\r\n}{\\result x}}")


ole2 = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 24
seeds = {
    "plain": b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times;}}\\pard Hello \\'e9\\u8364?\\par}",
    "info": b"{\\rtf1{\\info{\\title T}{\\author A\\u-3913 ?}{\\creatim\\yr2021\\mo3\\dy4\\hr5\\min6}"
            b"{\\nofpages7}}{\\*\\generator gen;}}",
    "equation": b"{\\rtf1" + obj(b"objemb", b"Equation.3", ole1(2, b"Equation.3", native=ole2), b"\\objupdate") + b"}",
    "package": b"{\\rtf1" + obj(b"objemb", b"Package",
                                ole1(2, b"Package", native=package(b"a.exe", b"MZ\x90\0tiny"))) + b"}",
    "linked": b"{\\rtf1" + obj(b"objautlink", b"Word.Document.8",
                               ole1(1, b"Word.Document.8", b"http://l.example/x.doc")) + b"}",
    "fields": b"{\\rtf1{\\field{\\*\\fldinst {HYPERLINK \"http://f.example/\" \\\\o \"tip\"}}{\\fldrslt x}}"
              b"{\\field{\\*\\fldinst INCLUDEPICTURE \"https://i.example/p.png\" \\\\d}}"
              b"{\\field{\\*\\fldinst DDEAUTO c:\\\\cmd.exe \"/c x\"}}{\\*\\template http://t.example/t.dotm}}",
    "bin": b"{\\rtf1{\\object\\objemb{\\*\\objdata \\bin8 {}\\\\\x00\x01\x02\x03}}{\\pict\\bin3 }}}}",
    "broken": b"{\\rtxa {{{\\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1 \\fs12345678901234 {\\*\\objdata 0105 zz 00}}}}}} tail",
    "obfuscated": b"{\\rtf1{\\object\\objemb{\\*\\objdata 01{\\*\\x 99}05 0 0\\'41 02000000 08000000 50 61 63 6b"
                  b" 61 67 65 00 00000000 00000000 04000000 41424344}}}",
}
for name, data in seeds.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
PY
