# Big-endian ppc64 Linux userland (the static guest loader, kexkit-ppc64-static): Debian's
# powerpc64 cross GCC and its glibc (libc6-dev-ppc64-cross, /usr/powerpc64-linux-gnu),
# ELFv1. Used by cmake/guest-loaders.cmake with KEXKIT_LOADER_ONLY.
#
# Debian's archive has no ppc64 packages: KEXKIT_GUEST_SYSROOT holds libfdt built from
# linux-source-6.1's copy of it (scripts/lib/guest-sysroot.sh ppc64), and there is no libcrypto,
# so this loader hashes its segments with the purgatory's own SHA-256 (purgatory/
# sha256.cc, the code checked against the NIST vectors) instead of OpenSSL's.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64)
set(CMAKE_C_COMPILER powerpc64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64-linux-gnu-gcc)
set(CMAKE_LINKER powerpc64-linux-gnu-ld)
set(CMAKE_AR powerpc64-linux-gnu-ar CACHE FILEPATH "")
set(CMAKE_RANLIB powerpc64-linux-gnu-ranlib CACHE FILEPATH "")
set(CMAKE_LIBRARY_ARCHITECTURE powerpc64-linux-gnu)
set(KEXKIT_HOST_SHA256 builtin CACHE STRING "")
# Its libfdt is Linux's copy (scripts/lib/guest-sysroot.sh ppc64), without fdt_check.c:
# arch/ppc64/fdt-check-full.c stands in.
set(KEXKIT_LIBFDT_NO_CHECK_FULL ON CACHE BOOL "")

set(KK_CROSS_TRIPLET powerpc64-linux-gnu)
set(KK_SYSROOT_ARCH ppc64)
include(${CMAKE_CURRENT_LIST_DIR}/guest-sysroot.cmake)
