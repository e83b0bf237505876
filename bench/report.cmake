# Weekly report benchmark (issue 6): Store::Report on 1,000,000 links and
# 10,000,000 checks (generated once, cached under /tmp). Included from
# bench/CMakeLists.txt.
add_executable(lw_report_bench ${CMAKE_CURRENT_LIST_DIR}/report_bench.cpp)
target_link_libraries(lw_report_bench PRIVATE
  linkwatch::storage linkwatch::warnings SQLite::SQLite3)
