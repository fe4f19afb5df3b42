"""
test_crash.py - durability and process supervision (ARCHITECTURE.md
"Process model", "Storage"):

- kill -9 of the server while 50 uploads are in flight: its workers die with
  it (PR_SET_PDEATHSIG), and after a restart every upload that got a 200 is
  there, downloadable byte for byte, and its analysis completes; no upload
  left half a file behind;
- kill -9 of one idle worker: the server stays up, replaces the worker, and
  new uploads still complete.

SPDX-License-Identifier: MIT
"""

import os
import random
import signal
import threading
import time

import lib

API = lib.API
N_UPLOADS = 50
KILL_AFTER = 20


def test_kill9_during_uploads(ctx, t):
    srv = ctx.server("crash", fast=True).start()
    files = [lib.random_bytes(random.randint(500, 40000), b"crash %02d " % i)
             for i in range(N_UPLOADS)]
    results = [None] * N_UPLOADS
    done_at = [None] * N_UPLOADS
    answered = threading.Semaphore(0)
    go = threading.Event()
    lock = threading.Lock()
    count = [0]

    def one(i):
        ct, body = lib.multipart([("file", files[i], "crash-%02d.bin" % i)])
        step = max(1, len(body) // 4)
        pieces = [body[k:k + step] for k in range(0, len(body), step)]
        go.wait()
        time.sleep(random.uniform(0, 1.0))
        try:
            r = srv.raw("POST", API + "/files", [("Content-Type", ct),
                                                 ("Content-Length", str(len(body)))],
                        pieces, delay=0.05, timeout=ctx.http_timeout)
        except (OSError, ConnectionError) as e:
            r = e
        results[i] = r
        done_at[i] = time.monotonic()
        with lock:
            count[0] += 1
        answered.release()

    ths = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(N_UPLOADS)]
    for th in ths:
        th.start()
    go.set()
    end = time.monotonic() + ctx.http_timeout
    while count[0] < KILL_AFTER and time.monotonic() < end:
        answered.acquire(timeout=0.5)
    old_pid = srv.pid
    killed_at = time.monotonic()
    n_before = count[0]
    srv.kill9()
    t.diag("kill -9 of the server after %d answers" % n_before)
    for th in ths:
        th.join(ctx.http_timeout)
    acked = [i for i, r in enumerate(results) if isinstance(r, lib.Resp) and r.status == 200]
    other = [i for i, r in enumerate(results) if isinstance(r, lib.Resp) and r.status != 200]
    t.diag("%d of %d uploads acknowledged (200) before the kill, %d other answers, %d cut off" % (
        len(acked), N_UPLOADS, len(other),
        sum(1 for r in results if not isinstance(r, lib.Resp))))
    early = ["upload %d: %r" % (i, r) for i, r in enumerate(results)
             if not isinstance(r, lib.Resp) and done_at[i] is not None and done_at[i] < killed_at]
    t.ok(not early, "no upload failed without an answer before the kill", *early[:10])
    t.ok(len(acked) >= KILL_AFTER // 2, "uploads were acknowledged before the kill (%d)" % len(
        acked), *["upload %d: %s" % (i, results[i].summary(150)) for i in other[:5]])
    t.ok(not other, "no upload got an answer other than 200 before the kill",
         *["upload %d: %s" % (i, results[i].summary(150)) for i in other[:5]])

    # Workers die with their server (PR_SET_PDEATHSIG) - none may be left.
    gone = lib.wait_for(lambda: not lib.workers_of(srv.datadir), 5 * (3 if ctx.sanitized else 1))
    survivors = lib.workers_of(srv.datadir)
    t.ok(gone, "no `panoptes worker` of the data dir survives kill -9 of the server",
         "survivors: %r (server pid was %d)" % (survivors, old_pid))
    for p in survivors:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass

    srv.start()
    t.ok(True, "the server restarts on the data dir of the killed one")
    c = t.check("every acknowledged upload survived: file object, exact bytes, analysis completes")
    for i in acked:
        h = lib.hashes(files[i])
        j = lib.expect(c, srv.get("files/" + h["sha256"]), 200, "upload %d: GET file" % i)
        if j:
            lib.check_file_object(c, j, srv, h, "upload %d" % i)
        d = srv.get("files/%s/download" % h["sha256"])
        c(d.status == 200 and d.body == files[i], "upload %d: download %s" % (i, d.summary(80)))
    deadline = time.monotonic() + ctx.analysis_timeout
    for i in acked:
        aid = (results[i].json or {}).get("data", {}).get("id")
        if not c(isinstance(aid, str), "upload %d: no analysis id in %s" % (i, results[i].summary())):
            continue
        left = max(1.0, deadline - time.monotonic())
        aj, seen, last = srv.wait_analysis(aid, timeout=left)
        c(aj is not None, "upload %d: analysis %s not completed (statuses %r, last %s)" % (
            i, aid, seen, last.summary(150) if last else None))
    c.done()

    c = t.check("uploads cut off by the kill left no partial file")
    for i in range(N_UPLOADS):
        if i in acked:
            continue
        h = lib.hashes(files[i])
        r = srv.get("files/" + h["sha256"])
        if r.status == 200:
            # The commit finished before the answer was lost: it must be whole.
            d = srv.get("files/%s/download" % h["sha256"])
            c(d.status == 200 and d.body == files[i], "upload %d: stored but bytes differ" % i)
        else:
            c(r.status == 404, "upload %d: %s" % (i, r.summary(150)))
    c.done()

    c = t.check("after the crash and restart, a new upload completes")
    try:
        srv.upload_and_wait(lib.random_bytes(2000, b"after crash "), "after.bin")
    except RuntimeError as e:
        c(False, str(e))
    c.done()
    t.eq(srv.stop(), 0, "the restarted server stops cleanly")


