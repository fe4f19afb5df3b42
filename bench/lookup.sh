#!/usr/bin/env bash
# lookup.sh - report lookup throughput: GET /api/v3/files/<sha256> on
# panoptes against nginx serving the same bytes as a static file.
#
# usage: bench/lookup.sh BIN [RESULTS]
#
# Starts `BIN serve` on a temporary data dir (loopback, free port), uploads
# the EICAR test file (assembled at run time by pnbench.py), waits for the
# analysis, saves the report body, and has a private nginx (no daemon,
# config and prefix in the temp dir) serve that body at the same path.
# Checks that both answer with identical bodies, then runs wrk against
# panoptes and then nginx, one after the other, both with the x-apikey
# header so the requests are the same bytes.  A run with any non-2xx
# answer or socket error fails.  Results go to RESULTS as key=value lines
# (lookup_*), a readable account to stdout.
#
# Environment: BENCH_SECONDS (10) per wrk run, BENCH_WARMUP (1) seconds of
# unmeasured load first, BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
# BENCH_HTTP_THREADS (2: server.threads and nginx worker_processes),
# BENCH_SET="section.key=value ..." extra --set options for the server,
# BENCH_KEEP=1 keeps the temp dir.  Exit: 0 measured, 1 a step failed.
#
# SPDX-License-Identifier: MIT
set -eu

BIN=${1:?usage: lookup.sh BIN [RESULTS]}
RESULTS=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PNB="$PY $HERE/pnbench.py"
SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
HTTP_THREADS=${BENCH_HTTP_THREADS:-2}

for tool in wrk nginx; do
	command -v $tool >/dev/null || { echo "lookup: $tool not found (apt-get install wrk nginx-light)" >&2; exit 1; }
