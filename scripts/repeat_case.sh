#!/usr/bin/env bash
# Runs one pytest case N times in a row and reports how many passed; stops at
# nothing. For flaky-case hunts (not in CI).
# Usage: scripts/repeat_case.sh N tests/integration/test_x.py::test_case[param]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=$1
case_id=$2
bin=${SAMSA_BIN:-$PWD/build/ci/src/cli/samsa}
passed=0
logs=$(mktemp -d -t samsa-repeat-XXXXXX)
for i in $(seq 1 "$runs"); do
  if SAMSA_BIN=$bin SAMSA_SOURCE_DIR=$PWD KAFKAJS_DIR=$PWD/.test-deps/node/node_modules PYTHONPATH=$PWD/tests/integration \
     /usr/bin/python3 -m pytest -q -p no:cacheprovider "$case_id" >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1))
    rm -f "$logs/run-$i.log"
  else
    echo "run $i failed: log in $logs/run-$i.log"
  fi
done
echo "$passed of $runs runs passed: $case_id"
[ "$passed" -eq "$runs" ]
