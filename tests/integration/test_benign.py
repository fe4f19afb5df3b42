"""
test_benign.py - the benign corpus (cases 3xxx "engines"): every engine
Panoptes ships, run over a few thousand files of this Debian system - ELF
programs and libraries, Wine's PE DLLs, Python and shell scripts, PDFs -
must give zero "malicious" verdicts.  "suspicious" is allowed where a file
really is unusual; each one is listed with its engine and reason.

The corpus is a deterministic sample (sorted paths, every k-th) so runs
are comparable.  PN_BENIGN_FILES sets its size (default 2000; 300 under
the sanitizers, where everything is several times slower).

SPDX-License-Identifier: MIT
"""

import json
import os

import lib

# (group, roots, predicate on the file name); trees are walked without following links.
GROUPS = [
    ("ELF programs", ["/usr/bin", "/usr/sbin"], lambda n: True, 1),
    ("ELF libraries", ["/usr/lib/x86_64-linux-gnu"], lambda n: ".so" in n, 1),
    ("Wine PE DLLs", ["/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
                      "/usr/lib/i386-linux-gnu/wine/i386-windows"],
     lambda n: n.endswith((".dll", ".exe", ".sys", ".drv", ".ocx")), 1),
    ("Python scripts", ["/usr/lib/python3/dist-packages", "/usr/lib/python3.11"],
     lambda n: n.endswith(".py"), 6),
    ("shell scripts", ["/usr/share", "/etc", "/usr/lib"], lambda n: n.endswith(".sh"), 8),
    ("PDFs", ["/usr/share/doc", "/usr/share"], lambda n: n.endswith(".pdf"), 8),
]

MAX_SIZE = 20 << 20
MAX_WALK = 200000       # directory entries looked at per group
# Not benign by design: Debian's ClamAV test files are detection stand-ins.
EXCLUDE = ("/usr/share/clamav-testfiles/",)


def _walk(roots, pred, maxdepth):
    out, seen = [], 0
    for root in roots:
        base = root.rstrip("/").count("/")
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            if dirpath.count("/") - base >= maxdepth:
                dirnames[:] = []
            if dirpath.startswith(EXCLUDE) or (dirpath + "/").startswith(EXCLUDE):
                dirnames[:] = []
                continue
            for n in filenames:
                seen += 1
                if pred(n):
                    out.append(os.path.join(dirpath, n))
            if seen > MAX_WALK:
                return out
    return out


def _regular(paths):
    out = []
    for p in paths:
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if os.path.isfile(p) and not os.path.islink(p) and 0 < st.st_size <= MAX_SIZE \
                and os.access(p, os.R_OK):
            out.append(p)
    return sorted(set(out))


def corpus(total):
    """A deterministic sample of about `total` files, spread over the groups."""
    per = max(1, total // len(GROUPS))
    picked = {}
    for name, roots, pred, depth in GROUPS:
        files = _regular(_walk(roots, pred, depth))
        step = max(1, len(files) // per)
        picked[name] = files[::step][:per]
    return picked


def test_benign_corpus(ctx, t):
    total = int(os.environ.get("PN_BENIGN_FILES", "300" if ctx.sanitized else "2000"))
    groups = corpus(total)
    d = ctx.mkdtemp("benign-list")
    listfile = os.path.join(d, "files")
    allfiles = [p for g in groups.values() for p in g]
    for name, files in groups.items():
        t.diag("%-15s %d file(s)" % (name, len(files)))
    t.require(len(allfiles) >= min(total // 2, 500),
              "benign corpus has enough files (%d)" % len(allfiles))
    # One directory of symlinks would not be followed; pass the paths directly in batches.
    reports = []
    batch = 400
    for i in range(0, len(allfiles), batch):
        r = ctx.cli("scan", "-q", "-o", "jsonl", "-j", "2", *allfiles[i:i + batch],
                    timeout=60 * 30)
        for line in r.stdout.splitlines():
            if line.strip():
                reports.append(json.loads(line))
    t.eq(len(reports), len(allfiles), "every corpus file has a report")
    malicious, suspicious, failures, engines = [], [], [], set()
    for rep in reports:
        for eng, res in rep.get("last_analysis_results", {}).items():
            engines.add(eng)
            cat = res.get("category")
            if cat == "malicious":
                malicious.append((rep["path"], eng, res.get("result")))
            elif cat == "suspicious":
                suspicious.append((rep["path"], eng, res.get("result")))
            elif cat in ("failure", "timeout"):
                failures.append((rep["path"], eng, cat))
    t.diag("engines: %s" % ", ".join(sorted(engines)))
    t.ok(not malicious, "zero malicious verdicts on %d benign files" % len(reports),
         *["%s: %s says %s" % m for m in malicious[:50]])
    t.diag("%d suspicious verdict(s) (allowed where the file is unusual):" % len(suspicious))
    for s in suspicious[:40]:
        t.diag("  %s: %s: %s" % s)
    t.ok(len(failures) <= len(reports) // 100,
         "engine failures/timeouts on at most 1%% of the corpus (%d)" % len(failures),
         *["%s: %s %s" % f for f in failures[:20]])
