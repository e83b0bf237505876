#!/usr/bin/env bash
# Registration benchmark (not a test): bulk import through the CLI and the batch
# API, and submit latency under 16 concurrent clients, each beside a peer
# measured in the same run:
#   import  vs  sqlite3's own CLI inserting the same rows into an indexed table
#               (the storage floor: no HTTP, no JSON, no validation, no audit);
#   submit  vs  GET /healthz on the same daemon with the same clients
#               (the transport floor: no storage).
# Usage: bench/registration.sh [BUILD_DIR] [LINKS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
links=${2:-100000}
clients=16
per_client=1000

if [ ! -x "$build/cli/linkwatch" ] || [ ! -x "$build/bench/lw_submit_bench" ]; then
  scripts/setup.sh >/dev/null
  scripts/build.sh "$build" -DCMAKE_BUILD_TYPE=Release -DLINKWATCH_TESTS=OFF -DLINKWATCH_BENCH=ON
fi
work=$(mktemp -d /tmp/linkwatch-bench-XXXXXX)
daemon_pid=""
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$build/daemon/linkwatchd" --data-dir "$work/data" --listen 127.0.0.1:0 --no-checks >"$work/out" 2>"$work/err" &
daemon_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/err")
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { echo "daemon did not start:"; cat "$work/err"; exit 1; }
export LINKWATCH_URL="http://127.0.0.1:$port"
export LINKWATCH_TOKEN=$(sed -n 's/.*export LINKWATCH_TOKEN=//p' "$work/out")

awk -v n="$links" 'BEGIN { print "url,basis,category,note";
  for (i = 0; i < n; i++) printf "https://host%d.example/post/%d?utm_source=x,Court decision %d/2026,extremist,bench row\n", i % 997, i, i % 50 }' \
  >"$work/links.csv"

now() { date +%s.%N; }
t0=$(now)
"$build/cli/linkwatch" import "$work/links.csv" >"$work/import.out"
t1=$(now)
lw_rate=$(echo "$links / ($t1 - $t0)" | bc -l)

sqlite3 "$work/peer.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
  CREATE TABLE link(url TEXT UNIQUE, basis TEXT, category TEXT, note TEXT);" >/dev/null
t0=$(now)
sqlite3 "$work/peer.db" ".mode csv" ".import --skip 1 $work/links.csv link" 
t1=$(now)
peer_rate=$(echo "$links / ($t1 - $t0)" | bc -l)

health=$("$build/bench/lw_submit_bench" --port "$port" --token "$LINKWATCH_TOKEN" \
  --clients $clients --requests $per_client --mode health)
submit=$("$build/bench/lw_submit_bench" --port "$port" --token "$LINKWATCH_TOKEN" \
  --clients $clients --requests $per_client --mode submit --prefix "run$$")
field() { python3 -c "import json,sys; print('%.3f' % json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

echo "registration benchmark ($links links, $(nproc) cores)"
echo "  import summary: $(tail -n 1 "$work/import.out")"
printf "  import:  linkwatch %8.0f links/s | sqlite3 .import peer %8.0f rows/s | ratio %.2f\n" \
  "$lw_rate" "$peer_rate" "$(echo "$lw_rate / $peer_rate" | bc -l)"
printf "  submit (%d clients x %d): p50 %s ms, p99 %s ms, %s req/s\n" $clients $per_client \
  "$(field "$submit" p50_ms)" "$(field "$submit" p99_ms)" "$(field "$submit" per_second)"
printf "  healthz peer (same clients): p50 %s ms, p99 %s ms, %s req/s\n" \
  "$(field "$health" p50_ms)" "$(field "$health" p99_ms)" "$(field "$health" per_second)"
printf "  submit p99 / healthz p99 ratio: %.2f\n" \
  "$(echo "$(field "$submit" p99_ms) / $(field "$health" p99_ms)" | bc -l)"
