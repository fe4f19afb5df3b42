#!/bin/sh
# run.sh BUILD - the web UI's browser tests: start a real `panoptes serve`
# (BUILD/panoptes) on a free loopback port with a fresh data directory,
# drive Debian's /usr/bin/chromium with playwright-core (never a downloaded
# browser) through tests/browser/ui.test.mjs, stop the server.
#
# Output is TAP ("ok N - ...", "not ok N - ...", skipped tests as
# "# SKIP ..." comments) and a closing "N passed, N failed, N skipped".
# Screenshots go to BUILD/browser-artifacts/, the server log to
# BUILD/browser-artifacts/server.log.  Builds nothing itself; runs
# `npm ci` here when node_modules is missing (from the committed lockfile).
#
# Exit status: 0 all passed, 1 a test failed, 2 set-up failed,
# 77 chromium or node is not installed (skipped).
#
# SPDX-License-Identifier: MIT
set -u
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CHROMIUM=${PN_CHROMIUM:-/usr/bin/chromium}
ART="$BUILD/browser-artifacts"

if ! command -v node >/dev/null 2>&1 || [ ! -x "$CHROMIUM" ]; then
	echo "# SKIP browser tests: node or $CHROMIUM is not installed"
	exit 77
fi
if [ ! -x "$BUILD/panoptes" ]; then
	echo "not ok 1 - $BUILD/panoptes is not built"
	exit 2
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
	(cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund >&2) || {
		echo "not ok 1 - npm ci in tests/browser failed"
		exit 2
	}
fi

rm -rf "$ART"
mkdir -p "$ART"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/panoptes-browser-XXXXXX")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# Name lookups and WHOIS go to closed loopback ports: no test leaves the machine.
"$BUILD/panoptes" serve --listen "127.0.0.1:$PORT" --data "$DATA" --workers 2 \
    --set dns.servers=127.0.0.1:9 --set dns.timeout_ms=200 --set dns.tries=1 \
    --set whois.servers=default=127.0.0.1:9,ip=127.0.0.1:9 >"$ART/server.log" 2>&1 &
SRV=$!
cleanup() {
	kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

i=0
while ! grep -q "ready:" "$ART/server.log" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$SRV" 2>/dev/null; then
		echo "not ok 1 - the server did not start (log: $ART/server.log)"
		tail -5 "$ART/server.log" | sed 's/^/# /'
		exit 2
	fi
	sleep 0.1
done

PN_BASE="http://127.0.0.1:$PORT" PN_KEY=$(cat "$DATA/admin.key") PN_ARTIFACTS="$ART" \
PN_CHROMIUM="$CHROMIUM" PN_DATA="$DATA" PN_BIN="$BUILD/panoptes" \
	node "$HERE/ui.test.mjs"
rc=$?
kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$ART/server.log"; then
	echo "not ok - sanitizer report in the server log ($ART/server.log)"
	rc=1
fi
exit $rc
