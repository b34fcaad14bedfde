# The x86 host side, included from the top CMakeLists.txt: the bzImage parser, the
# boot_params / e820 builder and the ArchLoader (kexkit_x86), the R_X86_64 relocation
# hook (into the linker), and the file that makes an x86_64 kexkit (MakeArchLoader with
# the x86_64 purgatory). i386 is the same sources built 32-bit: arch/i386/i386.cmake.
add_library(kexkit_x86 STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bzimage.cc
  ${CMAKE_CURRENT_LIST_DIR}/x86-crash.cc
  ${CMAKE_CURRENT_LIST_DIR}/x86-loader.cc)
target_link_libraries(kexkit_x86 PUBLIC kexkit_loader)
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-x86_64.cc)
set(KK_LOADER_SOURCES_x86_64 ${CMAKE_CURRENT_LIST_DIR}/select-x86_64.cc)
set(KK_LOADER_LIBS_x86_64 kexkit_x86)
