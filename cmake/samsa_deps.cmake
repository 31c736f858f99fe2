# Every dependency comes from a Debian 12 package. A missing one stops the
# configure step with the name of the package that provides it.

set(SAMSA_MISSING_PACKAGES "")

macro(samsa_require_package found_var debian_package)
  if(NOT ${found_var})
    list(APPEND SAMSA_MISSING_PACKAGES ${debian_package})
  endif()
endmacro()

find_package(Threads REQUIRED)
find_package(PkgConfig QUIET)
samsa_require_package(PkgConfig_FOUND pkg-config)

find_package(Python3 COMPONENTS Interpreter QUIET)
samsa_require_package(Python3_Interpreter_FOUND python3)

find_package(Boost 1.81 QUIET)
samsa_require_package(Boost_FOUND libboost1.81-dev)

find_package(fmt QUIET)
samsa_require_package(fmt_FOUND libfmt-dev)

find_package(spdlog QUIET)
samsa_require_package(spdlog_FOUND libspdlog-dev)

find_package(nlohmann_json QUIET)
samsa_require_package(nlohmann_json_FOUND nlohmann-json3-dev)

find_package(CLI11 QUIET)
samsa_require_package(CLI11_FOUND libcli11-dev)

find_package(ZLIB QUIET)
samsa_require_package(ZLIB_FOUND zlib1g-dev)

find_package(OpenSSL QUIET)
samsa_require_package(OpenSSL_FOUND libssl-dev)

if(PkgConfig_FOUND)
  pkg_check_modules(ZSTD QUIET IMPORTED_TARGET libzstd)
  samsa_require_package(ZSTD_FOUND libzstd-dev)
  pkg_check_modules(LZ4 QUIET IMPORTED_TARGET liblz4)
  samsa_require_package(LZ4_FOUND liblz4-dev)
  pkg_check_modules(SNAPPY QUIET IMPORTED_TARGET snappy)
  samsa_require_package(SNAPPY_FOUND libsnappy-dev)
  pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET rdkafka)
  samsa_require_package(RDKAFKA_FOUND librdkafka-dev)
  pkg_check_modules(RDKAFKAPP QUIET IMPORTED_TARGET rdkafka++)
  samsa_require_package(RDKAFKAPP_FOUND librdkafka-dev)
  # RE2: consumer groups' SubscribedTopicRegex (KIP-848) is RE2 syntax.
  pkg_check_modules(RE2 QUIET IMPORTED_TARGET re2)
  samsa_require_package(RE2_FOUND libre2-dev)
  # Schema Registry: Protobuf schemas are parsed by protoc's own parser
  # (libprotoc) into descriptors (libprotobuf).
  pkg_check_modules(PROTOBUF QUIET IMPORTED_TARGET protobuf)
  samsa_require_package(PROTOBUF_FOUND libprotobuf-dev)
  # `samsa sink postgres` writes to PostgreSQL through libpqxx (and libpq).
  pkg_check_modules(PQXX QUIET IMPORTED_TARGET libpqxx)
  samsa_require_package(PQXX_FOUND libpqxx-dev)
  pkg_check_modules(PQ QUIET IMPORTED_TARGET libpq)
  samsa_require_package(PQ_FOUND libpq-dev)
endif()
find_library(PROTOC_LIBRARY protoc)
samsa_require_package(PROTOC_LIBRARY libprotoc-dev)
if(SAMSA_STATIC_DEPS AND PkgConfig_FOUND AND ZLIB_FOUND AND PROTOC_LIBRARY)
  include(${CMAKE_CURRENT_LIST_DIR}/samsa_static_deps.cmake)
endif()

if(SAMSA_TESTS)
  find_package(GTest QUIET)
  samsa_require_package(GTest_FOUND "libgtest-dev libgmock-dev")
endif()
if(SAMSA_BENCH)
  find_package(benchmark QUIET)
  samsa_require_package(benchmark_FOUND libbenchmark-dev)
endif()

if(SAMSA_MISSING_PACKAGES)
  list(REMOVE_DUPLICATES SAMSA_MISSING_PACKAGES)
  string(REPLACE ";" " " _pkgs "${SAMSA_MISSING_PACKAGES}")
  message(FATAL_ERROR
    "Samsa is missing build dependencies. Install them with:\n"
    "  apt-get install -y ${_pkgs}\n"
    "or run ./scripts/install-deps.sh, which installs everything the build needs.")
endif()
