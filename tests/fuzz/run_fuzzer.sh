#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a scratch copy of its seed corpus.
# usage: run_fuzzer.sh FUZZER SEED_DIR SECONDS
#
# What it finds is kept: a crash, leak or timeout input is written to
# SEED_DIR/regressions/ (in the source tree), where the corpus replay of the
# GCC build (replay.<target>) feeds it to the target on every CI run, so the
# failure stays visible until it is fixed; commit it with the fix. The grown
# corpus itself stays scratch (minimise it by hand before adding seeds).
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/
rm -rf "$work/regressions"  # replayed below, not mutated as seeds
mkdir -p "$seeds/regressions"
# Known reproducers first: a regression fails the run before any new fuzzing.
if compgen -G "$seeds/regressions/*" >/dev/null; then
  "$fuzzer" -rss_limit_mb=2048 "$seeds"/regressions/*
fi
status=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$seeds/regressions/" "$work" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run_fuzzer: $(basename "$fuzzer") failed; reproducer kept in $seeds/regressions/ (commit it with the fix):" >&2
  ls -1 "$seeds/regressions/" >&2
fi
exit "$status"
