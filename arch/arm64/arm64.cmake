# The arm64 host side, included from the top CMakeLists.txt (after ppc64.cmake, whose
# libfdt lookup it shares): the R_AARCH64 relocation hook (into the linker), the loader
# library (Image header, device tree, ArchLoader: kexkit_arm64) and the file that makes
# an aarch64 kexkit (select-arm64.cc with the aarch64 purgatory). Without libfdt only the
# Image parser is built (the unit tests use it).
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-arm64.cc)
add_library(kexkit_arm64 STATIC ${CMAKE_CURRENT_LIST_DIR}/image.cc)
target_link_libraries(kexkit_arm64 PUBLIC kexkit_loader)
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
