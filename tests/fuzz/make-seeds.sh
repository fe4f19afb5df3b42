#!/bin/bash
# make-seeds.sh - write the seed corpora of the fuzz targets into
# tests/fuzz/corpus/<name>/, so that binary seeds are reviewable as
# source here instead of being hand-edited blobs.
#
#   tests/fuzz/make-seeds.sh            all targets this script knows
#   tests/fuzz/make-seeds.sh multipart  one target
#
# Only the files named below are (re)written; other files in a corpus
# directory (regression inputs from crashes: regress-*, crash-*) are left
# alone.  Add a target: write a seeds_<name> function and list it in
# TARGETS.  Seed layouts are described at the top of each
# tests/fuzz/fuzz_<name>.c.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
TARGETS="multipart"

# seed FILE STRING: write STRING with printf %b escapes (\r \n \t \xHH \0NNN)
seed() {
	printf '%b' "$2" > "$dir/$1"
}

# ------------------------------------------------------------- multipart
#
# fuzz_multipart input: byte 0 = split mode (bits 0-1) | Content-Type
# selector << 4 (0: boundary=B, 1: the 40-character LONG boundary,
# 2-3: the first line of the rest), byte 1 = split parameter, then the
# body.  The first two bytes are kept printable:
#   '@' one piece, B          'A' two pieces, B     'B' fixed chunks, B
#   'C' generated sizes, B    'P'..'S' the same with LONG
#   '0'..'3' the same with the Content-Type line
# and for 'C'/'S'/'3' a parameter of ' ' (32) means one byte at a time.
seeds_multipart() {
	local L='----------------fuzzBoundary7MA4YWxkTrZu'
	local C='------------------------d74496d66958873e'   # curl style
	local W='----WebKitFormBoundary7MA4YWxkTrZu0gW'       # browser style
	local cd='Content-Disposition: form-data'

	# The VT upload: file then password, as curl -F sends it.
	seed upload-curl "0 multipart/form-data; boundary=$C\n--$C\r\n$cd; name=\"file\"; filename=\"sample.exe\"\r\nContent-Type: application/octet-stream\r\n\r\nMZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\r\n--$C\r\n$cd; name=\"password\"\r\n\r\ninfected\r\n--$C--\r\n"
	# Password first, browser boundary, byte at a time.
	seed upload-browser "3 multipart/form-data; boundary=$W\n--$W\r\n$cd; name=\"password\"\r\n\r\ns3cr3t\r\n--$W\r\n$cd; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\r\n--$W--\r\n"
	# Short boundary, fixed chunks of 36 bytes.
	seed upload-short "B#--B\r\n$cd; name=\"file\"; filename=\"x\"\r\n\r\nab\r\n-\r\n--\r\n--c\r\n--B\r\n$cd; name=\"url\"\r\n\r\nhttp://example.invalid/\r\n--B--"
	# Data full of delimiter prefixes and binary, long boundary, random splits.
	seed binary-prefixes "S%--$L\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bin\"\r\n\r\n\x00\r\n--\r\n-\r\r\n\n--${L:0:20}\r\n--${L:0:39}X\r\n\xff\xfe--$L\r\r\n--\r\n--$L--\r\n"
	# LF-only body.
	seed lf-only "A@--B\n$cd; name=\"file\"; filename=\"lf.txt\"\nContent-Type: text/plain\n\nline1\nline2\n--B\n$cd; name=password\n\npw\n--B--\n"
	# Preamble, transport padding, epilogue.
	seed preamble-epilogue "Bd preamble\r\n--Bnot\r\n--B- no\r\n--B \t \r\n$cd; name=a\r\n\r\n1\r\n--B\t\r\n$cd; name=b\r\n\r\n2\r\n--B--  \r\nepilogue\r\n--B\r\n"
	# Empty parts and a close delimiter only.
	seed empty-part "@ --B\r\n$cd; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n"
	seed close-only "@ --B--"
	# Folded headers, odd case, other headers.
	seed folded-headers "Q!--$L\r\nX-Other: y\r\ncontent-DISPOSITION: FORM-DATA;\r\n\tname=\"file\";\r\n  filename=\"folded.bin\"\r\ncontent-type:  text/plain; charset=utf-8 \r\nContent-Transfer-Encoding: binary\r\n\r\ndata\r\n--$L--\r\n"
	# Quoting: escapes, Windows paths, filename*, unquoted tokens, trailing ';'.
	seed filename-quoting "B\x01--B\r\n$cd; name=\"file\"; filename=\"a\\\\\"b\\\\\\\\c.exe\"\r\n\r\nx\r\n--B\r\n$cd; name=file; filename=\"C:\\\\dir\\\\x.exe\"; filename*=UTF-8''%e2%82%ac.exe;\r\n\r\ny\r\n--B\r\n$cd;name=z;filename=plain.bin\r\n\r\nz\r\n--B--\r\n"
	# Content-Type lines: quoted boundary with spaces, charset, 70 characters.
	seed ct-quoted "1Pmultipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"\n--a b'()+_,-./:=?\r\n$cd; name=f\r\n\r\nv\r\n--a b'()+_,-./:=?--\r\n"
	seed ct-70 "2\x10Multipart/Form-Data; BOUNDARY=0123456789012345678901234567890123456789012345678901234567890123456789\n--0123456789012345678901234567890123456789012345678901234567890123456789\r\n$cd; name=f\r\n\r\nv\r\n--0123456789012345678901234567890123456789012345678901234567890123456789--"
	seed ct-bad "0 multipart/mixed; boundary=\"unterminated\n--unterminated\r\n\r\n--unterminated--"
	# Errors: truncated, garbage after a boundary, no Content-Disposition, NUL.
	seed truncated "C\x05--B\r\n$cd; name=\"file\"; filename=\"t\"\r\n\r\nabc\r\n--B"
	seed garbage-after-boundary "A\x80--B\r\n$cd; name=a\r\n\r\nv\r\n--Bxyz\r\n$cd; name=b\r\n\r\n\r\n--B--"
	seed no-disposition "@ --B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--"
	seed nul-in-header "@ --B\r\n$cd; name=\"a\x00b\"\r\n\r\nv\r\n--B--"
	# Limits: 65 parts; a header block just over PN_MP_MAX_HEADER_BYTES.
	local parts="" i pad
	for i in $(seq 1 65); do
		parts="$parts--B\r\n$cd; name=f$i\r\n\r\n$i\r\n"
	done
	seed many-parts "B\x3f${parts}--B--"
	pad=$(printf '%08190d' 0)
	seed big-header "@ --B\r\n$cd; name=f\r\nX-Pad: $pad\r\n\r\nv\r\n--B--"
}

want="${*:-$TARGETS}"
for t in $want; do
	dir="corpus/$t"
	mkdir -p "$dir"
	"seeds_$t"
	echo "make-seeds: $(find "$dir" -type f | wc -l) files in tests/fuzz/$dir"
done
