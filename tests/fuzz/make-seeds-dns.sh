#!/bin/sh
# make-seeds-dns.sh - write the seed corpora of fuzz_dns_name
# (tests/fuzz/corpus/dns_name/) and fuzz_dns_reply
# (tests/fuzz/corpus/dns_reply/).  Reply seeds are the answers of
# tests/data/net/dns_server.py for every record type (with name
# compression), NXDOMAIN, the malformed ones it serves, and hand-cut
# messages (compression loop, cut record).  Only the files named here are
# (re)written; regress-* files are kept.
#
#   tests/fuzz/make-seeds-dns.sh
#
# Layouts: fuzz_dns_name takes the input as the name; fuzz_dns_reply's byte
# 0 selects the asked type (0 A, 1 NS, 2 CNAME, 3 SOA, 4 PTR, 5 MX, 6 TXT,
# 7 AAAA), the rest is the message.
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")"
mkdir -p corpus/dns_name corpus/dns_reply

PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - <<'PY'
import os
import struct
import sys

sys.path.insert(0, os.path.join("..", "data", "net"))
import dns_server as s  # noqa: E402

names = {
    "host": "www.example.com", "trailing-dot": "Example.COM.",
    "underscore": "_dmarc.example.com", "punycode": "xn--bcher-kva.example",
    "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "ipv6-brackets": "[::ffff:192.0.2.1]",
    "in-addr": "1.2.0.192.in-addr.arpa",
    "ip6-arpa": "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
    "psl": "a.b.evil.blogspot.com", "co-uk": "www.bbc.co.uk",
    "long-label": "a" * 64 + ".com", "empty-label": "a..b", "hyphen": "-a.b-",
    "non-ascii": "b\u00fccher.de", "numeric-tld": "1.2.3", "zone-id": "fe80::1%eth0",
}
for k, v in names.items():
    with open(os.path.join("corpus/dns_name", k), "wb") as f:
        f.write(v.encode("utf-8"))

order = ["A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA"]


def query(name, qtype):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + s.enc_name(name)
    return q + struct.pack(">HH", s.T[qtype], 1)


def put(fname, qtype, msg):
    with open(os.path.join("corpus/dns_reply", fname), "wb") as f:
        f.write(bytes([order.index(qtype)]) + msg)


for t in order:
    name = {"PTR": "1.2.0.192.in-addr.arpa", "CNAME": "www.example.test"}.get(t, "example.test")
    put("answer-" + t.lower(), t, s.answer(query(name, t), "normal"))
put("cname-chain", "A", s.answer(query("www.example.test", "A"), "normal"))
put("nxdomain", "A", s.answer(query("nothere.example.test", "A"), "normal"))
put("bad-rdlength", "A", s.answer(query("bad.example.test", "A"), "normal"))
put("garbage", "A", s.answer(query("example.test", "A"), "garbage"))
hdr = struct.pack(">HHHHHH", 1, 0x8180, 0, 1, 0, 0)
put("pointer-loop", "A", hdr + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + b"\1\2\3\4")
put("mx-cut", "MX", hdr + b"\1a\0" + struct.pack(">HHIH", 15, 1, 60, 4) + b"\0\5\xc0")
PY
