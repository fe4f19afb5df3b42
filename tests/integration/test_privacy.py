"""
test_privacy.py - groups, roles, keys and the audit log (issue 6):

- a file submitted in one group is invisible to another - GET, download,
  analyses, relationships, comments, votes, search, share - and every
  answer is the one for a file that does not exist (no 403-vs-404 oracle);
- each group sees only its own submission names and counts;
- sharing makes the file, its report and the sharing group's comments
  visible to everyone; contained files follow their parent's visibility and
  a private parent never shows up in another group's relationships;
- read-only users look up but cannot write; disabled users and rotated keys
  are refused; users are visible to their own group only; the audit log
  records who submitted, downloaded, shared and deleted what.

SPDX-License-Identifier: MIT
"""

import io
import json
import os
import zipfile

import lib


def _post(srv, path, obj, key):
    return srv.request("POST", lib.API + "/" + path, body=json.dumps(obj).encode(),
                       headers={"Content-Type": "application/json"}, key=key)


def _comment(srv, coll, oid, text, key):
    return _post(srv, "%s/%s/comments" % (coll, oid),
                 {"data": {"type": "comment", "attributes": {"text": text}}}, key)


def _vote(srv, coll, oid, verdict, key):
    return _post(srv, "%s/%s/votes" % (coll, oid),
                 {"data": {"type": "vote", "attributes": {"verdict": verdict}}}, key)


def _same_as_missing(c, got, missing, what, real_id, fake_id):
    """got must be the answer for a missing object: same status, code and message shape."""
    c(got.status == missing.status == 404, "%s: status %s (missing: %s)" % (
        what, got.status, missing.status))
    c(got.error_code() == missing.error_code() == "NotFoundError", "%s: code %r vs %r" % (
        what, got.error_code(), missing.error_code()))
    gm = (got.json or {}).get("error", {}).get("message", "").replace(real_id, "ID")
    mm = (missing.json or {}).get("error", {}).get("message", "").replace(fake_id, "ID")
    c(gm == mm, "%s: message %r differs from a missing object's %r" % (what, gm, mm))


def _setup(ctx):
    srv = ctx.server("privacy").start()
    pid = os.getpid()
    keys = {
        "alice": srv.user_add("alice%d" % pid, "--group", "red"),
        "bob": srv.user_add("bob%d" % pid, "--group", "red", "--download"),
        "carol": srv.user_add("carol%d" % pid, "--group", "blue", "--download"),
        "dave": srv.user_add("dave%d" % pid, "--group", "red", "--role", "read-only"),
        "erin": srv.user_add("erin%d" % pid, "--group", "green"),
    }
    names = {k: "%s%d" % (k, pid) for k in keys}
    return srv, keys, names


