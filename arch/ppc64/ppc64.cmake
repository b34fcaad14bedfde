# The ppc64 host side (ppc64le and big-endian ppc64), included from the top
# CMakeLists.txt: the loader library (vmlinux, device tree, ArchLoader), the R_PPC64
# relocation hook (into the linker), and the file that makes a ppc64 kexkit. It needs libfdt: the host's (libfdt-dev) for the unit tests, the
# ppc64el sysroot's libfdt.a (toolchain/ppc64le-linux.cmake) for the static guest
# loader. Without libfdt the library is simply not built (x86-only hosts still build).
target_sources(kexkit_linker PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reloc-ppc64.cc)
find_path(KEXKIT_LIBFDT_INCLUDE libfdt.h)
find_library(KEXKIT_LIBFDT NAMES libfdt.a fdt)
if(KEXKIT_LIBFDT_INCLUDE AND KEXKIT_LIBFDT)
  add_library(kexkit_ppc64 STATIC
    ${CMAKE_CURRENT_LIST_DIR}/vmlinux.cc
    ${CMAKE_CURRENT_LIST_DIR}/fdt-builder.cc
    ${CMAKE_CURRENT_LIST_DIR}/ppc64-loader.cc)
  target_link_libraries(kexkit_ppc64 PUBLIC kexkit_loader ${KEXKIT_LIBFDT})
  # A libfdt without fdt_check.c (Linux's copy: the big-endian loader's sysroot).
  if(KEXKIT_LIBFDT_NO_CHECK_FULL)
    target_sources(kexkit_ppc64 PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fdt-check-full.c)
  endif()
  target_include_directories(kexkit_ppc64 PRIVATE ${KEXKIT_LIBFDT_INCLUDE})
  set(KK_LOADER_LIBS_ppc64le kexkit_ppc64)
  set(KK_LOADER_LIBS_ppc64 kexkit_ppc64)
  set(KK_LOADER_SOURCES_ppc64le ${CMAKE_CURRENT_LIST_DIR}/select-ppc64.cc)
  set(KK_LOADER_SOURCES_ppc64 ${CMAKE_CURRENT_LIST_DIR}/select-ppc64.cc)
elseif(KEXKIT_LOADER_ONLY AND KEXKIT_LOADER_ARCH MATCHES "^ppc64")
  message(FATAL_ERROR "libfdt (libfdt.h, libfdt.a) not found for the ${KEXKIT_LOADER_ARCH} "
                      "loader: see toolchain/ppc64le-linux.cmake")
endif()
