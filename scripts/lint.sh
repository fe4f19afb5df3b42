#!/bin/sh
# lint.sh - cheap checks of the C sources (`make lint`):
#   every .c/.h starts with a purpose comment and carries an SPDX line;
#   no banned function (lib/banned.h) is called even where banned.h is not
#   included (tests, fuzz targets).
set -u
cd "$(dirname "$0")/.." || exit 2
fail=0
for f in $(git ls-files '*.c' '*.h'); do
	head -1 "$f" | grep -q '^/\*' || { echo "$f: does not start with a comment"; fail=1; }
	grep -q 'SPDX-License-Identifier' "$f" || { echo "$f: no SPDX-License-Identifier"; fail=1; }
done
git ls-files '*.c' | grep -v '^lib/banned.h' | xargs grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi)\s*\(' \
	| grep -v 'banned' && fail=1
[ $fail = 0 ] && echo "lint: ok"
exit $fail
