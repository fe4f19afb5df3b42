"""
lib.py - helpers of the integration suite (tests/integration/run.py).

Starts real `panoptes serve` processes on loopback (a free port, a temporary
data dir, stderr into one log file per server), talks HTTP to them with
http.client or, where the wire matters (chunked bodies, one byte per write,
truncated bodies, early answers), with a raw socket, and offers the TAP
reporting the test modules use.  Python standard library only; run with
/usr/bin/python3 (Debian's 3.11).

The EICAR test string is assembled at run time from an obfuscated form and
checked against its well-known md5: the literal never appears in any file.

SPDX-License-Identifier: MIT
"""

import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API = "/api/v3"

# The eight file-stats keys (VT-API.md §5.1, checklist 10).
STATS_KEYS = frozenset(["harmless", "type-unsupported", "suspicious", "confirmed-timeout",
                        "timeout", "failure", "malicious", "undetected"])
CATEGORIES = STATS_KEYS
ANALYSIS_STATUSES = ("queued", "in-progress", "completed")

# Lines that mean a sanitizer found something in a server (or CLI) process.
SANITIZER_PATTERNS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                      "SUMMARY: UndefinedBehaviorSanitizer")

_DEFAULT = object()


# ----------------------------------------------------------------- EICAR

# XOR 0x5a of the 68-byte EICAR test file, in two halves.
_EICAR_X = ("026f157b0a7f1a1b0a016e060a00026f6e720a04736d1919736d277e1f13191b",
            "0877090e1b141e1b081e771b140e130c13080f09770e1f090e771c13161f7b7e12711270")
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


def eicar():
    """The EICAR anti-virus test file (68 bytes), built at run time."""
    data = bytes(b ^ 0x5A for b in bytes.fromhex("".join(_EICAR_X)))
    if hashlib.md5(data).hexdigest() != EICAR_MD5:
        raise RuntimeError("eicar: assembled bytes have the wrong md5")
    return data


