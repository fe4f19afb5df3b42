"""
test_behavior.py - the Behavior tab end to end (issue 8): sample programs
written in C (tests/data/sandbox/*.c, compiled here with cc) and a shell
script are submitted through the API; the Linux sandbox runs them, and the
behaviour endpoints give VirusTotal-shaped reports with the processes,
files, DNS, HTTP and ATT&CK techniques each sample must produce; dropped
files are linked and analysed; contacted names and URLs become relations;
the file gets sandbox_verdicts.  Another group sees none of it.

The sandbox needs root (CI runs as root); without it the test says why and
skips (`panoptes sandbox check`).

SPDX-License-Identifier: MIT
"""

import os
import subprocess
import time

import lib

SRC = os.path.join(lib.ROOT, "tests/data/sandbox")

# sample -> (ATT&CK ids that must appear, checks on the summary)
CASES = {
    "crontab": ({"T1053.003"}, lambda s: any("cron" in p for p in s.get("files_written", []))),
    "selfdelete": ({"T1070.004"}, lambda s: "SELF_DELETE" in s.get("tags", [])),
    "dnshttp": (set(), lambda s: any(d.get("hostname") == "update.example-c2.net"
                                     for d in s.get("dns_lookups", [])) and
                any("/payload.bin" in h.get("url", "") for h in s.get("http_conversations", []))),
    "shadow": ({"T1003.008"}, lambda s: True),
    "memfdexec": ({"T1620"}, lambda s: True),
    "setuid": ({"T1548.001"}, lambda s: True),
    "dropexec": (set(), lambda s: any(d.get("path") == "/tmp/.cache-updater"
                                      for d in s.get("files_dropped", []))),
}

SCRIPT = b"#!/bin/sh\nid\nuname -a\ncat /etc/os-release > /dev/null\n" \
         b"echo '* * * * * root /tmp/.x' > /etc/cron.d/updater\n"


