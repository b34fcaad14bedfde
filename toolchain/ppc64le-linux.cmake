# ppc64le Linux userland (the static guest loader, kexkit-ppc64le-static): Debian's
# powerpc64le cross GCC and its glibc (libc6-dev-ppc64el-cross, /usr/powerpc64le-linux-gnu).
# Used by cmake/guest-loaders.cmake with KEXKIT_LOADER_ONLY.
#
# libfdt.a and libcrypto.a for ppc64el come from a sysroot folder holding libfdt-dev,
# libfdt1 and libssl-dev:ppc64el unpacked with dpkg-deb -x (libfdt-dev is not
# Multi-Arch, so it cannot be installed beside the host's): KEXKIT_PPC64LE_SYSROOT when
# given, else scripts/lib/guest-sysroot.sh makes (once) and names one in the cache.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_LINKER powerpc64le-linux-gnu-ld)
set(CMAKE_AR powerpc64le-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB powerpc64le-linux-gnu-ranlib CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE powerpc64le-linux-gnu)

if(NOT KEXKIT_PPC64LE_SYSROOT)
  # Toolchain files run again for every try_compile: the script's stamp makes the
  # download happen once, and later runs only print the path.
  execute_process(
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/../scripts/lib/guest-sysroot.sh ppc64le
    OUTPUT_VARIABLE KEXKIT_PPC64LE_SYSROOT OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE kk_sysroot_rc)
  if(NOT kk_sysroot_rc EQUAL 0)
    message(FATAL_ERROR "scripts/lib/guest-sysroot.sh ppc64le failed (exit ${kk_sysroot_rc})")
  endif()
endif()
set(KEXKIT_PPC64LE_SYSROOT ${KEXKIT_PPC64LE_SYSROOT} CACHE PATH
    "ppc64el sysroot with libfdt-dev, libfdt1 and libssl-dev unpacked")

# Search the cross glibc and the sysroot for libraries and headers, never the host's
# /usr (amd64); programs (tools run at build time) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/powerpc64le-linux-gnu ${KEXKIT_PPC64LE_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(OPENSSL_ROOT_DIR ${KEXKIT_PPC64LE_SYSROOT}/usr)
set(OPENSSL_USE_STATIC_LIBS ON)
# <openssl/configuration.h> is per-architecture (include/powerpc64le-linux-gnu), which the
# cross compiler does not search by itself.
set(CMAKE_C_FLAGS_INIT "-isystem ${KEXKIT_PPC64LE_SYSROOT}/usr/include/powerpc64le-linux-gnu")
set(CMAKE_CXX_FLAGS_INIT "-isystem ${KEXKIT_PPC64LE_SYSROOT}/usr/include/powerpc64le-linux-gnu")
