#!/usr/bin/env bash
# README command 2: installs what is missing, builds everything with warnings as errors, builds
# the libFuzzer targets with clang and a ThreadSanitizer tree, runs the unit and integration tests
# under ThreadSanitizer and then every test through ctest (its summary ends the output).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Paths relative to the checkout in compiler command lines let ccache share results between
# clones in different folders.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
cd "$root"
tools/install-deps.sh

echo "== building (warnings are errors)"
tools/build.sh -DOMNIA_WERROR=ON

echo "== building fuzz targets (clang, libFuzzer)"
fuzz=$root/build-fuzz
if [ ! -f "$fuzz/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz" -G Ninja -DOMNIA_FUZZ_ONLY=ON \
    -DOMNIA_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$fuzz" -j "${OMNIA_JOBS:-2}"

echo "== building the ThreadSanitizer tree (unit and integration tests)"
tsan=$root/build-tsan
if [ ! -f "$tsan/build.ninja" ]; then
  cmake -S "$root" -B "$tsan" -G Ninja -DOMNIA_TSAN=ON -DOMNIA_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$tsan" -j "${OMNIA_JOBS:-2}"

echo "== running the unit and integration tests under ThreadSanitizer"
tsan_status=0
(cd "$tsan" && ctest --output-on-failure -j 2 --timeout 900) || tsan_status=$?

echo "== running tests"
cd "$root/build"
status=0
ctest --output-on-failure -j 2 --timeout 600 || status=$?
if [ "$tsan_status" -ne 0 ]; then
  echo "ThreadSanitizer tests FAILED (see above)"
fi
exit $((status != 0 || tsan_status != 0))
