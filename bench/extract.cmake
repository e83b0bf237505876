# Page extraction throughput (ExtractPage vs the bare Gumbo parse) on a
# generated corpus. Included from bench/CMakeLists.txt.
if(NOT TARGET PkgConfig::GUMBO)
  pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET GLOBAL gumbo)
endif()
add_executable(lw_extract_bench ${CMAKE_CURRENT_LIST_DIR}/extract_bench.cpp)
target_link_libraries(lw_extract_bench PRIVATE
  linkwatch::crawler linkwatch::warnings PkgConfig::GUMBO CLI11::CLI11)
