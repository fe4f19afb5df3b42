#!/usr/bin/python3
"""fake_clamd.py - a stand-in clamd speaking the INSTREAM protocol, for the
clamd engine's tests (tests/unit/test_external.c, engines/clamd.c), so that
error paths a real clamd will not produce on demand can be tested.
Python standard library only.

    fake_clamd.py SOCKET_PATH [--max BYTES]

Listens on the UNIX socket SOCKET_PATH and prints "ready" on stdout.
Commands: "zVERSION\\0" -> "ClamAV 1.4.6/27000/Mon Dec  1 09:26:53 2025\\0";
"zINSTREAM\\0" + chunks -> one reply per marker "PN-CLAMD-MARK:NAME;" found
("stream: NAME FOUND\\0", several with several markers, as clamd does with
AllMatchScan), else "stream: OK\\0".  Past --max bytes (StreamMaxLength) it
answers "INSTREAM size limit exceeded. ERROR\\0" and closes at once, like
clamd.  Markers for error paths: PN-CLAMD-HANG (never answer),
PN-CLAMD-ERROR ("stream: Can't allocate memory ERROR"), PN-CLAMD-GARBAGE (a
reply that is no clamd line), PN-CLAMD-CLOSE (close without a reply).

SPDX-License-Identifier: MIT
"""
import os
import re
import socketserver
import struct
import sys
import time

VERSION = b"ClamAV 1.4.6/27000/Mon Dec  1 09:26:53 2025"


class Handler(socketserver.StreamRequestHandler):
    def read_cmd(self):
        cmd = b""
        while not cmd.endswith(b"\0"):
            c = self.rfile.read(1)
            if not c:
                return None
            cmd += c
            if len(cmd) > 64:
                return None
        return cmd[:-1]

    def handle(self):
        cmd = self.read_cmd()
        if cmd == b"zVERSION":
            self.wfile.write(VERSION + b"\0")
            return
        if cmd != b"zINSTREAM":
            self.wfile.write(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            hdr = self.rfile.read(4)
            if len(hdr) < 4:
                return
            (n,) = struct.unpack(">I", hdr)
            if n == 0:
                break
            if len(data) + n > self.server.max:
                self.wfile.write(b"INSTREAM size limit exceeded. ERROR\0")
                return
            data += self.rfile.read(n)
        if b"PN-CLAMD-HANG" in data:
            time.sleep(30)
            return
        if b"PN-CLAMD-CLOSE" in data:
            return
        if b"PN-CLAMD-ERROR" in data:
            self.wfile.write(b"stream: Can't allocate memory ERROR\0")
            return
        if b"PN-CLAMD-GARBAGE" in data:
            self.wfile.write(b"\x01\x02 what is this\0")
            return
        names = re.findall(rb"PN-CLAMD-MARK:([A-Za-z0-9._-]+);", data)
        if not names:
            self.wfile.write(b"stream: OK\0")
        for n in names:
            self.wfile.write(b"stream: " + n + b" FOUND\0")


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    limit = 25 << 20
    if len(sys.argv) > 3 and sys.argv[2] == "--max":
        limit = int(sys.argv[3])
    if os.path.exists(path):
        os.unlink(path)
    srv = Server(path, Handler)
    srv.max = limit
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
