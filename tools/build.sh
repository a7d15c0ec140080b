#!/usr/bin/env bash
# Configures (once) and builds the main tree incrementally. Usage: tools/build.sh [extra cmake -D
# options]. The build directory is build/ unless OMNIA_BUILD_DIR says otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Paths relative to the checkout in compiler command lines let ccache share results between
# clones in different folders.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
# Debug info would otherwise tie each cached object to the folder it was built in.
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
build=${OMNIA_BUILD_DIR:-$root/build}
jobs=${OMNIA_JOBS:-2}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
elif [ $# -gt 0 ]; then
  cmake "$build" "$@"
fi
cmake --build "$build" -j "$jobs"
