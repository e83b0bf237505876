#!/usr/bin/env bash
# Installs every Debian package linkwatch needs to build, test and benchmark.
# Idempotent: does nothing when all are present. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3 curl sqlite3 bc
  libcurl4-openssl-dev libgumbo-dev libsqlite3-dev libre2-dev libboost-dev
  catch2 libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libspdlog-dev
  libssl-dev libzstd-dev libcsv-dev zlib1g-dev openssl libxxhash-dev prometheus-cpp-dev
  nginx time
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
