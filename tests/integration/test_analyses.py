"""
test_analyses.py - rescans, the analyses and submissions relationships,
pagination and ?relationships= embedding (VT-API.md §1.5, §3.1, §4,
checklist 9).

SPDX-License-Identifier: MIT
"""

import time

import lib

API = lib.API


def test_rescan_and_pages(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(6000, b"rescan me ")
    h = lib.hashes(data)
    aid1, a1 = srv.upload_and_wait(data, "rescan.bin")
    before = srv.get("files/" + h["sha256"]).json["data"]["attributes"]

    # An immediate rescan (the same second as the upload is likely): a new analysis.
    t0 = int(time.time())
    r = srv.request("POST", API + "/files/%s/analyse" % h["sha256"], body=b"")
    t1 = int(time.time())
    c = t.check("POST /files/{sha256}/analyse: 200 + a new analysis descriptor")
    j = lib.expect(c, r, 200, "analyse")
    aid2 = lib.check_analysis_descriptor(c, j, srv, h, t0, t1) if j else None
    c(aid2 != aid1, "the rescan returned the first analysis' id %r" % aid1)
    c.require()
    aj, seen, last = srv.wait_analysis(aid2)
    t.ok(aj is not None, "the rescan's analysis completes", "statuses %r" % seen,
         last.summary() if last else "")
    c = t.check("the earlier analysis is still readable and unchanged")
    j = lib.expect(c, srv.get("analyses/" + aid1), 200, "GET first analysis")
    c.eq((j or {}).get("data", {}).get("attributes"), a1["data"]["attributes"], "attributes")
    c.done()
    c = t.check("after the rescan: times_submitted unchanged, last_analysis_date not earlier")
    after = (srv.get("files/" + h["sha256"]).json or {}).get("data", {}).get("attributes", {})
    c.eq(after.get("times_submitted"), before.get("times_submitted"), "times_submitted")
    c(after.get("last_analysis_date", 0) >= before.get("last_analysis_date", 0),
      "last_analysis_date went back: %r -> %r" % (before.get("last_analysis_date"),
                                                   after.get("last_analysis_date")))
    c.done()

    # By sha1 and md5 too, in upper case.
    r = srv.request("POST", API + "/files/%s/analyse" % h["md5"].upper(), body=b"")
    c = t.check("POST /files/{MD5}/analyse works with an upper-case md5")
    j = lib.expect(c, r, 200, "analyse by md5")
    aid3 = lib.check_analysis_descriptor(c, j, srv, h) if j else None
    c(aid3 not in (aid1, aid2), "the id %r repeats an earlier analysis" % aid3)
    c.done()
    ids = [aid1, aid2] + ([aid3] if aid3 and aid3 not in (aid1, aid2) else [])
    for a in ids[2:]:
        srv.wait_analysis(a)
    n = len(ids)

    c = t.check("GET /files/{id}/analyses lists all %d analyses (meta.count %d)" % (n, n))
    j = lib.expect(c, srv.get("files/%s/analyses" % h["sha256"]), 200, "analyses")
    if j:
        c.eq((j.get("meta") or {}).get("count"), n, "meta.count")
        got = [x.get("id") for x in j.get("data") or []]
        c.eq(sorted(got), sorted(ids), "ids")
        for x in j.get("data") or []:
            c(x.get("type") == "analysis" and isinstance(x.get("attributes"), dict),
              "item %r" % x)
            c.eq((x.get("links") or {}).get("self"), srv.base + API + "/analyses/" + str(
                x.get("id")), "item links.self")
            a = x.get("attributes") or {}
            c.eq(a.get("status"), "completed", "status of %s" % x.get("id"))
            lib.check_stats_results(c, a.get("stats"), a.get("results"), x.get("id"))
        c(((j.get("links") or {}).get("self") or "").startswith(srv.base + API + "/files/"),
          "links.self %r" % (j.get("links") or {}).get("self"))
        c("cursor" not in (j.get("meta") or {}) and "next" not in (j.get("links") or {}),
          "a cursor/next on a complete page: %r" % j)
    c.done()

    c = t.check("GET /files/{id}/relationships/analyses gives %d descriptors" % n)
    j = lib.expect(c, srv.get("files/%s/relationships/analyses" % h["sha256"]), 200, "descriptors")
    if j:
        c.eq((j.get("meta") or {}).get("count"), n, "meta.count")
        d = j.get("data") or []
        c.eq(sorted(x.get("id") for x in d), sorted(ids), "ids")
        c(all(x.get("type") == "analysis" and "attributes" not in x for x in d),
          "descriptors must be {type, id[, context_attributes]}: %r" % d)
    c.done()

    for limit in (1, 2):
        for rel in ("analyses", "relationships/analyses"):
            c = t.check("pagination of /files/{id}/%s with limit=%d" % (rel, limit))
            items, pages = lib.walk_pages(c, srv, API + "/files/%s/%s" % (h["sha256"], rel),
                                          limit, rel)
            c.eq(sorted(x.get("id") for x in items), sorted(ids), "ids over all pages")
            c.eq(pages, (n + limit - 1) // limit, "pages")
            c.done()
    c = t.check("limit equal to the count: one page, no cursor, no next")
    j = lib.expect(c, srv.get("files/%s/analyses?limit=%d" % (h["sha256"], n)), 200, "page")
    if j:
        c.eq(len(j.get("data") or []), n, "items")
        c("cursor" not in (j.get("meta") or {}), "meta %r" % j.get("meta"))
        c("next" not in (j.get("links") or {}), "links %r" % j.get("links"))
    c.done()

    c = t.check("GET /files/{id}?relationships=analyses,submissions embeds descriptors")
    j = lib.expect(c, srv.get("files/%s?relationships=analyses,submissions" % h["sha256"]),
                   200, "embed")
    rels = ((j or {}).get("data") or {}).get("relationships") or {}
    ad = (rels.get("analyses") or {}).get("data")
    sd = (rels.get("submissions") or {}).get("data")
    c(isinstance(ad, list) and sorted(x.get("id") for x in ad) == sorted(ids),
      "analyses %r" % ad)
    c(isinstance(ad, list) and all(x.get("type") == "analysis" and "attributes" not in x
                                   for x in ad), "analyses descriptors %r" % ad)
    c(isinstance(sd, list) and len(sd) == 1 and sd[0].get("type") == "submission" and
      isinstance(sd[0].get("id"), str), "submissions %r" % sd)
    c.eq(set(rels), {"analyses", "submissions"}, "embedded relationships")
    c(isinstance((j or {}).get("data", {}).get("attributes"), dict), "attributes missing")
    c.done()
    c = t.check("without ?relationships= there is no relationships member")
    j = srv.get("files/" + h["sha256"]).json or {}
    c("relationships" not in (j.get("data") or {}), "data has relationships")
    c.done()
    c = t.check("?relationships=<unknown> is an error (404 NotFoundError)")
    lib.expect(c, srv.get("files/%s?relationships=no_such_rel" % h["sha256"]), 404, "embed",
               "NotFoundError")
    c.done()

    c = t.check("bad pagination parameters: 400 (limit=abc, limit=-1, cursor=garbage)")
    for q in ("limit=abc", "limit=-1", "cursor=%21%21not-a-cursor"):
        lib.expect(c, srv.get("files/%s/analyses?%s" % (h["sha256"], q)), 400, q)
    c.done()
    c = t.check("limit above 40 is capped (at most 40 items, no error)")
    j = lib.expect(c, srv.get("files/%s/analyses?limit=1000" % h["sha256"]), 200, "limit=1000")
    c(j is None or len(j.get("data") or []) <= 40, "more than 40 items")
    c.done()


def test_analysis_ids(ctx, t):
    """Analysis ids route with their '=' padding, and unknown ones are 404."""
    srv = ctx.shared()
    data = lib.random_bytes(1000, b"padding ")
    aid, _ = srv.upload_and_wait(data, "pad.bin")
    c = t.check("GET /analyses/{id} with '=' percent-encoded works too")
    lib.expect(c, srv.get("analyses/" + aid.replace("=", "%3D")), 200, "encoded =")
    c.done()
