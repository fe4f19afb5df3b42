-- report.lua - wrk script for bench/lookup.sh: after the run, print the
-- results as "key=value" lines (prefixed by wrk_) so the shell scripts do
-- not have to parse wrk's human-readable output.  Requests are left as
-- wrk builds them from the command line (-H headers included); no
-- per-response hook, which would slow wrk down.
--
-- Latencies are in microseconds in wrk; printed here in milliseconds.
-- errors_status counts non-2xx/3xx answers: a run with any is not a
-- valid measurement (a 401 is cheaper than a report), lookup.sh fails it.
--
-- SPDX-License-Identifier: MIT

done = function(summary, latency, requests)
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("wrk_requests=%d\n", summary.requests))
	io.write(string.format("wrk_seconds=%.3f\n", secs))
	io.write(string.format("wrk_rps=%.1f\n", summary.requests / secs))
	io.write(string.format("wrk_bytes=%d\n", summary.bytes))
	io.write(string.format("wrk_p50_ms=%.3f\n", latency:percentile(50) / 1000))
	io.write(string.format("wrk_p90_ms=%.3f\n", latency:percentile(90) / 1000))
	io.write(string.format("wrk_p99_ms=%.3f\n", latency:percentile(99) / 1000))
	io.write(string.format("wrk_max_ms=%.3f\n", latency.max / 1000))
	io.write(string.format("wrk_errors_connect=%d\n", e.connect))
	io.write(string.format("wrk_errors_read=%d\n", e.read))
	io.write(string.format("wrk_errors_write=%d\n", e.write))
	io.write(string.format("wrk_errors_timeout=%d\n", e.timeout))
	io.write(string.format("wrk_errors_status=%d\n", e.status))
end
