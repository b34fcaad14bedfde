# Static loaders for guest architectures other than the host's: each is this same
# project, configured with KEXKIT_LOADER_ONLY and a cross toolchain
# (toolchain/<arch>-linux.cmake), embedding the purgatory this build made. The result is
# copied to bin/kexkit-<arch>-static.
#
# KEXKIT_GUEST_LOADERS lists them (e.g. "i386;ppc64le"); each needs its purgatory in
# KEXKIT_PURGATORY_ARCHES. Per-arch extra cache arguments (sysroot libraries) come from
# KEXKIT_GUEST_ARGS_<arch>.
set(KEXKIT_GUEST_LOADERS "" CACHE STRING "Cross-built static loaders (i386, ppc64le)")

foreach(arch IN LISTS KEXKIT_GUEST_LOADERS)
  if(NOT arch IN_LIST KEXKIT_PURGATORY_ARCHES)
    message(FATAL_ERROR "guest loader ${arch} needs ${arch} in KEXKIT_PURGATORY_ARCHES")
  endif()
  set(out ${CMAKE_BINARY_DIR}/bin/kexkit-${arch}-static)
  ExternalProject_Add(guest-loader-${arch}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/guest/${arch}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/toolchain/${arch}-linux.cmake
               -DKEXKIT_LOADER_ONLY=ON -DKEXKIT_LOADER_ARCH=${arch}
               -DKEXKIT_PURGATORY_BLOB=${CMAKE_BINARY_DIR}/purgatory/${arch}/purgatory.ro
               -DCMAKE_BUILD_TYPE=Release ${KEXKIT_GUEST_ARGS_${arch}}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ${CMAKE_COMMAND} -E copy
                    ${CMAKE_BINARY_DIR}/guest/${arch}/bin/kexkit-${arch}-static ${out}
    BUILD_BYPRODUCTS ${out}
    DEPENDS purgatory-${arch})
endforeach()
