"""
test_community.py - the Community tab over the API (issue 6): comments
with #tags, stored as text and escaped in `html`; comment votes; votes on
files with one vote per user; the community score formula of
docs/COMMUNITY.md (vote weight from the voter's reputation, reputation from
agreement with the other voters); bad input; and quotas - a tight quota is
hit, answered 429 QuotaExceededError with informative headers, reported by
overall_quotas and kept across a restart; per-key quotas.

SPDX-License-Identifier: MIT
"""

import json
import os
import signal

import lib


def _post(srv, path, obj, key=lib._DEFAULT, raw=None):
    body = raw if raw is not None else json.dumps(obj).encode()
    return srv.request("POST", lib.API + "/" + path, body=body,
                       headers={"Content-Type": "application/json"}, key=key)


def _comment(srv, sha, text, key=lib._DEFAULT):
    return _post(srv, "files/%s/comments" % sha,
                 {"data": {"type": "comment", "attributes": {"text": text}}}, key)


def _vote(srv, sha, verdict, key=lib._DEFAULT):
    return _post(srv, "files/%s/votes" % sha,
                 {"data": {"type": "vote", "attributes": {"verdict": verdict}}}, key)


def _weight(rep):
    """The documented vote weight (docs/COMMUNITY.md)."""
    return 1 + min(max(rep, 0), 40) // 10


