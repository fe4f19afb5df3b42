#!/bin/bash
# make-seeds-url.sh - write the seed corpus of fuzz_url into
# tests/fuzz/corpus/url/: one URL text per file (layout: fuzz_url.c),
# covering schemes, userinfo, IPv4 forms, IPv6, IDN, ports, percent-escapes,
# dot segments, base64url ids and a few refusals.  Hosts are example.*,
# documentation or loopback addresses.
#
#   tests/fuzz/make-seeds-url.sh
#
# Only the files named below are (re)written; regress-* inputs stay.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/url
mkdir -p "$dir"

# seed FILE STRING: write STRING with printf %b escapes (\t \n \xHH)
seed() {
	printf '%b' "$2" > "$dir/$1"
}

seed plain          'http://example.com/'
seed noscheme       'example.com/a/b?c=d#e'
seed hostport       'localhost:8080/x'
seed upper          'HTTPS://WWW.Example.COM:443/A/./b/../C?Q=1'
seed userinfo       'http://user:p%41ss@a@example.com:8080/'
seed ipv4dec        'http://3232235777/'
seed ipv4hex        'http://0xC0A80101/p'
seed ipv4oct        'http://0300.0250.01.01/'
seed ipv4short      'http://127.1:80/'
seed ipv4bad        'http://256.1.1.1/'
seed ipv6           'http://[2001:DB8:0:0:0:0:0:1]:8443/x'
seed ipv6mapped     'http://[::ffff:127.0.0.1]/'
seed ipv6zone       'http://[fe80::1%25eth0]/'
seed idn            'http://m\xc3\xbcnchen.de/stra\xc3\x9fe'
seed idncjk         'http://\xe4\xbe\x8b\xe3\x81\x88\xe3\x80\x82\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88/'
seed idnpct         'http://m%C3%BCnchen.de/'
seed fullwidth      'http://\xef\xbd\x85\xef\xbd\x98\xef\xbc\x8e\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8d/'
seed punycode       'http://XN--MNCHEN-3YA.de/'
seed pct            'http://example.com/%7euser/%2fa%zz%/%2e%2E/x?q=a b&r=%7E'
seed backslash      'http:\\\\example.com\\a\\..\\b'
seed spaces         '  http://exa\tmple.com/a\nb  '
seed ports          'http://example.com:65535/ https://example.com:0/'
seed ftp            'ftp://example.com/file.txt'
seed javascript     'javascript:alert(1)'
seed data           'data:text/html,<b>x</b>'
seed empty          'http://'
seed b64            'aHR0cDovL2V4YW1wbGUuY29tLw'
seed b64pad         'aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbQ=='
seed hexid          'd0e196a0c25d35dd0a84593cbae0f38333aa58529936444ea26453eab28dfc86'
seed dots           'http://ex..ample.com./../a/./b/..'
