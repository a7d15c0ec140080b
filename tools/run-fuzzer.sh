#!/usr/bin/env bash
# Runs one libFuzzer target for a few seconds over a scratch copy of its seed corpus, so the
# inputs it discovers never land in the source tree. On a finding, the crashing input is kept in
# $OMNIA_FUZZ_ARTIFACTS (default build-fuzz/artifacts) and printed in hex. Exit status is the
# fuzzer's.
set -uo pipefail
fuzzer=$1 corpus=$2 seconds=$3 seed=${4:-0}  # seed 0: libFuzzer picks one
if [ ! -x "$fuzzer" ]; then
  echo "fuzz target $fuzzer is not built (tools/test.sh builds it with clang)" >&2
  exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)
artifacts=${OMNIA_FUZZ_ARTIFACTS:-$root/build-fuzz/artifacts}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$corpus"/. "$scratch/"
mkdir -p "$artifacts"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/$(basename "$fuzzer")-" -print_final_stats=1 -seed="$seed" \
  "$scratch"
rc=$?
if [ $rc -ne 0 ]; then
  for f in "$artifacts/$(basename "$fuzzer")"-*; do
    [ -f "$f" ] && { echo "finding: $f"; od -A d -t x1 "$f" | head -40; }
  done
fi
exit $rc