def test_comments(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(1500, b"comment target ")
    sha = lib.hashes(data)["sha256"]
    r = srv.upload(data, "commented.bin")
    t.require(r.status == 200, "upload", r.summary())

    c = t.check("a comment: text kept as sent, #tags extracted, html escaped, listed newest first")
    text = "Dropper of #Emotet, see #IOC-list.\n<script>alert(1)</script> & a#b not a tag #emotet"
    j = lib.expect(c, _comment(srv, sha, text), 200, "POST comment")
    cid = None
    if j:
        d = j["data"]
        cid = d["id"]
        a = d["attributes"]
        c.eq(d["type"], "comment", "type")
        c(cid.startswith("f-%s-" % sha), "id is f-<sha256>-<n>: %r" % cid)
        c.eq(a["text"], text, "text")
        c.eq(a["tags"], ["emotet", "ioc-list"], "tags")
        c("<script>" not in a["html"] and "&lt;script&gt;" in a["html"], "html escaped: %r" % a["html"])
        c.eq(a["votes"], {"positive": 0, "negative": 0, "abuse": 0}, "votes")
        lib.check_dates(c, a, "comment")
    j2 = lib.expect(c, _comment(srv, sha, "second opinion: benign updater"), 200, "second comment")
    j = lib.expect(c, srv.get("files/%s/comments" % sha), 200, "GET comments")
    if j and j2 and cid:
        c.eq([x["id"] for x in j["data"]], [j2["data"]["id"], cid], "newest first")
        c.eq(j["meta"]["count"], 2, "meta.count")
    j = lib.expect(c, srv.get("comments?filter=tag:emotet"), 200, "global list by tag")
    c(j and cid in [x["id"] for x in j["data"]], "the tag filter finds it")
    j = lib.expect(c, srv.get("search?query=%23emotet"), 200, "search by tag")
    c(j and cid in [x["id"] for x in j["data"]], "search by #tag finds it")
    c.done()

    c = t.check("comment pagination with cursors")
    for i in range(5):
        _comment(srv, sha, "page filler %d" % i)
    got, _ = lib.walk_pages(c, srv, "files/%s/comments" % sha, 3, "comments")
    c.eq(len(got), 7, "all comments reached through pages of 3")
    c.eq(len(set(x["id"] for x in got)), 7, "no comment twice")
    c.done()

    c = t.check("comment votes: positive/negative/abuse, one per user, counted")
    if cid:
        j = lib.expect(c, _post(srv, "comments/%s/vote" % cid, {"data": "positive"}), 200, "vote +")
        c(j and j["data"] == {"positive": 1, "negative": 0, "abuse": 0}, "counts %r" % (j,))
        j = lib.expect(c, _post(srv, "comments/%s/vote" % cid, {"data": "abuse"}), 200, "revote")
        c(j and j["data"] == {"positive": 0, "negative": 0, "abuse": 1}, "replaced: %r" % (j,))
        lib.expect(c, _post(srv, "comments/%s/vote" % cid, {"data": "meh"}), 400, "bad kind",
                   "InvalidArgumentError")
        j = lib.expect(c, srv.get("comments/%s/author" % cid), 200, "author")
        c(j and j["data"]["type"] == "user" and j["data"]["id"] == "admin", "author is admin: %r" % (j,))
        j = lib.expect(c, srv.get("comments/%s/item" % cid), 200, "item")
        c(j and j["data"]["id"] == sha, "item is the file")
    c.done()

    c = t.check("bad comments: clear 400s, nothing stored")
    before = srv.get("files/%s/comments" % sha).json["meta"]["count"]
    lib.expect(c, _comment(srv, sha, ""), 400, "empty", "InvalidArgumentError")
    lib.expect(c, _comment(srv, sha, " \n\t "), 400, "blank", "InvalidArgumentError")
    lib.expect(c, _comment(srv, sha, "x" * 20000), 400, "too long", "InvalidArgumentError")
    lib.expect(c, _post(srv, "files/%s/comments" % sha, None, raw=b"{not json"), 400, "not JSON",
               "BadRequestError")
    lib.expect(c, _post(srv, "files/%s/comments" % sha, {"data": {"type": "vote",
               "attributes": {"text": "x"}}}), 400, "wrong type", "BadRequestError")
    lib.expect(c, _post(srv, "files/%s/comments" % sha, {"data": {"attributes": {"text": 5}}}),
               400, "text not a string", "BadRequestError")
    lib.expect(c, _post(srv, "files/%s/comments" % sha, None, raw=b"{\"data\":" * 5000),
               400, "deeply nested", "BadRequestError")
    lib.expect(c, _comment(srv, "0" * 64, "on nothing"), 404, "unknown file", "NotFoundError")
    lib.expect(c, _comment(srv, "zz", "bad id"), 400, "malformed hash", "BadRequestError")
    after = srv.get("files/%s/comments" % sha).json["meta"]["count"]
    c.eq(after, before, "no comment was stored")
    c.done()


def test_votes_and_score(ctx, t):
    srv = ctx.server("votes").start()
    pid = os.getpid()
    alice = srv.user_add("valice%d" % pid, "--group", "admin")
    bob = srv.user_add("vbob%d" % pid, "--group", "admin")
    carol = srv.user_add("vcarol%d" % pid, "--group", "admin")
    files = []
    for i in range(12):
        data = lib.random_bytes(600, b"vote target %d " % i)
        r = srv.upload(data, "v%d.bin" % i)
        t.require(r.status == 200, "upload %d" % i, r.summary())
        files.append(lib.hashes(data)["sha256"])

    c = t.check("one vote per user per object; a new vote replaces the old; total_votes unweighted")
    f0 = files[0]
    j = lib.expect(c, _vote(srv, f0, "harmless", alice), 200, "alice harmless")
    if j:
        c.eq(j["data"]["type"], "vote", "type")
        c.eq(j["data"]["attributes"]["verdict"], "harmless", "verdict")
        c.eq(j["data"]["attributes"]["value"], 1, "value of a new user's vote")
    lib.expect(c, _vote(srv, f0, "malicious", alice), 200, "alice changes her mind")
    a = srv.get("files/" + f0).json["data"]["attributes"]
    c.eq(a["total_votes"], {"harmless": 0, "malicious": 1}, "total_votes")
    c.eq(a["reputation"], -1, "reputation")
    j = lib.expect(c, srv.get("files/%s/votes" % f0), 200, "GET votes")
    c(j and len(j["data"]) == 1 and j["data"][0]["attributes"]["verdict"] == "malicious",
      "one vote listed: %r" % (j,))
    lib.expect(c, _vote(srv, f0, "evil", alice), 400, "invalid verdict", "InvalidArgumentError")
    lib.expect(c, _vote(srv, "1" * 64, "malicious", alice), 404, "unknown file", "NotFoundError")
    c.done()

    c = t.check("reputation: voters the community agrees with gain it, and their votes weigh more")
    # alice and bob agree (malicious) on eleven files: each gains 11 reputation.
    for f in files[:11]:
        _vote(srv, f, "malicious", alice)
        _vote(srv, f, "malicious", bob)
    ua = srv.get("users/valice%d" % pid).json["data"]["attributes"]
    ub = srv.get("users/vbob%d" % pid).json["data"]["attributes"]
    c.eq(ua["reputation"], 11, "alice's reputation")
    c.eq(ub["reputation"], 11, "bob's reputation")
    # carol disagrees with them on f0: she loses one; on f0 the others now
    # balance out for alice and bob (one against, one for), so each drops to 10.
    _vote(srv, f0, "harmless", carol)
    uc = srv.get("users/vcarol%d" % pid).json["data"]["attributes"]
    c.eq(uc["reputation"], -1, "carol's reputation")
    ua = srv.get("users/valice%d" % pid).json["data"]["attributes"]
    c.eq(ua["reputation"], 10, "alice's reputation after carol's disagreement")
    a = srv.get("files/" + f0).json["data"]["attributes"]
    want = -_weight(10) - _weight(10) + _weight(-1)
    c.eq(a["reputation"], want, "f0 score = -w(alice) - w(bob) + w(carol)")
    c.eq(a["total_votes"], {"harmless": 1, "malicious": 2}, "f0 total_votes")
    # On a fresh file alice's harmless vote counts double.
    j = lib.expect(c, _vote(srv, files[11], "harmless", alice), 200, "alice votes on f11")
    if j:
        c.eq(j["data"]["attributes"]["value"], _weight(10), "vote value = weight(10)")
    a = srv.get("files/" + files[11]).json["data"]["attributes"]
    c.eq(a["reputation"], 2, "f11 score")
    j = lib.expect(c, srv.get("users/valice%d/votes" % pid), 200, "alice's votes")
    c(j and j["meta"]["count"] == 12, "alice has 12 votes: %r" % ((j or {}).get("meta"),))
    c.done()


def test_quotas(ctx, t):
    srv = ctx.server("quota", sets=["quota.lookups_minute=6"]).start()
    pid = os.getpid()
    u = srv.user_add("quser%d" % pid, "--group", "admin")
    sha = lib.hashes(b"quota")["sha256"]

    c = t.check("a tight per-minute lookup quota is hit and reported with 429 and headers")
    statuses = [srv.get("files/" + sha, key=u).status for _ in range(6)]
    c.eq(statuses, [404] * 6, "six lookups answered")
    r = srv.get("files/" + sha, key=u)
    lib.expect(c, r, 429, "the seventh", "QuotaExceededError")
    hdr = r.headers
    c(hdr.get("retry-after", "").isdigit() and 0 < int(hdr["retry-after"]) <= 60,
      "Retry-After within the minute: %r" % hdr.get("retry-after"))
    c.eq(hdr.get("x-ratelimit-limit"), "6", "X-RateLimit-Limit")
    c.eq(hdr.get("x-ratelimit-remaining"), "0", "X-RateLimit-Remaining")
    msg = (r.json or {}).get("error", {}).get("message", "")
    c("6 lookups per minute" in msg, "the message says which quota: %r" % msg)
    lib.expect(c, srv.get("files/" + sha), 404, "the admin has no default quota")
    j = lib.expect(c, srv.get("users/quser%d/overall_quotas" % pid, key=u), 200,
                   "overall_quotas is not charged")
    if j:
        m = j["data"]["api_requests_minutely"]["user"]
        c.eq(m, {"allowed": 6, "used": 6}, "api_requests_minutely")
    c.done()

    c = t.check("per-user submission quota and per-key quotas")
    r = ctx.cli("user", "quota", "quser%d" % pid, "submissions.day=1", "--data", srv.datadir)
    c.eq(r.returncode, 0, "user quota: %s" % r.stderr)
    u2 = srv.user_add("quser2%d" % pid, "--group", "admin")
    r = ctx.cli("user", "quota", "quser2%d" % pid, "submissions.day=1", "--data", srv.datadir)
    r1 = srv.upload(b"first submission", "one.txt", key=u2)
    r2 = srv.upload(b"second submission", "two.txt", key=u2)
    c.eq(r1.status, 200, "first submission")
    lib.expect(c, r2, 429, "second submission of the day", "QuotaExceededError")
    r = ctx.cli("key", "add", "quser2%d" % pid, "--data", srv.datadir)
    lines = r.stdout.strip().splitlines()
    k2 = lines[-1].strip()
    kid = lines[0].split()[2] if lines else ""
    r = ctx.cli("key", "quota", kid, "lookups.minute=2", "--data", srv.datadir)
    c.eq(r.returncode, 0, "key quota: %s %s" % (r.stdout, r.stderr))
    st = [srv.get("files/" + sha, key=k2).status for _ in range(3)]
    c.eq(st, [404, 404, 429], "the second key is limited to 2 lookups a minute")
    lib.expect(c, srv.get("files/" + sha, key=u2), 404, "the first key is not")
    lib.expect(c, _comment(srv, sha, "x", key=u2), 404, "")
    r = ctx.cli("user", "quota", "quser2%d" % pid, "bogus.day=1", "--data", srv.datadir)
    c(r.returncode == 2 and "kinds are" in r.stderr, "a bad quota spec is a usage error: %r" % r.stderr)
    c.done()

    c = t.check("day counters survive a restart")
    srv.stop(signal.SIGTERM)
    srv.start()
    r = srv.upload(b"third submission", "three.txt", key=u2)
    lib.expect(c, r, 429, "still over the daily submission quota after a restart",
               "QuotaExceededError")
    c.done()
