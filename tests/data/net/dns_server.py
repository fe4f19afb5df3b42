#!/usr/bin/python3
"""dns_server.py - a small authoritative DNS server for the test zone
example.test (and its reverse names) on loopback UDP, for tests of
net/dns.c.  Python stdlib only.

    dns_server.py [--mode normal|silent|garbage|servfail] [--host 127.0.0.1]
                  [--lifetime SECONDS]

Listens on UDP and TCP (same port; c-ares retries over TCP when a UDP
answer is longer than 512 bytes).  Prints the bound port on the first stdout line, then serves until killed
(or --lifetime passes, a safety net for a test that dies).

Modes: normal answers from ZONE (A, AAAA, CNAME, MX, NS, TXT, SOA, PTR;
NXDOMAIN with the SOA in the authority section; NODATA for an existing name
without the asked type); silent reads queries and never answers; garbage
answers with the right id and question but a cut-off, malformed answer
section; servfail answers SERVFAIL.  In normal mode bad.example.test answers
with an A record whose rdlength runs past the message.

SPDX-License-Identifier: MIT
"""
import argparse
import socket
import struct
import sys
import threading
import time

T = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
ORIGIN = "example.test"
SOA = ("ns1.example.test", "hostmaster.example.test", 2026120401, 7200, 900, 1209600, 300)

# name -> list of (type, ttl, value)
ZONE = {
    # A name on loopback: the URL integration tests fetch from it.
    "dl.example.test": [("A", 60, "127.0.0.1")],
    "example.test": [
        ("A", 300, "192.0.2.1"), ("A", 300, "192.0.2.2"),
        ("AAAA", 600, "2001:db8::1"),
        ("MX", 3600, (10, "mx1.example.test")), ("MX", 3600, (20, "mx2.example.test")),
        ("NS", 86400, "ns1.example.test"), ("NS", 86400, "ns2.example.test"),
        ("TXT", 120, [b"v=spf1 -all"]),
        ("TXT", 120, [b"part one;", b" part two", b"\x01bin\\"]),
        ("SOA", 3600, SOA),
    ],
    "www.example.test": [("CNAME", 60, "example.test")],
    "v6only.example.test": [("AAAA", 30, "2001:db8::53")],
    "txtonly.example.test": [("TXT", 30, [b"hello"])],
    "mx1.example.test": [("A", 300, "192.0.2.25")],
    "many.example.test": [("A", 5, "198.51.100.%d" % i) for i in range(1, 41)],
    "1.2.0.192.in-addr.arpa": [("PTR", 900, "example.test")],
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa":
        [("PTR", 900, "v6.example.test")],
}


def enc_name(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            b = label.encode("ascii")
            out += bytes([len(b)]) + b
    return out + b"\0"


def rdata(rtype, value):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, value)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, value)
    if rtype in ("NS", "CNAME", "PTR"):
        return enc_name(value)
    if rtype == "MX":
        return struct.pack(">H", value[0]) + enc_name(value[1])
    if rtype == "TXT":
        return b"".join(bytes([len(s)]) + s for s in value)
    if rtype == "SOA":
        return enc_name(value[0]) + enc_name(value[1]) + struct.pack(">5I", *value[2:])
    raise ValueError(rtype)


def rr(owner, rtype, ttl, value):
    # owner 0xc00c points at the question's name when it is the same name
    o = b"\xc0\x0c" if owner is None else enc_name(owner)
    d = rdata(rtype, value)
    return o + struct.pack(">HHIH", T[rtype], 1, ttl, len(d)) + d


def parse_query(msg):
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if qd != 1:
        return None
    off, labels = 12, []
    while off < len(msg):
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n > 63 or off + n > len(msg):
            return None
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    if off + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
    return qid, flags, ".".join(labels).lower(), qtype, msg[12:off + 4]


def header(qid, flags, rcode, an, ns):
    # QR, opcode copied, AA, RD copied, RA
    f = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    return struct.pack(">HHHHHH", qid, f, 1, an, ns, 0)


def answer(msg, mode):
    q = parse_query(msg)
    if q is None:
        return None
    qid, flags, name, qtype, question = q
    if mode == "servfail":
        return header(qid, flags, 2, 0, 0) + question
    if mode == "garbage":
        # one answer announced, a cut-off record follows
        return header(qid, flags, 0, 1, 0) + question + b"\xc0\x0c\x00\x01\x00"
    if name == "bad." + ORIGIN:
        body = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 200) + b"\x01\x02\x03"
        return header(qid, flags, 0, 1, 0) + question + body
    answers, cur = [], name
    for _ in range(8):  # follow in-zone CNAMEs
        recs = ZONE.get(cur)
        if recs is None:
            break
        wanted = [r for r in recs if T[r[0]] == qtype]
        if wanted:
            for r in wanted:
                answers.append(rr(None if cur == name else cur, r[0], r[1], r[2]))
            break
        cname = [r for r in recs if r[0] == "CNAME"]
        if not cname:
            break
        answers.append(rr(None if cur == name else cur, "CNAME", cname[0][1], cname[0][2]))
        cur = cname[0][2]
    if name not in ZONE:
        soa = rr(ORIGIN, "SOA", SOA[6], SOA)
        return header(qid, flags, 3, 0, 1) + question + soa
    return header(qid, flags, 0, len(answers), 0) + question + b"".join(answers)


def recv_exact(c, n):
    data = b""
    while len(data) < n:
        chunk = c.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_tcp(ls, mode):
    while True:
        c, _ = ls.accept()
        c.settimeout(5)
        try:
            while True:
                hdr = recv_exact(c, 2)
                if hdr is None:
                    break
                msg = recv_exact(c, struct.unpack(">H", hdr)[0])
                if msg is None or mode == "silent":
                    break
                out = answer(msg, mode)
                if out is None:
                    break
                c.sendall(struct.pack(">H", len(out)) + out)
        except OSError:
            pass
        c.close()


def bind_pair(host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(50):
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.bind((host, 0))
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind((host, u.getsockname()[1]))
        except OSError:
            u.close()
            t.close()
            continue
        t.listen(16)
        return u, t
    raise SystemExit("no free UDP+TCP port pair")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="normal",
                    choices=["normal", "silent", "garbage", "servfail"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--lifetime", type=float, default=300.0)
    a = ap.parse_args()
    s, ts = bind_pair(a.host)
    threading.Thread(target=serve_tcp, args=(ts, a.mode), daemon=True).start()
    print(s.getsockname()[1], flush=True)
    end = time.monotonic() + a.lifetime
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            msg, peer = s.recvfrom(65535)
        except socket.timeout:
            continue
        if a.mode == "silent":
            continue
        out = answer(msg, a.mode)
        if out is not None:
            s.sendto(out, peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
