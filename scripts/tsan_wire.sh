#!/usr/bin/env bash
# The wire tests against a ThreadSanitizer build of the broker: a check to
# run after changing what the request handler threads, the control thread or
# the worker pool share (docs/architecture.md, "Threads"). Not a CI step: the
# sanitizer build takes about 15 minutes cold on 2 cores.
#
#   scripts/tsan_wire.sh [ctest regex]      (default: every wire test)
#
# The test binaries of build/ci (scripts/test.sh builds them) drive the
# sanitizer-built `samsa` through SAMSA_BIN. Reports land in
# build/tsan/reports/; the script fails when the broker reported anything.
# Test failures alone are printed but expected for a few cases: the sanitizer's
# shadow memory breaks the RSS bounds of NameAmplificationWire.* and
# HostileWire.TenThousandConnections.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tests=${SAMSA_TEST_BUILD:-build/ci}
jobs=$(nproc)
if [[ ! -d "$tests" ]]; then
  echo "tsan_wire: no test build in $tests (run scripts/test.sh, or set SAMSA_TEST_BUILD)" >&2
  exit 2
fi

# SAMSA_TESTS=ON compiles the broker's test hooks in (latches, crash points);
# only the samsa target is built.
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMSA_UNITY=ON -DSAMSA_TESTS=ON \
  -DSAMSA_BENCH=OFF -DSAMSA_STATIC_DEPS=OFF -DSAMSA_SINK_WITH_SAMSA=OFF \
  -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_C_FLAGS=-fsanitize=thread \
  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build build/tsan -j"$jobs" --target samsa

reports="$root/build/tsan/reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
SAMSA_BIN="$root/build/tsan/src/cli/samsa" \
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$reports/report" \
  ctest --test-dir "$tests" -j"$jobs" -L '^wire$' ${1:+-R "$1"} || status=$?

found=$(find "$reports" -type f | wc -l)
echo "tsan_wire: ctest exit $status; $found ThreadSanitizer report file(s) in $reports"
if [[ "$found" -gt 0 ]]; then
  grep -h "^WARNING: ThreadSanitizer" "$reports"/* | sort | uniq -c
  exit 1
fi
