#!/usr/bin/env bash
# Check-cycle benchmark (not a test): one full check cycle of linkwatchd over a
# corpus of static pages served by nginx on many loopback "hosts", beside curl
# fetching the same URLs at the same concurrency in the same run (the raw
# libcurl floor: no scheduling, no classification, no storage).
#   corpus  PAGES html pages (2-14 KiB) on HOSTS addresses 127.0.1.1.. (one port),
#           served by Debian's nginx: 1 worker, HTTP/1.1 keep-alive, ETag/Last-Modified;
#   curl    `curl --parallel` at 512 transfers in flight (two processes of 256:
#           curl 7.88 caps --parallel-max at 300);
#   cycle 1 every link pending -> checked once (fetch, classify, store), 512 in flight;
#   cycle 2 `linkwatch rescan --all` over the unchanged pages: conditional requests (304);
#   full    cycle 1 again, on a copy of the freshly imported database, with a [rules]
#           section loading conf/rules: every page is extracted and matched, and the
#           pages carrying a slogan of conf/rules/example.toml (1 in FLAG_EVERY) are
#           flagged and keep evidence. The full pipeline's figures.
# pages/s: from the first check to the last (link_check.checked_at), and wall time
# from the daemon's start (cycle 1) or the rescan (cycle 2) to "all recorded".
# CPU-ms/page: utime+stime of the process(es) over the phase. Peak RSS: VmHWM / %M.
# Also printed: nginx's and the whole machine's CPU per phase, the daemon's CPU per thread (with its
# context switches and the time it was runnable but waited for a core),
# and the TCP connections nginx saw. CHECK_CYCLE_TRACE=1 adds the daemon's queue sampled
# every 50 ms (in flight / fetching / queued) and how often nginx sat idle.
# CHECK_CYCLE_PERF=DIR records `perf record -F 499 -g` of the daemon over each cycle into
# DIR/{cycle1,cycle2,full}.data (the figures are then perf-loaded; for profiling only);
# CHECK_CYCLE_PERF_HZ sets the sampling rate, CHECK_CYCLE_PERF_CALLGRAPH the call-graph
# option (e.g. "--call-graph dwarf,8192": the build has no frame pointers).
# Usage: bench/check_cycle.sh [BUILD_DIR] [PAGES] [HOSTS]   (defaults: build-bench 20000 50)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
pages=${2:-20000}
hosts=${3:-50}
in_flight=512
per_host=16          # x HOSTS >= in_flight, so the global cap is what binds
curl_procs=2         # curl 7.88: --parallel-max is capped at 300
cycle_timeout=${CHECK_CYCLE_TIMEOUT:-600}   # seconds, per phase
poll_s=0.25          # status poll (completion only; the rate comes from the database)
trace=${CHECK_CYCLE_TRACE:-0}   # 1: poll every 50 ms and summarize the daemon's queue per cycle
[ "$trace" = 1 ] && poll_s=0.05
perf_dir=${CHECK_CYCLE_PERF:-}  # non-empty: perf record the daemon over each cycle
flag_every=200       # 1 page in this many carries a slogan that conf/rules/example.toml flags

[ "$hosts" -ge 1 ] && [ "$hosts" -le 254 ] || { echo "HOSTS must be 1..254" >&2; exit 1; }
for tool in nginx /usr/bin/time sqlite3 curl python3 bc; do
  command -v "$tool" >/dev/null || { scripts/setup.sh >/dev/null; break; }
done
if [ ! -f "$build/CMakeCache.txt" ]; then
  scripts/setup.sh >/dev/null
  scripts/build.sh "$build" -DCMAKE_BUILD_TYPE=Release -DLINKWATCH_TESTS=OFF -DLINKWATCH_BENCH=ON
