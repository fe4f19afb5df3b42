#!/usr/bin/python3
"""whois_server.py - port-43 style WHOIS responders on loopback for tests of
net/whois.c.  Python stdlib only.

    whois_server.py [--lifetime SECONDS]

Starts one TCP listener per role on 127.0.0.1 and prints one line
"role=port role=port ..." then serves until killed (or --lifetime passes).
A client sends one query line ending in CRLF; the server answers and closes.

Roles:
  iana       IANA-style: "refer:" to whois.registry.test for domains,
             to whois.arin.test for addresses (plus the TLD's own dates,
             which must not end up as the domain's)
  registry   thin registry (Verisign-like "Key: Value" lines) with
             "Registrar WHOIS Server: whois.registrar.test"; "No match for"
             for unknown names; loop.test refers to itself, toip.test to
             an IP on port 4343, slowref.test to whois.silent.test
  registrar  thick registrar answer (registrant country, expiry, name servers)
  arin       ARIN-style answer (NetRange, CIDR, NetName, Country); for
             198.51.100.0/24 and 2001:db8::/32 "ReferralServer: whois://whois.ripe.test"
  ripe       RIPE-style answer (inetnum/inet6num, netname, country, source: RIPE)
  silent     reads the query, never answers
  garbage    answers binary bytes with NULs
  empty      closes without answering
  big        answers 600 KB of text

SPDX-License-Identifier: MIT
"""
import argparse
import ipaddress
import socket
import sys
import threading
import time

REGISTRY = """   Domain Name: {D}
   Registry Domain ID: 2336799_DOMAIN_TEST-VRSN
   Registrar WHOIS Server: {REF}
   Registrar URL: http://www.registrar.test
   Updated Date: 2024-08-14T07:01:34Z
   Creation Date: 1995-08-14T04:00:00Z
   Registry Expiry Date: 2025-08-13T04:00:00Z
   Registrar: Example Registrar, Inc.
   Registrar IANA ID: 376
   Registrar Abuse Contact Email: abuse@registrar.test
   Registrar Abuse Contact Phone: +1.5555551212
   Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited
   Name Server: A.NS.EXAMPLE.TEST
   Name Server: B.NS.EXAMPLE.TEST
   DNSSEC: signedDelegation
   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/
>>> Last update of whois database: 2024-09-01T12:00:00Z <<<

NOTICE: The expiration date displayed in this record is the date the
registrar's sponsorship of the domain name registration in the registry is
currently set to expire.
"""

REGISTRAR = """Domain Name: {d}
Registry Domain ID: 2336799_DOMAIN_TEST-VRSN
Registrar WHOIS Server: whois.registrar.test
Registrar URL: http://www.registrar.test
Updated Date: 2024-08-14T00:01:34-07:00
Creation Date: 1995-08-13T21:00:00-07:00
Registrar Registration Expiration Date: 2025-08-12T21:00:00-07:00
Registrar: Example Registrar, Inc.
Registrar IANA ID: 376
Registrant Name: REDACTED FOR PRIVACY
Registrant Organization: Example Holdings
Registrant State/Province: CA
Registrant Country: US
Name Server: a.ns.example.test
Name Server: b.ns.example.test
Name Server: c.ns.example.test.
DNSSEC: signedDelegation
"""

IANA_DOMAIN = """% IANA WHOIS server
% for more information on IANA, visit http://www.iana.org

refer:        whois.registry.test

domain:       {TLD}

organisation: Example Registry Services
address:      12061 Bluemont Way

whois:        whois.registry.test

status:       ACTIVE
remarks:      Registration information: http://www.registry.test

created:      1985-01-01
changed:      2023-12-07
source:       IANA
"""

IANA_IP = """% IANA WHOIS server

refer:        whois.arin.test

inetnum:      {NET}
organisation: ARIN
status:       ALLOCATED

whois:        whois.arin.test

changed:      1993-05
source:       IANA
"""

ARIN = """
#
# ARIN WHOIS data and services are subject to the Terms of Use
# available at: https://www.arin.net/resources/registry/whois/tou/
#

NetRange:       192.0.2.0 - 192.0.2.255
CIDR:           192.0.2.0/24
NetName:        TEST-NET-1
NetHandle:      NET-192-0-2-0-1
Parent:         NET192 (NET-192-0-0-0-0)
NetType:        Direct Allocation
OrgName:        Internet Assigned Numbers Authority
RegDate:        2010-01-12
Updated:        2013-08-30
Country:        US

OrgName:        Internet Assigned Numbers Authority
Country:        US
"""

