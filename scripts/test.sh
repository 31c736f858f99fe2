#!/usr/bin/env bash
# The whole test suite: installs test dependencies, builds with warnings as
# errors, runs every fuzz target briefly under ASan+UBSan (clang/libFuzzer),
# then every unit, integration and compatibility test with ctest. The last
# thing printed is ctest's summary of the main run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SAMSA_JOBS:-2}
# Relative paths in ccache keys, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR=$PWD

# Prints how long the step that just ended took.
step_started=$SECONDS
step_done() {
  echo "-- $1 took $((SECONDS - step_started)) s"
  step_started=$SECONDS
}

./scripts/install-deps.sh --test
step_done "installing dependencies"

echo "== fuzz smoke (clang, ASan+UBSan, ${SAMSA_FUZZ_SECONDS:-10} s per target)"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DSAMSA_FUZZ=ON -DSAMSA_BENCH=OFF \
  -DSAMSA_FUZZ_SECONDS="${SAMSA_FUZZ_SECONDS:-10}" >/dev/null
fuzz_targets=$(ctest --test-dir build/fuzz -N -L '^fuzz$' | sed -n 's/.*Test *#[0-9]*: fuzz\.//p')
# shellcheck disable=SC2086
cmake --build build/fuzz -j"$jobs" --target $fuzz_targets
ctest --test-dir build/fuzz -L '^fuzz$' -j"$jobs" --output-on-failure
step_done "fuzz smoke (build and runs)"

echo "== build (Release, warnings are errors)"
# Unity batches, as the quick start builds. A batch can hide a missing
# #include; the fuzz build above compiles its libraries file by file, and
# `build.sh debug` every file.
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release -DSAMSA_WERROR=ON -DSAMSA_UNITY=ON >/dev/null
cmake --build build/ci -j"$jobs"
step_done "release build"

echo "== tests"
# shellcheck source=../tests/known_gaps.sh
source tests/known_gaps.sh
deselect=""
for case in "${SAMSA_KNOWN_GAP_CASES[@]}"; do deselect+=" --deselect $case"; done
echo "not run here (known gaps, see README): ${SAMSA_KNOWN_GAP_TESTS:-none}${deselect}"
exclude=()
if [ -n "$SAMSA_KNOWN_GAP_TESTS" ]; then exclude=(-E "$SAMSA_KNOWN_GAP_TESTS"); fi
# The label summary ctest prints at the end gives each suite's time.
PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-}${deselect}" \
  ctest --test-dir build/ci -j"$jobs" --output-on-failure -LE '^fuzz$' "${exclude[@]}"
step_done "tests"
