#!/usr/bin/env bash
# The throughput part of the `bench` target: ingestion + aggregation end to end (acknowledged and
# applied, authentication on, durable writes) at several workload shapes, beside DuckDB building
# the same 27-level lattice from the same CSV files in the same run.
#   OMNIA_BENCH_PAYMENTS / _APPLICATIONS / _WORKERS   workload size (default 10M / 1M / 1M)
#   OMNIA_BENCH_MOBILITIES   mobility percents to run (default "0 50 100")
#   OMNIA_BENCH_DIR          scratch space (default build/bench)
#   OMNIA_DUCKDB_MODULES     a node_modules folder holding @duckdb/node-api (default
#                            build/bench/duckdb-peer/node_modules, installed with npm when
#                            missing; the peer is skipped when it cannot be installed)
# Every dataset has 1 % exact duplicate rows and 1 worker id in 13 written in lower case.
# Prints JSON lines, then a summary table.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OMNIA_BUILD_DIR:-$root/build}
work=${OMNIA_BENCH_DIR:-$build/bench}
payments=${OMNIA_BENCH_PAYMENTS:-10000000}
applications=${OMNIA_BENCH_APPLICATIONS:-1000000}
workers=${OMNIA_BENCH_WORKERS:-1000000}
mobilities=${OMNIA_BENCH_MOBILITIES:-0 50 100}
mkdir -p "$work"
results=$work/throughput-results.jsonl
: >"$results"

modules=${OMNIA_DUCKDB_MODULES:-$work/duckdb-peer/node_modules}
if [ ! -d "$modules/@duckdb/node-api" ] && [ -z "${OMNIA_DUCKDB_MODULES:-}" ]; then
  mkdir -p "$work/duckdb-peer"
  (cd "$work/duckdb-peer" && npm install --silent @duckdb/node-api >/dev/null 2>&1) ||
    echo "== DuckDB peer not installed (npm failed); its figures are skipped"
fi
"$build/tools/bench/omnia-apply-bench" --codelists_dir="$work"