done
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || { echo "lookup: $BIN is not executable" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pn-bench-lookup.XXXXXX")
SRV_PID= NGX_PID=
if [ -z "$RESULTS" ]; then RESULTS=$TMP/results; SHOW_RESULTS=1; fi
cleanup() {
	[ -n "$SRV_PID" ] && kill -TERM "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	[ -n "$NGX_PID" ] && kill -QUIT "$NGX_PID" 2>/dev/null && wait "$NGX_PID" 2>/dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "lookup: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

result() { echo "$1=$2" >>"$RESULTS"; }
num() { sed -n "s/^$1=//p" "$2"; }

# Start panoptes on a free port; a few tries in case another process takes it first.
start_panoptes() {
	local try kv sets=()
	for kv in ${BENCH_SET:-}; do sets+=(--set "$kv"); done
	for try in 1 2 3; do
		PORT=$($PNB port)
		"$BIN" serve --listen 127.0.0.1:$PORT --data "$TMP/data" --workers 1 \
		    --set server.threads=$HTTP_THREADS "${sets[@]}" 2>>"$TMP/serve.log" &
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

start_nginx() {
	local try
	mkdir -p "$TMP/nginx/logs" "$TMP/www/api/v3/files"
	cp "$TMP/report.json" "$TMP/www/api/v3/files/$SHA"
	# Workers drop to nobody when run as root: let them read the docroot.
	chmod 755 "$TMP" "$TMP/www" "$TMP/www/api" "$TMP/www/api/v3" "$TMP/www/api/v3/files"
	chmod 644 "$TMP/www/api/v3/files/$SHA"
	local user=
	[ "$(id -u)" = 0 ] && user="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
	for try in 1 2 3; do
		NPORT=$($PNB port)
		cat >"$TMP/nginx/nginx.conf" <<-EOF
		$user
		worker_processes $HTTP_THREADS;
		error_log $TMP/nginx/logs/error.log warn;
		pid $TMP/nginx/nginx.pid;
		events { worker_connections 1024; }
		http {
		    types { }
		    default_type application/json;
		    access_log off;
		    sendfile on;
		    tcp_nopush on;
		    keepalive_timeout 60;
		    keepalive_requests 100000000;
		    client_body_temp_path $TMP/nginx/body;
		    proxy_temp_path $TMP/nginx/proxy;
		    fastcgi_temp_path $TMP/nginx/fastcgi;
		    uwsgi_temp_path $TMP/nginx/uwsgi;
		    scgi_temp_path $TMP/nginx/scgi;
		    server {
		        listen 127.0.0.1:$NPORT;
		        root $TMP/www;
		        add_header X-Content-Type-Options nosniff;
		        add_header Cache-Control no-store;
		    }
		}
		EOF
		nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -g 'daemon off;' \
		    2>>"$TMP/nginx/logs/stderr.log" &
		NGX_PID=$!
		for _ in $(seq 100); do
			if curl_free_get "http://127.0.0.1:$NPORT/api/v3/files/$SHA"; then
				return 0
			fi
			kill -0 $NGX_PID 2>/dev/null || break
			sleep 0.05
		done
		kill -QUIT $NGX_PID 2>/dev/null; wait $NGX_PID 2>/dev/null || true
		NGX_PID=
	done
	cat "$TMP/nginx/logs/"*.log >&2
	return 1
}

curl_free_get() { $PNB fetch "$1" "" "$TMP/probe" 2>/dev/null; }

# run_wrk NAME URL: one measured wrk run, results lookup_NAME_*.
run_wrk() {
	local name=$1 url=$2 pid=$3 out="$TMP/wrk-$1.txt" c0 c1 e
	if [ "$WARMUP" != 0 ]; then
		wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" -H "x-apikey: $KEY" "$url" >/dev/null
	fi
	c0=$($PNB cpu --snap "$TMP/snap0" $pid)
	$PNB run-cpu "$TMP/wrkcpu-$name" -- wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" \
	    --latency -s "$HERE/report.lua" -H "x-apikey: $KEY" "$url" >"$out"
	c1=$($PNB cpu --snap "$TMP/snap1" $pid)
	sed -n '/^wrk_/!s/^/    /p' "$out"
	for e in connect read write timeout status; do
		if [ "$(num wrk_errors_$e "$out")" != 0 ]; then
			echo "lookup: $name: $(num wrk_errors_$e "$out") $e errors; not a valid run" >&2
			return 1
		fi
	done
	result lookup_${name}_rps "$(num wrk_rps "$out")"
	result lookup_${name}_p50_ms "$(num wrk_p50_ms "$out")"
	result lookup_${name}_p99_ms "$(num wrk_p99_ms "$out")"
	result lookup_${name}_requests "$(num wrk_requests "$out")"
	# CPU seconds during the run: the server (all threads and children),
	# wrk, the machine's irq+softirq (loopback TCP work is largely done
	# there and charged to no process), idle, and the rest: other
	# processes on the machine, i.e. noise.
	echo "$c0 $c1 $(cat "$TMP/wrkcpu-$name")" | awk -v n=lookup_$name '{
		srv = $5 - $1; busy = $6 - $2; idle = $7 - $3; irq = $8 - $4; w = $9
		other = busy - irq - srv - w; if (other < 0) other = 0
		printf "%s_server_cpu_s=%.2f\n%s_wrk_cpu_s=%.2f\n", n, srv, n, w
		printf "%s_irq_cpu_s=%.2f\n%s_other_cpu_s=%.2f\n", n, irq, n, other
		printf "%s_idle_cpu_s=%.2f\n", n, idle }' >>"$RESULTS"
	result lookup_${name}_other_top "$($PNB others "$TMP/snap0" "$TMP/snap1" $pid $$)"
}

echo "lookup: starting panoptes ($HTTP_THREADS HTTP threads)"
start_panoptes
KEY=$(cat "$TMP/data/admin.key")
BASE=http://127.0.0.1:$PORT/api/v3
$PNB eicar "$TMP/sample"
SHA=$($PNB submit "$BASE/" "$KEY" "$TMP/sample" 30)
$PNB fetch "$BASE/files/$SHA" "$KEY" "$TMP/report.json"
echo "lookup: report of $SHA is $(wc -c <"$TMP/report.json") bytes"

echo "lookup: starting nginx ($HTTP_THREADS workers)"
start_nginx
PN_URL=$BASE/files/$SHA
NG_URL=http://127.0.0.1:$NPORT/api/v3/files/$SHA
$PNB same "$PN_URL" "$NG_URL" "$KEY" >"$TMP/same.txt"
echo "lookup: bodies identical ($(num body_bytes "$TMP/same.txt") bytes)"
result lookup_body_bytes "$(num body_bytes "$TMP/same.txt")"

echo "lookup: wrk -t$WRK_THREADS -c$CONNS -d${SECS}s panoptes $PN_URL"
run_wrk pn "$PN_URL" $SRV_PID
echo "lookup: wrk -t$WRK_THREADS -c$CONNS -d${SECS}s nginx $NG_URL"
run_wrk ng "$NG_URL" $NGX_PID
$PNB same "$PN_URL" "$NG_URL" "$KEY" >/dev/null

pn=$(sed -n 's/^lookup_pn_rps=//p' "$RESULTS" | tail -1)
ng=$(sed -n 's/^lookup_ng_rps=//p' "$RESULTS" | tail -1)
ratio=$(echo "$pn $ng" | awk '{printf "%.3f", $1 / $2}')
result lookup_ratio "$ratio"
echo "lookup: panoptes $pn req/s, nginx $ng req/s, ratio $ratio (target >= 0.5)"
[ "${SHOW_RESULTS:-0}" = 1 ] && cat "$RESULTS"
exit 0
