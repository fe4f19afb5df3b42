#!/bin/sh
# run-tests.sh BUILD - run every test of one build directory and print a
# closing "N passed, N failed" line.
#
#   unit        BUILD/tests/test_*            (TAP: one count per "ok" line)
#   fuzz replay BUILD/fuzz-replay/fuzz_*      (corpus + mutations; one count each)
#   integration tests/integration/run.py     (real server on loopback; TAP)
#   browser     tests/browser/run.sh          (web UI in headless chromium; TAP)
#
# TESTS=unit|fuzz|integration|browser limits the run to one family.
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
PY=/usr/bin/python3
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
# One run per build directory at a time: runs share the logs and ports.
if [ -z "${PN_TESTS_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	PN_TESTS_LOCKED=1 exec flock "$BUILD/.tests.lock" "$0" "$@"
fi

pass=0
fail=0
failed_names=""

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if [ -f tests/lsan.supp ]; then
	export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}"
fi

# count_tap NAME LOG RC: add a TAP log's results to the totals.
count_tap() {
	name=$1 log=$2 rc=$3
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or exited non-zero without a failing line
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_names="$failed_names $name"
		echo "FAIL $name ($p passed, $f failed; log: $log)"
		grep -E '^not ok|^#' "$log" | head -20
		tail -5 "$log"
	else
		echo "ok   $name ($p)"
	fi
}

want() { [ -z "${TESTS:-}" ] || [ "$TESTS" = "$1" ]; }

if want unit; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$LOGDIR/$name.log"
		"$t" >"$log" 2>&1
		count_tap "$name" "$log" $?
	done
fi

if want fuzz; then
	for t in "$BUILD"/fuzz-replay/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$LOGDIR/$name.log"
		if "$t" >"$log" 2>&1; then
			pass=$((pass + 1)); echo "ok   $name"
		else
			fail=$((fail + 1)); failed_names="$failed_names $name"
			echo "FAIL $name (log: $log)"; tail -20 "$log"
		fi
	done
fi

if want integration && [ -f tests/integration/run.py ]; then
	log="$LOGDIR/integration.log"
	$PY tests/integration/run.py --bin "$BUILD/panoptes" --logdir "$LOGDIR" >"$log" 2>&1
	count_tap integration "$log" $?
fi

if want browser && [ -x tests/browser/run.sh ]; then
	log="$LOGDIR/browser.log"
	tests/browser/run.sh "$BUILD" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 77 ]; then
		echo "skip browser ($(head -1 "$log"))"
	else
		count_tap browser "$log" $rc
	fi
fi

echo
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
