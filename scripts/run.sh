#!/usr/bin/env bash
# Sets up, builds and starts linkwatchd on its embedded SQLite default
# (config conf/linkwatch.toml, database data/linkwatch.db). On the first start
# it prints the admin token once. Extra arguments go to linkwatchd.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DLINKWATCH_TESTS=OFF -DLINKWATCH_BENCH=OFF
exec build/daemon/linkwatchd --config conf/linkwatch.toml "$@"
