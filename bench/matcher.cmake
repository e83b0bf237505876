# Matcher throughput benchmark (issue 4): full Match vs. single RE2 objects vs.
# the bare RE2::Set, on a generated corpus. Included from bench/CMakeLists.txt.
add_executable(lw_matcher_bench ${CMAKE_CURRENT_LIST_DIR}/matcher_bench.cpp)
target_link_libraries(lw_matcher_bench PRIVATE
  linkwatch::matcher linkwatch::warnings PkgConfig::RE2 CLI11::CLI11)
