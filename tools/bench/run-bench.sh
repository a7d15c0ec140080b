#!/usr/bin/env bash
# The `bench` target: the ingestion + aggregation workload of the performance issue, and the
# DuckDB peer on the same data in the same run; then the HTTP gateway beside nginx
# (http-bench.sh). Not a test: it prints measurements.
#   OMNIA_BENCH_RAW_BYTES  size of the raw-event file imported in one call (default 1 GiB)
#   and the variables of bench-lib.sh (workload size, scratch space, the DuckDB peer).
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
data=$work/data-$payments-$applications-$workers
echo "== workload: $payments payments, $applications applications, $workers workers"
generate_data "$data"

state=$work/state
rm -rf "$state"
mkdir -p "$state"
base=$((20000 + RANDOM % 20000))
agg=127.0.0.1:$((base + 1))
ing=127.0.0.1:$((base + 2))
exp=127.0.0.1:$((base + 3))
cat=127.0.0.1:$((base + 4))
config=$root/deploy/config/datasets.textproto
secrets=$state/secrets
make_secrets "$secrets"
start_aggregation "$agg" "$state" "$secrets"
start_ingestion "$ing" "$state/ingestion" "$agg" "$secrets" "$state/ingestion.log"
trap 'kill $agg_pid $ing_pid 2>/dev/null || true' EXIT
wait_serving "$agg"
wait_serving "$ing"

echo "== omnia: ingest + aggregate end to end"
"$build/tools/bench/omnia-bench" ingest --ingestion="$ing" --streams=2 \
  --applications="$data/applications.csv" --payments="$data/payments.csv"
for s in aggregation ingestion; do
  pid_var=${s:0:3}_pid
  echo "{\"step\": \"peak_rss_$s\", \"mib\": $(peak_rss_mib "${!pid_var}")}"
done

echo "== omnia: a 1 GiB raw-event file through ImportRawEvents, into a fresh ingestion"
# Staged and committed chunk by chunk: the peak memory is the process plus the deduplication
# index of the new ids (about 32 bytes each), not the file. Its aggregation is unreachable on
# purpose: the file's events stay out of the cubes that the next steps measure.
raw_ing=127.0.0.1:$((base + 5))
main_ing_pid=$ing_pid
start_ingestion "$raw_ing" "$state/ingestion-raw" 127.0.0.1:$((base + 6)) "$secrets" \
  "$state/ingestion-raw.log"
raw_pid=$ing_pid
ing_pid=$main_ing_pid
trap 'kill $agg_pid $ing_pid $raw_pid 2>/dev/null || true' EXIT
wait_serving "$raw_ing"
"$build/tools/bench/omnia-bench" import-raw --ingestion="$raw_ing" \
  --raw_bytes="${OMNIA_BENCH_RAW_BYTES:-1073741824}"
echo "{\"step\": \"peak_rss_ingestion_import_raw\", \"mib\": $(peak_rss_mib $raw_pid)}"
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
wait_serving "$exp"
wait_serving "$cat"
"$build/tools/bench/omnia-bench" export --exporter="$exp" \
  --dataset=integrazioni-salariali-lavoratori-storico --runs=11
"$build/tools/bench/omnia-bench" publish --catalogue="$cat" --runs=3

echo "== omnia: the HTTP gateway beside nginx serving the same bytes"
"$root/tools/bench/http-bench.sh" "$build" "$state" "$cat" "$exp" "$agg" "$secrets/gateway.token"
kill -TERM $ing_pid $agg_pid $exp_pid $cat_pid
wait $ing_pid $agg_pid $exp_pid $cat_pid || true
trap - EXIT

ensure_duckdb_peer
if [ -n "$duckdb_modules" ]; then
  echo "== peer: DuckDB on the same payments CSV (2 threads)"
  NODE_PATH=$duckdb_modules node --experimental-default-type=module \
    "$root/../shared/bench/duckdb_peer.mjs" "$data/payments.csv" 2
fi
