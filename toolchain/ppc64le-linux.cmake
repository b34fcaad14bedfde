# ppc64le Linux userland (the static guest loader, kexkit-ppc64le-static): Debian's
# powerpc64le cross GCC and its glibc (libc6-dev-ppc64el-cross, /usr/powerpc64le-linux-gnu).
# Used by cmake/guest-loaders.cmake with KEXKIT_LOADER_ONLY.
#
# libfdt.a and libcrypto.a for ppc64el come from KEXKIT_GUEST_SYSROOT, a folder holding
# libfdt-dev, libfdt1 and libssl-dev:ppc64el unpacked with dpkg-deb -x (libfdt-dev is not
# Multi-Arch, so it cannot be installed beside the host's); cmake/guest-loaders.cmake
# passes the one scripts/lib/guest-sysroot.sh ppc64le made.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_LINKER powerpc64le-linux-gnu-ld)
set(CMAKE_AR powerpc64le-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB powerpc64le-linux-gnu-ranlib CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE powerpc64le-linux-gnu)

# Toolchain files run again inside every try_compile, which sees only the variables
# listed here.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES KEXKIT_GUEST_SYSROOT)
if(NOT KEXKIT_GUEST_SYSROOT)
  message(FATAL_ERROR "toolchain/ppc64le-linux.cmake needs -DKEXKIT_GUEST_SYSROOT=<folder> "
                      "(scripts/lib/guest-sysroot.sh ppc64le makes one)")
endif()
set(KEXKIT_PPC64LE_SYSROOT ${KEXKIT_GUEST_SYSROOT})

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
