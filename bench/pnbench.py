#!/usr/bin/python3
"""pnbench.py - helpers for the Panoptes benchmarks (bench/run.sh).

Standard library of /usr/bin/python3 only; talks to servers on loopback.
Each subcommand prints its results as "key=value" lines on stdout (the
shell scripts append them to a results file) and diagnostics on stderr;
it exits 1 on failure.

  port                          print a free TCP port on 127.0.0.1
  wait-ready LOG PID SECS       wait until LOG holds "ready:" (PID alive)
  eicar OUT                     write the EICAR test file (assembled here)
  submit URL KEY FILE SECS      upload FILE, wait for "completed", print sha256
  fetch URL KEY OUT             GET URL, require 200, save the exact body
  same URL_A URL_B KEY          GET both, require equal bodies and types
  gen DIR COUNT MINKB MAXKB     write COUNT distinct random files
  upload URL KEY DIR CLIENTS WORKERS SECS
                                upload every file of DIR with CLIENTS
                                threads, poll until all analyses are
                                completed, print throughput
  gets URL KEY N [CONNS]        N GETs of URL over CONNS (1) keep-alive
                                connections, all must be 200 (a fixed
                                load for profilers such as callgrind)
  cpu PID...                    CPU seconds (user+sys) of the PIDs and
                                their descendants, then the machine's busy,
                                idle and irq+softirq seconds (/proc/stat);
                                --snap FILE also saves every process's CPU
  others SNAP0 SNAP1 PID...     the processes outside the PIDs' trees that
                                used most CPU between two snapshots
  run-cpu OUT -- CMD...         run CMD, write its CPU seconds to OUT

SPDX-License-Identifier: MIT
"""
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import socket

TICK = os.sysconf("SC_CLK_TCK")


def die(msg):
    sys.stderr.write("pnbench: %s\n" % msg)
    sys.exit(1)


def out(key, value):
    if isinstance(value, float):
        value = "%.3f" % value
    print("%s=%s" % (key, value), flush=True)


# ----------------------------------------------------------------- HTTP

