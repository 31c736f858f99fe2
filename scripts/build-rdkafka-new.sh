#!/usr/bin/env bash
# Builds a newer librdkafka than Debian's 2.0.2 for the tests of the Kafka 4.x
# protocols (KIP-848 consumer groups, KIP-932 share consumer). Debian has no
# such package, and only the npm registry is reachable, so the sources come
# from the npm package @confluentinc/kafka-javascript, which ships librdkafka
# under deps/librdkafka. The library is built once into a cache outside the
# checkout (kept across fresh clones, like ccache's) and linked into
# .test-deps/librdkafka-<version>. Prints the install prefix on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

npm_package=@confluentinc/kafka-javascript@1.10.1
version=2.15.1
cache_root=${SAMSA_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samsa-test-deps}
prefix=$cache_root/librdkafka-$version
link=.test-deps/librdkafka-$version
stamp=$prefix/.built-from

mkdir -p .test-deps
if [[ -f $stamp && $(cat "$stamp") == "$npm_package" ]]; then
  ln -sfn "$prefix" "$link"
  echo "build-rdkafka-new: librdkafka $version present"
  echo "$prefix"
  exit 0
fi

started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$npm_package" >/dev/null && tar xzf ./*.tgz)
src=$work/package/deps/librdkafka
found=$(sed -n 's/^#define RD_KAFKA_VERSION *0x\([0-9a-f]*\).*/\1/p' "$src/src/rdkafka.h")
if [[ $found != 020f01ff ]]; then
  echo "build-rdkafka-new: $npm_package carries librdkafka 0x$found, expected $version" >&2
  exit 1
fi

# Compression and TLS from Debian's libraries (already build dependencies);
# no Kerberos or libcurl: no test needs GSSAPI or OIDC token fetching.
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
(cd "$src" && CC="$cc" ./configure --prefix="$prefix" --no-download --disable-gssapi --disable-curl \
    --disable-debug-symbols >"$work/configure.log" 2>&1) ||
  { tail -30 "$work/configure.log" >&2; exit 1; }
(cd "$src/src" && make -j"${SAMSA_JOBS:-2}" >"$work/make.log" 2>&1 && make install >>"$work/make.log" 2>&1) ||
  { tail -30 "$work/make.log" >&2; exit 1; }
echo "$npm_package" >"$stamp"
ln -sfn "$prefix" "$link"
echo "build-rdkafka-new: built librdkafka $version in $((SECONDS - started)) s"
echo "$prefix"
