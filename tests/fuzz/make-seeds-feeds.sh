#!/bin/bash
# make-seeds-feeds.sh - write the seed corpus of fuzz_feeds into
# tests/fuzz/corpus/feeds/.  Layout (tests/fuzz/fuzz_feeds.c): byte 0 =
# feed format (0 auto, 1 urls, 2 urlhaus, 3 openphish, 4 phishtank,
# 5 domains, 6 hosts, 7 cidr), then the feed text.  Hosts are under
# example.* and documentation address ranges only.
#
#   tests/fuzz/make-seeds-feeds.sh
#
# Only the files named below are (re)written; regress-* inputs stay.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/feeds
mkdir -p "$dir"

# seed FILE FORMAT-BYTE STRING: printf %b escapes in STRING
seed() {
	printf '%b%b' "$2" "${3-}" > "$dir/$1"
}

seed urls '\x01' '# list\nhttp://evil.example/login.php\nhttps://Phish.Example/kit/ # c\r\n\nhttp://198.51.100.7:8080/x.arm7\nhttp://[2001:db8::1]/a?b=c#d\nhttp://user@evil.example/\nnot a url\n'
seed openphish '\x03https://login.bank.example/secure/\nhttps://xn--pypal-4ve.example/\nhttp://a.example/b/c/d/e/f/g/\n'
seed urlhaus '\x02################\n# URLhaus dump\n# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"1","2026-12-01 10:00:00","http://198.51.100.7:8080/bins/x.arm7","online","2026-12-01 10:00:00","malware_download","elf,mirai","https://urlhaus.example/url/1/","r"\n"2","d","http://dl.example/a ""b"".exe","offline","","","exe","x","r"\n"3","unterminated\n'
seed phishtank '\x04phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n123,https://secure-pay.example/signin?x=1,http://pt.example/123,t,yes,t,yes,PayPal\n124,"http://o.example/a,b",http://pt.example/124,t,yes,t,yes,Other\n'
seed domains '\x05# names\nevil.example\n*.wild.example\n||tracker.example^\n0.0.0.0 ads.example other.example # c\nbad_name!\nxn--80ak6aa92e.example\n\xd0\xb0pple.example\n'
seed hosts '\x06127.0.0.1 localhost\n::1 ip6-localhost\n0.0.0.0 evil.example\n0.0.0.0\n'
seed cidr '\x07; Spamhaus DROP List\n192.0.2.0/24 ; SBL100\n198.51.100.0/22 ; SBL101\n198.51.100.128/25 ; SBL102\n203.0.113.9\n2001:db8:bad::/48 ; SBL103\n10.0.0.0/33\n::ffff:192.0.2.0/120\n0.0.0.0/0\n'
seed auto-drop '\x00; DROP\n192.0.2.0/24 ; SBL1\n'
seed auto-hosts '\x000.0.0.0 evil.example\n'
seed auto-urls '\x00\xef\xbb\xbfhttp://evil.example/\n'
seed empty '\x00'
echo "make-seeds-feeds: $(find "$dir" -type f | wc -l) files in tests/fuzz/$dir"
