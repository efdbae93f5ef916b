#!/usr/bin/env bash
# Build the profile API oracle (tests/oracle/profile_dump.c) into $1, installing Wine and
# mingw-w64 from Debian's packages when they are missing (needs root, as on CI). The versions
# are pinned (Debian 12): the Wine version decides what the differential tests compare against;
# WINE_VERSION and MINGW_VERSION override them on another release.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT.exe}
if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  echo "installing wine64 and gcc-mingw-w64-x86-64 (Debian packages)..."
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "wine64=${WINE_VERSION:-8.0~repack-4}" "gcc-mingw-w64-x86-64=${MINGW_VERSION:-12.2.0-14+25.2}" >/dev/null
fi
mkdir -p "$(dirname "$out")"
x86_64-w64-mingw32-gcc -O1 -Wall -o "$out" "$(dirname "$0")/profile_dump.c"
echo "built $out"
