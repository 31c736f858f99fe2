#!/usr/bin/env bash
# A long fuzzing campaign (not CI): runs every libFuzzer target under
# ASan+UBSan for SECONDS each, TARGETS_AT_ONCE at a time, on a corpus that
# grows across campaigns (build/fuzz-campaign/<target>), then adds to the seed
# corpus in the repository the inputs that reach new coverage (libFuzzer
# -merge=1, so the seeds stay a minimal set).
# Crash, leak, timeout and out-of-memory inputs land in <seeds>/regressions/
# as in the smoke run; slow-unit reports stay in
# build/fuzz-campaign/<target>.artifacts/ (a fuzzer starved by other work
# reports inputs that run in milliseconds alone: replay one before keeping
# it). Prints each target's time and result; the README keeps the running
# total of hours per target.
# Usage: [FUZZ_TARGETS="t1 t2:SECONDS2"] scripts/fuzz_campaign.sh SECONDS [TARGETS_AT_ONCE]
# A target named as name:SECONDS runs that long instead (to bring each one
# up to the same total).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
seconds=${1:?seconds per target}
at_once=${2:-2}
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DSAMSA_FUZZ=ON -DSAMSA_BENCH=OFF >/dev/null
targets=$(ctest --test-dir build/fuzz -N -L '^fuzz$' | sed -n 's/.*Test *#[0-9]*: fuzz\.//p')
# FUZZ_TARGETS="a b" narrows the campaign to those targets (the ones furthest
# from their hour, say).
if [ -n "${FUZZ_TARGETS:-}" ]; then targets=$FUZZ_TARGETS; fi
# shellcheck disable=SC2086,SC2046
cmake --build build/fuzz -j2 --target $(printf '%s\n' $targets | sed 's/:.*//') >/dev/null
mkdir -p build/fuzz-campaign
run_one() {
  local target=${1%%:*} seconds=$seconds
  case $1 in *:*) seconds=${1#*:} ;; esac
  local line binary seeds
  line=$(ctest --test-dir build/fuzz -N -V -R "^fuzz\.${target}\$" | grep "Test command")
  binary=$(echo "$line" | awk -F'"' '{print $10}')
  seeds=$(echo "$line" | awk -F'"' '{print $12}')
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ]; then
    echo "$target: cannot find its binary or seed folder in ctest's command line" >&2
    return 1
  fi
  local grown=build/fuzz-campaign/$target artifacts=build/fuzz-campaign/$target.artifacts
  mkdir -p "$grown" "$seeds/regressions" "$artifacts"
  local started=$SECONDS status=0
  # The run's CPU time (user + system of the fuzzer), read from the subshell's
  # `times`: under load the wall-clock limit buys less than that much CPU.
  local cpu_line
  # Slow units are reported past 120 s, not libFuzzer's 10, and kept out of
  # the repository: the campaign runs at low priority beside other work, and
  # a starved fuzzer's wall-clock "slow" inputs run in a fraction of a second
  # alone.
  cpu_line=$( ("$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 -report_slow_units=120 \
    -artifact_prefix="$artifacts/" "$grown" "$seeds" >"build/fuzz-campaign/$target.log" 2>&1
    echo "exit $?"; times) | tail -n +1)
  status=$(echo "$cpu_line" | sed -n 's/^exit //p')
  local cpu_seconds
  cpu_seconds=$(echo "$cpu_line" | tail -1 | awk '{
    total = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); total += p[1] * 60 + p[2] }
    printf "%d", total }')
  # The repo's seeds gain only the inputs that reach new coverage (named
  # seeds stay as they are).
  "$binary" -merge=1 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" "$seeds" "$grown" >>"build/fuzz-campaign/$target.log" 2>&1
  local found
  for found in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
    if [ -f "$found" ]; then mv "$found" "$seeds/regressions/"; fi
  done
  local execs
  execs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz-campaign/$target.log" | tail -1 | awk '{print $2}')
  echo "$target: $((SECONDS - started)) s wall, ${cpu_seconds:-?} s CPU, ${execs:-?} inputs, exit $status, $(find "$seeds" -maxdepth 1 -type f | wc -l) seeds, regressions: $(find "$seeds/regressions" -type f | wc -l), slow-unit reports: $(find "$artifacts" -name 'slow-unit-*' | wc -l)"
}
export -f run_one
export seconds
# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$at_once" -I{} bash -c 'run_one {}'
