# The part the guest-loader toolchains share (i386-linux.cmake, ppc64le-linux.cmake):
# a cross glibc under /usr/<KK_CROSS_TRIPLET> and a sysroot with the guest's libcrypto
# (and libfdt) unpacked with dpkg-deb -x, passed as KEXKIT_GUEST_SYSROOT
# (cmake/guest-loaders.cmake passes the one scripts/lib/guest-sysroot.sh
# <KK_SYSROOT_ARCH> made). Set KK_CROSS_TRIPLET, KK_SYSROOT_ARCH and
# CMAKE_LIBRARY_ARCHITECTURE before including it.
#
# Toolchain files run again inside every try_compile, which sees only the variables
# listed here.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES KEXKIT_GUEST_SYSROOT)
if(NOT KEXKIT_GUEST_SYSROOT)
  message(FATAL_ERROR "toolchain/${KK_SYSROOT_ARCH}-linux.cmake needs "
                      "-DKEXKIT_GUEST_SYSROOT=<folder> "
                      "(scripts/lib/guest-sysroot.sh ${KK_SYSROOT_ARCH} makes one)")
endif()

# Search the cross glibc and the sysroot for libraries and headers, never the host's
# /usr (amd64); programs (tools run at build time) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${KK_CROSS_TRIPLET} ${KEXKIT_GUEST_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(OPENSSL_ROOT_DIR ${KEXKIT_GUEST_SYSROOT}/usr)
set(OPENSSL_USE_STATIC_LIBS ON)
set(ZLIB_USE_STATIC_LIBS ON)  # FindZLIB, CMake 3.24+: libz.a (the arm64 loader)
# opensslconf.h includes <openssl/configuration.h>, which is per-architecture
# (include/<multiarch>): the cross compiler does not search that folder by itself. Only
# the sysroot's include folders: the host's /usr/include is amd64's. Standard include
# directories, not CMAKE_<LANG>_FLAGS_INIT: a packaging build sets CMAKE_CXX_FLAGS on the
# command line (debian/rules: dpkg-buildflags), which replaces the _INIT flags.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES
    ${KEXKIT_GUEST_SYSROOT}/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES
    ${KEXKIT_GUEST_SYSROOT}/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
