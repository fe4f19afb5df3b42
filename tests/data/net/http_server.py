#!/usr/bin/python3
"""http_server.py - a small HTTP test server on loopback for tests of
net/fetch.c (redirects, downloads, HTML pages, slow-drip, huge headers,
endless redirects), plus an optional DNS responder that answers every A
query with one address (for the dns.servers path and DNS-rebinding tests).
Python stdlib only.

    http_server.py [--bind ADDR]... [--log PATH] [--dns] [--dns-a IP]
                   [--lifetime SECONDS]

Binds every --bind address (default 127.0.0.1; "::1" works) on one port
and prints that port on the first stdout line; with --dns, prints
"dns PORT" (UDP, 127.0.0.1) on the second: it answers every A query with
--dns-a (default 127.0.0.1), and names whose first label is "v6" with
AAAA ::1 only.  Serves until killed or until
--lifetime passes (a safety net for a test that dies).

--log PATH appends one line per accepted connection ("conn LOCAL PEER")
and per request ("req LOCAL METHOD PATH"), flushed at once: a test checks
that a refused fetch left no line.

Routes:
  /hello                  200 "hello\\n"
  /redirect/N             302 to /redirect/N-1 (relative when N is odd,
                          absolute when even); /redirect/1 -> /download
  /download?size=N        200 application/octet-stream attachment, N bytes
                          (default 100000), byte i = (7*i + 3) & 255
  /gzip?size=N            the same bytes, Content-Encoding: gzip
  /page.html              HTML with title, links, scripts, iframe, meta
  /loop/N                 302 to /loop/N+1, forever
  /to?u=URL               302 to URL
  /status/N               status N, short body
  /cookies                200 with two Set-Cookie headers
  /slow                   headers, then one byte every 0.5 s (slow drip)
  /hugeheaders?n=N&size=S N extra headers of S bytes each

SPDX-License-Identifier: MIT
"""
import argparse
import gzip
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_LOCK = threading.Lock()
LOG = None

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>  Panoptes
  test page </title>
<meta name="description" content="A test page">
<meta property="og:title" content="OG title">
<meta name="keywords" content="one">
<meta name="keywords" content="two">
<script src="/static/app.js"></script>
<script src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"></script>
<script src="//static.hotjar.com/c/hotjar-1.js?sv=6"></script>
</head><body>
<a href="/local/a">local</a>
<a href="other.html?x=1#frag">relative</a>
<a href="https://example.org/out">out</a>
<a href="http://sub.example.net/path">out2</a>
<a href="HTTPS://EXAMPLE.ORG/out">dup</a>
<a href="javascript:alert(1)">js</a>
<a href="mailto:a@example.org">mail</a>
<iframe src="https://frames.example.com/f"></iframe>
<form action="/login.php"><input name=p></form>
<p>unclosed <b>tags <i>everywhere
</body></html>
"""


def log(line):
    if LOG is None:
        return
    with LOG_LOCK:
        with open(LOG, "a") as f:
            f.write(line + "\n")


def payload(n):
    return bytes((7 * i + 3) & 255 for i in range(n))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PanoptesTest/1.0"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body=b"", ctype="text/plain", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, to, code=302):
        self.send(code, b"moved\n", headers=[("Location", to)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        log("req %s %s %s" % (self.connection.getsockname()[0], self.command, self.path))
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        parts = [p for p in u.path.split("/") if p]
        host = self.headers.get("Host", "localhost")
        try:
            if u.path == "/hello":
                return self.send(200, b"hello\n")
            if len(parts) == 2 and parts[0] == "redirect":
                n = int(parts[1])
                if n <= 1:
                    return self.redirect("/download")
                if n % 2:
                    return self.redirect("/redirect/%d" % (n - 1))
                return self.redirect("http://%s/redirect/%d" % (host, n - 1))
            if u.path in ("/download", "/gzip"):
                size = int(q.get("size", ["100000"])[0])
                body = payload(size)
                hdrs = [("Content-Disposition", 'attachment; filename="payload.bin"')]
                if u.path == "/gzip":
                    body = gzip.compress(body)
                    hdrs.append(("Content-Encoding", "gzip"))
                return self.send(200, body, "application/octet-stream", hdrs)
            if u.path == "/page.html":
                return self.send(200, PAGE.encode(), "text/html; charset=utf-8")
            if len(parts) == 2 and parts[0] == "loop":
                return self.redirect("/loop/%d" % (int(parts[1]) + 1))
            if u.path == "/to":
                return self.redirect(q["u"][0])
            if len(parts) == 2 and parts[0] == "status":
                return self.send(int(parts[1]), b"status body\n")
            if u.path == "/cookies":
                return self.send(200, b"c\n", headers=[
                    ("Set-Cookie", "session=abc123; Path=/; HttpOnly"),
                    ("Set-Cookie", "lang=en")])
            if u.path == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                self.wfile.flush()
                for _ in range(2000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
                return None
            if u.path == "/hugeheaders":
                n = int(q.get("n", ["1"])[0])
                size = int(q.get("size", ["200000"])[0])
                hdrs = [("X-Big-%d" % i, "a" * size) for i in range(n)]
                return self.send(200, b"big\n", headers=hdrs)
        except (BrokenPipeError, ConnectionResetError):
            return None
        except (ValueError, KeyError):
            return self.send(400, b"bad request\n")
        return self.send(404, b"not found\n")


class Server4(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass    # clients hanging up on purpose (limits, timeouts) are normal here

    def verify_request(self, request, client_address):
        log("conn %s %s" % (request.getsockname()[0], client_address[0]))
        return True


class Server6(Server4):
    address_family = socket.AF_INET6


def dns_loop(sock, answer):
    """Answer every query: A -> answer (when IPv4), else an empty NOERROR;
    names whose first label is "v6" get AAAA ::1 and no A."""
    while True:
        data, peer = sock.recvfrom(4096)
        if len(data) < 12:
            continue
        qid, _flags, qd = struct.unpack(">HHH", data[:6])
        if qd != 1:
            continue
        i = 12
        while i < len(data) and data[i] != 0:
            i += 1 + data[i]
        qend = i + 5
        if qend > len(data):
            continue
        qtype = struct.unpack(">H", data[i + 1:i + 3])[0]
        question = data[12:qend]
        ans = b""
        an = 0
        addr = "::1" if data[12:15] == b"\x02v6" else answer
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        if (qtype == 1 and fam == socket.AF_INET) or (qtype == 28 and fam == socket.AF_INET6):
            rd = socket.inet_pton(fam, addr)
            ans = b"\xc0\x0c" + struct.pack(">HHIH", qtype, 1, 0, len(rd)) + rd
            an = 1
        hdr = struct.pack(">HHHHHH", qid, 0x8180, 1, an, 0, 0)
        sock.sendto(hdr + question + ans, peer)


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", action="append")
    ap.add_argument("--log")
    ap.add_argument("--dns", action="store_true")
    ap.add_argument("--dns-a", default="127.0.0.1")
    ap.add_argument("--lifetime", type=float, default=300)
    a = ap.parse_args()
    LOG = a.log
    binds = a.bind or ["127.0.0.1"]
    servers = []
    port = 0
    for b in dict.fromkeys(binds):
        cls = Server6 if ":" in b else Server4
        s = cls((b, port), Handler)
        port = s.server_address[1]
        servers.append(s)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(port, flush=True)
    if a.dns:
        ds = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ds.bind(("127.0.0.1", 0))
        threading.Thread(target=dns_loop, args=(ds, a.dns_a), daemon=True).start()
        print("dns %d" % ds.getsockname()[1], flush=True)
    time.sleep(a.lifetime)
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