def test_privacy(ctx, t):
    srv, k, names = _setup(ctx)
    data = lib.random_bytes(3000, b"private red sample ")
    h = lib.hashes(data)
    sha, fake = h["sha256"], "f" * 64
    r = srv.upload(data, "red-secret.bin", key=k["alice"])
    t.require(r.status == 200, "alice uploads a file in group red", r.summary())
    aid = r.json["data"]["id"]
    srv.wait_analysis(aid)

    c = t.check("the submitter's group sees the file: alice and bob (red) get 200")
    for who in ("alice", "bob", "dave"):
        j = lib.expect(c, srv.get("files/" + sha, key=k[who]), 200, who)
        if j:
            c.eq(j["data"]["attributes"].get("names"), ["red-secret.bin"], who + " names")
    c.done()

    c = t.check("another group (carol, blue) gets exactly the answer for a missing file, everywhere")
    probes = [
        ("GET file", "GET", "files/%s", None),
        ("GET by md5", "GET", "files/%s", "md5"),
        ("download", "GET", "files/%s/download", None),
        ("relationships", "GET", "files/%s/analyses", None),
        ("relationship descriptors", "GET", "files/%s/relationships/submissions", None),
        ("comments", "GET", "files/%s/comments", None),
        ("votes", "GET", "files/%s/votes", None),
        ("rescan", "POST", "files/%s/analyse", None),
        ("share", "POST", "files/%s/share", None),
    ]
    for what, method, pat, alt in probes:
        real = h["md5"] if alt else sha
        fk = "e" * 32 if alt else fake
        got = srv.request(method, lib.API + "/" + pat % real, body=b"" if method == "POST" else None,
                          key=k["carol"])
        missing = srv.request(method, lib.API + "/" + pat % fk, body=b"" if method == "POST" else None,
                              key=k["carol"])
        _same_as_missing(c, got, missing, what, real, fk)
    got = _comment(srv, "files", sha, "I should not be able to write this", k["carol"])
    missing = _comment(srv, "files", fake, "I should not be able to write this", k["carol"])
    _same_as_missing(c, got, missing, "POST comment", sha, fake)
    got = _vote(srv, "files", sha, "malicious", k["carol"])
    missing = _vote(srv, "files", fake, "malicious", k["carol"])
    _same_as_missing(c, got, missing, "POST vote", sha, fake)
    got = srv.get("analyses/" + aid, key=k["carol"])
    c(got.status == 404 and got.error_code() == "NotFoundError",
      "the analysis of the file is 404 for carol: %s" % got.summary())
    j = lib.expect(c, srv.get("search?query=" + sha, key=k["carol"]), 200, "search")
    if j:
        c.eq(j["data"], [], "search by sha256 finds nothing for carol")
    j = lib.expect(c, srv.get("search?query=" + sha, key=k["alice"]), 200, "search alice")
    if j:
        c.eq([o["id"] for o in j["data"]], [sha], "search by sha256 finds the file for alice")
    c.done()

    c = t.check("a second group submitting the same file sees only its own names and counts")
    r = srv.upload(data, "blue-copy.bin", key=k["carol"])
    c.eq(r.status, 200, "carol uploads the same bytes")
    jc = lib.expect(c, srv.get("files/" + sha, key=k["carol"]), 200, "carol GET")
    ja = lib.expect(c, srv.get("files/" + sha, key=k["alice"]), 200, "alice GET")
    adm = lib.expect(c, srv.get("files/" + sha), 200, "admin GET")
    if jc and ja and adm:
        ac, aa, ad = (x["data"]["attributes"] for x in (jc, ja, adm))
        c.eq(ac.get("names"), ["blue-copy.bin"], "carol's names")
        c.eq(ac.get("times_submitted"), 1, "carol's times_submitted")
        c.eq(aa.get("names"), ["red-secret.bin"], "alice's names")
        c.eq(aa.get("times_submitted"), 1, "alice's times_submitted")
        c.eq(sorted(ad.get("names", [])), ["blue-copy.bin", "red-secret.bin"], "admin sees all names")
        c.eq(ad.get("times_submitted"), 2, "admin's times_submitted")
        c.eq(aa.get("sha256"), sha, "the shared part of the report is there")
    subs = srv.get("files/%s/submissions" % sha, key=k["carol"]).json
    c(subs and len(subs["data"]) == 1 and subs["meta"]["count"] == 1,
      "carol's submissions relationship lists only her own: %r" % (subs,))
    c.done()

    c = t.check("comments stay in their group until the file is shared")
    jr = lib.expect(c, _comment(srv, "files", sha, "red team note #apt", k["alice"]), 200, "alice comments")
    cid = jr["data"]["id"] if jr else "x"
    j = lib.expect(c, srv.get("files/%s/comments" % sha, key=k["bob"]), 200, "bob lists")
    c(j and [x["id"] for x in j["data"]] == [cid], "bob (red) sees alice's comment: %r" % (j,))
    j = lib.expect(c, srv.get("files/%s/comments" % sha, key=k["carol"]), 200, "carol lists")
    c(j is not None and j["data"] == [], "carol (blue, can see the file) does not see red's comment")
    got = srv.get("comments/" + cid, key=k["carol"])
    missing = srv.get("comments/" + cid[:-1] + "99999", key=k["carol"])
    c(got.status == 404 and missing.status == 404, "GET the comment by id: 404 for carol")
    j = lib.expect(c, srv.get("comments?filter=tag:apt", key=k["carol"]), 200, "tag filter")
    c(j is not None and j["data"] == [], "the global comment list hides it from carol")
    c.done()

    c = t.check("sharing: the file, its report and the sharer's comments become visible to all")
    got = srv.get("files/" + sha, key=k["erin"])
    c.eq(got.status, 404, "erin (green) cannot see it before the share")
    j = lib.expect(c, srv.request("POST", lib.API + "/files/%s/share" % sha, body=b"",
                                  key=k["alice"]), 200, "alice shares")
    je = lib.expect(c, srv.get("files/" + sha, key=k["erin"]), 200, "erin GET after share")
    if je:
        c.eq(je["data"]["attributes"].get("names"), ["red-secret.bin"],
             "erin sees the sharing group's view")
    j = lib.expect(c, srv.get("files/%s/comments" % sha, key=k["carol"]), 200, "carol lists")
    c(j and [x["id"] for x in j["data"]] == [cid], "carol now sees alice's comment: %r" % (j,))
    j = lib.expect(c, srv.get("files/%s/download" % sha, key=k["erin"]), 403,
                   "erin (no download permission) downloads", "ForbiddenError")
    c.done()

    c = t.check("read-only users look up but cannot write")
    lib.expect(c, srv.get("files/" + sha, key=k["dave"]), 200, "dave GET")
    lib.expect(c, _comment(srv, "files", sha, "hello", k["dave"]), 403, "dave comments", "ForbiddenError")
    lib.expect(c, _vote(srv, "files", sha, "harmless", k["dave"]), 403, "dave votes", "ForbiddenError")
    lib.expect(c, srv.upload(b"read-only upload", "ro.txt", key=k["dave"]), 403, "dave uploads",
               "ForbiddenError")
    c.done()

    c = t.check("users: visible to themselves, their group and admins; never their secrets")
    ja = lib.expect(c, srv.get("users/" + names["alice"], key=k["alice"]), 200, "alice self")
    if ja:
        at = ja["data"]["attributes"]
        c.eq(at.get("group"), "red", "group")
        c.eq(at.get("role"), "analyst", "role")
        c(k["alice"] not in json.dumps(ja), "the API key is not in the user object")
        c("quotas" in at and "api_requests_daily" in at["quotas"], "quotas summary: %r" % (at,))
    lib.expect(c, srv.get("users/" + names["alice"], key=k["bob"]), 200, "bob sees alice (red)")
    lib.expect(c, srv.get("users/" + names["alice"], key=k["carol"]), 404, "carol does not", "NotFoundError")
    lib.expect(c, srv.get("users/" + k["alice"], key=k["alice"]), 200, "the API key as id, by its owner")
    lib.expect(c, srv.get("users/" + k["alice"], key=k["bob"]), 404, "the API key as id, by another")
    lib.expect(c, srv.get("users/" + names["carol"]), 200, "the admin sees everyone")
    jq = lib.expect(c, srv.get("users/%s/overall_quotas" % names["alice"], key=k["alice"]), 200,
                    "overall_quotas")
    if jq:
        d = jq["data"]
        c(isinstance(d.get("api_requests_daily", {}).get("user", {}).get("used"), int),
          "api_requests_daily.user.used: %r" % (d,))
    jc = lib.expect(c, srv.get("users/%s/comments" % names["alice"], key=k["bob"]), 200, "her comments")
    c(jc and [x["id"] for x in jc["data"]] == [cid], "alice's comments listed: %r" % (jc,))
    c.done()

    c = t.check("comment deletion: only the author or an admin")
    lib.expect(c, srv.request("DELETE", lib.API + "/comments/" + cid, key=k["bob"]), 403,
               "bob deletes alice's comment", "ForbiddenError")
    lib.expect(c, srv.request("DELETE", lib.API + "/comments/" + cid, key=k["alice"]), 200,
               "alice deletes it")
    lib.expect(c, srv.get("comments/" + cid, key=k["alice"]), 404, "it is gone", "NotFoundError")
    c.done()

    c = t.check("disabled users and rotated keys are refused")
    r = ctx.cli("user", "disable", names["erin"], "--data", srv.datadir)
    c.eq(r.returncode, 0, "user disable exit status")
    lib.expect(c, srv.get("files/" + sha, key=k["erin"]), 401, "erin disabled", "UserNotActiveError")
    r = ctx.cli("key", "rotate", names["bob"], "--data", srv.datadir)
    c.eq(r.returncode, 0, "key rotate exit status")
    newkey = r.stdout.strip().splitlines()[-1].strip()
    c(len(newkey) == 64 and newkey != k["bob"], "a new 64-hex key is printed")
    lib.expect(c, srv.get("files/" + sha, key=k["bob"]), 401, "bob's old key", "WrongCredentialsError")
    lib.expect(c, srv.get("files/" + sha, key=newkey), 200, "bob's new key")
    r = ctx.cli("user", "list", "--data", srv.datadir)
    c(r.returncode == 0 and names["carol"] in r.stdout and "blue" in r.stdout,
      "user list shows users and groups: %r" % r.stdout[:300])
    c(k["carol"] not in r.stdout and newkey not in r.stdout, "user list prints no key")
    c.done()

    c = t.check("the audit log records submissions, downloads, shares and deletions")
    srv.get("files/%s/download" % sha, key=newkey)
    j = lib.expect(c, srv.get("audit?limit=40"), 200, "admin GET /audit")
    acts = set()
    if j:
        for e in j["data"]:
            a = e["attributes"]
            acts.add((a["user"], a["action"], a["item_id"]))
    for who, act, item in (("alice", "submit", sha), ("carol", "submit", sha),
                           ("alice", "share", sha), ("bob", "download", sha),
                           ("alice", "delete", cid)):
        c((names[who], act, item) in acts, "audit has %s %s %s" % (who, act, item[:16]))
    lib.expect(c, srv.get("audit", key=k["alice"]), 403, "a non-admin reads the audit log",
               "ForbiddenError")
    r = ctx.cli("audit", "--data", srv.datadir)
    c(r.returncode == 0 and "share" in r.stdout, "panoptes audit prints the log")
    c.done()


