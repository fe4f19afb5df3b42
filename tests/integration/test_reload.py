"""
test_reload.py - signatures reload without a restart (cases 3xxx
"engines"): a server with an extra YARA pack analyses a file, the pack gets
a rule that matches it, `panoptes signatures reload` makes every worker
reload, and a rescan of the same file is flagged by the new rule; with no
server running the command fails cleanly.  The result cache: a rescan with
unchanged engines answers from it, identically; after a reload only the
changed pack runs again and its engine_update moves; the analyses
relationship shows each analysis' date, stats and results.

SPDX-License-Identifier: MIT
"""

import os
import re

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


def _col_of(results):
    cols = [k for k in results if k.startswith("YARA-") and "Cache" in k]
    return cols[0] if len(cols) == 1 else None


def _cached(attrs, engine):
    return ((attrs.get("engine_details") or {}).get(engine) or {}).get("cached") is True


def test_result_cache_and_history(ctx, t):
    """Issue 3: results cached by (sha256, engine, version, signature version);
    a rescan re-runs only engines whose signatures changed; the analyses
    relationship shows how the verdicts changed."""
    pack = ctx.mkdtemp("cache-pack")
    empty = os.path.join(pack, "empty.yar")
    with open(empty, "w") as f:
        f.write("// no rules yet\n")
    old = 1767225600  # 2026-01-01: the pack's signature date before the change
    os.utime(empty, (old, old))
    srv = ctx.server("cache", sets=["yara.extra_packs=" + pack]).start()
    tag = os.urandom(6).hex()
    data = b"plain text with panoptes-reload-marker-" + tag.encode() + b" inside\n"
    h = lib.hashes(data)
    aid1, a1 = srv.upload_and_wait(data, "cache.txt")
    res1 = a1["data"]["attributes"]["results"]
    col = _col_of(res1)
    t.require(col is not None, "the extra pack is a Detection column (%r)" % sorted(res1))
    t.eq(res1[col]["engine_update"], "20260101", "the pack's engine_update is its file date")
    f1 = srv.get("files/" + h["sha256"]).json["data"]["attributes"]
    ran = [e for e, r in res1.items() if r["category"] not in ("type-unsupported", "failure")]
    t.ok(not any(_cached(f1, e) for e in ran), "first analysis: no verdict is cached")

    # Unchanged engines: every verdict comes from the cache, identical.
    r = srv.request("POST", lib.API + "/files/%s/analyse" % h["sha256"])
    aid2 = r.json["data"]["id"]
    j2, _, _ = srv.wait_analysis(aid2)
    t.require(j2 is not None, "the rescan completes")
    res2 = j2["data"]["attributes"]["results"]
    t.eq(res2, res1, "rescan with unchanged engines: identical results")
    f2 = srv.get("files/" + h["sha256"]).json["data"]["attributes"]
    notcached = [e for e in ran if not _cached(f2, e)]
    t.eq(notcached, [], "every engine that judged the file answered from the cache")

    # Change the pack, reload: only that engine runs again and its engine_update moves.
    with open(os.path.join(pack, "marker.yar"), "w") as f:
        f.write((RULE % tag).replace("Panoptes_Reload_Test", "Panoptes_Cache_Test"))
    r = ctx.cli("signatures", "reload", "--data", srv.datadir)
    t.eq(r.returncode, 0, "`panoptes signatures reload` exits 0")
    ok = lib.wait_for(lambda: srv.logtext().count("engines reloaded") >= 2, ctx.start_timeout)
    t.ok(ok, "both workers reloaded their engines")
    r = srv.request("POST", lib.API + "/files/%s/analyse" % h["sha256"])
    aid3 = r.json["data"]["id"]
    j3, _, _ = srv.wait_analysis(aid3)
    t.require(j3 is not None, "the rescan after the reload completes")
    res3 = j3["data"]["attributes"]["results"]
    t.eq(res3[col]["category"], "malicious", "the changed pack flags the file")
    t.eq(res3[col]["result"], "Panoptes_Cache_Test", "with its new rule")
    t.ok(res3[col]["engine_update"] != "20260101", "its engine_update moved (%s)" %
         res3[col]["engine_update"])
    f3 = srv.get("files/" + h["sha256"]).json["data"]["attributes"]
    t.ok(not _cached(f3, col), "the changed pack ran again")
    others = [e for e in ran if e != col]
    t.eq([e for e in others if not _cached(f3, e)], [], "every other engine came from the cache")
    t.eq({e: res3[e] for e in others}, {e: res1[e] for e in others},
         "and their verdicts are unchanged")
    t.eq(f3.get("last_analysis_stats", {}).get("malicious"),
         sum(1 for r in res3.values() if r["category"] == "malicious"),
         "last_analysis_stats counts the new verdict")

    ms = {}
    for line in srv.logtext().splitlines():
        m = re.search(r"job (\S+) \(.*\) done in (\d+) ms", line)
        if m:
            ms[m.group(1)] = int(m.group(2))
    t.diag("worker ms per job: first %s, cached rescan %s, after reload %s" % (
        ms.get(aid1), ms.get(aid2), ms.get(aid3)))

    # History: every analysis is kept and shows how the verdict changed.
    j = srv.get("files/%s/analyses" % h["sha256"]).json
    items = (j or {}).get("data") or []
    t.eq([x.get("id") for x in items], [aid1, aid2, aid3], "three analyses, oldest first")
    cats = [((x.get("attributes") or {}).get("results") or {}).get(col, {}).get("category")
            for x in items]
    t.eq(cats, ["undetected", "undetected", "malicious"], "the pack's verdict in each analysis")
    mal = [((x.get("attributes") or {}).get("stats") or {}).get("malicious") for x in items]
    t.ok(mal[0] == mal[1] and mal[2] == mal[0] + 1, "stats of each analysis (%r)" % mal)
    dates = [(x.get("attributes") or {}).get("date") for x in items]
    t.ok(all(isinstance(d, int) for d in dates) and dates == sorted(dates),
         "each analysis has its date, in order (%r)" % dates)
    srv.stop()
