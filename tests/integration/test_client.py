"""
test_client.py - `panoptes` as a client of the v3 API (cases 6xxx "CLI"):
file/analysis/relations/download lookups in every output format, exit codes
(0 clean, 1 detected, 2 usage or input, 3 server or network), configuration
(flags, environment, config file, permissions), the key never shown,
`scan --server` of a tree agreeing with the local scan, resuming after
SIGINT without re-uploading, the upload URL path, progress and colour only
on a terminal, and `make install` into a DESTDIR.

Commands whose server routes are still being built elsewhere (url, domain,
ip, comments, votes, search) are tested here too; each such check is a TAP
SKIP naming the route while the server answers 404 "unknown resource" or
405 for it, and runs as soon as the route lands.

SPDX-License-Identifier: MIT
"""

import csv
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

import lib
import clientlib as cl


def _server(ctx):
    """This module's own server: its uploads (EICAR among them) must not
    change what the other modules' tests find on the shared one."""
    srv = getattr(ctx, "_client_srv", None)
    if srv is None or not srv.alive():
        srv = ctx._client_srv = ctx.server("client").start()
    ctx.note_use(srv)
    return srv


def _samples(srv):
    """EICAR and a random file on srv, analysed; returns (eicar hashes, clean hashes)."""
    ev, cv = lib.eicar(), lib.random_bytes(6000, b"client-clean")
    srv.upload_and_wait(ev, "eicar.com")
    srv.upload_and_wait(cv, "clean.bin")
    return lib.hashes(ev), lib.hashes(cv)


def _data(srv, path):
    r = srv.get(path)
    return (r.json or {}).get("data") if r.status == 200 else None


# ------------------------------------------------------------ lookups

def test_client_file_formats(ctx, t):
    srv = _server(ctx)
    eh, ch = _samples(srv)
    env = cl.client_env(ctx, srv)
    server_obj = _data(srv, "files/" + eh["sha256"])

    r = cl.run(ctx, ["file", eh["sha256"]], env)
    c = t.check("`file SHA256` of EICAR: exit 1, a summary with the ratio and engine labels")
    c.eq(r.returncode, 1, "exit status (stderr %r)" % r.stderr[-300:])
    st = server_obj["attributes"]["last_analysis_stats"]
    total = sum(st.values())
    c(("%d/%d malicious" % (st["malicious"], total)) in r.stdout, "ratio in %r" % r.stdout[:400])
    for eng, res in server_obj["attributes"]["last_analysis_results"].items():
        if res["category"] == "malicious":
            c(eng in r.stdout and res["result"] in r.stdout, "detection %s missing" % eng)
    c(eh["md5"] in r.stdout and "68" in r.stdout, "md5 and size shown")
    c("\033[" not in r.stdout, "colour on a pipe")
    c.done()

    r = cl.run(ctx, ["file", ch["sha256"]], env)
    t.eq(r.returncode, 0, "`file SHA256` of a clean file exits 0")

    r = cl.run(ctx, ["file", "-o", "json", eh["md5"]], env)
    c = t.check("`file -o json MD5` prints the API object of the sha256")
    c.eq(r.returncode, 1, "exit status")
    try:
        j = json.loads(r.stdout)
        c.eq(j.get("id"), eh["sha256"], "id")
        c.eq(j.get("type"), "file", "type")
        c.eq(j.get("attributes", {}).get("last_analysis_results"),
             server_obj["attributes"]["last_analysis_results"], "results as the server has them")
    except ValueError as e:
        c(False, "not JSON: %s: %r" % (e, r.stdout[:300]))
    c.done()

    r = cl.run(ctx, ["file", "-o", "json", eh["sha256"], ch["sha1"]], env)
    c = t.check("`file -o json` of two hashes is an array of two objects")
    try:
        arr = json.loads(r.stdout)
        c.eq([o.get("id") for o in arr], [eh["sha256"], ch["sha256"]], "ids")
    except (ValueError, AttributeError) as e:
        c(False, "bad JSON array: %s: %r" % (e, r.stdout[:300]))
    c.done()

    r = cl.run(ctx, ["file", "-o", "jsonl", eh["sha256"], ch["sha256"]], env)
    c = t.check("`-o jsonl`: one object per line")
    lines = cl.jsonl(r.stdout)
    c.eq([o.get("id") for o in lines], [eh["sha256"], ch["sha256"]], "ids")
    c.eq(r.returncode, 1, "exit status (one detected)")
    c.done()

    r = cl.run(ctx, ["file", "-o", "csv", eh["sha256"], ch["sha256"]], env)
    c = t.check("`-o csv`: a header and a row per file")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    c(len(rows) == 3, "rows %r" % rows)
    if len(rows) == 3:
        hdr = rows[0]
        c("id" in hdr and "last_analysis_stats.malicious" in hdr, "header %r" % hdr)
        if "id" in hdr and "last_analysis_stats.malicious" in hdr:
            m = hdr.index("last_analysis_stats.malicious")
            c.eq(rows[1][hdr.index("id")], eh["sha256"], "row 1 id")
            c.eq(rows[1][m], str(st["malicious"]), "row 1 malicious")
            c.eq(rows[2][m], "0", "row 2 malicious")
    c.done()

    r = cl.run(ctx, ["file", "-o", "json", "--fields", "size,last_analysis_stats.malicious,md5",
                     eh["sha256"]], env)
    c = t.check("`--fields` picks attributes (dotted paths) for JSON")
    try:
        j = json.loads(r.stdout)
        c.eq(j, {"type": "file", "id": eh["sha256"], "size": 68,
                 "last_analysis_stats.malicious": st["malicious"], "md5": eh["md5"]}, "object")
    except ValueError as e:
        c(False, "not JSON: %s" % e)
    c.done()

    r = cl.run(ctx, ["file", "-o", "csv", "--fields", "md5,names", eh["sha256"]], env)
    c = t.check("`--fields` with CSV: those columns, lists as JSON")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    c.eq(rows[0] if rows else None, ["md5", "names"], "header")
    c(len(rows) == 2 and rows[1][0] == eh["md5"] and json.loads(rows[1][1]) ==
      server_obj["attributes"]["names"], "row %r" % rows[1:])
    c.done()

    r = cl.run(ctx, ["file", "--fields", "size,type_tag", eh["sha256"]], env)
    c = t.check("`--fields` in text output: one line per field")
    c(r.stdout.split("\n")[0].strip() == "file " + eh["sha256"], "header line %r" % r.stdout[:100])
    c("size" in r.stdout and "68" in r.stdout and "detections" not in r.stdout,
      "text %r" % r.stdout)
    c.done()

    r = cl.run(ctx, ["file", "--threshold", str(st["malicious"] + 1), eh["sha256"]], env)
    t.eq(r.returncode, 0, "--threshold above the malicious count: exit 0")


