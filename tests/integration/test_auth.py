"""
test_auth.py - x-apikey authentication on every kind of endpoint
(VT-API.md §1.1, §1.3): a missing key is 401 AuthenticationRequiredError,
an unknown key 401 WrongCredentialsError, whatever the route.

SPDX-License-Identifier: MIT
"""

import lib


def _endpoints(sha):
    ct, body = lib.multipart([("file", b"auth test body", "a.txt")])
    return [
        ("GET", "/api/v3/metadata", None, {}),
        ("GET", "/api/v3/files/" + sha, None, {}),
        ("GET", "/api/v3/files/" + "0" * 64, None, {}),
        ("GET", "/api/v3/files/" + sha + "/analyses", None, {}),
        ("GET", "/api/v3/files/" + sha + "/relationships/submissions", None, {}),
        ("GET", "/api/v3/files/" + sha + "/download", None, {}),
        ("POST", "/api/v3/files/" + sha + "/analyse", b"", {}),
        ("GET", "/api/v3/files/upload_url", None, {}),
        ("POST", "/api/v3/files", body, {"Content-Type": ct}),
        ("GET", "/api/v3/analyses/" + "QUJD", None, {}),
        ("GET", "/api/v3/no_such_collection", None, {}),
        ("GET", "/api/v3/files/" + sha + "/no_such_relationship", None, {}),
        ("GET", "/no/such/path", None, {}),
        ("DELETE", "/api/v3/files/" + sha, None, {}),
    ]


def test_auth_required(ctx, t):
    srv = ctx.shared()
    h = lib.hashes(b"auth test body")
    try:
        srv.upload_and_wait(b"auth test body", "a.txt")
    except RuntimeError as e:
        t.require(False, "upload with the admin key works and completes", str(e))
    before = srv.get("files/" + h["sha256"]).json
    for method, path, body, headers in _endpoints(h["sha256"]):
        c = t.check("%s %s without x-apikey: 401 AuthenticationRequiredError" % (
            method, path.replace(h["sha256"], "<sha256>").replace("0" * 64, "<unknown>")))
        r = srv.request(method, path, body=body, headers=headers, key=None)
        lib.expect(c, r, 401, "no key", "AuthenticationRequiredError")
        c.done()
    after = srv.get("files/" + h["sha256"]).json
    t.eq(after, before, "requests without a key changed nothing (same file object)")


def test_wrong_key(ctx, t):
    srv = ctx.shared()
    sha = lib.hashes(b"auth test body")["sha256"]
    wrong = "f" * len(srv.key) if srv.key != "f" * len(srv.key) else "e" * len(srv.key)
    for bad in (wrong, srv.key[:-1], srv.key + "0", "x"):
        for method, path, body, headers in _endpoints(sha):
            c = t.check("%s %s with a wrong key (%d chars): 401 WrongCredentialsError" % (
                method, path.replace(sha, "<sha256>").replace("0" * 64, "<unknown>"), len(bad)))
            r = srv.request(method, path, body=body, headers=headers, key=bad)
            lib.expect(c, r, 401, "wrong key", "WrongCredentialsError")
            c.done()
            if bad != wrong:
                break   # the variants only on the first endpoint


def test_key_case_of_header(ctx, t):
    srv = ctx.shared()
    r = srv.request("GET", "/api/v3/metadata", key=None, headers={"X-Apikey": srv.key})
    c = t.check("the header name is case-insensitive (X-Apikey)")
    lib.expect(c, r, 200, "GET /metadata")
    c.done()
