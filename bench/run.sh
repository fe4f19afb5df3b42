#!/usr/bin/env bash
# run.sh - entry point of `make bench`: runs bench/lookup.sh and
# bench/upload.sh against BIN and prints a summary table with each
# result next to the baseline measured in the same run (nginx for
# lookups, clamscan for scanning).
#
# usage: bench/run.sh [BIN]          (default build/panoptes)
#
# Exit status: 1 when a step fails (a server does not start, a request
# fails, bodies differ, a run has errors); a missed target only shows as
# "missed" in the table.  Takes about 40 s with the defaults.
#
# Environment: BENCH_RESULTS=FILE keeps the key=value results; the other
# BENCH_* variables are described in lookup.sh and upload.sh
# (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_FILES, BENCH_CLIENTS,
# BENCH_WORKERS, ...).  See bench/README.md.
#
# SPDX-License-Identifier: MIT
set -u

BIN=${1:-build/panoptes}
HERE=$(cd "$(dirname "$0")" && pwd)
RES=${BENCH_RESULTS:-}
if [ -z "$RES" ]; then
	RES=$(mktemp "${TMPDIR:-/tmp}/pn-bench-results.XXXXXX")
	trap 'rm -f "$RES"' EXIT
else
	: >"$RES"
fi

[ -x /usr/bin/python3 ] || { echo "bench: /usr/bin/python3 is needed" >&2; exit 1; }
load() { cut -d' ' -f1 /proc/loadavg; }
{
	echo "bench_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "bench_nproc=$(nproc)"
	echo "bench_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "bench_kernel=$(uname -r)"
	echo "bench_load_start=$(load)"
	# The tree changes under the benchmark: say which binary was measured.
	echo "bench_binary=$(sha256sum "$BIN" | cut -c1-12) built $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ)"
} >>"$RES"

fail=0
t0=$(date +%s)
echo "== lookup (panoptes vs nginx)"
"$HERE/lookup.sh" "$BIN" "$RES" || { echo "bench: lookup failed" >&2; fail=1; }
echo "== upload -> completed (panoptes vs clamscan)"
"$HERE/upload.sh" "$BIN" "$RES" || { echo "bench: upload failed" >&2; fail=1; }
echo "bench_load_end=$(load)" >>"$RES"
echo "bench_seconds=$(($(date +%s) - t0))" >>"$RES"

# ---------------------------------------------------------------- summary

v() { sed -n "s/^$1=//p" "$RES" | tail -1; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && echo "$1 $2" | awk '{printf "%.3f", $1 / $2}'; }
row() { printf '%-34s %12s %12s %-9s %7s %s\n' "$@"; }

echo
echo "Panoptes benchmarks - $(v bench_date), $(v bench_nproc) x $(v bench_cpu)," \
    "load $(v bench_load_start) -> $(v bench_load_end), $(v bench_seconds) s"
echo "binary $BIN $(v bench_binary), $(v upload_engines) engine(s), report $(v lookup_body_bytes) bytes"
row "measure" "panoptes" "baseline" "" "ratio" "target"
lr=$(v lookup_ratio)
verdict=
if [ -n "$lr" ]; then
	verdict=$(echo "$lr" | awk '{print ($1 >= 0.5) ? ">= 0.5 met" : ">= 0.5 MISSED"}')
fi
row "lookup GET /files/{id} req/s" "$(v lookup_pn_rps)" "$(v lookup_ng_rps)" nginx "$lr" "$verdict"
row "lookup latency p50 ms" "$(v lookup_pn_p50_ms)" "$(v lookup_ng_p50_ms)" nginx \
    "$(ratio "$(v lookup_pn_p50_ms)" "$(v lookup_ng_p50_ms)")" ""
row "lookup latency p99 ms" "$(v lookup_pn_p99_ms)" "$(v lookup_ng_p99_ms)" nginx \
    "$(ratio "$(v lookup_pn_p99_ms)" "$(v lookup_ng_p99_ms)")" ""
for k in server:server wrk:wrk irq:irq+softirq other:"other processes" idle:idle; do
	row "lookup CPU s: ${k#*:}" "$(v lookup_pn_${k%%:*}_cpu_s)" "$(v lookup_ng_${k%%:*}_cpu_s)" \
	    nginx "" ""
done
row "upload acked files/s" "$(v upload_ack_files_s)" "" "" "" \
    "($(v upload_files) files, $(v upload_clients) clients)"
row "upload acked MB/s" "$(v upload_ack_mb_s)" "" "" "" ""
row "upload completed files/s" "$(v upload_done_files_s)" "$(v clam_files_s)" clamscan \
    "$(ratio "$(v upload_done_files_s)" "$(v clam_files_s)")" "($(v upload_workers) workers)"
row "upload completed MB/s" "$(v upload_done_mb_s)" "$(v clam_mb_s)" clamscan \
    "$(ratio "$(v upload_done_mb_s)" "$(v clam_mb_s)")" ""
if [ -n "$(v yara_files_s)" ]; then
	row "upload completed files/s" "$(v upload_done_files_s)" "$(v yara_files_s)" yara \
	    "$(ratio "$(v upload_done_files_s)" "$(v yara_files_s)")" "($(v yara_rule_files) rule files)"
	row "upload completed files/s" "$(v upload_done_files_s)" "$(v clam_yara_files_s)" clam+yara \
	    "$(ratio "$(v upload_done_files_s)" "$(v clam_yara_files_s)")" "(one after the other)"
fi
row "upload ack->completed p50 ms" "$(v upload_lat_p50_ms)" "" "" "" "p99 $(v upload_lat_p99_ms)"
row "worker time per job ms (mean)" "$(v upload_job_ms_mean)" "" "" "" ""
row "upload CPU s: server+workers" "$(v upload_server_cpu_s)" "" "" "" \
    "client $(v upload_client_cpu_s), irq $(v upload_irq_cpu_s), other $(v upload_other_cpu_s), idle $(v upload_idle_cpu_s)"
awk -v a="$(v upload_other_cpu_s)" -v t="$(v upload_done_s)" -v n="$(nproc)" 'BEGIN { if (a > 0.1 * t * n)
    printf "bench: note: %.1f s of CPU went to other processes during the uploads; rerun on an idle machine\n", a }'
# Other processes took CPU during the lookup runs: the numbers are noisy.
awk -v a="$(v lookup_pn_other_cpu_s)" -v b="$(v lookup_ng_other_cpu_s)" \
    -v s="${BENCH_SECONDS:-10}" -v ta="$(v lookup_pn_other_top)" -v tb="$(v lookup_ng_other_top)" \
    'BEGIN { if (a + b > 0.1 * s) printf "bench: note: %.1f s of CPU went to other processes during the lookup runs (%s; %s); rerun on an idle machine\n", a + b, ta, tb }'
[ $fail = 0 ] || echo "bench: a step FAILED (see above)" >&2
exit $fail