def test_client_exit_codes(ctx, t):
    srv = _server(ctx)
    env = cl.client_env(ctx, srv)
    unknown = "ab" * 32

    r = cl.run(ctx, ["file", unknown], env)
    c = t.check("unknown hash: exit 2, NotFoundError named on stderr")
    c.eq(r.returncode, 2, "exit status")
    c("not found" in r.stderr and "NotFoundError" in r.stderr, "stderr %r" % r.stderr)
    c.eq(r.stdout, "", "stdout")
    c.done()

    for args, what in ((["file", "xyz"], "a malformed hash"), (["file"], "no argument"),
                       (["file", "--nope", unknown], "an unknown option"),
                       (["file", "-o", "yaml", unknown], "an unknown format"),
                       (["relations", "bogus", "x", "analyses"], "an unknown object type"),
                       (["vote", "file", unknown, "maybe"], "a bad verdict"),
                       (["download", "zz"], "a malformed download hash")):
        r = cl.run(ctx, args, env)
        c = t.check("%s: exit 2 with a message" % what)
        c.eq(r.returncode, 2, "exit status")
        c(r.stderr.strip() != "", "stderr empty")
        c.done()

    down = "http://127.0.0.1:%d" % lib.free_port()
    r = cl.run(ctx, ["file", unknown], cl.client_env(ctx, srv, server=down))
    c = t.check("server down: exit 3, 'cannot reach the server'")
    c.eq(r.returncode, 3, "exit status")
    c("cannot reach the server" in r.stderr, "stderr %r" % r.stderr)
    c.done()

    wrong = "wrong-" + os.urandom(8).hex()
    r = cl.run(ctx, ["file", "-v", unknown], cl.client_env(ctx, srv, key=wrong))
    c = t.check("wrong key: exit 3, a clear message, the key not shown")
    c.eq(r.returncode, 3, "exit status")
    c("refused the API key" in r.stderr and "WrongCredentialsError" in r.stderr,
      "stderr %r" % r.stderr)
    c(wrong not in r.stderr and wrong not in r.stdout, "the key appears in the output")
    c.done()

    r = cl.run(ctx, ["file", unknown], cl.client_env(ctx))
    c = t.check("no server configured: exit 2 naming --server and PANOPTES_SERVER")
    c.eq(r.returncode, 2, "exit status")
    c("--server" in r.stderr and "PANOPTES_SERVER" in r.stderr, "stderr %r" % r.stderr)
    c.done()

    r = cl.run(ctx, ["file", unknown], cl.client_env(ctx, srv, server="ftp://127.0.0.1/"))
    t.eq(r.returncode, 2, "a server URL that is not http(s): exit 2")

    r = cl.run(ctx, ["file", unknown], cl.client_env(ctx, srv, key=None))
    c = t.check("no key: exit 3 with AuthenticationRequiredError")
    c.eq(r.returncode, 3, "exit status")
    c("AuthenticationRequiredError" in r.stderr, "stderr %r" % r.stderr)
    c.done()


def test_client_key_handling(ctx, t):
    """The key is never printed, and --apikey is wiped from /proc/PID/cmdline."""
    srv = _server(ctx)
    eh, _ = _samples(srv)
    key = srv.key
    r = cl.run(ctx, ["file", "-v", "--apikey", key, eh["sha256"]], cl.client_env(ctx, srv, key=None))
    c = t.check("--apikey works and -v traces requests without the key")
    c.eq(r.returncode, 1, "exit status (stderr %r)" % r.stderr[-300:])
    c("GET " in r.stderr and "/api/v3/files/" + eh["sha256"] in r.stderr, "trace %r" % r.stderr)
    c(key not in r.stderr and key not in r.stdout, "key shown")
    c.done()

    # A server that accepts and never answers: the client sits there long
    # enough to read its command line.
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    port = ls.getsockname()[1]
    secret = "secret-" + os.urandom(12).hex()
    p = subprocess.Popen([ctx.bin, "file", "--timeout", "20", "--apikey", secret,
                          "--server", "http://127.0.0.1:%d" % port, "ab" * 32],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=cl.client_env(ctx))
    ctx.track(p)
    conn = None
    try:
        ls.settimeout(ctx.start_timeout)
        conn, _ = ls.accept()
        argv = lib.proc_cmdline(p.pid)
    finally:
        p.kill()
        out, err = p.communicate()
        if conn:
            conn.close()
        ls.close()
    c = t.check("--apikey is not left in /proc/PID/cmdline")
    c(len(argv) > 3, "cmdline %r" % argv)
    c(not any(secret in a for a in argv), "cmdline still holds the key: %r" % argv)
    c.done()


def test_client_config(ctx, t):
    srv = _server(ctx)
    eh, _ = _samples(srv)
    xdg = ctx.mkdtemp("client-conf")
    os.makedirs(os.path.join(xdg, "panoptes"))
    conf = os.path.join(xdg, "panoptes", "config")
    with open(conf, "w") as f:
        f.write("# test\nserver = %s\napikey = %s\n" % (srv.base, srv.key))
    env = cl.client_env(ctx, extra={"XDG_CONFIG_HOME": xdg})

    os.chmod(conf, 0o600)
    r = cl.run(ctx, ["file", eh["sha256"]], env)
    t.eq(r.returncode, 1, "config file (mode 600) gives server and key: lookup works")

    os.chmod(conf, 0o640)
    r = cl.run(ctx, ["file", eh["sha256"]], env)
    c = t.check("group-readable config with a key: works with a warning")
    c.eq(r.returncode, 1, "exit status")
    c("warning" in r.stderr and "chmod 600" in r.stderr, "stderr %r" % r.stderr)
    c.done()

    os.chmod(conf, 0o644)
    r = cl.run(ctx, ["file", eh["sha256"]], env)
    c = t.check("world-readable config with a key is refused (exit 2)")
    c.eq(r.returncode, 2, "exit status")
    c("readable by everyone" in r.stderr, "stderr %r" % r.stderr)
    c(srv.key not in r.stderr, "key shown")
    c.done()

    os.chmod(conf, 0o600)
    env2 = dict(env)
    env2["PANOPTES_APIKEY"] = "wrong-key"
    r = cl.run(ctx, ["file", eh["sha256"]], env2)
    t.eq(r.returncode, 3, "PANOPTES_APIKEY wins over the config file")
    r = cl.run(ctx, ["file", "--apikey", srv.key, eh["sha256"]], env2)
    t.eq(r.returncode, 1, "--apikey wins over PANOPTES_APIKEY")
    env3 = dict(env)
    env3["PANOPTES_SERVER"] = "http://127.0.0.1:%d" % lib.free_port()
    r = cl.run(ctx, ["file", eh["sha256"]], env3)
    t.eq(r.returncode, 3, "PANOPTES_SERVER wins over the config file")

    with open(conf, "w") as f:
        f.write("server = %s\nnosuchkey = 1\n" % srv.base)
    r = cl.run(ctx, ["file", eh["sha256"]], env)
    c = t.check("an unknown config key is an error naming file and line")
    c.eq(r.returncode, 2, "exit status")
    c("config:2" in r.stderr and "nosuchkey" in r.stderr, "stderr %r" % r.stderr)
    c.done()


