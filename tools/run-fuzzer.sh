#!/usr/bin/env bash
# Runs one libFuzzer target for a few seconds over a scratch copy of its seed corpus, so the
# inputs it discovers never land in the source tree. Exit status is the fuzzer's.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
if [ ! -x "$fuzzer" ]; then
  echo "fuzz target $fuzzer is not built (tools/test.sh builds it with clang)" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$corpus"/. "$scratch/"
mkdir -p "$scratch/artifacts"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$scratch/artifacts/" -print_final_stats=1 "$scratch"