def hashes(data):
    return {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def random_bytes(n, tag=b""):
    """n random bytes starting with tag (tags make contents unique per test)."""
    return (tag + os.urandom(n))[:max(n, len(tag))]


# ------------------------------------------------------------------- TAP

class Abort(Exception):
    """Stop the current test function after a failed requirement."""


class Tap:
    """TAP producer: ok N - name / not ok N - name, # diagnostics."""

    def __init__(self, out):
        self.out = out
        self.n = 0
        self.failed = 0
        self.fn_failed = 0          # failures in the current test function
        self.lock = threading.Lock()

    def _emit(self, line):
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()

    def diag(self, *msgs):
        for m in msgs:
            for line in str(m).splitlines() or [""]:
                self._emit("# " + line)

    def ok(self, cond, name, *diag):
        with self.lock:
            self.n += 1
            n = self.n
            if not cond:
                self.failed += 1
                self.fn_failed += 1
        name = name.replace("\n", " ").replace("#", "\\#")
        self._emit("%s %d - %s" % ("ok" if cond else "not ok", n, name))
        if not cond and diag:
            self.diag(*diag)
        return bool(cond)

    def eq(self, got, exp, name):
        return self.ok(got == exp, name, "got:      %r" % (got,), "expected: %r" % (exp,))

    def require(self, cond, name, *diag):
        if not self.ok(cond, name, *diag):
            raise Abort(name)
        return True

    def check(self, name):
        return Check(self, name)


class Check:
    """Collect several conditions into one TAP line with every problem as a diagnostic."""

    def __init__(self, tap, name):
        self.tap = tap
        self.name = name
        self.problems = []

    def __call__(self, cond, msg):
        if not cond:
            self.problems.append(msg)
        return bool(cond)

    def eq(self, got, exp, what):
        return self(got == exp, "%s: got %r, expected %r" % (what, got, exp))

    def done(self):
        return self.tap.ok(not self.problems, self.name, *self.problems)

    def require(self):
        if not self.done():
            raise Abort(self.name)


# ------------------------------------------------------------------ HTTP

class Resp:
    """An HTTP response: status, headers (lower-case names), body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {}
        for k, v in headers:
            self.headers[k.lower()] = v
        self.body = body
        self._json = _DEFAULT

    @property
    def ctype(self):
        return self.headers.get("content-type", "")

    def is_json_ctype(self):
        return self.ctype.split(";")[0].strip().lower() == "application/json"

    @property
    def json(self):
        """The parsed body, or None when it is not JSON."""
        if self._json is _DEFAULT:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def error_code(self):
        j = self.json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"].get("code")
        return None

    def summary(self, limit=300):
        b = self.body[:limit]
        return "HTTP %s, Content-Type %r, body %r%s" % (
            self.status, self.ctype, b, "..." if len(self.body) > limit else "")


def expect(c, resp, status, what, code=None):
    """Check a JSON response's status, Content-Type, parse and (for errors) code.

    c is a Check; returns the parsed JSON or None."""
    if resp is None or isinstance(resp, Exception):
        c(False, "%s: no response%s" % (what, "" if resp is None else ": %r" % (resp,)))
        return None
    good = c(resp.status == status, "%s: status %s, expected %s (%s)" % (
        what, resp.status, status, resp.summary()))
    c(resp.is_json_ctype(), "%s: Content-Type %r is not application/json" % (what, resp.ctype))
    j = resp.json
    c(j is not None, "%s: body is not JSON: %r" % (what, resp.body[:200]))
    if j is None:
        return None
    if status == 200:
        c(isinstance(j, dict) and "error" not in j, "%s: success body has an error member" % what)
    else:
        err = j.get("error") if isinstance(j, dict) else None
        c(isinstance(err, dict) and isinstance(err.get("code"), str) and
          isinstance(err.get("message"), str),
          "%s: error body is not {\"error\":{\"code\",\"message\"}}: %r" % (what, j))
        if code is not None and isinstance(err, dict):
            c(err.get("code") == code, "%s: error code %r, expected %r" % (
                what, err.get("code"), code))
    return j if good else None


def multipart(parts, boundary=None):
    """Build a multipart/form-data body by hand.

    parts: list of (name, value) or (name, value, filename); value is bytes or str.
    Returns (content_type, body)."""
    if boundary is None:
        boundary = "----PanoptesTest" + os.urandom(12).hex()
    bb = boundary.encode()
    out = bytearray()
    for p in parts:
        name, value = p[0], p[1]
        filename = p[2] if len(p) > 2 else None
        if isinstance(value, str):
            value = value.encode()
        out += b"--" + bb + b"\r\n"
        disp = 'form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"' % filename
        out += b"Content-Disposition: " + disp.encode() + b"\r\n"
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    out += b"--" + bb + b"--\r\n"
    return "multipart/form-data; boundary=" + boundary, bytes(out)


def chunk_frames(body, sizes):
    """Chunked transfer-encoding frames of body; sizes cycles over chunk lengths."""
    frames = []
    i = k = 0
    while i < len(body):
        n = max(1, sizes[k % len(sizes)])
        k += 1
        piece = body[i:i + n]
        frames.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
        i += n
    frames.append(b"0\r\n\r\n")
    return frames


def request_head(method, path, headers, port):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % port]
    for k, v in headers:
        lines.append("%s: %s" % (k, v))
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class _RawReader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def fill(self):
        if self.eof:
            return False
        d = self.sock.recv(65536)
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def until(self, sep):
        while sep not in self.buf:
            if not self.fill():
                raise ConnectionError("connection closed before %r" % sep)
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise ConnectionError("connection closed %d bytes short" % (n - len(self.buf)))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while self.fill():
            pass
        out, self.buf = self.buf, b""
        return out


def _read_response(sock):
    rd = _RawReader(sock)
    head = rd.until(b"\r\n\r\n").decode("latin-1")
    lines = head.split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise ConnectionError("bad status line %r" % lines[0])
    headers = []
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.append((k.strip(), v.strip()))
    hd = {k.lower(): v for k, v in headers}
    if "chunked" in hd.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size = int(rd.until(b"\r\n").split(b";")[0].strip(), 16)
            if size == 0:
                rd.until(b"\r\n")
                break
            body += rd.exactly(size)
            rd.exactly(2)
    elif "content-length" in hd:
        body = rd.exactly(int(hd["content-length"]))
    else:
        body = rd.rest()
    return Resp(int(m.group(1)), headers, body)


def raw_exchange(port, head, pieces=(), delay=0.0, truncate=False, timeout=30.0, nodelay=True):
    """Send head then each piece (bytes) on a fresh connection, reading the
    answer concurrently, so that an early answer (413) is seen even while the
    body is still being sent.

    delay: seconds to sleep between pieces.  truncate: close the connection
    after the last piece without reading (returns None).
    Returns a Resp, or raises OSError/ConnectionError when no answer came."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    state = {"err": None, "done": False}

    def sender():
        try:
            sock.sendall(head)
            for p in pieces:
                if delay:
                    time.sleep(delay)
                sock.sendall(p)
        except OSError as e:
            state["err"] = e
        state["done"] = True

    if truncate:
        sender()
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        return None
    th = threading.Thread(target=sender, daemon=True)
    th.start()
    try:
        return _read_response(sock)
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        th.join(timeout)


# ----------------------------------------------------------------- procs

def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1])


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def children(pid):
    """Live (non-zombie) child pids of pid."""
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st and st[1] == pid and st[0] != "Z":
            out.append(p)
    return out