def test_client_analysis_relations(ctx, t):
    srv = _server(ctx)
    data = lib.random_bytes(3000, b"client-rel")
    h = lib.hashes(data)
    aids = [srv.upload_and_wait(data, "rel-%d.bin" % i)[0] for i in range(3)]
    env = cl.client_env(ctx, srv)

    r = cl.run(ctx, ["analysis", aids[0]], env)
    c = t.check("`analysis ID`: status completed and the file's sha256")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    c("completed" in r.stdout and h["sha256"] in r.stdout, "text %r" % r.stdout)
    c.done()

    r = cl.run(ctx, ["analysis", "-o", "json", aids[1]], env)
    c = t.check("`analysis -o json`: the analysis object with meta.file_info")
    try:
        j = json.loads(r.stdout)
        c.eq(j.get("id"), aids[1], "id")
        c.eq(j.get("attributes", {}).get("status"), "completed", "status")
        c.eq(j.get("meta", {}).get("file_info", {}).get("sha256"), h["sha256"], "file_info")
    except ValueError as e:
        c(False, "not JSON: %s" % e)
    c.done()

    r = srv.upload(lib.random_bytes(2000, b"client-wait"), "w.bin")
    aid = r.json["data"]["id"]
    r = cl.run(ctx, ["analysis", "--wait", "-o", "json", "--fields", "status", aid], env)
    c = t.check("`analysis --wait` returns once completed")
    c.eq(r.returncode, 0, "exit status")
    c('"status": "completed"' in r.stdout, "stdout %r" % r.stdout)
    c.done()

    r = cl.run(ctx, ["analysis", "bm8tc3VjaC1hbmFseXNpcw=="], env)
    t.eq(r.returncode, 2, "unknown analysis id: exit 2")

    server_ids = [o["id"] for o in _data(srv, "files/%s/analyses?limit=40" % h["sha256"])]
    r = cl.run(ctx, ["relations", "-o", "jsonl", "--all", "--page-size", "1",
                     "file", h["sha256"], "analyses"], env)
    c = t.check("`relations --all --page-size 1` follows the cursor through every page")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    c.eq([o.get("id") for o in cl.jsonl(r.stdout)], server_ids, "ids")
    c(len(server_ids) == 3, "server has %d analyses" % len(server_ids))
    c.done()

    r = cl.run(ctx, ["relations", "-o", "jsonl", "--limit", "2", "--page-size", "1",
                     "file", h["sha256"], "analyses"], env)
    t.eq([o.get("id") for o in cl.jsonl(r.stdout)], server_ids[:2],
         "`relations --limit 2` stops after two items")

    r = cl.run(ctx, ["relations", "-o", "csv", "--descriptors", "file", h["md5"], "submissions"],
               env)
    c = t.check("`relations --descriptors` lists type,id of the submissions")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    c.eq(rows[:1], [["type", "id"]], "header")
    c(len(rows) == 4 and all(row[0] == "submission" for row in rows[1:]), "rows %r" % rows)
    c.done()

    r = cl.run(ctx, ["relations", "file", h["sha256"], "no_such_relationship"], env)
    t.eq(r.returncode, 2, "unknown relationship: exit 2 (404 NotFoundError)")

    r = cl.run(ctx, ["relations", "analysis", aids[0], "item", "-o", "json"], env)
    c = t.check("1:1 relationship (analysis item) prints the file")
    try:
        arr = json.loads(r.stdout)
        c.eq([o.get("id") for o in arr], [h["sha256"]], "ids")
    except ValueError as e:
        c(False, "not JSON: %s %r" % (e, r.stdout[:200]))
    c.done()


def test_client_download(ctx, t):
    srv = _server(ctx)
    data = lib.random_bytes(150000, b"client-dl")
    h = lib.hashes(data)
    srv.upload_and_wait(data, "dl.bin")
    env = cl.client_env(ctx, srv)
    d = ctx.mkdtemp("client-dl")

    out = os.path.join(d, "saved.bin")
    r = cl.run(ctx, ["download", h["sha256"], "-O", out], env)
    c = t.check("`download SHA256 -O FILE` saves the exact bytes")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    c(os.path.exists(out) and open(out, "rb").read() == data, "content differs")
    c.eq(sorted(os.listdir(d)), ["saved.bin"], "files left in the directory")
    c.done()

    r = cl.run(ctx, ["download", h["md5"].upper()], env, cwd=d)
    c = t.check("`download MD5` (any case) saves to ./<hash>")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    p = os.path.join(d, h["md5"])
    c(os.path.exists(p) and open(p, "rb").read() == data, "file %s" % p)
    c.done()

    r = cl.run(ctx, ["download", h["sha1"], "-O", "-"], env, text=False)
    t.ok(r.returncode == 0 and r.stdout == data, "`download -O -` writes the bytes to stdout",
         "exit %d, %d bytes" % (r.returncode, len(r.stdout)))

    r = cl.run(ctx, ["download", "cd" * 32, "-O", os.path.join(d, "none.bin")], env)
    c = t.check("download of an unknown hash: exit 2, nothing left behind")
    c.eq(r.returncode, 2, "exit status")
    c(not any(n.startswith("none.bin") for n in os.listdir(d)), "files %r" % os.listdir(d))
    c.done()

    # In the uploader's group (docs/PRIVACY.md), without the download permission.
    key = srv.user_add("nodl-%s" % os.urandom(3).hex(), "--group", "admin")
    r = cl.run(ctx, ["download", h["sha256"], "-O", os.path.join(d, "x.bin")],
               cl.client_env(ctx, srv, key=key))
    c = t.check("download without the permission: exit 3 with ForbiddenError")
    c.eq(r.returncode, 3, "exit status")
    c("ForbiddenError" in r.stderr, "stderr %r" % r.stderr)
    c(not any(n.startswith("x.bin") for n in os.listdir(d)), "files %r" % os.listdir(d))
    c.done()