else
  cmake --build "$build" -j "${LINKWATCH_JOBS:-2}" --target linkwatchd linkwatch >/dev/null
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
lwd=$build/daemon/linkwatchd
lw=$build/cli/linkwatch
[ -x "$lwd" ] && [ -x "$lw" ] || { echo "no $lwd or $lw" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

work=$(mktemp -d /tmp/linkwatch-cycle-XXXXXX)
chmod 755 "$work"   # nginx's worker runs as nobody
daemon_pid="" nginx_pid="" perf_pid="" curl_pids=()
stop_pid() {  # PID [SECONDS]: TERM, then KILL after the grace period
  local pid=$1 grace=${2:-10}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  set +e
  for p in "${curl_pids[@]}"; do stop_pid "$p" 2; done
  [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
  [ -n "$daemon_pid" ] && stop_pid "$daemon_pid" 10
  [ -n "$nginx_pid" ] && stop_pid "$nginx_pid" 5
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "check_cycle: $*" >&2; exit 1; }
now() { date +%s.%N; }
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime
hz=$(getconf CLK_TCK)
kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
host_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }  # all cores, busy
ncpu=$(nproc)
host_pct() { echo "($2 - $1) / $hz / $3 / $ncpu * 100" | bc -l; }  # BEFORE AFTER WALL: % of all cores

# --- corpus -----------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.1.1", 0)); print(s.getsockname()[1])')
python3 - "$work" "$pages" "$hosts" "$port" "$curl_procs" "$flag_every" <<'EOF'
import os, random, sys
work, n, hosts, port, procs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
flag_every = int(sys.argv[6])
rng = random.Random(20261123)
words = ("court order material channel post video link archive report notice public page news "
         "forum user thread reply comment share media decision register agency review").split()
paras = ["<p>" + " ".join(rng.choice(words) for _ in range(rng.randint(20, 60))) + "</p>\n"
         for _ in range(500)]
os.makedirs(f"{work}/www/p")
total = 0
urls = open(f"{work}/urls.txt", "w")
cfgs = [open(f"{work}/curl.{k}.cfg", "w") for k in range(procs)]
cfg_all = open(f"{work}/curl.all.cfg", "w")
for i in range(n):
    size = rng.randint(2048, 14336)
    parts = [f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Post {i}</title></head>"
             f"<body>\n<h1>Post {i}</h1>\n"]
    length = len(parts[0])
    while length < size:
        p = rng.choice(paras)
        if rng.random() < 0.3:
            p = p.replace("</p>", f' <a href="/p/{rng.randrange(n)}.html">see also</a></p>')
        parts.append(p)
        length += len(p)
    if i % flag_every == flag_every - 1:  # visible text that rule cd-001 matches
        parts.insert(1, "<p>They wrote it on every wall: Crimson Dawn rises.</p>\n")
    parts.append("</body></html>\n")
    data = "".join(parts).encode()
    with open(f"{work}/www/p/{i}.html", "wb") as f:
        f.write(data)
    total += len(data)
    url = f"http://127.0.1.{i % hosts + 1}:{port}/p/{i}.html"
    urls.write(url + "\n")
    cfgs[i % procs].write(f'url = "{url}"\noutput = "/dev/null"\n')
    cfg_all.write(f'url = "{url}"\noutput = "/dev/null"\n')
print(total, file=open(f"{work}/corpus_bytes", "w"))
EOF
corpus_bytes=$(cat "$work/corpus_bytes")

# --- nginx ------------------------------------------------------------------
ng=$work/nginx
mkdir -p "$ng/tmp"
{
  echo "worker_processes 1;"
  echo "daemon off;"
  echo "pid $ng/nginx.pid;"
  echo "error_log $ng/error.log warn;"
  echo "worker_rlimit_nofile 16384;"
  echo "events { worker_connections 8192; }"
  echo "http {"
  echo "  default_type text/html;"
  echo "  sendfile on; tcp_nopush on; tcp_nodelay on;"
  echo "  keepalive_timeout 120s; keepalive_requests 100000;"
  echo "  etag on; if_modified_since exact;"
  echo "  log_format bench '\$msec \$server_addr \$status \$body_bytes_sent \$connection \$connection_requests \"\$http_user_agent\"';"
  echo "  access_log $ng/access.log bench buffer=256k flush=1s;"
  echo "  client_body_temp_path $ng/tmp/body; proxy_temp_path $ng/tmp/proxy;"
  echo "  fastcgi_temp_path $ng/tmp/fastcgi; uwsgi_temp_path $ng/tmp/uwsgi; scgi_temp_path $ng/tmp/scgi;"
  echo "  server {"
  for h in $(seq "$hosts"); do echo "    listen 127.0.1.$h:$port;"; done
  echo "    root $work/www;"
  echo "  }"
  echo "}"
} >"$ng/nginx.conf"
nginx -p "$ng" -e "$ng/error.log" -c "$ng/nginx.conf" -t -q || die "nginx config rejected"
nginx -p "$ng" -e "$ng/error.log" -c "$ng/nginx.conf" &
nginx_pid=$!
first_url=$(head -n 1 "$work/urls.txt")
last_url=$(tail -n 1 "$work/urls.txt")
for _ in $(seq 100); do curl -sf -o /dev/null "$last_url" && break; sleep 0.1; done
curl -sf -o /dev/null "$first_url" && curl -sf -o /dev/null "$last_url" || { cat "$ng/error.log"; die "nginx did not serve"; }
nginx_worker=""
for _ in $(seq 50); do nginx_worker=$(pgrep -P "$nginx_pid" | awk 'NR == 1' || true); [ -n "$nginx_worker" ] && break; sleep 0.1; done
# A new access log per phase (USR1: the master reopens its logs).
rotate_log() { sleep 0.2; mv "$ng/access.log" "$ng/access.$1.log"; kill -USR1 "$nginx_pid"; sleep 0.5; }
ngx_cpu() { [ -n "$nginx_worker" ] && cpu_ticks "$nginx_worker" || echo 0; }
conns() { awk '{print $5}' "$ng/access.$1.log" | sort -u | wc -l; }
codes() { awk '{c[$3]++} END {for (k in c) printf "%s%s x%d", (n++ ? ", " : ""), k, c[k]}' "$ng/access.$1.log"; }

# --- linkwatchd ---------------------------------------------------------------
{
  echo "# bench/check_cycle.sh: every other key is the daemon's default"
  echo "[crawler]"
  echo "max_in_flight = $in_flight"
  echo "max_per_host = $per_host"
  echo "per_host_delay_ms = 0"
  echo "max_retries = 0"
  echo "[schedule]"
  echo "poll_interval_ms = 50"
  echo "alive_interval_s = 3600"
  echo
  # The shipped classification markers, so each page is classified as in production.
  awk '/^\[\[markers\]\]/ {on = 1} /^\[[a-z]/ {on = 0} on' conf/linkwatch.toml
} >"$work/linkwatch.toml"
# The full pipeline: the same, and the repository's example rules.
{
  cat "$work/linkwatch.toml"
  echo
  echo "[rules]"
  echo "paths = [\"$PWD/conf/rules\"]"
} >"$work/linkwatch.rules.toml"
config=$work/linkwatch.toml
data=$work/data

start_daemon() {  # LOGNAME [FLAGS...]: sets daemon_pid, port_api
  local log=$1; shift
  "$lwd" --config "$config" --data-dir "$data" --listen 127.0.0.1:0 "$@" \
    >"$work/$log.out" 2>"$work/$log.err" &
  daemon_pid=$!
  port_api=""
  for _ in $(seq 200); do
    port_api=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/$log.err")
    [ -n "$port_api" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port_api" ] || { cat "$work/$log.err" >&2; die "daemon did not start"; }
  export LINKWATCH_URL="http://127.0.0.1:$port_api"
}
status_json() { curl -sf --max-time 10 -H "Authorization: Bearer $LINKWATCH_TOKEN" "$LINKWATCH_URL/v1/status"; }
num_field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }
db() { sqlite3 "$data/linkwatch.db" "$@"; }
perf_start() {  # TAG: CHECK_CYCLE_PERF only
  [ -n "$perf_dir" ] || return 0
  mkdir -p "$perf_dir"
  perf record -q -F ${CHECK_CYCLE_PERF_HZ:-499} ${CHECK_CYCLE_PERF_CALLGRAPH:--g} -o "$perf_dir/$1.data" -p "$daemon_pid" >/dev/null 2>&1 &
  perf_pid=$!
}
perf_stop() {
  [ -n "$perf_pid" ] || return 0
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=""
}

# Registration, with checks off: the cycle starts from the daemon's next start.
start_daemon import --no-checks
export LINKWATCH_TOKEN=$(sed -n 's/.*export LINKWATCH_TOKEN=//p' "$work/import.out")
[ -n "$LINKWATCH_TOKEN" ] || die "no admin token in the daemon's output"
timeout 600 "$lw" import "$work/urls.txt" --basis "Bench order 1/2026" --category extremist >"$work/import.txt" ||
  { cat "$work/import.txt"; die "import failed"; }
registered=$(db "SELECT count(*) FROM link WHERE status = 'pending'")
[ "$registered" -eq "$pages" ] || die "registered $registered links, expected $pages"
stop_pid "$daemon_pid" 30; daemon_pid=""
cp -a "$work/data" "$work/data.imported"   # the full-pipeline run starts from here
rotate_log import

# --- curl at the same concurrency ----------------------------------------------
run_curl() {  # TAG PER_PROC CONFIG...: one curl process per config; writes TAG.result: "wall cpu_s rss_kib nginx% host%"
  local tag=$1 per=$2 k=0 cfg p t0 t1 ngx0 ngx1 host0 host1 wall ok
  shift 2
  ngx0=$(ngx_cpu); host0=$(host_ticks)
  t0=$(now)
  for cfg in "$@"; do
    timeout "$cycle_timeout" /usr/bin/time -f "%U %S %M" -o "$work/$tag.$k.time" \
      curl --parallel --parallel-max "$per" -s --no-progress-meter -K "$cfg" \
        -w '%{http_code}\n' >"$work/$tag.$k.codes" &
    curl_pids+=($!)
    k=$((k + 1))
  done
  for p in "${curl_pids[@]}"; do wait "$p" || die "curl failed (see $work)"; done
  curl_pids=()
  t1=$(now)
  ngx1=$(ngx_cpu); host1=$(host_ticks)
  ok=$(cat "$work/$tag".*.codes | grep -c '^200$' || true)
  [ "$ok" -eq "$pages" ] || die "curl: $ok of $pages answered 200"
  wall=$(echo "$t1 - $t0" | bc -l)
  cat "$work/$tag".*.time | awk -v w="$wall" -v n0="$ngx0" -v n1="$ngx1" -v hz="$hz" -v h="$(host_pct "$host0" "$host1" "$wall")" \
    '{cpu += $1 + $2; rss += $3} END {print w, cpu, rss, (n1 - n0) / hz / w * 100, h}' >"$work/$tag.result"
  rotate_log "$tag"
}
per_proc=$((in_flight / curl_procs))
cfgs=(); for k in $(seq 0 $((curl_procs - 1))); do cfgs+=("$work/curl.$k.cfg"); done
run_curl curl "$per_proc" "${cfgs[@]}"
read -r curl_wall curl_cpu curl_rss curl_ngx curl_host <"$work/curl.result"
# For reference: one curl process (one thread, like the daemon's io thread) at its cap.
run_curl curl1 300 "$work/curl.all.cfg"
read -r one_wall one_cpu one_rss one_ngx one_host <"$work/curl1.result"

# --- linkwatchd cycle 1: every link pending ----------------------------------------
wait_recorded() {  # TARGET START [TRACE]: polls until checks_recorded >= TARGET; echoes wall seconds
  local target=$1 start=$2 tracefile=${3:-/dev/null} s rec
  local deadline=$(( $(date +%s) + cycle_timeout ))
  while :; do
    s=$(status_json || true)
    rec=$(num_field checks_recorded "$s")
    [ "$trace" = 1 ] && echo "$(now) $s" >>"$tracefile"
    if [ -n "$rec" ] && [ "$rec" -ge "$target" ]; then break; fi
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$s" >&2; die "cycle not done after ${cycle_timeout}s (recorded ${rec:-?} of $target)"; }
    kill -0 "$daemon_pid" 2>/dev/null || die "daemon exited"
    sleep "$poll_s"
  done
  echo "$(now) - $start" | bc -l
}
# Threads are unnamed; by creation order (storage::SqliteStore::Open, then the daemon's
# Serve): the main thread runs the io_context (API, scheduler, curl), then come the WAL
# checkpointer, the storage writer and the worker pool ([server] worker_threads).
roles=(io checkpointer writer worker worker worker worker)
ctx_switches() { awk '/ctxt_switches:/ {n += $2} END {print n + 0}' "/proc/$1/status"; }  # voluntary + not
run_wait_ms() { awk '{printf "%d", $2 / 1e6}' "/proc/$1/schedstat"; }  # time runnable but not running
thread_ticks() {  # one line per thread: "role ticks context-switches wait-ms"
  local i=0 tid
  for tid in $(ls /proc/"$daemon_pid"/task | sort -n); do
    echo "${roles[$i]:-thread$i} $(cpu_ticks "$daemon_pid/task/$tid") $(ctx_switches "$daemon_pid/task/$tid") $(run_wait_ms "$daemon_pid/task/$tid")"
    i=$((i + 1))
  done
}
# BEFORE_FILE AFTER_FILE: "role CPU-s (context switches, ms runnable but waiting for a core), ..."
thread_delta() {
  paste -d' ' "$1" "$2" | awk -v hz="$hz" '{printf "%s%s %.2f (%d sw, %d ms wait)",
    (NR > 1 ? ", " : ""), $1, ($6 - $2) / hz, $7 - $3, $8 - $4}'
}
# From the first to the last checked_at of checks with id > FROM: "count span_s"
check_span() { db "SELECT count(*), max((max(checked_at) - min(checked_at)) / 1000.0, 0.001) FROM link_check WHERE id > $1" | tr '|' ' '; }