def test_contained_files_follow_parent(ctx, t):
    srv, k, names = _setup(ctx)
    child = lib.random_bytes(2000, b"child member ")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/child.bin", child)
    zdata = buf.getvalue()
    hz, hc = lib.hashes(zdata), lib.hashes(child)
    r = srv.upload(zdata, "red-archive.zip", key=k["alice"])
    t.require(r.status == 200, "alice uploads a zip", r.summary())
    srv.wait_analysis(r.json["data"]["id"])
    c = t.check("the member is visible to the parent's group only")
    j = lib.expect(c, srv.get("files/" + hc["sha256"], key=k["bob"]), 200, "bob GET member")
    if j:
        c.eq(j["data"]["attributes"].get("names"), ["inner/child.bin"], "member name")
    lib.expect(c, srv.get("files/" + hc["sha256"], key=k["carol"]), 404, "carol GET member",
               "NotFoundError")
    c.done()
    c = t.check("another group that has the member does not learn the private parent")
    r = srv.upload(child, "found-elsewhere.bin", key=k["carol"])
    c.eq(r.status, 200, "carol uploads the member bytes")
    j = lib.expect(c, srv.get("files/%s/compressed_parents" % hc["sha256"], key=k["carol"]), 200,
                   "carol's compressed_parents")
    if j:
        c.eq(j["meta"]["count"], 0, "count for carol")
        c.eq(j["data"], [], "no parent listed for carol")
    j = lib.expect(c, srv.get("files/%s/compressed_parents" % hc["sha256"], key=k["alice"]), 200,
                   "alice's compressed_parents")
    if j:
        c.eq([x["id"] for x in j["data"]], [hz["sha256"]], "alice sees the zip as parent")
    c.done()