# --------------------------------------------------------------- scan

def _tree(ctx, name):
    d = ctx.mkdtemp(name)
    cl.write_tree(d, {
        "clean.bin": lib.random_bytes(8000, name.encode()),
        "docs/readme.txt": b"nothing to see here\n" * 30,
        "sub/eicar.com": lib.eicar(),
        "sub/deeper/data.bin": lib.random_bytes(70000, b"deeper" + name.encode()),
        "sub/deeper/empty": b"",
    })
    os.symlink("/etc/passwd", os.path.join(d, "link-not-followed"))
    return d


def _verdicts(objs, root):
    return {os.path.relpath(o["path"], root):
            {k: (v.get("category"), v.get("result"))
             for k, v in (o.get("last_analysis_results") or {}).items()} for o in objs}


def test_client_scan_server_matches_local(ctx, t):
    srv = _server(ctx)
    d = _tree(ctx, "client-scan")
    env = cl.client_env(ctx, srv)

    loc = cl.run(ctx, ["scan", "-q", "-o", "jsonl", d], env)
    rem = cl.run(ctx, ["scan", "--server", srv.base, "-q", "-j", "3", "-o", "jsonl", d], env)
    c = t.check("scan of a tree: local and --server both exit 1 and report the same files")
    c.eq(loc.returncode, 1, "local exit status (stderr %r)" % loc.stderr[-300:])
    c.eq(rem.returncode, 1, "server exit status (stderr %r)" % rem.stderr[-300:])
    lo, ro = cl.jsonl(loc.stdout), cl.jsonl(rem.stdout)
    names = ["clean.bin", "docs/readme.txt", "sub/deeper/data.bin", "sub/deeper/empty",
             "sub/eicar.com"]
    c.eq(sorted(os.path.relpath(o["path"], d) for o in ro), names, "server paths")
    c.eq(sorted(os.path.relpath(o["path"], d) for o in lo), names, "local paths")
    c.done()

    lv, rv = _verdicts(lo, d), _verdicts(ro, d)
    for n in names:
        t.ok(len(rv.get(n, {})) > 0 and lv.get(n) == rv.get(n),
             "local and server verdicts agree on %s" % n,
             "local:  %r" % lv.get(n), "server: %r" % rv.get(n))
    byname = {os.path.relpath(o["path"], d): o for o in ro}
    e = byname.get("sub/eicar.com", {})
    c = t.check("server reports carry the file's attributes (hashes, size, type)")
    c.eq(e.get("sha256"), lib.hashes(lib.eicar())["sha256"], "sha256")
    c.eq(e.get("size"), 68, "size")
    c(len(e.get("last_analysis_stats", {})) == 8, "stats %r" % e.get("last_analysis_stats"))
    c.eq(e.get("type_tag"), {os.path.relpath(o["path"], d): o for o in lo}
         .get("sub/eicar.com", {}).get("type_tag"), "type_tag as locally")
    c.done()

    r = cl.run(ctx, ["scan", "--remote", "-q", os.path.join(d, "docs"),
                     os.path.join(d, "clean.bin")], env)
    c = t.check("`scan --remote` of clean files (server from PANOPTES_SERVER): exit 0, text")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    c("readme.txt" in r.stdout and "clean.bin" in r.stdout and "DETECTED" not in r.stdout,
      "stdout %r" % r.stdout)
    c.done()

    r = cl.run(ctx, ["scan", "--remote", "-q", "-o", "csv", d], env)
    c = t.check("`scan --remote -o csv`: a header and one row per file")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    c(rows and rows[0][:2] == ["path", "sha256"], "header %r" % rows[:1])
    c.eq(len(rows), 6, "rows")
    c.done()

    r = cl.run(ctx, ["scan", "--remote", "-q", "-o", "json", "--fields", "sha256,size",
                     os.path.join(d, "sub", "eicar.com")], env)
    c = t.check("`scan --remote -o json --fields` is an array of picked fields")
    try:
        arr = json.loads(r.stdout)
        c.eq(arr, [{"type": "file", "id": lib.hashes(lib.eicar())["sha256"],
                    "sha256": lib.hashes(lib.eicar())["sha256"], "size": 68}], "array")
    except ValueError as e:
        c(False, "not JSON: %s %r" % (e, r.stdout[:300]))
    c.done()

    missing = os.path.join(d, "no-such-file")
    for mode in (["scan", "-q"], ["scan", "--remote", "-q"]):
        r = cl.run(ctx, mode + [missing], env)
        c = t.check("`%s` of a missing path: exit 2 (input error) naming it" % " ".join(mode))
        c.eq(r.returncode, 2, "exit status")
        c(missing in r.stderr, "stderr %r" % r.stderr)
        c.done()

    # Root reads anything: then run the client as nobody (setpriv).
    prefix = []
    if os.geteuid() == 0 and shutil.which("setpriv"):
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        os.chmod(d, 0o755)
    if os.geteuid() == 0 and not prefix:
        cl.skip(t, "unreadable file in a scan is an input error",
                "running as root without setpriv: permissions do not stop reads")
    else:
        u = os.path.join(d, "unreadable.bin")
        with open(u, "wb") as f:
            f.write(b"x" * 100)
        os.chmod(u, 0)
        uenv = dict(env)
        uenv["XDG_CONFIG_HOME"] = uenv["HOME"] = "/nonexistent"
        for mode in (["scan", "-q", "-o", "jsonl"], ["scan", "--remote", "-q", "-o", "jsonl"]):
            r = cl.run(ctx, mode + [u, os.path.join(d, "clean.bin")], uenv, prefix=prefix)
            objs = cl.jsonl(r.stdout)
            c = t.check("`%s`: an unreadable file is reported with an error, exit 2" %
                        " ".join(mode))
            c.eq(r.returncode, 2, "exit status")
            c(any(o.get("path") == u and "error" in o for o in objs), "reports %r" % objs)
            c.done()
        os.chmod(u, 0o600)

    r = cl.run(ctx, ["scan", "--server", srv.base, "-q", d], cl.client_env(ctx, srv, key="bad"))
    c = t.check("`scan --server` with a wrong key: exit 3, one clear message")
    c.eq(r.returncode, 3, "exit status")
    c(r.stderr.count("refused the API key") == 1, "stderr %r" % r.stderr)
    c.done()

    r = cl.run(ctx, ["scan", "--server", "http://127.0.0.1:%d" % lib.free_port(), "-q", d], env)
    t.eq(r.returncode, 3, "`scan --server` with the server down: exit 3")


