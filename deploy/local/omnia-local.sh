#!/usr/bin/env bash
# The local all-in-one launcher: runs the four services on loopback with embedded RocksDB under a
# state directory, and the HTTP gateway in front of them, with bearer-token authentication and roles on (deploy/auth/roles; tokens and
# each server's digests in <state>/secrets; the CLI uses
# OMNIA_TOKEN=$(cat <state>/secrets/operator.token) for writes, a producer producer.token).
# Usage: deploy/local/omnia-local.sh start|stop|status
#   OMNIA_STATE_DIR  state and logs (default: var/ in the source tree)
#   OMNIA_BIN_DIR    the build tree holding services/ and tools/ (default: build/)
#   OMNIA_BASE_PORT  gRPC ports are BASE+1..BASE+4 and metrics ports BASE+11..BASE+14, the
#                    gateway's metrics BASE+15 (default 50050)
#   OMNIA_HTTP_PORT  the gateway's HTTP port (default 8080)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${OMNIA_STATE_DIR:-$root/var}
bin=${OMNIA_BIN_DIR:-$root/build}
base=${OMNIA_BASE_PORT:-50050}
config=$root/deploy/config/datasets.textproto
services=(aggregation exporter ingestion catalogue)
http_port=${OMNIA_HTTP_PORT:-8080}
gateway_url=http://127.0.0.1:$http_port
# glibc backs the heap with transparent huge pages (Debian's kernels give them on request only):
# the ingestion index and the cubes grow by hundreds of MiB, and faulting that in 4 KiB pages
# cost ingestion about a fifth of its CPU in the throughput bench; per-batch buffers stay in the
# heap instead of being mapped, unmapped and zeroed again each time (docs/scaling.md).
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456}

port_of() {
  case $1 in
    ingestion) echo $((base + 1)) ;;
    aggregation) echo $((base + 2)) ;;
    catalogue) echo $((base + 3)) ;;
    exporter) echo $((base + 4)) ;;
  esac
}
address_of() { echo "127.0.0.1:$(port_of "$1")"; }
metrics_of() { echo "127.0.0.1:$(($(port_of "$1") + 10))"; }

secrets=$state/secrets

# Local secrets, kept with the state (never in the repository): a token per role (operator,
# producer, ingestion, catalogue), made once, and the digest file each server checks, rewritten
# on every start so that it follows deploy/auth/roles. An older state's clear-text tokens file is
# replaced the same way.
ensure_secrets() {
  "$root/deploy/auth/make-tokens.sh" "$secrets" >/dev/null
}

# Each server checks only its own callers' digests and holds only the token it sends; the
# exporter serves no write method and gets neither.
flags_of() {
  case $1 in
    ingestion) echo "--data_dir=$state/ingestion --aggregation_address=$(address_of aggregation)" \
      "--insecure_dev_hmac_key --tokens_file=$secrets/ingestion.digests" \
      "--token_file=$secrets/ingestion.token" ;;
    aggregation) echo "--data_dir=$state/aggregation --tokens_file=$secrets/aggregation.digests" ;;
    catalogue) echo "--data_dir=$state/catalogue --exporter_address=$(address_of exporter)" \
      "--aggregation_address=$(address_of aggregation) --catalogue_config=$config" \
      "--tokens_file=$secrets/catalogue.digests --token_file=$secrets/catalogue.token" \
      "--public_base_url=$gateway_url" ;;
    exporter) echo "--aggregation_address=$(address_of aggregation) --catalogue_config=$config" \
      "--temp_dir=$state/tmp" ;;
  esac
}

start() {
  ensure_secrets
  mkdir -p "$state/run" "$state/logs" "$state/tmp"
  for s in "${services[@]}"; do
    pidfile=$state/run/$s.pid
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "$s already running (pid $(cat "$pidfile"))"
      continue
    fi
    # shellcheck disable=SC2046
    "$bin/services/$s/omnia-$s" --grpc_address="$(address_of "$s")" \
      --metrics_address="$(metrics_of "$s")" $(flags_of "$s") \
      >>"$state/logs/$s.log" 2>&1 &
    echo $! >"$pidfile"
  done
  for s in "${services[@]}"; do
    if ! "$bin/tools/omnia" health --address="$(address_of "$s")" --wait=30s >/dev/null; then
      echo "$s did not become healthy; its log:" >&2
      tail -n 20 "$state/logs/$s.log" >&2
      return 1
    fi
    echo "$s: SERVING on $(address_of "$s"), metrics on http://$(metrics_of "$s")/metrics"
  done
  start_gateway
}

# The HTTP gateway: stateless, in front of the catalogue, the exporter and aggregation.
start_gateway() {
  local pidfile=$state/run/gateway.pid metrics=127.0.0.1:$((base + 15))
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "gateway already running (pid $(cat "$pidfile"))"
  else
    "$bin/services/gateway/omnia-gateway" --http_address="127.0.0.1:$http_port" \
      --metrics_address="$metrics" --catalogue_address="$(address_of catalogue)" \
      --exporter_address="$(address_of exporter)" \
      --aggregation_address="$(address_of aggregation)" --public_base_url="$gateway_url" \
      --token_file="$secrets/gateway.token" >>"$state/logs/gateway.log" 2>&1 &
    echo $! >"$pidfile"
  fi
  for _ in $(seq 1 300); do
    if curl -fsS --max-time 2 "$gateway_url/readyz" >/dev/null 2>&1; then
      echo "gateway: $gateway_url (files at /releases/<release>/<dataset>/<file> and" \
        "/dataset/<dataset>/<file>), metrics on http://$metrics/metrics"
      echo "portal: $gateway_url/"
      return 0
    fi
    sleep 0.1
  done
  echo "gateway did not become ready on $gateway_url; its log:" >&2
  tail -n 20 "$state/logs/gateway.log" >&2
  return 1
}

stop() {
  local failed=0
  for s in gateway "${services[@]}"; do
    pidfile=$state/run/$s.pid
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -TERM "$pid" 2>/dev/null; then
      # wait only works for our own children; poll otherwise.
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "$s did not stop after SIGTERM; killing" >&2
        kill -KILL "$pid"
        failed=1
      else
        echo "$s: stopped"
      fi
    fi
    rm -f "$pidfile"
  done
  return $failed
}

status() {
  for s in "${services[@]}"; do
    printf '%s: ' "$s"
    "$bin/tools/omnia" health --address="$(address_of "$s")" --timeout=2s || true
  done
  printf 'gateway: '
  curl -sS --max-time 2 "$gateway_url/readyz" || echo "not reachable on $gateway_url"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
