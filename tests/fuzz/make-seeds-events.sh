#!/bin/bash
# make-seeds-events.sh - write the seed corpus of fuzz_events into
# tests/fuzz/corpus/events/: the head of each behaviour fixture of
# tests/data/behavior/ (events, a NUL, then its run.json), and a few
# hand-made broken inputs.  Layout: tests/fuzz/fuzz_events.c.
#
#   tests/fuzz/make-seeds-events.sh
#
# Only the files named below are (re)written; regress-* inputs stay.
#
# SPDX-License-Identifier: MIT
set -euo pipefail

cd "$(dirname "$0")"
dir=corpus/events
data=../data/behavior
mkdir -p "$dir"

# fixture NAME LINES: the first LINES events of NAME, NUL, NAME.run.json
fixture() {
	{
		head -n "$2" "$data/$1.jsonl"
		printf '\0'
		cat "$data/$1.run.json"
	} > "$dir/$1"
}

fixture benign-ls 10
fixture persistence 14
fixture downloader 14
fixture miner 12
fixture injector 14

# seed FILE STRING: printf %b escapes
seed() {
	printf '%b' "$2" > "$dir/$1"
}

seed sequence '{"t":1,"pid":2,"ev":"open","path":"/tmp/a","flags":"O_WRONLY|O_CREAT"}\n{"t":2,"pid":2,"ev":"chmod","path":"/tmp/a","mode":493}\n{"t":3,"pid":3,"ppid":2,"ev":"proc_fork","child":4}\n{"t":3,"pid":4,"ppid":2,"ev":"exec","path":"/tmp/a","argv":["a"]}\n{"t":4,"pid":4,"ev":"unlink","path":"/tmp/a"}\n'
seed broken '{"t":1,"pid":"x","ev":"open"}\n[1,2]\nnot json\n{"ev":7}\n{"t":-1,"pid":1,"ev":"exec","argv":"sh"}\n{"t":1e300,"pid":9223372036854775807,"ev":"proc_fork","child":-1}\n{"pid":1,"ev":"open","path":"\xff\xfe\\u0000x","flags":{}}\n'
seed fakenet '{"t":0.5,"ev":"dns","q":"Example.COM","type":"A","answers":["198.51.100.1",7]}\n{"t":0.6,"ev":"http","method":"GET","url":"http://example.com:81/x","headers":{"Host":"example.com","X":[1]},"status":200}\n{"t":0.7,"ev":"tls","sni":"example.net"}\n{"t":0.8,"ev":"raw","ip":"203.0.113.1","port":4444,"first_bytes_b64":"AAEC"}\n\0{"exit_code":0,"duration_ms":120,"dropped":[{"path":"/tmp/x","sha256":"zz"},{"path":"/tmp/y","sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":1}]}'
seed cycle '{"t":1,"pid":5,"ppid":6,"ev":"proc_fork","child":6}\n{"t":1,"pid":6,"ppid":5,"ev":"proc_fork","child":5}\n{"t":1,"pid":7,"ppid":7,"ev":"kill","target":5,"sig":9}\n{"t":2,"pid":5,"ev":"exit","signal":9}\n'

echo "make-seeds-events: $(find "$dir" -type f | wc -l) files in tests/fuzz/$dir"
