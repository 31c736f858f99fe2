#!/usr/bin/env bash
# Quick start: installs what is missing, builds the `samsa` binary (Release),
# starts a broker on 127.0.0.1:9092 with data in ./data, runs the main job (the
# guided tour), and leaves the broker running. Only what the binary needs is
# installed and built here; tests and their peers (GoogleTest, Chromium,
# PostgreSQL, KafkaJS, the newer librdkafka) belong to scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per phase, with the seconds since the start.
phase() { echo "quickstart [${SECONDS} s] $*"; }

phase "1/4 Debian packages the samsa binary needs"
./scripts/install-deps.sh

phase "2/4 building samsa (Release; about 4-5 minutes of a 2-core machine the first time, seconds after)"
# Relative paths in ccache's keys let another clone reuse the cache.
export CCACHE_BASEDIR=$PWD
# Ninja keeps both cores busy across library boundaries (Make: 544 s wall for
# the same cold build that Ninja does in 450 s); a build/release made
# earlier with another generator keeps it.
generator=(-G Ninja)
if [[ -f build/release/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/release/CMakeCache.txt; then
  generator=()
fi
# SAMSA_QUICK_BUILD: base, record and storage (the per-byte code) at -O2,
# the rest at -O1 (README, "Performance"); samsa-sink-postgres is left for
# when a sink is wanted.
# SAMSA_UNITY_BATCH=0, one translation unit per library: headers are parsed
# once per library instead of once per 16 sources (cold build of samsa on
# 2 cores: 246 s and 460 CPU-s, against 310 s and 586 CPU-s in batches of
# 16; the largest unit peaks at 2.2 GB of memory).
cmake "${generator[@]}" -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSAMSA_TESTS=OFF -DSAMSA_BENCH=OFF \
  -DSAMSA_UNITY=ON -DSAMSA_UNITY_BATCH=0 -DSAMSA_QUICK_BUILD=ON -DSAMSA_SINK_WITH_SAMSA=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target samsa
samsa=build/release/src/cli/samsa

phase "3/4 starting the broker"

mkdir -p data
if [[ -f data/samsa.pid ]] && kill -0 "$(cat data/samsa.pid)" 2>/dev/null; then
  echo "quickstart: a broker is already running (pid $(cat data/samsa.pid))"
else
  rm -f data/port data/port.http
  nohup "$samsa" serve --set listeners=PLAINTEXT://127.0.0.1:9092 --set log.dirs=data/logs \
    --port-file data/port >data/samsa.log 2>&1 &
  echo $! >data/samsa.pid
  for _ in $(seq 1 100); do
    [[ -s data/port ]] && break
    if ! kill -0 "$(cat data/samsa.pid)" 2>/dev/null; then
      echo "quickstart: the broker did not start; its log (data/samsa.log) says:" >&2
      tail -20 data/samsa.log >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "quickstart: broker started on 127.0.0.1:9092 (pid $(cat data/samsa.pid), log in data/samsa.log)"
fi
# The console (http.listeners, default http://127.0.0.1:8080); absent when
# that port was taken (the log says so).
console_url=""
[[ -s data/port.http ]] && console_url="http://127.0.0.1:$(cat data/port.http)/"

"$samsa" --bootstrap 127.0.0.1:9092 cluster info
phase "4/4 the tour"
"$samsa" --bootstrap 127.0.0.1:9092 tour --yes

echo
if [[ -n "$console_url" ]]; then
  echo "Open the console: $console_url (topics drawn as logs, messages, groups; /metrics for Prometheus)"
else
  echo "The console did not start (port 8080 taken?); see data/samsa.log"
fi
echo "The broker is still running. Stop it with: kill $(cat data/samsa.pid)"
