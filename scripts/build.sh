#!/usr/bin/env bash
# Configures and builds Samsa. usage: build.sh [release|debug|asan] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=$PWD
kind=${1:-release}
shift || true
# Tests and benchmarks on explicitly: the quick start configures build/release
# with only the binary, and CMake would otherwise keep that choice. Release
# builds compile libraries in unity batches (a fresh build in a third of the
# CPU time); debug builds do not, so an edit recompiles one file.
case "$kind" in
  release) args=(-DCMAKE_BUILD_TYPE=Release -DSAMSA_TESTS=ON -DSAMSA_BENCH=ON -DSAMSA_UNITY=ON) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DSAMSA_SANITIZE=ON) ;;
  *) echo "build.sh: unknown build kind '$kind' (release, debug or asan)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$kind" "${args[@]}" "$@" >/dev/null
cmake --build "build/$kind" -j"$(nproc)"
