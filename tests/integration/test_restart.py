"""
test_restart.py - a clean stop (SIGTERM, SIGINT) and a restart on the same
data dir keep files, analyses, users and keys (ARCHITECTURE.md "Storage").

SPDX-License-Identifier: MIT
"""

import signal

import lib

API = lib.API


def test_restart(ctx, t):
    srv = ctx.server("restart").start()
    key1 = srv.key
    data = lib.random_bytes(20000, b"survive a restart ")
    h = lib.hashes(data)
    aid, a = srv.upload_and_wait(data, "persist.bin")
    ev = lib.eicar()
    eaid, ea = srv.upload_and_wait(ev, "persist-eicar.com")
    user = srv.user_add("restartuser", "--download", "--group", "admin")
    before = srv.get("files/" + h["sha256"]).json
    workers = lib.workers_of(srv.datadir)
    t.ok(len(workers) >= 1, "the server runs worker processes (%d found)" % len(workers))

    rc = srv.stop(signal.SIGTERM)
    t.eq(rc, 0, "SIGTERM stops the server with exit status 0")
    left = lib.wait_for(lambda: not lib.workers_of(srv.datadir), ctx.stop_timeout)
    t.ok(left, "no worker of the data dir survives a clean stop",
         "still running: %r" % lib.workers_of(srv.datadir))

    srv.start()
    t.ok("ready:" in srv.logtext(), "restart on the same data dir logs the ready line")
    t.eq(srv.read_key(), key1, "admin.key is unchanged")
    c = t.check("after the restart: file, analyses, keys and users are all there")
    j = lib.expect(c, srv.get("files/" + h["sha256"], key=key1), 200, "GET file (old key)")
    if j:
        lib.check_file_object(c, j, srv, h)   # links now on the new port
        c.eq(j["data"].get("attributes"), before["data"]["attributes"], "file attributes")
    j = lib.expect(c, srv.get("analyses/" + aid), 200, "GET analysis")
    c.eq((j or {}).get("data", {}).get("attributes"), a["data"]["attributes"], "analysis")
    j = lib.expect(c, srv.get("analyses/" + eaid), 200, "GET EICAR analysis")
    c.eq(((j or {}).get("data", {}).get("attributes", {}).get("results", {}).get("ClamAV") or
          {}).get("category"), "malicious", "EICAR verdict")
    d = srv.get("files/%s/download" % h["sha256"], key=user)
    c(d.status == 200 and d.body == data, "download by the user added before: %s" % d.summary(100))
    j = lib.expect(c, srv.get("files/%s/analyses" % h["sha256"]), 200, "analyses list")
    c.eq((j or {}).get("meta", {}).get("count"), 1, "analyses meta.count")
    c.done()

    c = t.check("after the restart: a new submission of the old file counts and completes")
    r = srv.upload(data, "persist-again.bin")
    j = lib.expect(c, r, 200, "upload")
    if j:
        aj, seen, last = srv.wait_analysis(j["data"]["id"])
        c(aj is not None, "analysis did not complete: %r" % seen)
    j = lib.expect(c, srv.get("files/" + h["sha256"]), 200, "GET file")
    at = (j or {}).get("data", {}).get("attributes", {})
    c.eq(at.get("times_submitted"), before["data"]["attributes"]["times_submitted"] + 1,
         "times_submitted")
    c(set(at.get("names") or []) >= {"persist.bin", "persist-again.bin"}, "names %r" % at.get(
        "names"))
    c.done()

    rc = srv.stop(signal.SIGINT)
    t.eq(rc, 0, "SIGINT stops the server with exit status 0")
    t.ok(lib.wait_for(lambda: not lib.workers_of(srv.datadir), ctx.stop_timeout),
         "no worker survives the SIGINT stop", repr(lib.workers_of(srv.datadir)))


def test_second_server_same_data(ctx, t):
    """Two servers on one data dir would corrupt the store: the second must refuse."""
    srv = ctx.server("lockfirst").start()
    second = ctx.server("locksecond", datadir=srv.datadir)
    try:
        second.start(timeout=10 * (3 if ctx.sanitized else 1))
        started = True
    except RuntimeError:
        started = False
    c = t.check("a second server on a data dir in use exits non-zero and says why")
    c(not started, "the second server started and serves")
    rc = second.proc.poll() if second.proc else None
    c(rc not in (None, 0), "exit status %r" % rc)
    c(srv.alive(), "the first server died")
    lib.expect(c, srv.get("metadata"), 200, "first server still answers")
    c.done()
    second.kill9()
    t.eq(srv.stop(), 0, "the first server stops cleanly")
