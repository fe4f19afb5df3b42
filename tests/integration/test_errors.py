"""
test_errors.py - hostile and malformed requests (VT-API.md §1.3, checklist
12): every one gets the right status and a JSON error body, the server keeps
answering, and a file stored before is left exactly as it was.

Runs its own server with limits.max_upload=1M.

SPDX-License-Identifier: MIT
"""

import socket
import time

import lib

API = lib.API


def _err(t, name, r, status, code=None):
    c = t.check(name)
    lib.expect(c, r, status, "answer", code)
    return c.done()


def test_bad_requests(ctx, t):
    srv = ctx.server("limits", sets=["limits.max_upload=1M"]).start()
    keep = lib.random_bytes(8000, b"keep me ")
    hk = lib.hashes(keep)
    srv.upload_and_wait(keep, "keep.bin")
    before = srv.get("files/" + hk["sha256"]).json
    t.require(before is not None, "the reference file is stored")

    # -- multipart that is not right
    ct = "multipart/form-data; boundary=XyZzY"
    _err(t, "multipart body without any boundary line: 400 BadRequestError",
         srv.request("POST", API + "/files", body=b"just some bytes\r\n\r\nmore",
                     headers={"Content-Type": ct}), 400, "BadRequestError")
    _err(t, "multipart/form-data without a boundary parameter: 400 BadRequestError",
         srv.request("POST", API + "/files", body=lib.multipart([("file", b"x", "x")])[1],
                     headers={"Content-Type": "multipart/form-data"}), 400, "BadRequestError")
    _, body = lib.multipart([("file", b"unterminated file part", "u.bin")], "XyZzY")
    body = body[:body.rindex(b"--XyZzY--")]
    _err(t, "multipart without its closing delimiter: 400 BadRequestError",
         srv.request("POST", API + "/files", body=body, headers={"Content-Type": ct}),
         400, "BadRequestError")
    bad_headers = (b"--XyZzY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"h\"\r\n"
                   b"this line has no colon and the headers never end")
    _err(t, "part headers that never end: 400 BadRequestError",
         srv.request("POST", API + "/files", body=bad_headers, headers={"Content-Type": ct}),
         400, "BadRequestError")
    ct2, body = lib.multipart([("password", "infected")])
    _err(t, "multipart with only a password field (no file part): 400 BadRequestError",
         srv.request("POST", API + "/files", body=body, headers={"Content-Type": ct2}),
         400, "BadRequestError")
    ct2, body = lib.multipart([("document", b"wrong field name", "w.bin")])
    _err(t, "file sent under another field name: 400 BadRequestError",
         srv.request("POST", API + "/files", body=body, headers={"Content-Type": ct2}),
         400, "BadRequestError")
    _err(t, "empty body (Content-Length: 0): 400 BadRequestError",
         srv.request("POST", API + "/files", body=b"", headers={"Content-Type": ct}),
         400, "BadRequestError")
    _err(t, "empty chunked body: 400 BadRequestError",
         srv.raw("POST", API + "/files", [("Content-Type", ct), ("Transfer-Encoding", "chunked")],
                 [b"0\r\n\r\n"]), 400, "BadRequestError")
    _err(t, "POST /files without a Content-Type: 400 BadRequestError",
         srv.request("POST", API + "/files", body=b"raw bytes, no multipart"),
         400, "BadRequestError")
    _err(t, "POST /files as application/json: 400 BadRequestError",
         srv.request("POST", API + "/files", body=b'{"file": "x"}',
                     headers={"Content-Type": "application/json"}), 400, "BadRequestError")
    _err(t, "POST /files as application/x-www-form-urlencoded: 400 BadRequestError",
         srv.request("POST", API + "/files", body=b"file=abc",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}),
         400, "BadRequestError")

    # -- too large (limit 1 MiB): with a Content-Length and chunked
    big = lib.random_bytes(2 * 1024 * 1024, b"too big ")
    ct2, body = lib.multipart([("file", big, "big.bin")])
    r = srv.try_raw("POST", API + "/files", [("Content-Type", ct2),
                                            ("Content-Length", str(len(body)))],
                [body[i:i + 65536] for i in range(0, len(body), 65536)])
    _err(t, "2 MB upload with max_upload=1M: 413 (Content-Length)", r, 413)
    r = srv.try_raw("POST", API + "/files", [("Content-Type", ct2),
                                            ("Transfer-Encoding", "chunked")],
                    lib.chunk_frames(body, [65536]), timeout=10)
    _err(t, "2 MB upload with max_upload=1M: 413 (chunked, answer within 10 s)", r, 413)
    t.eq(srv.get("files/" + lib.hashes(big)["sha256"]).status, 404,
         "the oversized file was not stored (404)")
    ok_size = lib.random_bytes(1000 * 1000, b"just below ")
    r = srv.upload(ok_size, "below.bin")
    _err(t, "a 1,000,000-byte upload with max_upload=1M is accepted", r, 200)

    # -- hashes and routes
    for h in ("ab" * 32, "cd" * 20, "ef" * 16, ("12" * 32).upper()):
        _err(t, "GET /files/<unknown %d-hex hash>: 404 NotFoundError" % len(h),
             srv.get("files/" + h), 404, "NotFoundError")
    for h in ("xyz", "g" * 64, "ab" * 31 + "a", "ab" * 33, "%20", "ab" * 16 + "-"):
        _err(t, "GET /files/%s (malformed hash): 400" % h, srv.get("files/" + h), 400)
    _err(t, "POST /files/<unknown sha256>/analyse: 404 NotFoundError",
         srv.request("POST", API + "/files/%s/analyse" % ("ab" * 32), body=b""), 404,
         "NotFoundError")
    _err(t, "GET /analyses/<unknown id>: 404 NotFoundError",
         srv.get("analyses/" + "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA6MQ=="), 404,
         "NotFoundError")
    _err(t, "GET /analyses/<garbage id>: 404 NotFoundError", srv.get("analyses/%25!x=="), 404,
         "NotFoundError")
    _err(t, "unknown route /api/v3/no_such_thing: 404 NotFoundError",
         srv.get("no_such_thing"), 404, "NotFoundError")
    _err(t, "unknown route below a file: 404 NotFoundError",
         srv.get("files/%s/analyses/extra/segments" % hk["sha256"]), 404, "NotFoundError")
    _err(t, "path outside /api/v3: 404 NotFoundError", srv.get("/api/v2/files"), 404,
         "NotFoundError")
    r = srv.get("files/" + "a" * 20000)
    t.ok(r.status in (400, 404, 414), "a 20,000-byte path: 400, 404 or 414", r.summary(200))
    for method, path in (("DELETE", "files/" + hk["sha256"]), ("PUT", "files"),
                         ("POST", "metadata"), ("DELETE", "analyses/QUJD"),
                         ("PATCH", "analyses/QUJD")):
        _err(t, "%s /api/v3/%s: 405" % (method, path.replace(hk["sha256"], "<sha256>")),
             srv.request(method, API + "/" + path, body=b"" if method != "GET" else None), 405)

    # -- broken transfers
    data = lib.random_bytes(200000, b"truncated ")
    ct2, body = lib.multipart([("file", data, "trunc.bin")])
    srv.raw("POST", API + "/files", [("Content-Type", ct2), ("Content-Length", str(len(body)))],
            [body[:len(body) // 2]], truncate=True)
    srv.raw("POST", API + "/files", [("Content-Type", ct2), ("Transfer-Encoding", "chunked")],
            lib.chunk_frames(body, [10000])[:7], truncate=True)
    srv.raw("POST", API + "/files", [("Content-Type", ct2), ("Transfer-Encoding", "chunked")],
            [b"%x\r\n" % 50000 + body[:20000]], truncate=True)
    # A body that stops right after the whole file part but before the closing delimiter.
    cut = body.index(data) + len(data) + 2
    srv.raw("POST", API + "/files", [("Content-Type", ct2), ("Content-Length", str(len(body)))],
            [body[:cut]], truncate=True)
    try:
        r = srv.raw("POST", API + "/files", [("Content-Type", ct2),
                                            ("Transfer-Encoding", "chunked")],
                    [b"zz\r\n" + body[:100] + b"\r\n0\r\n\r\n"])
        what = r.summary(200)
        good = r.status == 400
    except (OSError, ConnectionError) as e:
        what, good = "connection closed: %s" % e, True
    t.ok(good, "a bad chunk-size line: 400 or the connection is closed", what)
    time.sleep(0.3 * (3 if ctx.sanitized else 1))
    t.eq(srv.get("files/" + lib.hashes(data)["sha256"]).status, 404,
         "truncated uploads stored nothing (their file is 404)")

    # -- not HTTP at all, oversized headers
    for junk in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"POST /api/v3/files HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                 b"GET /api/v3/metadata HTTP/1.1\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n"):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=3)
        try:
            s.sendall(junk)
            s.recv(4096)
        except OSError:
            pass
        s.close()

    # -- the server is alive and nothing changed
    c = t.check("after all that the server still answers and the stored file is unchanged")
    c(srv.alive(), "the server process exited (status %r)" % (srv.proc.poll(),))
    lib.expect(c, srv.get("metadata"), 200, "GET /metadata")
    after = lib.expect(c, srv.get("files/" + hk["sha256"]), 200, "GET reference file")
    c.eq(after, before, "reference file object")
    d = srv.get("files/%s/download" % hk["sha256"])
    c(d.status == 200 and d.body == keep, "reference file bytes changed")
    c.done()
    r = srv.upload(lib.random_bytes(3000, b"still works "), "still.bin")
    _err(t, "a normal upload still works afterwards", r, 200)
    t.eq(srv.stop(), 0, "the server stops cleanly (exit status 0)")
