#!/usr/bin/env bash
# Installs what Samsa needs on Debian 12, idempotently: what the `samsa` binary
# needs to build always (the quick start's first phase); with --test also the
# test frameworks and peers (GoogleTest, kcat, Python clients, Chromium,
# PostgreSQL, KafkaJS 2.2.4, librdkafka 2.15.1 built from sources). Quick when
# all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

build_packages=(build-essential cmake ninja-build pkg-config python3 ccache
  libboost1.81-dev librdkafka-dev libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libssl-dev
  libre2-dev libprotobuf-dev libprotoc-dev libpqxx-dev libpq-dev)
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev kcat python3-confluent-kafka python3-kafka python3-pytest python3-lz4 python3-snappy python3-zstandard
  python3-prometheus-client chromium
  python3-avro python3-protobuf python3-jsonschema python3-requests
  clang libclang-rt-14-dev iproute2 procps
  postgresql)

want=("${build_packages[@]}")
with_tests=0
if [[ "${1:-}" == "--test" ]]; then
  with_tests=1
  want+=("${test_packages[@]}")
  command -v node >/dev/null 2>&1 || want+=(nodejs)
  command -v npm >/dev/null 2>&1 || want+=(npm)
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

if ((with_tests)); then
  # KafkaJS is pinned to the generation the compatibility tests target.
  if [[ ! -f .test-deps/node/node_modules/kafkajs/package.json ]] ||
     ! grep -q '"version": "2.2.4"' .test-deps/node/node_modules/kafkajs/package.json; then
    echo "install-deps: installing kafkajs@2.2.4 into .test-deps/node"
    mkdir -p .test-deps/node
    npm install --silent --no-audit --no-fund --prefix .test-deps/node kafkajs@2.2.4
  else
    echo "install-deps: kafkajs 2.2.4 present"
  fi
  # Confluent's schema-registry client for KafkaJS (the Schema Registry tests).
  if [[ ! -f .test-deps/node/node_modules/@kafkajs/confluent-schema-registry/package.json ]] ||
     ! grep -q '"version": "4.1.0"' .test-deps/node/node_modules/@kafkajs/confluent-schema-registry/package.json; then
    echo "install-deps: installing @kafkajs/confluent-schema-registry@4.1.0 into .test-deps/node"
    mkdir -p .test-deps/node
    npm install --silent --no-audit --no-fund --prefix .test-deps/node @kafkajs/confluent-schema-registry@4.1.0
  else
    echo "install-deps: @kafkajs/confluent-schema-registry 4.1.0 present"
  fi
  # playwright-core drives Debian's chromium for the console's browser test
  # (no browser download: the test sets executablePath).
  if [[ ! -f .test-deps/node/node_modules/playwright-core/package.json ]] ||
     ! grep -q '"version": "1.65.2"' .test-deps/node/node_modules/playwright-core/package.json; then
    echo "install-deps: installing playwright-core@1.65.2 into .test-deps/node"
    mkdir -p .test-deps/node
    npm install --silent --no-audit --no-fund --prefix .test-deps/node playwright-core@1.65.2
  else
    echo "install-deps: playwright-core 1.65.2 present"
  fi
  # axe-core checks the console page's accessibility in the same chromium.
  if [[ ! -f .test-deps/node/node_modules/axe-core/package.json ]] ||
     ! grep -q '"version": "4.14.1"' .test-deps/node/node_modules/axe-core/package.json; then
    echo "install-deps: installing axe-core@4.14.1 into .test-deps/node"
    mkdir -p .test-deps/node
    npm install --silent --no-audit --no-fund --prefix .test-deps/node axe-core@4.14.1
  else
    echo "install-deps: axe-core 4.14.1 present"
  fi
  # librdkafka 2.15.1 for the Kafka 4.x protocol tests; about 30 s to build once.
  ./scripts/build-rdkafka-new.sh | grep -v '^/'
fi
