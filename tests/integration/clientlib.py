"""
clientlib.py - helpers of the command-line client tests (test_client.py):
running `panoptes` as a client of a test server with a clean environment
(no user config, no colour unless asked), on a pseudo-terminal when a test
needs one, skipping a check with a TAP SKIP line when the server does not
serve a route yet, and sample trees.

SPDX-License-Identifier: MIT
"""

import json
import os
import pty
import select
import subprocess
import threading
import time

import lib


def client_env(ctx, srv=None, key=lib._DEFAULT, server=None, extra=None):
    """The environment of a client run: PANOPTES_SERVER/APIKEY of srv, an
    empty XDG_CONFIG_HOME (no user config file), NO_COLOR unset."""
    env = dict(ctx.env)
    for k in ("PANOPTES_SERVER", "PANOPTES_APIKEY", "NO_COLOR"):
        env.pop(k, None)
    if not hasattr(ctx, "_client_xdg"):
        ctx._client_xdg = ctx.mkdtemp("client-xdg")
    env["XDG_CONFIG_HOME"] = ctx._client_xdg
    env["HOME"] = ctx._client_xdg
    if srv is not None:
        env["PANOPTES_SERVER"] = server or srv.base
        k = srv.key if key is lib._DEFAULT else key
        if k is not None:
            env["PANOPTES_APIKEY"] = k
    elif server is not None:
        env["PANOPTES_SERVER"] = server
    env.update(extra or {})
    return env


def run(ctx, args, env, timeout=None, cwd=None, binpath=None, text=True, prefix=()):
    """Run the client (after the prefix argv, e.g. setpriv); returns CompletedProcess;
    stderr is scanned for sanitizer reports."""
    argv = list(prefix) + [binpath or ctx.bin] + list(args)
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=text, env=env,
                       timeout=timeout or ctx.analysis_timeout * 2, cwd=cwd)
    err = r.stderr if text else r.stderr.decode("utf-8", "replace")
    ctx.cli_logs.append((argv, err))
    return r


def run_pty(ctx, args, env, which="stderr", timeout=None):
    """Run with stdout or stderr on a pseudo-terminal; returns (rc, stdout, stderr) as text."""
    argv = [ctx.bin] + list(args)
    master, slave = pty.openpty()
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    kw[which] = slave
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env, **kw)
    os.close(slave)
    ctx.track(p)
    ttyout = b""
    other = p.stderr if which == "stdout" else p.stdout
    end = time.monotonic() + (timeout or ctx.analysis_timeout * 2)
    while time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                d = os.read(master, 65536)
            except OSError:
                d = b""
            if not d:
                break
            ttyout += d
        elif p.poll() is not None:
            break
    os.close(master)
    rest = other.read()
    rc = p.wait(timeout=30)
    ttys = ttyout.decode("utf-8", "replace")
    rests = rest.decode("utf-8", "replace")
    out, err = (ttys, rests) if which == "stdout" else (rests, ttys)
    ctx.cli_logs.append((argv, err))
    return rc, out, err


def skip(t, name, reason):
    """A TAP skip line: counts as passed, says why it did not run."""
    with t.lock:
        t.n += 1
        n = t.n
    t._emit("ok %d - %s # SKIP %s" % (n, name.replace("#", ""), reason))


def route_missing(srv, method, path, body=None, headers=None):
    """None when the server serves the route; else the reason it does not.

    A route is missing when the server answers 404 NotFoundError "unknown
    resource" (no such route) or 405 for it."""
    r = srv.request(method, lib.API + "/" + path, body=body, headers=headers or {})
    if r.status == 405 or (r.status == 404 and r.error_code() == "NotFoundError" and
                           ((r.json or {}).get("error") or {}).get("message") ==
                           "unknown resource"):
        return "the server does not serve %s /api/v3/%s yet (%d %s)" % (
            method, path.split("?")[0], r.status, r.error_code())
    return None


def write_tree(root, files):
    """files: {relative path: bytes}; returns root."""
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    return root


def jsonl(text):
    import json
    return [json.loads(l) for l in text.splitlines() if l.strip()]


class FakeServer:
    """A scripted HTTP server on loopback standing in for a VT-compatible one.

    fn(method, path, headers, body) -> (status, {header: value}, body bytes
    or a JSON-able object); every request is kept in .requests as
    (method, path, headers dict with lower-case names, body)."""

    def __init__(self, fn, tls=None):
        """tls: (certfile, keyfile) to serve https."""
        import http.server

        outer = self
        self.fn = fn
        self.requests = []

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                hd = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, hd, body))
                status, headers, out = outer.fn(self.command, self.path, hd, body)
                if not isinstance(out, (bytes, bytearray)):
                    out = json.dumps(out).encode()
                    headers = dict(headers)
                    headers.setdefault("Content-Type", "application/json")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _any

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        if tls:
            import ssl
            sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            sc.load_cert_chain(*tls)
            self.httpd.socket = sc.wrap_socket(self.httpd.socket, server_side=True)
            self.base = "https://127.0.0.1:%d" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def vt_error(status, code, message):
    return status, {}, {"error": {"code": code, "message": message}}


def file_object(base, sha256, malicious=0):
    stats = {k: 0 for k in lib.STATS_KEYS}
    stats["malicious"] = malicious
    stats["undetected"] = 3 - malicious
    return {"data": {"type": "file", "id": sha256,
                     "links": {"self": base + "/api/v3/files/" + sha256},
                     "attributes": {"sha256": sha256, "size": 1, "last_analysis_date": 1700000000,
                                    "last_analysis_stats": stats,
                                    "last_analysis_results": {}}}}


def self_signed(d):
    """A self-signed certificate for 127.0.0.1 in d (openssl CLI); (cert, key) or None."""
    import shutil as _sh
    if not _sh.which("openssl"):
        return None
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], capture_output=True)
    return (cert, key) if r.returncode == 0 else None
