# SAMSA_STATIC_DEPS: the libraries below are linked from their static archives
# (the same Debian -dev packages ship them beside the shared ones).
#
# Why: a process start of `samsa` (the broker, and each CLI command the tour
# runs) spent about a fifth of its ~20 ms in the dynamic loader, most of it
# page faults while relocating librdkafka, Protobuf, RE2 and the codecs; from
# archives, those relocations are resolved at link time.
#
# The cost: a security update of one of these libraries reaches samsa only
# when samsa is built again (configure with -DSAMSA_STATIC_DEPS=OFF to load
# them from the system instead). OpenSSL, which terminates TLS, is not one of
# them.
#
# What stays shared: glibc, libstdc++ (spdlog and fmt are shared libraries
# built against it), libsasl2 (no archive), and OpenSSL: samsa-sink-postgres
# also loads libpq, which brings its own shared OpenSSL, and two copies of one
# library must never meet in one process.
set(SAMSA_C_LIBRARIES m dl pthread rt c)
set(SAMSA_SHARED_LIBRARIES sasl2 ssl crypto)

# Points PkgConfig::<prefix> at the archives `pkg-config --static` names for
# it. If one of them has no archive, the target stays as it was (shared) and
# the configure step says so.
function(samsa_link_archives prefix)
  set(libs "")
  foreach(name IN LISTS ${prefix}_STATIC_LIBRARIES)
    if(name IN_LIST SAMSA_C_LIBRARIES)
      list(APPEND libs ${name})
      continue()
    endif()
    if(name IN_LIST SAMSA_SHARED_LIBRARIES)
      # Without libsasl2-dev there is no libsasl2.so to link by; its runtime
      # name (what librdkafka.so itself loads) does as well.
      find_library(SAMSA_SHARED_${name} NAMES ${name} lib${name}.so.2 lib${name}.so.3)
      if(NOT SAMSA_SHARED_${name})
        message(STATUS "lib${name}.so not found: ${prefix} is linked shared")
        return()
      endif()
      list(APPEND libs ${SAMSA_SHARED_${name}})
      continue()
    endif()
    find_library(SAMSA_ARCHIVE_${name} NAMES lib${name}.a HINTS ${${prefix}_STATIC_LIBRARY_DIRS})
    if(NOT SAMSA_ARCHIVE_${name})
      message(STATUS "lib${name}.a not found: ${prefix} is linked shared")
      return()
    endif()
    list(APPEND libs ${SAMSA_ARCHIVE_${name}})
  endforeach()
  list(REMOVE_DUPLICATES libs)
  set_property(TARGET PkgConfig::${prefix} PROPERTY INTERFACE_LINK_LIBRARIES "${libs};Threads::Threads")
endfunction()

foreach(prefix RDKAFKA ZSTD LZ4 SNAPPY RE2 PROTOBUF)
  samsa_link_archives(${prefix})
endforeach()

find_library(SAMSA_ARCHIVE_z NAMES libz.a)
if(SAMSA_ARCHIVE_z)
  set_target_properties(ZLIB::ZLIB PROPERTIES IMPORTED_LOCATION ${SAMSA_ARCHIVE_z}
                        IMPORTED_LOCATION_RELEASE ${SAMSA_ARCHIVE_z} IMPORTED_LOCATION_DEBUG ${SAMSA_ARCHIVE_z})
endif()
# libprotoc is a plain path, not a target: use its archive in its place (it
# needs libprotobuf after it, which src/registry lists next).
find_library(SAMSA_ARCHIVE_protoc NAMES libprotoc.a)
if(SAMSA_ARCHIVE_protoc)
  set(PROTOC_LIBRARY ${SAMSA_ARCHIVE_protoc})
endif()
