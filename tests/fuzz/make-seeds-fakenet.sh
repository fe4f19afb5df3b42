#!/bin/bash
# make-seeds-fakenet.sh - write the seed corpus of fuzz_fakenet into
# tests/fuzz/corpus/fakenet/.  Layout (see tests/fuzz/fuzz_fakenet.c):
# byte 0 picks the parser (\x00 DNS, \x01 HTTP, \x02 TLS), then the bytes
# a sample would send.  Names are under example.com / .invalid.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/fakenet
mkdir -p "$dir"

# seed FILE STRING: write STRING with printf %b escapes
seed() {
	printf '%b' "$2" > "$dir/$1"
}

hdr='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'
seed dns-a        "\x00${hdr}\x03www\x07example\x03com\x00\x00\x01\x00\x01"
seed dns-aaaa     "\x00${hdr}\x03www\x07example\x03com\x00\x00\x1c\x00\x01"
seed dns-txt      "\x00${hdr}\x04data\x07example\x03com\x00\x00\x10\x00\x01"
seed dns-invalid  "\x00${hdr}\x02nx\x07invalid\x00\x00\x01\x00\x01"
seed dns-root     "\x00${hdr}\x00\x00\x02\x00\x01"
seed dns-ptr      "\x00${hdr}\xc0\x0c\x00\x01\x00\x01"
seed dns-trunc    "\x00${hdr}\x03www\x07exam"
seed dns-resp     "\x00\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x01a\x00\x00\x01\x00\x01"
seed http-get     "\x01GET /payload.bin?id=1 HTTP/1.1\r\nHost: update.example.com\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n"
seed http-post    "\x01POST /gate.php HTTP/1.0\r\nHost: 198.51.100.1:8080\r\nContent-Length: 4\r\n\r\nabcd"
seed http-lf      "\x01GET / HTTP/1.1\nHost: a\n\n"
seed http-partial "\x01GET /x HTTP/1.1\r\nHost: a"
seed http-09      "\x01GET /\r\n\r\n"
seed http-nocolon "\x01HEAD / HTTP/1.1\r\nbroken header\r\nX: y\r\n\r\n"
# ClientHello with SNI "c2.example.com"
ch='\x16\x03\x01\x00\x3c\x01\x00\x00\x38\x03\x03'
rnd='\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
rest='\x00\x00\x02\x13\x01\x01\x00\x00\x13\x00\x00\x00\x0f\x00\x0d\x00\x00\x0ac2.example'
seed tls-sni      "\x02${ch}${rnd}${rest}"
seed tls-nosni    "\x02\x16\x03\x01\x00\x2e\x01\x00\x00\x2a\x03\x03${rnd}\x00\x00\x02\x13\x01\x01\x00"
seed tls-trunc    "\x02\x16\x03\x01\x01\x00\x01\x00"
seed tls-notch    "\x02\x16\x03\x01\x00\x04\x02\x00\x00\x00"
