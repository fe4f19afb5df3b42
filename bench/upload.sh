#!/usr/bin/env bash
# upload.sh - report upload -> completed throughput of panoptes, with
# clamscan over the same files as the baseline (ClamAV does the scanning;
# the yara CLI with the project's rules too, when both are there).
#
# usage: bench/upload.sh BIN [RESULTS]
#
# Writes BENCH_FILES distinct random files of BENCH_MIN_KB..BENCH_MAX_KB
# (seeded by BENCH_SEED), starts `BIN serve --workers BENCH_WORKERS` on a
# temporary data dir (loopback, free port), and has pnbench.py upload them
# with BENCH_CLIENTS threads (one keep-alive connection each, multipart)
# while one more thread polls the analyses until all are "completed".
# Files/s and MB/s are reported for acknowledged uploads (start -> last
# 200) and for completed analyses (start -> last seen completed, polled
# every 10 ms).  Then `clamscan --no-summary -d SIGS -r DIR` over the same
# files, once on an empty dir to separate its start-up (signature load),
# and `yara -r` with every rules/*/*.yar.  Results go to RESULTS as
# key=value lines (upload_*, clam_*, yara_*).
#
# Environment: BENCH_FILES (200), BENCH_CLIENTS (8), BENCH_WORKERS (2),
# BENCH_MIN_KB (4), BENCH_MAX_KB (64), BENCH_SEED (1), BENCH_TIMEOUT (60 s
# for all analyses), BENCH_SIGS (engines/sigs), BENCH_RULES (rules: YARA
# baseline, skipped without it or the yara CLI), BENCH_SET="section.key=value
# ..." extra --set options for the server, BENCH_KEEP=1 keeps the
# temp dir (default under TMPDIR or /tmp: mind its filesystem, uploads are
# fsynced).  Exit: 0 measured, 1 a step failed.
#
# SPDX-License-Identifier: MIT
set -eu

BIN=${1:?usage: upload.sh BIN [RESULTS]}
RESULTS=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PNB="$PY $HERE/pnbench.py"
FILES=${BENCH_FILES:-200}
CLIENTS=${BENCH_CLIENTS:-8}
WORKERS=${BENCH_WORKERS:-2}
MIN_KB=${BENCH_MIN_KB:-4}
MAX_KB=${BENCH_MAX_KB:-64}
TIMEOUT=${BENCH_TIMEOUT:-60}
SIGS=${BENCH_SIGS:-$HERE/../engines/sigs}
RULES=${BENCH_RULES:-$HERE/../rules}

