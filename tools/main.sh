#!/usr/bin/env bash
# README command 1, the main job. On a fresh machine: installs what is missing, builds, starts the
# four services locally with their state under var/, generates the synthetic 2020-2025 data and
# streams it in (and imports INPS's real 2023 files when ../shared/data is there), publishes a
# release, downloads and verifies every attachment into out/, prints the catalogue, and ends with
# the URL of the portal on the HTTP gateway, left running with the services so that every page
# and published file can be fetched there (deploy/local/omnia-local.sh stop stops them; OMNIA_KEEP_RUNNING=0 stops them
# at the end). A second run reuses the state: nothing is generated or sent twice, and the new
# release only moves the datasets whose content changed. A failed run stops the services.
#   OMNIA_STATE_DIR (default var/), OMNIA_OUT_DIR (default out/), OMNIA_PAYMENTS (default 2M),
#   OMNIA_HTTP_PORT (the gateway's port, default 8080)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools/install-deps.sh
tools/build.sh

state=${OMNIA_STATE_DIR:-$root/var}
out=${OMNIA_OUT_DIR:-$root/out}
export OMNIA_STATE_DIR=$state
payments=${OMNIA_PAYMENTS:-2000000}
omnia=$root/build/tools/omnia
launcher=$root/deploy/local/omnia-local.sh
base=${OMNIA_BASE_PORT:-50050}
# The CLI reads each service's address from its OMNIA_<SERVICE>_ADDRESS.
export OMNIA_INGESTION_ADDRESS=127.0.0.1:$((base + 1)) OMNIA_AGGREGATION_ADDRESS=127.0.0.1:$((base + 2))
export OMNIA_CATALOGUE_ADDRESS=127.0.0.1:$((base + 3)) OMNIA_EXPORTER_ADDRESS=127.0.0.1:$((base + 4))

# The services stay up after a successful run (the gateway's URL is the result), never after a
# failed one.
# shellcheck disable=SC2154 # code is assigned inside the trap
trap 'code=$?; if [ $code -ne 0 ] || [ "${OMNIA_KEEP_RUNNING:-1}" = 0 ]; then $launcher stop; fi' EXIT
echo "== starting the services (state in $state)"
$launcher start
# The operator's token for the write calls below (ingest, import, publish).
OMNIA_TOKEN=$(cat "$state/secrets/operator.token")
export OMNIA_TOKEN

generated=$state/generated
if [ ! -f "$generated/.ingested" ]; then
  echo "== generating synthetic 2020-2025 data ($payments payments)"
  "$omnia" generate --seed=2026 --first_year=2020 --last_year=2025 --payments="$payments" \
    --applications=$((payments / 4)) --workers=$((payments / 10)) --out_dir="$generated"
  echo "== streaming it into ingestion"
  "$omnia" ingest --producer=synthetic "$generated/applications.csv" \
    "$generated/payments.csv"
  touch "$generated/.ingested"
else
  echo "== synthetic data already ingested (remove $generated/.ingested to send it again)"
fi

shared=$root/../shared/data/inps-2023
if [ -d "$shared" ]; then
  echo "== importing INPS's published 2023 files"
  "$omnia" import "$shared"/integrazioni-salariali-*-2023.csv
fi

echo "== waiting for aggregation to apply everything"
"$omnia" status --wait_applied --timeout=10m

echo "== publishing"
"$omnia" publish --description="main job $(date -u +%Y-%m-%dT%H:%MZ)"

echo "== downloading every attachment into $out"
rm -rf "$out"
"$omnia" download --out_dir="$out"

echo "== the catalogue"
"$omnia" datasets
echo
echo "files: $out"
gateway=http://127.0.0.1:${OMNIA_HTTP_PORT:-8080}
if [ "${OMNIA_KEEP_RUNNING:-1}" = 0 ]; then
  echo "services stopped (OMNIA_KEEP_RUNNING=0)"
else
  curl -fsS --max-time 5 "$gateway/readyz" >/dev/null
  echo "services left running; stop them with $launcher stop"
  echo "files over HTTP: $gateway/dataset/<dataset_id>/<file_name> (latest release),"
  echo "  $gateway/releases/<release_id>/<dataset_id>/<file_name>, .../<release_id>/SHA256SUMS"
  echo "Cruscotto: $gateway/cruscotto, releases: $gateway/rilasci"
  echo "the portal (Open Data, Cruscotto):"
  echo "$gateway/"
fi
