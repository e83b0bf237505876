# Near-duplicate index benchmark (issue 5): SimHashIndex at 1M entries vs a
# brute-force scan over a 20k sample, and SimHash() throughput. Included from
# bench/CMakeLists.txt.
add_executable(lw_simhash_bench ${CMAKE_CURRENT_LIST_DIR}/simhash_bench.cpp)
target_link_libraries(lw_simhash_bench PRIVATE
  linkwatch::matcher linkwatch::warnings CLI11::CLI11)
