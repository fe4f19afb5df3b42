"""
test_urls.py - URLs, domains and IP addresses end to end (issue 5):

- a URL on a loopback HTTP server that redirects twice and serves an EICAR
  download gives a URL report with the chain, the downloaded file linked
  and flagged, and domain and IP reports linked by passive-DNS resolutions;
- the URL's two ids (sha256 of the canonical URL, unpadded base64url of the
  URL) give the same object; analyses carry meta.url_info;
- under the default configuration the fetcher refuses every private
  address (loopback by name and by number, cloud metadata) and nothing
  reaches the server;
- a URL is private to the submitter's group, domains and IPs are public but
  do not reveal another group's URLs;
- bad input is a clear 400.

Servers: an HTTP server in this process, tests/data/net/dns_server.py for
the zone example.test (dl.example.test → 127.0.0.1) and
tests/data/net/whois_server.py, all on loopback.

SPDX-License-Identifier: MIT
"""

import base64
import hashlib
import http.server
import os
import subprocess
import sys
import threading
import time

import lib

PY = "/usr/bin/python3"


class _Handler(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):
        _Handler.hits.append(self.path)
        if self.path == "/start":
            self._redirect("/hop")
        elif self.path == "/hop":
            self._redirect("http://%s/files/update.com" % self.headers.get("Host"))
        elif self.path == "/files/update.com":
            body = lib.eicar()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/page":
            body = (b"<html><head><title>Panoptes test page</title></head><body>"
                    b"<a href='http://other.example.test/x'>x</a></body></html>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _redirect(self, to):
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def _http_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _helper(ctx, script, *args):
    p = subprocess.Popen([PY, os.path.join(lib.ROOT, "tests/data/net", script), "--lifetime",
                          "600"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    ctx.track(p)
    return p, p.stdout.readline().strip()


def _b64url(u):
    return base64.urlsafe_b64encode(u.encode()).decode().rstrip("=")


def _wait_obj(srv, path, pred, key=lib._DEFAULT, timeout=30):
    end = time.monotonic() + timeout
    j = None
    while time.monotonic() < end:
        r = srv.get(path, key=key)
        j = r.json if r.status == 200 else None
        if j and pred(j["data"]["attributes"]):
            return j
        time.sleep(0.2)
    return j


def _post_url(srv, url, key=lib._DEFAULT, multipart=False):
    if multipart:
        ct, body = lib.multipart([("url", url.encode(), None)])
    else:
        ct, body = "application/x-www-form-urlencoded", ("url=" + url).encode()
    return srv.request("POST", lib.API + "/urls", body=body, headers={"Content-Type": ct}, key=key)


def _servers(ctx):
    dns, dport = _helper(ctx, "dns_server.py")
    who, roles = _helper(ctx, "whois_server.py")
    ports = dict(x.split("=") for x in roles.split())
    return int(dport), ports


def test_url_end_to_end(ctx, t):
    web = _http_server()
    hport = web.server_address[1]
    dport, wports = _servers(ctx)
    srv = ctx.server("urls", sets=[
        "fetch.allow_private=true", "dns.servers=127.0.0.1:%d" % dport,
        "dns.timeout_ms=1000", "dns.tries=2",
        "whois.servers=default=127.0.0.1:%s,ip=127.0.0.1:%s" % (wports["registry"], wports["arin"]),
        "whois.max_referrals=0"]).start()
    url = "http://dl.example.test:%d/start" % hport
    canon = url
    uid = hashlib.sha256(canon.encode()).hexdigest()

    c = t.check("POST /urls answers an analysis u-<sha256>-<ts> and it completes")
    r = _post_url(srv, url)
    j = lib.expect(c, r, 200, "POST /urls")
    aid = j["data"]["id"] if j else ""
    c(aid.startswith("u-%s-" % uid), "analysis id %r" % aid)
    a, seen, last = srv.wait_analysis(aid)
    c(a is not None, "analysis completed (%r)" % seen)
    if a:
        c.eq(a["meta"].get("url_info", {}).get("id"), uid, "meta.url_info.id")
        c.eq(a["meta"].get("url_info", {}).get("url"), canon, "meta.url_info.url")
        stats = a["data"]["attributes"]["stats"]
        c.eq(sorted(stats), sorted(["harmless", "malicious", "suspicious", "undetected", "timeout"]),
             "the five URL stats keys")
    c.done()

    c = t.check("the URL report: chain, final URL, response, the download flagged")
    j = lib.expect(c, srv.get("urls/" + uid), 200, "GET /urls/{sha256}")
    at = j["data"]["attributes"] if j else {}
    base = "http://dl.example.test:%d" % hport
    c.eq(at.get("url"), canon, "url")
    c.eq(at.get("redirection_chain"), [base + "/start", base + "/hop", base + "/files/update.com"],
         "redirection_chain")
    c.eq(at.get("last_final_url"), base + "/files/update.com", "last_final_url")
    c.eq(at.get("last_http_response_code"), 200, "last_http_response_code")
    c.eq(at.get("last_http_response_content_sha256"), hashlib.sha256(lib.eicar()).hexdigest(),
         "last_http_response_content_sha256")
    dl = at.get("last_analysis_results", {}).get("Panoptes-Download", {})
    c.eq(dl.get("category"), "malicious", "Panoptes-Download category")
    c(at.get("last_analysis_stats", {}).get("malicious", 0) >= 1, "URL malicious count")
    c.eq(at.get("times_submitted"), 1, "times_submitted")
    j2 = lib.expect(c, srv.get("urls/" + _b64url(url)), 200, "GET /urls/{base64url}")
    c(j2 and j2["data"]["id"] == uid, "both ids name the same object")
    c.done()

    c = t.check("the downloaded file is an object of its own, linked both ways, and detected")
    sha = hashlib.sha256(lib.eicar()).hexdigest()
    j = lib.expect(c, srv.get("urls/%s/downloaded_files" % uid), 200, "downloaded_files")
    c(j and [o["id"] for o in j["data"]] == [sha], "downloaded_files lists the body: %r" % (
        j and [o["id"] for o in j["data"]],))
    f = _wait_obj(srv, "files/" + sha, lambda a: a.get("last_analysis_stats", {}).get("malicious", 0) > 0)
    c(f is not None, "the file's own analysis flags it")
    fa = f["data"]["attributes"] if f else {}
    ed = fa.get("engine_details") or {}
    c((ed.get("ClamAV") or {}).get("cached") is True,
      "with the verdicts of the URL job's scan of the body (not scanned twice): %r" % (
          {k: (v or {}).get("cached") for k, v in ed.items()},))
    c(fa.get("type_tag") and fa.get("ssdeep"), "and its own full identification (type, ssdeep)")
    j = lib.expect(c, srv.get("files/%s/itw_urls" % sha), 200, "itw_urls")
    c(j and uid in [o["id"] for o in j["data"]], "the file's itw_urls has the URL")
    j = lib.expect(c, srv.get("urls/%s/network_location" % uid), 200, "network_location")
    c(j and [o["id"] for o in j["data"]] == ["dl.example.test"], "network_location is the domain")
    c.done()

    c = t.check("domain and IP reports are linked by resolutions (passive DNS)")
    j = lib.expect(c, srv.get("domains/dl.example.test/resolutions"), 200, "domain resolutions")
    ips = [o["attributes"]["ip_address"] for o in (j or {}).get("data", [])]
    c.eq(ips, ["127.0.0.1"], "dl.example.test resolved to 127.0.0.1")
    if j and j["data"]:
        r0 = j["data"][0]
        c.eq(r0["type"], "resolution", "type")
        c.eq(r0["id"], "127.0.0.1dl.example.test", "resolution id = ip + domain")
        lib.check_dates(c, r0["attributes"], "resolution")
    j = lib.expect(c, srv.get("ip_addresses/127.0.0.1/resolutions"), 200, "IP resolutions")
    c(j and "dl.example.test" in [o["attributes"]["host_name"] for o in j["data"]],
      "127.0.0.1 has dl.example.test")
    j = lib.expect(c, srv.get("domains/dl.example.test/urls"), 200, "domain urls")
    c(j and uid in [o["id"] for o in j["data"]], "the domain lists the URL")
    j = lib.expect(c, srv.get("domains/dl.example.test/downloaded_files"), 200, "domain files")
    c(j and sha in [o["id"] for o in j["data"]], "the domain lists the download")
    d = _wait_obj(srv, "domains/dl.example.test", lambda a: "last_dns_records" in a)
    da = d["data"]["attributes"] if d else {}
    c(any(x.get("type") == "A" and x.get("value") == "127.0.0.1"
          for x in da.get("last_dns_records", [])), "last_dns_records has the A record: %r" % (
        da.get("last_dns_records"),))
    c.eq(da.get("tld"), "test", "tld")
    j = lib.expect(c, srv.get("domains/example.test/subdomains"), 200, "parent's subdomains")
    c(j and "dl.example.test" in [o["id"] for o in j["data"]], "example.test lists dl.example.test")
    c.done()

    c = t.check("a page: title parsed; another group cannot see the URL but sees the domain")
    page = "http://dl.example.test:%d/page" % hport
    r = _post_url(srv, page, multipart=True)
    j = lib.expect(c, r, 200, "POST /urls multipart")
    if j:
        srv.wait_analysis(j["data"]["id"])
    pid = hashlib.sha256(page.encode()).hexdigest()
    j = lib.expect(c, srv.get("urls/" + pid), 200, "GET page URL")
    c(j and j["data"]["attributes"].get("title") == "Panoptes test page", "title: %r" % (
        j and j["data"]["attributes"].get("title"),))
    other = srv.user_add("urlother%d" % os.getpid(), "--group", "elsewhere")
    lib.expect(c, srv.get("urls/" + uid, key=other), 404, "the URL for another group", "NotFoundError")
    lib.expect(c, srv.get("domains/dl.example.test", key=other), 200, "the domain for another group")
    j = lib.expect(c, srv.get("domains/dl.example.test/urls", key=other), 200, "its urls")
    c(j is not None and j["data"] == [] and j["meta"]["count"] == 0,
      "the domain does not reveal the URLs of another group: %r" % (j,))
    j = lib.expect(c, srv.get("search?query=" + url, key=lib._DEFAULT), 200, "search by URL")
    c(j and [o["id"] for o in j["data"]] == [uid], "search finds the URL")
    j = lib.expect(c, srv.get("search?query=dl.example.test"), 200, "search by domain")
    c(j and [o["id"] for o in j["data"]] == ["dl.example.test"], "search finds the domain")
    c.done()

    c = t.check("bad input: clear 400s")
    for bad in ("ftp://dl.example.test/x", "javascript:alert(1)", "http://", "http://a b/",
                "http://" + "a" * 9000 + ".test/"):
        lib.expect(c, _post_url(srv, bad), 400, "POST %r" % bad[:40], "InvalidArgumentError")
    lib.expect(c, srv.request("POST", lib.API + "/urls", body=b"nourl=1",
                              headers={"Content-Type": "application/x-www-form-urlencoded"}),
               400, "no url field", "BadRequestError")
    lib.expect(c, srv.get("urls/" + "z" * 5), 400, "GET a garbage URL id", "InvalidArgumentError")
    lib.expect(c, srv.get("urls/" + "0" * 64), 404, "GET an unknown URL id", "NotFoundError")
    lib.expect(c, srv.get("domains/bad..name"), 400, "GET a bad domain", "InvalidArgumentError")
    lib.expect(c, srv.get("ip_addresses/999.1.1.1"), 400, "GET a bad IP", "InvalidArgumentError")
    lib.expect(c, srv.get("domains/dl.example.test/nope"), 404, "unknown relationship", "NotFoundError")
    c.done()
    web.shutdown()


def test_ssrf_default_refuses_private(ctx, t):
    _Handler.hits = []
    web = _http_server()
    hport = web.server_address[1]
    dport, wports = _servers(ctx)
    srv = ctx.server("ssrf", sets=["dns.servers=127.0.0.1:%d" % dport, "dns.timeout_ms=1000"]).start()
    # ("localhost" by name is covered by tests/unit/test_fetch.c with the system resolver;
    # here names go to the test zone, where dl.example.test is 127.0.0.1.)
    targets = ["http://127.0.0.1:%d/start" % hport, "http://dl.example.test:%d/start" % hport,
               "http://[::1]:%d/start" % hport,
               "http://2130706433:%d/start" % hport, "http://169.254.169.254/latest/meta-data/",
               "http://10.0.0.1/", "http://0.0.0.0:%d/" % hport]
    c = t.check("the default configuration refuses every private address, and says so")
    for u in targets:
        r = _post_url(srv, u)
        j = lib.expect(c, r, 200, "POST " + u)
        if not j:
            continue
        a, seen, last = srv.wait_analysis(j["data"]["id"])
        c(a is not None, "%s: analysis completed" % u)
        if a is None:
            continue
        uid = a["meta"]["url_info"]["id"]
        at = srv.get("urls/" + uid).json["data"]["attributes"]
        notes = " ".join(at.get("analysis_notes", []))
        c("refused" in notes, "%s: the note says refused: %r" % (u, notes))
        c(at.get("last_http_response_code") in (None, 0), "%s: no response recorded" % u)
    c.eq(_Handler.hits, [], "nothing reached the HTTP server")
    c.done()
    web.shutdown()


def test_ip_geo_and_domain_lists(ctx, t):
    d = ctx.mkdtemp("geo")
    r = subprocess.run(["perl", os.path.join(lib.ROOT, "tests/data/net/make-mmdb.pl"), d],
                       capture_output=True, text=True)
    t.require(r.returncode == 0, "make-mmdb.pl writes test databases", r.stderr)
    with open(os.path.join(d, "tranco.csv"), "w") as f:
        f.write("1,example.com\n5,example.test\nnot-a-rank,bad..name\n")
    with open(os.path.join(d, "cats.csv"), "w") as f:
        f.write("example.test,test infrastructure\n")
    srv = ctx.server("geo", sets=[
        "geoip.country_db=" + os.path.join(d, "country.mmdb"),
        "geoip.asn_db=" + os.path.join(d, "asn.mmdb"),
        "domains.popularity=Tranco=" + os.path.join(d, "tranco.csv"),
        "domains.categories=Panoptes=" + os.path.join(d, "cats.csv")]).start()

    c = t.check("an IP address report carries location and AS from the configured databases")
    j = _wait_obj(srv, "ip_addresses/192.0.2.10", lambda a: "asn" in a)
    a = j["data"]["attributes"] if j else {}
    c.eq(a.get("asn"), 64496, "asn")
    c(isinstance(a.get("as_owner"), str) and a["as_owner"], "as_owner %r" % a.get("as_owner"))
    c.eq(a.get("country"), "US", "country")
    c.eq(a.get("continent"), "NA", "continent")
    c(a.get("network", "").startswith("192.0.2.0/"), "network %r" % a.get("network"))
    j = _wait_obj(srv, "ip_addresses/2001:db8:1::5", lambda a: "country" in a)
    c(j and j["data"]["attributes"].get("country") == "JP", "IPv6 country: %r" % (
        j and j["data"]["attributes"].get("country"),))
    c.done()

    c = t.check("a domain report carries popularity ranks and categories from the configured lists")
    j = _wait_obj(srv, "domains/www.example.test", lambda a: "last_analysis_date" in a)
    a = j["data"]["attributes"] if j else {}
    c.eq(a.get("popularity_ranks", {}).get("Tranco", {}).get("rank"), 5,
         "rank of the registrable domain")
    c.eq(a.get("categories"), {"Panoptes": "test infrastructure"}, "categories")
    j = _wait_obj(srv, "domains/unlisted.invalid", lambda a: "last_analysis_date" in a)
    c(j and "popularity_ranks" not in j["data"]["attributes"], "an unlisted domain has no rank")
    c.done()
