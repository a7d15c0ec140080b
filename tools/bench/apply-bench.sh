#!/usr/bin/env bash
# The cube's Apply in process at every mobility: the whole dataset applied batch by batch, and one
# batch applied to a small and to a large cube (work per batch must not grow with the cube); then
# ingestion's batch intake in process (validation, pseudonyms, deduplication, the synced log
# write), its CPU per event.
#   OMNIA_BENCH_PAYMENTS / _APPLICATIONS / _WORKERS   workload size (default 10M / 1M / 1M)
#   OMNIA_BENCH_MOBILITIES   mobility percents (default "0 50 100")
set -euo pipefail
# Where things are, and the services' allocator settings (the cube runs as it is deployed).
source "$(dirname "$0")/bench-lib.sh"
echo "== cube Apply in process"
for mobility in ${OMNIA_BENCH_MOBILITIES:-0 50 100}; do
  "$build/tools/bench/omnia-apply-bench" --mobility_percent="$mobility" \
    --payments="$payments" --applications="$applications" --workers="$workers" --scratch="$work"
done
echo "== ingestion's batch intake in process"
for mobility in ${OMNIA_BENCH_MOBILITIES:-0 50 100}; do
  "$build/tools/bench/omnia-intake-bench" --mobility_percent="$mobility" \
    --payments="$payments" --applications="$applications" --workers="$workers" --scratch="$work"
done
