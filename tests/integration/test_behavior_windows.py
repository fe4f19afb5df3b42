"""
test_behavior_windows.py - Windows programs through the API (issue 9):
test programs in C (tests/data/wine/behaviours.c, one behaviour per
-DPN_CASE_<NAME>), compiled here with mingw for 64 and 32 bits, are
uploaded; the worker runs each under Wine inside the Linux sandbox and the
behaviour endpoints give a "Panoptes Wine Tracer" report with the registry,
file, process, network and ATT&CK entries each must produce.

The golden Wine prefix is shared with tests/unit/test_wine.c through
$PANOPTES_WINE_CACHE (the Makefile sets it under build/), so it is prepared
once per build.  Without root, Wine or mingw the test says why and skips.

SPDX-License-Identifier: MIT
"""

import os
import shutil
import subprocess
import time

import lib

CC = {64: "x86_64-w64-mingw32-gcc", 32: "i686-w64-mingw32-gcc"}
SRC = os.path.join(lib.ROOT, "tests/data/wine/behaviours.c")

# case -> (ATT&CK ids, a check on the report's attributes)
CASES = {
    "RUNKEY": ({"T1547.001"}, lambda a: any("CurrentVersion\\Run" in (k.get("key") or "")
                                            for k in a.get("registry_keys_set", []))),
    "CMD": ({"T1059.003"}, lambda a: any("cmd" in c.lower() for c in a.get("command_executions", []))),
    "NET": ({"T1071.001"}, lambda a: a.get("dns_lookups") and a.get("http_conversations")),
    "FILES": ({"T1070.004"}, lambda a: a.get("files_written") and a.get("files_deleted")),
    "MUTEX": (set(), lambda a: a.get("mutexes_created")),
    "VSS": ({"T1490"}, lambda a: any("vssadmin" in c.lower() for c in a.get("command_executions", []))),
}


def _wine_report(srv, sha, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = srv.get("files/%s/behaviours" % sha)
        if r.status == 200 and r.json:
            for o in r.json["data"]:
                if o["attributes"].get("sandbox_name") == "Panoptes Wine Tracer":
                    return o
        time.sleep(0.5)
    return None


def test_windows_programs_through_the_api(ctx, t):
    r = ctx.cli("sandbox", "check")
    if r.returncode != 0:
        t.ok(True, "# SKIP the sandbox is unavailable here: %s" % (r.stdout + r.stderr).strip())
        return
    if not shutil.which(CC[64]) or not shutil.which(CC[32]) or not os.path.exists("/usr/lib/wine/wine"):
        t.ok(True, "# SKIP mingw (both bitnesses) or wine32 is missing")
        return
    cache = os.environ.get("PANOPTES_WINE_CACHE") or os.path.join(lib.ROOT, "build", "wine-cache")
    srv = ctx.server("windows", workers=2, sets=["behavior.windows=true",
                                                 "sandbox.wine_dir=" + cache]).start()
    tmp = ctx.mkdtemp("wine-src")
    shas = {}
    for bits in (64, 32):
        for case in CASES:
            out = os.path.join(tmp, "%s%d.exe" % (case.lower(), bits))
            p = subprocess.run([CC[bits], "-O1", "-DPN_CASE_" + case, "-o", out, SRC,
                                "-lws2_32", "-ladvapi32"], capture_output=True, text=True)
            t.require(p.returncode == 0, "compile %s for %d bits" % (case, bits), p.stderr)
            with open(out, "rb") as f:
                data = f.read()
            r = srv.upload(data, os.path.basename(out))
            t.require(r.status == 200, "upload %s" % out, r.summary())
            shas[(case, bits)] = lib.hashes(data)["sha256"]

    for (case, bits), sha in shas.items():
        techs, check = CASES[case]
        c = t.check("%d-bit %s: a Wine Tracer report with its registry/file/process/network entries"
                    " and ATT&CK ids" % (bits, case))
        rep = _wine_report(srv, sha)
        c(rep is not None, "a Panoptes Wine Tracer report arrived")
        if rep:
            a = rep["attributes"]
            c.eq(rep["id"], sha + "_Panoptes Wine Tracer", "id")
            got = {m.get("id") for m in a.get("mitre_attack_techniques", [])}
            c(techs <= got, "techniques %s in %s" % (sorted(techs), sorted(got)))
            c(check(a), "fields: %r" % ({k: a.get(k) for k in ("registry_keys_set", "command_executions",
                                                                "dns_lookups", "http_conversations",
                                                                "files_written", "files_deleted",
                                                                "mutexes_created")},))
            c("Wine" in str(a.get("run_info", {}).get("environment", "")) or
              "Wine" in str(a), "the environment is named")
        c.done()

    c = t.check("the NET program's name becomes a contacted domain of the file")
    sha = shas[("NET", 64)]
    j = srv.get("files/%s/contacted_domains" % sha).json
    c(j and len(j["data"]) >= 1, "contacted_domains: %r" % (j and [o["id"] for o in j["data"]],))
    c.done()
