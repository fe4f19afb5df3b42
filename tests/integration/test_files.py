"""
test_files.py - POST /files, GET /analyses/{id}, GET /files/{id}, download,
/metadata (VT-API.md §1.2, §2, §3.1, §3.5, §5.1, §5.2, §9).

SPDX-License-Identifier: MIT
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import lib

# A lower bound for dates of this run: an hour before this module was loaded.
ctx_start = int(time.time()) - 3600

API = lib.API


def _upload_checked(t, srv, data, filename, label):
    """Upload, check the analysis descriptor; returns (analysis id, hashes, t0, t1)."""
    h = lib.hashes(data)
    t0 = int(time.time())
    r = srv.upload(data, filename)
    t1 = int(time.time())
    c = t.check("%s: POST /files answers 200 with an analysis descriptor" % label)
    j = lib.expect(c, r, 200, "POST /files")
    aid = lib.check_analysis_descriptor(c, j, srv, h, t0, t1) if j else None
    if j:
        c(set(j) == {"data"}, "top-level members %r" % sorted(j))
        c(set(j["data"]) <= {"type", "id", "links"}, "descriptor members %r" % sorted(j["data"]))
    c.require()
    return aid, h, t0, t1


def _wait_checked(t, srv, aid, h, label):
    """Poll the analysis to completion and check it; returns its attributes."""
    j, seen, last = srv.wait_analysis(aid)
    t.require(j is not None, "%s: analysis completes within %d s" % (label, srv.ctx.analysis_timeout),
              "statuses seen: %r" % seen, last.summary() if last else "no response")
    c = t.check("%s: statuses seen while polling are queued/in-progress/completed in order" % label)
    c(all(s in lib.ANALYSIS_STATUSES for s in seen), "statuses %r" % seen)
    order = [lib.ANALYSIS_STATUSES.index(s) for s in seen if s in lib.ANALYSIS_STATUSES]
    c(order == sorted(order), "statuses go backwards: %r" % seen)
    c.done()
    c = t.check("%s: GET /analyses/{id} is a complete analysis object with meta.file_info" % label)
    c(set(j) == {"data", "meta"}, "top-level members %r" % sorted(j))
    d = j.get("data", {})
    c.eq(d.get("type"), "analysis", "type")
    c.eq(d.get("id"), aid, "id")
    c.eq((d.get("links") or {}).get("self"), srv.base + API + "/analyses/" + aid, "links.self")
    a = d.get("attributes") or {}
    c(lib.is_int(a.get("date")), "date %r" % a.get("date"))
    c.eq(a.get("status"), "completed", "status")
    lib.check_stats_results(c, a.get("stats"), a.get("results"), "analysis")
    lib.check_dates(c, j, "analysis")
    fi = (j.get("meta") or {}).get("file_info")
    c.eq(fi, {k: h[k] for k in ("sha256", "sha1", "md5", "size")}, "meta.file_info")
    c.done()
    return a


def test_eicar(ctx, t):
    srv = ctx.shared()
    data = lib.eicar()
    aid, h, t0, t1 = _upload_checked(t, srv, data, "eicar.com", "EICAR")
    a = _wait_checked(t, srv, aid, h, "EICAR")
    c = t.check("EICAR: ClamAV reports it malicious with a full verdict")
    res = (a.get("results") or {}).get("ClamAV")
    if c(isinstance(res, dict), "no ClamAV result in %r" % a.get("results")):
        c.eq(res.get("category"), "malicious", "category")
        c.eq(res.get("engine_name"), "ClamAV", "engine_name")
        c(isinstance(res.get("engine_version"), str) and res["engine_version"], "engine_version")
        c(re.fullmatch(r"\d{8}", str(res.get("engine_update"))) is not None,
          "engine_update %r" % res.get("engine_update"))
        c(isinstance(res.get("method"), str) and res["method"], "method %r" % res.get("method"))
        c(isinstance(res.get("result"), str) and res["result"], "result %r" % res.get("result"))
    st = a.get("stats") or {}
    c(st.get("malicious", 0) >= 1, "stats.malicious %r" % st.get("malicious"))
    c.done()

    # The analysed item (1:1 relationship) and its descriptor.
    c = t.check("GET /analyses/{id}/item is the file; /relationships/item its descriptor")
    j = lib.expect(c, srv.get("analyses/%s/item" % aid), 200, "item")
    if j:
        lib.check_file_object(c, j, srv, h, "item")
    j = lib.expect(c, srv.get("analyses/%s/relationships/item" % aid), 200, "relationships/item")
    if j:
        c.eq(j.get("data"), {"type": "file", "id": h["sha256"]}, "descriptor")
    c.done()

    # The file object under every hash, in both cases.
    for kind in ("sha256", "sha1", "md5"):
        for v in (h[kind], h[kind].upper()):
            c = t.check("GET /files/<%s %s> returns the file with id = sha256" % (
                kind, "upper" if v.isupper() else "lower"))
            j = lib.expect(c, srv.get("files/" + v), 200, "GET")
            if j:
                lib.check_file_object(c, j, srv, h)
            c.done()
    j = srv.get("files/" + h["sha256"]).json
    _check_file_attributes(t, j, h, "eicar.com", a, t0, "EICAR")
    attrs = j["data"]["attributes"]
    c = t.check("EICAR: last_analysis_stats.malicious >= 1 and ClamAV malicious in last_analysis_results")
    c(attrs.get("last_analysis_stats", {}).get("malicious", 0) >= 1, "stats %r" % attrs.get(
        "last_analysis_stats"))
    c.eq((attrs.get("last_analysis_results", {}).get("ClamAV") or {}).get("category"),
         "malicious", "ClamAV category")
    c.done()
    c = t.check("EICAR: at least three engines say malicious (issue 3): ClamAV, a YARA pack, the hash list")
    res = attrs.get("last_analysis_results", {})
    mal = sorted(k for k, v in res.items() if (v or {}).get("category") == "malicious")
    c(len(mal) >= 3 and attrs.get("last_analysis_stats", {}).get("malicious", 0) >= 3,
      "malicious engines %r" % mal)
    c("ClamAV" in mal and "HashList" in mal and any(k.startswith("YARA-") for k in mal),
      "ClamAV, HashList and a YARA pack among them: %r" % mal)
    c.done()


def _check_file_attributes(t, j, h, filename, analysis, t0, label, typed=True):
    """typed: the content has a known type, so type_description and type_tag must be
    there (for unrecognised data they may be omitted, VT-API.md §5: omit, never null)."""
    a = (j.get("data") or {}).get("attributes") or {}
    c = t.check("%s: file attributes are complete and consistent" % label)
    for k in ("md5", "sha1", "sha256", "ssdeep", "size", "magic", "names", "meaningful_name", "first_submission_date",
              "last_submission_date", "times_submitted", "unique_sources",
              "last_analysis_date", "last_analysis_results", "last_analysis_stats",
              "reputation", "total_votes", "tags"):
        c(k in a, "attribute %s missing" % k)
        c(a.get(k, 0) is not None, "attribute %s is null" % k)
    for k in ("md5", "sha1", "sha256", "size"):
        c.eq(a.get(k), h[k], k)
    c(isinstance(a.get("ssdeep"), str) and
      re.fullmatch(r"\d+:[A-Za-z0-9/+]+:[A-Za-z0-9/+]*", a.get("ssdeep", "")) is not None,
      "ssdeep %r" % a.get("ssdeep"))
    for k in ("magic", "type_description", "type_tag", "meaningful_name"):
        if k in a or typed or k in ("magic", "meaningful_name"):
            c(isinstance(a.get(k), str) and a.get(k), "%s %r" % (k, a.get(k)))
    names = a.get("names")
    c(isinstance(names, list) and filename in names, "names %r lacks %r" % (names, filename))
    c(isinstance(names, list) and a.get("meaningful_name") in names,
      "meaningful_name %r not in names" % a.get("meaningful_name"))
    lib.check_dates(c, j, "file")
    c(not lib.nulls(a), "null attributes (omit instead): %s" % lib.nulls(a))
    now = int(time.time())
    # The shared server may have seen the same bytes earlier in the run (test_details
    # submits EICAR too): the first submission may predate this upload, the last may not.
    v = a.get("first_submission_date")
    c(lib.is_int(v) and ctx_start - 5 <= v <= now + 5,
      "first_submission_date %r outside [%d, %d]" % (v, ctx_start, now))
    for k in ("last_submission_date", "last_analysis_date"):
        v = a.get(k)
        c(lib.is_int(v) and t0 - 5 <= v <= now + 5, "%s %r outside [%d, %d]" % (k, v, t0, now))
    if lib.is_int(a.get("first_submission_date")) and lib.is_int(a.get("last_submission_date")):
        c(a["first_submission_date"] <= a["last_submission_date"], "first > last submission")
    c(lib.is_int(a.get("times_submitted")) and a.get("times_submitted", 0) >= 1,
      "times_submitted %r" % a.get("times_submitted"))
    c(lib.is_int(a.get("unique_sources")) and 1 <= a.get("unique_sources", 0) <= a.get(
        "times_submitted", 0), "unique_sources %r" % a.get("unique_sources"))
    c(lib.is_int(a.get("reputation")), "reputation %r" % a.get("reputation"))
    tv = a.get("total_votes")
    c(isinstance(tv, dict) and set(tv) >= {"harmless", "malicious"} and
      all(lib.is_int(v) for v in tv.values()), "total_votes %r" % tv)
    c(isinstance(a.get("tags"), list) and all(isinstance(x, str) for x in a.get("tags", [])),
      "tags %r" % a.get("tags"))
    if "type_extension" in a:
        c(isinstance(a["type_extension"], str) and a["type_extension"],
          "type_extension %r" % a["type_extension"])
    lib.check_stats_results(c, a.get("last_analysis_stats"), a.get("last_analysis_results"),
                            "last_analysis")
    if analysis is not None:
        c.eq(a.get("last_analysis_results"), analysis.get("results"),
             "last_analysis_results vs the analysis' results")
        c.eq(a.get("last_analysis_stats"), analysis.get("stats"),
             "last_analysis_stats vs the analysis' stats")
        if lib.is_int(analysis.get("date")) and lib.is_int(a.get("last_analysis_date")):
            c(a["last_analysis_date"] >= analysis["date"],
              "last_analysis_date %r before the analysis date %r" % (
                  a["last_analysis_date"], analysis["date"]))
    c.done()
    return a


def _external(argv, data):
    """Run a Debian tool on data in a temp file; returns stdout or None."""
    if shutil.which(argv[0]) is None:
        return None
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        r = subprocess.run(argv + [f.name], capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else None


def test_clean_file(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(4096, b"clean-random ")
    aid, h, t0, t1 = _upload_checked(t, srv, data, "random.bin", "random 4 KB")
    a = _wait_checked(t, srv, aid, h, "random 4 KB")
    c = t.check("random 4 KB: every engine undetected or type-unsupported (ClamAV's result null), "
                "stats agree")
    results = a.get("results") or {}
    res = results.get("ClamAV") or {}
    c.eq(res.get("category"), "undetected", "category")
    c("result" in res and res.get("result") is None, "result %r (must be JSON null)" % res.get(
        "result", "<missing>"))
    c.eq(sorted(k for k, v in results.items()
                if v.get("category") not in ("undetected", "type-unsupported")), [],
         "engines that were neither 'undetected' nor 'type-unsupported'")
    st = a.get("stats") or {}
    c.eq(st.get("undetected", 0) + st.get("type-unsupported", 0), len(results),
         "stats.undetected + stats.type-unsupported")
    c.eq((a.get("stats") or {}).get("malicious"), 0, "stats.malicious")
    c.done()
    j = srv.get("files/" + h["sha256"]).json
    attrs = _check_file_attributes(t, j, h, "random.bin", a, t0, "random 4 KB", typed=False)
    ref = _external(["ssdeep", "-s", "-b"], data)
    if ref is not None:
        line = [l for l in ref.splitlines() if l and not l.startswith("ssdeep,")]
        want = line[0].split(",")[0] if line else None
        t.eq(attrs.get("ssdeep"), want, "random 4 KB: ssdeep equals the ssdeep tool's")
    ref = _external(["file", "-b"], data)
    if ref is not None:
        t.eq(attrs.get("magic"), ref.strip(), "random 4 KB: magic equals `file -b`")


def test_text_file(ctx, t):
    srv = ctx.shared()
    data = ("Panoptes integration test text %s\n" % os.urandom(8).hex() * 20).encode()
    aid, h, t0, t1 = _upload_checked(t, srv, data, "notes with space.txt", "text file")
    a = _wait_checked(t, srv, aid, h, "text file")
    j = srv.get("files/" + h["sha256"]).json
    attrs = _check_file_attributes(t, j, h, "notes with space.txt", a, t0, "text file")
    c = t.check("text file: a text type (type_tag text, type_extension txt, magic from libmagic)")
    c.eq(attrs.get("type_tag"), "text", "type_tag")
    c.eq(attrs.get("type_extension"), "txt", "type_extension")
    ref = _external(["file", "-b"], data)
    if ref is not None:
        c.eq(attrs.get("magic"), ref.strip(), "magic vs `file -b`")
    c.done()


def test_large_random_tlsh(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(300 * 1024, b"tlsh-random ")
    aid, h, t0, t1 = _upload_checked(t, srv, data, "big.bin", "random 300 KB")
    a = _wait_checked(t, srv, aid, h, "random 300 KB")
    j = srv.get("files/" + h["sha256"]).json
    attrs = _check_file_attributes(t, j, h, "big.bin", a, t0, "random 300 KB", typed=False)
    tl = attrs.get("tlsh")
    t.ok(isinstance(tl, str) and re.fullmatch(r"T1[0-9A-F]{70}", tl) is not None,
         "random 300 KB: tlsh is T1 + 70 upper-case hex digits (72 chars)", "tlsh %r" % tl)
    ref = _external(["ssdeep", "-s", "-b"], data)
    if ref is not None:
        line = [l for l in ref.splitlines() if l and not l.startswith("ssdeep,")]
        want = line[0].split(",")[0] if line else None
        t.eq(attrs.get("ssdeep"), want, "random 300 KB: ssdeep equals the ssdeep tool's")


def test_download(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(70000, b"download me ") + b"\r\n--\x00\xff" * 10
    h = lib.hashes(data)
    r = srv.upload(data, "dl.bin")
    t.require(r.status == 200, "download: upload accepted", r.summary())
    for v in (h["sha256"], h["md5"].upper(), h["sha1"]):
        r = srv.get("files/%s/download" % v)
        c = t.check("admin downloads the exact bytes by %s (200, application/octet-stream)" % (
            "sha256" if len(v) == 64 else "md5 upper" if len(v) == 32 else "sha1"))
        c.eq(r.status, 200, "status")
        c.eq(r.ctype.split(";")[0].strip(), "application/octet-stream", "Content-Type")
        c(r.body == data, "body differs: %d bytes, sha256 %s" % (
            len(r.body), lib.hashes(r.body)["sha256"]))
        c.done()
    # Same group as the uploader (admin): the file is visible to them (privacy, test_privacy.py).
    plain = srv.user_add("plain%d" % os.getpid(), "--group", "admin")
    dl = srv.user_add("dl%d" % os.getpid(), "--download", "--group", "admin")
    c = t.check("a user without --download: GET works, download is 403 ForbiddenError")
    lib.expect(c, srv.get("files/" + h["sha256"], key=plain), 200, "GET file")
    lib.expect(c, srv.get("files/%s/download" % h["sha256"], key=plain), 403, "download",
               "ForbiddenError")
    c.done()
    c = t.check("a user with --download downloads the bytes")
    r = srv.get("files/%s/download" % h["sha256"], key=dl)
    c.eq(r.status, 200, "status")
    c(r.body == data, "body differs")
    c.done()
    c = t.check("download of an unknown hash is 404 NotFoundError")
    lib.expect(c, srv.get("files/%s/download" % ("ab" * 32)), 404, "download", "NotFoundError")
    c.done()


def test_metadata(ctx, t):
    srv = ctx.shared()
    c = t.check("GET /metadata lists engine ClamAV and file relationships analyses, submissions")
    j = lib.expect(c, srv.get("metadata"), 200, "metadata")
    d = (j or {}).get("data") or {}
    engines = d.get("engines")
    c(isinstance(engines, dict) and "ClamAV" in engines, "engines %r" % engines)
    rels = (d.get("relationships") or {}).get("file")
    names = [x.get("name") if isinstance(x, dict) else x for x in rels or []]
    c("analyses" in names and "submissions" in names, "file relationships %r" % names)
    c.done()
    # Every relationship /metadata lists must be served (checklist 11).
    sha = lib.hashes(lib.eicar())["sha256"]
    if srv.get("files/" + sha).status != 200:
        srv.upload(lib.eicar(), "eicar.com")
    bad = []
    for n in names:
        for path in ("files/%s/%s" % (sha, n), "files/%s/relationships/%s" % (sha, n)):
            r = srv.get(path)
            if r.status != 200 or not r.is_json_ctype() or not isinstance(r.json, dict) or \
                    "data" not in r.json:
                bad.append("%s: %s" % (path, r.summary(120)))
    t.ok(not bad, "every file relationship /metadata lists is served (%d)" % len(names), *bad)
    c = t.check("an unknown file relationship is 404 NotFoundError")
    lib.expect(c, srv.get("files/%s/no_such_rel" % sha), 404, "rel", "NotFoundError")
    lib.expect(c, srv.get("files/%s/relationships/no_such_rel" % sha), 404, "desc",
               "NotFoundError")
    c.done()


def test_keep_alive(ctx, t):
    """Clients reuse connections: successes and errors alike keep the connection open
    (the server answers after the body, never on the first call, PLATFORM.md §8)."""
    import http.client
    srv = ctx.shared()
    sha = lib.hashes(lib.eicar())["sha256"]
    if srv.get("files/" + sha).status != 200:
        srv.upload_and_wait(lib.eicar(), "eicar.com")
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=ctx.http_timeout)
    hdr = {"x-apikey": srv.key}
    ct, body = lib.multipart([("file", lib.random_bytes(5000, b"keepalive "), "ka.bin")])
    steps = [("GET", API + "/metadata", None, {}, 200),
             ("GET", API + "/files/" + sha, None, {}, 200),
             ("GET", API + "/files/" + "ab" * 32, None, {}, 404),
             ("POST", API + "/files", b"not multipart", {"Content-Type": "text/plain"}, 400),
             ("POST", API + "/files", body, {"Content-Type": ct}, 200),
             ("GET", API + "/files/%s/download" % sha, None, {}, 200),
             ("GET", API + "/metadata", None, {"x-apikey": "wrong"}, 401),
             ("GET", API + "/analyses/%s" % "QUJD", None, {}, 404),
             ("GET", API + "/metadata", None, {}, 200)]
    c = t.check("one keep-alive connection serves %d requests, errors included" % len(steps))
    sock = None
    for method, path, b, h, status in steps:
        hh = dict(hdr)
        hh.update(h)
        conn.request(method, path, body=b, headers=hh)
        r = conn.getresponse()
        data = r.read()
        c(r.status == status, "%s %s: status %d, expected %d (%r)" % (
            method, path, r.status, status, data[:120]))
        c((r.getheader("Connection") or "").lower() != "close",
          "%s %s: Connection: close" % (method, path))
        if sock is None:
            sock = conn.sock
        c(conn.sock is sock, "%s %s: the connection was reopened" % (method, path))
    conn.close()
    c.done()
