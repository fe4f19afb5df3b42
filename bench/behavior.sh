#!/usr/bin/env bash
# behavior.sh - the Behavior step's two numbers (issue 8):
#
#  1. time from submission to behaviour report, through the API: a small
#     ELF (tests/data/sandbox/true.c, and dnshttp.c which resolves a name
#     and sends an HTTP request into the fake network) is uploaded
#     BENCH_RUNS times (each copy made unique by a trailing byte), and
#     GET /files/{sha256}/behaviours is polled every 20 ms until the Linux
#     Tracer report is there.  Target: under 3 s (VM sandboxes take minutes).
#     Baseline in the same run: the same binary started directly (fork+exec
#     outside any sandbox), to show what the isolation and tracing add.
#  2. tracing overhead: build/tests/test_sandbox --bench runs a
#     syscall-heavy program in the same sandbox traced and untraced
#     (target: traced <= 2x untraced).
#
# usage: bench/behavior.sh [BIN]     (default build/panoptes; needs root)
#
# SPDX-License-Identifier: MIT
set -eu

BIN=${1:-build/panoptes}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-5}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pn-bench-beh.XXXXXX")
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "behavior.sh: the sandbox needs root" >&2; exit 1; }
"$BIN" sandbox check >/dev/null || { echo "behavior.sh: sandbox unavailable" >&2; exit 1; }
for s in true dnshttp; do
	cc -O1 -o "$TMP/$s" "$ROOT/tests/data/sandbox/$s.c"
done

PORT=$(/usr/bin/python3 "$ROOT/bench/pnbench.py" port)
"$BIN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --workers 1 \
    --set dns.servers=127.0.0.1:9 --set whois.servers=default=127.0.0.1:9,ip=127.0.0.1:9 \
    >"$TMP/server.log" 2>&1 &
PID=$!
/usr/bin/python3 "$ROOT/bench/pnbench.py" wait-ready "$TMP/server.log" "$PID" 30 >/dev/null

/usr/bin/python3 - "$PORT" "$TMP" "$RUNS" <<'EOF'
import http.client, json, os, statistics, subprocess, sys, time
port, tmp, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
key = open(os.path.join(tmp, "data", "admin.key")).read().strip()

def req(method, path, body=None, ctype=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"x-apikey": key}
    if ctype:
        h["Content-Type"] = ctype
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def upload(name, data):
    b = b"----pnbench"
    body = (b"--" + b + b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
            name.encode() + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data +
            b"\r\n--" + b + b"--\r\n")
    st, _ = req("POST", "/api/v3/files", body, "multipart/form-data; boundary=" + b.decode())
    if st != 200:
        sys.exit("upload failed: %d" % st)

import hashlib
for sample in ("true", "dnshttp"):
    base = open(os.path.join(tmp, sample), "rb").read()
    times = []
    for i in range(runs):
        data = base + bytes([i % 256]) * (i + 1)
        sha = hashlib.sha256(data).hexdigest()
        t0 = time.monotonic()
        upload(sample, data)
        while True:
            st, body = req("GET", "/api/v3/files/%s/behaviours" % sha)
            if st == 200 and b"Linux Tracer" in body:
                break
            if time.monotonic() - t0 > 60:
                sys.exit("no behaviour report after 60 s")
            time.sleep(0.02)
        times.append(time.monotonic() - t0)
    direct = []
    for i in range(runs):
        t0 = time.monotonic()
        subprocess.run([os.path.join(tmp, sample)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
        direct.append(time.monotonic() - t0)
    print("behavior_%s_submit_to_report_median_s=%.3f" % (sample, statistics.median(times)))
    print("behavior_%s_submit_to_report_max_s=%.3f" % (sample, max(times)))
    print("behavior_%s_direct_run_median_s=%.4f" % (sample, statistics.median(direct)))
    print("behavior_%s_target_3s=%s" % (sample, "met" if max(times) < 3 else "missed"))
EOF

TS="$(dirname "$BIN")/tests/test_sandbox"
if [ -x "$TS" ]; then
	echo "# tracing overhead ($TS --bench):"
	"$TS" --bench 2>&1 | grep -iE "traced|untraced|ratio|x\b" | sed 's/^/# /' || true
else
	echo "# $TS not built: make $(dirname "$BIN")/tests/test_sandbox for the overhead figures"
fi