ngx0=$(ngx_cpu); host0=$(host_ticks)
t0=$(now)
start_daemon cycle
perf_start cycle1
c1_wall=$(wait_recorded "$pages" "$t0" "$work/trace.cycle1")
perf_stop
c1_cpu=$(cpu_ticks "$daemon_pid")
thread_ticks >"$work/threads.1"
c1_rss=$(kib "$daemon_pid")
ngx1=$(ngx_cpu); host1=$(host_ticks)
c1_host=$(host_pct "$host0" "$host1" "$c1_wall")
c1_ngx=$(echo "($ngx1 - $ngx0) / $hz / $c1_wall * 100" | bc -l)
c1_status=$(status_json)
[ "$(num_field pending "$c1_status")" = "" ] || [ "$(num_field pending "$c1_status")" -eq 0 ] ||
  die "links still pending after cycle 1: $c1_status"
read -r c1_n c1_span < <(check_span 0)
c1_classes=$(db "SELECT group_concat(x, ', ') FROM (SELECT status_class || ' ' || ifnull(http_status, '-') || ' x' || count(*) AS x
  FROM link_check GROUP BY status_class, http_status)")
last_id=$(db "SELECT ifnull(max(id), 0) FROM link_check")
rotate_log cycle1

# --- linkwatchd cycle 2: unchanged pages --------------------------------------------
recorded1=$(num_field checks_recorded "$(status_json)")
cpu_before=$(cpu_ticks "$daemon_pid")
ngx0=$(ngx_cpu); host0=$(host_ticks)
t0=$(now)
perf_start cycle2
"$lw" rescan --all >"$work/rescan.txt"
c2_wall=$(wait_recorded $((recorded1 + pages)) "$t0" "$work/trace.cycle2")
perf_stop
c2_cpu=$(( $(cpu_ticks "$daemon_pid") - cpu_before ))
thread_ticks >"$work/threads.2"
c2_rss=$(kib "$daemon_pid")
ngx1=$(ngx_cpu); host1=$(host_ticks)
c2_host=$(host_pct "$host0" "$host1" "$c2_wall")
c2_ngx=$(echo "($ngx1 - $ngx0) / $hz / $c2_wall * 100" | bc -l)
read -r c2_n c2_span < <(check_span "$last_id")
c2_nm=$(db "SELECT count(*) FROM link_check WHERE id > $last_id AND not_modified = 1")
c2_status=$(status_json)
rotate_log cycle2

