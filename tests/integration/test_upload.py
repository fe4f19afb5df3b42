"""
test_upload.py - the multipart upload on the wire (VT-API.md §3.1, §6,
checklist 6 and 7): chunked bodies, one byte per write, text fields before
and after the file part, boundary-like bytes inside the file, the one-time
upload URL, and concurrent identical uploads (dedupe).

Every upload is checked end to end: the analysis id carries the md5 of the
intended bytes, GET /files/<sha256> exists with the right size and name, and
the download gives back exactly those bytes.

SPDX-License-Identifier: MIT
"""

import os
import threading
import urllib.parse

import lib

API = lib.API


def _verify(t, srv, r, data, filename, label):
    h = lib.hashes(data)
    c = t.check("%s: 200 + descriptor, stored with the right sha256 and bytes" % label)
    j = lib.expect(c, r, 200, "upload")
    if j is not None:
        lib.check_analysis_descriptor(c, j, srv, h)
        f = lib.expect(c, srv.get("files/" + h["sha256"]), 200, "GET /files/<sha256>")
        if f is not None:
            a = lib.check_file_object(c, f, srv, h)
            c(filename in (a.get("names") or []), "names %r lacks %r" % (a.get("names"), filename))
        d = srv.get("files/%s/download" % h["sha256"])
        c(d.status == 200 and d.body == data, "download: status %d, %d bytes, sha256 %s" % (
            d.status, len(d.body), lib.hashes(d.body)["sha256"]))
    return c.done()


def _mp_headers(ct, body, chunked):
    h = [("Content-Type", ct)]
    if chunked:
        h.append(("Transfer-Encoding", "chunked"))
    else:
        h.append(("Content-Length", str(len(body))))
    return h


