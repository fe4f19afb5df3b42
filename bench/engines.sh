#!/bin/sh
# engines.sh BIN - scanning throughput on one corpus, in one run:
#   clamscan (the project's signatures) and yara -p 1 -r (the project's
#   packs) as baselines, then `panoptes scan` with every engine (with the
#   full static analysis, and with analysis.details=type: the file type
#   only, i.e. the engines' own throughput), with each engine kind alone,
#   and with no engine at all (identification + every parser: the
#   static-analysis throughput).  Prints wall and CPU seconds (user +
#   system of the whole process tree), MB/s, files/s and the ratios to
#   clamscan.  The machine's other load shows in wall times, not in CPU.
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

# measure CMD...: "wall cpu" seconds of a command (output discarded); cpu is
# user + system of its whole process tree (panoptes reaps its scan children).
measure() {
	/usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$WORK/time" | awk '{ printf "%.2f %.2f", $1, $2 + $3 }'
}
rate() { awk -v t="$1" -v b="$bytes" -v f="$files" 'BEGIN { printf "%7.1f MB/s %7.1f files/s", b / 1e6 / t, f / t }'; }
# row LABEL "WALL CPU": one line, with the ratios to clamscan (wall and CPU)
row() {
	set -- "$1" $2
	printf "%-44s %7.2f s  CPU %6.2f s  %s" "$1" "$2" "$3" "$(rate "$2")"
	if [ -n "${c_wall:-}" ]; then
		awk -v cw="$c_wall" -v cc="$c_cpu" -v w="$2" -v c="$3" \
		    'BEGIN { printf "   x clamscan: %.2f (wall) %.2f (CPU)", cw / w, cc / c }'
	fi
	echo
}

m=$(measure clamscan --no-summary -d "$TOP/engines/sigs" -r "$WORK/corpus")
row "clamscan (project signatures)" "$m"
c_wall=${m% *}; c_cpu=${m#* }
rules=$(find "$TOP/rules" -name '*.yar' | sort)
# shellcheck disable=SC2086
row "yara -p 1 -r (all packs, one rule set)" "$(measure yara -p 1 -r $rules "$WORK/corpus")"

OFF="--set clamav.enabled=false --set yara.enabled=false --set hashlist.enabled=false --set heuristics.enabled=false"
TYPE="--set analysis.details=type"
for j in 1 2; do
	m=$(measure "$BIN" scan -q -o jsonl -j $j "$WORK/corpus")
	row "panoptes scan -j$j, every engine + static" "$m"
	eval "all$j=\$m"
done
for j in 1 2; do
	# shellcheck disable=SC2086
	m=$(measure "$BIN" scan -q -o jsonl -j $j $TYPE "$WORK/corpus")
	row "panoptes scan -j$j, every engine, type only" "$m"
	eval "eng$j=\$m"
done
# shellcheck disable=SC2086
row "panoptes scan -j1, no engine (static)" "$(measure "$BIN" scan -q -o jsonl -j 1 $OFF "$WORK/corpus")"
# shellcheck disable=SC2086
row "panoptes scan -j1, ClamAV only, type only" "$(measure "$BIN" scan -q -o jsonl -j 1 $OFF $TYPE --set clamav.enabled=true "$WORK/corpus")"
# shellcheck disable=SC2086
row "panoptes scan -j1, YARA packs only, type only" "$(measure "$BIN" scan -q -o jsonl -j 1 $OFF $TYPE --set yara.enabled=true "$WORK/corpus")"

echo
awk -v c="$c_wall" -v a1="${all1% *}" -v a2="${all2% *}" -v e1="${eng1% *}" -v e2="${eng2% *}" 'BEGIN {
	printf "every engine + static analysis vs clamscan alone: %.2fx (-j1), %.2fx (-j2)\n", c / a1, c / a2
	printf "every engine (type only) vs clamscan alone:       %.2fx (-j1), %.2fx (-j2)  (target >= 1x)\n", c / e1, c / e2 }'