case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || { echo "upload: $BIN is not executable" >&2; exit 1; }
[ -d "$SIGS" ] || { echo "upload: no signature dir $SIGS" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pn-bench-upload.XXXXXX")
SRV_PID=
if [ -z "$RESULTS" ]; then RESULTS=$TMP/results; SHOW_RESULTS=1; fi
cleanup() {
	[ -n "$SRV_PID" ] && kill -TERM "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "upload: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

result() { echo "$1=$2" >>"$RESULTS"; }
num() { sed -n "s/^$1=//p" "$2"; }
now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{printf "%.3f", $2 - $1}'; }

start_panoptes() {
	local try kv sets=()
	for kv in ${BENCH_SET:-}; do sets+=(--set "$kv"); done
	for try in 1 2 3; do
		PORT=$($PNB port)
		"$BIN" serve --listen 127.0.0.1:$PORT --data "$TMP/data" --workers $WORKERS \
		    "${sets[@]}" 2>>"$TMP/serve.log" &
		SRV_PID=$!
		if $PNB wait-ready "$TMP/serve.log" $SRV_PID 20; then
			return 0
		fi
		wait $SRV_PID 2>/dev/null || true
		SRV_PID=
	done
	cat "$TMP/serve.log" >&2
	return 1
}

# Workers log "worker ready" once their engines are loaded; do not time that.
wait_workers() {
	local i
	for i in $(seq 600); do
		[ "$(grep -c 'worker ready' "$TMP/serve.log")" -ge "$WORKERS" ] && return 0
		sleep 0.1
	done
	echo "upload: workers not ready" >&2
	cat "$TMP/serve.log" >&2
	return 1
}

$PNB gen "$TMP/files" "$FILES" "$MIN_KB" "$MAX_KB" >"$TMP/gen.txt"
echo "upload: $FILES files, $(num gen_bytes "$TMP/gen.txt") bytes ($MIN_KB-$MAX_KB KB)"

echo "upload: starting panoptes ($WORKERS workers)"
start_panoptes
wait_workers
KEY=$(cat "$TMP/data/admin.key")
result upload_engines "$(sed -n 's/.*worker ready with \([0-9]*\) engine.*/\1/p' "$TMP/serve.log" | head -1)"
c0=$($PNB cpu $SRV_PID)
$PNB run-cpu "$TMP/clientcpu" -- $PY "$HERE/pnbench.py" upload "http://127.0.0.1:$PORT/api/v3/" \
    "$KEY" "$TMP/files" "$CLIENTS" "$WORKERS" "$TIMEOUT" >"$TMP/upload.txt"
c1=$($PNB cpu $SRV_PID)
cat "$TMP/upload.txt" >>"$RESULTS"
result upload_workers "$WORKERS"
# CPU seconds from the start of the uploads to the last completion (plus
# the client's exit): server and workers, the Python client, irq+softirq,
# other processes (noise), idle.
echo "$c0 $c1 $(cat "$TMP/clientcpu")" | awk '{
	srv = $5 - $1; busy = $6 - $2; idle = $7 - $3; irq = $8 - $4; cl = $9
	other = busy - irq - srv - cl; if (other < 0) other = 0
	printf "upload_server_cpu_s=%.2f\nupload_client_cpu_s=%.2f\n", srv, cl
	printf "upload_irq_cpu_s=%.2f\nupload_other_cpu_s=%.2f\nupload_idle_cpu_s=%.2f\n", irq, other, idle }' \
    >>"$RESULTS"
printf 'upload: acked %s files/s %s MB/s, completed %s files/s %s MB/s (%d clients)\n' \
    "$(num upload_ack_files_s "$TMP/upload.txt")" "$(num upload_ack_mb_s "$TMP/upload.txt")" \
    "$(num upload_done_files_s "$TMP/upload.txt")" "$(num upload_done_mb_s "$TMP/upload.txt")" \
    "$CLIENTS"
# Mean time a worker spends on one job, from its "done in N ms" log lines.
job_ms=$(sed -n 's/.* done in \([0-9][0-9]*\) ms.*/\1/p' "$TMP/serve.log" |
    awk '{s += $1; n++} END {if (n) printf "%.1f", s / n}')
[ -n "$job_ms" ] && result upload_job_ms_mean "$job_ms"
kill -TERM $SRV_PID && wait $SRV_PID 2>/dev/null || true
SRV_PID=

if command -v clamscan >/dev/null; then
	mkdir "$TMP/empty"
	t0=$(now)
	clamscan --no-summary -d "$SIGS" -r "$TMP/empty" >/dev/null
	t1=$(now)
	rc=0
	clamscan --no-summary -d "$SIGS" -r "$TMP/files" >"$TMP/clamscan.txt" || rc=$?
	t2=$(now)
	if [ $rc != 0 ]; then
		echo "upload: clamscan exited $rc" >&2
		head "$TMP/clamscan.txt" >&2
		exit 1
	fi
	startup=$(elapsed "$t0" "$t1")
	total=$(elapsed "$t1" "$t2")
	mb=$(num gen_bytes "$TMP/gen.txt")
	result clam_startup_s "$startup"
	result clam_total_s "$total"
	result clam_files_s "$(echo "$FILES $total" | awk '{printf "%.1f", $1 / $2}')"
	result clam_mb_s "$(echo "$mb $total" | awk '{printf "%.2f", $1 / 1e6 / $2}')"
	result clam_scan_files_s "$(echo "$FILES $total $startup" | awk '{printf "%.1f", $1 / ($2 - $3)}')"
	echo "upload: clamscan $(num clam_files_s "$RESULTS") files/s" \
	    "($(num clam_scan_files_s "$RESULTS") without its ${startup}s start-up)"
else
	echo "upload: clamscan not found; no baseline (apt-get install clamav)" >&2
	exit 1
fi
# YARA runs in the workers too (one engine per rules/ subdirectory): for
# context, the yara CLI with the same rules, one namespace per directory.
# Optional - the rules belong to others and may be mid-edit - so a failure
# here is reported but does not fail the benchmark.
if [ -d "$RULES" ] && command -v yara >/dev/null; then
	args=()
	for f in "$RULES"/*/*.yar; do
		[ -f "$f" ] && args+=("$(basename "$(dirname "$f")"):$f")
	done
	if [ ${#args[@]} -gt 0 ]; then
		t0=$(now)
		if yara -w -p 1 -r "${args[@]}" "$TMP/files" >"$TMP/yara.txt" 2>"$TMP/yara.err"; then
			t1=$(now)
			total=$(elapsed "$t0" "$t1")
			result yara_rule_files "${#args[@]}"
			result yara_total_s "$total"
			result yara_files_s "$(echo "$FILES $total" | awk '{printf "%.1f", $1 / $2}')"
			both=$(echo "$(num clam_total_s "$RESULTS") $total" | awk '{print $1 + $2}')
			result clam_yara_files_s "$(echo "$FILES $both" | awk '{printf "%.1f", $1 / $2}')"
			result clam_yara_mb_s "$(echo "$mb $both" | awk '{printf "%.2f", $1 / 1e6 / $2}')"
			echo "upload: yara ($(num yara_rule_files "$RESULTS") rule files)" \
			    "$(num yara_files_s "$RESULTS") files/s"
		else
			echo "upload: note: yara baseline failed: $(head -c 300 "$TMP/yara.err")" >&2
		fi
	fi
fi
[ "${SHOW_RESULTS:-0}" = 1 ] && cat "$RESULTS"
exit 0
