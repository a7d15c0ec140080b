# Helpers that give every omnia target the same compiler settings.

# omnia_library(NAME SOURCES ... DEPS ...): a static library whose headers are included as
# "libs/<dir>/header.h" from the source root.
function(omnia_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  target_compile_options(${name} PRIVATE ${OMNIA_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# omnia_executable(NAME SOURCES ... DEPS ...)
function(omnia_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  target_compile_options(${name} PRIVATE ${OMNIA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  if(OMNIA_TSAN)
    # Abseil's mutexes made visible to ThreadSanitizer (see tests/support/tsan_absl_annotations.cc).
    target_link_libraries(${name} PRIVATE omnia_tsan_absl_annotations)
  endif()
endfunction()

# omnia_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
# Tests run from the source root so they can read ../shared by relative path when needed; the
# absolute path is also passed as OMNIA_SHARED_DATA_DIR.
function(omnia_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  omnia_executable(${name} SOURCES ${ARG_SOURCES} DEPS ${ARG_DEPS} GTest::gtest GTest::gmock
                   GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    OMNIA_SHARED_DATA_DIR="${OMNIA_SHARED_DATA_DIR}"
    OMNIA_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  if(OMNIA_TSAN)
    # The first report fails the test (and any service binary it starts, which inherits this).
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${OMNIA_TSAN_OPTIONS}")
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# omnia_fuzzer(NAME SOURCES ... DEPS ...): a libFuzzer target, only in the clang fuzz build.
function(omnia_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${OMNIA_WARNINGS} -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()
