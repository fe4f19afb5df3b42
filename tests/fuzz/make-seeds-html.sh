#!/bin/bash
# make-seeds-html.sh - write the seed corpus of fuzz_html into
# tests/fuzz/corpus/html/ (layout: fuzz_html.c: byte 0 = mode, bit 0 no
# page URL, bit 1 max_items 3; then the page).  Pages are small and link
# only to example.* hosts.
#
#   tests/fuzz/make-seeds-html.sh
#
# Only the files named below are (re)written; regress-* inputs stay.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/html
mkdir -p "$dir"

# seed FILE MODE STRING: mode byte (\xNN) then STRING, printf %b escapes
seed() {
	printf '%b%b' "$2" "$3" > "$dir/$1"
}

seed page '\x00' '<!DOCTYPE html><html><head><meta charset="utf-8"><title> A  test\n page </title>
<meta name="description" content="d"><meta property="og:title" content="t">
<meta name="keywords" content="one"><meta name="keywords" content="two">
<script src="/app.js"></script><script src="https://www.googletagmanager.com/gtag/js?id=G-X1"></script>
</head><body><a href="/local">l</a><a href="rel.html?x=1#f">r</a><a href="https://example.org/out">o</a>
<a href="javascript:alert(1)">j</a><a href="mailto:a@example.org">m</a><area href="//example.net/area">
<iframe src="https://frames.example.com/f"></iframe><frame src="f2.html"><form action="/login"></form>
</body></html>'
seed nobase '\x01' '<a href="/x">x</a><a href="http://example.com/abs">a</a><a href=" https://Example.COM:443/p ">p</a>'
seed maxitems '\x02' '<a href=/1></a><a href=/2></a><a href=/3></a><a href=/4></a><a href=/5></a><script src=/s1></script>'
seed base '\x00' '<html><head><base href="https://cdn.example.com/base/"></head><a href="x/y">x</a><a href="../up">u</a><script src="s.js"></script></html>'
seed badbase '\x00' '<base href="javascript:void(0)"><a href="rel">r</a><a href="https://example.com/">a</a>'
seed broken '\x00' '<title>unclosed <b>tags <i>everywhere<a href="/a"<a href=/b>b</a></div></p><table><tr><td><a href=/c>c</td>'
seed nested '\x00' '<div><div><div><div><div><div><div><div><span><span><span><a href="/deep">d</a></span>'
seed utf8 '\x00' '<title>\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xff\xfe bad</title><a href="/caf\xc3\xa9">c</a><a href="http://m\xc3\xbcnchen.de/">m</a>'
seed template '\x00' '<template><a href="/in-template">t</a></template><svg><a href="/svg">s</a></svg><noscript><a href="/ns">n</a></noscript>'
seed empty '\x00' ''
seed nul '\x00' '<title>a\x00b</title><a href="/\x00x">n</a>'