def test_client_scan_resume(ctx, t):
    """SIGINT stops a --server scan with what completed; a re-run uploads nothing twice."""
    srv = _server(ctx)
    d = ctx.mkdtemp("client-resume")
    nfiles = 40
    files = {"f%02d.bin" % i: lib.random_bytes(30000, b"resume-%d-" % i) for i in range(nfiles)}
    cl.write_tree(d, files)
    env = cl.client_env(ctx, srv)
    argv = [ctx.bin, "scan", "--server", srv.base, "-j", "2", "-o", "jsonl", d]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    ctx.track(p)
    first = p.stdout.readline()
    p.send_signal(signal.SIGINT)
    try:
        rest, err = p.communicate(timeout=ctx.analysis_timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, err = p.communicate()
        err += b" (did not stop after SIGINT)"
    err = err.decode("utf-8", "replace")
    ctx.cli_logs.append((argv, err))
    done1 = cl.jsonl((first + rest).decode())
    c = t.check("SIGINT: exit 130, complete reports of what finished, how to resume")
    c.eq(p.returncode, 130, "exit status (stderr %r)" % err[-300:])
    c(1 <= len(done1) < nfiles, "%d reports" % len(done1))
    c(all(o.get("last_analysis_results") for o in done1), "a partial report")
    c("interrupted" in err and "again to resume" in err, "stderr %r" % err)
    c.done()

    r = cl.run(ctx, ["scan", "--server", srv.base, "-q", "-o", "jsonl", "-v", d], env)
    done2 = cl.jsonl(r.stdout)
    c = t.check("the re-run reports every file, uploading only those the server lacks")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
    c.eq(sorted(os.path.basename(o["path"]) for o in done2), sorted(files), "files")
    posts = r.stderr.count("POST %s/api/v3/files ->" % srv.base)
    c(posts <= nfiles - len(done1), "%d uploads for %d missing files" % (
        posts, nfiles - len(done1)))
    c.done()
    counts = []
    for name, data in files.items():
        j = srv.get("files/%s/submissions?limit=40" % lib.hashes(data)["sha256"]).json or {}
        counts.append((j.get("meta") or {}).get("count"))
    t.eq(counts, [1] * nfiles, "each file was submitted exactly once over both runs")

    r = cl.run(ctx, ["scan", "--server", srv.base, "-q", "-o", "jsonl", "-v",
                     os.path.join(d, "f00.bin")], env)
    t.ok(r.returncode == 0 and "POST" not in r.stderr,
         "a third run of a known file uploads nothing", r.stderr[-400:])
    r = cl.run(ctx, ["scan", "--server", srv.base, "-q", "-v", "--rescan",
                     os.path.join(d, "f00.bin")], env)
    t.ok(r.returncode == 0 and "/analyse -> 200" in r.stderr,
         "--rescan asks for a new analysis of a known file", r.stderr[-400:])


def test_client_scan_upload_url(ctx, t):
    srv = _server(ctx)
    d = ctx.mkdtemp("client-upurl")
    data = lib.random_bytes(5000, b"upload-url")
    cl.write_tree(d, {"big.bin": data, "small.bin": b"tiny"})
    r = cl.run(ctx, ["scan", "--server", srv.base, "-q", "-v", "-o", "jsonl",
                     "--upload-url-above", "100", d], cl.client_env(ctx, srv))
    c = t.check("files above --upload-url-above go through /files/upload_url")
    c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-400:])
    c("GET %s/api/v3/files/upload_url -> 200" % srv.base in r.stderr, "no upload_url request")
    c(r.stderr.count("/api/v3/files/upload/") == 1, "one upload to the URL: %r" % r.stderr)
    c(r.stderr.count("POST %s/api/v3/files ->" % srv.base) == 1, "small file posted directly")
    objs = {os.path.basename(o["path"]): o for o in cl.jsonl(r.stdout)}
    c.eq(objs.get("big.bin", {}).get("sha256"), lib.hashes(data)["sha256"], "big.bin report")
    c.done()


def test_client_terminal(ctx, t):
    """Progress on a terminal's stderr only; colour on a terminal's stdout unless NO_COLOR."""
    srv = _server(ctx)
    d = ctx.mkdtemp("client-tty")
    cl.write_tree(d, {"a%d.bin" % i: lib.random_bytes(20000, b"tty-%d" % i) for i in range(6)})
    cl.write_tree(d, {"e.com": lib.eicar()})
    env = cl.client_env(ctx, srv)
    rc, out, err = cl.run_pty(ctx, ["scan", "--remote", "-j", "1", d], env, which="stderr")
    c = t.check("scan --server on a terminal: a progress line on stderr")
    c.eq(rc, 1, "exit status")
    c("files" in err and "MB" in err and "ETA" in err, "stderr %r" % err[-300:])
    c("files" not in out.split("\n")[0], "progress on stdout")
    c.done()
    r = cl.run(ctx, ["scan", "--remote", "-j", "1", d], env)
    t.ok("ETA" not in r.stderr and "\r" not in r.stderr, "no progress when stderr is not a tty",
         repr(r.stderr[-300:]))

    eh = lib.hashes(lib.eicar())["sha256"]
    rc, out, err = cl.run_pty(ctx, ["file", eh], env, which="stdout")
    t.ok(rc == 1 and "\033[" in out, "colour when stdout is a terminal", repr(out[:200]))
    env2 = dict(env)
    env2["NO_COLOR"] = "1"
    rc, out, err = cl.run_pty(ctx, ["file", eh], env2, which="stdout")
    t.ok(rc == 1 and "\033[" not in out and "malicious" in out, "no colour with NO_COLOR",
         repr(out[:200]))


# ------------------------------------------------ a scripted VT server