# --- full pipeline: cycle 1 with the example rules, on the imported database ---------
stop_pid "$daemon_pid" 30; daemon_pid=""
config=$work/linkwatch.rules.toml
data=$work/data.full
cp -a "$work/data.imported" "$data"
ngx0=$(ngx_cpu); host0=$(host_ticks)
t0=$(now)
start_daemon full
perf_start full
f_wall=$(wait_recorded "$pages" "$t0" "$work/trace.full")
perf_stop
f_cpu=$(cpu_ticks "$daemon_pid")
thread_ticks >"$work/threads.full"
f_rss=$(kib "$daemon_pid")
ngx1=$(ngx_cpu); host1=$(host_ticks)
f_host=$(host_pct "$host0" "$host1" "$f_wall")
f_ngx=$(echo "($ngx1 - $ngx0) / $hz / $f_wall * 100" | bc -l)
f_status=$(status_json)
read -r f_n f_span < <(check_span 0)
f_flagged=$(db "SELECT count(*) FROM link WHERE flagged = 1")
f_evidence=$(db "SELECT count(*) FROM evidence")
f_expected=$(( pages / flag_every ))
f_rules=$(sed -n 's/.*rules loaded at start: \([0-9]*\) rules.*/\1/p' "$work/full.err" | head -n 1)
rotate_log full

