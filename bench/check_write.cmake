# Storage side of a check cycle (issue 3): lease and record per link, with
# SQLite alone on the least such a cycle needs as the peer. Included from
# bench/CMakeLists.txt.
add_executable(lw_check_write_bench ${CMAKE_CURRENT_LIST_DIR}/check_write_bench.cpp)
target_link_libraries(lw_check_write_bench PRIVATE linkwatch::storage linkwatch::warnings SQLite::SQLite3 CLI11::CLI11)