emit() { echo "$1" | tee -a "$results"; }
field() { sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" <<<"$1"; }

run_shape() {
  local mobility=$1 data=$work/data-$payments-$applications-$workers-m$1
  if [ ! -f "$data/payments.csv" ]; then
    "$build/tools/generate/omnia-generate" --seed=1 --first_year=2020 --last_year=2025 \
      --payments="$payments" --applications="$applications" --workers="$workers" \
      --mobility_percent="$mobility" --duplicate_per_mille=10 --lowercase_per_mille=77 \
      --out_dir="$data" >/dev/null
  fi
  local state=$work/state-m$mobility base=$((20000 + RANDOM % 20000))
  rm -rf "$state" && mkdir -p "$state"
  local agg=127.0.0.1:$((base + 1)) ing=127.0.0.1:$((base + 2))
  export OMNIA_HMAC_KEY=bench-key-0123456789abcdef0123456789abcdef
  "$root/deploy/auth/make-tokens.sh" "$state/secrets" >/dev/null
  OMNIA_TOKEN=$(cat "$state/secrets/operator.token")
  export OMNIA_TOKEN
  start_aggregation() {
    "$build/services/aggregation/omnia-aggregation" --grpc_address="$agg" \
      --data_dir="$state/aggregation" --tokens_file="$state/secrets/aggregation.digests" \
      2>>"$state/aggregation.log" &
    agg_pid=$!
  }
  start_aggregation
  "$build/services/ingestion/omnia-ingestion" --grpc_address="$ing" \
    --data_dir="$state/ingestion" --aggregation_address="$agg" --max_backlog_events=100000000 \
    --tokens_file="$state/secrets/ingestion.digests" \
    --token_file="$state/secrets/ingestion.token" 2>"$state/ingestion.log" &
  ing_pid=$!
  trap 'kill $agg_pid $ing_pid 2>/dev/null || true' RETURN EXIT
  "$build/tools/omnia" health --address="$agg" --wait=30s >/dev/null
  "$build/tools/omnia" health --address="$ing" --wait=30s >/dev/null

  local line
  line=$("$build/tools/bench/omnia-bench" ingest --ingestion="$ing" --aggregation="$agg" \
    --streams=2 --queries_during=1 --applications="$data/applications.csv" \
    --payments="$data/payments.csv")
  while read -r l; do emit "${l%\}}, \"mobility_percent\": $mobility}"; done <<<"$line"
  for c in 1 8; do
    l=$("$build/tools/bench/omnia-bench" query --aggregation="$agg" --kind=cell --concurrency=$c \
      --duration=3s)
    emit "${l%\}}, \"mobility_percent\": $mobility}"
  done
  for s in agg ing; do
    local pid_var=${s}_pid
    emit "{\"step\": \"peak_rss_$s\", \"mib\": $(($(awk '/VmHWM/ {print $2}' \
      "/proc/${!pid_var}/status") / 1024)), \"mobility_percent\": $mobility}"
  done
  local events disk_agg disk_ing
  events=$(field "$(head -1 <<<"$line")" events)
  kill -TERM $ing_pid $agg_pid && wait $ing_pid $agg_pid || true
  disk_agg=$(du -sb "$state/aggregation" | cut -f1)
  disk_ing=$(du -sb "$state/ingestion" | cut -f1)
  emit "{\"step\": \"disk_bytes_per_event\", \"aggregation\": $((disk_agg / events)), \"ingestion\": $((disk_ing / events)), \"mobility_percent\": $mobility}"
  # Restart: how long aggregation takes to serve again with every event applied.
  local t0 t1
  t0=$(date +%s.%N)
  start_aggregation
  "$build/tools/omnia" health --address="$agg" --wait=120s >/dev/null
  t1=$(date +%s.%N)
  emit "{\"step\": \"aggregation_restart_to_serving\", \"seconds\": $(echo "$t1 - $t0" | bc), \"mobility_percent\": $mobility}"
  kill -TERM $agg_pid && wait $agg_pid || true

  if [ -d "$modules/@duckdb/node-api" ]; then
    l=$(NODE_PATH=$modules node "$root/tools/bench/duckdb_lattice.mjs" "$data/applications.csv" \
      "$data/payments.csv" "$work/regions.csv" "$work/types.csv" 2)
    emit "${l%\}}, \"mobility_percent\": $mobility}"
  fi
  rm -rf "$state"
}

for mobility in $mobilities; do
  echo "== mobility $mobility %: $payments payments, $applications applications, $workers workers"
  run_shape "$mobility"
done

echo "== summary (medians of one run per shape; ratio = omnia seconds / DuckDB seconds)"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["mobility_percent"], {})[r["step"]] = r
print(f"{'mobility':>8} {'events/s':>10} {'acked/s':>10} {'omnia s':>8} {'duckdb s':>9} {'ratio':>6} "
      f"{'q p99 ingest':>12} {'q p99 idle c1/c8':>17} {'rss agg/ing MiB':>16} {'disk B/ev':>10} {'restart s':>9}")
for m in sorted(by):
    s = by[m]
    e = s["ingest_end_to_end"]
    d = s.get("duckdb_lattice")
    ratio = f"{e['seconds'] / d['seconds']:.2f}" if d else "-"
    during = s.get("query_cell_c1_during_ingest", {}).get("p99_us", 0) / 1000
    idle = f"{s['query_cell_c1']['p99_us'] / 1000:.2f}/{s['query_cell_c8']['p99_us'] / 1000:.2f} ms"
    rss = f"{s['peak_rss_agg']['mib']}/{s['peak_rss_ing']['mib']}"
    disk = s["disk_bytes_per_event"]
    print(f"{m:>8} {e['events_per_second']:>10.0f} {e['acked_events_per_second']:>10.0f} "
          f"{e['seconds']:>8.2f} {(d['seconds'] if d else 0):>9.2f} {ratio:>6} {during:>9.2f} ms "
          f"{idle:>17} {rss:>16} {disk['aggregation'] + disk['ingestion']:>10} "
          f"{s['aggregation_restart_to_serving']['seconds']:>9}")
PY
