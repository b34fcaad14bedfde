# Static loaders for guest architectures other than the host's: each is this same
# project, configured with KEXKIT_LOADER_ONLY and a cross toolchain
# (toolchain/<arch>-linux.cmake), embedding the purgatory this build made. The result is
# copied to bin/kexkit-<arch>-static.
#
# KEXKIT_GUEST_LOADERS lists them (e.g. "i386;ppc64le"); each needs its purgatory in
# KEXKIT_PURGATORY_ARCHES. Per-arch extra cache arguments come from
# KEXKIT_GUEST_ARGS_<arch>.
#
# The foreign libraries each one links (libcrypto.a, and libfdt.a on ppc64le) come from a
# sysroot folder of Debian packages unpacked with dpkg-deb -x: KEXKIT_SYSROOT_<arch> when
# given, else the one scripts/lib/guest-sysroot.sh <arch> made in the kexkit cache
# ($KEXKIT_CACHE, default /var/cache/kexkit). Configuring only looks it up: fetching is
# the scripts' job (scripts/test, scripts/demo and scripts/bench do it first), so that a
# build never changes the machine or reaches the network.
set(KEXKIT_GUEST_LOADERS "" CACHE STRING "Cross-built static loaders (i386, ppc64le)")

if(DEFINED ENV{KEXKIT_CACHE})
  set(_kk_cache $ENV{KEXKIT_CACHE})
else()
  set(_kk_cache /var/cache/kexkit)
endif()

foreach(arch IN LISTS KEXKIT_GUEST_LOADERS)
  if(NOT arch IN_LIST KEXKIT_PURGATORY_ARCHES)
    message(FATAL_ERROR "guest loader ${arch} needs ${arch} in KEXKIT_PURGATORY_ARCHES")
  endif()
  # Looked up again at every configure (not cached), so a build tree follows the
  # KEXKIT_CACHE of the run that configures it.
  set(_kk_sysroot ${KEXKIT_SYSROOT_${arch}})
  if(NOT _kk_sysroot)
    set(_kk_sysroot ${_kk_cache}/${arch}/sysroot)
    if(NOT EXISTS ${_kk_sysroot}/.kk-complete)
      message(FATAL_ERROR "kexkit: no ${arch} guest sysroot in ${_kk_sysroot}: run "
                          "scripts/lib/guest-sysroot.sh ${arch} (scripts/test does), or pass "
                          "-DKEXKIT_SYSROOT_${arch}=<folder>")
    endif()
  endif()
  set(out ${CMAKE_BINARY_DIR}/bin/kexkit-${arch}-static)
  ExternalProject_Add(guest-loader-${arch}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/guest/${arch}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/toolchain/${arch}-linux.cmake
               -DKEXKIT_LOADER_ONLY=ON -DKEXKIT_LOADER_ARCH=${arch}
               -DKEXKIT_PURGATORY_BLOB=${CMAKE_BINARY_DIR}/purgatory/${arch}/purgatory.ro
               -DKEXKIT_GUEST_SYSROOT=${_kk_sysroot}
               -DCMAKE_BUILD_TYPE=Release ${KEXKIT_GUEST_ARGS_${arch}}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ${CMAKE_COMMAND} -E copy
                    ${CMAKE_BINARY_DIR}/guest/${arch}/bin/kexkit-${arch}-static ${out}
    BUILD_BYPRODUCTS ${out}
    DEPENDS purgatory-${arch})
endforeach()