# --- report -----------------------------------------------------------------------
rate() { echo "$1 / $2" | bc -l; }
cpu_ms() { echo "$1 * 1000 / $2" | bc -l; }
curl_rate=$(rate "$pages" "$curl_wall")
c1_rate=$(rate "$c1_n" "$c1_span"); c1_wrate=$(rate "$pages" "$c1_wall")
c2_rate=$(rate "$c2_n" "$c2_span"); c2_wrate=$(rate "$pages" "$c2_wall")
row() { printf "  %-22s %9.0f %12.0f %13.3f %9.1f MB %9.0f %% %9.0f %%\n" "$@"; }

echo "check-cycle benchmark: $pages pages ($(echo "$corpus_bytes / $pages / 1024" | bc -l | xargs printf '%.1f') KiB avg) on $hosts hosts 127.0.1.1-127.0.1.$hosts:$port, $(nproc) cores"
echo "  nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'): 1 worker, HTTP/1.1 keep-alive, ETag + Last-Modified; $(curl --version | sed -n '1s/^\(curl [^ ]*\).*/\1/p')"
echo "  linkwatchd ($build, $build_type): max_in_flight $in_flight, max_per_host $per_host, per_host_delay_ms 0, max_retries 0, poll_interval_ms 50, durable storage, log level info"
echo "  import: $(tail -n 1 "$work/import.txt"); load average before the run: $load_before"
printf "  %-22s %9s %12s %13s %12s %10s %10s\n" "" "pages/s" "(wall p/s)" "CPU-ms/page" "peak RSS" "nginx CPU" "host CPU"
row "curl ${curl_procs}x${per_proc} parallel" "$curl_rate" "$curl_rate" "$(cpu_ms "$curl_cpu" "$pages")" "$(echo "$curl_rss / 1024" | bc -l)" "$curl_ngx" "$curl_host"
row "(curl 1x300, reference)" "$(rate "$pages" "$one_wall")" "$(rate "$pages" "$one_wall")" "$(cpu_ms "$one_cpu" "$pages")" "$(echo "$one_rss / 1024" | bc -l)" "$one_ngx" "$one_host"
row "linkwatchd cycle 1" "$c1_rate" "$c1_wrate" "$(cpu_ms "$(echo "$c1_cpu / $hz" | bc -l)" "$pages")" "$(echo "$c1_rss / 1024" | bc -l)" "$c1_ngx" "$c1_host"
row "linkwatchd cycle 2" "$c2_rate" "$c2_wrate" "$(cpu_ms "$(echo "$c2_cpu / $hz" | bc -l)" "$pages")" "$(echo "$c2_rss / 1024" | bc -l)" "$c2_ngx" "$c2_host"
f_rate=$(rate "$f_n" "$f_span"); f_wrate=$(rate "$pages" "$f_wall")
row "full pipeline, cycle 1" "$f_rate" "$f_wrate" "$(cpu_ms "$(echo "$f_cpu / $hz" | bc -l)" "$pages")" "$(echo "$f_rss / 1024" | bc -l)" "$f_ngx" "$f_host"
printf "  cycle 1 / curl pages/s: %.2f (wall %.2f; aim >= 0.8)   cycle 2 / cycle 1: %.2f (aim >= 1)   peak RSS %.0f MB (aim <= 200)\n" \
  "$(echo "$c1_rate / $curl_rate" | bc -l)" "$(echo "$c1_wrate / $curl_rate" | bc -l)" \
  "$(echo "$c2_rate / $c1_rate" | bc -l)" "$(echo "$c2_rss / 1024" | bc -l)"