def test_client_retry_gzip(ctx, t):
    """429 with Retry-After is retried; gzip answers are decoded."""
    import gzip
    sha = "12" * 32
    sha503 = "13" * 32
    state = {"n": 0, "n503": 0}

    def fn(method, path, hd, body):
        if path.startswith("/api/v3/files/" + sha503):
            state["n503"] += 1
            if state["n503"] == 1:
                return cl.vt_error(503, "TransientError", "try again")
            return 200, {}, cl.file_object(fake.base, sha503)
        if path.startswith("/api/v3/files/" + sha):
            state["n"] += 1
            if state["n"] % 2 == 1:
                st, h, b = cl.vt_error(429, "QuotaExceededError", "Quota exceeded")
                return st, {"Retry-After": "1"}, b
            raw = json.dumps(cl.file_object(fake.base, sha, malicious=2)).encode()
            return 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, \
                gzip.compress(raw)
        return cl.vt_error(404, "NotFoundError", "unknown resource")

    fake = cl.FakeServer(fn)
    try:
        env = cl.client_env(ctx, server=fake.base, extra={"PANOPTES_APIKEY": "k-fake"})
        t0 = time.monotonic()
        r = cl.run(ctx, ["file", "-o", "json", "--fields", "last_analysis_stats.malicious", sha],
                   env)
        dt = time.monotonic() - t0
        c = t.check("429 + Retry-After: 1 is retried after a second; gzip body decoded")
        c.eq(r.returncode, 1, "exit status (stderr %r)" % r.stderr[-300:])
        c('"last_analysis_stats.malicious": 2' in r.stdout, "stdout %r" % r.stdout)
        c(dt >= 0.9, "retried after %.2f s" % dt)
        c.eq(state["n"], 2, "requests")
        c(all(req[2].get("x-apikey") == "k-fake" for req in fake.requests), "x-apikey sent")
        c.done()

        t0 = time.monotonic()
        r = cl.run(ctx, ["file", sha503], env)
        dt = time.monotonic() - t0
        c = t.check("503 without Retry-After is retried after a back-off")
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        c.eq(state["n503"], 2, "requests")
        c(dt >= 0.9, "retried after %.2f s" % dt)
        c.done()

        r = cl.run(ctx, ["file", "--retries", "0", sha], env)
        c = t.check("--retries 0: the 429 is an error (exit 3, QuotaExceededError)")
        c.eq(r.returncode, 3, "exit status")
        c("QuotaExceededError" in r.stderr, "stderr %r" % r.stderr)
        c.done()
    finally:
        fake.close()


def test_client_origin_and_paging(ctx, t):
    """The key goes only to the server's origin; links.next is followed;
    redirects are not; a non-JSON error still gives a message."""
    sha = "34" * 32
    up = {"done": False}

    def fn_b(method, path, hd, body):
        if method == "POST" and path == "/upload/one":
            up["done"] = True
            return 200, {}, {"data": {"type": "analysis", "id": "an-1"}}
        return cl.vt_error(404, "NotFoundError", "unknown resource")

    other = cl.FakeServer(fn_b)

    def fn(method, path, hd, body):
        if path == "/api/v3/files/" + sha:
            if not up["done"]:
                return cl.vt_error(404, "NotFoundError", "File not found")
            return 200, {}, cl.file_object(fake.base, sha)
        if path == "/api/v3/files/upload_url":
            return 200, {}, {"data": other.base + "/upload/one"}
        if path == "/api/v3/analyses/an-1":
            return 200, {}, {"data": {"type": "analysis", "id": "an-1", "attributes": {
                "status": "completed", "stats": {"malicious": 0, "undetected": 1},
                "results": {"E": {"category": "undetected", "result": None}}}}}
        if path.startswith("/api/v3/files/%s/analyses" % sha):
            if "cursor=p2" in path:
                return 200, {}, {"data": [{"type": "analysis", "id": "a2"}], "meta": {"count": 2}}
            return 200, {}, {"data": [{"type": "analysis", "id": "a1"}],
                             "meta": {"count": 2, "cursor": "p2"},
                             "links": {"next": fake.base + "/api/v3/files/%s/analyses?"
                                       "cursor=p2&limit=40" % sha}}
        if path == "/api/v3/files/" + "56" * 32:
            return 302, {"Location": other.base + "/elsewhere"}, b""
        if path == "/api/v3/files/" + "78" * 32:
            return 502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"
        return cl.vt_error(404, "NotFoundError", "unknown resource")

    fake = cl.FakeServer(fn)
    try:
        env = cl.client_env(ctx, server=fake.base, extra={"PANOPTES_APIKEY": "k-origin"})
        d = ctx.mkdtemp("client-origin")
        f = os.path.join(d, "one.bin")
        with open(f, "wb") as fh:
            fh.write(b"z")
        # sha256 of b"z" is not 34..34: let the fake answer for any file hash.
        real = lib.hashes(b"z")["sha256"]
        fake.fn = lambda m, p, h, b: fn(m, p.replace(real, sha), h, b)
        r = cl.run(ctx, ["scan", "--remote", "-q", "-o", "jsonl", "--upload-url-above", "0", f],
                   env)
        c = t.check("an upload URL on another origin is used without the key")
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        c(up["done"], "no upload to the upload URL")
        c(all("x-apikey" not in req[2] for req in other.requests), "the key went to another origin")
        c(all(req[2].get("x-apikey") == "k-origin" for req in fake.requests), "key to the server")
        c.done()

        r = cl.run(ctx, ["relations", "-o", "jsonl", "--all", "file", sha, "analyses"], env)
        t.eq([o.get("id") for o in cl.jsonl(r.stdout)], ["a1", "a2"],
             "relations --all follows an absolute links.next")

        r = cl.run(ctx, ["file", "56" * 32], env)
        c = t.check("a redirect is not followed (it would carry the key): exit 3")
        c.eq(r.returncode, 3, "exit status")
        c("redirect" in r.stderr, "stderr %r" % r.stderr)
        c(not any(req[1] == "/elsewhere" for req in other.requests), "followed")
        c.done()

        r = cl.run(ctx, ["file", "78" * 32], env)
        c = t.check("an error answer without a JSON body: exit 3 naming the status")
        c.eq(r.returncode, 3, "exit status")
        c("502" in r.stderr, "stderr %r" % r.stderr)
        c.done()
    finally:
        fake.close()
        other.close()