def test_chunked(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(20000, b"chunked upload ")
    ct, body = lib.multipart([("file", data, "chunked.bin")])
    r = srv.raw("POST", API + "/files", _mp_headers(ct, body, True),
                lib.chunk_frames(body, [7, 1000, 1, 4096, 33]))
    _verify(t, srv, r, data, "chunked.bin", "chunked upload, no Content-Length")

    data = lib.random_bytes(300, b"tiny chunks ")
    ct, body = lib.multipart([("file", data, "tiny-chunks.bin")])
    r = srv.raw("POST", API + "/files", _mp_headers(ct, body, True), lib.chunk_frames(body, [1]))
    _verify(t, srv, r, data, "tiny-chunks.bin", "chunked upload of 1-byte chunks, each its own write")


def test_one_byte_writes(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(400, b"one byte at a time ")
    ct, body = lib.multipart([("file", data, "bytewise.bin"), ("password", "infected")])
    head = lib.request_head("POST", API + "/files", _mp_headers(ct, body, False) +
                            [("x-apikey", srv.key)], srv.port)
    pieces = [head[i:i + 1] for i in range(len(head))] + [body[i:i + 1] for i in range(len(body))]
    r = lib.raw_exchange(srv.port, b"", pieces, delay=0.0003)
    _verify(t, srv, r, data, "bytewise.bin", "headers and body written one byte at a time")


def test_text_fields(ctx, t):
    srv = ctx.shared()
    data = lib.random_bytes(5000, b"password before ")
    r = srv.upload(data, "pw-before.bin", before=[("password", "infected")])
    _verify(t, srv, r, data, "pw-before.bin", "password field before the file part")

    data = lib.random_bytes(5000, b"password after ")
    r = srv.upload(data, "pw-after.bin", extra=[("password", "infected")])
    _verify(t, srv, r, data, "pw-after.bin", "password field after the file part")

    data = lib.random_bytes(5000, b"extra fields ")
    r = srv.upload(data, "extra.bin", before=[("comment", "before")],
                   extra=[("comment", "after"), ("password", "")])
    _verify(t, srv, r, data, "extra.bin", "unknown text fields before and after the file part")

    data = lib.random_bytes(3000, b"spaced name ")
    r = srv.upload(data, "a file name with spaces.exe")
    _verify(t, srv, r, data, "a file name with spaces.exe", "a filename with spaces")


def _tricky(boundary):
    """File bytes full of near-delimiters for this boundary."""
    b = boundary.encode()
    return (b"start\r\n--" + b[:-1] + b"\r\n" +          # delimiter minus its last byte
            b"\r\n-" + b + b"\r\n" +                       # one dash short
            b"x--" + b + b"--\r\n" +                       # no CRLF before the dashes
            b"\r\n\r\n--\r\n--" + b[:5] +
            os.urandom(3000) + b"\r" + b"\n" + b"\0" * 10 +
            b"\r\n--" + b.upper() + b"\r\n" +              # other case: not the boundary
            b"end\r\n--" + b[:-3])                          # a delimiter prefix at the very end


def test_boundary_like_bytes(ctx, t):
    srv = ctx.shared()
    boundary = "PanoptesBoundary" + os.urandom(8).hex()
    data = lib.random_bytes(100, b"tricky ") + _tricky(boundary)
    ct, body = lib.multipart([("file", data, "tricky.bin"), ("password", "x")], boundary)
    r = srv.request("POST", API + "/files", body=body, headers={"Content-Type": ct})
    _verify(t, srv, r, data, "tricky.bin", "file with CRLF--boundary-like bytes, one write")

    data = lib.random_bytes(50, b"tricky chunked ") + _tricky(boundary)
    ct, body = lib.multipart([("file", data, "tricky2.bin")], boundary)
    r = srv.raw("POST", API + "/files", _mp_headers(ct, body, True),
                lib.chunk_frames(body, [3, 5, 13, 2, 1, 64]))
    _verify(t, srv, r, data, "tricky2.bin",
            "file with boundary-like bytes, chunked so delimiters split across reads")


def test_multipart_variants(ctx, t):
    """RFC 2046/2045 forms real clients may send."""
    srv = ctx.shared()
    data = lib.random_bytes(2000, b"quoted boundary ")
    boundary = "quoted-" + os.urandom(6).hex()
    _, body = lib.multipart([("file", data, "quoted.bin")], boundary)
    r = srv.request("POST", API + "/files", body=body,
                    headers={"Content-Type": 'multipart/form-data; boundary="%s"' % boundary})
    _verify(t, srv, r, data, "quoted.bin", "quoted boundary parameter")

    data = lib.random_bytes(2000, b"param order ")
    boundary = "order" + os.urandom(6).hex()
    _, body = lib.multipart([("file", data, "order.bin")], boundary)
    r = srv.request("POST", API + "/files", body=body, headers={
        "Content-Type": "multipart/form-data; charset=utf-8; boundary=%s" % boundary})
    _verify(t, srv, r, data, "order.bin", "boundary not the first Content-Type parameter")

    data = lib.random_bytes(2000, b"preamble ")
    boundary = "pre" + os.urandom(6).hex()
    _, body = lib.multipart([("file", data, "preamble.bin")], boundary)
    body = b"This is a preamble.\r\n" + body + b"This is an epilogue.\r\n"
    r = srv.request("POST", API + "/files", body=body,
                    headers={"Content-Type": "multipart/form-data; boundary=%s" % boundary})
    _verify(t, srv, r, data, "preamble.bin", "preamble and epilogue around the parts (RFC 2046)")


def test_upload_url(ctx, t):
    srv = ctx.shared()
    c = t.check("GET /files/upload_url returns {\"data\": absolute URL on this server}")
    j = lib.expect(c, srv.get("files/upload_url"), 200, "upload_url")
    url = j.get("data") if j else None
    c(isinstance(url, str) and url.startswith(srv.base + "/"), "data %r" % url)
    c(set(j or {}) == {"data"}, "members %r" % sorted(j or {}))
    c.require()
    j2 = srv.get("files/upload_url").json or {}
    t.ok(j2.get("data") != url, "a second upload_url is a different URL", repr((url, j2)))

    data = lib.random_bytes(10000, b"upload url ")
    r = srv.upload(data, "via-url.bin", path=url)
    _verify(t, srv, r, data, "via-url.bin", "POST to the upload URL with x-apikey")
    c = t.check("a second POST to the same upload URL is 404 NotFoundError")
    lib.expect(c, srv.upload(lib.random_bytes(100, b"again "), "again.bin", path=url), 404,
               "second POST", "NotFoundError")
    c.done()

    url2 = srv.get("files/upload_url").json["data"]
    data = lib.random_bytes(10000, b"upload url no key ")
    r = srv.upload(data, "via-url-nokey.bin", path=url2, key=None)
    _verify(t, srv, r, data, "via-url-nokey.bin", "POST to the upload URL without x-apikey")

    url3 = srv.get("files/upload_url").json["data"]
    data = lib.random_bytes(30000, b"upload url chunked ")
    ct, body = lib.multipart([("file", data, "via-url-chunked.bin")])
    r = srv.raw("POST", urllib.parse.urlsplit(url3).path, _mp_headers(ct, body, True),
                lib.chunk_frames(body, [1000, 17]), key=None)
    _verify(t, srv, r, data, "via-url-chunked.bin", "chunked POST to the upload URL")

    url4 = srv.get("files/upload_url").json["data"]
    c = t.check("the upload URL with a wrong x-apikey is 401 WrongCredentialsError")
    lib.expect(c, srv.upload(b"wrong key via url", "w.bin", path=url4, key="0" * 64), 401,
               "wrong key", "WrongCredentialsError")
    c.done()

    # Single use under a race: of 6 concurrent POSTs to one URL exactly one wins.
    url5 = srv.get("files/upload_url").json["data"]
    bodies = [lib.random_bytes(20000, b"race %d " % i) for i in range(6)]
    out = [None] * len(bodies)
    barrier = threading.Barrier(len(bodies))

    def one(i):
        barrier.wait(10)
        try:
            out[i] = srv.upload(bodies[i], "race-%d.bin" % i, path=url5)
        except Exception as e:  # noqa: BLE001
            out[i] = e

    ths = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for th in ths:
        th.start()
    for th in ths:
        th.join(ctx.http_timeout * 2)
    st = [r.status if isinstance(r, lib.Resp) else repr(r) for r in out]
    c = t.check("6 concurrent POSTs to one upload URL: exactly one 200, the others 404")
    c(st.count(200) == 1 and st.count(404) == len(st) - 1, "statuses %r" % st)
    stored = [i for i, b in enumerate(bodies)
              if srv.get("files/" + lib.hashes(b)["sha256"]).status == 200]
    c(len(stored) == 1 and isinstance(out[stored[0]], lib.Resp) and out[stored[0]].status == 200,
      "stored %r for statuses %r" % (stored, st))
    c.done()

    c = t.check("POST to an invented upload URL is 404 NotFoundError")
    p = urllib.parse.urlsplit(url).path.rsplit("/", 1)[0] + "/" + "ab" * 32
    lib.expect(c, srv.upload(b"invented", "i.bin", path=p, key=None), 404, "invented",
               "NotFoundError")
    c.done()


def test_dedupe(ctx, t):
    srv = ctx.shared()
    n = 8
    data = lib.random_bytes(50000, b"dedupe ")
    h = lib.hashes(data)
    barrier = threading.Barrier(n)
    out = [None] * n

    def one(i):
        try:
            barrier.wait(10)
            out[i] = srv.upload(data, "dup-%d.bin" % i)
        except Exception as e:  # noqa: BLE001
            out[i] = e

    ths = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in ths:
        th.start()
    for th in ths:
        th.join(ctx.http_timeout * 2)
    c = t.check("%d concurrent identical uploads all answer 200 + descriptor" % n)
    aids = set()
    for i, r in enumerate(out):
        if not c(isinstance(r, lib.Resp), "upload %d: %r" % (i, r)):
            continue
        j = lib.expect(c, r, 200, "upload %d" % i)
        if j:
            aids.add(lib.check_analysis_descriptor(c, j, srv, h, what="upload %d" % i))
    c.require()
    c = t.check("dedupe: one file object, times_submitted == %d, every name kept" % n)
    j = lib.expect(c, srv.get("files/" + h["sha256"]), 200, "GET file")
    a = lib.check_file_object(c, j, srv, h) if j else {}
    c.eq(a.get("times_submitted"), n, "times_submitted")
    c(a.get("last_submission_date", 0) >= a.get("first_submission_date", 1),
      "first/last submission dates %r/%r" % (a.get("first_submission_date"),
                                             a.get("last_submission_date")))
    missing = [i for i in range(n) if "dup-%d.bin" % i not in (a.get("names") or [])]
    c(not missing, "names %r lack dup-N.bin for N in %r" % (a.get("names"), missing))
    c.done()
    bad = []
    for aid in aids:
        aj, seen, last = srv.wait_analysis(aid)
        if aj is None:
            bad.append("%s: statuses %r, last %s" % (aid, seen, last.summary(200) if last else None))
    t.ok(not bad, "dedupe: all %d distinct analyses complete" % len(aids), *bad)

    c = t.check("dedupe: /files/{id}/submissions pages (limit 3) hold %d submissions" % n)
    items, pages = lib.walk_pages(c, srv, API + "/files/%s/submissions" % h["sha256"], 3,
                                  "submissions")
    c.eq(len(items), n, "submissions")
    c(all(isinstance(x, dict) and x.get("type") == "submission" and isinstance(x.get("id"), str)
          for x in items), "items %r" % items[:2])
    c.eq(pages, (n + 2) // 3, "pages")
    c.done()
    c = t.check("dedupe: /files/{id}/analyses counts the %d distinct analyses" % len(aids))
    items, pages = lib.walk_pages(c, srv, API + "/files/%s/analyses" % h["sha256"], 40, "analyses")
    c.eq(set(x.get("id") for x in items), aids, "analysis ids")
    c.done()
