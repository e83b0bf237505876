# Weekly report benchmark (issue 6): Store::Report and every format on
# 1,000,000 links and 10,000,000 checks (generated once, cached under /tmp). Included from
# bench/CMakeLists.txt.
add_executable(lw_report_bench ${CMAKE_CURRENT_LIST_DIR}/report_bench.cpp)
target_link_libraries(lw_report_bench PRIVATE
  linkwatch::storage linkwatch::daemon linkwatch::warnings SQLite::SQLite3)
# Times the formats too (their renderers are the daemon's, a private header),
# and SQLite alone on the report's SQL (storage's, a private header).
get_target_property(lw_daemon_source_dir linkwatch_daemon SOURCE_DIR)
get_target_property(lw_storage_source_dir linkwatch_storage SOURCE_DIR)
target_include_directories(lw_report_bench PRIVATE ${lw_daemon_source_dir}/src ${lw_storage_source_dir}/src)
