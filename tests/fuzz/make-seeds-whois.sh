#!/bin/sh
# make-seeds-whois.sh - write the seed corpus of fuzz_whois into
# tests/fuzz/corpus/whois/: the answers of tests/data/net/whois_server.py
# (registry, registrar, IANA, ARIN, ARIN referral, RIPE v4/v6), a
# Nominet-style answer with values on following lines, and broken ones
# (over-long line, binary, CR-only, keys without values, odd dates).
# Only the files named here are (re)written; regress-* files are kept.
#
#   tests/fuzz/make-seeds-whois.sh
#
# Layout of an input: the whole input is one answer (tests/fuzz/fuzz_whois.c).
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")"
dir=corpus/whois
mkdir -p "$dir"

PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - "$dir" <<'PY'
import os
import sys

sys.path.insert(0, os.path.join("..", "data", "net"))
import whois_server as w  # noqa: E402

d = sys.argv[1]


def put(name, text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


put("registry", w.answer("registry", "example.test").replace("\n", "\r\n"))
put("registrar", w.answer("registrar", "example.test"))
put("no-match", w.answer("registry", "nope.test"))
put("iana-domain", w.answer("iana", "example.zz"))
put("iana-ip", w.answer("iana", "192.0.2.1"))
put("arin", w.answer("arin", "192.0.2.1"))
put("arin-referral", w.answer("arin", "198.51.100.7"))
put("ripe-v4", w.answer("ripe", "198.51.100.7"))
put("ripe-v6", w.answer("ripe", "2001:db8::1"))
put("nominet", """
    Domain name:
        example.co.uk

    Registrar:
        Example Registrar Ltd [Tag = EXAMPLE]
        URL: https://www.registrar.test

    Relevant dates:
        Registered on: 26-Aug-1996
        Expiry date:  26-Aug-2026
        Last updated:  25-Jul-2024

    Name servers:
        ns1.example.co.uk     192.0.2.53
        NS2.EXAMPLE.CO.UK.
""")
put("dates", "created: 2019.02.28\nexpires: 28.02.2029\nchanged: x@y.test 20190228\n"
    "paid-till: 2030-01-01T00:00:00.123+05:30\nUpdated Date: 1999-12-31 23:59:60\n")
put("referral-forms", "ReferralServer: whois://whois.ripe.test:4343/\n"
    "ReferralServer: rwhois://rwhois.test:4321\nrefer: [2001:db8::43]:43\n")
put("long-line", "Registrar: " + "x" * 1500 + "\nName Server: ns." + "a" * 70 + ".test\n")
put("binary", bytes(range(256)))
put("cr-only", "Registrar: A\rCreation Date: 2000-01-01\r")
put("empty-values", "Registrar:\nName Server:\n\n  \n:\n::::\nCIDR: ,\n")
put("utf8", "Registrar: Rägistrar GmbH \u2603\nRegistrant Country: DE\n")
PY