echo "  time: curl ${curl_wall:0:6} s; cycle 1 checks span ${c1_span} s (${c1_wall:0:6} s from daemon start); cycle 2 span ${c2_span} s (${c2_wall:0:6} s from rescan)"
echo "  cycle 1 checks: $c1_classes; nginx: $(codes cycle1) over $(conns cycle1) connections (curl: $(conns curl), $(conns curl1) for 1x300)"
echo "  cycle 2 checks: $c2_n, $c2_nm not modified; nginx: $(codes cycle2) over $(conns cycle2) connections"
echo "  daemon CPU s by thread: cycle 1 (with start-up) $(thread_delta <(sed 's/ .*/ 0 0 0/' "$work/threads.1") "$work/threads.1")"
echo "                          cycle 2 $(thread_delta "$work/threads.1" "$work/threads.2")"
echo "  status after cycle 2: $c2_status"
printf "  full pipeline (cycle 1 with [rules] %s: %s rules; every page extracted and matched) / curl pages/s: %.2f (wall %.2f)   peak RSS %.0f MB\n" \
  "conf/rules" "${f_rules:-?}" "$(echo "$f_rate / $curl_rate" | bc -l)" "$(echo "$f_wrate / $curl_rate" | bc -l)" "$(echo "$f_rss / 1024" | bc -l)"
