#!/usr/bin/env bash
# The cube's Apply in process at every mobility: the whole dataset applied batch by batch, and one
# batch applied to a small and to a large cube (work per batch must not grow with the cube).
#   OMNIA_BENCH_PAYMENTS / _APPLICATIONS / _WORKERS   workload size (default 10M / 1M / 1M)
#   OMNIA_BENCH_MOBILITIES   mobility percents (default "0 50 100")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OMNIA_BUILD_DIR:-$root/build}
work=${OMNIA_BENCH_DIR:-$build/bench}
mkdir -p "$work"
echo "== cube Apply in process"
for mobility in ${OMNIA_BENCH_MOBILITIES:-0 50 100}; do
  "$build/tools/bench/omnia-apply-bench" --mobility_percent="$mobility" \
    --payments="${OMNIA_BENCH_PAYMENTS:-10000000}" \
    --applications="${OMNIA_BENCH_APPLICATIONS:-1000000}" \
    --workers="${OMNIA_BENCH_WORKERS:-1000000}" --scratch="$work"
done
