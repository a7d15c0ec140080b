#!/usr/bin/env bash
# README command 1, the main job: installs what is missing, builds, starts the four services
# locally with their state under var/, shows they are healthy, and stops them cleanly.
# OMNIA_KEEP_RUNNING=1 leaves them up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools/install-deps.sh
tools/build.sh
launcher=deploy/local/omnia-local.sh
trap '[ "${OMNIA_KEEP_RUNNING:-0}" = 1 ] || $launcher stop' EXIT
$launcher start
$launcher status
if [ "${OMNIA_KEEP_RUNNING:-0}" = 1 ]; then
  echo "services left running; stop them with $launcher stop"
fi
