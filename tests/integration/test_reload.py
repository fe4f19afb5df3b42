"""
test_reload.py - signatures reload without a restart (cases 3xxx
"engines"): a server with an extra YARA pack analyses a file, the pack gets
a rule that matches it, `panoptes signatures reload` makes every worker
reload, and a rescan of the same file is flagged by the new rule; with no
server running the command fails cleanly.

SPDX-License-Identifier: MIT
"""

import os

import lib

RULE = """rule Panoptes_Reload_Test {
    meta:
        description = "matches the reload test's marker"
        author = "Panoptes"
        category = "malicious"
    strings:
        $m = "panoptes-reload-marker-%s"
    condition:
        $m
}
"""


def test_signatures_reload(ctx, t):
    pack = ctx.mkdtemp("reload-pack")
    with open(os.path.join(pack, "empty.yar"), "w") as f:
        f.write("// no rules yet\n")
    srv = ctx.server("reload", sets=["yara.extra_packs=" + pack]).start()
    tag = os.urandom(6).hex()
    data = b"plain text with panoptes-reload-marker-" + tag.encode() + b" inside\n"
    h = lib.hashes(data)
    srv.upload_and_wait(data, "marker.txt")
    a = srv.get("files/" + h["sha256"]).json["data"]["attributes"]
    cols = [k for k in a["last_analysis_results"] if k.startswith("YARA-") and "Reload" in k]
    t.require(len(cols) == 1, "the extra pack is a Detection column (%r)" % sorted(
        a["last_analysis_results"]))
    col = cols[0]
    t.eq(a["last_analysis_results"][col]["category"], "undetected", "no rule yet: undetected")

    with open(os.path.join(pack, "marker.yar"), "w") as f:
        f.write(RULE % tag)
    r = ctx.cli("signatures", "reload", "--data", srv.datadir)
    t.eq(r.returncode, 0, "`panoptes signatures reload` exits 0 (%s)" % r.stderr.strip()[:200])
    ok = lib.wait_for(lambda: srv.logtext().count("engines reloaded") >= 2, ctx.start_timeout)
    t.ok(ok, "both workers reloaded their engines")

    r = srv.request("POST", lib.API + "/files/%s/analyse" % h["sha256"])
    aid = r.json["data"]["id"]
    j, seen, _ = srv.wait_analysis(aid)
    res = (j or {}).get("data", {}).get("attributes", {}).get("results", {}).get(col, {})
    t.eq(res.get("category"), "malicious", "after the reload the rescan is flagged by the new rule")
    t.eq(res.get("result"), "Panoptes_Reload_Test", "with the rule's name")

    srv.stop()
    r = ctx.cli("signatures", "reload", "--data", srv.datadir)
    t.eq(r.returncode, 1, "with no server running, `signatures reload` exits 1")