def split_url(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost", "::1"):
        die("only http on loopback: %s" % url)
    path = u.path + ("?" + u.query if u.query else "")
    return u.hostname, u.port or 80, path or "/"


def request(conn, method, path, key, body=None, ctype=None):
    """One request on a keep-alive connection: (status, content-type, body)."""
    headers = {"x-apikey": key} if key else {}
    if ctype:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, resp.getheader("Content-Type", ""), data


def get(url, key):
    host, port, path = split_url(url)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        return request(conn, "GET", path, key)
    finally:
        conn.close()


def multipart(name, data):
    boundary = "pnbench" + os.urandom(12).hex()
    head = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n" % (boundary, name)).encode()
    tail = ("\r\n--%s--\r\n" % boundary).encode()
    return head + data + tail, "multipart/form-data; boundary=" + boundary


def upload_one(conn, prefix, key, name, data):
    body, ctype = multipart(name, data)
    status, _, resp = request(conn, "POST", prefix + "files", key, body, ctype)
    if status != 200:
        raise RuntimeError("upload %s: HTTP %d %s" % (name, status, resp[:200]))
    return json.loads(resp)["data"]["id"]


def analysis_status(conn, prefix, key, aid):
    status, _, resp = request(conn, "GET", prefix + "analyses/" + aid, key)
    if status != 200:
        raise RuntimeError("analysis %s: HTTP %d %s" % (aid, status, resp[:200]))
    return json.loads(resp)["data"]["attributes"]["status"]


# ------------------------------------------------------------ commands

def cmd_port(_args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def alive(pid):
    """Running, not a zombie waiting for the shell to reap it."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return False
    return st[st.rindex(")") + 2] != "Z"


def cmd_wait_ready(args):
    log, pid, secs = args[0], int(args[1]), float(args[2])
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            with open(log, errors="replace") as f:
                if "ready:" in f.read():
                    return
        except FileNotFoundError:
            pass
        if not alive(pid):
            die("process %d exited before it was ready (see %s)" % (pid, log))
        time.sleep(0.05)
    die("not ready after %.0f s (see %s)" % (secs, log))


def cmd_eicar(args):
    # Two pieces so that no file of the repository holds the test string.
    head = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR"
    tail = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with open(args[0], "wb") as f:
        f.write((head + tail).encode())


def cmd_submit(args):
    url, key, path, secs = args[0], args[1], args[2], float(args[3])
    host, port, prefix = split_url(url)
    with open(path, "rb") as f:
        data = f.read()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    aid = upload_one(conn, prefix, key, os.path.basename(path), data)
    end = time.monotonic() + secs
    while analysis_status(conn, prefix, key, aid) != "completed":
        if time.monotonic() > end:
            die("analysis %s not completed after %.0f s" % (aid, secs))
        time.sleep(0.05)
    conn.close()
    import hashlib
    print(hashlib.sha256(data).hexdigest())


def cmd_fetch(args):
    status, _, body = get(args[0], args[1])
    if status != 200:
        die("GET %s: HTTP %d %s" % (args[0], status, body[:200]))
    with open(args[2], "wb") as f:
        f.write(body)


def cmd_same(args):
    sa, ta, ba = get(args[0], args[2])
    sb, tb, bb = get(args[1], args[2])
    if sa != 200 or sb != 200:
        die("status %d and %d" % (sa, sb))
    if ba != bb:
        die("bodies differ: %d and %d bytes" % (len(ba), len(bb)))
    if ta.split(";")[0].strip() != tb.split(";")[0].strip():
        die("content types differ: %r and %r" % (ta, tb))
    out("body_bytes", len(ba))
    out("body_identical", "yes")


def cmd_gets(args):
    url, key, n = args[0], args[1], int(args[2])
    conns = int(args[3]) if len(args) > 3 else 1
    host, port, path = split_url(url)
    errors = []

    def loop(count):
        conn = http.client.HTTPConnection(host, port, timeout=120)
        try:
            for _ in range(count):
                status, _, body = request(conn, "GET", path, key)
                if status != 200:
                    errors.append("HTTP %d %s" % (status, body[:200]))
                    return
        except Exception as e:  # noqa: BLE001
            errors.append(str(e))
        finally:
            conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=loop, args=(n // conns + (i < n % conns),))
               for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        die(errors[0])
    secs = time.monotonic() - t0
    out("gets_requests", n)
    out("gets_seconds", secs)
    out("gets_rps", n / secs)


def cmd_gen(args):
    d, count, lo, hi = args[0], int(args[1]), int(args[2]), int(args[3])
    rng = random.Random(int(os.environ.get("BENCH_SEED", "1")))
    os.makedirs(d, exist_ok=True)
    total = 0
    for i in range(count):
        n = rng.randint(lo * 1024, hi * 1024)
        # A per-file header makes the files distinct whatever the seed.
        data = b"pnbench %06d\n" % i + rng.randbytes(n - 15)
        with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
            f.write(data)
        total += len(data)
    out("gen_files", count)
    out("gen_bytes", total)


class Run:
    """Shared state of one upload run."""

    def __init__(self, files):
        self.lock = threading.Lock()
        self.todo = list(files)          # (name, bytes), popped by clients
        self.pending = []                # (aid, t_ack, size) in ack order
        self.acked = 0
        self.ack_bytes = 0
        self.t_last_ack = 0.0
        self.done_lat = []               # ack -> completed, seconds
        self.t_last_done = 0.0
        self.done_bytes = 0
        self.clients_left = 0
        self.error = None


def client(run, host, port, prefix, key):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        while run.error is None:
            with run.lock:
                if not run.todo:
                    break
                name, data = run.todo.pop()
            aid = upload_one(conn, prefix, key, name, data)
            t = time.monotonic()
            with run.lock:
                run.pending.append((aid, t, len(data)))
                run.acked += 1
                run.ack_bytes += len(data)
                run.t_last_ack = t
    except Exception as e:  # noqa: BLE001 - reported, run fails
        run.error = "client: %s" % e
    finally:
        conn.close()
        with run.lock:
            run.clients_left -= 1


def poller(run, host, port, prefix, key, workers, deadline):
    """Sweep pending analyses in ack order; jobs finish roughly in that
    order, so a sweep stops after a few that are not completed yet."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        while run.error is None:
            with run.lock:
                snapshot = list(run.pending)
                uploading = run.clients_left > 0
            if not snapshot and not uploading:
                return
            misses = 0
            finished = set()
            for aid, t_ack, size in snapshot:
                if analysis_status(conn, prefix, key, aid) == "completed":
                    t = time.monotonic()
                    finished.add(aid)
                    run.done_lat.append(t - t_ack)
                    run.t_last_done = t
                    run.done_bytes += size
                else:
                    misses += 1
                    if misses > workers + 1:
                        break
            with run.lock:
                run.pending = [p for p in run.pending if p[0] not in finished]
            if time.monotonic() > deadline:
                run.error = "%d analyses not completed in time" % len(run.pending)
                return
            time.sleep(0.01)
    except Exception as e:  # noqa: BLE001
        run.error = "poller: %s" % e
    finally:
        conn.close()


def cmd_upload(args):
    url, key, d = args[0], args[1], args[2]
    clients, workers, secs = int(args[3]), int(args[4]), float(args[5])
    host, port, prefix = split_url(url)
    files = []
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            files.append((name, f.read()))
    files.reverse()                      # popped from the end: f000000 first
    total = sum(len(b) for _, b in files)
    run = Run(files)
    run.clients_left = clients
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(run, host, port, prefix, key))
               for _ in range(clients)]
    threads.append(threading.Thread(target=poller,
                   args=(run, host, port, prefix, key, workers, t0 + secs)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if run.error:
        die(run.error)
    n = len(files)
    if run.acked != n or len(run.done_lat) != n:
        die("acked %d, completed %d of %d" % (run.acked, len(run.done_lat), n))
    ack_s = run.t_last_ack - t0
    done_s = run.t_last_done - t0
    lat = sorted(run.done_lat)
    mb = total / 1e6
    out("upload_files", n)
    out("upload_mb", mb)
    out("upload_clients", clients)
    out("upload_ack_s", ack_s)
    out("upload_ack_files_s", n / ack_s)
    out("upload_ack_mb_s", mb / ack_s)
    out("upload_done_s", done_s)
    out("upload_done_files_s", n / done_s)
    out("upload_done_mb_s", mb / done_s)
    out("upload_lat_p50_ms", 1000 * statistics.median(lat))
    out("upload_lat_p99_ms", 1000 * lat[min(n - 1, int(0.99 * n))])


def tree_pids(roots):
    """The PIDs and all their descendants, from /proc."""
    children = {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(e))
    seen, stack = set(), list(roots)
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        stack.extend(children.get(p, []))
    return seen


def cpu_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return 0.0
    fields = st[st.rindex(")") + 2:].split()
    # utime, stime, and cutime, cstime of reaped children (scan children)
    return sum(int(x) for x in fields[11:15]) / TICK


def machine_cpu():
    """Seconds since boot, all CPUs: (busy, idle, irq+softirq) from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = v
    return ((user + nice + system + irq + softirq + steal) / TICK,
            (idle + iowait) / TICK, (irq + softirq) / TICK)


def all_cpu():
    """{pid: [comm, cpu seconds]} for every process."""
    snap = {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % e) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        snap[e] = [comm, cpu_of(int(e))]
    return snap


def cmd_cpu(args):
    if args[0] == "--snap":
        with open(args[1], "w") as f:
            json.dump(all_cpu(), f)
        args = args[2:]
    pids = tree_pids([int(a) for a in args])
    busy, idle, irq = machine_cpu()
    print("%.2f %.2f %.2f %.2f" % (sum(cpu_of(p) for p in pids), busy, idle, irq))


def cmd_others(args):
    """The processes outside the PIDs' trees that used the most CPU
    between two `cpu --snap` snapshots, as comm:seconds,..."""
    with open(args[0]) as f:
        a = json.load(f)
    with open(args[1]) as f:
        b = json.load(f)
    ours = {str(p) for p in tree_pids([int(x) for x in args[2:]])} | {str(os.getpid())}
    used = {}
    for pid, (comm, t) in b.items():
        if pid in ours:
            continue
        d = t - (a[pid][1] if pid in a else 0.0)
        if comm.startswith("kworker/"):
            comm = "kworker"
        if d >= 0.05:
            used[comm] = used.get(comm, 0.0) + d
    top = sorted(used.items(), key=lambda kv: -kv[1])[:4]
    print(",".join("%s:%.2f" % (c.replace(",", "_").replace(" ", "_"), t) for c, t in top) or "-")


def cmd_run_cpu(args):
    if "--" not in args:
        die("run-cpu OUT -- CMD...")
    dest, cmd = args[0], args[args.index("--") + 1:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    with open(dest, "w") as f:
        f.write("%.2f\n" % (ru.ru_utime + ru.ru_stime))
    sys.exit(os.waitstatus_to_exitcode(status))


COMMANDS = {
    "port": (cmd_port, 0), "wait-ready": (cmd_wait_ready, 3), "eicar": (cmd_eicar, 1),
    "submit": (cmd_submit, 4), "fetch": (cmd_fetch, 3), "same": (cmd_same, 3),
    "gen": (cmd_gen, 4), "gets": (cmd_gets, 3), "upload": (cmd_upload, 6), "cpu": (cmd_cpu, 1), "others": (cmd_others, 2),
    "run-cpu": (cmd_run_cpu, 3),
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        die("usage: pnbench.py %s ..." % "|".join(COMMANDS))
    fn, nargs = COMMANDS[sys.argv[1]]
    args = sys.argv[2:]
    if len(args) < nargs:
        die("%s: expected %d arguments" % (sys.argv[1], nargs))
    fn(args)


if __name__ == "__main__":
    main()
