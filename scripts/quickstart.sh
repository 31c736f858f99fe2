#!/usr/bin/env bash
# Quick start: installs what is missing, builds Release, starts a broker on
# 127.0.0.1:9092 with data in ./data, runs the main job (the guided tour),
# and leaves the broker running.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh release
samsa=build/release/src/cli/samsa

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
"$samsa" --bootstrap 127.0.0.1:9092 tour --yes

echo
if [[ -n "$console_url" ]]; then
  echo "Open the console: $console_url (topics drawn as logs, messages, groups; /metrics for Prometheus)"
else
  echo "The console did not start (port 8080 taken?); see data/samsa.log"
fi
echo "The broker is still running. Stop it with: kill $(cat data/samsa.pid)"
