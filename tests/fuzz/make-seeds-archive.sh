#!/bin/sh
# make-seeds-archive.sh - small archives of every kind libarchive reads, as
# seeds for fuzz_archive (tests/fuzz/corpus/archive/).
set -eu
out=$(cd "$(dirname "$0")" && pwd)/corpus/archive
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
cd "$tmp"
printf 'seed member\n' > a.txt
printf 'second\n' > b.txt
zip -q "$out/plain.zip" a.txt b.txt
zip -q -P infected "$out/enc.zip" a.txt
tar cf "$out/plain.tar" a.txt
tar czf "$out/plain.tgz" a.txt b.txt
gzip -c a.txt > "$out/a.gz"
bzip2 -c a.txt > "$out/a.bz2"
xz -c a.txt > "$out/a.xz"
command -v cpio >/dev/null && printf 'a.txt\nb.txt\n' | cpio -o --quiet -H newc > "$out/plain.cpio"
zip -q inner.zip a.txt && zip -q "$out/nested.zip" inner.zip b.txt