def workers_of(datadir):
    """Live `panoptes worker` processes whose --data is datadir."""
    out = []
    for p in all_pids():
        argv = proc_cmdline(p)
        if len(argv) < 2 or "worker" not in argv[1:2]:
            continue
        if not os.path.basename(argv[0]).startswith("panoptes"):
            continue
        if any(argv[i] == "--data" and argv[i + 1] == datadir for i in range(len(argv) - 1)):
            st = proc_stat(p)
            if st and st[0] != "Z":
                out.append(p)
    return out


def wait_for(pred, timeout, interval=0.05):
    """Poll pred() until it returns a true value or timeout; returns the last value."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sanitizer_lines(text):
    return [l for l in text.splitlines() if any(p in l for p in SANITIZER_PATTERNS)]


# ---------------------------------------------------------------- server

class Server:
    """One `panoptes serve` process: start, talk to, stop, restart."""

    def __init__(self, ctx, name, workers=2, sets=(), datadir=None, fast=False):
        self.ctx = ctx
        self.name = name
        self.workers = workers
        # No test leaves loopback: name lookups and WHOIS go to closed local
        # ports unless a test names its own servers (later --set wins).
        # Windows (Wine) runs take ~2 s each plus a prefix on first use: only the
        # tests about them turn them on (test_behavior_windows.py).
        self.sets = ["dns.servers=127.0.0.1:9", "dns.timeout_ms=200", "dns.tries=1",
                     "whois.servers=default=127.0.0.1:9,ip=127.0.0.1:9",
                     "behavior.windows=false"] + list(sets)
        self.datadir = datadir or ctx.mkdtemp(name, fast=fast)
        self.proc = None
        self.port = None
        self.key = None
        self.logs = []              # every log file this object wrote, in order
        self.log = None
        ctx.servers.append(self)

    # -- lifecycle

    def start(self, timeout=None):
        """Start on a free port and wait for the "ready:" line; returns self."""
        timeout = timeout or self.ctx.start_timeout
        self.ctx.note_use(self)
        last = None
        for attempt in range(3):
            self.port = free_port()
            self.log = self.ctx.logpath(self.name)
            self.logs.append(self.log)
            argv = [self.ctx.bin, "serve", "--listen", "127.0.0.1:%d" % self.port,
                    "--data", self.datadir, "--workers", str(self.workers)]
            for s in self.sets:
                argv += ["--set", s]
            with open(self.log, "ab") as lf:
                lf.write(("# %s\n" % " ".join(argv)).encode())
                lf.flush()
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf,
                                             stderr=lf, env=self.ctx.env)
            self.ctx.track(self.proc)
            ready = wait_for(lambda: self.proc.poll() is not None or "ready:" in self.logtext(),
                             timeout, 0.02)
            if self.proc.poll() is None and "ready:" in self.logtext():
                self.base = "http://127.0.0.1:%d" % self.port
                self.key = self.read_key()
                return self
            last = "exit status %s" % self.proc.poll() if ready else "no ready line in %.0f s" % timeout
            if self.proc.poll() is None:
                self.kill9()
            if "in use" not in self.logtext():
                break
        raise RuntimeError("server %s did not start: %s (log %s)" % (self.name, last, self.log))

    def read_key(self):
        with open(os.path.join(self.datadir, "admin.key")) as f:
            return f.read().strip()

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Signal the server and wait; returns its exit status (None if it had to be killed)."""
        timeout = timeout or self.ctx.stop_timeout
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def logtext(self, which=None):
        try:
            with open(which or self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def logtail(self, n=25):
        return self.logtext().splitlines()[-n:]

    def user_add(self, name, *flags):
        """`panoptes user add NAME FLAGS --data DIR`; returns the key (last stdout line)."""
        r = self.ctx.cli("user", "add", name, *flags, "--data", self.datadir)
        if r.returncode != 0:
            raise RuntimeError("user add %s failed (%d): %s" % (name, r.returncode, r.stderr))
        return r.stdout.strip().splitlines()[-1].strip()

    # -- HTTP

    def path_of(self, url_or_path):
        if url_or_path.startswith("http"):
            u = urllib.parse.urlsplit(url_or_path)
            return u.path + ("?" + u.query if u.query else "")
        return url_or_path

    def request(self, method, path, body=None, headers=None, key=_DEFAULT, timeout=None):
        """One request on a fresh connection; path may be an absolute URL of this server."""
        self.ctx.note_use(self)
        hdrs = {}
        if key is _DEFAULT:
            key = self.key
        if key is not None:
            hdrs["x-apikey"] = key
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout or self.ctx.http_timeout)
        try:
            conn.request(method, self.path_of(path), body=body, headers=hdrs)
            r = conn.getresponse()
            return Resp(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        if not path.startswith("http") and not path.startswith("/"):
            path = API + "/" + path
        return self.request("GET", path, **kw)

    def upload(self, data, filename="sample.bin", key=_DEFAULT, path=API + "/files",
               extra=(), before=()):
        ct, body = multipart(list(before) + [("file", data, filename)] + list(extra))
        return self.request("POST", path, body=body, headers={"Content-Type": ct}, key=key)

    def raw(self, method, path, headers=(), pieces=(), key=_DEFAULT, **kw):
        """raw_exchange with x-apikey (unless key=None) and the given headers."""
        self.ctx.note_use(self)
        if key is _DEFAULT:
            key = self.key
        h = list(headers)
        if key is not None:
            h.append(("x-apikey", key))
        return raw_exchange(self.port, request_head(method, self.path_of(path), h, self.port),
                            pieces, **kw)

    def try_raw(self, *a, **kw):
        """raw() that returns the exception instead of raising it (no answer, reset)."""
        try:
            return self.raw(*a, **kw)
        except (OSError, ConnectionError) as e:
            return e

    def wait_analysis(self, aid, timeout=None):
        """Poll GET /analyses/{aid} until completed; returns (json or None, statuses seen, last resp)."""
        timeout = timeout or self.ctx.analysis_timeout
        seen = []
        end = time.monotonic() + timeout
        r = None
        while True:
            r = self.get("analyses/" + aid)
            j = r.json if r.status == 200 else None
            st = None
            if j:
                st = (j.get("data") or {}).get("attributes", {}).get("status")
                if not seen or seen[-1] != st:
                    seen.append(st)
                if st == "completed":
                    return j, seen, r
            if time.monotonic() >= end:
                return None, seen, r
            time.sleep(self.ctx.poll_interval)

    def upload_and_wait(self, data, filename="sample.bin"):
        """Upload, require a descriptor, wait for completion; returns (analysis id, analysis json)."""
        r = self.upload(data, filename)
        if r.status != 200 or not r.json:
            raise RuntimeError("upload failed: " + r.summary())
        aid = r.json["data"]["id"]
        j, seen, last = self.wait_analysis(aid)
        if j is None:
            raise RuntimeError("analysis %s not completed (statuses %r, last %s)" % (
                aid, seen, last.summary() if last else None))
        return aid, j


# --------------------------------------------------------------- context

class Context:
    """Run-wide state: binary, log dir, timeouts, servers and processes to clean up."""

    def __init__(self, binpath, logdir, keep=False):
        self.bin = os.path.abspath(binpath)
        self.logdir = os.path.abspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        self.keep = keep
        self.sanitized = self._is_sanitized()
        slow = 3 if self.sanitized else 1
        self.start_timeout = 30 * slow
        self.stop_timeout = 15 * slow
        self.http_timeout = 30 * slow
        self.analysis_timeout = 60 * (2 if self.sanitized else 1)
        self.poll_interval = 0.1 * slow
        self.servers = []
        self.used = []              # servers the current test function talked to
        self.procs = []
        self.tmpdirs = []
        self.failed_dirs = set()    # data dirs of servers used by failing test functions
        self.lognames = {}
        self._shared = None
        self.env = dict(os.environ)
        self.env.setdefault("ASAN_OPTIONS",
                            "abort_on_error=0:detect_leaks=1:allocator_may_return_null=1")
        self.env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        self.cli_logs = []          # (argv, stderr) of CLI runs, scanned for sanitizer reports
        self.tmpbase = os.environ.get("PANOPTES_IT_TMP") or None
        self.fastbase = self.tmpbase or ("/dev/shm" if os.access("/dev/shm", os.W_OK) else None)

    def _is_sanitized(self):
        try:
            with open(self.bin, "rb") as f:
                return b"__asan_init" in f.read()
        except OSError:
            return False

    def mkdtemp(self, name, fast=False):
        d = tempfile.mkdtemp(prefix="panoptes-it-%s-" % name,
                             dir=self.fastbase if fast else self.tmpbase)
        self.tmpdirs.append(d)
        return d

    def logpath(self, name):
        k = self.lognames.get(name, 0) + 1
        self.lognames[name] = k
        base = "srv-%s.log" % name if k == 1 else "srv-%s-%d.log" % (name, k)
        p = os.path.join(self.logdir, base)
        if os.path.exists(p):
            os.unlink(p)
        return p

    def note_use(self, srv):
        if srv not in self.used:
            self.used.append(srv)

    def track(self, proc):
        self.procs.append(proc)

    def cli(self, *args, timeout=None):
        """Run the binary with args; returns a CompletedProcess (text)."""
        argv = [self.bin] + list(args)
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           env=self.env, timeout=timeout or self.start_timeout)
        self.cli_logs.append((argv, r.stderr))
        return r

    def server(self, name, **kw):
        return Server(self, name, **kw)

    def shared(self):
        """The run's shared default server (started on first use)."""
        if self._shared is None or not self._shared.alive():
            self._shared = Server(self, "main").start()
        return self._shared

    def sanitizer_reports(self):
        """{source: [lines]} of every sanitizer report in server logs and CLI runs."""
        out = {}
        for s in self.servers:
            for log in s.logs:
                lines = sanitizer_lines(s.logtext(log))
                if lines:
                    out[log] = lines
        for argv, err in self.cli_logs:
            lines = sanitizer_lines(err or "")
            if lines:
                out["CLI: " + " ".join(argv[1:])[:160]] = lines
        return out

    def cleanup(self):
        """Stop every process still running; remove data dirs except those of failing tests."""
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                    p.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(30)
        kept = []
        for d in self.tmpdirs:
            if self.keep or d in self.failed_dirs:
                kept.append(d)
            else:
                shutil.rmtree(d, ignore_errors=True)
        return kept


