#!/usr/bin/env bash
# The `bench` target: the ingestion + aggregation workload of the performance issue, and the
# DuckDB peer on the same data in the same run; then the HTTP gateway beside nginx
# (http-bench.sh). Not a test: it prints measurements.
#   OMNIA_BENCH_PAYMENTS / _APPLICATIONS / _WORKERS   workload size (default 10M / 1M / 1M)
#   OMNIA_BENCH_DIR                                  scratch space (default build/bench)
#   OMNIA_BENCH_RAW_BYTES  size of the raw-event file imported in one call (default 1 GiB)
#   OMNIA_DUCKDB_MODULES  a node_modules folder holding @duckdb/node-api (default
#                         /tmp/duckdb-peer/node_modules; the peer is skipped when absent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OMNIA_BUILD_DIR:-$root/build}
work=${OMNIA_BENCH_DIR:-$build/bench}
payments=${OMNIA_BENCH_PAYMENTS:-10000000}
applications=${OMNIA_BENCH_APPLICATIONS:-1000000}
workers=${OMNIA_BENCH_WORKERS:-1000000}
data=$work/data-$payments-$applications-$workers
mkdir -p "$work"

if [ ! -f "$data/payments.csv" ]; then
  echo "== generating $payments payments, $applications applications, $workers workers"
  "$build/tools/generate/omnia-generate" --seed=1 --first_year=2020 --last_year=2025 \
    --payments="$payments" --applications="$applications" --workers="$workers" --out_dir="$data"
fi

state=$work/state
rm -rf "$state"
mkdir -p "$state"
base=$((20000 + RANDOM % 20000))
agg=127.0.0.1:$((base + 1))
ing=127.0.0.1:$((base + 2))
exp=127.0.0.1:$((base + 3))
cat=127.0.0.1:$((base + 4))
config=$root/deploy/config/datasets.textproto
export OMNIA_HMAC_KEY=bench-key-0123456789abcdef0123456789abcdef
# Authentication and roles stay on, as in production: the bench acts as an operator.
secrets=$state/secrets
"$root/deploy/auth/make-tokens.sh" "$secrets" >/dev/null
OMNIA_TOKEN=$(cat "$secrets/operator.token")
export OMNIA_TOKEN
"$build/services/aggregation/omnia-aggregation" --grpc_address="$agg" \
  --data_dir="$state/aggregation" --tokens_file="$secrets/aggregation.digests" \
  2>"$state/aggregation.log" &
agg_pid=$!
"$build/services/ingestion/omnia-ingestion" --grpc_address="$ing" --data_dir="$state/ingestion" \
  --aggregation_address="$agg" --max_backlog_events=100000000 \
  --tokens_file="$secrets/ingestion.digests" --token_file="$secrets/ingestion.token" \
  2>"$state/ingestion.log" &
ing_pid=$!
trap 'kill $agg_pid $ing_pid 2>/dev/null || true' EXIT
"$build/tools/omnia" health --address="$agg" --wait=30s >/dev/null
"$build/tools/omnia" health --address="$ing" --wait=30s >/dev/null

echo "== omnia: ingest + aggregate end to end"
"$build/tools/bench/omnia-bench" ingest --ingestion="$ing" --streams=2 \
  --applications="$data/applications.csv" --payments="$data/payments.csv"
for s in aggregation ingestion; do
  pid_var=${s:0:3}_pid
  rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/${!pid_var}/status")
  echo "{\"step\": \"peak_rss_$s\", \"mib\": $((rss_kb / 1024))}"
done

echo "== omnia: a 1 GiB raw-event file through ImportRawEvents, into a fresh ingestion"
# Staged and committed chunk by chunk: the peak memory is the process plus the deduplication
# index of the new ids (about 32 bytes each), not the file. Its aggregation is unreachable on
# purpose: the file's events stay out of the cubes that the next steps measure.
raw_ing=127.0.0.1:$((base + 5))
"$build/services/ingestion/omnia-ingestion" --grpc_address="$raw_ing" \
  --data_dir="$state/ingestion-raw" --aggregation_address=127.0.0.1:$((base + 6)) \
  --max_backlog_events=100000000 --tokens_file="$secrets/ingestion.digests" \
  --token_file="$secrets/ingestion.token" 2>"$state/ingestion-raw.log" &
raw_pid=$!
trap 'kill $agg_pid $ing_pid $raw_pid 2>/dev/null || true' EXIT
"$build/tools/omnia" health --address="$raw_ing" --wait=30s >/dev/null
"$build/tools/bench/omnia-bench" import-raw --ingestion="$raw_ing" \
  --raw_bytes="${OMNIA_BENCH_RAW_BYTES:-1073741824}"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$raw_pid/status")
echo "{\"step\": \"peak_rss_ingestion_import_raw\", \"mib\": $((rss_kb / 1024))}"
kill -TERM $raw_pid
wait $raw_pid || true
trap 'kill $agg_pid $ing_pid 2>/dev/null || true' EXIT

echo "== omnia: Query over gRPC on loopback"
for kind in cell national; do
  for c in 1 8; do
    "$build/tools/bench/omnia-bench" query --aggregation="$agg" --kind=$kind --concurrency=$c \
      --duration=5s
  done
done

echo "== omnia: rendering and publishing"
mkdir -p "$state/tmp"
"$build/services/exporter/omnia-exporter" --grpc_address="$exp" --aggregation_address="$agg" \
  --catalogue_config="$config" --temp_dir="$state/tmp" 2>"$state/exporter.log" &
exp_pid=$!
"$build/services/catalogue/omnia-catalogue" --grpc_address="$cat" --data_dir="$state/catalogue" \
  --aggregation_address="$agg" --exporter_address="$exp" --catalogue_config="$config" \
  --tokens_file="$secrets/catalogue.digests" --token_file="$secrets/catalogue.token" \
  2>"$state/catalogue.log" &
cat_pid=$!
trap 'kill $agg_pid $ing_pid $exp_pid $cat_pid 2>/dev/null || true' EXIT
"$build/tools/omnia" health --address="$exp" --wait=30s >/dev/null
"$build/tools/omnia" health --address="$cat" --wait=30s >/dev/null
"$build/tools/bench/omnia-bench" export --exporter="$exp" \
  --dataset=integrazioni-salariali-lavoratori-storico --runs=11
"$build/tools/bench/omnia-bench" publish --catalogue="$cat" --runs=3

echo "== omnia: the HTTP gateway beside nginx serving the same bytes"
"$root/tools/bench/http-bench.sh" "$build" "$state" "$cat" "$exp" "$agg" "$secrets/gateway.token"
kill -TERM $ing_pid $agg_pid $exp_pid $cat_pid
wait $ing_pid $agg_pid $exp_pid $cat_pid || true
trap - EXIT

modules=${OMNIA_DUCKDB_MODULES:-/tmp/duckdb-peer/node_modules}
if [ -d "$modules/@duckdb/node-api" ]; then
  echo "== peer: DuckDB on the same payments CSV (2 threads)"
  NODE_PATH=$modules node --experimental-default-type=module \
    "$root/../shared/bench/duckdb_peer.mjs" "$data/payments.csv" 2
else
  echo "== peer skipped: no @duckdb/node-api under $modules"
fi
