#!/bin/sh
# fakeav.sh - a stand-in command-line antivirus for tests/unit/test_external.c
# (engines/cmdline.c).  POSIX sh, grep and sed only.
#
#   fakeav.sh --version              print a ClamAV-style version line
#   fakeav.sh [--prefix P] FILE      scan FILE
#   fakeav.sh --file=FILE            the same, path inside one word
#
# FILE containing "PN-FAKEAV-MARK:NAME;" -> prints "FILE: FOUND: PNAME", exit 1.
# Other markers (for error paths):
#   PN-FAKEAV-EXIT:N;   exit N after printing "exit N"
#   PN-FAKEAV-SLEEP     start a background sleep (its pid to $FAKEAV_PIDFILE
#                       when set) and sleep 60 in the foreground: a timeout
#   PN-FAKEAV-CRASH     kill itself with SIGSEGV
#   PN-FAKEAV-NOISE     print ~200 KB of output, then the verdict
#   PN-FAKEAV-NUL       print NUL bytes around the FOUND line
# Nothing found: prints "FILE: OK", exit 0.  Unreadable FILE: exit 2.
#
# SPDX-License-Identifier: MIT
set -u
prefix=""
file=""
while [ $# -gt 0 ]; do
	case "$1" in
	--version) echo "ClamAV 9.8.7/4242/Tue Jan  2 03:04:05 2024"; exit 0 ;;
	--prefix) prefix=$2; shift 2 ;;
	--file=*) file=${1#--file=}; shift ;;
	*) file=$1; shift ;;
	esac
done
if [ -z "$file" ] || [ ! -r "$file" ]; then
	echo "fakeav: cannot read '$file'" >&2
	exit 2
fi
has() { grep -aq -- "$1" "$file"; }

if has "PN-FAKEAV-SLEEP"; then
	sleep 60 &
	[ -n "${FAKEAV_PIDFILE:-}" ] && echo $! >"$FAKEAV_PIDFILE"
	sleep 60
	exit 0
fi
if has "PN-FAKEAV-CRASH"; then
	kill -SEGV $$
	sleep 5
fi
if has "PN-FAKEAV-NOISE"; then
	i=0
	while [ $i -lt 3200 ]; do
		echo "noise line $i ................................................"
		i=$((i + 1))
	done
fi
if has "PN-FAKEAV-EXIT:"; then
	n=$(grep -ao 'PN-FAKEAV-EXIT:[0-9]*;' "$file" | head -1 | sed 's/[^0-9]//g')
	echo "exit $n"
	exit "$n"
fi
if has "PN-FAKEAV-MARK:"; then
	name=$(grep -ao 'PN-FAKEAV-MARK:[A-Za-z0-9._-]*;' "$file" | head -1 | \
	    sed 's/^PN-FAKEAV-MARK://; s/;$//')
	if has "PN-FAKEAV-NUL"; then
		printf 'x\000y\n'
	fi
	echo "$file: FOUND: $prefix$name"
	exit 1
fi
echo "$file: OK"
exit 0