# ------------------------------------------------------------ JSON checks

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def walk_dates(obj, path="", out=None):
    """Every (path, value) whose key is "date", "*_date", "last_login" or "user_since"."""
    if out is None:
        out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = path + "." + k
            if k == "date" or k.endswith("_date") or k in ("last_login", "user_since"):
                out.append((p, v))
            walk_dates(v, p, out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            walk_dates(v, "%s[%d]" % (path, i), out)
    return out


def nulls(obj, path=""):
    """Paths of JSON nulls, except engine results' "result" (the one allowed null, §5.1)."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = path + "." + k
            if v is None:
                if k != "result":
                    out.append(p)
            else:
                out += nulls(v, p)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += [p for p in ([] if v is not None else ["%s[%d]" % (path, i)])]
            out += nulls(v, "%s[%d]" % (path, i))
    return out


def check_dates(c, obj, what):
    for p, v in walk_dates(obj):
        c(is_int(v), "%s: %s is %r, not an integer" % (what, p, v))


def check_stats_results(c, stats, results, what):
    """stats: 8 int keys; results: engine -> verdict; stats agree with results."""
    if not c(isinstance(stats, dict), "%s: stats is %r" % (what, stats)):
        return
    if not c(isinstance(results, dict), "%s: results is %r" % (what, results)):
        return
    c(set(stats) == STATS_KEYS, "%s: stats keys %s, expected %s" % (
        what, sorted(stats), sorted(STATS_KEYS)))
    c(all(is_int(v) and v >= 0 for v in stats.values()), "%s: stats values %r" % (what, stats))
    c(sum(v for v in stats.values() if is_int(v)) == len(results),
      "%s: stats sum %d != %d engines in results" % (
          what, sum(v for v in stats.values() if is_int(v)), len(results)))
    for cat in STATS_KEYS:
        n = sum(1 for r in results.values() if isinstance(r, dict) and r.get("category") == cat)
        c(stats.get(cat) == n, "%s: stats[%r] = %r but %d result(s) have that category" % (
            what, cat, stats.get(cat), n))
    for name, r in results.items():
        if not c(isinstance(r, dict), "%s: results[%r] is %r" % (what, name, r)):
            continue
        c(r.get("category") in CATEGORIES, "%s: results[%r].category %r" % (
            what, name, r.get("category")))
        c(r.get("engine_name") == name, "%s: results[%r].engine_name %r" % (
            what, name, r.get("engine_name")))
        for k in ("engine_version", "engine_update", "method"):
            c(isinstance(r.get(k), str) and r.get(k), "%s: results[%r].%s is %r" % (
                what, name, k, r.get(k)))
        c("result" in r and (r["result"] is None or isinstance(r["result"], str)),
          "%s: results[%r].result missing or not str/null" % (what, name))
        if isinstance(r.get("engine_update"), str):
            c(re.fullmatch(r"\d{8}", r["engine_update"]) is not None,
              "%s: results[%r].engine_update %r is not YYYYMMDD" % (what, name, r["engine_update"]))


def check_analysis_descriptor(c, j, srv, h=None, t0=None, t1=None, what="descriptor"):
    """{"data":{"type":"analysis","id":b64("<md5>:<ts>"),"links":{"self":absolute}}}.

    Returns the id or None."""
    d = j.get("data") if isinstance(j, dict) else None
    if not c(isinstance(d, dict), "%s: data is %r" % (what, d)):
        return None
    c(d.get("type") == "analysis", "%s: type %r" % (what, d.get("type")))
    aid = d.get("id")
    if not c(isinstance(aid, str) and aid, "%s: id %r" % (what, aid)):
        return None
    c("+" not in aid and "/" not in aid, "%s: id %r contains + or /" % (what, aid))
    try:
        dec = base64.b64decode(aid, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        dec = None
    if c(dec is not None and re.fullmatch(r"[0-9a-f]{32}:\d+", dec) is not None,
         "%s: id %r does not decode to <md5>:<ts> (%r)" % (what, aid, dec)):
        md5, ts = dec.split(":")
        if h:
            c(md5 == h["md5"], "%s: id md5 %s, expected %s" % (what, md5, h["md5"]))
        if t0 is not None:
            c(t0 - 5 <= int(ts) <= t1 + 5, "%s: id timestamp %s outside [%d, %d]" % (
                what, ts, t0, t1))
    self_url = (d.get("links") or {}).get("self")
    c(self_url == srv.base + API + "/analyses/" + aid,
      "%s: links.self %r, expected %r" % (what, self_url, srv.base + API + "/analyses/" + aid))
    return aid


def check_file_object(c, j, srv, h, what="file"):
    """The envelope of a file object and the hash/size attributes; returns attributes."""
    d = j.get("data") if isinstance(j, dict) else None
    if not c(isinstance(d, dict), "%s: data is %r" % (what, d)):
        return {}
    c(d.get("type") == "file", "%s: type %r" % (what, d.get("type")))
    c(d.get("id") == h["sha256"], "%s: id %r, expected sha256 %s" % (what, d.get("id"), h["sha256"]))
    self_url = (d.get("links") or {}).get("self")
    c(self_url == srv.base + API + "/files/" + h["sha256"], "%s: links.self %r" % (what, self_url))
    a = d.get("attributes")
    if not c(isinstance(a, dict), "%s: attributes %r" % (what, a)):
        return {}
    for k in ("md5", "sha1", "sha256", "size"):
        c(a.get(k) == h[k], "%s: %s %r, expected %r" % (what, k, a.get(k), h[k]))
    return a


def traceback_text():
    return traceback.format_exc().rstrip()


# ------------------------------------------------------------ pagination

def walk_pages(c, srv, url, limit, what, max_pages=100):
    """Follow a collection from url?limit=N through links.next, checking the
    pagination rules of VT-API.md §1.5 and checklist 9 on every page:

    - meta.count is an int, the same on every page, and equals the items seen;
    - meta.cursor and links.next come together, only when more data exists;
      links.next is absolute and carries cursor= and the original limit;
    - no page is empty while it has a cursor; no page exceeds limit;
    - links.self is absolute and replaying it gives the same page.

    Returns (items, pages)."""
    sep = "&" if "?" in url else "?"
    nxt = "%s%slimit=%d" % (url, sep, limit)
    items, pages, counts = [], 0, set()
    while nxt and pages < max_pages:
        r = srv.get(nxt)
        j = expect(c, r, 200, "%s page %d" % (what, pages + 1))
        if j is None:
            break
        pages += 1
        data, meta, links = j.get("data"), j.get("meta") or {}, j.get("links") or {}
        w = "%s page %d" % (what, pages)
        if not c(isinstance(data, list), "%s: data is not a list: %r" % (w, data)):
            break
        c(len(data) <= limit, "%s: %d items > limit %d" % (w, len(data), limit))
        c(is_int(meta.get("count")), "%s: meta.count %r" % (w, meta.get("count")))
        counts.add(meta.get("count"))
        cur, nlink = meta.get("cursor"), links.get("next")
        c((cur is None) == (nlink is None),
          "%s: meta.cursor %r and links.next %r must come together" % (w, cur, nlink))
        c(not (cur is not None and not data), "%s: empty page with a cursor" % w)
        c(cur is None or (isinstance(cur, str) and cur), "%s: cursor %r" % (w, cur))
        if nlink is not None:
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(nlink).query)
            c(nlink.startswith(srv.base + API + "/"), "%s: links.next %r not absolute" % (w, nlink))
            c(q.get("cursor") == [cur], "%s: links.next %r lacks cursor=%s" % (w, nlink, cur))
            c(q.get("limit") == [str(limit)], "%s: links.next %r lacks limit=%d" % (w, nlink, limit))
        selfl = links.get("self")
        if c(isinstance(selfl, str) and selfl.startswith(srv.base + API + "/"),
             "%s: links.self %r not absolute" % (w, selfl)):
            again = srv.get(selfl)
            c(again.status == 200 and again.json is not None and
              again.json.get("data") == data,
              "%s: replaying links.self %s gives other data (%s)" % (w, selfl, again.summary(200)))
        items += data
        nxt = nlink
    c(nxt is None, "%s: more than %d pages" % (what, max_pages))
    c(len(counts) <= 1, "%s: meta.count changes between pages: %r" % (what, counts))
    if len(counts) == 1:
        n = counts.pop()
        c(n == len(items), "%s: meta.count %r but %d items over %d page(s)" % (
            what, n, len(items), pages))
    ids = [x.get("id") for x in items if isinstance(x, dict)]
    c(len(ids) == len(set(ids)), "%s: an item appears twice: %r" % (what, ids))
    return items, pages