def test_client_tls(ctx, t):
    """https: an unknown CA is refused; --cacert (or cacert = in the config) trusts it."""
    d = ctx.mkdtemp("client-tls")
    pair = cl.self_signed(d)
    if pair is None:
        cl.skip(t, "TLS verification", "openssl cannot make a test certificate")
        return
    sha = "9a" * 32
    fake = cl.FakeServer(lambda m, p, h, b: (200, {}, cl.file_object("https://x", sha)),
                         tls=pair)
    try:
        env = cl.client_env(ctx, server=fake.base, extra={"PANOPTES_APIKEY": "k-tls"})
        r = cl.run(ctx, ["file", sha], env)
        c = t.check("https with an unknown CA: refused, exit 3, no request made")
        c.eq(r.returncode, 3, "exit status (stderr %r)" % r.stderr[-300:])
        c("certificate" in r.stderr.lower(), "stderr %r" % r.stderr)
        c.eq(len(fake.requests), 0, "requests that reached the server")
        c.done()
        r = cl.run(ctx, ["file", "--cacert", pair[0], sha], env)
        c = t.check("--cacert FILE trusts the test CA")
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        c(len(fake.requests) == 1 and fake.requests[0][2].get("x-apikey") == "k-tls", "request")
        c.done()
    finally:
        fake.close()


# ------------------------------------------------ routes being built

def _loopback_site():
    """A tiny HTTP server on loopback for URL scans; returns (server, url)."""
    import http.server

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><title>panoptes client test</title>hello</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    hs = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=hs.serve_forever, daemon=True).start()
    return hs, "http://127.0.0.1:%d/client-test" % hs.server_address[1]


def test_client_url(ctx, t):
    srv = _server(ctx)
    env = cl.client_env(ctx, srv)
    why = cl.route_missing(srv, "GET", "urls/" + "0" * 64)
    r = cl.run(ctx, ["url", "http://127.0.0.1:9/x"], env)
    if why:
        c = t.check("`url` against a server without /urls: exit 3, 'does not implement'")
        c.eq(r.returncode, 3, "exit status")
        c("does not implement" in r.stderr, "stderr %r" % r.stderr)
        c.done()
        cl.skip(t, "url --scan then url report", why)
        return
    hs, url = _loopback_site()
    try:
        r = cl.run(ctx, ["url", "--scan", "-o", "json", url], env)
        c = t.check("`url --scan URL` submits, waits and prints the url object")
        c(r.returncode in (0, 1), "exit status %d (stderr %r)" % (r.returncode, r.stderr[-300:]))
        try:
            j = json.loads(r.stdout)
            c.eq(j.get("type"), "url", "type")
            c(len(j.get("id", "")) == 64, "id %r" % j.get("id"))
        except ValueError as e:
            c(False, "not JSON: %s %r" % (e, r.stdout[:300]))
            j = {}
        c.done()
        if j.get("id"):
            r2 = cl.run(ctx, ["url", "-o", "json", "--fields", "url", j["id"]], env)
            t.ok(r2.returncode in (0, 1) and json.loads(r2.stdout or "{}").get("id") == j["id"],
                 "`url SHA256` finds the same object", r2.stdout[:300] + r2.stderr[-300:])
    finally:
        hs.shutdown()


def test_client_domain_ip(ctx, t):
    srv = _server(ctx)
    env = cl.client_env(ctx, srv)
    for cmd, route, arg, typ in (("domain", "domains/localhost", "localhost", "domain"),
                                 ("ip", "ip_addresses/127.0.0.1", "127.0.0.1", "ip_address")):
        why = cl.route_missing(srv, "GET", route)
        if why:
            r = cl.run(ctx, [cmd, arg], env)
            t.eq(r.returncode, 3, "`%s` against a server without the route: exit 3" % cmd)
            cl.skip(t, "`%s %s` prints the %s object" % (cmd, arg, typ), why)
            continue
        r = cl.run(ctx, [cmd, "-o", "json", arg], env)
        c = t.check("`%s %s -o json` prints the %s object" % (cmd, arg, typ))
        c(r.returncode in (0, 1, 2), "exit status %d (%r)" % (r.returncode, r.stderr[-300:]))
        if r.returncode != 2:
            try:
                j = json.loads(r.stdout)
                c.eq((j.get("type"), j.get("id")), (typ, arg), "type and id")
            except ValueError as e:
                c(False, "not JSON: %s" % e)
        c.done()


def test_client_comments_votes(ctx, t):
    srv = _server(ctx)
    data = lib.random_bytes(4000, b"client-comments")
    h = lib.hashes(data)
    srv.upload_and_wait(data, "c.bin")
    env = cl.client_env(ctx, srv)
    body = json.dumps({"data": {"type": "comment", "attributes": {"text": "probe"}}})
    why = cl.route_missing(srv, "POST", "files/%s/comments" % ("0" * 64), body=body,
                           headers={"Content-Type": "application/json"})
    if why:
        r = cl.run(ctx, ["comment", "file", h["sha256"], "hello"], env)
        t.eq(r.returncode, 3, "`comment` against a server without the route: exit 3")
        cl.skip(t, "comment then comments lists it", why)
    else:
        word = "tag%s" % os.urandom(3).hex()
        r = cl.run(ctx, ["comment", "-o", "json", "file", h["sha256"], "looks fine #" + word], env)
        c = t.check("`comment file SHA TEXT` prints the new comment")
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        try:
            j = json.loads(r.stdout)
            c.eq(j.get("type"), "comment", "type")
            c.eq(j.get("attributes", {}).get("text"), "looks fine #" + word, "text")
        except ValueError as e:
            c(False, "not JSON: %s" % e)
        c.done()
        r = cl.run(ctx, ["comments", "-o", "jsonl", "file", h["sha256"]], env)
        t.ok(r.returncode == 0 and any(o.get("attributes", {}).get("text") == "looks fine #" + word
                                       for o in cl.jsonl(r.stdout)),
             "`comments file SHA` lists it", r.stdout[:300] + r.stderr[-300:])
        why_s = cl.route_missing(srv, "GET", "search?query=x")
        if why_s:
            cl.skip(t, "search by comment tag", why_s)
        else:
            r = cl.run(ctx, ["search", "-o", "jsonl", word], env)
            t.ok(r.returncode == 0 and len(cl.jsonl(r.stdout)) >= 1,
                 "`search TAG` finds the comment", r.stdout[:300] + r.stderr[-300:])

    body = json.dumps({"data": {"type": "vote", "attributes": {"verdict": "harmless"}}})
    why = cl.route_missing(srv, "POST", "files/%s/votes" % ("0" * 64), body=body,
                           headers={"Content-Type": "application/json"})
    if why:
        r = cl.run(ctx, ["vote", "file", h["sha256"], "malicious"], env)
        t.eq(r.returncode, 3, "`vote` against a server without the route: exit 3")
        cl.skip(t, "vote file SHA malicious", why)
    else:
        r = cl.run(ctx, ["vote", "-o", "json", "file", h["sha256"], "malicious"], env)
        c = t.check("`vote file SHA malicious` prints the vote")
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        try:
            j = json.loads(r.stdout)
            c.eq((j.get("type"), j.get("attributes", {}).get("verdict")), ("vote", "malicious"),
                 "vote")
        except ValueError as e:
            c(False, "not JSON: %s" % e)
        c.done()


