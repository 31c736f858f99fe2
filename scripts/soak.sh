#!/usr/bin/env bash
# Soak run (not in CI): 30 minutes of mixed load with a SIGKILL of the broker
# every few minutes, then every acks=all acknowledged message is read back.
# Usage: scripts/soak.sh [--minutes N] [--kill-every SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR=$PWD
cmake -S . -B build/ci -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/ci -j"${SAMSA_JOBS:-2}" --target samsa
exec /usr/bin/python3 scripts/soak.py build/ci "$@"
