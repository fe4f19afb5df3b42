#!/bin/sh
# run-fuzz.sh - build every fuzz target with libFuzzer and run it.
#
#   tests/fuzz/run-fuzz.sh [SECONDS [NAME...]]     (make fuzz FUZZ_SECONDS=N)
#
# For each tests/fuzz/fuzz_NAME.c (or only the NAMEs given):
#  - the library is built with clang, ASan+UBSan and fuzzer-no-link
#    coverage into build-fuzz/ (make BUILD=build-fuzz CC=clang SANITIZE=1);
#    if a source of the tree does not compile (someone's work in
#    progress), the objects that did build are archived instead, with a
#    warning, and a target that needs the broken one fails to link;
#  - fuzz_NAME.c is linked with -fsanitize=fuzzer into
#    build-fuzz/fuzz/fuzz_NAME;
#  - it runs for SECONDS (default 60) on build-fuzz/corpus/NAME (kept
#    between runs, new inputs go there) and tests/fuzz/corpus/NAME (the
#    checked-in seeds, only read), with tests/fuzz/NAME.dict if present,
#    -timeout=10 and FUZZ_ARGS appended;
#  - a crash, leak, timeout or OOM leaves its input in
#    tests/fuzz/crashes/NAME/ (libFuzzer's crash-<sha1>, ...), ready to be
#    added to the corpus as a regression seed once fixed.
# Exit 0 if every target ran clean, 1 otherwise.  Logs: build-fuzz/log/.
# Needs clang and libclang-rt-14-dev; installs them with apt-get when run
# as root and they are missing.  See docs/internals/fuzzing.md.
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
case $SECONDS_EACH in
''|*[!0-9]*) echo "usage: $0 [SECONDS [NAME...]]" >&2; exit 2 ;;
esac

B=build-fuzz
CLANG=${CLANG:-clang}
OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link"
MAKEVARS="BUILD=$B CC=$CLANG SANITIZE=1"

say() { echo "run-fuzz: $*"; }

# ------------------------------------------------------------ toolchain
have_libfuzzer() {
	command -v "$CLANG" >/dev/null 2>&1 || return 1
	t=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return 0; }\n' \
		> "$t/t.c"
	"$CLANG" -fsanitize=fuzzer,address,undefined -o "$t/t" "$t/t.c" >/dev/null 2>&1
	r=$?
	rm -rf "$t"
	return $r
}

if ! have_libfuzzer; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing clang libclang-rt-14-dev"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
	fi
	have_libfuzzer || { say "clang with libFuzzer not available (apt-get install clang libclang-rt-14-dev)"; exit 1; }
fi

# ------------------------------------------------------- flags from make
# config.mk is the one place flags live: ask make for them.
makevar() {
	# shellcheck disable=SC2086
	make --no-print-directory -s $MAKEVARS OPT="$OPT" -f Makefile -f - pn-print-var <<EOF
pn-print-var: ; @printf '%s\n' '\$($1)'
EOF
}
CFLAGS=$(makevar CFLAGS)
LDFLAGS=$(makevar LDFLAGS)
LDLIBS=$(makevar LDLIBS)
LIB_SRC=$(makevar LIB_SRC)

# -------------------------------------------------------------- library
mkdir -p $B/log $B/fuzz
LIB=$B/libpanoptes.a
say "building $LIB (clang, ASan+UBSan, fuzzer-no-link)"
# shellcheck disable=SC2086
if ! make --no-print-directory -k -j2 $MAKEVARS OPT="$OPT" $LIB > $B/log/lib.log 2>&1; then
	say "warning: the library did not build whole; see $B/log/lib.log:"
	grep -E 'error' $B/log/lib.log | head -5 | sed 's/^/    /'
	LIB=$B/libpanoptes-partial.a
	objs=""
	for s in $LIB_SRC; do
		o=$B/obj/${s%.c}.o
		if [ -f "$o" ] && [ -n "$(find "$o" -newer "$s")" ]; then
			objs="$objs $o"
		else
			say "  left out: $s"
		fi
	done
	rm -f $LIB
	# shellcheck disable=SC2086
	ar rcs $LIB $objs
fi

# -------------------------------------------------------------- targets
if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in tests/fuzz/fuzz_*.c; do [ -f "$f" ] && basename "$f" .c | sed 's/^fuzz_//'; done)
fi
[ -n "$names" ] || { say "no tests/fuzz/fuzz_*.c"; exit 1; }

pass=0
fail=0
for n in $names; do
	src=tests/fuzz/fuzz_$n.c
	bin=$B/fuzz/fuzz_$n
	log=$B/log/fuzz_$n.log
	crashes=tests/fuzz/crashes/$n
	if [ ! -f "$src" ]; then
		say "$n: no $src"
		fail=$((fail + 1))
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$CLANG" $CFLAGS -fsanitize=fuzzer -o "$bin" "$src" $LIB $LDFLAGS $LDLIBS > "$log" 2>&1; then
		say "$n: build failed:"
		sed 's/^/    /' "$log" | tail -20
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$B/corpus/$n" "$crashes"
	seeds=""
	[ -d "tests/fuzz/corpus/$n" ] && seeds="tests/fuzz/corpus/$n"
	dict=""
	[ -f "tests/fuzz/$n.dict" ] && dict="-dict=tests/fuzz/$n.dict"
	say "$n: fuzzing for ${SECONDS_EACH}s"
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$crashes/" $dict ${FUZZ_ARGS:-} \
	    "$B/corpus/$n" $seeds > "$log" 2>&1 && [ -z "$(ls -A "$crashes")" ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		say "$n: ok, ${runs:-?} runs, $cov, corpus $(find "$B/corpus/$n" -type f | wc -l) files"
		pass=$((pass + 1))
	else
		say "$n: FAILED; from $log:"
		# the sanitizer or libFuzzer report, else the end of the log
		re='BUG at|^==[0-9]+==ERROR|runtime error:|^==[0-9]+== ERROR: libFuzzer'
		if grep -qE "$re" "$log"; then
			grep -m1 -A24 -E "$re" "$log"
		else
			tail -30 "$log"
		fi | sed 's/^/    /'
		say "$n: inputs saved in $crashes/:"
		find "$crashes" -type f | sed 's/^/    /'
		fail=$((fail + 1))
	fi
	rmdir "$crashes" 2>/dev/null || true
	rmdir tests/fuzz/crashes 2>/dev/null || true
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
