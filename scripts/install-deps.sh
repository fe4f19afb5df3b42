#!/bin/sh
# install-deps.sh - install the Debian 12 packages Panoptes builds, runs and
# tests with, if any are missing.  Used by `make run` and `make test`.
set -eu

PKGS="gcc g++ make pkg-config curl python3
libmicrohttpd-dev libjson-c-dev libsqlite3-dev libssl-dev zlib1g-dev
libfuzzy-dev ssdeep libmagic-dev libinih-dev libseccomp-dev
libclamav-dev clamav clamav-daemon clamav-testfiles libyara-dev yara
libtlsh-dev clang libclang-rt-14-dev
libarchive-dev libpsl-dev publicsuffix zip unzip
gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 python3-pefile wine64 osslsigncode
wrk nginx-light
libcurl4-openssl-dev libc-ares-dev libgumbo-dev libmaxminddb-dev mmdb-bin
libmaxmind-db-writer-perl iproute2 nftables chromium nodejs zsh"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# 32-bit Wine for PE32 samples (the Windows runner, docs/internals/sandbox-wine.md):
# needs the i386 architecture; both steps only when missing.
wine32=""
if ! dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "ok installed"; then
	wine32="wine32:i386"
fi
[ -z "$missing" ] && [ -z "$wine32" ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ -n "$wine32" ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
	echo "install-deps: adding the i386 architecture (for wine32)"
	$SUDO dpkg --add-architecture i386
fi
echo "install-deps: installing:$missing $wine32"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing $wine32
