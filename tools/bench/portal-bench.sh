#!/usr/bin/env bash
# The portal's bench (part of the `bench` target; not a test): the services and the gateway on
# loopback with a synthetic 2020-2025 workload (and INPS's real 2023 files when ../shared/data is
# there), one release, then for each page (/, /dataset/{id}, /cruscotto, /rilasci) the server
# time p50 from the gateway's access log, cold (a freshly started gateway, nothing cached) and
# cached, and the page weight.
#   OMNIA_BENCH_PORTAL_PAYMENTS  synthetic payments (default 200000)
#   OMNIA_BENCH_DIR              scratch space (default build/bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${OMNIA_BUILD_DIR:-$root/build}
work=${OMNIA_BENCH_DIR:-$build/bench}/portal
payments=${OMNIA_BENCH_PORTAL_PAYMENTS:-200000}
cold_runs=5
cached_runs=50
export OMNIA_STATE_DIR=$work/state OMNIA_BIN_DIR=$build
export OMNIA_BASE_PORT=$((20000 + RANDOM % 20000)) OMNIA_HTTP_PORT=$((40000 + RANDOM % 20000))
launcher=$root/deploy/local/omnia-local.sh
omnia=$build/tools/omnia
base=$OMNIA_BASE_PORT
# The CLI reads each service's address from its OMNIA_<SERVICE>_ADDRESS.
export OMNIA_INGESTION_ADDRESS=127.0.0.1:$((base + 1)) OMNIA_AGGREGATION_ADDRESS=127.0.0.1:$((base + 2))
export OMNIA_CATALOGUE_ADDRESS=127.0.0.1:$((base + 3)) OMNIA_EXPORTER_ADDRESS=127.0.0.1:$((base + 4))
url=http://127.0.0.1:$OMNIA_HTTP_PORT
log=$OMNIA_STATE_DIR/logs/gateway.log

rm -rf "$work"
mkdir -p "$work"
trap '$launcher stop >/dev/null 2>&1 || true' EXIT
$launcher start >/dev/null
OMNIA_TOKEN=$(cat "$OMNIA_STATE_DIR/secrets/operator.token")
export OMNIA_TOKEN
echo "== portal: $payments synthetic payments 2020-2025, one release"
"$omnia" generate --seed=2026 --first_year=2020 --last_year=2025 --payments="$payments" \
  --applications=$((payments / 4)) --workers=$((payments / 10)) --out_dir="$work/data" >/dev/null
"$omnia" ingest --producer=synthetic "$work/data/applications.csv" \
  "$work/data/payments.csv" >/dev/null
shared=$root/../shared/data/inps-2023
if [ -d "$shared" ]; then
  "$omnia" import "$shared"/integrazioni-salariali-*-2023.csv >/dev/null
fi
"$omnia" status --wait_applied --timeout=10m >/dev/null
"$omnia" publish --description="portal bench" >/dev/null
dataset=$(curl -fsS "$url/" | grep -o 'href="/dataset/[^"/]*"' | head -1 | cut -d'"' -f2)
pages=(/ "$dataset" /cruscotto /rilasci)

# The server time (ms) of the last request the gateway logged.
last_ms() { grep ' access ' "$log" | tail -1 | sed 's/.* ms=//'; }
p50() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
restart_gateway() {
  kill -TERM "$(cat "$OMNIA_STATE_DIR/run/gateway.pid")"
  while kill -0 "$(cat "$OMNIA_STATE_DIR/run/gateway.pid")" 2>/dev/null; do sleep 0.05; done
  $launcher start >/dev/null
}

declare -A cold
for _ in $(seq 1 $cold_runs); do
  restart_gateway
  for page in "${pages[@]}"; do
    curl -fsS -o /dev/null "$url$page"
    cold[$page]+="$(last_ms) "
  done
done
printf '%-52s %10s %10s %10s\n' "page" "cold p50" "cached p50" "weight"
for page in "${pages[@]}"; do
  cached=()
  for _ in $(seq 1 $cached_runs); do
    curl -fsS -o /dev/null "$url$page"
    cached+=("$(last_ms)")
  done
  bytes=$(curl -fsS -o /dev/null -w '%{size_download}' "$url$page")
  printf '%-52s %7s ms %7s ms %7s kB\n' "$page" \
    "$(tr ' ' '\n' <<<"${cold[$page]}" | grep . | p50)" \
    "$(printf '%s\n' "${cached[@]}" | p50)" "$((bytes / 1024))"
done
