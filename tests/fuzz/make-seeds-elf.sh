#!/bin/sh
# make-seeds-elf.sh - write the seed corpus of fuzz_elf into
# tests/fuzz/corpus/elf/ (see docs/internals/fuzzing.md).
#
#   tests/fuzz/make-seeds-elf.sh
#
# Two kinds of seeds, all small (under 3 KB):
#  - ELF files built in memory by tests/unit/test_elf.c (its eb_build(),
#    reviewable C): ELF32/ELF64 of both byte orders, REL/EXEC/DYN/CORE,
#    with and without section headers, extended numbering, damaged names
#    and sizes, a UPX-like file, the header alone (13 files in all, with
#    the ones below, so that make check replays them in a few seconds); written by
#    `build/tests/test_elf --write-seeds DIR` (built here with make);
#  - tiny files from the local toolchain: a static -nostdlib executable,
#    a -nostdlib shared library and a 32-bit object (skipped when
#    gcc -m32 -c does not work).
# Only the files named here are rewritten; regress-* and crash-* inputs
# in the directory are left alone.
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/elf
mkdir -p "$dir"
make --no-print-directory -s build/tests/test_elf
build/tests/test_elf --write-seeds "$dir"

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat > "$t/tiny.c" <<'SRC'
int counter = 3;
static const char msg[] = "panoptes";
int add(int a, int b) { return a + b + counter + msg[a & 7]; }
void _start(void) { for (;;) counter = add(counter, 1); }
SRC
LDF="-Wl,-z,max-page-size=16 -Wl,-z,noseparate-code"
CF="-Os -nostdlib -fno-asynchronous-unwind-tables"
gcc $CF -static -Wl,--build-id $LDF -o "$dir/gcc-static-nostdlib" "$t/tiny.c"
gcc $CF -shared -fPIC $LDF -Wl,-soname,libtiny.so.1 -o "$dir/gcc-shared-nostdlib" "$t/tiny.c"
if gcc -m32 $CF -c -o "$t/tiny32.o" "$t/tiny.c" 2>/dev/null; then
	cp "$t/tiny32.o" "$dir/gcc-m32-object"
fi
chmod a-x "$dir"/gcc-* 2>/dev/null || true
echo "make-seeds-elf: $(find "$dir" -type f | wc -l) files in $dir"
