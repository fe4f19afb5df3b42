#!/bin/sh
# make-seeds-macho.sh - write the seed corpus of fuzz_macho into
# tests/fuzz/corpus/macho/ (see docs/internals/fuzzing.md).
#
#   tests/fuzz/make-seeds-macho.sh
#
# There is no Apple toolchain on the build host: the seeds are Mach-O
# files built in memory from the loader.h structures by
# tests/unit/test_macho.c (mb_thin(), mb_fat(): reviewable C), written by
# `build/tests/test_macho --write-seeds DIR`: a signed x86_64 executable
# with entitlements, a 32-bit big-endian ppc one, an arm64e one with a
# cmdsize of 0, a FAT_MAGIC file with x86_64 and arm64 slices, a
# FAT_MAGIC_64 file, and a Java class header (not fat).  Only those files
# are rewritten; regress-* and crash-* inputs are left alone.
#
# SPDX-License-Identifier: MIT
set -eu

cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/macho
mkdir -p "$dir"
make --no-print-directory -s build/tests/test_macho
build/tests/test_macho --write-seeds "$dir"
echo "make-seeds-macho: $(find "$dir" -type f | wc -l) files in $dir"
