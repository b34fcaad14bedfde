# Benchmarks (scripts/bench runs them; they are not tests).
find_package(benchmark REQUIRED)
add_executable(kexkit-sha256-bench ${CMAKE_CURRENT_LIST_DIR}/sha256_bench.cc
               ${CMAKE_CURRENT_LIST_DIR}/reference-sha256.cc)
target_link_libraries(kexkit-sha256-bench PRIVATE kexkit_purgatory_sha256 OpenSSL::Crypto
                      benchmark::benchmark)
target_include_directories(kexkit-sha256-bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})

add_executable(kexkit-readhash ${CMAKE_CURRENT_LIST_DIR}/readhash.cc)
target_link_libraries(kexkit-readhash PRIVATE OpenSSL::Crypto)
