# i386 is a variant of arch/x86/, not an architecture of its own: the x86 host sources
# (kexkit_x86) and the x86 purgatory hooks, built 32-bit. This folder holds only what
# differs: the 32-bit purgatory entry and build (purgatory/), the R_386 relocation hook,
# and the file that makes an i386 kexkit (MakeArchLoader with the i386 purgatory).
# Included from the top CMakeLists.txt after arch/x86/x86.cmake.
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-i386.cc)
set(KK_LOADER_SOURCES_i386 ${CMAKE_CURRENT_LIST_DIR}/select-i386.cc)
set(KK_LOADER_LIBS_i386 kexkit_x86)
