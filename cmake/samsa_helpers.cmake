# Helpers that give every module the same shape:
#   samsa_library(NAME protocol SRCS a.cc b.cc DEPS samsa::base fmt::fmt)
#     -> target samsa_protocol, alias samsa::protocol, include root src/
#   samsa_test(NAME storage_segment_test SRCS segment_test.cc DEPS samsa::storage)
#     -> a GoogleTest binary registered with ctest (label "unit" unless LABELS given)
#   samsa_fuzz(NAME record_batch_fuzz SRCS fuzz.cc DEPS samsa::record CORPUS dir)
#     -> with SAMSA_FUZZ: a libFuzzer binary plus a short ctest smoke run;
#        without: the same entry point linked to a replay driver that runs the corpus once.
#   samsa_benchmark(NAME append_bench SRCS b.cc DEPS samsa::storage)

set(SAMSA_SOURCE_ROOT ${CMAKE_SOURCE_DIR}/src)
set(SAMSA_FUZZ_SECONDS 10 CACHE STRING "Seconds each fuzz target runs in the ctest smoke run")

add_library(samsa_warnings INTERFACE)
target_compile_options(samsa_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O2 reports std::string/vector internals as overlapping or
  # out-of-bounds copies (known false positives, GCC bugs 105329, 105651);
  # they are not about our code and would fail -Werror Release builds.
  target_compile_options(samsa_warnings INTERFACE -Wno-restrict -Wno-array-bounds -Wno-stringop-overflow
                                                  -Wno-stringop-overread -Wno-maybe-uninitialized)
endif()
if(SAMSA_WERROR)
  target_compile_options(samsa_warnings INTERFACE -Werror)
endif()
if(SAMSA_FUZZ)
  # Coverage instrumentation for every library, so libFuzzer sees inside the parsers.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(SAMSA_SANITIZE OR SAMSA_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# With SAMSA_UNITY, `target` compiles its sources 16 to a translation unit
# (see the option in the top CMakeLists.txt). Tests and fuzz targets never do:
# their helpers may share names across files.
function(samsa_unity_batches target)
  if(SAMSA_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${SAMSA_UNITY_BATCH})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC treats every file a batch includes as a header and warns when a
      # type there uses one with internal linkage (a lambda in a coroutine
      # frame); the warning is about headers shared between files, which
      # these are not.
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
    endif()
  endif()
endfunction()

# SAMSA_QUICK_BUILD's levels (top CMakeLists.txt). A target's own -O comes
# after CMAKE_CXX_FLAGS_RELEASE's on the command line, and GCC takes the last.
function(samsa_optimisation target name)
  if(NOT SAMSA_QUICK_BUILD)
    return()
  endif()
  if(name IN_LIST SAMSA_PER_BYTE_LIBRARIES)
    target_compile_options(${target} PRIVATE -O2)
  else()
    # At -O1 GCC 12 reports Asio's coroutine frame allocator (aligned_alloc,
    # then its own sized delete) as mismatched, which -O2 inlines away.
    target_compile_options(${target} PRIVATE -O1 $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
  endif()
endfunction()

function(samsa_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PUBLIC_INCLUDES" ${ARGN})
  set(target samsa_${ARG_NAME})
  if(ARG_SRCS)
    add_library(${target} STATIC ${ARG_SRCS})
    target_include_directories(${target} PUBLIC ${SAMSA_SOURCE_ROOT} ${ARG_PUBLIC_INCLUDES})
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE samsa_warnings)
    samsa_unity_batches(${target})
    samsa_optimisation(${target} ${ARG_NAME})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${SAMSA_SOURCE_ROOT} ${ARG_PUBLIC_INCLUDES})
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(samsa::${ARG_NAME} ALIAS ${target})
endfunction()

function(samsa_test)
  if(NOT SAMSA_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock samsa_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    EXTRA_ARGS --gtest_color=no)
endfunction()

function(samsa_fuzz)
  cmake_parse_arguments(ARG "" "NAME;CORPUS" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} samsa_warnings)
  if(SAMSA_FUZZ)
    target_compile_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    if(SAMSA_TESTS)
      # Fuzz a copy of the seed corpus so the committed seeds never change.
      add_test(NAME fuzz.${ARG_NAME}
        COMMAND ${CMAKE_COMMAND} -E env bash ${CMAKE_SOURCE_DIR}/tests/fuzz/run_fuzzer.sh
                $<TARGET_FILE:${ARG_NAME}> ${ARG_CORPUS} ${SAMSA_FUZZ_SECONDS})
      set_tests_properties(fuzz.${ARG_NAME} PROPERTIES LABELS fuzz TIMEOUT 600)
    endif()
  else()
    target_sources(${ARG_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    if(SAMSA_TESTS)
      add_test(NAME replay.${ARG_NAME} COMMAND ${ARG_NAME} ${ARG_CORPUS})
      set_tests_properties(replay.${ARG_NAME} PROPERTIES LABELS fuzz-replay TIMEOUT 120)
    endif()
  endif()
endfunction()

function(samsa_benchmark)
  if(NOT SAMSA_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} samsa_warnings)
endfunction()
