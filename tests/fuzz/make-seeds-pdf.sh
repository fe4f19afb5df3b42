#!/bin/sh
# make-seeds-pdf.sh - write the seed corpus of fuzz_pdf into
# tests/fuzz/corpus/pdf/: the small documents of
# tests/data/pdf/make-pdfs.py (not the deflate bombs or the 5000-object
# one, which would make the replay of `make check` slow) and a few
# malformed fragments.  Only the files named here are (re)written; other
# files (regress-*, crash-*) are left alone.
#
#   tests/fuzz/make-seeds-pdf.sh
#
# Layout of an input: the whole input is the file (tests/fuzz/fuzz_pdf.c).
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")"
dir=corpus/pdf
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

/usr/bin/python3 ../data/pdf/make-pdfs.py "$tmp"
for n in plain openaction-js flate-js embedded uri hexnames encrypted objstm \
    chain launch keywords header-offset; do
	cp "$tmp/$n.pdf" "$dir/$n.pdf"
done

# seed FILE STRING: write STRING with printf %b escapes
seed() {
	printf '%b' "$2" > "$dir/$1"
}

seed unterminated '%PDF-1.4\n1 0 obj <</JS (unterminated (nested \\) string'
seed no-endstream '%PDF-1.4\n1 0 obj <</Length 999 /Filter /FlateDecode>> stream\nx\x9c\xcbH\xcd\xc9\xc9\x07\x00'
seed nested '%PDF-1.4\n1 0 obj <<<<[[<<[/JS <4142>]>>]]>>>> endobj 2 0 obj [[[[[( endobj'
seed indirect-length '%PDF-1.4\n1 0 obj <</S/JavaScript/JS 2 0 R>> endobj\n2 0 obj <</Length 3 0 R>> stream\r\napp.alert(2)\r\nendstream endobj\n3 0 obj 12 endobj\n%%EOF\n'
seed filters '%PDF-1.4\n1 0 obj <</JS 2 0 R>>endobj 2 0 obj<</Filter[/AHx/A85/RL/Fl]/DecodeParms<</Predictor 12>>/Length 9>>stream\n41 42 43>\nendstream\nendobj'
seed objstm-bad '%PDF-1.5\n1 0 obj <</Type/ObjStm/N 3/First 99/Length 12>> stream\n1 0 2 5 <</\nendstream endobj\n2 0 obj <</Type/ObjStm/N 2/First 8>> stream\n3 0 4 2 (a) <</URI (http://x.example/)>>\nendstream endobj'
seed hex-names '%PDF-1.4\n/J#61vaScript /J#53 /#4f#70#65#6e#41ction /Colors 99999999 /Page /Pages /Ur#49 (http://h.example/)'
