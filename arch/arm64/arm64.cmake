# The arm64 host side, included from the top CMakeLists.txt (after ppc64.cmake, whose
# libfdt lookup it shares): the R_AARCH64 relocation hook (into the linker), the loader
# library (Image header, device tree, ArchLoader: kexkit_arm64) and the file that makes
# an aarch64 kexkit (select-arm64.cc with the aarch64 purgatory). Without libfdt only the
# Image parser is built (the unit tests use it).
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-arm64.cc)
# Another architecture's static loader needs the relocation hook (the linker's table
# names every machine) and nothing else from here.
if(KEXKIT_LOADER_ONLY AND NOT KEXKIT_LOADER_ARCH STREQUAL "aarch64")
  return()
endif()
add_library(kexkit_arm64 STATIC ${CMAKE_CURRENT_LIST_DIR}/image.cc)
target_link_libraries(kexkit_arm64 PUBLIC kexkit_loader)
# Compressed kernels: zlib (gzip vmlinuz, gzip zboot) and libzstd (zstd zboot), static
# archives first for the guest loader (toolchain/guest-sysroot.cmake). PUBLIC: the unit
# tests make their compressed samples with them. A host build without them refuses such
# kernels in one line, and arm64_image_test fails (kHaveZlib, kHaveZstd); the aarch64
# static loader is not built without them.
find_package(ZLIB)
find_path(KEXKIT_ZSTD_INCLUDE zstd.h)
find_library(KEXKIT_ZSTD NAMES libzstd.a zstd)
if(ZLIB_FOUND)
  target_link_libraries(kexkit_arm64 PUBLIC ZLIB::ZLIB)
  target_compile_definitions(kexkit_arm64 PUBLIC KK_HAVE_ZLIB=1)
endif()
if(KEXKIT_ZSTD_INCLUDE AND KEXKIT_ZSTD)
  target_link_libraries(kexkit_arm64 PUBLIC ${KEXKIT_ZSTD})
  target_include_directories(kexkit_arm64 PUBLIC ${KEXKIT_ZSTD_INCLUDE})
  target_compile_definitions(kexkit_arm64 PUBLIC KK_HAVE_ZSTD=1)
endif()
if(NOT ZLIB_FOUND OR NOT (KEXKIT_ZSTD_INCLUDE AND KEXKIT_ZSTD))
  if(KEXKIT_LOADER_ONLY)
    message(FATAL_ERROR "zlib and libzstd (libz.a, libzstd.a) not found for the aarch64 "
                        "loader: scripts/lib/guest-sysroot.sh aarch64 unpacks them")
  endif()
  message(STATUS "zlib or libzstd not found: the arm64 loader will refuse those kernels")
endif()
if(KEXKIT_LIBFDT_INCLUDE AND KEXKIT_LIBFDT)
  target_sources(kexkit_arm64 PRIVATE ${CMAKE_CURRENT_LIST_DIR}/arm64-loader.cc)
  target_link_libraries(kexkit_arm64 PUBLIC ${KEXKIT_LIBFDT})
  target_include_directories(kexkit_arm64 PRIVATE ${KEXKIT_LIBFDT_INCLUDE})
  set(KK_LOADER_LIBS_aarch64 kexkit_arm64)
  set(KK_LOADER_SOURCES_aarch64 ${CMAKE_CURRENT_LIST_DIR}/select-arm64.cc)
elseif(KEXKIT_LOADER_ONLY AND KEXKIT_LOADER_ARCH STREQUAL "aarch64")
  message(FATAL_ERROR "libfdt (libfdt.h, libfdt.a) not found for the aarch64 loader: see "
                      "toolchain/aarch64-linux.cmake")
endif()
