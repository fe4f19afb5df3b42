#!/usr/bin/python3
"""icap_server.py - a small ICAP server (RFC 3507) for the ICAP engine's tests
(tests/unit/test_external.c, engines/icap.c).  Python standard library only.

    icap_server.py [--preview N] [--istag TAG] [--log FILE]

Listens on 127.0.0.1 on a free port and prints "ready PORT" on stdout.
OPTIONS answers 200 with Methods: RESPMOD, the ISTag, Allow: 204 and, with
--preview, Preview: N.  RESPMOD reads the encapsulated headers and the
chunked body (honouring a preview: "100 Continue" unless the preview was
the whole body or already decides), and flags a body containing
b"PN-ICAP-MARK:" NAME b";".  The service (URL path) picks the answer:

  /avscan      infected: 200 + X-Infection-Found: Type=0; Resolution=2; Threat=NAME;
  /virusid     infected: 200 + X-Virus-ID: NAME
  /violations  infected: 200 + X-Violations-Found (folded lines)
  /modify      infected: 200 with a block page as the new body, no header
  /echo        always 200 with the body unchanged (never 204)
  /error       500 Server Error
  /hang        reads the request, never answers
  /garbage     answers a line that is not ICAP
Clean bodies get 204 No Content (except /echo).  With --log, one line per
request: "METHOD SERVICE preview=N continue=0|1 ieof=0|1 body=LEN".

SPDX-License-Identifier: MIT
"""
import argparse
import socketserver
import sys
import time

MARK = b"PN-ICAP-MARK:"


def find_threat(body):
    i = body.find(MARK)
    if i < 0:
        return None
    j = body.find(b";", i)
    if j < 0:
        return None
    return body[i + len(MARK):j].decode("ascii", "replace")


class Handler(socketserver.StreamRequestHandler):
    def read_headers(self):
        lines = []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                return lines
            lines.append(line.decode("latin-1").rstrip("\r\n"))

    def read_chunks(self):
        """Chunks up to the last one: (bytes, ieof)."""
        data = b""
        while True:
            line = self.rfile.readline(1024).decode("latin-1").strip()
            size_s, _, ext = line.partition(";")
            size = int(size_s, 16)
            if size == 0:
                self.rfile.readline(1024)  # blank line after the last chunk
                return data, "ieof" in ext
            data += self.rfile.read(size)
            self.rfile.readline(1024)      # CRLF after the chunk

    def send(self, text, body=b""):
        self.wfile.write(text.encode("latin-1") + body)
        self.wfile.flush()

    def handle(self):
        hdrs = self.read_headers()
        if not hdrs:
            return
        method, url, _ = hdrs[0].split(" ", 2)
        service = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        fields = {}
        for h in hdrs[1:]:
            k, _, v = h.partition(":")
            fields[k.strip().lower()] = v.strip()
        srv = self.server
        if method == "OPTIONS":
            pv = "Preview: %d\r\n" % srv.preview if srv.preview is not None else ""
            # Logged before the answer, like RESPMOD: the client cannot
            # send its next request before this line is in the file.
            srv.log("OPTIONS %s" % service)
            self.send("ICAP/1.0 200 OK\r\nMethods: RESPMOD\r\nService: PN test ICAP\r\n"
                      "ISTag: \"%s\"\r\nAllow: 204\r\n%sOptions-TTL: 60\r\n"
                      "Encapsulated: null-body=0\r\n\r\n" % (srv.istag, pv))
            return
        if method != "RESPMOD":
            self.send("ICAP/1.0 405 Method Not Allowed\r\nEncapsulated: null-body=0\r\n\r\n")
            return
        enc = dict(p.strip().split("=") for p in fields.get("encapsulated", "").split(","))
        body_off = int(enc.get("res-body", enc.get("null-body", "0")))
        http_hdrs = self.rfile.read(body_off)
        assert b"HTTP/1.1 200 OK" in http_hdrs, http_hdrs
        body, ieof, cont = b"", False, False
        preview = int(fields["preview"]) if "preview" in fields else None
        if "res-body" in enc:
            body, ieof = self.read_chunks()
            if preview is not None and not ieof:
                assert len(body) <= preview, (len(body), preview)
                if find_threat(body) is None or service == "/echo":
                    self.send("ICAP/1.0 100 Continue\r\n\r\n")
                    cont = True
                    more, _ = self.read_chunks()
                    body += more
        srv.log("RESPMOD %s preview=%s continue=%d ieof=%d body=%d" % (
            service, preview, cont, ieof, len(body)))
        self.answer(service, body)

    def answer(self, service, body):
        threat = find_threat(body)
        istag = "ISTag: \"%s\"\r\n" % self.server.istag
        if service == "/hang":
            time.sleep(30)
            return
        if service == "/garbage":
            self.send("SPDY/9 what\r\n\r\n")
            return
        if service == "/error":
            self.send("ICAP/1.0 500 Server Error\r\n%sEncapsulated: null-body=0\r\n\r\n" % istag)
            return
        if service == "/echo" or (threat is not None and service == "/modify"):
            if service == "/modify":
                body = b"<html>blocked</html>"
                status = "HTTP/1.1 403 Forbidden"
            else:
                status = "HTTP/1.1 200 OK"
            http = ("%s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
                    % (status, len(body)))
            chunked = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
            self.send("ICAP/1.0 200 OK\r\n%sEncapsulated: res-hdr=0, res-body=%d\r\n\r\n%s"
                      % (istag, len(http), http), chunked)
            return
        if threat is None:
            self.send("ICAP/1.0 204 No Content\r\n%sEncapsulated: null-body=0\r\n\r\n" % istag)
            return
        if service == "/virusid":
            extra = "X-Virus-ID: %s\r\n" % threat
        elif service == "/violations":
            extra = "X-Violations-Found: 1\r\n\tsample.bin\r\n\t%s\r\n\t42\r\n\t0\r\n" % threat
        else:
            extra = "X-Infection-Found: Type=0; Resolution=2; Threat=%s;\r\n" % threat
        http = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
        self.send("ICAP/1.0 200 OK\r\n%s%sEncapsulated: res-hdr=0, null-body=%d\r\n\r\n%s"
                  % (istag, extra, len(http), http))


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def log(self, line):
        if self.logfile:
            with open(self.logfile, "a") as f:
                f.write(line + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preview", type=int)
    ap.add_argument("--istag", default="PN-20240315-1")
    ap.add_argument("--log")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    srv.preview, srv.istag, srv.logfile = a.preview, a.istag, a.log
    print("ready %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