def test_client_search(ctx, t):
    srv = _server(ctx)
    eh, _ = _samples(srv)
    env = cl.client_env(ctx, srv)
    why = cl.route_missing(srv, "GET", "search?query=" + eh["sha256"])
    r = cl.run(ctx, ["search", "-o", "jsonl", eh["sha256"]], env)
    if why:
        c = t.check("`search` against a server without /search: exit 3, a clear error")
        c.eq(r.returncode, 3, "exit status")
        c("does not implement" in r.stderr, "stderr %r" % r.stderr)
        c.done()
        cl.skip(t, "search SHA256 finds the file", why)
        return
    objs = cl.jsonl(r.stdout)
    t.ok(r.returncode == 0 and [o.get("id") for o in objs] == [eh["sha256"]],
         "`search SHA256` finds the file", r.stdout[:300] + r.stderr[-300:])


# ------------------------------------------------------------ install

def test_client_install(ctx, t):
    """`make install DESTDIR=...`: binary, man page, completions, and a local
    scan from the installed tree finds the built-in rules and signatures."""
    if not shutil.which("make"):
        cl.skip(t, "make install", "make is not installed")
        return
    dest = ctx.mkdtemp("client-install")
    build = os.path.dirname(ctx.bin)
    # -o: install the binary under test as it is, never rebuild it here.
    r = subprocess.run(["make", "-C", lib.ROOT, "--no-print-directory", "-o", ctx.bin, "install",
                        "DESTDIR=" + dest, "PREFIX=/usr/local", "BUILD=" + build],
                       capture_output=True, text=True, timeout=600)
    t.require(r.returncode == 0, "make install DESTDIR=%s exits 0" % dest, r.stdout[-800:],
              r.stderr[-800:])
    pre = os.path.join(dest, "usr", "local")
    binp = os.path.join(pre, "bin", "panoptes")
    man = os.path.join(pre, "share", "man", "man1", "panoptes.1")
    c = t.check("install puts the binary, man page, completions and data in place")
    c(os.access(binp, os.X_OK), "no executable %s" % binp)
    c(os.path.isfile(man) and ".TH PANOPTES 1" in open(man).read(), "man page %s" % man)
    c(os.path.isfile(os.path.join(pre, "share", "bash-completion", "completions", "panoptes")),
      "bash completion")
    c(os.path.isfile(os.path.join(pre, "share", "zsh", "vendor-completions", "_panoptes")),
      "zsh completion")
    for rel in ("rules/test-files/eicar.yar", "engines/sigs", "engines/hashlists/known-bad.txt"):
        c(os.path.exists(os.path.join(pre, "share", "panoptes", rel)), "missing share/panoptes/" + rel)
    c.done()

    if shutil.which("groff"):
        g = subprocess.run(["groff", "-man", "-ww", "-z", man], capture_output=True, text=True)
        t.ok(g.returncode == 0 and g.stderr.strip() == "", "groff -man -ww has no warnings",
             g.stderr[-600:])
    if shutil.which("bash"):
        bc = os.path.join(pre, "share", "bash-completion", "completions", "panoptes")
        script = ("source %s && complete -p panoptes && "
                  "COMP_WORDS=(panoptes fi) COMP_CWORD=1 && _panoptes && echo \"1:${COMPREPLY[*]}\" && "
                  "COMP_WORDS=(panoptes scan -o '') COMP_CWORD=3 && _panoptes && "
                  "echo \"2:${COMPREPLY[*]}\" && "
                  "COMP_WORDS=(panoptes vote file abc '') COMP_CWORD=4 && _panoptes && "
                  "echo \"3:${COMPREPLY[*]}\"" % bc)
        b = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        c = t.check("the bash completion loads and completes commands, formats, verdicts")
        c(b.returncode == 0 and "_panoptes" in b.stdout, "stderr %r" % b.stderr[-300:])
        c("1:file\n" in b.stdout, "command: %r" % b.stdout)
        c("2:text json jsonl csv\n" in b.stdout, "format: %r" % b.stdout)
        c("3:harmless malicious\n" in b.stdout, "verdict: %r" % b.stdout)
        c.done()
    if shutil.which("zsh"):
        z = subprocess.run(["zsh", "-n", os.path.join(pre, "share", "zsh", "vendor-completions",
                                                      "_panoptes")], capture_output=True, text=True)
        t.ok(z.returncode == 0, "the zsh completion parses (zsh -n)", z.stderr[-300:])

    d = ctx.mkdtemp("client-install-scan")
    cl.write_tree(d, {"e.com": lib.eicar(), "c.bin": lib.random_bytes(3000, b"inst")})
    r = cl.run(ctx, ["scan", "-q", "-o", "jsonl", d], cl.client_env(ctx), cwd="/", binpath=binp)
    objs = {os.path.basename(o["path"]): o for o in cl.jsonl(r.stdout)}
    res = objs.get("e.com", {}).get("last_analysis_results", {})
    c = t.check("the installed binary scans with its built-in rules and signatures")
    c.eq(r.returncode, 1, "exit status (stderr %r)" % r.stderr[-400:])
    c("unavailable" not in r.stderr, "an engine is unavailable: %r" % r.stderr[-400:])
    c(any(k.startswith("YARA") and v.get("category") == "malicious" for k, v in res.items()),
      "no YARA detection: %r" % res)
    c((res.get("ClamAV") or {}).get("category") == "malicious", "ClamAV: %r" % res.get("ClamAV"))
    c.eq(objs.get("c.bin", {}).get("last_analysis_stats", {}).get("malicious"), 0, "clean file")
    c.done()