def test_worker_kill9(ctx, t):
    srv = ctx.server("workerkill", workers=2).start()
    srv.upload_and_wait(lib.random_bytes(1000, b"warm up "), "warm.bin")
    ws = lib.wait_for(lambda: [p for p in lib.children(srv.pid)
                               if "worker" in lib.proc_cmdline(p)[1:2]], 10)
    t.require(ws, "the server has worker child processes (/proc)", repr(lib.children(srv.pid)))
    victim = ws[0]
    os.kill(victim, signal.SIGKILL)

    def replaced():
        now = [p for p in lib.children(srv.pid) if "worker" in lib.proc_cmdline(p)[1:2]]
        return now if victim not in now and len(now) >= len(ws) else None

    now = lib.wait_for(replaced, 15 * (3 if ctx.sanitized else 1), 0.1)
    t.ok(srv.alive(), "the server survives kill -9 of worker %d" % victim)
    t.ok(now, "a new worker replaces the killed one (was %r, now %r)" % (
        ws, [p for p in lib.children(srv.pid) if "worker" in lib.proc_cmdline(p)[1:2]]))
    st = lib.proc_stat(victim)
    t.ok(st is None or st[1] != srv.pid,
         "the killed worker is reaped (no zombie child left)", "stat %r" % (st,))
    c = t.check("uploads after the worker crash complete (EICAR still detected)")
    try:
        aid, aj = srv.upload_and_wait(lib.eicar(), "after-worker-kill.com")
        cat = (aj["data"]["attributes"]["results"].get("ClamAV") or {}).get("category")
        c.eq(cat, "malicious", "ClamAV category")
        for k in range(4):
            srv.upload_and_wait(lib.random_bytes(3000, b"after worker kill %d " % k), "w%d.bin" % k)
    except RuntimeError as e:
        c(False, str(e))
    c.done()

    # Workers killed in the middle of a job: the job must still end, promptly
    # (ARCHITECTURE.md: the job gets a failure result for the part that crashed).
    c = t.check("workers killed in the middle of a job: the job still completes")
    data = lib.random_bytes(16 * 1024 * 1024, b"busy worker ")
    r = srv.upload(data, "busy.bin")
    j = lib.expect(c, r, 200, "upload")
    if j:
        aid = j["data"]["id"]

        def in_progress():
            a = srv.get("analyses/" + aid).json or {}
            return a.get("data", {}).get("attributes", {}).get("status") in (
                "in-progress", "completed") and a["data"]["attributes"]["status"]

        st = lib.wait_for(in_progress, 10, 0.005)
        if st == "in-progress":
            killed = [p for p in lib.children(srv.pid) if "worker" in lib.proc_cmdline(p)[1:2]]
            for p in killed:
                os.kill(p, signal.SIGKILL)
            t.diag("job in progress: killed workers %r" % killed)
        else:
            t.diag("the job was not caught in progress (status %r); nothing killed" % st)
        aj, seen, last = srv.wait_analysis(aid)
        c(aj is not None, "analysis %s: statuses %r, last %s" % (aid, seen,
                                                                last.summary(200) if last else None))
        if aj:
            a = aj["data"]["attributes"]
            lib.check_stats_results(c, a.get("stats"), a.get("results"), "busy analysis")
            t.diag("busy job results: %r" % (a.get("results"),))
    c.done()
    c = t.check("after that, a new upload completes")
    try:
        srv.upload_and_wait(lib.random_bytes(3000, b"after busy kill "), "after-busy.bin")
    except RuntimeError as e:
        c(False, str(e))
    c.done()
    t.ok(srv.alive(), "the server is still up")
    t.eq(srv.stop(), 0, "the server stops cleanly")