echo "  full pipeline: checks span ${f_span} s (${f_wall:0:6} s from daemon start); $f_flagged links flagged (pages with the slogan: $f_expected), $f_evidence evidence snapshots; nginx: $(codes full) over $(conns full) connections"
echo "  full pipeline daemon CPU s by thread (with start-up): $(thread_delta <(sed 's/ .*/ 0 0 0/' "$work/threads.full") "$work/threads.full")"
echo "  status after the full pipeline: $f_status"

[ "$trace" = 1 ] || exit 0
# Trace: how full the pipeline was while the cycle ran (samples with checks in flight).
for phase in cycle1 cycle2 full; do
  python3 - "$work/trace.$phase" "$phase" <<'EOF'
import json, statistics, sys
rows = []
for line in open(sys.argv[1]):
    t, _, js = line.partition(" ")
    try:
        rows.append((float(t), json.loads(js)))
    except ValueError:
        pass
c = [r["crawler"] for _, r in rows if r.get("crawler") and 0 < r["crawler"]["in_flight"]]
if not c:
    sys.exit(0)
def s(key):
    v = [x[key] for x in c]
    return "%s mean %.0f (min %d, max %d)" % (key, statistics.mean(v), min(v), max(v))
print("  trace %s, %d samples: %s; %s; %s" % (sys.argv[2], len(c), s("in_flight"), s("fetch_running"), s("fetch_queued")))
EOF
done
for phase in cycle1 cycle2 full; do
  awk -v phase="$phase" 'NR == 1 {t0 = $1} {b = int(($1 - t0) * 100); c[b]++; if (b > hi) hi = b}
    END {for (i = 0; i <= hi; i++) if (!c[i]) idle++
         printf "  nginx, %s: no request in %d of %d 10-ms intervals (%.0f %%); per 100 ms:", phase, idle, hi + 1, 100 * idle / (hi + 1)
         for (i = 0; i <= hi; i += 10) {n = 0; for (j = i; j < i + 10; j++) n += c[j]; printf " %d", n}
         print ""}' "$ng/access.$phase.log"
done
