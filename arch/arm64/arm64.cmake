# The arm64 host side, included from the top CMakeLists.txt. So far: the R_AARCH64
# relocation hook (into the linker), which links the aarch64 purgatory. The loader
# (Image parsing, the device tree, kdump) is not written yet, so there is no
# KK_LOADER_SOURCES_aarch64 and no kexkit for arm64.
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-arm64.cc)

# The loader library, so far the Image parser (unit-tested; no ArchLoader uses it yet).
add_library(kexkit_arm64 STATIC ${CMAKE_CURRENT_LIST_DIR}/image.cc)
target_link_libraries(kexkit_arm64 PUBLIC kexkit_loader)
