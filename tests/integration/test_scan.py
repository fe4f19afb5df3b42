"""
test_scan.py - `panoptes scan`: local analysis without a server (cases
6xxx "CLI"): exit codes, output formats, and the same verdicts as the
server gives for the same bytes.

SPDX-License-Identifier: MIT
"""

import json
import os

import lib


def _tree(ctx):
    d = ctx.mkdtemp("scan-tree")
    os.makedirs(os.path.join(d, "sub", "deeper"))
    with open(os.path.join(d, "clean.bin"), "wb") as f:
        f.write(lib.random_bytes(4096, b"clean"))
    with open(os.path.join(d, "sub", "eicar.com"), "wb") as f:
        f.write(lib.eicar())
    with open(os.path.join(d, "sub", "deeper", "notes.txt"), "w") as f:
        f.write("nothing to see here\n" * 20)
    os.symlink("/etc/passwd", os.path.join(d, "link-not-followed"))
    return d


def test_scan_formats_and_exit_codes(ctx, t):
    d = _tree(ctx)
    r = ctx.cli("scan", "-q", "-o", "jsonl", d, timeout=ctx.analysis_timeout * 2)
    c = t.check("scan of a tree with EICAR exits 1 and gives one JSON line per regular file")
    c.eq(r.returncode, 1, "exit status")
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    c.eq(sorted(os.path.relpath(o["path"], d) for o in lines),
         ["clean.bin", "sub/deeper/notes.txt", "sub/eicar.com"], "paths (symlink not followed)")
    by = {os.path.basename(o["path"]): o for o in lines}
    e = by.get("eicar.com", {})
    h = lib.hashes(lib.eicar())
    c.eq(e.get("sha256"), h["sha256"], "sha256 of the EICAR file")
    c.eq(e.get("last_analysis_results", {}).get("ClamAV", {}).get("category"), "malicious",
         "ClamAV on EICAR")
    cl = by.get("clean.bin", {})
    c.eq(cl.get("last_analysis_stats", {}).get("malicious"), 0, "clean file not malicious")
    c(len(cl.get("last_analysis_stats", {})) == 8, "eight stats keys")
    c.done()

    r = ctx.cli("scan", "-q", os.path.join(d, "clean.bin"), timeout=ctx.analysis_timeout)
    c = t.check("scan of a clean file exits 0 with a text line")
    c.eq(r.returncode, 0, "exit status")
    c("clean" in r.stdout and "clean.bin" in r.stdout, "text output %r" % r.stdout[:200])
    c.done()

    r = ctx.cli("scan", "-q", "-o", "json", "--threshold", "5", d, timeout=ctx.analysis_timeout * 2)
    c = t.check("--threshold above the verdict count: exit 0; -o json is one array")
    c.eq(r.returncode, 0, "exit status")
    try:
        arr = json.loads(r.stdout)
        c.eq(len(arr), 3, "array length")
    except ValueError as e:
        c(False, "not JSON: %s" % e)
    c.done()

    r = ctx.cli("scan", "-q", "/nonexistent/panoptes-test")
    t.eq(r.returncode, 2, "scan of a missing path exits 2 (input error)")
    r = ctx.cli("scan")
    t.eq(r.returncode, 2, "scan without a path exits 2 (usage)")
    r = ctx.cli("scan", "-o", "yaml", d)
    t.eq(r.returncode, 2, "scan with an unknown output format exits 2")


def test_scan_matches_server(ctx, t):
    """The same bytes get the same verdicts locally and from the server."""
    srv = ctx.shared()
    d = ctx.mkdtemp("scan-vs-server")
    samples = {"e.txt": lib.eicar(), "r.bin": lib.random_bytes(20000, b"scan-vs-server")}
    for name, data in samples.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    r = ctx.cli("scan", "-q", "-o", "jsonl", d, timeout=ctx.analysis_timeout * 2)
    local = {os.path.basename(o["path"]): o for o in
             (json.loads(l) for l in r.stdout.splitlines() if l.strip())}
    for name, data in samples.items():
        h = lib.hashes(data)
        srv.upload_and_wait(data, name)
        r = srv.get("files/" + h["sha256"])
        a = ((r.json or {}).get("data") or {}).get("attributes", {})
        lr = local.get(name, {}).get("last_analysis_results", {})
        sr = a.get("last_analysis_results", {})
        t.ok(len(lr) > 0, "scan gave engine results for %s" % name)
        t.eq({k: (v.get("category"), v.get("result")) for k, v in lr.items()},
             {k: (v.get("category"), v.get("result")) for k, v in sr.items()},
             "scan and server agree on %s" % name)
        t.eq(local.get(name, {}).get("type_tag"), a.get("type_tag"),
             "scan and server agree on the type of %s" % name)
