#!/bin/sh
# engines.sh BIN - scanning throughput on one corpus, in one run:
#   clamscan (the project's signatures) and yara -r (the project's packs)
#   as baselines, then `panoptes scan` with every engine, with each engine
#   kind alone, and with no engine at all (identification + every parser:
#   the static-analysis throughput).  Prints MB/s, files/s and ratios.
#
# The corpus is a deterministic sample of this machine's files copied into
# a temporary directory (ELF programs and libraries, Wine's PE DLLs, Python
# scripts, Debian's ClamAV test files): BENCH_CORPUS_FILES (default 600).
set -eu
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_CORPUS_FILES:-600}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/corpus"

pick() {  # pick DIR PATTERN COUNT: every k-th regular file, sorted
	find "$1" -maxdepth 1 -type f -name "$2" -size +0 -size -20M 2>/dev/null | sort > "$WORK/list"
	total=$(wc -l < "$WORK/list")
	[ "$total" -gt 0 ] || return 0
	step=$(( total / $3 )); [ "$step" -ge 1 ] || step=1
	awk -v s="$step" -v m="$3" 'NR % s == 0 && n < m { print; n++ }' "$WORK/list" |
	while read -r f; do cp "$f" "$WORK/corpus/$(echo "$f" | tr / _)"; done
}
q=$((N / 4))
pick /usr/bin '*' "$q"
pick /usr/lib/x86_64-linux-gnu '*.so*' "$q"
pick /usr/lib/x86_64-linux-gnu/wine/x86_64-windows '*' "$q"
find /usr/lib/python3/dist-packages -name '*.py' -size +1k 2>/dev/null | sort | head -n "$q" |
	while read -r f; do cp "$f" "$WORK/corpus/$(echo "$f" | tr / _)"; done
cp /usr/share/clamav-testfiles/* "$WORK/corpus/" 2>/dev/null || true
files=$(find "$WORK/corpus" -type f | wc -l)
bytes=$(du -sb "$WORK/corpus" | cut -f1)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "corpus: $files files, $mb MB"

secs() {  # secs CMD...: wall seconds of a command (output discarded)
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'
}
rate() { awk -v t="$1" -v b="$bytes" -v f="$files" 'BEGIN { printf "%7.1f MB/s %7.1f files/s", b / 1e6 / t, f / t }'; }
row() { printf "%-36s %7.2f s  %s\n" "$1" "$2" "$(rate "$2")"; }

t_clam=$(secs clamscan --no-summary -d "$TOP/engines/sigs" -r "$WORK/corpus")
row "clamscan (project signatures)" "$t_clam"
rules=$(find "$TOP/rules" -name '*.yar' | sort)
# shellcheck disable=SC2086
t_yara=$(secs yara -r $rules "$WORK/corpus")
row "yara -r (all packs, one rule set)" "$t_yara"

OFF="--set clamav.enabled=false --set yara.enabled=false --set hashlist.enabled=false"
for j in 1 2; do
	t=$(secs "$BIN" scan -q -o jsonl -j $j "$WORK/corpus")
	row "panoptes scan -j$j, every engine" "$t"
	[ $j = 1 ] && t_all1=$t
	[ $j = 2 ] && t_all2=$t
done
# shellcheck disable=SC2086
t_static=$(secs "$BIN" scan -q -o jsonl -j 1 $OFF "$WORK/corpus")
row "panoptes scan -j1, no engine (static)" "$t_static"
# shellcheck disable=SC2086
t_clamonly=$(secs "$BIN" scan -q -o jsonl -j 1 $OFF --set clamav.enabled=true "$WORK/corpus")
row "panoptes scan -j1, ClamAV only" "$t_clamonly"
# shellcheck disable=SC2086
t_yaraonly=$(secs "$BIN" scan -q -o jsonl -j 1 $OFF --set yara.enabled=true "$WORK/corpus")
row "panoptes scan -j1, YARA packs only" "$t_yaraonly"

echo
awk -v c="$t_clam" -v a1="$t_all1" -v a2="$t_all2" 'BEGIN {
	printf "every engine vs clamscan alone: %.2fx (-j1), %.2fx (-j2)  (target >= 1x)\n", c / a1, c / a2 }'
