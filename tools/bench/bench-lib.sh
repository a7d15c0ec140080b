# Shared by the bench scripts (sourced, not run): where things are, the workload's data, the
# credentials, and the two core services started as in production (authentication on, durable
# writes).
#   OMNIA_BUILD_DIR                                   the build tree (default build)
#   OMNIA_BENCH_PAYMENTS / _APPLICATIONS / _WORKERS   workload size (default 10M / 1M / 1M)
#   OMNIA_BENCH_DIR                                   scratch space (default build/bench)
#   OMNIA_DUCKDB_MODULES   a node_modules folder holding @duckdb/node-api (default
#                          build/bench/duckdb-peer/node_modules, installed with npm when missing;
#                          the peer is skipped when it cannot be installed)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${OMNIA_BUILD_DIR:-$root/build}
work=${OMNIA_BENCH_DIR:-$build/bench}
payments=${OMNIA_BENCH_PAYMENTS:-10000000}
applications=${OMNIA_BENCH_APPLICATIONS:-1000000}
workers=${OMNIA_BENCH_WORKERS:-1000000}
mkdir -p "$work"
# The services run as deployed: glibc backs the heap with transparent huge pages (see
# deploy/docker/Dockerfile).
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456}

# generate_data DIR [omnia-generate flags...]: the workload's CSV files, once per DIR.
generate_data() {
  local dir=$1
  shift
  [ -f "$dir/payments.csv" ] && return 0
  "$build/tools/generate/omnia-generate" --seed=1 --first_year=2020 --last_year=2025 \
    --payments="$payments" --applications="$applications" --workers="$workers" \
    --out_dir="$dir" "$@" >/dev/null
}

# make_secrets DIR: tokens and digests for every role under DIR; the bench acts as the operator
# (OMNIA_TOKEN) and pseudonymises under a fixed key (OMNIA_HMAC_KEY).
make_secrets() {
  "$root/deploy/auth/make-tokens.sh" "$1" >/dev/null
  OMNIA_TOKEN=$(cat "$1/operator.token")
  export OMNIA_TOKEN
  export OMNIA_HMAC_KEY=bench-key-0123456789abcdef0123456789abcdef
}

# start_aggregation ADDRESS STATE_DIR SECRETS_DIR: sets agg_pid (log appended to STATE_DIR). The
# worker map is sized for the workload's workers, as an operator expecting them would.
start_aggregation() {
  "$build/services/aggregation/omnia-aggregation" --grpc_address="$1" \
    --data_dir="$2/aggregation" --tokens_file="$3/aggregation.digests" \
    --expected_workers="$workers" 2>>"$2/aggregation.log" &
  agg_pid=$!
}

# start_ingestion ADDRESS DATA_DIR AGGREGATION_ADDRESS SECRETS_DIR LOG: sets ing_pid. The
# deduplication index is sized for the workload, as an operator expecting that volume would.
start_ingestion() {
  "$build/services/ingestion/omnia-ingestion" --grpc_address="$1" --data_dir="$2" \
    --aggregation_address="$3" --max_backlog_events=100000000 \
    --expected_event_ids=$((payments + applications)) \
    --tokens_file="$4/ingestion.digests" --token_file="$4/ingestion.token" 2>"$5" &
  ing_pid=$!
}

# wait_serving ADDRESS [WAIT]: until the server's health check says SERVING.
wait_serving() { "$build/tools/omnia" health --address="$1" --wait="${2:-30s}" >/dev/null; }

# cpu_ticks PID...: the processes' processor time so far, in clock ticks (100 a second); a process
# that has ended counts nothing.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# wait_quiet PID...: waits until the processes have finished the background work an ingest leaves
# behind (write-buffer flushes, compactions): at most 2 % of a processor over a second, or 60 s
# at most. Prints the seconds waited.
wait_quiet() {
  local start before
  start=$(date +%s.%N)
  for _ in $(seq 60); do
    before=$(cpu_ticks "$@")
    sleep 1
    (($(cpu_ticks "$@") - before <= 2)) && break
  done
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'
}

# peak_rss_mib PID: the process's peak resident memory so far.
peak_rss_mib() { echo $(($(awk '/VmHWM/ {print $2}' "/proc/$1/status") / 1024)); }

# ensure_duckdb_peer: sets duckdb_modules to a node_modules folder with @duckdb/node-api, or to
# "" when there is none and npm cannot install one.
ensure_duckdb_peer() {
  duckdb_modules=${OMNIA_DUCKDB_MODULES:-$work/duckdb-peer/node_modules}
  if [ ! -d "$duckdb_modules/@duckdb/node-api" ] && [ -z "${OMNIA_DUCKDB_MODULES:-}" ]; then
    mkdir -p "$work/duckdb-peer"
    (cd "$work/duckdb-peer" && npm install --silent @duckdb/node-api >/dev/null 2>&1) || true
  fi
  if [ ! -d "$duckdb_modules/@duckdb/node-api" ]; then
    echo "== DuckDB peer not available (no @duckdb/node-api under $duckdb_modules); skipped"
    duckdb_modules=""
  fi
}