def _available(ctx):
    r = ctx.cli("sandbox", "check")
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def _wait_behaviour(srv, sha, key=lib._DEFAULT, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = srv.get("files/%s/behaviours" % sha, key=key)
        if r.status == 200 and r.json and any(
                o["attributes"].get("sandbox_name") == "Linux Tracer" for o in r.json["data"]):
            return r.json
        time.sleep(0.3)
    return None


def _techniques(summary):
    return {m.get("id") for m in summary.get("mitre_attack_techniques", [])}


def test_linux_sandbox_through_the_api(ctx, t):
    ok, why = _available(ctx)
    if not ok:
        t.ok(True, "# SKIP the Linux sandbox is unavailable here: %s" % why)
        return
    srv = ctx.server("behavior").start()
    tmp = ctx.mkdtemp("behavior-src")
    samples = {}
    for name in CASES:
        out = os.path.join(tmp, name)
        r = subprocess.run(["cc", "-O1", "-o", out, os.path.join(SRC, name + ".c")],
                           capture_output=True, text=True)
        t.require(r.returncode == 0, "compile %s.c" % name, r.stderr)
        with open(out, "rb") as f:
            samples[name] = f.read()
    samples["script"] = SCRIPT

    shas = {}
    for name, data in samples.items():
        r = srv.upload(data, name + (".sh" if name == "script" else ""))
        t.require(r.status == 200, "upload %s" % name, r.summary())
        shas[name] = lib.hashes(data)["sha256"]

    for name, (techs, check) in CASES.items():
        c = t.check("%s: a Linux Tracer report with the expected behaviour and ATT&CK ids" % name)
        j = _wait_behaviour(srv, shas[name])
        c(j is not None, "a behaviour report arrived")
        if j is None:
            c.done()
            continue
        rep = [o for o in j["data"] if o["attributes"].get("sandbox_name") == "Linux Tracer"][0]
        c.eq(rep["id"], shas[name] + "_Linux Tracer", "report id")
        c.eq(rep["type"], "file_behaviour", "type")
        a = rep["attributes"]
        c(isinstance(a.get("processes_tree"), list) and a["processes_tree"], "processes_tree")
        s = srv.get("files/%s/behaviour_summary" % shas[name]).json
        summ = s["data"] if s else {}
        got = _techniques(summ)
        c(techs <= got, "techniques %s in %s" % (sorted(techs), sorted(got)))
        c(check(summ), "behaviour fields: %r" % ({k: summ.get(k) for k in (
            "files_written", "tags", "dns_lookups", "http_conversations", "files_dropped")},))
        r = srv.get("file_behaviours/" + rep["id"].replace(" ", "%20"))
        c(r.status == 200 and r.json["data"]["id"] == rep["id"], "GET /file_behaviours/{id}")
        c.done()

    c = t.check("script: the interpreter runs it; commands and discovery are seen")
    j = _wait_behaviour(srv, shas["script"])
    summ = (srv.get("files/%s/behaviour_summary" % shas["script"]).json or {}).get("data", {})
    cmds = " | ".join(summ.get("command_executions", []))
    c(j is not None and "uname -a" in cmds and "id" in cmds, "command_executions: %r" % cmds)
    c("T1053.003" in _techniques(summ), "cron persistence from a script: %r" % sorted(_techniques(summ)))
    c.done()

    c = t.check("network: names and URLs contacted become relations; the sinkhole does not")
    sha = shas["dnshttp"]
    j = lib.expect(c, srv.get("files/%s/contacted_domains" % sha), 200, "contacted_domains")
    c(j and "update.example-c2.net" in [o["id"] for o in j["data"]], "the C2 name: %r" % (j,))
    j = lib.expect(c, srv.get("files/%s/contacted_urls" % sha), 200, "contacted_urls")
    c(j and any("/payload.bin" in (o["attributes"].get("url") or "") for o in j["data"]),
      "the C2 URL: %r" % (j and [o["attributes"].get("url") for o in j["data"]],))
    j = lib.expect(c, srv.get("files/%s/contacted_ips" % sha), 200, "contacted_ips")
    c(j is not None and not any(o["id"] in ("198.51.100.1", "10.0.2.3") for o in j["data"]),
      "no sandbox-internal address: %r" % (j and [o["id"] for o in j["data"]],))
    j = lib.expect(c, srv.get("domains/update.example-c2.net/communicating_files"), 200,
                   "the domain's communicating_files")
    c(j and sha in [o["id"] for o in j["data"]], "the domain lists the sample")
    c.done()

    c = t.check("dropped files are file objects of their own, linked and analysed")
    j = lib.expect(c, srv.get("files/%s/dropped_files" % shas["dropexec"]), 200, "self-copy")
    c(j and [o["id"] for o in j["data"]] == [shas["dropexec"]],
      "dropexec drops a copy of itself: linked to itself: %r" % (j and [o["id"] for o in j["data"]],))
    sha = shas["crontab"]
    j = lib.expect(c, srv.get("files/%s/dropped_files" % sha), 200, "dropped_files")
    ids = [o["id"] for o in (j or {}).get("data", [])]
    c(len(ids) >= 1, "at least one dropped file: %r" % ids)
    for d in ids[:2]:
        f = srv.get("files/" + d).json
        c(f and f["data"]["attributes"].get("last_analysis_stats") is not None, "dropped %s is a file" % d[:12])
        jp = srv.get("files/%s/execution_parents" % d).json
        c(jp and sha in [o["id"] for o in jp["data"]], "its execution_parents has the sample")
    c.done()

    c = t.check("the file report carries sandbox_verdicts; MITRE trees list the tactics")
    a = srv.get("files/" + shas["crontab"]).json["data"]["attributes"]
    sv = a.get("sandbox_verdicts", {}).get("Linux Tracer", {})
    c(sv.get("category") in ("malicious", "suspicious"), "crontab verdict %r" % (sv,))
    j = lib.expect(c, srv.get("files/%s/behaviour_mitre_trees" % shas["crontab"]), 200, "mitre trees")
    tactics = [x.get("id") for x in (j or {}).get("data", {}).get("Linux Tracer", {}).get("tactics", [])]
    c("TA0003" in tactics, "Persistence (TA0003) among %r" % tactics)
    c.done()

    c = t.check("another group sees no behaviour of a private file")
    other = srv.user_add("behother%d" % os.getpid(), "--group", "elsewhere")
    for path in ("files/%s/behaviours", "files/%s/behaviour_summary", "files/%s/behaviour_mitre_trees"):
        lib.expect(c, srv.get(path % shas["crontab"], key=other), 404, path, "NotFoundError")
    lib.expect(c, srv.get("file_behaviours/%s_Linux%%20Tracer" % shas["crontab"], key=other), 404,
               "file_behaviours", "NotFoundError")
    c.done()


# A slow sample: six one-second sleeps (the sandbox cuts longer sleeps to 1 s).
SLEEPER = b"#!/bin/sh\nfor i in 1 2 3 4 5 6; do sleep 1; done\necho done\n"


def test_sandbox_runs_do_not_hold_up_detection(ctx, t):
    """One analysis worker and one sandbox worker: while a slow program
    runs in the sandbox, the next file's detection completes at once
    (with the sandbox run inside the analysis worker it would wait for it),
    and the slow program's behaviour report still arrives."""
    ok, why = _available(ctx)
    if not ok:
        t.ok(True, "# SKIP the Linux sandbox is unavailable here: %s" % why)
        return
    srv = ctx.server("behavior-queue", workers=1,
                     sets=("behavior.workers=1", "sandbox.timeout=9000")).start()
    c = t.check("a slow sandbox run is a job of its own")
    _, j = srv.upload_and_wait(SLEEPER, "sleeper.sh")
    sleeper = lib.hashes(SLEEPER)["sha256"]
    time.sleep(1.0)      # let the sandbox worker claim it (it looks every 50 ms)
    t0 = time.monotonic()
    other = b"just some text, %f\n" % time.time()
    _, j = srv.upload_and_wait(other, "other.txt")
    took = time.monotonic() - t0
    r = srv.get("files/%s/behaviours" % sleeper)
    running = r.status == 200 and not any(
        o["attributes"].get("sandbox_name") == "Linux Tracer" for o in r.json["data"])
    c(running, "the slow program's sandbox run was still going")
    c(took < 4.0, "the next file's analysis completed in %.1f s meanwhile" % took)
    c(_wait_behaviour(srv, sleeper, timeout=40) is not None,
      "the slow program's behaviour report arrived afterwards")
    c.done()
