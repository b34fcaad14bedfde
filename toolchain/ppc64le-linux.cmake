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

set(KK_CROSS_TRIPLET powerpc64le-linux-gnu)
set(KK_SYSROOT_ARCH ppc64le)
include(${CMAKE_CURRENT_LIST_DIR}/guest-sysroot.cmake)