ARIN_REFER = """
# ARIN WHOIS data and services are subject to the Terms of Use

NetRange:       {FIRST} - {LAST}
CIDR:           {NET}
NetName:        RIPE-CIDR-BLOCK
Country:        NL
ReferralServer: whois://whois.ripe.test
ResourceLink:   https://apps.db.ripe.net/search/query.html
"""

RIPE = """% This is the RIPE Database query service.
% The objects are in RPSL format.

% Information related to '{FIRST} - {LAST}'

{KIND}:        {RANGE}
netname:        EXAMPLE-NET
descr:          Example Networks B.V.
country:        {CC}
admin-c:        EX1-RIPE
status:         ASSIGNED PA
mnt-by:         EXAMPLE-MNT
created:        2012-03-05T10:11:12Z
last-modified:  2021-06-01T08:00:00Z
source:         RIPE # Filtered
"""

TEST_NET_1 = ipaddress.ip_network("192.0.2.0/24")
TEST_NET_2 = ipaddress.ip_network("198.51.100.0/24")
DOC_V6 = ipaddress.ip_network("2001:db8::/32")

PORTS = {}


def ip_of(q):
    try:
        return ipaddress.ip_address(q)
    except ValueError:
        return None


def registry(q):
    if q in ("example.test", "example.zz"):
        return REGISTRY.format(D=q.upper(), REF="whois.registrar.test")
    if q == "loop.test":
        return REGISTRY.format(D=q.upper(), REF="whois.registry.test")
    if q == "toip.test":
        return REGISTRY.format(D=q.upper(), REF="whois://10.0.0.1:4343")
    if q == "slowref.test":
        return REGISTRY.format(D=q.upper(), REF="whois.silent.test")
    return 'No match for "%s".\r\n>>> Last update of whois database: 2024-09-01T12:00:00Z <<<\r\n' \
        % q.upper()


def arin(q):
    ip = ip_of(q)
    if ip is None:
        return "No match found for %s.\n" % q
    for net in (TEST_NET_2, DOC_V6):
        if ip.version == net.version and ip in net:
            return ARIN_REFER.format(FIRST=net[0], LAST=net[-1], NET=net)
    return ARIN


def ripe(q):
    ip = ip_of(q)
    if ip is None:
        return "%ERROR:101: no entries found\n"
    if ip.version == 6:
        return RIPE.format(FIRST=DOC_V6[0], LAST=DOC_V6[-1], KIND="inet6num",
                           RANGE=DOC_V6, CC="DE")
    return RIPE.format(FIRST=TEST_NET_2[0], LAST=TEST_NET_2[-1], KIND="inetnum",
                       RANGE="%s - %s" % (TEST_NET_2[0], TEST_NET_2[-1]), CC="NL")


def answer(role, q):
    if role == "iana":
        if ip_of(q) is not None:
            return IANA_IP.format(NET="192.0.0.0 - 192.255.255.255")
        return IANA_DOMAIN.format(TLD=q.rsplit(".", 1)[-1].upper())
    if role == "registry":
        return registry(q)
    if role == "registrar":
        return REGISTRAR.format(d=q)
    if role == "arin":
        return arin(q)
    if role == "ripe":
        return ripe(q)
    if role == "big":
        line = "remarks: " + "x" * 70 + "\n"
        return "Registrar: Big Registrar\n" + line * (600 * 1024 // len(line))
    return ""


def handle(role, c):
    try:
        c.settimeout(10)
        data = b""
        while b"\n" not in data and len(data) < 1024:
            chunk = c.recv(1024)
            if not chunk:
                break
            data += chunk
        q = data.decode("ascii", "replace").strip().lower()
        if role == "silent":
            time.sleep(30)
        elif role == "garbage":
            c.sendall(bytes(range(256)) * 8)
        elif role != "empty":
            c.sendall(answer(role, q).replace("\n", "\r\n").encode())
    except OSError:
        pass
    finally:
        c.close()


def serve(role, ls):
    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(role, c), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=300.0)
    a = ap.parse_args()
    roles = ["iana", "registry", "registrar", "arin", "ripe", "silent", "garbage",
             "empty", "big"]
    for role in roles:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", 0))
        ls.listen(16)
        PORTS[role] = ls.getsockname()[1]
        threading.Thread(target=serve, args=(role, ls), daemon=True).start()
    print(" ".join("%s=%d" % (r, PORTS[r]) for r in roles), flush=True)
    time.sleep(a.lifetime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
